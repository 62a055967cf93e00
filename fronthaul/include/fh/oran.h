/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FH_ORAN_H
#define FH_ORAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fh/comp.h"
#include "fh/err.h"

/*
 * O-RAN CUS-plane payloads (O-RAN.WG4.CUS; ORAN.md §3-5): the radio
 * application header, U-plane sections and C-plane section types 0, 1, 3,
 * 5, 6, 7 with their extension chain.  Parsers take the eCPRI body after
 * PC_ID/RTC_ID and SEQ_ID (it starts with the radio application header),
 * point into it without copying and iterate: nothing allocates.  Every
 * offset reported in struct fh_err is relative to the outermost buffer
 * (the caller passes the body's offset as base).
 */

#define FH_RADIO_HDR_LEN 4
#define FH_ORAN_PAYLOAD_VERSION 1
#define FH_DIR_UL 0
#define FH_DIR_DL 1
#define FH_MAX_PRB 273 /* 100 MHz at 30 kHz SCS */

/* Radio application header (the last field is symbolId in the U-plane,
 * startSymbolId in the C-plane). */
struct fh_radio_hdr {
	uint8_t direction; /* FH_DIR_DL or FH_DIR_UL */
	uint8_t payload_version;
	uint8_t filter_index;
	uint8_t frame_id;
	uint8_t subframe_id;
	uint8_t slot_id;
	uint8_t symbol_id;
};

/*
 * Parse the 4-byte radio application header.
 * @return 0; -EMSGSIZE if len < 4; -EBADMSG if payloadVersion is not 1.
 */
int fh_radio_hdr_parse(const uint8_t *p, size_t len, size_t base,
		       struct fh_radio_hdr *h, struct fh_err *err);
/* Write the 4-byte header (payload_version 0 is written as 1). */
void fh_radio_hdr_build(uint8_t *p, const struct fh_radio_hdr *h);

/* udCompHdr byte <-> struct fh_comp (udIqWidth 0 means 16). */
struct fh_comp fh_comp_from_hdr(uint8_t ud_comp_hdr);
uint8_t fh_comp_to_hdr(const struct fh_comp *c);

/* ---- U-plane ---------------------------------------------------------- */

/* Static (M-plane) configuration the U-plane wire format does not carry. */
struct fh_uplane_cfg {
	bool dyn_comp_hdr; /* udCompHdr + reserved byte in each section */
	struct fh_comp comp; /* used when !dyn_comp_hdr */
	uint16_t carrier_prbs; /* what numPrbu = 0 means; 0 -> FH_MAX_PRB */
};

struct fh_uplane_section {
	uint16_t section_id;
	uint8_t rb;
	uint8_t sym_inc;
	uint16_t start_prb;
	uint8_t num_prb_field; /* as on the wire (0 = all PRBs) */
	uint16_t num_prb; /* effective PRB count */
	bool has_comp_hdr;
	uint8_t ud_comp_hdr; /* valid when has_comp_hdr */
	struct fh_comp comp; /* effective compression */
	const uint8_t *data; /* num_prb compressed PRBs */
	size_t data_len;
	size_t offset; /* of the section header */
};

struct fh_uplane_iter {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	size_t base;
	const struct fh_uplane_cfg *cfg;
};

/*
 * Parse the radio header of a U-plane body and prepare the section
 * iterator.  cfg must outlive the iterator.
 * @return 0 or an error from fh_radio_hdr_parse.
 */
int fh_uplane_parse(const uint8_t *body, size_t len, size_t base,
		    const struct fh_uplane_cfg *cfg, struct fh_radio_hdr *rh,
		    struct fh_uplane_iter *it, struct fh_err *err);

/*
 * Next section.
 * @return 1 with *s filled; 0 at the end of the body; -EMSGSIZE if a
 *         section header or its PRBs are truncated; -EBADMSG for an IQ
 *         width/method whose PRB size is undefined.
 */
int fh_uplane_next(struct fh_uplane_iter *it, struct fh_uplane_section *s,
		   struct fh_err *err);

/*
 * The usual U-plane message: one section (sec, its 4-byte header) whose
 * numPrbu PRBs take the rest bytes after that header, each PRB of a size
 * some static coding has (3w or 3w + 1 bytes, w = 1..16), inside the
 * largest carrier.
 */
static inline bool fh_uplane_one_section_fits(const uint8_t *sec, size_t rest)
{
	size_t n = sec[3], start = (size_t)(sec[1] & 3) << 8 | sec[2], b;

	if (n == 0 || rest % n != 0 || start + n > FH_MAX_PRB) {
		return false;
	}
	b = rest / n;
	return b >= 3 && b <= 49 && b % 3 != 2;
}

/*
 * Do the sections of a U-plane body (from the radio header on) fill it
 * exactly, each header with its PRBs?  cfg: the coding when it is known;
 * NULL when it is not: then some single static PRB size a coding can have
 * (3w or 3w + 1 bytes, w = 1..16) must fit every section, or each
 * section's own udCompHdr (dynamic headers) must.  numPrbu = 0 (all PRBs)
 * takes the rest of the body in whole PRBs when the carrier is unknown.
 * Needs at least one section.
 */
bool fh_uplane_sections_fit(const uint8_t *body, size_t len,
			    const struct fh_uplane_cfg *cfg);

/*
 * Write one section header at buf (4 bytes, plus udCompHdr and reserved
 * byte when cfg->dyn_comp_hdr) followed by s->data_len bytes from s->data.
 * @return bytes written; -ENOSPC; -EINVAL if a field is out of range.
 */
long fh_uplane_build_section(uint8_t *buf, size_t cap,
			     const struct fh_uplane_cfg *cfg,
			     const struct fh_uplane_section *s);

/* ---- C-plane ---------------------------------------------------------- */

enum fh_section_type {
	FH_SECTION_IDLE = 0,
	FH_SECTION_NORMAL = 1,
	FH_SECTION_PRACH = 3,
	FH_SECTION_UE_SCHED = 5,
	FH_SECTION_CH_INFO = 6,
	FH_SECTION_LAA = 7,
};

/* Deployment facts the C-plane does not signal. */
struct fh_cplane_cfg {
	uint16_t carrier_prbs; /* numPrbc = 0; 0 -> FH_MAX_PRB */
	uint16_t ci_num_trx; /* type 6: TRX per PRB; 0 -> 32 */
	uint16_t bfw_per_bundle; /* ext 11: weights per bundle; 0 -> 32 */
};

struct fh_cplane_hdr {
	struct fh_radio_hdr rh; /* symbol_id is startSymbolId */
	uint8_t num_sections;
	uint8_t section_type;
	/* types 0 and 3 */
	uint16_t time_offset;
	uint8_t frame_structure; /* FFT size 4 | mu 4 */
	uint16_t cp_length;
	/* types 1, 3, 5 */
	uint8_t ud_comp_hdr;
	/* type 6 */
	uint8_t num_ues;
	/* type 7 */
	uint8_t laa_msg_type;
	uint8_t laa_msg_len; /* 32-bit words of LAA message after this byte */
	const uint8_t *laa_msg;
	uint16_t lbt_handle;
};

struct fh_cplane_section {
	uint16_t section_id;
	uint8_t rb;
	uint8_t sym_inc;
	uint16_t start_prb;
	uint8_t num_prb_field;
	uint16_t num_prb;
	uint16_t re_mask; /* types 0, 1, 3, 5 */
	uint8_t num_symbol; /* types 0, 1, 3, 5 */
	uint8_t ef;
	uint16_t beam_id; /* types 1, 3 */
	uint16_t ue_id; /* types 5, 6 */
	int32_t freq_offset; /* type 3, signed 24 bits */
	int16_t regularization_factor; /* type 6 */
	const uint8_t *ci; /* type 6: num_prb * num_trx * (I16, Q16) */
	size_t ci_len;
	const uint8_t *ext; /* extension chain (ef = 1) */
	size_t ext_len;
	size_t ext_offset;
	size_t offset;
	size_t len; /* whole section, extensions included */
};

struct fh_cplane_ext {
	uint8_t type;
	bool ef; /* another extension follows */
	uint16_t len_words;
	const uint8_t *data; /* after ef/extType/extLen */
	size_t data_len;
	size_t offset;
	union {
		struct { /* 1: beamforming weights */
			uint8_t bfw_iq_width; /* 1..16 */
			uint8_t bfw_comp_meth;
			bool has_param;
			uint8_t bfw_comp_param;
			uint16_t num_weights; /* I/Q pairs present */
			const uint8_t *weights;
		} e1;
		struct { /* 4: modulation compression parameters */
			bool csf;
			uint16_t mod_comp_scaler;
		} e4;
		struct { /* 5: modulation compression additional parameters */
			uint8_t n_sets;
			struct {
				uint16_t mc_scale_re_mask;
				bool csf;
				uint16_t mc_scale_offset;
			} sets[2];
		} e5;
		struct { /* 6: non-contiguous PRB allocation */
			uint8_t repetition;
			uint8_t rbg_size;
			uint32_t rbg_mask;
			uint8_t priority;
			uint16_t symbol_mask;
		} e6;
		struct { /* 10: beam group for multiple ports */
			uint8_t beam_group_type;
			uint8_t num_portc;
			const uint8_t *beam_ids; /* type 2: num_portc be16 */
		} e10;
		struct { /* 11: flexible beamforming weights */
			bool disable_bfws;
			bool rad;
			uint8_t num_bund_prb;
			uint8_t bfw_iq_width;
			uint8_t bfw_comp_meth;
			uint16_t num_bundles;
			const uint8_t *bundles;
			size_t bundle_len; /* bytes per bundle */
		} e11;
		struct { /* 12: PRB allocation with frequency ranges */
			uint8_t priority;
			uint16_t symbol_mask;
			uint16_t n_ranges;
			const uint8_t *ranges; /* (offStartPrb 8, numPrb 8) */
		} e12;
		struct { /* 13: PRB allocation with frequency hopping */
			uint16_t n_allocs;
			const uint8_t *allocs; /* (rsvd 2, nextSymbolId 4,
						  nextStartPrbc 10) */
		} e13;
	} u;
};

struct fh_cplane_iter {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	size_t base;
	unsigned remaining;
	const struct fh_cplane_cfg *cfg;
	struct fh_cplane_hdr hdr;
};

/*
 * Parse the C-plane common header and prepare the section iterator.
 * @return 0; -EMSGSIZE if truncated; -EBADMSG for a bad payloadVersion;
 *         -EPROTONOSUPPORT for a reserved section type (2, 4, >7).
 */
int fh_cplane_parse(const uint8_t *body, size_t len, size_t base,
		    const struct fh_cplane_cfg *cfg, struct fh_cplane_hdr *h,
		    struct fh_cplane_iter *it, struct fh_err *err);

/*
 * Next section (numberOfSections of them).  Validates the extension chain
 * (every extLen non-zero and inside the message).
 * @return 1 with *s filled; 0 after the last; -EMSGSIZE if truncated;
 *         -EBADMSG for extLen 0.
 */
int fh_cplane_next(struct fh_cplane_iter *it, struct fh_cplane_section *s,
		   struct fh_err *err);

/*
 * Iterate the extension chain of a section: *pos starts at 0.
 * @return 1 with *e filled (known types decoded; others carry data only);
 *         0 at the end; -EMSGSIZE / -EBADMSG for a malformed extension.
 */
int fh_cplane_ext_next(const struct fh_cplane_section *s,
		       const struct fh_cplane_cfg *cfg, size_t *pos,
		       struct fh_cplane_ext *e, struct fh_err *err);

/* Length of the common header that follows sectionType for a type, or
 * -EPROTONOSUPPORT. */
int fh_cplane_common_len(uint8_t section_type);

/*
 * Builders.  fh_cplane_build_hdr writes radio header, numberOfSections,
 * sectionType and the type's common header; fh_cplane_build_section writes
 * one section's fields (ext/ext_len bytes are appended verbatim and ef is
 * set from ext_len != 0; ci/ci_len likewise for type 6);
 * fh_cplane_build_ext writes one extension from *e's union (its data
 * pointers are read), padding to 4 bytes and setting extLen.
 * Extension types this codec does not decode (<= 127) are written from
 * e->data / e->data_len verbatim.
 * @return bytes written; -ENOSPC; -EINVAL for an out-of-range field or
 *         a type above 127.
 */
long fh_cplane_build_hdr(uint8_t *buf, size_t cap,
			 const struct fh_cplane_hdr *h);
long fh_cplane_build_section(uint8_t *buf, size_t cap, uint8_t section_type,
			     const struct fh_cplane_section *s);
long fh_cplane_build_ext(uint8_t *buf, size_t cap,
			 const struct fh_cplane_cfg *cfg, uint16_t num_prb,
			 const struct fh_cplane_ext *e);

#endif
