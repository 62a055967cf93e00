/* SPDX-License-Identifier: Apache-2.0 */
/* The gRPC services over the configuration store and the HAL: System. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mgmt_store.h"
#include "services.h"

/* ---- System -------------------------------------------------------------------- */

void mgmt_rpc_system_version(void *svc, const struct mgmt_call_info *ci,
			     const ProtobufCMessage *req,
			     ProtobufCMessage **resp, struct mgmt_error *st)
{
	struct mgmt_store *s = SVC(svc);
	Fhswitch__V1__VersionResponse *r =
		mgmt_pb_new(&fhswitch__v1__version_response__descriptor);
	struct timespec now;

	(void)ci;
	(void)req;
	if (r == NULL) {
		mgmt_error_set(st, -ENOMEM, "out of memory");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	r->version = mgmt_strdup(FHSWITCH_VERSION);
	pthread_mutex_lock(&s->lock);
	r->backend = mgmt_strdup(s->cfg.backend);
	r->config_version = s->version;
	r->degraded = mgmt_strdup(s->degraded);
	pthread_mutex_unlock(&s->lock);
	r->uptime_s = (double)(now.tv_sec - s->start.tv_sec) +
		      (double)(now.tv_nsec - s->start.tv_nsec) / 1e9;
	*resp = &r->base;
}

void mgmt_rpc_system_caps(void *svc, const struct mgmt_call_info *ci,
			  const ProtobufCMessage *req, ProtobufCMessage **resp,
			  struct mgmt_error *st)
{
	struct mgmt_store *s = SVC(svc);
	Fhswitch__V1__Capabilities *r =
		mgmt_pb_new(&fhswitch__v1__capabilities__descriptor);
	struct hal_caps c;

	(void)ci;
	(void)req;
	if (r == NULL) {
		mgmt_error_set(st, -ENOMEM, "out of memory");
		return;
	}
	hal_capabilities(s->hal, &c);
	r->backend = mgmt_strdup(s->cfg.backend);
	r->match_eaxc = c.match_eaxc;
	r->match_plane = c.match_plane;
	r->match_direction = c.match_direction;
	r->match_udp = c.match_udp;
	r->act_set_eaxc = c.act_set_eaxc;
	r->act_replicate = c.act_replicate;
	r->act_mirror = c.act_mirror;
	r->window_check = c.window_check;
	r->offload = c.offload;
	r->max_ports = c.max_ports;
	r->max_flows = c.max_flows;
	r->act_set_mac = c.act_set_mac;
	r->ptp_transparent = c.ptp_transparent;
	r->port_dialects = c.port_dialects;
	r->iq_convert = c.iq_convert;
	r->combine = c.combine;
	mgmt_svc_counter_names(c.unsupported_counters, &r->unsupported_counters,
			       &r->n_unsupported_counters);
	*resp = &r->base;
}

void mgmt_rpc_system_save(void *svc, const struct mgmt_call_info *ci,
			  const ProtobufCMessage *req, ProtobufCMessage **resp,
			  struct mgmt_error *st)
{
	struct mgmt_store *s = SVC(svc);
	Fhswitch__V1__SaveConfigResponse *r;
	char err[MGMT_CONFIG_ERR_LEN];
	int ret;

	(void)ci;
	(void)req;
	pthread_mutex_lock(&s->lock);
	if (s->pending) {
		mgmt_error_set(st, -EBUSY,
			       "a confirmed commit awaits Confirm: saving "
			       "now would make it permanent");
	} else if ((ret = mgmt_store_persist(s->path, s->running, s->version,
					     err, sizeof(err))) < 0) {
		mgmt_error_set(st, mgmt_store_persist_err(ret), "%s", err);
	} else if ((r = mgmt_pb_new(
			    &fhswitch__v1__save_config_response__descriptor)) ==
		   NULL) {
		mgmt_error_set(st, -ENOMEM, "out of memory");
	} else {
		r->path = mgmt_strdup(s->path);
		r->version = s->version;
		*resp = &r->base;
	}
	pthread_mutex_unlock(&s->lock);
}
