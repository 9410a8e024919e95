// SPDX-License-Identifier: GPL-2.0
/*
 * IPv6 neighbour-solicitation link monitoring (ns_ip6_target): the IPv6
 * half of the ARP monitor (arpmon.c), under the same arp_interval,
 * arp_validate, arp_all_targets and arp_missed_max.
 *
 * Each round the slaves that send ARP probes also send one Neighbour
 * Solicitation per NS target, to the target's solicited-node group,
 * through the VLANs the route to the target takes, from the source
 * address the stack would pick for it (unspecified if there is none yet).
 * The bond's receive hook credits a slave for NS and NA exchanged between
 * a target and one of our addresses, by the same trust rules as ARP; each
 * target has its own last-heard stamp per slave, for arp_all_targets.
 *
 * With arp_validate set, the backups of an active-backup bond join the
 * solicited-node groups of the targets, so that they hear the active
 * slave's solicitations even on NICs that filter multicast.
 *
 * Locking: the target list and the groups change under RTNL; the receive
 * hook reads the list and writes the per-target stamps under RCU, without
 * locks, as it does for ARP targets.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/addrconf.h>
#include <net/if_inet6.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ndisc.h>

#include "bond.h"

#if IS_ENABLED(CONFIG_IPV6)

/* Length of a Source Link-Layer Address option carrying an Ethernet MAC. */
#define BND_NS_SLLAO_LEN	8

/* Slot of @addr in @targets, or -1. */
static int bnd_ns_target_slot(const struct in6_addr *targets, const struct in6_addr *addr)
{
	int i;

	for (i = 0; i < BOND_MAX_NS_TARGETS && !ipv6_addr_any(&targets[i]); i++)
		if (ipv6_addr_equal(&targets[i], addr))
			return i;
	return -1;
}

/* ---- probes ----------------------------------------------------------- */

/*
 * Build and send, from slave @s, the solicitation for @target from
 * @saddr: Ethernet, IPv6 (hop limit 255, as ND requires), ICMPv6 NS with
 * our MAC as source link-layer address unless @saddr is unspecified.
 */
static void bnd_ns_send(struct slave *s, const struct in6_addr *target,
			const struct in6_addr *saddr, const struct bnd_vlan_path *path)
{
	bool sllao = !ipv6_addr_any(saddr);
	unsigned int len = sizeof(struct nd_msg) + (sllao ? BND_NS_SLLAO_LEN : 0);
	struct net_device *dev = s->dev;
	struct in6_addr daddr;
	u8 dmac[ETH_ALEN];
	struct ipv6hdr *ip6;
	struct sk_buff *skb;
	struct nd_msg *ns;

	addrconf_addr_solict_mult(target, &daddr);
	ipv6_eth_mc_map(&daddr, dmac);

	skb = alloc_skb(LL_RESERVED_SPACE(dev) + sizeof(*ip6) + len + dev->needed_tailroom,
			GFP_ATOMIC);
	if (!skb)
		goto nomem;
	skb_reserve(skb, LL_RESERVED_SPACE(dev));
	skb->dev = dev;
	skb->protocol = htons(ETH_P_IPV6);

	skb_reset_network_header(skb);
	ip6 = skb_put(skb, sizeof(*ip6));
	ip6_flow_hdr(ip6, 0, 0);
	ip6->payload_len = htons(len);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = 255;
	ip6->saddr = *saddr;
	ip6->daddr = daddr;

	skb_set_transport_header(skb, skb->len);
	ns = skb_put_zero(skb, len);
	ns->icmph.icmp6_type = NDISC_NEIGHBOUR_SOLICITATION;
	ns->target = *target;
	if (sllao) {
		ns->opt[0] = ND_OPT_SOURCE_LL_ADDR;
		ns->opt[1] = BND_NS_SLLAO_LEN / 8;
		memcpy(&ns->opt[2], dev->dev_addr, ETH_ALEN);
	}
	ns->icmph.icmp6_cksum = csum_ipv6_magic(saddr, &daddr, len, IPPROTO_ICMPV6,
						csum_partial(ns, len, 0));

	if (dev_hard_header(skb, dev, ETH_P_IPV6, dmac, dev->dev_addr, skb->len) < 0) {
		kfree_skb(skb);
		goto nomem;
	}
	skb_reset_mac_header(skb);
	skb = bnd_vlan_tag(skb, path);
	if (!skb)
		goto nomem;
	slave_update_last_tx(s);
	dev_queue_xmit(skb);
	return;
nomem:
	net_err_ratelimited("%s: cannot build an NS probe\n", s->bond->dev->name);
}

/*
 * One NS per target from @s (under RCU). A target without a route still
 * gets a solicitation from the unspecified address, to make traffic; one
 * routed through a device that is not the bond or stacked on it gets none.
 */
void bnd_ns_probe(struct bnd_bond *bond, struct slave *s)
{
	const struct in6_addr *targets = bond->b.params.ns_targets;
	struct net *net = dev_net(bond->b.dev);
	struct bnd_vlan_path path;
	struct in6_addr saddr;
	struct dst_entry *dst;
	struct flowi6 fl6;
	int i;

	if (unlikely(!ipv6_mod_enabled()))
		return;
	for (i = 0; i < BOND_MAX_NS_TARGETS && !ipv6_addr_any(&targets[i]); i++) {
		memset(&fl6, 0, sizeof(fl6));
		memset(&path, 0, sizeof(path));
		fl6.daddr = targets[i];
		dst = ip6_route_output(net, NULL, &fl6);
		if (dst->error) {
			dst_release(dst);
			if (bond->b.params.arp_validate)
				net_warn_ratelimited("%s: no route to ns_ip6_target %pI6c and arp_validate is set\n",
						     bond->b.dev->name, &targets[i]);
			bnd_ns_send(s, &targets[i], &in6addr_any, &path);
			continue;
		}
		if (bnd_vlan_path(bond->b.dev, dst->dev, &path)) {
			if (ipv6_dev_get_saddr(net, dst->dev, &targets[i], 0, &saddr))
				saddr = in6addr_any;
			bnd_ns_send(s, &targets[i], &saddr, &path);
		}
		dst_release(dst);
	}
}

/* ---- receive ---------------------------------------------------------- */

static int bnd_has_ip6_walk(struct net_device *upper, struct netdev_nested_priv *priv)
{
	return ipv6_chk_addr(dev_net(upper), priv->data, upper, 0);
}

/* Is @addr an address of the bond or of a device stacked on it? (RCU) */
static bool bnd_has_ip6(struct bnd_bond *bond, const struct in6_addr *addr)
{
	struct netdev_nested_priv priv = { .data = (void *)addr };

	if (ipv6_chk_addr(dev_net(bond->b.dev), addr, bond->b.dev, 0))
		return true;
	return netdev_walk_all_upper_dev_rcu(bond->b.dev, bnd_has_ip6_walk, &priv);
}

/* NS or NA from @src (a target) to @dst (one of our addresses, or all-nodes): @s is alive. */
static void bnd_ns_credit(struct bnd_bond *bond, struct slave *s,
			  const struct in6_addr *src, const struct in6_addr *dst)
{
	int i;

	if (ipv6_addr_any(src))
		return;
	if (!ipv6_addr_equal(dst, &in6addr_linklocal_allnodes) && !bnd_has_ip6(bond, dst))
		return;
	i = bnd_ns_target_slot(bond->b.params.ns_targets, src);
	if (i < 0)
		return;
	bnd_rx_stamp(&s->last_rx);
	bnd_rx_stamp(&bnd_slave_from_s(s)->ns.last_rx[i]);
}

/* IPv6 header, ICMPv6 header and the target address of an NS or NA. */
struct bnd_nd_frame {
	struct ipv6hdr ip6;
	struct icmp6hdr icmp6;
	struct in6_addr target;
} __packed;

/*
 * A frame from one of our addresses towards a target, heard on a backup
 * (a solicitation the active slave sent): credit the target it is about.
 * A solicitation goes to its target's solicited-node group, which several
 * targets may share, so the target is the one the message names.
 */
static void bnd_ns_credit_outgoing(struct bnd_bond *bond, struct slave *s,
				   const struct bnd_nd_frame *f)
{
	const struct in6_addr *to = &f->ip6.daddr;
	struct in6_addr group;

	if (ipv6_addr_is_multicast(to)) {
		if (f->icmp6.icmp6_type != NDISC_NEIGHBOUR_SOLICITATION)
			return;
		addrconf_addr_solict_mult(&f->target, &group);
		if (!ipv6_addr_equal(&group, to))
			return;
		to = &f->target;
	}
	bnd_ns_credit(bond, s, to, &f->ip6.saddr);
}

/*
 * An IPv6 frame on a slave that validates (receive hook, RCU). Only NS
 * and NA directly after the IPv6 header count, trusted as ARP is (see
 * bnd_arp_validate()): from a target on the active slave; on a backup,
 * once the active slave heard from the targets, what the active slave
 * sent to a target (its solicitations reach the backups too); or from a
 * target on any slave while a probing slave sent in the last interval.
 */
int bnd_ns_rcv(const struct sk_buff *skb, struct bnd_bond *bond, struct slave *s)
{
	struct bonding *b = &bond->b;
	struct slave *active, *probing;
	const struct bnd_nd_frame *f;
	struct bnd_nd_frame _f;

	if (skb->pkt_type == PACKET_OTHERHOST || skb->pkt_type == PACKET_LOOPBACK)
		return RX_HANDLER_ANOTHER;
	f = skb_header_pointer(skb, 0, sizeof(_f), &_f);
	if (!f || f->ip6.nexthdr != IPPROTO_ICMPV6 ||
	    (f->icmp6.icmp6_type != NDISC_NEIGHBOUR_SOLICITATION &&
	     f->icmp6.icmp6_type != NDISC_NEIGHBOUR_ADVERTISEMENT))
		return RX_HANDLER_ANOTHER;

	active = rcu_dereference(b->curr_active_slave);
	probing = rcu_dereference(b->current_arp_slave);
	if (bond_is_active_slave(s))
		bnd_ns_credit(bond, s, &f->ip6.saddr, &f->ip6.daddr);
	else if (active && time_after(bnd_slave_last_rx(b, active), active->last_link_up))
		bnd_ns_credit_outgoing(bond, s, f);
	else if (probing && bnd_arp_recent(bond, slave_last_tx(probing), 1))
		bnd_ns_credit(bond, s, &f->ip6.saddr, &f->ip6.daddr);
	return RX_HANDLER_ANOTHER;
}

/* ---- target list ------------------------------------------------------ */

/*
 * bnd_ns_targets_commit - make @targets the bond's NS target list (RTNL)
 *
 * As bnd_arp_targets_commit(): per-target stamps follow their targets, new
 * targets start as just heard. Then the backups' groups follow the list.
 */
void bnd_ns_targets_commit(struct bnd_bond *bond, const struct in6_addr *targets)
{
	struct in6_addr *cur = bond->b.params.ns_targets;
	unsigned long stamp[BOND_MAX_NS_TARGETS];
	struct bnd_slave *slave;
	struct list_head *iter;
	int i, j;

	ASSERT_RTNL();
	bnd_for_each_slave(bond, slave, iter) {
		for (i = 0; i < BOND_MAX_NS_TARGETS; i++) {
			stamp[i] = 0;
			if (ipv6_addr_any(&targets[i]))
				continue;
			j = bnd_ns_target_slot(cur, &targets[i]);
			stamp[i] = j < 0 ? jiffies : READ_ONCE(slave->ns.last_rx[j]);
		}
		for (i = 0; i < BOND_MAX_NS_TARGETS; i++)
			WRITE_ONCE(slave->ns.last_rx[i], stamp[i]);
	}
	/*
	 * Word by word under the receive hook: it may briefly see a mix of
	 * old and new, as it may for ARP targets; at worst one frame is
	 * credited to a slot that is being replaced.
	 */
	memcpy(cur, targets, sizeof(bond->b.params.ns_targets));
	bnd_ns_maddrs_sync_all(bond);
}

/* ---- solicited-node groups of backups ---------------------------------- */

/*
 * bnd_ns_maddrs_sync - join exactly the groups @slave should be in (RTNL)
 *
 * Those of every NS target while the mode wants them (active-backup), the
 * slave is not the active one, arp_validate is set and the device filters
 * multicast; none otherwise. Groups are added and removed one per target,
 * so two targets sharing a group (same low 24 bits) keep it refcounted.
 */
void bnd_ns_maddrs_sync(struct bnd_bond *bond, struct bnd_slave *slave)
{
	const struct in6_addr *targets = bond->b.params.ns_targets;
	struct net_device *dev = slave->s.dev;
	struct bnd_slave_ns *ns = &slave->ns;
	u8 want[BOND_MAX_NS_TARGETS][ETH_ALEN];
	u8 held[BOND_MAX_NS_TARGETS][ETH_ALEN];
	bool taken[BOND_MAX_NS_TARGETS] = {};
	struct in6_addr group;
	int n = 0, h = 0, i, j;

	ASSERT_RTNL();
	if ((bond->ops->flags & BND_MODE_F_NS_BACKUP_MCAST) && bond->b.params.arp_validate &&
	    (dev->flags & IFF_MULTICAST) &&
	    rtnl_dereference(bond->b.curr_active_slave) != &slave->s) {
		for (; n < BOND_MAX_NS_TARGETS && !ipv6_addr_any(&targets[n]); n++) {
			addrconf_addr_solict_mult(&targets[n], &group);
			ipv6_eth_mc_map(&group, want[n]);
		}
	}

	/* Keep what is held and still wanted, leave the rest, join the new. */
	for (i = 0; i < ns->maddr_cnt; i++) {
		for (j = 0; j < n; j++)
			if (!taken[j] && ether_addr_equal(ns->maddr[i], want[j]))
				break;
		if (j < n) {
			taken[j] = true;
			ether_addr_copy(held[h++], want[j]);
		} else {
			dev_mc_del(dev, ns->maddr[i]);
		}
	}
	for (j = 0; j < n; j++) {
		if (taken[j])
			continue;
		if (dev_mc_add(dev, want[j])) {
			/* Not held: the next sync tries again. */
			netdev_warn(bond->b.dev, "(slave %s): cannot join group %pM of ns_ip6_target %pI6c\n",
				    dev->name, want[j], &targets[j]);
			continue;
		}
		ether_addr_copy(held[h++], want[j]);
	}
	memcpy(ns->maddr, held, sizeof(held[0]) * h);
	ns->maddr_cnt = h;
}

void bnd_ns_maddrs_sync_all(struct bnd_bond *bond)
{
	struct bnd_slave *slave;
	struct list_head *iter;

	bnd_for_each_slave(bond, slave, iter)
		bnd_ns_maddrs_sync(bond, slave);
}

/* @slave leaves its bond: leave every group joined for it (RTNL). */
void bnd_ns_maddrs_drop(struct bnd_slave *slave)
{
	int i;

	ASSERT_RTNL();
	for (i = 0; i < slave->ns.maddr_cnt; i++)
		dev_mc_del(slave->s.dev, slave->ns.maddr[i]);
	slave->ns.maddr_cnt = 0;
}

#endif /* CONFIG_IPV6 */
