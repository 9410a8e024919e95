/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bonding.ko: private definitions shared by the core and the modes.
 *
 * Object layout. In-tree modules (RoCE GID management, mlx4/mlx5 LAG,
 * cxgb4) read bonds through the inline helpers of the running kernel's
 * <net/bonding.h>: they cast netdev_priv() of a bond to struct bonding and
 * a slave's rx_handler_data to struct slave. So both of our objects start
 * with the target kernel's own type, and the fields those helpers read
 * (curr_active_slave, params.mode, slave->dev, link, backup, inactive) are
 * kept true. Our own state follows in the same allocation.
 *
 * Receive scoping. A frame reaches mode code only through the rx_handler
 * registered on one of the bond's own slaves, which calls that bond's
 * b.recv_probe. The hook is published after the mode's receive state
 * exists and withdrawn, with a grace period, before it is freed (see
 * bnd_open()/bnd_stop() in device.c). Nothing in the driver registers a
 * global packet handler.
 *
 * Locking. RTNL serialises configuration and the slave list. Transmit and
 * receive run under RCU and take no bond-wide lock in rr, active-backup,
 * xor and broadcast. b.mode_lock guards the tlb/alb tables.
 */
#ifndef BND_BOND_H
#define BND_BOND_H

#include <linux/ethtool.h>
#include <linux/if_arp.h>
#include <net/bonding.h>

#include "compat.h"
#include "version.h"

#define DRV_NAME	"bonding"
#define DRV_DESCRIPTION	"Ethernet Channel Bonding Driver"

#define BND_MODE_COUNT		(BOND_MODE_ALB + 1)
#define BND_ALL_MODES		(BIT(BND_MODE_COUNT) - 1)
#define BND_DEFAULT_TX_QUEUES	16
#define BND_DEFAULT_RESEND_IGMP	1

struct bnd_bond;
struct bnd_slave;
struct seq_file;

/* The shape of struct bonding's recv_probe. */
typedef int (*rcu_recv_probe_t)(const struct sk_buff *skb, struct bonding *b,
				struct slave *s);

/* What sysfs, netlink and /proc show of an 802.3ad port. */
struct bnd_slave_ad_info {
	u16 aggregator_id;
	u8 actor_state;
	u8 partner_state;
	u8 actor_churn;
	u8 partner_churn;
	u16 port_priority;
};

/* Mode behaviour flags */
#define BND_MODE_F_RX_INACTIVE_UNICAST	BIT(0)	/* inactive slaves still take unicast */
#define BND_MODE_F_RX_HOST_DADDR	BIT(1)	/* rewrite PACKET_HOST dst to bond MAC */
#define BND_MODE_F_OWN_SLAVE_MAC	BIT(2)	/* slaves keep their own MAC */
#define BND_MODE_F_NS_BACKUP_MCAST	BIT(3)	/* with arp_validate, backups join the
						 * NS targets' solicited-node groups */

/**
 * struct bnd_mode_ops - what makes a bonding mode
 * @xmit:	 transmit one frame; runs under RCU, must consume @skb
 * @recv_probe:	 receive hook; the core publishes it in b.recv_probe after
 *		 @open succeeded and withdraws it before @close runs
 * @open:	 allocate receive/transmit state when the bond comes up
 * @close:	 free it; no reader of the hook is left when this runs
 * @slave_init:	 prepare a slave being enslaved (may fail, nothing to undo but
 *		 s.ad_info, which the core frees with the slave)
 * @slave_attach: slave is linked; set its initial active/backup state
 * @slave_detach: slave is about to leave; forget it
 * @link_change: a slave's link state was committed (up or down)
 * @active_change: the active slave changes (modes with a primary)
 * @set_mac:	 the bond's MAC address changes; return 0 or an error
 * @slave_usable: whether a slave belongs in b.usable_slaves
 * @vlan_removed: a VLAN on top of the bond is gone
 * @arp_monitor: one round of the ARP monitor (modes that support it)
 * @carrier_ok:	 whether the bond has carrier (default: min_links slaves up)
 * @option_changed: an option of the running bond changed (after its setter)
 * @ad_info:	 802.3ad active aggregator facts; 0 if there is one. Any
 *		 context but hard irq: takes the mode's own locks
 * @slave_ad_info: 802.3ad state of a slave's port; 0 if it is in an
 *		 aggregator, else an error with only port_priority filled in.
 *		 Same context rules
 * @proc_show:	 extra /proc/net/bonding lines for the bond
 * @proc_show_slave: extra lines per slave
 * @flags:	 BND_MODE_F_*
 */
struct bnd_mode_ops {
	netdev_tx_t (*xmit)(struct bnd_bond *bond, struct sk_buff *skb);
	int (*recv_probe)(const struct sk_buff *skb, struct bonding *b,
			  struct slave *s);
	int (*open)(struct bnd_bond *bond);
	void (*close)(struct bnd_bond *bond);
	int (*slave_init)(struct bnd_bond *bond, struct bnd_slave *slave);
	void (*slave_attach)(struct bnd_bond *bond, struct bnd_slave *slave);
	void (*slave_detach)(struct bnd_bond *bond, struct bnd_slave *slave);
	void (*link_change)(struct bnd_bond *bond, struct bnd_slave *slave,
			    int link);
	void (*active_change)(struct bnd_bond *bond, struct bnd_slave *new_active,
			      struct bnd_slave *old_active);
	int (*set_mac)(struct bnd_bond *bond, const u8 *addr);
	bool (*slave_usable)(const struct slave *s);
	void (*vlan_removed)(struct bnd_bond *bond, u16 vid);
	void (*arp_monitor)(struct bnd_bond *bond);
	bool (*carrier_ok)(struct bnd_bond *bond);
	void (*option_changed)(struct bnd_bond *bond, int opt_id);
	int (*ad_info)(struct bnd_bond *bond, struct ad_info *info);
	int (*slave_ad_info)(struct bnd_bond *bond, struct bnd_slave *slave,
			     struct bnd_slave_ad_info *info);
	void (*proc_show)(struct seq_file *m, struct bnd_bond *bond);
	void (*proc_show_slave)(struct seq_file *m, struct bnd_bond *bond,
				struct bnd_slave *slave);
	u32 flags;
};

extern const struct bnd_mode_ops bnd_mode_rr;
extern const struct bnd_mode_ops bnd_mode_ab;
extern const struct bnd_mode_ops bnd_mode_xor;
extern const struct bnd_mode_ops bnd_mode_bcast;
extern const struct bnd_mode_ops bnd_mode_3ad;
extern const struct bnd_mode_ops bnd_mode_tlb;
extern const struct bnd_mode_ops bnd_mode_alb;

/* NULL for a mode this build does not implement. */
const struct bnd_mode_ops *bnd_mode_ops_get(int mode);

/* tlb/alb state of a slave. */
struct bnd_slave_lb {
	atomic64_t tlb_load;		/* load of the transmit buckets assigned here */
	struct list_head rlb_clients;	/* RLB clients received here (mode_lock) */
	u32 rlb_count;			/* how many (mode_lock) */
};

/*
 * IPv6 NS monitoring state of a slave. @last_rx[i] is when the NS target
 * in slot i of params.ns_targets was last heard here (as
 * s.target_last_arp_rx[] for ARP targets; written by the receive hook,
 * kept in step with the target list under RTNL). @maddr are the Ethernet
 * groups this slave joined for the targets (RTNL), one per target, so the
 * slave's multicast list refcounts stay balanced when two targets share
 * a group.
 */
struct bnd_slave_ns {
	unsigned long last_rx[BOND_MAX_NS_TARGETS];
	u8 maddr[BOND_MAX_NS_TARGETS][ETH_ALEN];
	u8 maddr_cnt;
};

/**
 * struct bnd_slave - a slave: the kernel's struct slave plus our state
 * @s:	must stay first: rx_handler_data and the adjacency private pointer
 *	point here and in-tree readers treat them as struct slave
 * @lb:	tlb/alb state
 * @ns:	IPv6 NS monitoring state
 * @rcu: the object is freed after a grace period: transmit paths may
 *	still hold it briefly after release
 */
struct bnd_slave {
	struct slave s;
	struct bnd_slave_lb lb;
	struct bnd_slave_ns ns;
	struct rcu_head rcu;
};

/*
 * RLB counters of a bond. They outlive the RLB table (which exists only
 * while an alb bond is up) so that a test can read them at any time.
 */
struct bnd_rlb_counters {
	atomic64_t arp_seen;	/* ARP frames the receive hook looked at */
	atomic64_t arp_bad;	/* ... of which malformed, ignored */
	atomic64_t added;	/* clients learned */
	atomic64_t reassigned;	/* clients moved to another slave */
	atomic64_t refused;	/* clients not learned: no memory */
	atomic64_t purged;	/* clients dropped (address taken over, VLAN gone) */
	atomic64_t updates;	/* ARP updates sent to clients */
	atomic64_t aged;	/* clients forgotten after rlb_client_timeout idle */
	atomic64_t evicted;	/* least recently used clients dropped at the cap */
};

/**
 * struct bnd_bond - a bond: the kernel's struct bonding plus our state
 * @b:		must stay first: netdev_priv() is read as struct bonding
 * @ops:	current mode; changes only while the bond is down
 * @mode_priv:	state owned by @ops between open and close (RLB, TLB); the
 *		mode publishes and withdraws it with RCU (see lb.h)
 * @rlb:	RLB counters; they survive close so tests can read them
 * @mtu_busy:	set while we push our MTU to the slaves ourselves
 */
struct bnd_bond {
	struct bonding b;
	const struct bnd_mode_ops *ops;
	void __rcu *mode_priv;
	struct bnd_rlb_counters rlb;
	bool mtu_busy;
	/*
	 * The ARP monitor's, read and written by its work only (and by
	 * bnd_arpmon_start() while that work is cancelled): when its last
	 * round ran, and the time this round judges stamps against.
	 */
	unsigned long arp_ran;
	unsigned long arp_now;
};

/* An Ethernet/IPv4 ARP packet after its Ethernet header, as on the wire. */
struct bnd_arp {
	struct arphdr hdr;
	u8 sha[ETH_ALEN];
	__be32 sip;
	u8 tha[ETH_ALEN];
	__be32 tip;
} __packed;

/* Is @arp the Ethernet/IPv4 kind, with the lengths that go with it? */
static inline bool bnd_arp_is_eth_ipv4(const struct bnd_arp *arp)
{
	return arp->hdr.ar_hrd == htons(ARPHRD_ETHER) &&
	       arp->hdr.ar_pro == htons(ETH_P_IP) &&
	       arp->hdr.ar_hln == ETH_ALEN && arp->hdr.ar_pln == 4;
}

static inline struct bnd_bond *bnd_from_dev(const struct net_device *dev)
{
	return netdev_priv(dev);
}

static inline struct bnd_bond *bnd_from_b(struct bonding *b)
{
	return container_of(b, struct bnd_bond, b);
}

static inline struct bnd_slave *bnd_slave_from_s(struct slave *s)
{
	return container_of(s, struct bnd_slave, s);
}

static inline struct bnd_slave *bnd_slave_or_null(struct slave *s)
{
	return s ? bnd_slave_from_s(s) : NULL;
}

static inline const char *bnd_name(const struct bnd_bond *bond)
{
	return bond->b.dev->name;
}

/* Iterate slaves as struct bnd_slave (RTNL held). */
#define bnd_for_each_slave(bond, pos, iter) \
	netdev_for_each_lower_private((bond)->b.dev, pos, iter)

/* Same under rcu_read_lock(). */
#define bnd_for_each_slave_rcu(bond, pos, iter) \
	netdev_for_each_lower_private_rcu((bond)->b.dev, pos, iter)

static inline bool bnd_uses_primary(const struct bnd_bond *bond)
{
	return bond_mode_uses_primary(bond->b.params.mode);
}

/* main.c */
extern unsigned int bnd_net_id;
extern struct bond_params bnd_defaults;
extern int bnd_tx_queues;
extern const struct net_device_ops bnd_netdev_ops;
bool bnd_is_our_bond(const struct net_device *dev);
struct bnd_bond *bnd_bond_of_slave_dev(const struct net_device *slave_dev);
struct bnd_slave *bnd_slave_of_dev(const struct net_device *slave_dev);

/* device.c */
void bnd_setup(struct net_device *dev);
int bnd_create(struct net *net, const char *name);
void bnd_set_carrier(struct bnd_bond *bond);
void bnd_switch_mode(struct bnd_bond *bond, int mode);
netdev_tx_t bnd_xmit_slave(struct bnd_bond *bond, struct sk_buff *skb,
			   struct slave *slave);
netdev_tx_t bnd_tx_drop(struct bnd_bond *bond, struct sk_buff *skb);
bool bnd_tx_queue_override(struct bnd_bond *bond, struct sk_buff *skb);
int bnd_set_mac_all(struct bnd_bond *bond, const u8 *addr);

/* slave.c */
int bnd_enslave(struct bnd_bond *bond, struct net_device *slave_dev,
		struct netlink_ext_ack *extack);
int bnd_release(struct bnd_bond *bond, struct net_device *slave_dev,
		struct netlink_ext_ack *extack);
/* Why a slave is released: what stays behind decides how it is restored. */
enum bnd_release_why {
	BND_RELEASE_USER,	/* ip link set nomaster, sysfs -slave, ioctl */
	BND_RELEASE_SLAVE_GONE,	/* the slave is unregistered or changes netns */
	BND_RELEASE_BOND_GONE,	/* the bond is unregistered */
	BND_RELEASE_BOND_MOVED,	/* the bond changes netns */
};
void bnd_release_all(struct bnd_bond *bond, enum bnd_release_why why);
void bnd_release_dying(struct bnd_bond *bond, struct net_device *sdev);
rx_handler_result_t bnd_handle_frame(struct sk_buff **pskb);
void bnd_trunk_slave_attach(struct bnd_bond *bond, struct bnd_slave *slave);
void bnd_trunk_link_change(struct bnd_bond *bond, struct bnd_slave *slave, int link);
void bnd_compute_features(struct bnd_bond *bond);
void bnd_update_slave_arr(struct bnd_bond *bond);
void bnd_free_slave_arr(struct bnd_bond *bond);
void bnd_update_slave_arr_async(struct bnd_bond *bond);
void bnd_slave_arr_work_init(struct bnd_bond *bond);
int bnd_slave_set_mac(struct net_device *dev, const u8 *addr,
		      struct netlink_ext_ack *extack);
void bnd_update_speed_duplex(struct slave *s);
bool bnd_slave_link_ok(struct bnd_bond *bond, struct slave *s);
void bnd_hw_addr_flush(struct net_device *bond_dev, struct net_device *slave_dev);

/* failover.c */
void bnd_select_active(struct bnd_bond *bond);
void bnd_change_active(struct bnd_bond *bond, struct bnd_slave *new_active);
void bnd_peer_notify_arm(struct bnd_bond *bond);

/* monitor.c */
void bnd_work_init(struct bnd_bond *bond);
void bnd_work_start(struct bnd_bond *bond);
void bnd_work_stop(struct bnd_bond *bond);
void bnd_monitor_restart(struct bnd_bond *bond);
rcu_recv_probe_t bnd_recv_hook(const struct bnd_bond *bond);

/* arpmon.c */
#define BND_MAX_VLAN_DEPTH	8

/* The VLANs between the bond and the device a probe's route leaves by. */
struct bnd_vlan_path {
	int depth;
	struct {
		__be16 proto;
		u16 id;
	} tag[BND_MAX_VLAN_DEPTH];
};

bool bnd_vlan_path(struct net_device *from, struct net_device *dev,
		   struct bnd_vlan_path *path);
struct sk_buff *bnd_vlan_tag(struct sk_buff *skb, const struct bnd_vlan_path *path);
bool bnd_arp_recent(const struct bnd_bond *bond, unsigned long last, int mod);
unsigned long bnd_slave_last_rx(struct bonding *b, struct slave *s);
void bnd_arp_targets_commit(struct bnd_bond *bond, const __be32 *targets);
int bnd_arp_rcv(const struct sk_buff *skb, struct bonding *b, struct slave *s);

/*
 * Receive stamps (last_rx and the per-target ones) with now. The ARP and
 * NS receive paths run this per frame on every CPU that takes the slave's
 * frames: store only when the jiffy changed, so the slave's cache line is
 * not written (and bounced) once per frame.
 */
static inline void bnd_rx_stamp(unsigned long *stamp)
{
	unsigned long now = jiffies;

	if (READ_ONCE(*stamp) != now)
		WRITE_ONCE(*stamp, now);
}

void bnd_arpmon_lb(struct bnd_bond *bond);
void bnd_arpmon_ab(struct bnd_bond *bond);
void bnd_arpmon_init(struct bnd_bond *bond);
void bnd_arpmon_start(struct bnd_bond *bond);
void bnd_arpmon_slave_init(struct bnd_bond *bond, struct slave *s);
void bnd_set_slave_link(struct bnd_bond *bond, struct slave *s, int link);

/* nsmon.c: IPv6 neighbour-solicitation monitoring (ns_ip6_target) */
#if IS_ENABLED(CONFIG_IPV6)
void bnd_ns_probe(struct bnd_bond *bond, struct slave *s);
int bnd_ns_rcv(const struct sk_buff *skb, struct bnd_bond *bond, struct slave *s);
void bnd_ns_targets_commit(struct bnd_bond *bond, const struct in6_addr *targets);
void bnd_ns_maddrs_sync(struct bnd_bond *bond, struct bnd_slave *slave);
void bnd_ns_maddrs_sync_all(struct bnd_bond *bond);
void bnd_ns_maddrs_drop(struct bnd_slave *slave);
#else
static inline void bnd_ns_probe(struct bnd_bond *bond, struct slave *s) { }
static inline void bnd_ns_maddrs_sync(struct bnd_bond *bond, struct bnd_slave *slave) { }
static inline void bnd_ns_maddrs_sync_all(struct bnd_bond *bond) { }
static inline void bnd_ns_maddrs_drop(struct bnd_slave *slave) { }
#endif

/* hash.c */
u32 bnd_xmit_hash(const struct bnd_bond *bond, struct sk_buff *skb);

/* notifier.c */
int bnd_notifier_register(void);
void bnd_notifier_unregister(void);

/* sysfs.c / sysfs_slave.c */
extern const struct attribute_group bnd_sysfs_group;
int bnd_sysfs_masters_create(struct bond_net *bn);
void bnd_sysfs_masters_destroy(struct bond_net *bn);
extern const struct sysfs_ops bnd_slave_sysfs_ops;
int bnd_sysfs_slave_add(struct bnd_slave *slave);
void bnd_sysfs_slave_del(struct bnd_slave *slave);

/* netlink.c */
extern struct rtnl_link_ops bnd_link_ops;
int bnd_netlink_init(void);
void bnd_netlink_fini(void);

/* procfs.c */
void bnd_proc_net_create(struct bond_net *bn);
void bnd_proc_net_destroy(struct bond_net *bn);
void bnd_proc_bond_create(struct bnd_bond *bond);
void bnd_proc_bond_remove(struct bnd_bond *bond);
const char *bnd_mode_desc(int mode);
const char *bnd_link_desc(s8 link);

/* debugfs.c */
void bnd_debugfs_init(void);
void bnd_debugfs_exit(void);
void bnd_debugfs_register(struct bnd_bond *bond);
void bnd_debugfs_unregister(struct bnd_bond *bond);
void bnd_debugfs_rename(struct bnd_bond *bond);

/* rlb.c: views of RLB state, safe in any mode */
int bnd_rlb_show_table(struct seq_file *m, struct bnd_bond *bond);
int bnd_rlb_format_counters(struct bnd_bond *bond, char *buf, size_t size);
unsigned int bnd_rlb_count(struct bnd_bond *bond);
int bnd_rlb_init(void);
void bnd_rlb_exit(void);

#endif /* BND_BOND_H */
