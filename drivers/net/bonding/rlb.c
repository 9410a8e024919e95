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
 * server IP) pair, lookups under RCU, lists of the clients of each slave
 * and of each server address, and a cap (rlb_max_clients). Clients that
 * have not exchanged an ARP with the bond for rlb_client_timeout seconds
 * are forgotten; at the cap the least recently used one makes room.
 *
 * Only frames received on this bond's own slaves get here, through the
 * bond's receive hook (bnd_rlb_recv); the table exists only while that
 * hook may run. Changes are made under the bond's mode_lock, taken from
 * transmit and receive (softirq), the lb monitor and RTNL paths (process
 * context, _bh). What a locked section does is bounded: the monitor
 * works through rebalancing, re-telling, ageing and updates a bounded
 * number of clients per tick, and RTNL paths that touch every client of a
 * slave drop the lock between chunks.
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

#define BND_RLB_TIMEOUT_MAX	86400
static unsigned int rlb_client_timeout = 300;
module_param(rlb_client_timeout, uint, 0444);
MODULE_PARM_DESC(rlb_client_timeout,
		 "balance-alb: seconds after its last ARP exchange a client is forgotten (0 never, up to 86400, default 300)");
static u32 bnd_rlb_idle_max;	/* rlb_client_timeout in jiffies, 0: never */

struct bnd_rlb_key {
	__be32 client_ip;
	__be32 server_ip;
};

/* Which list of clients to tell a client is on (ntt_node). */
enum {
	BND_RLB_Q_NONE,
	BND_RLB_Q_NOW,		/* rlb->tell_now: at the next tick */
	BND_RLB_Q_LATER,	/* rlb->tell_later: at @due */
};

/**
 * struct bnd_rlb_client - a peer whose traffic RLB steers
 * @node:	in the bond's client table
 * @key:	client and server (our) IPv4 address
 * @client_mac:	the client's MAC, once known
 * @tries:	updates still to send
 * @queue:	BND_RLB_Q_*: where @ntt_node is
 * @vlan_id:	VLAN the client was seen on
 * @due:	jiffies of its next round, on tell_later
 * @slave:	slave the client should send to, NULL if none is usable
 * @slave_node:	on the slave's list (or the orphan list)
 * @srv_node:	on its server's list
 * @ntt_node:	on tell_now or tell_later (when @tries > 0)
 * @lru_node:	on rlb->lru, least recently used first
 * @used:	jiffies of its last ARP exchange with the bond
 * @rcu:	freed after readers of the table are done
 */
struct bnd_rlb_client {
	struct rhash_head node;
	struct bnd_rlb_key key;
	u8 client_mac[ETH_ALEN];
	u8 tries;
	u8 queue;
	u16 vlan_id;
	u32 due;
	struct slave *slave;
	struct list_head slave_node;
	struct list_head srv_node;
	struct list_head ntt_node;
	struct list_head lru_node;
	u32 used;
	struct rcu_head rcu;
};

/*
 * A server address clients were told about, and the MAC it lives at.
 * Its clients are listed so that re-telling them and forgetting them (the
 * address moved to another host) touch only them.
 */
struct bnd_rlb_server {
	struct rhash_head node;
	__be32 ip;
	u8 mac[ETH_ALEN];
	u32 count;			/* clients on @clients */
	u32 retell_left;		/* of them, still to visit for a re-tell */
	struct list_head clients;
	struct list_head retell_node;	/* on rlb->retell while retell_left */
	struct rcu_head rcu;
};

/* One update the monitor sends after dropping mode_lock. */
struct bnd_rlb_msg {
	struct net_device *dev;
	__be32 client_ip;
	__be32 server_ip;
	u8 client_mac[ETH_ALEN];
	u16 vlan_id;
};

struct bnd_rlb {
	struct bnd_bond *bond;
	struct rhashtable clients;
	struct rhashtable servers;
	struct list_head orphans;	/* clients with no usable slave */
	struct list_head tell_now;	/* clients to tell at the next tick */
	struct list_head tell_later;	/* ... at their @due, earliest first */
	struct list_head lru;		/* every client, least recently used first */
	struct list_head retell;	/* servers whose clients are being re-told */
	unsigned int count;
	bool rebalance;
	struct slave *promisc;		/* active slave made promiscuous */
	unsigned int promisc_ticks;
	struct bnd_rlb_msg *batch;	/* BND_RLB_UPDATES_PER_TICK, the monitor's */
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

static struct bnd_rlb_server *bnd_rlb_server_find(struct bnd_rlb *rlb, __be32 ip)
{
	return rhashtable_lookup_fast(&rlb->servers, &ip, bnd_rlb_server_params);
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
 * Queue @c to be told its slave's MAC in @tries rounds (at least). A
 * client that must change its entry gets BND_RLB_UPDATE_TRIES of them,
 * BND_RLB_UPDATE_DELAY apart, so that they reach past its ARP locktime:
 * one round can land inside it and be ignored. The first round goes out at
 * the next tick (@now), or, for a client that has just heard an ARP of
 * ours carrying the bond's MAC and is inside its locktime for it, one
 * delay from now, whatever was due earlier: rounds inside that locktime
 * would be lost, and the ones after would keep their old, now misplaced
 * spacing. tell_later stays ordered by @due: every client joins it at its
 * tail with the same delay from the current time.
 */
static void bnd_rlb_tell(struct bnd_rlb *rlb, struct bnd_rlb_client *c, u8 tries,
			 bool now)
{
	if (!c->slave || !is_valid_ether_addr(c->client_mac))
		return;
	c->tries = max(c->tries, tries);
	if (now) {
		if (c->queue != BND_RLB_Q_NOW) {
			list_move_tail(&c->ntt_node, &rlb->tell_now);
			c->queue = BND_RLB_Q_NOW;
		}
	} else {
		c->due = (u32)jiffies + BND_RLB_UPDATE_DELAY;
		list_move_tail(&c->ntt_node, &rlb->tell_later);
		c->queue = BND_RLB_Q_LATER;
	}
}

static void bnd_rlb_untell(struct bnd_rlb_client *c)
{
	list_del_init(&c->ntt_node);
	c->queue = BND_RLB_Q_NONE;
	c->tries = 0;
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

/* @c exchanged an ARP with the bond: it is the most recently used. */
static void bnd_rlb_touch(struct bnd_rlb *rlb, struct bnd_rlb_client *c)
{
	c->used = (u32)jiffies;
	list_move_tail(&c->lru_node, &rlb->lru);
}

static void bnd_rlb_free_client(struct rcu_head *head)
{
	kmem_cache_free(bnd_rlb_cache, container_of(head, struct bnd_rlb_client, rcu));
}

/* A server with no client left is forgotten. */
static void bnd_rlb_server_drop(struct bnd_rlb *rlb, struct bnd_rlb_server *srv)
{
	if (srv->count)
		return;
	list_del(&srv->retell_node);
	rhashtable_remove_fast(&rlb->servers, &srv->node, bnd_rlb_server_params);
	kfree_rcu(srv, rcu);
}

static void bnd_rlb_delete(struct bnd_rlb *rlb, struct bnd_rlb_client *c)
{
	struct bnd_rlb_server *srv = bnd_rlb_server_find(rlb, c->key.server_ip);

	rhashtable_remove_fast(&rlb->clients, &c->node, bnd_rlb_client_params);
	if (c->slave)
		bnd_slave_from_s(c->slave)->lb.rlb_count--;
	list_del(&c->slave_node);
	list_del(&c->ntt_node);
	list_del(&c->lru_node);
	list_del(&c->srv_node);
	if (srv) {
		srv->count--;
		srv->retell_left = min(srv->retell_left, srv->count);
		bnd_rlb_server_drop(rlb, srv);
	}
	rlb->count--;
	call_rcu(&c->rcu, bnd_rlb_free_client);
}

static struct bnd_rlb_server *bnd_rlb_server_get(struct bnd_rlb *rlb, __be32 ip,
						 const u8 *mac)
{
	struct bnd_rlb_server *srv = bnd_rlb_server_find(rlb, ip);

	if (srv)
		return srv;
	srv = kzalloc(sizeof(*srv), GFP_ATOMIC);
	if (!srv)
		return NULL;
	srv->ip = ip;
	ether_addr_copy(srv->mac, mac);
	INIT_LIST_HEAD(&srv->clients);
	INIT_LIST_HEAD(&srv->retell_node);
	if (rhashtable_insert_fast(&rlb->servers, &srv->node, bnd_rlb_server_params)) {
		kfree(srv);
		return NULL;
	}
	return srv;
}

/*
 * A new client of @key, seen on VLAN @vid, its MAC @client_mac if known
 * (mode_lock held). At the cap the least recently used client makes room;
 * NULL (counted as refused) without memory.
 */
static struct bnd_rlb_client *bnd_rlb_add(struct bnd_bond *bond, struct bnd_rlb *rlb,
					  const struct bnd_rlb_key *key,
					  const u8 *server_mac, const u8 *client_mac,
					  u16 vid)
{
	struct bnd_rlb_server *srv;
	struct bnd_rlb_client *c;

	c = kmem_cache_zalloc(bnd_rlb_cache, GFP_ATOMIC);
	if (!c)
		goto refused;
	c->key = *key;
	if (is_valid_ether_addr(client_mac))
		ether_addr_copy(c->client_mac, client_mac);
	c->vlan_id = vid;
	INIT_LIST_HEAD(&c->slave_node);
	INIT_LIST_HEAD(&c->ntt_node);
	if (rlb->count >= rlb_max_clients && !list_empty(&rlb->lru)) {
		bnd_rlb_delete(rlb, list_first_entry(&rlb->lru, struct bnd_rlb_client,
						     lru_node));
		atomic64_inc(&bond->rlb.evicted);
	}
	srv = bnd_rlb_server_get(rlb, key->server_ip, server_mac);
	if (!srv)
		goto free;
	if (rhashtable_insert_fast(&rlb->clients, &c->node, bnd_rlb_client_params)) {
		bnd_rlb_server_drop(rlb, srv);
		goto free;
	}
	list_add_tail(&c->srv_node, &srv->clients);
	srv->count++;
	c->used = (u32)jiffies;
	list_add_tail(&c->lru_node, &rlb->lru);
	rlb->count++;
	atomic64_inc(&bond->rlb.added);
	bnd_rlb_assign(rlb, c, bnd_rlb_pick(bond, NULL));
	return c;
free:
	kmem_cache_free(bnd_rlb_cache, c);
refused:
	atomic64_inc(&bond->rlb.refused);
	return NULL;
}

/*
 * Our ARP for @arp's client goes out: find or create the client, mark it
 * used, and return it (mode_lock held). Runs in the transmit path.
 */
static struct bnd_rlb_client *bnd_rlb_choose(struct bnd_bond *bond, struct bnd_rlb *rlb,
					     struct sk_buff *skb, const struct bnd_arp *arp)
{
	struct bnd_rlb_key key = { .client_ip = arp->tip, .server_ip = arp->sip };
	struct bnd_rlb_client *c;
	u16 vid;

	c = rhashtable_lookup_fast(&rlb->clients, &key, bnd_rlb_client_params);
	if (c) {
		if (is_valid_ether_addr(arp->tha))
			ether_addr_copy(c->client_mac, arp->tha);
		if (!c->slave || !bond_slave_can_tx(c->slave)) {
			/*
			 * Its slave lost carrier (or the client had none): it
			 * moves now, before the link monitor's slave_gone would.
			 */
			if (c->slave)
				atomic64_inc(&bond->rlb.reassigned);
			bnd_rlb_assign(rlb, c, bnd_rlb_pick(bond, NULL));
			bnd_rlb_tell(rlb, c, BND_RLB_UPDATE_TRIES, true);
		}
		bnd_rlb_touch(rlb, c);
		return c;
	}

	if (vlan_get_tag(skb, &vid))
		vid = 0;
	c = bnd_rlb_add(bond, rlb, &key, arp->sha, arp->tha, vid);
	if (c)
		bnd_rlb_tell(rlb, c, 1, true);
	return c;
}

/*
 * We broadcast an ARP request from @ip with the bond's MAC: its clients
 * heard it. Start (or restart) re-telling them; the monitor visits a
 * bounded number per tick. O(1) here.
 */
static void bnd_rlb_retell_server(struct bnd_rlb *rlb, __be32 ip)
{
	struct bnd_rlb_server *srv = bnd_rlb_server_find(rlb, ip);

	if (!srv || !srv->count)
		return;
	srv->retell_left = srv->count;
	if (list_empty(&srv->retell_node))
		list_add_tail(&srv->retell_node, &rlb->retell);
}

/*
 * An ARP the bond sends. Replies leave on the client's slave, carrying
 * that slave's MAC. Our requests carry the bond's MAC: a broadcast one is
 * heard by every client of that address, which are re-told; a unicast one
 * (a neighbour probe) by its target only.
 */
struct slave *bnd_rlb_arp_xmit(struct bnd_bond *bond, struct bnd_rlb *rlb,
			       struct sk_buff *skb)
{
	struct bnd_rlb_client *c;
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

	spin_lock(&bond->b.mode_lock);
	c = bnd_rlb_choose(bond, rlb, skb, arp);
	s = c ? c->slave : NULL;
	if (arp->hdr.ar_op == htons(ARPOP_REQUEST)) {
		if (is_multicast_ether_addr(eth_hdr(skb)->h_dest))
			bnd_rlb_retell_server(rlb, arp->sip);
		else if (c)
			bnd_rlb_tell(rlb, c, BND_RLB_UPDATE_TRIES, false);
	}
	spin_unlock(&bond->b.mode_lock);

	/* @s stays valid: slaves are freed a grace period after they leave. */
	if (arp->hdr.ar_op == htons(ARPOP_REPLY) && s &&
	    !ether_addr_equal(arp->sha, s->dev->dev_addr)) {
		if (skb_cow_head(skb, 0))
			return NULL;
		arp = (struct bnd_arp *)skb_network_header(skb);
		ether_addr_copy(arp->sha, s->dev->dev_addr);
	}
	return s;
}

/* ---- receive ---------------------------------------------------------- */

/*
 * Another host now answers for server address @ip: forget its clients.
 * O(clients of @ip), once: the server goes with its last client, and
 * until clients of it are learned again such frames find no server.
 */
static void bnd_rlb_purge_server(struct bnd_bond *bond, struct bnd_rlb *rlb,
				 __be32 ip)
{
	struct bnd_rlb_server *srv;
	u32 n;

	spin_lock_bh(&bond->b.mode_lock);
	srv = bnd_rlb_server_find(rlb, ip);
	/* Deleting the last client frees @srv: count, do not look again. */
	for (n = srv ? srv->count : 0; n; n--) {
		bnd_rlb_delete(rlb, list_first_entry(&srv->clients, struct bnd_rlb_client,
						     srv_node));
		atomic64_inc(&bond->rlb.purged);
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
	srv = bnd_rlb_server_find(rlb, arp->sip);
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
		bnd_rlb_touch(rlb, c);
		bnd_rlb_tell(rlb, c, BND_RLB_UPDATE_TRIES, true);
	}
	spin_unlock_bh(&b->mode_lock);
	return RX_HANDLER_ANOTHER;
}

/* ---- updates and rebalancing ------------------------------------------ */

/* Is @a more loaded than @b, per unit of speed? */
static bool bnd_rlb_heavier(struct slave *a, struct slave *b)
{
	return (u64)bnd_slave_from_s(a)->lb.rlb_count * bnd_rlb_weight(b) >
	       (u64)bnd_slave_from_s(b)->lb.rlb_count * bnd_rlb_weight(a);
}

/*
 * Spread clients over the usable slaves in proportion to their speed:
 * orphans first, then one client at a time from the most to the least
 * loaded slave while that leaves the donor at least as loaded as the
 * taker. Equal speeds end with counts that differ by at most one. At most
 * BND_RLB_MOVES_PER_TICK clients move per call, O(slaves) each; returns
 * true when there is nothing (more) to do.
 */
static bool bnd_rlb_rebalance(struct bnd_bond *bond, struct bnd_rlb *rlb)
{
	struct bond_up_slave *usable = rcu_dereference(bond->b.usable_slaves);
	unsigned int moves = BND_RLB_MOVES_PER_TICK, i;
	struct slave *donor, *taker, *s;
	struct bnd_rlb_client *c;

	if (!usable || !usable->count)
		return true;
	for (; moves && !list_empty(&rlb->orphans); moves--) {
		s = bnd_rlb_pick(bond, NULL);
		if (!s)
			return true;
		c = list_first_entry(&rlb->orphans, struct bnd_rlb_client, slave_node);
		bnd_rlb_assign(rlb, c, s);
		bnd_rlb_tell(rlb, c, BND_RLB_UPDATE_TRIES, true);
	}
	for (; moves; moves--) {
		donor = NULL;
		taker = NULL;
		for (i = 0; i < usable->count; i++) {
			s = usable->arr[i];
			/* The array may still hold a slave whose link just failed. */
			if (!bond_slave_can_tx(s))
				continue;
			if (!donor || bnd_rlb_heavier(s, donor))
				donor = s;
			if (!taker || bnd_rlb_heavier(taker, s))
				taker = s;
		}
		/* (donor - 1) / w_donor >= (taker + 1) / w_taker */
		if (donor == taker || !bnd_slave_from_s(donor)->lb.rlb_count ||
		    ((u64)bnd_slave_from_s(donor)->lb.rlb_count - 1) * bnd_rlb_weight(taker) <
		    ((u64)bnd_slave_from_s(taker)->lb.rlb_count + 1) * bnd_rlb_weight(donor))
			return true;
		c = list_first_entry(&bnd_slave_from_s(donor)->lb.rlb_clients,
				     struct bnd_rlb_client, slave_node);
		bnd_rlb_assign(rlb, c, taker);
		bnd_rlb_tell(rlb, c, BND_RLB_UPDATE_TRIES, true);
		atomic64_inc(&bond->rlb.reassigned);
	}
	return false;
}

/*
 * Clients of servers we broadcast from heard the bond's MAC: tell them
 * their slave's again, once past that ARP's locktime (those of the active
 * slave, which wears the bond's MAC, need nothing). A server's clients are
 * visited in list order, each moved to the tail: the unvisited ones stay
 * at the head, and retell_left never counts fewer than are left there.
 * BND_RLB_RETELL_PER_TICK visits per call.
 */
static void bnd_rlb_retell(struct bnd_bond *bond, struct bnd_rlb *rlb)
{
	struct slave *active = rcu_dereference(bond->b.curr_active_slave);
	unsigned int budget = BND_RLB_RETELL_PER_TICK;
	struct bnd_rlb_server *srv;
	struct bnd_rlb_client *c;

	while (budget && !list_empty(&rlb->retell)) {
		srv = list_first_entry(&rlb->retell, struct bnd_rlb_server, retell_node);
		for (; budget && srv->retell_left; budget--, srv->retell_left--) {
			c = list_first_entry(&srv->clients, struct bnd_rlb_client, srv_node);
			list_move_tail(&c->srv_node, &srv->clients);
			if (c->slave != active)
				bnd_rlb_tell(rlb, c, BND_RLB_UPDATE_TRIES, false);
		}
		if (!srv->retell_left)
			list_del_init(&srv->retell_node);
	}
}

/* Forget clients idle for rlb_client_timeout, oldest first. */
static void bnd_rlb_age(struct bnd_bond *bond, struct bnd_rlb *rlb)
{
	unsigned int budget = BND_RLB_AGE_PER_TICK;
	struct bnd_rlb_client *c;

	if (!bnd_rlb_idle_max)
		return;
	for (; budget && !list_empty(&rlb->lru); budget--) {
		c = list_first_entry(&rlb->lru, struct bnd_rlb_client, lru_node);
		if ((u32)jiffies - c->used < bnd_rlb_idle_max)
			break;
		bnd_rlb_delete(rlb, c);
		atomic64_inc(&bond->rlb.aged);
	}
}

/*
 * Take the next round of up to @max - @n clients of @queue into the batch
 * (from index @n); of tell_later only those due. A client with rounds
 * left goes to the tail of tell_later, one delay from now. Returns the new
 * batch length.
 */
static unsigned int bnd_rlb_take(struct bnd_rlb *rlb, struct list_head *queue,
				 unsigned int n, unsigned int max)
{
	struct bnd_rlb_client *c;
	struct bnd_rlb_msg *m;

	while (n < max && !list_empty(queue)) {
		c = list_first_entry(queue, struct bnd_rlb_client, ntt_node);
		if (c->queue == BND_RLB_Q_LATER && (s32)((u32)jiffies - c->due) < 0)
			break;
		if (!c->slave) {
			bnd_rlb_untell(c);
			continue;
		}
		m = &rlb->batch[n++];
		m->dev = c->slave->dev;
		m->client_ip = c->key.client_ip;
		m->server_ip = c->key.server_ip;
		ether_addr_copy(m->client_mac, c->client_mac);
		m->vlan_id = c->vlan_id;
		if (--c->tries) {
			c->due = (u32)jiffies + BND_RLB_UPDATE_DELAY;
			list_move_tail(&c->ntt_node, &rlb->tell_later);
			c->queue = BND_RLB_Q_LATER;
		} else {
			bnd_rlb_untell(c);
		}
	}
	return n;
}

static void bnd_rlb_send(struct bnd_bond *bond, const struct bnd_rlb_msg *m)
{
	struct sk_buff *skb;
	int i;

	for (i = 0; i < BND_RLB_BURST; i++) {
		skb = arp_create(ARPOP_REPLY, ETH_P_ARP, m->client_ip, m->dev,
				 m->server_ip, m->client_mac, m->dev->dev_addr,
				 m->client_mac);
		if (!skb)
			return;
		if (m->vlan_id)
			__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), m->vlan_id);
		arp_xmit(skb);
		atomic64_inc(&bond->rlb.updates);
	}
}

/*
 * Ten times a second, from the lb monitor: rebalance, re-tell, age, and
 * send a round of updates, each a bounded amount of work.
 */
void bnd_rlb_tick(struct bnd_bond *bond)
{
	struct bnd_rlb *rlb = bnd_rlb_of(bond);
	unsigned int n, i;

	rcu_read_lock();
	spin_lock_bh(&bond->b.mode_lock);
	if (rlb->rebalance && bnd_rlb_rebalance(bond, rlb))
		rlb->rebalance = false;
	bnd_rlb_retell(bond, rlb);
	bnd_rlb_age(bond, rlb);
	/*
	 * Neither queue starves the other: later rounds get a quarter of the
	 * budget if they are due, first rounds what they need of the rest,
	 * later rounds whatever is still left.
	 */
	n = bnd_rlb_take(rlb, &rlb->tell_later, 0, BND_RLB_UPDATES_PER_TICK / 4);
	n = bnd_rlb_take(rlb, &rlb->tell_now, n, BND_RLB_UPDATES_PER_TICK);
	n = bnd_rlb_take(rlb, &rlb->tell_later, n, BND_RLB_UPDATES_PER_TICK);
	spin_unlock_bh(&bond->b.mode_lock);

	/*
	 * Each update goes out on (skb->dev is) the slave device its client
	 * was assigned to, and holds no reference on it. The assignment is
	 * made and withdrawn under mode_lock (bnd_rlb_assign; bnd_rlb_slave_gone,
	 * which a slave runs as it leaves the bond, also when its device is
	 * unregistered, from the NETDEV_UNREGISTER notifier). The unregister
	 * path frees the device only after the synchronize_net() that follows
	 * those notifiers. This read-side section began before we read the
	 * assignments, so it ends before that grace period can: transmit
	 * inside it, never after rcu_read_unlock().
	 */
	for (i = 0; i < n; i++)
		bnd_rlb_send(bond, &rlb->batch[i]);
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

/*
 * @slave lost its link or left (RTNL, process context): its clients move
 * to the others and are told, a few times; until they listen, the active
 * slave also takes frames sent to the old MAC. Nothing assigns clients to
 * @slave any more (it cannot transmit), so the lock may be dropped between
 * chunks; all of them are off it when this returns.
 */
void bnd_rlb_slave_gone(struct bnd_bond *bond, struct bnd_slave *slave)
{
	struct bnd_rlb *rlb = bnd_rlb_of(bond);
	struct bnd_rlb_client *c;
	struct slave *active;
	unsigned int n;
	bool more;

	ASSERT_RTNL();
	might_sleep();
	if (rlb->promisc == &slave->s)
		bnd_rlb_promisc_drop(bond);
	do {
		rcu_read_lock();
		spin_lock_bh(&bond->b.mode_lock);
		for (n = 0; n < BND_RLB_CHUNK && !list_empty(&slave->lb.rlb_clients); n++) {
			c = list_first_entry(&slave->lb.rlb_clients, struct bnd_rlb_client,
					     slave_node);
			bnd_rlb_assign(rlb, c, bnd_rlb_pick(bond, &slave->s));
			bnd_rlb_tell(rlb, c, BND_RLB_UPDATE_TRIES, true);
			atomic64_inc(&bond->rlb.reassigned);
		}
		more = !list_empty(&slave->lb.rlb_clients);
		spin_unlock_bh(&bond->b.mode_lock);
		rcu_read_unlock();
		cond_resched();
	} while (more);

	active = rtnl_dereference(bond->b.curr_active_slave);
	if (!active || active == &slave->s)
		return;
	if (!rlb->promisc && !dev_set_promiscuity(active->dev, 1))
		rlb->promisc = active;
	rlb->promisc_ticks = 0;
	bnd_lb_send_learning(bond, active, slave->s.dev->dev_addr, true);
}

/*
 * @slave's MAC changed (RTNL): its clients must learn the new one. Visited
 * in chunks, each moved to the tail of the slave's list (whose order does
 * not matter), so the lock is dropped between chunks.
 */
void bnd_rlb_slave_mac_changed(struct bnd_bond *bond, struct bnd_slave *slave)
{
	struct bnd_rlb *rlb = bnd_rlb_of(bond);
	struct list_head *head = &slave->lb.rlb_clients;
	struct bnd_rlb_client *c;
	unsigned int left, n;

	spin_lock_bh(&bond->b.mode_lock);
	left = slave->lb.rlb_count;
	while (left && !list_empty(head)) {
		for (n = 0; n < BND_RLB_CHUNK && left && !list_empty(head); n++, left--) {
			c = list_first_entry(head, struct bnd_rlb_client, slave_node);
			list_move_tail(&c->slave_node, head);
			bnd_rlb_tell(rlb, c, BND_RLB_UPDATE_TRIES, true);
		}
		spin_unlock_bh(&bond->b.mode_lock);
		spin_lock_bh(&bond->b.mode_lock);
	}
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

	if (!rlb)
		return;
	spin_lock_bh(&bond->b.mode_lock);
	list_for_each_entry_safe(c, tmp, &rlb->lru, lru_node) {
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
	INIT_LIST_HEAD(&rlb->tell_now);
	INIT_LIST_HEAD(&rlb->tell_later);
	INIT_LIST_HEAD(&rlb->lru);
	INIT_LIST_HEAD(&rlb->retell);
	rlb->batch = kvcalloc(BND_RLB_UPDATES_PER_TICK, sizeof(*rlb->batch), GFP_KERNEL);
	if (!rlb->batch)
		goto err;
	if (rhashtable_init(&rlb->clients, &bnd_rlb_client_params))
		goto err;
	if (rhashtable_init(&rlb->servers, &bnd_rlb_server_params)) {
		rhashtable_destroy(&rlb->clients);
		goto err;
	}
	return rlb;
err:
	kvfree(rlb->batch);
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
	ASSERT_RTNL();
	if (rlb->promisc) {
		dev_set_promiscuity(rlb->promisc->dev, -1);
		rlb->promisc = NULL;
	}
	while (!list_empty(&rlb->lru))
		bnd_rlb_delete(rlb, list_first_entry(&rlb->lru, struct bnd_rlb_client,
						     lru_node));
	rhashtable_destroy(&rlb->clients);
	rhashtable_free_and_destroy(&rlb->servers, bnd_rlb_free_server, NULL);
	kvfree(rlb->batch);
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
	char buf[512];

	seq_printf(m, "RLB Clients: %u\n", bnd_rlb_count(bond));
	seq_printf(m, "RLB Max Clients: %u\n", rlb_max_clients);
	seq_printf(m, "RLB Client Timeout: %u\n", rlb_client_timeout);
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
			 "RLB Updates Sent: %lld\n"
			 "RLB Clients Aged: %lld\n"
			 "RLB Clients Evicted: %lld\n",
			 atomic64_read(&r->arp_seen), atomic64_read(&r->arp_bad),
			 atomic64_read(&r->added), atomic64_read(&r->reassigned),
			 atomic64_read(&r->refused), atomic64_read(&r->purged),
			 atomic64_read(&r->updates), atomic64_read(&r->aged),
			 atomic64_read(&r->evicted));
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
	if (rlb_client_timeout > BND_RLB_TIMEOUT_MAX) {
		pr_err("option rlb_client_timeout: invalid value (%u); allowed values 0 - %u\n",
		       rlb_client_timeout, BND_RLB_TIMEOUT_MAX);
		return -EINVAL;
	}
	bnd_rlb_idle_max = rlb_client_timeout * HZ;
	bnd_rlb_cache = KMEM_CACHE(bnd_rlb_client, 0);
	return bnd_rlb_cache ? 0 : -ENOMEM;
}

void bnd_rlb_exit(void)
{
	rcu_barrier();
	kmem_cache_destroy(bnd_rlb_cache);
}
