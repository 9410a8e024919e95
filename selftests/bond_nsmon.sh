#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=600
#
# IPv6 neighbour-solicitation link monitoring (ns_ip6_target): with
# arp_interval set, the slaves that send ARP probes also solicit every NS
# target, and NS/NA exchanged with the targets prove a slave alive under
# the same arp_validate rules as ARP. With arp_validate, the backups of an
# active-backup bond join the targets' solicited-node groups. The option
# exists over netlink only (16 targets, whole list per request).
#
# The targets live on the bridge br0 of namespace "sw"; bonds live in "h".
# Probes are counted by tc filters on the switch ports.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd tc tcpdump jq

T6=2001:db8:1::254		# NS target on br0
T6B=2001:db8:1::253		# a second one
T6C=2001:db8:1::100:254		# a third one, in T6's group
LL6=fe80::254			# a link-local one (same group as T6)
G54=33:33:ff:00:02:54		# Ethernet group of ff02::1:ff00:254 (T6, T6C, LL6)
G53=33:33:ff:00:02:53		# ... of ff02::1:ff00:253 (T6B)
SOL6=ff02::1:ff00:254		# solicited-node group of T6
T4=10.30.0.1			# an ARP target on br0
NSLINE='NS IPv6 target/s (xx::xx form)'

# ---------------------------------------------------------------- helpers

setup() {
	ns_create --ipv6 sw h
	# No DAD on the switch: its addresses answer at once.
	check_ok ns_exec sw sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
	check_ok ns_ip sw link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
	check_ok ns_ip sw link set br0 up
	check_ok ns_ip sw addr add "$T4/24" dev br0
	check_ok ns_ip sw addr add "$LL6/64" dev br0 nodad
	check_ok ns_ip sw addr add "$T6B/64" dev br0 nodad
	check_ok ns_ip sw addr add "$T6C/64" dev br0 nodad
}

# add_bond BOND MODE NSLAVES [ip-link options]: BOND in h with slaves
# BONDsK, each a veth to port BONDpK of br0 (up). Neither address nor up.
add_bond() {
	local bond=$1 mode=$2 n=$3 i
	shift 3
	check_ok ns_ip h link add "$bond" type bond mode "$mode" "$@"
	for ((i = 1; i <= n; i++)); do
		check_ok ns_ip h link add "${bond}s$i" type veth peer name "${bond}p$i" \
			netns "$(ns sw)"
		check_ok ns_ip sw link set "${bond}p$i" master br0
		check_ok ns_ip sw link set "${bond}p$i" up
		check_ok ns_ip h link set "${bond}s$i" master "$bond"
	done
}

# del_bond BOND NSLAVES: the bond and its veths.
del_bond() {
	local i
	check_ok ns_ip h link del "$1"
	for ((i = 1; i <= $2; i++)); do
		check_ok ns_ip h link del "${1}s$i"
	done
}

# A bond with an address in the targets' prefix, up.
bond_up() {			# BOND ADDR
	check_ok ns_ip h addr add "$2/64" dev "$1" nodad
	check_ok ns_ip h link set "$1" up
}

slave_is() { [[ $(bond_proc_slave -n h "$1" "$2" "MII Status") == "$3" ]]; }
active_is() { [[ $(bond_proc -n h "$1" "Currently Active Slave") == "$2" ]]; }
carrier_is() { [[ $(ns_exec h cat "/sys/class/net/$1/carrier" 2>/dev/null) == "$2" ]]; }
failures() { bond_proc_slave -n h "$1" "$2" "Link Failure Count"; }
active_of() { bond_proc -n h "$1" "Currently Active Slave"; }
# port_of SLAVE: the switch port of BONDsK is BONDpK.
port_of() { local k=${1##*s}; echo "${1%s*}p$k"; }

# cnt_add PORT HANDLE FLOWER...: count IPv6 frames the switch port PORT
# receives from its bond slave that match FLOWER.
cnt_add() {
	local port=$1 h=$2
	shift 2
	ns_exec sw tc qdisc show dev "$port" | grep -q clsact ||
		check_ok ns_exec sw tc qdisc add dev "$port" clsact
	check_ok ns_exec sw tc filter add dev "$port" ingress protocol ipv6 pref "$h" \
		handle "$h" flower "$@" action pass
}
cnt() {				# PORT HANDLE
	ns_exec sw tc -s -j filter show dev "$1" ingress |
		jq -r ".[] | select(.options.handle == $2) | .options.actions[0].stats.packets"
}
cnt_ge() { local v; v=$(cnt "$1" "$2"); ((${v:-0} >= $3)); }
# cnt_ns PORT: count the NS probes to T6's group arriving on PORT (handle 1).
cnt_ns() { cnt_add "$1" 1 ip_proto icmpv6 type 135 code 0 dst_ip "$SOL6"; }

# rounds PORT N: wait until PORT has received N more NS probes for T6
# (handle 1): N monitor rounds of the slave behind it have passed.
rounds() {
	local want
	want=$(($(cnt "$1" 1) + $2))
	check_ok wait_until 20 cnt_ge "$1" 1 "$want"
}

# maddr_users SLAVE GROUP: refcount of GROUP on SLAVE (0 if absent), from
# /proc/net/dev_mcast of h.
maddr_users() {
	local hex=${2//:/}
	ns_exec h awk -v d="$1" -v a="$hex" '$2 == d && $5 == a { u = $3 } END { print u + 0 }' \
		/proc/net/dev_mcast
}
check_groups() {		# SLAVE USERS54 USERS53 WHAT
	check_eq "$(maddr_users "$1" $G54)" "$2" "$4: $1 users of $G54"
	check_eq "$(maddr_users "$1" $G53)" "$3" "$4: $1 users of $G53"
	if (($2)); then
		check_match "$(ns_ip h maddr show dev "$1")" "link +$G54" "$4: ip maddr of $1"
	else
		check_false "$4: ip maddr of $1 has no $G54" \
			grep -q "$G54" <<<"$(ns_ip h maddr show dev "$1")"
	fi
}

nl_targets() { bond_nl -n h "$1" '.ns_ip6_target // [] | join(",")'; }
nl_state() { ns_ip h -d -j link show dev "$1" | jq -S -c '.[0].linkinfo.info_data'; }

# ---------------------------------------------------------------- tests

# The links follow the target: down while it does not answer (though NS
# go out), up when it does, down again when it stops. Only the active slave
# probes; the backup is kept up by hearing the active slave's NS.
link_follows_target() {
	local fa before frames act bak
	add_bond nab active-backup 2 arp_interval 100 ns_ip6_target "$T6" arp_validate all
	cnt_ns nabp1
	cnt_ns nabp2
	bond_up nab 2001:db8:1::10
	log "IPv6 addresses in h:"$'\n'"$(ns_ip h -6 -br addr show | sed 's/^/#   /')"
	log "nobody has $T6: the links go down, solicitations keep going out"
	check_ok wait_until 10 carrier_is nab 0
	check_ok wait_until 20 cnt_ge nabp1 1 $(($(cnt nabp1 1) + 3))
	check_ok wait_until 20 cnt_ge nabp2 1 $(($(cnt nabp2 1) + 3))
	check_ok carrier_is nab 0
	check_fail slave_is nab nabs1 up
	check_fail slave_is nab nabs2 up

	log "br0 takes $T6: both slaves come up"
	check_ok ns_ip sw addr add "$T6/64" dev br0 nodad
	check_ok wait_until 10 carrier_is nab 1
	check_ok wait_until 10 slave_is nab nabs1 up
	check_ok wait_until 10 slave_is nab nabs2 up
	act=$(active_of nab)
	case $act in
	nabs1) bak=nabs2 ;;
	nabs2) bak=nabs1 ;;
	*) _check_failed "active slave '$act'"; return 1 ;;
	esac
	log "active $act, backup $bak"
	check_ok ns_exec h ping -6 -c 2 -W 2 "$T6"

	log "only the active slave probes"
	before=$(cnt "$(port_of $bak)" 1)
	rounds "$(port_of $act)" 5
	check_eq "$(cnt "$(port_of $bak)" 1)" "$before" "NS probes from the backup $bak"

	log "the probe on the wire: source, group, hop limit, checksum, SLLAO"
	frames=$(ns_exec sw timeout 10 tcpdump -i "$(port_of $act)" -Q in -nn -l -v -c 2 \
		"icmp6 and ip6[40] == 135 and dst host $SOL6" 2>&1)
	log "captured:"$'\n'"$(sed 's/^/#   /' <<<"$frames")"
	check_match "$frames" "hlim 255" "hop limit"
	check_match "$frames" "2001:db8:1::10 > $SOL6: \\[icmp6 sum ok\\] ICMP6, neighbor solicitation" \
		"source, destination, checksum"
	check_match "$frames" "who has $T6" "target"
	check_match "$frames" "source link-address option.*$(bond_mac -n h $act)" "SLLAO"

	log "the active slave's port leaves the bridge: failover to $bak"
	fa=$(failures nab $act)
	check_ok ns_ip sw link set "$(port_of $act)" nomaster
	check_ok wait_until 10 active_is nab $bak
	check_ok wait_until 10 slave_is nab $act down
	check_eq "$(failures nab $act)" $((fa + 1)) "$act link failures"
	check_ok ns_exec h ping -6 -c 2 -W 2 "$T6"
	check_ok ns_ip sw link set "$(port_of $act)" master br0
	check_ok wait_until 10 slave_is nab $act up

	log "the target goes away: both slaves down, no carrier; back: up"
	check_ok ns_ip sw addr del "$T6/64" dev br0
	check_ok wait_until 10 carrier_is nab 0
	check_fail slave_is nab nabs1 up
	check_fail slave_is nab nabs2 up
	check_ok ns_ip sw addr add "$T6/64" dev br0 nodad
	check_ok wait_until 10 carrier_is nab 1
	del_bond nab 2
}

# balance-rr: every slave probes, each is judged on its own.
rr_every_slave() {
	add_bond nrr balance-rr 2 arp_interval 100 ns_ip6_target "$T6"
	cnt_ns nrrp1
	cnt_ns nrrp2
	bond_up nrr 2001:db8:1::11
	check_ok wait_until 10 slave_is nrr nrrs1 up
	check_ok wait_until 10 slave_is nrr nrrs2 up
	rounds nrrp1 3
	rounds nrrp2 3
	log "nrrs2's port leaves the bridge: only nrrs2 goes down"
	check_ok ns_ip sw link set nrrp2 nomaster
	check_ok wait_until 10 slave_is nrr nrrs2 down
	check_ok slave_is nrr nrrs1 up
	check_ok carrier_is nrr 1
	check_ok ns_ip sw link set nrrp2 master br0
	check_ok wait_until 10 slave_is nrr nrrs2 up
	del_bond nrr 2
}

# arp_validate 0-6. With an address for the target, every slave comes up
# (the backup validates the active slave's solicitations). Without one the
# probes go out from the unspecified address and the target answers to
# all-nodes: enough for the active slave and for an unvalidated backup, but
# a validated backup hears nothing it can trust and goes down.
validate_modes() {
	local v want
	for v in 0 1 2 3 4 5 6; do
		log "---- arp_validate $v"
		add_bond nav active-backup 2 arp_interval 100 ns_ip6_target "$T6" arp_validate $v
		cnt_ns navp1
		bond_up nav 2001:db8:1::12
		check_ok wait_until 10 active_is nav navs1
		check_ok wait_until 10 slave_is nav navs1 up
		check_ok wait_until 10 slave_is nav navs2 up
		check_ok ns_ip h addr del 2001:db8:1::12/64 dev nav
		case $v in
		2 | 3 | 6) want=down ;;
		*) want=up ;;
		esac
		if [[ $want == down ]]; then
			check_ok wait_until 10 slave_is nav navs2 down
		else
			rounds navp1 6
			check_ok slave_is nav navs2 up
		fi
		check_ok slave_is nav navs1 up
		check_ok active_is nav navs1
		del_bond nav 2
	done
}

# Upstream's bond-lladdr-target.sh: a link-local target, the bond's own
# link-local address still in DAD when the slaves come up.
link_local_target() {
	local i
	check_ok ns_ip h link add nll type bond mode 1 ns_ip6_target "$LL6" \
		arp_validate 3 arp_interval 1000
	check_ok ns_ip h addr add fe80::beef/64 dev nll
	check_ok ns_ip h link set nll up
	for i in 1 2; do
		check_ok ns_ip h link add "nlls$i" type veth peer name "nllp$i" netns "$(ns sw)"
		check_ok ns_ip h link set "nlls$i" master nll
	done
	for i in 1 2; do
		check_ok ns_ip sw link set "nllp$i" master br0
		check_ok ns_ip sw link set "nllp$i" up
	done
	check_ok wait_until 5 link_is_up h nll
	log "it stays up once the bond's link-local addresses are usable and source the probes"
	cnt_add nllp1 2 ip_proto icmpv6 type 135 src_ip fe80::/64 dst_ip "$SOL6"
	cnt_add nllp2 2 ip_proto icmpv6 type 135 src_ip fe80::/64 dst_ip "$SOL6"
	check_ok wait_until 20 nll_probed 3
	check_ok link_is_up h nll
	check_eq "$(failures nll nlls1)$(failures nll nlls2)" 00 "link failures"
	del_bond nll 2
}
nll_probed() { (($(cnt nllp1 2) + $(cnt nllp2 2) >= $1)); }

# ARP and NS targets together: with arp_all_targets any either family
# keeps the links up; with all, both must answer.
arp_and_ns() {
	add_bond nan active-backup 2 arp_interval 100 arp_ip_target "$T4" \
		ns_ip6_target "$T6" arp_validate all
	cnt_ns nanp1
	cnt_ns nanp2
	check_ok ns_ip h addr add 10.30.0.10/24 dev nan
	bond_up nan 2001:db8:1::13
	check_ok wait_until 10 slave_is nan nans1 up
	check_ok wait_until 10 slave_is nan nans2 up
	check_eq "$(bond_proc -n h nan "ARP IP target/s (n.n.n.n form)")" "$T4" "/proc ARP targets"
	check_eq "$(bond_proc -n h nan "$NSLINE")" "$T6" "/proc NS targets"

	log "any: without the ARP target the NS target keeps them up"
	check_ok ns_ip sw addr del "$T4/24" dev br0
	rounds "$(port_of "$(active_of nan)")" 6
	check_ok slave_is nan nans1 up
	check_ok slave_is nan nans2 up
	log "... and without both they go down"
	check_ok ns_ip sw addr del "$T6/64" dev br0
	check_ok wait_until 10 carrier_is nan 0
	check_ok ns_ip sw addr add "$T4/24" dev br0
	check_ok ns_ip sw addr add "$T6/64" dev br0 nodad
	check_ok wait_until 10 carrier_is nan 1
	check_ok wait_until 10 slave_is nan nans2 up

	log "all: the ARP target alone is not enough"
	check_ok ns_ip h link set nan type bond arp_all_targets all
	rounds "$(port_of "$(active_of nan)")" 6
	check_ok slave_is nan nans1 up
	check_ok slave_is nan nans2 up
	check_ok ns_ip sw addr del "$T6/64" dev br0
	check_ok wait_until 10 carrier_is nan 0
	check_ok ns_ip sw addr add "$T6/64" dev br0 nodad
	check_ok wait_until 10 carrier_is nan 1
	del_bond nan 2
}

# Backups of an active-backup bond with arp_validate are in the targets'
# solicited-node groups, once per target; the active slave is not.
#
# Checks name the roles the slaves have when they run (ACT, BAK), not the
# roles the test set up: a slow guest's ARP monitor may fail the active
# slave over on its own, which moves the groups as any failover does.
roles() {			# BOND: ACT is its active slave, BAK the other one
	ACT=$(active_of "$1")
	[[ $ACT == "$1s1" ]] && BAK=$1s2 || BAK=$1s1
	[[ $ACT == "$1s"[12] ]]
}
check_roles() {			# BOND USERS54 USERS53 WHAT
	roles "$1" || { _check_failed "$4: no active slave in $1 ('$ACT')"; return; }
	check_groups "$ACT" 0 0 "$4, active"
	check_groups "$BAK" "$2" "$3" "$4, backup"
}
backup_groups() {
	local old
	add_bond nmc active-backup 2 arp_interval 100 arp_validate all \
		ns_ip6_target "$T6,$LL6,$T6B"
	bond_up nmc 2001:db8:1::14
	check_ok wait_until 10 slave_is nmc nmcs1 up
	check_ok wait_until 10 slave_is nmc nmcs2 up
	check_roles nmc 2 1 "enslaved"

	log "a manual switch of the active slave moves the groups"
	old=$ACT
	check_ok ns_ip h link set nmc type bond active_slave "$BAK"
	check_ok wait_until 5 active_is nmc "$BAK"
	check_groups "$old" 2 1 "new backup"
	check_groups "$BAK" 0 0 "new active"
	log "a failover too"
	roles nmc || _check_failed "no active slave in nmc ('$ACT')"
	old=$ACT
	check_ok ns_ip sw link set "$(port_of "$old")" nomaster
	check_ok wait_until 10 active_is nmc "$BAK"
	check_groups "$BAK" 0 0 "active after failover"
	check_groups "$old" 2 1 "failed slave"
	check_ok ns_ip sw link set "$(port_of "$old")" master br0
	check_ok wait_until 10 slave_is nmc "$old" up

	log "the groups follow the target list"
	check_ok ns_ip h link set nmc type bond ns_ip6_target "$T6B,$T6"
	check_roles nmc 1 1 "targets $T6B,$T6"
	check_ok ns_ip h link set nmc type bond ns_ip6_target "$T6B"
	check_roles nmc 0 1 "target $T6B"
	check_ok ns_ip h link set nmc type bond ns_ip6_target "$T6,$LL6"
	check_roles nmc 2 0 "targets $T6,$LL6"

	log "not without arp_validate"
	check_ok ns_ip h link set nmc type bond arp_validate none
	check_roles nmc 0 0 "arp_validate none"
	check_ok ns_ip h link set nmc type bond arp_validate backup
	check_roles nmc 2 0 "arp_validate backup"
	log "nor after MII monitoring took over (arp_validate cleared)"
	check_ok ns_ip h link set nmc type bond miimon 100
	check_roles nmc 0 0 "miimon"
	check_ok ns_ip h link set nmc type bond arp_interval 100 arp_validate all
	check_roles nmc 2 0 "arp_validate all again"
	log "a released backup leaves them"
	roles nmc || _check_failed "no active slave in nmc ('$ACT')"
	old=$BAK
	check_ok ns_ip h link set "$old" nomaster
	check_groups "$old" 0 0 "released"
	check_groups "$ACT" 0 0 "active"
	del_bond nmc 2

	log "balance-rr slaves never join"
	add_bond nmr balance-rr 2 arp_interval 100 arp_validate all ns_ip6_target "$T6"
	bond_up nmr 2001:db8:1::15
	check_ok wait_until 10 slave_is nmr nmrs2 up
	check_groups nmrs1 0 0 "balance-rr"
	check_groups nmrs2 0 0 "balance-rr"
	del_bond nmr 2
}

# Targets keep their last-heard stamps across list replacements, so
# arp_all_targets all does not take the active slave down for a target
# that was already there or has just been added.
stamps_follow() {
	local fa fb what
	add_bond nst active-backup 2 arp_interval 100 arp_validate all arp_all_targets all \
		ns_ip6_target "$T6"
	cnt_ns nstp1
	bond_up nst 2001:db8:1::16
	check_ok wait_until 10 slave_is nst nsts1 up
	check_ok wait_until 10 slave_is nst nsts2 up
	check_ok wait_until 5 active_is nst nsts1
	fa=$(failures nst nsts1)
	fb=$(failures nst nsts2)
	bond_klog_mark
	# T6C shares T6's solicited-node group: the backup must tell their
	# solicitations apart by the target they name.
	for what in "$T6B,$T6" "$T6" "$T6C,$T6B,$T6"; do
		log "targets := $what"
		check_ok ns_ip h link set nst type bond ns_ip6_target "$what"
		check_eq "$(nl_targets nst)" "$what" "netlink ns_ip6_target"
		rounds nstp1 10
		check_ok active_is nst nsts1
		check_eq "$(failures nst nsts1)/$(failures nst nsts2)" "$fa/$fb" "link failures"
		check_eq "$(bond_klog_since | grep -c 'nst: .*link down')" 0 "links gone down"
	done
	log "a target that stops answering still counts"
	check_ok ns_ip sw addr del "$T6B/64" dev br0
	check_ok wait_until 10 carrier_is nst 0
	check_ok ns_ip sw addr add "$T6B/64" dev br0 nodad
	del_bond nst 2
}

# nla6 I ADDR-LAST-BYTE: hex of netlink attribute I holding 2001:db8:2::N.
nla6() { printf '1400%02x0020010db80002000000000000000000%02x' "$1" "$2"; }

# 16 targets; a 17th is refused whole, with an extended ack (sent raw: ip
# itself stops at 16).
target_limit() {
	local list hex i out nl0 proc0
	check_ok ns_ip h link add nlim type bond mode active-backup arp_interval 100
	list=2001:db8:2::1
	hex=$(nla6 0 1)
	for ((i = 2; i <= 16; i++)); do
		list+=",2001:db8:2::$(printf %x $i)"
		hex+=$(nla6 $((i - 1)) $i)
	done
	check_ok ns_ip h link set nlim type bond ns_ip6_target "$list"
	check_eq "$(nl_targets nlim)" "$list" "16 targets over netlink"
	check_eq "$(bond_proc -n h nlim "$NSLINE")" "${list//,/, }" "16 targets in /proc"
	nl0=$(nl_state nlim)
	proc0=$(ns_exec h cat /proc/net/bonding/nlim)
	log "the same list raw, then with a 17th"
	out=$(ns_exec h python3 "$LIB_DIR/bond_3ad_tool.py" nlraw nlim 31 "$hex")
	check_eq "$out" ok "16 targets sent raw"
	bond_klog_mark
	out=$(ns_exec h python3 "$LIB_DIR/bond_3ad_tool.py" nlraw nlim 31 "$hex$(nla6 16 17)")
	if ((BOND_FMT_EXTACK)); then
		check_eq "$out" "error Invalid argument: option ns_ip6_target: NS target table is full (16 entries)" \
			"17 targets"
	else
		check_eq "$out" "error Invalid argument: invalid option value" "17 targets"
	fi
	check_eq "$(bond_klog_since | grep -c 'nlim: option ns_ip6_target: NS target table is full (16 entries)')" 1 \
		"log lines"
	check_eq "$(nl_state nlim)" "$nl0" "netlink state after the refusal"
	check_eq "$(ns_exec h cat /proc/net/bonding/nlim)" "$proc0" "/proc after the refusal"
	check_ok ns_ip h link del nlim
}

# Unusable addresses are refused with an extended ack and a log line, and
# change nothing; so is a request that repeats a target.
bad_targets() {
	local a out nl0 why
	check_ok ns_ip h link add nbad type bond mode active-backup arp_interval 100 \
		ns_ip6_target "$T6" miimon 0
	nl0=$(nl_state nbad)
	for a in :: ::1 ff02::1 ff05::1:3 "$T6B,$T6B"; do
		case $a in
		::) why="the unspecified address" ;;
		::1) why="a loopback address" ;;
		ff*) why="a multicast address" ;;
		*) why= ;;
		esac
		bond_klog_mark
		out=$(ns_ip h link set nbad type bond arp_missed_max 5 ns_ip6_target "$a" 2>&1)
		check_ne "$?" 0 "exit status for '$a'"
		if ((BOND_FMT_EXTACK)) && [[ -n $why ]]; then
			check_has "$out" "Error: option ns_ip6_target: invalid NS target $a ($why)" \
				"ip output for '$a'"
		elif ((BOND_FMT_EXTACK)); then
			check_has "$out" "Error: option ns_ip6_target: NS target $T6B is already present" \
				"ip output for '$a'"
		else
			check_has "$out" "Error: invalid option value" "ip output for '$a'"
		fi
		check_eq "$(bond_klog_since | grep -c 'nbad: option ns_ip6_target: ')" 1 "log lines for '$a'"
		check_eq "$(nl_state nbad)" "$nl0" "netlink state after '$a'"
	done
	log "the errno, over raw netlink: EINVAL"
	out=$(ns_exec h python3 "$LIB_DIR/bond_3ad_tool.py" nlraw nbad 31 \
		14000000ff020000000000000000000000000001)
	check_match "$out" "^error Invalid argument: " "raw netlink ff02::1"
	check_eq "$(nl_state nbad)" "$nl0" "netlink state after the raw request"
	check_false "no bonding/ns_ip6_target in sysfs" ns_exec h test -e /sys/class/net/nbad/bonding/ns_ip6_target
	check_false "no ns_ip6_target module parameter" test -e /sys/module/bonding/parameters/ns_ip6_target
	check_fail ns_ip h link add nbad2 type bond ns_ip6_target ff02::2
	check_false "no nbad2 after a refused ip link add" ns_exec h test -e /sys/class/net/nbad2
	check_ok ns_ip h link del nbad
}

# The /proc line, byte for byte as upstream's bond_procfs.c prints it.
proc_line() {
	local line
	check_ok ns_ip h link add npr type bond mode active-backup arp_interval 100 \
		ns_ip6_target "$T6,$LL6"
	line=$(ns_exec h grep '^NS IPv6' /proc/net/bonding/npr)
	check_eq "$line" "$NSLINE: $T6, $LL6" "/proc line"
	check_eq "$(nl_targets npr)" "$T6,$LL6" "ip -d ns_ip6_target"
	check_match "$(ns_ip h -d link show npr)" "ns_ip6_target $T6,$LL6" "ip -d link show"
	check_ok ns_ip h link set npr type bond ns_ip6_target ""
	line=$(ns_exec h grep '^NS IPv6' /proc/net/bonding/npr)
	check_eq "$line" "$NSLINE:" "/proc line without targets"
	check_ok ns_ip h link set npr type bond miimon 100
	check_eq "$(ns_exec h grep -c '^NS IPv6' /proc/net/bonding/npr)" 0 "no NS line without arp_interval"
	check_ok ns_ip h link del npr
}

ktap_plan 11
setup
dmesg_mark
run_test ns_link_follows_target link_follows_target
run_test ns_balance_rr_every_slave rr_every_slave
run_test ns_arp_validate_modes validate_modes
run_test ns_link_local_target link_local_target
run_test ns_with_arp_targets arp_and_ns
run_test ns_backup_mcast_groups backup_groups
run_test ns_stamps_follow_targets stamps_follow
run_test ns_16_targets_max target_limit
run_test ns_bad_targets_refused bad_targets
run_test ns_proc_and_netlink proc_line
run_test no_kernel_splat dmesg_check_clean "NS monitor"
ktap_finish
