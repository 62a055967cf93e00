/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fh/bits.h"
#include "fh/comp.h"

/* Forced inlining lets each switch case below specialise a kernel for one
 * constant width: shifts and masks become immediates. */
#define FH_ALWAYS_INLINE inline __attribute__((always_inline))

static const char *const method_names[] = {
	[FH_COMP_NONE] = "none",
	[FH_COMP_BFP] = "bfp",
	[FH_COMP_BLOCK_SCALING] = "block_scaling",
	[FH_COMP_MU_LAW] = "mu_law",
	[FH_COMP_MODULATION] = "modulation",
	[FH_COMP_BFP_SELECTIVE_RE] = "bfp_selective_re",
	[FH_COMP_MOD_SELECTIVE_RE] = "modulation_selective_re",
};

const char *fh_comp_method_name(unsigned method)
{
	if (method >= sizeof(method_names) / sizeof(method_names[0])) {
		return NULL;
	}
	return method_names[method];
}

size_t fh_comp_prb_bytes(const struct fh_comp *c)
{
	size_t data;

	if (c == NULL || c->iq_width == 0 || c->iq_width > 16) {
		return 0;
	}
	data = 3 * (size_t)c->iq_width;
	switch (c->method) {
	case FH_COMP_NONE:
	case FH_COMP_MODULATION:
	case FH_COMP_MOD_SELECTIVE_RE:
		return data;
	case FH_COMP_BFP:
	case FH_COMP_BLOCK_SCALING:
	case FH_COMP_MU_LAW:
	case FH_COMP_BFP_SELECTIVE_RE:
		return 1 + data;
	default:
		return 0;
	}
}

/* ---- bit helpers --------------------------------------------------------- */

uint32_t fh_bits_get(const uint8_t *buf, size_t bit_off, unsigned nbits)
{
	const uint8_t *p = buf + bit_off / 8;
	unsigned skip = (unsigned)(bit_off % 8);
	unsigned nbytes, i;
	uint64_t acc = 0;

	if (nbits == 0) {
		return 0;
	}
	if (nbits > 32) {
		nbits = 32;
	}
	/* At most 7 + 32 bits: five bytes always fit the accumulator. */
	nbytes = (skip + nbits + 7) / 8;
	for (i = 0; i < nbytes; i++) {
		acc = acc << 8 | p[i];
	}
	acc >>= nbytes * 8 - skip - nbits;
	return (uint32_t)(acc & ((UINT64_C(1) << nbits) - 1));
}

void fh_bits_put(uint8_t *buf, size_t bit_off, unsigned nbits, uint32_t v)
{
	uint8_t *p = buf + bit_off / 8;
	unsigned skip = (unsigned)(bit_off % 8);
	unsigned nbytes, sh, i;
	uint64_t acc = 0, mask;

	if (nbits == 0) {
		return;
	}
	if (nbits > 32) {
		nbits = 32;
	}
	nbytes = (skip + nbits + 7) / 8;
	for (i = 0; i < nbytes; i++) {
		acc = acc << 8 | p[i];
	}
	sh = nbytes * 8 - skip - nbits;
	mask = ((UINT64_C(1) << nbits) - 1) << sh;
	acc = (acc & ~mask) | (((uint64_t)v << sh) & mask);
	for (i = nbytes; i-- > 0;) {
		p[i] = (uint8_t)acc;
		acc >>= 8;
	}
}

/* ---- packing ------------------------------------------------------------- */

/* Number of significant bits of y (0 for 0), y < 2^31.  The | 1 keeps clz
 * defined for y = 0. */
static inline unsigned bit_len(uint32_t y)
{
	return 31u - (unsigned)__builtin_clz(y << 1 | 1);
}

static inline int16_t sat16(int32_t v)
{
	if (v > INT16_MAX) {
		return INT16_MAX;
	}
	if (v < INT16_MIN) {
		return INT16_MIN;
	}
	return (int16_t)v;
}

/* Sign-extend the low w bits of raw without shifting a negative value. */
static inline int32_t sext(uint32_t raw, unsigned w)
{
	uint32_t sb = 1u << (w - 1);

	return (int32_t)(raw ^ sb) - (int32_t)sb;
}

/* Pack (x[i] >> sh) as 24 w-bit fields, big-endian: 3 * w bytes.  Whole
 * 32-bit words go out while they are complete, so most stores are one
 * bswap+store rather than a byte each. */
static FH_ALWAYS_INLINE void pack24(uint8_t *out, const int16_t *x, unsigned w,
				    unsigned sh)
{
	uint32_t mask = (1u << w) - 1;
	uint64_t acc = 0;
	unsigned n = 0, i;

	for (i = 0; i < FH_PRB_VALUES; i++) {
		acc = acc << w | ((uint32_t)(x[i] >> sh) & mask);
		n += w;
		if (n >= 32) {
			n -= 32;
			fh_put_be32(out, (uint32_t)(acc >> n));
			out += 4;
		}
	}
	/* 24 * w bits is a whole number of bytes. */
	while (n >= 8) {
		n -= 8;
		*out++ = (uint8_t)(acc >> n);
	}
}

/* Unpack 24 w-bit two's complement fields into sext(c) * 2^sh, saturated.
 * Reads exactly 3 * w bytes. */
static FH_ALWAYS_INLINE void unpack24(int16_t *y, const uint8_t *in, unsigned w,
				      unsigned sh)
{
	const uint8_t *end = in + 3 * w;
	uint32_t mask = (1u << w) - 1;
	int32_t scale = (int32_t)(1u << sh);
	uint64_t acc = 0;
	unsigned n = 0, i;

	for (i = 0; i < FH_PRB_VALUES; i++) {
		if (n < w) {
			if (end - in >= 4) {
				acc = acc << 32 | fh_get_be32(in);
				in += 4;
				n += 32;
			} else {
				do {
					acc = acc << 8 | *in++;
					n += 8;
				} while (n < w);
			}
		}
		n -= w;
		/* |c| <= 2^15 and sh <= 15: the product fits in int32. */
		y[i] = sat16(sext((uint32_t)(acc >> n) & mask, w) * scale);
	}
}

/* ---- BFP, scalar --------------------------------------------------------- */

/* x ^ (x >> 15) is x for x >= 0 and -x - 1 for x < 0; value >> e fits in w
 * bits signed exactly when that magnitude >> e < 2^(w-1), so the OR over
 * the PRB has the bit length the exponent must cover. */
static FH_ALWAYS_INLINE unsigned bfp_exp(const int16_t *x, unsigned w)
{
	uint32_t t = 0;
	unsigned i;

	for (i = 0; i < FH_PRB_VALUES; i++) {
		t |= (uint16_t)(x[i] ^ (x[i] >> 15));
	}
	return bit_len(t >> (w - 1));
}

unsigned fh_bfp_exponent(const int16_t *prb, unsigned iq_width)
{
	if (iq_width == 0 || iq_width > 16) {
		return 0;
	}
	return bfp_exp(prb, iq_width);
}

static FH_ALWAYS_INLINE void bfp_compress_w(unsigned w, const int16_t *in,
					    size_t n, uint8_t *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned e = bfp_exp(in, w);

		out[0] = (uint8_t)e;
		pack24(out + 1, in, w, e);
		in += FH_PRB_VALUES;
		out += 1 + 3 * w;
	}
}

static FH_ALWAYS_INLINE void bfp_decompress_w(unsigned w, const uint8_t *in,
					      size_t n, int16_t *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unpack24(out, in + 1, w, in[0] & 0xf);
		in += 1 + 3 * w;
		out += FH_PRB_VALUES;
	}
}

/* One instance per width so the common ones run with constant shifts. */
/* clang-format off */
#define FH_WIDTH_CASES(F)                                                     \
	F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11) F(12) F(13) \
	F(14) F(15) F(16)
/* clang-format on */

static void bfp_compress_scalar(unsigned w, const int16_t *in, size_t n,
				uint8_t *out)
{
	switch (w) {
#define CASE(W)                                \
	case W:                                \
		bfp_compress_w(W, in, n, out); \
		break;
		FH_WIDTH_CASES(CASE)
#undef CASE
	default:
		break;
	}
}

static void bfp_decompress_scalar(unsigned w, const uint8_t *in, size_t n,
				  int16_t *out)
{
	switch (w) {
#define CASE(W)                                  \
	case W:                                  \
		bfp_decompress_w(W, in, n, out); \
		break;
		FH_WIDTH_CASES(CASE)
#undef CASE
	default:
		break;
	}
}

/* ---- none ---------------------------------------------------------------- */

/* The w == 16 branches give uncompressed data, the common case, its own
 * constant-width copy of the packer. */
static void none_compress(unsigned w, const int16_t *in, size_t n, uint8_t *out)
{
	size_t i;

	if (w == 16) {
		/* big-endian int16: a byte swap the compiler vectorises */
		for (i = 0; i < n * FH_PRB_VALUES; i++) {
			uint16_t v = (uint16_t)in[i];

			out[2 * i] = (uint8_t)(v >> 8);
			out[2 * i + 1] = (uint8_t)v;
		}
		return;
	}
	for (i = 0; i < n; i++) {
		if (w == 16) {
			pack24(out, in, 16, 0);
		} else {
			pack24(out, in, w, 16 - w);
		}
		in += FH_PRB_VALUES;
		out += 3 * w;
	}
}

static void none_decompress(unsigned w, const uint8_t *in, size_t n,
			    int16_t *out)
{
	size_t i;

	if (w == 16) {
		for (i = 0; i < n * FH_PRB_VALUES; i++) {
			out[i] = (int16_t)(uint16_t)(in[2 * i] << 8 |
						     in[2 * i + 1]);
		}
		return;
	}
	for (i = 0; i < n; i++) {
		if (w == 16) {
			unpack24(out, in, 16, 0);
		} else {
			unpack24(out, in, w, 16 - w);
		}
		in += 3 * w;
		out += FH_PRB_VALUES;
	}
}

/* ---- block scaling ------------------------------------------------------- */

/* Rounded quotient, halves away from zero; den > 0. */
static inline int64_t div_round(int64_t num, int64_t den)
{
	if (num < 0) {
		return -((-num + den / 2) / den);
	}
	return (num + den / 2) / den;
}

/* ORAN.md section 4: round(s * c / 2^(w-9)).  For w <= 9 the divisor is
 * 2^-k and the product is exact, so only w > 9 rounds. */
static int16_t bs_value(unsigned s, int32_t c, unsigned w)
{
	int32_t p = (int32_t)s * c;

	if (w <= 9) {
		return sat16(p * (int32_t)(1u << (9 - w)));
	}
	return sat16((int32_t)div_round(p, (int64_t)1 << (w - 9)));
}

/* The smallest scaler keeps the quantisation step (s * 2^(9-w)) smallest
 * while no value needs a code outside [-2^(w-1), 2^(w-1) - 1].  The
 * decompressed range is s * c * 2^(9-w): compared in units of 2^-w. */
static unsigned bs_scaler(int32_t max_pos, int32_t max_neg, unsigned w)
{
	int64_t cmax = ((int64_t)1 << (w - 1)) - 1;
	int64_t s = (max_neg + 255) / 256;
	int64_t sp;

	if (cmax > 0) {
		sp = ((int64_t)max_pos * ((int64_t)1 << w) + cmax * 512 - 1) /
		     (cmax * 512);
		if (sp > s) {
			s = sp;
		}
	}
	return s > 255 ? 255 : (unsigned)s;
}

static int32_t bs_code(int32_t x, unsigned s, unsigned w)
{
	int32_t cmin = -(int32_t)(1u << (w - 1));
	int32_t cmax = (int32_t)(1u << (w - 1)) - 1;
	int32_t best, c0, c;
	int32_t best_err;

	/* Nearest code before the decompressor's own rounding; the true
	 * optimum is at most one step away. */
	c0 = (int32_t)div_round((int64_t)x * ((int64_t)1 << (w - 1)),
				(int64_t)s * 256);
	if (c0 < cmin) {
		c0 = cmin;
	}
	if (c0 > cmax) {
		c0 = cmax;
	}
	best = c0;
	best_err = abs(bs_value(s, c0, w) - x);
	for (c = c0 - 1; c <= c0 + 1; c += 2) {
		int32_t err;

		if (c < cmin || c > cmax) {
			continue;
		}
		err = abs(bs_value(s, c, w) - x);
		if (err < best_err) {
			best_err = err;
			best = c;
		}
	}
	return best;
}

static void bs_compress(unsigned w, const int16_t *in, size_t n, uint8_t *out)
{
	int16_t code[FH_PRB_VALUES];
	size_t i;
	unsigned j;

	for (i = 0; i < n; i++) {
		int32_t max_pos = 0, max_neg = 0;
		unsigned s;

		for (j = 0; j < FH_PRB_VALUES; j++) {
			if (in[j] > max_pos) {
				max_pos = in[j];
			}
			if (-in[j] > max_neg) {
				max_neg = -in[j];
			}
		}
		s = bs_scaler(max_pos, max_neg, w);
		for (j = 0; j < FH_PRB_VALUES; j++) {
			code[j] = s ? (int16_t)bs_code(in[j], s, w) : 0;
		}
		out[0] = (uint8_t)s;
		pack24(out + 1, code, w, 0);
		in += FH_PRB_VALUES;
		out += 1 + 3 * w;
	}
}

static void bs_decompress(unsigned w, const uint8_t *in, size_t n, int16_t *out)
{
	int16_t code[FH_PRB_VALUES];
	size_t i;
	unsigned j;

	for (i = 0; i < n; i++) {
		unpack24(code, in + 1, w, 0);
		for (j = 0; j < FH_PRB_VALUES; j++) {
			out[j] = bs_value(in[0], code[j], w);
		}
		in += 1 + 3 * w;
		out += FH_PRB_VALUES;
	}
}

/* ---- mu-law -------------------------------------------------------------- */

/* Twice v of ORAN.md section 4 for magnitude a <= 2^(w-1) - 1: doubling
 * keeps w = 16 (v = a / 2 in the first segment) in integers.  The segment
 * tests are scaled by 4 and 8 so that 2^(w-2) and 2^(w-3) stay integral for
 * w < 3. */
static int32_t mu_v2(int32_t a, unsigned w)
{
	if (4 * a <= (1 << w)) {
		return a * (1 << (16 - w));
	}
	if (8 * a <= 3 * (1 << w)) {
		return a * (1 << (17 - w)) - (1 << 14);
	}
	return a * (1 << (18 - w)) - (1 << 16);
}

/* Magnitude after compShift, rounded half away from zero. */
static int32_t mu_mag(int32_t a, unsigned w, unsigned shift)
{
	return (mu_v2(a, w) + (1 << shift)) >> (shift + 1);
}

static int16_t mu_value(int32_t c, unsigned w, unsigned shift)
{
	int32_t amax = (1 << (w - 1)) - 1;
	int32_t a = c < 0 ? -c : c;

	if (a > amax) {
		a = amax;
	}
	return (int16_t)(c < 0 ? -mu_mag(a, w, shift) : mu_mag(a, w, shift));
}

/* Invert the three linear segments for |x| (truncating), then settle the
 * rounding among the neighbours: mu_mag is monotonic and rises by at least
 * 1/2 per code, so the nearest code is the estimate or the next one; one
 * more on each side costs little and keeps ties at the smaller magnitude. */
static int32_t mu_code(int32_t x, unsigned w)
{
	int32_t amax = (1 << (w - 1)) - 1;
	int32_t m = x < 0 ? -x : x;
	int32_t a0, a, best = 0, best_err = INT32_MAX;

	if (m <= 1 << 13) {
		a0 = (2 * m) >> (16 - w);
	} else if (m <= 1 << 14) {
		a0 = (2 * m + (1 << 14)) >> (17 - w);
	} else {
		a0 = (2 * m + (1 << 16)) >> (18 - w);
	}
	if (a0 > amax) {
		a0 = amax;
	}
	for (a = a0 - 1; a <= a0 + 2; a++) {
		int32_t err;

		if (a < 0 || a > amax) {
			continue;
		}
		err = abs(mu_mag(a, w, 0) - m);
		if (err < best_err) {
			best_err = err;
			best = a;
		}
	}
	return x < 0 ? -best : best;
}

static void mu_compress(unsigned w, const int16_t *in, size_t n, uint8_t *out)
{
	int16_t code[FH_PRB_VALUES];
	size_t i;
	unsigned j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < FH_PRB_VALUES; j++) {
			code[j] = (int16_t)mu_code(in[j], w);
		}
		out[0] = (uint8_t)((w & 0xf) << 4);
		pack24(out + 1, code, w, 0);
		in += FH_PRB_VALUES;
		out += 1 + 3 * w;
	}
}

static void mu_decompress(unsigned w, const uint8_t *in, size_t n, int16_t *out)
{
	int16_t code[FH_PRB_VALUES];
	size_t i;
	unsigned j;

	for (i = 0; i < n; i++) {
		unsigned shift = in[0] & 0xf;

		unpack24(code, in + 1, w, 0);
		for (j = 0; j < FH_PRB_VALUES; j++) {
			out[j] = mu_value(code[j], w, shift);
		}
		in += 1 + 3 * w;
		out += FH_PRB_VALUES;
	}
}

/* ---- SIMD level ---------------------------------------------------------- */

/* -1 until first use; atomic so concurrent first users agree. */
static _Atomic int simd_level = -1;

static enum fh_simd_level simd_probe(void)
{
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") &&
	    __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vl") &&
	    __builtin_cpu_supports("avx512dq") &&
	    __builtin_cpu_supports("avx512vbmi") &&
	    __builtin_cpu_supports("bmi2")) {
		return FH_SIMD_AVX512;
	}
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2")) {
		return FH_SIMD_AVX2;
	}
	return FH_SIMD_SCALAR;
}

/* Cached: the level checks sit on every fh_bfp_*_level call. */
enum fh_simd_level fh_simd_best(void)
{
	static _Atomic int best = -1;
	int b = atomic_load_explicit(&best, memory_order_relaxed);

	if (b < 0) {
		b = (int)simd_probe();
		atomic_store_explicit(&best, b, memory_order_relaxed);
	}
	return (enum fh_simd_level)b;
}

static int simd_from_env(void)
{
	const char *s = getenv("FH_SIMD");
	int best = (int)fh_simd_best();

	if (s == NULL) {
		return best;
	}
	if (strcmp(s, "scalar") == 0) {
		return FH_SIMD_SCALAR;
	}
	if (strcmp(s, "avx2") == 0 && best >= FH_SIMD_AVX2) {
		return FH_SIMD_AVX2;
	}
	if (strcmp(s, "avx512") == 0 && best >= FH_SIMD_AVX512) {
		return FH_SIMD_AVX512;
	}
	return best;
}

enum fh_simd_level fh_simd_get(void)
{
	int level = atomic_load_explicit(&simd_level, memory_order_relaxed);
	int expected = -1;

	if (level >= 0) {
		return (enum fh_simd_level)level;
	}
	level = simd_from_env();
	/* A concurrent fh_simd_set() wins over the environment. */
	if (!atomic_compare_exchange_strong(&simd_level, &expected, level)) {
		level = expected;
	}
	return (enum fh_simd_level)level;
}

int fh_simd_set(enum fh_simd_level level)
{
	if ((int)level < FH_SIMD_SCALAR || level > FH_SIMD_AVX512) {
		return -EINVAL;
	}
	if (level > fh_simd_best()) {
		return -ENOTSUP;
	}
	atomic_store(&simd_level, (int)level);
	return 0;
}

const char *fh_simd_name(enum fh_simd_level level)
{
	switch (level) {
	case FH_SIMD_SCALAR:
		return "scalar";
	case FH_SIMD_AVX2:
		return "avx2";
	case FH_SIMD_AVX512:
		return "avx512";
	}
	return NULL;
}

void fh_bfp_compress_level(enum fh_simd_level level, unsigned iq_width,
			   const int16_t *in, size_t n_prb, uint8_t *out)
{
	if (iq_width == 0 || iq_width > 16 || n_prb == 0) {
		return;
	}
	if (level > FH_SIMD_SCALAR && level > fh_simd_best()) {
		level = fh_simd_best();
	}
	switch (level) {
	case FH_SIMD_AVX512:
		fh_bfp_compress_avx512(iq_width, in, n_prb, out);
		break;
	case FH_SIMD_AVX2:
		fh_bfp_compress_avx2(iq_width, in, n_prb, out);
		break;
	default:
		bfp_compress_scalar(iq_width, in, n_prb, out);
		break;
	}
}

void fh_bfp_decompress_level(enum fh_simd_level level, unsigned iq_width,
			     const uint8_t *in, size_t n_prb, int16_t *out)
{
	if (iq_width == 0 || iq_width > 16 || n_prb == 0) {
		return;
	}
	if (level > FH_SIMD_SCALAR && level > fh_simd_best()) {
		level = fh_simd_best();
	}
	switch (level) {
	case FH_SIMD_AVX512:
		fh_bfp_decompress_avx512(iq_width, in, n_prb, out);
		break;
	case FH_SIMD_AVX2:
		fh_bfp_decompress_avx2(iq_width, in, n_prb, out);
		break;
	default:
		bfp_decompress_scalar(iq_width, in, n_prb, out);
		break;
	}
}

/* ---- dispatch ------------------------------------------------------------ */

/* Shared argument checks; *bytes gets the total on success. */
static int comp_check(const struct fh_comp *c, const void *in, size_t n_prb,
		      const void *out, size_t *bytes)
{
	size_t pb;

	if (c == NULL) {
		return -EINVAL;
	}
	pb = fh_comp_prb_bytes(c);
	if (pb == 0) {
		return -EINVAL;
	}
	if (c->method >= FH_COMP_MODULATION) {
		return -EOPNOTSUPP;
	}
	if (n_prb > 0 && (in == NULL || out == NULL)) {
		return -EINVAL;
	}
	if (n_prb > (size_t)LONG_MAX / pb) {
		return -EINVAL;
	}
	*bytes = n_prb * pb;
	return 0;
}

long fh_compress(const struct fh_comp *c, const int16_t *in, size_t n_prb,
		 uint8_t *out)
{
	size_t bytes;
	int ret = comp_check(c, in, n_prb, out, &bytes);

	if (ret < 0) {
		return ret;
	}
	if (n_prb == 0) {
		return 0;
	}
	switch (c->method) {
	case FH_COMP_NONE:
		none_compress(c->iq_width, in, n_prb, out);
		break;
	case FH_COMP_BFP:
		fh_bfp_compress_level(fh_simd_get(), c->iq_width, in, n_prb,
				      out);
		break;
	case FH_COMP_BLOCK_SCALING:
		bs_compress(c->iq_width, in, n_prb, out);
		break;
	default:
		mu_compress(c->iq_width, in, n_prb, out);
		break;
	}
	return (long)bytes;
}

long fh_decompress(const struct fh_comp *c, const uint8_t *in, size_t n_prb,
		   int16_t *out)
{
	size_t bytes;
	int ret = comp_check(c, in, n_prb, out, &bytes);

	if (ret < 0) {
		return ret;
	}
	if (n_prb == 0) {
		return 0;
	}
	switch (c->method) {
	case FH_COMP_NONE:
		none_decompress(c->iq_width, in, n_prb, out);
		break;
	case FH_COMP_BFP:
		fh_bfp_decompress_level(fh_simd_get(), c->iq_width, in, n_prb,
					out);
		break;
	case FH_COMP_BLOCK_SCALING:
		bs_decompress(c->iq_width, in, n_prb, out);
		break;
	default:
		mu_decompress(c->iq_width, in, n_prb, out);
		break;
	}
	return (long)bytes;
}
