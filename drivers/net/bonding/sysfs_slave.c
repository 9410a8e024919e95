// SPDX-License-Identifier: GPL-2.0
/* /sys/class/net/<slave>/bonding_slave/: read-only state of a slave. */
#include <linux/netdevice.h>

#include "bond.h"

struct bnd_slave_attr {
	struct attribute attr;
	ssize_t (*show)(struct slave *s, char *buf);
};

static ssize_t state_show(struct slave *s, char *buf)
{
	return sysfs_emit(buf, "%s\n", bond_is_active_slave(s) ? "active" : "backup");
}

static ssize_t mii_status_show(struct slave *s, char *buf)
{
	return sysfs_emit(buf, "%s\n", bnd_link_desc(s->link));
}

static ssize_t link_failure_count_show(struct slave *s, char *buf)
{
	return sysfs_emit(buf, "%u\n", s->link_failure_count);
}

static ssize_t perm_hwaddr_show(struct slave *s, char *buf)
{
	return sysfs_emit(buf, "%*phC\n", s->dev->addr_len, s->perm_hwaddr);
}

static ssize_t queue_id_show(struct slave *s, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(s->queue_id));
}

/* 802.3ad port details: "N/A" outside an 802.3ad aggregator. */
static bool bnd_slave_ad(struct slave *s, struct bnd_slave_ad_info *info)
{
	struct bnd_bond *bond = bnd_from_b(s->bond);
	const struct bnd_mode_ops *ops = READ_ONCE(bond->ops);

	return ops->slave_ad_info && !ops->slave_ad_info(bond, bnd_slave_from_s(s), info);
}

static ssize_t ad_aggregator_id_show(struct slave *s, char *buf)
{
	struct bnd_slave_ad_info info;

	if (!bnd_slave_ad(s, &info))
		return sysfs_emit(buf, "N/A\n");
	return sysfs_emit(buf, "%d\n", info.aggregator_id);
}

static ssize_t ad_actor_oper_port_state_show(struct slave *s, char *buf)
{
	struct bnd_slave_ad_info info;

	if (!bnd_slave_ad(s, &info))
		return sysfs_emit(buf, "N/A\n");
	return sysfs_emit(buf, "%u\n", info.actor_state);
}

static ssize_t ad_partner_oper_port_state_show(struct slave *s, char *buf)
{
	struct bnd_slave_ad_info info;

	if (!bnd_slave_ad(s, &info))
		return sysfs_emit(buf, "N/A\n");
	return sysfs_emit(buf, "%u\n", info.partner_state);
}

#define BND_SLAVE_ATTR(_name, _show) \
	static const struct bnd_slave_attr bnd_slave_attr_##_name = { \
		.attr = { .name = __stringify(_name), .mode = 0444 }, \
		.show = _show, \
	}

BND_SLAVE_ATTR(state, state_show);
BND_SLAVE_ATTR(mii_status, mii_status_show);
BND_SLAVE_ATTR(link_failure_count, link_failure_count_show);
BND_SLAVE_ATTR(perm_hwaddr, perm_hwaddr_show);
BND_SLAVE_ATTR(queue_id, queue_id_show);
BND_SLAVE_ATTR(ad_aggregator_id, ad_aggregator_id_show);
BND_SLAVE_ATTR(ad_actor_oper_port_state, ad_actor_oper_port_state_show);
BND_SLAVE_ATTR(ad_partner_oper_port_state, ad_partner_oper_port_state_show);

static const struct attribute *bnd_slave_attrs[] = {
	&bnd_slave_attr_state.attr,
	&bnd_slave_attr_mii_status.attr,
	&bnd_slave_attr_link_failure_count.attr,
	&bnd_slave_attr_perm_hwaddr.attr,
	&bnd_slave_attr_queue_id.attr,
	&bnd_slave_attr_ad_aggregator_id.attr,
	&bnd_slave_attr_ad_actor_oper_port_state.attr,
	&bnd_slave_attr_ad_partner_oper_port_state.attr,
	NULL
};

static ssize_t bnd_slave_attr_show(struct kobject *kobj, struct attribute *attr,
				   char *buf)
{
	const struct bnd_slave_attr *a = container_of(attr, struct bnd_slave_attr, attr);

	return a->show(to_slave(kobj), buf);
}

const struct sysfs_ops bnd_slave_sysfs_ops = {
	.show = bnd_slave_attr_show,
};

int bnd_sysfs_slave_add(struct bnd_slave *slave)
{
	return sysfs_create_files(&slave->s.kobj, bnd_slave_attrs);
}

void bnd_sysfs_slave_del(struct bnd_slave *slave)
{
	sysfs_remove_files(&slave->s.kobj, bnd_slave_attrs);
}
