/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FH_COMP_H
#define FH_COMP_H

#include <stddef.h>
#include <stdint.h>

/*
 * O-RAN U-plane IQ compression (O-RAN.WG4.CUS Annex A).  A PRB is 12
 * resource elements, 24 int16 values in the order I0 Q0 I1 Q1 ... I11 Q11,
 * on the 16-bit scale.  Compressed PRBs are big-endian bit-packed; methods
 * other than "none" start with one udCompParam byte.  No allocation.
 */

#define FH_PRB_RE 12
#define FH_PRB_VALUES 24 /* I and Q of 12 REs */

/* udCompMeth values (CUS Table 6-5). */
enum fh_comp_method {
	FH_COMP_NONE = 0,
	FH_COMP_BFP = 1,
	FH_COMP_BLOCK_SCALING = 2,
	FH_COMP_MU_LAW = 3,
	FH_COMP_MODULATION = 4,
	FH_COMP_BFP_SELECTIVE_RE = 5,
	FH_COMP_MOD_SELECTIVE_RE = 6,
};

/* A compression configuration: method plus udIqWidth (1..16; 0 on the wire
 * means 16, callers pass 16). */
struct fh_comp {
	uint8_t method;
	uint8_t iq_width;
};

/* Method name as in the fhctl JSON contract ("none", "bfp", "block_scaling",
 * "mu_law", "modulation", "bfp_selective_re", "modulation_selective_re"), or
 * NULL for reserved values. */
const char *fh_comp_method_name(unsigned method);

/*
 * Bytes one compressed PRB occupies: 3 * iq_width (24 values of iq_width
 * bits), plus one udCompParam byte for BFP, block scaling, mu-law and
 * BFP+selective RE.  Returns 0 for an invalid width (0 or > 16) or an
 * unknown method.
 */
size_t fh_comp_prb_bytes(const struct fh_comp *c);

/*
 * Compress n_prb PRBs (n_prb * 24 int16 values at in) into out, which must
 * hold n_prb * fh_comp_prb_bytes(c) bytes.  n_prb 0 writes nothing (in and
 * out may then be NULL).  Values are packed as w-bit two's complement
 * (w = iq_width), big-endian bit order, I0 Q0 ... I11 Q11.
 *
 * none: value >> (16 - w), the top w bits.  No udCompParam byte.
 * bfp: per PRB the smallest exponent e (0..15) such that every value >> e
 *   (arithmetic) fits in w bits signed; mantissa = value >> e; udCompParam =
 *   e (upper 4 bits 0).  Uses the level from fh_simd_get().
 * block_scaling: sblockScaler s is the smallest value in 0..255 for which
 *   neither the largest positive nor the most negative value of the PRB
 *   clips, i.e. s * (2^(w-1) - 1) * 2^(9-w) >= max and s * 256 >= -min
 *   (capped at 255, so w <= 2 can clip; w = 1 has no positive code, so
 *   only the most negative value counts); each c is then the w-bit value
 *   whose decompressed value (see fh_decompress) is nearest to the input,
 *   ties going to the code nearest round(x * 2^(w-9) / s), then to the
 *   smaller code.  All-zero PRBs get s = 0.
 * mu_law: udCompParam = compBitWidth w (16 written as 0) | compShift 0;
 *   each c is the code whose decompressed value is nearest to the input,
 *   ties going to the smaller |c| (codes are w-bit two's complement,
 *   sign(c) * |c|; the most negative code is never produced).
 *
 * @return bytes written (n_prb * fh_comp_prb_bytes(c)); -EINVAL if c is
 *         NULL, iq_width is 0 or > 16, the method is reserved (7..15), in
 *         or out is NULL with n_prb > 0, or the byte count overflows a
 *         long; -EOPNOTSUPP for modulation compression and the selective-RE
 *         methods (4, 5, 6).
 */
long fh_compress(const struct fh_comp *c, const int16_t *in, size_t n_prb,
		 uint8_t *out);

/*
 * Decompress n_prb PRBs from in (n_prb * fh_comp_prb_bytes(c) bytes) into
 * out (n_prb * 24 int16 on the 16-bit scale).  Results that do not fit in
 * int16 saturate to -32768 / 32767.
 *
 * none: sign-extended c << (16 - w).
 * bfp: sign-extended mantissa << exponent (low 4 bits of udCompParam; the
 *   upper 4 are ignored).  Any exponent 0..15 is accepted, not only the
 *   minimum a compressor would choose.
 * block_scaling: round(sblockScaler * c / 2^(w-9)), rounding halves away
 *   from zero (exact for w <= 9).
 * mu_law: ORAN.md section 4 (CUS Annex A.3) with compShift from the low 4
 *   bits of udCompParam: a = |c| saturated to 2^(w-1) - 1, v from the three
 *   segments, value = sign(c) * v / 2^compShift rounded half away from
 *   zero (v is a half-integer for w = 16 in the first segment).
 *   compBitWidth (upper 4 bits) is not checked: c->iq_width governs.
 *
 * @return bytes consumed; -EINVAL / -EOPNOTSUPP as for fh_compress.
 */
long fh_decompress(const struct fh_comp *c, const uint8_t *in, size_t n_prb,
		   int16_t *out);

/* BFP kernels, exposed so tests and benchmarks can pin each path.  All
 * variants produce bit-identical output.  iq_width 1..16. */
enum fh_simd_level {
	FH_SIMD_SCALAR = 0,
	FH_SIMD_AVX2 = 1,
	FH_SIMD_AVX512 = 2,
};

/* Best level this CPU supports (cpuid): avx512 needs AVX-512 F, BW, VL, DQ
 * and VBMI plus BMI2; avx2 needs AVX2 and BMI2. */
enum fh_simd_level fh_simd_best(void);

/*
 * Set the level used by fh_compress / fh_decompress for BFP.  The default
 * is fh_simd_best(), lowered at first use by FH_SIMD=scalar|avx2|avx512 in
 * the environment (unknown values and levels the CPU lacks are ignored).
 * An explicit call wins over the environment.
 *
 * @return 0; -EINVAL for an unknown level; -ENOTSUP if the CPU lacks it.
 */
int fh_simd_set(enum fh_simd_level level);
enum fh_simd_level fh_simd_get(void);
/* "scalar", "avx2", "avx512", or NULL for an unknown level. */
const char *fh_simd_name(enum fh_simd_level level);

/*
 * BFP compress / decompress n_prb PRBs with one kernel, byte layout and
 * semantics as fh_compress / fh_decompress with method bfp.  A level above
 * fh_simd_best() runs the best one available; an iq_width outside 1..16
 * does nothing.
 */
void fh_bfp_compress_level(enum fh_simd_level level, unsigned iq_width,
			   const int16_t *in, size_t n_prb, uint8_t *out);
void fh_bfp_decompress_level(enum fh_simd_level level, unsigned iq_width,
			     const uint8_t *in, size_t n_prb, int16_t *out);

/* Smallest BFP exponent for one PRB (24 values) at width w (1..16; 0 for
 * other widths). */
unsigned fh_bfp_exponent(const int16_t *prb, unsigned iq_width);

/*
 * Bit-level helpers used by every packed format (big-endian bit order: bit
 * offset 0 is the most significant bit of buf[0]).  nbits 0..32 (0 reads 0
 * and writes nothing; larger values count as 32).  fh_bits_put writes the
 * low nbits of v and leaves the neighbouring bits untouched.
 */
uint32_t fh_bits_get(const uint8_t *buf, size_t bit_off, unsigned nbits);
void fh_bits_put(uint8_t *buf, size_t bit_off, unsigned nbits, uint32_t v);

/*
 * Internal: the ISA-specific kernels behind fh_bfp_*_level, defined in
 * comp_avx2.c and comp_avx512.c.  Callers use fh_bfp_*_level, which checks
 * the CPU; calling these directly on a CPU without the ISA faults.
 */
void fh_bfp_compress_avx2(unsigned iq_width, const int16_t *in, size_t n_prb,
			  uint8_t *out);
void fh_bfp_decompress_avx2(unsigned iq_width, const uint8_t *in, size_t n_prb,
			    int16_t *out);
void fh_bfp_compress_avx512(unsigned iq_width, const int16_t *in, size_t n_prb,
			    uint8_t *out);
void fh_bfp_decompress_avx512(unsigned iq_width, const uint8_t *in,
			      size_t n_prb, int16_t *out);

#endif
