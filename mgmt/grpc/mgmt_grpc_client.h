/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MGMT_GRPC_CLIENT_H
#define MGMT_GRPC_CLIENT_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>

#include "mgmt_rpc.h"

/*
 * The gRPC client (fhctl's transport): a channel, unary calls and
 * server-streaming iterators over protobuf-c messages.  Implemented in
 * mgmt_grpc.c, the only file that includes gRPC headers; nothing here is a
 * gRPC type.
 *
 * Every call ends in a struct mgmt_status in the gRPC numbering (enum
 * mgmt_code, 0..16).  What the transport reports itself uses the codes a
 * gRPC client sees: UNAVAILABLE when the server cannot be reached (refused,
 * TLS handshake failed), DEADLINE_EXCEEDED when the timeout passed,
 * INTERNAL for an answer that does not decode as the expected type,
 * RESOURCE_EXHAUSTED when out of memory.
 *
 * Not thread-safe: one thread uses a client and its streams (except
 * mgmt_client_stream_cancel).
 */

struct mgmt_client_params {
	/* "127.0.0.1:50051", "localhost:50051", "[::1]:50051", "unix:PATH" */
	const char *target;
	/* TLS: tls_ca set = TLS with the server's certificate verified
	 * against this CA (its name must match the target's host); with
	 * tls_cert and tls_key the client presents that certificate (mTLS).
	 * All NULL = plaintext.  PEM file paths. */
	const char *tls_ca;
	const char *tls_cert;
	const char *tls_key;
	size_t max_message; /* largest answer in bytes; 0 = 16 MiB */
	/* drop gRPC core's own log lines (a refused handshake logs at error
	 * level) unless GRPC_VERBOSITY is set: the status says it all */
	bool quiet;
};

struct mgmt_client;

/**
 * Open a channel.  Nothing connects yet: an unreachable server shows as
 * UNAVAILABLE on the first call.
 *
 * @return 0; -EINVAL for a missing target, a certificate without its key
 *         (or the reverse), or a PEM file that cannot be read or is not
 *         PEM (detail in err, errlen bytes); -ENOMEM.
 */
int mgmt_client_open(const struct mgmt_client_params *p,
		     struct mgmt_client **out, char *err, size_t errlen);

/* Close the channel.  Streams must be closed first.  Accepts NULL. */
void mgmt_client_close(struct mgmt_client *c);

/**
 * One unary call: send req to path ("/pkg.Service/Method") and wait for
 * the answer, at most timeout_ms (0 = no deadline).
 *
 * @return st->code.  MGMT_OK: *resp is a message of type resp_desc, freed
 *         with protobuf_c_message_free_unpacked(*resp, NULL).  Otherwise
 *         *resp is NULL and st->message holds the status details.
 */
int mgmt_client_unary(struct mgmt_client *c, const char *path,
		      const ProtobufCMessage *req,
		      const ProtobufCMessageDescriptor *resp_desc,
		      unsigned timeout_ms, ProtobufCMessage **resp,
		      struct mgmt_status *st);

struct mgmt_client_stream;

/**
 * Start a server-streaming call: send req to path; the answers are
 * messages of type resp_desc read with mgmt_client_stream_next.
 * timeout_ms bounds the whole stream (0 = until it ends or is
 * cancelled).
 *
 * @return st->code: MGMT_OK with *out (close it with
 *         mgmt_client_stream_close), else a local failure and *out NULL.
 *         Whatever the server answers (errors included) comes through
 *         mgmt_client_stream_next.
 */
int mgmt_client_stream_start(struct mgmt_client *c, const char *path,
			     const ProtobufCMessage *req,
			     const ProtobufCMessageDescriptor *resp_desc,
			     unsigned timeout_ms,
			     struct mgmt_client_stream **out,
			     struct mgmt_status *st);

/**
 * The next message, waiting at most wait_ms (< 0: as long as it takes).
 *
 * @return 1: *msg is the next message (the caller frees it as above);
 *         0: the stream has ended and *st is its final status (MGMT_OK
 *            when the server finished it, CANCELLED after
 *            mgmt_client_stream_cancel); every later call returns 0 again;
 *         -EAGAIN: nothing arrived within wait_ms.
 */
int mgmt_client_stream_next(struct mgmt_client_stream *s, int wait_ms,
			    ProtobufCMessage **msg, struct mgmt_status *st);

/* Ask the stream to end (the server sees the cancellation); the next
 * mgmt_client_stream_next returns 0 with CANCELLED.  Callable from
 * another thread, not from a signal handler. */
void mgmt_client_stream_cancel(struct mgmt_client_stream *s);

/* Cancel the stream if it is still live, wait for core to let go of it
 * and free it.  Accepts NULL. */
void mgmt_client_stream_close(struct mgmt_client_stream *s);

#endif
