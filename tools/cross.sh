#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# cross.sh: `make cross`. Build bonding.ko for other architectures than the
# host's, W=1 with warnings as errors and under sparse (C=2), against Linux
# from Debian's linux-source-6.12 (tools/upstream.sh deb 6.12) configured
# for each of them. Build-only: nothing boots.
#
#   arm64   ARCH=arm64 defconfig                 aarch64-linux-gnu-
#   i386    ARCH=i386 i386_defconfig (32-bit)    i686-linux-gnu-
#   s390    ARCH=s390 defconfig (64-bit, BE)     s390x-linux-gnu-
#   mips    ARCH=mips cavium_octeon_defconfig    mips64-linux-gnuabi64-
#           (64-bit, big-endian)
#
# Each tree: the source extracted once per package version into
# $BOND_CACHE/cross/src-<version>/, then per arch an output tree (O=)
# $BOND_CACHE/cross/<arch>-<key>/: the defconfig + the options of $need
# (CONFIG_BONDING=m, LOCALVERSION -cross-<arch>), olddefconfig, every option
# checked in the final .config, then `make modules_prepare`; a .ready stamp
# marks it done. The key is a hash of the package version, the arch table
# and the functions below that make a tree, so a change to any of them
# prepares a new one and an unchanged one is reused: a warm run only builds
# the module (tools/build.sh driver and sparse, KDIR= the tree).
#
# Compilers: Debian's gcc-12-<triplet> packages (make deps-cross) install
# <triplet>-gcc-12 only; $BOND_CACHE/cross/bin/ holds <triplet>-gcc symlinks
# to them and comes first in PATH, so kbuild's $(CROSS_COMPILE)gcc finds
# them (binutils are installed under their plain names).
#
# Environment: ARCHES (default "arm64 i386 s390 mips"), BOND_CROSS_JOBS
# (make -j for preparing a tree, default 1; everything runs under nice -n 19),
# BOND_CACHE. Output: KTAP, two items per arch (<arch>:build,
# <arch>:sparse), then "<n> passed, <n> failed, <n> skipped"; non-zero exit
# on any failure. Logs: build/logs/cross.tap, build/logs/cross-<arch>.*.log;
# a tree's preparation log is <tree>.log next to it.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
: "${BOND_CACHE:=/var/cache/bonding-ko}"
: "${ARCHES:=arm64 i386 s390 mips}"
: "${BOND_CROSS_JOBS:=1}"
export BOND_CACHE
unset KDIR WERROR
series=6.12
cache=$BOND_CACHE/cross
bin=$cache/bin
logs=$repo/build/logs

# name: ARCH CROSS_COMPILE defconfig-target
declare -A arch_table=(
	[arm64]="arm64 aarch64-linux-gnu- defconfig"
	[i386]="i386 i686-linux-gnu- i386_defconfig"
	[s390]="s390 s390x-linux-gnu- defconfig"
	[mips]="mips mips64-linux-gnuabi64- cavium_octeon_defconfig"
)
# What our module needs, on every arch (=y|m: either), and what makes an
# arch the one it claims to be. Each must hold after olddefconfig.
need="CONFIG_MODULES=y CONFIG_NET=y CONFIG_INET=y CONFIG_IPV6=y|m CONFIG_NETDEVICES=y
CONFIG_NET_CORE=y CONFIG_PROC_FS=y CONFIG_SYSFS=y CONFIG_BONDING=m"
declare -A need_arch=(
	[arm64]="CONFIG_ARM64=y CONFIG_64BIT=y"
	[i386]="CONFIG_X86_32=y"
	[s390]="CONFIG_S390=y CONFIG_64BIT=y"
	[mips]="CONFIG_64BIT=y CONFIG_CPU_BIG_ENDIAN=y"
)

# sparse per arch. arch/mips/Makefile hands sparse every macro gcc
# predefines (CHECKFLAGS); sparse 0.6.4 predefines the __ATOMIC_* memory
# orders itself and warns, once per file, that the command line redefines
# them. Undefining its own first leaves gcc's values and no warning.
declare -A sparse_arch=(
	[mips]="sparse -U__ATOMIC_ACQUIRE -U__ATOMIC_RELEASE -U__ATOMIC_ACQ_REL -U__ATOMIC_SEQ_CST"
)

die() { echo "cross.sh: $*" >&2; exit 1; }

# The .config of tree DIR has every OPT=VAL|VAL of WANT; print what it lacks.
config_lacks() {		# DIR WANT
	local w opt val
	for w in $2; do
		opt=${w%%=*}
		val=$(sed -n "s/^$opt=//p" "$1/.config")
		[[ "|${w#*=}|" == *"|$val|"* && -n $val ]] || echo "$w (have ${val:-n})"
	done
}

# Source tree of package DEB, extracted once.
prepare_src() {			# DEB DIR
	local deb=$1 dir=$2
	[[ -e $dir/.ready ]] && return
	rm -rf "$dir"
	mkdir -p "$dir"
	"$here/upstream.sh" extract "$deb" "$dir" || return 1
	touch "$dir/.ready"
}

# Configure and modules_prepare the output tree OUT of source SRC for NAME.
prepare_tree() {		# NAME SRC OUT
	local name=$1 src=$2 out=$3 a cc cfg lacks opt
	read -r a cc cfg <<<"${arch_table[$name]}"
	local mk=(nice -n 19 make -C "$src" O="$out" ARCH="$a" CROSS_COMPILE="$cc")
	rm -rf "$out"
	mkdir -p "$out"
	"${mk[@]}" "$cfg" || return 1
	for opt in $need; do
		opt=${opt%%=*}
		case $opt in
		CONFIG_BONDING) "$src/scripts/config" --file "$out/.config" --module "${opt#CONFIG_}" ;;
		*) grep -q "^$opt=" "$out/.config" ||
			"$src/scripts/config" --file "$out/.config" --enable "${opt#CONFIG_}" ;;
		esac
	done
	"$src/scripts/config" --file "$out/.config" --set-str LOCALVERSION "-cross-$name" \
		--disable LOCALVERSION_AUTO
	"${mk[@]}" olddefconfig || return 1
	lacks=$(config_lacks "$out" "$need ${need_arch[$name]}")
	if [[ -n $lacks ]]; then
		echo "cross.sh: after olddefconfig the .config lacks: $lacks"
		return 1
	fi
	"${mk[@]}" -j"$BOND_CROSS_JOBS" modules_prepare
}

# The tree for NAME, prepared unless cached; prints its path.
tree_of() {			# NAME
	local name=$1 deb ver key src out
	deb=$("$here/upstream.sh" deb "$series") || return 1
	ver=$(dpkg-deb -f "$deb" Version)
	[[ -n $ver ]] || { echo "cross.sh: $deb has no Version" >&2; return 1; }
	src=$cache/src-$ver
	key=$( { echo "$ver ${arch_table[$name]} ${need_arch[$name]} $need"
		declare -f prepare_src prepare_tree config_lacks; } | sha256sum | cut -c1-8)
	out=$cache/$name-$key
	if [[ ! -e $out/.ready ]]; then
		exec 7>"$cache/.lock"
		flock 7
		if [[ ! -e $out/.ready ]]; then
			echo "cross.sh: preparing $out from ${deb##*/} (-j$BOND_CROSS_JOBS, log $out.log)" >&2
			{ prepare_src "$deb" "$src" && prepare_tree "$name" "$src" "$out"; } >"$out.log" 2>&1 || {
				tail -n 20 "$out.log" >&2
				exec 7>&-
				return 1
			}
			touch "$out/.ready"
		fi
		exec 7>&-
	fi
	echo "$out"
}

# The <triplet>-gcc symlinks of every arch whose gcc-12 is installed.
mkdir -p "$bin" "$logs"
for name in "${!arch_table[@]}"; do
	read -r _ cc _ <<<"${arch_table[$name]}"
	[[ -x /usr/bin/${cc}gcc-12 ]] && ln -sfn "/usr/bin/${cc}gcc-12" "$bin/${cc}gcc"
done
export PATH=$bin:$PATH

# shellcheck source=tools/ktap.sh
. "$here/ktap.sh"
ktap_begin "$logs/cross.tap"

for name in $ARCHES; do
	[[ -n ${arch_table[$name]:-} ]] || die "unknown arch $name (ARCHES: ${!arch_table[*]})"
done
echo "TAP version 13"
echo "1..$((2 * $(wc -w <<<"$ARCHES")))"
diag "arches: $ARCHES; kernel: linux-source-$series; trees in $cache"

# build.sh MODE for NAME against TREE, its output to LOG. The tree has no
# vmlinux, so modpost cannot tell a symbol no kernel exports (build.sh); a
# 64-bit division the compiler left to libgcc (__udivdi3 and the like on
# 32-bit arches; the kernel has none of them) is looked for here instead.
build() {			# NAME TREE MODE LOG
	local a cc kver ko helpers
	read -r a cc _ <<<"${arch_table[$1]}"
	ARCH=$a CROSS_COMPILE=$cc KDIR=$2 WERROR=1 BOND_SPARSE=${sparse_arch[$1]:-sparse} \
		nice -n 19 "$here/build.sh" "$3" >"$4" 2>&1 ||
		return 1
	[[ $3 == driver ]] || return 0
	kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$2/include/generated/utsrelease.h")
	ko=$repo/build/$kver/drivers/net/bonding/bonding.ko
	helpers=$("${cc}nm" -u "$ko" | awk '$2 ~ /^__(u?(div|mod)|u?divmod)[dt]i[34]$/ { print $2 }')
	[[ -z $helpers ]] && return 0
	echo "cross.sh: $ko needs libgcc's ${helpers//$'\n'/ } (use div_u64() and friends)" >>"$4"
	return 1
}

for name in $ARCHES; do
	read -r a cc _ <<<"${arch_table[$name]}"
	t0=$SECONDS
	if ! command -v "${cc}gcc" >/dev/null; then
		emit not-ok "$name:build" "no ${cc}gcc-12 (make deps-cross)"
		emit not-ok "$name:sparse" "not run: no compiler"
		continue
	fi
	if ! tree=$(tree_of "$name" 2>"$logs/cross-$name.tree.log"); then
		emit not-ok "$name:build" "kernel tree failed, see $logs/cross-$name.tree.log"
		show_tail "$logs/cross-$name.tree.log" 25
		emit not-ok "$name:sparse" "not run: no kernel tree"
		continue
	fi
	[[ -s $logs/cross-$name.tree.log ]] && diag "$name: tree prepared in $((SECONDS - t0))s: $tree"
	log=$logs/cross-$name.build.log
	t0=$SECONDS
	if build "$name" "$tree" driver "$log"; then
		emit ok "$name:build"
		diag "$name:build: $((SECONDS - t0))s; $(tail -n1 "$log")"
	else
		emit not-ok "$name:build" "see $log"
		show_tail "$log" 25
	fi
	log=$logs/cross-$name.sparse.log
	t0=$SECONDS
	if build "$name" "$tree" sparse "$log"; then
		emit ok "$name:sparse"
		diag "$name:sparse: $((SECONDS - t0))s"
	else
		emit not-ok "$name:sparse" "see $log"
		show_tail "$log" 25
	fi
done

ktap_end
