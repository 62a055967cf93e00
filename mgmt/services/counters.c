/* SPDX-License-Identifier: Apache-2.0 */
/* The gRPC services over the configuration store and the HAL: CountersService. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fh/ptp.h"
#include "mgmt_store.h"
#include "services.h"

/* ---- Counters ------------------------------------------------------------------ */

static int64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The PTP counters of port p; NULL where the backend does not count
 * them (or out of memory: the counters are then simply absent). */
static Fhswitch__V1__PtpCounters *ptp_counters(struct hal *h, unsigned p)
{
	struct hal_ptp_stats s;
	Fhswitch__V1__PtpCounters *c;

	if (hal_ptp_stats(h, p, &s) < 0) {
		return NULL;
	}
	c = mgmt_pb_new(&fhswitch__v1__ptp_counters__descriptor);
	if (c == NULL) {
		return NULL;
	}
	c->sync = s.rx_type[FH_PTP_SYNC];
	c->delay_req = s.rx_type[FH_PTP_DELAY_REQ];
	c->pdelay_req = s.rx_type[FH_PTP_PDELAY_REQ];
	c->pdelay_resp = s.rx_type[FH_PTP_PDELAY_RESP];
	c->follow_up = s.rx_type[FH_PTP_FOLLOW_UP];
	c->delay_resp = s.rx_type[FH_PTP_DELAY_RESP];
	c->pdelay_resp_follow_up = s.rx_type[FH_PTP_PDELAY_RESP_FOLLOW_UP];
	c->announce = s.rx_type[FH_PTP_ANNOUNCE];
	c->signaling = s.rx_type[FH_PTP_SIGNALING];
	c->management = s.rx_type[FH_PTP_MANAGEMENT];
	c->rx_malformed = s.rx_malformed;
	c->filtered = s.filtered;
	c->corrected = s.corrected;
	c->residence_ns_min = s.residence_ns_min;
	c->residence_ns_avg = s.residence_ns_avg;
	c->residence_ns_max = s.residence_ns_max;
	return c;
}

/* The counters of combine group g; NULL where the backend cannot combine
 * (or out of memory). */
static Fhswitch__V1__CombineGroupCounters *
combine_counters(struct hal *h, const struct hal_config *c,
		 const struct hal_combine_group *g)
{
	Fhswitch__V1__CombineGroupCounters *r;
	struct hal_combine_stats s;
	uint64_t most = 0;

	if (hal_combine_stats(h, g->name, &s) < 0) {
		return NULL;
	}
	r = mgmt_pb_new(&fhswitch__v1__combine_group_counters__descriptor);
	if (r == NULL) {
		return NULL;
	}
	r->name = mgmt_strdup(g->name);
#define COMB_PB(name) r->name = s.name;
	FH_COMB_COUNTERS(COMB_PB)
#undef COMB_PB
	r->missing = calloc(g->n_in, sizeof(*r->missing));
	r->most_missing = mgmt_strdup("");
	for (unsigned k = 0; r->missing != NULL && k < g->n_in; k++) {
		Fhswitch__V1__RuMissing *e =
			mgmt_pb_new(&fhswitch__v1__ru_missing__descriptor);
		unsigned p = g->in_ports[k];

		if (e == NULL) {
			break;
		}
		e->port = mgmt_strdup(c->ports[p].name);
		e->count = s.missing[p];
		r->missing[r->n_missing++] = e;
		if (s.missing[p] > most) {
			most = s.missing[p];
			free(r->most_missing);
			r->most_missing = mgmt_strdup(c->ports[p].name);
		}
	}
	return r;
}

/* The eAxC streams into r->eaxc (absent where the backend does not count
 * them, or out of memory). */
static void eaxc_counters(struct hal *h, const struct hal_config *c,
			  Fhswitch__V1__Counters *r)
{
	struct hal_eaxc_stats *s;
	size_t n;

	if (hal_eaxc_stats(h, &s, &n, &r->eaxc_untracked) < 0) {
		return;
	}
	r->eaxc = calloc(n ? n : 1, sizeof(*r->eaxc));
	for (size_t i = 0; r->eaxc != NULL && i < n; i++) {
		Fhswitch__V1__EaxcCounters *e =
			mgmt_pb_new(&fhswitch__v1__eaxc_counters__descriptor);

		if (e == NULL) {
			break;
		}
		e->port = mgmt_strdup(
			s[i].port < c->n_ports ? c->ports[s[i].port].name : "");
		e->eaxc_id = s[i].eaxc_id;
		e->plane = s[i].plane == FH_PLANE_U ?
				   FHSWITCH__V1__PLANE__PLANE_U :
				   FHSWITCH__V1__PLANE__PLANE_C;
		e->direction = s[i].direction == FH_DIRECTION_DL ?
				       FHSWITCH__V1__DIRECTION__DIRECTION_DL :
				       FHSWITCH__V1__DIRECTION__DIRECTION_UL;
#define EAXC_PB(name) e->name = s[i].name;
		FH_EAXC_COUNTERS(EAXC_PB)
#undef EAXC_PB
		if (!s[i].windowed) {
			mgmt_svc_counter_names(HAL_CTR_WINDOW, &e->unsupported,
					       &e->n_unsupported);
		}
		r->eaxc[r->n_eaxc++] = e;
	}
	free(s);
}

/* Read counters (flows filtered by name; names must exist); with_eaxc:
 * the eAxC streams too. */
static Fhswitch__V1__Counters *read_counters(struct mgmt_store *s,
					     char *const *names, size_t n_names,
					     bool with_eaxc,
					     struct mgmt_error *st)
{
	Fhswitch__V1__Counters *r =
		mgmt_pb_new(&fhswitch__v1__counters__descriptor);
	const struct hal_config *c;
	struct hal_l2_stats l2 = {0};

	if (r == NULL) {
		mgmt_error_set(st, -ENOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_lock(&s->lock);
	c = &s->cfg;
	for (size_t i = 0; i < n_names; i++) {
		bool found = false;

		for (size_t k = 0; k < c->n_flows && !found; k++) {
			found = strcmp(c->flows[k].name, names[i]) == 0;
		}
		if (!found) {
			pthread_mutex_unlock(&s->lock);
			mgmt_pb_free(r);
			mgmt_error_set(st, -ENOENT,
				       "flows[%zu]: no flow named \"%s\"", i,
				       names[i]);
			return NULL;
		}
	}
	r->ports = calloc(c->n_ports ? c->n_ports : 1, sizeof(*r->ports));
	r->flows = calloc(c->n_flows ? c->n_flows : 1, sizeof(*r->flows));
	r->l2 = mgmt_pb_new(&fhswitch__v1__l2_counters__descriptor);
	if (r->ports == NULL || r->flows == NULL || r->l2 == NULL) {
		pthread_mutex_unlock(&s->lock);
		mgmt_pb_free(r);
		mgmt_error_set(st, -ENOMEM, "out of memory");
		return NULL;
	}
	for (unsigned p = 0; p < c->n_ports; p++) {
		Fhswitch__V1__PortCounters *pc =
			mgmt_pb_new(&fhswitch__v1__port_counters__descriptor);
		struct hal_port_stats ps = {0};

		if (pc == NULL) {
			break;
		}
		hal_port_stats(s->hal, p, &ps);
		pc->name = mgmt_strdup(c->ports[p].name);
		pc->rx_packets = ps.rx_packets;
		pc->tx_packets = ps.tx_packets;
		pc->rx_bytes = ps.rx_bytes;
		pc->tx_bytes = ps.tx_bytes;
		pc->drops = ps.drops;
		if (ps.drops_unknown) {
			pc->unsupported = calloc(1, sizeof(*pc->unsupported));
			if (pc->unsupported != NULL) {
				pc->unsupported[0] = mgmt_strdup("drops");
				pc->n_unsupported =
					pc->unsupported[0] != NULL ? 1 : 0;
			}
		}
		pc->ptp = ptp_counters(s->hal, p);
		r->ports[r->n_ports++] = pc;
	}
	for (size_t i = 0; i < c->n_flows; i++) {
		Fhswitch__V1__FlowCounters *fc;
		struct hal_flow_stats fs = {0};

		if (!mgmt_svc_named(c->flows[i].name, names, n_names)) {
			continue;
		}
		fc = mgmt_pb_new(&fhswitch__v1__flow_counters__descriptor);
		if (fc == NULL) {
			break;
		}
		hal_flow_stats(s->hal, c->flows[i].name, &fs);
		fc->name = mgmt_strdup(c->flows[i].name);
		fc->rx_total = fs.rx_total;
		fc->rx_on_time = fs.rx_on_time;
		fc->rx_early = fs.rx_early;
		fc->rx_late = fs.rx_late;
		fc->rx_corrupt = fs.rx_corrupt;
		fc->rx_seqid_err = fs.rx_seqid_err;
		fc->tx_total = fs.tx_total;
		fc->tx_mirror = fs.tx_mirror;
		fc->rx_late_local = fs.rx_late_local;
		mgmt_svc_counter_names(fs.unsupported, &fc->unsupported,
				       &fc->n_unsupported);
		r->flows[r->n_flows++] = fc;
	}
	r->combine_groups = calloc(c->n_groups ? c->n_groups : 1,
				   sizeof(*r->combine_groups));
	for (unsigned g = 0; r->combine_groups != NULL && g < c->n_groups;
	     g++) {
		Fhswitch__V1__CombineGroupCounters *gc =
			combine_counters(s->hal, c, &c->groups[g]);

		if (gc != NULL) {
			r->combine_groups[r->n_combine_groups++] = gc;
		}
	}
	if (with_eaxc) {
		eaxc_counters(s->hal, c, r);
	}
	hal_l2_stats(s->hal, &l2);
	r->l2->forwarded = l2.forwarded;
	r->l2->flooded = l2.flooded;
	r->timestamp_ns = realtime_ns();
	r->config_version = s->version;
	pthread_mutex_unlock(&s->lock);
	return r;
}

void mgmt_rpc_counters_get(void *svc, const struct mgmt_call_info *ci,
			   const ProtobufCMessage *req, ProtobufCMessage **resp,
			   struct mgmt_error *st)
{
	const Fhswitch__V1__GetCountersRequest *q = (const void *)req;
	Fhswitch__V1__Counters *r;

	(void)ci;
	r = read_counters(SVC(svc), q->flows, q->n_flows, q->eaxc, st);
	if (r != NULL) {
		*resp = &r->base;
	}
}

struct watch {
	Fhswitch__V1__WatchCountersRequest *req;
	struct timespec next;
	uint32_t sent;
	uint8_t *last; /* packed counters of the last sample (on_change) */
	size_t last_len;
};

static int watch_start(void *svc, const struct mgmt_call_info *ci,
		       const ProtobufCMessage *req, void **state,
		       struct mgmt_error *st)
{
	const Fhswitch__V1__WatchCountersRequest *q = (const void *)req;
	struct watch *w;
	Fhswitch__V1__Counters *probe;

	(void)ci;
	if (q->interval_ms != 0 &&
	    (q->interval_ms < 10 || q->interval_ms > 60000)) {
		return mgmt_error_set(st, -EINVAL,
				      "interval_ms: %u is out of range "
				      "10..60000",
				      q->interval_ms);
	}
	probe = read_counters(SVC(svc), q->flows, q->n_flows, q->eaxc, st);
	if (probe == NULL) {
		return st->err;
	}
	mgmt_pb_free(probe);
	w = calloc(1, sizeof(*w));
	if (w == NULL || (w->req = mgmt_pb_clone(req)) == NULL) {
		free(w);
		return mgmt_error_set(st, -ENOMEM, "out of memory");
	}
	clock_gettime(CLOCK_MONOTONIC, &w->next);
	*state = w;
	return 0;
}

static int64_t ms_until(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (t->tv_sec - now.tv_sec) * 1000 +
	       (t->tv_nsec - now.tv_nsec) / 1000000;
}

static int watch_next(void *svc, void *state, ProtobufCMessage **msg,
		      uint32_t *wait_ms, struct mgmt_error *st)
{
	struct watch *w = state;
	uint32_t interval = w->req->interval_ms ? w->req->interval_ms : 1000;
	Fhswitch__V1__Counters *c;
	int64_t left = ms_until(&w->next);

	if (w->req->max_samples != 0 && w->sent >= w->req->max_samples) {
		st->err = 0;
		return -1;
	}
	if (left > 0) {
		*wait_ms = (uint32_t)left;
		return 0;
	}
	w->next.tv_nsec += (long)(interval % 1000) * 1000000;
	w->next.tv_sec += interval / 1000 + w->next.tv_nsec / 1000000000;
	w->next.tv_nsec %= 1000000000;
	*wait_ms = interval;
	c = read_counters(SVC(svc), w->req->flows, w->req->n_flows,
			  w->req->eaxc, st);
	if (c == NULL) {
		return -1; /* a watched flow was deleted: NOT_FOUND ends it */
	}
	if (w->req->on_change) {
		/* compare without the timestamp */
		int64_t ts = c->timestamp_ns;
		size_t n;
		uint8_t *buf;

		c->timestamp_ns = 0;
		n = protobuf_c_message_get_packed_size(&c->base);
		buf = malloc(n ? n : 1);
		if (buf != NULL) {
			protobuf_c_message_pack(&c->base, buf);
			if (w->last != NULL && n == w->last_len &&
			    memcmp(buf, w->last, n) == 0) {
				free(buf);
				mgmt_pb_free(c);
				return 0;
			}
			free(w->last);
			w->last = buf;
			w->last_len = n;
		}
		c->timestamp_ns = ts;
	}
	w->sent++;
	*msg = &c->base;
	return 1;
}

static void watch_free(void *svc, void *state)
{
	struct watch *w = state;

	(void)svc;
	if (w != NULL) {
		mgmt_pb_free(w->req);
		free(w->last);
		free(w);
	}
}

const struct mgmt_stream_ops mgmt_rpc_counters_watch_ops = {
	.start = watch_start,
	.next = watch_next,
	.free = watch_free,
};
