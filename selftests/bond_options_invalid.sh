#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=180
#
# Refusals of the option ABI: every invalid value is refused through sysfs
# (the errno, and one kernel log line naming bond and option), netlink
# (extack text) and module parameters at load (the module does not load,
# the log names the option), and every option still reads what it read
# before; a netlink request with one bad attribute changes nothing at all,
# and attributes of the wrong size stop at the netlink policy.
# Interface prefix: oi.
#
# Under TCG every fork costs a good part of a second: values are read with
# shell builtins (bond_lib.sh), `ip` runs once per state to check.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd jq modprobe nsenter python3
bonding_is_ours || skip_all "the loaded bonding module is not the one under test"

SYS=/sys/class/net
PROC=/proc/net
PEER=${NS_PREFIX}peer

# ---------------------------------------------------------------- helpers

# ---------------------------------------------------------------- refusals

ST0=
KLOG_WANT=()

REFUSED=()

# refuse BOND OPT VALUE ERRNO: the sysfs write fails with ERRNO. unchanged
# then checks that the bond is still as in $ST0, klog_verify the log lines.
# (A snapshot per write would cost too much under TCG; a diff names the
# option that changed.)
refuse() {
	bond_check_put "$SYS/$1/bonding/$2" "$3" "$4" "errno of $2='$3'"
	KLOG_WANT+=("$2")
	REFUSED+=("$2='$3'")
}

# unchanged BOND: every option of BOND (bonding/*, /proc, slaves) is as in
# $ST0 after the refusals since the last unchanged.
unchanged() {
	local st
	bond_snapshot st "$1"
	check_same_state "$ST0" "$st" "$1 after ${REFUSED[*]}"
	REFUSED=()
}

# klog_begin / klog_verify BOND: since klog_begin, the kernel logged exactly
# one "BOND: option OPT: ..." line per refusal, in order.
klog_begin() {
	KLOG_WANT=()
	bond_klog_mark
}

klog_verify() {
	local b=$1 l got=() re="(^|[] ])$1: option ([a-z_0-9]+): " lines
	mapfile -t lines < <(bond_klog_since)
	for l in "${lines[@]}"; do
		[[ $l =~ $re ]] && got+=("${BASH_REMATCH[2]}")
	done
	check_eq "${got[*]}" "${KLOG_WANT[*]}" "options named by the '$b: option ...' kernel log lines"
}

invalid_sysfs() {
	local b=oiv i cmds=() st
	for i in {1..16}; do
		cmds+=("+10.0.0.$i")
	done
	check_ok ip link add $b type bond mode balance-rr miimon 100 updelay 200
	bond_leftover $b
	for i in "${cmds[@]}"; do
		bond_check_put "$SYS/$b/bonding/arp_ip_target" "$i" OK "arp target $i"
	done
	bond_snapshot ST0 $b
	klog_begin

	log "balance-rr, down, no slaves"
	refuse $b mode nosuch EINVAL
	refuse $b mode 7 EINVAL
	refuse $b miimon -1 EINVAL
	refuse $b miimon 2147483648 EINVAL
	refuse $b miimon abc EINVAL
	refuse $b updelay -1 EINVAL
	refuse $b downdelay 2147483648 EINVAL
	refuse $b peer_notif_delay 300001 EINVAL
	refuse $b use_carrier 2 EINVAL
	refuse $b packets_per_slave 65536 EINVAL
	refuse $b packets_per_slave -1 EINVAL
	refuse $b num_grat_arp 256 EINVAL
	refuse $b num_unsol_na 256 EINVAL
	refuse $b resend_igmp 256 EINVAL
	refuse $b arp_missed_max 0 EINVAL
	refuse $b arp_missed_max 256 EINVAL
	refuse $b lp_interval 0 EINVAL
	refuse $b min_links -1 EINVAL
	refuse $b xmit_hash_policy nosuch EINVAL
	refuse $b xmit_hash_policy 6 EINVAL
	refuse $b primary_reselect 3 EINVAL
	refuse $b fail_over_mac nosuch EINVAL
	refuse $b arp_validate 7 EINVAL
	refuse $b arp_all_targets 2 EINVAL
	refuse $b all_slaves_active 2 EINVAL
	refuse $b ad_select 3 EINVAL
	unchanged $b
	refuse $b arp_interval -5 EINVAL
	unchanged $b
	log "arp_ip_target: malformed commands (EPERM, as upstream), bad, duplicate, missing, 17th"
	refuse $b arp_ip_target 10.0.0.99 EPERM
	refuse $b arp_ip_target +abc EPERM
	refuse $b arp_ip_target +255.255.255.255 EINVAL
	refuse $b arp_ip_target +0.0.0.0 EINVAL
	refuse $b arp_ip_target +10.0.0.5 EINVAL
	refuse $b arp_ip_target -10.9.9.9 EINVAL
	refuse $b arp_ip_target +10.0.0.17 EINVAL
	unchanged $b
	log "options of other modes"
	refuse $b primary lo EACCES
	refuse $b active_slave lo EACCES
	refuse $b tlb_dynamic_lb 0 EACCES
	refuse $b lacp_rate fast EACCES
	refuse $b lacp_active off EACCES
	refuse $b ad_actor_sys_prio 10 EACCES
	refuse $b ad_user_port_key 5 EACCES
	refuse $b ad_actor_system 02:11:22:33:44:55 EACCES
	unchanged $b
	log "slaves and queue_id commands"
	refuse $b slaves +oinosuch ENODEV
	refuse $b slaves -oinosuch ENODEV
	refuse $b slaves oinosuch EPERM
	refuse $b queue_id oinosuch:1 EPERM
	refuse $b queue_id garbage EPERM
	unchanged $b
	klog_verify $b

	log "delays need the MII monitor"
	bond_set_ok $b miimon 0 0
	bond_snapshot ST0 $b
	klog_begin
	refuse $b updelay 200 EPERM
	refuse $b downdelay 200 EPERM
	refuse $b peer_notif_delay 200 EPERM
	unchanged $b

	log "active-backup"
	bond_set_ok $b mode active-backup "active-backup 1"
	bond_snapshot ST0 $b
	refuse $b packets_per_slave 2 EACCES
	refuse $b tlb_dynamic_lb 1 EACCES
	refuse $b active_slave oinosuch ENODEV
	refuse $b active_slave lo EINVAL
	unchanged $b

	log "balance-tlb: no ARP monitoring options"
	bond_set_ok $b mode balance-tlb "balance-tlb 5"
	bond_snapshot ST0 $b
	refuse $b arp_validate active EACCES
	refuse $b arp_missed_max 3 EACCES
	refuse $b arp_interval 100 EACCES
	refuse $b packets_per_slave 2 EACCES
	unchanged $b

	log "the bond is up"
	check_ok ip link set $b up
	bond_snapshot ST0 $b
	refuse $b mode active-backup EBUSY
	refuse $b tlb_dynamic_lb 0 EBUSY
	refuse $b ad_select bandwidth EBUSY
	unchanged $b
	klog_verify $b

	log "the bond has slaves"
	bond_veths peer oiv1 oiv2
	bond_leftover oiv1
	bond_leftover oiv2
	bond_ipb "link set $b down" "link set $b type bond mode active-backup miimon 100" \
		"link set oiv1 master $b" "link set oiv2 master $b" "link set $b up"
	check_ok bct_wait_until 10 bond_active_is $PROC $b oiv1
	# updelay is 200 ms again: wait until both links are up for good.
	check_ok bct_wait_until 10 bond_slave_mii_is oiv1 up
	check_ok bct_wait_until 10 bond_slave_mii_is oiv2 up
	bond_set_ok $b queue_id oiv1:2 "oiv1:2 oiv2:0"
	bond_snapshot ST0 $b
	klog_begin
	refuse $b mode balance-rr ENOTEMPTY
	refuse $b fail_over_mac active ENOTEMPTY
	refuse $b queue_id oiv2:2 EPERM
	refuse $b queue_id oiv2:17 EPERM
	refuse $b queue_id lo:1 EPERM
	unchanged $b
	check_ok ip -n "$PEER" link set oiv2p down
	check_ok bct_wait_until 10 bond_slave_mii_is oiv2 down
	bond_snapshot ST0 $b
	refuse $b active_slave oiv2 EINVAL
	unchanged $b
	klog_verify $b
	check_ok ip -n "$PEER" link set oiv2p up
	check_ok bct_wait_until 10 bond_slave_mii_is oiv2 up
	bond_snapshot ST0 $b
	bond_check_put "$SYS/$b/bonding/slaves" +oiv1 EBUSY "errno of slaves='+oiv1' (already ours)"
	bond_snapshot st $b
	check_same_state "$ST0" "$st" "$b after slaves='+oiv1'"
	bond_ipb "link del $b" "link del oiv1" "link del oiv2"
}

# refuse_nl BOND OPT GENERIC ARGS...: `ip link set BOND type bond ARGS` fails
# with extack "option OPT: ..." (6.2+, else the GENERIC text) and the bond
# is as in $ST0. OPT "-" means: GENERIC is the message on every kernel.
refuse_nl() {
	local b=$1 o=$2 g=$3 out rc st
	shift 3
	out=$(ip link set "$b" type bond "$@" 2>&1)
	rc=$?
	check_ne "$rc" 0 "exit status of 'ip link set $b type bond $*'"
	if [[ $o != - ]] && ((BOND_FMT_EXTACK)); then
		check_has "$out" "Error: option $o: " "ip output for '$*'"
	else
		check_has "$out" "Error: $g" "ip output for '$*'"
	fi
	bond_snapshot st "$b"
	check_same_state "$ST0" "$st" "$b after '$*'"
}

# refuse_raw BOND ATTR HEX WHAT: bond attribute number ATTR with a payload
# (HEX) of the wrong size stops at the netlink policy; nothing changes.
refuse_raw() {
	local out st
	out=$(python3 ./bond_3ad_tool.py nlraw "$1" "$2" "$3" 2>&1)
	check_match "$out" "^error .*: Attribute failed policy validation" "$4"
	bond_snapshot st "$1"
	check_same_state "$ST0" "$st" "$1 after $4"
}

# refuse_raw_opt BOND ATTR HEX MSG WHAT: a raw attribute the option itself
# refuses: "Invalid argument" with extack MSG where the kernel shows it;
# nothing changes.
refuse_raw_opt() {
	local out st
	out=$(python3 ./bond_3ad_tool.py nlraw "$1" "$2" "$3" 2>&1)
	if ((BOND_FMT_EXTACK)); then
		check_eq "$out" "error Invalid argument: $4" "$5"
	else
		check_match "$out" "^error Invalid argument: " "$5"
	fi
	bond_snapshot st "$1"
	check_same_state "$ST0" "$st" "$1 after $5"
}

# nl_state BOND VAR: VAR := its netlink info_data now.
nl_state() {
	local j
	j=$(ip -d -j link show dev "$1" | jq -S -c '.[0].linkinfo.info_data')
	printf -v "$2" '%s' "$j"
}

invalid_netlink() {
	local b=oin nl0 nl1
	check_ok ip link add $b type bond mode balance-rr miimon 100 updelay 200 \
		arp_ip_target 10.4.4.1,10.4.4.2
	bond_leftover $b
	bond_snapshot ST0 $b
	nl_state $b nl0
	refuse_nl $b miimon "invalid option value" miimon 2147483648
	refuse_nl $b updelay "invalid option value" updelay 2147483648
	refuse_nl $b packets_per_slave "invalid option value" packets_per_slave 65536
	refuse_nl $b resend_igmp "invalid option value" resend_igmp 256
	refuse_nl $b lp_interval "invalid option value" lp_interval 0
	refuse_nl $b arp_missed_max "invalid option value" arp_missed_max 0
	refuse_nl $b min_links "invalid option value" min_links 2147483648
	refuse_nl $b use_carrier "invalid option value" use_carrier 2
	refuse_nl $b all_slaves_active "invalid option value" all_slaves_active 2
	refuse_nl $b - "integer out of range" peer_notify_delay 300001
	refuse_nl $b ns_ip6_target "invalid option value" ns_ip6_target ff02::1
	refuse_nl $b tlb_dynamic_lb "option not supported in mode" tlb_dynamic_lb 0
	refuse_nl $b lacp_rate "option not supported in mode" lacp_rate fast
	refuse_nl $b primary "option not supported in mode" primary lo
	refuse_nl $b arp_ip_target "invalid option value" arp_ip_target 255.255.255.255
	refuse_nl $b arp_ip_target "invalid option value" arp_ip_target 10.5.5.5,10.5.5.5
	refuse_nl $b - "ARP monitoring cannot be used with MII monitoring" miimon 100 arp_interval 100
	# IFLA_BOND_MIIMON (u32), _MODE (u8), _ARP_IP_TARGET (nested) and
	# _AD_ACTOR_SYSTEM (6 bytes at most) of the wrong size
	refuse_raw $b 3 05 "a 1-byte miimon"
	refuse_raw $b 1 "" "an empty mode"
	refuse_raw $b 8 0a00 "a 2-byte arp_ip_target list"
	refuse_raw $b 26 020000000001ffff "an 8-byte ad_actor_system"
	nl_state $b nl1
	check_eq "$nl1" "$nl0" "netlink info_data after the refused requests"
	check_ok ip link set $b up
	bond_snapshot ST0 $b
	refuse_nl $b mode "unable to set option because the bond is up" mode active-backup
	bond_ipb "link set $b down" "link set $b type bond miimon 0"
	bond_snapshot ST0 $b
	refuse_nl $b updelay "invalid option value" updelay 200
	check_ok ip link del $b
}

# ns_ip6_target over netlink, as upstream 6.12 takes it: up to 16 IPv6
# targets, link-local and IPv4-mapped ones included, the whole list per
# request; the unspecified, loopback and multicast addresses, a repeated
# target, a 17th and a truncated address are refused with an extended ack
# and one log line, and the request changes nothing (neither its other
# attributes nor the good targets before the bad one). No sysfs file and
# no module parameter, as upstream.
ns_targets() {
	local b=oi6 good list hex i a why nl0 nl1 out line st
	good=2001:db8:6::1,fe80::1,::ffff:192.0.2.1
	check_ok ip link add $b type bond mode active-backup arp_interval 100 \
		ns_ip6_target "$good"
	bond_leftover $b
	nl_state $b nl0
	check_eq "$(jq -r '.ns_ip6_target // [] | join(",")' <<<"$nl0")" "$good" \
		"global, link-local and v4-mapped targets taken"
	IFS= read -r line < <(grep '^NS IPv6 target/s' $PROC/bonding/$b)
	check_eq "$line" "NS IPv6 target/s (xx::xx form): ${good//,/, }" "/proc line"
	check_false "no bonding/ns_ip6_target in sysfs" test -e $SYS/$b/bonding/ns_ip6_target
	check_false "no ns_ip6_target module parameter" test -e /sys/module/bonding/parameters/ns_ip6_target

	log "16 targets, then a 17th (raw: ip itself stops at 16)"
	list=$good hex=
	for ((i = 4; i <= 16; i++)); do
		list+=",2001:db8:6::$(printf %x $i)"
	done
	check_ok ip link set $b type bond ns_ip6_target "$list"
	nl_state $b nl0
	check_eq "$(jq -r '.ns_ip6_target | length' <<<"$nl0")" 16 "16 targets taken"
	for ((i = 0; i < 17; i++)); do
		hex+=$(printf '1400%02x0020010db80006000000000000000000%02x' $i $((i + 32)))
	done
	bond_snapshot ST0 $b
	klog_begin
	refuse_raw_opt $b 31 "$hex" "option ns_ip6_target: NS target table is full (16 entries)" \
		"a 17th target"
	KLOG_WANT+=(ns_ip6_target)
	refuse_raw_opt $b 31 0c0000002001db8000000000 \
		"option ns_ip6_target: truncated address attribute" "an 8-byte NS target"
	KLOG_WANT+=(ns_ip6_target)

	log "bad addresses, a repeated target, a good one before a bad one"
	for a in :: ::1 ff02::1 ff05::1:3 2001:db8:6::1,2001:db8:6::1 2001:db8:6::99,ff02::2; do
		case $a in
		::) why="invalid NS target :: (the unspecified address)" ;;
		::1) why="invalid NS target ::1 (a loopback address)" ;;
		*,ff02::2) why="invalid NS target ff02::2 (a multicast address)" ;;
		ff*) why="invalid NS target $a (a multicast address)" ;;
		*) why="NS target 2001:db8:6::1 is already present" ;;
		esac
		out=$(ip link set $b type bond arp_missed_max 5 ns_ip6_target "$a" 2>&1)
		check_ne "$?" 0 "exit status for '$a'"
		if ((BOND_FMT_EXTACK)); then
			check_has "$out" "Error: option ns_ip6_target: $why" "extack for '$a'"
		else
			check_has "$out" "Error: invalid option value" "extack for '$a'"
		fi
		KLOG_WANT+=(ns_ip6_target)
		bond_snapshot st $b
		check_same_state "$ST0" "$st" "$b after '$a'"
	done
	klog_verify $b
	nl_state $b nl1
	check_eq "$nl1" "$nl0" "netlink info_data after the refused requests"

	log "an empty list clears the targets"
	check_ok ip link set $b type bond ns_ip6_target ""
	IFS= read -r line < <(grep '^NS IPv6 target/s' $PROC/bonding/$b)
	check_eq "$line" "NS IPv6 target/s (xx::xx form):" "/proc line without targets"
	check_ok ip link del $b
}

# A netlink request is checked as a whole before anything is applied.
netlink_atomic() {
	local b=oia nl0 nl1
	check_ok ip link add $b type bond mode balance-rr miimon 100 updelay 200 \
		xmit_hash_policy layer2+3 arp_ip_target 10.6.6.1
	bond_leftover $b
	bond_snapshot ST0 $b
	nl_state $b nl0
	refuse_nl $b packets_per_slave "invalid option value" \
		miimon 300 updelay 600 xmit_hash_policy layer3+4 packets_per_slave 65536
	refuse_nl $b packets_per_slave "option not supported in mode" \
		mode active-backup miimon 300 packets_per_slave 5
	refuse_nl $b arp_ip_target "invalid option value" \
		min_links 3 arp_ip_target 10.6.6.2,255.255.255.255
	refuse_nl $b downdelay "invalid option value" \
		miimon 200 resend_igmp 5 downdelay 2147483648
	refuse_nl $b ns_ip6_target "invalid option value" \
		use_carrier 0 miimon 200 ns_ip6_target 2001:db8::1,::1
	refuse_nl $b peer_notif_delay "invalid option value" \
		resend_igmp 3 miimon 0 peer_notify_delay 300
	refuse_nl $b updelay "invalid option value" miimon 0 updelay 200
	# active_slave is applied right after mode: a slave that cannot be
	# made active must not leave the new mode behind.
	refuse_nl $b active_slave "invalid option value" mode active-backup active_slave lo
	nl_state $b nl1
	check_eq "$nl1" "$nl0" "netlink info_data after the refused requests"
	check_fail ip link add oia2 type bond mode active-backup miimon 100 resend_igmp 256
	check_false "no oia2 after a refused ip link add" test -e $SYS/oia2
	bond_check_file $SYS/bonding_masters "$b" "bonding_masters after a refused ip link add"
	check_ok ip link del $b
}

# Options that act on slaves (active_slave) are checked with the rest of
# the request: one that cannot be applied refuses the request before any
# other attribute of it changed the bond.
netlink_atomic_live() {
	local b=oil nl0 nl1
	bond_veths peer oil1 oil2
	bond_leftover oil1
	bond_leftover oil2
	bond_ipb <<-EOF
		link add $b type bond mode active-backup miimon 100 resend_igmp 2
		link set oil1 master $b
		link set oil2 master $b
		link set $b up
	EOF
	bond_leftover $b
	bond_ipb @peer "link set oil2p down"
	check_ok bct_wait_until 10 bond_slave_mii_is oil2 down
	check_ok bct_wait_until 10 bond_active_is $PROC $b oil1
	bond_snapshot ST0 $b
	nl_state $b nl0
	refuse_nl $b active_slave "invalid option value" \
		miimon 200 resend_igmp 7 active_slave oil2
	refuse_nl $b active_slave "invalid option value" \
		miimon 300 primary_reselect failure active_slave lo
	nl_state $b nl1
	check_eq "$nl1" "$nl0" "netlink info_data after the refused requests"
	check_ok ip link set $b type bond miimon 200 active_slave oil1
	bond_check_file $SYS/$b/bonding/miimon 200 "miimon after a request that could be applied"
	check_ok ip link del $b
	bond_ipb "link del oil1" "link del oil2"
}

# ---------------------------------------------------------------- module parameters

module_params() {
	local p b i lines l ok want=()
	check_ok modprobe -r bonding
	bond_klog_mark
	for p in miimon=abc mode=nosuch num_grat_arp=256 mode=7 lp_interval=0 \
		tx_queues=0 tx_queues=256 tx_queues=abc max_bonds=-1 max_bonds=1025; do
		check_fail modprobe bonding "$p"
		check_false "bonding is not loaded after modprobe bonding $p" test -e /sys/module/bonding
		want+=("$p")
	done
	log "each refused load logs a line naming its option, in order"
	mapfile -t lines < <(bond_klog_since)
	i=0
	for p in "${want[@]}"; do
		ok=0
		while ((i < ${#lines[@]})); do
			l=${lines[i]}
			i=$((i + 1))
			if [[ $l == *"bonding: "*"${p%%=*}"[\ :=\(\']* ]]; then
				ok=1
				break
			fi
		done
		((ok)) && log "ok: kernel log for $p: $l" || _check_failed "no kernel log line naming ${p%%=*} for modprobe bonding $p"
	done

	log "valid parameters are the defaults of every new bond (in any order)"
	check_ok modprobe bonding max_bonds=1 updelay=200 mode=active-backup miimon=100 \
		downdelay=300 xmit_hash_policy=layer2+3 num_grat_arp=3 primary_reselect=better \
		fail_over_mac=active resend_igmp=4 min_links=1 lp_interval=2 use_carrier=0 \
		all_slaves_active=1 arp_all_targets=all tx_queues=4
	bonding_is_ours || _check_failed "bonding loaded with parameters is not ours"
	check_ok ip link add oim type bond
	for b in bond0 oim; do
		lines=("$SYS/$b"/queues/tx-*)
		check_eq "${#lines[@]}" 4 "$b transmit queues (tx_queues=4)"
		bond_opt_is $b mode "active-backup 1" "$b mode"
		bond_opt_is $b miimon 100 "$b miimon"
		bond_opt_is $b updelay 200 "$b updelay"
		bond_opt_is $b downdelay 300 "$b downdelay"
		bond_opt_is $b xmit_hash_policy "layer2+3 2" "$b xmit_hash_policy"
		bond_opt_is $b num_grat_arp 3 "$b num_grat_arp"
		bond_opt_is $b primary_reselect "better 1" "$b primary_reselect"
		bond_opt_is $b fail_over_mac "active 1" "$b fail_over_mac"
		bond_opt_is $b resend_igmp 4 "$b resend_igmp"
		bond_opt_is $b min_links 1 "$b min_links"
		bond_opt_is $b lp_interval 2 "$b lp_interval"
		bond_opt_is $b use_carrier 0 "$b use_carrier"
		bond_opt_is $b all_slaves_active 1 "$b all_slaves_active"
		bond_opt_is $b arp_all_targets "all 1" "$b arp_all_targets"
	done
	check_ok modprobe -r bonding
	check_ok modprobe bonding max_bonds=0
	bonding_is_ours || _check_failed "bonding reloaded with max_bonds=0 is not ours"
	check_ok ip link add oim type bond
	lines=("$SYS/oim"/queues/tx-*)
	check_eq "${#lines[@]}" 16 "oim transmit queues (default tx_queues 16)"
	bond_opt_is oim mode "balance-rr 0" "default mode again"
	bond_opt_is oim miimon 0 "default miimon again"
	bond_opt_is oim xmit_hash_policy "layer2 0" "default xmit_hash_policy again"
	bond_opt_is oim num_grat_arp 1 "default num_grat_arp again"
	bond_opt_is oim fail_over_mac "none 0" "default fail_over_mac again"
	check_ok ip link del oim
}

ktap_plan 7
ns_create peer
dmesg_mark
log "setup took $SECONDS s"
run_test invalid_sysfs_refused_unchanged timed invalid_sysfs
run_test invalid_netlink_refused_unchanged timed invalid_netlink
run_test netlink_request_all_or_nothing timed netlink_atomic
run_test ns_ip6_target_accepted_and_refused timed ns_targets
run_test netlink_request_with_active_slave_all_or_nothing timed netlink_atomic_live
run_test module_params timed module_params
run_test no_kernel_splat timed dmesg_check_clean "bond option refusals"
ktap_finish
