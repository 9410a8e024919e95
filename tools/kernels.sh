#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest kernels for the build + VM test loop.
#
#   kernels.sh resolve SERIES...  print the kernel release to use for each series
#                                 (newest known to apt, else newest in the cache)
#   kernels.sh fetch SERIES...    make sure each is downloaded and extracted into
#                                 the cache; print the kernel releases
#   kernels.sh kdir KVER          print the headers directory of a cached kernel
#   kernels.sh root KVER          print the extracted root of a cached kernel
#   kernels.sh cached             list the cached kernel releases, newest last
#
# SERIES is "6.1", "6.12", ... (a full release such as 6.12.117+deb12-amd64 is
# accepted too), "<series>-rt": Debian's PREEMPT_RT kernel of that series
# (linux-image-6.12-rt-amd64; bookworm's 6.1 one is linux-image-rt-amd64),
# or "<series>-debug": the debug kernel of make check-debug,
# built from Debian's linux-source-<series> by tools/vm/debug-kernel.sh
# (22 minutes on 2 cores the first time) and cached here the same way. Kernel packages are never installed: their .debs are fetched
# with `apt-get download` and unpacked with `dpkg-deb -x` under
# $BOND_CACHE/kernels/<kver>/root, then patched so the headers work from there.
set -euo pipefail

BOND_CACHE=${BOND_CACHE:-/var/cache/bonding-ko}
KCACHE=$BOND_CACHE/kernels

die() { echo "kernels.sh: $*" >&2; exit 1; }

# The flavour a series asks for: "-rt" series the rt-amd64 one, the others
# the standard amd64 one (never -cloud).
is_flavour_of() {		# KVER SERIES
	if [[ $2 == *-rt ]]; then
		[[ $1 == *-rt-amd64 ]]
	else
		[[ $1 == *-amd64 && $1 != *-cloud-amd64 && $1 != *-rt-amd64 ]]
	fi
}

series_of() {			# 6.12.117+deb12-amd64 -> 6.12, 6.1.0-56-amd64 -> 6.1
	local v=${1%%-*}
	v=${v%%+*}
	v=${v%.*}
	[[ $1 == *-bonddebug-* ]] && v+=-debug	# 6.12.118-bonddebug-<key> -> 6.12-debug
	[[ $1 == *-rt-amd64 ]] && v+=-rt	# 6.12.118+deb12-rt-amd64 -> 6.12-rt
	echo "$v"
}

matches_series() {		# KVER SERIES
	[[ $1 == "$2" ]] || [[ $(series_of "$1") == "$2" ]]
}

cached() {
	local d
	for d in "$KCACHE"/*/.ready; do
		[[ -e $d ]] || continue
		d=${d%/.ready}
		echo "${d##*/}"
	done | sort -V
}

newest_cached() {
	local k best=
	for k in $(cached); do
		matches_series "$k" "$1" && best=$k
	done
	[[ -n $best ]] && echo "$best"
}

# The image package apt would pick for a series, via the metapackages:
# linux-image-<series>-amd64 (e.g. 6.12 on bookworm; 6.12-rt-amd64 for
# "6.12-rt"), else linux-image-amd64 (bookworm's default 6.1) or, for an
# "-rt" series, linux-image-rt-amd64, when its dependency is of that series.
# apt-cache is slow here (no pkgcache), so one call serves all series.
declare -A apt_dep=()
apt_loaded=
apt_load() {			# SERIES...
	local metas=(linux-image-amd64 linux-image-rt-amd64) s meta='' line
	[[ -n $apt_loaded ]] && return
	apt_loaded=1
	for s; do metas+=("linux-image-$s-amd64"); done
	while IFS= read -r line; do
		case $line in
		linux-image-*) meta=$line ;;
		*"Depends: linux-image-"*)
			line=${line##*Depends: linux-image-}
			[[ $line == *-unsigned || -n ${apt_dep[$meta]:-} ]] || apt_dep[$meta]=$line ;;
		esac
	done < <(apt-cache depends "${metas[@]}" 2>/dev/null)
}

apt_image_for() {
	local meta dep dflt=linux-image-amd64
	[[ $1 == *-rt ]] && dflt=linux-image-rt-amd64
	for meta in "linux-image-$1-amd64" "$dflt"; do
		dep=${apt_dep[$meta]:-}
		[[ -n $dep ]] && is_flavour_of "$dep" "$1" && matches_series "$dep" "$1" &&
			{ echo "$dep"; return 0; }
	done
	return 1
}

resolve() {			# SERIES -> kver
	local s=$1 k
	if [[ $s == *-debug ]]; then
		"$(dirname "$0")/vm/debug-kernel.sh" kver "${s%-debug}"
		return
	fi
	if [[ $s == *-amd64 || $s == *-bonddebug-* ]]; then
		echo "$s"
		return
	fi
	if k=$(apt_image_for "$s"); then
		echo "$k"
	elif k=$(newest_cached "$s"); then
		echo "$k"
	else
		die "no kernel of series $s: apt knows none (run 'apt-get update' or 'make deps') and none is cached in $KCACHE"
	fi
}

# Rewrite what the packages hard-wire to /usr/src and /lib/modules so the
# extracted tree works from the cache directory.
fixup() {			# KVER ROOT
	local kver=$1 root=$2 hdr common
	hdr=$root/usr/src/linux-headers-$kver
	common=$(sed -n 's|^include /usr/src/\(linux-headers-[^/]*\)/Makefile$|\1|p' "$hdr/Makefile")
	if [[ -n $common ]]; then
		cat > "$hdr/Makefile" <<-EOM
		# Rewritten by bonding-ko tools/kernels.sh: the packaged file includes
		# /usr/src/$common/Makefile; this works from any location.
		include \$(abspath \$(dir \$(lastword \$(MAKEFILE_LIST)))../$common/Makefile)
		EOM
		ln -sfn "../../../usr/src/$common" "$root/lib/modules/$kver/source"
	fi
	ln -sfn "../../../usr/src/linux-headers-$kver" "$root/lib/modules/$kver/build"
	# modules.dep & co. are made by the package's postinst; make them here
	# (into the cache only) so modprobe -d/-S and the guest work.
	depmod -b "$root" "$kver"
}

fetch_one() {			# SERIES -> kver (cached)
	local s=$1 kver ver pkgs deps dl dir root p
	if [[ $s == *-debug ]]; then
		"$(dirname "$0")/vm/debug-kernel.sh" build "${s%-debug}"
		return
	fi
	kver=$(resolve "$s")
	dir=$KCACHE/$kver
	if [[ -e $dir/.ready ]]; then
		echo "$kver"
		return
	fi
	apt-cache show "linux-image-$kver" >/dev/null 2>&1 ||
		die "linux-image-$kver is not known to apt (run 'apt-get update')"
	ver=$(apt-cache show "linux-image-$kver" | sed -n 's/^Version: //p' | head -n1)
	deps=$(apt-cache depends "linux-headers-$kver" |
	       sed -n 's/^ *Depends: \(linux-\(headers-[^ ]*-common\(-rt\)\{0,1\}\|kbuild-[^ ]*\)\)$/\1/p')
	pkgs="linux-image-$kver linux-headers-$kver $deps"
	echo "kernels.sh: fetching $kver ($ver): $pkgs" >&2
	dl=$BOND_CACHE/debs
	mkdir -p "$dl"
	for p in $pkgs; do
		ls "$dl/${p}_"*.deb >/dev/null 2>&1 && continue
		(cd "$dl" && apt-get download -q -o APT::Sandbox::User=root "$p=$ver" >&2) ||
		(cd "$dl" && apt-get download -q -o APT::Sandbox::User=root "$p" >&2) ||
			die "cannot download $p"
	done
	rm -rf "$dir"
	root=$dir/root
	mkdir -p "$root"
	for p in $pkgs; do
		dpkg-deb -x "$(ls "$dl/${p}_"*.deb | sort -V | tail -n1)" "$root"
	done
	fixup "$kver" "$root"
	[[ -f $root/boot/vmlinuz-$kver ]] || die "no vmlinuz in linux-image-$kver"
	echo "$s" > "$dir/series"
	touch "$dir/.ready"
	echo "$kver"
}

cmd=${1:-}
shift || true
case $cmd in
resolve)
	apt_load "$@"
	for s; do resolve "$s"; done ;;
fetch)
	mkdir -p "$KCACHE"
	exec 9>"$BOND_CACHE/.fetch.lock"
	flock 9
	apt_load "$@"
	for s; do fetch_one "$s"; done ;;
kdir)
	[[ -e $KCACHE/$1/.ready ]] || die "kernel $1 is not in the cache (make deps)"
	echo "$KCACHE/$1/root/usr/src/linux-headers-$1" ;;
root)
	[[ -e $KCACHE/$1/.ready ]] || die "kernel $1 is not in the cache (make deps)"
	echo "$KCACHE/$1/root" ;;
cached)
	cached ;;
*)
	sed -n '4,14s/^# \{0,1\}//p' "$0" >&2
	exit 2 ;;
esac
