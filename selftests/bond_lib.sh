# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
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
	local e
	_bond_errno e "$1"
	echo "$e"
}

# _bond_errno VAR TEXT: VAR := the errno name of TEXT (builtins only).
_bond_errno() {
	local __berr_e
	case $2 in
	*"Operation not permitted") __berr_e=EPERM ;;
	*"No such file or directory") __berr_e=ENOENT ;;
	*"Invalid argument") __berr_e=EINVAL ;;
	*"No such device") __berr_e=ENODEV ;;
	*"File exists") __berr_e=EEXIST ;;
	*"Device or resource busy") __berr_e=EBUSY ;;
	*"Permission denied") __berr_e=EACCES ;;
	*"Directory not empty") __berr_e=ENOTEMPTY ;;
	*"Operation not supported") __berr_e=EOPNOTSUPP ;;
	*"Cannot allocate memory") __berr_e=ENOMEM ;;
	*"Numerical result out of range") __berr_e=ERANGE ;;
	*"No space left on device") __berr_e=ENOSPC ;;
	*"Cannot assign requested address") __berr_e=EADDRNOTAVAIL ;;
	*"Address already in use") __berr_e=EADDRINUSE ;;
	*) __berr_e="?($2)" ;;
	esac
	printf -v "$1" '%s' "$__berr_e"
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
#   bct_mii_is NS SLAVE STATUS      bonding_slave/mii_status of SLAVE is STATUS
#   bct_active_is NS BOND SLAVE     bonding/active_slave of BOND is SLAVE
#   bct_carrier_is NS IF 0|1        IF's carrier
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
#   bct_snap NS ARRAY IF...         ARRAY[IF] := tx_packets of each IF
#   bct_stream NS DST COUNT BOND WARM  a background ping stream (50 ms apart),
#                                   going once BOND sent WARM frames
#   bct_stream_check ALLOWED        it ended having lost at most ALLOWED echoes
#   bct_slab_objects VAR CACHE      objects in use in CACHE
#   bct_slab_snapshot TAG CACHE...  remember them under TAG (after a second
#                                   for RCU-deferred frees to land)
#   bct_slab_check TAG TOL [TIMEOUT]  a check that every cache of TAG is back
#                                   within +TOL of its snapshot, waiting up to
#                                   TIMEOUT (default 20) s for RCU-deferred
#                                   frees (drop_caches kicks kfree_rcu); fails
#                                   if TAG has no cache or one cannot be read

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

# bct_neigh_room MAX: the neighbour table (shared by all namespaces) holds
# up to MAX entries (gc_thresh3; gc_thresh2 and 1 a half and a quarter of
# it), so the kernel can cache, and so answer, every ARP sender of a storm;
# the old values come back at cleanup.
bct_neigh_room() {
	local k v
	for k in gc_thresh1 gc_thresh2 gc_thresh3; do
		bct_get v "/proc/sys/net/ipv4/neigh/default/$k"
		defer sysctl -qw "net.ipv4.neigh.default.$k=$v"
	done
	sysctl -qw net.ipv4.neigh.default.gc_thresh3=$1 \
		net.ipv4.neigh.default.gc_thresh2=$(($1 / 2)) net.ipv4.neigh.default.gc_thresh1=$(($1 / 4))
}

bct_mii_is() {
	local v
	bct_get v "${BCT_SYS[$1]}/class/net/$2/bonding_slave/mii_status" && [[ $v == "$3" ]]
}

bct_active_is() {
	local v
	bct_get v "${BCT_SYS[$1]}/class/net/$2/bonding/active_slave" && [[ $v == "$3" ]]
}

bct_carrier_is() {
	local v
	bct_get v "${BCT_SYS[$1]}/class/net/$2/carrier" && [[ $v == "$3" ]]
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
	limit=$((limit * ${BOND_TIMEOUT_FACTOR:-1}))	# lib.sh: make check-debug
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

# bct_snap NS ARRAY IF...: ARRAY[IF] := tx_packets of each IF in NS.
bct_snap() {
	local n=$1 i v
	local -n _bct_a=$2
	shift 2
	for i; do
		bct_stat v "$n" "$i" tx_packets
		_bct_a[$i]=$v
	done
}

# bct_stream NS DST COUNT BOND WARM: COUNT echoes, one per 50 ms, from NS to
# DST in the background; returns once BOND (in NS) has sent WARM frames.
bct_stream() {
	local tx0 tx
	_bct_tmpdir || return 1
	bct_stat tx0 "$1" "$4" tx_packets
	bct_in "$1" ping -i 0.05 -c "$3" -W 1 "$2" >"$_bct_tmp/stream" 2>&1 &
	_bct_stream_pid=$!
	bct_ok bct_wait_until 20 eval "bct_stat tx $1 $4 tx_packets; ((tx - $tx0 >= $5))"
}

# bct_stream_check ALLOWED: wait for the stream to end; a check that it lost
# at most ALLOWED echoes (status 1 if ping's summary is missing).
bct_stream_check() {
	local out sent lost
	wait "$_bct_stream_pid"
	out=$(<"$_bct_tmp/stream")
	if ! [[ $out =~ ([0-9]+)\ packets\ transmitted,\ ([0-9]+)\ received ]]; then
		_check_failed "ping output: $out"
		return 1
	fi
	sent=${BASH_REMATCH[1]} lost=$((BASH_REMATCH[1] - BASH_REMATCH[2]))
	log "stream across the failover: $sent sent, $lost lost (allowed $1)"
	((lost <= $1)) || _check_failed "$lost echoes lost across the failover, allowed $1"
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
	# Without the shrink the count is not exact: no count then.
	{ echo 1 >"/sys/kernel/slab/$real/shrink"; } 2>/dev/null || return 1
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
	# Let frees deferred by RCU land first, or the baseline counts them.
	echo 2 >/proc/sys/vm/drop_caches
	bct_sleep 1
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
	local tag=$1 tol=$2 limit k v msg= now deadline rc=1 n=0 bad=
	for k in "${!_bct_slab_base[@]}"; do
		[[ $k == "$tag/"* ]] || continue
		n=$((n + 1))
		bct_slab_objects v "${k#*/}" || bad+=" ${k#*/}"
	done
	if ((n == 0)); then
		_check_failed "bct_slab_check $tag: no slab cache was snapshotted under '$tag'"
		return 1
	fi
	if [[ -n $bad ]]; then
		_check_failed "bct_slab_check $tag: cannot read (or shrink) slab cache(s)$bad"
		return 1
	fi
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

# ---------------------------------------------------------------- core-abi fork-free helpers
# (core-abi helper) Builtins only, for tests that make hundreds of option
# reads and writes (see the fork-free section above for why).
#
#   bond_put VAR FILE TEXT      write TEXT and a newline to FILE in one
#                               write(2); VAR := OK or the errno name (EINVAL,
#                               EPERM, ...); status 0 only if written
#   bond_json_get VAR JSON KEY  VAR := value of "KEY" in the one-line JSON of
#                               `ip -j ...` (strings unquoted, arrays raw as
#                               ["a","b"], null if absent)
#   bond_snapshot VAR BOND [SYSNET [PROCNET]]
#                               VAR := every bonding/ file of BOND, its
#                               /proc/net/bonding file, its MTU, MAC and flags,
#                               and for each slave its bonding_slave/ files,
#                               MTU, MAC and master (SYSNET defaults to
#                               /sys/class/net, PROCNET to /proc/net)
#   bond_rd VAR FILE            VAR := first line of FILE ("" if empty);
#                               "<missing>" and status 1 if there is no FILE
#   bond_slave_mii_is SLAVE STATE [SYSNET]  SLAVE's mii_status is STATE
#   bond_check_file FILE WANT WHAT   a check on the first line of FILE
#   bond_check_put FILE TEXT WANT WHAT
#                               a check that writing TEXT to FILE gives WANT
#                               (OK or an errno name)
#   check_true WHAT CMD...      a check that CMD succeeds (run in this shell:
#   check_false WHAT CMD...     use builtins or functions, e.g. test -e F)
#   bond_ipb [@NS] [CMD...]     a check that `ip -batch` of the CMD lines (or
#                               of stdin) succeeds, in namespace NS if given
#   bond_view NS...             BOND_VIEW_SYS[NS] := NS's /sys/class/net and
#                               BOND_VIEW_PROC[NS] := its /proc/net, readable
#                               with builtins (bct_sysfs_mount, bond_ns_pin)
#   bond_leftover IF...         at exit, delete those IF of the initial
#                               namespace that still exist, in one `ip -batch`
#                               (cheaper than one deferred `ip link del` each).
#                               Call it directly, after ns_create.
#   bond_veths PEERNS [-n NS] IF...
#                               veths IF (in namespace NS, default here; left
#                               down) whose peers IFp live in PEERNS, up
#   bond_admin_up SYSNET IF     IF is administratively up
#   bond_master_is SYSNET IF BOND, bond_no_master SYSNET IF
#   bond_active_is PROCNET BOND SLAVE   /proc says SLAVE is the active one
#   bond_carrier_is SYSNET BOND up|down
#   bond_check_released SYSNET IF MAC MTU WHAT
#                               checks that IF is a free device again: no
#                               master, no bonding_slave/, MAC and MTU as
#                               given, closed (upstream closes released slaves)
#   (initial namespace, BOND_NLJ from the last bond_nl_fetch)
#   bond_set_ok BOND OPT VALUE WANT   writing VALUE works, the file reads WANT
#   bond_opt_is BOND OPT WANT [WHAT]  a check on bonding/OPT
#   bond_nl_fetch DEV           BOND_NLJ := `ip -d -j link show DEV`
#   bond_nl_is KEY WANT         a check on KEY of BOND_NLJ (bond_json_get)
#   bond_proc_is BOND FIELD WANT [SLAVE]  a check on /proc/net/bonding/BOND
#   check_has STRING SUBSTRING WHAT       a check that STRING contains SUBSTRING
#   BOND_FMT_EXTACK             1 if the kernel carries formatted extack
#                               messages ("option NAME: ...", Linux 6.2+)

_bond_efd=

# The shell's error message of a failed write goes into a pipe of our own
# and is read back from it: no file to create, no fork.
bond_put() {
	local __bput_l=''
	if [[ -z $_bond_efd ]]; then
		exec {_bond_efd}<> <(:)
	fi
	if { printf '%s\n' "$3" >"$2"; } 2>&"$_bond_efd"; then
		printf -v "$1" OK
		return 0
	fi
	IFS= read -r -t 2 -u "$_bond_efd" __bput_l
	_bond_errno "$1" "$__bput_l"
	return 1
}

bond_json_get() {
	# Locals with unusual names: VAR is set through printf -v, which a
	# local of the same name would shadow.
	local __bjg_re="[{,]\"$3\":(\"[^\"]*\"|\\[[^]]*\\]|[^,}]*)" __bjg_v=null
	if [[ $2 =~ $__bjg_re ]]; then
		__bjg_v=${BASH_REMATCH[1]}
		[[ $__bjg_v == \"*\" ]] && __bjg_v=${__bjg_v:1:${#__bjg_v}-2}
	fi
	printf -v "$1" '%s' "$__bjg_v"
}

# _bond_files_into VAR DIR: append "name=content" of every file in DIR to VAR.
_bond_files_into() {
	local _f _c
	for _f in "$2"/*; do
		_c=''
		IFS= read -r -d '' _c 2>/dev/null <"$_f"
		printf -v "$1" '%s%s=%s\n' "${!1}" "${_f##*/}" "$_c"
	done
}

bond_snapshot() {
	local _b=$2 _sys=${3:-/sys/class/net} _proc=${4:-/proc/net} _out= _s _v _lines _slaves=()
	_bond_files_into _out "$_sys/$_b/bonding"
	for _v in mtu address flags; do
		_lines=
		IFS= read -r _lines 2>/dev/null <"$_sys/$_b/$_v"
		_out+="$_v=$_lines"$'\n'
	done
	_v=''
	IFS= read -r -d '' _v 2>/dev/null <"$_proc/bonding/$_b"
	_out+="proc:"$'\n'"$_v"
	read -r -a _slaves 2>/dev/null <"$_sys/$_b/bonding/slaves"
	for _s in "${_slaves[@]}"; do
		_out+="slave $_s:"$'\n'
		_bond_files_into _out "$_sys/$_s/bonding_slave"
		for _v in mtu address; do
			_lines=
			IFS= read -r _lines 2>/dev/null <"$_sys/$_s/$_v"
			_out+="$_v=$_lines"$'\n'
		done
		[[ $_sys/$_s/master -ef $_sys/$_b ]] && _out+="master=$_b"$'\n'
	done
	printf -v "$1" '%s' "$_out"
}

bond_rd() {
	if [[ -e $2 ]]; then
		printf -v "$1" '%s' ""
		IFS= read -r "$1" 2>/dev/null <"$2"
		return 0
	fi
	printf -v "$1" '%s' "<missing>"
	return 1
}

# bond_slave_mii_is SLAVE up|down [SYSDIR]: the slave's bonding_slave/mii_status
bond_slave_mii_is() {
	local v
	bond_rd v "${3:-/sys/class/net}/$1/bonding_slave/mii_status"
	[[ $v == "$2" ]]
}

bond_check_file() {
	local _v
	bond_rd _v "$1"
	check_eq "$_v" "$2" "$3"
}

bond_check_put() {
	local _r
	bond_put _r "$1" "$2"
	check_eq "$_r" "$3" "$4"
}

check_true() {
	local _what=$1
	shift
	if "$@"; then
		log "ok: $_what"
	else
		_check_failed "$_what"
	fi
}

check_false() {
	local _what=$1
	shift
	if "$@"; then
		_check_failed "$_what"
	else
		log "ok: $_what"
	fi
}

bond_ipb() {
	local _n='' _lines _cmds _j
	if [[ ${1:-} == @* ]]; then
		_n=${1#@}
		shift
	fi
	if (($#)); then
		_lines=("$@")
	else
		mapfile -t _lines
	fi
	printf -v _cmds '%s\n' "${_lines[@]}"
	printf -v _j '%s; ' "${_lines[@]}"
	log "ip batch${_n:+ in $_n}: ${_j%; }"
	if [[ -n $_n ]]; then
		check_ok ip -n "$NS_PREFIX$_n" -b - <<<"$_cmds"
	else
		check_ok ip -b - <<<"$_cmds"
	fi
}

declare -gA BOND_VIEW_SYS=() BOND_VIEW_PROC=()

bond_view() {
	local _n
	for _n; do
		bct_sysfs_mount "$_n" && bond_ns_pin "$_n" || return 1
		BOND_VIEW_SYS[$_n]=${BCT_SYS[$_n]}/class/net
		BOND_VIEW_PROC[$_n]=${BOND_PROCNET[$_n]}
	done
}

_bond_leftovers=()

bond_leftover() {
	((${#_bond_leftovers[@]})) || defer _bond_del_leftovers
	_bond_leftovers+=("$@")
}

_bond_del_leftovers() {
	local _i _cmds=()
	for _i in "${_bond_leftovers[@]}"; do
		[[ -e /sys/class/net/$_i ]] && _cmds+=("link del $_i")
	done
	((${#_cmds[@]})) && printf '%s\n' "${_cmds[@]}" | ip -force -b - >/dev/null 2>&1
	return 0
}

bond_veths() {
	local _p=$NS_PREFIX$1 _where='' _i _add=() _up=()
	shift
	if [[ ${1:-} == -n ]]; then
		_where="netns $NS_PREFIX$2"
		shift 2
	fi
	for _i; do
		_add+=("link add $_i $_where type veth peer name ${_i}p netns $_p")
		_up+=("link set ${_i}p up")
	done
	bond_ipb "${_add[@]}"
	bond_ipb "@${_p#"$NS_PREFIX"}" "${_up[@]}"
}

bond_admin_up() {
	local _f
	bond_rd _f "$1/$2/flags" || return 1
	((_f & 1))
}

bond_master_is() { [[ -e $1/$2/master && $1/$2/master -ef $1/$3 ]]; }
bond_no_master() { [[ ! -e $1/$2/master ]]; }

bond_active_is() {
	local _v
	bond_file_value _v "$1/bonding/$2" "Currently Active Slave"
	[[ $_v == "$3" ]]
}

bond_carrier_is() {
	local _v
	bond_rd _v "$1/$2/bonding/mii_status"
	[[ $_v == "$3" ]]
}

bond_check_released() {
	check_true "$5: no master" bond_no_master "$1" "$2"
	check_false "$5: no bonding_slave/" test -e "$1/$2/bonding_slave"
	bond_check_file "$1/$2/address" "$3" "$5: MAC (its permanent one)"
	bond_check_file "$1/$2/mtu" "$4" "$5: MTU (its own)"
	check_false "$5: closed" bond_admin_up "$1" "$2"
}

bond_set_ok() {
	bond_check_put "/sys/class/net/$1/bonding/$2" "$3" OK "write $2='$3'"
	bond_check_file "/sys/class/net/$1/bonding/$2" "$4" "sysfs $2 after '$3'"
}

bond_opt_is() {
	bond_check_file "/sys/class/net/$1/bonding/$2" "$3" "${4:-sysfs $2}"
}

BOND_NLJ=

bond_nl_fetch() {
	BOND_NLJ=$(ip -d -j link show dev "$1")
}

bond_nl_is() {
	local _v
	bond_json_get _v "$BOND_NLJ" "$1"
	check_eq "$_v" "$2" "netlink $1"
}

bond_proc_is() {
	local _v
	bond_file_value _v "/proc/net/bonding/$1" "$2" "${4:-}"
	check_eq "$_v" "$3" "/proc${4:+ $4} '$2'"
}

check_has() {
	if [[ $1 == *"$2"* ]]; then
		log "ok: $3 contains '$2'"
	else
		_check_failed "$3: '$1' does not contain '$2'"
	fi
}

BOND_FMT_EXTACK=0
IFS=. read -r _bond_kmaj _bond_kmin _ <<<"${KVER:-$(uname -r)}"
_bond_kmin=${_bond_kmin%%[^0-9]*}
if ((_bond_kmaj > 6 || (_bond_kmaj == 6 && ${_bond_kmin:-0} >= 2))); then
	BOND_FMT_EXTACK=1
fi

# ---------------------------------------------------------------- 802.3ad
# (802.3ad helper) Two LACP bonds in namespaces "a" and "b", views through
# bond_view (builtins only). AD_BOND[NS] names the bond of namespace NS
# (default ad0), AD_SLAVES[NS] its slaves. FILE arguments are relative to
# the namespace's /sys/class/net.
#
#   ad_sy VAR NS FILE               VAR := first line of FILE
#   ad_bo VAR NS OPT / ad_so VAR NS SLAVE FILE
#                                   bonding/OPT of the bond, bonding_slave/FILE
#   ad_pf VAR NS FIELD [SLAVE]      "FIELD: value" of /proc/net/bonding/<bond>
#   ad_stat VAR NS IF COUNTER       statistics/COUNTER of IF
#   ad_is NS FILE VALUE             status: FILE holds VALUE (for waits)
#   ad_agg_ok NS N STATE [SLAVES]   carrier, N ports in the active aggregator,
#                                   SLAVES (default all) in it with actor state STATE
#   ad_partner_ok NS STATE [SLAVES] their partner state is STATE
#   ad_pair_ok N STATE_A STATE_B    a and b aggregated with each other
#   ad_wait_pair N STATE_A STATE_B WHAT
#                                   a check: ad_pair_ok within AD_WAIT s
#                                   (/proc of both logged if not)
#   ad_check_bo NS OPT WANT, ad_check_so NS SLAVE FILE WANT,
#   ad_check_pf NS FIELD WANT [SLAVE], ad_check_proc_line NS LINE
#   ad_put NS OPT TEXT WANT         a check that writing bonding/OPT gives WANT
#   ad_down_up NS [OPT VALUE]...    bond down, options written, bond up
#   ad_pair_setup N [OPTS_A [OPTS_B]]
#                                   namespaces a, b; bonds ad0 (mode 802.3ad
#                                   miimon 100 OPTS_X, 10.34.0.1/24, .2/24; B's
#                                   options default to A's) with slaves adaK <->
#                                   adbK (K = 1..N), up unless AD_UP=0
#   ad_tool NS ARGS...              run bond_3ad_tool.py ARGS in NS; output in AD_OUT
#   ad_xstats VAR NS DEV            VAR := `ip -j stats` of DEV (a bond or a
#                                   slave), group xstats(_slave) subgroup bond:
#                                   the 802.3ad counters
#   ad_xstat VAR JSON KEY           VAR := counter KEY (iproute2 JSON name) in
#                                   that output; "none" if absent

AD_WAIT=30
AD_ST_ACT=1 AD_ST_TIMEOUT=2 AD_ST_AGG=4 AD_ST_SYNC=8 AD_ST_COLL=16 AD_ST_DIST=32
AD_ST_DEF=64 AD_ST_EXP=128
AD_AGGR=61		# activity, aggregation, sync, collecting, distributing
AD_AGGR_FAST=63		# ... and short timeout
AD_AGGR_PASSIVE=60	# ... without activity
declare -gA AD_BOND=() AD_SLAVES=()

ad_sy() { bond_rd "$1" "${BOND_VIEW_SYS[$2]}/$3"; }
ad_bo() { ad_sy "$1" "$2" "${AD_BOND[$2]:-ad0}/bonding/$3"; }
ad_so() { ad_sy "$1" "$2" "$3/bonding_slave/$4"; }
ad_pf() { bond_file_value "$1" "${BOND_VIEW_PROC[$2]}/bonding/${AD_BOND[$2]:-ad0}" "$3" "${4:-}"; }
ad_stat() { ad_sy "$1" "$2" "$3/statistics/$4"; }
ad_is() { local _v; ad_sy _v "$1" "$2" && [[ $_v == "$3" ]]; }

# ad_partner_pdu VAR NS SLAVE FIELD: FIELD ("system priority", "port
# priority", ...) of SLAVE's "details partner lacp pdu" in /proc; 1 if none.
ad_partner_pdu() {
	local _l _in=0 _part=0 _lines
	mapfile -t _lines <"${BOND_VIEW_PROC[$2]}/bonding/${AD_BOND[$2]:-ad0}"
	for _l in "${_lines[@]}"; do
		if [[ $_l == "Slave Interface: "* ]]; then
			_in=0 _part=0
			[[ $_l == "Slave Interface: $3" ]] && _in=1
			continue
		fi
		((_in)) || continue
		[[ $_l == "details partner lacp pdu:" ]] && { _part=1; continue; }
		((_part)) && [[ $_l == "    $4: "* ]] && { printf -v "$1" '%s' "${_l#*: }"; return 0; }
	done
	return 1
}

ad_agg_ok() {
	local _n=$1 _want=$2 _st=$3 _s _v _agg
	ad_sy _v "$_n" "${AD_BOND[$_n]:-ad0}/carrier" && [[ $_v == 1 ]] || return 1
	ad_bo _v "$_n" ad_num_ports && [[ $_v == "$_want" ]] || return 1
	ad_bo _agg "$_n" ad_aggregator
	for _s in ${4:-${AD_SLAVES[$_n]}}; do
		ad_so _v "$_n" "$_s" ad_aggregator_id && [[ $_v == "$_agg" ]] || return 1
		ad_so _v "$_n" "$_s" ad_actor_oper_port_state && [[ $_v == "$_st" ]] || return 1
	done
}

ad_partner_ok() {
	local _s _v
	for _s in ${3:-${AD_SLAVES[$1]}}; do
		ad_so _v "$1" "$_s" ad_partner_oper_port_state && [[ $_v == "$2" ]] || return 1
	done
}

ad_pair_ok() {
	ad_agg_ok a "$1" "$2" && ad_agg_ok b "$1" "$3" &&
		ad_partner_ok a "$3" && ad_partner_ok b "$2"
}

_ad_dump() {
	local _lines
	mapfile -t _lines <"${BOND_VIEW_PROC[$1]}/bonding/${AD_BOND[$1]:-ad0}"
	log "/proc/net/bonding/${AD_BOND[$1]:-ad0} of $1:"
	printf '#   %s\n' "${_lines[@]}"
}

ad_wait_pair() {
	if bct_wait_until "$AD_WAIT" ad_pair_ok "$1" "$2" "$3"; then
		log "ok: $4"
		return 0
	fi
	_check_failed "$4"
	_ad_dump a
	_ad_dump b
	return 1
}

ad_check_bo() { local _v; ad_bo _v "$1" "$2"; check_eq "$_v" "$3" "$1: bonding/$2"; }
ad_check_so() { local _v; ad_so _v "$1" "$2" "$3"; check_eq "$_v" "$4" "$1: $2/bonding_slave/$3"; }
ad_check_pf() {
	local _v
	ad_pf _v "$1" "$2" "${4:-}"
	check_eq "$_v" "$3" "$1: /proc ${4:+[$4] }'$2'"
}

ad_check_proc_line() {
	local _lines _l
	mapfile -t _lines <"${BOND_VIEW_PROC[$1]}/bonding/${AD_BOND[$1]:-ad0}"
	for _l in "${_lines[@]}"; do
		[[ $_l == "$2" ]] && { log "ok: $1: /proc has '$2'"; return 0; }
	done
	_check_failed "$1: no line '$2' in /proc/net/bonding/${AD_BOND[$1]:-ad0}"
}

ad_put() {
	bond_check_put "${BOND_VIEW_SYS[$1]}/${AD_BOND[$1]:-ad0}/bonding/$2" "$3" "$4" "$1: $2 <- $3"
}

ad_down_up() {
	local _n=$1
	shift
	bond_ipb "@$_n" "link set ${AD_BOND[$_n]:-ad0} down"
	while (($# >= 2)); do
		ad_put "$_n" "$1" "$2" OK
		shift 2
	done
	bond_ipb "@$_n" "link set ${AD_BOND[$_n]:-ad0} up"
}

ad_pair_setup() {
	local _k _a _b _n=$1 _up=
	ns_create a b || return 1
	_a="link add ad0 type bond mode 802.3ad miimon 100 ${2:-}"$'\n'
	_b="link add ad0 type bond mode 802.3ad miimon 100 ${3-${2:-}}"$'\n'
	AD_SLAVES[a]= AD_SLAVES[b]=
	for ((_k = 1; _k <= _n; _k++)); do
		_a+="link add ada$_k type veth peer name adb$_k netns $NS_PREFIX"b$'\n'
		_a+="link set ada$_k master ad0"$'\n'
		_b+="link set adb$_k master ad0"$'\n'
		AD_SLAVES[a]+="ada$_k "
		AD_SLAVES[b]+="adb$_k "
	done
	[[ ${AD_UP:-1} == 0 ]] || _up=$'\n'"link set ad0 up"
	_a+="addr add 10.34.0.1/24 dev ad0$_up"
	_b+="addr add 10.34.0.2/24 dev ad0$_up"
	bond_ipb @a <<<"$_a"
	bond_ipb @b <<<"$_b"
	bond_view a b
}

AD_OUT=
ad_tool() {
	local _n=$1
	shift
	AD_OUT=$(nsenter --net="/run/netns/$NS_PREFIX$_n" python3 "$LIB_DIR/bond_3ad_tool.py" "$@" 2>&1)
	log "bond_3ad_tool.py $* in $_n:"$'\n'"# ${AD_OUT//$'\n'/$'\n'# }"
}

# (`ip stats`: iproute2 6.1's `ip link xstats type bond` overflows its stack.)
ad_xstats() {
	local _g=xstats
	[[ $3 == "${AD_BOND[$2]:-ad0}" ]] || _g=xstats_slave
	printf -v "$1" '%s' \
		"$(ip -n "$NS_PREFIX$2" -j stats show dev "$3" group $_g subgroup bond 2>&1)"
}

ad_xstat() {
	local _re="\"$3\":([0-9]+)"
	if [[ $2 =~ $_re ]]; then
		printf -v "$1" '%s' "${BASH_REMATCH[1]}"
	else
		printf -v "$1" none
	fi
}

# ---------------------------------------------------------------- echoes and taps
#
#   bct_ping_all NS COUNT ARGS... DST  a check that `ping -c COUNT ARGS DST`
#                                   in NS had every one of its COUNT echoes
#                                   answered (ping itself exits 0 on one
#                                   reply of several)
#   bct_tap_relay NS TAP PEER       tap TAP in NS (its carrier is on while
#                                   bond_3ad_tool.py relay keeps it open),
#                                   frames copied to/from PEER (a device of
#                                   NS); unlike a veth, a tap takes a link
#                                   speed (ethtool -s TAP speed N duplex
#                                   full) and carrier off/on (ip link set
#                                   TAP carrier off). The relay is killed at
#                                   exit. Status 4 if there is no tun.

bct_ping_all() {
	local n=$1 c=$2 res tx rx dup
	shift 2
	bct_ping res "$n" -c "$c" "$@"
	read -r tx rx dup <<<"$res"
	if ((tx == c && rx == c)); then
		log "ok: all $c echoes to ${*: -1} from $n answered"
	else
		_check_failed "echoes to ${*: -1} from $n: $tx sent, $rx answered, want $c of $c"
	fi
}

bct_tap_relay() {
	local pid
	if [[ ! -c /dev/net/tun ]]; then
		modprobe -q tun
		if [[ ! -c /dev/net/tun ]]; then
			mkdir -p /dev/net && mknod /dev/net/tun c 10 200 || return 4
			defer rm -f /dev/net/tun
		fi
	fi
	_bct_tmpdir || return 1
	nsenter --net="/run/netns/$NS_PREFIX$1" python3 "$LIB_DIR/bond_3ad_tool.py" relay "$2" "$3" \
		>"$_bct_tmp/relay-$2" 2>&1 &
	pid=$!
	defer kill "$pid"
	if ! bct_wait_until 20 _bct_relay_ready "$_bct_tmp/relay-$2"; then
		_check_failed "no tap $2 from the relay: $(<"$_bct_tmp/relay-$2")"
		return 1
	fi
}

_bct_relay_ready() {
	local l
	IFS= read -r l <"$1" 2>/dev/null && [[ $l == ready ]]
}
