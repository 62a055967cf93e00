/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HAL_PROVIDER_H
#define HAL_PROVIDER_H

#include <stddef.h>

#include "hal.h"

/*
 * The backend contract (after Open vSwitch's netdev-provider.h and SAI).
 * This header is all a backend author needs: write one file that defines
 * a `const struct hal_class`, list it with fh_hal_backend() in
 * hal/CMakeLists.txt (which generates the registry), and nothing else in
 * the tree changes: fhswd, fhctl and the config validation find backends
 * by name through the registry.
 *
 * Errors.  Every op that returns int returns 0 or a negative errno:
 *   -EINVAL      arguments, options or a config the backend refuses
 *   -ENOENT      no such port / flow / file
 *   -ENODEV      a port's device does not exist
 *   -EBUSY       the change needs a restart (e.g. ports while running)
 *   -ENOSPC      a table is full
 *   -ENOMEM      out of memory
 *   -EOPNOTSUPP  the backend cannot do it
 *   -EPERM, -EACCES  missing privileges
 * Nothing else crosses this boundary: translate library errors (rte_errno,
 * -NLE_*) in the backend.  Messages (msg, msglen) name the config part at
 * fault the way the config's JSON does ("ports[2].device: ...").
 *
 * Threads and locking.  hal.c serialises every op marked [serialised]
 * with one mutex per struct hal: a backend never sees two of them at
 * once and needs no lock of its own for its control state.  Ops marked
 * [any thread] run without that mutex, concurrently with anything
 * (including each other and a running apply): they may touch only
 * immutable or atomic state.  In detail:
 *   open                 alone, before anything else on that hal
 *   close                alone, after run has returned (or never ran)
 *   run                  on the thread that forwards, concurrently with
 *                        every [serialised] op and every [any thread] op
 *   stop                 [any thread], async-signal-safe
 *   capabilities         [any thread]
 *   everything else      [serialised]
 *
 * Ownership.  Pointers passed to an op are borrowed for the call: copy
 * what is kept (open's argv excepted: see hal_params).  A backend embeds
 * struct hal first and recovers its state with hal_container_of(); hal.c
 * sets the embedded cls and n_ports.
 *
 * Arguments.  hal.c has already checked that pointers are non-NULL,
 * ports are < the running config's port count, and that a config stays
 * within capabilities() (hal_check); ops marked optional may be NULL and
 * hal.c then answers -EOPNOTSUPP (thread_create: a plain pthread).
 */
struct hal_class {
	const char *type; /* "dpdk", "switchdev": < HAL_TYPE_LEN bytes */

	/* Create the backend's state; does not forward until run.  p's
	 * argc/argv are the backend's command-line arguments, p->options
	 * its open options: refuse what it does not know with -EINVAL. */
	int (*open)(const struct hal_params *p, struct hal **out, char *msg,
		    size_t msglen);
	/* Stop and free everything the backend created.  Accepts NULL. */
	void (*close)(struct hal *h);
	/* What the backend can express (never fails).  [any thread]
	 * h NULL: what any instance can (validation offline; workers and
	 * offload then read 0). */
	void (*capabilities)(const struct hal *h, struct hal_caps *caps);
	/*
	 * Make cfg the running configuration, atomically: forwarding goes on
	 * under the old config until the new one is complete, and on failure
	 * the old one stays.  -EOPNOTSUPP, -ENODEV, -EBUSY, -EINVAL, -ENOSPC,
	 * -ENOMEM.
	 */
	int (*apply)(struct hal *h, const struct hal_config *cfg, char *msg,
		     size_t msglen);
	/*
	 * Forward on the calling thread (and the backend's own workers) until
	 * stop is called from another thread.  Backends whose forwarding runs
	 * elsewhere (an ASIC) block until stop.
	 */
	int (*run)(struct hal *h);
	/* Ask run to return.  [any thread], async-signal-safe. */
	void (*stop)(struct hal *h);
	int (*port_stats)(struct hal *h, unsigned port,
			  struct hal_port_stats *out);
	/* -ENOENT if no running flow has that name; out arrives zeroed. */
	int (*flow_stats)(struct hal *h, const char *name,
			  struct hal_flow_stats *out);
	/* -ENOENT if no running flow has that name; out arrives zeroed. */
	int (*flow_status)(struct hal *h, const char *name,
			   struct hal_flow_status *out);

	/* ---- optional ---- */

	/* Check the config's backend options (no hal needed: validation
	 * offline).  NULL: the backend reads no config option and ignores
	 * any given.  msg starts with the option's key. */
	int (*check_options)(const struct hal_options *o, char *msg,
			     size_t msglen);
	int (*l2_stats)(struct hal *h, struct hal_l2_stats *out);
	/* out arrives zeroed; port is in range */
	int (*ptp_stats)(struct hal *h, unsigned port,
			 struct hal_ptp_stats *out);
	/* out arrives zeroed */
	int (*combine_stats)(struct hal *h, const char *name,
			     struct hal_combine_stats *out);
	/* *out, *n and *untracked arrive zeroed / NULL */
	int (*eaxc_stats)(struct hal *h, struct hal_eaxc_stats **out, size_t *n,
			  uint64_t *untracked);
	int (*idle_ns)(struct hal *h, uint64_t *ns);
	/* Called before run only; *sent counts what went out. */
	int (*inject)(struct hal *h, unsigned port, const char *pcap_path,
		      unsigned count, unsigned *sent);
	/* Residence-time histogram (struct hal_residence); out arrives
	 * zeroed. */
	int (*residence)(struct hal *h, struct hal_residence *out);
	/* A thread off the forwarding cores.  [any thread] */
	int (*thread_create)(struct hal *h, pthread_t *t, const char *name,
			     void *(*fn)(void *), void *arg);
};

struct hal {
	const struct hal_class *cls;
	unsigned n_ports; /* of the running config */
	pthread_mutex_t lock; /* hal.c's: serialises the control ops */
};

/* The backend state that embeds hal as its member `member`. */
#define hal_container_of(h, type, member) \
	((type *)(void *)((char *)(h)-offsetof(type, member)))

/*
 * Add a backend to the registry (the built-in ones are added on first
 * use, from the list hal/CMakeLists.txt generates).
 * @return 0; -EINVAL if a required op is missing or the type is empty or
 *         too long; -EEXIST if the type is taken; -ENOSPC if the
 *         registry is full.
 */
int hal_class_register(const struct hal_class *cls);

/* The registered backend of that type, NULL if none. */
const struct hal_class *hal_class_find(const char *type);

#endif
