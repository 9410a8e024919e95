#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kconfig-check.sh KERNEL_BUILD_DIR [KVER]
#
# Refuse (exit 1, one line on stderr) a target kernel whose .config has
# CONFIG_BONDING=y: a built-in bonding driver cannot be replaced by a module.
# Used by `make` (tools/build.sh) and as the DKMS PRE_BUILD script; the
# top-level Kbuild enforces the same for any other build.
kdir=$1
kver=${2:-$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h" 2>/dev/null)}
kver=${kver:-at $kdir}
if [ ! -f "$kdir/.config" ]; then
	echo "bonding-ko: no .config in $kdir: not a configured kernel build tree" >&2
	exit 1
fi
if grep -q '^CONFIG_BONDING=y$' "$kdir/.config"; then
	echo "bonding-ko: kernel $kver has CONFIG_BONDING=y; a built-in bonding driver cannot be replaced by a module" >&2
	exit 1
fi
exit 0
