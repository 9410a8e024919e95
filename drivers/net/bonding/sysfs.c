// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs: /sys/class/net/bonding_masters (one per network namespace) and
 * /sys/class/net/<bond>/bonding/<option>. Every writable file is an entry
 * of the option table; names, modes and value formats are upstream's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/sched/signal.h>

#include "bond.h"
#include "options.h"

/* ---- bonding_masters -------------------------------------------------- */

static ssize_t bnd_masters_show(BND_CLASS_CONST struct class *cls,
				BND_CLASS_CONST struct class_attribute *attr,
				char *buf)
{
	const struct bond_net *bn =
		container_of(attr, struct bond_net, class_attr_bonding_masters);
	struct bnd_bond *bond;
	int len = 0;

	if (!rtnl_trylock())
		return restart_syscall();
	list_for_each_entry(bond, &bn->dev_list, b.bond_list) {
		if (len > PAGE_SIZE - IFNAMSIZ - 2)
			break;
		len += sysfs_emit_at(buf, len, "%s ", bnd_name(bond));
	}
	rtnl_unlock();
	if (len)
		buf[len - 1] = '\n';
	return len;
}

static struct net_device *bnd_find_bond(const struct bond_net *bn, const char *name)
{
	struct bnd_bond *bond;

	list_for_each_entry(bond, &bn->dev_list, b.bond_list)
		if (!strcmp(bnd_name(bond), name))
			return bond->b.dev;
	return NULL;
}

static ssize_t bnd_masters_store(BND_CLASS_CONST struct class *cls,
				 BND_CLASS_CONST struct class_attribute *attr,
				 const char *buf, size_t count)
{
	const struct bond_net *bn =
		container_of(attr, struct bond_net, class_attr_bonding_masters);
	char cmd[IFNAMSIZ + 1] = "";
	struct net_device *dev;
	int err;

	if (sscanf(buf, "%16s", cmd) != 1 || strlen(cmd) < 2 ||
	    (cmd[0] != '+' && cmd[0] != '-') || !dev_valid_name(cmd + 1)) {
		pr_err("bonding_masters: no command found (%.16s): use +ifname or -ifname\n",
		       cmd);
		return -EPERM;
	}

	if (cmd[0] == '+') {
		err = bnd_create(bn->net, cmd + 1);
		if (err) {
			pr_err("bonding_masters: cannot create %s (%d)\n", cmd + 1, err);
			return err;
		}
		return count;
	}

	rtnl_lock();
	dev = bnd_find_bond(bn, cmd + 1);
	if (dev)
		unregister_netdevice(dev);
	rtnl_unlock();
	if (!dev) {
		pr_err("bonding_masters: cannot delete %s: no such bond\n", cmd + 1);
		return -ENODEV;
	}
	return count;
}

static const struct class_attribute bnd_masters_attr = {
	.attr = { .name = "bonding_masters", .mode = 0644 },
	.show = bnd_masters_show,
	.store = bnd_masters_store,
};

int bnd_sysfs_masters_create(struct bond_net *bn)
{
	int err;

	bn->class_attr_bonding_masters = bnd_masters_attr;
	sysfs_attr_init(&bn->class_attr_bonding_masters.attr);
	err = netdev_class_create_file_ns(&bn->class_attr_bonding_masters, bn->net);
	if (err == -EEXIST) {
		/* A device called bonding_masters, or another bonding module. */
		pr_err("/sys/class/net/bonding_masters already exists in this namespace; bonds here are managed with ip link only\n");
		err = 0;
	}
	return err;
}

void bnd_sysfs_masters_destroy(struct bond_net *bn)
{
	netdev_class_remove_file_ns(&bn->class_attr_bonding_masters, bn->net);
}

/* ---- per-bond options ------------------------------------------------- */

struct bnd_attr {
	struct device_attribute da;
	enum bnd_opt_id id;
};

static struct bnd_bond *bnd_of_device(struct device *d)
{
	return netdev_priv(to_net_dev(d));
}

static ssize_t bnd_attr_show(struct device *d, struct device_attribute *da,
			     char *buf)
{
	const struct bnd_attr *a = container_of(da, struct bnd_attr, da);
	const struct bnd_option *opt = bnd_opt_get(a->id);
	struct bnd_bond *bond = bnd_of_device(d);
	u64 val;

	if ((opt->flags & BND_OPTF_3AD_ONLY_SHOW) &&
	    (BOND_MODE(&bond->b) != BOND_MODE_8023AD || !capable(CAP_NET_ADMIN)))
		return 0;
	if (opt->show)
		return opt->show(bond, buf);
	val = bnd_opt_read(bond, a->id);
	if (opt->flags & BND_OPTF_SHOW_NAME)
		return sysfs_emit(buf, "%s %llu\n", bnd_opt_value_name(a->id, val), val);
	return sysfs_emit(buf, "%llu\n", val);
}

static ssize_t bnd_attr_store(struct device *d, struct device_attribute *da,
			      const char *buf, size_t count)
{
	const struct bnd_attr *a = container_of(da, struct bnd_attr, da);
	struct bnd_bond *bond = bnd_of_device(d);
	char *text;
	int err;

	text = kstrndup(buf, count, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	if (!rtnl_trylock()) {
		kfree(text);
		return restart_syscall();
	}
	err = bnd_opt_set_str(bond, a->id, text);
	rtnl_unlock();
	kfree(text);
	return err ? err : count;
}

#define BND_ATTR(_name, _id)						\
	static struct bnd_attr bnd_attr_##_name = {			\
		.da = __ATTR(_name, 0644, bnd_attr_show, bnd_attr_store), \
		.id = _id,						\
	}

BND_ATTR(slaves, BND_OPT_SLAVES);
BND_ATTR(mode, BND_OPT_MODE);
BND_ATTR(fail_over_mac, BND_OPT_FAIL_OVER_MAC);
BND_ATTR(arp_validate, BND_OPT_ARP_VALIDATE);
BND_ATTR(arp_all_targets, BND_OPT_ARP_ALL_TARGETS);
BND_ATTR(arp_interval, BND_OPT_ARP_INTERVAL);
BND_ATTR(arp_ip_target, BND_OPT_ARP_TARGETS);
BND_ATTR(downdelay, BND_OPT_DOWNDELAY);
BND_ATTR(updelay, BND_OPT_UPDELAY);
BND_ATTR(peer_notif_delay, BND_OPT_PEER_NOTIF_DELAY);
BND_ATTR(lacp_active, BND_OPT_LACP_ACTIVE);
BND_ATTR(lacp_rate, BND_OPT_LACP_RATE);
BND_ATTR(ad_select, BND_OPT_AD_SELECT);
BND_ATTR(xmit_hash_policy, BND_OPT_XMIT_HASH);
BND_ATTR(num_grat_arp, BND_OPT_NUM_GRAT_ARP);
BND_ATTR(num_unsol_na, BND_OPT_NUM_UNSOL_NA);
BND_ATTR(miimon, BND_OPT_MIIMON);
BND_ATTR(primary, BND_OPT_PRIMARY);
BND_ATTR(primary_reselect, BND_OPT_PRIMARY_RESELECT);
BND_ATTR(use_carrier, BND_OPT_USE_CARRIER);
BND_ATTR(active_slave, BND_OPT_ACTIVE_SLAVE);
BND_ATTR(queue_id, BND_OPT_QUEUE_ID);
BND_ATTR(all_slaves_active, BND_OPT_ALL_SLAVES_ACTIVE);
BND_ATTR(resend_igmp, BND_OPT_RESEND_IGMP);
BND_ATTR(min_links, BND_OPT_MIN_LINKS);
BND_ATTR(lp_interval, BND_OPT_LP_INTERVAL);
BND_ATTR(packets_per_slave, BND_OPT_PACKETS_PER_SLAVE);
BND_ATTR(tlb_dynamic_lb, BND_OPT_TLB_DYNAMIC_LB);
BND_ATTR(ad_actor_sys_prio, BND_OPT_AD_ACTOR_SYS_PRIO);
BND_ATTR(ad_actor_system, BND_OPT_AD_ACTOR_SYSTEM);
BND_ATTR(ad_user_port_key, BND_OPT_AD_USER_PORT_KEY);
BND_ATTR(arp_missed_max, BND_OPT_MISSED_MAX);

/* ---- read-only status ------------------------------------------------- */

static ssize_t mii_status_show(struct device *d, struct device_attribute *attr,
			       char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  netif_carrier_ok(to_net_dev(d)) ? "up" : "down");
}
static DEVICE_ATTR_RO(mii_status);

/*
 * RLB counters of this bond (balance-alb). Not an upstream file: present
 * for every mode so that a test can see that a bond of another mode never
 * did any receive balancing.
 */
static ssize_t rlb_stats_show(struct device *d, struct device_attribute *attr,
			      char *buf)
{
	struct bnd_bond *bond = bnd_of_device(d);
	int len;

	len = sysfs_emit(buf, "RLB Clients: %u\n", bnd_rlb_count(bond));
	return len + bnd_rlb_format_counters(bond, buf + len, PAGE_SIZE - len);
}
static DEVICE_ATTR_RO(rlb_stats);

/*
 * 802.3ad aggregator facts: empty outside 802.3ad; zeros in 802.3ad while
 * there is no active aggregator (as upstream). Keys and the partner MAC
 * are for CAP_NET_ADMIN only.
 */
enum { BND_AD_AGG, BND_AD_PORTS, BND_AD_ACTOR_KEY, BND_AD_PARTNER_KEY, BND_AD_PARTNER_MAC };

static ssize_t bnd_ad_show(struct device *d, char *buf, int what)
{
	struct bnd_bond *bond = bnd_of_device(d);
	const struct bnd_mode_ops *ops = READ_ONCE(bond->ops);
	struct ad_info info = {};
	bool have;

	if (!ops->ad_info || (what >= BND_AD_ACTOR_KEY && !capable(CAP_NET_ADMIN)))
		return 0;
	have = !ops->ad_info(bond, &info);
	switch (what) {
	case BND_AD_AGG:
		return sysfs_emit(buf, "%d\n", have ? info.aggregator_id : 0);
	case BND_AD_PORTS:
		return sysfs_emit(buf, "%d\n", have ? info.ports : 0);
	case BND_AD_ACTOR_KEY:
		return sysfs_emit(buf, "%d\n", have ? info.actor_key : 0);
	case BND_AD_PARTNER_KEY:
		return sysfs_emit(buf, "%d\n", have ? info.partner_key : 0);
	default:
		return have ? sysfs_emit(buf, "%pM\n", info.partner_system) : 0;
	}
}

#define BND_AD_ATTR(_name, _what)						\
	static ssize_t _name##_show(struct device *d, struct device_attribute *attr, \
				    char *buf)					\
	{									\
		return bnd_ad_show(d, buf, _what);				\
	}									\
	static DEVICE_ATTR_RO(_name)

BND_AD_ATTR(ad_aggregator, BND_AD_AGG);
BND_AD_ATTR(ad_num_ports, BND_AD_PORTS);
BND_AD_ATTR(ad_actor_key, BND_AD_ACTOR_KEY);
BND_AD_ATTR(ad_partner_key, BND_AD_PARTNER_KEY);
BND_AD_ATTR(ad_partner_mac, BND_AD_PARTNER_MAC);

static struct attribute *bnd_attrs[] = {
	&bnd_attr_slaves.da.attr,
	&bnd_attr_mode.da.attr,
	&bnd_attr_fail_over_mac.da.attr,
	&bnd_attr_arp_validate.da.attr,
	&bnd_attr_arp_all_targets.da.attr,
	&bnd_attr_arp_interval.da.attr,
	&bnd_attr_arp_ip_target.da.attr,
	&bnd_attr_downdelay.da.attr,
	&bnd_attr_updelay.da.attr,
	&bnd_attr_peer_notif_delay.da.attr,
	&bnd_attr_lacp_active.da.attr,
	&bnd_attr_lacp_rate.da.attr,
	&bnd_attr_ad_select.da.attr,
	&bnd_attr_xmit_hash_policy.da.attr,
	&bnd_attr_num_grat_arp.da.attr,
	&bnd_attr_num_unsol_na.da.attr,
	&bnd_attr_miimon.da.attr,
	&bnd_attr_primary.da.attr,
	&bnd_attr_primary_reselect.da.attr,
	&bnd_attr_use_carrier.da.attr,
	&bnd_attr_active_slave.da.attr,
	&dev_attr_mii_status.attr,
	&dev_attr_ad_aggregator.attr,
	&dev_attr_ad_num_ports.attr,
	&dev_attr_ad_actor_key.attr,
	&dev_attr_ad_partner_key.attr,
	&dev_attr_ad_partner_mac.attr,
	&bnd_attr_queue_id.da.attr,
	&bnd_attr_all_slaves_active.da.attr,
	&bnd_attr_resend_igmp.da.attr,
	&bnd_attr_min_links.da.attr,
	&bnd_attr_lp_interval.da.attr,
	&bnd_attr_packets_per_slave.da.attr,
	&bnd_attr_tlb_dynamic_lb.da.attr,
	&bnd_attr_ad_actor_sys_prio.da.attr,
	&bnd_attr_ad_actor_system.da.attr,
	&bnd_attr_ad_user_port_key.da.attr,
	&bnd_attr_arp_missed_max.da.attr,
	&dev_attr_rlb_stats.attr,
	NULL,
};

const struct attribute_group bnd_sysfs_group = {
	.name = "bonding",
	.attrs = bnd_attrs,
};
