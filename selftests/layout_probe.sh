#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In-tree modules (RoCE GID management, mlx4/mlx5, cxgb4) read a bond
# through the running kernel's <net/bonding.h> inline helpers. bond_probe.ko
# (selftests/modules/bond_probe) does exactly that; what it reads must match
# /proc/net/bonding and sysfs, before and after failovers, in several modes.

. "$(dirname "$(readlink -f "$0")")/lib.sh"

probe_ko=${BOND_TEST_MODULES:-}/bond_probe.ko
[[ -f $probe_ko ]] || skip_all "bond_probe.ko was not built (BOND_TEST_MODULES=$BOND_TEST_MODULES)"

link_name=([0]=up [1]="going down" [2]=down [3]="going back")

# proc_field BOND FIELD: value of "FIELD: value" in the bond's own block.
proc_field() {
	awk -v f="$2" -F': ' '/^Slave Interface:/ { exit } $1 == f { print $2; exit }' \
		"/proc/net/bonding/$1"
}

# proc_slave_field BOND SLAVE FIELD
proc_slave_field() {
	awk -v s="$2" -v f="$3" -F': ' '
		/^Slave Interface:/ { cur = $2; next }
		cur == s && $1 == f { print $2; exit }' "/proc/net/bonding/$1"
}

# probe_agrees BOND: every fact bond_probe reads matches /proc and sysfs.
probe_agrees() {
	local bond=$1 line mode active want_active f dev link backup inactive ok
	line=$(grep "^$bond " /proc/bond_probe)
	log "probe: $line"
	read -r _ _ mode _ active _ rest <<<"$line"
	check_eq "$mode" "$(awk '{ print $2 }' "/sys/class/net/$bond/bonding/mode")" "$bond mode (probe vs sysfs)"
	want_active=$(proc_field "$bond" "Currently Active Slave")
	[[ -z $want_active || $want_active == None ]] && want_active=-
	check_eq "$active" "$want_active" "$bond active slave (probe vs /proc)"
	[[ -n $rest ]] || { _check_failed "$bond: probe lists no slaves"; return; }
	for f in $rest; do
		IFS=: read -r dev link backup inactive ok <<<"$f"
		check_eq "$ok" 1 "$dev: slave object points at its bond and device"
		check_eq "${link_name[$link]}" "$(proc_slave_field "$bond" "$dev" "MII Status")" \
			"$dev link (probe vs /proc)"
		check_eq "$([[ $backup == 1 ]] && echo backup || echo active)" \
			"$(cat "/sys/class/net/$dev/bonding_slave/state")" "$dev state (probe vs sysfs)"
		if [[ $(awk '{ print $1 }' "/sys/class/net/$bond/bonding/mode") == active-backup ]]; then
			check_eq "$inactive" "$backup" "$dev inactive follows backup in active-backup"
		fi
	done
}

setup() {			# BOND MODE NSLAVES
	local bond=$1 mode=$2 n=$3 i
	check_ok ip link add "$bond" type bond mode "$mode" miimon 100
	defer ip link del "$bond"
	for ((i = 1; i <= n; i++)); do
		check_ok ip link add "${bond}s$i" type veth peer name "${bond}p$i" netns "$(ns peer)"
		check_ok ip link set "${bond}s$i" master "$bond"
		check_ok ns_ip peer link set "${bond}p$i" up
	done
	check_ok ip link set "$bond" up
}

active_is() { [[ $(proc_field "$1" "Currently Active Slave") == "$2" ]]; }
slave_link_is() { [[ $(proc_slave_field "$1" "$2" "MII Status") == "$3" ]]; }
bond_link_is() { [[ $(proc_field "$1" "MII Status") == "$2" ]]; }

ab_failover() {
	setup bpab active-backup 3
	check_ok wait_until 5 active_is bpab bpabs1
	probe_agrees bpab
	log "fail the active slave's peer"
	check_ok ns_ip peer link set bpabp1 down
	check_ok wait_until 5 active_is bpab bpabs2
	check_ok wait_until 5 slave_link_is bpab bpabs1 down
	probe_agrees bpab
	log "primary bpabs3 takes over at once"
	check_ok ip link set bpab type bond primary bpabs3
	check_ok wait_until 5 active_is bpab bpabs3
	probe_agrees bpab
	log "bring bpabs1 back: primary stays"
	check_ok ns_ip peer link set bpabp1 up
	check_ok wait_until 5 slave_link_is bpab bpabs1 up
	check_ok active_is bpab bpabs3
	probe_agrees bpab
}

rr_slaves() {
	setup bprr balance-rr 2
	check_ok wait_until 5 bond_link_is bprr up
	probe_agrees bprr
	check_match "$(grep '^bprr ' /proc/bond_probe)" ' active - ' "rr has no active slave for the helpers"
}

alb_active() {
	setup bpalb balance-alb 2
	check_ok wait_until 5 active_is bpalb bpalbs1
	probe_agrees bpalb
	check_ok ns_ip peer link set bpalbp1 down
	check_ok wait_until 5 active_is bpalb bpalbs2
	probe_agrees bpalb
}

ktap_plan 4
ns_create peer
check_ok insmod "$probe_ko"
defer rmmod bond_probe
dmesg_mark
run_test active_backup_failover ab_failover
run_test balance_rr rr_slaves
run_test balance_alb_failover alb_active
run_test no_kernel_splat dmesg_check_clean "layout probe"
ktap_finish
