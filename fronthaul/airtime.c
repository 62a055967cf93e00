/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stddef.h>

#include "fh/airtime.h"

#define MU_MAX 4
#define SUBFRAMES_PER_FRAME 10
/* SFN repeats every 1024 frames, frameId every 256 */
#define SFN_PERIOD_NS (FH_SFN_PERIOD * FH_FRAME_NS)
#define FRAME_ID_PERIOD_NS (FH_FRAME_ID_PERIOD * FH_FRAME_NS)
/* 1 ns is 1.2288 alpha units: alpha_ns = alpha * 10000 / 12288 */
#define ALPHA_UNITS_NUM 10000ULL
#define ALPHA_UNITS_DEN 12288ULL

/* C's % truncates toward zero; times before either epoch need the floor. */
static int64_t floor_mod(int64_t a, int64_t m)
{
	int64_t r = a % m;

	return r < 0 ? r + m : r;
}

/* Split before multiplying so that no uint64_t alpha can overflow; the
 * result is still exactly floor(alpha * 10000 / 12288). */
static uint64_t alpha_ns(uint64_t alpha)
{
	return alpha / ALPHA_UNITS_DEN * ALPHA_UNITS_NUM +
	       alpha % ALPHA_UNITS_DEN * ALPHA_UNITS_NUM / ALPHA_UNITS_DEN;
}

/*
 * unix = t' + (GPS offset + beta * 10 ms + alpha_ns).  Every field we derive
 * is periodic in t' with a period that divides 10.24 s, so the arithmetic
 * runs on residues modulo m: no intermediate can overflow, whatever the
 * Unix time, beta or alpha.
 */
static int64_t unix_minus_tprime_mod(const struct fh_timing *t, int64_t m)
{
	int64_t gps = floor_mod(FH_GPS_UNIX_OFFSET_S * FH_NS_PER_S, m);
	int64_t beta = floor_mod((int64_t)t->beta * FH_FRAME_NS, m);
	int64_t alpha = (int64_t)(alpha_ns(t->alpha) % (uint64_t)m);

	return (gps + beta + alpha) % m;
}

static int64_t tprime_mod(const struct fh_timing *t, int64_t unix_ns, int64_t m)
{
	return floor_mod(floor_mod(unix_ns, m) - unix_minus_tprime_mod(t, m),
			 m);
}

/* Symbol boundaries are exact rationals; round down so that they are whole
 * ns and fh_airtime_from_unix() can invert them exactly. */
static int64_t symbol_start(int64_t slot_ns, int64_t k)
{
	return k * slot_ns / FH_SYMBOLS_PER_SLOT;
}

int fh_timing_check(const struct fh_timing *t)
{
	if (t == NULL || t->mu > MU_MAX || t->alpha >= FH_ALPHA_MAX) {
		return -EINVAL;
	}
	return 0;
}

int64_t fh_slot_ns(uint8_t mu)
{
	if (mu > MU_MAX) {
		return -EINVAL;
	}
	return FH_SUBFRAME_NS >> mu;
}

int64_t fh_timing_offset_ns(const struct fh_timing *t)
{
	return (int64_t)t->beta * FH_FRAME_NS + (int64_t)alpha_ns(t->alpha);
}

void fh_airtime_from_unix(const struct fh_timing *t, int64_t unix_ns,
			  struct fh_airtime *out)
{
	int64_t r, slot_ns, in_sf, in_slot;

	if (out == NULL) {
		return;
	}
	if (fh_timing_check(t) < 0) {
		*out = (struct fh_airtime){0};
		return;
	}
	slot_ns = fh_slot_ns(t->mu);
	r = tprime_mod(t, unix_ns, SFN_PERIOD_NS);
	in_sf = r % FH_SUBFRAME_NS;
	in_slot = in_sf % slot_ns;

	out->sfn = (uint16_t)(r / FH_FRAME_NS);
	out->frame_id = (uint8_t)(out->sfn % FH_FRAME_ID_PERIOD);
	out->subframe_id = (uint8_t)(r / FH_SUBFRAME_NS % SUBFRAMES_PER_FRAME);
	out->slot_id = (uint8_t)(in_sf / slot_ns);
	/*
	 * Largest k with floor(k * slot / 14) <= in_slot, i.e.
	 * k * slot < 14 * (in_slot + 1).  The plain floor(14 * in_slot / slot)
	 * would disagree with symbol_start() in the ns that holds a
	 * fractional boundary and break the round trip.
	 */
	out->symbol_id = (uint8_t)((FH_SYMBOLS_PER_SLOT * in_slot +
				    FH_SYMBOLS_PER_SLOT - 1) /
				   slot_ns);
}

int fh_airtime_to_unix(const struct fh_timing *t, uint8_t frame_id,
		       uint8_t subframe_id, uint8_t slot_id, uint8_t symbol_id,
		       int64_t ref_unix_ns, int64_t *out_unix_ns)
{
	int64_t slot_ns, in_period, d;

	if (fh_timing_check(t) < 0 || out_unix_ns == NULL) {
		return -EINVAL;
	}
	if (subframe_id >= SUBFRAMES_PER_FRAME || slot_id >> t->mu != 0 ||
	    symbol_id >= FH_SYMBOLS_PER_SLOT) {
		return -EINVAL;
	}
	slot_ns = fh_slot_ns(t->mu);
	/* Position of the symbol in t' modulo the 2.56 s frameId period. */
	in_period = frame_id * FH_FRAME_NS + subframe_id * FH_SUBFRAME_NS +
		    slot_id * slot_ns + symbol_start(slot_ns, symbol_id);
	/* Distance from ref to the next candidate, then to the nearest one. */
	d = floor_mod(in_period + unix_minus_tprime_mod(t, FRAME_ID_PERIOD_NS) -
			      floor_mod(ref_unix_ns, FRAME_ID_PERIOD_NS),
		      FRAME_ID_PERIOD_NS);
	if (d >= FRAME_ID_PERIOD_NS / 2) {
		d -= FRAME_ID_PERIOD_NS;
	}
	if ((d > 0 && ref_unix_ns > INT64_MAX - d) ||
	    (d < 0 && ref_unix_ns < INT64_MIN - d)) {
		return -ERANGE;
	}
	*out_unix_ns = ref_unix_ns + d;
	return 0;
}

int64_t fh_airtime_next_frame(const struct fh_timing *t, int64_t unix_ns,
			      uint16_t *sfn)
{
	int64_t r = tprime_mod(t, unix_ns, FH_FRAME_NS);
	int64_t start = r == 0 ? unix_ns : unix_ns + (FH_FRAME_NS - r);

	if (sfn != NULL) {
		*sfn = (uint16_t)(tprime_mod(t, start, SFN_PERIOD_NS) /
				  FH_FRAME_NS);
	}
	return start;
}
