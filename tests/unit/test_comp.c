/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fh/comp.h"

#define NV FH_PRB_VALUES

/* Deterministic xorshift64*, so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* A PRB whose values span about 2^k, with the int16 extremes mixed in now
 * and then so every exponent and both signs get exercised. */
static void random_prb(int16_t *x)
{
	unsigned k = rnd() % 16;
	unsigned i;

	for (i = 0; i < NV; i++) {
		int32_t v = (int32_t)(rnd() & ((2u << k) - 1)) - (1 << k);

		switch (rnd() % 64) {
		case 0:
			v = INT16_MAX;
			break;
		case 1:
			v = INT16_MIN;
			break;
		case 2:
			v = 0;
			break;
		default:
			break;
		}
		x[i] = (int16_t)(v > INT16_MAX ? INT16_MAX : v);
	}
}

static int16_t *random_prbs(size_t n)
{
	int16_t *x = malloc(n * NV * sizeof(*x));
	size_t i;

	assert_non_null(x);
	for (i = 0; i < n; i++) {
		random_prb(x + i * NV);
	}
	return x;
}

static unsigned n_levels(void)
{
	return (unsigned)fh_simd_best() + 1;
}

static int16_t sat16(int64_t v)
{
	return (int16_t)(v > INT16_MAX ? INT16_MAX :
			 v < INT16_MIN ? INT16_MIN :
					 v);
}

/* Reference BFP exponent straight from the definition. */
static unsigned ref_exponent(const int16_t *x, unsigned w)
{
	int32_t lo = -(1 << (w - 1)), hi = (1 << (w - 1)) - 1;
	unsigned e, i;

	for (e = 0; e < 15; e++) {
		for (i = 0; i < NV; i++) {
			int32_t m = x[i] >> e;

			if (m < lo || m > hi) {
				break;
			}
		}
		if (i == NV) {
			break;
		}
	}
	return e;
}

/* Reference BFP packing, one field at a time through fh_bits_put. */
static void ref_bfp_pack(const int16_t *x, unsigned w, uint8_t *out)
{
	unsigned e = ref_exponent(x, w), i;

	memset(out, 0, 1 + 3 * w);
	out[0] = (uint8_t)e;
	for (i = 0; i < NV; i++) {
		fh_bits_put(out + 1, (size_t)i * w, w,
			    (uint32_t)(x[i] >> e) & ((1u << w) - 1));
	}
}

/* ---- names, sizes, errors ------------------------------------------------ */

static void test_simd_env_override(void **state)
{
	(void)state;
	/* Runs first: FH_SIMD is read when the level is first needed. */
	setenv("FH_SIMD", "scalar", 1);
	assert_int_equal(fh_simd_get(), FH_SIMD_SCALAR);
	unsetenv("FH_SIMD");
	assert_int_equal(fh_simd_set(fh_simd_best()), 0);
	assert_int_equal(fh_simd_get(), fh_simd_best());
}

static void test_simd_level_api(void **state)
{
	(void)state;
	assert_string_equal(fh_simd_name(FH_SIMD_SCALAR), "scalar");
	assert_string_equal(fh_simd_name(FH_SIMD_AVX2), "avx2");
	assert_string_equal(fh_simd_name(FH_SIMD_AVX512), "avx512");
	assert_null(fh_simd_name((enum fh_simd_level)7));
	assert_int_equal(fh_simd_set((enum fh_simd_level)3), -EINVAL);
	assert_int_equal(fh_simd_set(FH_SIMD_SCALAR), 0);
	assert_int_equal(fh_simd_get(), FH_SIMD_SCALAR);
	if (fh_simd_best() < FH_SIMD_AVX512) {
		assert_int_equal(fh_simd_set(FH_SIMD_AVX512), -ENOTSUP);
	}
	assert_int_equal(fh_simd_set(fh_simd_best()), 0);
	assert_int_equal(fh_simd_get(), fh_simd_best());
}

static void test_method_names(void **state)
{
	static const char *const names[] = {
		"none",
		"bfp",
		"block_scaling",
		"mu_law",
		"modulation",
		"bfp_selective_re",
		"modulation_selective_re",
	};
	unsigned m;

	(void)state;
	for (m = 0; m < 7; m++) {
		assert_string_equal(fh_comp_method_name(m), names[m]);
	}
	for (m = 7; m < 16; m++) {
		assert_null(fh_comp_method_name(m));
	}
}

static void test_prb_bytes(void **state)
{
	struct fh_comp c;
	unsigned w;

	(void)state;
	for (w = 1; w <= 16; w++) {
		c.iq_width = (uint8_t)w;
		c.method = FH_COMP_NONE;
		assert_int_equal(fh_comp_prb_bytes(&c), 3 * w);
		c.method = FH_COMP_BFP;
		assert_int_equal(fh_comp_prb_bytes(&c), 1 + 3 * w);
		c.method = FH_COMP_BLOCK_SCALING;
		assert_int_equal(fh_comp_prb_bytes(&c), 1 + 3 * w);
		c.method = FH_COMP_MU_LAW;
		assert_int_equal(fh_comp_prb_bytes(&c), 1 + 3 * w);
		c.method = FH_COMP_MODULATION;
		assert_int_equal(fh_comp_prb_bytes(&c), 3 * w);
		c.method = FH_COMP_BFP_SELECTIVE_RE;
		assert_int_equal(fh_comp_prb_bytes(&c), 1 + 3 * w);
		c.method = FH_COMP_MOD_SELECTIVE_RE;
		assert_int_equal(fh_comp_prb_bytes(&c), 3 * w);
		c.method = 7;
		assert_int_equal(fh_comp_prb_bytes(&c), 0);
	}
	c.method = FH_COMP_BFP;
	c.iq_width = 9;
	assert_int_equal(fh_comp_prb_bytes(&c), 28);
	c.iq_width = 0;
	assert_int_equal(fh_comp_prb_bytes(&c), 0);
	c.iq_width = 17;
	assert_int_equal(fh_comp_prb_bytes(&c), 0);
	assert_int_equal(fh_comp_prb_bytes(NULL), 0);
}

static void test_bad_arguments(void **state)
{
	int16_t x[NV] = {0};
	uint8_t buf[64] = {0};
	struct fh_comp c = {.method = FH_COMP_BFP, .iq_width = 9};
	unsigned m;

	(void)state;
	assert_int_equal(fh_compress(NULL, x, 1, buf), -EINVAL);
	assert_int_equal(fh_decompress(NULL, buf, 1, x), -EINVAL);
	assert_int_equal(fh_compress(&c, NULL, 1, buf), -EINVAL);
	assert_int_equal(fh_compress(&c, x, 1, NULL), -EINVAL);
	assert_int_equal(fh_decompress(&c, NULL, 1, x), -EINVAL);
	assert_int_equal(fh_compress(&c, NULL, 0, NULL), 0);
	assert_int_equal(fh_decompress(&c, NULL, 0, NULL), 0);
	assert_int_equal(fh_compress(&c, x, (size_t)-1 / 2, buf), -EINVAL);
	c.iq_width = 0;
	assert_int_equal(fh_compress(&c, x, 1, buf), -EINVAL);
	c.iq_width = 17;
	assert_int_equal(fh_decompress(&c, buf, 1, x), -EINVAL);
	c.iq_width = 9;
	for (m = FH_COMP_MODULATION; m <= FH_COMP_MOD_SELECTIVE_RE; m++) {
		c.method = (uint8_t)m;
		assert_int_equal(fh_compress(&c, x, 1, buf), -EOPNOTSUPP);
		assert_int_equal(fh_decompress(&c, buf, 1, x), -EOPNOTSUPP);
	}
	for (m = 7; m < 16; m++) {
		c.method = (uint8_t)m;
		assert_int_equal(fh_compress(&c, x, 1, buf), -EINVAL);
		assert_int_equal(fh_decompress(&c, buf, 1, x), -EINVAL);
	}
}

/* ---- bit helpers --------------------------------------------------------- */

static void test_bits_get_put(void **state)
{
	const uint8_t b[] = {0xa5, 0x3c, 0xff, 0x01, 0x80, 0x7e};
	uint8_t buf[16], ref[16];
	unsigned iter;

	(void)state;
	assert_int_equal(fh_bits_get(b, 0, 4), 0xa);
	assert_int_equal(fh_bits_get(b, 4, 8), 0x53);
	assert_int_equal(fh_bits_get(b, 3, 5), 0x05);
	assert_int_equal(fh_bits_get(b, 7, 9), 0x13c);
	assert_int_equal(fh_bits_get(b, 0, 32), 0xa53cff01);
	assert_int_equal(fh_bits_get(b, 4, 32), 0x53cff018);
	assert_int_equal(fh_bits_get(b, 9, 0), 0);

	/* Against a bit-at-a-time model; neighbours must survive. */
	for (iter = 0; iter < 20000; iter++) {
		unsigned off = rnd() % 64, nbits = 1 + rnd() % 32, i;
		uint32_t v = rnd();

		for (i = 0; i < sizeof(buf); i++) {
			buf[i] = ref[i] = (uint8_t)rnd();
		}
		fh_bits_put(buf, off, nbits, v);
		for (i = 0; i < nbits; i++) {
			unsigned bit = off + i;
			unsigned val = v >> (nbits - 1 - i) & 1;

			ref[bit / 8] = (uint8_t)((ref[bit / 8] &
						  ~(0x80u >> (bit % 8))) |
						 val << (7 - bit % 8));
		}
		assert_memory_equal(buf, ref, sizeof(buf));
		assert_int_equal(fh_bits_get(buf, off, nbits),
				 nbits == 32 ? v : v & ((1u << nbits) - 1));
	}
}

/* ---- none ---------------------------------------------------------------- */

static void test_none_roundtrip_widths(void **state)
{
	const size_t n = 64;
	int16_t *x = random_prbs(n);
	int16_t y[64 * NV];
	uint8_t buf[64 * 48];
	struct fh_comp c = {.method = FH_COMP_NONE};
	unsigned w;
	size_t i;

	(void)state;
	for (w = 1; w <= 16; w++) {
		unsigned s = 16 - w;

		c.iq_width = (uint8_t)w;
		assert_int_equal(fh_compress(&c, x, n, buf), (long)(n * 3 * w));
		assert_int_equal(fh_decompress(&c, buf, n, y),
				 (long)(n * 3 * w));
		for (i = 0; i < n * NV; i++) {
			assert_int_equal(y[i], (x[i] >> s) * (1 << s));
			assert_int_equal(fh_bits_get(buf, i * w, w),
					 (uint32_t)(x[i] >> s) &
						 ((1u << w) - 1));
		}
	}
	free(x);
}

static void test_none_16bit_is_big_endian(void **state)
{
	int16_t x[NV] = {0x1234, -2, INT16_MIN};
	uint8_t buf[48];
	struct fh_comp c = {.method = FH_COMP_NONE, .iq_width = 16};

	(void)state;
	assert_int_equal(fh_compress(&c, x, 1, buf), 48);
	assert_int_equal(buf[0], 0x12);
	assert_int_equal(buf[1], 0x34);
	assert_int_equal(buf[2], 0xff);
	assert_int_equal(buf[3], 0xfe);
	assert_int_equal(buf[4], 0x80);
	assert_int_equal(buf[5], 0x00);
}

/* ---- BFP ----------------------------------------------------------------- */

/* Exponent minimal, udCompParam clean, packing as the reference, and
 * decompress(compress(x)) = (x >> e) << e, i.e. within 2^e below x. */
static void check_bfp_prbs(const int16_t *x, size_t n)
{
	uint8_t *buf = malloc(n * 49);
	int16_t *y = malloc(n * NV * sizeof(*y));
	uint8_t ref[49];
	unsigned w, lvl;
	size_t p;

	assert_non_null(buf);
	assert_non_null(y);
	for (lvl = 0; lvl < n_levels(); lvl++) {
		for (w = 1; w <= 16; w++) {
			size_t pb = 1 + 3 * w;

			fh_bfp_compress_level(lvl, w, x, n, buf);
			fh_bfp_decompress_level(lvl, w, buf, n, y);
			for (p = 0; p < n; p++) {
				const int16_t *xp = x + p * NV;
				const int16_t *yp = y + p * NV;
				unsigned e = ref_exponent(xp, w), i;

				assert_int_equal(buf[p * pb], e);
				assert_int_equal(fh_bfp_exponent(xp, w), e);
				ref_bfp_pack(xp, w, ref);
				assert_memory_equal(buf + p * pb, ref, pb);
				for (i = 0; i < NV; i++) {
					int32_t d = xp[i] - yp[i];

					assert_true(d >= 0 && d < (1 << e));
					assert_int_equal(
						yp[i], (xp[i] >> e) * (1 << e));
				}
			}
		}
	}
	free(buf);
	free(y);
}

static void test_bfp_roundtrip_widths(void **state)
{
	const size_t n = 200;
	int16_t *x = random_prbs(n);

	(void)state;
	check_bfp_prbs(x, n);
	free(x);
}

static void test_bfp_edge_inputs(void **state)
{
	int16_t x[8][NV];
	unsigned i;

	(void)state;
	memset(x, 0, sizeof(x)); /* 0: all zero */
	for (i = 0; i < NV; i++) {
		x[1][i] = INT16_MAX; /* 1: all +32767 */
		x[2][i] = INT16_MIN; /* 2: all -32768 */
		x[3][i] = (int16_t)(i & 1 ? -32767 : 32767);
		x[4][i] = (int16_t)((int)(i % 7) - 3);
		x[5][i] = -1;
		x[6][i] = (int16_t)(i & 1 ? -256 : 255);
	}
	x[4][17] = 30000; /* 4: one outlier */
	x[7][23] = INT16_MIN; /* 7: lone -32768 at the end */
	check_bfp_prbs(&x[0][0], 8);

	/* Negative powers of two need one bit less than their magnitude. */
	assert_int_equal(fh_bfp_exponent(x[6], 9), 0);
	x[6][0] = 256;
	assert_int_equal(fh_bfp_exponent(x[6], 9), 1);
	assert_int_equal(fh_bfp_exponent(x[2], 9), 7);
	assert_int_equal(fh_bfp_exponent(x[1], 9), 7);
	assert_int_equal(fh_bfp_exponent(x[2], 1), 15);
	assert_int_equal(fh_bfp_exponent(x[5], 1), 0);
	assert_int_equal(fh_bfp_exponent(x[2], 16), 0);
	assert_int_equal(fh_bfp_exponent(x[0], 1), 0);
}

static void test_bfp_9bit_layout(void **state)
{
	int16_t x[NV] = {0};
	uint8_t buf[28], want[28];
	unsigned lvl;

	(void)state;
	for (lvl = 0; lvl < n_levels(); lvl++) {
		/* I0 = 1, Q0 = -1: 000000001 111111111, then zeros. */
		memset(x, 0, sizeof(x));
		x[0] = 1;
		x[1] = -1;
		x[23] = -256; /* Q11: 100000000 in the last 9 bits */
		memset(want, 0, sizeof(want));
		want[0] = 0;
		want[1] = 0x00;
		want[2] = 0xff;
		want[3] = 0xc0;
		want[26] = 0x01; /* bits 200..207: first bit of Q11 */
		want[27] = 0x00;
		fh_bfp_compress_level(lvl, 9, x, 1, buf);
		assert_memory_equal(buf, want, 28);

		/* 510 needs 10 bits: exponent 1, mantissa 255. */
		memset(x, 0, sizeof(x));
		x[0] = 510;
		memset(want, 0, sizeof(want));
		want[0] = 1;
		want[1] = 0x7f;
		want[2] = 0x80;
		fh_bfp_compress_level(lvl, 9, x, 1, buf);
		assert_memory_equal(buf, want, 28);
	}
}

/* Exponents other than the minimum, including ones that overflow int16. */
static void test_bfp_decoder_any_exponent(void **state)
{
	uint8_t buf[49];
	int16_t y[NV];
	unsigned w, e, lvl, i;

	(void)state;
	for (w = 1; w <= 16; w++) {
		int32_t m[NV];

		for (i = 0; i < NV; i++) {
			m[i] = (int32_t)(rnd() & ((1u << w) - 1)) -
			       (1 << (w - 1));
		}
		m[0] = -(1 << (w - 1));
		m[1] = (1 << (w - 1)) - 1;
		m[2] = 0;
		m[3] = w > 1 ? 1 : -1;
		for (e = 0; e < 16; e++) {
			memset(buf, 0, sizeof(buf));
			/* Reserved upper bits set: decoders ignore them. */
			buf[0] = (uint8_t)(0xa0 | e);
			for (i = 0; i < NV; i++) {
				fh_bits_put(buf + 1, (size_t)i * w, w,
					    (uint32_t)m[i]);
			}
			for (lvl = 0; lvl < n_levels(); lvl++) {
				fh_bfp_decompress_level(lvl, w, buf, 1, y);
				for (i = 0; i < NV; i++) {
					assert_int_equal(y[i],
							 sat16((int64_t)m[i] *
							       (1 << e)));
				}
			}
		}
	}
}

/* Each level against scalar: bytes for compress, values for decompress.
 * Buffers are exact-size heap blocks so a sanitizer build sees any access
 * past the end; a guard word checks the same without one. */
static void test_bfp_simd_matches_scalar(void **state)
{
	static const size_t counts[] = {1, 2, 3, 4, 5, 6, 7, 13, 273, 500};
	unsigned w, lvl, ci;

	(void)state;
	if (n_levels() == 1) {
		skip();
	}
	for (ci = 0; ci < sizeof(counts) / sizeof(counts[0]); ci++) {
		size_t n = counts[ci];
		int16_t *x = random_prbs(n);

		for (w = 1; w <= 16; w++) {
			size_t bytes = n * (1 + 3 * w), i;
			uint8_t *ref = malloc(bytes + 4);
			uint8_t *out = malloc(bytes + 4);
			uint8_t *junk = malloc(bytes);
			int16_t *yref = malloc((n * NV + 2) * sizeof(int16_t));
			int16_t *y = malloc((n * NV + 2) * sizeof(int16_t));

			assert_non_null(ref);
			assert_non_null(out);
			assert_non_null(junk);
			assert_non_null(yref);
			assert_non_null(y);
			fh_bfp_compress_level(FH_SIMD_SCALAR, w, x, n, ref);
			/* Arbitrary bytes: any exponent, any mantissa. */
			for (i = 0; i < bytes; i++) {
				junk[i] = (uint8_t)rnd();
			}
			for (lvl = 1; lvl < n_levels(); lvl++) {
				memcpy(out + bytes, "\xde\xad\xbe\xef", 4);
				fh_bfp_compress_level(lvl, w, x, n, out);
				assert_memory_equal(out, ref, bytes);
				assert_memory_equal(out + bytes,
						    "\xde\xad\xbe\xef", 4);

				fh_bfp_decompress_level(FH_SIMD_SCALAR, w, ref,
							n, yref);
				y[n * NV] = 0x5a5a;
				fh_bfp_decompress_level(lvl, w, ref, n, y);
				assert_memory_equal(y, yref,
						    n * NV * sizeof(int16_t));
				assert_int_equal(y[n * NV], 0x5a5a);

				fh_bfp_decompress_level(FH_SIMD_SCALAR, w, junk,
							n, yref);
				fh_bfp_decompress_level(lvl, w, junk, n, y);
				assert_memory_equal(y, yref,
						    n * NV * sizeof(int16_t));
			}
			free(ref);
			free(out);
			free(junk);
			free(yref);
			free(y);
		}
		free(x);
	}
}

static void test_bfp_dispatch_follows_level(void **state)
{
	const size_t n = 50;
	int16_t *x = random_prbs(n);
	uint8_t a[50 * 28], b[50 * 28];
	struct fh_comp c = {.method = FH_COMP_BFP, .iq_width = 9};
	unsigned lvl;

	(void)state;
	fh_bfp_compress_level(FH_SIMD_SCALAR, 9, x, n, a);
	for (lvl = 0; lvl < n_levels(); lvl++) {
		assert_int_equal(fh_simd_set(lvl), 0);
		assert_int_equal(fh_compress(&c, x, n, b), (long)sizeof(b));
		assert_memory_equal(a, b, sizeof(b));
	}
	assert_int_equal(fh_simd_set(fh_simd_best()), 0);
	free(x);
}

/* ---- block scaling ------------------------------------------------------- */

/* One PRB with sblockScaler s and 24 codes c. */
static void bs_build(uint8_t *buf, unsigned w, unsigned s, const int32_t *c)
{
	unsigned i;

	memset(buf, 0, 1 + 3 * w);
	buf[0] = (uint8_t)s;
	for (i = 0; i < NV; i++) {
		fh_bits_put(buf + 1, (size_t)i * w, w, (uint32_t)c[i]);
	}
}

static void check_bs_decode(unsigned w, unsigned s, int32_t c, int16_t want)
{
	struct fh_comp cfg = {.method = FH_COMP_BLOCK_SCALING,
			      .iq_width = (uint8_t)w};
	int32_t codes[NV] = {0};
	uint8_t buf[49];
	int16_t y[NV];

	codes[5] = c;
	bs_build(buf, w, s, codes);
	assert_int_equal(fh_decompress(&cfg, buf, 1, y), 1 + 3 * w);
	assert_int_equal(y[5], want);
	assert_int_equal(y[0], 0);
}

static void test_block_scaling_vectors(void **state)
{
	struct fh_comp cfg = {.method = FH_COMP_BLOCK_SCALING, .iq_width = 9};
	int16_t x[NV] = {1000, -1000, 2, 3, -2, 5};
	const uint8_t want[8] = {4, 0x7d, 0x41, 0x80, 0x20, 0x1f, 0xf8, 0x04};
	uint8_t buf[28];
	unsigned i;

	(void)state;
	/* value = round(s * c / 2^(w-9)), halves away from zero */
	check_bs_decode(9, 128, 255, 32640);
	check_bs_decode(9, 128, -256, -32768);
	check_bs_decode(9, 128, 1, 128);
	check_bs_decode(12, 100, 1001, 12513); /* 12512.5 */
	check_bs_decode(12, 100, -1001, -12513);
	check_bs_decode(12, 255, 2047, 32767); /* 65248.125 saturates */
	check_bs_decode(12, 255, -2048, -32768); /* -65280 saturates */
	check_bs_decode(8, 3, -5, -30); /* * 2 for w = 8 */
	check_bs_decode(8, 3, 127, 762);
	check_bs_decode(16, 1, 127, 1); /* 0.992 */
	check_bs_decode(16, 1, 64, 1); /* 0.5 */
	check_bs_decode(16, 1, -64, -1);
	check_bs_decode(16, 1, 63, 0);
	check_bs_decode(16, 200, 1000, 1563); /* 1562.5 */
	check_bs_decode(16, 200, 32767, 32767); /* 51198.4 saturates */
	check_bs_decode(1, 128, -1, -32768); /* 128 * -1 * 256 */

	/* Compressor: s = max(ceil(1000 / 255), ceil(1000 / 256)) = 4, codes
	 * 250 -250 1 1 -1 1 (2 -> 0.5 rounds away from zero; 0 and 4 are
	 * equally near, the rounded code stays). */
	assert_int_equal(fh_compress(&cfg, x, 1, buf), 28);
	assert_memory_equal(buf, want, sizeof(want));
	for (i = sizeof(want); i < sizeof(buf); i++) {
		assert_int_equal(buf[i], 0);
	}

	/* w = 2 cannot reach 32767: s caps at 255, code 1 gives 32640. */
	memset(x, 0, sizeof(x));
	x[0] = INT16_MAX;
	cfg.iq_width = 2;
	assert_int_equal(fh_compress(&cfg, x, 1, buf), 7);
	assert_int_equal(buf[0], 255);
	assert_int_equal(buf[1], 0x40); /* 01 then zeros */

	/* All zero: scaler 0. */
	memset(x, 0, sizeof(x));
	cfg.iq_width = 9;
	assert_int_equal(fh_compress(&cfg, x, 1, buf), 28);
	for (i = 0; i < sizeof(buf); i++) {
		assert_int_equal(buf[i], 0);
	}
}

/* All decodable values for (w, s), through the library decoder. */
static void bs_table(unsigned w, unsigned s, int16_t *tab)
{
	struct fh_comp cfg = {.method = FH_COMP_BLOCK_SCALING,
			      .iq_width = (uint8_t)w};
	int32_t n = 1 << w, base = -(1 << (w - 1)), c = 0;
	uint8_t buf[49];
	int16_t y[NV];

	while (c < n) {
		int32_t codes[NV];
		unsigned i;

		for (i = 0; i < NV; i++) {
			codes[i] = base +
				   (c + (int32_t)i < n ? c + (int32_t)i : 0);
		}
		bs_build(buf, w, s, codes);
		fh_decompress(&cfg, buf, 1, y);
		for (i = 0; i < NV && c < n; i++, c++) {
			tab[c] = y[i];
		}
	}
}

static int32_t nearest_err(const int16_t *tab, int32_t n, int32_t x)
{
	int32_t best = INT32_MAX, c;

	for (c = 0; c < n; c++) {
		int32_t d = abs(tab[c] - x);

		if (d < best) {
			best = d;
		}
	}
	return best;
}

/* Per PRB the scaler is the documented one and every value decodes as
 * near to the input as any code could. */
static void test_block_scaling_roundtrip_widths(void **state)
{
	static int16_t tab[1 << 16];
	const size_t n = 12;
	int16_t *x = random_prbs(n);
	struct fh_comp cfg = {.method = FH_COMP_BLOCK_SCALING};
	uint8_t buf[12 * 49];
	int16_t y[12 * NV];
	unsigned w, i;
	size_t p;

	(void)state;
	for (w = 1; w <= 16; w++) {
		size_t pb = 1 + 3 * w;

		cfg.iq_width = (uint8_t)w;
		assert_int_equal(fh_compress(&cfg, x, n, buf), (long)(n * pb));
		assert_int_equal(fh_decompress(&cfg, buf, n, y),
				 (long)(n * pb));
		for (p = 0; p < n; p++) {
			const int16_t *xp = x + p * NV;
			double cmax = (double)((1 << (w - 1)) - 1);
			double unit = w <= 9 ? (double)(1 << (9 - w)) :
					       1.0 / (1 << (w - 9));
			int32_t mp = 0, mn = 0;
			unsigned s;

			for (i = 0; i < NV; i++) {
				mp = xp[i] > mp ? xp[i] : mp;
				mn = -xp[i] > mn ? -xp[i] : mn;
			}
			for (s = 0; s < 255; s++) {
				if ((cmax == 0 || s * cmax * unit >= mp) &&
				    s * 256.0 >= mn) {
					break;
				}
			}
			assert_int_equal(buf[p * pb], s);
			bs_table(w, s, tab);
			for (i = 0; i < NV; i++) {
				assert_int_equal(
					abs(y[p * NV + i] - xp[i]),
					nearest_err(tab, 1 << w, xp[i]));
			}
		}
	}
	free(x);
}

/* ---- mu-law -------------------------------------------------------------- */

static void check_mu_decode(unsigned w, unsigned shift, int32_t c, int16_t want)
{
	struct fh_comp cfg = {.method = FH_COMP_MU_LAW, .iq_width = (uint8_t)w};
	uint8_t buf[49] = {0};
	int16_t y[NV];

	buf[0] = (uint8_t)((w & 0xf) << 4 | shift);
	fh_bits_put(buf + 1, 7 * (size_t)w, w, (uint32_t)c);
	assert_int_equal(fh_decompress(&cfg, buf, 1, y), 1 + 3 * w);
	assert_int_equal(y[7], want);
	assert_int_equal(y[6], 0);
}

static void test_mu_law_vectors(void **state)
{
	struct fh_comp cfg = {.method = FH_COMP_MU_LAW, .iq_width = 8};
	int16_t x[NV] = {8192, 8200, 32767, INT16_MIN, 100, 64, -64, -65};
	const int8_t codes[8] = {64, 64, 127, -127, 1, 0, 0, -1};
	uint8_t buf[49];
	unsigned i;

	(void)state;
	/* w = 8: segments at |c| 64 and 96; steps 128, 256, 512 */
	check_mu_decode(8, 0, 0, 0);
	check_mu_decode(8, 0, 1, 128);
	check_mu_decode(8, 0, 64, 8192);
	check_mu_decode(8, 0, 65, 8448); /* 65 * 256 - 8192 */
	check_mu_decode(8, 0, 96, 16384);
	check_mu_decode(8, 0, 97, 16896); /* 97 * 512 - 32768 */
	check_mu_decode(8, 0, 127, 32256);
	check_mu_decode(8, 0, -1, -128);
	check_mu_decode(8, 0, -127, -32256);
	check_mu_decode(8, 0, -128, -32256); /* |c| saturates to 127 */
	check_mu_decode(8, 1, 127, 16128); /* compShift 1 */
	check_mu_decode(8, 1, 1, 64);
	check_mu_decode(8, 8, 1, 1); /* 0.5 rounds away from zero */
	check_mu_decode(8, 8, -1, -1);
	check_mu_decode(8, 8, 2, 1);
	/* w = 16: first segment is a / 2 */
	check_mu_decode(16, 0, 1, 1);
	check_mu_decode(16, 0, 2, 1);
	check_mu_decode(16, 0, 3, 2);
	check_mu_decode(16, 0, 16384, 8192);
	check_mu_decode(16, 0, 16385, 8193);
	check_mu_decode(16, 0, 24576, 16384);
	check_mu_decode(16, 0, 24577, 16386);
	check_mu_decode(16, 0, 32767, 32766);
	check_mu_decode(16, 0, -32768, -32766);
	/* w = 4: 4 * 2^11, 5 * 2^12 - 2^13, 6 * 2^12 - 2^13, 7 * 2^13 - 2^15 */
	check_mu_decode(4, 0, 4, 8192);
	check_mu_decode(4, 0, 5, 12288);
	check_mu_decode(4, 0, 6, 16384);
	check_mu_decode(4, 0, 7, 24576);
	check_mu_decode(4, 0, -7, -24576);

	/* Compressor: nearest code, ties to the smaller magnitude (64 is
	 * 0 or 128 away from codes 0 and 1). */
	assert_int_equal(fh_compress(&cfg, x, 1, buf), 25);
	assert_int_equal(buf[0], 0x80); /* compBitWidth 8, compShift 0 */
	for (i = 0; i < 8; i++) {
		assert_int_equal(buf[1 + i], (uint8_t)codes[i]);
	}
	for (i = 8; i < NV; i++) {
		assert_int_equal(buf[1 + i], 0);
	}
	cfg.iq_width = 16;
	assert_int_equal(fh_compress(&cfg, x, 1, buf), 49);
	assert_int_equal(buf[0], 0x00); /* 16 is written as 0 */
}

static void test_mu_law_roundtrip_widths(void **state)
{
	static int16_t tab[1 << 16];
	const size_t n = 12;
	int16_t *x = random_prbs(n);
	struct fh_comp cfg = {.method = FH_COMP_MU_LAW};
	uint8_t buf[12 * 49];
	int16_t y[12 * NV];
	unsigned w, i;

	(void)state;
	for (w = 1; w <= 16; w++) {
		size_t pb = 1 + 3 * w;
		int32_t c;

		cfg.iq_width = (uint8_t)w;
		/* Decode table over all codes, 24 at a time. */
		for (c = 0; c < (1 << w); c += NV) {
			uint8_t one[49] = {0};
			int16_t v[NV];

			one[0] = (uint8_t)((w & 0xf) << 4);
			for (i = 0; i < NV; i++) {
				fh_bits_put(one + 1, (size_t)i * w, w,
					    (uint32_t)(c + (int32_t)i));
			}
			fh_decompress(&cfg, one, 1, v);
			for (i = 0; i < NV && c + (int32_t)i < (1 << w); i++) {
				tab[c + (int32_t)i] = v[i];
			}
		}
		assert_int_equal(fh_compress(&cfg, x, n, buf), (long)(n * pb));
		assert_int_equal(fh_decompress(&cfg, buf, n, y),
				 (long)(n * pb));
		for (i = 0; i < n * NV; i++) {
			assert_int_equal(abs(y[i] - x[i]),
					 nearest_err(tab, 1 << w, x[i]));
		}
	}
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* first: the environment is read on first use */
		cmocka_unit_test(test_simd_env_override),
		cmocka_unit_test(test_simd_level_api),
		cmocka_unit_test(test_method_names),
		cmocka_unit_test(test_prb_bytes),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_bits_get_put),
		cmocka_unit_test(test_none_roundtrip_widths),
		cmocka_unit_test(test_none_16bit_is_big_endian),
		cmocka_unit_test(test_bfp_roundtrip_widths),
		cmocka_unit_test(test_bfp_edge_inputs),
		cmocka_unit_test(test_bfp_9bit_layout),
		cmocka_unit_test(test_bfp_decoder_any_exponent),
		cmocka_unit_test(test_bfp_simd_matches_scalar),
		cmocka_unit_test(test_bfp_dispatch_follows_level),
		cmocka_unit_test(test_block_scaling_vectors),
		cmocka_unit_test(test_block_scaling_roundtrip_widths),
		cmocka_unit_test(test_mu_law_vectors),
		cmocka_unit_test(test_mu_law_roundtrip_widths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
