#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=900
#
# Benchmark (make bench, not make check): transmit cost per frame of each
# mode, and how it changes from 2 to 8 slaves. Frames are pushed through the
# bond with AF_PACKET (./arp_storm) as fast as the sender can; the peers
# (an 802.3ad partner bond for 802.3ad) drop them. Prints "# bench: xmit
# mode=... slaves=... pps=... delivered=..." lines: frames sent per second,
# and how many reached the far side.

. "$(dirname "$(readlink -f "$0")")/lib.sh"

MODES=${BENCH_XMIT_MODES:-balance-rr active-backup balance-xor broadcast balance-tlb balance-alb 802.3ad}
SLAVES=${BENCH_XMIT_SLAVES:-2 8}
FRAMES=${BENCH_XMIT_FRAMES:-200000}

carrier_up() { [[ $(ns_exec h cat /sys/class/net/xb/carrier 2>/dev/null) == 1 ]]; }
# Every port distributes (actor state bit 0x20): the bond sends on all of them.
ports_distributing() {
	local i st
	for ((i = 1; i <= $1; i++)); do
		st=$(ns_exec h cat "/sys/class/net/xs$i/bonding_slave/ad_actor_oper_port_state")
		((st & 0x20)) || return 1
	done
}
peer_rx() {
	local i sum=0 v
	for ((i = 1; i <= $1; i++)); do
		v=$(ns_exec p cat "/sys/class/net/xp$i/statistics/rx_packets") && sum=$((sum + v))
	done
	echo "$sum"
}

bench_mode() {
	local mode=$1 n=$2 i out pps rx0 rx1
	check_ok ns_ip h link add xb type bond mode "$mode" miimon 100 xmit_hash_policy layer2+3
	# 802.3ad needs a partner to send: a second 802.3ad bond on the far side.
	[[ $mode == 802.3ad ]] && check_ok ns_ip p link add pb type bond mode 802.3ad miimon 100
	for ((i = 1; i <= n; i++)); do
		check_ok ns_ip h link add "xs$i" type veth peer name "xp$i" netns "$(ns p)"
		if [[ $mode == 802.3ad ]]; then
			check_ok ns_ip p link set "xp$i" master pb
		else
			check_ok ns_ip p link set "xp$i" up
		fi
		check_ok ns_ip h link set "xs$i" master xb
	done
	[[ $mode == 802.3ad ]] && check_ok ns_ip p link set pb up
	check_ok ns_ip h link set xb up
	check_ok wait_until 10 carrier_up
	[[ $mode == 802.3ad ]] && check_ok wait_until 30 ports_distributing "$n"
	rx0=$(peer_rx "$n")
	out=$(ns_exec h ./arp_storm -i xb --sources 256 --src-ip 10.1.0.1 --target-ip 10.2.0.1 \
	      --count "$FRAMES" --rate 0 --json 2>&1)
	rx1=$(peer_rx "$n")
	pps=$(jq -r '.pps | floor' <<<"$out" 2>/dev/null)
	[[ -n $pps && $pps != null ]] || _check_failed "no result from arp_storm: $out"
	# Frames that reached the far side (broadcast: one copy per slave).
	echo "# bench: xmit mode=$mode slaves=$n frames=$FRAMES pps=$pps delivered=$((rx1 - rx0))"
	check_ok ns_ip h link del xb
	[[ $mode == 802.3ad ]] && check_ok ns_ip p link del pb
	for ((i = 1; i <= n; i++)); do
		check_ok ns_ip h link del "xs$i"
	done
}

ns_create h p
set -- $MODES
ktap_plan $(($# * $(wc -w <<<"$SLAVES")))
for mode in $MODES; do
	for n in $SLAVES; do
		run_test "xmit_${mode}_$n" bench_mode "$mode" "$n"
	done
done
ktap_finish
