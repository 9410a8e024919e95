#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=900
#
# Benchmark (make bench, not make check): RLB at scale. For 1024, 16384 and
# 65536 clients: how fast a balance-alb bond learns them, how fast it then
# handles ARP from clients it knows (lookups: should not slow down as the
# table grows), kernel memory per client, and how evenly the clients are
# spread over 4 slaves. Prints "# bench: ..." lines; fails only if the
# bond did not learn every client.

. "$(dirname "$(readlink -f "$0")")/lib.sh"

SIZES=${BENCH_RLB_SIZES:-1024 16384 65536}
BOND_IP=198.18.0.1

# Kernel memory in use, in bytes: slab objects in use plus vmalloc.
kmem() {
	awk '/^VmallocUsed:/ { v = $2 * 1024 } END { printf "%d\n", s + v }
	     FILENAME ~ /slabinfo/ && FNR > 2 { s += $2 * $4 }' /proc/slabinfo /proc/meminfo
}
rlb() { ns_exec srv awk -v k="$1" -F': ' '$1 == k { print $2 }' /sys/class/net/alb0/bonding/rlb_stats; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
added_at_least() { (($(rlb "RLB Clients Added") >= $1)); }
seen_at_least() { (($(rlb "RLB ARP Seen") >= $1)); }

setup() {
	switch_create sw
	ns_create srv st
	check_ok ns_ip srv link add alb0 type bond mode balance-alb miimon 100
	for i in 1 2 3 4; do
		check_ok ns_ip srv link add "as$i" type veth peer name "sp$i" netns "$(ns sw)"
		check_ok ns_ip sw link set "sp$i" master br0
		check_ok ns_ip sw link set "sp$i" up
		check_ok ns_ip srv link set "as$i" master alb0
	done
	check_ok ns_ip srv addr add "$BOND_IP/10" dev alb0
	check_ok ns_ip srv link set alb0 up
	# The storm sender: its frames reach the bond, the bond's replies are dropped.
	switch_connect sw st eth0
	# Answer every request, however many: the neighbour table must not be
	# the limit. Its gc thresholds exist in the initial namespace only.
	check_ok sysctl -qw net.ipv4.neigh.default.gc_thresh3=2000000 \
		net.ipv4.neigh.default.gc_thresh2=1000000
	check_ok ns_exec srv sysctl -qw net.ipv4.neigh.alb0.unres_qlen=0
}

bench_size() {
	local n=$1 before after rlb_only t0 t1 seen0 lookups counts min max dev
	# A fresh table: RLB state lives from bond up to bond down.
	check_ok ns_ip srv link set alb0 down
	check_ok ns_ip srv link set alb0 up
	check_ok wait_until 10 test "$(ns_exec srv cat /sys/class/net/alb0/carrier)" = 1
	sync
	before=$(kmem)
	t0=$(now_ms)
	check_ok ns_exec st ./arp_storm -i eth0 --sources "$n" --src-ip 100.64.0.1 \
		--src-mac 02:10:00:00:00:01 --target-ip "$BOND_IP" --count "$n" --rate 0
	if ! wait_until 300 added_at_least "$(($(rlb "RLB Clients Added") - $(rlb "RLB Clients") + n))"; then
		_check_failed "learned $(rlb 'RLB Clients') of $n clients"
	fi
	t1=$(now_ms)
	after=$(kmem)
	# Without the neighbour entries the stack made for each ARPing host,
	# what is left is the RLB table's share.
	check_ok ns_ip srv neigh flush dev alb0
	sleep 2
	rlb_only=$(kmem)
	check_eq "$(rlb 'RLB Clients')" "$n" "clients in the table"
	check_eq "$(rlb 'RLB Clients Refused')" 0 "clients refused"

	# Lookups: the same clients ask again, twice over.
	seen0=$(rlb "RLB ARP Seen")
	lookups=$((2 * n))
	local l0 l1
	l0=$(now_ms)
	check_ok ns_exec st ./arp_storm -i eth0 --sources "$n" --src-ip 100.64.0.1 \
		--src-mac 02:10:00:00:00:01 --target-ip "$BOND_IP" --count "$lookups" --rate 0
	wait_until 300 seen_at_least "$((seen0 + lookups * 9 / 10))"
	l1=$(now_ms)

	counts=$(ns_exec srv awk -F': ' '/^RLB Clients: / && s { print $2 } /^Slave Interface/ { s = 1 }' \
		 /proc/net/bonding/alb0 | tr '\n' ' ')
	min=$(tr ' ' '\n' <<<"$counts" | sed '/^$/d' | sort -n | head -1)
	max=$(tr ' ' '\n' <<<"$counts" | sed '/^$/d' | sort -n | tail -1)
	dev=$(( (max - n / 4) * 1000 / (n / 4) ))
	echo "# bench: rlb clients=$n learn_ms=$((t1 - t0)) learn_per_s=$((n * 1000 / (t1 - t0 + 1)))" \
	     "lookup_arps=$lookups lookup_ms=$((l1 - l0)) lookups_per_s=$((lookups * 1000 / (l1 - l0 + 1)))" \
	     "kmem_bytes_per_client=$(( (after - before) / n )) of_which_rlb=$(( (rlb_only - before) / n ))" \
	     "per_slave=[${counts% }] max_dev_from_quarter=$((dev / 10)).$((dev % 10))%"
}

ktap_plan "$(wc -w <<<"$SIZES")"
setup
for n in $SIZES; do
	run_test "rlb_$n" bench_size "$n"
done
ktap_finish
