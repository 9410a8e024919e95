// SPDX-License-Identifier: GPL-2.0
/*
 * bond_watch: counts the stores to one field of a slave, with a hardware
 * write watchpoint, so a test can tell "written on every frame" from
 * "written when it changes" (hot-path cost, not visible in behaviour).
 *
 *   echo "<slave ifname> last_rx" > /proc/bond_watch   watch (reader's netns)
 *   cat /proc/bond_watch                               "<ifname> <field> <stores>"
 *   echo > /proc/bond_watch                            stop watching
 *
 * The slave is found the way in-tree readers find it (rx_handler_data as
 * struct slave, <net/bonding.h>); the test must stop watching before it
 * releases the slave.
 */
#include <linux/atomic.h>
#include <linux/hw_breakpoint.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/perf_event.h>
#include <linux/proc_fs.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <net/bonding.h>

static DEFINE_MUTEX(bond_watch_lock);
static struct perf_event * __percpu *bond_watch_bp;
static char bond_watch_dev[IFNAMSIZ];
static const char *bond_watch_field;
static atomic_long_t bond_watch_stores;

static const struct {
	const char *name;
	size_t off;
} bond_watch_fields[] = {
	{ "last_rx", offsetof(struct slave, last_rx) },
	{ "last_tx", offsetof(struct slave, last_tx) },
};

static void bond_watch_hit(struct perf_event *bp, struct perf_sample_data *data,
			   struct pt_regs *regs)
{
	atomic_long_inc(&bond_watch_stores);
}

static void bond_watch_stop(void)
{
	if (bond_watch_bp)
		unregister_wide_hw_breakpoint(bond_watch_bp);
	bond_watch_bp = NULL;
	bond_watch_dev[0] = '\0';
}

static int bond_watch_start(const char *ifname, const char *field)
{
	struct perf_event_attr attr;
	struct net_device *dev;
	struct slave *slave;
	unsigned int i;
	void *addr;

	for (i = 0; i < ARRAY_SIZE(bond_watch_fields); i++)
		if (!strcmp(field, bond_watch_fields[i].name))
			break;
	if (i == ARRAY_SIZE(bond_watch_fields))
		return -EINVAL;

	rtnl_lock();
	dev = __dev_get_by_name(current->nsproxy->net_ns, ifname);
	slave = dev && netif_is_bond_slave(dev) ? bond_slave_get_rtnl(dev) : NULL;
	rtnl_unlock();
	if (!slave)
		return -ENODEV;
	addr = (u8 *)slave + bond_watch_fields[i].off;

	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)addr;
	attr.bp_len = HW_BREAKPOINT_LEN_8;
	attr.bp_type = HW_BREAKPOINT_W;
	bond_watch_bp = register_wide_hw_breakpoint(&attr, bond_watch_hit, NULL);
	if (IS_ERR((void __force *)bond_watch_bp)) {
		int err = PTR_ERR((void __force *)bond_watch_bp);

		bond_watch_bp = NULL;
		return err;
	}
	strscpy(bond_watch_dev, ifname, sizeof(bond_watch_dev));
	bond_watch_field = bond_watch_fields[i].name;
	atomic_long_set(&bond_watch_stores, 0);
	return 0;
}

static ssize_t bond_watch_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *pos)
{
	char buf[64], ifname[IFNAMSIZ], field[16], *cmd;
	int err = 0;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	cmd = strim(buf);

	mutex_lock(&bond_watch_lock);
	bond_watch_stop();
	if (*cmd && sscanf(cmd, "%15s %15s", ifname, field) == 2)
		err = bond_watch_start(ifname, field);
	else if (*cmd)
		err = -EINVAL;
	mutex_unlock(&bond_watch_lock);
	return err ? err : len;
}

static int bond_watch_show(struct seq_file *m, void *v)
{
	mutex_lock(&bond_watch_lock);
	if (bond_watch_bp)
		seq_printf(m, "%s %s %ld\n", bond_watch_dev, bond_watch_field,
			   atomic_long_read(&bond_watch_stores));
	mutex_unlock(&bond_watch_lock);
	return 0;
}

static int bond_watch_open(struct inode *inode, struct file *file)
{
	return single_open(file, bond_watch_show, NULL);
}

static const struct proc_ops bond_watch_ops = {
	.proc_open	= bond_watch_open,
	.proc_read	= seq_read,
	.proc_write	= bond_watch_write,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
};

static struct proc_dir_entry *bond_watch_entry;

static int __init bond_watch_init(void)
{
	bond_watch_entry = proc_create("bond_watch", 0644, NULL, &bond_watch_ops);
	return bond_watch_entry ? 0 : -ENOMEM;
}

static void __exit bond_watch_exit(void)
{
	proc_remove(bond_watch_entry);
	mutex_lock(&bond_watch_lock);
	bond_watch_stop();
	mutex_unlock(&bond_watch_lock);
}

module_init(bond_watch_init);
module_exit(bond_watch_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test helper: counts stores to a field of a bond slave");
