# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Topology and views shared by the balance-alb tests (bond_alb.sh,
# bond_alb_vlan.sh). Source it after lib.sh and bond_lib.sh.
#
# alb_topology NSLAVES NCLIENTS [--ipv6 N] [--vlan N...] builds:
#   sw   a bridge (br0)
#   srv  the alb bond alb0 (miimon 100, 198.18.0.1/16) with slaves
#        as1..asNSLAVES, each peered with bridge port spN
#   cK   clients K = 1..NCLIENTS: eth0 (MAC 02:a1:00:00:01:K, 198.18.1.K/16)
#        on bridge port cpK; with --ipv6 N, client N and srv also get
#        2001:db8::11/64 and 2001:db8::1/64; with --vlan N, client N also
#        has eth0.10 (198.19.0.1N/24)
#   st   a namespace for ./arp_storm (eth0 on bridge port stp, no address)
#
# Everything is read with shell builtins, never $(...) in a polling loop:
# srv's sysfs is mounted once (SYS), /proc/net of srv and of every client is
# reached through a process kept there (BOND_PROCNET), debugfs directly (DBG).
# Under TCG each fork or exec costs a good part of a second.
#
# Views (VAR-setting functions assign the caller's variable VAR):
#   load_table                   rlb_hash_table into SLAVE_OF[client],
#                                CMAC[client], SRVIP[client], COUNT[slave]
#                                (0 for a slave with none), ROWS
#   mac VAR IF                   current MAC of IF in srv
#   rs VAR NAME, pf VAR FIELD [SLAVE]
#                                rlb_stats line / /proc/net/bonding field
#   mii_is SLAVE STATE, slaves_up, active_is_not SLAVE
#   told NS CLIENT_IP SERVER DEV NS's ARP entry for SERVER is the current MAC
#                                of CLIENT_IP's slave; check_told: a check
#   arrives_on NS DST SLAVE      10 pings from NS to DST arrive on SLAVE (and
#                                fewer than 10 frames on each other slave);
#                                check_arrives_on: a check (retried 20 s)
#   spread / check_spread        clients per slave differ by at most one
#   none_on SLAVE, some_on SLAVE
#   clients_of VAR SLAVE, busiest_backup VAR, log_table WHAT
#   check_ping NS DST

# shellcheck disable=SC2034	# used by the tests that source this file
B=alb0
BOND_IP=198.18.0.1
VLAN_IP=198.19.0.1
SLAVES=()
NCLIENTS=0
SYS=
PROC=
DBG=

client_ip() { printf -v "$1" '198.18.1.%d' "$2"; }
client_mac() { printf -v "$1" '02:a1:00:00:01:%02x' "$2"; }

alb_topology() {
	local nslaves=$1 i ip m cmds= ports= v6= vlans=" "
	NCLIENTS=$2
	shift 2
	while (($#)); do
		case $1 in
		--ipv6) v6=$2; shift 2 ;;
		--vlan) vlans+="$2 "; shift 2 ;;
		*) _check_failed "alb_topology: bad argument $1"; return 1 ;;
		esac
	done
	SLAVES=()
	for ((i = 1; i <= nslaves; i++)); do SLAVES+=("as$i"); done

	switch_create sw || return 1
	if [[ -n $v6 ]]; then
		ns_create --ipv6 srv "c$v6" || return 1
	else
		ns_create srv || return 1
	fi
	for ((i = 1; i <= NCLIENTS; i++)); do
		[[ $i == "$v6" ]] || ns_create "c$i" || return 1
	done
	ns_create st || return 1

	for ((i = 1; i <= nslaves; i++)); do
		cmds+="link add as$i netns $(ns srv) type veth peer name sp$i netns $(ns sw)"$'\n'
		ports+=" sp$i"
	done
	for ((i = 1; i <= NCLIENTS; i++)); do
		client_mac m "$i"
		cmds+="link add eth0 netns $(ns "c$i") address $m type veth peer name cp$i netns $(ns sw)"$'\n'
		ports+=" cp$i"
	done
	cmds+="link add eth0 netns $(ns st) type veth peer name stp netns $(ns sw)"$'\n'
	ports+=" stp"
	check_ok ip -batch - <<<"$cmds" || return 1

	cmds=
	for i in $ports; do cmds+="link set $i master br0"$'\n'"link set $i up"$'\n'; done
	check_ok ns_ip sw -batch - <<<"$cmds" || return 1

	cmds="link add $B type bond mode balance-alb miimon 100"$'\n'
	for ((i = 1; i <= nslaves; i++)); do cmds+="link set as$i master $B"$'\n'; done
	cmds+="link set $B up"$'\n'"addr add $BOND_IP/16 dev $B"$'\n'
	[[ -n $v6 ]] && cmds+="addr add 2001:db8::1/64 dev $B nodad"$'\n'
	check_ok ns_ip srv -batch - <<<"$cmds" || return 1

	for ((i = 1; i <= NCLIENTS; i++)); do
		client_ip ip "$i"
		cmds="link set eth0 up"$'\n'"addr add $ip/16 dev eth0"$'\n'
		[[ $i == "$v6" ]] && cmds+="addr add 2001:db8::11/64 dev eth0 nodad"$'\n'
		if [[ $vlans == *" $i "* ]]; then
			cmds+="link add link eth0 name eth0.10 type vlan id 10"$'\n'
			cmds+="link set eth0.10 up"$'\n'"addr add 198.19.0.1$i/24 dev eth0.10"$'\n'
		fi
		check_ok ns_ip "c$i" -batch - <<<"$cmds" || return 1
	done
	check_ok ns_ip st link set eth0 up

	bct_sysfs_mount srv || return 1
	SYS=${BCT_SYS[srv]}
	bond_ns_pin srv || return 1
	for ((i = 1; i <= NCLIENTS; i++)); do
		bond_ns_pin "c$i" || return 1
	done
	PROC=${BOND_PROCNET[srv]}/bonding/$B
	DBG=$(bond_debugfs_dir -n srv $B)
	check_ok test -r "$DBG/rlb_hash_table"
	bct_wait_until 20 slaves_up || _check_failed "slaves of $B did not all come up"
	local act
	pf act "Currently Active Slave"
	cmds=
	for i in $B "${SLAVES[@]}"; do mac m "$i"; cmds+="$i=$m "; done
	log "active slave: $act; MACs: $cmds"
}

# ---------------------------------------------------------------- views

# shellcheck disable=SC2034	# read by the tests
declare -A SLAVE_OF=() CMAC=() SRVIP=() COUNT=()
ROWS=0

load_table() {
	local lines l f s -
	set -f
	SLAVE_OF=() CMAC=() SRVIP=() COUNT=() ROWS=0
	for s in "${SLAVES[@]}"; do COUNT[$s]=0; done
	mapfile -t lines <"$DBG/rlb_hash_table" || return 1
	for l in "${lines[@]:1}"; do
		# shellcheck disable=SC2206	# server client mac dev
		f=($l)
		SRVIP[${f[1]}]=${f[0]}
		CMAC[${f[1]}]=${f[2]}
		SLAVE_OF[${f[1]}]=${f[3]}
		COUNT[${f[3]}]=$((${COUNT[${f[3]}]:-0} + 1))
		ROWS=$((ROWS + 1))
	done
}

mac() { IFS= read -r "$1" <"$SYS/class/net/$2/address"; }
rs() { bond_file_value "$1" "$SYS/class/net/$B/bonding/rlb_stats" "$2"; }
pf() { bond_file_value "$1" "$PROC" "$2" "${3:-}"; }

mii_is() { local v; pf v "MII Status" "$1" && [[ $v == "$2" ]]; }
slaves_up() { local s; for s in "${SLAVES[@]}"; do mii_is "$s" up || return 1; done; }
active_is_not() { local v; pf v "Currently Active Slave" && [[ $v != "$1" && $v != None ]]; }

log_table() {
	local lines
	mapfile -t lines <"$DBG/rlb_hash_table"
	log "rlb table ($1):"
	((${#lines[@]} > 1)) && printf '#   %s\n' "${lines[@]:1}"
}

# (told leaves what it saw in TOLD_SLAVE and TOLD_MAC)
told() {
	local s m a
	load_table || return 1
	s=${SLAVE_OF[$2]:-}
	[[ -n $s && $s != "(none)" ]] || return 1
	mac m "$s" || return 1
	bond_arp_mac a "$1" "$3" "$4"
	TOLD_SLAVE=$s TOLD_MAC=$a
	[[ -n $a && $a == "$m" ]]
}

# The client was told once it held its slave's MAC. Not read again after
# that: an ARP request of the bond's own (a neighbour probe) carries the
# bond's MAC and sets the client's entry to it until the re-telling that
# follows one BND_RLB_UPDATE_DELAY later, as upstream's RLB does.
check_told() {
	local s m= a
	if bct_wait_until 20 told "$@"; then
		log "ok: $1 ($2) has $3 at $TOLD_MAC, the MAC of its slave $TOLD_SLAVE"
		return 0
	fi
	load_table
	s=${SLAVE_OF[$2]:-}
	[[ -n $s ]] && mac m "$s"
	bond_arp_mac a "$1" "$3" "$4"
	_check_failed "$1 ($2): ARP entry for $3 is '$a', the table puts it on '$s' (MAC '$m')"
}

all_told() {
	local i ip
	for ((i = 1; i <= NCLIENTS; i++)); do
		client_ip ip "$i"
		check_told "c$i" "$ip" $BOND_IP eth0
	done
}

check_ping() {
	bct_ping_all "$1" 2 -q -i 0.2 -W 3 "$2"
}

_arrived=
arrives_on() {
	local s b=() a=() i ok=0
	for s in "${SLAVES[@]}"; do bct_stat "b[${#b[@]}]" srv "$s" rx_packets; done
	bct_in "$1" ping -q -c 10 -i 0.05 -W 2 "$2" >/dev/null 2>&1 || return 1
	for s in "${SLAVES[@]}"; do bct_stat "a[${#a[@]}]" srv "$s" rx_packets; done
	_arrived=
	for i in "${!SLAVES[@]}"; do
		_arrived+="${SLAVES[i]}+$((a[i] - b[i])) "
		if [[ ${SLAVES[i]} == "$3" ]]; then
			((a[i] - b[i] >= 10)) || ok=1
		else
			((a[i] - b[i] < 10)) || ok=1
		fi
	done
	return $ok
}

check_arrives_on() {
	if bct_wait_until 20 arrives_on "$@"; then
		log "ok: pings of $1 to $2 arrive on $3 (rx: $_arrived)"
	else
		_check_failed "pings of $1 to $2 do not arrive on $3 alone (rx: $_arrived)"
	fi
}

spread() {
	local s min=999999 max=0
	load_table || return 1
	for s in "${SLAVES[@]}"; do
		((COUNT[$s] < min)) && min=${COUNT[$s]}
		((COUNT[$s] > max)) && max=${COUNT[$s]}
	done
	((max - min <= 1))
}

check_spread() {
	local s d=
	bct_wait_until 10 spread
	load_table
	for s in "${SLAVES[@]}"; do d+="$s:${COUNT[$s]} "; done
	if spread; then
		log "ok: clients per slave $d"
	else
		_check_failed "clients per slave differ by more than one: $d"
	fi
}

none_on() { load_table && ((COUNT[$1] == 0)); }
some_on() { load_table && ((COUNT[$1] > 0)); }

clients_of() {
	local c l=
	load_table
	for c in "${!SLAVE_OF[@]}"; do [[ ${SLAVE_OF[$c]} == "$2" ]] && l+="$c "; done
	printf -v "$1" '%s' "$l"
}

busiest_backup() {
	local act s best= max=-1
	pf act "Currently Active Slave"
	load_table
	for s in "${SLAVES[@]}"; do
		[[ $s == "$act" ]] && continue
		((COUNT[$s] > max)) && { max=${COUNT[$s]}; best=$s; }
	done
	printf -v "$1" '%s' "$best"
}

