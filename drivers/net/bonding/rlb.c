// SPDX-License-Identifier: GPL-2.0
/*
 * Receive load balancing (balance-alb).
 *
 * When the bond answers a client's ARP request, RLB picks the slave that
 * client's traffic should arrive on and answers with that slave's MAC.
 * Clients are moved, and told with ARP replies, when slaves come, go or
 * change their MAC.
 *
 * Unlike upstream's 256 slots indexed by a byte sum of the client IP,
 * every client is kept: a resizable hash table keyed by the (client IP,
 * server IP) pair, lookups under RCU, a per-slave list of its clients,
 * and a cap (rlb_max_clients) with a counter of clients refused.
 *
 * Only frames received on this bond's own slaves get here, through the
 * bond's receive hook (bnd_rlb_recv); the table exists only while that
 * hook may run. Changes are made under the bond's mode_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/inetdevice.h>
#include <linux/moduleparam.h>
#include <linux/rhashtable.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <net/arp.h>
#include <net/route.h>

#include "lb.h"

static unsigned int rlb_max_clients = 65536;
module_param(rlb_max_clients, uint, 0444);
MODULE_PARM_DESC(rlb_max_clients,
		 "balance-alb: most receive-balanced clients per bond (256-1048576, default 65536)");

struct bnd_rlb_key {
	__be32 client_ip;
	__be32 server_ip;
};

/**
 * struct bnd_rlb_client - a peer whose traffic RLB steers
 * @node:	in the bond's client table
 * @key:	client and server (our) IPv4 address
 * @client_mac:	the client's MAC, once known
 * @server_mac:	the MAC we answered from (bond or VLAN above it)
 * @slave:	slave the client should send to, NULL if none is usable
 * @slave_node:	on the slave's list (or the orphan list)
 * @ntt_node:	on the list of clients to tell (when @tries > 0)
 * @tries:	updates still to send
 * @vlan_id:	VLAN the client was seen on
 * @rcu:	freed after readers of the table are done
 */
struct bnd_rlb_client {
	struct rhash_head node;
	struct bnd_rlb_key key;
	u8 client_mac[ETH_ALEN];
	u8 server_mac[ETH_ALEN];
	struct slave *slave;
	struct list_head slave_node;
	struct list_head ntt_node;
	u8 tries;
	u16 vlan_id;
	struct rcu_head rcu;
};

/* A server address clients were told about, and the MAC it lives at. */
struct bnd_rlb_server {
	struct rhash_head node;
	__be32 ip;
	u8 mac[ETH_ALEN];
	u32 clients;
	bool retell;		/* we broadcast an ARP request from it */
	struct rcu_head rcu;
};

struct bnd_rlb {
	struct bnd_bond *bond;
	struct rhashtable clients;
	struct rhashtable servers;
	struct list_head orphans;	/* clients with no usable slave */
	struct list_head ntt;		/* clients to tell their slave's MAC */
	unsigned int count;
	unsigned int update_delay;	/* ticks before updates may go out */
	bool rebalance;
	bool retell;			/* some server has retell set */
	struct slave *promisc;		/* active slave made promiscuous */
	unsigned int promisc_ticks;
};

static const struct rhashtable_params bnd_rlb_client_params = {
	.key_len = sizeof(struct bnd_rlb_key),
	.key_offset = offsetof(struct bnd_rlb_client, key),
	.head_offset = offsetof(struct bnd_rlb_client, node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params bnd_rlb_server_params = {
	.key_len = sizeof(__be32),
	.key_offset = offsetof(struct bnd_rlb_server, ip),
	.head_offset = offsetof(struct bnd_rlb_server, node),
	.automatic_shrinking = true,
};

static struct kmem_cache *bnd_rlb_cache;

/* Control paths and views: see bnd_lb(). */
static struct bnd_rlb *bnd_rlb_of(struct bnd_bond *bond)
{
	struct bnd_lb *lb = bnd_lb(bond);

	return lb ? lb->rlb : NULL;
}

/* Only well-formed Ethernet/IPv4 requests and replies teach RLB anything. */
static bool bnd_arp_ok(const struct bnd_arp *arp)
{
	return bnd_arp_is_eth_ipv4(arp) &&
	       (arp->hdr.ar_op == htons(ARPOP_REQUEST) ||
		arp->hdr.ar_op == htons(ARPOP_REPLY)) &&
	       is_valid_ether_addr(arp->sha);
}

/* ---- assignment ------------------------------------------------------- */

/* A slave's share of clients follows its speed (1 if unknown). */
static u32 bnd_rlb_weight(const struct slave *s)
{
	return s->speed == SPEED_UNKNOWN || !s->speed ? 1 : s->speed;
}

/*
 * The usable slave with the fewest clients per unit of speed: new clients
 * spread evenly, faster slaves take more. O(slaves).
 */
static struct slave *bnd_rlb_pick(struct bnd_bond *bond, struct slave *skip)
{
	struct bond_up_slave *usable = rcu_dereference(bond->b.usable_slaves);
	struct slave *best = NULL;
	u64 best_cost = U64_MAX, cost;
	unsigned int i;

	for (i = 0; usable && i < usable->count; i++) {
		struct slave *s = usable->arr[i];

		if (s == skip || !bond_slave_can_tx(s))
			continue;
		cost = div_u64(((u64)bnd_slave_from_s(s)->lb.rlb_count + 1) << 20,
			       bnd_rlb_weight(s));
		if (cost < best_cost) {
			best_cost = cost;
			best = s;
		}
	}
	return best;
}

/*
 * Queue @c to be told its slave's MAC @tries times. A client that must
 * change its entry gets BND_RLB_UPDATE_TRIES rounds, spaced past its ARP
 * locktime: one round can land inside it (right after the client heard our
 * broadcast, say) and be ignored.
 */
static void bnd_rlb_tell(struct bnd_rlb *rlb, struct bnd_rlb_client *c, u8 tries)
{
	if (!c->slave || !is_valid_ether_addr(c->client_mac))
		return;
	c->tries = max(c->tries, tries);
	if (list_empty(&c->ntt_node))
		list_add_tail(&c->ntt_node, &rlb->ntt);
}

static void bnd_rlb_assign(struct bnd_rlb *rlb, struct bnd_rlb_client *c,
			   struct slave *s)
{
	if (c->slave)
		bnd_slave_from_s(c->slave)->lb.rlb_count--;
	list_del(&c->slave_node);
	c->slave = s;
	if (s) {
		list_add_tail(&c->slave_node, &bnd_slave_from_s(s)->lb.rlb_clients);
		bnd_slave_from_s(s)->lb.rlb_count++;
	} else {
		list_add_tail(&c->slave_node, &rlb->orphans);
	}
}

static void bnd_rlb_free_client(struct rcu_head *head)
{
	kmem_cache_free(bnd_rlb_cache, container_of(head, struct bnd_rlb_client, rcu));
}

static void bnd_rlb_server_put(struct bnd_rlb *rlb, __be32 ip)
{
	struct bnd_rlb_server *srv;

	srv = rhashtable_lookup_fast(&rlb->servers, &ip, bnd_rlb_server_params);
	if (srv && !--srv->clients) {
		rhashtable_remove_fast(&rlb->servers, &srv->node, bnd_rlb_server_params);
		kfree_rcu(srv, rcu);
	}
}

static void bnd_rlb_delete(struct bnd_rlb *rlb, struct bnd_rlb_client *c)
{
	rhashtable_remove_fast(&rlb->clients, &c->node, bnd_rlb_client_params);
	bnd_rlb_server_put(rlb, c->key.server_ip);
	if (c->slave)
		bnd_slave_from_s(c->slave)->lb.rlb_count--;
	list_del(&c->slave_node);
	list_del(&c->ntt_node);
	rlb->count--;
	call_rcu(&c->rcu, bnd_rlb_free_client);
}

static int bnd_rlb_server_get(struct bnd_rlb *rlb, __be32 ip, const u8 *mac)
{
	struct bnd_rlb_server *srv;
	int err;

	srv = rhashtable_lookup_fast(&rlb->servers, &ip, bnd_rlb_server_params);
	if (srv) {
		srv->clients++;
		return 0;
	}
	srv = kzalloc(sizeof(*srv), GFP_ATOMIC);
	if (!srv)
		return -ENOMEM;
	srv->ip = ip;
	ether_addr_copy(srv->mac, mac);
	srv->clients = 1;
	err = rhashtable_insert_fast(&rlb->servers, &srv->node, bnd_rlb_server_params);
	if (err)
		kfree(srv);
	return err;
}

/*
 * Our ARP for @arp's client goes out: find or create the client and
 * return the slave it is assigned to. Runs in the transmit path.
 */
static struct slave *bnd_rlb_choose(struct bnd_bond *bond, struct bnd_rlb *rlb,
				    struct sk_buff *skb, const struct bnd_arp *arp)
{
	struct bnd_rlb_key key = { .client_ip = arp->tip, .server_ip = arp->sip };
	struct bnd_rlb_client *c;
	struct slave *s = NULL;

	spin_lock(&bond->b.mode_lock);
	c = rhashtable_lookup_fast(&rlb->clients, &key, bnd_rlb_client_params);
	if (c) {
		if (is_valid_ether_addr(arp->tha))
			ether_addr_copy(c->client_mac, arp->tha);
		ether_addr_copy(c->server_mac, arp->sha);
		if (!c->slave || !bond_slave_can_tx(c->slave)) {
			bnd_rlb_assign(rlb, c, bnd_rlb_pick(bond, NULL));
			bnd_rlb_tell(rlb, c, BND_RLB_UPDATE_TRIES);
		}
		s = c->slave;
		goto out;
	}

	if (rlb->count >= rlb_max_clients) {
		atomic64_inc(&bond->rlb.refused);
		goto out;
	}
	c = kmem_cache_zalloc(bnd_rlb_cache, GFP_ATOMIC);
	if (!c)
		goto out;
	c->key = key;
	if (is_valid_ether_addr(arp->tha))
		ether_addr_copy(c->client_mac, arp->tha);
	ether_addr_copy(c->server_mac, arp->sha);
	if (vlan_get_tag(skb, &c->vlan_id))
		c->vlan_id = 0;
	INIT_LIST_HEAD(&c->slave_node);
	INIT_LIST_HEAD(&c->ntt_node);
	if (bnd_rlb_server_get(rlb, key.server_ip, arp->sha)) {
		kmem_cache_free(bnd_rlb_cache, c);
		goto out;
	}
	if (rhashtable_insert_fast(&rlb->clients, &c->node, bnd_rlb_client_params)) {
		bnd_rlb_server_put(rlb, key.server_ip);
		kmem_cache_free(bnd_rlb_cache, c);
		goto out;
	}
	rlb->count++;
	atomic64_inc(&bond->rlb.added);
	bnd_rlb_assign(rlb, c, bnd_rlb_pick(bond, NULL));
	bnd_rlb_tell(rlb, c, 1);
	s = c->slave;
out:
	spin_unlock(&bond->b.mode_lock);
	return s;
}

/*
 * An ARP the bond sends. Replies leave on the client's slave, carrying
 * that slave's MAC; our requests are broadcast with the bond's MAC, which
 * every client of that address hears, so those clients are re-told.
 */
struct slave *bnd_rlb_arp_xmit(struct bnd_bond *bond, struct bnd_rlb *rlb,
			       struct sk_buff *skb)
{
	struct bnd_rlb_server *srv;
	struct net_device *owner;
	struct bnd_arp *arp;
	struct slave *s;

	if (!rlb || !pskb_network_may_pull(skb, sizeof(*arp)))
		return NULL;
	arp = (struct bnd_arp *)skb_network_header(skb);
	if (!bnd_arp_ok(arp))
		return NULL;
	/* Only ARPs of the bond itself or a VLAN on it, not of a bridge above. */
	if (!bond_slave_has_mac_rcu(&bond->b, arp->sha))
		return NULL;
	owner = __ip_dev_find(dev_net(bond->b.dev), arp->sip, false);
	if (owner && (netif_is_bridge_master(owner) || netif_is_ovs_master(owner)))
		return NULL;

	/* A reply to a bogus (zero, multicast) MAC is nobody to balance. */
	if (arp->hdr.ar_op == htons(ARPOP_REPLY) && !is_valid_ether_addr(arp->tha))
		return NULL;

	s = bnd_rlb_choose(bond, rlb, skb, arp);
	if (arp->hdr.ar_op == htons(ARPOP_REPLY)) {
		if (s && !ether_addr_equal(arp->sha, s->dev->dev_addr)) {
			if (skb_cow_head(skb, 0))
				return NULL;
			arp = (struct bnd_arp *)skb_network_header(skb);
			ether_addr_copy(arp->sha, s->dev->dev_addr);
		}
		return s;
	}

	spin_lock(&bond->b.mode_lock);
	rlb->update_delay = BND_RLB_UPDATE_DELAY;
	srv = rhashtable_lookup_fast(&rlb->servers, &arp->sip, bnd_rlb_server_params);
	if (srv) {
		srv->retell = true;
		rlb->retell = true;
	}
	spin_unlock(&bond->b.mode_lock);
	return s;
}

/* ---- receive ---------------------------------------------------------- */

/* Another host now answers for @srv's address: forget what we told. */
static void bnd_rlb_purge_server(struct bnd_bond *bond, struct bnd_rlb *rlb,
				 __be32 ip)
{
	struct bnd_rlb_client *c, *tmp;
	struct bond_up_slave *all;
	unsigned int i;

	spin_lock_bh(&bond->b.mode_lock);
	all = rcu_dereference(bond->b.all_slaves);
	for (i = 0; all && i <= all->count; i++) {
		struct list_head *head = i < all->count ?
			&bnd_slave_from_s(all->arr[i])->lb.rlb_clients : &rlb->orphans;

		list_for_each_entry_safe(c, tmp, head, slave_node) {
			if (c->key.server_ip == ip) {
				bnd_rlb_delete(rlb, c);
				atomic64_inc(&bond->rlb.purged);
			}
		}
	}
	spin_unlock_bh(&bond->b.mode_lock);
}

/*
 * The receive hook of an alb bond: reached only from frames that arrived
 * on this bond's own slaves, and only while this bond's RLB state exists.
 */
int bnd_rlb_recv(const struct sk_buff *skb, struct bonding *b, struct slave *s)
{
	struct bnd_bond *bond = bnd_from_b(b);
	struct bnd_lb *lb = bnd_lb_rcu(bond);
	struct bnd_rlb *rlb = lb ? lb->rlb : NULL;
	struct bnd_rlb_key key;
	struct bnd_rlb_server *srv;
	struct bnd_rlb_client *c;
	struct bnd_arp _arp;
	const struct bnd_arp *arp;

	/* The hook is published only while rlb exists (bnd_open()). */
	if (skb->protocol != htons(ETH_P_ARP) || unlikely(!rlb))
		return RX_HANDLER_ANOTHER;
	atomic64_inc(&bond->rlb.arp_seen);
	arp = skb_header_pointer(skb, 0, sizeof(_arp), &_arp);
	if (!arp || !bnd_arp_ok(arp)) {
		atomic64_inc(&bond->rlb.arp_bad);
		return RX_HANDLER_ANOTHER;
	}

	/*
	 * Another host claims one of our server addresses. Our own ARPs,
	 * flooded back to us through another slave, do not count.
	 */
	srv = rhashtable_lookup_fast(&rlb->servers, &arp->sip, bnd_rlb_server_params);
	if (unlikely(srv && !ether_addr_equal(srv->mac, arp->sha) &&
		     !bond_slave_has_mac_rcu(b, arp->sha)))
		bnd_rlb_purge_server(bond, rlb, arp->sip);

	if (arp->hdr.ar_op != htons(ARPOP_REPLY))
		return RX_HANDLER_ANOTHER;

	/* A client answered us: remember its MAC, and tell it if it changed. */
	key.client_ip = arp->sip;
	key.server_ip = arp->tip;
	c = rhashtable_lookup_fast(&rlb->clients, &key, bnd_rlb_client_params);
	if (!c || ether_addr_equal(c->client_mac, arp->sha))
		return RX_HANDLER_ANOTHER;
	spin_lock_bh(&b->mode_lock);
	c = rhashtable_lookup_fast(&rlb->clients, &key, bnd_rlb_client_params);
	if (c && !ether_addr_equal(c->client_mac, arp->sha)) {
		ether_addr_copy(c->client_mac, arp->sha);
		bnd_rlb_tell(rlb, c, BND_RLB_UPDATE_TRIES);
	}
	spin_unlock_bh(&b->mode_lock);
	return RX_HANDLER_ANOTHER;
}

/* ---- updates and rebalancing ------------------------------------------ */

static struct sk_buff *bnd_rlb_update_skb(struct bnd_rlb_client *c)
{
	struct net_device *dev = c->slave->dev;
	struct sk_buff *skb;

	skb = arp_create(ARPOP_REPLY, ETH_P_ARP, c->key.client_ip, dev,
			 c->key.server_ip, c->client_mac, dev->dev_addr,
			 c->client_mac);
	if (skb && c->vlan_id)
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), c->vlan_id);
	return skb;
}

/* Is @a more loaded than @b, per unit of speed? */
static bool bnd_rlb_heavier(struct slave *a, struct slave *b)
{
	return (u64)bnd_slave_from_s(a)->lb.rlb_count * bnd_rlb_weight(b) >
	       (u64)bnd_slave_from_s(b)->lb.rlb_count * bnd_rlb_weight(a);
}

/*
 * Spread clients over the usable slaves in proportion to their speed:
 * move one client at a time from the most to the least loaded slave while
 * that leaves the donor at least as loaded as the taker. Equal speeds end
 * with counts that differ by at most one. O(moves * slaves).
 */
static void bnd_rlb_rebalance(struct bnd_bond *bond, struct bnd_rlb *rlb)
{
	struct bond_up_slave *usable = rcu_dereference(bond->b.usable_slaves);
	struct bnd_rlb_client *c, *tmp;
	struct slave *donor, *taker;
	unsigned int i;

	if (!usable || !usable->count)
		return;
	list_for_each_entry_safe(c, tmp, &rlb->orphans, slave_node) {
		bnd_rlb_assign(rlb, c, bnd_rlb_pick(bond, NULL));
		bnd_rlb_tell(rlb, c, BND_RLB_UPDATE_TRIES);
	}
	for (;;) {
		donor = taker = usable->arr[0];
		for (i = 1; i < usable->count; i++) {
			if (bnd_rlb_heavier(usable->arr[i], donor))
				donor = usable->arr[i];
			if (bnd_rlb_heavier(taker, usable->arr[i]))
				taker = usable->arr[i];
		}
		/* (donor - 1) / w_donor >= (taker + 1) / w_taker */
		if (donor == taker || !bnd_slave_from_s(donor)->lb.rlb_count ||
		    ((u64)bnd_slave_from_s(donor)->lb.rlb_count - 1) * bnd_rlb_weight(taker) <
		    ((u64)bnd_slave_from_s(taker)->lb.rlb_count + 1) * bnd_rlb_weight(donor))
			break;
		c = list_first_entry(&bnd_slave_from_s(donor)->lb.rlb_clients,
				     struct bnd_rlb_client, slave_node);
		bnd_rlb_assign(rlb, c, taker);
		bnd_rlb_tell(rlb, c, BND_RLB_UPDATE_TRIES);
		atomic64_inc(&bond->rlb.reassigned);
	}
}

/* Clients of a server we broadcast from heard the bond's MAC: re-tell. */
static void bnd_rlb_retell(struct bnd_bond *bond, struct bnd_rlb *rlb)
{
	struct slave *active = rcu_dereference(bond->b.curr_active_slave);
	struct bond_up_slave *all = rcu_dereference(bond->b.all_slaves);
	struct bnd_rlb_server *srv;
	struct bnd_rlb_client *c;
	unsigned int i;

	for (i = 0; all && i < all->count; i++) {
		if (all->arr[i] == active)
			continue;
		list_for_each_entry(c, &bnd_slave_from_s(all->arr[i])->lb.rlb_clients,
				    slave_node) {
			srv = rhashtable_lookup_fast(&rlb->servers, &c->key.server_ip,
						     bnd_rlb_server_params);
			if (srv && srv->retell)
				bnd_rlb_tell(rlb, c, BND_RLB_UPDATE_TRIES);
		}
	}
}

static void bnd_rlb_clear_retell(struct bnd_rlb *rlb)
{
	struct rhashtable_iter it;
	struct bnd_rlb_server *srv;

	rhashtable_walk_enter(&rlb->servers, &it);
	rhashtable_walk_start(&it);
	while ((srv = rhashtable_walk_next(&it)) != NULL)
		if (!IS_ERR(srv))
			srv->retell = false;
	rhashtable_walk_stop(&it);
	rhashtable_walk_exit(&it);
	rlb->retell = false;
}

/* Ten times a second, from the lb monitor: rebalance and tell clients. */
void bnd_rlb_tick(struct bnd_bond *bond)
{
	struct bnd_rlb *rlb = bnd_rlb_of(bond);
	struct bnd_rlb_client *c, *tmp;
	struct sk_buff_head out;
	struct sk_buff *skb;
	unsigned int sent = 0;
	int i;

	__skb_queue_head_init(&out);
	rcu_read_lock();
	spin_lock_bh(&bond->b.mode_lock);
	if (rlb->rebalance) {
		rlb->rebalance = false;
		bnd_rlb_rebalance(bond, rlb);
	}
	if (rlb->update_delay) {
		rlb->update_delay--;
	} else {
		if (rlb->retell) {
			bnd_rlb_retell(bond, rlb);
			bnd_rlb_clear_retell(rlb);
		}
		list_for_each_entry_safe(c, tmp, &rlb->ntt, ntt_node) {
			if (sent >= BND_RLB_UPDATES_PER_TICK)
				break;
			for (i = 0; c->slave && i < BND_RLB_BURST; i++) {
				skb = bnd_rlb_update_skb(c);
				if (skb)
					__skb_queue_tail(&out, skb);
			}
			sent++;
			if (!c->slave || !--c->tries)
				list_del_init(&c->ntt_node);
		}
		/*
		 * Space the rounds: a client ignores ARP changes for its
		 * neighbour locktime (1 s by default) after updating an entry,
		 * so repeated updates must not all land inside it.
		 */
		if (sent && !list_empty(&rlb->ntt))
			rlb->update_delay = BND_RLB_UPDATE_DELAY;
	}
	spin_unlock_bh(&bond->b.mode_lock);

	/*
	 * Each update's skb->dev is the slave device its client was assigned
	 * to, and the skb holds no reference on it. The assignment is made
	 * and withdrawn under mode_lock (bnd_rlb_assign; bnd_rlb_slave_gone,
	 * which a slave runs as it leaves the bond, also when its device is
	 * unregistered, from the NETDEV_UNREGISTER notifier). The unregister
	 * path frees the device only after the synchronize_net() that follows
	 * those notifiers. This read-side section began before we read the
	 * assignments, so it ends before that grace period can: transmit
	 * inside it, never after rcu_read_unlock().
	 */
	while ((skb = __skb_dequeue(&out)) != NULL) {
		arp_xmit(skb);
		atomic64_inc(&bond->rlb.updates);
	}
	rcu_read_unlock();

	/* The active slave listened for a dead slave's MAC long enough. */
	if (rlb->promisc && ++rlb->promisc_ticks >= BND_RLB_PROMISC_TICKS &&
	    rtnl_trylock()) {
		if (rlb->promisc) {
			dev_set_promiscuity(rlb->promisc->dev, -1);
			rlb->promisc = NULL;
		}
		rtnl_unlock();
	}
}

/*
 * @slave lost its link or left (RTNL): its clients move to the others and
 * are told, a few times; until they listen, the active slave also takes
 * frames sent to the old MAC.
 */
/* The slave made promiscuous for a dead slave's MAC stops listening (RTNL). */
void bnd_rlb_promisc_drop(struct bnd_bond *bond)
{
	struct bnd_rlb *rlb = bnd_rlb_of(bond);

	ASSERT_RTNL();
	if (!rlb || !rlb->promisc)
		return;
	dev_set_promiscuity(rlb->promisc->dev, -1);
	rlb->promisc = NULL;
}

void bnd_rlb_slave_gone(struct bnd_bond *bond, struct bnd_slave *slave)
{
	struct bnd_rlb *rlb = bnd_rlb_of(bond);
	struct bnd_rlb_client *c, *tmp;
	struct slave *active;

	ASSERT_RTNL();
	if (rlb->promisc == &slave->s)
		bnd_rlb_promisc_drop(bond);
	rcu_read_lock();
	spin_lock_bh(&bond->b.mode_lock);
	list_for_each_entry_safe(c, tmp, &slave->lb.rlb_clients, slave_node) {
		bnd_rlb_assign(rlb, c, bnd_rlb_pick(bond, &slave->s));
		bnd_rlb_tell(rlb, c, BND_RLB_UPDATE_TRIES);
		atomic64_inc(&bond->rlb.reassigned);
	}
	spin_unlock_bh(&bond->b.mode_lock);
	rcu_read_unlock();

	active = rtnl_dereference(bond->b.curr_active_slave);
	if (!active || active == &slave->s)
		return;
	if (!rlb->promisc && !dev_set_promiscuity(active->dev, 1))
		rlb->promisc = active;
	rlb->promisc_ticks = 0;
	bnd_lb_send_learning(bond, active, slave->s.dev->dev_addr, true);
}

/* @slave's MAC changed (RTNL): its clients must learn the new one. */
void bnd_rlb_slave_mac_changed(struct bnd_bond *bond, struct bnd_slave *slave)
{
	struct bnd_rlb *rlb = bnd_rlb_of(bond);
	struct bnd_rlb_client *c;

	spin_lock_bh(&bond->b.mode_lock);
	list_for_each_entry(c, &slave->lb.rlb_clients, slave_node)
		bnd_rlb_tell(rlb, c, BND_RLB_UPDATE_TRIES);
	spin_unlock_bh(&bond->b.mode_lock);
}

void bnd_rlb_request_rebalance(struct bnd_bond *bond)
{
	struct bnd_rlb *rlb = bnd_rlb_of(bond);

	spin_lock_bh(&bond->b.mode_lock);
	rlb->rebalance = true;
	spin_unlock_bh(&bond->b.mode_lock);
}

/* A VLAN above the bond is gone: so are its clients. */
void bnd_rlb_vlan_removed(struct bnd_bond *bond, u16 vid)
{
	struct bnd_rlb *rlb = bnd_rlb_of(bond);
	struct bnd_rlb_client *c, *tmp;
	struct list_head *iter;
	struct slave *s;

	if (!rlb)
		return;
	spin_lock_bh(&bond->b.mode_lock);
	bond_for_each_slave(&bond->b, s, iter) {
		list_for_each_entry_safe(c, tmp, &bnd_slave_from_s(s)->lb.rlb_clients,
					 slave_node) {
			if (c->vlan_id == vid) {
				bnd_rlb_delete(rlb, c);
				atomic64_inc(&bond->rlb.purged);
			}
		}
	}
	list_for_each_entry_safe(c, tmp, &rlb->orphans, slave_node) {
		if (c->vlan_id == vid) {
			bnd_rlb_delete(rlb, c);
			atomic64_inc(&bond->rlb.purged);
		}
	}
	spin_unlock_bh(&bond->b.mode_lock);
}

/* ---- lifetime --------------------------------------------------------- */

struct bnd_rlb *bnd_rlb_create(struct bnd_bond *bond)
{
	struct bnd_rlb *rlb = kzalloc(sizeof(*rlb), GFP_KERNEL);

	if (!rlb)
		return NULL;
	rlb->bond = bond;
	INIT_LIST_HEAD(&rlb->orphans);
	INIT_LIST_HEAD(&rlb->ntt);
	if (rhashtable_init(&rlb->clients, &bnd_rlb_client_params))
		goto err;
	if (rhashtable_init(&rlb->servers, &bnd_rlb_server_params)) {
		rhashtable_destroy(&rlb->clients);
		goto err;
	}
	return rlb;
err:
	kfree(rlb);
	return NULL;
}

static void bnd_rlb_free_server(void *ptr, void *arg)
{
	kfree(ptr);
}

/*
 * The bond is down: the receive hook was withdrawn and no transmit is in
 * flight, so nothing can look the table up any more.
 */
void bnd_rlb_destroy(struct bnd_rlb *rlb)
{
	struct bnd_bond *bond = rlb->bond;
	struct bnd_rlb_client *c, *tmp;
	struct list_head *iter;
	struct slave *s;

	ASSERT_RTNL();
	if (rlb->promisc) {
		dev_set_promiscuity(rlb->promisc->dev, -1);
		rlb->promisc = NULL;
	}
	bond_for_each_slave(&bond->b, s, iter) {
		list_for_each_entry_safe(c, tmp, &bnd_slave_from_s(s)->lb.rlb_clients,
					 slave_node)
			bnd_rlb_delete(rlb, c);
		bnd_slave_from_s(s)->lb.rlb_count = 0;
	}
	list_for_each_entry_safe(c, tmp, &rlb->orphans, slave_node)
		bnd_rlb_delete(rlb, c);
	rhashtable_destroy(&rlb->clients);
	rhashtable_free_and_destroy(&rlb->servers, bnd_rlb_free_server, NULL);
	kfree(rlb);
}

/* ---- views ------------------------------------------------------------ */

static void bnd_rlb_show_list(struct seq_file *m, struct list_head *head)
{
	struct bnd_rlb_client *c;

	list_for_each_entry(c, head, slave_node)
		seq_printf(m, "%-15pI4 %-15pI4 %-17pM %s\n", &c->key.server_ip,
			   &c->key.client_ip, c->client_mac,
			   c->slave ? c->slave->dev->name : "(none)");
}

/* debugfs rlb_hash_table: safe in any mode, before and after alb. */
int bnd_rlb_show_table(struct seq_file *m, struct bnd_bond *bond)
{
	struct list_head *iter;
	struct bnd_rlb *rlb;
	struct slave *s;

	rcu_read_lock();
	spin_lock_bh(&bond->b.mode_lock);
	rlb = bnd_rlb_of(bond);
	if (rlb) {
		seq_puts(m, "SourceIP        DestinationIP   Destination MAC   DEV\n");
		bond_for_each_slave_rcu(&bond->b, s, iter)
			bnd_rlb_show_list(m, &bnd_slave_from_s(s)->lb.rlb_clients);
		bnd_rlb_show_list(m, &rlb->orphans);
	}
	spin_unlock_bh(&bond->b.mode_lock);
	rcu_read_unlock();
	return 0;
}

void bnd_rlb_proc_show(struct seq_file *m, struct bnd_bond *bond)
{
	char buf[256];

	seq_printf(m, "RLB Clients: %u\n", bnd_rlb_count(bond));
	seq_printf(m, "RLB Max Clients: %u\n", rlb_max_clients);
	bnd_rlb_format_counters(bond, buf, sizeof(buf));
	seq_puts(m, buf);
}

/*
 * The bond's RLB counters as "Name: value" lines, for /proc/net/bonding
 * and the sysfs rlb_stats file alike. Returns the length written.
 */
int bnd_rlb_format_counters(struct bnd_bond *bond, char *buf, size_t size)
{
	const struct bnd_rlb_counters *r = &bond->rlb;

	return scnprintf(buf, size,
			 "RLB ARP Seen: %lld\n"
			 "RLB ARP Malformed: %lld\n"
			 "RLB Clients Added: %lld\n"
			 "RLB Clients Reassigned: %lld\n"
			 "RLB Clients Refused: %lld\n"
			 "RLB Clients Purged: %lld\n"
			 "RLB Updates Sent: %lld\n",
			 atomic64_read(&r->arp_seen), atomic64_read(&r->arp_bad),
			 atomic64_read(&r->added), atomic64_read(&r->reassigned),
			 atomic64_read(&r->refused), atomic64_read(&r->purged),
			 atomic64_read(&r->updates));
}

/* Clients in the table now (0 if the bond has no RLB state). */
unsigned int bnd_rlb_count(struct bnd_bond *bond)
{
	struct bnd_rlb *rlb;
	unsigned int count = 0;

	spin_lock_bh(&bond->b.mode_lock);
	rlb = bnd_rlb_of(bond);
	if (rlb)
		count = rlb->count;
	spin_unlock_bh(&bond->b.mode_lock);
	return count;
}

void bnd_rlb_proc_show_slave(struct seq_file *m, struct bnd_bond *bond,
			     struct bnd_slave *slave)
{
	seq_printf(m, "RLB Clients: %u\n", READ_ONCE(slave->lb.rlb_count));
}

int bnd_rlb_init(void)
{
	if (rlb_max_clients < 256 || rlb_max_clients > 1048576) {
		pr_err("option rlb_max_clients: invalid value (%u); allowed values 256 - 1048576\n",
		       rlb_max_clients);
		return -EINVAL;
	}
	bnd_rlb_cache = KMEM_CACHE(bnd_rlb_client, 0);
	return bnd_rlb_cache ? 0 : -ENOMEM;
}

void bnd_rlb_exit(void)
{
	rcu_barrier();
	kmem_cache_destroy(bnd_rlb_cache);
}
