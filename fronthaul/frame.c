/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "fh/bits.h"
#include "fh/ecpri.h"
#include "fh/frame.h"

#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define UDP_HDR_LEN 8
#define IPPROTO_UDP_NUM 17

uint16_t fh_inet_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		sum += fh_get_be16(p + i);
	}
	if (len & 1) {
		sum += (uint32_t)p[len - 1] << 8;
	}
	while (sum >> 16) {
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return (uint16_t)~sum;
}

static bool udp_port_is_ecpri(const struct fh_frame_cfg *cfg, uint16_t port)
{
	if (cfg == NULL) {
		return false;
	}
	for (unsigned i = 0; i < cfg->n_udp_ports && i < FH_MAX_UDP_PORTS;
	     i++) {
		if (cfg->udp_ports[i] == port) {
			return true;
		}
	}
	return false;
}

static int parse_udp(const uint8_t *buf, size_t len, size_t off, size_t l3_end,
		     const struct fh_frame_cfg *cfg, struct fh_frame *f,
		     struct fh_err *err)
{
	uint16_t ulen;

	if (l3_end - off < UDP_HDR_LEN) {
		return fh_fail(err, -EMSGSIZE, off, "truncated UDP header");
	}
	f->sport = fh_get_be16(buf + off);
	f->dport = fh_get_be16(buf + off + 2);
	ulen = fh_get_be16(buf + off + 4);
	if (ulen < UDP_HDR_LEN || ulen > l3_end - off) {
		return fh_fail(err, -EBADMSG, off + 4,
			       "UDP length inconsistent with the packet");
	}
	(void)len;
	if (udp_port_is_ecpri(cfg, f->dport)) {
		f->is_ecpri = true;
		f->over_udp = true;
		f->ecpri_offset = off + UDP_HDR_LEN;
		f->ecpri_len = ulen - UDP_HDR_LEN;
	}
	return 0;
}

int fh_frame_parse(const uint8_t *buf, size_t len,
		   const struct fh_frame_cfg *cfg, struct fh_frame *f,
		   struct fh_err *err)
{
	size_t off = 12;
	uint16_t et;

	memset(f, 0, sizeof(*f));
	if (len < FH_ETH_HDR_LEN) {
		return fh_fail(err, -EMSGSIZE, len,
			       "truncated Ethernet header");
	}
	memcpy(f->dst, buf, 6);
	memcpy(f->src, buf + 6, 6);
	et = fh_get_be16(buf + off);
	while ((et == FH_ETHERTYPE_VLAN || et == FH_ETHERTYPE_QINQ) &&
	       f->n_vlans < 2) {
		if (len - off < 2 + FH_VLAN_TAG_LEN) {
			return fh_fail(err, -EMSGSIZE, len,
				       "truncated VLAN tag");
		}
		f->vlan_tpid[f->n_vlans] = et;
		f->vlan_tci[f->n_vlans] = fh_get_be16(buf + off + 2);
		f->n_vlans++;
		off += FH_VLAN_TAG_LEN;
		et = fh_get_be16(buf + off);
	}
	off += 2;
	f->ethertype = et;
	f->l3_offset = off;
	if (et == FH_ETHERTYPE_ECPRI) {
		f->is_ecpri = true;
		f->ecpri_offset = off;
		f->ecpri_len = len - off;
		return 0;
	}
	if (et == FH_ETHERTYPE_IPV4) {
		const uint8_t *ip = buf + off;
		size_t ihl, tot;

		if (len - off < IPV4_HDR_LEN) {
			return fh_fail(err, -EMSGSIZE, len,
				       "truncated IPv4 header");
		}
		ihl = (size_t)(ip[0] & 0xf) * 4;
		tot = fh_get_be16(ip + 2);
		if ((ip[0] >> 4) != 4 || ihl < IPV4_HDR_LEN || tot < ihl ||
		    tot > len - off) {
			return fh_fail(err, -EBADMSG, off,
				       "IPv4 header inconsistent with the "
				       "frame");
		}
		f->ip_version = 4;
		f->ip_dscp = ip[1] >> 2;
		memcpy(f->ip_src, ip + 12, 4);
		memcpy(f->ip_dst, ip + 16, 4);
		/* fragments are not reassembled: a non-first fragment has no
		 * UDP header, and a first one (MF set) has a UDP length
		 * covering the whole datagram, not this frame */
		if (ip[9] != IPPROTO_UDP_NUM ||
		    (fh_get_be16(ip + 6) & 0x3fff) != 0) {
			return 0;
		}
		return parse_udp(buf, len, off + ihl, off + tot, cfg, f, err);
	}
	if (et == FH_ETHERTYPE_IPV6) {
		const uint8_t *ip = buf + off;
		size_t plen;

		if (len - off < IPV6_HDR_LEN) {
			return fh_fail(err, -EMSGSIZE, len,
				       "truncated IPv6 header");
		}
		plen = fh_get_be16(ip + 4);
		if ((ip[0] >> 4) != 6 || plen > len - off - IPV6_HDR_LEN) {
			return fh_fail(err, -EBADMSG, off,
				       "IPv6 header inconsistent with the "
				       "frame");
		}
		f->ip_version = 6;
		f->ip_dscp = (uint8_t)((fh_get_be16(ip) >> 6) & 0x3f);
		memcpy(f->ip_src, ip + 8, 16);
		memcpy(f->ip_dst, ip + 24, 16);
		/* extension headers are not followed: eCPRI senders do not
		 * use them */
		if (ip[6] != IPPROTO_UDP_NUM) {
			return 0;
		}
		return parse_udp(buf, len, off + IPV6_HDR_LEN,
				 off + IPV6_HDR_LEN + plen, cfg, f, err);
	}
	return 0;
}

size_t fh_frame_hdr_len(const struct fh_frame_spec *spec)
{
	return FH_ETH_HDR_LEN + (spec->vlan ? FH_VLAN_TAG_LEN : 0) +
	       (spec->udp ? IPV4_HDR_LEN + UDP_HDR_LEN : 0);
}

long fh_frame_build_hdr(uint8_t *buf, size_t cap,
			const struct fh_frame_spec *spec, size_t payload_len)
{
	size_t hl = fh_frame_hdr_len(spec);
	size_t off = 12;

	if (hl > cap) {
		return -ENOSPC;
	}
	if (spec->vlan && (spec->vlan_id > 4095 || spec->pcp > 7)) {
		return -EINVAL;
	}
	if (spec->udp && payload_len > 0xffff - IPV4_HDR_LEN - UDP_HDR_LEN) {
		return -EINVAL;
	}
	memcpy(buf, spec->dst, 6);
	memcpy(buf + 6, spec->src, 6);
	if (spec->vlan) {
		fh_put_be16(buf + off, FH_ETHERTYPE_VLAN);
		fh_put_be16(buf + off + 2,
			    (uint16_t)(spec->pcp << 13 | spec->vlan_id));
		off += FH_VLAN_TAG_LEN;
	}
	if (!spec->udp) {
		fh_put_be16(buf + off, FH_ETHERTYPE_ECPRI);
		return (long)hl;
	}
	fh_put_be16(buf + off, FH_ETHERTYPE_IPV4);
	off += 2;
	{
		uint8_t *ip = buf + off;
		uint8_t *udp = ip + IPV4_HDR_LEN;
		size_t tot = IPV4_HDR_LEN + UDP_HDR_LEN + payload_len;

		memset(ip, 0, IPV4_HDR_LEN);
		ip[0] = 0x45;
		ip[1] = (uint8_t)(spec->ip_dscp << 2);
		fh_put_be16(ip + 2, (uint16_t)tot);
		fh_put_be16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = IPPROTO_UDP_NUM;
		fh_put_be32(ip + 12, spec->ip_src);
		fh_put_be32(ip + 16, spec->ip_dst);
		fh_put_be16(ip + 10, fh_inet_csum(ip, IPV4_HDR_LEN));
		fh_put_be16(udp, spec->sport);
		fh_put_be16(udp + 2, spec->dport);
		fh_put_be16(udp + 4, (uint16_t)(UDP_HDR_LEN + payload_len));
		fh_put_be16(udp + 6, 0);
	}
	return (long)hl;
}
