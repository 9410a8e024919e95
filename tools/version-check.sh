#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# version-check.sh: dkms.conf's PACKAGE_VERSION must equal BOND_KO_VERSION in
# drivers/net/bonding/version.h (the version the module reports).
# Prints the version on success; one line on stderr and exit 1 otherwise.
repo=${BOND_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
h=$repo/drivers/net/bonding/version.h
dkms=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$repo/dkms.conf")
drv=$(sed -n 's/^#define[[:space:]]\{1,\}BOND_KO_VERSION[[:space:]]\{1,\}"\([^"]*\)".*/\1/p' "$h" 2>/dev/null)
if [ -z "$drv" ]; then
	echo "version-check: no '#define BOND_KO_VERSION \"x.y.z\"' in $h" >&2
	exit 1
fi
if [ "$dkms" != "$drv" ]; then
	echo "version-check: dkms.conf PACKAGE_VERSION=\"$dkms\" but version.h BOND_KO_VERSION \"$drv\"" >&2
	exit 1
fi
echo "$drv"
