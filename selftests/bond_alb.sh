#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=300
#
# balance-alb receive load balancing (RLB): clients, slaves and failures.
#
# Topology (bond_alb_lib.sh): a bridge in "sw"; the alb bond alb0 (4 slaves
# as1..as4, miimon 100, 198.18.0.1/16) in "srv", each slave's peer a bridge
# port; clients c1..c6 (198.18.1.N/16) on the bridge.
#
# What must hold: the bond answers each client's ARP with the MAC of the
# slave with the fewest clients, so the clients end up on different slaves,
# learn those slaves' MACs and their traffic arrives there; /proc, rlb_stats
# and the debugfs table agree; when a slave fails or leaves its clients move
# to live slaves, are told (ARP updates) and keep talking; when it comes back
# or a slave joins, clients are rebalanced onto it; a moved client that
# cannot take an update right away (ARP locktime) is told again later.
# bond_alb_vlan.sh: IPv6, VLANs, malformed ARP; bond_alb_scale.sh: thousands
# of clients and rlb_max_clients.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"
. "$LIB_DIR/bond_alb_lib.sh"

require_cmd ping nsenter

setup() {
	alb_topology 4 6
}

# ---------------------------------------------------------------- subtests
all_agree() {
	local i ip
	for ((i = 1; i <= NCLIENTS; i++)); do
		client_ip ip "$i"
		told "c$i" "$ip" $BOND_IP eth0 || return 1
	done
}

# Each client pings in turn: it is put on the slave with the fewest clients,
# learns that slave's MAC, and its traffic arrives there.
clients_spread() {
	local i ip m s macs=() want=() got
	for ((i = 1; i <= NCLIENTS; i++)); do
		check_ping "c$i" $BOND_IP
	done
	log_table "after $NCLIENTS clients"
	all_told
	# The bond's own ARP probes (sender: the bond's MAC) briefly point a
	# client at the active slave until RLB tells it again: take the clients'
	# MACs at a moment when every one agrees with the table.
	bct_wait_until 20 all_agree
	for ((i = 1; i <= NCLIENTS; i++)); do
		bond_arp_mac m "c$i" $BOND_IP eth0
		macs+=("$m")
	done
	for s in "${SLAVES[@]}"; do mac m "$s"; want+=("$m"); done
	log "the clients' MACs for $BOND_IP: ${macs[*]}"
	got=$(printf '%s\n' "${macs[@]}" | sort -u | tr '\n' ' ')
	check_eq "$got" "$(printf '%s\n' "${want[@]}" | sort | tr '\n' ' ')" \
		"distinct MACs the $NCLIENTS clients use (all ${#SLAVES[@]} slaves' MACs)"
	check_spread
	load_table
	for ((i = 1; i <= NCLIENTS; i++)); do
		client_ip ip "$i"
		client_mac m "$i"
		check_eq "${SRVIP[$ip]:-} ${CMAC[$ip]:-}" "$BOND_IP $m" "server IP and client MAC of $ip in the table"
	done
	for ((i = 1; i <= NCLIENTS; i++)); do
		client_ip ip "$i"
		load_table
		check_arrives_on "c$i" $BOND_IP "${SLAVE_OF[$ip]}"
	done
}

# /proc per-slave "RLB Clients:", the bond totals and rlb_stats agree with
# the debugfs table.
proc_matches_table() {
	local s v w
	load_table
	check_eq "$ROWS" $NCLIENTS "rows in rlb_hash_table"
	for s in "${SLAVES[@]}"; do
		pf v "RLB Clients" "$s"
		check_eq "$v" "${COUNT[$s]}" "/proc RLB Clients of $s (its rows in the table)"
	done
	pf v "RLB Clients"
	check_eq "$v" "$ROWS" "/proc RLB Clients"
	rs v "RLB Clients"
	check_eq "$v" "$ROWS" "rlb_stats RLB Clients"
	rs v "RLB Clients Added"
	check_eq "$v" $NCLIENTS "rlb_stats RLB Clients Added"
	pf w "RLB Clients Added"
	check_eq "$w" "$v" "/proc RLB Clients Added (= rlb_stats)"
	for s in Refused Purged Reassigned Aged Evicted; do
		rs v "RLB Clients $s"
		check_eq "$v" 0 "rlb_stats RLB Clients $s"
	done
	rs v "RLB ARP Malformed"
	check_eq "$v" 0 "rlb_stats RLB ARP Malformed"
	rs v "RLB ARP Seen"
	check_match "$v" '^[1-9][0-9]*$' "rlb_stats RLB ARP Seen"
	rs v "RLB Updates Sent"
	check_match "$v" '^[1-9][0-9]*$' "rlb_stats RLB Updates Sent"
	pf v "RLB Max Clients"
	check_eq "$v" 65536 "/proc RLB Max Clients"
}

# clients_back SLAVE WHAT: after SLAVE came back or joined, clients are
# rebalanced onto it (spread evenly again), every client knows its slave's
# MAC, and traffic of a client now on SLAVE arrives there.
clients_back() {
	local on c
	if bct_wait_until 20 some_on "$1"; then
		clients_of on "$1"
		log "ok: clients on $1 again: $on"
	else
		_check_failed "no client was rebalanced onto $1 after it $2"
	fi
	log_table "after $1 $2"
	check_spread
	all_told
	clients_of on "$1"
	for c in $on; do
		check_arrives_on "c${c##*.}" $BOND_IP "$1"
		break
	done
}

# moved_ok CLIENTS...: each client is on a live slave, knows its MAC, and
# its traffic arrives there.
moved_ok() {
	local c
	for c; do
		check_told "c${c##*.}" "$c" $BOND_IP eth0
		load_table
		check_arrives_on "c${c##*.}" $BOND_IP "${SLAVE_OF[$c]}"
	done
}

# A backup slave's link fails: its clients move to live slaves, are told,
# and keep talking; when it comes back, clients are rebalanced onto it.
slave_failure() {
	local v moved re0 re1 n
	busiest_backup v
	clients_of moved "$v"
	log "failing $v (peer sp${v#as}), its clients: $moved"
	[[ -n $moved ]] || { _check_failed "no client on backup slave $v"; return 1; }
	rs re0 "RLB Clients Reassigned"
	check_ok ns_ip sw link set "sp${v#as}" down
	check_ok bct_wait_until 10 mii_is "$v" down
	check_ok bct_wait_until 10 none_on "$v"
	rs re1 "RLB Clients Reassigned"
	n=$(wc -w <<<"$moved")
	check_eq "$((re1 - re0))" "$n" "RLB Clients Reassigned growth ($v had $n)"
	log_table "after $v failed"
	load_table
	check_eq "$ROWS" $NCLIENTS "rows in the table"
	# shellcheck disable=SC2086
	moved_ok $moved

	log "bringing $v back"
	check_ok ns_ip sw link set "sp${v#as}" up
	check_ok bct_wait_until 10 mii_is "$v" up
	clients_back "$v" "came back"
}

# The active slave fails: a backup takes over the bond's MAC (and its own
# clients are told the new one); every client ends up knowing the current
# MAC of its slave and keeps talking.
active_failure() {
	local a n m bm moved
	pf a "Currently Active Slave"
	clients_of moved "$a"
	log "failing the active slave $a (peer sp${a#as}), its clients: $moved"
	check_ok ns_ip sw link set "sp${a#as}" down
	check_ok bct_wait_until 10 active_is_not "$a"
	pf n "Currently Active Slave"
	mac m "$n"
	mac bm $B
	check_eq "$m" "$bm" "MAC of the new active slave $n (the bond's)"
	check_ok bct_wait_until 10 none_on "$a"
	log_table "after $a failed"
	all_told
	# shellcheck disable=SC2086
	moved_ok $moved
	check_ok ns_ip sw link set "sp${a#as}" up
	check_ok bct_wait_until 10 slaves_up
	clients_back "$a" "came back"
}

# A client whose ARP entry changed moments before its slave fails ignores
# replies that would change it again for its locktime (4 s here; 1 s by
# default): the updates for the move must keep coming after that, as
# upstream's rounds do (every 2 s, 4 rounds), or the client stays on a dead
# slave's MAC until its own entry expires.
update_outlasts_locktime() {
	local v moved c n
	busiest_backup v
	clients_of moved "$v"
	c=${moved%% *}
	[[ -n $c ]] || { _check_failed "no client on backup slave $v"; return 1; }
	n=c${c##*.}
	log "$n ($c) is on $v; its entry for $BOND_IP changes now, then $v fails"
	check_ok bct_in "$n" sysctl -qw net.ipv4.neigh.eth0.locktime=400
	# Nothing but the move may make the bond talk ARP meanwhile (its own
	# requests make it re-tell every client a little later).
	check_ok ns_ip srv neigh flush dev $B
	check_ok ns_ip "$n" neigh replace $BOND_IP lladdr 00:00:5e:00:53:01 dev eth0 nud reachable
	check_ok ns_ip sw link set "sp${v#as}" down
	check_ok bct_wait_until 10 none_on "$v"
	check_told "$n" "$c" $BOND_IP eth0
	check_ok bct_in "$n" sysctl -qw net.ipv4.neigh.eth0.locktime=100
	check_ok ns_ip sw link set "sp${v#as}" up
	check_ok bct_wait_until 10 mii_is "$v" up
	clients_back "$v" "came back"
}

# The same for clients rebalanced onto a slave that comes back: every
# client's entry changed moments before (same MAC, fresh state), so the
# first round of updates lands inside their locktime; later rounds must
# still come.
rebalance_outlasts_locktime() {
	local v i ip m
	busiest_backup v
	check_ok ns_ip sw link set "sp${v#as}" down
	check_ok bct_wait_until 10 none_on "$v"
	all_told
	check_ok ns_ip srv neigh flush dev $B
	load_table
	for ((i = 1; i <= NCLIENTS; i++)); do
		client_ip ip "$i"
		mac m "${SLAVE_OF[$ip]}"
		check_ok bct_in "c$i" sysctl -qw net.ipv4.neigh.eth0.locktime=400
		check_ok ns_ip "c$i" -batch - <<EOF
neigh replace $BOND_IP lladdr $m dev eth0 nud stale
neigh replace $BOND_IP lladdr $m dev eth0 nud reachable
EOF
	done
	log "every client's entry for $BOND_IP changed now; $v comes back"
	check_ok ns_ip sw link set "sp${v#as}" up
	check_ok bct_wait_until 10 mii_is "$v" up
	clients_back "$v" "came back"
	for ((i = 1; i <= NCLIENTS; i++)); do
		check_ok bct_in "c$i" sysctl -qw net.ipv4.neigh.eth0.locktime=100
	done
}

# Releasing a slave moves its clients; enslaving one gets clients onto it.
release_and_add() {
	local v moved re0 re1 n
	busiest_backup v
	clients_of moved "$v"
	log "releasing $v, its clients: $moved"
	rs re0 "RLB Clients Reassigned"
	check_ok ns_ip srv link set "$v" nomaster
	check_fail grep -q "^Slave Interface: $v\$" "$PROC"
	check_ok bct_wait_until 10 none_on "$v"
	load_table
	check_eq "$ROWS" $NCLIENTS "rows in the table after the release"
	rs re1 "RLB Clients Reassigned"
	n=$(wc -w <<<"$moved")
	check_ok test $((re1 - re0)) -ge "$n"
	# shellcheck disable=SC2086
	moved_ok $moved
	log "enslaving $v again"
	check_ok ns_ip srv -batch - <<EOF
link set $v down
link set $v master $B
EOF
	check_ok bct_wait_until 10 mii_is "$v" up
	clients_back "$v" "joined again"
}

ktap_plan 9
dmesg_mark
run_setup setup setup
run_test clients_spread_over_slaves after_setup clients_spread
run_test proc_and_stats_match_table after_setup proc_matches_table
run_test backup_failure_moves_and_returns after_setup slave_failure
run_test active_failure_keeps_clients after_setup active_failure
run_test release_and_add_slave after_setup release_and_add
run_test moved_client_told_after_its_locktime after_setup update_outlasts_locktime
run_test rebalanced_client_told_after_its_locktime after_setup rebalance_outlasts_locktime
run_test no_kernel_splat dmesg_check_clean "balance-alb RLB"
ktap_finish
