// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: bonding/<bond>/rlb_hash_table. A bond outside the initial
 * network namespace is listed as "<bond>@<netns inode>", so equal names in
 * different namespaces do not collide.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "bond.h"

#ifdef CONFIG_DEBUG_FS

static struct dentry *bnd_debug_root;

static int bnd_rlb_table_show(struct seq_file *m, void *v)
{
	return bnd_rlb_show_table(m, m->private);
}
DEFINE_SHOW_ATTRIBUTE(bnd_rlb_table);

void bnd_debugfs_register(struct bnd_bond *bond)
{
	struct net *net = dev_net(bond->b.dev);
	char name[IFNAMSIZ + 16];

	if (IS_ERR_OR_NULL(bnd_debug_root))
		return;
	if (net_eq(net, &init_net))
		strscpy(name, bnd_name(bond), sizeof(name));
	else
		snprintf(name, sizeof(name), "%s@%u", bnd_name(bond), net->ns.inum);
	bond->b.debug_dir = debugfs_create_dir(name, bnd_debug_root);
	if (IS_ERR(bond->b.debug_dir)) {
		netdev_warn(bond->b.dev, "cannot create debugfs directory %s\n", name);
		bond->b.debug_dir = NULL;
		return;
	}
	debugfs_create_file("rlb_hash_table", 0400, bond->b.debug_dir, bond,
			    &bnd_rlb_table_fops);
}

void bnd_debugfs_unregister(struct bnd_bond *bond)
{
	debugfs_remove_recursive(bond->b.debug_dir);
	bond->b.debug_dir = NULL;
}

/* New name or new namespace: the directory follows. */
void bnd_debugfs_rename(struct bnd_bond *bond)
{
	bnd_debugfs_unregister(bond);
	bnd_debugfs_register(bond);
}

void bnd_debugfs_init(void)
{
	bnd_debug_root = debugfs_create_dir(DRV_NAME, NULL);
	if (IS_ERR(bnd_debug_root))
		pr_warn("%s: cannot create debugfs directory\n", DRV_NAME);
}

void bnd_debugfs_exit(void)
{
	debugfs_remove_recursive(bnd_debug_root);
	bnd_debug_root = NULL;
}

#else

void bnd_debugfs_register(struct bnd_bond *bond) {}
void bnd_debugfs_unregister(struct bnd_bond *bond) {}
void bnd_debugfs_rename(struct bnd_bond *bond) {}
void bnd_debugfs_init(void) {}
void bnd_debugfs_exit(void) {}

#endif
