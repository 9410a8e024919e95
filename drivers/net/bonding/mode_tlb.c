// SPDX-License-Identifier: GPL-2.0
/*
 * balance-tlb, and the machinery balance-alb shares with it.
 *
 * Transmit: destinations hash into 256 buckets; an unassigned bucket goes
 * to the usable slave with the most spare capacity (speed minus load).
 * Buckets are assigned locklessly (cmpxchg) and their bytes counted per
 * CPU; every 10 s the monitor turns bytes into load and lets buckets be
 * reassigned. With tlb_dynamic_lb=0 the xmit_hash_policy picks the slave.
 *
 * Receive: on the active slave only, which wears the bond's MAC. The other
 * slaves keep MACs of their own, and frames they send carry those.
 */
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/ipv6.h>
#include <linux/math64.h>
#include <linux/rtnetlink.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <net/pkt_sched.h>

#include "lb.h"

/* ---- transmit buckets ------------------------------------------------- */

/* Spare capacity in bits/s: link speed minus assigned load. */
static s64 bnd_tlb_gap(struct slave *s)
{
	u64 speed = s->speed == SPEED_UNKNOWN ? 0 : (u64)s->speed << 20;

	return (s64)speed - (s64)(atomic64_read(&bnd_slave_from_s(s)->lb.tlb_load) << 3);
}

static struct slave *bnd_tlb_least_loaded(struct bnd_bond *bond)
{
	struct bond_up_slave *usable = rcu_dereference(bond->b.usable_slaves);
	struct slave *best = NULL;
	s64 best_gap = S64_MIN, gap;
	unsigned int i;

	for (i = 0; usable && i < usable->count; i++) {
		gap = bnd_tlb_gap(usable->arr[i]);
		if (gap > best_gap) {
			best_gap = gap;
			best = usable->arr[i];
		}
	}
	return best;
}

/* The slave of @hash's bucket, assigning one if the bucket has none. */
struct slave *bnd_tlb_choose(struct bnd_bond *bond, struct bnd_lb *lb, u32 hash,
			     unsigned int len)
{
	unsigned int idx = hash % BND_TLB_BUCKETS;
	struct bnd_tlb_bucket *bucket = &lb->bucket[idx];
	struct slave *s, *pick, *old;

	s = rcu_dereference(bucket->slave);
	if (unlikely(!s || !bond_slave_can_tx(s))) {
		pick = bnd_tlb_least_loaded(bond);
		if (!pick)
			return NULL;
		old = unrcu_pointer(cmpxchg(&bucket->slave, RCU_INITIALIZER(s),
					    RCU_INITIALIZER(pick)));
		if (old != s)
			return old;	/* another CPU assigned it first */
		atomic64_add(READ_ONCE(bucket->load) + 1,
			     &bnd_slave_from_s(pick)->lb.tlb_load);
		s = pick;
	}
	this_cpu_add(lb->pcpu->bytes[idx], len);
	return s;
}

/* Forget every bucket assignment to @s (it left or lost its link). */
static void bnd_tlb_clear_slave(struct bnd_lb *lb, struct slave *s)
{
	int i;

	for (i = 0; i < BND_TLB_BUCKETS; i++)
		if (rcu_access_pointer(lb->bucket[i].slave) == s)
			RCU_INIT_POINTER(lb->bucket[i].slave, NULL);
	atomic64_set(&bnd_slave_from_s(s)->lb.tlb_load, 0);
}

/*
 * Turn the bytes of the last period into load, then let every bucket be
 * assigned afresh by its first frame. Per-CPU counters only grow; the
 * monitor keeps its own snapshot, so senders never race with a reset.
 */
static void bnd_tlb_rebalance(struct bnd_bond *bond, struct bnd_lb *lb,
			      unsigned int secs)
{
	u64 *total = lb->scratch;
	struct slave *active, *s;
	struct list_head *iter;
	int cpu, i;

	memset(lb->scratch, 0, sizeof(lb->scratch));
	for_each_possible_cpu(cpu) {
		struct bnd_tlb_pcpu *p = per_cpu_ptr(lb->pcpu, cpu);

		for (i = 0; i < BND_TLB_BUCKETS; i++)
			total[i] += READ_ONCE(p->bytes[i]);
		total[BND_TLB_BUCKETS] += READ_ONCE(p->unbalanced);
	}

	bond_for_each_slave_rcu(&bond->b, s, iter)
		atomic64_set(&bnd_slave_from_s(s)->lb.tlb_load, 0);
	for (i = 0; i < BND_TLB_BUCKETS; i++) {
		WRITE_ONCE(lb->bucket[i].load, div_u64(total[i] - lb->snap[i], secs));
		lb->snap[i] = total[i];
		RCU_INIT_POINTER(lb->bucket[i].slave, NULL);
	}
	/* Frames we could not hash still load the active slave. */
	active = rcu_dereference(bond->b.curr_active_slave);
	if (active)
		atomic64_set(&bnd_slave_from_s(active)->lb.tlb_load,
			     div_u64(total[BND_TLB_BUCKETS] - lb->snap[BND_TLB_BUCKETS], secs));
	lb->snap[BND_TLB_BUCKETS] = total[BND_TLB_BUCKETS];
}

/* ---- transmit --------------------------------------------------------- */

/* Neighbour discovery stays on the active slave. */
bool bnd_lb_is_nd(struct sk_buff *skb)
{
	const struct icmp6hdr *icmp;

	if (!pskb_network_may_pull(skb, sizeof(struct ipv6hdr)))
		return true;
	if (ipv6_hdr(skb)->nexthdr != IPPROTO_ICMPV6)
		return false;
	if (!pskb_network_may_pull(skb, sizeof(struct ipv6hdr) + sizeof(*icmp)))
		return true;
	icmp = (const struct icmp6hdr *)(skb_network_header(skb) + sizeof(struct ipv6hdr));
	return icmp->icmp6_type == NDISC_NEIGHBOUR_SOLICITATION ||
	       icmp->icmp6_type == NDISC_NEIGHBOUR_ADVERTISEMENT;
}

/* tlb_dynamic_lb=0: the transmit hash policy picks among usable slaves. */
struct slave *bnd_lb_hash_slave(struct bnd_bond *bond, struct sk_buff *skb)
{
	struct bond_up_slave *usable = rcu_dereference(bond->b.usable_slaves);

	if (!usable || !usable->count)
		return NULL;
	return usable->arr[bnd_xmit_hash(bond, skb) % usable->count];
}

/*
 * Send on @tx_slave, or on the active slave if none was chosen. A frame
 * leaving on another slave carries that slave's MAC as its source.
 */
netdev_tx_t bnd_lb_xmit(struct bnd_bond *bond, struct bnd_lb *lb, struct sk_buff *skb,
			struct slave *tx_slave)
{
	struct slave *active = rcu_dereference(bond->b.curr_active_slave);

	if (!tx_slave) {
		tx_slave = active;
		if (bond->b.params.tlb_dynamic_lb)
			this_cpu_add(lb->pcpu->unbalanced, skb->len);
	}
	if (!tx_slave || !bond_slave_can_tx(tx_slave))
		return bnd_tx_drop(bond, skb);
	if (tx_slave != active) {
		if (unlikely(skb_cow_head(skb, 0)))
			return bnd_tx_drop(bond, skb);
		ether_addr_copy(eth_hdr(skb)->h_source, tx_slave->dev->dev_addr);
	}
	return bnd_xmit_slave(bond, skb, tx_slave);
}

static netdev_tx_t bnd_tlb_xmit(struct bnd_bond *bond, struct sk_buff *skb)
{
	struct bnd_lb *lb = bnd_lb_rcu(bond);
	struct slave *tx_slave = NULL;

	if (unlikely(!lb))
		return bnd_tx_drop(bond, skb);	/* not open (yet, or any more) */
	if (is_multicast_ether_addr(eth_hdr(skb)->h_dest))
		return bnd_lb_xmit(bond, lb, skb, NULL);

	switch (skb->protocol) {
	case htons(ETH_P_IPV6):
		if (bnd_lb_is_nd(skb))
			break;
		fallthrough;
	case htons(ETH_P_IP):
		if (bond->b.params.tlb_dynamic_lb)
			tx_slave = bnd_tlb_choose(bond, lb, bnd_xmit_hash(bond, skb),
						  skb->len);
		else
			tx_slave = bnd_lb_hash_slave(bond, skb);
		break;
	default:
		break;
	}
	return bnd_lb_xmit(bond, lb, skb, tx_slave);
}

/* ---- learning packets ------------------------------------------------- */

/*
 * A frame from @mac to @mac on @s teaches the switch behind @s where @mac
 * lives (and, tagged, on which VLAN).
 */
static void bnd_lb_send_lp(struct slave *s, const u8 *mac, __be16 proto, u16 vid)
{
	struct ethhdr *eth;
	struct sk_buff *skb;

	skb = dev_alloc_skb(ETH_ZLEN);
	if (!skb)
		return;
	eth = skb_put_zero(skb, ETH_ZLEN);
	ether_addr_copy(eth->h_dest, mac);
	ether_addr_copy(eth->h_source, mac);
	eth->h_proto = htons(ETH_P_LOOPBACK);
	skb_reset_mac_header(skb);
	skb_set_network_header(skb, ETH_HLEN);
	skb->protocol = eth->h_proto;
	skb->priority = TC_PRIO_CONTROL;
	skb->dev = s->dev;
	if (vid)
		__vlan_hwaccel_put_tag(skb, proto, vid);
	dev_queue_xmit(skb);
}

struct bnd_lp_walk {
	struct bnd_bond *bond;
	struct slave *s;
	const u8 *mac;
};

static int bnd_lb_lp_vlan(struct net_device *upper, struct netdev_nested_priv *priv)
{
	struct bnd_lp_walk *w = priv->data;

	if (is_vlan_dev(upper) && vlan_dev_real_dev(upper) == w->bond->b.dev)
		bnd_lb_send_lp(w->s, upper->addr_assign_type == NET_ADDR_STOLEN ?
			       w->mac : upper->dev_addr,
			       vlan_dev_vlan_proto(upper), vlan_dev_vlan_id(upper));
	return 0;
}

/* Learning packets for @mac on @s: untagged and on each VLAN above the bond. */
void bnd_lb_send_learning(struct bnd_bond *bond, struct slave *s, const u8 *mac,
			  bool strict)
{
	struct bnd_lp_walk w = { .bond = bond, .s = s, .mac = mac };
	struct netdev_nested_priv priv = { .data = &w };

	bnd_lb_send_lp(s, mac, 0, 0);
	rcu_read_lock();
	netdev_walk_all_upper_dev_rcu(bond->b.dev, bnd_lb_lp_vlan, &priv);
	rcu_read_unlock();
}

/* ---- the monitor ------------------------------------------------------ */

static void bnd_lb_work(struct work_struct *work)
{
	struct bonding *b = container_of(work, struct bonding, alb_work.work);
	struct bnd_bond *bond = bnd_from_b(b);
	struct bnd_lb *lb = bnd_lb(bond);
	struct list_head *iter;
	struct slave *s;

	if (!bond_has_slaves(b)) {
		lb->ticks = 0;
		lb->lp_ticks = 0;
		goto rearm;
	}

	rcu_read_lock();
	if (++lb->lp_ticks >= b->params.lp_interval * BND_LB_TICKS_PER_SEC) {
		bond_for_each_slave_rcu(b, s, iter)
			bnd_lb_send_learning(bond, s, s->dev->dev_addr, true);
		lb->lp_ticks = 0;
	}
	if (++lb->ticks >= BND_TLB_REBALANCE_SEC * BND_LB_TICKS_PER_SEC ||
	    READ_ONCE(lb->rebalance_tx)) {
		bnd_tlb_rebalance(bond, lb, max(1U, lb->ticks / BND_LB_TICKS_PER_SEC));
		lb->ticks = 0;
		WRITE_ONCE(lb->rebalance_tx, false);
	}
	rcu_read_unlock();

	if (lb->rlb)
		bnd_rlb_tick(bond);
rearm:
	queue_delayed_work(b->wq, &b->alb_work, HZ / BND_LB_TICKS_PER_SEC);
}

/* ---- MACs: each slave its own, the active one the bond's -------------- */

static void bnd_lb_set_slave_mac(struct bnd_bond *bond, struct slave *s, const u8 *mac)
{
	int err = bnd_slave_set_mac(s->dev, mac, NULL);

	if (err)
		netdev_err(bond->b.dev, "(slave %s): cannot set MAC %pM (%d); tlb/alb need slaves that change MAC while up\n",
			   s->dev->name, mac, err);
}

static struct slave *bnd_lb_mac_user(struct bnd_bond *bond, const u8 *mac,
				     struct slave *skip)
{
	struct list_head *iter;
	struct slave *s;

	bond_for_each_slave(&bond->b, s, iter)
		if (s != skip && ether_addr_equal(s->dev->dev_addr, mac))
			return s;
	return NULL;
}

/* After a MAC moved: tell the switch, and (alb) the clients received there. */
static void bnd_lb_mac_moved(struct bnd_bond *bond, struct slave *s)
{
	struct bnd_lb *lb = bnd_lb(bond);

	if (bond_slave_can_tx(s))
		bnd_lb_send_learning(bond, s, s->dev->dev_addr, false);
	if (lb && lb->rlb)
		bnd_rlb_slave_mac_changed(bond, bnd_slave_from_s(s));
}

static void bnd_lb_swap_mac(struct bnd_bond *bond, struct slave *a, struct slave *b)
{
	u8 tmp[ETH_ALEN];

	ether_addr_copy(tmp, a->dev->dev_addr);
	bnd_lb_set_slave_mac(bond, a, b->dev->dev_addr);
	bnd_lb_set_slave_mac(bond, b, tmp);
	bnd_lb_mac_moved(bond, a);
	bnd_lb_mac_moved(bond, b);
}

/*
 * A new slave keeps its own MAC unless another slave or the bond already
 * uses it; then it gets a permanent MAC of the bond that nobody wears.
 */
int bnd_lb_slave_init(struct bnd_bond *bond, struct bnd_slave *slave)
{
	struct net_device *sdev = slave->s.dev;
	struct list_head *iter;
	u8 mac[ETH_ALEN];
	struct slave *s;

	atomic64_set(&slave->lb.tlb_load, 0);
	if (!bond_has_slaves(&bond->b))
		return 0;
	if (!ether_addr_equal(sdev->dev_addr, bond->b.dev->dev_addr) &&
	    !bnd_lb_mac_user(bond, sdev->dev_addr, NULL))
		return 0;

	eth_random_addr(mac);
	bond_for_each_slave(&bond->b, s, iter) {
		if (!bnd_lb_mac_user(bond, s->perm_hwaddr, NULL) &&
		    !ether_addr_equal(s->perm_hwaddr, bond->b.dev->dev_addr)) {
			ether_addr_copy(mac, s->perm_hwaddr);
			break;
		}
	}
	netdev_warn(bond->b.dev, "(slave %s): its MAC is in use in the bond; using %pM\n",
		    sdev->name, mac);
	return bnd_slave_set_mac(sdev, mac, NULL);
}

/* New slaves transmit at once but receive only once they are active. */
void bnd_lb_slave_attach(struct bnd_bond *bond, struct bnd_slave *slave)
{
	struct bnd_lb *lb = bnd_lb(bond);

	bond_set_active_slave(&slave->s);
	bond_set_slave_inactive_flags(&slave->s, BOND_SLAVE_NOTIFY_NOW);
	if (lb) {
		WRITE_ONCE(lb->rebalance_tx, true);
		if (lb->rlb)
			bnd_rlb_request_rebalance(bond);
	}
}

/*
 * The slave has left the bond and no transmit path can pick it any more
 * (called after a grace period). Drop its assignments, and give back a
 * permanent MAC of it that another slave may wear.
 */
void bnd_lb_slave_detach(struct bnd_bond *bond, struct bnd_slave *slave)
{
	struct bnd_lb *lb = bnd_lb(bond);
	struct slave *s = &slave->s, *user;

	if (lb) {
		bnd_tlb_clear_slave(lb, s);
		if (lb->rlb)
			bnd_rlb_slave_gone(bond, slave);
	}
	if (!bond_has_slaves(&bond->b) ||
	    ether_addr_equal(s->perm_hwaddr, s->dev->dev_addr) ||
	    ether_addr_equal(s->perm_hwaddr, bond->b.dev->dev_addr))
		return;
	user = bnd_lb_mac_user(bond, s->perm_hwaddr, s);
	if (user)
		bnd_lb_swap_mac(bond, s, user);
}

void bnd_lb_link_change(struct bnd_bond *bond, struct bnd_slave *slave, int link)
{
	struct bnd_lb *lb = bnd_lb(bond);

	if (link == BOND_LINK_UP)
		bond_set_active_slave(&slave->s);
	if (!lb)
		return;
	if (link == BOND_LINK_DOWN) {
		bnd_tlb_clear_slave(lb, &slave->s);
		if (lb->rlb)
			bnd_rlb_slave_gone(bond, slave);
	} else if (link == BOND_LINK_UP) {
		WRITE_ONCE(lb->rebalance_tx, true);
		if (lb->rlb)
			bnd_rlb_request_rebalance(bond);
	}
}

/* The new active slave takes the bond's MAC from whoever wore it. */
void bnd_lb_active_change(struct bnd_bond *bond, struct bnd_slave *new_active,
			  struct bnd_slave *old_active)
{
	struct bnd_lb *lb = bnd_lb(bond);
	struct slave *new, *swap;

	if (lb && lb->rlb)
		bnd_rlb_promisc_drop(bond);
	if (old_active)
		bond_set_slave_inactive_flags(&old_active->s, BOND_SLAVE_NOTIFY_NOW);
	if (!new_active)
		return;
	new = &new_active->s;
	bond_set_slave_active_flags(new, BOND_SLAVE_NOTIFY_NOW);

	swap = old_active ? &old_active->s :
			    bnd_lb_mac_user(bond, bond->b.dev->dev_addr, new);
	if (swap == new)
		swap = NULL;
	if (lb) {
		if (swap)
			bnd_tlb_clear_slave(lb, swap);
		bnd_tlb_clear_slave(lb, new);
	}
	if (swap && ether_addr_equal(swap->dev->dev_addr, bond->b.dev->dev_addr)) {
		bnd_lb_swap_mac(bond, new, swap);
	} else if (!ether_addr_equal(new->dev->dev_addr, bond->b.dev->dev_addr)) {
		bnd_lb_set_slave_mac(bond, new, bond->b.dev->dev_addr);
		bnd_lb_mac_moved(bond, new);
	}
}

/* The bond's MAC changes: the active slave follows it. */
int bnd_lb_set_mac(struct bnd_bond *bond, const u8 *addr)
{
	struct slave *curr = rtnl_dereference(bond->b.curr_active_slave);
	struct slave *user;

	if (!curr)
		return 0;
	user = bnd_lb_mac_user(bond, addr, curr);
	if (user) {
		bnd_lb_swap_mac(bond, curr, user);
	} else {
		bnd_lb_set_slave_mac(bond, curr, addr);
		bnd_lb_mac_moved(bond, curr);
	}
	return 0;
}

/* ---- open / close ----------------------------------------------------- */

int bnd_lb_open(struct bnd_bond *bond, bool with_rlb)
{
	struct list_head *iter;
	struct bnd_lb *lb;
	struct slave *s;

	lb = kzalloc(sizeof(*lb), GFP_KERNEL);
	if (!lb)
		return -ENOMEM;
	lb->bond = bond;
	lb->pcpu = alloc_percpu(struct bnd_tlb_pcpu);
	if (!lb->pcpu)
		goto err;
	if (with_rlb) {
		lb->rlb = bnd_rlb_create(bond);
		if (!lb->rlb)
			goto err;
	}
	bond_for_each_slave(&bond->b, s, iter)
		atomic64_set(&bnd_slave_from_s(s)->lb.tlb_load, 0);

	/* Complete now: transmit may find it from here on (see lb.h). */
	spin_lock_bh(&bond->b.mode_lock);
	rcu_assign_pointer(bond->mode_priv, lb);
	spin_unlock_bh(&bond->b.mode_lock);

	INIT_DELAYED_WORK(&bond->b.alb_work, bnd_lb_work);
	queue_delayed_work(bond->b.wq, &bond->b.alb_work, 0);
	return 0;
err:
	free_percpu(lb->pcpu);
	kfree(lb);
	return -ENOMEM;
}

/*
 * Called after the receive hook was withdrawn and its readers are gone.
 * Transmit may still be on its way in (see lb.h): the grace period between
 * withdrawing mode_priv and freeing it is ours, the one in dev_deactivate()
 * and bnd_stop() came before.
 */
void bnd_lb_close(struct bnd_bond *bond)
{
	struct bnd_lb *lb = bnd_lb(bond);

	cancel_delayed_work_sync(&bond->b.alb_work);
	spin_lock_bh(&bond->b.mode_lock);
	RCU_INIT_POINTER(bond->mode_priv, NULL);
	spin_unlock_bh(&bond->b.mode_lock);
	synchronize_net();
	if (lb->rlb)
		bnd_rlb_destroy(lb->rlb);
	free_percpu(lb->pcpu);
	kfree(lb);
}

static int bnd_tlb_open(struct bnd_bond *bond)
{
	return bnd_lb_open(bond, false);
}

const struct bnd_mode_ops bnd_mode_tlb = {
	.xmit		= bnd_tlb_xmit,
	.open		= bnd_tlb_open,
	BND_LB_SLAVE_OPS,
	.flags		= BND_MODE_F_OWN_SLAVE_MAC,
};
