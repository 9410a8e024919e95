// SPDX-License-Identifier: GPL-2.0
/*
 * bond_delay: widens race windows for tests. A kprobe on each kernel
 * function named in @func busy-waits the matching @delay_ms each time the
 * function is entered from process context (the bond's work items and
 * configuration run there; softirq, where peers answer ARP, is left
 * alone), while @armed is set and at most @max_hits times in all.
 *
 * A lifetime bug that needs a release to land between two instructions of
 * a monitor becomes one that needs it to land inside a window of a few
 * hundred ms, and a test that fails reliably when the fix is reverted:
 * hold the release just before the step that matters, and the monitor
 * inside the section the release must wait for.
 *
 *   insmod bond_delay.ko func=arp_create,netdev_upper_dev_unlink delay_ms=1000,300
 *   /sys/module/bond_delay/parameters/hits   delays begun
 *   /sys/module/bond_delay/parameters/busy   delays running now
 *   /sys/module/bond_delay/parameters/armed  0 stops delaying
 */
#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/processor.h>

#define BOND_DELAY_MAX	4

static char *func[BOND_DELAY_MAX] = { "arp_create" };
static int nfunc = 1;
module_param_array(func, charp, &nfunc, 0444);
MODULE_PARM_DESC(func, "Kernel functions to delay on entry (up to 4)");

static unsigned int delay_ms[BOND_DELAY_MAX] = { 100, 100, 100, 100 };
static int ndelay;
module_param_array(delay_ms, uint, &ndelay, 0444);
MODULE_PARM_DESC(delay_ms, "Busy wait per call of each function, in ms (at most 1000)");

static unsigned int max_hits = 1000;
module_param(max_hits, uint, 0644);
MODULE_PARM_DESC(max_hits, "Stop delaying after this many delays");

static bool armed = true;
module_param(armed, bool, 0644);
MODULE_PARM_DESC(armed, "Delay while set");

static atomic_t bond_delay_hits = ATOMIC_INIT(0);
static atomic_t bond_delay_busy = ATOMIC_INIT(0);

static int counter_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static const struct kernel_param_ops counter_ops = { .get = counter_get };
module_param_cb(hits, &counter_ops, &bond_delay_hits, 0444);
MODULE_PARM_DESC(hits, "Delays begun so far");
module_param_cb(busy, &counter_ops, &bond_delay_busy, 0444);
MODULE_PARM_DESC(busy, "Delays running now");

static struct kprobe bond_delay_kp[BOND_DELAY_MAX];

/*
 * Spin for @ms by the kernel's clocksource. Not mdelay(): it counts TSC
 * cycles, and in an emulated guest whose TSC the kernel found unusable a
 * 100 ms mdelay() was seen to take anything from 0 to 100 ms.
 */
static void bond_delay_spin(unsigned int ms)
{
	u64 end = ktime_get_ns() + (u64)ms * NSEC_PER_MSEC;

	while (ktime_get_ns() < end)
		cpu_relax();
}

static int bond_delay_pre(struct kprobe *kp, struct pt_regs *regs)
{
	unsigned int ms = min(delay_ms[kp - bond_delay_kp], 1000U);

	if (!READ_ONCE(armed) || !in_task())
		return 0;
	if (atomic_inc_return(&bond_delay_hits) > READ_ONCE(max_hits)) {
		atomic_dec(&bond_delay_hits);
		return 0;
	}
	atomic_inc(&bond_delay_busy);
	pr_info("bond_delay: holding %s in %s for %u ms\n", kp->symbol_name,
		current->comm, ms);
	bond_delay_spin(ms);
	atomic_dec(&bond_delay_busy);
	pr_info("bond_delay: %s in %s goes on\n", kp->symbol_name, current->comm);
	return 0;
}

static void bond_delay_unregister(int n)
{
	while (n--)
		unregister_kprobe(&bond_delay_kp[n]);
}

static int __init bond_delay_init(void)
{
	int i, err;

	for (i = 0; i < nfunc; i++) {
		bond_delay_kp[i].symbol_name = func[i];
		bond_delay_kp[i].pre_handler = bond_delay_pre;
		err = register_kprobe(&bond_delay_kp[i]);
		if (err) {
			pr_err("bond_delay: cannot probe %s (%d)\n", func[i], err);
			bond_delay_unregister(i);
			return err;
		}
		pr_info("bond_delay: %u ms on entry to %s from process context\n",
			min(delay_ms[i], 1000U), func[i]);
	}
	return 0;
}

static void __exit bond_delay_exit(void)
{
	bond_delay_unregister(nfunc);
}

module_init(bond_delay_init);
module_exit(bond_delay_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test helper: delays kernel functions to widen race windows");
