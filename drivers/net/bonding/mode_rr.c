// SPDX-License-Identifier: GPL-2.0
/*
 * balance-rr: each frame leaves on the next usable slave. packets_per_slave
 * sends N frames per slave before moving on (0 = a random slave per frame).
 * The counter is per CPU, so ordering is strict per CPU, as upstream.
 */
#include <linux/ip.h>
#include <linux/random.h>

#include "bond.h"

static u32 bnd_rr_next(struct bnd_bond *bond)
{
	u32 pps = READ_ONCE(bond->b.params.packets_per_slave);
	u32 n;

	if (pps == 0)
		return get_random_u32();
	n = this_cpu_inc_return(*bond->b.rr_tx_counter);
	if (pps == 1)
		return n;
	return reciprocal_divide(n, bond->b.params.reciprocal_packets_per_slave);
}

/* IGMP reports stay on one slave so switches see a stable member port. */
static bool bnd_rr_is_igmp(struct sk_buff *skb)
{
	int off = skb_network_offset(skb);

	if (skb->protocol != htons(ETH_P_IP) ||
	    !pskb_may_pull(skb, off + sizeof(struct iphdr)))
		return false;
	return ip_hdr(skb)->protocol == IPPROTO_IGMP;
}

static netdev_tx_t bnd_rr_xmit(struct bnd_bond *bond, struct sk_buff *skb)
{
	struct bond_up_slave *usable = rcu_dereference(bond->b.usable_slaves);
	struct slave *s;

	if (unlikely(!usable || !usable->count))
		return bnd_tx_drop(bond, skb);

	if (unlikely(bnd_rr_is_igmp(skb))) {
		s = rcu_dereference(bond->b.curr_active_slave);
		if (!s || !bond_slave_can_tx(s))
			s = usable->arr[0];
	} else {
		s = usable->arr[bnd_rr_next(bond) % usable->count];
	}
	return bnd_xmit_slave(bond, skb, s);
}

const struct bnd_mode_ops bnd_mode_rr = {
	.xmit		= bnd_rr_xmit,
	.slave_attach	= bnd_trunk_slave_attach,
	.link_change	= bnd_trunk_link_change,
	.arp_monitor	= bnd_arpmon_lb,
};
