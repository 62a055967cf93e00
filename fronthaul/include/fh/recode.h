/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FH_RECODE_H
#define FH_RECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fh/comp.h"
#include "fh/err.h"
#include "fh/oran.h"

/*
 * U-plane IQ re-coding between two port dialects (vendor A's BFP-9 with
 * udCompHdr in each section to vendor B's uncompressed 16-bit, ...).
 * Each section is decoded in the source coding and coded again in the
 * target coding, PRB by PRB; the radio header, sectionId, rb, symInc and
 * the PRB range are kept.  When the re-coded body would exceed max_body
 * bytes, it is cut into several message bodies by PRB range: a section
 * that does not fit whole is split, each part keeping sectionId with its
 * own startPrbu/numPrbu (CUS: a section may be sent as several U-plane
 * messages, each a valid message on its own).
 *
 * Quantisation: decoding is exact; coding is the codec's fh_compress, so
 * a value v decoded from the source becomes v' with
 *   none w:  v' = v with the low 16 - w bits cleared (arithmetic shift);
 *   bfp w:   v' = (v >> e) << e, e the PRB's smallest exponent, so
 *            0 <= v - v' < 2^e;
 *   block scaling and mu-law: the code nearest v (comp.h).
 * A target at least as wide as the source of the same method (none and
 * bfp) is exact.
 *
 * Nothing allocates; the state lives in the caller's struct.
 */

struct fh_recode {
	const struct fh_uplane_cfg *from;
	const struct fh_uplane_cfg *to;
	size_t max_body;
	uint8_t rh[FH_RADIO_HDR_LEN];
	struct fh_uplane_iter it;
	struct fh_uplane_section sec; /* the section being written */
	bool have_sec;
	uint16_t done_prb; /* PRBs of sec already written */
	bool split; /* some section was cut: numPrbu written explicitly */
	unsigned messages; /* bodies returned so far */
};

/*
 * Prepare to re-code the U-plane body at body (len bytes from the radio
 * header on) from one coding to another.  from and to must outlive r.
 * max_body: the largest body (radio header and sections) one message may
 * carry; it must hold the radio header, a section header and one PRB of
 * the target coding.  base: offset of body in the frame, for errors.
 * @return 0; -EINVAL for a target coding without a defined PRB size or
 *         max_body too small; errors of fh_uplane_parse.
 */
int fh_recode_start(struct fh_recode *r, const uint8_t *body, size_t len,
		    size_t base, const struct fh_uplane_cfg *from,
		    const struct fh_uplane_cfg *to, size_t max_body,
		    struct fh_err *err);

/*
 * Write the next message body (at most r->max_body bytes, and at most
 * cap) into out.
 * @return bytes written; 0 when every section has been written; a
 *         negative errno for a malformed section (fh_uplane_next's) or a
 *         source coding the codec cannot decode (-EOPNOTSUPP), with err
 *         naming the offset.
 */
long fh_recode_next(struct fh_recode *r, uint8_t *out, size_t cap,
		    struct fh_err *err);

/* Bytes of a section header in coding cfg (4, or 6 with udCompHdr). */
static inline size_t fh_uplane_sec_hdr_len(const struct fh_uplane_cfg *cfg)
{
	return cfg->dyn_comp_hdr ? 6 : 4;
}

/* True if two codings write the same bytes for the same IQ. */
static inline bool fh_uplane_cfg_same(const struct fh_uplane_cfg *a,
				      const struct fh_uplane_cfg *b)
{
	return a->dyn_comp_hdr == b->dyn_comp_hdr &&
	       a->comp.method == b->comp.method &&
	       a->comp.iq_width == b->comp.iq_width;
}

#endif
