/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fhctl counters [--flow NAME]... [--watch SECS [--interval MS]]: the
 * CountersService, once or as a stream until interrupted.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "mgmt_json.h"

#define WATCH_POLL_MS 200 /* how soon an interrupt ends a watch */

/* PTP per port, where the backend counts it and a port saw PTP. */
static void print_ptp(const Fhswitch__V1__Counters *c)
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

		if (p == NULL) {
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

static void print_counters(const Fhswitch__V1__Counters *c)
{
	struct api_tbl t;
	char when[40];

	api_utc_time(c->timestamp_ns / 1000000000,
		     (long)(c->timestamp_ns % 1000000000 / 1000000), when,
		     sizeof(when));
	printf("counters at %s, config version %" PRIu64 "\n", when,
	       c->config_version);
	api_tbl_init(&t, 6, "PORT", ">RX_PACKETS", ">TX_PACKETS", ">RX_BYTES",
		     ">TX_BYTES", ">DROPS");
	for (size_t i = 0; i < c->n_ports; i++) {
		const Fhswitch__V1__PortCounters *p = c->ports[i];
		char n[5][24];

		api_tbl_row(&t, p->name, api_u64(n[0], p->rx_packets),
			    api_u64(n[1], p->tx_packets),
			    api_u64(n[2], p->rx_bytes),
			    api_u64(n[3], p->tx_bytes),
			    api_u64(n[4], p->drops));
	}
	api_tbl_print(&t);
	if (c->n_flows > 0) {
		putchar('\n');
		api_tbl_init(&t, 8, "FLOW", ">RX_TOTAL", ">ON_TIME", ">EARLY",
			     ">LATE", ">CORRUPT", ">SEQID_ERR", ">TX_TOTAL");
		for (size_t i = 0; i < c->n_flows; i++) {
			const Fhswitch__V1__FlowCounters *f = c->flows[i];
			char n[7][24];

			api_tbl_row(
				&t, f->name,
				api_flow_ctr(n[0], f, "rx_total", f->rx_total),
				api_flow_ctr(n[1], f, "rx_on_time",
					     f->rx_on_time),
				api_flow_ctr(n[2], f, "rx_early", f->rx_early),
				api_flow_ctr(n[3], f, "rx_late", f->rx_late),
				api_flow_ctr(n[4], f, "rx_corrupt",
					     f->rx_corrupt),
				api_flow_ctr(n[5], f, "rx_seqid_err",
					     f->rx_seqid_err),
				api_flow_ctr(n[6], f, "tx_total", f->tx_total));
		}
		api_tbl_print(&t);
	}
	print_ptp(c);
	if (c->l2 != NULL) {
		printf("\nl2: forwarded %" PRIu64 ", flooded %" PRIu64 "\n",
		       c->l2->forwarded, c->l2->flooded);
	}
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

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int counters_watch(struct api *a, const struct counters_opts *o)
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
		} else {
			if (samples > 0) {
				putchar('\n');
			}
			print_counters((const Fhswitch__V1__Counters *)m);
		}
		fflush(stdout);
		samples++;
		mgmt_pb_free(m);
		if (ret != 0) {
			mgmt_client_stream_cancel(s);
			cancelled = true;
		}
	}
	mgmt_client_stream_close(s);
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
	Fhswitch__V1__Counters *c;
	pbm *m;
	int ret;

	/* at most one --flow per argument ("--flow=NAME") */
	o.flows = calloc((size_t)argc + 1, sizeof(*o.flows));
	if (o.flows == NULL) {
		fprintf(stderr, "fhctl: out of memory\n");
		return FHCTL_EXIT_ERROR;
	}
	ret = api_parse_args(a,
			     "counters [--flow NAME]... [--watch SECS "
			     "[--interval MS]]",
			     argc, argv, opts, counters_opt, &o, NULL, 0, 0);
	if (ret == 0 && o.interval_ms != 0 && o.watch_s < 0) {
		fprintf(stderr, "fhctl: counters: --interval needs --watch\n");
		ret = FHCTL_EXIT_USAGE;
	}
	if (ret == 0 && o.watch_s >= 0) {
		if (o.interval_ms == 0) {
			o.interval_ms = 1000;
		}
		ret = counters_watch(a, &o);
	} else if (ret == 0) {
		ret = api_get_counters(a, o.flows, o.n_flows, &m);
		c = (void *)m;
		if (ret == 0 && a->g.json) {
			ret = api_print_json(&c->base, false);
		} else if (ret == 0) {
			print_counters(c);
		}
		if (ret == 0) {
			mgmt_pb_free(c);
		}
	}
	free(o.flows);
	return ret;
}

const struct api_cmd api_counter_cmds[] = {
	{"counters", NULL, counters},
	{NULL, NULL, NULL},
};
