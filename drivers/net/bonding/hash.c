// SPDX-License-Identifier: GPL-2.0
/*
 * xmit_hash_policy: the flow hash of balance-xor and non-dynamic tlb.
 * The formulas are the documented ones (Documentation/networking/
 * bonding.rst), so a flow maps to the same slave as with the in-tree
 * driver given the same slave count.
 */
#include <linux/if_vlan.h>
#include <net/flow_dissector.h>

#include "bond.h"

/* layer2: last bytes of both MACs and the frame type. */
static u32 bnd_hash_l2(struct sk_buff *skb)
{
	const struct ethhdr *eth;

	if (unlikely(!pskb_may_pull(skb, ETH_HLEN)))
		return 0;
	eth = eth_hdr(skb);
	return eth->h_dest[5] ^ eth->h_source[5] ^ be16_to_cpu(eth->h_proto);
}

/* vlan+srcmac: VLAN id and both halves of the source MAC. */
static u32 bnd_hash_vlan_srcmac(struct sk_buff *skb)
{
	const u8 *mac;
	u32 vlan = 0;

	if (unlikely(!pskb_may_pull(skb, ETH_HLEN)))
		return 0;
	mac = eth_hdr(skb)->h_source;
	if (skb_vlan_tag_present(skb))
		vlan = skb_vlan_tag_get_id(skb);
	return vlan ^ ((mac[0] << 16) | (mac[1] << 8) | mac[2]) ^
	       ((mac[3] << 16) | (mac[4] << 8) | mac[5]);
}

static u32 bnd_hash_fold(u32 hash, const struct flow_keys *keys)
{
	hash ^= (__force u32)flow_get_u32_src(keys) ^ (__force u32)flow_get_u32_dst(keys);
	hash ^= hash >> 16;
	hash ^= hash >> 8;
	return hash;
}

u32 bnd_xmit_hash(const struct bnd_bond *bond, struct sk_buff *skb)
{
	int policy = READ_ONCE(bond->b.params.xmit_policy);
	bool encap = policy == BOND_XMIT_POLICY_ENCAP23 ||
		     policy == BOND_XMIT_POLICY_ENCAP34;
	struct flow_keys keys;
	u32 hash;

	if (policy == BOND_XMIT_POLICY_LAYER2)
		return bnd_hash_l2(skb);
	if (policy == BOND_XMIT_POLICY_VLAN_SRCMAC)
		return bnd_hash_vlan_srcmac(skb);
	if (policy == BOND_XMIT_POLICY_ENCAP34 && skb->l4_hash)
		return skb->hash;

	/* layer2+3 and layer3+4 look at the outer headers only. */
	if (!skb_flow_dissect_flow_keys(skb, &keys,
					encap ? 0 : FLOW_DISSECTOR_F_STOP_AT_ENCAP) ||
	    (keys.control.addr_type != FLOW_DISSECTOR_KEY_IPV4_ADDRS &&
	     keys.control.addr_type != FLOW_DISSECTOR_KEY_IPV6_ADDRS))
		return bnd_hash_l2(skb);

	if (policy == BOND_XMIT_POLICY_LAYER23 || policy == BOND_XMIT_POLICY_ENCAP23)
		return bnd_hash_fold(bnd_hash_l2(skb), &keys);

	/* layer3+4: ports (or the ICMP id), then the addresses. */
	if (keys.icmp.id)
		hash = keys.icmp.id;
	else
		hash = (__force u32)keys.ports.ports;
	return bnd_hash_fold(hash, &keys) >> 1;
}
