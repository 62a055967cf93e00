/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MGMT_GRPC_TRANSPORT_H
#define MGMT_GRPC_TRANSPORT_H

/* Private to mgmt/grpc/: what server.c and client.c share (common.c). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <grpc/byte_buffer.h>
#include <grpc/support/time.h>
#include <protobuf-c/protobuf-c.h>

/* m packed into a new byte buffer (NULL m: the empty message). */
grpc_byte_buffer *mgmt_grpc_pack(const ProtobufCMessage *m);

/* The payload as one slice (the caller unrefs), or false. */
bool mgmt_grpc_read_all(grpc_byte_buffer *bb, grpc_slice *out);

/* A PEM file's text (what: "CA", "certificate", ... for the message in
 * err), NULL on error; free with mgmt_grpc_pem_free (it wipes keys). */
char *mgmt_grpc_read_pem(const char *what, const char *path, char *err,
			 size_t errlen);
void mgmt_grpc_pem_free(char *pem);

/* The monotonic deadline ms milliseconds from now. */
gpr_timespec mgmt_grpc_deadline_in(uint64_t ms);

#endif
