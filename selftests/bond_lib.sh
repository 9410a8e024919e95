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
# (alb helper) The debugfs RLB table.
#
#   bond_debugfs_dir [-n NS] BOND        the bond's debugfs directory (BOND@INUM
#                                        outside the initial netns); mounts debugfs
#   bond_rlb_table [-n NS] BOND          rlb_hash_table rows without the header:
#                                        "server client mac dev"; fails if unreadable
#   bond_rlb_slave_of [-n NS] BOND IP    the slave client IP is assigned to




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



# ---------------------------------------------------------------- fork-free helpers
# (core-traffic helper) Under TCG a fork costs ~0.25 s and an exec ~0.4 s
# (`ip netns exec` more, it remounts /sys), so tests that poll or count a
# lot read state with shell builtins only: the sysfs of a namespace is
# mounted once (bct_sysfs_mount) and read with `read`; waits use
# EPOCHREALTIME and `read -t` instead of date(1) and sleep(1).
#
#   bct_ip NS ARGS...               ip -n NS ARGS (no $(ns ...) subshell)
#   bct_in NS CMD...                CMD in NS's network namespace only
#                                   (nsenter --net: cheaper than ip netns exec)
#   bct_sysfs_mount NS              a sysfs showing NS at ${BCT_SYS[NS]}
#                                   (unmounted at exit, before NS is deleted)
#   bct_get VAR FILE                first line of FILE into VAR; 1 if unreadable
#   bct_stat VAR NS IF COUNTER      /sys/class/net/IF/statistics/COUNTER of NS
#   bct_ms VAR                      milliseconds since the epoch
#   bct_sleep SECONDS               sleep (fractions allowed) without forking
#   bct_wait_until TIMEOUT CMD...   like wait_until, polling every 0.05 s,
#                                   no fork besides CMD's own
#   bct_veth_to_switch NS IF SW PORT  veth IF in NS (down, ready to enslave)
#                                   <-> PORT on SW's br0 (up)
#   bct_client SW NAME CIDR         namespace NAME, eth0 on SW's br0, address, up
#   bct_ping VAR NS ARGS...         ping ARGS in NS; VAR gets "SENT RECEIVED
#                                   DUPLICATES" from its summary
#   bct_ok CMD..., bct_fail CMD...  check_ok/check_fail without their
#                                   subshell: CMD runs in this shell (a
#                                   function costs no fork), output to a file
#   slab (exact counts: each read first shrinks the cache, which flushes
#   the per-CPU slabs whose free objects /proc/slabinfo counts as active)
#   bct_slab_real VAR CACHE         the /proc/slabinfo name CACHE is counted
#                                   under (a mergeable cache such as
#                                   bnd_rlb_client is an alias of another)
#   bct_slab_objects VAR CACHE      objects in use in CACHE
#   bct_slab_snapshot TAG CACHE...  remember them under TAG
#   bct_slab_check TAG TOL [TIMEOUT]  a check that every cache of TAG is back
#                                   within +TOL of its snapshot, waiting up to
#                                   TIMEOUT (default 20) s for RCU-deferred
#                                   frees (drop_caches kicks kfree_rcu)

declare -gA BCT_SYS=()
_bct_tmp=
_bct_sleep_fd=

bct_ip() {
	local n=$1
	shift
	ip -n "$NS_PREFIX$n" "$@"
}

bct_in() {
	local n=$1
	shift
	nsenter --net="/run/netns/$NS_PREFIX$n" "$@"
}

_bct_tmpdir() {
	[[ -n $_bct_tmp ]] && return 0
	_bct_tmp=$(mktemp -d /tmp/bct.XXXXXX) || return 1
	defer rm -rf "$_bct_tmp"
}

bct_sysfs_mount() {
	local d
	_bct_tmpdir || { _check_failed "mktemp"; return 1; }
	d=$_bct_tmp/sys-$1
	mkdir -p "$d" && nsenter --net="/run/netns/$NS_PREFIX$1" mount -t sysfs sysfs "$d" ||
		{ _check_failed "mount the sysfs of namespace $1"; return 1; }
	defer umount "$d"
	BCT_SYS[$1]=$d
}

bct_get() {
	IFS= read -r "$1" <"$2" 2>/dev/null
}

bct_stat() {
	IFS= read -r "$1" <"${BCT_SYS[$2]}/class/net/$3/statistics/$4" 2>/dev/null
}

bct_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	printf -v "$1" '%s' "$((t / 1000))"
}

bct_sleep() {
	if [[ -z $_bct_sleep_fd ]]; then
		exec {_bct_sleep_fd}<> <(:)
	fi
	read -r -t "$1" -u "$_bct_sleep_fd" _
	return 0
}

# _bct_to_ms VAR SECONDS: SECONDS (fractions allowed) in milliseconds.
_bct_to_ms() {
	local i=${2%%.*} f=000
	[[ $2 == *.* ]] && f=${2#*.}000
	printf -v "$1" '%s' "$((10#${i:-0} * 1000 + 10#${f:0:3}))"
}

bct_wait_until() {
	local limit deadline now
	_bct_to_ms limit "$1"
	shift
	bct_ms now
	deadline=$((now + limit))
	until "$@" >/dev/null 2>&1; do
		bct_ms now
		if ((now >= deadline)); then
			log "timed out after $((limit / 1000)).$((limit % 1000 / 100))s waiting for: $*"
			return 1
		fi
		bct_sleep 0.05
	done
	return 0
}

bct_veth_to_switch() {
	ip link add "$2" netns "$NS_PREFIX$1" type veth peer name "$4" netns "$NS_PREFIX$3" &&
	bct_ip "$3" link set "$4" master br0 &&
	bct_ip "$3" link set "$4" up ||
		{ _check_failed "bct_veth_to_switch $*"; return 1; }
}

bct_client() {
	ns_create "$2" || return 1
	ip link add eth0 netns "$NS_PREFIX$2" type veth peer name "c-$2" netns "$NS_PREFIX$1" &&
	bct_ip "$1" link set "c-$2" master br0 &&
	bct_ip "$1" link set "c-$2" up &&
	bct_ip "$2" addr add "$3" dev eth0 &&
	bct_ip "$2" link set eth0 up ||
		{ _check_failed "bct_client $*"; return 1; }
}

bct_ping() {
	local var=$1 n=$2 out tx=0 rx=0 dup=0
	shift 2
	out=$(nsenter --net="/run/netns/$NS_PREFIX$n" ping "$@" 2>&1)
	[[ $out =~ ([0-9]+)\ packets\ transmitted ]] && tx=${BASH_REMATCH[1]}
	[[ $out =~ ([0-9]+)\ (packets\ )?received ]] && rx=${BASH_REMATCH[1]}
	[[ $out =~ \+([0-9]+)\ duplicates ]] && dup=${BASH_REMATCH[1]}
	printf -v "$var" '%s %s %s' "$tx" "$rx" "$dup"
	log "ping $* in $n: sent $tx, received $rx, duplicates $dup"
}

_bct_run() {			# WANT CMD...: run CMD here, check its status
	local want=$1 rc out l
	shift
	_bct_tmpdir || return 1
	"$@" >"$_bct_tmp/out" 2>&1
	rc=$?
	if ((want == 0 && rc == 0)); then
		log "ok: \`$*\`"
		return 0
	elif ((want != 0 && rc != 0)); then
		log "ok: \`$*\` failed as expected (exit $rc)"
		return 0
	fi
	out=
	while IFS= read -r l; do
		out+=$'\n'"#   $l"
	done <"$_bct_tmp/out"
	_check_failed "\`$*\` exited $rc, want ${want/1/failure}; output:${out:- (none)}"
}

bct_ok() { _bct_run 0 "$@"; }
bct_fail() { _bct_run 1 "$@"; }

declare -gA _bct_slab_alias=() _bct_slab_base=()

bct_slab_real() {
	local c=$2 n rest
	if [[ -n ${_bct_slab_alias[$c]:-} ]]; then
		printf -v "$1" '%s' "${_bct_slab_alias[$c]}"
		return 0
	fi
	while read -r n rest; do
		[[ $n == slabinfo || $n == '#'* ]] && continue
		if [[ $n == "$c" || ( -e /sys/kernel/slab/$c && /sys/kernel/slab/$n -ef /sys/kernel/slab/$c ) ]]; then
			_bct_slab_alias[$c]=$n
			printf -v "$1" '%s' "$n"
			return 0
		fi
	done </proc/slabinfo
	return 1
}

bct_slab_objects() {
	local real n a rest
	bct_slab_real real "$2" || return 1
	echo 1 >"/sys/kernel/slab/$real/shrink" 2>/dev/null
	while read -r n a rest; do
		if [[ $n == "$real" ]]; then
			printf -v "$1" '%s' "$a"
			return 0
		fi
	done </proc/slabinfo
	return 1
}

bct_slab_snapshot() {
	local tag=$1 c v real
	shift
	echo 2 >/proc/sys/vm/drop_caches
	for c; do
		bct_slab_real real "$c" || { _check_failed "no slab cache '$c'"; continue; }
		bct_slab_objects v "$c" || { _check_failed "cannot read slab cache '$c'"; continue; }
		_bct_slab_base["$tag/$c"]=$v
		log "slab $c${real:+ (counted as $real)}: $v objects"
	done
}

_bct_slab_within() {		# TAG TOL
	local k v
	echo 2 >/proc/sys/vm/drop_caches
	for k in "${!_bct_slab_base[@]}"; do
		[[ $k == "$1/"* ]] || continue
		bct_slab_objects v "${k#*/}" || return 1
		((v - _bct_slab_base[$k] <= $2)) || return 1
	done
}

bct_slab_check() {
	local tag=$1 tol=$2 limit k v msg= now deadline rc=1
	_bct_to_ms limit "${3:-20}"
	bct_ms now
	deadline=$((now + limit))
	while :; do
		_bct_slab_within "$tag" "$tol" && { rc=0; break; }
		bct_ms now
		((now >= deadline)) && break
		bct_sleep 0.5
	done
	for k in "${!_bct_slab_base[@]}"; do
		[[ $k == "$tag/"* ]] || continue
		bct_slab_objects v "${k#*/}"
		msg+=" ${k#*/}:${_bct_slab_base[$k]}->${v:-?}"
	done
	if ((rc == 0)); then
		log "ok: slab caches of '$tag' within +$tol objects:$msg"
	else
		_check_failed "slab growth over +$tol ($tag):$msg"
	fi
}

# ---------------------------------------------------------------- /proc/net of a namespace
# (alb helper) Read a namespace's /proc/net files (arp, dev, bonding/*) and
# "Key: value" files with shell builtins only (no fork): under TCG a fork or
# an exec costs a good part of a second.
#
#   bond_ns_pin NAME        keep a process in namespace NAME; sets
#                           BOND_PROCNET[NAME] to its /proc/PID/net. Call it
#                           directly (it defers the process's end).
#   bond_file_value VAR FILE KEY [SECTION]
#                           VAR := value of "KEY: value" in FILE; with
#                           SECTION, only in the block after "Slave Interface:
#                           SECTION" (the /proc/net/bonding layout), without,
#                           only before the first such line; 1 if not found
#   bond_arp_mac VAR NAME IP [DEV]
#                           VAR := MAC of IP in NAME's ARP table (empty if
#                           none or incomplete)

declare -gA BOND_PROCNET=()

bond_ns_pin() {
	local n=$1 net pid i
	net=/run/netns/$NS_PREFIX$n
	nsenter --net="$net" sleep 100000 </dev/null >/dev/null 2>&1 &
	pid=$!
	defer kill "$pid"
	for ((i = 0; i < 200; i++)); do
		[[ /proc/$pid/ns/net -ef $net ]] && break
		read -rt 0.05 <> <(:)
	done
	[[ /proc/$pid/ns/net -ef $net ]] ||
		{ _check_failed "no process of ours in namespace $n"; return 1; }
	BOND_PROCNET[$n]=/proc/$pid/net
}

bond_file_value() {
	local _l _cur= _lines
	printf -v "$1" '%s' ""
	mapfile -t _lines <"$2" || return 1
	for _l in "${_lines[@]}"; do
		if [[ $_l == "Slave Interface: "* ]]; then
			[[ -z ${4:-} ]] && return 1
			_cur=${_l#Slave Interface: }
			continue
		fi
		if [[ $_cur == "${4:-}" && $_l == "$3: "* ]]; then
			printf -v "$1" '%s' "${_l#"$3": }"
			return 0
		fi
	done
	return 1
}

bond_arp_mac() {
	local _l _lines _f -
	set -f			# the mask column is a '*'
	printf -v "$1" '%s' ""
	mapfile -t _lines <"${BOND_PROCNET[$2]}/arp" || return 1
	for _l in "${_lines[@]:1}"; do
		# shellcheck disable=SC2206	# fields: IP type flags MAC mask device
		_f=($_l)
		[[ ${_f[0]} == "$3" && ( -z ${4:-} || ${_f[5]} == "$4" ) ]] || continue
		[[ ${_f[2]} != 0x0 ]] && printf -v "$1" '%s' "${_f[3]}"
		return 0
	done
	return 0
}
