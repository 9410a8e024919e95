#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=600
#
# balance-alb RLB with many clients, its cap (rlb_max_clients) and its
# client timeout (rlb_client_timeout).
#
# A storm of ARP requests from 4096 distinct clients (./arp_storm in a
# namespace on the same bridge) reaches a 4-slave alb bond: the bond learns
# every one of them, refuses none, and puts exactly a quarter on each slave
# (a new client goes to the slave with the fewest: with equal speeds 4096
# clients split 1024 each). With 4096 clients every client
# that must be told is told exactly 4 times (2 replies each), though RLB
# works through them a bounded number per tick: when a backup slave fails,
# when it comes back, after a broadcast ARP request of the bond; a unicast
# probe re-tells its target only. Held at each tick by bond_delay.ko, the
# counters show no tick telling more than 1024 clients (2048 replies) or
# moving more than 256, and the busiest doing exactly that. Reloaded with rlb_max_clients=256, a bond
# keeps the 256 most recently used of 1005 clients and evicts the others,
# keeps busy clients through the flood, and learns a client that comes
# afterwards; reloaded with rlb_client_timeout=8, idle clients are
# forgotten and busy ones kept while they ask. Out-of-range values refuse
# the module load with a log line. The module is loaded normally again at
# the end (max_bonds=0).

. "$(dirname "$(readlink -f "$0")")/lib.sh"
. "$LIB_DIR/bond_lib.sh"

require_cmd ping modprobe nsenter

B=alb0
BOND_IP=198.18.0.1
delay_ko=${BOND_TEST_MODULES:-}/bond_delay.ko
DP=/sys/module/bond_delay/parameters

PROC=		# /proc/net/bonding/alb0 of srv
DBG=		# debugfs directory of alb0

pf() { bond_file_value "$1" "$PROC" "$2" "${3:-}"; }


# Whatever happens, leave our module loaded with its defaults.
restore_module() {
	[[ $(cat /sys/module/bonding/parameters/rlb_max_clients 2>/dev/null) == 65536 &&
	   $(cat /sys/module/bonding/parameters/rlb_client_timeout 2>/dev/null) == 300 ]] && return
	modprobe -r bonding 2>/dev/null
	modprobe bonding max_bonds=0
}
defer restore_module

slaves_up() {
	local i v
	for ((i = 1; i <= $1; i++)); do
		pf v "MII Status" "as$i" && [[ $v == up ]] || return 1
	done
}

rows() {			# VAR: rows in rlb_hash_table
	local lines
	mapfile -t lines <"$DBG/rlb_hash_table" || return 1
	printf -v "$1" '%s' "$((${#lines[@]} > 0 ? ${#lines[@]} - 1 : 0))"
}

# topology N CLIENTS...: switch sw, alb bond alb0 with N slaves in srv,
# storm namespace st, and client namespaces (198.18.1.K/16 for the K-th).
topology() {
	local n=$1 i k cmds= port=
	shift
	switch_create sw || return 1
	ns_create srv st "$@" || return 1
	for ((i = 1; i <= n; i++)); do
		cmds+="link add as$i netns $(ns srv) type veth peer name sp$i netns $(ns sw)"$'\n'
		port+=" sp$i"
	done
	cmds+="link add eth0 netns $(ns st) type veth peer name stp netns $(ns sw)"$'\n'
	port+=" stp"
	for k in "$@"; do
		cmds+="link add eth0 netns $(ns "$k") type veth peer name p$k netns $(ns sw)"$'\n'
		port+=" p$k"
	done
	check_ok ip -batch - <<<"$cmds" || return 1
	cmds=
	for i in $port; do cmds+="link set $i master br0"$'\n'"link set $i up"$'\n'; done
	check_ok ns_ip sw -batch - <<<"$cmds" || return 1
	cmds="link add $B type bond mode balance-alb miimon 100"$'\n'
	for ((i = 1; i <= n; i++)); do cmds+="link set as$i master $B"$'\n'; done
	cmds+="link set $B up"$'\n'"addr add $BOND_IP/16 dev $B"$'\n'
	check_ok ns_ip srv -batch - <<<"$cmds" || return 1
	check_ok ns_ip st link set eth0 up
	i=0
	for k in "$@"; do
		i=$((i + 1))
		check_ok ns_ip "$k" -batch - <<<"link set eth0 up"$'\n'"addr add 198.18.1.$i/16 dev eth0" || return 1
		bond_ns_pin "$k" || return 1
	done
	bond_ns_pin srv || return 1
	PROC=${BOND_PROCNET[srv]}/bonding/$B
	DBG=$(bond_debugfs_dir -n srv $B)
	check_ok bct_wait_until 20 slaves_up "$n"
}

# teardown NS...: end what topology made (its pinned processes first, so the
# namespaces and the bond in them go away now).
teardown() {
	local n p
	for n in srv "$@"; do
		p=${BOND_PROCNET[$n]:-}
		p=${p#/proc/}
		[[ -n $p ]] && kill "${p%/net}" 2>/dev/null
	done
	for n in sw srv st "$@"; do ip netns del "$(ns "$n")" 2>/dev/null; done
}

# 4096 clients, 4 slaves of one speed: all learned, none refused, exactly
# 1024 on each slave; /proc agrees with the table.
many_clients() {
	local n=4096 t0 t1 v s c dist= lines l f
	local -A per=()
	topology 4 || return 1
	bct_ms t0
	check_ok bct_in st ./arp_storm -i eth0 --sources $n --src-ip 198.18.16.1 \
		--src-mac 02:5a:00:00:00:01 --target-ip $BOND_IP --count $n --rate 1000 --batch 16
	learned() { pf v "RLB Clients Added" && ((v >= n)); }
	bct_wait_until 90 learned
	bct_ms t1
	log "$n clients learned in $((t1 - t0)) ms (storm at 1000 frames/s)"
	pf v "RLB Clients Added"
	check_eq "$v" $n "RLB Clients Added"
	pf v "RLB Clients"
	check_eq "$v" $n "RLB Clients"
	pf v "RLB Clients Refused"
	check_eq "$v" 0 "RLB Clients Refused"
	mapfile -t lines <"$DBG/rlb_hash_table"
	check_eq "$((${#lines[@]} - 1))" $n "rows in rlb_hash_table"
	for l in "${lines[@]:1}"; do
		# shellcheck disable=SC2206
		f=($l)
		per[${f[3]}]=$((${per[${f[3]}]:-0} + 1))
	done
	for s in as1 as2 as3 as4; do
		pf c "RLB Clients" "$s"
		dist+="$s:$c "
		check_eq "$c" $((n / 4)) "/proc RLB Clients of $s"
		check_eq "${per[$s]:-0}" "$c" "table rows of $s (= its /proc RLB Clients)"
	done
	log "distribution of $n clients over 4 slaves: $dist"
	teardown
}

# settled: RLB Updates Sent stays put for longer than the delay between two
# rounds of updates (2 s): nothing is left to tell.
settled() {
	local a b
	pf a "RLB Updates Sent" || return 1
	bct_sleep 2.5
	pf b "RLB Updates Sent" && [[ $a == "$b" ]]
}

# clients_on VAR SLAVE: /proc RLB Clients of SLAVE.
clients_on() { pf "$1" "RLB Clients" "$2"; }

# Every client that must be told is told BND_RLB_UPDATE_TRIES (4) times,
# 2 ARP replies each, however many there are: RLB works through them a
# bounded number per tick. 4096 clients on 4 slaves: a backup slave fails
# (its ~1024 clients move), comes back (clients move back), the bond
# broadcasts an ARP request (every client not on the active slave is
# re-told), and one client gets a unicast probe (only it is re-told).
told_at_scale() {
	local n=4096 v u0 r0 r1 moved act s i sum=0 fail
	topology 4 || return 1
	check_ok ns_exec srv sysctl -qw net.ipv4.neigh.$B.mcast_solicit=1 \
		net.ipv4.neigh.$B.ucast_solicit=1 net.ipv4.neigh.$B.delay_first_probe_time=1
	check_ok bct_in st ./arp_storm -i eth0 --sources $n --src-ip 198.18.16.1 \
		--src-mac 02:5a:00:00:00:01 --target-ip $BOND_IP --count $n --rate 1000 --batch 16
	learned() { pf v "RLB Clients Added" && ((v >= n)); }
	check_ok bct_wait_until 90 learned || return 1
	check_ok bct_wait_until 60 settled
	pf act "Currently Active Slave"

	# A backup slave fails: each of its clients is told 4 times.
	for s in as1 as2 as3 as4; do [[ $s != "$act" ]] && { fail=$s; break; }; done
	clients_on moved "$fail"
	pf u0 "RLB Updates Sent"
	pf r0 "RLB Clients Reassigned"
	log "failing $fail with $moved clients"
	check_ok ns_ip sw link set "sp${fail#as}" down
	gone() { clients_on v "$fail" && ((v == 0)); }
	check_ok bct_wait_until 30 gone
	check_ok bct_wait_until 60 settled
	pf r1 "RLB Clients Reassigned"
	check_eq "$((r1 - r0))" "$moved" "RLB Clients Reassigned growth (the clients of $fail)"
	pf v "RLB Updates Sent"
	check_eq "$((v - u0))" "$((moved * 8))" "updates sent for $moved moved clients (4 rounds of 2)"

	# It comes back: the clients rebalanced onto it are told 4 times each.
	pf u0 "RLB Updates Sent"
	check_ok ns_ip sw link set "sp${fail#as}" up
	back() { clients_on v "$fail" && ((v >= n / 4 - 1)); }
	check_ok bct_wait_until 60 back
	check_ok bct_wait_until 60 settled
	pf r0 "RLB Clients Reassigned"
	clients_on moved "$fail"
	log "$moved clients moved back onto $fail (Reassigned now $r0)"
	pf v "RLB Updates Sent"
	check_eq "$((v - u0))" "$((moved * 8))" "updates sent for the $moved clients moved back"

	# A broadcast ARP request of ours: the clients of every slave but the
	# active one are re-told, 4 times each.
	for s in as1 as2 as3 as4; do
		[[ $s == "$act" ]] && continue
		clients_on v "$s"
		sum=$((sum + v))
	done
	pf u0 "RLB Updates Sent"
	bct_in srv ping -q -c 1 -W 1 198.18.250.250 >/dev/null 2>&1
	check_ok bct_wait_until 60 settled
	pf v "RLB Updates Sent"
	check_eq "$((v - u0))" "$((sum * 8))" "updates after our broadcast ARP request ($sum clients off the active slave)"

	# A unicast probe of ours reaches one client: only it is re-told.
	pf u0 "RLB Updates Sent"
	check_ok ns_ip srv neigh replace 198.18.16.9 lladdr 02:5a:00:00:00:09 dev $B nud stale
	bct_in srv ping -q -c 1 -W 1 198.18.16.9 >/dev/null 2>&1
	check_ok bct_wait_until 60 settled
	pf v "RLB Updates Sent"
	check_eq "$((v - u0))" 8 "updates after a unicast ARP probe of one client"
	teardown
}

# sample_ticks FILE: while bond_delay holds a tick on entry to
# bnd_rlb_tick(), the one before it is over: append "TICKS UPDATES MOVED"
# (ticks begun, RLB Updates Sent, RLB Clients Reassigned) to FILE, once per
# held tick, if the same tick was still held after the counters were read.
sample_ticks() {
	local b h h2 u r last=-1
	while :; do
		if bct_get b $DP/busy && ((b > 0)) && bct_get h $DP/hits && [[ $h != "$last" ]]; then
			pf u "RLB Updates Sent"
			pf r "RLB Clients Reassigned"
			bct_get b $DP/busy
			bct_get h2 $DP/hits
			((b > 0)) && [[ $h2 == "$h" ]] && echo "$h $u $r" >>"$1"
			last=$h
		fi
		bct_sleep 0.02
	done
}

# tick_work FILE UPD MOVES: check the samples of sample_ticks in FILE: in
# no run of K ticks more than K * UPD updates nor K * MOVES clients moved
# (MOVES empty: moves are not checked). Sets MAXU and MAXR to the most one
# tick sent and moved (among samples of consecutive ticks).
tick_work() {
	local l cur prev=() k du dr pairs=0 gaps=0
	MAXU=0
	MAXR=0
	mapfile -t l <"$1"
	for cur in "${l[@]}"; do
		# shellcheck disable=SC2206
		cur=($cur)
		if ((${#prev[@]})); then
			k=$((cur[0] - prev[0]))
			du=$((cur[1] - prev[1]))
			dr=$((cur[2] - prev[2]))
			((du <= k * $2)) || _check_failed "$du updates in $k tick(s), more than $((k * $2))"
			[[ -z $3 ]] || ((dr <= k * $3)) ||
				_check_failed "$dr clients moved in $k tick(s), more than $((k * $3))"
			if ((k == 1)); then
				pairs=$((pairs + 1))
				((du > MAXU)) && MAXU=$du
				((dr > MAXR)) && MAXR=$dr
			else
				gaps=$((gaps + 1))
			fi
		fi
		prev=("${cur[@]}")
	done
	log "${#l[@]} held ticks sampled ($pairs pairs back to back, $gaps gaps): most in one tick $MAXU updates, $MAXR moved"
}

# The lb monitor's RLB work per tick is bounded whatever the size of the
# table: at most 1024 clients told (2048 replies) and 256 moved by a
# rebalance per tick, the rest left to the next ones. bond_delay.ko
# (selftests/modules/bond_delay) holds each tick on entry to
# bnd_rlb_tick() for 300 ms; counters read while a tick is held show what
# the ticks before it did. 4096 clients on 2 slaves: the backup fails (its
# 2048 clients move at once, on the link monitor's RTNL path, and must all
# be told), then comes back (a rebalance moves 2048 back). In each phase
# the busiest tick must have done exactly the bound (told 1024, moved 256),
# and no run of K ticks more than K times it.
bounded_per_tick() {
	local n=4096 v act back s f spid MAXU MAXR
	[[ -f $delay_ko ]] || { log "bond_delay.ko was not built"; return 4; }
	topology 2 || return 1
	check_ok bct_in st ./arp_storm -i eth0 --sources $n --src-ip 198.18.16.1 \
		--src-mac 02:5a:00:00:00:01 --target-ip $BOND_IP --count $n --rate 1000 --batch 16
	learned() { pf v "RLB Clients Added" && ((v >= n)); }
	check_ok bct_wait_until 90 learned || return 1
	check_ok bct_wait_until 60 settled
	pf act "Currently Active Slave"
	for s in as1 as2; do [[ $s != "$act" ]] && back=$s; done
	clients_on v "$back"
	log "backup $back has $v clients"

	check_ok insmod "$delay_ko" func=bnd_rlb_tick delay_ms=300 max_hits=1000000 || return 1
	defer eval "rmmod bond_delay 2>/dev/null"
	f=$(mktemp)
	defer rm -f "$f" "$f.back"

	# The backup fails: every one of its clients is told, 1024 a tick.
	sample_ticks "$f" &
	spid=$!
	defer eval "kill $spid 2>/dev/null"
	check_ok ns_ip sw link set "sp${back#as}" down
	gone() { clients_on v "$back" && ((v == 0)); }
	check_ok bct_wait_until 60 gone
	check_ok bct_wait_until 60 settled
	kill "$spid"
	wait "$spid" 2>/dev/null
	tick_work "$f" 2048 ""
	check_eq "$MAXU" 2048 "most updates one tick sent after $back failed (1024 clients, 2 each)"

	# It comes back: clients move back onto it, 256 a tick.
	sample_ticks "$f.back" &
	spid=$!
	defer eval "kill $spid 2>/dev/null"
	check_ok ns_ip sw link set "sp${back#as}" up
	on_back() { clients_on v "$back" && ((v >= n / 2 - 1)); }
	check_ok bct_wait_until 60 on_back
	check_ok bct_wait_until 60 settled
	kill "$spid"
	wait "$spid" 2>/dev/null
	check_ok rmmod bond_delay
	tick_work "$f.back" 2048 256
	check_eq "$MAXR" 256 "most clients one tick moved back onto $back"
	teardown
}

# rlb_max_clients=256: of 1001 clients the 256 most recently used are kept,
# the others evicted as newer ones came (none refused); clients that keep
# talking to the bond stay through a flood of new ones; a client that comes
# after the flood is learned (and balanced) at once.
cap() {
	local s v m added evicted refused busy p lines l f stale=0 kept=0
	check_ok modprobe -r bonding || return 1
	check_ok modprobe bonding max_bonds=0 rlb_max_clients=256 || return 1
	bonding_is_ours || _check_failed "bonding loaded with rlb_max_clients=256 is not ours"
	check_eq "$(cat /sys/module/bonding/parameters/rlb_max_clients)" 256 "rlb_max_clients parameter"
	topology 2 k1 k2 || return 1
	pf v "RLB Max Clients"
	check_eq "$v" 256 "/proc RLB Max Clients"

	check_ok bct_in k1 ping -q -c 2 -i 0.2 -W 3 $BOND_IP
	# 4 busy clients, each asking every 0.1 s throughout the flood.
	nsenter --net="/run/netns/$(ns st)" ./arp_storm -i eth0 --sources 4 --src-ip 198.18.30.1 \
		--src-mac 02:5b:00:00:00:01 --target-ip $BOND_IP --rate 40 --duration 120 \
		>/dev/null 2>&1 &
	busy=$!
	defer kill "$busy"
	busy_known() { pf v "RLB Clients Added" && ((v >= 5)); }
	check_ok bct_wait_until 20 busy_known
	check_ok bct_in st ./arp_storm -i eth0 --sources 1000 --src-ip 198.18.16.1 \
		--src-mac 02:5a:00:00:00:01 --target-ip $BOND_IP --count 1000 --rate 500 --batch 16
	all_answered() { pf added "RLB Clients Added" && ((added >= 1005)); }
	check_ok bct_wait_until 60 all_answered
	mapfile -t lines <"$DBG/rlb_hash_table"
	kill "$busy" 2>/dev/null
	wait "$busy" 2>/dev/null
	pf v "RLB Clients"
	check_eq "$v" 256 "RLB Clients"
	check_eq "$((${#lines[@]} - 1))" 256 "rows in rlb_hash_table"
	pf added "RLB Clients Added"
	pf evicted "RLB Clients Evicted"
	pf refused "RLB Clients Refused"
	log "added $added, evicted $evicted, refused $refused"
	check_eq "$evicted" "$((added - 256))" "RLB Clients Evicted (every client past the cap made room)"
	check_eq "$refused" 0 "RLB Clients Refused"
	# The rows: the busy clients, and otherwise the newest of the flood
	# (198.18.16.1 + 744 and up), or k1 if the bond ARPed it again lately.
	for l in "${lines[@]:1}"; do
		# shellcheck disable=SC2206
		f=($l)
		case ${f[1]} in
		198.18.30.[1-4]) kept=$((kept + 1)) ;;
		198.18.1.1) ;;
		198.18.1[6-9].*)
			IFS=. read -r _ _ p v <<<"${f[1]}"
			((((p - 16) * 256 + v - 1) >= 744)) || stale=$((stale + 1)) ;;
		*) stale=$((stale + 1)) ;;
		esac
	done
	check_eq "$kept" 4 "busy clients still in the table after the flood"
	check_eq "$stale" 0 "rows that are neither busy, nor k1, nor among the newest of the flood"

	# k1 was learned before the flood: its entry still names its slave's
	# MAC, and it keeps talking.
	check_ok bct_in k1 ping -q -c 3 -i 0.2 -W 3 $BOND_IP
	# k2 comes after the flood: learned, making room, and told its slave.
	pf evicted "RLB Clients Evicted"
	check_ok bct_in k2 ping -q -c 3 -i 0.2 -W 3 $BOND_IP
	s=$(bond_rlb_slave_of -n srv $B 198.18.1.2)
	check_match "$s" '^as[12]$' "slave of k2, learned after the flood"
	m=$(bond_mac -n srv "$s")
	k2_told() { bond_arp_mac v k2 $BOND_IP eth0 && [[ $v == "$m" ]]; }
	check_ok bct_wait_until 20 k2_told
	pf v "RLB Clients Evicted"
	check_ok test "$v" -gt "$evicted"
	pf v "RLB Clients"
	check_eq "$v" 256 "RLB Clients after k2"
	teardown k1 k2
}

# rlb_client_timeout=8: clients that stop exchanging ARPs with the bond are
# forgotten about 8 s later (RLB Clients Aged), not before; clients that
# keep asking are kept while they do, then forgotten in turn.
ageing() {
	local v busy lines l f others=0 t=8
	check_ok modprobe -r bonding || return 1
	check_ok modprobe bonding max_bonds=0 rlb_client_timeout=$t || return 1
	bonding_is_ours || _check_failed "bonding loaded with rlb_client_timeout=$t is not ours"
	check_eq "$(cat /sys/module/bonding/parameters/rlb_client_timeout)" $t "rlb_client_timeout parameter"
	topology 2 || return 1
	pf v "RLB Client Timeout"
	check_eq "$v" $t "/proc RLB Client Timeout"
	nsenter --net="/run/netns/$(ns st)" ./arp_storm -i eth0 --sources 4 --src-ip 198.18.30.1 \
		--src-mac 02:5b:00:00:00:01 --target-ip $BOND_IP --rate 20 --duration 120 \
		>/dev/null 2>&1 &
	busy=$!
	defer kill "$busy"
	check_ok bct_in st ./arp_storm -i eth0 --sources 100 --src-ip 198.18.16.1 \
		--src-mac 02:5a:00:00:00:01 --target-ip $BOND_IP --count 100 --rate 1000 --batch 16
	learned() { pf v "RLB Clients Added" && ((v >= 104)); }
	check_ok bct_wait_until 30 learned
	pf v "RLB Clients Aged"
	check_eq "$v" 0 "RLB Clients Aged right after learning"
	# Ageing runs ten times a second, at most 256 clients a tick.
	idle_gone() { pf v "RLB Clients Aged" && ((v >= 100)); }
	check_ok bct_wait_until $((3 * t + 10)) idle_gone
	mapfile -t lines <"$DBG/rlb_hash_table"
	pf v "RLB Clients"
	check_eq "$v" 4 "RLB Clients while only the busy ones ask"
	for l in "${lines[@]:1}"; do
		# shellcheck disable=SC2206
		f=($l)
		[[ ${f[1]} == 198.18.30.[1-4] ]] || others=$((others + 1))
	done
	check_eq "$((${#lines[@]} - 1))" 4 "rows in rlb_hash_table"
	check_eq "$others" 0 "rows other than the busy clients"
	pf v "RLB Clients Aged"
	check_eq "$v" 100 "RLB Clients Aged (the 100 idle ones)"
	kill "$busy" 2>/dev/null
	wait "$busy" 2>/dev/null
	all_gone() { pf v "RLB Clients" && ((v == 0)); }
	check_ok bct_wait_until $((3 * t + 10)) all_gone
	pf v "RLB Clients Aged"
	check_eq "$v" 104 "RLB Clients Aged once the busy ones stopped too"
	pf v "RLB Clients Evicted"
	check_eq "$v" 0 "RLB Clients Evicted"
	teardown
}

# An out-of-range rlb_max_clients or rlb_client_timeout refuses the load,
# with a log line.
bad_param() {
	local v p
	check_ok modprobe -r bonding
	for p in rlb_max_clients=10 rlb_max_clients=255 rlb_max_clients=1048577 \
		rlb_client_timeout=86401; do
		v=${p#*=}
		bond_klog_mark
		check_fail modprobe bonding "$p"
		check_fail test -e /sys/module/bonding
		check_match "$(bond_klog_since | grep "${p%=*}")" "${p%=*}.*invalid.*\($v\)" \
			"kernel log for $p"
	done
	check_ok modprobe bonding max_bonds=0
	check_eq "$(cat /sys/module/bonding/parameters/rlb_max_clients 2>/dev/null)" 65536 \
		"rlb_max_clients after a normal load"
	check_eq "$(cat /sys/module/bonding/parameters/rlb_client_timeout 2>/dev/null)" 300 \
		"rlb_client_timeout after a normal load"
	bonding_is_ours || _check_failed "bonding loaded again is not ours"
}

ktap_plan 7
bct_neigh_room 32768
dmesg_mark
run_test many_clients_balanced many_clients
run_test every_client_told_at_scale told_at_scale
run_test work_bounded_per_tick bounded_per_tick
run_test rlb_max_clients_evicts_least_recent cap
run_test rlb_client_timeout_ages_idle ageing
run_test rlb_params_out_of_range bad_param
run_test no_kernel_splat dmesg_check_clean "RLB scale and cap"
ktap_finish
