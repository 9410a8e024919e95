// SPDX-License-Identifier: GPL-2.0
/* Receive load balancing (balance-alb): placeholder until the mode lands. */
#include <linux/seq_file.h>

#include "bond.h"

int bnd_rlb_show_table(struct seq_file *m, struct bnd_bond *bond)
{
	return 0;
}
