#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh MODE    (MODE: driver | sparse | test-modules | kdir)
#
#   driver        build bonding.ko against $KDIR (always W=1)
#   sparse        the same with C=2 (sparse on every file); any warning fails
#   test-modules  build every kbuild dir under selftests/modules/*/ against $KDIR
#   kdir          only print the KDIR line
#
# Environment: KDIR (default: see pick_kdir), WERROR=1 (any compiler, modpost
# or sparse warning fails the build), BOND_CACHE, BOND_SRC (driver sources
# from this snapshot, see snapshot-src.sh, instead of the checkout),
# BOND_SPARSE (sparse and its options, default "sparse"; make cross), and
# ARCH / CROSS_COMPILE, which kbuild reads from the environment (make cross).
#
# Builds happen out of the source tree: sources are copied to build/<kver>/
# (driver) and build/<kver>/test-modules/<name>/, so several kernels never
# clobber each other. Prints the KDIR used and why, then the results.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
srcroot=${BOND_SRC:-$repo}
mode=${1:-driver}
: "${BOND_CACHE:=/var/cache/bonding-ko}"
: "${WERROR:=0}"
KDIR=${KDIR:-}

die() { echo "build.sh: $*" >&2; exit 1; }

has_tree() { [[ -f $1/Makefile && -f $1/.config ]]; }

pick_kdir() {
	local running d best=
	running=$(uname -r)
	if [[ -n $KDIR ]]; then
		has_tree "$KDIR" || die "KDIR=$KDIR is not a configured kernel build tree (no Makefile/.config)"
		why="given as KDIR"
		return
	fi
	if has_tree "/lib/modules/$running/build"; then
		KDIR=/lib/modules/$running/build
		why="the running kernel's build tree"
		return
	fi
	best=$(for d in /usr/src/linux-headers-*; do if has_tree "$d"; then echo "$d"; fi; done | sort -V | tail -n1)
	if [[ -n $best ]]; then
		KDIR=$best
		why="newest installed headers; running kernel $running has no build tree"
		return
	fi
	best=$("$here/kernels.sh" cached | tail -n1)
	if [[ -n $best ]]; then
		KDIR=$("$here/kernels.sh" kdir "$best")
		why="newest kernel in $BOND_CACHE; no headers installed for running kernel $running"
		return
	fi
	die "no kernel headers found: install linux-headers-$running, pass KDIR=..., or run 'make deps'"
}

# Copy the files of SRC (a directory) into DST, keeping timestamps so kbuild
# rebuilds only what changed, and drop sources that no longer exist in SRC.
sync_dir() {
	local src=$1 dst=$2 f
	mkdir -p "$dst"
	(cd "$src" && find . -type f ! -name '*.o' ! -name '*.ko' ! -name '*.cmd' ! -name '*.mod' \
		! -name '*.mod.c' ! -name modules.order ! -name Module.symvers ! -name '*.a' -print0) |
	while IFS= read -r -d '' f; do
		if [[ ! -e $dst/$f ]] || ! cmp -s "$src/$f" "$dst/$f"; then
			mkdir -p "$(dirname "$dst/$f")"
			cp -p "$src/$f" "$dst/$f"
		fi
	done
	(cd "$dst" && find . -type f \( -name '*.[chS]' -o -name Kbuild -o -name Makefile \) -print0) |
	while IFS= read -r -d '' f; do
		[[ -e $src/$f ]] || rm -f "$dst/$f"
	done
}

# A tree made with `make modules_prepare` only (make cross, tools/cross.sh)
# has no Module.symvers: modpost cannot resolve the module's symbols and
# would fail on every one. There it only warns (KBUILD_MODPOST_WARN=1), and
# these warnings of its, which say nothing about our code, are not counted.
nosymvers_re='^WARNING: (Module\.symvers is missing\.|modpost: "[^"]+" \[[^]]+\] undefined!|modpost: suppressed [0-9]+ unresolved symbol warnings)'

# kbuild MODULE_DIR LOG [extra make args]: build; with WERROR=1 or C=2,
# fail on any warning in the output.
kbuild() {
	local dir=$1 log=$2 strict=$WERROR ignore='^$'
	shift 2
	local args=(-C "$KDIR" M="$dir" W=1 -j"$(nproc)")
	[[ $WERROR == 1 ]] && args+=(KCFLAGS=-Werror)
	[[ " $* " == *" C=2 "* ]] && strict=1
	if [[ ! -f $KDIR/Module.symvers ]]; then
		echo "build.sh: $KDIR has no Module.symvers: undefined symbols are not checked"
		args+=(KBUILD_MODPOST_WARN=1)
		ignore=$nosymvers_re
	fi
	set +e
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make "${args[@]}" "$@" modules 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	set -e
	if [[ $rc != 0 ]]; then
		echo "build.sh: build failed (exit $rc); log: $log" >&2
		return 1
	fi
	local warns
	mapfile -t warns < <(grep -iE '(^|[^a-z])warning:' "$log" | grep -vE "$ignore")
	if [[ $strict == 1 && ${#warns[@]} != 0 ]]; then
		echo "build.sh: warnings are errors here (WERROR=1 / sparse); log: $log" >&2
		printf '  ! %s\n' "${warns[@]}" >&2
		return 1
	fi
}

pick_kdir
echo "KDIR=$KDIR ($why)"
[[ $mode == kdir ]] && exit 0
"$here/kconfig-check.sh" "$KDIR" || exit 1
# The release modules built here are for (vermagic); Debian's
# include/config/kernel.release holds only the upstream version.
kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$KDIR/include/generated/utsrelease.h" 2>/dev/null)
[[ -n $kver ]] || die "cannot read the kernel release from $KDIR/include/generated/utsrelease.h"
out=$repo/build/$kver

case $mode in
driver|sparse)
	src=$srcroot/drivers/net/bonding
	[[ -f $src/Kbuild || -f $src/Makefile ]] || die "no driver sources: $src has no Kbuild/Makefile"
	mkdir -p "$out"
	cp -p "$srcroot/Kbuild" "$out/Kbuild"
	sync_dir "$src" "$out/drivers/net/bonding"
	if [[ $mode == sparse ]]; then
		command -v sparse >/dev/null || die "sparse is not installed (make deps)"
		kbuild "$out" "$out/sparse.log" C=2 CHECK="${BOND_SPARSE:-sparse}"
		echo "sparse: no warnings ($kver)"
	else
		kbuild "$out" "$out/build.log"
		ko=$out/drivers/net/bonding/bonding.ko
		[[ -f $ko ]] || die "no $ko after the build"
		echo "built $ko (version $(modinfo -F version "$ko"), srcversion $(modinfo -F srcversion "$ko"))"
	fi
	;;
test-modules)
	mkdir -p "$out/test-modules"
	rm -f "$out/test-modules"/*.ko
	n=0
	for d in "$repo"/selftests/modules/*/; do
		[[ -f $d/Kbuild || -f $d/Makefile ]] || continue
		name=$(basename "$d")
		sync_dir "$d" "$out/test-modules/src/$name"
		kbuild "$out/test-modules/src/$name" "$out/test-modules/src/$name.log"
		for ko in "$out/test-modules/src/$name"/*.ko; do
			[[ -f $ko ]] && cp "$ko" "$out/test-modules/" && n=$((n + 1))
		done
	done
	echo "test modules: $n built into $out/test-modules"
	;;
*)
	die "unknown mode $mode"
	;;
esac
