/* SPDX-License-Identifier: Apache-2.0 */
#include <assert.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf_dyn.h>
#include <rte_net.h>

#include "fh/bits.h"
#include "fh/dp.h"
#include "fh/ecpri.h"
#include "fh/oran.h"
#include "fh/valid.h"

/* ---- clock ----------------------------------------------------------------- */

void fh_dp_clock_anchor(struct fh_dp_clock *c)
{
	struct timespec ts;
	uint64_t tsc, hz = rte_get_tsc_hz();
	uint32_t s = atomic_load_explicit(&c->seq, memory_order_relaxed);

	clock_gettime(CLOCK_REALTIME, &ts);
	tsc = rte_rdtsc();
	atomic_store_explicit(&c->seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	c->tsc0 = tsc;
	c->ns0 = (int64_t)ts.tv_sec * FH_NS_PER_S + ts.tv_nsec;
	c->mult = (uint64_t)(((unsigned __int128)FH_NS_PER_S << 32) / hz);
	atomic_store_explicit(&c->seq, s + 2, memory_order_release);
}

int64_t fh_dp_clock_now(struct fh_dp_clock *c)
{
	uint32_t s1, s2;
	uint64_t tsc0, mult;
	int64_t ns0;

	do {
		s1 = atomic_load_explicit(&c->seq, memory_order_acquire);
		tsc0 = c->tsc0;
		ns0 = c->ns0;
		mult = c->mult;
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&c->seq, memory_order_relaxed);
	} while (s1 != s2 || (s1 & 1));
	return ns0 +
	       (int64_t)(((unsigned __int128)(rte_rdtsc() - tsc0) * mult) >>
			 32);
}

/* ---- air time ------------------------------------------------------------------ */

/*
 * The window check runs per packet, so it avoids divisions: the arrival
 * time is reduced once (per burst, or per packet for capture timestamps)
 * to a slot number within the 256-frame frameId period plus the ns into
 * that slot; a packet's (frameId, subframeId, slotId) is a slot number by
 * multiplication, and the difference, wrapped to +-half a period, times
 * the slot length plus the symbol's start gives the offset from air time.
 * This is fh_airtime_to_unix's nearest-candidate rule.
 */
struct tref {
	int64_t slot;
	int64_t rem_ns;
};

void fh_dp_conf_timing(struct fh_dp_conf *c)
{
	c->slot_ns = fh_slot_ns(c->timing.mu);
	c->period_slots = 2560LL << c->timing.mu;
	c->epoch_ns = FH_GPS_UNIX_OFFSET_S * FH_NS_PER_S +
		      fh_timing_offset_ns(&c->timing);
	for (int k = 0; k < 16; k++) {
		c->sym_start[k] = k < FH_SYMBOLS_PER_SLOT ?
					  c->slot_ns * k / FH_SYMBOLS_PER_SLOT :
					  -1;
	}
}

static inline struct tref tref_of(const struct fh_dp_conf *c, int64_t t_ns)
{
	int64_t period = c->period_slots * c->slot_ns;
	int64_t t = (t_ns - c->epoch_ns) % period;
	struct tref r;

	if (t < 0) {
		t += period;
	}
	r.slot = t / c->slot_ns;
	r.rem_ns = t - r.slot * c->slot_ns;
	return r;
}

/* Bytes of headers (Ethernet, tags, IP with options, UDP) the slow
 * parse may read from the first segment. */
#define FH_DP_HDR_MAX 256

/* ---- transmit ---------------------------------------------------------------- */

/* Send what lc buffered for port p: high priority (eCPRI, PTP) first;
 * what the queue does not take is freed and counted as drops. */
static void tx_flush(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
		     unsigned p)
{
	struct fh_dp_txbuf *b = &lc->tx[p];
	struct fh_dp_port_ctr *pc = &lc->port_ctr[p];
	uint16_t port = conf->ports[p].eth_port;
	uint16_t sent;

	if (b->n_hi != 0) {
		sent = rte_eth_tx_burst(port, lc->txq, b->hi, b->n_hi);
		for (uint16_t i = 0; i < sent; i++) {
			fh_ctr_add(&pc->tx_bytes,
				   rte_pktmbuf_pkt_len(b->hi[i]));
		}
		fh_ctr_add(&pc->tx_packets, sent);
		if (unlikely(sent < b->n_hi)) {
			fh_ctr_add(&pc->drops, b->n_hi - sent);
			rte_pktmbuf_free_bulk(&b->hi[sent], b->n_hi - sent);
			/* the queue is full: low priority waits no better */
			fh_ctr_add(&pc->drops, b->n_lo);
			rte_pktmbuf_free_bulk(b->lo, b->n_lo);
			b->n_hi = b->n_lo = 0;
			return;
		}
		b->n_hi = 0;
	}
	if (b->n_lo != 0) {
		sent = rte_eth_tx_burst(port, lc->txq, b->lo, b->n_lo);
		for (uint16_t i = 0; i < sent; i++) {
			fh_ctr_add(&pc->tx_bytes,
				   rte_pktmbuf_pkt_len(b->lo[i]));
		}
		fh_ctr_add(&pc->tx_packets, sent);
		if (unlikely(sent < b->n_lo)) {
			fh_ctr_add(&pc->drops, b->n_lo - sent);
			rte_pktmbuf_free_bulk(&b->lo[sent], b->n_lo - sent);
		}
		b->n_lo = 0;
	}
}

static inline void tx_enqueue(struct fh_dp_lcore *lc,
			      const struct fh_dp_conf *conf, unsigned p,
			      struct rte_mbuf *m, bool hi)
{
	struct fh_dp_txbuf *b = &lc->tx[p];

	if (hi) {
		if (unlikely(b->n_hi == RTE_DIM(b->hi))) {
			tx_flush(lc, conf, p);
		}
		b->hi[b->n_hi++] = m;
	} else {
		if (unlikely(b->n_lo == RTE_DIM(b->lo))) {
			tx_flush(lc, conf, p);
		}
		b->lo[b->n_lo++] = m;
	}
}

/* ---- checks ------------------------------------------------------------------ */

static inline bool vlan_allowed(const struct fh_dp_port *p, uint16_t vlan)
{
	return !p->vlan_filter ||
	       (p->vlan_allowed[vlan >> 3] >> (vlan & 7) & 1);
}

/* Do the sections of the one U-plane message at e (eCPRI payload size
 * ps) fill it?  The usual message is one section whose PRBs take the rest
 * of it; a stream repeats its layout, so the last layout that fit is
 * remembered and the next check is one compare. */
static inline bool uplane_fits(struct fh_dp_lcore *lc, const uint8_t *e,
			       uint32_t ps)
{
	const uint8_t *sec = e + FH_ECPRI_HDR_LEN + 4 + FH_RADIO_HDR_LEN;
	uint64_t key = (uint64_t)ps << 24 | (uint64_t)(sec[1] & 3) << 16 |
		       (uint64_t)sec[2] << 8 | sec[3];

	if (likely(key == lc->uplane_fit_key)) {
		return true;
	}
	if (fh_uplane_one_section_fits(sec, ps - 4 - FH_RADIO_HDR_LEN - 4)) {
		lc->uplane_fit_key = key;
		return true;
	}
	return fh_uplane_sections_fit(e + FH_ECPRI_HDR_LEN + 4, ps - 4, NULL);
}

/*
 * Does the U/C-plane message at e hold together (len, seg: bytes from e
 * in the frame and in its first segment)?  The usual U-plane message
 * (one section) and C-plane message (type 1/5, no extensions) take a few
 * compares; anything else the full walk.
 */
static inline bool msg_valid(struct fh_dp_lcore *lc, const uint8_t *e,
			     uint32_t len, uint32_t seg)
{
	uint32_t ps;

	if (e[1] == FH_ECPRI_RT_CTRL) {
		return fh_cplane_fits(e, len, seg);
	}
	if (unlikely(e[0] != FH_ECPRI_REVISION << 4)) {
		return fh_oran_valid(e, len, seg);
	}
	/* revision, size, radio header version and room for a section
	 * header; the sections fill the message (walked when it is in one
	 * segment, as the C-plane walk is) */
	ps = fh_get_be16(e + 2);
	if (ps + FH_ECPRI_HDR_LEN > len || ps < 4 + FH_RADIO_HDR_LEN + 4 ||
	    (e[8] >> 4 & 7) != FH_ORAN_PAYLOAD_VERSION) {
		return false;
	}
	return FH_ECPRI_HDR_LEN + ps > seg || uplane_fits(lc, e, ps);
}

#define FH_OFF_INVALID INT64_MIN

/* ns from the air time of the symbol in radio header rh to the packet's
 * arrival (tr); FH_OFF_INVALID for a subframe, slot or symbol out of
 * range. */
static inline int64_t air_offset(const struct fh_dp_conf *conf,
				 const uint8_t *rh, struct tref tr,
				 bool us_clock)
{
	unsigned frame = rh[1], subframe = rh[2] >> 4;
	unsigned slot = (unsigned)((rh[2] & 0xf) << 2 | rh[3] >> 6);
	unsigned sym = rh[3] & 0x3f;
	int64_t pslot, d, off;

	if (unlikely(subframe > 9 || slot >= (1u << conf->timing.mu) ||
		     sym >= FH_SYMBOLS_PER_SLOT)) {
		return FH_OFF_INVALID;
	}
	pslot = ((int64_t)frame * 10 + subframe) * (1 << conf->timing.mu) +
		slot;
	d = tr.slot - pslot;
	if (d >= conf->period_slots / 2) {
		d -= conf->period_slots;
	} else if (d < -conf->period_slots / 2) {
		d += conf->period_slots;
	}
	off = d * conf->slot_ns + tr.rem_ns - conf->sym_start[sym];
	if (us_clock) {
		/* capture timestamps are whole microseconds (the pcap PMD):
		 * compare against the air time cut to the microsecond too,
		 * so a packet sent exactly at a window edge counts on time */
		int64_t us_part = (conf->epoch_ns + pslot * conf->slot_ns +
				   conf->sym_start[sym]) %
				  1000;

		off += us_part < 0 ? us_part + 1000 : us_part;
	}
	return off;
}

/*
 * Judge one message against f's window.  wait_ns: how long it may have
 * waited in the rx queue before the switch polled it (0 where the device
 * stamped its arrival): late at the poll but not wait_ns earlier is
 * rx_late_local, the switch's delay rather than the sender's.
 */
static inline void window_count(const struct fh_dp_conf *conf,
				const struct fh_flow *f,
				struct fh_dp_flow_ctr *fc,
				struct fh_dp_eaxc_ctr *ec, const uint8_t *rh,
				struct tref tr, bool us_clock, int64_t wait_ns)
{
	int64_t off = air_offset(conf, rh, tr, us_clock);
	fh_ctr *fx, *ex;

	if (unlikely(off == FH_OFF_INVALID)) {
		fh_ctr_inc(&fc->rx_corrupt);
		return;
	}
	if (off < f->window.earliest_ns) {
		fx = &fc->rx_early;
		ex = ec != NULL ? &ec->rx_early : NULL;
	} else if (off > f->window.latest_ns) {
		if (off - wait_ns > f->window.latest_ns) {
			fx = &fc->rx_late;
			ex = ec != NULL ? &ec->rx_late : NULL;
		} else {
			fx = &fc->rx_late_local;
			ex = ec != NULL ? &ec->rx_late_local : NULL;
		}
	} else {
		fx = &fc->rx_on_time;
		ex = ec != NULL ? &ec->rx_on_time : NULL;
	}
	fh_ctr_inc(fx);
	if (ex != NULL) {
		fh_ctr_inc(ex);
		if (unlikely(!atomic_load_explicit(&ec->windowed,
						   memory_order_relaxed))) {
			atomic_store_explicit(&ec->windowed, 1,
					      memory_order_relaxed);
		}
	}
}

/*
 * The eAxC stream of a valid message (e: its eCPRI header): count it and
 * check its SeqId, which increments per message (E=1) and stays for the
 * fragments of one (E=0).  A forward gap is messages lost; a SeqId behind
 * the stream (repeated, reordered) is an error that does not move it,
 * unless two in a row are (the sender restarted its count).  *seq_err
 * says whether the SeqId was not the one expected.  NULL when the
 * lcore's table is full (the stream is not counted).
 */
static inline struct fh_dp_eaxc_ctr *eaxc_track(struct fh_dp_lcore *lc,
						unsigned in, unsigned u,
						unsigned dl, uint16_t eaxc,
						const uint8_t *e, bool *seq_err)
{
	uint16_t *ix = &lc->eaxc_idx[in][u][dl][eaxc];
	struct fh_dp_eaxc_ctr *ec;
	uint8_t s = e[6], gap;

	if (unlikely(*ix == 0)) {
		uint32_t n =
			atomic_load_explicit(&lc->n_eaxc, memory_order_relaxed);

		if (unlikely(n >= FH_DP_MAX_EAXC)) {
			fh_ctr_inc(&lc->eaxc_untracked);
			*seq_err = false;
			return NULL;
		}
		ec = &lc->eaxc[n];
		ec->key = FH_DP_EAXC_KEY(in, u, dl, eaxc);
		ec->next = s;
		atomic_store_explicit(&lc->n_eaxc, n + 1, memory_order_release);
		*ix = (uint16_t)n;
	}
	ec = &lc->eaxc[*ix];
	fh_ctr_inc(&ec->rx_total);
	gap = (uint8_t)(s - ec->next);
	*seq_err = gap != 0;
	if (likely(gap == 0)) {
		ec->next = (uint8_t)(s + (e[7] >> 7));
		ec->behind = 0;
		return ec;
	}
	fh_ctr_inc(&ec->rx_seqid_err);
	if (gap < 128) {
		fh_ctr_add(&ec->rx_lost, gap);
		ec->next = (uint8_t)(s + (e[7] >> 7));
		ec->behind = 0;
	} else if (++ec->behind >= 2) {
		ec->next = (uint8_t)(s + (e[7] >> 7));
		ec->behind = 0;
	}
	return ec;
}

/* ---- actions --------------------------------------------------------------- */

/* RFC 1624 incremental update of a UDP checksum for one 16-bit word that
 * changed from old to new.  Over IPv4 a zero checksum means "none" and
 * stays zero. */
static void udp_csum_update(uint8_t *udp, uint8_t ip_version, uint16_t old,
			    uint16_t new)
{
	uint16_t hc = fh_get_be16(udp + 6);
	uint32_t sum;

	if (hc == 0 && ip_version == 4) {
		return;
	}
	sum = (uint16_t)~hc + (uint32_t)(uint16_t)~old + new;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	hc = (uint16_t)~sum;
	if (hc == 0) {
		hc = 0xffff; /* 0 is reserved for "no checksum" */
	}
	fh_put_be16(udp + 6, hc);
}

/* Apply the flow's header rewrites in place.  Returns false if the frame
 * could not be changed (no headroom for a tag). */
static __rte_always_inline bool rewrite(const struct fh_dp_conf *conf,
					unsigned in, const struct fh_flow *f,
					struct rte_mbuf *m, struct fh_frame *fr)
{
	const struct fh_flow_action *a = &f->action;
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);

	if (a->has_set_eaxc_id || a->has_translate) {
		uint8_t *id = d + fr->ecpri_offset + FH_ECPRI_HDR_LEN;
		uint16_t eaxc = fh_get_be16(id), out = eaxc;

		if (a->has_set_eaxc_id) {
			out = a->set_eaxc_id;
		} else if (fh_eaxc_translate(&conf->ports[in].layout,
					     &a->translate_to, eaxc,
					     &out) < 0) {
			return false;
		}
		fh_put_be16(id, out);
		if (fr->over_udp) {
			udp_csum_update(d + fr->ecpri_offset - 8,
					fr->ip_version, eaxc, out);
		}
	}
	if (a->has_set_dst_mac) {
		memcpy(d, a->set_dst_mac, 6);
	}
	if (a->has_set_src_mac) {
		memcpy(d + 6, a->set_src_mac, 6);
	}
	if (a->pop_vlan && fr->n_vlans != 0) {
		memmove(d + 4, d, 12);
		if (rte_pktmbuf_adj(m, 4) == NULL) {
			return false;
		}
		fr->ecpri_offset -= 4;
		fr->n_vlans--;
		fr->vlan_tci[0] = fr->vlan_tci[1];
	}
	if (a->set_vlan_id != 0 || a->has_set_pcp) {
		uint16_t tci;

		if (fr->n_vlans == 0) {
			/* untagged: insert an 802.1Q tag (VID 0 is a priority
			 * tag when only the PCP is set) */
			uint8_t *nd = (uint8_t *)rte_pktmbuf_prepend(m, 4);

			if (nd == NULL) {
				return false;
			}
			memmove(nd, nd + 4, 12);
			fh_put_be16(nd + 12, FH_ETHERTYPE_VLAN);
			tci = (uint16_t)((a->has_set_pcp ? a->set_pcp : 0)
						 << 13 |
					 a->set_vlan_id);
			fh_put_be16(nd + 14, tci);
			fr->ecpri_offset += 4;
			fr->n_vlans = 1;
			fr->vlan_tci[0] = tci;
		} else {
			tci = fr->vlan_tci[0];
			if (a->set_vlan_id != 0) {
				tci = (uint16_t)((tci & 0xf000) |
						 a->set_vlan_id);
			}
			if (a->has_set_pcp) {
				tci = (uint16_t)((tci & 0x1fff) |
						 a->set_pcp << 13);
			}
			fh_put_be16(d + 14, tci);
			fr->vlan_tci[0] = tci;
		}
	}
	return true;
}

/* ---- between port dialects ------------------------------------------------------ */

/* RFC 1624 update for one byte at off bytes from the UDP header. */
static void udp_csum_byte(uint8_t *udp, uint8_t ip_version, size_t off,
			  uint8_t old, uint8_t new)
{
	unsigned sh = off & 1 ? 0 : 8;

	udp_csum_update(udp, ip_version, (uint16_t)(old << sh),
			(uint16_t)(new << sh));
}

/* The C-plane udCompHdr of every message of c to out port p's coding:
 * UL (types 1, 3, 5) tells the RU how to code its UL U-plane, which the
 * switch then re-codes for the DU; DL udCompHdr shall be 0 (ORAN.md §5),
 * the RU's DL coding being its static (or per-section) one. */
static void cplane_comp_fix(const struct fh_dp_conf *conf, unsigned p,
			    struct rte_mbuf *c, const struct fh_frame *fr)
{
	uint8_t *d = rte_pktmbuf_mtod(c, uint8_t *);
	uint32_t seg = rte_pktmbuf_data_len(c);
	uint8_t *udp = fr->over_udp ? d + fr->ecpri_offset - 8 : NULL;
	uint8_t ul = fh_comp_to_hdr(&conf->ports[p].ucfg.comp);
	struct fh_ecpri_iter it;
	struct fh_ecpri_msg msg;
	size_t len = fr->ecpri_len;

	if (fr->ecpri_offset + len > seg) {
		len = seg - fr->ecpri_offset; /* the headers are in segment 1 */
	}
	fh_ecpri_iter_init(&it, d + fr->ecpri_offset, len, 0);
	while (fh_ecpri_next(&it, &msg, NULL) > 0) {
		uint8_t *b = (uint8_t *)(uintptr_t)msg.body, nv;
		size_t at;

		if (msg.type != FH_ECPRI_RT_CTRL || msg.body_len < 6) {
			continue;
		}
		if (b[5] == FH_SECTION_NORMAL || b[5] == FH_SECTION_UE_SCHED) {
			at = 6;
		} else if (b[5] == FH_SECTION_PRACH) {
			at = 11;
		} else {
			continue;
		}
		if (at >= msg.body_len) {
			continue;
		}
		nv = b[0] >> 7 ? 0 : ul;
		if (udp != NULL && b[at] != nv) {
			udp_csum_byte(udp, fr->ip_version,
				      (size_t)(b + at - udp), b[at], nv);
		}
		b[at] = nv;
	}
}

/* Give the copy c going to port p that port's dialect in its headers:
 * eAxC in p's layout (unless the flow sets the eAxC itself), C-plane
 * udCompHdr in p's coding.  False if the eAxC has no form in p's
 * layout. */
static bool dialect_fix(const struct fh_dp_conf *conf, unsigned in, unsigned p,
			const struct fh_flow *f, struct rte_mbuf *c,
			const struct fh_frame *fr)
{
	uint8_t cv = conf->conv[in][p];
	uint8_t *e = rte_pktmbuf_mtod(c, uint8_t *) + fr->ecpri_offset;

	if ((cv & FH_CONV_EAXC) && !f->action.has_set_eaxc_id &&
	    !f->action.has_translate) {
		uint16_t old = fh_get_be16(e + 4), new;

		if (fh_eaxc_translate(&conf->ports[in].layout,
				      &conf->ports[p].layout, old, &new) < 0) {
			return false;
		}
		fh_put_be16(e + 4, new);
		if (fr->over_udp) {
			udp_csum_update(e - 8, fr->ip_version, old, new);
		}
	}
	if ((cv & FH_CONV_IQ) && e[1] == FH_ECPRI_RT_CTRL) {
		cplane_comp_fix(conf, p, c, fr);
	}
	return true;
}

/* IP and UDP lengths and checksums of a frame the data path built (hl:
 * bytes before eCPRI, the UDP header the last 8 of them; then 8 bytes of
 * eCPRI header, eAxC and seqId at d + hl; then body). */
static void udp_fix(uint8_t *d, size_t hl, const struct fh_frame *fr,
		    const uint8_t *body, size_t blen)
{
	size_t l3 = FH_ETH_HDR_LEN + 4u * fr->n_vlans;
	uint8_t *udp = d + hl - 8;
	uint32_t sum;
	uint16_t ck;

	fh_put_be16(udp + 4, (uint16_t)(16 + blen));
	if (fr->ip_version == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(d + l3);

		ip->total_length =
			rte_cpu_to_be_16((uint16_t)(hl - l3 + 8 + blen));
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		if (fh_get_be16(udp + 6) == 0) {
			return; /* no checksum stays none */
		}
		sum = rte_ipv4_phdr_cksum(ip, 0);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(d + l3);

		ip->payload_len = rte_cpu_to_be_16((uint16_t)(16 + blen));
		sum = rte_ipv6_phdr_cksum(ip, 0);
	}
	fh_put_be16(udp + 6, 0);
	/* UDP header and the 8 eCPRI bytes: 16, even, so body words align */
	sum += rte_raw_cksum(udp, 16);
	sum += rte_raw_cksum(body, blen);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ck = (uint16_t)~sum;
	if (ck == 0) {
		ck = 0xffff;
	}
	/* rte_raw_cksum sums in host order: store as it is */
	memcpy(udp + 6, &ck, 2);
}

/* Build one frame for port p: the headers of the frame it came from
 * (d, hl bytes), an eCPRI header, eAxC and seqId, and the body; in
 * segments when it exceeds one mbuf. */
static bool emit(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
		 unsigned p, const uint8_t *d, size_t hl,
		 const struct fh_frame *fr, uint8_t type, uint16_t eaxc,
		 uint16_t seq, const uint8_t *body, size_t blen)
{
	struct rte_mempool *pool = lc->dp->pool;
	struct rte_mbuf *h = rte_pktmbuf_alloc(pool), *seg = h;
	uint8_t *o, *e;
	size_t off = 0;

	if (unlikely(h == NULL)) {
		return false;
	}
	o = (uint8_t *)rte_pktmbuf_append(h, (uint16_t)(hl + 8));
	if (unlikely(o == NULL)) {
		rte_pktmbuf_free(h);
		return false;
	}
	memcpy(o, d, hl);
	e = o + hl;
	e[0] = FH_ECPRI_REVISION << 4;
	e[1] = type;
	fh_put_be16(e + 2, (uint16_t)(4 + blen));
	fh_put_be16(e + 4, eaxc);
	fh_put_be16(e + 6, seq);
	while (off < blen) {
		uint16_t room = rte_pktmbuf_tailroom(seg);
		size_t k;

		if (room == 0) {
			struct rte_mbuf *n = rte_pktmbuf_alloc(pool);

			if (unlikely(n == NULL ||
				     rte_pktmbuf_chain(h, n) < 0)) {
				rte_pktmbuf_free(n);
				rte_pktmbuf_free(h);
				return false;
			}
			seg = n;
			room = rte_pktmbuf_tailroom(seg);
		}
		k = RTE_MIN((size_t)room, blen - off);
		memcpy(rte_pktmbuf_mtod_offset(seg, uint8_t *, seg->data_len),
		       body + off, k);
		seg->data_len = (uint16_t)(seg->data_len + k);
		h->pkt_len += (uint32_t)k;
		off += k;
	}
	if (fr->over_udp) {
		udp_fix(o, hl, fr, body, blen);
	}
	tx_enqueue(lc, conf, p, h, true);
	return true;
}

/* One U-plane message the switch built, as the next of port p's stream
 * (direction dl, eAxC eaxc): seqId renumbered, one complete message per
 * seqId (E = 1).  Counts tx_total (*tx) or a drop on p. */
static void emit_uplane(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
			unsigned p, const uint8_t *d, size_t hl,
			const struct fh_frame *fr, unsigned dl, uint16_t eaxc,
			const uint8_t *body, size_t blen, fh_ctr *tx)
{
	uint8_t *sq = &lc->seq_out[p][dl][eaxc];

	if (emit(lc, conf, p, d, hl, fr, FH_ECPRI_IQ_DATA, eaxc,
		 (uint16_t)(*sq << 8 | 0x80), body, blen)) {
		(*sq)++;
		fh_ctr_inc(tx);
	} else {
		fh_ctr_inc(&lc->port_ctr[p].drops);
	}
}

/* Send the U-plane frame m (not consumed) to port p in p's coding: each
 * message decoded in the in-port's coding and coded in p's, cut by PRB
 * range to fit p's MTU, with seqIds of p's stream.  Other messages of a
 * concatenated frame go out in frames of their own. */
static void recode_send(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
			unsigned in, unsigned p, const struct fh_flow *f,
			struct fh_dp_flow_ctr *fc, struct rte_mbuf *m,
			const struct fh_frame *fr)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_pkt_len(m);
	size_t hl = fr->ecpri_offset;
	size_t l3 = FH_ETH_HDR_LEN + 4u * fr->n_vlans;
	size_t mtu = conf->ports[p].mtu, max_body;
	bool xlate = (conf->conv[in][p] & FH_CONV_EAXC) &&
		     !f->action.has_set_eaxc_id && !f->action.has_translate;
	struct fh_ecpri_iter it;
	struct fh_ecpri_msg msg;
	struct fh_recode r;
	int ret;

	if (!rte_pktmbuf_is_contiguous(m)) {
		if (len > sizeof(lc->lin)) {
			goto corrupt;
		}
		d = rte_pktmbuf_read(m, 0, len, lc->lin);
	}
	/* the eCPRI message (header, eAxC, seqId, body) after the L3
	 * headers must fit the MTU */
	if (mtu < hl - l3 + FH_ECPRI_HDR_LEN + 4 + 64) {
		goto corrupt;
	}
	max_body = mtu - (hl - l3) - FH_ECPRI_HDR_LEN - 4;
	if (max_body > sizeof(lc->body)) {
		max_body = sizeof(lc->body);
	}
	fh_ecpri_iter_init(&it, d + hl, fr->ecpri_len, 0);
	while ((ret = fh_ecpri_next(&it, &msg, NULL)) > 0) {
		uint16_t eaxc;
		long n;

		if (msg.type != FH_ECPRI_IQ_DATA) {
			if (msg.payload_size < 4 ||
			    !emit(lc, conf, p, d, hl, fr, msg.type,
				  fh_get_be16(msg.payload),
				  fh_get_be16(msg.payload + 2), msg.payload + 4,
				  msg.payload_size - 4u)) {
				fh_ctr_inc(&lc->port_ctr[p].drops);
			} else {
				fh_ctr_inc(&fc->tx_total);
			}
			continue;
		}
		eaxc = msg.u.iq.id;
		if (xlate && fh_eaxc_translate(&conf->ports[in].layout,
					       &conf->ports[p].layout, eaxc,
					       &eaxc) < 0) {
			fh_ctr_inc(&lc->port_ctr[p].drops);
			continue;
		}
		if (fh_recode_start(&r, msg.body, msg.body_len, 0,
				    &conf->ports[in].ucfg, &conf->ports[p].ucfg,
				    max_body, NULL) < 0) {
			goto corrupt;
		}
		while ((n = fh_recode_next(&r, lc->body, max_body, NULL)) > 0) {
			emit_uplane(lc, conf, p, d, hl, fr, msg.body[0] >> 7,
				    eaxc, lc->body, (size_t)n, &fc->tx_total);
		}
		if (n < 0) {
			goto corrupt;
		}
	}
	if (ret == 0) {
		return;
	}
corrupt:
	/* the sections do not fit the in-port's declared coding */
	fh_ctr_inc(&fc->rx_corrupt);
	fh_ctr_inc(&lc->port_ctr[p].drops);
}

/* Send m (consumed) to the flow's ports when some of them speak another
 * dialect than the in-port: per port a copy with its headers fixed, or
 * the U-plane re-coded. */
static void send_dialects(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
			  unsigned in, const struct fh_flow *f,
			  struct fh_dp_flow_ctr *fc, struct rte_mbuf *m,
			  const struct fh_frame *fr)
{
	const uint8_t *e = rte_pktmbuf_mtod(m, uint8_t *) + fr->ecpri_offset;
	bool uplane = e[1] == FH_ECPRI_IQ_DATA;
	unsigned n = f->action.n_out_ports;

	for (unsigned i = 0; i < n; i++) {
		unsigned p = f->action.out_ports[i];
		bool last = i + 1 == n;
		struct rte_mbuf *c;

		if ((conf->conv[in][p] & FH_CONV_IQ) && uplane) {
			recode_send(lc, conf, in, p, f, fc, m, fr);
			if (last) {
				rte_pktmbuf_free(m);
			}
			continue;
		}
		c = last ? m : rte_pktmbuf_copy(m, lc->dp->pool, 0, UINT32_MAX);
		if (unlikely(c == NULL)) {
			fh_ctr_inc(&lc->port_ctr[p].drops);
			continue;
		}
		if (conf->conv[in][p] != 0 &&
		    !dialect_fix(conf, in, p, f, c, fr)) {
			fh_ctr_inc(&lc->port_ctr[p].drops);
			rte_pktmbuf_free(c);
			continue;
		}
		fh_ctr_inc(&fc->tx_total);
		tx_enqueue(lc, conf, p, c, true);
	}
}

static bool parse_slow(const struct fh_dp_conf *conf, const uint8_t *d,
		       uint32_t seg, uint32_t len, struct fh_frame *fr);

/* Idle polling (every lcore) after which a replay's combine clock moves
 * on: its inputs have run dry. */
#define FH_COMB_REPLAY_IDLE_NS 2000000

/* ---- shared cell: UL combine ----------------------------------------------------- */

/* (eAxC, first section's startPrbu, frameId, subframeId, slotId,
 * symbolId) of a U-plane message: the RUs' parts of one message carry
 * the same PRB range. */
static inline uint64_t comb_key(uint16_t eaxc, const uint8_t *rh)
{
	const uint8_t *sec = rh + FH_RADIO_HDR_LEN;

	return 1ull << 63 | (uint64_t)eaxc << 34 |
	       (uint64_t)((sec[1] & 3) << 8 | sec[2]) << 24 |
	       (uint64_t)rh[1] << 16 | (uint64_t)rh[2] << 8 | rh[3];
}

static inline unsigned comb_hash(uint64_t key)
{
	return (unsigned)((key * 0x9E3779B97F4A7C15ull) >> 56);
}

/* Index slot of key in g->hidx, or -1. */
static int comb_find(const struct fh_comb_group *g, uint64_t key)
{
	for (unsigned i = comb_hash(key), n = 0; n < 256;
	     i = (i + 1) & 255, n++) {
		if (g->hidx[i] == 0xff) {
			return -1;
		}
		if (g->e[g->hidx[i]].key == key) {
			return (int)i;
		}
	}
	return -1;
}

/* Drop index slot i (linear probing, backward shift: no tombstones). */
static void comb_unindex(struct fh_comb_group *g, unsigned i)
{
	unsigned j = i;

	for (;;) {
		g->hidx[i] = 0xff;
		for (;;) {
			unsigned k;

			j = (j + 1) & 255;
			if (g->hidx[j] == 0xff) {
				return;
			}
			k = comb_hash(g->e[g->hidx[j]].key);
			if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) {
				continue; /* its home lies after the hole */
			}
			break;
		}
		g->hidx[i] = g->hidx[j];
		i = j;
	}
}

static void comb_free(struct fh_comb_group *g, struct fh_comb_entry *ent)
{
	int i = comb_find(g, ent->key);

	if (i >= 0) {
		comb_unindex(g, (unsigned)i);
	}
	ent->key = 0;
	g->free_e[g->n_free++] = (uint8_t)(ent - g->e);
	g->n_used--;
}

/* Code the sums of ent in the out-port's coding and send them, cut to its
 * MTU; then free ent. */
static void comb_send(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
		      struct fh_comb_group *g, struct fh_comb_entry *ent)
{
	struct fh_dp_comb_ctr *ctr = &lc->comb_ctr[g->slot];
	unsigned p = g->out_port;
	const struct fh_uplane_cfg *to = &conf->ports[p].ucfg;
	size_t hl = ent->hdr_len;
	size_t l3 = FH_ETH_HDR_LEN + 4u * ent->fr.n_vlans;
	size_t mtu = conf->ports[p].mtu;
	size_t hlen = fh_uplane_sec_hdr_len(to);
	size_t pb = fh_comp_prb_bytes(&to->comp);
	size_t limit, pos = FH_RADIO_HDR_LEN;
	uint8_t *body = lc->body;
	uint64_t sat = 0;
	bool split = false;

	if (ent->arrived == g->all) {
		fh_ctr_inc(&ctr->combined);
	} else {
		fh_ctr_inc(&ctr->partial);
		for (unsigned k = 0; k < g->n_in; k++) {
			if (!(ent->arrived >> k & 1)) {
				fh_ctr_inc(&ctr->missing[g->in_ports[k]]);
			}
		}
	}
	limit = mtu > hl - l3 + 8 ? mtu - (hl - l3) - 8 : 0;
	limit = RTE_MIN(limit, sizeof(lc->body));
	if (limit < FH_RADIO_HDR_LEN + hlen + pb) {
		fh_ctr_inc(&lc->port_ctr[p].drops);
		comb_free(g, ent);
		return;
	}
	memcpy(body, ent->rh, FH_RADIO_HDR_LEN);
	for (unsigned s = 0; s < ent->n_sec; s++) {
		unsigned done = 0, num = ent->sec[s].num;

		while (done < num) {
			unsigned n = num - done, start;
			uint8_t field;
			long w;

			if (pos + hlen + pb > limit) {
				goto flush;
			}
			if (pos + hlen + (size_t)n * pb > limit) {
				n = (unsigned)((limit - pos - hlen) / pb);
				split = true;
			}
			if (n == num && !split) {
				field = ent->sec[s].nf;
			} else {
				n = RTE_MIN(n, 255u);
				field = (uint8_t)n;
				split = true;
			}
			start = ent->sec[s].start + done;
			fh_put_be16(body + pos,
				    (uint16_t)(ent->sec[s].sid << 4 |
					       ent->sec[s].flags |
					       (start >> 8 & 3)));
			body[pos + 2] = (uint8_t)start;
			body[pos + 3] = field;
			if (to->dyn_comp_hdr) {
				body[pos + 4] = fh_comp_to_hdr(&to->comp);
				body[pos + 5] = 0;
			}
			pos += hlen;
			w = fh_compress32(&to->comp,
					  ent->sum +
						  (size_t)start * FH_PRB_VALUES,
					  n, body + pos, &sat);
			if (w < 0) {
				fh_ctr_inc(&lc->port_ctr[p].drops);
				comb_free(g, ent);
				return;
			}
			pos += (size_t)w;
			done += n;
			if (done == num) {
				continue;
			}
flush:
			emit_uplane(lc, conf, p, ent->hdr, hl, &ent->fr, 0,
				    ent->out_eaxc, body, pos, &ctr->tx_total);
			pos = FH_RADIO_HDR_LEN;
		}
	}
	if (pos > FH_RADIO_HDR_LEN) {
		emit_uplane(lc, conf, p, ent->hdr, hl, &ent->fr, 0,
			    ent->out_eaxc, body, pos, &ctr->tx_total);
	}
	fh_ctr_add(&ctr->saturated, sat);
	comb_free(g, ent);
}

/* Send every entry of g whose deadline is before now, in deadline order
 * (then eAxC and symbol), as they would have left in real time. */
static void comb_sweep(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
		       struct fh_comb_group *g, int64_t now)
{
	if (g->n_used == 0 || now < g->next_deadline) {
		return;
	}
	for (;;) {
		struct fh_comb_entry *first = NULL;

		for (unsigned k = 0; k < FH_COMB_ENTRIES; k++) {
			struct fh_comb_entry *ent = &g->e[k];

			if (ent->key == 0) {
				continue;
			}
			if (first == NULL ||
			    ent->deadline_ns < first->deadline_ns ||
			    (ent->deadline_ns == first->deadline_ns &&
			     ent->key < first->key)) {
				first = ent;
			}
		}
		if (first == NULL || first->deadline_ns > now) {
			g->next_deadline =
				first == NULL ? INT64_MAX : first->deadline_ns;
			return;
		}
		comb_send(lc, conf, g, first);
	}
}

/* The clock a group's deadlines run on: the real time, or in a replay
 * the time of the latest part of its slowest RU (each port's capture is
 * in time order, the ports are not among each other): until every RU has
 * sent, nothing is due.  An RU that never sends holds its messages until
 * the inputs run dry (comb_poll) or the entries run out (comb_new). */
static int64_t comb_clock(const struct fh_dp *dp, const struct fh_comb_group *g,
			  int64_t t_ns)
{
	int64_t w = INT64_MAX;

	if (!dp->clock_pcap) {
		return t_ns;
	}
	for (unsigned k = 0; k < g->n_in; k++) {
		w = RTE_MIN(w, g->latest[g->in_ports[k]]);
	}
	return w == 0 ? INT64_MIN : w;
}

/* Start an entry for key from its first part. */
static struct fh_comb_entry *
comb_new(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
	 struct fh_comb_group *g, unsigned in, uint64_t key, const uint8_t *d,
	 const struct fh_frame *fr, int64_t deadline)
{
	struct fh_comb_entry *ent;
	uint16_t eaxc = (uint16_t)(key >> 34);
	unsigned i;

	if (g->n_free == 0) {
		/* full: the entry nearest its deadline goes now */
		struct fh_comb_entry *old = NULL;

		for (unsigned k = 0; k < FH_COMB_ENTRIES; k++) {
			if (g->e[k].key != 0 &&
			    (old == NULL ||
			     g->e[k].deadline_ns < old->deadline_ns)) {
				old = &g->e[k];
			}
		}
		comb_send(lc, conf, g, old);
	}
	if (fr->ecpri_offset > FH_COMB_HDR_MAX ||
	    fh_eaxc_translate(&conf->ports[in].layout,
			      &conf->ports[g->out_port].layout, eaxc,
			      &eaxc) < 0) {
		return NULL;
	}
	ent = &g->e[g->free_e[--g->n_free]];
	g->n_used++;
	ent->key = key;
	ent->deadline_ns = deadline;
	ent->arrived = 0;
	ent->out_eaxc = eaxc;
	ent->n_sec = 0;
	ent->n_prb = 0;
	ent->hdr_len = (uint8_t)fr->ecpri_offset;
	ent->hdr_pos = (uint8_t)g->pos[in];
	ent->fr = *fr;
	memcpy(ent->hdr, d, fr->ecpri_offset);
	memcpy(ent->rh, d + fr->ecpri_offset + 8, FH_RADIO_HDR_LEN);
	memset(ent->layout, 0, sizeof(ent->layout));
	for (i = comb_hash(key); g->hidx[i] != 0xff; i = (i + 1) & 255) {
	}
	g->hidx[i] = (uint8_t)(ent - g->e);
	if (deadline < g->next_deadline) {
		g->next_deadline = deadline;
	}
	return ent;
}

/* Add one section's PRBs to ent (the first part defines the layout).
 * Returns false if some PRB fell outside the layout. */
static bool comb_add_section(struct fh_comb_entry *ent,
			     const struct fh_uplane_section *s, bool first)
{
	size_t pb = fh_comp_prb_bytes(&s->comp);
	unsigned lo = s->start_prb, hi = lo + s->num_prb, run;
	bool fits = true;

	if (first) {
		if (ent->n_sec == FH_COMB_MAX_SEC) {
			return false;
		}
		ent->sec[ent->n_sec].sid = s->section_id;
		ent->sec[ent->n_sec].flags =
			(uint8_t)(s->rb << 3 | s->sym_inc << 2);
		ent->sec[ent->n_sec].nf = s->num_prb_field;
		ent->sec[ent->n_sec].start = s->start_prb;
		ent->sec[ent->n_sec].num = s->num_prb;
		ent->n_sec++;
		for (unsigned p = lo; p < hi; p++) {
			uint8_t bit = (uint8_t)(1u << (p & 7));

			if (!(ent->layout[p >> 3] & bit)) {
				ent->layout[p >> 3] |= bit;
				ent->n_prb++;
			}
		}
	}
	/* runs of PRBs inside the layout are decoded and summed at once */
	for (unsigned p = lo; p < hi; p += run) {
		bool in = ent->layout[p >> 3] >> (p & 7) & 1;

		for (run = 1;
		     p + run < hi &&
		     (ent->layout[(p + run) >> 3] >> ((p + run) & 7) & 1) == in;
		     run++) {
		}
		if (!in) {
			fits = false;
			continue;
		}
		/* a PRB's first value comes in by assignment: the sums of
		 * a new entry are not cleared */
		if ((first ? fh_iq_set_prbs : fh_iq_add_prbs)(
			    ent->sum + (size_t)p * FH_PRB_VALUES, &s->comp,
			    s->data + (p - lo) * pb, run) < 0) {
			return false;
		}
	}
	return fits;
}

/* One RU's part on the group's owner lcore (m consumed). */
static void comb_part(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
		      struct fh_comb_group *g, unsigned in, struct rte_mbuf *m,
		      const struct fh_frame *fr, int64_t t_ns)
{
	struct fh_dp *dp = lc->dp;
	struct fh_dp_comb_ctr *ctr = &lc->comb_ctr[g->slot];
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_pkt_len(m);
	const uint8_t *e, *body;
	struct fh_uplane_iter it;
	struct fh_uplane_section s;
	struct fh_radio_hdr rh;
	struct fh_comb_entry *ent;
	int64_t off, now;
	unsigned bit = 1u << g->pos[in];
	uint64_t key;
	size_t blen;
	bool first, fits = true;
	int ret, idx;

	fh_ctr_inc(&ctr->parts);
	if (!rte_pktmbuf_is_contiguous(m)) {
		if (len > sizeof(lc->lin)) {
			goto corrupt;
		}
		d = rte_pktmbuf_read(m, 0, len, lc->lin);
	}
	e = d + fr->ecpri_offset;
	body = e + 8;
	blen = fh_get_be16(e + 2) - 4u;
	off = air_offset(conf, body, tref_of(conf, t_ns),
			 dp->clock_pcap && dp->ts_dynfield >= 0);
	if (off == FH_OFF_INVALID) {
		goto corrupt;
	}
	if (dp->clock_pcap && t_ns > g->latest[in]) {
		g->latest[in] = t_ns;
	}
	now = comb_clock(dp, g, t_ns);
	comb_sweep(lc, conf, g, now);
	if (off > g->deadline_ns) {
		/* after its deadline: its message has left (or leaves now
		 * without it) */
		fh_ctr_inc(&ctr->late_parts);
		rte_pktmbuf_free(m);
		return;
	}
	key = comb_key(fh_get_be16(e + 4), body);
	idx = comb_find(g, key);
	ent = idx >= 0 ? &g->e[g->hidx[idx]] : NULL;
	if (ent != NULL && (ent->arrived & bit)) {
		/* this RU's part is in already: a repeat lines up with
		 * nothing */
		fh_ctr_inc(&ctr->mismatched);
		rte_pktmbuf_free(m);
		return;
	}
	if (fh_uplane_parse(body, blen, 0, &conf->ports[in].ucfg, &rh, &it,
			    NULL) < 0) {
		goto corrupt;
	}
	first = ent == NULL;
	if (first) {
		ent = comb_new(lc, conf, g, in, key, d, fr,
			       t_ns - off + g->deadline_ns);
		if (ent == NULL) {
			goto corrupt;
		}
	}
	{
		unsigned covered = 0;

		while ((ret = fh_uplane_next(&it, &s, NULL)) > 0) {
			if (!comb_add_section(ent, &s, first)) {
				fits = false;
			}
			covered += s.num_prb;
		}
		if (ret < 0 && first) {
			comb_free(g, ent);
			goto corrupt;
		}
		if (ret < 0 || covered != ent->n_prb) {
			fits = false;
		}
	}
	if (!fits) {
		fh_ctr_inc(&ctr->mismatched);
	}
	/* the headers of the cell's first RU that sent, whichever lcore
	 * handed its part in first */
	if (g->pos[in] < ent->hdr_pos && fr->ecpri_offset <= FH_COMB_HDR_MAX) {
		ent->hdr_pos = (uint8_t)g->pos[in];
		ent->hdr_len = (uint8_t)fr->ecpri_offset;
		ent->fr = *fr;
		memcpy(ent->hdr, d, fr->ecpri_offset);
	}
	ent->arrived |= bit;
	rte_pktmbuf_free(m);
	if (ent->arrived == g->all) {
		comb_send(lc, conf, g, ent);
	}
	return;
corrupt:
	fh_ctr_inc(&lc->port_ctr[in].rx_corrupt);
	fh_ctr_inc(&lc->port_ctr[in].drops);
	rte_pktmbuf_free(m);
}

/* The combine group a UL U-plane message from port in with this eAxC
 * belongs to, or -1. */
static inline int comb_match(const struct fh_dp_conf *conf, unsigned in,
			     uint16_t eaxc)
{
	uint16_t set = conf->port_groups[in];

	while (set != 0) {
		unsigned g = (unsigned)__builtin_ctz(set);
		const struct fh_comb_group *cg = &conf->groups[g];

		if (((eaxc ^ cg->eaxc_id) & cg->eaxc_mask) == 0) {
			return (int)g;
		}
		set &= (uint16_t)(set - 1);
	}
	return -1;
}

/* A part: combined here if this lcore owns the group, else handed to
 * the owner with its arrival time. */
static void comb_in(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
		    unsigned gi, unsigned in, struct rte_mbuf *m,
		    const struct fh_frame *fr, int64_t t_ns)
{
	struct fh_dp *dp = lc->dp;
	struct fh_comb_group *g =
		(struct fh_comb_group *)(uintptr_t)&conf->groups[gi];

	if (g->owner == lc->id) {
		comb_part(lc, conf, g, in, m, fr, t_ns);
		return;
	}
	if (dp->t_dynfield < 0) {
		goto drop;
	}
	*RTE_MBUF_DYNFIELD(m, dp->t_dynfield, int64_t *) = t_ns;
	if (rte_ring_enqueue(dp->comb_ring[g->owner], m) == 0) {
		return;
	}
drop:
	fh_ctr_inc(&lc->port_ctr[in].drops);
	rte_pktmbuf_free(m);
}

/* Parts other lcores handed over, then the deadlines of the groups this
 * lcore owns: in a replay the clock moves on by the idle time. */
static void comb_poll(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
		      int64_t idle_ns)
{
	struct fh_dp *dp = lc->dp;
	struct rte_mbuf *ms[FH_DP_BURST];
	unsigned n;
	int64_t now = 0;

	if (conf->n_groups == 0) {
		return;
	}
	n = rte_ring_dequeue_burst(dp->comb_ring[lc->id], (void **)ms,
				   FH_DP_BURST, NULL);
	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = ms[i];
		const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
		unsigned in = conf->port_index[m->port];
		struct fh_frame fr;
		int gi;

		if (in == FH_DP_NO_PORT ||
		    !parse_slow(conf, d, rte_pktmbuf_data_len(m),
				rte_pktmbuf_pkt_len(m), &fr) ||
		    !fr.is_ecpri ||
		    (gi = comb_match(conf, in,
				     fh_get_be16(d + fr.ecpri_offset + 4))) <
			    0 ||
		    conf->groups[gi].owner != lc->id) {
			/* the config changed under it */
			rte_pktmbuf_free(m);
			continue;
		}
		comb_part(lc, conf,
			  (struct fh_comb_group *)(uintptr_t)&conf->groups[gi],
			  in, m, &fr,
			  *RTE_MBUF_DYNFIELD(m, dp->t_dynfield, int64_t *));
	}
	if (!dp->clock_pcap) {
		now = fh_dp_clock_now(&dp->clock);
	} else if (idle_ns != 0) {
		/* a replay moves on only while every lcore is idle: another
		 * may still be reading the parts of this very symbol */
		for (unsigned l = 0; l < dp->n_lcores; l++) {
			uint64_t t = atomic_load_explicit(
				&dp->lcores[l]->idle_tsc, memory_order_relaxed);
			int64_t ns = (int64_t)((t * dp->ns_mult) >> 32);

			idle_ns = RTE_MIN(idle_ns, ns);
		}
	}
	for (unsigned gi = 0; gi < conf->n_groups; gi++) {
		struct fh_comb_group *g =
			(struct fh_comb_group *)(uintptr_t)&conf->groups[gi];

		if (g->owner != lc->id || g->n_used == 0) {
			continue;
		}
		if (dp->clock_pcap) {
			int64_t hi = 0;

			/* a replay's ports are read as fast as they go: an
			 * empty poll now and then is no time passing; only
			 * when every input has run dry does the clock move */
			if (idle_ns < FH_COMB_REPLAY_IDLE_NS) {
				continue;
			}
			for (unsigned k = 0; k < g->n_in; k++) {
				hi = RTE_MAX(hi, g->latest[g->in_ports[k]]);
			}
			now = hi + idle_ns;
		}
		comb_sweep(lc, conf, g, now);
	}
	for (unsigned p = 0; p < conf->n_ports; p++) {
		if (lc->tx[p].n_hi | lc->tx[p].n_lo) {
			tx_flush(lc, conf, p);
		}
	}
}

/* ---- per packet ---------------------------------------------------------------- */

/* 802.1Q egress: a port sends its native VLAN untagged, every other one
 * tagged; frames of no VLAN (no tag, no native VLAN) go out as they are. */
static inline bool egress_tagged(const struct fh_dp_port *p, uint16_t vlan)
{
	return vlan != 0 && p->native_vlan != vlan;
}

/* Give m the other form: pop its outer tag, or push one of VID vlan
 * (PCP 0, as a bridge tags an untagged frame). */
static bool retag(struct rte_mbuf *m, bool tagged, uint16_t vlan)
{
	uint8_t *d;

	if (tagged) {
		d = rte_pktmbuf_mtod(m, uint8_t *);
		memmove(d + 4, d, 12);
		return rte_pktmbuf_adj(m, 4) != NULL;
	}
	d = (uint8_t *)rte_pktmbuf_prepend(m, 4);
	if (d == NULL) {
		return false;
	}
	memmove(d, d + 4, 12);
	fh_put_be16(d + 12, FH_ETHERTYPE_VLAN);
	fh_put_be16(d + 14, vlan);
	return true;
}

static void bridge_drop(struct fh_dp_lcore *lc, unsigned in, struct rte_mbuf *m)
{
	fh_ctr_inc(&lc->port_ctr[in].drops);
	rte_pktmbuf_free(m);
}

/* ---- PTP transparent clock ----------------------------------------------------- */

/* A PTP message on its way through the switch. */
struct ptp_tx {
	struct fh_ptp_loc loc; /* offsets as received */
	uint64_t t_in; /* TSC at classification */
	bool correct; /* an event message of a corrected domain */
};

/* Bytes before the L3 header of the frame at d (up to two VLAN tags,
 * as fh_ptp_locate counts them). */
static inline unsigned l2_len(const uint8_t *d)
{
	unsigned off = 12;

	for (int i = 0; i < 2; i++) {
		uint16_t et = fh_get_be16(d + off);

		if (et != FH_ETHERTYPE_VLAN && et != FH_ETHERTYPE_QINQ) {
			break;
		}
		off += FH_VLAN_TAG_LEN;
	}
	return off + 2;
}

/*
 * Send one PTP frame on port p now, ahead of what is buffered (PTP is
 * never batched behind fronthaul bulk).  An event message gets the
 * residence time - the TSC here, immediately before tx_burst, minus the
 * TSC when its burst came off the receive queue - added to its
 * correctionField.
 *
 * This is a one-step end-to-end transparent clock (IEEE 1588-2019
 * §10.2, the residence-time correction of §11.5): the egress time is
 * known before the frame leaves, so the residence goes into the event
 * message itself - Sync, Delay_Req, Pdelay_Req, Pdelay_Resp - also when
 * the Sync or Pdelay_Resp is two-step, and the Follow_Up /
 * Pdelay_Resp_Follow_Up passes unchanged: the receiver adds the Sync's
 * and the Follow_Up's correctionField (§11.2, and the peer-delay
 * computation of §11.4), so the residence counts exactly once.
 */
static void ptp_send(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
		     unsigned p, struct rte_mbuf *m, const struct ptp_tx *pt)
{
	struct fh_dp_port_ctr *pc = &lc->port_ctr[p];
	uint32_t len = rte_pktmbuf_pkt_len(m);

	if (pt->correct) {
		struct fh_dp_ptp_ctr *c = &lc->ptp_ctr[p];
		uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
		struct fh_ptp_loc loc = pt->loc;
		/* a tag pushed or popped on the way moved the message */
		int delta = (int)l2_len(d) - (int)loc.l3_off;
		uint64_t ticks, scaled, ns, min1;

		loc.ptp_off = (uint16_t)(loc.ptp_off + delta);
		if (loc.udp_off != 0) {
			loc.udp_off = (uint16_t)(loc.udp_off + delta);
		}
		ticks = rte_rdtsc() - pt->t_in;
		scaled = (uint64_t)(((unsigned __int128)ticks *
				     lc->dp->ns_mult) >>
				    (32 - FH_PTP_SCALE_SHIFT));
		fh_ptp_correction_add(d, &loc, (int64_t)scaled);
		ns = scaled >> FH_PTP_SCALE_SHIFT;
		fh_ctr_inc(&c->corrected);
		fh_ctr_add(&c->residence_ns_sum, ns);
		min1 = fh_ctr_read(&c->residence_ns_min1);
		if (min1 == 0 || ns + 1 < min1) {
			atomic_store_explicit(&c->residence_ns_min1, ns + 1,
					      memory_order_relaxed);
		}
		if (ns > fh_ctr_read(&c->residence_ns_max)) {
			atomic_store_explicit(&c->residence_ns_max, ns,
					      memory_order_relaxed);
		}
	}
	if (unlikely(rte_eth_tx_burst(conf->ports[p].eth_port, lc->txq, &m,
				      1) == 0)) {
		fh_ctr_inc(&pc->drops);
		rte_pktmbuf_free(m);
		return;
	}
	fh_ctr_inc(&pc->tx_packets);
	fh_ctr_add(&pc->tx_bytes, len);
}

/* m to n ports: buffered, one mbuf shared by reference; PTP through the
 * transparent clock (pt), sent now, each port its own copy (each gets
 * its own residence time). */
static void send_all(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
		     const uint8_t *ports, unsigned n, struct rte_mbuf *m,
		     bool hi, const struct ptp_tx *pt)
{
	if (pt == NULL) {
		/* each transmit drops a reference (on every segment) */
		if (n > 1) {
			rte_pktmbuf_refcnt_update(m, (int16_t)(n - 1));
		}
		for (unsigned i = 0; i < n; i++) {
			tx_enqueue(lc, conf, ports[i], m, hi);
		}
		return;
	}
	for (unsigned i = 0; i + 1 < n; i++) {
		struct rte_mbuf *c =
			rte_pktmbuf_copy(m, lc->dp->pool, 0, UINT32_MAX);

		if (unlikely(c == NULL)) {
			fh_ctr_inc(&lc->port_ctr[ports[i]].drops);
			continue;
		}
		ptp_send(lc, conf, ports[i], c, pt);
	}
	ptp_send(lc, conf, ports[n - 1], m, pt);
}

static void bridge(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
		   unsigned in, struct rte_mbuf *m, const struct fh_frame *fr,
		   uint16_t vlan, uint32_t now_s, bool hi,
		   const struct ptp_tx *pt)
{
	struct fh_dp *dp = lc->dp;
	bool tagged = fr->n_vlans != 0;
	int out = -1;
	unsigned n_same = 0, n_other = 0;
	uint8_t same[FH_MAX_PORTS], other[FH_MAX_PORTS];
	struct rte_mbuf *om;

	if (unlikely(!vlan_allowed(&conf->ports[in], vlan))) {
		bridge_drop(lc, in, m);
		return;
	}
	if (conf->learning) {
		fh_l2_learn(dp->l2, conf->fdb, fr->src, vlan, in, now_s,
			    &lc->l2_ctr);
	}
	if (!(fr->dst[0] & 1)) {
		out = fh_l2_lookup(dp->l2, conf->fdb, fr->dst, vlan, now_s,
				   (uint32_t)conf->aging_s);
	}
	if (out >= 0 && (unsigned)out < conf->n_ports) {
		if ((unsigned)out == in ||
		    !vlan_allowed(&conf->ports[out], vlan) ||
		    (egress_tagged(&conf->ports[out], vlan) != tagged &&
		     !retag(m, tagged, vlan))) {
			bridge_drop(lc, in, m);
			return;
		}
		fh_ctr_inc(&lc->l2_ctr.forwarded);
		{
			uint8_t one = (uint8_t)out;

			send_all(lc, conf, &one, 1, m, hi, pt);
		}
		return;
	}
	for (unsigned p = 0; p < conf->n_ports; p++) {
		if (p == in || !vlan_allowed(&conf->ports[p], vlan)) {
			continue;
		}
		if (egress_tagged(&conf->ports[p], vlan) == tagged) {
			same[n_same++] = (uint8_t)p;
		} else {
			other[n_other++] = (uint8_t)p;
		}
	}
	if (n_same + n_other == 0) {
		bridge_drop(lc, in, m);
		return;
	}
	fh_ctr_inc(&lc->l2_ctr.flooded);
	om = NULL;
	if (n_other != 0) {
		/* the other form: a copy, or m itself if no port wants m */
		om = n_same != 0 ?
			     rte_pktmbuf_copy(m, dp->pool, 0, UINT32_MAX) :
			     m;
		if (om != NULL && !retag(om, tagged, vlan)) {
			if (om != m) {
				rte_pktmbuf_free(om);
			}
			om = NULL;
		}
		if (om == NULL) {
			fh_ctr_inc(&lc->port_ctr[in].drops);
			if (n_same == 0) {
				rte_pktmbuf_free(m);
				return;
			}
			n_other = 0;
		}
	}
	if (n_same != 0) {
		send_all(lc, conf, same, n_same, m, hi, pt);
	}
	if (n_other != 0) {
		send_all(lc, conf, other, n_other, om, hi, pt);
	}
}

/* A frame whose IP or UDP header does not hold: could it be addressed to
 * one of the eCPRI UDP ports? */
static bool maybe_ecpri_udp(const struct fh_frame_cfg *cfg, const uint8_t *d,
			    uint32_t seg, const struct fh_frame *fr)
{
	size_t off = fr->l3_offset, l4;

	if (cfg->n_udp_ports == 0 || (fr->ethertype != FH_ETHERTYPE_IPV4 &&
				      fr->ethertype != FH_ETHERTYPE_IPV6)) {
		return false;
	}
	if (fr->ethertype == FH_ETHERTYPE_IPV4) {
		if (seg < off + 20) {
			return true;
		}
		if (d[off + 9] != 17) {
			return false; /* not UDP */
		}
		l4 = off + (size_t)(d[off] & 0xf) * 4;
	} else {
		if (seg < off + 40) {
			return true;
		}
		if (d[off + 6] != 17) {
			return false;
		}
		l4 = off + 40;
	}
	if (l4 + 4 > seg) {
		return true;
	}
	for (unsigned i = 0; i < cfg->n_udp_ports; i++) {
		if (cfg->udp_ports[i] == fh_get_be16(d + l4 + 2)) {
			return true;
		}
	}
	return false;
}

/* Everything but a plain single eCPRI message over Ethernet: parse the
 * frame the general way (UDP/IPv4/IPv6, QinQ, non-eCPRI). */
static bool parse_slow(const struct fh_dp_conf *conf, const uint8_t *d,
		       uint32_t seg, uint32_t len, struct fh_frame *fr)
{
	/* the headers are in the first segment; the IP and UDP lengths are
	 * checked against the whole frame (a jumbo frame comes in several
	 * segments).  A first segment too short to hold every header is
	 * parsed on its own. */
	if (fh_frame_parse(d, seg >= FH_DP_HDR_MAX ? len : seg, &conf->fcfg, fr,
			   NULL) < 0) {
		/* a header above Ethernet that does not hold (IP, UDP) is no
		 * business of an L2 switch: bridged as it is, not eCPRI -
		 * unless it may be eCPRI over UDP, which must not get past
		 * the flows by being broken */
		if (fr->l3_offset == 0 ||
		    maybe_ecpri_udp(&conf->fcfg, d, seg, fr)) {
			return false;
		}
		fr->is_ecpri = false;
	}
	if (fr->is_ecpri && !fr->over_udp) {
		fr->ecpri_len = len - fr->ecpri_offset;
	}
	return true;
}

/* A frame that may be PTP (ethertype 0x88F7; IP in transparent mode,
 * for UDP 319/320): bridged at transmit priority, through the
 * transparent clock in PTP_MODE_TRANSPARENT. */
static void ptp_in(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
		   unsigned in, struct rte_mbuf *m, const struct fh_frame *fr,
		   uint16_t vlan, uint32_t now_s, const uint8_t *d,
		   uint32_t seg)
{
	struct fh_dp_ptp_ctr *c = &lc->ptp_ctr[in];
	bool tc = conf->ptp_mode == FH_PTP_MODE_TRANSPARENT;
	struct ptp_tx pt;
	int r;

	/* ingress: when the burst came off the queue (packets ahead of
	 * this one in the burst were processed since); called outside the
	 * forwarding loop, now */
	pt.t_in = lc->burst_tsc ? lc->burst_tsc : rte_rdtsc();
	r = fh_ptp_locate(d, seg, &pt.loc);
	if (r == 0) {
		/* IP that is not PTP */
		if (unlikely(fh_mac_is_8021q_reserved(fr->dst))) {
			bridge_drop(lc, in, m);
			return;
		}
		bridge(lc, conf, in, m, fr, vlan, now_s, false, NULL);
		return;
	}
	if (unlikely(r < 0)) {
		fh_ctr_inc(&c->rx_malformed);
		if (tc || fh_mac_is_8021q_reserved(fr->dst)) {
			/* a PTP-aware switch does not pass what it cannot
			 * correct */
			fh_ctr_inc(&lc->port_ctr[in].rx_corrupt);
			bridge_drop(lc, in, m);
			return;
		}
		bridge(lc, conf, in, m, fr, vlan, now_s, true, NULL);
		return;
	}
	fh_ctr_inc(&c->rx_type[pt.loc.type]);
	if (fh_mac_is_8021q_reserved(fr->dst) &&
	    !(tc && fh_mac_is_ptp_0e(fr->dst))) {
		/* 802.1Q: 01-80-C2-00-00-0E is not forwarded by a bridge;
		 * a transparent clock passes PTP to it */
		fh_ctr_inc(&c->filtered);
		bridge_drop(lc, in, m);
		return;
	}
	if (!tc) {
		bridge(lc, conf, in, m, fr, vlan, now_s, true, NULL);
		return;
	}
	pt.correct =
		fh_ptp_is_event(pt.loc.type) &&
		(conf->ptp_domains[pt.loc.domain >> 3] >> (pt.loc.domain & 7) &
		 1);
	bridge(lc, conf, in, m, fr, vlan, now_s, true, &pt);
}

/*
 * What flow fi does with a message it matched (m: its frame, fr its
 * headers, e its eCPRI header; valid: the O-RAN headers hold; ec, seq_err:
 * its eAxC stream and SeqId check, eaxc_track's): counters, window,
 * mirror copies, rewrites, output.
 */
static __rte_always_inline void
flow_act(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf, unsigned in,
	 struct rte_mbuf *m, struct fh_frame *frp, const uint8_t *e,
	 unsigned fi, bool valid, struct fh_dp_eaxc_ctr *ec, bool seq_err,
	 struct tref tr, bool stamped)
{
	struct fh_dp *dp = lc->dp;
	struct fh_dp_port_ctr *pc = &lc->port_ctr[in];
	const struct fh_flow *f;
	struct fh_dp_flow_ctr *fc;

	f = &conf->flows[fi];
	fc = &lc->flow_ctr[conf->slot[fi]];
	fh_ctr_inc(&fc->rx_total);
	fh_ctr_add(&fc->rx_bytes, rte_pktmbuf_pkt_len(m));
	if (unlikely(!valid)) {
		fh_ctr_inc(&fc->rx_corrupt);
		fh_ctr_inc(&pc->drops);
		rte_pktmbuf_free(m);
		return;
	}
	if (seq_err) {
		fh_ctr_inc(&fc->rx_seqid_err);
	}
	if (f->window.enabled) {
		window_count(conf, f, fc, ec, e + 8, tr, stamped,
			     stamped ? 0 : lc->burst_wait_ns);
	}
	/* monitor ports: the frame as it arrived, before any rewrite */
	for (unsigned i = 0; unlikely(i < f->action.n_mirror_ports); i++) {
		unsigned mp = f->action.mirror_ports[i];
		struct rte_mbuf *c =
			rte_pktmbuf_copy(m, dp->pool, 0, UINT32_MAX);

		if (unlikely(c == NULL)) {
			fh_ctr_inc(&lc->port_ctr[mp].drops);
			continue;
		}
		fh_ctr_inc(&fc->tx_mirror);
		tx_enqueue(lc, conf, mp, c, false);
	}
	if (f->action.drop || f->action.n_out_ports == 0) {
		rte_pktmbuf_free(m);
		return;
	}
	if (unlikely(!rewrite(conf, in, f, m, frp))) {
		fh_ctr_inc(&pc->drops);
		rte_pktmbuf_free(m);
		return;
	}
	if (unlikely(conf->conv_any[in] != 0)) {
		send_dialects(lc, conf, in, f, fc, m, frp);
		return;
	}
	/* DL copy: every port but the last gets its own copy */
	for (unsigned i = 0; i + 1 < f->action.n_out_ports; i++) {
		struct rte_mbuf *c =
			rte_pktmbuf_copy(m, dp->pool, 0, UINT32_MAX);

		if (unlikely(c == NULL)) {
			fh_ctr_inc(&lc->port_ctr[f->action.out_ports[i]].drops);
			continue;
		}
		fh_ctr_inc(&fc->tx_total);
		tx_enqueue(lc, conf, f->action.out_ports[i], c, true);
	}
	fh_ctr_inc(&fc->tx_total);
	tx_enqueue(lc, conf, f->action.out_ports[f->action.n_out_ports - 1], m,
		   true);
}

static __rte_noinline void process_one(struct fh_dp_lcore *lc,
				       const struct fh_dp_conf *conf,
				       unsigned in, struct rte_mbuf *m,
				       int64_t t_ns, struct tref tr)
{
	struct fh_dp *dp = lc->dp;
	struct fh_dp_port_ctr *pc = &lc->port_ctr[in];
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t seg = rte_pktmbuf_data_len(m), len = rte_pktmbuf_pkt_len(m);
	struct fh_frame fr;
	struct fh_flow_key key;
	struct fh_dp_eaxc_ctr *ec = NULL;
	const uint8_t *e;
	uint16_t vlan, et;
	uint32_t now_s;
	long fi;
	bool valid, seq_err = false, stamped = false;

	if (unlikely(lc->burst_ts_us) &&
	    (dp->clock_pcap || (m->ol_flags & dp->ts_flag) != 0)) {
		/* replay, or a device that stamps frames: the timestamp
		 * (us) is the arrival time, exactly */
		t_ns = (int64_t)*RTE_MBUF_DYNFIELD(m, dp->ts_dynfield,
						   rte_mbuf_timestamp_t *) *
		       1000;
		tr = tref_of(conf, t_ns);
		stamped = true;
	}
	now_s = (uint32_t)(t_ns / FH_NS_PER_S);
	fh_ctr_inc(&pc->rx_packets);
	fh_ctr_add(&pc->rx_bytes, len);
	/* fast path: [802.1Q] 0xAEFE with one message (the fronthaul case);
	 * the MACs are always in the first segment */
	if (unlikely(seg < FH_ETH_HDR_LEN + 4)) {
		goto slow;
	}
	et = fh_get_be16(d + 12);
	fr.n_vlans = 0;
	fr.ecpri_offset = FH_ETH_HDR_LEN;
	if (et == FH_ETHERTYPE_VLAN) {
		fr.vlan_tci[0] = fh_get_be16(d + 14);
		fr.n_vlans = 1;
		et = fh_get_be16(d + 16);
		fr.ecpri_offset = FH_ETH_HDR_LEN + FH_VLAN_TAG_LEN;
	}
	if (et != FH_ETHERTYPE_ECPRI) {
		goto slow;
	}
	memcpy(fr.dst, d, 6);
	memcpy(fr.src, d + 6, 6);
	fr.is_ecpri = true;
	fr.over_udp = false;
	fr.ecpri_len = len - fr.ecpri_offset;
	fr.ethertype = FH_ETHERTYPE_ECPRI;
	goto ecpri;
slow:
	if (unlikely(!parse_slow(conf, d, seg, len, &fr))) {
		fh_ctr_inc(&pc->rx_corrupt);
		fh_ctr_inc(&pc->drops);
		rte_pktmbuf_free(m);
		return;
	}
ecpri:
	/* the port's VLAN membership holds for bridging; flows act before
	 * it, as an ASIC's ingress ACL does */
	vlan = fr.n_vlans ? fr.vlan_tci[0] & 0xfff :
			    conf->ports[in].native_vlan;
	if (!fr.is_ecpri) {
		if (fr.ethertype == FH_ETHERTYPE_PTP ||
		    ((fr.ethertype == FH_ETHERTYPE_IPV4 ||
		      fr.ethertype == FH_ETHERTYPE_IPV6) &&
		     conf->ptp_mode == FH_PTP_MODE_TRANSPARENT)) {
			ptp_in(lc, conf, in, m, &fr, vlan, now_s, d, seg);
			return;
		}
		if (unlikely(fh_mac_is_8021q_reserved(fr.dst))) {
			/* 802.1Q: a bridge does not forward these */
			bridge_drop(lc, in, m);
			return;
		}
		bridge(lc, conf, in, m, &fr, vlan, now_s, false, NULL);
		return;
	}
	e = d + fr.ecpri_offset;
	if (unlikely(fr.ecpri_offset + 4 > seg)) {
		fh_ctr_inc(&pc->rx_corrupt);
		fh_ctr_inc(&pc->drops);
		rte_pktmbuf_free(m);
		return;
	}
	if (e[1] != FH_ECPRI_IQ_DATA && e[1] != FH_ECPRI_RT_CTRL) {
		/* other eCPRI messages (delay measurement, ...) are bridged
		 * at eCPRI priority once their headers hold */
		if (unlikely(!fh_oran_valid(e, fr.ecpri_len,
					    seg - fr.ecpri_offset))) {
			fh_ctr_inc(&pc->rx_corrupt);
			fh_ctr_inc(&pc->drops);
			rte_pktmbuf_free(m);
			return;
		}
		bridge(lc, conf, in, m, &fr, vlan, now_s, true, NULL);
		return;
	}
	if (unlikely(fr.ecpri_offset + 9 > seg)) {
		/* too short for eAxC, SeqId and the radio header */
		fh_ctr_inc(&pc->rx_corrupt);
		fh_ctr_inc(&pc->drops);
		rte_pktmbuf_free(m);
		return;
	}
	valid = msg_valid(lc, e, fr.ecpri_len, seg - fr.ecpri_offset);
	key.in_port = (uint16_t)in;
	key.vlan_id = fr.n_vlans ? fr.vlan_tci[0] & 0xfff : 0;
	key.pcp = fr.n_vlans ? (uint8_t)(fr.vlan_tci[0] >> 13) : FH_PCP_NONE;
	key.plane = e[1] == FH_ECPRI_IQ_DATA ? FH_PLANE_U : FH_PLANE_C;
	key.direction = e[8] >> 7 ? FH_DIRECTION_DL : FH_DIRECTION_UL;
	key.eaxc_id = fh_get_be16(e + 4);
	key.udp_port = fr.over_udp ? fr.dport : 0;
	key.src_mac = fr.src;
	key.dst_mac = fr.dst;
	if (likely(valid)) {
		ec = eaxc_track(lc, in, key.plane == FH_PLANE_U,
				key.direction == FH_DIRECTION_DL, key.eaxc_id,
				e, &seq_err);
	}
	/* a shared cell's UL: combined, not forwarded by the flows */
	if (unlikely(conf->port_groups[in] != 0) && key.plane == FH_PLANE_U &&
	    key.direction == FH_DIRECTION_UL) {
		int gi = comb_match(conf, in, key.eaxc_id);

		if (gi >= 0) {
			if (unlikely(!valid)) {
				fh_ctr_inc(&pc->rx_corrupt);
				fh_ctr_inc(&pc->drops);
				rte_pktmbuf_free(m);
				return;
			}
			comb_in(lc, conf, (unsigned)gi, in, m, &fr, t_ns);
			return;
		}
	}
	fi = fh_flow_lookup(conf->table, &key);
	if (fi < 0) {
		if (unlikely(!valid)) {
			fh_ctr_inc(&pc->rx_corrupt);
			fh_ctr_inc(&pc->drops);
			rte_pktmbuf_free(m);
			return;
		}
		bridge(lc, conf, in, m, &fr, vlan, now_s, true, NULL);
		return;
	}
	flow_act(lc, conf, in, m, &fr, e, (unsigned)fi, valid, ec, seq_err, tr,
		 stamped);
}

/*
 * A burst is processed in two passes.  The first classifies: it parses
 * the headers of the fronthaul case - [802.1Q] 0xAEFE carrying one U- or
 * C-plane message that a flow claims - validates the message and looks
 * its flow up, packet after packet with nothing but the lookup's reads in
 * between, so the loads of several packets overlap.  The second acts, in
 * arrival order: SeqId, counters, window, rewrites, output.  Whatever the
 * first pass does not claim (other traffic, a shared cell's UL, messages
 * no flow matches) takes process_one's whole path in the second.
 */
struct cls {
	int32_t fi; /* the flow; -1: process_one */
	uint16_t off; /* eCPRI header offset */
	uint16_t tci; /* the VLAN tag, n_vlans 1 */
	uint16_t eaxc;
	uint8_t n_vlans;
	uint8_t u, dl;
	bool valid;
};

static inline uint32_t classify(struct fh_dp_lcore *lc,
				const struct fh_dp_conf *conf, unsigned in,
				struct rte_mbuf *m, struct cls *c)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t seg = rte_pktmbuf_data_len(m), len = rte_pktmbuf_pkt_len(m);
	struct fh_flow_key key;
	const uint8_t *e;
	uint16_t et;
	uint32_t off = FH_ETH_HDR_LEN;
	long fi;
	bool valid;

	c->fi = -1;
	if (unlikely(seg < FH_ETH_HDR_LEN + 4)) {
		return 0;
	}
	et = fh_get_be16(d + 12);
	c->n_vlans = 0;
	c->tci = 0;
	if (et == FH_ETHERTYPE_VLAN) {
		c->tci = fh_get_be16(d + 14);
		c->n_vlans = 1;
		et = fh_get_be16(d + 16);
		off += FH_VLAN_TAG_LEN;
	}
	if (et != FH_ETHERTYPE_ECPRI || off + 9 > seg) {
		return 0;
	}
	e = d + off;
	if (e[1] != FH_ECPRI_IQ_DATA && e[1] != FH_ECPRI_RT_CTRL) {
		return 0;
	}
	valid = msg_valid(lc, e, len - off, seg - off);
	key.in_port = (uint16_t)in;
	key.vlan_id = c->tci & 0xfff;
	key.pcp = c->n_vlans ? (uint8_t)(c->tci >> 13) : FH_PCP_NONE;
	key.plane = e[1] == FH_ECPRI_IQ_DATA ? FH_PLANE_U : FH_PLANE_C;
	key.direction = e[8] >> 7 ? FH_DIRECTION_DL : FH_DIRECTION_UL;
	key.eaxc_id = fh_get_be16(e + 4);
	key.udp_port = 0;
	key.src_mac = d + 6;
	key.dst_mac = d;
	if (unlikely(conf->port_groups[in] != 0) && key.plane == FH_PLANE_U &&
	    key.direction == FH_DIRECTION_UL) {
		return 0; /* a shared cell's UL may be combined */
	}
	fi = fh_flow_lookup(conf->table, &key);
	if (fi < 0) {
		return 0;
	}
	c->fi = (int32_t)fi;
	c->off = (uint16_t)off;
	c->eaxc = key.eaxc_id;
	c->u = key.plane == FH_PLANE_U;
	c->dl = key.direction == FH_DIRECTION_DL;
	c->valid = valid;
	return len;
}

/* The second pass for a packet the first claimed: as process_one from
 * its SeqId check on. */
static inline void act(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
		       unsigned in, struct rte_mbuf *m, const struct cls *c,
		       struct tref tr)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *e = d + c->off;
	struct fh_dp_eaxc_ctr *ec = NULL;
	struct fh_frame fr;
	bool seq_err = false;

	memcpy(fr.dst, d, 6);
	memcpy(fr.src, d + 6, 6);
	fr.n_vlans = c->n_vlans;
	fr.vlan_tci[0] = c->tci;
	fr.ethertype = FH_ETHERTYPE_ECPRI;
	fr.is_ecpri = true;
	fr.over_udp = false;
	fr.ecpri_offset = c->off;
	fr.ecpri_len = rte_pktmbuf_pkt_len(m) - c->off;
	if (likely(c->valid)) {
		ec = eaxc_track(lc, in, c->u, c->dl, c->eaxc, e, &seq_err);
	}
	flow_act(lc, conf, in, m, &fr, e, (unsigned)c->fi, c->valid, ec,
		 seq_err, tr, false);
}

/* Up to FH_DP_BURST packets of port in, in the two passes. */
static void two_pass(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
		     unsigned in, struct rte_mbuf **pkts, uint16_t n,
		     int64_t now_ns, struct tref tr)
{
	struct fh_dp_port_ctr *pc = &lc->port_ctr[in];
	struct cls c[FH_DP_BURST];
	uint64_t bytes = 0, claimed = 0;

	for (uint16_t i = 0; i < n; i++) {
		uint32_t len;

		if (i + 1 < n) {
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		}
		len = classify(lc, conf, in, pkts[i], &c[i]);
		bytes += len;
		claimed += len != 0;
	}
	fh_ctr_add(&pc->rx_packets, claimed);
	fh_ctr_add(&pc->rx_bytes, bytes);
	for (uint16_t i = 0; i < n; i++) {
		if (c[i].fi >= 0) {
			act(lc, conf, in, pkts[i], &c[i], tr);
		} else {
			process_one(lc, conf, in, pkts[i], now_ns, tr);
		}
	}
}

void fh_dp_process(struct fh_dp_lcore *lc, const struct fh_dp_conf *conf,
		   uint16_t in_eth_port, struct rte_mbuf **pkts, uint16_t n,
		   int64_t now_ns, int64_t since_ns)
{
	unsigned in = conf->port_index[in_eth_port];
	struct tref tr = tref_of(conf, now_ns);

	if (unlikely(in == FH_DP_NO_PORT)) {
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	lc->burst_ts_us = lc->dp->ts_dynfield >= 0 &&
			  (lc->dp->clock_pcap || conf->ports[in].rx_ts_us);
	lc->burst_wait_ns = now_ns > since_ns ? now_ns - since_ns : 0;
	if (unlikely(lc->burst_ts_us)) {
		/* a time per packet: one at a time */
		for (uint16_t i = 0; i < n; i++) {
			if (i + 1 < n) {
				rte_prefetch0(
					rte_pktmbuf_mtod(pkts[i + 1], void *));
			}
			process_one(lc, conf, in, pkts[i], now_ns, tr);
		}
	} else {
		for (uint16_t k = 0; k < n; k += FH_DP_BURST) {
			two_pass(lc, conf, in, pkts + k,
				 (uint16_t)RTE_MIN(n - k, FH_DP_BURST), now_ns,
				 tr);
		}
	}
	for (unsigned p = 0; p < conf->n_ports; p++) {
		if (lc->tx[p].n_hi | lc->tx[p].n_lo) {
			tx_flush(lc, conf, p);
		}
	}
}

int fh_dp_lcore_main(void *arg)
{
	struct fh_dp_lcore *lc = arg;
	struct fh_dp *dp = lc->dp;
	struct rte_mbuf *pkts[FH_DP_BURST];
	const uint64_t gap_max = rte_get_tsc_hz() / 1000000 * FH_DP_IDLE_GAP_US;
	const uint64_t sleep_after =
		rte_get_tsc_hz() / 1000000 * FH_DP_SLEEP_AFTER_US;
	uint64_t prev = rte_rdtsc(), idle = 0;
	unsigned nap_us = FH_DP_SLEEP_US;

	if (dp->poll_sleep) {
		/* wake within a few us of the sleep asked for, not the
		 * default 50 us timer slack */
		prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	}

	for (unsigned q = 0; q < RTE_DIM(lc->drained_tsc); q++) {
		lc->drained_tsc[q] = prev;
	}
	rte_rcu_qsbr_thread_register(dp->rcu, lc->id);
	rte_rcu_qsbr_thread_online(dp->rcu, lc->id);
	while (!atomic_load_explicit(&dp->stop, memory_order_relaxed)) {
		const struct fh_dp_conf *conf =
			atomic_load_explicit(&dp->conf, memory_order_acquire);
		bool got = false;
		uint64_t now;

		if (conf != NULL) {
			const struct fh_dp_rxq_set *rs = &conf->rxq[lc->id];

			for (unsigned q = 0; q < rs->n; q++) {
				uint16_t n = rte_eth_rx_burst(
					rs->q[q].eth_port, rs->q[q].queue, pkts,
					FH_DP_BURST);
				uint64_t t0, wait;
				int64_t now_ns;

				if (n == 0) {
					/* prev: before this poll */
					lc->drained_tsc[q] = prev;
					continue;
				}
				t0 = rte_rdtsc();
				got = true;
				atomic_store_explicit(&lc->last_rx_tsc, t0,
						      memory_order_relaxed);
				lc->burst_tsc = t0;
				/* these frames came after the last poll that
				 * left the queue empty */
				wait = t0 - lc->drained_tsc[q];
				if (n < FH_DP_BURST) {
					lc->drained_tsc[q] = prev;
				}
				now_ns = dp->clock_pcap ?
						 0 :
						 fh_dp_clock_now(&dp->clock);
				fh_dp_process(
					lc, conf, rs->q[q].eth_port, pkts, n,
					now_ns,
					now_ns - (int64_t)(((unsigned __int128)
								    wait *
							    dp->ns_mult) >>
							   32));
				if (dp->measure_residence) {
					uint64_t dt = rte_rdtsc() - t0;

					fh_ctr_inc(&lc->hist[63 -
							     __builtin_clzll(
								     dt | 1)]);
					fh_ctr_add(&lc->hist_sum, dt);
				}
			}
		}
		/* idleness: time spent polling empty queues, not wall time */
		now = rte_rdtsc();
		if (got) {
			idle = 0;
		} else {
			idle += now - prev < gap_max ? now - prev : gap_max;
		}
		if (conf != NULL && conf->n_groups != 0) {
			comb_poll(lc, conf,
				  got ? 0 :
					(int64_t)((idle * dp->ns_mult) >> 32));
		}
		prev = now;
		atomic_store_explicit(&lc->idle_tsc, idle,
				      memory_order_relaxed);
		/* no reference to conf is held past this point */
		rte_rcu_qsbr_quiescent(dp->rcu, lc->id);
		/* power saving: idle long enough, give the core away for a
		 * moment (a system call, but only with nothing to forward) */
		if (unlikely(dp->poll_sleep)) {
			if (got) {
				nap_us = FH_DP_SLEEP_US;
			} else if (idle > sleep_after) {
				rte_delay_us_sleep(nap_us);
				/* longer naps the longer it stays idle */
				nap_us = nap_us * 2 > FH_DP_SLEEP_MAX_US ?
						 FH_DP_SLEEP_MAX_US :
						 nap_us * 2;
			}
		}
	}
	rte_rcu_qsbr_thread_offline(dp->rcu, lc->id);
	rte_rcu_qsbr_thread_unregister(dp->rcu, lc->id);
	return 0;
}
