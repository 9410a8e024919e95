// SPDX-License-Identifier: GPL-2.0
/*
 * bond_failalloc: makes chosen allocations fail, for tests of the paths
 * that handle it (the Debian kernels have no fault injection). A
 * kretprobe on the allocator @func looks at who called it: when the
 * caller is the function @caller (by symbol name) and @fails is above
 * zero, the object is freed again and the caller gets NULL.
 *
 *   insmod bond_failalloc.ko func=__kmalloc_noprof caller=bnd_update_slave_arr fails=4
 *   /sys/module/bond_failalloc/parameters/fails   failures still to inject
 *   /sys/module/bond_failalloc/parameters/failed  failures injected
 */
#include <linux/atomic.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/slab.h>

static char *func = "__kmalloc_noprof";
module_param(func, charp, 0444);
MODULE_PARM_DESC(func, "Allocator to probe (it must return what kfree() frees)");

static char *caller = "bnd_update_slave_arr";
module_param(caller, charp, 0444);
MODULE_PARM_DESC(caller, "Fail only allocations made directly by this function");

static atomic_t bond_failalloc_fails = ATOMIC_INIT(0);
static atomic_t bond_failalloc_failed = ATOMIC_INIT(0);

static int fails_set(const char *val, const struct kernel_param *kp)
{
	int n, err = kstrtoint(val, 0, &n);

	if (err || n < 0)
		return -EINVAL;
	atomic_set(&bond_failalloc_fails, n);
	return 0;
}

static int counter_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static const struct kernel_param_ops fails_ops = { .set = fails_set, .get = counter_get };
static const struct kernel_param_ops failed_ops = { .get = counter_get };
module_param_cb(fails, &fails_ops, &bond_failalloc_fails, 0644);
MODULE_PARM_DESC(fails, "Allocations still to fail");
module_param_cb(failed, &failed_ops, &bond_failalloc_failed, 0444);
MODULE_PARM_DESC(failed, "Allocations failed so far");

/* Is the function @addr returns into the one named @caller? */
static bool bond_failalloc_from_caller(unsigned long addr)
{
	char sym[KSYM_SYMBOL_LEN];
	size_t len = strlen(caller);

	sprint_symbol_no_offset(sym, addr);
	return !strncmp(sym, caller, len) && (sym[len] == '\0' || sym[len] == ' ');
}

static int bond_failalloc_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	void *obj = (void *)regs_return_value(regs);

	if (!obj || !atomic_read(&bond_failalloc_fails) ||
	    !bond_failalloc_from_caller(get_kretprobe_retaddr(ri)))
		return 0;
	if (atomic_dec_if_positive(&bond_failalloc_fails) < 0)
		return 0;
	kfree(obj);
	regs_set_return_value(regs, 0);
	atomic_inc(&bond_failalloc_failed);
	pr_info("bond_failalloc: failed an allocation of %s\n", caller);
	return 0;
}

static struct kretprobe bond_failalloc_krp = {
	.handler = bond_failalloc_ret,
	.maxactive = 16,
};

static int __init bond_failalloc_init(void)
{
	int err;

	bond_failalloc_krp.kp.symbol_name = func;
	err = register_kretprobe(&bond_failalloc_krp);
	if (err)
		pr_err("bond_failalloc: cannot probe %s (%d)\n", func, err);
	return err;
}

static void __exit bond_failalloc_exit(void)
{
	unregister_kretprobe(&bond_failalloc_krp);
}

module_init(bond_failalloc_init);
module_exit(bond_failalloc_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test helper: fails chosen allocations");
