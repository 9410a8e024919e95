// SPDX-License-Identifier: GPL-2.0
/*
 * balance-alb: tlb's transmit balancing plus receive balancing (RLB) of
 * IPv4 clients through the ARP replies the bond sends them. IPv6 and
 * everything else is received on the active slave, as upstream.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <net/ipv6.h>

#include "lb.h"

static const u8 bnd_mac_v6_allnodes[ETH_ALEN] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };

/* Destination address to balance on, or NULL to use the active slave. */
static const void *bnd_alb_balance_key(struct sk_buff *skb, unsigned int *len)
{
	const struct ethhdr *eth = eth_hdr(skb);
	const struct ipv6hdr *ip6;
	const struct iphdr *iph;

	switch (skb->protocol) {
	case htons(ETH_P_IP):
		if (is_broadcast_ether_addr(eth->h_dest) ||
		    !pskb_network_may_pull(skb, sizeof(*iph)))
			return NULL;
		iph = ip_hdr(skb);
		if (iph->daddr == htonl(INADDR_BROADCAST) || iph->protocol == IPPROTO_IGMP)
			return NULL;
		*len = sizeof(iph->daddr);
		return &iph->daddr;
	case htons(ETH_P_IPV6):
		if (is_broadcast_ether_addr(eth->h_dest) ||
		    ether_addr_equal(eth->h_dest, bnd_mac_v6_allnodes) ||
		    bnd_lb_is_nd(skb))
			return NULL;
		ip6 = ipv6_hdr(skb);
		/* DAD probes must not be balanced: they would see themselves. */
		if (ipv6_addr_any(&ip6->saddr))
			return NULL;
		*len = sizeof(ip6->daddr);
		return &ip6->daddr;
	default:
		return NULL;
	}
}

static netdev_tx_t bnd_alb_xmit(struct bnd_bond *bond, struct sk_buff *skb)
{
	struct bnd_lb *lb = bnd_lb_rcu(bond);
	struct slave *tx_slave = NULL;
	unsigned int len;
	const void *key;

	if (unlikely(!lb))
		return bnd_tx_drop(bond, skb);	/* not open (yet, or any more) */
	if (skb->protocol == htons(ETH_P_ARP))
		return bnd_lb_xmit(bond, lb, skb, bnd_rlb_arp_xmit(bond, lb->rlb, skb));

	key = bnd_alb_balance_key(skb, &len);
	if (key) {
		if (bond->b.params.tlb_dynamic_lb)
			tx_slave = bnd_tlb_choose(bond, lb, jhash(key, len, 0), skb->len);
		else
			tx_slave = bnd_lb_hash_slave(bond, skb);
	}
	return bnd_lb_xmit(bond, lb, skb, tx_slave);
}

static int bnd_alb_open(struct bnd_bond *bond)
{
	return bnd_lb_open(bond, true);
}

static void bnd_alb_proc_show(struct seq_file *m, struct bnd_bond *bond)
{
	bnd_rlb_proc_show(m, bond);
}

const struct bnd_mode_ops bnd_mode_alb = {
	.xmit		 = bnd_alb_xmit,
	.recv_probe	 = bnd_rlb_recv,
	.open		 = bnd_alb_open,
	BND_LB_SLAVE_OPS,
	.vlan_removed	 = bnd_rlb_vlan_removed,
	.proc_show	 = bnd_alb_proc_show,
	.proc_show_slave = bnd_rlb_proc_show_slave,
	.flags		 = BND_MODE_F_OWN_SLAVE_MAC | BND_MODE_F_RX_INACTIVE_UNICAST |
			   BND_MODE_F_RX_HOST_DADDR,
};
