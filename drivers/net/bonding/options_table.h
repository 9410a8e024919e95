/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between the option machinery (options.c) and the table itself. */
#ifndef BND_OPTIONS_TABLE_H
#define BND_OPTIONS_TABLE_H

#include "options.h"

extern const struct bnd_option bnd_opts[BND_OPT_COUNT];

void bnd_params_write(struct bond_params *p, const struct bnd_option *opt, u64 val);

#endif
