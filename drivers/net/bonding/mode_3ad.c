// SPDX-License-Identifier: GPL-2.0
/*
 * 802.3ad (mode 4): dynamic link aggregation with LACP (lacp.c). Ports join
 * aggregators with their partner; the bond transmits, by flow hash, only on
 * the distributing ports of its active aggregator and has carrier while that
 * aggregator has at least min_links (and one) ports with link.
 *
 * Aggregators: each port's struct ad_slave_info carries one. The selection
 * logic puts a port into the aggregator of its Link Aggregation Group (same
 * actor key, partner system and partner key), else into a free one (its own
 * first), and picks the aggregator the bond uses by ad_select. Ports of any
 * other aggregator are STANDBY: their mux machine waits and tells the
 * partner they are not in sync.
 *
 * Contexts: the protocol ticks in b.ad_work (AD_TIMER_INTERVAL) and hears
 * LACPDUs in softirq via recv_probe; both under b.mode_lock. What the mux
 * machine decides about a port (collecting, distributing) reaches the slave
 * flags and the transmit arrays under RTNL: at once from the RTNL hooks,
 * else from the work when it gets RTNL (trylock, retried every tick).
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>

#include "lacp.h"
#include "options.h"

/* ---- aggregators and the selection logic (mode_lock held) ---------- */

static u64 agg_bandwidth(const struct aggregator *agg)
{
	u64 bw = 0;
	struct port *p;

	for (p = agg->lag_ports; p; p = p->next_port_in_aggregator)
		if (p->is_enabled && p->slave->speed != SPEED_UNKNOWN)
			bw += p->slave->speed;
	return bw;
}

/* Individual: half duplex or no link, or a partner that will not aggregate. */
static bool port_individual(const struct port *p)
{
	return !(p->actor_oper_port_key & LACP_KEY_DUPLEX) ||
	       !(p->actor_oper_port_state & LACP_STATE_AGGREGATION) ||
	       !(p->partner_oper.port_state & LACP_STATE_AGGREGATION);
}

/* @agg serves the Link Aggregation Group of @p. */
static bool agg_fits(const struct aggregator *agg, const struct port *p)
{
	return agg->lag_ports && !agg->is_individual &&
	       agg->actor_oper_aggregator_key == p->actor_oper_port_key &&
	       lacp_mac_eq(&agg->partner_system, &p->partner_oper.system) &&
	       agg->partner_system_priority == p->partner_oper.system_priority &&
	       agg->partner_oper_aggregator_key == p->partner_oper.key;
}

static void agg_adopt(struct bnd_bond *bond, struct aggregator *agg,
		      const struct port *p)
{
	agg->is_individual = port_individual(p);
	agg->actor_admin_aggregator_key = p->actor_admin_port_key;
	agg->actor_oper_aggregator_key = p->actor_oper_port_key;
	agg->partner_system = p->partner_oper.system;
	agg->partner_system_priority = p->partner_oper.system_priority;
	agg->partner_oper_aggregator_key = p->partner_oper.key;
	agg->receive_state = 1;
	agg->transmit_state = 1;
	memcpy(agg->aggregator_mac_address.mac_addr_value, bond->b.dev->dev_addr, ETH_ALEN);
}

/* The aggregator the bond uses, if any. Any context holding mode_lock. */
static struct aggregator *bnd_3ad_active_agg(struct bnd_bond *bond)
{
	struct aggregator *found = NULL;
	struct list_head *iter;
	struct lacp_port *lp;
	struct slave *s;

	rcu_read_lock();
	bond_for_each_slave_rcu(&bond->b, s, iter) {
		lp = lacp_port_of(s);
		if (lacp_bound(lp) && lp->info.aggregator.is_active) {
			found = &lp->info.aggregator;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/* A new port of the bond: number, aggregator, defaults (RTNL). */
static void bnd_3ad_port_bind(struct bnd_bond *bond, struct lacp_port *lp, struct slave *s)
{
	struct ad_slave_info *info = &lp->info;
	struct port *p = &info->port;
	struct aggregator *agg = &info->aggregator;
	struct list_head *iter;
	struct lacp_port *o;
	u16 number = 0, n;
	bool first = true;
	struct slave *t;

	rcu_read_lock();
	bond_for_each_slave_rcu(&bond->b, t, iter) {
		o = lacp_port_of(t);
		if (t == s || !lacp_bound(o))
			continue;
		first = false;
		number = max(number, o->info.port.actor_port_number);
	}
	/* Past the last number (as upstream); after a wrap, the first free one. */
	for (n = 1; number == U16_MAX; n++) {
		number = n - 1;
		bond_for_each_slave_rcu(&bond->b, t, iter) {
			o = lacp_port_of(t);
			if (t != s && lacp_bound(o) && o->info.port.actor_port_number == n) {
				number = U16_MAX;
				break;
			}
		}
	}
	rcu_read_unlock();

	if (first) {
		bond->b.ad_info.aggregator_identifier = 0;
		lacp_system_refresh(bond, bond->b.dev->dev_addr);
		atomic_set(&bond->b.ad_info.agg_select_timer, LACP_SETTLE_FIRST);
	}

	lacp_port_defaults(bond, lp);
	info->id = number + 1;
	p->actor_port_number = info->id;

	memset(agg, 0, sizeof(*agg));
	if (!++bond->b.ad_info.aggregator_identifier)
		bond->b.ad_info.aggregator_identifier = 1;
	agg->aggregator_identifier = bond->b.ad_info.aggregator_identifier;
	agg->slave = s;
	memcpy(agg->aggregator_mac_address.mac_addr_value, bond->b.dev->dev_addr, ETH_ALEN);

	p->slave = s;
	lacp_port_link(bond, lp);
}

/* The bond goes down: out of every aggregator, nothing collected or sent. */
static void bnd_3ad_port_stop(struct bnd_bond *bond, struct lacp_port *lp)
{
	struct port *p = &lp->info.port;

	p->actor_oper_port_state &= ~(LACP_STATE_SYNCHRONIZATION | LACP_STATE_COLLECTING |
				      LACP_STATE_DISTRIBUTING);
	p->sm_mux_state = AD_MUX_DETACHED;
	p->sm_periodic_state = AD_NO_PERIODIC;
	p->ntt = false;
	lp->selected = LACP_UNSELECTED;
	lacp_agg_remove_port(p);
	lacp_port_update_want(lp);
}

/*
 * The port's slave leaves the bond. Ports still in its aggregator move, with
 * the aggregator's state, to a free aggregator of another port, so traffic
 * goes on; only the identifier they show changes (as upstream).
 */
static void bnd_3ad_port_unbind(struct bnd_bond *bond, struct lacp_port *lp)
{
	struct aggregator *own = &lp->info.aggregator, *to = NULL;
	struct list_head *iter;
	struct lacp_port *o;
	struct slave *t;
	struct port *q;

	bnd_3ad_port_stop(bond, lp);
	if (own->lag_ports) {
		rcu_read_lock();
		bond_for_each_slave_rcu(&bond->b, t, iter) {
			o = lacp_port_of(t);
			if (o != lp && lacp_bound(o) && !o->info.aggregator.lag_ports) {
				to = &o->info.aggregator;
				break;
			}
		}
		rcu_read_unlock();
	}
	if (to) {
		to->is_individual = own->is_individual;
		to->actor_admin_aggregator_key = own->actor_admin_aggregator_key;
		to->actor_oper_aggregator_key = own->actor_oper_aggregator_key;
		to->partner_system = own->partner_system;
		to->partner_system_priority = own->partner_system_priority;
		to->partner_oper_aggregator_key = own->partner_oper_aggregator_key;
		to->receive_state = own->receive_state;
		to->transmit_state = own->transmit_state;
		to->lag_ports = own->lag_ports;
		to->num_of_ports = own->num_of_ports;
		to->is_active = own->is_active;
		for (q = to->lag_ports; q; q = q->next_port_in_aggregator) {
			q->actor_port_aggregator_identifier = to->aggregator_identifier;
			rcu_assign_pointer(q->aggregator, to);
		}
	} else {
		/* Cannot happen (a free aggregator always exists): detach them. */
		while (own->lag_ports) {
			q = own->lag_ports;
			bnd_3ad_port_stop(bond, lacp_of_port(q));
		}
	}
	lacp_agg_clear(own);
	own->slave = NULL;
	lp->info.port.slave = NULL;
}

/* A port without a selected aggregator takes one (once its mux detached). */
static void port_select(struct bnd_bond *bond, struct lacp_port *lp)
{
	struct port *p = &lp->info.port;
	struct aggregator *pick = NULL, *cand;
	struct list_head *iter;
	struct lacp_port *o;
	struct slave *t;

	if (lp->selected != LACP_UNSELECTED)
		return;
	if (lacp_agg(p)) {
		if (p->sm_mux_state != AD_MUX_DETACHED)
			return;
		lacp_agg_remove_port(p);
	}
	if (!port_individual(p)) {
		bond_for_each_slave_rcu(&bond->b, t, iter) {
			o = lacp_port_of(t);
			if (lacp_bound(o) && agg_fits(&o->info.aggregator, p)) {
				pick = &o->info.aggregator;
				break;
			}
		}
	}
	if (!pick && !lp->info.aggregator.lag_ports)
		pick = &lp->info.aggregator;
	if (!pick) {
		bond_for_each_slave_rcu(&bond->b, t, iter) {
			o = lacp_port_of(t);
			cand = lacp_bound(o) ? &o->info.aggregator : NULL;
			if (cand && !cand->lag_ports) {
				pick = cand;
				break;
			}
		}
	}
	if (!pick)
		return;
	if (!pick->lag_ports)
		agg_adopt(bond, pick, p);
	lacp_agg_add_port(pick, p);
	lp->selected = LACP_STANDBY;
}

/* @a serves the bond better than @b (strictly). */
static bool agg_better(const struct bnd_bond *bond, const struct aggregator *a,
		       const struct aggregator *b)
{
	unsigned int na, nb;

	if (!b)
		return true;
	if (a->is_individual != b->is_individual)
		return !a->is_individual;
	if (lacp_agg_has_partner(a) != lacp_agg_has_partner(b))
		return lacp_agg_has_partner(a);
	if (bond->b.params.ad_select == BOND_AD_COUNT) {
		na = lacp_agg_enabled_ports(a);
		nb = lacp_agg_enabled_ports(b);
		if (na != nb)
			return na > nb;
	}
	return agg_bandwidth(a) > agg_bandwidth(b);
}

/* Pick the active aggregator (ad_select); ports elsewhere are STANDBY. */
static void agg_choose(struct bnd_bond *bond)
{
	struct aggregator *active = NULL, *best = NULL, *agg;
	struct list_head *iter;
	struct lacp_port *lp;
	struct slave *s;

	bond_for_each_slave_rcu(&bond->b, s, iter) {
		lp = lacp_port_of(s);
		if (lacp_bound(lp) && lp->info.aggregator.is_active)
			active = &lp->info.aggregator;
	}
	if (active && active->lag_ports && lacp_agg_enabled_ports(active))
		best = active;
	bond_for_each_slave_rcu(&bond->b, s, iter) {
		lp = lacp_port_of(s);
		if (!lacp_bound(lp))
			continue;
		agg = &lp->info.aggregator;
		if (agg != best && agg->lag_ports && lacp_agg_enabled_ports(agg) &&
		    agg_better(bond, agg, best))
			best = agg;
	}
	/* stable: keep a working active aggregator unless a better kind appeared */
	if (bond->b.params.ad_select == BOND_AD_STABLE && active && best != active &&
	    active->lag_ports && lacp_agg_enabled_ports(active) &&
	    active->is_individual == best->is_individual &&
	    lacp_agg_has_partner(active) == lacp_agg_has_partner(best))
		best = active;

	if (best != active) {
		if (active)
			active->is_active = 0;
		if (best)
			best->is_active = 1;
	}
	bond_for_each_slave_rcu(&bond->b, s, iter) {
		lp = lacp_port_of(s);
		if (!lacp_bound(lp) || lp->selected == LACP_UNSELECTED)
			continue;
		lp->selected = best && lacp_agg(&lp->info.port) == best ?
			       LACP_SELECTED : LACP_STANDBY;
	}
}

/*
 * One AD_TIMER_INTERVAL step of every port of @bond (RCU and mode_lock
 * held). LACPDUs to send are queued on @txq. True if a port's collecting
 * or distributing changed and the slave flags and arrays need RTNL.
 */
static bool bnd_3ad_tick(struct bnd_bond *bond, struct sk_buff_head *txq)
{
	atomic_t *settle = &bond->b.ad_info.agg_select_timer;
	struct list_head *iter;
	struct lacp_port *lp;
	bool pending = false;
	struct slave *s;

	if (atomic_read(settle))
		atomic_dec(settle);

	bond_for_each_slave_rcu(&bond->b, s, iter) {
		lp = lacp_port_of(s);
		if (lacp_bound(lp))
			lacp_port_rx_tick(bond, lp);
	}
	bond_for_each_slave_rcu(&bond->b, s, iter) {
		lp = lacp_port_of(s);
		if (lacp_bound(lp))
			port_select(bond, lp);
	}
	agg_choose(bond);
	bond_for_each_slave_rcu(&bond->b, s, iter) {
		lp = lacp_port_of(s);
		if (!lacp_bound(lp))
			continue;
		lacp_port_run(bond, lp, txq);
		pending |= lp->pending;
	}
	return pending;
}

/* ---- the bond --------------------------------------------------------- */

/* The LACP group address on the slave while the bond is up (RTNL). */
static void bnd_3ad_mc(struct bnd_bond *bond, struct slave *s, bool add)
{
	struct lacp_port *lp = lacp_port_of(s);
	int err;

	if (!lp || lp->mc_added == add)
		return;
	if (add) {
		err = dev_mc_add(s->dev, lacp_group_addr);
		if (err) {
			netdev_warn(bond->b.dev, "(slave %s): cannot add the LACP group address (%d)\n",
				    s->dev->name, err);
			return;
		}
	} else {
		dev_mc_del(s->dev, lacp_group_addr);
	}
	lp->mc_added = add;
}

/*
 * Give the slaves the state the mux machines asked for, then rebuild the
 * transmit arrays and carrier (RTNL). Distributing ports are active;
 * collecting-only ports receive but do not transmit; others are inactive.
 */
static void bnd_3ad_apply(struct bnd_bond *bond)
{
	struct list_head *iter;
	struct lacp_port *lp;
	bool coll, dist;
	struct slave *s;

	ASSERT_RTNL();
	bond_for_each_slave(&bond->b, s, iter) {
		lp = lacp_port_of(s);
		if (!lp)
			continue;
		spin_lock_bh(&bond->b.mode_lock);
		coll = lp->want_coll;
		dist = lp->want_dist;
		lp->pending = false;
		spin_unlock_bh(&bond->b.mode_lock);
		if (dist) {
			bond_set_slave_active_flags(s, BOND_SLAVE_NOTIFY_NOW);
		} else {
			bond_set_slave_inactive_flags(s, BOND_SLAVE_NOTIFY_NOW);
			if (coll) {
				s->inactive = 0;
				s->rx_disabled = 0;
			}
		}
	}
	bnd_update_slave_arr(bond);
	bnd_set_carrier(bond);
}

static void bnd_3ad_work(struct work_struct *work)
{
	struct bonding *b = container_of(work, struct bonding, ad_work.work);
	struct bnd_bond *bond = bnd_from_b(b);
	struct sk_buff_head txq;
	struct sk_buff *skb;
	bool pending;

	__skb_queue_head_init(&txq);
	rcu_read_lock();
	spin_lock_bh(&b->mode_lock);
	pending = bnd_3ad_tick(bond, &txq);
	spin_unlock_bh(&b->mode_lock);
	while ((skb = __skb_dequeue(&txq)))
		dev_queue_xmit(skb);
	bnd_set_carrier(bond);
	rcu_read_unlock();

	/* close() cancels us holding RTNL: never wait for it. */
	if (pending && rtnl_trylock()) {
		bnd_3ad_apply(bond);
		rtnl_unlock();
	}
	queue_delayed_work(b->wq, &b->ad_work, msecs_to_jiffies(AD_TIMER_INTERVAL));
}

/* Re-read options and links into every port (after an option change). */
static void bnd_3ad_refresh_ports(struct bnd_bond *bond, bool system)
{
	struct list_head *iter;
	struct lacp_port *lp;
	struct slave *s;

	spin_lock_bh(&bond->b.mode_lock);
	if (system)
		lacp_system_refresh(bond, bond->b.dev->dev_addr);
	bond_for_each_slave(&bond->b, s, iter) {
		lp = lacp_port_of(s);
		if (lacp_bound(lp))
			lacp_port_actor_refresh(bond, lp);
	}
	spin_unlock_bh(&bond->b.mode_lock);
}

static int bnd_3ad_open(struct bnd_bond *bond)
{
	struct list_head *iter;
	struct lacp_port *lp;
	struct slave *s;

	spin_lock_bh(&bond->b.mode_lock);
	if (bond_has_slaves(&bond->b))
		lacp_system_refresh(bond, bond->b.dev->dev_addr);
	atomic_set(&bond->b.ad_info.agg_select_timer, LACP_SETTLE_OPEN);
	bond_for_each_slave(&bond->b, s, iter) {
		lp = lacp_port_of(s);
		if (lacp_bound(lp))
			lacp_port_start(bond, lp);
	}
	spin_unlock_bh(&bond->b.mode_lock);

	/* The mux machines activate ports; until then none is. */
	bond_for_each_slave(&bond->b, s, iter) {
		bond_set_slave_inactive_flags(s, BOND_SLAVE_NOTIFY_NOW);
		bnd_3ad_mc(bond, s, true);
	}
	INIT_DELAYED_WORK(&bond->b.ad_work, bnd_3ad_work);
	queue_delayed_work(bond->b.wq, &bond->b.ad_work, 0);
	return 0;
}

/* Stop the machines; ports leave their aggregators and open restarts them. */
static void bnd_3ad_close(struct bnd_bond *bond)
{
	struct list_head *iter;
	struct lacp_port *lp;
	struct slave *s;

	cancel_delayed_work_sync(&bond->b.ad_work);
	spin_lock_bh(&bond->b.mode_lock);
	bond_for_each_slave(&bond->b, s, iter) {
		lp = lacp_port_of(s);
		if (lacp_bound(lp))
			bnd_3ad_port_stop(bond, lp);
	}
	spin_unlock_bh(&bond->b.mode_lock);
	bond_for_each_slave(&bond->b, s, iter)
		bnd_3ad_mc(bond, s, false);
	bnd_3ad_apply(bond);
}

static int bnd_3ad_slave_init(struct bnd_bond *bond, struct bnd_slave *slave)
{
	struct lacp_port *lp = kzalloc(sizeof(*lp), GFP_KERNEL);

	if (!lp)
		return -ENOMEM;
	slave->s.ad_info = &lp->info;
	return 0;
}

static void bnd_3ad_slave_attach(struct bnd_bond *bond, struct bnd_slave *slave)
{
	struct lacp_port *lp = lacp_port_of(&slave->s);
	bool up = netif_running(bond->b.dev);

	bond_set_slave_inactive_flags(&slave->s, BOND_SLAVE_NOTIFY_NOW);
	if (!lp)
		return;
	spin_lock_bh(&bond->b.mode_lock);
	bnd_3ad_port_bind(bond, lp, &slave->s);
	if (up)
		lacp_port_start(bond, lp);
	spin_unlock_bh(&bond->b.mode_lock);
	if (up)
		bnd_3ad_mc(bond, &slave->s, true);
}

/* The slave left the list and no reader holds it: forget the port. */
static void bnd_3ad_slave_detach(struct bnd_bond *bond, struct bnd_slave *slave)
{
	struct lacp_port *lp = lacp_port_of(&slave->s);

	if (!lp)
		return;
	spin_lock_bh(&bond->b.mode_lock);
	if (lacp_bound(lp))
		bnd_3ad_port_unbind(bond, lp);
	spin_unlock_bh(&bond->b.mode_lock);
	bnd_3ad_mc(bond, &slave->s, false);
	if (netif_running(bond->b.dev))
		bnd_3ad_apply(bond);
}

static void bnd_3ad_link_change(struct bnd_bond *bond, struct bnd_slave *slave, int link)
{
	struct lacp_port *lp = lacp_port_of(&slave->s);
	bool pending;

	if (!lacp_bound(lp))
		return;
	spin_lock_bh(&bond->b.mode_lock);
	lacp_port_link(bond, lp);
	pending = lp->pending;
	spin_unlock_bh(&bond->b.mode_lock);
	if (pending && netif_running(bond->b.dev))
		bnd_3ad_apply(bond);
}

static void bnd_3ad_option_changed(struct bnd_bond *bond, int opt_id)
{
	switch (opt_id) {
	case BND_OPT_AD_ACTOR_SYS_PRIO:
	case BND_OPT_AD_ACTOR_SYSTEM:
		bnd_3ad_refresh_ports(bond, true);
		break;
	case BND_OPT_ACTOR_PORT_PRIO:
	case BND_OPT_LACP_RATE:
	case BND_OPT_LACP_ACTIVE:
	case BND_OPT_AD_USER_PORT_KEY:
		bnd_3ad_refresh_ports(bond, false);
		break;
	default:
		break;
	}
}

/* The LACP system follows the bond's MAC unless ad_actor_system is set. */
static int bnd_3ad_set_mac(struct bnd_bond *bond, const u8 *addr)
{
	struct list_head *iter;
	struct lacp_port *lp;
	struct slave *s;
	int err;

	err = bnd_set_mac_all(bond, addr);
	if (err || !bond_has_slaves(&bond->b))
		return err;
	spin_lock_bh(&bond->b.mode_lock);
	lacp_system_refresh(bond, addr);
	bond_for_each_slave(&bond->b, s, iter) {
		lp = lacp_port_of(s);
		if (lacp_bound(lp))
			lacp_port_actor_refresh(bond, lp);
	}
	spin_unlock_bh(&bond->b.mode_lock);
	return 0;
}

static netdev_tx_t bnd_3ad_xmit(struct bnd_bond *bond, struct sk_buff *skb)
{
	struct bond_up_slave *usable = rcu_dereference(bond->b.usable_slaves);

	if (unlikely(!usable || !usable->count))
		return bnd_tx_drop(bond, skb);
	return bnd_xmit_slave(bond, skb,
			      usable->arr[bnd_xmit_hash(bond, skb) % usable->count]);
}

/* Softirq: LACPDUs and markers addressed to the Slow Protocols group. */
static int bnd_3ad_recv(const struct sk_buff *skb, struct bonding *b, struct slave *s)
{
	struct lacp_port *lp = lacp_port_of(s);
	struct sk_buff_head txq;
	struct sk_buff *out;
	int ret;

	if (skb->protocol != htons(ETH_P_SLOW) || skb_vlan_tag_present(skb) || !lp ||
	    !ether_addr_equal_unaligned(eth_hdr(skb)->h_dest, lacp_group_addr))
		return RX_HANDLER_ANOTHER;
	__skb_queue_head_init(&txq);
	ret = lacp_rx(bnd_from_b(b), lp, skb, &txq);
	while ((out = __skb_dequeue(&txq)))
		dev_queue_xmit(out);
	return ret;
}

/* Transmit may use a slave only while its port distributes. */
static bool bnd_3ad_slave_usable(const struct slave *s)
{
	const struct lacp_port *lp = lacp_port_of(s);

	return lp && READ_ONCE(lp->want_dist) && bond_slave_can_tx((struct slave *)s);
}

static bool bnd_3ad_carrier_ok(struct bnd_bond *bond)
{
	struct aggregator *agg;
	unsigned int n = 0;

	spin_lock_bh(&bond->b.mode_lock);
	agg = bnd_3ad_active_agg(bond);
	if (agg)
		n = lacp_agg_enabled_ports(agg);
	spin_unlock_bh(&bond->b.mode_lock);
	return n && n >= bond->b.params.min_links;
}

static int bnd_3ad_ad_info(struct bnd_bond *bond, struct ad_info *info)
{
	struct aggregator *agg;
	int err = -ENOENT;

	spin_lock_bh(&bond->b.mode_lock);
	agg = bnd_3ad_active_agg(bond);
	if (agg) {
		info->aggregator_id = agg->aggregator_identifier;
		info->ports = lacp_agg_enabled_ports(agg);
		info->actor_key = agg->actor_oper_aggregator_key;
		info->partner_key = agg->partner_oper_aggregator_key;
		memcpy(info->partner_system, agg->partner_system.mac_addr_value, ETH_ALEN);
		err = 0;
	}
	spin_unlock_bh(&bond->b.mode_lock);
	return err;
}

/* What /proc shows of a port, taken under the lock. */
struct bnd_3ad_port_view {
	u16 agg_id;
	churn_state_t actor_churn;
	churn_state_t partner_churn;
	u32 actor_churn_count;
	u32 partner_churn_count;
	u16 sys_prio;
	struct mac_addr system;
	u16 key;
	u16 port_prio;
	u16 port_number;
	u8 state;
	struct port_params partner;
};

static bool bnd_3ad_port_view(struct bnd_bond *bond, struct bnd_slave *slave,
			      struct bnd_3ad_port_view *v)
{
	struct lacp_port *lp = lacp_port_of(&slave->s);
	struct aggregator *agg;
	struct port *p;

	if (!lp)
		return false;
	spin_lock_bh(&bond->b.mode_lock);
	p = &lp->info.port;
	agg = lacp_bound(lp) ? lacp_agg(p) : NULL;
	if (agg) {
		v->agg_id = agg->aggregator_identifier;
		v->actor_churn = p->sm_churn_actor_state;
		v->partner_churn = p->sm_churn_partner_state;
		v->actor_churn_count = p->churn_actor_count;
		v->partner_churn_count = p->churn_partner_count;
		v->sys_prio = p->actor_system_priority;
		v->system = p->actor_system;
		v->key = p->actor_oper_port_key;
		v->port_prio = p->actor_port_priority;
		v->port_number = p->actor_port_number;
		v->state = p->actor_oper_port_state;
		v->partner = p->partner_oper;
	}
	spin_unlock_bh(&bond->b.mode_lock);
	return agg;
}

static int bnd_3ad_slave_ad_info(struct bnd_bond *bond, struct bnd_slave *slave,
				 struct bnd_slave_ad_info *info)
{
	struct bnd_3ad_port_view v;

	/* The priority is shown for every port, in an aggregator or not. */
	info->port_priority = slave->s.ad_info ? slave->s.ad_info->port_priority : 0;
	if (!bnd_3ad_port_view(bond, slave, &v))
		return -ENOENT;
	info->aggregator_id = v.agg_id;
	info->actor_state = v.state;
	info->partner_state = v.partner.port_state;
	info->actor_churn = v.actor_churn;
	info->partner_churn = v.partner_churn;
	return 0;
}

static void bnd_3ad_proc_show(struct seq_file *m, struct bnd_bond *bond)
{
	const struct bond_params *prm = &bond->b.params;
	struct ad_system sys;
	struct ad_info info;

	seq_puts(m, "\n802.3ad info\n");
	seq_printf(m, "LACP active: %s\n", prm->lacp_active ? "on" : "off");
	seq_printf(m, "LACP rate: %s\n", prm->lacp_fast ? "fast" : "slow");
	seq_printf(m, "Min links: %d\n", prm->min_links);
	seq_printf(m, "Aggregator selection policy (ad_select): %s\n",
		   bnd_opt_value_name(BND_OPT_AD_SELECT, prm->ad_select));
	if (!capable(CAP_NET_ADMIN))
		return;

	spin_lock_bh(&bond->b.mode_lock);
	sys = bond->b.ad_info.system;
	spin_unlock_bh(&bond->b.mode_lock);
	seq_printf(m, "System priority: %d\n", sys.sys_priority);
	seq_printf(m, "System MAC address: %pM\n", sys.sys_mac_addr.mac_addr_value);
	if (bnd_3ad_ad_info(bond, &info)) {
		seq_printf(m, "bond %s has no active aggregator\n", bond->b.dev->name);
		return;
	}
	seq_puts(m, "Active Aggregator Info:\n");
	seq_printf(m, "\tAggregator ID: %d\n", info.aggregator_id);
	seq_printf(m, "\tNumber of ports: %d\n", info.ports);
	seq_printf(m, "\tActor Key: %d\n", info.actor_key);
	seq_printf(m, "\tPartner Key: %d\n", info.partner_key);
	seq_printf(m, "\tPartner Mac Address: %pM\n", info.partner_system);
}

static void bnd_3ad_proc_show_slave(struct seq_file *m, struct bnd_bond *bond,
				    struct bnd_slave *slave)
{
	struct bnd_3ad_port_view v;

	if (!bnd_3ad_port_view(bond, slave, &v)) {
		seq_puts(m, "Aggregator ID: N/A\n");
		return;
	}
	seq_printf(m, "Aggregator ID: %d\n", v.agg_id);
	seq_printf(m, "Actor Churn State: %s\n", bond_3ad_churn_desc(v.actor_churn));
	seq_printf(m, "Partner Churn State: %s\n", bond_3ad_churn_desc(v.partner_churn));
	seq_printf(m, "Actor Churned Count: %d\n", v.actor_churn_count);
	seq_printf(m, "Partner Churned Count: %d\n", v.partner_churn_count);
	if (!capable(CAP_NET_ADMIN))
		return;
	seq_puts(m, "details actor lacp pdu:\n");
	seq_printf(m, "    system priority: %d\n", v.sys_prio);
	seq_printf(m, "    system mac address: %pM\n", v.system.mac_addr_value);
	seq_printf(m, "    port key: %d\n", v.key);
	seq_printf(m, "    port priority: %d\n", v.port_prio);
	seq_printf(m, "    port number: %d\n", v.port_number);
	seq_printf(m, "    port state: %d\n", v.state);
	seq_puts(m, "details partner lacp pdu:\n");
	seq_printf(m, "    system priority: %d\n", v.partner.system_priority);
	seq_printf(m, "    system mac address: %pM\n", v.partner.system.mac_addr_value);
	seq_printf(m, "    oper key: %d\n", v.partner.key);
	seq_printf(m, "    port priority: %d\n", v.partner.port_priority);
	seq_printf(m, "    port number: %d\n", v.partner.port_number);
	seq_printf(m, "    port state: %d\n", v.partner.port_state);
}

const struct bnd_mode_ops bnd_mode_3ad = {
	.xmit		= bnd_3ad_xmit,
	.recv_probe	= bnd_3ad_recv,
	.open		= bnd_3ad_open,
	.close		= bnd_3ad_close,
	.slave_init	= bnd_3ad_slave_init,
	.slave_attach	= bnd_3ad_slave_attach,
	.slave_detach	= bnd_3ad_slave_detach,
	.link_change	= bnd_3ad_link_change,
	.set_mac	= bnd_3ad_set_mac,
	.slave_usable	= bnd_3ad_slave_usable,
	.carrier_ok	= bnd_3ad_carrier_ok,
	.option_changed	= bnd_3ad_option_changed,
	.ad_info	= bnd_3ad_ad_info,
	.slave_ad_info	= bnd_3ad_slave_ad_info,
	.proc_show	= bnd_3ad_proc_show,
	.proc_show_slave = bnd_3ad_proc_show_slave,
};
