/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 802.3ad / IEEE 802.1AX Link Aggregation Control Protocol: the state a
 * port carries and the entry points mode_3ad.c uses. The protocol itself
 * (receive, periodic, mux, transmit and churn machines, selection logic,
 * marker responder) lives in lacp.c.
 *
 * State is the running kernel's: struct port and struct aggregator inside
 * struct ad_slave_info (s.ad_info), struct ad_bond_info in b.ad_info. The
 * fields in-tree readers look at (port.aggregator, the oper states, the
 * churn states) mean what they always meant. Everything is guarded by
 * b.mode_lock; port.aggregator is also published with RCU.
 *
 * Timers count ticks of the bond's ad_work (AD_TIMER_INTERVAL ms).
 */
#ifndef BND_LACP_H
#define BND_LACP_H

#include <linux/etherdevice.h>
#include <linux/if_bonding.h>
#include <linux/skbuff.h>
#include <net/bond_3ad.h>

#include "bond.h"

#define LACP_TICKS_PER_SEC	(1000 / AD_TIMER_INTERVAL)
#define LACP_FAST_PERIODIC	(1 * LACP_TICKS_PER_SEC)	/* Fast_Periodic_Time */
#define LACP_SLOW_PERIODIC	(30 * LACP_TICKS_PER_SEC)	/* Slow_Periodic_Time */
#define LACP_SHORT_TIMEOUT	(3 * LACP_FAST_PERIODIC)	/* Short_Timeout_Time */
#define LACP_LONG_TIMEOUT	(3 * LACP_SLOW_PERIODIC)	/* Long_Timeout_Time */
#define LACP_CHURN_TIME		(60 * LACP_TICKS_PER_SEC)	/* Churn_Detection_Time */
#define LACP_AGGREGATE_WAIT	(2 * LACP_TICKS_PER_SEC)	/* Aggregate_Wait_Time */
#define LACP_TX_PER_PERIOD	3	/* LACPDUs per Fast_Periodic_Time, at most */
#define LACP_MARKER_PER_SEC	5	/* marker responses per second, at most */

/* Before the bond picks its active aggregator: after open, after the first port. */
#define LACP_SETTLE_OPEN	1
#define LACP_SETTLE_FIRST	(8 * LACP_TICKS_PER_SEC)

/* Key: user key (10 bits) | speed (5 bits) | full duplex (1 bit), as upstream. */
#define LACP_KEY_DUPLEX		0x1
#define LACP_KEY_SPEED_SHIFT	1
#define LACP_KEY_USER_SHIFT	6

/* Default actor port priority, as upstream. */
#define LACP_PORT_PRIO_DEFAULT	0xff

/* The Selected variable of a port (802.1AX 6.4.8). */
enum lacp_selected {
	LACP_UNSELECTED,
	LACP_SELECTED,
	LACP_STANDBY,
};

/**
 * struct lacp_port - what s.ad_info points to
 * @info:	the kernel's per-slave 802.3ad state; must stay first, the core
 *		kfree()s s.ad_info
 * @selected:	enum lacp_selected
 * @begin:	the machines start over at the next tick (BEGIN)
 * @lacp_enabled: the link is full duplex point-to-point (LACP_Enabled)
 * @port_moved:	the partner's port showed up on another of our ports
 * @ready_n:	the wait_while timer expired (Ready_N)
 * @want_coll:	the mux machine collects on this port
 * @want_dist:	the mux machine distributes on this port; transmit may use
 *		the slave once the core applied it (read locklessly)
 * @pending:	@want_coll/@want_dist changed since they were applied
 * @mc_added:	the LACP group address is on the slave (RTNL)
 * @tx_next:	slot of @tx_stamp to overwrite next
 * @tx_stamp:	jiffies of the last LACPDUs sent (transmit rate limit)
 * @marker_start: jiffies the current marker-response second began
 * @marker_count: marker responses sent in it
 */
struct lacp_port {
	struct ad_slave_info info;
	u8 selected;
	bool begin;
	bool lacp_enabled;
	bool port_moved;
	bool ready_n;
	bool want_coll;
	bool want_dist;
	bool pending;
	bool mc_added;
	u8 tx_next;
	unsigned long tx_stamp[LACP_TX_PER_PERIOD];
	unsigned long marker_start;
	u8 marker_count;
};

static inline struct lacp_port *lacp_port_of(const struct slave *s)
{
	return s->ad_info ? container_of(s->ad_info, struct lacp_port, info) : NULL;
}

/* The port is bound to its slave (between attach and detach). */
static inline bool lacp_bound(const struct lacp_port *lp)
{
	return lp && lp->info.port.slave;
}

/* Callers hold b.mode_lock. */
static inline struct aggregator *lacp_agg(const struct port *port)
{
	return rcu_dereference_protected(port->aggregator, true);
}

static inline struct lacp_port *lacp_of_port(struct port *p)
{
	return container_of(p, struct lacp_port, info.port);
}

static inline bool lacp_mac_eq(const struct mac_addr *a, const struct mac_addr *b)
{
	return ether_addr_equal_unaligned(a->mac_addr_value, b->mac_addr_value);
}

/* ---- aggregators (mode_lock held) ----------------------------------- */

/* The aggregator's group has a partner that answered. */
static inline bool lacp_agg_has_partner(const struct aggregator *agg)
{
	return !is_zero_ether_addr(agg->partner_system.mac_addr_value);
}

/* Ports of the aggregator whose link is up. */
static inline unsigned int lacp_agg_enabled_ports(const struct aggregator *agg)
{
	unsigned int n = 0;
	struct port *p;

	for (p = agg->lag_ports; p; p = p->next_port_in_aggregator)
		if (p->is_enabled)
			n++;
	return n;
}

/* Forget the group an aggregator served; its identity stays. */
static inline void lacp_agg_clear(struct aggregator *agg)
{
	agg->is_individual = false;
	agg->actor_admin_aggregator_key = 0;
	agg->actor_oper_aggregator_key = 0;
	memset(&agg->partner_system, 0, sizeof(agg->partner_system));
	agg->partner_system_priority = 0;
	agg->partner_oper_aggregator_key = 0;
	agg->receive_state = 0;
	agg->transmit_state = 0;
	agg->lag_ports = NULL;
	agg->is_active = 0;
	agg->num_of_ports = 0;
}

static inline void lacp_agg_add_port(struct aggregator *agg, struct port *p)
{
	struct port **pp = &agg->lag_ports;

	while (*pp)
		pp = &(*pp)->next_port_in_aggregator;
	*pp = p;
	p->next_port_in_aggregator = NULL;
	agg->num_of_ports++;
	p->actor_port_aggregator_identifier = agg->aggregator_identifier;
	rcu_assign_pointer(p->aggregator, agg);
}

/* Take @p out of its aggregator; an aggregator left empty is cleared. */
static inline void lacp_agg_remove_port(struct port *p)
{
	struct aggregator *agg = lacp_agg(p);
	struct port **pp;

	if (!agg)
		return;
	for (pp = &agg->lag_ports; *pp; pp = &(*pp)->next_port_in_aggregator) {
		if (*pp == p) {
			*pp = p->next_port_in_aggregator;
			agg->num_of_ports--;
			break;
		}
	}
	p->next_port_in_aggregator = NULL;
	p->actor_port_aggregator_identifier = 0;
	RCU_INIT_POINTER(p->aggregator, NULL);
	if (!agg->lag_ports)
		lacp_agg_clear(agg);
}

extern const u8 lacp_group_addr[ETH_ALEN];

/*
 * lacp.c: the machines of one port, all under b.mode_lock except lacp_rx().
 * A tick runs lacp_port_rx_tick() on every port, then the selection logic
 * (mode_3ad.c), then lacp_port_run() on every port.
 */
void lacp_system_refresh(struct bnd_bond *bond, const u8 *bond_mac);
void lacp_port_defaults(struct bnd_bond *bond, struct lacp_port *lp);
void lacp_port_actor_refresh(struct bnd_bond *bond, struct lacp_port *lp);
void lacp_port_link(struct bnd_bond *bond, struct lacp_port *lp);
void lacp_port_start(struct bnd_bond *bond, struct lacp_port *lp);
void lacp_port_update_want(struct lacp_port *lp);
void lacp_port_rx_tick(struct bnd_bond *bond, struct lacp_port *lp);
void lacp_port_run(struct bnd_bond *bond, struct lacp_port *lp, struct sk_buff_head *txq);
int lacp_rx(struct bnd_bond *bond, struct lacp_port *lp, const struct sk_buff *skb,
	    struct sk_buff_head *txq);

#endif /* BND_LACP_H */
