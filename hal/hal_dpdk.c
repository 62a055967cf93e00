/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The DPDK backend: ports are ethdevs named by device (PCI address or vdev
 * name), the fronthaul pipeline (fronthaul/dp.c) forwards on every EAL
 * lcore, configuration changes are published by pointer under RCU.
 * EAL must be initialised by the caller (fhswd) before hal_open.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>

#include "fh/dp.h"
#include "hal_provider.h"

#define POOL_MBUFS 8191
#define RX_DESC 1024
#define TX_DESC 1024

struct hal_dpdk {
	struct hal base;
	struct fh_dp *dp;
	bool ports_up;
	unsigned n_ports;
	char devices[HAL_MAX_PORTS][HAL_DEVICE_LEN];
	uint16_t eth_port[HAL_MAX_PORTS];
	/* counter slots: a flow keeps its slot while its name lives */
	char slot_name[FH_DP_MAX_FLOWS][FH_FLOW_NAME_LEN];
	bool slot_used[FH_DP_MAX_FLOWS];
};

#define to_dpdk(h) container_of(h, struct hal_dpdk, base)

static void dpdk_capabilities(const struct hal *h, struct hal_caps *c)
{
	(void)h;
	c->match_eaxc = true;
	c->match_plane = true;
	c->match_direction = true;
	c->match_udp = true;
	c->act_set_eaxc = true;
	c->act_replicate = true;
	c->window_check = true;
	c->act_set_mac = true;
	c->offload = false;
	c->unsupported_counters = 0;
	c->max_ports = FH_MAX_PORTS;
	c->max_flows = FH_DP_MAX_FLOWS;
}

/* Free the data path's memory (accepts NULL and partial setups). */
static void dp_free(struct fh_dp *dp)
{
	if (dp == NULL) {
		return;
	}
	for (unsigned i = 0; i < FH_DP_MAX_LCORES; i++) {
		if (dp->lcores[i] != NULL) {
			rte_free(dp->lcores[i]->flow_ctr);
			rte_free(dp->lcores[i]);
		}
	}
	rte_free(dp->rcu);
	rte_free(dp->l2);
	rte_mempool_free(dp->pool);
	rte_free(dp);
}

static int dpdk_open(const struct hal_params *p, struct hal **out)
{
	struct hal_dpdk *hd;
	struct fh_dp *dp;
	unsigned n = rte_lcore_count(), i = 0, lcore;
	size_t rcu_sz;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		return -ENOTSUP;
	}
	if (n > FH_DP_MAX_LCORES) {
		return -E2BIG;
	}
	hd = calloc(1, sizeof(*hd));
	dp = rte_zmalloc("fh_dp", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	if (hd == NULL || dp == NULL) {
		goto fail;
	}
	hd->dp = dp;
	dp->n_lcores = n;
	dp->clock_pcap = p->clock_pcap;
	dp->measure_residence = p->measure_residence;
	dp->ts_dynfield =
		rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, NULL);
	dp->pool = rte_pktmbuf_pool_create("fh_pool", POOL_MBUFS, 256, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE,
					   rte_socket_id());
	dp->l2 = rte_zmalloc("fh_l2", sizeof(*dp->l2), RTE_CACHE_LINE_SIZE);
	rcu_sz = rte_rcu_qsbr_get_memsize(n);
	dp->rcu = rte_zmalloc("fh_rcu", rcu_sz, RTE_CACHE_LINE_SIZE);
	if (dp->pool == NULL || dp->l2 == NULL || dp->rcu == NULL ||
	    rte_rcu_qsbr_init(dp->rcu, n) != 0) {
		goto fail;
	}
	RTE_LCORE_FOREACH(lcore) {
		struct fh_dp_lcore *lc = rte_zmalloc("fh_lcore", sizeof(*lc),
						     RTE_CACHE_LINE_SIZE);

		if (lc == NULL) {
			goto fail;
		}
		dp->lcores[i] = lc;
		lc->dp = dp;
		lc->id = i;
		lc->lcore_id = lcore;
		lc->txq = (uint16_t)i;
		lc->flow_ctr = rte_zmalloc(
			"fh_flow_ctr",
			sizeof(struct fh_dp_flow_ctr) * FH_DP_MAX_FLOWS,
			RTE_CACHE_LINE_SIZE);
		if (lc->flow_ctr == NULL) {
			goto fail;
		}
		i++;
	}
	fh_dp_clock_anchor(&dp->clock);
	*out = &hd->base;
	return 0;
fail:
	dp_free(dp);
	free(hd);
	return -ENOMEM;
}

static void conf_free(struct fh_dp_conf *c)
{
	if (c != NULL) {
		free(c->flows);
		free(c->slot);
		free(c->table);
		free(c);
	}
}

static void dpdk_close(struct hal *h)
{
	struct hal_dpdk *hd;
	struct fh_dp *dp;

	if (h == NULL) {
		return;
	}
	hd = to_dpdk(h);
	dp = hd->dp;
	for (unsigned p = 0; p < hd->n_ports && hd->ports_up; p++) {
		rte_eth_dev_stop(hd->eth_port[p]);
		rte_eth_dev_close(hd->eth_port[p]);
	}
	conf_free(atomic_load(&dp->conf));
	dp_free(dp);
	free(hd);
}

/* Configure and start every port of cfg (first apply only). */
static int ports_start(struct hal_dpdk *hd, const struct hal_config *cfg,
		       char *msg, size_t msglen)
{
	struct fh_dp *dp = hd->dp;
	unsigned p;
	int ret;

	for (p = 0; p < cfg->n_ports; p++) {
		const struct hal_port_cfg *pc = &cfg->ports[p];
		struct rte_eth_conf conf;
		struct rte_eth_dev_info info;
		uint16_t pid, nrx, ntx = (uint16_t)dp->n_lcores;

		if (rte_eth_dev_get_port_by_name(pc->device, &pid) != 0) {
			snprintf(msg, msglen,
				 "ports[%u].device: no DPDK device \"%s\" (a "
				 "PCI address, or a vdev given with --vdev)",
				 p, pc->device);
			ret = -ENODEV;
			goto fail;
		}
		for (unsigned q = 0; q < p; q++) {
			if (hd->eth_port[q] == pid) {
				snprintf(msg, msglen,
					 "ports[%u].device: \"%s\" is already "
					 "ports[%u]",
					 p, pc->device, q);
				ret = -EINVAL;
				goto fail;
			}
		}
		ret = rte_eth_dev_info_get(pid, &info);
		if (ret != 0) {
			snprintf(msg, msglen, "ports[%u]: %s", p,
				 rte_strerror(-ret));
			goto fail;
		}
		if (info.max_tx_queues < ntx) {
			snprintf(msg, msglen,
				 "ports[%u].device: \"%s\" has %u tx queues, "
				 "%u forwarding lcores need one each",
				 p, pc->device, info.max_tx_queues, ntx);
			ret = -EINVAL;
			goto fail;
		}
		nrx = (uint16_t)RTE_MIN(ntx, info.max_rx_queues);
		memset(&conf, 0, sizeof(conf));
		ret = rte_eth_dev_configure(pid, nrx, ntx, &conf);
		if (ret == 0 && pc->mtu != 0) {
			ret = rte_eth_dev_set_mtu(pid, pc->mtu);
			if (ret == -ENOTSUP) {
				ret = 0; /* vdevs without an MTU */
			}
		}
		for (uint16_t q = 0; ret == 0 && q < nrx; q++) {
			ret = rte_eth_rx_queue_setup(pid, q, RX_DESC,
						     rte_eth_dev_socket_id(pid),
						     NULL, dp->pool);
		}
		for (uint16_t q = 0; ret == 0 && q < ntx; q++) {
			ret = rte_eth_tx_queue_setup(pid, q, TX_DESC,
						     rte_eth_dev_socket_id(pid),
						     NULL);
		}
		if (ret == 0) {
			ret = rte_eth_dev_start(pid);
		}
		if (ret != 0) {
			snprintf(msg, msglen, "ports[%u] (\"%s\"): %s", p,
				 pc->device, rte_strerror(-ret));
			rte_eth_dev_close(pid);
			goto fail;
		}
		rte_eth_promiscuous_enable(pid);
		hd->eth_port[p] = pid;
		snprintf(hd->devices[p], sizeof(hd->devices[p]), "%s",
			 pc->device);
	}
	hd->n_ports = cfg->n_ports;
	hd->ports_up = true;
	return 0;
fail:
	while (p-- > 0) {
		rte_eth_dev_stop(hd->eth_port[p]);
		rte_eth_dev_close(hd->eth_port[p]);
	}
	return ret;
}

/* Counter slot for a flow name: the running slot if the name is running,
 * else a free (zeroed) one. */
static int slot_for(struct hal_dpdk *hd, const char *name, bool *taken)
{
	for (unsigned s = 0; s < FH_DP_MAX_FLOWS; s++) {
		if (hd->slot_used[s] && !taken[s] &&
		    strcmp(hd->slot_name[s], name) == 0) {
			return (int)s;
		}
	}
	for (unsigned s = 0; s < FH_DP_MAX_FLOWS; s++) {
		if (!hd->slot_used[s] && !taken[s]) {
			return (int)s;
		}
	}
	return -ENOSPC;
}

static struct fh_dp_conf *conf_build(struct hal_dpdk *hd,
				     const struct hal_config *cfg, char *msg,
				     size_t msglen, int *err)
{
	struct fh_dp *dp = hd->dp;
	struct fh_dp_conf *c = calloc(1, sizeof(*c));
	bool taken[FH_DP_MAX_FLOWS] = { false };
	struct fh_err ferr;
	size_t tie;
	int ret;

	*err = -ENOMEM;
	if (c == NULL) {
		return NULL;
	}
	c->layout = cfg->layout;
	c->timing = cfg->timing;
	fh_dp_conf_timing(c);
	c->learning = cfg->learning;
	c->aging_s = cfg->aging_s;
	c->n_ports = cfg->n_ports;
	memset(c->port_index, FH_DP_NO_PORT, sizeof(c->port_index));
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		const struct hal_port_cfg *pc = &cfg->ports[p];
		struct fh_dp_port *dpp = &c->ports[p];

		dpp->eth_port = hd->eth_port[p];
		dpp->native_vlan = pc->native_vlan;
		dpp->vlan_filter = pc->n_allowed_vlans != 0;
		for (unsigned v = 0; v < pc->n_allowed_vlans; v++) {
			dpp->vlan_allowed[pc->allowed_vlans[v] >> 3] |=
				(uint8_t)(1u << (pc->allowed_vlans[v] & 7));
		}
		if (pc->native_vlan != 0) {
			dpp->vlan_allowed[pc->native_vlan >> 3] |=
				(uint8_t)(1u << (pc->native_vlan & 7));
		}
		c->port_index[hd->eth_port[p]] = (uint8_t)p;
	}
	/* spread (port, queue) pairs over the lcores */
	{
		unsigned l = 0;

		for (unsigned p = 0; p < cfg->n_ports; p++) {
			struct rte_eth_dev_info info;
			uint16_t nrx;

			rte_eth_dev_info_get(hd->eth_port[p], &info);
			nrx = (uint16_t)RTE_MIN(dp->n_lcores, info.nb_rx_queues);
			for (uint16_t q = 0; q < nrx; q++) {
				struct fh_dp_rxq_set *rs = &c->rxq[l];

				rs->q[rs->n].eth_port = hd->eth_port[p];
				rs->q[rs->n].queue = q;
				rs->n++;
				l = (l + 1) % dp->n_lcores;
			}
		}
	}
	c->n_flows = cfg->n_flows;
	c->flows = calloc(cfg->n_flows ? cfg->n_flows : 1, sizeof(*c->flows));
	c->slot = calloc(cfg->n_flows ? cfg->n_flows : 1, sizeof(*c->slot));
	c->table = malloc(fh_flow_table_size(cfg->n_flows));
	if (c->flows == NULL || c->slot == NULL || c->table == NULL) {
		conf_free(c);
		return NULL;
	}
	if (cfg->n_flows != 0) {
		memcpy(c->flows, cfg->flows, cfg->n_flows * sizeof(*c->flows));
	}
	for (size_t i = 0; i < cfg->n_flows; i++) {
		const struct fh_flow *f = &c->flows[i];
		int s = slot_for(hd, f->name, taken);

		if (s < 0) {
			snprintf(msg, msglen, "flows: no counter slot left");
			*err = s;
			conf_free(c);
			return NULL;
		}
		taken[s] = true;
		c->slot[i] = (uint16_t)s;
		if (f->match.udp_port != 0) {
			bool have = false;

			for (unsigned u = 0; u < c->fcfg.n_udp_ports; u++) {
				have |= c->fcfg.udp_ports[u] == f->match.udp_port;
			}
			if (!have) {
				if (c->fcfg.n_udp_ports == FH_MAX_UDP_PORTS) {
					snprintf(msg, msglen,
						 "flows[%zu].match.udp_port: "
						 "more than %d eCPRI UDP ports",
						 i, FH_MAX_UDP_PORTS);
					*err = -EINVAL;
					conf_free(c);
					return NULL;
				}
				c->fcfg.udp_ports[c->fcfg.n_udp_ports++] =
					f->match.udp_port;
			}
		}
	}
	ret = fh_flow_table_build(c->table, c->flows, c->n_flows, &tie, &ferr);
	if (ret < 0) {
		snprintf(msg, msglen,
			 "flows[%zu]: overlaps flows[%zu] with the same "
			 "specificity",
			 ferr.offset, tie);
		*err = ret;
		conf_free(c);
		return NULL;
	}
	*err = 0;
	return c;
}

static int dpdk_apply(struct hal *h, const struct hal_config *cfg, char *msg,
		      size_t msglen)
{
	struct hal_dpdk *hd = to_dpdk(h);
	struct fh_dp *dp = hd->dp;
	struct fh_dp_conf *c, *old;
	bool keep[FH_DP_MAX_FLOWS] = { false };
	int ret;

	if (hd->ports_up) {
		bool same = cfg->n_ports == hd->n_ports;

		for (unsigned p = 0; same && p < cfg->n_ports; p++) {
			same = strcmp(cfg->ports[p].device, hd->devices[p]) == 0;
		}
		if (!same) {
			snprintf(msg, msglen,
				 "ports: the DPDK backend cannot add, remove "
				 "or reorder ports while running (restart "
				 "fhswd)");
			return -EBUSY;
		}
	} else {
		ret = ports_start(hd, cfg, msg, msglen);
		if (ret < 0) {
			return ret;
		}
	}
	c = conf_build(hd, cfg, msg, msglen, &ret);
	if (c == NULL) {
		return ret;
	}
	/* static FDB: replaced before the swap; learned entries stay */
	fh_l2_clear_static(dp->l2);
	for (unsigned i = 0; i < cfg->n_fdb; i++) {
		if (fh_l2_add_static(dp->l2, cfg->fdb[i].mac, cfg->fdb[i].vlan,
				     cfg->fdb[i].port) < 0) {
			snprintf(msg, msglen,
				 "l2.static_fdb[%u]: MAC table bucket full", i);
		}
	}
	old = atomic_exchange_explicit(&dp->conf, c, memory_order_acq_rel);
	/* once every lcore has passed a quiescent state nobody reads old */
	rte_rcu_qsbr_synchronize(dp->rcu, RTE_QSBR_THRID_INVALID);
	for (size_t i = 0; i < c->n_flows; i++) {
		keep[c->slot[i]] = true;
		snprintf(hd->slot_name[c->slot[i]], FH_FLOW_NAME_LEN, "%s",
			 c->flows[i].name);
		hd->slot_used[c->slot[i]] = true;
	}
	for (unsigned s = 0; s < FH_DP_MAX_FLOWS; s++) {
		if (hd->slot_used[s] && !keep[s]) {
			/* no lcore writes a slot no running flow uses */
			for (unsigned l = 0; l < dp->n_lcores; l++) {
				memset(&dp->lcores[l]->flow_ctr[s], 0,
				       sizeof(struct fh_dp_flow_ctr));
			}
			hd->slot_used[s] = false;
		}
	}
	conf_free(old);
	return 0;
}

static int lcore_entry(void *arg)
{
	struct fh_dp *dp = arg;
	unsigned me = rte_lcore_id();

	for (unsigned i = 0; i < dp->n_lcores; i++) {
		if (dp->lcores[i]->lcore_id == me) {
			return fh_dp_lcore_main(dp->lcores[i]);
		}
	}
	return -ENOENT;
}

/* Keeps the lcores' TSC clock on CLOCK_REALTIME (which phc2sys steers
 * from PTP): re-anchored every 100 ms so frequency corrections reach the
 * window counters without a system call on the fast path. */
static void *clock_main(void *arg)
{
	struct fh_dp *dp = arg;
	const struct timespec period = { 0, 100 * 1000 * 1000 };

	while (!atomic_load(&dp->stop)) {
		nanosleep(&period, NULL);
		fh_dp_clock_anchor(&dp->clock);
	}
	return NULL;
}

static int dpdk_run(struct hal *h)
{
	struct fh_dp *dp = to_dpdk(h)->dp;
	pthread_t clk;
	int ret;

	fh_dp_clock_anchor(&dp->clock);
	ret = rte_ctrl_thread_create(&clk, "fh-clock", NULL, clock_main, dp);
	if (ret != 0) {
		return -ret;
	}
	ret = rte_eal_mp_remote_launch(lcore_entry, dp, CALL_MAIN);
	if (ret == 0) {
		rte_eal_mp_wait_lcore();
	}
	atomic_store(&dp->stop, true);
	pthread_join(clk, NULL);
	return ret;
}

static void dpdk_stop(struct hal *h)
{
	atomic_store(&to_dpdk(h)->dp->stop, true);
}

static int dpdk_port_stats(struct hal *h, unsigned port,
			   struct hal_port_stats *out)
{
	struct hal_dpdk *hd = to_dpdk(h);
	struct fh_dp_port_ctr c;
	struct rte_eth_stats es;

	fh_dp_port_sum(hd->dp, port, &c);
	out->rx_packets = c.rx_packets;
	out->tx_packets = c.tx_packets;
	out->rx_bytes = c.rx_bytes;
	out->tx_bytes = c.tx_bytes;
	out->drops = c.drops;
	/* and what the device lost before the pipeline saw it */
	if (rte_eth_stats_get(hd->eth_port[port], &es) == 0) {
		out->drops += es.imissed + es.rx_nombuf;
	}
	return 0;
}

/* The counter slot of the running flow called name, -1 if none. */
static int slot_named(const struct hal_dpdk *hd, const char *name)
{
	for (unsigned s = 0; s < FH_DP_MAX_FLOWS; s++) {
		if (hd->slot_used[s] && strcmp(hd->slot_name[s], name) == 0) {
			return (int)s;
		}
	}
	return -1;
}

static int dpdk_flow_stats(struct hal *h, const char *name,
			   struct hal_flow_stats *out)
{
	struct hal_dpdk *hd = to_dpdk(h);
	struct fh_dp_flow_ctr c;
	int s = slot_named(hd, name);

	if (s < 0) {
		return -ENOENT;
	}
	fh_dp_flow_sum(hd->dp, (unsigned)s, &c);
	out->rx_total = c.rx_total;
	out->rx_on_time = c.rx_on_time;
	out->rx_early = c.rx_early;
	out->rx_late = c.rx_late;
	out->rx_corrupt = c.rx_corrupt;
	out->rx_seqid_err = c.rx_seqid_err;
	out->tx_total = c.tx_total;
	return 0;
}

/* One entry of the software flow table, run by the forwarding lcores. */
static int dpdk_flow_status(struct hal *h, const char *name,
			    struct hal_flow_status *out)
{
	if (slot_named(to_dpdk(h), name) < 0) {
		return -ENOENT;
	}
	out->rules = 1;
	out->rules_in_hw = 0;
	snprintf(out->detail, sizeof(out->detail),
		 "software: DPDK data path on %u lcore(s)", rte_lcore_count());
	return 0;
}

static int dpdk_l2_stats(struct hal *h, struct hal_l2_stats *out)
{
	struct fh_dp_l2_ctr c;

	fh_dp_l2_sum(to_dpdk(h)->dp, &c);
	out->forwarded = c.forwarded;
	out->flooded = c.flooded;
	return 0;
}

static int dpdk_idle_ns(struct hal *h, uint64_t *ns)
{
	struct fh_dp *dp = to_dpdk(h)->dp;
	uint64_t last = 0, now = rte_rdtsc();

	for (unsigned i = 0; i < dp->n_lcores; i++) {
		uint64_t t = atomic_load_explicit(&dp->lcores[i]->last_rx_tsc,
						  memory_order_relaxed);

		last = t > last ? t : last;
	}
	if (last == 0) {
		*ns = UINT64_MAX;
		return 0;
	}
	*ns = (uint64_t)((unsigned __int128)(now - last) * FH_NS_PER_S /
			 rte_get_tsc_hz());
	return 0;
}

static int dpdk_inject(struct hal *h, unsigned port, const char *path,
		       unsigned count)
{
	struct hal_dpdk *hd = to_dpdk(h);
	struct fh_dp *dp = hd->dp;
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	const u_char *data;
	pcap_t *pc;
	unsigned sent = 0;
	int ret = 0;

	while (sent < count) {
		unsigned before = sent;

		pc = pcap_open_offline(path, errbuf);
		if (pc == NULL) {
			return -ENOENT;
		}
		while (sent < count && pcap_next_ex(pc, &ph, &data) == 1) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);
			char *d;

			if (m == NULL) {
				ret = -ENOMEM;
				break;
			}
			d = rte_pktmbuf_append(m, (uint16_t)ph->caplen);
			if (d == NULL || ph->caplen > UINT16_MAX) {
				rte_pktmbuf_free(m);
				ret = -EMSGSIZE;
				break;
			}
			memcpy(d, data, ph->caplen);
			/* before run: queue 0 is not yet polled by anyone */
			if (rte_eth_tx_burst(hd->eth_port[port], 0, &m, 1) != 1) {
				rte_pktmbuf_free(m);
				ret = -ENOBUFS;
				break;
			}
			sent++;
		}
		pcap_close(pc);
		if (ret < 0 || sent == before) {
			break; /* an error, or an empty file */
		}
	}
	return ret < 0 ? ret : (int)sent;
}

static int dpdk_residence(struct hal *h, uint64_t counts[64], uint64_t *hz)
{
	struct fh_dp *dp = to_dpdk(h)->dp;

	memset(counts, 0, 64 * sizeof(uint64_t));
	for (unsigned i = 0; i < dp->n_lcores; i++) {
		for (int b = 0; b < 64; b++) {
			counts[b] += dp->lcores[i]->hist[b];
		}
	}
	*hz = rte_get_tsc_hz();
	return dp->measure_residence ? 0 : -EOPNOTSUPP;
}

const struct hal_class hal_dpdk_class = {
	.type = "dpdk",
	.open = dpdk_open,
	.close = dpdk_close,
	.capabilities = dpdk_capabilities,
	.apply = dpdk_apply,
	.run = dpdk_run,
	.stop = dpdk_stop,
	.port_stats = dpdk_port_stats,
	.flow_stats = dpdk_flow_stats,
	.flow_status = dpdk_flow_status,
	.l2_stats = dpdk_l2_stats,
	.idle_ns = dpdk_idle_ns,
	.inject = dpdk_inject,
	.residence = dpdk_residence,
};
