/* SPDX-License-Identifier: Apache-2.0 */
/*
 * BFP codec throughput, one thread: PRBs per second for BFP-9 and BFP-14
 * compress and decompress at each SIMD level the CPU has, against memcpy
 * of the bytes a codec call touches (uncompressed + compressed PRB) as the
 * physical baseline.  The working set (273 PRBs x 14 symbols, ~300 KB)
 * stays in L2, so the figures are compute, not DRAM, bound.
 *
 * Then the cost of the U-plane section check the data path runs on every
 * message (fh_uplane_sections_fit with the coding unknown), against
 * parsing the radio header in the same run.
 *
 * Usage: bench_codec [seconds per figure, default 0.3]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fh/comp.h"
#include "fh/oran.h"

#define N_PRB (273 * 14)

enum op { OP_COMPRESS, OP_DECOMPRESS, OP_MEMCPY };

struct job {
	enum op op;
	enum fh_simd_level level;
	unsigned w;
};

static int16_t iq[N_PRB * FH_PRB_VALUES];
static int16_t iq_out[N_PRB * FH_PRB_VALUES];
static uint8_t packed[N_PRB * 49];
static uint8_t copy_src[N_PRB * (48 + 49)];
static uint8_t copy_dst[N_PRB * (48 + 49)];

/* Read back after every pass so no call can be proven dead. */
static volatile uint64_t sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void run_once(const struct job *j)
{
	size_t copy_bytes = (size_t)N_PRB * (48 + 1 + 3 * j->w);

	switch (j->op) {
	case OP_COMPRESS:
		fh_bfp_compress_level(j->level, j->w, iq, N_PRB, packed);
		sink += packed[N_PRB / 2 * (1 + 3 * j->w)];
		break;
	case OP_DECOMPRESS:
		fh_bfp_decompress_level(j->level, j->w, packed, N_PRB, iq_out);
		sink += (uint16_t)iq_out[N_PRB / 2 * FH_PRB_VALUES];
		break;
	case OP_MEMCPY:
		memcpy(copy_dst, copy_src, copy_bytes);
		sink += copy_dst[copy_bytes / 2];
		copy_src[copy_bytes / 3]++;
		break;
	}
}

/* PRBs per second over at least min_s seconds of whole passes. */
static double measure(const struct job *j, double min_s)
{
	unsigned long passes = 0;
	double t0, t;

	run_once(j); /* warm caches and the branch predictors */
	t0 = now();
	do {
		unsigned k;

		for (k = 0; k < 16; k++) {
			run_once(j);
		}
		passes += 16;
		t = now() - t0;
	} while (t < min_s);
	return (double)passes * N_PRB / t;
}

/* Values as a radio would send them: per-PRB power varies over ~40 dB. */
static void fill_iq(void)
{
	uint64_t s = 0x243f6a8885a308d3ull;
	size_t p, i;

	for (p = 0; p < N_PRB; p++) {
		unsigned amp = 4 + (unsigned)(p * 7 % 11);

		for (i = 0; i < FH_PRB_VALUES; i++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			iq[p * FH_PRB_VALUES + i] =
				(int16_t)((int32_t)(s >> 48 &
						    ((2u << amp) - 1)) -
					  (1 << amp));
		}
	}
	for (i = 0; i < sizeof(copy_src); i++) {
		copy_src[i] = (uint8_t)(i * 31);
	}
}

/* Levels must agree before their speeds mean anything. */
static int check_levels(unsigned w, unsigned n_levels)
{
	static uint8_t ref[N_PRB * 49];
	static int16_t ref_iq[N_PRB * FH_PRB_VALUES];
	size_t bytes = (size_t)N_PRB * (1 + 3 * w);
	unsigned l;

	fh_bfp_compress_level(FH_SIMD_SCALAR, w, iq, N_PRB, ref);
	fh_bfp_decompress_level(FH_SIMD_SCALAR, w, ref, N_PRB, ref_iq);
	for (l = 1; l < n_levels; l++) {
		fh_bfp_compress_level(l, w, iq, N_PRB, packed);
		fh_bfp_decompress_level(l, w, ref, N_PRB, iq_out);
		if (memcmp(ref, packed, bytes) != 0 ||
		    memcmp(ref_iq, iq_out, sizeof(ref_iq)) != 0) {
			fprintf(stderr, "bfp%u: %s differs from scalar\n", w,
				fh_simd_name(l));
			return -1;
		}
	}
	return 0;
}

/* ns per call of fn over msg, at least min_s seconds */
static double ns_per_call(bool (*fn)(const uint8_t *, size_t),
			  const uint8_t *msg, size_t len, double min_s)
{
	double t0 = now(), t;
	uint64_t n = 0;

	do {
		for (unsigned i = 0; i < 100000; i++) {
			sink += fn(msg, len);
		}
		n += 100000;
		t = now() - t0;
	} while (t < min_s);
	return t * 1e9 / (double)n;
}

static bool radio_hdr(const uint8_t *m, size_t len)
{
	struct fh_radio_hdr rh;

	return fh_radio_hdr_parse(m, len, 0, &rh, NULL) == 0;
}

static bool sections_fit(const uint8_t *m, size_t len)
{
	return fh_uplane_sections_fit(m, len, NULL);
}

static void bench_section_check(double min_s)
{
	/* radio header, then sections: 4-byte headers with bfp:9 PRBs (28
	 * bytes), or 6-byte headers with udCompHdr 0x91 (bfp:9) */
	static uint8_t one[4 + 4 + 100 * 28], dyn[4 + 3 * (6 + 10 * 28)];
	static uint8_t bad[4 + 4 + 100], st3[4 + 3 * (4 + 10 * 43)];
	double base, t1, t3, ts, tb;

	one[0] = dyn[0] = bad[0] = 0x90;
	one[4 + 3] = 100;
	memset(one + 8, 0x5a, sizeof(one) - 8);
	for (unsigned k = 0; k < 3; k++) {
		uint8_t *sec = dyn + 4 + k * (6 + 10 * 28);

		sec[2] = (uint8_t)(k * 10);
		sec[3] = 10;
		sec[4] = 0x91;
		memset(sec + 6, 0x5a, 10 * 28);
	}
	st3[0] = 0x90;
	for (unsigned k = 0; k < 3; k++) {
		uint8_t *sec = st3 + 4 + k * (4 + 10 * 43); /* bfp:14 */

		sec[2] = (uint8_t)(k * 10);
		sec[3] = 10;
		memset(sec + 4, 0x5a, 10 * 43);
	}
	bad[4 + 3] = 200; /* 200 PRBs in 100 bytes */
	memset(bad + 8, 0xa5, sizeof(bad) - 8);
	base = ns_per_call(radio_hdr, one, sizeof(one), min_s);
	t1 = ns_per_call(sections_fit, one, sizeof(one), min_s);
	t3 = ns_per_call(sections_fit, dyn, sizeof(dyn), min_s);
	ts = ns_per_call(sections_fit, st3, sizeof(st3), min_s);
	tb = ns_per_call(sections_fit, bad, sizeof(bad), min_s);
	printf("\nU-plane section check (coding unknown), ns per message:\n"
	       "  radio header parse (baseline)      %6.1f\n"
	       "  one section, 100 PRBs              %6.1f  (%.1fx)\n"
	       "  three dynamic-header sections      %6.1f  (%.1fx)\n"
	       "  three static sections, bfp:14      %6.1f  (%.1fx)\n"
	       "  malformed (every coding tried)     %6.1f  (%.1fx)\n"
	       "  the data path checks a stream's repeated layout with one "
	       "compare\n",
	       base, t1, t1 / base, t3, t3 / base, ts, ts / base, tb,
	       tb / base);
}

int main(int argc, char **argv)
{
	static const unsigned widths[] = {9, 14};
	unsigned n_levels = (unsigned)fh_simd_best() + 1;
	double min_s = argc > 1 ? atof(argv[1]) : 0.3;
	/* [width][op][level] in M PRB/s */
	double rate[2][2][3] = {{{0}}};
	double copy_rate[2];
	unsigned wi, op, l;
	int ok = 1;

	if (min_s <= 0) {
		min_s = 0.3;
	}
	fill_iq();
	printf("BFP codec, 1 thread, %d PRBs (%zu KB uncompressed), >= %.2f s "
	       "per figure\n",
	       N_PRB, sizeof(iq) / 1024, min_s);
	printf("memcpy baseline moves uncompressed + compressed bytes per "
	       "PRB\n\n");

	for (wi = 0; wi < 2; wi++) {
		unsigned w = widths[wi];
		struct job j = {.op = OP_MEMCPY, .w = w};

		if (check_levels(w, n_levels) < 0) {
			return 1;
		}
		copy_rate[wi] = measure(&j, min_s) / 1e6;
		printf("bfp%-2u memcpy   %-8s %7.1f M PRB/s  (%u B/PRB, %.1f "
		       "GB/s)\n",
		       w, "", copy_rate[wi], 48 + 1 + 3 * w,
		       copy_rate[wi] * (48 + 1 + 3 * w) / 1e3);
		/* Compress first: decompress reads what it wrote. */
		for (op = 0; op < 2; op++) {
			for (l = 0; l < n_levels; l++) {
				j.op = op ? OP_DECOMPRESS : OP_COMPRESS;
				j.level = l;
				if (op == 1) {
					fh_bfp_compress_level(FH_SIMD_SCALAR, w,
							      iq, N_PRB,
							      packed);
				}
				rate[wi][op][l] = measure(&j, min_s) / 1e6;
				printf("bfp%-2u %-10s %-6s %7.1f M PRB/s  "
				       "x%.2f memcpy\n",
				       w, op ? "decompress" : "compress",
				       fh_simd_name(l), rate[wi][op][l],
				       rate[wi][op][l] / copy_rate[wi]);
			}
		}
		printf("\n");
	}

	printf("summary (targets for BFP-9 on this class of machine):\n");
	for (op = 0; op < 2; op++) {
		double simd_target = op ? 120.0 : 80.0;
		double best = rate[0][op][n_levels - 1];
		double scalar = rate[0][op][FH_SIMD_SCALAR];

		if (n_levels > 1) {
			printf("  bfp9 %-10s %-6s %7.1f M PRB/s  target >= "
			       "%5.1f  %s\n",
			       op ? "decompress" : "compress",
			       fh_simd_name(n_levels - 1), best, simd_target,
			       best >= simd_target ? "met" : "MISSED");
			ok &= best >= simd_target;
		}
		printf("  bfp9 %-10s %-6s %7.1f M PRB/s  target >= %5.1f  %s\n",
		       op ? "decompress" : "compress", "scalar", scalar, 15.0,
		       scalar >= 15.0 ? "met" : "MISSED");
		ok &= scalar >= 15.0;
	}
	printf("  bfp14 best: compress %.1f, decompress %.1f M PRB/s\n",
	       rate[1][0][n_levels - 1], rate[1][1][n_levels - 1]);
	printf("  all targets %s\n", ok ? "met" : "NOT met");
	bench_section_check(min_s);
	return 0;
}
