/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MGMT_API_H
#define MGMT_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal.h"
#include "mgmt_rpc.h"

/*
 * The switch's management services: the running configuration as a
 * versioned, persisted, audited transaction store over the HAL, and the
 * gRPC methods on top of it (Config, Ports, Flows, CountersService,
 * System).  Every change, from gRPC, SIGHUP or a confirmed-commit timeout,
 * goes through one path: validate everything -> HAL apply (the HAL swaps
 * atomically; on failure the running config stays) -> persist the startup
 * file atomically (temp file, fsync, rename, fsync of the directory) ->
 * version + 1 -> history.  A mutex serialises the control-plane callers
 * (never taken on a forwarding lcore).
 */

struct mgmt_svc;

/*
 * Load the startup file, validate it, apply it to h and make it version 1.
 * config_path is where commits persist.  @return 0, or a negative errno
 * with the reason ("FILE: PATH: reason") in err.
 */
int mgmt_svc_open(struct hal *h, const char *config_path,
		  struct mgmt_svc **out, char *err, size_t errlen);
void mgmt_svc_close(struct mgmt_svc *s);

/* The gRPC method table (static). */
const struct mgmt_method *mgmt_svc_methods(size_t *n);

/* Role bindings of the running config, for the transport. */
size_t mgmt_svc_roles(struct mgmt_svc *s, struct mgmt_role_binding *out,
		      size_t max);

/* SIGHUP: commit the startup file as it is now on disk.  0 or -errno
 * with the reason in err. */
int mgmt_svc_reload(struct mgmt_svc *s, char *err, size_t errlen);

/* Periodic work (confirmed-commit deadline); call every few ms. */
void mgmt_svc_tick(struct mgmt_svc *s);

/* The running validated config (for counters output at exit). */
const struct hal_config *mgmt_svc_running(struct mgmt_svc *s);
uint64_t mgmt_svc_version(struct mgmt_svc *s);

/* Callers authenticate with certificates: a gRPC commit must keep at
 * least one ACCESS_ADMIN role binding (no lock-out). */
void mgmt_svc_set_tls(struct mgmt_svc *s, bool on);

/* Data path serving state for grpc.health.v1. */
bool mgmt_svc_serving(void *svc);
void mgmt_svc_set_serving(struct mgmt_svc *s, bool on);

/* Set by the transport owner to learn about role changes. */
void mgmt_svc_on_roles_changed(struct mgmt_svc *s,
			       void (*cb)(void *arg, struct mgmt_svc *s),
			       void *arg);

#endif
