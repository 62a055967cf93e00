/* SPDX-License-Identifier: Apache-2.0 */
/* The data path's control side: creating it, building and publishing
 * confs under RCU, counter slots and sums.  Runs on the control thread,
 * never on a forwarding lcore. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>

#include "fh/dp.h"

int fh_dp_create(const struct fh_dp_params *p, struct fh_dp **out)
{
	struct fh_dp *dp;
	size_t rcu_sz;

	if (p == NULL || out == NULL || p->n_lcores == 0 ||
	    p->n_lcores > FH_DP_MAX_LCORES) {
		return -EINVAL;
	}
	dp = rte_zmalloc("fh_dp", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	if (dp == NULL) {
		return -ENOMEM;
	}
	dp->n_lcores = p->n_lcores;
	dp->clock_pcap = p->clock_pcap;
	dp->measure_residence = p->measure_residence;
	dp->poll_sleep = p->poll_sleep;
	/* the rx timestamp field and flag (the pcap PMD's, registered by
	 * its probe; registering again returns the same) */
	if (rte_mbuf_dyn_rx_timestamp_register(&dp->ts_dynfield,
					       &dp->ts_flag) != 0) {
		dp->ts_dynfield = -1;
		dp->ts_flag = 0;
	}
	dp->pool = rte_pktmbuf_pool_create(
		"fh_pool", p->pool_mbufs ? p->pool_mbufs : FH_DP_POOL_MBUFS,
		256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	dp->l2 = rte_zmalloc("fh_l2", sizeof(*dp->l2), RTE_CACHE_LINE_SIZE);
	rcu_sz = rte_rcu_qsbr_get_memsize(p->n_lcores);
	dp->rcu = rte_zmalloc("fh_rcu", rcu_sz, RTE_CACHE_LINE_SIZE);
	{
		static const struct rte_mbuf_dynfield tdesc = {
			.name = "fh_comb_arrival_ns",
			.size = sizeof(int64_t),
			.align = __alignof__(int64_t),
		};

		dp->t_dynfield = rte_mbuf_dynfield_register(&tdesc);
	}
	dp->slot_name = calloc(FH_DP_MAX_FLOWS, sizeof(*dp->slot_name));
	dp->slot_used = calloc(FH_DP_MAX_FLOWS, sizeof(*dp->slot_used));
	if (dp->pool == NULL || dp->l2 == NULL || dp->rcu == NULL ||
	    dp->slot_name == NULL || dp->slot_used == NULL ||
	    rte_rcu_qsbr_init(dp->rcu, p->n_lcores) != 0) {
		goto fail;
	}
	for (unsigned i = 0; i < p->n_lcores; i++) {
		struct fh_dp_lcore *lc = rte_zmalloc("fh_lcore", sizeof(*lc),
						     RTE_CACHE_LINE_SIZE);

		if (lc == NULL) {
			goto fail;
		}
		dp->lcores[i] = lc;
		lc->dp = dp;
		lc->id = i;
		lc->lcore_id = p->lcore_ids[i];
		lc->txq = (uint16_t)i;
		{
			char rn[RTE_RING_NAMESIZE];

			snprintf(rn, sizeof(rn), "fh_comb%u_%p", i, (void *)dp);
			dp->comb_ring[i] = rte_ring_create(
				rn, 1024, (int)rte_socket_id(), RING_F_SC_DEQ);
			if (dp->comb_ring[i] == NULL) {
				goto fail;
			}
		}
		lc->flow_ctr = rte_zmalloc("fh_flow_ctr",
					   sizeof(struct fh_dp_flow_ctr) *
						   FH_DP_MAX_FLOWS,
					   RTE_CACHE_LINE_SIZE);
		lc->eaxc = rte_zmalloc("fh_eaxc",
				       sizeof(*lc->eaxc) * FH_DP_MAX_EAXC,
				       RTE_CACHE_LINE_SIZE);
		lc->eaxc_idx = calloc(FH_MAX_PORTS, sizeof(*lc->eaxc_idx));
		if (lc->flow_ctr == NULL || lc->eaxc == NULL ||
		    lc->eaxc_idx == NULL) {
			goto fail;
		}
		atomic_store(&lc->n_eaxc, 1); /* slot 0: "none" */
	}
	fh_dp_clock_anchor(&dp->clock);
	dp->ns_mult = dp->clock.mult;
	*out = dp;
	return 0;
fail:
	fh_dp_destroy(dp);
	return -ENOMEM;
}

void fh_dp_destroy(struct fh_dp *dp)
{
	if (dp == NULL) {
		return;
	}
	fh_dp_conf_free(atomic_load(&dp->conf));
	for (unsigned i = 0; i < FH_DP_MAX_LCORES; i++) {
		if (dp->lcores[i] != NULL) {
			rte_free(dp->lcores[i]->flow_ctr);
			rte_free(dp->lcores[i]->eaxc);
			free(dp->lcores[i]->eaxc_idx);
			rte_free(dp->lcores[i]);
		}
		if (dp->comb_ring[i] != NULL) {
			struct rte_mbuf *m;

			while (rte_ring_dequeue(dp->comb_ring[i],
						(void **)&m) == 0) {
				rte_pktmbuf_free(m);
			}
			rte_ring_free(dp->comb_ring[i]);
		}
	}
	free(dp->slot_name);
	free(dp->slot_used);
	rte_free(dp->rcu);
	rte_free(dp->l2);
	rte_mempool_free(dp->pool);
	rte_free(dp);
}

void fh_dp_conf_dialects(struct fh_dp_conf *c)
{
	memset(c->conv, 0, sizeof(c->conv));
	memset(c->conv_any, 0, sizeof(c->conv_any));
	for (unsigned i = 0; i < c->n_ports; i++) {
		const struct fh_dp_port *a = &c->ports[i];

		for (unsigned o = 0; o < c->n_ports; o++) {
			const struct fh_dp_port *b = &c->ports[o];
			uint8_t cv = 0;

			if (!fh_eaxc_layout_eq(&a->layout, &b->layout)) {
				cv |= FH_CONV_EAXC;
			}
			if (a->has_comp && b->has_comp &&
			    !fh_uplane_cfg_same(&a->ucfg, &b->ucfg)) {
				cv |= FH_CONV_IQ;
			}
			c->conv[i][o] = cv;
			c->conv_any[i] |= cv;
		}
	}
}

struct fh_dp_conf *fh_dp_conf_new(size_t n_flows)
{
	struct fh_dp_conf *c = calloc(1, sizeof(*c));
	size_t n = n_flows ? n_flows : 1;

	if (c == NULL) {
		return NULL;
	}
	memset(c->port_index, FH_DP_NO_PORT, sizeof(c->port_index));
	memset(c->ptp_domains, 0xff, sizeof(c->ptp_domains));
	c->flows = calloc(n, sizeof(*c->flows));
	c->slot = calloc(n, sizeof(*c->slot));
	c->table = malloc(fh_flow_table_size(n_flows));
	c->fdb = calloc(1, sizeof(*c->fdb));
	if (c->flows == NULL || c->slot == NULL || c->table == NULL ||
	    c->fdb == NULL) {
		fh_dp_conf_free(c);
		return NULL;
	}
	return c;
}

void fh_dp_conf_free(struct fh_dp_conf *c)
{
	if (c != NULL) {
		for (unsigned g = 0; g < c->n_groups; g++) {
			free(c->groups[g].e);
		}
		free(c->flows);
		free(c->slot);
		free(c->table);
		free(c->fdb);
		free(c);
	}
}

int fh_dp_conf_add_group(const struct fh_dp *dp, struct fh_dp_conf *c,
			 const char *name, const uint16_t *in_ports,
			 unsigned n_in, uint16_t out_port, uint16_t eaxc_id,
			 uint16_t eaxc_mask, uint32_t deadline_us)
{
	struct fh_comb_group *g;
	int slot = -1;

	if (c->n_groups == FH_DP_MAX_GROUPS || n_in == 0 ||
	    n_in > FH_MAX_PORTS || out_port >= FH_MAX_PORTS) {
		return -ENOSPC;
	}
	/* the running slot of the same name, else one no group uses */
	for (unsigned s = 0; s < FH_DP_MAX_GROUPS && slot < 0; s++) {
		if (dp->comb_slot_used[s] &&
		    strcmp(dp->comb_slot_name[s], name) == 0) {
			slot = (int)s;
		}
	}
	for (unsigned s = 0; s < FH_DP_MAX_GROUPS && slot < 0; s++) {
		bool taken = dp->comb_slot_used[s];

		for (unsigned k = 0; k < c->n_groups && !taken; k++) {
			taken = c->groups[k].slot == s;
		}
		if (!taken) {
			slot = (int)s;
		}
	}
	if (slot < 0) {
		return -ENOSPC;
	}
	g = &c->groups[c->n_groups];
	memset(g, 0, sizeof(*g));
	g->e = calloc(FH_COMB_ENTRIES, sizeof(*g->e));
	if (g->e == NULL) {
		return -ENOMEM;
	}
	snprintf(g->name, sizeof(g->name), "%s", name);
	memset(g->pos, -1, sizeof(g->pos));
	for (unsigned k = 0; k < n_in; k++) {
		g->in_ports[k] = in_ports[k];
		g->pos[in_ports[k] % FH_MAX_PORTS] = (int8_t)k;
		g->all |= 1u << k;
		c->port_groups[in_ports[k] % FH_MAX_PORTS] |=
			(uint16_t)(1u << c->n_groups);
	}
	g->n_in = (uint16_t)n_in;
	g->out_port = out_port;
	g->eaxc_id = eaxc_id;
	g->eaxc_mask = eaxc_mask;
	g->deadline_ns = (int64_t)deadline_us * 1000;
	g->owner = c->n_groups % dp->n_lcores;
	g->slot = (unsigned)slot;
	g->next_deadline = INT64_MAX;
	memset(g->hidx, 0xff, sizeof(g->hidx));
	for (unsigned k = 0; k < FH_COMB_ENTRIES; k++) {
		g->free_e[k] = (uint8_t)(FH_COMB_ENTRIES - 1 - k);
	}
	g->n_free = FH_COMB_ENTRIES;
	c->n_groups++;
	return 0;
}

int fh_dp_comb_slot(const struct fh_dp *dp, const char *name)
{
	for (unsigned s = 0; s < FH_DP_MAX_GROUPS; s++) {
		if (dp->comb_slot_used[s] &&
		    strcmp(dp->comb_slot_name[s], name) == 0) {
			return (int)s;
		}
	}
	return -ENOENT;
}

void fh_dp_comb_sum(const struct fh_dp *dp, unsigned slot,
		    struct fh_dp_comb_sum *out)
{
	memset(out, 0, sizeof(*out));
	if (slot >= FH_DP_MAX_GROUPS) {
		return;
	}
	for (unsigned l = 0; l < dp->n_lcores; l++) {
		const struct fh_dp_comb_ctr *c = &dp->lcores[l]->comb_ctr[slot];

#define FH_DP_SUM1(name) out->name += fh_ctr_read(&c->name);
		FH_COMB_COUNTERS(FH_DP_SUM1)
#undef FH_DP_SUM1
		for (unsigned p = 0; p < FH_MAX_PORTS; p++) {
			out->missing[p] += fh_ctr_read(&c->missing[p]);
		}
	}
}

int fh_dp_flow_slot(const struct fh_dp *dp, const char *name)
{
	for (unsigned s = 0; s < FH_DP_MAX_FLOWS; s++) {
		if (dp->slot_used[s] && strcmp(dp->slot_name[s], name) == 0) {
			return (int)s;
		}
	}
	return -ENOENT;
}

/* Counter slot for a flow name: the running slot if the name is running,
 * else a free (zeroed) one; -ENOSPC if none is left. */
static int slot_for(const struct fh_dp *dp, const char *name, const bool *taken)
{
	int s = fh_dp_flow_slot(dp, name);

	if (s >= 0 && !taken[s]) {
		return s;
	}
	for (unsigned i = 0; i < FH_DP_MAX_FLOWS; i++) {
		if (!dp->slot_used[i] && !taken[i]) {
			return (int)i;
		}
	}
	return -ENOSPC;
}

static int add_udp_port(struct fh_frame_cfg *fc, uint16_t port)
{
	for (unsigned u = 0; u < fc->n_udp_ports; u++) {
		if (fc->udp_ports[u] == port) {
			return 0;
		}
	}
	if (fc->n_udp_ports == FH_MAX_UDP_PORTS) {
		return -ENOSPC;
	}
	fc->udp_ports[fc->n_udp_ports++] = port;
	return 0;
}

int fh_dp_conf_set_flows(const struct fh_dp *dp, struct fh_dp_conf *c,
			 const struct fh_flow *flows, size_t n,
			 struct fh_err *err, size_t *tie)
{
	bool *taken = calloc(FH_DP_MAX_FLOWS, sizeof(*taken));
	int ret = 0;

	if (taken == NULL) {
		return -ENOMEM;
	}
	c->n_flows = n;
	if (n != 0) {
		memcpy(c->flows, flows, n * sizeof(*c->flows));
	}
	for (size_t i = 0; i < n && ret == 0; i++) {
		int s = slot_for(dp, flows[i].name, taken);

		if (s < 0) {
			ret = fh_fail(err, s, i, "no counter slot left");
			break;
		}
		taken[s] = true;
		c->slot[i] = (uint16_t)s;
		if (flows[i].match.udp_port != 0 &&
		    add_udp_port(&c->fcfg, flows[i].match.udp_port) < 0) {
			ret = fh_fail(err, -ENOSPC, i,
				      "more eCPRI UDP ports than the data "
				      "path takes");
		}
	}
	free(taken);
	if (ret == 0) {
		ret = fh_flow_table_build(c->table, c->flows, n, tie, err);
	}
	return ret;
}

void fh_dp_publish(struct fh_dp *dp, struct fh_dp_conf *c)
{
	struct fh_dp_conf *old =
		atomic_exchange_explicit(&dp->conf, c, memory_order_acq_rel);
	bool keep[FH_DP_MAX_FLOWS] = {false};

	/* once every lcore has passed a quiescent state nobody reads old */
	rte_rcu_qsbr_synchronize(dp->rcu, RTE_QSBR_THRID_INVALID);
	for (size_t i = 0; i < c->n_flows; i++) {
		keep[c->slot[i]] = true;
		snprintf(dp->slot_name[c->slot[i]], FH_FLOW_NAME_LEN, "%s",
			 c->flows[i].name);
		dp->slot_used[c->slot[i]] = true;
	}
	for (unsigned s = 0; s < FH_DP_MAX_FLOWS; s++) {
		if (!dp->slot_used[s] || keep[s]) {
			continue;
		}
		/* no lcore writes a slot no running flow uses */
		for (unsigned l = 0; l < dp->n_lcores; l++) {
			struct fh_dp_flow_ctr *fc = &dp->lcores[l]->flow_ctr[s];

#define FH_DP_ZERO(name, NAME) fh_ctr_zero(&fc->name);
			FH_FLOW_COUNTERS(FH_DP_ZERO)
#undef FH_DP_ZERO
			fh_ctr_zero(&fc->rx_bytes);
		}
		dp->slot_used[s] = false;
	}
	{
		bool gkeep[FH_DP_MAX_GROUPS] = {false};

		for (unsigned g = 0; g < c->n_groups; g++) {
			unsigned sl = c->groups[g].slot;

			gkeep[sl] = true;
			snprintf(dp->comb_slot_name[sl], FH_FLOW_NAME_LEN, "%s",
				 c->groups[g].name);
			dp->comb_slot_used[sl] = true;
		}
		for (unsigned sl = 0; sl < FH_DP_MAX_GROUPS; sl++) {
			if (!dp->comb_slot_used[sl] || gkeep[sl]) {
				continue;
			}
			for (unsigned l = 0; l < dp->n_lcores; l++) {
				memset(&dp->lcores[l]->comb_ctr[sl], 0,
				       sizeof(dp->lcores[l]->comb_ctr[sl]));
			}
			dp->comb_slot_used[sl] = false;
		}
	}
	fh_dp_conf_free(old);
}

/* ---- counter sums ------------------------------------------------------------ */

static int eaxc_cmp(const void *a, const void *b)
{
	const struct fh_dp_eaxc_ctr
		*x = *(const struct fh_dp_eaxc_ctr *const *)a,
		*y = *(const struct fh_dp_eaxc_ctr *const *)b;
	/* port, eAxC, then plane and direction */
	uint32_t kx = (x->key >> 18) << 18 | (x->key & 0xffff) << 2 |
		      (x->key >> 16 & 3),
		 ky = (y->key >> 18) << 18 | (y->key & 0xffff) << 2 |
		      (y->key >> 16 & 3);

	return (kx > ky) - (kx < ky);
}

size_t fh_dp_eaxc_sum(const struct fh_dp *dp, struct fh_dp_eaxc_sum *out,
		      size_t max, uint64_t *untracked)
{
	const struct fh_dp_eaxc_ctr **all;
	size_t n = 0, total = 0;
	uint64_t unt = 0;

	all = calloc((size_t)dp->n_lcores * FH_DP_MAX_EAXC, sizeof(*all));
	for (unsigned i = 0; i < dp->n_lcores; i++) {
		const struct fh_dp_lcore *lc = dp->lcores[i];
		/* acquire: the slots below n_eaxc have their key */
		uint32_t used = atomic_load_explicit(
			(_Atomic uint32_t *)&lc->n_eaxc, memory_order_acquire);

		unt += fh_ctr_read(&lc->eaxc_untracked);
		for (uint32_t k = 1; all != NULL && k < used; k++) {
			all[n++] = &lc->eaxc[k];
		}
	}
	if (untracked != NULL) {
		*untracked = unt;
	}
	if (all == NULL) {
		return 0;
	}
	qsort(all, n, sizeof(*all), eaxc_cmp);
	for (size_t k = 0; k < n; k++) {
		const struct fh_dp_eaxc_ctr *e = all[k];
		struct fh_dp_eaxc_sum *o;

		if (k == 0 || e->key != all[k - 1]->key) {
			total++;
			if (total <= max) {
				o = &out[total - 1];
				memset(o, 0, sizeof(*o));
				o->port = (uint16_t)(e->key >> 18);
				o->eaxc_id = (uint16_t)e->key;
				o->plane = e->key >> 17 & 1 ? FH_PLANE_U :
							      FH_PLANE_C;
				o->direction = e->key >> 16 & 1 ?
						       FH_DIRECTION_DL :
						       FH_DIRECTION_UL;
			}
		}
		if (total > max) {
			continue;
		}
		o = &out[total - 1];
		o->windowed |= atomic_load_explicit(
			(_Atomic uint8_t *)&e->windowed, memory_order_relaxed);
#define EAXC_SUM(name) o->name += fh_ctr_read(&e->name);
		FH_EAXC_COUNTERS(EAXC_SUM)
#undef EAXC_SUM
	}
	free(all);
	return total;
}

void fh_dp_flow_sum(const struct fh_dp *dp, unsigned slot,
		    struct fh_dp_flow_sum *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned l = 0; l < dp->n_lcores; l++) {
		const struct fh_dp_flow_ctr *c = &dp->lcores[l]->flow_ctr[slot];

#define FH_DP_SUM(name, NAME) out->name += fh_ctr_read(&c->name);
		FH_FLOW_COUNTERS(FH_DP_SUM)
#undef FH_DP_SUM
		out->rx_bytes += fh_ctr_read(&c->rx_bytes);
	}
}

#define FH_DP_SUM1(name) out->name += fh_ctr_read(&c->name);

void fh_dp_port_sum(const struct fh_dp *dp, unsigned port,
		    struct fh_dp_port_sum *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned l = 0; l < dp->n_lcores; l++) {
		const struct fh_dp_port_ctr *c = &dp->lcores[l]->port_ctr[port];

		FH_DP_PORT_COUNTERS(FH_DP_SUM1)
	}
}

void fh_dp_l2_sum(const struct fh_dp *dp, struct fh_dp_l2_sum *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned l = 0; l < dp->n_lcores; l++) {
		const struct fh_dp_l2_ctr *c = &dp->lcores[l]->l2_ctr;

		FH_DP_L2_COUNTERS(FH_DP_SUM1)
	}
}

void fh_dp_ptp_sum(const struct fh_dp *dp, unsigned port,
		   struct fh_dp_ptp_sum *out)
{
	uint64_t sum_ns = 0, min1 = 0;

	memset(out, 0, sizeof(*out));
	if (port >= FH_MAX_PORTS) {
		return;
	}
	for (unsigned l = 0; l < dp->n_lcores; l++) {
		const struct fh_dp_ptp_ctr *c = &dp->lcores[l]->ptp_ctr[port];
		uint64_t m1 = fh_ctr_read(&c->residence_ns_min1);
		uint64_t mx = fh_ctr_read(&c->residence_ns_max);

		for (unsigned t = 0; t < FH_PTP_N_TYPES; t++) {
			out->rx_type[t] += fh_ctr_read(&c->rx_type[t]);
		}
		out->rx_malformed += fh_ctr_read(&c->rx_malformed);
		out->filtered += fh_ctr_read(&c->filtered);
		out->corrected += fh_ctr_read(&c->corrected);
		sum_ns += fh_ctr_read(&c->residence_ns_sum);
		if (m1 != 0 && (min1 == 0 || m1 < min1)) {
			min1 = m1;
		}
		if (mx > out->residence_ns_max) {
			out->residence_ns_max = mx;
		}
	}
	out->residence_ns_min = min1 ? min1 - 1 : 0;
	out->residence_ns_avg = out->corrected ? sum_ns / out->corrected : 0;
}
