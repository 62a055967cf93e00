/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt_util.h"

int mgmt_error_set(struct mgmt_error *e, int err, const char *fmt, ...)
{
	va_list ap;

	e->err = err;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return err;
}

int mgmt_read_file(const char *path, size_t max, char **text, size_t *len,
		   char *err, size_t errlen)
{
	bool in = strcmp(path, "-") == 0;
	FILE *f = in ? stdin : fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	int ret = 0;

	*text = NULL;
	if (f == NULL) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	for (;;) {
		size_t r;

		if (n + 1 >= cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				snprintf(err, errlen, "%s: out of memory",
					 path);
				ret = -ENOMEM;
				break;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (n > max) {
			snprintf(err, errlen, "%s: larger than %zu bytes", path,
				 max);
			ret = -EFBIG;
			break;
		}
		if (r == 0) {
			break;
		}
	}
	if (ret == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		ret = -EIO;
	}
	if (!in) {
		fclose(f);
	}
	if (ret < 0) {
		free(buf);
		return ret;
	}
	buf[n] = '\0';
	*text = buf;
	if (len != NULL) {
		*len = n;
	}
	return 0;
}
