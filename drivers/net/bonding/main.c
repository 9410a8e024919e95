// SPDX-License-Identifier: GPL-2.0
/*
 * Module entry: defaults, per-namespace state, the mode registry, and
 * lookups from a device to the bond or slave object that owns it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "bond.h"
#include "options.h"

static int max_bonds = 1;
module_param(max_bonds, int, 0);
MODULE_PARM_DESC(max_bonds, "Number of bonds created when the module loads (default 1)");

int bnd_tx_queues = BND_DEFAULT_TX_QUEUES;
module_param_named(tx_queues, bnd_tx_queues, int, 0);
MODULE_PARM_DESC(tx_queues, "Transmit queues of each bond (1-255, default 16)");

unsigned int bnd_net_id __read_mostly;

/* Values a new bond starts with; module parameters adjust them. */
struct bond_params bnd_defaults = {
	.mode			= BOND_MODE_ROUNDROBIN,
	.xmit_policy		= BOND_XMIT_POLICY_LAYER2,
	.num_peer_notif		= 1,
	.missed_max		= 2,
	.arp_validate		= BOND_ARP_VALIDATE_NONE,
	.arp_all_targets	= BOND_ARP_TARGETS_ANY,
	.use_carrier		= 1,
	.fail_over_mac		= BOND_FOM_NONE,
	.lacp_active		= 1,
	.lacp_fast		= AD_LACP_SLOW,
	.ad_select		= BOND_AD_STABLE,
	.primary_reselect	= BOND_PRI_RESELECT_ALWAYS,
	.tx_queues		= BND_DEFAULT_TX_QUEUES,
	.resend_igmp		= BND_DEFAULT_RESEND_IGMP,
	.lp_interval		= BOND_ALB_DEFAULT_LP_INTERVAL,
	.packets_per_slave	= 1,
	.tlb_dynamic_lb		= 1,
	.ad_actor_sys_prio	= 65535,
	.coupled_control	= 1,
};

static const struct bnd_mode_ops *const bnd_modes[BND_MODE_COUNT] = {
	[BOND_MODE_ROUNDROBIN]	 = &bnd_mode_rr,
	[BOND_MODE_ACTIVEBACKUP] = &bnd_mode_ab,
	[BOND_MODE_XOR]		 = &bnd_mode_xor,
	[BOND_MODE_BROADCAST]	 = &bnd_mode_bcast,
	[BOND_MODE_8023AD]	 = &bnd_mode_3ad,
	[BOND_MODE_TLB]		 = &bnd_mode_tlb,
	[BOND_MODE_ALB]		 = &bnd_mode_alb,
};

const struct bnd_mode_ops *bnd_mode_ops_get(int mode)
{
	return mode >= 0 && mode < BND_MODE_COUNT ? bnd_modes[mode] : NULL;
}

/* A bond of this module (not one of another bonding implementation). */
bool bnd_is_our_bond(const struct net_device *dev)
{
	return dev->netdev_ops == &bnd_netdev_ops;
}

/* The slave object of @slave_dev if one of our bonds owns it (RTNL). */
struct bnd_slave *bnd_slave_of_dev(const struct net_device *slave_dev)
{
	if (rtnl_dereference(slave_dev->rx_handler) != bnd_handle_frame)
		return NULL;
	return bnd_slave_or_null(bond_slave_get_rtnl(slave_dev));
}

struct bnd_bond *bnd_bond_of_slave_dev(const struct net_device *slave_dev)
{
	struct bnd_slave *slave = bnd_slave_of_dev(slave_dev);

	return slave ? bnd_from_b(slave->s.bond) : NULL;
}

static int __net_init bnd_net_init(struct net *net)
{
	struct bond_net *bn = net_generic(net, bnd_net_id);

	bn->net = net;
	INIT_LIST_HEAD(&bn->dev_list);
	bnd_proc_net_create(bn);
	return bnd_sysfs_masters_create(bn);
}

/* bonding_masters goes first so nobody creates a bond while we leave. */
static void __net_exit bnd_net_pre_exit(struct net *net)
{
	bnd_sysfs_masters_destroy(net_generic(net, bnd_net_id));
}

static void __net_exit bnd_net_exit_batch_rtnl(struct list_head *net_list,
					       struct list_head *kill_list)
{
	struct bnd_bond *bond, *tmp;
	struct bond_net *bn;
	struct net *net;

	list_for_each_entry(net, net_list, exit_list) {
		bn = net_generic(net, bnd_net_id);
		list_for_each_entry_safe(bond, tmp, &bn->dev_list, b.bond_list)
			unregister_netdevice_queue(bond->b.dev, kill_list);
	}
}

static void __net_exit bnd_net_exit_batch(struct list_head *net_list)
{
	struct net *net;

	list_for_each_entry(net, net_list, exit_list)
		bnd_proc_net_destroy(net_generic(net, bnd_net_id));
}

static struct pernet_operations bnd_net_ops = {
	.init		 = bnd_net_init,
	.pre_exit	 = bnd_net_pre_exit,
	.exit_batch_rtnl = bnd_net_exit_batch_rtnl,
	.exit_batch	 = bnd_net_exit_batch,
	.id		 = &bnd_net_id,
	.size		 = sizeof(struct bond_net),
};

static int __init bnd_module_init(void)
{
	int err, i;

	if (max_bonds < 0 || max_bonds > 1024) {
		pr_err("option max_bonds: invalid value (%d); allowed values 0 - 1024\n",
		       max_bonds);
		return -EINVAL;
	}
	if (bnd_tx_queues < 1 || bnd_tx_queues > 255) {
		pr_err("option tx_queues: invalid value (%d); allowed values 1 - 255\n",
		       bnd_tx_queues);
		return -EINVAL;
	}
	bnd_defaults.reciprocal_packets_per_slave = (struct reciprocal_value){ 0 };
	bnd_defaults.tx_queues = bnd_tx_queues;
	err = bnd_params_init();
	if (err)
		goto err_params;
	err = bnd_rlb_init();
	if (err)
		goto err_params;

	bnd_debugfs_init();
	err = register_pernet_subsys(&bnd_net_ops);
	if (err)
		goto err_pernet;
	err = bnd_netlink_init();
	if (err)
		goto err_netlink;
	err = bnd_notifier_register();
	if (err)
		goto err_notifier;

	for (i = 0; i < max_bonds; i++) {
		err = bnd_create(&init_net, NULL);
		if (err)
			goto err_create;
	}
	pr_info("%s %s (out-of-tree bonding.ko) loaded\n", DRV_DESCRIPTION,
		BOND_KO_VERSION);
	return 0;

err_create:
	/* The bonds made so far go as in bnd_module_exit(), notifier last. */
	bnd_netlink_fini();
	unregister_pernet_subsys(&bnd_net_ops);
	bnd_notifier_unregister();
	goto err_pernet;
err_notifier:
	bnd_netlink_fini();
err_netlink:
	unregister_pernet_subsys(&bnd_net_ops);
err_pernet:
	bnd_debugfs_exit();
	bnd_rlb_exit();
err_params:
	bnd_params_exit();
	return err;
}

static void __exit bnd_module_exit(void)
{
	/*
	 * Remove every bond of ours, in every namespace, while our notifier
	 * still runs: each releases its slaves as a bond going away. The
	 * pernet exit deletes bonding_masters and any bond made through it
	 * meanwhile. Only then the notifier goes: unregistering it replays
	 * NETDEV_UNREGISTER for every device, which for a live bond would
	 * read as a move to another namespace.
	 */
	bnd_netlink_fini();
	unregister_pernet_subsys(&bnd_net_ops);
	bnd_notifier_unregister();
	bnd_debugfs_exit();
	bnd_rlb_exit();
	bnd_params_exit();
}

module_init(bnd_module_init);
module_exit(bnd_module_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION(BOND_KO_VERSION);
MODULE_DESCRIPTION(DRV_DESCRIPTION " (bonding.ko, scoped receive hooks)");
MODULE_ALIAS_RTNL_LINK("bond");
