/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>

#include "fh/bits.h"
#include "fh/frame.h"
#include "fh/ptp.h"

/* A PTP header at p with n bytes after it: versionPTP 2 (1588-2008 and
 * -2019 both), messageLength within the bytes there are. */
static int header_holds(const uint8_t *p, size_t n, struct fh_ptp_loc *loc)
{
	uint16_t msg_len;

	if (n < FH_PTP_HDR_LEN || (p[1] & 0x0f) != 2) {
		return -EBADMSG;
	}
	msg_len = fh_get_be16(p + 2);
	if (msg_len < FH_PTP_HDR_LEN || msg_len > n) {
		return -EBADMSG;
	}
	loc->type = p[0] & 0x0f;
	loc->domain = p[4];
	loc->two_step = (p[6] & 0x02) != 0;
	return 1;
}

static int locate_udp(const uint8_t *f, size_t len, size_t udp,
		      struct fh_ptp_loc *loc)
{
	uint16_t dport, ulen;

	if (udp + 8 > len) {
		return 0; /* not ours to judge: the IP layer is broken */
	}
	dport = fh_get_be16(f + udp + 2);
	if (dport != FH_PTP_UDP_EVENT && dport != FH_PTP_UDP_GENERAL) {
		return 0;
	}
	ulen = fh_get_be16(f + udp + 4);
	if (ulen < 8 || udp + ulen > len) {
		return -EBADMSG;
	}
	loc->udp_off = (uint16_t)udp;
	loc->ptp_off = (uint16_t)(udp + 8);
	return header_holds(f + udp + 8, ulen - 8u, loc);
}

int fh_ptp_locate(const uint8_t *f, size_t len, struct fh_ptp_loc *loc)
{
	size_t off = 12;
	uint16_t et;

	if (len < FH_ETH_HDR_LEN || len > UINT16_MAX) {
		return 0;
	}
	et = fh_get_be16(f + off);
	for (int tags = 0;
	     tags < 2 && (et == FH_ETHERTYPE_VLAN || et == FH_ETHERTYPE_QINQ);
	     tags++) {
		off += FH_VLAN_TAG_LEN;
		if (off + 2 > len) {
			return 0;
		}
		et = fh_get_be16(f + off);
	}
	off += 2;
	loc->l3_off = (uint16_t)off;
	loc->udp_off = 0;
	loc->ip_version = 0;
	switch (et) {
	case FH_ETHERTYPE_PTP:
		loc->ptp_off = (uint16_t)off;
		return header_holds(f + off, len - off, loc);
	case FH_ETHERTYPE_IPV4: {
		size_t ihl;

		if (off + 20 > len || f[off] >> 4 != 4 || f[off + 9] != 17) {
			return 0;
		}
		/* a fragment's UDP header is not where it seems */
		if ((fh_get_be16(f + off + 6) & 0x3fff) != 0) {
			return 0;
		}
		ihl = (size_t)(f[off] & 0x0f) * 4;
		if (ihl < 20 || off + ihl > len) {
			return 0;
		}
		loc->ip_version = 4;
		return locate_udp(f, len, off + ihl, loc);
	}
	case FH_ETHERTYPE_IPV6:
		/* UDP straight after the fixed header (no extension
		 * headers, as 1588 Annex D sends it) */
		if (off + 40 > len || f[off] >> 4 != 6 || f[off + 6] != 17) {
			return 0;
		}
		loc->ip_version = 6;
		return locate_udp(f, len, off + 40, loc);
	default:
		return 0;
	}
}

int64_t fh_ptp_correction(const uint8_t *ptp)
{
	return (int64_t)fh_get_be64(ptp + 8);
}

int64_t fh_ptp_correction_sum(int64_t c, int64_t add)
{
	int64_t r;

	if (c == FH_PTP_CORRECTION_MAX) {
		return c;
	}
	if (__builtin_add_overflow(c, add, &r)) {
		return add > 0 ? FH_PTP_CORRECTION_MAX : INT64_MIN;
	}
	return r;
}

void fh_ptp_correction_add(uint8_t *f, const struct fh_ptp_loc *loc,
			   int64_t add)
{
	uint8_t *cf = f + loc->ptp_off + 8;
	uint64_t old = fh_get_be64(cf);
	uint64_t new = (uint64_t)fh_ptp_correction_sum((int64_t)old, add);
	uint32_t sum;
	uint16_t hc;

	if (new == old) {
		return;
	}
	fh_put_be64(cf, new);
	if (loc->udp_off == 0) {
		return;
	}
	hc = fh_get_be16(f + loc->udp_off + 6);
	if (hc == 0 && loc->ip_version == 4) {
		return;
	}
	/* RFC 1624 eqn. 3 over the field's four 16-bit words (the field
	 * starts at an even offset of the datagram) */
	sum = (uint16_t)~hc;
	for (int i = 0; i < 4; i++) {
		sum += (uint16_t) ~(uint16_t)(old >> (48 - 16 * i));
		sum += (uint16_t)(new >> (48 - 16 * i));
	}
	while (sum >> 16) {
		sum = (sum & 0xffff) + (sum >> 16);
	}
	hc = (uint16_t)~sum;
	fh_put_be16(f + loc->udp_off + 6, hc == 0 ? 0xffff : hc);
}

const char *fh_ptp_type_name(unsigned type)
{
	static const char *const names[FH_PTP_N_TYPES] = {
		[FH_PTP_SYNC] = "sync",
		[FH_PTP_DELAY_REQ] = "delay_req",
		[FH_PTP_PDELAY_REQ] = "pdelay_req",
		[FH_PTP_PDELAY_RESP] = "pdelay_resp",
		[FH_PTP_FOLLOW_UP] = "follow_up",
		[FH_PTP_DELAY_RESP] = "delay_resp",
		[FH_PTP_PDELAY_RESP_FOLLOW_UP] = "pdelay_resp_follow_up",
		[FH_PTP_ANNOUNCE] = "announce",
		[FH_PTP_SIGNALING] = "signaling",
		[FH_PTP_MANAGEMENT] = "management",
	};

	return type < FH_PTP_N_TYPES ? names[type] : NULL;
}
