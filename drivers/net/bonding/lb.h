/* SPDX-License-Identifier: GPL-2.0 */
/*
 * balance-tlb and balance-alb: state shared by the transmit balancer
 * (mode_tlb.c), the receive balancer RLB (rlb.c) and the alb glue
 * (mode_alb.c). All of it lives in bond->mode_priv from ndo_open to
 * ndo_stop; see bnd_lb_rcu() below for how transmit reads it, and device.c
 * for when the receive hook may.
 */
#ifndef BND_LB_H
#define BND_LB_H

#include <linux/rhashtable-types.h>
#include <linux/skbuff.h>

#include "bond.h"

#define BND_LB_TICKS_PER_SEC	10	/* lb monitor rate */
#define BND_TLB_BUCKETS		256	/* transmit hash buckets */
#define BND_TLB_REBALANCE_SEC	10	/* transmit rebalance period */
#define BND_RLB_UPDATE_DELAY	(2 * HZ)	/* jiffies between rounds; after we ARP */
#define BND_RLB_UPDATE_TRIES	4	/* rounds (2 s apart) telling a client news */
#define BND_RLB_BURST		2	/* ARP replies per client update */
/*
 * RLB's work per lb monitor tick, under mode_lock, is bounded whatever the
 * size of the table; what does not fit carries over to the next tick.
 */
#define BND_RLB_UPDATES_PER_TICK 1024	/* clients told (BURST replies each) */
#define BND_RLB_MOVES_PER_TICK	256	/* clients a rebalance moves */
#define BND_RLB_RETELL_PER_TICK	1024	/* clients of re-told servers visited */
#define BND_RLB_AGE_PER_TICK	256	/* idle clients forgotten */
#define BND_RLB_CHUNK		256	/* clients per locked section (RTNL paths) */
#define BND_RLB_PROMISC_TICKS	(10 * BND_LB_TICKS_PER_SEC)

struct bnd_rlb;

/* One transmit bucket: the slave destinations hashing here use. */
struct bnd_tlb_bucket {
	struct slave __rcu *slave;
	u64 load;		/* bytes/s over the last rebalance period */
};

/* Bytes sent per bucket, counted per CPU without locks. */
struct bnd_tlb_pcpu {
	u64 bytes[BND_TLB_BUCKETS];
	u64 unbalanced;		/* sent on the active slave, not hashed */
};

/**
 * struct bnd_lb - tlb/alb state of a running bond
 * @bond:	  owner
 * @bucket:	  transmit assignment; slaves are set locklessly with cmpxchg
 * @pcpu:	  per-CPU byte counters of the buckets
 * @rlb:	  receive balancing (alb only), NULL otherwise
 * @ticks:	  monitor ticks since the last transmit rebalance
 * @lp_ticks:	  monitor ticks since the last learning packets
 * @rebalance_tx: rebalance transmit at the next tick (slave added/up)
 * @snap:	  bucket byte totals at the last rebalance (last: unbalanced)
 * @scratch:	  the monitor's sums of the per-CPU counters
 */
struct bnd_lb {
	struct bnd_bond *bond;
	struct bnd_tlb_bucket bucket[BND_TLB_BUCKETS];
	struct bnd_tlb_pcpu __percpu *pcpu;
	struct bnd_rlb *rlb;
	unsigned int ticks;
	unsigned int lp_ticks;
	bool rebalance_tx;
	u64 snap[BND_TLB_BUCKETS + 1];
	u64 scratch[BND_TLB_BUCKETS + 1];
};

/* What tlb and alb do alike with slaves and MACs. */
#define BND_LB_SLAVE_OPS					\
	.close		= bnd_lb_close,				\
	.slave_init	= bnd_lb_slave_init,			\
	.slave_attach	= bnd_lb_slave_attach,			\
	.slave_detach	= bnd_lb_slave_detach,			\
	.link_change	= bnd_lb_link_change,			\
	.active_change	= bnd_lb_active_change,			\
	.set_mac	= bnd_lb_set_mac

/*
 * bond->mode_priv holds the struct bnd_lb of a running tlb/alb bond.
 * bnd_lb_open() publishes it, complete, with rcu_assign_pointer() (RTNL and
 * mode_lock held); bnd_lb_close() withdraws it (same locks) and frees it
 * only after a synchronize_net(). Transmit can run outside that window:
 * senders that bypass the qdisc (AF_PACKET with PACKET_QDISC_BYPASS,
 * pktgen) call ndo_start_xmit once netif_running() is true, which
 * __dev_open() makes so before ndo_open runs, and can still be on their way
 * in when ndo_stop runs (the qdisc-less grace period in dev_deactivate()
 * came before our withdrawal). So transmit and receive read it once with
 * bnd_lb_rcu(), under rcu_read_lock(), and drop the frame if it is NULL.
 */
static inline struct bnd_lb *bnd_lb_rcu(const struct bnd_bond *bond)
{
	return rcu_dereference(bond->mode_priv);
}

/* Control paths: RTNL, mode_lock, or the lb monitor (close cancels it first). */
static inline struct bnd_lb *bnd_lb(struct bnd_bond *bond)
{
	return rcu_dereference_check(bond->mode_priv,
				     lockdep_rtnl_is_held() ||
				     lockdep_is_held(&bond->b.mode_lock) ||
				     current_work() == &bond->b.alb_work.work);
}

/* mode_tlb.c: shared by tlb and alb */
int bnd_lb_open(struct bnd_bond *bond, bool with_rlb);
void bnd_lb_close(struct bnd_bond *bond);
int bnd_lb_slave_init(struct bnd_bond *bond, struct bnd_slave *slave);
void bnd_lb_slave_detach(struct bnd_bond *bond, struct bnd_slave *slave);
void bnd_lb_link_change(struct bnd_bond *bond, struct bnd_slave *slave, int link);
void bnd_lb_active_change(struct bnd_bond *bond, struct bnd_slave *new_active,
			  struct bnd_slave *old_active);
int bnd_lb_set_mac(struct bnd_bond *bond, const u8 *addr);
void bnd_lb_slave_attach(struct bnd_bond *bond, struct bnd_slave *slave);
struct slave *bnd_tlb_choose(struct bnd_bond *bond, struct bnd_lb *lb, u32 hash,
			     unsigned int len);
struct slave *bnd_lb_hash_slave(struct bnd_bond *bond, struct sk_buff *skb);
netdev_tx_t bnd_lb_xmit(struct bnd_bond *bond, struct bnd_lb *lb, struct sk_buff *skb,
			struct slave *tx_slave);
bool bnd_lb_is_nd(struct sk_buff *skb);
void bnd_lb_send_learning(struct bnd_bond *bond, struct slave *s,
			  const u8 *mac, bool strict);
void bnd_lb_proc_show(struct seq_file *m, struct bnd_bond *bond);

/* rlb.c */
struct bnd_rlb *bnd_rlb_create(struct bnd_bond *bond);
void bnd_rlb_destroy(struct bnd_rlb *rlb);
int bnd_rlb_recv(const struct sk_buff *skb, struct bonding *b, struct slave *s);
struct slave *bnd_rlb_arp_xmit(struct bnd_bond *bond, struct bnd_rlb *rlb,
			       struct sk_buff *skb);
void bnd_rlb_tick(struct bnd_bond *bond);
void bnd_rlb_slave_gone(struct bnd_bond *bond, struct bnd_slave *slave);
void bnd_rlb_promisc_drop(struct bnd_bond *bond);
void bnd_rlb_slave_mac_changed(struct bnd_bond *bond, struct bnd_slave *slave);
void bnd_rlb_request_rebalance(struct bnd_bond *bond);
void bnd_rlb_proc_show(struct seq_file *m, struct bnd_bond *bond);
void bnd_rlb_vlan_removed(struct bnd_bond *bond, u16 vid);
void bnd_rlb_proc_show_slave(struct seq_file *m, struct bnd_bond *bond,
			     struct bnd_slave *slave);

#endif /* BND_LB_H */
