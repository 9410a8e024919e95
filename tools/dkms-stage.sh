#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-stage.sh KVER KDIR OUTDIR
#
# Run the real `dkms add / build / install` for kernel KVER (headers in KDIR)
# entirely inside $BOND_CACHE/dkms/KVER, never touching the host's
# /var/lib/dkms, /usr/src or /lib/modules:
#   --dkmstree   .../tree       (instead of /var/lib/dkms)
#   --sourcetree .../source     (instead of /usr/src)
#   --installtree .../install   (instead of /lib/modules; seeded with the
#                               kernel's in-tree bonding.ko so DKMS's version
#                               sanity check runs as it would on a real host)
#   --kernelsourcedir KDIR, --no-depmod (depmod would act on the host's
#                               /lib/modules/KVER), signing key in the cache.
# The installed module (install/KVER/updates/dkms/bonding.ko*) is copied to
# OUTDIR/, the full DKMS output to OUTDIR/dkms.log; prints the module's path.
# Each run stages in a private directory (checkouts may share the cache).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
kver=$1 kdir=$2 outdir=$3
: "${BOND_CACHE:=/var/cache/bonding-ko}"

srcroot=${BOND_SRC:-$repo}
name=$(sed -n 's/^PACKAGE_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$srcroot/dkms.conf")
ver=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$srcroot/dkms.conf")
[[ -n $name && -n $ver ]] || { echo "dkms-stage.sh: cannot read PACKAGE_NAME/PACKAGE_VERSION from dkms.conf" >&2; exit 1; }

base=$BOND_CACHE/dkms
mkdir -p "$base" "$outdir"
find "$base" -mindepth 1 -maxdepth 1 -name 'run.*' -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
stage=$(mktemp -d "$base/run.XXXXXX")
trap 'rm -rf "$stage"' EXIT
log=$outdir/dkms.log
mkdir -p "$stage/tree" "$stage/source" "$stage/install/$kver" "$stage/src"

# What `dkms add .` would take from a checkout, minus build outputs.
"$here/snapshot-src.sh" "$stage/src"

# A DKMS result is reused when the very same sources were staged for the
# same kernel and DKMS before (like ccache; BOND_DKMS_FRESH=1 to force).
key=$( {
	echo "$kver $kdir"
	dkms --version
	(cd "$stage/src" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
} | sha256sum | cut -c1-16)
done_dir=$base/done/$kver-$key
find "$base/done" -mindepth 1 -maxdepth 1 -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
if [[ -z ${BOND_DKMS_FRESH:-} ]] && mod=$(ls "$done_dir/$name.ko"* 2>/dev/null | head -n1) && [[ -n $mod ]]; then
	{
		echo "dkms-stage.sh: identical sources were built and installed by DKMS for $kver"
		echo "at $(date -r "$done_dir/dkms.log" '+%F %T'); reusing that result ($done_dir)."
		echo "---- log of that run:"
		cat "$done_dir/dkms.log"
	} >"$log"
	rm -f "$outdir/$name.ko"*
	cp "$mod" "$outdir/"
	echo "$outdir/${mod##*/}"
	exit 0
fi

intree=$("$here/kernels.sh" root "$kver")/lib/modules/$kver/kernel/drivers/net/bonding
if [[ -d $intree ]]; then
	mkdir -p "$stage/install/$kver/kernel/drivers/net/bonding"
	cp "$intree"/bonding.ko* "$stage/install/$kver/kernel/drivers/net/bonding/"
fi

# Sign like a Debian host would (DKMS's own MOK-style key), but with a key
# kept in the cache instead of /var/lib/dkms.
if [[ ! -s $base/mok.key || ! -s $base/mok.pub ]]; then
	openssl req -new -x509 -nodes -days 36500 -subj "/CN=bonding-ko test signing key" \
		-newkey rsa:2048 -keyout "$stage/mok.key" -outform DER -out "$stage/mok.pub" >/dev/null 2>&1
	(
		flock 9
		[[ -s $base/mok.key && -s $base/mok.pub ]] ||
			{ mv "$stage/mok.key" "$base/mok.key" && mv "$stage/mok.pub" "$base/mok.pub"; }
	) 9>"$base/.mok.lock"
fi
export mok_signing_key=$base/mok.key mok_certificate=$base/mok.pub sign_file=$kdir/scripts/sign-file

opts=(--dkmstree "$stage/tree" --sourcetree "$stage/source" --installtree "$stage/install"
      --kernelsourcedir "$kdir" --no-depmod)
run() {
	echo "+ dkms $*" >>"$log"
	if ! dkms "$@" "${opts[@]}" >>"$log" 2>&1; then
		echo "dkms-stage.sh: 'dkms $1' failed for $kver; log: $log" >&2
		tail -n 25 "$log" | sed 's/^/  | /' >&2
		for f in "$stage/tree/$name/$ver/build/make.log" "$stage/tree/$name/$ver/$kver"/*/log/make.log; do
			[[ -f $f ]] || continue
			cp "$f" "$outdir/dkms-make.log"
			echo "  make.log (kept as $outdir/dkms-make.log):" >&2
			tail -n 25 "$f" | sed 's/^/  | /' >&2
		done
		exit 1
	fi
}
: >"$log"
run add "$stage/src"
run build -m "$name" -v "$ver" -k "$kver"
run install -m "$name" -v "$ver" -k "$kver"

mod=$(ls "$stage/install/$kver/updates/dkms/$name.ko"* 2>/dev/null | head -n1)
[[ -n $mod ]] || { echo "dkms-stage.sh: dkms install left no $name.ko in install/$kver/updates/dkms; log: $log" >&2; exit 1; }
rm -f "$outdir/$name.ko"*
cp "$mod" "$outdir/"
mkdir -p "$base/done"
part=$(mktemp -d "$base/done/.part.XXXXXX")
cp "$mod" "$log" "$part/"
mv -T "$part" "$done_dir" 2>/dev/null || rm -rf "$part"
echo "$outdir/${mod##*/}"
