#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Assertions for the arp_storm tool itself; no bonding needed.
#
# Uses ./arp_storm next to this script (built by the selftests Makefile:
# cc -O2 -Wall -Wextra -o arp_storm arp_storm.c) and builds nothing itself.
# Checks option handling, the initial-netns refusal, the exact bytes of every
# frame kind through --dry-run, and real delivery over a veth pair between two
# network namespaces that this script creates and removes.
#
# Exit: 0 pass, 1 fail, 4 skip (kselftest convention).

# Test functions are called through the TESTS list; the OFF_* offsets are
# plain integers.
# shellcheck disable=SC2317,SC2086

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

cd "$(dirname "$(readlink -f "$0")")" || exit $KSFT_FAIL
STORM=./arp_storm

# Fixed inputs of the --dry-run checks
SRC_IP=192.0.2.10		# c000020a
SRC_MAC=02:00:00:aa:00:10
TARGET_IP=192.0.2.1		# c0000201
TARGET_MAC=02:bb:00:00:00:01

# Byte offsets of an untagged frame (add 4 to the ARP ones with a VLAN tag)
OFF_DST=0 OFF_SRC=6 OFF_TYPE=12
OFF_HRD=14 OFF_PRO=16 OFF_HLN=18 OFF_PLN=19 OFF_OP=20
OFF_SHA=22 OFF_SPA=28 OFF_THA=32 OFF_TPA=38

TESTS=(
	help_exits_0
	bad_args_exit_2
	refuse_init_netns
	dryrun_request
	dryrun_reply
	dryrun_gratuitous
	dryrun_vlan
	dryrun_malformed_truncated
	dryrun_malformed_hln
	dryrun_malformed_pln
	dryrun_malformed_hrd
	dryrun_malformed_zero_mac
	dryrun_malformed_bcast_mac
	dryrun_malformed_padding
	dryrun_malformed_op
	dryrun_source_pool_and_mix
	netns_refuse_lo_and_down
	netns_delivery_500_frames_50_sources
)

NS_S=""
NS_R=""
NETNS_RC=""		# result of setup_netns, which runs once
NETNS_SKIP=""
SKIP_REASON=""

log() { echo "# $*"; }

cleanup()
{
	[ -n "$NS_S" ] && ip netns del "$NS_S" 2>/dev/null
	[ -n "$NS_R" ] && ip netns del "$NS_R" 2>/dev/null
	NS_S=""
	NS_R=""
}
trap cleanup EXIT

# Hex of frame IDX (default 0) of a --dry-run; the hex is the last field.
frame_hex()
{
	local idx=$1

	shift
	"$STORM" --dry-run $((idx + 1)) "$@" | awk -v i="$idx" '$2 == i { print $NF }'
}

# check_bytes HEX OFFSET:EXPECTED_HEX ... ; complains about the first mismatch
check_bytes()
{
	local hex=$1 spec off want got

	shift
	for spec in "$@"; do
		off=${spec%%:*}
		want=${spec#*:}
		got=${hex:$((off * 2)):${#want}}
		if [ "$got" != "$want" ]; then
			log "byte $off: got '$got', want '$want'"
			return 1
		fi
	done
}

check_len()
{
	local hex=$1 want=$2

	if [ $(( ${#hex} / 2 )) -ne "$want" ]; then
		log "frame length $(( ${#hex} / 2 )), want $want"
		return 1
	fi
}

# A request from the fixed source, with the fields a malformed kind may change
# replaced by the arguments (empty: the well-formed value).
check_request()
{
	local hex=$1 hrd=${2:-0001} hln=${3:-06} pln=${4:-04} op=${5:-0001} sha=${6:-020000aa0010}

	check_bytes "$hex" $OFF_DST:ffffffffffff $OFF_SRC:020000aa0010 $OFF_TYPE:0806 \
		$OFF_HRD:"$hrd" $OFF_PRO:0800 $OFF_HLN:"$hln" $OFF_PLN:"$pln" $OFF_OP:"$op" \
		$OFF_SHA:"$sha" $OFF_SPA:c000020a $OFF_THA:000000000000 $OFF_TPA:c0000201
}

REQ_ARGS=(--target-ip "$TARGET_IP" --src-ip "$SRC_IP" --src-mac "$SRC_MAC")

help_exits_0()
{
	local out

	out=$("$STORM" --help) || { log "--help exited $?"; return 1; }
	for opt in --iface --mix --sources --src-ip --src-mac --target-ip --target-mac \
		   --random --seed --rate --count --duration --vlan --vlan-prio --malformed \
		   --malformed-ratio --json --dry-run --allow-init-netns; do
		grep -q -- "$opt" <<<"$out" || { log "--help does not mention $opt"; return 1; }
	done
}

# expect_usage_error NAME_IN_MESSAGE ARGS...
expect_usage_error()
{
	local name=$1 err rc

	shift
	err=$("$STORM" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -ne 2 ]; then
		log "'$*' exited $rc, want 2"
		return 1
	fi
	if [ "$(wc -l <<<"$err")" -ne 1 ] || ! grep -q -- "$name" <<<"$err"; then
		log "'$*': want one line naming $name, got: $err"
		return 1
	fi
}

bad_args_exit_2()
{
	local i=(-i veth0 --target-ip "$TARGET_IP")

	expect_usage_error --iface --target-ip "$TARGET_IP" &&
	expect_usage_error --rate "${i[@]}" --rate fast &&
	expect_usage_error --rate "${i[@]}" --rate -5 &&
	expect_usage_error --count "${i[@]}" --count 0 &&
	expect_usage_error --duration "${i[@]}" --duration 0 &&
	expect_usage_error --sources "${i[@]}" --sources 1000001 &&
	expect_usage_error --src-ip "${i[@]}" --src-ip 10.0.0 &&
	expect_usage_error --src-mac "${i[@]}" --src-mac 01:00:5e:00:00:01 &&
	expect_usage_error --target-ip -i veth0 --target-ip 300.1.1.1 &&
	expect_usage_error --target-mac "${i[@]}" --mix reply=1 &&
	expect_usage_error --mix "${i[@]}" --mix req=1,bogus=2 &&
	expect_usage_error --vlan "${i[@]}" --vlan 4095 &&
	expect_usage_error --vlan-prio "${i[@]}" --vlan-prio 3 &&
	expect_usage_error --malformed "${i[@]}" --malformed shiny &&
	expect_usage_error --malformed-ratio "${i[@]}" --malformed op --malformed-ratio 1.5 &&
	expect_usage_error --dry-run --dry-run 0 "${REQ_ARGS[@]}" &&
	expect_usage_error --frobnicate "${i[@]}" --frobnicate &&
	expect_usage_error stray "${i[@]}" stray
}

in_init_netns()
{
	local self ref

	self=$(readlink /proc/self/ns/net) || return 1
	ref=$(readlink /proc/1/ns/net 2>/dev/null)
	if [ -z "$ref" ] && [ "$(cat /proc/2/comm 2>/dev/null)" = kthreadd ]; then
		ref=$(readlink /proc/2/ns/net 2>/dev/null)
	fi
	[ -n "$ref" ] && [ "$self" = "$ref" ]
}

refuse_init_netns()
{
	local err rc

	if ! in_init_netns; then
		SKIP_REASON="not running in the initial network namespace"
		return $KSFT_SKIP
	fi
	# The name does not exist: even a broken check could not send anything.
	err=$("$STORM" -i arpstormnone0 --count 1 "${REQ_ARGS[@]}" 2>&1)
	rc=$?
	if [ "$rc" -ne 2 ] || ! grep -q "initial network namespace" <<<"$err"; then
		log "in the init netns: exit $rc, '$err'; want 2 and a refusal"
		return 1
	fi
	# --allow-init-netns gets past the check and stops at the missing interface
	err=$("$STORM" -i arpstormnone0 --count 1 --allow-init-netns "${REQ_ARGS[@]}" 2>&1)
	rc=$?
	if [ "$rc" -ne 2 ] || ! grep -q "no such interface" <<<"$err"; then
		log "--allow-init-netns: exit $rc, '$err'; want 2 and 'no such interface'"
		return 1
	fi
}

dryrun_request()
{
	local hex

	hex=$(frame_hex 0 "${REQ_ARGS[@]}")
	check_len "$hex" 42 && check_request "$hex"
}

dryrun_reply()
{
	local hex

	hex=$(frame_hex 0 "${REQ_ARGS[@]}" --mix reply=1 --target-mac $TARGET_MAC)
	check_len "$hex" 42 &&
	check_bytes "$hex" $OFF_DST:02bb00000001 $OFF_SRC:020000aa0010 $OFF_TYPE:0806 \
		$OFF_HRD:0001 $OFF_PRO:0800 $OFF_HLN:06 $OFF_PLN:04 $OFF_OP:0002 \
		$OFF_SHA:020000aa0010 $OFF_SPA:c000020a $OFF_THA:02bb00000001 $OFF_TPA:c0000201
}

dryrun_gratuitous()
{
	local hex

	# Announcement: request, sender IP == target IP, target MAC zero, broadcast
	hex=$(frame_hex 0 --mix grat=1 --src-ip $SRC_IP --src-mac $SRC_MAC)
	check_len "$hex" 42 &&
	check_bytes "$hex" $OFF_DST:ffffffffffff $OFF_SRC:020000aa0010 $OFF_TYPE:0806 \
		$OFF_HRD:0001 $OFF_PRO:0800 $OFF_HLN:06 $OFF_PLN:04 $OFF_OP:0001 \
		$OFF_SHA:020000aa0010 $OFF_SPA:c000020a $OFF_THA:000000000000 \
		$OFF_TPA:c000020a || return 1
	# Reply form: target MAC == sender MAC, still broadcast
	hex=$(frame_hex 0 --mix grat=1 --grat-op reply --src-ip $SRC_IP --src-mac $SRC_MAC)
	check_len "$hex" 42 &&
	check_bytes "$hex" $OFF_DST:ffffffffffff $OFF_OP:0002 $OFF_SHA:020000aa0010 \
		$OFF_SPA:c000020a $OFF_THA:020000aa0010 $OFF_TPA:c000020a
}

dryrun_vlan()
{
	local hex

	# TCI = prio 5 << 13 | VID 100 = 0xa064; the ARP body moves 4 bytes on
	hex=$(frame_hex 0 "${REQ_ARGS[@]}" --vlan 100 --vlan-prio 5)
	check_len "$hex" 46 &&
	check_bytes "$hex" 0:ffffffffffff 6:020000aa0010 12:8100 14:a064 16:0806 \
		18:0001 20:0800 22:06 23:04 24:0001 26:020000aa0010 32:c000020a \
		36:000000000000 42:c0000201 || return 1
	# Default priority 0
	hex=$(frame_hex 0 "${REQ_ARGS[@]}" --vlan 4094)
	check_bytes "$hex" 12:8100 14:0ffe 16:0806
}

dryrun_malformed_truncated()
{
	local hex

	# Cut inside the ARP body: 2 of the 4 target IP bytes are missing
	hex=$(frame_hex 0 "${REQ_ARGS[@]}" --malformed truncated)
	check_len "$hex" 40 && check_bytes "$hex" $OFF_TYPE:0806 $OFF_OP:0001 $OFF_TPA:c000 ||
		return 1
	if [ "$hex" != "$(frame_hex 0 "${REQ_ARGS[@]}" | cut -c1-80)" ]; then
		log "truncated frame is not a prefix of the well-formed one"
		return 1
	fi
}

dryrun_malformed_hln()
{
	local hex

	hex=$(frame_hex 0 "${REQ_ARGS[@]}" --malformed hln)
	check_len "$hex" 42 && check_request "$hex" "" 08
}

dryrun_malformed_pln()
{
	local hex

	hex=$(frame_hex 0 "${REQ_ARGS[@]}" --malformed pln)
	check_len "$hex" 42 && check_request "$hex" "" "" 10
}

dryrun_malformed_hrd()
{
	local hex

	hex=$(frame_hex 0 "${REQ_ARGS[@]}" --malformed hrd)
	check_len "$hex" 42 && check_request "$hex" 0020
}

dryrun_malformed_zero_mac()
{
	local hex

	# Only the ARP sender MAC is zeroed; the Ethernet source stays the source's
	hex=$(frame_hex 0 "${REQ_ARGS[@]}" --malformed zero-mac)
	check_len "$hex" 42 && check_request "$hex" "" "" "" "" 000000000000
}

dryrun_malformed_bcast_mac()
{
	local hex

	hex=$(frame_hex 0 "${REQ_ARGS[@]}" --malformed bcast-mac)
	check_len "$hex" 42 && check_request "$hex" "" "" "" "" ffffffffffff
}

dryrun_malformed_padding()
{
	local hex pad

	# --dry-run assumes MTU 1500: 14 + 1500 bytes, zeros after the ARP body
	hex=$(frame_hex 0 "${REQ_ARGS[@]}" --malformed padding)
	check_len "$hex" 1514 && check_request "$hex" || return 1
	pad=${hex:84}
	if [ -n "${pad//0/}" ]; then
		log "padding is not all zero"
		return 1
	fi
	hex=$(frame_hex 0 "${REQ_ARGS[@]}" --malformed padding --vlan 9)
	check_len "$hex" 1518
}

dryrun_malformed_op()
{
	local hex

	hex=$(frame_hex 0 "${REQ_ARGS[@]}" --malformed op)
	check_len "$hex" 42 && check_request "$hex" "" "" "" 00ff
}

dryrun_source_pool_and_mix()
{
	local out hex n

	# Source k = base + k for both IP and MAC, cycled 0,1,2,0,...
	hex=$(frame_hex 2 "${REQ_ARGS[@]}" --sources 3)
	check_bytes "$hex" $OFF_SRC:020000aa0012 $OFF_SHA:020000aa0012 $OFF_SPA:c000020c ||
		return 1
	hex=$(frame_hex 3 "${REQ_ARGS[@]}" --sources 3)
	check_bytes "$hex" $OFF_SRC:020000aa0010 $OFF_SPA:c000020a || return 1
	# The IP carries across octets: 10.0.0.255 + 1 = 10.0.1.0
	hex=$(frame_hex 1 --target-ip "$TARGET_IP" --src-ip 10.0.0.255 --sources 2 \
	      --src-mac 02:00:00:00:00:ff)
	check_bytes "$hex" $OFF_SRC:020000000100 $OFF_SPA:0a000100 || return 1

	# --mix proportions are exact over whole periods, and malformed-ratio too
	out=$("$STORM" --dry-run 100 "${REQ_ARGS[@]}" --target-mac $TARGET_MAC \
	      --mix req=70,reply=20,grat=10 --sources 50 --malformed op --malformed-ratio 0.25)
	n=$(grep -c 'kind=request' <<<"$out")
	[ "$n" -eq 70 ] || { log "$n requests in 100, want 70"; return 1; }
	n=$(grep -c 'kind=reply' <<<"$out")
	[ "$n" -eq 20 ] || { log "$n replies in 100, want 20"; return 1; }
	n=$(grep -c 'kind=gratuitous' <<<"$out")
	[ "$n" -eq 10 ] || { log "$n gratuitous in 100, want 10"; return 1; }
	n=$(grep -c 'malformed=op' <<<"$out")
	[ "$n" -eq 25 ] || { log "$n malformed in 100, want 25"; return 1; }
	n=$(awk '{ print $4 }' <<<"$out" | sort -u | wc -l)
	[ "$n" -eq 50 ] || { log "$n distinct sources in 100 frames, want 50"; return 1; }

	# --random is reproducible for one seed and stays inside the pool
	out=$("$STORM" --dry-run 200 "${REQ_ARGS[@]}" --sources 7 --random --seed 42)
	[ "$out" = "$("$STORM" --dry-run 200 "${REQ_ARGS[@]}" --sources 7 --random --seed 42)" ] ||
		{ log "--random --seed 42 differs between runs"; return 1; }
	n=$(awk '{ print $4 }' <<<"$out" | sort -u | wc -l)
	[ "$n" -eq 7 ] || { log "--random used $n sources, want 7"; return 1; }
}

# Two namespaces joined by a veth pair; the receiving end is a bridge port so
# the bridge learns every source MAC.  IPv6 is off so nothing else is sent.
do_setup_netns()
{
	local i

	if [ "$(id -u)" -ne 0 ]; then
		SKIP_REASON="needs root"
		return $KSFT_SKIP
	fi
	if ! command -v ip >/dev/null || ! command -v bridge >/dev/null; then
		SKIP_REASON="needs iproute2 (ip, bridge)"
		return $KSFT_SKIP
	fi
	NS_S=arpst-s-$$
	NS_R=arpst-r-$$
	if ! ip netns add "$NS_S" || ! ip netns add "$NS_R"; then
		SKIP_REASON="cannot create network namespaces"
		return $KSFT_SKIP
	fi
	for ns in "$NS_S" "$NS_R"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
	done
	if ! ip -n "$NS_S" link add vs type veth peer name vr netns "$NS_R" ||
	   ! ip -n "$NS_R" link add br0 type bridge; then
		SKIP_REASON="no veth or bridge support"
		return $KSFT_SKIP
	fi
	ip -n "$NS_R" link set vr master br0 &&
	ip -n "$NS_R" link set br0 up &&
	ip -n "$NS_R" link set vr up &&
	ip -n "$NS_S" link set vs up || return 1
	for i in $(seq 50); do
		[ "$(ip netns exec "$NS_S" cat /sys/class/net/vs/operstate)" = up ] && return 0
		sleep 0.1
	done
	log "veth never came up"
	return 1
}

setup_netns()
{
	if [ -z "$NETNS_RC" ]; then
		do_setup_netns
		NETNS_RC=$?
		NETNS_SKIP=$SKIP_REASON
	fi
	SKIP_REASON=$NETNS_SKIP
	return "$NETNS_RC"
}

netns_refuse_lo_and_down()
{
	local err rc

	setup_netns || return
	err=$(ip netns exec "$NS_S" "$STORM" -i lo --count 1 "${REQ_ARGS[@]}" 2>&1)
	rc=$?
	if [ "$rc" -ne 2 ] || ! grep -q loopback <<<"$err"; then
		log "-i lo: exit $rc, '$err'; want 2 and a loopback refusal"
		return 1
	fi
	ip -n "$NS_S" link add vdown type veth peer name vdown1 || return 1
	err=$(ip netns exec "$NS_S" "$STORM" -i vdown --count 1 "${REQ_ARGS[@]}" 2>&1)
	rc=$?
	if [ "$rc" -ne 2 ] || ! grep -q "is down" <<<"$err"; then
		log "down interface: exit $rc, '$err'; want 2 and a refusal"
		return 1
	fi
	err=$(ip netns exec "$NS_S" "$STORM" -i nosuch0 --count 1 "${REQ_ARGS[@]}" 2>&1)
	rc=$?
	if [ "$rc" -ne 2 ] || ! grep -q "no such interface" <<<"$err"; then
		log "missing interface: exit $rc, '$err'; want 2"
		return 1
	fi
}

rx_packets()
{
	ip netns exec "$NS_R" cat /sys/class/net/vr/statistics/rx_packets
}

netns_delivery_500_frames_50_sources()
{
	local before after out macs want rc

	setup_netns || return
	before=$(rx_packets)
	out=$(timeout 30 ip netns exec "$NS_S" "$STORM" -i vs --count 500 --sources 50 \
	      --target-ip "$TARGET_IP" --src-ip 198.51.100.1 --src-mac 02:5a:00:00:00:01 --json)
	rc=$?
	log "$out"
	if [ "$rc" -ne 0 ]; then
		log "arp_storm exited $rc"
		return 1
	fi
	if ! grep -q '"sent":500,' <<<"$out" || ! grep -q '"complete":true' <<<"$out"; then
		log "JSON does not report 500 frames sent"
		return 1
	fi
	after=$(rx_packets)
	if [ $((after - before)) -ne 500 ]; then
		log "receiver counted $((after - before)) frames, want 500"
		return 1
	fi
	macs=$(bridge -n "$NS_R" fdb show br br0 | awk '$3 == "vr" && /^02:5a:00:/ { print $1 }' |
	       sort -u)
	want=$(for i in $(seq 1 50); do printf '02:5a:00:00:00:%02x\n' "$i"; done)
	if [ "$macs" != "$want" ]; then
		log "bridge learned $(grep -c . <<<"$macs") source MACs, want 02:5a:00:00:00:01..32"
		return 1
	fi
}

main()
{
	local n=0 pass=0 fail=0 skip=0 t rc

	echo "TAP version 13"
	if [ ! -x "$STORM" ]; then
		echo "1..0 # SKIP $STORM not built: cc -O2 -Wall -Wextra -o arp_storm arp_storm.c"
		exit $KSFT_SKIP
	fi
	echo "1..${#TESTS[@]}"
	for t in "${TESTS[@]}"; do
		n=$((n + 1))
		SKIP_REASON=""
		"$t"
		rc=$?
		if [ "$rc" -eq 0 ]; then
			echo "ok $n $t"
			pass=$((pass + 1))
		elif [ "$rc" -eq $KSFT_SKIP ]; then
			echo "ok $n $t # SKIP $SKIP_REASON"
			skip=$((skip + 1))
		else
			echo "not ok $n $t"
			fail=$((fail + 1))
		fi
	done
	cleanup
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	echo "arp_storm_tool: $pass passed, $fail failed, $skip skipped"
	[ $fail -eq 0 ] || exit $KSFT_FAIL
	[ $pass -gt 0 ] || exit $KSFT_SKIP
	exit $KSFT_PASS
}

main
