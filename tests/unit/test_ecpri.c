/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eCPRI common header and message types 0-7 (fh/ecpri.h, ORAN.md §1):
 * hand-written byte vectors decoded field by field and re-encoded byte for
 * byte, builder round trips, concatenation and every error path.  Buffers
 * handed to the parser in the truncation tests are heap copies of exactly
 * the advertised length so that ASan catches any read past the end.
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

#include "fh/ecpri.h"

/* Parse the only message of buf and check the iterator ends after it. */
static void parse_single(const uint8_t *buf, size_t len, size_t base,
			 struct fh_ecpri_msg *m)
{
	struct fh_ecpri_iter it;
	struct fh_ecpri_msg next;
	struct fh_err err = {0};

	fh_ecpri_iter_init(&it, buf, len, base);
	assert_int_equal(fh_ecpri_next(&it, m, &err), 1);
	assert_int_equal(fh_ecpri_next(&it, &next, &err), 0);
}

/* Expect the first fh_ecpri_next on buf to fail with code at offset. */
static void expect_error(const uint8_t *buf, size_t len, size_t base, int code,
			 size_t offset)
{
	struct fh_ecpri_iter it;
	struct fh_ecpri_msg m;
	struct fh_err err = {0};
	uint8_t *copy = dup_exact(buf, len);

	fh_ecpri_iter_init(&it, copy, len, base);
	assert_int_equal(fh_ecpri_next(&it, &m, &err), code);
	assert_int_equal(err.code, code);
	assert_int_equal(err.offset, offset);
	assert_non_null(err.reason);
	/* the iterator stops after an error */
	assert_int_equal(fh_ecpri_next(&it, &m, &err), 0);
	free(copy);
}

/* Re-encode a parsed single message and compare with the original bytes. */
static void expect_rebuild_identical(const uint8_t *vec, size_t len,
				     const struct fh_ecpri_msg *m)
{
	uint8_t out[256];

	assert_true(len <= sizeof(out));
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(fh_ecpri_build(out, sizeof(out), m), (long)len);
	assert_memory_equal(out, vec, len);
	assert_int_equal(out[len], 0xa5);
}

/* ---- type table ---------------------------------------------------------- */

static void test_ecpri_fixed_len_per_type(void **state)
{
	static const int want[8] = {4, 4, 4, 8, 12, 20, 3, 4};

	(void)state;
	for (unsigned t = 0; t < 8; t++) {
		assert_int_equal(fh_ecpri_fixed_len((uint8_t)t), want[t]);
	}
	assert_int_equal(FH_ECPRI_MIN_PAYLOAD_IQ, 4);
	assert_int_equal(FH_ECPRI_MIN_PAYLOAD_RTC, 4);
	assert_int_equal(FH_ECPRI_MIN_PAYLOAD_GENERIC, 8);
	assert_int_equal(FH_ECPRI_MIN_PAYLOAD_RMA, 12);
	assert_int_equal(FH_ECPRI_MIN_PAYLOAD_DELAY, 20);
	assert_int_equal(FH_ECPRI_MIN_PAYLOAD_RESET, 3);
	assert_int_equal(FH_ECPRI_MIN_PAYLOAD_EVENT, 4);
	for (unsigned t = 8; t < 256; t++) {
		assert_int_equal(fh_ecpri_fixed_len((uint8_t)t), -EINVAL);
	}
}

static void test_ecpri_type_names(void **state)
{
	(void)state;
	assert_string_equal(fh_ecpri_type_name(FH_ECPRI_IQ_DATA), "iq_data");
	assert_string_equal(fh_ecpri_type_name(FH_ECPRI_RT_CTRL), "rt_ctrl");
	for (unsigned t = 0; t < 8; t++) {
		assert_non_null(fh_ecpri_type_name((uint8_t)t));
	}
	assert_null(fh_ecpri_type_name(8));
	assert_null(fh_ecpri_type_name(255));
}

/* ---- O-RAN SEQ_ID -------------------------------------------------------- */

static void test_oran_seq_split_fields(void **state)
{
	struct fh_oran_seq s;

	(void)state;
	/* SeqId 0xa5 | E 1 | SubSeqId 0x3c */
	fh_oran_seq_split(0xa5bc, &s);
	assert_int_equal(s.seq_id, 0xa5);
	assert_int_equal(s.e_bit, 1);
	assert_int_equal(s.subseq_id, 0x3c);
	fh_oran_seq_split(0x007f, &s);
	assert_int_equal(s.seq_id, 0);
	assert_int_equal(s.e_bit, 0);
	assert_int_equal(s.subseq_id, 0x7f);
	fh_oran_seq_split(0xff80, &s);
	assert_int_equal(s.seq_id, 0xff);
	assert_int_equal(s.e_bit, 1);
	assert_int_equal(s.subseq_id, 0);
}

static void test_oran_seq_split_join_every_value(void **state)
{
	(void)state;
	for (uint32_t v = 0; v <= 0xffff; v++) {
		struct fh_oran_seq s;

		fh_oran_seq_split((uint16_t)v, &s);
		assert_int_equal(s.seq_id, v >> 8);
		assert_int_equal(s.e_bit, (v >> 7) & 1);
		assert_int_equal(s.subseq_id, v & 0x7f);
		assert_int_equal(fh_oran_seq_join(&s), v);
	}
}

static void test_oran_seq_join_masks_out_of_range(void **state)
{
	struct fh_oran_seq s = {.seq_id = 0x12, .e_bit = 3, .subseq_id = 0xff};

	(void)state;
	/* e_bit keeps bit 0, subseq_id its 7 bits: nothing leaks into SeqId */
	assert_int_equal(fh_oran_seq_join(&s), 0x12ff);
	s.e_bit = 2;
	s.subseq_id = 0x80;
	assert_int_equal(fh_oran_seq_join(&s), 0x1200);
}

/* ---- per-type vectors ---------------------------------------------------- */

static void test_ecpri_iq_data_vector(void **state)
{
	/* rev 1, C 0, type 0, payload 8: PC_ID 0x1234, SEQ_ID 0x5683 */
	static const uint8_t v[] = {
		0x10, 0x00, 0x00, 0x08, 0x12, 0x34,
		0x56, 0x83, 0xde, 0xad, 0xbe, 0xef,
	};
	struct fh_ecpri_msg m;
	struct fh_oran_seq s;

	(void)state;
	parse_single(v, sizeof(v), 0, &m);
	assert_int_equal(m.revision, 1);
	assert_int_equal(m.reserved, 0);
	assert_false(m.concatenated);
	assert_int_equal(m.type, FH_ECPRI_IQ_DATA);
	assert_int_equal(m.payload_size, 8);
	assert_ptr_equal(m.payload, v + 4);
	assert_int_equal(m.offset, 0);
	assert_int_equal(m.u.iq.id, 0x1234);
	assert_int_equal(m.u.iq.seq_id, 0x5683);
	fh_oran_seq_split(m.u.iq.seq_id, &s);
	assert_int_equal(s.seq_id, 0x56);
	assert_int_equal(s.e_bit, 1);
	assert_int_equal(s.subseq_id, 3);
	assert_ptr_equal(m.body, v + 8);
	assert_int_equal(m.body_len, 4);
	expect_rebuild_identical(v, sizeof(v), &m);
}

static void test_ecpri_bit_seq_and_rtc_vectors(void **state)
{
	/* type 1 with no body, type 2 with a 2-byte body */
	static const uint8_t bs[] = {0x10, 0x01, 0x00, 0x04,
				     0xff, 0xfe, 0x00, 0x01};
	static const uint8_t rtc[] = {0x10, 0x02, 0x00, 0x06, 0x80,
				      0x01, 0x7f, 0x00, 0x11, 0x22};
	struct fh_ecpri_msg m;

	(void)state;
	parse_single(bs, sizeof(bs), 0, &m);
	assert_int_equal(m.type, FH_ECPRI_BIT_SEQ);
	assert_int_equal(m.payload_size, 4);
	assert_int_equal(m.u.iq.id, 0xfffe);
	assert_int_equal(m.u.iq.seq_id, 0x0001);
	assert_int_equal(m.body_len, 0);
	expect_rebuild_identical(bs, sizeof(bs), &m);

	parse_single(rtc, sizeof(rtc), 0, &m);
	assert_int_equal(m.type, FH_ECPRI_RT_CTRL);
	assert_int_equal(m.payload_size, 6);
	assert_int_equal(m.u.iq.id, 0x8001);
	assert_int_equal(m.u.iq.seq_id, 0x7f00);
	assert_ptr_equal(m.body, rtc + 8);
	assert_int_equal(m.body_len, 2);
	expect_rebuild_identical(rtc, sizeof(rtc), &m);
}

static void test_ecpri_common_header_reserved_bits_kept(void **state)
{
	/* rev 1, reserved 0b101, C 0 */
	static const uint8_t v[] = {0x1a, 0x00, 0x00, 0x04,
				    0x00, 0x01, 0x00, 0x02};
	struct fh_ecpri_msg m;

	(void)state;
	parse_single(v, sizeof(v), 0, &m);
	assert_int_equal(m.reserved, 5);
	assert_false(m.concatenated);
	expect_rebuild_identical(v, sizeof(v), &m);
}

static void test_ecpri_generic_vector(void **state)
{
	static const uint8_t v[] = {
		0x10, 0x03, 0x00, 0x09, 0x89, 0xab, 0xcd,
		0xef, 0x01, 0x23, 0x45, 0x67, 0x5a,
	};
	struct fh_ecpri_msg m;

	(void)state;
	parse_single(v, sizeof(v), 0, &m);
	assert_int_equal(m.type, FH_ECPRI_GENERIC);
	assert_int_equal(m.payload_size, 9);
	assert_int_equal(m.u.generic.pc_id, 0x89abcdefu);
	assert_int_equal(m.u.generic.seq_id, 0x01234567u);
	assert_ptr_equal(m.body, v + 12);
	assert_int_equal(m.body_len, 1);
	expect_rebuild_identical(v, sizeof(v), &m);
}

static void test_ecpri_rma_vector(void **state)
{
	/* RMA_ID 0x7a, R/W 1 (write), Req/Resp 2 (failure), Element_ID
	 * 0xbeef, address 0x0123456789ab, length 16 */
	static const uint8_t v[] = {
		0x10, 0x04, 0x00, 0x0c, 0x7a, 0x12, 0xbe, 0xef,
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0x00, 0x10,
	};
	struct fh_ecpri_msg m;

	(void)state;
	parse_single(v, sizeof(v), 0, &m);
	assert_int_equal(m.type, FH_ECPRI_RMA);
	assert_int_equal(m.u.rma.rma_id, 0x7a);
	assert_int_equal(m.u.rma.rw, 1);
	assert_int_equal(m.u.rma.req_resp, 2);
	assert_int_equal(m.u.rma.element_id, 0xbeef);
	assert_int_equal(m.u.rma.address, UINT64_C(0x0123456789ab));
	assert_int_equal(m.u.rma.length, 16);
	assert_int_equal(m.body_len, 0);
	expect_rebuild_identical(v, sizeof(v), &m);
}

static void test_ecpri_rma_write_request_carries_data(void **state)
{
	/* write request (rw 1, req 0) with 4 data bytes */
	uint8_t v[] = {
		0x10, 0x04, 0x00, 0x10, 0x01, 0x10, 0x00, 0x02, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0x00, 0x04, 0xd0, 0xd1, 0xd2, 0xd3,
	};
	struct fh_ecpri_msg m;

	(void)state;
	parse_single(v, sizeof(v), 0, &m);
	assert_int_equal(m.u.rma.rw, 1);
	assert_int_equal(m.u.rma.req_resp, 0);
	assert_int_equal(m.u.rma.address, UINT64_C(0xffffffffffff));
	assert_int_equal(m.u.rma.length, 4);
	assert_ptr_equal(m.body, v + 16);
	assert_int_equal(m.body_len, 4);
	/* a write request announcing more data than it carries */
	v[15] = 5;
	expect_error(v, sizeof(v), 0, -EBADMSG, 14);
	/* a read request (rw 0) of 5 bytes carries none: fine */
	v[5] = 0x00;
	parse_single(v, sizeof(v), 0, &m);
	assert_int_equal(m.u.rma.rw, 0);
	assert_int_equal(m.u.rma.length, 5);
}

static void test_ecpri_delay_vector(void **state)
{
	/* Measurement_ID 0x42, action 2 (response), seconds 0x123456789abc,
	 * ns 999999999, compensation -1 ns (0xffff_ffff_ffff_0000) */
	static const uint8_t v[] = {
		0x10, 0x05, 0x00, 0x14, 0x42, 0x02, 0x12, 0x34,
		0x56, 0x78, 0x9a, 0xbc, 0x3b, 0x9a, 0xc9, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00,
	};
	struct fh_ecpri_msg m;

	(void)state;
	parse_single(v, sizeof(v), 0, &m);
	assert_int_equal(m.type, FH_ECPRI_DELAY);
	assert_int_equal(m.payload_size, 20);
	assert_int_equal(m.u.delay.measurement_id, 0x42);
	assert_int_equal(m.u.delay.action_type, FH_DELAY_RESP);
	assert_int_equal(m.u.delay.ts_s, UINT64_C(0x123456789abc));
	assert_int_equal(m.u.delay.ts_ns, 999999999u);
	assert_true(m.u.delay.compensation == -65536);
	assert_int_equal(m.body_len, 0);
	expect_rebuild_identical(v, sizeof(v), &m);
}

static void test_ecpri_delay_every_action_roundtrip(void **state)
{
	static const struct {
		uint64_t s;
		uint32_t ns;
		int64_t comp;
	} ts[] = {
		{0, 0, 0},
		{UINT64_C(0xffffffffffff), 999999999u, INT64_MIN},
		{UINT64_C(1700000000), 123456789u, INT64_MAX},
		{UINT64_C(0x800000000000), 1u, -((int64_t)1234 << 16) - 1},
	};
	uint8_t buf[64];

	(void)state;
	for (unsigned a = FH_DELAY_REQ; a <= FH_DELAY_FOLLOW_UP; a++) {
		for (size_t i = 0; i < ARRAY_SIZE(ts); i++) {
			struct fh_ecpri_msg in = {
				.type = FH_ECPRI_DELAY,
				.u.delay =
					{
						.measurement_id =
							(uint8_t)(0xf0 + a),
						.action_type = (uint8_t)a,
						.ts_s = ts[i].s,
						.ts_ns = ts[i].ns,
						.compensation = ts[i].comp,
					},
			};
			struct fh_ecpri_msg out;

			assert_int_equal(fh_ecpri_build(buf, sizeof(buf), &in),
					 24);
			assert_int_equal(buf[5], a);
			parse_single(buf, 24, 0, &out);
			assert_int_equal(out.u.delay.measurement_id, 0xf0 + a);
			assert_int_equal(out.u.delay.action_type, a);
			assert_int_equal(out.u.delay.ts_s, ts[i].s);
			assert_int_equal(out.u.delay.ts_ns, ts[i].ns);
			assert_true(out.u.delay.compensation == ts[i].comp);
		}
	}
}

static void test_ecpri_delay_ns_out_of_range_rejected(void **state)
{
	uint8_t buf[64];
	struct fh_ecpri_msg in = {
		.type = FH_ECPRI_DELAY,
		.u.delay = {.action_type = FH_DELAY_REQ, .ts_ns = 1000000000u},
	};

	(void)state;
	assert_int_equal(fh_ecpri_build(buf, sizeof(buf), &in), 24);
	/* error points at the nanoseconds field */
	expect_error(buf, 24, 100, -EBADMSG, 100 + 4 + 8);
}

static void test_ecpri_reset_vector(void **state)
{
	static const uint8_t v[] = {0x10, 0x06, 0x00, 0x05, 0x12,
				    0x34, 0x02, 0xaa, 0xbb};
	struct fh_ecpri_msg m;

	(void)state;
	parse_single(v, sizeof(v), 0, &m);
	assert_int_equal(m.type, FH_ECPRI_RESET);
	assert_int_equal(m.payload_size, 5);
	assert_int_equal(m.u.reset.reset_id, 0x1234);
	assert_int_equal(m.u.reset.operation, 2);
	assert_ptr_equal(m.body, v + 7);
	assert_int_equal(m.body_len, 2);
	expect_rebuild_identical(v, sizeof(v), &m);
}

static void test_ecpri_event_vector_elements(void **state)
{
	/* Event_ID 1, type 2, sequence 3, 2 elements, one trailing byte */
	static const uint8_t v[] = {
		0x10, 0x07, 0x00, 0x15, 0x01, 0x02, 0x03, 0x02, 0x00,
		0x0a, 0x10, 0x05, 0xca, 0xfe, 0xf0, 0x0d, 0xff, 0xff,
		0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x99,
	};
	struct fh_ecpri_msg m;

	(void)state;
	parse_single(v, sizeof(v), 0, &m);
	assert_int_equal(m.type, FH_ECPRI_EVENT);
	assert_int_equal(m.payload_size, 21);
	assert_int_equal(m.u.event.event_id, 1);
	assert_int_equal(m.u.event.event_type, 2);
	assert_int_equal(m.u.event.sequence, 3);
	assert_int_equal(m.u.event.num_elements, 2);
	assert_ptr_equal(m.u.event.elements, v + 8);
	/* the body starts after the elements */
	assert_ptr_equal(m.body, v + 24);
	assert_int_equal(m.body_len, 1);
	expect_rebuild_identical(v, sizeof(v), &m);
}

static void test_ecpri_event_roundtrip_no_elements(void **state)
{
	uint8_t buf[16];
	struct fh_ecpri_msg in = {
		.type = FH_ECPRI_EVENT,
		.u.event = {.event_id = 0xee,
			    .event_type = 4,
			    .sequence = 0xff},
	};
	struct fh_ecpri_msg out;

	(void)state;
	assert_int_equal(fh_ecpri_build(buf, sizeof(buf), &in), 8);
	parse_single(buf, 8, 0, &out);
	assert_int_equal(out.payload_size, 4);
	assert_int_equal(out.u.event.event_id, 0xee);
	assert_int_equal(out.u.event.event_type, 4);
	assert_int_equal(out.u.event.sequence, 0xff);
	assert_int_equal(out.u.event.num_elements, 0);
	assert_int_equal(out.body_len, 0);
}

static void test_ecpri_event_count_past_payload_rejected(void **state)
{
	/* 3 elements announced, 2 present */
	uint8_t v[4 + 4 + 16];

	(void)state;
	memset(v, 0, sizeof(v));
	v[0] = 0x10;
	v[1] = FH_ECPRI_EVENT;
	v[3] = 20;
	v[7] = 3;
	expect_error(v, sizeof(v), 8, -EBADMSG, 8 + 4 + 3);
	v[7] = 2;
	{
		struct fh_ecpri_msg m;

		parse_single(v, sizeof(v), 0, &m);
		assert_int_equal(m.u.event.num_elements, 2);
		assert_int_equal(m.body_len, 0);
	}
}

/* Every type 0-7: build from every field, parse, compare every field. */
static void test_ecpri_build_parse_roundtrip_every_type(void **state)
{
	static const uint8_t body[5] = {1, 2, 3, 4, 5};
	static const uint8_t elems[16] = {0x11, 0x12, 0x13, 0x14, 0x15, 0x16,
					  0x17, 0x18, 0x21, 0x22, 0x23, 0x24,
					  0x25, 0x26, 0x27, 0x28};
	uint8_t buf[64];

	(void)state;
	for (unsigned t = 0; t < 8; t++) {
		struct fh_ecpri_msg in = {
			.type = (uint8_t)t,
			.reserved = 6,
			.body = body,
			.body_len = sizeof(body),
		};
		struct fh_ecpri_msg out;
		size_t fixed = (size_t)fh_ecpri_fixed_len((uint8_t)t);
		long n;

		switch (t) {
		case FH_ECPRI_GENERIC:
			in.u.generic.pc_id = 0xdeadbeef;
			in.u.generic.seq_id = 0x80000001;
			break;
		case FH_ECPRI_RMA:
			in.u.rma.rma_id = 0x99;
			in.u.rma.rw = 2;
			in.u.rma.req_resp = 1;
			in.u.rma.element_id = 0x0102;
			in.u.rma.address = UINT64_C(0xa1a2a3a4a5a6);
			in.u.rma.length = 5;
			break;
		case FH_ECPRI_DELAY:
			in.u.delay.measurement_id = 7;
			in.u.delay.action_type = FH_DELAY_REMOTE_REQ;
			in.u.delay.ts_s = 3;
			in.u.delay.ts_ns = 4;
			in.u.delay.compensation = -5;
			break;
		case FH_ECPRI_RESET:
			in.u.reset.reset_id = 0xfedc;
			in.u.reset.operation = 1;
			break;
		case FH_ECPRI_EVENT:
			in.u.event.event_id = 9;
			in.u.event.event_type = 1;
			in.u.event.sequence = 200;
			in.u.event.num_elements = 2;
			in.u.event.elements = elems;
			fixed += sizeof(elems);
			break;
		default:
			in.u.iq.id = (uint16_t)(0x1000 * t + 0xabc);
			in.u.iq.seq_id = 0x3381;
			break;
		}
		n = fh_ecpri_build(buf, sizeof(buf), &in);
		assert_int_equal(n, 4 + fixed + sizeof(body));
		parse_single(buf, (size_t)n, 0, &out);
		assert_int_equal(out.revision, FH_ECPRI_REVISION);
		assert_int_equal(out.reserved, 6);
		assert_false(out.concatenated);
		assert_int_equal(out.type, t);
		assert_int_equal(out.payload_size, fixed + sizeof(body));
		assert_int_equal(out.body_len, sizeof(body));
		assert_memory_equal(out.body, body, sizeof(body));
		assert_ptr_equal(out.body, buf + 4 + fixed);
		switch (t) {
		case FH_ECPRI_GENERIC:
			assert_int_equal(out.u.generic.pc_id, 0xdeadbeef);
			assert_int_equal(out.u.generic.seq_id, 0x80000001);
			break;
		case FH_ECPRI_RMA:
			assert_int_equal(out.u.rma.rma_id, 0x99);
			assert_int_equal(out.u.rma.rw, 2);
			assert_int_equal(out.u.rma.req_resp, 1);
			assert_int_equal(out.u.rma.element_id, 0x0102);
			assert_int_equal(out.u.rma.address,
					 UINT64_C(0xa1a2a3a4a5a6));
			assert_int_equal(out.u.rma.length, 5);
			break;
		case FH_ECPRI_DELAY:
			assert_int_equal(out.u.delay.measurement_id, 7);
			assert_int_equal(out.u.delay.action_type,
					 FH_DELAY_REMOTE_REQ);
			assert_int_equal(out.u.delay.ts_s, 3);
			assert_int_equal(out.u.delay.ts_ns, 4);
			assert_true(out.u.delay.compensation == -5);
			break;
		case FH_ECPRI_RESET:
			assert_int_equal(out.u.reset.reset_id, 0xfedc);
			assert_int_equal(out.u.reset.operation, 1);
			break;
		case FH_ECPRI_EVENT:
			assert_int_equal(out.u.event.event_id, 9);
			assert_int_equal(out.u.event.event_type, 1);
			assert_int_equal(out.u.event.sequence, 200);
			assert_int_equal(out.u.event.num_elements, 2);
			assert_memory_equal(out.u.event.elements, elems,
					    sizeof(elems));
			break;
		default:
			assert_int_equal(out.u.iq.id, 0x1000 * t + 0xabc);
			assert_int_equal(out.u.iq.seq_id, 0x3381);
			break;
		}
	}
}

/* ---- unknown types ------------------------------------------------------- */

static void test_ecpri_unknown_types_opaque_payload(void **state)
{
	static const uint8_t types[] = {8, 9, 11, 12, 0x7f, 0xff};
	uint8_t v[4 + 3] = {0x10, 0, 0x00, 0x03, 0xaa, 0xbb, 0xcc};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		struct fh_ecpri_msg m;

		v[1] = types[i];
		parse_single(v, sizeof(v), 0, &m);
		assert_int_equal(m.type, types[i]);
		assert_int_equal(m.payload_size, 3);
		assert_ptr_equal(m.payload, v + 4);
		assert_ptr_equal(m.body, v + 4);
		assert_int_equal(m.body_len, 3);
		assert_int_equal(m.u.generic.pc_id, 0);
		assert_int_equal(m.u.generic.seq_id, 0);
	}
	/* an empty opaque payload is fine too */
	v[1] = 10;
	v[3] = 0;
	{
		struct fh_ecpri_msg m;

		parse_single(v, 4, 0, &m);
		assert_int_equal(m.body_len, 0);
	}
}

static void test_ecpri_build_unknown_type_rejected(void **state)
{
	uint8_t buf[16];
	struct fh_ecpri_msg m = {.type = 8};

	(void)state;
	assert_int_equal(fh_ecpri_build(buf, sizeof(buf), &m), -EINVAL);
	m.type = 0xff;
	assert_int_equal(fh_ecpri_build(buf, sizeof(buf), &m), -EINVAL);
}

/* ---- header errors ------------------------------------------------------- */

static void test_ecpri_revision_not_1_rejected(void **state)
{
	uint8_t v[] = {0x10, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00};

	(void)state;
	for (unsigned rev = 0; rev < 16; rev++) {
		if (rev == 1) {
			continue;
		}
		v[0] = (uint8_t)(rev << 4);
		expect_error(v, sizeof(v), 0, -EBADMSG, 0);
		expect_error(v, sizeof(v), 64, -EBADMSG, 64);
	}
}

static void test_ecpri_build_revision_0_writes_1(void **state)
{
	uint8_t buf[8];
	struct fh_ecpri_msg m = {.type = FH_ECPRI_IQ_DATA};

	(void)state;
	assert_int_equal(fh_ecpri_build(buf, sizeof(buf), &m), 8);
	assert_int_equal(buf[0], 0x10);
	/* an explicit other revision is written as given */
	m.revision = 2;
	assert_int_equal(fh_ecpri_build(buf, sizeof(buf), &m), 8);
	assert_int_equal(buf[0] >> 4, 2);
	expect_error(buf, sizeof(buf), 0, -EBADMSG, 0);
}

static void test_ecpri_payload_size_past_buffer(void **state)
{
	uint8_t v[] = {0x10, 0x02, 0x00, 0x09, 0x00, 0x00,
		       0x00, 0x00, 0x01, 0x02, 0x03, 0x04};

	(void)state;
	/* 9 announced, 8 present: error on the payload size field */
	expect_error(v, sizeof(v), 0, -EMSGSIZE, 2);
	expect_error(v, sizeof(v), 30, -EMSGSIZE, 32);
	v[2] = 0xff;
	v[3] = 0xff;
	expect_error(v, sizeof(v), 0, -EMSGSIZE, 2);
}

static void test_ecpri_payload_below_type_minimum(void **state)
{
	uint8_t v[64];

	(void)state;
	memset(v, 0, sizeof(v));
	for (unsigned t = 0; t < 8; t++) {
		int min = fh_ecpri_fixed_len((uint8_t)t);
		struct fh_ecpri_msg m;

		v[0] = 0x10;
		v[1] = (uint8_t)t;
		for (int ps = 0; ps < min; ps++) {
			v[3] = (uint8_t)ps;
			expect_error(v, sizeof(v), 12, -EMSGSIZE, 12 + 2);
		}
		/* exactly the minimum parses (zero fields are all valid) */
		v[3] = (uint8_t)min;
		parse_single(v, 4 + (size_t)min, 0, &m);
		assert_int_equal(m.type, t);
		assert_int_equal(m.body_len, 0);
	}
}

static void test_ecpri_short_common_header(void **state)
{
	static const uint8_t v[] = {0x10, 0x00, 0x00};

	(void)state;
	for (size_t len = 0; len < sizeof(v); len++) {
		expect_error(v, len, 5, -EMSGSIZE, 5);
	}
}

/* ---- concatenation ------------------------------------------------------ */

struct concat {
	uint8_t buf[64];
	size_t len;
	size_t off[3];
};

/* RTC (payload 7 -> 1 byte padding), delay (24 bytes), IQ (last, C=0) */
static void build_concat(struct concat *c)
{
	static const uint8_t rtc_body[3] = {0xc1, 0xc2, 0xc3};
	static const uint8_t iq_body[5] = {0xd1, 0xd2, 0xd3, 0xd4, 0xd5};
	struct fh_ecpri_msg a = {
		.type = FH_ECPRI_RT_CTRL,
		.concatenated = true,
		.u.iq = {.id = 0x1234, .seq_id = 0x0180},
		.body = rtc_body,
		.body_len = sizeof(rtc_body),
	};
	struct fh_ecpri_msg b = {
		.type = FH_ECPRI_DELAY,
		.concatenated = true,
		.u.delay = {.measurement_id = 1,
			    .action_type = FH_DELAY_REQ_FOLLOW_UP,
			    .ts_s = 10,
			    .ts_ns = 20,
			    .compensation = 30},
	};
	struct fh_ecpri_msg d = {
		.type = FH_ECPRI_IQ_DATA,
		.u.iq = {.id = 0x4321, .seq_id = 0x0280},
		.body = iq_body,
		.body_len = sizeof(iq_body),
	};
	long n;

	memset(c->buf, 0xee, sizeof(c->buf));
	c->off[0] = 0;
	n = fh_ecpri_build(c->buf, sizeof(c->buf), &a);
	assert_int_equal(n, 12);
	c->off[1] = 12;
	n = fh_ecpri_build(c->buf + 12, sizeof(c->buf) - 12, &b);
	assert_int_equal(n, 24);
	c->off[2] = 36;
	n = fh_ecpri_build(c->buf + 36, sizeof(c->buf) - 36, &d);
	assert_int_equal(n, 13);
	c->len = 49;
}

static void test_ecpri_concat_build_pads_to_4(void **state)
{
	struct concat c;

	(void)state;
	build_concat(&c);
	assert_int_equal(c.buf[0], 0x11); /* C bit */
	assert_int_equal(c.buf[3], 7); /* padding excluded */
	assert_int_equal(c.buf[11], 0); /* the pad byte is zero */
	assert_int_equal(c.buf[12], 0x11);
	assert_int_equal(c.buf[15], 20);
	assert_int_equal(c.buf[36], 0x10); /* last: C = 0, no padding */
	assert_int_equal(c.buf[39], 9);
	assert_int_equal(c.buf[49], 0xee); /* nothing written past */
}

static void test_ecpri_concat_parse_three_messages(void **state)
{
	struct concat c;
	struct fh_ecpri_iter it;
	struct fh_ecpri_msg m;
	struct fh_err err = {0};

	(void)state;
	build_concat(&c);
	fh_ecpri_iter_init(&it, c.buf, c.len, 42);

	assert_int_equal(fh_ecpri_next(&it, &m, &err), 1);
	assert_true(m.concatenated);
	assert_int_equal(m.type, FH_ECPRI_RT_CTRL);
	assert_int_equal(m.offset, 42);
	assert_int_equal(m.payload_size, 7);
	assert_int_equal(m.u.iq.id, 0x1234);
	assert_int_equal(m.u.iq.seq_id, 0x0180);
	assert_int_equal(m.body_len, 3);
	assert_int_equal(m.body[2], 0xc3);

	assert_int_equal(fh_ecpri_next(&it, &m, &err), 1);
	assert_true(m.concatenated);
	assert_int_equal(m.type, FH_ECPRI_DELAY);
	assert_int_equal(m.offset, 42 + 12);
	assert_int_equal(m.u.delay.action_type, FH_DELAY_REQ_FOLLOW_UP);
	assert_int_equal(m.u.delay.ts_s, 10);
	assert_int_equal(m.u.delay.ts_ns, 20);
	assert_true(m.u.delay.compensation == 30);

	assert_int_equal(fh_ecpri_next(&it, &m, &err), 1);
	assert_false(m.concatenated);
	assert_int_equal(m.type, FH_ECPRI_IQ_DATA);
	assert_int_equal(m.offset, 42 + 36);
	assert_int_equal(m.u.iq.id, 0x4321);
	assert_int_equal(m.body_len, 5);
	assert_ptr_equal(m.body + 5, c.buf + c.len);

	assert_int_equal(fh_ecpri_next(&it, &m, &err), 0);
	assert_int_equal(fh_ecpri_next(&it, &m, &err), 0);
}

static void test_ecpri_concat_padding_content_ignored(void **state)
{
	/* type 6 payload 3 + 1 pad byte (0xee), then type 1 payload 4;
	 * trailing bytes after a C=0 message are not parsed */
	static const uint8_t v[] = {
		0x11, 0x06, 0x00, 0x03, 0x00, 0x07, 0x01, 0xee, 0x10, 0x01,
		0x00, 0x04, 0x00, 0x02, 0x00, 0x03, 0x77, 0x77, 0x77, 0x77,
	};
	struct fh_ecpri_iter it;
	struct fh_ecpri_msg m;
	struct fh_err err = {0};

	(void)state;
	fh_ecpri_iter_init(&it, v, sizeof(v), 0);
	assert_int_equal(fh_ecpri_next(&it, &m, &err), 1);
	assert_int_equal(m.type, FH_ECPRI_RESET);
	assert_int_equal(m.u.reset.reset_id, 7);
	assert_int_equal(m.u.reset.operation, 1);
	assert_int_equal(m.body_len, 0);
	assert_int_equal(fh_ecpri_next(&it, &m, &err), 1);
	assert_int_equal(m.type, FH_ECPRI_BIT_SEQ);
	assert_int_equal(m.offset, 8);
	assert_int_equal(m.u.iq.id, 2);
	assert_int_equal(m.u.iq.seq_id, 3);
	assert_int_equal(fh_ecpri_next(&it, &m, &err), 0);
}

static void test_ecpri_concat_no_room_for_next_is_eproto(void **state)
{
	uint8_t v[16] = {0x11, 0x02, 0x00, 0x05, 0x00, 0x01, 0x00, 0x02,
			 0x03, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x04};
	struct fh_ecpri_iter it;
	struct fh_ecpri_msg m;
	struct fh_err err = {0};

	(void)state;
	/* C=1 and the frame ends inside the padding, at the boundary, or
	 * with fewer than 4 bytes of the next header */
	for (size_t len = 9; len < 16; len++) {
		uint8_t *copy = dup_exact(v, len);

		fh_ecpri_iter_init(&it, copy, len, 20);
		assert_int_equal(fh_ecpri_next(&it, &m, &err), -EPROTO);
		assert_int_equal(err.code, -EPROTO);
		assert_int_equal(err.offset, 20);
		assert_int_equal(fh_ecpri_next(&it, &m, &err), 0);
		free(copy);
	}
	/* with the whole next header present the chain parses */
	fh_ecpri_iter_init(&it, v, 16, 0);
	assert_int_equal(fh_ecpri_next(&it, &m, &err), 1);
	assert_int_equal(m.payload_size, 5);
	assert_int_equal(fh_ecpri_next(&it, &m, &err), -EMSGSIZE);
	assert_int_equal(err.offset, 12 + 2);
}

static void test_ecpri_concat_error_in_second_message(void **state)
{
	struct concat c;
	struct fh_ecpri_iter it;
	struct fh_ecpri_msg m;
	struct fh_err err = {0};

	(void)state;
	build_concat(&c);
	c.buf[12] = 0x31; /* revision 3 on the second message */
	fh_ecpri_iter_init(&it, c.buf, c.len, 0);
	assert_int_equal(fh_ecpri_next(&it, &m, &err), 1);
	assert_int_equal(fh_ecpri_next(&it, &m, &err), -EBADMSG);
	assert_int_equal(err.offset, 12);
	assert_int_equal(fh_ecpri_next(&it, &m, &err), 0);
}

/* Truncating a valid concatenated buffer anywhere must fail cleanly. */
static void test_ecpri_truncation_every_byte_fails(void **state)
{
	struct concat c;

	(void)state;
	build_concat(&c);
	for (size_t cut = 0; cut < c.len; cut++) {
		uint8_t *copy = dup_exact(c.buf, cut);
		struct fh_ecpri_iter it;
		struct fh_ecpri_msg m;
		struct fh_err err = {.code = 1};
		int ret, good = 0;

		fh_ecpri_iter_init(&it, copy, cut, 1000);
		while ((ret = fh_ecpri_next(&it, &m, &err)) == 1) {
			/* what was returned lies inside the buffer */
			assert_true(m.payload + m.payload_size <= copy + cut);
			assert_true(m.body + m.body_len <= copy + cut);
			good++;
		}
		assert_true(ret < 0);
		assert_int_equal(err.code, ret);
		assert_true(good < 3);
		assert_true(err.offset >= 1000);
		assert_true(err.offset < 1000 + (cut != 0 ? cut : 1));
		assert_int_equal(fh_ecpri_next(&it, &m, &err), 0);
		free(copy);
	}
}

/* ---- builder errors ----------------------------------------------------- */

static void test_ecpri_build_small_cap_enospc(void **state)
{
	static const uint8_t body[3] = {1, 2, 3};
	uint8_t buf[64];

	(void)state;
	for (unsigned t = 0; t < 8; t++) {
		struct fh_ecpri_msg m = {
			.type = (uint8_t)t,
			.concatenated = true,
			.body = body,
			.body_len = sizeof(body),
		};
		size_t need = 4 + (size_t)fh_ecpri_fixed_len((uint8_t)t) + 3;

		need = (need + 3) & ~(size_t)3;
		for (size_t cap = 0; cap < need; cap++) {
			memset(buf, 0xa5, sizeof(buf));
			assert_int_equal(fh_ecpri_build(buf, cap, &m), -ENOSPC);
			assert_int_equal(buf[0], 0xa5);
		}
		assert_int_equal(fh_ecpri_build(buf, need, &m), (long)need);
	}
}

static void test_ecpri_build_payload_over_16_bits_einval(void **state)
{
	size_t cap = 70000;
	uint8_t *buf = calloc(1, cap);
	uint8_t *body = calloc(1, cap);
	struct fh_ecpri_msg m = {.type = FH_ECPRI_IQ_DATA, .body = body};
	struct fh_ecpri_msg out;

	(void)state;
	assert_non_null(buf);
	assert_non_null(body);
	m.body_len = 0xffff - 4 + 1;
	assert_int_equal(fh_ecpri_build(buf, cap, &m), -EINVAL);
	/* the largest payload that fits the 16-bit size */
	m.body_len = 0xffff - 4;
	assert_int_equal(fh_ecpri_build(buf, cap, &m), 4 + 0xffff);
	parse_single(buf, 4 + 0xffff, 0, &out);
	assert_int_equal(out.payload_size, 0xffff);
	assert_int_equal(out.body_len, 0xffff - 4);
	free(buf);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ecpri_fixed_len_per_type),
		cmocka_unit_test(test_ecpri_type_names),
		cmocka_unit_test(test_oran_seq_split_fields),
		cmocka_unit_test(test_oran_seq_split_join_every_value),
		cmocka_unit_test(test_oran_seq_join_masks_out_of_range),
		cmocka_unit_test(test_ecpri_iq_data_vector),
		cmocka_unit_test(test_ecpri_bit_seq_and_rtc_vectors),
		cmocka_unit_test(test_ecpri_common_header_reserved_bits_kept),
		cmocka_unit_test(test_ecpri_generic_vector),
		cmocka_unit_test(test_ecpri_rma_vector),
		cmocka_unit_test(test_ecpri_rma_write_request_carries_data),
		cmocka_unit_test(test_ecpri_delay_vector),
		cmocka_unit_test(test_ecpri_delay_every_action_roundtrip),
		cmocka_unit_test(test_ecpri_delay_ns_out_of_range_rejected),
		cmocka_unit_test(test_ecpri_reset_vector),
		cmocka_unit_test(test_ecpri_event_vector_elements),
		cmocka_unit_test(test_ecpri_event_roundtrip_no_elements),
		cmocka_unit_test(test_ecpri_event_count_past_payload_rejected),
		cmocka_unit_test(test_ecpri_build_parse_roundtrip_every_type),
		cmocka_unit_test(test_ecpri_unknown_types_opaque_payload),
		cmocka_unit_test(test_ecpri_build_unknown_type_rejected),
		cmocka_unit_test(test_ecpri_revision_not_1_rejected),
		cmocka_unit_test(test_ecpri_build_revision_0_writes_1),
		cmocka_unit_test(test_ecpri_payload_size_past_buffer),
		cmocka_unit_test(test_ecpri_payload_below_type_minimum),
		cmocka_unit_test(test_ecpri_short_common_header),
		cmocka_unit_test(test_ecpri_concat_build_pads_to_4),
		cmocka_unit_test(test_ecpri_concat_parse_three_messages),
		cmocka_unit_test(test_ecpri_concat_padding_content_ignored),
		cmocka_unit_test(test_ecpri_concat_no_room_for_next_is_eproto),
		cmocka_unit_test(test_ecpri_concat_error_in_second_message),
		cmocka_unit_test(test_ecpri_truncation_every_byte_fails),
		cmocka_unit_test(test_ecpri_build_small_cap_enospc),
		cmocka_unit_test(test_ecpri_build_payload_over_16_bits_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
