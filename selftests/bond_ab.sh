#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=300
#
# active-backup: traffic, failover, primary reselection, delays, MAC
# policies, peer notification and receive on backup slaves.
#
#   namespace sw   bridge br0: the "switch"
#   namespace b    bond abb (10.0.0.1, miimon 100), slaves abbs1-3 -> sw
#                  ports abbp1-3; a slave "fails" when its port goes down
#   namespace cl   client 10.0.0.2 on sw
#                  also bonds mfn, mfa, mff (fail_over_mac none, active,
#                  follow; 10.0.3.1, 10.0.4.1, 10.0.5.1), slaves <bond>s1-2
#                  with fixed MACs, peers ports of sw; bond abs (10.0.6.1):
#                  slaves absv (veth, 10 Gb/s) and the tap abst (speed set
#                  by ethtool; a relay copies its frames to abrl, whose peer
#                  abrp is a port of sw); and bond abd (10.0.1.1): abds1 ->
#                  abdp1 in sw (10.0.1.2), abds2 -> namespace p2 (10.0.1.3),
#                  which reaches the bond only through the backup abds2
#   namespace cl   also 10.0.3.2, 10.0.4.2, 10.0.5.2, 10.0.6.2, and VLAN 10
#                  (eth0.10, 10.0.10.2) for abb.10 (10.0.10.1)
#
# Timing: failover is bounded generously (3 s for a 100 ms monitor, TCG),
# delays are checked as lower bounds (a slow guest only makes them longer).
# State is read from mounted sysfs and /proc of a process in the namespace
# with shell builtins (bond_lib.sh bct_*): every exec costs ~0.4 s here.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd ping nsenter tcpdump ethtool python3

# shellcheck disable=SC2034	# arrays are passed by name
declare -A ANCHOR=()		# namespace -> pid of a process living there

# anchor NS: a sleeping process in NS, so /proc/PID/net shows NS.
anchor() {
	nsenter --net="/run/netns/$NS_PREFIX$1" sleep 1000 &
	ANCHOR[$1]=$!
	defer kill "${ANCHOR[$1]}"
}

sys() { printf '%s' "${BCT_SYS[$1]}/class/net/$2"; }

# opt VAR NS BOND OPT: bonding/OPT of BOND.
opt() { bct_get "$1" "${BCT_SYS[$2]}/class/net/$3/bonding/$4"; }

# sopt VAR NS SLAVE FILE: bonding_slave/FILE of SLAVE.
sopt() { bct_get "$1" "${BCT_SYS[$2]}/class/net/$3/bonding_slave/$4"; }

# set_opt NS BOND OPT VALUE: write bonding/OPT through sysfs; a check.
set_opt() {
	if printf '%s\n' "$4" >"${BCT_SYS[$1]}/class/net/$2/bonding/$3" 2>/dev/null; then
		log "ok: $2: $3 <- '$4'"
	else
		_check_failed "$2: writing '$4' to bonding/$3 failed"
	fi
}

# refuse_opt NS BOND OPT VALUE: writing it must fail; a check.
refuse_opt() {
	if printf '%s\n' "$4" >"${BCT_SYS[$1]}/class/net/$2/bonding/$3" 2>/dev/null; then
		_check_failed "$2: writing '$4' to bonding/$3 succeeded, want an error"
	else
		log "ok: $2: '$4' refused by bonding/$3"
	fi
}

active_is() { local v; opt v "$1" "$2" active_slave && [[ $v == "$3" ]]; }
mii_is() { local v; sopt v "$1" "$2" mii_status && [[ $v == "$3" ]]; }
active_not() { local v; opt v "$1" "$2" active_slave && [[ -n $v && $v != "$3" ]]; }
mac() { bct_get "$1" "${BCT_SYS[$2]}/class/net/$3/address"; }

# proc_slave VAR NS BOND SLAVE FIELD / proc_bond VAR NS BOND FIELD: a
# field of /proc/net/bonding/BOND (slave block or bond block).
proc_slave() {
	local l cur= f=$5
	while IFS= read -r l; do
		[[ $l == "Slave Interface: "* ]] && cur=${l#Slave Interface: }
		if [[ $cur == "$4" && $l == "$f: "* ]]; then
			printf -v "$1" '%s' "${l#"$f: "}"
			return 0
		fi
	done <"/proc/${ANCHOR[$2]}/net/bonding/$3"
	return 1
}
proc_bond() {
	local l f=$4
	while IFS= read -r l; do
		[[ $l == "Slave Interface: "* ]] && return 1
		if [[ $l == "$f: "* ]]; then
			printf -v "$1" '%s' "${l#"$f: "}"
			return 0
		fi
	done <"/proc/${ANCHOR[$2]}/net/bonding/$3"
	return 1
}

# delta NS ARRAY IF...: the tx_packets growth since bct_snap NS ARRAY IF....
delta() {
	local n=$1 i v line=
	local -n _a=$2
	shift 2
	for i; do
		bct_stat v "$n" "$i" tx_packets
		_a[$i]=$((v - _a[$i]))
		line+=" $i:+${_a[$i]}"
	done
	log "tx frames:$line"
}

# only_on ARRAY MIN BUSY IF...: BUSY sent at least MIN frames, the other IFs none.
only_on() {
	local -n _o=$1
	local min=$2 busy=$3 i
	shift 3
	for i; do
		if [[ $i == "$busy" ]]; then
			((_o[$i] >= min)) || _check_failed "active $i sent ${_o[$i]} frames, want >= $min"
		else
			check_eq "${_o[$i]}" 0 "frames sent by backup $i"
		fi
	done
}

AB=(abbs1 abbs2 abbs3)

# flood COUNT: ping flood from the bond to the client, all answered.
flood() {
	local res
	bct_ping res b -q -f -c "$1" -W 2 10.0.0.2
	check_eq "$res" "$1 $1 0" "sent/received/duplicates of a flood of $1"
}

all_up() { mii_is b abbs1 up && mii_is b abbs2 up && mii_is b abbs3 up; }

# reset: every port up, no primary, reselect always, abbs1 active.
reset() {
	log "reset at ${SECONDS}s"
	bct_ip sw -batch - <<-EOF
		link set abbp1 up
		link set abbp2 up
		link set abbp3 up
	EOF
	bct_ok bct_wait_until 5 all_up
	set_opt b abb primary ""
	set_opt b abb primary_reselect always
	set_opt b abb active_slave abbs1
	bct_ok active_is b abb abbs1
}

topology() {
	local hb k v
	ns_create b p2 || return 1
	switch_create sw || return 1
	bct_client sw cl 10.0.0.2/24 || return 1
	hb="link add abb type bond mode active-backup miimon 100"$'\n'
	for k in 1 2 3; do
		hb+="link add abbs$k type veth peer name abbp$k netns ${NS_PREFIX}sw"$'\n'
		hb+="link set abbs$k master abb"$'\n'
	done
	hb+="addr add 10.0.0.1/24 dev abb"$'\n'"link set abb up"$'\n'
	bct_ip b -batch - <<<"$hb" || { _check_failed "bond abb"; return 1; }
	bct_ip sw -batch - <<-EOF || { _check_failed "switch ports"; return 1; }
		link set abbp1 master br0
		link set abbp2 master br0
		link set abbp3 master br0
		link set abbp1 up
		link set abbp2 up
		link set abbp3 up
	EOF
	bct_sysfs_mount b || return 1
	bct_sysfs_mount cl || return 1
	anchor b
	bct_ok bct_wait_until 10 all_up
	log "topology up at ${SECONDS}s"
	bct_ok active_is b abb abbs1
	for k in 1 2 3; do
		sopt v b "abbs$k" state
		check_eq "$v" "$([[ $k == 1 ]] && echo active || echo backup)" "state of abbs$k"
	done
}

# Only the active slave transmits; the backups send nothing at all.
only_active() {
	local -A d=()
	bct_snap b d "${AB[@]}"
	flood 200
	delta b d "${AB[@]}"
	only_on d 200 abbs1 "${AB[@]}"
}

# The active slave's link fails: the first up slave takes over within
# 3 s (miimon 100), the echo stream loses only what was sent meanwhile.
failover() {
	local -A d=()
	local lfc0 v t0 t1 det
	reset
	sopt lfc0 b abbs1 link_failure_count
	bct_stream b 10.0.0.2 100 abb 20
	bct_ms t0
	bct_ok bct_ip sw link set abbp1 down
	if bct_wait_until 3 active_not b abb abbs1; then
		bct_ms t1
		det=$((t1 - t0))
		log "failed over after $det ms"
	else
		_check_failed "abbs1 still active 3 s after its link went down"
		det=3000
	fi
	opt v b abb active_slave
	check_eq "$v" abbs2 "new active slave (first slave that is up)"
	proc_bond v b abb "Currently Active Slave"
	check_eq "$v" abbs2 "/proc: Currently Active Slave"
	sopt v b abbs1 mii_status
	check_eq "$v" down "mii_status of abbs1"
	proc_slave v b abb abbs1 "MII Status"
	check_eq "$v" down "/proc: MII Status of abbs1"
	sopt v b abbs1 link_failure_count
	check_eq "$v" $((lfc0 + 1)) "link_failure_count of abbs1"
	sopt v b abbs1 state
	check_eq "$v" backup "state of abbs1"
	sopt v b abbs2 state
	check_eq "$v" active "state of abbs2"

	# One echo per 50 ms went nowhere until the failover, +3 for the tick
	# in progress and the reply in flight.
	bct_stream_check $((det / 50 + 3))

	bct_snap b d "${AB[@]}"
	flood 100
	delta b d "${AB[@]}"
	only_on d 100 abbs2 "${AB[@]}"

	# A second failure counts again.
	bct_ok bct_ip sw link set abbp1 up
	bct_ok bct_wait_until 3 mii_is b abbs1 up
	bct_ok bct_ip sw link set abbp1 down
	bct_ok bct_wait_until 3 mii_is b abbs1 down
	sopt v b abbs1 link_failure_count
	check_eq "$v" $((lfc0 + 2)) "link_failure_count of abbs1 after a second failure"
	bct_ok active_is b abb abbs2
}

# primary_reselect always: the primary takes over again as soon as it is back.
reselect_always() {
	local v
	reset
	set_opt b abb primary abbs1
	opt v b abb primary
	check_eq "$v" abbs1 "primary"
	bct_ok bct_ip sw link set abbp1 down
	bct_ok bct_wait_until 3 active_is b abb abbs2
	bct_ok bct_ip sw link set abbp1 up
	bct_ok bct_wait_until 3 active_is b abb abbs1
	proc_bond v b abb "Primary Slave"
	check_eq "$v" "abbs1 (primary_reselect always)" "/proc: Primary Slave"
	flood 50
}

# ticks VAR N: VAR := N monitor ticks of abb, in seconds (for wait_until).
ticks() {
	local mii
	opt mii b abb miimon
	printf -v "$1" '%d.%03d' $((mii * $2 / 1000)) $((mii * $2 % 1000))
}

# primary_reselect better (all slaves are 10000 Mb/s full duplex veths, so
# the primary is not better) and failure: the current slave stays when the
# primary returns. For "stays", watch 10 monitor ticks.
reselect_better() {
	local v w
	reset
	set_opt b abb primary abbs1
	set_opt b abb primary_reselect better
	opt v b abb primary_reselect
	check_eq "$v" "better 1" "primary_reselect"
	bct_ok bct_ip sw link set abbp1 down
	bct_ok bct_wait_until 3 active_is b abb abbs2
	bct_ok bct_ip sw link set abbp1 up
	bct_ok bct_wait_until 3 mii_is b abbs1 up
	ticks w 10
	bct_fail bct_wait_until "$w" active_is b abb abbs1
	bct_ok active_is b abb abbs2
	flood 50
}

reselect_failure() {
	local v w
	reset
	set_opt b abb primary abbs1
	set_opt b abb primary_reselect failure
	opt v b abb primary_reselect
	check_eq "$v" "failure 2" "primary_reselect"
	bct_ok bct_ip sw link set abbp1 down
	bct_ok bct_wait_until 3 active_is b abb abbs2
	bct_ok bct_ip sw link set abbp1 up
	bct_ok bct_wait_until 3 mii_is b abbs1 up
	ticks w 10
	bct_fail bct_wait_until "$w" active_is b abb abbs1
	bct_ok active_is b abb abbs2
	# When the current slave fails, the primary (not the next in line) wins.
	bct_ok bct_ip sw link set abbp2 down
	bct_ok bct_wait_until 3 active_not b abb abbs2
	opt v b abb active_slave
	check_eq "$v" abbs1 "active slave after abbs2 failed (primary abbs1 is up)"
	flood 50
	set_opt b abb primary ""
	opt v b abb primary
	check_eq "$v" "" "primary after clearing it"
}

# primary_reselect by speed: bond abs has the veth absv (10 Gb/s) and the
# primary, the tap abst, whose speed ethtool sets (a veth's cannot be);
# the bond reads it when the tap's carrier comes back. The tap fails (carrier
# off) and returns (carrier on) while absv is active:
#   better, tap at 100 Gb/s: the primary is better, it takes over again
#   failure, tap at 100 Gb/s: absv stays
#   better, tap at 1 Gb/s: the primary is worse, absv stays
#   always, tap at 1 Gb/s: the primary takes over as soon as the policy is set
# The tap carries the bond's traffic like any slave (through the relay).
tap_fails() {
	bct_ok bct_ip b link set abst carrier off
	bct_ok bct_wait_until 3 active_is b abs absv
	bct_ok mii_is b abst down
}

tap_returns() {			# SPEED
	local v
	bct_ok bct_in b ethtool -s abst speed "$1" duplex full
	bct_ok bct_ip b link set abst carrier on
	bct_ok bct_wait_until 3 mii_is b abst up
	proc_slave v b abs abst Speed
	check_eq "$v" "$1 Mbps" "/proc: Speed of abst"
}

reselect_speed() {
	local v rc
	log "start at ${SECONDS}s"
	bct_ip b -batch - <<-EOF || { _check_failed "veths of abs"; return 1; }
		link add abrl type veth peer name abrp netns ${NS_PREFIX}sw
		link set abrl up
		link add absv type veth peer name absp netns ${NS_PREFIX}sw
	EOF
	bct_ip sw -batch - <<-EOF || { _check_failed "switch ports of abs"; return 1; }
		link set abrp master br0
		link set abrp up
		link set absp master br0
		link set absp up
	EOF
	bct_tap_relay b abst abrl
	rc=$?
	((rc == 0)) || return $rc
	bct_ok bct_in b ethtool -s abst speed 100000 duplex full
	bct_ip b -batch - <<-EOF || { _check_failed "bond abs"; return 1; }
		link add abs type bond mode active-backup miimon 100
		link set absv master abs
		link set abst master abs
		link set abs type bond primary abst
		addr add 10.0.6.1/24 dev abs
		link set abs up
	EOF
	bct_ok bct_ip cl addr add 10.0.6.2/24 dev eth0
	bct_ok bct_wait_until 5 eval "mii_is b absv up && mii_is b abst up"
	bct_ok bct_wait_until 3 active_is b abs abst
	proc_slave v b abs abst Speed
	check_eq "$v" "100000 Mbps" "/proc: Speed of abst"
	proc_slave v b abs absv Speed
	check_eq "$v" "10000 Mbps" "/proc: Speed of absv"
	bct_ping_all cl 3 -i 0.2 -W 3 10.0.6.1

	log "better, the primary returns at 100 Gb/s: it takes over"
	set_opt b abs primary_reselect better
	tap_fails
	bct_ping_all cl 3 -i 0.2 -W 3 10.0.6.1
	tap_returns 100000
	bct_ok bct_wait_until 3 active_is b abs abst

	log "failure, the primary returns at 100 Gb/s: absv stays (10 monitor ticks)"
	set_opt b abs primary_reselect failure
	tap_fails
	tap_returns 100000
	bct_fail bct_wait_until 1 active_is b abs abst
	bct_ok active_is b abs absv

	log "better, the primary returns at 1 Gb/s: absv stays"
	set_opt b abs primary_reselect better
	tap_fails
	tap_returns 1000
	bct_fail bct_wait_until 1 active_is b abs abst
	bct_ok active_is b abs absv

	log "always: the primary takes over"
	set_opt b abs primary_reselect always
	bct_ok bct_wait_until 3 active_is b abs abst
	bct_ping_all cl 3 -i 0.2 -W 3 10.0.6.1
	bct_ok bct_ip b link del abs
	bct_ok bct_ip cl addr del 10.0.6.2/24 dev eth0
}

# VLAN 10 on the active-backup bond: tagged echoes leave on the active slave
# only, all answered (the client has 10.0.10.2 on its VLAN device only), and
# keep being answered across a failover.
vlan_ab() {
	local -A d=()
	local res
	reset
	bct_ip cl -batch - <<-EOF || { _check_failed "VLAN on the client"; return 1; }
		link add link eth0 name eth0.10 type vlan id 10
		addr add 10.0.10.2/24 dev eth0.10
		link set eth0.10 up
	EOF
	bct_ip b -batch - <<-EOF || { _check_failed "VLAN on abb"; return 1; }
		link add link abb name abb.10 type vlan id 10
		addr add 10.0.10.1/24 dev abb.10
		link set abb.10 up
	EOF
	bct_ping_all b 1 -W 2 10.0.10.2
	bct_snap b d "${AB[@]}"
	bct_ping res b -q -f -c 100 -W 2 10.0.10.2
	check_eq "$res" "100 100 0" "sent/received/duplicates of 100 tagged echoes"
	delta b d "${AB[@]}"
	only_on d 100 abbs1 "${AB[@]}"
	bct_ok bct_ip sw link set abbp1 down
	bct_ok bct_wait_until 3 active_is b abb abbs2
	bct_snap b d "${AB[@]}"
	bct_ping res b -q -f -c 100 -W 2 10.0.10.2
	check_eq "$res" "100 100 0" "sent/received/duplicates of 100 tagged echoes after the failover"
	delta b d "${AB[@]}"
	only_on d 100 abbs2 "${AB[@]}"
	bct_ok bct_ip b link del abb.10
	bct_ok bct_ip cl link del eth0.10
}

# active_slave by name: taken at once; a slave whose link is down, a
# device that is not a slave and a missing device are refused.
active_by_name() {
	local -A d=()
	local v
	reset
	set_opt b abb active_slave abbs3
	opt v b abb active_slave
	check_eq "$v" abbs3 "active_slave"
	bct_snap b d "${AB[@]}"
	flood 100
	delta b d "${AB[@]}"
	only_on d 100 abbs3 "${AB[@]}"
	bct_ok bct_ip sw link set abbp2 down
	bct_ok bct_wait_until 3 mii_is b abbs2 down
	refuse_opt b abb active_slave abbs2
	bct_fail bct_ip b link set abb type bond active_slave abbs2
	refuse_opt b abb active_slave lo
	refuse_opt b abb active_slave nosuchdev
	opt v b abb active_slave
	check_eq "$v" abbs3 "active_slave after refused changes"
	bct_ok bct_ip b link set abb type bond active_slave abbs1
	bct_ok active_is b abb abbs1
}

# downdelay/updelay 1500 ms = 15 ticks: the slave passes through "going
# down" / "going back" (sysfs and /proc) and the change takes at least
# the delay (lower bound: a slow guest only makes it longer).
delays() {
	local v t0 t1
	reset
	bct_ok bct_ip b link set abb type bond updelay 1500 downdelay 1500
	opt v b abb downdelay
	check_eq "$v" 1500 "downdelay"
	bct_ms t0
	bct_ok bct_ip sw link set abbp1 down
	if bct_wait_until 3 mii_is b abbs1 "going down"; then
		proc_slave v b abb abbs1 "MII Status"
		check_eq "$v" "going down" "/proc: MII Status of abbs1 within the downdelay"
		bct_ok active_is b abb abbs1
	else
		_check_failed "abbs1 never showed 'going down'"
	fi
	bct_ok bct_wait_until 8 mii_is b abbs1 down
	bct_ms t1
	log "abbs1 down $((t1 - t0)) ms after its link went"
	(((t1 - t0) >= 1300)) || _check_failed "abbs1 went down after $((t1 - t0)) ms, before the 1500 ms downdelay"
	bct_ok bct_wait_until 1 active_is b abb abbs2

	bct_ms t0
	bct_ok bct_ip sw link set abbp1 up
	if bct_wait_until 3 mii_is b abbs1 "going back"; then
		proc_slave v b abb abbs1 "MII Status"
		check_eq "$v" "going back" "/proc: MII Status of abbs1 within the updelay"
	else
		_check_failed "abbs1 never showed 'going back'"
	fi
	bct_ok bct_wait_until 8 mii_is b abbs1 up
	bct_ms t1
	log "abbs1 up $((t1 - t0)) ms after its link came back"
	(((t1 - t0) >= 1300)) || _check_failed "abbs1 came up after $((t1 - t0)) ms, before the 1500 ms updelay"
	bct_ok active_is b abb abbs2
	bct_ok bct_ip b link set abb type bond updelay 0 downdelay 0
}

# grat_count VAR FILE MAC SINCE: gratuitous ARPs for 10.0.0.1 in the
# capture stamped SINCE (microseconds since the epoch) or later, all of
# which must come from MAC.
grat_count() {
	local l ts n=0 re='who-has 10\.0\.0\.1 (\([^)]*\) )?tell 10\.0\.0\.1'
	while IFS= read -r l; do
		[[ $l =~ $re ]] || continue
		ts=${l%% *}
		ts=${ts/./}
		((ts >= $4)) || continue
		n=$((n + 1))
		[[ $l == *"$3 > ff:ff:ff:ff:ff:ff"* ]] || _check_failed "announcement not from $3: $l"
	done < <(tcpdump -tt -nn -e -r "$2" 2>/dev/null)
	printf -v "$1" '%s' "$n"
}

grat_at_least() { local c; grat_count c "$1" "$2" "$3"; ((c >= $4)); }

# has FILE TEXT: FILE contains TEXT (read with builtins).
has() {
	local l
	while IFS= read -r l; do
		[[ $l == *"$2"* ]] && return 0
	done <"$1"
	return 1
}

# notify N: fail abbs1 over to abbs2 while the client captures ARP; it
# sees exactly N gratuitous ARPs for the bond's address from its MAC from
# then on (earlier ones, from reset's change of active slave, don't count).
# The capture counts only once tcpdump says it listens: it prints that
# after its filter is in place (frames that arrive while libpcap installs
# it are dropped), so each capture has its own, fresh message file.
notify() {
	local n=$1 pid cap bmac v c t0 mii delay tick
	_bct_tmpdir || return 1
	cap=$_bct_tmp/grat-$n.pcap
	rm -f "$cap" "$cap.err"
	reset
	set_opt b abb num_grat_arp "$n"
	opt v b abb num_grat_arp
	check_eq "$v" "$n" "num_grat_arp"
	mac bmac b abb
	nsenter --net="/run/netns/${NS_PREFIX}cl" tcpdump -i eth0 -nn -U -w "$cap" arp \
		2>"$cap.err" &
	pid=$!
	bct_ok bct_wait_until 10 has "$cap.err" "listening on"
	t0=${EPOCHREALTIME/[.,]/}
	bct_ok bct_ip sw link set abbp1 down
	bct_ok bct_wait_until 3 active_is b abb abbs2
	bct_ok bct_wait_until 10 grat_at_least "$cap" "$bmac" "$t0" "$n"
	# Then nothing more: the announcements go out one per peer_notif_delay
	# (at least one monitor tick) apart; ten such periods after the last
	# there is none left to come.
	opt mii b abb miimon
	opt delay b abb peer_notif_delay
	tick=$((mii * (delay / mii > 1 ? delay / mii : 1)))
	bct_fail bct_wait_until "$((tick * 10 / 1000)).$((tick * 10 % 1000 / 100))" \
		grat_at_least "$cap" "$bmac" "$t0" "$((n + 1))"
	grat_count c "$cap" "$bmac" "$t0"
	kill "$pid"
	wait "$pid" 2>/dev/null
	check_eq "$c" "$n" "gratuitous ARPs the client saw after the failover (num_grat_arp $n)"
	bct_ok bct_ip sw link set abbp1 up
}

peer_notify() {
	notify 3
	notify 1
}

# fail_over_mac: none: every slave wears the bond's MAC; active: the bond
# wears the active slave's own MAC; follow: the active slave wears the
# bond's MAC and swaps with the old active slave on failover. In each, the
# client keeps reaching the bond across the failover (active: the bond's
# MAC changed, and the gratuitous ARP of the failover tells the client;
# follow: the new active slave must really wear the MAC the client knows).
MAC1=
MAC2=
declare -A FOM_NET=([mfn]=10.0.3 [mfa]=10.0.4 [mff]=10.0.5)
declare -A FOM_MAC=([mfn]=02:0a:00:00:03 [mfa]=02:0a:00:00:04 [mff]=02:0a:00:00:05)

mkfom() {			# BOND POLICY
	local b=$1
	log "$b at ${SECONDS}s"
	MAC1=${FOM_MAC[$b]}:01 MAC2=${FOM_MAC[$b]}:02
	bct_ip b -batch - <<-EOF || { _check_failed "bond $b"; return 1; }
		link add $b type bond mode active-backup miimon 100 fail_over_mac $2
		link add ${b}s1 address $MAC1 type veth peer name ${b}p1 netns ${NS_PREFIX}sw
		link add ${b}s2 address $MAC2 type veth peer name ${b}p2 netns ${NS_PREFIX}sw
		link set ${b}s1 master $b
		link set ${b}s2 master $b
		addr add ${FOM_NET[$b]}.1/24 dev $b
		link set $b up
	EOF
	bct_ip sw -batch - <<-EOF || { _check_failed "peers of $b"; return 1; }
		link set ${b}p1 master br0
		link set ${b}p2 master br0
		link set ${b}p1 up
		link set ${b}p2 up
	EOF
	bct_ok bct_ip cl addr add "${FOM_NET[$b]}.2/24" dev eth0
	bct_ok bct_wait_until 5 eval "mii_is b ${b}s1 up && mii_is b ${b}s2 up"
	bct_ok active_is b "$b" "${b}s1"
	bct_ping_all cl 2 -i 0.2 -W 2 "${FOM_NET[$b]}.1"
}

# macs BOND: "bond slave1 slave2" MACs.
macs() {
	local a b c
	mac a b "$2"
	mac b b "$2s1"
	mac c b "$2s2"
	printf -v "$1" '%s %s %s' "$a" "$b" "$c"
}

# fom_failover BOND: the active slave's port goes down while the client
# pings the bond (one echo per 50 ms): only the echoes of the failover
# itself go unanswered. The client sends to the MAC its neighbour entry
# (fresh from mkfom, so not probed again for seconds) holds: after the
# failover that MAC must reach the bond, or (active) the failover's
# gratuitous ARP must have told the client the new one. Then 5 echoes from
# the bond are answered.
fom_failover() {		# BOND
	local t0 t1 det
	bct_stream cl "${FOM_NET[$1]}.1" 100 eth0 20
	bct_ms t0
	bct_ok bct_ip sw link set "$1p1" down
	bct_ok bct_wait_until 3 active_is b "$1" "$1s2"
	bct_ms t1
	det=$((t1 - t0))
	log "$1 failed over after $det ms"
	# as in failover: the echoes of the detection time, +3 for a tick in
	# progress and a reply in flight, +2 until the announcement is heard
	bct_stream_check $((det / 50 + 5))
	bct_ping_all b 5 -i 0.1 -W 2 "${FOM_NET[$1]}.2"
}

fom_release_restores() {	# BOND: released slaves get their own MAC back
	local v
	bct_ok bct_ip b link set "$1s1" nomaster
	bct_ok bct_ip b link set "$1s2" nomaster
	mac v b "$1s1"
	check_eq "$v" "$MAC1" "MAC of $1s1 after release"
	mac v b "$1s2"
	check_eq "$v" "$MAC2" "MAC of $1s2 after release"
}

fom_none() {
	local v
	mkfom mfn none || return 1
	opt v b mfn fail_over_mac
	check_eq "$v" "none 0" "fail_over_mac"
	macs v mfn
	check_eq "$v" "$MAC1 $MAC1 $MAC1" "MACs of bond, s1, s2"
	fom_failover mfn
	macs v mfn
	check_eq "$v" "$MAC1 $MAC1 $MAC1" "MACs of bond, s1, s2 after failover"
	fom_release_restores mfn
}

fom_active() {
	local v
	mkfom mfa active || return 1
	opt v b mfa fail_over_mac
	check_eq "$v" "active 1" "fail_over_mac"
	macs v mfa
	check_eq "$v" "$MAC1 $MAC1 $MAC2" "MACs of bond, s1, s2"
	fom_failover mfa
	macs v mfa
	check_eq "$v" "$MAC2 $MAC1 $MAC2" "MACs of bond, s1, s2 after failover"
	proc_bond v b mfa "Bonding Mode"
	check_eq "$v" "fault-tolerance (active-backup) (fail_over_mac active)" "/proc: Bonding Mode"
	fom_release_restores mfa
}

fom_follow() {
	local v
	mkfom mff follow || return 1
	opt v b mff fail_over_mac
	check_eq "$v" "follow 2" "fail_over_mac"
	macs v mff
	check_eq "$v" "$MAC1 $MAC1 $MAC2" "MACs of bond, s1, s2"
	fom_failover mff
	macs v mff
	check_eq "$v" "$MAC1 $MAC2 $MAC1" "MACs of bond, s1, s2 after failover (swapped)"
	# and back
	bct_ok bct_ip sw link set mffp1 up
	bct_ok bct_wait_until 3 mii_is b mffs1 up
	set_opt b mff active_slave mffs1
	macs v mff
	check_eq "$v" "$MAC1 $MAC1 $MAC2" "MACs of bond, s1, s2 after switching back"
	bct_ping_all cl 5 -i 0.1 -W 2 "${FOM_NET[mff]}.1"
	fom_release_restores mff
}

# icmp_in VAR: IcmpInEchos of namespace b (/proc/net/snmp: a header line
# "Icmp: InMsgs ..." and a value line "Icmp: 0 ...").
icmp_in() {
	local l i
	local -a hn=() vn=()
	while read -r -a l; do
		[[ ${l[0]} == Icmp: ]] || continue
		if ((${#hn[@]} == 0)); then
			hn=("${l[@]}")
		else
			vn=("${l[@]}")
		fi
	done <"/proc/${ANCHOR[b]}/net/snmp"
	for i in "${!hn[@]}"; do
		[[ ${hn[$i]} == InEchos ]] && printf -v "$1" '%s' "${vn[$i]}"
	done
}

# p2 (behind the backup abds2 only) sends 20 echo requests to the bond's
# MAC: they reach abds2 but not the bond, unless all_slaves_active.
backup_rx() {
	local bmac rx0 rx1 s0 s1 e0 e1 v
	log "start at ${SECONDS}s"
	bct_ip b -batch - <<-EOF || { _check_failed "bond abd"; return 1; }
		link add abd type bond mode active-backup miimon 100
		link add abds1 type veth peer name abdp1 netns ${NS_PREFIX}sw
		link add abds2 type veth peer name eth0 netns ${NS_PREFIX}p2
		link set abds1 master abd
		link set abds2 master abd
		addr add 10.0.1.1/24 dev abd
		link set abd up
	EOF
	bct_ip sw -batch - <<-EOF
		addr add 10.0.1.2/24 dev abdp1
		link set abdp1 up
	EOF
	mac bmac b abd
	bct_ip p2 -batch - <<-EOF
		addr add 10.0.1.3/24 dev eth0
		link set eth0 up
		neigh replace 10.0.1.1 lladdr $bmac dev eth0 nud permanent
	EOF
	bct_ok bct_wait_until 5 eval "mii_is b abds1 up && mii_is b abds2 up"
	bct_ok active_is b abd abds1
	sopt v b abds2 state
	check_eq "$v" backup "state of abds2"
	opt v b abd all_slaves_active
	check_eq "$v" 0 "all_slaves_active"

	pings_from_p2() {
		bct_stat rx0 b abd rx_packets
		bct_stat s0 b abds2 rx_packets
		icmp_in e0
		bct_ping v p2 -q -c 20 -i 0.05 -W 0.5 10.0.1.1
		bct_stat rx1 b abd rx_packets
		bct_stat s1 b abds2 rx_packets
		icmp_in e1
		log "abds2 rx +$((s1 - s0)), abd rx +$((rx1 - rx0)), IcmpInEchos +$((e1 - e0))"
		((s1 - s0 >= 20)) || _check_failed "abds2 received $((s1 - s0)) frames, want >= 20"
	}

	pings_from_p2
	check_eq "$((e1 - e0))" 0 "echo requests the bond took in through its backup"
	check_eq "$((rx1 - rx0))" 0 "frames the bond received through its backup"

	set_opt b abd all_slaves_active 1
	pings_from_p2
	check_eq "$((e1 - e0))" 20 "echo requests taken in through the backup (all_slaves_active 1)"
	((rx1 - rx0 >= 20)) || _check_failed "abd received $((rx1 - rx0)) frames, want >= 20"

	set_opt b abd all_slaves_active 0
	pings_from_p2
	check_eq "$((e1 - e0))" 0 "echo requests taken in through the backup (all_slaves_active 0 again)"
	check_eq "$((rx1 - rx0))" 0 "frames the bond received through its backup (all_slaves_active 0 again)"

	# The active slave's side is answered.
	bct_ping v sw -q -c 3 -i 0.2 -W 2 -I abdp1 10.0.1.1
	check_eq "$v" "3 3 0" "echoes from abdp1 through the active slave: sent/answered/duplicates"
}

# state VAR: every readable bonding/ option of abb (the live ones aside).
state() {
	local f v out=
	for f in "${BCT_SYS[b]}"/class/net/abb/bonding/*; do
		case ${f##*/} in
		active_slave | mii_status | ad_* | rlb_stats) continue ;;
		esac
		v=
		bct_get v "$f"
		out+="${f##*/}=$v"$'\n'
	done
	printf -v "$1" '%s' "$out"
}

carrier_is() { local v; bct_get v "${BCT_SYS[b]}/class/net/abb/carrier" && [[ $v == "$1" ]]; }
operstate_is() { local v; bct_get v "${BCT_SYS[b]}/class/net/abb/operstate" && [[ $v == "$1" ]]; }

# ip link set down/up keeps every option; the primary is active again.
down_up() {
	local before after v
	reset
	bct_ok bct_ip b link set abb type bond primary abbs3 primary_reselect better \
		num_grat_arp 2 updelay 200 downdelay 300
	bct_ok active_is b abb abbs3
	state before
	bct_ok bct_ip b link set abb down
	bct_ok operstate_is down
	opt v b abb slaves
	check_eq "$v" "abbs1 abbs2 abbs3" "slaves while down"
	bct_ok bct_ip b link set abb up
	bct_ok bct_wait_until 5 carrier_is 1
	bct_ok bct_wait_until 5 all_up
	state after
	check_same_state "$before" "$after" "abb options across down/up"
	bct_ok bct_wait_until 3 active_is b abb abbs3
	opt v b abb slaves
	check_eq "$v" "abbs1 abbs2 abbs3" "slaves"
	# (`ip addr show to` exits 0 whether or not the address is there.)
	v=$(bct_ip b -o -4 addr show dev abb)
	check_match "$v" " inet 10\.0\.0\.1/24 " "abb's IPv4 address after down/up"
	flood 50
	set_opt b abb primary ""
	bct_ok bct_ip b link set abb type bond updelay 0 downdelay 0 num_grat_arp 1
}

ktap_plan 17
dmesg_mark
run_test topology topology
run_test only_active_slave_transmits only_active
run_test failover_on_link_loss failover
run_test primary_reselect_always reselect_always
run_test primary_reselect_better reselect_better
run_test primary_reselect_failure reselect_failure
run_test primary_reselect_by_speed reselect_speed
run_test vlan_on_active_backup vlan_ab
run_test active_slave_by_name active_by_name
run_test updelay_downdelay delays
run_test peer_notify_grat_arp peer_notify
run_test fail_over_mac_none fom_none
run_test fail_over_mac_active fom_active
run_test fail_over_mac_follow fom_follow
run_test backup_slave_drops_rx backup_rx
run_test down_up_keeps_config down_up
run_test no_kernel_splat dmesg_check_clean "active-backup tests"
ktap_finish
