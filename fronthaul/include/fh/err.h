/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FH_ERR_H
#define FH_ERR_H

#include <errno.h>
#include <stddef.h>

/*
 * Where and why a parse or build failed.  Every codec entry point that can
 * fail takes an optional struct fh_err * and fills it on error: code is the
 * negative errno also returned, offset the byte offset from the start of the
 * buffer handed to the outermost call, reason a static string.
 */
struct fh_err {
	int code;
	size_t offset;
	const char *reason;
};

/* Record an error (err may be NULL) and return code (a negative errno). */
static inline int fh_fail(struct fh_err *err, int code, size_t offset,
			  const char *reason)
{
	if (err != NULL) {
		err->code = code;
		err->offset = offset;
		err->reason = reason;
	}
	return code;
}

#endif
