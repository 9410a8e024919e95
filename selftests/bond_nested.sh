#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=150
#
# A bond enslaved to another bond. The outer bond bo (active-backup) has the
# inner bond bi (balance-rr, two veths) as its primary and a veth as its
# backup. The MAC of bo goes down both levels; bo's traffic leaves through
# bi's slaves, spread by bi; one inner slave failing changes nothing above,
# both failing take bi's carrier and bo fails over to its veth, losing only
# the echoes of the failover, and returns to bi when it is back; released,
# bi gets its own MAC back (its slaves follow) and works on its own; an inner
# bond deleted while enslaved leaves the outer one with its other slave.
#
#   namespace n    bo (02:08:00:00:00:01, miimon 100, primary bi, 10.0.8.1/24):
#                  slaves bi (miimon 100; slaves bis1-2) and bov; bi later
#                  also 10.0.9.1/24 on its own
#   namespace sw   bridge br0: ports bisp1-2 and bovp (peers of bis1-2, bov)
#   namespace cl   client 10.0.8.2/24, 10.0.9.2/24 on sw
#
# Interface prefix: bi/bo. State is read with builtins (bond_lib.sh).

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd ping nsenter

BOMAC=02:08:00:00:00:01
SYS=
INNER=(bis1 bis2 bov)
BIS1MAC=

rd() { bct_get "$1" "$SYS/$2"; }
is() { local v; rd v "$1" && [[ $v == "$2" ]]; }

all_up() {
	is bo/carrier 1 && is bi/carrier 1 && is bi/bonding_slave/mii_status up &&
		is bov/bonding_slave/mii_status up && is bis1/bonding_slave/mii_status up &&
		is bis2/bonding_slave/mii_status up
}

# sent ARRAY: tx_packets growth of bis1, bis2, bov since bct_snap n ARRAY.
sent() {
	local i v line=
	local -n _s=$1
	for i in "${INNER[@]}"; do
		bct_stat v n "$i" tx_packets
		_s[$i]=$((v - _s[$i]))
		line+=" $i:+${_s[$i]}"
	done
	log "tx frames:$line"
}

flood() {			# COUNT
	local res
	bct_ping res n -q -f -c "$1" -W 2 10.0.8.2
	check_eq "$res" "$1 $1 0" "sent/received/duplicates of a flood of $1 from bo"
}

setup() {
	ns_create n || return 1
	switch_create sw || return 1
	bct_client sw cl 10.0.8.2/24 || return 1
	bct_ok bct_ip cl addr add 10.0.9.2/24 dev eth0
	bct_ip n -batch - <<-EOF || { _check_failed "bonds in n"; return 1; }
		link add bi type bond mode balance-rr miimon 100
		link add bis1 type veth peer name bisp1 netns ${NS_PREFIX}sw
		link add bis2 type veth peer name bisp2 netns ${NS_PREFIX}sw
		link add bov type veth peer name bovp netns ${NS_PREFIX}sw
		link set bis1 master bi
		link set bis2 master bi
		link add bo address $BOMAC type bond mode active-backup miimon 100
		link set bi master bo
		link set bov master bo
		link set bo type bond primary bi
		addr add 10.0.8.1/24 dev bo
		link set bo up
	EOF
	bct_ip sw -batch - <<-EOF || { _check_failed "switch ports"; return 1; }
		link set bisp1 master br0
		link set bisp2 master br0
		link set bovp master br0
		link set bisp1 up
		link set bisp2 up
		link set bovp up
	EOF
	bct_sysfs_mount n || return 1
	SYS=${BCT_SYS[n]}/class/net
	bct_ok bct_wait_until 10 all_up
	rd BIS1MAC bis1/bonding_slave/perm_hwaddr
	bond_check_file "$SYS/bo/bonding/slaves" "bi bov" "slaves of bo"
	bond_check_file "$SYS/bi/bonding/slaves" "bis1 bis2" "slaves of bi"
	check_true "bi's master is bo" bond_master_is "$SYS" bi bo
	check_true "bis1's master is bi" bond_master_is "$SYS" bis1 bi
	bond_check_file "$SYS/bo/bonding/active_slave" bi "active slave of bo (its primary)"
	bond_check_file "$SYS/bi/bonding_slave/perm_hwaddr" "$BIS1MAC" \
		"bi's perm_hwaddr in bo (its MAC when enslaved: its first slave's)"
}

# bo's MAC on every device below it, through bi.
macs_down() {
	local i
	for i in bo bi bis1 bis2 bov; do
		bond_check_file "$SYS/$i/address" $BOMAC "MAC of $i"
	done
}

# bo's frames leave through bi, which spreads them over bis1 and bis2.
through_inner() {
	local -A d=()
	bct_snap n d "${INNER[@]}"
	flood 200
	sent d
	((d[bis1] + d[bis2] >= 200)) || _check_failed "bi's slaves sent $((d[bis1] + d[bis2])) frames of 200"
	((d[bis1] >= 80 && d[bis2] >= 80)) || _check_failed "bi did not spread the flood over its slaves"
	check_eq "${d[bov]}" 0 "frames sent by bo's backup bov"
}

# One inner slave fails: bi keeps its carrier, bo keeps bi; bis2 carries all.
inner_slave_fails() {
	local -A d=()
	bct_ok bct_ip sw link set bisp1 down
	bct_ok bct_wait_until 3 is bis1/bonding_slave/mii_status down
	bct_ok is bi/carrier 1
	bct_ok is bo/bonding/active_slave bi
	bct_snap n d "${INNER[@]}"
	flood 100
	sent d
	check_eq "${d[bis1]}" 0 "frames sent by the failed bis1"
	((d[bis2] >= 100)) || _check_failed "bis2 sent ${d[bis2]} frames, want >= 100"
	check_eq "${d[bov]}" 0 "frames sent by bov"
}

# Both fail: bi loses carrier, bo fails over to bov, the echo stream loses
# only the failover's echoes; both back: bo returns to bi (primary).
inner_bond_fails() {
	local -A d=()
	local t0 t1 det
	bct_stream n 10.0.8.2 100 bo 20
	bct_ms t0
	bct_ok bct_ip sw link set bisp2 down
	bct_ok bct_wait_until 3 is bi/carrier 0
	if bct_wait_until 3 is bo/bonding/active_slave bov; then
		bct_ms t1
		det=$((t1 - t0))
		log "bo failed over to bov $det ms after bi's last slave lost its link"
	else
		_check_failed "bo did not fail over to bov"
		det=3000
	fi
	bond_check_file "$SYS/bi/bonding_slave/mii_status" down "bi's MII status in bo"
	# two monitors in a row (bi's, then bo's), +3 for ticks in progress
	bct_stream_check $((det / 50 + 3))
	bct_snap n d "${INNER[@]}"
	flood 100
	sent d
	((d[bov] >= 100)) || _check_failed "bov sent ${d[bov]} frames, want >= 100"
	bct_ok bct_ip sw -batch - <<-EOF
		link set bisp1 up
		link set bisp2 up
	EOF
	bct_ok bct_wait_until 5 all_up
	bct_ok bct_wait_until 3 is bo/bonding/active_slave bi
	macs_down
	through_inner
}

# Released, bi is closed and wears its own MAC (its first slave's) again,
# and so do its slaves; up with an address of its own it works alone, and
# bo goes on through bov.
release_inner() {
	local v
	bct_ok bct_ip n link set bi nomaster
	bond_check_file "$SYS/bo/bonding/slaves" bov "slaves of bo after releasing bi"
	check_true "bi has no master" bond_no_master "$SYS" bi
	check_false "bi has no bonding_slave/" test -e "$SYS/bi/bonding_slave"
	check_false "bi is closed" bond_admin_up "$SYS" bi
	for v in bi bis1 bis2; do
		bond_check_file "$SYS/$v/address" "$BIS1MAC" "MAC of $v after the release"
	done
	bct_ok bct_wait_until 3 is bo/bonding/active_slave bov
	flood 50
	bct_ip n -batch - <<-EOF || _check_failed "bi on its own"
		addr add 10.0.9.1/24 dev bi
		link set bi up
	EOF
	bct_ok bct_wait_until 5 is bi/carrier 1
	bct_ip cl neigh flush dev eth0
	bct_ping_all n 3 -i 0.2 -W 2 -I bi 10.0.9.2
}

# Enslaved again, then deleted while enslaved: bo releases it and goes on
# with bov; then bo itself goes.
delete_inner() {
	bct_ip n -batch - <<-EOF || _check_failed "bi into bo again"
		addr flush dev bi
		link set bi down
		link set bi master bo
	EOF
	bct_ok bct_wait_until 5 all_up
	bct_ok bct_wait_until 3 is bo/bonding/active_slave bi
	flood 50
	bct_ok bct_ip n link del bi
	bond_check_file "$SYS/bo/bonding/slaves" bov "slaves of bo after bi was deleted"
	bct_ok bct_wait_until 3 is bo/bonding/active_slave bov
	flood 50
	check_true "bis1 is free" bond_no_master "$SYS" bis1
	bct_ok bct_ip n link del bo
}

ktap_plan 8
dmesg_mark
run_setup setup setup
run_test outer_mac_down_both_levels after_setup macs_down
run_test traffic_through_inner_bond after_setup through_inner
run_test inner_slave_fails after_setup inner_slave_fails
run_test inner_bond_fails_outer_fails_over after_setup inner_bond_fails
run_test release_inner_bond after_setup release_inner
run_test delete_enslaved_inner_bond after_setup delete_inner
run_test no_kernel_splat dmesg_check_clean "bond over bond"
ktap_finish
