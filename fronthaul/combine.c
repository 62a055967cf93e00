/* SPDX-License-Identifier: Apache-2.0 */
#include "fh/combine.h"

#include <errno.h>

#define CHUNK_PRB 16

void fh_iq_accumulate(int32_t *sum, const int16_t *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sum[i] += in[i];
	}
}

static inline int16_t sat16(int32_t v, uint64_t *sat)
{
	if (v > INT16_MAX) {
		(*sat)++;
		return INT16_MAX;
	}
	if (v < INT16_MIN) {
		(*sat)++;
		return INT16_MIN;
	}
	return (int16_t)v;
}

/* Bits beyond 16 that the PRB's values need: the shift that brings them
 * into int16 (0 when they fit). */
static unsigned extra_bits(const int32_t *v)
{
	int32_t hi = 0, lo = 0;
	unsigned k = 0;

	for (unsigned j = 0; j < FH_PRB_VALUES; j++) {
		hi = v[j] > hi ? v[j] : hi;
		lo = v[j] < lo ? v[j] : lo;
	}
	while ((hi >> k) > INT16_MAX || (lo >> k) < INT16_MIN) {
		k++;
	}
	return k;
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

		for (size_t p = 0; p < n; p++) {
			const int32_t *pv = v + p * FH_PRB_VALUES;
			int16_t *t = tmp + p * FH_PRB_VALUES;
			unsigned k = 0;

			if (c->method == FH_COMP_BFP) {
				/* (v >> k) >> e' == v >> (k + e'): code the
				 * value brought into 16 bits, then add k to
				 * the exponent */
				k = extra_bits(pv);
			}
			for (unsigned j = 0; j < FH_PRB_VALUES; j++) {
				t[j] = sat16(pv[j] >> k, &sat);
			}
			shift[p] = (uint8_t)k;
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
