// SPDX-License-Identifier: GPL-2.0
/*
 * Periodic work of a bond: the MII link monitor (with updelay/downdelay),
 * peer notifications after a failover, and IGMP report resends.
 *
 * The monitor looks at the slaves under RCU and only takes RTNL, with
 * trylock, when a link state must change; ndo_stop cancels it under RTNL.
 */
#include <linux/ethtool.h>
#include <linux/rtnetlink.h>

#include "bond.h"

/* Peer notifications go out every peer_notif_delay, while carrier is on. */
static bool bnd_should_notify_peers(struct bnd_bond *bond)
{
	struct bonding *b = &bond->b;
	struct slave *active = rcu_dereference(b->curr_active_slave);

	return active && b->send_peer_notif &&
	       b->send_peer_notif % max(1, b->params.peer_notif_delay) == 0 &&
	       netif_carrier_ok(b->dev) &&
	       !test_bit(__LINK_STATE_LINKWATCH_PENDING, &active->dev->state);
}

static void bnd_mii_log(struct bnd_bond *bond, struct slave *s, const char *what,
			int ms)
{
	if (net_ratelimit())
		netdev_info(bond->b.dev, "(slave %s): %s %d ms\n", s->dev->name, what, ms);
}

/*
 * Next link state of @s given what the device reports now. FAIL and BACK
 * count monitor ticks down from downdelay/updelay. @skip_updelay: nothing
 * is usable, so a returning link is taken at once.
 */
static int bnd_mii_next(struct bnd_bond *bond, struct slave *s, bool up,
			bool skip_updelay)
{
	const struct bond_params *p = &bond->b.params;

	switch (s->link) {
	case BOND_LINK_UP:
		if (up)
			return BOND_LINK_NOCHANGE;
		s->delay = p->downdelay;
		if (!s->delay)
			return BOND_LINK_DOWN;
		bnd_mii_log(bond, s, "link down, disabling it in", p->downdelay * p->miimon);
		s->delay--;
		return BOND_LINK_FAIL;
	case BOND_LINK_FAIL:
		if (up) {
			bnd_mii_log(bond, s, "link up again after",
				    (p->downdelay - s->delay) * p->miimon);
			s->last_link_up = jiffies;
			return BOND_LINK_UP;
		}
		if (s->delay <= 0)
			return BOND_LINK_DOWN;
		s->delay--;
		return BOND_LINK_NOCHANGE;
	case BOND_LINK_DOWN:
		if (!up)
			return BOND_LINK_NOCHANGE;
		s->delay = skip_updelay ? 0 : p->updelay;
		if (!s->delay)
			return BOND_LINK_UP;
		bnd_mii_log(bond, s, "link up, enabling it in", p->updelay * p->miimon);
		s->delay--;
		return BOND_LINK_BACK;
	case BOND_LINK_BACK:
		if (!up) {
			bnd_mii_log(bond, s, "link down again after",
				    (p->updelay - s->delay) * p->miimon);
			return BOND_LINK_DOWN;
		}
		if (skip_updelay || s->delay <= 0)
			return BOND_LINK_UP;
		s->delay--;
		return BOND_LINK_NOCHANGE;
	}
	return BOND_LINK_NOCHANGE;
}

/* Propose new link states; true if any slave needs a commit. */
static bool bnd_mii_inspect(struct bnd_bond *bond)
{
	struct bonding *b = &bond->b;
	struct bond_up_slave *usable;
	struct list_head *iter;
	bool skip_updelay, any = false;
	struct slave *s;
	int next;

	if (BOND_MODE(b) == BOND_MODE_ACTIVEBACKUP) {
		skip_updelay = !rcu_dereference(b->curr_active_slave);
	} else {
		usable = rcu_dereference(b->usable_slaves);
		skip_updelay = usable && !usable->count;
	}

	bond_for_each_slave_rcu(b, s, iter) {
		next = bnd_mii_next(bond, s, bnd_slave_link_ok(bond, s), skip_updelay);
		bond_propose_link_state(s, next);
		if (next == BOND_LINK_NOCHANGE)
			continue;
		any = true;
		/* Only the first returning slave skips its updelay. */
		if (next == BOND_LINK_UP)
			skip_updelay = false;
	}
	return any;
}

/* Apply a committed link change of @s: mode hook, failover need. */
void bnd_set_slave_link(struct bnd_bond *bond, struct slave *s, int link)
{
	bond_set_slave_link_state(s, link, BOND_SLAVE_NOTIFY_NOW);
	if (bond->ops->link_change)
		bond->ops->link_change(bond, bnd_slave_from_s(s), link);
}

static void bnd_mii_commit(struct bnd_bond *bond)
{
	struct bonding *b = &bond->b;
	struct slave *s, *active, *primary;
	bool failover = false;
	struct list_head *iter;
	int next;

	bond_for_each_slave(b, s, iter) {
		next = s->link_new_state;
		bond_propose_link_state(s, BOND_LINK_NOCHANGE);
		switch (next) {
		case BOND_LINK_UP:
			bnd_update_speed_duplex(s);
			s->last_link_up = jiffies;
			bnd_set_slave_link(bond, s, BOND_LINK_UP);
			netdev_info(b->dev, "(slave %s): link up, %u Mbps %s duplex\n",
				    s->dev->name,
				    s->speed == SPEED_UNKNOWN ? 0 : s->speed,
				    s->duplex == DUPLEX_FULL ? "full" : "half");
			active = rtnl_dereference(b->curr_active_slave);
			primary = rtnl_dereference(b->primary_slave);
			if (!active || s == primary || s->prio > active->prio)
				failover = true;
			break;
		case BOND_LINK_DOWN:
			if (s->link_failure_count < UINT_MAX)
				s->link_failure_count++;
			bnd_set_slave_link(bond, s, BOND_LINK_DOWN);
			netdev_info(b->dev, "(slave %s): link down, disabling it\n",
				    s->dev->name);
			if (s == rtnl_dereference(b->curr_active_slave))
				failover = true;
			break;
		case BOND_LINK_FAIL:
		case BOND_LINK_BACK:
			bond_set_slave_link_state(s, next, BOND_SLAVE_NOTIFY_NOW);
			break;
		default:
			break;
		}
	}

	bnd_update_slave_arr(bond);
	if (failover)
		bnd_select_active(bond);
	bnd_set_carrier(bond);
}

static void bnd_mii_work(struct work_struct *work)
{
	struct bonding *b = container_of(work, struct bonding, mii_work.work);
	struct bnd_bond *bond = bnd_from_b(b);
	unsigned long delay = msecs_to_jiffies(b->params.miimon);
	bool commit, notify;
	u32 pending;

	if (!bond_has_slaves(b))
		goto rearm;

	rcu_read_lock();
	notify = bnd_should_notify_peers(bond);
	commit = bnd_mii_inspect(bond);
	rcu_read_unlock();

	if (commit || b->send_peer_notif) {
		/* ndo_stop cancels us while holding RTNL: never block on it. */
		if (!rtnl_trylock()) {
			delay = 1;
			goto rearm;
		}
		/*
		 * Announcements pending when this tick began count down here; a
		 * failover in the commit below arms (and sends) its own.
		 */
		pending = b->send_peer_notif;
		if (commit)
			bnd_mii_commit(bond);
		if (pending && b->send_peer_notif) {
			b->send_peer_notif--;
			if (notify)
				call_netdevice_notifiers(NETDEV_NOTIFY_PEERS, b->dev);
		}
		rtnl_unlock();
	}
rearm:
	if (READ_ONCE(b->params.miimon))
		queue_delayed_work(b->wq, &b->mii_work, delay);
}

/* Ask the stack to resend IGMP reports, resend_igmp times, 200 ms apart. */
static void bnd_mcast_work(struct work_struct *work)
{
	struct bonding *b = container_of(work, struct bonding, mcast_work.work);

	if (!rtnl_trylock()) {
		queue_delayed_work(b->wq, &b->mcast_work, 1);
		return;
	}
	call_netdevice_notifiers(NETDEV_RESEND_IGMP, b->dev);
	if (b->igmp_retrans > 1) {
		b->igmp_retrans--;
		queue_delayed_work(b->wq, &b->mcast_work, HZ / 5);
	}
	rtnl_unlock();
}

void bnd_work_init(struct bnd_bond *bond)
{
	INIT_DELAYED_WORK(&bond->b.mii_work, bnd_mii_work);
	INIT_DELAYED_WORK(&bond->b.mcast_work, bnd_mcast_work);
	bnd_arpmon_init(bond);
	bnd_slave_arr_work_init(bond);
}

/*
 * The receive hook a running bond publishes: its mode's (RLB, LACP), or
 * the ARP monitor's while that runs, or none.
 */
rcu_recv_probe_t bnd_recv_hook(const struct bnd_bond *bond)
{
	if (bond->ops->recv_probe)
		return bond->ops->recv_probe;
	return bond->b.params.arp_interval ? bnd_arp_rcv : NULL;
}

/* Start the link monitor the bond is configured for (miimon or ARP). */
void bnd_work_start(struct bnd_bond *bond)
{
	if (bond->b.params.miimon)
		queue_delayed_work(bond->b.wq, &bond->b.mii_work, 0);
	else if (bond->b.params.arp_interval && bond->ops->arp_monitor)
		bnd_arpmon_start(bond);
}

void bnd_work_stop(struct bnd_bond *bond)
{
	cancel_delayed_work_sync(&bond->b.mii_work);
	cancel_delayed_work_sync(&bond->b.arp_work);
	cancel_delayed_work_sync(&bond->b.mcast_work);
	cancel_delayed_work_sync(&bond->b.slave_arr_work);
}

/*
 * miimon or arp_interval changed on a running bond: stop both monitors,
 * publish the receive hook that now applies, start the one configured.
 * The ARP hook reads no state that could go away, so no grace period.
 */
void bnd_monitor_restart(struct bnd_bond *bond)
{
	if (!netif_running(bond->b.dev))
		return;
	cancel_delayed_work_sync(&bond->b.mii_work);
	cancel_delayed_work_sync(&bond->b.arp_work);
	if (!bond->ops->recv_probe)
		smp_store_release(&bond->b.recv_probe, bnd_recv_hook(bond));
	bnd_work_start(bond);
}
