#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh KVER JOBDIR TIMEOUT [FOLLOW]
#
# Boot a cached Debian kernel under QEMU and run one guest job in it. The
# caller fills JOBDIR/job.env with shell assignments, at least
# BOND_GUEST_SCRIPT (a bash script, run as root in the guest by
# tools/vm/guest-main.sh after our bonding module is put in place); this
# script adds KVER, BOND_REPO and BOND_CACHE. JOBDIR is shared read-write with
# the guest at the same path; the guest leaves there:
#   output.log  everything the job printed     status  the job's exit code
# The console (ttyS0: kernel log + job output) goes to JOBDIR/console.log.
# FOLLOW, if given, is a file in JOBDIR streamed to stdout while the guest runs.
#
# The whole run is bounded by TIMEOUT seconds (host-side `timeout`). Exit
# status: 0 the job ran and passed and the console shows no kernel splat;
# 1 the job failed; 2 the guest hung, crashed or never started the job;
# 3, 4, 5: the console shows a kernel splat, and the job passed (3), failed
# (4), or the guest hung or crashed (5): a splat is reported whatever else
# went wrong. Reasons go to stderr, with the tail of the console when the
# guest did not finish.
#
# ACCEL=auto|kvm|tcg (default auto: KVM only if /dev/kvm opens read-write).
# BOND_VM_KDEBUG: kernel options that make memory errors visible, default
# "slub_debug=FZP init_on_free=1 rcutree.enable_rcu_lazy=0": slab objects
# are checked, red-zoned and poisoned when freed (other freed memory is
# zeroed), so a use after free reads poison and faults, or SLUB reports the
# overwrite, instead of going unnoticed; and RCU callbacks (kfree_rcu()
# among them) run a grace period after they are queued, not batched for
# seconds as with Debian 6.12's CONFIG_RCU_LAZY (6.1 has no such option
# and ignores it). Set it empty to boot without them.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
kver=$1 job=$2 limit=$3 follow=${4:-}
: "${BOND_CACHE:=/var/cache/bonding-ko}"
: "${ACCEL:=auto}"
: "${BOND_VM_MEM:=1536}"
: "${BOND_VM_KDEBUG=slub_debug=FZP init_on_free=1 rcutree.enable_rcu_lazy=0}"

job=$(cd "$job" && pwd)
case "$repo$job" in
*[[:space:]]*) echo "run.sh: the repo and job paths must not contain spaces" >&2; exit 2 ;;
esac

root=$("$here/../kernels.sh" root "$kver") || exit 2
initrd=$("$here/initramfs.sh" "$kver") || exit 2
kernel=$root/boot/vmlinuz-$kver

# KVM only if /dev/kvm opens read-write and can actually run a guest: on
# some nested hosts it opens but fails at the first instruction. The probe
# (boot the kernel with no root until it panics) is cached per host kernel
# and QEMU version.
kvm_works() {
	(exec 3<>/dev/kvm) 2>/dev/null || return 1
	local stamp probe verdict
	stamp=$BOND_CACHE/kvm-probe-$(uname -r)-$(qemu-system-x86_64 --version | head -n1 | cksum | cut -d' ' -f1)
	if [[ ! -f $stamp ]]; then
		probe=$(mktemp)
		timeout 60 qemu-system-x86_64 -accel kvm -cpu host -m 256 -nographic -nodefaults \
			-no-user-config -no-reboot -serial "file:$probe" -monitor none \
			-kernel "$kernel" -append "console=ttyS0 panic=-1" </dev/null >/dev/null 2>&1
		verdict=$(mktemp "$BOND_CACHE/.kvm-probe.XXXXXX")
		if grep -q 'Kernel panic' "$probe"; then echo ok; else echo broken; fi >"$verdict"
		mv "$verdict" "$stamp"
		rm -f "$probe"
		[[ $(cat "$stamp") == ok ]] ||
			echo "run.sh: /dev/kvm opens but KVM cannot run a guest on this host; using TCG" >&2
	fi
	[[ $(cat "$stamp") == ok ]]
}

case $ACCEL in
auto)
	if kvm_works; then ACCEL=kvm; else ACCEL=tcg; fi ;;
kvm|tcg) ;;
*) echo "run.sh: ACCEL must be auto, kvm or tcg" >&2; exit 2 ;;
esac
extra=
if [[ $ACCEL == kvm ]]; then
	accel=(-accel kvm -cpu host)
else
	# An emulated CPU on a busy host can lose the host CPU for seconds: give
	# RCU-stall and soft-lockup detection more slack than Debian's 21 s / 20 s
	# (a real lockup still shows).
	extra="rcupdate.rcu_cpu_stall_timeout=60 watchdog_thresh=30"
	# Single-threaded TCG: with thread=multi the guest kernel sometimes oopses
	# ("Oops: int3") while live-patching its own text (static keys), as vCPU
	# threads race on cross-modified code.
	accel=(-accel "tcg,thread=${BOND_TCG_THREAD:-single}" -cpu max)
fi
# The debug kernel (make check-debug):
# - no5lvl: "-cpu max" offers 5-level paging, and an interrupt taken during
#   boot before the kernel has patched in its 5-level checks made KASAN
#   report its own irq descriptor as a wild access (seen once in 2 boots);
#   that first report also switches lockdep off for the whole run.
# - kasan_multi_shot: every KASAN report is printed, not only the first.
[[ $kver == *-bonddebug-* ]] && extra+="${extra:+ }no5lvl kasan_multi_shot"

rm -f "$job/console.log" "$job/output.log" "$job/status" "$job/setup-error" "$job/guest-capped"
{
	echo "KVER=$kver"
	echo "BOND_REPO=$repo"
	echo "BOND_CACHE=$BOND_CACHE"
	echo "BOND_ACCEL=$ACCEL"
} >>"$job/job.env"
: >"$job/console.log"
[[ -n $follow ]] && : >"$job/$follow"

qemu=(qemu-system-x86_64 "${accel[@]}" -smp 2 -m "$BOND_VM_MEM"
	-nographic -nodefaults -no-user-config -no-reboot
	-serial "file:$job/console.log" -monitor none
	-kernel "$kernel" -initrd "$initrd"
	-append "console=ttyS0 printk.time=1 log_buf_len=4M panic=-1 $extra $BOND_VM_KDEBUG bond_repo=$repo bond_job=$job"
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$job,mount_tag=bondjob,security_model=none,multidevs=remap")

start=$(date +%s%N)
timeout --kill-after=10 "$limit" "${qemu[@]}" </dev/null >"$job/qemu.out" 2>&1 &
qpid=$!
if [[ -n $follow ]]; then
	tail -n +1 -F --pid=$qpid "$job/$follow" 2>/dev/null &
	tpid=$!
fi
wait $qpid
qrc=$?
[[ -n $follow ]] && { wait $tpid 2>/dev/null; }
ms=$(( ($(date +%s%N) - start) / 1000000 ))
printf '%s guest (%s) ran %d.%01d s\n' "$kver" "$ACCEL" $((ms / 1000)) $((ms % 1000 / 100)) >"$job/vm-time"

rc=0
if [[ $qrc == 124 || $qrc == 137 ]]; then
	echo "run.sh: $kver: guest did not finish within ${limit}s (killed); console: $job/console.log" >&2
	rc=2
elif [[ ! -s $job/status ]]; then
	if [[ -s $job/guest-capped ]]; then
		echo "run.sh: $kver: $(cat "$job/guest-capped"); console: $job/console.log" >&2
	else
		echo "run.sh: $kver: guest stopped before the job finished (qemu exit $qrc); console: $job/console.log" >&2
	fi
	[[ -s $job/qemu.out ]] && sed 's/^/  qemu: /' "$job/qemu.out" >&2
	rc=2
elif [[ $(cat "$job/status") != 0 ]]; then
	rc=1
fi
if [[ $rc == 2 ]]; then
	echo "run.sh: last console lines:" >&2
	tail -n 40 "$job/console.log" | sed 's/^/  | /' >&2
fi
# Only kernel lines ("[  12.345678] ...") count: test output on the console
# may quote the patterns.
if grep -aE '^\[ *[0-9]+\.[0-9]+\]' "$job/console.log" |
   grep -Ef <(grep -Ev '^(#|$)' "$repo/selftests/splat_patterns") >"$job/console-splats"; then
	echo "run.sh: $kver: kernel splat on the console:" >&2
	sed 's/^/  ! /' "$job/console-splats" >&2
	rc=$((rc + 3))
fi
exit $rc
