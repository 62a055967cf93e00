/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fhctl gen: write a valid, time-stamped O-DU/O-RU stream.  Per slot the
 * C-plane goes out before the U-plane it describes; every eAxC, plane and
 * direction has its own sequence number; each packet is stamped at its air
 * time minus the configured advance (DL) or plus the RU's delay (UL).  IQ
 * samples come from a deterministic signal (tones with a PRB envelope and
 * noise), compressed with the configured method.
 */
#include <errno.h>
#include <math.h>
#include <pcap/pcap.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fh/airtime.h"
#include "fh/bits.h"
#include "fh/ecpri.h"
#include "fh/frame.h"
#include "fh/oran.h"
#include "fhctl.h"

#define MAX_FRAME 9600
#define MAX_EAXC 256

struct gen_opts {
	const char *out;
	struct fh_eaxc_layout layout;
	unsigned n_eaxc;
	struct fh_timing timing;
	unsigned prbs;
	struct fh_comp comp;
	bool dyn_comp_hdr;
	unsigned slots;
	int64_t start_ns;
	int64_t dl_advance_ns;
	int64_t cp_advance_ns;
	int64_t ul_delay_ns;
	unsigned direction; /* DIR_* */
	unsigned from; /* FROM_* */
	unsigned comp_hdr; /* 0 static, 1 dynamic */
	bool dl; /* from direction */
	bool ul;
	bool prach;
	bool vlan;
	unsigned vlan_id;
	unsigned pcp;
	bool udp;
	unsigned udp_port;
	uint32_t du_ip;
	uint32_t ru_ip;
	uint8_t du_mac[6];
	uint8_t ru_mac[6];
	uint64_t seed;
	unsigned ru_count; /* RUs of one cell, each its own capture */
	unsigned mtu;
	unsigned cplane_types; /* bitmask of extra section types */
	unsigned exts[16];
	unsigned n_exts;
	bool ecpri_misc;
	bool concat;
	bool from_du; /* emit what the O-DU sends */
	bool from_ru; /* emit what the O-RU sends */
};

struct pkt {
	int64_t t_ns;
	size_t order;
	size_t len;
	uint8_t *data;
};

struct gen {
	const struct gen_opts *o;
	struct pkt *pkts;
	size_t n, cap;
	uint8_t seq[MAX_EAXC + 1][2][2]; /* [eaxc][plane C=0 U=1][dir] */
	uint64_t rng;
	unsigned ru; /* which RU of the cell (--ru-count) */
	int err;
};

/* ---- deterministic signal ------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64: tiny, good enough for test signals, reproducible */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double rng_gauss(uint64_t *s)
{
	/* Irwin-Hall approximation of N(0,1) */
	double acc = 0;

	for (int i = 0; i < 12; i++) {
		acc += (double)(rng_next(s) >> 11) / 9007199254740992.0;
	}
	return acc - 6.0;
}

static int16_t clip16(double v)
{
	if (v > 32767) {
		return 32767;
	}
	if (v < -32768) {
		return -32768;
	}
	return (int16_t)lrint(v);
}

/* n_prb PRBs of IQ for one symbol of one eAxC, starting at PRB first. */
static void make_iq(struct gen *g, unsigned eaxc, unsigned slot, unsigned sym,
		    unsigned first, unsigned n_prb, int16_t *iq)
{
	unsigned total = g->o->prbs * FH_PRB_RE;

	for (unsigned p = 0; p < n_prb; p++) {
		unsigned prb = first + p;
		double env =
			0.25 +
			0.75 * fabs(sin(M_PI * prb * 3.0 / (double)g->o->prbs +
					0.3 * eaxc));

		for (unsigned r = 0; r < FH_PRB_RE; r++) {
			unsigned n = prb * FH_PRB_RE + r;
			/* each RU of a cell hears the signal at its own
			 * phase (--ru-count) */
			double ph1 = 2 * M_PI *
				     (7.0 * n / total + 0.11 * slot +
				      0.37 * sym + 0.5 * eaxc + 0.07 * g->ru);
			double ph2 = 2 * M_PI * (23.0 * n / total + 0.05 * sym);
			double i = env * (9000 * cos(ph1) + 3000 * cos(ph2)) +
				   250 * rng_gauss(&g->rng);
			double q = env * (9000 * sin(ph1) - 3000 * sin(ph2)) +
				   250 * rng_gauss(&g->rng);

			iq[p * FH_PRB_VALUES + 2 * r] = clip16(i);
			iq[p * FH_PRB_VALUES + 2 * r + 1] = clip16(q);
		}
	}
}

/* ---- packet assembly ------------------------------------------------------ */

static void add_pkt(struct gen *g, int64_t t_ns, const uint8_t *frame,
		    size_t len)
{
	struct pkt *p;

	if (g->err) {
		return;
	}
	if (g->n == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 1024;
		struct pkt *np = realloc(g->pkts, ncap * sizeof(*np));

		if (np == NULL) {
			g->err = -ENOMEM;
			return;
		}
		g->pkts = np;
		g->cap = ncap;
	}
	p = &g->pkts[g->n];
	p->data = malloc(len < FH_ETH_MIN_FRAME ? FH_ETH_MIN_FRAME : len);
	if (p->data == NULL) {
		g->err = -ENOMEM;
		return;
	}
	memcpy(p->data, frame, len);
	if (len < FH_ETH_MIN_FRAME) {
		/* Ethernet pads short frames */
		memset(p->data + len, 0, FH_ETH_MIN_FRAME - len);
		len = FH_ETH_MIN_FRAME;
	}
	p->len = len;
	p->t_ns = t_ns;
	p->order = g->n++;
}

static void frame_spec(const struct gen *g, bool from_du,
		       struct fh_frame_spec *s)
{
	const struct gen_opts *o = g->o;

	memset(s, 0, sizeof(*s));
	memcpy(s->dst, from_du ? o->ru_mac : o->du_mac, 6);
	memcpy(s->src, from_du ? o->du_mac : o->ru_mac, 6);
	s->vlan = o->vlan;
	s->vlan_id = (uint16_t)o->vlan_id;
	s->pcp = (uint8_t)o->pcp;
	s->udp = o->udp;
	s->ip_src = from_du ? o->du_ip : o->ru_ip;
	s->ip_dst = from_du ? o->ru_ip : o->du_ip;
	s->ip_dscp = 46; /* EF for U/C-plane, o-ran-interfaces default */
	s->sport = (uint16_t)o->udp_port;
	s->dport = (uint16_t)o->udp_port;
}

/* Wrap eCPRI bytes (one or more messages) in transport headers and queue. */
static void emit_ecpri(struct gen *g, int64_t t_ns, bool from_du,
		       const uint8_t *ecpri, size_t len)
{
	uint8_t frame[MAX_FRAME + 128];
	struct fh_frame_spec spec;
	long hl;

	if ((from_du && !g->o->from_du) || (!from_du && !g->o->from_ru)) {
		return; /* the other side's traffic (--from) */
	}
	frame_spec(g, from_du, &spec);
	hl = fh_frame_build_hdr(frame, sizeof(frame), &spec, len);
	if (hl < 0 || (size_t)hl + len > sizeof(frame)) {
		g->err = hl < 0 ? (int)hl : -EMSGSIZE;
		return;
	}
	memcpy(frame + hl, ecpri, len);
	add_pkt(g, t_ns, frame, (size_t)hl + len);
}

static uint16_t eaxc_id(const struct gen *g, unsigned idx)
{
	struct fh_eaxc f = {.du_port = 0,
			    .band_sector = 0,
			    .cc = 0,
			    .ru_port = (uint16_t)idx};
	uint16_t id = 0;

	if (fh_eaxc_join(&g->o->layout, &f, &id) < 0) {
		/* ports beyond the RU port width spill into the CC field */
		f.ru_port = (uint16_t)(idx &
				       ((1u << g->o->layout.ru_port_bits) - 1));
		f.cc = (uint16_t)(idx >> g->o->layout.ru_port_bits);
		(void)fh_eaxc_join(&g->o->layout, &f, &id);
	}
	return id;
}

/* Build an O-RAN message (type 0 or 2) around body and queue it. */
static void emit_oran(struct gen *g, int64_t t_ns, bool from_du, uint8_t type,
		      unsigned eaxc, unsigned dir, const uint8_t *body,
		      size_t body_len)
{
	uint8_t buf[MAX_FRAME];
	struct fh_ecpri_msg m = {.type = type};
	struct fh_oran_seq seq = {.e_bit = 1};
	uint8_t *ctr = &g->seq[eaxc][type == FH_ECPRI_IQ_DATA][dir];
	long n;

	seq.seq_id = (*ctr)++;
	m.u.iq.id = eaxc_id(g, eaxc);
	m.u.iq.seq_id = fh_oran_seq_join(&seq);
	m.body = body;
	m.body_len = body_len;
	n = fh_ecpri_build(buf, sizeof(buf), &m);
	if (n < 0) {
		g->err = (int)n;
		return;
	}
	emit_ecpri(g, t_ns, from_du, buf, (size_t)n);
}

/* ---- C-plane -------------------------------------------------------------- */

/* Append the configured extension chain for a type 1 section. */
static long build_exts(struct gen *g, uint8_t *buf, size_t cap,
		       uint16_t num_prb, unsigned eaxc)
{
	static const struct fh_cplane_cfg ccfg = {0};
	size_t off = 0;

	for (unsigned i = 0; i < g->o->n_exts; i++) {
		struct fh_cplane_ext e = {.type = (uint8_t)g->o->exts[i]};
		uint8_t data[2048];
		long n;

		memset(data, 0, sizeof(data));
		e.ef = i + 1 < g->o->n_exts;
		switch (e.type) {
		case 1: {
			/* 32 TRX of 9-bit BFP weights */
			int16_t w[64];

			for (int k = 0; k < 64; k++) {
				w[k] = clip16(3000 * sin(0.4 * k + eaxc));
			}
			e.u.e1.bfw_iq_width = 9;
			e.u.e1.bfw_comp_meth = FH_COMP_BFP;
			e.u.e1.bfw_comp_param = 4;
			for (int k = 0; k < 64; k++) {
				fh_bits_put(data, (size_t)k * 9, 9,
					    (uint32_t)(w[k] >> 4) & 0x1ff);
			}
			e.u.e1.weights = data;
			e.u.e1.num_weights = 32;
			break;
		}
		case 4:
			e.u.e4.csf = 1;
			e.u.e4.mod_comp_scaler = 0x1234;
			break;
		case 5:
			e.u.e5.n_sets = 2;
			e.u.e5.sets[0].mc_scale_re_mask = 0xaaa;
			e.u.e5.sets[0].csf = 1;
			e.u.e5.sets[0].mc_scale_offset = 0x1357;
			e.u.e5.sets[1].mc_scale_re_mask = 0x555;
			e.u.e5.sets[1].mc_scale_offset = 0x2468;
			break;
		case 6:
			e.u.e6.repetition = 0;
			e.u.e6.rbg_size = 3;
			e.u.e6.rbg_mask = 0x0f0f0f0;
			e.u.e6.priority = 1;
			e.u.e6.symbol_mask = 0x3fff;
			break;
		case 10:
			e.u.e10.beam_group_type = 2;
			e.u.e10.num_portc = 3;
			for (int k = 0; k < 3; k++) {
				fh_put_be16(data + 2 * k,
					    (uint16_t)(100 + 10 * eaxc + k));
			}
			e.u.e10.beam_ids = data;
			break;
		case 11: {
			/* weights disabled: one beam ID per bundle */
			unsigned nb;

			e.u.e11.disable_bfws = 1;
			e.u.e11.num_bund_prb = 16;
			nb = (num_prb + 15) / 16;
			for (unsigned k = 0; k < nb; k++) {
				fh_put_be16(data + 2 * k, (uint16_t)(200 + k));
			}
			e.u.e11.bundles = data;
			break;
		}
		case 12:
			/* an even number of ranges fills the words exactly */
			e.u.e12.priority = 1;
			e.u.e12.symbol_mask = 0x0ff0;
			data[0] = 0;
			data[1] = 20;
			data[2] = 10;
			data[3] = 30;
			e.u.e12.ranges = data;
			e.u.e12.n_ranges = 2;
			break;
		case 13:
			fh_put_be16(data, (uint16_t)(7 << 10 | 50));
			e.u.e13.allocs = data;
			e.u.e13.n_allocs = 1;
			break;
		default:
			/* an extension type this codec does not know:
			 * receivers skip it by extLen (one word, so that
			 * tshark 4.0, which flags more than 3 undissected
			 * bytes, stays quiet) */
			data[0] = 0xbe;
			data[1] = 0xef;
			e.data = data;
			e.data_len = 2;
			break;
		}
		n = fh_cplane_build_ext(buf + off, cap - off, &ccfg, num_prb,
					&e);
		if (n < 0) {
			return n;
		}
		off += (size_t)n;
	}
	return (long)off;
}

static void emit_cplane(struct gen *g, int64_t t_ns, bool from_du,
			unsigned eaxc, const struct fh_radio_hdr *rh,
			uint8_t type, unsigned start_prb, unsigned num_prb)
{
	uint8_t body[MAX_FRAME], ext[4096], ci[4096];
	struct fh_cplane_hdr h = {
		.rh = *rh, .num_sections = 1, .section_type = type};
	struct fh_cplane_section s = {0};
	uint8_t laa[4];
	long n, m;

	s.start_prb = (uint16_t)start_prb;
	s.num_prb_field = num_prb > 255 ? 0 : (uint8_t)num_prb;
	s.num_prb = (uint16_t)num_prb;
	s.re_mask = 0xfff;
	s.num_symbol = 14;
	switch (type) {
	case FH_SECTION_IDLE:
		h.time_offset = 0;
		h.frame_structure = (uint8_t)(12 << 4 | g->o->timing.mu);
		h.cp_length = 288;
		s.section_id = 0;
		break;
	case FH_SECTION_NORMAL:
		/* DL C-plane udCompHdr is reserved (0); UL tells the RU how
		 * to compress */
		h.ud_comp_hdr = rh->direction == FH_DIR_DL ?
					0 :
					fh_comp_to_hdr(&g->o->comp);
		s.section_id = (uint16_t)(1 + eaxc);
		s.beam_id = (uint16_t)(1 + eaxc);
		m = build_exts(g, ext, sizeof(ext), s.num_prb, eaxc);
		if (m < 0) {
			g->err = (int)m;
			return;
		}
		s.ext = ext;
		s.ext_len = (size_t)m;
		break;
	case FH_SECTION_PRACH:
		h.time_offset = 1200;
		h.frame_structure = (uint8_t)(12 << 4 | g->o->timing.mu);
		h.cp_length = 3168;
		h.ud_comp_hdr = fh_comp_to_hdr(&g->o->comp);
		s.section_id = 0x800;
		s.num_symbol = 1;
		s.beam_id = 0;
		s.freq_offset = -1092;
		break;
	case FH_SECTION_UE_SCHED:
		h.ud_comp_hdr = rh->direction == FH_DIR_DL ?
					0 :
					fh_comp_to_hdr(&g->o->comp);
		s.section_id = (uint16_t)(0x100 + eaxc);
		s.ue_id = (uint16_t)(0x4000 + eaxc);
		break;
	case FH_SECTION_CH_INFO:
		/* one UE, 1 PRB of 32 TRX channel estimates */
		h.num_ues = 1;
		s.ue_id = (uint16_t)(0x10 + eaxc);
		s.regularization_factor = -5;
		s.num_prb_field = 1;
		s.num_prb = 1;
		for (int k = 0; k < 64; k++) {
			fh_put_be16(ci + 2 * k,
				    (uint16_t)clip16(8000 * cos(0.3 * k)));
		}
		s.ci = ci;
		s.ci_len = 128;
		break;
	case FH_SECTION_LAA:
		h.num_sections = 0;
		h.laa_msg_type = 0; /* LBT_PDSCH_REQ */
		h.laa_msg_len = 1;
		fh_put_be16(laa, (uint16_t)(0x100 + eaxc));
		laa[2] = 0x12;
		laa[3] = 0x34;
		h.laa_msg = laa;
		break;
	}
	n = fh_cplane_build_hdr(body, sizeof(body), &h);
	if (n < 0) {
		g->err = (int)n;
		return;
	}
	if (type != FH_SECTION_LAA) {
		m = fh_cplane_build_section(body + n, sizeof(body) - (size_t)n,
					    type, &s);
		if (m < 0) {
			g->err = (int)m;
			return;
		}
		n += m;
	}
	emit_oran(g, t_ns, from_du, FH_ECPRI_RT_CTRL, eaxc, rh->direction, body,
		  (size_t)n);
}

/* ---- U-plane -------------------------------------------------------------- */

static void emit_uplane_symbol(struct gen *g, int64_t t_ns, bool from_du,
			       unsigned eaxc, const struct fh_radio_hdr *rh,
			       unsigned slot_no, unsigned first_prb,
			       unsigned n_prb, uint16_t section_id)
{
	const struct gen_opts *o = g->o;
	struct fh_uplane_cfg ucfg = {.dyn_comp_hdr = o->dyn_comp_hdr,
				     .comp = o->comp,
				     .carrier_prbs = (uint16_t)o->prbs};
	size_t prb_bytes = fh_comp_prb_bytes(&o->comp);
	size_t overhead, per_pkt;
	struct fh_frame_spec spec;
	static int16_t iq[FH_PRB_VALUES * FH_MAX_PRB];
	static uint8_t comp[FH_MAX_PRB * 49];

	frame_spec(g, from_du, &spec);
	/* transport + eCPRI + PC_ID/SEQ_ID + radio header + section header */
	overhead = fh_frame_hdr_len(&spec) - FH_ETH_HDR_LEN -
		   (spec.vlan ? FH_VLAN_TAG_LEN : 0) + FH_ECPRI_HDR_LEN + 4 +
		   FH_RADIO_HDR_LEN + (o->dyn_comp_hdr ? 6 : 4);
	per_pkt = (o->mtu - overhead) / prb_bytes;
	if (per_pkt > 255) {
		per_pkt = 255;
	}
	make_iq(g, eaxc, slot_no, rh->symbol_id, first_prb, n_prb, iq);
	if (fh_compress(&o->comp, iq, n_prb, comp) < 0) {
		g->err = -EINVAL;
		return;
	}
	for (unsigned done = 0; done < n_prb;) {
		unsigned chunk = n_prb - done;
		uint8_t body[MAX_FRAME];
		struct fh_uplane_section s = {0};
		long n;

		if (chunk > per_pkt) {
			chunk = (unsigned)per_pkt;
		}
		fh_radio_hdr_build(body, rh);
		s.section_id = section_id;
		s.start_prb = (uint16_t)(first_prb + done);
		/* one section covering the whole carrier uses numPrbu 0 */
		s.num_prb_field =
			(chunk == n_prb && n_prb == o->prbs && n_prb > 255) ?
				0 :
				(uint8_t)chunk;
		s.ud_comp_hdr = fh_comp_to_hdr(&o->comp);
		s.data = comp + (size_t)done * prb_bytes;
		s.data_len = (size_t)chunk * prb_bytes;
		n = fh_uplane_build_section(body + FH_RADIO_HDR_LEN,
					    sizeof(body) - FH_RADIO_HDR_LEN,
					    &ucfg, &s);
		if (n < 0) {
			g->err = (int)n;
			return;
		}
		emit_oran(g, t_ns, from_du, FH_ECPRI_IQ_DATA, eaxc,
			  rh->direction, body, FH_RADIO_HDR_LEN + (size_t)n);
		done += chunk;
	}
}

/* ---- other eCPRI message types -------------------------------------------- */

static void emit_misc(struct gen *g, int64_t t_ns, unsigned frame_no)
{
	uint8_t buf[1024], data[16];
	size_t off = 0;
	struct fh_ecpri_msg m[8];
	unsigned n = 0;
	uint8_t elem[8];

	memset(m, 0, sizeof(m));
	for (int i = 0; i < 16; i++) {
		data[i] = (uint8_t)(0xa0 + i);
	}
	m[n].type = FH_ECPRI_BIT_SEQ;
	m[n].u.iq.id = 0x0101;
	m[n].u.iq.seq_id = (uint16_t)frame_no;
	m[n].body = data;
	m[n++].body_len = 8;

	m[n].type = FH_ECPRI_GENERIC;
	m[n].u.generic.pc_id = 0x01020304;
	m[n].u.generic.seq_id = frame_no;
	m[n].body = data;
	m[n++].body_len = 12;

	m[n].type = FH_ECPRI_RMA; /* write request carrying 4 bytes */
	m[n].u.rma.rma_id = (uint8_t)frame_no;
	m[n].u.rma.rw = 1;
	m[n].u.rma.req_resp = 0;
	m[n].u.rma.element_id = 0x0042;
	m[n].u.rma.address = 0x0000a0b0c0d0ull;
	m[n].u.rma.length = 4;
	m[n].body = data;
	m[n++].body_len = 4;

	m[n].type = FH_ECPRI_DELAY; /* request with t1 and compensation */
	m[n].u.delay.measurement_id = (uint8_t)frame_no;
	m[n].u.delay.action_type = FH_DELAY_REQ;
	m[n].u.delay.ts_s = (uint64_t)(t_ns / FH_NS_PER_S);
	m[n].u.delay.ts_ns = (uint32_t)(t_ns % FH_NS_PER_S);
	m[n++].u.delay.compensation = 1500ll << 16; /* 1.5 us */

	m[n].type = FH_ECPRI_DELAY; /* response */
	m[n].u.delay.measurement_id = (uint8_t)frame_no;
	m[n].u.delay.action_type = FH_DELAY_RESP;
	m[n].u.delay.ts_s = (uint64_t)((t_ns + 4321) / FH_NS_PER_S);
	m[n].u.delay.ts_ns = (uint32_t)((t_ns + 4321) % FH_NS_PER_S);
	m[n++].u.delay.compensation = 800ll << 16;

	m[n].type = FH_ECPRI_RESET;
	m[n].u.reset.reset_id = (uint16_t)frame_no;
	m[n].u.reset.operation = 1; /* reset request */
	m[n++].body_len = 0;

	m[n].type = FH_ECPRI_EVENT; /* one fault indication */
	m[n].u.event.event_id = (uint8_t)frame_no;
	m[n].u.event.event_type = 0; /* faults indication */
	m[n].u.event.sequence = (uint8_t)frame_no;
	m[n].u.event.num_elements = 1;
	fh_put_be16(elem, 0x0001);
	fh_put_be16(elem + 2, 0x0 << 12 | 0x002); /* raise, fault 0x002 */
	fh_put_be32(elem + 4, 0xdeadbeef);
	m[n++].u.event.elements = elem;

	for (unsigned i = 0; i < n; i++) {
		long r;

		if (g->o->concat) {
			m[i].concatenated = i + 1 < n;
			r = fh_ecpri_build(buf + off, sizeof(buf) - off, &m[i]);
			if (r < 0) {
				g->err = (int)r;
				return;
			}
			off += (size_t)r;
		} else {
			r = fh_ecpri_build(buf, sizeof(buf), &m[i]);
			if (r < 0) {
				g->err = (int)r;
				return;
			}
			emit_ecpri(g, t_ns + i * 1000, true, buf, (size_t)r);
		}
	}
	if (g->o->concat) {
		emit_ecpri(g, t_ns, true, buf, off);
	}
}

/* ---- the schedule ----------------------------------------------------------- */

static void gen_slot(struct gen *g, int64_t slot_start, unsigned slot_no,
		     const struct fh_airtime *at)
{
	const struct gen_opts *o = g->o;
	int64_t slot_ns = fh_slot_ns(o->timing.mu);
	unsigned slots_per_frame = 10u << o->timing.mu;
	bool last_in_frame = slot_no % slots_per_frame == slots_per_frame - 1;
	struct fh_radio_hdr rh = {.frame_id = at->frame_id,
				  .subframe_id = at->subframe_id,
				  .slot_id = at->slot_id};
	const unsigned types[] = {FH_SECTION_IDLE, FH_SECTION_UE_SCHED,
				  FH_SECTION_CH_INFO, FH_SECTION_LAA};

	for (unsigned dir = 0; dir < 2; dir++) {
		bool is_dl = dir == FH_DIR_DL;

		if ((is_dl && !o->dl) || (!is_dl && !o->ul)) {
			continue;
		}
		rh.direction = (uint8_t)dir;
		rh.symbol_id = 0;
		rh.filter_index = 0;
		for (unsigned e = 0; e < o->n_eaxc; e++) {
			emit_cplane(g, slot_start - o->cp_advance_ns, true, e,
				    &rh, FH_SECTION_NORMAL, 0, o->prbs);
			for (unsigned k = 0; k < 4; k++) {
				if (!(o->cplane_types & 1u << types[k])) {
					continue;
				}
				/* idle periods and LAA are DL-side only */
				if (!is_dl && (types[k] == FH_SECTION_IDLE ||
					       types[k] == FH_SECTION_LAA)) {
					continue;
				}
				emit_cplane(g, slot_start - o->cp_advance_ns,
					    true, e, &rh, (uint8_t)types[k], 0,
					    types[k] == FH_SECTION_IDLE ?
						    10 :
						    o->prbs);
			}
		}
		for (unsigned sym = 0; sym < FH_SYMBOLS_PER_SLOT; sym++) {
			int64_t sym_start = slot_start +
					    slot_ns * sym / FH_SYMBOLS_PER_SLOT;
			int64_t t = is_dl ? sym_start - o->dl_advance_ns :
					    sym_start + o->ul_delay_ns;

			rh.symbol_id = (uint8_t)sym;
			for (unsigned e = 0; e < o->n_eaxc; e++) {
				emit_uplane_symbol(g, t, is_dl, e, &rh, slot_no,
						   0, o->prbs,
						   (uint16_t)(1 + e));
			}
		}
	}
	if (o->prach && o->ul && last_in_frame) {
		/* PRACH occasion: type 3 C-plane, then 12 PRBs of UL data
		 * through the PRACH filter on its own eAxC */
		unsigned pe = o->n_eaxc;

		rh.direction = FH_DIR_UL;
		rh.filter_index = 1;
		rh.symbol_id = 0;
		emit_cplane(g, slot_start - o->cp_advance_ns, true, pe, &rh,
			    FH_SECTION_PRACH, 0, 12);
		emit_uplane_symbol(g, slot_start + slot_ns + o->ul_delay_ns,
				   false, pe, &rh, slot_no, 0, 12, 0x800);
	}
	if (o->ecpri_misc && slot_no % slots_per_frame == 0) {
		emit_misc(g, slot_start - slot_ns / 2,
			  slot_no / slots_per_frame);
	}
}

static int cmp_pkt(const void *a, const void *b)
{
	const struct pkt *x = a, *y = b;

	if (x->t_ns != y->t_ns) {
		return x->t_ns < y->t_ns ? -1 : 1;
	}
	return x->order < y->order ? -1 : x->order > y->order;
}

static int write_pcap(struct gen *g)
{
	pcap_t *p = pcap_open_dead_with_tstamp_precision(
		DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d;

	if (p == NULL) {
		return -ENOMEM;
	}
	d = pcap_dump_open(p, g->o->out);
	if (d == NULL) {
		fprintf(stderr, "fhctl gen: %s\n", pcap_geterr(p));
		pcap_close(p);
		return -EIO;
	}
	for (size_t i = 0; i < g->n; i++) {
		struct pcap_pkthdr h = {
			.caplen = (bpf_u_int32)g->pkts[i].len,
			.len = (bpf_u_int32)g->pkts[i].len,
		};

		h.ts.tv_sec = (time_t)(g->pkts[i].t_ns / FH_NS_PER_S);
		/* nanosecond pcap: tv_usec holds nanoseconds */
		h.ts.tv_usec = (suseconds_t)(g->pkts[i].t_ns % FH_NS_PER_S);
		pcap_dump((u_char *)d, &h, g->pkts[i].data);
	}
	if (pcap_dump_flush(d) != 0) {
		pcap_dump_close(d);
		pcap_close(p);
		return -EIO;
	}
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}

/*
 * The options: one row each, parsed and documented from this table.  A
 * value goes to the field at off in struct gen_opts as its kind says;
 * what several options share (vlan/udp on, direction, sender) is derived
 * after parsing (gen_finish).
 */
enum gen_kind {
	K_STR, /* const char * */
	K_UINT, /* [min, max] * scale into a size-byte unsigned/int field */
	K_FLAG, /* bool, no value */
	K_CHOICE, /* index into choices, unsigned */
	K_LAYOUT, /* struct fh_eaxc_layout, "A,B,C,D" */
	K_COMP, /* struct fh_comp, "bfp:9" */
	K_SECONDS, /* int64_t ns from decimal Unix seconds */
	K_IPV4, /* uint32_t, host order */
	K_MAC, /* uint8_t[6] */
	K_CTYPES, /* unsigned bitmask of C-plane section types */
	K_EXTS, /* exts[] and n_exts */
};

struct gen_opt {
	const char *name, *arg, *help; /* arg NULL: a flag */
	enum gen_kind kind;
	size_t off, size;
	unsigned long min, max, scale;
	const char *const *choices;
};

enum { DIR_DL, DIR_UL, DIR_BOTH };
enum { FROM_DU, FROM_RU, FROM_BOTH };

static const char *const dirs[] = {"dl", "ul", "both", NULL};
static const char *const froms[] = {"du", "ru", "both", NULL};
static const char *const comp_hdrs[] = {"static", "dynamic", NULL};

#define F(field) \
	offsetof(struct gen_opts, field), sizeof(((struct gen_opts *)0)->field)
#define UINT(field, lo, hi, sc) K_UINT, F(field), lo, hi, sc, NULL
#define OF(k, field) k, F(field), 0, 0, 0, NULL
#define CHOICE(field, c) K_CHOICE, F(field), 0, 0, 0, c

static const struct gen_opt gen_opts_tbl[] = {
	{"out", "FILE.pcap", "where to write (required)", OF(K_STR, out)},
	{"eaxc", "N", "eAxCs (RU ports) per direction 1..255 (default 4)",
	 UINT(n_eaxc, 1, MAX_EAXC - 1, 1)},
	{"eaxc-layout", "A,B,C,D", "eAxC bit widths (default 4,4,4,4)",
	 OF(K_LAYOUT, layout)},
	{"mu", "M", "numerology 0..4 (default 1)", UINT(timing.mu, 0, 4, 1)},
	{"prbs", "N", "PRBs per symbol 1..273 (default 273)",
	 UINT(prbs, 1, FH_MAX_PRB, 1)},
	{"comp", "SPEC", "none:W | bfp:W | bs:W | mulaw:W (default bfp:9)",
	 OF(K_COMP, comp)},
	{"comp-hdr", "MODE", "static | dynamic (default static)",
	 CHOICE(comp_hdr, comp_hdrs)},
	{"slots", "N", "slots to generate 1..100000 (default 20)",
	 UINT(slots, 1, 100000, 1)},
	{"start", "SECONDS",
	 "Unix start time (default 1700000000); the stream starts at the "
	 "next frame boundary",
	 OF(K_SECONDS, start_ns)},
	{"direction", "D", "dl | ul | both (default both)",
	 CHOICE(direction, dirs)},
	{"dl-advance-us", "U",
	 "DL U-plane sent U us before air time "
	 "(default 300)",
	 UINT(dl_advance_ns, 0, 100000, 1000)},
	{"cp-advance-us", "U",
	 "C-plane sent U us before the slot (default 500)",
	 UINT(cp_advance_ns, 0, 100000, 1000)},
	{"ul-delay-us", "U",
	 "UL U-plane sent U us after air time (default 100)",
	 UINT(ul_delay_ns, 0, 100000, 1000)},
	{"alpha", "A", "GPS alpha offset, 1/1.2288 ns, 0..12287999",
	 UINT(timing.alpha, 0, 12287999, 1)},
	{"beta", "B", "GPS beta offset, 10 ms, 0..32767",
	 UINT(timing.beta, 0, 32767, 1)},
	{"prach", NULL, "add PRACH (type 3) once per frame", OF(K_FLAG, prach)},
	{"cplane-types", "LIST",
	 "extra C-plane section types of 0,5,6,7 per "
	 "slot",
	 OF(K_CTYPES, cplane_types)},
	{"ext", "LIST",
	 "extension types on type 1 sections (1,4,5,6,10,11,12,"
	 "13; any other number: an unknown extension)",
	 OF(K_EXTS, exts)},
	{"ecpri-misc", NULL, "one eCPRI message of types 1,3,4,5,6,7 per frame",
	 OF(K_FLAG, ecpri_misc)},
	{"concat", NULL, "send those concatenated in one frame",
	 OF(K_FLAG, concat)},
	{"from", "du|ru|both",
	 "only what the O-DU or the O-RU sends "
	 "(default both)",
	 CHOICE(from, froms)},
	{"vlan", "ID", "802.1Q tag 1..4094", UINT(vlan_id, 1, 4094, 1)},
	{"pcp", "P", "its priority 0..7 (default 7)", UINT(pcp, 0, 7, 1)},
	{"udp", "PORT", "eCPRI over UDP/IPv4 on PORT",
	 UINT(udp_port, 1, 65535, 1)},
	{"du-ip", "A", "O-DU IPv4 address (default 10.0.0.1)",
	 OF(K_IPV4, du_ip)},
	{"ru-ip", "A", "O-RU IPv4 address (default 10.0.0.2)",
	 OF(K_IPV4, ru_ip)},
	{"du-mac", "M", "O-DU MAC address", OF(K_MAC, du_mac)},
	{"ru-mac", "M", "O-RU MAC address", OF(K_MAC, ru_mac)},
	{"mtu", "N", "maximum frame payload 256..9600 (default 9000)",
	 UINT(mtu, 256, MAX_FRAME, 1)},
	{"seed", "N", "noise seed (default 1)", UINT(seed, 0, ~0ul, 1)},
	{"ru-count", "N",
	 "UL of N RUs of one cell (with --from ru): FILE-ruK.pcap each, RU K "
	 "with MAC and IPv4 + K, its own phase and noise seed S + K",
	 UINT(ru_count, 1, 16, 1)},
};

#define N_GEN_OPTS (sizeof(gen_opts_tbl) / sizeof(gen_opts_tbl[0]))

static void gen_usage(FILE *f)
{
	fprintf(f, "usage: fhctl gen --out FILE.pcap [options]\n");
	for (size_t i = 0; i < N_GEN_OPTS; i++) {
		const struct gen_opt *d = &gen_opts_tbl[i];
		char head[40];

		snprintf(head, sizeof(head), "--%s%s%s", d->name,
			 d->arg ? " " : "", d->arg ? d->arg : "");
		fprintf(f, "  %-22s %s\n", head, d->help);
	}
	fprintf(f, "  %-22s %s\n", "--help", "this text");
}

static int parse_list(const char *s, unsigned *out, unsigned max_n,
		      unsigned max_v, unsigned *n)
{
	char buf[256], *save = NULL, *tok;
	unsigned long v;

	if (strlen(s) >= sizeof(buf)) {
		return -EINVAL;
	}
	strcpy(buf, s);
	*n = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*n == max_n || fhctl_parse_uint(tok, 0, max_v, &v) < 0) {
			return -EINVAL;
		}
		out[(*n)++] = (unsigned)v;
	}
	return *n ? 0 : -EINVAL;
}

static int parse_ipv4(const char *s, uint32_t *out)
{
	unsigned a, b, c, d;
	char tail;

	if (sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 ||
	    b > 255 || c > 255 || d > 255) {
		return -EINVAL;
	}
	*out = a << 24 | b << 16 | c << 8 | d;
	return 0;
}

static int bad(const char *opt, const char *val, const char *what)
{
	fprintf(stderr, "fhctl gen: --%s '%s': %s\n", opt, val, what);
	return FHCTL_EXIT_USAGE;
}

/* v into an unsigned (or non-negative signed) field of size bytes. */
static void store_uint(void *p, size_t size, uint64_t v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;

	switch (size) {
	case 1:
		memcpy(p, &u8, 1);
		break;
	case 2:
		memcpy(p, &u16, 2);
		break;
	case 4:
		memcpy(p, &u32, 4);
		break;
	default:
		memcpy(p, &v, 8);
		break;
	}
}

/* One option's value into o; 0 or FHCTL_EXIT_USAGE (reported). */
static int gen_opt_set(struct gen_opts *o, const struct gen_opt *d,
		       const char *val)
{
	void *p = (char *)o + d->off;
	char want[96];
	unsigned long v;

	switch (d->kind) {
	case K_STR:
		*(const char **)p = val;
		return 0;
	case K_FLAG:
		*(bool *)p = true;
		return 0;
	case K_UINT:
		if (fhctl_parse_uint(val, d->min, d->max, &v) < 0) {
			if (d->max == ~0ul) {
				return bad(d->name, val, "an integer expected");
			}
			snprintf(want, sizeof(want), "%lu..%lu expected",
				 d->min, d->max);
			return bad(d->name, val, want);
		}
		store_uint(p, d->size, (uint64_t)v * d->scale);
		return 0;
	case K_CHOICE:
		for (unsigned i = 0; d->choices[i] != NULL; i++) {
			if (strcmp(val, d->choices[i]) == 0) {
				*(unsigned *)p = i;
				return 0;
			}
		}
		want[0] = '\0';
		for (unsigned i = 0; d->choices[i] != NULL; i++) {
			size_t len = strlen(want);

			snprintf(want + len, sizeof(want) - len, "%s%s",
				 i == 0			   ? "" :
				 d->choices[i + 1] == NULL ? " or " :
							     ", ",
				 d->choices[i]);
		}
		strncat(want, " expected", sizeof(want) - strlen(want) - 1);
		return bad(d->name, val, want);
	case K_LAYOUT:
		return fhctl_parse_layout(val, p) < 0 ?
			       bad(d->name, val,
				   "four widths summing to 16 expected") :
			       0;
	case K_COMP:
		return fhctl_parse_comp(val, p, NULL) < 0 ?
			       bad(d->name, val,
				   "none:W, bfp:W, bs:W or mulaw:W (W 1..16) "
				   "expected") :
			       0;
	case K_SECONDS: {
		char *end;
		double s = strtod(val, &end);

		if (end == val || *end != '\0' || !(s >= 0 && s < 4e9)) {
			return bad(d->name, val, "Unix seconds expected");
		}
		*(int64_t *)p = (int64_t)llround(s * 1e9);
		return 0;
	}
	case K_IPV4:
		return parse_ipv4(val, p) < 0 ?
			       bad(d->name, val,
				   "dotted IPv4 address expected") :
			       0;
	case K_MAC:
		return fhctl_parse_mac(val, p) < 0 ?
			       bad(d->name, val,
				   "MAC aa:bb:cc:dd:ee:ff expected") :
			       0;
	case K_CTYPES: {
		unsigned list[16], n;

		if (parse_list(val, list, 16, 7, &n) < 0) {
			return bad(d->name, val,
				   "a list of 0,1,5,6,7 expected");
		}
		for (unsigned i = 0; i < n; i++) {
			if (list[i] != 0 && list[i] != 1 && list[i] != 5 &&
			    list[i] != 6 && list[i] != 7) {
				return bad(d->name, val,
					   "types 0,1,5,6,7 only (3 comes with "
					   "--prach)");
			}
			*(unsigned *)p |= 1u << list[i];
		}
		return 0;
	}
	case K_EXTS:
		if (parse_list(val, o->exts, 16, 127, &o->n_exts) < 0) {
			return bad(d->name, val,
				   "a list of extension types 1..127 expected");
		}
		for (unsigned i = 0; i < o->n_exts; i++) {
			if (o->exts[i] == 0) {
				return bad(d->name, val,
					   "extension type 0 is reserved");
			}
		}
		return 0;
	}
	return FHCTL_EXIT_USAGE;
}

/* What several options decide together. */
static void gen_finish(struct gen_opts *o)
{
	o->dl = o->direction != DIR_UL;
	o->ul = o->direction != DIR_DL;
	o->from_du = o->from != FROM_RU;
	o->from_ru = o->from != FROM_DU;
	o->dyn_comp_hdr = o->comp_hdr == 1;
	o->vlan = o->vlan_id != 0;
	o->udp = o->udp_port != 0;
	o->ecpri_misc |= o->concat;
}

int fhctl_gen_main(int argc, char **argv)
{
	struct gen_opts o = {
		.layout = FH_EAXC_LAYOUT_4444,
		.n_eaxc = 4,
		.timing = {.mu = 1},
		.prbs = 273,
		.comp = {FH_COMP_BFP, 9},
		.slots = 20,
		.start_ns = 1700000000ll * FH_NS_PER_S,
		.dl_advance_ns = 300000,
		.cp_advance_ns = 500000,
		.ul_delay_ns = 100000,
		.direction = DIR_BOTH,
		.from = FROM_BOTH,
		.pcp = 7,
		.du_ip = 0x0a000001,
		.ru_ip = 0x0a000002,
		.du_mac = {0x02, 0x00, 0x00, 0xd0, 0x00, 0x01},
		.ru_mac = {0x02, 0x00, 0x00, 0x70, 0x00, 0x01},
		.seed = 1,
		.mtu = 9000,
	};
	struct gen g = {.o = &o};
	int64_t t;
	uint16_t sfn;
	int ret;

	for (int i = 1; i < argc;) {
		const char *val = NULL;
		size_t k;
		int r = 0;

		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			gen_usage(stdout);
			return FHCTL_EXIT_OK;
		}
		for (k = 0; k < N_GEN_OPTS && r == 0; k++) {
			const struct gen_opt *d = &gen_opts_tbl[k];
			char name[32];

			snprintf(name, sizeof(name), "--%s", d->name);
			if (d->arg != NULL) {
				r = fhctl_opt_value(argc, argv, &i, name, NULL,
						    &val);
			} else {
				r = strcmp(argv[i], name) == 0;
				i += r;
			}
			if (r < 0) {
				return FHCTL_EXIT_USAGE; /* reported */
			}
			if (r > 0) {
				ret = gen_opt_set(&o, d, val);
				if (ret != 0) {
					return ret;
				}
			}
		}
		if (r == 0) {
			fprintf(stderr, "fhctl gen: unknown argument '%s'\n",
				argv[i]);
			gen_usage(stderr);
			return FHCTL_EXIT_USAGE;
		}
	}
	gen_finish(&o);
	if (o.out == NULL) {
		fprintf(stderr, "fhctl gen: --out is required\n");
		gen_usage(stderr);
		return FHCTL_EXIT_USAGE;
	}
	if (fh_comp_prb_bytes(&o.comp) == 0 ||
	    fh_compress(&o.comp, (const int16_t[FH_PRB_VALUES]){0}, 1,
			(uint8_t[64]){0}) < 0) {
		fprintf(stderr, "fhctl gen: --comp: this method cannot be "
				"generated\n");
		return FHCTL_EXIT_USAGE;
	}
	if (o.prbs > 255 && o.mtu < 2000) {
		/* fine: sections are split across packets */
	}
	if (o.ru_count > 1 && o.from != FROM_RU) {
		fprintf(stderr, "fhctl gen: --ru-count needs --from ru (the "
				"RUs' own traffic, one capture each)\n");
		return FHCTL_EXIT_USAGE;
	}
	if (o.ru_count == 0) {
		o.ru_count = 1;
	}
	t = fh_airtime_next_frame(&o.timing, o.start_ns, &sfn);
	for (unsigned k = 0; k < o.ru_count; k++) {
		struct gen_opts ok = o;
		char path[4096];

		if (o.ru_count > 1) {
			size_t n = strlen(o.out);

			if (n > 5 && strcmp(o.out + n - 5, ".pcap") == 0) {
				n -= 5;
			}
			snprintf(path, sizeof(path), "%.*s-ru%u.pcap", (int)n,
				 o.out, k);
			ok.out = path;
			ok.ru_mac[5] = (uint8_t)(ok.ru_mac[5] + k);
			ok.ru_ip += k;
		}
		memset(&g, 0, sizeof(g));
		g.o = &ok;
		g.ru = k;
		g.rng = o.seed + k;
		for (unsigned s = 0; s < o.slots && !g.err; s++) {
			int64_t slot_start =
				t + (int64_t)s * fh_slot_ns(o.timing.mu);
			struct fh_airtime at;

			fh_airtime_from_unix(&o.timing, slot_start, &at);
			gen_slot(&g, slot_start, s, &at);
		}
		if (g.err == 0) {
			qsort(g.pkts, g.n, sizeof(g.pkts[0]), cmp_pkt);
			g.err = write_pcap(&g);
		}
		for (size_t i = 0; i < g.n; i++) {
			free(g.pkts[i].data);
		}
		free(g.pkts);
		if (g.err) {
			fprintf(stderr, "fhctl gen: %s\n", strerror(-g.err));
			return FHCTL_EXIT_ERROR;
		}
		fprintf(stderr, "fhctl gen: wrote %zu packets to %s\n", g.n,
			ok.out);
	}
	ret = FHCTL_EXIT_OK;
	return ret;
}
