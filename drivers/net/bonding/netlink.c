// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink "bond" link type: IFLA_BOND_* and IFLA_BOND_SLAVE_*.
 *
 * A request is applied in two passes: every attribute is first parsed
 * and checked against the mode the request ends in, and only then are
 * the values applied, in the option table's order (mode first, miimon
 * before the delays). A bad value is refused before anything changed.
 */
#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>
#include <net/netlink.h>
#include <net/rtnetlink.h>

#include "bond.h"
#include "options.h"

/* Not const: 6.1 policies point to mutable range structs. */
static struct netlink_range_validation bnd_delay_range = {
	.max = 300000,
};

/*
 * The bond attribute policy is the option table's netlink types, filled in
 * at load (bnd_opt_nl_types) so that the table stays the one place that says
 * what each attribute is. AD_INFO is only reported, never set.
 */
static struct nla_policy bnd_policy[IFLA_BOND_MAX + 1] __ro_after_init;

static void __init bnd_policy_fill(void)
{
	bnd_opt_nl_types(bnd_policy, IFLA_BOND_MAX);
	bnd_policy[IFLA_BOND_AD_ACTOR_SYSTEM].len = ETH_ALEN;
	bnd_policy[IFLA_BOND_PEER_NOTIF_DELAY].validation_type = NLA_VALIDATE_RANGE_PTR;
	bnd_policy[IFLA_BOND_PEER_NOTIF_DELAY].range = &bnd_delay_range;
	bnd_policy[IFLA_BOND_AD_INFO].type = NLA_NESTED;
}

static const struct nla_policy bnd_slave_policy[IFLA_BOND_SLAVE_MAX + 1] = {
	[IFLA_BOND_SLAVE_QUEUE_ID]		= { .type = NLA_U16 },
	[IFLA_BOND_SLAVE_PRIO]			= { .type = NLA_S32 },
	[IFLA_BOND_SLAVE_ACTOR_PORT_PRIO]	= { .type = NLA_U16 },
};

static int bnd_validate(struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS], "invalid MAC address length");
			return -EINVAL;
		}
		if (!is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS], "invalid MAC address");
			return -EADDRNOTAVAIL;
		}
	}
	return 0;
}

/* An ifindex attribute as the interface name the option setters take. */
static int bnd_nl_ifname(struct bnd_bond *bond, const struct nlattr *attr,
			 char *name, struct netlink_ext_ack *extack)
{
	u32 ifindex = nla_get_u32(attr);
	struct net_device *dev;

	name[0] = '\0';
	if (!ifindex)
		return 0;
	dev = __dev_get_by_index(dev_net(bond->b.dev), ifindex);
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "interface does not exist");
		return -ENODEV;
	}
	strscpy(name, dev->name, IFNAMSIZ);
	return 0;
}

/*
 * IPv4/IPv6 target lists replace the whole list. The new list is built
 * and checked entry by entry on a scratch copy; only if every entry is
 * good and @apply is set does it replace the list of ctx->p, through the
 * commit helpers on a real bond so that the slaves' per-target stamps
 * (and, for NS targets, the backups' groups) follow.
 */
static int bnd_nl_targets(const struct bnd_optctx *ctx, enum bnd_opt_id id,
			  const struct nlattr *list, bool apply)
{
	struct bond_params scratch = *ctx->p;
	struct bnd_optctx c = *ctx;
	const struct nlattr *attr;
	int rem, err;

	c.bond = NULL;
	c.p = &scratch;
	c.attr = list;
	if (id == BND_OPT_ARP_TARGETS)
		memset(scratch.arp_targets, 0, sizeof(scratch.arp_targets));
#if IS_ENABLED(CONFIG_IPV6)
	else
		memset(scratch.ns_targets, 0, sizeof(scratch.ns_targets));
#endif
	nla_for_each_nested(attr, list, rem) {
		struct bnd_optval v = {};

		if (id == BND_OPT_ARP_TARGETS) {
			if (nla_len(attr) < sizeof(__be32))
				goto short_attr;
			v.num = (__force u32)nla_get_be32(attr);
			v.has_num = true;
		} else {
			if (nla_len(attr) < sizeof(struct in6_addr))
				goto short_attr;
			nla_memcpy(v.bin, attr, sizeof(struct in6_addr));
			v.bin_len = sizeof(struct in6_addr);
		}
		err = bnd_opt_get(id)->set(&c, &v);
		if (err)
			return err;
	}
	if (!apply)
		return 0;
	if (id == BND_OPT_ARP_TARGETS && ctx->bond)
		bnd_arp_targets_commit(ctx->bond, scratch.arp_targets);
	else if (id == BND_OPT_ARP_TARGETS)
		memcpy(ctx->p->arp_targets, scratch.arp_targets, sizeof(scratch.arp_targets));
#if IS_ENABLED(CONFIG_IPV6)
	else if (ctx->bond)
		bnd_ns_targets_commit(ctx->bond, scratch.ns_targets);
	else
		memcpy(ctx->p->ns_targets, scratch.ns_targets, sizeof(scratch.ns_targets));
#endif
	return 0;
short_attr:
	bnd_opt_report(&c, id, -EINVAL, "truncated address attribute");
	return -EINVAL;
}

struct bnd_nl_req {
	const struct nlattr *attr;
	struct bnd_optval v;
	char name[IFNAMSIZ];
};

static int bnd_nl_parse(struct bnd_bond *bond, enum bnd_opt_id id,
			const struct nlattr *attr, struct bnd_nl_req *req,
			struct netlink_ext_ack *extack)
{
	const struct bnd_option *opt = bnd_opt_get(id);

	req->attr = attr;
	switch (id) {
	case BND_OPT_ACTIVE_SLAVE:
	case BND_OPT_PRIMARY:
		req->v.str = req->name;
		return bnd_nl_ifname(bond, attr, req->name, extack);
	case BND_OPT_AD_ACTOR_SYSTEM:
		if (nla_len(attr) != ETH_ALEN) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "MAC address must be 6 bytes");
			return -EINVAL;
		}
		nla_memcpy(req->v.bin, attr, ETH_ALEN);
		req->v.bin_len = ETH_ALEN;
		return 0;
	case BND_OPT_ARP_TARGETS:
	case BND_OPT_NS_TARGETS:
		return 0;
	default:
		break;
	}
	switch (opt->nla_type) {
	case NLA_U8:
		req->v.num = nla_get_u8(attr);
		break;
	case NLA_U16:
		req->v.num = nla_get_u16(attr);
		break;
	default:
		req->v.num = nla_get_u32(attr);
		break;
	}
	req->v.has_num = true;
	return 0;
}

static int bnd_changelink(struct net_device *dev, struct nlattr *tb[],
			  struct nlattr *data[], struct netlink_ext_ack *extack)
{
	struct bnd_bond *bond = netdev_priv(dev);
	struct bnd_optctx ctx = { .bond = bond, .p = &bond->b.params, .dev = dev,
				  .extack = extack };
	struct bnd_optctx trial;
	struct bond_params *scratch;
	struct bnd_nl_req *req;
	const struct bnd_option *opt;
	int id, mode, err = 0;

	if (!data)
		return 0;

	if (data[IFLA_BOND_MIIMON] && nla_get_u32(data[IFLA_BOND_MIIMON]) &&
	    data[IFLA_BOND_ARP_INTERVAL] && nla_get_u32(data[IFLA_BOND_ARP_INTERVAL])) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_BOND_ARP_INTERVAL],
				    "ARP monitoring cannot be used with MII monitoring");
		return -EINVAL;
	}

	req = kcalloc(BND_OPT_COUNT, sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;

	mode = data[IFLA_BOND_MODE] ? nla_get_u8(data[IFLA_BOND_MODE]) : BOND_MODE(&bond->b);
	if (mode >= BND_MODE_COUNT) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_BOND_MODE], "invalid bonding mode");
		err = -EINVAL;
		goto out;
	}

	/* Pass 1: parse and check everything; nothing changes yet. */
	for (id = 0; id < BND_OPT_COUNT; id++) {
		opt = bnd_opt_get(id);
		if (!opt->nla || (opt->flags & BND_OPTF_SLAVE) || !data[opt->nla])
			continue;
		err = bnd_nl_parse(bond, id, data[opt->nla], &req[id], extack);
		if (err)
			goto out;
		ctx.attr = req[id].attr;
		err = bnd_opt_check(&ctx, id, &req[id].v, mode);
		if (!err && (id == BND_OPT_ARP_TARGETS || id == BND_OPT_NS_TARGETS))
			err = bnd_nl_targets(&ctx, id, req[id].attr, false);
		if (err)
			goto out;
	}

	/*
	 * Pass 1b: run the setters, in order, on a copy of the parameters, so
	 * that checks which depend on earlier values of the same request
	 * (updelay needs miimon, ...) refuse it before anything changes.
	 * Options that act on slaves are checked against the bond itself.
	 */
	scratch = kmemdup(&bond->b.params, sizeof(*scratch), GFP_KERNEL);
	if (!scratch) {
		err = -ENOMEM;
		goto out;
	}
	trial = (struct bnd_optctx){ .p = scratch, .dev = dev, .extack = extack, .quiet = true };
	for (id = 0; id < BND_OPT_COUNT && !err; id++) {
		opt = bnd_opt_get(id);
		if (!req[id].attr)
			continue;
		if (opt->flags & BND_OPTF_LIVE) {
			ctx.attr = req[id].attr;
			if (opt->check)
				err = opt->check(&ctx, &req[id].v);
			continue;
		}
		trial.attr = req[id].attr;
		if (id == BND_OPT_ARP_TARGETS || id == BND_OPT_NS_TARGETS)
			err = bnd_nl_targets(&trial, id, req[id].attr, true);
		else
			err = bnd_opt_set(&trial, id, &req[id].v);
	}
	kfree(scratch);
	if (err)
		goto out;

	/* Pass 2: apply in table order. */
	for (id = 0; id < BND_OPT_COUNT; id++) {
		if (!req[id].attr)
			continue;
		ctx.attr = req[id].attr;
		if (id == BND_OPT_ARP_TARGETS || id == BND_OPT_NS_TARGETS)
			err = bnd_nl_targets(&ctx, id, req[id].attr, true);
		else
			err = bnd_opt_set(&ctx, id, &req[id].v);
		if (err)
			goto out;
	}
out:
	kfree(req);
	return err;
}

static int bnd_newlink(struct net *src_net, struct net_device *dev,
		       struct nlattr *tb[], struct nlattr *data[],
		       struct netlink_ext_ack *extack)
{
	int err;

	/* Options first: a refused value leaves no half-made bond behind. */
	err = bnd_changelink(dev, tb, data, extack);
	if (err)
		return err;
	err = register_netdevice(dev);
	if (err)
		return err;
	netif_carrier_off(dev);
	return 0;
}

static size_t bnd_get_size(const struct net_device *dev)
{
	return bnd_opt_nl_size();
}

/* IFLA_BOND_AD_INFO: the active aggregator, for privileged readers. */
static int bnd_fill_ad_info(struct sk_buff *skb, struct bnd_bond *bond)
{
	struct nlattr *nest;
	struct ad_info info;

	if (!bond->ops->ad_info || !capable(CAP_NET_ADMIN) ||
	    bond->ops->ad_info(bond, &info))
		return 0;
	nest = nla_nest_start_noflag(skb, IFLA_BOND_AD_INFO);
	if (!nest ||
	    nla_put_u16(skb, IFLA_BOND_AD_INFO_AGGREGATOR, info.aggregator_id) ||
	    nla_put_u16(skb, IFLA_BOND_AD_INFO_NUM_PORTS, info.ports) ||
	    nla_put_u16(skb, IFLA_BOND_AD_INFO_ACTOR_KEY, info.actor_key) ||
	    nla_put_u16(skb, IFLA_BOND_AD_INFO_PARTNER_KEY, info.partner_key) ||
	    nla_put(skb, IFLA_BOND_AD_INFO_PARTNER_MAC, ETH_ALEN, info.partner_system))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int bnd_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	struct bnd_bond *bond = netdev_priv(dev);

	if (bnd_opt_fill_all(skb, bond) || bnd_fill_ad_info(skb, bond))
		return -EMSGSIZE;
	return 0;
}

static int bnd_slave_changelink(struct net_device *dev, struct net_device *sdev,
				struct nlattr *tb[], struct nlattr *data[],
				struct netlink_ext_ack *extack)
{
	struct bnd_bond *bond = netdev_priv(dev);
	struct bnd_optctx ctx = { .bond = bond, .p = &bond->b.params, .dev = dev,
				  .extack = extack };
	struct bnd_optval qid = {}, prio = {}, port = {};
	char spec[IFNAMSIZ + 8];
	int err = 0;

	if (!data)
		return 0;

	if (data[IFLA_BOND_SLAVE_QUEUE_ID]) {
		snprintf(spec, sizeof(spec), "%s:%u", sdev->name,
			 nla_get_u16(data[IFLA_BOND_SLAVE_QUEUE_ID]));
		qid.str = spec;
		ctx.attr = data[IFLA_BOND_SLAVE_QUEUE_ID];
		err = bnd_opt_check(&ctx, BND_OPT_QUEUE_ID, &qid, BOND_MODE(&bond->b));
	}
	if (!err && data[IFLA_BOND_SLAVE_PRIO]) {
		prio.slave = sdev;
		prio.num = (u64)(s64)nla_get_s32(data[IFLA_BOND_SLAVE_PRIO]);
		prio.has_num = true;
		ctx.attr = data[IFLA_BOND_SLAVE_PRIO];
		err = bnd_opt_check(&ctx, BND_OPT_PRIO, &prio, BOND_MODE(&bond->b));
	}
	if (!err && data[IFLA_BOND_SLAVE_ACTOR_PORT_PRIO]) {
		port.slave = sdev;
		port.num = nla_get_u16(data[IFLA_BOND_SLAVE_ACTOR_PORT_PRIO]);
		port.has_num = true;
		ctx.attr = data[IFLA_BOND_SLAVE_ACTOR_PORT_PRIO];
		err = bnd_opt_check(&ctx, BND_OPT_ACTOR_PORT_PRIO, &port, BOND_MODE(&bond->b));
	}
	if (err)
		return err;

	if (data[IFLA_BOND_SLAVE_QUEUE_ID]) {
		ctx.attr = data[IFLA_BOND_SLAVE_QUEUE_ID];
		err = bnd_opt_set(&ctx, BND_OPT_QUEUE_ID, &qid);
	}
	if (!err && data[IFLA_BOND_SLAVE_PRIO]) {
		ctx.attr = data[IFLA_BOND_SLAVE_PRIO];
		err = bnd_opt_set(&ctx, BND_OPT_PRIO, &prio);
	}
	if (!err && data[IFLA_BOND_SLAVE_ACTOR_PORT_PRIO]) {
		ctx.attr = data[IFLA_BOND_SLAVE_ACTOR_PORT_PRIO];
		err = bnd_opt_set(&ctx, BND_OPT_ACTOR_PORT_PRIO, &port);
	}
	return err;
}

static size_t bnd_get_slave_size(const struct net_device *dev,
				 const struct net_device *sdev)
{
	return nla_total_size(sizeof(u8)) +	/* STATE */
	       nla_total_size(sizeof(u8)) +	/* MII_STATUS */
	       nla_total_size(sizeof(u32)) +	/* LINK_FAILURE_COUNT */
	       nla_total_size(MAX_ADDR_LEN) +	/* PERM_HWADDR */
	       nla_total_size(sizeof(u16)) +	/* QUEUE_ID */
	       nla_total_size(sizeof(s32)) +	/* PRIO */
	       nla_total_size(sizeof(u16)) +	/* AD_AGGREGATOR_ID */
	       nla_total_size(sizeof(u8)) +	/* AD_ACTOR_OPER_PORT_STATE */
	       nla_total_size(sizeof(u16)) +	/* AD_PARTNER_OPER_PORT_STATE */
	       nla_total_size(sizeof(u8)) * 2 +	/* AD_CHURN_{ACTOR,PARTNER}_STATE */
	       nla_total_size(sizeof(u16));	/* ACTOR_PORT_PRIO */
}

static int bnd_fill_slave_info(struct sk_buff *skb, const struct net_device *dev,
			       const struct net_device *sdev)
{
	struct slave *s = bond_slave_get_rtnl(sdev);
	struct bnd_bond *bond = bnd_from_b(s->bond);
	struct bnd_slave_ad_info ad;

	if (nla_put_u8(skb, IFLA_BOND_SLAVE_STATE, bond_slave_state(s)) ||
	    nla_put_u8(skb, IFLA_BOND_SLAVE_MII_STATUS, s->link) ||
	    nla_put_u32(skb, IFLA_BOND_SLAVE_LINK_FAILURE_COUNT, s->link_failure_count) ||
	    nla_put(skb, IFLA_BOND_SLAVE_PERM_HWADDR, sdev->addr_len, s->perm_hwaddr) ||
	    nla_put_u16(skb, IFLA_BOND_SLAVE_QUEUE_ID, READ_ONCE(s->queue_id)) ||
	    nla_put_s32(skb, IFLA_BOND_SLAVE_PRIO, s->prio))
		return -EMSGSIZE;
	if (!bond->ops->slave_ad_info)
		return 0;
	memset(&ad, 0, sizeof(ad));
	if (bond->ops->slave_ad_info(bond, bnd_slave_from_s(s), &ad))
		return nla_put_u16(skb, IFLA_BOND_SLAVE_ACTOR_PORT_PRIO, ad.port_priority) ?
		       -EMSGSIZE : 0;
	if (nla_put_u16(skb, IFLA_BOND_SLAVE_AD_AGGREGATOR_ID, ad.aggregator_id) ||
	    nla_put_u8(skb, IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE, ad.actor_state) ||
	    nla_put_u16(skb, IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE, ad.partner_state) ||
	    nla_put_u8(skb, IFLA_BOND_SLAVE_AD_CHURN_ACTOR_STATE, ad.actor_churn) ||
	    nla_put_u8(skb, IFLA_BOND_SLAVE_AD_CHURN_PARTNER_STATE, ad.partner_churn) ||
	    nla_put_u16(skb, IFLA_BOND_SLAVE_ACTOR_PORT_PRIO, ad.port_priority))
		return -EMSGSIZE;
	return 0;
}

/* ip link xstats: 802.3ad LACPDU and marker counters, per bond and per slave. */
static size_t bnd_get_linkxstats_size(const struct net_device *dev, int attr)
{
	if (attr != IFLA_STATS_LINK_XSTATS && attr != IFLA_STATS_LINK_XSTATS_SLAVE)
		return 0;
	return nla_total_size(0) + nla_total_size(0) +
	       nla_total_size_64bit(sizeof(u64)) * (BOND_3AD_STAT_PAD);
}

static int bnd_fill_linkxstats(struct sk_buff *skb, const struct net_device *dev,
			       int *prividx, int attr)
{
	static const u8 order[] = {
		BOND_3AD_STAT_LACPDU_RX, BOND_3AD_STAT_LACPDU_TX,
		BOND_3AD_STAT_LACPDU_UNKNOWN_RX, BOND_3AD_STAT_LACPDU_ILLEGAL_RX,
		BOND_3AD_STAT_MARKER_RX, BOND_3AD_STAT_MARKER_TX,
		BOND_3AD_STAT_MARKER_RESP_RX, BOND_3AD_STAT_MARKER_RESP_TX,
		BOND_3AD_STAT_MARKER_UNKNOWN_RX,
	};
	const struct bond_3ad_stats *st;
	struct nlattr *nest, *nest3ad;
	struct bnd_slave *slave;
	struct bnd_bond *bond;
	atomic64_t const *v[ARRAY_SIZE(order)];
	unsigned int i;

	if (attr == IFLA_STATS_LINK_XSTATS_SLAVE) {
		slave = bnd_slave_of_dev(dev);
		if (!slave || !slave->s.ad_info)
			return 0;
		bond = bnd_from_b(slave->s.bond);
		st = &slave->s.ad_info->stats;
	} else {
		bond = netdev_priv(dev);
		st = &bond->b.ad_info.stats;
	}
	v[0] = &st->lacpdu_rx;
	v[1] = &st->lacpdu_tx;
	v[2] = &st->lacpdu_unknown_rx;
	v[3] = &st->lacpdu_illegal_rx;
	v[4] = &st->marker_rx;
	v[5] = &st->marker_tx;
	v[6] = &st->marker_resp_rx;
	v[7] = &st->marker_resp_tx;
	v[8] = &st->marker_unknown_rx;

	nest = nla_nest_start_noflag(skb, LINK_XSTATS_TYPE_BOND);
	if (!nest)
		return -EMSGSIZE;
	if (BOND_MODE(&bond->b) == BOND_MODE_8023AD) {
		nest3ad = nla_nest_start_noflag(skb, BOND_XSTATS_3AD);
		if (!nest3ad)
			goto cancel;
		for (i = 0; i < ARRAY_SIZE(order); i++)
			if (nla_put_u64_64bit(skb, order[i], atomic64_read(v[i]),
					      BOND_3AD_STAT_PAD))
				goto cancel;
		nla_nest_end(skb, nest3ad);
	}
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static unsigned int bnd_get_num_queues(void)
{
	return bnd_tx_queues;
}

struct rtnl_link_ops bnd_link_ops __read_mostly = {
	.kind			= "bond",
	.priv_size		= sizeof(struct bnd_bond),
	.setup			= bnd_setup,
	.maxtype		= IFLA_BOND_MAX,
	.policy			= bnd_policy,
	.validate		= bnd_validate,
	.newlink		= bnd_newlink,
	.changelink		= bnd_changelink,
	.get_size		= bnd_get_size,
	.fill_info		= bnd_fill_info,
	.get_num_tx_queues	= bnd_get_num_queues,
	.get_num_rx_queues	= bnd_get_num_queues,
	.slave_maxtype		= IFLA_BOND_SLAVE_MAX,
	.slave_policy		= bnd_slave_policy,
	.slave_changelink	= bnd_slave_changelink,
	.get_slave_size		= bnd_get_slave_size,
	.fill_slave_info	= bnd_fill_slave_info,
	.get_linkxstats_size	= bnd_get_linkxstats_size,
	.fill_linkxstats	= bnd_fill_linkxstats,
};

int __init bnd_netlink_init(void)
{
	bnd_policy_fill();
	return rtnl_link_register(&bnd_link_ops);
}

void bnd_netlink_fini(void)
{
	rtnl_link_unregister(&bnd_link_ops);
}
