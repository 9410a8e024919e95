#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=240
#
# MII monitor and updelay across the modes (bonding.rst, 13.1): while some
# slave is up, a returning slave waits out updelay ("going back"); once no
# slave is up, the bond uses a returning slave at once, and carries traffic
# through it, whatever updelay says.
#
#   namespace sw          bridge br0: the "switch"; client cl 10.0.0.2
#   namespace m<mode>     bond mb (10.0.0.1<n>), slaves mba, mbb -> sw ports
#                         <mode>pa, <mode>pb; a slave "fails" when its port
#                         goes down
#
# One bond per mode (rr, active-backup, xor, broadcast, tlb, alb) goes
# through the same steps side by side: a down, a back (held by a 30 s
# updelay), then b down. 802.3ad is left out: there a returning port waits
# for LACP, not for updelay.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd ping nsenter

MODES=(balance-rr active-backup balance-xor broadcast balance-tlb balance-alb)
declare -A TAG=([balance-rr]=rr [active-backup]=ab [balance-xor]=xor
		[broadcast]=bc [balance-tlb]=tlb [balance-alb]=alb)
MIIMON=100
UPDELAY=30000
# A link change is seen within one miimon tick; give a starved emulated
# CPU thirty ticks, far below UPDELAY.
SOON=3

# reaches NS: one echo from the bond in NS to the client answered.
reaches() {
	local res
	res=$(nsenter --net="/run/netns/$NS_PREFIX$1" ping -n -q -c 1 -W 1 10.0.0.2 2>&1)
	[[ $res =~ \ 1\ received ]]
}

# each CHECK ARGS...: CHECK NS ARGS... for every mode's namespace; all must
# hold within SOON seconds (polled together, so a slow one costs no more).
each() {
	local m fn=$1
	shift
	for m in "${MODES[@]}"; do
		bct_wait_until "$SOON" "$fn" "m${TAG[$m]}" "$@" ||
			_check_failed "${TAG[$m]}: $fn $* did not hold within ${SOON}s"
	done
}

port() {			# SLAVE up|down: its switch port, for every mode
	local m b=
	for m in "${MODES[@]}"; do
		b+="link set ${TAG[$m]}p$1 $2"$'\n'
	done
	bct_ip sw -batch - <<<"$b" || _check_failed "switch ports $1 $2"
}

topology() {
	local m t s i=0 hb sb=
	switch_create sw || return 1
	bct_client sw cl 10.0.0.2/24 || return 1
	for m in "${MODES[@]}"; do
		t=${TAG[$m]}
		ns_create "m$t" || return 1
		hb="link add mb type bond mode $m miimon $MIIMON"$'\n'
		for s in a b; do
			hb+="link add mb$s type veth peer name ${t}p$s netns ${NS_PREFIX}sw"$'\n'
			hb+="link set mb$s master mb"$'\n'
			sb+="link set ${t}p$s master br0"$'\n'"link set ${t}p$s up"$'\n'
		done
		hb+="addr add 10.0.0.1$i/24 dev mb"$'\n'"link set mb up"$'\n'
		bct_ip "m$t" -batch - <<<"$hb" || { _check_failed "bond of $m"; return 1; }
		bct_sysfs_mount "m$t" || return 1
		i=$((i + 1))
	done
	bct_ip sw -batch - <<<"$sb" || { _check_failed "switch ports"; return 1; }
	SOON=10 each bct_mii_is mba up
	SOON=10 each bct_mii_is mbb up
	SOON=10 each reaches
	# Only now: with updelay at enslave, the second slave would wait it out.
	for m in "${MODES[@]}"; do
		bct_ok bct_ip "m${TAG[$m]}" link set mb type bond updelay "$UPDELAY"
	done
}

# While b is up, a returning a waits out its updelay.
back_waits() {
	port a down
	each bct_mii_is mba down
	each reaches
	port a up
	each bct_carrier_is mba 1
	each bct_mii_is mba "going back"
	# Ten more ticks: still held back, and the bond still works through b.
	bct_sleep 1
	each bct_mii_is mba "going back"
	each reaches
}

# b fails: nothing is up, so a is used at once, updelay notwithstanding.
none_up_uses_returning() {
	port b down
	each bct_mii_is mbb down
	each bct_mii_is mba up
	each bct_carrier_is mb 1
	each reaches
}

ktap_plan 3
run_setup topology topology
run_test back_waits_for_updelay after_setup back_waits
run_test none_up_returning_slave_used_at_once after_setup none_up_uses_returning
ktap_finish
