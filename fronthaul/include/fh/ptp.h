/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FH_PTP_H
#define FH_PTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * PTP (IEEE 1588-2019) as a transparent clock sees it: where a message
 * sits in a frame (Ethernet 0x88F7 with up to two VLAN tags, or UDP
 * 319/320 over IPv4 or IPv6), what it is, and its correctionField.
 * DPDK-free: the data path and the tests share it.
 */

#define FH_PTP_HDR_LEN 34
#define FH_PTP_UDP_EVENT 319
#define FH_PTP_UDP_GENERAL 320
#define FH_PTP_N_TYPES 16
/* correctionField is scaled nanoseconds: ns * 2^16 */
#define FH_PTP_SCALE_SHIFT 16
/* 1588-2019 §13.3.2.9: a correction too big for the field reads as the
 * largest positive value, and stays so */
#define FH_PTP_CORRECTION_MAX INT64_MAX

enum fh_ptp_type {
	FH_PTP_SYNC = 0x0,
	FH_PTP_DELAY_REQ = 0x1,
	FH_PTP_PDELAY_REQ = 0x2,
	FH_PTP_PDELAY_RESP = 0x3,
	FH_PTP_FOLLOW_UP = 0x8,
	FH_PTP_DELAY_RESP = 0x9,
	FH_PTP_PDELAY_RESP_FOLLOW_UP = 0xA,
	FH_PTP_ANNOUNCE = 0xB,
	FH_PTP_SIGNALING = 0xC,
	FH_PTP_MANAGEMENT = 0xD,
};

/* The link-local PTP address of G.8275.1 (01-80-C2-00-00-0E): one of
 * 802.1Q's reserved addresses, which a bridge does not forward. */
static inline bool fh_mac_is_8021q_reserved(const uint8_t *mac)
{
	return mac[0] == 0x01 && mac[1] == 0x80 && mac[2] == 0xC2 &&
	       mac[3] == 0x00 && mac[4] == 0x00 && mac[5] <= 0x0F;
}

static inline bool fh_mac_is_ptp_0e(const uint8_t *mac)
{
	return fh_mac_is_8021q_reserved(mac) && mac[5] == 0x0E;
}

/* Event messages (timestamped; a transparent clock corrects them). */
static inline bool fh_ptp_is_event(unsigned type)
{
	return type <= FH_PTP_PDELAY_RESP;
}

/* Where one PTP message is in a frame. */
struct fh_ptp_loc {
	uint16_t ptp_off; /* PTP header, from the frame's first byte */
	uint16_t l3_off; /* what follows the VLAN tags (PTP header or IP) */
	uint16_t udp_off; /* UDP header; 0 over Ethernet */
	uint8_t ip_version; /* 0 (Ethernet), 4 or 6 */
	uint8_t type; /* enum fh_ptp_type */
	uint8_t domain;
	bool two_step; /* flagField twoStepFlag */
};

/*
 * Find a PTP message in the first len bytes of a frame.
 * @return 1 with *loc filled; 0 if the frame is not PTP; -EBADMSG if it
 *         is addressed as PTP (ethertype, UDP port) but its header does
 *         not hold (truncated, versionPTP not 2, messageLength past the
 *         frame).
 */
int fh_ptp_locate(const uint8_t *frame, size_t len, struct fh_ptp_loc *loc);

/* The correctionField of the PTP header at ptp (scaled ns). */
int64_t fh_ptp_correction(const uint8_t *ptp);

/* c + add, saturating at FH_PTP_CORRECTION_MAX (and INT64_MIN); a field
 * already at the maximum stays there (§13.3.2.9). */
int64_t fh_ptp_correction_sum(int64_t c, int64_t add);

/*
 * Add add (scaled ns) to the correctionField of the message loc finds in
 * frame, and keep its UDP checksum right (RFC 1624 incremental update;
 * a zero IPv4 UDP checksum means none and stays zero; IPv6 always has
 * one).
 */
void fh_ptp_correction_add(uint8_t *frame, const struct fh_ptp_loc *loc,
			   int64_t add);

/* "sync", "delay_req", ... for a message type; NULL if unassigned. */
const char *fh_ptp_type_name(unsigned type);

#endif
