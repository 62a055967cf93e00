/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FH_COMBINE_H
#define FH_COMBINE_H

#include <stddef.h>
#include <stdint.h>

#include "fh/comp.h"

/*
 * The arithmetic of a shared cell's UL combine (O-RAN FHM mode, ORAN.md
 * §9 and §11): the parts of the RUs are decoded, summed sample by sample
 * in 32 bits, and the sum is coded once in the DU's coding.  DPDK-free,
 * no allocation.
 */

/* sum[i] += in[i] for n values. */
void fh_iq_accumulate(int32_t *sum, const int16_t *in, size_t n);

/*
 * Decode n_prb PRBs in coding c (n_prb * fh_comp_prb_bytes(c) bytes at
 * in) and add them to sum (n_prb * 24 values).
 * @return bytes consumed; the errors of fh_decompress.
 */
long fh_iq_add_prbs(int32_t *sum, const struct fh_comp *c, const uint8_t *in,
		    size_t n_prb);
/* The same, setting sum to the decoded values (a combine's first part). */
long fh_iq_set_prbs(int32_t *sum, const struct fh_comp *c, const uint8_t *in,
		    size_t n_prb);

/*
 * Code n_prb PRBs of 32-bit values (n_prb * 24 at in) in coding c into
 * out (n_prb * fh_comp_prb_bytes(c) bytes).
 *
 * bfp: the exponent is taken from the 32-bit values themselves, so a sum
 *   beyond the 16-bit scale is carried, not clipped: e is the smallest
 *   exponent (0..15) with every value >> e in iq_width bits, the same
 *   bytes fh_compress writes for values that fit in 16 bits.  Only a
 *   value beyond 2^(iq_width - 1 + 15) saturates.
 * none, block_scaling, mu_law: values saturate to -32768..32767 first
 *   (their decoders end on the 16-bit scale), then fh_compress.
 *
 * *saturated (if non-NULL) grows by the number of values that saturated.
 * @return bytes written; the errors of fh_compress.
 */
long fh_compress32(const struct fh_comp *c, const int32_t *in, size_t n_prb,
		   uint8_t *out, uint64_t *saturated);

#endif
