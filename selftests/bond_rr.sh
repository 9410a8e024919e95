#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=240
#
# Traffic of the trunk modes, counted on the slaves.
#
#   namespace sw   bridge br0: the "switch"
#   namespace b    balance-rr bond rrb (10.0.0.1), slaves rrbs1-3 -> sw
#   namespace x    balance-xor bond rxb (10.0.0.11), slaves rxbs1-3 -> sw
#   namespace y    broadcast bond rbc (10.0.0.21), slaves rbcs1-3 -> sw
#   namespace cl   client 10.0.0.2 on sw
#
# A slave's tx_packets counts the frames the bond handed to it (a veth
# counts a frame as sent once its peer took it). 10.0.0.99 is a permanent
# neighbour with a MAC nobody has, so UDP sent there needs no answer and
# draws no ICMP error that would break a connected socket.
#
# Every exec costs ~0.4 s under TCG: state is read from mounted sysfs
# with shell builtins (bond_lib.sh bct_*), links are made with ip -batch.

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd ping nsenter taskset

SINK=10.0.0.99
SINK_MAC=02:00:00:00:00:99
NCPU=$(nproc)

# mkbond NS BOND MODE IP OPTS...: BOND with slaves BONDs1-3 whose peers
# BONDp1-3 are ports of sw's br0; up, with IP/24.
mkbond() {
	local n=$1 b=$2 mode=$3 ip=$4 k hb= sb=
	shift 4
	hb="link add $b type bond mode $mode miimon 100 $*"$'\n'
	for k in 1 2 3; do
		hb+="link add ${b}s$k type veth peer name ${b}p$k netns ${NS_PREFIX}sw"$'\n'
		hb+="link set ${b}s$k master $b"$'\n'
		sb+="link set ${b}p$k master br0"$'\n'"link set ${b}p$k up"$'\n'
	done
	hb+="addr add $ip/24 dev $b"$'\n'"link set $b up"$'\n'
	hb+="neigh replace $SINK lladdr $SINK_MAC dev $b nud permanent"$'\n'
	bct_ip "$n" -batch - <<<"$hb" || { _check_failed "bond $b in $n"; return 1; }
	bct_ip sw -batch - <<<"$sb" || { _check_failed "switch ports of $b"; return 1; }
}

# ready NS BOND: carrier on and the MII status of every slave up.
ready() {
	local d=${BCT_SYS[$1]}/class/net v s
	bct_get v "$d/$2/carrier" && [[ $v == 1 ]] || return 1
	for s in "$2"s1 "$2"s2 "$2"s3; do
		bct_get v "$d/$s/bonding_slave/mii_status" && [[ $v == up ]] || return 1
	done
}

# deltas NS BEFORE AFTER IF...: AFTER[IF] -= BEFORE[IF]; logs them; sets TOTAL.
deltas() {
	local n=$1 i line=
	local -n _b=$2 _c=$3
	shift 3
	bct_snap "$n" "${!_c}" "$@"
	TOTAL=0
	for i; do
		_c[$i]=$((_c[$i] - _b[$i]))
		TOTAL=$((TOTAL + _c[$i]))
		line+=" $i:+${_c[$i]}"
	done
	log "tx frames per slave:$line (total $TOTAL)"
}

# check_even ARRAY TOL IF...: every IF got TOTAL/n frames, give or take TOL.
check_even() {
	local i want lo hi
	local -n _d=$1
	local tol=$2
	shift 2
	want=$((TOTAL / $#))
	lo=$((want - tol)) hi=$((want + tol))
	for i; do
		if ((_d[$i] < lo || _d[$i] > hi)); then
			_check_failed "$i sent ${_d[$i]} frames, want $want +-$tol (total $TOTAL over $# slaves)"
		else
			log "ok: $i sent ${_d[$i]} frames (want $want +-$tol)"
		fi
	done
}

# udp NS DST COUNT [PORT]: COUNT datagrams to DST: from COUNT sockets to
# ports 20001.. (COUNT flows), or all from one socket to PORT (one flow).
udp() {
	if [[ -n ${4:-} ]]; then
		bct_in "$1" bash -c 'exec 3>/dev/udp/$1/$3; for ((i = 0; i < $2; i++)); do echo x >&3; done' \
			_ "$2" "$3" "$4"
	else
		bct_in "$1" bash -c 'for ((i = 1; i <= $2; i++)); do echo x >/dev/udp/$1/$((20000 + i)); done' \
			_ "$2" "$3"
	fi || _check_failed "sending $3 UDP datagrams to $2 from $1"
}

topology() {
	local v
	ns_create b x y || return 1
	switch_create sw || return 1
	bct_client sw cl 10.0.0.2/24 || return 1
	mkbond b rrb balance-rr 10.0.0.1 packets_per_slave 1 || return 1
	mkbond x rxb balance-xor 10.0.0.11 xmit_hash_policy layer3+4 || return 1
	mkbond y rbc broadcast 10.0.0.21 || return 1
	bct_sysfs_mount b && bct_sysfs_mount x && bct_sysfs_mount y || return 1
	bct_ok bct_wait_until 10 ready b rrb
	bct_ok bct_wait_until 10 ready x rxb
	bct_ok bct_wait_until 10 ready y rbc
	bct_get v "${BCT_SYS[b]}/class/net/rrb/bonding/mode"
	check_eq "$v" "balance-rr 0" "mode of rrb"
	bct_get v "${BCT_SYS[b]}/class/net/rrb/bonding/slaves"
	check_eq "$v" "rrbs1 rrbs2 rrbs3" "slaves of rrb"
}

RR=(rrbs1 rrbs2 rrbs3)

# rr_flood COUNT ARRAY: ping flood of COUNT from rrb; ARRAY gets the
# per-slave deltas; every echo must be answered.
rr_flood() {
	local -A before=()
	local res
	bct_snap b before "${RR[@]}"
	bct_ping res b -q -f -c "$1" -W 2 10.0.0.2
	check_eq "$res" "$1 $1 0" "sent/received/duplicates of a flood of $1"
	deltas b before "$2" "${RR[@]}"
}

# packets_per_slave 1: strict rotation. The counter is per CPU, so each
# CPU's frames are spread evenly to within one frame per slave: the split
# is exact to within NCPU frames, +2 for a frame (ARP) counted while we read.
rr_even_split() {
	local -A d=()
	rr_flood 300 d
	((TOTAL >= 300 && TOTAL <= 310)) ||
		_check_failed "slaves sent $TOTAL frames for 300 echo requests (want 300..310)"
	check_even d $((NCPU + 2)) "${RR[@]}"
}

# The bond counts what it sends and receives: its tx equals the frames
# its slaves sent, its rx at least the replies.
rr_bond_counters() {
	local -A before=() d=()
	local tx0 rx0 tx1 rx1 res out
	bct_snap b before "${RR[@]}"
	bct_stat tx0 b rrb tx_packets
	bct_stat rx0 b rrb rx_packets
	bct_ping res b -q -f -c 200 -W 2 10.0.0.2
	check_eq "$res" "200 200 0" "sent/received/duplicates"
	bct_stat tx1 b rrb tx_packets
	bct_stat rx1 b rrb rx_packets
	deltas b before d "${RR[@]}"
	log "rrb: tx +$((tx1 - tx0)), rx +$((rx1 - rx0))"
	((tx1 - tx0 >= 200)) || _check_failed "rrb tx_packets grew by $((tx1 - tx0)), want >= 200"
	((tx1 - tx0 - TOTAL <= 2 && TOTAL - (tx1 - tx0) <= 2)) ||
		_check_failed "rrb tx_packets grew by $((tx1 - tx0)) but its slaves sent $TOTAL"
	((rx1 - rx0 >= 200)) || _check_failed "rrb rx_packets grew by $((rx1 - rx0)), want >= 200"
	# The same counters as ip -s link shows them.
	out=$(bct_ip b -s link show dev rrb)
	if [[ $out =~ TX:[^0-9]*[0-9]+\ +([0-9]+) ]]; then
		((BASH_REMATCH[1] >= tx1)) ||
			_check_failed "ip -s link: TX packets ${BASH_REMATCH[1]} < sysfs $tx1"
	else
		_check_failed "no TX line in ip -s link show:"$'\n'"$out"
	fi
}

# rr_sequence VAR N: N datagrams from rrb to the sink, one at a time from
# one CPU (the rotation counter is per CPU), reading the slaves' counters
# after each; VAR := the slave each left on, a digit 1-3 per datagram ("x"
# if not exactly one slave counted exactly one frame). One process, builtins
# only: the sysfs of b is mounted, /dev/udp is bash's.
rr_sequence() {
	local out
	out=$(bct_in b taskset -c 0 bash -c '
		d=$1 n=$2 seq=
		local_c=()
		exec 3>"/dev/udp/$3/30001" || exit 1
		for k in 1 2 3; do read -r "local_c[k]" <"$d/rrbs$k/statistics/tx_packets"; done
		for ((i = 0; i < n; i++)); do
			echo x >&3
			m=0 hit=x
			for k in 1 2 3; do
				read -r v <"$d/rrbs$k/statistics/tx_packets"
				((v == local_c[k])) && continue
				((v == local_c[k] + 1)) && hit=$k || m=9
				m=$((m + 1))
				local_c[k]=$v
			done
			((m == 1)) || hit=x
			seq+=$hit
		done
		echo "$seq"' _ "${BCT_SYS[b]}/class/net" "$2" "$SINK" 2>&1)
	printf -v "$1" '%s' "$out"
	log "slaves of $2 datagrams in turn: $out"
}

# seq_runs SEQ: "RUNS REPEATS BAD": runs of one slave, steps that stay on
# the slave, steps to another slave that is not the next in order.
seq_runs() {
	local s=$1 i runs=1 rep=0 bad=0 p c
	for ((i = 1; i < ${#s}; i++)); do
		p=${s:i-1:1} c=${s:i:1}
		if [[ $c == "$p" ]]; then
			rep=$((rep + 1))
		else
			runs=$((runs + 1))
			[[ $p == [123] && $c == $((p % 3 + 1)) ]] || bad=$((bad + 1))
		fi
	done
	echo "$runs $rep $bad"
}

# check_rotation SEQ PPS: SEQ is a strict rotation, PPS frames per slave
# (the first and last run may be cut short), in slave order.
check_rotation() {
	local s=$1 pps=$2 runs rep bad r len=1 i lens= badlen=0
	read -r runs rep bad <<<"$(seq_runs "$s")"
	check_eq "${s//[123]/}" "" "datagrams not counted on exactly one slave"
	check_eq "$bad" 0 "steps to a slave other than the next (pps $pps)"
	# run lengths
	for ((i = 1; i <= ${#s}; i++)); do
		if ((i < ${#s})) && [[ ${s:i:1} == "${s:i-1:1}" ]]; then
			len=$((len + 1))
			continue
		fi
		lens+="$len "
		len=1
	done
	r=0
	for len in $lens; do
		r=$((r + 1))
		((r == 1 || r == runs)) && { ((len <= pps)) || badlen=$((badlen + 1)); continue; }
		((len == pps)) || badlen=$((badlen + 1))
	done
	log "runs (pps $pps): $lens"
	check_eq "$badlen" 0 "runs whose length is not $pps (pps $pps)"
}

rr_packets_per_slave() {
	local -A d=()
	local v s runs rep bad
	bct_get v "${BCT_SYS[b]}/class/net/rrb/bonding/packets_per_slave"
	check_eq "$v" 1 "packets_per_slave"
	rr_sequence s 60
	check_rotation "$s" 1

	bct_ok bct_ip b link set rrb type bond packets_per_slave 4
	bct_get v "${BCT_SYS[b]}/class/net/rrb/bonding/packets_per_slave"
	check_eq "$v" 4 "packets_per_slave"
	# 4 frames per slave before moving on: per CPU the split is exact to
	# within 4 frames per slave.
	rr_flood 240 d
	check_even d $((4 * NCPU + 2)) "${RR[@]}"
	rr_sequence s 60
	check_rotation "$s" 4

	# 0: a random slave per frame. 300 frames over 3 slaves: 100 +- 8.2
	# (one standard deviation); 50 is six of them.
	bct_ok bct_ip b link set rrb type bond packets_per_slave 0
	d=()
	rr_flood 300 d
	check_even d 50 "${RR[@]}"
	# ... and no rotation: of 149 steps between 150 frames sent from one
	# CPU, strict rotation repeats a slave on none; an independent uniform
	# choice on each with probability 1/3 (Binomial(149, 1/3): 49.7 +- 5.8).
	# At least 20 repeats: a correct random choice has fewer with
	# probability 7.5e-9.
	rr_sequence s 150
	check_eq "${s//[123]/}" "" "datagrams not counted on exactly one slave"
	read -r runs rep bad <<<"$(seq_runs "$s")"
	log "packets_per_slave 0: $rep of 149 steps stay on the slave, $runs runs"
	((rep >= 20)) || _check_failed "packets_per_slave 0: only $rep of 149 steps stay on the same slave (want >= 20): a rotation, not a random choice"
	for v in 1 2 3; do
		[[ $s == *$v* ]] || _check_failed "packets_per_slave 0: rrbs$v never chosen in 150 frames"
	done
	bct_ok bct_ip b link set rrb type bond packets_per_slave 1
}

# A slave whose peer goes down leaves the rotation at the next MII tick:
# only the frames sent to it before that are lost, none after.
rr_failover() {
	local -A before=() d=()
	local v t0 t1 det res drop0 drop1
	# Let the stream run on all three slaves first.
	bct_stream b 10.0.0.2 120 rrb 30
	bct_ms t0
	bct_ok bct_ip sw link set rrbp2 down
	if bct_wait_until 3 bct_mii_is b rrbs2 down; then
		bct_ms t1
		det=$((t1 - t0))
		log "rrbs2 declared down after ${det} ms"
	else
		_check_failed "rrbs2 still not down 3 s after its peer went down"
		det=3000
	fi
	# Echoes sent while rrbs2 was down but not yet declared so: at most one
	# per 50 ms, a third of them to rrbs2; 3 more for a tick in progress.
	bct_stream_check $((det / 50 / 3 + 3)) || return 1

	# Now rrbs2 gets nothing, and nothing is lost.
	bct_snap b before "${RR[@]}"
	bct_stat drop0 b rrbs2 tx_dropped
	bct_ping res b -q -f -c 150 -W 2 10.0.0.2
	check_eq "$res" "150 150 0" "sent/received/duplicates with rrbs2 down"
	deltas b before d "${RR[@]}"
	check_eq "${d[rrbs2]}" 0 "frames sent on rrbs2 while down"
	bct_stat drop1 b rrbs2 tx_dropped
	check_eq "$((drop1 - drop0))" 0 "frames dropped on rrbs2 while down"
	TOTAL=$((d[rrbs1] + d[rrbs3]))
	check_even d $((NCPU + 2)) rrbs1 rrbs3
	bct_get v "${BCT_SYS[b]}/class/net/rrbs2/bonding_slave/link_failure_count"
	check_eq "$v" 1 "link_failure_count of rrbs2"

	# Back up: rrbs2 rejoins the rotation.
	bct_ok bct_ip sw link set rrbp2 up
	bct_ok bct_wait_until 3 bct_mii_is b rrbs2 up
	d=()
	rr_flood 150 d
	check_even d $((NCPU + 2)) "${RR[@]}"
}

XOR=(rxbs1 rxbs2 rxbs3)

# check_one_slave ARRAY COUNT IF...: one IF sent (at least) COUNT frames,
# the others next to nothing (2: an ARP refresh).
check_one_slave() {
	local i busy=0
	local -n _o=$1
	local n=$2
	shift 2
	for i; do
		if ((_o[$i] >= n)); then
			busy=$((busy + 1))
		elif ((_o[$i] > 2)); then
			_check_failed "$i sent ${_o[$i]} frames of a flow that should use one slave"
		fi
	done
	check_eq "$busy" 1 "slaves that carried the $n frames"
}

# layer3+4: the ports are in the hash. 60 flows over 3 slaves: each slave
# gets 20 +- 3.7; fewer than 5 is 4 standard deviations off (and a policy
# ignoring ports would give one slave all 60). One flow stays on one slave.
xor_layer34() {
	local -A before=() d=()
	local v
	bct_get v "${BCT_SYS[x]}/class/net/rxb/bonding/xmit_hash_policy"
	check_eq "$v" "layer3+4 1" "xmit_hash_policy"
	bct_ok bct_in x ping -c 1 -w 10 10.0.0.2
	bct_snap x before "${XOR[@]}"
	udp x "$SINK" 60
	deltas x before d "${XOR[@]}"
	((TOTAL >= 60 && TOTAL <= 64)) || _check_failed "slaves sent $TOTAL frames for 60 datagrams"
	for v in "${XOR[@]}"; do
		((d[$v] >= 5)) || _check_failed "$v carried ${d[$v]} of 60 flows (want >= 5)"
	done
	bct_snap x before "${XOR[@]}"
	udp x "$SINK" 60 30000
	deltas x before d "${XOR[@]}"
	check_one_slave d 60 "${XOR[@]}"
}

# layer2: one destination MAC, one slave, whatever the ports.
xor_layer2() {
	local -A before=() d=()
	local v
	bct_ok bct_ip x link set rxb type bond xmit_hash_policy layer2
	bct_get v "${BCT_SYS[x]}/class/net/rxb/bonding/xmit_hash_policy"
	check_eq "$v" "layer2 0" "xmit_hash_policy"
	bct_snap x before "${XOR[@]}"
	udp x "$SINK" 60
	deltas x before d "${XOR[@]}"
	check_one_slave d 60 "${XOR[@]}"
}

# broadcast: each frame leaves on every slave. The client gets every echo
# request three times and answers each: 2 duplicates per echo (the last
# echo's may come after ping has left).
broadcast() {
	local -A before=() d=()
	local i res tx rx dup
	bct_snap y before rbcs1 rbcs2 rbcs3
	udp y "$SINK" 50
	deltas y before d rbcs1 rbcs2 rbcs3
	for i in rbcs1 rbcs2 rbcs3; do
		((d[$i] >= 50 && d[$i] <= 52)) || _check_failed "$i sent ${d[$i]} frames for 50 datagrams (want 50..52)"
	done
	bct_snap y before rbcs1 rbcs2 rbcs3
	bct_ping res y -q -i 0.05 -c 20 -W 2 10.0.0.2
	read -r tx rx dup <<<"$res"
	check_eq "$tx/$rx" "20/20" "echoes sent/answered"
	((dup >= 38 && dup <= 40)) || _check_failed "$dup duplicate replies, want 38..40"
	deltas y before d rbcs1 rbcs2 rbcs3
	for i in rbcs1 rbcs2 rbcs3; do
		((d[$i] >= 20 && d[$i] <= 22)) || _check_failed "$i sent ${d[$i]} frames for 20 echoes"
	done
}

# VLAN 10 on each bond (10.0.10.1/.11/.21) and on the client's eth0
# (10.0.10.2): every tagged echo is answered (the client has the address
# only on its VLAN device, so a request that lost its tag goes unanswered,
# and the bond's VLAN device must get the tagged replies back). balance-rr
# spreads them evenly, balance-xor (layer2: one destination MAC) keeps them
# on one slave, broadcast sends each on every slave.
vlans() {
	local -A before=() d=()
	local i n bd o res tx rx dup
	bct_ip cl -batch - <<-EOF || { _check_failed "VLAN on the client"; return 1; }
		link add link eth0 name eth0.10 type vlan id 10
		addr add 10.0.10.2/24 dev eth0.10
		link set eth0.10 up
	EOF
	for i in "b rrb 1" "x rxb 11" "y rbc 21"; do
		read -r n bd o <<<"$i"
		bct_ip "$n" -batch - <<-EOF || { _check_failed "VLAN on $bd"; return 1; }
			link add link $bd name $bd.10 type vlan id 10
			addr add 10.0.10.$o/24 dev $bd.10
			link set $bd.10 up
		EOF
	done

	log "balance-rr"
	bct_ping_all b 1 -W 2 10.0.10.2
	bct_snap b before "${RR[@]}"
	bct_ping_all b 60 -q -i 0.01 -W 2 10.0.10.2
	deltas b before d "${RR[@]}"
	((TOTAL >= 60 && TOTAL <= 62)) || _check_failed "slaves sent $TOTAL frames for 60 tagged echoes"
	check_even d $((NCPU + 2)) "${RR[@]}"

	log "balance-xor (layer2)"
	bct_ping_all x 1 -W 2 10.0.10.2
	bct_snap x before "${XOR[@]}"
	bct_ping_all x 30 -q -i 0.01 -W 2 10.0.10.2
	deltas x before d "${XOR[@]}"
	check_one_slave d 30 "${XOR[@]}"

	log "broadcast"
	bct_ping_all y 1 -W 2 10.0.10.2
	bct_snap y before rbcs1 rbcs2 rbcs3
	bct_ping res y -q -i 0.05 -c 10 -W 2 10.0.10.2
	read -r tx rx dup <<<"$res"
	check_eq "$tx/$rx" "10/10" "tagged echoes sent/answered"
	((dup >= 18 && dup <= 20)) || _check_failed "$dup duplicate replies, want 18..20"
	deltas y before d rbcs1 rbcs2 rbcs3
	for i in rbcs1 rbcs2 rbcs3; do
		((d[$i] >= 10 && d[$i] <= 12)) || _check_failed "$i sent ${d[$i]} frames for 10 tagged echoes"
	done
	bct_ip b link del rrb.10
	bct_ip x link del rxb.10
	bct_ip y link del rbc.10
}

ktap_plan 10
dmesg_mark
run_test topology topology
run_test rr_even_split rr_even_split
run_test rr_bond_counters rr_bond_counters
run_test rr_packets_per_slave rr_packets_per_slave
run_test rr_failover_and_return rr_failover
run_test xor_layer34_spreads_flows xor_layer34
run_test xor_layer2_one_slave xor_layer2
run_test broadcast_every_slave broadcast
run_test vlan_on_rr_xor_broadcast vlans
run_test no_kernel_splat dmesg_check_clean "trunk mode traffic"
ktap_finish
