// SPDX-License-Identifier: GPL-2.0
/* broadcast: every frame leaves on every usable slave. */
#include "bond.h"

static netdev_tx_t bnd_bcast_xmit(struct bnd_bond *bond, struct sk_buff *skb)
{
	struct bond_up_slave *usable = rcu_dereference(bond->b.usable_slaves);
	struct sk_buff *copy;
	unsigned int i, last;

	if (unlikely(!usable || !usable->count))
		return bnd_tx_drop(bond, skb);

	last = usable->count - 1;
	for (i = 0; i < last; i++) {
		copy = skb_clone(skb, GFP_ATOMIC);
		if (unlikely(!copy)) {
			dev_core_stats_tx_dropped_inc(bond->b.dev);
			continue;
		}
		bnd_xmit_slave(bond, copy, usable->arr[i]);
	}
	return bnd_xmit_slave(bond, skb, usable->arr[last]);
}

const struct bnd_mode_ops bnd_mode_bcast = {
	.xmit		= bnd_bcast_xmit,
	.slave_attach	= bnd_trunk_slave_attach,
	.link_change	= bnd_trunk_link_change,
	.arp_monitor	= bnd_arpmon_lb,
};
