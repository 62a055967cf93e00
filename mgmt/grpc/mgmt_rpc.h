/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MGMT_RPC_H
#define MGMT_RPC_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mgmt_util.h"

/*
 * The contract between the gRPC transport (mgmt_grpc.c, the only file that
 * includes gRPC headers) and the services (mgmt_api.c).  Services see
 * protobuf-c messages, a caller identity and a status: no gRPC type.
 *
 * Ownership: a handler allocates its response with the system allocator
 * (malloc/calloc/strdup for every string, array and sub-message) so the
 * transport can pack it and release it with
 * protobuf_c_message_free_unpacked(resp, NULL).  Requests belong to the
 * transport and are valid only during the call.
 */

/* Status codes: the gRPC numbering. */
enum mgmt_code {
	MGMT_OK = 0,
	MGMT_CANCELLED = 1,
	MGMT_UNKNOWN = 2,
	MGMT_INVALID_ARGUMENT = 3,
	MGMT_DEADLINE_EXCEEDED = 4,
	MGMT_NOT_FOUND = 5,
	MGMT_ALREADY_EXISTS = 6,
	MGMT_PERMISSION_DENIED = 7,
	MGMT_RESOURCE_EXHAUSTED = 8,
	MGMT_FAILED_PRECONDITION = 9,
	MGMT_ABORTED = 10,
	MGMT_OUT_OF_RANGE = 11,
	MGMT_UNIMPLEMENTED = 12,
	MGMT_INTERNAL = 13,
	MGMT_UNAVAILABLE = 14,
};

enum mgmt_role {
	MGMT_ROLE_NONE = 0,
	MGMT_ROLE_VIEWER = 1, /* read only */
	MGMT_ROLE_OPERATOR = 2, /* + flows, ports, commits */
	MGMT_ROLE_ADMIN = 3, /* + rollback, save, everything */
};

struct mgmt_status {
	int code; /* enum mgmt_code */
	char message[512];
};

/* Who is calling. */
struct mgmt_call_info {
	const char *method; /* "/fhswitch.v1.Config/Commit" */
	const char *peer; /* "ipv4:127.0.0.1:51234" */
	const char *identity; /* certificate CN or SAN; "" without TLS */
	enum mgmt_role role;
};

/* Set st to code (a gRPC status) with a printf-style message; returns
 * code.  The transport's and the client's. */
int mgmt_status_set(struct mgmt_status *st, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The gRPC status for a handler's 0 / -errno: -EINVAL INVALID_ARGUMENT,
 * -ENOENT NOT_FOUND, -EEXIST ALREADY_EXISTS, -ESTALE ABORTED, -EACCES
 * PERMISSION_DENIED, -EBUSY/-EPERM/-ENODEV/-EOPNOTSUPP FAILED_PRECONDITION,
 * -ENOMEM/-ENOSPC RESOURCE_EXHAUSTED, -ETIMEDOUT DEADLINE_EXCEEDED,
 * -ECANCELED CANCELLED, -EAGAIN UNAVAILABLE, anything else INTERNAL. */
int mgmt_code_from_errno(int err);

/*
 * Handlers report failure as 0 / -errno plus a message (struct
 * mgmt_error, mgmt_util.h); the transport turns the errno into the gRPC
 * status, in one place (mgmt_code_from_errno).
 */
typedef void (*mgmt_unary_fn)(void *svc, const struct mgmt_call_info *ci,
			      const ProtobufCMessage *req,
			      ProtobufCMessage **resp, struct mgmt_error *st);

/*
 * Server streaming, driven by the transport's thread:
 *  start: validate the request, allocate per-call state (*state); a non-OK
 *         status ends the call at once.
 *  next:  return 1 with *msg (malloc'd as above) to send it now; 0 when
 *         nothing is due yet (*wait_ms: poll again no later than this);
 *         -1 to end the stream with *st.  Never blocks.
 *  free:  release the state (the call ended or the client went away).
 */
struct mgmt_stream_ops {
	int (*start)(void *svc, const struct mgmt_call_info *ci,
		     const ProtobufCMessage *req, void **state,
		     struct mgmt_error *st);
	int (*next)(void *svc, void *state, ProtobufCMessage **msg,
		    uint32_t *wait_ms, struct mgmt_error *st);
	void (*free)(void *svc, void *state);
};

struct mgmt_method {
	const char *path; /* "/package.Service/Method" */
	const ProtobufCMessageDescriptor *req;
	enum mgmt_role min_role; /* else PERMISSION_DENIED */
	bool mutating; /* audited */
	mgmt_unary_fn unary; /* exactly one of unary / stream */
	const struct mgmt_stream_ops *stream;
};

/* Role bindings: an identity (CN or SAN value) and its role. */
struct mgmt_role_binding {
	char identity[128];
	enum mgmt_role role;
};

struct mgmt_grpc_params {
	const char *addr; /* "127.0.0.1:50051" */
	/* TLS: all three PEM file paths set = TLS with client certificates
	 * required and verified (mTLS); all NULL = plaintext */
	const char *tls_ca;
	const char *tls_cert;
	const char *tls_key;
	/* plaintext callers get this role (default admin: the listener is
	 * on loopback unless told otherwise) */
	enum mgmt_role plaintext_role;
	/* mTLS: identities not bound here get MGMT_ROLE_NONE (every call
	 * PERMISSION_DENIED); the binding list can change at run time with
	 * mgmt_grpc_set_roles */
	const struct mgmt_role_binding *roles;
	size_t n_roles;
	const char *audit_path; /* JSON lines; NULL = no audit log */
	size_t max_message; /* bytes; 0 = 4 MiB */
	const struct mgmt_method *methods;
	size_t n_methods;
	void *svc; /* passed to every handler */
	/* grpc.health.v1: true while the data path forwards */
	bool (*serving)(void *svc);
	/* serialized FileDescriptorSet (protoc --include_imports) served by
	 * grpc.reflection.v1 and v1alpha */
	const uint8_t *descriptor_set;
	size_t descriptor_set_len;
};

struct mgmt_grpc;

/*
 * Bind and start serving on a thread of its own (never a forwarding
 * lcore).  @return 0; -EADDRINUSE / -EINVAL (bad address, unreadable PEM
 * files: detail in err); -ENOMEM.
 */
int mgmt_grpc_start(const struct mgmt_grpc_params *p, struct mgmt_grpc **out,
		    char *err, size_t errlen);

/* Replace the role bindings (copied). */
void mgmt_grpc_set_roles(struct mgmt_grpc *g,
			 const struct mgmt_role_binding *roles, size_t n);

/* Tell health watchers the serving state may have changed. */
void mgmt_grpc_health_changed(struct mgmt_grpc *g);

/* Shut down: cancel live streams, stop the thread, free.  Accepts NULL. */
void mgmt_grpc_stop(struct mgmt_grpc *g);

/* The bound port (useful with "127.0.0.1:0"). */
int mgmt_grpc_port(const struct mgmt_grpc *g);

#endif
