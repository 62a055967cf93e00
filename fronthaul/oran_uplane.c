/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <string.h>

#include "fh/bits.h"
#include "fh/oran.h"

int fh_radio_hdr_parse(const uint8_t *p, size_t len, size_t base,
		       struct fh_radio_hdr *h, struct fh_err *err)
{
	if (len < FH_RADIO_HDR_LEN) {
		return fh_fail(err, -EMSGSIZE, base + len,
			       "truncated radio application header");
	}
	h->direction = p[0] >> 7;
	h->payload_version = (p[0] >> 4) & 0x7;
	h->filter_index = p[0] & 0xf;
	h->frame_id = p[1];
	h->subframe_id = p[2] >> 4;
	h->slot_id = (uint8_t)(((p[2] & 0xf) << 2) | (p[3] >> 6));
	h->symbol_id = p[3] & 0x3f;
	if (h->payload_version != FH_ORAN_PAYLOAD_VERSION) {
		return fh_fail(err, -EBADMSG, base,
			       "unsupported payloadVersion (expected 1)");
	}
	return 0;
}

void fh_radio_hdr_build(uint8_t *p, const struct fh_radio_hdr *h)
{
	uint8_t pv = h->payload_version ? h->payload_version :
					  FH_ORAN_PAYLOAD_VERSION;

	p[0] = (uint8_t)((h->direction & 1) << 7 | (pv & 7) << 4 |
			 (h->filter_index & 0xf));
	p[1] = h->frame_id;
	p[2] = (uint8_t)((h->subframe_id & 0xf) << 4 | (h->slot_id >> 2 & 0xf));
	p[3] = (uint8_t)((h->slot_id & 3) << 6 | (h->symbol_id & 0x3f));
}

struct fh_comp fh_comp_from_hdr(uint8_t ud_comp_hdr)
{
	struct fh_comp c = {
		.method = ud_comp_hdr & 0xf,
		.iq_width = ud_comp_hdr >> 4,
	};

	if (c.iq_width == 0) {
		c.iq_width = 16;
	}
	return c;
}

uint8_t fh_comp_to_hdr(const struct fh_comp *c)
{
	return (uint8_t)((c->iq_width & 0xf) << 4 | (c->method & 0xf));
}

int fh_uplane_parse(const uint8_t *body, size_t len, size_t base,
		    const struct fh_uplane_cfg *cfg, struct fh_radio_hdr *rh,
		    struct fh_uplane_iter *it, struct fh_err *err)
{
	int ret = fh_radio_hdr_parse(body, len, base, rh, err);

	if (ret < 0) {
		return ret;
	}
	it->buf = body;
	it->len = len;
	it->pos = FH_RADIO_HDR_LEN;
	it->base = base;
	it->cfg = cfg;
	return 0;
}

int fh_uplane_next(struct fh_uplane_iter *it, struct fh_uplane_section *s,
		   struct fh_err *err)
{
	const struct fh_uplane_cfg *cfg = it->cfg;
	size_t hdr_len = cfg->dyn_comp_hdr ? 6 : 4;
	size_t avail = it->len - it->pos;
	const uint8_t *p = it->buf + it->pos;
	size_t prb_bytes;

	if (avail == 0) {
		return 0;
	}
	if (avail < hdr_len) {
		return fh_fail(err, -EMSGSIZE, it->base + it->len,
			       "truncated U-plane section header");
	}
	memset(s, 0, sizeof(*s));
	s->offset = it->base + it->pos;
	s->section_id = (uint16_t)(fh_get_be16(p) >> 4);
	s->rb = (p[1] >> 3) & 1;
	s->sym_inc = (p[1] >> 2) & 1;
	s->start_prb = (uint16_t)((p[1] & 3) << 8 | p[2]);
	s->num_prb_field = p[3];
	s->num_prb = p[3];
	if (s->num_prb == 0) {
		s->num_prb = cfg->carrier_prbs ? cfg->carrier_prbs : FH_MAX_PRB;
	}
	if (cfg->dyn_comp_hdr) {
		s->has_comp_hdr = true;
		s->ud_comp_hdr = p[4];
		s->comp = fh_comp_from_hdr(p[4]);
	} else {
		s->comp = cfg->comp;
	}
	prb_bytes = fh_comp_prb_bytes(&s->comp);
	if (prb_bytes == 0) {
		return fh_fail(err, -EBADMSG, s->offset + 4,
			       "IQ width or compression method with no "
			       "defined PRB size");
	}
	s->data = p + hdr_len;
	s->data_len = prb_bytes * s->num_prb;
	if (s->data_len > avail - hdr_len) {
		return fh_fail(err, -EMSGSIZE, it->base + it->len,
			       "U-plane section PRBs run past the end of the "
			       "message");
	}
	it->pos += hdr_len + s->data_len;
	return 1;
}

/* numPrbu = 0 ("all PRBs") with the carrier unknown: at least the
 * smallest carrier fronthaul serves, LTE 1.4 MHz (6 PRBs); NR's smallest
 * has 11. */
#define MIN_CARRIER_PRB 6

static size_t start_prb(const uint8_t *sec)
{
	return (size_t)(sec[1] & 3) << 8 | sec[2];
}

/*
 * Sections fill p[0..len), none reaching past PRB max_end.  b: bytes a
 * PRB, with 4-byte section headers; 0: dynamic, 6-byte headers, each
 * section coded as its udCompHdr says.
 */
static bool fit(const uint8_t *p, size_t len, size_t b, uint16_t carrier,
		size_t max_end)
{
	size_t hdr = b != 0 ? 4 : 6, pos = 0;

	while (pos < len) {
		size_t rest, n, pb = b;

		if (len - pos < hdr) {
			return false;
		}
		if (pb == 0) {
			struct fh_comp c = fh_comp_from_hdr(p[pos + 4]);

			pb = fh_comp_prb_bytes(&c);
			if (pb == 0) {
				return false;
			}
		}
		rest = len - pos - hdr;
		n = p[pos + 3];
		if (n == 0 && carrier == 0) {
			return rest % pb == 0 && rest / pb >= MIN_CARRIER_PRB &&
			       rest / pb <= FH_MAX_PRB;
		}
		n = n != 0 ? n : carrier;
		if (n * pb > rest || start_prb(p + pos) + n > max_end) {
			return false;
		}
		pos += hdr + n * pb;
	}
	return true;
}

/* The PRB sizes a static coding can have (3w or 3w + 1 bytes, w = 1..16):
 * BFP 9, 14, 12, 8, 16 and no compression at 16 first, then the rest. */
static const uint8_t prb_sizes[] = {28, 43, 37, 25, 49, 48, 3,	4,  6,	7,  9,
				    10, 12, 13, 15, 16, 18, 19, 21, 22, 24, 27,
				    30, 31, 33, 34, 36, 39, 40, 42, 45, 46};

/* With the coding unknown, a section must also lie inside the largest
 * carrier (startPrbu + numPrbu <= FH_MAX_PRB): it keeps IQ bytes read as
 * section headers from fitting by chance. */
bool fh_uplane_sections_fit(const uint8_t *body, size_t len,
			    const struct fh_uplane_cfg *cfg)
{
	const uint8_t *p = body + FH_RADIO_HDR_LEN;

	if (len < FH_RADIO_HDR_LEN + 4) {
		return false;
	}
	len -= FH_RADIO_HDR_LEN;
	if (cfg != NULL) {
		size_t b = fh_comp_prb_bytes(&cfg->comp);

		if (cfg->dyn_comp_hdr) {
			return fit(p, len, 0, cfg->carrier_prbs, SIZE_MAX);
		}
		return b != 0 && fit(p, len, b, cfg->carrier_prbs, SIZE_MAX);
	}
	/* the usual case first: one section holding the whole body */
	if (fh_uplane_one_section_fits(p, len - 4)) {
		return true;
	}
	/* then the sections' own udCompHdr (one walk), then every static PRB
	 * size, the common codings first */
	if (fit(p, len, 0, 0, FH_MAX_PRB)) {
		return true;
	}
	for (size_t i = 0; i < sizeof(prb_sizes); i++) {
		if (fit(p, len, prb_sizes[i], 0, FH_MAX_PRB)) {
			return true;
		}
	}
	return false;
}

long fh_uplane_build_section(uint8_t *buf, size_t cap,
			     const struct fh_uplane_cfg *cfg,
			     const struct fh_uplane_section *s)
{
	size_t hdr_len = cfg->dyn_comp_hdr ? 6 : 4;

	if (s->section_id > 0xfff || s->start_prb > 0x3ff || s->rb > 1 ||
	    s->sym_inc > 1) {
		return -EINVAL;
	}
	if (hdr_len + s->data_len > cap) {
		return -ENOSPC;
	}
	fh_put_be16(buf, (uint16_t)(s->section_id << 4 | s->rb << 3 |
				    s->sym_inc << 2 | s->start_prb >> 8));
	buf[2] = (uint8_t)s->start_prb;
	buf[3] = s->num_prb_field;
	if (cfg->dyn_comp_hdr) {
		buf[4] = s->ud_comp_hdr;
		buf[5] = 0;
	}
	if (s->data_len != 0) {
		memcpy(buf + hdr_len, s->data, s->data_len);
	}
	return (long)(hdr_len + s->data_len);
}
