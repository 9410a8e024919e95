#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The bonding module under test is ours (version, srcversion, installed by
# DKMS under updates/dkms), and loading it with max_bonds=1 creates bond0,
# which unloading removes.

. "$(dirname "$(readlink -f "$0")")/lib.sh"

# Leave the module unloaded whatever happens; the runner reloads it.
defer modprobe -r bonding

is_ours() {
	check_eq "$(cat /sys/module/bonding/version 2>/dev/null)" "$BOND_KO_VERSION" \
		"/sys/module/bonding/version"
	check_eq "$(cat /sys/module/bonding/srcversion 2>/dev/null)" "$BOND_SRCVERSION" \
		"/sys/module/bonding/srcversion"
	local path
	path=$(modinfo -n bonding 2>/dev/null)
	check_eq "${path%/*}" "/lib/modules/$KVER/updates/dkms" "directory of modinfo -n bonding"
	check_match "${path##*/}" '^bonding\.ko(\.(xz|zst|gz))?$' "file of modinfo -n bonding"
	check_eq "$(modinfo -F version "$path" 2>/dev/null)" "$BOND_KO_VERSION" "version of $path"
	check_eq "$(modinfo -F srcversion "$path" 2>/dev/null)" "$BOND_SRCVERSION" "srcversion of $path"
	check_fail modinfo -n "$(dirname "$path")/../../kernel/drivers/net/bonding/bonding.ko"
	check_eq "$(find "/lib/modules/$KVER/kernel/drivers/net/bonding" -name 'bonding.ko*' 2>/dev/null)" "" \
		"in-tree bonding.ko files left"
}

reload_creates_bond0() {
	check_ok modprobe -r bonding
	check_fail test -e /sys/module/bonding
	check_ok modprobe bonding max_bonds=1
	bonding_is_ours || _check_failed "bonding loaded by modprobe is not ours"
	check_ok wait_until 5 test -d /sys/class/net/bond0
	check_match "$(cat /sys/class/net/bonding_masters 2>/dev/null)" '(^| )bond0( |$)' "bonding_masters"
	check_eq "$(ip -o link show type bond | awk -F': ' '{ print $2 }' | cut -d@ -f1)" "bond0" \
		"bonds listed by ip link"
}

rmmod_removes_bond0() {
	check_ok rmmod bonding
	check_fail test -e /sys/module/bonding
	check_fail test -e /sys/class/net/bond0
	check_fail test -e /sys/class/net/bonding_masters
}

ktap_plan 4
dmesg_mark
run_test module_is_ours is_ours
run_test reload_max_bonds_1_creates_bond0 reload_creates_bond0
run_test rmmod_removes_bond0 rmmod_removes_bond0
run_test no_kernel_splat dmesg_check_clean "module load/unload"
ktap_finish
