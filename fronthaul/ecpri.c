/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "fh/bits.h"
#include "fh/ecpri.h"

static const struct {
	const char *name;
	uint8_t fixed;
} ecpri_types[] = {
	[FH_ECPRI_IQ_DATA] = {"iq_data", 4},
	[FH_ECPRI_BIT_SEQ] = {"bit_sequence", 4},
	[FH_ECPRI_RT_CTRL] = {"rt_ctrl", 4},
	[FH_ECPRI_GENERIC] = {"generic_data", 8},
	[FH_ECPRI_RMA] = {"remote_memory_access", 12},
	[FH_ECPRI_DELAY] = {"one_way_delay", 20},
	[FH_ECPRI_RESET] = {"remote_reset", 3},
	[FH_ECPRI_EVENT] = {"event_indication", 4},
};

#define N_TYPES (sizeof(ecpri_types) / sizeof(ecpri_types[0]))

int fh_ecpri_fixed_len(uint8_t type)
{
	if (type >= N_TYPES) {
		return -EINVAL;
	}
	return ecpri_types[type].fixed;
}

const char *fh_ecpri_type_name(uint8_t type)
{
	return type < N_TYPES ? ecpri_types[type].name : NULL;
}

void fh_oran_seq_split(uint16_t seq_id, struct fh_oran_seq *out)
{
	out->seq_id = (uint8_t)(seq_id >> 8);
	out->e_bit = (uint8_t)((seq_id >> 7) & 1);
	out->subseq_id = (uint8_t)(seq_id & 0x7f);
}

uint16_t fh_oran_seq_join(const struct fh_oran_seq *s)
{
	return (uint16_t)(s->seq_id << 8 | (s->e_bit & 1) << 7 |
			  (s->subseq_id & 0x7f));
}

void fh_ecpri_iter_init(struct fh_ecpri_iter *it, const uint8_t *buf,
			size_t len, size_t base_offset)
{
	it->buf = buf;
	it->len = len;
	it->pos = 0;
	it->base = base_offset;
	it->done = false;
}

/* Decode the type-specific fields.  p points at the payload, n is
 * payload_size (already checked against the buffer). */
static int parse_fixed(struct fh_ecpri_msg *m, const uint8_t *p, size_t n,
		       size_t off, struct fh_err *err)
{
	size_t fixed;

	if (m->type >= N_TYPES) {
		/* IWF (8-11), reserved and vendor types: payload opaque */
		m->body = p;
		m->body_len = n;
		return 0;
	}
	fixed = ecpri_types[m->type].fixed;
	if (n < fixed) {
		return fh_fail(err, -EMSGSIZE, off + 2,
			       "payload size below the minimum for the "
			       "message type");
	}
	switch (m->type) {
	case FH_ECPRI_IQ_DATA:
	case FH_ECPRI_BIT_SEQ:
	case FH_ECPRI_RT_CTRL:
		m->u.iq.id = fh_get_be16(p);
		m->u.iq.seq_id = fh_get_be16(p + 2);
		break;
	case FH_ECPRI_GENERIC:
		m->u.generic.pc_id = fh_get_be32(p);
		m->u.generic.seq_id = fh_get_be32(p + 4);
		break;
	case FH_ECPRI_RMA:
		m->u.rma.rma_id = p[0];
		m->u.rma.rw = p[1] >> 4;
		m->u.rma.req_resp = p[1] & 0xf;
		m->u.rma.element_id = fh_get_be16(p + 2);
		m->u.rma.address = fh_get_be48(p + 4);
		m->u.rma.length = fh_get_be16(p + 10);
		if (m->u.rma.length > n - fixed && m->u.rma.rw == 1 &&
		    m->u.rma.req_resp == 0) {
			/* a write request carries its data */
			return fh_fail(err, -EBADMSG, off + 4 + 10,
				       "remote memory access data length "
				       "exceeds the payload");
		}
		break;
	case FH_ECPRI_DELAY:
		m->u.delay.measurement_id = p[0];
		m->u.delay.action_type = p[1];
		m->u.delay.ts_s = fh_get_be48(p + 2);
		m->u.delay.ts_ns = fh_get_be32(p + 8);
		m->u.delay.compensation = (int64_t)fh_get_be64(p + 12);
		if (m->u.delay.ts_ns >= 1000000000u) {
			return fh_fail(err, -EBADMSG, off + 4 + 8,
				       "delay timestamp nanoseconds >= 1e9");
		}
		break;
	case FH_ECPRI_RESET:
		m->u.reset.reset_id = fh_get_be16(p);
		m->u.reset.operation = p[2];
		break;
	case FH_ECPRI_EVENT:
		m->u.event.event_id = p[0];
		m->u.event.event_type = p[1];
		m->u.event.sequence = p[2];
		m->u.event.num_elements = p[3];
		m->u.event.elements = p + 4;
		if ((size_t)m->u.event.num_elements *
			    FH_ECPRI_EVENT_ELEMENT_LEN >
		    n - fixed) {
			return fh_fail(err, -EBADMSG, off + 4 + 3,
				       "event element count exceeds the "
				       "payload");
		}
		break;
	}
	if (m->type == FH_ECPRI_EVENT) {
		fixed += (size_t)m->u.event.num_elements *
			 FH_ECPRI_EVENT_ELEMENT_LEN;
	}
	m->body = p + fixed;
	m->body_len = n - fixed;
	return 0;
}

int fh_ecpri_next(struct fh_ecpri_iter *it, struct fh_ecpri_msg *m,
		  struct fh_err *err)
{
	size_t off, avail;
	const uint8_t *h;
	int ret;

	if (it->done) {
		return 0;
	}
	off = it->pos;
	avail = it->len - off;
	if (avail < FH_ECPRI_HDR_LEN) {
		it->done = true;
		if (off == 0) {
			return fh_fail(err, -EMSGSIZE, it->base + off,
				       "truncated eCPRI common header");
		}
		return fh_fail(err, -EPROTO, it->base + off,
			       "C bit set but no room for the next message");
	}
	h = it->buf + off;
	memset(m, 0, sizeof(*m));
	m->revision = h[0] >> 4;
	m->reserved = (h[0] >> 1) & 0x7;
	m->concatenated = h[0] & 1;
	m->type = h[1];
	m->payload_size = fh_get_be16(h + 2);
	m->offset = it->base + off;
	if (m->revision != FH_ECPRI_REVISION) {
		it->done = true;
		return fh_fail(err, -EBADMSG, it->base + off,
			       "unsupported eCPRI revision");
	}
	if ((size_t)m->payload_size > avail - FH_ECPRI_HDR_LEN) {
		it->done = true;
		return fh_fail(err, -EMSGSIZE, it->base + off + 2,
			       "payload size runs past the end of the frame");
	}
	m->payload = h + FH_ECPRI_HDR_LEN;
	ret = parse_fixed(m, m->payload, m->payload_size, it->base + off, err);
	if (ret < 0) {
		it->done = true;
		return ret;
	}
	if (m->concatenated) {
		/* the next message starts on a 4-byte boundary */
		size_t next = off + FH_ECPRI_HDR_LEN + m->payload_size;

		next = (next + 3) & ~(size_t)3;
		if (next + FH_ECPRI_HDR_LEN > it->len) {
			it->done = true;
			return fh_fail(err, -EPROTO, it->base + off,
				       "C bit set but no room for the next "
				       "message");
		}
		it->pos = next;
	} else {
		it->done = true;
	}
	return 1;
}

long fh_ecpri_build(uint8_t *buf, size_t cap, const struct fh_ecpri_msg *m)
{
	size_t fixed, payload, total;
	uint8_t *p;

	if (m->type >= N_TYPES) {
		return -EINVAL;
	}
	fixed = ecpri_types[m->type].fixed;
	if (m->type == FH_ECPRI_EVENT) {
		/* elements are part of the fixed fields' tail */
		fixed += (size_t)m->u.event.num_elements *
			 FH_ECPRI_EVENT_ELEMENT_LEN;
	}
	payload = fixed + m->body_len;
	if (payload > UINT16_MAX) {
		return -EINVAL;
	}
	total = FH_ECPRI_HDR_LEN + payload;
	if (m->concatenated) {
		total = (total + 3) & ~(size_t)3;
	}
	if (total > cap) {
		return -ENOSPC;
	}
	buf[0] =
		(uint8_t)((m->revision ? m->revision : FH_ECPRI_REVISION) << 4 |
			  (m->reserved & 7) << 1 | (m->concatenated ? 1 : 0));
	buf[1] = m->type;
	fh_put_be16(buf + 2, (uint16_t)payload);
	p = buf + FH_ECPRI_HDR_LEN;
	switch (m->type) {
	case FH_ECPRI_IQ_DATA:
	case FH_ECPRI_BIT_SEQ:
	case FH_ECPRI_RT_CTRL:
		fh_put_be16(p, m->u.iq.id);
		fh_put_be16(p + 2, m->u.iq.seq_id);
		break;
	case FH_ECPRI_GENERIC:
		fh_put_be32(p, m->u.generic.pc_id);
		fh_put_be32(p + 4, m->u.generic.seq_id);
		break;
	case FH_ECPRI_RMA:
		p[0] = m->u.rma.rma_id;
		p[1] = (uint8_t)((m->u.rma.rw & 0xf) << 4 |
				 (m->u.rma.req_resp & 0xf));
		fh_put_be16(p + 2, m->u.rma.element_id);
		fh_put_be48(p + 4, m->u.rma.address);
		fh_put_be16(p + 10, m->u.rma.length);
		break;
	case FH_ECPRI_DELAY:
		p[0] = m->u.delay.measurement_id;
		p[1] = m->u.delay.action_type;
		fh_put_be48(p + 2, m->u.delay.ts_s);
		fh_put_be32(p + 8, m->u.delay.ts_ns);
		fh_put_be64(p + 12, (uint64_t)m->u.delay.compensation);
		break;
	case FH_ECPRI_RESET:
		fh_put_be16(p, m->u.reset.reset_id);
		p[2] = m->u.reset.operation;
		break;
	case FH_ECPRI_EVENT:
		p[0] = m->u.event.event_id;
		p[1] = m->u.event.event_type;
		p[2] = m->u.event.sequence;
		p[3] = m->u.event.num_elements;
		if (m->u.event.num_elements != 0) {
			memcpy(p + 4, m->u.event.elements,
			       (size_t)m->u.event.num_elements *
				       FH_ECPRI_EVENT_ELEMENT_LEN);
		}
		break;
	}
	if (m->body_len != 0) {
		memcpy(p + fixed, m->body, m->body_len);
	}
	memset(buf + FH_ECPRI_HDR_LEN + payload, 0,
	       total - FH_ECPRI_HDR_LEN - payload);
	return (long)total;
}
