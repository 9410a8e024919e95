#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=300
#
# Resource hygiene of balance-alb and balance-tlb with traffic flowing:
# slaves released and enslaved again, and the bond brought down and up,
# while two clients ping it; afterwards the clients are answered and the
# slab caches are back where they were (see bond_churn.sh for where the
# objects land; here also the RLB client entries, bnd_rlb_client, and the
# RLB/TLB tables built at open and freed at close).
#
#   namespace sw      bridge br0
#   namespace b       bond clb (10.0.2.1/24), slaves cls1-2 -> sw
#   namespaces c1/c2  clients 10.0.2.2 and 10.0.2.3 on sw, pinging clb
#                     every 100 ms throughout
#
# Counts are exact (bct_slab_*), so a leak of one object per cycle (+30 or
# more) stands well above the 8 objects of slack. kmalloc-256/512 get 24:
# they also hold the neighbour entries (and on 6.1 small skb heads) of the
# traffic, and an entry that died with a down bond is freed only when the
# last cached route lets go of it, seconds later (seen: one slab, +16).

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd ping nsenter
[[ -r /proc/slabinfo && -d /sys/kernel/slab ]] || skip_all "no /proc/slabinfo or /sys/kernel/slab"

CYCLES=15		# per slave: each is released and enslaved again 15 times
UPDOWN=30
SYS=
declare -A PING_PID=()

w() { printf '%s\n' "$2" >"$1" 2>/dev/null; }
rd() { bct_get "$1" "$SYS/$2"; }

topology() {
	defer pings_cleanup
	ns_create b || return 1
	switch_create sw || return 1
	bct_client sw c1 10.0.2.2/24 || return 1
	bct_client sw c2 10.0.2.3/24 || return 1
	bct_veth_to_switch b cls1 sw pcls1 || return 1
	bct_veth_to_switch b cls2 sw pcls2 || return 1
	bct_sysfs_mount b || return 1
	SYS=${BCT_SYS[b]}/class/net
	log "topology up at ${SECONDS}s"
}

ready() {
	local s v
	rd v clb/carrier && [[ $v == 1 ]] || return 1
	for s in cls1 cls2; do
		rd v "$s/bonding_slave/mii_status" && [[ $v == up ]] || return 1
	done
}

mkbond() {			# MODE
	# The clients forget the previous bond's MACs (alb told them its
	# slaves' own MACs, which a tlb bond does not receive on).
	bct_ok bct_ip c1 neigh flush all
	bct_ok bct_ip c2 neigh flush all
	bct_ok bct_ip b -batch - <<-EOF
		link add clb type bond mode $1 miimon 100
		link set cls1 master clb
		link set cls2 master clb
		addr add 10.0.2.1/24 dev clb
		link set clb up
	EOF
	bct_ok bct_wait_until 10 ready
}

# reach C: one echo from client C is answered.
reach() {
	local res
	bct_ping res "$1" -q -c 1 -W 1 10.0.2.1
	[[ $res == "1 1 0" ]]
}

# answered: both clients get 20 of 20 echoes answered. After a churn a
# client may still hold a MAC a slave wore before its last release (alb
# moves MACs between slaves) until RLB tells it the new one or its
# neighbour entry is probed again: give each 10 s to get through first.
answered() {
	local c res t0 t1
	for c in c1 c2; do
		bct_ms t0
		bct_ok bct_wait_until 10 reach "$c"
		bct_ms t1
		log "$c reaches the bond after $((t1 - t0)) ms"
	done
	for c in c1 c2; do
		bct_ping res "$c" -q -c 20 -i 0.05 -W 2 10.0.2.1
		check_eq "$res" "20 20 0" "echoes from $c: sent/answered/duplicates"
	done
}

pings_start() {
	local c
	_bct_tmpdir || return 1
	for c in c1 c2; do
		nsenter --net="/run/netns/$NS_PREFIX$c" ping -i 0.1 -c 10000 -W 1 10.0.2.1 \
			>"$_bct_tmp/ping-$c" 2>&1 &
		PING_PID[$c]=$!
	done
}

# At exit: the pings still running (only those we started and did not reap).
pings_cleanup() {
	local c
	for c in "${!PING_PID[@]}"; do
		kill "${PING_PID[$c]}" 2>/dev/null
	done
}

# pings_stop: end the background pings; each must have had at least half
# of its echoes answered while the bond was being churned (a bond that
# stopped delivering would answer none; short outages while a client's
# slave goes away are expected).
pings_stop() {
	local c out
	for c in c1 c2; do
		kill -INT "${PING_PID[$c]}" 2>/dev/null
		wait "${PING_PID[$c]}" 2>/dev/null
		unset "PING_PID[$c]"
		out=$(<"$_bct_tmp/ping-$c")
		if [[ $out =~ ([0-9]+)\ packets\ transmitted,\ ([0-9]+)\ received ]]; then
			log "$c during the churn: ${BASH_REMATCH[1]} sent, ${BASH_REMATCH[2]} answered"
			((BASH_REMATCH[2] * 2 >= BASH_REMATCH[1] && BASH_REMATCH[1] > 0)) ||
				_check_failed "$c: ${BASH_REMATCH[2]} of ${BASH_REMATCH[1]} echoes answered"
		else
			_check_failed "$c: ping output: $out"
		fi
	done
}

# snapshot TAG: the caches of TAG and (traffic-sensitive) TAG-t.
snapshot() {
	local c
	CACHES=()
	for c in kmalloc-32 kmalloc-64 kmalloc-96 kmalloc-128 kmalloc-192 \
		kmalloc-1k kmalloc-2k kmalloc-4k kmalloc-8k kernfs_node_cache bnd_rlb_client; do
		if [[ -e /sys/kernel/slab/$c ]]; then
			CACHES+=("$c")
		else
			_check_failed "no slab cache $c on $KVER"
		fi
	done
	bct_slab_snapshot "$1" "${CACHES[@]}"
	bct_slab_snapshot "$1-t" kmalloc-256 kmalloc-512
}

slab_check() {			# TAG
	bct_slab_check "$1" 8
	bct_slab_check "$1-t" 24
}

slaves_are() { local v; rd v clb/bonding/slaves && [[ $v == "$1" ]]; }

# churn MODE NUM: CYCLES times release cls2 and enslave it again through
# sysfs (cls1 carries on), then CYCLES times the same for cls1 through
# ip link in one batch.
churn() {
	local mode=$1 num=$2 i v fails=0 batch=
	mkbond "$mode"
	rd v clb/bonding/mode
	check_eq "$v" "$mode $num" "mode"
	answered
	pings_start
	# warm-up
	w "$SYS/clb/bonding/slaves" -cls2 && w "$SYS/clb/bonding/slaves" +cls2 || fails=$((fails + 1))
	snapshot "$mode"
	for ((i = 0; i < CYCLES; i++)); do
		w "$SYS/clb/bonding/slaves" -cls2 || fails=$((fails + 1))
		slaves_are cls1 || fails=$((fails + 1))
		w "$SYS/clb/bonding/slaves" +cls2 || fails=$((fails + 1))
	done
	for ((i = 0; i < CYCLES; i++)); do
		batch+="link set cls1 nomaster"$'\n'"link set cls1 master clb"$'\n'
	done
	bct_ip b -batch - <<<"$batch" || fails=$((fails + 1))
	log "churn done at ${SECONDS}s"
	check_eq "$fails" 0 "failed release/enslave steps"
	bct_ok bct_wait_until 10 ready
	pings_stop
	answered
	slab_check "$mode"
}

alb_churn() { churn balance-alb 6; }

# The alb bond goes down and up (UPDOWN times per batch, batches until the
# loop ran UPDOWN_MIN_MS) under traffic: its RLB and TLB state is built at
# every open and freed at every close, while the clients' echo requests
# (20 a second together) keep arriving on the slaves: the bond counts at
# least a quarter of them during the loop (its rx counter counts what its
# slaves hand it, up or down), or the loop never raced a receive.
UPDOWN_MIN_MS=2000
alb_updown() {
	local i batch= n=0 t0 t1 rx0 rx1 want
	pings_start
	snapshot alb-updown
	for ((i = 0; i < UPDOWN; i++)); do
		batch+="link set clb down"$'\n'"link set clb up"$'\n'
	done
	# the pings are on
	bct_stat rx0 b clb rx_packets
	bct_ok bct_wait_until 5 eval "bct_stat rx1 b clb rx_packets; ((rx1 - rx0 >= 4))"
	bct_stat rx0 b clb rx_packets
	bct_ms t0
	t1=$t0
	while ((n == 0 || t1 - t0 < UPDOWN_MIN_MS)); do
		bct_ip b -batch - <<<"$batch" || { _check_failed "down/up batch failed after $n cycles"; break; }
		n=$((n + UPDOWN))
		bct_ms t1
	done
	bct_stat rx1 b clb rx_packets
	want=$(((t1 - t0) * 20 / 1000 / 4))
	log "down/up done at ${SECONDS}s: $n cycles in $((t1 - t0)) ms; the bond received $((rx1 - rx0)) frames meanwhile (want >= $want)"
	check_true "the bond went down and up $n >= $UPDOWN times" test "$n" -ge "$UPDOWN"
	check_true "frames received during the loop: $((rx1 - rx0)) >= $want" test $((rx1 - rx0)) -ge "$want"
	bct_ok bct_wait_until 10 ready
	pings_stop
	answered
	slab_check alb-updown
	bct_ok bct_ip b link del clb
}

tlb_churn() {
	churn balance-tlb 5
	bct_ok bct_ip b link del clb
}

ktap_plan 5
dmesg_mark
run_test topology topology
run_test alb_churn_with_traffic alb_churn
run_test alb_down_up_with_traffic alb_updown
run_test tlb_churn_with_traffic tlb_churn
run_test no_kernel_splat dmesg_check_clean "alb/tlb churn"
ktap_finish
