/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: C-plane sections and the extension chain.  The first two
 * bytes pick the deployment configuration. */
#include <stddef.h>
#include <stdint.h>

#include "fh/oran.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fh_cplane_cfg cfg = {0};
	struct fh_cplane_hdr h;
	struct fh_cplane_iter it;
	struct fh_cplane_section s;
	struct fh_cplane_ext e;
	struct fh_err err;
	volatile unsigned sink = 0;

	if (size < 2) {
		return 0;
	}
	cfg.carrier_prbs = data[0];
	cfg.ci_num_trx = data[1] & 0x3f;
	cfg.bfw_per_bundle = data[1] >> 6;
	data += 2;
	size -= 2;
	if (fh_cplane_parse(data, size, 2, &cfg, &h, &it, &err) < 0) {
		return 0;
	}
	while (fh_cplane_next(&it, &s, &err) > 0) {
		size_t pos = 0;

		for (size_t i = 0; i < s.ci_len; i++) {
			sink += s.ci[i];
		}
		while (fh_cplane_ext_next(&s, &cfg, &pos, &e, &err) > 0) {
			for (size_t i = 0; i < e.data_len; i++) {
				sink += e.data[i];
			}
			if (e.type == 11) {
				size_t n = (size_t)e.u.e11.num_bundles *
					   e.u.e11.bundle_len;

				for (size_t i = 0; i < n; i++) {
					sink += e.u.e11.bundles[i];
				}
			}
		}
	}
	(void)sink;
	return 0;
}
