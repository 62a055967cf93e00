/* SPDX-License-Identifier: Apache-2.0 */
/*
 * O-RAN CUS-plane codec (fh/oran.h, ORAN.md §3-5): radio application
 * header, U-plane sections, C-plane section types 0/1/3/5/6/7 and the
 * section extension chain.  Hand-written byte vectors are decoded field by
 * field and re-encoded byte for byte; builders are checked by parsing
 * their output back.  Buffers handed to the parsers in the truncation
 * tests are heap copies of exactly the advertised length, so that ASan
 * catches any read past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fh/bits.h"
#include "fh/comp.h"
#include "fh/oran.h"

/* offset of the O-RAN body in an imaginary outer frame: every reported
 * offset must include it */
#define BASE 50

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = (uint8_t)(seed + 7 * i);
	}
}

/* ==== radio application header ========================================== */

static void test_radio_hdr_vector_every_field(void **state)
{
	/* DL, payloadVersion 1, filterIndex 0xa, frameId 0x37, subframeId 9,
	 * slotId 45 (0b1011_01 across bytes 2 and 3), symbolId 13 */
	static const uint8_t v[4] = {0x9a, 0x37, 0x9b, 0x4d};
	/* UL, all other fields at their maximum */
	static const uint8_t w[4] = {0x1f, 0xff, 0xff, 0xff};
	struct fh_radio_hdr h;
	struct fh_err err = {0};
	uint8_t out[4];

	(void)state;
	assert_int_equal(fh_radio_hdr_parse(v, 4, BASE, &h, &err), 0);
	assert_int_equal(h.direction, FH_DIR_DL);
	assert_int_equal(h.payload_version, 1);
	assert_int_equal(h.filter_index, 0xa);
	assert_int_equal(h.frame_id, 0x37);
	assert_int_equal(h.subframe_id, 9);
	assert_int_equal(h.slot_id, 45);
	assert_int_equal(h.symbol_id, 13);
	fh_radio_hdr_build(out, &h);
	assert_memory_equal(out, v, 4);

	assert_int_equal(fh_radio_hdr_parse(w, 4, BASE, &h, &err), 0);
	assert_int_equal(h.direction, FH_DIR_UL);
	assert_int_equal(h.filter_index, 15);
	assert_int_equal(h.frame_id, 255);
	assert_int_equal(h.subframe_id, 15);
	assert_int_equal(h.slot_id, 63);
	assert_int_equal(h.symbol_id, 63);
	fh_radio_hdr_build(out, &h);
	assert_memory_equal(out, w, 4);
}

static void test_radio_hdr_roundtrip_every_slot_symbol(void **state)
{
	(void)state;
	for (unsigned sf = 0; sf < 16; sf++) {
		for (unsigned slot = 0; slot < 64; slot++) {
			for (unsigned sym = 0; sym < 64; sym++) {
				struct fh_radio_hdr in = {
					.direction = (uint8_t)(slot & 1),
					.filter_index = (uint8_t)(sym & 0xf),
					.frame_id = (uint8_t)(sf * 16 + sym),
					.subframe_id = (uint8_t)sf,
					.slot_id = (uint8_t)slot,
					.symbol_id = (uint8_t)sym,
				};
				struct fh_radio_hdr out;
				uint8_t b[4];

				fh_radio_hdr_build(b, &in);
				assert_int_equal(
					fh_radio_hdr_parse(b, 4, 0, &out, NULL),
					0);
				assert_int_equal(out.direction, in.direction);
				assert_int_equal(out.payload_version, 1);
				assert_int_equal(out.filter_index,
						 in.filter_index);
				assert_int_equal(out.frame_id, in.frame_id);
				assert_int_equal(out.subframe_id, sf);
				assert_int_equal(out.slot_id, slot);
				assert_int_equal(out.symbol_id, sym);
			}
		}
	}
}

static void test_radio_hdr_payload_version_not_1_ebadmsg(void **state)
{
	uint8_t v[4] = {0x10, 0x01, 0x02, 0x03};
	struct fh_radio_hdr h;
	struct fh_err err = {0};

	(void)state;
	for (unsigned pv = 0; pv < 8; pv++) {
		v[0] = (uint8_t)(0x80 | pv << 4 | 0x5);
		if (pv == 1) {
			assert_int_equal(
				fh_radio_hdr_parse(v, 4, BASE, &h, &err), 0);
			continue;
		}
		assert_int_equal(fh_radio_hdr_parse(v, 4, BASE, &h, &err),
				 -EBADMSG);
		assert_int_equal(err.code, -EBADMSG);
		assert_int_equal(err.offset, BASE);
	}
}

static void test_radio_hdr_build_version_0_writes_1(void **state)
{
	struct fh_radio_hdr h = {.direction = FH_DIR_DL};
	uint8_t b[4];

	(void)state;
	fh_radio_hdr_build(b, &h);
	assert_int_equal(b[0], 0x90);
	h.payload_version = 2;
	fh_radio_hdr_build(b, &h);
	assert_int_equal((b[0] >> 4) & 7, 2);
	assert_int_equal(fh_radio_hdr_parse(b, 4, 0, &h, NULL), -EBADMSG);
}

static void test_radio_hdr_short_emsgsize(void **state)
{
	static const uint8_t v[4] = {0x90, 0, 0, 0};
	struct fh_radio_hdr h;
	struct fh_err err = {0};

	(void)state;
	for (size_t len = 0; len < 4; len++) {
		uint8_t *copy = dup_exact(v, len);

		assert_int_equal(fh_radio_hdr_parse(copy, len, BASE, &h, &err),
				 -EMSGSIZE);
		assert_int_equal(err.offset, BASE + len);
		free(copy);
	}
}

static void test_comp_hdr_every_byte_roundtrip(void **state)
{
	(void)state;
	for (unsigned b = 0; b < 256; b++) {
		struct fh_comp c = fh_comp_from_hdr((uint8_t)b);

		assert_int_equal(c.method, b & 0xf);
		assert_int_equal(c.iq_width, (b >> 4) ? (b >> 4) : 16);
		assert_int_equal(fh_comp_to_hdr(&c), b);
	}
}

/* ==== U-plane ============================================================ */

static const uint8_t uplane_rh[4] = {0x10, 0x05, 0x12, 0x87};

static void test_uplane_static_comp_vector(void **state)
{
	/* sectionId 0xabc, rb 1, symInc 0, startPrbu 0x2f5, numPrbu 2,
	 * uncompressed 16-bit (48 bytes per PRB); then sectionId 1, rb 0,
	 * symInc 1, startPrbu 0, numPrbu 1 */
	uint8_t v[4 + 4 + 96 + 4 + 48];
	const struct fh_uplane_cfg cfg = {
		.comp = {.method = FH_COMP_NONE, .iq_width = 16},
	};
	static const uint8_t s1[4] = {0xab, 0xca, 0xf5, 0x02};
	static const uint8_t s2[4] = {0x00, 0x14, 0x00, 0x01};
	struct fh_radio_hdr rh;
	struct fh_uplane_iter it;
	struct fh_uplane_section s;
	struct fh_err err = {0};

	(void)state;
	memcpy(v, uplane_rh, 4);
	memcpy(v + 4, s1, 4);
	fill(v + 8, 96, 1);
	memcpy(v + 104, s2, 4);
	fill(v + 108, 48, 2);
	assert_int_equal(
		fh_uplane_parse(v, sizeof(v), BASE, &cfg, &rh, &it, &err), 0);
	assert_int_equal(rh.direction, FH_DIR_UL);
	assert_int_equal(rh.frame_id, 5);
	assert_int_equal(rh.subframe_id, 1);
	assert_int_equal(rh.slot_id, 10);
	assert_int_equal(rh.symbol_id, 7);

	assert_int_equal(fh_uplane_next(&it, &s, &err), 1);
	assert_int_equal(s.section_id, 0xabc);
	assert_int_equal(s.rb, 1);
	assert_int_equal(s.sym_inc, 0);
	assert_int_equal(s.start_prb, 0x2f5);
	assert_int_equal(s.num_prb_field, 2);
	assert_int_equal(s.num_prb, 2);
	assert_false(s.has_comp_hdr);
	assert_int_equal(s.comp.method, FH_COMP_NONE);
	assert_int_equal(s.comp.iq_width, 16);
	assert_ptr_equal(s.data, v + 8);
	assert_int_equal(s.data_len, 96);
	assert_int_equal(s.offset, BASE + 4);

	assert_int_equal(fh_uplane_next(&it, &s, &err), 1);
	assert_int_equal(s.section_id, 1);
	assert_int_equal(s.rb, 0);
	assert_int_equal(s.sym_inc, 1);
	assert_int_equal(s.start_prb, 0);
	assert_int_equal(s.num_prb, 1);
	assert_ptr_equal(s.data, v + 108);
	assert_int_equal(s.data_len, 48);
	assert_int_equal(s.offset, BASE + 104);
	assert_int_equal(fh_uplane_next(&it, &s, &err), 0);
}

static void test_uplane_dynamic_comp_hdr_vector(void **state)
{
	/* sectionId 0x123, rb 0, symInc 1, startPrbu 0x100, numPrbu 3,
	 * udCompHdr 0x91 (BFP 9 bits: 28 bytes per PRB), reserved */
	uint8_t v[4 + 6 + 3 * 28];
	static const uint8_t sh[6] = {0x12, 0x35, 0x00, 0x03, 0x91, 0x00};
	const struct fh_uplane_cfg cfg = {.dyn_comp_hdr = true};
	struct fh_radio_hdr rh;
	struct fh_uplane_iter it;
	struct fh_uplane_section s;
	struct fh_err err = {0};

	(void)state;
	memcpy(v, uplane_rh, 4);
	memcpy(v + 4, sh, 6);
	fill(v + 10, 84, 3);
	assert_int_equal(
		fh_uplane_parse(v, sizeof(v), BASE, &cfg, &rh, &it, &err), 0);
	assert_int_equal(fh_uplane_next(&it, &s, &err), 1);
	assert_int_equal(s.section_id, 0x123);
	assert_int_equal(s.rb, 0);
	assert_int_equal(s.sym_inc, 1);
	assert_int_equal(s.start_prb, 0x100);
	assert_int_equal(s.num_prb, 3);
	assert_true(s.has_comp_hdr);
	assert_int_equal(s.ud_comp_hdr, 0x91);
	assert_int_equal(s.comp.method, FH_COMP_BFP);
	assert_int_equal(s.comp.iq_width, 9);
	assert_ptr_equal(s.data, v + 10);
	assert_int_equal(s.data_len, 84);
	assert_int_equal(fh_uplane_next(&it, &s, &err), 0);
}

static void test_uplane_dyn_width_0_means_16(void **state)
{
	uint8_t v[4 + 6 + 49];
	static const uint8_t sh[6] = {0x00, 0x10, 0x00, 0x01, 0x01, 0x00};
	const struct fh_uplane_cfg cfg = {.dyn_comp_hdr = true};
	struct fh_radio_hdr rh;
	struct fh_uplane_iter it;
	struct fh_uplane_section s;

	(void)state;
	memcpy(v, uplane_rh, 4);
	memcpy(v + 4, sh, 6);
	fill(v + 10, 49, 4);
	assert_int_equal(fh_uplane_parse(v, sizeof(v), 0, &cfg, &rh, &it, NULL),
			 0);
	assert_int_equal(fh_uplane_next(&it, &s, NULL), 1);
	assert_int_equal(s.comp.method, FH_COMP_BFP);
	assert_int_equal(s.comp.iq_width, 16);
	assert_int_equal(s.data_len, 49);
	assert_int_equal(fh_uplane_next(&it, &s, NULL), 0);
}

static void test_uplane_num_prb_0_means_carrier_prbs(void **state)
{
	size_t len = 4 + 6 + (size_t)FH_MAX_PRB * 48;
	uint8_t *v = calloc(1, len);
	struct fh_uplane_cfg cfg = {.dyn_comp_hdr = true, .carrier_prbs = 106};
	struct fh_radio_hdr rh;
	struct fh_uplane_iter it;
	struct fh_uplane_section s;

	(void)state;
	assert_non_null(v);
	memcpy(v, uplane_rh, 4);
	v[4 + 4] = 0x91; /* numPrbu 0, BFP 9 */
	/* 106 PRBs x 28 bytes */
	assert_int_equal(
		fh_uplane_parse(v, 10 + 106 * 28, 0, &cfg, &rh, &it, NULL), 0);
	assert_int_equal(fh_uplane_next(&it, &s, NULL), 1);
	assert_int_equal(s.num_prb_field, 0);
	assert_int_equal(s.num_prb, 106);
	assert_int_equal(s.data_len, 106 * 28);
	assert_int_equal(fh_uplane_next(&it, &s, NULL), 0);
	/* carrier_prbs 0 -> FH_MAX_PRB, uncompressed 16-bit */
	cfg.carrier_prbs = 0;
	v[4 + 4] = 0x00;
	assert_int_equal(fh_uplane_parse(v, len, 0, &cfg, &rh, &it, NULL), 0);
	assert_int_equal(fh_uplane_next(&it, &s, NULL), 1);
	assert_int_equal(s.num_prb, FH_MAX_PRB);
	assert_int_equal(s.data_len, FH_MAX_PRB * 48);
	assert_int_equal(fh_uplane_next(&it, &s, NULL), 0);
	/* one byte short of the carrier */
	assert_int_equal(fh_uplane_parse(v, len - 1, 0, &cfg, &rh, &it, NULL),
			 0);
	assert_int_equal(fh_uplane_next(&it, &s, NULL), -EMSGSIZE);
	free(v);
}

/* Bytes of one PRB per comp.h: 3 * width, plus udCompParam for BFP, block
 * scaling, mu-law and BFP + selective RE; 0 where undefined. */
static size_t expected_prb_bytes(unsigned meth, unsigned width)
{
	if (width == 0 || width > 16 || meth > 6) {
		return 0;
	}
	switch (meth) {
	case FH_COMP_BFP:
	case FH_COMP_BLOCK_SCALING:
	case FH_COMP_MU_LAW:
	case FH_COMP_BFP_SELECTIVE_RE:
		return 3 * width + 1;
	default:
		return 3 * width;
	}
}

static void test_uplane_prb_bytes_every_method_width(void **state)
{
	uint8_t v[4 + 6 + 2 * 49];
	const struct fh_uplane_cfg dyn = {.dyn_comp_hdr = true};

	(void)state;
	/* spot values from ORAN.md: 9-bit BFP 28 bytes, 16-bit none 48 */
	assert_int_equal(expected_prb_bytes(FH_COMP_BFP, 9), 28);
	assert_int_equal(expected_prb_bytes(FH_COMP_NONE, 16), 48);
	memcpy(v, uplane_rh, 4);
	memset(v + 4, 0, sizeof(v) - 4);
	v[7] = 2; /* numPrbu */
	for (unsigned meth = 0; meth < 16; meth++) {
		for (unsigned w = 1; w <= 16; w++) {
			size_t want = expected_prb_bytes(meth, w);
			struct fh_uplane_cfg st = {
				.comp = {.method = (uint8_t)meth,
					 .iq_width = (uint8_t)w},
			};
			struct fh_radio_hdr rh;
			struct fh_uplane_iter it;
			struct fh_uplane_section s;
			struct fh_err err = {0};
			int ret;

			/* dynamic udCompHdr in the section */
			v[8] = (uint8_t)((w & 0xf) << 4 | meth);
			assert_int_equal(fh_uplane_parse(v, 10 + 2 * want, 0,
							 &dyn, &rh, &it, &err),
					 0);
			ret = fh_uplane_next(&it, &s, &err);
			if (want == 0) {
				assert_int_equal(ret, -EBADMSG);
				assert_int_equal(err.offset, 4 + 4);
				continue;
			}
			assert_int_equal(ret, 1);
			assert_int_equal(s.comp.method, meth);
			assert_int_equal(s.comp.iq_width, w);
			assert_int_equal(s.data_len, 2 * want);
			assert_int_equal(fh_uplane_next(&it, &s, &err), 0);

			/* static configuration, 4-byte section header */
			assert_int_equal(fh_uplane_parse(v, 8 + 2 * want, 0,
							 &st, &rh, &it, &err),
					 0);
			assert_int_equal(fh_uplane_next(&it, &s, &err), 1);
			assert_false(s.has_comp_hdr);
			assert_int_equal(s.data_len, 2 * want);
			assert_int_equal(fh_uplane_next(&it, &s, &err), 0);
		}
	}
}

static void test_uplane_static_invalid_width_ebadmsg(void **state)
{
	uint8_t v[4 + 4 + 64] = {0};
	struct fh_uplane_cfg cfg = {.comp = {.method = FH_COMP_NONE}};
	struct fh_radio_hdr rh;
	struct fh_uplane_iter it;
	struct fh_uplane_section s;
	struct fh_err err = {0};

	(void)state;
	memcpy(v, uplane_rh, 4);
	v[7] = 1;
	assert_int_equal(
		fh_uplane_parse(v, sizeof(v), BASE, &cfg, &rh, &it, &err), 0);
	assert_int_equal(fh_uplane_next(&it, &s, &err), -EBADMSG);
	cfg.comp.iq_width = 17;
	assert_int_equal(
		fh_uplane_parse(v, sizeof(v), BASE, &cfg, &rh, &it, &err), 0);
	assert_int_equal(fh_uplane_next(&it, &s, &err), -EBADMSG);
	assert_int_equal(err.code, -EBADMSG);
}

static void test_uplane_bad_payload_version_ebadmsg(void **state)
{
	uint8_t v[8] = {0x20, 0, 0, 0, 0, 0, 0, 1};
	const struct fh_uplane_cfg cfg = {.comp = {0, 16}};
	struct fh_radio_hdr rh;
	struct fh_uplane_iter it;
	struct fh_err err = {0};

	(void)state;
	assert_int_equal(
		fh_uplane_parse(v, sizeof(v), BASE, &cfg, &rh, &it, &err),
		-EBADMSG);
	assert_int_equal(err.offset, BASE);
}

/* Three dynamic-header sections built with fh_uplane_build_section. */
struct umsg {
	uint8_t buf[512];
	size_t len;
	size_t ends[4]; /* section boundaries, radio header end first */
};

static void build_uplane_msg(struct umsg *m)
{
	static const struct {
		uint16_t id;
		uint8_t hdr;
		uint8_t n;
	} secs[3] = {{0x001, 0x91, 2}, {0xfff, 0x00, 1}, {0x800, 0x41, 3}};
	const struct fh_uplane_cfg cfg = {.dyn_comp_hdr = true};
	uint8_t data[200];

	memcpy(m->buf, uplane_rh, 4);
	m->len = 4;
	m->ends[0] = 4;
	for (unsigned i = 0; i < 3; i++) {
		struct fh_comp c = fh_comp_from_hdr(secs[i].hdr);
		struct fh_uplane_section s = {
			.section_id = secs[i].id,
			.rb = (uint8_t)(i & 1),
			.sym_inc = (uint8_t)(i == 2),
			.start_prb = (uint16_t)(i * 300),
			.num_prb_field = secs[i].n,
			.ud_comp_hdr = secs[i].hdr,
			.data = data,
			.data_len = secs[i].n * fh_comp_prb_bytes(&c),
		};
		long n;

		fill(data, s.data_len, (uint8_t)(i * 50));
		n = fh_uplane_build_section(m->buf + m->len,
					    sizeof(m->buf) - m->len, &cfg, &s);
		assert_int_equal(n, 6 + s.data_len);
		m->len += (size_t)n;
		m->ends[i + 1] = m->len;
	}
}

static void test_uplane_multiple_sections_built_and_parsed(void **state)
{
	struct umsg m;
	const struct fh_uplane_cfg cfg = {.dyn_comp_hdr = true};
	struct fh_radio_hdr rh;
	struct fh_uplane_iter it;
	struct fh_uplane_section s;
	uint8_t data[200];

	(void)state;
	build_uplane_msg(&m);
	assert_int_equal(m.len, 4 + (6 + 56) + (6 + 48) + (6 + 39));
	/* the reserved byte after udCompHdr is zero */
	assert_int_equal(m.buf[4 + 5], 0);
	assert_int_equal(
		fh_uplane_parse(m.buf, m.len, BASE, &cfg, &rh, &it, NULL), 0);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(fh_uplane_next(&it, &s, NULL), 1);
		assert_int_equal(s.offset, BASE + m.ends[i]);
		assert_int_equal(s.rb, i & 1);
		assert_int_equal(s.sym_inc, i == 2);
		assert_int_equal(s.start_prb, i * 300);
		assert_true(s.has_comp_hdr);
		assert_ptr_equal(s.data, m.buf + m.ends[i] + 6);
		assert_ptr_equal(s.data + s.data_len, m.buf + m.ends[i + 1]);
		fill(data, s.data_len, (uint8_t)(i * 50));
		assert_memory_equal(s.data, data, s.data_len);
	}
	assert_int_equal(fh_uplane_next(&it, &s, NULL), 0);
	(void)it;
}

static void test_uplane_truncation_every_byte(void **state)
{
	struct umsg m;
	const struct fh_uplane_cfg cfg = {.dyn_comp_hdr = true};

	(void)state;
	build_uplane_msg(&m);
	for (size_t cut = 0; cut < m.len; cut++) {
		uint8_t *copy = dup_exact(m.buf, cut);
		struct fh_radio_hdr rh;
		struct fh_uplane_iter it;
		struct fh_uplane_section s;
		struct fh_err err = {.code = 1};
		int ret =
			fh_uplane_parse(copy, cut, BASE, &cfg, &rh, &it, &err);
		unsigned k = 0;
		int boundary = -1;

		for (unsigned i = 0; i < 4; i++) {
			if (m.ends[i] == cut) {
				boundary = (int)i;
			}
		}
		if (cut < 4) {
			assert_int_equal(ret, -EMSGSIZE);
			assert_int_equal(err.offset, BASE + cut);
			free(copy);
			continue;
		}
		assert_int_equal(ret, 0);
		while ((ret = fh_uplane_next(&it, &s, &err)) == 1) {
			assert_true(s.data + s.data_len <= copy + cut);
			k++;
		}
		if (boundary >= 0) {
			/* U-plane carries no section count: a cut between
			 * sections is a shorter valid message */
			assert_int_equal(ret, 0);
			assert_int_equal(k, (unsigned)boundary);
		} else {
			assert_int_equal(ret, -EMSGSIZE);
			assert_int_equal(err.code, -EMSGSIZE);
			assert_true(err.offset >= BASE);
			assert_true(err.offset <= BASE + cut);
			assert_true(k < 3);
		}
		free(copy);
	}
}

/* Append a section (header per cfg, n PRBs of comp c) to m; its end. */
static size_t add_section(uint8_t *buf, size_t len, size_t cap,
			  const struct fh_uplane_cfg *cfg, struct fh_comp c,
			  uint16_t start, uint8_t n)
{
	static uint8_t data[FH_MAX_PRB * 49];
	struct fh_uplane_section s = {
		.section_id = 1,
		.start_prb = start,
		.num_prb_field = n,
		.ud_comp_hdr = fh_comp_to_hdr(&c),
		.data = data,
		.data_len = (n ? n : 6) * fh_comp_prb_bytes(&c),
	};
	long r;

	fill(data, s.data_len, (uint8_t)(start + n));
	r = fh_uplane_build_section(buf + len, cap - len, cfg, &s);
	assert_true(r > 0);
	return len + (size_t)r;
}

static void test_uplane_sections_fit(void **state)
{
	const struct fh_comp bfp9 = {FH_COMP_BFP, 9},
			     none16 = {FH_COMP_NONE, 16},
			     mulaw8 = {FH_COMP_MU_LAW, 8};
	const struct fh_uplane_cfg st = {.comp = bfp9};
	const struct fh_uplane_cfg st8 = {.comp = {FH_COMP_BFP, 8}};
	const struct fh_uplane_cfg dyn = {.dyn_comp_hdr = true};
	/* the red-team message: a section of all PRBs with 4 bytes of IQ */
	static const uint8_t redteam[] = {0x90, 0, 0,	 0, 0, 0,
					  0,	0, 0x02, 0, 0, 0};
	uint8_t buf[4096];
	size_t len;
	struct umsg m;

	(void)state;
	memcpy(buf, uplane_rh, 4);
	/* one static section, the usual case */
	len = add_section(buf, 4, sizeof(buf), &st, bfp9, 0, 10);
	assert_true(fh_uplane_sections_fit(buf, len, NULL));
	assert_true(fh_uplane_sections_fit(buf, len, &st));
	assert_false(fh_uplane_sections_fit(buf, len, &st8));
	assert_false(fh_uplane_sections_fit(buf, len - 5, NULL));
	assert_false(fh_uplane_sections_fit(buf, len - 5, &st));
	buf[4 + 3] = 11; /* one PRB more than carried */
	assert_false(fh_uplane_sections_fit(buf, len, NULL));
	assert_false(fh_uplane_sections_fit(buf, len, &st));
	/* two static sections */
	len = add_section(buf, 4, sizeof(buf), &st, bfp9, 0, 10);
	len = add_section(buf, len, sizeof(buf), &st, bfp9, 10, 5);
	assert_true(fh_uplane_sections_fit(buf, len, NULL));
	assert_true(fh_uplane_sections_fit(buf, len, &st));
	assert_false(fh_uplane_sections_fit(buf, len - 1, NULL));
	/* numPrbu 0: all PRBs; at least 6 when the carrier is unknown */
	len = add_section(buf, 4, sizeof(buf), &st, bfp9, 0, 0);
	assert_true(fh_uplane_sections_fit(buf, len, NULL));
	/* fewer bytes than 6 PRBs of the smallest coding (3 bytes) */
	assert_false(fh_uplane_sections_fit(buf, 4 + 4 + 17, NULL));
	/* 5 PRBs of bfp:9 would also be 20 of bfp:2: only a known coding
	 * tells */
	assert_true(fh_uplane_sections_fit(buf, len - 28, NULL));
	assert_false(fh_uplane_sections_fit(
		buf, len - 28,
		&(struct fh_uplane_cfg){.comp = bfp9, .carrier_prbs = 6}));
	/* dynamic headers, three codings */
	len = add_section(buf, 4, sizeof(buf), &dyn, bfp9, 0, 4);
	len = add_section(buf, len, sizeof(buf), &dyn, none16, 4, 3);
	len = add_section(buf, len, sizeof(buf), &dyn, mulaw8, 7, 9);
	assert_true(fh_uplane_sections_fit(buf, len, NULL));
	assert_true(fh_uplane_sections_fit(buf, len, &dyn));
	assert_false(fh_uplane_sections_fit(buf, len - 2, NULL));
	assert_false(fh_uplane_sections_fit(buf, len - 2, &dyn));
	/* the codec's multi-section message (PRBs past 273: known coding) */
	build_uplane_msg(&m);
	assert_true(fh_uplane_sections_fit(m.buf, m.len, &dyn));
	/* no section, or less than a section header */
	assert_false(fh_uplane_sections_fit(buf, 4, NULL));
	assert_false(fh_uplane_sections_fit(buf, 7, NULL));
	assert_false(fh_uplane_sections_fit(redteam, sizeof(redteam), NULL));
}

static void test_uplane_build_section_bytes(void **state)
{
	static const uint8_t want_st[4] = {0xab, 0xca, 0xf5, 0x02};
	static const uint8_t want_dyn[6] = {0x12, 0x35, 0x00, 0x03, 0x91, 0x00};
	const struct fh_uplane_cfg st = {.comp = {0, 16}};
	const struct fh_uplane_cfg dyn = {.dyn_comp_hdr = true};
	struct fh_uplane_section s = {.section_id = 0xabc,
				      .rb = 1,
				      .start_prb = 0x2f5,
				      .num_prb_field = 2};
	uint8_t b[16];

	(void)state;
	memset(b, 0xee, sizeof(b));
	assert_int_equal(fh_uplane_build_section(b, sizeof(b), &st, &s), 4);
	assert_memory_equal(b, want_st, 4);
	assert_int_equal(b[4], 0xee);
	s = (struct fh_uplane_section){.section_id = 0x123,
				       .sym_inc = 1,
				       .start_prb = 0x100,
				       .num_prb_field = 3,
				       .ud_comp_hdr = 0x91};
	memset(b, 0xee, sizeof(b));
	assert_int_equal(fh_uplane_build_section(b, sizeof(b), &dyn, &s), 6);
	assert_memory_equal(b, want_dyn, 6);
	assert_int_equal(b[6], 0xee);
}

static void test_uplane_build_section_errors(void **state)
{
	const struct fh_uplane_cfg st = {.comp = {0, 16}};
	const struct fh_uplane_cfg dyn = {.dyn_comp_hdr = true};
	uint8_t data[48] = {0};
	struct fh_uplane_section ok = {.section_id = 0xfff,
				       .rb = 1,
				       .sym_inc = 1,
				       .start_prb = 0x3ff,
				       .num_prb_field = 1,
				       .data = data,
				       .data_len = 48};
	struct fh_uplane_section s;
	uint8_t b[64];

	(void)state;
	assert_int_equal(fh_uplane_build_section(b, sizeof(b), &st, &ok), 52);
	assert_int_equal(fh_uplane_build_section(b, sizeof(b), &dyn, &ok), 54);
	s = ok;
	s.section_id = 0x1000;
	assert_int_equal(fh_uplane_build_section(b, sizeof(b), &st, &s),
			 -EINVAL);
	s = ok;
	s.start_prb = 0x400;
	assert_int_equal(fh_uplane_build_section(b, sizeof(b), &st, &s),
			 -EINVAL);
	s = ok;
	s.rb = 2;
	assert_int_equal(fh_uplane_build_section(b, sizeof(b), &st, &s),
			 -EINVAL);
	s = ok;
	s.sym_inc = 2;
	assert_int_equal(fh_uplane_build_section(b, sizeof(b), &st, &s),
			 -EINVAL);
	for (size_t cap = 0; cap < 52; cap++) {
		assert_int_equal(fh_uplane_build_section(b, cap, &st, &ok),
				 -ENOSPC);
	}
	for (size_t cap = 0; cap < 54; cap++) {
		assert_int_equal(fh_uplane_build_section(b, cap, &dyn, &ok),
				 -ENOSPC);
	}
}

/* ==== C-plane: headers and sections ===================================== */

static void test_cplane_common_len_per_type(void **state)
{
	(void)state;
	assert_int_equal(fh_cplane_common_len(FH_SECTION_IDLE), 6);
	assert_int_equal(fh_cplane_common_len(FH_SECTION_NORMAL), 2);
	assert_int_equal(fh_cplane_common_len(FH_SECTION_PRACH), 6);
	assert_int_equal(fh_cplane_common_len(FH_SECTION_UE_SCHED), 2);
	assert_int_equal(fh_cplane_common_len(FH_SECTION_CH_INFO), 2);
	assert_int_equal(fh_cplane_common_len(FH_SECTION_LAA), 1);
	assert_int_equal(fh_cplane_common_len(2), -EPROTONOSUPPORT);
	assert_int_equal(fh_cplane_common_len(4), -EPROTONOSUPPORT);
	for (unsigned t = 8; t < 256; t++) {
		assert_int_equal(fh_cplane_common_len((uint8_t)t),
				 -EPROTONOSUPPORT);
	}
}

/* Rebuild a parsed message from its parsed header and sections and
 * compare with the original bytes. */
static void expect_cplane_rebuild(const uint8_t *v, size_t len,
				  const struct fh_cplane_hdr *h,
				  const struct fh_cplane_section *secs,
				  unsigned n)
{
	uint8_t out[512];
	long r;
	size_t off;

	assert_true(len <= sizeof(out));
	r = fh_cplane_build_hdr(out, sizeof(out), h);
	assert_true(r > 0);
	off = (size_t)r;
	for (unsigned i = 0; i < n; i++) {
		r = fh_cplane_build_section(out + off, sizeof(out) - off,
					    h->section_type, &secs[i]);
		assert_int_equal(r, secs[i].len);
		off += (size_t)r;
	}
	assert_int_equal(off, len);
	assert_memory_equal(out, v, len);
}

static void test_cplane_type1_vector_every_field(void **state)
{
	static const uint8_t v[] = {
		/* UL, frameId 0x12, subframeId 3, slotId 1, startSymbolId 2 */
		0x10,
		0x12,
		0x30,
		0x42,
		/* numberOfSections 2, sectionType 1, udCompHdr, reserved */
		0x02,
		0x01,
		0x91,
		0x00,
		/* sectionId 1, symInc 1, numPrbc 0, reMask 0xfff, 14
		 * symbols, ef 0, beamId 0x7fff */
		0x00,
		0x14,
		0x00,
		0x00,
		0xff,
		0xfe,
		0x7f,
		0xff,
		/* sectionId 0xfff, rb 1, startPrbc 0x3ff, numPrbc 255,
		 * reMask 0x555, 1 symbol, ef 1, beamId 0x123 */
		0xff,
		0xfb,
		0xff,
		0xff,
		0x55,
		0x51,
		0x81,
		0x23,
		/* extension 4: ef 0, extLen 1, csf 1, modCompScaler 0x1234 */
		0x04,
		0x01,
		0x92,
		0x34,
	};
	const struct fh_cplane_cfg cfg = {.carrier_prbs = 51};
	struct fh_cplane_hdr h;
	struct fh_cplane_iter it;
	struct fh_cplane_section s[2];
	struct fh_cplane_ext e;
	struct fh_err err = {0};
	size_t pos = 0;

	(void)state;
	assert_int_equal(
		fh_cplane_parse(v, sizeof(v), BASE, &cfg, &h, &it, &err), 0);
	assert_int_equal(h.rh.direction, FH_DIR_UL);
	assert_int_equal(h.rh.frame_id, 0x12);
	assert_int_equal(h.rh.subframe_id, 3);
	assert_int_equal(h.rh.slot_id, 1);
	assert_int_equal(h.rh.symbol_id, 2);
	assert_int_equal(h.num_sections, 2);
	assert_int_equal(h.section_type, FH_SECTION_NORMAL);
	assert_int_equal(h.ud_comp_hdr, 0x91);

	assert_int_equal(fh_cplane_next(&it, &s[0], &err), 1);
	assert_int_equal(s[0].section_id, 1);
	assert_int_equal(s[0].rb, 0);
	assert_int_equal(s[0].sym_inc, 1);
	assert_int_equal(s[0].start_prb, 0);
	assert_int_equal(s[0].num_prb_field, 0);
	assert_int_equal(s[0].num_prb, 51);
	assert_int_equal(s[0].re_mask, 0xfff);
	assert_int_equal(s[0].num_symbol, 14);
	assert_int_equal(s[0].ef, 0);
	assert_int_equal(s[0].beam_id, 0x7fff);
	assert_int_equal(s[0].ext_len, 0);
	assert_int_equal(s[0].offset, BASE + 8);
	assert_int_equal(s[0].len, 8);

	assert_int_equal(fh_cplane_next(&it, &s[1], &err), 1);
	assert_int_equal(s[1].section_id, 0xfff);
	assert_int_equal(s[1].rb, 1);
	assert_int_equal(s[1].sym_inc, 0);
	assert_int_equal(s[1].start_prb, 0x3ff);
	assert_int_equal(s[1].num_prb, 255);
	assert_int_equal(s[1].re_mask, 0x555);
	assert_int_equal(s[1].num_symbol, 1);
	assert_int_equal(s[1].ef, 1);
	assert_int_equal(s[1].beam_id, 0x123);
	assert_int_equal(s[1].offset, BASE + 16);
	assert_int_equal(s[1].len, 12);
	assert_ptr_equal(s[1].ext, v + 24);
	assert_int_equal(s[1].ext_len, 4);
	assert_int_equal(s[1].ext_offset, BASE + 24);
	assert_int_equal(fh_cplane_next(&it, &s[1], &err), 0);

	assert_int_equal(fh_cplane_ext_next(&s[1], &cfg, &pos, &e, &err), 1);
	assert_int_equal(e.type, 4);
	assert_false(e.ef);
	assert_int_equal(e.len_words, 1);
	assert_int_equal(e.offset, BASE + 24);
	assert_ptr_equal(e.data, v + 26);
	assert_int_equal(e.data_len, 2);
	assert_true(e.u.e4.csf);
	assert_int_equal(e.u.e4.mod_comp_scaler, 0x1234);
	assert_int_equal(fh_cplane_ext_next(&s[1], &cfg, &pos, &e, &err), 0);

	expect_cplane_rebuild(v, sizeof(v), &h, s, 2);
}

static void test_cplane_type0_vector_every_field(void **state)
{
	static const uint8_t v[] = {
		0x90,
		0x00,
		0x00,
		0x00,
		0x01,
		0x00,
		/* timeOffset 0x1234, frameStructure 0x41, cpLength 0x160,
		 * reserved */
		0x12,
		0x34,
		0x41,
		0x01,
		0x60,
		0x00,
		/* sectionId 5, startPrbc 16, numPrbc 32, reMask 0xabc,
		 * 7 symbols, reserved 16 */
		0x00,
		0x50,
		0x10,
		0x20,
		0xab,
		0xc7,
		0x00,
		0x00,
	};
	struct fh_cplane_hdr h;
	struct fh_cplane_iter it;
	struct fh_cplane_section s;
	struct fh_err err = {0};

	(void)state;
	assert_int_equal(
		fh_cplane_parse(v, sizeof(v), BASE, NULL, &h, &it, &err), 0);
	assert_int_equal(h.rh.direction, FH_DIR_DL);
	assert_int_equal(h.section_type, FH_SECTION_IDLE);
	assert_int_equal(h.num_sections, 1);
	assert_int_equal(h.time_offset, 0x1234);
	assert_int_equal(h.frame_structure, 0x41);
	assert_int_equal(h.cp_length, 0x160);
	assert_int_equal(h.ud_comp_hdr, 0);
	assert_int_equal(fh_cplane_next(&it, &s, &err), 1);
	assert_int_equal(s.section_id, 5);
	assert_int_equal(s.start_prb, 16);
	assert_int_equal(s.num_prb, 32);
	assert_int_equal(s.re_mask, 0xabc);
	assert_int_equal(s.num_symbol, 7);
	assert_int_equal(s.ef, 0);
	assert_int_equal(s.len, 8);
	assert_int_equal(s.offset, BASE + 12);
	assert_int_equal(fh_cplane_next(&it, &s, &err), 0);
	expect_cplane_rebuild(v, sizeof(v), &h, &s, 1);
}

static void test_cplane_type0_top_bit_is_not_ef(void **state)
{
	/* type 0 has a reserved field where type 1 has ef/beamId: a set top
	 * bit there must not start an extension chain */
	static const uint8_t v[] = {
		0x90, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x10, 0x00, 0x01, 0xff, 0xf1, 0x80, 0x00,
	};
	struct fh_cplane_hdr h;
	struct fh_cplane_iter it;
	struct fh_cplane_section s;

	(void)state;
	assert_int_equal(fh_cplane_parse(v, sizeof(v), 0, NULL, &h, &it, NULL),
			 0);
	assert_int_equal(fh_cplane_next(&it, &s, NULL), 1);
	assert_int_equal(s.ef, 0);
	assert_int_equal(s.ext_len, 0);
	assert_int_equal(fh_cplane_next(&it, &s, NULL), 0);
}

static void test_cplane_type3_vector_negative_freq_offset(void **state)
{
	static const uint8_t v[] = {
		/* UL, frameId 5, subframeId 1, slotId 10, startSymbolId 13 */
		0x10,
		0x05,
		0x12,
		0x8d,
		0x01,
		0x03,
		/* timeOffset 0x10, frameStructure 0xc1, cpLength 0x318,
		 * udCompHdr 0xe1 */
		0x00,
		0x10,
		0xc1,
		0x03,
		0x18,
		0xe1,
		/* sectionId 0x010, numPrbc 12, reMask 0xfff, 1 symbol,
		 * beamId 3, frequencyOffset -1, reserved */
		0x01,
		0x00,
		0x00,
		0x0c,
		0xff,
		0xf1,
		0x00,
		0x03,
		0xff,
		0xff,
		0xff,
		0x00,
	};
	struct fh_cplane_hdr h;
	struct fh_cplane_iter it;
	struct fh_cplane_section s;
	struct fh_err err = {0};

	(void)state;
	assert_int_equal(
		fh_cplane_parse(v, sizeof(v), BASE, NULL, &h, &it, &err), 0);
	assert_int_equal(h.rh.slot_id, 10);
	assert_int_equal(h.rh.symbol_id, 13);
	assert_int_equal(h.section_type, FH_SECTION_PRACH);
	assert_int_equal(h.time_offset, 0x10);
	assert_int_equal(h.frame_structure, 0xc1);
	assert_int_equal(h.cp_length, 0x318);
	assert_int_equal(h.ud_comp_hdr, 0xe1);
	assert_int_equal(fh_cplane_next(&it, &s, &err), 1);
	assert_int_equal(s.section_id, 0x010);
	assert_int_equal(s.num_prb, 12);
	assert_int_equal(s.re_mask, 0xfff);
	assert_int_equal(s.num_symbol, 1);
	assert_int_equal(s.beam_id, 3);
	assert_int_equal(s.freq_offset, -1);
	assert_int_equal(s.len, 12);
	assert_int_equal(fh_cplane_next(&it, &s, &err), 0);
	expect_cplane_rebuild(v, sizeof(v), &h, &s, 1);
}

static void test_cplane_type3_freq_offset_roundtrip_range(void **state)
{
	static const struct {
		int32_t fo;
		uint8_t b[3];
	} vec[] = {
		{0, {0x00, 0x00, 0x00}},	 {1, {0x00, 0x00, 0x01}},
		{-1, {0xff, 0xff, 0xff}},	 {0x7fffff, {0x7f, 0xff, 0xff}},
		{-0x800000, {0x80, 0x00, 0x00}}, {-12345, {0xff, 0xcf, 0xc7}},
		{0x123456, {0x12, 0x34, 0x56}},
	};
	struct fh_cplane_hdr hdr = {.num_sections = 1,
				    .section_type = FH_SECTION_PRACH};
	uint8_t b[32];

	(void)state;
	assert_int_equal(fh_cplane_build_hdr(b, sizeof(b), &hdr), 12);
	for (size_t i = 0; i < ARRAY_SIZE(vec); i++) {
		struct fh_cplane_section in = {.section_id = 1,
					       .num_prb_field = 1,
					       .freq_offset = vec[i].fo};
		struct fh_cplane_hdr h;
		struct fh_cplane_iter it;
		struct fh_cplane_section out;

		assert_int_equal(fh_cplane_build_section(b + 12, 20,
							 FH_SECTION_PRACH, &in),
				 12);
		assert_memory_equal(b + 12 + 8, vec[i].b, 3);
		assert_int_equal(b[12 + 11], 0);
		assert_int_equal(fh_cplane_parse(b, 24, 0, NULL, &h, &it, NULL),
				 0);
		assert_int_equal(fh_cplane_next(&it, &out, NULL), 1);
		assert_int_equal(out.freq_offset, vec[i].fo);
	}
}

static void test_cplane_type5_ue_id_vector(void **state)
{
	static const uint8_t v[] = {
		0x90,
		0x10,
		0x20,
		0x30,
		0x01,
		0x05,
		0x00,
		0x00,
		/* sectionId 0x7, startPrbc 0x2, numPrbc 4, reMask 0x800,
		 * 2 symbols, ef 0, ueId 0x7abc */
		0x00,
		0x70,
		0x02,
		0x04,
		0x80,
		0x02,
		0x7a,
		0xbc,
	};
	struct fh_cplane_hdr h;
	struct fh_cplane_iter it;
	struct fh_cplane_section s;

	(void)state;
	assert_int_equal(fh_cplane_parse(v, sizeof(v), 0, NULL, &h, &it, NULL),
			 0);
	assert_int_equal(h.section_type, FH_SECTION_UE_SCHED);
	assert_int_equal(h.ud_comp_hdr, 0);
	assert_int_equal(fh_cplane_next(&it, &s, NULL), 1);
	assert_int_equal(s.section_id, 7);
	assert_int_equal(s.start_prb, 2);
	assert_int_equal(s.num_prb, 4);
	assert_int_equal(s.re_mask, 0x800);
	assert_int_equal(s.num_symbol, 2);
	assert_int_equal(s.ef, 0);
	assert_int_equal(s.ue_id, 0x7abc);
	assert_int_equal(s.beam_id, 0);
	assert_int_equal(fh_cplane_next(&it, &s, NULL), 0);
	expect_cplane_rebuild(v, sizeof(v), &h, &s, 1);
}

static void test_cplane_type6_ci_samples_with_num_trx(void **state)
{
	uint8_t v[8 + 7 + 24 + 7 + 8 + 4];
	static const uint8_t hdr[8] = {0x90, 0x01, 0x00, 0x00,
				       0x02, 0x06, 0x02, 0x00};
	/* ef 0, ueId 0x102, regularizationFactor -2, rb 1, symInc 1,
	 * startPrbc 0x105, numPrbc 3 */
	static const uint8_t s1[7] = {0x01, 0x02, 0xff, 0xfe, 0x0d, 0x05, 0x03};
	/* ef 1, ueId 0x7fff, regularizationFactor 0x7fff, numPrbc 1 */
	static const uint8_t s2[7] = {0xff, 0xff, 0x7f, 0xff, 0x00, 0x00, 0x01};
	static const uint8_t ext4[4] = {0x04, 0x01, 0x00, 0x01};
	const struct fh_cplane_cfg cfg = {.ci_num_trx = 2};
	struct fh_cplane_hdr h;
	struct fh_cplane_iter it;
	struct fh_cplane_section s[2];
	struct fh_cplane_ext e;
	struct fh_err err = {0};
	size_t pos = 0;

	(void)state;
	memcpy(v, hdr, 8);
	memcpy(v + 8, s1, 7);
	fill(v + 15, 24, 9);
	memcpy(v + 39, s2, 7);
	fill(v + 46, 8, 10);
	memcpy(v + 54, ext4, 4);
	assert_int_equal(
		fh_cplane_parse(v, sizeof(v), BASE, &cfg, &h, &it, &err), 0);
	assert_int_equal(h.section_type, FH_SECTION_CH_INFO);
	assert_int_equal(h.num_ues, 2);
	assert_int_equal(fh_cplane_next(&it, &s[0], &err), 1);
	assert_int_equal(s[0].ef, 0);
	assert_int_equal(s[0].ue_id, 0x102);
	assert_int_equal(s[0].regularization_factor, -2);
	assert_int_equal(s[0].rb, 1);
	assert_int_equal(s[0].sym_inc, 1);
	assert_int_equal(s[0].start_prb, 0x105);
	assert_int_equal(s[0].num_prb, 3);
	/* 3 PRBs x 2 TRX x (I16, Q16) */
	assert_ptr_equal(s[0].ci, v + 15);
	assert_int_equal(s[0].ci_len, 24);
	assert_int_equal(s[0].len, 31);
	assert_int_equal(s[0].offset, BASE + 8);

	assert_int_equal(fh_cplane_next(&it, &s[1], &err), 1);
	assert_int_equal(s[1].ef, 1);
	assert_int_equal(s[1].ue_id, 0x7fff);
	assert_int_equal(s[1].regularization_factor, 0x7fff);
	assert_int_equal(s[1].num_prb, 1);
	assert_ptr_equal(s[1].ci, v + 46);
	assert_int_equal(s[1].ci_len, 8);
	/* the extension chain follows the samples */
	assert_int_equal(s[1].ext_offset, BASE + 54);
	assert_int_equal(s[1].ext_len, 4);
	assert_int_equal(s[1].len, 19);
	assert_int_equal(fh_cplane_next(&it, &s[1], &err), 0);
	assert_int_equal(fh_cplane_ext_next(&s[1], &cfg, &pos, &e, &err), 1);
	assert_int_equal(e.type, 4);
	assert_int_equal(e.u.e4.mod_comp_scaler, 1);
	expect_cplane_rebuild(v, sizeof(v), &h, s, 2);
}

static void test_cplane_type6_default_32_trx(void **state)
{
	uint8_t v[8 + 7 + 128];
	static const uint8_t hdr[8] = {0x90, 0, 0, 0, 0x01, 0x06, 0x01, 0};
	struct fh_cplane_hdr h;
	struct fh_cplane_iter it;
	struct fh_cplane_section s;
	const struct fh_cplane_cfg zero = {0};

	(void)state;
	memcpy(v, hdr, 8);
	memset(v + 8, 0, 7);
	v[14] = 1; /* numPrbc 1: 32 TRX x 4 bytes */
	fill(v + 15, 128, 0);
	assert_int_equal(fh_cplane_parse(v, sizeof(v), 0, &zero, &h, &it, NULL),
			 0);
	assert_int_equal(fh_cplane_next(&it, &s, NULL), 1);
	assert_int_equal(s.ci_len, 128);
	assert_int_equal(fh_cplane_next(&it, &s, NULL), 0);
	/* NULL configuration: the same defaults */
	assert_int_equal(fh_cplane_parse(v, sizeof(v), 0, NULL, &h, &it, NULL),
			 0);
	assert_int_equal(fh_cplane_next(&it, &s, NULL), 1);
	assert_int_equal(s.ci_len, 128);
	/* one sample byte short */
	assert_int_equal(
		fh_cplane_parse(v, sizeof(v) - 1, 0, NULL, &h, &it, NULL), 0);
	assert_int_equal(fh_cplane_next(&it, &s, NULL), -EMSGSIZE);
}

static void test_cplane_type7_laa_roundtrip(void **state)
{
	static const uint8_t laa[8] = {0xbe, 0xef, 0x12, 0x34,
				       0x56, 0x78, 0x9a, 0xbc};
	struct fh_cplane_hdr in = {
		.rh = {.direction = FH_DIR_DL, .frame_id = 9},
		.num_sections = 3, /* LAA carries no sections whatever this
				      says */
		.section_type = FH_SECTION_LAA,
		.laa_msg_type = 0xa,
		.laa_msg_len = 2,
		.laa_msg = laa,
	};
	struct fh_cplane_hdr h;
	struct fh_cplane_iter it;
	struct fh_cplane_section s;
	struct fh_err err = {0};
	uint8_t b[32];

	(void)state;
	memset(b, 0xee, sizeof(b));
	assert_int_equal(fh_cplane_build_hdr(b, sizeof(b), &in), 15);
	assert_int_equal(b[4], 3);
	assert_int_equal(b[5], FH_SECTION_LAA);
	assert_int_equal(b[6], 0xa2);
	assert_memory_equal(b + 7, laa, 8);
	assert_int_equal(b[15], 0xee);
	assert_int_equal(fh_cplane_parse(b, 15, BASE, NULL, &h, &it, &err), 0);
	assert_int_equal(h.rh.frame_id, 9);
	assert_int_equal(h.section_type, FH_SECTION_LAA);
	assert_int_equal(h.num_sections, 3);
	assert_int_equal(h.laa_msg_type, 0xa);
	assert_int_equal(h.laa_msg_len, 2);
	assert_ptr_equal(h.laa_msg, b + 7);
	assert_int_equal(h.lbt_handle, 0xbeef);
	assert_int_equal(fh_cplane_next(&it, &s, &err), 0);
	/* the LAA message cut short */
	for (size_t len = 7; len < 15; len++) {
		assert_int_equal(
			fh_cplane_parse(b, len, BASE, NULL, &h, &it, &err),
			-EMSGSIZE);
		assert_int_equal(err.offset, BASE + len);
	}
	/* 4-bit fields at their maximum: 15 words of LAA message */
	{
		uint8_t msg[60], big[80];

		fill(msg, sizeof(msg), 0x61);
		in.laa_msg_type = 15;
		in.laa_msg_len = 15;
		in.laa_msg = msg;
		assert_int_equal(fh_cplane_build_hdr(big, sizeof(big), &in),
				 67);
		assert_int_equal(big[6], 0xff);
		assert_int_equal(
			fh_cplane_parse(big, 67, 0, NULL, &h, &it, NULL), 0);
		assert_int_equal(h.laa_msg_type, 15);
		assert_int_equal(h.laa_msg_len, 15);
		assert_memory_equal(h.laa_msg, msg, sizeof(msg));
		assert_int_equal(h.lbt_handle, fh_get_be16(msg));
		assert_int_equal(
			fh_cplane_parse(big, 66, 0, NULL, &h, &it, NULL),
			-EMSGSIZE);
		in.laa_msg_type = 0xa;
		in.laa_msg = laa;
	}
	/* laaMsgLen 0: no lbtHandle */
	in.laa_msg_len = 0;
	assert_int_equal(fh_cplane_build_hdr(b, sizeof(b), &in), 7);
	assert_int_equal(fh_cplane_parse(b, 7, 0, NULL, &h, &it, NULL), 0);
	assert_int_equal(h.laa_msg_len, 0);
	assert_int_equal(h.lbt_handle, 0);
	/* out-of-range 4-bit fields */
	in.laa_msg_type = 16;
	assert_int_equal(fh_cplane_build_hdr(b, sizeof(b), &in), -EINVAL);
	in.laa_msg_type = 1;
	in.laa_msg_len = 16;
	{
		uint8_t big[128] = {0};

		in.laa_msg = big;
		assert_int_equal(fh_cplane_build_hdr(big, sizeof(big), &in),
				 -EINVAL);
	}
}

static void test_cplane_reserved_section_types_eprotonosupport(void **state)
{
	static const uint8_t types[] = {2, 4, 8, 9, 0x80, 0xff};
	uint8_t v[32] = {0x90, 0, 0, 0, 1, 0};
	struct fh_cplane_hdr h;
	struct fh_cplane_iter it;
	struct fh_cplane_section s = {.section_id = 1};
	struct fh_err err = {0};
	uint8_t b[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		struct fh_cplane_hdr bh = {.section_type = types[i]};

		v[5] = types[i];
		assert_int_equal(fh_cplane_parse(v, sizeof(v), BASE, NULL, &h,
						 &it, &err),
				 -EPROTONOSUPPORT);
		assert_int_equal(err.code, -EPROTONOSUPPORT);
		assert_int_equal(err.offset, BASE + 5);
		assert_int_equal(fh_cplane_build_hdr(b, sizeof(b), &bh),
				 -EINVAL);
		assert_int_equal(
			fh_cplane_build_section(b, sizeof(b), types[i], &s),
			-EINVAL);
	}
	/* LAA has no sections to build */
	assert_int_equal(
		fh_cplane_build_section(b, sizeof(b), FH_SECTION_LAA, &s),
		-EINVAL);
}

static void test_cplane_bad_payload_version_ebadmsg(void **state)
{
	uint8_t v[16] = {0xa0, 0, 0, 0, 1, 1};
	struct fh_cplane_hdr h;
	struct fh_cplane_iter it;
	struct fh_err err = {0};

	(void)state;
	assert_int_equal(
		fh_cplane_parse(v, sizeof(v), BASE, NULL, &h, &it, &err),
		-EBADMSG);
	assert_int_equal(err.offset, BASE);
}

static void test_cplane_truncated_common_header_emsgsize(void **state)
{
	static const uint8_t types[] = {0, 1, 3, 5, 6, 7};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		uint8_t v[16] = {0x90, 0, 0, 0, 1, types[i]};
		size_t need = 6 + (size_t)fh_cplane_common_len(types[i]);

		for (size_t len = 0; len < need; len++) {
			uint8_t *copy = dup_exact(v, len);
			struct fh_cplane_hdr h;
			struct fh_cplane_iter it;
			struct fh_err err = {0};

			assert_int_equal(fh_cplane_parse(copy, len, BASE, NULL,
							 &h, &it, &err),
					 -EMSGSIZE);
			assert_int_equal(err.offset, BASE + len);
			free(copy);
		}
	}
}

static void test_cplane_fewer_sections_than_announced(void **state)
{
	/* numberOfSections 2, only one present */
	static const uint8_t v[] = {
		0x90, 0,    0,	  0,	0x02, 0x01, 0x00, 0x00,
		0x00, 0x10, 0x00, 0x01, 0xff, 0xf1, 0x00, 0x00,
	};
	struct fh_cplane_hdr h;
	struct fh_cplane_iter it;
	struct fh_cplane_section s;
	struct fh_err err = {0};

	(void)state;
	assert_int_equal(
		fh_cplane_parse(v, sizeof(v), BASE, NULL, &h, &it, &err), 0);
	assert_int_equal(fh_cplane_next(&it, &s, &err), 1);
	assert_int_equal(fh_cplane_next(&it, &s, &err), -EMSGSIZE);
	assert_int_equal(err.offset, BASE + sizeof(v));
}

/* ==== C-plane: section extensions ======================================= */

/* An ST1 message with one section carrying an extension chain. */
struct cmsg {
	uint8_t buf[4096];
	size_t len;
	struct fh_cplane_hdr h;
	struct fh_cplane_iter it;
	struct fh_cplane_section s;
};

static void one_section_msg(struct cmsg *m, const struct fh_cplane_cfg *cfg,
			    uint8_t num_prb_field, const uint8_t *chain,
			    size_t chain_len)
{
	const struct fh_cplane_hdr h = {
		.rh = {.direction = FH_DIR_DL, .frame_id = 1},
		.num_sections = 1,
		.section_type = FH_SECTION_NORMAL,
	};
	const struct fh_cplane_section s = {
		.section_id = 7,
		.num_prb_field = num_prb_field,
		.re_mask = 0xfff,
		.num_symbol = 14,
		.beam_id = 1,
		.ext = chain,
		.ext_len = chain_len,
	};
	struct fh_err err = {0};
	long n;

	assert_int_equal(fh_cplane_build_hdr(m->buf, sizeof(m->buf), &h), 8);
	n = fh_cplane_build_section(m->buf + 8, sizeof(m->buf) - 8,
				    FH_SECTION_NORMAL, &s);
	assert_int_equal(n, 8 + chain_len);
	/* ef follows ext_len */
	assert_int_equal(m->buf[8 + 6] >> 7, chain_len != 0);
	m->len = 8 + (size_t)n;
	assert_int_equal(
		fh_cplane_parse(m->buf, m->len, BASE, cfg, &m->h, &m->it, &err),
		0);
	assert_int_equal(fh_cplane_next(&m->it, &m->s, &err), 1);
	assert_int_equal(m->s.ef, chain_len != 0);
	assert_int_equal(m->s.ext_len, chain_len);
	assert_int_equal(m->s.ext_offset, BASE + 16);
	assert_int_equal(fh_cplane_next(&m->it, &m->s, &err), 0);
}

/* Build e alone (want_len bytes), put it in a section, parse it back. */
static void ext_roundtrip(struct cmsg *m, const struct fh_cplane_cfg *cfg,
			  uint8_t num_prb_field, uint16_t num_prb,
			  const struct fh_cplane_ext *in, size_t want_len,
			  struct fh_cplane_ext *out)
{
	uint8_t chain[2048];
	struct fh_err err = {0};
	size_t hdr = in->type == 11 ? 3 : 2;
	size_t pos = 0;
	long n;

	memset(chain, 0xee, sizeof(chain));
	n = fh_cplane_build_ext(chain, sizeof(chain), cfg, num_prb, in);
	assert_int_equal(n, want_len);
	assert_int_equal(n % 4, 0);
	assert_int_equal(chain[n], 0xee);
	assert_int_equal(chain[0], in->type);
	if (in->type == 11) {
		assert_int_equal(fh_get_be16(chain + 1), n / 4);
	} else {
		assert_int_equal(chain[1], n / 4);
	}
	one_section_msg(m, cfg, num_prb_field, chain, (size_t)n);
	assert_int_equal(fh_cplane_ext_next(&m->s, cfg, &pos, out, &err), 1);
	assert_int_equal(out->type, in->type);
	assert_false(out->ef);
	assert_int_equal(out->len_words, n / 4);
	assert_int_equal(out->offset, BASE + 16);
	assert_ptr_equal(out->data, m->buf + 16 + hdr);
	assert_int_equal(out->data_len, (size_t)n - hdr);
	assert_int_equal(pos, (size_t)n);
	{
		struct fh_cplane_ext end;

		assert_int_equal(
			fh_cplane_ext_next(&m->s, cfg, &pos, &end, &err), 0);
	}
}

static void test_cplane_ext1_uncompressed_weights_roundtrip(void **state)
{
	uint8_t w[16];
	struct fh_cplane_ext in = {
		.type = 1,
		.u.e1 = {.bfw_iq_width = 16,
			 .bfw_comp_meth = FH_COMP_NONE,
			 .num_weights = 4,
			 .weights = w},
	};
	struct fh_cplane_ext out;
	struct cmsg m;

	(void)state;
	fill(w, sizeof(w), 0x40);
	/* 2 + bfwCompHdr + 16 = 19 -> 20 bytes */
	ext_roundtrip(&m, NULL, 10, 10, &in, 20, &out);
	assert_int_equal(m.buf[16 + 2], 0x00); /* width 16 written as 0 */
	assert_int_equal(out.u.e1.bfw_iq_width, 16);
	assert_int_equal(out.u.e1.bfw_comp_meth, FH_COMP_NONE);
	assert_false(out.u.e1.has_param);
	assert_int_equal(out.u.e1.num_weights, 4);
	assert_ptr_equal(out.u.e1.weights, m.buf + 16 + 3);
	assert_memory_equal(out.u.e1.weights, w, sizeof(w));
}

static void test_cplane_ext1_compressed_weights_with_param(void **state)
{
	static const struct {
		uint8_t meth, width, param;
		uint16_t n;
		size_t len;
	} c[] = {
		/* BFP 9: 8 x 18 bits = 18 bytes; 2 + 2 + 18 -> 24 */
		{FH_COMP_BFP, 9, 0x05, 8, 24},
		/* block scaling 8: 4 x 16 bits; 2 + 2 + 8 = 12 */
		{FH_COMP_BLOCK_SCALING, 8, 0x80, 4, 12},
		/* mu-law 12: 2 x 24 bits; 2 + 2 + 6 -> 12 */
		{FH_COMP_MU_LAW, 12, 0xc2, 2, 12},
		/* method 4 has no bfwCompParam: 2 + 1 + 4 -> 8 */
		{4, 8, 0, 2, 8},
	};
	uint8_t w[32];

	(void)state;
	fill(w, sizeof(w), 0x11);
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		struct fh_cplane_ext in = {
			.type = 1,
			.u.e1 = {.bfw_iq_width = c[i].width,
				 .bfw_comp_meth = c[i].meth,
				 .bfw_comp_param = c[i].param,
				 .num_weights = c[i].n,
				 .weights = w},
		};
		struct fh_cplane_ext out;
		struct cmsg m;
		bool param = c[i].meth >= 1 && c[i].meth <= 3;
		size_t wbytes = ((size_t)c[i].n * 2 * c[i].width + 7) / 8;

		ext_roundtrip(&m, NULL, 10, 10, &in, c[i].len, &out);
		assert_int_equal(m.buf[16 + 2], c[i].width << 4 | c[i].meth);
		assert_int_equal(out.u.e1.bfw_iq_width, c[i].width);
		assert_int_equal(out.u.e1.bfw_comp_meth, c[i].meth);
		assert_int_equal(out.u.e1.has_param, param);
		if (param) {
			assert_int_equal(out.u.e1.bfw_comp_param, c[i].param);
			assert_int_equal(m.buf[16 + 3], c[i].param);
		}
		assert_int_equal(out.u.e1.num_weights, c[i].n);
		assert_ptr_equal(out.u.e1.weights,
				 m.buf + 16 + 3 + (param ? 1 : 0));
		assert_memory_equal(out.u.e1.weights, w, wbytes);
	}
}

static void test_cplane_ext4_roundtrip_bytes(void **state)
{
	struct fh_cplane_ext in = {
		.type = 4,
		.u.e4 = {.csf = true, .mod_comp_scaler = 0x5432},
	};
	static const uint8_t want[4] = {0x04, 0x01, 0xd4, 0x32};
	struct fh_cplane_ext out;
	struct cmsg m;

	(void)state;
	ext_roundtrip(&m, NULL, 1, 1, &in, 4, &out);
	assert_memory_equal(m.buf + 16, want, 4);
	assert_true(out.u.e4.csf);
	assert_int_equal(out.u.e4.mod_comp_scaler, 0x5432);
	in.u.e4.csf = false;
	in.u.e4.mod_comp_scaler = 0x7fff;
	ext_roundtrip(&m, NULL, 1, 1, &in, 4, &out);
	assert_false(out.u.e4.csf);
	assert_int_equal(out.u.e4.mod_comp_scaler, 0x7fff);
}

static void test_cplane_ext5_one_and_two_sets(void **state)
{
	/* mcScaleReMask 0xabc, csf 1, mcScaleOffset 0x1234 then 0x123, 0,
	 * 0x7fff: 28-bit sets packed big-endian, zero padded */
	static const uint8_t one[8] = {0x05, 0x02, 0xab, 0xc9,
				       0x23, 0x40, 0x00, 0x00};
	static const uint8_t two[12] = {0x05, 0x03, 0xab, 0xc9, 0x23, 0x41,
					0x23, 0x7f, 0xff, 0x00, 0x00, 0x00};
	struct fh_cplane_ext in = {
		.type = 5,
		.u.e5 = {.n_sets = 1,
			 .sets = {{0xabc, true, 0x1234},
				  {0x123, false, 0x7fff}}},
	};
	struct fh_cplane_ext out;
	struct cmsg m;

	(void)state;
	ext_roundtrip(&m, NULL, 1, 1, &in, 8, &out);
	assert_memory_equal(m.buf + 16, one, sizeof(one));
	assert_int_equal(out.u.e5.n_sets, 1);
	assert_int_equal(out.u.e5.sets[0].mc_scale_re_mask, 0xabc);
	assert_true(out.u.e5.sets[0].csf);
	assert_int_equal(out.u.e5.sets[0].mc_scale_offset, 0x1234);

	in.u.e5.n_sets = 2;
	ext_roundtrip(&m, NULL, 1, 1, &in, 12, &out);
	assert_memory_equal(m.buf + 16, two, sizeof(two));
	assert_int_equal(out.u.e5.n_sets, 2);
	assert_int_equal(out.u.e5.sets[0].mc_scale_re_mask, 0xabc);
	assert_true(out.u.e5.sets[0].csf);
	assert_int_equal(out.u.e5.sets[0].mc_scale_offset, 0x1234);
	assert_int_equal(out.u.e5.sets[1].mc_scale_re_mask, 0x123);
	assert_false(out.u.e5.sets[1].csf);
	assert_int_equal(out.u.e5.sets[1].mc_scale_offset, 0x7fff);
}

static void test_cplane_ext6_roundtrip_bytes(void **state)
{
	/* repetition 1, rbgSize 4, rbgMask 0xabcdef1, priority 2,
	 * symbolMask 0x2aaa */
	static const uint8_t want[8] = {0x06, 0x02, 0xca, 0xbc,
					0xde, 0xf1, 0xaa, 0xaa};
	struct fh_cplane_ext in = {
		.type = 6,
		.u.e6 = {.repetition = 1,
			 .rbg_size = 4,
			 .rbg_mask = 0xabcdef1,
			 .priority = 2,
			 .symbol_mask = 0x2aaa},
	};
	struct fh_cplane_ext out;
	struct cmsg m;

	(void)state;
	ext_roundtrip(&m, NULL, 20, 20, &in, 8, &out);
	assert_memory_equal(m.buf + 16, want, sizeof(want));
	assert_int_equal(out.u.e6.repetition, 1);
	assert_int_equal(out.u.e6.rbg_size, 4);
	assert_int_equal(out.u.e6.rbg_mask, 0xabcdef1);
	assert_int_equal(out.u.e6.priority, 2);
	assert_int_equal(out.u.e6.symbol_mask, 0x2aaa);
	/* the other extreme */
	in.u.e6.repetition = 0;
	in.u.e6.rbg_size = 7;
	in.u.e6.rbg_mask = 0x0fffffff;
	in.u.e6.priority = 1;
	in.u.e6.symbol_mask = 0x3fff;
	ext_roundtrip(&m, NULL, 20, 20, &in, 8, &out);
	assert_int_equal(out.u.e6.repetition, 0);
	assert_int_equal(out.u.e6.rbg_size, 7);
	assert_int_equal(out.u.e6.rbg_mask, 0x0fffffff);
	assert_int_equal(out.u.e6.priority, 1);
	assert_int_equal(out.u.e6.symbol_mask, 0x3fff);
}

static void test_cplane_ext10_beam_group_types(void **state)
{
	static const uint8_t ids[6] = {0x00, 0x01, 0x7f, 0xff, 0x12, 0x34};
	static const uint8_t want2[12] = {0x0a, 0x03, 0x83, 0x00, 0x01, 0x7f,
					  0xff, 0x12, 0x34, 0x00, 0x00, 0x00};
	struct fh_cplane_ext in = {.type = 10};
	struct fh_cplane_ext out;
	struct cmsg m;

	(void)state;
	/* types 0 and 1: numPortc and a reserved byte */
	for (uint8_t t = 0; t < 2; t++) {
		in.u.e10.beam_group_type = t;
		in.u.e10.num_portc = t ? 63 : 5;
		ext_roundtrip(&m, NULL, 1, 1, &in, 4, &out);
		assert_int_equal(m.buf[16 + 2], t << 6 | (t ? 63 : 5));
		assert_int_equal(m.buf[16 + 3], 0);
		assert_int_equal(out.u.e10.beam_group_type, t);
		assert_int_equal(out.u.e10.num_portc, t ? 63 : 5);
		assert_null(out.u.e10.beam_ids);
	}
	/* type 2: one beamId per port */
	in.u.e10.beam_group_type = 2;
	in.u.e10.num_portc = 3;
	in.u.e10.beam_ids = ids;
	ext_roundtrip(&m, NULL, 1, 1, &in, 12, &out);
	assert_memory_equal(m.buf + 16, want2, sizeof(want2));
	assert_int_equal(out.u.e10.beam_group_type, 2);
	assert_int_equal(out.u.e10.num_portc, 3);
	assert_ptr_equal(out.u.e10.beam_ids, m.buf + 16 + 3);
	assert_int_equal(fh_get_be16(out.u.e10.beam_ids), 1);
	assert_int_equal(fh_get_be16(out.u.e10.beam_ids + 2), 0x7fff);
	assert_int_equal(fh_get_be16(out.u.e10.beam_ids + 4), 0x1234);
}

static void test_cplane_ext11_disabled_bfws_roundtrip(void **state)
{
	/* 10 PRBs in bundles of 4: 3 bundles, one beamId each */
	static const uint8_t beams[6] = {0x00, 0x11, 0x00, 0x22, 0x7f, 0xff};
	static const uint8_t want[12] = {0x0b, 0x00, 0x03, 0xc0, 0x04, 0x00,
					 0x11, 0x00, 0x22, 0x7f, 0xff, 0x00};
	struct fh_cplane_ext in = {
		.type = 11,
		.u.e11 = {.disable_bfws = true,
			  .rad = true,
			  .num_bund_prb = 4,
			  .bundles = beams},
	};
	struct fh_cplane_ext out;
	struct cmsg m;

	(void)state;
	ext_roundtrip(&m, NULL, 10, 10, &in, 12, &out);
	assert_memory_equal(m.buf + 16, want, sizeof(want));
	assert_true(out.u.e11.disable_bfws);
	assert_true(out.u.e11.rad);
	assert_int_equal(out.u.e11.num_bund_prb, 4);
	assert_int_equal(out.u.e11.num_bundles, 3);
	assert_int_equal(out.u.e11.bundle_len, 2);
	assert_ptr_equal(out.u.e11.bundles, m.buf + 16 + 5);
	assert_memory_equal(out.u.e11.bundles, beams, sizeof(beams));
	/* rad 0, one bundle for the whole allocation */
	in.u.e11.rad = false;
	in.u.e11.num_bund_prb = 16;
	ext_roundtrip(&m, NULL, 10, 10, &in, 8, &out);
	assert_int_equal(m.buf[16 + 3], 0x80);
	assert_false(out.u.e11.rad);
	assert_int_equal(out.u.e11.num_bundles, 1);
}

static void test_cplane_ext11_enabled_bfws_roundtrip(void **state)
{
	uint8_t bundles[64];
	const struct fh_cplane_cfg cfg = {.bfw_per_bundle = 4};
	struct fh_cplane_ext in = {
		.type = 11,
		.u.e11 = {.num_bund_prb = 3,
			  .bfw_iq_width = 16,
			  .bfw_comp_meth = FH_COMP_NONE,
			  .bundles = bundles},
	};
	struct fh_cplane_ext out;
	struct cmsg m;

	(void)state;
	fill(bundles, sizeof(bundles), 0x21);
	/* 6 PRBs / 3 = 2 bundles of beamId 2 + 4 x 2 x 16 bits = 18 bytes:
	 * 3 + 3 + 36 = 42 -> 44 */
	ext_roundtrip(&m, &cfg, 6, 6, &in, 44, &out);
	assert_int_equal(m.buf[16 + 3], 0x00);
	assert_int_equal(m.buf[16 + 4], 3);
	assert_int_equal(m.buf[16 + 5], 0x00); /* bfwCompHdr: 16 bits, none */
	assert_false(out.u.e11.disable_bfws);
	assert_false(out.u.e11.rad);
	assert_int_equal(out.u.e11.num_bund_prb, 3);
	assert_int_equal(out.u.e11.bfw_iq_width, 16);
	assert_int_equal(out.u.e11.bfw_comp_meth, FH_COMP_NONE);
	assert_int_equal(out.u.e11.num_bundles, 2);
	assert_int_equal(out.u.e11.bundle_len, 18);
	assert_ptr_equal(out.u.e11.bundles, m.buf + 16 + 6);
	assert_memory_equal(out.u.e11.bundles, bundles, 36);

	/* BFP 9 bits: bfwCompParam + beamId + 4 x 2 x 9 bits = 12 bytes;
	 * 7 PRBs / 2 = 4 bundles: 3 + 3 + 48 = 54 -> 56 */
	in.u.e11.bfw_iq_width = 9;
	in.u.e11.bfw_comp_meth = FH_COMP_BFP;
	in.u.e11.num_bund_prb = 2;
	in.u.e11.rad = true;
	ext_roundtrip(&m, &cfg, 7, 7, &in, 56, &out);
	assert_int_equal(m.buf[16 + 5], 0x91);
	assert_true(out.u.e11.rad);
	assert_int_equal(out.u.e11.bfw_iq_width, 9);
	assert_int_equal(out.u.e11.bfw_comp_meth, FH_COMP_BFP);
	assert_int_equal(out.u.e11.num_bundles, 4);
	assert_int_equal(out.u.e11.bundle_len, 12);
	assert_memory_equal(out.u.e11.bundles, bundles, 48);
}

static void test_cplane_ext11_16bit_extlen_over_255_words(void **state)
{
	uint8_t *bundles = malloc(100 * 18);
	const struct fh_cplane_cfg cfg = {.bfw_per_bundle = 4};
	struct fh_cplane_ext in = {
		.type = 11,
		.u.e11 = {.num_bund_prb = 1,
			  .bfw_iq_width = 16,
			  .bundles = bundles},
	};
	struct fh_cplane_ext out;
	struct cmsg *m = malloc(sizeof(*m));

	(void)state;
	assert_non_null(bundles);
	assert_non_null(m);
	fill(bundles, 100 * 18, 0x33);
	/* 100 bundles x 18 bytes + 6 = 1806 -> 1808 bytes, 452 words */
	ext_roundtrip(m, &cfg, 100, 100, &in, 1808, &out);
	assert_int_equal(m->buf[16 + 1], 0x01);
	assert_int_equal(m->buf[16 + 2], 0xc4);
	assert_int_equal(out.len_words, 452);
	assert_int_equal(out.u.e11.num_bundles, 100);
	assert_memory_equal(out.u.e11.bundles, bundles, 1800);
	free(m);
	free(bundles);
}

static void test_cplane_ext11_num_prb_0_uses_carrier(void **state)
{
	uint8_t beams[2 * 30];
	const struct fh_cplane_cfg cfg = {.carrier_prbs = 60};
	struct fh_cplane_ext in = {
		.type = 11,
		.u.e11 = {.disable_bfws = true,
			  .num_bund_prb = 2,
			  .bundles = beams},
	};
	struct fh_cplane_ext out;
	struct cmsg m;

	(void)state;
	fill(beams, sizeof(beams), 1);
	/* numPrbc 0 -> 60 carrier PRBs -> 30 bundles: 5 + 60 -> 68 */
	ext_roundtrip(&m, &cfg, 0, 60, &in, 68, &out);
	assert_int_equal(m.s.num_prb, 60);
	assert_int_equal(out.u.e11.num_bundles, 30);
}

static void test_cplane_ext11_num_bund_prb_0_rejected(void **state)
{
	static const uint8_t chain[8] = {0x0b, 0x00, 0x02, 0x80,
					 0x00, 0x00, 0x01, 0x00};
	struct fh_cplane_ext in = {
		.type = 11,
		.u.e11 = {.disable_bfws = true, .num_bund_prb = 0},
	};
	struct fh_cplane_ext out;
	struct fh_err err = {0};
	struct cmsg m;
	uint8_t b[64];
	size_t pos = 0;

	(void)state;
	assert_int_equal(fh_cplane_build_ext(b, sizeof(b), NULL, 4, &in),
			 -EINVAL);
	one_section_msg(&m, NULL, 4, chain, sizeof(chain));
	assert_int_equal(fh_cplane_ext_next(&m.s, NULL, &pos, &out, &err),
			 -EBADMSG);
	assert_int_equal(err.code, -EBADMSG);
	assert_int_equal(err.offset, BASE + 16 + 4);
}

static void test_cplane_ext12_ranges_roundtrip(void **state)
{
	static const uint8_t ranges[6] = {0x10, 0x05, 0x20, 0x01, 0xff, 0xff};
	/* priority 1, symbolMask 0x1234, then (0x10, 5) and zero padding */
	static const uint8_t want1[8] = {0x0c, 0x02, 0x52, 0x34,
					 0x10, 0x05, 0x00, 0x00};

	(void)state;
	for (uint16_t n = 1; n <= 3; n++) {
		struct fh_cplane_ext in = {
			.type = 12,
			.u.e12 = {.priority = 1,
				  .symbol_mask = 0x1234,
				  .n_ranges = n,
				  .ranges = ranges},
		};
		struct fh_cplane_ext out;
		struct cmsg m;
		size_t len = (2 + 2 + 2 * (size_t)n + 3) & ~(size_t)3;

		ext_roundtrip(&m, NULL, 8, 8, &in, len, &out);
		if (n == 1) {
			assert_memory_equal(m.buf + 16, want1, sizeof(want1));
		}
		assert_int_equal(out.u.e12.priority, 1);
		assert_int_equal(out.u.e12.symbol_mask, 0x1234);
		/* the zero padding is not an extra range */
		assert_int_equal(out.u.e12.n_ranges, n);
		assert_ptr_equal(out.u.e12.ranges, m.buf + 16 + 4);
		assert_memory_equal(out.u.e12.ranges, ranges, 2 * (size_t)n);
	}
}

static void test_cplane_ext13_allocs_roundtrip(void **state)
{
	/* (nextSymbolId 5, nextStartPrbc 0x2ab), (13, 0x3ff), (1, 0) */
	static const uint8_t allocs[6] = {0x16, 0xab, 0x37, 0xff, 0x04, 0x00};
	static const uint8_t want1[4] = {0x0d, 0x01, 0x16, 0xab};
	struct fh_cplane_ext in = {
		.type = 13,
		.u.e13 = {.n_allocs = 1, .allocs = allocs},
	};
	struct fh_cplane_ext out;
	struct cmsg m;

	(void)state;
	ext_roundtrip(&m, NULL, 8, 8, &in, 4, &out);
	assert_memory_equal(m.buf + 16, want1, sizeof(want1));
	assert_int_equal(out.u.e13.n_allocs, 1);
	assert_ptr_equal(out.u.e13.allocs, m.buf + 16 + 2);
	assert_int_equal((fh_get_be16(out.u.e13.allocs) >> 10) & 0xf, 5);
	assert_int_equal(fh_get_be16(out.u.e13.allocs) & 0x3ff, 0x2ab);
	in.u.e13.n_allocs = 3;
	ext_roundtrip(&m, NULL, 8, 8, &in, 8, &out);
	assert_int_equal(out.u.e13.n_allocs, 3);
	assert_memory_equal(out.u.e13.allocs, allocs, sizeof(allocs));
}

/* ---- chains in multi-section messages ---------------------------------- */

static size_t add_ext(uint8_t *chain, size_t cap, size_t len,
		      const struct fh_cplane_cfg *cfg, uint16_t num_prb,
		      const struct fh_cplane_ext *e)
{
	long n = fh_cplane_build_ext(chain + len, cap - len, cfg, num_prb, e);

	assert_true(n > 0);
	assert_int_equal(n % 4, 0);
	return len + (size_t)n;
}

/* Shared fixture: an ST1 message of 3 sections (no extension; ext 1, 4, 6,
 * 12; ext 10 type 2, 11, 5, 13), built by the builders. */
static const struct fh_cplane_cfg chain_cfg = {.carrier_prbs = 100,
					       .bfw_per_bundle = 2};
static const uint8_t chain_w[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t chain_ids[4] = {0x00, 0x05, 0x00, 0x06};
/* 3 bundles of bfwCompParam 1 + beamId 2 + 2 weights x 2 x 8 bits */
static const uint8_t chain_bund[3 * 7] = {9, 9, 9, 9, 9, 9, 9, 8, 8, 8, 8,
					  8, 8, 8, 7, 7, 7, 7, 7, 7, 7};
static const uint8_t chain_ranges[4] = {0x02, 0x03, 0x09, 0x01};
static const uint8_t chain_allocs[2] = {0x08, 0x20};

static size_t build_chain_msg(uint8_t *b, size_t cap, size_t *sec_off)
{
	const struct fh_cplane_hdr h = {.rh = {.direction = FH_DIR_DL},
					.num_sections = 3,
					.section_type = FH_SECTION_NORMAL};
	struct fh_cplane_ext e1 = {.type = 1,
				   .ef = true,
				   .u.e1 = {.bfw_iq_width = 8,
					    .num_weights = 4,
					    .weights = chain_w}};
	struct fh_cplane_ext e4 = {
		.type = 4, .ef = true, .u.e4 = {.mod_comp_scaler = 77}};
	struct fh_cplane_ext e6 = {
		.type = 6,
		.ef = true,
		.u.e6 = {.rbg_size = 2, .rbg_mask = 0x5, .symbol_mask = 0x3}};
	struct fh_cplane_ext e12 = {.type = 12,
				    .u.e12 = {.symbol_mask = 0x10,
					      .n_ranges = 2,
					      .ranges = chain_ranges}};
	struct fh_cplane_ext e10 = {.type = 10,
				    .ef = true,
				    .u.e10 = {.beam_group_type = 2,
					      .num_portc = 2,
					      .beam_ids = chain_ids}};
	struct fh_cplane_ext e11 = {.type = 11,
				    .ef = true,
				    .u.e11 = {.num_bund_prb = 4,
					      .bfw_iq_width = 8,
					      .bfw_comp_meth = FH_COMP_BFP,
					      .bundles = chain_bund}};
	struct fh_cplane_ext e5 = {
		.type = 5, .ef = true, .u.e5 = {.n_sets = 1}};
	struct fh_cplane_ext e13 = {
		.type = 13, .u.e13 = {.n_allocs = 1, .allocs = chain_allocs}};
	uint8_t c1[128], c2[128];
	size_t l1 = 0, l2 = 0, off;

	e5.u.e5.sets[0].mc_scale_re_mask = 0xfff;
	e5.u.e5.sets[0].csf = true;
	e5.u.e5.sets[0].mc_scale_offset = 1;
	struct fh_cplane_section s = {.num_symbol = 1, .re_mask = 0xfff};
	long n;

	l1 = add_ext(c1, sizeof(c1), l1, &chain_cfg, 12, &e1);
	l1 = add_ext(c1, sizeof(c1), l1, &chain_cfg, 12, &e4);
	l1 = add_ext(c1, sizeof(c1), l1, &chain_cfg, 12, &e6);
	l1 = add_ext(c1, sizeof(c1), l1, &chain_cfg, 12, &e12);
	/* 10 PRBs in bundles of 4: 3 bundles of 1 + 2 + 2 x 2 x 8 bits */
	l2 = add_ext(c2, sizeof(c2), l2, &chain_cfg, 10, &e10);
	l2 = add_ext(c2, sizeof(c2), l2, &chain_cfg, 10, &e11);
	l2 = add_ext(c2, sizeof(c2), l2, &chain_cfg, 10, &e5);
	l2 = add_ext(c2, sizeof(c2), l2, &chain_cfg, 10, &e13);
	n = fh_cplane_build_hdr(b, cap, &h);
	assert_int_equal(n, 8);
	off = 8;
	for (unsigned i = 0; i < 3; i++) {
		s.section_id = (uint16_t)(i + 1);
		s.beam_id = (uint16_t)(100 + i);
		s.num_prb_field = (uint8_t)(i == 0 ? 0 : (i == 1 ? 12 : 10));
		s.ext = i == 1 ? c1 : (i == 2 ? c2 : NULL);
		s.ext_len = i == 1 ? l1 : (i == 2 ? l2 : 0);
		sec_off[i] = off;
		n = fh_cplane_build_section(b + off, cap - off,
					    FH_SECTION_NORMAL, &s);
		assert_int_equal(n, 8 + s.ext_len);
		off += (size_t)n;
	}
	sec_off[3] = off;
	return off;
}

static void expect_ext(const struct fh_cplane_section *s, size_t *pos,
		       uint8_t type, bool ef, struct fh_cplane_ext *e)
{
	struct fh_err err = {0};

	assert_int_equal(fh_cplane_ext_next(s, &chain_cfg, pos, e, &err), 1);
	assert_int_equal(e->type, type);
	assert_int_equal(e->ef, ef);
	assert_true(e->offset >= s->ext_offset);
	assert_true(e->offset + (size_t)e->len_words * 4 <=
		    s->ext_offset + s->ext_len);
}

static void test_cplane_multi_section_ext_chain_roundtrip(void **state)
{
	uint8_t b[512];
	size_t off[4];
	size_t len = build_chain_msg(b, sizeof(b), off);
	struct fh_cplane_hdr h;
	struct fh_cplane_iter it;
	struct fh_cplane_section s;
	struct fh_cplane_ext e;
	struct fh_err err = {0};
	size_t pos;

	(void)state;
	assert_int_equal(
		fh_cplane_parse(b, len, BASE, &chain_cfg, &h, &it, &err), 0);
	assert_int_equal(h.num_sections, 3);

	/* section 1: numPrbc 0 -> 100 carrier PRBs, no extensions */
	assert_int_equal(fh_cplane_next(&it, &s, &err), 1);
	assert_int_equal(s.section_id, 1);
	assert_int_equal(s.num_prb, 100);
	assert_int_equal(s.beam_id, 100);
	assert_int_equal(s.ef, 0);
	assert_int_equal(s.offset, BASE + off[0]);
	assert_int_equal(s.len, off[1] - off[0]);
	pos = 0;
	assert_int_equal(fh_cplane_ext_next(&s, &chain_cfg, &pos, &e, &err), 0);

	/* section 2: ext 1 -> 4 -> 6 -> 12 */
	assert_int_equal(fh_cplane_next(&it, &s, &err), 1);
	assert_int_equal(s.section_id, 2);
	assert_int_equal(s.beam_id, 101);
	assert_int_equal(s.ef, 1);
	assert_int_equal(s.offset, BASE + off[1]);
	assert_int_equal(s.len, off[2] - off[1]);
	assert_int_equal(s.ext_offset, BASE + off[1] + 8);
	pos = 0;
	expect_ext(&s, &pos, 1, true, &e);
	assert_int_equal(e.offset, s.ext_offset);
	assert_int_equal(e.u.e1.bfw_iq_width, 8);
	assert_int_equal(e.u.e1.num_weights, 4);
	assert_memory_equal(e.u.e1.weights, chain_w, 8);
	expect_ext(&s, &pos, 4, true, &e);
	assert_int_equal(e.u.e4.mod_comp_scaler, 77);
	expect_ext(&s, &pos, 6, true, &e);
	assert_int_equal(e.u.e6.rbg_size, 2);
	assert_int_equal(e.u.e6.rbg_mask, 5);
	assert_int_equal(e.u.e6.symbol_mask, 3);
	expect_ext(&s, &pos, 12, false, &e);
	assert_int_equal(e.u.e12.symbol_mask, 0x10);
	assert_int_equal(e.u.e12.n_ranges, 2);
	assert_memory_equal(e.u.e12.ranges, chain_ranges, 4);
	assert_int_equal(pos, s.ext_len);
	assert_int_equal(fh_cplane_ext_next(&s, &chain_cfg, &pos, &e, &err), 0);

	/* section 3: ext 10 (type 2) -> 11 -> 5 -> 13 */
	assert_int_equal(fh_cplane_next(&it, &s, &err), 1);
	assert_int_equal(s.section_id, 3);
	assert_int_equal(s.num_prb, 10);
	assert_int_equal(s.offset, BASE + off[2]);
	assert_int_equal(s.len, off[3] - off[2]);
	pos = 0;
	expect_ext(&s, &pos, 10, true, &e);
	assert_int_equal(e.u.e10.beam_group_type, 2);
	assert_int_equal(e.u.e10.num_portc, 2);
	assert_memory_equal(e.u.e10.beam_ids, chain_ids, 4);
	expect_ext(&s, &pos, 11, true, &e);
	assert_int_equal(e.u.e11.num_bundles, 3);
	assert_int_equal(e.u.e11.bundle_len, 7);
	assert_memory_equal(e.u.e11.bundles, chain_bund, sizeof(chain_bund));
	assert_int_equal(e.u.e11.bfw_iq_width, 8);
	assert_int_equal(e.u.e11.bfw_comp_meth, FH_COMP_BFP);
	expect_ext(&s, &pos, 5, true, &e);
	assert_int_equal(e.u.e5.n_sets, 1);
	assert_int_equal(e.u.e5.sets[0].mc_scale_re_mask, 0xfff);
	assert_true(e.u.e5.sets[0].csf);
	assert_int_equal(e.u.e5.sets[0].mc_scale_offset, 1);
	expect_ext(&s, &pos, 13, false, &e);
	assert_int_equal(e.u.e13.n_allocs, 1);
	assert_memory_equal(e.u.e13.allocs, chain_allocs, 2);
	assert_int_equal(fh_cplane_ext_next(&s, &chain_cfg, &pos, &e, &err), 0);
	assert_int_equal(fh_cplane_next(&it, &s, &err), 0);
}

static void test_cplane_ext_chain_in_type3_and_type5(void **state)
{
	static const uint8_t beams[4] = {0x00, 0x01, 0x00, 0x02};
	static const uint8_t ranges[2] = {0x04, 0x02};
	struct fh_cplane_ext e11 = {.type = 11,
				    .ef = true,
				    .u.e11 = {.disable_bfws = true,
					      .num_bund_prb = 6,
					      .bundles = beams}};
	struct fh_cplane_ext e12 = {
		.type = 12,
		.u.e12 = {.priority = 3, .n_ranges = 1, .ranges = ranges}};
	uint8_t chain[32];
	size_t cl = 0;
	uint8_t b[128];
	struct fh_cplane_hdr h = {.num_sections = 1,
				  .section_type = FH_SECTION_PRACH};
	struct fh_cplane_section s = {.section_id = 9,
				      .num_prb_field = 12,
				      .beam_id = 0x4321,
				      .freq_offset = -70000};
	struct fh_cplane_iter it;
	struct fh_cplane_section out;
	struct fh_cplane_ext e;
	size_t pos = 0;
	long n;

	(void)state;
	cl = add_ext(chain, sizeof(chain), cl, NULL, 12, &e11);
	cl = add_ext(chain, sizeof(chain), cl, NULL, 12, &e12);
	s.ext = chain;
	s.ext_len = cl;
	/* type 3: the chain follows frequencyOffset and reserved */
	assert_int_equal(fh_cplane_build_hdr(b, sizeof(b), &h), 12);
	n = fh_cplane_build_section(b + 12, sizeof(b) - 12, FH_SECTION_PRACH,
				    &s);
	assert_int_equal(n, 12 + cl);
	assert_int_equal(fh_cplane_parse(b, 24 + cl, BASE, NULL, &h, &it, NULL),
			 0);
	assert_int_equal(fh_cplane_next(&it, &out, NULL), 1);
	assert_int_equal(out.ef, 1);
	assert_int_equal(out.beam_id, 0x4321);
	assert_int_equal(out.freq_offset, -70000);
	assert_int_equal(out.ext_offset, BASE + 24);
	assert_int_equal(out.ext_len, cl);
	assert_int_equal(fh_cplane_ext_next(&out, NULL, &pos, &e, NULL), 1);
	assert_int_equal(e.type, 11);
	assert_int_equal(e.u.e11.num_bundles, 2);
	assert_memory_equal(e.u.e11.bundles, beams, 4);
	assert_int_equal(fh_cplane_ext_next(&out, NULL, &pos, &e, NULL), 1);
	assert_int_equal(e.type, 12);
	assert_int_equal(e.u.e12.priority, 3);
	assert_int_equal(e.u.e12.n_ranges, 1);
	assert_int_equal(fh_cplane_ext_next(&out, NULL, &pos, &e, NULL), 0);

	/* type 5: ef shares the word with ueId */
	h.section_type = FH_SECTION_UE_SCHED;
	s.beam_id = 0;
	s.freq_offset = 0;
	s.ue_id = 0x7001;
	assert_int_equal(fh_cplane_build_hdr(b, sizeof(b), &h), 8);
	n = fh_cplane_build_section(b + 8, sizeof(b) - 8, FH_SECTION_UE_SCHED,
				    &s);
	assert_int_equal(n, 8 + cl);
	assert_int_equal(fh_get_be16(b + 14), 0x8000 | 0x7001);
	assert_int_equal(fh_cplane_parse(b, 16 + cl, 0, NULL, &h, &it, NULL),
			 0);
	assert_int_equal(fh_cplane_next(&it, &out, NULL), 1);
	assert_int_equal(out.ef, 1);
	assert_int_equal(out.ue_id, 0x7001);
	assert_int_equal(out.ext_len, cl);
	pos = 0;
	assert_int_equal(fh_cplane_ext_next(&out, NULL, &pos, &e, NULL), 1);
	assert_int_equal(e.type, 11);
	assert_int_equal(fh_cplane_ext_next(&out, NULL, &pos, &e, NULL), 1);
	assert_int_equal(e.type, 12);
	assert_int_equal(fh_cplane_ext_next(&out, NULL, &pos, &e, NULL), 0);
}

static void test_cplane_unknown_ext_types_skipped_by_extlen(void **state)
{
	static const uint8_t chain[] = {
		/* ext 4, ef 1 */
		0x84,
		0x01,
		0x00,
		0x07,
		/* type 20, ef 1, 3 words: contents that look like an ext 11
		 * header must not be interpreted */
		0x94,
		0x03,
		0x0b,
		0x00,
		0x01,
		0x00,
		0x00,
		0x00,
		0x01,
		0x02,
		0x03,
		0x04,
		/* type 127, ef 1, 1 word */
		0xff,
		0x01,
		0xaa,
		0xbb,
		/* ext 6, last */
		0x06,
		0x02,
		0xca,
		0xbc,
		0xde,
		0xf1,
		0xaa,
		0xaa,
	};
	struct cmsg m;
	struct fh_cplane_ext e;
	struct fh_err err = {0};
	size_t pos = 0;

	(void)state;
	one_section_msg(&m, NULL, 4, chain, sizeof(chain));
	assert_int_equal(fh_cplane_ext_next(&m.s, NULL, &pos, &e, &err), 1);
	assert_int_equal(e.type, 4);
	assert_true(e.ef);
	assert_int_equal(e.u.e4.mod_comp_scaler, 7);

	assert_int_equal(fh_cplane_ext_next(&m.s, NULL, &pos, &e, &err), 1);
	assert_int_equal(e.type, 20);
	assert_true(e.ef);
	assert_int_equal(e.len_words, 3);
	assert_int_equal(e.offset, BASE + 16 + 4);
	assert_ptr_equal(e.data, m.buf + 16 + 6);
	assert_int_equal(e.data_len, 10);
	assert_int_equal(e.u.e11.num_bundles, 0);

	assert_int_equal(fh_cplane_ext_next(&m.s, NULL, &pos, &e, &err), 1);
	assert_int_equal(e.type, 127);
	assert_true(e.ef);
	assert_int_equal(e.len_words, 1);
	assert_int_equal(e.offset, BASE + 16 + 16);
	assert_int_equal(e.data_len, 2);
	assert_int_equal(e.data[0], 0xaa);

	assert_int_equal(fh_cplane_ext_next(&m.s, NULL, &pos, &e, &err), 1);
	assert_int_equal(e.type, 6);
	assert_false(e.ef);
	assert_int_equal(e.offset, BASE + 16 + 20);
	assert_int_equal(e.u.e6.rbg_mask, 0xabcdef1);
	assert_int_equal(e.u.e6.symbol_mask, 0x2aaa);
	assert_int_equal(fh_cplane_ext_next(&m.s, NULL, &pos, &e, &err), 0);
}

/* A one-section ST1 message with a raw (possibly malformed) chain; returns
 * the fh_cplane_next result. */
static int next_with_raw_chain(const uint8_t *chain, size_t n,
			       struct fh_err *err)
{
	uint8_t b[64] = {0x90, 0,    0,	   0,	 0x01, 0x01, 0x00, 0x00,
			 0x00, 0x10, 0x00, 0x01, 0xff, 0xf1, 0x80, 0x01};
	uint8_t *copy;
	struct fh_cplane_hdr h;
	struct fh_cplane_iter it;
	struct fh_cplane_section s;
	int ret;

	assert_true(16 + n <= sizeof(b));
	memcpy(b + 16, chain, n);
	copy = dup_exact(b, 16 + n);
	assert_int_equal(
		fh_cplane_parse(copy, 16 + n, BASE, NULL, &h, &it, err), 0);
	ret = fh_cplane_next(&it, &s, err);
	free(copy);
	return ret;
}

static void test_cplane_ext_len_zero_ebadmsg(void **state)
{
	static const uint8_t first[] = {0x04, 0x00, 0x00, 0x07};
	static const uint8_t middle[] = {0x84, 0x01, 0x00, 0x07,
					 0x06, 0x00, 0x00, 0x00};
	static const uint8_t unknown[] = {0x84, 0x01, 0x00, 0x07,
					  0x94, 0x00, 0x00, 0x00};
	static const uint8_t ext11[] = {0x0b, 0x00, 0x00, 0x80};
	struct fh_err err = {0};

	(void)state;
	assert_int_equal(next_with_raw_chain(first, sizeof(first), &err),
			 -EBADMSG);
	assert_int_equal(err.offset, BASE + 16 + 1);
	assert_int_equal(next_with_raw_chain(middle, sizeof(middle), &err),
			 -EBADMSG);
	assert_int_equal(err.offset, BASE + 16 + 5);
	assert_int_equal(next_with_raw_chain(unknown, sizeof(unknown), &err),
			 -EBADMSG);
	assert_int_equal(err.offset, BASE + 16 + 5);
	/* ext 11: 16-bit extLen 0 */
	assert_int_equal(next_with_raw_chain(ext11, sizeof(ext11), &err),
			 -EBADMSG);
	assert_int_equal(err.code, -EBADMSG);
	assert_int_equal(err.offset, BASE + 16 + 1);
}

static void test_cplane_ext_len_past_end_emsgsize(void **state)
{
	static const uint8_t last[] = {0x04, 0x02, 0x00, 0x07};
	static const uint8_t middle[] = {0x84, 0x01, 0x00, 0x07,
					 0x94, 0x09, 0x00, 0x00};
	static const uint8_t ext11[] = {0x0b, 0x01, 0x00, 0x80};
	/* ef says another follows, the message ends */
	static const uint8_t dangling[] = {0x84, 0x01, 0x00, 0x07};
	/* the next header starts but its extLen byte is missing */
	static const uint8_t half[] = {0x84, 0x01, 0x00, 0x07, 0x04};
	/* ext 11's 16-bit extLen is cut */
	static const uint8_t half11[] = {0x84, 0x01, 0x00, 0x07, 0x0b, 0x00};
	struct fh_err err = {0};

	(void)state;
	assert_int_equal(next_with_raw_chain(last, sizeof(last), &err),
			 -EMSGSIZE);
	assert_int_equal(err.offset, BASE + 16 + 1);
	assert_int_equal(next_with_raw_chain(middle, sizeof(middle), &err),
			 -EMSGSIZE);
	assert_int_equal(err.offset, BASE + 16 + 5);
	assert_int_equal(next_with_raw_chain(ext11, sizeof(ext11), &err),
			 -EMSGSIZE);
	assert_int_equal(next_with_raw_chain(dangling, sizeof(dangling), &err),
			 -EMSGSIZE);
	assert_int_equal(err.offset, BASE + 16 + sizeof(dangling));
	assert_int_equal(next_with_raw_chain(half, sizeof(half), &err),
			 -EMSGSIZE);
	assert_true(err.offset <= BASE + 16 + sizeof(half));
	assert_int_equal(next_with_raw_chain(half11, sizeof(half11), &err),
			 -EMSGSIZE);
	assert_true(err.offset <= BASE + 16 + sizeof(half11));
}

static void test_cplane_ext_shorter_than_its_type_emsgsize(void **state)
{
	static const struct {
		uint8_t chain[8];
		size_t len;
	} bad[] = {
		/* ext 5 in one word: no complete parameter set */
		{{0x05, 0x01, 0xff, 0xff}, 4},
		/* ext 6 in one word */
		{{0x06, 0x01, 0x00, 0x00}, 4},
		/* ext 10 type 2 with 4 ports in one word */
		{{0x0a, 0x01, 0x84, 0x00}, 4},
		/* ext 11, BFWs enabled, 4 PRBs in bundles of 1 but no room */
		{{0x0b, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00}, 8},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct cmsg m;
		struct fh_cplane_ext e;
		struct fh_err err = {0};
		size_t pos = 0;

		one_section_msg(&m, NULL, 4, bad[i].chain, bad[i].len);
		assert_int_equal(fh_cplane_ext_next(&m.s, NULL, &pos, &e, &err),
				 -EMSGSIZE);
		assert_int_equal(err.code, -EMSGSIZE);
		assert_true(err.offset >= BASE + 16);
		assert_true(err.offset < BASE + 16 + bad[i].len);
	}
}

/* ---- truncation ---------------------------------------------------------- */

/* Every proper prefix of a valid C-plane message must fail in
 * fh_cplane_parse or fh_cplane_next, with an offset inside the prefix,
 * and everything returned before must lie inside the prefix. */
static void check_cplane_truncation(const uint8_t *b, size_t len,
				    const struct fh_cplane_cfg *cfg)
{
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = dup_exact(b, cut);
		const uint8_t *end = copy + cut;
		struct fh_cplane_hdr h;
		struct fh_cplane_iter it;
		struct fh_cplane_section s;
		struct fh_err err = {.code = 1};
		int ret = fh_cplane_parse(copy, cut, BASE, cfg, &h, &it, &err);

		if (ret == 0) {
			assert_true(h.laa_msg == NULL ||
				    h.laa_msg + (size_t)h.laa_msg_len * 4 <=
					    end);
			while ((ret = fh_cplane_next(&it, &s, &err)) == 1) {
				struct fh_cplane_ext e;
				struct fh_err eerr = {0};
				size_t pos = 0;
				int r;

				assert_true(s.ci + s.ci_len <= end);
				assert_true(s.ext + s.ext_len <= end);
				while ((r = fh_cplane_ext_next(&s, cfg, &pos,
							       &e, &eerr)) ==
				       1) {
					size_t nb = e.u.e11.num_bundles *
						    e.u.e11.bundle_len;

					assert_true(e.data + e.data_len <= end);
					if (e.type == 11) {
						assert_true(e.u.e11.bundles +
								    nb <=
							    end);
					}
				}
				/* a complete section decodes as in the whole
				 * message */
				assert_int_equal(r, 0);
			}
		}
		assert_true(ret < 0);
		assert_int_equal(err.code, ret);
		assert_true(ret == -EMSGSIZE || ret == -EBADMSG);
		assert_true(err.offset >= BASE);
		assert_true(err.offset <= BASE + cut);
		free(copy);
	}
}

static void test_cplane_truncation_every_byte_ext_chains(void **state)
{
	uint8_t b[512];
	size_t off[4];
	size_t len = build_chain_msg(b, sizeof(b), off);

	(void)state;
	check_cplane_truncation(b, len, &chain_cfg);
}

static void test_cplane_truncation_every_byte_other_types(void **state)
{
	static const uint8_t ext[4] = {0x04, 0x01, 0x00, 0x01};
	static const uint8_t laa[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	const struct fh_cplane_cfg cfg = {.ci_num_trx = 2};
	uint8_t ci[16];
	uint8_t b[128];
	size_t len;
	struct fh_cplane_hdr h = {.num_sections = 2};
	struct fh_cplane_section s = {.section_id = 3,
				      .num_prb_field = 2,
				      .num_symbol = 2,
				      .ue_id = 5,
				      .freq_offset = -3};

	(void)state;
	fill(ci, sizeof(ci), 0x50);
	/* types 0, 3, 5: two sections each, the second with an extension
	 * where the type allows one */
	for (unsigned t = 0; t < 3; t++) {
		static const uint8_t types[3] = {
			FH_SECTION_IDLE, FH_SECTION_PRACH, FH_SECTION_UE_SCHED};
		long n;

		h.section_type = types[t];
		n = fh_cplane_build_hdr(b, sizeof(b), &h);
		assert_true(n > 0);
		len = (size_t)n;
		s.ext = NULL;
		s.ext_len = 0;
		n = fh_cplane_build_section(b + len, sizeof(b) - len, types[t],
					    &s);
		assert_true(n > 0);
		len += (size_t)n;
		if (types[t] != FH_SECTION_IDLE) {
			s.ext = ext;
			s.ext_len = sizeof(ext);
		}
		n = fh_cplane_build_section(b + len, sizeof(b) - len, types[t],
					    &s);
		assert_true(n > 0);
		len += (size_t)n;
		check_cplane_truncation(b, len, NULL);
	}
	/* type 6 with 2 TRX: samples and an extension */
	h.section_type = FH_SECTION_CH_INFO;
	len = (size_t)fh_cplane_build_hdr(b, sizeof(b), &h);
	s.ext = NULL;
	s.ext_len = 0;
	s.ci = ci;
	s.ci_len = sizeof(ci);
	len += (size_t)fh_cplane_build_section(b + len, sizeof(b) - len,
					       FH_SECTION_CH_INFO, &s);
	s.ext = ext;
	s.ext_len = sizeof(ext);
	len += (size_t)fh_cplane_build_section(b + len, sizeof(b) - len,
					       FH_SECTION_CH_INFO, &s);
	assert_int_equal(len, 8 + 2 * (7 + 16) + 4);
	check_cplane_truncation(b, len, &cfg);
	/* type 7 */
	h.section_type = FH_SECTION_LAA;
	h.laa_msg_len = 2;
	h.laa_msg = laa;
	len = (size_t)fh_cplane_build_hdr(b, sizeof(b), &h);
	assert_int_equal(len, 15);
	check_cplane_truncation(b, len, NULL);
}

/* ---- builder errors ------------------------------------------------------ */

static void test_cplane_build_hdr_small_cap_enospc(void **state)
{
	static const uint8_t types[] = {0, 1, 3, 5, 6, 7};
	static const uint8_t laa[4] = {0};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		struct fh_cplane_hdr h = {.section_type = types[i],
					  .laa_msg_len = 1,
					  .laa_msg = laa};
		size_t need = 6 + (size_t)fh_cplane_common_len(types[i]) +
			      (types[i] == FH_SECTION_LAA ? 4 : 0);
		uint8_t b[16];

		for (size_t cap = 0; cap < need; cap++) {
			memset(b, 0xee, sizeof(b));
			assert_int_equal(fh_cplane_build_hdr(b, cap, &h),
					 -ENOSPC);
			assert_int_equal(b[0], 0xee);
		}
		assert_int_equal(fh_cplane_build_hdr(b, need, &h), (long)need);
	}
}

static void test_cplane_build_section_field_ranges_einval(void **state)
{
	static const uint8_t types[] = {FH_SECTION_IDLE, FH_SECTION_NORMAL,
					FH_SECTION_PRACH, FH_SECTION_UE_SCHED};
	const struct fh_cplane_section ok = {
		.section_id = 0xfff,
		.rb = 1,
		.sym_inc = 1,
		.start_prb = 0x3ff,
		.re_mask = 0xfff,
		.num_symbol = 0xf,
		.beam_id = 0x7fff,
		.ue_id = 0x7fff,
		.freq_offset = -(1 << 23),
	};
	uint8_t b[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		struct fh_cplane_section s = ok;

		assert_true(fh_cplane_build_section(b, sizeof(b), types[i],
						    &s) > 0);
		s.freq_offset = (1 << 23) - 1;
		assert_true(fh_cplane_build_section(b, sizeof(b), types[i],
						    &s) > 0);
#define EXPECT_EINVAL(field, value)                                          \
	do {                                                                 \
		s = ok;                                                      \
		s.field = value;                                             \
		assert_int_equal(                                            \
			fh_cplane_build_section(b, sizeof(b), types[i], &s), \
			-EINVAL);                                            \
	} while (0)
		EXPECT_EINVAL(section_id, 0x1000);
		EXPECT_EINVAL(rb, 2);
		EXPECT_EINVAL(sym_inc, 2);
		EXPECT_EINVAL(start_prb, 0x400);
		EXPECT_EINVAL(re_mask, 0x1000);
		EXPECT_EINVAL(num_symbol, 16);
		EXPECT_EINVAL(beam_id, 0x8000);
		EXPECT_EINVAL(ue_id, 0x8000);
		EXPECT_EINVAL(freq_offset, 1 << 23);
		EXPECT_EINVAL(freq_offset, -(1 << 23) - 1);
#undef EXPECT_EINVAL
	}
}

static void test_cplane_build_section_small_cap_enospc(void **state)
{
	static const uint8_t ext[8] = {0x06, 0x02};
	uint8_t ci[8] = {0};
	struct fh_cplane_section s = {.ext = ext,
				      .ext_len = sizeof(ext),
				      .ci = ci,
				      .ci_len = sizeof(ci)};
	static const struct {
		uint8_t type;
		size_t need;
	} c[] = {
		{FH_SECTION_NORMAL, 16},
		{FH_SECTION_PRACH, 20},
		{FH_SECTION_UE_SCHED, 16},
		{FH_SECTION_CH_INFO, 7 + 8 + 8},
	};
	uint8_t b[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		for (size_t cap = 0; cap < c[i].need; cap++) {
			assert_int_equal(
				fh_cplane_build_section(b, cap, c[i].type, &s),
				-ENOSPC);
		}
		assert_int_equal(
			fh_cplane_build_section(b, c[i].need, c[i].type, &s),
			(long)c[i].need);
	}
	/* type 0 has no ef bit: extensions cannot be attached */
	assert_int_equal(
		fh_cplane_build_section(b, sizeof(b), FH_SECTION_IDLE, &s),
		-EINVAL);
}

static void test_cplane_build_ext_small_cap_enospc(void **state)
{
	static const uint8_t data[64] = {0};
	const struct fh_cplane_ext exts[] = {
		{.type = 1,
		 .u.e1 = {.bfw_iq_width = 16,
			  .num_weights = 4,
			  .weights = data}},
		{.type = 4, .u.e4 = {.mod_comp_scaler = 1}},
		{.type = 5, .u.e5 = {.n_sets = 2}},
		{.type = 6},
		{.type = 10,
		 .u.e10 = {.beam_group_type = 2,
			   .num_portc = 3,
			   .beam_ids = data}},
		{.type = 11,
		 .u.e11 = {.disable_bfws = true,
			   .num_bund_prb = 1,
			   .bundles = data}},
		{.type = 12, .u.e12 = {.n_ranges = 3, .ranges = data}},
		{.type = 13, .u.e13 = {.n_allocs = 2, .allocs = data}},
	};
	static const long want[] = {20, 4, 12, 8, 12, 16, 12, 8};
	uint8_t b[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		for (size_t cap = 0; cap < (size_t)want[i]; cap++) {
			memset(b, 0xee, sizeof(b));
			assert_int_equal(
				fh_cplane_build_ext(b, cap, NULL, 5, &exts[i]),
				-ENOSPC);
			assert_int_equal(b[0], 0xee);
		}
		assert_int_equal(
			fh_cplane_build_ext(b, sizeof(b), NULL, 5, &exts[i]),
			want[i]);
	}
}

static void test_cplane_build_ext_out_of_range_einval(void **state)
{
	static const uint8_t data[8] = {0};
	const struct fh_cplane_ext bad[] = {
		{.type = 128},
		{.type = 0xff},
		{.type = 1, .u.e1 = {.bfw_iq_width = 0}},
		{.type = 1, .u.e1 = {.bfw_iq_width = 17}},
		{.type = 1, .u.e1 = {.bfw_iq_width = 8, .bfw_comp_meth = 16}},
		{.type = 4, .u.e4 = {.mod_comp_scaler = 0x8000}},
		{.type = 5, .u.e5 = {.n_sets = 0}},
		{.type = 5, .u.e5 = {.n_sets = 3}},
		{.type = 5,
		 .u.e5 = {.n_sets = 1, .sets = {{.mc_scale_re_mask = 0x1000}}}},
		{.type = 5,
		 .u.e5 = {.n_sets = 2,
			  .sets = {{0}, {.mc_scale_offset = 0x8000}}}},
		{.type = 6, .u.e6 = {.repetition = 2}},
		{.type = 6, .u.e6 = {.rbg_size = 8}},
		{.type = 6, .u.e6 = {.rbg_mask = 0x10000000}},
		{.type = 6, .u.e6 = {.priority = 4}},
		{.type = 6, .u.e6 = {.symbol_mask = 0x4000}},
		{.type = 10, .u.e10 = {.beam_group_type = 4}},
		{.type = 10, .u.e10 = {.num_portc = 64}},
		{.type = 11,
		 .u.e11 = {.num_bund_prb = 0, .disable_bfws = true}},
		{.type = 11, .u.e11 = {.num_bund_prb = 1, .bfw_iq_width = 0}},
		{.type = 11, .u.e11 = {.num_bund_prb = 1, .bfw_iq_width = 17}},
		{.type = 11,
		 .u.e11 = {.num_bund_prb = 1,
			   .bfw_iq_width = 8,
			   .bfw_comp_meth = 16}},
		{.type = 12, .u.e12 = {.priority = 4}},
		{.type = 12, .u.e12 = {.symbol_mask = 0x4000}},
		/* data announced but no pointer */
		{.type = 1, .u.e1 = {.bfw_iq_width = 8, .num_weights = 2}},
		{.type = 10, .u.e10 = {.beam_group_type = 2, .num_portc = 1}},
		{.type = 11,
		 .u.e11 = {.num_bund_prb = 1, .disable_bfws = true}},
		{.type = 12, .u.e12 = {.n_ranges = 1}},
		{.type = 13, .u.e13 = {.n_allocs = 1}},
	};
	uint8_t b[64];

	(void)state;
	(void)data;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(
			fh_cplane_build_ext(b, sizeof(b), NULL, 4, &bad[i]),
			-EINVAL);
	}
}

static void test_cplane_build_ext_extlen_overflow_einval(void **state)
{
	static uint8_t w[2048];
	static uint8_t out[2048];
	/* 8-bit extLen: 2 + 1 + 256 x 4 bytes > 255 words */
	struct fh_cplane_ext e1 = {
		.type = 1,
		.u.e1 = {.bfw_iq_width = 16, .num_weights = 256, .weights = w},
	};
	/* 16-bit extLen: 273 bundles x (2 + 1000 x 4) bytes > 65535 words */
	const struct fh_cplane_cfg cfg = {.bfw_per_bundle = 1000};
	struct fh_cplane_ext e11 = {
		.type = 11,
		.u.e11 = {.num_bund_prb = 1, .bfw_iq_width = 16, .bundles = w},
	};

	(void)state;
	assert_int_equal(fh_cplane_build_ext(out, sizeof(out), NULL, 4, &e1),
			 -EINVAL);
	/* 254 weights still fit: 2 + 1 + 1016 -> 1020 = 255 words */
	e1.u.e1.num_weights = 254;
	assert_int_equal(fh_cplane_build_ext(out, sizeof(out), NULL, 4, &e1),
			 1020);
	assert_int_equal(out[1], 255);
	assert_int_equal(fh_cplane_build_ext(out, sizeof(out), &cfg, 273, &e11),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_radio_hdr_vector_every_field),
		cmocka_unit_test(test_radio_hdr_roundtrip_every_slot_symbol),
		cmocka_unit_test(test_radio_hdr_payload_version_not_1_ebadmsg),
		cmocka_unit_test(test_radio_hdr_build_version_0_writes_1),
		cmocka_unit_test(test_radio_hdr_short_emsgsize),
		cmocka_unit_test(test_comp_hdr_every_byte_roundtrip),
		cmocka_unit_test(test_uplane_static_comp_vector),
		cmocka_unit_test(test_uplane_dynamic_comp_hdr_vector),
		cmocka_unit_test(test_uplane_dyn_width_0_means_16),
		cmocka_unit_test(test_uplane_num_prb_0_means_carrier_prbs),
		cmocka_unit_test(test_uplane_prb_bytes_every_method_width),
		cmocka_unit_test(test_uplane_static_invalid_width_ebadmsg),
		cmocka_unit_test(test_uplane_bad_payload_version_ebadmsg),
		cmocka_unit_test(
			test_uplane_multiple_sections_built_and_parsed),
		cmocka_unit_test(test_uplane_truncation_every_byte),
		cmocka_unit_test(test_uplane_sections_fit),
		cmocka_unit_test(test_uplane_build_section_bytes),
		cmocka_unit_test(test_uplane_build_section_errors),
		cmocka_unit_test(test_cplane_common_len_per_type),
		cmocka_unit_test(test_cplane_type1_vector_every_field),
		cmocka_unit_test(test_cplane_type0_vector_every_field),
		cmocka_unit_test(test_cplane_type0_top_bit_is_not_ef),
		cmocka_unit_test(test_cplane_type3_vector_negative_freq_offset),
		cmocka_unit_test(test_cplane_type3_freq_offset_roundtrip_range),
		cmocka_unit_test(test_cplane_type5_ue_id_vector),
		cmocka_unit_test(test_cplane_type6_ci_samples_with_num_trx),
		cmocka_unit_test(test_cplane_type6_default_32_trx),
		cmocka_unit_test(test_cplane_type7_laa_roundtrip),
		cmocka_unit_test(
			test_cplane_reserved_section_types_eprotonosupport),
		cmocka_unit_test(test_cplane_bad_payload_version_ebadmsg),
		cmocka_unit_test(test_cplane_truncated_common_header_emsgsize),
		cmocka_unit_test(test_cplane_fewer_sections_than_announced),
		cmocka_unit_test(
			test_cplane_ext1_uncompressed_weights_roundtrip),
		cmocka_unit_test(
			test_cplane_ext1_compressed_weights_with_param),
		cmocka_unit_test(test_cplane_ext4_roundtrip_bytes),
		cmocka_unit_test(test_cplane_ext5_one_and_two_sets),
		cmocka_unit_test(test_cplane_ext6_roundtrip_bytes),
		cmocka_unit_test(test_cplane_ext10_beam_group_types),
		cmocka_unit_test(test_cplane_ext11_disabled_bfws_roundtrip),
		cmocka_unit_test(test_cplane_ext11_enabled_bfws_roundtrip),
		cmocka_unit_test(test_cplane_ext11_16bit_extlen_over_255_words),
		cmocka_unit_test(test_cplane_ext11_num_prb_0_uses_carrier),
		cmocka_unit_test(test_cplane_ext11_num_bund_prb_0_rejected),
		cmocka_unit_test(test_cplane_ext12_ranges_roundtrip),
		cmocka_unit_test(test_cplane_ext13_allocs_roundtrip),
		cmocka_unit_test(test_cplane_multi_section_ext_chain_roundtrip),
		cmocka_unit_test(test_cplane_ext_chain_in_type3_and_type5),
		cmocka_unit_test(
			test_cplane_unknown_ext_types_skipped_by_extlen),
		cmocka_unit_test(test_cplane_ext_len_zero_ebadmsg),
		cmocka_unit_test(test_cplane_ext_len_past_end_emsgsize),
		cmocka_unit_test(
			test_cplane_ext_shorter_than_its_type_emsgsize),
		cmocka_unit_test(test_cplane_truncation_every_byte_ext_chains),
		cmocka_unit_test(test_cplane_truncation_every_byte_other_types),
		cmocka_unit_test(test_cplane_build_hdr_small_cap_enospc),
		cmocka_unit_test(test_cplane_build_section_field_ranges_einval),
		cmocka_unit_test(test_cplane_build_section_small_cap_enospc),
		cmocka_unit_test(test_cplane_build_ext_small_cap_enospc),
		cmocka_unit_test(test_cplane_build_ext_out_of_range_einval),
		cmocka_unit_test(test_cplane_build_ext_extlen_overflow_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
