#!/usr/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest-side test driver, run by tools/vm/guest-main.sh inside the test VM.
#
# 1. Loads our bonding (modprobe bonding max_bonds=0) and proves it is ours:
#    /sys/module/bonding/version == BOND_KO_VERSION and
#    /sys/module/bonding/srcversion == srcversion of the module `make` built
#    for this kernel ($BOND_MAKE_MODULE), loaded from updates/dkms/.
#    If that fails, every test fails.
# 2. Runs each entry of $BOND_TEST_LIST (written by tools/check.sh), one a
#    line, tab-separated: NAME DIR TIMEOUT KIND PROGRAM [ARGS...] (ARGS
#    separated by spaces). The program runs as root, cwd DIR, bounded by
#    TIMEOUT seconds, with KVER, BOND_KO_VERSION, BOND_SRCVERSION,
#    BOND_TEST_MODULES and BOND_REPO in the environment (and never TESTS:
#    upstream's net/forwarding/lib.sh runs ${TESTS:-$ALL_TESTS}). KIND is
#    "own" (one of selftests/, run by /usr/bin/bash) or "kselftest" (an
#    upstream program, executed directly as kselftest's runner does).
#    Exit 0 pass, 4 skip, else (or timeout) fail. Before each entry bonding
#    is (re)loaded, with the module's defaults: loaded if a test removed it,
#    reloaded if a test loaded it itself (with parameters of its own) or
#    changed a writable parameter (num_grat_arp, num_unsol_na); then checked
#    to be ours. After each, leftover processes, netns and interfaces are
#    removed, and bonds left behind fail the entry. A kernel splat logged
#    while it ran fails it.
#    For "own" entries a skip must be declared: every skip of the test
#    (exit 4) or of a subtest ("ok N name # SKIP why") must match a line
#    of selftests/allowed_skips, or the entry fails ("undeclared skip").
#    A missing tool or module is never a reason (make deps provides them).
#    For "kselftest" entries the case lines of the output are counted
#    (net/lib.sh's "TEST: ... [ OK ]/[FAIL]/[SKIP]", rtnetlink.sh's
#    "PASS:/FAIL:/SKIP..." and bare PASS/FAIL/SKIP lines): skipped and failed
#    cases are named in the KTAP line and listed, with the entry's time, in
#    "# " lines after it, so a skipped case never hides behind a pass.
# 3. On a kernel with kmemleak (make check-debug), scans for leaks and
#    fails kernel-log for any object allocated through bonding.
# 4. Scans the whole kernel log for splats (selftests/splat_patterns).
#
# Hangs: every cleanup command is bounded (CLEANUP_TIMEOUT); a test that
# times out, a cleanup command that does not finish, a test that cannot be
# killed, or the guest's time cap (BOND_GUEST_CAP, uptime in seconds, from
# tools/check.sh) first dumps every task's stack to the console (sysrq t,
# then w for the blocked ones), so the log shows where it hung. A wedged
# kernel (cleanup or kill did not finish) or the cap ends the run: every
# entry not run yet is reported as failed, with the reason, then the
# kernel log is scanned as usual and the guest powers off.
#
# Prints one KTAP line per item, numbered from $BOND_KTAP_START, to stdout
# and to $BOND_KTAP_FILE; test output goes to stdout and to
# $bond_job/tests/<NAME>.log. Exit 0 only if everything passed or skipped.

set -u
: "${bond_job:?set by the kernel command line}"
sel=$BOND_REPO/selftests
cd "$sel" || exit 1
mkdir -p "$bond_job/tests"

n=${BOND_KTAP_START:-1}
failed=0
ktap() {			# ok|not-ok NAME [DIRECTIVE]
	local st=$1 line
	[[ $st == not-ok ]] && { st="not ok"; failed=1; }
	line="$st $n $KVER:$2${3:+ # $3}"
	echo "$line"
	echo "$line" >>"$BOND_KTAP_FILE"
	n=$((n + 1))
}

splat_re() { grep -Ev '^(#|$)' "$sel/splat_patterns"; }
klog_lines() { dmesg | wc -l; }
uptime_s() { local u; read -r u _ </proc/uptime; echo "${u%.*}"; }

# ---- bounded waits (a wedged RTNL blocks ip, modprobe and sysfs writes in
# uninterruptible sleep, where neither timeout(1) nor SIGKILL ends them)
CLEANUP_TIMEOUT=30		# seconds for any one cleanup command
wedged=				# why the kernel is considered wedged
_bw_fired=
_bw_timer=
# The timer sleeps in `read -t` on a FIFO nobody writes to: no exec (each
# costs a good part of a second under TCG), and SIGTERM ends it at once.
_bw_fifo=/tmp/bond-runner.fifo
rm -f "$_bw_fifo"
mkfifo "$_bw_fifo" && exec {_bw_fd}<>"$_bw_fifo"

# bounded_wait PID SECS: wait for our child PID at most SECS seconds. 0 and
# BW_RC (its status) if it ended; 1 if it still runs.
bounded_wait() {
	local pid=$1 me=$BASHPID rc st
	_bw_fired=
	trap '_bw_fired=1' USR1
	(
		read -r -t "$2" -u "$_bw_fd" _
		kill -USR1 "$me"
	) 2>/dev/null &
	_bw_timer=$!
	while :; do
		wait "$pid"
		rc=$?
		((rc > 128)) || break
		# A status above 128: the child died of a signal, or our timer
		# (or another trapped signal) interrupted the wait.
		kill -0 "$pid" 2>/dev/null || break
		read -r _ _ st _ <"/proc/$pid/stat" 2>/dev/null
		[[ $st == Z ]] && continue
		[[ -n $_bw_fired ]] && { kill "$_bw_timer" 2>/dev/null; return 1; }
	done
	kill "$_bw_timer" 2>/dev/null
	wait "$_bw_timer" 2>/dev/null
	BW_RC=$rc
	return 0
}

# bounded SECS CMD...: run CMD (stdin /dev/null, output to $bounded_out) at
# most SECS seconds; its status. If it does not finish, it is killed and
# $wedged says so (the run ends: see "Hangs" above): status 124, or 125 if
# it does not even die.
bounded_out=/tmp/bond-runner.out
bounded() {
	local secs=$1 pid
	shift
	"$@" </dev/null >"$bounded_out" 2>&1 &
	pid=$!
	bounded_wait "$pid" "$secs" && return "$BW_RC"
	echo "# runner: \`$*\` did not finish within ${secs}s; killing it"
	kill -KILL "$pid" 2>/dev/null
	if bounded_wait "$pid" 10; then
		wedged="\`$*\` did not finish within ${secs}s"
		return 124
	fi
	wedged="\`$*\` did not finish within ${secs}s and cannot be killed"
	return 125
}

# dump_tasks WHY: every task's stack, then the blocked ones', to the kernel
# log and console.
dump_tasks() {
	echo "# runner: $1: dumping all tasks (sysrq t, w) to the console"
	echo "bond-runner: $1: task dump follows" >/dev/kmsg
	echo t >/proc/sysrq-trigger
	echo w >/proc/sysrq-trigger
}

# The guest's time cap: tests stop in time for the rest to be reported (a
# run cut short by the host's timeout reports nothing). tools/vm/guest-main.sh
# dumps tasks and powers off at BOND_GUEST_CAP, should this runner hang.
cap_at=
[[ -n ${BOND_GUEST_CAP:-} ]] && cap_at=$((BOND_GUEST_CAP - 60))
capped=

want_src=$(modinfo -F srcversion "$BOND_MAKE_MODULE" 2>/dev/null)
ours_reason=
bonding_is_ours() {
	local v s
	ours_reason=
	[[ -d /sys/module/bonding ]] || { ours_reason="bonding is not loaded"; return 1; }
	v=$(cat /sys/module/bonding/version 2>/dev/null)
	s=$(cat /sys/module/bonding/srcversion 2>/dev/null)
	[[ $v == "$BOND_KO_VERSION" ]] ||
		{ ours_reason="loaded bonding has version '$v', want '$BOND_KO_VERSION'"; return 1; }
	[[ -n $want_src && $s == "$want_src" ]] ||
		{ ours_reason="loaded bonding has srcversion '$s', want '$want_src' (from $BOND_MAKE_MODULE)"; return 1; }
}

# The bonding this runner loaded (max_bonds=0, all else default): its
# sysfs directory's inode (a new load makes a new one) and its readable
# parameters. Anything else is reloaded before the next entry.
bond_ino='' bond_params=''
module_state() {		# VAR_INO VAR_PARAMS
	local -n _i=$1 _p=$2
	local f v
	_i=$(stat -c %i /sys/module/bonding 2>/dev/null)
	_p=
	for f in /sys/module/bonding/parameters/*; do
		read -r v <"$f" 2>/dev/null && _p+="${f##*/}=$v "
	done
}
load_bonding() {
	local ino params why=
	if [[ -d /sys/module/bonding ]]; then
		module_state ino params
		[[ $ino == "$bond_ino" && -n $ino ]] || why="loaded by a test"
		[[ -z $why && $params != "$bond_params" ]] &&
			why="parameters changed: ${params% } (were ${bond_params% })"
		[[ -z $why ]] && return 0
		echo "# runner: reloading bonding ($why)"
		bounded "$CLEANUP_TIMEOUT" modprobe -r bonding ||
			{ ours_reason="modprobe -r bonding failed: $(head -c 300 "$bounded_out")"; return 1; }
	fi
	bounded "$CLEANUP_TIMEOUT" modprobe bonding max_bonds=0 ||
		{ ours_reason="modprobe bonding max_bonds=0 failed: $(head -c 300 "$bounded_out")"; return 1; }
	module_state bond_ino bond_params
}

# --- 1. our module
proof=ok
if load_bonding; then
	path=$(modinfo -n bonding 2>/dev/null)
	echo "loaded bonding $(cat /sys/module/bonding/version 2>/dev/null) srcversion" \
	     "$(cat /sys/module/bonding/srcversion 2>/dev/null) from $path"
	if ! bonding_is_ours; then
		proof=$ours_reason
	elif [[ $path != /lib/modules/$KVER/updates/dkms/bonding.ko* ]]; then
		proof="modinfo -n bonding is $path, not under /lib/modules/$KVER/updates/dkms/"
	fi
else
	proof="modprobe bonding max_bonds=0 failed"
fi
if [[ $proof == ok ]]; then
	ktap ok bonding-loaded
else
	echo "# $proof"
	ktap not-ok bonding-loaded "$proof"
fi

# --- 2. tests
base_links=$(ip -o link show | awk -F': ' '{ print $2 }' | cut -d@ -f1 | sort)

# bonds_in VAR [NETNS]: VAR := the bonds (of NETNS, else of the initial
# namespace and its bonding_masters), one a line; bounded.
bonds_in() {
	local -n _b=$1
	_b=
	if [[ -n ${2:-} ]]; then
		bounded "$CLEANUP_TIMEOUT" ip -n "$2" -o link show type bond || return 1
	else
		bounded "$CLEANUP_TIMEOUT" ip -o link show type bond || return 1
	fi
	_b=$(awk -F': ' '{ print $2 }' "$bounded_out" | cut -d@ -f1)
	if [[ -z ${2:-} && -e /sys/class/net/bonding_masters ]]; then
		bounded "$CLEANUP_TIMEOUT" cat /sys/class/net/bonding_masters || return 1
		_b+=$'\n'$(tr ' ' '\n' <"$bounded_out")
	fi
	_b=$(grep -v '^$' <<<"$_b" | sort -u)
	return 0
}

# Remove what a test left; LEFT := the bonds it left behind. Every command
# is bounded: 1 if one of them hung ($wedged says which).
cleanup_after_test() {
	local ns b l list
	LEFT=
	bounded "$CLEANUP_TIMEOUT" ip netns list
	[[ -z $wedged ]] || return 1
	for ns in $(awk '{ print $1 }' "$bounded_out"); do
		bonds_in list "$ns"
		[[ -z $wedged ]] || return 1
		for b in $list; do LEFT+=" $ns/$b"; done
	done
	bonds_in list
	[[ -z $wedged ]] || return 1
	for b in $list; do LEFT+=" $b"; done
	LEFT=${LEFT# }
	bounded "$CLEANUP_TIMEOUT" ip -all netns delete
	[[ -z $wedged ]] || return 1
	bonds_in list
	[[ -z $wedged ]] || return 1
	for b in $list; do
		bounded "$CLEANUP_TIMEOUT" ip link del "$b" ||
			[[ -n $wedged ]] ||
			bounded "$CLEANUP_TIMEOUT" bash -c 'echo "-$1" >/sys/class/net/bonding_masters' _ "$b"
		[[ -z $wedged ]] || return 1
	done
	bounded "$CLEANUP_TIMEOUT" ip -o link show
	[[ -z $wedged ]] || return 1
	for l in $(awk -F': ' '{ print $2 }' "$bounded_out" | cut -d@ -f1 | sort); do
		grep -qx -- "$l" <<<"$base_links" && continue
		echo "# runner: removing interface $l left in the initial netns"
		bounded "$CLEANUP_TIMEOUT" ip link del "$l"
		[[ -z $wedged ]] || return 1
	done
	return 0
}

# Case lines of a kselftest program's log, of one kind (ok, fail or skip),
# as "case <n>: <case>[: <message>]" (n counts all case lines, so cases of
# the same name can be told apart): net/lib.sh's "TEST: <case> [ OK ]"
# ([XFAIL] counts as ok; a [FAIL] line's message is the tab-indented line
# after it) and lines starting with PASS, FAIL or SKIP (rtnetlink.sh's
# "SKIP: <why>", lib.sh's "SKIP: jq not installed", bare "FAIL").
case_lines() {			# LOG ok|fail|skip
	awk -v want="$2" '
	function out(kind, text) { n++; if (kind == want) print "case " n ": " text }
	{ sub(/\r$/, "") }
	pending != "" {
		if ($0 ~ /^\t/) {
			m = $0; sub(/^\t+/, "", m); out("fail", pending ": " m)
			pending = ""; next
		}
		out("fail", pending); pending = ""
	}
	/^TEST: / && /\[ ?(OK|FAIL|SKIP|XFAIL) ?\][ \t]*$/ {
		r = $0; sub(/^TEST: /, "", r)
		k = r; sub(/.*\[ ?/, "", k); sub(/ ?\][ \t]*$/, "", k)
		sub(/[ \t]*\[[A-Z ]+\][ \t]*$/, "", r); gsub(/[ \t]+/, " ", r)
		if (k == "FAIL") pending = r
		else if (k == "SKIP") out("skip", r)
		else out("ok", r)
		next
	}
	/^(PASS|FAIL|SKIP)([^A-Za-z_]|$)/ {
		k = substr($0, 1, 4); r = $0
		if (r ~ /^....(: *| +)[^ ]/) sub(/^....:? */, "", r)
		else if (r ~ /^....[ \t]*$/) r = "(unnamed)"
		out(k == "PASS" ? "ok" : tolower(k), r)
	}
	END { if (pending != "") out("fail", pending) }' "$1"
}

ktap_diag() {			# LINE...: "# " lines into the KTAP stream
	local l
	for l; do
		echo "# $l"
		echo "# $l" >>"$BOND_KTAP_FILE"
	done
}

# The KTAP line of a finished kselftest program (exit RC) and, after it,
# its time and the cases it skipped or failed.
kselftest_result() {		# NAME LOG RC SECONDS
	local t=$1 log=$2 rc=$3 secs=$4 nok nfail nskip ncases first
	local -a fails skips errs=()
	mapfile -t fails < <(case_lines "$log" fail)
	mapfile -t skips < <(case_lines "$log" skip)
	nok=$(case_lines "$log" ok | wc -l)
	nfail=${#fails[@]} nskip=${#skips[@]}
	ncases=$((nok + nfail + nskip))
	if [[ $rc == 0 || $rc == 4 ]]; then
		first=
		if ((nskip)); then
			first="$nskip of $ncases cases skipped: ${skips[0]}"
			((nskip > 1)) && first+=" (and $((nskip - 1)) more)"
		fi
		if [[ $rc == 4 ]]; then
			[[ -n $first ]] && first="SKIP $first"
			[[ -n $first ]] || first=$(grep -ao 'SKIP.*' "$log" | tail -n1)
			ktap ok "$t" "${first:-SKIP}"
		else
			# Passed; not a SKIP directive, but it names what was skipped.
			ktap ok "$t" "$first"
		fi
	else
		first="exit $rc"
		if ((nfail)); then
			first+=": $nfail of $ncases cases failed"
			[[ ${fails[0]} == *"(unnamed)" ]] || first+=": ${fails[0]}"
			((nfail > 1)) && first+=" (and $((nfail - 1)) more)"
		fi
		# The first complaint of a tool (ip, tc) often says why.
		mapfile -t errs < <(grep -aE -m3 '^(Error|RTNETLINK answers|Cannot |ERROR)' "$log")
		[[ $nfail == 0 || ${fails[0]} == *"(unnamed)" ]] && ((${#errs[@]})) &&
			first+="; first error: ${errs[0]}"
		ktap not-ok "$t" "$first"
	fi
	if ((ncases)); then
		ktap_diag "$t: ${secs}s; cases: $nok ok, $nfail failed, $nskip skipped"
	else
		ktap_diag "$t: ${secs}s"
	fi
	local l
	for l in "${fails[@]:0:20}"; do ktap_diag "  failed: $l"; done
	for l in "${skips[@]:0:20}"; do ktap_diag "  skipped: $l"; done
	for l in "${errs[@]}"; do ktap_diag "  error: $l"; done
}

# Upstream's net/forwarding/lib.sh runs ${TESTS:-$ALL_TESTS}: a TESTS in
# the environment would make its programs run nothing and pass.
unset TESTS

# own_skips LOG RC: the skips an own test reported, "SUBTEST<TAB>REASON" a
# line: each "ok N NAME # SKIP why" result line, and "-" for the whole test
# when it exited 4 with "1..0 # SKIP why" (skip_all) or no subtest skipped.
own_skips() {
	awk -v rc="$2" '
	{ sub(/\r$/, "") }
	/^ok [0-9]+ .* # SKIP( |$)/ {
		l = $0; sub(/^ok [0-9]+ /, "", l)
		i = index(l, " # SKIP"); why = substr(l, i + 7); sub(/^ +/, "", why)
		print substr(l, 1, i - 1) "\t" why; nsub++; next
	}
	/^1\.\.0 # SKIP/ { whole = $0; sub(/^1\.\.0 # SKIP */, "", whole); seen = 1 }
	END { if (rc == 4 && (seen || !nsub)) print "-\t" whole }' "$1"
}

# skip_declared TEST SUBTEST REASON: selftests/allowed_skips has a line
# "KERNEL TEST SUBTEST REASON-ERE" for it (KERNEL a glob on $KVER).
skip_declared() {
	local k t s re
	[[ -r $sel/allowed_skips ]] || return 1
	while read -r k t s re; do
		[[ -z $k || $k == \#* ]] && continue
		# shellcheck disable=SC2053	# KERNEL is a glob
		[[ $KVER == $k && $t == "$1" && $s == "$2" && -n $re && $3 =~ $re ]] && return 0
	done <"$sel/allowed_skips"
	return 1
}

# The KTAP line of a finished own test (exit RC): a skip it did not
# declare fails it; declared ones are listed after it.
own_result() {			# NAME LOG RC
	local t=$1 rc=$3 sub why l first whole='' d
	local -a bad=() ok=()
	while IFS=$'\t' read -r sub why; do
		[[ -n $sub ]] || continue
		d="$sub: ${why:-(no reason given)}"
		[[ $sub == - ]] && { d="the whole test: ${why:-(no reason given)}"; whole=$why; }
		if skip_declared "$t" "$sub" "$why"; then
			ok+=("$d")
			[[ -z $whole ]] && whole=$why
		else
			bad+=("$d")
		fi
	done < <(own_skips "$2" "$rc")
	if ((${#bad[@]})); then
		first="undeclared skip: ${bad[0]}"
		((${#bad[@]} > 1)) && first+=" (and $((${#bad[@]} - 1)) more)"
		[[ $rc == 0 || $rc == 4 ]] || first="exit $rc; $first"
		ktap not-ok "$t" "$first"
	elif [[ $rc == 0 ]]; then
		ktap ok "$t"
	elif [[ $rc == 4 ]]; then
		ktap ok "$t" "SKIP ${whole:-(declared)}"
	else
		ktap not-ok "$t" "exit $rc"
	fi
	for l in "${bad[@]}"; do
		ktap_diag "  undeclared skip: $l (not in selftests/allowed_skips)"
	done
	for l in "${ok[@]}"; do ktap_diag "  declared skip: $l"; done
}

run_entry() {			# NAME DIR TIMEOUT KIND PROGRAM [ARGS...]
	local t=$1 dir=$2 to=$3 kind=$4 prog=$5 log rc t0 k0 tpid teepid tfd splats eff rest
	local capnote='' hung=
	local -a cmd
	shift 5
	if [[ -n $wedged ]]; then
		ktap not-ok "$t" "not run: $wedged"
		return
	fi
	if [[ -n $capped ]]; then
		ktap not-ok "$t" "not run: $capped"
		return
	fi
	if [[ $proof != ok ]]; then
		ktap not-ok "$t" "not run: bonding module under test is not ours"
		return
	fi
	if [[ ! -f $dir/$prog ]]; then
		ktap not-ok "$t" "no such test: ${dir#"$BOND_REPO"/}/$prog"
		return
	fi
	case $kind in
	own)       cmd=(/usr/bin/bash "./$prog" "$@") ;;
	kselftest) cmd=("./$prog" "$@") ;;
	*)         ktap not-ok "$t" "unknown test kind '$kind'"; return ;;
	esac
	eff=$to
	if [[ -n $cap_at ]]; then
		rest=$((cap_at - $(uptime_s)))
		if ((rest < 10)); then
			capped="the guest's time cap (${BOND_GUEST_CAP}s of uptime) was reached"
			dump_tasks "$capped"
			ktap not-ok "$t" "not run: $capped"
			return
		fi
		if ((rest < eff)); then
			eff=$rest
			capnote=", cut to ${eff}s by the guest's time cap"
		fi
	fi
	if ! load_bonding || ! bonding_is_ours; then
		echo "# before $t: ${ours_reason:-modprobe bonding max_bonds=0 failed}"
		ktap not-ok "$t" "not run: ${ours_reason:-cannot load bonding}"
		[[ -n $wedged ]] && dump_tasks "before $t: $wedged"
		return
	fi
	log=$bond_job/tests/$t.log
	mkdir -p "${log%/*}"
	cd "$dir" || { ktap not-ok "$t" "cannot cd to $dir"; return; }
	echo "# ===== $t (timeout ${to}s$capnote)"
	k0=$(klog_lines)
	t0=$SECONDS
	# The output goes through tee, whose end (all writers gone) says the
	# log is complete. timeout(1) leads a process group of its own (and is
	# only a backstop: the runner ends the test at its timeout, after a
	# task dump).
	exec {tfd}> >(tee "$log")
	teepid=$!
	KVER=$KVER BOND_KO_VERSION=$BOND_KO_VERSION BOND_SRCVERSION=$want_src \
	BOND_TEST_MODULES=$BOND_TEST_MODULES BOND_REPO=$BOND_REPO \
		timeout -k 5 "$((eff + 60))" "${cmd[@]}" </dev/null 9<&- {_bw_fd}<&- >&"$tfd" 2>&1 {tfd}>&- &
	tpid=$!
	exec {tfd}>&-
	if bounded_wait "$tpid" "$eff"; then
		rc=$BW_RC
	else
		rc=124
		hung="timed out after ${eff}s"
		[[ -n $capnote ]] && hung+=" (the time cap of the guest)"
		dump_tasks "$t $hung"
		kill -TERM -- "-$tpid" 2>/dev/null
		if ! bounded_wait "$tpid" 5; then
			kill -KILL -- "-$tpid" 2>/dev/null
			bounded_wait "$tpid" 10 ||
				wedged="$t $hung and cannot be killed"
		fi
		[[ -n $capnote ]] && capped="the guest's time cap (${BOND_GUEST_CAP}s of uptime) was reached while $t ran"
	fi
	# End whatever the test left running; then its log is complete.
	kill -KILL -- "-$tpid" 2>/dev/null
	bounded_wait "$teepid" 10 || echo "# runner: the output of $t is still open (a process of it lives on)"
	cd "$sel" || exit 1
	echo "# ===== $t exited $rc after $((SECONDS - t0))s"
	LEFT=
	if [[ -z $wedged ]] && ! cleanup_after_test; then
		dump_tasks "cleanup after $t: $wedged"
		wedged="cleanup after $t hung: $wedged"
	fi
	splats=$(dmesg | tail -n +"$((k0 + 1))" | grep -Ef <(splat_re))
	if [[ -n $splats ]]; then
		echo "# kernel splat while $t ran:"
		sed 's/^/#   /' <<<"$splats"
	fi
	if [[ -n $hung ]]; then
		ktap not-ok "$t" "$hung"
	elif [[ -n $wedged ]]; then
		ktap not-ok "$t" "$wedged"
	elif [[ -n $LEFT ]]; then
		ktap not-ok "$t" "left bonds behind: $LEFT"
	elif [[ -n $splats ]]; then
		ktap not-ok "$t" "kernel splat (see log)"
	elif [[ $kind == kselftest ]]; then
		kselftest_result "$t" "$log" "$rc" "$((SECONDS - t0))"
	else
		own_result "$t" "$log" "$rc"
	fi
}

while IFS=$'\t' read -r -u 9 name dir to kind cmdline; do
	[[ -n $name ]] || continue
	read -ra argv <<<"$cmdline"
	run_entry "$name" "$dir" "$to" "$kind" "${argv[@]}"
done 9<"${BOND_TEST_LIST:-/dev/null}"

# --- 3. kmemleak, where the kernel has it (make check-debug): two explicit
# scans (the kernel does not scan by itself) after the tests, then every
# unreferenced object whose allocation backtrace runs through bonding, or
# through module text no longer loaded (the suite unloads and reloads
# bonding; an unloaded module's frames print as bare addresses), is a leak.
# Objects the rest of the kernel leaks are listed, not failed.
kmemleak_bonding() {
	local f=/sys/kernel/debug/kmemleak all
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	[[ -e $f ]] || return 0
	timeout 600 sh -c "echo scan >$f && sleep 6 && echo scan >$f" ||
		{ echo "kmemleak scan failed or took over 600 s"; return 0; }
	all=$(timeout 120 cat "$f")
	[[ -n $all ]] || return 0
	echo "$all" >"$bond_job/kmemleak.txt"
	awk '
	function flush() { if (rec != "" && hit) printf "%s", rec; rec = ""; hit = 0 }
	/^unreferenced object/ { flush() }
	{ rec = rec $0 "\n" }
	/\[bonding\]|\[bond_[a-z]+\]|\] 0xffffffff[a-f][0-9a-f]+$/ { hit = 1 }
	END { flush() }' <<<"$all"
}
leaks=$(kmemleak_bonding)
nleaks=$(grep -c '^unreferenced object' <<<"$leaks")
[[ -e /sys/kernel/debug/kmemleak ]] &&
	echo "# kmemleak: $(grep -c '^unreferenced object' "$bond_job/kmemleak.txt" 2>/dev/null || echo 0)" \
		"unreferenced object(s) in all ($bond_job/kmemleak.txt), $nleaks from bonding"

# --- 4. the whole kernel log
splats=$(dmesg | grep -Ef <(splat_re))
if [[ -n $splats ]]; then
	echo "# kernel log has splats:"
	sed 's/^/#   /' <<<"$splats"
	ktap not-ok kernel-log "$(wc -l <<<"$splats") splat line(s)"
elif ((nleaks)); then
	echo "# kmemleak: objects leaked by bonding:"
	sed 's/^/#   /' <<<"$leaks"
	ktap not-ok kernel-log "kmemleak: $nleaks object(s) leaked by bonding"
else
	ktap ok kernel-log
fi
exit $failed
