/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the eCPRI message iterator (concatenation included). */
#include <stddef.h>
#include <stdint.h>

#include "fh/ecpri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fh_ecpri_iter it;
	struct fh_ecpri_msg m;
	struct fh_err err;
	volatile size_t sink = 0;

	fh_ecpri_iter_init(&it, data, size, 0);
	while (fh_ecpri_next(&it, &m, &err) > 0) {
		/* touch every byte the parser claims is there */
		for (size_t i = 0; i < m.body_len; i++) {
			sink += m.body[i];
		}
		if (m.type == FH_ECPRI_EVENT) {
			for (size_t i = 0; i < m.u.event.num_elements * 8u;
			     i++) {
				sink += m.u.event.elements[i];
			}
		}
	}
	(void)sink;
	return 0;
}
