/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fhctl decode: print one JSON object per eCPRI message of a pcap (NDJSON),
 * with the keys of the ARCHITECTURE.md contract.  Absent fields are
 * omitted, never null.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fh/airtime.h"
#include "fh/bits.h"
#include "fh/ecpri.h"
#include "fh/frame.h"
#include "fh/oran.h"
#include "fhctl.h"

/* Air-time offsets in --summary: 10 us buckets over [-2000, 1000) us,
 * with one below and one above. */
#define AIR_BUCKET_US 10
#define AIR_LO_US (-2000)
#define AIR_BUCKETS ((1000 - AIR_LO_US) / AIR_BUCKET_US + 2)
#define MAX_REASONS 16

/* Per (eAxC, plane, direction) statistics for --summary. */
struct flow_stat {
	bool used;
	uint64_t msgs;
	uint64_t bytes;
	uint64_t prbs;
	uint64_t seq_err;
	uint8_t last_seq;
	double first;
	double last;
	uint32_t *air; /* AIR_BUCKETS counts, with --timing */
};

struct summary {
	struct flow_stat flows[65536][2][2]; /* [eaxc][plane C=0 U=1][dir] */
	uint64_t frames;
	uint64_t other_msgs[16];
	uint64_t errors;
	/* why messages were malformed, and how often */
	char reason[MAX_REASONS][96];
	uint64_t reason_n[MAX_REASONS];
	uint64_t reason_other;
	/* U-plane messages that parsed only with another udCompHdr mode */
	char detected[96];
	uint64_t detected_n;
};

struct decode_opts {
	struct summary *sum;
	struct fh_eaxc_layout layout;
	struct fh_uplane_cfg ucfg;
	struct fh_cplane_cfg ccfg;
	struct fh_frame_cfg fcfg;
	bool iq;
	bool has_timing; /* --timing or --config: air_offset_us */
	struct fh_timing timing;
};

static void set(json_t *o, const char *k, json_t *v)
{
	json_object_set_new(o, k, v);
}

static json_t *jint(long long v)
{
	return json_integer(v);
}

static json_t *mac_str(const uint8_t m[6])
{
	char s[18];

	snprintf(s, sizeof(s), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
		 m[2], m[3], m[4], m[5]);
	return json_string(s);
}

static json_t *ip_str(int version, const uint8_t *a)
{
	char s[64];

	if (version == 4) {
		snprintf(s, sizeof(s), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	} else {
		int n = 0;

		for (int i = 0; i < 16; i += 2) {
			n += snprintf(s + n, sizeof(s) - (size_t)n, "%s%x",
				      i ? ":" : "", fh_get_be16(a + i));
		}
	}
	return json_string(s);
}

static json_t *comp_hdr_json(uint8_t hdr)
{
	struct fh_comp c = fh_comp_from_hdr(hdr);
	const char *name = fh_comp_method_name(c.method);
	json_t *o = json_object();

	set(o, "iq_width", jint(c.iq_width));
	if (name != NULL) {
		set(o, "method", json_string(name));
	} else {
		set(o, "method", jint(c.method));
	}
	return o;
}

static void set_error(json_t *o, const struct fh_err *err)
{
	char s[160];

	snprintf(s, sizeof(s), "%s at offset %zu", err->reason, err->offset);
	set(o, "error", json_string(s));
}

/* Sign-extend an n-bit two's complement value. */
static int32_t sext(uint32_t v, unsigned n)
{
	uint32_t m = 1u << (n - 1);

	return (int32_t)((v ^ m) - m);
}

/* Beamforming weights as integers: the mantissa shifted by the BFP
 * exponent when the weights are BFP-compressed. */
static json_t *bfw_json(const uint8_t *p, unsigned n_pairs, unsigned w,
			unsigned meth, uint8_t param)
{
	json_t *a = json_array();
	unsigned exp = meth == FH_COMP_BFP ? (param & 0xf) : 0;

	for (unsigned i = 0; i < 2 * n_pairs; i++) {
		int64_t v = sext(fh_bits_get(p, (size_t)i * w, w), w);

		json_array_append_new(a, jint(v * (1ll << exp)));
	}
	return a;
}

static json_t *ext_json(const struct fh_cplane_ext *e, bool iq, uint16_t bfw_k)
{
	json_t *o = json_object();

	set(o, "type", jint(e->type));
	set(o, "ext_len", jint(e->len_words));
	switch (e->type) {
	case 1:
		set(o, "bfw_iq_width", jint(e->u.e1.bfw_iq_width));
		set(o, "bfw_comp_meth", jint(e->u.e1.bfw_comp_meth));
		if (e->u.e1.has_param) {
			set(o, "bfw_comp_param", jint(e->u.e1.bfw_comp_param));
		}
		set(o, "num_weights", jint(e->u.e1.num_weights));
		if (iq) {
			set(o, "bfw",
			    bfw_json(e->u.e1.weights, e->u.e1.num_weights,
				     e->u.e1.bfw_iq_width,
				     e->u.e1.bfw_comp_meth,
				     e->u.e1.bfw_comp_param));
		}
		break;
	case 4:
		set(o, "csf", jint(e->u.e4.csf));
		set(o, "mod_comp_scaler", jint(e->u.e4.mod_comp_scaler));
		break;
	case 5: {
		json_t *a = json_array();

		for (unsigned i = 0; i < e->u.e5.n_sets; i++) {
			json_t *s = json_object();

			set(s, "mc_scale_re_mask",
			    jint(e->u.e5.sets[i].mc_scale_re_mask));
			set(s, "csf", jint(e->u.e5.sets[i].csf));
			set(s, "mc_scale_offset",
			    jint(e->u.e5.sets[i].mc_scale_offset));
			json_array_append_new(a, s);
		}
		set(o, "sets", a);
		break;
	}
	case 6:
		set(o, "repetition", jint(e->u.e6.repetition));
		set(o, "rbg_size", jint(e->u.e6.rbg_size));
		set(o, "rbg_mask", jint(e->u.e6.rbg_mask));
		set(o, "priority", jint(e->u.e6.priority));
		set(o, "symbol_mask", jint(e->u.e6.symbol_mask));
		break;
	case 10:
		set(o, "beam_group_type", jint(e->u.e10.beam_group_type));
		set(o, "num_portc", jint(e->u.e10.num_portc));
		if (e->u.e10.beam_ids != NULL) {
			json_t *a = json_array();

			for (unsigned i = 0; i < e->u.e10.num_portc; i++) {
				json_array_append_new(
					a, jint(fh_get_be16(e->u.e10.beam_ids +
							    2 * i) &
						0x7fff));
			}
			set(o, "beam_ids", a);
		}
		break;
	case 11: {
		json_t *a = json_array();

		set(o, "disable_bfws", jint(e->u.e11.disable_bfws));
		set(o, "rad", jint(e->u.e11.rad));
		set(o, "num_bund_prb", jint(e->u.e11.num_bund_prb));
		if (!e->u.e11.disable_bfws) {
			set(o, "bfw_iq_width", jint(e->u.e11.bfw_iq_width));
			set(o, "bfw_comp_meth", jint(e->u.e11.bfw_comp_meth));
		}
		for (unsigned b = 0; b < e->u.e11.num_bundles; b++) {
			const uint8_t *p =
				e->u.e11.bundles + b * e->u.e11.bundle_len;
			json_t *bo = json_object();
			uint8_t param = 0;

			if (!e->u.e11.disable_bfws &&
			    e->u.e11.bundle_len >
				    2 + ((size_t)bfw_k * 2 *
						 e->u.e11.bfw_iq_width +
					 7) / 8) {
				param = *p++;
				set(bo, "bfw_comp_param", jint(param));
			}
			set(bo, "beam_id", jint(fh_get_be16(p) & 0x7fff));
			if (iq && !e->u.e11.disable_bfws) {
				set(bo, "bfw",
				    bfw_json(p + 2, bfw_k,
					     e->u.e11.bfw_iq_width,
					     e->u.e11.bfw_comp_meth, param));
			}
			json_array_append_new(a, bo);
		}
		set(o, "bundles", a);
		break;
	}
	case 12: {
		json_t *a = json_array();

		set(o, "priority", jint(e->u.e12.priority));
		set(o, "symbol_mask", jint(e->u.e12.symbol_mask));
		for (unsigned i = 0; i < e->u.e12.n_ranges; i++) {
			json_t *r = json_object();

			set(r, "off_start_prb", jint(e->u.e12.ranges[2 * i]));
			set(r, "num_prb", jint(e->u.e12.ranges[2 * i + 1]));
			json_array_append_new(a, r);
		}
		set(o, "ranges", a);
		break;
	}
	case 13: {
		json_t *a = json_array();

		for (unsigned i = 0; i < e->u.e13.n_allocs; i++) {
			uint16_t v = fh_get_be16(e->u.e13.allocs + 2 * i);
			json_t *r = json_object();

			set(r, "next_symbol_id", jint((v >> 10) & 0xf));
			set(r, "next_start_prbc", jint(v & 0x3ff));
			json_array_append_new(a, r);
		}
		set(o, "allocations", a);
		break;
	}
	default:
		break;
	}
	return o;
}

static void radio_json(json_t *o, const struct fh_radio_hdr *rh, bool cplane)
{
	set(o, "plane", json_string(cplane ? "C" : "U"));
	set(o, "direction", json_string(rh->direction ? "DL" : "UL"));
	set(o, "payload_version", jint(rh->payload_version));
	set(o, "filter_index", jint(rh->filter_index));
	set(o, "frame_id", jint(rh->frame_id));
	set(o, "subframe_id", jint(rh->subframe_id));
	set(o, "slot_id", jint(rh->slot_id));
	set(o, cplane ? "start_symbol_id" : "symbol_id", jint(rh->symbol_id));
}

/* Whether every section of a U-plane body parses with cfg, up to its
 * last byte. */
static bool uplane_walks(const uint8_t *body, size_t len,
			 const struct fh_uplane_cfg *cfg)
{
	struct fh_radio_hdr rh;
	struct fh_uplane_iter it;
	struct fh_uplane_section s;
	int ret;

	if (fh_uplane_parse(body, len, 0, cfg, &rh, &it, NULL) < 0) {
		return false;
	}
	while ((ret = fh_uplane_next(&it, &s, NULL)) > 0) {
	}
	return ret == 0;
}

/* The wire does not say whether sections carry a udCompHdr (ORAN.md):
 * when the one given (or the default, dynamic) does not parse the whole
 * message, try the other - static BFP, then uncompressed, by width - and
 * keep the first that does, as Wireshark's dissector does.  *label names
 * it ("static bfp:9", "dynamic"); false if none fits. */
static bool uplane_detect(const struct decode_opts *o, const uint8_t *body,
			  size_t len, struct fh_uplane_cfg *cfg, char *label,
			  size_t lsize)
{
	static const unsigned methods[] = {FH_COMP_BFP, FH_COMP_NONE};

	*cfg = o->ucfg;
	if (uplane_walks(body, len, cfg)) {
		return false;
	}
	if (!o->ucfg.dyn_comp_hdr) {
		cfg->dyn_comp_hdr = true;
		if (uplane_walks(body, len, cfg)) {
			snprintf(label, lsize, "dynamic");
			return true;
		}
		cfg->dyn_comp_hdr = false;
	}
	for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
		for (uint8_t w = 16; w >= 1; w--) {
			cfg->dyn_comp_hdr = false;
			cfg->comp = (struct fh_comp){.method = methods[m],
						     .iq_width = w};
			if (uplane_walks(body, len, cfg)) {
				snprintf(label, lsize, "static %s:%u",
					 methods[m] == FH_COMP_BFP ? "bfp" :
								     "none",
					 w);
				return true;
			}
		}
	}
	*cfg = o->ucfg;
	return false;
}

/* Microseconds from the air time of the symbol in rh to the capture time
 * t_ns (negative: before it). */
static bool air_offset_us(const struct decode_opts *o,
			  const struct fh_radio_hdr *rh, int64_t t_ns,
			  double *us)
{
	int64_t air;

	if (!o->has_timing ||
	    fh_airtime_to_unix(&o->timing, rh->frame_id, rh->subframe_id,
			       rh->slot_id, rh->symbol_id, t_ns, &air) < 0) {
		return false;
	}
	*us = (double)(t_ns - air) / 1e3;
	return true;
}

static int decode_uplane(const struct decode_opts *o, const uint8_t *body,
			 size_t len, size_t base, int64_t t_ns, json_t *oran,
			 struct fh_err *err)
{
	static int16_t iq[FH_PRB_VALUES * 1024];
	struct fh_uplane_cfg cfg;
	struct fh_radio_hdr rh;
	struct fh_uplane_iter it;
	struct fh_uplane_section s;
	char detected[32];
	json_t *secs;
	double us;
	int ret, n = 0;
	bool det =
		uplane_detect(o, body, len, &cfg, detected, sizeof(detected));

	ret = fh_uplane_parse(body, len, base, &cfg, &rh, &it, err);
	if (ret < 0) {
		return ret;
	}
	radio_json(oran, &rh, false);
	if (air_offset_us(o, &rh, t_ns, &us)) {
		set(oran, "air_offset_us", json_real(us));
	}
	if (det) {
		set(oran, "ud_comp_detected", json_string(detected));
	}
	secs = json_array();
	set(oran, "sections", secs);
	while ((ret = fh_uplane_next(&it, &s, err)) > 0) {
		json_t *so = json_object();

		n++;
		set(so, "section_id", jint(s.section_id));
		set(so, "rb", jint(s.rb));
		set(so, "sym_inc", jint(s.sym_inc));
		set(so, "start_prb", jint(s.start_prb));
		set(so, "num_prb", jint(s.num_prb_field));
		if (s.has_comp_hdr) {
			set(so, "ud_comp_hdr", comp_hdr_json(s.ud_comp_hdr));
		}
		if (o->iq && s.num_prb <= 1024 &&
		    fh_decompress(&s.comp, s.data, s.num_prb, iq) >= 0) {
			json_t *a = json_array();

			for (size_t i = 0;
			     i < (size_t)s.num_prb * FH_PRB_VALUES; i++) {
				json_array_append_new(a, jint(iq[i]));
			}
			set(so, "iq", a);
		}
		json_array_append_new(secs, so);
	}
	set(oran, "number_of_sections", jint(n));
	return ret;
}

static int decode_cplane(const struct decode_opts *o, const uint8_t *body,
			 size_t len, size_t base, int64_t t_ns, json_t *oran,
			 struct fh_err *err)
{
	double us;
	struct fh_cplane_hdr h;
	struct fh_cplane_iter it;
	struct fh_cplane_section s;
	json_t *secs;
	int ret;

	ret = fh_cplane_parse(body, len, base, &o->ccfg, &h, &it, err);
	if (ret < 0) {
		/* still report what the radio header said */
		if (len >= FH_RADIO_HDR_LEN && ret != -EBADMSG) {
			struct fh_radio_hdr rh;

			if (fh_radio_hdr_parse(body, len, base, &rh, NULL) ==
			    0) {
				radio_json(oran, &rh, true);
			}
		}
		return ret;
	}
	radio_json(oran, &h.rh, true);
	if (air_offset_us(o, &h.rh, t_ns, &us)) {
		set(oran, "air_offset_us", json_real(us));
	}
	set(oran, "section_type", jint(h.section_type));
	set(oran, "number_of_sections", jint(h.num_sections));
	switch (h.section_type) {
	case FH_SECTION_IDLE:
	case FH_SECTION_PRACH:
		set(oran, "time_offset", jint(h.time_offset));
		set(oran, "frame_structure", jint(h.frame_structure));
		set(oran, "cp_length", jint(h.cp_length));
		if (h.section_type == FH_SECTION_PRACH) {
			set(oran, "ud_comp_hdr", comp_hdr_json(h.ud_comp_hdr));
		}
		break;
	case FH_SECTION_NORMAL:
	case FH_SECTION_UE_SCHED:
		set(oran, "ud_comp_hdr", comp_hdr_json(h.ud_comp_hdr));
		break;
	case FH_SECTION_CH_INFO:
		set(oran, "number_of_ues", jint(h.num_ues));
		break;
	case FH_SECTION_LAA:
		set(oran, "laa_msg_type", jint(h.laa_msg_type));
		set(oran, "laa_msg_len", jint(h.laa_msg_len));
		if (h.laa_msg_len != 0) {
			set(oran, "lbt_handle", jint(h.lbt_handle));
		}
		break;
	}
	secs = json_array();
	set(oran, "sections", secs);
	while ((ret = fh_cplane_next(&it, &s, err)) > 0) {
		json_t *so = json_object();
		struct fh_cplane_ext e;
		size_t pos = 0;
		json_t *exts = NULL;
		int r;

		if (h.section_type != FH_SECTION_CH_INFO) {
			set(so, "section_id", jint(s.section_id));
		}
		set(so, "rb", jint(s.rb));
		set(so, "sym_inc", jint(s.sym_inc));
		set(so, "start_prb", jint(s.start_prb));
		set(so, "num_prb", jint(s.num_prb_field));
		switch (h.section_type) {
		case FH_SECTION_IDLE:
		case FH_SECTION_NORMAL:
		case FH_SECTION_PRACH:
		case FH_SECTION_UE_SCHED:
			set(so, "re_mask", jint(s.re_mask));
			set(so, "num_symbol", jint(s.num_symbol));
			break;
		default:
			break;
		}
		if (h.section_type != FH_SECTION_IDLE) {
			set(so, "ef", jint(s.ef));
		}
		switch (h.section_type) {
		case FH_SECTION_NORMAL:
			set(so, "beam_id", jint(s.beam_id));
			break;
		case FH_SECTION_PRACH:
			set(so, "beam_id", jint(s.beam_id));
			set(so, "frequency_offset", jint(s.freq_offset));
			break;
		case FH_SECTION_UE_SCHED:
			set(so, "ue_id", jint(s.ue_id));
			break;
		case FH_SECTION_CH_INFO:
			set(so, "ue_id", jint(s.ue_id));
			set(so, "regularization_factor",
			    jint(s.regularization_factor));
			if (o->iq) {
				json_t *a = json_array();

				for (size_t i = 0; i + 1 < s.ci_len; i += 2) {
					json_array_append_new(
						a, jint((int16_t)fh_get_be16(
							   s.ci + i)));
				}
				set(so, "ci", a);
			}
			break;
		default:
			break;
		}
		while ((r = fh_cplane_ext_next(&s, &o->ccfg, &pos, &e, err)) >
		       0) {
			if (exts == NULL) {
				exts = json_array();
				set(so, "extensions", exts);
			}
			json_array_append_new(
				exts, ext_json(&e, o->iq,
					       o->ccfg.bfw_per_bundle ?
						       o->ccfg.bfw_per_bundle :
						       32));
		}
		json_array_append_new(secs, so);
		if (r < 0) {
			return r;
		}
	}
	return ret;
}

static void ecpri_json(const struct decode_opts *o,
		       const struct fh_ecpri_msg *m, json_t *obj)
{
	json_t *e = json_object();
	struct fh_oran_seq seq;

	set(obj, "ecpri", e);
	set(e, "revision", jint(m->revision));
	set(e, "concatenated", json_boolean(m->concatenated));
	set(e, "message_type", jint(m->type));
	set(e, "payload_size", jint(m->payload_size));
	switch (m->type) {
	case FH_ECPRI_IQ_DATA:
	case FH_ECPRI_BIT_SEQ:
	case FH_ECPRI_RT_CTRL: {
		struct fh_eaxc ex;
		json_t *eo = json_object();

		set(e, "eaxc_id", jint(m->u.iq.id));
		fh_oran_seq_split(m->u.iq.seq_id, &seq);
		set(e, "seq_id", jint(seq.seq_id));
		set(e, "e_bit", jint(seq.e_bit));
		set(e, "subseq_id", jint(seq.subseq_id));
		fh_eaxc_split(&o->layout, m->u.iq.id, &ex);
		set(eo, "du_port", jint(ex.du_port));
		set(eo, "band_sector", jint(ex.band_sector));
		set(eo, "cc", jint(ex.cc));
		set(eo, "ru_port", jint(ex.ru_port));
		set(obj, "eaxc", eo);
		break;
	}
	case FH_ECPRI_GENERIC:
		set(e, "pc_id", jint(m->u.generic.pc_id));
		set(e, "seq_id", jint(m->u.generic.seq_id));
		break;
	case FH_ECPRI_RMA:
		set(e, "rma_id", jint(m->u.rma.rma_id));
		set(e, "read_write", jint(m->u.rma.rw));
		set(e, "req_resp", jint(m->u.rma.req_resp));
		set(e, "element_id", jint(m->u.rma.element_id));
		set(e, "address", jint((json_int_t)m->u.rma.address));
		set(e, "data_length", jint(m->u.rma.length));
		break;
	case FH_ECPRI_DELAY:
		set(e, "measurement_id", jint(m->u.delay.measurement_id));
		set(e, "action_type", jint(m->u.delay.action_type));
		set(e, "timestamp_s", jint((json_int_t)m->u.delay.ts_s));
		set(e, "timestamp_ns", jint(m->u.delay.ts_ns));
		set(e, "compensation", jint(m->u.delay.compensation));
		break;
	case FH_ECPRI_RESET:
		set(e, "reset_id", jint(m->u.reset.reset_id));
		set(e, "reset_code", jint(m->u.reset.operation));
		break;
	case FH_ECPRI_EVENT: {
		json_t *a = json_array();

		set(e, "event_id", jint(m->u.event.event_id));
		set(e, "event_type", jint(m->u.event.event_type));
		set(e, "sequence", jint(m->u.event.sequence));
		set(e, "number_of_faults", jint(m->u.event.num_elements));
		for (unsigned i = 0; i < m->u.event.num_elements; i++) {
			const uint8_t *p = m->u.event.elements + 8 * i;
			json_t *el = json_object();

			set(el, "element_id", jint(fh_get_be16(p)));
			set(el, "raise_cease", jint(p[2] >> 4));
			set(el, "fault", jint(fh_get_be16(p + 2) & 0xfff));
			set(el, "additional_info", jint(fh_get_be32(p + 4)));
			json_array_append_new(a, el);
		}
		set(e, "elements", a);
		break;
	}
	default:
		break;
	}
}

static void emit(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
					JSON_REAL_PRECISION(16));

	if (s != NULL) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
	json_decref(o);
}

/* In --summary mode fold one decoded message into the per-flow table;
 * otherwise print it.  Takes ownership of obj. */
static void record(const struct decode_opts *o, json_t *obj,
		   const struct fh_ecpri_msg *m, double t)
{
	struct summary *sum = o->sum;
	struct flow_stat *fs;
	json_t *oran, *secs, *sec;
	size_t i;
	bool uplane, dl;

	if (sum == NULL) {
		emit(obj);
		return;
	}
	if (json_object_get(obj, "error") != NULL) {
		const char *e =
			json_string_value(json_object_get(obj, "error"));
		const char *at = strstr(e, " at offset");
		size_t n = at != NULL ? (size_t)(at - e) : strlen(e), k;

		sum->errors++;
		for (k = 0; k < MAX_REASONS && sum->reason[k][0] != '\0'; k++) {
			if (strncmp(sum->reason[k], e, n) == 0 &&
			    sum->reason[k][n] == '\0') {
				break;
			}
		}
		if (k == MAX_REASONS) {
			sum->reason_other++;
		} else {
			if (sum->reason[k][0] == '\0') {
				snprintf(sum->reason[k], sizeof(sum->reason[k]),
					 "%.*s", (int)n, e);
			}
			sum->reason_n[k]++;
		}
	}
	oran = json_object_get(obj, "oran");
	if (oran != NULL && json_object_get(oran, "ud_comp_detected") != NULL) {
		snprintf(sum->detected, sizeof(sum->detected), "%s",
			 json_string_value(
				 json_object_get(oran, "ud_comp_detected")));
		sum->detected_n++;
	}
	if (m == NULL || oran == NULL ||
	    json_object_get(oran, "direction") == NULL) {
		if (m != NULL) {
			sum->other_msgs[m->type < 16 ? m->type : 15]++;
		}
		json_decref(obj);
		return;
	}
	uplane = m->type == FH_ECPRI_IQ_DATA;
	dl = strcmp(json_string_value(json_object_get(oran, "direction")),
		    "DL") == 0;
	fs = &sum->flows[m->u.iq.id][uplane][dl];
	if (fs->used) {
		struct fh_oran_seq sq;

		fh_oran_seq_split(m->u.iq.seq_id, &sq);
		if (sq.seq_id != (uint8_t)(fs->last_seq + 1)) {
			fs->seq_err++;
		}
	} else {
		fs->used = true;
		fs->first = t;
	}
	fs->last_seq = (uint8_t)(m->u.iq.seq_id >> 8);
	fs->last = t;
	if (json_object_get(oran, "air_offset_us") != NULL) {
		double us =
			json_real_value(json_object_get(oran, "air_offset_us"));
		long b = us < AIR_LO_US ?
				 0 :
				 1 + (long)((us - AIR_LO_US) / AIR_BUCKET_US);

		if (fs->air == NULL) {
			fs->air = calloc(AIR_BUCKETS, sizeof(*fs->air));
		}
		if (fs->air != NULL) {
			fs->air[b < AIR_BUCKETS - 1 ? b : AIR_BUCKETS - 1]++;
		}
	}
	fs->msgs++;
	fs->bytes += m->payload_size + FH_ECPRI_HDR_LEN;
	secs = json_object_get(oran, "sections");
	json_array_foreach(secs, i, sec)
	{
		json_int_t n =
			json_integer_value(json_object_get(sec, "num_prb"));

		fs->prbs += n ? (uint64_t)n :
				(o->ucfg.carrier_prbs ? o->ucfg.carrier_prbs :
							FH_MAX_PRB);
	}
	json_decref(obj);
}

/* Per stream, the air-time offsets in 10 us buckets (non-empty ones). */
static void print_air(const struct decode_opts *o)
{
	bool head = false;

	for (unsigned id = 0; id < 65536; id++) {
		for (int pl = 0; pl < 2; pl++) {
			for (int d = 1; d >= 0; d--) {
				const struct flow_stat *fs =
					&o->sum->flows[id][pl][d];

				if (fs->air == NULL) {
					continue;
				}
				if (!head) {
					printf("air_offset_us (capture time - "
					       "air time of the symbol; "
					       "10 us buckets):\n");
					head = true;
				}
				printf("0x%04x %s %s ", id, pl ? "U" : "C",
				       d ? "DL" : "UL");
				for (int b = 0; b < AIR_BUCKETS; b++) {
					int lo = AIR_LO_US +
						 (b - 1) * AIR_BUCKET_US;

					if (fs->air[b] == 0) {
						continue;
					}
					if (b == 0) {
						printf(" <%d: %u", AIR_LO_US,
						       fs->air[b]);
					} else if (b == AIR_BUCKETS - 1) {
						printf(" >=%d: %u", lo,
						       fs->air[b]);
					} else {
						printf(" [%d,%d): %u", lo,
						       lo + AIR_BUCKET_US,
						       fs->air[b]);
					}
				}
				putchar('\n');
			}
		}
	}
}

static void print_summary(const struct decode_opts *o)
{
	static const char *const names[16] = {
		"iq_data",	"bit_sequence",		"rt_ctrl",
		"generic_data", "remote_memory_access", "one_way_delay",
		"remote_reset", "event_indication",
	};
	const struct summary *sum = o->sum;
	uint64_t total = 0;

	printf("%-6s %-15s %-5s %-3s %8s %10s %10s %7s %9s\n", "eAxC",
	       "du/bs/cc/ru", "plane", "dir", "msgs", "bytes", "PRBs", "seqerr",
	       "span_ms");
	for (unsigned id = 0; id < 65536; id++) {
		for (int pl = 0; pl < 2; pl++) {
			for (int d = 1; d >= 0; d--) {
				const struct flow_stat *fs =
					&sum->flows[id][pl][d];
				struct fh_eaxc e;
				char f[32];

				if (!fs->used) {
					continue;
				}
				fh_eaxc_split(&o->layout, (uint16_t)id, &e);
				snprintf(f, sizeof(f), "%u/%u/%u/%u", e.du_port,
					 e.band_sector, e.cc, e.ru_port);
				printf("0x%04x %-15s %-5s %-3s %8llu %10llu "
				       "%10llu %7llu %9.3f\n",
				       id, f, pl ? "U" : "C", d ? "DL" : "UL",
				       (unsigned long long)fs->msgs,
				       (unsigned long long)fs->bytes,
				       (unsigned long long)(pl ? fs->prbs : 0),
				       (unsigned long long)fs->seq_err,
				       (fs->last - fs->first) * 1e3);
				total += fs->msgs;
			}
		}
	}
	for (int t = 0; t < 16; t++) {
		if (sum->other_msgs[t] != 0) {
			printf("other eCPRI: %-22s %8llu\n",
			       names[t] ? names[t] : "reserved",
			       (unsigned long long)sum->other_msgs[t]);
			total += sum->other_msgs[t];
		}
	}
	printf("frames %llu, eCPRI messages %llu, malformed %llu\n",
	       (unsigned long long)sum->frames, (unsigned long long)total,
	       (unsigned long long)sum->errors);
	for (int k = 0; k < MAX_REASONS && sum->reason[k][0] != '\0'; k++) {
		printf("  %llu malformed: %s\n",
		       (unsigned long long)sum->reason_n[k], sum->reason[k]);
		if (strstr(sum->reason[k], "section") != NULL &&
		    sum->detected_n == 0) {
			printf("    (sections that do not fill the message: "
			       "the "
			       "capture may code U-plane\n     differently "
			       "- --uplane-comp dynamic, or the static none:W "
			       "/ "
			       "bfp:W)\n");
		}
	}
	if (sum->reason_other != 0) {
		printf("  %llu malformed for other reasons\n",
		       (unsigned long long)sum->reason_other);
	}
	if (sum->detected_n != 0) {
		printf("udCompHdr: %llu U-plane messages parse only as %s "
		       "(detected; --uplane-comp %s says so)\n",
		       (unsigned long long)sum->detected_n, sum->detected,
		       strncmp(sum->detected, "static ", 7) == 0 ?
			       sum->detected + 7 :
			       sum->detected);
	}
	print_air(o);
}

static json_t *frame_base(unsigned long index, unsigned msg_index,
			  const struct pcap_pkthdr *ph,
			  const struct fh_frame *f)
{
	json_t *o = json_object();
	json_t *eth = json_object();

	set(o, "index", jint((json_int_t)index));
	set(o, "message_index", jint(msg_index));
	set(o, "time",
	    json_real((double)ph->ts.tv_sec + (double)ph->ts.tv_usec / 1e9));
	set(o, "length", jint(ph->caplen));
	set(eth, "dst", mac_str(f->dst));
	set(eth, "src", mac_str(f->src));
	if (f->n_vlans > 0) {
		set(eth, "vlan", jint(f->vlan_tci[0] & 0xfff));
		set(eth, "pcp", jint(f->vlan_tci[0] >> 13));
	}
	if (f->n_vlans > 1) {
		set(eth, "inner_vlan", jint(f->vlan_tci[1] & 0xfff));
		set(eth, "inner_pcp", jint(f->vlan_tci[1] >> 13));
	}
	set(eth, "ethertype", jint(f->ethertype));
	set(o, "eth", eth);
	if (f->over_udp) {
		json_t *ip = json_object();

		set(ip, "src", ip_str(f->ip_version, f->ip_src));
		set(ip, "dst", ip_str(f->ip_version, f->ip_dst));
		set(ip, "sport", jint(f->sport));
		set(ip, "dport", jint(f->dport));
		set(o, "ip", ip);
	}
	return o;
}

/* A message that does not hold still shows the header fields it has, as
 * Wireshark does: the common header, and eAxC and SeqId of IQ data and
 * real-time control when their bytes are there. */
static void partial_ecpri(json_t *obj, const uint8_t *p, size_t n)
{
	json_t *e;

	if (n < FH_ECPRI_HDR_LEN) {
		return;
	}
	e = json_object();
	set(e, "revision", jint(p[0] >> 4));
	set(e, "concatenated", json_boolean(p[0] & 1));
	set(e, "message_type", jint(p[1]));
	set(e, "payload_size", jint(fh_get_be16(p + 2)));
	if (n >= FH_ECPRI_HDR_LEN + 4 &&
	    (p[1] == FH_ECPRI_IQ_DATA || p[1] == FH_ECPRI_RT_CTRL ||
	     p[1] == FH_ECPRI_BIT_SEQ)) {
		struct fh_oran_seq seq;

		set(e, "eaxc_id", jint(fh_get_be16(p + 4)));
		fh_oran_seq_split(fh_get_be16(p + 6), &seq);
		set(e, "seq_id", jint(seq.seq_id));
		set(e, "e_bit", jint(seq.e_bit));
		set(e, "subseq_id", jint(seq.subseq_id));
	}
	set(obj, "ecpri", e);
}

static void decode_frame(const struct decode_opts *o, unsigned long index,
			 const struct pcap_pkthdr *ph, const uint8_t *pkt)
{
	struct fh_frame f;
	struct fh_err err = {0};
	struct fh_ecpri_iter it;
	struct fh_ecpri_msg m;
	unsigned msg = 0;
	int ret;

	if (fh_frame_parse(pkt, ph->caplen, &o->fcfg, &f, &err) < 0) {
		json_t *obj = json_object();

		set(obj, "index", jint((json_int_t)index));
		set(obj, "message_index", jint(0));
		set(obj, "length", jint(ph->caplen));
		set_error(obj, &err);
		record(o, obj, NULL, 0);
		return;
	}
	if (!f.is_ecpri) {
		return;
	}
	if (o->sum != NULL) {
		o->sum->frames++;
	}
	fh_ecpri_iter_init(&it, pkt + f.ecpri_offset, f.ecpri_len,
			   f.ecpri_offset);
	for (;;) {
		size_t at = it.pos;
		json_t *obj;

		ret = fh_ecpri_next(&it, &m, &err);
		if (ret == 0) {
			break;
		}
		obj = frame_base(index, msg, ph, &f);
		if (ret < 0) {
			partial_ecpri(obj, it.buf + at,
				      at < it.len ? it.len - at : 0);
			set_error(obj, &err);
			record(o, obj, NULL, 0);
			break;
		}
		ecpri_json(o, &m, obj);
		if (m.type == FH_ECPRI_IQ_DATA || m.type == FH_ECPRI_RT_CTRL) {
			json_t *oran = json_object();

			set(obj, "oran", oran);
			size_t base = (size_t)(m.body - pkt);

			int64_t t_ns = (int64_t)ph->ts.tv_sec * 1000000000 +
				       ph->ts.tv_usec; /* ns precision */

			ret = m.type == FH_ECPRI_IQ_DATA ?
				      decode_uplane(o, m.body, m.body_len, base,
						    t_ns, oran, &err) :
				      decode_cplane(o, m.body, m.body_len, base,
						    t_ns, oran, &err);
			if (ret < 0) {
				set_error(obj, &err);
			}
		}
		record(o, obj, &m,
		       (double)ph->ts.tv_sec + (double)ph->ts.tv_usec / 1e9);
		msg++;
	}
}

/* "MU" or "MU,ALPHA,BETA" (config.proto Timing). */
static int parse_timing(const char *s, struct fh_timing *t)
{
	char *end;
	unsigned long mu = strtoul(s, &end, 10);
	unsigned long long alpha = 0;
	long beta = 0;

	if (end == s) {
		return -EINVAL;
	}
	if (*end == ',') {
		const char *a = end + 1;

		alpha = strtoull(a, &end, 10);
		if (end == a || *end != ',') {
			return -EINVAL;
		}
		a = end + 1;
		beta = strtol(a, &end, 10);
		if (end == a) {
			return -EINVAL;
		}
	}
	if (*end != '\0' || mu > 4 || beta < INT32_MIN || beta > INT32_MAX) {
		return -EINVAL;
	}
	*t = (struct fh_timing){
		.mu = (uint8_t)mu, .alpha = alpha, .beta = (int32_t)beta};
	return fh_timing_check(t);
}

/* --config FILE: the switch's config gives the timing (mu default 1)
 * and, unless --eaxc-layout did, the eAxC layout. */
static int config_timing(const char *path, struct decode_opts *o,
			 bool layout_given)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je), *t, *l;

	if (root == NULL) {
		fprintf(stderr, "fhctl decode: --config %s: line %d: %s\n",
			path, je.line, je.text);
		return -EINVAL;
	}
	t = json_object_get(root, "timing");
	o->timing = (struct fh_timing){.mu = 1};
	if (json_is_object(t)) {
		json_t *mu = json_object_get(t, "mu"),
		       *a = json_object_get(t, "gps_alpha"),
		       *b = json_object_get(t, "gps_beta");

		/* proto3 JSON: 64-bit integers may come as strings */
		o->timing.mu = mu ? (uint8_t)json_integer_value(mu) : 1;
		o->timing.alpha =
			json_is_string(a) ?
				strtoull(json_string_value(a), NULL, 10) :
				(uint64_t)json_integer_value(a);
		o->timing.beta = (int32_t)json_integer_value(b);
	}
	l = json_object_get(root, "eaxc_layout");
	if (!layout_given && json_is_object(l)) {
		o->layout = (struct fh_eaxc_layout){
			(uint8_t)json_integer_value(
				json_object_get(l, "du_port_bits")),
			(uint8_t)json_integer_value(
				json_object_get(l, "band_sector_bits")),
			(uint8_t)json_integer_value(
				json_object_get(l, "cc_bits")),
			(uint8_t)json_integer_value(
				json_object_get(l, "ru_port_bits"))};
	}
	json_decref(root);
	if (fh_timing_check(&o->timing) < 0) {
		fprintf(stderr,
			"fhctl decode: --config %s: timing: mu 0..4 "
			"and gps_alpha below 12288000 expected\n",
			path);
		return -EINVAL;
	}
	o->has_timing = true;
	return 0;
}

static void decode_usage(FILE *f)
{
	fprintf(f,
		"usage: fhctl decode [options] FILE.pcap\n"
		"  --eaxc-layout A,B,C,D   eAxC bit widths (default 4,4,4,4)\n"
		"  --uplane-comp SPEC      dynamic | none:W | bfp:W | bs:W | "
		"mulaw:W\n"
		"                          (default dynamic: udCompHdr in each "
		"section)\n"
		"  --udp-port P            eCPRI over UDP on port P "
		"(repeatable)\n"
		"  --carrier-prbs N        PRBs meant by numPrb 0 (default "
		"273)\n"
		"  --ci-trx N              type 6 TRX per PRB (default 32)\n"
		"  --bfw-per-bundle N      extension 11 weights per bundle "
		"(default 32)\n"
		"  --iq                    print decompressed IQ samples\n"
		"  --summary               print a per-eAxC table instead of "
		"NDJSON\n"
		"                          (with malformed reasons and air "
		"offsets)\n"
		"  --timing MU[,ALPHA,BETA] numerology and GPS alpha/beta: "
		"adds air_offset_us\n"
		"  --config FILE           the switch's config: its timing "
		"and eaxc_layout\n");
}

int fhctl_decode_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"eaxc-layout", required_argument, NULL, 'l'},
		{"uplane-comp", required_argument, NULL, 'c'},
		{"udp-port", required_argument, NULL, 'u'},
		{"carrier-prbs", required_argument, NULL, 'p'},
		{"ci-trx", required_argument, NULL, 't'},
		{"bfw-per-bundle", required_argument, NULL, 'b'},
		{"iq", no_argument, NULL, 'q'},
		{"summary", no_argument, NULL, 's'},
		{"timing", required_argument, NULL, 'T'},
		{"config", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct decode_opts o = {
		.layout = FH_EAXC_LAYOUT_4444,
		.ucfg = {.dyn_comp_hdr = true},
	};
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	const uint8_t *pkt;
	unsigned long index = 0, v;
	bool layout_given = false;
	pcap_t *pc;
	int c, ret;

	optind = 1;
	int li = 0;

	while ((c = getopt_long(argc, argv, "h", longopts, &li)) != -1) {
		switch (c) {
		case 'l':
			layout_given = true;
			if (fhctl_parse_layout(optarg, &o.layout) < 0) {
				fprintf(stderr,
					"fhctl decode: --eaxc-layout '%s': "
					"four widths summing to 16 expected\n",
					optarg);
				return FHCTL_EXIT_USAGE;
			}
			break;
		case 'c':
			if (fhctl_parse_comp(optarg, &o.ucfg.comp,
					     &o.ucfg.dyn_comp_hdr) < 0) {
				fprintf(stderr,
					"fhctl decode: --uplane-comp '%s': "
					"expected dynamic, none:W, bfp:W, "
					"bs:W or mulaw:W with W 1..16\n",
					optarg);
				return FHCTL_EXIT_USAGE;
			}
			break;
		case 'u':
			if (fhctl_parse_uint(optarg, 1, 65535, &v) < 0 ||
			    o.fcfg.n_udp_ports == FH_MAX_UDP_PORTS) {
				fprintf(stderr,
					"fhctl decode: --udp-port '%s': a port "
					"1..65535 expected (at most %d)\n",
					optarg, FH_MAX_UDP_PORTS);
				return FHCTL_EXIT_USAGE;
			}
			o.fcfg.udp_ports[o.fcfg.n_udp_ports++] = (uint16_t)v;
			break;
		case 'p':
		case 't':
		case 'b':
			if (fhctl_parse_uint(optarg, 1, c == 'p' ? 1023 : 1024,
					     &v) < 0) {
				fprintf(stderr,
					"fhctl decode: --%s '%s': a positive "
					"integer expected\n",
					longopts[li].name, optarg);
				return FHCTL_EXIT_USAGE;
			}
			if (c == 'p') {
				o.ucfg.carrier_prbs = (uint16_t)v;
				o.ccfg.carrier_prbs = (uint16_t)v;
			} else if (c == 't') {
				o.ccfg.ci_num_trx = (uint16_t)v;
			} else {
				o.ccfg.bfw_per_bundle = (uint16_t)v;
			}
			break;
		case 'q':
			o.iq = true;
			break;
		case 'T':
			if (parse_timing(optarg, &o.timing) < 0) {
				fprintf(stderr,
					"fhctl decode: --timing '%s': MU or "
					"MU,ALPHA,BETA expected (mu 0..4, "
					"alpha below 12288000)\n",
					optarg);
				return FHCTL_EXIT_USAGE;
			}
			o.has_timing = true;
			break;
		case 'C':
			if (config_timing(optarg, &o, layout_given) < 0) {
				return FHCTL_EXIT_ERROR;
			}
			break;
		case 's':
			if (o.sum == NULL) {
				o.sum = calloc(1, sizeof(*o.sum));
				if (o.sum == NULL) {
					fprintf(stderr, "fhctl decode: out of "
							"memory\n");
					return FHCTL_EXIT_ERROR;
				}
			}
			break;
		case 'h':
			decode_usage(stdout);
			return FHCTL_EXIT_OK;
		default:
			decode_usage(stderr);
			return FHCTL_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		decode_usage(stderr);
		return FHCTL_EXIT_USAGE;
	}
	pc = pcap_open_offline_with_tstamp_precision(
		argv[optind], PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (pc == NULL) {
		fprintf(stderr, "fhctl decode: %s\n", errbuf);
		return FHCTL_EXIT_ERROR;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		fprintf(stderr,
			"fhctl decode: %s: link type %d is not "
			"Ethernet\n",
			argv[optind], pcap_datalink(pc));
		pcap_close(pc);
		return FHCTL_EXIT_ERROR;
	}
	while ((ret = pcap_next_ex(pc, &ph, &pkt)) == 1) {
		decode_frame(&o, ++index, ph, pkt);
	}
	if (ret == PCAP_ERROR) {
		fprintf(stderr, "fhctl decode: %s: %s\n", argv[optind],
			pcap_geterr(pc));
		pcap_close(pc);
		free(o.sum);
		return FHCTL_EXIT_ERROR;
	}
	pcap_close(pc);
	if (o.sum != NULL) {
		print_summary(&o);
		for (unsigned id = 0; id < 65536; id++) {
			for (int k = 0; k < 4; k++) {
				free(o.sum->flows[id][k >> 1][k & 1].air);
			}
		}
		free(o.sum);
	}
	return fflush(stdout) == 0 ? FHCTL_EXIT_OK : FHCTL_EXIT_ERROR;
}
