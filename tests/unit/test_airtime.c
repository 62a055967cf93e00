/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "fh/airtime.h"

#define MS 1000000LL
#define GPS0 (FH_GPS_UNIX_OFFSET_S * FH_NS_PER_S) /* Unix ns of t_GPS 0 */
#define HALF_WRAP (128 * FH_FRAME_NS) /* 1.28 s */

#define TIMING(m, a, b) ((struct fh_timing){.mu = m, .alpha = a, .beta = b})

/*
 * Reference model, written straight from ORAN.md §6 with plain int64 floor
 * division (no residues), for times where t' cannot overflow.
 */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b != 0 && (a < 0) != (b < 0)) {
		q--;
	}
	return q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	return a - floor_div(a, b) * b;
}

struct model {
	struct fh_airtime at;
	int64_t sym_start; /* Unix ns */
	int64_t sym_len;
};

static void model(const struct fh_timing *t, int64_t u, struct model *m)
{
	int64_t slot = MS >> t->mu;
	int64_t tp = u - GPS0 - (int64_t)t->beta * FH_FRAME_NS -
		     (int64_t)(t->alpha * 10000 / 12288);
	int64_t slots = floor_div(tp, slot);
	int64_t x = tp - slots * slot;
	int64_t k = 13;

	while (k * slot / 14 > x) {
		k--;
	}
	m->at.sfn = (uint16_t)floor_mod(floor_div(tp, FH_FRAME_NS), 1024);
	m->at.frame_id = (uint8_t)(m->at.sfn % 256);
	m->at.subframe_id = (uint8_t)floor_mod(floor_div(tp, MS), 10);
	m->at.slot_id = (uint8_t)floor_mod(slots, 1 << t->mu);
	m->at.symbol_id = (uint8_t)k;
	m->sym_start = u - (x - k * slot / 14);
	m->sym_len = (k + 1) * slot / 14 - k * slot / 14;
}

/* splitmix64: fixed seed, so a failure reproduces */
static uint64_t rng_state = 0x0123456789abcdefULL;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A random timing for numerology mu. */
static struct fh_timing rnd_timing(uint8_t mu)
{
	struct fh_timing t = {.mu = mu};

	switch (rnd() % 3) {
	case 0:
		break;
	case 1:
		t.alpha = rnd() % FH_ALPHA_MAX;
		t.beta = (int32_t)(rnd() % 2048) - 1024;
		break;
	default:
		t.alpha = rnd() % FH_ALPHA_MAX;
		t.beta = (int32_t)(uint32_t)rnd();
		break;
	}
	return t;
}

/* Random Unix times: around now, around the GPS epoch, around 1970, and
 * anywhere in +-2^62 ns (+-146 years). */
static int64_t rnd_time(void)
{
	int64_t now = 1700000000LL * FH_NS_PER_S;
	int64_t span = 20 * FH_NS_PER_S;

	switch (rnd() % 4) {
	case 0:
		return now + (int64_t)(rnd() % (uint64_t)span);
	case 1:
		return GPS0 - span / 2 + (int64_t)(rnd() % (uint64_t)span);
	case 2:
		return -span / 2 + (int64_t)(rnd() % (uint64_t)span);
	default:
		return (int64_t)(rnd() >> 1) - (INT64_C(1) << 62);
	}
}

static void assert_airtime(const struct fh_airtime *a, unsigned int sfn,
			   unsigned int subframe, unsigned int slot,
			   unsigned int symbol)
{
	assert_int_equal(a->sfn, sfn);
	assert_int_equal(a->frame_id, sfn % 256);
	assert_int_equal(a->subframe_id, subframe);
	assert_int_equal(a->slot_id, slot);
	assert_int_equal(a->symbol_id, symbol);
}

static void assert_airtime_eq(const struct fh_airtime *a,
			      const struct fh_airtime *b)
{
	assert_airtime(a, b->sfn, b->subframe_id, b->slot_id, b->symbol_id);
	assert_int_equal(a->frame_id, b->frame_id);
}

static int airtime_eq(const struct fh_airtime *a, const struct fh_airtime *b)
{
	return a->sfn == b->sfn && a->frame_id == b->frame_id &&
	       a->subframe_id == b->subframe_id && a->slot_id == b->slot_id &&
	       a->symbol_id == b->symbol_id;
}

static void test_airtime_constants(void **state)
{
	(void)state;
	/* 1980-01-06 is 3657 days after 1970-01-01; minus 18 leap seconds */
	assert_int_equal(FH_GPS_UNIX_OFFSET_S, 3657LL * 86400 - 18);
	assert_int_equal(fh_slot_ns(0), 1000000);
	assert_int_equal(fh_slot_ns(1), 500000);
	assert_int_equal(fh_slot_ns(2), 250000);
	assert_int_equal(fh_slot_ns(3), 125000);
	assert_int_equal(fh_slot_ns(4), 62500);
	assert_int_equal(fh_slot_ns(5), -EINVAL);
	assert_int_equal(fh_slot_ns(255), -EINVAL);
}

static void test_airtime_timing_check(void **state)
{
	(void)state;
	assert_int_equal(fh_timing_check(&TIMING(0, 0, 0)), 0);
	assert_int_equal(fh_timing_check(&TIMING(4, 0, 0)), 0);
	assert_int_equal(fh_timing_check(&TIMING(4, FH_ALPHA_MAX - 1, -1)), 0);
	assert_int_equal(fh_timing_check(&TIMING(1, 0, INT32_MIN)), 0);
	assert_int_equal(fh_timing_check(&TIMING(1, 0, INT32_MAX)), 0);
	assert_int_equal(fh_timing_check(&TIMING(5, 0, 0)), -EINVAL);
	assert_int_equal(fh_timing_check(&TIMING(1, FH_ALPHA_MAX, 0)), -EINVAL);
	assert_int_equal(fh_timing_check(&TIMING(1, UINT64_MAX, 0)), -EINVAL);
	assert_int_equal(fh_timing_check(NULL), -EINVAL);
}

static void test_airtime_offset_ns(void **state)
{
	(void)state;
	assert_int_equal(fh_timing_offset_ns(&TIMING(1, 0, 0)), 0);
	/* 1 unit is 0.81 ns: rounds down to 0 */
	assert_int_equal(fh_timing_offset_ns(&TIMING(1, 1, 0)), 0);
	assert_int_equal(fh_timing_offset_ns(&TIMING(1, 2, 0)), 1);
	assert_int_equal(fh_timing_offset_ns(&TIMING(1, 12288, 0)), 10000);
	assert_int_equal(fh_timing_offset_ns(&TIMING(1, 12289, 0)), 10000);
	assert_int_equal(fh_timing_offset_ns(&TIMING(1, 12287, 0)), 9999);
	assert_int_equal(fh_timing_offset_ns(&TIMING(1, FH_ALPHA_MAX - 1, 0)),
			 9999999);
	assert_int_equal(fh_timing_offset_ns(&TIMING(1, 0, 1)), 10 * MS);
	assert_int_equal(fh_timing_offset_ns(&TIMING(1, 12288, -3)),
			 -30 * MS + 10000);
	assert_int_equal(fh_timing_offset_ns(&TIMING(1, 0, INT32_MIN)),
			 (int64_t)INT32_MIN * 10 * MS);
}

static void test_airtime_gps_epoch_is_origin(void **state)
{
	struct fh_airtime a;
	uint8_t mu;

	(void)state;
	for (mu = 0; mu <= 4; mu++) {
		fh_airtime_from_unix(&TIMING(mu, 0, 0), GPS0, &a);
		assert_airtime(&a, 0, 0, 0, 0);
		/* the ns before is the last symbol of SFN 1023 */
		fh_airtime_from_unix(&TIMING(mu, 0, 0), GPS0 - 1, &a);
		assert_airtime(&a, 1023, 9, (1u << mu) - 1, 13);
	}
}

static void test_airtime_hand_vectors(void **state)
{
	struct fh_timing t = TIMING(1, 0, 0);
	struct fh_airtime a;

	(void)state;
	/* 10 ms + 1.5 ms: SFN 1, subframe 1, second 0.5 ms slot */
	fh_airtime_from_unix(&t, GPS0 + 11 * MS + MS / 2, &a);
	assert_airtime(&a, 1, 1, 1, 0);
	/* symbol 3 of a 500 us slot starts at floor(3 * 500000 / 14) */
	fh_airtime_from_unix(&t, GPS0 + 11 * MS + MS / 2 + 107142, &a);
	assert_airtime(&a, 1, 1, 1, 3);
	fh_airtime_from_unix(&t, GPS0 + 11 * MS + MS / 2 + 107141, &a);
	assert_airtime(&a, 1, 1, 1, 2);
	/* symbol 13 starts at 464285, the slot ends at 499999 */
	fh_airtime_from_unix(&t, GPS0 + 11 * MS + MS / 2 + 464285, &a);
	assert_airtime(&a, 1, 1, 1, 13);
	fh_airtime_from_unix(&t, GPS0 + 11 * MS + MS / 2 + 464284, &a);
	assert_airtime(&a, 1, 1, 1, 12);
	fh_airtime_from_unix(&t, GPS0 + 12 * MS - 1, &a);
	assert_airtime(&a, 1, 1, 1, 13);
	fh_airtime_from_unix(&t, GPS0 + 12 * MS, &a);
	assert_airtime(&a, 1, 2, 0, 0);

	/* mu 2: 2.57 s + 3.75 ms + start of symbol 13 (232142) */
	t.mu = 2;
	fh_airtime_from_unix(&t, GPS0 + 2570 * MS + 3 * MS + 750000 + 232142,
			     &a);
	assert_airtime(&a, 257, 3, 3, 13);
	assert_int_equal(a.frame_id, 1);

	/* Unix 0 is t' = -315964782 s = 2.64 s mod 10.24 s: SFN 264 */
	t.mu = 0;
	fh_airtime_from_unix(&t, 0, &a);
	assert_airtime(&a, 264, 0, 0, 0);
	assert_int_equal(a.frame_id, 8);
	fh_airtime_from_unix(&t, -1, &a);
	assert_airtime(&a, 263, 9, 0, 13);
}

/* One symbol in the middle of a subframe, for every numerology. */
static void test_airtime_every_mu(void **state)
{
	static const int64_t slot_ns[] = {1000000, 500000, 250000, 125000,
					  62500};
	/* floor(7 * slot / 14) = slot / 2 for all even slot lengths */
	struct fh_airtime a;
	int64_t u, slot, last;
	uint8_t mu;

	(void)state;
	for (mu = 0; mu <= 4; mu++) {
		slot = slot_ns[mu];
		last = (1 << mu) - 1;
		u = GPS0 + 5 * MS + last * slot + slot / 2;
		fh_airtime_from_unix(&TIMING(mu, 0, 0), u, &a);
		assert_airtime(&a, 0, 5, (unsigned int)last, 7);
		fh_airtime_from_unix(&TIMING(mu, 0, 0), u - 1, &a);
		assert_airtime(&a, 0, 5, (unsigned int)last, 6);
		/* first symbol of slot 1 (mu 0: of the next subframe) */
		fh_airtime_from_unix(&TIMING(mu, 0, 0), GPS0 + 5 * MS + slot,
				     &a);
		assert_airtime(&a, 0, mu == 0 ? 6 : 5, mu == 0 ? 0 : 1, 0);
	}
}

static void test_airtime_alpha_beta_shift(void **state)
{
	struct fh_airtime a;

	(void)state;
	/* beta 1 delays every frame by 10 ms */
	fh_airtime_from_unix(&TIMING(1, 0, 1), GPS0 + 10 * MS, &a);
	assert_airtime(&a, 0, 0, 0, 0);
	fh_airtime_from_unix(&TIMING(1, 0, 1), GPS0, &a);
	assert_airtime(&a, 1023, 0, 0, 0);
	fh_airtime_from_unix(&TIMING(1, 0, -1), GPS0, &a);
	assert_airtime(&a, 1, 0, 0, 0);
	/* beta 256 keeps frameId, beta 1024 keeps the SFN */
	fh_airtime_from_unix(&TIMING(1, 0, 256), GPS0, &a);
	assert_airtime(&a, 768, 0, 0, 0);
	fh_airtime_from_unix(&TIMING(1, 0, 1024), GPS0, &a);
	assert_airtime(&a, 0, 0, 0, 0);
	fh_airtime_from_unix(&TIMING(1, 0, INT32_MIN), GPS0, &a);
	/* -2^31 mod 1024 = 0 */
	assert_airtime(&a, 0, 0, 0, 0);

	/* alpha 12288 = 10 us */
	fh_airtime_from_unix(&TIMING(1, 12288, 0), GPS0 + 10000, &a);
	assert_airtime(&a, 0, 0, 0, 0);
	fh_airtime_from_unix(&TIMING(1, 12288, 0), GPS0 + 9999, &a);
	assert_airtime(&a, 1023, 9, 1, 13);
	/* alpha 9.999999 ms with beta -1: t' = t_GPS + 1 ns */
	fh_airtime_from_unix(&TIMING(1, FH_ALPHA_MAX - 1, -1), GPS0 - 1, &a);
	assert_airtime(&a, 0, 0, 0, 0);
	fh_airtime_from_unix(&TIMING(1, FH_ALPHA_MAX - 1, -1), GPS0 - 2, &a);
	assert_airtime(&a, 1023, 9, 1, 13);
}

static void test_airtime_frame_wrap_256_and_1024(void **state)
{
	struct fh_timing t = TIMING(3, 0, 0);
	struct fh_airtime a;

	(void)state;
	fh_airtime_from_unix(&t, GPS0 + 256 * FH_FRAME_NS - 1, &a);
	assert_airtime(&a, 255, 9, 7, 13);
	assert_int_equal(a.frame_id, 255);
	fh_airtime_from_unix(&t, GPS0 + 256 * FH_FRAME_NS, &a);
	assert_airtime(&a, 256, 0, 0, 0);
	assert_int_equal(a.frame_id, 0);
	fh_airtime_from_unix(&t, GPS0 + 1024 * FH_FRAME_NS - 1, &a);
	assert_airtime(&a, 1023, 9, 7, 13);
	assert_int_equal(a.frame_id, 255);
	fh_airtime_from_unix(&t, GPS0 + 1024 * FH_FRAME_NS, &a);
	assert_airtime(&a, 0, 0, 0, 0);
	/* many SFN periods later */
	fh_airtime_from_unix(&t, GPS0 + 1000 * 1024 * FH_FRAME_NS + 3 * MS, &a);
	assert_airtime(&a, 0, 3, 0, 0);
}

static void test_airtime_from_unix_extremes_and_invalid(void **state)
{
	struct fh_timing t = TIMING(4, FH_ALPHA_MAX - 1, INT32_MIN);
	struct fh_airtime a;
	struct model m;

	(void)state;
	/* must not overflow anywhere (run under UBSan) */
	fh_airtime_from_unix(&t, INT64_MIN, &a);
	fh_airtime_from_unix(&t, INT64_MAX, &a);
	t.beta = INT32_MAX;
	fh_airtime_from_unix(&t, INT64_MIN, &a);
	fh_airtime_from_unix(&t, INT64_MAX, &a);
	/* INT64_MAX is 9223372036.854775807 s: check against the model
	 * shifted by a whole number of SFN periods (10.24 s) */
	t = TIMING(4, 0, 0);
	fh_airtime_from_unix(&t, INT64_MAX, &a);
	model(&t, INT64_MAX - 900000000LL * 10240000000LL, &m);
	assert_airtime_eq(&a, &m.at);
	fh_airtime_from_unix(&t, INT64_MIN, &a);
	model(&t, INT64_MIN + 900000000LL * 10240000000LL, &m);
	assert_airtime_eq(&a, &m.at);

	a = (struct fh_airtime){1, 1, 1, 1, 1};
	fh_airtime_from_unix(&TIMING(5, 0, 0), GPS0 + 11 * MS, &a);
	assert_airtime(&a, 0, 0, 0, 0);
	a = (struct fh_airtime){1, 1, 1, 1, 1};
	fh_airtime_from_unix(&TIMING(1, FH_ALPHA_MAX, 0), GPS0 + 11 * MS, &a);
	assert_airtime(&a, 0, 0, 0, 0);
	a = (struct fh_airtime){1, 1, 1, 1, 1};
	fh_airtime_from_unix(NULL, GPS0 + 11 * MS, &a);
	assert_airtime(&a, 0, 0, 0, 0);
	fh_airtime_from_unix(&TIMING(1, 0, 0), GPS0, NULL);
}

static void test_airtime_from_unix_matches_model(void **state)
{
	struct fh_timing t;
	struct fh_airtime a;
	struct model m;
	int64_t u;
	int i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		t = rnd_timing((uint8_t)(rnd() % 5));
		u = rnd_time();
		fh_airtime_from_unix(&t, u, &a);
		model(&t, u, &m);
		assert_airtime_eq(&a, &m.at);
	}
}

/* to_unix(from_unix(u)) is the first ns of the symbol holding u. */
static void test_airtime_roundtrip_random(void **state)
{
	struct fh_airtime a, b;
	struct fh_timing t;
	struct model m;
	int64_t u, s;
	int i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		t = rnd_timing((uint8_t)(rnd() % 5));
		u = rnd_time();
		fh_airtime_from_unix(&t, u, &a);
		s = INT64_MIN;
		assert_int_equal(fh_airtime_to_unix(&t, a.frame_id,
						    a.subframe_id, a.slot_id,
						    a.symbol_id, u, &s),
				 0);
		model(&t, u, &m);
		assert_true(s <= u);
		assert_true(u < s + m.sym_len);
		assert_int_equal(s, m.sym_start);
		/* s is in the symbol, s - 1 is not */
		fh_airtime_from_unix(&t, s, &b);
		assert_airtime_eq(&b, &a);
		fh_airtime_from_unix(&t, s - 1, &b);
		assert_false(airtime_eq(&b, &a));
		/* any ref in (s - 1.28 s, s + 1.28 s] finds s */
		assert_int_equal(
			fh_airtime_to_unix(
				&t, a.frame_id, a.subframe_id, a.slot_id,
				a.symbol_id,
				s + HALF_WRAP -
					(int64_t)(rnd() % (2 * HALF_WRAP)),
				&u),
			0);
		assert_int_equal(u, s);
	}
}

/* Every symbol of two frames, walked ns-exactly at each boundary. */
static void test_airtime_roundtrip_every_symbol(void **state)
{
	struct fh_airtime a;
	int64_t slot, base, start, next, s;
	unsigned int sf, sl, sym, f;
	uint8_t mu;

	(void)state;
	for (mu = 0; mu <= 4; mu++) {
		struct fh_timing t = TIMING(mu, 4242, -7);

		slot = fh_slot_ns(mu);
		for (f = 0; f < 2; f++) {
			/* frame 255 then frame 0 of SFN 256 */
			base = GPS0 + fh_timing_offset_ns(&t) +
			       (255 + f) * FH_FRAME_NS;
			for (sf = 0; sf < 10; sf++) {
				for (sl = 0; sl < 1u << mu; sl++) {
					for (sym = 0; sym < 14; sym++) {
						start = base + sf * MS +
							sl * slot +
							sym * slot / 14;
						next = base + sf * MS +
						       sl * slot +
						       (sym + 1) * slot / 14;
						fh_airtime_from_unix(&t, start,
								     &a);
						assert_airtime(&a, 255 + f, sf,
							       sl, sym);
						fh_airtime_from_unix(
							&t, next - 1, &a);
						assert_airtime(&a, 255 + f, sf,
							       sl, sym);
						assert_int_equal(
							fh_airtime_to_unix(
								&t,
								(uint8_t)(255 +
									  f),
								(uint8_t)sf,
								(uint8_t)sl,
								(uint8_t)sym,
								next - 1, &s),
							0);
						assert_int_equal(s, start);
					}
				}
			}
		}
	}
}

static void test_airtime_to_unix_nearest_candidate(void **state)
{
	struct fh_timing t = TIMING(1, 0, 0);
	struct fh_airtime a;
	int64_t ref, out;

	(void)state;
	/* ref in frame 255 (t' = 2.555 s): frame 0 is the next one */
	ref = GPS0 + 2555 * MS;
	assert_int_equal(fh_airtime_to_unix(&t, 0, 0, 0, 0, ref, &out), 0);
	assert_int_equal(out, GPS0 + 2560 * MS);
	assert_int_equal(fh_airtime_to_unix(&t, 254, 0, 0, 0, ref, &out), 0);
	assert_int_equal(out, GPS0 + 2540 * MS);
	/* frame 128 is 1.275 s back, frame 127 would be 1.285 s back */
	assert_int_equal(fh_airtime_to_unix(&t, 128, 0, 0, 0, ref, &out), 0);
	assert_int_equal(out, GPS0 + 1280 * MS);
	assert_int_equal(fh_airtime_to_unix(&t, 127, 0, 0, 0, ref, &out), 0);
	assert_int_equal(out, GPS0 + 3830 * MS);

	/* the window is [ref - 1.28 s, ref + 1.28 s) */
	ref = GPS0 + 1280 * MS;
	assert_int_equal(fh_airtime_to_unix(&t, 0, 0, 0, 0, ref, &out), 0);
	assert_int_equal(out, GPS0);
	assert_int_equal(fh_airtime_to_unix(&t, 0, 0, 0, 0, ref + 1, &out), 0);
	assert_int_equal(out, GPS0 + 2560 * MS);
	assert_int_equal(fh_airtime_to_unix(&t, 0, 0, 0, 0, ref - 1, &out), 0);
	assert_int_equal(out, GPS0);

	/* across the SFN 1024 wrap: t' = 10.235 s, SFN 1023 */
	ref = GPS0 + 10235 * MS;
	assert_int_equal(fh_airtime_to_unix(&t, 0, 0, 1, 3, ref, &out), 0);
	assert_int_equal(out, GPS0 + 10240 * MS + 500000 + 107142);
	fh_airtime_from_unix(&t, out, &a);
	assert_airtime(&a, 0, 0, 1, 3);
	assert_int_equal(fh_airtime_to_unix(&t, 255, 9, 1, 13, ref, &out), 0);
	assert_int_equal(out, GPS0 + 10240 * MS - 500000 + 464285);

	/* before 1970: ref 0 (SFN 264, frame_id 8) */
	assert_int_equal(fh_airtime_to_unix(&t, 8, 0, 0, 0, 0, &out), 0);
	assert_int_equal(out, 0);
	assert_int_equal(fh_airtime_to_unix(&t, 7, 0, 0, 0, 0, &out), 0);
	assert_int_equal(out, -10 * MS);
	assert_int_equal(fh_airtime_to_unix(&t, 136, 0, 0, 0, 0, &out), 0);
	assert_int_equal(out, -1280 * MS);
}

static void test_airtime_to_unix_random_window(void **state)
{
	struct fh_timing t;
	struct fh_airtime a;
	int64_t ref, out;
	uint8_t fid, sf, sl, sym;
	int i;

	(void)state;
	for (i = 0; i < 100000; i++) {
		t = rnd_timing((uint8_t)(rnd() % 5));
		ref = rnd_time();
		fid = (uint8_t)rnd();
		sf = (uint8_t)(rnd() % 10);
		sl = (uint8_t)(rnd() % (1u << t.mu));
		sym = (uint8_t)(rnd() % 14);
		assert_int_equal(
			fh_airtime_to_unix(&t, fid, sf, sl, sym, ref, &out), 0);
		assert_true(out >= ref - HALF_WRAP);
		assert_true(out < ref + HALF_WRAP);
		fh_airtime_from_unix(&t, out, &a);
		assert_int_equal(a.frame_id, fid);
		assert_int_equal(a.subframe_id, sf);
		assert_int_equal(a.slot_id, sl);
		assert_int_equal(a.symbol_id, sym);
		fh_airtime_from_unix(&t, out - 1, &a);
		assert_true(a.symbol_id != sym);
		/* the same symbol 256 frames away is outside the window */
		assert_true(out - 256 * FH_FRAME_NS < ref - HALF_WRAP ||
			    out + 256 * FH_FRAME_NS >= ref + HALF_WRAP);
	}
}

static void test_airtime_to_unix_invalid(void **state)
{
	struct fh_airtime a;
	int64_t out = 42;

	(void)state;
	assert_int_equal(
		fh_airtime_to_unix(&TIMING(5, 0, 0), 0, 0, 0, 0, 0, &out),
		-EINVAL);
	assert_int_equal(fh_airtime_to_unix(&TIMING(1, FH_ALPHA_MAX, 0), 0, 0,
					    0, 0, 0, &out),
			 -EINVAL);
	assert_int_equal(fh_airtime_to_unix(NULL, 0, 0, 0, 0, 0, &out),
			 -EINVAL);
	assert_int_equal(
		fh_airtime_to_unix(&TIMING(1, 0, 0), 0, 10, 0, 0, 0, &out),
		-EINVAL);
	assert_int_equal(
		fh_airtime_to_unix(&TIMING(1, 0, 0), 0, 0, 2, 0, 0, &out),
		-EINVAL);
	assert_int_equal(
		fh_airtime_to_unix(&TIMING(0, 0, 0), 0, 0, 1, 0, 0, &out),
		-EINVAL);
	assert_int_equal(
		fh_airtime_to_unix(&TIMING(4, 0, 0), 0, 0, 16, 0, 0, &out),
		-EINVAL);
	assert_int_equal(
		fh_airtime_to_unix(&TIMING(1, 0, 0), 0, 0, 0, 14, 0, &out),
		-EINVAL);
	assert_int_equal(out, 42);
	assert_int_equal(
		fh_airtime_to_unix(&TIMING(1, 0, 0), 0, 0, 0, 0, 0, NULL),
		-EINVAL);
	/* the edges of the valid ranges */
	assert_int_equal(
		fh_airtime_to_unix(&TIMING(4, 0, 0), 255, 9, 15, 13, 0, &out),
		0);
	assert_int_equal(
		fh_airtime_to_unix(&TIMING(0, 0, 0), 255, 9, 0, 13, 0, &out),
		0);

	/* a result past either end of int64_t is -ERANGE */
	fh_airtime_from_unix(&TIMING(1, 0, 0), INT64_MAX, &a);
	out = 42;
	assert_int_equal(fh_airtime_to_unix(&TIMING(1, 0, 0),
					    (uint8_t)(a.frame_id + 1),
					    a.subframe_id, a.slot_id,
					    a.symbol_id, INT64_MAX, &out),
			 -ERANGE);
	assert_int_equal(out, 42);
	assert_int_equal(fh_airtime_to_unix(&TIMING(1, 0, 0), a.frame_id,
					    a.subframe_id, a.slot_id,
					    a.symbol_id, INT64_MAX, &out),
			 0);
	assert_true(out <= INT64_MAX && out > INT64_MAX - 50000);
	fh_airtime_from_unix(&TIMING(1, 0, 0), INT64_MIN, &a);
	out = 42;
	assert_int_equal(fh_airtime_to_unix(&TIMING(1, 0, 0), a.frame_id,
					    a.subframe_id, a.slot_id,
					    a.symbol_id, INT64_MIN, &out),
			 -ERANGE);
	assert_int_equal(out, 42);
	assert_int_equal(fh_airtime_to_unix(&TIMING(1, 0, 0),
					    (uint8_t)(a.frame_id + 1),
					    a.subframe_id, a.slot_id,
					    a.symbol_id, INT64_MIN, &out),
			 0);
}

static void test_airtime_next_frame(void **state)
{
	uint16_t sfn = 9999;

	(void)state;
	assert_int_equal(fh_airtime_next_frame(&TIMING(1, 0, 0), GPS0, &sfn),
			 GPS0);
	assert_int_equal(sfn, 0);
	assert_int_equal(
		fh_airtime_next_frame(&TIMING(1, 0, 0), GPS0 + 1, &sfn),
		GPS0 + 10 * MS);
	assert_int_equal(sfn, 1);
	assert_int_equal(
		fh_airtime_next_frame(&TIMING(1, 0, 0), GPS0 - 1, &sfn), GPS0);
	assert_int_equal(sfn, 0);
	assert_int_equal(
		fh_airtime_next_frame(&TIMING(1, 0, 0), GPS0 - 10 * MS, &sfn),
		GPS0 - 10 * MS);
	assert_int_equal(sfn, 1023);
	/* SFN wrap */
	assert_int_equal(fh_airtime_next_frame(&TIMING(1, 0, 0),
					       GPS0 + 10235 * MS, &sfn),
			 GPS0 + 10240 * MS);
	assert_int_equal(sfn, 0);
	assert_int_equal(
		fh_airtime_next_frame(&TIMING(1, 0, 0), GPS0 + 2555 * MS, &sfn),
		GPS0 + 2560 * MS);
	assert_int_equal(sfn, 256);
	/* beta moves the numbering, alpha the boundaries */
	assert_int_equal(fh_airtime_next_frame(&TIMING(1, 0, 1), GPS0, &sfn),
			 GPS0);
	assert_int_equal(sfn, 1023);
	assert_int_equal(
		fh_airtime_next_frame(&TIMING(1, 12288, 0), GPS0, &sfn),
		GPS0 + 10000);
	assert_int_equal(sfn, 0);
	assert_int_equal(
		fh_airtime_next_frame(&TIMING(1, 12288, 0), GPS0 + 10001, &sfn),
		GPS0 + 10 * MS + 10000);
	assert_int_equal(sfn, 1);
	/* Unix 0 is the start of SFN 264; mu is not used */
	assert_int_equal(fh_airtime_next_frame(&TIMING(9, 0, 0), 0, &sfn), 0);
	assert_int_equal(sfn, 264);
	assert_int_equal(fh_airtime_next_frame(&TIMING(1, 0, 0), 1, NULL),
			 10 * MS);
}

static void test_airtime_next_frame_random(void **state)
{
	struct fh_airtime a;
	struct fh_timing t;
	int64_t u, n;
	uint16_t sfn;
	int i;

	(void)state;
	for (i = 0; i < 100000; i++) {
		t = rnd_timing((uint8_t)(rnd() % 5));
		u = rnd_time();
		n = fh_airtime_next_frame(&t, u, &sfn);
		assert_true(n >= u);
		assert_true(n - u < FH_FRAME_NS);
		fh_airtime_from_unix(&t, n, &a);
		assert_airtime(&a, sfn, 0, 0, 0);
		fh_airtime_from_unix(&t, n - 1, &a);
		assert_int_equal(a.sfn, (sfn + 1023) % 1024);
		assert_int_equal(a.subframe_id, 9);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_airtime_constants),
		cmocka_unit_test(test_airtime_timing_check),
		cmocka_unit_test(test_airtime_offset_ns),
		cmocka_unit_test(test_airtime_gps_epoch_is_origin),
		cmocka_unit_test(test_airtime_hand_vectors),
		cmocka_unit_test(test_airtime_every_mu),
		cmocka_unit_test(test_airtime_alpha_beta_shift),
		cmocka_unit_test(test_airtime_frame_wrap_256_and_1024),
		cmocka_unit_test(test_airtime_from_unix_extremes_and_invalid),
		cmocka_unit_test(test_airtime_from_unix_matches_model),
		cmocka_unit_test(test_airtime_roundtrip_random),
		cmocka_unit_test(test_airtime_roundtrip_every_symbol),
		cmocka_unit_test(test_airtime_to_unix_nearest_candidate),
		cmocka_unit_test(test_airtime_to_unix_random_window),
		cmocka_unit_test(test_airtime_to_unix_invalid),
		cmocka_unit_test(test_airtime_next_frame),
		cmocka_unit_test(test_airtime_next_frame_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
