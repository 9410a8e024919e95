// SPDX-License-Identifier: GPL-2.0
/*
 * bond_probe: reads bonds the way in-tree consumers do (RoCE GID
 * management, mlx4/mlx5, cxgb4): through the running kernel's inline
 * helpers in <net/bonding.h>, on netdev_priv() of the bond and on each
 * slave's rx_handler_data. It never calls into the bonding module.
 *
 * /proc/bond_probe lists, for every bond of the reader's network
 * namespace, one line:
 *   <bond> mode <n> active <slave|-> slaves <dev>:<link>:<backup>:<inactive>:<ok>...
 * where <ok> is 1 if the slave object points back at the bond and at the
 * slave device, and bond_is_active_slave_dev() agrees with <backup>.
 *
 * /proc/bond_probe_ptrs lists, per bond, the slave pointers the bond keeps
 * besides its list (curr_active_slave, primary_slave, current_arp_slave):
 *   <bond> active <slave|-|stale> primary <...> arp <...>
 * "stale" is a pointer to no current slave of the bond: a slave that was
 * released (compared, never dereferenced).
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/bonding.h>

static void bond_probe_one(struct seq_file *m, struct net_device *dev)
{
	struct bonding *bond = netdev_priv(dev);
	struct net_device *active, *lower;
	struct list_head *iter;
	struct slave *slave;

	active = bond_option_active_slave_get_rcu(bond);
	seq_printf(m, "%s mode %d active %s slaves", dev->name, BOND_MODE(bond),
		   active ? active->name : "-");
	netdev_for_each_lower_dev(dev, lower, iter) {
		bool ok;

		slave = bond_slave_get_rcu(lower);
		if (!slave) {
			seq_printf(m, " %s:none", lower->name);
			continue;
		}
		ok = slave->bond == bond && slave->dev == lower &&
		     bond_is_active_slave_dev(lower) == !slave->backup;
		seq_printf(m, " %s:%d:%d:%d:%d", lower->name, slave->link,
			   slave->backup, bond_is_slave_inactive(slave), ok);
	}
	seq_puts(m, "\n");
}

static int bond_probe_show(struct seq_file *m, void *v)
{
	struct net *net = current->nsproxy->net_ns;
	struct net_device *dev;

	rcu_read_lock();
	for_each_netdev_rcu(net, dev)
		if (netif_is_bond_master(dev))
			bond_probe_one(m, dev);
	rcu_read_unlock();
	return 0;
}

/* The name of the slave @p points to, "-" for none, "stale" if no slave of @dev. */
static const char *bond_probe_ptr(struct net_device *dev, struct slave *p)
{
	struct net_device *lower;
	struct list_head *iter;

	if (!p)
		return "-";
	netdev_for_each_lower_dev(dev, lower, iter)
		if (bond_slave_get_rcu(lower) == p)
			return lower->name;
	return "stale";
}

static int bond_probe_ptrs_show(struct seq_file *m, void *v)
{
	struct net *net = current->nsproxy->net_ns;
	struct net_device *dev;
	struct bonding *bond;

	rcu_read_lock();
	for_each_netdev_rcu(net, dev) {
		if (!netif_is_bond_master(dev))
			continue;
		bond = netdev_priv(dev);
		seq_printf(m, "%s active %s", dev->name,
			   bond_probe_ptr(dev, rcu_dereference(bond->curr_active_slave)));
		seq_printf(m, " primary %s",
			   bond_probe_ptr(dev, rcu_dereference(bond->primary_slave)));
		seq_printf(m, " arp %s\n",
			   bond_probe_ptr(dev, rcu_dereference(bond->current_arp_slave)));
	}
	rcu_read_unlock();
	return 0;
}

static struct proc_dir_entry *bond_probe_entry, *bond_probe_ptrs_entry;

static int __init bond_probe_init(void)
{
	bond_probe_entry = proc_create_single("bond_probe", 0444, NULL, bond_probe_show);
	if (!bond_probe_entry)
		return -ENOMEM;
	bond_probe_ptrs_entry = proc_create_single("bond_probe_ptrs", 0444, NULL,
						   bond_probe_ptrs_show);
	if (!bond_probe_ptrs_entry) {
		proc_remove(bond_probe_entry);
		return -ENOMEM;
	}
	return 0;
}

static void __exit bond_probe_exit(void)
{
	proc_remove(bond_probe_ptrs_entry);
	proc_remove(bond_probe_entry);
}

module_init(bond_probe_init);
module_exit(bond_probe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Reads bonds through <net/bonding.h> helpers, as in-tree consumers do");
