#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# builtin-refusal.sh KVER: prove that a kernel with CONFIG_BONDING=y is
# refused, with the one-line explanation, by `make` (tools/build.sh), by a
# plain kbuild `make -C KDIR M=...` (the top-level Kbuild) and by a DKMS
# build (the PRE_BUILD script and Kbuild). Uses a throw-away copy of KVER's
# cached headers with CONFIG_BONDING switched to y. Exit 0 if all refuse.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kver=$1
: "${BOND_CACHE:=/var/cache/bonding-ko}"
kdir=$("$here/kernels.sh" kdir "$kver") || exit 1
msg='CONFIG_BONDING=y; a built-in bonding driver cannot be replaced by a module'

# The copy must sit next to the original: its Makefile includes ../<common>.
ydir=$(mktemp -d "$(dirname "$kdir")/linux-headers-ytest.XXXXXX")
work=$(mktemp -d)
trap 'rm -rf "$ydir" "$work"' EXIT
cp -a "$kdir/." "$ydir/"
sed -i 's/^CONFIG_BONDING=m$/CONFIG_BONDING=y/' "$ydir/.config" "$ydir/include/config/auto.conf"
grep -q '^CONFIG_BONDING=y$' "$ydir/include/config/auto.conf" || { echo "could not set CONFIG_BONDING=y" >&2; exit 1; }

fails=0
expect_refusal() {		# WHAT LOG CMD...
	local what=$1 log=$2
	shift 2
	if "$@" >"$log" 2>&1; then
		echo "FAIL: $what built for a CONFIG_BONDING=y kernel"
		fails=$((fails + 1))
	elif ! grep -qF "$msg" "$log"; then
		echo "FAIL: $what failed without the explanation; output:"
		sed 's/^/  | /' "$log"
		fails=$((fails + 1))
	else
		echo "ok: $what refuses: $(grep -F "$msg" "$log" | head -n1)"
	fi
}

expect_refusal "make (tools/build.sh)" "$work/make.log" env KDIR="$ydir" "$here/build.sh" driver

"$here/snapshot-src.sh" "$work/src"
expect_refusal "kbuild make -C KDIR M=..." "$work/kbuild.log" \
	env -u MAKEFLAGS -u MAKELEVEL make -C "$ydir" M="$work/src" modules

dk=$work/dkms
mkdir -p "$dk/tree" "$dk/source" "$dk/install/$kver" "$dk/src"
cp -a "$work/src/." "$dk/src/"
dkopts=(--dkmstree "$dk/tree" --sourcetree "$dk/source" --installtree "$dk/install" --kernelsourcedir "$ydir")
dkms add "$dk/src" "${dkopts[@]}" >"$work/dkms-add.log" 2>&1 || { echo "FAIL: dkms add"; cat "$work/dkms-add.log"; exit 1; }
dkms_build() {
	sign_file=/nonexistent dkms build -m bonding -v "$(BOND_SRC=$work/src "$here/version-check.sh")" \
		-k "$kver" "${dkopts[@]}"
}
expect_refusal "dkms build" "$work/dkms-build.log" dkms_build

exit $((fails > 0))
