/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Vendor dialects and the shared cell, one thread, one core: the rates
 * the data path's own functions reach on a 273-PRB UL symbol.
 *
 *   convert: fh_recode (what a port-dialect flow runs per U-plane
 *     message: section walk, decode, code, cut to 9000-byte messages),
 *     BFP-9 -> BFP-14 and BFP-9 -> none:16, in M PRB/s;
 *   combine: a 4-RU combine of BFP-9 parts into BFP-9 (decode the first
 *     part into the 32-bit sums - fh_iq_set_prbs -, decode and add the
 *     others - fh_iq_add_prbs -, code the sum - fh_compress32), in M
 *     output PRB/s;
 *
 * each next to its ceiling measured in the same run: the codec alone
 * (fh_decompress + fh_compress of the same PRBs, no framing, no sums),
 * with the ratio.  Targets (issue 10): convert >= 150 M PRB/s, combine
 * >= 60 M output PRB/s (a 100 MHz 4-eAxC cell of 4 RUs needs ~31 M).
 * Figures only: nothing here passes or fails on time.
 *
 * Usage: bench_fhm [seconds per figure, default 0.5]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fh/combine.h"
#include "fh/comp.h"
#include "fh/recode.h"

#define N_PRB 273
#define N_RU 4

static int16_t iq[N_RU][N_PRB * FH_PRB_VALUES];
static int16_t iq_out[N_PRB * FH_PRB_VALUES];
static uint8_t part[N_RU][8 + N_PRB * 49]; /* radio hdr + section + PRBs */
static size_t part_len;
static uint8_t out[2 * N_PRB * 49 + 64];
static int32_t sum[N_PRB * FH_PRB_VALUES];
static volatile uint64_t sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A radio's UL: per-PRB power over ~30 dB, each RU its own noise. */
static void fill(void)
{
	uint64_t s = 0x9e3779b97f4a7c15ull;

	for (unsigned r = 0; r < N_RU; r++) {
		for (unsigned p = 0; p < N_PRB; p++) {
			unsigned amp = 6 + (p * 5 + r) % 9;

			for (unsigned i = 0; i < FH_PRB_VALUES; i++) {
				s = s * 6364136223846793005ull +
				    1442695040888963407ull;
				iq[r][p * FH_PRB_VALUES + i] =
					(int16_t)((int32_t)(s >> 48 &
							    ((2u << amp) - 1)) -
						  (1 << amp));
			}
		}
	}
}

static const struct fh_comp bfp9 = {FH_COMP_BFP, 9};
static const struct fh_comp bfp14 = {FH_COMP_BFP, 14};
static const struct fh_comp none16 = {FH_COMP_NONE, 16};

/* One U-plane body per RU: radio header, one section of 273 PRBs
 * (numPrbu 0 = all), BFP-9. */
static void build_parts(void)
{
	for (unsigned r = 0; r < N_RU; r++) {
		uint8_t *b = part[r];

		b[0] = 0x10; /* UL, payload version 1 */
		b[1] = 7;
		b[2] = 0x10;
		b[3] = 0x03;
		b[4] = 0x00; /* sectionId 1 */
		b[5] = 0x10;
		b[6] = 0;
		b[7] = 0; /* numPrbu 0: all 273 */
		fh_compress(&bfp9, iq[r], N_PRB, b + 8);
	}
	part_len = 8 + (size_t)N_PRB * 28;
}

typedef void (*job_fn)(const void *arg);

struct conv {
	struct fh_uplane_cfg from, to;
};

static void job_convert(const void *arg)
{
	const struct conv *c = arg;
	struct fh_recode r;
	long n;

	if (fh_recode_start(&r, part[0], part_len, 0, &c->from, &c->to,
			    9000 - 8, NULL) < 0) {
		abort();
	}
	while ((n = fh_recode_next(&r, out, sizeof(out), NULL)) > 0) {
		sink += out[n / 2];
	}
	if (n < 0) {
		abort();
	}
}

static void job_codec(const void *arg)
{
	const struct fh_comp *to = arg;

	fh_decompress(&bfp9, part[0] + 8, N_PRB, iq_out);
	fh_compress(to, iq_out, N_PRB, out);
	sink += out[100];
}

static void job_combine(const void *arg)
{
	uint64_t sat = 0;

	(void)arg;
	fh_iq_set_prbs(sum, &bfp9, part[0] + 8, N_PRB);
	for (unsigned r = 1; r < N_RU; r++) {
		fh_iq_add_prbs(sum, &bfp9, part[r] + 8, N_PRB);
	}
	fh_compress32(&bfp9, sum, N_PRB, out, &sat);
	sink += out[100] + sat;
}

/* The codec alone for one output PRB of a 4-RU combine: 4 decodes and
 * one code. */
static void job_combine_codec(const void *arg)
{
	(void)arg;
	for (unsigned r = 0; r < N_RU; r++) {
		fh_decompress(&bfp9, part[r] + 8, N_PRB, iq_out);
		sink += (uint16_t)iq_out[r];
	}
	fh_compress(&bfp9, iq_out, N_PRB, out);
	sink += out[100];
}

/* M PRB/s (N_PRB per call) over at least min_s seconds. */
static double rate(job_fn fn, const void *arg, double min_s)
{
	unsigned long calls = 0;
	double t0, t;

	fn(arg);
	t0 = now();
	do {
		for (unsigned k = 0; k < 64; k++) {
			fn(arg);
		}
		calls += 64;
		t = now() - t0;
	} while (t < min_s);
	return (double)calls * N_PRB / t / 1e6;
}

static void row(const char *what, double v, double ceiling, double target)
{
	printf("%-34s %8.1f M PRB/s   ceiling %8.1f   ratio %.2f   target "
	       "%.0f: %s\n",
	       what, v, ceiling, v / ceiling, target,
	       v >= target ? "met" : "NOT met");
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 0.5;
	struct conv c14 = {.from = {.comp = bfp9}, .to = {.comp = bfp14}};
	struct conv c16 = {.from = {.comp = bfp9}, .to = {.comp = none16}};
	double v, ceil;

	if (secs <= 0) {
		secs = 0.5;
	}
	fill();
	build_parts();
	printf("bench_fhm: 273-PRB UL symbols, one thread, SIMD %s, %.1f s "
	       "per figure\n",
	       fh_simd_name(fh_simd_get()), secs);
	ceil = rate(job_codec, &bfp14, secs);
	v = rate(job_convert, &c14, secs);
	row("convert BFP-9 -> BFP-14", v, ceil, 150);
	ceil = rate(job_codec, &none16, secs);
	v = rate(job_convert, &c16, secs);
	row("convert BFP-9 -> none:16", v, ceil, 150);
	ceil = rate(job_combine_codec, NULL, secs);
	v = rate(job_combine, NULL, secs);
	row("combine 4 x BFP-9 -> BFP-9 (output)", v, ceil, 60);
	printf("(ceiling: the codec's own decompress + compress of the same "
	       "PRBs in this run; a 100 MHz 4-eAxC cell of 4 RUs needs ~31 M "
	       "output PRB/s)\n");
	return sink == 42 ? 1 : 0;
}
