/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between the option machinery (options.c) and the table itself. */
#ifndef BND_OPTIONS_TABLE_H
#define BND_OPTIONS_TABLE_H

#include "options.h"

extern const struct bnd_option bnd_opts[BND_OPT_COUNT];

void bnd_params_write(struct bond_params *p, const struct bnd_option *opt, u64 val);

/* options_ops.c: setters and views the table points to */
int bnd_mode_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_active_slave_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_active_slave_check(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_miimon_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_updelay_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_downdelay_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_peer_delay_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
u64 bnd_updelay_get(const struct bnd_bond *bond);
u64 bnd_downdelay_get(const struct bnd_bond *bond);
u64 bnd_peer_delay_get(const struct bnd_bond *bond);
int bnd_arp_interval_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_arp_targets_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_ns_targets_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_arp_validate_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_primary_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_primary_reselect_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_all_slaves_active_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_min_links_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_pps_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_ad_actor_system_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_slaves_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_queue_id_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_prio_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
int bnd_actor_port_prio_set(const struct bnd_optctx *ctx, const struct bnd_optval *v);
ssize_t bnd_slaves_show(struct bnd_bond *bond, char *buf);
ssize_t bnd_queue_id_show(struct bnd_bond *bond, char *buf);
ssize_t bnd_primary_show(struct bnd_bond *bond, char *buf);
ssize_t bnd_active_slave_show(struct bnd_bond *bond, char *buf);
ssize_t bnd_arp_targets_show(struct bnd_bond *bond, char *buf);
ssize_t bnd_ad_actor_system_show(struct bnd_bond *bond, char *buf);
int bnd_active_slave_fill(struct sk_buff *skb, struct bnd_bond *bond);
int bnd_primary_fill(struct sk_buff *skb, struct bnd_bond *bond);
int bnd_arp_targets_fill(struct sk_buff *skb, struct bnd_bond *bond);
int bnd_ns_targets_fill(struct sk_buff *skb, struct bnd_bond *bond);
int bnd_ad_actor_system_fill(struct sk_buff *skb, struct bnd_bond *bond);

#endif
