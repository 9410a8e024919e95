#!/usr/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs as PID 1 in the test VM once tools/vm/init has changed root into the
# (overlaid, writable) host root. Finishes the guest setup, puts our bonding
# module in place, runs the job's script and powers the guest off.
#
# Our module replaces the in-tree one in the guest only: /lib/modules/<kver>
# is an overlay (lower: the kernel package extracted in the cache, upper:
# tmpfs); the in-tree drivers/net/bonding/bonding.ko* is removed from it (a
# whiteout), the module `dkms install` put into the staging install tree
# ($BOND_DKMS_MODULE) is copied to updates/dkms/, and the depmod index made
# on the host for exactly this tree ($BOND_MODULES_INDEX, see
# tools/vm/modules-index.sh) is installed. `modprobe bonding` must then
# resolve to updates/dkms/, or the setup fails.

: "${bond_job:?set by the kernel command line}"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LC_ALL=C.UTF-8 TERM=dumb
cd /

up() { local u; read -r u _ </proc/uptime; echo "$u"; }

halt_guest() {
	sync
	echo o >/proc/sysrq-trigger
	sleep 60
}
trap halt_guest EXIT

fail() {
	echo "BOND-VM: setup failed: $*"
	echo "$*" >"$bond_job/setup-error"
	echo 1 >"$bond_job/status"
	exit 1
}

# shellcheck source=/dev/null
set -a
. "$bond_job/job.env" || fail "cannot read $bond_job/job.env"
set +a

mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
ln -sfn /proc/self/fd /dev/fd
hostname bondvm
ip link set lo up
# A task blocked this long is a hang worth failing on, even under TCG.
sysctl -qw kernel.hung_task_timeout_secs=60 2>/dev/null

echo "BOND-VM: guest-main up (uptime $(up)s)"

setup_modules() {
	local lower=$BOND_CACHE/kernels/$KVER/root/lib/modules/$KVER
	local mods=/lib/modules/$KVER
	local up=/run/bond-modules
	mkdir -p "$up" "$mods"
	mount -t tmpfs tmpfs "$up" && mkdir -p "$up/data" "$up/work" &&
	mount -t overlay -o "lowerdir=$lower,upperdir=$up/data,workdir=$up/work" overlay "$mods" ||
		fail "cannot overlay $mods"
	rm -f "$mods"/kernel/drivers/net/bonding/bonding.ko*
	ls "$mods"/kernel/drivers/net/bonding/bonding.ko* >/dev/null 2>&1 &&
		fail "in-tree bonding.ko still visible in $mods"
	mkdir -p "$mods/updates/dkms"
	cp "$BOND_DKMS_MODULE" "$mods/updates/dkms/" || fail "cannot copy $BOND_DKMS_MODULE"
	cp "$BOND_MODULES_INDEX"/modules.* "$mods/" || fail "cannot install the module index"
	local want=$mods/updates/dkms/${BOND_DKMS_MODULE##*/}
	local got
	got=$(modprobe --show-depends bonding 2>&1 | awk '$1 == "insmod" { p = $2 } END { print p }')
	[[ $got -ef $want ]] || fail "modprobe resolves bonding to '$got', not $want"
	echo "BOND-VM: in-tree bonding removed; modprobe bonding -> $got (uptime $(up)s)"
}
setup_modules

# The guest's time cap (BOND_GUEST_CAP, seconds of uptime, set by
# tools/check.sh a little before the host kills QEMU): the job's runner
# stops in time by itself; should it hang, dump every task's stack to the
# console (sysrq t, and w for the blocked ones) and power off, so the log
# shows where it hung.
if [[ -n ${BOND_GUEST_CAP:-} ]]; then
	(
		u=$(up)
		sleep $((BOND_GUEST_CAP - ${u%.*}))
		echo "BOND-VM: the guest's time cap (${BOND_GUEST_CAP}s of uptime) is reached; dumping tasks, powering off"
		echo "guest time cap of ${BOND_GUEST_CAP}s of uptime reached; tasks dumped to the console" \
			>"$bond_job/guest-capped"
		echo t >/proc/sysrq-trigger
		echo w >/proc/sysrq-trigger
		halt_guest
	) &
fi

echo "BOND-VM: running $BOND_GUEST_SCRIPT (uptime $(up)s)"
: >"$bond_job/output.log"
/usr/bin/bash "$BOND_GUEST_SCRIPT" 2>&1 | tee -a "$bond_job/output.log"
rc=${PIPESTATUS[0]}
sync
echo "BOND-VM: $BOND_GUEST_SCRIPT exited $rc (uptime $(up)s)"
echo "$rc" >"$bond_job/status"
