/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fh_recode over lines of stdin, for test_recode.py: each line is
 *   FROM TO MAX_BODY HEX
 * FROM/TO a coding "method:width[:dyn]" (method none|bfp|block_scaling|
 * mu_law), HEX a U-plane body from the radio header on.  Each output
 * line is the re-coded bodies in hex, space separated, or "ERR errno
 * offset reason".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fh/recode.h"

static int parse_cfg(const char *s, struct fh_uplane_cfg *c)
{
	char m[32];
	unsigned w;
	int n = 0;

	memset(c, 0, sizeof(*c));
	if (sscanf(s, "%31[a-z_]:%u%n", m, &w, &n) != 2) {
		return -1;
	}
	for (unsigned k = 0; k < 4; k++) {
		if (strcmp(m, fh_comp_method_name(k)) == 0) {
			c->comp.method = (uint8_t)k;
			c->comp.iq_width = (uint8_t)w;
			c->dyn_comp_hdr = strcmp(s + n, ":dyn") == 0;
			return 0;
		}
	}
	return -1;
}

static int unhex(const char *h, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = strlen(h);

	if (n % 2 != 0 || n / 2 > cap) {
		return -1;
	}
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(h + 2 * i, "%2x", &v) != 1) {
			return -1;
		}
		out[i] = (uint8_t)v;
	}
	*len = n / 2;
	return 0;
}

int main(void)
{
	static char line[1 << 17];
	static uint8_t in[1 << 16], out[1 << 16];

	while (fgets(line, sizeof(line), stdin) != NULL) {
		char from_s[32], to_s[32], *hex;
		struct fh_uplane_cfg from, to;
		struct fh_recode r;
		struct fh_err err = {0};
		size_t max_body, len;
		long n;
		int ret;

		hex = malloc(sizeof(line));
		if (hex == NULL ||
		    sscanf(line, "%31s %31s %zu %s", from_s, to_s, &max_body,
			   hex) != 4 ||
		    parse_cfg(from_s, &from) < 0 || parse_cfg(to_s, &to) < 0 ||
		    unhex(hex, in, sizeof(in), &len) < 0) {
			fprintf(stderr, "bad line: %s", line);
			free(hex);
			return 2;
		}
		free(hex);
		ret = fh_recode_start(&r, in, len, 0, &from, &to, max_body,
				      &err);
		if (ret < 0) {
			printf("ERR %d %zu %s\n", -ret, err.offset,
			       err.reason ? err.reason : "");
			fflush(stdout);
			continue;
		}
		while ((n = fh_recode_next(&r, out, sizeof(out), &err)) > 0) {
			for (long i = 0; i < n; i++) {
				printf("%02x", out[i]);
			}
			putchar(' ');
		}
		if (n < 0) {
			printf("ERR %ld %zu %s", -n, err.offset,
			       err.reason ? err.reason : "");
		}
		putchar('\n');
		fflush(stdout);
	}
	return 0;
}
