/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HAL_H
#define HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fh/airtime.h"
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

enum hal_port_role {
	HAL_ROLE_UNSPECIFIED = 0,
	HAL_ROLE_DU = 1,
	HAL_ROLE_RU = 2,
	HAL_ROLE_TRUNK = 3,
	HAL_ROLE_MGMT = 4,
};

struct hal_port_cfg {
	char name[HAL_NAME_LEN];
	char device[HAL_DEVICE_LEN]; /* DPDK device or Linux netdev */
	uint8_t role;                /* enum hal_port_role */
	uint16_t mtu;                /* 0 = backend default */
	uint16_t native_vlan;        /* 0 = none: untagged frames dropped
					unless no VLAN list is given */
	uint16_t n_allowed_vlans;    /* 0 = all VLANs allowed */
	uint16_t allowed_vlans[64];
};

struct hal_fdb_entry {
	uint8_t mac[6];
	uint16_t vlan;
	uint16_t port; /* index into hal_config.ports */
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
	char backend[16]; /* "dpdk" | "switchdev" */
	char bridge[HAL_NAME_LEN];
};

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
	unsigned max_ports;
	unsigned max_flows;
};

struct hal_port_stats {
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	uint64_t drops;
};

/* The flow counters, as bits: which ones a backend cannot count. */
enum hal_flow_counter {
	HAL_CTR_RX_TOTAL = 1u << 0,
	HAL_CTR_RX_ON_TIME = 1u << 1,
	HAL_CTR_RX_EARLY = 1u << 2,
	HAL_CTR_RX_LATE = 1u << 3,
	HAL_CTR_RX_CORRUPT = 1u << 4,
	HAL_CTR_RX_SEQID_ERR = 1u << 5,
	HAL_CTR_TX_TOTAL = 1u << 6,
};
#define HAL_CTR_COUNT 7

/* "rx_on_time" for HAL_CTR_RX_ON_TIME (the API's field names); NULL for
 * anything else. */
const char *hal_counter_name(uint32_t bit);

/* O-RAN window counters of one flow (o-ran-performance-management names). */
struct hal_flow_stats {
	uint64_t rx_total;
	uint64_t rx_on_time;
	uint64_t rx_early;
	uint64_t rx_late;
	uint64_t rx_corrupt;
	uint64_t rx_seqid_err;
	uint64_t tx_total;
	/* HAL_CTR_* this backend cannot count: those read 0 but are not 0 */
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

struct hal_l2_stats {
	uint64_t forwarded;
	uint64_t flooded;
};

struct hal;

/* Parameters to open a backend. */
struct hal_params {
	const char *backend; /* "dpdk" | "switchdev" */
	bool clock_pcap;     /* packet time = capture timestamp (replay) */
	bool measure_residence; /* keep a residence-time histogram (dpdk) */
};

/*
 * Open the backend named by p->backend.
 * @return 0 with *out set; -ENOENT for an unknown backend; a backend's
 *         error otherwise.
 */
int hal_open(const struct hal_params *p, struct hal **out);

/* Stop forwarding and release everything.  Accepts NULL. */
void hal_close(struct hal *h);

void hal_capabilities(const struct hal *h, struct hal_caps *caps);

/*
 * Check a configuration against the capabilities (no side effect).
 * @return 0, or -EOPNOTSUPP with "flows[i] ...: reason" in msg.
 */
int hal_check(const struct hal *h, const struct hal_config *cfg, char *msg,
	      size_t msglen);

/*
 * Apply a whole configuration atomically: on success the new config is
 * forwarding; on failure the running one is untouched.  The HAL copies
 * what it keeps (cfg may be freed after the call).
 * @return 0; -EOPNOTSUPP (capability); -ENODEV (a port's device does not
 *         exist); -EINVAL; -ENOMEM; a backend error.  msg says which.
 */
int hal_apply(struct hal *h, const struct hal_config *cfg, char *msg,
	      size_t msglen);

/*
 * Forward on the calling thread (plus the backend's workers) until
 * hal_stop; backends whose forwarding runs in hardware block until then.
 */
int hal_run(struct hal *h);
/* Make hal_run return (any thread; only stores a flag). */
void hal_stop(struct hal *h);

/* Port i of the running config; -ENOENT if out of range. */
int hal_port_stats(struct hal *h, unsigned port, struct hal_port_stats *out);
/* Counters of the running flow named name; -ENOENT if none. */
int hal_flow_stats(struct hal *h, const char *name, struct hal_flow_stats *out);
int hal_l2_stats(struct hal *h, struct hal_l2_stats *out);
/* Where the running flow named name runs; -ENOENT if none. */
int hal_flow_status(struct hal *h, const char *name,
		    struct hal_flow_status *out);

/* Nanoseconds since the last packet received on any port (UINT64_MAX if
 * none yet); -EOPNOTSUPP where the backend cannot tell. */
int hal_idle_ns(struct hal *h, uint64_t *ns);

/* Transmit count packets cycled from a pcap file on port (benchmarks load
 * ring loopbacks this way). */
int hal_inject(struct hal *h, unsigned port, const char *pcap_path,
	       unsigned count);

/* Residence time (rx burst to tx burst) histogram in log2 TSC buckets;
 * -EOPNOTSUPP where not measured. */
int hal_residence(struct hal *h, uint64_t counts[64], uint64_t *hz);

#endif
