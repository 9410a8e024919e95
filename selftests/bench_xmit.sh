#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=900
#
# Benchmark (make bench, not make check): transmit cost per frame of each
# mode, and how it changes from 2 to 8 slaves. Frames are pushed through the
# bond with AF_PACKET (./arp_storm) as fast as the sender can; the peers
# drop them. Prints "# bench: xmit mode=... slaves=... pps=..." lines.

. "$(dirname "$(readlink -f "$0")")/lib.sh"

MODES=${BENCH_XMIT_MODES:-balance-rr active-backup balance-xor broadcast balance-tlb balance-alb 802.3ad}
SLAVES=${BENCH_XMIT_SLAVES:-2 8}
FRAMES=${BENCH_XMIT_FRAMES:-200000}

carrier_up() { [[ $(ns_exec h cat /sys/class/net/xb/carrier 2>/dev/null) == 1 ]]; }

bench_mode() {
	local mode=$1 n=$2 i out pps
	check_ok ns_ip h link add xb type bond mode "$mode" miimon 100 xmit_hash_policy layer2+3
	for ((i = 1; i <= n; i++)); do
		check_ok ns_ip h link add "xs$i" type veth peer name "xp$i" netns "$(ns p)"
		check_ok ns_ip p link set "xp$i" up
		check_ok ns_ip h link set "xs$i" master xb
	done
	check_ok ns_ip h link set xb up
	if [[ $mode == 802.3ad ]]; then
		# No LACP partner: the bond still picks an aggregator and sends.
		wait_until 10 carrier_up
	else
		check_ok wait_until 10 carrier_up
	fi
	out=$(ns_exec h ./arp_storm -i xb --sources 256 --src-ip 10.1.0.1 --target-ip 10.2.0.1 \
	      --count "$FRAMES" --rate 0 --json 2>&1)
	pps=$(jq -r '.pps | floor' <<<"$out" 2>/dev/null)
	[[ -n $pps && $pps != null ]] || _check_failed "no result from arp_storm: $out"
	echo "# bench: xmit mode=$mode slaves=$n frames=$FRAMES pps=$pps"
	check_ok ns_ip h link del xb
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
