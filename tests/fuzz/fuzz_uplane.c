/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: U-plane sections and decompression.  The first byte picks the
 * static configuration (udCompHdr presence, method, width). */
#include <stddef.h>
#include <stdint.h>

#include "fh/oran.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int16_t iq[FH_PRB_VALUES * 1024];
	struct fh_uplane_cfg cfg = {0};
	struct fh_radio_hdr rh;
	struct fh_uplane_iter it;
	struct fh_uplane_section s;
	struct fh_err err;

	if (size < 2) {
		return 0;
	}
	cfg.dyn_comp_hdr = data[0] & 0x80;
	cfg.comp.method = (data[0] >> 4) & 0x3;
	cfg.comp.iq_width = (data[1] & 0xf) + 1;
	cfg.carrier_prbs = (uint16_t)(data[0] & 0x0f) * 17;
	data += 2;
	size -= 2;
	if (fh_uplane_parse(data, size, 2, &cfg, &rh, &it, &err) < 0) {
		return 0;
	}
	while (fh_uplane_next(&it, &s, &err) > 0) {
		if (s.num_prb <= 1024) {
			(void)fh_decompress(&s.comp, s.data, s.num_prb, iq);
		}
	}
	return 0;
}
