/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FH_FRAME_H
#define FH_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fh/err.h"

/*
 * Transport framing around eCPRI (ORAN.md §1): Ethernet with up to two
 * VLAN tags (0x8100 / 0x88A8) and ethertype 0xAEFE, or IPv4/IPv6 + UDP on
 * a configured destination port.  Parsing never copies.
 */

#define FH_ETH_HDR_LEN 14
#define FH_VLAN_TAG_LEN 4
#define FH_ETH_MIN_FRAME 60 /* without FCS */
#define FH_ETHERTYPE_VLAN 0x8100
#define FH_ETHERTYPE_QINQ 0x88A8
#define FH_ETHERTYPE_IPV4 0x0800
#define FH_ETHERTYPE_IPV6 0x86DD
#define FH_ETHERTYPE_PTP 0x88F7
#define FH_MAX_UDP_PORTS 8

struct fh_frame_cfg {
	uint16_t udp_ports[FH_MAX_UDP_PORTS]; /* eCPRI over UDP dports */
	unsigned n_udp_ports;
};

struct fh_frame {
	uint8_t dst[6];
	uint8_t src[6];
	uint8_t n_vlans;
	uint16_t vlan_tpid[2];
	uint16_t vlan_tci[2]; /* outer first */
	uint16_t ethertype; /* after the tags */
	size_t l3_offset;
	uint8_t ip_version; /* 0, 4 or 6 */
	uint8_t ip_src[16];
	uint8_t ip_dst[16];
	uint8_t ip_dscp;
	uint16_t sport;
	uint16_t dport;
	bool is_ecpri;
	bool over_udp;
	size_t ecpri_offset; /* valid when is_ecpri */
	size_t ecpri_len; /* bytes available to eCPRI (may include
				Ethernet padding) */
};

/*
 * Parse the headers of one frame.  A frame that is not eCPRI is not an
 * error (is_ecpri false).
 * @return 0; -EMSGSIZE if a header is truncated; -EBADMSG if an IPv4
 *         header or UDP length is inconsistent with the frame.
 */
int fh_frame_parse(const uint8_t *buf, size_t len,
		   const struct fh_frame_cfg *cfg, struct fh_frame *f,
		   struct fh_err *err);

struct fh_frame_spec {
	uint8_t dst[6];
	uint8_t src[6];
	bool vlan;
	uint16_t vlan_id;
	uint8_t pcp;
	bool udp; /* IPv4 + UDP instead of ethertype 0xAEFE */
	uint32_t ip_src; /* host order */
	uint32_t ip_dst;
	uint8_t ip_dscp;
	uint16_t sport;
	uint16_t dport;
};

/* Header bytes fh_frame_build_hdr writes for spec. */
size_t fh_frame_hdr_len(const struct fh_frame_spec *spec);

/*
 * Write Ethernet [802.1Q] and, for UDP, IPv4 (with checksum) + UDP
 * (checksum 0, allowed over IPv4) headers for an eCPRI payload of
 * payload_len bytes.
 * @return header bytes written; -ENOSPC; -EINVAL if the payload is too
 *         large for IPv4 or a VLAN field is out of range.
 */
long fh_frame_build_hdr(uint8_t *buf, size_t cap,
			const struct fh_frame_spec *spec, size_t payload_len);

/* RFC 1071 Internet checksum of len bytes. */
uint16_t fh_inet_csum(const uint8_t *p, size_t len);

#endif
