// SPDX-License-Identifier: GPL-2.0
/*
 * LACP as IEEE 802.1AX describes it (clause 6 of the 2014 edition, 43.4 of
 * 802.3-2005), per port: the receive machine (current_while timer, EXPIRED,
 * DEFAULTED), the periodic transmit machine paced by the partner's timeout,
 * the mux machine (coupled or independent collecting/distributing), the
 * transmit machine, limited to three LACPDUs per second, and the two churn
 * detection machines; LACPDU and marker PDU checks, and the marker
 * responder. The selection logic (which aggregator a port joins, which one
 * the bond uses) is the bond's, in mode_3ad.c.
 *
 * The machines run on ticks of the bond's ad_work; a received LACPDU runs
 * the receive machine at once. Everything here is called with b.mode_lock
 * held, except lacp_rx(), which takes it itself after checking the PDU.
 */
#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/pkt_sched.h>

#include "lacp.h"

const u8 lacp_group_addr[ETH_ALEN] __aligned(2) = {
	0x01, 0x80, 0xc2, 0x00, 0x00, 0x02
};

#define LACP_SUBTYPE		1
#define MARKER_SUBTYPE		2
#define LACP_TLV_ACTOR		1
#define LACP_TLV_PARTNER	2
#define LACP_TLV_COLLECTOR	3
#define LACP_INFO_LEN		20
#define LACP_COLLECTOR_LEN	16
#define MARKER_TLV_INFO		1
#define MARKER_TLV_RESPONSE	2
#define MARKER_INFO_LEN		16

/* Actor state bits the partner's view of us is compared on (update_NTT). */
#define LACP_NTT_BITS	(LACP_STATE_LACP_ACTIVITY | LACP_STATE_LACP_TIMEOUT | \
			 LACP_STATE_SYNCHRONIZATION | LACP_STATE_AGGREGATION)

static const struct port_params lacp_partner_admin = {
	.system_priority = 0xffff,
	.key = 1,
	.port_number = 1,
	.port_priority = 0xff,
	.port_state = 0,
};

#define LACP_COUNT(bond, lp, field) do {				\
	atomic64_inc(&(lp)->info.stats.field);				\
	atomic64_inc(&(bond)->b.ad_info.stats.field);			\
} while (0)

/* ---- keys and identities ---------------------------------------------- */

/* Speed bits of the key: 1 Mb/s is 1, 10 Mb/s 2, ... 800 Gb/s 17; else 0. */
static u16 lacp_speed_code(u32 speed)
{
	static const u32 mbps[] = {
		1, 10, 100, 1000, 2500, 5000, 10000, 14000, 20000, 25000, 40000,
		50000, 56000, 100000, 200000, 400000, 800000,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(mbps); i++)
		if (mbps[i] == speed)
			return i + 1;
	return 0;
}

/* Speed and duplex count only while the port is enabled (link up). */
static u16 lacp_key(const struct bnd_bond *bond, const struct port *p)
{
	u16 key = (bond->b.params.ad_user_port_key & 0x3ff) << LACP_KEY_USER_SHIFT;
	const struct slave *s = p->slave;

	if (!p->is_enabled)
		return key;
	key |= lacp_speed_code(s->speed) << LACP_KEY_SPEED_SHIFT;
	if (s->duplex == DUPLEX_FULL)
		key |= LACP_KEY_DUPLEX;
	return key;
}

void lacp_system_refresh(struct bnd_bond *bond, const u8 *bond_mac)
{
	struct ad_system *sys = &bond->b.ad_info.system;
	const u8 *mac = bond->b.params.ad_actor_system;

	if (is_zero_ether_addr(mac))
		mac = bond_mac;
	sys->sys_priority = bond->b.params.ad_actor_sys_prio;
	memcpy(sys->sys_mac_addr.mac_addr_value, mac, ETH_ALEN);
}

/* ---- port life -------------------------------------------------------- */

/* Actor parameters from the bond's options and the slave's link. */
void lacp_port_actor_refresh(struct bnd_bond *bond, struct lacp_port *lp)
{
	const struct bond_params *prm = &bond->b.params;
	const struct ad_system *sys = &bond->b.ad_info.system;
	struct port *p = &lp->info.port;
	struct aggregator *agg = lacp_agg(p);
	u8 admin = LACP_STATE_AGGREGATION, oper;
	u16 key = lacp_key(bond, p);

	if (prm->lacp_active)
		admin |= LACP_STATE_LACP_ACTIVITY;
	if (prm->lacp_fast)
		admin |= LACP_STATE_LACP_TIMEOUT;
	oper = (p->actor_oper_port_state & ~(LACP_STATE_LACP_ACTIVITY |
					     LACP_STATE_LACP_TIMEOUT)) | admin;

	if (oper != p->actor_oper_port_state || key != p->actor_oper_port_key ||
	    !lacp_mac_eq(&p->actor_system, &sys->sys_mac_addr) ||
	    p->actor_system_priority != sys->sys_priority ||
	    p->actor_port_priority != lp->info.port_priority)
		p->ntt = true;

	p->actor_admin_port_state = admin;
	p->actor_oper_port_state = oper;
	p->actor_system = sys->sys_mac_addr;
	p->actor_system_priority = sys->sys_priority;
	p->actor_port_priority = lp->info.port_priority;
	p->actor_admin_port_key = key;
	p->actor_oper_port_key = key;
	lp->lacp_enabled = key & LACP_KEY_DUPLEX;

	/* A usable link whose key no longer fits its group must leave it. */
	if (p->is_enabled && agg && lp->selected != LACP_UNSELECTED &&
	    agg->actor_oper_aggregator_key != key)
		lp->selected = LACP_UNSELECTED;
}

/* A port new to the bond: nothing is known of a partner yet. */
void lacp_port_defaults(struct bnd_bond *bond, struct lacp_port *lp)
{
	struct port *p = &lp->info.port;

	memset(p, 0, sizeof(*p));
	lp->info.port_priority = LACP_PORT_PRIO_DEFAULT;
	p->partner_admin = lacp_partner_admin;
	p->partner_oper = lacp_partner_admin;
	p->actor_oper_port_state = LACP_STATE_AGGREGATION;
	lp->selected = LACP_UNSELECTED;
	lp->want_coll = false;
	WRITE_ONCE(lp->want_dist, false);
}

/* What the mux machine asks of the slave; note when it changes. */
void lacp_port_update_want(struct lacp_port *lp)
{
	struct port *p = &lp->info.port;
	struct aggregator *agg = lacp_agg(p);
	bool coll = false, dist = false;

	if (agg && agg->is_active && p->is_enabled) {
		switch (p->sm_mux_state) {
		case AD_MUX_COLLECTING_DISTRIBUTING:
		case AD_MUX_DISTRIBUTING:
			coll = true;
			dist = true;
			break;
		case AD_MUX_COLLECTING:
			coll = true;
			break;
		case AD_MUX_ATTACHED:
			/* No LACP partner at all: carry traffic anyway (as upstream). */
			coll = !lacp_agg_has_partner(agg);
			dist = coll;
			break;
		default:
			break;
		}
	}
	if (coll != lp->want_coll || dist != lp->want_dist) {
		lp->want_coll = coll;
		WRITE_ONCE(lp->want_dist, dist);
		lp->pending = true;
	}
}

/* The slave's link changed (it is up or down now). */
void lacp_port_link(struct bnd_bond *bond, struct lacp_port *lp)
{
	struct port *p = &lp->info.port;

	p->is_enabled = p->slave->link == BOND_LINK_UP;
	lacp_port_actor_refresh(bond, lp);
	lacp_port_update_want(lp);
}

/* Start over from BEGIN at the next tick (the bond is up). */
void lacp_port_start(struct bnd_bond *bond, struct lacp_port *lp)
{
	int i;

	lacp_port_link(bond, lp);
	for (i = 0; i < LACP_TX_PER_PERIOD; i++)
		lp->tx_stamp[i] = jiffies - HZ;
	lp->marker_start = jiffies - HZ;
	lp->begin = true;
}

/* ---- receive machine -------------------------------------------------- */

static void record_default(struct port *p)
{
	p->partner_oper = p->partner_admin;
	p->actor_oper_port_state |= LACP_STATE_DEFAULTED;
}

/* The PDU's actor is who we think our partner is (update_Selected). */
static bool pdu_actor_known(const struct lacpdu *pdu, const struct port_params *pp)
{
	return ntohs(pdu->actor_port) == pp->port_number &&
	       ntohs(pdu->actor_port_priority) == pp->port_priority &&
	       lacp_mac_eq(&pdu->actor_system, &pp->system) &&
	       ntohs(pdu->actor_system_priority) == pp->system_priority &&
	       ntohs(pdu->actor_key) == pp->key &&
	       !((pdu->actor_state ^ pp->port_state) & LACP_STATE_AGGREGATION);
}

/* The PDU's partner is us as we are now. */
static bool pdu_partner_is_us(const struct lacpdu *pdu, const struct port *p)
{
	return ntohs(pdu->partner_port) == p->actor_port_number &&
	       ntohs(pdu->partner_port_priority) == p->actor_port_priority &&
	       lacp_mac_eq(&pdu->partner_system, &p->actor_system) &&
	       ntohs(pdu->partner_system_priority) == p->actor_system_priority &&
	       ntohs(pdu->partner_key) == p->actor_oper_port_key &&
	       !((pdu->partner_state ^ p->actor_oper_port_state) & LACP_STATE_AGGREGATION);
}

static void record_pdu(struct port *p, const struct lacpdu *pdu)
{
	struct port_params *pp = &p->partner_oper;
	u8 st = pdu->actor_state;
	bool active, sync;

	pp->port_number = ntohs(pdu->actor_port);
	pp->port_priority = ntohs(pdu->actor_port_priority);
	pp->system = pdu->actor_system;
	pp->system_priority = ntohs(pdu->actor_system_priority);
	pp->key = ntohs(pdu->actor_key);
	p->actor_oper_port_state &= ~LACP_STATE_DEFAULTED;

	active = (st & LACP_STATE_LACP_ACTIVITY) ||
		 ((p->actor_oper_port_state & LACP_STATE_LACP_ACTIVITY) &&
		  (pdu->partner_state & LACP_STATE_LACP_ACTIVITY));
	sync = (st & LACP_STATE_SYNCHRONIZATION) && active &&
	       (pdu_partner_is_us(pdu, p) || !(st & LACP_STATE_AGGREGATION));
	pp->port_state = sync ? st | LACP_STATE_SYNCHRONIZATION :
				st & ~LACP_STATE_SYNCHRONIZATION;
}

static void rx_enter(struct lacp_port *lp, rx_states_t st, const struct lacpdu *pdu)
{
	struct port *p = &lp->info.port;
	struct port_params *pp = &p->partner_oper;

	p->sm_rx_state = st;
	switch (st) {
	case AD_RX_INITIALIZE:
		lp->selected = LACP_UNSELECTED;
		record_default(p);
		p->actor_oper_port_state &= ~LACP_STATE_EXPIRED;
		lp->port_moved = false;
		break;
	case AD_RX_PORT_DISABLED:
		pp->port_state &= ~LACP_STATE_SYNCHRONIZATION;
		break;
	case AD_RX_LACP_DISABLED:
		lp->selected = LACP_UNSELECTED;
		record_default(p);
		pp->port_state &= ~LACP_STATE_AGGREGATION;
		p->actor_oper_port_state &= ~LACP_STATE_EXPIRED;
		break;
	case AD_RX_EXPIRED:
		pp->port_state &= ~LACP_STATE_SYNCHRONIZATION;
		pp->port_state |= LACP_STATE_LACP_TIMEOUT;
		p->sm_rx_timer_counter = LACP_SHORT_TIMEOUT;
		p->actor_oper_port_state |= LACP_STATE_EXPIRED;
		break;
	case AD_RX_DEFAULTED:
		net_info_ratelimited("%s: (slave %s): no LACPDU from a partner, using partner defaults\n",
				     p->slave->bond->dev->name, p->slave->dev->name);
		/* update_Default_Selected */
		if (p->partner_admin.port_number != pp->port_number ||
		    p->partner_admin.port_priority != pp->port_priority ||
		    !lacp_mac_eq(&p->partner_admin.system, &pp->system) ||
		    p->partner_admin.system_priority != pp->system_priority ||
		    p->partner_admin.key != pp->key ||
		    ((p->partner_admin.port_state ^ pp->port_state) & LACP_STATE_AGGREGATION))
			lp->selected = LACP_UNSELECTED;
		record_default(p);
		p->actor_oper_port_state &= ~LACP_STATE_EXPIRED;
		break;
	case AD_RX_CURRENT:
		if (!pdu_actor_known(pdu, pp))
			lp->selected = LACP_UNSELECTED;
		if (!pdu_partner_is_us(pdu, p) ||
		    ((pdu->partner_state ^ p->actor_oper_port_state) & LACP_NTT_BITS))
			p->ntt = true;
		record_pdu(p, pdu);
		p->sm_rx_timer_counter =
			(p->actor_oper_port_state & LACP_STATE_LACP_TIMEOUT) ?
			LACP_SHORT_TIMEOUT : LACP_LONG_TIMEOUT;
		p->actor_oper_port_state &= ~LACP_STATE_EXPIRED;
		break;
	default:
		break;
	}
}

/* One step of the receive machine: a tick (@pdu NULL) or a LACPDU. */
static void rx_machine(struct lacp_port *lp, const struct lacpdu *pdu)
{
	struct port *p = &lp->info.port;
	bool expired = false;
	rx_states_t next;
	int i;

	if (lp->begin) {
		rx_enter(lp, AD_RX_INITIALIZE, NULL);
	} else if (!p->is_enabled && !lp->port_moved) {
		if (p->sm_rx_state != AD_RX_PORT_DISABLED)
			rx_enter(lp, AD_RX_PORT_DISABLED, NULL);
		return;
	}
	if (!pdu && p->sm_rx_timer_counter &&
	    (p->sm_rx_state == AD_RX_EXPIRED || p->sm_rx_state == AD_RX_CURRENT))
		expired = !--p->sm_rx_timer_counter;

	for (i = 0; i < 6; i++) {
		next = p->sm_rx_state;
		switch (p->sm_rx_state) {
		case AD_RX_INITIALIZE:
			next = AD_RX_PORT_DISABLED;
			break;
		case AD_RX_PORT_DISABLED:
			if (lp->port_moved)
				next = AD_RX_INITIALIZE;
			else if (p->is_enabled)
				next = lp->lacp_enabled ? AD_RX_EXPIRED : AD_RX_LACP_DISABLED;
			break;
		case AD_RX_LACP_DISABLED:
			if (lp->lacp_enabled)
				next = AD_RX_PORT_DISABLED;
			break;
		case AD_RX_EXPIRED:
			if (pdu)
				next = AD_RX_CURRENT;
			else if (expired)
				next = AD_RX_DEFAULTED;
			break;
		case AD_RX_DEFAULTED:
			if (pdu)
				next = AD_RX_CURRENT;
			break;
		case AD_RX_CURRENT:
			if (pdu) {
				rx_enter(lp, AD_RX_CURRENT, pdu);
				pdu = NULL;
				continue;
			}
			if (expired)
				next = AD_RX_EXPIRED;
			break;
		default:
			next = AD_RX_INITIALIZE;
			break;
		}
		if (next == p->sm_rx_state)
			break;
		rx_enter(lp, next, pdu);
		if (next == AD_RX_CURRENT)
			pdu = NULL;
		expired = false;
	}
}

/* ---- periodic, transmit, churn ---------------------------------------- */

static void periodic_machine(struct lacp_port *lp)
{
	struct port *p = &lp->info.port;
	bool fast = p->partner_oper.port_state & LACP_STATE_LACP_TIMEOUT;

	if (lp->begin || !lp->lacp_enabled || !p->is_enabled ||
	    (!(p->actor_oper_port_state & LACP_STATE_LACP_ACTIVITY) &&
	     !(p->partner_oper.port_state & LACP_STATE_LACP_ACTIVITY))) {
		p->sm_periodic_state = AD_NO_PERIODIC;
		p->sm_periodic_timer_counter = 0;
		return;
	}
	switch (p->sm_periodic_state) {
	case AD_FAST_PERIODIC:
		if (fast && p->sm_periodic_timer_counter && --p->sm_periodic_timer_counter)
			return;
		if (!fast) {
			p->sm_periodic_state = AD_SLOW_PERIODIC;
			p->sm_periodic_timer_counter = LACP_SLOW_PERIODIC;
			return;
		}
		break;
	case AD_SLOW_PERIODIC:
		if (!fast && p->sm_periodic_timer_counter && --p->sm_periodic_timer_counter)
			return;
		break;
	default:
		/* NO_PERIODIC: start at the partner's pace, without sending yet. */
		p->sm_periodic_state = fast ? AD_FAST_PERIODIC : AD_SLOW_PERIODIC;
		p->sm_periodic_timer_counter = fast ? LACP_FAST_PERIODIC : LACP_SLOW_PERIODIC;
		return;
	}
	/* PERIODIC_TX */
	p->ntt = true;
	p->sm_periodic_state = fast ? AD_FAST_PERIODIC : AD_SLOW_PERIODIC;
	p->sm_periodic_timer_counter = fast ? LACP_FAST_PERIODIC : LACP_SLOW_PERIODIC;
}

/* An Ethernet frame to the Slow Protocols group, from the port's own MAC. */
static struct sk_buff *lacp_frame(struct slave *s, const void *pdu, unsigned int len)
{
	struct net_device *dev = s->dev;
	struct sk_buff *skb;
	struct ethhdr *eth;

	skb = alloc_skb(LL_RESERVED_SPACE(dev) + ETH_HLEN + len + dev->needed_tailroom,
			GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, LL_RESERVED_SPACE(dev));
	skb_reset_mac_header(skb);
	eth = skb_put(skb, ETH_HLEN);
	ether_addr_copy(eth->h_dest, lacp_group_addr);
	memcpy(eth->h_source, s->perm_hwaddr, ETH_ALEN);
	eth->h_proto = htons(ETH_P_SLOW);
	skb_set_network_header(skb, ETH_HLEN);
	skb_put_data(skb, pdu, len);
	skb->protocol = htons(ETH_P_SLOW);
	skb->priority = TC_PRIO_CONTROL;
	skb->dev = dev;
	return skb;
}

static void lacpdu_fill(const struct port *p, struct lacpdu *pdu)
{
	const struct port_params *pp = &p->partner_oper;

	memset(pdu, 0, sizeof(*pdu));
	pdu->subtype = LACP_SUBTYPE;
	pdu->version_number = 1;
	pdu->tlv_type_actor_info = LACP_TLV_ACTOR;
	pdu->actor_information_length = LACP_INFO_LEN;
	pdu->actor_system_priority = htons(p->actor_system_priority);
	pdu->actor_system = p->actor_system;
	pdu->actor_key = htons(p->actor_oper_port_key);
	pdu->actor_port_priority = htons(p->actor_port_priority);
	pdu->actor_port = htons(p->actor_port_number);
	pdu->actor_state = p->actor_oper_port_state;
	pdu->tlv_type_partner_info = LACP_TLV_PARTNER;
	pdu->partner_information_length = LACP_INFO_LEN;
	pdu->partner_system_priority = htons(pp->system_priority);
	pdu->partner_system = pp->system;
	pdu->partner_key = htons(pp->key);
	pdu->partner_port_priority = htons(pp->port_priority);
	pdu->partner_port = htons(pp->port_number);
	pdu->partner_state = pp->port_state;
	pdu->tlv_type_collector_info = LACP_TLV_COLLECTOR;
	pdu->collector_information_length = LACP_COLLECTOR_LEN;
	pdu->collector_max_delay = 0;
}

/* NTT: send, at most LACP_TX_PER_PERIOD per second; never while NO_PERIODIC. */
static void tx_machine(struct bnd_bond *bond, struct lacp_port *lp, struct sk_buff_head *txq)
{
	struct port *p = &lp->info.port;
	struct sk_buff *skb;

	if (!p->ntt)
		return;
	if (p->sm_periodic_state == AD_NO_PERIODIC) {
		p->ntt = false;
		return;
	}
	if (time_before(jiffies, lp->tx_stamp[lp->tx_next] + HZ))
		return;
	lacpdu_fill(p, &p->lacpdu);
	skb = lacp_frame(p->slave, &p->lacpdu, sizeof(p->lacpdu));
	if (!skb)
		return;
	__skb_queue_tail(txq, skb);
	p->sm_tx_state = AD_TRANSMIT;
	lp->tx_stamp[lp->tx_next] = jiffies;
	lp->tx_next = (lp->tx_next + 1) % LACP_TX_PER_PERIOD;
	p->ntt = false;
	LACP_COUNT(bond, lp, lacpdu_tx);
}

/*
 * One churn detection machine (actor or partner). A port is judged once
 * Churn_Detection_Time has run out: until then it shows "monitoring" even
 * if it is in sync, as upstream shows a user; then churned (counted) unless
 * in sync. A port that later loses sync is monitored again.
 */
static void churn_step(churn_state_t *state, u16 *timer, u32 *count, bool restart,
		       bool in_sync)
{
	if (restart) {
		*state = AD_CHURN_MONITOR;
		*timer = LACP_CHURN_TIME;
		return;
	}
	switch (*state) {
	case AD_CHURN_MONITOR:
		if (*timer && --*timer)
			break;
		if (in_sync) {
			*state = AD_NO_CHURN;
		} else {
			*state = AD_CHURN;
			*count += 1;
		}
		break;
	case AD_NO_CHURN:
		if (!in_sync) {
			*state = AD_CHURN_MONITOR;
			*timer = LACP_CHURN_TIME;
		}
		break;
	default:
		if (in_sync)
			*state = AD_NO_CHURN;
		break;
	}
}

static void churn_machines(struct lacp_port *lp)
{
	struct port *p = &lp->info.port;
	bool restart = lp->begin || !p->is_enabled;

	churn_step(&p->sm_churn_actor_state, &p->sm_churn_actor_timer_counter,
		   &p->churn_actor_count, restart,
		   p->actor_oper_port_state & LACP_STATE_SYNCHRONIZATION);
	churn_step(&p->sm_churn_partner_state, &p->sm_churn_partner_timer_counter,
		   &p->churn_partner_count, restart,
		   p->partner_oper.port_state & LACP_STATE_SYNCHRONIZATION);
}

/* ---- selection logic and mux machine ---------------------------------- */

/* Ready: no port of the aggregator is still waiting out wait_while. */
static bool agg_ready(const struct aggregator *agg)
{
	struct lacp_port *lq;
	struct port *q;

	for (q = agg->lag_ports; q; q = q->next_port_in_aggregator) {
		lq = lacp_of_port(q);
		if (q->sm_mux_state == AD_MUX_WAITING && !lq->ready_n)
			return false;
		if (q->sm_mux_state == AD_MUX_DETACHED && lq->selected != LACP_UNSELECTED)
			return false;
	}
	return true;
}

static void mux_enter(struct lacp_port *lp, mux_states_t st)
{
	struct port *p = &lp->info.port;
	u8 *as = &p->actor_oper_port_state;

	p->sm_mux_state = st;
	switch (st) {
	case AD_MUX_DETACHED:
		*as &= ~(LACP_STATE_SYNCHRONIZATION | LACP_STATE_COLLECTING |
			 LACP_STATE_DISTRIBUTING);
		p->ntt = true;
		break;
	case AD_MUX_WAITING:
		p->sm_mux_timer_counter = LACP_AGGREGATE_WAIT;
		lp->ready_n = false;
		break;
	case AD_MUX_ATTACHED:
		*as |= LACP_STATE_SYNCHRONIZATION;
		*as &= ~(LACP_STATE_COLLECTING | LACP_STATE_DISTRIBUTING);
		p->ntt = true;
		break;
	case AD_MUX_COLLECTING:
		*as |= LACP_STATE_SYNCHRONIZATION | LACP_STATE_COLLECTING;
		*as &= ~LACP_STATE_DISTRIBUTING;
		p->ntt = true;
		break;
	case AD_MUX_COLLECTING_DISTRIBUTING:
	case AD_MUX_DISTRIBUTING:
		*as |= LACP_STATE_SYNCHRONIZATION | LACP_STATE_COLLECTING |
		       LACP_STATE_DISTRIBUTING;
		p->ntt = true;
		break;
	default:
		break;
	}
}

static void mux_machine(struct bnd_bond *bond, struct lacp_port *lp)
{
	struct port *p = &lp->info.port;
	struct aggregator *agg = lacp_agg(p);
	bool coupled = bond->b.params.coupled_control;
	bool settled = !atomic_read(&bond->b.ad_info.agg_select_timer);
	bool sync, coll;
	mux_states_t next;
	int i;

	if (lp->begin)
		mux_enter(lp, AD_MUX_DETACHED);
	if (p->sm_mux_state == AD_MUX_WAITING && p->sm_mux_timer_counter &&
	    !--p->sm_mux_timer_counter)
		lp->ready_n = true;

	for (i = 0; i < 6; i++) {
		sync = p->partner_oper.port_state & LACP_STATE_SYNCHRONIZATION;
		coll = p->partner_oper.port_state & LACP_STATE_COLLECTING;
		next = p->sm_mux_state;
		switch (p->sm_mux_state) {
		case AD_MUX_DETACHED:
			if (agg && lp->selected != LACP_UNSELECTED)
				next = AD_MUX_WAITING;
			break;
		case AD_MUX_WAITING:
			if (lp->selected == LACP_UNSELECTED)
				next = AD_MUX_DETACHED;
			else if (lp->selected == LACP_SELECTED && lp->ready_n && agg_ready(agg))
				next = AD_MUX_ATTACHED;
			break;
		case AD_MUX_ATTACHED:
			if (lp->selected != LACP_SELECTED)
				next = AD_MUX_DETACHED;
			else if (sync && settled)
				next = coupled ? AD_MUX_COLLECTING_DISTRIBUTING : AD_MUX_COLLECTING;
			break;
		case AD_MUX_COLLECTING_DISTRIBUTING:
			if (lp->selected != LACP_SELECTED || !sync)
				next = AD_MUX_ATTACHED;
			break;
		case AD_MUX_COLLECTING:
			if (lp->selected != LACP_SELECTED || !sync)
				next = AD_MUX_ATTACHED;
			else if (coll)
				next = AD_MUX_DISTRIBUTING;
			break;
		case AD_MUX_DISTRIBUTING:
			if (lp->selected != LACP_SELECTED || !sync || !coll)
				next = AD_MUX_COLLECTING;
			break;
		default:
			next = AD_MUX_DETACHED;
			break;
		}
		if (next == p->sm_mux_state)
			break;
		mux_enter(lp, next);
	}
}

/* ---- the tick --------------------------------------------------------- */

/* First step of a tick: actor parameters (options, speed, duplex), timers. */
void lacp_port_rx_tick(struct bnd_bond *bond, struct lacp_port *lp)
{
	lacp_port_actor_refresh(bond, lp);
	rx_machine(lp, NULL);
}

/* Last step, after the selection logic: mux, periodic, transmit, churn. */
void lacp_port_run(struct bnd_bond *bond, struct lacp_port *lp, struct sk_buff_head *txq)
{
	mux_machine(bond, lp);
	periodic_machine(lp);
	/* NTT raised while starting over is sent on the next tick. */
	if (!lp->begin)
		tx_machine(bond, lp, txq);
	churn_machines(lp);
	lacp_port_update_want(lp);
	lp->begin = false;
}

/* ---- receive ---------------------------------------------------------- */

static bool lacpdu_valid(const struct lacpdu *pdu)
{
	if (pdu->version_number < 1)
		return false;
	if (pdu->tlv_type_actor_info != LACP_TLV_ACTOR ||
	    pdu->actor_information_length != LACP_INFO_LEN ||
	    pdu->tlv_type_partner_info != LACP_TLV_PARTNER ||
	    pdu->partner_information_length != LACP_INFO_LEN ||
	    pdu->tlv_type_collector_info != LACP_TLV_COLLECTOR ||
	    pdu->collector_information_length != LACP_COLLECTOR_LEN)
		return false;
	/* Version 1 ends there; later versions may carry more TLVs first. */
	if (pdu->version_number == 1 &&
	    (pdu->tlv_type_terminator || pdu->terminator_length))
		return false;
	return true;
}

/* Our partner's port now talks to another port of ours (port_moved). */
static void rx_note_moved(struct bnd_bond *bond, struct lacp_port *lp,
			  const struct lacpdu *pdu)
{
	struct list_head *iter;
	struct lacp_port *o;
	struct slave *t;

	bond_for_each_slave_rcu(&bond->b, t, iter) {
		o = lacp_port_of(t);
		if (o == lp || !lacp_bound(o) ||
		    o->info.port.sm_rx_state != AD_RX_PORT_DISABLED)
			continue;
		if (lacp_mac_eq(&o->info.port.partner_oper.system, &pdu->actor_system) &&
		    o->info.port.partner_oper.port_number == ntohs(pdu->actor_port))
			o->port_moved = true;
	}
}

static void rx_lacpdu(struct bnd_bond *bond, struct lacp_port *lp,
		      const struct lacpdu *pdu)
{
	struct port *p = &lp->info.port;

	LACP_COUNT(bond, lp, lacpdu_rx);
	spin_lock_bh(&bond->b.mode_lock);
	if (!lacp_bound(lp) || lp->begin)
		goto out;
	if (lacp_mac_eq(&pdu->actor_system, &p->actor_system)) {
		net_warn_ratelimited("%s: (slave %s): LACPDU from our own system (loopback); check that the ports connect to 802.3ad partners\n",
				     bond->b.dev->name, p->slave->dev->name);
		goto out;
	}
	rx_note_moved(bond, lp, pdu);
	rx_machine(lp, pdu);
out:
	spin_unlock_bh(&bond->b.mode_lock);
}

/* Marker responder: answer Marker Information, rate limited. */
static void rx_marker(struct bnd_bond *bond, struct lacp_port *lp,
		      const struct bond_marker *m, struct sk_buff_head *txq)
{
	struct bond_marker resp = {};
	struct sk_buff *skb = NULL;

	if (m->tlv_type == MARKER_TLV_RESPONSE) {
		LACP_COUNT(bond, lp, marker_resp_rx);
		return;
	}
	LACP_COUNT(bond, lp, marker_rx);
	resp.subtype = MARKER_SUBTYPE;
	resp.version_number = 1;
	resp.tlv_type = MARKER_TLV_RESPONSE;
	resp.marker_length = MARKER_INFO_LEN;
	resp.requester_port = m->requester_port;
	resp.requester_system = m->requester_system;
	resp.requester_transaction_id = m->requester_transaction_id;

	spin_lock_bh(&bond->b.mode_lock);
	if (lacp_bound(lp) && lp->info.port.is_enabled) {
		if (time_after_eq(jiffies, lp->marker_start + HZ)) {
			lp->marker_start = jiffies;
			lp->marker_count = 0;
		}
		if (lp->marker_count < LACP_MARKER_PER_SEC) {
			skb = lacp_frame(lp->info.port.slave, &resp, sizeof(resp));
			if (skb)
				lp->marker_count++;
		}
	}
	spin_unlock_bh(&bond->b.mode_lock);
	if (skb) {
		__skb_queue_tail(txq, skb);
		LACP_COUNT(bond, lp, marker_resp_tx);
	}
}

/*
 * A Slow Protocols frame arrived on @lp's slave (softirq, RCU). LACPDUs and
 * markers are checked field by field before use and consumed; malformed
 * ones are counted as illegal and dropped. Other subtypes (OAM, ...) are
 * counted and left to the stack.
 */
int lacp_rx(struct bnd_bond *bond, struct lacp_port *lp, const struct sk_buff *skb,
	    struct sk_buff_head *txq)
{
	const struct bond_marker *m;
	const struct lacpdu *pdu;
	union {
		struct lacpdu lacp;
		struct bond_marker marker;
	} buf;
	const u8 *subtype;
	u8 sbuf;

	subtype = skb_header_pointer(skb, 0, sizeof(sbuf), &sbuf);
	if (!subtype)
		goto illegal;
	switch (*subtype) {
	case LACP_SUBTYPE:
		pdu = skb_header_pointer(skb, 0, sizeof(buf.lacp), &buf.lacp);
		if (!pdu || !lacpdu_valid(pdu))
			goto illegal;
		rx_lacpdu(bond, lp, pdu);
		return RX_HANDLER_CONSUMED;
	case MARKER_SUBTYPE:
		m = skb_header_pointer(skb, 0, sizeof(buf.marker), &buf.marker);
		if (!m || m->version_number < 1)
			goto illegal;
		if (m->tlv_type != MARKER_TLV_INFO && m->tlv_type != MARKER_TLV_RESPONSE) {
			LACP_COUNT(bond, lp, marker_unknown_rx);
			return RX_HANDLER_CONSUMED;
		}
		if (m->marker_length != MARKER_INFO_LEN ||
		    m->tlv_type_terminator || m->terminator_length)
			goto illegal;
		rx_marker(bond, lp, m, txq);
		return RX_HANDLER_CONSUMED;
	default:
		LACP_COUNT(bond, lp, lacpdu_unknown_rx);
		return RX_HANDLER_ANOTHER;
	}
illegal:
	LACP_COUNT(bond, lp, lacpdu_illegal_rx);
	return RX_HANDLER_CONSUMED;
}
