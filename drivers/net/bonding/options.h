/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The option table: every bonding option is described once, and sysfs,
 * netlink and module parameters all parse, validate and apply it through
 * bnd_opt_set(), so they accept the same values and fail the same way.
 */
#ifndef BND_OPTIONS_H
#define BND_OPTIONS_H

#include <linux/types.h>
#include <linux/netlink.h>
#include <linux/in6.h>

struct bnd_bond;
struct bond_params;
struct net_device;
struct sk_buff;

enum bnd_opt_id {
	BND_OPT_MODE,
	BND_OPT_ACTIVE_SLAVE,
	BND_OPT_MIIMON,
	BND_OPT_UPDELAY,
	BND_OPT_DOWNDELAY,
	BND_OPT_PEER_NOTIF_DELAY,
	BND_OPT_USE_CARRIER,
	BND_OPT_ARP_INTERVAL,
	BND_OPT_ARP_TARGETS,
	BND_OPT_NS_TARGETS,
	BND_OPT_ARP_VALIDATE,
	BND_OPT_ARP_ALL_TARGETS,
	BND_OPT_PRIMARY,
	BND_OPT_PRIMARY_RESELECT,
	BND_OPT_FAIL_OVER_MAC,
	BND_OPT_XMIT_HASH,
	BND_OPT_RESEND_IGMP,
	BND_OPT_NUM_UNSOL_NA,
	BND_OPT_NUM_GRAT_ARP,
	BND_OPT_ALL_SLAVES_ACTIVE,
	BND_OPT_MIN_LINKS,
	BND_OPT_LP_INTERVAL,
	BND_OPT_PACKETS_PER_SLAVE,
	BND_OPT_LACP_ACTIVE,
	BND_OPT_LACP_RATE,
	BND_OPT_AD_SELECT,
	BND_OPT_AD_ACTOR_SYS_PRIO,
	BND_OPT_AD_USER_PORT_KEY,
	BND_OPT_AD_ACTOR_SYSTEM,
	BND_OPT_TLB_DYNAMIC_LB,
	BND_OPT_MISSED_MAX,
	BND_OPT_COUPLED_CONTROL,
	BND_OPT_SLAVES,
	BND_OPT_QUEUE_ID,
	BND_OPT_PRIO,
	BND_OPT_ACTOR_PORT_PRIO,
	BND_OPT_COUNT
};

/* A named value; MIN/MAX entries also bound the accepted numeric range. */
#define BND_VAL_DEFAULT	BIT(0)
#define BND_VAL_MIN	BIT(1)
#define BND_VAL_MAX	BIT(2)

struct bnd_opt_name {
	const char *name;
	u64 value;
	u8 flags;
};

/* Option flags */
#define BND_OPTF_IFDOWN		BIT(0)	/* bond must be down */
#define BND_OPTF_NOSLAVES	BIT(1)	/* bond must have no slaves */
#define BND_OPTF_RAW		BIT(2)	/* setter parses the string itself */
#define BND_OPTF_SHOW_NAME	BIT(3)	/* sysfs shows "name value" */
#define BND_OPTF_SLAVE		BIT(4)	/* a per-slave value */
#define BND_OPTF_3AD_ONLY_SHOW	BIT(5)	/* shown only in 802.3ad mode */
#define BND_OPTF_LIVE		BIT(6)	/* acts on the bond's slaves: ->check, no trial run */

/**
 * struct bnd_optval - a value on its way in
 * @num:	numeric value (valid when @has_num)
 * @str:	text as written to sysfs or a module parameter, or NULL
 * @slave:	target slave device of a per-slave option
 * @bin:	binary payload (MAC address, IPv6 address)
 */
struct bnd_optval {
	u64 num;
	bool has_num;
	char *str;
	struct net_device *slave;
	u8 bin[sizeof(struct in6_addr)];
	unsigned int bin_len;
};

/**
 * struct bnd_optctx - where a value goes
 * @bond:	the bond whose state changes, or NULL when only @p changes
 *		(module defaults, or a netlink request tried on a copy)
 * @p:		the parameters being changed
 * @dev:	device to name in error reports (NULL: the module)
 * @extack:	netlink error report, or NULL
 * @attr:	attribute to blame in @extack
 * @quiet:	a trial run: refusals are reported, warnings are not
 */
struct bnd_optctx {
	struct bnd_bond *bond;
	struct bond_params *p;
	struct net_device *dev;
	struct netlink_ext_ack *extack;
	const struct nlattr *attr;
	bool quiet;
};

struct bnd_option {
	const char *name;
	const char *desc;
	const struct bnd_opt_name *names;
	unsigned long modes;
	u32 flags;
	u16 nla;
	u8 nla_type;
	u16 off;
	u8 size;
	int (*set)(const struct bnd_optctx *ctx, const struct bnd_optval *v);
	/*
	 * BND_OPTF_LIVE options only: could @v be applied to the bond as it
	 * is now? Reports why not and changes nothing; netlink runs it with
	 * the other checks of a request, before anything is applied.
	 */
	int (*check)(const struct bnd_optctx *ctx, const struct bnd_optval *v);
	u64 (*get)(const struct bnd_bond *bond);
	ssize_t (*show)(struct bnd_bond *bond, char *buf);
	int (*fill)(struct sk_buff *skb, struct bnd_bond *bond);
};

const struct bnd_option *bnd_opt_get(enum bnd_opt_id id);
const char *bnd_opt_value_name(enum bnd_opt_id id, u64 value);
u64 bnd_opt_read(const struct bnd_bond *bond, enum bnd_opt_id id);

int bnd_opt_set(const struct bnd_optctx *ctx, enum bnd_opt_id id,
		struct bnd_optval *v);
int bnd_opt_set_str(struct bnd_bond *bond, enum bnd_opt_id id, char *str);
int bnd_opt_check(const struct bnd_optctx *ctx, enum bnd_opt_id id,
		  struct bnd_optval *v, int mode);
void bnd_opt_report(const struct bnd_optctx *ctx, enum bnd_opt_id id,
		    int err, const char *fmt, ...) __printf(4, 5);

int bnd_opt_fill_all(struct sk_buff *skb, struct bnd_bond *bond);
size_t bnd_opt_nl_size(void);
void bnd_opt_nl_types(struct nla_policy *policy, unsigned int max);

int bnd_params_init(void);
void bnd_params_exit(void);

#endif /* BND_OPTIONS_H */
