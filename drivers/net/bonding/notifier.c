// SPDX-License-Identifier: GPL-2.0
/*
 * Netdevice events on our bonds and on their slaves.
 *
 * Bonds may move between network namespaces. A move shows up as
 * UNREGISTER and REGISTER while the device stays registered: the bond
 * leaves its slaves behind (they stay in the old namespace, released) and
 * moves its bonding_masters entry and /proc file to the new namespace.
 */
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/netns/generic.h>

#include "bond.h"

static void bnd_bond_event(struct bnd_bond *bond, unsigned long event)
{
	struct net_device *dev = bond->b.dev;
	struct bond_net *bn;

	switch (event) {
	case NETDEV_REGISTER:
		/* First registration: ndo_init listed it. Netns move: list it here. */
		if (list_empty(&bond->b.bond_list)) {
			bn = net_generic(dev_net(dev), bnd_net_id);
			list_add_tail(&bond->b.bond_list, &bn->dev_list);
		}
		bnd_proc_bond_create(bond);
		bnd_debugfs_rename(bond);
		break;
	case NETDEV_UNREGISTER:
		bnd_proc_bond_remove(bond);
		if (dev->reg_state == NETREG_REGISTERED) {
			/* Moving to another namespace. */
			netdev_info(dev, "moving to another network namespace: releasing slaves\n");
			bnd_release_all(bond, BND_RELEASE_BOND_MOVED);
			list_del_init(&bond->b.bond_list);
		}
		break;
	case NETDEV_CHANGENAME:
		bnd_proc_bond_remove(bond);
		bnd_proc_bond_create(bond);
		bnd_debugfs_rename(bond);
		break;
	default:
		break;
	}
}

/* The bond's primary may be named before the slave exists or after a rename. */
static void bnd_slave_renamed(struct bnd_bond *bond, struct slave *s)
{
	struct slave *prim = rtnl_dereference(bond->b.primary_slave);

	if (!bnd_uses_primary(bond))
		return;
	if (!strcmp(s->dev->name, bond->b.params.primary)) {
		rcu_assign_pointer(bond->b.primary_slave, s);
		bond->b.force_primary = true;
	} else if (prim == s) {
		RCU_INIT_POINTER(bond->b.primary_slave, NULL);
	} else {
		return;
	}
	bnd_select_active(bond);
}

static int bnd_slave_event(struct bnd_slave *slave, unsigned long event)
{
	struct bnd_bond *bond = bnd_from_b(slave->s.bond);
	struct net_device *sdev = slave->s.dev;

	switch (event) {
	case NETDEV_UNREGISTER:
		/* Gone for good or moved to another namespace: let it go. */
		bnd_release_dying(bond, sdev);
		break;
	case NETDEV_UP:
	case NETDEV_CHANGE:
		bnd_update_speed_duplex(&slave->s);
		break;
	case NETDEV_CHANGENAME:
		bnd_slave_renamed(bond, &slave->s);
		break;
	case NETDEV_FEAT_CHANGE:
		bnd_compute_features(bond);
		break;
	case NETDEV_PRECHANGEMTU:
		/*
		 * A slave's MTU follows the bond's; refuse changes from
		 * elsewhere. This event is a plain netdev_notifier_info: it
		 * carries neither the new MTU nor an extack (dev_set_mtu()
		 * does not send it when the MTU stays the same).
		 */
		if (bond->mtu_busy)
			break;
		netdev_err(bond->b.dev, "(slave %s): MTU change refused: slaves follow the bond's MTU %u\n",
			   sdev->name, bond->b.dev->mtu);
		return notifier_from_errno(-EBUSY);
	case NETDEV_PRE_TYPE_CHANGE:
		netdev_err(bond->b.dev, "(slave %s): refused link type change while enslaved\n",
			   sdev->name);
		return NOTIFY_BAD;
	case NETDEV_CHANGEADDR:
		/* fail_over_mac=active: the bond wears its active slave's MAC. */
		if (BOND_MODE(&bond->b) == BOND_MODE_ACTIVEBACKUP &&
		    bond->b.params.fail_over_mac == BOND_FOM_ACTIVE &&
		    rtnl_dereference(bond->b.curr_active_slave) == &slave->s &&
		    !dev_pre_changeaddr_notify(bond->b.dev, sdev->dev_addr, NULL)) {
			eth_hw_addr_set(bond->b.dev, sdev->dev_addr);
			call_netdevice_notifiers(NETDEV_CHANGEADDR, bond->b.dev);
		}
		break;
	case NETDEV_RESEND_IGMP:
		call_netdevice_notifiers(event, bond->b.dev);
		break;
	default:
		break;
	}
	return NOTIFY_DONE;
}

static int bnd_netdev_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct bnd_slave *slave;

	if (bnd_is_our_bond(dev)) {
		bnd_bond_event(netdev_priv(dev), event);
		/* A bond can be a slave of another bond: fall through to that. */
	}
	slave = bnd_slave_of_dev(dev);
	if (slave)
		return bnd_slave_event(slave, event);
	return NOTIFY_DONE;
}

static struct notifier_block bnd_netdev_notifier = {
	.notifier_call = bnd_netdev_event,
};

int bnd_notifier_register(void)
{
	return register_netdevice_notifier(&bnd_netdev_notifier);
}

void bnd_notifier_unregister(void)
{
	unregister_netdevice_notifier(&bnd_netdev_notifier);
}
