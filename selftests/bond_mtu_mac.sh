#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=120
#
# MTU and MAC changes of a bond with slaves. The slaves follow the bond's
# new MTU (jumbo frames then pass) and its new MAC (the peer reaches it
# there); a slave's MTU cannot be changed directly (EBUSY and one log line
# naming bond and slave; the same MTU is accepted); when one slave
# refuses the bond's new MTU or MAC the change fails with that slave's
# errno, the slaves changed before it are changed back, and bond and
# slaves read exactly as before.
#
#   namespace m   bond mm0 (balance-rr, miimon 100, 10.0.7.1/24), slaves
#                 mms1-2 (veths; peers mmp1-2 are ports of p's br0), later
#                 mmv: a macvlan on the veth mml (peer mmlp, a port of br0): it refuses
#                 an MTU above mml's and the MAC of mml
#   namespace p   bridge br0 (10.0.7.2/24)
#
# Interface prefix: mm. State is read with builtins (bond_lib.sh).

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd ping nsenter
require_module macvlan

SYS=
PROC=
NEWMAC=02:07:00:00:00:aa

rd() { bct_get "$1" "$SYS/$2"; }
is() { local v; rd v "$1" && [[ $v == "$2" ]]; }

ready() {
	is mm0/carrier 1 && is mms1/bonding_slave/mii_status up &&
		is mms2/bonding_slave/mii_status up
}

setup() {
	ns_create m p || return 1
	bct_ip p -batch - <<-EOF || { _check_failed "bridge in p"; return 1; }
		link add br0 type bridge stp_state 0 forward_delay 0
		addr add 10.0.7.2/24 dev br0
		link set br0 up
	EOF
	bct_ip m -batch - <<-EOF || { _check_failed "bond mm0"; return 1; }
		link add mm0 type bond mode balance-rr miimon 100
		link add mms1 type veth peer name mmp1 netns ${NS_PREFIX}p
		link add mms2 type veth peer name mmp2 netns ${NS_PREFIX}p
		link add mml type veth peer name mmlp netns ${NS_PREFIX}p
		link set mms1 master mm0
		link set mms2 master mm0
		addr add 10.0.7.1/24 dev mm0
		link set mm0 up
		link set mml up
	EOF
	bct_ip p -batch - <<-EOF || { _check_failed "ports in p"; return 1; }
		link set mmp1 master br0
		link set mmp2 master br0
		link set mmp1 up
		link set mmp2 up
		link set mmlp master br0
		link set mmlp up
	EOF
	bct_sysfs_mount m || return 1
	SYS=${BCT_SYS[m]}/class/net
	bond_ns_pin m || return 1
	PROC=${BOND_PROCNET[m]}
	bct_ok bct_wait_until 10 ready
	bct_ping_all m 2 -i 0.2 -W 2 10.0.7.2
}

check_mtu() {			# WANT WHAT SLAVES: the bond's and its slaves' MTU
	local i
	for i in mm0 $3; do
		bond_check_file "$SYS/$i/mtu" "$1" "$2: MTU of $i"
	done
}

# The bond's MTU goes to 9000: both slaves follow, and 8000-byte echoes
# that may not be fragmented pass both ways; back to 1500, they follow again.
mtu_follows() {
	bct_ip p -batch - <<-EOF || { _check_failed "MTU 9000 in p"; return 1; }
		link set mmp1 mtu 9000
		link set mmp2 mtu 9000
		link set br0 mtu 9000
	EOF
	bct_ok bct_ip m link set mm0 mtu 9000
	check_mtu 9000 "after ip link set mm0 mtu 9000" "mms1 mms2"
	bct_ping_all m 4 -M do -s 8000 -i 0.2 -W 2 10.0.7.2
	bct_ok bct_ip m link set mm0 mtu 1500
	check_mtu 1500 "after ip link set mm0 mtu 1500" "mms1 mms2"
	bct_ping_all m 2 -i 0.2 -W 2 10.0.7.2
}

# A slave's MTU is the bond's: a direct change is refused with EBUSY (ip
# and sysfs alike) and one log line, the MTU stays; asking for the MTU it
# already has is fine. (No extack: the kernel gives NETDEV_PRECHANGEMTU
# notifiers none.)
slave_mtu_busy() {
	local r klog
	bond_klog_mark
	bct_fail bct_ip m link set mms1 mtu 1400
	check_has "$(<"$_bct_tmp/out")" "Device or resource busy" "ip's error for mms1 mtu 1400"
	bond_put r "$SYS/mms2/mtu" 1400
	check_eq "$r" EBUSY "writing 1400 to mms2/mtu"
	check_mtu 1500 "after the refused changes" "mms1 mms2"
	bct_ok bct_ip m link set mms1 mtu 1500
	klog=$(bond_klog_since)
	check_match "$klog" "mm0: \(slave mms1\): MTU change refused: slaves follow the bond's MTU 1500" \
		"kernel log for mms1 mtu 1400"
	check_match "$klog" "mm0: \(slave mms2\): MTU change refused: slaves follow the bond's MTU 1500" \
		"kernel log for mms2 mtu 1400"
	check_eq "$(grep -c "MTU change refused" <<<"$klog")" 2 "kernel log lines for the refused changes"
}

# The bond's MAC changes: both slaves wear the new one, and the peer (its
# entry for the bond flushed) reaches the bond there.
mac_follows() {
	local v
	bct_ok bct_ip m link set mm0 address $NEWMAC
	for v in mm0 mms1 mms2; do
		bond_check_file "$SYS/$v/address" $NEWMAC "MAC of $v after the bond's changed"
	done
	bct_ok bct_ip p neigh flush dev br0
	bct_ping_all p 3 -i 0.2 -W 2 10.0.7.1
}

# mmv (a macvlan on mml) joins as the last slave. It refuses an MTU above
# mml's (1500) and mml's own MAC: the bond's change fails with its errno,
# mms1 and mms2, changed before it, are changed back, and everything reads
# as before; one log line names the slave.
add_macvlan() {
	bct_ok bct_ip m link add link mml name mmv type macvlan mode bridge
	bct_ok bct_ip m link set mmv master mm0
	bct_ok bct_wait_until 5 is mmv/bonding_slave/mii_status up
	bond_check_file "$SYS/mmv/address" $NEWMAC "MAC of mmv (the bond's)"
	bond_check_file "$SYS/mm0/bonding/slaves" "mms1 mms2 mmv" "slaves"
}

slave_refuses_mtu() {
	local before after klog
	bond_snapshot before mm0 "$SYS" "$PROC"
	bond_klog_mark
	bct_fail bct_ip m link set mm0 mtu 9000
	check_has "$(<"$_bct_tmp/out")" "Invalid argument" "ip's error for mm0 mtu 9000"
	bond_snapshot after mm0 "$SYS" "$PROC"
	check_same_state "$before" "$after" "mm0 and its slaves after the refused MTU"
	check_mtu 1500 "after the refused MTU" "mms1 mms2 mmv"
	klog=$(bond_klog_since)
	check_match "$klog" "mm0: \(slave mmv\): refused MTU 9000" "kernel log for the refused MTU"
	bct_ping_all m 2 -i 0.2 -W 2 10.0.7.2
}

slave_refuses_mac() {
	local before after klog lmac
	rd lmac mml/address
	bond_snapshot before mm0 "$SYS" "$PROC"
	bond_klog_mark
	bct_fail bct_ip m link set mm0 address "$lmac"
	check_has "$(<"$_bct_tmp/out")" "Address already in use" "ip's error for mm0 address $lmac"
	bond_snapshot after mm0 "$SYS" "$PROC"
	check_same_state "$before" "$after" "mm0 and its slaves after the refused MAC"
	bond_check_file "$SYS/mms1/address" $NEWMAC "MAC of mms1 (changed back)"
	klog=$(bond_klog_since)
	check_match "$klog" "mm0: \(slave mmv\): refused MAC" "kernel log for the refused MAC"
	bct_ping_all m 2 -i 0.2 -W 2 10.0.7.2
	bct_ok bct_ip m link del mm0
}

ktap_plan 8
dmesg_mark
run_setup setup setup
run_test mtu_change_slaves_follow after_setup mtu_follows
run_test slave_mtu_change_refused_ebusy after_setup slave_mtu_busy
run_test mac_change_slaves_follow after_setup mac_follows
run_test macvlan_slave after_setup add_macvlan
run_test slave_refuses_mtu_bond_unchanged after_setup slave_refuses_mtu
run_test slave_refuses_mac_bond_unchanged after_setup slave_refuses_mac
run_test no_kernel_splat dmesg_check_clean "MTU and MAC changes"
ktap_finish
