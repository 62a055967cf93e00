/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FH_DP_H
#define FH_DP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "fh/airtime.h"
#include "fh/combine.h"
#include "fh/counters.h"
#include "fh/eaxc.h"
#include "fh/flow.h"
#include "fh/frame.h"
#include "fh/ptp.h"
#include "fh/recode.h"

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
#define FH_DP_POOL_MBUFS 8191

/* The largest frame the data path builds (a re-coded message). */
#define FH_DP_MAX_FRAME 9728

struct fh_dp_port {
	uint16_t eth_port; /* DPDK port id */
	uint16_t native_vlan; /* VLAN of untagged frames (0 = untagged) */
	bool vlan_filter; /* false: every VLAN allowed */
	uint16_t mtu; /* bytes after the Ethernet header and tags */
	/* the port's dialect: eAxC layout, and U-plane coding if declared */
	struct fh_eaxc_layout layout;
	bool has_comp;
	struct fh_uplane_cfg ucfg;
	/* the device stamps each frame with its receive time in UNIX us
	 * (net_pcap: the kernel's or the capture's timestamp): the window
	 * checks judge that, not the time the burst was polled */
	bool rx_ts_us;
	uint8_t vlan_allowed[4096 / 8];
};

/* What crosses from one port's dialect to another's (fh_dp_conf.conv). */
enum fh_dp_conv {
	FH_CONV_EAXC = 1, /* eAxC layouts differ: translate field by field */
	FH_CONV_IQ = 2, /* U-plane codings differ: re-code, rewrite udCompHdr */
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

/* The static MAC entries of a config: (mac 48 | vlan 12 | port 4) per
 * way, 0 = empty; immutable once published. */
#define FH_L2_STATIC_BUCKETS 1024

struct fh_l2_static {
	uint64_t key[FH_L2_STATIC_BUCKETS][4];
};

/* What the switch is to PTP (the S-plane). */
enum fh_ptp_mode {
	/* bridged at transmit priority, unchanged; 802.1Q's reserved
	 * addresses (01-80-C2-00-00-0E among them) are not forwarded */
	FH_PTP_MODE_BRIDGE = 0,
	/* an end-to-end transparent clock: event messages leave with the
	 * residence time added to correctionField; 01-80-C2-00-00-0E PTP
	 * is forwarded */
	FH_PTP_MODE_TRANSPARENT = 1,
};

/*
 * A shared cell's UL combine group.  Its configuration is immutable like
 * the rest of the conf; its entries (one per (eAxC, frame, subframe,
 * slot, symbol) in flight, preallocated) are written only by the owner
 * lcore, to which other lcores hand their parts through dp->comb_ring.
 */
#define FH_DP_MAX_GROUPS 16
#define FH_COMB_ENTRIES 128 /* symbols x eAxCs in flight per group */
#define FH_COMB_MAX_SEC 8 /* sections of one combined message */
#define FH_COMB_HDR_MAX 128

struct fh_comb_entry {
	uint64_t key; /* 0 = free; see comb_key() */
	int64_t deadline_ns;
	uint32_t arrived; /* bit per in-port position */
	uint16_t out_eaxc;
	uint8_t n_sec;
	uint8_t hdr_len;
	uint8_t hdr_pos; /* in-port position the headers come from */
	uint8_t rh[FH_RADIO_HDR_LEN];
	struct fh_frame fr; /* the first part's headers, as parsed */
	struct {
		uint16_t sid;
		uint8_t flags; /* rb, symInc as in the section header */
		uint8_t nf; /* numPrbu as received */
		uint16_t start;
		uint16_t num;
	} sec[FH_COMB_MAX_SEC];
	uint16_t n_prb; /* PRBs in the layout */
	uint8_t layout[(FH_MAX_PRB + 7) / 8];
	uint8_t hdr[FH_COMB_HDR_MAX]; /* the first part's frame headers */
	int32_t sum[FH_MAX_PRB * FH_PRB_VALUES];
};

struct fh_comb_group {
	char name[FH_FLOW_NAME_LEN];
	uint16_t n_in;
	uint16_t in_ports[FH_MAX_PORTS];
	int8_t pos[FH_MAX_PORTS]; /* port -> position in in_ports, -1 */
	uint16_t out_port;
	uint16_t eaxc_id;
	uint16_t eaxc_mask;
	int64_t deadline_ns;
	unsigned owner; /* lcore (RCU id) that combines */
	unsigned slot; /* counter slot */
	uint32_t all; /* every in-port's bit */
	/* owner lcore only */
	unsigned n_used;
	int64_t next_deadline;
	int64_t latest[FH_MAX_PORTS]; /* replay: last part time per port */
	uint8_t hidx[256]; /* open-addressing index of e by key, 0xff */
	uint8_t free_e[FH_COMB_ENTRIES]; /* stack of free entries */
	unsigned n_free;
	struct fh_comb_entry *e; /* FH_COMB_ENTRIES */
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
	struct fh_l2_static *fdb; /* static entries, looked up first */
	bool learning;
	uint64_t aging_s;
	/* conv[in][out]: enum fh_dp_conv bits between the two ports'
	 * dialects; conv_any[in]: their OR over every out port */
	uint8_t conv[FH_MAX_PORTS][FH_MAX_PORTS];
	uint8_t conv_any[FH_MAX_PORTS];
	unsigned n_groups;
	struct fh_comb_group groups[FH_DP_MAX_GROUPS];
	uint16_t port_groups[FH_MAX_PORTS]; /* groups an in-port feeds */
	uint8_t ptp_mode; /* enum fh_ptp_mode */
	uint8_t ptp_domains[256 / 8]; /* domains corrected (bit per number) */
	/* air time without divisions on the fast path (see dp.c) */
	int64_t epoch_ns; /* GPS epoch + alpha/beta offset, Unix ns */
	int64_t slot_ns;
	int64_t period_slots; /* slots in 256 frames (frameId period) */
	int64_t sym_start[16]; /* ns from slot start, symbols 0..13 */
};

/* Fill the air-time fields of conf from conf->timing. */
void fh_dp_conf_timing(struct fh_dp_conf *conf);

/* Fill conf->conv and conv_any from the ports' dialects (after the ports
 * are set). */
void fh_dp_conf_dialects(struct fh_dp_conf *conf);

/* Counters, one block per lcore (written only by its lcore, with
 * fh_ctr_add), summed on read by fh_dp_*_sum. */
#define FH_DP_CTR_FIELD(name, NAME) fh_ctr name;
struct fh_dp_flow_ctr {
	FH_FLOW_COUNTERS(FH_DP_CTR_FIELD)
	fh_ctr rx_bytes;
} __rte_cache_aligned;

#define FH_DP_PORT_COUNTERS(X) \
	X(rx_packets)          \
	X(rx_bytes)            \
	X(tx_packets)          \
	X(tx_bytes)            \
	X(drops)               \
	X(rx_corrupt) /* not attributable to a flow */

#define FH_DP_L2_COUNTERS(X) X(forwarded) X(flooded) X(learned)

/* PTP per port: messages received by type, event messages corrected on
 * transmit and their residence time; frames to 802.1Q reserved addresses
 * not forwarded. */
struct fh_dp_ptp_ctr {
	fh_ctr rx_type[FH_PTP_N_TYPES];
	fh_ctr rx_malformed;
	fh_ctr filtered;
	fh_ctr corrected;
	fh_ctr residence_ns_sum;
	fh_ctr residence_ns_min1; /* min + 1; 0 = none yet */
	fh_ctr residence_ns_max;
} __rte_cache_aligned;

#define FH_DP_CTR_FIELD1(name) fh_ctr name;
struct fh_dp_comb_ctr {
	FH_COMB_COUNTERS(FH_DP_CTR_FIELD1)
	fh_ctr missing[FH_MAX_PORTS];
} __rte_cache_aligned;

/* One eAxC stream of one lcore (FH_EAXC_COUNTERS) with its SeqId state;
 * key and windowed are set before the slot is published (n_eaxc). */
struct fh_dp_eaxc_ctr {
	uint32_t key; /* FH_DP_EAXC_KEY */
	uint8_t next; /* the SeqId expected next */
	uint8_t behind; /* messages in a row behind the stream */
	_Atomic uint8_t windowed; /* a flow's window judged some */
	FH_EAXC_COUNTERS(FH_DP_CTR_FIELD1)
} __rte_cache_aligned;

/* Streams one lcore tracks; more are forwarded but not counted
 * (fh_dp_lcore.eaxc_untracked). */
#define FH_DP_MAX_EAXC 8192
#define FH_DP_EAXC_KEY(port, u, dl, eaxc)                                      \
	((uint32_t)(port) << 18 | (uint32_t)(u) << 17 | (uint32_t)(dl) << 16 | \
	 (uint32_t)(eaxc))

struct fh_dp_port_ctr {
	FH_DP_PORT_COUNTERS(FH_DP_CTR_FIELD1)
} __rte_cache_aligned;

struct fh_dp_l2_ctr {
	FH_DP_L2_COUNTERS(FH_DP_CTR_FIELD1)
} __rte_cache_aligned;

/* Sums, as the control plane reads them. */
#define FH_DP_SUM_FIELD(name, NAME) uint64_t name;
#define FH_DP_SUM_FIELD1(name) uint64_t name;
struct fh_dp_flow_sum {
	FH_FLOW_COUNTERS(FH_DP_SUM_FIELD)
	uint64_t rx_bytes;
};

struct fh_dp_ptp_sum {
	uint64_t rx_type[FH_PTP_N_TYPES];
	FH_PTP_COUNTERS(FH_DP_SUM_FIELD1)
};

struct fh_dp_port_sum {
	FH_DP_PORT_COUNTERS(FH_DP_SUM_FIELD1)
};

struct fh_dp_eaxc_sum {
	uint16_t port; /* index */
	uint16_t eaxc_id;
	uint8_t plane; /* FH_PLANE_C, FH_PLANE_U */
	uint8_t direction; /* FH_DIRECTION_UL, FH_DIRECTION_DL */
	bool windowed; /* false: on time / early / late are n/a */
	FH_EAXC_COUNTERS(FH_DP_SUM_FIELD1)
};

struct fh_dp_l2_sum {
	FH_DP_L2_COUNTERS(FH_DP_SUM_FIELD1)
};

struct fh_dp_comb_sum {
	FH_COMB_COUNTERS(FH_DP_SUM_FIELD1)
	uint64_t missing[FH_MAX_PORTS];
};

/* TSC -> CLOCK_REALTIME mapping, re-anchored by the control thread and
 * read lock-free (sequence counter) by the lcores. */
struct fh_dp_clock {
	_Atomic uint32_t seq;
	uint64_t tsc0;
	int64_t ns0;
	uint64_t mult; /* ns per TSC tick, 32.32 fixed point */
};

/* Learned MAC table: (mac, vlan, port) packed in one 64-bit word so
 * learning is a single atomic store; 4-way buckets. */
#define FH_L2_BUCKETS 16384
#define FH_L2_WAYS 4

struct fh_l2_slot {
	_Atomic uint64_t key; /* mac 48 | vlan 12 | port 4; 0 = empty */
	_Atomic uint32_t seen_s;
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

#define FH_DP_IDLE_GAP_US 1000
/* --poll-mode sleep (fhswd --help and README quote these): after
 * FH_DP_SLEEP_AFTER_US without a packet, sleep FH_DP_SLEEP_US between
 * polls, doubling up to FH_DP_SLEEP_MAX_US while nothing comes */
#define FH_DP_SLEEP_AFTER_US 200
#define FH_DP_SLEEP_US 20
#define FH_DP_SLEEP_MAX_US 160

struct fh_dp_lcore {
	struct fh_dp *dp;
	unsigned id; /* RCU thread id, 0..n_lcores-1 */
	unsigned lcore_id;
	uint16_t txq; /* this lcore's tx queue on every port */
	struct fh_dp_port_ctr port_ctr[FH_MAX_PORTS];
	struct fh_dp_l2_ctr l2_ctr;
	struct fh_dp_ptp_ctr ptp_ctr[FH_MAX_PORTS];
	struct fh_dp_comb_ctr comb_ctr[FH_DP_MAX_GROUPS];
	struct fh_dp_flow_ctr *flow_ctr; /* FH_DP_MAX_FLOWS slots */
	struct fh_dp_txbuf tx[FH_MAX_PORTS];
	_Atomic uint64_t last_rx_tsc; /* 0: nothing received yet */
	/* TSC as the burst being processed came off its queue (0 outside
	 * fh_dp_lcore_main): the ingress time of PTP event messages */
	uint64_t burst_tsc;
	/* the burst's frames carry their arrival time (fh_dp_process) */
	bool burst_ts_us;
	/* how long its frames may have waited in the queue, ns */
	int64_t burst_wait_ns;
	/* TSC when each of conf->rxq[id]'s queues was last found with less
	 * than a burst, i.e. empty after the poll: no frame of the next
	 * burst arrived before */
	uint64_t drained_tsc[FH_MAX_PORTS * 2];
	/* TSC ticks of polling that found every queue empty since the last
	 * packet; a gap between polls (the thread descheduled) counts at
	 * most FH_DP_IDLE_GAP_US, so a busy machine does not look idle */
	_Atomic uint64_t idle_tsc;
	/* the last one-section U-plane layout found to fit (payload size,
	 * startPrbu, numPrbu): the next message of the stream is checked
	 * with one compare */
	uint64_t uplane_fit_key;
	/* eCPRI seqId of the next re-coded U-plane message per [out port]
	 * [direction DL][eAxC]: a receiver sees one gapless stream even when
	 * a message was split */
	uint8_t seq_out[FH_MAX_PORTS][2][65536];
	/* a frame in segments, made contiguous for re-coding; the body of
	 * a re-coded message */
	uint8_t lin[FH_DP_MAX_FRAME];
	uint8_t body[FH_DP_MAX_FRAME];
	fh_ctr hist[64]; /* residence time, log2 TSC buckets */
	fh_ctr hist_sum; /* and its total, TSC ticks */
	/* eAxC streams: the slot (in eaxc, 0 = none yet) of each [in port]
	 * [plane U][direction DL][eAxC] - the same eAxC from two RUs is two
	 * streams.  The index is plain calloc'd memory, so only the pages of
	 * eAxCs seen take memory. */
	uint16_t (*eaxc_idx)[2][2][65536]; /* FH_MAX_PORTS */
	struct fh_dp_eaxc_ctr *eaxc; /* FH_DP_MAX_EAXC slots */
	_Atomic uint32_t n_eaxc; /* slots in use, slot 0 included */
	fh_ctr eaxc_untracked; /* messages of streams beyond the table */
} __rte_cache_aligned;

struct fh_dp {
	struct fh_dp_conf *_Atomic conf;
	struct rte_rcu_qsbr *rcu;
	struct rte_mempool *pool;
	struct fh_l2_table *l2;
	struct fh_dp_clock clock;
	uint64_t ns_mult; /* ns per TSC tick, 32.32 fixed point */
	bool clock_pcap;
	int ts_dynfield; /* rx timestamp dynfield offset, -1 if none */
	uint64_t ts_flag; /* its ol_flags bit, 0 if none */
	bool measure_residence;
	bool poll_sleep;
	unsigned n_lcores;
	struct fh_dp_lcore *lcores[FH_DP_MAX_LCORES];
	_Atomic bool stop;
	/* counter slots, control plane only: a flow keeps its slot (and so
	 * its counters) across publishes while its name lives */
	char (*slot_name)[FH_FLOW_NAME_LEN];
	bool *slot_used;
	/* combine groups: counter slots by name (control plane), a ring per
	 * lcore for the parts it owns, the part's arrival time in the mbuf */
	char comb_slot_name[FH_DP_MAX_GROUPS][FH_FLOW_NAME_LEN];
	bool comb_slot_used[FH_DP_MAX_GROUPS];
	struct rte_ring *comb_ring[FH_DP_MAX_LCORES];
	int t_dynfield;
};

/* What a data path is made of. */
struct fh_dp_params {
	unsigned n_lcores; /* 1..FH_DP_MAX_LCORES */
	unsigned lcore_ids[FH_DP_MAX_LCORES]; /* EAL lcore of each */
	unsigned pool_mbufs; /* 0: FH_DP_POOL_MBUFS */
	bool clock_pcap; /* packet time = capture timestamp (replay) */
	bool measure_residence; /* keep the residence-time histogram */
	/* power saving: once every queue of an lcore has been empty for
	 * FH_DP_SLEEP_AFTER_US, sleep between polls (FH_DP_SLEEP_US..
	 * FH_DP_SLEEP_MAX_US) */
	bool poll_sleep;
};

/*
 * Create a data path: mbuf pool, per-lcore state and counters, MAC table,
 * RCU.  Nothing forwards until a conf is published and the lcores run
 * fh_dp_lcore_main.  Needs the EAL.
 * @return 0 with *out set; -EINVAL (lcore count); -ENOMEM.
 */
int fh_dp_create(const struct fh_dp_params *p, struct fh_dp **out);

/* Free the data path and its running conf.  Accepts NULL.  The lcores
 * must have stopped. */
void fh_dp_destroy(struct fh_dp *dp);

/*
 * A new, empty conf for n_flows flows (ports, rx queues and timing are the
 * caller's to fill; fh_dp_conf_set_flows and fh_dp_conf_add_fdb the
 * rest).  NULL if out of memory.
 */
struct fh_dp_conf *fh_dp_conf_new(size_t n_flows);

/* Free a conf that was not published.  Accepts NULL. */
void fh_dp_conf_free(struct fh_dp_conf *c);

/*
 * Copy n flows (ports by index) into c, give each a counter slot (the
 * running slot of a flow with the same name, so counters go on across
 * publishes), collect their eCPRI UDP ports and build the lookup table.
 * @return 0; -ENOSPC (no counter slot, or too many UDP ports: err->offset
 *         is the flow, err->reason says which); -EINVAL (two flows of equal
 *         specificity overlap: err->offset the flow, *tie the other).
 */
int fh_dp_conf_set_flows(const struct fh_dp *dp, struct fh_dp_conf *c,
			 const struct fh_flow *flows, size_t n,
			 struct fh_err *err, size_t *tie);

/*
 * Add a static MAC entry to c.
 * @return 0; -EINVAL (port out of range); -ENOSPC if its bucket is full.
 */
int fh_dp_conf_add_fdb(struct fh_dp_conf *c, const uint8_t mac[6],
		       uint16_t vlan, unsigned port);

/*
 * Add a combine group to c (ports by index; every one must have its
 * coding set in c->ports before).  Its counters keep their slot across
 * publishes while its name lives.  The owner lcore is chosen here.
 * @return 0; -ENOSPC (too many groups); -ENOMEM.
 */
int fh_dp_conf_add_group(const struct fh_dp *dp, struct fh_dp_conf *c,
			 const char *name, const uint16_t *in_ports,
			 unsigned n_in, uint16_t out_port, uint16_t eaxc_id,
			 uint16_t eaxc_mask, uint32_t deadline_us);

/*
 * The eAxC streams seen so far, summed over the lcores, sorted by port,
 * eAxC, plane, direction: up to max into out (may be NULL with max 0).
 * @return how many there are (more than max: out holds the first max);
 *         *untracked (may be NULL) gets the messages of streams beyond
 *         the per-lcore table (FH_DP_MAX_EAXC).
 */
size_t fh_dp_eaxc_sum(const struct fh_dp *dp, struct fh_dp_eaxc_sum *out,
		      size_t max, uint64_t *untracked);

/* Counter slot of the running combine group called name, -ENOENT. */
int fh_dp_comb_slot(const struct fh_dp *dp, const char *name);
void fh_dp_comb_sum(const struct fh_dp *dp, unsigned slot,
		    struct fh_dp_comb_sum *out);

/*
 * Make c the running conf (takes ownership).  Returns once no lcore can
 * still read the previous conf (RCU grace period), which it frees; the
 * counters of flows that are gone are zeroed for their slots' reuse.
 * Control plane only, one caller at a time.
 */
void fh_dp_publish(struct fh_dp *dp, struct fh_dp_conf *c);

/* The counter slot of the running flow called name, -ENOENT if none. */
int fh_dp_flow_slot(const struct fh_dp *dp, const char *name);

/* Process one received burst on lc (takes ownership of every mbuf:
 * each is sent, copied and sent, or freed) and flush its tx buffers.
 * now_ns is the arrival time for the whole burst unless dp->clock_pcap
 * or the port stamps frames (fh_dp_port.rx_ts_us); since_ns <= now_ns
 * is the earliest the burst's frames can have arrived (when the queue
 * was last found empty).  A message late at now_ns but not at since_ns
 * may have waited in the queue for the switch: it counts as
 * rx_late_local, not rx_late. */
void fh_dp_process(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
		   uint16_t in_port, struct rte_mbuf **pkts, uint16_t n,
		   int64_t now_ns, int64_t since_ns);

/* The forwarding loop of one lcore until dp->stop (rte_eal_remote_launch
 * entry point; arg is the struct fh_dp_lcore). */
int fh_dp_lcore_main(void *arg);

/* Current CLOCK_REALTIME in ns derived from the TSC. */
int64_t fh_dp_clock_now(struct fh_dp_clock *c);
/* Re-anchor the clock (control thread only). */
void fh_dp_clock_anchor(struct fh_dp_clock *c);

/* L2 tables (dp_l2.c): learn into t unless fdb has the MAC; look up in
 * fdb first, then t; -1 if neither knows it. */
void fh_l2_learn(struct fh_l2_table *t, const struct fh_l2_static *fdb,
		 const uint8_t mac[6], uint16_t vlan, unsigned port,
		 uint32_t now_s, struct fh_dp_l2_ctr *ctr);
int fh_l2_lookup(const struct fh_l2_table *t, const struct fh_l2_static *fdb,
		 const uint8_t mac[6], uint16_t vlan, uint32_t now_s,
		 uint32_t aging_s);

/* Sum of one flow slot / port over all lcores. */
void fh_dp_flow_sum(const struct fh_dp *dp, unsigned slot,
		    struct fh_dp_flow_sum *out);
void fh_dp_port_sum(const struct fh_dp *dp, unsigned port,
		    struct fh_dp_port_sum *out);
void fh_dp_l2_sum(const struct fh_dp *dp, struct fh_dp_l2_sum *out);
void fh_dp_ptp_sum(const struct fh_dp *dp, unsigned port,
		   struct fh_dp_ptp_sum *out);

#endif
