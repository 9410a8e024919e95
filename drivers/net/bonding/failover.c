// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing the active slave (modes with one active slave, and the IGMP
 * slave of trunk modes) and switching to it: receive filters, MAC policy
 * hooks of the mode, and announcements to peers and to the stack.
 */
#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>

#include "bond.h"

/*
 * The primary (or, without one, the up slave of highest prio) if the
 * reselect policy allows moving to it; else the current slave if it is up.
 */
static struct slave *bnd_preferred(struct bnd_bond *bond)
{
	struct slave *prim = rtnl_dereference(bond->b.primary_slave);
	struct slave *curr = rtnl_dereference(bond->b.curr_active_slave);
	struct slave *best = NULL, *s;
	struct list_head *iter;

	if (!prim || prim->link != BOND_LINK_UP) {
		bond_for_each_slave(&bond->b, s, iter)
			if (s->link == BOND_LINK_UP && (!best || s->prio > best->prio))
				best = s;
		if (!best || best == curr)
			return curr && curr->link == BOND_LINK_UP ? curr : NULL;
		prim = best;
	} else if (bond->b.force_primary) {
		bond->b.force_primary = false;
		return prim;
	}

	if (!curr || curr->link != BOND_LINK_UP)
		return prim;

	switch (bond->b.params.primary_reselect) {
	case BOND_PRI_RESELECT_BETTER:
		if (prim->speed > curr->speed ||
		    (prim->speed == curr->speed && prim->duplex > curr->duplex))
			return prim;
		return curr;
	case BOND_PRI_RESELECT_FAILURE:
		return curr;
	default:
		return prim;
	}
}

static struct slave *bnd_find_best(struct bnd_bond *bond)
{
	struct slave *best = bnd_preferred(bond), *s;
	int soonest = bond->b.params.updelay;
	struct list_head *iter;

	if (best)
		return best;
	/* Nothing is up: take the slave closest to the end of its updelay. */
	bond_for_each_slave(&bond->b, s, iter) {
		if (s->link == BOND_LINK_UP)
			return s;
		if (s->link == BOND_LINK_BACK && bond_slave_is_up(s) &&
		    s->delay < soonest) {
			soonest = s->delay;
			best = s;
		}
	}
	return best;
}

/* Receive filters (promisc, allmulti, address lists) follow the active slave. */
static void bnd_move_filters(struct bnd_bond *bond, struct slave *new_active,
			     struct slave *old_active)
{
	struct net_device *dev = bond->b.dev;

	if (old_active) {
		if (dev->flags & IFF_PROMISC)
			dev_set_promiscuity(old_active->dev, -1);
		if (dev->flags & IFF_ALLMULTI)
			dev_set_allmulti(old_active->dev, -1);
		if (dev->flags & IFF_UP)
			bnd_hw_addr_flush(dev, old_active->dev);
	}
	if (new_active) {
		if (dev->flags & IFF_PROMISC)
			dev_set_promiscuity(new_active->dev, 1);
		if (dev->flags & IFF_ALLMULTI)
			dev_set_allmulti(new_active->dev, 1);
		if (dev->flags & IFF_UP) {
			netif_addr_lock_bh(dev);
			dev_uc_sync(new_active->dev, dev);
			dev_mc_sync(new_active->dev, dev);
			netif_addr_unlock_bh(dev);
		}
	}
}

/* Start announcing the new active slave to peers (grat. ARP / unsol. NA). */
void bnd_peer_notify_arm(struct bnd_bond *bond)
{
	struct bonding *b = &bond->b;

	if (!netif_running(b->dev))
		return;
	b->send_peer_notif = b->params.num_peer_notif * max(1, b->params.peer_notif_delay);
	call_netdevice_notifiers(NETDEV_BONDING_FAILOVER, b->dev);
	if (b->send_peer_notif && netif_carrier_ok(b->dev)) {
		b->send_peer_notif--;
		call_netdevice_notifiers(NETDEV_NOTIFY_PEERS, b->dev);
	}
}

/*
 * bnd_change_active - make @new_active the active slave (RTNL)
 *
 * A slave still inside its updelay is taken at once: it is the best there
 * is. The mode's active_change hook does the rest (slave states, MACs).
 */
void bnd_change_active(struct bnd_bond *bond, struct bnd_slave *new_active)
{
	struct slave *old = rtnl_dereference(bond->b.curr_active_slave);
	struct slave *new = new_active ? &new_active->s : NULL;

	ASSERT_RTNL();
	if (old == new)
		return;

	if (new) {
		new->last_link_up = jiffies;
		if (new->link == BOND_LINK_BACK) {
			if (bnd_uses_primary(bond))
				netdev_info(bond->b.dev, "(slave %s): making it active %d ms early\n",
					    new->dev->name,
					    (bond->b.params.updelay - new->delay) *
					    bond->b.params.miimon);
			new->delay = 0;
			bond_set_slave_link_state(new, BOND_LINK_UP, BOND_SLAVE_NOTIFY_NOW);
			if (bond->ops->link_change)
				bond->ops->link_change(bond, new_active, BOND_LINK_UP);
		} else if (bnd_uses_primary(bond)) {
			netdev_info(bond->b.dev, "(slave %s): making it the active slave\n",
				    new->dev->name);
		}
	}

	if (bnd_uses_primary(bond))
		bnd_move_filters(bond, new, old);

	rcu_assign_pointer(bond->b.curr_active_slave, new);
	if (bond->ops->active_change)
		bond->ops->active_change(bond, new_active, bnd_slave_or_null(old));
	/*
	 * Link and active states just changed (a slave in its updelay is up
	 * now): the slaves transmit may pick change with them. Callers that
	 * rebuilt the arrays before choosing the active slave would
	 * otherwise leave the returning slave out until the next link event.
	 */
	bnd_update_slave_arr(bond);
	/* The old active slave is a backup now: NS groups follow (nsmon.c). */
	if (old)
		bnd_ns_maddrs_sync(bond, bnd_slave_from_s(old));
	if (new_active)
		bnd_ns_maddrs_sync(bond, new_active);

	/* Switches and IGMP snoopers learn where our groups went. */
	if (netif_running(bond->b.dev) && bond->b.params.resend_igmp > 0 &&
	    ((bnd_uses_primary(bond) && new) ||
	     BOND_MODE(&bond->b) == BOND_MODE_ROUNDROBIN)) {
		bond->b.igmp_retrans = bond->b.params.resend_igmp;
		queue_delayed_work(bond->b.wq, &bond->b.mcast_work, 1);
	}
}

/* Re-evaluate which slave should be active, and switch if needed (RTNL). */
void bnd_select_active(struct bnd_bond *bond)
{
	struct slave *best;

	ASSERT_RTNL();
	best = bnd_find_best(bond);
	if (best == rtnl_dereference(bond->b.curr_active_slave))
		return;
	bnd_change_active(bond, bnd_slave_or_null(best));
	bnd_set_carrier(bond);
	if (!best && bond_has_slaves(&bond->b))
		netdev_info(bond->b.dev, "now running without any active slave\n");
}
