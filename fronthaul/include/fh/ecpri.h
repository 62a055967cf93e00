/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FH_ECPRI_H
#define FH_ECPRI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fh/err.h"

/*
 * eCPRI v2.0 common header and message types 0-7 (ORAN.md §1).  Parsing
 * never copies: struct fh_ecpri_msg points into the caller's buffer.
 */

#define FH_ETHERTYPE_ECPRI 0xAEFE
#define FH_ECPRI_HDR_LEN 4
#define FH_ECPRI_REVISION 1

enum fh_ecpri_type {
	FH_ECPRI_IQ_DATA = 0,
	FH_ECPRI_BIT_SEQ = 1,
	FH_ECPRI_RT_CTRL = 2,
	FH_ECPRI_GENERIC = 3,
	FH_ECPRI_RMA = 4,
	FH_ECPRI_DELAY = 5,
	FH_ECPRI_RESET = 6,
	FH_ECPRI_EVENT = 7,
};

/* One-way delay measurement action types (eCPRI 3.2.4.6). */
enum fh_ecpri_delay_action {
	FH_DELAY_REQ = 0,
	FH_DELAY_REQ_FOLLOW_UP = 1,
	FH_DELAY_RESP = 2,
	FH_DELAY_REMOTE_REQ = 3,
	FH_DELAY_REMOTE_REQ_FOLLOW_UP = 4,
	FH_DELAY_FOLLOW_UP = 5,
};

/* Minimum payload size per message type (bytes after the common header). */
#define FH_ECPRI_MIN_PAYLOAD_IQ 4 /* PC_ID, SEQ_ID */
#define FH_ECPRI_MIN_PAYLOAD_RTC 4 /* RTC_ID, SEQ_ID */
#define FH_ECPRI_MIN_PAYLOAD_GENERIC 8
#define FH_ECPRI_MIN_PAYLOAD_RMA 12
#define FH_ECPRI_MIN_PAYLOAD_DELAY 20
#define FH_ECPRI_MIN_PAYLOAD_RESET 3
#define FH_ECPRI_MIN_PAYLOAD_EVENT 4
#define FH_ECPRI_EVENT_ELEMENT_LEN 8

/* O-RAN split of the 16-bit SEQ_ID: SeqId 8 | E 1 | SubSeqId 7. */
struct fh_oran_seq {
	uint8_t seq_id;
	uint8_t e_bit;
	uint8_t subseq_id;
};

struct fh_ecpri_msg {
	/* common header */
	uint8_t revision;
	uint8_t reserved; /* the 3 reserved bits, as received */
	bool concatenated;
	uint8_t type;
	uint16_t payload_size;
	/* payload (payload_size bytes), pointing into the parsed buffer */
	const uint8_t *payload;
	/* offset of the common header within the outermost buffer */
	size_t offset;
	union {
		struct { /* types 0, 1, 2: PC_ID / RTC_ID = eAxC ID in O-RAN */
			uint16_t id;
			uint16_t seq_id;
		} iq;
		struct { /* type 3 */
			uint32_t pc_id;
			uint32_t seq_id;
		} generic;
		struct { /* type 4 */
			uint8_t rma_id;
			uint8_t rw;
			uint8_t req_resp;
			uint16_t element_id;
			uint64_t address; /* 48 bits */
			uint16_t length;
		} rma;
		struct { /* type 5 */
			uint8_t measurement_id;
			uint8_t action_type;
			uint64_t ts_s; /* 48 bits */
			uint32_t ts_ns;
			int64_t compensation; /* ns * 2^16 */
		} delay;
		struct { /* type 6 */
			uint16_t reset_id;
			uint8_t operation;
		} reset;
		struct { /* type 7 */
			uint8_t event_id;
			uint8_t event_type;
			uint8_t sequence;
			uint8_t num_elements;
			const uint8_t *elements; /* num_elements * 8 bytes */
		} event;
	} u;
	/* bytes after the type-specific fields above (e.g. the O-RAN payload
	 * after SEQ_ID); body_len may be 0 */
	const uint8_t *body;
	size_t body_len;
};

/*
 * Iterator over the eCPRI messages of one frame payload (concatenation:
 * while C=1 another message follows at the next 4-byte boundary).
 */
struct fh_ecpri_iter {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	size_t base; /* offset of buf within the outermost buffer */
	bool done;
};

void fh_ecpri_iter_init(struct fh_ecpri_iter *it, const uint8_t *buf,
			size_t len, size_t base_offset);

/*
 * Parse the next message.
 *
 * @return 1 with *m filled; 0 when no message is left; -EBADMSG for an
 *         unsupported revision or a field inconsistent with its type (event
 *         element count vs. payload size); -EMSGSIZE if the payload size
 *         runs past the buffer or is below the type's minimum; -EPROTO if
 *         C=1 but no room is left for another header.  Details in *err
 *         (offset relative to the outermost buffer).  After an error the
 *         iterator stops.
 */
int fh_ecpri_next(struct fh_ecpri_iter *it, struct fh_ecpri_msg *m,
		  struct fh_err *err);

/* Split / join the O-RAN SEQ_ID. */
void fh_oran_seq_split(uint16_t seq_id, struct fh_oran_seq *out);
uint16_t fh_oran_seq_join(const struct fh_oran_seq *s);

/*
 * Build one message at buf: common header, type-specific fields from *m,
 * then body_len bytes copied from m->body (may be NULL when body_len is 0).
 * payload_size is computed; m->revision 0 means FH_ECPRI_REVISION.  When
 * m->concatenated, zero padding is appended up to the next 4-byte boundary.
 *
 * @return bytes written (header + payload + padding); -ENOSPC if cap is
 *         too small; -EINVAL for an unknown type or a body too large for
 *         the 16-bit payload size.
 */
long fh_ecpri_build(uint8_t *buf, size_t cap, const struct fh_ecpri_msg *m);

/* Size of the type-specific fields that fh_ecpri_build writes before the
 * body, or -EINVAL for types above 7. */
int fh_ecpri_fixed_len(uint8_t type);

/* Message type name ("iq_data", "rt_ctrl", ...) or NULL. */
const char *fh_ecpri_type_name(uint8_t type);

#endif
