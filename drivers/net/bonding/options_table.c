// SPDX-License-Identifier: GPL-2.0
/*
 * The option table: names, accepted values, modes, restrictions and
 * netlink attributes of every bonding option (options_ops.c has what they
 * do). Names, value words and numbers are the upstream ABI.
 */
#include <linux/rtnetlink.h>

#include "bond.h"
#include "options_table.h"

#define MODE(m)		BIT(BOND_MODE_##m)
#define ARP_MODES	(BND_ALL_MODES & ~(MODE(8023AD) | MODE(TLB) | MODE(ALB)))
#define PRIMARY_MODES	(MODE(ACTIVEBACKUP) | MODE(TLB) | MODE(ALB))
#define FIELD(f)	.off = offsetof(struct bond_params, f), \
			.size = sizeof_field(struct bond_params, f)

/* ---- value names ------------------------------------------------------ */

static const struct bnd_opt_name bnd_mode_names[] = {
	{ "balance-rr",    BOND_MODE_ROUNDROBIN,   BND_VAL_DEFAULT },
	{ "active-backup", BOND_MODE_ACTIVEBACKUP, 0 },
	{ "balance-xor",   BOND_MODE_XOR,          0 },
	{ "broadcast",     BOND_MODE_BROADCAST,    0 },
	{ "802.3ad",       BOND_MODE_8023AD,       0 },
	{ "balance-tlb",   BOND_MODE_TLB,          0 },
	{ "balance-alb",   BOND_MODE_ALB,          0 },
	{ }
};

static const struct bnd_opt_name bnd_pps_names[] = {
	{ "default", 1,         BND_VAL_DEFAULT },
	{ "maxval",  USHRT_MAX, BND_VAL_MAX },
	{ }
};

static const struct bnd_opt_name bnd_hash_names[] = {
	{ "layer2",      BOND_XMIT_POLICY_LAYER2,      BND_VAL_DEFAULT },
	{ "layer3+4",    BOND_XMIT_POLICY_LAYER34,     0 },
	{ "layer2+3",    BOND_XMIT_POLICY_LAYER23,     0 },
	{ "encap2+3",    BOND_XMIT_POLICY_ENCAP23,     0 },
	{ "encap3+4",    BOND_XMIT_POLICY_ENCAP34,     0 },
	{ "vlan+srcmac", BOND_XMIT_POLICY_VLAN_SRCMAC, 0 },
	{ }
};

static const struct bnd_opt_name bnd_arp_validate_names[] = {
	{ "none",          BOND_ARP_VALIDATE_NONE,   BND_VAL_DEFAULT },
	{ "active",        BOND_ARP_VALIDATE_ACTIVE, 0 },
	{ "backup",        BOND_ARP_VALIDATE_BACKUP, 0 },
	{ "all",           BOND_ARP_VALIDATE_ALL,    0 },
	{ "filter",        BOND_ARP_FILTER,          0 },
	{ "filter_active", BOND_ARP_FILTER_ACTIVE,   0 },
	{ "filter_backup", BOND_ARP_FILTER_BACKUP,   0 },
	{ }
};

static const struct bnd_opt_name bnd_arp_all_targets_names[] = {
	{ "any", BOND_ARP_TARGETS_ANY, BND_VAL_DEFAULT },
	{ "all", BOND_ARP_TARGETS_ALL, 0 },
	{ }
};

static const struct bnd_opt_name bnd_fom_names[] = {
	{ "none",   BOND_FOM_NONE,   BND_VAL_DEFAULT },
	{ "active", BOND_FOM_ACTIVE, 0 },
	{ "follow", BOND_FOM_FOLLOW, 0 },
	{ }
};

static const struct bnd_opt_name bnd_intmax_names[] = {
	{ "off",    0,       BND_VAL_DEFAULT },
	{ "maxval", INT_MAX, BND_VAL_MAX },
	{ }
};

static const struct bnd_opt_name bnd_on_default_names[] = {
	{ "off", 0, 0 },
	{ "on",  1, BND_VAL_DEFAULT },
	{ }
};

static const struct bnd_opt_name bnd_off_default_names[] = {
	{ "off", 0, BND_VAL_DEFAULT },
	{ "on",  1, 0 },
	{ }
};

static const struct bnd_opt_name bnd_lacp_rate_names[] = {
	{ "slow", AD_LACP_SLOW, 0 },
	{ "fast", AD_LACP_FAST, 0 },
	{ }
};

static const struct bnd_opt_name bnd_ad_select_names[] = {
	{ "stable",    BOND_AD_STABLE,    BND_VAL_DEFAULT },
	{ "bandwidth", BOND_AD_BANDWIDTH, 0 },
	{ "count",     BOND_AD_COUNT,     0 },
	{ }
};

static const struct bnd_opt_name bnd_byte_default1_names[] = {
	{ "off",     0,   0 },
	{ "maxval",  255, BND_VAL_MAX },
	{ "default", 1,   BND_VAL_DEFAULT },
	{ }
};

static const struct bnd_opt_name bnd_peer_notif_delay_names[] = {
	{ "off",    0,      0 },
	{ "maxval", 300000, BND_VAL_MAX },
	{ }
};

static const struct bnd_opt_name bnd_primary_reselect_names[] = {
	{ "always",  BOND_PRI_RESELECT_ALWAYS,  BND_VAL_DEFAULT },
	{ "better",  BOND_PRI_RESELECT_BETTER,  0 },
	{ "failure", BOND_PRI_RESELECT_FAILURE, 0 },
	{ }
};

static const struct bnd_opt_name bnd_lp_interval_names[] = {
	{ "minval", 1,       BND_VAL_MIN | BND_VAL_DEFAULT },
	{ "maxval", INT_MAX, BND_VAL_MAX },
	{ }
};

static const struct bnd_opt_name bnd_sys_prio_names[] = {
	{ "minval", 1,     BND_VAL_MIN },
	{ "maxval", 65535, BND_VAL_MAX | BND_VAL_DEFAULT },
	{ }
};

static const struct bnd_opt_name bnd_port_key_names[] = {
	{ "minval", 0,    BND_VAL_MIN | BND_VAL_DEFAULT },
	{ "maxval", 1023, BND_VAL_MAX },
	{ }
};

static const struct bnd_opt_name bnd_missed_max_names[] = {
	{ "minval",  1,   BND_VAL_MIN },
	{ "maxval",  255, BND_VAL_MAX },
	{ "default", 2,   BND_VAL_DEFAULT },
	{ }
};

/* ---- the table -------------------------------------------------------- */

const struct bnd_option bnd_opts[BND_OPT_COUNT] = {
	[BND_OPT_MODE] = {
		.name = "mode", .names = bnd_mode_names, .modes = BND_ALL_MODES,
		.flags = BND_OPTF_NOSLAVES | BND_OPTF_IFDOWN | BND_OPTF_SHOW_NAME,
		.nla = IFLA_BOND_MODE, .nla_type = NLA_U8, FIELD(mode),
		.set = bnd_mode_set,
	},
	[BND_OPT_ACTIVE_SLAVE] = {
		.name = "active_slave", .modes = PRIMARY_MODES,
		.flags = BND_OPTF_RAW | BND_OPTF_LIVE,
		.nla = IFLA_BOND_ACTIVE_SLAVE, .nla_type = NLA_U32,
		.set = bnd_active_slave_set, .check = bnd_active_slave_check,
		.show = bnd_active_slave_show,
		.fill = bnd_active_slave_fill,
	},
	[BND_OPT_MIIMON] = {
		.name = "miimon", .names = bnd_intmax_names, .modes = BND_ALL_MODES,
		.nla = IFLA_BOND_MIIMON, .nla_type = NLA_U32, FIELD(miimon),
		.set = bnd_miimon_set,
	},
	[BND_OPT_UPDELAY] = {
		.name = "updelay", .names = bnd_intmax_names, .modes = BND_ALL_MODES,
		.nla = IFLA_BOND_UPDELAY, .nla_type = NLA_U32,
		.set = bnd_updelay_set, .get = bnd_updelay_get,
	},
	[BND_OPT_DOWNDELAY] = {
		.name = "downdelay", .names = bnd_intmax_names, .modes = BND_ALL_MODES,
		.nla = IFLA_BOND_DOWNDELAY, .nla_type = NLA_U32,
		.set = bnd_downdelay_set, .get = bnd_downdelay_get,
	},
	[BND_OPT_PEER_NOTIF_DELAY] = {
		.name = "peer_notif_delay", .names = bnd_peer_notif_delay_names,
		.modes = BND_ALL_MODES,
		.nla = IFLA_BOND_PEER_NOTIF_DELAY, .nla_type = NLA_U32,
		.set = bnd_peer_delay_set, .get = bnd_peer_delay_get,
	},
	[BND_OPT_USE_CARRIER] = {
		.name = "use_carrier", .names = bnd_on_default_names,
		.modes = BND_ALL_MODES,
		.nla = IFLA_BOND_USE_CARRIER, .nla_type = NLA_U8, FIELD(use_carrier),
	},
	[BND_OPT_ARP_INTERVAL] = {
		.name = "arp_interval", .names = bnd_intmax_names, .modes = ARP_MODES,
		.nla = IFLA_BOND_ARP_INTERVAL, .nla_type = NLA_U32, FIELD(arp_interval),
		.set = bnd_arp_interval_set,
	},
	[BND_OPT_ARP_TARGETS] = {
		.name = "arp_ip_target", .modes = BND_ALL_MODES, .flags = BND_OPTF_RAW,
		.nla = IFLA_BOND_ARP_IP_TARGET, .nla_type = NLA_NESTED,
		.set = bnd_arp_targets_set, .show = bnd_arp_targets_show,
		.fill = bnd_arp_targets_fill,
	},
	[BND_OPT_NS_TARGETS] = {
		.name = "ns_ip6_target", .modes = BND_ALL_MODES, .flags = BND_OPTF_RAW,
		.nla = IFLA_BOND_NS_IP6_TARGET, .nla_type = NLA_NESTED,
		.set = bnd_ns_targets_set, .fill = bnd_ns_targets_fill,
	},
	[BND_OPT_ARP_VALIDATE] = {
		.name = "arp_validate", .names = bnd_arp_validate_names,
		.modes = ARP_MODES, .flags = BND_OPTF_SHOW_NAME,
		.nla = IFLA_BOND_ARP_VALIDATE, .nla_type = NLA_U32, FIELD(arp_validate),
		.set = bnd_arp_validate_set,
	},
	[BND_OPT_ARP_ALL_TARGETS] = {
		.name = "arp_all_targets", .names = bnd_arp_all_targets_names,
		.modes = BND_ALL_MODES, .flags = BND_OPTF_SHOW_NAME,
		.nla = IFLA_BOND_ARP_ALL_TARGETS, .nla_type = NLA_U32,
		FIELD(arp_all_targets),
	},
	[BND_OPT_PRIMARY] = {
		.name = "primary", .modes = PRIMARY_MODES, .flags = BND_OPTF_RAW,
		.nla = IFLA_BOND_PRIMARY, .nla_type = NLA_U32,
		.set = bnd_primary_set, .show = bnd_primary_show,
		.fill = bnd_primary_fill,
	},
	[BND_OPT_PRIMARY_RESELECT] = {
		.name = "primary_reselect", .names = bnd_primary_reselect_names,
		.modes = BND_ALL_MODES, .flags = BND_OPTF_SHOW_NAME,
		.nla = IFLA_BOND_PRIMARY_RESELECT, .nla_type = NLA_U8,
		FIELD(primary_reselect), .set = bnd_primary_reselect_set,
	},
	[BND_OPT_FAIL_OVER_MAC] = {
		.name = "fail_over_mac", .names = bnd_fom_names, .modes = BND_ALL_MODES,
		.flags = BND_OPTF_NOSLAVES | BND_OPTF_SHOW_NAME,
		.nla = IFLA_BOND_FAIL_OVER_MAC, .nla_type = NLA_U8, FIELD(fail_over_mac),
	},
	[BND_OPT_XMIT_HASH] = {
		.name = "xmit_hash_policy", .names = bnd_hash_names,
		.modes = BND_ALL_MODES, .flags = BND_OPTF_SHOW_NAME,
		.nla = IFLA_BOND_XMIT_HASH_POLICY, .nla_type = NLA_U8,
		FIELD(xmit_policy),
	},
	[BND_OPT_RESEND_IGMP] = {
		.name = "resend_igmp", .names = bnd_byte_default1_names,
		.modes = BND_ALL_MODES,
		.nla = IFLA_BOND_RESEND_IGMP, .nla_type = NLA_U32, FIELD(resend_igmp),
	},
	[BND_OPT_NUM_UNSOL_NA] = {
		.name = "num_unsol_na", .names = bnd_byte_default1_names,
		.modes = BND_ALL_MODES,
		.nla = IFLA_BOND_NUM_PEER_NOTIF, .nla_type = NLA_U8,
		FIELD(num_peer_notif),
	},
	[BND_OPT_NUM_GRAT_ARP] = {
		.name = "num_grat_arp", .names = bnd_byte_default1_names,
		.modes = BND_ALL_MODES, FIELD(num_peer_notif),
	},
	[BND_OPT_ALL_SLAVES_ACTIVE] = {
		.name = "all_slaves_active", .names = bnd_off_default_names,
		.modes = BND_ALL_MODES,
		.nla = IFLA_BOND_ALL_SLAVES_ACTIVE, .nla_type = NLA_U8,
		FIELD(all_slaves_active), .set = bnd_all_slaves_active_set,
	},
	[BND_OPT_MIN_LINKS] = {
		.name = "min_links", .names = bnd_intmax_names, .modes = BND_ALL_MODES,
		.nla = IFLA_BOND_MIN_LINKS, .nla_type = NLA_U32, FIELD(min_links),
		.set = bnd_min_links_set,
	},
	[BND_OPT_LP_INTERVAL] = {
		.name = "lp_interval", .names = bnd_lp_interval_names,
		.modes = BND_ALL_MODES,
		.nla = IFLA_BOND_LP_INTERVAL, .nla_type = NLA_U32, FIELD(lp_interval),
	},
	[BND_OPT_PACKETS_PER_SLAVE] = {
		.name = "packets_per_slave", .names = bnd_pps_names,
		.modes = MODE(ROUNDROBIN),
		.nla = IFLA_BOND_PACKETS_PER_SLAVE, .nla_type = NLA_U32,
		FIELD(packets_per_slave), .set = bnd_pps_set,
	},
	[BND_OPT_LACP_ACTIVE] = {
		.name = "lacp_active", .names = bnd_on_default_names,
		.modes = MODE(8023AD), .flags = BND_OPTF_IFDOWN | BND_OPTF_SHOW_NAME,
		.nla = IFLA_BOND_AD_LACP_ACTIVE, .nla_type = NLA_U8, FIELD(lacp_active),
	},
	[BND_OPT_LACP_RATE] = {
		.name = "lacp_rate", .names = bnd_lacp_rate_names, .modes = MODE(8023AD),
		.flags = BND_OPTF_IFDOWN | BND_OPTF_SHOW_NAME,
		.nla = IFLA_BOND_AD_LACP_RATE, .nla_type = NLA_U8, FIELD(lacp_fast),
	},
	[BND_OPT_AD_SELECT] = {
		.name = "ad_select", .names = bnd_ad_select_names, .modes = BND_ALL_MODES,
		.flags = BND_OPTF_IFDOWN | BND_OPTF_SHOW_NAME,
		.nla = IFLA_BOND_AD_SELECT, .nla_type = NLA_U8, FIELD(ad_select),
	},
	[BND_OPT_AD_ACTOR_SYS_PRIO] = {
		.name = "ad_actor_sys_prio", .names = bnd_sys_prio_names,
		.modes = MODE(8023AD), .flags = BND_OPTF_3AD_ONLY_SHOW,
		.nla = IFLA_BOND_AD_ACTOR_SYS_PRIO, .nla_type = NLA_U16,
		FIELD(ad_actor_sys_prio),
	},
	[BND_OPT_AD_USER_PORT_KEY] = {
		.name = "ad_user_port_key", .names = bnd_port_key_names,
		.modes = MODE(8023AD), .flags = BND_OPTF_IFDOWN | BND_OPTF_3AD_ONLY_SHOW,
		.nla = IFLA_BOND_AD_USER_PORT_KEY, .nla_type = NLA_U16,
		FIELD(ad_user_port_key),
	},
	[BND_OPT_AD_ACTOR_SYSTEM] = {
		.name = "ad_actor_system", .modes = MODE(8023AD),
		.flags = BND_OPTF_RAW | BND_OPTF_3AD_ONLY_SHOW,
		.nla = IFLA_BOND_AD_ACTOR_SYSTEM, .nla_type = NLA_BINARY,
		.set = bnd_ad_actor_system_set, .show = bnd_ad_actor_system_show,
		.fill = bnd_ad_actor_system_fill,
	},
	[BND_OPT_TLB_DYNAMIC_LB] = {
		.name = "tlb_dynamic_lb", .names = bnd_on_default_names,
		.modes = MODE(TLB) | MODE(ALB), .flags = BND_OPTF_IFDOWN,
		.nla = IFLA_BOND_TLB_DYNAMIC_LB, .nla_type = NLA_U8,
		FIELD(tlb_dynamic_lb),
	},
	[BND_OPT_MISSED_MAX] = {
		.name = "arp_missed_max", .names = bnd_missed_max_names,
		.modes = ARP_MODES,
		.nla = IFLA_BOND_MISSED_MAX, .nla_type = NLA_U8, FIELD(missed_max),
	},
	[BND_OPT_COUPLED_CONTROL] = {
		.name = "coupled_control", .names = bnd_on_default_names,
		.modes = MODE(8023AD), .flags = BND_OPTF_IFDOWN,
		.nla = IFLA_BOND_COUPLED_CONTROL, .nla_type = NLA_U8,
		FIELD(coupled_control),
	},
	[BND_OPT_SLAVES] = {
		.name = "slaves", .modes = BND_ALL_MODES, .flags = BND_OPTF_RAW | BND_OPTF_LIVE,
		.set = bnd_slaves_set, .show = bnd_slaves_show,
	},
	[BND_OPT_QUEUE_ID] = {
		.name = "queue_id", .modes = BND_ALL_MODES, .flags = BND_OPTF_RAW | BND_OPTF_LIVE,
		.set = bnd_queue_id_set, .show = bnd_queue_id_show,
	},
	[BND_OPT_PRIO] = {
		.name = "prio", .modes = PRIMARY_MODES,
		.flags = BND_OPTF_RAW | BND_OPTF_SLAVE | BND_OPTF_LIVE,
		.nla = IFLA_BOND_SLAVE_PRIO, .set = bnd_prio_set,
	},
	[BND_OPT_ACTOR_PORT_PRIO] = {
		.name = "actor_port_prio", .modes = MODE(8023AD),
		.flags = BND_OPTF_RAW | BND_OPTF_SLAVE | BND_OPTF_LIVE,
		.nla = IFLA_BOND_SLAVE_ACTOR_PORT_PRIO, .set = bnd_actor_port_prio_set,
	},
};
