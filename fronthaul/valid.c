/* SPDX-License-Identifier: Apache-2.0 */
#include "fh/valid.h"

#include "fh/ecpri.h"
#include "fh/oran.h"

/* Walk every message of the frame and its O-RAN sections: a payload size
 * or header inconsistent with the frame makes the packet RX_CORRUPT. */
bool fh_oran_valid(const uint8_t *e, size_t len, size_t seg_len)
{
	struct fh_ecpri_iter it;
	struct fh_ecpri_msg m;
	int ret;

	fh_ecpri_iter_init(&it, e, len, 0);
	while ((ret = fh_ecpri_next(&it, &m, NULL)) > 0) {
		if (m.type == FH_ECPRI_RT_CTRL) {
			struct fh_cplane_hdr h;
			struct fh_cplane_iter ci;
			struct fh_cplane_section s;

			/* the section walk needs the bytes in one segment */
			if (m.body + m.body_len > e + seg_len) {
				continue;
			}
			if (fh_cplane_parse(m.body, m.body_len, 0, NULL, &h,
					    &ci, NULL) < 0) {
				return false;
			}
			while ((ret = fh_cplane_next(&ci, &s, NULL)) > 0) {
			}
			if (ret < 0) {
				return false;
			}
		} else if (m.type == FH_ECPRI_IQ_DATA) {
			struct fh_radio_hdr rh;

			/* radio header plus at least one section header */
			if (m.body_len < FH_RADIO_HDR_LEN + 4 ||
			    fh_radio_hdr_parse(m.body, m.body_len, 0, &rh,
					       NULL) < 0) {
				return false;
			}
			/* every section and its PRBs inside the message (the
			 * walk needs the bytes in one segment) */
			if (m.body + m.body_len <= e + seg_len &&
			    !fh_uplane_sections_fit(m.body, m.body_len, NULL)) {
				return false;
			}
		}
	}
	return ret == 0;
}
