/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MGMT_HEALTH_H
#define MGMT_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#include "mgmt_rpc.h"

/*
 * grpc.health.v1.Health written against mgmt_rpc.h like any service: the
 * transport registers Check (unary) and Watch (stream) with svc pointing
 * to a struct mgmt_health.
 */
struct mgmt_health {
	bool (*serving)(void *svc); /* NULL: always serving */
	void *svc;
	/* service names Check / Watch know besides "" (the whole server) */
	char *const *services;
	size_t n_services;
};

/* How often Watch re-reads serving() when nothing tells it. */
#define MGMT_HEALTH_POLL_MS 100

/* Check: SERVING / NOT_SERVING; an unknown service is NOT_FOUND. */
void mgmt_health_check(void *health, const struct mgmt_call_info *ci,
		       const ProtobufCMessage *req, ProtobufCMessage **resp,
		       struct mgmt_error *st);

/* Watch: the current status at once, then every change; an unknown
 * service gets SERVICE_UNKNOWN and the stream stays open. */
extern const struct mgmt_stream_ops mgmt_health_watch_ops;

#endif
