#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=180
#
# Lifetime races between the bond's monitors and configuration, made
# reproducible: bond_delay.ko (selftests/modules/bond_delay) holds a kernel
# function for up to a second each time the bond's work items call it, so
# a release can be made to land inside the window the race needs.
#
# A lost race leaves a pointer to a freed slave behind. bond_probe.ko
# (selftests/modules/bond_probe) reads the bond's slave pointers the way
# in-tree consumers do and says "stale" for one that names no slave of the
# bond; the monitor step that follows it then writes to freed memory, which
# an allocator that poisons freed objects (or KASAN) turns into an oops.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

delay_ko=${BOND_TEST_MODULES:-}/bond_delay.ko
probe_ko=${BOND_TEST_MODULES:-}/bond_probe.ko
[[ -f $delay_ko && -f $probe_ko ]] ||
	skip_all "bond_delay.ko or bond_probe.ko was not built (BOND_TEST_MODULES=$BOND_TEST_MODULES)"
require_cmd nsenter arping

DP=/sys/module/bond_delay/parameters

delay_load() {			# FUNC[,FUNC...] MS[,MS...]
	check_ok insmod "$delay_ko" func="$1" delay_ms="$2" || return 1
	defer rmmod bond_delay
}

# ptrs_are NS LINE: the bond's slave pointers as bond_probe.ko reads them
# (curr_active, primary, current_arp: a slave name, "-", or "stale" for a
# pointer to no slave of the bond), in NS.
ptrs_are() {
	local got
	got=$(bct_in "$1" cat /proc/bond_probe_ptrs)
	[[ $got == "$2" ]] || { log "bond pointers: '$got', want '$2'"; return 1; }
}

# hits, not busy: a delay spins its CPU, and under emulation the test's CPU
# may get to run only between two delays, never during one. The probes are
# held back to back (one arp_interval apart), so a release made once the
# first has begun lands inside one of them.
delay_begun() { local v; bct_get v $DP/hits && ((v > 0)); }

# freed_now: objects waiting in kfree_rcu batches are freed (and, with
# slub_debug, poisoned) by the time this returns.
freed_now() {
	bct_sleep 0.5
	echo 3 >/proc/sys/vm/drop_caches
	bct_sleep 1
	echo 3 >/proc/sys/vm/drop_caches
}

# active-backup with ARP monitoring and no slave up: every arp_interval
# the monitor picks the next backup as current_arp_slave and probes from
# it (RCU read side, no RTNL). Release is held just before it unlinks the
# slave (netdev_upper_dev_unlink), so the next probe still finds it and is
# held in arp_create() before publishing it: release clears
# current_arp_slave, its grace period waits for the probe, which then
# publishes the slave, and release frees it. Probing stops once a slave is
# active, so the stale pointer stays; the next backup that comes up makes
# the monitor's commit step write through it.
#
#   b:  bond arb (10.0.0.1), arp_ip_target 10.0.0.2
#       arbs2 <-> p2 (silent): the slave released while probed
#       arbs1 <-> p1 (10.0.0.2, the target): the active slave afterwards
#       arbs3 <-> p3 (sends broadcast ARPs): the backup that comes up
arp_probe_vs_release() {
	local t0 t1 v
	ns_create b p1 p2 p3 || return 1
	veth_create b arbs1 p1 eth0 && veth_create b arbs2 p2 eth0 &&
		veth_create b arbs3 p3 eth0 || return 1
	bct_sysfs_mount b || return 1
	bct_ok bct_ip b link add arb type bond mode active-backup arp_interval 100 \
		arp_ip_target 10.0.0.2
	bct_ok bct_ip b addr add 10.0.0.1/24 dev arb
	bct_ok bct_ip b link set arbs2 master arb
	bct_ok bct_ip b link set arb up
	bct_ok bct_ip p2 link set eth0 up
	bct_ok bct_wait_until 5 bct_mii_is b arbs2 "going back"

	check_ok insmod "$probe_ko" || return 1
	defer rmmod bond_probe
	delay_load arp_create,netdev_upper_dev_unlink 1000,300 || return 1
	check_true "the monitor's probe is held in arp_create" bct_wait_until 5 delay_begun
	bct_ms t0
	bct_ok bct_ip b link set arbs2 nomaster
	bct_ms t1
	echo 0 >$DP/armed
	log "release took $((t1 - t0)) ms"
	# The release had to wait for the held probe (its grace period).
	check_true "release waited for the probe ($((t1 - t0)) ms)" test $((t1 - t0)) -ge 100
	check_true "no pointer to the released slave is left" \
		ptrs_are b "arb active - primary - arp -"

	# With no slave the monitor rests; let the released one be freed
	# before a commit step can look at current_arp_slave: kfree_rcu
	# batches frees for seconds, its shrinker (drop_caches) drains them.
	freed_now
	bct_ok bct_ip p1 addr add 10.0.0.2/24 dev eth0
	bct_ok bct_ip p1 link set eth0 up
	bct_ok bct_ip b link set arbs1 master arb
	check_true "arbs1 is active" bct_wait_until 5 bct_active_is b arb arbs1
	bct_ok bct_ip b link set arbs3 master arb
	bct_ok bct_ip p3 addr add 10.0.0.3/24 dev eth0
	bct_ok bct_ip p3 link set eth0 up
	bct_in p3 arping -q -b -c 30 -w 6 -i 0.2 -I eth0 10.0.0.1 >/dev/null 2>&1 &
	check_true "arbs3 comes up" bct_wait_until 5 bct_mii_is b arbs3 up
	check_true "arbs1 stays active" bct_active_is b arb arbs1
	wait
	bct_get v "${BCT_SYS[b]}/class/net/arb/bonding/slaves"
	check_eq "$v" "arbs1 arbs3" "slaves of arb"
}

ktap_plan 2
run_test arp_probe_vs_release timed arp_probe_vs_release
run_test no_kernel_splat dmesg_check_clean "lifetime races"
ktap_finish
