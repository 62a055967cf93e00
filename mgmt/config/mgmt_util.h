/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MGMT_UTIL_H
#define MGMT_UTIL_H

#include <stddef.h>

/*
 * Inside mgmt/ every failure is 0 / -errno plus a message naming what was
 * wrong and where (a JSON path, a file); the gRPC status is derived from
 * the errno once, at the transport (mgmt_code_from_errno).
 */
struct mgmt_error {
	int err; /* 0 or a negative errno */
	char message[512];
};

/* Set e to err with a printf-style message; returns err. */
int mgmt_error_set(struct mgmt_error *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Read a whole file ("-": standard input) into *text (malloc'd, NUL-terminated; *len without
 * the NUL, len may be NULL).  @return 0; -ENOENT, -EACCES, ... (the open
 * failed); -EFBIG if it holds more than max bytes; -EIO; -ENOMEM.  err
 * gets "PATH: reason".
 */
int mgmt_read_file(const char *path, size_t max, char **text, size_t *len,
		   char *err, size_t errlen);

#endif
