/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: a whole frame as fhctl decode sees it: Ethernet/VLAN/IP/UDP,
 * every eCPRI message, every O-RAN section and extension. */
#include <stddef.h>
#include <stdint.h>

#include "fh/ecpri.h"
#include "fh/frame.h"
#include "fh/oran.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int16_t iq[FH_PRB_VALUES * FH_MAX_PRB];
	struct fh_frame_cfg fcfg = {.udp_ports = {5000}, .n_udp_ports = 1};
	struct fh_uplane_cfg ucfg = {.dyn_comp_hdr = true};
	struct fh_cplane_cfg ccfg = {0};
	struct fh_frame f;
	struct fh_ecpri_iter it;
	struct fh_ecpri_msg m;
	struct fh_err err;

	if (fh_frame_parse(data, size, &fcfg, &f, &err) < 0 || !f.is_ecpri) {
		return 0;
	}
	fh_ecpri_iter_init(&it, data + f.ecpri_offset, f.ecpri_len,
			   f.ecpri_offset);
	while (fh_ecpri_next(&it, &m, &err) > 0) {
		size_t base = (size_t)(m.body - data);

		if (m.type == FH_ECPRI_IQ_DATA) {
			struct fh_radio_hdr rh;
			struct fh_uplane_iter ui;
			struct fh_uplane_section s;

			if (fh_uplane_parse(m.body, m.body_len, base, &ucfg,
					    &rh, &ui, &err) < 0) {
				continue;
			}
			while (fh_uplane_next(&ui, &s, &err) > 0) {
				if (s.num_prb <= FH_MAX_PRB) {
					(void)fh_decompress(&s.comp, s.data,
							    s.num_prb, iq);
				}
			}
		} else if (m.type == FH_ECPRI_RT_CTRL) {
			struct fh_cplane_hdr h;
			struct fh_cplane_iter ci;
			struct fh_cplane_section s;
			struct fh_cplane_ext e;

			if (fh_cplane_parse(m.body, m.body_len, base, &ccfg, &h,
					    &ci, &err) < 0) {
				continue;
			}
			while (fh_cplane_next(&ci, &s, &err) > 0) {
				size_t pos = 0;

				while (fh_cplane_ext_next(&s, &ccfg, &pos, &e,
							  &err) > 0) {
				}
			}
		}
	}
	return 0;
}
