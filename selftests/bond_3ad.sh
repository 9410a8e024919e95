#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=240
#
# 802.3ad: two of our LACP bonds aggregate with each other.
#
#   namespace a   bond ad0 (10.34.0.1/24), slaves ada1-3
#   namespace b   bond ad0 (10.34.0.2/24), slaves adb1-3; adaK <-> adbK veth
#
# Both run mode 802.3ad, miimon 100, xmit_hash_policy layer3+4, lacp_rate
# slow. What must hold: all ports of both bonds join one aggregator, each
# side's partner is the other bond's MAC, actor and partner states are 61
# (0x3d: activity, aggregation, sync, collecting, distributing), and sysfs,
# /proc and netlink say so; flows spread over the ports; a port whose link
# fails leaves the aggregator and comes back; min_links decides carrier;
# ad_actor_system/ad_actor_sys_prio are what the partner sees; malformed
# LACPDUs and markers are counted and change nothing while markers are
# answered; a flood of LACPDUs asking for answers gets at most three a
# second; the churn machines judge ports only once Churn_Detection_Time ran
# out; releasing and enslaving ports and down/up re-aggregate.
# bond_3ad_opts.sh covers lacp_rate, lacp_active, coupled_control, ad_select,
# other keys and the options.
#
# State is read with shell builtins (each namespace's sysfs mounted, its
# /proc/net through a parked process): under TCG each exec costs ~0.4 s.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd python3 nsenter ping

KEY_10G=15	# user key 0, speed 10 Gb/s (7), full duplex

ping_b() { bct_ping_all a "${1:-1}" -i 0.2 -W 5 10.34.0.2; }

# ---------------------------------------------------------------- subtests

aggregate() {
	local ma mb v s k j re
	bct_ms T_START
	ad_pair_setup 3 "xmit_hash_policy layer3+4" || return 1
	ad_wait_pair 3 $AD_AGGR $AD_AGGR "all 3 ports of both bonds in one aggregator, states 61" ||
		return 1
	ad_sy ma a ad0/address
	ad_sy mb b ad0/address
	ad_check_bo a ad_partner_mac "$mb"
	ad_check_bo b ad_partner_mac "$ma"
	ad_check_bo a ad_actor_key $KEY_10G
	ad_check_bo a ad_partner_key $KEY_10G
	ad_check_bo a mode "802.3ad 4"
	ad_check_bo a lacp_rate "slow 0"
	ad_check_bo a lacp_active "on 1"
	ad_check_bo a ad_select "stable 0"
	ad_check_bo a ad_actor_sys_prio 65535
	ad_check_bo a ad_actor_system 00:00:00:00:00:00
	ad_check_bo a ad_user_port_key 0
	for s in ada1 ada2 ada3; do
		ad_check_so a $s state active
		ad_check_so a $s mii_status up
	done

	log "/proc/net/bonding/ad0 of a"
	ad_check_pf a "Bonding Mode" "IEEE 802.3ad Dynamic link aggregation"
	ad_check_pf a "Transmit Hash Policy" "layer3+4 (1)"
	ad_check_pf a "LACP active" on
	ad_check_pf a "LACP rate" slow
	ad_check_pf a "Min links" 0
	ad_check_pf a "Aggregator selection policy (ad_select)" stable
	ad_check_pf a "System priority" 65535
	ad_check_pf a "System MAC address" "$ma"
	ad_bo v a ad_aggregator
	ad_check_pf a "	Aggregator ID" "$v"
	ad_check_pf a "	Number of ports" 3
	ad_check_pf a "	Actor Key" $KEY_10G
	ad_check_pf a "	Partner Key" $KEY_10G
	ad_check_pf a "	Partner Mac Address" "$mb"
	for k in 1 2 3; do
		ad_check_pf a "Aggregator ID" "$v" ada$k
		# In sync, but judged only once Churn_Detection_Time ran out.
		ad_check_pf a "Actor Churn State" monitoring ada$k
		ad_check_pf a "Partner Churn State" monitoring ada$k
		ad_check_pf a "Actor Churned Count" 0 ada$k
		ad_check_pf a "Partner Churned Count" 0 ada$k
	done
	check_lacp_details ada2 2 "$ma" "$mb"

	log "netlink of a"
	j=$(ip -n "$(ns a)" -d -j link show dev ad0)
	re='"ad_info":\{"aggregator":([0-9]+),"num_ports":([0-9]+),"actor_key":([0-9]+),"partner_key":([0-9]+),"partner_mac":"([^"]*)"\}'
	if [[ $j =~ $re ]]; then
		check_eq "${BASH_REMATCH[*]:1}" "$v 3 $KEY_10G $KEY_10G $mb" "netlink ad_info of ad0"
	else
		_check_failed "no ad_info in ip -d -j link show ad0: $j"
	fi
	j=$(ip -n "$(ns a)" -d -j link show dev ada3)
	re='"ad_aggregator_id":([0-9]+),"ad_actor_oper_port_state":([0-9]+).*"ad_partner_oper_port_state":([0-9]+)'
	if [[ $j =~ $re ]]; then
		check_eq "${BASH_REMATCH[*]:1}" "$v $AD_AGGR $AD_AGGR" "netlink 802.3ad attributes of ada3"
	else
		_check_failed "no 802.3ad slave attributes in ip -d -j link show ada3: $j"
	fi
}

# check_lacp_details SLAVE PORT ACTOR_MAC PARTNER_MAC: the LACPDU details of
# SLAVE in /proc of a.
check_lacp_details() {
	local want lines in=0 l got=
	mapfile -t lines <"${BOND_VIEW_PROC[a]}/bonding/ad0"
	for l in "${lines[@]}"; do
		[[ $l == "Slave Interface: $1" ]] && in=1 && continue
		[[ $l == "Slave Interface: "* ]] && in=0
		((in)) && [[ $l == "details "* || $l == "    "* ]] && got+="$l|"
	done
	want="details actor lacp pdu:|    system priority: 65535|    system mac address: $3|"
	want+="    port key: $KEY_10G|    port priority: 255|    port number: $2|    port state: $AD_AGGR|"
	want+="details partner lacp pdu:|    system priority: 65535|    system mac address: $4|"
	want+="    oper key: $KEY_10G|    port priority: 255|    port number: $2|    port state: $AD_AGGR|"
	check_eq "$got" "$want" "/proc details of $1"
}

traffic() {
	local s v before=() d used=0 total=0 rxb rxa
	ping_b
	for s in ada1 ada2 ada3; do
		ad_stat v a $s tx_packets
		before+=("$v")
	done
	ad_stat rxb b ad0 rx_packets
	log "64 UDP flows from a to b (distinct destination ports)"
	# shellcheck disable=SC2016	# expanded by the inner bash
	bct_ok nsenter --net="/run/netns/$(ns a)" bash -c \
		'for p in {1..64}; do echo x >/dev/udp/10.34.0.2/$((20000 + p)); done'
	for s in 0 1 2; do
		ad_stat v a "ada$((s + 1))" tx_packets
		d=$((v - before[s]))
		log "ada$((s + 1)) sent $d"
		((d >= 4)) && used=$((used + 1))
		total=$((total + d))
	done
	check_true "flows use more than one port ($used ports sent >= 4)" test $used -ge 2
	check_true "all 64 datagrams left through the slaves ($total)" test $total -ge 64
	ad_stat rxa b ad0 rx_packets
	check_true "b's bond received them ($((rxa - rxb)))" test $((rxa - rxb)) -ge 64
}

# no_coll_dist NS SLAVE: the actor state of SLAVE neither collects nor distributes.
no_coll_dist() {
	local v
	ad_so v "$1" "$2" ad_actor_oper_port_state && [[ -n $v ]] &&
		((!(v & (AD_ST_COLL | AD_ST_DIST))))
}

port_down_up() {
	bond_ipb @b "link set adb2 down"
	check_true "a keeps 2 ports after adb2 went down" \
		bct_wait_until $AD_WAIT ad_agg_ok a 2 $AD_AGGR "ada1 ada3"
	check_true "ada2 stops collecting and distributing" \
		bct_wait_until $AD_WAIT no_coll_dist a ada2
	ad_check_so a ada2 state backup
	ad_check_so a ada2 mii_status down
	check_true "b keeps 2 ports" bct_wait_until $AD_WAIT ad_agg_ok b 2 $AD_AGGR "adb1 adb3"
	ping_b 2
	bond_ipb @b "link set adb2 up"
	ad_wait_pair 3 $AD_AGGR $AD_AGGR "adb2 back: 3 ports again on both sides"
}

min_links() {
	ad_put a min_links 4 OK
	check_true "carrier off with min_links 4 > 3 ports" bct_wait_until 5 ad_is a ad0/carrier 0
	ad_check_pf a "Min links" 4
	ad_check_bo a ad_num_ports 3
	ad_put a min_links 3 OK
	check_true "carrier on with min_links 3" bct_wait_until 5 ad_is a ad0/carrier 1
	ad_put a min_links 0 OK
	check_true "carrier on with min_links 0" bct_wait_until 5 ad_is a ad0/carrier 1
}

churn_is() {			# NS SLAVE FIELD WANT
	local v
	ad_pf v "$1" "$3" "$2" && [[ $v == "$4" ]]
}

# The churn machines of ports in sync since the start say "none" once
# Churn_Detection_Time (60 s of LACP ticks) has run out, not before; ada2
# was restarted by port_down_up, so only ada1 and ada3 count here (their
# verdict waits for the timer however their sync came and went since). A
# starved guest runs ticks late: wait up to 90 s after the bonds were made.
churn_settles() {
	local now left k f
	bct_ms now
	if ((now - T_START < 50000)); then
		for k in 1 3; do
			ad_check_pf a "Actor Churn State" monitoring ada$k
		done
	fi
	left=$(((T_START + 90000 - now) / 1000))
	((left < 5)) && left=5
	for k in 1 3; do
		for f in "Actor Churn State" "Partner Churn State"; do
			check_true "ada$k: $f none after Churn_Detection_Time" \
				bct_wait_until "$left" churn_is a ada$k "$f" none
		done
		ad_check_pf a "Actor Churned Count" 0 ada$k
		ad_check_pf a "Partner Churned Count" 0 ada$k
	done
	bct_ms now
	log "churn verdict $(((now - T_START) / 1000)) s after the bonds were made"
}

# check_lacp_partner NS SLAVE PRIO MAC: /proc "details partner lacp pdu" of SLAVE.
check_lacp_partner() {
	local prio= mac=
	ad_partner_pdu prio "$1" "$2" "system priority"
	ad_partner_pdu mac "$1" "$2" "system mac address"
	check_eq "$prio|$mac" "$3|$4" "$1: partner system priority|mac of $2 in /proc"
}

actor_system() {
	local s ma
	ad_put a ad_actor_system 02:34:00:00:00:77 OK
	ad_put a ad_actor_sys_prio 4242 OK
	check_true "b's partner is a's ad_actor_system" \
		bct_wait_until $AD_WAIT ad_is b ad0/bonding/ad_partner_mac 02:34:00:00:00:77
	ad_wait_pair 3 $AD_AGGR $AD_AGGR "aggregated under the new system id"
	ad_check_pf a "System priority" 4242
	ad_check_pf a "System MAC address" 02:34:00:00:00:77
	ad_check_pf b "	Partner Mac Address" 02:34:00:00:00:77
	for s in adb1 adb2 adb3; do
		check_lacp_partner b $s 4242 02:34:00:00:00:77
	done
	ad_put a ad_actor_sys_prio 0 EINVAL
	ad_put a ad_actor_system 01:00:5e:00:00:01 EINVAL
	ad_check_bo a ad_actor_system 02:34:00:00:00:77
	ad_check_bo a ad_actor_sys_prio 4242
	ad_put a ad_actor_system 00:00:00:00:00:00 OK
	ad_put a ad_actor_sys_prio 65535 OK
	ad_sy ma a ad0/address
	check_true "with ad_actor_system zero the system is ad0's MAC again" \
		bct_wait_until $AD_WAIT ad_is b ad0/bonding/ad_partner_mac "$ma"
	ad_wait_pair 3 $AD_AGGR $AD_AGGR "aggregated again"
}

malformed() {
	local keys want xa0 xb0 xa1 xb1 v0 v1 i mb
	keys=(lacpdu_illegal_rx lacpdu_unknown_rx marker_rx marker_unknown_rx marker_response_tx)
	want=(8 1 1 1 1)
	ad_xstats xa0 a ada1
	ad_xstats xb0 b adb1
	log "crafted frames from b's adb1 to a's ada1, then a marker to answer"
	ad_tool b send adb1 short tlvtype tlvlen collector version0 terminator \
		markerlen markerver markertlv subtype -- marker adb1 4711
	check_eq "$AD_OUT" "response port=7 system=02:aa:bb:cc:dd:99 txid=4711 version=1 length=16" \
		"a answers the marker on ada1 (after the malformed frames)"
	check_true "a still aggregated with b" ad_pair_ok 3 $AD_AGGR $AD_AGGR
	ad_sy mb b ad0/address
	ad_check_bo a ad_partner_mac "$mb"
	ad_xstats xa1 a ada1
	ad_xstats xb1 b adb1
	for ((i = 0; i < ${#keys[@]}; i++)); do
		ad_xstat v0 "$xa0" "${keys[i]}"
		ad_xstat v1 "$xa1" "${keys[i]}"
		if [[ $v0 == none || $v1 == none ]]; then
			_check_failed "no ${keys[i]} in ip stats of ada1: '$xa1'"
			continue
		fi
		check_eq "$((v1 - v0))" "${want[i]}" "growth of ${keys[i]} of ada1"
	done
	ad_xstat v0 "$xb0" marker_response_rx
	ad_xstat v1 "$xb1" marker_response_rx
	if [[ $v0 == none || $v1 == none ]]; then
		_check_failed "no marker_response_rx in ip stats of adb1: '$xb1'"
	else
		check_eq "$((v1 - v0))" 1 "growth of marker_response_rx of adb1"
	fi
	ping_b
	check_true "a still aggregated a moment later" ad_pair_ok 3 $AD_AGGR $AD_AGGR
}

# A flood of LACPDUs that each ask a for an answer (they name a wrong
# partner key) gets at most three answers a second; the last one is right.
# The bound is derived from the time the window really took (the flood is
# 31 PDUs 100 ms apart, longer on a slow guest): one LACPDU per third of a
# second, plus one for the edges.
rate_limited() {
	local ma mb x y n t0 t1 ms max
	ad_sy ma a ad0/address
	ad_sy mb b ad0/address
	bct_ms t0
	ad_stat x b adb1 rx_packets
	ad_tool b flood adb1 30 "$mb" "$ma"
	# The answer to the last PDU may still be on its way.
	answered() { ad_stat y b adb1 rx_packets && ((y - x >= 3)); }
	bct_wait_until 2 answered
	ad_stat y b adb1 rx_packets
	bct_ms t1
	n=$((y - x)) ms=$((t1 - t0))
	max=$((ms * 3 / 1000 + 1))
	log "a sent $n LACPDUs on ada1 while b's flood of 30 went on ($ms ms)"
	check_true "a answered ($n >= 3)" test $n -ge 3
	check_true "at most 3 LACPDUs a second ($n <= $max in $ms ms)" test $n -le $max
	ad_wait_pair 3 $AD_AGGR $AD_AGGR "still aggregated after the flood"
}

release() {
	local agg v owner rest
	ad_bo agg a ad_aggregator
	# Aggregator ids were handed out in enslave order: ada<id> owns it.
	owner=ada$agg
	rest=${AD_SLAVES[a]/$owner/}
	log "releasing $owner, which owns the active aggregator: the others move on"
	bond_ipb @a "link set $owner nomaster"
	check_true "a keeps 2 ports without $owner" \
		bct_wait_until $AD_WAIT ad_agg_ok a 2 $AD_AGGR "$rest"
	ad_bo v a ad_aggregator
	check_ne "$v" "$agg" "a's active aggregator id after $owner left"
	ad_check_so a $owner ad_aggregator_id "<missing>"
	ping_b
	bond_ipb @a "link set $owner master ad0"
	ad_wait_pair 3 $AD_AGGR $AD_AGGR "$owner enslaved again: 3 ports"
}

down_up() {
	local s
	bond_ipb @a "link set ad0 down"
	ad_check_pf a "MII Status" down
	for s in ada1 ada2 ada3; do
		ad_check_so a $s ad_aggregator_id N/A
		ad_check_pf a "Aggregator ID" N/A $s
	done
	ad_check_proc_line a "bond ad0 has no active aggregator"
	bond_ipb @a "link set ad0 up"
	ad_wait_pair 3 $AD_AGGR $AD_AGGR "a down and up: aggregated again"
	bond_ipb @a "link set ad0 down"
	bond_ipb @b "link set ad0 down"
	bond_ipb @b "link set ad0 up"
	bond_ipb @a "link set ad0 up"
	ad_wait_pair 3 $AD_AGGR $AD_AGGR "both down and up: aggregated again"
	ping_b 2
}

ktap_plan 11
dmesg_mark
run_test aggregate_both_sides timed aggregate
run_test flows_spread_over_ports timed traffic
run_test failed_port_leaves_and_returns timed port_down_up
run_test min_links_decides_carrier timed min_links
run_test actor_system_seen_by_partner timed actor_system
run_test malformed_pdus_counted_and_ignored timed malformed
run_test lacpdu_transmit_rate_limited timed rate_limited
run_test churn_judged_after_detection_time timed churn_settles
run_test release_and_enslave_reaggregates timed release
run_test down_up_reaggregates timed down_up
run_test no_kernel_splat dmesg_check_clean "802.3ad"
ktap_finish
