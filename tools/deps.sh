#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh: `make deps`. Install the Debian packages the build + VM loop needs
# (only what is missing; `apt-get update` only then), and fetch + extract the
# guest kernels of $KERNELS (default "6.1 6.12 6.12-rt") into $BOND_CACHE. Idempotent:
# quiet and fast when everything is there.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
: "${KERNELS:=6.1 6.12 6.12-rt}"
: "${BOND_CACHE:=/var/cache/bonding-ko}"
export BOND_CACHE

# build: make, the kernels' compiler (gcc-12), what the kbuild tools link
# against, pahole for BTF (6.12), sparse, dkms, kmod, openssl (module signing)
# VM: qemu, a static busybox for the initramfs, cpio, xz/zstd (modules)
# tests: iproute2 and the usual network tools (also all that upstream's
# bonding selftests need: jq, tc flower, ping, ethtool; make check-upstream),
# python3 (bond_3ad_tool.py: LACPDUs and a tap relay for the 802.3ad tests).
# Every tool a selftest needs must be here: make check fails a test that
# skips for a missing one (selftests/allowed_skips).
pkgs=(
	make gcc gcc-12 libc6-dev libelf1 libssl3 zlib1g dwarves sparse dkms kmod openssl
	qemu-system-x86 busybox-static cpio xz-utils zstd
	iproute2 jq tcpdump ethtool arping iputils-ping ifenslave bridge-utils
	procps psmisc util-linux mount coreutils python3
)

# Building or preparing a kernel tree from linux-source: make deps-debug /
# check-debug (tools/vm/debug-kernel.sh) and make deps-cross (tools/cross.sh),
# which also needs the cross compilers.
[[ -n ${BOND_DEPS_DEBUG:-}${BOND_DEPS_CROSS:-} ]] && pkgs+=(bc bison flex libelf-dev libssl-dev)
[[ -n ${BOND_DEPS_CROSS:-} ]] && pkgs+=(gcc-12-aarch64-linux-gnu gcc-12-i686-linux-gnu
	gcc-12-s390x-linux-gnu gcc-12-mips64-linux-gnuabi64)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

apt_updated=
apt_update() {
	[[ -n $apt_updated ]] && return
	echo "deps: apt-get update"
	apt-get update -qq
	apt_updated=1
}

if ((${#missing[@]})); then
	[[ $(id -u) == 0 ]] || { echo "deps: missing ${missing[*]}; run as root" >&2; exit 1; }
	echo "deps: installing ${missing[*]}"
	apt_update
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Guest kernels. Without package lists apt knows no kernel: update first.
if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
	apt_update
fi
# shellcheck disable=SC2086	# KERNELS is a list
if ! ks=$("$here/kernels.sh" fetch $KERNELS); then
	# Stale package lists may name a kernel the mirror no longer has
	# (a debug kernel that failed to build would only fail again).
	[[ -z $apt_updated && $KERNELS != *-debug* ]] || exit 1
	apt_update
	ks=$("$here/kernels.sh" fetch $KERNELS)
fi
echo "deps: guest kernels:" $ks
