/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MGMT_STORE_H
#define MGMT_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "fhswitch/v1/api.pb-c.h"
#include "hal.h"
#include "mgmt_config.h"
#include "mgmt_json.h"
#include "mgmt_rpc.h"

/*
 * The configuration store: the running configuration as a versioned,
 * persisted, audited transaction store over the HAL, which the services
 * (mgmt/services/) serve over gRPC.  Every change, from gRPC, SIGHUP or a confirmed-commit timeout,
 * goes through one path: validate everything -> HAL apply (the HAL swaps
 * atomically; on failure the running config stays) -> persist the startup
 * file atomically (temp file, fsync, rename, fsync of the directory) ->
 * version + 1 -> history.  A mutex serialises the control-plane callers
 * (never taken on a forwarding lcore).
 */

struct mgmt_store;

/*
 * Load the startup file, validate it, apply it to h and make it version 1.
 * config_path is where commits persist.  @return 0, or a negative errno
 * with the reason ("FILE: PATH: reason") in err.
 */
int mgmt_store_open(struct hal *h, const char *config_path,
		    struct mgmt_store **out, char *err, size_t errlen);
void mgmt_store_close(struct mgmt_store *s);

/* Role bindings of the running config, for the transport. */
size_t mgmt_store_roles(struct mgmt_store *s, struct mgmt_role_binding *out,
			size_t max);

/* SIGHUP: commit the startup file as it is now on disk.  0 or -errno
 * with the reason in err. */
int mgmt_store_reload(struct mgmt_store *s, char *err, size_t errlen);

/* Periodic work (confirmed-commit deadline); call every few ms. */
void mgmt_store_tick(struct mgmt_store *s);

/* The running validated config (for counters output at exit). */
const struct hal_config *mgmt_store_running(struct mgmt_store *s);
uint64_t mgmt_store_version(struct mgmt_store *s);

/* Callers authenticate with certificates: a gRPC commit must keep at
 * least one ACCESS_ADMIN role binding (no lock-out). */
void mgmt_store_set_tls(struct mgmt_store *s, bool on);

/* Why the store is degraded, "" if it is not (under s->lock: copy). */
void mgmt_store_degraded(struct mgmt_store *s, char *buf, size_t len);

/* Data path serving state for grpc.health.v1: false while stopping or
 * degraded. */
bool mgmt_store_serving(void *svc);
void mgmt_store_set_serving(struct mgmt_store *s, bool on);

/* Set by the transport owner to learn about changes: after every commit
 * (role bindings may have changed) and when the store becomes degraded
 * or recovers (health). */
void mgmt_store_on_changed(struct mgmt_store *s,
			   void (*cb)(void *arg, struct mgmt_store *s),
			   void *arg);

/* ---- for the services (mgmt/services/), under s->lock ---------------------- */

#define HISTORY 16
#define MAX_ROLES 64

typedef Fhswitch__V1__SwitchConfig pb_config;

struct history_entry {
	uint64_t version;
	int64_t unix_s;
	char identity[128];
	char comment[128];
	pb_config *config;
};

struct mgmt_store {
	pthread_mutex_t lock;
	struct hal *hal;
	char *path;
	pb_config *running;
	struct hal_config cfg;
	uint64_t version;
	struct history_entry hist[HISTORY]; /* hist[0] newest */
	unsigned n_hist;
	/* confirmed commit: what to go back to when the deadline passes */
	bool pending;
	struct timespec deadline;
	pb_config *before_pending;
	struct timespec start;
	bool serving;
	bool tls; /* callers are identified: keep an admin binding */
	/* "": healthy; else why the HAL may not run the running config (a
	 * failed commit whose undo failed too); health is NOT_SERVING */
	char degraded[MGMT_CONFIG_ERR_LEN];
	void (*changed_cb)(void *arg, struct mgmt_store *s);
	void *changed_arg;
};

/* Atomic write of the config as JSON (temp file, fsync, rename, fsync of
 * the directory), then of PATH.state: its version number, so that a
 * restart goes on counting.  0 or -errno with the reason in err. */
/* What a failed mgmt_store_persist() means to a client: -ENOSPC (disk
 * full: RESOURCE_EXHAUSTED) or -EAGAIN (any other disk error: UNAVAILABLE,
 * worth a retry once the disk is back); -ENOMEM as it is. */
int mgmt_store_persist_err(int err);
int mgmt_store_persist(const char *path, const pb_config *c, uint64_t version,
		       char *err, size_t errlen);

/* mgmt.role_bindings are well-formed; 0 or the status code. */
int mgmt_store_check_roles(const pb_config *c, struct mgmt_error *st);

/*
 * The one commit path (caller holds s->lock; takes ownership of next):
 * validate -> HAL apply -> persist (unless persist_now is false: a
 * confirmed commit) -> version + 1 -> history.  On failure the running
 * config is untouched.  Returns 0 or the status code set in st.
 */
int mgmt_store_commit_locked(struct mgmt_store *s, pb_config *next,
			     const char *identity, const char *comment,
			     bool persist_now, struct mgmt_error *st);

#endif
