/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MGMT_STORE_H
#define MGMT_STORE_H

/*
 * Private to mgmt_store.c and mgmt_api.c: the versioned configuration
 * store behind the services (see mgmt_api.h for the contract).
 */
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "fhswitch/v1/api.pb-c.h"
#include "mgmt_api.h"
#include "mgmt_config.h"

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

struct mgmt_svc {
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
	void (*roles_cb)(void *arg, struct mgmt_svc *s);
	void *roles_arg;
};

/* protobuf-c messages on the system allocator (freeable by
 * protobuf_c_message_free_unpacked with a NULL allocator) */
void *pb_new(const ProtobufCMessageDescriptor *d);
void *pb_clone(const ProtobufCMessage *m);
void pb_free(void *m);
char *dupstr(const char *s);

/* Atomic write of the config as JSON (temp file, fsync, rename, fsync of
 * the directory), then of PATH.state: its version number, so that a
 * restart goes on counting.  0 or -errno with the reason in err. */
int persist(const char *path, const pb_config *c, uint64_t version,
	    char *err, size_t errlen);

/* mgmt.role_bindings are well-formed; 0 or the status code. */
int check_roles(const pb_config *c, struct mgmt_status *st);

/*
 * The one commit path (caller holds s->lock; takes ownership of next):
 * validate -> HAL apply -> persist (unless persist_now is false: a
 * confirmed commit) -> version + 1 -> history.  On failure the running
 * config is untouched.  Returns 0 or the status code set in st.
 */
int commit_locked(struct mgmt_svc *s, pb_config *next, const char *identity,
		  const char *comment, bool persist_now, struct mgmt_status *st);

#endif
