#!/usr/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The `make demo` script, run inside the test VM by tools/vm/guest-main.sh.
#
# Network namespaces: a "switch" with a bridge, a balance-rr bond and a
# balance-alb bond side by side (each in its own namespace, each over two
# veth slaves plugged into the switch), and a client that pings and arpings
# both. Narrates in plain text, shows `ip -d link show` and
# /proc/net/bonding/* of the bonds, and says plainly what this build of the
# driver cannot do yet instead of failing silently. Always runs to the end.

. "$BOND_REPO/selftests/lib.sh"

say() { printf '\n== %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }
run() { printf '   $ %s\n' "$*"; "$@" 2>&1 | sed 's/^/     /'; return "${PIPESTATUS[0]}"; }

RR_IP=192.0.2.1 ALB_IP=192.0.2.2 CLI_IP=192.0.2.100
declare -A works=()

say "bonding-ko demo on Debian kernel $KVER"
if ! modprobe bonding max_bonds=0; then
	note "modprobe bonding failed: the module of this tree does not load; nothing to show."
	exit 1
fi
note "loaded bonding $(cat /sys/module/bonding/version 2>/dev/null)" \
     "srcversion $(cat /sys/module/bonding/srcversion 2>/dev/null)"
note "from $(modinfo -n bonding) (the in-tree module was removed from this VM)"

say "Topology"
cat <<EOF
                 client: eth0 $CLI_IP/24
                           |
         switch: bridge br0 (one port per veth)
          |        |               |        |
        eth0     eth1            eth0     eth1
          \\_______/                \\_______/
     rr: bond0 balance-rr     alb: bond0 balance-alb
        $RR_IP/24               $ALB_IP/24
EOF

switch_create switch
ns_create client rr alb
switch_connect switch client eth0 cli
ns_ip client addr add "$CLI_IP/24" dev eth0

# make_bond NS MODE IP: bond0 in NS over eth0+eth1, each plugged into the switch.
make_bond() {
	local n=$1 mode=$2 ip=$3 s
	say "Creating a $mode bond in namespace \"$n\""
	for s in eth0 eth1; do
		switch_connect switch "$n" "$s" "$n-$s"
		ns_ip "$n" link set "$s" down
	done
	if ! run ns_ip "$n" link add bond0 type bond mode "$mode" miimon 100; then
		if ns_ip "$n" link add bond0 type bond 2>/dev/null; then
			ns_ip "$n" link del bond0
			note "mode $mode: not supported by this build yet"
		else
			note "creating bond devices (ip link add ... type bond): not supported by this build yet"
		fi
		return 1
	fi
	for s in eth0 eth1; do
		if ! run ns_ip "$n" link set "$s" master bond0; then
			note "enslaving $s to a $mode bond: not supported by this build yet"
			return 1
		fi
	done
	if ! ns_ip "$n" -d link show bond0 | grep -q "bond mode $mode "; then
		note "bond0 does not report mode $mode in ip -d link show: this build may not support it yet"
	fi
	run ns_ip "$n" addr add "$ip/24" dev bond0
	run ns_ip "$n" link set bond0 up
	if wait_until 10 link_is_up "$n" bond0; then
		note "bond0 in \"$n\" is up with carrier"
	else
		note "bond0 in \"$n\" did not come up within 10 s"
	fi
	works[$n]=1
}

make_bond rr balance-rr "$RR_IP"
make_bond alb balance-alb "$ALB_IP"

# reach NAME IP: ping and arping IP from the client.
reach() {
	say "Client -> $1 bond ($2)"
	if run ns_exec client ping -c 4 -i 0.2 -W 2 "$2"; then
		note "ping: the $1 bond answers"
	else
		note "ping: no answer from the $1 bond"
	fi
	# arping may count more replies than probes when both slaves answer a
	# flooded request: judge by the replies seen, not the exit code alone.
	# Debian's arping package wants -i for the interface, iputils-arping -I.
	local out ifopt=-i replies
	arping -V 2>&1 | grep -q iputils && ifopt=-I
	out=$(ns_exec client arping -c 3 -w 5 "$ifopt" eth0 "$2" 2>&1)
	sed 's/^/     /' <<<"$out"
	replies=$(grep -cE 'reply from|bytes from' <<<"$out")
	if ((replies > 0)); then
		note "arping: $replies ARP replies for $2, from MAC(s)" \
		     "$(grep -oE '([0-9a-f]{2}:){5}[0-9a-f]{2}' <<<"$out" | sort -u | tr '\n' ' ')"
	else
		note "arping: no ARP reply for $2"
	fi
}

for n in rr alb; do
	ip=$RR_IP
	[[ $n == alb ]] && ip=$ALB_IP
	if [[ -n ${works[$n]:-} ]]; then
		reach "$n" "$ip"
	else
		say "Client -> $n bond ($ip): skipped, that bond could not be set up (see above)"
	fi
done

for n in rr alb; do
	say "What the $n bond looks like"
	if ! ns_ip "$n" link show bond0 >/dev/null 2>&1; then
		note "no bond0 in \"$n\""
		continue
	fi
	run ns_ip "$n" -d link show bond0
	if ns_exec "$n" test -r /proc/net/bonding/bond0; then
		run ns_exec "$n" cat /proc/net/bonding/bond0
	else
		note "/proc/net/bonding/bond0: not provided by this build yet"
	fi
	note "packets sent per slave (balance modes spread them):"
	for s in eth0 eth1; do
		note "  $s: $(ns_exec "$n" cat "/sys/class/net/$s/statistics/tx_packets" 2>/dev/null) tx packets"
	done
done

say "Kernel log of the bonds"
dmesg | grep -E 'bond0|bonding' | tail -n 20 | sed 's/^/   /'

say "Done; the VM powers off now."
exit 0
