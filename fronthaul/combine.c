/* SPDX-License-Identifier: Apache-2.0 */
#include "fh/combine.h"

#include <errno.h>
#include <stdbool.h>

#define CHUNK_PRB 64

/* The IQ loops are plain C the compiler vectorises; target_clones gives
 * each ISA its own copy, picked once at load time (ifunc). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
	!defined(__SANITIZE_ADDRESS__)
#define FH_VEC_CLONES \
	__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define FH_VEC_CLONES
#endif

FH_VEC_CLONES
void fh_iq_accumulate(int32_t *sum, const int16_t *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sum[i] += in[i];
	}
}

/* sum[i] = in[i]: the first part of a combine needs no cleared sums. */
FH_VEC_CLONES
static void iq_widen(int32_t *sum, const int16_t *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sum[i] = in[i];
	}
}

/* Decode n_prb PRBs and set (set) or add them into sum. */
static long iq_into(int32_t *sum, const struct fh_comp *c, const uint8_t *in,
		    size_t n_prb, bool set)
{
	int16_t tmp[CHUNK_PRB * FH_PRB_VALUES];
	size_t pb = c != NULL ? fh_comp_prb_bytes(c) : 0;

	if (pb == 0) {
		return -EINVAL;
	}
	for (size_t done = 0; done < n_prb;) {
		size_t n = n_prb - done < CHUNK_PRB ? n_prb - done : CHUNK_PRB;
		int32_t *to = sum + done * FH_PRB_VALUES;
		long ret = fh_decompress(c, in + done * pb, n, tmp);

		if (ret < 0) {
			return ret;
		}
		if (set) {
			iq_widen(to, tmp, n * FH_PRB_VALUES);
		} else {
			fh_iq_accumulate(to, tmp, n * FH_PRB_VALUES);
		}
		done += n;
	}
	return (long)(n_prb * pb);
}

long fh_iq_set_prbs(int32_t *sum, const struct fh_comp *c, const uint8_t *in,
		    size_t n_prb)
{
	return iq_into(sum, c, in, n_prb, true);
}

long fh_iq_add_prbs(int32_t *sum, const struct fh_comp *c, const uint8_t *in,
		    size_t n_prb)
{
	return iq_into(sum, c, in, n_prb, false);
}

/* Bits beyond 16 that the PRB's values need: the shift that brings them
 * into int16 (0 when they fit).  v ^ (v >> 31) has the magnitude bits of
 * v whatever its sign. */
static inline unsigned extra_bits(const int32_t *v)
{
	uint32_t m = 0;
	unsigned bits;

	for (unsigned j = 0; j < FH_PRB_VALUES; j++) {
		m |= (uint32_t)(v[j] ^ (v[j] >> 31));
	}
	if (m <= INT16_MAX) {
		return 0;
	}
	bits = 32 - (unsigned)__builtin_clz(m); /* magnitude bits */
	return bits - 15;
}

/* n PRBs of sums into int16 for BFP: each PRB shifted by its k. */
FH_VEC_CLONES
static void narrow_bfp(const int32_t *v, int16_t *t, uint8_t *shift, size_t n)
{
	for (size_t p = 0; p < n; p++) {
		const int32_t *pv = v + p * FH_PRB_VALUES;
		unsigned k = extra_bits(pv);

		for (unsigned j = 0; j < FH_PRB_VALUES; j++) {
			t[p * FH_PRB_VALUES + j] = (int16_t)(pv[j] >> k);
		}
		shift[p] = (uint8_t)k;
	}
}

/* n values saturated to int16; returns how many saturated. */
FH_VEC_CLONES
static uint64_t narrow_sat(const int32_t *v, int16_t *t, size_t n)
{
	uint64_t sat = 0;

	for (size_t i = 0; i < n; i++) {
		int32_t c = v[i] > INT16_MAX ? INT16_MAX :
			    v[i] < INT16_MIN ? INT16_MIN :
					       v[i];

		sat += c != v[i];
		t[i] = (int16_t)c;
	}
	return sat;
}

long fh_compress32(const struct fh_comp *c, const int32_t *in, size_t n_prb,
		   uint8_t *out, uint64_t *saturated)
{
	int16_t tmp[CHUNK_PRB * FH_PRB_VALUES];
	uint8_t shift[CHUNK_PRB];
	size_t pb = c != NULL ? fh_comp_prb_bytes(c) : 0;
	uint64_t sat = 0;
	size_t done = 0;

	if (pb == 0 || (n_prb != 0 && (in == NULL || out == NULL))) {
		return -EINVAL;
	}
	while (done < n_prb) {
		size_t n = n_prb - done < CHUNK_PRB ? n_prb - done : CHUNK_PRB;
		const int32_t *v = in + done * FH_PRB_VALUES;
		long ret;

		if (c->method == FH_COMP_BFP) {
			/* (v >> k) >> e' == v >> (k + e'): code the values
			 * brought into 16 bits, then add k to the exponent;
			 * nothing saturates */
			narrow_bfp(v, tmp, shift, n);
		} else {
			sat += narrow_sat(v, tmp, n * FH_PRB_VALUES);
		}
		ret = fh_compress(c, tmp, n, out + done * pb);
		if (ret < 0) {
			return ret;
		}
		if (c->method == FH_COMP_BFP) {
			for (size_t p = 0; p < n; p++) {
				uint8_t *param = out + (done + p) * pb;
				unsigned e = (*param & 0xf) + shift[p];

				if (e > 15) {
					/* beyond the 4-bit exponent: the
					 * mantissas stay, the scale tops out */
					sat += FH_PRB_VALUES;
					e = 15;
				}
				*param = (uint8_t)e;
			}
		}
		done += n;
	}
	if (saturated != NULL) {
		*saturated += sat;
	}
	return (long)(n_prb * pb);
}
