/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PTP as the transparent clock sees it (fh/ptp.h): every message type
 * found over Ethernet (0, 1, 2 tags), UDP/IPv4 and UDP/IPv6; headers that
 * do not hold; correctionField arithmetic (negative, overflow, the
 * saturated value) and the UDP checksum after a correction, checked
 * against a checksum computed here from scratch.  Frames are heap copies
 * of their exact length so ASan catches a read past the end.
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
#include "fh/ptp.h"

enum transport { ETH0, ETH1, ETH2, UDP4, UDP4_NOCSUM, UDP6 };

static const unsigned all_types[] = {
	FH_PTP_SYNC,
	FH_PTP_DELAY_REQ,
	FH_PTP_PDELAY_REQ,
	FH_PTP_PDELAY_RESP,
	FH_PTP_FOLLOW_UP,
	FH_PTP_DELAY_RESP,
	FH_PTP_PDELAY_RESP_FOLLOW_UP,
	FH_PTP_ANNOUNCE,
	FH_PTP_SIGNALING,
	FH_PTP_MANAGEMENT,
};

/* The UDP checksum of the datagram at udp, from scratch (RFC 768 /
 * RFC 8200 pseudo-header). */
static uint16_t ref_udp_csum(const uint8_t *f, size_t l3, size_t udp, int ipv)
{
	uint64_t sum = 0;
	size_t ulen = fh_get_be16(f + udp + 4);

	if (ipv == 4) {
		for (size_t i = 12; i < 20; i += 2) {
			sum += fh_get_be16(f + l3 + i);
		}
	} else {
		for (size_t i = 8; i < 40; i += 2) {
			sum += fh_get_be16(f + l3 + i);
		}
	}
	sum += 17 + ulen;
	for (size_t i = 0; i < ulen; i += 2) {
		uint16_t w = (uint16_t)(f[udp + i] << 8);

		if (i + 1 < ulen) {
			w |= f[udp + i + 1];
		}
		if (i != 6) { /* the checksum field itself */
			sum += w;
		}
	}
	while (sum >> 16) {
		sum = (sum & 0xffff) + (sum >> 16);
	}
	sum = (uint16_t)~sum;
	return sum == 0 ? 0xffff : (uint16_t)sum;
}

/* A frame carrying one PTP message of type t (44 bytes: header plus a
 * timestamp) on transport tr; *len gets its length. */
static uint8_t *build(enum transport tr, unsigned t, int64_t corr, size_t *len)
{
	uint8_t b[256] = {0};
	size_t o = 12, l3, udp = 0, plen = 44;
	uint8_t *out;

	memcpy(b, "\x01\x1b\x19\x00\x00\x00\x02\x00\x00\x00\x00\x01", 12);
	if (tr == ETH1 || tr == ETH2) {
		fh_put_be16(b + o, tr == ETH2 ? 0x88A8 : 0x8100);
		fh_put_be16(b + o + 2, 100);
		o += 4;
	}
	if (tr == ETH2) {
		fh_put_be16(b + o, 0x8100);
		fh_put_be16(b + o + 2, 7);
		o += 4;
	}
	switch (tr) {
	case UDP4:
	case UDP4_NOCSUM:
		fh_put_be16(b + o, 0x0800);
		l3 = o + 2;
		b[l3] = 0x45;
		fh_put_be16(b + l3 + 2, (uint16_t)(20 + 8 + plen));
		b[l3 + 8] = 1;
		b[l3 + 9] = 17;
		memcpy(b + l3 + 12, "\xc0\xa8\x01\x01\xe0\x00\x01\x81", 8);
		udp = l3 + 20;
		break;
	case UDP6:
		fh_put_be16(b + o, 0x86DD);
		l3 = o + 2;
		b[l3] = 0x60;
		fh_put_be16(b + l3 + 4, (uint16_t)(8 + plen));
		b[l3 + 6] = 17;
		b[l3 + 7] = 1;
		b[l3 + 8] = 0xfe;
		b[l3 + 9] = 0x80;
		b[l3 + 23] = 1;
		b[l3 + 24] = 0xff;
		b[l3 + 25] = 0x0e;
		b[l3 + 39] = 0x6b;
		udp = l3 + 40;
		break;
	default:
		fh_put_be16(b + o, 0x88F7);
		l3 = o + 2;
		break;
	}
	if (udp) {
		fh_put_be16(b + udp, fh_ptp_is_event(t) ? 319 : 320);
		fh_put_be16(b + udp + 2, fh_ptp_is_event(t) ? 319 : 320);
		fh_put_be16(b + udp + 4, (uint16_t)(8 + plen));
	}
	{
		uint8_t *p = b + (udp ? udp + 8 : l3);

		p[0] = (uint8_t)t;
		p[1] = 0x12; /* minorVersionPTP 1, versionPTP 2 */
		fh_put_be16(p + 2, (uint16_t)plen);
		p[4] = 24;
		p[6] = t == FH_PTP_SYNC ? 0x02 : 0;
		fh_put_be32(p + 8, (uint32_t)((uint64_t)corr >> 32));
		fh_put_be32(p + 12, (uint32_t)corr);
		for (size_t i = 20; i < plen; i++) {
			p[i] = (uint8_t)(i * 7 + t);
		}
	}
	*len = (udp ? udp + 8 : l3) + plen;
	if (udp && tr != UDP4_NOCSUM) {
		fh_put_be16(b + udp + 6,
			    ref_udp_csum(b, l3, udp, tr == UDP6 ? 6 : 4));
	}
	out = malloc(*len);
	assert_non_null(out);
	memcpy(out, b, *len);
	return out;
}

static void test_locate_every_type(void **state)
{
	(void)state;
	for (int tr = ETH0; tr <= UDP6; tr++) {
		for (size_t k = 0; k < sizeof(all_types) / sizeof(*all_types);
		     k++) {
			unsigned t = all_types[k];
			size_t len;
			uint8_t *f = build((enum transport)tr, t, 0, &len);
			struct fh_ptp_loc loc;

			assert_int_equal(fh_ptp_locate(f, len, &loc), 1);
			assert_int_equal(loc.type, t);
			assert_int_equal(loc.domain, 24);
			assert_int_equal(loc.two_step, t == FH_PTP_SYNC);
			assert_int_equal(loc.ptp_off, len - 44);
			assert_int_equal(loc.ip_version, tr == UDP6 ? 6 :
							 tr >= UDP4 ? 4 :
								      0);
			assert_int_equal(loc.l3_off, tr == ETH1 ? 18 :
						     tr == ETH2 ? 22 :
								  14);
			assert_non_null(fh_ptp_type_name(t));
			free(f);
		}
	}
	assert_true(fh_ptp_is_event(FH_PTP_PDELAY_RESP));
	assert_false(fh_ptp_is_event(FH_PTP_FOLLOW_UP));
	assert_null(fh_ptp_type_name(4));
}

static void test_not_ptp_or_broken(void **state)
{
	size_t len;
	uint8_t *f;
	struct fh_ptp_loc loc;

	(void)state;
	/* eCPRI */
	f = build(ETH0, FH_PTP_SYNC, 0, &len);
	fh_put_be16(f + 12, 0xAEFE);
	assert_int_equal(fh_ptp_locate(f, len, &loc), 0);
	free(f);
	/* every truncation of a tagged PTP frame: not PTP while the
	 * ethertype is cut, then a header that does not hold */
	f = build(ETH1, FH_PTP_DELAY_REQ, 0, &len);
	for (size_t n = 0; n < len; n++) {
		uint8_t *c = malloc(n ? n : 1);
		int r;

		memcpy(c, f, n);
		r = fh_ptp_locate(c, n, &loc);
		assert_int_equal(r, n < 18 ? 0 : -EBADMSG);
		free(c);
	}
	/* versionPTP 1 */
	f[18 + 1] = 0x01;
	assert_int_equal(fh_ptp_locate(f, len, &loc), -EBADMSG);
	f[18 + 1] = 0x02;
	/* messageLength past the frame, and below the header */
	fh_put_be16(f + 18 + 2, 45);
	assert_int_equal(fh_ptp_locate(f, len, &loc), -EBADMSG);
	fh_put_be16(f + 18 + 2, 33);
	assert_int_equal(fh_ptp_locate(f, len, &loc), -EBADMSG);
	free(f);
	/* UDP to another port; an IPv4 fragment; UDP length past the end */
	f = build(UDP4, FH_PTP_SYNC, 0, &len);
	fh_put_be16(f + 34 + 2, 5000);
	assert_int_equal(fh_ptp_locate(f, len, &loc), 0);
	fh_put_be16(f + 34 + 2, 319);
	fh_put_be16(f + 14 + 6, 0x2000);
	assert_int_equal(fh_ptp_locate(f, len, &loc), 0);
	fh_put_be16(f + 14 + 6, 0);
	assert_int_equal(fh_ptp_locate(f, len, &loc), 1);
	fh_put_be16(f + 34 + 4, (uint16_t)(len - 34 + 1));
	assert_int_equal(fh_ptp_locate(f, len, &loc), -EBADMSG);
	free(f);
}

static void test_correction_arithmetic(void **state)
{
	(void)state;
	assert_int_equal(fh_ptp_correction_sum(0, 5 << 16), 5 << 16);
	assert_int_equal(fh_ptp_correction_sum(-(10LL << 16), 3LL << 16),
			 -(7LL << 16));
	assert_true(fh_ptp_correction_sum(INT64_MAX - 5, 10) == INT64_MAX);
	assert_true(fh_ptp_correction_sum(INT64_MIN + 5, -10) == INT64_MIN);
	/* the saturated value means "too big": it stays */
	assert_true(fh_ptp_correction_sum(INT64_MAX, -(1LL << 40)) ==
		    INT64_MAX);
}

/* Corrections of every sign and size on every transport: the field
 * holds the sum, everything else is unchanged, the UDP checksum equals
 * one computed from scratch (and a zero IPv4 checksum stays zero). */
static void test_correction_add(void **state)
{
	static const int64_t start[] = {
		0, 1, -(1LL << 16) * 300, 0x00000123456789abLL, INT64_MAX - 100,
		-1};
	static const int64_t add[] = {1, 1234LL << 16,	     0xffff, 1LL << 40,
				      7, (1LL << 16) * 65535};

	(void)state;
	for (int tr = ETH0; tr <= UDP6; tr++) {
		for (size_t i = 0; i < sizeof(start) / sizeof(*start); i++) {
			for (size_t j = 0; j < sizeof(add) / sizeof(*add);
			     j++) {
				size_t len;
				uint8_t *f = build((enum transport)tr,
						   FH_PTP_SYNC, start[i], &len);
				uint8_t *orig = malloc(len);
				struct fh_ptp_loc loc;
				int64_t want =
					fh_ptp_correction_sum(start[i], add[j]);

				memcpy(orig, f, len);
				assert_int_equal(fh_ptp_locate(f, len, &loc),
						 1);
				fh_ptp_correction_add(f, &loc, add[j]);
				assert_true(fh_ptp_correction(
						    f + loc.ptp_off) == want);
				for (size_t k = 0; k < len; k++) {
					if ((k >= loc.ptp_off + 8u &&
					     k < loc.ptp_off + 16u) ||
					    (loc.udp_off &&
					     (k == loc.udp_off + 6u ||
					      k == loc.udp_off + 7u))) {
						continue;
					}
					assert_int_equal(f[k], orig[k]);
				}
				if (tr == UDP4_NOCSUM) {
					assert_int_equal(
						fh_get_be16(f + loc.udp_off +
							    6),
						0);
				} else if (loc.udp_off) {
					assert_int_equal(
						fh_get_be16(f + loc.udp_off +
							    6),
						ref_udp_csum(f, loc.l3_off,
							     loc.udp_off,
							     loc.ip_version));
				}
				free(orig);
				free(f);
			}
		}
	}
}

static void test_reserved_addresses(void **state)
{
	uint8_t m[6] = {0x01, 0x80, 0xC2, 0x00, 0x00, 0x0E};

	(void)state;
	assert_true(fh_mac_is_ptp_0e(m));
	assert_true(fh_mac_is_8021q_reserved(m));
	m[5] = 0x00; /* STP */
	assert_true(fh_mac_is_8021q_reserved(m));
	assert_false(fh_mac_is_ptp_0e(m));
	m[5] = 0x10;
	assert_false(fh_mac_is_8021q_reserved(m));
	memcpy(m, "\x01\x1b\x19\x00\x00\x00", 6);
	assert_false(fh_mac_is_8021q_reserved(m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_locate_every_type),
		cmocka_unit_test(test_not_ptp_or_broken),
		cmocka_unit_test(test_correction_arithmetic),
		cmocka_unit_test(test_correction_add),
		cmocka_unit_test(test_reserved_addresses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
