/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc/health/v1/health.pb-c.h"
#include "mgmt_health.h"

typedef Grpc__Health__V1__HealthCheckRequest health_req;
typedef Grpc__Health__V1__HealthCheckResponse health_resp;

#define SERVING GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
#define NOT_SERVING \
	GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING
#define SERVICE_UNKNOWN \
	GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN

static int status_of(const struct mgmt_health *h, const char *service)
{
	bool known = service == NULL || service[0] == '\0';

	for (size_t i = 0; i < h->n_services && !known; i++) {
		known = strcmp(h->services[i], service) == 0;
	}
	if (!known) {
		return SERVICE_UNKNOWN;
	}
	return h->serving == NULL || h->serving(h->svc) ? SERVING : NOT_SERVING;
}

static health_resp *health_msg(int status)
{
	health_resp *r = malloc(sizeof(*r));

	if (r != NULL) {
		grpc__health__v1__health_check_response__init(r);
		r->status = status;
	}
	return r;
}

void mgmt_health_check(void *health, const struct mgmt_call_info *ci,
		       const ProtobufCMessage *req, ProtobufCMessage **resp,
		       struct mgmt_error *st)
{
	const health_req *q = (const health_req *)req;
	int s = status_of(health, q->service);
	health_resp *r;

	(void)ci;
	if (s == SERVICE_UNKNOWN) {
		st->err = -ENOENT;
		snprintf(st->message, sizeof(st->message),
			 "unknown service \"%.400s\"", q->service);
		return;
	}
	r = health_msg(s);
	if (r == NULL) {
		st->err = -ENOMEM;
		snprintf(st->message, sizeof(st->message), "out of memory");
		return;
	}
	*resp = &r->base;
}

struct watch {
	char *service;
	int last; /* -1: nothing sent yet */
};

static int watch_start(void *health, const struct mgmt_call_info *ci,
		       const ProtobufCMessage *req, void **state,
		       struct mgmt_error *st)
{
	const health_req *q = (const health_req *)req;
	struct watch *w = calloc(1, sizeof(*w));

	(void)health;
	(void)ci;
	if (w == NULL || (w->service = strdup(q->service)) == NULL) {
		free(w);
		st->err = -ENOMEM;
		snprintf(st->message, sizeof(st->message), "out of memory");
		return st->err;
	}
	w->last = -1;
	*state = w;
	return 0;
}

static int watch_next(void *health, void *state, ProtobufCMessage **msg,
		      uint32_t *wait_ms, struct mgmt_error *st)
{
	struct watch *w = state;
	int s = status_of(health, w->service);
	health_resp *r;

	(void)st;
	*wait_ms = MGMT_HEALTH_POLL_MS;
	if (s == w->last) {
		return 0;
	}
	r = health_msg(s);
	if (r == NULL) {
		return 0; /* try again on the next poll */
	}
	w->last = s;
	*msg = &r->base;
	return 1;
}

static void watch_free(void *health, void *state)
{
	struct watch *w = state;

	(void)health;
	if (w != NULL) {
		free(w->service);
		free(w);
	}
}

const struct mgmt_stream_ops mgmt_health_watch_ops = {
	.start = watch_start,
	.next = watch_next,
	.free = watch_free,
};
