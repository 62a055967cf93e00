/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The gRPC transport: the only file that includes gRPC headers (GRPC.md).
 *
 * One thread owns the completion queue.  It accepts calls, unpacks
 * requests, checks roles, runs the handlers of mgmt_rpc.h, drives server
 * streams, answers health and reflection and audits mutations.  Every tag
 * on the queue is a struct mg_tag whose done() runs on that thread, so
 * call state is never shared with another thread; only the role table
 * (mutex) and the stop / health flags (atomics) are.
 *
 * The client side (mgmt_grpc_client.h, for fhctl) is client.c: it shares
 * only helpers with the server (common.c: byte buffers, PEM files,
 * status, deadlines).
 */
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

#define REQS_PER_METHOD 2 /* calls accepted at once per method */
#define TICK_MS 50 /* longest wait: stop and health changes */
#define GRACE_MS 1000 /* after shutdown, before cancelling calls */
#define DEFAULT_MAX_MESSAGE (4u << 20)
/* v1alpha has the same wire format */
#define REFLECT_REQ &grpc__reflection__v1__server_reflection_request__descriptor

#define container_of(p, T, m) ((T *)((char *)(p)-offsetof(T, m)))

struct mgmt_grpc;

/* Every tag on the queue. */
struct mg_tag {
	void (*done)(struct mgmt_grpc *g, struct mg_tag *t, bool ok);
};

enum mg_kind {
	MG_UNARY,
	MG_STREAM, /* server streaming: mgmt_stream_ops */
	MG_REFLECT, /* bidi: grpc.reflection v1 and v1alpha */
};

struct mg_method {
	char *path;
	const ProtobufCMessageDescriptor *req;
	enum mgmt_role min_role;
	bool mutating;
	mgmt_unary_fn unary;
	const struct mgmt_stream_ops *stream;
	void *svc;
	enum mg_kind kind;
	bool health; /* re-run next() on mgmt_grpc_health_changed */
	void *handle;
};

/* One posted grpc_server_request_(registered_)call; reposted on use. */
struct mg_request {
	struct mg_tag tag;
	struct mg_method *method; /* NULL: any unregistered method */
	grpc_call *call;
	gpr_timespec deadline;
	grpc_metadata_array md;
	grpc_byte_buffer *payload;
	grpc_call_details details;
};

struct mg_call {
	struct mg_call *prev, *next;
	struct mgmt_grpc *g;
	const struct mg_method *method; /* NULL: unimplemented */
	grpc_call *call;
	unsigned refs; /* batches in flight */
	struct mg_tag t_close, t_recv, t_send, t_status;
	int cancelled;
	bool md_sent, closed, send_busy, status_sent, started;
	grpc_byte_buffer *recv_buf;
	grpc_byte_buffer *send_buf;
	grpc_slice details;
	bool has_details;
	void *state; /* mgmt_stream_ops */
	uint64_t due_ms;
	unsigned health_gen;
	char *path;
	char *peer;
	char identity[128];
	enum mgmt_role role;
	struct mgmt_call_info ci;
};

struct mgmt_grpc {
	grpc_server *srv;
	grpc_completion_queue *cq;
	pthread_t thread;
	int port;
	bool tls;
	bool grpc_inited;
	bool started;
	enum mgmt_role plaintext_role;
	size_t max_message;
	struct mg_method *methods;
	size_t n_methods;
	char **services;
	size_t n_services;
	struct mgmt_health health; /* svc of the health methods */
	struct mgmt_reflect *reflect;
	struct mgmt_audit *audit;
	bool audit_failed;

	pthread_mutex_t roles_lock;
	struct mgmt_role_binding *roles;
	size_t n_roles;

	atomic_uint health_gen;
	atomic_bool stop;

	/* owned by the thread */
	struct mg_call *calls;
	size_t n_requests;
	struct mg_tag t_shutdown;
	bool shutting_down, shutdown_done, cancelled_all, cq_down;
	uint64_t shutdown_at;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- messages <-> byte buffers ------------------------------------------- */

static ProtobufCMessage *unpack(const ProtobufCMessageDescriptor *d,
				grpc_byte_buffer *bb, struct mgmt_status *st)
{
	ProtobufCMessage *m = NULL;
	grpc_slice s;

	if (bb == NULL) {
		mgmt_status_set(st, MGMT_INVALID_ARGUMENT,
				"request: missing %s", d->name);
		return NULL;
	}
	char path[192];
	bool nul = false;

	if (mgmt_grpc_read_all(bb, &s)) {
		m = protobuf_c_message_unpack(d, NULL, GRPC_SLICE_LENGTH(s),
					      GRPC_SLICE_START_PTR(s));
		/* protobuf-c cuts a string at a NUL without notice */
		nul = m != NULL && mgmt_pb_check_nul(d, GRPC_SLICE_START_PTR(s),
						     GRPC_SLICE_LENGTH(s), path,
						     sizeof(path)) == -EILSEQ;
		grpc_slice_unref(s);
	}
	if (m == NULL) {
		mgmt_status_set(st, MGMT_INVALID_ARGUMENT,
				"request: cannot decode %s", d->name);
		return NULL;
	}
	if (nul) {
		mgmt_status_set(st, MGMT_INVALID_ARGUMENT,
				"%s: contains a NUL byte", path);
	} else if (mgmt_pb_check_utf8(m, path, sizeof(path)) < 0) {
		/* proto3 strings are UTF-8; protobuf-c does not check */
		mgmt_status_set(st, MGMT_INVALID_ARGUMENT,
				"%s: not valid UTF-8", path);
	} else {
		return m;
	}
	protobuf_c_message_free_unpacked(m, NULL);
	return NULL;
}

/* ---- identity, roles, audit ---------------------------------------------- */

static enum mgmt_role role_of(struct mgmt_grpc *g, const char *id)
{
	enum mgmt_role r = MGMT_ROLE_NONE;

	pthread_mutex_lock(&g->roles_lock);
	for (size_t i = 0; i < g->n_roles; i++) {
		if (strcmp(g->roles[i].identity, id) == 0 &&
		    g->roles[i].role > r) {
			r = g->roles[i].role;
		}
	}
	pthread_mutex_unlock(&g->roles_lock);
	return r;
}

/* mTLS: the certificate's CN and SAN values; the role is the highest
 * bound to any of them, the identity the value that earned it (else the
 * CN). */
static void identify(struct mg_call *c)
{
	static const char *const props[] = {GRPC_X509_CN_PROPERTY_NAME,
					    GRPC_X509_SAN_PROPERTY_NAME};
	struct mgmt_grpc *g = c->g;
	grpc_auth_context *ctx;

	c->identity[0] = '\0';
	if (!g->tls) {
		c->role = g->plaintext_role;
		return;
	}
	c->role = MGMT_ROLE_NONE;
	ctx = grpc_call_auth_context(c->call);
	if (ctx == NULL) {
		return;
	}
	for (size_t i = 0; i < 2; i++) {
		grpc_auth_property_iterator it =
			grpc_auth_context_find_properties_by_name(ctx,
								  props[i]);
		const grpc_auth_property *p;

		while ((p = grpc_auth_property_iterator_next(&it)) != NULL) {
			char v[sizeof(c->identity)];
			enum mgmt_role r;

			/* too long or with a NUL inside: matches nothing */
			if (p->value == NULL || p->value_length >= sizeof(v) ||
			    memchr(p->value, '\0', p->value_length) != NULL) {
				continue;
			}
			memcpy(v, p->value, p->value_length);
			v[p->value_length] = '\0';
			r = role_of(g, v);
			if (c->identity[0] == '\0' || r > c->role) {
				memcpy(c->identity, v, p->value_length + 1);
			}
			if (r > c->role) {
				c->role = r;
			}
		}
	}
	grpc_auth_context_release(ctx);
}

static bool authorize(const struct mg_call *c, struct mgmt_status *st)
{
	if (c->role >= c->method->min_role) {
		return true;
	}
	mgmt_status_set(
		st, MGMT_PERMISSION_DENIED, "%s: %s%s%s has role %s, needs %s",
		c->ci.method, c->g->tls ? "identity \"" : "plaintext caller",
		c->g->tls ? c->identity : "", c->g->tls ? "\"" : "",
		mgmt_role_name(c->role), mgmt_role_name(c->method->min_role));
	return false;
}

/* One line per mutating call, written through before the reply. */
static void audit(struct mg_call *c, const ProtobufCMessage *req,
		  const struct mgmt_status *st)
{
	struct mgmt_grpc *g = c->g;
	int ret;

	if (g->audit == NULL) {
		return;
	}
	ret = mgmt_audit_write(g->audit, &c->ci, req, st);
	if (ret < 0 && !g->audit_failed) {
		MGMT_LOG(ERR, "audit log: %s", strerror(-ret));
	}
	g->audit_failed = ret < 0;
}

/* ---- calls --------------------------------------------------------------- */

static void on_close(struct mgmt_grpc *g, struct mg_tag *t, bool ok);
static void on_recv(struct mgmt_grpc *g, struct mg_tag *t, bool ok);
static void on_send(struct mgmt_grpc *g, struct mg_tag *t, bool ok);
static void on_status(struct mgmt_grpc *g, struct mg_tag *t, bool ok);

static struct mg_call *call_new(struct mgmt_grpc *g, const struct mg_method *m,
				grpc_call *call, char *path)
{
	struct mg_call *c = calloc(1, sizeof(*c));
	char *peer;

	if (c == NULL) {
		free(path);
		grpc_call_cancel_with_status(call,
					     GRPC_STATUS_RESOURCE_EXHAUSTED,
					     "out of memory", NULL);
		grpc_call_unref(call);
		return NULL;
	}
	c->g = g;
	c->method = m;
	c->call = call;
	c->path = path;
	c->t_close.done = on_close;
	c->t_recv.done = on_recv;
	c->t_send.done = on_send;
	c->t_status.done = on_status;
	peer = grpc_call_get_peer(call);
	c->peer = strdup(peer != NULL ? peer : "");
	gpr_free(peer);
	identify(c);
	c->ci.method = m != NULL ? m->path : (path != NULL ? path : "");
	c->ci.peer = c->peer != NULL ? c->peer : "";
	c->ci.identity = c->identity;
	c->ci.role = c->role;
	c->next = g->calls;
	if (g->calls != NULL) {
		g->calls->prev = c;
	}
	g->calls = c;
	return c;
}

static void call_destroy(struct mg_call *c)
{
	struct mgmt_grpc *g = c->g;

	if (c->started && c->method->stream->free != NULL) {
		c->method->stream->free(c->method->svc, c->state);
	}
	if (c->prev != NULL) {
		c->prev->next = c->next;
	} else {
		g->calls = c->next;
	}
	if (c->next != NULL) {
		c->next->prev = c->prev;
	}
	if (c->recv_buf != NULL) {
		grpc_byte_buffer_destroy(c->recv_buf);
	}
	if (c->send_buf != NULL) {
		grpc_byte_buffer_destroy(c->send_buf);
	}
	if (c->has_details) {
		grpc_slice_unref(c->details);
	}
	grpc_call_unref(c->call);
	free(c->path);
	free(c->peer);
	free(c);
}

/* Drop the call once no batch is in flight. */
static void call_put(struct mg_call *c)
{
	if (c->refs == 0) {
		call_destroy(c);
	}
}

static bool call_batch(struct mg_call *c, const grpc_op *ops, size_t n,
		       struct mg_tag *tag)
{
	grpc_call_error e = grpc_call_start_batch(c->call, ops, n, tag, NULL);

	if (e != GRPC_CALL_OK) {
		/* cancelling completes whatever is posted (the close), so
		 * the call is still freed */
		MGMT_LOG(ERR, "%s: start_batch: %s", c->ci.method,
			 grpc_call_error_to_string(e));
		grpc_call_cancel(c->call, NULL);
		return false;
	}
	c->refs++;
	return true;
}

/* One SEND_MESSAGE (the only one in flight); takes bb. */
static void call_send_msg(struct mg_call *c, grpc_byte_buffer *bb)
{
	grpc_op op;

	memset(&op, 0, sizeof(op));
	op.op = GRPC_OP_SEND_MESSAGE;
	op.data.send_message.send_message = bb;
	c->send_buf = bb;
	c->send_busy = call_batch(c, &op, 1, &c->t_send);
	if (!c->send_busy) {
		grpc_byte_buffer_destroy(bb);
		c->send_buf = NULL;
	}
}

/* Fill ops with [initial metadata] + status for a final answer; returns
 * how many were filled. */
static size_t status_ops(struct mg_call *c, grpc_op *ops, int code,
			 const char *msg)
{
	size_t n = 0;

	if (!c->md_sent) {
		ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
		c->md_sent = true;
	}
	if (c->has_details) {
		grpc_slice_unref(c->details);
	}
	c->details = grpc_slice_from_copied_string(msg != NULL ? msg : "");
	c->has_details = true;
	ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	ops[n].data.send_status_from_server.status = (grpc_status_code)code;
	ops[n].data.send_status_from_server.status_details = &c->details;
	n++;
	c->status_sent = true;
	return n;
}

/* End a stream that has its RECV_CLOSE_ON_SERVER posted. */
static void call_send_status(struct mg_call *c, int code, const char *msg)
{
	grpc_op ops[2];
	size_t n;

	memset(ops, 0, sizeof(ops));
	n = status_ops(c, ops, code, msg);
	call_batch(c, ops, n, &c->t_status);
}

/* One batch: [metadata] + [message] + status + close; for unary calls
 * and for calls refused before their stream began. */
static void call_finish(struct mg_call *c, grpc_byte_buffer *msg, int code,
			const char *text)
{
	grpc_op ops[4];
	size_t n;

	memset(ops, 0, sizeof(ops));
	n = 0;
	if (!c->md_sent) {
		ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
		c->md_sent = true;
	}
	if (msg != NULL) {
		c->send_buf = msg;
		ops[n].op = GRPC_OP_SEND_MESSAGE;
		ops[n++].data.send_message.send_message = msg;
	}
	n += status_ops(c, &ops[n], code, text);
	ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	ops[n++].data.recv_close_on_server.cancelled = &c->cancelled;
	call_batch(c, ops, n, &c->t_status);
}

static void on_status(struct mgmt_grpc *g, struct mg_tag *t, bool ok)
{
	struct mg_call *c = container_of(t, struct mg_call, t_status);

	(void)g;
	(void)ok;
	c->refs--;
	call_put(c);
}

static void on_close(struct mgmt_grpc *g, struct mg_tag *t, bool ok)
{
	struct mg_call *c = container_of(t, struct mg_call, t_close);

	(void)g;
	(void)ok;
	c->closed = true; /* finished or the client went away */
	c->refs--;
	call_put(c);
}

/* ---- unary --------------------------------------------------------------- */

/* A handler's result as the call's status: the one errno -> gRPC map. */
static void status_from(struct mgmt_status *st, const struct mgmt_error *e)
{
	if (e->err != 0) {
		mgmt_status_set(st, mgmt_code_from_errno(e->err), "%s",
				e->message);
	}
}

static void unary_run(struct mg_call *c, grpc_byte_buffer *payload)
{
	const struct mg_method *m = c->method;
	struct mgmt_status st = {.code = MGMT_OK};
	ProtobufCMessage *req, *resp = NULL;
	grpc_byte_buffer *out = NULL;

	if (payload == NULL && grpc_call_failed_before_recv_message(c->call)) {
		/* core already failed it (oversize message, reset): the
		 * client has its status, nothing ran, nothing to audit */
		call_finish(c, NULL, MGMT_CANCELLED, "");
		return;
	}
	req = unpack(m->req, payload, &st);
	if (req != NULL && authorize(c, &st)) {
		struct mgmt_error e = {.err = 0};

		m->unary(m->svc, &c->ci, req, &resp, &e);
		status_from(&st, &e);
		if (st.code == MGMT_OK) {
			out = mgmt_grpc_pack(
				resp); /* NULL resp: the empty message */
		}
	}
	if (resp != NULL) {
		protobuf_c_message_free_unpacked(resp, NULL);
	}
	if (m->mutating) {
		audit(c, req, &st);
	}
	if (req != NULL) {
		protobuf_c_message_free_unpacked(req, NULL);
	}
	call_finish(c, out, st.code, st.message);
}

/* ---- server streams ------------------------------------------------------ */

/* RECV_CLOSE_ON_SERVER first (tells us when the client goes away), then
 * initial metadata with the first read. */
static void stream_begin(struct mg_call *c)
{
	grpc_op ops[2];
	struct mgmt_status st = {.code = MGMT_OK};

	if (!authorize(c, &st)) {
		if (c->method->mutating) {
			audit(c, NULL, &st);
		}
		call_finish(c, NULL, st.code, st.message);
		return;
	}
	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	ops[0].data.recv_close_on_server.cancelled = &c->cancelled;
	if (!call_batch(c, ops, 1, &c->t_close)) {
		return;
	}
	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[1].op = GRPC_OP_RECV_MESSAGE;
	ops[1].data.recv_message.recv_message = &c->recv_buf;
	c->md_sent = true;
	call_batch(c, ops, 2, &c->t_recv);
}

static void stream_start(struct mg_call *c, grpc_byte_buffer *bb)
{
	const struct mg_method *m = c->method;
	struct mgmt_status st = {.code = MGMT_OK};
	ProtobufCMessage *req;
	void *state = NULL;

	req = unpack(m->req, bb, &st);
	if (req != NULL) {
		struct mgmt_error e = {.err = 0};
		int ret = m->stream->start(m->svc, &c->ci, req, &state, &e);

		status_from(&st, &e);
		if (ret != 0 && st.code == MGMT_OK) {
			mgmt_status_set(&st, MGMT_INTERNAL,
					"%s: start failed (%d)", c->ci.method,
					ret);
		}
	}
	if (m->mutating) {
		audit(c, req, &st);
	}
	if (req != NULL) {
		protobuf_c_message_free_unpacked(req, NULL);
	}
	if (st.code != MGMT_OK) {
		if (state != NULL && m->stream->free != NULL) {
			m->stream->free(m->svc, state);
		}
		call_send_status(c, st.code, st.message);
		return;
	}
	c->state = state;
	c->started = true;
	c->due_ms = 0; /* the first next() runs on this loop turn */
}

/* One step of a started stream: at most one SEND_MESSAGE in flight. */
static void stream_pump(struct mg_call *c, uint64_t now, uint64_t *due)
{
	const struct mg_method *m = c->method;
	struct mgmt_error e = {.err = 0};
	ProtobufCMessage *msg = NULL;
	uint32_t wait = MGMT_HEALTH_POLL_MS;
	unsigned gen;
	int r;

	if (m->health) {
		gen = atomic_load(&c->g->health_gen);
		if (gen != c->health_gen) {
			c->health_gen = gen;
			c->due_ms = now;
		}
	}
	if (c->due_ms > now) {
		if (c->due_ms < *due) {
			*due = c->due_ms;
		}
		return;
	}
	r = m->stream->next(m->svc, c->state, &msg, &wait, &e);
	if (r > 0 && msg != NULL) {
		grpc_byte_buffer *bb = mgmt_grpc_pack(msg);

		protobuf_c_message_free_unpacked(msg, NULL);
		call_send_msg(c, bb);
		return;
	}
	if (msg != NULL) {
		protobuf_c_message_free_unpacked(msg, NULL);
	}
	if (r < 0) {
		call_send_status(c, mgmt_code_from_errno(e.err), e.message);
		return;
	}
	c->due_ms = now + wait;
	if (c->due_ms < *due) {
		*due = c->due_ms;
	}
}

/* ---- reflection ---------------------------------------------------------- */

static void reflect_answer(struct mg_call *c, grpc_byte_buffer *bb)
{
	uint8_t *out = NULL;
	size_t outlen = 0;
	grpc_byte_buffer *bb_out;
	grpc_slice s;
	int ret = -EINVAL;

	if (bb == NULL) { /* the client half-closed */
		call_send_status(c, MGMT_OK, "");
		return;
	}
	if (mgmt_grpc_read_all(bb, &s)) {
		ret = mgmt_reflect_answer(c->g->reflect,
					  GRPC_SLICE_START_PTR(s),
					  GRPC_SLICE_LENGTH(s), &out, &outlen);
		grpc_slice_unref(s);
	}
	if (ret < 0) {
		call_send_status(
			c,
			ret == -EINVAL ? MGMT_INVALID_ARGUMENT :
					 MGMT_RESOURCE_EXHAUSTED,
			ret == -EINVAL ?
				"request: cannot decode "
				"grpc.reflection.v1.ServerReflectionRequest" :
				"out of memory");
		return;
	}
	s = grpc_slice_new(out, outlen, free); /* takes out */
	bb_out = grpc_raw_byte_buffer_create(&s, 1);
	grpc_slice_unref(s);
	call_send_msg(c, bb_out);
}

static void reflect_read(struct mg_call *c)
{
	grpc_op op;

	memset(&op, 0, sizeof(op));
	op.op = GRPC_OP_RECV_MESSAGE;
	op.data.recv_message.recv_message = &c->recv_buf;
	call_batch(c, &op, 1, &c->t_recv);
}

static void on_recv(struct mgmt_grpc *g, struct mg_tag *t, bool ok)
{
	struct mg_call *c = container_of(t, struct mg_call, t_recv);
	grpc_byte_buffer *bb = c->recv_buf;

	(void)g;
	c->recv_buf = NULL;
	c->refs--;
	if (ok && !c->closed && !c->status_sent) {
		if (c->method->kind == MG_REFLECT) {
			reflect_answer(c, bb);
		} else {
			stream_start(c, bb);
		}
	}
	if (bb != NULL) {
		grpc_byte_buffer_destroy(bb);
	}
	call_put(c);
}

static void on_send(struct mgmt_grpc *g, struct mg_tag *t, bool ok)
{
	struct mg_call *c = container_of(t, struct mg_call, t_send);

	(void)g;
	c->refs--;
	c->send_busy = false;
	grpc_byte_buffer_destroy(c->send_buf);
	c->send_buf = NULL;
	if (ok && !c->closed && !c->status_sent) {
		if (c->method->kind == MG_REFLECT) {
			reflect_read(c);
		} else {
			c->due_ms = 0; /* ask next() again at once */
		}
	}
	call_put(c);
}

/* Streams are driven from the loop: send what next() has, end streams
 * on shutdown.  *due: when the loop must look again. */
static void drive(struct mgmt_grpc *g, uint64_t now, uint64_t *due)
{
	for (struct mg_call *c = g->calls; c != NULL; c = c->next) {
		if (c->method == NULL || c->method->kind == MG_UNARY ||
		    c->closed || c->status_sent || c->send_busy) {
			continue;
		}
		if (g->shutting_down) {
			if (c->md_sent) {
				call_send_status(c, MGMT_UNAVAILABLE,
						 "server shutting down");
			}
			continue;
		}
		if (c->method->kind == MG_STREAM && c->started) {
			stream_pump(c, now, due);
		}
	}
}

/* ---- accepting calls ----------------------------------------------------- */

static void on_request(struct mgmt_grpc *g, struct mg_tag *t, bool ok);

static void request_post(struct mgmt_grpc *g, struct mg_request *rq)
{
	grpc_call_error e;

	rq->call = NULL;
	rq->payload = NULL;
	rq->tag.done = on_request;
	grpc_metadata_array_init(&rq->md);
	if (rq->method != NULL) {
		e = grpc_server_request_registered_call(
			g->srv, rq->method->handle, &rq->call, &rq->deadline,
			&rq->md,
			rq->method->kind == MG_UNARY ? &rq->payload : NULL,
			g->cq, g->cq, &rq->tag);
	} else {
		grpc_call_details_init(&rq->details);
		e = grpc_server_request_call(g->srv, &rq->call, &rq->details,
					     &rq->md, g->cq, g->cq, &rq->tag);
	}
	if (e != GRPC_CALL_OK) {
		MGMT_LOG(ERR, "grpc: request_call %s: %s",
			 rq->method != NULL ? rq->method->path : "(any)",
			 grpc_call_error_to_string(e));
		grpc_metadata_array_destroy(&rq->md);
		if (rq->method == NULL) {
			grpc_call_details_destroy(&rq->details);
		}
		free(rq);
		return;
	}
	g->n_requests++;
}

static int requests_post(struct mgmt_grpc *g, struct mg_method *m)
{
	for (int i = 0; i < REQS_PER_METHOD; i++) {
		struct mg_request *rq = calloc(1, sizeof(*rq));

		if (rq == NULL) {
			return -ENOMEM;
		}
		rq->method = m;
		request_post(g, rq);
	}
	return 0;
}

static void on_request(struct mgmt_grpc *g, struct mg_tag *t, bool ok)
{
	struct mg_request *rq = container_of(t, struct mg_request, tag);
	struct mg_method *m = rq->method;
	grpc_call *call = rq->call;
	grpc_byte_buffer *payload = rq->payload;
	char *path = NULL;
	struct mg_call *c;

	g->n_requests--;
	if (ok && m == NULL) {
		char *s = grpc_slice_to_c_string(rq->details.method);

		path = strdup(s);
		gpr_free(s);
		grpc_call_details_destroy(&rq->details);
	} else if (m == NULL) {
		grpc_call_details_destroy(&rq->details);
	}
	grpc_metadata_array_destroy(&rq->md);
	/* re-arm before the work: core hands out one call per request */
	if (ok && !g->shutting_down) {
		request_post(g, rq);
	} else {
		free(rq);
	}
	if (!ok) {
		if (call != NULL) {
			grpc_call_unref(call);
		}
		return;
	}
	c = call_new(g, m, call, path);
	if (c == NULL) {
		if (payload != NULL) {
			grpc_byte_buffer_destroy(payload);
		}
		return;
	}
	if (m == NULL) {
		char msg[300];

		snprintf(msg, sizeof(msg), "unknown method %.256s",
			 c->ci.method);
		call_finish(c, NULL, MGMT_UNIMPLEMENTED, msg);
	} else if (m->kind == MG_UNARY) {
		unary_run(c, payload);
	} else {
		stream_begin(c);
	}
	if (payload != NULL) {
		grpc_byte_buffer_destroy(payload);
	}
	call_put(c);
}

/* ---- the thread ---------------------------------------------------------- */

static void on_shutdown(struct mgmt_grpc *g, struct mg_tag *t, bool ok)
{
	(void)t;
	(void)ok;
	g->shutdown_done = true;
}

/* Serve until stop, then GRPC.md's shutdown: shutdown_and_notify, end
 * streams, cancel what is left after the grace period, destroy the
 * server once the tag and every call are back, drain the queue. */
static void *mg_thread(void *arg)
{
	struct mgmt_grpc *g = arg;

	for (;;) {
		uint64_t now = now_ms();
		uint64_t due = now + TICK_MS;
		grpc_event ev;

		if (atomic_load(&g->stop) && !g->shutting_down) {
			g->shutting_down = true;
			g->shutdown_at = now;
			g->t_shutdown.done = on_shutdown;
			grpc_server_shutdown_and_notify(g->srv, g->cq,
							&g->t_shutdown);
		}
		drive(g, now, &due);
		if (g->shutting_down) {
			if (!g->cancelled_all &&
			    (g->calls == NULL ||
			     now >= g->shutdown_at + GRACE_MS)) {
				grpc_server_cancel_all_calls(g->srv);
				g->cancelled_all = true;
			}
			if (g->shutdown_done && g->calls == NULL &&
			    g->n_requests == 0 && !g->cq_down) {
				grpc_server_destroy(g->srv);
				g->srv = NULL;
				grpc_completion_queue_shutdown(g->cq);
				g->cq_down = true;
			}
			due = now + 10 < due ? now + 10 : due;
		}
		ev = grpc_completion_queue_next(
			g->cq, mgmt_grpc_deadline_in(due > now ? due - now : 0),
			NULL);
		if (ev.type == GRPC_QUEUE_SHUTDOWN) {
			break;
		}
		if (ev.type == GRPC_OP_COMPLETE) {
			struct mg_tag *t = ev.tag;

			t->done(g, t, ev.success != 0);
		}
	}
	return NULL;
}

/* ---- setup --------------------------------------------------------------- */

/* "host:port", "[v6]:port" or "unix:path" that getaddrinfo accepts. */
static bool addr_valid(const char *addr)
{
	char host[256];
	const char *colon, *port;
	struct addrinfo hints, *res = NULL;
	size_t hl;
	int ret;

	if (strncmp(addr, "unix:", 5) == 0 ||
	    strncmp(addr, "unix-abstract:", 14) == 0) {
		return addr[5] != '\0';
	}
	if (strncmp(addr, "ipv4:", 5) == 0 || strncmp(addr, "ipv6:", 5) == 0) {
		addr += 5;
	}
	colon = strrchr(addr, ':');
	if (colon == NULL || colon[1] == '\0') {
		return false;
	}
	port = colon + 1;
	hl = (size_t)(colon - addr);
	if (hl >= 2 && addr[0] == '[' && addr[hl - 1] == ']') {
		addr++;
		hl -= 2;
	}
	if (hl >= sizeof(host)) {
		return false;
	}
	memcpy(host, addr, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	ret = getaddrinfo(hl > 0 ? host : NULL, port, &hints, &res);
	if (res != NULL) {
		freeaddrinfo(res);
	}
	return ret == 0;
}

static int add_service(struct mgmt_grpc *g, const char *path)
{
	const char *end = strchr(path + 1, '/');
	size_t n = (size_t)(end - path - 1);
	char *name, **v;

	for (size_t i = 0; i < g->n_services; i++) {
		if (strlen(g->services[i]) == n &&
		    strncmp(g->services[i], path + 1, n) == 0) {
			return 0;
		}
	}
	name = strndup(path + 1, n);
	v = realloc(g->services, (g->n_services + 1) * sizeof(*v));
	if (name == NULL || v == NULL) {
		free(name);
		if (v != NULL) {
			g->services = v;
		}
		return -ENOMEM;
	}
	g->services = v;
	g->services[g->n_services++] = name;
	return 0;
}

static bool path_valid(const char *p)
{
	const char *slash;

	if (p == NULL || p[0] != '/') {
		return false;
	}
	slash = strchr(p + 1, '/');
	return slash != NULL && slash > p + 1 && slash[1] != '\0' &&
	       strchr(slash + 1, '/') == NULL;
}

/* The caller's methods, then health and reflection. */
static int methods_build(struct mgmt_grpc *g, const struct mgmt_grpc_params *p,
			 char *err, size_t errlen)
{
	const struct mg_method builtin[] = {
		{.path = "/grpc.health.v1.Health/Check",
		 .req = &grpc__health__v1__health_check_request__descriptor,
		 .min_role = MGMT_ROLE_NONE,
		 .unary = mgmt_health_check,
		 .kind = MG_UNARY},
		{.path = "/grpc.health.v1.Health/Watch",
		 .req = &grpc__health__v1__health_check_request__descriptor,
		 .min_role = MGMT_ROLE_NONE,
		 .stream = &mgmt_health_watch_ops,
		 .kind = MG_STREAM,
		 .health = true},
		{.path = "/grpc.reflection.v1.ServerReflection/"
			 "ServerReflectionInfo",
		 .req = REFLECT_REQ,
		 .min_role = MGMT_ROLE_VIEWER,
		 .kind = MG_REFLECT},
		{.path = "/grpc.reflection.v1alpha.ServerReflection/"
			 "ServerReflectionInfo",
		 .req = REFLECT_REQ,
		 .min_role = MGMT_ROLE_VIEWER,
		 .kind = MG_REFLECT},
	};
	size_t nb = sizeof(builtin) / sizeof(builtin[0]);

	g->methods = calloc(p->n_methods + nb, sizeof(*g->methods));
	if (g->methods == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->n_methods + nb; i++) {
		struct mg_method *m = &g->methods[i];

		if (i < p->n_methods) {
			const struct mgmt_method *u = &p->methods[i];

			if (!path_valid(u->path) || u->req == NULL ||
			    (u->unary == NULL) == (u->stream == NULL) ||
			    (u->stream != NULL && (u->stream->start == NULL ||
						   u->stream->next == NULL))) {
				snprintf(err, errlen,
					 "grpc: methods[%zu] (%s): needs a "
					 "\"/pkg.Service/Method\" path, a "
					 "request type and one of unary / "
					 "stream",
					 i, u->path != NULL ? u->path : "?");
				return -EINVAL;
			}
			m->req = u->req;
			m->min_role = u->min_role;
			m->mutating = u->mutating;
			m->unary = u->unary;
			m->stream = u->stream;
			m->svc = p->svc;
			m->kind = u->unary != NULL ? MG_UNARY : MG_STREAM;
			m->path = strdup(u->path);
		} else {
			*m = builtin[i - p->n_methods];
			m->svc = &g->health;
			m->path = strdup(m->path);
		}
		if (m->path == NULL) {
			return -ENOMEM;
		}
		g->n_methods++;
		if (add_service(g, m->path) < 0) {
			return -ENOMEM;
		}
	}
	return 0;
}

static void roles_store(struct mgmt_grpc *g,
			const struct mgmt_role_binding *roles, size_t n)
{
	struct mgmt_role_binding *v = NULL;

	if (n > 0) {
		v = calloc(n, sizeof(*v));
		if (v == NULL) {
			/* fail closed: nobody keeps a role we cannot
			 * check */
			MGMT_LOG(ERR, "grpc: roles: out of memory, all "
				      "bindings dropped");
			n = 0;
		} else {
			memcpy(v, roles, n * sizeof(*v));
			for (size_t i = 0; i < n; i++) {
				v[i].identity[sizeof(v[i].identity) - 1] = '\0';
			}
		}
	}
	pthread_mutex_lock(&g->roles_lock);
	free(g->roles);
	g->roles = v;
	g->n_roles = n;
	pthread_mutex_unlock(&g->roles_lock);
}

/* Everything but the thread; accepts a partial setup. */
static void mg_free(struct mgmt_grpc *g)
{
	if (g->srv != NULL) { /* never started */
		grpc_server_destroy(g->srv);
	}
	if (g->cq != NULL) {
		if (!g->cq_down) {
			grpc_completion_queue_shutdown(g->cq);
			while (grpc_completion_queue_next(
				       g->cq,
				       gpr_inf_future(GPR_CLOCK_MONOTONIC),
				       NULL)
				       .type != GRPC_QUEUE_SHUTDOWN) {
			}
		}
		grpc_completion_queue_destroy(g->cq);
	}
	if (g->grpc_inited) {
		grpc_shutdown();
	}
	mgmt_reflect_close(g->reflect);
	for (size_t i = 0; i < g->n_methods; i++) {
		free(g->methods[i].path);
	}
	free(g->methods);
	for (size_t i = 0; i < g->n_services; i++) {
		free(g->services[i]);
	}
	free(g->services);
	mgmt_audit_close(g->audit);
	free(g->roles);
	pthread_mutex_destroy(&g->roles_lock);
	free(g);
}

static grpc_server_credentials *make_creds(const struct mgmt_grpc_params *p,
					   char *err, size_t errlen)
{
	grpc_ssl_pem_key_cert_pair pair;
	grpc_server_credentials *creds = NULL;
	char *ca, *cert = NULL, *key = NULL;

	if (p->tls_ca == NULL) {
		return grpc_insecure_server_credentials_create();
	}
	ca = mgmt_grpc_read_pem("tls ca", p->tls_ca, err, errlen);
	if (ca != NULL) {
		cert = mgmt_grpc_read_pem("tls cert", p->tls_cert, err, errlen);
	}
	if (cert != NULL) {
		key = mgmt_grpc_read_pem("tls key", p->tls_key, err, errlen);
	}
	if (key != NULL) {
		/* core copies the PEM strings */
		pair.private_key = key;
		pair.cert_chain = cert;
		creds = grpc_ssl_server_credentials_create_ex(
			ca, &pair, 1,
			GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY,
			NULL);
		if (creds == NULL) {
			snprintf(err, errlen, "tls: credentials rejected");
		}
	}
	mgmt_grpc_pem_free(key);
	free(cert);
	free(ca);
	return creds;
}

int mgmt_grpc_start(const struct mgmt_grpc_params *p, struct mgmt_grpc **out,
		    char *err, size_t errlen)
{
	struct mgmt_grpc *g;
	grpc_server_credentials *creds;
	grpc_channel_args args;
	grpc_arg a[7];
	sigset_t block, old;
	int ntls, ret;

	if (err != NULL && errlen > 0) {
		err[0] = '\0';
	}
	if (err == NULL) {
		static char dummy[1];

		err = dummy;
		errlen = 0;
	}
	if (p == NULL || out == NULL || p->addr == NULL ||
	    (p->methods == NULL && p->n_methods > 0)) {
		snprintf(err, errlen, "grpc: missing parameters");
		return -EINVAL;
	}
	ntls = (p->tls_ca != NULL) + (p->tls_cert != NULL) +
	       (p->tls_key != NULL);
	if (ntls != 0 && ntls != 3) {
		snprintf(err, errlen,
			 "grpc: TLS needs all of ca, cert and key (mTLS)");
		return -EINVAL;
	}
	if (!addr_valid(p->addr)) {
		snprintf(err, errlen, "grpc: bad address \"%s\"", p->addr);
		return -EINVAL;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL) {
		return -ENOMEM;
	}
	pthread_mutex_init(&g->roles_lock, NULL);
	atomic_init(&g->stop, false);
	atomic_init(&g->health_gen, 0);
	g->tls = ntls == 3;
	g->plaintext_role = p->plaintext_role;
	g->max_message = p->max_message ? p->max_message : DEFAULT_MAX_MESSAGE;

	ret = methods_build(g, p, err, errlen);
	if (ret < 0) {
		goto fail;
	}
	g->health.serving = p->serving;
	g->health.svc = p->svc;
	g->health.services = g->services;
	g->health.n_services = g->n_services;
	ret = mgmt_reflect_open(p->descriptor_set, p->descriptor_set_len,
				(const char *const *)g->services, g->n_services,
				&g->reflect);
	if (ret < 0) {
		snprintf(err, errlen, "grpc: descriptor set: %s",
			 ret == -EINVAL ? "cannot decode" : strerror(-ret));
		goto fail;
	}
	if (p->audit_path != NULL) {
		ret = mgmt_audit_open(p->audit_path, &g->audit);
		if (ret < 0) {
			snprintf(err, errlen, "audit log %s: %s", p->audit_path,
				 strerror(-ret));
			ret = ret == -ENOMEM ? -ENOMEM : -EINVAL;
			goto fail;
		}
	}
	roles_store(g, p->roles, p->roles != NULL ? p->n_roles : 0);

	/* Core's threads and ours inherit this mask: process signals go
	 * to the daemon's own threads. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGPIPE);
	sigaddset(&block, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &block, &old);

	grpc_init();
	g->grpc_inited = true;
	g->cq = grpc_completion_queue_create_for_next(NULL);

	memset(a, 0, sizeof(a));
	for (size_t i = 0; i < 7; i++) {
		a[i].type = GRPC_ARG_INTEGER;
	}
	a[0].key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
	a[0].value.integer =
		g->max_message > INT_MAX ? INT_MAX : (int)g->max_message;
	a[1].key = GRPC_ARG_ALLOW_REUSEPORT; /* a busy port is an error */
	a[1].value.integer = 0;
	/* long streams: ping idle connections, let clients ping us */
	a[2].key = GRPC_ARG_KEEPALIVE_TIME_MS;
	a[2].value.integer = 30000;
	a[3].key = GRPC_ARG_KEEPALIVE_TIMEOUT_MS;
	a[3].value.integer = 10000;
	a[4].key = GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS;
	a[4].value.integer = 1;
	a[5].key = GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS;
	a[5].value.integer = 10000;
	a[6].key = GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA;
	a[6].value.integer = 0;
	args.num_args = 7;
	args.args = a;
	g->srv = grpc_server_create(&args, NULL);
	grpc_server_register_completion_queue(g->srv, g->cq, NULL);
	for (size_t i = 0; i < g->n_methods; i++) {
		struct mg_method *m = &g->methods[i];

		m->handle = grpc_server_register_method(
			g->srv, m->path, NULL,
			m->kind == MG_UNARY ?
				GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER :
				GRPC_SRM_PAYLOAD_NONE,
			0);
		if (m->handle == NULL) {
			snprintf(err, errlen,
				 "grpc: method %s registered twice", m->path);
			ret = -EINVAL;
			goto fail_mask;
		}
	}
	creds = make_creds(p, err, errlen);
	if (creds == NULL) {
		ret = -EINVAL;
		goto fail_mask;
	}
	g->port = grpc_server_add_http2_port(g->srv, p->addr, creds);
	grpc_server_credentials_release(creds);
	if (g->port <= 0) {
		snprintf(err, errlen, "grpc: cannot listen on %s%s", p->addr,
			 g->tls ? " (address in use, or the TLS key and "
				  "certificate rejected)" :
				  ": address in use");
		ret = -EADDRINUSE;
		goto fail_mask;
	}
	grpc_server_start(g->srv);
	g->started = true;
	for (size_t i = 0; i <= g->n_methods; i++) {
		/* i == n_methods: unregistered methods → UNIMPLEMENTED */
		if (requests_post(g, i < g->n_methods ? &g->methods[i] : NULL) <
		    0) {
			snprintf(err, errlen, "grpc: out of memory");
			ret = -ENOMEM;
			goto fail_started;
		}
	}
	ret = pthread_create(&g->thread, NULL, mg_thread, g);
	if (ret != 0) {
		snprintf(err, errlen, "grpc: thread: %s", strerror(ret));
		ret = -ret;
		goto fail_started;
	}
	pthread_setname_np(g->thread, "fh-grpc");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	MGMT_LOG(INFO, "grpc: serving on %s (port %d, %s, %zu methods)",
		 p->addr, g->port, g->tls ? "mTLS" : "plaintext", g->n_methods);
	*out = g;
	return 0;

fail_started:
	/* run the shutdown sequence on this thread */
	atomic_store(&g->stop, true);
	mg_thread(g);
fail_mask:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
fail:
	if (err[0] != '\0') {
		MGMT_LOG(ERR, "%s", err);
	}
	mg_free(g);
	return ret;
}

void mgmt_grpc_set_roles(struct mgmt_grpc *g,
			 const struct mgmt_role_binding *roles, size_t n)
{
	if (g != NULL) {
		roles_store(g, roles, roles != NULL ? n : 0);
	}
}

void mgmt_grpc_health_changed(struct mgmt_grpc *g)
{
	if (g != NULL) {
		atomic_fetch_add(&g->health_gen, 1);
	}
}

void mgmt_grpc_stop(struct mgmt_grpc *g)
{
	if (g == NULL) {
		return;
	}
	atomic_store(&g->stop, true);
	pthread_join(g->thread, NULL);
	mg_free(g);
}

int mgmt_grpc_port(const struct mgmt_grpc *g)
{
	return g != NULL ? g->port : -1;
}
