#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=300
#
# balance-tlb and balance-alb transmit racing the bond's open and close.
#
# Senders that bypass the qdisc (AF_PACKET with PACKET_QDISC_BYPASS here;
# pktgen alike) reach ndo_start_xmit once netif_running() is true, which
# the kernel makes so before it calls ndo_open, and may still be on their
# way in while ndo_stop runs; the bond's carrier stays on through its
# slaves meanwhile. So tlb/alb transmit can run before the mode's state is
# published and after it is withdrawn: it must drop those frames, never
# read the state absent or freed.
#
# Topology: namespace "b" holds the bond lbr (mode under test, miimon 100,
# 198.18.0.1/24) with slaves lbs1, lbs2, whose peers in namespace "p" are
# up (carrier on). Two ./xmit_flood senders with PACKET_QDISC_BYPASS, one
# per CPU, flood lbr (IPv4 unicast, broadcast, ARP requests from the bond's
# MAC) while the bond goes down and up (the loop pinned to CPU 0, sharing it
# with one sender); under single-threaded TCG each virtual CPU also stops
# for whole time slices at arbitrary points, which lets the other one run
# a close or an open through a sender's window. Afterwards: no splat, the
# senders sent frames, and the bond comes up and reaches its peer.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

[[ -x $LIB_DIR/xmit_flood ]] || skip_all "selftests/xmit_flood is not built"
require_cmd taskset ping nsenter

B=lbr
CYCLES=400		# down/up cycles per mode ...
BUDGET=40		# ... within at most this many seconds
FLOOD=$((BUDGET + 20))	# the senders outlast the loop
SYS=

topology() {
	ns_create b p || return 1
	veth_create b lbs1 p lbp1 || return 1
	veth_create b lbs2 p lbp2 || return 1
	check_ok ns_ip p -batch - <<-EOF || return 1
		link add pbr type bridge
		link set lbp1 master pbr
		link set lbp2 master pbr
		link set lbp1 up
		link set lbp2 up
		link set pbr up
		addr add 198.18.0.2/24 dev pbr
	EOF
	bct_sysfs_mount b || return 1
	SYS=${BCT_SYS[b]}/class/net
}

ready() {
	local s v
	bct_get v "$SYS/$B/carrier" && [[ $v == 1 ]] || return 1
	for s in lbs1 lbs2; do
		bct_get v "$SYS/$s/bonding_slave/mii_status" && [[ $v == up ]] || return 1
	done
}

# race MODE: flood the bond with two bypassing senders while it goes down
# and up CYCLES times (or for BUDGET seconds).
race() {
	local mode=$1 i done=0 t0 batch= p0 p1 out0 out1 drop0 drop1
	check_ok ns_ip b -batch - <<-EOF || return 1
		link add $B type bond mode $mode miimon 100
		link set lbs1 master $B
		link set lbs2 master $B
		addr add 198.18.0.1/24 dev $B
		link set $B up
	EOF
	check_ok bct_wait_until 20 ready || return 1
	bct_get drop0 "$SYS/$B/statistics/tx_dropped"
	_bct_tmpdir || return 1
	out0=$_bct_tmp/flood0-$mode
	out1=$_bct_tmp/flood1-$mode
	ns_exec b ./xmit_flood -i $B --bypass --cpu 1 --duration $FLOOD --src-ip 198.18.0.1 \
		>"$out1" 2>&1 &
	p1=$!
	defer kill "$p1"
	ns_exec b ./xmit_flood -i $B --bypass --cpu 0 --duration $FLOOD --src-ip 198.18.0.1 \
		>"$out0" 2>&1 &
	p0=$!
	defer kill "$p0"

	for ((i = 0; i < 20; i++)); do
		batch+="link set $B down"$'\n'"link set $B up"$'\n'
	done
	t0=$SECONDS
	while ((done < CYCLES && SECONDS - t0 < BUDGET)); do
		taskset -c 0 ip -n "$(ns b)" -batch - <<<"$batch" ||
			{ _check_failed "down/up batch failed after $done cycles"; break; }
		done=$((done + 20))
	done
	log "$mode: $B went down and up $done times in $((SECONDS - t0)) s under the floods"
	kill -INT "$p0" "$p1" 2>/dev/null
	wait "$p0" "$p1"
	log "$mode: sender on CPU 0: $(<"$out0"); on CPU 1: $(<"$out1")"
	check_match "$(<"$out0")" '^sent [1-9][0-9]* ' "$mode: frames sent on CPU 0"
	check_match "$(<"$out1")" '^sent [1-9][0-9]* ' "$mode: frames sent on CPU 1"
	bct_get drop1 "$SYS/$B/statistics/tx_dropped"
	log "$mode: $B tx_dropped $drop0 -> $drop1"

	check_ok bct_wait_until 20 ready
	check_ok bct_in b ping -q -c 3 -i 0.2 -W 3 198.18.0.2
	check_ok ns_ip b link del $B
}

ktap_plan 4
dmesg_mark
run_setup topology topology
run_test tlb_open_close_under_bypass_flood after_setup race balance-tlb
run_test alb_open_close_under_bypass_flood after_setup race balance-alb
run_test no_kernel_splat dmesg_check_clean "tlb/alb open and close under a bypass flood"
ktap_finish
