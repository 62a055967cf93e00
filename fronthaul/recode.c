/* SPDX-License-Identifier: Apache-2.0 */
#include "fh/recode.h"

#include <errno.h>
#include <string.h>

#include "fh/bits.h"

/* PRBs decoded and coded again per step: 16 * 24 int16 on the stack. */
#define CHUNK_PRB 64

int fh_recode_start(struct fh_recode *r, const uint8_t *body, size_t len,
		    size_t base, const struct fh_uplane_cfg *from,
		    const struct fh_uplane_cfg *to, size_t max_body,
		    struct fh_err *err)
{
	struct fh_radio_hdr rh;
	size_t out_prb = fh_comp_prb_bytes(&to->comp);
	int ret;

	if (out_prb == 0) {
		return fh_fail(err, -EINVAL, base,
			       "target coding has no defined PRB size");
	}
	if (max_body < FH_RADIO_HDR_LEN + fh_uplane_sec_hdr_len(to) + out_prb) {
		return fh_fail(err, -EINVAL, base,
			       "message size limit below one PRB");
	}
	memset(r, 0, sizeof(*r));
	ret = fh_uplane_parse(body, len, base, from, &rh, &r->it, err);
	if (ret < 0) {
		return ret;
	}
	memcpy(r->rh, body, FH_RADIO_HDR_LEN);
	r->from = from;
	r->to = to;
	r->max_body = max_body;
	return 0;
}

/* Write a section header for PRBs [start, start + n) of s. */
static size_t put_sec_hdr(uint8_t *p, const struct fh_uplane_cfg *to,
			  const struct fh_uplane_section *s, uint16_t start,
			  uint8_t num_field)
{
	fh_put_be16(p, (uint16_t)(s->section_id << 4 | s->rb << 3 |
				  s->sym_inc << 2 | (start >> 8 & 3)));
	p[2] = (uint8_t)start;
	p[3] = num_field;
	if (to->dyn_comp_hdr) {
		p[4] = fh_comp_to_hdr(&to->comp);
		p[5] = 0;
		return 6;
	}
	return 4;
}

/* Re-code n PRBs of s starting at PRB k into out. */
static long code_prbs(const struct fh_uplane_section *s,
		      const struct fh_comp *to, uint16_t k, uint16_t n,
		      uint8_t *out, size_t base, struct fh_err *err)
{
	size_t in_prb = fh_comp_prb_bytes(&s->comp);
	size_t out_prb = fh_comp_prb_bytes(to);
	int16_t iq[CHUNK_PRB * FH_PRB_VALUES];
	const uint8_t *in = s->data + (size_t)k * in_prb;
	size_t done = 0;

	while (done < n) {
		size_t c = n - done < CHUNK_PRB ? n - done : CHUNK_PRB;
		long ret = fh_decompress(&s->comp, in + done * in_prb, c, iq);

		if (ret < 0) {
			return fh_fail(err, (int)ret, base + s->offset,
				       "section coding cannot be decoded");
		}
		ret = fh_compress(to, iq, c, out + done * out_prb);
		if (ret < 0) {
			return fh_fail(err, (int)ret, base + s->offset,
				       "target coding cannot be written");
		}
		done += c;
	}
	return (long)(n * out_prb);
}

long fh_recode_next(struct fh_recode *r, uint8_t *out, size_t cap,
		    struct fh_err *err)
{
	size_t limit = cap < r->max_body ? cap : r->max_body;
	size_t hlen = fh_uplane_sec_hdr_len(r->to);
	size_t out_prb = fh_comp_prb_bytes(&r->to->comp);
	size_t pos = FH_RADIO_HDR_LEN;
	int ret;

	if (limit < FH_RADIO_HDR_LEN + hlen + out_prb) {
		return fh_fail(err, -ENOSPC, 0, "output buffer below one PRB");
	}
	for (;;) {
		uint16_t left, n;
		uint8_t field;
		long w;

		if (!r->have_sec) {
			ret = fh_uplane_next(&r->it, &r->sec, err);
			if (ret < 0) {
				return ret;
			}
			if (ret == 0) {
				break;
			}
			r->have_sec = true;
			r->done_prb = 0;
		}
		left = (uint16_t)(r->sec.num_prb - r->done_prb);
		if (pos + hlen + out_prb > limit) {
			break; /* not even one PRB more: next message */
		}
		n = left;
		if (pos + hlen + (size_t)n * out_prb > limit) {
			n = (uint16_t)((limit - pos - hlen) / out_prb);
			r->split = true;
		}
		/* numPrbu as received while the section goes whole and
		 * unsplit (0 = all PRBs stays 0); explicit once cut */
		if (n == r->sec.num_prb && !r->split) {
			field = r->sec.num_prb_field;
		} else {
			if (n > 255) {
				n = 255;
			}
			field = (uint8_t)n;
			r->split = true;
		}
		pos += put_sec_hdr(out + pos, r->to, &r->sec,
				   (uint16_t)(r->sec.start_prb + r->done_prb),
				   field);
		w = code_prbs(&r->sec, &r->to->comp, r->done_prb, n, out + pos,
			      0, err);
		if (w < 0) {
			return w;
		}
		pos += (size_t)w;
		r->done_prb = (uint16_t)(r->done_prb + n);
		if (r->done_prb == r->sec.num_prb) {
			r->have_sec = false;
		} else {
			break; /* the rest of this section: next message */
		}
	}
	if (pos == FH_RADIO_HDR_LEN) {
		return 0;
	}
	memcpy(out, r->rh, FH_RADIO_HDR_LEN);
	r->messages++;
	return (long)pos;
}
