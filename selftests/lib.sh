# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared bash library for bonding-ko selftests. Source it from a test:
#
#	. "$(dirname "$(readlink -f "$0")")/lib.sh"
#
# Tests run as root inside the test VM (tools/vm/guest-tests.sh), under
# /usr/bin/bash, with cwd selftests/, our bonding module loaded with
# max_bonds=0, and in the environment:
#   KVER               kernel release of the guest
#   BOND_KO_VERSION    version our module must report (version.h)
#   BOND_SRCVERSION    srcversion of the module `make` built for KVER
#   BOND_TEST_MODULES  directory with the .ko files built from selftests/modules/*/
#   BOND_REPO          the repository root
#
# Exit status (kselftest): 0 pass, 4 skip, anything else fail; ktap_finish
# turns the subtest results into it. Output is KTAP-like: diagnostics start
# with "# ", subtest results are "ok N name" / "not ok N name" lines.
#
# Functions, by group:
#   KTAP       ktap_plan N, test_begin NAME, test_end, run_test NAME FUNC [ARGS],
#              test_pass NAME, test_fail NAME [WHY], test_skip NAME WHY,
#              skip_all WHY, ktap_finish, log MSG...
#   checks     check_eq GOT WANT [WHAT], check_ne GOT UNWANTED [WHAT],
#              check_match STRING ERE [WHAT], check_ok CMD..., check_fail CMD...
#   needs      require_cmd CMD..., require_module MOD..., bonding_is_ours
#   cleanup    defer CMD..., run_deferred
#   netns      ns NAME, ns_create [--ipv6] NAME..., ns_exec NAME CMD..., ns_ip NAME ARGS...,
#              veth_create NS1 IF1 NS2 IF2, switch_create NAME,
#              switch_connect SWITCH NS IF [PORT], link_is_up NS IF
#   waiting    wait_until TIMEOUT CMD..., wait_while TIMEOUT CMD...
#   kernel log dmesg_mark, dmesg_since_mark, dmesg_check_clean [WHAT]
#   slab       slab_active CACHE, slab_snapshot TAG CACHE..., slab_check TAG TOLERANCE [TIMEOUT]

# shellcheck disable=SC2034	# constants and state are for the tests
ksft_pass=0
ksft_fail=1
ksft_xfail=2
ksft_xpass=3
ksft_skip=4

LIB_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
TEST_NAME=$(basename "$0" .sh)
: "${KVER:=$(uname -r)}"

# ---------------------------------------------------------------- KTAP

_ktap_n=0		# subtests reported so far
_ktap_pass=0
_ktap_fail=0
_ktap_skip=0
_checks_failed=0	# failed checks, ever
_sub_name=		# current subtest (test_begin)
_sub_mark=0		# _checks_failed at test_begin
_ktap_planned=		# N of ktap_plan
_ktap_outside=0		# result lines for checks failed outside any subtest
_out_mark=0		# _checks_failed when the last subtest ended

# log MSG...: a diagnostic line.
log() { echo "# $*"; }

# ktap_plan N: announce N subtests; ktap_finish fails if not N were reported.
ktap_plan() {
	_ktap_planned=$1
	echo "TAP version 13"
	echo "1..$1"
}

_ktap_line() {		# STATUS NAME [DIRECTIVE]
	_ktap_n=$((_ktap_n + 1))
	echo "$1 $_ktap_n $2${3:+ # $3}"
}

# Checks that failed outside any subtest (before the first, between two,
# after the last) get a failed result line of their own, "checks_outside_subtests",
# so they show where subtests are listed, not only in the totals. It does
# not count against the plan.
_ktap_flush_outside() {	# WHERE
	local k=$((_checks_failed - _out_mark))
	((k > 0)) || return 0
	_out_mark=$_checks_failed
	_ktap_outside=$((_ktap_outside + 1))
	_ktap_fail=$((_ktap_fail + 1))
	_ktap_line "not ok" checks_outside_subtests "$k check(s) failed $1"
}

_ktap_pass_() { _ktap_pass=$((_ktap_pass + 1)); _ktap_line ok "$1"; _out_mark=$_checks_failed; }
_ktap_fail_() { _ktap_fail=$((_ktap_fail + 1)); _ktap_line "not ok" "$1" "${2:-}"; _out_mark=$_checks_failed; }
_ktap_skip_() { _ktap_skip=$((_ktap_skip + 1)); _ktap_line ok "$1" "SKIP ${2:-}"; _out_mark=$_checks_failed; }

# test_pass NAME / test_fail NAME [WHY] / test_skip NAME WHY: report a subtest.
test_pass() { _ktap_flush_outside "before $1"; _ktap_pass_ "$@"; }
test_fail() { _ktap_flush_outside "before $1"; _ktap_fail_ "$@"; }
test_skip() { _ktap_flush_outside "before $1"; _ktap_skip_ "$@"; }

# test_begin NAME ... test_end: a subtest that passes if no check failed in between.
test_begin() {
	[[ -n $_sub_name ]] && test_end
	_ktap_flush_outside "before $1"
	_sub_name=$1
	_sub_mark=$_checks_failed
	log "---- $1"
}
test_end() {
	local name=${_sub_name:-unnamed}
	_sub_name=
	if ((_checks_failed > _sub_mark)); then
		_ktap_fail_ "$name" "$((_checks_failed - _sub_mark)) check(s) failed"
	else
		_ktap_pass_ "$name"
	fi
}

# run_test NAME FUNC [ARGS...]: test_begin, FUNC ARGS, test_end. FUNC may
# also return 4 ($ksft_skip) to skip (a fail if a check failed first), or
# non-zero to fail.
run_test() {
	local name=$1 rc
	shift
	test_begin "$name"
	"$@"
	rc=$?
	if ((rc == ksft_skip && _checks_failed == _sub_mark)); then
		_sub_name=
		_ktap_skip_ "$name"
	elif ((rc == ksft_skip)); then
		log "FAIL: $1 skipped after $((_checks_failed - _sub_mark)) failed check(s)"
		test_end
	elif ((rc != 0)) && ((_checks_failed == _sub_mark)); then
		_checks_failed=$((_checks_failed + 1))
		log "FAIL: $1 returned $rc"
		test_end
	else
		test_end
	fi
}

# timed FUNC [ARGS]: run FUNC and log how long it took (guest time matters
# under TCG); its status is FUNC's. Use as `run_test NAME timed FUNC`.
timed() {
	local t0=${EPOCHREALTIME/./} rc ms
	"$@"
	rc=$?
	ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
	log "$1 took $((ms / 1000)).$((ms % 1000 / 100)) s"
	return $rc
}

# run_setup NAME FUNC [ARGS]: run_test; if a check in it failed, every later
# `run_test NAME after_setup FUNC` skips, as what it needs is not there.
_setup_failed=
run_setup() {
	local c=$_checks_failed
	run_test "$@"
	((_checks_failed == c)) || _setup_failed="$1 failed"
}

# after_setup FUNC [ARGS]: FUNC, timed, or a skip after a failed run_setup.
after_setup() {
	[[ -z $_setup_failed ]] || { log "skipped: $_setup_failed"; return "$ksft_skip"; }
	timed "$@"
}

# skip_all WHY: the whole test cannot run here; exit 4.
skip_all() {
	echo "1..0 # SKIP $*"
	exit "$ksft_skip"
}

# ktap_finish: print totals and exit 1 if anything failed (a check, a
# subtest, or the plan: ktap_plan N but not N subtests reported), 4 if
# everything was skipped, else 0. Runs deferred cleanups (via the EXIT trap).
ktap_finish() {
	local bad_plan=
	[[ -n $_sub_name ]] && test_end
	_ktap_flush_outside "after the last subtest"
	if [[ -n $_ktap_planned ]] && ((_ktap_n - _ktap_outside != _ktap_planned)); then
		bad_plan=1
		log "FAIL: the plan is $_ktap_planned subtests, $((_ktap_n - _ktap_outside)) reported"
	fi
	log "totals: pass:$_ktap_pass fail:$_ktap_fail skip:$_ktap_skip checks-failed:$_checks_failed"
	if ((_ktap_fail > 0 || _checks_failed > 0)) || [[ -n $bad_plan ]]; then
		exit "$ksft_fail"
	elif ((_ktap_pass == 0 && _ktap_skip > 0)); then
		exit "$ksft_skip"
	fi
	exit "$ksft_pass"
}

# ---------------------------------------------------------------- checks

_check_failed() {
	_checks_failed=$((_checks_failed + 1))
	log "FAIL: $*"
	return 1
}

# check_eq GOT WANT [WHAT]
check_eq() {
	if [[ $1 == "$2" ]]; then
		log "ok: ${3:-value} is '$2'"
	else
		_check_failed "${3:-value}: got '$1', want '$2'"
	fi
}

# check_ne GOT UNWANTED [WHAT]
check_ne() {
	if [[ $1 != "$2" ]]; then
		log "ok: ${3:-value} is '$1', not '$2'"
	else
		_check_failed "${3:-value}: got '$1', which it must not be"
	fi
}

# check_match STRING ERE [WHAT]: STRING matches the extended regex ERE.
check_match() {
	if [[ $1 =~ $2 ]]; then
		log "ok: ${3:-value} matches /$2/"
	else
		_check_failed "${3:-value}: '$1' does not match /$2/"
	fi
}

_run_logged() {		# sets _out and _rc
	_out=$("$@" 2>&1)
	_rc=$?
}

_fmt_out() {		# the captured output, indented, or "(no output)"
	if [[ -z $_out ]]; then
		echo " (no output)"
	else
		echo
		sed 's/^/#   /' <<<"$_out"
	fi
}

# check_ok CMD...: CMD must exit 0. Logs the command; on failure also its
# exit status and output.
check_ok() {
	_run_logged "$@"
	if ((_rc == 0)); then
		log "ok: \`$*\`"
	else
		_check_failed "\`$*\` exited $_rc, want 0; output:$(_fmt_out)"
	fi
}

# check_fail CMD...: CMD must exit non-zero.
check_fail() {
	_run_logged "$@"
	if ((_rc != 0)); then
		log "ok: \`$*\` failed as expected (exit $_rc)"
	else
		_check_failed "\`$*\` exited 0, want failure; output:$(_fmt_out)"
	fi
}

# ---------------------------------------------------------------- needs

# require_cmd CMD...: skip the whole test if a command is missing. (Under
# make check an undeclared skip fails the test: make deps installs them.)
require_cmd() {
	local c
	for c; do
		command -v "$c" >/dev/null || skip_all "$c is not installed"
	done
}

# require_module MOD...: skip the whole test if a kernel module cannot be loaded.
require_module() {
	local m
	for m; do
		modprobe -q "$m" || skip_all "kernel module $m is not available"
	done
}

# bonding_is_ours: the loaded bonding module has our version and the
# srcversion of the module built by make. Logs what it found.
bonding_is_ours() {
	local v s
	v=$(cat /sys/module/bonding/version 2>/dev/null)
	s=$(cat /sys/module/bonding/srcversion 2>/dev/null)
	log "loaded bonding: version '$v' srcversion '$s'"
	[[ -n $v && $v == "${BOND_KO_VERSION:-}" && -n $s && $s == "${BOND_SRCVERSION:-}" ]]
}

# ---------------------------------------------------------------- cleanup

_deferred=()

# defer CMD...: run CMD at exit (last deferred runs first). Call it directly,
# not from a $(...) subshell, or it is lost.
defer() {
	local q
	printf -v q '%q ' "$@"
	_deferred+=("$q")
}

# run_deferred: run and forget all deferred commands now.
run_deferred() {
	local i
	for ((i = ${#_deferred[@]} - 1; i >= 0; i--)); do
		eval "${_deferred[i]}" >/dev/null 2>&1
	done
	_deferred=()
}
trap run_deferred EXIT

# ---------------------------------------------------------------- netns

# Namespaces get a per-test unique prefix, so leftovers are easy to attribute
# and two tests never collide. Interface names are per namespace and must fit
# IFNAMSIZ (15 characters).
NS_PREFIX="bt-${TEST_NAME:0:12}-$$-"
_ipv6_default=0
_switch_ports=0

# ns NAME: full name of the namespace NAME (pure: fine inside $(...)).
ns() { echo "$NS_PREFIX$1"; }

# ns_create [--ipv6] NAME...: create namespaces with lo up and, unless
# --ipv6, IPv6 disabled (no DAD/RS/MLD noise); deleted at exit.
ns_create() {
	local v6=$_ipv6_default n
	if [[ ${1:-} == --ipv6 ]]; then
		v6=1
		shift
	fi
	for n; do
		ip netns add "$(ns "$n")" || { _check_failed "ip netns add $(ns "$n")"; return 1; }
		defer ip netns del "$(ns "$n")"
		ip -n "$(ns "$n")" link set lo up
		if ((!v6)); then
			ip netns exec "$(ns "$n")" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
				net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
		fi
	done
}

# ns_exec NAME CMD...: run CMD in namespace NAME.
ns_exec() {
	local n=$1
	shift
	ip netns exec "$(ns "$n")" "$@"
}

# ns_ip NAME ARGS...: `ip ARGS` in namespace NAME.
ns_ip() {
	local n=$1
	shift
	ip -n "$(ns "$n")" "$@"
}

# veth_create NS1 IF1 NS2 IF2: a veth pair, IF1 in NS1 and IF2 in NS2, both down.
veth_create() {
	ip link add "$2" netns "$(ns "$1")" type veth peer name "$4" netns "$(ns "$3")" ||
		{ _check_failed "veth_create $*"; return 1; }
}

# switch_create NAME: namespace NAME with bridge br0 (no STP, forwards at once), up.
switch_create() {
	ns_create "$1" || return 1
	ns_ip "$1" link add br0 type bridge stp_state 0 forward_delay 0 &&
	ns_ip "$1" link set br0 up ||
		{ _check_failed "switch_create $1"; return 1; }
}

# switch_connect SWITCH NS IF [PORT]: connect interface IF of namespace NS
# to SWITCH's bridge through a veth whose switch end is PORT (default
# swpN, numbered per test); both ends up. Sets SWITCH_PORT to the port name.
switch_connect() {
	local sw=$1 n=$2 ifc=$3 port=${4:-}
	if [[ -z $port ]]; then
		_switch_ports=$((_switch_ports + 1))
		port=swp$_switch_ports
	fi
	SWITCH_PORT=$port
	veth_create "$sw" "$port" "$n" "$ifc" &&
	ns_ip "$sw" link set "$port" master br0 &&
	ns_ip "$sw" link set "$port" up &&
	ns_ip "$n" link set "$ifc" up ||
		{ _check_failed "switch_connect $*"; return 1; }
}

# link_is_up NS IF: IF in NS is administratively up with carrier.
link_is_up() {
	ip -n "$(ns "$1")" -o link show dev "$2" 2>/dev/null | grep -q 'LOWER_UP'
}

# ---------------------------------------------------------------- waiting

# wait_until TIMEOUT CMD...: poll CMD every 0.1 s until it succeeds (0) or
# TIMEOUT seconds (may be fractional) pass (1, logged). Use this, never a
# fixed sleep, wherever a condition can be polled. TIMEOUT is multiplied by
# BOND_TIMEOUT_FACTOR (default 1; make check-debug: its debug kernel runs
# everything several times slower).
BOND_TIMEOUT_FACTOR=${BOND_TIMEOUT_FACTOR:-1}
wait_until() {
	local limit_ms deadline
	limit_ms=$(($(_lib_ms "$1") * BOND_TIMEOUT_FACTOR))
	shift
	deadline=$(($(date +%s%N) / 1000000 + limit_ms))
	until "$@" >/dev/null 2>&1; do
		if (($(date +%s%N) / 1000000 >= deadline)); then
			log "timed out after $((limit_ms / 1000)).$((limit_ms % 1000 / 100))s waiting for: $*"
			return 1
		fi
		sleep 0.1
	done
	return 0
}

_lib_ms() {		# SECONDS (may be fractional) -> milliseconds
	local i=${1%%.*} f=0
	[[ $1 == *.* ]] && { f=${1#*.}000; f=$((10#${f:0:3})); }
	echo $((10#${i:-0} * 1000 + f))
}

# wait_while TIMEOUT CMD...: poll until CMD fails; 1 if it still succeeds after TIMEOUT.
wait_while() {
	local limit=$1
	shift
	wait_until "$limit" _lib_not "$@"
}
_lib_not() { ! "$@"; }

# ---------------------------------------------------------------- kernel log

_dmesg_mark=

# dmesg_mark: put a unique marker into the kernel log; dmesg_since_mark and
# dmesg_check_clean look only at what follows the last marker.
dmesg_mark() {
	_dmesg_mark="bond-selftest: $TEST_NAME mark $$-$RANDOM-$(date +%s%N)"
	echo "$_dmesg_mark" >/dev/kmsg
}

# dmesg_since_mark: kernel log lines after the last dmesg_mark (all without one).
dmesg_since_mark() {
	if [[ -z $_dmesg_mark ]]; then
		dmesg
	else
		dmesg | awk -v m="$_dmesg_mark" 'seen { print } index($0, m) { seen = 1 }'
	fi
}

# dmesg_check_clean [WHAT]: a check that no splat (selftests/splat_patterns)
# was logged since the last dmesg_mark; prints the offending lines.
dmesg_check_clean() {
	local hits
	hits=$(dmesg_since_mark | grep -Ef <(grep -Ev '^(#|$)' "$LIB_DIR/splat_patterns"))
	if [[ -z $hits ]]; then
		log "ok: no kernel splat${1:+ during $1}"
	else
		_check_failed "kernel splat${1:+ during $1}:"$'\n'"$(sed 's/^/#   /' <<<"$hits")"
	fi
}

# ---------------------------------------------------------------- slab

# Active objects per cache from /proc/slabinfo. With SLUB, caches of equal
# geometry are merged and only the surviving name is listed (e.g. kmalloc-256).
declare -gA _slab_base=()

# slab_active CACHE: print the active object count of CACHE (1 if no such cache).
# Under KASAN (make check-debug) freed objects wait in a quarantine and still
# count as active: there the cache is shrunk first, which empties its share
# of the quarantine. Other kernels have no quarantine and are not shrunk.
_slab_kasan=
slab_active() {
	[[ -n $_slab_kasan ]] ||
		{ grep -qw kasan_quarantine_remove_cache /proc/kallsyms && _slab_kasan=1 || _slab_kasan=0; }
	((_slab_kasan)) && echo 1 >"/sys/kernel/slab/$1/shrink" 2>/dev/null
	awk -v c="$1" '$1 == c { print $2; found = 1 } END { exit !found }' /proc/slabinfo
}

# slab_snapshot TAG CACHE...: remember the active counts of CACHEs under TAG.
slab_snapshot() {
	local tag=$1 c v
	shift
	for c; do
		v=$(slab_active "$c") || { _check_failed "no slab cache '$c' in /proc/slabinfo"; continue; }
		_slab_base["$tag/$c"]=$v
	done
}

_slab_within() {	# TAG TOLERANCE: every cache of TAG grew by at most TOLERANCE
	local tag=$1 tol=$2 k v
	for k in "${!_slab_base[@]}"; do
		[[ $k == "$tag/"* ]] || continue
		v=$(slab_active "${k#*/}") || return 1
		((v - _slab_base[$k] <= tol)) || return 1
	done
}

# slab_check TAG TOLERANCE [TIMEOUT]: a check that every cache snapshotted
# under TAG has at most TOLERANCE more active objects than then, waiting up to
# TIMEOUT (default 5) seconds for deferred (RCU) frees to land. It fails if
# nothing was snapshotted under TAG or a cache cannot be read now.
slab_check() {
	local tag=$1 tol=$2 limit=${3:-5} k v bad= n=0 gone=
	for k in "${!_slab_base[@]}"; do
		[[ $k == "$tag/"* ]] || continue
		n=$((n + 1))
		slab_active "${k#*/}" >/dev/null || gone+=" ${k#*/}"
	done
	((n)) || { _check_failed "slab_check $tag: no slab cache was snapshotted under '$tag'"; return 1; }
	[[ -z $gone ]] || { _check_failed "slab_check $tag: cannot read slab cache(s)$gone"; return 1; }
	if wait_until "$limit" _slab_within "$tag" "$tol"; then
		log "ok: slab caches of '$tag' within +$tol objects"
		return 0
	fi
	for k in "${!_slab_base[@]}"; do
		[[ $k == "$tag/"* ]] || continue
		v=$(slab_active "${k#*/}")
		bad+=" ${k#*/}:${_slab_base[$k]}->${v:-?}"
	done
	_check_failed "slab growth over +$tol ($tag):$bad"
}
