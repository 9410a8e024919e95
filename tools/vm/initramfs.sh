#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh KVER: print the path of the test VM's initramfs for a cached
# kernel, building it first if the cached one is missing or out of date.
# It holds a static busybox, tools/vm/init and, decompressed, the modules
# needed to mount a virtio-9p root under overlayfs (resolved with modprobe
# --show-depends against the extracted kernel, so built-in ones are skipped).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kver=$1
root=$("$here/../kernels.sh" root "$kver")
busybox=/bin/busybox
want="virtio_pci 9pnet_virtio 9p overlay"

[[ -x $busybox ]] && ! ldd "$busybox" >/dev/null 2>&1 ||
	{ echo "initramfs.sh: need a static $busybox (apt-get install busybox-static, or make deps)" >&2; exit 1; }

mods=$(modprobe -d "$root" -S "$kver" --show-depends -a $want | awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++')
key=$( { cat "$here/init" "$busybox"; echo "$kver"; echo "$mods"; } | sha256sum | cut -c1-16)
cache=$(dirname "$root")
out=$cache/initramfs-$key.cpio
if [[ -s $out ]]; then
	echo "$out"
	exit 0
fi

tmp=$(mktemp -d)
part=
trap 'rm -rf "$tmp" $part' EXIT
mkdir -p "$tmp/bin" "$tmp/dev" "$tmp/modules"
cp "$busybox" "$tmp/bin/busybox"
cp "$here/init" "$tmp/init"
chmod 755 "$tmp/init"
mknod -m 600 "$tmp/dev/console" c 5 1
for m in $mods; do
	b=$(basename "$m")
	case $m in
	*.xz)  xz -dc "$m" >"$tmp/modules/${b%.xz}"; b=${b%.xz} ;;
	*.zst) zstd -qdc "$m" >"$tmp/modules/${b%.zst}"; b=${b%.zst} ;;
	*.gz)  gzip -dc "$m" >"$tmp/modules/${b%.gz}"; b=${b%.gz} ;;
	*)     cp "$m" "$tmp/modules/$b" ;;
	esac
	echo "$b" >>"$tmp/modules/load.order"
done
touch "$tmp/modules/load.order"
# Several checkouts may share the cache: write privately, rename into place,
# prune old images by age only.
find "$cache" -maxdepth 1 -name 'initramfs-*' -mmin +1440 -delete 2>/dev/null || true
part=$(mktemp "$cache/.initramfs.XXXXXX")
(cd "$tmp" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$part"
mv "$part" "$out"
echo "$out"
