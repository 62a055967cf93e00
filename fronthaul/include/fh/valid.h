/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FH_VALID_H
#define FH_VALID_H

/*
 * The data path's check of a U/C-plane frame: do its messages and their
 * O-RAN sections hold together (a payload size or header inconsistent
 * with the frame makes it RX_CORRUPT)?  Field values are not judged.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fh/bits.h"
#include "fh/ecpri.h"
#include "fh/oran.h"

/* Walk every eCPRI message of the frame from e (len bytes in the frame,
 * seg_len of them in its first segment) and its O-RAN sections; a walk
 * that needs bytes past the first segment is skipped. */
bool fh_oran_valid(const uint8_t *e, size_t len, size_t seg_len);

/*
 * The usual C-plane message: one eCPRI message (C = 0) in the first
 * segment, section type 1 or 5, no section extensions: its sections are
 * 8 bytes each and it holds when they fit - fh_oran_valid's answer without
 * its walk.  Anything else takes that walk.  len, seg_len: bytes from e
 * in the frame and in its first segment.
 */
static inline bool fh_cplane_fits(const uint8_t *e, size_t len, size_t seg_len)
{
	uint32_t ps = fh_get_be16(e + 2);
	const uint8_t *b = e + FH_ECPRI_HDR_LEN + 4;
	uint32_t n, pos = FH_RADIO_HDR_LEN + 4;

	if (__builtin_expect(
		    e[0] != FH_ECPRI_REVISION << 4 ||
			    e[1] != FH_ECPRI_RT_CTRL ||
			    FH_ECPRI_HDR_LEN + ps > seg_len || ps < 4 + pos ||
			    (b[0] >> 4 & 7) != FH_ORAN_PAYLOAD_VERSION ||
			    (b[5] != FH_SECTION_NORMAL &&
			     b[5] != FH_SECTION_UE_SCHED),
		    0)) {
		return fh_oran_valid(e, len, seg_len);
	}
	n = b[4];
	if (__builtin_expect(pos + n * 8 > ps - 4, 0)) {
		return fh_oran_valid(e, len, seg_len);
	}
	for (; n > 0; n--, pos += 8) {
		if (__builtin_expect(b[pos + 6] & 0x80, 0)) {
			return fh_oran_valid(e, len, seg_len);
		}
	}
	return true;
}

#endif
