#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=240
#
# 802.3ad options at work between two of our LACP bonds.
#
#   namespace a   bond ad0 (10.34.0.1/24), slaves ada1-3, later the tap adat
#                 (a python relay copies its frames to/from the veth adar)
#   namespace b   bond ad0 (10.34.0.2/24), slaves adb1-3, later adb4 (the
#                 peer of adar, so adat and adb4 are partners)
#
# What must hold: lacp_rate fast on a makes b send a LACPDU a second and
# shows in the timeout bit (state 63), slow makes b quiet; coupled_control
# off (independent collecting/distributing) still reaches 61, and, with a
# partner that is in sync but does not collect, stops at COLLECTING (29:
# collecting, not distributing) where coupled control goes straight to
# COLLECTING_DISTRIBUTING (61) and a partner that collects lets an
# independent port distribute (61); a port with
# another speed has another key and is not aggregated (its partner neither),
# and ad_select picks the aggregator by bandwidth or by port count; two
# passive bonds never send a LACPDU and run on partner defaults, one active
# side is enough to aggregate; actor_port_prio is what the partner sees;
# the 802.3ad options are accepted in this mode (some only while down) and
# refused in others. bond_3ad.sh covers the protocol and views.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd python3 nsenter ping ethtool

KEY_1G=9	# speed 1 Gb/s (4), full duplex
KEY_10G=15	# speed 10 Gb/s (7)
KEY_100G=29	# speed 100 Gb/s (14)
STANDBY=$((AD_ST_ACT | AD_ST_AGG))	# selected for an aggregator the bond does not use

ping_b() { bct_ping_all a "${1:-1}" -i 0.2 -W 5 10.34.0.2; }

# frames_in VAR NS SLAVE SECONDS: frames received on SLAVE during SECONDS
# (the namespaces are quiet: no IPv6, no traffic, so these are LACPDUs).
frames_in() {
	local x y
	ad_stat x "$2" "$3" rx_packets
	bct_sleep "$4"
	ad_stat y "$2" "$3" rx_packets
	printf -v "$1" '%s' "$((y - x))"
	log "$3 received $((y - x)) frames in $4 s"
}

# ---------------------------------------------------------------- subtests

fast_independent() {
	local n
	AD_UP=0 ad_pair_setup 3 "lacp_rate fast" "" || return 1
	ad_tool a nlset ad0 coupled_control 0 -- nlget ad0 coupled_control
	check_eq "${AD_OUT//$'\n'/ }" "ok 0" "coupled_control 0 on a, read back by netlink"
	bond_ipb @a "link set ad0 up"
	bond_ipb @b "link set ad0 up"
	ad_wait_pair 3 $AD_AGGR_FAST $AD_AGGR \
		"a (fast, independent control) 63, b (slow, coupled) 61" || return 1
	ad_check_pf a "LACP rate" fast
	ad_check_bo a lacp_rate "fast 1"
	ad_put a lacp_rate slow EBUSY
	frames_in n a ada1 4
	check_true "b sends about one LACPDU a second to its fast partner ($n in 4 s)" \
		test "$n" -ge 3 -a "$n" -le 8
	ping_b 2
}

slow_coupled() {
	local n
	bond_ipb @a "link set ad0 down"
	ad_put a lacp_rate slow OK
	ad_tool a nlset ad0 coupled_control 1
	check_eq "$AD_OUT" ok "coupled_control 1 on a"
	bond_ipb @a "link set ad0 up"
	ad_wait_pair 3 $AD_AGGR $AD_AGGR "both slow and coupled: 61" || return 1
	frames_in n a ada1 6
	check_true "b sends at most one LACPDU in 6 s to a slow partner ($n)" test "$n" -le 1
}

# Mux states with a partner we play (bond_3ad_tool.py partner in b, on the
# plain veth adcp): bond adc in a, one slave adc1. The partner says SYNC
# (13: activity, aggregation, sync) without COLLECTING, then adds
# COLLECTING and DISTRIBUTING (61).
#   coupled_control 0: adc1 goes ATTACHED -> COLLECTING (29) and stays there
#     while the partner does not collect; DISTRIBUTING (61) once it does
#   coupled_control 1: COLLECTING_DISTRIBUTING (61) although the partner
#     does not collect
CTL=
partner_says() { printf '%s\n' "$1" >"$CTL"; }

adc_state_is() { ad_is c adc1/bonding_slave/ad_actor_oper_port_state "$1"; }

# stays STATE SECONDS: a check that adc1's state is STATE throughout.
stays() {
	local v t
	for ((t = 0; t < $2 * 10; t++)); do
		ad_so v c adc1 ad_actor_oper_port_state
		[[ $v == "$1" ]] || { _check_failed "adc1 left state $1 for $v (partner not collecting)"; return 1; }
		bct_sleep 0.1
	done
	log "ok: adc1 stayed in state $1 for $2 s"
}

mux_states() {
	local pid v
	AD_BOND[c]=adc
	BOND_VIEW_SYS[c]=${BOND_VIEW_SYS[a]}
	BOND_VIEW_PROC[c]=${BOND_VIEW_PROC[a]}
	_bct_tmpdir
	CTL=$_bct_tmp/partner-ctl
	partner_says 13
	bond_ipb @a "link add adc type bond mode 802.3ad miimon 100" \
		"link add adc1 type veth peer name adcp netns $(ns b)" \
		"link set adc1 master adc" "addr add 10.35.0.1/24 dev adc"
	bond_ipb @b "addr add 10.35.0.2/24 dev adcp" "link set adcp up"
	nsenter --net="/run/netns/$(ns b)" python3 "$LIB_DIR/bond_3ad_tool.py" partner adcp "$CTL" \
		>"$_bct_tmp/partner" 2>&1 &
	pid=$!
	defer kill "$pid"
	ad_tool a nlset adc coupled_control 0 -- nlget adc coupled_control
	check_eq "${AD_OUT//$'\n'/ }" "ok 0" "coupled_control 0 on adc"
	bond_ipb @a "link set adc up"
	log "independent control, the partner in sync but not collecting"
	if check_true "adc1 reaches COLLECTING (29)" bct_wait_until $AD_WAIT adc_state_is 29; then
		ad_check_so c adc1 ad_partner_oper_port_state 13
		stays 29 2
	else
		ad_so v c adc1 ad_actor_oper_port_state
		log "adc1 state $v; partner: $(<"$_bct_tmp/partner")"
	fi
	log "the partner collects and distributes"
	partner_says 61
	check_true "adc1 goes on to DISTRIBUTING (61)" bct_wait_until 10 adc_state_is 61
	ad_check_so c adc1 ad_partner_oper_port_state 61
	bct_ping_all a 3 -i 0.2 -W 2 10.35.0.2

	log "coupled control, the partner in sync but not collecting"
	bond_ipb @a "link set adc down"
	partner_says 13
	ad_tool a nlset adc coupled_control 1 -- nlget adc coupled_control
	check_eq "${AD_OUT//$'\n'/ }" "ok 1" "coupled_control 1 on adc"
	bond_ipb @a "link set adc up"
	check_true "adc1 goes to COLLECTING_DISTRIBUTING (61)" bct_wait_until $AD_WAIT adc_state_is 61
	ad_check_so c adc1 ad_partner_oper_port_state 13
	stays 61 2
	partner_says stop
	wait "$pid"
	bond_ipb @a "link del adc"
}

# tap_agg_active: a's active aggregator is adat's, with only it, attached.
tap_agg_active() {
	local v agg
	ad_bo v a ad_num_ports && [[ $v == 1 ]] || return 1
	ad_bo agg a ad_aggregator
	ad_so v a adat ad_aggregator_id && [[ $v == "$agg" ]] || return 1
	ad_so v a adat ad_actor_oper_port_state && ((v & AD_ST_SYNC))
}

all_standby() {			# NS SLAVES
	local s
	for s in $2; do
		ad_is "$1" "$s/bonding_slave/ad_actor_oper_port_state" $STANDBY || return 1
	done
}

relay_pid=
other_key() {
	local v agg
	# The relay's tap needs /dev/net/tun (both Debian kernels have tun): a
	# failure if it cannot be had, not a skip.
	if [[ ! -c /dev/net/tun ]]; then
		modprobe -q tun
		if [[ ! -c /dev/net/tun ]]; then
			mkdir -p /dev/net && mknod /dev/net/tun c 10 200 ||
				{ _check_failed "no /dev/net/tun and cannot make it"; return 1; }
			defer rm -f /dev/net/tun
		fi
	fi
	_bct_tmpdir
	bond_ipb @a "link add adar type veth peer name adb4 netns $(ns b)" "link set adar up"
	nsenter --net="/run/netns/$(ns a)" python3 "$LIB_DIR/bond_3ad_tool.py" relay adat adar \
		>"$_bct_tmp/relay" 2>&1 &
	relay_pid=$!
	defer kill $relay_pid
	if ! bct_wait_until 20 test -e "${BOND_VIEW_SYS[a]}/adat"; then
		_check_failed "no tap adat from the relay: $(<"$_bct_tmp/relay")"
		return 1
	fi
	bct_ok nsenter --net="/run/netns/$(ns a)" ethtool -s adat speed 1000 duplex full
	bond_ipb @a "link set adat master ad0"
	bond_ipb @b "link set adb4 master ad0"
	log "adat runs at 1 Gb/s, the others at 10 Gb/s"
	check_true "a: ada1-3 still aggregated" \
		bct_wait_until $AD_WAIT ad_agg_ok a 3 $AD_AGGR "${AD_SLAVES[a]}"
	check_true "a: adat stands by in an aggregator of its own" \
		bct_wait_until $AD_WAIT ad_is a adat/bonding_slave/ad_actor_oper_port_state $STANDBY
	check_true "b: adb4, adat's partner, stands by too" \
		bct_wait_until $AD_WAIT ad_is b adb4/bonding_slave/ad_actor_oper_port_state $STANDBY
	check_true "b: adb1-3 still aggregated" ad_agg_ok b 3 $AD_AGGR "${AD_SLAVES[b]}"
	ad_bo agg a ad_aggregator
	ad_so v a adat ad_aggregator_id
	check_ne "$v" "$agg" "aggregator of adat"
	ad_check_pf a "    port key" $KEY_1G adat
	ad_check_pf a "    port key" $KEY_10G ada1
	ad_check_so a adat state backup
	ad_check_pf b "    oper key" $KEY_1G adb4
	ad_check_pf b "    port key" $KEY_10G adb4
	ad_bo agg b ad_aggregator
	ad_so v b adb4 ad_aggregator_id
	check_ne "$v" "$agg" "aggregator of adb4"

	log "ad_select: a 100 Gb/s adat beats three 10 Gb/s ports by bandwidth, not by count"
	bond_ipb @a "link set ad0 down" "link set adat nomaster"
	bct_ok nsenter --net="/run/netns/$(ns a)" ethtool -s adat speed 100000 duplex full
	bond_ipb @a "link set adat master ad0"
	ad_put a ad_select bandwidth OK
	bond_ipb @a "link set ad0 up"
	check_true "bandwidth: adat's aggregator is the active one" \
		bct_wait_until $AD_WAIT tap_agg_active
	ad_check_pf a "    port key" $KEY_100G adat
	ad_so v a adat ad_actor_oper_port_state
	check_eq "$v" $((STANDBY | AD_ST_SYNC)) \
		"adat attached but not collecting: b keeps adb4 out of its active aggregator"
	check_true "ada1-3 stand by" bct_wait_until $AD_WAIT all_standby a "${AD_SLAVES[a]}"
	ad_check_bo a ad_num_ports 1
	ad_down_up a ad_select count
	check_true "count: the three-port aggregator is the active one" \
		bct_wait_until $AD_WAIT ad_agg_ok a 3 $AD_AGGR "${AD_SLAVES[a]}"
	check_true "adat stands by again" \
		bct_wait_until $AD_WAIT ad_is a adat/bonding_slave/ad_actor_oper_port_state $STANDBY
	bond_ipb @a "link set adat nomaster"
	bond_ipb @b "link set adb4 nomaster"
	ad_wait_pair 3 $AD_AGGR $AD_AGGR "without adat and adb4: 3 ports"
}

# fallen_back: every port of a and b runs on partner defaults (DEFAULTED,
# not EXPIRED), and each bond carries traffic on one of them.
fallen_back() {
	local n s v agg
	for n in a b; do
		ad_bo v $n ad_num_ports && [[ $v == 1 ]] || return 1
		ad_bo agg $n ad_aggregator
		for s in ${AD_SLAVES[$n]}; do
			ad_so v $n $s ad_actor_oper_port_state || return 1
			(((v & (AD_ST_DEF | AD_ST_EXP)) == AD_ST_DEF)) || return 1
			ad_so v $n $s ad_aggregator_id
			[[ $v != "$agg" ]] && continue
			ad_so v $n $s ad_actor_oper_port_state
			[[ $v == $((AD_ST_AGG | AD_ST_SYNC | AD_ST_DEF)) ]] || return 1
		done
	done
}

lacp_active() {
	local n s v rx=() i=0 agg
	bond_ipb @a "link set ad0 down"
	bond_ipb @b "link set ad0 down"
	ad_put a lacp_active off OK
	ad_put b lacp_active off OK
	for s in ${AD_SLAVES[b]}; do
		ad_stat v b $s rx_packets
		rx+=("$v")
	done
	bond_ipb @a "link set ad0 up"
	bond_ipb @b "link set ad0 up"
	check_true "every port of both passive bonds falls back to partner defaults" \
		bct_wait_until $AD_WAIT fallen_back
	ad_check_pf a "LACP active" off
	ad_check_bo a lacp_active "off 0"
	for n in a b; do
		ad_check_bo $n ad_partner_mac 00:00:00:00:00:00
		check_true "$n has carrier through its one port" ad_is $n ad0/carrier 1
		ad_bo agg $n ad_aggregator
		for s in ${AD_SLAVES[$n]}; do
			ad_check_so $n $s ad_partner_oper_port_state 0
			ad_so v $n $s ad_aggregator_id
			[[ $v == "$agg" ]] && continue
			ad_check_so $n $s ad_actor_oper_port_state $((AD_ST_AGG | AD_ST_DEF))
		done
	done
	for s in ${AD_SLAVES[b]}; do
		ad_stat v b $s rx_packets
		check_eq "$((v - rx[i]))" 0 "frames a sent towards $s"
		i=$((i + 1))
	done
	ad_put a lacp_active on EBUSY
	log "a active again, b still passive: they aggregate"
	ad_down_up a lacp_active on
	ad_wait_pair 3 $AD_AGGR $AD_AGGR_PASSIVE "active a with passive b: 3 ports, b's state 60"
	ping_b
}

port_prio() {
	ad_tool a nlset ada1 actor_port_prio 100 -- nlget ada1 actor_port_prio
	check_eq "${AD_OUT//$'\n'/ }" "ok 100" "actor_port_prio 100 on ada1, read back by netlink"
	check_true "a's port priority of ada1 is 100" \
		bct_wait_until 5 pf_is a "    port priority" 100 ada1
	check_true "b sees partner port priority 100 on adb1" \
		bct_wait_until $AD_WAIT partner_prio_is b adb1 100
	ad_wait_pair 3 $AD_AGGR $AD_AGGR_PASSIVE "still aggregated"
}

pf_is() { local v; ad_pf v "$1" "$2" "$4" && [[ $v == "$3" ]]; }	# NS FIELD VALUE SLAVE

# partner_prio_is NS SLAVE PRIO: /proc "details partner lacp pdu" port priority.
partner_prio_is() { local v; ad_partner_pdu v "$1" "$2" "port priority" && [[ $v == "$3" ]]; }

options() {
	AD_BOND[x]=ad9
	BOND_VIEW_SYS[x]=${BOND_VIEW_SYS[a]}
	BOND_VIEW_PROC[x]=${BOND_VIEW_PROC[a]}
	bond_ipb @a "link add ad9 type bond mode 802.3ad lacp_rate fast ad_select bandwidth ad_actor_sys_prio 7 ad_user_port_key 3 ad_actor_system 02:34:00:00:00:09 min_links 2"
	ad_check_bo x mode "802.3ad 4"
	ad_check_bo x lacp_rate "fast 1"
	ad_check_bo x ad_select "bandwidth 1"
	ad_check_bo x ad_actor_sys_prio 7
	ad_check_bo x ad_user_port_key 3
	ad_check_bo x ad_actor_system 02:34:00:00:00:09
	ad_check_bo x min_links 2
	log "sysfs, down"
	ad_put x lacp_active off OK
	ad_put x lacp_rate slow OK
	ad_put x ad_select count OK
	ad_put x ad_user_port_key 1023 OK
	ad_put x ad_user_port_key 1024 EINVAL
	ad_put x ad_actor_sys_prio 65536 EINVAL
	ad_put x ad_actor_sys_prio 0 EINVAL
	ad_put x ad_actor_system 03:00:00:00:00:01 EINVAL
	ad_put x lacp_rate medium EINVAL
	ad_put x lacp_active 2 EINVAL
	ad_check_bo x lacp_active "off 0"
	ad_check_bo x lacp_rate "slow 0"
	ad_check_bo x ad_select "count 2"
	ad_check_bo x ad_user_port_key 1023
	ad_check_bo x ad_actor_sys_prio 7
	ad_check_bo x ad_actor_system 02:34:00:00:00:09
	ad_check_pf x "LACP active" off
	ad_check_pf x "Aggregator selection policy (ad_select)" count
	ad_check_proc_line x "bond ad9 has no active aggregator"
	ad_tool a nlset ad9 coupled_control 0 -- nlget ad9 coupled_control
	check_eq "${AD_OUT//$'\n'/ }" "ok 0" "coupled_control 0 on a down bond"
	bond_ipb @a "link set ad9 up"
	log "sysfs, up"
	ad_put x lacp_rate fast EBUSY
	ad_put x lacp_active on EBUSY
	ad_put x ad_user_port_key 1 EBUSY
	ad_put x ad_select stable EBUSY
	ad_put x ad_actor_sys_prio 9 OK
	ad_put x ad_actor_system 02:34:00:00:00:0a OK
	ad_put x min_links 1 OK
	ad_check_bo x ad_actor_sys_prio 9
	ad_tool a nlset ad9 coupled_control 1
	check_eq "${AD_OUT%%:*}" "error Device or resource busy" "coupled_control on an up bond"
	bond_ipb @a "link set ad9 down" "link set ad9 type bond mode balance-rr"
	ad_check_bo x mode "balance-rr 0"
	log "balance-rr refuses the 802.3ad options"
	ad_put x lacp_rate fast EACCES
	ad_put x lacp_active off EACCES
	ad_put x ad_actor_sys_prio 10 EACCES
	ad_put x ad_user_port_key 5 EACCES
	ad_put x ad_actor_system 02:34:00:00:00:0b EACCES
	ad_tool a nlset ad9 coupled_control 0
	check_eq "${AD_OUT%%:*}" "error Permission denied" "coupled_control in balance-rr"
	ad_put x mode 802.3ad OK
	ad_check_bo x mode "802.3ad 4"
	ad_put x mode 4 OK
	bond_ipb @a "link del ad9"
	check_fail ip -n "$(ns a)" link add ad8 type bond mode balance-xor lacp_rate fast
	check_fail test -e "${BOND_VIEW_SYS[a]}/ad8"
}

ktap_plan 8
dmesg_mark
run_test fast_rate_and_independent_control timed fast_independent
run_test slow_rate_and_coupled_control timed slow_coupled
run_test independent_control_collects_before_distributing timed mux_states
run_test other_key_not_aggregated_ad_select timed other_key
run_test lacp_active_off_speaks_only_when_spoken_to timed lacp_active
run_test actor_port_prio_seen_by_partner timed port_prio
run_test options_only_in_802.3ad timed options
run_test no_kernel_splat dmesg_check_clean "802.3ad options"
ktap_finish
