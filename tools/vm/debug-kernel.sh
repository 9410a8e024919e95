#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug guest kernel of `make check-debug`: Linux from Debian's
# linux-source-<SERIES> package (the same release as the Debian guest of
# that series), configured as x86_64 defconfig + kvm_guest.config +
# tools/vm/debug-kernel.config (KASAN, lockdep, PROVE_RCU, debug objects,
# kmemleak, net refcount trackers, SLUB debugging; only what the guest and
# the selftests need besides).
#
#   debug-kernel.sh kver SERIES   print the kernel release the build has
#                                 (or would have), without building
#   debug-kernel.sh build SERIES  make sure it is built and cached; print
#                                 the kernel release
#
# The release is <version>-bonddebug-<key>, key a hash of the source package,
# the config fragment and the build steps below, so a change to any of them builds a
# new kernel and an unchanged one reuses the cache. It is cached as
# tools/kernels.sh caches Debian's: $BOND_CACHE/kernels/<kver>/root holds
# boot/vmlinuz-<kver>, lib/modules/<kver>/ and, as
# usr/src/linux-headers-<kver>, the whole built tree (our module builds
# against it), with a .ready stamp. Building took 22 minutes on 2
# cores (BOND_DEBUG_JOBS, default nproc); the log is
# $BOND_CACHE/kernels/<kver>.build.log.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
: "${BOND_CACHE:=/var/cache/bonding-ko}"
KCACHE=$BOND_CACHE/kernels
frag=$here/debug-kernel.config

die() { echo "debug-kernel.sh: $*" >&2; exit 1; }

# The first VERSION.PATCHLEVEL.SUBLEVEL of the package: its Debian version
# (6.12.118-1~deb12u1 -> 6.12.118).
kver_of() {			# DEB
	local ver key
	ver=$(dpkg-deb -f "$1" Version)
	[[ -n $ver ]] || die "$1 has no Version"
	key=$( { echo "$ver"; cat "$frag"; declare -f build check_config; } | sha256sum | cut -c1-8)
	echo "${ver%%-*}-bonddebug-$key"
}

# Every CONFIG_ line of the fragment must hold in the final .config.
check_config() {		# DOTCONFIG
	local line opt bad=
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF "$line" "$1" || bad+=" $line" ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			grep -q "^$opt=" "$1" && bad+=" $opt=n" ;;
		esac
	done <"$frag"
	[[ -z $bad ]] || die "the .config does not have:$bad (dependencies? see $frag)"
}

build() {			# SERIES
	local deb kver dir root tree log jobs=${BOND_DEBUG_JOBS:-$(nproc)} t0=$SECONDS
	deb=$("$here/../upstream.sh" deb "$1") || exit 1
	kver=$(kver_of "$deb")
	dir=$KCACHE/$kver
	if [[ -e $dir/.ready ]]; then
		echo "$kver"
		return
	fi
	mkdir -p "$KCACHE"
	exec 7>"$KCACHE/.debug-build.lock"
	flock 7
	if [[ -e $dir/.ready ]]; then
		echo "$kver"
		return
	fi
	for t in flex bison bc; do
		command -v $t >/dev/null || die "$t is missing (make deps-debug)"
	done
	[[ -f /usr/include/libelf.h && -f /usr/include/openssl/ssl.h ]] ||
		die "libelf-dev and libssl-dev are missing (make deps-debug)"
	log=$KCACHE/$kver.build.log
	echo "debug-kernel.sh: building $kver from ${deb##*/} (-j$jobs, log $log)" >&2
	rm -rf "$dir"
	root=$dir/root
	tree=$root/usr/src/linux-headers-$kver
	mkdir -p "$tree" "$root/boot"
	{
		"$here/../upstream.sh" extract "$deb" "$tree"
		cd "$tree"
		make -s defconfig kvm_guest.config
		scripts/kconfig/merge_config.sh -m .config "$frag"
		scripts/config --set-str LOCALVERSION "-bonddebug${kver#*-bonddebug}" \
			--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS ""
		make olddefconfig
		check_config .config
		make -s syncconfig
		[[ $(make -s kernelrelease) == "$kver" ]] ||
			die "kernel release $(make -s kernelrelease), expected $kver"
		make -j"$jobs" bzImage modules
		make -s modules_install INSTALL_MOD_PATH="$root" INSTALL_MOD_STRIP=1 DEPMOD=true
	} >"$log" 2>&1 || { tail -n 30 "$log" >&2; die "build failed (log $log)"; }
	cp "$tree/arch/x86/boot/bzImage" "$root/boot/vmlinuz-$kver"
	cp "$tree/.config" "$root/boot/config-$kver"
	ln -sfn "../../../usr/src/linux-headers-$kver" "$root/lib/modules/$kver/build"
	rm -f "$root/lib/modules/$kver/source"
	depmod -b "$root" "$kver"
	echo "$1-debug" >"$dir/series"
	touch "$dir/.ready"
	echo "debug-kernel.sh: built $kver in $(((SECONDS - t0) / 60)) min" >&2
	echo "$kver"
}

usage() { sed -n '11,14s/^# \{0,1\}//p' "$0" >&2; exit 2; }
[[ $# == 2 ]] || usage
case $1 in
kver)  kver_of "$("$here/../upstream.sh" deb "$2")" ;;
build) build "$2" ;;
*)     usage ;;
esac
