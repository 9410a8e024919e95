#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: `make check`. For each kernel series in $KERNELS (newest cached or
# apt-known release of each): build bonding.ko with WERROR=1, run sparse,
# stage the DKMS add/build/install, build selftests/modules/*, boot the kernel
# under QEMU and run the selftests there (tools/vm/guest-tests.sh).
#
# Output is one KTAP stream for everything, then one closing line
# "<n> passed, <n> failed, <n> skipped" summing all kernels. Exit status is
# non-zero on any failure: build or sparse warning, DKMS, module proof, test,
# kernel splat, guest hang or crash.
#
# Environment: KERNELS (default "6.1 6.12"), T (run only these tests),
# BOND_SOAK (1: tests run their long variant, time limits x10),
# ACCEL, BOND_CACHE. Logs: build/logs/ (console log per kernel) and
# build/<kver>/ (build, sparse, DKMS, per-test logs).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
: "${KERNELS:=6.1 6.12}"
: "${T:=}"
: "${BOND_CACHE:=/var/cache/bonding-ko}"
export BOND_CACHE
unset KDIR WERROR

logs=$repo/build/logs
mkdir -p "$logs"
# One make check / make demo at a time per checkout: they share build/.
exec 8>"$repo/build/.lock"
flock -n 8 || { echo "# waiting for another make check/demo in this checkout"; flock 8; }
tap=$logs/check.tap
: >"$tap"
n=0
t_start=$SECONDS

emit() {			# ok|not-ok NAME [DIRECTIVE]
	local st=$1 line
	[[ $st == not-ok ]] && st="not ok"
	n=$((n + 1))
	line="$st $n $2${3:+ # $3}"
	echo "$line"
	echo "$line" >>"$tap"
}
diag() { echo "# $*"; }
show_tail() {			# FILE [LINES]: the end of a log, as diagnostics
	[[ -f $1 ]] && tail -n "${2:-20}" "$1" | sed 's/^/#   /'
}
step() {			# NAME LOG CMD...: run a step, its output to LOG
	local name=$1 log=$2 t0=$SECONDS
	shift 2
	if "$@" >"$log" 2>&1; then
		emit ok "$name"
		diag "$name: $((SECONDS - t0))s"
		return 0
	fi
	emit not-ok "$name" "see $log"
	show_tail "$log" 25
	return 1
}

# ---- tests to run
# BOND_LIST=print-bench runs the benchmarks instead (make bench).
all_tests=$(make -s -C "$repo/selftests" "${BOND_LIST:-print-tests}")
if [[ -n $T ]]; then
	tests=
	for want in $T; do
		for t in $all_tests; do
			[[ $t == "$want" || $t == "$want.sh" || ${t%.*} == "$want" ]] && tests+="${tests:+ }$t"
		done
	done
	[[ -n $tests ]] || { echo "check.sh: T=$T is not in TEST_PROGS of selftests/Makefile: $all_tests" >&2; exit 2; }
else
	tests=$all_tests
fi
ntests=$(wc -w <<<"$tests")

# Per-test timeouts bound the whole guest run.
vm_limit=240
# shellcheck disable=SC2086
for to in $("$here/vm/test-timeout.sh" "$repo/selftests" $tests); do
	vm_limit=$((vm_limit + to + 15))
done

nkern=$(wc -w <<<"$KERNELS")
per_kernel=$((4 + 1 + ntests + 2))	# build sparse dkms test-modules | bonding-loaded tests kernel-log | console
echo "TAP version 13"
echo "1..$((3 + nkern * per_kernel))"
diag "kernels: $KERNELS; tests: $tests"

# ---- kernel-independent steps
# One snapshot of the driver sources serves every step and kernel of this run.
export BOND_SRC=$repo/build/src
rm -rf "$BOND_SRC"
if ! env -u BOND_SRC "$here/snapshot-src.sh" "$BOND_SRC" 2>"$logs/snapshot.log"; then
	echo "check.sh: cannot snapshot the driver sources:" >&2
	cat "$logs/snapshot.log" >&2
	exit 1
fi
version=$("$here/version-check.sh" 2>"$logs/version.log")
if [[ -n $version ]]; then
	emit ok "version-check"
	diag "dkms.conf and version.h agree: $version"
else
	emit not-ok "version-check" "$(head -n1 "$logs/version.log")"
fi
step selftests-build "$logs/selftests-build.log" make -B -C "$repo/selftests" WERROR=1

# ---- per kernel
rm -f "$logs"/fetch-*.out "$logs"/fetch-*.log
# One fetch for all (apt-cache is slow); per series only if that fails.
# shellcheck disable=SC2086
if kvers=($("$here/kernels.sh" fetch $KERNELS 2>"$logs/fetch.log")) && ((${#kvers[@]} == nkern)); then
	i=0
	for series in $KERNELS; do
		echo "${kvers[i]}" >"$logs/fetch-$series.out"
		i=$((i + 1))
	done
else
	for series in $KERNELS; do
		"$here/kernels.sh" fetch "$series" >"$logs/fetch-$series.out" 2>"$logs/fetch-$series.log"
	done
fi
# A CONFIG_BONDING=y kernel is refused by make, kbuild and DKMS (checked on
# a copy of the first kernel's headers).
first_kver=$(tail -qn1 "$logs"/fetch-*.out 2>/dev/null | head -n1)
if [[ -n $first_kver ]]; then
	step builtin-refused "$logs/builtin-refused.log" "$here/builtin-refusal.sh" "$first_kver"
else
	emit not-ok builtin-refused "not run: no kernel"
fi

for series in $KERNELS; do
	kt0=$SECONDS
	if ! kver=$(tail -n1 "$logs/fetch-$series.out") || [[ -z $kver ]]; then
		emit not-ok "$series:build" "no kernel: $(tail -n1 "$logs/fetch-$series.log" 2>/dev/null)"
		for name in sparse dkms test-modules bonding-loaded $tests kernel-log console; do
			emit not-ok "$series:$name" "not run: no kernel"
		done
		continue
	fi
	diag "==== $series: $kver"
	kdir=$("$here/kernels.sh" kdir "$kver")
	out=$repo/build/$kver
	mkdir -p "$out"
	failed_step=
	step "$kver:build" "$out/check-build.log" env KDIR="$kdir" WERROR=1 "$here/build.sh" driver ||
		failed_step=build
	if [[ -z $failed_step ]]; then
		step "$kver:sparse" "$out/check-sparse.log" env KDIR="$kdir" WERROR=1 "$here/build.sh" sparse ||
			failed_step=sparse
	else
		emit not-ok "$kver:sparse" "not run: build failed"
	fi
	dkms_mod=
	if [[ -z $failed_step ]]; then
		if step "$kver:dkms" "$out/check-dkms.log" "$here/dkms-stage.sh" "$kver" "$kdir" "$out/dkms"; then
			dkms_mod=$(tail -n1 "$out/check-dkms.log")
			diag "dkms installed $dkms_mod"
			grep -q '^dkms-stage.sh: identical sources' "$out/dkms/dkms.log" &&
				diag "$(head -n2 "$out/dkms/dkms.log" | tr '\n' ' ')"
		else
			failed_step=dkms
		fi
	else
		emit not-ok "$kver:dkms" "not run: $failed_step failed"
	fi
	step "$kver:test-modules" "$out/check-test-modules.log" env KDIR="$kdir" WERROR=1 "$here/build.sh" test-modules ||
		failed_step=${failed_step:-test-modules}

	index=
	if [[ -z $failed_step ]]; then
		index=$("$here/vm/modules-index.sh" "$kver" "$dkms_mod" 2>"$out/modules-index.log") ||
			{ failed_step=modules-index; show_tail "$out/modules-index.log"; }
	fi
	if [[ -n $failed_step ]]; then
		for name in bonding-loaded $tests kernel-log console; do
			emit not-ok "$kver:$name" "not run: $failed_step failed"
		done
		continue
	fi

	job=$out/vm
	rm -rf "$job"
	mkdir -p "$job"
	first=$((n + 1))
	{
		printf 'BOND_GUEST_SCRIPT=%q\n' "$here/vm/guest-tests.sh"
		printf 'BOND_TESTS=%q\n' "$tests"
		printf 'BOND_KTAP_START=%q\n' "$first"
		printf 'BOND_KTAP_FILE=%q\n' "$job/ktap"
		printf 'BOND_KO_VERSION=%q\n' "$version"
		printf 'BOND_MAKE_MODULE=%q\n' "$out/drivers/net/bonding/bonding.ko"
		printf 'BOND_DKMS_MODULE=%q\n' "$dkms_mod"
		printf 'BOND_MODULES_INDEX=%q\n' "$index"
		printf 'BOND_TEST_MODULES=%q\n' "$out/test-modules"
		printf 'BOND_SOAK=%q\n' "${BOND_SOAK:-0}"
		# make bench knobs (README: Soak runs and benchmarks)
		for v in BENCH_RLB_SIZES BENCH_XMIT_MODES BENCH_XMIT_SLAVES BENCH_XMIT_FRAMES; do
			[[ -n ${!v:-} ]] && printf '%s=%q\n' "$v" "${!v}"
		done
	} >"$job/job.env"
	: >"$job/ktap"
	diag "booting $kver (ACCEL=${ACCEL:-auto}, bound ${vm_limit}s)"
	"$here/vm/run.sh" "$kver" "$job" "$vm_limit" ktap 2>"$job/run.err"
	vrc=$?
	cp "$job/console.log" "$logs/$kver.console.log" 2>/dev/null
	[[ -f $job/vm-time ]] && diag "$(cat "$job/vm-time")"

	# Items the guest did not report (it hung or died) fail.
	got=$(grep -c '^\(not \)\{0,1\}ok ' "$job/ktap")
	cat "$job/ktap" >>"$tap"
	n=$((n + got))
	expected=$((1 + ntests + 1))
	why="guest did not report it"
	[[ -s $job/setup-error ]] && why="guest setup failed: $(head -n1 "$job/setup-error")"
	if ((got < expected)); then
		diag "guest output (end):"
		show_tail "$job/output.log" 15
		i=0
		for name in bonding-loaded $tests kernel-log; do
			i=$((i + 1))
			((i > got)) && emit not-ok "$kver:$name" "$why"
		done
	fi
	case $vrc in
	0|1) emit ok "$kver:console" ;;
	2)   emit not-ok "$kver:console" "guest hung or crashed" ;;
	3)   emit not-ok "$kver:console" "kernel splat on the console" ;;
	esac
	if [[ $vrc != 0 ]]; then
		sed 's/^/#   /' "$job/run.err"
		for f in "$job"/tests/*.log; do
			[[ -f $f ]] || continue
			t=$(basename "$f" .log)
			grep -q "^not ok [0-9]* $kver:$t\( \|$\)" "$job/ktap" || continue
			diag "---- failed checks of $t (with 6 lines after each):"
			grep -n -A6 '^ *# FAIL' "$f" | head -n 60 | sed 's/^/#   /'
			diag "---- output of $t (end):"
			show_tail "$f" 30
		done
		diag "console log: $logs/$kver.console.log"
	fi
	diag "$kver done in $((SECONDS - kt0))s"
done

pass=$(grep -c '^ok ' "$tap" | tr -d ' ')
skip=$(grep -c '^ok .* # SKIP' "$tap" | tr -d ' ')
fail=$(grep -c '^not ok ' "$tap" | tr -d ' ')
pass=$((pass - skip))
diag "total time $((SECONDS - t_start))s; KTAP: $tap"
echo "$pass passed, $fail failed, $skip skipped"
((fail == 0))
