/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FHSWD_METRICS_H
#define FHSWD_METRICS_H

#include <stddef.h>

#include "hal.h"
#include "mgmt_store.h"

/*
 * Prometheus text exposition (format 0.0.4) of the switch's counters at
 * http://ADDR/metrics, served by libmicrohttpd from its own thread:
 * ports, flows (O-RAN counters, the flow as a label), PTP per port, L2,
 * the residence-time histogram (with --residence), build info and the
 * running config version.  Counters a backend cannot count are left out
 * (absent, not 0).
 */
struct fh_metrics;

/*
 * Serve on addr: "PORT" (127.0.0.1), "HOST:PORT" or "[IPV6]:PORT".
 * Call from a thread off the forwarding cores: the server's thread
 * inherits its CPU set.
 * @return 0 with *out set; -EINVAL (address, with err saying why);
 *         -EADDRINUSE or another bind error; -ENOMEM.
 */
int fh_metrics_start(const char *addr, struct hal *h, struct mgmt_store *s,
		     const char *version, struct fh_metrics **out, char *err,
		     size_t errlen);

/* Stop serving and free.  Accepts NULL. */
void fh_metrics_stop(struct fh_metrics *m);

/* The exposition text now (malloc'd, NUL-terminated); NULL if out of
 * memory. */
char *fh_metrics_render(struct fh_metrics *m);

#endif
