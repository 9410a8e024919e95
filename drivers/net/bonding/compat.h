/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, in one place. Logic elsewhere never tests
 * LINUX_VERSION_CODE: it calls the helpers below.
 *
 * Supported: Debian bookworm 6.1 and 6.12 kernels.
 */
#ifndef BND_COMPAT_H
#define BND_COMPAT_H

#include <linux/version.h>
#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <linux/device.h>

/* 6.12 moved "lockless transmit" from a feature bit to a device flag. */
static inline void bnd_compat_set_lltx(struct net_device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/*
 * Slaves must not run IPv6 address configuration, from the moment they
 * are opened: a device whose carrier survives close/open (virtio-net, VFs,
 * dummy) would otherwise get the bond's link-local address and send DAD
 * probes and router solicitations. Since 6.2 a private flag says so;
 * before, addrconf skips IFF_SLAVE devices, so that flag is raised before
 * the slave opens (the upper link sets it again; release clears it).
 */
static inline void bnd_compat_addrconf_off(struct net_device *sdev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	sdev->priv_flags |= IFF_NO_ADDRCONF;
#else
	sdev->flags |= IFF_SLAVE;
#endif
}

static inline void bnd_compat_addrconf_on(struct net_device *sdev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	sdev->priv_flags &= ~IFF_NO_ADDRCONF;
#else
	sdev->flags &= ~IFF_SLAVE;
#endif
}

/* Class attribute callbacks take const pointers since 6.4. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define BND_CLASS_CONST const
#else
#define BND_CLASS_CONST
#endif

/*
 * Formatted extack messages arrived in 6.2. Older kernels only keep a
 * pointer to a static string, so they get the generic text; the formatted
 * message always goes to the kernel log as well.
 */
#ifdef NL_SET_ERR_MSG_FMT
#define bnd_compat_extack_fmt(extack, generic, fmt, ...) do {	\
	(void)(generic);						\
	NL_SET_ERR_MSG_FMT(extack, fmt, ##__VA_ARGS__);			\
} while (0)
#else
#define bnd_compat_extack_fmt(extack, generic, fmt, ...) do {	\
	if (extack)							\
		(extack)->_msg = (generic);				\
} while (0)
#endif

#endif /* BND_COMPAT_H */
