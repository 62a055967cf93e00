/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MGMT_AUDIT_H
#define MGMT_AUDIT_H

#include "mgmt_rpc.h"

/*
 * The audit log: one JSON object per line for every mutating call,
 * allowed or not: {"time" (RFC 3339 UTC, ms), "peer", "identity", "role",
 * "method", "code", "status" (its name), "message"[, "comment"]}.
 * "comment" is the request's string field of that name when it has one
 * (CommitRequest).  Each line is flushed and fsync'd before the reply.
 */

struct mgmt_audit;

/** Open (create, append, mode 0640).  @return 0 or a negative errno. */
int mgmt_audit_open(const char *path, struct mgmt_audit **out);

/* Accepts NULL. */
void mgmt_audit_close(struct mgmt_audit *a);

/**
 * Append one line.  req may be NULL (undecodable request).
 * @return 0; -EIO / -ENOSPC... from the write or fsync; -ENOMEM.
 */
int mgmt_audit_write(struct mgmt_audit *a, const struct mgmt_call_info *ci,
		     const ProtobufCMessage *req, const struct mgmt_status *st);

/* "none", "viewer", "operator", "admin". */
const char *mgmt_role_name(enum mgmt_role r);

/* "OK", "INVALID_ARGUMENT"... (the gRPC names). */
const char *mgmt_code_name(int code);

#endif
