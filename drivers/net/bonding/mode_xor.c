// SPDX-License-Identifier: GPL-2.0
/*
 * balance-xor: a flow hash (xmit_hash_policy) picks the slave, so a flow
 * always leaves on the same slave while the set of usable slaves holds.
 */
#include "bond.h"

static netdev_tx_t bnd_xor_xmit(struct bnd_bond *bond, struct sk_buff *skb)
{
	struct bond_up_slave *usable = rcu_dereference(bond->b.usable_slaves);

	if (unlikely(!usable || !usable->count))
		return bnd_tx_drop(bond, skb);
	return bnd_xmit_slave(bond, skb,
			      usable->arr[bnd_xmit_hash(bond, skb) % usable->count]);
}

const struct bnd_mode_ops bnd_mode_xor = {
	.xmit		= bnd_xor_xmit,
	.slave_attach	= bnd_trunk_slave_attach,
	.link_change	= bnd_trunk_link_change,
	.arp_monitor	= bnd_arpmon_lb,
};
