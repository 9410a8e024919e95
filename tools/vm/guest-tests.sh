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
# 2. Runs each test of $BOND_TESTS (from selftests/Makefile TEST_PROGS) with
#    /usr/bin/bash, as root, cwd selftests/, bounded by timeout= from
#    selftests/settings or a "# timeout=N" line in the test's first 20 lines,
#    with KVER, BOND_KO_VERSION, BOND_SRCVERSION, BOND_TEST_MODULES and
#    BOND_REPO in the environment. Exit 0 pass, 4 skip, else (or timeout) fail.
#    Before each test bonding is (re)loaded if a test removed it and checked to
#    be ours; after each, leftover processes, netns and interfaces are removed,
#    and bonds left behind fail the test. A kernel splat logged while a test
#    ran fails that test.
# 3. Scans the whole kernel log for splats (selftests/splat_patterns).
#
# Prints one KTAP line per item, numbered from $BOND_KTAP_START, to stdout
# and to $BOND_KTAP_FILE; test output goes to stdout and to
# $bond_job/tests/<test>.log. Exit 0 only if everything passed or skipped.

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

for t in ${BOND_TESTS:-}; do
	if [[ $proof != ok ]]; then
		ktap not-ok "$t" "not run: bonding module under test is not ours"
		continue
	fi
	if [[ ! -f $sel/$t ]]; then
		ktap not-ok "$t" "no such test: selftests/$t"
		continue
	fi
	if ! load_bonding || ! bonding_is_ours; then
		echo "# before $t: ${ours_reason:-modprobe bonding max_bonds=0 failed}"
		ktap not-ok "$t" "not run: ${ours_reason:-cannot load bonding}"
		continue
	fi
	to=$("$BOND_REPO/tools/vm/test-timeout.sh" "$sel" "$t")
	echo "# ===== $t (timeout ${to}s)"
	k0=$(klog_lines)
	t0=$SECONDS
	KVER=$KVER BOND_KO_VERSION=$BOND_KO_VERSION BOND_SRCVERSION=$want_src \
	BOND_TEST_MODULES=$BOND_TEST_MODULES BOND_REPO=$BOND_REPO \
		timeout -k 5 "$to" /usr/bin/bash "./$t" </dev/null > >(tee "$bond_job/tests/$t.log") 2>&1 &
	tpid=$!
	wait $tpid
	rc=$?
	# timeout(1) leads its own process group: end whatever the test left running.
	kill -KILL -- "-$tpid" 2>/dev/null
	wait 2>/dev/null
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
	elif [[ $rc == 0 ]]; then
		ktap ok "$t"
	elif [[ $rc == 4 ]]; then
		why=$(grep -o 'SKIP.*' "$bond_job/tests/$t.log" | tail -n1)
		ktap ok "$t" "${why:-SKIP}"
	else
		ktap not-ok "$t" "exit $rc"
	fi
done

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
