/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus /metrics for fhswd (libmicrohttpd). */
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "fh/ptp.h"
#include "metrics.h"

struct fh_metrics {
	struct MHD_Daemon *mhd;
	struct hal *hal;
	struct mgmt_store *store;
	char version[64];
	char backend[HAL_TYPE_LEN];
};

/* ---- text ----------------------------------------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

__attribute__((format(printf, 2, 3))) static void put(struct buf *b,
						      const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom) {
		return;
	}
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = (b->cap + (size_t)n + 1) * 2;
		char *np = realloc(b->p, cap);

		if (np == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
}

/* A label value: \, " and newline escaped (text format 0.0.4). */
static const char *esc(const char *s, char *out, size_t n)
{
	size_t k = 0;

	for (; *s != '\0' && k + 3 < n; s++) {
		if (*s == '\\' || *s == '"') {
			out[k++] = '\\';
			out[k++] = *s;
		} else if (*s == '\n') {
			out[k++] = '\\';
			out[k++] = 'n';
		} else {
			out[k++] = *s;
		}
	}
	out[k] = '\0';
	return out;
}

static void head(struct buf *b, const char *name, const char *type,
		 const char *help)
{
	put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The flow counters under Prometheus names (base unit: messages). */
static const struct {
	uint32_t bit;
	const char *name;
	const char *help;
} flow_metrics[] = {
	{HAL_CTR_RX_TOTAL, "fhswitch_flow_rx_messages_total",
	 "Messages the flow matched (RX_TOTAL)."},
	{HAL_CTR_RX_ON_TIME, "fhswitch_flow_rx_on_time_messages_total",
	 "Messages inside the flow's reception window (RX_ON_TIME)."},
	{HAL_CTR_RX_EARLY, "fhswitch_flow_rx_early_messages_total",
	 "Messages before the flow's reception window (RX_EARLY)."},
	{HAL_CTR_RX_LATE, "fhswitch_flow_rx_late_messages_total",
	 "Messages after the flow's reception window (RX_LATE)."},
	{HAL_CTR_RX_LATE_LOCAL, "fhswitch_flow_rx_late_local_messages_total",
	 "Messages after the window when polled that may have arrived in it "
	 "(they waited in the switch's rx queue)."},
	{HAL_CTR_RX_CORRUPT, "fhswitch_flow_rx_corrupt_messages_total",
	 "Malformed messages the flow matched (RX_CORRUPT)."},
	{HAL_CTR_RX_SEQID_ERR, "fhswitch_flow_rx_seqid_errors_total",
	 "eCPRI sequence gaps seen by the flow (RX_SEQID_ERR)."},
	{HAL_CTR_TX_TOTAL, "fhswitch_flow_tx_messages_total",
	 "Messages the flow sent (TX_TOTAL)."},
	{HAL_CTR_TX_MIRROR, "fhswitch_flow_tx_mirror_messages_total",
	 "Copies the flow sent to its mirror ports."},
};

static void render_ports(struct fh_metrics *m, struct buf *b,
			 const struct hal_config *c)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} pm[] = {
		{"fhswitch_port_rx_packets_total", "Frames received.",
		 offsetof(struct hal_port_stats, rx_packets)},
		{"fhswitch_port_tx_packets_total", "Frames sent.",
		 offsetof(struct hal_port_stats, tx_packets)},
		{"fhswitch_port_rx_bytes_total", "Bytes received.",
		 offsetof(struct hal_port_stats, rx_bytes)},
		{"fhswitch_port_tx_bytes_total", "Bytes sent.",
		 offsetof(struct hal_port_stats, tx_bytes)},
		{"fhswitch_port_drops_total",
		 "Frames received and not forwarded, or not sent.",
		 offsetof(struct hal_port_stats, drops)},
	};
	struct hal_port_stats ps[HAL_MAX_PORTS];
	char l[128];

	for (unsigned p = 0; p < c->n_ports; p++) {
		memset(&ps[p], 0, sizeof(ps[p]));
		hal_port_stats(m->hal, p, &ps[p]);
	}
	for (size_t k = 0; k < sizeof(pm) / sizeof(pm[0]); k++) {
		head(b, pm[k].name, "counter", pm[k].help);
		for (unsigned p = 0; p < c->n_ports; p++) {
			if (ps[p].drops_unknown &&
			    pm[k].off ==
				    offsetof(struct hal_port_stats, drops)) {
				continue; /* unknown: no series */
			}
			put(b, "%s{port=\"%s\"} %" PRIu64 "\n", pm[k].name,
			    esc(c->ports[p].name, l, sizeof(l)),
			    *(const uint64_t *)((const char *)&ps[p] +
						pm[k].off));
		}
	}
}

static void render_flows(struct fh_metrics *m, struct buf *b,
			 const struct hal_config *c)
{
	struct hal_flow_stats *fs =
		calloc(c->n_flows ? c->n_flows : 1, sizeof(*fs));
	char l[128];

	if (fs == NULL) {
		b->oom = true;
		return;
	}
	for (size_t i = 0; i < c->n_flows; i++) {
		hal_flow_stats(m->hal, c->flows[i].name, &fs[i]);
	}
	for (size_t k = 0; k < sizeof(flow_metrics) / sizeof(flow_metrics[0]);
	     k++) {
		head(b, flow_metrics[k].name, "counter", flow_metrics[k].help);
		for (size_t i = 0; i < c->n_flows; i++) {
			if (fs[i].unsupported & flow_metrics[k].bit) {
				continue; /* unknown: no series */
			}
			put(b, "%s{flow=\"%s\"} %" PRIu64 "\n",
			    flow_metrics[k].name,
			    esc(c->flows[i].name, l, sizeof(l)),
			    hal_counter_value(&fs[i], flow_metrics[k].bit));
		}
	}
	free(fs);
}

/* The eAxC streams: one series per (port, eAxC, plane, direction);
 * window counters only for streams a flow's window judged. */
static void render_eaxc(struct fh_metrics *m, struct buf *b,
			const struct hal_config *c)
{
	static const struct {
		const char *name, *help;
		size_t off;
		bool window;
	} em[] = {
		{"fhswitch_eaxc_rx_messages_total",
		 "Messages of the eAxC stream received.",
		 offsetof(struct hal_eaxc_stats, rx_total), false},
		{"fhswitch_eaxc_rx_on_time_messages_total",
		 "Messages inside the matching flow's reception window.",
		 offsetof(struct hal_eaxc_stats, rx_on_time), true},
		{"fhswitch_eaxc_rx_early_messages_total",
		 "Messages before the matching flow's reception window.",
		 offsetof(struct hal_eaxc_stats, rx_early), true},
		{"fhswitch_eaxc_rx_late_messages_total",
		 "Messages after the matching flow's reception window.",
		 offsetof(struct hal_eaxc_stats, rx_late), true},
		{"fhswitch_eaxc_rx_late_local_messages_total",
		 "Messages late when polled that may have arrived in the "
		 "window.",
		 offsetof(struct hal_eaxc_stats, rx_late_local), true},
		{"fhswitch_eaxc_rx_seqid_errors_total",
		 "Messages whose eCPRI SeqId was not the one expected.",
		 offsetof(struct hal_eaxc_stats, rx_seqid_err), false},
		{"fhswitch_eaxc_rx_lost_messages_total",
		 "Messages lost, estimated from forward SeqId gaps.",
		 offsetof(struct hal_eaxc_stats, rx_lost), false},
	};
	struct hal_eaxc_stats *es;
	size_t n;
	char l[128];

	if (hal_eaxc_stats(m->hal, &es, &n, NULL) < 0) {
		return;
	}
	for (size_t k = 0; k < sizeof(em) / sizeof(em[0]); k++) {
		head(b, em[k].name, "counter", em[k].help);
		for (size_t i = 0; i < n; i++) {
			if (em[k].window && !es[i].windowed) {
				continue; /* n/a: no series */
			}
			put(b,
			    "%s{port=\"%s\",eaxc=\"%u\",plane=\"%s\","
			    "direction=\"%s\"} %" PRIu64 "\n",
			    em[k].name,
			    esc(es[i].port < c->n_ports ?
					c->ports[es[i].port].name :
					"",
				l, sizeof(l)),
			    es[i].eaxc_id, hal_plane_str(es[i].plane),
			    hal_direction_str(es[i].direction),
			    *(const uint64_t *)((const char *)&es[i] +
						em[k].off));
		}
	}
	free(es);
}

static void render_ptp(struct fh_metrics *m, struct buf *b,
		       const struct hal_config *c)
{
	struct hal_ptp_stats s[HAL_MAX_PORTS];
	bool have[HAL_MAX_PORTS], any = false;
	char l[128];

	for (unsigned p = 0; p < c->n_ports; p++) {
		have[p] = hal_ptp_stats(m->hal, p, &s[p]) == 0;
		any |= have[p];
	}
	if (!any) {
		return;
	}
	head(b, "fhswitch_ptp_rx_messages_total", "counter",
	     "PTP messages received, by messageType.");
	for (unsigned p = 0; p < c->n_ports; p++) {
		for (unsigned t = 0; have[p] && t < HAL_PTP_TYPES; t++) {
			if (fh_ptp_type_name(t) != NULL) {
				put(b,
				    "fhswitch_ptp_rx_messages_total{port=\"%"
				    "s\","
				    "type=\"%s\"} %" PRIu64 "\n",
				    esc(c->ports[p].name, l, sizeof(l)),
				    fh_ptp_type_name(t), s[p].rx_type[t]);
			}
		}
	}
	head(b, "fhswitch_ptp_rx_malformed_total", "counter",
	     "PTP frames whose header does not hold.");
	for (unsigned p = 0; p < c->n_ports; p++) {
		if (have[p]) {
			put(b,
			    "fhswitch_ptp_rx_malformed_total{port=\"%s\"} "
			    "%" PRIu64 "\n",
			    esc(c->ports[p].name, l, sizeof(l)),
			    s[p].rx_malformed);
		}
	}
	head(b, "fhswitch_ptp_filtered_total", "counter",
	     "PTP frames to 01-80-C2-00-00-0E not forwarded (bridge mode).");
	for (unsigned p = 0; p < c->n_ports; p++) {
		if (have[p]) {
			put(b,
			    "fhswitch_ptp_filtered_total{port=\"%s\"} %" PRIu64
			    "\n",
			    esc(c->ports[p].name, l, sizeof(l)), s[p].filtered);
		}
	}
	head(b, "fhswitch_ptp_corrected_total", "counter",
	     "PTP event messages sent with the residence time added to "
	     "correctionField (transparent clock).");
	for (unsigned p = 0; p < c->n_ports; p++) {
		if (have[p]) {
			put(b,
			    "fhswitch_ptp_corrected_total{port=\"%s\"} %" PRIu64
			    "\n",
			    esc(c->ports[p].name, l, sizeof(l)),
			    s[p].corrected);
		}
	}
	head(b, "fhswitch_ptp_residence_seconds", "gauge",
	     "Residence time the transparent clock added (min, avg, max "
	     "since start).");
	for (unsigned p = 0; p < c->n_ports; p++) {
		if (!have[p] || s[p].corrected == 0) {
			continue;
		}
		esc(c->ports[p].name, l, sizeof(l));
		put(b,
		    "fhswitch_ptp_residence_seconds{port=\"%s\",stat=\"min\"} "
		    "%.9f\n"
		    "fhswitch_ptp_residence_seconds{port=\"%s\",stat=\"avg\"} "
		    "%.9f\n"
		    "fhswitch_ptp_residence_seconds{port=\"%s\",stat=\"max\"} "
		    "%.9f\n",
		    l, (double)s[p].residence_ns_min / 1e9, l,
		    (double)s[p].residence_ns_avg / 1e9, l,
		    (double)s[p].residence_ns_max / 1e9);
	}
}

/* The residence histogram on fixed bucket bounds (2^6 .. 2^36 TSC
 * ticks, so a series keeps its buckets from scrape to scrape). */
#define RES_B_MIN 6
#define RES_B_MAX 36

/* Combine groups: one family per counter, labelled by group; the parts
 * missing from partial messages by group and RU port. */
static void render_combine(struct fh_metrics *m, struct buf *b,
			   const struct hal_config *c)
{
	static const struct {
		const char *name, *help;
	} fam[] = {
#define COMB_FAM(n) {#n, NULL},
		FH_COMB_COUNTERS(COMB_FAM)
#undef COMB_FAM
	};
	static const char *const help[] = {
		"RU parts received.",
		"Messages sent with every RU's part.",
		"Messages sent at the deadline without some RU's part.",
		"RU parts after their deadline, dropped.",
		"RU parts whose sections did not line up with the first.",
		"Values clipped by the DU port's 16-bit coding.",
		"Combined messages sent (more than combined + partial when cut "
		"to the MTU).",
	};
	struct hal_combine_stats s[HAL_MAX_COMBINE];
	bool have[HAL_MAX_COMBINE], any = false;
	char l[128], l2[128];

	_Static_assert(sizeof(help) / sizeof(help[0]) ==
			       sizeof(fam) / sizeof(fam[0]),
		       "a help text per combine counter");
	for (unsigned g = 0; g < c->n_groups; g++) {
		have[g] = hal_combine_stats(m->hal, c->groups[g].name, &s[g]) ==
			  0;
		any |= have[g];
	}
	if (!any) {
		return;
	}
	for (size_t k = 0; k < sizeof(fam) / sizeof(fam[0]); k++) {
		char name[96];

		snprintf(name, sizeof(name), "fhswitch_combine_%s_total",
			 fam[k].name);
		head(b, name, "counter", help[k]);
		for (unsigned g = 0; g < c->n_groups; g++) {
			uint64_t v = 0;

			if (!have[g]) {
				continue;
			}
#define COMB_VAL(n)                         \
	if (strcmp(fam[k].name, #n) == 0) { \
		v = s[g].n;                 \
	}
			FH_COMB_COUNTERS(COMB_VAL)
#undef COMB_VAL
			put(b, "%s{group=\"%s\"} %" PRIu64 "\n", name,
			    esc(c->groups[g].name, l, sizeof(l)), v);
		}
	}
	head(b, "fhswitch_combine_missing_total", "counter",
	     "Partial messages an RU port's part was missing from.");
	for (unsigned g = 0; g < c->n_groups; g++) {
		for (unsigned k = 0; have[g] && k < c->groups[g].n_in; k++) {
			unsigned p = c->groups[g].in_ports[k];

			put(b,
			    "fhswitch_combine_missing_total{group=\"%s\","
			    "port=\"%s\"} %" PRIu64 "\n",
			    esc(c->groups[g].name, l, sizeof(l)),
			    esc(c->ports[p].name, l2, sizeof(l2)),
			    s[g].missing[p]);
		}
	}
}

static void render_residence(struct fh_metrics *m, struct buf *b)
{
	struct hal_residence r;
	uint64_t acc = 0, total = 0;

	if (hal_residence(m->hal, &r) < 0 || r.hz == 0) {
		return;
	}
	head(b, "fhswitch_residence_seconds", "histogram",
	     "Time from a receive burst to its transmit burst.");
	for (int k = 0; k < 64; k++) {
		total += r.counts[k];
	}
	for (int k = 0; k < 64; k++) {
		acc += r.counts[k];
		if (k < RES_B_MIN - 1 || k > RES_B_MAX - 1) {
			continue;
		}
		/* bucket k holds [2^k, 2^(k+1)) ticks: all of them are
		 * <= 2^(k+1) ticks */
		put(b,
		    "fhswitch_residence_seconds_bucket{le=\"%.9g\"} %" PRIu64
		    "\n",
		    (double)(2ull << k) / (double)r.hz, acc);
	}
	put(b,
	    "fhswitch_residence_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n"
	    "fhswitch_residence_seconds_sum %.9f\n"
	    "fhswitch_residence_seconds_count %" PRIu64 "\n",
	    total, (double)r.sum_ticks / (double)r.hz, total);
}

char *fh_metrics_render(struct fh_metrics *m)
{
	struct buf b = {0};
	struct hal_l2_stats l2;
	const struct hal_config *c;
	char v[128];

	pthread_mutex_lock(&m->store->lock);
	c = &m->store->cfg;
	head(&b, "fhswitch_build_info", "gauge",
	     "fhswd's version and forwarding backend (value 1).");
	put(&b, "fhswitch_build_info{version=\"%s\",backend=\"%s\"} 1\n",
	    esc(m->version, v, sizeof(v)), m->backend);
	head(&b, "fhswitch_config_version", "gauge",
	     "Version of the running configuration.");
	put(&b, "fhswitch_config_version %" PRIu64 "\n", m->store->version);
	render_ports(m, &b, c);
	render_flows(m, &b, c);
	render_eaxc(m, &b, c);
	render_ptp(m, &b, c);
	render_combine(m, &b, c);
	if (hal_l2_stats(m->hal, &l2) == 0) {
		head(&b, "fhswitch_l2_forwarded_total", "counter",
		     "Frames bridged to a learned or static port.");
		put(&b, "fhswitch_l2_forwarded_total %" PRIu64 "\n",
		    l2.forwarded);
		head(&b, "fhswitch_l2_flooded_total", "counter",
		     "Frames flooded (unknown, multicast, broadcast).");
		put(&b, "fhswitch_l2_flooded_total %" PRIu64 "\n", l2.flooded);
	}
	pthread_mutex_unlock(&m->store->lock);
	render_residence(m, &b);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* ---- HTTP ------------------------------------------------------------------------- */

/* body: malloc'd and handed over when owned, else a constant */
static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code,
			     const char *type, const char *body, bool owned)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		strlen(body), (void *)(uintptr_t)body,
		owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (r == NULL) {
		if (owned) {
			free((void *)(uintptr_t)body);
		}
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_len, void **state)
{
	struct fh_metrics *m = cls;
	char *text;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)state;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			     "GET /metrics\n", false);
	}
	if (strcmp(url, "/metrics") != 0) {
		return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain",
			     "fhswd serves /metrics (Prometheus text)\n",
			     false);
	}
	text = fh_metrics_render(m);
	if (text == NULL) {
		return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain",
			     "out of memory\n", false);
	}
	return reply(conn, MHD_HTTP_OK, "text/plain; version=0.0.4", text,
		     true);
}

int fh_metrics_start(const char *addr, struct hal *h, struct mgmt_store *s,
		     const char *version, struct fh_metrics **out, char *err,
		     size_t errlen)
{
	char host[256], port[16];
	const char *colon;
	struct addrinfo hints = {0}, *ai = NULL;
	struct fh_metrics *m;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	int ret;

	/* PORT | HOST:PORT | [IPV6]:PORT */
	if (addr[0] == '[') {
		const char *end = strchr(addr, ']');

		if (end == NULL || end[1] != ':' ||
		    (size_t)(end - addr - 1) >= sizeof(host)) {
			snprintf(err, errlen, "\"%s\": expected [IPV6]:PORT",
				 addr);
			return -EINVAL;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(end - addr - 1),
			 addr + 1);
		colon = end + 1;
	} else if ((colon = strrchr(addr, ':')) != NULL) {
		if ((size_t)(colon - addr) >= sizeof(host)) {
			snprintf(err, errlen, "\"%s\": host too long", addr);
			return -EINVAL;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
	} else {
		snprintf(host, sizeof(host), "127.0.0.1");
		colon = addr - 1;
	}
	snprintf(port, sizeof(port), "%s", colon + 1);
	if (port[0] == '\0' || strspn(port, "0123456789") != strlen(port) ||
	    atol(port) > 65535) {
		snprintf(err, errlen,
			 "\"%s\": expected PORT, HOST:PORT or "
			 "[IPV6]:PORT",
			 addr);
		return -EINVAL;
	}
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	ret = getaddrinfo(host, port, &hints, &ai);
	if (ret != 0) {
		snprintf(err, errlen, "\"%s\": %s", addr, gai_strerror(ret));
		return -EINVAL;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		freeaddrinfo(ai);
		return -ENOMEM;
	}
	m->hal = h;
	m->store = s;
	snprintf(m->version, sizeof(m->version), "%s", version);
	snprintf(m->backend, sizeof(m->backend), "%s", s->cfg.backend);
	if (ai->ai_family == AF_INET6) {
		flags |= MHD_USE_IPv6;
	}
	m->mhd = MHD_start_daemon(flags, (uint16_t)atoi(port), NULL, NULL,
				  on_request, m, MHD_OPTION_SOCK_ADDR,
				  ai->ai_addr, MHD_OPTION_CONNECTION_LIMIT,
				  (unsigned)64, MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned)10, MHD_OPTION_END);
	freeaddrinfo(ai);
	if (m->mhd == NULL) {
		ret = errno ? -errno : -EADDRINUSE;
		snprintf(err, errlen, "\"%s\": cannot listen (%s)", addr,
			 strerror(-ret));
		free(m);
		return ret;
	}
	*out = m;
	return 0;
}

void fh_metrics_stop(struct fh_metrics *m)
{
	if (m != NULL) {
		MHD_stop_daemon(m->mhd);
		free(m);
	}
}
