#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=120
#
# What the receive path writes per frame. With the ARP monitor on and no
# arp_validate, every frame a slave receives proves it alive: its last_rx
# stamp must be stored when the jiffy changed, not once per frame (a store
# per frame bounces the slave's cache line between CPUs). bond_watch.ko
# (selftests/modules/bond_watch) counts the stores to a slave's field with
# a hardware write watchpoint.
#
#   namespace b    active-backup bond hpb (10.0.0.1), arp_interval 1000,
#                  arp_ip_target 10.0.0.2; slave hpbs1 <-> p1 eth0
#   namespace p1   10.0.0.2 (answers the probes), floods ARP at the bond

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

watch_ko=${BOND_TEST_MODULES:-}/bond_watch.ko
[[ -f $watch_ko ]] || skip_all "bond_watch.ko was not built (BOND_TEST_MODULES=$BOND_TEST_MODULES)"
[[ -x ./arp_storm ]] || skip_all "arp_storm was not built (selftests/Makefile)"
require_cmd nsenter

FRAMES=20000
HZ_GUEST=250	# CONFIG_HZ of Debian's kernels

last_rx_once_per_jiffy() {
	local t0 t1 line stores rx0 rx1 ticks
	ns_create b p1 || return 1
	veth_create b hpbs1 p1 eth0 || return 1
	bct_sysfs_mount b || return 1
	bct_ok bct_ip b link add hpb type bond mode active-backup arp_interval 1000 \
		arp_ip_target 10.0.0.2
	bct_ok bct_ip b addr add 10.0.0.1/24 dev hpb
	bct_ok bct_ip b link set hpbs1 master hpb
	bct_ok bct_ip b link set hpb up
	bct_ok bct_ip p1 addr add 10.0.0.2/24 dev eth0
	bct_ok bct_ip p1 link set eth0 up
	check_true "p1's end has carrier" wait_until 10 link_is_up p1 eth0
	check_true "hpbs1 is active" bct_wait_until 10 bct_active_is b hpb hpbs1

	check_ok insmod "$watch_ko" || return 1
	defer rmmod bond_watch
	bct_in b bash -c 'echo "hpbs1 last_rx" >/proc/bond_watch' ||
		{ _check_failed "watching hpbs1 last_rx"; return 1; }
	bct_stat rx0 b hpbs1 rx_packets
	bct_ms t0
	check_ok ns_exec p1 ./arp_storm -i eth0 --target-ip 10.0.0.99 --src-ip 10.0.0.50 \
		--count $FRAMES
	bct_ms t1
	bct_stat rx1 b hpbs1 rx_packets
	line=$(bct_in b cat /proc/bond_watch)
	echo >/proc/bond_watch
	stores=${line##* }
	ticks=$(((t1 - t0) * HZ_GUEST / 1000 + 2))
	log "$((rx1 - rx0)) frames received in $((t1 - t0)) ms ($ticks jiffies); last_rx stored $stores times"
	check_true "the flood arrived (at least $((FRAMES / 2)) frames)" \
		test $((rx1 - rx0)) -ge $((FRAMES / 2))
	# Once per jiffy at most, plus the monitor's own few.
	check_true "last_rx stored at most once per jiffy ($stores <= $ticks + 10)" \
		test "$stores" -le $((ticks + 10))
}

ktap_plan 2
dmesg_mark
run_test last_rx_stored_once_per_jiffy timed last_rx_once_per_jiffy
run_test no_kernel_splat dmesg_check_clean "hot path stores"
ktap_finish
