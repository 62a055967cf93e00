/* SPDX-License-Identifier: Apache-2.0 */
/* What the gRPC server and client share (transport.h): byte buffers,
 * PEM files, statuses, deadlines. */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/log.h>
#include <grpc/support/time.h>

#include "grpc/health/v1/health.pb-c.h"
#include "grpc/reflection/v1/reflection.pb-c.h"
#include "mgmt_audit.h"
#include "mgmt_grpc_client.h"
#include "mgmt_health.h"
#include "mgmt_log.h"
#include "mgmt_reflect.h"
#include "mgmt_json.h"
#include "mgmt_rpc.h"
#include "transport.h"

#define PEM_MAX (1u << 20)

int mgmt_status_set(struct mgmt_status *st, int code, const char *fmt, ...)
{
	va_list ap;

	st->code = code;
	va_start(ap, fmt);
	vsnprintf(st->message, sizeof(st->message), fmt, ap);
	va_end(ap);
	return code;
}

int mgmt_code_from_errno(int err)
{
	switch (err) {
	case 0:
		return MGMT_OK;
	case -EINVAL:
		return MGMT_INVALID_ARGUMENT;
	case -ENOENT:
		return MGMT_NOT_FOUND;
	case -EEXIST:
		return MGMT_ALREADY_EXISTS;
	case -ESTALE:
		return MGMT_ABORTED;
	case -EACCES:
		return MGMT_PERMISSION_DENIED;
	case -EBUSY:
	case -EPERM:
	case -ENODEV:
	case -EOPNOTSUPP:
		return MGMT_FAILED_PRECONDITION;
	case -ENOMEM:
	case -ENOSPC:
		return MGMT_RESOURCE_EXHAUSTED;
	case -ETIMEDOUT:
		return MGMT_DEADLINE_EXCEEDED;
	case -ECANCELED:
		return MGMT_CANCELLED;
	case -EAGAIN:
		return MGMT_UNAVAILABLE;
	default:
		return MGMT_INTERNAL;
	}
}

grpc_byte_buffer *mgmt_grpc_pack(const ProtobufCMessage *m)
{
	size_t n = m != NULL ? protobuf_c_message_get_packed_size(m) : 0;
	grpc_slice s = grpc_slice_malloc(n);
	grpc_byte_buffer *bb;

	if (n > 0) {
		protobuf_c_message_pack(m, GRPC_SLICE_START_PTR(s));
	}
	bb = grpc_raw_byte_buffer_create(&s, 1);
	grpc_slice_unref(s);
	return bb;
}

/* The payload as one slice (the caller unrefs), or false. */
bool mgmt_grpc_read_all(grpc_byte_buffer *bb, grpc_slice *out)
{
	grpc_byte_buffer_reader r;

	if (!grpc_byte_buffer_reader_init(&r, bb)) {
		return false;
	}
	*out = grpc_byte_buffer_reader_readall(&r);
	grpc_byte_buffer_reader_destroy(&r);
	return true;
}

char *mgmt_grpc_read_pem(const char *what, const char *path, char *err,
			 size_t errlen)
{
	char e[512], *buf;

	if (mgmt_read_file(path, PEM_MAX, &buf, NULL, e, sizeof(e)) < 0) {
		snprintf(err, errlen, "%s %s", what, e);
		return NULL;
	}
	if (strstr(buf, "-----BEGIN ") == NULL) {
		snprintf(err, errlen, "%s %s: not PEM", what, path);
		free(buf);
		return NULL;
	}
	return buf;
}

void mgmt_grpc_pem_free(char *pem)
{
	if (pem != NULL) {
		explicit_bzero(pem, strlen(pem));
		free(pem);
	}
}

gpr_timespec mgmt_grpc_deadline_in(uint64_t ms)
{
	return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
			    gpr_time_from_millis((int64_t)ms, GPR_TIMESPAN));
}
