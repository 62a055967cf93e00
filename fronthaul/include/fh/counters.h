/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FH_COUNTERS_H
#define FH_COUNTERS_H

#include <stdatomic.h>
#include <stdint.h>

/*
 * The O-RAN flow counters (o-ran-performance-management names), listed
 * once: X(field, NAME) for each.  The data path's per-lcore blocks, the
 * HAL's flow statistics and their names in the API are all built from
 * this list, so a counter is added here and nowhere else by hand.
 * rx_late_local is not an O-RAN counter: messages late by the time the
 * switch polled them but perhaps not when they arrived - they waited in
 * the rx queue while the switch was busy or descheduled, so the sender
 * is not to blame (never counted where the device stamps arrival times).
 */
#define FH_FLOW_COUNTERS(X)           \
	X(rx_total, RX_TOTAL)         \
	X(rx_on_time, RX_ON_TIME)     \
	X(rx_early, RX_EARLY)         \
	X(rx_late, RX_LATE)           \
	X(rx_corrupt, RX_CORRUPT)     \
	X(rx_seqid_err, RX_SEQID_ERR) \
	X(tx_total, TX_TOTAL)         \
	X(tx_mirror, TX_MIRROR)       \
	X(rx_late_local, RX_LATE_LOCAL)

/*
 * One eAxC stream, (in port, eAxC, plane, direction), whatever carries it
 * (a flow, the bridge, a combine group): messages received; on time,
 * early, late or late_local (as the flow counter) against the window of
 * the flow that matched (not counted where no window applied); SeqId mismatches (rx_seqid_err) and the
 * messages they imply were lost (rx_lost: the sum of forward SeqId gaps,
 * modulo 256 - a gap of 256 or more reads short; a message arriving
 * behind the stream, repeated or reordered, is an error but no loss).
 */
#define FH_EAXC_COUNTERS(X) \
	X(rx_total)         \
	X(rx_on_time)       \
	X(rx_early)         \
	X(rx_late)          \
	X(rx_late_local)    \
	X(rx_seqid_err)     \
	X(rx_lost)

/*
 * A port's PTP figures besides its messages by type, listed once: the
 * data path's sums, the HAL's statistics, --counters-json and DPDK
 * telemetry are built from this list.  residence_ns_* are 0 while
 * corrected is 0.
 */
#define FH_PTP_COUNTERS(X)  \
	X(rx_malformed)     \
	X(filtered)         \
	X(corrected)        \
	X(residence_ns_min) \
	X(residence_ns_avg) \
	X(residence_ns_max)

/*
 * A combine group (shared cell UL), listed once: parts received;
 * messages sent with every RU's part (combined) or at the deadline
 * without some (partial; per port, how often it was the one missing is
 * kept beside); parts after their deadline (late_parts) or not lining up
 * with the first part's sections (mismatched); values that saturated in
 * the output coding; messages sent (tx_total, more than combined +
 * partial when cut to the MTU).
 */
#define FH_COMB_COUNTERS(X) \
	X(parts)            \
	X(combined)         \
	X(partial)          \
	X(late_parts)       \
	X(mismatched)       \
	X(saturated)        \
	X(tx_total)

/*
 * A counter one thread writes and others read: relaxed atomic loads and
 * stores, never a locked read-modify-write (Open vSwitch's
 * non_atomic_ullong_add).  On x86-64 that is a plain add; for
 * ThreadSanitizer and the C11 memory model it is race-free.
 */
typedef _Atomic uint64_t fh_ctr;

static inline void fh_ctr_add(fh_ctr *c, uint64_t n)
{
	atomic_store_explicit(c,
			      atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

static inline void fh_ctr_inc(fh_ctr *c)
{
	fh_ctr_add(c, 1);
}

static inline uint64_t fh_ctr_read(const fh_ctr *c)
{
	return atomic_load_explicit((fh_ctr *)c, memory_order_relaxed);
}

static inline void fh_ctr_zero(fh_ctr *c)
{
	atomic_store_explicit(c, 0, memory_order_relaxed);
}

#endif
