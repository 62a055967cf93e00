/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fhctl's switch commands: the fhswitch.v1 API and grpc.health.v1 over the
 * gRPC client of mgmt_grpc_client.h.  Requests come from the command line
 * or from JSON files through the generic codec (mgmt_json.h); answers
 * print as tables, or with --json as the proto3 JSON of the response.
 * Exit codes: fhctl.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fhctl.h"
#include "fhswitch/v1/api.pb-c.h"
#include "grpc/health/v1/health.pb-c.h"
#include "mgmt_audit.h"
#include "mgmt_grpc_client.h"
#include "mgmt_json.h"
#include "mgmt_util.h"

#define FILE_MAX (64u << 20)
#define WATCH_POLL_MS 200 /* how soon an interrupt ends a watch */
#define SVC(s, m) "/fhswitch.v1." s "/" m

struct api {
	struct fhctl_global g;
	struct mgmt_client *cl; /* opened on first use */
};

typedef ProtobufCMessage pbm;

/* ---- transport ----------------------------------------------------------- */

/* 0 or an exit code (reported). */
static int api_client(struct api *a)
{
	struct mgmt_client_params p = {.target = a->g.server, .quiet = true};
	char err[256];
	char *tls = NULL;
	int ret;

	if (a->cl != NULL) {
		return FHCTL_EXIT_OK;
	}
	if (a->g.tls != NULL) {
		char *c1, *c2;

		tls = strdup(a->g.tls);
		if (tls == NULL) {
			fprintf(stderr, "fhctl: out of memory\n");
			return FHCTL_EXIT_ERROR;
		}
		/* CA or CA,CERT,KEY: checked by fhctl_global_opt */
		p.tls_ca = tls;
		c1 = strchr(tls, ',');
		c2 = c1 != NULL ? strchr(c1 + 1, ',') : NULL;
		if (c2 != NULL) {
			*c1 = '\0';
			*c2 = '\0';
			p.tls_cert = c1 + 1;
			p.tls_key = c2 + 1;
		}
	}
	ret = mgmt_client_open(&p, &a->cl, err, sizeof(err));
	free(tls);
	if (ret < 0) {
		fprintf(stderr, "fhctl: %s\n",
			ret == -ENOMEM ? "out of memory" : err);
		return FHCTL_EXIT_ERROR;
	}
	return FHCTL_EXIT_OK;
}

static bool status_is_connect(int code)
{
	return code == MGMT_UNAVAILABLE || code == MGMT_DEADLINE_EXCEEDED;
}

/* Report a non-OK status; the exit code it means. */
static int api_status(const struct api *a, const struct mgmt_status *st)
{
	if (st->code == MGMT_OK) {
		return FHCTL_EXIT_OK;
	}
	if (status_is_connect(st->code)) {
		fprintf(stderr, "fhctl: %s: %s (server %s)\n",
			mgmt_code_name(st->code), st->message, a->g.server);
		return FHCTL_EXIT_CONNECT;
	}
	fprintf(stderr, "fhctl: %s: %s\n", mgmt_code_name(st->code),
		st->message);
	return FHCTL_EXIT_SERVER;
}

/* One unary call; 0 with *resp or an exit code (reported). */
static int api_call(struct api *a, const char *path, const pbm *req,
		    const ProtobufCMessageDescriptor *d, pbm **resp)
{
	struct mgmt_status st;
	int ret;

	*resp = NULL;
	ret = api_client(a);
	if (ret != 0) {
		return ret;
	}
	mgmt_client_unary(a->cl, path, req, d, a->g.timeout_ms, resp, &st);
	return api_status(a, &st);
}

/* ---- input and output ---------------------------------------------------- */

static const char *file_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "stdin" : path;
}

/* The text of path ("-": stdin), NUL-terminated; NULL when reported. */
static char *read_text(const char *path)
{
	char err[512], *text;

	if (mgmt_read_file(path, FILE_MAX, &text, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "fhctl: %s\n", err);
		return NULL;
	}
	return text;
}

/*
 * A message of type d from the JSON in path.  unwrap: a top-level object
 * whose key of that name holds an object stands for that object, so the
 * output of "fhctl --json config get" commits as it is.
 * @return 0, or FHCTL_EXIT_ERROR (reported).
 */
static int load_msg(const char *path, const ProtobufCMessageDescriptor *d,
		    const char *unwrap, pbm **out)
{
	char err[MGMT_JSON_ERR_LEN];
	json_error_t je;
	json_t *root, *j;
	char *text;
	int ret;

	*out = NULL;
	text = read_text(path);
	if (text == NULL) {
		return FHCTL_EXIT_ERROR;
	}
	root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	free(text);
	if (root == NULL) {
		fprintf(stderr, "fhctl: %s: line %d column %d: %s\n",
			file_name(path), je.line, je.column, je.text);
		return FHCTL_EXIT_ERROR;
	}
	j = root;
	if (unwrap != NULL && json_is_object(root) &&
	    json_is_object(json_object_get(root, unwrap))) {
		j = json_object_get(root, unwrap);
	}
	ret = mgmt_json_to_pb(d, j, out, err, sizeof(err));
	json_decref(root);
	if (ret < 0) {
		fprintf(stderr, "fhctl: %s: %s\n", file_name(path),
			ret == -ENOMEM ? "out of memory" : err);
		return FHCTL_EXIT_ERROR;
	}
	return FHCTL_EXIT_OK;
}

/* The proto3 JSON of m: indented, or one line (streams). */
static int print_json(const pbm *m, bool one_line)
{
	json_t *j = mgmt_pb_to_json(m);
	char *s = j != NULL ? json_dumps(j, one_line ? JSON_COMPACT :
						       JSON_INDENT(2)) :
			      NULL;

	json_decref(j);
	if (s == NULL) {
		fprintf(stderr, "fhctl: out of memory\n");
		return FHCTL_EXIT_ERROR;
	}
	puts(s);
	free(s);
	return FHCTL_EXIT_OK;
}

/* An enum's value name without its prefix: ROLE_DU -> "DU". */
static const char *enum_short(const ProtobufCEnumDescriptor *d, int v,
			      const char *prefix)
{
	const ProtobufCEnumValue *ev =
		protobuf_c_enum_descriptor_get_value(d, v);
	size_t n = strlen(prefix);

	if (ev == NULL) {
		return "?";
	}
	return strncmp(ev->name, prefix, n) == 0 ? ev->name + n : ev->name;
}

/* A table: columns sized to their widest cell; a head starting with '>'
 * is right-aligned (numbers). */
#define TBL_COLS 8

struct tbl {
	size_t ncol;
	const char *head[TBL_COLS];
	char **cell; /* nrow * ncol */
	size_t nrow, cap;
	bool oom;
};

static void tbl_init(struct tbl *t, size_t ncol, ...)
{
	va_list ap;

	memset(t, 0, sizeof(*t));
	t->ncol = ncol;
	va_start(ap, ncol);
	for (size_t i = 0; i < ncol; i++) {
		t->head[i] = va_arg(ap, const char *);
	}
	va_end(ap);
}

/* ncol strings; NULL prints as "-". */
static void tbl_row(struct tbl *t, ...)
{
	va_list ap;

	if (t->nrow == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		char **nc = realloc(t->cell, cap * t->ncol * sizeof(*nc));

		if (nc == NULL) {
			t->oom = true;
			return;
		}
		t->cell = nc;
		t->cap = cap;
	}
	va_start(ap, t);
	for (size_t i = 0; i < t->ncol; i++) {
		const char *s = va_arg(ap, const char *);
		char *d = strdup(s != NULL && s[0] != '\0' ? s : "-");

		t->oom |= d == NULL;
		t->cell[t->nrow * t->ncol + i] = d;
	}
	va_end(ap);
	t->nrow++;
}

/* Print and free. */
static void tbl_print(struct tbl *t)
{
	size_t w[TBL_COLS];

	for (size_t c = 0; c < t->ncol; c++) {
		w[c] = strlen(t->head[c] + (t->head[c][0] == '>'));
		for (size_t r = 0; r < t->nrow; r++) {
			const char *s = t->cell[r * t->ncol + c];
			size_t n = s != NULL ? strlen(s) : 0;

			w[c] = n > w[c] ? n : w[c];
		}
	}
	for (size_t r = 0; r <= t->nrow; r++) {
		for (size_t c = 0; c < t->ncol; c++) {
			bool right = t->head[c][0] == '>';
			const char *s = r == 0 ? t->head[c] + right :
						 t->cell[(r - 1) * t->ncol + c];
			bool last = c + 1 == t->ncol;

			if (s == NULL) {
				s = "?";
			}
			if (right) {
				printf("%*s", (int)w[c], s);
			} else if (last) {
				fputs(s, stdout); /* no trailing blanks */
			} else {
				printf("%-*s", (int)w[c], s);
			}
			fputs(last ? "\n" : "  ", stdout);
		}
	}
	for (size_t i = 0; i < t->nrow * t->ncol; i++) {
		free(t->cell[i]);
	}
	free(t->cell);
	if (t->oom) {
		fprintf(stderr, "fhctl: out of memory: table incomplete\n");
	}
}

static char *u64s(char *buf, uint64_t v)
{
	snprintf(buf, 24, "%" PRIu64, v);
	return buf;
}

/* Append a space-separated item to buf. */
__attribute__((format(printf, 3, 4))) static void add(char *buf, size_t n,
						      const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len > 0 && len + 1 < n) {
		buf[len++] = ' ';
		buf[len] = '\0';
	}
	va_start(ap, fmt);
	vsnprintf(buf + len, n - len, fmt, ap);
	va_end(ap);
}

static void utc_time(int64_t unix_s, long ms, char *buf, size_t n)
{
	time_t t = (time_t)unix_s;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, n, "?");
	} else if (ms >= 0) {
		snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	} else {
		snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
	}
}

/* ---- arguments ----------------------------------------------------------- */

/* A command's own options; each takes a value. */
typedef int (*opt_fn)(void *ctx, const char *opt, const char *val);

/*
 * Walk a command's arguments: global options go to a->g, the options
 * named in opts (NULL-terminated, may be NULL) to fn, the rest are
 * positionals (npos_min..npos_max into pos).  "--" ends the options; "-"
 * is a positional (stdin).
 * @return 0, or FHCTL_EXIT_USAGE (reported with the synopsis syn).
 */
static int parse_args(struct api *a, const char *syn, int argc, char **argv,
		      const char *const *opts, opt_fn fn, void *ctx,
		      const char **pos, int npos_min, int npos_max)
{
	bool only_pos = false;
	int n = 0, i = 0;

	while (i < argc) {
		const char *s = argv[i], *v;
		int r = 0;

		if (!only_pos && strcmp(s, "--") == 0) {
			only_pos = true;
			i++;
			continue;
		}
		if (!only_pos && s[0] == '-' && s[1] != '\0') {
			r = fhctl_global_opt(&a->g, argc, argv, &i);
			for (size_t k = 0; r == 0 && opts != NULL && opts[k];
			     k++) {
				r = fhctl_opt_value(argc, argv, &i, opts[k],
						    NULL, &v);
				if (r > 0 && fn(ctx, opts[k], v) != 0) {
					r = -1;
				}
			}
			if (r == 0) {
				fprintf(stderr, "fhctl: unknown option '%s'\n",
					s);
			}
			if (r <= 0) {
				goto usage;
			}
			continue;
		}
		if (n == npos_max) {
			fprintf(stderr, "fhctl: unexpected argument '%s'\n", s);
			goto usage;
		}
		pos[n++] = s;
		i++;
	}
	if (n >= npos_min) {
		return FHCTL_EXIT_OK;
	}
usage:
	fprintf(stderr, "usage: fhctl [global options] %s\n", syn);
	return FHCTL_EXIT_USAGE;
}

static int bad_value(const char *opt, const char *val, const char *want)
{
	fprintf(stderr, "fhctl: %s '%s': %s expected\n", opt, val, want);
	return -1;
}

/* ---- config -------------------------------------------------------------- */

static int config_get(struct api *a, int argc, char **argv)
{
	Fhswitch__V1__GetConfigRequest q =
		FHSWITCH__V1__GET_CONFIG_REQUEST__INIT;
	Fhswitch__V1__GetConfigResponse *r;
	pbm *m;
	int ret;

	ret = parse_args(a, "config get", argc, argv, NULL, NULL, NULL, NULL, 0,
			 0);
	if (ret == 0) {
		ret = api_call(a, SVC("Config", "Get"), &q.base,
			       &fhswitch__v1__get_config_response__descriptor,
			       &m);
		r = (void *)m;
	}
	if (ret != 0) {
		return ret;
	}
	if (a->g.json) {
		ret = print_json(&r->base, false);
	} else {
		if (r->config != NULL) {
			ret = print_json(&r->config->base, false);
		} else {
			puts("{}");
		}
		printf("version %" PRIu64, r->version);
		if (r->pending_confirm) {
			printf(" (pending confirm: %u s left)",
			       r->confirm_remaining_s);
		}
		putchar('\n');
	}
	mgmt_pb_free(r);
	return ret;
}

static int config_validate(struct api *a, int argc, char **argv)
{
	Fhswitch__V1__ValidateRequest q = FHSWITCH__V1__VALIDATE_REQUEST__INIT;
	Fhswitch__V1__ValidateResponse *r;
	const char *file;
	pbm *m;
	int ret;

	ret = parse_args(a, "config validate FILE", argc, argv, NULL, NULL,
			 NULL, &file, 1, 1);
	if (ret == 0) {
		ret = load_msg(file, &fhswitch__v1__switch_config__descriptor,
			       "config", &m);
		q.config = (void *)m;
	}
	if (ret == 0) {
		ret = api_call(a, SVC("Config", "Validate"), &q.base,
			       &fhswitch__v1__validate_response__descriptor,
			       &m);
		r = (void *)m;
		mgmt_pb_free(q.config);
	}
	if (ret != 0) {
		return ret;
	}
	if (a->g.json) {
		ret = print_json(&r->base, false);
	} else if (r->valid) {
		printf("%s: valid\n", file_name(file));
	}
	for (size_t i = 0; !a->g.json && i < r->n_errors; i++) {
		const Fhswitch__V1__ValidationError *e = r->errors[i];

		if (e->path[0] != '\0') {
			printf("%s: %s\n", e->path, e->message);
		} else {
			printf("%s\n", e->message);
		}
	}
	if (ret == 0 && !r->valid) {
		ret = FHCTL_EXIT_ERROR;
	}
	mgmt_pb_free(r);
	return ret;
}

struct commit_opts {
	uint64_t expected;
	uint32_t confirm_s;
	const char *comment;
};

static int commit_opt(void *ctx, const char *opt, const char *val)
{
	struct commit_opts *o = ctx;
	unsigned long v;

	if (strcmp(opt, "--expected-version") == 0) {
		if (fhctl_parse_uint(val, 1, UINT64_MAX, &v) < 0) {
			return bad_value(opt, val, "a version >= 1");
		}
		o->expected = v;
	} else if (strcmp(opt, "--confirm-timeout") == 0) {
		if (fhctl_parse_uint(val, 1, 3600, &v) < 0) {
			return bad_value(opt, val, "seconds 1..3600");
		}
		o->confirm_s = (uint32_t)v;
	} else {
		o->comment = val;
	}
	return 0;
}

static int config_commit(struct api *a, int argc, char **argv)
{
	static const char *const opts[] = {
		"--expected-version", "--confirm-timeout", "--comment", NULL};
	Fhswitch__V1__CommitRequest q = FHSWITCH__V1__COMMIT_REQUEST__INIT;
	Fhswitch__V1__CommitResponse *r;
	struct commit_opts o = {0};
	const char *file;
	pbm *m;
	int ret;

	ret = parse_args(a,
			 "config commit FILE [--expected-version V] "
			 "[--confirm-timeout S] [--comment TEXT]",
			 argc, argv, opts, commit_opt, &o, &file, 1, 1);
	if (ret == 0) {
		ret = load_msg(file, &fhswitch__v1__switch_config__descriptor,
			       "config", &m);
		q.config = (void *)m;
	}
	if (ret == 0) {
		q.change_case = FHSWITCH__V1__COMMIT_REQUEST__CHANGE_CONFIG;
		q.expected_version = o.expected;
		q.confirm_timeout_s = o.confirm_s;
		q.comment = (char *)(o.comment != NULL ? o.comment : "");
		ret = api_call(a, SVC("Config", "Commit"), &q.base,
			       &fhswitch__v1__commit_response__descriptor, &m);
		r = (void *)m;
		mgmt_pb_free(q.config);
	}
	if (ret != 0) {
		return ret;
	}
	if (a->g.json) {
		ret = print_json(&r->base, false);
	} else if (o.confirm_s != 0) {
		printf("committed: version %" PRIu64 "; confirm within %u s "
		       "(fhctl config confirm) or it rolls back\n",
		       r->version, o.confirm_s);
	} else {
		printf("committed: version %" PRIu64 "\n", r->version);
	}
	mgmt_pb_free(r);
	return ret;
}

static int config_confirm(struct api *a, int argc, char **argv)
{
	Fhswitch__V1__ConfirmRequest q = FHSWITCH__V1__CONFIRM_REQUEST__INIT;
	Fhswitch__V1__ConfirmResponse *r;
	pbm *m;
	int ret;

	ret = parse_args(a, "config confirm", argc, argv, NULL, NULL, NULL,
			 NULL, 0, 0);
	if (ret == 0) {
		ret = api_call(a, SVC("Config", "Confirm"), &q.base,
			       &fhswitch__v1__confirm_response__descriptor, &m);
		r = (void *)m;
	}
	if (ret != 0) {
		return ret;
	}
	if (a->g.json) {
		ret = print_json(&r->base, false);
	} else {
		printf("confirmed: version %" PRIu64 "\n", r->version);
	}
	mgmt_pb_free(r);
	return ret;
}

static int config_rollback(struct api *a, int argc, char **argv)
{
	Fhswitch__V1__RollbackRequest q = FHSWITCH__V1__ROLLBACK_REQUEST__INIT;
	Fhswitch__V1__RollbackResponse *r;
	const char *n;
	unsigned long v;
	pbm *m;
	int ret;

	ret = parse_args(a, "config rollback N", argc, argv, NULL, NULL, NULL,
			 &n, 1, 1);
	if (ret != 0) {
		return ret;
	}
	if (fhctl_parse_uint(n, 1, UINT64_MAX, &v) < 0) {
		fprintf(stderr,
			"fhctl: config rollback '%s': a version >= 1 "
			"expected\n",
			n);
		return FHCTL_EXIT_USAGE;
	}
	q.to_version = v;
	ret = api_call(a, SVC("Config", "Rollback"), &q.base,
		       &fhswitch__v1__rollback_response__descriptor, &m);
	r = (void *)m;
	if (ret != 0) {
		return ret;
	}
	if (a->g.json) {
		ret = print_json(&r->base, false);
	} else {
		printf("rolled back to version %lu: version %" PRIu64 "\n", v,
		       r->version);
	}
	mgmt_pb_free(r);
	return ret;
}

static int config_versions(struct api *a, int argc, char **argv)
{
	Fhswitch__V1__ListVersionsRequest q =
		FHSWITCH__V1__LIST_VERSIONS_REQUEST__INIT;
	Fhswitch__V1__ListVersionsResponse *r;
	struct tbl t;
	pbm *m;
	int ret;

	ret = parse_args(a, "config versions", argc, argv, NULL, NULL, NULL,
			 NULL, 0, 0);
	if (ret == 0) {
		ret = api_call(
			a, SVC("Config", "ListVersions"), &q.base,
			&fhswitch__v1__list_versions_response__descriptor, &m);
		r = (void *)m;
	}
	if (ret != 0) {
		return ret;
	}
	if (a->g.json) {
		ret = print_json(&r->base, false);
		mgmt_pb_free(r);
		return ret;
	}
	tbl_init(&t, 4, ">VERSION", "TIME", "IDENTITY", "COMMENT");
	for (size_t i = 0; i < r->n_versions; i++) {
		const Fhswitch__V1__VersionInfo *v = r->versions[i];
		char ver[24], when[32];

		utc_time(v->committed_unix_s, -1, when, sizeof(when));
		tbl_row(&t, u64s(ver, v->version), when, v->identity,
			v->comment);
	}
	tbl_print(&t);
	mgmt_pb_free(r);
	return FHCTL_EXIT_OK;
}

/* ---- ports, flows, counters ---------------------------------------------- */

static int get_counters(struct api *a, char **flows, size_t n, pbm **out)
{
	Fhswitch__V1__GetCountersRequest q =
		FHSWITCH__V1__GET_COUNTERS_REQUEST__INIT;

	q.flows = flows;
	q.n_flows = n;
	return api_call(a, SVC("CountersService", "Get"), &q.base,
			&fhswitch__v1__counters__descriptor, out);
}

static const Fhswitch__V1__PortCounters *
port_counters(const Fhswitch__V1__Counters *c, const char *name)
{
	for (size_t i = 0; c != NULL && i < c->n_ports; i++) {
		if (strcmp(c->ports[i]->name, name) == 0) {
			return c->ports[i];
		}
	}
	return NULL;
}

static const Fhswitch__V1__FlowCounters *
flow_counters(const Fhswitch__V1__Counters *c, const char *name)
{
	for (size_t i = 0; c != NULL && i < c->n_flows; i++) {
		if (strcmp(c->flows[i]->name, name) == 0) {
			return c->flows[i];
		}
	}
	return NULL;
}

/* A flow counter's cell: "n/a" where the backend cannot count it. */
static char *fctr(char *buf, const Fhswitch__V1__FlowCounters *f,
		  const char *field, uint64_t v)
{
	for (size_t i = 0; i < f->n_unsupported; i++) {
		if (strcmp(f->unsupported[i], field) == 0) {
			snprintf(buf, 24, "n/a");
			return buf;
		}
	}
	return u64s(buf, v);
}

/*
 * A listing command's call: with --json the answer is printed and *out
 * is NULL; else *out is the answer for a table, and *c (c not NULL) the
 * counters to go with it.
 */
static int list_call(struct api *a, const char *path, const pbm *q,
		     const ProtobufCMessageDescriptor *d, pbm **out,
		     Fhswitch__V1__Counters **c)
{
	pbm *m, *cm;
	int ret = api_call(a, path, q, d, &m);

	*out = NULL;
	if (ret != 0) {
		return ret;
	}
	if (a->g.json) {
		ret = print_json(m, false);
		mgmt_pb_free(m);
		return ret;
	}
	if (c != NULL) {
		ret = get_counters(a, NULL, 0, &cm);
		if (ret != 0) {
			mgmt_pb_free(m);
			return ret;
		}
		*c = (void *)cm;
	}
	*out = m;
	return FHCTL_EXIT_OK;
}

static int ports(struct api *a, int argc, char **argv)
{
	Fhswitch__V1__ListPortsRequest q =
		FHSWITCH__V1__LIST_PORTS_REQUEST__INIT;
	Fhswitch__V1__ListPortsResponse *r;
	Fhswitch__V1__Counters *c = NULL;
	struct tbl t;
	pbm *m = NULL;
	int ret;

	ret = parse_args(a, "ports", argc, argv, NULL, NULL, NULL, NULL, 0, 0);
	if (ret == 0) {
		ret = list_call(a, SVC("Ports", "List"), &q.base,
				&fhswitch__v1__list_ports_response__descriptor,
				&m, &c);
	}
	if (m == NULL) {
		return ret;
	}
	r = (void *)m;
	tbl_init(&t, 6, "NAME", "DEVICE", "ROLE", ">RX", ">TX", ">DROPS");
	for (size_t i = 0; i < r->n_ports; i++) {
		const Fhswitch__V1__Port *p = r->ports[i];
		const Fhswitch__V1__PortCounters *pc =
			port_counters(c, p->name);
		char rx[24], tx[24], dr[24];

		tbl_row(&t, p->name, p->device,
			p->role ?
				enum_short(&fhswitch__v1__port_role__descriptor,
					   p->role, "ROLE_") :
				NULL,
			pc ? u64s(rx, pc->rx_packets) : NULL,
			pc ? u64s(tx, pc->tx_packets) : NULL,
			pc ? u64s(dr, pc->drops) : NULL);
	}
	tbl_print(&t);
	mgmt_pb_free(c);
	mgmt_pb_free(r);
	return FHCTL_EXIT_OK;
}

/* "in=A plane=U dir=DL eaxc=0x10/0xff0 ..."; "*" matches everything. */
static void match_summary(const Fhswitch__V1__FlowMatch *m, char *b, size_t n)
{
	b[0] = '\0';
	if (m == NULL) {
		snprintf(b, n, "*");
		return;
	}
	if (m->in_port[0] != '\0') {
		add(b, n, "in=%s", m->in_port);
	}
	if (m->vlan_id != 0) {
		add(b, n, "vlan=%u", m->vlan_id);
	}
	if (m->pcp_present_case == FHSWITCH__V1__FLOW_MATCH__PCP_PRESENT_PCP) {
		add(b, n, "pcp=%u", m->pcp);
	}
	if (m->plane != FHSWITCH__V1__PLANE__PLANE_ANY) {
		add(b, n, "plane=%s",
		    enum_short(&fhswitch__v1__plane__descriptor, m->plane,
			       "PLANE_"));
	}
	if (m->direction != FHSWITCH__V1__DIRECTION__DIRECTION_ANY) {
		add(b, n, "dir=%s",
		    enum_short(&fhswitch__v1__direction__descriptor,
			       m->direction, "DIRECTION_"));
	}
	if (m->eaxc_mask != 0) {
		add(b, n, "eaxc=0x%x/0x%x", m->eaxc_id, m->eaxc_mask);
	}
	if (m->src_mac[0] != '\0') {
		add(b, n, "src=%s", m->src_mac);
	}
	if (m->dst_mac[0] != '\0') {
		add(b, n, "dst=%s", m->dst_mac);
	}
	if (m->udp_port != 0) {
		add(b, n, "udp=%u", m->udp_port);
	}
	if (b[0] == '\0') {
		snprintf(b, n, "*");
	}
}

/* "out=B,C vlan=5 pcp=3 eaxc=0x12 layout=4,4,4,4 window=-100..200us". */
static void action_summary(const Fhswitch__V1__Flow *f, char *b, size_t n)
{
	const Fhswitch__V1__FlowAction *x = f->action;

	b[0] = '\0';
	if (x != NULL && x->drop) {
		add(b, n, "drop");
	}
	if (x != NULL && x->n_out_ports > 0) {
		add(b, n, "out=");
		for (size_t i = 0; i < x->n_out_ports; i++) {
			size_t len = strlen(b);

			snprintf(b + len, n - len, "%s%s", i ? "," : "",
				 x->out_ports[i]);
		}
	}
	if (x != NULL && x->pop_vlan) {
		add(b, n, "pop-vlan");
	}
	if (x != NULL && x->set_vlan_id != 0) {
		add(b, n, "vlan=%u", x->set_vlan_id);
	}
	if (x != NULL &&
	    x->set_pcp_present_case ==
		    FHSWITCH__V1__FLOW_ACTION__SET_PCP_PRESENT_SET_PCP) {
		add(b, n, "pcp=%u", x->set_pcp);
	}
	if (x != NULL && x->set_src_mac[0] != '\0') {
		add(b, n, "src=%s", x->set_src_mac);
	}
	if (x != NULL && x->set_dst_mac[0] != '\0') {
		add(b, n, "dst=%s", x->set_dst_mac);
	}
	if (x != NULL &&
	    x->set_eaxc_id_present_case ==
		    FHSWITCH__V1__FLOW_ACTION__SET_EAXC_ID_PRESENT_SET_EAXC_ID) {
		add(b, n, "eaxc=0x%x", x->set_eaxc_id);
	}
	if (x != NULL && x->translate_eaxc_layout != NULL) {
		const Fhswitch__V1__EaxcLayout *l = x->translate_eaxc_layout;

		add(b, n, "layout=%u,%u,%u,%u", l->du_port_bits,
		    l->band_sector_bits, l->cc_bits, l->ru_port_bits);
	}
	if (f->window != NULL) {
		add(b, n, "window=%" PRId64 "..%" PRId64 "us",
		    f->window->earliest_us, f->window->latest_us);
	}
}

static int flows(struct api *a, int argc, char **argv)
{
	Fhswitch__V1__ListFlowsRequest q =
		FHSWITCH__V1__LIST_FLOWS_REQUEST__INIT;
	Fhswitch__V1__ListFlowsResponse *r;
	Fhswitch__V1__Counters *c = NULL;
	struct tbl t;
	pbm *m = NULL;
	int ret;

	ret = parse_args(a, "flows", argc, argv, NULL, NULL, NULL, NULL, 0, 0);
	if (ret == 0) {
		ret = list_call(a, SVC("Flows", "List"), &q.base,
				&fhswitch__v1__list_flows_response__descriptor,
				&m, &c);
	}
	if (m == NULL) {
		return ret;
	}
	r = (void *)m;
	tbl_init(&t, 7, "NAME", "MATCH", "ACTIONS", ">RX_TOTAL", ">ON_TIME",
		 ">EARLY", ">LATE");
	for (size_t i = 0; i < r->n_flows; i++) {
		const Fhswitch__V1__Flow *f = r->flows[i];
		const Fhswitch__V1__FlowCounters *fc =
			flow_counters(c, f->name);
		char mt[256], x[256], n[4][24];

		match_summary(f->match, mt, sizeof(mt));
		action_summary(f, x, sizeof(x));
		tbl_row(&t, f->name, mt, x,
			fc ? fctr(n[0], fc, "rx_total", fc->rx_total) : NULL,
			fc ? fctr(n[1], fc, "rx_on_time", fc->rx_on_time) :
			     NULL,
			fc ? fctr(n[2], fc, "rx_early", fc->rx_early) : NULL,
			fc ? fctr(n[3], fc, "rx_late", fc->rx_late) : NULL);
	}
	tbl_print(&t);
	mgmt_pb_free(c);
	mgmt_pb_free(r);
	return FHCTL_EXIT_OK;
}

static int flow_opt(void *ctx, const char *opt, const char *val)
{
	unsigned long v;

	if (fhctl_parse_uint(val, 1, UINT64_MAX, &v) < 0) {
		return bad_value(opt, val, "a version >= 1");
	}
	*(uint64_t *)ctx = v;
	return 0;
}

static const char *const flow_opts[] = {"--expected-version", NULL};

static int flow_add(struct api *a, int argc, char **argv)
{
	Fhswitch__V1__FlowChangeRequest q =
		FHSWITCH__V1__FLOW_CHANGE_REQUEST__INIT;
	Fhswitch__V1__ChangeResponse *r;
	const char *file;
	pbm *m;
	int ret;

	ret = parse_args(a, "flow add FILE|- [--expected-version V]", argc,
			 argv, flow_opts, flow_opt, &q.expected_version, &file,
			 1, 1);
	if (ret == 0) {
		ret = load_msg(file, &fhswitch__v1__flow__descriptor, NULL, &m);
		q.flow = (void *)m;
	}
	if (ret != 0) {
		return ret;
	}
	ret = api_call(a, SVC("Flows", "Add"), &q.base,
		       &fhswitch__v1__change_response__descriptor, &m);
	r = (void *)m;
	if (ret == 0 && a->g.json) {
		ret = print_json(&r->base, false);
	} else if (ret == 0) {
		printf("added flow %s: version %" PRIu64 "\n", q.flow->name,
		       r->version);
	}
	mgmt_pb_free(q.flow);
	mgmt_pb_free(r);
	return ret;
}

static int flow_del(struct api *a, int argc, char **argv)
{
	Fhswitch__V1__DeleteFlowRequest q =
		FHSWITCH__V1__DELETE_FLOW_REQUEST__INIT;
	Fhswitch__V1__ChangeResponse *r;
	const char *name;
	pbm *m;
	int ret;

	ret = parse_args(a, "flow del NAME [--expected-version V]", argc, argv,
			 flow_opts, flow_opt, &q.expected_version, &name, 1, 1);
	if (ret != 0) {
		return ret;
	}
	q.name = (char *)name;
	ret = api_call(a, SVC("Flows", "Delete"), &q.base,
		       &fhswitch__v1__change_response__descriptor, &m);
	r = (void *)m;
	if (ret == 0 && a->g.json) {
		ret = print_json(&r->base, false);
	} else if (ret == 0) {
		printf("deleted flow %s: version %" PRIu64 "\n", name,
		       r->version);
	}
	mgmt_pb_free(r);
	return ret;
}

static int flow_status(struct api *a, int argc, char **argv)
{
	Fhswitch__V1__FlowStatusRequest q =
		FHSWITCH__V1__FLOW_STATUS_REQUEST__INIT;
	Fhswitch__V1__FlowStatusResponse *r;
	const char **names = calloc((size_t)argc + 1, sizeof(*names));
	struct tbl t;
	pbm *m = NULL;
	int ret;

	if (names == NULL) {
		fprintf(stderr, "fhctl: out of memory\n");
		return FHCTL_EXIT_ERROR;
	}
	ret = parse_args(a, "flow status [NAME]...", argc, argv, NULL, NULL,
			 NULL, names, 0, argc);
	for (q.n_names = 0; names[q.n_names] != NULL; q.n_names++) {
	}
	q.names = (char **)names;
	if (ret == 0) {
		ret = list_call(a, SVC("Flows", "Status"), &q.base,
				&fhswitch__v1__flow_status_response__descriptor,
				&m, NULL);
	}
	free(names);
	if (m == NULL) {
		return ret;
	}
	r = (void *)m;
	printf("backend %s\n", r->backend);
	tbl_init(&t, 5, "FLOW", ">RULES", ">IN_HW", "WHERE", "DETAIL");
	for (size_t i = 0; i < r->n_flows; i++) {
		const Fhswitch__V1__FlowStatus *f = r->flows[i];
		char n[2][24];

		tbl_row(&t, f->name, u64s(n[0], f->rules),
			u64s(n[1], f->rules_in_hw),
			f->in_hw ? "hardware" : "software", f->detail);
	}
	tbl_print(&t);
	mgmt_pb_free(r);
	return FHCTL_EXIT_OK;
}

static void print_counters(const Fhswitch__V1__Counters *c)
{
	struct tbl t;
	char when[40];

	utc_time(c->timestamp_ns / 1000000000,
		 (long)(c->timestamp_ns % 1000000000 / 1000000), when,
		 sizeof(when));
	printf("counters at %s, config version %" PRIu64 "\n", when,
	       c->config_version);
	tbl_init(&t, 6, "PORT", ">RX_PACKETS", ">TX_PACKETS", ">RX_BYTES",
		 ">TX_BYTES", ">DROPS");
	for (size_t i = 0; i < c->n_ports; i++) {
		const Fhswitch__V1__PortCounters *p = c->ports[i];
		char n[5][24];

		tbl_row(&t, p->name, u64s(n[0], p->rx_packets),
			u64s(n[1], p->tx_packets), u64s(n[2], p->rx_bytes),
			u64s(n[3], p->tx_bytes), u64s(n[4], p->drops));
	}
	tbl_print(&t);
	if (c->n_flows > 0) {
		putchar('\n');
		tbl_init(&t, 8, "FLOW", ">RX_TOTAL", ">ON_TIME", ">EARLY",
			 ">LATE", ">CORRUPT", ">SEQID_ERR", ">TX_TOTAL");
		for (size_t i = 0; i < c->n_flows; i++) {
			const Fhswitch__V1__FlowCounters *f = c->flows[i];
			char n[7][24];

			tbl_row(&t, f->name,
				fctr(n[0], f, "rx_total", f->rx_total),
				fctr(n[1], f, "rx_on_time", f->rx_on_time),
				fctr(n[2], f, "rx_early", f->rx_early),
				fctr(n[3], f, "rx_late", f->rx_late),
				fctr(n[4], f, "rx_corrupt", f->rx_corrupt),
				fctr(n[5], f, "rx_seqid_err", f->rx_seqid_err),
				fctr(n[6], f, "tx_total", f->tx_total));
		}
		tbl_print(&t);
	}
	if (c->l2 != NULL) {
		printf("\nl2: forwarded %" PRIu64 ", flooded %" PRIu64 "\n",
		       c->l2->forwarded, c->l2->flooded);
	}
}

struct counters_opts {
	char **flows; /* into argv */
	size_t n_flows;
	long watch_s; /* -1: no --watch */
	uint32_t interval_ms;
};

static int counters_opt(void *ctx, const char *opt, const char *val)
{
	struct counters_opts *o = ctx;
	unsigned long v;

	if (strcmp(opt, "--flow") == 0) {
		if (val[0] == '\0') {
			return bad_value(opt, val, "a flow name");
		}
		o->flows[o->n_flows++] = (char *)val;
	} else if (strcmp(opt, "--watch") == 0) {
		if (fhctl_parse_uint(val, 0, 31 * 86400, &v) < 0) {
			return bad_value(opt, val,
					 "seconds (0 = until "
					 "interrupted)");
		}
		o->watch_s = (long)v;
	} else {
		if (fhctl_parse_uint(val, 10, 60000, &v) < 0) {
			return bad_value(opt, val, "milliseconds 10..60000");
		}
		o->interval_ms = (uint32_t)v;
	}
	return 0;
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int counters_watch(struct api *a, const struct counters_opts *o)
{
	Fhswitch__V1__WatchCountersRequest q =
		FHSWITCH__V1__WATCH_COUNTERS_REQUEST__INIT;
	struct mgmt_client_stream *s;
	struct mgmt_status st;
	struct sigaction sa;
	bool cancelled = false;
	unsigned samples = 0;
	unsigned timeout_ms = 0;
	int ret;

	q.interval_ms = o->interval_ms;
	q.flows = o->flows;
	q.n_flows = o->n_flows;
	if (o->watch_s > 0) {
		/* samples at 0, interval, 2 * interval ... up to watch_s */
		q.max_samples = (uint32_t)((uint64_t)o->watch_s * 1000 /
					   o->interval_ms) +
				1;
		timeout_ms = (unsigned)o->watch_s * 1000 + o->interval_ms +
			     a->g.timeout_ms;
	}
	ret = api_client(a);
	if (ret != 0) {
		return ret;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	for (int sig = 0; sig < 2; sig++) {
		struct sigaction old;
		int no = sig == 0 ? SIGINT : SIGTERM;

		/* a background job of a script keeps ignoring SIGINT */
		if (sigaction(no, NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN) {
			sigaction(no, &sa, NULL);
		}
	}
	if (mgmt_client_stream_start(a->cl, SVC("CountersService", "Watch"),
				     &q.base,
				     &fhswitch__v1__counters__descriptor,
				     timeout_ms, &s, &st) != MGMT_OK) {
		return api_status(a, &st);
	}
	for (;;) {
		ProtobufCMessage *m;
		int r;

		if (interrupted && !cancelled) {
			mgmt_client_stream_cancel(s);
			cancelled = true;
		}
		r = mgmt_client_stream_next(s, WATCH_POLL_MS, &m, &st);
		if (r == -EAGAIN) {
			continue;
		}
		if (r == 0) {
			break;
		}
		if (a->g.json) {
			ret = print_json(m, true);
		} else {
			if (samples > 0) {
				putchar('\n');
			}
			print_counters((const Fhswitch__V1__Counters *)m);
		}
		fflush(stdout);
		samples++;
		mgmt_pb_free(m);
		if (ret != 0) {
			mgmt_client_stream_cancel(s);
			cancelled = true;
		}
	}
	mgmt_client_stream_close(s);
	if (ret != 0) {
		return ret;
	}
	if (cancelled && st.code == MGMT_CANCELLED) {
		return FHCTL_EXIT_OK; /* interrupted: the user's way to stop */
	}
	return api_status(a, &st);
}

static int counters(struct api *a, int argc, char **argv)
{
	static const char *const opts[] = {"--flow", "--watch", "--interval",
					   NULL};
	struct counters_opts o = {.watch_s = -1};
	Fhswitch__V1__Counters *c;
	pbm *m;
	int ret;

	/* at most one --flow per argument ("--flow=NAME") */
	o.flows = calloc((size_t)argc + 1, sizeof(*o.flows));
	if (o.flows == NULL) {
		fprintf(stderr, "fhctl: out of memory\n");
		return FHCTL_EXIT_ERROR;
	}
	ret = parse_args(a,
			 "counters [--flow NAME]... [--watch SECS "
			 "[--interval MS]]",
			 argc, argv, opts, counters_opt, &o, NULL, 0, 0);
	if (ret == 0 && o.interval_ms != 0 && o.watch_s < 0) {
		fprintf(stderr, "fhctl: counters: --interval needs --watch\n");
		ret = FHCTL_EXIT_USAGE;
	}
	if (ret == 0 && o.watch_s >= 0) {
		if (o.interval_ms == 0) {
			o.interval_ms = 1000;
		}
		ret = counters_watch(a, &o);
	} else if (ret == 0) {
		ret = get_counters(a, o.flows, o.n_flows, &m);
		c = (void *)m;
		if (ret == 0 && a->g.json) {
			ret = print_json(&c->base, false);
		} else if (ret == 0) {
			print_counters(c);
		}
		if (ret == 0) {
			mgmt_pb_free(c);
		}
	}
	free(o.flows);
	return ret;
}

/* ---- health and version -------------------------------------------------- */

static int health(struct api *a, int argc, char **argv)
{
	Grpc__Health__V1__HealthCheckRequest q =
		GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
	Grpc__Health__V1__HealthCheckResponse *r;
	const char *service = "";
	pbm *m;
	int ret;

	ret = parse_args(a, "health [SERVICE]", argc, argv, NULL, NULL, NULL,
			 &service, 0, 1);
	if (ret == 0) {
		q.service = (char *)service;
		ret = api_call(
			a, "/grpc.health.v1.Health/Check", &q.base,
			&grpc__health__v1__health_check_response__descriptor,
			&m);
		r = (void *)m;
	}
	if (ret != 0) {
		return ret;
	}
	if (a->g.json) {
		ret = print_json(&r->base, false);
	} else {
		puts(enum_short(
			&grpc__health__v1__health_check_response__serving_status__descriptor,
			r->status, ""));
	}
	mgmt_pb_free(r);
	return ret;
}

int fhctl_version_main(const struct fhctl_global *g, int argc, char **argv)
{
	Fhswitch__V1__GetVersionRequest q =
		FHSWITCH__V1__GET_VERSION_REQUEST__INIT;
	Fhswitch__V1__VersionResponse *r = NULL;
	struct api a = {.g = *g};
	struct mgmt_status st = {.code = MGMT_OK};
	const char *simd = fh_simd_name(fh_simd_get());
	pbm *m;
	int ret;

	ret = parse_args(&a, "version", argc - 1, argv + 1, NULL, NULL, NULL,
			 NULL, 0, 0);
	if (ret != 0) {
		return ret;
	}
	if (!a.g.json) {
		printf("fhctl %s (SIMD: %s)\n", FHSWITCH_VERSION, simd);
		fflush(stdout);
	}
	ret = api_client(&a);
	if (ret == 0) {
		mgmt_client_unary(a.cl, SVC("System", "GetVersion"), &q.base,
				  &fhswitch__v1__version_response__descriptor,
				  a.g.timeout_ms, &m, &st);
		r = (void *)m;
		/* the local version is the answer when nobody serves */
		if (status_is_connect(st.code)) {
			fprintf(stderr, "fhctl: no server at %s (%s: %s)\n",
				a.g.server, mgmt_code_name(st.code),
				st.message);
		} else {
			ret = api_status(&a, &st);
		}
	}
	if (a.g.json) {
		json_t *j = json_pack("{s:{s:s,s:s}}", "fhctl", "version",
				      FHSWITCH_VERSION, "simd", simd);
		char *s;

		if (j != NULL && r != NULL) {
			json_object_set_new(j, "server",
					    mgmt_pb_to_json(&r->base));
		}
		s = j != NULL ? json_dumps(j, JSON_INDENT(2)) : NULL;
		if (s != NULL) {
			puts(s);
		}
		free(s);
		json_decref(j);
	} else if (r != NULL) {
		printf("fhswd %s at %s (backend %s, up %.1f s, config version "
		       "%" PRIu64 ")\n",
		       r->version, a.g.server, r->backend, r->uptime_s,
		       r->config_version);
		if (r->degraded != NULL && r->degraded[0] != '\0') {
			printf("DEGRADED: %s\n", r->degraded);
		}
	}
	mgmt_pb_free(r);
	mgmt_client_close(a.cl);
	return ret;
}

/* ---- dispatch ------------------------------------------------------------ */

static const struct {
	const char *cmd, *sub; /* sub NULL: a one-word command */
	int (*run)(struct api *a, int argc, char **argv);
} cmds[] = {
	{"config", "get", config_get},
	{"config", "validate", config_validate},
	{"config", "commit", config_commit},
	{"config", "confirm", config_confirm},
	{"config", "rollback", config_rollback},
	{"config", "versions", config_versions},
	{"ports", NULL, ports},
	{"flows", NULL, flows},
	{"flow", "add", flow_add},
	{"flow", "del", flow_del},
	{"flow", "status", flow_status},
	{"counters", NULL, counters},
	{"health", NULL, health},
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

bool fhctl_api_command(const char *name)
{
	for (size_t i = 0; i < N_CMDS; i++) {
		if (strcmp(cmds[i].cmd, name) == 0) {
			return true;
		}
	}
	return false;
}

int fhctl_api_main(const struct fhctl_global *g, int argc, char **argv)
{
	struct api a = {.g = *g};
	int ret = -1;

	for (size_t i = 0; i < N_CMDS && ret < 0; i++) {
		if (strcmp(cmds[i].cmd, argv[0]) != 0) {
			continue;
		}
		if (cmds[i].sub == NULL) {
			ret = cmds[i].run(&a, argc - 1, argv + 1);
		} else if (argc > 1 && strcmp(cmds[i].sub, argv[1]) == 0) {
			ret = cmds[i].run(&a, argc - 2, argv + 2);
		}
	}
	if (ret < 0) {
		fprintf(stderr, "fhctl: %s: %s%s%s; one of:", argv[0],
			argc > 1 ? "unknown subcommand '" :
				   "subcommand missing",
			argc > 1 ? argv[1] : "", argc > 1 ? "'" : "");
		for (size_t i = 0; i < N_CMDS; i++) {
			if (strcmp(cmds[i].cmd, argv[0]) == 0) {
				fprintf(stderr, " %s", cmds[i].sub);
			}
		}
		fputc('\n', stderr);
		ret = FHCTL_EXIT_USAGE;
	}
	mgmt_client_close(a.cl);
	return ret;
}
