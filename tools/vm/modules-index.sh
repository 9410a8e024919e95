#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# modules-index.sh KVER MODULE
#
# Print a directory holding the depmod index files (modules.dep, .bin, alias,
# symbols, ...) for the guest's module tree: the kernel package's modules with
# the in-tree drivers/net/bonding/bonding.ko* removed and MODULE (our
# DKMS-installed bonding.ko) added as updates/dkms/. tools/vm/guest-main.sh
# builds exactly that tree in the guest and installs these files into it.
#
# depmod runs here on the host, over a hard-linked copy of the tree, rather
# than in the guest: it must read every module of the kernel, which under TCG
# over virtio-9p took 78 s (6.1) and over 170 s (6.12, .ko.xz) per boot, against
# 2-9 s here. The result is cached under a key of everything depmod takes
# from MODULE (modinfo without signature/srcversion, exported symbols), so an
# edit that does not change the module's imports, exports or aliases reuses it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kver=$1 module=$2
: "${BOND_CACHE:=/var/cache/bonding-ko}"
src=$("$here/../kernels.sh" root "$kver")/lib/modules/$kver
base=$BOND_CACHE/modindex/$kver
mkdir -p "$base"

case $module in
*.xz)  cat_mod() { xz -dc "$module"; } ;;
*.zst) cat_mod() { zstd -qdc "$module"; } ;;
*.gz)  cat_mod() { gzip -dc "$module"; } ;;
*)     cat_mod() { cat "$module"; } ;;
esac
tmpko=$(mktemp --suffix=.ko)
trap 'rm -f "$tmpko"' EXIT
cat_mod >"$tmpko"
key=$( {
	echo "$kver ${module##*/}"
	modinfo "$tmpko" | grep -Ev '^(filename|srcversion|sig_id|signer|sig_key|sig_hashalgo|signature):|^[[:space:]]'
	readelf -p __ksymtab_strings "$tmpko" 2>/dev/null || true
} | sha256sum | cut -c1-16)
index=$base/index-$key
if [[ -f $index/modules.dep.bin ]]; then
	echo "$index"
	exit 0
fi

# Build in a private directory and rename it into place: several checkouts
# may share the cache and run at once. Old indexes are pruned by age only.
find "$base" -mindepth 1 -maxdepth 1 \( -name 'index-*' -o -name 'tmp.*' \) -mmin +1440 \
	-exec rm -rf {} + 2>/dev/null || true
work=$(mktemp -d "$base/tmp.XXXXXX")
trap 'rm -f "$tmpko"; rm -rf "$work"' EXIT
st=$work/root
mkdir -p "$st/lib/modules/$kver/updates/dkms"
cp -al "$src/kernel" "$st/lib/modules/$kver/"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[[ -f $src/$f ]] && cp "$src/$f" "$st/lib/modules/$kver/"
done
rm -f "$st/lib/modules/$kver"/kernel/drivers/net/bonding/bonding.ko*
cp "$module" "$st/lib/modules/$kver/updates/dkms/"
depmod -b "$st" "$kver"
mkdir "$work/index"
cp "$st/lib/modules/$kver"/modules.* "$work/index/"
mv -T "$work/index" "$index" 2>/dev/null || [[ -f $index/modules.dep.bin ]]
echo "$index"
