#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=300
#
# Resource hygiene of the core: enslaving and releasing, creating and
# deleting bonds, bringing bonds down and up, many times over; the slab
# caches the driver's objects live in must come back to where they were.
#
#   namespace b    the bonds; veths chs1-2, cus1-2 whose peers are up in
#                  namespace sw (no bridge needed: no traffic here)
#
# balance-alb and balance-tlb churn, with traffic: bond_churn_lb.sh.
#
# Where the objects land (kzalloc/kmalloc, SLUB, no random kmalloc caches
# in Debian's 6.1/6.12 configs):
#   struct bnd_slave   the kernel's struct slave (608 B) + 48 B: 656 B
#                      -> kmalloc-1k
#   slave arrays       struct bond_up_slave, 24 B + 8 B per slave, two per
#                      change (usable and all) -> kmalloc-32 / kmalloc-64
#   sysfs              bonding_slave/ and bonding/ files -> kernfs_node_cache
#   a bond             net_device + struct bnd_bond (6.1: 2432 + 1600 B,
#                      6.12: 2560 + 1624 B) -> kmalloc-cg-4k / kmalloc-cg-8k
#                      (alloc_netdev accounts to the memcg), 16 tx queues
#                      (16 x 320 B) -> kmalloc-cg-8k, rx queues ->
#                      kmalloc-cg-4k, its workqueue -> pool_workqueue
# Counts are exact (bct_slab_*: each read shrinks the cache, flushing the
# per-CPU slabs whose free objects /proc/slabinfo counts as in use); a
# warm-up round first takes the one-time growth (per-CPU chunks, sysfs and
# idr nodes) out of the baseline.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd nsenter
[[ -r /proc/slabinfo && -d /sys/kernel/slab ]] || skip_all "no /proc/slabinfo or /sys/kernel/slab"

SYS=
CYCLES=100		# x 2 veths: 200 enslavements, 200 releases
SYSFS_BONDS=20		# one by one through bonding_masters
IP_BONDS=80		# added in one batch, deleted as one group
UPDOWN=200

# w FILE TEXT: write TEXT to a sysfs FILE (a builtin: no fork); 1 on error.
w() { printf '%s\n' "$2" >"$1" 2>/dev/null; }

rd() { bct_get "$1" "$SYS/$2"; }

topology() {
	local k batch= sb=
	ns_create b || return 1
	ns_create sw || return 1
	for k in chs1 chs2 cus1 cus2; do
		batch+="link add $k type veth peer name p$k netns ${NS_PREFIX}sw"$'\n'
		sb+="link set p$k up"$'\n'
	done
	batch+="link add chb type bond mode active-backup miimon 100"$'\n'
	batch+="link set chb up"$'\n'
	bct_ip b -batch - <<<"$batch" || { _check_failed "veths in b"; return 1; }
	bct_ip sw -batch - <<<"$sb" || { _check_failed "peers in sw"; return 1; }
	bct_sysfs_mount b || return 1
	SYS=${BCT_SYS[b]}/class/net
	log "topology up at ${SECONDS}s"
}

# Slab caches to watch. Each must exist (/sys/kernel/slab lists a merged
# cache, such as pool_workqueue, under its own name too): a check that
# silently dropped a missing cache would pass without looking.
caches() {
	local c
	CACHES=()
	for c in "$@"; do
		if [[ -e /sys/kernel/slab/$c ]]; then
			CACHES+=("$c")
		else
			_check_failed "no slab cache $c on $KVER"
		fi
	done
	log "watching: ${CACHES[*]}"
}

# slaves_are BOND LIST: bonding/slaves reads LIST.
slaves_are() { local v; rd v "$1/bonding/slaves" && [[ $v == "$2" ]]; }

# One cycle through sysfs: enslave both, release both. Counts failures.
sysfs_cycle() {
	w "$SYS/chb/bonding/slaves" +chs1 || FAILS=$((FAILS + 1))
	w "$SYS/chb/bonding/slaves" +chs2 || FAILS=$((FAILS + 1))
	slaves_are chb "chs1 chs2" || FAILS=$((FAILS + 1))
	w "$SYS/chb/bonding/slaves" -chs1 || FAILS=$((FAILS + 1))
	w "$SYS/chb/bonding/slaves" -chs2 || FAILS=$((FAILS + 1))
}

# N cycles through netlink, in one ip -batch (which stops at an error).
ip_cycles() {
	local i batch=
	for ((i = 0; i < $1; i++)); do
		batch+="link set chs2 master chb"$'\n'"link set chs1 master chb"$'\n'
		batch+="link set chs2 nomaster"$'\n'"link set chs1 nomaster"$'\n'
	done
	bct_ip b -batch - <<<"$batch" || FAILS=$((FAILS + 1))
}

# CYCLES cycles of enslaving and releasing chs1 and chs2 in an
# active-backup bond that is up (each release of the active slave fails
# over): blocks of 10 through sysfs (+/-), then 10 through ip link
# (master/nomaster), in the other order.
#
# Counts are exact, so the slack is small: 8 objects for unrelated kernel
# activity while we count. One leaked slave object per cycle would be
# +100 in kmalloc-1k, one leaked array per change +400 in kmalloc-32/64,
# a leaked bonding_slave directory +10 kernfs nodes per cycle.
enslave_release() {
	local i v b
	FAILS=0
	# warm-up
	sysfs_cycle
	ip_cycles 1
	caches kmalloc-1k kmalloc-32 kmalloc-64 kmalloc-128 kernfs_node_cache
	bct_slab_snapshot slaves "${CACHES[@]}"
	for ((b = 0; b < CYCLES / 20; b++)); do
		for ((i = 0; i < 10; i++)); do
			sysfs_cycle
		done
		ip_cycles 10
	done
	log "$CYCLES cycles done at ${SECONDS}s"
	check_eq "$FAILS" 0 "failed enslave/release steps"
	rd v chb/bonding/slaves
	check_eq "$v" "" "slaves of chb afterwards"
	for i in chs1 chs2; do
		bct_fail test -e "$SYS/$i/master"
		bct_fail test -e "$SYS/$i/bonding_slave"
		rd v "$i/operstate"
		check_eq "$v" down "operstate of released $i"
	done
	bct_slab_check slaves 8
	# The bond still works.
	bct_ok w "$SYS/chb/bonding/slaves" +chs1
	bct_ok bct_ip b link set chs2 master chb
	bct_ok bct_wait_until 5 eval 'rd v chb/carrier && [[ $v == 1 ]]'
	rd v chb/bonding/active_slave
	check_eq "$v" chs1 "active slave after re-enslaving"
	bct_ok bct_ip b link del chb
}

# SYSFS_BONDS bonds created and deleted one by one through bonding_masters,
# IP_BONDS added through netlink in one batch and deleted as one group
# (ip link del group: one unregister for all, which keeps this fast).
# A leaked bond keeps 2 objects in the net_device-sized caches and
# hundreds of sysfs nodes; the slack is 8 objects.
create_delete() {
	local i v batch=
	local -a names
	FAILS=0
	# warm-up
	w "$SYS/bonding_masters" +chw || FAILS=$((FAILS + 1))
	w "$SYS/bonding_masters" -chw || FAILS=$((FAILS + 1))
	bct_ok bct_ip b -batch - <<<$'link add chw type bond\nlink del chw'
	caches kmalloc-cg-4k kmalloc-cg-8k kmalloc-4k kmalloc-8k kmalloc-1k kernfs_node_cache pool_workqueue
	bct_slab_snapshot bonds "${CACHES[@]}"
	for ((i = 0; i < SYSFS_BONDS; i++)); do
		w "$SYS/bonding_masters" "+chx$i" || FAILS=$((FAILS + 1))
		[[ -d $SYS/chx$i/bonding ]] || FAILS=$((FAILS + 1))
		w "$SYS/bonding_masters" "-chx$i" || FAILS=$((FAILS + 1))
	done
	check_eq "$FAILS" 0 "failed bonding_masters writes"
	for ((i = 0; i < IP_BONDS; i++)); do
		batch+="link add chy$i group 77 type bond mode balance-rr miimon 100"$'\n'
	done
	bct_ok bct_ip b -batch - <<<"$batch"
	rd v bonding_masters
	read -r -a names <<<"$v"
	check_eq "${#names[@]}" "$IP_BONDS" "bonds in bonding_masters"
	bct_ok bct_ip b link del group 77
	log "$((SYSFS_BONDS + IP_BONDS)) bonds done at ${SECONDS}s"
	rd v bonding_masters
	check_eq "$v" "" "bonding_masters afterwards"
	bct_slab_check bonds 8
}

carrier_on() { local v; rd v "$1/carrier" && [[ $v == 1 ]]; }
mii_up() { local s v; for s; do rd v "$s/bonding_slave/mii_status" && [[ $v == up ]] || return 1; done; }

# updown BOND MODE NUM S1 S2 N: a bond (mode MODE, number NUM) with two
# slaves, down and up N times.
updown() {
	local bond=$1 mode=$2 num=$3 s1=$4 s2=$5 n=$6 i batch= v
	bct_ok bct_ip b -batch - <<-EOF
		link add $bond type bond mode $mode miimon 100
		link set $s1 master $bond
		link set $s2 master $bond
		link set $bond up
	EOF
	bct_ok bct_wait_until 5 eval "carrier_on $bond && mii_up $s1 $s2"
	# warm-up
	bct_ok bct_ip b -batch - <<<"link set $bond down"$'\n'"link set $bond up"
	caches kmalloc-32 kmalloc-64 kmalloc-128 kmalloc-256 kmalloc-512 kmalloc-1k kmalloc-2k \
		kmalloc-4k
	bct_slab_snapshot "updown-$bond" "${CACHES[@]}"
	for ((i = 0; i < n; i++)); do
		batch+="link set $bond down"$'\n'"link set $bond up"$'\n'
	done
	bct_ok bct_ip b -batch - <<<"$batch"
	log "$n x down/up of $bond done at ${SECONDS}s"
	bct_ok bct_wait_until 5 eval "carrier_on $bond && mii_up $s1 $s2"
	rd v "$bond/bonding/slaves"
	check_eq "$v" "$s1 $s2" "slaves of $bond"
	rd v "$bond/bonding/mode"
	check_eq "$v" "$mode $num" "mode of $bond"
	rd v "$bond/operstate"
	check_eq "$v" up "operstate of $bond"
	bct_slab_check "updown-$bond" 8
	bct_ok bct_ip b link del "$bond"
}

updown_rr() { updown cur balance-rr 0 cus1 cus2 "$UPDOWN"; }

ktap_plan 5
dmesg_mark
run_test topology topology
run_test enslave_release_churn enslave_release
run_test create_delete_100_bonds create_delete
run_test rr_down_up_200 updown_rr
run_test no_kernel_splat dmesg_check_clean "churn"
ktap_finish
