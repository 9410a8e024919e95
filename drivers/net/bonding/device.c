// SPDX-License-Identifier: GPL-2.0
/*
 * The bond net_device: creation, open/stop (where a mode's receive hook is
 * published and withdrawn), transmit dispatch, statistics, MTU, MAC
 * address, receive filters and ethtool.
 */
#include <linux/ethtool.h>
#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>
#include <net/netns/generic.h>
#include <net/pkt_sched.h>

#include "bond.h"
#include "options.h"

#define BND_VLAN_FEATURES_BASE	(NETIF_F_HW_CSUM | NETIF_F_SG | NETIF_F_FRAGLIST | \
				 NETIF_F_GSO_SOFTWARE | NETIF_F_HIGHDMA | NETIF_F_LRO)

static const struct device_type bnd_device_type = {
	.name = "bond",
};

void bnd_switch_mode(struct bnd_bond *bond, int mode)
{
	ASSERT_RTNL();
	WRITE_ONCE(bond->ops, bnd_mode_ops_get(mode));
	bond->b.params.mode = mode;
}

/*
 * Carrier follows the slaves: on while at least min_links (and at least
 * one) slaves have link, unless the mode decides (802.3ad).
 * RTNL or rcu_read_lock.
 */
void bnd_set_carrier(struct bnd_bond *bond)
{
	struct net_device *dev = bond->b.dev;
	struct list_head *iter;
	unsigned int up = 0;
	struct slave *s;
	bool ok;

	if (bond->ops->carrier_ok) {
		ok = bond->ops->carrier_ok(bond);
	} else {
		rcu_read_lock();
		bond_for_each_slave_rcu(&bond->b, s, iter)
			if (s->link == BOND_LINK_UP)
				up++;
		rcu_read_unlock();
		ok = up && up >= bond->b.params.min_links;
	}

	if (ok && !netif_carrier_ok(dev)) {
		netif_carrier_on(dev);
		netdev_info(dev, "link up\n");
	} else if (!ok && netif_carrier_ok(dev)) {
		netif_carrier_off(dev);
		netdev_info(dev, "link down (slaves with link: %u, min_links %u)\n",
			    up, bond->b.params.min_links);
	}
}

/* ---- transmit --------------------------------------------------------- */

netdev_tx_t bnd_tx_drop(struct bnd_bond *bond, struct sk_buff *skb)
{
	dev_core_stats_tx_dropped_inc(bond->b.dev);
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

/* Hand @skb to a slave; the bond's per-CPU counters see it if it left. */
netdev_tx_t bnd_xmit_slave(struct bnd_bond *bond, struct sk_buff *skb,
			   struct slave *slave)
{
	unsigned int len = skb->len;
	int ret;

	skb->dev = slave->dev;
	skb_set_queue_mapping(skb, qdisc_skb_cb(skb)->slave_dev_queue_mapping);
	ret = dev_queue_xmit(skb);
	if (likely(ret == NET_XMIT_SUCCESS || ret == NET_XMIT_CN))
		dev_sw_netstats_tx_add(bond->b.dev, 1, len);
	else
		dev_core_stats_tx_dropped_inc(bond->b.dev);
	return NETDEV_TX_OK;
}

/*
 * queue_id: a frame classified to queue N leaves through the slave whose
 * queue_id is N (rr and active-backup). Returns true if it was sent.
 */
bool bnd_tx_queue_override(struct bnd_bond *bond, struct sk_buff *skb)
{
	u16 queue = qdisc_skb_cb(skb)->slave_dev_queue_mapping;
	struct list_head *iter;
	struct slave *s;

	if (!queue)
		return false;
	bond_for_each_slave_rcu(&bond->b, s, iter) {
		if (READ_ONCE(s->queue_id) == queue) {
			if (!bond_slave_can_tx(s))
				return false;
			bnd_xmit_slave(bond, skb, s);
			return true;
		}
	}
	return false;
}

static u16 bnd_select_queue(struct net_device *dev, struct sk_buff *skb,
			    struct net_device *sb_dev)
{
	u16 rxq = skb_rx_queue_recorded(skb) ? skb_get_rx_queue(skb) : 0;

	/*
	 * The bond's queue follows the receive queue (forwarded traffic stays
	 * spread); the queue the stack picked is kept for the slave's xmit.
	 */
	qdisc_skb_cb(skb)->slave_dev_queue_mapping = skb_get_queue_mapping(skb);
	return likely(rxq < dev->real_num_tx_queues) ? rxq : rxq % dev->real_num_tx_queues;
}

static netdev_tx_t bnd_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct bnd_bond *bond = netdev_priv(dev);
	netdev_tx_t ret;

	rcu_read_lock();
	if (unlikely(!bond_has_slaves(&bond->b))) {
		ret = bnd_tx_drop(bond, skb);
	} else if (bond_should_override_tx_queue(&bond->b) &&
		   bnd_tx_queue_override(bond, skb)) {
		ret = NETDEV_TX_OK;
	} else {
		ret = READ_ONCE(bond->ops)->xmit(bond, skb);
	}
	rcu_read_unlock();
	return ret;
}

/* ---- open / stop ------------------------------------------------------ */

static int bnd_open(struct net_device *dev)
{
	struct bnd_bond *bond = netdev_priv(dev);
	const struct bnd_mode_ops *ops = bond->ops;
	struct slave *curr, *s;
	struct list_head *iter;
	int err;

	if (BOND_MODE(&bond->b) == BOND_MODE_ROUNDROBIN && !bond->b.rr_tx_counter) {
		bond->b.rr_tx_counter = alloc_percpu(u32);
		if (!bond->b.rr_tx_counter)
			return -ENOMEM;
	}

	curr = rtnl_dereference(bond->b.curr_active_slave);
	bond_for_each_slave(&bond->b, s, iter) {
		if (bnd_uses_primary(bond) && s != curr)
			bond_set_slave_inactive_flags(s, BOND_SLAVE_NOTIFY_NOW);
		else
			bond_set_slave_active_flags(s, BOND_SLAVE_NOTIFY_NOW);
	}

	if (ops->open) {
		err = ops->open(bond);
		if (err)
			return err;
	}
	/*
	 * Everything the mode's receive hook reads exists now: publish it.
	 * Frames on other bonds' slaves never get here (see bnd_handle_frame).
	 */
	smp_store_release(&bond->b.recv_probe, bnd_recv_hook(bond));

	bnd_update_slave_arr(bond);
	bnd_work_start(bond);
	return 0;
}

static int bnd_stop(struct net_device *dev)
{
	struct bnd_bond *bond = netdev_priv(dev);
	const struct bnd_mode_ops *ops = bond->ops;
	struct list_head *iter;
	struct slave *s;

	bnd_work_stop(bond);
	bond->b.send_peer_notif = 0;

	/*
	 * Withdraw the receive hook and wait until no CPU is still inside it;
	 * only then may the mode free what the hook reads.
	 */
	WRITE_ONCE(bond->b.recv_probe, NULL);
	synchronize_net();
	if (ops->close)
		ops->close(bond);

	if (bnd_uses_primary(bond)) {
		s = rtnl_dereference(bond->b.curr_active_slave);
		if (s)
			bnd_hw_addr_flush(dev, s->dev);
	} else {
		bond_for_each_slave(&bond->b, s, iter)
			bnd_hw_addr_flush(dev, s->dev);
	}
	return 0;
}

/* ---- receive filters -------------------------------------------------- */

static void bnd_change_rx_flags(struct net_device *dev, int change)
{
	struct bnd_bond *bond = netdev_priv(dev);
	int promisc = dev->flags & IFF_PROMISC ? 1 : -1;
	int allmulti = dev->flags & IFF_ALLMULTI ? 1 : -1;
	struct list_head *iter;
	struct slave *s;

	if (bnd_uses_primary(bond)) {
		s = rtnl_dereference(bond->b.curr_active_slave);
		if (s && (change & IFF_PROMISC))
			dev_set_promiscuity(s->dev, promisc);
		if (s && (change & IFF_ALLMULTI))
			dev_set_allmulti(s->dev, allmulti);
		return;
	}
	bond_for_each_slave(&bond->b, s, iter) {
		if (change & IFF_PROMISC)
			dev_set_promiscuity(s->dev, promisc);
		if (change & IFF_ALLMULTI)
			dev_set_allmulti(s->dev, allmulti);
	}
}

static void bnd_set_rx_mode(struct net_device *dev)
{
	struct bnd_bond *bond = netdev_priv(dev);
	struct list_head *iter;
	struct slave *s;

	rcu_read_lock();
	if (bnd_uses_primary(bond)) {
		s = rcu_dereference(bond->b.curr_active_slave);
		if (s) {
			dev_uc_sync(s->dev, dev);
			dev_mc_sync(s->dev, dev);
		}
	} else {
		bond_for_each_slave_rcu(&bond->b, s, iter) {
			dev_uc_sync_multiple(s->dev, dev);
			dev_mc_sync_multiple(s->dev, dev);
		}
	}
	rcu_read_unlock();
}

/*
 * Do @apply to every slave, or to none: if one refuses, @undo the ones
 * already done and return its error. RTNL held.
 */
static int bnd_all_slaves(struct bnd_bond *bond,
			  int (*apply)(struct slave *s, const void *arg),
			  void (*undo)(struct slave *s, const void *arg), const void *arg)
{
	struct slave *s, *done;
	struct list_head *iter;
	int err;

	bond_for_each_slave(&bond->b, s, iter) {
		err = apply(s, arg);
		if (err)
			goto unwind;
	}
	return 0;

unwind:
	bond_for_each_slave(&bond->b, done, iter) {
		if (done == s)
			break;
		undo(done, arg);
	}
	return err;
}

struct bnd_vid {
	__be16 proto;
	u16 vid;
};

static int bnd_slave_vid_add(struct slave *s, const void *arg)
{
	const struct bnd_vid *v = arg;

	return vlan_vid_add(s->dev, v->proto, v->vid);
}

static void bnd_slave_vid_del(struct slave *s, const void *arg)
{
	const struct bnd_vid *v = arg;

	vlan_vid_del(s->dev, v->proto, v->vid);
}

static int bnd_vlan_rx_add_vid(struct net_device *dev, __be16 proto, u16 vid)
{
	struct bnd_vid v = { .proto = proto, .vid = vid };

	return bnd_all_slaves(netdev_priv(dev), bnd_slave_vid_add, bnd_slave_vid_del, &v);
}

static int bnd_vlan_rx_kill_vid(struct net_device *dev, __be16 proto, u16 vid)
{
	struct bnd_bond *bond = netdev_priv(dev);
	struct list_head *iter;
	struct slave *s;

	bond_for_each_slave(&bond->b, s, iter)
		vlan_vid_del(s->dev, proto, vid);
	if (bond->ops->vlan_removed)
		bond->ops->vlan_removed(bond, vid);
	return 0;
}

/* ---- MTU and MAC ------------------------------------------------------ */

static int bnd_slave_mtu(struct slave *s, const void *mtu)
{
	int err = dev_set_mtu(s->dev, *(const int *)mtu);

	if (err)
		netdev_err(s->bond->dev, "(slave %s): refused MTU %d (%d); bond MTU unchanged\n",
			   s->dev->name, *(const int *)mtu, err);
	return err;
}

static void bnd_slave_mtu_back(struct slave *s, const void *mtu)
{
	dev_set_mtu(s->dev, s->bond->dev->mtu);
}

static int bnd_change_mtu(struct net_device *dev, int new_mtu)
{
	struct bnd_bond *bond = netdev_priv(dev);
	int err;

	bond->mtu_busy = true;
	err = bnd_all_slaves(bond, bnd_slave_mtu, bnd_slave_mtu_back, &new_mtu);
	if (!err)
		WRITE_ONCE(dev->mtu, new_mtu);
	bond->mtu_busy = false;
	return err;
}

static int bnd_slave_mac(struct slave *s, const void *addr)
{
	int err = bnd_slave_set_mac(s->dev, addr, NULL);

	if (err)
		netdev_err(s->bond->dev, "(slave %s): refused MAC %pM (%d); bond MAC unchanged\n",
			   s->dev->name, addr, err);
	return err;
}

static void bnd_slave_mac_back(struct slave *s, const void *addr)
{
	bnd_slave_set_mac(s->dev, s->bond->dev->dev_addr, NULL);
}

/* Give every slave @addr, or none of them. */
int bnd_set_mac_all(struct bnd_bond *bond, const u8 *addr)
{
	return bnd_all_slaves(bond, bnd_slave_mac, bnd_slave_mac_back, addr);
}

static int bnd_set_mac_address(struct net_device *dev, void *addr)
{
	struct bnd_bond *bond = netdev_priv(dev);
	struct sockaddr_storage *ss = addr;
	int err;

	if (!is_valid_ether_addr(ss->__data))
		return -EADDRNOTAVAIL;

	if (bond->ops->set_mac) {
		err = bond->ops->set_mac(bond, ss->__data);
	} else if (BOND_MODE(&bond->b) == BOND_MODE_ACTIVEBACKUP &&
		   bond->b.params.fail_over_mac) {
		/* The bond's MAC belongs to the slaves here; accept quietly. */
		return 0;
	} else {
		err = bnd_set_mac_all(bond, ss->__data);
	}
	if (err)
		return err;
	eth_hw_addr_set(dev, ss->__data);
	return 0;
}

/* ---- statistics and features ------------------------------------------ */

static void bnd_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *st)
{
	dev_fetch_sw_netstats(st, dev->tstats);
}

static netdev_features_t bnd_fix_features(struct net_device *dev,
					  netdev_features_t features)
{
	struct bnd_bond *bond = netdev_priv(dev);
	netdev_features_t mask = features;
	struct list_head *iter;
	struct slave *s;

	features &= ~NETIF_F_ONE_FOR_ALL;
	features |= NETIF_F_ALL_FOR_ALL;
	bond_for_each_slave(&bond->b, s, iter)
		features = netdev_increment_features(features, s->dev->features, mask);
	return netdev_add_tso_features(features, mask);
}

static int bnd_add_slave(struct net_device *dev, struct net_device *slave_dev,
			 struct netlink_ext_ack *extack)
{
	return bnd_enslave(netdev_priv(dev), slave_dev, extack);
}

static int bnd_del_slave(struct net_device *dev, struct net_device *slave_dev)
{
	return bnd_release(netdev_priv(dev), slave_dev, NULL);
}

/* ---- lifetime --------------------------------------------------------- */

static int bnd_dev_init(struct net_device *dev)
{
	struct bnd_bond *bond = netdev_priv(dev);
	struct bond_net *bn = net_generic(dev_net(dev), bnd_net_id);

	bond->b.wq = alloc_ordered_workqueue("%s", WQ_MEM_RECLAIM, dev->name);
	if (!bond->b.wq)
		return -ENOMEM;
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats) {
		destroy_workqueue(bond->b.wq);
		bond->b.wq = NULL;
		return -ENOMEM;
	}
	spin_lock_init(&bond->b.stats_lock);
	netdev_lockdep_set_classes(dev);
	list_add_tail(&bond->b.bond_list, &bn->dev_list);
	dev->sysfs_groups[0] = &bnd_sysfs_group;

	if (is_zero_ether_addr(dev->dev_addr) &&
	    dev->addr_assign_type == NET_ADDR_PERM)
		eth_hw_addr_random(dev);
	return 0;
}

static void bnd_dev_uninit(struct net_device *dev)
{
	struct bnd_bond *bond = netdev_priv(dev);

	bnd_release_all(bond, BND_RELEASE_BOND_GONE);
	/* A rebuild retried after an allocation failure must not outlive us. */
	cancel_delayed_work_sync(&bond->b.slave_arr_work);
	bnd_free_slave_arr(bond);
	list_del(&bond->b.bond_list);
	bnd_debugfs_unregister(bond);
}

static void bnd_destructor(struct net_device *dev)
{
	struct bnd_bond *bond = netdev_priv(dev);

	if (bond->b.wq)
		destroy_workqueue(bond->b.wq);
	free_percpu(bond->b.rr_tx_counter);
	free_percpu(dev->tstats);
}

const struct net_device_ops bnd_netdev_ops = {
	.ndo_init		= bnd_dev_init,
	.ndo_uninit		= bnd_dev_uninit,
	.ndo_open		= bnd_open,
	.ndo_stop		= bnd_stop,
	.ndo_start_xmit		= bnd_start_xmit,
	.ndo_select_queue	= bnd_select_queue,
	.ndo_get_stats64	= bnd_get_stats64,
	.ndo_change_mtu		= bnd_change_mtu,
	.ndo_change_rx_flags	= bnd_change_rx_flags,
	.ndo_set_rx_mode	= bnd_set_rx_mode,
	.ndo_set_mac_address	= bnd_set_mac_address,
	.ndo_add_slave		= bnd_add_slave,
	.ndo_del_slave		= bnd_del_slave,
	.ndo_vlan_rx_add_vid	= bnd_vlan_rx_add_vid,
	.ndo_vlan_rx_kill_vid	= bnd_vlan_rx_kill_vid,
	.ndo_fix_features	= bnd_fix_features,
	.ndo_features_check	= passthru_features_check,
};

static void bnd_get_drvinfo(struct net_device *dev, struct ethtool_drvinfo *info)
{
	strscpy(info->driver, DRV_NAME, sizeof(info->driver));
	snprintf(info->fw_version, sizeof(info->fw_version), "%s", BOND_KO_VERSION);
}

/* Speed is the sum over slaves that can carry traffic, like upstream. */
static int bnd_get_link_ksettings(struct net_device *dev,
				  struct ethtool_link_ksettings *cmd)
{
	struct bnd_bond *bond = netdev_priv(dev);
	unsigned long speed = 0;
	struct list_head *iter;
	struct slave *s;

	cmd->base.duplex = DUPLEX_UNKNOWN;
	cmd->base.port = PORT_OTHER;
	bond_for_each_slave(&bond->b, s, iter) {
		if (!bond_slave_can_tx(s))
			continue;
		if (s->speed != SPEED_UNKNOWN) {
			if (BOND_MODE(&bond->b) == BOND_MODE_BROADCAST)
				speed = max_t(unsigned long, speed, s->speed);
			else
				speed += s->speed;
		}
		if (cmd->base.duplex == DUPLEX_UNKNOWN && s->duplex != DUPLEX_UNKNOWN)
			cmd->base.duplex = s->duplex;
	}
	cmd->base.speed = speed ? : SPEED_UNKNOWN;
	return 0;
}

static const struct ethtool_ops bnd_ethtool_ops = {
	.get_drvinfo		= bnd_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= bnd_get_link_ksettings,
};

/* alloc_netdev() callback: a bond with the module defaults, not yet live. */
void bnd_setup(struct net_device *dev)
{
	struct bnd_bond *bond = netdev_priv(dev);

	bond->b.dev = dev;
	bond->b.params = bnd_defaults;
	bond->ops = bnd_mode_ops_get(bond->b.params.mode);
	spin_lock_init(&bond->b.mode_lock);
	bnd_work_init(bond);

	ether_setup(dev);
	dev->max_mtu = ETH_MAX_MTU;
	dev->netdev_ops = &bnd_netdev_ops;
	dev->ethtool_ops = &bnd_ethtool_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = bnd_destructor;
	SET_NETDEV_DEVTYPE(dev, &bnd_device_type);

	dev->flags |= IFF_MASTER;
	dev->priv_flags |= IFF_BONDING | IFF_UNICAST_FLT | IFF_NO_QUEUE |
			   IFF_DISABLE_NETPOLL;
	dev->priv_flags &= ~(IFF_XMIT_DST_RELEASE | IFF_TX_SKB_SHARING);
	bnd_compat_set_lltx(dev);

	dev->hw_features = BND_VLAN_FEATURES_BASE | NETIF_F_GSO_ENCAP_ALL |
			   NETIF_F_HW_VLAN_CTAG_RX | NETIF_F_HW_VLAN_CTAG_FILTER |
			   NETIF_F_HW_VLAN_STAG_RX | NETIF_F_HW_VLAN_STAG_FILTER;
	dev->features |= dev->hw_features | NETIF_F_HW_VLAN_CTAG_TX |
			 NETIF_F_HW_VLAN_STAG_TX | NETIF_F_GSO_PARTIAL;
}

/* Create a bond named @name (or bond%d) in @net: bonding_masters, max_bonds. */
int bnd_create(struct net *net, const char *name)
{
	struct net_device *dev;
	int err;

	rtnl_lock();
	dev = alloc_netdev_mq(sizeof(struct bnd_bond), name ? name : "bond%d",
			      NET_NAME_UNKNOWN, bnd_setup, bnd_tx_queues);
	if (!dev) {
		rtnl_unlock();
		return -ENOMEM;
	}
	dev_net_set(dev, net);
	dev->rtnl_link_ops = &bnd_link_ops;
	err = register_netdevice(dev);
	if (err < 0)
		free_netdev(dev);
	else
		netif_carrier_off(dev);
	rtnl_unlock();
	return err < 0 ? err : 0;
}
