#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=300
#
# Churn under ARP storms. While ARPs pour in on the slaves (from the
# uplink and from a client namespace): a bond changes mode through every
# implemented mode, slaves are released and enslaved, slave veths are
# deleted, bonds are created and deleted, a namespace holding bonds is
# deleted, an alb bond goes down and up hundreds of times while two senders
# flood its slaves (receive racing the close that frees the RLB table),
# and the module is removed and loaded again.
#
# Asserts: no splat and no new D/W/L taint; a bond's RLB code runs only
# while it is balance-alb (ARP Seen frozen in every other mode, though the
# storm reaches it); the RLB tables only name current slaves; the bonds
# that remain carry traffic; an rr bond that went through it all has
# rlb_stats all zero; after teardown no bond device is left anywhere, the
# module unloads, and the slab caches that hold net devices and network
# namespaces are back to their baseline exactly.
# With BOND_SOAK=1 loops run ten times as often and storms last longer.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"
. "$LIB_DIR/mixed_lib.sh"

[[ -x $LIB_DIR/arp_storm ]] || skip_all "selftests/arp_storm is not built"
require_cmd nsenter ping stat modprobe

MODES=(balance-rr active-backup balance-xor broadcast balance-tlb balance-alb)
LOOPS=$(mx_scale 200)			# down/up iterations of the tight loop
LOOP_BUDGET=$(mx_scale 30)		# ... at most this many seconds
LOOP_MIN=50				# ... and at least this many, however slow
# Storms last until they are stopped (teardown, or right after the loop
# they are for), not for a fixed time that a slow guest could outlast.
STORM_DUR=86400

# The caches that hold what this test makes and drops: 9 bonds, dozens of
# veths and 4 network namespaces. A bond is a net_device with struct
# bnd_bond (6.1: 4032 B -> kmalloc-cg-4k; 6.12: 4184 B -> kmalloc-cg-8k)
# and 16 tx queues (5120 B -> kmalloc-cg-8k); a veth is a net_device in
# kmalloc-cg-4k; a namespace is one net_namespace object. Counts are exact
# (bct_slab_*: each read shrinks the cache, so objects cached per CPU do
# not count), taken before anything is set up and after teardown, so the
# tolerance is none: one leaked bond is +1 or +2, one leaked namespace +1.
# (A leaked reference to a net device would also hang the module unload,
# bounded by timeout.)
#
# Both kernels free a destroyed namespace's struct net only in the next
# cleanup run (net_passive_dec() defers it past one more rcu_barrier()),
# so the namespaces destroyed last stay counted until another one goes.
# net_namespace is therefore counted after a throwaway namespace has been
# destroyed (it alone then stays counted), the least of a few readings.
NS_FLUSH=$(ns flush)
ns_count() {			# VAR
	local _v _m= i
	ip netns add "$NS_FLUSH" && ip netns del "$NS_FLUSH" || return 1
	for ((i = 0; i < 6; i++)); do
		bct_sleep 0.5
		echo 2 >/proc/sys/vm/drop_caches
		bct_slab_objects _v net_namespace || return 1
		[[ -z $_m ]] || ((_v < _m)) && _m=$_v
	done
	printf -v "$1" '%s' "$_m"
}
ns_back() { local v; ns_count v && log "net_namespace: $v in use (baseline $NS_BASE)" && ((v <= NS_BASE)); }
bct_slab_snapshot dev kmalloc-cg-4k kmalloc-cg-8k
ns_count NS_BASE || _check_failed "cannot count net_namespace objects"
log "net_namespace: $NS_BASE in use, a throwaway namespace destroyed last"

setup() {
	mx_init cc || return 1
	mx_bond --ip 10.60.0.1/16 ca balance-alb 2 || return 1
	mx_bond --ip 10.61.0.1/16 cr balance-rr 2 || return 1
	mx_bond --ip 10.62.0.1/16 cx balance-alb 2 || return 1
	mx_client cc br0 10.60.0.100/16 10.61.0.100/16 10.62.0.100/16 10.63.0.100/16 || return 1
	check_ok mx_wait 10 mx_bond_ready ca
	check_ok mx_wait 10 mx_bond_ready cr
	check_ok mx_wait 10 mx_bond_ready cx
	storms_start
	check_ok mx_wait 10 _seen_grows ca "$(mx_rlb ca "ARP Seen")" 100
}

# The background storms, through the whole test (until teardown).
storms_start() {
	mx_storm S1 sw u-br0 --sources 2000 --src-ip 10.60.128.0 --src-mac 02:f1:00:00:00:00 --random \
		--mix req=50,reply=25,grat=25 --target-ip 10.60.0.1 --target-mac "$(mx_mac ca)" \
		--rate 150 --duration "$STORM_DUR"
	mx_storm S2 cc eth0 --sources 500 --src-ip 10.60.140.0 --src-mac 02:f2:00:00:00:00 \
		--mix req=1 --target-ip 10.60.0.1 --rate 100 --duration "$STORM_DUR"
	mx_storm S3 sw u-br0 --sources 500 --src-ip 10.62.128.0 --src-mac 02:f3:00:00:00:00 \
		--mix req=1 --target-ip 10.62.0.1 --malformed all --malformed-ratio 0.1 \
		--rate 100 --duration "$STORM_DUR"
}

# sorted_slaves BOND: the bond's slaves, sorted, on one line.
sorted_slaves() {
	local -a a
	read -ra a <<<"$(mx_slaves "$1")"
	printf '%s\n' "${a[@]}" | sort | mx_join "$(cat)"
}

_seen_grows() { _mx_get_rlb "$1" "ARP Seen" && ((MX_V >= $2 + $3)); }
_rx_grows() { _mx_get_rx "$1" && ((MX_V >= $2 + $3)); }

# _removed BOND: clients the bond forgot so far (purged, aged or evicted), into MX_V.
_removed() {
	local k n=0
	for k in Purged Aged Evicted; do
		_mx_get_rlb "$1" "Clients $k"
		n=$((n + MX_V))
	done
	MX_V=$n
}

# table_on_slaves BOND: every row of the bond's RLB table names one of its
# current slaves, and RLB Clients counts the rows. Storms add clients all
# the time and may purge some (an address answered from another MAC), so
# the count is read before and after the table, with the counters of
# clients forgotten (purged, aged, evicted): a read during which none was
# forgotten must have c0 <= rows <= c1.
table_on_slaves() {
	local rows slaves c0 c1 p0 p1 n srv cip mac dev bad tries=0
	while :; do
		_removed "$1"; p0=$MX_V
		_mx_get_rlb "$1" Clients; c0=$MX_V
		rows=$(mx_table "$1") || { _check_failed "$1: no table"; return; }
		_mx_get_rlb "$1" Clients; c1=$MX_V
		_removed "$1"; p1=$MX_V
		[[ $p0 == "$p1" ]] && ((c0 <= $(grep -c . <<<"$rows") || ++tries >= 3)) && break
		((++tries >= 3)) && break
		log "$1: clients purged or the table changed while it was read; again"
	done
	slaves=" $(mx_join "$(mx_slaves "$1")") "
	n=0 bad=0
	while read -r srv cip mac dev; do
		[[ -z $srv ]] && continue
		n=$((n + 1))
		[[ $slaves == *" $dev "* ]] && continue
		((bad++ < 5)) && log "$1: row on $dev, not a slave of it now: $srv $cip $mac $dev"
	done <<<"$rows"
	log "$1: $n table rows; RLB Clients $c0 before, $c1 after reading it (forgotten $p0 -> $p1)"
	check_eq "$bad" 0 "$1: table rows on devices that are not its slaves now (slaves:$slaves)"
	if ! check_eq "$((p0 != p1 || (c0 <= n && n <= c1)))" 1 "$1: RLB Clients ($c0..$c1) brackets the $n table rows"; then
		log "rows per device: $(awk '{ print $4 }' <<<"$rows" | sort | uniq -c | tr '\n' ' ')"
		log "/proc per slave: $(mx_proc "$1" | grep -E '^(Slave Interface|RLB Clients)' | tr '\n' ' ')"
	fi
}

mode_cycle() {
	local m seen rx rounds r t0 t1 t2
	rounds=$(mx_scale 1)
	for ((r = 0; r < rounds; r++)); do
		for m in "${MODES[@]}"; do
			t0=$SECONDS
			ns_ip h -batch - <<-EOF
				link set cx down
				link set cxs1 nomaster
				link set cxs2 nomaster
				link set cx type bond mode $m
				link set cxs1 down
				link set cxs2 down
				link set cxs1 master cx
				link set cxs2 master cx
				link set cx up
			EOF
			check_eq "$(mx_cat "$(mx_sysfs h)/class/net/cx/bonding/mode")" "$m ${m_num[$m]}" "cx mode"
			t1=$SECONDS
			check_ok mx_wait 10 mx_bond_ready cx
			t2=$SECONDS
			seen=$(mx_rlb cx "ARP Seen")
			rx=$(mx_rx cx)
			# The storm keeps reaching cx's slaves.
			check_ok mx_wait 10 _rx_grows cx "$rx" 200
			if [[ $m == balance-alb ]]; then
				check_ok mx_wait 10 _seen_grows cx "$seen" 200
			else
				check_eq "$(mx_rlb cx "ARP Seen")" "$seen" "cx ($m): ARP Seen while $(($(mx_rx cx) - rx)) frames arrived"
				check_eq "$(mx_rlb cx Clients)" 0 "cx ($m): RLB Clients"
			fi
			log "cx in $m: $((SECONDS - t0)) s (batch $((t1 - t0)) s, ready $((t2 - t1)) s)"
		done
	done
	table_on_slaves cx
	check_eq "$(mx_ping cc 10.62.0.1 3)" 3 "cc -> cx (balance-alb again)"
}
declare -A m_num=([balance-rr]=0 [active-backup]=1 [balance-xor]=2 [broadcast]=3 [balance-tlb]=5 [balance-alb]=6)

enslave_release() {
	local n k b=
	n=$(mx_scale 2)
	for ((k = 0; k < n; k++)); do
		b+="link set cas2 nomaster"$'\n'"link set cas2 down"$'\n'"link set cas2 master ca"$'\n'
		b+="link set cas1 nomaster"$'\n'"link set cas1 down"$'\n'"link set cas1 master ca"$'\n'
	done
	check_ok ns_ip h -batch - <<<"$b"
	check_eq "$(sorted_slaves ca)" "cas1 cas2" "ca slaves"
	check_ok mx_wait 10 mx_bond_ready ca
	table_on_slaves ca
	check_eq "$(mx_ping cc 10.60.0.1 3)" 3 "cc -> ca"
}

delete_slave_veths() {
	local k n b
	n=$(mx_scale 2)
	for ((k = 3; k < 3 + n; k++)); do
		b="link del cxs$((k - 1))"$'\n'
		b+="link add cxs$k type veth peer name cxp$k netns $(ns sw)"$'\n'
		b+="link set cxs$k master cx"$'\n'
		check_ok ns_ip h -batch - <<<"$b"
		check_ok ns_ip sw -batch - <<-EOF
			link set cxp$k master br0
			link set cxp$k up
		EOF
	done
	check_eq "$(sorted_slaves cx)" "cxs1 cxs$((2 + n))" "cx slaves"
	check_ok mx_wait 10 mx_bond_ready cx
	table_on_slaves cx
	check_eq "$(mx_ping cc 10.62.0.1 3)" 3 "cc -> cx"
}

create_delete_bonds() {
	local k n
	n=$(mx_scale 3)
	for ((k = 0; k < n; k++)); do
		mx_bond --ip 10.63.0.1/16 cy balance-alb 2 || return 1
		check_ok mx_wait 10 _rx_grows cy 0 50
		mx_bond_del cy
	done
	check_fail test -e "$(mx_sysfs h)/class/net/cy"
	check_eq "$(ns_ip sw -o link show | grep -c 'cyp[0-9]')" 0 "switch ports of deleted bonds"
}

_ports_gone() { ! ns_ip sw -o link show | grep -q "$1"; }

delete_netns() {
	mx_ns h2 || return 1
	mx_bond -n h2 --ip 10.64.0.1/16 cz balance-alb 2 || return 1
	mx_bond -n h2 --ip 10.65.0.1/16 cw balance-rr 2 || return 1
	check_ok wait_until 10 link_is_up h2 cz
	check_ok wait_until 10 link_is_up h2 cw
	check_ok ip netns del "$(ns h2)"
	# The namespace's cleanup destroys bonds and slaves; their peers go too.
	check_ok wait_until 30 _ports_gone 'c[zw]p[0-9]'
}

# The floods must be on before the loop starts and reach the slaves (and,
# whenever ca is up, its RLB code) while it runs: the loop runs LOOPS times
# or for LOOP_BUDGET seconds, whichever ends first, and at least LOOP_MIN
# times (a slow guest bounding the count is no failure: speed is for
# `make bench`, not for a test). Meanwhile the slaves receive at least
# LOOP_RX frames and RLB sees at least LOOP_SEEN ARPs (the floods send 1600
# frames a second, the background storms 350 more), and each flood sent at
# least a quarter of its rate over the loop's time (a loop beside dead
# floods tests nothing). On a kernel that runs everything several times
# slower (BOND_TIMEOUT_FACTOR > 1: the debug kernel, where a flood sent 30
# frames a second) each flood must still have sent LOOP_RX frames.
LOOP_RX=500
LOOP_SEEN=20
tight_loop() {
	local done=0 t0 t1 us0 us1 chunk=25 k b= rx0 rx1 seen0 seen1 f
	for ((k = 0; k < chunk; k++)); do
		b+="link set ca down"$'\n'"link set ca up"$'\n'
	done
	mx_storm F1 sw u-br0 --sources 1000 --src-ip 10.60.160.0 --src-mac 02:f4:00:00:00:00 \
		--mix req=60,reply=40 --target-ip 10.60.0.1 --target-mac "$(mx_mac cas2)" --rate 800 \
		--duration "$STORM_DUR"
	mx_storm F2 cc eth0 --sources 1000 --src-ip 10.60.170.0 --src-mac 02:f5:00:00:00:00 \
		--mix req=60,reply=40 --target-ip 10.60.0.1 --target-mac "$(mx_mac cas1)" --rate 800 \
		--duration "$STORM_DUR"
	# Both floods sending (each names its own slave's MAC as the target).
	_mx_get_storm_rx() { read -r MX_V <"$(mx_sysfs h)/class/net/$1/statistics/rx_packets"; }
	_flooding() {
		local a b
		_mx_get_storm_rx cas1; a=$MX_V
		_mx_get_storm_rx cas2; b=$MX_V
		((a >= $1 + 200 && b >= $2 + 200))
	}
	_mx_get_storm_rx cas1; rx0=$MX_V
	_mx_get_storm_rx cas2; rx1=$MX_V
	check_ok mx_wait 10 _flooding "$rx0" "$rx1"
	_mx_get_rx ca; rx0=$MX_V
	_mx_get_rlb ca "ARP Seen"; seen0=$MX_V
	t0=$SECONDS
	us0=${EPOCHREALTIME/./}
	while ((done < LOOPS && SECONDS - t0 < LOOP_BUDGET)); do
		ns_ip h -batch - <<<"$b" || { _check_failed "down/up batch failed after $done"; break; }
		done=$((done + chunk))
	done
	t1=$SECONDS
	us1=${EPOCHREALTIME/./}
	_mx_get_rx ca; rx1=$MX_V
	_mx_get_rlb ca "ARP Seen"; seen1=$MX_V
	log "ca went down and up $done times in $((t1 - t0)) s; meanwhile its slaves received $((rx1 - rx0)) frames, RLB saw $((seen1 - seen0)) ARPs"
	((done >= LOOPS)) || log "the loop's budget of $LOOP_BUDGET s ran out after $done of $LOOPS"
	check_true "the loop ran $done >= $LOOP_MIN times" test "$done" -ge "$LOOP_MIN"
	check_true "frames received by ca's slaves during the loop: $((rx1 - rx0)) >= $LOOP_RX" \
		test $((rx1 - rx0)) -ge $LOOP_RX
	check_true "ARPs seen by ca's RLB during the loop: $((seen1 - seen0)) >= $LOOP_SEEN" \
		test $((seen1 - seen0)) -ge $LOOP_SEEN
	mx_storm_stop F1 F2
	for f in F1 F2; do
		_mx_get_storm "$f" sent
		if ((BOND_TIMEOUT_FACTOR > 1)); then
			check_true "flood $f sent ${MX_V:-nothing}, >= $LOOP_RX (slow kernel: BOND_TIMEOUT_FACTOR $BOND_TIMEOUT_FACTOR)" \
				test "${MX_V:-0}" -ge $LOOP_RX
		else
			check_true "flood $f sent ${MX_V:-nothing}, >= $(((us1 - us0) / 5000)) (a quarter of 800/s over the loop's $(((us1 - us0) / 1000)) ms)" \
				test "${MX_V:-0}" -ge $(((us1 - us0) / 5000))
		fi
	done
	check_ok mx_wait 10 mx_bond_ready ca
	check_ok mx_wait 10 _seen_grows ca "$(mx_rlb ca "ARP Seen")" 100
	table_on_slaves ca
	check_eq "$(mx_ping cc 10.60.0.1 3)" 3 "cc -> ca after the loop"
}

remaining_work() {
	mx_ping_bg a cc 10.60.0.1 3 5
	mx_ping_bg r cc 10.61.0.1 3 5
	mx_ping_bg x cc 10.62.0.1 3 5
	check_eq "$(mx_ping_result a)" 3 "cc -> ca (alb)"
	check_eq "$(mx_ping_result r)" 3 "cc -> cr (rr)"
	check_eq "$(mx_ping_result x)" 3 "cc -> cx (alb)"
	check_eq "$(mx_rlb_text cr)" "$MX_RLB_ZERO" "cr (rr) rlb_stats after all the churn"
	check_eq "$(mx_cat "$(mx_table_file cr)")" "" "cr debugfs table"
}

_no_module() { [[ ! -e /sys/module/bonding ]]; }

module_reload() {
	local rx
	rx=$(mx_rx ca)
	# Storms still running.
	check_ok mx_wait 10 _rx_grows ca "$rx" 100
	check_ok timeout 60 modprobe -r bonding
	check_ok _no_module
	check_fail test -e /sys/class/net/bonding_masters
	check_eq "$(ns_ip h -o link show type bond | grep -c .)" 0 "bonds left in h"
	check_eq "$(ip -o link show type bond | grep -c .)" 0 "bonds left in the initial namespace"
	# The senders kept sending through the unload.
	check_ok kill -0 "${MX_STORM_PID[S1]}"
	check_ok kill -0 "${MX_STORM_PID[S2]}"
	check_ok modprobe bonding max_bonds=0
	bonding_is_ours || _check_failed "reloaded bonding is not ours"
	# A new alb bond on the storming bridge works at once.
	mx_bond --ip 10.66.0.1/16 cn balance-alb 2 || return 1
	ns_ip cc addr add 10.66.0.100/16 dev eth0
	check_ok mx_wait 10 mx_bond_ready cn
	check_eq "$(mx_ping cc 10.66.0.1 3)" 3 "cc -> cn (new alb bond after reload)"
	check_ok mx_wait 10 _seen_grows cn 0 50
	table_on_slaves cn
}

teardown() {
	mx_storm_stop S1 S2 S3
	mx_release_h
	check_ok ip -batch - <<-EOF
		netns del $(ns h)
		netns del $(ns sw)
		netns del $(ns cc)
	EOF
	check_ok wait_while 30 _any_bond
	check_eq "$(ip netns list | grep -c "^$NS_PREFIX")" 0 "namespaces of this test left"
	check_ok timeout 60 modprobe -r bonding
	check_ok _no_module
	check_ok modprobe bonding max_bonds=0
	bonding_is_ours || _check_failed "reloaded bonding is not ours"
	bct_slab_check dev 0 30
	if wait_until 60 ns_back; then
		log "ok: network namespaces back to the baseline"
	else
		_check_failed "network namespaces not freed: net_namespace above the baseline ($NS_BASE) for 60 s"
	fi
}
# _any_bond: a bond device exists in some namespace.
_any_bond() {
	local n
	ip -o link show type bond | grep -q . && return 0
	for n in $(ip netns list | awk '{ print $1 }'); do
		ip -n "$n" -o link show type bond 2>/dev/null | grep -q . && return 0
	done
	return 1
}

ktap_plan 11
mx_mark
mx_run setup_bonds_under_storm setup
mx_run mode_changes_under_storm mode_cycle
mx_run enslave_release_under_storm enslave_release
mx_run slave_veths_deleted_under_storm delete_slave_veths
mx_run bonds_created_deleted_under_storm create_delete_bonds
mx_run netns_with_bonds_deleted_under_storm delete_netns
mx_run alb_down_up_loop_under_two_floods tight_loop
mx_run remaining_bonds_work remaining_work
mx_run module_reload_under_storm module_reload
mx_run teardown_no_bond_no_leak teardown
mx_run no_kernel_splat mx_check_clean "churn under storm"
ktap_finish
