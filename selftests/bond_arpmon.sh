#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=240
#
# ARP link monitoring: slaves are judged by ARP traffic with the targets,
# not by carrier. active-backup fails over when the target stops answering
# through the active slave; the load-balancing modes (balance-rr,
# balance-xor, broadcast) take a slave down when it neither sends nor hears,
# stop sending on it (every echo is still answered, through the other) and
# take it back when it hears again; arp_validate decides which frames count;
# miimon and arp_interval exclude each other. Neither a bond brought up long
# after its slaves joined nor a monitor whose rounds run late takes a
# working link down.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

TARGET=10.20.0.1
delay_ko=${BOND_TEST_MODULES:-}/bond_delay.ko
DP=/sys/module/bond_delay/parameters

proc_field() {			# NS BOND FIELD: value in the bond block
	ns_exec "$1" awk -v f="$3" -F': ' '/^Slave Interface:/ { exit } $1 == f { print $2; exit }' \
		"/proc/net/bonding/$2"
}
slave_field() {			# NS BOND SLAVE FIELD
	ns_exec "$1" awk -v s="$3" -v f="$4" -F': ' '
		/^Slave Interface:/ { cur = $2; next }
		cur == s && $1 == f { print $2; exit }' "/proc/net/bonding/$2"
}
active_is() { [[ $(proc_field h "$1" "Currently Active Slave") == "$2" ]]; }
slave_is() { [[ $(slave_field h "$1" "$2" "MII Status") == "$3" ]]; }
carrier_is() { [[ $(ns_exec h cat "/sys/class/net/$1/carrier" 2>/dev/null) == "$2" ]]; }

# A switch whose bridge answers ARP for TARGET, and a host namespace. The
# switch answers only on br0 (arp_ignore=1): a port taken out of the bridge
# must really cut its slave off from the target.
setup() {
	switch_create sw
	check_ok ns_exec sw sysctl -qw net.ipv4.conf.all.arp_ignore=1
	check_ok ns_ip sw addr add "$TARGET/24" dev br0
	ns_create h
	bct_sysfs_mount h
}

# add_bond BOND MODE NSLAVES ADDR [extra ip-link options]: with OPEN_LATE=S,
# the bond is brought up S seconds after its last slave joined (the time
# elapsing is what is tested, not a wait for something).
add_bond() {
	local bond=$1 mode=$2 n=$3 addr=$4 i
	shift 4
	check_ok ns_ip h link add "$bond" type bond mode "$mode" arp_interval 100 \
		arp_ip_target "$TARGET" "$@"
	for ((i = 1; i <= n; i++)); do
		check_ok ns_ip h link add "${bond}s$i" type veth peer name "${bond}p$i" netns "$(ns sw)"
		check_ok ns_ip sw link set "${bond}p$i" master br0
		check_ok ns_ip sw link set "${bond}p$i" up
		check_ok ns_ip h link set "${bond}s$i" master "$bond"
	done
	check_ok ns_ip h addr add "$addr/24" dev "$bond"
	[[ -n ${OPEN_LATE:-} ]] && sleep "$OPEN_LATE"
	check_ok ns_ip h link set "$bond" up
}

fails_of() { bct_get "$1" "${BCT_SYS[h]}/class/net/$2/bonding_slave/link_failure_count"; }

# rounds_seen BOND N [K...]: the switch ports of slaves K (default 1 2)
# received N more frames each (the monitor's probes, one per round and
# target) since ports_mark BOND [K...].
declare -A port_mark=()
ports_mark() {
	local b=$1 k
	shift
	(($#)) || set -- 1 2
	for k; do port_mark[${b}p$k]=$(port_rx "${b}p$k"); done
}
rounds_seen() {
	local b=$1 n=$2 k
	shift 2
	(($#)) || set -- 1 2
	for k; do port_rx_ge "${b}p$k" $((port_mark[${b}p$k] + n)) || return 1; done
}

ab_failover() {
	add_bond aab active-backup 2 10.20.0.10 arp_validate all
	check_ok wait_until 10 slave_is aab aabs1 up
	check_ok wait_until 10 slave_is aab aabs2 up
	check_ok wait_until 5 active_is aab aabs1
	check_eq "$(proc_field h aab 'ARP Polling Interval (ms)')" 100 "/proc ARP Polling Interval"
	check_eq "$(proc_field h aab 'ARP Missed Max')" 2 "/proc ARP Missed Max"
	check_eq "$(proc_field h aab 'ARP IP target/s (n.n.n.n form)')" "$TARGET" "/proc ARP targets"
	check_eq "$(ns_exec h cat /sys/class/net/aab/bonding/arp_validate)" "all 3" "arp_validate"
	bct_ping_all h 2 -W 2 "$TARGET"

	log "the active slave's switch port stops forwarding: carrier stays, ARP stops"
	check_ok ns_ip sw link set aabp1 nomaster
	check_ok wait_until 10 active_is aab aabs2
	check_ok wait_until 10 slave_is aab aabs1 down
	check_eq "$(slave_field h aab aabs1 'Link Failure Count')" 1 "aabs1 link failure count"
	check_eq "$(ns_exec h cat /sys/class/net/aabs1/carrier)" 1 "aabs1 still has carrier"
	bct_ping_all h 2 -W 2 "$TARGET"

	log "the port forwards again: aabs1 comes back as a backup"
	check_ok ns_ip sw link set aabp1 master br0
	check_ok wait_until 10 slave_is aab aabs1 up
	check_ok active_is aab aabs2

	log "the target disappears: every slave goes down, the bond loses carrier"
	check_ok ns_ip sw addr del "$TARGET/24" dev br0
	check_ok wait_until 10 carrier_is aab 0
	check_fail slave_is aab aabs1 up
	check_fail slave_is aab aabs2 up
	log "it answers again: the bond recovers"
	check_ok ns_ip sw addr add "$TARGET/24" dev br0
	check_ok wait_until 10 carrier_is aab 1
	bct_ping_all h 2 -W 2 "$TARGET"
	check_ok ns_ip h link del aab
}

# With arp_validate all, only ARP exchanged with a real target counts:
# a target nobody answers for keeps the slaves down although traffic flows.
validate_bogus_target() {
	add_bond avb active-backup 2 10.20.0.11 arp_validate all
	check_ok wait_until 10 carrier_is avb 1
	check_ok ns_ip h link set avb type bond arp_ip_target 10.20.0.99
	check_eq "$(ns_exec h cat /sys/class/net/avb/bonding/arp_ip_target)" 10.20.0.99 "targets replaced"
	check_ok wait_until 10 carrier_is avb 0
	check_ok ns_ip h link set avb type bond arp_ip_target "$TARGET"
	check_ok wait_until 10 carrier_is avb 1
	check_ok ns_ip h link del avb
}

# lb_arpmon MODE BOND ADDR: a load-balancing bond with ARP monitoring,
# brought up half a second (5 intervals) after its slaves joined: its
# slaves stay up, no link failure counted. The slave that carried the most
# of 6 echoes to the target is cut off (its switch port leaves the bridge;
# its carrier stays): it goes down, the bond keeps carrier and answers
# every echo through the other slave; back in the bridge it comes up again.
lb_arpmon() {
	local mode=$1 b=$2 k v lf cut= max=-1
	local -A t0=() t1=()
	OPEN_LATE=0.5 add_bond "$b" "$mode" 2 "$3"
	ports_mark "$b"
	check_ok bct_wait_until 10 bct_mii_is h "${b}s1" up
	check_ok bct_wait_until 10 bct_mii_is h "${b}s2" up
	check_ok wait_until 10 rounds_seen "$b" 5
	for k in 1 2; do
		fails_of v "${b}s$k"
		check_eq "$v" 0 "link failures of ${b}s$k, up since the bond was"
	done
	bct_get v "${BCT_SYS[h]}/class/net/$b/bonding/mode"
	check_match "$v" "^$mode " "mode of $b"
	bct_snap h t0 "${b}s1" "${b}s2"
	bct_ping_all h 6 -i 0.1 -W 2 "$TARGET"
	bct_snap h t1 "${b}s1" "${b}s2"
	for k in 1 2; do
		v=$((t1[${b}s$k] - t0[${b}s$k]))
		log "${b}s$k sent $v frames during 6 echoes (ARP probes included)"
		((v > max)) && { max=$v; cut=$k; }
	done
	# (broadcast: both slaves send every frame from one MAC, so the bridge
	# may have flapped the bond's MAC between their ports and a slave have
	# gone down and up already; count the failures from here.)
	bct_get lf "${BCT_SYS[h]}/class/net/${b}s$cut/bonding_slave/link_failure_count"
	log "${b}s$cut loses the target: its port leaves the bridge (link failures so far: $lf)"
	check_ok ns_ip sw link set "${b}p$cut" nomaster
	check_ok bct_wait_until 10 bct_mii_is h "${b}s$cut" down
	check_ok bct_mii_is h "${b}s$((3 - cut))" up
	check_ok bct_carrier_is h "${b}s$cut" 1
	check_ok bct_carrier_is h "$b" 1
	bct_get v "${BCT_SYS[h]}/class/net/${b}s$cut/bonding_slave/link_failure_count"
	check_eq "$((v - lf))" 1 "link failures of ${b}s$cut since its port left the bridge"
	# Once one echo is answered after the change (6.1 under TCG loses one
	# at the transition), every echo must be.
	check_ok bct_wait_until 5 echo_answered
	bct_ping_all h 6 -i 0.1 -W 2 "$TARGET"
	check_ok ns_ip sw link set "${b}p$cut" master br0
	check_ok bct_wait_until 10 bct_mii_is h "${b}s$cut" up
	check_ok bct_wait_until 5 echo_answered
	bct_ping_all h 4 -i 0.1 -W 2 "$TARGET"
	check_ok ns_ip h link del "$b"
}

port_rx() { ns_exec sw cat "/sys/class/net/$1/statistics/rx_packets"; }
port_rx_ge() { (($(port_rx "$1") >= $2)); }

# settled BOND ACTIVE BACKUP PORT NTARGETS FAILS_A FAILS_B WHAT: after a target
# list change, the active slave's port receives the probes of at least
# arp_missed_max + 3 more rounds (one frame per target each); meanwhile the
# active slave stayed, no link failure was counted, no link went down.
settled() {
	local bond=$1 act=$2 bak=$3 port=$4 n=$5 fa=$6 fb=$7 what=$8 want
	want=$(($(port_rx "$port") + 5 * n))
	check_ok wait_until 10 port_rx_ge "$port" "$want"
	check_ok active_is "$bond" "$act"
	check_eq "$(slave_field h "$bond" "$act" 'Link Failure Count')" "$fa" "$what: $act link failures"
	check_eq "$(slave_field h "$bond" "$bak" 'Link Failure Count')" "$fb" "$what: $bak link failures"
	check_eq "$(bond_klog_since | grep -c "$bond: .*link down")" 0 "$what: links gone down"
}

# arp_all_targets all judges a slave by its stalest target. Adding,
# removing or replacing targets must carry each target's last-heard stamp
# along with it (a new one starts fresh): judging a target by a stamp that
# belonged to another slot took the active slave down.
all_targets_edit() {
	local fa fb
	check_ok ns_ip sw addr add 10.20.0.2/24 dev br0
	check_ok ns_ip sw addr add 10.20.0.3/24 dev br0
	add_bond aat active-backup 2 10.20.0.13 arp_validate all arp_all_targets all
	check_ok wait_until 10 slave_is aat aats1 up
	check_ok wait_until 10 slave_is aat aats2 up
	check_ok wait_until 5 active_is aat aats1
	fa=$(slave_field h aat aats1 'Link Failure Count')
	fb=$(slave_field h aat aats2 'Link Failure Count')
	bond_klog_mark

	log "sysfs: add a second target"
	check_ok ns_exec h sh -c 'echo +10.20.0.2 > /sys/class/net/aat/bonding/arp_ip_target'
	settled aat aats1 aats2 aatp1 2 "$fa" "$fb" "after +10.20.0.2"
	log "sysfs: remove the first one (the second moves to its slot)"
	check_ok ns_exec h sh -c 'echo -$0 > /sys/class/net/aat/bonding/arp_ip_target' "$TARGET"
	check_eq "$(ns_exec h cat /sys/class/net/aat/bonding/arp_ip_target)" 10.20.0.2 "targets"
	settled aat aats1 aats2 aatp1 1 "$fa" "$fb" "after -$TARGET"
	log "netlink: replace the list, a new target first"
	check_ok ns_ip h link set aat type bond arp_ip_target 10.20.0.3,10.20.0.2,"$TARGET"
	check_eq "$(ns_exec h cat /sys/class/net/aat/bonding/arp_ip_target)" \
		"10.20.0.3 10.20.0.2 $TARGET" "targets"
	settled aat aats1 aats2 aatp1 3 "$fa" "$fb" "after the netlink replace"
	log "a target that stops answering still takes the slaves down"
	check_ok ns_ip sw addr del 10.20.0.3/24 dev br0
	check_ok wait_until 10 carrier_is aat 0
	check_ok ns_ip h link del aat
	check_ok ns_ip sw addr del 10.20.0.2/24 dev br0
}
echo_answered() { bct_in h ping -q -c 1 -W 1 "$TARGET" >/dev/null 2>&1; }

# late_rounds: every probe is held 300 ms in arp_xmit() (bond_delay.ko),
# after the monitor stamped it as sent, so its rounds run 700 ms apart, not
# 100: a round that runs late sent none of the probes it misses, and no
# working slave goes down for it. A slave cut off from the target still
# goes down meanwhile.
late_rounds() {
	local b=alt k v h0
	local -A f0=()
	[[ -f $delay_ko ]] || { _check_failed "no bond_delay.ko (BOND_TEST_MODULES=${BOND_TEST_MODULES:-})"; return 1; }
	add_bond "$b" balance-xor 2 10.20.0.15
	check_ok bct_wait_until 10 bct_mii_is h "${b}s1" up
	check_ok bct_wait_until 10 bct_mii_is h "${b}s2" up
	ports_mark "$b"
	check_ok wait_until 10 rounds_seen "$b" 3
	for k in 1 2; do fails_of "f0[$k]" "${b}s$k"; done
	check_ok insmod "$delay_ko" func=arp_xmit delay_ms=300 max_hits=60 || return 1
	defer rmmod bond_delay
	check_ok wait_until 30 delays_begun 12
	for k in 1 2; do
		fails_of v "${b}s$k"
		check_eq "$((v - f0[$k]))" 0 "link failures of ${b}s$k over 6 late rounds"
		check_ok bct_mii_is h "${b}s$k" up
	done
	check_ok bct_carrier_is h "$b" 1
	bct_get h0 "$DP/hits"
	check_ok ns_ip sw link set "${b}p1" nomaster
	check_ok bct_wait_until 20 bct_mii_is h "${b}s1" down
	check_ok bct_mii_is h "${b}s2" up
	# (rounds were still late: more probes were held since the cut)
	check_ok delays_begun $((h0 + 2))
	echo 0 >"$DP/armed"
	check_ok wait_until 10 delays_done
	check_ok rmmod bond_delay
	check_ok ns_ip sw link set "${b}p1" master br0
	check_ok bct_wait_until 10 bct_mii_is h "${b}s1" up
	check_ok ns_ip h link del "$b"
}
delays_begun() { local v; bct_get v "$DP/hits" && ((v >= $1)); }
delays_done() { local v; bct_get v "$DP/busy" && ((v == 0)); }

# no_carrier MODE BOND ADDR: a slave enslaved without carrier (its peer is
# down) is never raised, though a round within half an interval of enslave
# time finds its enslave-time stamps fresh: enslaved 6 times, 3 rounds
# each, it stays down and counts no link failure.
no_carrier() {
	local mode=$1 b=$2 i v
	add_bond "$b" "$mode" 1 "$3"
	check_ok bct_wait_until 10 bct_mii_is h "${b}s1" up
	check_ok ns_ip h link add "${b}s9" type veth peer name "${b}p9" netns "$(ns sw)"
	check_ok ns_ip sw link set "${b}p9" master br0
	for ((i = 1; i <= 6; i++)); do
		check_ok ns_ip h link set "${b}s9" master "$b"
		ports_mark "$b" 1
		check_ok wait_until 10 rounds_seen "$b" 3 1
		check_ok bct_mii_is h "${b}s9" down
		fails_of v "${b}s9"
		check_eq "$v" 0 "link failures of ${b}s9 (no carrier), enslaved $i times"
		check_ok ns_ip h link set "${b}s9" nomaster
	done
	check_ok ns_ip h link del "${b}s9"
	check_ok ns_ip h link del "$b"
}
ab_no_carrier() { no_carrier active-backup anc 10.20.0.16; }
xor_no_carrier() { no_carrier balance-xor xnc 10.20.0.17; }

rr_arpmon() { lb_arpmon balance-rr arr 10.20.0.12; }
xor_arpmon() { lb_arpmon balance-xor axr 10.20.0.13; }
bcast_arpmon() { lb_arpmon broadcast abc 10.20.0.14; }

exclusive_monitors() {
	check_ok ns_ip h link add aex type bond mode active-backup arp_interval 200 arp_ip_target "$TARGET"
	check_eq "$(ns_exec h cat /sys/class/net/aex/bonding/miimon)" 0 "miimon with arp_interval"
	check_ok ns_exec h sh -c 'echo 100 > /sys/class/net/aex/bonding/miimon'
	check_eq "$(ns_exec h cat /sys/class/net/aex/bonding/arp_interval)" 0 "arp_interval after miimon"
	check_eq "$(proc_field h aex 'ARP Polling Interval (ms)')" "" "no ARP lines in /proc without arp_interval"
	check_ok ns_exec h sh -c 'echo 300 > /sys/class/net/aex/bonding/arp_interval'
	check_eq "$(ns_exec h cat /sys/class/net/aex/bonding/miimon)" 0 "miimon after arp_interval"
	check_fail ns_ip h link set aex type bond miimon 100 arp_interval 100
	check_eq "$(ns_exec h cat /sys/class/net/aex/bonding/arp_interval)" 300 "arp_interval unchanged by a refused request"
	check_fail ns_ip h link add aex2 type bond mode balance-alb arp_interval 100
	check_fail ns_exec h test -e /sys/class/net/aex2
	check_ok ns_ip h link del aex
}

ktap_plan 11
setup
dmesg_mark
run_test active_backup_failover ab_failover
run_test arp_validate_bogus_target validate_bogus_target
run_test balance_rr_arp_monitor rr_arpmon
run_test all_targets_stamps_follow_edits all_targets_edit
run_test balance_xor_arp_monitor xor_arpmon
run_test broadcast_arp_monitor bcast_arpmon
run_test late_rounds_fail_no_link late_rounds
run_test active_backup_no_carrier_no_link ab_no_carrier
run_test balance_xor_no_carrier_no_link xor_no_carrier
run_test miimon_and_arp_interval_exclusive exclusive_monitors
run_test no_kernel_splat dmesg_check_clean "ARP monitor"
ktap_finish
