#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=120
#
# The bond under injected allocation failures. bond_failalloc.ko
# (selftests/modules/bond_failalloc) makes the next N allocations made by
# a named function of ours fail (Debian's kernels have no fault injection).
#
#   namespace sw   bridge br0: the "switch"; client cl 10.0.0.2
#   namespace b    balance-rr bond frb (10.0.0.1), slaves frbs1, frbs2 -> sw
#                  ports frbp1, frbp2

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

fail_ko=${BOND_TEST_MODULES:-}/bond_failalloc.ko
[[ -f $fail_ko ]] || skip_all "bond_failalloc.ko was not built (BOND_TEST_MODULES=$BOND_TEST_MODULES)"
require_cmd ping nsenter

FP=/sys/module/bond_failalloc/parameters

# The allocator kzalloc() of a run-time size calls on this kernel.
kmalloc_fn() {
	if grep -qw __kmalloc_noprof /proc/kallsyms; then
		echo __kmalloc_noprof
	else
		echo __kmalloc
	fi
}

reaches() {
	local res
	res=$(nsenter --net="/run/netns/${NS_PREFIX}b" ping -n -q -c 1 -W 1 10.0.0.2 2>&1)
	[[ $res =~ \ 1\ received ]]
}

topology() {
	local s
	switch_create sw || return 1
	bct_client sw cl 10.0.0.2/24 || return 1
	ns_create b || return 1
	bct_sysfs_mount b || return 1
	bct_ok bct_ip b link add frb type bond mode balance-rr miimon 100
	for s in 1 2; do
		bct_veth_to_switch b frbs$s sw frbp$s || return 1
		bct_ok bct_ip b link set frbs$s master frb
	done
	bct_ok bct_ip b addr add 10.0.0.1/24 dev frb
	bct_ok bct_ip b link set frb up
	check_true "both slaves up" bct_wait_until 10 eval "bct_mii_is b frbs1 up && bct_mii_is b frbs2 up"
	check_true "the bond reaches the client" bct_wait_until 10 reaches
}

# A link event whose rebuild of the transmit arrays finds no memory: the
# arrays are withdrawn (transmit pauses), and the rebuild is retried until
# it succeeds, not left until some later link event. frbs2 is not the
# slave rr keeps as curr_active_slave, so its failure makes exactly one
# rebuild (two allocations) and no failover.
slave_arr_retry() {
	local v
	check_ok insmod "$fail_ko" func="$(kmalloc_fn)" caller=bnd_update_slave_arr || return 1
	defer rmmod bond_failalloc
	echo 2 >$FP/fails
	bond_klog_mark
	bct_ok bct_ip sw link set frbp2 down
	check_true "frbs2 goes down" bct_wait_until 3 bct_mii_is b frbs2 down
	check_true "both allocations of the rebuild were failed" \
		bct_wait_until 3 eval "bct_get v $FP/failed; ((v == 2))"
	check_match "$(bond_klog_since)" "frb: out of memory for the slave arrays" \
		"kernel log of the failed rebuild"
	check_true "the bond reaches the client through frbs1 again" bct_wait_until 5 reaches
	bct_ok bct_ip sw link set frbp2 up
	check_true "frbs2 comes back" bct_wait_until 3 bct_mii_is b frbs2 up
}

ktap_plan 3
dmesg_mark
run_setup topology topology
run_test slave_arrays_rebuilt_after_allocation_failure after_setup slave_arr_retry
run_test no_kernel_splat dmesg_check_clean "injected faults"
ktap_finish
