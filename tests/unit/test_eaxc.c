/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "fh/eaxc.h"

#define LAYOUT(a, b, c, d) ((struct fh_eaxc_layout){a, b, c, d})

static const struct fh_eaxc_layout named[] = {
	{4, 4, 4, 4},  {2, 6, 4, 4},  {4, 2, 2, 8}, {0, 8, 0, 8},
	{16, 0, 0, 0}, {0, 0, 0, 16}, {1, 5, 3, 7},
};

#define N_NAMED (sizeof(named) / sizeof(named[0]))

static void assert_fields(const struct fh_eaxc *f, unsigned int du,
			  unsigned int bs, unsigned int cc, unsigned int ru)
{
	assert_int_equal(f->du_port, du);
	assert_int_equal(f->band_sector, bs);
	assert_int_equal(f->cc, cc);
	assert_int_equal(f->ru_port, ru);
}

static void test_eaxc_layout_check_accepts_sum_16(void **state)
{
	struct fh_eaxc_layout l;
	size_t i;

	(void)state;
	for (i = 0; i < N_NAMED; i++) {
		assert_int_equal(fh_eaxc_layout_check(&named[i]), 0);
	}
	l = FH_EAXC_LAYOUT_4444;
	assert_int_equal(fh_eaxc_layout_check(&l), 0);
	l = FH_EAXC_LAYOUT_2644;
	assert_int_equal(fh_eaxc_layout_check(&l), 0);
	l = FH_EAXC_LAYOUT_4228;
	assert_int_equal(fh_eaxc_layout_check(&l), 0);
}

static void test_eaxc_layout_check_rejects_other_sums(void **state)
{
	static const struct fh_eaxc_layout bad[] = {
		{4, 4, 4, 3},	 {4, 4, 4, 5},	{0, 0, 0, 0},
		{8, 8, 8, 8},	 {16, 1, 0, 0}, {255, 255, 255, 255},
		{255, 17, 0, 0}, {0, 0, 0, 15},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(fh_eaxc_layout_check(&bad[i]), -EINVAL);
	}
	assert_int_equal(fh_eaxc_layout_check(NULL), -EINVAL);
}

static void test_eaxc_split_vectors(void **state)
{
	struct fh_eaxc f;

	(void)state;
	fh_eaxc_split(&LAYOUT(4, 4, 4, 4), 0x1234, &f);
	assert_fields(&f, 1, 2, 3, 4);
	/* 00 010010 0011 0100 */
	fh_eaxc_split(&LAYOUT(2, 6, 4, 4), 0x1234, &f);
	assert_fields(&f, 0, 18, 3, 4);
	/* 0001 00 10 00110100 */
	fh_eaxc_split(&LAYOUT(4, 2, 2, 8), 0x1234, &f);
	assert_fields(&f, 1, 0, 2, 0x34);
	fh_eaxc_split(&LAYOUT(0, 8, 0, 8), 0x1234, &f);
	assert_fields(&f, 0, 0x12, 0, 0x34);

	fh_eaxc_split(&LAYOUT(4, 4, 4, 4), 0xffff, &f);
	assert_fields(&f, 15, 15, 15, 15);
	fh_eaxc_split(&LAYOUT(2, 6, 4, 4), 0xffff, &f);
	assert_fields(&f, 3, 63, 15, 15);
	fh_eaxc_split(&LAYOUT(4, 2, 2, 8), 0xffff, &f);
	assert_fields(&f, 15, 3, 3, 255);
	fh_eaxc_split(&LAYOUT(0, 8, 0, 8), 0xffff, &f);
	assert_fields(&f, 0, 255, 0, 255);
	fh_eaxc_split(&LAYOUT(16, 0, 0, 0), 0xbeef, &f);
	assert_fields(&f, 0xbeef, 0, 0, 0);
	fh_eaxc_split(&LAYOUT(0, 0, 0, 16), 0xbeef, &f);
	assert_fields(&f, 0, 0, 0, 0xbeef);
	/* 1 | 01111 | 101 | 1101111 */
	fh_eaxc_split(&LAYOUT(1, 5, 3, 7), 0xbeef, &f);
	assert_fields(&f, 1, 0x0f, 5, 0x6f);
}

static void test_eaxc_split_bad_layout_gives_zeros(void **state)
{
	struct fh_eaxc f = {1, 2, 3, 4};

	(void)state;
	fh_eaxc_split(&LAYOUT(255, 255, 255, 255), 0xffff, &f);
	assert_fields(&f, 0, 0, 0, 0);
	f = (struct fh_eaxc){1, 2, 3, 4};
	fh_eaxc_split(NULL, 0xffff, &f);
	assert_fields(&f, 0, 0, 0, 0);
	fh_eaxc_split(&LAYOUT(4, 4, 4, 4), 0xffff, NULL);
}

static void test_eaxc_join_vectors(void **state)
{
	uint16_t id = 0;

	(void)state;
	assert_int_equal(fh_eaxc_join(&LAYOUT(4, 4, 4, 4),
				      &(struct fh_eaxc){1, 2, 3, 4}, &id),
			 0);
	assert_int_equal(id, 0x1234);
	assert_int_equal(fh_eaxc_join(&LAYOUT(2, 6, 4, 4),
				      &(struct fh_eaxc){3, 63, 15, 15}, &id),
			 0);
	assert_int_equal(id, 0xffff);
	assert_int_equal(fh_eaxc_join(&LAYOUT(2, 6, 4, 4),
				      &(struct fh_eaxc){1, 2, 0, 5}, &id),
			 0);
	assert_int_equal(id, 0x4205);
	assert_int_equal(fh_eaxc_join(&LAYOUT(4, 2, 2, 8),
				      &(struct fh_eaxc){1, 0, 2, 0x34}, &id),
			 0);
	assert_int_equal(id, 0x1234);
	assert_int_equal(fh_eaxc_join(&LAYOUT(0, 8, 0, 8),
				      &(struct fh_eaxc){0, 0xab, 0, 0xcd}, &id),
			 0);
	assert_int_equal(id, 0xabcd);
	assert_int_equal(fh_eaxc_join(&LAYOUT(16, 0, 0, 0),
				      &(struct fh_eaxc){0xffff, 0, 0, 0}, &id),
			 0);
	assert_int_equal(id, 0xffff);
}

static void test_eaxc_join_field_too_wide_is_erange(void **state)
{
	static const struct {
		struct fh_eaxc_layout l;
		struct fh_eaxc f;
	} bad[] = {
		{{4, 4, 4, 4}, {16, 0, 0, 0}},
		{{4, 4, 4, 4}, {0, 16, 0, 0}},
		{{4, 4, 4, 4}, {0, 0, 16, 0}},
		{{4, 4, 4, 4}, {0, 0, 0, 16}},
		{{2, 6, 4, 4}, {4, 0, 0, 0}},
		{{2, 6, 4, 4}, {0, 64, 0, 0}},
		{{4, 2, 2, 8}, {0, 0, 0, 256}},
		{{4, 2, 2, 8}, {0, 4, 0, 0}},
		/* a zero-width field only holds 0 */
		{{0, 8, 0, 8}, {1, 0, 0, 0}},
		{{0, 8, 0, 8}, {0, 0, 1, 0}},
		{{0, 8, 0, 8}, {0, 0, 0x8000, 0}},
		{{16, 0, 0, 0}, {0, 0, 0, 1}},
	};
	uint16_t id;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		id = 0x5a5a;
		assert_int_equal(fh_eaxc_join(&bad[i].l, &bad[i].f, &id),
				 -ERANGE);
		assert_int_equal(id, 0x5a5a);
	}
}

static void test_eaxc_join_invalid_args(void **state)
{
	struct fh_eaxc f = {0};
	uint16_t id = 0x5a5a;

	(void)state;
	assert_int_equal(fh_eaxc_join(&LAYOUT(4, 4, 4, 3), &f, &id), -EINVAL);
	assert_int_equal(fh_eaxc_join(NULL, &f, &id), -EINVAL);
	assert_int_equal(fh_eaxc_join(&LAYOUT(4, 4, 4, 4), NULL, &id), -EINVAL);
	assert_int_equal(fh_eaxc_join(&LAYOUT(4, 4, 4, 4), &f, NULL), -EINVAL);
	assert_int_equal(id, 0x5a5a);
}

static void test_eaxc_split_join_roundtrip_all_ids(void **state)
{
	struct fh_eaxc f;
	uint16_t back;
	uint32_t id;
	size_t i;

	(void)state;
	for (i = 0; i < N_NAMED; i++) {
		const struct fh_eaxc_layout *l = &named[i];

		for (id = 0; id <= 0xffff; id++) {
			fh_eaxc_split(l, (uint16_t)id, &f);
			assert_true(f.du_port < 1u << l->du_port_bits);
			assert_true(f.band_sector < 1u << l->band_sector_bits);
			assert_true(f.cc < 1u << l->cc_bits);
			assert_true(f.ru_port < 1u << l->ru_port_bits);
			back = (uint16_t)~id;
			assert_int_equal(fh_eaxc_join(l, &f, &back), 0);
			assert_int_equal(back, id);
		}
	}
}

/* Every one of the 969 layouts, on a spread of IDs. */
static void test_eaxc_split_join_roundtrip_every_layout(void **state)
{
	struct fh_eaxc_layout l;
	struct fh_eaxc f;
	unsigned int a, b, c;
	uint16_t back;
	uint32_t id;
	int n = 0;

	(void)state;
	for (a = 0; a <= 16; a++) {
		for (b = 0; a + b <= 16; b++) {
			for (c = 0; a + b + c <= 16; c++) {
				l = LAYOUT(a, b, c, 16 - a - b - c);
				assert_int_equal(fh_eaxc_layout_check(&l), 0);
				for (id = 0; id <= 0xffff; id += 251) {
					fh_eaxc_split(&l, (uint16_t)id, &f);
					assert_int_equal(
						fh_eaxc_join(&l, &f, &back), 0);
					assert_int_equal(back, id);
				}
				fh_eaxc_split(&l, 0xffff, &f);
				assert_int_equal(fh_eaxc_join(&l, &f, &back),
						 0);
				assert_int_equal(back, 0xffff);
				n++;
			}
		}
	}
	assert_int_equal(n, 969);
}

static void test_eaxc_translate_4444_to_2644(void **state)
{
	struct fh_eaxc_layout from = FH_EAXC_LAYOUT_4444;
	struct fh_eaxc_layout to = FH_EAXC_LAYOUT_2644;
	uint16_t out = 0;

	(void)state;
	/* du 1, bs 2, cc 3, ru 4 -> 01 000010 0011 0100 */
	assert_int_equal(fh_eaxc_translate(&from, &to, 0x1234, &out), 0);
	assert_int_equal(out, 0x4234);
	assert_int_equal(fh_eaxc_translate(&from, &to, 0x0000, &out), 0);
	assert_int_equal(out, 0x0000);
	/* du 3, bs 15, cc 15, ru 15 -> 11 001111 1111 1111 */
	assert_int_equal(fh_eaxc_translate(&from, &to, 0x3fff, &out), 0);
	assert_int_equal(out, 0xcfff);
	/* du 4 needs 3 bits, 2/6/4/4 has 2 */
	out = 0x5a5a;
	assert_int_equal(fh_eaxc_translate(&from, &to, 0x4234, &out), -ERANGE);
	assert_int_equal(out, 0x5a5a);
	/* and back: bs 18 needs 5 bits, 4/4/4/4 has 4 */
	assert_int_equal(fh_eaxc_translate(&to, &from, 0x1234, &out), -ERANGE);
	assert_int_equal(out, 0x5a5a);
	assert_int_equal(fh_eaxc_translate(&to, &from, 0x4234, &out), 0);
	assert_int_equal(out, 0x1234);
}

static void test_eaxc_translate_all_ids(void **state)
{
	struct fh_eaxc_layout from = FH_EAXC_LAYOUT_4444;
	struct fh_eaxc_layout to = FH_EAXC_LAYOUT_2644;
	uint16_t out, back;
	uint32_t id;
	int ret;

	(void)state;
	for (id = 0; id <= 0xffff; id++) {
		ret = fh_eaxc_translate(&from, &to, (uint16_t)id, &out);
		if (id >> 12 < 4) {
			assert_int_equal(ret, 0);
			/* only the DU/BandSector boundary moves */
			assert_int_equal(out & 0x0fff, id & 0x0fff);
			assert_int_equal(out >> 14, id >> 12);
			assert_int_equal(out >> 8 & 0x3f, id >> 8 & 0xf);
			assert_int_equal(
				fh_eaxc_translate(&to, &from, out, &back), 0);
			assert_int_equal(back, id);
		} else {
			assert_int_equal(ret, -ERANGE);
		}
		/* same layout is the identity */
		assert_int_equal(
			fh_eaxc_translate(&from, &from, (uint16_t)id, &out), 0);
		assert_int_equal(out, id);
	}
}

static void test_eaxc_translate_invalid_args(void **state)
{
	struct fh_eaxc_layout ok = FH_EAXC_LAYOUT_4444;
	struct fh_eaxc_layout bad = LAYOUT(4, 4, 4, 5);
	uint16_t out = 0x5a5a;

	(void)state;
	assert_int_equal(fh_eaxc_translate(&bad, &ok, 0, &out), -EINVAL);
	assert_int_equal(fh_eaxc_translate(&ok, &bad, 0, &out), -EINVAL);
	assert_int_equal(fh_eaxc_translate(NULL, &ok, 0, &out), -EINVAL);
	assert_int_equal(fh_eaxc_translate(&ok, NULL, 0, &out), -EINVAL);
	assert_int_equal(fh_eaxc_translate(&ok, &ok, 0, NULL), -EINVAL);
	assert_int_equal(out, 0x5a5a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eaxc_layout_check_accepts_sum_16),
		cmocka_unit_test(test_eaxc_layout_check_rejects_other_sums),
		cmocka_unit_test(test_eaxc_split_vectors),
		cmocka_unit_test(test_eaxc_split_bad_layout_gives_zeros),
		cmocka_unit_test(test_eaxc_join_vectors),
		cmocka_unit_test(test_eaxc_join_field_too_wide_is_erange),
		cmocka_unit_test(test_eaxc_join_invalid_args),
		cmocka_unit_test(test_eaxc_split_join_roundtrip_all_ids),
		cmocka_unit_test(test_eaxc_split_join_roundtrip_every_layout),
		cmocka_unit_test(test_eaxc_translate_4444_to_2644),
		cmocka_unit_test(test_eaxc_translate_all_ids),
		cmocka_unit_test(test_eaxc_translate_invalid_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
