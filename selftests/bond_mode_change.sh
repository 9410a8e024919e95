#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=300
#
# Mode changes leave no RLB state behind. A 2-slave bond goes through
# balance-rr -> alb -> tlb -> alb -> rr -> active-backup -> alb -> xor ->
# broadcast -> alb (slaves released, mode set while down, slaves back, up)
# while ARP requests keep arriving (./arp_storm) and a reader keeps reading
# the debugfs rlb_hash_table, /proc/net/bonding and rlb_stats. In alb the
# bond learns clients; in every other mode, and whenever the alb bond is
# down, the table reads back empty, rlb_stats says "RLB Clients: 0" and "RLB
# ARP Seen" does not move although ARP frames arrive on the slaves. A mode
# change while the bond is up is refused (ENOTEMPTY with slaves, EBUSY
# without) and changes nothing. No read fails and nothing splats.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd ping nsenter

B=mc0
BOND_IP=198.18.0.1
C1_IP=198.18.3.1

SYS=
PROC=
DBG=
STATS=
TMPD=

rs() { bond_file_value "$1" "$STATS" "$2"; }

slaves_up() {
	local v s
	for s in ms1 ms2; do
		bond_file_value v "$PROC" "MII Status" "$s" && [[ $v == up ]] || return 1
	done
}

# table_rows VAR: rows of rlb_hash_table (0 for an empty file).
table_rows() {
	local lines
	mapfile -t lines <"$DBG/rlb_hash_table" || return 1
	printf -v "$1" '%s' "$((${#lines[@]} > 1 ? ${#lines[@]} - 1 : 0))"
}

table_empty() {			# the file reads back with no byte at all
	local s
	s=$(<"$DBG/rlb_hash_table") && [[ -z $s ]]
}

table_has() { grep -q " $1 " "$DBG/rlb_hash_table"; }

slave_rx() {			# VAR: rx_packets of both slaves together
	local a b
	bct_stat a srv ms1 rx_packets
	bct_stat b srv ms2 rx_packets
	printf -v "$1" '%s' "$((a + b))"
}

setup() {
	switch_create sw || return 1
	ns_create srv c1 st || return 1
	check_ok ip -batch - <<EOF || return 1
link add ms1 netns $(ns srv) type veth peer name mp1 netns $(ns sw)
link add ms2 netns $(ns srv) type veth peer name mp2 netns $(ns sw)
link add eth0 netns $(ns c1) type veth peer name cp1 netns $(ns sw)
link add eth0 netns $(ns st) type veth peer name stp netns $(ns sw)
EOF
	check_ok ns_ip sw -batch - <<EOF || return 1
link set mp1 master br0
link set mp1 up
link set mp2 master br0
link set mp2 up
link set cp1 master br0
link set cp1 up
link set stp master br0
link set stp up
EOF
	check_ok ns_ip srv -batch - <<EOF || return 1
link add $B type bond mode balance-rr miimon 100
link set ms1 master $B
link set ms2 master $B
link set $B up
addr add $BOND_IP/16 dev $B
EOF
	check_ok ns_ip c1 -batch - <<<"link set eth0 up"$'\n'"addr add $C1_IP/16 dev eth0" || return 1
	check_ok ns_ip st link set eth0 up
	bct_sysfs_mount srv || return 1
	SYS=${BCT_SYS[srv]}
	STATS=$SYS/class/net/$B/bonding/rlb_stats
	bond_ns_pin srv || return 1
	PROC=${BOND_PROCNET[srv]}/bonding/$B
	DBG=$(bond_debugfs_dir -n srv $B)
	TMPD=$(mktemp -d)
	defer rm -rf "$TMPD"
	check_ok bct_wait_until 20 slaves_up
}

# switch_mode MODE: down, release the slaves, set MODE, enslave, up.
switch_mode() {
	check_ok ns_ip srv -batch - <<EOF
link set $B down
link set ms1 nomaster
link set ms2 nomaster
link set $B type bond mode $1
link set ms1 down
link set ms2 down
link set ms1 master $B
link set ms2 master $B
link set $B up
EOF
	check_eq "$(<"$SYS/class/net/$B/bonding/mode")" "$1 $(mode_num "$1")" "bonding/mode"
	check_ok bct_wait_until 20 slaves_up
}

mode_num() {
	case $1 in
	balance-rr) echo 0 ;; active-backup) echo 1 ;; balance-xor) echo 2 ;;
	broadcast) echo 3 ;; balance-tlb) echo 5 ;; balance-alb) echo 6 ;;
	esac
}

# The reader: reads the three views as fast as it can until $TMPD/stop
# exists, then writes "reads failures" to $TMPD/reader.
reader() {
	local n=0 e=0 l
	while [[ ! -e $TMPD/stop ]]; do
		mapfile -t l <"$DBG/rlb_hash_table" || e=$((e + 1))
		mapfile -t l <"$PROC" || e=$((e + 1))
		mapfile -t l <"$STATS" || e=$((e + 1))
		n=$((n + 1))
		bct_sleep 0.02
	done
	echo "$n $e" >"$TMPD/reader"
}

# Frames that reached the slaves while switch_mode ran (the bond closing,
# releasing, changing mode, enslaving, opening), and how long it ran: the
# storm (100 ARPs a second) must keep arriving through the switches, or
# they raced nothing.
SW_RX=0
SW_MS=0

# One step in MODE: ARPs arrive; alb learns (c1 included), other modes do
# not look at them; an alb bond taken down forgets everything.
step() {
	local mode=$1 seen0 seen1 rx0 rx1 v w t0 t1
	slave_rx rx0
	bct_ms t0
	switch_mode "$mode"
	bct_ms t1
	slave_rx rx1
	SW_RX=$((SW_RX + rx1 - rx0))
	SW_MS=$((SW_MS + t1 - t0))
	rs seen0 "RLB ARP Seen"
	slave_rx rx0
	check_ok bct_in c1 ping -q -c 1 -W 3 $BOND_IP
	arp_flowed() { slave_rx rx1; ((rx1 - rx0 >= 50)); }
	bct_wait_until 20 arp_flowed || _check_failed "only $((rx1 - rx0)) frames reached the slaves in 20 s"
	rs seen1 "RLB ARP Seen"
	if [[ $mode == balance-alb ]]; then
		check_ok test "$seen1" -gt "$seen0"
		check_ok bct_wait_until 10 table_has $C1_IP
		# 51 clients: the storm's 50 and c1
		stats_match() { table_rows v && rs w "RLB Clients" && ((v == 51 && w == v)); }
		bct_wait_until 10 stats_match
		check_eq "$v $w" "51 51" "rows in the table and rlb_stats RLB Clients"
		log "alb: $v clients, ARP Seen +$((seen1 - seen0))"
		check_ok ns_ip srv link set $B down
		check_ok table_empty
		rs v "RLB Clients"
		check_eq "$v" 0 "rlb_stats RLB Clients of the alb bond while down"
		check_ok ns_ip srv link set $B up
		# Up again: nothing from before (c1 sends nothing until pinged).
		check_fail table_has $C1_IP
	else
		check_eq "$seen1" "$seen0" "RLB ARP Seen in $mode while $((rx1 - rx0)) frames arrived"
		check_ok table_empty
		rs v "RLB Clients"
		check_eq "$v" 0 "rlb_stats RLB Clients in $mode"
	fi
}

modes_cycle() {
	local m storm r n e
	# A fresh balance-rr bond has never seen RLB activity.
	rs r "RLB ARP Seen"
	check_eq "$r" 0 "RLB ARP Seen of a new balance-rr bond"
	nsenter --net="/run/netns/$(ns st)" ./arp_storm -i eth0 --sources 50 --src-ip 198.18.50.1 \
		--src-mac 02:5e:00:00:00:01 --target-ip $BOND_IP --rate 100 --duration 240 >/dev/null 2>&1 &
	storm=$!
	defer kill "$storm"
	reader &
	r=$!
	defer kill "$r"
	for m in balance-rr balance-alb balance-tlb balance-alb balance-rr active-backup \
		 balance-alb balance-xor broadcast balance-alb; do
		log "---- mode $m"
		step "$m"
	done
	kill "$storm" 2>/dev/null
	wait "$storm" 2>/dev/null
	: >"$TMPD/stop"
	wait "$r"
	read -r n e <"$TMPD/reader"
	log "reader: $n rounds, $e failed reads"
	check_eq "$e" 0 "failed reads of rlb_hash_table, /proc/net/bonding and rlb_stats"
	check_ok test "$n" -ge 10
	# A quarter of the storm's rate: one frame per 40 ms of switching.
	log "the slaves received $SW_RX frames during $SW_MS ms of mode switches"
	check_true "frames received during the mode switches: $SW_RX >= $((SW_MS / 40))" \
		test "$SW_RX" -ge $((SW_MS / 40))
}

# While up, a mode change is refused and changes nothing.
refused_while_up() {
	local rows0 rows1 a0 a1 err
	check_eq "$(<"$SYS/class/net/$B/bonding/mode")" "balance-alb 6" "mode before"
	check_ok bct_in c1 ping -q -c 1 -W 3 $BOND_IP
	table_rows rows0
	rs a0 "RLB Clients Added"
	err=$({ printf 'balance-rr\n' >"$SYS/class/net/$B/bonding/mode"; } 2>&1)
	check_match "$err" "Directory not empty" "sysfs mode change with slaves, up (ENOTEMPTY)"
	check_fail ns_ip srv link set $B type bond mode balance-rr
	check_eq "$(<"$SYS/class/net/$B/bonding/mode")" "balance-alb 6" "mode after refusals"
	check_ok table_has $C1_IP
	table_rows rows1
	check_eq "$rows1" "$rows0" "rows in the table"
	rs a1 "RLB Clients Added"
	check_eq "$a1" "$a0" "RLB Clients Added"
	check_ok ns_ip srv -batch - <<<"link set ms1 nomaster"$'\n'"link set ms2 nomaster"
	err=$({ printf 'balance-rr\n' >"$SYS/class/net/$B/bonding/mode"; } 2>&1)
	check_match "$err" "Device or resource busy" "sysfs mode change without slaves, up (EBUSY)"
	check_fail ns_ip srv link set $B type bond mode balance-tlb
	check_eq "$(<"$SYS/class/net/$B/bonding/mode")" "balance-alb 6" "mode after refusals"
	check_ok ns_ip srv link set $B down
	check_ok ns_ip srv link set $B type bond mode balance-rr
	check_eq "$(<"$SYS/class/net/$B/bonding/mode")" "balance-rr 0" "mode set while down"
	check_ok table_empty
}

ktap_plan 4
dmesg_mark
run_setup setup setup
run_test modes_leave_no_rlb_state after_setup modes_cycle
run_test mode_change_refused_while_up after_setup refused_while_up
run_test no_kernel_splat dmesg_check_clean "mode changes"
ktap_finish
