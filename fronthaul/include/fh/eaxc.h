/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FH_EAXC_H
#define FH_EAXC_H

#include <stdbool.h>
#include <stdint.h>

/*
 * eAxC ID layout: DU_port_ID | BandSector_ID | CC_ID | RU_port_ID, most
 * significant first, widths summing to 16 (ORAN.md §2).  Any width may be
 * 0, in which case that field is always 0.
 */
struct fh_eaxc_layout {
	uint8_t du_port_bits;
	uint8_t band_sector_bits;
	uint8_t cc_bits;
	uint8_t ru_port_bits;
};

struct fh_eaxc {
	uint16_t du_port;
	uint16_t band_sector;
	uint16_t cc;
	uint16_t ru_port;
};

/* o-du-phy Cat-A default and current Wireshark default */
#define FH_EAXC_LAYOUT_4444 ((struct fh_eaxc_layout){4, 4, 4, 4})
/* Wireshark 4.0 default */
#define FH_EAXC_LAYOUT_2644 ((struct fh_eaxc_layout){2, 6, 4, 4})
/* o-du-phy Cat-B sample */
#define FH_EAXC_LAYOUT_4228 ((struct fh_eaxc_layout){4, 2, 2, 8})

/* @return 0 if the widths sum to 16; -EINVAL if they do not or l is NULL. */
int fh_eaxc_layout_check(const struct fh_eaxc_layout *l);

/* Do a and b split the eAxC the same way? */
static inline bool fh_eaxc_layout_eq(const struct fh_eaxc_layout *a,
				     const struct fh_eaxc_layout *b)
{
	return a->du_port_bits == b->du_port_bits &&
	       a->band_sector_bits == b->band_sector_bits &&
	       a->cc_bits == b->cc_bits && a->ru_port_bits == b->ru_port_bits;
}

/*
 * Split a 16-bit eAxC ID into its fields under layout l.  l should pass
 * fh_eaxc_layout_check(); if it does not, every field of *out is set to 0.
 */
void fh_eaxc_split(const struct fh_eaxc_layout *l, uint16_t id,
		   struct fh_eaxc *out);

/*
 * Join fields into an eAxC ID under layout l.  *id is written only on
 * success.
 * @return 0 on success; -EINVAL if an argument is NULL or l fails
 *         fh_eaxc_layout_check(); -ERANGE if a field does not fit its width.
 */
int fh_eaxc_join(const struct fh_eaxc_layout *l, const struct fh_eaxc *f,
		 uint16_t *id);

/*
 * Translate an eAxC ID between layouts, field by field (the switch's fix for
 * DU and RU vendors that disagree on the layout).  *out is written only on
 * success.
 * @return 0 on success; -EINVAL if an argument is NULL or a layout fails
 *         fh_eaxc_layout_check(); -ERANGE if a field of the source does not
 *         fit the destination width.
 */
int fh_eaxc_translate(const struct fh_eaxc_layout *from,
		      const struct fh_eaxc_layout *to, uint16_t id,
		      uint16_t *out);

#endif
