// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/bonding/<bond>: the upstream text layout, line for line, so
 * monitoring scripts keep parsing it. Modes may append lines at the end
 * of the bond block and of each slave block.
 */
#include <linux/ethtool.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <generated/utsrelease.h>
#include <net/netns/generic.h>

#include "bond.h"
#include "options.h"

const char *bnd_mode_desc(int mode)
{
	static const char *const desc[BND_MODE_COUNT] = {
		[BOND_MODE_ROUNDROBIN]	 = "load balancing (round-robin)",
		[BOND_MODE_ACTIVEBACKUP] = "fault-tolerance (active-backup)",
		[BOND_MODE_XOR]		 = "load balancing (xor)",
		[BOND_MODE_BROADCAST]	 = "fault-tolerance (broadcast)",
		[BOND_MODE_8023AD]	 = "IEEE 802.3ad Dynamic link aggregation",
		[BOND_MODE_TLB]		 = "transmit load balancing",
		[BOND_MODE_ALB]		 = "adaptive load balancing",
	};

	return mode >= 0 && mode < BND_MODE_COUNT ? desc[mode] : "unknown";
}

const char *bnd_link_desc(s8 link)
{
	static const char *const words[] = {
		[BOND_LINK_UP] = "up",
		[BOND_LINK_FAIL] = "going down",
		[BOND_LINK_DOWN] = "down",
		[BOND_LINK_BACK] = "going back",
	};

	if (link < 0 || link >= ARRAY_SIZE(words) || !words[link])
		return "unknown";
	return words[link];
}

static void bnd_proc_show_bond(struct seq_file *m, struct bnd_bond *bond)
{
	const struct bond_params *p = &bond->b.params;
	struct slave *curr, *prim;
	int i;

	seq_printf(m, "Bonding Mode: %s", bnd_mode_desc(p->mode));
	if (p->mode == BOND_MODE_ACTIVEBACKUP && p->fail_over_mac)
		seq_printf(m, " (fail_over_mac %s)",
			   bnd_opt_value_name(BND_OPT_FAIL_OVER_MAC, p->fail_over_mac));
	seq_puts(m, "\n");

	if (bond_mode_uses_xmit_hash(&bond->b))
		seq_printf(m, "Transmit Hash Policy: %s (%d)\n",
			   bnd_opt_value_name(BND_OPT_XMIT_HASH, p->xmit_policy),
			   p->xmit_policy);

	if (bnd_uses_primary(bond)) {
		prim = rcu_dereference(bond->b.primary_slave);
		curr = rcu_dereference(bond->b.curr_active_slave);
		seq_printf(m, "Primary Slave: %s", prim ? prim->dev->name : "None");
		if (prim)
			seq_printf(m, " (primary_reselect %s)",
				   bnd_opt_value_name(BND_OPT_PRIMARY_RESELECT,
						      p->primary_reselect));
		seq_printf(m, "\nCurrently Active Slave: %s\n",
			   curr ? curr->dev->name : "None");
	}

	seq_printf(m, "MII Status: %s\n", netif_carrier_ok(bond->b.dev) ? "up" : "down");
	seq_printf(m, "MII Polling Interval (ms): %d\n", p->miimon);
	seq_printf(m, "Up Delay (ms): %d\n", p->updelay * p->miimon);
	seq_printf(m, "Down Delay (ms): %d\n", p->downdelay * p->miimon);
	seq_printf(m, "Peer Notification Delay (ms): %d\n", p->peer_notif_delay * p->miimon);

	if (p->arp_interval > 0) {
		seq_printf(m, "ARP Polling Interval (ms): %d\n", p->arp_interval);
		seq_printf(m, "ARP Missed Max: %u\n", p->missed_max);
		seq_puts(m, "ARP IP target/s (n.n.n.n form):");
		for (i = 0; i < BOND_MAX_ARP_TARGETS && p->arp_targets[i]; i++)
			seq_printf(m, "%s %pI4", i ? "," : "", &p->arp_targets[i]);
		seq_puts(m, "\n");
#if IS_ENABLED(CONFIG_IPV6)
		seq_puts(m, "NS IPv6 target/s (xx::xx form):");
		for (i = 0; i < BOND_MAX_NS_TARGETS && !ipv6_addr_any(&p->ns_targets[i]); i++)
			seq_printf(m, "%s %pI6c", i ? "," : "", &p->ns_targets[i]);
		seq_puts(m, "\n");
#endif
	}

	if (bond->ops->proc_show)
		bond->ops->proc_show(m, bond);
}

static void bnd_proc_show_slave(struct seq_file *m, struct bnd_bond *bond,
				struct slave *s)
{
	seq_printf(m, "\nSlave Interface: %s\n", s->dev->name);
	seq_printf(m, "MII Status: %s\n", bnd_link_desc(s->link));
	if (s->speed == SPEED_UNKNOWN)
		seq_puts(m, "Speed: Unknown\n");
	else
		seq_printf(m, "Speed: %d Mbps\n", s->speed);
	if (s->duplex == DUPLEX_UNKNOWN)
		seq_puts(m, "Duplex: Unknown\n");
	else
		seq_printf(m, "Duplex: %s\n", s->duplex ? "full" : "half");
	seq_printf(m, "Link Failure Count: %u\n", s->link_failure_count);
	seq_printf(m, "Permanent HW addr: %*phC\n", s->dev->addr_len, s->perm_hwaddr);
	seq_printf(m, "Slave queue ID: %d\n", READ_ONCE(s->queue_id));
	if (bond->ops->proc_show_slave)
		bond->ops->proc_show_slave(m, bond, bnd_slave_from_s(s));
}

static int bnd_proc_show(struct seq_file *m, void *v)
{
	struct bnd_bond *bond = m->private;
	struct list_head *iter;
	struct slave *s;

	seq_puts(m, DRV_DESCRIPTION ": v" UTS_RELEASE "\n\n");
	rcu_read_lock();
	bnd_proc_show_bond(m, bond);
	bond_for_each_slave_rcu(&bond->b, s, iter)
		bnd_proc_show_slave(m, bond, s);
	rcu_read_unlock();
	return 0;
}

void bnd_proc_bond_create(struct bnd_bond *bond)
{
	struct bond_net *bn = net_generic(dev_net(bond->b.dev), bnd_net_id);

	if (!bn->proc_dir || bond->b.proc_entry)
		return;
	bond->b.proc_entry = proc_create_single_data(bnd_name(bond), 0444,
						     bn->proc_dir, bnd_proc_show, bond);
	if (!bond->b.proc_entry)
		netdev_warn(bond->b.dev, "cannot create /proc/net/%s/%s\n", DRV_NAME,
			    bnd_name(bond));
	else
		strscpy(bond->b.proc_file_name, bnd_name(bond), IFNAMSIZ);
}

void bnd_proc_bond_remove(struct bnd_bond *bond)
{
	proc_remove(bond->b.proc_entry);
	bond->b.proc_entry = NULL;
}

void bnd_proc_net_create(struct bond_net *bn)
{
	bn->proc_dir = proc_mkdir(DRV_NAME, bn->net->proc_net);
	if (!bn->proc_dir)
		pr_warn("%s: cannot create /proc/net/%s\n", DRV_NAME, DRV_NAME);
}

void bnd_proc_net_destroy(struct bond_net *bn)
{
	if (bn->proc_dir) {
		remove_proc_entry(DRV_NAME, bn->net->proc_net);
		bn->proc_dir = NULL;
	}
}
