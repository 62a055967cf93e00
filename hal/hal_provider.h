/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HAL_PROVIDER_H
#define HAL_PROVIDER_H

#include "hal.h"

/*
 * The backend contract (after Open vSwitch's netdev_class and SAI).  Each
 * op returns 0 or a negative errno.  Ops marked optional may be NULL: hal.c
 * then answers -EOPNOTSUPP.  A backend embeds struct hal first and
 * recovers its own state with container_of().  hal.c has already checked
 * that pointer arguments are non-NULL and indices are in range.
 */
struct hal_class {
	const char *type; /* "dpdk", "switchdev" */

	/* Create the backend's state.  Does not forward until run. */
	int (*open)(const struct hal_params *p, struct hal **out);
	/* Stop and free everything the backend created.  Accepts NULL. */
	void (*close)(struct hal *h);
	/* What the backend can express (never fails). */
	void (*capabilities)(const struct hal *h, struct hal_caps *caps);
	/*
	 * Make cfg the running configuration, atomically: forwarding goes on
	 * under the old config until the new one is complete, and on failure
	 * the old one stays.  cfg is borrowed: copy what is kept.  msg
	 * (msglen bytes) names the offending part on error.
	 * -EOPNOTSUPP, -ENODEV, -EBUSY (ports cannot change while running),
	 * -EINVAL, -ENOMEM.
	 */
	int (*apply)(struct hal *h, const struct hal_config *cfg, char *msg,
		     size_t msglen);
	/*
	 * Forward on the calling thread (and the backend's own workers) until
	 * stop is called from another thread.  Backends whose forwarding runs
	 * elsewhere (an ASIC) block until stop.
	 */
	int (*run)(struct hal *h);
	/* Ask run to return; callable from any thread or a signal-safe
	 * context (it only stores a flag). */
	void (*stop)(struct hal *h);
	int (*port_stats)(struct hal *h, unsigned port,
			  struct hal_port_stats *out);
	/* -ENOENT if no running flow has that name. */
	int (*flow_stats)(struct hal *h, const char *name,
			  struct hal_flow_stats *out);
	/* -ENOENT if no running flow has that name. */
	int (*flow_status)(struct hal *h, const char *name,
			   struct hal_flow_status *out);

	/* optional */
	int (*l2_stats)(struct hal *h, struct hal_l2_stats *out);
	int (*idle_ns)(struct hal *h, uint64_t *ns);
	int (*inject)(struct hal *h, unsigned port, const char *pcap_path,
		      unsigned count);
	/* Residence-time histogram: counts[i] packets took [2^i, 2^(i+1))
	 * TSC ticks; *hz the TSC rate. */
	int (*residence)(struct hal *h, uint64_t counts[64], uint64_t *hz);
};

struct hal {
	const struct hal_class *cls;
	unsigned n_ports; /* of the running config */
};

extern const struct hal_class hal_dpdk_class;
extern const struct hal_class hal_switchdev_class;

#endif
