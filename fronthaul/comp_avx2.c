/* SPDX-License-Identifier: Apache-2.0 */
/*
 * BFP kernels for AVX2.  A PRB is one ymm (values 0..15) plus one xmm
 * (values 16..23); each 128-bit lane holds 8 values, which pack into
 * exactly w bytes, so packing and unpacking never cross a lane.
 *
 * AVX2 has no masked byte loads or stores: the kernels use 16-byte
 * accesses that run past the w bytes of a group.  That is harmless inside
 * a buffer (later stores overwrite the excess), so only the last few PRBs,
 * where it would run off the end, go through a bounce buffer.
 */
#include "fh/comp.h"

#if defined(__AVX2__) && defined(__BMI2__)

#include <immintrin.h>
#include <string.h>

#define FH_ALWAYS_INLINE inline __attribute__((always_inline))

/* clang-format off */
#define R4(F, W, b)                                                    \
	(uint8_t)(F(W, (b))), (uint8_t)(F(W, (b) + 1)),                \
		(uint8_t)(F(W, (b) + 2)), (uint8_t)(F(W, (b) + 3))
#define R16(F, W) R4(F, W, 0), R4(F, W, 4), R4(F, W, 8), R4(F, W, 12)
#define R32(F, W) R16(F, W), R4(F, W, 16), R4(F, W, 20), R4(F, W, 24), \
		  R4(F, W, 28)
#define ROWS(R, F)                                                      \
	{ R(F, 1) }, { R(F, 2) }, { R(F, 3) }, { R(F, 4) }, { R(F, 5) },  \
	{ R(F, 6) }, { R(F, 7) }, { R(F, 8) }, { R(F, 9) }, { R(F, 10) }, \
	{ R(F, 11) }, { R(F, 12) }, { R(F, 13) }, { R(F, 14) },          \
	{ R(F, 15) }, { R(F, 16) }

/*
 * Compression, per lane: qword 0 holds values 0..3 as a 4w-bit number
 * (shifted up by 4 for odd w so it ends on a byte boundary), qword 1
 * values 4..7.  Output byte r < h comes from qword 0, the rest from qword
 * 1; for odd w byte h - 1 takes a nibble from each, hence a second
 * shuffle (B).  0x80 makes pshufb write zero.
 */
#define C_H(W) (((W) + 1) / 2)
#define CIDX_A(W, r)                                           \
	((r) >= (W)	  ? 0x80                               \
	 : (r) < C_H(W) ? C_H(W) - 1 - (r)                     \
	 : (W) % 2	  ? 0x80                               \
			  : 8 + (W) - 1 - (r))
#define CIDX_B(W, r)                                               \
	((r) >= (W) || (W) % 2 == 0 || (r) < C_H(W) - 1 ? 0x80 \
							 : 8 + (W) - 1 - (r))

/*
 * Decompression: a lane of 8 packed values is broadcast to both halves of
 * a ymm; dword d of half L gets the four bytes from the one holding the
 * first bit of value v = 4L + d, big-endian first, so the value sits
 * (v * w) % 8 bits below the dword's top.  Bytes past the value's last one
 * are zeroed (and would be masked anyway).
 */
#define D_V(i) (4 * ((i) / 16) + (i) % 16 / 4)
#define D_SRC(W, i) (D_V(i) * (W) / 8 + 3 - (i) % 4)
#define D_LAST(W, i) ((D_V(i) * (W) + (W) - 1) / 8)
#define DIDX(W, i) (D_SRC(W, i) <= D_LAST(W, i) ? D_SRC(W, i) : 0x80)

static const uint8_t cidx_a[16][16] __attribute__((aligned(16))) = {
	ROWS(R16, CIDX_A)
};
static const uint8_t cidx_b[16][16] __attribute__((aligned(16))) = {
	ROWS(R16, CIDX_B)
};
static const uint8_t didx[16][32] __attribute__((aligned(32))) = {
	ROWS(R32, DIDX)
};
/* clang-format on */

/* Worst-case bytes one PRB's accesses span: the third 16-byte access
 * starts at 1 + 2w. */
static inline size_t span(unsigned w)
{
	return 1 + 2 * (size_t)w + 16;
}

/* PRBs at the end whose 16-byte accesses would leave the buffer. */
static inline size_t tail_prbs(unsigned w, size_t n)
{
	size_t pb = 1 + 3 * (size_t)w;
	size_t t = (span(w) + pb - 1) / pb;

	return t < n ? t : n;
}

static inline unsigned bit_len(uint32_t y)
{
	return 31u - (unsigned)__builtin_clz(y << 1 | 1);
}

struct c2 {
	__m256i a, b; /* byte shuffles, A and B */
	__m256i maskw; /* w-bit mask per word */
	__m256i mulw; /* madd: even word * 2^w + odd word */
	__m256i mulq, shq; /* qword: low dword * mulq + high dword >> shq */
	__m256i bswap; /* w = 16 */
};

static FH_ALWAYS_INLINE __m256i pack_lanes(const struct c2 *k, unsigned w,
					   __m256i m)
{
	__m256i p, q, v;

	m = _mm256_and_si256(m, k->maskw);
	if (w == 15) {
		/* 2^15 and 2^34 do not fit madd / mul_epu32 operands. */
		p = _mm256_or_si256(
			_mm256_slli_epi32(
				_mm256_and_si256(m, _mm256_set1_epi32(0xffff)),
				15),
			_mm256_srli_epi32(m, 16));
		q = _mm256_or_si256(
			_mm256_sllv_epi64(
				_mm256_and_si256(
					p, _mm256_set1_epi64x(0xffffffff)),
				_mm256_set_epi64x(30, 34, 30, 34)),
			_mm256_sllv_epi64(_mm256_srli_epi64(p, 32),
					  _mm256_set_epi64x(0, 4, 0, 4)));
	} else {
		p = _mm256_madd_epi16(m, k->mulw);
		q = _mm256_add_epi64(_mm256_mul_epu32(p, k->mulq),
				     _mm256_srlv_epi64(p, k->shq));
	}
	v = _mm256_shuffle_epi8(q, k->a);
	if (w & 1) {
		v = _mm256_or_si256(v, _mm256_shuffle_epi8(q, k->b));
	}
	return v;
}

/* Writes up to span(w) bytes at out. */
static FH_ALWAYS_INLINE void compress_prb(const struct c2 *k, unsigned w,
					  const int16_t *in, uint8_t *out)
{
	__m256i x0 = _mm256_loadu_si256((const __m256i *)in);
	__m256i x1 = _mm256_zextsi128_si256(
		_mm_loadu_si128((const __m128i *)(in + 16)));
	__m256i t0, t1, v0, v1;
	__m128i r, cnt;
	uint64_t rr;
	unsigned e;

	if (w == 16) {
		out[0] = 0;
		v0 = _mm256_shuffle_epi8(x0, k->bswap);
		v1 = _mm256_shuffle_epi8(x1, k->bswap);
		_mm256_storeu_si256((__m256i *)(out + 1), v0);
		_mm_storeu_si128((__m128i *)(out + 33),
				 _mm256_castsi256_si128(v1));
		return;
	}
	/* Minimal exponent from the OR of the magnitudes, as in comp.c. */
	t0 = _mm256_xor_si256(x0, _mm256_srai_epi16(x0, 15));
	t1 = _mm256_xor_si256(x1, _mm256_srai_epi16(x1, 15));
	r = _mm_or_si128(_mm_or_si128(_mm256_castsi256_si128(t0),
				      _mm256_extracti128_si256(t0, 1)),
			 _mm256_castsi256_si128(t1));
	r = _mm_or_si128(r, _mm_unpackhi_epi64(r, r));
	rr = (uint64_t)_mm_cvtsi128_si64(r);
	rr |= rr >> 32;
	rr |= rr >> 16;
	e = bit_len(((uint32_t)rr & 0xffff) >> (w - 1));
	cnt = _mm_cvtsi32_si128((int)e);

	v0 = pack_lanes(k, w, _mm256_sra_epi16(x0, cnt));
	v1 = pack_lanes(k, w, _mm256_sra_epi16(x1, cnt));
	out[0] = (uint8_t)e;
	_mm_storeu_si128((__m128i *)(out + 1), _mm256_castsi256_si128(v0));
	_mm_storeu_si128((__m128i *)(out + 1 + w),
			 _mm256_extracti128_si256(v0, 1));
	_mm_storeu_si128((__m128i *)(out + 1 + 2 * w),
			 _mm256_castsi256_si128(v1));
}

static FH_ALWAYS_INLINE void compress_w(unsigned w, const int16_t *in, size_t n,
					uint8_t *out)
{
	const unsigned up = (w & 1) ? 4 : 0;
	const int64_t mul_even = (int64_t)1 << (2 * w + up);
	const int64_t mul_odd = (int64_t)1 << (2 * w);
	const size_t pb = 1 + 3 * (size_t)w;
	const size_t n_fast = n - tail_prbs(w, n);
	struct c2 k;
	uint8_t tmp[64];
	size_t i;

	k.a = _mm256_broadcastsi128_si256(
		_mm_load_si128((const __m128i *)cidx_a[w - 1]));
	k.b = _mm256_broadcastsi128_si256(
		_mm_load_si128((const __m128i *)cidx_b[w - 1]));
	k.maskw = _mm256_set1_epi16((short)((1u << w) - 1));
	k.mulw = _mm256_set1_epi32((int)((1u << (w & 15)) | 1u << 16));
	k.mulq = _mm256_set_epi64x(mul_odd, mul_even, mul_odd, mul_even);
	k.shq = _mm256_set_epi64x(32, 32 - up, 32, 32 - up);
	k.bswap = _mm256_set_epi8(14, 15, 12, 13, 10, 11, 8, 9, 6, 7, 4, 5, 2,
				  3, 0, 1, 14, 15, 12, 13, 10, 11, 8, 9, 6, 7,
				  4, 5, 2, 3, 0, 1);

	for (i = 0; i < n_fast; i++) {
		compress_prb(&k, w, in, out);
		in += FH_PRB_VALUES;
		out += pb;
	}
	for (; i < n; i++) {
		compress_prb(&k, w, in, tmp);
		memcpy(out, tmp, pb);
		in += FH_PRB_VALUES;
		out += pb;
	}
}

/* Reads up to span(w) bytes at in. */
static FH_ALWAYS_INLINE void decompress_prb(unsigned w, __m256i idx, __m256i sh,
					    __m256i top, const uint8_t *in,
					    int16_t *out)
{
	/* (m << (32 - w)) >> (32 - w - e): exact for every e <= 15, and
	 * packssdw then saturates what does not fit in int16. */
	__m128i cnt = _mm_cvtsi32_si128((int)(32 - w - (in[0] & 0xf)));
	__m256i d[3], lo;
	__m128i hi;
	unsigned c;

	for (c = 0; c < 3; c++) {
		__m128i g = _mm_loadu_si128((const __m128i *)(in + 1 + c * w));

		d[c] = _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(g), idx);
		d[c] = _mm256_and_si256(_mm256_sllv_epi32(d[c], sh), top);
		d[c] = _mm256_sra_epi32(d[c], cnt);
	}
	/* packssdw interleaves lanes: [0-3 8-11 | 4-7 12-15]. */
	lo = _mm256_permute4x64_epi64(_mm256_packs_epi32(d[0], d[1]), 0xd8);
	hi = _mm_packs_epi32(_mm256_castsi256_si128(d[2]),
			     _mm256_extracti128_si256(d[2], 1));
	_mm256_storeu_si256((__m256i *)out, lo);
	_mm_storeu_si128((__m128i *)(out + 16), hi);
}

static FH_ALWAYS_INLINE void decompress_w(unsigned w, const uint8_t *in,
					  size_t n, int16_t *out)
{
	const size_t pb = 1 + 3 * (size_t)w;
	const size_t n_fast = n - tail_prbs(w, n);
	const __m256i idx = _mm256_load_si256((const __m256i *)didx[w - 1]);
	const __m256i sh = _mm256_setr_epi32(
		(int)(0 * w % 8), (int)(1 * w % 8), (int)(2 * w % 8),
		(int)(3 * w % 8), (int)(4 * w % 8), (int)(5 * w % 8),
		(int)(6 * w % 8), (int)(7 * w % 8));
	const __m256i top = _mm256_set1_epi32((int)(0xffffffffu << (32 - w)));
	uint8_t tmp[64] = {0};
	size_t i;

	for (i = 0; i < n_fast; i++) {
		decompress_prb(w, idx, sh, top, in, out);
		in += pb;
		out += FH_PRB_VALUES;
	}
	for (; i < n; i++) {
		memcpy(tmp, in, pb);
		decompress_prb(w, idx, sh, top, tmp, out);
		in += pb;
		out += FH_PRB_VALUES;
	}
}

/* clang-format off */
#define FH_WIDTH_CASES(F)                                                     \
	F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11) F(12) F(13) \
	F(14) F(15) F(16)
/* clang-format on */

void fh_bfp_compress_avx2(unsigned iq_width, const int16_t *in, size_t n_prb,
			  uint8_t *out)
{
	switch (iq_width) {
#define CASE(W)                                \
	case W:                                \
		compress_w(W, in, n_prb, out); \
		break;
		FH_WIDTH_CASES(CASE)
#undef CASE
	default:
		break;
	}
}

void fh_bfp_decompress_avx2(unsigned iq_width, const uint8_t *in, size_t n_prb,
			    int16_t *out)
{
	switch (iq_width) {
#define CASE(W)                                  \
	case W:                                  \
		decompress_w(W, in, n_prb, out); \
		break;
		FH_WIDTH_CASES(CASE)
#undef CASE
	default:
		break;
	}
}

#else /* built without -mavx2 -mbmi2: keep the symbols, run scalar */

void fh_bfp_compress_avx2(unsigned iq_width, const int16_t *in, size_t n_prb,
			  uint8_t *out)
{
	fh_bfp_compress_level(FH_SIMD_SCALAR, iq_width, in, n_prb, out);
}

void fh_bfp_decompress_avx2(unsigned iq_width, const uint8_t *in, size_t n_prb,
			    int16_t *out)
{
	fh_bfp_decompress_level(FH_SIMD_SCALAR, iq_width, in, n_prb, out);
}

#endif
