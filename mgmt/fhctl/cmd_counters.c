/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fhctl counters [--flow NAME]... [--eaxc] [--watch SECS [--interval MS]]:
 * the CountersService, once or as a stream until interrupted.
 * fhctl top [--interval MS] [--flow NAME]...: the same stream as a live
 * table of the busiest ports, flows and eAxC streams.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "mgmt_json.h"

#define WATCH_POLL_MS 200 /* how soon an interrupt ends a watch */

struct view;
static bool view_port(const struct view *v, const char *name);

/* PTP per port, where the backend counts it and a port saw PTP. */
static void print_ptp(const Fhswitch__V1__Counters *c, const struct view *v)
{
	struct api_tbl t;
	bool any = false;

	api_tbl_init(&t, 9, "PTP PORT", ">SYNC", ">FOLLOW_UP", ">DELAY_REQ",
		     ">OTHER", ">FILTERED", ">CORRECTED", ">RES_NS_MIN/AVG/MAX",
		     ">MALFORMED");
	for (size_t i = 0; i < c->n_ports; i++) {
		const Fhswitch__V1__PtpCounters *p = c->ports[i]->ptp;
		char n[8][24], res[72];
		uint64_t other;

		if (p == NULL || !view_port(v, c->ports[i]->name)) {
			continue;
		}
		other = p->pdelay_req + p->pdelay_resp + p->delay_resp +
			p->pdelay_resp_follow_up + p->announce + p->signaling +
			p->management;
		if (p->sync + p->follow_up + p->delay_req + other +
			    p->filtered + p->corrected + p->rx_malformed ==
		    0) {
			continue;
		}
		any = true;
		if (p->corrected != 0) {
			snprintf(res, sizeof(res),
				 "%" PRIu64 "/%" PRIu64 "/%" PRIu64,
				 p->residence_ns_min, p->residence_ns_avg,
				 p->residence_ns_max);
		} else {
			snprintf(res, sizeof(res), "-");
		}
		api_tbl_row(&t, c->ports[i]->name, api_u64(n[0], p->sync),
			    api_u64(n[1], p->follow_up),
			    api_u64(n[2], p->delay_req), api_u64(n[3], other),
			    api_u64(n[4], p->filtered),
			    api_u64(n[5], p->corrected), res,
			    api_u64(n[6], p->rx_malformed));
	}
	if (any) {
		putchar('\n');
		api_tbl_print(&t);
	}
}

/* Shared cell combine groups: what was combined, sent partial and why. */
static void print_combine(const Fhswitch__V1__Counters *c)
{
	struct api_tbl t;

	if (c->n_combine_groups == 0) {
		return;
	}
	api_tbl_init(&t, 9, "COMBINE GROUP", ">PARTS", ">COMBINED", ">PARTIAL",
		     ">LATE_PARTS", ">MISMATCHED", ">SATURATED", ">TX_TOTAL",
		     "MOST_MISSING");
	for (size_t i = 0; i < c->n_combine_groups; i++) {
		const Fhswitch__V1__CombineGroupCounters *g =
			c->combine_groups[i];
		char n[7][24], most[80] = "-";

		for (size_t k = 0; k < g->n_missing; k++) {
			if (g->most_missing != NULL &&
			    strcmp(g->missing[k]->port, g->most_missing) == 0) {
				snprintf(most, sizeof(most), "%s (%" PRIu64 ")",
					 g->most_missing, g->missing[k]->count);
			}
		}
		api_tbl_row(&t, g->name, api_u64(n[0], g->parts),
			    api_u64(n[1], g->combined),
			    api_u64(n[2], g->partial),
			    api_u64(n[3], g->late_parts),
			    api_u64(n[4], g->mismatched),
			    api_u64(n[5], g->saturated),
			    api_u64(n[6], g->tx_total), most);
	}
	putchar('\n');
	api_tbl_print(&t);
}

/* How a sample is shown: the ports kept (NULL: all) and, watching, the
 * sample before it for per-second rates. */
struct view {
	char **ports;
	size_t n_ports;
	bool watch;
	bool eaxc; /* the eAxC streams' table */
	bool top; /* fhctl top: a screen per sample */
	const Fhswitch__V1__Counters *prev; /* NULL: the first sample */
};

static bool view_port(const struct view *v, const char *name)
{
	if (v->ports == NULL) {
		return true;
	}
	for (size_t i = 0; i < v->n_ports; i++) {
		if (strcmp(v->ports[i], name) == 0) {
			return true;
		}
	}
	return false;
}

/* (now - before) per second between two samples, or "-". */
static char *rate(char *buf, const struct view *v,
		  const Fhswitch__V1__Counters *c, uint64_t now,
		  const uint64_t *before)
{
	int64_t dt;

	if (v->prev == NULL || before == NULL ||
	    (dt = c->timestamp_ns - v->prev->timestamp_ns) <= 0) {
		snprintf(buf, 24, "-");
	} else {
		snprintf(buf, 24, "%.0f",
			 (double)(now - *before) * 1e9 / (double)dt);
	}
	return buf;
}

static const Fhswitch__V1__PortCounters *prev_port(const struct view *v,
						   const char *name)
{
	return v->prev != NULL ? api_port_counters(v->prev, name) : NULL;
}

static const Fhswitch__V1__EaxcCounters *
prev_eaxc(const struct view *v, const Fhswitch__V1__EaxcCounters *e)
{
	for (size_t i = 0; v->prev != NULL && i < v->prev->n_eaxc; i++) {
		const Fhswitch__V1__EaxcCounters *p = v->prev->eaxc[i];

		if (p->eaxc_id == e->eaxc_id && p->plane == e->plane &&
		    p->direction == e->direction &&
		    strcmp(p->port, e->port) == 0) {
			return p;
		}
	}
	return NULL;
}

/* The eAxC streams of the ports shown (--eaxc). */
static void print_eaxc(const Fhswitch__V1__Counters *c, const struct view *v)
{
	struct api_tbl t;

	putchar('\n');
	if (v->watch) {
		api_tbl_init(&t, 11, "EAXC PORT", ">EAXC", "PLANE", "DIR",
			     ">RX_TOTAL", ">RX/S", ">ON_TIME", ">EARLY",
			     ">LATE", ">SEQID_ERR", ">LOST");
	} else {
		api_tbl_init(&t, 10, "EAXC PORT", ">EAXC", "PLANE", "DIR",
			     ">RX_TOTAL", ">ON_TIME", ">EARLY", ">LATE",
			     ">SEQID_ERR", ">LOST");
	}
	for (size_t i = 0; i < c->n_eaxc; i++) {
		const Fhswitch__V1__EaxcCounters *e = c->eaxc[i];
		const Fhswitch__V1__EaxcCounters *q = prev_eaxc(v, e);
		char n[8][24];

		if (!view_port(v, e->port)) {
			continue;
		}
		snprintf(n[0], sizeof(n[0]), "%u", e->eaxc_id);
		api_u64(n[1], e->rx_total);
#define EAXC_CELL(k, name) \
	api_ctr_cell(n[k], e->unsupported, e->n_unsupported, #name, e->name)
		EAXC_CELL(2, rx_on_time);
		EAXC_CELL(3, rx_early);
		EAXC_CELL(4, rx_late);
		EAXC_CELL(5, rx_seqid_err);
		EAXC_CELL(6, rx_lost);
#undef EAXC_CELL
		if (v->watch) {
			api_tbl_row(
				&t, e->port, n[0],
				e->plane == FHSWITCH__V1__PLANE__PLANE_U ? "U" :
									   "C",
				e->direction == FHSWITCH__V1__DIRECTION__DIRECTION_DL ?
					"DL" :
					"UL",
				n[1],
				rate(n[7], v, c, e->rx_total,
				     q ? &q->rx_total : NULL),
				n[2], n[3], n[4], n[5], n[6]);
		} else {
			api_tbl_row(
				&t, e->port, n[0],
				e->plane == FHSWITCH__V1__PLANE__PLANE_U ? "U" :
									   "C",
				e->direction == FHSWITCH__V1__DIRECTION__DIRECTION_DL ?
					"DL" :
					"UL",
				n[1], n[2], n[3], n[4], n[5], n[6]);
		}
	}
	api_tbl_print(&t);
	if (c->eaxc_untracked != 0) {
		printf("(%" PRIu64 " messages of streams beyond the switch's "
		       "table, not counted per eAxC)\n",
		       c->eaxc_untracked);
	}
}

static const Fhswitch__V1__FlowCounters *prev_flow(const struct view *v,
						   const char *name)
{
	return v->prev != NULL ? api_flow_counters(v->prev, name) : NULL;
}

static void print_counters(const Fhswitch__V1__Counters *c,
			   const struct view *v)
{
	struct api_tbl t;
	char when[40];

	api_utc_time(c->timestamp_ns / 1000000000,
		     (long)(c->timestamp_ns % 1000000000 / 1000000), when,
		     sizeof(when));
	printf("counters at %s, config version %" PRIu64 "\n", when,
	       c->config_version);
	if (v->watch) {
		api_tbl_init(&t, 8, "PORT", ">RX_PACKETS", ">RX_PPS",
			     ">TX_PACKETS", ">TX_PPS", ">RX_BYTES", ">TX_BYTES",
			     ">DROPS");
	} else {
		api_tbl_init(&t, 6, "PORT", ">RX_PACKETS", ">TX_PACKETS",
			     ">RX_BYTES", ">TX_BYTES", ">DROPS");
	}
	for (size_t i = 0; i < c->n_ports; i++) {
		const Fhswitch__V1__PortCounters *p = c->ports[i];
		const Fhswitch__V1__PortCounters *q = prev_port(v, p->name);
		char n[7][24];

		if (!view_port(v, p->name)) {
			continue;
		}
		api_u64(n[0], p->rx_packets);
		api_u64(n[1], p->tx_packets);
		api_u64(n[2], p->rx_bytes);
		api_u64(n[3], p->tx_bytes);
		api_port_drops(n[4], p);
		if (v->watch) {
			api_tbl_row(&t, p->name, n[0],
				    rate(n[5], v, c, p->rx_packets,
					 q ? &q->rx_packets : NULL),
				    n[1],
				    rate(n[6], v, c, p->tx_packets,
					 q ? &q->tx_packets : NULL),
				    n[2], n[3], n[4]);
		} else {
			api_tbl_row(&t, p->name, n[0], n[1], n[2], n[3], n[4]);
		}
	}
	api_tbl_print(&t);
	if (c->n_flows > 0) {
		putchar('\n');
		if (v->watch) {
			api_tbl_init(&t, 10, "FLOW", ">RX_TOTAL", ">RX/S",
				     ">ON_TIME", ">EARLY", ">LATE",
				     ">LATE_LOCAL", ">CORRUPT", ">SEQID_ERR",
				     ">TX_TOTAL");
		} else {
			api_tbl_init(&t, 9, "FLOW", ">RX_TOTAL", ">ON_TIME",
				     ">EARLY", ">LATE", ">LATE_LOCAL",
				     ">CORRUPT", ">SEQID_ERR", ">TX_TOTAL");
		}
		for (size_t i = 0; i < c->n_flows; i++) {
			const Fhswitch__V1__FlowCounters *f = c->flows[i];
			const Fhswitch__V1__FlowCounters *q =
				prev_flow(v, f->name);
			char n[9][24];

			api_flow_ctr(n[0], f, "rx_total", f->rx_total);
			api_flow_ctr(n[1], f, "rx_on_time", f->rx_on_time);
			api_flow_ctr(n[2], f, "rx_early", f->rx_early);
			api_flow_ctr(n[3], f, "rx_late", f->rx_late);
			api_flow_ctr(n[4], f, "rx_late_local",
				     f->rx_late_local);
			api_flow_ctr(n[5], f, "rx_corrupt", f->rx_corrupt);
			api_flow_ctr(n[6], f, "rx_seqid_err", f->rx_seqid_err);
			api_flow_ctr(n[7], f, "tx_total", f->tx_total);
			if (v->watch) {
				api_tbl_row(&t, f->name, n[0],
					    rate(n[8], v, c, f->rx_total,
						 q ? &q->rx_total : NULL),
					    n[1], n[2], n[3], n[4], n[5], n[6],
					    n[7]);
			} else {
				api_tbl_row(&t, f->name, n[0], n[1], n[2], n[3],
					    n[4], n[5], n[6], n[7]);
			}
		}
		api_tbl_print(&t);
	}
	if (v->eaxc) {
		print_eaxc(c, v);
	}
	print_ptp(c, v);
	print_combine(c);
	if (c->l2 != NULL) {
		printf("\nl2: forwarded %" PRIu64 ", flooded %" PRIu64 "\n",
		       c->l2->forwarded, c->l2->flooded);
	}
}

/* Add name to v's ports (once). */
static int view_add_port(struct view *v, char *name)
{
	char **np;

	if (name == NULL || name[0] == '\0' || view_port(v, name)) {
		return 0;
	}
	np = realloc(v->ports, (v->n_ports + 1) * sizeof(*np));
	if (np == NULL) {
		return FHCTL_EXIT_ERROR;
	}
	v->ports = np;
	v->ports[v->n_ports++] = name;
	return 0;
}

/* The ports the named flows use (in_port, out_ports), into v (names
 * borrowed from held[i], which the caller frees). */
static int flow_ports(struct api *a, char **names, size_t n, struct view *v,
		      pbm **held)
{
	v->ports = calloc(1, sizeof(*v->ports)); /* none yet, not all */
	if (v->ports == NULL) {
		return FHCTL_EXIT_ERROR;
	}
	for (size_t i = 0; i < n; i++) {
		Fhswitch__V1__GetFlowRequest q =
			FHSWITCH__V1__GET_FLOW_REQUEST__INIT;
		const Fhswitch__V1__Flow *f;
		int ret;

		q.name = names[i];
		ret = api_call(a, SVC("Flows", "Get"), &q.base,
			       &fhswitch__v1__flow__descriptor, &held[i]);
		if (ret != 0) {
			return ret;
		}
		f = (const void *)held[i];
		if (f->match != NULL &&
		    view_add_port(v, f->match->in_port) != 0) {
			return FHCTL_EXIT_ERROR;
		}
		for (size_t k = 0;
		     f->action != NULL && k < f->action->n_out_ports; k++) {
			if (view_add_port(v, f->action->out_ports[k]) != 0) {
				return FHCTL_EXIT_ERROR;
			}
		}
	}
	return 0;
}

struct counters_opts {
	char **flows; /* into argv */
	size_t n_flows;
	long watch_s; /* -1: no --watch */
	uint32_t interval_ms;
};

static int counters_opt(void *ctx, const char *opt, const char *val)
{
	struct counters_opts *o = ctx;
	unsigned long v;

	if (strcmp(opt, "--flow") == 0) {
		if (val[0] == '\0') {
			return api_bad_value(opt, val, "a flow name");
		}
		o->flows[o->n_flows++] = (char *)val;
	} else if (strcmp(opt, "--watch") == 0) {
		if (fhctl_parse_uint(val, 0, 31 * 86400, &v) < 0) {
			return api_bad_value(opt, val,
					     "seconds (0 = until "
					     "interrupted)");
		}
		o->watch_s = (long)v;
	} else {
		if (fhctl_parse_uint(val, 10, 60000, &v) < 0) {
			return api_bad_value(opt, val,
					     "milliseconds 10..60000");
		}
		o->interval_ms = (uint32_t)v;
	}
	return 0;
}

/* ---- top ------------------------------------------------------------------------ */

/* A row of the top screen: its rate (sort key) and cells. */
struct top_row {
	double rate;
	char cell[9][24];
};

static int top_cmp(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	return (x->rate < y->rate) - (x->rate > y->rate);
}

/* now - before per second, or -1 with no sample before. */
static double per_s(const struct view *v, const Fhswitch__V1__Counters *c,
		    uint64_t now, const uint64_t *before)
{
	int64_t dt;

	if (v->prev == NULL || before == NULL ||
	    (dt = c->timestamp_ns - v->prev->timestamp_ns) <= 0) {
		return -1;
	}
	return (double)(now - *before) * 1e9 / (double)dt;
}

static char *rate_cell(char *buf, double r)
{
	if (r < 0) {
		snprintf(buf, 24, "-");
	} else {
		snprintf(buf, 24, "%.0f", r);
	}
	return buf;
}

/* On time as a percentage of what the window judged since the last
 * sample (of everything, on the first); "n/a" without a window. */
static char *on_time_pct(char *buf, bool na, uint64_t on, uint64_t early,
			 uint64_t late, const uint64_t *prev3)
{
	uint64_t n;

	if (na) {
		snprintf(buf, 24, "n/a");
		return buf;
	}
	if (prev3 != NULL) {
		on -= prev3[0];
		early -= prev3[1];
		late -= prev3[2];
	}
	n = on + early + late;
	if (n == 0) {
		snprintf(buf, 24, "-");
	} else {
		snprintf(buf, 24, "%.1f", 100.0 * (double)on / (double)n);
	}
	return buf;
}

/* Print up to max rows of r (n), busiest first, under t's heads. */
static void top_table(struct api_tbl *t, struct top_row *r, size_t n,
		      size_t max)
{
	qsort(r, n, sizeof(*r), top_cmp);
	for (size_t i = 0; i < n && i < max; i++) {
		api_tbl_row(t, r[i].cell[0], r[i].cell[1], r[i].cell[2],
			    r[i].cell[3], r[i].cell[4], r[i].cell[5],
			    r[i].cell[6], r[i].cell[7], r[i].cell[8]);
	}
	api_tbl_print(t);
	if (n > max) {
		printf("  (%zu more)\n", n - max);
	}
}

/* One screen of fhctl top: ports, flows and eAxC streams by rate. */
static void print_top(const Fhswitch__V1__Counters *c, const struct view *v)
{
	struct winsize ws = {0};
	size_t lines = 40, n, each;
	struct top_row *r;
	char when[40];

	if (isatty(STDOUT_FILENO)) {
		fputs("\033[H\033[2J", stdout); /* home, clear */
		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
		    ws.ws_row > 12) {
			lines = ws.ws_row;
		}
	}
	/* the rows the screen has, shared by the three tables */
	each = (lines - 12) / 3;
	each = each < 3 ? 3 : each;
	n = c->n_ports + c->n_flows + c->n_eaxc;
	r = calloc(n ? n : 1, sizeof(*r));
	if (r == NULL) {
		return;
	}
	api_utc_time(c->timestamp_ns / 1000000000,
		     (long)(c->timestamp_ns % 1000000000 / 1000000), when,
		     sizeof(when));
	printf("fhctl top - %s, config version %" PRIu64
	       ", busiest first (rates per second; Ctrl-C quits)\n\n",
	       when, c->config_version);
	{
		struct api_tbl t;
		size_t k = 0;

		api_tbl_init(&t, 6, "PORT", ">RX/S", ">TX/S", ">RX_PACKETS",
			     ">TX_PACKETS", ">DROPS");
		for (size_t i = 0; i < c->n_ports; i++) {
			const Fhswitch__V1__PortCounters *p = c->ports[i];
			const Fhswitch__V1__PortCounters *q =
				prev_port(v, p->name);

			if (!view_port(v, p->name)) {
				continue;
			}
			r[k].rate = per_s(v, c, p->rx_packets,
					  q ? &q->rx_packets : NULL);
			snprintf(r[k].cell[0], 24, "%s", p->name);
			rate_cell(r[k].cell[1], r[k].rate);
			rate_cell(r[k].cell[2],
				  per_s(v, c, p->tx_packets,
					q ? &q->tx_packets : NULL));
			api_u64(r[k].cell[3], p->rx_packets);
			api_u64(r[k].cell[4], p->tx_packets);
			api_port_drops(r[k].cell[5], p);
			k++;
		}
		top_table(&t, r, k, each);
	}
	{
		struct api_tbl t;
		size_t k = 0;

		putchar('\n');
		api_tbl_init(&t, 9, "FLOW", ">RX/S", ">TX/S", ">ON_TIME%",
			     ">EARLY", ">LATE", ">SEQID_ERR", ">CORRUPT",
			     ">RX_TOTAL");
		for (size_t i = 0; i < c->n_flows; i++) {
			const Fhswitch__V1__FlowCounters *f = c->flows[i];
			const Fhswitch__V1__FlowCounters *q =
				prev_flow(v, f->name);
			uint64_t p3[3];
			bool na = false;

			for (size_t u = 0; u < f->n_unsupported; u++) {
				na |= strcmp(f->unsupported[u], "rx_on_time") ==
				      0;
			}
			if (q != NULL) {
				p3[0] = q->rx_on_time;
				p3[1] = q->rx_early;
				p3[2] = q->rx_late;
			}
			r[k].rate = per_s(v, c, f->rx_total,
					  q ? &q->rx_total : NULL);
			snprintf(r[k].cell[0], 24, "%s", f->name);
			rate_cell(r[k].cell[1], r[k].rate);
			rate_cell(r[k].cell[2], per_s(v, c, f->tx_total,
						      q ? &q->tx_total : NULL));
			on_time_pct(r[k].cell[3], na, f->rx_on_time,
				    f->rx_early, f->rx_late,
				    q != NULL ? p3 : NULL);
			api_flow_ctr(r[k].cell[4], f, "rx_early", f->rx_early);
			api_flow_ctr(r[k].cell[5], f, "rx_late", f->rx_late);
			api_flow_ctr(r[k].cell[6], f, "rx_seqid_err",
				     f->rx_seqid_err);
			api_flow_ctr(r[k].cell[7], f, "rx_corrupt",
				     f->rx_corrupt);
			api_u64(r[k].cell[8], f->rx_total);
			k++;
		}
		top_table(&t, r, k, each);
	}
	if (c->n_eaxc > 0) {
		struct api_tbl t;
		size_t k = 0;

		putchar('\n');
		api_tbl_init(&t, 9, "EAXC PORT", ">EAXC", "PLANE", "DIR",
			     ">RX/S", ">ON_TIME%", ">LATE", ">SEQID_ERR",
			     ">LOST");
		for (size_t i = 0; i < c->n_eaxc; i++) {
			const Fhswitch__V1__EaxcCounters *e = c->eaxc[i];
			const Fhswitch__V1__EaxcCounters *q = prev_eaxc(v, e);
			uint64_t p3[3];

			if (!view_port(v, e->port)) {
				continue;
			}
			if (q != NULL) {
				p3[0] = q->rx_on_time;
				p3[1] = q->rx_early;
				p3[2] = q->rx_late;
			}
			r[k].rate = per_s(v, c, e->rx_total,
					  q ? &q->rx_total : NULL);
			snprintf(r[k].cell[0], 24, "%s", e->port);
			snprintf(r[k].cell[1], 24, "%u", e->eaxc_id);
			snprintf(r[k].cell[2], 24, "%s",
				 e->plane == FHSWITCH__V1__PLANE__PLANE_U ?
					 "U" :
					 "C");
			snprintf(
				r[k].cell[3], 24, "%s",
				e->direction == FHSWITCH__V1__DIRECTION__DIRECTION_DL ?
					"DL" :
					"UL");
			rate_cell(r[k].cell[4], r[k].rate);
			on_time_pct(r[k].cell[5], e->n_unsupported > 0,
				    e->rx_on_time, e->rx_early, e->rx_late,
				    q != NULL ? p3 : NULL);
			api_ctr_cell(r[k].cell[6], e->unsupported,
				     e->n_unsupported, "rx_late", e->rx_late);
			api_u64(r[k].cell[7], e->rx_seqid_err);
			api_u64(r[k].cell[8], e->rx_lost);
			k++;
		}
		top_table(&t, r, k, each);
	}
	free(r);
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int counters_watch(struct api *a, const struct counters_opts *o,
			  struct view *v)
{
	Fhswitch__V1__WatchCountersRequest q =
		FHSWITCH__V1__WATCH_COUNTERS_REQUEST__INIT;
	struct mgmt_client_stream *s;
	struct mgmt_status st;
	struct sigaction sa;
	bool cancelled = false;
	unsigned samples = 0;
	unsigned timeout_ms = 0;
	int ret;

	q.interval_ms = o->interval_ms;
	q.flows = o->flows;
	q.n_flows = o->n_flows;
	q.eaxc = v->eaxc;
	if (o->watch_s > 0) {
		/* samples at 0, interval, 2 * interval ... up to watch_s */
		q.max_samples = (uint32_t)((uint64_t)o->watch_s * 1000 /
					   o->interval_ms) +
				1;
		timeout_ms = (unsigned)o->watch_s * 1000 + o->interval_ms +
			     a->g.timeout_ms;
	}
	ret = api_client(a);
	if (ret != 0) {
		return ret;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	for (int sig = 0; sig < 2; sig++) {
		struct sigaction old;
		int no = sig == 0 ? SIGINT : SIGTERM;

		/* a background job of a script keeps ignoring SIGINT */
		if (sigaction(no, NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN) {
			sigaction(no, &sa, NULL);
		}
	}
	if (mgmt_client_stream_start(a->cl, SVC("CountersService", "Watch"),
				     &q.base,
				     &fhswitch__v1__counters__descriptor,
				     timeout_ms, &s, &st) != MGMT_OK) {
		return api_status(a, &st);
	}
	for (;;) {
		ProtobufCMessage *m;
		int r;

		if (interrupted && !cancelled) {
			mgmt_client_stream_cancel(s);
			cancelled = true;
		}
		r = mgmt_client_stream_next(s, WATCH_POLL_MS, &m, &st);
		if (r == -EAGAIN) {
			continue;
		}
		if (r == 0) {
			break;
		}
		if (a->g.json) {
			ret = api_print_json(m, true);
		} else if (v->top) {
			print_top((const Fhswitch__V1__Counters *)m, v);
		} else {
			if (samples > 0) {
				putchar('\n');
			}
			print_counters((const Fhswitch__V1__Counters *)m, v);
		}
		fflush(stdout);
		samples++;
		/* the rates of the next sample are against this one */
		mgmt_pb_free((void *)(uintptr_t)v->prev);
		v->prev = (const Fhswitch__V1__Counters *)m;
		if (ret != 0) {
			mgmt_client_stream_cancel(s);
			cancelled = true;
		}
	}
	mgmt_client_stream_close(s);
	mgmt_pb_free((void *)(uintptr_t)v->prev);
	v->prev = NULL;
	if (ret != 0) {
		return ret;
	}
	if (cancelled && st.code == MGMT_CANCELLED) {
		return FHCTL_EXIT_OK; /* interrupted: the user's way to stop */
	}
	return api_status(a, &st);
}

static int counters(struct api *a, int argc, char **argv)
{
	static const char *const opts[] = {"--flow", "--watch", "--interval",
					   NULL};
	struct counters_opts o = {.watch_s = -1};
	struct view v = {0};
	Fhswitch__V1__Counters *c;
	pbm *m, **held = NULL;
	int ret;

	/* --eaxc, the one flag (the other options take a value) */
	{
		int k = 0;

		for (int i = 0; i < argc; i++) {
			if (strcmp(argv[i], "--") == 0) {
				while (i < argc) {
					argv[k++] = argv[i++];
				}
				break;
			}
			if (strcmp(argv[i], "--eaxc") == 0) {
				v.eaxc = true;
				continue;
			}
			argv[k++] = argv[i];
		}
		argc = k;
	}
	/* at most one --flow per argument ("--flow=NAME") */
	o.flows = calloc((size_t)argc + 1, sizeof(*o.flows));
	if (o.flows == NULL) {
		fprintf(stderr, "fhctl: out of memory\n");
		return FHCTL_EXIT_ERROR;
	}
	ret = api_parse_args(a,
			     "counters [--flow NAME]... [--eaxc] [--watch SECS "
			     "[--interval MS]]",
			     argc, argv, opts, counters_opt, &o, NULL, 0, 0);
	if (ret == 0 && o.interval_ms != 0 && o.watch_s < 0) {
		fprintf(stderr, "fhctl: counters: --interval needs --watch\n");
		ret = FHCTL_EXIT_USAGE;
	}
	/* --flow: the ports those flows use, not every port */
	if (ret == 0 && o.n_flows > 0 && !a->g.json) {
		held = calloc(o.n_flows, sizeof(*held));
		ret = held == NULL ?
			      FHCTL_EXIT_ERROR :
			      flow_ports(a, o.flows, o.n_flows, &v, held);
	}
	if (ret == 0 && o.watch_s >= 0) {
		if (o.interval_ms == 0) {
			o.interval_ms = 1000;
		}
		v.watch = true;
		ret = counters_watch(a, &o, &v);
	} else if (ret == 0) {
		ret = api_get_counters(a, o.flows, o.n_flows, v.eaxc, &m);
		c = (void *)m;
		if (ret == 0 && a->g.json) {
			ret = api_print_json(&c->base, false);
		} else if (ret == 0) {
			print_counters(c, &v);
		}
		if (ret == 0) {
			mgmt_pb_free(c);
		}
	}
	for (size_t i = 0; held != NULL && i < o.n_flows; i++) {
		mgmt_pb_free(held[i]);
	}
	free(held);
	free(v.ports);
	free(o.flows);
	return ret;
}

static int top_opt(void *ctx, const char *opt, const char *val)
{
	struct counters_opts *o = ctx;

	if (strcmp(opt, "--interval") == 0) {
		return counters_opt(ctx, opt, val);
	}
	if (val[0] == '\0') {
		return api_bad_value(opt, val, "a flow name");
	}
	o->flows[o->n_flows++] = (char *)val;
	return 0;
}

/* fhctl top: the Watch stream (with the eAxC streams), a screen per
 * sample, until interrupted. */
static int top(struct api *a, int argc, char **argv)
{
	static const char *const opts[] = {"--interval", "--flow", NULL};
	struct counters_opts o = {.watch_s = 0, .interval_ms = 1000};
	struct view v = {.watch = true, .eaxc = true, .top = true};
	int ret;

	o.flows = calloc((size_t)argc + 1, sizeof(*o.flows));
	if (o.flows == NULL) {
		fprintf(stderr, "fhctl: out of memory\n");
		return FHCTL_EXIT_ERROR;
	}
	ret = api_parse_args(a, "top [--interval MS] [--flow NAME]...", argc,
			     argv, opts, top_opt, &o, NULL, 0, 0);
	if (ret == 0 && a->g.json) {
		fprintf(stderr, "fhctl: top: a screen, not JSON (use "
				"counters --watch --json)\n");
		ret = FHCTL_EXIT_USAGE;
	}
	if (ret == 0) {
		ret = counters_watch(a, &o, &v);
	}
	free(o.flows);
	return ret;
}

const struct api_cmd api_counter_cmds[] = {
	{"counters", NULL, counters},
	{"top", NULL, top},
	{NULL, NULL, NULL},
};
