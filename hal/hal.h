/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HAL_H
#define HAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fh/airtime.h"
#include "fh/comp.h"
#include "fh/counters.h"
#include "fh/eaxc.h"
#include "fh/flow.h"

/*
 * The hardware abstraction layer: one API over forwarding engines (the
 * DPDK fronthaul data path, switchdev ASICs).  The management plane hands
 * it a validated configuration as C structs, never protobuf; every call
 * returns 0 or a negative errno.
 */

#define HAL_MAX_PORTS FH_MAX_PORTS
#define HAL_NAME_LEN 32
#define HAL_DEVICE_LEN 128
#define HAL_MAX_FDB 1024
#define HAL_MAX_FLOWS 4096
#define HAL_TYPE_LEN 16
#define HAL_MAX_OPTIONS 16
#define HAL_OPTION_LEN 128

enum hal_port_role {
	HAL_ROLE_UNSPECIFIED = 0,
	HAL_ROLE_DU = 1,
	HAL_ROLE_RU = 2,
	HAL_ROLE_TRUNK = 3,
	HAL_ROLE_MGMT = 4,
};

/* The S-plane: what the switch is to PTP (config ptp.mode). */
enum hal_ptp_mode {
	HAL_PTP_BRIDGE = 0, /* bridged, unchanged */
	HAL_PTP_TRANSPARENT = 1, /* an end-to-end transparent clock */
};

struct hal_port_cfg {
	char name[HAL_NAME_LEN];
	char device[HAL_DEVICE_LEN]; /* DPDK device or Linux netdev */
	uint8_t role; /* enum hal_port_role */
	uint16_t mtu; /* 0 = backend default */
	uint16_t native_vlan; /* 0 = none: untagged frames dropped
					unless no VLAN list is given */
	uint16_t n_allowed_vlans; /* 0 = all VLANs allowed */
	uint16_t allowed_vlans[64];
	/* the port's dialect (ports[].eaxc_layout, ports[].uplane_comp) */
	bool has_layout; /* false: hal_config.layout */
	struct fh_eaxc_layout layout;
	bool has_comp; /* false: IQ passes as it is */
	struct fh_comp comp;
	bool comp_dynamic; /* udCompHdr in each U-plane section */
};

struct hal_fdb_entry {
	uint8_t mac[6];
	uint16_t vlan;
	uint16_t port; /* index into hal_config.ports */
};

/*
 * Settings only one backend understands (Open vSwitch's set_config
 * smap): key/value strings the generic layers carry without reading.
 * The config's "hal.bridge" arrives as the option "bridge"; fhswd's
 * --clock and --residence as the open options "clock" and "residence".
 */
struct hal_option {
	char key[32];
	char value[HAL_OPTION_LEN];
};

struct hal_options {
	unsigned n;
	struct hal_option kv[HAL_MAX_OPTIONS];
};

/* The value of key in o, NULL if absent. */
const char *hal_option_get(const struct hal_options *o, const char *key);

/*
 * Set key to value in o (replacing an earlier value).
 * @return 0; -ENAMETOOLONG if key or value does not fit; -ENOSPC if o
 *         already holds HAL_MAX_OPTIONS other keys.
 */
int hal_option_set(struct hal_options *o, const char *key, const char *value);

/* A shared cell's UL combine group (combine_groups[]). */
#define HAL_MAX_COMBINE 16

struct hal_combine_group {
	char name[64];
	unsigned n_in;
	uint16_t in_ports[HAL_MAX_PORTS]; /* indices into ports */
	uint16_t out_port;
	uint16_t eaxc_id;
	uint16_t eaxc_mask; /* 0 = every UL eAxC */
	uint32_t deadline_us;
};

/* A whole, validated switch configuration. */
struct hal_config {
	char name[64];
	struct fh_eaxc_layout layout;
	struct fh_timing timing;
	unsigned n_ports;
	struct hal_port_cfg ports[HAL_MAX_PORTS];
	size_t n_flows;
	struct fh_flow *flows; /* n_flows entries, ports by index */
	bool learning;
	uint32_t aging_s;
	unsigned n_fdb;
	struct hal_fdb_entry fdb[HAL_MAX_FDB];
	char backend[HAL_TYPE_LEN]; /* a registered hal_class type */
	struct hal_options options; /* the backend's own settings */
	uint8_t ptp_mode; /* enum hal_ptp_mode */
	uint8_t ptp_domains[256 / 8]; /* domains the clock corrects (bits) */
	unsigned n_groups;
	struct hal_combine_group groups[HAL_MAX_COMBINE];
};

/* The eAxC layout port p speaks. */
static inline const struct fh_eaxc_layout *
hal_port_layout(const struct hal_config *cfg, unsigned p)
{
	return cfg->ports[p].has_layout ? &cfg->ports[p].layout : &cfg->layout;
}

/* Do ports a and b code U-plane IQ differently (both declare a coding)? */
static inline bool hal_ports_recode(const struct hal_config *cfg, unsigned a,
				    unsigned b)
{
	const struct hal_port_cfg *x = &cfg->ports[a], *y = &cfg->ports[b];

	return x->has_comp && y->has_comp &&
	       (x->comp.method != y->comp.method ||
		x->comp.iq_width != y->comp.iq_width ||
		x->comp_dynamic != y->comp_dynamic);
}

/* Capabilities: what a backend can express, so a config can be refused
 * up front with a message naming the flow and what is missing. */
struct hal_caps {
	bool match_eaxc;
	bool match_plane;
	bool match_direction;
	bool match_udp;
	bool act_set_eaxc;
	bool act_replicate;
	bool window_check;
	bool act_set_mac; /* rewrite source / destination MAC */
	bool offload; /* rules run in hardware */
	uint32_t unsupported_counters; /* HAL_CTR_* it cannot count */
	bool ptp_transparent; /* PTP_MODE_TRANSPARENT */
	bool port_dialects; /* eAxC translation between ports' layouts */
	bool iq_convert; /* U-plane re-coding between ports' codings */
	bool combine; /* combine_groups (shared cell UL) */
	bool act_mirror; /* flows' mirror_ports */
	unsigned max_ports;
	unsigned max_flows;
	unsigned workers; /* forwarding threads (0: hardware forwards) */
};

struct hal_port_stats {
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	uint64_t drops;
	/* the device drops frames it does not report (a kernel ring that
	 * overflows): drops is a lower bound, shown as unknown */
	bool drops_unknown;
};

/* The flow counters (fh/counters.h), as bits: HAL_CTR_RX_TOTAL, ... */
enum hal_flow_counter_index {
#define HAL_CTR_INDEX(name, NAME) HAL_CTR_I_##NAME,
	FH_FLOW_COUNTERS(HAL_CTR_INDEX)
#undef HAL_CTR_INDEX
		HAL_CTR_COUNT
};

enum hal_flow_counter {
#define HAL_CTR_BIT(name, NAME) HAL_CTR_##NAME = 1u << HAL_CTR_I_##NAME,
	FH_FLOW_COUNTERS(HAL_CTR_BIT)
#undef HAL_CTR_BIT
};

/* The counters a flow's reception window judges (n/a without one). */
#define HAL_CTR_WINDOW                                             \
	(HAL_CTR_RX_ON_TIME | HAL_CTR_RX_EARLY | HAL_CTR_RX_LATE | \
	 HAL_CTR_RX_LATE_LOCAL)

/* "rx_on_time" for HAL_CTR_RX_ON_TIME (the API's field names); NULL for
 * anything else. */
const char *hal_counter_name(uint32_t bit);

/* O-RAN window counters of one flow (o-ran-performance-management names). */
struct hal_flow_stats {
#define HAL_CTR_FIELD(name, NAME) uint64_t name;
	FH_FLOW_COUNTERS(HAL_CTR_FIELD)
#undef HAL_CTR_FIELD
	/* HAL_CTR_* not counted for this flow - the backend cannot, or
	 * (window counters) the flow has no window: those read 0 but are
	 * not 0 */
	uint32_t unsupported;
};

/* The counter of s that bit (one HAL_CTR_*) names; 0 for anything else. */
uint64_t hal_counter_value(const struct hal_flow_stats *s, uint32_t bit);

/* Where a flow's rules run. */
struct hal_flow_status {
	unsigned rules; /* rules programmed for it (filters, table entries) */
	unsigned rules_in_hw; /* of them, running in hardware */
	char detail[HAL_DEVICE_LEN + 128]; /* where and why, for people */
};

#define HAL_PTP_TYPES 16

/* PTP on one port: messages received by messageType, and the event
 * messages the transparent clock corrected on their way out of it. */
/* (filtered: to 01-80-C2-00-00-0E, not forwarded in bridge mode) */
#define HAL_PTP_FIELD(name) uint64_t name;
struct hal_ptp_stats {
	uint64_t rx_type[HAL_PTP_TYPES];
	FH_PTP_COUNTERS(HAL_PTP_FIELD)
};
#undef HAL_PTP_FIELD

/* A combine group's counters (fh/counters.h), and per port index how
 * often that RU's part was missing from a message sent at the deadline. */
#define HAL_COMB_FIELD(name) uint64_t name;
struct hal_combine_stats {
	FH_COMB_COUNTERS(HAL_COMB_FIELD)
	uint64_t missing[HAL_MAX_PORTS];
};
#undef HAL_COMB_FIELD

/* One eAxC stream (FH_EAXC_COUNTERS): messages of an eAxC, plane and
 * direction received on a port, whatever forwarded them. */
#define HAL_EAXC_FIELD(name) uint64_t name;
struct hal_eaxc_stats {
	unsigned port; /* index in the running config */
	uint16_t eaxc_id;
	uint8_t plane; /* FH_PLANE_C, FH_PLANE_U */
	uint8_t direction; /* FH_DIRECTION_UL, FH_DIRECTION_DL */
	bool windowed; /* false: no window judged it (on time ... n/a) */
	FH_EAXC_COUNTERS(HAL_EAXC_FIELD)
};
#undef HAL_EAXC_FIELD

/* "U" / "C" and "UL" / "DL": how tables, JSON and metric labels name a
 * stream's plane and direction. */
static inline const char *hal_plane_str(uint8_t plane)
{
	return plane == FH_PLANE_U ? "U" : "C";
}

static inline const char *hal_direction_str(uint8_t direction)
{
	return direction == FH_DIRECTION_DL ? "DL" : "UL";
}

struct hal_l2_stats {
	uint64_t forwarded;
	uint64_t flooded;
};

struct hal;

/* Parameters to open a backend. */
struct hal_params {
	const char *backend; /* a registered type; NULL or "" = "dpdk" */
	/* The backend's own command-line arguments (fhswd's arguments
	 * before "--": the EAL's for dpdk), argv[0] the program name;
	 * argc 0 = none given.  Borrowed for the call (a backend may keep
	 * pointers into argv until close, as the EAL does). */
	int argc;
	char **argv;
	struct hal_options options; /* open-time settings ("clock", ...) */
};

/*
 * Open the backend named by p->backend.
 * @return 0 with *out set; -ENOENT for an unknown backend (msg lists the
 *         registered ones); -EINVAL for arguments or options the backend
 *         refuses; -ENOMEM; a backend's error otherwise.  msg (msglen
 *         bytes, may be NULL) says what went wrong.
 */
int hal_open(const struct hal_params *p, struct hal **out, char *msg,
	     size_t msglen);

/* Stop forwarding and release everything.  Accepts NULL.  No other call
 * on h may run concurrently or after it. */
void hal_close(struct hal *h);

/* Never fails; any thread. */
void hal_capabilities(const struct hal *h, struct hal_caps *caps);

/*
 * Check a configuration against the capabilities (no side effect).
 * @return 0; -EINVAL for NULL arguments; -EOPNOTSUPP with
 *         "flows[i] ...: reason" in msg.
 */
int hal_check(const struct hal *h, const struct hal_config *cfg, char *msg,
	      size_t msglen);

/*
 * hal_check without a running backend (validation offline, before
 * start-up): cfg's backend must be registered, take its options and be
 * able to express cfg (what any instance of it can).
 * @return 0; -EINVAL for NULL; -ENOENT (no such backend); -EINVAL (an
 *         option); -EOPNOTSUPP with the same message hal_check gives.
 */
int hal_check_offline(const struct hal_config *cfg, char *msg, size_t msglen);

/*
 * Check a config's backend and its options without opening anything
 * (validation offline, before start-up).
 * @return 0; -ENOENT if no backend of that type is registered (msg names
 *         the registered ones); -EINVAL if the backend refuses an option
 *         (msg: "bridge: ...", the option's key first).
 */
int hal_check_options(const char *backend, const struct hal_options *o,
		      char *msg, size_t msglen);

/*
 * Apply a whole configuration atomically: on success the new config is
 * forwarding; on failure the running one is untouched.  The HAL copies
 * what it keeps (cfg may be freed after the call).
 * @return 0; -EINVAL (NULL arguments, or a config the backend refuses);
 *         -EOPNOTSUPP (capability); -ENODEV (a port's device does not
 *         exist); -EBUSY (ports cannot change while running); -ENOSPC (a
 *         table is full); -ENOMEM; a backend error.  msg says which.
 */
int hal_apply(struct hal *h, const struct hal_config *cfg, char *msg,
	      size_t msglen);

/*
 * Forward on the calling thread (plus the backend's workers) until
 * hal_stop; backends whose forwarding runs in hardware block until then.
 * Every other call may run concurrently with it, from other threads.
 * @return 0; -EINVAL for NULL; a backend error if forwarding failed.
 */
int hal_run(struct hal *h);
/* Make hal_run return (any thread, async-signal-safe: only stores a
 * flag and wakes).  Accepts NULL. */
void hal_stop(struct hal *h);

/* Port i of the running config.  @return 0; -EINVAL for NULL; -ENOENT
 * if out of range. */
int hal_port_stats(struct hal *h, unsigned port, struct hal_port_stats *out);
/* Counters of the running flow named name.  @return 0; -EINVAL for
 * NULL; -ENOENT if no running flow has that name. */
int hal_flow_stats(struct hal *h, const char *name, struct hal_flow_stats *out);
/* PTP counters of port i.  @return 0; -EINVAL; -ENOENT (no such port);
 * -EOPNOTSUPP (the backend does not count PTP). */
int hal_ptp_stats(struct hal *h, unsigned port, struct hal_ptp_stats *out);
/* Counters of the running combine group named name.  @return 0;
 * -EINVAL; -ENOENT (no such group); -EOPNOTSUPP (the backend cannot
 * combine). */
int hal_combine_stats(struct hal *h, const char *name,
		      struct hal_combine_stats *out);
/*
 * The eAxC streams seen since start, sorted by port, eAxC, plane,
 * direction: *out (the caller frees it; NULL when *n is 0) holds *n;
 * *untracked (may be NULL) the messages of streams beyond the backend's
 * table, not counted.  @return 0; -EINVAL; -EOPNOTSUPP (the backend
 * does not count per eAxC); -ENOMEM.
 */
int hal_eaxc_stats(struct hal *h, struct hal_eaxc_stats **out, size_t *n,
		   uint64_t *untracked);
/* Bridge counters.  @return 0; -EINVAL; -EOPNOTSUPP (not counted). */
int hal_l2_stats(struct hal *h, struct hal_l2_stats *out);
/* Where the running flow named name runs.  @return 0; -EINVAL; -ENOENT
 * if no running flow has that name. */
int hal_flow_status(struct hal *h, const char *name,
		    struct hal_flow_status *out);

/* How long the switch has been idle: nanoseconds the data path spent
 * polling empty ports since the last packet received on any port (time
 * the forwarding threads were descheduled hardly counts, so a busy
 * machine does not look idle); UINT64_MAX if nothing was received yet.  @return 0; -EINVAL; -EOPNOTSUPP where the backend cannot
 * tell. */
int hal_idle_ns(struct hal *h, uint64_t *ns);

/*
 * Transmit count packets cycled from a pcap file on port, before
 * hal_run (benchmarks load ring loopbacks this way); *sent (may be NULL)
 * gets how many went out, also on error.
 * @return 0; -EINVAL; -ENOENT (no such port, or the file cannot be
 *         read); -EOPNOTSUPP; -ENOMEM, -EMSGSIZE, -ENOBUFS (the device
 *         took no more).
 */
int hal_inject(struct hal *h, unsigned port, const char *pcap_path,
	       unsigned count, unsigned *sent);

/* Residence time (rx burst to tx burst) of every burst: counts[i] took
 * [2^i, 2^(i+1)) TSC ticks; sum_ticks their total; hz the TSC rate. */
struct hal_residence {
	uint64_t counts[64];
	uint64_t sum_ticks;
	uint64_t hz;
};

/* @return 0; -EINVAL; -EOPNOTSUPP where not measured. */
int hal_residence(struct hal *h, struct hal_residence *out);

/*
 * Start a management thread that never runs on a forwarding core (the
 * threads it creates inherit that).  Backends without dedicated cores
 * get a plain pthread.
 * @return 0; -EINVAL; a positive pthread error negated.
 */
int hal_thread_create(struct hal *h, pthread_t *t, const char *name,
		      void *(*fn)(void *), void *arg);

/* "dpdk, switchdev": the registered backends, for messages.  Returns
 * the length snprintf would have written. */
size_t hal_class_names(char *buf, size_t len);

#endif
