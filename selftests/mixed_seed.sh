#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=150
#
# The seed scenario: a balance-rr bond (msrr) and a balance-alb bond (msalb)
# side by side in one namespace, two slaves each into one bridge, under ARP
# storms (requests, replies, gratuitous, malformed; thousands of sources)
# from the bridge's uplink and from client namespaces, so both bonds hear
# every broadcast on every slave.
#
# This is the configuration that panicked old vendor kernels: their alb ARP
# handler was global, so an ARP on the rr bond's slave ran ALB code of a
# bond without an RLB table. Here:
#   - the rr bond's rlb_stats stay all zero: its slaves' frames never reach
#     RLB code, though they carry every storm frame;
#   - the alb bond's ARP Seen grows by exactly the frames its own slaves
#     received (not one more: frames of other ports never reach its hook),
#     and its malformed counter by exactly the malformed frames it got;
#   - its RLB table holds exactly the clients that ARPed for its address on
#     its slaves, none it could not have heard (the rr bond's clients,
#     noise sources), spread evenly over its slaves;
#   - both bonds carry traffic during and after the storm.
# With BOND_SOAK=1 the storms last ten times longer.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/mixed_lib.sh"

[[ -x $LIB_DIR/arp_storm ]] || skip_all "selftests/arp_storm is not built"
require_cmd nsenter ping stat

RR=msrr ALB=msalb
RR_IP=10.1.0.1 ALB_IP=10.2.0.1
DUR=$(mx_scale 2)
DUR2=$(mx_scale 3)

# Storm sources. Learned by the alb bond: L (uplink) and C (from client cr),
# both asking for ALB_IP. Never in its table: R (asking for RR_IP), N
# (noise for an address nobody has), M (malformed), U (replies sent to the
# rr bond's MAC only), G (gratuitous).
L_IP=10.2.128.0 L_MAC=02:a2:00:00:00:00 L_N=200
C_IP=10.2.129.0 C_MAC=02:a4:00:00:00:00 C_N=100
CA1_MAC=02:cc:00:00:00:01 CA2_MAC=02:cc:00:00:00:02 CR_MAC=02:cc:00:00:01:00

setup() {
	mx_init cr ca1 ca2 || return 1
	mx_bond --ip "$RR_IP/16" "$RR" balance-rr 2 || return 1
	mx_bond --ip "$ALB_IP/16" "$ALB" balance-alb 2 || return 1
	mx_client --mac "$CR_MAC" cr br0 10.1.0.100/16 || return 1
	mx_client --mac "$CA1_MAC" ca1 br0 10.2.0.101/16 || return 1
	mx_client --mac "$CA2_MAC" ca2 br0 10.2.0.102/16 || return 1
	check_ok mx_wait 10 mx_bond_ready "$RR"
	check_ok mx_wait 10 mx_bond_ready "$ALB"
	check_eq "$(mx_slaves "$RR" | tr '\n' ' ')" "${RR}s1 ${RR}s2 " "$RR slaves"
	check_eq "$(mx_slaves "$ALB" | tr '\n' ' ')" "${ALB}s1 ${ALB}s2 " "$ALB slaves"
	# The clients learn the bonds (alb: ca1 and ca2 become RLB clients).
	mx_ping_bg r cr "$RR_IP" 3 6
	mx_ping_bg a1 ca1 "$ALB_IP" 3 6
	mx_ping_bg a2 ca2 "$ALB_IP" 3 6
	check_eq "$(mx_ping_result r)" 3 "cr -> $RR (rr) replies before the storm"
	check_eq "$(mx_ping_result a1)" 3 "ca1 -> $ALB (alb) replies before the storm"
	check_eq "$(mx_ping_result a2)" 3 "ca2 -> $ALB (alb) replies before the storm"
	mx_check_rlb_zero "$RR"
	check_eq "$(mx_rlb "$ALB" "Clients Added")" 2 "$ALB: clients added by two pinging clients"
	{ echo "10.2.0.101 $CA1_MAC"; echo "10.2.0.102 $CA2_MAC"; } >"$MX_TMP/alb-clients"
	mx_check_table "$ALB" "$ALB_IP" "$MX_TMP/alb-clients"
}

declare -A RX0=()
DROPS0=0 LOST=0
snap_slaves() {
	local s
	for s in "${RR}s1" "${RR}s2" "${ALB}s1" "${ALB}s2"; do
		RX0[$s]=$(mx_slave_rx "$s")
	done
}

storm_phase1() {
	local rr_mac bcast s
	rr_mac=$(mx_mac "$RR")
	mx_snap "$ALB"
	mx_snap "$RR"
	snap_slaves
	DROPS0=$(mx_drops)
	mx_storm L sw u-br0 --sources $L_N --src-ip $L_IP --src-mac $L_MAC \
		--mix req=1 --target-ip "$ALB_IP" --rate 400 --count $((2 * L_N)) --duration "$DUR"
	mx_storm R sw u-br0 --sources 200 --src-ip 10.1.128.0 --src-mac 02:a1:00:00:00:00 \
		--mix req=1 --target-ip "$RR_IP" --rate 400 --duration "$DUR"
	mx_storm N sw u-br0 --sources 3000 --src-ip 10.3.0.0 --src-mac 02:a3:00:00:00:00 \
		--mix req=40,reply=30,grat=30 --target-ip 10.3.255.254 --target-mac 02:ee:00:00:00:01 \
		--random --rate 800 --duration "$DUR"
	mx_storm M sw u-br0 --sources 50 --src-ip 10.4.0.0 --src-mac 02:a5:00:00:00:00 \
		--mix req=1 --target-ip 10.4.255.254 \
		--malformed truncated,hln,pln,hrd,zero-mac,bcast-mac,op --rate 200 --count "$((DUR * 150))"
	mx_storm U sw u-br0 --sources 500 --src-ip 10.1.200.0 --src-mac 02:a6:00:00:00:00 \
		--mix reply=1 --target-ip "$RR_IP" --target-mac "$rr_mac" --rate 400 --duration "$DUR"
	mx_storm C cr eth0 --sources $C_N --src-ip $C_IP --src-mac $C_MAC \
		--mix req=1 --target-ip "$ALB_IP" --rate 200 --count $((2 * C_N)) --duration "$DUR"
	mx_storm G ca1 eth0 --sources 1000 --src-ip 10.5.0.0 --src-mac 02:a7:00:00:00:00 \
		--mix grat=1 --rate 300 --duration "$DUR"
	mx_storm_wait L R N M U C G
	# Every frame but U's is broadcast or to an unknown MAC: the bridge
	# floods it to all four slaves.
	bcast=0
	for s in L R N M C G; do
		bcast=$((bcast + $(mx_storm_sent $s)))
	done
	BCAST=$bcast
	log "flooded storm frames: $BCAST; unicast to $RR ($rr_mac): $(mx_storm_sent U)"
	mx_wait 10 _mx_seen_is_rx h "$ALB"
	# Frames the kernel dropped on the way (a loaded host) excepted.
	LOST=$(($(mx_drops) - DROPS0))
	((LOST)) && log "the kernel dropped $LOST frames during the storm"
	for s in "${RR}s1" "${RR}s2" "${ALB}s1" "${ALB}s2"; do
		check_eq "$(($(mx_slave_rx "$s") - RX0[$s] >= BCAST - LOST))" 1 \
			"$s received every flooded storm frame ($(($(mx_slave_rx "$s") - RX0[$s])) >= $BCAST - $LOST dropped)"
	done
}

rr_untouched() {
	mx_check_rlb_zero "$RR"
	check_eq "$(($(mx_rx "$RR") - MX_SNAP_RX[$RR] >= 2 * BCAST - LOST))" 1 \
		"$RR slaves received the storm ($(($(mx_rx "$RR") - MX_SNAP_RX[$RR])) frames) without RLB seeing it"
}

alb_seen_exact() {
	mx_check_seen_is_rx "$ALB"
	check_eq "$(($(mx_seen_delta "$ALB") >= 2 * BCAST - LOST))" 1 \
		"$ALB ARP Seen grew by $(mx_seen_delta "$ALB") >= 2 x $BCAST flooded frames - $LOST dropped"
	mx_check_count "$(mx_bad_delta "$ALB")" "$((2 * $(mx_storm_sent M)))" "$LOST" \
		"$ALB ARP Malformed growth (2 slaves x malformed frames sent)"
}

# Sources are used in turn (0, 1, ..): a storm that sent S frames asked
# for the first min(S, N) of its N sources.
asked() { local s; s=$(mx_storm_sent "$1"); echo $((s < $2 ? s : $2)); }

alb_table_scoped() {
	local nl nc
	nl=$(asked L $L_N)
	nc=$(asked C $C_N)
	log "sources that asked for $ALB_IP: $nl of L, $nc of C"
	{
		mx_sources $L_IP $L_MAC "$nl"
		mx_sources $C_IP $C_MAC "$nc"
		cat "$MX_TMP/alb-clients"
	} >"$MX_TMP/alb-expect"
	mx_check_table "$ALB" "$ALB_IP" "$MX_TMP/alb-expect"
	check_eq "$(mx_rlb "$ALB" "Clients Added")" "$((nl + nc + 2))" "$ALB: RLB Clients Added"
	check_eq "$(mx_rlb "$ALB" "Clients Refused")" 0 "$ALB: RLB Clients Refused"
	check_eq "$(mx_rlb "$ALB" "Clients Purged")" 0 "$ALB: RLB Clients Purged"
}

_seen_grew() { _mx_get_rlb "$ALB" "ARP Seen" && ((MX_V > $1 + 500)); }

# The storms last until the pings are done (not for a fixed time that the
# pings could outlast on a slow guest), then they are stopped.
traffic_during_storm() {
	local added
	added=$(mx_rlb "$ALB" "Clients Added")
	mx_storm N2 sw u-br0 --sources 3000 --src-ip 10.3.0.0 --src-mac 02:a3:00:00:00:00 \
		--mix req=40,reply=30,grat=30 --target-ip 10.3.255.254 --target-mac 02:ee:00:00:00:01 \
		--random --rate 800 --duration 86400
	mx_storm L2 sw u-br0 --sources "$(asked L $L_N)" --src-ip $L_IP --src-mac $L_MAC \
		--mix req=1 --target-ip "$ALB_IP" --rate 400 --duration 86400
	mx_storm G2 ca1 eth0 --sources 1000 --src-ip 10.5.0.0 --src-mac 02:a7:00:00:00:00 \
		--mix grat=50,reply=50 --target-ip "$ALB_IP" --target-mac 02:ee:00:00:00:02 \
		--rate 300 --duration 86400
	# Ping once the storms are under way.
	check_ok mx_wait 5 _seen_grew "$(mx_rlb "$ALB" "ARP Seen")"
	mx_ping_bg r h 10.1.0.100 5 "$DUR2"
	mx_ping_bg a h 10.2.0.102 5 "$DUR2"
	mx_ping_bg c ca1 "$ALB_IP" 5 "$DUR2"
	check_eq "$(($(mx_ping_result r) > 0))" 1 "h -> cr through $RR answered during the storm"
	check_eq "$(($(mx_ping_result a) > 0))" 1 "h -> ca2 through $ALB answered during the storm"
	check_eq "$(($(mx_ping_result c) > 0))" 1 "ca1 -> $ALB answered during the storm"
	check_ok kill -0 "${MX_STORM_PID[N2]}" "${MX_STORM_PID[L2]}" "${MX_STORM_PID[G2]}"
	mx_storm_stop N2 L2 G2
	mx_check_rlb_zero "$RR"
	check_eq "$(mx_rlb "$ALB" "Clients Added")" "$added" "$ALB: known clients asking again are not added again"
	mx_check_table "$ALB" "$ALB_IP" "$MX_TMP/alb-expect"
}

traffic_after_storm() {
	mx_ping_bg r1 h 10.1.0.100 5 5
	mx_ping_bg r2 cr "$RR_IP" 5 5
	mx_ping_bg a1 h 10.2.0.102 5 5
	mx_ping_bg a2 ca1 "$ALB_IP" 5 5
	check_eq "$(mx_ping_result r1)" 5 "h -> cr through $RR"
	check_eq "$(mx_ping_result r2)" 5 "cr -> $RR"
	check_eq "$(mx_ping_result a1)" 5 "h -> ca2 through $ALB"
	check_eq "$(mx_ping_result a2)" 5 "ca1 -> $ALB"
}

alb_spread() {
	local s1 s2 m1 m2 d1 d2 rows
	mx_check_spread "$ALB"
	s1=$(mx_mac "${ALB}s1")
	s2=$(mx_mac "${ALB}s2")
	check_ne "$s1" "$s2" "alb slaves keep their own MACs"
	m1=$(ns_exec ca1 ip neigh show "$ALB_IP" dev eth0 | awk '{ print $3 }')
	m2=$(ns_exec ca2 ip neigh show "$ALB_IP" dev eth0 | awk '{ print $3 }')
	log "ca1 reaches $ALB_IP at $m1, ca2 at $m2 (slaves: $s1 $s2)"
	check_match "$m1" "^($s1|$s2)$" "ca1's MAC for $ALB_IP is a slave's"
	check_match "$m2" "^($s1|$s2)$" "ca2's MAC for $ALB_IP is a slave's"
	check_ne "$m1" "$m2" "ca1 and ca2 are received on different slaves"
	rows=$(mx_table "$ALB")
	d1=$(awk '$2 == "10.2.0.101" { print $4 }' <<<"$rows")
	d2=$(awk '$2 == "10.2.0.102" { print $4 }' <<<"$rows")
	check_eq "$(mx_mac "${d1:-none}")" "$m1" "ca1's MAC for $ALB_IP is the MAC of its table slave ($d1)"
	check_eq "$(mx_mac "${d2:-none}")" "$m2" "ca2's MAC for $ALB_IP is the MAC of its table slave ($d2)"
}

ktap_plan 9
mx_mark
mx_run setup_rr_and_alb_side_by_side setup
mx_run storm_reaches_all_slaves_of_both storm_phase1
mx_run rr_rlb_stats_stay_zero rr_untouched
mx_run alb_arp_seen_is_own_slaves_only alb_seen_exact
mx_run alb_table_only_own_clients alb_table_scoped
mx_run traffic_during_storm traffic_during_storm
mx_run traffic_after_storm traffic_after_storm
mx_run alb_clients_spread_over_slaves alb_spread
mx_run no_kernel_splat mx_check_clean "the seed scenario"
ktap_finish
