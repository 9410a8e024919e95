#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=300
#
# balance-tlb: transmit is balanced over the slaves by destination (and, with
# tlb_dynamic_lb, by measured load), receive happens on the active slave only,
# which wears the bond's MAC, while every other slave keeps (and sends with)
# its own MAC.
#
# Topology: namespace "sw" holds a bridge; the tlb bond tlb0 (3 slaves
# ts1..ts3, miimon 100, MAC 02:b0:00:00:00:00, 198.18.0.1/16) lives in "srv",
# each slave's peer a bridge port; destinations d1..d4 (198.18.2.N/16, MAC
# 02:b1:00:00:00:0N) hang off the bridge.
#
# State is read with shell builtins (sysfs of srv mounted once, /proc/net
# through a process kept there): under TCG each fork or exec is expensive.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd ping nsenter tcpdump timeout bridge

B=tlb0
BOND_IP=198.18.0.1
BOND_MAC=02:b0:00:00:00:00
SLAVES=(ts1 ts2 ts3)
NDEST=4

dest_ip() { printf -v "$1" '198.18.2.%d' "$2"; }
dest_mac() { printf -v "$1" '02:b1:00:00:00:%02x' "$2"; }

SYS=
PROC=
declare -A FLOW=()	# dN -> slave its traffic from the bond leaves on

mac() { IFS= read -r "$1" <"$SYS/class/net/$2/address"; }
pf() { bond_file_value "$1" "$PROC" "$2" "${3:-}"; }
mii_is() { local v; pf v "MII Status" "$1" && [[ $v == "$2" ]]; }
slaves_up() { local s; for s in "${SLAVES[@]}"; do mii_is "$s" up || return 1; done; }

# counters VAR DIR_FIELD: "n1 n2 n3" of statistics/DIR_FIELD of the slaves.
counters() {
	local s v out=
	for s in "${SLAVES[@]}"; do
		bct_stat v srv "$s" "$2"
		out+="$v "
	done
	printf -v "$1" '%s' "$out"
}

# tx_of VAR DST [DIR]: 10 pings from the bond to DST; VAR := the one slave
# whose tx_packets grew by 10 or more while the others grew by less (empty if
# none did). With DIR=rx: the same for pings from DST's namespace to the
# bond, on rx_packets.
_deltas=
tx_of() {
	local b a i s= n=0
	local -a bb aa
	if [[ ${3:-tx} == tx ]]; then
		counters b tx_packets
		bct_in srv ping -q -c 10 -i 0.05 -W 2 "$2" >/dev/null 2>&1 || { printf -v "$1" ''; return 1; }
		counters a tx_packets
	else
		counters b rx_packets
		bct_in "$2" ping -q -c 10 -i 0.05 -W 2 $BOND_IP >/dev/null 2>&1 || { printf -v "$1" ''; return 1; }
		counters a rx_packets
	fi
	read -ra bb <<<"$b"
	read -ra aa <<<"$a"
	_deltas=
	for i in "${!SLAVES[@]}"; do
		_deltas+="${SLAVES[i]}+$((aa[i] - bb[i])) "
		if ((aa[i] - bb[i] >= 10)); then
			s=${SLAVES[i]}
			n=$((n + 1))
		fi
	done
	((n == 1)) || s=
	printf -v "$1" '%s' "$s"
	[[ -n $s ]]
}

# flow_of VAR DST [DIR]: tx_of, retried for up to 20 s (a burst may straddle a
# rebalance or meet other traffic).
flow_of() {
	local _v
	_try() { tx_of _v "$@"; }
	bct_wait_until 20 _try "${@:2}"
	printf -v "$1" '%s' "$_v"
}

setup() {
	local i m ip cmds=
	switch_create sw || return 1
	ns_create srv d1 d2 d3 d4 || return 1
	for i in 1 2 3; do
		cmds+="link add ts$i netns $(ns srv) type veth peer name sp$i netns $(ns sw)"$'\n'
	done
	for ((i = 1; i <= NDEST; i++)); do
		dest_mac m "$i"
		cmds+="link add eth0 netns $(ns "d$i") address $m type veth peer name dp$i netns $(ns sw)"$'\n'
	done
	check_ok ip -batch - <<<"$cmds" || return 1
	cmds=
	for i in sp1 sp2 sp3 dp1 dp2 dp3 dp4; do
		cmds+="link set $i master br0"$'\n'"link set $i up"$'\n'
	done
	check_ok ns_ip sw -batch - <<<"$cmds" || return 1
	check_ok ns_ip srv -batch - <<EOF || return 1
link add $B address $BOND_MAC type bond mode balance-tlb miimon 100
link set ts1 master $B
link set ts2 master $B
link set ts3 master $B
link set $B up
addr add $BOND_IP/16 dev $B
EOF
	for ((i = 1; i <= NDEST; i++)); do
		dest_ip ip "$i"
		check_ok ns_ip "d$i" -batch - <<<"link set eth0 up"$'\n'"addr add $ip/16 dev eth0" || return 1
	done
	bct_sysfs_mount srv || return 1
	SYS=${BCT_SYS[srv]}
	bond_ns_pin srv || return 1
	PROC=${BOND_PROCNET[srv]}/bonding/$B
	check_ok bct_wait_until 20 slaves_up
}

# Pings from the bond to each destination in turn: each destination's frames
# leave on one slave, and the destinations are spread over the slaves.
tx_spread() {
	local i ip s used=
	for ((i = 1; i <= NDEST; i++)); do
		dest_ip ip "$i"
		check_ok bct_in srv ping -q -c 1 -W 3 "$ip"
	done
	for ((i = 1; i <= NDEST; i++)); do
		dest_ip ip "$i"
		flow_of s "$ip"
		if [[ -n $s ]]; then
			log "ok: frames to d$i leave on $s (tx: $_deltas)"
			FLOW[d$i]=$s
		else
			_check_failed "frames to d$i do not leave on one slave (tx: $_deltas)"
		fi
	done
	used=$(printf '%s\n' "${FLOW[@]}" | sort -u | wc -l)
	log "destination -> slave: $(for i in "${!FLOW[@]}"; do printf '%s:%s ' "$i" "${FLOW[$i]}"; done)"
	check_ok test "$used" -ge 2
}

# Pings from each destination to the bond arrive on the active slave only,
# and the destinations know the bond by its MAC.
rx_active_only() {
	local i a s m bm
	pf a "Currently Active Slave"
	mac bm $B
	check_eq "$bm" $BOND_MAC "the bond's MAC"
	for ((i = 1; i <= NDEST; i++)); do
		flow_of s "d$i" rx
		check_eq "$s" "$a" "slave d$i's pings arrive on (rx: $_deltas)"
		m=$(ns_ip "d$i" neigh show $BOND_IP dev eth0)
		check_match "$m" "lladdr $BOND_MAC " "d$i's ARP entry for the bond"
	done
}

# The active slave wears the bond's MAC, the others their own; frames that
# leave on a backup slave carry its own MAC, so the bridge sees the bond's
# MAC only behind the active slave.
own_macs() {
	local a s m perm i ip out p lines l f n=0 nb=0 bad=0 want
	local -A port_mac=()
	pf a "Currently Active Slave"
	for s in "${SLAVES[@]}"; do
		mac m "$s"
		port_mac[sp${s#ts}]=$m
		pf perm "Permanent HW addr" "$s"
		if [[ $s == "$a" ]]; then
			check_eq "$m" $BOND_MAC "MAC of the active slave $s"
		else
			check_eq "$m" "$perm" "MAC of backup slave $s (its permanent MAC)"
		fi
	done
	check_eq "$(printf '%s\n' "${port_mac[@]}" | sort -u | wc -l)" 3 "distinct slave MACs"

	# Capture the bond's echo requests as they enter the bridge, on all
	# ports at once (Linux cooked v2 headers name the port and the source).
	out=$(mktemp)
	defer rm -f "$out" "$out.err"
	nsenter --net="/run/netns/$(ns sw)" timeout 120 tcpdump -l -n -e -i any -Q in \
		"icmp[icmptype] == icmp-echo" >"$out" 2>"$out.err" &
	p=$!
	defer kill "$p"
	listening() { grep -q 'listening on' "$out.err"; }
	check_ok bct_wait_until 30 listening
	for ((i = 1; i <= NDEST; i++)); do
		dest_ip ip "$i"
		bct_ping_all srv 3 -q -i 0.05 -W 2 "$ip"
	done
	captured() { mapfile -t lines <"$out"; ((${#lines[@]} >= 3 * NDEST)); }
	bct_wait_until 10 captured
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	mapfile -t lines <"$out"
	for l in "${lines[@]}"; do
		# shellcheck disable=SC2206
		f=($l)
		# TIME PORT DIRECTION ifindex N SOURCE ethertype ... (-Q in: all inbound)
		[[ ${f[1]} == sp* ]] || continue
		n=$((n + 1))
		want=${port_mac[${f[1]}]}
		[[ ${f[1]} != "sp${a#ts}" ]] && nb=$((nb + 1))
		[[ ${f[5]} == "$want" ]] || { bad=$((bad + 1)); log "source is not ${f[1]}'s slave's MAC $want: $l"; }
	done
	log "captured $n echo requests from the bond, $nb of them from backup slaves"
	((n == 3 * NDEST)) || log "tcpdump: $(tr '\n' ' ' <"$out.err") $(head -n 3 "$out" | tr '\n' '|')"
	check_eq "$n" $((3 * NDEST)) "echo requests captured entering the bridge from the bond"
	check_ok test "$nb" -gt 0
	check_eq "$bad" 0 "frames whose source MAC is not their slave's"
	out=$(bridge -n "$(ns sw)" fdb show br br0 2>/dev/null)
	check_eq "$(grep "^$BOND_MAC dev " <<<"$out" | cut -d' ' -f3 | tr '\n' ' ')" "sp${a#ts} " \
		"bridge ports the bond's MAC is learned on (the active slave's)"
}

# A backup slave fails: the destinations it carried move to the others.
failure_moves() {
	local a v= d s ip moved=
	pf a "Currently Active Slave"
	for ((d = 1; d <= NDEST; d++)); do
		dest_ip ip "$d"
		flow_of s "$ip"
		FLOW[d$d]=$s
		[[ -z $v && -n $s && $s != "$a" ]] && v=$s
	done
	[[ -n $v ]] || { _check_failed "no backup slave carries a destination"; return 1; }
	for d in "${!FLOW[@]}"; do [[ ${FLOW[$d]} == "$v" ]] && moved+="$d "; done
	log "failing $v (peer sp${v#ts}), it carries: $moved"
	check_ok ns_ip sw link set "sp${v#ts}" down
	check_ok bct_wait_until 10 mii_is "$v" down
	for ((d = 1; d <= NDEST; d++)); do
		dest_ip ip "$d"
		flow_of s "$ip"
		check_match "$s" '^ts[0-9]$' "slave frames to d$d leave on after $v failed (tx: $_deltas)"
		check_ne "$s" "$v" "slave of d$d"
	done
	check_ok ns_ip sw link set "sp${v#ts}" up
	check_ok bct_wait_until 10 slaves_up
}

# Two heavy flows and two light ones, the heavy ones starting out on the
# same slave (checked): the next rebalance (every 10 s) puts them on
# different slaves, and they stay apart across the one after.
#
# Making them start together: with nothing measured, a new bucket goes to
# the usable slave with the least load, each assignment adding 1, ties to
# the first slave; so after a fresh open the buckets of d1, d3, d4, d2
# assigned in that order land on ts1, ts2, ts3, ts1. Nothing else may load
# a slave meanwhile: the neighbours are permanent on both sides (no ARP
# through the bond), num_grat_arp is 0 (the announcement of the first
# active slave would load it), and the assignment waits for the rebalance
# that slaves coming up order, which would wipe it: that rebalance runs in
# the same lb tick as learning packets (every lp_interval, 1 s), so once
# every slave has sent one after all were up, it is done. (Checked, and
# tried again from a fresh open if it did not hold.)
REBALANCE_S=10
_lp0=()

lp_sent() {			# every slave sent a frame since _lp0 was taken
	local a i aa
	counters a tx_packets
	read -ra aa <<<"$a"
	for i in "${!SLAVES[@]}"; do
		((aa[i] > _lp0[i])) || return 1
	done
}

static_neigh() {		# permanent neighbours of the bond and of d1..d4
	local i ip m cmds=
	for ((i = 1; i <= NDEST; i++)); do
		dest_ip ip "$i"
		dest_mac m "$i"
		cmds+="neigh replace $ip lladdr $m dev $B nud permanent"$'\n'
	done
	check_ok ns_ip srv -batch - <<<"$cmds"
}

# heavy_together: a fresh open and the assignment above; 0 once pings to
# d1 and d2 both leave on one slave.
heavy_together() {
	local i ip s1 s2 b
	check_ok ns_ip srv link set $B down
	check_ok ns_ip srv link set $B up
	check_ok bct_wait_until 10 slaves_up
	static_neigh
	counters b tx_packets
	read -ra _lp0 <<<"$b"
	check_ok bct_wait_until 5 lp_sent
	for i in 1 3 4 2; do
		dest_ip ip "$i"
		bct_in srv ping -q -c 1 -W 3 "$ip" >/dev/null 2>&1 || _check_failed "no echo from d$i"
	done
	dest_ip ip 1
	flow_of s1 "$ip"
	dest_ip ip 2
	flow_of s2 "$ip"
	log "d1 on ${s1:-?}, d2 on ${s2:-?}"
	[[ -n $s1 && $s1 == "$s2" ]]
}

rebalance_by_load() {
	local i ip k t0 ta _tot=0 heavy=() light=() ok=
	check_ok ns_ip srv link set $B type bond num_grat_arp 0
	for ((i = 1; i <= NDEST; i++)); do
		check_ok ns_ip "d$i" neigh replace $BOND_IP lladdr $BOND_MAC dev eth0 nud permanent
	done
	for k in 1 2 3; do
		heavy_together && { ok=1; break; }
		log "attempt $k: d1 and d2 did not start on one slave; again"
	done
	[[ -n $ok ]] || { _check_failed "could not put d1 and d2 on one slave (a new bucket must go to the least loaded slave)"; return 1; }
	for i in 1 2; do
		dest_ip ip "$i"
		nsenter --net="/run/netns/$(ns srv)" ping -q -i 0.01 -s 1200 -w 90 "$ip" >/dev/null 2>&1 &
		heavy+=($!)
		defer kill "$!"
	done
	bct_ms t0
	for i in 3 4; do
		dest_ip ip "$i"
		nsenter --net="/run/netns/$(ns srv)" ping -q -i 0.5 -s 16 -w 90 "$ip" >/dev/null 2>&1 &
		light+=($!)
		defer kill "$!"
	done
	# apart: over a 2 s window the two busiest slaves each carry at least 30%
	# of the bytes (both heavy flows on one slave leave the second one ~0%).
	apart() {
		local x y i tot=0 m1=0 m2=0 d
		counters x tx_bytes
		bct_sleep 2
		counters y tx_bytes
		read -ra xa <<<"$x"
		read -ra ya <<<"$y"
		_deltas=
		for i in "${!SLAVES[@]}"; do
			d=$((ya[i] - xa[i]))
			_deltas+="${SLAVES[i]}+$d "
			tot=$((tot + d))
			if ((d > m1)); then m2=$m1; m1=$d; elif ((d > m2)); then m2=$d; fi
		done
		_tot=$tot
		((tot >= 20000 && m2 * 10 >= tot * 3))
	}
	# flowing: the heavy flows are on (20 kB in 2 s is far more than the
	# light ones send).
	flowing() { apart; ((_tot >= 20000)); }
	bct_wait_until 30 flowing || _check_failed "the heavy flows did not start (tx bytes: $_deltas)"
	if apart; then
		log "the heavy flows are apart already (a rebalance came first; tx bytes: $_deltas)"
	else
		log "ok: the heavy flows start on one slave (tx bytes: $_deltas)"
	fi
	# Apart within one rebalance period of the start, plus a measuring
	# window and 4 s for a slow guest.
	bct_ms ta
	ta=$(((REBALANCE_S + 2 + 4) * 1000 - (ta - t0)))
	((ta > 0)) || ta=1
	printf -v ta '%d.%03d' $((ta / 1000)) $((ta % 1000))
	if bct_wait_until "$ta" apart; then
		bct_ms ta
		log "ok: heavy flows on different slaves $(((ta - t0) / 1000)) s after they started (tx bytes: $_deltas)"
	else
		bct_ms ta
		_check_failed "heavy flows still share a slave $(((ta - t0) / 1000)) s after they started (rebalance every $REBALANCE_S s; tx bytes: $_deltas)"
	fi
	# ...and stay apart across the next rebalance.
	bct_sleep $REBALANCE_S
	if apart; then
		log "ok: still apart $REBALANCE_S s later (tx bytes: $_deltas)"
	else
		_check_failed "heavy flows share a slave again $REBALANCE_S s later (tx bytes: $_deltas)"
	fi
	kill "${heavy[@]}" "${light[@]}" 2>/dev/null
	wait "${heavy[@]}" "${light[@]}" 2>/dev/null
	for ((i = 1; i <= NDEST; i++)); do
		ns_ip "d$i" neigh del $BOND_IP dev eth0
	done
	check_ok ns_ip srv link set $B type bond num_grat_arp 1
	return 0
}

# tlb_dynamic_lb 0: the xmit_hash_policy picks the slave: with layer2 it is
# usable_slaves[(dst MAC[5] ^ src MAC[5] ^ ethertype) % 3], in enslave order.
hash_policy() {
	local i ip m s want d5
	check_ok ns_ip srv link set $B down
	check_ok ns_ip srv link set $B type bond xmit_hash_policy layer2 tlb_dynamic_lb 0
	check_eq "$(ns_exec srv cat /sys/class/net/$B/bonding/tlb_dynamic_lb)" 0 "tlb_dynamic_lb"
	check_ok ns_ip srv link set $B up
	check_ok bct_wait_until 10 slaves_up
	for ((i = 1; i <= NDEST; i++)); do
		dest_ip ip "$i"
		dest_mac m "$i"
		d5=$((16#${m##*:}))
		want=${SLAVES[((d5 ^ 0x00 ^ 0x0800) % 3)]}
		flow_of s "$ip"
		check_eq "$s" "$want" "slave frames to d$i leave on (tx: $_deltas)"
	done
	check_ok ns_ip srv link set $B down
	check_ok ns_ip srv link set $B type bond tlb_dynamic_lb 1
	check_ok ns_ip srv link set $B up
}

ktap_plan 8
dmesg_mark
run_setup setup setup
run_test tx_spread_over_slaves after_setup tx_spread
run_test rx_on_active_slave_only after_setup rx_active_only
run_test backups_keep_and_send_own_mac after_setup own_macs
run_test backup_failure_moves_destinations after_setup failure_moves
run_test rebalance_separates_heavy_flows after_setup rebalance_by_load
run_test no_dynamic_lb_uses_hash_policy after_setup hash_policy
run_test no_kernel_splat dmesg_check_clean "balance-tlb"
ktap_finish
