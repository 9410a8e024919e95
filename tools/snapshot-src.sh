#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# snapshot-src.sh DEST: copy the driver's source set into DEST, without
# build outputs: what `dkms add .` needs (dkms.conf, Kbuild, Makefile,
# tools/kconfig-check.sh, drivers/net/bonding/). Copies from $BOND_SRC if
# set (itself such a snapshot), else from this checkout. make check takes one
# snapshot first, so every build, DKMS run and kernel of a run sees the same
# sources even if the tree is edited meanwhile.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
from=${BOND_SRC:-$(cd "$here/.." && pwd)}
dest=$1
mkdir -p "$dest"
(cd "$from" && tar -ch --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='*.a' --exclude=modules.order --exclude=Module.symvers \
	dkms.conf Kbuild Makefile tools/kconfig-check.sh drivers/net/bonding) | tar -x -C "$dest"
