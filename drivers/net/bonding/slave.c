// SPDX-License-Identifier: GPL-2.0
/*
 * Slaves: enslave and release, the per-slave receive handler, the arrays
 * the transmit paths read, and what a bond inherits from its slaves.
 *
 * The receive handler is registered per slave with the slave as its
 * private data, so a frame can only reach the mode code of the bond that
 * owns the port it arrived on.
 */
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/rtnetlink.h>

#include "bond.h"

#define BND_VLAN_FEATURES	(NETIF_F_HW_CSUM | NETIF_F_SG | NETIF_F_FRAGLIST | \
				 NETIF_F_GSO_SOFTWARE | NETIF_F_GSO_ENCAP_ALL | \
				 NETIF_F_HIGHDMA | NETIF_F_LRO)
#define BND_ENC_FEATURES	(NETIF_F_HW_CSUM | NETIF_F_SG | NETIF_F_RXCSUM | \
				 NETIF_F_GSO_SOFTWARE | NETIF_F_GSO_PARTIAL)
#define BND_MPLS_FEATURES	(NETIF_F_HW_CSUM | NETIF_F_SG | NETIF_F_GSO_SOFTWARE)

/* ---- receive ---------------------------------------------------------- */

/*
 * Frames that arrive on an inactive slave are not the bond's, except for
 * link-local control frames (LLDP and friends may watch every port) and,
 * where the mode balances receive across slaves, unicast.
 */
static bool bnd_rx_exact_only(const struct sk_buff *skb, const struct slave *s,
			      const struct bnd_bond *bond)
{
	if (!bond_is_slave_inactive((struct slave *)s))
		return false;
	if ((READ_ONCE(bond->ops)->flags & BND_MODE_F_RX_INACTIVE_UNICAST) &&
	    skb->pkt_type != PACKET_BROADCAST && skb->pkt_type != PACKET_MULTICAST)
		return false;
	return true;
}

rx_handler_result_t bnd_handle_frame(struct sk_buff **pskb)
{
	int (*probe)(const struct sk_buff *, struct bonding *, struct slave *);
	struct sk_buff *skb = *pskb;
	struct bnd_bond *bond;
	struct slave *s;

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (unlikely(!skb))
		return RX_HANDLER_CONSUMED;
	*pskb = skb;

	/* rx_handler_data is this port's slave: its bond is the only owner. */
	s = bond_slave_get_rcu(skb->dev);
	bond = bnd_from_b(s->bond);

	/* Pairs with the release in bnd_open(): the mode's state is visible. */
	probe = smp_load_acquire(&bond->b.recv_probe);
	if (probe && probe(skb, &bond->b, s) == RX_HANDLER_CONSUMED) {
		consume_skb(skb);
		return RX_HANDLER_CONSUMED;
	}

	if (bnd_rx_exact_only(skb, s, bond)) {
		if (is_link_local_ether_addr(eth_hdr(skb)->h_dest))
			return RX_HANDLER_PASS;
		return RX_HANDLER_EXACT;
	}

	skb->dev = bond->b.dev;
	if ((READ_ONCE(bond->ops)->flags & BND_MODE_F_RX_HOST_DADDR) &&
	    skb->pkt_type == PACKET_HOST && netif_is_bridge_port(bond->b.dev)) {
		/* The bridge above us only knows the bond's address. */
		if (unlikely(skb_cow_head(skb, skb->data - skb_mac_header(skb)))) {
			kfree_skb(skb);
			return RX_HANDLER_CONSUMED;
		}
		ether_addr_copy(eth_hdr(skb)->h_dest, bond->b.dev->dev_addr);
	}
	dev_sw_netstats_rx_add(bond->b.dev, skb->len + ETH_HLEN);
	return RX_HANDLER_ANOTHER;
}

/* ---- slave arrays ----------------------------------------------------- */

static void bnd_publish_slave_arr(struct bnd_bond *bond, struct bond_up_slave *use,
				  struct bond_up_slave *all)
{
	struct bond_up_slave *old;

	old = rcu_replace_pointer(bond->b.usable_slaves, use, lockdep_rtnl_is_held());
	if (old)
		kfree_rcu(old, rcu);
	old = rcu_replace_pointer(bond->b.all_slaves, all, lockdep_rtnl_is_held());
	if (old)
		kfree_rcu(old, rcu);
}

static bool bnd_slave_default_usable(const struct slave *s)
{
	return bond_slave_can_tx((struct slave *)s);
}

/* How soon a rebuild that found no memory is tried again. */
#define BND_SLAVE_ARR_RETRY	(HZ / 10)

/*
 * Rebuild b.usable_slaves (the slaves transmit may pick) and b.all_slaves
 * from the slave list (RTNL). Without memory both are withdrawn, so
 * transmit never sees a slave that has left, and the rebuild is retried
 * from the bond's workqueue until it succeeds: transmit drops meanwhile,
 * but not until some later link event happens to rebuild.
 */
void bnd_update_slave_arr(struct bnd_bond *bond)
{
	bool (*usable)(const struct slave *s) = bond->ops->slave_usable ?:
						 bnd_slave_default_usable;
	struct bond_up_slave *use, *all;
	struct list_head *iter;
	struct slave *s;
	int n = bond->b.slave_cnt;

	ASSERT_RTNL();
	use = kzalloc(struct_size(use, arr, n), GFP_KERNEL);
	all = kzalloc(struct_size(all, arr, n), GFP_KERNEL);
	if (!use || !all) {
		kfree(use);
		kfree(all);
		net_err_ratelimited("%s: out of memory for the slave arrays; transmit paused, retrying\n",
				    bond->b.dev->name);
		bnd_free_slave_arr(bond);
		mod_delayed_work(bond->b.wq, &bond->b.slave_arr_work, BND_SLAVE_ARR_RETRY);
		return;
	}
	bond_for_each_slave(&bond->b, s, iter) {
		if (all->count < n)
			all->arr[all->count++] = s;
		if (use->count < n && usable(s))
			use->arr[use->count++] = s;
	}
	bnd_publish_slave_arr(bond, use, all);
}

void bnd_free_slave_arr(struct bnd_bond *bond)
{
	bnd_publish_slave_arr(bond, NULL, NULL);
}

/* For mode code that may not take RTNL: rebuild the arrays soon. */
static void bnd_slave_arr_work(struct work_struct *work)
{
	struct bonding *b = container_of(work, struct bonding, slave_arr_work.work);

	if (!rtnl_trylock()) {
		queue_delayed_work(b->wq, &b->slave_arr_work, 1);
		return;
	}
	bnd_update_slave_arr(bnd_from_b(b));
	rtnl_unlock();
}

void bnd_update_slave_arr_async(struct bnd_bond *bond)
{
	queue_delayed_work(bond->b.wq, &bond->b.slave_arr_work, 0);
}

void bnd_slave_arr_work_init(struct bnd_bond *bond)
{
	INIT_DELAYED_WORK(&bond->b.slave_arr_work, bnd_slave_arr_work);
}

/* ---- what the bond inherits ------------------------------------------- */

void bnd_compute_features(struct bnd_bond *bond)
{
	unsigned int dst_release = IFF_XMIT_DST_RELEASE | IFF_XMIT_DST_RELEASE_PERM;
	netdev_features_t vlan = BND_VLAN_FEATURES, enc = BND_ENC_FEATURES;
	netdev_features_t mpls = BND_MPLS_FEATURES;
	struct net_device *dev = bond->b.dev;
	unsigned int tso_size = TSO_MAX_SIZE;
	unsigned short hlen = ETH_HLEN;
	u16 tso_segs = TSO_MAX_SEGS;
	struct list_head *iter;
	struct slave *s;

	if (bond_has_slaves(&bond->b)) {
		vlan &= NETIF_F_ALL_FOR_ALL;
		mpls &= NETIF_F_ALL_FOR_ALL;
		bond_for_each_slave(&bond->b, s, iter) {
			vlan = netdev_increment_features(vlan, s->dev->vlan_features,
							 BND_VLAN_FEATURES);
			enc = netdev_increment_features(enc, s->dev->hw_enc_features,
							BND_ENC_FEATURES);
			mpls = netdev_increment_features(mpls, s->dev->mpls_features,
							 BND_MPLS_FEATURES);
			dst_release &= s->dev->priv_flags;
			hlen = max(hlen, s->dev->hard_header_len);
			tso_size = min(tso_size, s->dev->tso_max_size);
			tso_segs = min(tso_segs, s->dev->tso_max_segs);
		}
	}
	dev->vlan_features = vlan;
	dev->hw_enc_features = enc | NETIF_F_GSO_ENCAP_ALL |
			       NETIF_F_HW_VLAN_CTAG_TX | NETIF_F_HW_VLAN_STAG_TX;
	dev->mpls_features = mpls;
	dev->hard_header_len = hlen;
	netif_set_tso_max_segs(dev, tso_segs);
	netif_set_tso_max_size(dev, tso_size);

	dev->priv_flags &= ~IFF_XMIT_DST_RELEASE;
	if ((dev->priv_flags & IFF_XMIT_DST_RELEASE_PERM) &&
	    dst_release == (IFF_XMIT_DST_RELEASE | IFF_XMIT_DST_RELEASE_PERM))
		dev->priv_flags |= IFF_XMIT_DST_RELEASE;

	netdev_change_features(dev);
}

/* ---- helpers ---------------------------------------------------------- */

int bnd_slave_set_mac(struct net_device *dev, const u8 *addr,
		      struct netlink_ext_ack *extack)
{
	struct sockaddr_storage ss = { .ss_family = dev->type };

	memcpy(ss.__data, addr, dev->addr_len);
	return dev_set_mac_address(dev, (struct sockaddr *)&ss, extack);
}

void bnd_update_speed_duplex(struct slave *s)
{
	struct ethtool_link_ksettings ks;

	s->speed = SPEED_UNKNOWN;
	s->duplex = DUPLEX_UNKNOWN;
	if (__ethtool_get_link_ksettings(s->dev, &ks) < 0)
		return;
	if (ks.base.speed == 0 || ks.base.speed == (u32)SPEED_UNKNOWN)
		return;
	if (ks.base.duplex != DUPLEX_FULL && ks.base.duplex != DUPLEX_HALF)
		return;
	s->speed = ks.base.speed;
	s->duplex = ks.base.duplex;
}

/*
 * Link as the MII monitor sees it: carrier, or (use_carrier=0) the
 * driver's ethtool link report.
 */
bool bnd_slave_link_ok(struct bnd_bond *bond, struct slave *s)
{
	struct net_device *dev = s->dev;

	if (!netif_running(dev))
		return false;
	if (bond->b.params.use_carrier || !dev->ethtool_ops ||
	    !dev->ethtool_ops->get_link)
		return netif_carrier_ok(dev);
	return dev->ethtool_ops->get_link(dev);
}

void bnd_hw_addr_flush(struct net_device *bond_dev, struct net_device *slave_dev)
{
	dev_uc_unsync(slave_dev, bond_dev);
	dev_mc_unsync(slave_dev, bond_dev);
}

static enum netdev_lag_tx_type bnd_lag_tx_type(const struct bnd_bond *bond)
{
	static const enum netdev_lag_tx_type types[BND_MODE_COUNT] = {
		[BOND_MODE_ROUNDROBIN]	 = NETDEV_LAG_TX_TYPE_ROUNDROBIN,
		[BOND_MODE_ACTIVEBACKUP] = NETDEV_LAG_TX_TYPE_ACTIVEBACKUP,
		[BOND_MODE_XOR]		 = NETDEV_LAG_TX_TYPE_HASH,
		[BOND_MODE_BROADCAST]	 = NETDEV_LAG_TX_TYPE_BROADCAST,
		[BOND_MODE_8023AD]	 = NETDEV_LAG_TX_TYPE_HASH,
		[BOND_MODE_TLB]		 = NETDEV_LAG_TX_TYPE_UNKNOWN,
		[BOND_MODE_ALB]		 = NETDEV_LAG_TX_TYPE_UNKNOWN,
	};

	return types[BOND_MODE(&bond->b)];
}

static enum netdev_lag_hash bnd_lag_hash(const struct bnd_bond *bond,
					 enum netdev_lag_tx_type type)
{
	static const enum netdev_lag_hash hashes[] = {
		[BOND_XMIT_POLICY_LAYER2]	= NETDEV_LAG_HASH_L2,
		[BOND_XMIT_POLICY_LAYER34]	= NETDEV_LAG_HASH_L34,
		[BOND_XMIT_POLICY_LAYER23]	= NETDEV_LAG_HASH_L23,
		[BOND_XMIT_POLICY_ENCAP23]	= NETDEV_LAG_HASH_E23,
		[BOND_XMIT_POLICY_ENCAP34]	= NETDEV_LAG_HASH_E34,
		[BOND_XMIT_POLICY_VLAN_SRCMAC]	= NETDEV_LAG_HASH_VLAN_SRCMAC,
	};
	int policy = bond->b.params.xmit_policy;

	if (type != NETDEV_LAG_TX_TYPE_HASH)
		return NETDEV_LAG_HASH_NONE;
	return policy >= 0 && policy < ARRAY_SIZE(hashes) ? hashes[policy] :
							   NETDEV_LAG_HASH_UNKNOWN;
}

/* Tell LAG offload drivers (mlx5, ...) about a slave's state. */
void bond_lower_state_changed(struct slave *slave)
{
	struct netdev_lag_lower_state_info info = {
		.link_up = slave->link == BOND_LINK_UP || slave->link == BOND_LINK_FAIL,
		.tx_enabled = bond_is_active_slave(slave),
	};

	netdev_lower_state_changed(slave->dev, &info);
}

static void bnd_slave_notify_work(struct work_struct *work)
{
	struct slave *s = container_of(work, struct slave, notify_work.work);
	struct netdev_bonding_info info = {};

	if (!rtnl_trylock()) {
		queue_delayed_work(s->bond->wq, &s->notify_work, 1);
		return;
	}
	strscpy(info.slave.slave_name, s->dev->name, sizeof(info.slave.slave_name));
	info.slave.link = s->link;
	info.slave.state = bond_slave_state(s);
	info.slave.link_failure_count = s->link_failure_count;
	info.master.bond_mode = BOND_MODE(s->bond);
	info.master.miimon = s->bond->params.miimon;
	info.master.num_slaves = s->bond->slave_cnt;
	netdev_bonding_info_change(s->dev, &info);
	rtnl_unlock();
}

/* Used by <net/bonding.h> helpers: announce a slave state change. */
void bond_queue_slave_event(struct slave *slave)
{
	queue_delayed_work(slave->bond->wq, &slave->notify_work, 0);
}

/* Trunk modes (rr, xor, broadcast): every slave with link transmits. */
void bnd_trunk_slave_attach(struct bnd_bond *bond, struct bnd_slave *slave)
{
	bond_set_active_slave(&slave->s);
	/* curr_active_slave only names the slave that sends IGMP here. */
	if (!rcu_access_pointer(bond->b.curr_active_slave) &&
	    slave->s.link == BOND_LINK_UP)
		rcu_assign_pointer(bond->b.curr_active_slave, &slave->s);
}

void bnd_trunk_link_change(struct bnd_bond *bond, struct bnd_slave *slave, int link)
{
	if (link == BOND_LINK_UP)
		bond_set_active_slave(&slave->s);
}

/* ---- enslave ---------------------------------------------------------- */

/* Refuse to enslave: extack message, and a log line naming both devices. */
#define BND_NL_ERR(bond, sdev, extack, err, msg) ({			\
	if (extack)							\
		NL_SET_ERR_MSG(extack, msg);				\
	netdev_err((bond)->b.dev, "(slave %s): enslave refused: %s\n",	\
		   (sdev)->name, msg);					\
	err;								\
})

static int bnd_enslave_check(struct bnd_bond *bond, struct net_device *sdev,
			     struct netlink_ext_ack *extack)
{
	struct net_device *dev = bond->b.dev;

	if (sdev == dev)
		return BND_NL_ERR(bond, sdev, extack, -EPERM, "cannot enslave a bond to itself");
	if (sdev->type != ARPHRD_ETHER)
		return BND_NL_ERR(bond, sdev, extack, -EINVAL,
				  "only Ethernet devices can be enslaved");
	if ((sdev->flags & IFF_MASTER) && !netif_is_bond_master(sdev))
		return BND_NL_ERR(bond, sdev, extack, -EPERM,
				  "master devices of other kinds cannot be enslaved");
	if (netif_is_bond_slave(sdev) || netdev_is_rx_handler_busy(sdev))
		return BND_NL_ERR(bond, sdev, extack, -EBUSY,
				  "device is already in use (a slave or port of another device)");
	if (netdev_has_upper_dev(dev, sdev))
		return BND_NL_ERR(bond, sdev, extack, -EBUSY,
				  "enslaving would create a loop");
	if (sdev->flags & IFF_UP)
		return BND_NL_ERR(bond, sdev, extack, -EPERM,
				  "device can not be enslaved while up");
	if ((sdev->features & NETIF_F_VLAN_CHALLENGED) && vlan_uses_dev(dev))
		return BND_NL_ERR(bond, sdev, extack, -EPERM,
				  "cannot enslave a VLAN challenged device to a bond with VLANs");
	if (!sdev->netdev_ops->ndo_set_mac_address) {
		if (BOND_MODE(&bond->b) != BOND_MODE_ACTIVEBACKUP)
			return BND_NL_ERR(bond, sdev, extack, -EOPNOTSUPP,
					  "device cannot change its MAC address, which this mode needs");
		if (bond->b.params.fail_over_mac != BOND_FOM_ACTIVE) {
			if (bond_has_slaves(&bond->b))
				return BND_NL_ERR(bond, sdev, extack, -EOPNOTSUPP,
						  "device cannot change its MAC address and fail_over_mac is not active");
			bond->b.params.fail_over_mac = BOND_FOM_ACTIVE;
			netdev_warn(dev, "(slave %s): cannot change its MAC address; fail_over_mac set to active\n",
				    sdev->name);
		}
	}
	return 0;
}

/* The MAC a new slave gets: the bond's, a fresh one, or its own. */
static int bnd_enslave_mac(struct bnd_bond *bond, struct net_device *sdev,
			   struct netlink_ext_ack *extack)
{
	u8 addr[ETH_ALEN];

	if (bond->ops->flags & BND_MODE_F_OWN_SLAVE_MAC)
		return 0;
	if (BOND_MODE(&bond->b) == BOND_MODE_ACTIVEBACKUP && bond->b.params.fail_over_mac) {
		if (bond->b.params.fail_over_mac != BOND_FOM_FOLLOW ||
		    !bond_has_slaves(&bond->b) ||
		    !ether_addr_equal(sdev->dev_addr, bond->b.dev->dev_addr))
			return 0;
		/* follow: no two slaves may share a MAC across failovers */
		eth_random_addr(addr);
		return bnd_slave_set_mac(sdev, addr, extack);
	}
	return bnd_slave_set_mac(sdev, bond->b.dev->dev_addr, extack);
}

/*
 * A slave no longer belongs to a bond. A slave that is a bond itself keeps
 * IFF_BONDING: with IFF_MASTER that flag is what makes it a bond master
 * (netif_is_bond_master()), for us when it is enslaved again and for the
 * rest of the kernel.
 */
static void bnd_slave_clear_bonding(struct net_device *sdev)
{
	if (!bnd_is_our_bond(sdev))
		sdev->priv_flags &= ~IFF_BONDING;
}

static void bnd_slave_kobj_release(struct kobject *kobj)
{
	struct bnd_slave *slave = bnd_slave_from_s(to_slave(kobj));

	cancel_delayed_work_sync(&slave->s.notify_work);
	kfree(slave->s.ad_info);
	kfree_rcu(slave, rcu);
}

static const struct kobj_type bnd_slave_ktype = {
	.release = bnd_slave_kobj_release,
	.sysfs_ops = &bnd_slave_sysfs_ops,
};

static struct bnd_slave *bnd_slave_alloc(struct bnd_bond *bond,
					 struct net_device *sdev)
{
	struct bnd_slave *slave = kzalloc(sizeof(*slave), GFP_KERNEL);

	if (!slave)
		return NULL;
	slave->s.bond = &bond->b;
	slave->s.dev = sdev;
	slave->s.link = BOND_LINK_NOCHANGE;
	slave->s.link_new_state = BOND_LINK_NOCHANGE;
	INIT_LIST_HEAD(&slave->lb.rlb_clients);
	INIT_DELAYED_WORK(&slave->s.notify_work, bnd_slave_notify_work);
	if (kobject_init_and_add(&slave->s.kobj, &bnd_slave_ktype,
				 &sdev->dev.kobj, "bonding_slave")) {
		kobject_put(&slave->s.kobj);
		return NULL;
	}
	return slave;
}

/* Initial link state of a new slave, as the monitor will judge it. */
static void bnd_enslave_link(struct bnd_bond *bond, struct bnd_slave *slave)
{
	struct slave *s = &slave->s;
	int link = BOND_LINK_UP;

	if (bond->b.params.miimon && !bnd_slave_link_ok(bond, s)) {
		link = BOND_LINK_DOWN;
	} else if (bond->b.params.miimon && bond->b.params.updelay) {
		link = BOND_LINK_BACK;
		s->delay = bond->b.params.updelay;
	} else if (!bond->b.params.miimon && bond->b.params.arp_interval) {
		link = netif_carrier_ok(s->dev) ? BOND_LINK_UP : BOND_LINK_DOWN;
		bnd_arpmon_slave_init(bond, s);
	}
	bond_set_slave_link_state(s, link, BOND_SLAVE_NOTIFY_NOW);
	if (link != BOND_LINK_DOWN)
		s->last_link_up = jiffies;
}

static int bnd_link_upper(struct bnd_bond *bond, struct bnd_slave *slave,
			  struct netlink_ext_ack *extack)
{
	struct netdev_lag_upper_info info;
	int err;

	info.tx_type = bnd_lag_tx_type(bond);
	info.hash_type = bnd_lag_hash(bond, info.tx_type);
	err = netdev_master_upper_dev_link(slave->s.dev, bond->b.dev, slave,
					   &info, extack);
	if (!err)
		slave->s.dev->flags |= IFF_SLAVE;
	return err;
}

static void bnd_unlink_upper(struct bnd_bond *bond, struct bnd_slave *slave)
{
	netdev_upper_dev_unlink(slave->s.dev, bond->b.dev);
	slave->s.dev->flags &= ~IFF_SLAVE;
}

/* Receive filters of the bond now also apply to @sdev. */
static int bnd_slave_sync_filters(struct bnd_bond *bond, struct net_device *sdev)
{
	struct net_device *dev = bond->b.dev;
	int err;

	if (dev->flags & IFF_PROMISC) {
		err = dev_set_promiscuity(sdev, 1);
		if (err)
			return err;
	}
	if (dev->flags & IFF_ALLMULTI) {
		err = dev_set_allmulti(sdev, 1);
		if (err) {
			if (dev->flags & IFF_PROMISC)
				dev_set_promiscuity(sdev, -1);
			return err;
		}
	}
	if (dev->flags & IFF_UP) {
		netif_addr_lock_bh(dev);
		dev_uc_sync_multiple(sdev, dev);
		dev_mc_sync_multiple(sdev, dev);
		netif_addr_unlock_bh(dev);
	}
	return 0;
}

static void bnd_slave_unsync_filters(struct bnd_bond *bond, struct net_device *sdev,
				     unsigned int flags)
{
	if (flags & IFF_PROMISC)
		dev_set_promiscuity(sdev, -1);
	if (flags & IFF_ALLMULTI)
		dev_set_allmulti(sdev, -1);
	if (flags & IFF_UP)
		bnd_hw_addr_flush(bond->b.dev, sdev);
}

int bnd_enslave(struct bnd_bond *bond, struct net_device *sdev,
		struct netlink_ext_ack *extack)
{
	struct net_device *dev = bond->b.dev;
	bool set_bond_mac = false;
	struct bnd_slave *slave;
	int err;

	ASSERT_RTNL();
	err = bnd_enslave_check(bond, sdev, extack);
	if (err)
		return err;

	call_netdevice_notifiers(NETDEV_JOIN, sdev);

	/* The first slave lends its MAC to a bond that has none of its own. */
	if (!bond_has_slaves(&bond->b) && dev->addr_assign_type == NET_ADDR_RANDOM) {
		err = dev_pre_changeaddr_notify(dev, sdev->dev_addr, extack);
		if (err)
			return err;
		eth_hw_addr_set(dev, sdev->dev_addr);
		dev->addr_assign_type = NET_ADDR_STOLEN;
		call_netdevice_notifiers(NETDEV_CHANGEADDR, dev);
		set_bond_mac = true;
	}

	err = -ENOMEM;
	slave = bnd_slave_alloc(bond, sdev);
	if (!slave)
		goto err_undo_bond_mac;

	slave->s.original_mtu = sdev->mtu;
	err = dev_set_mtu(sdev, dev->mtu);
	if (err) {
		netdev_err(dev, "(slave %s): cannot take the bond's MTU %u (%d)\n",
			   sdev->name, dev->mtu, err);
		goto err_free;
	}

	bond_hw_addr_copy(slave->s.perm_hwaddr, sdev->dev_addr, sdev->addr_len);
	err = bnd_enslave_mac(bond, sdev, extack);
	if (err) {
		netdev_err(dev, "(slave %s): cannot set its MAC address (%d)\n",
			   sdev->name, err);
		goto err_restore_mtu;
	}

	bnd_compat_addrconf_off(sdev);
	err = dev_open(sdev, extack);
	if (err) {
		netdev_err(dev, "(slave %s): cannot open it (%d)\n", sdev->name, err);
		goto err_restore_mac;
	}
	sdev->priv_flags |= IFF_BONDING;
	dev_get_stats(sdev, &slave->s.slave_stats);

	if (bond->ops->slave_init) {
		err = bond->ops->slave_init(bond, slave);
		if (err)
			goto err_close;
	}

	err = vlan_vids_add_by_dev(sdev, dev);
	if (err) {
		netdev_err(dev, "(slave %s): cannot add the bond's VLANs (%d)\n",
			   sdev->name, err);
		goto err_close;
	}

	bnd_update_speed_duplex(&slave->s);
	slave->s.last_rx = jiffies;
	slave->s.last_tx = jiffies;
	bnd_enslave_link(bond, slave);

	if (bnd_uses_primary(bond) && bond->b.params.primary[0] &&
	    !strcmp(bond->b.params.primary, sdev->name)) {
		rcu_assign_pointer(bond->b.primary_slave, &slave->s);
		bond->b.force_primary = true;
	}

	if (!(dev->features & NETIF_F_LRO))
		dev_disable_lro(sdev);

	err = netdev_rx_handler_register(sdev, bnd_handle_frame, &slave->s);
	if (err)
		goto err_vlans;

	err = bnd_link_upper(bond, slave, extack);
	if (err)
		goto err_rx_handler;

	if (bond->ops->slave_attach)
		bond->ops->slave_attach(bond, slave);
	bond_lower_state_changed(&slave->s);

	err = bnd_sysfs_slave_add(slave);
	if (err)
		goto err_unlink;

	if (!bnd_uses_primary(bond)) {
		err = bnd_slave_sync_filters(bond, sdev);
		if (err)
			goto err_sysfs;
	}

	bond->b.slave_cnt++;
	bnd_compute_features(bond);
	bnd_set_carrier(bond);
	if (bnd_uses_primary(bond))
		bnd_select_active(bond);
	bnd_ns_maddrs_sync(bond, slave);
	bnd_update_slave_arr(bond);

	netdev_info(dev, "(slave %s): enslaved as %s slave with %s link\n",
		    sdev->name, bond_is_active_slave(&slave->s) ? "an active" : "a backup",
		    slave->s.link != BOND_LINK_DOWN ? "an up" : "a down");
	bond_queue_slave_event(&slave->s);
	return 0;

err_sysfs:
	bnd_sysfs_slave_del(slave);
err_unlink:
	if (bond->ops->slave_detach)
		bond->ops->slave_detach(bond, slave);
	bnd_unlink_upper(bond, slave);
err_rx_handler:
	netdev_rx_handler_unregister(sdev);
err_vlans:
	if (rcu_access_pointer(bond->b.primary_slave) == &slave->s)
		RCU_INIT_POINTER(bond->b.primary_slave, NULL);
	if (rcu_access_pointer(bond->b.curr_active_slave) == &slave->s) {
		bnd_change_active(bond, NULL);
		bnd_select_active(bond);
	}
	/* Losing the active role may have joined it to NS groups. */
	bnd_ns_maddrs_drop(slave);
	synchronize_rcu();
	vlan_vids_del_by_dev(sdev, dev);
err_close:
	bnd_slave_clear_bonding(sdev);
	dev_close(sdev);
err_restore_mac:
	bnd_compat_addrconf_on(sdev);
	if (!ether_addr_equal(sdev->dev_addr, slave->s.perm_hwaddr))
		bnd_slave_set_mac(sdev, slave->s.perm_hwaddr, NULL);
err_restore_mtu:
	dev_set_mtu(sdev, slave->s.original_mtu);
err_free:
	kobject_put(&slave->s.kobj);
err_undo_bond_mac:
	if (set_bond_mac && !bond_has_slaves(&bond->b))
		eth_hw_addr_random(dev);
	return err;
}

/* ---- release ---------------------------------------------------------- */

static int __bnd_release(struct bnd_bond *bond, struct net_device *sdev,
			 enum bnd_release_why why)
{
	struct net_device *dev = bond->b.dev;
	unsigned int old_flags = dev->flags;
	struct bnd_slave *slave = bnd_slave_of_dev(sdev);
	struct slave *s;
	bool was_active;

	ASSERT_RTNL();
	if (!slave || slave->s.bond != &bond->b)
		return -EINVAL;
	s = &slave->s;

	bond_set_slave_inactive_flags(s, BOND_SLAVE_NOTIFY_NOW);
	bnd_sysfs_slave_del(slave);

	/* No new frame of this port reaches the bond after this returns. */
	netdev_rx_handler_unregister(sdev);

	bnd_unlink_upper(bond, slave);
	bnd_update_slave_arr(bond);
	was_active = rtnl_dereference(bond->b.curr_active_slave) == s;
	RCU_INIT_POINTER(bond->b.current_arp_slave, NULL);
	if (rtnl_dereference(bond->b.primary_slave) == s)
		RCU_INIT_POINTER(bond->b.primary_slave, NULL);
	if (was_active)
		bnd_change_active(bond, NULL);

	/*
	 * Transmit paths that read the old slave arrays or pointers are done
	 * after this: from here on nothing can hand @s out again, so the mode
	 * may drop what still refers to it.
	 */
	synchronize_rcu();
	/*
	 * The ARP monitor publishes current_arp_slave from its RCU read side,
	 * without RTNL: a probe that found @s in the list before it was
	 * unlinked may have published it after the clear above. The grace
	 * period waited for that probe and no later one can find @s, so
	 * clearing it once more, only if it is still @s, is final.
	 */
	cmpxchg(&bond->b.current_arp_slave, RCU_INITIALIZER(s), NULL);
	if (bond->ops->slave_detach)
		bond->ops->slave_detach(bond, slave);
	if (was_active)
		bnd_select_active(bond);
	bnd_ns_maddrs_drop(slave);

	if (!bond_has_slaves(&bond->b)) {
		eth_hw_addr_random(dev);
		call_netdevice_notifiers(NETDEV_CHANGEADDR, dev);
	} else if (ether_addr_equal(dev->dev_addr, s->perm_hwaddr) &&
		   !bnd_uses_primary(bond)) {
		netdev_warn(dev, "(slave %s): its permanent MAC %pM is still used by the bond; change one of them to avoid conflicts\n",
			    sdev->name, s->perm_hwaddr);
	}
	bnd_set_carrier(bond);
	bond->b.slave_cnt--;
	if (!bond_has_slaves(&bond->b))
		call_netdevice_notifiers(NETDEV_RELEASE, dev);

	bnd_compute_features(bond);
	vlan_vids_del_by_dev(sdev, dev);
	if (!bnd_uses_primary(bond))
		bnd_slave_unsync_filters(bond, sdev, old_flags);

	dev_close(sdev);
	bnd_slave_clear_bonding(sdev);
	bnd_compat_addrconf_on(sdev);
	if (!ether_addr_equal(sdev->dev_addr, s->perm_hwaddr))
		bnd_slave_set_mac(sdev, s->perm_hwaddr, NULL);
	/*
	 * A slave that is being unregistered (or moved to another namespace)
	 * takes its MTU back without notifiers, as upstream does; one that
	 * stays where it is gets it the normal way, so that IPv6 and the
	 * other protocols on it learn it.
	 */
	if (why == BND_RELEASE_SLAVE_GONE)
		__dev_set_mtu(sdev, s->original_mtu);
	else
		dev_set_mtu(sdev, s->original_mtu);

	netdev_info(dev, "(slave %s): released%s\n", sdev->name,
		    why == BND_RELEASE_SLAVE_GONE ? " (device going away)" :
		    why == BND_RELEASE_BOND_GONE ? " (bond going away)" :
		    why == BND_RELEASE_BOND_MOVED ? " (bond moving to another namespace)" : "");
	kobject_put(&s->kobj);
	return 0;
}

int bnd_release(struct bnd_bond *bond, struct net_device *sdev,
		struct netlink_ext_ack *extack)
{
	int err = __bnd_release(bond, sdev, BND_RELEASE_USER);

	if (err) {
		if (extack)
			NL_SET_ERR_MSG(extack, "device is not a slave of this bond");
		netdev_err(bond->b.dev, "(slave %s): cannot release: not a slave of this bond\n",
			   sdev->name);
	}
	return err;
}

/* A slave is going away for good (unregister, or moved to another netns). */
void bnd_release_dying(struct bnd_bond *bond, struct net_device *sdev)
{
	__bnd_release(bond, sdev, BND_RELEASE_SLAVE_GONE);
}

/*
 * Every slave leaves because of the bond: it is being deleted
 * (BND_RELEASE_BOND_GONE: ip link del, its namespace ends, module unload)
 * or moved to another namespace (BND_RELEASE_BOND_MOVED). The slaves stay.
 */
void bnd_release_all(struct bnd_bond *bond, enum bnd_release_why why)
{
	struct list_head *iter;
	struct slave *s;

	bond_for_each_slave(&bond->b, s, iter)
		__bnd_release(bond, s->dev, why);
}
