#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh: `make demo` (after `make deps`). Builds bonding.ko for the
# $DEMO_KERNEL series (default 6.12), installs it through DKMS into the
# cache staging tree, boots ONE VM and runs tools/vm/demo.sh there, showing
# its narration live. Bounded: the VM is killed after 300 s.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
: "${DEMO_KERNEL:=6.12}"
: "${BOND_CACHE:=/var/cache/bonding-ko}"
export BOND_CACHE
unset WERROR

say() { echo "demo: $*"; }

mkdir -p "$repo/build"
exec 8>"$repo/build/.lock"
flock -n 8 || { say "waiting for another make check/demo in this checkout"; flock 8; }
kver=$("$here/kernels.sh" fetch "$DEMO_KERNEL") || exit 1
# Build and DKMS-install the very same sources.
export BOND_SRC=$repo/build/demo-src
rm -rf "$BOND_SRC"
env -u BOND_SRC "$here/snapshot-src.sh" "$BOND_SRC" || exit 1
kdir=$("$here/kernels.sh" kdir "$kver")
out=$repo/build/$kver
mkdir -p "$out"
say "building bonding.ko for $kver"
if ! KDIR=$kdir "$here/build.sh" driver >"$out/demo-build.log" 2>&1; then
	tail -n 30 "$out/demo-build.log"
	say "the driver does not build for $kver (log: $out/demo-build.log); nothing to demo"
	exit 1
fi
say "installing it with DKMS (staging tree in $BOND_CACHE)"
mod=$("$here/dkms-stage.sh" "$kver" "$kdir" "$out/dkms") || exit 1
index=$("$here/vm/modules-index.sh" "$kver" "$mod") || exit 1
version=$("$here/version-check.sh") || exit 1

job=$out/demo
rm -rf "$job"
mkdir -p "$job"
{
	printf 'BOND_GUEST_SCRIPT=%q\n' "$here/vm/demo.sh"
	printf 'BOND_KO_VERSION=%q\n' "$version"
	printf 'BOND_MAKE_MODULE=%q\n' "$out/drivers/net/bonding/bonding.ko"
	printf 'BOND_DKMS_MODULE=%q\n' "$mod"
	printf 'BOND_MODULES_INDEX=%q\n' "$index"
} >"$job/job.env"
say "booting $kver under QEMU (ACCEL=${ACCEL:-auto}); the console goes to $job/console.log"
"$here/vm/run.sh" "$kver" "$job" 300 output.log
rc=$?
cat "$job/vm-time" 2>/dev/null
case $rc in
0) say "finished" ;;
3) say "finished, but the kernel logged a splat (above; console: $job/console.log)" ;;
4|5) say "the demo did not finish cleanly and the kernel logged a splat (above; console: $job/console.log)" ;;
*) say "the demo did not finish cleanly (exit $rc); console: $job/console.log" ;;
esac
exit "$rc"
