/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Transport framing around eCPRI (fh/frame.h, ORAN.md §1): Ethernet with
 * 0, 1 or 2 VLAN tags, ethertype 0xAEFE, IPv4/IPv6 + UDP on configured
 * ports, the Internet checksum and the header builder.  Frames handed to
 * the parser in the truncation tests are heap copies of exactly the
 * advertised length so that ASan catches any read past the end.
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
#include "fh/ecpri.h"
#include "fh/frame.h"

#define ECPRI_PORT 5000

static const uint8_t mac_dst[6] = {0x02, 0x00, 0x5e, 0x10, 0x20, 0x30};
static const uint8_t mac_src[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
static const uint8_t ip4_src[4] = {192, 168, 1, 10};
static const uint8_t ip4_dst[4] = {10, 0, 0, 254};

static struct fh_frame_cfg port_cfg(void)
{
	struct fh_frame_cfg cfg = {.udp_ports = {4000, ECPRI_PORT},
				   .n_udp_ports = 2};

	return cfg;
}

/* Ethernet header with n tags given as (tpid, tci) pairs; returns length. */
static size_t put_eth(uint8_t *b, const uint16_t (*tags)[2], unsigned n,
		      uint16_t ethertype)
{
	size_t off = 12;

	memcpy(b, mac_dst, 6);
	memcpy(b + 6, mac_src, 6);
	for (unsigned i = 0; i < n; i++) {
		fh_put_be16(b + off, tags[i][0]);
		fh_put_be16(b + off + 2, tags[i][1]);
		off += 4;
	}
	fh_put_be16(b + off, ethertype);
	return off + 2;
}

/* IPv4 header (ihl_words 5..15, options zero) with a valid checksum. */
static size_t put_ipv4(uint8_t *ip, unsigned ihl_words, uint16_t tot,
		       uint8_t proto, uint16_t frag, uint8_t dscp)
{
	size_t hl = (size_t)ihl_words * 4;

	memset(ip, 0, hl);
	ip[0] = (uint8_t)(0x40 | ihl_words);
	ip[1] = (uint8_t)(dscp << 2);
	fh_put_be16(ip + 2, tot);
	fh_put_be16(ip + 4, 0x1c46);
	fh_put_be16(ip + 6, frag);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, ip4_src, 4);
	memcpy(ip + 16, ip4_dst, 4);
	fh_put_be16(ip + 10, fh_inet_csum(ip, hl));
	return hl;
}

static size_t put_ipv6(uint8_t *ip, uint16_t plen, uint8_t next, uint8_t tclass)
{
	memset(ip, 0, 40);
	/* version 6 | traffic class | flow label 0x12345 */
	fh_put_be32(ip, 6u << 28 | (uint32_t)tclass << 20 | 0x12345);
	fh_put_be16(ip + 4, plen);
	ip[6] = next;
	ip[7] = 255;
	for (unsigned i = 0; i < 16; i++) {
		ip[8 + i] = (uint8_t)(0x20 + i);
		ip[24 + i] = (uint8_t)(0xf0 + i);
	}
	return 40;
}

static size_t put_udp(uint8_t *u, uint16_t sport, uint16_t dport, uint16_t ulen)
{
	fh_put_be16(u, sport);
	fh_put_be16(u + 2, dport);
	fh_put_be16(u + 4, ulen);
	fh_put_be16(u + 6, 0);
	return 8;
}

/* Fill n payload bytes with a recognisable pattern. */
static void fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = (uint8_t)(0x80 + i);
	}
}

static void expect_parse_error(const uint8_t *buf, size_t len,
			       const struct fh_frame_cfg *cfg, int code,
			       size_t offset)
{
	struct fh_frame f;
	struct fh_err err = {0};
	uint8_t *copy = dup_exact(buf, len);

	assert_int_equal(fh_frame_parse(copy, len, cfg, &f, &err), code);
	assert_int_equal(err.code, code);
	assert_int_equal(err.offset, offset);
	assert_non_null(err.reason);
	free(copy);
}

/* IPv4/UDP frame with 0 or 1 VLAN tag and n eCPRI bytes; returns length. */
static size_t ipv4_udp_frame(uint8_t *b, bool vlan, uint16_t dport, size_t n)
{
	static const uint16_t tag[1][2] = {{FH_ETHERTYPE_VLAN, 0xe00a}};
	size_t off = put_eth(b, tag, vlan ? 1 : 0, FH_ETHERTYPE_IPV4);

	off += put_ipv4(b + off, 5, (uint16_t)(28 + n), 17, 0x4000, 46);
	off += put_udp(b + off, 40000, dport, (uint16_t)(8 + n));
	fill(b + off, n);
	return off + n;
}

static size_t ipv6_udp_frame(uint8_t *b, uint16_t dport, size_t n)
{
	size_t off = put_eth(b, NULL, 0, FH_ETHERTYPE_IPV6);

	off += put_ipv6(b + off, (uint16_t)(8 + n), 17, 0xb8);
	off += put_udp(b + off, 1234, dport, (uint16_t)(8 + n));
	fill(b + off, n);
	return off + n;
}

/* ---- Ethernet and VLAN --------------------------------------------------- */

static void test_frame_untagged_ecpri(void **state)
{
	uint8_t b[64];
	size_t off = put_eth(b, NULL, 0, FH_ETHERTYPE_ECPRI);
	struct fh_frame f;
	struct fh_err err = {0};

	(void)state;
	fill(b + off, 8);
	assert_int_equal(fh_frame_parse(b, off + 8, NULL, &f, &err), 0);
	assert_memory_equal(f.dst, mac_dst, 6);
	assert_memory_equal(f.src, mac_src, 6);
	assert_int_equal(f.n_vlans, 0);
	assert_int_equal(f.ethertype, FH_ETHERTYPE_ECPRI);
	assert_int_equal(f.l3_offset, 14);
	assert_true(f.is_ecpri);
	assert_false(f.over_udp);
	assert_int_equal(f.ecpri_offset, 14);
	assert_int_equal(f.ecpri_len, 8);
	assert_int_equal(f.ip_version, 0);
	/* exactly the Ethernet header: eCPRI with nothing after it */
	assert_int_equal(fh_frame_parse(b, 14, NULL, &f, &err), 0);
	assert_true(f.is_ecpri);
	assert_int_equal(f.ecpri_len, 0);
}

static void test_frame_one_vlan_tag_pcp_vid(void **state)
{
	/* PCP 5, DEI 1, VID 0x123 */
	static const uint16_t tag[1][2] = {{FH_ETHERTYPE_VLAN, 0xb123}};
	uint8_t b[64];
	size_t off = put_eth(b, tag, 1, FH_ETHERTYPE_ECPRI);
	struct fh_frame f;
	struct fh_err err = {0};

	(void)state;
	assert_int_equal(off, 18);
	fill(b + off, 42);
	assert_int_equal(fh_frame_parse(b, 60, NULL, &f, &err), 0);
	assert_int_equal(f.n_vlans, 1);
	assert_int_equal(f.vlan_tpid[0], FH_ETHERTYPE_VLAN);
	assert_int_equal(f.vlan_tci[0], 0xb123);
	assert_int_equal(f.vlan_tci[0] >> 13, 5);
	assert_int_equal(f.vlan_tci[0] & 0xfff, 0x123);
	assert_int_equal(f.ethertype, FH_ETHERTYPE_ECPRI);
	assert_int_equal(f.l3_offset, 18);
	assert_true(f.is_ecpri);
	assert_int_equal(f.ecpri_offset, 18);
	/* Ethernet padding is counted as available to eCPRI */
	assert_int_equal(f.ecpri_len, 42);
}

static void test_frame_two_tags_qinq_outer_first(void **state)
{
	static const uint16_t tags[2][2] = {
		{FH_ETHERTYPE_QINQ, 3 << 13 | 100},
		{FH_ETHERTYPE_VLAN, 7 << 13 | 4095},
	};
	uint8_t b[64];
	size_t off = put_eth(b, tags, 2, FH_ETHERTYPE_ECPRI);
	struct fh_frame f;
	struct fh_err err = {0};

	(void)state;
	fill(b + off, 16);
	assert_int_equal(fh_frame_parse(b, off + 16, NULL, &f, &err), 0);
	assert_int_equal(f.n_vlans, 2);
	assert_int_equal(f.vlan_tpid[0], FH_ETHERTYPE_QINQ);
	assert_int_equal(f.vlan_tci[0] >> 13, 3);
	assert_int_equal(f.vlan_tci[0] & 0xfff, 100);
	assert_int_equal(f.vlan_tpid[1], FH_ETHERTYPE_VLAN);
	assert_int_equal(f.vlan_tci[1] >> 13, 7);
	assert_int_equal(f.vlan_tci[1] & 0xfff, 4095);
	assert_true(f.is_ecpri);
	assert_int_equal(f.l3_offset, 22);
	assert_int_equal(f.ecpri_offset, 22);
	assert_int_equal(f.ecpri_len, 16);
}

static void test_frame_two_8100_tags_accepted(void **state)
{
	static const uint16_t tags[2][2] = {
		{FH_ETHERTYPE_VLAN, 1},
		{FH_ETHERTYPE_VLAN, 2},
	};
	uint8_t b[64];
	size_t off = put_eth(b, tags, 2, FH_ETHERTYPE_ECPRI);
	struct fh_frame f;

	(void)state;
	assert_int_equal(fh_frame_parse(b, off + 4, NULL, &f, NULL), 0);
	assert_int_equal(f.n_vlans, 2);
	assert_int_equal(f.vlan_tci[0], 1);
	assert_int_equal(f.vlan_tci[1], 2);
	assert_true(f.is_ecpri);
}

static void test_frame_third_tag_is_not_followed(void **state)
{
	static const uint16_t tags[3][2] = {
		{FH_ETHERTYPE_QINQ, 10},
		{FH_ETHERTYPE_VLAN, 20},
		{FH_ETHERTYPE_VLAN, 30},
	};
	uint8_t b[64];
	size_t off = put_eth(b, tags, 3, FH_ETHERTYPE_ECPRI);
	struct fh_frame f;
	struct fh_err err = {0};

	(void)state;
	assert_int_equal(fh_frame_parse(b, off + 8, NULL, &f, &err), 0);
	assert_int_equal(f.n_vlans, 2);
	assert_int_equal(f.ethertype, FH_ETHERTYPE_VLAN);
	assert_int_equal(f.l3_offset, 22);
	assert_false(f.is_ecpri);
}

static void test_frame_other_ethertypes_not_ecpri(void **state)
{
	static const uint16_t types[] = {FH_ETHERTYPE_PTP, 0x0806, 0x0000,
					 0xaeff, 0xffff};
	uint8_t b[60];
	struct fh_frame f;
	struct fh_err err = {0};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		put_eth(b, NULL, 0, types[i]);
		fill(b + 14, 46);
		assert_int_equal(fh_frame_parse(b, sizeof(b), NULL, &f, &err),
				 0);
		assert_int_equal(f.ethertype, types[i]);
		assert_false(f.is_ecpri);
		assert_false(f.over_udp);
		assert_int_equal(f.ip_version, 0);
	}
}

/* ---- IPv4 / IPv6 + UDP --------------------------------------------------- */

static void test_frame_ipv4_udp_configured_port_is_ecpri(void **state)
{
	struct fh_frame_cfg cfg = port_cfg();
	uint8_t b[128];
	size_t len = ipv4_udp_frame(b, false, ECPRI_PORT, 20);
	struct fh_frame f;
	struct fh_err err = {0};

	(void)state;
	assert_int_equal(fh_frame_parse(b, len, &cfg, &f, &err), 0);
	assert_int_equal(f.ethertype, FH_ETHERTYPE_IPV4);
	assert_int_equal(f.l3_offset, 14);
	assert_int_equal(f.ip_version, 4);
	assert_int_equal(f.ip_dscp, 46);
	assert_memory_equal(f.ip_src, ip4_src, 4);
	assert_memory_equal(f.ip_dst, ip4_dst, 4);
	assert_int_equal(f.sport, 40000);
	assert_int_equal(f.dport, ECPRI_PORT);
	assert_true(f.is_ecpri);
	assert_true(f.over_udp);
	assert_int_equal(f.ecpri_offset, 14 + 20 + 8);
	assert_int_equal(f.ecpri_len, 20);
}

static void test_frame_ipv4_udp_vlan_first_configured_port(void **state)
{
	struct fh_frame_cfg cfg = {.udp_ports = {4000}, .n_udp_ports = 1};
	uint8_t b[128];
	size_t len = ipv4_udp_frame(b, true, 4000, 4);
	struct fh_frame f;

	(void)state;
	assert_int_equal(fh_frame_parse(b, len, &cfg, &f, NULL), 0);
	assert_int_equal(f.n_vlans, 1);
	assert_int_equal(f.vlan_tci[0], 0xe00a);
	assert_int_equal(f.l3_offset, 18);
	assert_true(f.is_ecpri);
	assert_true(f.over_udp);
	assert_int_equal(f.ecpri_offset, 18 + 28);
	assert_int_equal(f.ecpri_len, 4);
}

static void test_frame_ipv4_udp_unconfigured_port_not_ecpri(void **state)
{
	struct fh_frame_cfg cfg = port_cfg();
	uint8_t b[128];
	size_t len = ipv4_udp_frame(b, false, 5001, 20);
	struct fh_frame f;
	struct fh_err err = {0};

	(void)state;
	assert_int_equal(fh_frame_parse(b, len, &cfg, &f, &err), 0);
	assert_int_equal(f.ip_version, 4);
	assert_int_equal(f.dport, 5001);
	assert_int_equal(f.sport, 40000);
	assert_false(f.is_ecpri);
	assert_false(f.over_udp);
	/* no configuration: nothing is eCPRI over UDP */
	len = ipv4_udp_frame(b, false, ECPRI_PORT, 20);
	assert_int_equal(fh_frame_parse(b, len, NULL, &f, &err), 0);
	assert_false(f.is_ecpri);
	assert_int_equal(f.dport, ECPRI_PORT);
	/* a port stored past n_udp_ports is not configured */
	cfg.n_udp_ports = 1;
	assert_int_equal(fh_frame_parse(b, len, &cfg, &f, &err), 0);
	assert_false(f.is_ecpri);
}

static void test_frame_udp_ports_count_clamped(void **state)
{
	struct fh_frame_cfg cfg;
	uint8_t b[128];
	size_t len = ipv4_udp_frame(b, false, 7007, 8);
	struct fh_frame f;

	(void)state;
	for (unsigned i = 0; i < FH_MAX_UDP_PORTS; i++) {
		cfg.udp_ports[i] = (uint16_t)(7000 + i);
	}
	cfg.n_udp_ports = 1000; /* never read past the array */
	assert_int_equal(fh_frame_parse(b, len, &cfg, &f, NULL), 0);
	assert_true(f.is_ecpri);
	len = ipv4_udp_frame(b, false, 7008, 8);
	assert_int_equal(fh_frame_parse(b, len, &cfg, &f, NULL), 0);
	assert_false(f.is_ecpri);
}

static void test_frame_ipv4_options_and_ethernet_padding(void **state)
{
	struct fh_frame_cfg cfg = port_cfg();
	uint8_t b[128];
	size_t off = put_eth(b, NULL, 0, FH_ETHERTYPE_IPV4);
	struct fh_frame f;

	(void)state;
	/* ihl 7 (8 option bytes), 4 eCPRI bytes, padded to 60 bytes */
	off += put_ipv4(b + off, 7, 28 + 8 + 4, 17, 0, 0);
	off += put_udp(b + off, 1, ECPRI_PORT, 12);
	memset(b + off, 0, 60 - off);
	assert_int_equal(off, 14 + 28 + 8);
	assert_int_equal(fh_frame_parse(b, 60, &cfg, &f, NULL), 0);
	assert_true(f.is_ecpri);
	assert_int_equal(f.ecpri_offset, 14 + 28 + 8);
	/* the UDP length bounds eCPRI, not the padded frame */
	assert_int_equal(f.ecpri_len, 4);
}

static void test_frame_udp_shorter_than_ip_payload(void **state)
{
	struct fh_frame_cfg cfg = port_cfg();
	uint8_t b[128];
	size_t len = ipv4_udp_frame(b, false, ECPRI_PORT, 20);
	struct fh_frame f;

	(void)state;
	fh_put_be16(b + 14 + 20 + 4, 8 + 12);
	assert_int_equal(fh_frame_parse(b, len, &cfg, &f, NULL), 0);
	assert_true(f.is_ecpri);
	assert_int_equal(f.ecpri_len, 12);
	/* a UDP datagram with no payload */
	fh_put_be16(b + 14 + 20 + 4, 8);
	assert_int_equal(fh_frame_parse(b, len, &cfg, &f, NULL), 0);
	assert_int_equal(f.ecpri_len, 0);
}

static void test_frame_ipv6_udp_configured_vs_not(void **state)
{
	struct fh_frame_cfg cfg = port_cfg();
	uint8_t b[160];
	size_t len = ipv6_udp_frame(b, ECPRI_PORT, 30);
	struct fh_frame f;
	struct fh_err err = {0};

	(void)state;
	assert_int_equal(fh_frame_parse(b, len, &cfg, &f, &err), 0);
	assert_int_equal(f.ethertype, FH_ETHERTYPE_IPV6);
	assert_int_equal(f.ip_version, 6);
	assert_int_equal(f.ip_dscp, 46); /* traffic class 0xb8 */
	for (unsigned i = 0; i < 16; i++) {
		assert_int_equal(f.ip_src[i], 0x20 + i);
		assert_int_equal(f.ip_dst[i], 0xf0 + i);
	}
	assert_int_equal(f.sport, 1234);
	assert_int_equal(f.dport, ECPRI_PORT);
	assert_true(f.is_ecpri);
	assert_true(f.over_udp);
	assert_int_equal(f.ecpri_offset, 14 + 40 + 8);
	assert_int_equal(f.ecpri_len, 30);

	len = ipv6_udp_frame(b, 4001, 30);
	assert_int_equal(fh_frame_parse(b, len, &cfg, &f, &err), 0);
	assert_int_equal(f.ip_version, 6);
	assert_int_equal(f.dport, 4001);
	assert_false(f.is_ecpri);
	assert_false(f.over_udp);
}

static void test_frame_ipv6_non_udp_next_header(void **state)
{
	struct fh_frame_cfg cfg = port_cfg();
	uint8_t b[160];
	size_t len = ipv6_udp_frame(b, ECPRI_PORT, 10);
	struct fh_frame f;

	(void)state;
	/* hop-by-hop options (0) and TCP (6) are not followed */
	b[14 + 6] = 0;
	assert_int_equal(fh_frame_parse(b, len, &cfg, &f, NULL), 0);
	assert_int_equal(f.ip_version, 6);
	assert_false(f.is_ecpri);
	assert_int_equal(f.dport, 0);
	b[14 + 6] = 6;
	assert_int_equal(fh_frame_parse(b, len, &cfg, &f, NULL), 0);
	assert_false(f.is_ecpri);
}

static void test_frame_ipv4_non_udp_protocol(void **state)
{
	struct fh_frame_cfg cfg = port_cfg();
	uint8_t b[128];
	size_t len = ipv4_udp_frame(b, false, ECPRI_PORT, 10);
	struct fh_frame f;

	(void)state;
	b[14 + 9] = 6; /* TCP */
	assert_int_equal(fh_frame_parse(b, len, &cfg, &f, NULL), 0);
	assert_int_equal(f.ip_version, 4);
	assert_false(f.is_ecpri);
	assert_int_equal(f.dport, 0);
}

static void test_frame_ipv4_header_inconsistent_ebadmsg(void **state)
{
	struct fh_frame_cfg cfg = port_cfg();
	uint8_t b[128];
	size_t len = ipv4_udp_frame(b, false, ECPRI_PORT, 10);
	uint8_t v[128];

	(void)state;
	/* version 6 inside ethertype 0x0800 */
	memcpy(v, b, len);
	v[14] = 0x65;
	expect_parse_error(v, len, &cfg, -EBADMSG, 14);
	/* ihl below 5 */
	memcpy(v, b, len);
	v[14] = 0x44;
	expect_parse_error(v, len, &cfg, -EBADMSG, 14);
	/* total length below the header length */
	memcpy(v, b, len);
	fh_put_be16(v + 16, 19);
	expect_parse_error(v, len, &cfg, -EBADMSG, 14);
	/* total length past the frame */
	memcpy(v, b, len);
	fh_put_be16(v + 16, (uint16_t)(len - 14 + 1));
	expect_parse_error(v, len, &cfg, -EBADMSG, 14);
	/* options past the total length */
	memcpy(v, b, len);
	v[14] = 0x4f;
	fh_put_be16(v + 16, 40);
	expect_parse_error(v, len, &cfg, -EBADMSG, 14);
}

static void test_frame_ipv6_header_inconsistent_ebadmsg(void **state)
{
	struct fh_frame_cfg cfg = port_cfg();
	uint8_t b[160];
	size_t len = ipv6_udp_frame(b, ECPRI_PORT, 10);
	uint8_t v[160];

	(void)state;
	memcpy(v, b, len);
	v[14] = 0x46;
	expect_parse_error(v, len, &cfg, -EBADMSG, 14);
	memcpy(v, b, len);
	fh_put_be16(v + 18, (uint16_t)(len - 54 + 1));
	expect_parse_error(v, len, &cfg, -EBADMSG, 14);
}

static void test_frame_udp_length_inconsistent_ebadmsg(void **state)
{
	struct fh_frame_cfg cfg = port_cfg();
	uint8_t b[160];
	size_t len;

	(void)state;
	/* IPv4: UDP length longer than the IP payload, and below 8 */
	len = ipv4_udp_frame(b, false, ECPRI_PORT, 10);
	fh_put_be16(b + 14 + 20 + 4, 19);
	expect_parse_error(b, len, &cfg, -EBADMSG, 14 + 20 + 4);
	fh_put_be16(b + 14 + 20 + 4, 7);
	expect_parse_error(b, len, &cfg, -EBADMSG, 14 + 20 + 4);
	fh_put_be16(b + 14 + 20 + 4, 0);
	expect_parse_error(b, len, &cfg, -EBADMSG, 14 + 20 + 4);
	/* the check holds whatever the port */
	len = ipv4_udp_frame(b, false, 9, 10);
	fh_put_be16(b + 14 + 20 + 4, 19);
	expect_parse_error(b, len, NULL, -EBADMSG, 14 + 20 + 4);
	/* IPv6 */
	len = ipv6_udp_frame(b, ECPRI_PORT, 10);
	fh_put_be16(b + 14 + 40 + 4, 19);
	expect_parse_error(b, len, &cfg, -EBADMSG, 14 + 40 + 4);
	fh_put_be16(b + 14 + 40 + 4, 7);
	expect_parse_error(b, len, &cfg, -EBADMSG, 14 + 40 + 4);
}

static void test_frame_udp_header_cut_by_ip_length(void **state)
{
	struct fh_frame_cfg cfg = port_cfg();
	uint8_t b[128];
	size_t len = ipv4_udp_frame(b, false, ECPRI_PORT, 10);

	(void)state;
	/* the IP datagram ends 4 bytes into the UDP header */
	fh_put_be16(b + 16, 24);
	fh_put_be16(b + 24, 0);
	fh_put_be16(b + 24, fh_inet_csum(b + 14, 20));
	expect_parse_error(b, len, &cfg, -EMSGSIZE, 34);
}

static void test_frame_ipv4_non_first_fragment_not_udp(void **state)
{
	struct fh_frame_cfg cfg = port_cfg();
	uint8_t b[128];
	size_t len = ipv4_udp_frame(b, false, ECPRI_PORT, 10);
	struct fh_frame f;
	struct fh_err err = {0};
	static const uint16_t frags[] = {0x0001, 0x00b9, 0x1fff, 0x2001,
					 0x40b9};

	(void)state;
	/* the bytes where a UDP header would be are fragment data: a bogus
	 * "UDP length" there must not matter */
	fh_put_be16(b + 14 + 20 + 4, 0xffff);
	for (size_t i = 0; i < ARRAY_SIZE(frags); i++) {
		fh_put_be16(b + 14 + 6, frags[i]);
		assert_int_equal(fh_frame_parse(b, len, &cfg, &f, &err), 0);
		assert_int_equal(f.ip_version, 4);
		assert_false(f.is_ecpri);
		assert_false(f.over_udp);
		assert_int_equal(f.dport, 0);
	}
}

static void test_frame_ipv4_first_fragment_not_an_error(void **state)
{
	struct fh_frame_cfg cfg = port_cfg();
	uint8_t b[128];
	size_t len = ipv4_udp_frame(b, false, ECPRI_PORT, 10);
	struct fh_frame f;
	struct fh_err err = {0};

	(void)state;
	/* MF set, offset 0: the UDP length covers the whole datagram, longer
	 * than this fragment.  Valid traffic, but not parseable eCPRI. */
	fh_put_be16(b + 14 + 6, 0x2000);
	fh_put_be16(b + 14 + 20 + 4, 1480);
	assert_int_equal(fh_frame_parse(b, len, &cfg, &f, &err), 0);
	assert_int_equal(f.ip_version, 4);
	assert_false(f.is_ecpri);
	/* DF alone (not fragmented) is parsed as UDP */
	len = ipv4_udp_frame(b, false, ECPRI_PORT, 10);
	assert_int_equal(fh_get_be16(b + 14 + 6), 0x4000);
	assert_int_equal(fh_frame_parse(b, len, &cfg, &f, &err), 0);
	assert_true(f.is_ecpri);
}

/* ---- truncation ---------------------------------------------------------- */

/* Parse every prefix of frame b[0..len): L2 eCPRI frames stay valid once
 * the header (hdr bytes) is complete; UDP frames fail at every cut. */
static void check_truncation(const uint8_t *b, size_t len, size_t hdr,
			     bool l2_ecpri)
{
	struct fh_frame_cfg cfg = port_cfg();

	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = dup_exact(b, cut);
		struct fh_frame f;
		struct fh_err err = {.code = 1};
		int ret = fh_frame_parse(copy, cut, &cfg, &f, &err);

		if (l2_ecpri && cut >= hdr) {
			assert_int_equal(ret, 0);
			assert_true(f.is_ecpri);
			assert_int_equal(f.ecpri_offset, hdr);
			assert_int_equal(f.ecpri_len, cut - hdr);
		} else {
			assert_true(ret < 0);
			assert_true(ret == -EMSGSIZE || ret == -EBADMSG);
			assert_int_equal(err.code, ret);
			assert_true(err.offset <= cut);
			if (cut < hdr && cut < 14 + 4 * 2) {
				assert_int_equal(ret, -EMSGSIZE);
			}
		}
		free(copy);
	}
}

static void test_frame_truncation_every_byte(void **state)
{
	static const uint16_t tags[2][2] = {
		{FH_ETHERTYPE_QINQ, 0x2064},
		{FH_ETHERTYPE_VLAN, 0xe00a},
	};
	uint8_t b[160];
	size_t len, off;

	(void)state;
	off = put_eth(b, NULL, 0, FH_ETHERTYPE_ECPRI);
	fill(b + off, 12);
	check_truncation(b, off + 12, off, true);

	off = put_eth(b, tags, 1, FH_ETHERTYPE_ECPRI);
	fill(b + off, 12);
	check_truncation(b, off + 12, off, true);

	off = put_eth(b, tags, 2, FH_ETHERTYPE_ECPRI);
	fill(b + off, 12);
	check_truncation(b, off + 12, off, true);

	len = ipv4_udp_frame(b, false, ECPRI_PORT, 12);
	check_truncation(b, len, 42, false);
	len = ipv4_udp_frame(b, true, ECPRI_PORT, 12);
	check_truncation(b, len, 46, false);
	/* not an eCPRI port: the headers are still checked */
	len = ipv4_udp_frame(b, true, 9, 12);
	check_truncation(b, len, 46, false);
	len = ipv6_udp_frame(b, ECPRI_PORT, 12);
	check_truncation(b, len, 62, false);
}

static void test_frame_truncated_headers_emsgsize(void **state)
{
	static const uint16_t tag[1][2] = {{FH_ETHERTYPE_VLAN, 5}};
	uint8_t b[128];
	size_t len;

	(void)state;
	put_eth(b, NULL, 0, FH_ETHERTYPE_ECPRI);
	expect_parse_error(b, 13, NULL, -EMSGSIZE, 13);
	/* a tag whose inner ethertype is cut */
	put_eth(b, tag, 1, FH_ETHERTYPE_ECPRI);
	expect_parse_error(b, 17, NULL, -EMSGSIZE, 17);
	expect_parse_error(b, 14, NULL, -EMSGSIZE, 14);
	/* IPv4 and IPv6 headers cut */
	len = ipv4_udp_frame(b, false, ECPRI_PORT, 4);
	expect_parse_error(b, 33, NULL, -EMSGSIZE, 33);
	(void)len;
	len = ipv6_udp_frame(b, ECPRI_PORT, 4);
	expect_parse_error(b, 53, NULL, -EMSGSIZE, 53);
}

/* ---- Internet checksum --------------------------------------------------- */

static void test_inet_csum_known_vectors(void **state)
{
	/* RFC 1071 §3 example: one's complement sum 0xddf2 */
	static const uint8_t rfc[] = {0x00, 0x01, 0xf2, 0x03,
				      0xf4, 0xf5, 0xf6, 0xf7};
	/* a textbook IPv4 header whose checksum field is 0xb861 */
	static const uint8_t ip[] = {
		0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
	};
	static const uint8_t ones[] = {0xff, 0xff, 0xff, 0xff};
	static const uint8_t odd[] = {0x01};
	uint8_t hdr[20];

	(void)state;
	assert_int_equal(fh_inet_csum(rfc, sizeof(rfc)), 0x220d);
	assert_int_equal(fh_inet_csum(ip, sizeof(ip)), 0);
	memcpy(hdr, ip, sizeof(hdr));
	hdr[10] = 0;
	hdr[11] = 0;
	assert_int_equal(fh_inet_csum(hdr, sizeof(hdr)), 0xb861);
	/* carries fold back in */
	assert_int_equal(fh_inet_csum(ones, sizeof(ones)), 0);
	/* an odd trailing byte is padded with zero on the right */
	assert_int_equal(fh_inet_csum(odd, 1), 0xfeff);
	assert_int_equal(fh_inet_csum(rfc, 3), (uint16_t) ~(0x0001 + 0xf200));
	assert_int_equal(fh_inet_csum(rfc, 0), 0xffff);
}

/* ---- builder ------------------------------------------------------------- */

static struct fh_frame_spec base_spec(void)
{
	struct fh_frame_spec s = {
		.vlan_id = 0x123,
		.pcp = 7,
		.ip_src = 0xc0a8010a, /* 192.168.1.10 */
		.ip_dst = 0x0a0000fe,
		.ip_dscp = 46,
		.sport = 40000,
		.dport = ECPRI_PORT,
	};

	memcpy(s.dst, mac_dst, 6);
	memcpy(s.src, mac_src, 6);
	return s;
}

static void test_frame_hdr_len_per_shape(void **state)
{
	struct fh_frame_spec s = base_spec();

	(void)state;
	assert_int_equal(fh_frame_hdr_len(&s), 14);
	s.vlan = true;
	assert_int_equal(fh_frame_hdr_len(&s), 18);
	s.udp = true;
	assert_int_equal(fh_frame_hdr_len(&s), 46);
	s.vlan = false;
	assert_int_equal(fh_frame_hdr_len(&s), 42);
}

static void test_frame_build_l2_roundtrip(void **state)
{
	struct fh_frame_spec s = base_spec();
	uint8_t b[64];
	struct fh_frame f;

	(void)state;
	memset(b, 0xa5, sizeof(b));
	assert_int_equal(fh_frame_build_hdr(b, sizeof(b), &s, 10), 14);
	assert_memory_equal(b, mac_dst, 6);
	assert_memory_equal(b + 6, mac_src, 6);
	assert_int_equal(fh_get_be16(b + 12), FH_ETHERTYPE_ECPRI);
	assert_int_equal(b[14], 0xa5); /* nothing past the header */
	assert_int_equal(fh_frame_parse(b, 24, NULL, &f, NULL), 0);
	assert_true(f.is_ecpri);
	assert_int_equal(f.n_vlans, 0);
	assert_int_equal(f.ecpri_len, 10);

	s.vlan = true;
	memset(b, 0xa5, sizeof(b));
	assert_int_equal(fh_frame_build_hdr(b, sizeof(b), &s, 10), 18);
	assert_int_equal(fh_get_be16(b + 12), FH_ETHERTYPE_VLAN);
	assert_int_equal(fh_get_be16(b + 14), 7 << 13 | 0x123);
	assert_int_equal(fh_get_be16(b + 16), FH_ETHERTYPE_ECPRI);
	assert_int_equal(b[18], 0xa5);
	assert_int_equal(fh_frame_parse(b, 28, NULL, &f, NULL), 0);
	assert_int_equal(f.n_vlans, 1);
	assert_int_equal(f.vlan_tpid[0], FH_ETHERTYPE_VLAN);
	assert_int_equal(f.vlan_tci[0] >> 13, 7);
	assert_int_equal(f.vlan_tci[0] & 0xfff, 0x123);
	assert_true(f.is_ecpri);
	assert_int_equal(f.ecpri_offset, 18);
	assert_int_equal(f.ecpri_len, 10);
}

static void test_frame_build_udp_fields_and_checksum(void **state)
{
	struct fh_frame_spec s = base_spec();
	uint8_t b[128];
	const uint8_t *ip = b + 18, *udp = b + 38;

	(void)state;
	s.vlan = true;
	s.udp = true;
	memset(b, 0xa5, sizeof(b));
	assert_int_equal(fh_frame_build_hdr(b, sizeof(b), &s, 40), 46);
	assert_int_equal(fh_get_be16(b + 16), FH_ETHERTYPE_IPV4);
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(ip[1], 46 << 2);
	assert_int_equal(fh_get_be16(ip + 2), 20 + 8 + 40);
	assert_int_equal(fh_get_be16(ip + 6), 0x4000); /* DF, offset 0 */
	assert_int_equal(ip[8], 64);
	assert_int_equal(ip[9], 17);
	assert_int_equal(fh_get_be32(ip + 12), 0xc0a8010a);
	assert_int_equal(fh_get_be32(ip + 16), 0x0a0000fe);
	assert_int_equal(fh_inet_csum(ip, 20), 0);
	assert_int_equal(fh_get_be16(udp), 40000);
	assert_int_equal(fh_get_be16(udp + 2), ECPRI_PORT);
	assert_int_equal(fh_get_be16(udp + 4), 8 + 40);
	assert_int_equal(fh_get_be16(udp + 6), 0);
	assert_int_equal(b[46], 0xa5);
}

static void test_frame_build_ipv4_checksum_verifies(void **state)
{
	struct fh_frame_spec s = base_spec();
	uint8_t b[64];

	(void)state;
	s.udp = true;
	for (uint32_t i = 0; i < 2000; i++) {
		uint16_t stored;

		s.ip_src = i * 0x9e3779b9u;
		s.ip_dst = ~i * 0x85ebca6bu;
		s.ip_dscp = (uint8_t)(i % 64);
		assert_int_equal(
			fh_frame_build_hdr(b, sizeof(b), &s, (i * 37) % 9000),
			42);
		assert_int_equal(fh_inet_csum(b + 14, 20), 0);
		/* the stored value is the checksum of the zeroed field */
		stored = fh_get_be16(b + 24);
		b[24] = 0;
		b[25] = 0;
		assert_int_equal(fh_inet_csum(b + 14, 20), stored);
	}
}

static void test_frame_build_udp_parse_roundtrip(void **state)
{
	struct fh_frame_cfg cfg = port_cfg();
	struct fh_frame_spec s = base_spec();
	uint8_t b[128];
	struct fh_frame f;
	long hl;

	(void)state;
	for (int vlan = 0; vlan < 2; vlan++) {
		s.vlan = vlan;
		s.udp = true;
		hl = fh_frame_build_hdr(b, sizeof(b), &s, 20);
		assert_int_equal(hl, vlan ? 46 : 42);
		fill(b + hl, 20);
		assert_int_equal(
			fh_frame_parse(b, (size_t)hl + 20, &cfg, &f, NULL), 0);
		assert_int_equal(f.n_vlans, vlan);
		assert_int_equal(f.ip_version, 4);
		assert_int_equal(f.ip_dscp, 46);
		assert_memory_equal(f.ip_src, ip4_src, 4);
		assert_memory_equal(f.ip_dst, ip4_dst, 4);
		assert_int_equal(f.sport, 40000);
		assert_int_equal(f.dport, ECPRI_PORT);
		assert_true(f.is_ecpri);
		assert_true(f.over_udp);
		assert_int_equal(f.ecpri_offset, hl);
		assert_int_equal(f.ecpri_len, 20);
	}
}

static void test_frame_build_errors(void **state)
{
	struct fh_frame_spec s = base_spec();
	uint8_t b[64];

	(void)state;
	s.vlan = true;
	s.udp = true;
	for (size_t cap = 0; cap < 46; cap++) {
		memset(b, 0xa5, sizeof(b));
		assert_int_equal(fh_frame_build_hdr(b, cap, &s, 0), -ENOSPC);
		assert_int_equal(b[0], 0xa5);
	}
	assert_int_equal(fh_frame_build_hdr(b, 46, &s, 0), 46);
	s.vlan_id = 4096;
	assert_int_equal(fh_frame_build_hdr(b, sizeof(b), &s, 0), -EINVAL);
	s.vlan_id = 4095;
	s.pcp = 8;
	assert_int_equal(fh_frame_build_hdr(b, sizeof(b), &s, 0), -EINVAL);
	s.pcp = 0;
	assert_int_equal(fh_frame_build_hdr(b, sizeof(b), &s, 0xffff - 28), 46);
	assert_int_equal(fh_get_be16(b + 18 + 2), 0xffff);
	assert_int_equal(fh_frame_build_hdr(b, sizeof(b), &s, 0xffff - 27),
			 -EINVAL);
	/* VLAN fields are not looked at without a tag */
	s.vlan = false;
	s.vlan_id = 9999;
	s.pcp = 99;
	assert_int_equal(fh_frame_build_hdr(b, sizeof(b), &s, 0), 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_untagged_ecpri),
		cmocka_unit_test(test_frame_one_vlan_tag_pcp_vid),
		cmocka_unit_test(test_frame_two_tags_qinq_outer_first),
		cmocka_unit_test(test_frame_two_8100_tags_accepted),
		cmocka_unit_test(test_frame_third_tag_is_not_followed),
		cmocka_unit_test(test_frame_other_ethertypes_not_ecpri),
		cmocka_unit_test(test_frame_ipv4_udp_configured_port_is_ecpri),
		cmocka_unit_test(
			test_frame_ipv4_udp_vlan_first_configured_port),
		cmocka_unit_test(
			test_frame_ipv4_udp_unconfigured_port_not_ecpri),
		cmocka_unit_test(test_frame_udp_ports_count_clamped),
		cmocka_unit_test(test_frame_ipv4_options_and_ethernet_padding),
		cmocka_unit_test(test_frame_udp_shorter_than_ip_payload),
		cmocka_unit_test(test_frame_ipv6_udp_configured_vs_not),
		cmocka_unit_test(test_frame_ipv6_non_udp_next_header),
		cmocka_unit_test(test_frame_ipv4_non_udp_protocol),
		cmocka_unit_test(test_frame_ipv4_header_inconsistent_ebadmsg),
		cmocka_unit_test(test_frame_ipv6_header_inconsistent_ebadmsg),
		cmocka_unit_test(test_frame_udp_length_inconsistent_ebadmsg),
		cmocka_unit_test(test_frame_udp_header_cut_by_ip_length),
		cmocka_unit_test(test_frame_ipv4_non_first_fragment_not_udp),
		cmocka_unit_test(test_frame_ipv4_first_fragment_not_an_error),
		cmocka_unit_test(test_frame_truncation_every_byte),
		cmocka_unit_test(test_frame_truncated_headers_emsgsize),
		cmocka_unit_test(test_inet_csum_known_vectors),
		cmocka_unit_test(test_frame_hdr_len_per_shape),
		cmocka_unit_test(test_frame_build_l2_roundtrip),
		cmocka_unit_test(test_frame_build_udp_fields_and_checksum),
		cmocka_unit_test(test_frame_build_ipv4_checksum_verifies),
		cmocka_unit_test(test_frame_build_udp_parse_roundtrip),
		cmocka_unit_test(test_frame_build_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
