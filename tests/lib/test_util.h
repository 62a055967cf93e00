/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the cmocka unit tests (include after <cmocka.h>). */
#ifndef FH_TEST_UTIL_H
#define FH_TEST_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* A heap copy of exactly n bytes, so ASan flags any read past it. */
static inline uint8_t *dup_exact(const uint8_t *src, size_t n)
{
	uint8_t *p = malloc(n != 0 ? n : 1);

	assert_non_null(p);
	if (n != 0) {
		memcpy(p, src, n);
	}
	return p;
}

#endif
