/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fh_cplane_fits, the data path's short cut for the usual C-plane message,
 * must answer exactly what the full walk (fh_oran_valid) answers, for any
 * bytes: a differential test over messages built and then bent at random
 * (section types, counts, extension bits, payload sizes, truncation,
 * segment split, concatenation, flipped header bytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fh/valid.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* One C-plane message at buf: n sections of type t, ext[k] != 0 gives
 * section k a 4-byte extension (type 4); returns the frame bytes. */
static size_t build(uint8_t *buf, uint8_t t, unsigned n, const bool *ext)
{
	size_t pos = 8 + 8; /* eCPRI header, ids; radio + common header */
	uint16_t ps;

	memset(buf, 0, 512);
	buf[0] = 0x10;
	buf[1] = 2;
	buf[4] = 0x00; /* pcid */
	buf[5] = 0x01;
	buf[6] = 7; /* seqid, E=1 */
	buf[7] = 0x80;
	buf[8] = 0x90; /* DL, payloadVersion 1 */
	buf[9] = 3;
	buf[10] = 0x10;
	buf[11] = 0x02;
	buf[12] = (uint8_t)n;
	buf[13] = t;
	buf[14] = 0x91; /* udCompHdr */
	for (unsigned k = 0; k < n; k++) {
		uint8_t *s = buf + pos;

		s[0] = (uint8_t)(k >> 4);
		s[1] = (uint8_t)(k << 4);
		s[2] = (uint8_t)(k * 10);
		s[3] = 10;
		s[4] = 0xff;
		s[5] = 0xf1;
		s[6] = ext[k] ? 0x80 : 0x00;
		pos += 8;
		if (ext[k]) {
			buf[pos] = 4; /* extType 4, last */
			buf[pos + 1] = 1; /* 4 bytes */
			buf[pos + 2] = 0x12;
			pos += 4;
		}
	}
	ps = (uint16_t)(pos - 4);
	buf[2] = (uint8_t)(ps >> 8);
	buf[3] = (uint8_t)ps;
	return pos;
}

static void test_fits_is_the_walk(void **state)
{
	static const uint8_t types[] = {1, 1, 1, 5, 3, 0, 6, 7, 2};
	uint8_t buf[512];
	unsigned agree_valid = 0, agree_invalid = 0;

	(void)state;
	for (int it = 0; it < 200000; it++) {
		bool ext[8] = {false};
		unsigned n = rnd(8);
		uint8_t t = types[rnd(sizeof(types))];
		size_t len, seg;
		bool fast, walk;

		for (unsigned k = 0; k < n; k++) {
			ext[k] = rnd(6) == 0;
		}
		len = build(buf, t, n, ext);
		switch (rnd(8)) {
		case 0: /* payload size off by a little */
			buf[3] = (uint8_t)(buf[3] + rnd(17) - 8);
			break;
		case 1: /* numberOfSections off */
			buf[12] = (uint8_t)(buf[12] + rnd(5) - 2);
			break;
		case 2: /* a flipped header byte */
			buf[rnd(16)] ^= (uint8_t)(1u << rnd(8));
			break;
		case 3: /* a flipped section byte */
			buf[16 + rnd(64)] ^= (uint8_t)(1u << rnd(8));
			break;
		case 4: /* concatenated, revision or version changed */
			buf[0] = (uint8_t[]){0x11, 0x20, 0x12, 0x10}[rnd(4)];
			buf[8] = (uint8_t[]){0x90, 0xa0, 0x10}[rnd(3)];
			break;
		default:
			break;
		}
		/* Ethernet padding after the message, or a frame cut short */
		len = rnd(4) == 0 ? len - rnd((unsigned)len - 9) :
				    len + rnd(40);
		seg = rnd(5) == 0 ? 9 + rnd((unsigned)len - 8) : len;
		fast = fh_cplane_fits(buf, len, seg);
		walk = fh_oran_valid(buf, len, seg);
		if (fast != walk) {
			for (size_t q = 0; q < len && q < 40; q++) {
				print_message("%02x ", buf[q]);
			}
			fail_msg("iteration %d: type %u, %u sections, len %zu, "
				 "seg %zu: fits %d, walk %d",
				 it, t, n, len, seg, fast, walk);
		}
		if (walk) {
			agree_valid++;
		} else {
			agree_invalid++;
		}
	}
	/* the generator reaches both answers, often */
	assert_true(agree_valid > 20000);
	assert_true(agree_invalid > 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits_is_the_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
