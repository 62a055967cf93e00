/* SPDX-License-Identifier: Apache-2.0 */
/* The shared cell's combine arithmetic (fronthaul/combine.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fh/combine.h"

static void test_accumulate_sums_in_32_bits(void **state)
{
	int32_t sum[4] = {0, 30000, -30000, 7};
	const int16_t a[4] = {32767, 30000, -32768, -7};

	(void)state;
	fh_iq_accumulate(sum, a, 4);
	fh_iq_accumulate(sum, a, 4);
	assert_int_equal(sum[0], 65534);
	assert_int_equal(sum[1], 90000);
	assert_int_equal(sum[2], -95536);
	assert_int_equal(sum[3], -7);
}

/* Values within 16 bits: the same bytes as fh_compress, every method. */
static void test_in_range_equals_fh_compress(void **state)
{
	int16_t v16[2 * FH_PRB_VALUES];
	int32_t v32[2 * FH_PRB_VALUES];
	uint8_t a[2 * 49], b[2 * 49];
	const struct fh_comp cs[] = {
		{FH_COMP_NONE, 16}, {FH_COMP_NONE, 9},
		{FH_COMP_BFP, 9},   {FH_COMP_BFP, 14},
		{FH_COMP_BFP, 1},   {FH_COMP_BLOCK_SCALING, 8},
		{FH_COMP_MU_LAW, 8}};

	(void)state;
	for (unsigned i = 0; i < 2 * FH_PRB_VALUES; i++) {
		v16[i] = (int16_t)((int)(i * 2731u % 65536u) - 32768);
		v32[i] = v16[i];
	}
	for (size_t k = 0; k < sizeof(cs) / sizeof(cs[0]); k++) {
		uint64_t sat = 0;
		long n1 = fh_compress(&cs[k], v16, 2, a);
		long n2 = fh_compress32(&cs[k], v32, 2, b, &sat);

		assert_true(n1 > 0);
		assert_int_equal(n1, n2);
		assert_memory_equal(a, b, (size_t)n1);
		assert_int_equal(sat, 0);
	}
}

/* BFP takes its exponent from the sum: 4 x 30000 = 120000 needs 18 bits
 * signed, so BFP-9 has exponent 9 and decodes to 119808 (not 32767). */
static void test_bfp_exponent_from_the_sum(void **state)
{
	struct fh_comp c = {FH_COMP_BFP, 9};
	int32_t v[FH_PRB_VALUES] = {0};
	uint8_t out[28];
	uint64_t sat = 0;

	(void)state;
	v[0] = 120000;
	v[1] = -131072; /* -2^17: fits 9 bits at e = 9 (-256 << 9) */
	v[23] = 1000;
	assert_int_equal(fh_compress32(&c, v, 1, out, &sat), 28);
	assert_int_equal(out[0], 9);
	/* mantissas: 120000 >> 9 = 234, -131072 >> 9 = -256 */
	assert_int_equal(fh_bits_get(out + 1, 0, 9), 234);
	assert_int_equal(fh_bits_get(out + 1, 9, 9), 0x100);
	assert_int_equal(sat, 0);
	/* one more bit needed: e = 10 */
	v[1] = -131073;
	assert_int_equal(fh_compress32(&c, v, 1, out, &sat), 28);
	assert_int_equal(out[0], 10);
	/* within 16 bits the minimum stays the codec's own */
	memset(v, 0, sizeof(v));
	v[5] = 255;
	fh_compress32(&c, v, 1, out, &sat);
	assert_int_equal(out[0], 0);
	v[5] = 256;
	fh_compress32(&c, v, 1, out, &sat);
	assert_int_equal(out[0], 1);
}

/* 16-bit outputs saturate, and say how often. */
static void test_saturation_counted(void **state)
{
	struct fh_comp c = {FH_COMP_NONE, 16};
	int32_t v[FH_PRB_VALUES] = {0};
	uint8_t out[48];
	uint64_t sat = 5;

	(void)state;
	v[0] = 40000;
	v[1] = -40000;
	v[2] = 32767;
	v[3] = -32768;
	assert_int_equal(fh_compress32(&c, v, 1, out, &sat), 48);
	assert_int_equal(sat, 7);
	assert_int_equal(fh_bits_get(out, 0, 16), 0x7fff);
	assert_int_equal(fh_bits_get(out, 16, 16), 0x8000);
	/* BFP-1 cannot carry 2^30 even at exponent 15: saturated */
	c = (struct fh_comp){FH_COMP_BFP, 1};
	sat = 0;
	memset(v, 0, sizeof(v));
	v[0] = 1 << 30;
	fh_compress32(&c, v, 1, out, &sat);
	assert_int_equal(out[0], 15);
	assert_true(sat > 0);
}

static void test_bad_arguments(void **state)
{
	struct fh_comp bad = {FH_COMP_BFP, 0};
	int32_t v[FH_PRB_VALUES] = {0};
	uint8_t out[64];

	(void)state;
	assert_int_equal(fh_compress32(&bad, v, 1, out, NULL), -EINVAL);
	assert_int_equal(fh_compress32(NULL, v, 1, out, NULL), -EINVAL);
	bad = (struct fh_comp){FH_COMP_BFP, 9};
	assert_int_equal(fh_compress32(&bad, NULL, 1, out, NULL), -EINVAL);
	assert_int_equal(fh_compress32(&bad, NULL, 0, NULL, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accumulate_sums_in_32_bits),
		cmocka_unit_test(test_in_range_equals_fh_compress),
		cmocka_unit_test(test_bfp_exponent_from_the_sum),
		cmocka_unit_test(test_saturation_counted),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
