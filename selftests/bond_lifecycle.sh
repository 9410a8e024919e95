#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=180
#
# Lifecycle of the core bond device: bonds are created and deleted through
# bonding_masters, `ip link` and max_bonds at module load; every network
# namespace has its own bonding_masters and /proc/net/bonding; a bond moved
# to another namespace leaves its slaves behind and works there; slaves and
# bonds deleted in use go away cleanly; rmmod removes bonds in every
# namespace and the module loads again. (Enslave/release rules:
# bond_enslave.sh.) Interface prefix: lc.
#
# Under TCG every fork costs a good part of a second, so state is read with
# shell builtins only: namespaces are seen through a sysfs mounted from
# inside them and a process parked in them (bond_view in bond_lib.sh).

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd jq ping modprobe nsenter
bonding_is_ours || skip_all "the loaded bonding module is not the one under test"

PEER=${NS_PREFIX}peer
SYS=/sys/class/net
PROC=/proc/net

# ---------------------------------------------------------------- helpers

mkveths() { bond_veths peer "$@"; }	# [-n NS] IF...: veths IF <-> IFp in peer
is_bond() { [[ -d $1/$2/bonding ]]; }					# SYSNET IF

proc_list() {		# VAR PROCNET: the files of PROCNET/bonding, sorted
	local f out=
	for f in "$2"/bonding/*; do
		[[ -e $f ]] && out+="${out:+ }${f##*/}"
	done
	printf -v "$1" '%s' "$out"
}

slave_entries() {	# VAR PROCNET BOND: "Slave Interface" names in /proc
	local l lines out=
	mapfile -t lines 2>/dev/null <"$2/bonding/$3"
	for l in "${lines[@]}"; do
		[[ $l == "Slave Interface: "* ]] && out+="${out:+ }${l#Slave Interface: }"
	done
	printf -v "$1" '%s' "$out"
}

# ---------------------------------------------------------------- subtests

masters_file() {
	local M=$SYS/bonding_masters v cmd
	bond_check_file $M "" "bonding_masters with max_bonds=0"
	bond_check_put $M +lcm0 OK "write +lcm0"
	bond_leftover lcm0
	check_true "lcm0 is a bond" is_bond $SYS lcm0
	check_true "/proc/net/bonding/lcm0 exists" test -r $PROC/bonding/lcm0
	bond_check_file $SYS/lcm0/bonding/mode "balance-rr 0" "mode of a new bond"
	bond_check_put $M +lcm1 OK "write +lcm1"
	bond_leftover lcm1
	bond_check_file $M "lcm0 lcm1" "bonding_masters lists bonds in creation order"

	log "refused commands change nothing"
	bond_check_put $M +lcm0 EEXIST "write +lcm0 again"
	for cmd in lcm2 + - '*lcm2' '+lc/m2' ''; do
		bond_check_put $M "$cmd" EPERM "malformed command '$cmd'"
	done
	bond_check_put $M -lcnosuch ENODEV "write -lcnosuch"
	bond_check_put $M -lo ENODEV "write -lo (not a bond)"
	check_true "lo is still there" test -e $SYS/lo
	check_false "no lcm2" test -e $SYS/lcm2
	bond_check_file $M "lcm0 lcm1" "bonding_masters after refused commands"
	proc_list v $PROC
	check_eq "$v" "lcm0 lcm1" "/proc/net/bonding"

	log "bonds made by ip link are listed too; a rename follows"
	check_ok ip link add lcm2 type bond
	bond_leftover lcm2
	bond_check_file $M "lcm0 lcm1 lcm2" "bonding_masters with an ip-link bond"
	check_ok ip link set lcm1 name lcm9
	bond_leftover lcm9
	bond_check_file $M "lcm0 lcm9 lcm2" "bonding_masters after renaming lcm1 to lcm9"
	proc_list v $PROC
	check_eq "$v" "lcm0 lcm2 lcm9" "/proc/net/bonding after the rename"

	log "-name deletes, whatever created the bond"
	bond_check_put $M -lcm0 OK "write -lcm0"
	check_false "lcm0 is gone" test -e $SYS/lcm0
	check_false "/proc/net/bonding/lcm0 is gone" test -e $PROC/bonding/lcm0
	bond_check_put $M -lcm2 OK "write -lcm2 (made by ip link)"
	check_false "lcm2 is gone" test -e $SYS/lcm2
	bond_check_file $M "lcm9" "bonding_masters"
	check_ok ip link del lcm9
	bond_check_file $M "" "bonding_masters after deleting every bond"
	proc_list v $PROC
	check_eq "$v" "" "/proc/net/bonding after deleting every bond"
}

iplink_create_delete() {
	check_ok ip link add lci0 type bond mode active-backup miimon 100 updelay 200
	bond_leftover lci0
	check_true "lci0 is a bond" is_bond $SYS lci0
	bond_check_file $SYS/lci0/bonding/mode "active-backup 1" "mode"
	bond_check_file $SYS/lci0/bonding/miimon 100 "miimon"
	bond_check_file $SYS/lci0/bonding/updelay 200 "updelay"
	local v
	bond_file_value v $PROC/bonding/lci0 "Bonding Mode"
	check_eq "$v" "fault-tolerance (active-backup)" "/proc Bonding Mode"
	bond_check_file $SYS/bonding_masters "lci0" "bonding_masters"

	log "a refused creation leaves no bond behind"
	check_fail ip link add lci1 type bond miimon 2147483648
	check_fail ip link add lci1 type bond mode balance-xor lacp_rate fast
	check_fail ip link add lci1 type bond mode balance-alb arp_interval 100
	check_fail ip link add lci1 type bond ns_ip6_target ::1
	check_fail ip link add lci1 type bond mode active-backup packets_per_slave 3
	check_false "no lci1" test -e $SYS/lci1
	check_false "no /proc/net/bonding/lci1" test -e $PROC/bonding/lci1
	bond_check_file $SYS/bonding_masters "lci0" "bonding_masters after refused creations"
	check_fail ip link add lci0 type bond mode broadcast
	bond_check_file $SYS/lci0/bonding/mode "active-backup 1" "mode of lci0 after a refused duplicate add"

	check_ok ip link add lci2 type bond mode 3
	bond_leftover lci2
	bond_check_file $SYS/lci2/bonding/mode "broadcast 3" "mode given by number"

	bond_ipb "link del lci0" "link del lci2"
	check_false "lci0 is gone" test -e $SYS/lci0
	check_false "/proc/net/bonding/lci0 is gone" test -e $PROC/bonding/lci0
	bond_check_file $SYS/bonding_masters "" "bonding_masters after ip link del"
}

max_bonds_at_load() {
	local b
	check_ok modprobe -r bonding
	check_false "bonding is unloaded" test -e /sys/module/bonding
	check_false "no bonding_masters without the module" test -e $SYS/bonding_masters
	check_ok modprobe bonding max_bonds=2
	bonding_is_ours || _check_failed "bonding loaded with max_bonds=2 is not ours"
	bond_check_file $SYS/bonding_masters "bond0 bond1" "bonding_masters after load with max_bonds=2"
	for b in bond0 bond1; do
		check_true "$b is a bond" is_bond $SYS $b
		check_true "/proc/net/bonding/$b exists" test -r $PROC/bonding/$b
		bond_check_file $SYS/$b/bonding/mode "balance-rr 0" "mode of $b"
	done
	bond_check_file "${BOND_VIEW_SYS[na]}/bonding_masters" "" "bonding_masters of namespace na (max_bonds is for the initial one)"
	check_ok modprobe -r bonding
	check_false "bond0 is gone" test -e $SYS/bond0
	check_false "bond1 is gone" test -e $SYS/bond1
	check_ok modprobe bonding max_bonds=0
	bonding_is_ours || _check_failed "bonding reloaded with max_bonds=0 is not ours"
	bond_check_file $SYS/bonding_masters "" "bonding_masters after reload with max_bonds=0"
	bond_check_file "${BOND_VIEW_SYS[na]}/bonding_masters" "" "bonding_masters of namespace na after reload"
}

netns_masters() {
	local AS BS AP BP v
	AS=${BOND_VIEW_SYS[na]} BS=${BOND_VIEW_SYS[nb]} AP=${BOND_VIEW_PROC[na]} BP=${BOND_VIEW_PROC[nb]}
	bond_check_put "$AS/bonding_masters" +lcna OK "+lcna in na"
	bond_check_file "$AS/bonding_masters" "lcna" "bonding_masters of na"
	bond_check_file "$BS/bonding_masters" "" "bonding_masters of nb"
	bond_check_file $SYS/bonding_masters "" "bonding_masters of the initial namespace"
	check_false "lcna is not in nb" test -e "$BS/lcna"
	check_false "lcna is not in the initial namespace" test -e $SYS/lcna
	check_true "/proc/net/bonding/lcna in na" test -r "$AP/bonding/lcna"
	check_false "/proc/net/bonding/lcna not in nb" test -e "$BP/bonding/lcna"
	check_false "/proc/net/bonding/lcna not in the initial namespace" test -e $PROC/bonding/lcna

	log "the same name in nb is another bond"
	bond_check_put "$BS/bonding_masters" +lcna OK "+lcna in nb"
	check_ok ip -n "${NS_PREFIX}nb" link add lcnb type bond mode broadcast
	bond_check_file "$BS/bonding_masters" "lcna lcnb" "bonding_masters of nb"
	bond_check_file "$AS/bonding_masters" "lcna" "bonding_masters of na"
	bond_check_put "$BS/lcna/bonding/mode" active-backup OK "mode of nb's lcna"
	bond_check_file "$BS/lcna/bonding/mode" "active-backup 1" "mode of nb's lcna"
	bond_check_file "$AS/lcna/bonding/mode" "balance-rr 0" "mode of na's lcna"

	log "deleting in one namespace leaves the other alone"
	bond_check_put "$AS/bonding_masters" -lcnb ENODEV "-lcnb in na (it lives in nb)"
	bond_check_put "$AS/bonding_masters" -lcna OK "-lcna in na"
	bond_check_file "$AS/bonding_masters" "" "bonding_masters of na"
	check_false "/proc/net/bonding/lcna gone from na" test -e "$AP/bonding/lcna"
	bond_check_file "$BS/bonding_masters" "lcna lcnb" "bonding_masters of nb"
	proc_list v "$BP"
	check_eq "$v" "lcna lcnb" "/proc/net/bonding of nb"
	bond_ipb @nb "link del lcna" "link del lcnb"
}

netns_move() {
	local i mac=() mtu=() MS MP MV=${NS_PREFIX}na
	MS=${BOND_VIEW_SYS[na]} MP=${BOND_VIEW_PROC[na]}
	bond_ipb <<-EOF
		link add lcmv type bond mode active-backup miimon 100
		link set lcmv mtu 1400
	EOF
	bond_leftover lcmv
	mkveths lcmv1 lcmv2
	bond_leftover lcmv1
	bond_leftover lcmv2
	for i in 1 2; do
		bond_rd "mac[i]" $SYS/lcmv$i/address
		bond_rd "mtu[i]" $SYS/lcmv$i/mtu
	done
	bond_ipb <<-EOF
		link set lcmv1 master lcmv
		link set lcmv2 master lcmv
		link set lcmv up
	EOF
	check_ok bct_wait_until 10 bond_active_is $PROC lcmv lcmv1
	bond_check_file $SYS/lcmv1/mtu 1400 "lcmv1 MTU while enslaved"

	log "move lcmv to namespace na"
	check_ok ip link set lcmv netns "$MV"
	check_false "lcmv left the initial namespace" test -e $SYS/lcmv
	bond_check_file $SYS/bonding_masters "" "bonding_masters of the old namespace"
	check_false "/proc/net/bonding/lcmv left the old namespace" test -e $PROC/bonding/lcmv
	bond_check_file "$MS/bonding_masters" "lcmv" "bonding_masters of na"
	check_true "/proc/net/bonding/lcmv in na" test -r "$MP/bonding/lcmv"
	bond_check_file "$MS/lcmv/bonding/slaves" "" "slaves after the move"
	check_true "/proc active slave None after the move" bond_active_is "$MP" lcmv None
	bond_check_file "$MS/lcmv/bonding/mode" "active-backup 1" "mode kept"
	bond_check_file "$MS/lcmv/bonding/miimon" 100 "miimon kept"
	bond_check_file "$MS/lcmv/mtu" 1400 "bond MTU kept"
	for i in 1 2; do
		bond_check_released $SYS "lcmv$i" "${mac[i]}" "${mtu[i]}" "lcmv$i (left behind)"
		mtu6_is "lcmv$i" "${mtu[i]}"
	done

	log "new slaves in na"
	check_ok ip link add lcmv3 netns "$MV" type veth peer name lcmv3p netns "$PEER"
	bond_ipb @peer <<-EOF
		addr add 10.78.0.2/24 dev lcmv3p
		link set lcmv3p up
	EOF
	bond_ipb @na <<-EOF
		link set lcmv3 master lcmv
		addr add 10.78.0.1/24 dev lcmv
		link set lcmv up
	EOF
	check_true "lcmv3 has bonding_slave/ in na" test -d "$MS/lcmv3/bonding_slave"
	check_ok bct_wait_until 10 bond_active_is "$MP" lcmv lcmv3
	bond_check_file "$MS/lcmv/bonding/slaves" "lcmv3" "slaves in na"
	check_ok bct_wait_until 20 bct_in na ping -c1 -W1 10.78.0.2

	log "and back: released again"
	check_ok ip -n "$MV" link set lcmv netns $$
	bond_check_file $SYS/bonding_masters "lcmv" "bonding_masters of the initial namespace"
	bond_check_file "$MS/bonding_masters" "" "bonding_masters of na"
	check_false "/proc/net/bonding/lcmv left na" test -e "$MP/bonding/lcmv"
	check_true "/proc/net/bonding/lcmv is back" test -r $PROC/bonding/lcmv
	check_true "lcmv3 has no master" bond_no_master "$MS" lcmv3
	bond_ipb "link del lcmv" "link del lcmv1" "link del lcmv2"
	bond_ipb @na "link del lcmv3"
}

slaves_deleted() {
	local i mac=() v
	check_ok ip link add lcsd type bond mode active-backup miimon 100
	bond_leftover lcsd
	mkveths lcsd1 lcsd2 lcsd3 lcsd4
	for i in 1 2 3 4; do
		bond_leftover "lcsd$i"
		bond_rd "mac[i]" $SYS/lcsd$i/address
	done
	bond_ipb <<-EOF
		link set lcsd1 master lcsd
		link set lcsd2 master lcsd
		link set lcsd3 master lcsd
		link set lcsd up
	EOF
	check_ok bct_wait_until 10 bond_active_is $PROC lcsd lcsd1
	bond_check_file $SYS/lcsd/address "${mac[1]}" "bond MAC (from its first slave)"
	bond_check_file $SYS/lcsd/addr_assign_type 2 "bond addr_assign_type (stolen)"

	log "delete the active slave"
	check_ok ip link del lcsd1
	bond_check_file $SYS/lcsd/bonding/slaves "lcsd2 lcsd3" "slaves"
	check_ok bct_wait_until 10 bond_active_is $PROC lcsd lcsd2
	slave_entries v $PROC lcsd
	check_eq "$v" "lcsd2 lcsd3" "/proc slave entries"
	check_false "no lower_lcsd1 link" test -e $SYS/lcsd/lower_lcsd1
	check_true "lower_lcsd2 and lower_lcsd3 links" test -e $SYS/lcsd/lower_lcsd2 -a -e $SYS/lcsd/lower_lcsd3
	bond_check_file $SYS/lcsd/bonding/mii_status up "bond carrier"

	log "delete a backup slave through its peer"
	check_ok ip -n "$PEER" link del lcsd3p
	check_false "lcsd3 is gone" test -e $SYS/lcsd3
	bond_check_file $SYS/lcsd/bonding/slaves "lcsd2" "slaves"
	check_true "lcsd2 still active" bond_active_is $PROC lcsd lcsd2

	log "delete the last slave through its peer"
	check_ok ip -n "$PEER" link del lcsd2p
	bond_check_file $SYS/lcsd/bonding/slaves "" "slaves"
	bond_check_file $SYS/lcsd/bonding/active_slave "" "active_slave"
	check_true "/proc active slave None" bond_active_is $PROC lcsd None
	slave_entries v $PROC lcsd
	check_eq "$v" "" "/proc slave entries"
	check_ok bct_wait_until 5 bond_carrier_is $SYS lcsd down
	bond_check_file $SYS/lcsd/addr_assign_type 1 "bond addr_assign_type (random again)"
	bond_rd v $SYS/lcsd/address
	for i in 1 2 3; do
		check_ne "$v" "${mac[i]}" "bond MAC vs the MAC of deleted lcsd$i"
	done

	log "the bond still takes slaves"
	check_ok ip link set lcsd4 master lcsd
	check_ok bct_wait_until 10 bond_active_is $PROC lcsd lcsd4
	bond_check_file $SYS/lcsd/address "${mac[4]}" "bond MAC from its new first slave"
	bond_ipb "link del lcsd" "link del lcsd4"
}

tx_above() {		# FILE N: the counter in FILE is above N
	local v
	bond_rd v "$1"
	((v > $2))
}

delete_under_traffic() {
	local i mac=() pid HS H=${NS_PREFIX}na SW=${NS_PREFIX}nb v
	HS=${BOND_VIEW_SYS[na]}
	bond_ipb @na <<-EOF
		link add lcdt type bond mode balance-rr miimon 100
		link set lcdt mtu 1400
	EOF
	bond_ipb <<-EOF
		link add lcdt1 netns $H type veth peer name lcdtp1 netns $SW
		link add lcdt2 netns $H type veth peer name lcdtp2 netns $SW
	EOF
	bond_ipb @nb <<-EOF
		link add lcdtbr type bridge stp_state 0 forward_delay 0
		link set lcdtp1 master lcdtbr
		link set lcdtp1 up
		link set lcdtp2 master lcdtbr
		link set lcdtp2 up
		addr add 10.77.0.2/24 dev lcdtbr
		link set lcdtbr up
	EOF
	for i in 1 2; do
		bond_rd "mac[i]" "$HS/lcdt$i/address"
	done
	bond_ipb @na <<-EOF
		link set lcdt1 master lcdt
		link set lcdt2 master lcdt
		addr add 10.77.0.1/24 dev lcdt
		link set lcdt up
	EOF
	bond_check_file "$HS/lcdt1/mtu" 1400 "lcdt1 MTU while enslaved"
	bond_check_file "$HS/lcdt2/mtu" 1400 "lcdt2 MTU while enslaved"
	check_ok bct_wait_until 10 bond_carrier_is "$HS" lcdt up
	check_ok bct_wait_until 20 bct_in na ping -c1 -W1 10.77.0.2

	bct_in na ping -f -q -w 60 10.77.0.2 >/dev/null 2>&1 &
	pid=$!
	defer kill "$pid"
	check_ok bct_wait_until 20 tx_above "$HS/lcdt/statistics/tx_packets" 300
	log "delete the bond under a ping flood"
	check_ok ip -n "$H" link del lcdt
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null

	check_false "lcdt is gone" test -e "$HS/lcdt"
	bond_check_file "$HS/bonding_masters" "" "bonding_masters"
	check_false "/proc/net/bonding/lcdt is gone" test -e "${BOND_VIEW_PROC[na]}/bonding/lcdt"
	for i in 1 2; do
		bond_check_released "$HS" "lcdt$i" "${mac[i]}" 1500 "lcdt$i"
	done
	v=
	for i in "$HS"/*; do
		[[ -L $i ]] && v+="${v:+ }${i##*/}"
	done
	check_eq "$v" "lcdt1 lcdt2 lo" "interfaces left in the namespace"
	bond_ipb @na "link del lcdt1" "link del lcdt2"
	bond_ipb @nb "link del lcdtbr"
}

bonds_in() {		# VAR SYSNET: names of the bonds in SYSNET
	local d out=
	for d in "$2"/*/bonding; do
		[[ -d $d ]] || continue
		d=${d%/bonding}
		out+="${out:+ }${d##*/}"
	done
	printf -v "$1" '%s' "$out"
}

# mtu6_is IF MTU: IPv6's MTU of IF (initial namespace) is MTU: the stack
# heard of the last MTU change (NETDEV_CHANGEMTU), as after dev_set_mtu().
mtu6_is() {
	local v
	[[ -r /proc/sys/net/ipv6/conf/$1/mtu ]] || { log "no IPv6 on $1"; return 0; }
	v=$(</proc/sys/net/ipv6/conf/$1/mtu)
	check_eq "$v" "$2" "IPv6 MTU of $1 (told of its MTU change)"
}

rmmod_everywhere() {
	local i mac=() n s p v RA=${NS_PREFIX}na
	bond_ipb <<-EOF
		link add lcx0 type bond mode balance-rr miimon 100
		link set lcx0 mtu 1400
	EOF
	bond_leftover lcx0
	mkveths lcx1 lcx2
	mkveths -n na lcx3
	mkveths -n nb lcx4
	for i in 1 2; do
		bond_leftover "lcx$i"
		bond_rd "mac[i]" $SYS/lcx$i/address
	done
	bond_rd "mac[3]" "${BOND_VIEW_SYS[na]}/lcx3/address"
	bond_rd "mac[4]" "${BOND_VIEW_SYS[nb]}/lcx4/address"
	bond_ipb <<-EOF
		link set lcx1 master lcx0
		link set lcx2 master lcx0
		link set lcx0 up
		link add link lcx0 name lcx0.5 type vlan id 5
		link set lcx0.5 up
	EOF
	bond_ipb @na <<-EOF
		link add lcxa type bond mode active-backup miimon 100
		link set lcx3 master lcxa
		link set lcxa up
	EOF
	bond_check_put "${BOND_VIEW_SYS[nb]}/bonding_masters" +lcxb OK "+lcxb in nb"
	bond_check_put "${BOND_VIEW_SYS[nb]}/lcxb/bonding/mode" broadcast OK "lcxb mode broadcast"
	bond_check_put "${BOND_VIEW_SYS[nb]}/lcxb/bonding/miimon" 100 OK "lcxb miimon 100"
	bond_check_put "${BOND_VIEW_SYS[nb]}/lcxb/bonding/slaves" +lcx4 OK "+lcx4 into lcxb"
	bond_ipb @nb <<-EOF
		link add lcxb2 type bond
		link set lcxb up
	EOF
	check_ok bct_wait_until 10 bond_carrier_is $SYS lcx0 up
	check_ok bct_wait_until 10 bond_carrier_is "${BOND_VIEW_SYS[na]}" lcxa up
	check_ok bct_wait_until 10 bond_carrier_is "${BOND_VIEW_SYS[nb]}" lcxb up

	mtu6_is lcx1 1400
	bond_klog_mark
	check_ok rmmod bonding
	check_false "bonding is unloaded" test -e /sys/module/bonding
	# Unloading deletes the bonds: their slaves leave because the bond
	# goes, not as if it moved to another namespace, and get their MTU
	# back the normal way.
	v=$(bond_klog_since)
	check_false "no bond read the unload as a namespace move" \
		grep -q "moving to another network namespace" <<<"$v"
	for i in 1 2 3 4; do
		check_match "$v" "\(slave lcx$i\): released \(bond going away\)" "kernel log of lcx$i"
	done
	mtu6_is lcx1 1500
	mtu6_is lcx2 1500
	for n in init na nb; do
		if [[ $n == init ]]; then
			s=$SYS p=$PROC
		else
			s=${BOND_VIEW_SYS[$n]} p=${BOND_VIEW_PROC[$n]}
		fi
		bonds_in v "$s"
		check_eq "$v" "" "bonds left in namespace $n"
		check_false "no bonding_masters in $n" test -e "$s/bonding_masters"
		check_false "no /proc/net/bonding in $n" test -e "$p/bonding"
	done
	check_false "the VLAN on lcx0 is gone" test -e $SYS/lcx0.5
	for i in 1 2; do
		bond_check_released $SYS "lcx$i" "${mac[i]}" 1500 "lcx$i"
	done
	bond_check_released "${BOND_VIEW_SYS[na]}" lcx3 "${mac[3]}" 1500 "lcx3 (namespace na)"
	bond_check_released "${BOND_VIEW_SYS[nb]}" lcx4 "${mac[4]}" 1500 "lcx4 (namespace nb)"

	check_ok modprobe bonding max_bonds=0
	bonding_is_ours || _check_failed "bonding reloaded after rmmod is not ours"
	for n in init na nb; do
		if [[ $n == init ]]; then
			s=$SYS p=$PROC
		else
			s=${BOND_VIEW_SYS[$n]} p=${BOND_VIEW_PROC[$n]}
		fi
		bond_check_file "$s/bonding_masters" "" "bonding_masters of namespace $n after reload"
		check_true "/proc/net/bonding in $n after reload" test -d "$p/bonding"
	done
	check_ok ip -n "$RA" link add lcxa type bond
	check_true "a new bond in na has /proc/net/bonding/lcxa" test -r "${BOND_VIEW_PROC[na]}/bonding/lcxa"
	check_ok ip -n "$RA" link del lcxa
	bond_ipb "link del lcx1" "link del lcx2"
	bond_ipb @na "link del lcx3"
	bond_ipb @nb "link del lcx4"
}

ktap_plan 9
ns_create peer na nb
bond_view na nb
dmesg_mark
log "setup took $SECONDS s"
run_test bonding_masters_create_delete timed masters_file
run_test ip_link_create_delete timed iplink_create_delete
run_test max_bonds_at_load timed max_bonds_at_load
run_test netns_own_bonding_masters timed netns_masters
run_test netns_move_releases_slaves timed netns_move
run_test slaves_deleted_while_enslaved timed slaves_deleted
run_test bond_deleted_under_traffic timed delete_under_traffic
run_test rmmod_removes_bonds_in_all_netns timed rmmod_everywhere
run_test no_kernel_splat timed dmesg_check_clean "bond lifecycle"
ktap_finish
