/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A gRPC server for test_grpc_transport.py: the real transport
 * (mgmt_grpc_start) with toy handlers, so the transport is tested apart
 * from the switch.
 *
 *   grpc_test_server [--addr A] [--tls-ca F --tls-cert F --tls-key F]
 *                    [--role ID=viewer|operator|admin]...
 *                    [--plaintext-role R] [--audit FILE] [--max-message N]
 *
 * Prints "port N" once serving.  SIGUSR1 flips the health state; SIGINT /
 * SIGTERM stop it (exit 0 after a clean mgmt_grpc_stop).
 *
 * Methods: System/GetVersion (viewer; backend reports "toy streams=N",
 * the live Watch streams), Config/Commit (operator, mutating: version + 1,
 * INVALID_ARGUMENT when comment is "bad"), CountersService/Watch (viewer:
 * max_samples messages every interval_ms; 0 = until cancelled).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fhswitch/v1/api.pb-c.h"
#include "mgmt_grpc_desc.h"
#include "mgmt_rpc.h"

struct toy {
	uint64_t version;
	atomic_bool serving;
	atomic_int streams;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void get_version(void *svc, const struct mgmt_call_info *ci,
			const ProtobufCMessage *req, ProtobufCMessage **resp,
			struct mgmt_error *st)
{
	struct toy *t = svc;
	Fhswitch__V1__VersionResponse *r = malloc(sizeof(*r));
	char backend[64];

	(void)ci;
	(void)req;
	if (r == NULL) {
		mgmt_error_set(st, -ENOMEM, "out of memory");
		return;
	}
	fhswitch__v1__version_response__init(r);
	snprintf(backend, sizeof(backend), "toy streams=%d",
		 atomic_load(&t->streams));
	r->version = strdup("9.9.9-test");
	r->backend = strdup(backend);
	r->config_version = t->version;
	*resp = &r->base;
}

static void commit(void *svc, const struct mgmt_call_info *ci,
		   const ProtobufCMessage *req, ProtobufCMessage **resp,
		   struct mgmt_error *st)
{
	struct toy *t = svc;
	const Fhswitch__V1__CommitRequest *q = (const void *)req;
	Fhswitch__V1__CommitResponse *r;

	(void)ci;
	if (strcmp(q->comment, "bad") == 0) {
		mgmt_error_set(st, -EINVAL, "comment: \"bad\" is refused");
		return;
	}
	r = malloc(sizeof(*r));
	if (r == NULL) {
		mgmt_error_set(st, -ENOMEM, "out of memory");
		return;
	}
	fhswitch__v1__commit_response__init(r);
	r->version = ++t->version;
	*resp = &r->base;
}

struct watch {
	uint32_t interval, max, sent;
	uint64_t due;
};

static int watch_start(void *svc, const struct mgmt_call_info *ci,
		       const ProtobufCMessage *req, void **state,
		       struct mgmt_error *st)
{
	struct toy *t = svc;
	const Fhswitch__V1__WatchCountersRequest *q = (const void *)req;
	struct watch *w;

	(void)ci;
	if (q->interval_ms > 60000) {
		return mgmt_error_set(st, -EINVAL,
				      "interval_ms: %u is out of range",
				      q->interval_ms);
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		return mgmt_error_set(st, -ENOMEM, "out of memory");
	}
	w->interval = q->interval_ms ? q->interval_ms : 1000;
	w->max = q->max_samples;
	w->due = now_ms();
	atomic_fetch_add(&t->streams, 1);
	*state = w;
	return 0;
}

static int watch_next(void *svc, void *state, ProtobufCMessage **msg,
		      uint32_t *wait_ms, struct mgmt_error *st)
{
	struct watch *w = state;
	Fhswitch__V1__Counters *c;
	struct timespec ts;
	uint64_t now = now_ms();

	(void)svc;
	if (w->max != 0 && w->sent >= w->max) {
		st->err = 0;
		st->message[0] = '\0';
		return -1;
	}
	if (now < w->due) {
		*wait_ms = (uint32_t)(w->due - now);
		return 0;
	}
	c = malloc(sizeof(*c));
	if (c == NULL) {
		*wait_ms = 10;
		return 0;
	}
	fhswitch__v1__counters__init(c);
	clock_gettime(CLOCK_REALTIME, &ts);
	c->timestamp_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	c->config_version = ++w->sent;
	w->due += w->interval;
	*wait_ms = w->interval;
	*msg = &c->base;
	return 1;
}

static void watch_free(void *svc, void *state)
{
	struct toy *t = svc;

	atomic_fetch_sub(&t->streams, 1);
	free(state);
}

static const struct mgmt_stream_ops watch_ops = {
	.start = watch_start,
	.next = watch_next,
	.free = watch_free,
};

static const struct mgmt_method methods[] = {
	{.path = "/fhswitch.v1.System/GetVersion",
	 .req = &fhswitch__v1__get_version_request__descriptor,
	 .min_role = MGMT_ROLE_VIEWER,
	 .unary = get_version},
	{.path = "/fhswitch.v1.Config/Commit",
	 .req = &fhswitch__v1__commit_request__descriptor,
	 .min_role = MGMT_ROLE_OPERATOR,
	 .mutating = true,
	 .unary = commit},
	{.path = "/fhswitch.v1.CountersService/Watch",
	 .req = &fhswitch__v1__watch_counters_request__descriptor,
	 .min_role = MGMT_ROLE_VIEWER,
	 .stream = &watch_ops},
};

static bool serving(void *svc)
{
	return atomic_load(&((struct toy *)svc)->serving);
}

static int parse_role(const char *s, enum mgmt_role *r)
{
	static const char *const names[] = {"none", "viewer", "operator",
					    "admin"};

	for (int i = 0; i < 4; i++) {
		if (strcmp(s, names[i]) == 0) {
			*r = (enum mgmt_role)i;
			return 0;
		}
	}
	return -1;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: grpc_test_server [--addr A] [--tls-ca F --tls-cert F "
		"--tls-key F] [--role ID=ROLE]... [--plaintext-role ROLE] "
		"[--audit FILE] [--max-message N]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct mgmt_role_binding roles[32];
	struct mgmt_grpc_params p = {
		.addr = "127.0.0.1:0",
		.plaintext_role = MGMT_ROLE_ADMIN,
		.roles = roles,
		.methods = methods,
		.n_methods = sizeof(methods) / sizeof(methods[0]),
		.serving = serving,
		.descriptor_set = fh_descriptor_set,
		.descriptor_set_len = fh_descriptor_set_len,
	};
	struct toy toy = {.version = 1};
	struct mgmt_grpc *g;
	char err[512];
	sigset_t set;
	int sig;

	atomic_init(&toy.serving, true);
	atomic_init(&toy.streams, 0);
	p.svc = &toy;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL) {
			return usage();
		}
		i++;
		if (strcmp(a, "--addr") == 0) {
			p.addr = v;
		} else if (strcmp(a, "--tls-ca") == 0) {
			p.tls_ca = v;
		} else if (strcmp(a, "--tls-cert") == 0) {
			p.tls_cert = v;
		} else if (strcmp(a, "--tls-key") == 0) {
			p.tls_key = v;
		} else if (strcmp(a, "--audit") == 0) {
			p.audit_path = v;
		} else if (strcmp(a, "--max-message") == 0) {
			p.max_message = strtoul(v, NULL, 0);
		} else if (strcmp(a, "--plaintext-role") == 0) {
			if (parse_role(v, &p.plaintext_role) < 0) {
				return usage();
			}
		} else if (strcmp(a, "--role") == 0) {
			const char *eq = strrchr(v, '=');
			struct mgmt_role_binding *b = &roles[p.n_roles];

			if (eq == NULL || p.n_roles == 32 ||
			    (size_t)(eq - v) >= sizeof(b->identity) ||
			    parse_role(eq + 1, &b->role) < 0) {
				return usage();
			}
			memcpy(b->identity, v, (size_t)(eq - v));
			b->identity[eq - v] = '\0';
			p.n_roles++;
		} else {
			return usage();
		}
	}

	/* every thread inherits this: signals are taken with sigwait */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	if (mgmt_grpc_start(&p, &g, err, sizeof(err)) != 0) {
		fprintf(stderr, "grpc_test_server: %s\n", err);
		return 1;
	}
	printf("port %d\n", mgmt_grpc_port(g));
	fflush(stdout);
	for (;;) {
		if (sigwait(&set, &sig) != 0) {
			continue;
		}
		if (sig != SIGUSR1) {
			break;
		}
		atomic_store(&toy.serving, !atomic_load(&toy.serving));
		mgmt_grpc_health_changed(g);
	}
	mgmt_grpc_stop(g);
	fprintf(stderr, "grpc_test_server: stopped\n");
	return 0;
}
