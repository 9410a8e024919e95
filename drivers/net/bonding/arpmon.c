// SPDX-License-Identifier: GPL-2.0
/*
 * ARP link monitoring (arp_interval, arp_ip_target, arp_validate,
 * arp_all_targets, arp_missed_max): slaves are judged by whether ARP
 * traffic to and from the targets flows through them, not by carrier.
 *
 * Every arp_interval the bond's mode runs its arp_monitor hook:
 * active-backup probes from the active slave (or, without one, from each
 * backup in turn) and load-balancing modes from every slave, to every ARP
 * target and every NS target (nsmon.c). Received ARPs (and NS/NA) are
 * credited to the slave they arrived on by the bond's receive hook, which
 * is bnd_arp_rcv() while the ARP monitor runs.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/inetdevice.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <net/arp.h>
#include <net/ipv6.h>
#include <net/route.h>

#include "bond.h"

static unsigned long bnd_arp_delta(const struct bnd_bond *bond)
{
	return msecs_to_jiffies(bond->b.params.arp_interval);
}

/*
 * Was @last within @mod intervals of time @at? A stamp newer than @at is;
 * one more than an interval ahead of the clock is junk.
 */
static bool bnd_arp_within(const struct bnd_bond *bond, unsigned long at,
			   unsigned long last, int mod)
{
	unsigned long delta = bnd_arp_delta(bond);

	return !time_after(last, jiffies + delta) &&
	       !time_after(at, last + mod * delta + delta / 2);
}

/*
 * Was @last within the last @mod intervals (with half an interval of
 * slack for fast links)?
 */
bool bnd_arp_recent(const struct bnd_bond *bond, unsigned long last, int mod)
{
	return bnd_arp_within(bond, jiffies, last, mod);
}

/*
 * A monitor round begins. One that runs late (the workqueue or the CPU
 * was busy elsewhere) sent none of the probes it would now miss: it judges
 * stamps as if it had run on time, one interval after the last round, so
 * that its own lateness counts against no link. Rounds late every time
 * still see a silent link go: the time they judge by moves on each round.
 */
static void bnd_arp_round_begin(struct bnd_bond *bond)
{
	unsigned long now = jiffies, due = bond->arp_ran + bnd_arp_delta(bond);

	bond->arp_now = time_after(now, due) ? due : now;
	bond->arp_ran = now;
}

/* bnd_arp_recent() for the monitor's round: as of the round's time. */
static bool bnd_arp_fresh(const struct bnd_bond *bond, unsigned long last, int mod)
{
	return bnd_arp_within(bond, bond->arp_now, last, mod);
}

/* ---- probes ----------------------------------------------------------- */

/*
 * VLANs between the bond and @dev, outermost (next to the bond) first.
 * False if @dev is not stacked on the bond.
 */
bool bnd_vlan_path(struct net_device *from, struct net_device *dev,
		   struct bnd_vlan_path *path)
{
	struct net_device *upper;
	struct list_head *iter;

	if (from == dev)
		return true;
	if (path->depth >= BND_MAX_VLAN_DEPTH)
		return false;
	netdev_for_each_upper_dev_rcu(from, upper, iter) {
		int depth = path->depth;

		if (is_vlan_dev(upper)) {
			path->tag[depth].proto = vlan_dev_vlan_proto(upper);
			path->tag[depth].id = vlan_dev_vlan_id(upper);
			path->depth++;
		}
		if (bnd_vlan_path(upper, dev, path))
			return true;
		path->depth = depth;
	}
	return false;
}

/*
 * Tag a probe frame (data at its Ethernet header) for @path: inner tags go
 * into the frame, the outermost one to the driver. NULL (frame freed) if
 * there was no room.
 */
struct sk_buff *bnd_vlan_tag(struct sk_buff *skb, const struct bnd_vlan_path *path)
{
	int i;

	for (i = path->depth - 1; i > 0; i--) {
		skb = vlan_insert_tag_set_proto(skb, path->tag[i].proto, path->tag[i].id);
		if (!skb)
			return NULL;
	}
	if (path->depth)
		__vlan_hwaccel_put_tag(skb, path->tag[0].proto, path->tag[0].id);
	return skb;
}

static void bnd_arp_send(struct slave *s, __be32 dip, __be32 sip,
			 const struct bnd_vlan_path *path)
{
	struct sk_buff *skb;

	skb = arp_create(ARPOP_REQUEST, ETH_P_ARP, dip, s->dev, sip, NULL,
			 s->dev->dev_addr, NULL);
	if (!skb) {
		net_err_ratelimited("%s: cannot allocate an ARP probe\n", s->bond->dev->name);
		return;
	}
	skb = bnd_vlan_tag(skb, path);
	if (!skb) {
		net_err_ratelimited("%s: cannot tag an ARP probe\n", s->bond->dev->name);
		return;
	}
	slave_update_last_tx(s);
	arp_xmit(skb);
}

/* One ARP request per target from @s, through the VLANs the route takes. */
static void bnd_arp_probe(struct bnd_bond *bond, struct slave *s)
{
	__be32 *targets = bond->b.params.arp_targets;
	struct bnd_vlan_path path;
	struct flowi4 fl4;
	struct rtable *rt;
	bool ours;
	int i;

	for (i = 0; i < BOND_MAX_ARP_TARGETS && targets[i]; i++) {
		memset(&fl4, 0, sizeof(fl4));
		memset(&path, 0, sizeof(path));
		fl4.daddr = targets[i];
		fl4.flowi4_scope = RT_SCOPE_LINK;
		rt = ip_route_output_key(dev_net(bond->b.dev), &fl4);
		if (IS_ERR(rt)) {
			/* No route: an ARP from 0.0.0.0 still makes traffic. */
			if (bond->b.params.arp_validate)
				net_warn_ratelimited("%s: no route to arp_ip_target %pI4 and arp_validate is set\n",
						     bond->b.dev->name, &targets[i]);
			bnd_arp_send(s, targets[i], 0, &path);
			continue;
		}
		rcu_read_lock();
		ours = bnd_vlan_path(bond->b.dev, rt->dst.dev, &path);
		rcu_read_unlock();
		if (ours)
			bnd_arp_send(s, targets[i], bond_confirm_addr(rt->dst.dev, targets[i], 0),
				     &path);
		ip_rt_put(rt);
	}
}

/* This round's probes from @s: ARP to the ARP targets, NS to the NS targets. */
static void bnd_probe(struct bnd_bond *bond, struct slave *s)
{
	bnd_arp_probe(bond, s);
	bnd_ns_probe(bond, s);
}

/* ---- receive ---------------------------------------------------------- */

static int bnd_has_ip_walk(struct net_device *upper, struct netdev_nested_priv *priv)
{
	__be32 ip = *(__be32 *)priv->data;

	return bond_confirm_addr(upper, 0, ip) == ip;
}

/* Is @ip an address of the bond or of a device stacked on it? */
static bool bnd_has_ip(struct bnd_bond *bond, __be32 ip)
{
	struct netdev_nested_priv priv = { .data = &ip };
	bool found;

	if (bond_confirm_addr(bond->b.dev, 0, ip) == ip)
		return true;
	rcu_read_lock();
	found = netdev_walk_all_upper_dev_rcu(bond->b.dev, bnd_has_ip_walk, &priv);
	rcu_read_unlock();
	return found;
}

/* An ARP between one of our addresses and target @sip: @s is alive. */
static void bnd_arp_credit(struct bnd_bond *bond, struct slave *s, __be32 sip, __be32 tip)
{
	int i;

	if (!sip || !bnd_has_ip(bond, tip))
		return;
	i = bond_get_targets_ip(bond->b.params.arp_targets, sip);
	if (i < 0)
		return;
	bnd_rx_stamp(&s->last_rx);
	bnd_rx_stamp(&s->target_last_arp_rx[i]);
}

/* An ARP frame on a slave that validates: does it prove @s alive? */
static void bnd_arp_validate(const struct sk_buff *skb, struct bnd_bond *bond,
			     struct slave *s)
{
	struct bonding *b = &bond->b;
	struct slave *active, *probing;
	const struct bnd_arp *arp;
	struct bnd_arp _arp;

	if (skb->pkt_type == PACKET_OTHERHOST || skb->pkt_type == PACKET_LOOPBACK)
		return;
	arp = skb_header_pointer(skb, 0, sizeof(_arp), &_arp);
	if (!arp || !bnd_arp_is_eth_ipv4(arp))
		return;

	active = rcu_dereference(b->curr_active_slave);
	probing = rcu_dereference(b->current_arp_slave);
	/*
	 * Trust an ARP enough to credit @s if @s is active; or, on a backup,
	 * if it is the broadcast request of the active slave (addresses
	 * swapped) that already heard from the targets since it became
	 * active; or if it is a reply while a probing slave sent a request
	 * in the last interval (a switch may deliver it to another port).
	 * Our own unanswered requests never make a slave look alive.
	 */
	if (bond_is_active_slave(s))
		bnd_arp_credit(bond, s, arp->sip, arp->tip);
	else if (active && time_after(bnd_slave_last_rx(b, active), active->last_link_up))
		bnd_arp_credit(bond, s, arp->tip, arp->sip);
	else if (probing && arp->hdr.ar_op == htons(ARPOP_REPLY) &&
		 bnd_arp_recent(bond, slave_last_tx(probing), 1))
		bnd_arp_credit(bond, s, arp->sip, arp->tip);
}

/*
 * The receive hook while the ARP monitor runs (never in tlb/alb, whose
 * hook is RLB's). Without arp_validate any frame proves the slave alive
 * (with the filter settings: any ARP or IPv6 frame); with it only ARP
 * exchanged with the ARP targets and NS/NA exchanged with the NS targets
 * do (nsmon.c). Other frames cost a protocol check.
 */
int bnd_arp_rcv(const struct sk_buff *skb, struct bonding *b, struct slave *s)
{
	bool is_arp = skb->protocol == htons(ETH_P_ARP);
	bool is_ipv6 = skb->protocol == htons(ETH_P_IPV6);

	if (!slave_do_arp_validate(b, s)) {
		if (!slave_do_arp_validate_only(b) || is_arp || is_ipv6)
			bnd_rx_stamp(&s->last_rx);
		return RX_HANDLER_ANOTHER;
	}
	if (is_arp)
		bnd_arp_validate(skb, bnd_from_b(b), s);
#if IS_ENABLED(CONFIG_IPV6)
	else if (is_ipv6 && likely(ipv6_mod_enabled()))
		bnd_ns_rcv(skb, bnd_from_b(b), s);
#endif
	return RX_HANDLER_ANOTHER;
}

/*
 * When @s last heard from the targets, as the monitor judges it: with
 * arp_all_targets any, the last validated frame (or any frame, without
 * validation); with all, the target heard from longest ago, over the ARP
 * targets and the NS targets together.
 */
unsigned long bnd_slave_last_rx(struct bonding *b, struct slave *s)
{
	const struct bond_params *p = &b->params;
	unsigned long oldest = 0, t;
	bool any = false;
	int i;

	if (p->arp_all_targets != BOND_ARP_TARGETS_ALL)
		return READ_ONCE(s->last_rx);
	for (i = 0; i < BOND_MAX_ARP_TARGETS && p->arp_targets[i]; i++) {
		t = READ_ONCE(s->target_last_arp_rx[i]);
		if (!any || time_before(t, oldest))
			oldest = t;
		any = true;
	}
#if IS_ENABLED(CONFIG_IPV6)
	for (i = 0; i < BOND_MAX_NS_TARGETS && !ipv6_addr_any(&p->ns_targets[i]); i++) {
		t = READ_ONCE(bnd_slave_from_s(s)->ns.last_rx[i]);
		if (!any || time_before(t, oldest))
			oldest = t;
		any = true;
	}
#endif
	/* No target at all: what slot 0 says, as upstream. */
	return any ? oldest : READ_ONCE(s->target_last_arp_rx[0]);
}

/*
 * bnd_arp_targets_commit - make @targets the bond's ARP target list (RTNL)
 *
 * Every slave's per-target stamps follow their targets: a target that
 * stays keeps its stamp in its new slot, a new one starts as just heard
 * (it has had no chance to answer yet), freed slots are cleared. Without
 * this, arp_all_targets all judged targets by other targets' stamps.
 */
void bnd_arp_targets_commit(struct bnd_bond *bond, const __be32 *targets)
{
	__be32 *cur = bond->b.params.arp_targets;
	unsigned long stamp[BOND_MAX_ARP_TARGETS];
	struct list_head *iter;
	struct slave *s;
	int i, j;

	ASSERT_RTNL();
	bond_for_each_slave(&bond->b, s, iter) {
		for (i = 0; i < BOND_MAX_ARP_TARGETS; i++) {
			stamp[i] = 0;
			if (!targets[i])
				continue;
			j = bond_get_targets_ip(cur, targets[i]);
			stamp[i] = j < 0 ? jiffies : READ_ONCE(s->target_last_arp_rx[j]);
		}
		for (i = 0; i < BOND_MAX_ARP_TARGETS; i++)
			WRITE_ONCE(s->target_last_arp_rx[i], stamp[i]);
	}
	for (i = 0; i < BOND_MAX_ARP_TARGETS; i++)
		WRITE_ONCE(cur[i], targets[i]);
}

/* ---- load-balancing modes (rr, xor, broadcast) ------------------------- */

/* A slave is up while it both sent and received within the window. */
void bnd_arpmon_lb(struct bnd_bond *bond)
{
	struct bonding *b = &bond->b;
	struct slave *s, *active;
	struct list_head *iter;
	bool changed = false, failover = false;

	rcu_read_lock();
	active = rcu_dereference(b->curr_active_slave);
	bond_for_each_slave_rcu(b, s, iter) {
		unsigned long tx = slave_last_tx(s), rx = READ_ONCE(s->last_rx);

		bond_propose_link_state(s, BOND_LINK_NOCHANGE);
		if (s->link != BOND_LINK_UP) {
			/* (no carrier: enslave-time stamps prove nothing) */
			if (bond_slave_is_up(s) && bnd_arp_fresh(bond, tx, 1) &&
			    bnd_arp_fresh(bond, rx, 1)) {
				bond_propose_link_state(s, BOND_LINK_UP);
				changed = true;
				failover |= !active;
			}
		} else if (!bnd_arp_fresh(bond, tx, b->params.missed_max) ||
			   !bnd_arp_fresh(bond, rx, b->params.missed_max)) {
			bond_propose_link_state(s, BOND_LINK_DOWN);
			changed = true;
			failover |= s == active;
		}
		if (bond_slave_is_up(s))
			bnd_probe(bond, s);
	}
	rcu_read_unlock();

	if (!changed || !rtnl_trylock())
		return;
	bond_for_each_slave(b, s, iter) {
		int link = s->link_new_state;

		if (link == BOND_LINK_NOCHANGE)
			continue;
		if (link == BOND_LINK_DOWN && s->link_failure_count < UINT_MAX)
			s->link_failure_count++;
		bnd_set_slave_link(bond, s, link);
		netdev_info(b->dev, "(slave %s): ARP monitor: link %s\n", s->dev->name,
			    link == BOND_LINK_UP ? "up" : "down");
	}
	bond_slave_state_change(b);
	bnd_update_slave_arr(bond);
	if (failover)
		bnd_select_active(bond);
	bnd_set_carrier(bond);
	rtnl_unlock();
}

/* ---- active-backup ---------------------------------------------------- */

static bool bnd_arpmon_ab_inspect(struct bnd_bond *bond)
{
	struct bonding *b = &bond->b;
	unsigned long rx, tx;
	struct list_head *iter;
	bool commit = false;
	struct slave *s;

	bond_for_each_slave_rcu(b, s, iter) {
		bond_propose_link_state(s, BOND_LINK_NOCHANGE);
		rx = bnd_slave_last_rx(b, s);

		if (s->link != BOND_LINK_UP) {
			if (bond_slave_is_up(s) && bnd_arp_fresh(bond, rx, 1)) {
				bond_propose_link_state(s, BOND_LINK_UP);
				commit = true;
			} else if (s->link == BOND_LINK_BACK) {
				bond_propose_link_state(s, BOND_LINK_FAIL);
				commit = true;
			}
			continue;
		}
		/* A slave just enslaved or made active gets two intervals. */
		if (bnd_arp_fresh(bond, s->last_link_up, 2))
			continue;
		/* A backup heard nothing for missed_max + 1 intervals. */
		if (!bond_is_active_slave(s) && !rcu_access_pointer(b->current_arp_slave) &&
		    !bnd_arp_fresh(bond, rx, b->params.missed_max + 1)) {
			bond_propose_link_state(s, BOND_LINK_DOWN);
			commit = true;
		}
		/* The active slave neither sends nor hears for missed_max. */
		tx = slave_last_tx(s);
		if (bond_is_active_slave(s) &&
		    (!bnd_arp_fresh(bond, tx, b->params.missed_max) ||
		     !bnd_arp_fresh(bond, rx, b->params.missed_max))) {
			bond_propose_link_state(s, BOND_LINK_DOWN);
			commit = true;
		}
	}
	return commit;
}

static void bnd_arpmon_ab_commit(struct bnd_bond *bond)
{
	struct bonding *b = &bond->b;
	struct slave *s, *active, *probing;
	struct list_head *iter;
	bool failover = false;

	bond_for_each_slave(b, s, iter) {
		active = rtnl_dereference(b->curr_active_slave);
		switch (s->link_new_state) {
		case BOND_LINK_UP:
			if (active == s)
				break;
			bond_set_slave_link_state(s, BOND_LINK_UP, BOND_SLAVE_NOTIFY_NOW);
			probing = rtnl_dereference(b->current_arp_slave);
			if (probing) {
				bond_set_slave_inactive_flags(probing, BOND_SLAVE_NOTIFY_NOW);
				RCU_INIT_POINTER(b->current_arp_slave, NULL);
			}
			netdev_info(b->dev, "(slave %s): ARP monitor: link up\n", s->dev->name);
			if (!active || s == rtnl_dereference(b->primary_slave) ||
			    s->prio > active->prio)
				failover = true;
			break;
		case BOND_LINK_DOWN:
			if (s->link_failure_count < UINT_MAX)
				s->link_failure_count++;
			bond_set_slave_link_state(s, BOND_LINK_DOWN, BOND_SLAVE_NOTIFY_NOW);
			bond_set_slave_inactive_flags(s, BOND_SLAVE_NOTIFY_NOW);
			netdev_info(b->dev, "(slave %s): ARP monitor: link down\n", s->dev->name);
			if (s == active) {
				RCU_INIT_POINTER(b->current_arp_slave, NULL);
				failover = true;
			}
			break;
		case BOND_LINK_FAIL:
			bond_set_slave_link_state(s, BOND_LINK_FAIL, BOND_SLAVE_NOTIFY_NOW);
			bond_set_slave_inactive_flags(s, BOND_SLAVE_NOTIFY_NOW);
			if (active)
				RCU_INIT_POINTER(b->current_arp_slave, NULL);
			break;
		default:
			break;
		}
	}
	if (failover)
		bnd_select_active(bond);
	bnd_set_carrier(bond);
}

/*
 * Probe from the active slave; without one, let the next backup that is
 * up try (it is marked BACK and made active for transmit meanwhile).
 */
static void bnd_arpmon_ab_probe(struct bnd_bond *bond)
{
	struct bonding *b = &bond->b;
	struct slave *active = rcu_dereference(b->curr_active_slave);
	struct slave *probing = rcu_dereference(b->current_arp_slave);
	struct slave *s, *first = NULL, *next = NULL;
	struct list_head *iter;
	bool past = false;

	if (active) {
		bnd_probe(bond, active);
		return;
	}
	if (!probing)
		probing = bond_first_slave_rcu(b);
	if (!probing)
		return;
	bond_for_each_slave_rcu(b, s, iter) {
		if (bond_slave_is_up(s)) {
			if (!past && !first)
				first = s;
			if (past && !next)
				next = s;
		} else if (s->link == BOND_LINK_UP) {
			/* Carrier gone while nobody was active: mark it down. */
			bond_set_slave_link_state(s, BOND_LINK_DOWN, BOND_SLAVE_NOTIFY_LATER);
			if (s->link_failure_count < UINT_MAX)
				s->link_failure_count++;
			bond_set_slave_inactive_flags(s, BOND_SLAVE_NOTIFY_LATER);
		}
		if (s == probing)
			past = true;
	}
	next = next ?: first;
	if (!next)
		return;
	bond_set_slave_link_state(next, BOND_LINK_BACK, BOND_SLAVE_NOTIFY_LATER);
	bond_set_slave_active_flags(next, BOND_SLAVE_NOTIFY_LATER);
	bnd_probe(bond, next);
	next->last_link_up = jiffies;
	rcu_assign_pointer(b->current_arp_slave, next);
}

void bnd_arpmon_ab(struct bnd_bond *bond)
{
	bool commit;

	rcu_read_lock();
	commit = bnd_arpmon_ab_inspect(bond);
	rcu_read_unlock();
	if (commit && rtnl_trylock()) {
		bnd_arpmon_ab_commit(bond);
		rtnl_unlock();
	}

	rcu_read_lock();
	bnd_arpmon_ab_probe(bond);
	rcu_read_unlock();

	/* States changed under RCU above are announced under RTNL. */
	if (rtnl_trylock()) {
		bond_slave_state_notify(&bond->b);
		bond_slave_link_notify(&bond->b);
		rtnl_unlock();
	}
}

/* ---- the work --------------------------------------------------------- */

static void bnd_arpmon_work(struct work_struct *work)
{
	struct bonding *b = container_of(work, struct bonding, arp_work.work);
	struct bnd_bond *bond = bnd_from_b(b);
	unsigned int ms = READ_ONCE(b->params.arp_interval);

	if (!ms)
		return;
	/* (also without slaves: the first slave's round is not a late one) */
	bnd_arp_round_begin(bond);
	if (bond_has_slaves(b))
		bond->ops->arp_monitor(bond);
	queue_delayed_work(b->wq, &b->arp_work, msecs_to_jiffies(ms));
}

void bnd_arpmon_init(struct bnd_bond *bond)
{
	INIT_DELAYED_WORK(&bond->b.arp_work, bnd_arpmon_work);
}

/*
 * The monitor (re)starts: slaves that are up get the two intervals of
 * grace a freshly enslaved slave gets, however long ago they joined.
 * active-backup counts them from last_link_up; the load-balancing modes
 * judge a slave by its last probe sent and frame heard, so those restart
 * too. Stamps left from enslave time (a bond brought up later) would take
 * every slave down at the first tick, the bond's carrier with them, and
 * count a link failure for each, before a single probe had gone out.
 */
void bnd_arpmon_start(struct bnd_bond *bond)
{
	unsigned long now = jiffies;
	struct list_head *iter;
	struct slave *s;

	rcu_read_lock();
	bond_for_each_slave_rcu(&bond->b, s, iter) {
		WRITE_ONCE(s->last_link_up, now);
		if (s->link != BOND_LINK_UP)
			continue;
		WRITE_ONCE(s->last_rx, now);
		WRITE_ONCE(s->last_tx, now);
	}
	rcu_read_unlock();
	/* The first round judges by its own time. */
	bond->arp_ran = now - bnd_arp_delta(bond);
	queue_delayed_work(bond->b.wq, &bond->b.arp_work, 0);
}

/* Initial state of a slave enslaved while the ARP monitor is configured. */
void bnd_arpmon_slave_init(struct bnd_bond *bond, struct slave *s)
{
	unsigned long past = jiffies - (bnd_arp_delta(bond) + 1);
	int i;

	WRITE_ONCE(s->last_rx, past);
	WRITE_ONCE(s->last_tx, past);
	for (i = 0; i < BOND_MAX_ARP_TARGETS; i++)
		WRITE_ONCE(s->target_last_arp_rx[i], past);
	for (i = 0; i < BOND_MAX_NS_TARGETS; i++)
		WRITE_ONCE(bnd_slave_from_s(s)->ns.last_rx[i], past);
}
