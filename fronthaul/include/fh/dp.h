/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FH_DP_H
#define FH_DP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "fh/airtime.h"
#include "fh/eaxc.h"
#include "fh/flow.h"
#include "fh/frame.h"

/*
 * The fronthaul data path on rte_mbuf, run to completion per lcore:
 * rx_burst -> parse headers in place -> flow lookup -> window and sequence
 * checks -> actions -> counters -> tx_burst.  Non-eCPRI traffic (and eCPRI
 * no flow claims) is bridged with MAC learning per VLAN; PTP and eCPRI go
 * out before other traffic when a port's queue is short.  The fast path
 * allocates nothing but mbufs for copies, takes no lock and makes no
 * system call: configuration arrives as an immutable struct fh_dp_conf
 * swapped by pointer and reclaimed with RCU (rte_rcu_qsbr).
 */

#define FH_DP_MAX_LCORES 8
#define FH_DP_BURST 32
#define FH_DP_MAX_FLOWS 4096
#define FH_DP_NO_PORT 0xff

struct fh_dp_port {
	uint16_t eth_port;    /* DPDK port id */
	uint16_t native_vlan; /* VLAN of untagged frames (0 = untagged) */
	bool vlan_filter;     /* false: every VLAN allowed */
	uint8_t vlan_allowed[4096 / 8];
};

struct fh_dp_rxq {
	uint16_t eth_port;
	uint16_t queue;
};

/* The rx queues one lcore polls. */
struct fh_dp_rxq_set {
	unsigned n;
	struct fh_dp_rxq q[FH_MAX_PORTS * 2];
};

/* One immutable configuration snapshot, published by pointer. */
struct fh_dp_conf {
	struct fh_dp_rxq_set rxq[FH_DP_MAX_LCORES];
	struct fh_eaxc_layout layout;
	struct fh_timing timing;
	struct fh_frame_cfg fcfg; /* UDP ports that carry eCPRI */
	unsigned n_ports;
	struct fh_dp_port ports[FH_MAX_PORTS];
	uint8_t port_index[RTE_MAX_ETHPORTS]; /* eth port -> index */
	size_t n_flows;
	struct fh_flow *flows;
	uint16_t *slot; /* flow index -> counter slot */
	struct fh_flow_table *table;
	bool learning;
	uint64_t aging_s;
	/* air time without divisions on the fast path (see dp.c) */
	int64_t epoch_ns;       /* GPS epoch + alpha/beta offset, Unix ns */
	int64_t slot_ns;
	int64_t period_slots;   /* slots in 256 frames (frameId period) */
	int64_t sym_start[16];  /* ns from slot start, symbols 0..13 */
};

/* Fill the air-time fields of conf from conf->timing. */
void fh_dp_conf_timing(struct fh_dp_conf *conf);

/* Counters, one block per lcore, summed on read. */
struct fh_dp_flow_ctr {
	uint64_t rx_total;
	uint64_t rx_on_time;
	uint64_t rx_early;
	uint64_t rx_late;
	uint64_t rx_corrupt;
	uint64_t rx_seqid_err;
	uint64_t tx_total;
	uint64_t rx_bytes;
} __rte_cache_aligned;

struct fh_dp_port_ctr {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t drops;
	uint64_t rx_corrupt; /* not attributable to a flow */
} __rte_cache_aligned;

struct fh_dp_l2_ctr {
	uint64_t forwarded;
	uint64_t flooded;
	uint64_t learned;
} __rte_cache_aligned;

/* TSC -> CLOCK_REALTIME mapping, re-anchored by the control thread and
 * read lock-free (sequence counter) by the lcores. */
struct fh_dp_clock {
	_Atomic uint32_t seq;
	uint64_t tsc0;
	int64_t ns0;
	uint64_t mult; /* ns per TSC tick, 32.32 fixed point */
};

/* MAC table: (mac, vlan, port) packed in one 64-bit word so learning is
 * a single atomic store; 4-way buckets. */
#define FH_L2_BUCKETS 16384
#define FH_L2_WAYS 4
#define FH_L2_STATIC UINT32_MAX

struct fh_l2_slot {
	_Atomic uint64_t key; /* mac 48 | vlan 12 | port 4; 0 = empty */
	_Atomic uint32_t seen_s; /* FH_L2_STATIC never ages */
};

struct fh_l2_table {
	struct fh_l2_slot slot[FH_L2_BUCKETS][FH_L2_WAYS];
};

struct fh_dp_txbuf {
	uint16_t n_hi;
	uint16_t n_lo;
	struct rte_mbuf *hi[FH_DP_BURST * 2];
	struct rte_mbuf *lo[FH_DP_BURST * 2];
};

struct fh_dp;

struct fh_dp_lcore {
	struct fh_dp *dp;
	unsigned id; /* RCU thread id, 0..n_lcores-1 */
	unsigned lcore_id;
	uint16_t txq; /* this lcore's tx queue on every port */
	struct fh_dp_port_ctr port_ctr[FH_MAX_PORTS];
	struct fh_dp_l2_ctr l2_ctr;
	struct fh_dp_flow_ctr *flow_ctr; /* FH_DP_MAX_FLOWS slots */
	struct fh_dp_txbuf tx[FH_MAX_PORTS];
	_Atomic uint64_t last_rx_tsc;
	uint64_t hist[64]; /* residence time, log2 TSC buckets */
	/* O-RAN sequence check per [in port][plane U][direction DL][eAxC]:
	 * the same eAxC from two RUs is two streams */
	uint8_t seq_next[FH_MAX_PORTS][2][2][65536];
	uint8_t seq_seen[FH_MAX_PORTS][2][2][65536 / 8];
} __rte_cache_aligned;

struct fh_dp {
	struct fh_dp_conf *_Atomic conf;
	struct rte_rcu_qsbr *rcu;
	struct rte_mempool *pool;
	struct fh_l2_table *l2;
	struct fh_dp_clock clock;
	bool clock_pcap;
	int ts_dynfield; /* rx timestamp dynfield offset, -1 if none */
	bool measure_residence;
	unsigned n_lcores;
	struct fh_dp_lcore *lcores[FH_DP_MAX_LCORES];
	_Atomic bool stop;
};

/* Process one received burst on lc (takes ownership of every mbuf:
 * each is sent, copied and sent, or freed) and flush its tx buffers.
 * now_ns is the arrival time for the whole burst unless dp->clock_pcap. */
void fh_dp_process(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
		   uint16_t in_port, struct rte_mbuf **pkts, uint16_t n,
		   int64_t now_ns);

/* The forwarding loop of one lcore until dp->stop (rte_eal_remote_launch
 * entry point; arg is the struct fh_dp_lcore). */
int fh_dp_lcore_main(void *arg);

/* Current CLOCK_REALTIME in ns derived from the TSC. */
int64_t fh_dp_clock_now(struct fh_dp_clock *c);
/* Re-anchor the clock (control thread only). */
void fh_dp_clock_anchor(struct fh_dp_clock *c);

/* L2 table (fh_dp_l2.c). */
void fh_l2_learn(struct fh_l2_table *t, const uint8_t mac[6], uint16_t vlan,
		 unsigned port, uint32_t now_s, struct fh_dp_l2_ctr *ctr);
int fh_l2_lookup(const struct fh_l2_table *t, const uint8_t mac[6],
		 uint16_t vlan, uint32_t now_s, uint32_t aging_s);
/* Control plane: add a static entry / clear all static entries. */
int fh_l2_add_static(struct fh_l2_table *t, const uint8_t mac[6],
		     uint16_t vlan, unsigned port);
void fh_l2_clear_static(struct fh_l2_table *t);

/* Sum of one flow slot / port over all lcores. */
void fh_dp_flow_sum(const struct fh_dp *dp, unsigned slot,
		    struct fh_dp_flow_ctr *out);
void fh_dp_port_sum(const struct fh_dp *dp, unsigned port,
		    struct fh_dp_port_ctr *out);
void fh_dp_l2_sum(const struct fh_dp *dp, struct fh_dp_l2_ctr *out);

#endif
