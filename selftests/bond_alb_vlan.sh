#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=300
#
# balance-alb: what RLB must not balance or learn, and VLANs.
#
# Topology (bond_alb_lib.sh): a bridge in "sw"; the alb bond alb0 (2 slaves,
# miimon 100, 198.18.0.1/16 and 2001:db8::1/64) in "srv"; clients c1..c3
# (198.18.1.N/16; c1 also 2001:db8::11/64; c2 and c3 also on VLAN 10 as
# 198.19.0.1N/24) and a namespace "st" for ./arp_storm on the bridge.
#
# What must hold: IPv6 is received on the active slave only (RLB balances
# IPv4 through ARP); clients on a VLAN above the bond are learned from tagged
# ARP (from real clients and from a tagged storm), balanced like the others,
# told with tagged updates, and purged when the VLAN device goes away;
# malformed ARP is counted as such, teaches nothing and breaks nothing, while
# a well-formed ARP padded to the MTU is a normal request.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"
. "$LIB_DIR/bond_alb_lib.sh"

require_cmd ping nsenter

setup() {
	alb_topology 2 3 --ipv6 1 --vlan 2 --vlan 3
}

# IPv6 is not receive-balanced: it arrives on the active slave, whose MAC is
# the bond's.
ipv6_active_only() {
	local a bm out ip
	# c2 then c1 over IPv4: c1 goes to the slave c2 is not on.
	check_ping c2 $BOND_IP
	check_ping c1 $BOND_IP
	pf a "Currently Active Slave"
	mac bm $B
	check_ping c1 2001:db8::1
	out=$(ns_ip c1 -6 neigh show 2001:db8::1 dev eth0)
	check_match "$out" "lladdr $bm( |$)" "c1's neighbour entry for 2001:db8::1 (the bond's MAC)"
	check_arrives_on c1 2001:db8::1 "$a"
	# c1's IPv4 traffic keeps going to its own slave.
	client_ip ip 1
	load_table
	[[ ${SLAVE_OF[$ip]} == "$a" ]] && log "(c1's IPv4 slave is the active slave too)"
	check_arrives_on c1 $BOND_IP "${SLAVE_OF[$ip]}"
}

# A VLAN on the bond: tagged clients are learned (with their VLAN), balanced,
# told with tagged updates, and purged with the VLAN device.
vlan_clients() {
	local i ip s min c m v untagged added0 added1 purged0 purged1
	check_ok ns_ip srv -batch - <<EOF || return 1
link add link $B name $B.10 type vlan id 10
link set $B.10 up
addr add $VLAN_IP/24 dev $B.10
EOF
	for ((i = 1; i <= NCLIENTS; i++)); do
		check_ping "c$i" $BOND_IP
	done
	load_table
	untagged=$ROWS
	for i in 2 3; do
		ip=198.19.0.1$i
		load_table
		min=999999
		for s in "${SLAVES[@]}"; do ((COUNT[$s] < min)) && min=${COUNT[$s]}; done
		c=$(declare -p COUNT)
		check_ping "c$i" $VLAN_IP
		load_table
		s=${SLAVE_OF[$ip]:-}
		check_match "$s" '^as[0-9]$' "slave of VLAN client $ip"
		eval "local -A before=${c#*=}"
		# shellcheck disable=SC2154	# before: set by the eval
		check_eq "${before[$s]:-}" "$min" "clients $s had before $ip came (the fewest)"
		client_mac m "$i"
		check_eq "${SRVIP[$ip]:-} ${CMAC[$ip]:-}" "$VLAN_IP $m" "server IP and MAC of $ip in the table"
		check_told "c$i" "$ip" $VLAN_IP eth0.10
		check_arrives_on "c$i" $VLAN_IP "$s"
	done

	rs added0 "RLB Clients Added"
	check_ok bct_in st ./arp_storm -i eth0 --vlan 10 --sources 64 --src-ip 198.19.0.100 \
		--src-mac 02:5b:00:00:00:01 --target-ip $VLAN_IP --count 64 --rate 200
	vlan_added() { rs added1 "RLB Clients Added" && ((added1 >= added0 + 64)); }
	check_ok bct_wait_until 20 vlan_added
	rs added1 "RLB Clients Added"
	check_eq "$((added1 - added0))" 64 "clients added by the tagged storm"
	load_table
	v=0
	for c in "${!SRVIP[@]}"; do [[ ${SRVIP[$c]} == "$VLAN_IP" ]] && v=$((v + 1)); done
	check_eq "$v" 66 "table rows of the VLAN's address (64 + c2 + c3)"
	check_spread

	rs purged0 "RLB Clients Purged"
	check_ok ns_ip srv link del $B.10
	vlan_gone() {
		local c
		load_table || return 1
		for c in "${!SRVIP[@]}"; do [[ ${SRVIP[$c]} == "$VLAN_IP" ]] && return 1; done
		return 0
	}
	check_ok bct_wait_until 10 vlan_gone
	rs purged1 "RLB Clients Purged"
	check_eq "$((purged1 - purged0))" 66 "RLB Clients Purged growth"
	load_table
	check_eq "$ROWS" "$untagged" "rows left (the untagged clients)"
	rs v "RLB Clients"
	check_eq "$v" "$untagged" "rlb_stats RLB Clients"
	for ((i = 1; i <= NCLIENTS; i++)); do
		check_told "c$i" "198.18.1.$i" $BOND_IP eth0
	done
	check_arrives_on c2 $BOND_IP "${SLAVE_OF[198.18.1.2]}"
}

# frames_lost: frames the kernel dropped on their way to the bond: backlog
# drops (softnet_stat) and the slaves' rx_dropped.
frames_lost() {
	local sum=0 l f s
	while read -r l; do
		read -r -a f <<<"$l"
		sum=$((sum + 16#${f[1]}))
	done </proc/net/softnet_stat
	for s in "${SLAVES[@]}"; do
		bct_stat l srv "$s" rx_dropped && sum=$((sum + l))
	done
	echo "$sum"
}

# Malformed ARP is counted and ignored; padded ARP is well-formed.
malformed_arp() {
	local seen0 seen1 bad0 bad1 added0 added1 purged0 purged1 rows0 c i n=700 ns=${#SLAVES[@]}
	local lost0 lost
	local kinds=truncated,hln,pln,hrd,zero-mac,bcast-mac,op
	check_ok slaves_up
	rs seen0 "RLB ARP Seen"
	rs bad0 "RLB ARP Malformed"
	rs added0 "RLB Clients Added"
	rs purged0 "RLB Clients Purged"
	load_table
	rows0=$ROWS
	lost0=$(frames_lost)
	check_ok bct_in st ./arp_storm -i eth0 --malformed $kinds --sources 70 \
		--src-ip 198.18.40.1 --src-mac 02:5c:00:00:00:01 --target-ip $BOND_IP \
		--count $n --rate 500 --batch 8
	# Every frame is flooded to every slave, and each slave's hook sees it,
	# but for frames the kernel says it dropped on the way (a loaded host).
	all_seen() { rs bad1 "RLB ARP Malformed" && ((bad1 - bad0 >= n * ns)); }
	bct_wait_until 10 all_seen
	rs bad1 "RLB ARP Malformed"
	lost=$(($(frames_lost) - lost0))
	if ((lost)); then
		log "the kernel dropped $lost frames during the storm"
		check_true "RLB ARP Malformed growth $((bad1 - bad0)): $n frames x $ns slaves, less at most $lost dropped" \
			test $((bad1 - bad0)) -le $((n * ns)) -a $((bad1 - bad0)) -ge $((n * ns - lost))
	else
		check_eq "$((bad1 - bad0))" $((n * ns)) "RLB ARP Malformed growth ($n frames x $ns slaves)"
	fi
	rs seen1 "RLB ARP Seen"
	check_ok test $((seen1 - seen0)) -ge $((n * ns))
	check_ping c1 $BOND_IP
	rs added1 "RLB Clients Added"
	check_eq "$((added1 - added0))" 0 "clients added by malformed ARP"
	rs purged1 "RLB Clients Purged"
	check_eq "$((purged1 - purged0))" 0 "clients purged by malformed ARP"
	load_table
	check_eq "$ROWS" "$rows0" "rows in the table"
	for c in "${!SLAVE_OF[@]}"; do
		[[ $c == 198.18.40.* ]] && _check_failed "malformed source $c is in the table"
	done
	all_told
	for ((i = 1; i <= NCLIENTS; i++)); do
		check_ping "c$i" $BOND_IP
	done

	rs bad0 "RLB ARP Malformed"
	rs added0 "RLB Clients Added"
	check_ok bct_in st ./arp_storm -i eth0 --malformed padding --sources 20 \
		--src-ip 198.18.41.1 --src-mac 02:5d:00:00:00:01 --target-ip $BOND_IP \
		--count 20 --rate 200
	padded_added() { rs added1 "RLB Clients Added" && ((added1 - added0 >= 20)); }
	check_ok bct_wait_until 10 padded_added
	rs added1 "RLB Clients Added"
	check_eq "$((added1 - added0))" 20 "clients added by padded ARP requests"
	rs bad1 "RLB ARP Malformed"
	check_eq "$((bad1 - bad0))" 0 "padded ARP counted as malformed"
}

ktap_plan 5
dmesg_mark
run_setup setup setup
run_test ipv6_received_on_active_only after_setup ipv6_active_only
run_test vlan_clients_balanced_and_purged after_setup vlan_clients
run_test malformed_arp_counted_and_ignored after_setup malformed_arp
run_test no_kernel_splat dmesg_check_clean "balance-alb IPv6, VLAN, malformed ARP"
ktap_finish
