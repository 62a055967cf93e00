/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FH_AIRTIME_H
#define FH_AIRTIME_H

#include <stdint.h>

/*
 * Air time: GPS time <-> O-RAN (frameId, subframeId, slotId, symbolId)
 * (ORAN.md §6).  All times are integer nanoseconds; nothing allocates.
 *
 * t_GPS = t_unix - 315964782 s (GPS epoch 1980-01-06 00:00:00 UTC, with the
 * 18 leap seconds in force since 2017).  With alpha (units of 1/1.2288 ns,
 * 0..10 ms) and beta (units of 10 ms): t' = t_GPS - beta * 10 ms - alpha,
 * where alpha is converted to ns rounding down (alpha * 10000 / 12288).
 *
 * SFN = floor(t' / 10 ms) mod 1024, frameId = SFN mod 256,
 * subframeId = floor(t' / 1 ms) mod 10, slotId = floor(t' / slot) mod 2^mu.
 * A slot holds 14 symbols; so that every boundary is a whole ns, symbol k of
 * a slot starts floor(k * slot_ns / 14) ns after the slot start (the exact
 * boundary rounded down to the ns that contains it).  Negative times (before
 * 1970 or before the GPS epoch) follow the same floor rules.
 */

#define FH_NS_PER_S 1000000000LL
#define FH_GPS_UNIX_OFFSET_S 315964782LL /* 315964800 - 18 leap seconds */
#define FH_FRAME_NS 10000000LL
#define FH_SUBFRAME_NS 1000000LL
#define FH_SYMBOLS_PER_SLOT 14
#define FH_SFN_PERIOD 1024
#define FH_FRAME_ID_PERIOD 256
#define FH_ALPHA_MAX 12288000ULL /* alpha must be below this (10 ms) */

struct fh_timing {
	uint8_t mu; /* numerology 0..4 (15..240 kHz SCS) */
	uint64_t alpha; /* GPS alpha, 1/1.2288 ns units, < 12288000 (10 ms) */
	int32_t beta; /* GPS beta, 10 ms units, any value */
};

struct fh_airtime {
	uint16_t sfn; /* 0..1023 */
	uint8_t frame_id; /* sfn mod 256 */
	uint8_t subframe_id; /* 0..9 */
	uint8_t slot_id; /* 0..2^mu - 1 */
	uint8_t symbol_id; /* 0..13 */
};

/* @return 0 if mu <= 4 and alpha < 10 ms; -EINVAL otherwise or if t is
 *         NULL. */
int fh_timing_check(const struct fh_timing *t);

/* Slot length in ns for numerology mu (1 ms >> mu), or -EINVAL if mu > 4. */
int64_t fh_slot_ns(uint8_t mu);

/* Offset in ns introduced by alpha and beta (beta*10ms + alpha/1.2288,
 * rounded down).  t must pass fh_timing_check(). */
int64_t fh_timing_offset_ns(const struct fh_timing *t);

/*
 * Air time of a Unix (UTC, CLOCK_REALTIME) instant in ns.  Any unix_ns is
 * accepted.  t should pass fh_timing_check(); if it does not, every field of
 * *out is set to 0.
 */
void fh_airtime_from_unix(const struct fh_timing *t, int64_t unix_ns,
			  struct fh_airtime *out);

/*
 * Start (in Unix ns) of the symbol named by (frame_id, subframe_id, slot_id,
 * symbol_id) that lies nearest to ref_unix_ns.  frame_id repeats every
 * 256 frames (2.56 s), so the candidate in [ref - 1.28 s, ref + 1.28 s) is
 * chosen: this is how a switch resolves frame wrap for a packet it receives
 * at ref_unix_ns.  It is the exact inverse of fh_airtime_from_unix(): for
 * any u, feeding the fields of from_unix(u) with ref_unix_ns = u yields the
 * first ns of the symbol that contains u.  *out_unix_ns is written only on
 * success.
 *
 * @return 0; -EINVAL if t fails fh_timing_check(), a field is out of range
 *         for t->mu (subframe_id > 9, slot_id >= 2^mu, symbol_id > 13) or
 *         out_unix_ns is NULL; -ERANGE if the result does not fit in int64_t.
 */
int fh_airtime_to_unix(const struct fh_timing *t, uint8_t frame_id,
		       uint8_t subframe_id, uint8_t slot_id, uint8_t symbol_id,
		       int64_t ref_unix_ns, int64_t *out_unix_ns);

/*
 * Start in Unix ns of the first 10 ms frame boundary at or after unix_ns
 * (unix_ns itself if it is a boundary); its SFN goes to *sfn unless sfn is
 * NULL (helper for generators).  t must not be NULL; t->mu is not used and
 * alpha and beta are applied as in fh_airtime_from_unix().  unix_ns must be
 * at most INT64_MAX - 10 ms.
 */
int64_t fh_airtime_next_frame(const struct fh_timing *t, int64_t unix_ns,
			      uint16_t *sfn);

#endif
