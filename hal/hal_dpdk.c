/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The DPDK backend: ports are ethdevs named by device (PCI address or vdev
 * name), the fronthaul data path (fronthaul/dp*.c) forwards on every EAL
 * lcore, configuration changes are published by pointer under RCU.  open
 * brings the EAL up from the backend's arguments and close takes it down.
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
#include <rte_errno.h>
#include <rte_pdump.h>
#include <rte_ecpri.h>
#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_telemetry.h>

#include "fh/dp.h"
#include "hal_provider.h"

#define RX_DESC 1024
#define TX_DESC 1024

struct hal_dpdk {
	struct hal base;
	struct fh_dp *dp;
	bool ports_up;
	unsigned n_ports;
	char devices[HAL_MAX_PORTS][HAL_DEVICE_LEN];
	uint16_t eth_port[HAL_MAX_PORTS];
	/* the device's own drops are invisible to DPDK (net_af_packet: the
	 * kernel's ring overflows, which the 22.11 PMD never reads) */
	bool drops_unknown[HAL_MAX_PORTS];
	bool pdump; /* rte_pdump_init succeeded */
	/* what DPDK telemetry reads (its own thread): the running port
	 * names and the data path's flow slots, under tel_lock */
	pthread_mutex_t tel_lock;
	char port_name[HAL_MAX_PORTS][HAL_NAME_LEN];
};

#define to_dpdk(h) hal_container_of(h, struct hal_dpdk, base)

static void dpdk_capabilities(const struct hal *h, struct hal_caps *c)
{
	c->match_eaxc = true;
	c->match_plane = true;
	c->match_direction = true;
	c->match_udp = true;
	c->act_set_eaxc = true;
	c->port_dialects = true;
	c->iq_convert = true;
	c->combine = true;
	c->act_replicate = true;
	c->act_mirror = true;
	c->window_check = true;
	c->act_set_mac = true;
	c->ptp_transparent = true;
	c->offload = false;
	c->unsupported_counters = 0;
	c->max_ports = FH_MAX_PORTS;
	c->max_flows = FH_DP_MAX_FLOWS;
	c->workers = h != NULL ? to_dpdk(h)->dp->n_lcores : 0;
}

/* The open options: "clock" (realtime | pcap), "residence" (on | off). */
static int open_options(const struct hal_options *o, struct fh_dp_params *dp,
			char *msg, size_t msglen)
{
	for (unsigned i = 0; i < o->n; i++) {
		const char *k = o->kv[i].key, *v = o->kv[i].value;

		if (strcmp(k, "clock") == 0 && strcmp(v, "pcap") == 0) {
			dp->clock_pcap = true;
		} else if (strcmp(k, "clock") == 0 &&
			   strcmp(v, "realtime") == 0) {
			dp->clock_pcap = false;
		} else if (strcmp(k, "residence") == 0 &&
			   (strcmp(v, "on") == 0 || strcmp(v, "off") == 0)) {
			dp->measure_residence = strcmp(v, "on") == 0;
		} else if (strcmp(k, "poll") == 0 &&
			   (strcmp(v, "busy") == 0 ||
			    strcmp(v, "sleep") == 0)) {
			dp->poll_sleep = strcmp(v, "sleep") == 0;
		} else {
			snprintf(msg, msglen,
				 "%s: \"%s\" is not a dpdk backend option "
				 "(clock=realtime|pcap, residence=on|off, "
				 "poll=busy|sleep)",
				 k, v);
			return -EINVAL;
		}
	}
	return 0;
}

/* What a user can do about an EAL start-up failure, from what it was
 * given: most often no hugepages reserved. */
static bool has_arg(int argc, char **argv, const char *a)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], a) == 0) {
			return true;
		}
	}
	return false;
}

static unsigned long hugepages_total(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	unsigned long n = 0;

	if (f == NULL) {
		return 0;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "HugePages_Total: %lu", &n) == 1) {
			break;
		}
	}
	fclose(f);
	return n;
}

static const char *eal_hint(int argc, char **argv, int err)
{
	if (err == EALREADY) {
		return "";
	}
	if (!has_arg(argc, argv, "--no-huge") && hugepages_total() == 0) {
		return " - no hugepages are reserved: add --no-huge -m 128 to "
		       "the EAL arguments (before --), or reserve some: echo "
		       "512 > /sys/kernel/mm/hugepages/hugepages-2048kB/"
		       "nr_hugepages";
	}
	if (err == EACCES || err == EPERM) {
		return " - the EAL needs root (or CAP_SYS_ADMIN, CAP_NET_RAW "
		       "and access to /dev/hugepages and /var/run/dpdk)";
	}
	return "";
}

/* ---- DPDK telemetry: fhswitch's commands next to ethdev's ---------------------- */

/*
 * Telemetry callbacks get no context: the one open backend of the
 * process (the EAL is one per process) is found through tel_hd.  Dict
 * keys must be [A-Za-z0-9_/], which port and flow names are not, so the
 * tables come as columns: "name": [...], "rx_packets": [...], ...
 */
static pthread_mutex_t tel_mu = PTHREAD_MUTEX_INITIALIZER;
static struct hal_dpdk *tel_hd;

static int dpdk_port_stats(struct hal *h, unsigned port,
			   struct hal_port_stats *out);
static int dpdk_residence(struct hal *h, struct hal_residence *out);
static int dpdk_eaxc_stats(struct hal *h, struct hal_eaxc_stats **out,
			   size_t *n, uint64_t *untracked);

#define TEL_ONE(name, NAME) +1
enum { TEL_N_FLOW_CTR = 0 FH_FLOW_COUNTERS(TEL_ONE) };
#undef TEL_ONE

/* A u64 array column of n values (NULL when out of memory). */
static struct rte_tel_data *tel_u64s(const uint64_t *v, unsigned n)
{
	struct rte_tel_data *a = rte_tel_data_alloc();

	if (a == NULL) {
		return NULL;
	}
	rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
	for (unsigned i = 0; i < n; i++) {
		rte_tel_data_add_array_u64(a, v[i]);
	}
	return a;
}

static int tel_column(struct rte_tel_data *d, const char *name,
		      const uint64_t *v, unsigned n)
{
	struct rte_tel_data *a = tel_u64s(v, n);

	return a == NULL ? -ENOMEM :
			   rte_tel_data_add_dict_container(d, name, a, 0);
}

static int tel_names(struct rte_tel_data *d, char (*names)[HAL_NAME_LEN],
		     const unsigned *idx, unsigned n)
{
	struct rte_tel_data *a = rte_tel_data_alloc();

	if (a == NULL) {
		return -ENOMEM;
	}
	rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
	for (unsigned i = 0; i < n; i++) {
		rte_tel_data_add_array_string(a, names[idx ? idx[i] : i]);
	}
	return rte_tel_data_add_dict_container(d, "name", a, 0);
}

/* A per-port table: fill(port, row) gives each port's n_cols values. */
static int
tel_port_table(struct rte_tel_data *d, const char *const *cols, unsigned n_cols,
	       void (*fill)(struct hal_dpdk *hd, unsigned p, uint64_t *row))
{
	uint64_t col[8][HAL_MAX_PORTS], row[8];
	unsigned n;

	pthread_mutex_lock(&tel_mu);
	if (tel_hd == NULL) {
		pthread_mutex_unlock(&tel_mu);
		return -ENODEV;
	}
	pthread_mutex_lock(&tel_hd->tel_lock);
	n = tel_hd->n_ports;
	for (unsigned p = 0; p < n; p++) {
		fill(tel_hd, p, row);
		for (unsigned k = 0; k < n_cols; k++) {
			col[k][p] = row[k];
		}
	}
	rte_tel_data_start_dict(d);
	tel_names(d, tel_hd->port_name, NULL, n);
	for (unsigned k = 0; k < n_cols; k++) {
		tel_column(d, cols[k], col[k], n);
	}
	pthread_mutex_unlock(&tel_hd->tel_lock);
	pthread_mutex_unlock(&tel_mu);
	return 0;
}

static void port_row(struct hal_dpdk *hd, unsigned p, uint64_t *row)
{
	struct hal_port_stats s = {0};

	dpdk_port_stats(&hd->base, p, &s);
	row[0] = s.rx_packets;
	row[1] = s.tx_packets;
	row[2] = s.rx_bytes;
	row[3] = s.tx_bytes;
	row[4] = s.drops;
	row[5] = s.drops_unknown; /* 1: drops is a lower bound */
}

static int tel_ports(const char *cmd, const char *params,
		     struct rte_tel_data *d)
{
	static const char *const cols[] = {"rx_packets", "tx_packets",
					   "rx_bytes",	 "tx_bytes",
					   "drops",	 "drops_unknown"};

	(void)cmd;
	(void)params;
	return tel_port_table(d, cols, 6, port_row);
}

/* /fhswitch/flows[,FIRST]: up to 256 running flows from FIRST (their
 * order of counter slots); "next" is where the following page starts,
 * absent on the last. */
#define TEL_FLOWS_PAGE 256

static int tel_flows(const char *cmd, const char *params,
		     struct rte_tel_data *d)
{
	/* (callbacks run on the clients' threads, concurrently) */
	uint64_t(*col)[TEL_FLOWS_PAGE];
	char(*names)[HAL_NAME_LEN];
	unsigned first = 0, n = 0, seen = 0, k;
	bool more = false;

	(void)cmd;
	if (params != NULL && params[0] != '\0') {
		char *end;
		unsigned long v = strtoul(params, &end, 10);

		if (*end != '\0' || v > FH_DP_MAX_FLOWS) {
			return -EINVAL;
		}
		first = (unsigned)v;
	}
	col = calloc(TEL_N_FLOW_CTR, sizeof(*col));
	names = calloc(TEL_FLOWS_PAGE, sizeof(*names));
	if (col == NULL || names == NULL) {
		free(col);
		free(names);
		return -ENOMEM;
	}
	pthread_mutex_lock(&tel_mu);
	if (tel_hd == NULL) {
		pthread_mutex_unlock(&tel_mu);
		free(col);
		free(names);
		return -ENODEV;
	}
	pthread_mutex_lock(&tel_hd->tel_lock);
	for (unsigned s = 0; s < FH_DP_MAX_FLOWS; s++) {
		struct fh_dp_flow_sum f;

		if (!tel_hd->dp->slot_used[s]) {
			continue;
		}
		if (seen++ < first) {
			continue;
		}
		if (n == TEL_FLOWS_PAGE) {
			more = true;
			break;
		}
		fh_dp_flow_sum(tel_hd->dp, s, &f);
		snprintf(names[n], sizeof(names[n]), "%s",
			 tel_hd->dp->slot_name[s]);
		k = 0;
#define TEL_FLOW_COL(name, NAME) col[k++][n] = f.name;
		FH_FLOW_COUNTERS(TEL_FLOW_COL)
#undef TEL_FLOW_COL
		n++;
	}
	pthread_mutex_unlock(&tel_hd->tel_lock);
	pthread_mutex_unlock(&tel_mu);
	rte_tel_data_start_dict(d);
	tel_names(d, names, NULL, n);
	k = 0;
#define TEL_FLOW_ADD(name, NAME) tel_column(d, #name, col[k++], n);
	FH_FLOW_COUNTERS(TEL_FLOW_ADD)
#undef TEL_FLOW_ADD
	if (more) {
		rte_tel_data_add_dict_u64(d, "next", first + n);
	}
	free(col);
	free(names);
	return 0;
}

/* /fhswitch/eaxc[,FIRST]: up to 64 eAxC streams from FIRST (by port,
 * eAxC, plane, direction), "next" where the following page starts;
 * windowed 0: no flow's window judged the stream (on time ... n/a). */
#define TEL_EAXC_PAGE 64

static int tel_strings(struct rte_tel_data *d, const char *name,
		       const char *const *v, unsigned n)
{
	struct rte_tel_data *a = rte_tel_data_alloc();

	if (a == NULL) {
		return -ENOMEM;
	}
	rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
	for (unsigned i = 0; i < n; i++) {
		rte_tel_data_add_array_string(a, v[i]);
	}
	return rte_tel_data_add_dict_container(d, name, a, 0);
}

static int tel_eaxc(const char *cmd, const char *params, struct rte_tel_data *d)
{
#define TEL_EAXC_NAME(name) #name,
	static const char *const cols[] = {
		"eaxc_id", FH_EAXC_COUNTERS(TEL_EAXC_NAME) "windowed"};
#undef TEL_EAXC_NAME
	enum { N_COLS = sizeof(cols) / sizeof(cols[0]) };
	uint64_t col[N_COLS][TEL_EAXC_PAGE];
	const char *port[TEL_EAXC_PAGE], *plane[TEL_EAXC_PAGE],
		*dir[TEL_EAXC_PAGE];
	struct hal_eaxc_stats *es = NULL;
	size_t n_all = 0, first = 0;
	unsigned n = 0;
	int ret;

	(void)cmd;
	if (params != NULL && params[0] != '\0') {
		char *end;
		unsigned long v = strtoul(params, &end, 10);

		if (*end != '\0') {
			return -EINVAL;
		}
		first = v;
	}
	pthread_mutex_lock(&tel_mu);
	if (tel_hd == NULL) {
		pthread_mutex_unlock(&tel_mu);
		return -ENODEV;
	}
	pthread_mutex_lock(&tel_hd->tel_lock);
	ret = dpdk_eaxc_stats(&tel_hd->base, &es, &n_all, NULL);
	for (size_t i = first; ret == 0 && i < n_all && n < TEL_EAXC_PAGE;
	     i++, n++) {
		const struct hal_eaxc_stats *e = &es[i];
		unsigned k = 0;

		port[n] = e->port < tel_hd->n_ports ?
				  tel_hd->port_name[e->port] :
				  "";
		plane[n] = hal_plane_str(e->plane);
		dir[n] = hal_direction_str(e->direction);
		col[k++][n] = e->eaxc_id;
#define TEL_EAXC_COL(name) col[k++][n] = e->name;
		FH_EAXC_COUNTERS(TEL_EAXC_COL)
#undef TEL_EAXC_COL
		col[k][n] = e->windowed;
	}
	if (ret == 0) {
		rte_tel_data_start_dict(d);
		tel_strings(d, "port", port, n);
		tel_strings(d, "plane", plane, n);
		tel_strings(d, "direction", dir, n);
		for (unsigned k = 0; k < N_COLS; k++) {
			tel_column(d, cols[k], col[k], n);
		}
		if (first + n < n_all) {
			rte_tel_data_add_dict_u64(d, "next", first + n);
		}
	}
	pthread_mutex_unlock(&tel_hd->tel_lock);
	pthread_mutex_unlock(&tel_mu);
	free(es);
	return ret;
}

static void ptp_row(struct hal_dpdk *hd, unsigned p, uint64_t *row)
{
	struct fh_dp_ptp_sum s;

	unsigned k = 0;

	fh_dp_ptp_sum(hd->dp, p, &s);
#define TEL_PTP_ROW(name) row[k++] = s.name;
	FH_PTP_COUNTERS(TEL_PTP_ROW)
#undef TEL_PTP_ROW
}

static int tel_ptp(const char *cmd, const char *params, struct rte_tel_data *d)
{
#define TEL_PTP_COL(name) #name,
	static const char *const cols[] = {FH_PTP_COUNTERS(TEL_PTP_COL)};
#undef TEL_PTP_COL

	(void)cmd;
	(void)params;
	return tel_port_table(d, cols, RTE_DIM(cols), ptp_row);
}

/* The residence histogram: bursts, their total, percentiles (upper
 * edges of log2 buckets) and the non-empty buckets. */
static int tel_residence(const char *cmd, const char *params,
			 struct rte_tel_data *d)
{
	struct hal_residence r = {0};
	uint64_t le[64], cnt[64], total = 0, acc = 0;
	const double q[] = {0.5, 0.99, 0.999};
	const char *qn[] = {"p50_ns", "p99_ns", "p999_ns"};
	unsigned nb = 0, qi = 0;
	int ret;

	(void)cmd;
	(void)params;
	pthread_mutex_lock(&tel_mu);
	ret = tel_hd == NULL ? -ENODEV : dpdk_residence(&tel_hd->base, &r);
	pthread_mutex_unlock(&tel_mu);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(
		d, "measured", ret == 0 ? "yes" : "no (fhswd --residence)");
	if (ret < 0 || r.hz == 0) {
		return 0;
	}
	for (int b = 0; b < 64; b++) {
		total += r.counts[b];
	}
	rte_tel_data_add_dict_u64(d, "bursts", total);
	rte_tel_data_add_dict_u64(
		d, "sum_ns",
		(uint64_t)((double)r.sum_ticks * 1e9 / (double)r.hz));
	for (int b = 0; b < 64; b++) {
		uint64_t edge =
			(uint64_t)((double)(2ull << b) * 1e9 / (double)r.hz);

		acc += r.counts[b];
		while (qi < 3 && total != 0 &&
		       (double)acc >= q[qi] * (double)total) {
			rte_tel_data_add_dict_u64(d, qn[qi++], edge);
		}
		if (r.counts[b] != 0) {
			le[nb] = edge;
			cnt[nb++] = r.counts[b];
		}
	}
	tel_column(d, "bucket_le_ns", le, nb);
	tel_column(d, "bucket_count", cnt, nb);
	return 0;
}

static void telemetry_register(struct hal_dpdk *hd)
{
	static bool registered;

	pthread_mutex_lock(&tel_mu);
	tel_hd = hd;
	pthread_mutex_unlock(&tel_mu);
	if (registered) {
		return;
	}
	registered = true;
	/* (the library refuses a help text of RTE_TEL_MAX_STRING_LEN or
	 * more: checked at compile time) */
#define TEL_REG(cmd, fn, help)                                         \
	do {                                                           \
		_Static_assert(sizeof(help) <= RTE_TEL_MAX_STRING_LEN, \
			       cmd ": telemetry help text too long");  \
		rte_telemetry_register_cmd(cmd, fn, help);             \
	} while (0)
	TEL_REG("/fhswitch/ports", tel_ports,
		"fhswitch ports (columns): name, rx/tx packets and bytes, "
		"drops");
	TEL_REG("/fhswitch/flows", tel_flows,
		"fhswitch flows (columns): name and O-RAN counters. "
		"Parameters: first flow (pages of 256; \"next\" if more)");
	TEL_REG("/fhswitch/eaxc", tel_eaxc,
		"fhswitch eAxC streams (columns). Parameters: first stream "
		"(pages of 64; \"next\" if more)");
	TEL_REG("/fhswitch/ptp", tel_ptp,
		"fhswitch PTP per port (columns): corrections and residence");
	TEL_REG("/fhswitch/residence", tel_residence,
		"fhswitch rx-to-tx residence time");
#undef TEL_REG
}

static int dpdk_open(const struct hal_params *p, struct hal **out, char *msg,
		     size_t msglen)
{
	char prog[] = "fhswd";
	char *def_argv[] = {prog, NULL};
	struct fh_dp_params dpp = {0};
	struct hal_dpdk *hd;
	unsigned lcore;
	int ret;

	ret = open_options(&p->options, &dpp, msg, msglen);
	if (ret < 0) {
		return ret;
	}
	/* the EAL consumes (and may permute) its arguments */
	ret = p->argc > 0 ? rte_eal_init(p->argc, p->argv) :
			    rte_eal_init(1, def_argv);
	if (ret < 0) {
		int e = rte_errno;

		snprintf(msg, msglen, "EAL: %s%s", rte_strerror(e),
			 eal_hint(p->argc, p->argv, e));
		return e == EALREADY ? -EBUSY : -EINVAL;
	}
	/* ret counts the arguments parsed, the program name not included */
	if (p->argc > 0 && ret != p->argc - 1) {
		snprintf(msg, msglen, "EAL: \"%s\" is not an EAL argument",
			 p->argv[ret + 1]);
		ret = -EINVAL;
		goto fail_eal;
	}
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		snprintf(msg, msglen,
			 "EAL: a secondary process cannot "
			 "forward");
		ret = -EOPNOTSUPP;
		goto fail_eal;
	}
	RTE_LCORE_FOREACH(lcore)
	{
		if (dpp.n_lcores == FH_DP_MAX_LCORES) {
			snprintf(msg, msglen, "EAL: more than %d lcores (-l)",
				 FH_DP_MAX_LCORES);
			ret = -EINVAL;
			goto fail_eal;
		}
		dpp.lcore_ids[dpp.n_lcores++] = lcore;
	}
	hd = calloc(1, sizeof(*hd));
	if (hd == NULL) {
		ret = -ENOMEM;
		goto fail_eal;
	}
	ret = fh_dp_create(&dpp, &hd->dp);
	if (ret < 0) {
		snprintf(msg, msglen, "data path: %s", strerror(-ret));
		free(hd);
		goto fail_eal;
	}
	pthread_mutex_init(&hd->tel_lock, NULL);
	telemetry_register(hd);
	/* live capture of any port by dpdk-dumpcap / dpdk-pdump (secondary
	 * processes: they need shared memory, i.e. hugepages, not
	 * --no-huge or --in-memory, where this fails and is only noted) */
	if (rte_pdump_init() == 0) {
		hd->pdump = true;
	} else {
		RTE_LOG(INFO, USER1,
			"fhswd: no dpdk-dumpcap capture (pdump: %s)\n",
			rte_strerror(rte_errno));
	}
	*out = &hd->base;
	return 0;
fail_eal:
	rte_eal_cleanup();
	return ret;
}

static void dpdk_close(struct hal *h)
{
	struct hal_dpdk *hd;

	if (h == NULL) {
		return;
	}
	hd = to_dpdk(h);
	pthread_mutex_lock(&tel_mu);
	tel_hd = NULL;
	pthread_mutex_unlock(&tel_mu);
	for (unsigned p = 0; p < hd->n_ports && hd->ports_up; p++) {
		rte_eth_dev_stop(hd->eth_port[p]);
		rte_eth_dev_close(hd->eth_port[p]);
	}
	if (hd->pdump) {
		rte_pdump_uninit();
	}
	fh_dp_destroy(hd->dp);
	free(hd);
	rte_eal_cleanup();
}

/*
 * Keep each eAxC's eCPRI on one rx queue, so on one lcore (SeqId checks
 * and combine groups need that), spread over the port's nrx queues by the
 * low bits of the eAxC (PC_ID of U-plane, RTC_ID of C-plane), tagged or
 * not: rte_flow rules with the eCPRI item, where the device has them
 * (mlx5 on ConnectX-6 Dx and later, ice/iavf with the comms DDP package).
 * Elsewhere nothing is steered: the device's default (queue 0, no RSS)
 * keeps a port's eAxCs on one lcore.  Returns the queues steered to, 0
 * for none (msg says why).
 */
static unsigned ecpri_steer(uint16_t pid, uint16_t nrx, char *msg,
			    size_t msglen)
{
	unsigned k = 1, n = 0;
	struct rte_flow_error err;

	while (k * 2 <= nrx) {
		k *= 2;
	}
	if (k < 2) {
		snprintf(msg, msglen, "one rx queue");
		return 0;
	}
	for (unsigned tagged = 0; tagged < 2; tagged++) {
		for (unsigned t = 0; t < 2; t++) {
			for (unsigned q = 0; q < k; q++) {
				struct rte_flow_attr attr = {.ingress = 1};
				struct rte_flow_item_eth eth = {0}, eth_m = {0};
				struct rte_flow_item_vlan vl = {0}, vl_m = {0};
				struct rte_flow_item_ecpri ec = {0}, ec_m = {0};
				struct rte_flow_action_queue aq = {
					.index = (uint16_t)q};
				struct rte_flow_item items[4];
				struct rte_flow_action act[2] = {
					{.type = RTE_FLOW_ACTION_TYPE_QUEUE,
					 .conf = &aq},
					{.type = RTE_FLOW_ACTION_TYPE_END}};
				unsigned i = 0;
				uint8_t type =
					t == 0 ? RTE_ECPRI_MSG_TYPE_IQ_DATA :
						 RTE_ECPRI_MSG_TYPE_RTC_CTRL;

				if (tagged) {
					vl.inner_type = RTE_BE16(0xAEFE);
					vl_m.inner_type = RTE_BE16(0xffff);
				} else {
					eth.type = RTE_BE16(0xAEFE);
					eth_m.type = RTE_BE16(0xffff);
				}
				items[i++] = (struct rte_flow_item){
					.type = RTE_FLOW_ITEM_TYPE_ETH,
					.spec = &eth,
					.mask = &eth_m};
				if (tagged) {
					items[i++] = (struct rte_flow_item){
						.type = RTE_FLOW_ITEM_TYPE_VLAN,
						.spec = &vl,
						.mask = &vl_m};
				}
				ec.hdr.common.u32 =
					rte_cpu_to_be_32((uint32_t)type << 16);
				ec_m.hdr.common.u32 =
					rte_cpu_to_be_32(0xff0000);
				/* PC_ID and RTC_ID share the first 16 bits */
				ec.hdr.type0.pc_id =
					rte_cpu_to_be_16((uint16_t)q);
				ec_m.hdr.type0.pc_id =
					rte_cpu_to_be_16((uint16_t)(k - 1));
				items[i++] = (struct rte_flow_item){
					.type = RTE_FLOW_ITEM_TYPE_ECPRI,
					.spec = &ec,
					.mask = &ec_m};
				items[i] = (struct rte_flow_item){
					.type = RTE_FLOW_ITEM_TYPE_END};
				memset(&err, 0, sizeof(err));
				if (rte_flow_create(pid, &attr, items, act,
						    &err) == NULL) {
					snprintf(msg, msglen,
						 "rte_flow with the eCPRI "
						 "item: %s",
						 err.message ?
							 err.message :
							 rte_strerror(
								 rte_errno));
					rte_flow_flush(pid, &err);
					return 0;
				}
				n++;
			}
		}
	}
	snprintf(msg, msglen, "%u rte_flow rules", n);
	return k;
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
		hd->drops_unknown[p] =
			strcmp(info.driver_name, "net_af_packet") == 0;
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
			if (ret == -ENOTSUP || ret == -EOPNOTSUPP) {
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
		if (nrx > 1) {
			char why[160];
			unsigned k = ecpri_steer(pid, nrx, why, sizeof(why));

			if (k > 0) {
				RTE_LOG(NOTICE, USER1,
					"fhswd: ports[%u] (\"%s\"): eCPRI "
					"steered by eAxC over %u rx queues "
					"(%s)\n",
					p, pc->device, k, why);
			} else {
				RTE_LOG(NOTICE, USER1,
					"fhswd: ports[%u] (\"%s\"): eCPRI not "
					"steered by eAxC (%s): the device's "
					"default queue takes it, one lcore "
					"per port\n",
					p, pc->device, why);
			}
		}
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

static struct fh_dp_conf *conf_build(struct hal_dpdk *hd,
				     const struct hal_config *cfg, char *msg,
				     size_t msglen, int *err)
{
	struct fh_dp *dp = hd->dp;
	struct fh_dp_conf *c = fh_dp_conf_new(cfg->n_flows);
	struct fh_err ferr = {0};
	size_t tie = 0;
	unsigned l = 0;
	int ret;

	if (c == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	c->layout = cfg->layout;
	c->timing = cfg->timing;
	fh_dp_conf_timing(c);
	c->learning = cfg->learning;
	c->aging_s = cfg->aging_s;
	c->ptp_mode = cfg->ptp_mode == HAL_PTP_TRANSPARENT ?
			      FH_PTP_MODE_TRANSPARENT :
			      FH_PTP_MODE_BRIDGE;
	memcpy(c->ptp_domains, cfg->ptp_domains, sizeof(c->ptp_domains));
	c->n_ports = cfg->n_ports;
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		const struct hal_port_cfg *pc = &cfg->ports[p];
		struct fh_dp_port *dpp = &c->ports[p];
		struct rte_eth_dev_info info;
		uint16_t nrx;

		dpp->eth_port = hd->eth_port[p];
		dpp->native_vlan = pc->native_vlan;
		dpp->vlan_filter = pc->n_allowed_vlans != 0;
		dpp->mtu = pc->mtu ? pc->mtu : RTE_ETHER_MTU;
		dpp->layout = pc->has_layout ? pc->layout : cfg->layout;
		dpp->has_comp = pc->has_comp;
		dpp->ucfg.comp = pc->comp;
		dpp->ucfg.dyn_comp_hdr = pc->comp_dynamic;
		for (unsigned v = 0; v < pc->n_allowed_vlans; v++) {
			dpp->vlan_allowed[pc->allowed_vlans[v] >> 3] |=
				(uint8_t)(1u << (pc->allowed_vlans[v] & 7));
		}
		if (pc->native_vlan != 0) {
			dpp->vlan_allowed[pc->native_vlan >> 3] |=
				(uint8_t)(1u << (pc->native_vlan & 7));
		}
		c->port_index[hd->eth_port[p]] = (uint8_t)p;
		/* spread (port, queue) pairs over the lcores */
		rte_eth_dev_info_get(hd->eth_port[p], &info);
		dpp->rx_ts_us = strcmp(info.driver_name, "net_pcap") == 0;
		nrx = (uint16_t)RTE_MIN(dp->n_lcores, info.nb_rx_queues);
		for (uint16_t q = 0; q < nrx; q++) {
			struct fh_dp_rxq_set *rs = &c->rxq[l];

			rs->q[rs->n].eth_port = hd->eth_port[p];
			rs->q[rs->n].queue = q;
			rs->n++;
			l = (l + 1) % dp->n_lcores;
		}
	}
	fh_dp_conf_dialects(c);
	for (unsigned g = 0; g < cfg->n_groups; g++) {
		const struct hal_combine_group *hg = &cfg->groups[g];

		ret = fh_dp_conf_add_group(dp, c, hg->name, hg->in_ports,
					   hg->n_in, hg->out_port, hg->eaxc_id,
					   hg->eaxc_mask, hg->deadline_us);
		if (ret < 0) {
			snprintf(msg, msglen, "combine_groups[%u]: %s", g,
				 strerror(-ret));
			fh_dp_conf_free(c);
			*err = ret;
			return NULL;
		}
	}
	ret = fh_dp_conf_set_flows(dp, c, cfg->flows, cfg->n_flows, &ferr,
				   &tie);
	if (ret == -EINVAL) {
		snprintf(msg, msglen,
			 "flows[%zu]: overlaps flows[%zu] with the same "
			 "specificity",
			 ferr.offset, tie);
	} else if (ret < 0) {
		snprintf(msg, msglen, "flows[%zu]: %s", ferr.offset,
			 ferr.reason ? ferr.reason : strerror(-ret));
	}
	for (unsigned i = 0; ret == 0 && i < cfg->n_fdb; i++) {
		const struct hal_fdb_entry *e = &cfg->fdb[i];

		ret = fh_dp_conf_add_fdb(c, e->mac, e->vlan, e->port);
		if (ret < 0) {
			snprintf(msg, msglen,
				 "l2.static_fdb[%u]: no room for "
				 "%02x:%02x:%02x:%02x:%02x:%02x on VLAN %u "
				 "(its hash bucket is full)",
				 i, e->mac[0], e->mac[1], e->mac[2], e->mac[3],
				 e->mac[4], e->mac[5], e->vlan);
		}
	}
	if (ret < 0) {
		fh_dp_conf_free(c);
		*err = ret;
		return NULL;
	}
	*err = 0;
	return c;
}

static int dpdk_apply(struct hal *h, const struct hal_config *cfg, char *msg,
		      size_t msglen)
{
	struct hal_dpdk *hd = to_dpdk(h);
	struct fh_dp_conf *c;
	int ret;

	if (hd->ports_up) {
		bool same = cfg->n_ports == hd->n_ports;

		for (unsigned p = 0; same && p < cfg->n_ports; p++) {
			same = strcmp(cfg->ports[p].device, hd->devices[p]) ==
			       0;
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
	/* the flows, their counter slots and the static FDB go live
	 * together; the old conf is freed after the grace period */
	pthread_mutex_lock(&hd->tel_lock);
	fh_dp_publish(hd->dp, c);
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		snprintf(hd->port_name[p], sizeof(hd->port_name[p]), "%s",
			 cfg->ports[p].name);
	}
	pthread_mutex_unlock(&hd->tel_lock);
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
	const struct timespec period = {0, 100 * 1000 * 1000};

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

static int dpdk_thread_create(struct hal *h, pthread_t *t, const char *name,
			      void *(*fn)(void *), void *arg)
{
	(void)h;
	/* on the EAL's control cpuset: never a forwarding lcore */
	return -rte_ctrl_thread_create(t, name, NULL, fn, arg);
}

static void dpdk_stop(struct hal *h)
{
	atomic_store(&to_dpdk(h)->dp->stop, true);
}

static int dpdk_port_stats(struct hal *h, unsigned port,
			   struct hal_port_stats *out)
{
	struct hal_dpdk *hd = to_dpdk(h);
	struct fh_dp_port_sum c;
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
	out->drops_unknown = hd->drops_unknown[port];
	return 0;
}

static int dpdk_flow_stats(struct hal *h, const char *name,
			   struct hal_flow_stats *out)
{
	struct hal_dpdk *hd = to_dpdk(h);
	struct fh_dp_flow_sum c;
	int s = fh_dp_flow_slot(hd->dp, name);

	if (s < 0) {
		return s;
	}
	fh_dp_flow_sum(hd->dp, (unsigned)s, &c);
#define DPDK_CTR(name, NAME) out->name = c.name;
	FH_FLOW_COUNTERS(DPDK_CTR)
#undef DPDK_CTR
	/* a flow without a window checks no timing: its window counters
	 * are not 0, they do not exist (the running conf is stable here:
	 * publishing takes the same HAL lock) */
	{
		const struct fh_dp_conf *conf = atomic_load_explicit(
			&hd->dp->conf, memory_order_acquire);

		for (size_t i = 0; conf != NULL && i < conf->n_flows; i++) {
			if (strcmp(conf->flows[i].name, name) == 0 &&
			    !conf->flows[i].window.enabled) {
				out->unsupported |= HAL_CTR_WINDOW;
			}
		}
	}
	return 0;
}

/* One entry of the software flow table, run by the forwarding lcores. */
static int dpdk_flow_status(struct hal *h, const char *name,
			    struct hal_flow_status *out)
{
	int s = fh_dp_flow_slot(to_dpdk(h)->dp, name);

	if (s < 0) {
		return s;
	}
	out->rules = 1;
	out->rules_in_hw = 0;
	snprintf(out->detail, sizeof(out->detail),
		 "software: DPDK data path on %u lcore(s)",
		 to_dpdk(h)->dp->n_lcores);
	return 0;
}

static int dpdk_l2_stats(struct hal *h, struct hal_l2_stats *out)
{
	struct fh_dp_l2_sum c;

	fh_dp_l2_sum(to_dpdk(h)->dp, &c);
	out->forwarded = c.forwarded;
	out->flooded = c.flooded;
	return 0;
}

_Static_assert(HAL_PTP_TYPES == FH_PTP_N_TYPES, "PTP message types");

static int dpdk_ptp_stats(struct hal *h, unsigned port,
			  struct hal_ptp_stats *out)
{
	struct fh_dp_ptp_sum c;

	fh_dp_ptp_sum(to_dpdk(h)->dp, port, &c);
	memcpy(out->rx_type, c.rx_type, sizeof(out->rx_type));
#define DPDK_PTP(name) out->name = c.name;
	FH_PTP_COUNTERS(DPDK_PTP)
#undef DPDK_PTP
	return 0;
}

static int dpdk_combine_stats(struct hal *h, const char *name,
			      struct hal_combine_stats *out)
{
	struct fh_dp *dp = to_dpdk(h)->dp;
	struct fh_dp_comb_sum c;
	int slot = fh_dp_comb_slot(dp, name);

	if (slot < 0) {
		return slot;
	}
	fh_dp_comb_sum(dp, (unsigned)slot, &c);
#define DPDK_COMB(name) out->name = c.name;
	FH_COMB_COUNTERS(DPDK_COMB)
#undef DPDK_COMB
	memcpy(out->missing, c.missing, sizeof(out->missing));
	return 0;
}

static int dpdk_eaxc_stats(struct hal *h, struct hal_eaxc_stats **out,
			   size_t *n, uint64_t *untracked)
{
	struct fh_dp *dp = to_dpdk(h)->dp;
	struct fh_dp_eaxc_sum *sum = NULL;
	size_t got, want = fh_dp_eaxc_sum(dp, NULL, 0, NULL);

	/* the streams may grow between the two reads: read again into room
	 * for what the first saw plus some */
	want += 64;
	sum = calloc(want, sizeof(*sum));
	if (sum == NULL) {
		return -ENOMEM;
	}
	got = fh_dp_eaxc_sum(dp, sum, want, untracked);
	got = got < want ? got : want;
	*out = calloc(got ? got : 1, sizeof(**out));
	if (*out == NULL) {
		free(sum);
		return -ENOMEM;
	}
	for (size_t i = 0; i < got; i++) {
		struct hal_eaxc_stats *o = &(*out)[i];

		o->port = sum[i].port;
		o->eaxc_id = sum[i].eaxc_id;
		o->plane = sum[i].plane;
		o->direction = sum[i].direction;
		o->windowed = sum[i].windowed;
#define DPDK_EAXC(name) o->name = sum[i].name;
		FH_EAXC_COUNTERS(DPDK_EAXC)
#undef DPDK_EAXC
	}
	*n = got;
	free(sum);
	return 0;
}

static int dpdk_idle_ns(struct hal *h, uint64_t *ns)
{
	struct fh_dp *dp = to_dpdk(h)->dp;
	uint64_t last = 0, idle = UINT64_MAX;

	/* idle: the least any lcore has polled empty queues since its last
	 * packet (time it was descheduled hardly counts: fh_dp_lcore) */
	for (unsigned i = 0; i < dp->n_lcores; i++) {
		const struct fh_dp_lcore *lc = dp->lcores[i];
		uint64_t t = atomic_load_explicit(&lc->last_rx_tsc,
						  memory_order_relaxed);
		uint64_t it = atomic_load_explicit(&lc->idle_tsc,
						   memory_order_relaxed);

		last = t > last ? t : last;
		idle = it < idle ? it : idle;
	}
	if (last == 0) {
		*ns = UINT64_MAX;
		return 0;
	}
	*ns = (uint64_t)((unsigned __int128)idle * FH_NS_PER_S /
			 rte_get_tsc_hz());
	return 0;
}

static int dpdk_inject(struct hal *h, unsigned port, const char *path,
		       unsigned count, unsigned *n_sent)
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
			*n_sent = sent;
			return -ENOENT;
		}
		while (sent < count && pcap_next_ex(pc, &ph, &data) == 1) {
			struct rte_mbuf *m = NULL;
			uint32_t off = 0;

			if (ph->caplen > FH_DP_MAX_FRAME) {
				ret = -EMSGSIZE;
				break;
			}
			/* a frame beyond one mbuf's room goes in a chain,
			 * as a NIC receives jumbo frames */
			while (off < ph->caplen || m == NULL) {
				struct rte_mbuf *seg =
					rte_pktmbuf_alloc(dp->pool);
				uint32_t room, take;
				char *d;

				if (seg == NULL) {
					ret = -ENOMEM;
					break;
				}
				room = rte_pktmbuf_tailroom(seg);
				take = ph->caplen - off < room ?
					       ph->caplen - off :
					       room;
				d = rte_pktmbuf_append(seg, (uint16_t)take);
				memcpy(d, data + off, take);
				off += take;
				if (m == NULL) {
					m = seg;
				} else if (rte_pktmbuf_chain(m, seg) < 0) {
					rte_pktmbuf_free(seg);
					ret = -EMSGSIZE;
					break;
				}
			}
			if (ret < 0) {
				rte_pktmbuf_free(m);
				break;
			}
			/* before run: queue 0 is not yet polled by anyone */
			if (rte_eth_tx_burst(hd->eth_port[port], 0, &m, 1) !=
			    1) {
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
	*n_sent = sent;
	return ret;
}

static int dpdk_residence(struct hal *h, struct hal_residence *out)
{
	struct fh_dp *dp = to_dpdk(h)->dp;

	for (unsigned i = 0; i < dp->n_lcores; i++) {
		for (int b = 0; b < 64; b++) {
			out->counts[b] += fh_ctr_read(&dp->lcores[i]->hist[b]);
		}
		out->sum_ticks += fh_ctr_read(&dp->lcores[i]->hist_sum);
	}
	out->hz = rte_get_tsc_hz();
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
	.ptp_stats = dpdk_ptp_stats,
	.combine_stats = dpdk_combine_stats,
	.eaxc_stats = dpdk_eaxc_stats,
	.idle_ns = dpdk_idle_ns,
	.inject = dpdk_inject,
	.residence = dpdk_residence,
	.thread_create = dpdk_thread_create,
};
