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
#    is (re)loaded if a test removed it and checked to be ours; after each,
#    leftover processes, netns and interfaces are removed, and bonds left
#    behind fail the entry. A kernel splat logged while it ran fails it.
#    For "kselftest" entries the case lines of the output are counted
#    (net/lib.sh's "TEST: ... [ OK ]/[FAIL]/[SKIP]", rtnetlink.sh's
#    "PASS:/FAIL:/SKIP..." and bare PASS/FAIL/SKIP lines): skipped and failed
#    cases are named in the KTAP line and listed, with the entry's time, in
#    "# " lines after it, so a skipped case never hides behind a pass.
# 3. Scans the whole kernel log for splats (selftests/splat_patterns).
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

load_bonding() {
	[[ -d /sys/module/bonding ]] && return 0
	modprobe bonding max_bonds=0
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

bonds_in() {			# [NETNS]: list bonds
	if [[ -n ${1:-} ]]; then
		ip -n "$1" -o link show type bond 2>/dev/null
	else
		ip -o link show type bond 2>/dev/null
	fi | awk -F': ' '{ print $2 }' | cut -d@ -f1
	[[ -z ${1:-} && -r /sys/class/net/bonding_masters ]] && tr ' ' '\n' </sys/class/net/bonding_masters
}

# Remove what a test left; print the bonds it left behind.
cleanup_after_test() {
	local ns b l stale=()
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		for b in $(bonds_in "$ns" | sort -u); do stale+=("$ns/$b"); done
	done
	for b in $(bonds_in | sort -u); do
		[[ -n $b ]] && stale+=("$b")
	done
	ip -all netns delete 2>/dev/null
	for b in $(bonds_in | sort -u); do
		ip link del "$b" 2>/dev/null || echo "-$b" >/sys/class/net/bonding_masters 2>/dev/null
	done
	for l in $(ip -o link show | awk -F': ' '{ print $2 }' | cut -d@ -f1 | sort); do
		grep -qx -- "$l" <<<"$base_links" && continue
		echo "# runner: removing interface $l left in the initial netns" >&2
		ip link del "$l" 2>/dev/null
	done
	echo "${stale[*]}"
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

run_entry() {			# NAME DIR TIMEOUT KIND PROGRAM [ARGS...]
	local t=$1 dir=$2 to=$3 kind=$4 prog=$5 log rc t0 k0 tpid left splats why
	local -a cmd
	shift 5
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
	if ! load_bonding || ! bonding_is_ours; then
		echo "# before $t: ${ours_reason:-modprobe bonding max_bonds=0 failed}"
		ktap not-ok "$t" "not run: ${ours_reason:-cannot load bonding}"
		return
	fi
	log=$bond_job/tests/$t.log
	mkdir -p "${log%/*}"
	cd "$dir" || { ktap not-ok "$t" "cannot cd to $dir"; return; }
	echo "# ===== $t (timeout ${to}s)"
	k0=$(klog_lines)
	t0=$SECONDS
	KVER=$KVER BOND_KO_VERSION=$BOND_KO_VERSION BOND_SRCVERSION=$want_src \
	BOND_TEST_MODULES=$BOND_TEST_MODULES BOND_REPO=$BOND_REPO \
		timeout -k 5 "$to" "${cmd[@]}" </dev/null 9<&- > >(tee "$log") 2>&1 &
	tpid=$!
	wait $tpid
	rc=$?
	# timeout(1) leads its own process group: end whatever the test left running.
	kill -KILL -- "-$tpid" 2>/dev/null
	wait 2>/dev/null
	cd "$sel" || exit 1
	echo "# ===== $t exited $rc after $((SECONDS - t0))s"
	left=$(cleanup_after_test)
	splats=$(dmesg | tail -n +"$((k0 + 1))" | grep -Ef <(splat_re))
	if [[ -n $splats ]]; then
		echo "# kernel splat while $t ran:"
		sed 's/^/#   /' <<<"$splats"
	fi
	if [[ $rc == 124 || $rc == 137 ]]; then
		ktap not-ok "$t" "timed out after ${to}s"
	elif [[ -n $left ]]; then
		ktap not-ok "$t" "left bonds behind: $left"
	elif [[ -n $splats ]]; then
		ktap not-ok "$t" "kernel splat (see log)"
	elif [[ $kind == kselftest ]]; then
		kselftest_result "$t" "$log" "$rc" "$((SECONDS - t0))"
	elif [[ $rc == 0 ]]; then
		ktap ok "$t"
	elif [[ $rc == 4 ]]; then
		why=$(grep -o 'SKIP.*' "$log" | tail -n1)
		ktap ok "$t" "${why:-SKIP}"
	else
		ktap not-ok "$t" "exit $rc"
	fi
}

while IFS=$'\t' read -r -u 9 name dir to kind cmdline; do
	[[ -n $name ]] || continue
	read -ra argv <<<"$cmdline"
	run_entry "$name" "$dir" "$to" "$kind" "${argv[@]}"
done 9<"${BOND_TEST_LIST:-/dev/null}"

# --- 3. the whole kernel log
splats=$(dmesg | grep -Ef <(splat_re))
if [[ -n $splats ]]; then
	echo "# kernel log has splats:"
	sed 's/^/#   /' <<<"$splats"
	ktap not-ok kernel-log "$(wc -l <<<"$splats") splat line(s)"
else
	ktap ok kernel-log
fi
exit $failed
