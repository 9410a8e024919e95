#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=300
#
# balance-alb RLB with many clients and with its cap, rlb_max_clients.
#
# A storm of ARP requests from 4096 distinct clients (./arp_storm in a
# namespace on the same bridge) reaches a 4-slave alb bond: the bond learns
# every one of them, refuses none, and puts exactly a quarter on each slave
# (a new client goes to the slave with the fewest, and a rebalance leaves
# counts that differ by at most one: with equal speeds 4096 clients split
# 1024 each). Reloaded with
# rlb_max_clients=256, a bond learns exactly 256 of 1001 clients and counts
# the rest as refused, while a learned and a refused real client both keep
# working; an out-of-range rlb_max_clients refuses the module load with a
# log line. The module is loaded normally again at the end (max_bonds=0).

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd ping modprobe nsenter

B=alb0
BOND_IP=198.18.0.1

PROC=		# /proc/net/bonding/alb0 of srv
DBG=		# debugfs directory of alb0

pf() { bond_file_value "$1" "$PROC" "$2" "${3:-}"; }

# The neighbour table is shared by all namespaces: let it hold the storm's
# clients (the kernel answers an ARP request only if it can cache the sender).
neigh_room() {
	local k v
	for k in gc_thresh1 gc_thresh2 gc_thresh3; do
		bct_get v "/proc/sys/net/ipv4/neigh/default/$k"
		defer sysctl -qw "net.ipv4.neigh.default.$k=$v"
	done
	sysctl -qw net.ipv4.neigh.default.gc_thresh3=32768 \
		net.ipv4.neigh.default.gc_thresh2=16384 net.ipv4.neigh.default.gc_thresh1=8192
}

# Whatever happens, leave our module loaded with its defaults.
restore_module() {
	[[ $(cat /sys/module/bonding/parameters/rlb_max_clients 2>/dev/null) == 65536 ]] && return
	modprobe -r bonding 2>/dev/null
	modprobe bonding max_bonds=0
}
defer restore_module

slaves_up() {
	local i v
	for ((i = 1; i <= $1; i++)); do
		pf v "MII Status" "as$i" && [[ $v == up ]] || return 1
	done
}

rows() {			# VAR: rows in rlb_hash_table
	local lines
	mapfile -t lines <"$DBG/rlb_hash_table" || return 1
	printf -v "$1" '%s' "$((${#lines[@]} > 0 ? ${#lines[@]} - 1 : 0))"
}

# topology N CLIENTS...: switch sw, alb bond alb0 with N slaves in srv,
# storm namespace st, and client namespaces (198.18.1.K/16 for the K-th).
topology() {
	local n=$1 i k cmds= port=
	shift
	switch_create sw || return 1
	ns_create srv st "$@" || return 1
	for ((i = 1; i <= n; i++)); do
		cmds+="link add as$i netns $(ns srv) type veth peer name sp$i netns $(ns sw)"$'\n'
		port+=" sp$i"
	done
	cmds+="link add eth0 netns $(ns st) type veth peer name stp netns $(ns sw)"$'\n'
	port+=" stp"
	for k in "$@"; do
		cmds+="link add eth0 netns $(ns "$k") type veth peer name p$k netns $(ns sw)"$'\n'
		port+=" p$k"
	done
	check_ok ip -batch - <<<"$cmds" || return 1
	cmds=
	for i in $port; do cmds+="link set $i master br0"$'\n'"link set $i up"$'\n'; done
	check_ok ns_ip sw -batch - <<<"$cmds" || return 1
	cmds="link add $B type bond mode balance-alb miimon 100"$'\n'
	for ((i = 1; i <= n; i++)); do cmds+="link set as$i master $B"$'\n'; done
	cmds+="link set $B up"$'\n'"addr add $BOND_IP/16 dev $B"$'\n'
	check_ok ns_ip srv -batch - <<<"$cmds" || return 1
	check_ok ns_ip st link set eth0 up
	i=0
	for k in "$@"; do
		i=$((i + 1))
		check_ok ns_ip "$k" -batch - <<<"link set eth0 up"$'\n'"addr add 198.18.1.$i/16 dev eth0" || return 1
		bond_ns_pin "$k" || return 1
	done
	bond_ns_pin srv || return 1
	PROC=${BOND_PROCNET[srv]}/bonding/$B
	DBG=$(bond_debugfs_dir -n srv $B)
	check_ok bct_wait_until 20 slaves_up "$n"
}

# teardown NS...: end what topology made (its pinned processes first, so the
# namespaces and the bond in them go away now).
teardown() {
	local n p
	for n in srv "$@"; do
		p=${BOND_PROCNET[$n]:-}
		p=${p#/proc/}
		[[ -n $p ]] && kill "${p%/net}" 2>/dev/null
	done
	for n in sw srv st "$@"; do ip netns del "$(ns "$n")" 2>/dev/null; done
}

# 4096 clients, 4 slaves of one speed: all learned, none refused, exactly
# 1024 on each slave; /proc agrees with the table.
many_clients() {
	local n=4096 t0 t1 v s c dist= lines l f
	local -A per=()
	topology 4 || return 1
	bct_ms t0
	check_ok bct_in st ./arp_storm -i eth0 --sources $n --src-ip 198.18.16.1 \
		--src-mac 02:5a:00:00:00:01 --target-ip $BOND_IP --count $n --rate 1000 --batch 16
	learned() { pf v "RLB Clients Added" && ((v >= n)); }
	bct_wait_until 90 learned
	bct_ms t1
	log "$n clients learned in $((t1 - t0)) ms (storm at 1000 frames/s)"
	pf v "RLB Clients Added"
	check_eq "$v" $n "RLB Clients Added"
	pf v "RLB Clients"
	check_eq "$v" $n "RLB Clients"
	pf v "RLB Clients Refused"
	check_eq "$v" 0 "RLB Clients Refused"
	mapfile -t lines <"$DBG/rlb_hash_table"
	check_eq "$((${#lines[@]} - 1))" $n "rows in rlb_hash_table"
	for l in "${lines[@]:1}"; do
		# shellcheck disable=SC2206
		f=($l)
		per[${f[3]}]=$((${per[${f[3]}]:-0} + 1))
	done
	for s in as1 as2 as3 as4; do
		pf c "RLB Clients" "$s"
		dist+="$s:$c "
		check_eq "$c" $((n / 4)) "/proc RLB Clients of $s"
		check_eq "${per[$s]:-0}" "$c" "table rows of $s (= its /proc RLB Clients)"
	done
	log "distribution of $n clients over 4 slaves: $dist"
	teardown
}

# rlb_max_clients=256: 256 learned of 1001, the rest refused; a learned and
# a refused real client both talk to the bond.
cap() {
	local s v m bm added refused
	check_ok modprobe -r bonding || return 1
	check_ok modprobe bonding max_bonds=0 rlb_max_clients=256 || return 1
	bonding_is_ours || _check_failed "bonding loaded with rlb_max_clients=256 is not ours"
	check_eq "$(cat /sys/module/bonding/parameters/rlb_max_clients)" 256 "rlb_max_clients parameter"
	topology 2 k1 k2 || return 1
	pf v "RLB Max Clients"
	check_eq "$v" 256 "/proc RLB Max Clients"

	bct_ping_all k1 2 -q -i 0.2 -W 3 $BOND_IP
	check_ok bct_in st ./arp_storm -i eth0 --sources 1000 --src-ip 198.18.16.1 \
		--src-mac 02:5a:00:00:00:01 --target-ip $BOND_IP --count 1000 --rate 1000 --batch 16
	all_answered() { pf added "RLB Clients Added" && pf refused "RLB Clients Refused" &&
		((added + refused >= 1001)); }
	check_ok bct_wait_until 60 all_answered
	pf v "RLB Clients"
	check_eq "$v" 256 "RLB Clients"
	pf v "RLB Clients Added"
	check_eq "$v" 256 "RLB Clients Added"
	rows v
	check_eq "$v" 256 "rows in rlb_hash_table"
	pf refused "RLB Clients Refused"
	check_eq "$refused" 745 "RLB Clients Refused (1001 clients, 256 learned)"

	s=$(bond_rlb_slave_of -n srv $B 198.18.1.1)
	check_match "$s" '^as[12]$' "slave of the learned client k1"
	m=$(bond_mac -n srv "$s")
	k1_told() { bond_arp_mac v k1 $BOND_IP eth0 && [[ $v == "$m" ]]; }
	check_ok bct_wait_until 20 k1_told
	bct_ping_all k1 3 -q -i 0.2 -W 3 $BOND_IP
	# k2 comes after the cap: refused, so answered from the active slave.
	bct_ping_all k2 3 -q -i 0.2 -W 3 $BOND_IP
	bm=$(bond_mac -n srv $B)
	bond_arp_mac v k2 $BOND_IP eth0
	check_eq "$v" "$bm" "k2's ARP entry (the bond's MAC)"
	check_eq "$(bond_rlb_slave_of -n srv $B 198.18.1.2)" "" "k2 in the table"
	pf v "RLB Clients Refused"
	check_ok test "$v" -gt 745
	pf v "RLB Clients"
	check_eq "$v" 256 "RLB Clients after k2"
	teardown k1 k2
}

# An out-of-range rlb_max_clients refuses the load, with a log line.
bad_param() {
	local v
	check_ok modprobe -r bonding
	for v in 10 255 1048577; do
		bond_klog_mark
		check_fail modprobe bonding rlb_max_clients=$v
		check_fail test -e /sys/module/bonding
		check_match "$(bond_klog_since | grep rlb_max_clients)" "rlb_max_clients.*invalid.*\($v\)" \
			"kernel log for rlb_max_clients=$v"
	done
	check_ok modprobe bonding max_bonds=0
	check_eq "$(cat /sys/module/bonding/parameters/rlb_max_clients 2>/dev/null)" 65536 \
		"rlb_max_clients after a normal load"
	bonding_is_ours || _check_failed "bonding loaded again is not ours"
}

ktap_plan 4
neigh_room
dmesg_mark
run_test many_clients_balanced many_clients
run_test rlb_max_clients_cap cap
run_test rlb_max_clients_out_of_range bad_param
run_test no_kernel_splat dmesg_check_clean "RLB scale and cap"
ktap_finish
