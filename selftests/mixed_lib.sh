# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Topology and probes of the mixed-mode ARP storm suite (mixed_seed.sh,
# mixed_modes.sh, mixed_churn.sh). Source it after lib.sh:
#
#	. "$(dirname "$(readlink -f "$0")")/lib.sh"
#	. "$LIB_DIR/mixed_lib.sh"
#
# Topology (mx_init):
#
#   namespace h      the bonds (IPv4 only, arp_ignore=1: an ARP request is
#                    answered only by the interface that owns the address,
#                    so a bond never answers for its neighbour)
#   namespace sw     the switch: bridge br0, and more made by mx_bridge; every
#                    bridge BR has an uplink port up-BR whose veth peer u-BR
#                    (also in sw) is where storms "from the uplink" are sent
#   client ns        mx_client: eth0 on a bridge, IPv4 addresses
#
# Every exec costs ~0.2 s under TCG, so bonds and links are made with
# `ip -batch`, and the sysfs of namespace h is mounted once (mx_init) and
# read with shell builtins: counters, slave lists and carriers cost nothing.
#
# Functions:
#   setup     mx_init [CLIENT...], mx_ns NAME..., mx_bridge BR,
#             mx_bond [opts] NAME MODE NSLAVES, mx_bonds_begin/mx_bonds_end,
#             mx_bond_del NAME..., mx_client NAME BR CIDR...,
#             mx_sysfs_mount NS, mx_sysfs_umount NS
#   reading   mx_sysfs NS, mx_cat FILE (no exec), mx_slaves [-n NS] BOND,
#             mx_mac [-n NS] IF, mx_rlb [-n NS] BOND FIELD, mx_rlb_text BOND,
#             mx_rx [-n NS] BOND, mx_table [-n NS] BOND, mx_netns_inode NS,
#             mx_proc BOND; _mx_get_rlb, _mx_get_rx, _mx_get_storm and
#             _mx_get_*_delta set MX_V instead of printing (no fork)
#   waiting   mx_bond_ready [-n NS] BOND (carrier and every slave's MII up),
#             mx_wait TIMEOUT CMD... and mx_sleep S (no forks)
#   storms    mx_storm TAG NS IFACE ARGS..., mx_storm_wait TAG...,
#             mx_storm_stop TAG..., mx_storm_sent TAG, mx_storm_field TAG KEY
#   sources   mx_sources IP0 MAC0 N  ("ip mac" of storm sources 0..N-1)
#   traffic   mx_ping NS DST COUNT [DEADLINE] (prints replies received),
#             mx_ping_bg TAG NS DST COUNT DEADLINE, mx_ping_result TAG
#   checks    mx_check_rlb_zero [-n NS] BOND, mx_check_table BOND SERVER FILE,
#             mx_check_seen_is_rx BOND, mx_snap BOND, mx_check_spread BOND,
#             mx_check_count GOT WANT LOST WHAT
#   drops     mx_drops (frames the kernel says it dropped on the way to the
#             slaves: backlogs, the switch's interfaces), _mx_get_lost and
#             _mx_get_lost_delta (backlog drops, into MX_V)
#   kernel    mx_mark, mx_check_clean WHAT (no splat, no new taint)
#   scaling   mx_scale N (N, or 10*N with BOND_SOAK=1), MX_SOAK

MX_SOAK=0
[[ ${BOND_SOAK:-0} == 1 ]] && MX_SOAK=1
MX_SCALE=$((MX_SOAK ? 10 : 1))

# mx_scale N: N in a normal run, 10*N in a soak run (BOND_SOAK=1).
mx_scale() { echo $(($1 * MX_SCALE)); }

# Under TCG every fork and exec costs a lot (0.1-0.5 s on a loaded host),
# so the hot paths here use builtins only: counters are returned in MX_V
# by the _mx_get_* functions, and mx_wait polls without forking.
MX_V=
_mx_sleep_fd=

# mx_sleep SECONDS: sleep without an exec (read with a timeout on a FIFO
# nobody writes to).
mx_sleep() {
	if [[ -n $_mx_sleep_fd ]]; then
		read -r -t "$1" -u "$_mx_sleep_fd" _ 2>/dev/null
	else
		sleep "$1"
	fi
	return 0
}

# mx_wait TIMEOUT CMD...: like wait_until (poll CMD every 0.1 s until it
# succeeds; 1 and a log line after TIMEOUT seconds), without forks when
# CMD is a builtin or function.
mx_wait() {
	local limit=$1 t0
	shift
	t0=${EPOCHREALTIME/./}
	until "$@" >/dev/null 2>&1; do
		if ((${EPOCHREALTIME/./} - t0 >= ${limit%%.*} * 1000000 * ${BOND_TIMEOUT_FACTOR:-1})); then
			log "timed out after ${limit}s waiting for: $*"
			return 1
		fi
		mx_sleep 0.1
	done
	return 0
}

declare -gA MX_SYSFS=()		# short ns name -> its sysfs mount
declare -gA MX_STORM_PID=()	# storm tag -> pid
declare -gA MX_PING_PID=() MX_PING_LIMIT=()
declare -gA _mx_ino=()		# short ns name -> netns inode (set by mx_init)
declare -gA MX_SNAP_SEEN=() MX_SNAP_BAD=() MX_SNAP_RX=() MX_SNAP_LOST=()
MX_TMP=
MX_HPID=
MX_DEBUGFS=/sys/kernel/debug

_mx_cleanup() {
	local t n
	for t in "${!MX_STORM_PID[@]}"; do
		kill "${MX_STORM_PID[$t]}" 2>/dev/null
	done
	for t in "${!MX_PING_PID[@]}"; do
		kill "${MX_PING_PID[$t]}" 2>/dev/null
	done
	[[ -n $MX_HPID ]] && kill "$MX_HPID" 2>/dev/null
	for n in "${!MX_SYSFS[@]}"; do
		umount "${MX_SYSFS[$n]}" 2>/dev/null
	done
	[[ -n $MX_TMP ]] && rm -rf "$MX_TMP"
}

# mx_ns NAME...: namespaces (one `ip -batch`), deleted at exit. Nothing
# else is set up in them; see mx_init and mx_client.
mx_ns() {
	local n b=
	for n; do
		b+="netns add $(ns "$n")"$'\n'
	done
	ip -batch - <<<"$b" || { _check_failed "mx_ns $*"; return 1; }
	for n; do
		defer ip netns del "$(ns "$n")"
	done
}

# mx_init [CLIENT...]: the namespaces h (bonds) and sw (switch: bridge br0
# and its uplink, whose storm end u-br0 also lives in sw), and the client
# namespaces CLIENT... (empty; see mx_client); a scratch directory; sysfs of
# h mounted; debugfs mounted.
mx_init() {
	MX_TMP=$(mktemp -d /tmp/mixed.XXXXXX) || { _check_failed "mktemp"; return 1; }
	defer _mx_cleanup
	mkfifo "$MX_TMP/sleep.fifo" && exec {_mx_sleep_fd}<>"$MX_TMP/sleep.fifo"
	mx_ns h sw "$@" || return 1
	# No IPv6 (its multicast would be non-ARP noise on the slaves);
	# arp_ignore=1: only the owner of an address answers for it.
	ns_exec h sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.default.arp_ignore=1 \
		net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.default.arp_announce=2 ||
		{ _check_failed "sysctl in h"; return 1; }
	ns_exec sw sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 ||
		{ _check_failed "sysctl in sw"; return 1; }
	mx_bridge br0 || return 1
	mx_sysfs_mount h || return 1
	_mx_ino[h]=$(mx_netns_inode h)
	# A process living in h: /proc/PID/net/ shows h without an exec.
	ip netns exec "$(ns h)" sleep 100000 &
	MX_HPID=$!
	# Thousands of clients get answered: keep the (global) neighbour table
	# from refusing entries, which would leave clients unanswered.
	_mx_gc3=$(sysctl -n net.ipv4.neigh.default.gc_thresh3)
	_mx_gc2=$(sysctl -n net.ipv4.neigh.default.gc_thresh2)
	defer sysctl -qw "net.ipv4.neigh.default.gc_thresh2=$_mx_gc2" "net.ipv4.neigh.default.gc_thresh3=$_mx_gc3"
	sysctl -qw net.ipv4.neigh.default.gc_thresh3=16384 net.ipv4.neigh.default.gc_thresh2=16384
	# A storm flooded to every port of a bridge is enqueued once per port
	# on one CPU: with the default backlog (1000) frames are dropped under
	# TCG and exact counts become guesses.
	_mx_backlog=$(sysctl -n net.core.netdev_max_backlog)
	defer sysctl -qw "net.core.netdev_max_backlog=$_mx_backlog"
	sysctl -qw net.core.netdev_max_backlog=200000
	if ! mountpoint -q "$MX_DEBUGFS"; then
		mount -t debugfs none "$MX_DEBUGFS" || { _check_failed "mount debugfs"; return 1; }
	fi
}

# mx_sysfs_mount NS: mount a sysfs that shows NS's devices (nsenter keeps
# our mount namespace, so the mount is visible here). Unmounted at exit;
# unmount it (mx_sysfs_umount) before deleting NS, the mount holds it.
mx_sysfs_mount() {
	local d=$MX_TMP/sys-$1
	mkdir -p "$d" &&
	nsenter --net="/run/netns/$(ns "$1")" mount -t sysfs sysfs "$d" ||
		{ _check_failed "mount sysfs of $1"; return 1; }
	MX_SYSFS[$1]=$d
}

mx_sysfs_umount() {
	[[ -n ${MX_SYSFS[$1]:-} ]] || return 0
	umount "${MX_SYSFS[$1]}"
	unset "MX_SYSFS[$1]"
}

# mx_release_h: let namespace h go once deleted: end the process living in
# it and unmount its sysfs (mx_proc and mx_sysfs then fall back to exec).
mx_release_h() {
	[[ -n $MX_HPID ]] && kill "$MX_HPID" 2>/dev/null
	wait "$MX_HPID" 2>/dev/null
	MX_HPID=
	mx_sysfs_umount h
}

# mx_sysfs NS: the sysfs root showing NS (mounted, or a fallback).
mx_sysfs() { echo "${MX_SYSFS[${1:-h}]:-/nonexistent}"; }

# mx_cat FILE: print FILE's content with builtins only (no fork); 1 if
# unreadable.
mx_cat() {
	local -a _l
	[[ -r $1 ]] || return 1
	mapfile -t _l <"$1" 2>/dev/null || return 1
	((${#_l[@]})) && printf '%s\n' "${_l[@]}"
	return 0
}

_mx_nsarg() {			# parse [-n NS]: sets _mns, _mshift
	_mns=h
	_mshift=0
	if [[ ${1:-} == -n ]]; then
		_mns=$2
		_mshift=2
	fi
}

# mx_bridge BR [BRIDGE OPTS...]: bridge BR in sw (no STP, forwards at
# once), up, with its uplink: port up-BR, whose peer u-BR (in sw too) is
# where storms "from the uplink" are sent.
mx_bridge() {
	local br=$1
	shift
	ns_ip sw -batch - <<-EOF ||
		link add $br type bridge stp_state 0 forward_delay 0 $*
		link set $br up
		link add up-$br type veth peer name u-$br
		link set up-$br master $br
		link set up-$br up
		link set u-$br up
	EOF
		{ _check_failed "bridge $br"; return 1; }
}

declare -gA MX_BOND_BR=()

# mx_bond [-n NS] [--br BR] [--ip CIDR] NAME MODE NSLAVES [BOND OPTS...]:
# bond NAME (mode MODE, miimon 100, OPTS) in NS (default h) with NSLAVES
# veth slaves NAMEs1.. whose peers NAMEp1.. are ports of bridge BR (default
# br0) in sw; bond and ports up, CIDR on the bond. Does not wait for link.
mx_bond() {
	local n=h br=br0 ip= name mode nsl k hb sb
	while [[ ${1:-} == -* ]]; do
		case $1 in
		-n) n=$2 ;;
		--br) br=$2 ;;
		--ip) ip=$2 ;;
		esac
		shift 2
	done
	name=$1 mode=$2 nsl=$3
	shift 3
	hb="link add $name type bond mode $mode miimon 100 $*"$'\n'
	for ((k = 1; k <= nsl; k++)); do
		hb+="link add ${name}s$k type veth peer name ${name}p$k netns $(ns sw)"$'\n'
		hb+="link set ${name}s$k master $name"$'\n'
		sb+="link set ${name}p$k master $br"$'\n'"link set ${name}p$k up"$'\n'
	done
	hb+="link set $name up"$'\n'
	[[ -n $ip ]] && hb+="addr add $ip dev $name"$'\n'
	MX_BOND_BR[$name]=$br
	if [[ -n $_mx_batching ]]; then
		_mx_hb+=$hb _mx_sb+=$sb
		return 0
	fi
	ns_ip "$n" -batch - <<<"$hb" || { _check_failed "mx_bond $name ($mode) in $n"; return 1; }
	ns_ip sw -batch - <<<"$sb" || { _check_failed "mx_bond $name: switch ports"; return 1; }
}

# mx_bonds_begin ... mx_bonds_end: the mx_bond calls in between (in h)
# are made by two `ip -batch` runs in all, at mx_bonds_end.
_mx_batching= _mx_hb= _mx_sb=
mx_bonds_begin() { _mx_batching=1 _mx_hb= _mx_sb=; }
mx_bonds_end() {
	_mx_batching=
	ns_ip h -batch - <<<"$_mx_hb" || { _check_failed "bonds in h"; return 1; }
	ns_ip sw -batch - <<<"$_mx_sb" || { _check_failed "switch ports of the bonds"; return 1; }
}

# mx_bond_del [-n NS] NAME...: delete bonds and their slave veths.
mx_bond_del() {
	local b s batch=
	_mx_nsarg "$@"; shift $_mshift
	for b; do
		for s in $(mx_slaves -n "$_mns" "$b"); do
			batch+="link del $s"$'\n'
		done
		batch+="link del $b"$'\n'
	done
	ns_ip "$_mns" -batch - <<<"$batch"
}

# mx_client [--mac MAC] NAME BR CIDR...: eth0 of namespace NAME (made by
# mx_init or mx_ns; MAC if given; no IPv6 address, so no IPv6 multicast) on
# bridge BR (switch port cNAME) with the addresses CIDR..., up.
mx_client() {
	local mac= name br a cb=
	if [[ ${1:-} == --mac ]]; then
		mac=$2
		shift 2
	fi
	name=$1 br=$2
	shift 2
	ns_ip sw -batch - <<-EOF ||
		link add c$name type veth peer name eth0 netns $(ns "$name")
		link set c$name master $br
		link set c$name up
	EOF
		{ _check_failed "client $name"; return 1; }
	cb="link set eth0 addrgenmode none"$'\n'
	[[ -n $mac ]] && cb+="link set eth0 address $mac"$'\n'
	for a; do
		cb+="addr add $a dev eth0"$'\n'
	done
	cb+="link set eth0 up"$'\n'
	ns_ip "$name" -batch - <<<"$cb" || { _check_failed "client $name addresses"; return 1; }
}

# mx_slaves [-n NS] BOND: the bond's slaves (from its sysfs, no exec if the
# namespace's sysfs is mounted).
mx_slaves() {
	local f
	_mx_nsarg "$@"; shift $_mshift
	f=$(mx_sysfs "$_mns")/class/net/$1/bonding/slaves
	if [[ -n ${MX_SYSFS[$_mns]:-} ]]; then
		mx_cat "$f"
	else
		ns_exec "$_mns" cat "/sys/class/net/$1/bonding/slaves" 2>/dev/null
	fi
}

# mx_mac [-n NS] IF: MAC address of IF.
mx_mac() {
	_mx_nsarg "$@"; shift $_mshift
	if [[ -n ${MX_SYSFS[$_mns]:-} ]]; then
		mx_cat "$(mx_sysfs "$_mns")/class/net/$1/address"
	else
		ns_exec "$_mns" cat "/sys/class/net/$1/address"
	fi
}

# mx_rlb_text [-n NS] BOND: the bond's rlb_stats file.
mx_rlb_text() {
	_mx_nsarg "$@"; shift $_mshift
	if [[ -n ${MX_SYSFS[$_mns]:-} ]]; then
		mx_cat "$(mx_sysfs "$_mns")/class/net/$1/bonding/rlb_stats"
	else
		ns_exec "$_mns" cat "/sys/class/net/$1/bonding/rlb_stats"
	fi
}

# mx_rlb [-n NS] BOND FIELD: one counter of rlb_stats ("ARP Seen",
# "Clients Added", ...; "Clients" is the line "RLB Clients: N"). Prints
# nothing if the line is missing.
mx_rlb() {
	_mx_get_rlb "$@" || return 1
	echo "$MX_V"
}

# _mx_get_rlb [-n NS] BOND FIELD: the same into MX_V (no fork for h).
_mx_get_rlb() {
	local -a _l
	local l
	MX_V=
	_mx_nsarg "$@"; shift $_mshift
	if [[ -n ${MX_SYSFS[$_mns]:-} ]]; then
		mapfile -t _l <"$(mx_sysfs "$_mns")/class/net/$1/bonding/rlb_stats" 2>/dev/null
	else
		mapfile -t _l < <(ns_exec "$_mns" cat "/sys/class/net/$1/bonding/rlb_stats" 2>/dev/null)
	fi
	for l in "${_l[@]}"; do
		if [[ $l == "RLB $2: "* ]]; then
			MX_V=${l#"RLB $2: "}
			return 0
		fi
	done
	return 1
}

# mx_rx [-n NS] BOND: sum of rx_packets over the bond's slaves.
mx_rx() {
	_mx_get_rx "$@" || return 1
	echo "$MX_V"
}

# _mx_get_rx [-n NS] BOND: the same into MX_V (builtins only; needs the
# namespace's sysfs mounted).
_mx_get_rx() {
	local s sum=0 v d l
	_mx_nsarg "$@"; shift $_mshift
	d=${MX_SYSFS[$_mns]:-/nonexistent}
	MX_V=
	read -r l <"$d/class/net/$1/bonding/slaves" || return 1
	for s in $l; do
		read -r v <"$d/class/net/$s/statistics/rx_packets" || return 1
		sum=$((sum + v))
	done
	MX_V=$sum
}

# mx_slave_rx [-n NS] SLAVE: rx_packets of one slave.
mx_slave_rx() {
	_mx_nsarg "$@"; shift $_mshift
	mx_cat "$(mx_sysfs "$_mns")/class/net/$1/statistics/rx_packets"
}

# mx_netns_inode NS: inode of NS's network namespace (debugfs names bonds
# outside the initial namespace BOND@INODE).
mx_netns_inode() { stat -L -c %i "/run/netns/$(ns "$1")"; }

# mx_table_file [-n NS] BOND: path of the bond's debugfs rlb_hash_table.
mx_table_file() {
	_mx_nsarg "$@"; shift $_mshift
	echo "$MX_DEBUGFS/bonding/$1@${_mx_ino[$_mns]:-$(mx_netns_inode "$_mns")}/rlb_hash_table"
}

# mx_table [-n NS] BOND: the rows of the bond's RLB table, header dropped:
# "SERVER_IP CLIENT_IP CLIENT_MAC SLAVE". Fails if the file is missing.
mx_table() {
	local f l
	_mx_nsarg "$@"; shift $_mshift
	local -a rows=()
	f=$(mx_table_file -n "$_mns" "$1")
	[[ -r $f ]] || { log "no debugfs table $f"; return 1; }
	# One pass of buffered reads: `read` seeks back after each line, and
	# every seek makes seq_file print the table anew; with clients being
	# added meanwhile, lines would be lost or repeated.
	mapfile -t rows <"$f"
	for l in "${rows[@]}"; do
		[[ $l == SourceIP* || -z $l ]] && continue
		echo "$l"
	done
}

# mx_bond_ready [-n NS] BOND: carrier on and every slave's MII status up.
mx_bond_ready() {
	local d s st
	_mx_nsarg "$@"; shift $_mshift
	d=$(mx_sysfs "$_mns")/class/net
	read -r st <"$d/$1/carrier" 2>/dev/null && [[ $st == 1 ]] || return 1
	for s in $(mx_slaves -n "$_mns" "$1"); do
		read -r st <"$d/$s/bonding_slave/mii_status" 2>/dev/null && [[ $st == up ]] || return 1
	done
}

# ---------------------------------------------------------------- storms

# mx_storm TAG NS IFACE ARGS...: start ./arp_storm -i IFACE ARGS in NS in
# the background (killed at exit if still running); its JSON summary goes
# to $MX_TMP/storm-TAG.json. ARGS must bound it (--count/--duration).
mx_storm() {
	local tag=$1 n=$2 ifc=$3
	shift 3
	ip netns exec "$(ns "$n")" "$LIB_DIR/arp_storm" -i "$ifc" --json "$@" \
		>"$MX_TMP/storm-$tag.json" 2>"$MX_TMP/storm-$tag.err" &
	MX_STORM_PID[$tag]=$!
}

# mx_storm_wait TAG...: wait for storms; a check that each sent all its
# frames without error (exit 0, "complete": true).
mx_storm_wait() {
	local t rc
	for t; do
		wait "${MX_STORM_PID[$t]}"
		rc=$?
		unset "MX_STORM_PID[$t]"
		if ((rc != 0)) || ! grep -q '"complete":true' "$MX_TMP/storm-$t.json"; then
			_check_failed "storm $t exited $rc: $(cat "$MX_TMP/storm-$t.json" "$MX_TMP/storm-$t.err" 2>/dev/null)"
		else
			log "storm $t: $(mx_storm_field "$t" sent) frames in $(mx_storm_field "$t" seconds) s"
		fi
	done
}

# mx_storm_stop TAG...: end storms early (SIGINT, then wait).
mx_storm_stop() {
	local t
	for t; do
		[[ -n ${MX_STORM_PID[$t]:-} ]] || continue
		kill -INT "${MX_STORM_PID[$t]}" 2>/dev/null
		wait "${MX_STORM_PID[$t]}" 2>/dev/null
		unset "MX_STORM_PID[$t]"
	done
}

# mx_storm_field TAG KEY: a number from the storm's JSON summary.
mx_storm_field() {
	_mx_get_storm "$@" || return 1
	echo "$MX_V"
}

# _mx_get_storm TAG KEY: the same into MX_V.
_mx_get_storm() {
	local -a j=()
	MX_V=
	mapfile -t j <"$MX_TMP/storm-$1.json" 2>/dev/null
	[[ ${j[*]} =~ \"$2\":([0-9.]+) ]] && MX_V=${BASH_REMATCH[1]}
}

mx_storm_sent() { mx_storm_field "$1" sent; }

# ---------------------------------------------------------------- sources

# mx_sources IP0 MAC0 N: "ip mac" of arp_storm's sources 0..N-1 (source k
# has IP0+k and MAC0+k). Builtins only.
mx_sources() {
	local a b c d ip mac h k i m
	IFS=. read -r a b c d <<<"$1"
	ip=$(((a << 24) | (b << 16) | (c << 8) | d))
	h=${2//:/}
	mac=$((16#$h))
	for ((k = 0; k < $3; k++)); do
		i=$((ip + k)) m=$((mac + k))
		printf '%d.%d.%d.%d %02x:%02x:%02x:%02x:%02x:%02x\n' \
			$(((i >> 24) & 255)) $(((i >> 16) & 255)) $(((i >> 8) & 255)) $((i & 255)) \
			$(((m >> 40) & 255)) $(((m >> 32) & 255)) $(((m >> 24) & 255)) \
			$(((m >> 16) & 255)) $(((m >> 8) & 255)) $((m & 255))
	done
}

# ---------------------------------------------------------------- traffic

# mx_ping NS DST COUNT [DEADLINE]: ping DST from NS; prints how many
# replies came back (0 if none or ping failed).
mx_ping() {
	local out
	out=$(ns_exec "$1" ping -n -q -c "$3" -i 0.2 -W 1 -w "${4:-$(($3 + 3))}" "$2" 2>&1)
	[[ $out =~ ([0-9]+)\ (packets\ )?received ]] && echo "${BASH_REMATCH[1]}" || echo 0
}

# mx_ping_bg TAG NS DST COUNT DEADLINE: the same in the background;
# mx_ping_result TAG waits for it (also from a $(...) subshell) and
# prints the replies.
mx_ping_bg() {
	rm -f "$MX_TMP/ping-$1.done"
	{
		ns_exec "$2" ping -n -q -c "$4" -i 0.2 -W 1 -w "$5" "$3" >"$MX_TMP/ping-$1.out" 2>&1
		: >"$MX_TMP/ping-$1.done"
	} &
	MX_PING_PID[$1]=$!
	MX_PING_LIMIT[$1]=$(($5 + 15))
}

mx_ping_result() {
	local out
	# Not `wait` or `kill -0`: this may run in a $(...) subshell, where
	# the pinger is no child and, unreaped, looks alive.
	mx_wait "${MX_PING_LIMIT[$1]:-20}" test -e "$MX_TMP/ping-$1.done" >&2
	out=$(mx_cat "$MX_TMP/ping-$1.out")
	[[ $out =~ ([0-9]+)\ (packets\ )?received ]] && echo "${BASH_REMATCH[1]}" || echo 0
}

# ---------------------------------------------------------------- checks

MX_RLB_ZERO="RLB Clients: 0
RLB ARP Seen: 0
RLB ARP Malformed: 0
RLB Clients Added: 0
RLB Clients Reassigned: 0
RLB Clients Refused: 0
RLB Clients Purged: 0
RLB Updates Sent: 0
RLB Clients Aged: 0
RLB Clients Evicted: 0"

# mx_check_rlb_zero [-n NS] BOND: every rlb_stats counter of BOND is 0 (a
# bond that is not balance-alb: its slaves' frames never reach RLB code)
# and its debugfs table is empty.
mx_check_rlb_zero() {
	local t
	_mx_nsarg "$@"; shift $_mshift
	check_eq "$(mx_rlb_text -n "$_mns" "$1")" "$MX_RLB_ZERO" "$1 rlb_stats"
	t=$(mx_cat "$(mx_table_file -n "$_mns" "$1")") || { _check_failed "$1: no debugfs rlb_hash_table"; return; }
	check_eq "$t" "" "$1 debugfs rlb_hash_table"
}

# ---------------------------------------------------------------- drops
# Exact counts hold on a quiet path; on a loaded host the kernel may drop
# a frame on its way (a full backlog, a failed clone). A count may fall
# short only by what the kernel's own drop counters say it dropped.

# _mx_get_backlog_drops: MX_V := backlog drops of all CPUs
# (/proc/net/softnet_stat, second column; builtins).
_mx_get_backlog_drops() {
	local l sum=0
	local -a f
	while read -r l; do
		read -r -a f <<<"$l"
		sum=$((sum + 16#${f[1]}))
	done </proc/net/softnet_stat
	MX_V=$sum
}

# _mx_get_lost [-n NS] BOND: MX_V := backlog drops (the frames a slave
# counted as received and the kernel dropped before BOND's hook could see
# them would be there). BOND's slaves' own rx_dropped do not count: the
# bond drops frames only after its hook saw them, and a frame it missed is
# what the check is for.
_mx_get_lost() {
	_mx_nsarg "$@"; shift $_mshift
	_mx_get_backlog_drops
}

# _mx_get_lost_delta [-n NS] BOND: their growth since mx_snap, into MX_V.
_mx_get_lost_delta() {
	_mx_get_lost "$@"
	MX_V=$((MX_V - MX_SNAP_LOST[${!#}]))
}

# mx_drops: frames the kernel dropped on the storms' way to the slaves:
# backlog drops, and rx_dropped plus tx_dropped of every interface of the
# switch sw (a veth counts a frame its peer could not take as its own tx
# drop; a bridge counts a copy it could not make). What the bonds drop
# after their slaves received a frame is not on that way.
mx_drops() {
	local sum l
	_mx_get_backlog_drops
	sum=$MX_V
	while read -r l; do
		sum=$((sum + l))
	done < <(ns_ip sw -s -j link show 2>/dev/null |
		jq '.[] | (.stats64.rx.dropped // 0) + (.stats64.tx.dropped // 0)')
	echo "$sum"
}

# mx_check_count GOT WANT LOST WHAT: a check that GOT is WANT, or, when the
# kernel dropped LOST frames meanwhile (LOST > 0), between WANT - LOST and
# WANT (logged).
mx_check_count() {
	if (($3 > 0)) && (($1 != $2)); then
		log "the kernel dropped $3 frames meanwhile"
		if (($1 <= $2 && $1 >= $2 - $3)); then
			log "ok: $4: $1, $2 less at most $3 dropped"
		else
			_check_failed "$4: got $1, want $2 (less at most $3 dropped)"
		fi
	else
		check_eq "$1" "$2" "$4"
	fi
}

# mx_snap [-n NS] BOND: remember ARP Seen, ARP Malformed, the slaves'
# rx_packets and the drop counters, for mx_check_seen_is_rx and
# mx_seen_delta.
mx_snap() {
	_mx_nsarg "$@"; shift $_mshift
	_mx_get_rlb -n "$_mns" "$1" "ARP Seen"; MX_SNAP_SEEN[$1]=$MX_V
	_mx_get_rlb -n "$_mns" "$1" "ARP Malformed"; MX_SNAP_BAD[$1]=$MX_V
	_mx_get_rx -n "$_mns" "$1"; MX_SNAP_RX[$1]=$MX_V
	_mx_get_lost -n "$_mns" "$1"; MX_SNAP_LOST[$1]=$MX_V
}

# _mx_get_seen_delta / _mx_get_bad_delta / _mx_get_rx_delta [-n NS] BOND:
# growth since mx_snap, into MX_V; mx_seen_delta etc. print it.
_mx_get_seen_delta() {
	_mx_get_rlb "$@" "ARP Seen" || return 1
	MX_V=$((MX_V - MX_SNAP_SEEN[${!#}]))
}
_mx_get_bad_delta() {
	_mx_get_rlb "$@" "ARP Malformed" || return 1
	MX_V=$((MX_V - MX_SNAP_BAD[${!#}]))
}
_mx_get_rx_delta() {
	_mx_get_rx "$@" || return 1
	MX_V=$((MX_V - MX_SNAP_RX[${!#}]))
}
mx_seen_delta() { _mx_get_seen_delta "$@" && echo "$MX_V"; }
mx_bad_delta() { _mx_get_bad_delta "$@" && echo "$MX_V"; }
mx_rx_delta() { _mx_get_rx_delta "$@" && echo "$MX_V"; }

# _mx_seen_is_rx NS BOND: ARP Seen grew by what the slaves received, or
# by less only as far as the kernel says it dropped frames meanwhile.
_mx_seen_is_rx() {
	local seen rx
	_mx_get_seen_delta -n "$1" "$2" || return 1
	seen=$MX_V
	_mx_get_rx_delta -n "$1" "$2" || return 1
	rx=$MX_V
	((seen == rx)) && return 0
	_mx_get_lost_delta -n "$1" "$2"
	((seen < rx && rx - seen <= MX_V))
}

# mx_check_seen_is_rx [-n NS] BOND: since mx_snap, the ARP frames BOND's
# receive hook counted equal the frames its slaves received (the window
# must carry only ARP on those slaves), less at most what the kernel
# dropped meanwhile. More means the hook ran for frames of other ports;
# fewer, that frames on its own slaves bypassed it. Waits up to 10 s for
# backlogs to drain.
mx_check_seen_is_rx() {
	local seen rx
	_mx_nsarg "$@"; shift $_mshift
	mx_wait 10 _mx_seen_is_rx "$_mns" "$1"
	_mx_get_seen_delta -n "$_mns" "$1"; seen=$MX_V
	_mx_get_rx_delta -n "$_mns" "$1"; rx=$MX_V
	_mx_get_lost_delta -n "$_mns" "$1"
	mx_check_count "$seen" "$rx" "$MX_V" "$1: ARP Seen growth vs. frames received on its slaves"
}

# _mx_table_diff ROWS FILE SERVER SLAVES: compare table rows (debugfs
# format, header allowed) with FILE ("ip mac" lines), with builtins only.
# Sets _mx_rows, _mx_extra (clients not in FILE), _mx_missing (clients of
# FILE not in ROWS), _mx_foreign (rows whose server is not SERVER or whose
# device is not in the space-separated SLAVES); logs up to 5 of each.
_mx_table_diff() {
	local rows=$1 file=$2 server=$3 slaves=" $4 " srv cip mac dev k
	local -A want=() got=()
	local -a lines=()
	_mx_rows=0 _mx_extra=0 _mx_missing=0 _mx_foreign=0
	[[ -r $file ]] && mapfile -t lines <"$file"
	for k in "${lines[@]}"; do
		[[ -n $k ]] && want[$k]=1
	done
	while read -r srv cip mac dev; do
		[[ -z $srv || $srv == SourceIP ]] && continue
		_mx_rows=$((_mx_rows + 1))
		got["$cip $mac"]=1
		if [[ $srv != "$server" || $slaves != *" $dev "* ]]; then
			((_mx_foreign++ < 5)) && log "row of another server or device: $srv $cip $mac $dev"
		fi
		if [[ -z ${want["$cip $mac"]:-} ]]; then
			((_mx_extra++ < 5)) && log "client it never heard from: $srv $cip $mac $dev"
		fi
	done <<<"$rows"
	for k in "${!want[@]}"; do
		if [[ -z ${got[$k]:-} ]]; then
			((_mx_missing++ < 5)) && log "client missing: $k"
		fi
	done
	return 0
}

# mx_count_in ROWS FILE: how many table rows name a client ("ip mac") of FILE.
mx_count_in() {
	local -A in=()
	local -a lines=()
	local k n=0 srv cip mac dev
	mapfile -t lines <"$2"
	for k in "${lines[@]}"; do
		[[ -n $k ]] && in[$k]=1
	done
	while read -r srv cip mac dev; do
		[[ -z $srv || $srv == SourceIP ]] && continue
		[[ -n ${in["$cip $mac"]:-} ]] && n=$((n + 1))
	done <<<"$1"
	echo "$n"
}

# mx_join LINES: the lines joined by single spaces (builtins only).
mx_join() {
	local -a a=()
	mapfile -t a <<<"$1"
	echo "${a[*]}"
}

# mx_check_table [-n NS] BOND SERVER_IP FILE: BOND's RLB table holds exactly
# the clients of FILE ("ip mac" lines), all for SERVER_IP, each on one of
# BOND's slaves; RLB Clients counts them.
mx_check_table() {
	local bond server file rows n
	_mx_nsarg "$@"; shift $_mshift
	bond=$1 server=$2 file=$3
	rows=$(mx_table -n "$_mns" "$bond") || { _check_failed "$bond: table unreadable"; return; }
	_mx_table_diff "$rows" "$file" "$server" "$(mx_join "$(mx_slaves -n "$_mns" "$bond")")"
	mapfile -t n <"$file"
	check_eq "$_mx_foreign" 0 "$bond: rows for another server address or on a device not its slave"
	check_eq "$_mx_extra" 0 "$bond: clients in its table it never heard from"
	check_eq "$_mx_missing" 0 "$bond: clients that asked on its slaves but are not in its table"
	check_eq "$(mx_rlb -n "$_mns" "$bond" Clients)" "${#n[@]}" "$bond: RLB Clients"
}

# mx_proc [-n NS] BOND: /proc/net/bonding/BOND (no exec for h: read through
# a process that lives in h).
mx_proc() {
	_mx_nsarg "$@"; shift $_mshift
	if [[ $_mns == h && -n $MX_HPID ]]; then
		mx_cat "/proc/$MX_HPID/net/bonding/$1"
	else
		ns_exec "$_mns" cat "/proc/net/bonding/$1"
	fi
}

# mx_check_spread [-n NS] BOND: the bond's clients are spread over its
# slaves: each slave holds floor or ceil of clients/slaves (the table's DEV
# column), and /proc's per-slave "RLB Clients" agrees with the table.
mx_check_spread() {
	local rows s n=0 min=999999999 max=0 total=0 srv cip mac dev l cur
	local -A cnt=() procn=()
	_mx_nsarg "$@"; shift $_mshift
	rows=$(mx_table -n "$_mns" "$1")
	while read -r srv cip mac dev; do
		[[ -n $dev ]] && cnt[$dev]=$((${cnt[$dev]:-0} + 1))
	done <<<"$rows"
	while IFS= read -r l; do
		[[ $l == "Slave Interface: "* ]] && cur=${l#Slave Interface: }
		[[ -n $cur && $l == "RLB Clients: "* ]] && procn[$cur]=${l#RLB Clients: }
	done < <(mx_proc -n "$_mns" "$1")
	for s in $(mx_slaves -n "$_mns" "$1"); do
		n=$((n + 1))
		log "$1: $s holds ${cnt[$s]:-0} clients"
		check_eq "${procn[$s]:-}" "${cnt[$s]:-0}" "$s: RLB Clients in /proc/net/bonding/$1 vs. its table rows"
		((${cnt[$s]:-0} < min)) && min=${cnt[$s]:-0}
		((${cnt[$s]:-0} > max)) && max=${cnt[$s]:-0}
		total=$((total + ${cnt[$s]:-0}))
	done
	check_eq "$((n >= 2))" 1 "$1 has at least two slaves ($n)"
	check_eq "$((max - min <= 1))" 1 "$1: clients per slave differ by at most 1 (min $min, max $max, total $total)"
}

# mx_run NAME FUNC [ARGS]: run_test, and log how long it took.
mx_run() {
	local t0=$SECONDS
	run_test "$@"
	log "($1 took $((SECONDS - t0)) s)"
}

# ---------------------------------------------------------------- kernel

_mx_taint0=0

# mx_mark: dmesg_mark, and remember the kernel taint flags.
mx_mark() {
	dmesg_mark
	read -r _mx_taint0 </proc/sys/kernel/tainted
}

# mx_check_clean WHAT: no splat in the kernel log since mx_mark, and no new
# taint of kind D (died), W (warning), L (soft lockup) or B (bad page).
mx_check_clean() {
	local t bad=$((128 | 512 | 16384 | 32))
	dmesg_check_clean "$1"
	read -r t </proc/sys/kernel/tainted
	check_eq "$(((t & bad) & ~(_mx_taint0 & bad)))" 0 "new D/W/L/B taint bits during $1 (tainted $_mx_taint0 -> $t)"
}
