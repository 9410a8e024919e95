#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Upstream Linux's own bonding selftests, run against our module by
# `make check-upstream` (and by `make check UPSTREAM=...`).
#
#   upstream.sh fetch SERIES  make sure the selftests of Debian's
#                             linux-source-<SERIES> are in the cache; print
#                             their root (.../tools/testing/selftests)
#   upstream.sh list ROOT     print the test entries run from ROOT, one a
#                             line, in tools/vm/guest-tests.sh's format
#   upstream.sh deb SERIES    print the path of the linux-source-<SERIES>
#                             package in the cache, downloading it first
#                             (tools/vm/debug-kernel.sh builds from it)
#   upstream.sh extract DEB DEST [PATTERN...]
#                             extract the Linux tree of linux-source package
#                             DEB into DEST: only PATTERN's members (shell
#                             patterns below its top directory), else all
#                             (debug-kernel.sh, cross.sh)
#
# SERIES is "6.12", "6.1" (a full kernel release is accepted too). The
# package is fetched with `apt-get download` into $BOND_CACHE/src/ unless a
# linux-source-<SERIES>_*.deb is already there (the newest one there is
# used); nothing is installed. Only what the programs need is extracted, once
# per package version, into $BOND_CACHE/upstream/<version>/: the whole
# tools/testing/selftests/drivers/net/bonding/ directory, what its Makefile
# names in TEST_INCLUDES (net/forwarding/lib.sh, net/lib.sh) and what its
# symlinks point to, and net/vlan_hw_filter.sh and net/rtnetlink.sh (which
# sources net/lib.sh from its own directory). Nothing of it enters this
# repository.
#
# Entries: every TEST_PROGS program of drivers/net/bonding/Makefile, bounded
# by that directory's settings (timeout=); net/vlan_hw_filter.sh; and the
# bonding cases of net/rtnetlink.sh, each run alone with -t:
# kci_test_enslave_bonding and kci_test_bridge_parent_id (the latter skips
# itself where the kernel has no netdevsim, as Debian's 6.1 and 6.12). What
# a tree lacks (6.1's: vlan_hw_filter.sh, kci_test_enslave_bonding, -t) is
# not listed. The
# three net/ entries are single small cases: they are bounded by
# $net_timeout seconds, not by net/settings' 3600 s meant for the whole of
# net/.
set -euo pipefail

: "${BOND_CACHE:=/var/cache/bonding-ko}"
net_timeout=300
rtnl_cases="kci_test_enslave_bonding kci_test_bridge_parent_id"
bond_dir=drivers/net/bonding

die() { echo "upstream.sh: $*" >&2; exit 1; }

series_of() {			# 6.12 -> 6.12; 6.12.117+deb12-amd64 -> 6.12; 6.12-rt -> 6.12
	local v=${1%-rt}
	v=${v%-debug}
	[[ $v == *-* ]] || { echo "$v"; return; }
	v=${v%%-*}
	v=${v%%+*}
	echo "${v%.*}"
}

# Makefile variable VAR of the kselftest Makefile FILE: its words, with
# continuation lines joined and := / = / += all added up.
mk_words() {			# FILE VAR
	sed -e ':a' -e '/\\$/{N;s/\\\n/ /;ba}' "$1" |
		sed -n "s/^$2[[:space:]]*[:+]\{0,1\}=\(.*\)$/\1/p" | tr -s ' \t' '\n' | sed '/^$/d'
}

settings_timeout() {		# DIR: timeout= of DIR/settings, else kselftest's 45
	local to
	to=$(sed -n 's/^timeout=\([0-9]\{1,\}\)$/\1/p' "$1/settings" 2>/dev/null | tail -n1)
	echo "${to:-45}"
}

# Extract members (shell patterns below the source tree's top directory)
# of the source tarball inside DEB into DEST; no PATTERN: all of it.
extract() {			# DEB DEST [PATTERN...]
	local deb=$1 dest=$2 pats=() p
	shift 2
	for p; do pats+=("*/$p"); done
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
		tar -xJ -C "$dest" --strip-components=1 --wildcards ${pats[@]+"${pats[@]}"}
}

newest_deb() {			# DIR PACKAGE: the newest PACKAGE_*.deb in DIR, if any
	local f
	for f in "$1/${2}_"*.deb; do
		[[ -f $f ]] || continue
		echo "$f"
	done | sort -V | tail -n1
}

# The newest linux-source-<SERIES> package in the cache, downloaded first if
# there is none. Takes the cache lock (fd 9) and keeps it.
get_deb() {			# SERIES
	local pkg=linux-source-$1 src=$BOND_CACHE/src deb tmp
	mkdir -p "$src"
	exec 9>"$BOND_CACHE/.upstream.lock"
	flock 9
	deb=$(newest_deb "$src" "$pkg")
	if [[ -z $deb ]]; then
		echo "upstream.sh: downloading $pkg into $src" >&2
		tmp=$(mktemp -d "$src/.download.XXXXXX")
		(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2) ||
			{ rm -rf "$tmp"; die "cannot download $pkg (apt-get update?)"; }
		mv "$tmp"/"${pkg}_"*.deb "$src/"
		rm -rf "$tmp"
		deb=$(newest_deb "$src" "$pkg")
	fi
	echo "$deb"
}

fetch() {			# SERIES
	local series pkg deb ver dir f t need=() more
	series=$(series_of "$1")
	pkg=linux-source-$series
	deb=$(get_deb "$series")
	ver=$(dpkg-deb -f "$deb" Version)
	[[ -n $ver ]] || die "$deb has no Version"
	dir=$BOND_CACHE/upstream/$ver
	if [[ ! -e $dir/.ready ]]; then
		echo "upstream.sh: extracting the bonding selftests of $pkg $ver into $dir" >&2
		rm -rf "$dir" "$dir.tmp"
		mkdir -p "$dir.tmp"
		extract "$deb" "$dir.tmp" "tools/testing/selftests/$bond_dir/*" ||
			die "cannot extract tools/testing/selftests/$bond_dir from $deb"
		t=$dir.tmp/tools/testing/selftests
		[[ -f $t/$bond_dir/Makefile ]] || die "$deb has no $bond_dir/Makefile"
		# What the programs source from outside their directory (must
		# be there), and the net/ programs (older trees lack some).
		for f in $(mk_words "$t/$bond_dir/Makefile" TEST_INCLUDES); do
			need+=("$(realpath -m --relative-to="$t" "$t/$bond_dir/$f")")
		done
		for f in "$t/$bond_dir"/*; do
			[[ -L $f ]] || continue
			need+=("$(realpath -m --relative-to="$t" "$(dirname "$f")/$(readlink "$f")")")
		done
		mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
		# tar extracts what it finds and fails for what it does not.
		more=(net/lib.sh net/vlan_hw_filter.sh net/rtnetlink.sh)
		extract "$deb" "$dir.tmp" "${need[@]/#/tools/testing/selftests/}" \
			"${more[@]/#/tools/testing/selftests/}" 2>/dev/null || true
		for f in "${need[@]}"; do
			[[ -e $t/$f ]] || die "$deb has no tools/testing/selftests/$f ($bond_dir needs it)"
		done
		echo "$pkg $ver" >"$dir.tmp/package"
		mv "$dir.tmp" "$dir"
		touch "$dir/.ready"
	fi
	echo "$dir/tools/testing/selftests"
}

# NAME DIR TIMEOUT KIND PROGRAM [ARGS...], tab-separated (the arguments
# separated by spaces).
list() {			# ROOT
	local root=$1 bdir p to c
	bdir=$root/$bond_dir
	[[ -f $bdir/Makefile ]] || die "no $bdir/Makefile (upstream.sh fetch first)"
	to=$(settings_timeout "$bdir")
	for p in $(mk_words "$bdir/Makefile" TEST_PROGS); do
		printf 'upstream/%s\t%s\t%s\tkselftest\t%s\n' "$p" "$bdir" "$to" "$p"
	done
	[[ -f $root/net/vlan_hw_filter.sh ]] &&
		printf 'upstream/vlan_hw_filter.sh\t%s\t%s\tkselftest\tvlan_hw_filter.sh\n' \
			"$root/net" "$net_timeout"
	# Only where rtnetlink.sh runs single cases (-t; 6.1's has no options
	# and would run all of its cases).
	grep -q 't) TESTS=' "$root/net/rtnetlink.sh" 2>/dev/null || return 0
	for c in $rtnl_cases; do
		grep -q "^$c()" "$root/net/rtnetlink.sh" || continue
		printf 'upstream/rtnetlink.sh:%s\t%s\t%s\tkselftest\trtnetlink.sh -t %s\n' \
			"$c" "$root/net" "$net_timeout" "$c"
	done
}

cmd=${1:-}
shift || true
case $cmd in
fetch) [[ $# == 1 ]] || die "usage: upstream.sh fetch SERIES"; fetch "$1" ;;
list)  [[ $# == 1 ]] || die "usage: upstream.sh list ROOT"; list "$1" ;;
deb)   [[ $# == 1 ]] || die "usage: upstream.sh deb SERIES"; get_deb "$(series_of "$1")" ;;
extract) (($# >= 2)) || die "usage: upstream.sh extract DEB DEST [PATTERN...]"; extract "$@" ;;
*)     sed -n '7,19s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
