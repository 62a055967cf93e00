/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stddef.h>

#include "fh/eaxc.h"

#define EAXC_BITS 16

/* Field order in the ID, most significant first; widths in the same order. */
enum { F_DU, F_BS, F_CC, F_RU, N_FIELDS };

static void layout_widths(const struct fh_eaxc_layout *l,
			  unsigned int w[N_FIELDS])
{
	w[F_DU] = l->du_port_bits;
	w[F_BS] = l->band_sector_bits;
	w[F_CC] = l->cc_bits;
	w[F_RU] = l->ru_port_bits;
}

/* 32-bit arithmetic so that a 16-bit wide field (the others 0) needs no
 * special case: 1u << 16 is well defined. */
static uint32_t field_mask(unsigned int width)
{
	return (UINT32_C(1) << width) - 1;
}

int fh_eaxc_layout_check(const struct fh_eaxc_layout *l)
{
	if (l == NULL) {
		return -EINVAL;
	}
	/* uint8_t widths promote to int, so the sum cannot wrap to 16 */
	if (l->du_port_bits + l->band_sector_bits + l->cc_bits +
		    l->ru_port_bits !=
	    EAXC_BITS) {
		return -EINVAL;
	}
	return 0;
}

void fh_eaxc_split(const struct fh_eaxc_layout *l, uint16_t id,
		   struct fh_eaxc *out)
{
	unsigned int w[N_FIELDS];
	uint16_t v[N_FIELDS];
	unsigned int shift = 0;
	int i;

	if (out == NULL) {
		return;
	}
	/* A bad layout would mean shifts past the ID width: give zeros. */
	if (fh_eaxc_layout_check(l) < 0) {
		*out = (struct fh_eaxc){0};
		return;
	}
	layout_widths(l, w);
	for (i = N_FIELDS - 1; i >= 0; i--) {
		v[i] = (uint16_t)(((uint32_t)id >> shift) & field_mask(w[i]));
		shift += w[i];
	}
	out->du_port = v[F_DU];
	out->band_sector = v[F_BS];
	out->cc = v[F_CC];
	out->ru_port = v[F_RU];
}

int fh_eaxc_join(const struct fh_eaxc_layout *l, const struct fh_eaxc *f,
		 uint16_t *id)
{
	unsigned int w[N_FIELDS];
	uint16_t v[N_FIELDS];
	uint32_t acc = 0;
	int i;

	if (f == NULL || id == NULL || fh_eaxc_layout_check(l) < 0) {
		return -EINVAL;
	}
	layout_widths(l, w);
	v[F_DU] = f->du_port;
	v[F_BS] = f->band_sector;
	v[F_CC] = f->cc;
	v[F_RU] = f->ru_port;
	for (i = 0; i < N_FIELDS; i++) {
		/* Truncating silently would steer traffic to another
		 * antenna carrier; refuse instead. */
		if (v[i] & ~field_mask(w[i])) {
			return -ERANGE;
		}
		acc = acc << w[i] | v[i];
	}
	*id = (uint16_t)acc;
	return 0;
}

int fh_eaxc_translate(const struct fh_eaxc_layout *from,
		      const struct fh_eaxc_layout *to, uint16_t id,
		      uint16_t *out)
{
	struct fh_eaxc f;

	if (fh_eaxc_layout_check(from) < 0) {
		return -EINVAL;
	}
	fh_eaxc_split(from, id, &f);
	return fh_eaxc_join(to, &f, out);
}
