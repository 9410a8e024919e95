#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=300
#
# balance-alb: a slave device deleted while the lb monitor sends RLB
# updates through the bond's slaves.
#
# Each tick the monitor copies its updates under mode_lock, each naming the
# slave device its client is assigned to, and sends them after dropping
# the lock. The device of a slave deleted meanwhile must outlive those
# sends: the monitor sends inside the RCU read-side section in which it
# read the assignments, and unregistering a device waits for grace periods
# (one after the NETDEV_UNREGISTER notifiers, in which the bond moves the
# slave's clients away) before it frees it. So deleting a slave device
# cannot complete while a tick is still sending.
#
# bond_delay.ko (selftests/modules/bond_delay) makes the sends slow: each
# of the first HOLDS calls of arp_create() from process context (here only
# the monitor's updates, once the delays are armed) busy-waits HOLD_MS. A
# 3-slave alb bond learns N clients (./arp_storm); a broadcast ARP request
# of the bond makes it re-tell those of its two backup slaves, all in one
# tick's batch two seconds later. While an early update of that batch is
# held, a backup slave's veth is deleted (when the test's CPU gets to look
# only after half the batch's delays, the round is done again, up to 3).
# A kprobe handler runs with preemption off, so each delay holds off grace
# periods by itself; the kernel is made fully preemptible for the test, so
# that when a delay ends the monitor is preempted and, outside a read-side
# section, lets a grace period pass. Had the monitor sent after
# rcu_read_unlock(), the deletion would pass its grace periods one delay at
# a time and free the device while the batch goes on through it. What must hold: ip link del returns
# only after every delay of the batch is done (a state read when it
# returns, not a time); no splat; the bond keeps its other two slaves with
# every client on them, and a real client still reaches it.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

delay_ko=${BOND_TEST_MODULES:-}/bond_delay.ko
[[ -f $delay_ko ]] ||
	skip_all "bond_delay.ko was not built (BOND_TEST_MODULES=${BOND_TEST_MODULES:-})"
[[ -x $LIB_DIR/arp_storm ]] || skip_all "selftests/arp_storm is not built"
require_cmd ping nsenter

B=alb0
BOND_IP=198.18.0.1
N=600
HOLDS=40
HOLD_MS=100
DP=/sys/module/bond_delay/parameters
PROC=
U0=		# RLB Updates Sent before this round's request
PING=		# its ping

pf() { bond_file_value "$1" "$PROC" "$2" "${3:-}"; }


slaves_up() {
	local s v
	for s in "$@"; do
		pf v "MII Status" "$s" && [[ $v == up ]] || return 1
	done
}

# settled: RLB Updates Sent stays put for longer than the delay between two
# rounds of updates (2 s): nothing is left to tell.
settled() {
	local a b
	pf a "RLB Updates Sent" || return 1
	bct_sleep 2.5
	pf b "RLB Updates Sent" && [[ $a == "$b" ]]
}

delay_begun() { local v; bct_get v $DP/hits && ((v > 0)); }
delay_idle() { local v; bct_get v $DP/busy && ((v == 0)); }

# preempt_full: the kernel preempts at once when a delay ends (sched/preempt
# "full", which PREEMPT_DYNAMIC kernels allow), until the test exits. A
# PREEMPT_RT kernel always does.
preempt_full() {
	local f=/sys/kernel/debug/sched/preempt old
	[[ $(cat /sys/kernel/realtime 2>/dev/null) == 1 ]] && { log "PREEMPT_RT kernel"; return 0; }
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
	[[ -w $f ]] || { log "no $f: not a PREEMPT_DYNAMIC kernel"; return 4; }
	old=$(<"$f")
	old=${old#*(}
	old=${old%%)*}
	defer eval "echo $old >$f"
	check_ok eval "echo full >$f" || return 1
	log "sched/preempt: $(<"$f")"
}

setup() {
	local i cmds="" port=""
	switch_create sw || return 1
	ns_create srv st k1 || return 1
	for i in 1 2 3; do
		cmds+="link add as$i netns $(ns srv) type veth peer name sp$i netns $(ns sw)"$'\n'
		port+=" sp$i"
	done
	cmds+="link add eth0 netns $(ns st) type veth peer name stp netns $(ns sw)"$'\n'
	cmds+="link add eth0 netns $(ns k1) type veth peer name pk1 netns $(ns sw)"$'\n'
	check_ok ip -batch - <<<"$cmds" || return 1
	cmds=
	for i in $port stp pk1; do cmds+="link set $i master br0"$'\n'"link set $i up"$'\n'; done
	check_ok ns_ip sw -batch - <<<"$cmds" || return 1
	check_ok ns_ip srv -batch - <<-EOF || return 1
		link add $B type bond mode balance-alb miimon 100
		link set as1 master $B
		link set as2 master $B
		link set as3 master $B
		link set $B up
		addr add $BOND_IP/16 dev $B
	EOF
	check_ok ns_exec srv sysctl -qw net.ipv4.neigh.$B.mcast_solicit=1
	check_ok ns_ip st link set eth0 up
	check_ok ns_ip k1 -batch - <<<"link set eth0 up"$'\n'"addr add 198.18.1.1/16 dev eth0"
	bond_ns_pin srv || return 1
	PROC=${BOND_PROCNET[srv]}/bonding/$B
	check_ok bct_wait_until 20 slaves_up as1 as2 as3 || return 1
	check_ok bct_in st ./arp_storm -i eth0 --sources $N --src-ip 198.18.16.1 \
		--src-mac 02:5a:00:00:00:01 --target-ip $BOND_IP --count $N --rate 1000 --batch 16
	learned() { local v; pf v "RLB Clients" && ((v >= N)); }
	check_ok bct_wait_until 60 learned
}

# What the bond and the delays did, for a failure's log.
diag_state() {
	local u a h b
	pf u "RLB Updates Sent"
	pf a "RLB Clients Added"
	bct_get h $DP/hits
	bct_get b $DP/busy
	log "updates sent +$((u - $1)), clients added +$((a - $2)), delays begun $h, running $b"
	log "kernel log: $(dmesg | grep -E 'bond_delay|alb0' | tail -4 | tr '\n' ';')"
}

# held_round ADDR: load the delays and make the bond re-tell its backups'
# clients by a broadcast ARP request for ADDR; returns once an update of
# that batch is held (0), or, if the test's own CPU got to look only when
# more than half the batch's delays were over, with the round undone (2).
held_round() {
	local a0 hits
	check_ok bct_wait_until 60 settled || return 1
	check_ok insmod "$delay_ko" func=arp_create delay_ms=$HOLD_MS max_hits=$HOLDS armed=0 ||
		return 1
	pf U0 "RLB Updates Sent"
	pf a0 "RLB Clients Added"
	# Our broadcast ARP request: the kernel creates it in ping's context,
	# before the delays are armed; the bond learns its target as it goes
	# out, and re-tells the clients of its address two seconds later.
	bct_in srv ping -q -c 1 -W 1 "$1" >/dev/null 2>&1 &
	PING=$!
	asked() { local v; pf v "RLB Clients Added" && ((v > a0)); }
	check_ok bct_wait_until 5 asked
	echo 1 >$DP/armed
	# hits, not busy: a delay spins its CPU, and under emulation the
	# test's CPU may get to run only between two delays, never during one.
	if ! check_true "an update of the re-tell batch is held" bct_wait_until 10 delay_begun; then
		diag_state "$U0" "$a0"
		return 1
	fi
	bct_get hits $DP/hits
	((hits <= HOLDS / 2)) && return 0
	log "$hits of $HOLDS delays were over before the test could act: once more"
	echo 0 >$DP/armed
	wait "$PING"
	check_ok bct_wait_until 10 delay_idle
	check_ok rmmod bond_delay || return 1
	return 2
}

del_during_updates() {
	local act x s v t0 t1 hits busy u1 told=0 try rc
	pf act "Currently Active Slave"
	for s in as1 as2 as3; do
		[[ $s == "$act" ]] && continue
		x=$s
		pf v "RLB Clients" "$s"
		told=$((told + v))
	done
	log "active $act; $told clients on the backups to re-tell; deleting $x"
	preempt_full || return
	defer eval "rmmod bond_delay 2>/dev/null"
	defer eval "echo 0 >$DP/armed 2>/dev/null"
	for try in 1 2 3; do
		held_round 198.18.250.$try
		rc=$?
		((rc == 2)) || break
	done
	((rc == 0)) || { ((rc == 1)) || _check_failed "no batch held early in 3 rounds"; return 1; }
	bct_get hits $DP/hits
	log "round $try: deleting $x with $hits of $HOLDS delays begun"
	bct_ms t0
	check_ok ns_ip srv link del "$x"
	bct_ms t1
	bct_get hits $DP/hits
	bct_get busy $DP/busy
	log "ip link del $x returned after $((t1 - t0)) ms; delays begun $hits, running $busy"
	check_eq "$hits/$busy" "$HOLDS/0" \
		"delays begun/running when ip link del returned (the batch was out)"
	echo 0 >$DP/armed
	pf u1 "RLB Updates Sent"
	log "RLB updates sent since the request: $((u1 - U0))"
	check_ok test "$((u1 - U0))" -ge "$((2 * HOLDS))"
	wait "$PING"

	gone() { ! grep -q "^Slave Interface: $1\$" "$PROC"; }
	check_ok bct_wait_until 10 gone "$x"
	pf v "RLB Clients"
	check_ok test "$v" -ge $N
	check_eq "$(bond_rlb_table -n srv $B | awk -v x="$x" '$4 == x || $4 == "(none)"' | grep -c .)" 0 \
		"table rows on $x or on no slave"
	# k1 talks to the bond only now: a probe of its neighbour entry earlier
	# would have re-told it alone, a tick of its own among the delays.
	check_ok bct_in k1 ping -q -c 3 -i 0.2 -W 3 $BOND_IP
}

ktap_plan 3
bct_neigh_room 8192
dmesg_mark
run_setup setup setup
run_test slave_deleted_while_updates_go_out after_setup del_during_updates
run_test no_kernel_splat dmesg_check_clean "a slave deleted under RLB updates"
ktap_finish
