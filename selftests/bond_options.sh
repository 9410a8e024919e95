#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=180
#
# The option ABI of the core bond: every option round-trips through sysfs,
# `ip -d -j link show` and /proc/net/bonding in upstream's value formats;
# netlink sets what sysfs and /proc then show; per-slave options (primary,
# active_slave, queue_id, prio) work by sysfs and netlink; the slave
# netlink info matches bonding_slave/ and /proc; and /proc/net/bonding has
# upstream's layout line for line (balance-rr, active-backup with primary
# and fail_over_mac, balance-xor). Refusals: bond_options_invalid.sh.
# Interface prefix: op.
#
# Under TCG every fork costs a good part of a second: values are read with
# shell builtins (bond_lib.sh), `ip` runs once per state to check.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd jq modprobe nsenter
bonding_is_ours || skip_all "the loaded bonding module is not the one under test"

SYS=/sys/class/net
PROC=/proc/net
PEER=${NS_PREFIX}peer

# ---------------------------------------------------------------- helpers

declare -A MODE_DESC=(
	[balance-rr]="load balancing (round-robin)"
	[active-backup]="fault-tolerance (active-backup)"
	[balance-xor]="load balancing (xor)"
	[broadcast]="fault-tolerance (broadcast)"
	[802.3ad]="IEEE 802.3ad Dynamic link aggregation"
	[balance-tlb]="transmit load balancing"
	[balance-alb]="adaptive load balancing"
)

# ---------------------------------------------------------------- round trips

sysfs_roundtrip() {
	local b=opa m n pol
	check_ok ip link add $b type bond
	bond_leftover $b

	log "mode, by name and by number"
	for m in balance-rr:0 active-backup:1 balance-xor:2 broadcast:3 802.3ad:4 balance-tlb:5 balance-alb:6; do
		n=${m#*:}
		m=${m%:*}
		bond_set_ok $b mode "$m" "$m $n"
		bond_nl_fetch $b
		bond_nl_is mode "$m"
		bond_proc_is $b "Bonding Mode" "${MODE_DESC[$m]}"
		bond_set_ok $b mode balance-rr "balance-rr 0"
		bond_set_ok $b mode "$n" "$m $n"
	done
	log "modes without ARP monitoring turn the MII monitor on (100 ms)"
	bond_set_ok $b mode balance-rr "balance-rr 0"
	bond_set_ok $b miimon 0 0
	bond_set_ok $b mode balance-tlb "balance-tlb 5"
	bond_opt_is $b miimon 100 "miimon after switching to balance-tlb"
	log "a mode change resets arp_validate"
	bond_set_ok $b mode balance-rr "balance-rr 0"
	bond_set_ok $b arp_validate active "active 1"
	bond_set_ok $b mode active-backup "active-backup 1"
	bond_opt_is $b arp_validate "none 0" "arp_validate after a mode change"

	log "MII monitor and delays (stored in miimon units, shown in ms)"
	bond_set_ok $b mode balance-xor "balance-xor 2"
	bond_set_ok $b miimon 250 250
	bond_set_ok $b updelay 500 500
	bond_set_ok $b downdelay 750 750
	bond_set_ok $b peer_notif_delay 1000 1000
	bond_nl_fetch $b
	bond_nl_is miimon 250
	bond_nl_is updelay 500
	bond_nl_is downdelay 750
	bond_nl_is peer_notify_delay 1000
	bond_proc_is $b "MII Polling Interval (ms)" 250
	bond_proc_is $b "Up Delay (ms)" 500
	bond_proc_is $b "Down Delay (ms)" 750
	bond_proc_is $b "Peer Notification Delay (ms)" 1000
	bond_klog_mark
	bond_set_ok $b updelay 600 500
	check_match "$(bond_klog_since)" "$b: .*(updelay|up delay).*600.*500" \
		"kernel log about rounding updelay"
	bond_set_ok $b downdelay 999 750
	bond_set_ok $b peer_notif_delay 1249 1000
	bond_set_ok $b miimon 125 125
	bond_opt_is $b updelay 250 "updelay after miimon 250 -> 125 (2 x miimon)"
	bond_opt_is $b downdelay 375 "downdelay after miimon 250 -> 125 (3 x miimon)"
	bond_opt_is $b peer_notif_delay 500 "peer_notif_delay after miimon 250 -> 125 (4 x miimon)"
	bond_proc_is $b "Down Delay (ms)" 375
	bond_set_ok $b miimon 100 100

	log "values with names"
	bond_set_ok $b use_carrier 0 0
	bond_set_ok $b use_carrier on 1
	bond_set_ok $b use_carrier off 0
	bond_set_ok $b primary_reselect 2 "failure 2"
	bond_set_ok $b primary_reselect better "better 1"
	bond_set_ok $b fail_over_mac 2 "follow 2"
	bond_set_ok $b fail_over_mac active "active 1"
	bond_set_ok $b ad_select bandwidth "bandwidth 1"
	n=0
	for pol in layer2 layer3+4 layer2+3 encap2+3 encap3+4 vlan+srcmac; do
		bond_set_ok $b xmit_hash_policy "$pol" "$pol $n"
		n=$((n + 1))
	done
	bond_nl_fetch $b
	bond_nl_is use_carrier 0
	bond_nl_is primary_reselect better
	bond_nl_is fail_over_mac active
	bond_nl_is ad_select bandwidth
	bond_nl_is xmit_hash_policy vlan+srcmac
	bond_set_ok $b xmit_hash_policy 2 "layer2+3 2"
	bond_proc_is $b "Transmit Hash Policy" "layer2+3 (2)"
	bond_nl_fetch $b
	bond_nl_is xmit_hash_policy layer2+3
	bond_set_ok $b xmit_hash_policy default "layer2 0"
	bond_set_ok $b ad_select stable "stable 0"
	bond_set_ok $b primary_reselect always "always 0"
	bond_set_ok $b fail_over_mac none "none 0"
	bond_set_ok $b use_carrier 1 1

	log "numbers"
	bond_set_ok $b resend_igmp 255 255
	bond_set_ok $b resend_igmp 0 0
	bond_set_ok $b resend_igmp 7 7
	bond_set_ok $b num_grat_arp 5 5
	bond_opt_is $b num_unsol_na 5 "num_unsol_na after num_grat_arp 5"
	bond_set_ok $b num_unsol_na 9 9
	bond_opt_is $b num_grat_arp 9 "num_grat_arp after num_unsol_na 9"
	bond_set_ok $b all_slaves_active 1 1
	bond_set_ok $b min_links 2 2
	bond_set_ok $b lp_interval maxval 2147483647
	bond_set_ok $b lp_interval 5 5
	bond_set_ok $b arp_missed_max 5 5
	bond_set_ok $b arp_interval 0 0

	log "ARP targets and ARP options"
	bond_set_ok $b arp_ip_target +10.1.1.1 10.1.1.1
	bond_set_ok $b arp_ip_target +10.1.1.2 "10.1.1.1 10.1.1.2"
	bond_set_ok $b arp_all_targets all "all 1"
	bond_set_ok $b arp_validate active "active 1"
	log "ARP monitoring and the MII monitor exclude each other"
	bond_set_ok $b arp_interval 200 200
	bond_opt_is $b miimon 0 "miimon after arp_interval 200"
	bond_proc_is $b "ARP Polling Interval (ms)" 200
	bond_proc_is $b "ARP Missed Max" 5
	bond_proc_is $b "ARP IP target/s (n.n.n.n form)" "10.1.1.1, 10.1.1.2"
	bond_proc_is $b "MII Polling Interval (ms)" 0
	bond_nl_fetch $b
	bond_nl_is arp_interval 200
	bond_nl_is miimon 0
	bond_set_ok $b miimon 100 100
	bond_opt_is $b arp_interval 0 "arp_interval after miimon 100"
	bond_opt_is $b arp_validate "none 0" "arp_validate after miimon replaced ARP monitoring"
	bond_proc_is $b "ARP Polling Interval (ms)" ""
	bond_set_ok $b arp_validate active "active 1"
	bond_nl_fetch $b
	bond_nl_is resend_igmp 7
	bond_nl_is num_peer_notif 9
	bond_nl_is all_slaves_active 1
	bond_nl_is min_links 2
	bond_nl_is lp_interval 5
	bond_nl_is arp_missed_max 5
	bond_nl_is arp_interval 0
	bond_nl_is arp_ip_target '["10.1.1.1","10.1.1.2"]'
	bond_nl_is arp_all_targets all
	bond_nl_is arp_validate active
	bond_set_ok $b arp_ip_target -10.1.1.1 10.1.1.2
	bond_set_ok $b arp_validate filter_backup "filter_backup 6"
	bond_nl_fetch $b
	bond_nl_is arp_ip_target '["10.1.1.2"]'
	bond_nl_is arp_validate filter_backup
	bond_set_ok $b arp_ip_target -10.1.1.2 ""
	bond_set_ok $b arp_validate none "none 0"
	bond_set_ok $b arp_all_targets any "any 0"
	bond_set_ok $b all_slaves_active 0 0
	bond_nl_fetch $b
	bond_nl_is arp_ip_target null
	bond_nl_is arp_validate null
	bond_nl_is arp_all_targets any

	log "balance-rr: packets_per_slave"
	bond_set_ok $b mode balance-rr "balance-rr 0"
	bond_set_ok $b packets_per_slave 0 0
	bond_set_ok $b packets_per_slave 65535 65535
	bond_set_ok $b packets_per_slave default 1
	bond_set_ok $b packets_per_slave 3 3
	bond_nl_fetch $b
	bond_nl_is packets_per_slave 3

	log "balance-tlb: tlb_dynamic_lb (off: transmit hashes, /proc shows the policy)"
	bond_set_ok $b mode balance-tlb "balance-tlb 5"
	bond_proc_is $b "Transmit Hash Policy" "" 
	bond_set_ok $b tlb_dynamic_lb 0 0
	bond_proc_is $b "Transmit Hash Policy" "layer2 (0)"
	bond_nl_fetch $b
	bond_nl_is tlb_dynamic_lb 0
	bond_set_ok $b tlb_dynamic_lb 1 1
	check_ok ip link del $b
}

netlink_roundtrip() {
	local b=opn
	check_ok ip link add $b type bond mode active-backup miimon 200 updelay 400 downdelay 600 \
		peer_notify_delay 800 use_carrier 0 primary_reselect failure fail_over_mac follow \
		xmit_hash_policy layer3+4 resend_igmp 9 num_grat_arp 4 all_slaves_active 1 \
		min_links 1 lp_interval 3 arp_ip_target 10.2.2.1,10.2.2.2 arp_all_targets all \
		arp_validate backup arp_missed_max 7 ad_select count
	bond_leftover $b
	bond_opt_is $b mode "active-backup 1"
	bond_opt_is $b miimon 200
	bond_opt_is $b updelay 400
	bond_opt_is $b downdelay 600
	bond_opt_is $b peer_notif_delay 800
	bond_opt_is $b use_carrier 0
	bond_opt_is $b primary_reselect "failure 2"
	bond_opt_is $b fail_over_mac "follow 2"
	bond_opt_is $b xmit_hash_policy "layer3+4 1"
	bond_opt_is $b resend_igmp 9
	bond_opt_is $b num_grat_arp 4
	bond_opt_is $b num_unsol_na 4
	bond_opt_is $b all_slaves_active 1
	bond_opt_is $b min_links 1
	bond_opt_is $b lp_interval 3
	bond_opt_is $b arp_ip_target "10.2.2.1 10.2.2.2"
	bond_opt_is $b arp_all_targets "all 1"
	bond_opt_is $b arp_validate "backup 2"
	bond_opt_is $b arp_missed_max 7
	bond_opt_is $b ad_select "count 2"
	bond_proc_is $b "Bonding Mode" "fault-tolerance (active-backup) (fail_over_mac follow)"
	bond_proc_is $b "MII Polling Interval (ms)" 200
	bond_proc_is $b "Up Delay (ms)" 400
	bond_proc_is $b "Down Delay (ms)" 600
	bond_proc_is $b "Peer Notification Delay (ms)" 800

	log "ip link set"
	check_ok ip link set $b type bond mode balance-rr packets_per_slave 5
	bond_opt_is $b mode "balance-rr 0"
	bond_opt_is $b packets_per_slave 5
	bond_opt_is $b arp_validate "none 0" "arp_validate after the mode change"
	bond_proc_is $b "Bonding Mode" "load balancing (round-robin)"
	check_ok ip link set $b type bond mode 2 xmit_hash_policy encap3+4
	bond_opt_is $b mode "balance-xor 2" "mode set by number"
	bond_proc_is $b "Transmit Hash Policy" "encap3+4 (4)"
	check_ok ip link set $b type bond mode balance-tlb tlb_dynamic_lb 0
	bond_opt_is $b tlb_dynamic_lb 0
	check_ok ip link set $b type bond mode balance-alb
	bond_opt_is $b tlb_dynamic_lb 1 "tlb_dynamic_lb after switching to balance-alb"
	check_ok ip link set $b type bond miimon 300 updelay 600 downdelay 900 peer_notify_delay 0
	bond_opt_is $b updelay 600 "updelay set with miimon in one request"
	bond_opt_is $b downdelay 900
	bond_opt_is $b peer_notif_delay 0
	bond_proc_is $b "MII Polling Interval (ms)" 300
	check_ok ip link set $b type bond arp_ip_target 10.3.3.3
	bond_opt_is $b arp_ip_target 10.3.3.3 "a netlink target list replaces the old one"
	check_ok ip link set $b type bond arp_ip_target
	bond_opt_is $b arp_ip_target "" "an empty netlink target list clears it"
	check_ok ip link set $b type bond num_unsol_na 0 resend_igmp 0 lp_interval 2147483647 \
		min_links 0 all_slaves_active 0 use_carrier 1
	bond_opt_is $b num_grat_arp 0
	bond_opt_is $b resend_igmp 0
	bond_opt_is $b lp_interval 2147483647
	bond_opt_is $b min_links 0
	bond_opt_is $b all_slaves_active 0
	bond_opt_is $b use_carrier 1
	check_ok ip link del $b
}

# Bond "ops" (active-backup, slaves ops1..3) is shared by the next subtest.
slave_options() {
	local b=ops
	check_ok ip link add $b type bond mode active-backup miimon 100
	bond_leftover $b
	bond_veths peer ops1 ops2 ops3
	bond_leftover ops1
	bond_leftover ops2
	bond_leftover ops3
	bond_ipb "link set ops1 master $b" "link set ops2 master $b" "link set $b up"
	check_ok bct_wait_until 10 bond_active_is $PROC $b ops1

	log "primary"
	bond_set_ok $b primary ops2 ops2
	bond_proc_is $b "Primary Slave" "ops2 (primary_reselect always)"
	check_ok bct_wait_until 5 bond_active_is $PROC $b ops2
	bond_nl_fetch $b
	bond_nl_is primary ops2
	bond_nl_is active_slave ops2
	bond_set_ok $b primary "" ""
	bond_proc_is $b "Primary Slave" None

	log "active_slave"
	bond_set_ok $b active_slave ops1 ops1
	bond_proc_is $b "Currently Active Slave" ops1
	bond_check_file $SYS/ops1/bonding_slave/state active "ops1 state"
	bond_check_file $SYS/ops2/bonding_slave/state backup "ops2 state"
	bond_nl_fetch $b
	bond_nl_is primary null
	bond_nl_is active_slave ops1
	check_ok ip link set $b type bond active_slave ops2
	bond_opt_is $b active_slave ops2 "active_slave set by netlink"
	bond_proc_is $b "Currently Active Slave" ops2
	check_ok ip link set $b type bond primary ops1
	bond_opt_is $b primary ops1 "primary set by netlink"
	check_ok bct_wait_until 5 bond_active_is $PROC $b ops1

	log "a primary named before it is enslaved takes effect on enslave"
	bond_set_ok $b primary ops3 ""
	bond_proc_is $b "Primary Slave" None
	check_ok ip link set ops3 master $b
	bond_opt_is $b primary ops3 "primary once ops3 is enslaved"
	bond_proc_is $b "Primary Slave" "ops3 (primary_reselect always)"
	check_ok bct_wait_until 10 bond_active_is $PROC $b ops3

	log "queue_id"
	bond_set_ok $b queue_id ops1:3 "ops1:3 ops2:0 ops3:0"
	bond_check_file $SYS/ops1/bonding_slave/queue_id 3 "ops1 bonding_slave/queue_id"
	bond_proc_is $b "Slave queue ID" 3 ops1
	check_ok ip link set ops2 type bond_slave queue_id 5
	bond_opt_is $b queue_id "ops1:3 ops2:5 ops3:0" "queue_id after netlink"
	bond_check_file $SYS/ops2/bonding_slave/queue_id 5 "ops2 bonding_slave/queue_id"

	log "prio (netlink only)"
	check_ok ip link set ops1 type bond_slave prio 7
	bond_nl_fetch ops1
	bond_nl_is prio 7
	bond_nl_is queue_id 3
}

declare -A NL_STATE=([active]=ACTIVE [backup]=BACKUP)
declare -A NL_MII=([up]=UP [down]=DOWN ["going down"]=GOING_DOWN ["going back"]=GOING_BACK)

# slave_info_matches SLAVE: its netlink slave info, bonding_slave/ and
# /proc entry agree.
slave_info_matches() {
	local s=$1 f v
	bond_nl_fetch "$s"
	bond_json_get v "$BOND_NLJ" info_slave_kind
	check_eq "$v" bond "$s info_slave_kind"
	bond_rd v $SYS/$s/bonding_slave/state
	bond_nl_is state "${NL_STATE[$v]:-?$v}"
	bond_rd v $SYS/$s/bonding_slave/mii_status
	bond_nl_is mii_status "${NL_MII[$v]:-?$v}"
	bond_proc_is ops "MII Status" "$v" "$s"
	for f in link_failure_count perm_hwaddr queue_id; do
		bond_rd v $SYS/$s/bonding_slave/$f
		bond_nl_is $f "$v"
	done
	bond_rd v $SYS/$s/bonding_slave/link_failure_count
	bond_proc_is ops "Link Failure Count" "$v" "$s"
	bond_rd v $SYS/$s/bonding_slave/perm_hwaddr
	bond_proc_is ops "Permanent HW addr" "$v" "$s"
}

slave_netlink_info() {
	local s
	check_true "bond ops exists" test -d $SYS/ops/bonding
	check_ok bct_wait_until 10 bond_active_is $PROC ops ops3
	for s in ops1 ops2 ops3; do
		slave_info_matches $s
	done
	log "fail the active slave's link"
	check_ok ip -n "$PEER" link set ops3p down
	check_ok bct_wait_until 10 bond_slave_mii_is ops3 down
	check_ok bct_wait_until 10 bond_active_is $PROC ops ops1
	bond_check_file $SYS/ops3/bonding_slave/link_failure_count 1 "ops3 link_failure_count"
	for s in ops1 ops3; do
		slave_info_matches $s
	done
	bond_nl_fetch ops3
	bond_nl_is mii_status DOWN
	bond_nl_is state BACKUP
	bond_ipb "link del ops" "link del ops1" "link del ops2" "link del ops3"
}

# ---------------------------------------------------------------- /proc layout

# proc_slave_block VAR NAME MAC [MII] [FAILURES] [QUEUE]: append upstream's
# slave block to VAR.
proc_slave_block() {
	local t
	printf -v t '\nSlave Interface: %s\nMII Status: %s\nSpeed: 10000 Mbps\nDuplex: full\nLink Failure Count: %s\nPermanent HW addr: %s\nSlave queue ID: %s\n' \
		"$2" "${4:-up}" "${5:-0}" "$3" "${6:-0}"
	printf -v "$1" '%s%s' "${!1}" "$t"
}

# proc_bond_tail VAR MIIMON UP DOWN PEER: append the lines every bond block
# ends with.
proc_bond_tail() {
	local t
	printf -v t 'MII Status: up\nMII Polling Interval (ms): %s\nUp Delay (ms): %s\nDown Delay (ms): %s\nPeer Notification Delay (ms): %s\n' \
		"$2" "$3" "$4" "$5"
	printf -v "$1" '%s%s' "${!1}" "$t"
}

check_proc_text() {	# BOND WANT WHAT
	local lines got
	mapfile -t lines <"$PROC/bonding/$1"
	printf -v got '%s\n' "${lines[@]}"
	if [[ $got == "$2" ]]; then
		log "ok: $3 matches line by line"
	else
		_check_failed "$3 differs (- want, + got):"$'\n'"$(diff <(echo "$2") <(echo "$got") |
			grep '^[<>]' | sed -e 's/^</-/' -e 's/^>/+/' -e 's/^/#   /')"
	fi
}

proc_up() {		# BOND SLAVE...: bond carrier up and every slave's MII up
	local b=$1 s v
	bond_rd v "$SYS/$b/bonding/mii_status"
	[[ $v == up ]] || return 1
	for s in "${@:2}"; do
		bond_file_value v "$PROC/bonding/$b" "MII Status" "$s"
		[[ $v == up ]] || return 1
	done
}

proc_layout() {
	local head want i b
	local -A mac=()
	printf -v head 'Ethernet Channel Bonding Driver: v%s\n\n' "$KVER"
	bond_veths peer oplr1 oplr2 opla1 opla2 oplx1 oplx2
	for b in oplr opla oplx; do
		bond_leftover "${b}1"
		bond_leftover "${b}2"
	done
	for i in oplr1 oplr2 opla1 opla2 oplx1 oplx2; do
		bond_rd "mac[$i]" "$SYS/$i/address"
	done

	log "balance-rr"
	b=oplr
	bond_leftover $b
	bond_ipb "link add $b type bond mode balance-rr miimon 100" \
		"link set ${b}1 master $b" "link set ${b}2 master $b" "link set $b up"
	check_ok bct_wait_until 10 proc_up $b ${b}1 ${b}2
	want="${head}Bonding Mode: load balancing (round-robin)"$'\n'
	proc_bond_tail want 100 0 0 0
	proc_slave_block want ${b}1 "${mac[${b}1]}"
	proc_slave_block want ${b}2 "${mac[${b}2]}"
	check_proc_text $b "$want" "/proc/net/bonding/$b"

	log "active-backup with primary and fail_over_mac"
	b=opla
	bond_leftover $b
	check_ok ip link add $b type bond mode active-backup miimon 100 downdelay 200 \
		fail_over_mac active primary_reselect better
	bond_check_put "$SYS/$b/bonding/primary" ${b}2 OK "primary ${b}2 (not yet enslaved)"
	bond_ipb "link set ${b}1 master $b" "link set ${b}2 master $b" "link set $b up"
	check_ok bct_wait_until 10 proc_up $b ${b}1 ${b}2
	check_ok bct_wait_until 10 bond_active_is $PROC $b ${b}2
	want="${head}Bonding Mode: fault-tolerance (active-backup) (fail_over_mac active)"$'\n'
	want+="Primary Slave: ${b}2 (primary_reselect better)"$'\n'
	want+="Currently Active Slave: ${b}2"$'\n'
	proc_bond_tail want 100 0 200 0
	proc_slave_block want ${b}1 "${mac[${b}1]}"
	proc_slave_block want ${b}2 "${mac[${b}2]}"
	check_proc_text $b "$want" "/proc/net/bonding/$b"
	bond_check_file $SYS/$b/address "${mac[${b}2]}" \
		"fail_over_mac active: the bond wears its active slave's MAC"

	log "balance-xor with a hash policy, delays, a queue id and a failed link"
	b=oplx
	bond_leftover $b
	check_ok ip link add $b type bond mode balance-xor miimon 50 updelay 100 downdelay 150 \
		peer_notify_delay 200 xmit_hash_policy layer3+4
	bond_ipb "link set ${b}1 master $b" "link set ${b}2 master $b"
	bond_check_put "$SYS/$b/bonding/queue_id" ${b}2:2 OK "queue_id ${b}2:2"
	check_ok ip link set $b up
	check_ok bct_wait_until 10 proc_up $b ${b}1 ${b}2
	head+="Bonding Mode: load balancing (xor)"$'\n'"Transmit Hash Policy: layer3+4 (1)"$'\n'
	want=$head
	proc_bond_tail want 50 100 150 200
	proc_slave_block want ${b}1 "${mac[${b}1]}"
	proc_slave_block want ${b}2 "${mac[${b}2]}" up 0 2
	check_proc_text $b "$want" "/proc/net/bonding/$b"
	check_ok ip -n "$PEER" link set ${b}2p down
	check_ok bct_wait_until 10 bond_slave_mii_is ${b}2 down
	want=$head
	proc_bond_tail want 50 100 150 200
	proc_slave_block want ${b}1 "${mac[${b}1]}"
	proc_slave_block want ${b}2 "${mac[${b}2]}" down 1 2
	check_proc_text $b "$want" "/proc/net/bonding/$b after ${b}2 failed"

	log "ARP monitoring (a bond without slaves, down)"
	b=oplp
	bond_leftover $b
	check_ok ip link add $b type bond mode active-backup arp_interval 1000 \
		arp_ip_target 10.9.0.1,10.9.0.2 arp_missed_max 3
	want="Ethernet Channel Bonding Driver: v$KVER"$'\n\n'
	want+="Bonding Mode: fault-tolerance (active-backup)"$'\n'
	want+="Primary Slave: None"$'\n'"Currently Active Slave: None"$'\n'
	proc_bond_tail want 0 0 0 0
	want=${want/MII Status: up/MII Status: down}
	want+="ARP Polling Interval (ms): 1000"$'\n'"ARP Missed Max: 3"$'\n'
	want+="ARP IP target/s (n.n.n.n form): 10.9.0.1, 10.9.0.2"$'\n'
	want+="NS IPv6 target/s (xx::xx form):"$'\n'
	check_proc_text $b "$want" "/proc/net/bonding/$b"
	check_ok ip link del $b
	bond_ipb "link del oplr" "link del opla" "link del oplx" "link del oplr1" "link del oplr2" \
		"link del opla1" "link del opla2" "link del oplx1" "link del oplx2"
}

ktap_plan 6
ns_create peer
dmesg_mark
log "setup took $SECONDS s"
run_test sysfs_roundtrip timed sysfs_roundtrip
run_test netlink_roundtrip timed netlink_roundtrip
run_test slave_options timed slave_options
run_test slave_netlink_info_matches_sysfs timed slave_netlink_info
run_test proc_net_bonding_layout timed proc_layout
run_test no_kernel_splat timed dmesg_check_clean "bond options"
ktap_finish
