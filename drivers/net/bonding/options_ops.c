// SPDX-License-Identifier: GPL-2.0
/*
 * What the option table's entries do: setters with side effects, and the
 * sysfs and netlink views of options that are not a plain number.
 */
#include <linux/ctype.h>
#include <linux/inet.h>
#include <linux/math64.h>
#include <linux/rtnetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>

#include "bond.h"
#include "options_table.h"

/* ---- helpers ---------------------------------------------------------- */

/* First word of a raw value, without the newline sysfs writes carry. */
static void bnd_first_word(const char *str, char *out, size_t len)
{
	size_t n = 0;

	str = skip_spaces(str ? str : "");
	while (*str && !isspace(*str) && n + 1 < len)
		out[n++] = *str++;
	out[n] = '\0';
}

static struct bnd_slave *bnd_our_slave(struct bnd_bond *bond,
				       struct net_device *dev)
{
	struct bnd_slave *slave = bnd_slave_of_dev(dev);

	return slave && slave->s.bond == &bond->b ? slave : NULL;
}

/* ---- setters ---------------------------------------------------------- */

int bnd_mode_set(const struct bnd_optctx *ctx, const struct bnd_optval *v)
{
	struct bond_params *p = ctx->p;
	int mode = v->num;

	if (!bnd_mode_ops_get(mode)) {
		bnd_opt_report(ctx, BND_OPT_MODE, -EOPNOTSUPP,
			       "mode %s is not implemented by this build",
			       bnd_opt_value_name(BND_OPT_MODE, mode));
		return -EOPNOTSUPP;
	}

	/* Modes without ARP monitoring need the MII monitor. */
	if (!bond_mode_uses_arp(mode)) {
		p->arp_interval = 0;
		if (!p->miimon)
			p->miimon = BOND_DEFAULT_MIIMON;
	}
	if (mode == BOND_MODE_ALB)
		p->tlb_dynamic_lb = 1;
	p->arp_validate = BOND_ARP_VALIDATE_NONE;
	p->broadcast_neighbor = 0;

	if (ctx->bond)
		bnd_switch_mode(ctx->bond, mode);
	else
		p->mode = mode;
	return 0;
}

/*
 * The slave @v names, if it can be made active now: *@out is NULL for an
 * empty name (no active slave), else the slave (perhaps already active).
 * Changes nothing; reports why not.
 */
static int bnd_active_slave_find(const struct bnd_optctx *ctx,
				 const struct bnd_optval *v, struct bnd_slave **out)
{
	struct bnd_bond *bond = ctx->bond;
	struct bnd_slave *slave, *old;
	struct net_device *dev;
	char name[IFNAMSIZ];

	*out = NULL;
	if (!bond)
		return -EINVAL;
	bnd_first_word(v->str, name, sizeof(name));
	if (!name[0])
		return 0;

	dev = __dev_get_by_name(dev_net(bond->b.dev), name);
	if (!dev) {
		bnd_opt_report(ctx, BND_OPT_ACTIVE_SLAVE, -ENODEV,
			       "interface %s does not exist", name);
		return -ENODEV;
	}
	slave = bnd_our_slave(bond, dev);
	if (!slave) {
		bnd_opt_report(ctx, BND_OPT_ACTIVE_SLAVE, -EINVAL,
			       "%s is not a slave of this bond", name);
		return -EINVAL;
	}
	old = bnd_slave_or_null(rtnl_dereference(bond->b.curr_active_slave));
	if (slave != old &&
	    (!old || slave->s.link != BOND_LINK_UP || !bond_slave_is_up(&slave->s))) {
		bnd_opt_report(ctx, BND_OPT_ACTIVE_SLAVE, -EINVAL,
			       "could not make %s active: it or its link is down",
			       name);
		return -EINVAL;
	}
	*out = slave;
	return 0;
}

int bnd_active_slave_check(const struct bnd_optctx *ctx, const struct bnd_optval *v)
{
	struct bnd_slave *slave;

	return bnd_active_slave_find(ctx, v, &slave);
}

int bnd_active_slave_set(const struct bnd_optctx *ctx,
			 const struct bnd_optval *v)
{
	struct bnd_bond *bond = ctx->bond;
	struct bnd_slave *slave;
	int err;

	err = bnd_active_slave_find(ctx, v, &slave);
	if (err)
		return err;
	if (!slave) {
		bnd_change_active(bond, NULL);
		bnd_select_active(bond);
	} else if (&slave->s != rtnl_dereference(bond->b.curr_active_slave)) {
		bnd_change_active(bond, slave);
	}
	return 0;
}

int bnd_miimon_set(const struct bnd_optctx *ctx, const struct bnd_optval *v)
{
	struct bond_params *p = ctx->p;

	p->miimon = v->num;
	if (p->miimon && p->arp_interval) {
		p->arp_interval = 0;
		p->arp_validate = BOND_ARP_VALIDATE_NONE;
	}
	if (ctx->bond) {
		bnd_ns_maddrs_sync_all(ctx->bond);
		bnd_monitor_restart(ctx->bond);
	}
	return 0;
}

/* up/down/peer-notification delays are kept as multiples of miimon. */
static int bnd_delay_set(const struct bnd_optctx *ctx, enum bnd_opt_id id,
			 int *ticks, u64 ms)
{
	int miimon = ctx->p->miimon;
	u32 rem;
	u64 n;

	if (!miimon) {
		bnd_opt_report(ctx, id, -EPERM,
			       "unable to set because MII monitoring is disabled");
		return -EPERM;
	}
	/* miimon > 0 here: u64 by u32, which 32-bit kernels can do */
	n = div_u64_rem(ms, miimon, &rem);
	if (rem && !ctx->quiet) {
		if (ctx->dev)
			netdev_warn(ctx->dev,
				    "option %s: %llu is not a multiple of miimon (%d), rounded to %llu ms\n",
				    bnd_opts[id].name, ms, miimon, n * miimon);
		else
			pr_warn("bonding: option %s: %llu is not a multiple of miimon (%d), rounded to %llu ms\n",
				bnd_opts[id].name, ms, miimon, n * miimon);
	}
	*ticks = n;
	return 0;
}

int bnd_updelay_set(const struct bnd_optctx *ctx, const struct bnd_optval *v)
{
	return bnd_delay_set(ctx, BND_OPT_UPDELAY, &ctx->p->updelay, v->num);
}

int bnd_downdelay_set(const struct bnd_optctx *ctx, const struct bnd_optval *v)
{
	return bnd_delay_set(ctx, BND_OPT_DOWNDELAY, &ctx->p->downdelay, v->num);
}

int bnd_peer_delay_set(const struct bnd_optctx *ctx, const struct bnd_optval *v)
{
	return bnd_delay_set(ctx, BND_OPT_PEER_NOTIF_DELAY,
			     &ctx->p->peer_notif_delay, v->num);
}

u64 bnd_updelay_get(const struct bnd_bond *bond)
{
	return (u64)bond->b.params.updelay * bond->b.params.miimon;
}

u64 bnd_downdelay_get(const struct bnd_bond *bond)
{
	return (u64)bond->b.params.downdelay * bond->b.params.miimon;
}

u64 bnd_peer_delay_get(const struct bnd_bond *bond)
{
	return (u64)bond->b.params.peer_notif_delay * bond->b.params.miimon;
}

int bnd_arp_interval_set(const struct bnd_optctx *ctx,
				const struct bnd_optval *v)
{
	struct bond_params *p = ctx->p;

	/* The two link monitors exclude each other; the newer one wins. */
	p->arp_interval = v->num;
	if (p->arp_interval && p->miimon)
		p->miimon = 0;
	if (ctx->bond)
		bnd_monitor_restart(ctx->bond);
	return 0;
}

/* Put @ip in the first free slot of @targets (a copy of the list). */
static int bnd_arp_target_add(const struct bnd_optctx *ctx, __be32 *targets, __be32 ip)
{
	int slot;

	if (!bond_is_ip_target_ok(ip)) {
		bnd_opt_report(ctx, BND_OPT_ARP_TARGETS, -EINVAL,
			       "invalid ARP target %pI4", &ip);
		return -EINVAL;
	}
	if (bond_get_targets_ip(targets, ip) != -1) {
		bnd_opt_report(ctx, BND_OPT_ARP_TARGETS, -EINVAL,
			       "ARP target %pI4 is already present", &ip);
		return -EINVAL;
	}
	slot = bond_get_targets_ip(targets, 0);
	if (slot < 0) {
		bnd_opt_report(ctx, BND_OPT_ARP_TARGETS, -EINVAL,
			       "ARP target table is full (%d entries)",
			       BOND_MAX_ARP_TARGETS);
		return -EINVAL;
	}
	targets[slot] = ip;
	return 0;
}

/* Take @ip out of @targets (a copy of the list); later ones move down. */
static int bnd_arp_target_del(const struct bnd_optctx *ctx, __be32 *targets, __be32 ip)
{
	int i = bond_get_targets_ip(targets, ip);

	if (!bond_is_ip_target_ok(ip) || i < 0) {
		bnd_opt_report(ctx, BND_OPT_ARP_TARGETS, -EINVAL,
			       "unable to remove nonexistent ARP target %pI4", &ip);
		return -EINVAL;
	}
	for (; i < BOND_MAX_ARP_TARGETS - 1 && targets[i + 1]; i++)
		targets[i] = targets[i + 1];
	targets[i] = 0;
	return 0;
}

/*
 * A target list edit is made on a copy and then committed: on a bond, the
 * slaves' per-target stamps follow the targets (bnd_arp_targets_commit).
 */
int bnd_arp_targets_set(const struct bnd_optctx *ctx,
			       const struct bnd_optval *v)
{
	__be32 next[BOND_MAX_ARP_TARGETS];
	char word[24];
	__be32 ip;
	int err;

	memcpy(next, ctx->p->arp_targets, sizeof(next));
	if (v->has_num) {
		err = bnd_arp_target_add(ctx, next, (__force __be32)(u32)v->num);
	} else {
		bnd_first_word(v->str, word, sizeof(word));
		if ((word[0] != '+' && word[0] != '-') ||
		    !in4_pton(word + 1, -1, (u8 *)&ip, -1, NULL)) {
			bnd_opt_report(ctx, BND_OPT_ARP_TARGETS, -EPERM,
				       "invalid command (%s): use +<addr> or -<addr>", word);
			return -EPERM;
		}
		err = word[0] == '+' ? bnd_arp_target_add(ctx, next, ip) :
				       bnd_arp_target_del(ctx, next, ip);
	}
	if (err)
		return err;
	if (ctx->bond)
		bnd_arp_targets_commit(ctx->bond, next);
	else
		memcpy(ctx->p->arp_targets, next, sizeof(next));
	return 0;
}

#if IS_ENABLED(CONFIG_IPV6)
/* Why @addr cannot be an NS target, or NULL if it can. */
static const char *bnd_ns_target_bad(const struct in6_addr *addr)
{
	if (ipv6_addr_any(addr))
		return "the unspecified address";
	if (ipv6_addr_loopback(addr))
		return "a loopback address";
	if (ipv6_addr_is_multicast(addr))
		return "a multicast address";
	return NULL;
}

/*
 * Add one NS target (netlink sends the whole list, see netlink.c; there is
 * no sysfs file or module parameter, as upstream).
 */
int bnd_ns_targets_set(const struct bnd_optctx *ctx, const struct bnd_optval *v)
{
	struct in6_addr next[BOND_MAX_NS_TARGETS], addr;
	const char *why;
	int slot;

	if (v->bin_len != sizeof(addr)) {
		bnd_opt_report(ctx, BND_OPT_NS_TARGETS, -EINVAL,
			       "an IPv6 address (16 bytes) is needed");
		return -EINVAL;
	}
	memcpy(&addr, v->bin, sizeof(addr));
	why = bnd_ns_target_bad(&addr);
	if (why) {
		bnd_opt_report(ctx, BND_OPT_NS_TARGETS, -EINVAL,
			       "invalid NS target %pI6c (%s)", &addr, why);
		return -EINVAL;
	}
	memcpy(next, ctx->p->ns_targets, sizeof(next));
	for (slot = 0; slot < BOND_MAX_NS_TARGETS && !ipv6_addr_any(&next[slot]); slot++) {
		if (ipv6_addr_equal(&next[slot], &addr)) {
			bnd_opt_report(ctx, BND_OPT_NS_TARGETS, -EINVAL,
				       "NS target %pI6c is already present", &addr);
			return -EINVAL;
		}
	}
	if (slot == BOND_MAX_NS_TARGETS) {
		bnd_opt_report(ctx, BND_OPT_NS_TARGETS, -EINVAL,
			       "NS target table is full (%d entries)", BOND_MAX_NS_TARGETS);
		return -EINVAL;
	}
	next[slot] = addr;
	if (ctx->bond)
		bnd_ns_targets_commit(ctx->bond, next);
	else
		memcpy(ctx->p->ns_targets, next, sizeof(next));
	return 0;
}
#else
int bnd_ns_targets_set(const struct bnd_optctx *ctx, const struct bnd_optval *v)
{
	bnd_opt_report(ctx, BND_OPT_NS_TARGETS, -EPERM,
		       "IPv6 is not built into this kernel");
	return -EPERM;
}
#endif

/* Backups of an active-backup bond are in the NS groups iff it is set. */
int bnd_arp_validate_set(const struct bnd_optctx *ctx, const struct bnd_optval *v)
{
	ctx->p->arp_validate = v->num;
	if (ctx->bond)
		bnd_ns_maddrs_sync_all(ctx->bond);
	return 0;
}

int bnd_primary_set(const struct bnd_optctx *ctx, const struct bnd_optval *v)
{
	struct bnd_bond *bond = ctx->bond;
	char name[IFNAMSIZ + 1];
	struct list_head *iter;
	struct slave *s;

	bnd_first_word(v->str, name, sizeof(name));
	if (strlen(name) >= IFNAMSIZ) {
		bnd_opt_report(ctx, BND_OPT_PRIMARY, -EINVAL,
			       "interface name too long (%s)", name);
		return -EINVAL;
	}
	strscpy_pad(ctx->p->primary, name, IFNAMSIZ);
	if (!bond)
		return 0;

	RCU_INIT_POINTER(bond->b.primary_slave, NULL);
	if (name[0]) {
		bond_for_each_slave(&bond->b, s, iter) {
			if (!strcmp(s->dev->name, name)) {
				rcu_assign_pointer(bond->b.primary_slave, s);
				bond->b.force_primary = true;
				break;
			}
		}
	}
	bnd_select_active(bond);
	return 0;
}

int bnd_primary_reselect_set(const struct bnd_optctx *ctx,
				    const struct bnd_optval *v)
{
	ctx->p->primary_reselect = v->num;
	if (ctx->bond)
		bnd_select_active(ctx->bond);
	return 0;
}

int bnd_all_slaves_active_set(const struct bnd_optctx *ctx,
				     const struct bnd_optval *v)
{
	struct list_head *iter;
	struct slave *s;

	ctx->p->all_slaves_active = v->num;
	if (!ctx->bond)
		return 0;
	bond_for_each_slave(&ctx->bond->b, s, iter)
		if (!bond_is_active_slave(s))
			s->inactive = !v->num;
	return 0;
}

int bnd_min_links_set(const struct bnd_optctx *ctx, const struct bnd_optval *v)
{
	ctx->p->min_links = v->num;
	if (ctx->bond)
		bnd_set_carrier(ctx->bond);
	return 0;
}

int bnd_pps_set(const struct bnd_optctx *ctx, const struct bnd_optval *v)
{
	struct bond_params *p = ctx->p;

	/* The divisor is read locklessly by the transmit path. */
	WRITE_ONCE(p->packets_per_slave, v->num);
	p->reciprocal_packets_per_slave = v->num > 1 ? reciprocal_value(v->num) :
					  (struct reciprocal_value){ 0 };
	return 0;
}

int bnd_ad_actor_system_set(const struct bnd_optctx *ctx,
				   const struct bnd_optval *v)
{
	u8 mac[ETH_ALEN];
	char word[24];

	if (v->bin_len == ETH_ALEN) {
		memcpy(mac, v->bin, ETH_ALEN);
	} else {
		bnd_first_word(v->str, word, sizeof(word));
		if (!mac_pton(word, mac))
			goto invalid;
	}
	if (is_multicast_ether_addr(mac))
		goto invalid;
	ether_addr_copy(ctx->p->ad_actor_system, mac);
	return 0;
invalid:
	bnd_opt_report(ctx, BND_OPT_AD_ACTOR_SYSTEM, -EINVAL,
		       "invalid MAC address (must be unicast xx:xx:xx:xx:xx:xx)");
	return -EINVAL;
}

int bnd_slaves_set(const struct bnd_optctx *ctx, const struct bnd_optval *v)
{
	struct bnd_bond *bond = ctx->bond;
	char cmd[IFNAMSIZ + 2];
	struct net_device *dev;

	if (!bond)
		return -EINVAL;
	bnd_first_word(v->str, cmd, sizeof(cmd));
	if ((cmd[0] != '+' && cmd[0] != '-') || !dev_valid_name(cmd + 1)) {
		bnd_opt_report(ctx, BND_OPT_SLAVES, -EPERM,
			       "no command found (%s): use +ifname or -ifname", cmd);
		return -EPERM;
	}
	dev = __dev_get_by_name(dev_net(bond->b.dev), cmd + 1);
	if (!dev) {
		bnd_opt_report(ctx, BND_OPT_SLAVES, -ENODEV,
			       "interface %s does not exist", cmd + 1);
		return -ENODEV;
	}
	if (cmd[0] == '+')
		return bnd_enslave(bond, dev, NULL);
	return bnd_release(bond, dev, NULL);
}

int bnd_queue_id_set(const struct bnd_optctx *ctx, const struct bnd_optval *v)
{
	struct bnd_bond *bond = ctx->bond;
	struct bnd_slave *target = NULL;
	char spec[IFNAMSIZ + 8], *colon;
	struct list_head *iter;
	struct net_device *dev;
	struct slave *s;
	u16 qid;

	if (!bond)
		return -EINVAL;
	bnd_first_word(v->str, spec, sizeof(spec));
	colon = strchr(spec, ':');
	if (!colon)
		goto invalid;
	*colon = '\0';
	if (kstrtou16(colon + 1, 10, &qid) || !dev_valid_name(spec) ||
	    qid > bond->b.dev->real_num_tx_queues)
		goto invalid;
	dev = __dev_get_by_name(dev_net(bond->b.dev), spec);
	if (!dev)
		goto invalid;
	bond_for_each_slave(&bond->b, s, iter) {
		if (s->dev == dev)
			target = bnd_slave_from_s(s);
		else if (qid && READ_ONCE(s->queue_id) == qid)
			goto invalid;
	}
	if (!target)
		goto invalid;
	WRITE_ONCE(target->s.queue_id, qid);
	return 0;
invalid:
	bnd_opt_report(ctx, BND_OPT_QUEUE_ID, -EPERM,
		       "invalid input (%s): use slave:queue_id with a free queue id", spec);
	return -EPERM;
}

int bnd_prio_set(const struct bnd_optctx *ctx, const struct bnd_optval *v)
{
	struct bnd_slave *slave = ctx->bond && v->slave ?
				  bnd_our_slave(ctx->bond, v->slave) : NULL;

	if (!slave) {
		bnd_opt_report(ctx, BND_OPT_PRIO, -ENODEV, "not a slave of this bond");
		return -ENODEV;
	}
	slave->s.prio = (s32)v->num;
	if (!rtnl_dereference(ctx->bond->b.primary_slave))
		bnd_select_active(ctx->bond);
	return 0;
}

/* 802.3ad port priority of one slave; the mode hears about it afterwards. */
int bnd_actor_port_prio_set(const struct bnd_optctx *ctx, const struct bnd_optval *v)
{
	struct bnd_slave *slave = ctx->bond && v->slave ?
				  bnd_our_slave(ctx->bond, v->slave) : NULL;

	if (!slave || !slave->s.ad_info) {
		bnd_opt_report(ctx, BND_OPT_ACTOR_PORT_PRIO, -ENODEV,
			       "not an 802.3ad slave of this bond");
		return -ENODEV;
	}
	slave->s.ad_info->port_priority = (u16)v->num;
	return 0;
}

/* ---- custom views ----------------------------------------------------- */

ssize_t bnd_slaves_show(struct bnd_bond *bond, char *buf)
{
	struct list_head *iter;
	struct slave *s;
	int len = 0;

	rcu_read_lock();
	bond_for_each_slave_rcu(&bond->b, s, iter) {
		if (len > PAGE_SIZE - IFNAMSIZ - 2)
			break;
		len += sysfs_emit_at(buf, len, "%s ", s->dev->name);
	}
	rcu_read_unlock();
	if (len)
		buf[len - 1] = '\n';
	return len;
}

ssize_t bnd_queue_id_show(struct bnd_bond *bond, char *buf)
{
	struct list_head *iter;
	struct slave *s;
	int len = 0;

	rcu_read_lock();
	bond_for_each_slave_rcu(&bond->b, s, iter) {
		if (len > PAGE_SIZE - IFNAMSIZ - 8)
			break;
		len += sysfs_emit_at(buf, len, "%s:%d ", s->dev->name,
				     READ_ONCE(s->queue_id));
	}
	rcu_read_unlock();
	if (len)
		buf[len - 1] = '\n';
	return len;
}

ssize_t bnd_primary_show(struct bnd_bond *bond, char *buf)
{
	struct slave *s;
	int len = 0;

	rcu_read_lock();
	s = rcu_dereference(bond->b.primary_slave);
	if (s)
		len = sysfs_emit(buf, "%s\n", s->dev->name);
	rcu_read_unlock();
	return len;
}

ssize_t bnd_active_slave_show(struct bnd_bond *bond, char *buf)
{
	struct net_device *dev;
	int len = 0;

	rcu_read_lock();
	dev = bond_option_active_slave_get_rcu(&bond->b);
	if (dev)
		len = sysfs_emit(buf, "%s\n", dev->name);
	rcu_read_unlock();
	return len;
}

ssize_t bnd_arp_targets_show(struct bnd_bond *bond, char *buf)
{
	int i, len = 0;

	for (i = 0; i < BOND_MAX_ARP_TARGETS; i++)
		if (bond->b.params.arp_targets[i])
			len += sysfs_emit_at(buf, len, "%pI4 ",
					     &bond->b.params.arp_targets[i]);
	if (len)
		buf[len - 1] = '\n';
	return len;
}

ssize_t bnd_ad_actor_system_show(struct bnd_bond *bond, char *buf)
{
	return sysfs_emit(buf, "%pM\n", bond->b.params.ad_actor_system);
}

static int bnd_ifindex_fill(struct sk_buff *skb, u16 attr, struct net_device *dev)
{
	return dev ? nla_put_u32(skb, attr, dev->ifindex) : 0;
}

int bnd_active_slave_fill(struct sk_buff *skb, struct bnd_bond *bond)
{
	int err;

	rcu_read_lock();
	err = bnd_ifindex_fill(skb, IFLA_BOND_ACTIVE_SLAVE,
			       bond_option_active_slave_get_rcu(&bond->b));
	rcu_read_unlock();
	return err;
}

int bnd_primary_fill(struct sk_buff *skb, struct bnd_bond *bond)
{
	struct slave *s = rtnl_dereference(bond->b.primary_slave);

	return bnd_ifindex_fill(skb, IFLA_BOND_PRIMARY, s ? s->dev : NULL);
}

int bnd_arp_targets_fill(struct sk_buff *skb, struct bnd_bond *bond)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start_noflag(skb, IFLA_BOND_ARP_IP_TARGET);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < BOND_MAX_ARP_TARGETS && bond->b.params.arp_targets[i]; i++)
		if (nla_put_be32(skb, i, bond->b.params.arp_targets[i]))
			return -EMSGSIZE;
	if (i)
		nla_nest_end(skb, nest);
	else
		nla_nest_cancel(skb, nest);
	return 0;
}

int bnd_ns_targets_fill(struct sk_buff *skb, struct bnd_bond *bond)
{
#if IS_ENABLED(CONFIG_IPV6)
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, IFLA_BOND_NS_IP6_TARGET);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < BOND_MAX_NS_TARGETS &&
		    !ipv6_addr_any(&bond->b.params.ns_targets[i]); i++)
		if (nla_put_in6_addr(skb, i, &bond->b.params.ns_targets[i]))
			return -EMSGSIZE;
	if (i)
		nla_nest_end(skb, nest);
	else
		nla_nest_cancel(skb, nest);
#endif
	return 0;
}

int bnd_ad_actor_system_fill(struct sk_buff *skb, struct bnd_bond *bond)
{
	return nla_put(skb, IFLA_BOND_AD_ACTOR_SYSTEM, ETH_ALEN,
		       bond->b.params.ad_actor_system);
}
