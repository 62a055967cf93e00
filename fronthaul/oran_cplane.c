/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "fh/bits.h"
#include "fh/oran.h"

#define SEC_HDR_LEN 4 /* sectionId..numPrbc shared by every type */

int fh_cplane_common_len(uint8_t section_type)
{
	switch (section_type) {
	case FH_SECTION_IDLE:
	case FH_SECTION_PRACH:
		return 6;
	case FH_SECTION_NORMAL:
	case FH_SECTION_UE_SCHED:
	case FH_SECTION_CH_INFO:
		return 2;
	case FH_SECTION_LAA:
		return 1;
	default:
		return -EPROTONOSUPPORT;
	}
}

static uint16_t cfg_prbs(const struct fh_cplane_cfg *cfg)
{
	return cfg && cfg->carrier_prbs ? cfg->carrier_prbs : FH_MAX_PRB;
}

static uint16_t cfg_trx(const struct fh_cplane_cfg *cfg)
{
	return cfg && cfg->ci_num_trx ? cfg->ci_num_trx : 32;
}

static uint16_t cfg_bfw(const struct fh_cplane_cfg *cfg)
{
	return cfg && cfg->bfw_per_bundle ? cfg->bfw_per_bundle : 32;
}

int fh_cplane_parse(const uint8_t *body, size_t len, size_t base,
		    const struct fh_cplane_cfg *cfg, struct fh_cplane_hdr *h,
		    struct fh_cplane_iter *it, struct fh_err *err)
{
	const uint8_t *p;
	int clen, ret;

	memset(h, 0, sizeof(*h));
	ret = fh_radio_hdr_parse(body, len, base, &h->rh, err);
	if (ret < 0) {
		return ret;
	}
	if (len < FH_RADIO_HDR_LEN + 2) {
		return fh_fail(err, -EMSGSIZE, base + len,
			       "truncated C-plane header");
	}
	h->num_sections = body[4];
	h->section_type = body[5];
	clen = fh_cplane_common_len(h->section_type);
	if (clen < 0) {
		return fh_fail(err, clen, base + 5,
			       "reserved C-plane section type");
	}
	if (len < (size_t)FH_RADIO_HDR_LEN + 2 + (size_t)clen) {
		return fh_fail(err, -EMSGSIZE, base + len,
			       "truncated C-plane common header");
	}
	p = body + 6;
	it->pos = 6 + (size_t)clen;
	switch (h->section_type) {
	case FH_SECTION_IDLE:
	case FH_SECTION_PRACH:
		h->time_offset = fh_get_be16(p);
		h->frame_structure = p[2];
		h->cp_length = fh_get_be16(p + 3);
		if (h->section_type == FH_SECTION_PRACH) {
			h->ud_comp_hdr = p[5];
		}
		break;
	case FH_SECTION_NORMAL:
	case FH_SECTION_UE_SCHED:
		h->ud_comp_hdr = p[0];
		break;
	case FH_SECTION_CH_INFO:
		h->num_ues = p[0];
		break;
	case FH_SECTION_LAA:
		h->laa_msg_type = p[0] >> 4;
		h->laa_msg_len = p[0] & 0xf;
		if (len - it->pos < (size_t)h->laa_msg_len * 4) {
			return fh_fail(err, -EMSGSIZE, base + len,
				       "truncated LAA message");
		}
		h->laa_msg = body + it->pos;
		if (h->laa_msg_len != 0) {
			h->lbt_handle = fh_get_be16(h->laa_msg);
		}
		it->pos += (size_t)h->laa_msg_len * 4;
		break;
	}
	it->buf = body;
	it->len = len;
	it->base = base;
	it->cfg = cfg;
	/* LAA messages carry no sections */
	it->remaining = h->section_type == FH_SECTION_LAA ? 0 : h->num_sections;
	it->hdr = *h;
	return 0;
}

/* Walk an extension chain starting at buf[pos]; return its length or a
 * negative errno. */
static long ext_chain_len(const uint8_t *buf, size_t len, size_t pos,
			  size_t base, struct fh_err *err)
{
	size_t start = pos;
	bool more = true;

	while (more) {
		size_t ext_len;
		uint8_t type;

		if (len - pos < 2) {
			return fh_fail(err, -EMSGSIZE, base + len,
				       "truncated section extension header");
		}
		more = buf[pos] >> 7;
		type = buf[pos] & 0x7f;
		if (type == 11) {
			if (len - pos < 3) {
				return fh_fail(err, -EMSGSIZE, base + len,
					       "truncated section extension "
					       "header");
			}
			ext_len = fh_get_be16(buf + pos + 1);
		} else {
			ext_len = buf[pos + 1];
		}
		if (ext_len == 0) {
			return fh_fail(err, -EBADMSG, base + pos + 1,
				       "section extension with extLen 0");
		}
		ext_len *= 4;
		if (ext_len > len - pos) {
			return fh_fail(err, -EMSGSIZE, base + pos + 1,
				       "section extension runs past the end "
				       "of the message");
		}
		pos += ext_len;
	}
	return (long)(pos - start);
}

int fh_cplane_next(struct fh_cplane_iter *it, struct fh_cplane_section *s,
		   struct fh_err *err)
{
	uint8_t type = it->hdr.section_type;
	const uint8_t *p = it->buf + it->pos;
	size_t avail = it->len - it->pos;
	size_t fixed;
	long ext;

	if (it->remaining == 0) {
		return 0;
	}
	memset(s, 0, sizeof(*s));
	s->offset = it->base + it->pos;
	if (type == FH_SECTION_CH_INFO) {
		size_t ci;

		if (avail < 7) {
			return fh_fail(err, -EMSGSIZE, it->base + it->len,
				       "truncated section");
		}
		s->ef = p[0] >> 7;
		s->ue_id = fh_get_be16(p) & 0x7fff;
		s->regularization_factor = (int16_t)fh_get_be16(p + 2);
		s->rb = (p[4] >> 3) & 1;
		s->sym_inc = (p[4] >> 2) & 1;
		s->start_prb = (uint16_t)((p[4] & 3) << 8 | p[5]);
		s->num_prb_field = p[6];
		s->num_prb = p[6] ? p[6] : cfg_prbs(it->cfg);
		ci = (size_t)s->num_prb * cfg_trx(it->cfg) * 4;
		if (ci > avail - 7) {
			return fh_fail(err, -EMSGSIZE, it->base + it->len,
				       "channel information samples run past "
				       "the end of the message");
		}
		s->ci = p + 7;
		s->ci_len = ci;
		fixed = 7 + ci;
	} else {
		fixed = type == FH_SECTION_PRACH ? 12 : 8;
		if (avail < fixed) {
			return fh_fail(err, -EMSGSIZE, it->base + it->len,
				       "truncated section");
		}
		s->section_id = (uint16_t)(fh_get_be16(p) >> 4);
		s->rb = (p[1] >> 3) & 1;
		s->sym_inc = (p[1] >> 2) & 1;
		s->start_prb = (uint16_t)((p[1] & 3) << 8 | p[2]);
		s->num_prb_field = p[3];
		s->num_prb = p[3] ? p[3] : cfg_prbs(it->cfg);
		s->re_mask = fh_get_be16(p + 4) >> 4;
		s->num_symbol = p[5] & 0xf;
		switch (type) {
		case FH_SECTION_NORMAL:
		case FH_SECTION_PRACH:
			s->ef = p[6] >> 7;
			s->beam_id = fh_get_be16(p + 6) & 0x7fff;
			if (type == FH_SECTION_PRACH) {
				uint32_t fo = fh_get_be24(p + 8);

				/* sign-extend 24 bits without shifting a
				 * negative value */
				s->freq_offset = (int32_t)(fo & 0x7fffff) -
						 (int32_t)(fo & 0x800000);
			}
			break;
		case FH_SECTION_UE_SCHED:
			s->ef = p[6] >> 7;
			s->ue_id = fh_get_be16(p + 6) & 0x7fff;
			break;
		default: /* type 0: reserved 16 bits, no extensions */
			break;
		}
	}
	s->ext_offset = s->offset + fixed;
	if (s->ef) {
		ext = ext_chain_len(it->buf, it->len, it->pos + fixed, it->base,
				    err);
		if (ext < 0) {
			return (int)ext;
		}
		s->ext = p + fixed;
		s->ext_len = (size_t)ext;
	}
	s->len = fixed + s->ext_len;
	it->pos += s->len;
	it->remaining--;
	return 1;
}

static bool bfw_has_param(uint8_t meth)
{
	return meth == FH_COMP_BFP || meth == FH_COMP_BLOCK_SCALING ||
	       meth == FH_COMP_MU_LAW;
}

static int decode_ext(const struct fh_cplane_section *s,
		      const struct fh_cplane_cfg *cfg, struct fh_cplane_ext *e,
		      struct fh_err *err)
{
	const uint8_t *d = e->data;
	size_t n = e->data_len;
	size_t off = e->offset + (e->type == 11 ? 3 : 2);

	switch (e->type) {
	case 1: {
		size_t wbytes;

		if (n < 1) {
			goto short_ext;
		}
		e->u.e1.bfw_iq_width = d[0] >> 4 ? d[0] >> 4 : 16;
		e->u.e1.bfw_comp_meth = d[0] & 0xf;
		e->u.e1.has_param = bfw_has_param(e->u.e1.bfw_comp_meth);
		if (e->u.e1.has_param) {
			if (n < 2) {
				goto short_ext;
			}
			e->u.e1.bfw_comp_param = d[1];
		}
		wbytes = n - 1 - (e->u.e1.has_param ? 1 : 0);
		e->u.e1.weights = d + 1 + (e->u.e1.has_param ? 1 : 0);
		e->u.e1.num_weights =
			(uint16_t)(wbytes * 8 / (2u * e->u.e1.bfw_iq_width));
		break;
	}
	case 4:
		if (n < 2) {
			goto short_ext;
		}
		e->u.e4.csf = d[0] >> 7;
		e->u.e4.mod_comp_scaler = fh_get_be16(d) & 0x7fff;
		break;
	case 5: {
		size_t sets = n * 8 / 28;

		e->u.e5.n_sets = (uint8_t)(sets > 2 ? 2 : sets);
		if (e->u.e5.n_sets == 0) {
			goto short_ext;
		}
		for (unsigned i = 0; i < e->u.e5.n_sets; i++) {
			size_t b = (size_t)i * 28;

			e->u.e5.sets[i].mc_scale_re_mask =
				(uint16_t)fh_bits_get(d, b, 12);
			e->u.e5.sets[i].csf = fh_bits_get(d, b + 12, 1);
			e->u.e5.sets[i].mc_scale_offset =
				(uint16_t)fh_bits_get(d, b + 13, 15);
		}
		break;
	}
	case 6:
		if (n < 6) {
			goto short_ext;
		}
		e->u.e6.repetition = d[0] >> 7;
		e->u.e6.rbg_size = (d[0] >> 4) & 7;
		e->u.e6.rbg_mask = fh_get_be32(d) & 0x0fffffff;
		e->u.e6.priority = d[4] >> 6;
		e->u.e6.symbol_mask = fh_get_be16(d + 4) & 0x3fff;
		break;
	case 10:
		if (n < 2) {
			goto short_ext;
		}
		e->u.e10.beam_group_type = d[0] >> 6;
		e->u.e10.num_portc = d[0] & 0x3f;
		if (e->u.e10.beam_group_type == 2) {
			if (1 + 2 * (size_t)e->u.e10.num_portc > n) {
				return fh_fail(err, -EMSGSIZE, off,
					       "extension 10 beam IDs exceed "
					       "extLen");
			}
			e->u.e10.beam_ids = d + 1;
		}
		break;
	case 11: {
		uint16_t k = cfg_bfw(cfg);
		size_t need;

		if (n < 2) {
			goto short_ext;
		}
		e->u.e11.disable_bfws = d[0] >> 7;
		e->u.e11.rad = (d[0] >> 6) & 1;
		e->u.e11.num_bund_prb = d[1];
		if (e->u.e11.num_bund_prb == 0) {
			return fh_fail(err, -EBADMSG, off + 1,
				       "extension 11 numBundPrb 0 is "
				       "reserved");
		}
		e->u.e11.num_bundles =
			(uint16_t)((s->num_prb + e->u.e11.num_bund_prb - 1) /
				   e->u.e11.num_bund_prb);
		if (e->u.e11.disable_bfws) {
			e->u.e11.bundles = d + 2;
			e->u.e11.bundle_len = 2;
		} else {
			if (n < 3) {
				goto short_ext;
			}
			e->u.e11.bfw_iq_width = d[2] >> 4 ? d[2] >> 4 : 16;
			e->u.e11.bfw_comp_meth = d[2] & 0xf;
			e->u.e11.bundles = d + 3;
			e->u.e11.bundle_len =
				(bfw_has_param(e->u.e11.bfw_comp_meth) ? 1 :
									 0) +
				2 +
				((size_t)k * 2 * e->u.e11.bfw_iq_width + 7) / 8;
		}
		need = (size_t)(e->u.e11.bundles - d) +
		       (size_t)e->u.e11.num_bundles * e->u.e11.bundle_len;
		if (need > n) {
			return fh_fail(err, -EMSGSIZE, off,
				       "extension 11 bundles exceed extLen");
		}
		break;
	}
	case 12:
		if (n < 2) {
			goto short_ext;
		}
		e->u.e12.priority = d[0] >> 6;
		e->u.e12.symbol_mask = fh_get_be16(d) & 0x3fff;
		e->u.e12.n_ranges = (uint16_t)((n - 2) / 2);
		e->u.e12.ranges = d + 2;
		/* a last (0, 0) pair is the zero padding to 4 bytes (numPrb 0
		 * allocates nothing), as Wireshark reads it */
		if (e->u.e12.n_ranges != 0 &&
		    e->u.e12.ranges[2 * e->u.e12.n_ranges - 2] == 0 &&
		    e->u.e12.ranges[2 * e->u.e12.n_ranges - 1] == 0) {
			e->u.e12.n_ranges--;
		}
		break;
	case 13:
		e->u.e13.n_allocs = (uint16_t)(n / 2);
		e->u.e13.allocs = d;
		break;
	default:
		/* unknown types are skipped by extLen */
		break;
	}
	return 0;
short_ext:
	return fh_fail(err, -EMSGSIZE, off, "extension shorter than its type");
}

int fh_cplane_ext_next(const struct fh_cplane_section *s,
		       const struct fh_cplane_cfg *cfg, size_t *pos,
		       struct fh_cplane_ext *e, struct fh_err *err)
{
	const uint8_t *p;
	size_t hdr, total;
	int ret;

	if (*pos >= s->ext_len) {
		return 0;
	}
	/* the chain was validated by fh_cplane_next */
	p = s->ext + *pos;
	memset(e, 0, sizeof(*e));
	e->offset = s->ext_offset + *pos;
	e->ef = p[0] >> 7;
	e->type = p[0] & 0x7f;
	if (e->type == 11) {
		e->len_words = fh_get_be16(p + 1);
		hdr = 3;
	} else {
		e->len_words = p[1];
		hdr = 2;
	}
	total = (size_t)e->len_words * 4;
	e->data = p + hdr;
	e->data_len = total - hdr;
	*pos += total;
	ret = decode_ext(s, cfg, e, err);
	return ret < 0 ? ret : 1;
}

/* ---- builders ---------------------------------------------------------- */

long fh_cplane_build_hdr(uint8_t *buf, size_t cap,
			 const struct fh_cplane_hdr *h)
{
	int clen = fh_cplane_common_len(h->section_type);
	size_t total;
	uint8_t *p;

	if (clen < 0) {
		return -EINVAL;
	}
	total = 6 + (size_t)clen;
	if (h->section_type == FH_SECTION_LAA) {
		total += (size_t)h->laa_msg_len * 4;
	}
	if (total > cap) {
		return -ENOSPC;
	}
	fh_radio_hdr_build(buf, &h->rh);
	buf[4] = h->num_sections;
	buf[5] = h->section_type;
	p = buf + 6;
	memset(p, 0, (size_t)clen);
	switch (h->section_type) {
	case FH_SECTION_IDLE:
	case FH_SECTION_PRACH:
		fh_put_be16(p, h->time_offset);
		p[2] = h->frame_structure;
		fh_put_be16(p + 3, h->cp_length);
		if (h->section_type == FH_SECTION_PRACH) {
			p[5] = h->ud_comp_hdr;
		}
		break;
	case FH_SECTION_NORMAL:
	case FH_SECTION_UE_SCHED:
		p[0] = h->ud_comp_hdr;
		break;
	case FH_SECTION_CH_INFO:
		p[0] = h->num_ues;
		break;
	case FH_SECTION_LAA:
		if (h->laa_msg_type > 0xf || h->laa_msg_len > 0xf) {
			return -EINVAL;
		}
		p[0] = (uint8_t)(h->laa_msg_type << 4 | h->laa_msg_len);
		if (h->laa_msg_len != 0) {
			memcpy(p + 1, h->laa_msg, (size_t)h->laa_msg_len * 4);
		}
		break;
	}
	return (long)total;
}

long fh_cplane_build_section(uint8_t *buf, size_t cap, uint8_t section_type,
			     const struct fh_cplane_section *s)
{
	size_t fixed;
	uint8_t ef = s->ext_len != 0;

	if (s->section_id > 0xfff || s->start_prb > 0x3ff || s->rb > 1 ||
	    s->sym_inc > 1 || s->re_mask > 0xfff || s->num_symbol > 0xf ||
	    s->beam_id > 0x7fff || s->ue_id > 0x7fff ||
	    s->freq_offset < -(1 << 23) || s->freq_offset >= (1 << 23)) {
		return -EINVAL;
	}
	switch (section_type) {
	case FH_SECTION_CH_INFO:
		fixed = 7 + s->ci_len;
		break;
	case FH_SECTION_PRACH:
		fixed = 12;
		break;
	case FH_SECTION_IDLE:
		if (ef) {
			return -EINVAL; /* type 0 has no ef bit */
		}
		fixed = 8;
		break;
	case FH_SECTION_NORMAL:
	case FH_SECTION_UE_SCHED:
		fixed = 8;
		break;
	default:
		return -EINVAL;
	}
	if (fixed + s->ext_len > cap) {
		return -ENOSPC;
	}
	if (section_type == FH_SECTION_CH_INFO) {
		fh_put_be16(buf, (uint16_t)(ef << 15 | s->ue_id));
		fh_put_be16(buf + 2, (uint16_t)s->regularization_factor);
		buf[4] = (uint8_t)(s->rb << 3 | s->sym_inc << 2 |
				   s->start_prb >> 8);
		buf[5] = (uint8_t)s->start_prb;
		buf[6] = s->num_prb_field;
		if (s->ci_len != 0) {
			memcpy(buf + 7, s->ci, s->ci_len);
		}
	} else {
		fh_put_be16(buf,
			    (uint16_t)(s->section_id << 4 | s->rb << 3 |
				       s->sym_inc << 2 | s->start_prb >> 8));
		buf[2] = (uint8_t)s->start_prb;
		buf[3] = s->num_prb_field;
		fh_put_be16(buf + 4,
			    (uint16_t)(s->re_mask << 4 | s->num_symbol));
		switch (section_type) {
		case FH_SECTION_NORMAL:
		case FH_SECTION_PRACH:
			fh_put_be16(buf + 6, (uint16_t)(ef << 15 | s->beam_id));
			break;
		case FH_SECTION_UE_SCHED:
			fh_put_be16(buf + 6, (uint16_t)(ef << 15 | s->ue_id));
			break;
		default:
			fh_put_be16(buf + 6, 0);
			break;
		}
		if (section_type == FH_SECTION_PRACH) {
			fh_put_be24(buf + 8,
				    (uint32_t)s->freq_offset & 0xffffff);
			buf[11] = 0;
		}
	}
	if (s->ext_len != 0) {
		memcpy(buf + fixed, s->ext, s->ext_len);
	}
	return (long)(fixed + s->ext_len);
}

long fh_cplane_build_ext(uint8_t *buf, size_t cap,
			 const struct fh_cplane_cfg *cfg, uint16_t num_prb,
			 const struct fh_cplane_ext *e)
{
	size_t hdr = e->type == 11 ? 3 : 2;
	size_t n = 0, total, words;
	uint8_t tmp[8] = {0};
	const uint8_t *src = NULL;
	size_t pre = 0; /* bytes from tmp before the copied data */

	switch (e->type) {
	case 1: {
		uint8_t w = e->u.e1.bfw_iq_width;

		if (w == 0 || w > 16 || e->u.e1.bfw_comp_meth > 0xf) {
			return -EINVAL;
		}
		tmp[0] = (uint8_t)((w & 0xf) << 4 |
				   (e->u.e1.bfw_comp_meth & 0xf));
		pre = 1;
		if (bfw_has_param(e->u.e1.bfw_comp_meth)) {
			tmp[1] = e->u.e1.bfw_comp_param;
			pre = 2;
		}
		src = e->u.e1.weights;
		n = ((size_t)e->u.e1.num_weights * 2 * w + 7) / 8;
		break;
	}
	case 4:
		if (e->u.e4.mod_comp_scaler > 0x7fff) {
			return -EINVAL;
		}
		fh_put_be16(tmp,
			    (uint16_t)((e->u.e4.csf ? 0x8000 : 0) |
				       (e->u.e4.mod_comp_scaler & 0x7fff)));
		pre = 2;
		break;
	case 5:
		if (e->u.e5.n_sets == 0 || e->u.e5.n_sets > 2) {
			return -EINVAL;
		}
		for (unsigned i = 0; i < e->u.e5.n_sets; i++) {
			size_t b = (size_t)i * 28;

			if (e->u.e5.sets[i].mc_scale_re_mask > 0xfff ||
			    e->u.e5.sets[i].mc_scale_offset > 0x7fff) {
				return -EINVAL;
			}
			fh_bits_put(tmp, b, 12,
				    e->u.e5.sets[i].mc_scale_re_mask);
			fh_bits_put(tmp, b + 12, 1, e->u.e5.sets[i].csf);
			fh_bits_put(tmp, b + 13, 15,
				    e->u.e5.sets[i].mc_scale_offset);
		}
		pre = (e->u.e5.n_sets * 28u + 7) / 8;
		break;
	case 6:
		if (e->u.e6.repetition > 1 || e->u.e6.rbg_size > 7 ||
		    e->u.e6.rbg_mask > 0x0fffffff || e->u.e6.priority > 3 ||
		    e->u.e6.symbol_mask > 0x3fff) {
			return -EINVAL;
		}
		fh_put_be32(tmp, (uint32_t)(e->u.e6.repetition & 1) << 31 |
					 (uint32_t)(e->u.e6.rbg_size & 7)
						 << 28 |
					 (e->u.e6.rbg_mask & 0x0fffffff));
		fh_put_be16(tmp + 4,
			    (uint16_t)((e->u.e6.priority & 3) << 14 |
				       (e->u.e6.symbol_mask & 0x3fff)));
		pre = 6;
		break;
	case 10:
		if (e->u.e10.beam_group_type > 3 || e->u.e10.num_portc > 0x3f) {
			return -EINVAL;
		}
		tmp[0] = (uint8_t)((e->u.e10.beam_group_type & 3) << 6 |
				   (e->u.e10.num_portc & 0x3f));
		pre = e->u.e10.beam_group_type == 2 ? 1 : 2;
		if (e->u.e10.beam_group_type == 2) {
			src = e->u.e10.beam_ids;
			n = (size_t)e->u.e10.num_portc * 2;
		}
		break;
	case 11: {
		uint16_t nb;

		if (e->u.e11.num_bund_prb == 0) {
			return -EINVAL;
		}
		nb = (uint16_t)((num_prb + e->u.e11.num_bund_prb - 1) /
				e->u.e11.num_bund_prb);
		tmp[0] = (uint8_t)((e->u.e11.disable_bfws ? 0x80 : 0) |
				   (e->u.e11.rad ? 0x40 : 0));
		tmp[1] = e->u.e11.num_bund_prb;
		pre = 2;
		if (!e->u.e11.disable_bfws) {
			uint8_t w = e->u.e11.bfw_iq_width;

			if (w == 0 || w > 16 || e->u.e11.bfw_comp_meth > 0xf) {
				return -EINVAL;
			}
			tmp[2] = (uint8_t)((w & 0xf) << 4 |
					   (e->u.e11.bfw_comp_meth & 0xf));
			pre = 3;
			n = (size_t)nb *
			    ((bfw_has_param(e->u.e11.bfw_comp_meth) ? 1 : 0) +
			     2 + ((size_t)cfg_bfw(cfg) * 2 * w + 7) / 8);
		} else {
			n = (size_t)nb * 2;
		}
		src = e->u.e11.bundles;
		break;
	}
	case 12:
		if (e->u.e12.priority > 3 || e->u.e12.symbol_mask > 0x3fff) {
			return -EINVAL;
		}
		fh_put_be16(tmp, (uint16_t)((e->u.e12.priority & 3) << 14 |
					    (e->u.e12.symbol_mask & 0x3fff)));
		pre = 2;
		src = e->u.e12.ranges;
		n = (size_t)e->u.e12.n_ranges * 2;
		break;
	case 13:
		src = e->u.e13.allocs;
		n = (size_t)e->u.e13.n_allocs * 2;
		break;
	default:
		if (e->type > 0x7f) {
			return -EINVAL;
		}
		src = e->data;
		n = e->data_len;
		break;
	}
	total = (hdr + pre + n + 3) & ~(size_t)3;
	words = total / 4;
	if (words > (e->type == 11 ? 0xffffu : 0xffu)) {
		return -EINVAL;
	}
	if (total > cap) {
		return -ENOSPC;
	}
	if (n != 0 && src == NULL) {
		return -EINVAL;
	}
	memset(buf, 0, total);
	buf[0] = (uint8_t)((e->ef ? 0x80 : 0) | e->type);
	if (e->type == 11) {
		fh_put_be16(buf + 1, (uint16_t)words);
	} else {
		buf[1] = (uint8_t)words;
	}
	memcpy(buf + hdr, tmp, pre);
	if (n != 0) {
		memcpy(buf + hdr + pre, src, n);
	}
	return (long)total;
}
