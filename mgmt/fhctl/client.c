/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fhctl's switch commands: the fhswitch.v1 API and grpc.health.v1 over the
 * gRPC client of mgmt_grpc_client.h.  Requests come from the command line
 * or from JSON files through the generic codec (mgmt_json.h); answers
 * print as tables, or with --json as the proto3 JSON of the response.
 * This file holds the transport, the helpers every command group uses
 * (api.h) and the dispatch; the commands are in cmd_*.c.  Exit codes:
 * fhctl.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "mgmt_audit.h"
#include "mgmt_json.h"
#include "mgmt_util.h"

/* ---- transport ----------------------------------------------------------- */

/* 0 or an exit code (reported). */
int api_client(struct api *a)
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

bool api_is_connect(int code)
{
	return code == MGMT_UNAVAILABLE || code == MGMT_DEADLINE_EXCEEDED;
}

/* Report a non-OK status; the exit code it means. */
int api_status(const struct api *a, const struct mgmt_status *st)
{
	if (st->code == MGMT_OK) {
		return FHCTL_EXIT_OK;
	}
	if (api_is_connect(st->code)) {
		fprintf(stderr, "fhctl: %s: %s (server %s)\n",
			mgmt_code_name(st->code), st->message, a->g.server);
		return FHCTL_EXIT_CONNECT;
	}
	fprintf(stderr, "fhctl: %s: %s\n", mgmt_code_name(st->code),
		st->message);
	return FHCTL_EXIT_SERVER;
}

/* One unary call; 0 with *resp or an exit code (reported). */
int api_call(struct api *a, const char *path, const pbm *req,
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

const char *api_file_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "stdin" : path;
}

/* The text of path ("-": stdin), NUL-terminated; NULL when reported. */
char *api_read_text(const char *path)
{
	char err[512], *text;

	if (mgmt_read_file(path, API_FILE_MAX, &text, NULL, err, sizeof(err)) <
	    0) {
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
int api_load_msg(const char *path, const ProtobufCMessageDescriptor *d,
		 const char *unwrap, pbm **out)
{
	char err[MGMT_JSON_ERR_LEN];
	json_error_t je;
	json_t *root, *j;
	char *text;
	int ret;

	*out = NULL;
	text = api_read_text(path);
	if (text == NULL) {
		return FHCTL_EXIT_ERROR;
	}
	root = json_loads(text, MGMT_JSON_LOAD_FLAGS, &je);
	free(text);
	if (root == NULL) {
		fprintf(stderr, "fhctl: %s: line %d column %d: %s\n",
			api_file_name(path), je.line, je.column, je.text);
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
		fprintf(stderr, "fhctl: %s: %s\n", api_file_name(path),
			ret == -ENOMEM ? "out of memory" : err);
		return FHCTL_EXIT_ERROR;
	}
	return FHCTL_EXIT_OK;
}

/* The proto3 JSON of m: indented, or one line (streams). */
int api_print_json(const pbm *m, bool one_line)
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
const char *api_enum_short(const ProtobufCEnumDescriptor *d, int v,
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

void api_tbl_init(struct api_tbl *t, size_t ncol, ...)
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
void api_tbl_row(struct api_tbl *t, ...)
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
void api_tbl_print(struct api_tbl *t)
{
	size_t w[API_TBL_COLS];

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

char *api_u64(char *buf, uint64_t v)
{
	snprintf(buf, 24, "%" PRIu64, v);
	return buf;
}

/* Append a space-separated item to buf. */
void api_add(char *buf, size_t n, const char *fmt, ...)
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

void api_utc_time(int64_t unix_s, long ms, char *buf, size_t n)
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

/*
 * Walk a command's arguments: global options go to a->g, the options
 * named in opts (NULL-terminated, may be NULL) to fn, the rest are
 * positionals (npos_min..npos_max into pos).  "--" ends the options; "-"
 * is a positional (stdin).
 * @return 0, or FHCTL_EXIT_USAGE (reported with the synopsis syn).
 */
int api_parse_args(struct api *a, const char *syn, int argc, char **argv,
		   const char *const *opts, api_opt_fn fn, void *ctx,
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

int api_bad_value(const char *opt, const char *val, const char *want)
{
	fprintf(stderr, "fhctl: %s '%s': %s expected\n", opt, val, want);
	return -1;
}

/* ---- ports, flows, counters ---------------------------------------------- */

int api_get_counters(struct api *a, char **flows, size_t n, bool eaxc,
		     pbm **out)
{
	Fhswitch__V1__GetCountersRequest q =
		FHSWITCH__V1__GET_COUNTERS_REQUEST__INIT;

	q.flows = flows;
	q.n_flows = n;
	q.eaxc = eaxc;
	return api_call(a, SVC("CountersService", "Get"), &q.base,
			&fhswitch__v1__counters__descriptor, out);
}

const Fhswitch__V1__PortCounters *
api_port_counters(const Fhswitch__V1__Counters *c, const char *name)
{
	for (size_t i = 0; c != NULL && i < c->n_ports; i++) {
		if (strcmp(c->ports[i]->name, name) == 0) {
			return c->ports[i];
		}
	}
	return NULL;
}

const Fhswitch__V1__FlowCounters *
api_flow_counters(const Fhswitch__V1__Counters *c, const char *name)
{
	for (size_t i = 0; c != NULL && i < c->n_flows; i++) {
		if (strcmp(c->flows[i]->name, name) == 0) {
			return c->flows[i];
		}
	}
	return NULL;
}

/* A flow counter's cell: "n/a" where the backend cannot count it. */
char *api_port_drops(char *buf, const Fhswitch__V1__PortCounters *p)
{
	for (size_t i = 0; i < p->n_unsupported; i++) {
		if (strcmp(p->unsupported[i], "drops") == 0) {
			snprintf(buf, 24, "n/a");
			return buf;
		}
	}
	return api_u64(buf, p->drops);
}

char *api_ctr_cell(char *buf, char *const *unsupported, size_t n,
		   const char *field, uint64_t v)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(unsupported[i], field) == 0) {
			snprintf(buf, 24, "n/a");
			return buf;
		}
	}
	return api_u64(buf, v);
}

/*
 * A listing command's call: with --json the answer is printed and *out
 * is NULL; else *out is the answer for a table, and *c (c not NULL) the
 * counters to go with it.
 */
int api_list_call(struct api *a, const char *path, const pbm *q,
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
		ret = api_print_json(m, false);
		mgmt_pb_free(m);
		return ret;
	}
	if (c != NULL) {
		ret = api_get_counters(a, NULL, 0, false, &cm);
		if (ret != 0) {
			mgmt_pb_free(m);
			return ret;
		}
		*c = (void *)cm;
	}
	*out = m;
	return FHCTL_EXIT_OK;
}

/* ---- dispatch ------------------------------------------------------------ */

static const struct api_cmd *const groups[] = {
	api_config_cmds,
	api_flow_cmds,
	api_counter_cmds,
	api_system_cmds,
};

#define N_GROUPS (sizeof(groups) / sizeof(groups[0]))

/* The i-th command over all groups; NULL past the last. */
static const struct api_cmd *cmd_at(size_t i)
{
	for (size_t g = 0; g < N_GROUPS; g++) {
		size_t n = 0;

		while (groups[g][n].cmd != NULL) {
			n++;
		}
		if (i < n) {
			return &groups[g][i];
		}
		i -= n;
	}
	return NULL;
}

bool fhctl_api_command(const char *name)
{
	const struct api_cmd *c;

	for (size_t i = 0; (c = cmd_at(i)) != NULL; i++) {
		if (strcmp(c->cmd, name) == 0) {
			return true;
		}
	}
	return false;
}

int fhctl_api_main(const struct fhctl_global *g, int argc, char **argv)
{
	struct api a = {.g = *g};
	const struct api_cmd *c;
	int ret = -1;

	for (size_t i = 0; ret < 0 && (c = cmd_at(i)) != NULL; i++) {
		if (strcmp(c->cmd, argv[0]) != 0) {
			continue;
		}
		if (c->sub == NULL) {
			ret = c->run(&a, argc - 1, argv + 1);
		} else if (argc > 1 && strcmp(c->sub, argv[1]) == 0) {
			ret = c->run(&a, argc - 2, argv + 2);
		}
	}
	if (ret < 0) {
		fprintf(stderr, "fhctl: %s: %s%s%s; one of:", argv[0],
			argc > 1 ? "unknown subcommand '" :
				   "subcommand missing",
			argc > 1 ? argv[1] : "", argc > 1 ? "'" : "");
		for (size_t i = 0; (c = cmd_at(i)) != NULL; i++) {
			if (strcmp(c->cmd, argv[0]) == 0) {
				fprintf(stderr, " %s", c->sub);
			}
		}
		fputc('\n', stderr);
		ret = FHCTL_EXIT_USAGE;
	}
	mgmt_client_close(a.cl);
	return ret;
}
