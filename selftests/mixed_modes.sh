#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=240
#
# Every pair of modes side by side under an ARP storm, several balance-alb
# bonds side by side, an alb bond under a VLAN and an alb bond in a bridge.
#
# Pairs: one bond per implemented mode, all on one bridge in one
# namespace, under one storm (a learning storm per bond, asking for its
# address, and a noise storm of 3000 sources with malformed frames), so
# every pair of modes is side by side. For each pair, both bonds:
#   - non-alb: rlb_stats all zero, empty debugfs table (its slaves' frames
#     never reach RLB code, though every storm frame reaches them);
#   - alb: ARP Seen grew by exactly what its own slaves received, and its
#     table holds exactly the clients that asked for its address, none of
#     its neighbour's;
#   - each answers the client's ping after the storm.
# Several alb bonds: each on its own bridge, each stormed with its own
# clients and with requests for the others' addresses; each table holds
# only its own clients.
# ARP monitor: a balance-rr bond with arp_interval (its own ARP receive
# hook) beside an alb bond on one bridge, under a storm asking for both:
# the rr bond's slaves stay up, one cut off from the switch goes down and
# comes back, its RLB counters stay zero; the alb bond learns exactly its
# own clients.
# VLAN: an alb bond under VLAN 100 learns the tagged clients of the VLAN's
# address, and purges them when the VLAN goes. Bridge: an alb bond that is
# a port of a bridge in the bond namespace sees the storm but learns no
# client (the bridge's ARP is not load balanced, as upstream).
# With BOND_SOAK=1 the storms last ten times longer.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/mixed_lib.sh"

[[ -x $LIB_DIR/arp_storm ]] || skip_all "selftests/arp_storm is not built"
require_cmd nsenter ping stat

DUR=$(mx_scale 15)			# tenths of a second
DUR=$((DUR / 10)).$((DUR % 10))
SEGS=(br0 br1 br2)
LEARN_N=40

# Sources are used in turn (0, 1, ..): a storm that sent S frames asked
# for the first min(S, LEARN_N) of its sources.
asked() { local s; s=$(mx_storm_sent "$1"); echo $((s < LEARN_N ? s : LEARN_N)); }

# Bond of segment S, slot a or b: name, address, learned sources.
bname() { echo "m$1$2"; }
bnet() { [[ $2 == a ]] && echo "10.$((20 + 2 * $1))" || echo "10.$((21 + 2 * $1))"; }
bip() { echo "$(bnet "$@").0.1"; }
bsrc_mac() { printf '02:b%d:%s0:00:00:00' "$1" "$([[ $2 == a ]] && echo 1 || echo 2)"; }

setup() {
	mx_init c0 c1 c2 || return 1
	mx_bridge br1 || return 1
	mx_bridge br2 || return 1
	local s
	for s in 0 1 2; do
		mx_client "c$s" "${SEGS[s]}" "$(bnet $s a).0.100/16" "$(bnet $s b).0.100/16" || return 1
	done
}

IMPL=(balance-rr active-backup balance-xor broadcast balance-tlb balance-alb 802.3ad)

# ---- all modes side by side: one bond per mode on br0, one storm
declare -A MODE_OF=() SEEN_D=() RX_D=() LOST_D=() PING=() TABLE=() BIPOF=()
BCAST=0 LOST=0

# Bond k (mode IMPL[k]) is pk, address 10.(30+k).0.1/16; its learned
# sources are 10.(30+k).128.0.. with MACs 02:b0:k0:00:00:00..
pnet() { echo "10.$((30 + $1))"; }
pmac() { printf '02:b0:%02x:00:00:00' "$(($1 * 16))"; }

all_modes_run() {
	local k b t n=${#IMPL[@]} tags=() cb=
	mx_bonds_begin
	for ((k = 0; k < n; k++)); do
		mx_bond --br br0 --ip "$(pnet $k).0.1/16" "p$k" "${IMPL[k]}" 2
		MODE_OF[p$k]=${IMPL[k]} BIPOF[p$k]=$(pnet $k).0.1
		cb+="addr add $(pnet $k).0.100/16 dev eth0"$'\n'
	done
	mx_bonds_end || return 1
	ns_ip c0 -batch - <<<"$cb" || { _check_failed "addresses on c0"; return 1; }
	for ((k = 0; k < n; k++)); do
		check_ok mx_wait 10 mx_bond_ready "p$k"
		mx_snap "p$k"
	done
	LOST=$(mx_drops)
	for ((k = 0; k < n; k++)); do
		mx_storm "Lp$k" sw u-br0 --sources $LEARN_N --src-ip "$(pnet $k).128.0" --src-mac "$(pmac $k)" \
			--mix req=1 --target-ip "$(pnet $k).0.1" --rate 150 --count $((2 * LEARN_N)) --duration "$DUR"
		tags+=("Lp$k")
	done
	mx_storm N sw u-br0 --sources 3000 --src-ip 10.90.0.0 --src-mac 02:c0:00:00:00:00 \
		--mix req=40,reply=30,grat=30 --target-ip 10.90.255.254 --target-mac 02:ee:00:00:00:01 \
		--random --malformed all --malformed-ratio 0.1 --rate 400 --duration "$DUR"
	tags+=(N)
	mx_storm_wait "${tags[@]}"
	for t in "${tags[@]}"; do
		_mx_get_storm "$t" sent
		BCAST=$((BCAST + MX_V))
	done
	# Frames the kernel dropped on the way (a loaded host) excepted.
	LOST=$(($(mx_drops) - LOST))
	((LOST)) && log "the kernel dropped $LOST frames during the storm"
	# Record what the hooks saw before any ping adds non-ARP frames.
	for ((k = 0; k < n; k++)); do
		b=p$k
		[[ ${MODE_OF[$b]} == balance-alb ]] && mx_wait 10 _mx_seen_is_rx h "$b"
		_mx_get_seen_delta "$b"; SEEN_D[$b]=$MX_V
		_mx_get_rx_delta "$b"; RX_D[$b]=$MX_V
		_mx_get_lost_delta "$b"; LOST_D[$b]=$MX_V
		TABLE[$b]=$(mx_cat "$(mx_table_file "$b")")
		_mx_get_storm "L$b" sent
		mx_sources "$(pnet $k).128.0" "$(pmac $k)" $((MX_V < LEARN_N ? MX_V : LEARN_N)) >"$MX_TMP/expect-$b"
		mx_sources "$(pnet $k).128.0" "$(pmac $k)" $LEARN_N >"$MX_TMP/all-$b"
	done
	for ((k = 0; k < n; k++)); do
		mx_ping_bg "p$k" c0 "$(pnet $k).0.1" 3 5
	done
	for ((k = 0; k < n; k++)); do
		PING[p$k]=$(mx_ping_result "p$k")
	done
}

# bond_checks BOND: the recorded view of one bond after the storm.
bond_checks() {
	local b=$1 m=${MODE_OF[$1]}
	[[ -n $m ]] || { _check_failed "bond $b was not set up"; return; }
	log "$b ($m): ARP Seen +${SEEN_D[$b]}, slaves received +${RX_D[$b]}, flooded $BCAST"
	check_eq "$((RX_D[$b] >= 2 * BCAST - LOST))" 1 "$b: both slaves received every flooded frame (less $LOST dropped)"
	check_eq "${PING[$b]}" 3 "$b ($m): replies to c0's pings after the storm"
	if [[ $m != balance-alb ]]; then
		check_eq "$(mx_rlb_text "$b")" "$MX_RLB_ZERO" "$b ($m) rlb_stats"
		check_eq "${TABLE[$b]}" "" "$b ($m) debugfs rlb_hash_table"
		return
	fi
	mx_check_count "${SEEN_D[$b]}" "${RX_D[$b]}" "${LOST_D[$b]}" "$b: ARP Seen growth vs. frames its slaves received"
	_mx_table_diff "${TABLE[$b]}" "$MX_TMP/expect-$b" "${BIPOF[$b]}" "$(mx_join "$(mx_slaves "$b")")"
	check_eq "$_mx_foreign" 0 "$b: rows for another server address or on a device not its slave"
	check_eq "$_mx_extra" 0 "$b: clients in its table that never asked for its address"
	check_eq "$_mx_missing" 0 "$b: clients that asked for its address but are not in its table"
}

pair_test() {			# BOND_A BOND_B
	bond_checks "$1"
	bond_checks "$2"
	check_eq "$(mx_count_in "${TABLE[$1]}" "$MX_TMP/all-$2")" 0 "$1: clients of $2 in its table"
	check_eq "$(mx_count_in "${TABLE[$2]}" "$MX_TMP/all-$1")" 0 "$2: clients of $1 in its table"
}

# ---- several alb bonds, each on its own bridge
alb_side_by_side() {
	local s b o tags=()
	mx_bonds_begin
	for s in 0 1 2; do
		mx_bond --br "${SEGS[s]}" --ip "$(bip $s a)/16" "$(bname $s a)" balance-alb 2
	done
	mx_bonds_end || return 1
	for s in 0 1 2; do
		check_ok mx_wait 10 mx_bond_ready "$(bname $s a)"
		mx_snap "$(bname $s a)"
	done
	for s in 0 1 2; do
		b=$(bname $s a)
		mx_storm "A$s" sw "u-${SEGS[s]}" --sources $LEARN_N --src-ip "$(bnet $s a).128.0" \
			--src-mac "$(bsrc_mac $s a)" --mix req=1 --target-ip "$(bip $s a)" --rate 200 \
			--count $((2 * LEARN_N)) --duration "$DUR"
		tags+=("A$s")
		# Requests for the next bond's address: nobody here may learn them.
		o=$(((s + 1) % 3))
		mx_storm "F$s$o" sw "u-${SEGS[s]}" --sources 20 --src-ip "$(bnet $o a).$((200 + s)).0" \
			--src-mac "02:d$s:0$o:00:00:00" --mix req=1 --target-ip "$(bip $o a)" --rate 100 \
			--count 40 --duration "$DUR"
		tags+=("F$s$o")
	done
	mx_storm_wait "${tags[@]}"
	for s in 0 1 2; do
		mx_sources "$(bnet $s a).128.0" "$(bsrc_mac $s a)" "$(asked "A$s")" >"$MX_TMP/expect-alb$s"
		mx_sources "$(bnet $s a).128.0" "$(bsrc_mac $s a)" $LEARN_N >"$MX_TMP/all-alb$s"
	done
	for s in 0 1 2; do
		b=$(bname $s a)
		mx_check_seen_is_rx "$b"
		mx_check_table "$b" "$(bip $s a)" "$MX_TMP/expect-alb$s"
		for o in 0 1 2; do
			((o == s)) && continue
			check_eq "$(mx_count_in "$(mx_table "$b")" "$MX_TMP/all-alb$o")" 0 \
				"$b: clients of $(bname $o a) in its table"
		done
	done
	mx_bond_del m0a m1a m2a
}

# ---- balance-rr with the ARP monitor beside balance-alb, under a storm
# ra: balance-rr, arp_interval 100, target 10.46.0.100 (c2), 10.46.0.1/16;
# rb: balance-alb, 10.47.0.1/16; both on br2. The noise storm (malformed
# frames too) asks for ra's address, the learning storm for rb's: every
# frame on ra's slaves goes through ra's ARP hook, which must keep them up
# and never run RLB code.
ARP_DUR=$(mx_scale 8)

_mii() { read -r MX_V <"${MX_SYSFS[h]}/class/net/$1/bonding_slave/mii_status"; }
_mii_is() { _mii "$1" && [[ $MX_V == "$2" ]]; }

rr_arpmon_beside_alb() {
	local t0 bad=0 n=0 fails0
	ns_ip c2 -batch - <<-EOF || { _check_failed "addresses on c2"; return 1; }
		addr add 10.46.0.100/16 dev eth0
		addr add 10.47.0.100/16 dev eth0
	EOF
	# The switch ports are up and ra has its address before ra comes up:
	# a slave enslaved with its carrier down counts as having sent and
	# received at enslave time (as upstream's does), so the monitor's first
	# ticks raise it; with nothing to answer it yet it would fall again
	# two intervals later, a link failure before the storm even starts.
	ns_ip h -batch - <<-EOF || { _check_failed "ports of ra"; return 1; }
		link add ras1 type veth peer name rap1 netns $(ns sw)
		link add ras2 type veth peer name rap2 netns $(ns sw)
	EOF
	ns_ip sw -batch - <<-EOF || { _check_failed "switch ports of ra"; return 1; }
		link set rap1 master br2
		link set rap1 up
		link set rap2 master br2
		link set rap2 up
	EOF
	ns_ip h -batch - <<-EOF || { _check_failed "bond ra"; return 1; }
		link add ra type bond mode balance-rr arp_interval 100 arp_ip_target 10.46.0.100
		link set ras1 master ra
		link set ras2 master ra
		addr add 10.46.0.1/16 dev ra
		link set ra up
	EOF
	mx_bond --br br2 --ip 10.47.0.1/16 rb balance-alb 2 || return 1
	check_ok mx_wait 10 mx_bond_ready ra
	check_ok mx_wait 10 mx_bond_ready rb
	# Five intervals for a bring-up hiccup to show before the failures
	# under the storm are counted from here.
	mx_sleep 0.5
	check_ok mx_wait 10 mx_bond_ready ra
	fails0=$(mx_cat "${MX_SYSFS[h]}/class/net/ras1/bonding_slave/link_failure_count")
	check_eq "$(mx_cat "${MX_SYSFS[h]}/class/net/ra/bonding/arp_interval")" 100 "ra arp_interval"
	mx_snap ra
	mx_snap rb
	mx_storm RL sw u-br2 --sources $LEARN_N --src-ip 10.47.128.0 --src-mac 02:e5:00:00:00:00 \
		--mix req=1 --target-ip 10.47.0.1 --rate 150 --count $((2 * LEARN_N)) --duration "$ARP_DUR"
	mx_storm RN sw u-br2 --sources 500 --src-ip 10.46.128.0 --src-mac 02:e6:00:00:00:00 \
		--mix req=40,reply=30,grat=30 --target-ip 10.46.0.1 --random --malformed all \
		--malformed-ratio 0.1 --rate 300 --duration "$ARP_DUR"
	# The storm reaches ra's slaves, and for 2 s ra's slaves never leave "up".
	check_ok mx_wait 10 _rx_grows ra "${MX_SNAP_RX[ra]}" 200
	t0=${EPOCHREALTIME/./}
	while ((${EPOCHREALTIME/./} - t0 < 2000000)); do
		_mii_is ras1 up && _mii_is ras2 up || bad=$((bad + 1))
		n=$((n + 1))
		mx_sleep 0.05
	done
	check_eq "$bad" 0 "samples of $n in which a slave of ra was not up under the storm"
	check_eq $(($(mx_cat "${MX_SYSFS[h]}/class/net/ras1/bonding_slave/link_failure_count") - fails0)) \
		0 "ras1 link failures under the storm"
	log "ras2 is cut off from the switch (and from the storm)"
	check_ok ns_ip sw link set rap2 nomaster
	check_ok mx_wait 10 _mii_is ras2 down
	check_ok _mii_is ras1 up
	check_eq "$(mx_cat "${MX_SYSFS[h]}/class/net/ra/carrier")" 1 "ra carrier with ras1 up"
	check_ok ns_ip sw link set rap2 master br2
	check_ok mx_wait 10 _mii_is ras2 up
	mx_storm_wait RL
	mx_storm_stop RN
	check_eq "$(mx_rlb_text ra)" "$MX_RLB_ZERO" "ra (balance-rr, ARP monitor) rlb_stats"
	check_eq "$(mx_cat "$(mx_table_file ra)")" "" "ra debugfs rlb_hash_table"
	mx_sources 10.47.128.0 02:e5:00:00:00:00 "$(asked RL)" >"$MX_TMP/expect-rb"
	mx_check_table rb 10.47.0.1 "$MX_TMP/expect-rb"
	check_eq "$(mx_ping c2 10.46.0.1 3)" 3 "c2 -> ra"
	check_eq "$(mx_ping c2 10.47.0.1 3)" 3 "c2 -> rb"
	mx_bond_del ra rb
}
_rx_grows() { _mx_get_rx "$1" && ((MX_V >= $2 + $3)); }

# ---- alb under a VLAN, and alb in a bridge
vb_setup() {
	# No periodic learning packets: for an upper device (VLAN, bridge)
	# they go out of every slave with the upper's MAC, and the switch
	# hands them to the other slave: non-ARP frames in the counted window.
	mx_bond --br br0 mv balance-alb 2 lp_interval 3600 || return 1
	ns_ip h -batch - <<-EOF || { _check_failed "VLAN mv.100"; return 1; }
		link add link mv name mv.100 type vlan id 100
		addr add 10.40.0.1/16 dev mv.100
		link set mv.100 up
	EOF
	ns_ip c0 -batch - <<-EOF || { _check_failed "VLAN on c0"; return 1; }
		link add link eth0 name eth0.100 type vlan id 100
		link set eth0.100 addrgenmode none
		addr add 10.40.0.100/16 dev eth0.100
		link set eth0.100 up
	EOF
	mx_bond --br br1 mb balance-alb 2 lp_interval 3600 || return 1
	ns_ip h -batch - <<-EOF || { _check_failed "bridge hbr"; return 1; }
		link add hbr type bridge stp_state 0 forward_delay 0
		link set mb master hbr
		link set hbr up
		addr add 10.50.0.1/16 dev hbr
	EOF
	ns_ip c1 addr add 10.50.0.100/16 dev eth0 || { _check_failed "address on c1"; return 1; }
	check_ok mx_wait 10 mx_bond_ready mv || return 1
	check_ok mx_wait 10 mx_bond_ready mb || return 1
	mx_snap mv
	mx_snap mb
	mx_storm VT sw u-br0 --vlan 100 --sources $LEARN_N --src-ip 10.40.128.0 --src-mac 02:e1:00:00:00:00 \
		--mix req=1 --target-ip 10.40.0.1 --rate 200 --duration "$DUR"
	# Untagged requests for the VLAN's address: the bond itself has none.
	mx_storm VU sw u-br0 --sources 20 --src-ip 10.40.129.0 --src-mac 02:e2:00:00:00:00 \
		--mix req=1 --target-ip 10.40.0.1 --rate 100 --duration "$DUR"
	mx_storm BR sw u-br1 --sources $LEARN_N --src-ip 10.50.128.0 --src-mac 02:e3:00:00:00:00 \
		--mix req=80,grat=20 --target-ip 10.50.0.1 --rate 200 --duration "$DUR"
	mx_storm_wait VT VU BR
	mx_sources 10.40.128.0 02:e1:00:00:00:00 "$(asked VT)" >"$MX_TMP/expect-mv"
}

_clients_are() { _mx_get_rlb "$1" Clients && [[ $MX_V == "$2" ]]; }

vlan_test() {
	local cnt
	vb_setup || { VB_FAILED=1; return 1; }
	mx_check_seen_is_rx mv
	mx_check_table mv 10.40.0.1 "$MX_TMP/expect-mv"
	check_eq "$(mx_ping c0 10.40.0.1 3)" 3 "c0 -> mv.100 over VLAN 100"
	check_eq "$(mx_rlb mv Clients)" "$(($(asked VT) + 1))" "mv: RLB Clients with c0"
	cnt=$(mx_rlb mv Clients)
	check_ok ns_ip h link del mv.100
	check_ok mx_wait 5 _clients_are mv 0
	check_eq "$(mx_rlb mv "Clients Purged")" "$cnt" "mv: RLB Clients Purged once VLAN 100 is gone"
	check_eq "$(mx_table mv | grep -c .)" 0 "mv: table rows once VLAN 100 is gone"
}

bridge_test() {
	[[ -z ${VB_FAILED:-} ]] || { _check_failed "setup failed"; return 1; }
	# Not exact here: as a bridge port the bond's slaves also get the odd
	# non-ARP frame. More ARP Seen than frames received would still mean
	# the hook ran for frames of other ports.
	local seen rx
	seen=$(mx_seen_delta mb)
	rx=$(mx_rx_delta mb)
	log "mb: ARP Seen +$seen, slaves received +$rx"
	check_eq "$((seen <= rx))" 1 "mb: ARP Seen growth ($seen) <= frames its slaves received ($rx)"
	check_eq "$((seen >= 2 * $(mx_storm_sent BR)))" 1 "mb: ARP Seen covers the storm on both slaves"
	check_eq "$(mx_rlb mb "Clients Added")" 0 "mb: clients added for the bridge's ARP replies"
	check_eq "$(mx_table mb | grep -c .)" 0 "mb: table rows"
	check_eq "$(mx_ping c1 10.50.0.1 3)" 3 "c1 -> hbr through mb"
}

# ---- main
npairs=$((${#IMPL[@]} * (${#IMPL[@]} - 1) / 2))
ktap_plan $((1 + npairs + 4 + 1))
mx_mark
mx_run setup setup
log "==== all modes side by side on br0: ${IMPL[*]}"
t0=$SECONDS
all_modes_run
log "(storm and probes took $((SECONDS - t0)) s)"
for ((i = 0; i < ${#IMPL[@]}; i++)); do
	for ((j = i + 1; j < ${#IMPL[@]}; j++)); do
		mx_run "pair_${IMPL[i]}+${IMPL[j]}" pair_test "p$i" "p$j"
	done
done
dels=()
for ((i = 0; i < ${#IMPL[@]}; i++)); do
	dels+=("p$i")
done
mx_bond_del "${dels[@]}"
mx_run several_alb_bonds_each_own_clients alb_side_by_side
mx_run rr_arp_monitor_beside_alb_under_storm rr_arpmon_beside_alb
mx_run alb_under_vlan_learns_and_purges_tagged_clients vlan_test
mx_run alb_in_host_bridge_sees_storm_learns_nothing bridge_test
mx_bond_del mv mb
ns_ip h link del hbr 2>/dev/null
mx_run no_kernel_splat mx_check_clean "modes side by side"
ktap_finish
