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

static struct proc_dir_entry *bond_probe_entry;

static int __init bond_probe_init(void)
{
	bond_probe_entry = proc_create_single("bond_probe", 0444, NULL, bond_probe_show);
	return bond_probe_entry ? 0 : -ENOMEM;
}

static void __exit bond_probe_exit(void)
{
	proc_remove(bond_probe_entry);
}

module_init(bond_probe_init);
module_exit(bond_probe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Reads bonds through <net/bonding.h> helpers, as in-tree consumers do");
