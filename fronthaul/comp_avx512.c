/* SPDX-License-Identifier: Apache-2.0 */
/*
 * BFP kernels for AVX-512 (F, BW, VL, DQ, VBMI).  One PRB per zmm: its 24
 * values fill 48 of 64 bytes, loaded and stored with byte masks so the
 * kernels never touch memory outside the caller's buffers.
 *
 * Layout of a PRB in a register: qword j holds values 4j..4j+3; 8 values
 * (two qwords) pack into exactly w bytes, so the 24 values form three
 * w-byte groups.
 */
#include "fh/comp.h"

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && \
	defined(__AVX512DQ__) && defined(__AVX512VBMI__)

#include <immintrin.h>

#define FH_ALWAYS_INLINE inline __attribute__((always_inline))

/* Tables are built by the compiler from these formulas, one 64-byte row
 * per width 1..16.  The cast keeps clang quiet about the arms of the
 * conditionals that are not taken. */
/* clang-format off */
#define E(F, W, p) (uint8_t)(F(W, p))
#define R4(F, W, b) \
	E(F, W, (b)), E(F, W, (b) + 1), E(F, W, (b) + 2), E(F, W, (b) + 3)
#define R16(F, W, b) \
	R4(F, W, b), R4(F, W, (b) + 4), R4(F, W, (b) + 8), R4(F, W, (b) + 12)
#define R64(F, W) R16(F, W, 0), R16(F, W, 16), R16(F, W, 32), R16(F, W, 48)
#define ROWS(F)                                                           \
	{ R64(F, 1) }, { R64(F, 2) }, { R64(F, 3) }, { R64(F, 4) },       \
	{ R64(F, 5) }, { R64(F, 6) }, { R64(F, 7) }, { R64(F, 8) },       \
	{ R64(F, 9) }, { R64(F, 10) }, { R64(F, 11) }, { R64(F, 12) },    \
	{ R64(F, 13) }, { R64(F, 14) }, { R64(F, 15) }, { R64(F, 16) }

/*
 * Compression: qword j holds its four values as one 4w-bit number, low
 * aligned, except that for odd w the even qwords are shifted up by 4 so
 * that they end on a byte boundary.  Output byte p (after udCompParam) of
 * group q = p / w, r = p % w comes from the even qword 2q while r < h, and
 * from the odd qword 2q + 1 after that; for odd w the byte r = h - 1 takes
 * a nibble from each, hence two permutes (A: even qword, B: odd qword).
 * 0x80 marks "zero" (turned into the permute's zero mask).
 */
#define C_H(W) (((W) + 1) / 2)
#define C_Q(W, p) (16 * ((p) / (W)))
#define C_R(W, p) ((p) % (W))
#define CIDX_A(W, p)                                               \
	((p) >= 3 * (W)       ? 0x80                               \
	 : C_R(W, p) < C_H(W) ? C_Q(W, p) + C_H(W) - 1 - C_R(W, p) \
	 : (W) % 2            ? 0x80                               \
	                      : C_Q(W, p) + 8 + (W) - 1 - C_R(W, p))
#define CIDX_B(W, p)                                                      \
	((p) >= 3 * (W) || (W) % 2 == 0 || C_R(W, p) < C_H(W) - 1        \
		 ? 0x80                                                   \
		 : C_Q(W, p) + 8 + (W) - 1 - C_R(W, p))

/*
 * Decompression: qword j gathers the 8 packed bytes starting at byte
 * 4jw / 8, reversed so that the qword reads as the big-endian bit stream;
 * value k of the qword then starts s0 + k*w bits below its top, s0 =
 * 4jw % 8.  vpmultishiftqb lifts each value into a 16-bit lane with its
 * sign bit at bit 15 (the bits below it are neighbours, masked off later).
 */
#define DIDX(W, i) ((i) >= 48 ? 0 : (4 * ((i) / 8) * (W)) / 8 + 7 - (i) % 8)
#define DCTL(W, i)                                              \
	((48 - (4 * ((i) / 8) * (W)) % 8 - ((i) % 8 / 2) * (W) + \
	  8 * ((i) % 2)) &                                        \
	 63)

static const uint8_t cidx_a[16][64] __attribute__((aligned(64))) = {
	ROWS(CIDX_A)
};
static const uint8_t cidx_b[16][64] __attribute__((aligned(64))) = {
	ROWS(CIDX_B)
};
static const uint8_t didx[16][64] __attribute__((aligned(64))) = {
	ROWS(DIDX)
};
static const uint8_t dctl[16][64] __attribute__((aligned(64))) = {
	ROWS(DCTL)
};
/* clang-format on */

/* Bit length of y, 0 for 0 (y < 2^31). */
static inline unsigned bit_len(uint32_t y)
{
	return 31u - (unsigned)__builtin_clz(y << 1 | 1);
}

/* Fold the 24 magnitudes of a PRB (x ^ x >> 15, see comp.c) to one word
 * and return the minimal exponent.  The last folds run on a GPR, where
 * they do not compete with the vector ports. */
static FH_ALWAYS_INLINE unsigned prb_exponent(__m512i x, unsigned w)
{
	__m512i t = _mm512_xor_si512(x, _mm512_srai_epi16(x, 15));
	__m256i t8 = _mm256_or_si256(_mm512_castsi512_si256(t),
				     _mm512_extracti64x4_epi64(t, 1));
	__m128i t4 = _mm_or_si128(_mm256_castsi256_si128(t8),
				  _mm256_extracti128_si256(t8, 1));
	uint64_t r;

	t4 = _mm_or_si128(t4, _mm_unpackhi_epi64(t4, t4));
	r = (uint64_t)_mm_cvtsi128_si64(t4);
	r |= r >> 32;
	r |= r >> 16;
	return bit_len(((uint32_t)r & 0xffff) >> (w - 1));
}

static FH_ALWAYS_INLINE void compress_w(unsigned w, const int16_t *in, size_t n,
					uint8_t *out)
{
	const __mmask64 kst = (UINT64_C(1) << (3 * w)) - 1;
	const __m512i ia = _mm512_load_si512(cidx_a[w - 1]);
	const __m512i ib = _mm512_load_si512(cidx_b[w - 1]);
	const __mmask64 ka = ~_mm512_movepi8_mask(ia);
	const __mmask64 kb = ~_mm512_movepi8_mask(ib);
	const __m512i maskw = _mm512_set1_epi16((short)((1u << w) - 1));
	/* madd pairs words: even word * 2^w + odd word. */
	const __m512i mulw =
		_mm512_set1_epi32((int)((1u << (w & 15)) | 1u << 16));
	/* Per qword: low dword * 2^(2w [+4]) + high dword << (0 [+4]). */
	const unsigned up = (w & 1) ? 4 : 0;
	const int64_t mul_even = (int64_t)1 << (2 * w + up);
	const int64_t mul_odd = (int64_t)1 << (2 * w);
	const __m512i mulq =
		_mm512_set_epi64(mul_odd, mul_even, mul_odd, mul_even, mul_odd,
				 mul_even, mul_odd, mul_even);
	const __m512i shq = _mm512_set_epi64(32, 32 - up, 32, 32 - up, 32,
					     32 - up, 32, 32 - up);
	/* w = 15 does not fit the multipliers; plain shifts instead. */
	const __m512i lo16 = _mm512_set1_epi32(0xffff);
	const __m512i lo32 = _mm512_set1_epi64(0xffffffff);
	const __m512i sl15a = _mm512_set_epi64(30, 34, 30, 34, 30, 34, 30, 34);
	const __m512i sl15b = _mm512_set_epi64(0, 4, 0, 4, 0, 4, 0, 4);
	/* Byte swap inside each word, for w = 16. */
	const __m512i bswap = _mm512_set4_epi32(0x0e0f0c0d, 0x0a0b0809,
						0x06070405, 0x02030001);
	size_t i;

	for (i = 0; i < n; i++) {
		__m512i x = _mm512_maskz_loadu_epi16(0xffffff, in);
		__m512i m, p, q, v;
		unsigned e;

		if (w == 16) {
			/* Every int16 fits: e = 0, mantissa = value. */
			out[0] = 0;
			_mm512_mask_storeu_epi8(out + 1, kst,
						_mm512_shuffle_epi8(x, bswap));
			in += FH_PRB_VALUES;
			out += 1 + 3 * w;
			continue;
		}
		e = prb_exponent(x, w);
		m = _mm512_and_si512(
			_mm512_sra_epi16(x, _mm_cvtsi32_si128((int)e)), maskw);
		if (w == 15) {
			p = _mm512_or_si512(
				_mm512_slli_epi32(_mm512_and_si512(m, lo16),
						  15),
				_mm512_srli_epi32(m, 16));
			q = _mm512_or_si512(
				_mm512_sllv_epi64(_mm512_and_si512(p, lo32),
						  sl15a),
				_mm512_sllv_epi64(_mm512_srli_epi64(p, 32),
						  sl15b));
		} else {
			p = _mm512_madd_epi16(m, mulw);
			q = _mm512_add_epi64(_mm512_mul_epu32(p, mulq),
					     _mm512_srlv_epi64(p, shq));
		}
		v = _mm512_maskz_permutexvar_epi8(ka, ia, q);
		if (w & 1) {
			v = _mm512_or_si512(
				v, _mm512_maskz_permutexvar_epi8(kb, ib, q));
		}
		out[0] = (uint8_t)e;
		_mm512_mask_storeu_epi8(out + 1, kst, v);
		in += FH_PRB_VALUES;
		out += 1 + 3 * w;
	}
}

static FH_ALWAYS_INLINE void decompress_w(unsigned w, const uint8_t *in,
					  size_t n, int16_t *out)
{
	const __mmask64 kin = (UINT64_C(1) << (3 * w)) - 1;
	const __m512i idx = _mm512_load_si512(didx[w - 1]);
	const __m512i ctl = _mm512_load_si512(dctl[w - 1]);
	/* Clears the neighbouring bits below each top-aligned value. */
	const __m512i keep = _mm512_set1_epi16((short)(0xffffu << (16 - w)));
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned e = in[0] & 0xf;
		__m512i v;

		/* Beyond 16 - w the result can overflow int16; such
		 * exponents are legal but no compressor picks them, so the
		 * saturating scalar code handles them. */
		if (e > 16 - w) {
			fh_bfp_decompress_level(FH_SIMD_SCALAR, w, in, 1, out);
			in += 1 + 3 * w;
			out += FH_PRB_VALUES;
			continue;
		}
		v = _mm512_maskz_loadu_epi8(kin, in + 1);
		v = _mm512_permutexvar_epi8(idx, v);
		v = _mm512_multishift_epi64_epi8(ctl, v);
		if (w < 16) {
			v = _mm512_and_si512(v, keep);
		}
		/* (m << (16 - w)) >> (16 - w - e) = m << e, sign included. */
		v = _mm512_sra_epi16(v, _mm_cvtsi32_si128((int)(16 - w - e)));
		_mm512_mask_storeu_epi16(out, 0xffffff, v);
		in += 1 + 3 * w;
		out += FH_PRB_VALUES;
	}
}

/* clang-format off */
#define FH_WIDTH_CASES(F)                                                     \
	F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11) F(12) F(13) \
	F(14) F(15) F(16)
/* clang-format on */

void fh_bfp_compress_avx512(unsigned iq_width, const int16_t *in, size_t n_prb,
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

void fh_bfp_decompress_avx512(unsigned iq_width, const uint8_t *in,
			      size_t n_prb, int16_t *out)
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

#else /* built without the AVX-512 flags: keep the symbols, run scalar */

void fh_bfp_compress_avx512(unsigned iq_width, const int16_t *in, size_t n_prb,
			    uint8_t *out)
{
	fh_bfp_compress_level(FH_SIMD_SCALAR, iq_width, in, n_prb, out);
}

void fh_bfp_decompress_avx512(unsigned iq_width, const uint8_t *in,
			      size_t n_prb, int16_t *out)
{
	fh_bfp_decompress_level(FH_SIMD_SCALAR, iq_width, in, n_prb, out);
}

#endif
