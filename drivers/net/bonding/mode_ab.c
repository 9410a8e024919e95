// SPDX-License-Identifier: GPL-2.0
/*
 * active-backup: one slave carries all traffic; the others wait, drop what
 * they receive (unless all_slaves_active) and take over when it fails.
 * fail_over_mac decides whose MAC the bond and the slaves wear.
 */
#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>

#include "bond.h"

static netdev_tx_t bnd_ab_xmit(struct bnd_bond *bond, struct sk_buff *skb)
{
	struct slave *s = rcu_dereference(bond->b.curr_active_slave);

	return s ? bnd_xmit_slave(bond, skb, s) : bnd_tx_drop(bond, skb);
}

static void bnd_ab_slave_attach(struct bnd_bond *bond, struct bnd_slave *slave)
{
	bond_set_slave_inactive_flags(&slave->s, BOND_SLAVE_NOTIFY_NOW);
}

static void bnd_ab_link_change(struct bnd_bond *bond, struct bnd_slave *slave,
			       int link)
{
	if (link == BOND_LINK_DOWN)
		bond_set_slave_inactive_flags(&slave->s, BOND_SLAVE_NOTIFY_NOW);
}

/* The slave (other than @skip) that wears the bond's MAC, if any. */
static struct slave *bnd_ab_mac_owner(struct bnd_bond *bond, struct slave *skip)
{
	struct list_head *iter;
	struct slave *s;

	bond_for_each_slave(&bond->b, s, iter)
		if (s != skip && ether_addr_equal(s->dev->dev_addr, bond->b.dev->dev_addr))
			return s;
	return NULL;
}

static void bnd_ab_fail_over_mac(struct bnd_bond *bond, struct slave *new,
				 struct slave *old)
{
	struct net_device *dev = bond->b.dev;
	u8 mac[ETH_ALEN];
	int err;

	if (bond->b.params.fail_over_mac == BOND_FOM_ACTIVE) {
		/* The bond takes the MAC of whichever slave is active. */
		err = dev_pre_changeaddr_notify(dev, new->dev->dev_addr, NULL);
		if (!err) {
			eth_hw_addr_set(dev, new->dev->dev_addr);
			dev->addr_assign_type = NET_ADDR_STOLEN;
			call_netdevice_notifiers(NETDEV_CHANGEADDR, dev);
		}
		return;
	}

	/* follow: the active slave wears the bond's MAC; swap with the old one. */
	if (!old)
		old = bnd_ab_mac_owner(bond, new);
	if (!old) {
		err = bnd_slave_set_mac(new->dev, dev->dev_addr, NULL);
	} else {
		ether_addr_copy(mac, new->dev->dev_addr);
		err = bnd_slave_set_mac(new->dev, old->dev->dev_addr, NULL);
		if (!err)
			err = bnd_slave_set_mac(old->dev, mac, NULL);
	}
	if (err)
		netdev_err(dev, "(slave %s): fail_over_mac follow: MAC swap failed (%d)\n",
			   new->dev->name, err);
}

static void bnd_ab_active_change(struct bnd_bond *bond, struct bnd_slave *new_active,
				 struct bnd_slave *old_active)
{
	if (old_active)
		bond_set_slave_inactive_flags(&old_active->s, BOND_SLAVE_NOTIFY_NOW);
	if (!new_active)
		return;
	bond_set_slave_active_flags(&new_active->s, BOND_SLAVE_NOTIFY_NOW);
	if (bond->b.params.fail_over_mac)
		bnd_ab_fail_over_mac(bond, &new_active->s,
				     old_active ? &old_active->s : NULL);
	bnd_peer_notify_arm(bond);
}

const struct bnd_mode_ops bnd_mode_ab = {
	.xmit		= bnd_ab_xmit,
	.slave_attach	= bnd_ab_slave_attach,
	.link_change	= bnd_ab_link_change,
	.arp_monitor	= bnd_arpmon_ab,
	.active_change	= bnd_ab_active_change,
	.flags		= BND_MODE_F_NS_BACKUP_MCAST,
};
