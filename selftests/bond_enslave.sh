#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=180
#
# Enslave and release rules of the core bond, as upstream: on enslave a
# slave takes the bond's MTU and (balance-rr, active-backup, balance-xor,
# broadcast) the bond's MAC, the first slave gives a bond with a random MAC
# its own, the slave shows "master <bond>" and gets bonding_slave/; on
# release (ip link set nomaster, echo -X > slaves) the slave is closed and
# gets its MTU and permanent MAC back, and the last release gives the bond
# a random MAC again. Refused, changing nothing: a slave that is up, the
# bond itself, a slave of another bond (ip link set master moves it
# instead, as rtnetlink releases it first), the bond's own upper devices
# (a VLAN on it, a bridge above it), releasing a device that is no slave.
# Interface prefix: en.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd jq modprobe nsenter
bonding_is_ours || skip_all "the loaded bonding module is not the one under test"

SYS=/sys/class/net

# enslave_release MODE: MTU and MAC on enslave and release in MODE (with
# veths enr1, enr2 whose MACs and MTU are in mac[] and enr_mtu).
enslave_release() {
	local m=$1 v
	bond_ipb <<-EOF
		link add enr type bond mode $m miimon 100
		link set enr mtu 1400
	EOF
	bond_check_file $SYS/enr/addr_assign_type 1 "$m: a new bond has a random MAC"

	check_ok ip link set enr1 master enr
	bond_check_file $SYS/enr/address "${mac[1]}" "$m: bond MAC after the first slave"
	bond_check_file $SYS/enr1/address "${mac[1]}" "$m: enr1 MAC"
	bond_check_file $SYS/enr1/mtu 1400 "$m: enr1 MTU (the bond's)"
	check_true "$m: enr1 master is enr" bond_master_is $SYS enr1 enr
	check_true "$m: enr1 has bonding_slave/" test -d $SYS/enr1/bonding_slave
	bond_check_file $SYS/enr1/bonding_slave/perm_hwaddr "${mac[1]}" "$m: enr1 perm_hwaddr"

	bond_check_put $SYS/enr/bonding/slaves +enr2 OK "$m: +enr2"
	bond_check_file $SYS/enr2/address "${mac[1]}" "$m: enr2 MAC (the bond's)"
	bond_check_file $SYS/enr2/mtu 1400 "$m: enr2 MTU (the bond's)"
	check_true "$m: enr2 master is enr" bond_master_is $SYS enr2 enr
	bond_check_file $SYS/enr2/bonding_slave/perm_hwaddr "${mac[2]}" "$m: enr2 perm_hwaddr"
	bond_check_file $SYS/enr/bonding/slaves "enr1 enr2" "$m: slaves"
	if [[ $m == balance-rr ]]; then
		v=$(ip -o link show dev enr2)
		check_match "$v" " master enr " "ip link show enr2"
	fi

	check_ok ip link set enr2 nomaster
	bond_check_released $SYS enr2 "${mac[2]}" "$enr_mtu" "$m: enr2 after nomaster"
	bond_check_file $SYS/enr/bonding/slaves "enr1" "$m: slaves"
	bond_check_put $SYS/enr/bonding/slaves -enr1 OK "$m: -enr1"
	bond_check_released $SYS enr1 "${mac[1]}" "$enr_mtu" "$m: enr1 after -enr1"
	bond_check_file $SYS/enr/bonding/slaves "" "$m: slaves"
	bond_check_file $SYS/enr/addr_assign_type 1 "$m: bond MAC random again"
	bond_rd v $SYS/enr/address
	check_ne "$v" "${mac[1]}" "$m: bond MAC after the last release"
	bond_check_file $SYS/enr/mtu 1400 "$m: bond MTU kept"
	check_ok ip link del enr
}

enslave_release_modes() {
	local m i mac=() enr_mtu
	bond_veths peer enr1 enr2
	for i in 1 2; do
		bond_leftover "enr$i"
		bond_rd "mac[i]" $SYS/enr$i/address
	done
	bond_rd enr_mtu $SYS/enr1/mtu
	for m in balance-rr active-backup balance-xor broadcast; do
		enslave_release "$m"
	done
	bond_ipb "link del enr1" "link del enr2"
}

# unchanged_after BOND SLAVE STATE0 MAC MTU MASTER WHAT: a refused enslave
# of SLAVE changed neither the bond nor the slave.
unchanged_after() {
	local st
	bond_snapshot st "$1"
	check_same_state "$3" "$st" "$1 after $7"
	if [[ -n $6 ]]; then
		check_true "$2 master is $6 after $7" bond_master_is $SYS "$2" "$6"
	else
		check_true "$2 has no master after $7" bond_no_master $SYS "$2"
	fi
	bond_check_file "$SYS/$2/address" "$4" "$2 MAC after $7"
	bond_check_file "$SYS/$2/mtu" "$5" "$2 MTU after $7"
}

enslave_refused() {
	local st0 mac mtu out rc vmac vmtu mac3 klog
	bond_ipb <<-EOF
		link add enq type bond mode active-backup miimon 100
		link add enq2 type bond mode balance-rr
		link set enq mtu 1400
	EOF
	bond_leftover enq
	bond_leftover enq2
	bond_veths peer enq1 enq3
	bond_leftover enq1
	bond_leftover enq3
	bond_rd mac $SYS/enq1/address
	bond_rd mtu $SYS/enq1/mtu
	bond_snapshot st0 enq

	log "a slave that is up"
	check_ok ip link set enq1 up
	bond_klog_mark
	out=$(ip link set enq1 master enq 2>&1)
	rc=$?
	check_ne "$rc" 0 "exit status of ip link set enq1 master enq (enq1 up)"
	check_match "$out" "[Cc]an not be enslaved while up" "ip error for an up slave"
	bond_check_put $SYS/enq/bonding/slaves +enq1 EPERM "+enq1 while up"
	klog=$(bond_klog_since)
	check_match "$klog" "enq: .*enq1.*[Cc]an not be enslaved while up" \
		"kernel log names the bond and the refused slave"
	unchanged_after enq enq1 "$st0" "$mac" "$mtu" "" "enslaving an up slave"
	check_true "enq1 is still up" bond_admin_up $SYS enq1
	check_ok ip link set enq1 down

	log "the bond itself"
	bond_check_put $SYS/enq/bonding/slaves +enq EPERM "+enq into enq"
	check_fail ip link set enq master enq
	bond_snapshot out enq
	check_same_state "$st0" "$out" "enq after enslaving itself"

	log "a slave of another bond"
	check_ok ip link set enq3 master enq2
	bond_rd mac3 $SYS/enq3/address
	bond_check_put $SYS/enq/bonding/slaves +enq3 EBUSY "+enq3 (slave of enq2)"
	bond_check_file $SYS/enq2/bonding/slaves enq3 "enq2 slaves"
	unchanged_after enq enq3 "$st0" "$mac3" 1500 enq2 "enslaving a slave of another bond"
	log "ip link set master moves a slave (rtnetlink releases it from its old master first)"
	check_ok ip link set enq3 master enq
	check_true "enq3 master is enq after the move" bond_master_is $SYS enq3 enq
	bond_check_file $SYS/enq2/bonding/slaves "" "enq2 slaves after the move"
	bond_check_file $SYS/enq/bonding/slaves enq3 "enq slaves after the move"
	check_ok ip link set enq3 nomaster

	log "the bond's own upper devices (loops)"
	check_ok ip link add link enq name enq.10 type vlan id 10
	bond_rd vmac $SYS/enq.10/address
	bond_rd vmtu $SYS/enq.10/mtu
	bond_snapshot st0 enq
	check_fail ip link set enq.10 master enq
	bond_check_put $SYS/enq/bonding/slaves +enq.10 EBUSY "+enq.10 (VLAN on enq)"
	unchanged_after enq enq.10 "$st0" "$vmac" "$vmtu" "" "enslaving a VLAN of the bond"
	check_ok ip link add enqbr type bridge
	bond_leftover enqbr
	check_ok ip link set enq master enqbr
	bond_snapshot st0 enq
	bond_rd vmac $SYS/enqbr/address
	bond_rd vmtu $SYS/enqbr/mtu
	bond_check_put $SYS/enq/bonding/slaves +enqbr EBUSY "+enqbr (bridge above enq)"
	check_fail ip link set enqbr master enq
	unchanged_after enq enqbr "$st0" "$vmac" "$vmtu" "" "enslaving the bridge above the bond"
	check_true "enq is still a port of enqbr" bond_master_is $SYS enq enqbr

	log "releasing a device that is no slave"
	bond_check_put $SYS/enq/bonding/slaves -enq1 EINVAL "-enq1 (not a slave)"
	bond_snapshot out enq
	check_same_state "$st0" "$out" "enq after releasing a non-slave"

	bond_ipb "link del enqbr" "link del enq.10" "link del enq" "link del enq2" \
		"link del enq1" "link del enq3"
}

# snmp6 NS DEV COUNTER: a counter of /proc/net/dev_snmp6/DEV in NS (0 if
# DEV has no IPv6 state at all).
snmp6() {
	local k val v=0
	while read -r k val; do
		[[ $k == "$3" ]] && v=$val
	done < <(ns_exec "$1" cat "/proc/net/dev_snmp6/$2" 2>/dev/null)
	echo "$v"
}

v6_ready() {			# NS BOND: a link-local address past DAD, an RS sent
	local a rs
	a=$(ns_ip "$1" -6 -o addr show dev "$2" scope link)
	[[ -n $a && $a != *tentative* ]] || return 1
	rs=$(snmp6 "$1" "$2" Icmp6OutRouterSolicits)
	((rs > 0))
}

# Slaves run no IPv6 address configuration: enslaved while the bond is up,
# a device whose carrier is on when the bond opens it (a dummy: virtio-net
# and VFs keep carrier across close/open too) gets no address, sends no
# DAD probe and no router solicitation, and the bond's own link-local
# address passes DAD. On kernels without IFF_NO_ADDRCONF (6.1) addrconf
# skips IFF_SLAVE devices, so that flag must be set before the slave opens.
no_addrconf() {
	local m n d a
	for m in active-backup balance-rr; do
		n=v6${m%%-*}
		ns_create --ipv6 "$n" || return 1
		bond_ipb @"$n" <<-EOF
			link add env type bond mode $m miimon 100
			link add env1 type dummy
			link add env2 type dummy
			link set env up
			link set env1 master env
			link set env2 master env
		EOF
		check_true "$m: the bond's link-local address passed DAD and it solicited routers" \
			wait_until 15 v6_ready "$n" env
		for d in env1 env2; do
			a=$(ns_ip "$n" -6 -o addr show dev $d)
			check_eq "$a" "" "$m: IPv6 addresses of slave $d"
			check_eq "$(snmp6 "$n" $d Icmp6OutRouterSolicits)" 0 "$m: router solicitations from $d"
			check_eq "$(snmp6 "$n" $d Icmp6OutNeighborSolicits)" 0 "$m: neighbour solicitations (DAD) from $d"
		done
		a=$(ns_ip "$n" -6 -o addr show dev env)
		check_match "$a" "fe80::" "$m: the bond's link-local address"
		if [[ $a == *dadfailed* ]]; then
			_check_failed "$m: the bond's address failed DAD: $a"
		fi
	done
}

ktap_plan 4
ns_create peer
dmesg_mark
log "setup took $SECONDS s"
run_test enslave_release_mtu_mac timed enslave_release_modes
run_test enslave_refused_changes_nothing timed enslave_refused
run_test slaves_run_no_ipv6_addrconf timed no_addrconf
run_test no_kernel_splat timed dmesg_check_clean "enslave and release"
ktap_finish
