/* SPDX-License-Identifier: Apache-2.0 */
/* The gRPC client (mgmt_grpc_client.h), for fhctl. */
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

/*
 * fhctl's side.  Each call gets a completion queue of its own and the
 * caller's thread waits on it, so calls never see each other's events and
 * no thread of ours runs.  Unary: one batch with all six ops.  Streams:
 * the sends and RECV_STATUS_ON_CLIENT are posted at start, then one
 * RECV_MESSAGE at a time; when a read comes back empty the stream is over
 * and the status batch completes.
 */

#define CLIENT_MAX_MESSAGE (16u << 20)
#define CLIENT_KEEPALIVE_MS 30000 /* long watches behind NAT or firewalls */

struct mgmt_client {
	grpc_channel *ch;
};

static void client_quiet_log(gpr_log_func_args *args)
{
	(void)args;
}

static grpc_channel_credentials *
client_creds(const struct mgmt_client_params *p, char *err, size_t errlen)
{
	grpc_ssl_pem_key_cert_pair pair;
	grpc_channel_credentials *creds = NULL;
	char *ca, *cert = NULL, *key = NULL;

	if (p->tls_ca == NULL) {
		return grpc_insecure_credentials_create();
	}
	ca = mgmt_grpc_read_pem("tls ca", p->tls_ca, err, errlen);
	if (ca == NULL) {
		return NULL;
	}
	if (p->tls_cert != NULL) {
		cert = mgmt_grpc_read_pem("tls cert", p->tls_cert, err, errlen);
		if (cert != NULL) {
			key = mgmt_grpc_read_pem("tls key", p->tls_key, err,
						 errlen);
		}
		if (key == NULL) {
			goto out;
		}
	}
	/* core copies the PEM strings */
	pair.private_key = key;
	pair.cert_chain = cert;
	creds = grpc_ssl_credentials_create(ca, key != NULL ? &pair : NULL,
					    NULL, NULL);
	if (creds == NULL) {
		snprintf(err, errlen, "tls: credentials rejected");
	}
out:
	mgmt_grpc_pem_free(key);
	free(cert);
	free(ca);
	return creds;
}

int mgmt_client_open(const struct mgmt_client_params *p,
		     struct mgmt_client **out, char *err, size_t errlen)
{
	static char dummy[1];
	struct mgmt_client *c;
	grpc_channel_credentials *creds;
	grpc_channel_args args;
	grpc_arg a[3];
	size_t max;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = 0;
	} else {
		err[0] = '\0';
	}
	if (p == NULL || out == NULL || p->target == NULL ||
	    p->target[0] == '\0') {
		snprintf(err, errlen, "grpc: no server address");
		return -EINVAL;
	}
	if ((p->tls_cert == NULL) != (p->tls_key == NULL) ||
	    (p->tls_cert != NULL && p->tls_ca == NULL)) {
		snprintf(err, errlen,
			 "tls: a client certificate needs its "
			 "key and the CA");
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		return -ENOMEM;
	}
	if (p->quiet && getenv("GRPC_VERBOSITY") == NULL) {
		gpr_set_log_function(client_quiet_log);
	}
	grpc_init();
	creds = client_creds(p, err, errlen);
	if (creds == NULL) {
		grpc_shutdown();
		free(c);
		return -EINVAL;
	}
	max = p->max_message ? p->max_message : CLIENT_MAX_MESSAGE;
	memset(a, 0, sizeof(a));
	a[0].type = GRPC_ARG_INTEGER;
	a[0].key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
	a[0].value.integer = max > INT_MAX ? INT_MAX : (int)max;
	a[1].type = GRPC_ARG_INTEGER;
	a[1].key = GRPC_ARG_KEEPALIVE_TIME_MS;
	a[1].value.integer = CLIENT_KEEPALIVE_MS;
	a[2].type = GRPC_ARG_INTEGER;
	a[2].key = GRPC_ARG_KEEPALIVE_TIMEOUT_MS;
	a[2].value.integer = 10000;
	args.num_args = 3;
	args.args = a;
	/* never NULL: a target core cannot use gives a channel whose calls
	 * fail with a status */
	c->ch = grpc_channel_create(p->target, creds, &args);
	grpc_channel_credentials_release(creds);
	*out = c;
	return 0;
}

void mgmt_client_close(struct mgmt_client *c)
{
	if (c == NULL) {
		return;
	}
	grpc_channel_destroy(c->ch);
	grpc_shutdown();
	free(c);
}

static grpc_call *client_call(struct mgmt_client *c, grpc_completion_queue *cq,
			      const char *path, unsigned timeout_ms)
{
	grpc_slice method = grpc_slice_from_copied_string(path);
	grpc_call *call;

	call = grpc_channel_create_call(
		c->ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq, method, NULL,
		timeout_ms ? mgmt_grpc_deadline_in(timeout_ms) :
			     gpr_inf_future(GPR_CLOCK_MONOTONIC),
		NULL);
	grpc_slice_unref(method); /* the call holds its own reference */
	return call;
}

/* After the call's last batch completed and the call was unreffed. */
static void client_cq_destroy(grpc_completion_queue *cq)
{
	grpc_completion_queue_shutdown(cq);
	while (grpc_completion_queue_next(
		       cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL)
		       .type != GRPC_QUEUE_SHUTDOWN) {
	}
	grpc_completion_queue_destroy(cq);
}

static void client_status(struct mgmt_status *st, grpc_status_code code,
			  grpc_slice details)
{
	size_t n = GRPC_SLICE_LENGTH(details);

	if (n >= sizeof(st->message)) {
		n = sizeof(st->message) - 1;
	}
	st->code = (int)code;
	memcpy(st->message, GRPC_SLICE_START_PTR(details), n);
	st->message[n] = '\0';
}

static ProtobufCMessage *client_unpack(const ProtobufCMessageDescriptor *d,
				       grpc_byte_buffer *bb,
				       struct mgmt_status *st)
{
	ProtobufCMessage *m = NULL;
	grpc_slice s;

	if (mgmt_grpc_read_all(bb, &s)) {
		m = protobuf_c_message_unpack(d, NULL, GRPC_SLICE_LENGTH(s),
					      GRPC_SLICE_START_PTR(s));
		grpc_slice_unref(s);
	}
	if (m == NULL) {
		mgmt_status_set(st, MGMT_INTERNAL, "response: cannot decode %s",
				d->name);
	}
	return m;
}

int mgmt_client_unary(struct mgmt_client *c, const char *path,
		      const ProtobufCMessage *req,
		      const ProtobufCMessageDescriptor *resp_desc,
		      unsigned timeout_ms, ProtobufCMessage **resp,
		      struct mgmt_status *st)
{
	grpc_metadata_array md_init, md_trail;
	grpc_byte_buffer *send, *recv = NULL;
	grpc_status_code status = GRPC_STATUS_UNKNOWN;
	grpc_slice details = grpc_empty_slice();
	grpc_completion_queue *cq;
	grpc_call *call;
	grpc_call_error e;
	grpc_op ops[6];
	char tag;

	if (resp != NULL) {
		*resp = NULL;
	}
	if (c == NULL || path == NULL || resp_desc == NULL || resp == NULL) {
		mgmt_status_set(st, MGMT_INVALID_ARGUMENT,
				"client: missing parameters");
		return st->code;
	}
	cq = grpc_completion_queue_create_for_next(NULL);
	call = client_call(c, cq, path, timeout_ms);
	if (call == NULL) {
		client_cq_destroy(cq);
		mgmt_status_set(st, MGMT_INTERNAL, "%s: cannot create the call",
				path);
		return st->code;
	}
	send = mgmt_grpc_pack(req);
	grpc_metadata_array_init(&md_init);
	grpc_metadata_array_init(&md_trail);
	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[1].op = GRPC_OP_SEND_MESSAGE;
	ops[1].data.send_message.send_message = send;
	ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[3].data.recv_initial_metadata.recv_initial_metadata = &md_init;
	ops[4].op = GRPC_OP_RECV_MESSAGE;
	ops[4].data.recv_message.recv_message = &recv;
	ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	ops[5].data.recv_status_on_client.trailing_metadata = &md_trail;
	ops[5].data.recv_status_on_client.status = &status;
	ops[5].data.recv_status_on_client.status_details = &details;
	e = grpc_call_start_batch(call, ops, 6, &tag, NULL);
	if (e != GRPC_CALL_OK) {
		mgmt_status_set(st, MGMT_INTERNAL, "%s: start_batch: %s", path,
				grpc_call_error_to_string(e));
	} else {
		/* the only batch on this queue; the deadline ends it */
		while (grpc_completion_queue_next(
			       cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL)
			       .type != GRPC_OP_COMPLETE) {
		}
		client_status(st, status, details);
		if (st->code == MGMT_OK && recv == NULL) {
			mgmt_status_set(st, MGMT_INTERNAL,
					"response: missing %s",
					resp_desc->name);
		} else if (st->code == MGMT_OK) {
			*resp = client_unpack(resp_desc, recv, st);
		}
	}
	grpc_byte_buffer_destroy(send);
	if (recv != NULL) {
		grpc_byte_buffer_destroy(recv);
	}
	grpc_slice_unref(details);
	grpc_metadata_array_destroy(&md_init);
	grpc_metadata_array_destroy(&md_trail);
	grpc_call_unref(call);
	client_cq_destroy(cq);
	return st->code;
}

enum {
	CS_SEND = 1, /* tags: bits of pending */
	CS_STATUS = 2,
	CS_RECV = 4,
};

struct mgmt_client_stream {
	grpc_completion_queue *cq;
	grpc_call *call;
	const ProtobufCMessageDescriptor *desc;
	grpc_metadata_array md_init, md_trail;
	grpc_byte_buffer *send, *recv;
	grpc_status_code status;
	grpc_slice details;
	char tags[3]; /* their addresses are the tags */
	unsigned pending; /* CS_* posted, not yet completed */
	bool recv_ready; /* the last RECV_MESSAGE completed */
	bool md_asked; /* RECV_INITIAL_METADATA went with the first read */
	bool ended;
	struct mgmt_status local; /* overrides the status when set */
	struct mgmt_status final;
};

static bool cs_post(struct mgmt_client_stream *s, const grpc_op *ops, size_t n,
		    unsigned bit)
{
	void *tag = &s->tags[bit == CS_SEND ? 0 : bit == CS_STATUS ? 1 : 2];
	grpc_call_error e = grpc_call_start_batch(s->call, ops, n, tag, NULL);

	if (e != GRPC_CALL_OK) {
		mgmt_status_set(&s->local, MGMT_INTERNAL, "start_batch: %s",
				grpc_call_error_to_string(e));
		grpc_call_cancel(s->call, NULL);
		return false;
	}
	s->pending |= bit;
	return true;
}

/* Wait for one completion until deadline; false on timeout. */
static bool cs_wait(struct mgmt_client_stream *s, gpr_timespec deadline)
{
	grpc_event ev = grpc_completion_queue_next(s->cq, deadline, NULL);

	if (ev.type != GRPC_OP_COMPLETE) {
		return false;
	}
	if (ev.tag == &s->tags[0]) {
		s->pending &= ~(unsigned)CS_SEND;
	} else if (ev.tag == &s->tags[1]) {
		s->pending &= ~(unsigned)CS_STATUS;
	} else if (ev.tag == &s->tags[2]) {
		s->pending &= ~(unsigned)CS_RECV;
		s->recv_ready = true;
	}
	return true;
}

/* The stream is over: collect its status. */
static void cs_end(struct mgmt_client_stream *s)
{
	while (s->pending & CS_STATUS) {
		cs_wait(s, gpr_inf_future(GPR_CLOCK_MONOTONIC));
	}
	if (s->local.code != MGMT_OK) {
		s->final = s->local;
	} else {
		client_status(&s->final, s->status, s->details);
	}
	s->ended = true;
}

int mgmt_client_stream_start(struct mgmt_client *c, const char *path,
			     const ProtobufCMessage *req,
			     const ProtobufCMessageDescriptor *resp_desc,
			     unsigned timeout_ms,
			     struct mgmt_client_stream **out,
			     struct mgmt_status *st)
{
	struct mgmt_client_stream *s;
	grpc_op ops[3];

	if (out != NULL) {
		*out = NULL;
	}
	if (c == NULL || path == NULL || resp_desc == NULL || out == NULL) {
		mgmt_status_set(st, MGMT_INVALID_ARGUMENT,
				"client: missing parameters");
		return st->code;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
		return st->code;
	}
	s->desc = resp_desc;
	s->details = grpc_empty_slice();
	s->status = GRPC_STATUS_UNKNOWN;
	grpc_metadata_array_init(&s->md_init);
	grpc_metadata_array_init(&s->md_trail);
	s->cq = grpc_completion_queue_create_for_next(NULL);
	s->call = client_call(c, s->cq, path, timeout_ms);
	if (s->call == NULL) {
		mgmt_status_set(st, MGMT_INTERNAL, "%s: cannot create the call",
				path);
		mgmt_client_stream_close(s);
		return st->code;
	}
	s->send = mgmt_grpc_pack(req);
	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[1].op = GRPC_OP_SEND_MESSAGE;
	ops[1].data.send_message.send_message = s->send;
	ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	if (cs_post(s, ops, 3, CS_SEND)) {
		memset(ops, 0, sizeof(ops));
		ops[0].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
		ops[0].data.recv_status_on_client.trailing_metadata =
			&s->md_trail;
		ops[0].data.recv_status_on_client.status = &s->status;
		ops[0].data.recv_status_on_client.status_details = &s->details;
		cs_post(s, ops, 1, CS_STATUS);
	}
	if (s->local.code != MGMT_OK) {
		*st = s->local;
		mgmt_client_stream_close(s);
		return st->code;
	}
	st->code = MGMT_OK;
	st->message[0] = '\0';
	*out = s;
	return MGMT_OK;
}

int mgmt_client_stream_next(struct mgmt_client_stream *s, int wait_ms,
			    ProtobufCMessage **msg, struct mgmt_status *st)
{
	gpr_timespec deadline =
		wait_ms < 0 ? gpr_inf_future(GPR_CLOCK_MONOTONIC) :
			      mgmt_grpc_deadline_in((uint64_t)wait_ms);
	grpc_byte_buffer *bb;

	*msg = NULL;
	if (s->ended) {
		*st = s->final;
		return 0;
	}
	if (!(s->pending & CS_RECV) && !s->recv_ready) {
		grpc_op ops[2];
		size_t n = 0;

		memset(ops, 0, sizeof(ops));
		if (!s->md_asked) {
			ops[n].op = GRPC_OP_RECV_INITIAL_METADATA;
			ops[n++].data.recv_initial_metadata
				.recv_initial_metadata = &s->md_init;
			s->md_asked = true;
		}
		ops[n].op = GRPC_OP_RECV_MESSAGE;
		ops[n++].data.recv_message.recv_message = &s->recv;
		if (!cs_post(s, ops, n, CS_RECV)) {
			cs_end(s);
			*st = s->final;
			return 0;
		}
	}
	while (!s->recv_ready) {
		if (!cs_wait(s, deadline)) {
			return -EAGAIN;
		}
	}
	s->recv_ready = false;
	bb = s->recv;
	s->recv = NULL;
	if (bb != NULL) {
		*msg = client_unpack(s->desc, bb, &s->local);
		grpc_byte_buffer_destroy(bb);
		if (*msg != NULL) {
			return 1;
		}
		grpc_call_cancel(s->call, NULL); /* an answer we cannot read */
	}
	cs_end(s);
	*st = s->final;
	return 0;
}

void mgmt_client_stream_cancel(struct mgmt_client_stream *s)
{
	if (s != NULL && s->call != NULL) {
		grpc_call_cancel(s->call, NULL);
	}
}

void mgmt_client_stream_close(struct mgmt_client_stream *s)
{
	if (s == NULL) {
		return;
	}
	if (s->call != NULL) {
		if (s->pending != 0) {
			grpc_call_cancel(s->call, NULL);
		}
		while (s->pending != 0) {
			cs_wait(s, gpr_inf_future(GPR_CLOCK_MONOTONIC));
		}
		grpc_call_unref(s->call);
	}
	if (s->send != NULL) {
		grpc_byte_buffer_destroy(s->send);
	}
	if (s->recv != NULL) {
		grpc_byte_buffer_destroy(s->recv);
	}
	grpc_slice_unref(s->details);
	grpc_metadata_array_destroy(&s->md_init);
	grpc_metadata_array_destroy(&s->md_trail);
	client_cq_destroy(s->cq);
	free(s);
}
