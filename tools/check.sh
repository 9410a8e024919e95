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
# Environment: KERNELS (default "6.1 6.12 6.12-rt"; an "-rt" series runs a
# subset, below, unless BOND_RT_ALL=1), T (run only these tests),
# BOND_SOAK (1: tests run their long variant, time limits x10),
# UPSTREAM (also run upstream Linux's bonding selftests, tools/upstream.sh:
# "all", "default", or some of their names), BOND_SUITE (upstream: those
# only, as `make check-upstream`), BOND_CHECK_JOBS (kernels booted at once,
# below), ACCEL, BOND_CACHE. Logs: build/logs/ (console log per kernel) and
# build/<kver>/ (build, sparse, DKMS, per-test logs); with
# BOND_SUITE=upstream, check-upstream.tap, <kver>.upstream.console.log and
# build/<kver>/vm-upstream/.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
: "${KERNELS:=6.1 6.12 6.12-rt}"
: "${T:=}"
: "${BOND_CACHE:=/var/cache/bonding-ko}"
export BOND_CACHE
unset KDIR WERROR

logs=$repo/build/logs
mkdir -p "$logs"
# One make check / make demo at a time per checkout: they share build/.
exec 8>"$repo/build/.lock"
flock -n 8 || { echo "# waiting for another make check/demo in this checkout"; flock 8; }
# make check-upstream keeps its logs apart from make check's.
suite=${BOND_SUITE:-own}
case $suite in
own)      tag= ;;
upstream) tag=upstream ;;
*)        echo "check.sh: BOND_SUITE must be own or upstream" >&2; exit 2 ;;
esac
# shellcheck source=tools/ktap.sh
. "$here/ktap.sh"
ktap_begin "$logs/check${tag:+-$tag}.tap"

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
# One list per kernel series, one entry a line, tab-separated: NAME DIR
# TIMEOUT KIND PROGRAM [ARGS...] (tools/vm/guest-tests.sh runs them). Ours:
# TEST_PROGS of selftests/Makefile (BOND_LIST=print-bench: the benchmarks,
# make bench), none with BOND_SUITE=upstream. Upstream's (tools/upstream.sh,
# from that series' linux-source package): those UPSTREAM names ("all": every
# one; "default": all but $up_slow; make check-upstream: all unless UPSTREAM
# says otherwise). T then selects among all of them.
own_tests=
[[ $suite == own ]] && own_tests=$(make -s -C "$repo/selftests" "${BOND_LIST:-print-tests}")
# A PREEMPT_RT kernel ("-rt" series) runs only its share, RT_PROGS of
# selftests/Makefile and none of upstream's, unless T names tests or
# BOND_RT_ALL=1 (make check-rt): then it runs what the other kernels run.
rt_share= rt_tests=
if [[ $suite == own && -z ${BOND_LIST:-} && -z $T && ${BOND_RT_ALL:-0} != 1 ]]; then
	rt_share=1
	rt_tests=$(make -s -C "$repo/selftests" print-rt)
fi
up_want=${UPSTREAM:-}
# "default" (make check's): all but the slow ones, which make check-upstream
# and UPSTREAM=all run (bond_options.sh: 8-13 minutes of TCG guest alone).
up_slow='bond_options\.sh'
case $up_want in 0|no|none) up_want= ;; 1|yes) up_want=all ;; esac
[[ $suite == upstream && -z $up_want ]] && up_want=all

# Does entry NAME answer to WORD? bond_ab, bond_ab.sh; upstream/bond_options.sh,
# bond_options, bond_options.sh; upstream/rtnetlink.sh:CASE, rtnetlink, CASE.
entry_matches() {		# NAME WORD
	local full=$1 w=$2 n=${1#upstream/} p c=
	p=${n%%:*}
	[[ $p != "$n" ]] && c=${n#*:}
	[[ $w == "$full" || $w == "$n" || $w == "$n.sh" || ${n%.*} == "$w" || ${full%.*} == "$w" ||
	   $w == "$p" || ${p%.sh} == "$w" || (-n $c && $w == "$c") ]]
}
declare -A word_hit=() up_hit=()
# Entries of list file IN whose name answers to one of WORDS ("": all), in
# the order of WORDS; each at most once.
select_entries() {		# IN WORDS
	local -a lines
	local -A seen=()
	local l w name
	mapfile -t lines <"$1"
	if [[ -z $2 ]]; then
		((${#lines[@]})) && printf '%s\n' "${lines[@]}"
		return 0
	fi
	for w in $2; do
		for l in "${lines[@]}"; do
			name=${l%%$'\t'*}
			entry_matches "$name" "$w" || continue
			word_hit[$w]=1
			[[ -n ${seen[$name]:-} ]] && continue
			seen[$name]=1
			printf '%s\n' "$l"
		done
	done
}

up_ok=1
up_diag=()
[[ -n $up_want ]] && : >"$logs/upstream-src.log"
for series in $KERNELS; do
	base=$logs/tests${tag:+-$tag}-$series
	ours=$own_tests share=
	[[ $series == *-rt && -n $rt_share ]] && ours=$rt_tests share=1
	for t in $ours; do
		printf '%s\t%s\t%s\town\t%s\n' "$t" "$repo/selftests" \
			"$("$here/vm/test-timeout.sh" "$repo/selftests" "$t")" "$t"
	done >"$base.all"
	if [[ -n $up_want && -z $share ]]; then
		if uroot=$("$here/upstream.sh" fetch "$series" 2>>"$logs/upstream-src.log") &&
		   "$here/upstream.sh" list "$uroot" >"$base.up" 2>>"$logs/upstream-src.log"; then
			up_diag+=("$series: $(cat "${uroot%/tools/testing/selftests}/package") from $uroot")
			[[ $up_want == all || $up_want == default ]] && w= || w=$up_want
			word_hit=()
			if [[ $up_want == default ]]; then
				select_entries "$base.up" "" | grep -v -E "^upstream/($up_slow)"$'\t' || :
			else
				select_entries "$base.up" "$w"
			fi >>"$base.all"
			for w in "${!word_hit[@]}"; do up_hit[$w]=1; done
		else
			up_ok=
		fi
	fi
	select_entries "$base.all" "$T" >"$base.list"
	rm -f "$base.up"
done
if [[ -n $up_want && $up_want != all && $up_want != default && -n $up_ok ]]; then
	miss=
	for w in $up_want; do [[ -n ${up_hit[$w]:-} ]] || miss+=" $w"; done
	[[ -z $miss ]] || { echo "check.sh: UPSTREAM:$miss: no such upstream test (see tools/upstream.sh)" >&2; exit 2; }
fi
names_of() { cut -f1 "$logs/tests${tag:+-$tag}-$1.list" | tr '\n' ' ' | sed 's/ $//'; }
if [[ -n $T && -z $(for series in $KERNELS; do names_of "$series"; done) ]]; then
	if [[ -z $up_want ]]; then
		echo "check.sh: T=$T is not in TEST_PROGS of selftests/Makefile: $own_tests" >&2
	else
		echo "check.sh: T=$T names none of these tests:" \
			"$(for series in $KERNELS; do cut -f1 "$logs/tests${tag:+-$tag}-$series.all"; done | sort -u | tr '\n' ' ')" >&2
	fi
	exit 2
fi

# Per-test timeouts bound each guest run, and our own tests together are
# capped: a guest whose kernel wedges (every later test waiting out its
# timeout) must not take CI's whole budget (90 min for `make deps` and
# `make check` together) and leave no summary. A default run of our tests
# takes about 1200 s of guest time per kernel here (both kernels, Dec 2026);
# the cap, BOND_VM_CAP=3600 s per kernel (x10 with BOND_SOAK=1; none for
# make bench), is 3 times that, so a CI machine twice as slow still runs
# them all. Kernels capped side by side plus builds stay near 65 minutes,
# and BOND_CHECK_BUDGET bounds the whole run in any case.
# Upstream's programs (UPSTREAM=...) add their own timeouts on top. The
# guest knows the cap (BOND_GUEST_CAP, tools/vm/guest-tests.sh): tests stop
# in time for the rest to be reported, and a runner that hangs anyway is cut
# off, after a task dump, 30 s before the host kills QEMU.
vm_limit_of() {			# SERIES
	local own=0 up=0 cap name to kind
	while IFS=$'\t' read -r name _ to kind _; do
		[[ -n $name ]] || continue
		if [[ $kind == own ]]; then
			own=$((own + to + 15))
		else
			up=$((up + to + 15))
		fi
	done <"$logs/tests${tag:+-$tag}-$1.list"
	cap=$((${BOND_VM_CAP:-3600} * ${BOND_TIMEOUT_FACTOR:-1}))
	[[ ${BOND_SOAK:-0} == 1 && -z ${BOND_VM_CAP:-} ]] && cap=$((cap * 10))
	[[ -n ${BOND_LIST:-} && -z ${BOND_VM_CAP:-} ]] && cap=$own
	((own > cap)) && own=$cap
	echo $((240 + own + up))
}

# Upstream's programs have long timeouts of their own (1200 s each on 6.12),
# so with them the per-kernel caps alone no longer bound a whole run inside
# CI's 90 minutes. BOND_CHECK_BUDGET (seconds, default 4800; 0: none) bounds
# make check as a whole: a guest boots with at most what is left of it, less
# BOND_KERNEL_RESERVE (600 s) for each kernel still to come, so a run whose
# tests all wait out their timeouts still ends with every line and a summary.
# A default run of both suites on both kernels takes about 40 minutes.
budget_limit() {		# LIMIT KERNELS-LEFT-AFTER-THIS
	local limit=$1 budget=${BOND_CHECK_BUDGET:-4800} left
	[[ $budget == 0 || ${BOND_SOAK:-0} == 1 || -n ${BOND_LIST:-} ]] && { echo "$limit"; return; }
	left=$((budget - (SECONDS - t_start) - $2 * ${BOND_KERNEL_RESERVE:-600}))
	((left < 300)) && left=300
	((limit > left)) && limit=$left
	echo "$limit"
}

nkern=$(wc -w <<<"$KERNELS")
nall=3
[[ -n $up_want ]] && nall=$((nall + 1))
for series in $KERNELS; do
	# build sparse dkms test-modules | bonding-loaded tests kernel-log | console
	nall=$((nall + 4 + 1 + $(wc -w <<<"$(names_of "$series")") + 2))
done
echo "TAP version 13"
echo "1..$nall"
if [[ $(for series in $KERNELS; do echo "$(names_of "$series")"; done | sort -u | wc -l) -le 1 ]]; then
	diag "kernels: $KERNELS; tests: $(names_of "${KERNELS%% *}")"
else
	diag "kernels: $KERNELS"
	for series in $KERNELS; do diag "tests on $series: $(names_of "$series")"; done
fi

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
if [[ -n $up_want ]]; then
	if [[ -n $up_ok ]]; then
		emit ok upstream-src
		for d in "${up_diag[@]}"; do diag "upstream selftests $d"; done
	else
		emit not-ok upstream-src "see $logs/upstream-src.log"
		show_tail "$logs/upstream-src.log"
	fi
fi

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
# Not on a debug kernel (make check-debug): copying its whole built tree for
# this takes longer than the check, which make check makes anyway.
fetched=$(tail -qn1 "$logs"/fetch-*.out 2>/dev/null)
first_kver=$(grep -v -- -bonddebug- <<<"$fetched" | head -n1)
if [[ -z $first_kver && -n $fetched ]]; then
	emit ok builtin-refused "SKIP debug kernels only: make check runs it"
elif [[ -n $first_kver ]]; then
	step builtin-refused "$logs/builtin-refused.log" "$here/builtin-refusal.sh" "$first_kver"
else
	emit not-ok builtin-refused "not run: no kernel"
fi

# One kernel's items, in order, on stdout (and into $tap): build, sparse,
# DKMS, test modules, then the guest's bonding-loaded, tests, kernel-log,
# and console. KLEFT: kernels still to boot after this one, for the budget.
kernel_items() {		# SERIES KLEFT
	local series=$1 kleft=$2 kt0=$SECONDS
	list=$logs/tests${tag:+-$tag}-$series.list
	tests=$(names_of "$series")
	ntests=$(wc -w <<<"$tests")
	vm_limit=$(vm_limit_of "$series")
	if ! kver=$(tail -n1 "$logs/fetch-$series.out") || [[ -z $kver ]]; then
		emit not-ok "$series:build" "no kernel: $(tail -n1 "$logs/fetch-$series.log" 2>/dev/null)"
		for name in sparse dkms test-modules bonding-loaded $tests kernel-log console; do
			emit not-ok "$series:$name" "not run: no kernel"
		done
		return 0
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
		return 0
	fi

	vm_limit=$(budget_limit "$vm_limit" "$kleft")
	job=$out/vm${tag:+-$tag}
	rm -rf "$job"
	mkdir -p "$job"
	first=$((n + 1))
	{
		printf 'BOND_GUEST_SCRIPT=%q\n' "$here/vm/guest-tests.sh"
		printf 'BOND_TEST_LIST=%q\n' "$job/tests.list"
		printf 'BOND_KTAP_START=%q\n' "$first"
		printf 'BOND_KTAP_FILE=%q\n' "$job/ktap"
		printf 'BOND_KO_VERSION=%q\n' "$version"
		printf 'BOND_MAKE_MODULE=%q\n' "$out/drivers/net/bonding/bonding.ko"
		printf 'BOND_DKMS_MODULE=%q\n' "$dkms_mod"
		printf 'BOND_MODULES_INDEX=%q\n' "$index"
		printf 'BOND_TEST_MODULES=%q\n' "$out/test-modules"
		printf 'BOND_SOAK=%q\n' "${BOND_SOAK:-0}"
		printf 'BOND_TIMEOUT_FACTOR=%q\n' "${BOND_TIMEOUT_FACTOR:-1}"
		printf 'BOND_GUEST_CAP=%q\n' "$((vm_limit - 30))"
		# make bench knobs (README: Soak runs and benchmarks)
		for v in BENCH_RLB_SIZES BENCH_XMIT_MODES BENCH_XMIT_SLAVES BENCH_XMIT_FRAMES; do
			[[ -n ${!v:-} ]] && printf '%s=%q\n' "$v" "${!v}"
		done
	} >"$job/job.env"
	cp "$list" "$job/tests.list"
	: >"$job/ktap"
	diag "booting $kver (ACCEL=${ACCEL:-auto}, bound ${vm_limit}s)"
	"$here/vm/run.sh" "$kver" "$job" "$vm_limit" ktap 2>"$job/run.err"
	vrc=$?
	console=$logs/$kver${tag:+.$tag}.console.log
	cp "$job/console.log" "$console" 2>/dev/null
	[[ -f $job/vm-time ]] && diag "$(cat "$job/vm-time")"

	# Items the guest did not report (it hung or died) fail.
	got=$(grep -c '^\(not \)\{0,1\}ok ' "$job/ktap")
	cat "$job/ktap" >>"$tap"
	n=$((n + got))
	expected=$((1 + ntests + 1))
	why="guest did not report it"
	[[ -s $job/setup-error ]] && why="guest setup failed: $(head -n1 "$job/setup-error")"
	[[ -s $job/guest-capped ]] && why="not run: $(head -n1 "$job/guest-capped")"
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
	3|4) emit not-ok "$kver:console" "kernel splat on the console" ;;
	5)   emit not-ok "$kver:console" "guest hung or crashed; kernel splat on the console" ;;
	*)   emit not-ok "$kver:console" "tools/vm/run.sh exited $vrc" ;;
	esac
	if [[ $vrc != 0 ]]; then
		sed 's/^/#   /' "$job/run.err"
		while IFS=$'\t' read -r t _ _ kind _; do
			f=$job/tests/$t.log
			[[ -f $f ]] || continue
			grep -q "^not ok [0-9]* $kver:$t\( \|$\)" "$job/ktap" || continue
			diag "---- failed checks of $t (with 6 lines after each):"
			# ours: lib.sh's "# FAIL"; upstream: net/lib.sh's "[FAIL]"
			if [[ $kind == kselftest ]]; then
				grep -n -A6 -e '\[FAIL\]' -e '^FAIL' "$f"
			else
				grep -n -A6 '^ *# FAIL' "$f"
			fi | head -n 60 | sed 's/^/#   /'
			diag "---- output of $t (end):"
			show_tail "$f" 30
		done <"$list"
		diag "console log: $console"
	fi
	diag "$kver done in $((SECONDS - kt0))s"
}

# Kernels boot side by side when the host has a core for each guest
# (BOND_CHECK_JOBS, default: 2 with 2+ cores, 1 otherwise; make bench: 1,
# so that its guests measure alone). A TCG guest is one host thread, so two
# guests fit CI's 2 cores, and make check takes about as long as its
# slowest kernel instead of the sum (README: measured figures). Each
# kernel's items then go to a file of their own, numbered from 1; they are
# printed in KERNELS order (the first one live), renumbered to follow on.
jobs=${BOND_CHECK_JOBS:-}
if [[ -z $jobs ]]; then
	jobs=1
	(($(nproc) >= 2)) && [[ -z ${BOND_LIST:-} ]] && jobs=2
fi
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "check.sh: BOND_CHECK_JOBS must be a positive number" >&2; exit 2; }
if ((jobs == 1 || nkern == 1)); then
	kleft=$nkern
	for series in $KERNELS; do
		kleft=$((kleft - 1))
		kernel_items "$series" "$kleft"
	done
else
	part=$logs/part${tag:+-$tag}
	rm -f "$part".*
	pids=()
	i=0
	for series in $KERNELS; do
		# At most $jobs at once: kernel i starts when kernel i - jobs is
		# done (polled: a sibling cannot be waited for), so the printing
		# below already streams the first kernel.
		prev=
		((i >= jobs)) && prev=${pids[i - jobs]}
		# Kernels still to boot after this one, if it waits for a slot.
		kleft=$(((nkern - i - 1) / jobs))
		(
			n=0 tap=$part.$i.tap
			while [[ -n $prev ]] && kill -0 "$prev" 2>/dev/null; do sleep 2; done
			kernel_items "$series" "$kleft"
		) >"$part.$i.out" &
		pids+=($!)
		i=$((i + 1))
	done
	for ((i = 0; i < nkern; i++)); do
		# A shell loop, not awk: mawk reads a pipe in blocks, so nothing
		# would show until the kernel is done.
		while IFS= read -r line; do
			if [[ $line =~ ^(not\ )?ok\ [0-9]+(\ .*)?$ ]]; then
				n=$((n + 1))
				line="${BASH_REMATCH[1]}ok $n${BASH_REMATCH[2]}"
				echo "$line" >>"$tap"
			fi
			echo "$line"
		done < <(tail -n +1 -F --pid="${pids[i]}" "$part.$i.out" 2>/dev/null)
		wait "${pids[i]}"
	done
fi

ktap_end
