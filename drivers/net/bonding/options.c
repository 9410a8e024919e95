// SPDX-License-Identifier: GPL-2.0
/*
 * Option machinery: parsing, dependency checks, error reports, the
 * generic sysfs/netlink views of a value, and module parameters.
 * The table itself lives in options_table.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/moduleparam.h>
#include <linux/rtnetlink.h>
#include <net/netlink.h>

#include "bond.h"
#include "options.h"
#include "options_table.h"

const struct bnd_option *bnd_opt_get(enum bnd_opt_id id)
{
	return id < BND_OPT_COUNT ? &bnd_opts[id] : NULL;
}

const char *bnd_opt_value_name(enum bnd_opt_id id, u64 value)
{
	const struct bnd_opt_name *n = bnd_opts[id].names;

	for (; n && n->name; n++)
		if (n->value == value && !(n->flags & (BND_VAL_MIN | BND_VAL_MAX)))
			return n->name;
	return "unknown";
}

static u64 bnd_params_read(const struct bond_params *p,
			   const struct bnd_option *opt)
{
	const void *f = (const u8 *)p + opt->off;

	switch (opt->size) {
	case 1:
		return *(const u8 *)f;
	case 2:
		return *(const u16 *)f;
	default:
		return *(const u32 *)f;
	}
}

void bnd_params_write(struct bond_params *p, const struct bnd_option *opt, u64 val)
{
	void *f = (u8 *)p + opt->off;

	switch (opt->size) {
	case 1:
		*(u8 *)f = val;
		break;
	case 2:
		*(u16 *)f = val;
		break;
	default:
		*(u32 *)f = val;
		break;
	}
}

u64 bnd_opt_read(const struct bnd_bond *bond, enum bnd_opt_id id)
{
	const struct bnd_option *opt = &bnd_opts[id];

	return opt->get ? opt->get(bond) : bnd_params_read(&bond->b.params, opt);
}

/* Generic text for kernels whose extack cannot carry a formatted message. */
static const char *bnd_opt_generic_msg(int err)
{
	switch (err) {
	case -EACCES:
		return "option not supported in mode";
	case -ENOTEMPTY:
		return "unable to set option because the bond device has slaves";
	case -EBUSY:
		return "unable to set option because the bond is up";
	case -ENODEV:
		return "interface does not exist";
	case -EOPNOTSUPP:
		return "not supported by this bonding build";
	default:
		return "invalid option value";
	}
}

/*
 * bnd_opt_report - explain a refused option value, once
 *
 * One log line naming the bond and the option, and the same text in the
 * netlink extended ack when the request came over netlink.
 */
void bnd_opt_report(const struct bnd_optctx *ctx, enum bnd_opt_id id,
		    int err, const char *fmt, ...)
{
	const char *name = bnd_opts[id].name;
	char msg[96];
	va_list args;

	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);

	if (ctx->dev)
		netdev_err(ctx->dev, "option %s: %s\n", name, msg);
	else
		pr_err("option %s: %s\n", name, msg);

	if (ctx->extack) {
		bnd_compat_extack_fmt(ctx->extack, bnd_opt_generic_msg(err),
				      "option %s: %s", name, msg);
		if (ctx->attr)
			NL_SET_BAD_ATTR(ctx->extack, ctx->attr);
	}
}

static void bnd_opt_range(const struct bnd_option *opt, u64 *min, u64 *max,
			  bool *has_max)
{
	const struct bnd_opt_name *n;

	*min = 0;
	*max = 0;
	*has_max = false;
	for (n = opt->names; n && n->name; n++) {
		if (n->flags & BND_VAL_MIN)
			*min = n->value;
		if (n->flags & BND_VAL_MAX) {
			*max = n->value;
			*has_max = true;
		}
	}
}

static bool bnd_str_is_number(const char *s)
{
	bool digit = false;

	for (; *s; s++) {
		if (isdigit(*s))
			digit = true;
		else if (!isspace(*s))
			return false;
	}
	return digit;
}

/*
 * Turn text or a number into a value of @opt: text is a value name, the
 * word "default", or a decimal number; a number must be a named value or
 * inside the option's range.
 */
static int bnd_opt_parse(const struct bnd_optctx *ctx, enum bnd_opt_id id,
			 struct bnd_optval *v)
{
	const struct bnd_option *opt = &bnd_opts[id];
	const struct bnd_opt_name *n;
	char word[33] = "";
	bool has_max;
	u64 min, max;
	char *nl;

	if (opt->flags & BND_OPTF_RAW)
		return 0;

	if (!v->has_num) {
		if (!v->str)
			goto invalid;
		nl = strchr(v->str, '\n');
		if (nl)
			*nl = '\0';
		if (bnd_str_is_number(v->str)) {
			if (kstrtou64(skip_spaces(strim(v->str)), 10, &v->num))
				goto invalid;
			v->has_num = true;
		} else if (sscanf(v->str, "%32s", word) != 1) {
			goto invalid;
		}
	}

	for (n = opt->names; n && n->name; n++) {
		if (v->has_num ? n->value == v->num :
		    !strcmp(word, n->name) ||
		    (!strcmp(word, "default") && (n->flags & BND_VAL_DEFAULT))) {
			v->num = n->value;
			v->has_num = true;
			return 0;
		}
	}

	bnd_opt_range(opt, &min, &max, &has_max);
	if (v->has_num && has_max && v->num >= min && v->num <= max)
		return 0;

invalid:
	bnd_opt_range(opt, &min, &max, &has_max);
	if (v->has_num && has_max)
		bnd_opt_report(ctx, id, -EINVAL,
			       "invalid value (%llu); allowed values %llu - %llu",
			       v->num, min, max);
	else
		bnd_opt_report(ctx, id, -EINVAL, "invalid value (%s)",
			       v->str ? v->str : "");
	return -EINVAL;
}

/*
 * bnd_opt_check - parse @v and check @id may be set now
 * @mode: the mode to check against (netlink checks a whole request
 *	  against the mode that request sets)
 *
 * Changes nothing; reports its own errors.
 */
int bnd_opt_check(const struct bnd_optctx *ctx, enum bnd_opt_id id,
		  struct bnd_optval *v, int mode)
{
	const struct bnd_option *opt = &bnd_opts[id];
	struct bnd_bond *bond = ctx->bond;

	if (!(opt->modes & BIT(mode))) {
		bnd_opt_report(ctx, id, -EACCES,
			       "mode dependency failed, not supported in mode %s(%d)",
			       bnd_opt_value_name(BND_OPT_MODE, mode), mode);
		return -EACCES;
	}
	if (bond && (opt->flags & BND_OPTF_NOSLAVES) && bond_has_slaves(&bond->b)) {
		bnd_opt_report(ctx, id, -ENOTEMPTY,
			       "unable to set because the bond device has slaves");
		return -ENOTEMPTY;
	}
	if (bond && (opt->flags & BND_OPTF_IFDOWN) && (bond->b.dev->flags & IFF_UP)) {
		bnd_opt_report(ctx, id, -EBUSY,
			       "unable to set because the bond device is up");
		return -EBUSY;
	}
	return bnd_opt_parse(ctx, id, v);
}

/*
 * bnd_opt_set - the one way an option value is changed
 *
 * Called with RTNL held (or before any bond exists, for module defaults).
 * On error nothing changed and the reason was reported.
 */
int bnd_opt_set(const struct bnd_optctx *ctx, enum bnd_opt_id id,
		struct bnd_optval *v)
{
	const struct bnd_option *opt = &bnd_opts[id];
	int err;

	err = bnd_opt_check(ctx, id, v, ctx->p->mode);
	if (err)
		return err;
	if (opt->set)
		err = opt->set(ctx, v);
	else
		bnd_params_write(ctx->p, opt, v->num);
	if (!err && ctx->bond && ctx->bond->ops->option_changed)
		ctx->bond->ops->option_changed(ctx->bond, id);
	return err;
}

/* sysfs entry: text in, RTNL held by the caller. */
int bnd_opt_set_str(struct bnd_bond *bond, enum bnd_opt_id id, char *str)
{
	struct bnd_optctx ctx = { .bond = bond, .p = &bond->b.params, .dev = bond->b.dev };
	struct bnd_optval v = { .str = str };
	int err;

	err = bnd_opt_set(&ctx, id, &v);
	if (!err && bond->b.dev->reg_state == NETREG_REGISTERED)
		call_netdevice_notifiers(NETDEV_CHANGEINFODATA, bond->b.dev);
	return err;
}

/* Netlink dump of every option with a bond attribute. */
int bnd_opt_fill_all(struct sk_buff *skb, struct bnd_bond *bond)
{
	bool ad = BOND_MODE(&bond->b) == BOND_MODE_8023AD &&
		  capable(CAP_NET_ADMIN);
	const struct bnd_option *opt;
	int err = 0;
	u64 val;

	for (opt = bnd_opts; opt < bnd_opts + BND_OPT_COUNT; opt++) {
		if (!opt->nla || (opt->flags & BND_OPTF_SLAVE))
			continue;
		if ((opt->flags & BND_OPTF_3AD_ONLY_SHOW) && !ad)
			continue;
		if (opt->fill) {
			err = opt->fill(skb, bond);
		} else {
			val = bnd_opt_read(bond, opt - bnd_opts);
			switch (opt->nla_type) {
			case NLA_U8:
				err = nla_put_u8(skb, opt->nla, val);
				break;
			case NLA_U16:
				err = nla_put_u16(skb, opt->nla, val);
				break;
			default:
				err = nla_put_u32(skb, opt->nla, val);
				break;
			}
		}
		if (err)
			return err;
	}
	return 0;
}

size_t bnd_opt_nl_size(void)
{
	size_t size = 0;

	/* Generous: every attribute at its largest plus the target lists. */
	size += BND_OPT_COUNT * nla_total_size(sizeof(u32));
	size += nla_total_size(0) + BOND_MAX_ARP_TARGETS * nla_total_size(sizeof(u32));
	size += nla_total_size(0) +
		BOND_MAX_NS_TARGETS * nla_total_size(sizeof(struct in6_addr));
	size += nla_total_size(ETH_ALEN);
	/* IFLA_BOND_AD_INFO */
	size += nla_total_size(0) + 4 * nla_total_size(sizeof(u16)) +
		nla_total_size(ETH_ALEN);
	return size;
}

/* Each bond (not slave) option's netlink type, into a policy of MAX + 1. */
void __init bnd_opt_nl_types(struct nla_policy *policy, unsigned int max)
{
	const struct bnd_option *opt;

	for (opt = bnd_opts; opt < bnd_opts + BND_OPT_COUNT; opt++)
		if (opt->nla && opt->nla <= max && !(opt->flags & BND_OPTF_SLAVE))
			policy[opt->nla].type = opt->nla_type;
}

/* ---- module parameters ------------------------------------------------ */

/*
 * Parameters keep upstream's names and types. Their text is stored while
 * the module loads and applied to bnd_defaults in table order by
 * bnd_params_init(), so "updelay=200 miimon=100" works in any order.
 * After load, writable parameters change the defaults of new bonds at once.
 */
static char *bnd_param_text[BND_OPT_COUNT];
static bool bnd_params_live;

static int bnd_param_apply(enum bnd_opt_id id, const char *text)
{
	struct bnd_optctx ctx = { .p = &bnd_defaults };
	struct bnd_optval v = {};
	char *copy, *cur, *tok;
	int err = 0;

	copy = kstrdup(text, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;

	if (id != BND_OPT_ARP_TARGETS) {
		v.str = copy;
		err = bnd_opt_set(&ctx, id, &v);
		kfree(copy);
		return err;
	}

	/* arp_ip_target=a,b,c: each address is added like "+a" in sysfs. */
	for (cur = copy; (tok = strsep(&cur, ",")) != NULL && !err;) {
		char buf[24];

		tok = strim(tok);
		if (!*tok)
			continue;
		snprintf(buf, sizeof(buf), "+%s", tok);
		memset(&v, 0, sizeof(v));
		v.str = buf;
		err = bnd_opt_set(&ctx, id, &v);
	}
	kfree(copy);
	return err;
}

static int bnd_param_set(const char *val, const struct kernel_param *kp)
{
	enum bnd_opt_id id = (uintptr_t)kp->arg;
	char *text;
	int err;

	if (bnd_params_live) {
		rtnl_lock();
		err = bnd_param_apply(id, val);
		rtnl_unlock();
		return err;
	}
	text = kstrdup(val, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	kfree(bnd_param_text[id]);
	bnd_param_text[id] = text;
	return 0;
}

static int bnd_param_get(char *buffer, const struct kernel_param *kp)
{
	const struct bnd_option *opt = &bnd_opts[(uintptr_t)kp->arg];

	if (opt->flags & BND_OPTF_RAW)
		return sysfs_emit(buffer, "%s\n", "(set)");
	return sysfs_emit(buffer, "%llu\n", bnd_params_read(&bnd_defaults, opt));
}

static const struct kernel_param_ops bnd_param_ops = {
	.set = bnd_param_set,
	.get = bnd_param_get,
};

#define BND_PARAM(_name, _id, _perm, _type, _desc)				\
	module_param_cb(_name, &bnd_param_ops, (void *)(uintptr_t)(_id), _perm); \
	__MODULE_PARM_TYPE(_name, _type);					\
	MODULE_PARM_DESC(_name, _desc)

BND_PARAM(mode, BND_OPT_MODE, 0, "charp",
	  "Mode of new bonds: balance-rr, active-backup, balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb (or 0-6)");
BND_PARAM(miimon, BND_OPT_MIIMON, 0, "int", "MII link check interval in ms (0 = off)");
BND_PARAM(updelay, BND_OPT_UPDELAY, 0, "int", "Delay before a link is used after it came up, in ms");
BND_PARAM(downdelay, BND_OPT_DOWNDELAY, 0, "int", "Delay before a failed link is disabled, in ms");
BND_PARAM(use_carrier, BND_OPT_USE_CARRIER, 0, "int",
	  "1: link state from netif_carrier_ok(), 0: from ethtool/MII");
BND_PARAM(primary, BND_OPT_PRIMARY, 0, "charp", "Preferred slave (active-backup, tlb, alb)");
BND_PARAM(primary_reselect, BND_OPT_PRIMARY_RESELECT, 0, "charp",
	  "When the primary becomes active again: always, better, failure");
BND_PARAM(lacp_rate, BND_OPT_LACP_RATE, 0, "charp", "802.3ad LACPDU rate asked of the partner: slow, fast");
BND_PARAM(ad_select, BND_OPT_AD_SELECT, 0, "charp", "802.3ad aggregator selection: stable, bandwidth, count");
BND_PARAM(min_links, BND_OPT_MIN_LINKS, 0, "int", "Links needed before the bond has carrier");
BND_PARAM(xmit_hash_policy, BND_OPT_XMIT_HASH, 0, "charp",
	  "Hash for balance-xor, 802.3ad, tlb: layer2, layer2+3, layer3+4, encap2+3, encap3+4, vlan+srcmac");
BND_PARAM(arp_interval, BND_OPT_ARP_INTERVAL, 0, "int", "ARP link check interval in ms (0 = off)");
BND_PARAM(arp_ip_target, BND_OPT_ARP_TARGETS, 0, "array of charp", "ARP targets, comma separated");
BND_PARAM(arp_validate, BND_OPT_ARP_VALIDATE, 0, "charp",
	  "Validate ARP replies: none, active, backup, all, filter, filter_active, filter_backup");
BND_PARAM(arp_all_targets, BND_OPT_ARP_ALL_TARGETS, 0, "charp", "Link up if any or all targets answer: any, all");
BND_PARAM(fail_over_mac, BND_OPT_FAIL_OVER_MAC, 0, "charp",
	  "active-backup MAC policy: none, active, follow");
BND_PARAM(all_slaves_active, BND_OPT_ALL_SLAVES_ACTIVE, 0, "int",
	  "1: inactive slaves deliver received frames too");
BND_PARAM(resend_igmp, BND_OPT_RESEND_IGMP, 0, "int", "IGMP reports resent after failover (0-255)");
BND_PARAM(packets_per_slave, BND_OPT_PACKETS_PER_SLAVE, 0, "int",
	  "balance-rr: packets per slave before moving on (0 = random)");
BND_PARAM(lp_interval, BND_OPT_LP_INTERVAL, 0, "uint", "Seconds between learning packets (tlb, alb)");
BND_PARAM(num_grat_arp, BND_OPT_NUM_GRAT_ARP, 0644, "int", "Peer notifications after a failover (0-255)");
BND_PARAM(num_unsol_na, BND_OPT_NUM_UNSOL_NA, 0644, "int", "Peer notifications after a failover (0-255)");

int bnd_params_init(void)
{
	int id, err;

	if (bnd_param_text[BND_OPT_MIIMON] && bnd_param_text[BND_OPT_ARP_INTERVAL] &&
	    strcmp(strim(bnd_param_text[BND_OPT_MIIMON]), "0") &&
	    strcmp(strim(bnd_param_text[BND_OPT_ARP_INTERVAL]), "0")) {
		pr_err("option arp_interval: cannot be used together with miimon\n");
		return -EINVAL;
	}

	for (id = 0; id < BND_OPT_COUNT; id++) {
		if (!bnd_param_text[id])
			continue;
		err = bnd_param_apply(id, bnd_param_text[id]);
		if (err)
			return err;
	}
	bnd_params_live = true;
	return 0;
}

void bnd_params_exit(void)
{
	int id;

	for (id = 0; id < BND_OPT_COUNT; id++) {
		kfree(bnd_param_text[id]);
		bnd_param_text[id] = NULL;
	}
}
