/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to fhctl's switch commands (client.c and the cmd_*.c command
 * groups): the connection, calls, input/output helpers, tables and the
 * argument walker every command uses.  Each helper that reports an error
 * prints it on stderr and returns the FHCTL_EXIT_* code it means.
 */
#ifndef FHCTL_API_H
#define FHCTL_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fhctl.h"
#include "fhswitch/v1/api.pb-c.h"
#include "mgmt_grpc_client.h"

#define API_FILE_MAX (64u << 20) /* largest JSON input accepted */
#define SVC(s, m) "/fhswitch.v1." s "/" m

typedef ProtobufCMessage pbm;

struct api {
	struct fhctl_global g;
	struct mgmt_client *cl; /* opened on first use */
};

/* One command: "config get" is {"config", "get", fn}; sub NULL for a
 * one-word command.  Each group ends its table with {NULL}. */
struct api_cmd {
	const char *cmd, *sub;
	int (*run)(struct api *a, int argc, char **argv);
};

extern const struct api_cmd api_config_cmds[]; /* cmd_config.c */
extern const struct api_cmd api_flow_cmds[]; /* cmd_flows.c */
extern const struct api_cmd api_counter_cmds[]; /* cmd_counters.c */
extern const struct api_cmd api_system_cmds[]; /* cmd_system.c */

/* ---- transport (client.c) ---- */

/* Open a->cl unless open; 0 or an exit code (reported). */
int api_client(struct api *a);
/* UNAVAILABLE or DEADLINE_EXCEEDED: nobody (reachable) serves. */
bool api_is_connect(int code);
/* Report a non-OK status; the exit code it means. */
int api_status(const struct api *a, const struct mgmt_status *st);
/* One unary call; 0 with *resp or an exit code (reported). */
int api_call(struct api *a, const char *path, const pbm *req,
	     const ProtobufCMessageDescriptor *d, pbm **resp);

/* ---- input and output ---- */

/* "stdin" for "-", else path. */
const char *api_file_name(const char *path);
/* The text of path ("-": stdin), NUL-terminated; NULL when reported. */
char *api_read_text(const char *path);
/* A message of type d from the JSON in path; unwrap: a top-level key of
 * that name holding an object stands for that object.  0 or an exit code. */
int api_load_msg(const char *path, const ProtobufCMessageDescriptor *d,
		 const char *unwrap, pbm **out);
/* The proto3 JSON of m: indented, or one line (streams). */
int api_print_json(const pbm *m, bool one_line);
/* An enum's value name without its prefix: ROLE_DU -> "DU". */
const char *api_enum_short(const ProtobufCEnumDescriptor *d, int v,
			   const char *prefix);
/* v in decimal into buf (24 bytes); buf. */
char *api_u64(char *buf, uint64_t v);
/* Append a space-separated item to buf. */
__attribute__((format(printf, 3, 4))) void api_add(char *buf, size_t n,
						   const char *fmt, ...);
/* ISO 8601 UTC; ms < 0: whole seconds. */
void api_utc_time(int64_t unix_s, long ms, char *buf, size_t n);

/* A table: columns sized to their widest cell; a head starting with '>'
 * is right-aligned (numbers). */
#define API_TBL_COLS 10

struct api_tbl {
	size_t ncol;
	const char *head[API_TBL_COLS];
	char **cell; /* nrow * ncol */
	size_t nrow, cap;
	bool oom;
};

void api_tbl_init(struct api_tbl *t, size_t ncol, ...);
/* ncol strings; NULL or "" prints as "-". */
void api_tbl_row(struct api_tbl *t, ...);
/* Print and free. */
void api_tbl_print(struct api_tbl *t);

/* ---- arguments ---- */

/* A command's own options; each takes a value.  0 or -1 (reported). */
typedef int (*api_opt_fn)(void *ctx, const char *opt, const char *val);

/*
 * Walk a command's arguments: global options go to a->g, the options
 * named in opts (NULL-terminated, may be NULL) to fn, the rest are
 * positionals (npos_min..npos_max into pos).  "--" ends the options; "-"
 * is a positional (stdin).
 * @return 0, or FHCTL_EXIT_USAGE (reported with the synopsis syn).
 */
int api_parse_args(struct api *a, const char *syn, int argc, char **argv,
		   const char *const *opts, api_opt_fn fn, void *ctx,
		   const char **pos, int npos_min, int npos_max);
/* Report "OPT 'VAL': WANT expected"; -1. */
int api_bad_value(const char *opt, const char *val, const char *want);

/* ---- counters shared by the listing commands ---- */

/* CountersService.Get for the named flows (n 0: all); eaxc: with the
 * eAxC streams. */
int api_get_counters(struct api *a, char **flows, size_t n, bool eaxc,
		     pbm **out);
const Fhswitch__V1__PortCounters *
api_port_counters(const Fhswitch__V1__Counters *c, const char *name);
const Fhswitch__V1__FlowCounters *
api_flow_counters(const Fhswitch__V1__Counters *c, const char *name);
/* A flow counter's cell into buf (24 bytes): "n/a" where the backend
 * cannot count it. */
/* A port's drops, or "n/a" where the device's are unknown. */
char *api_port_drops(char *buf, const Fhswitch__V1__PortCounters *p);
char *api_ctr_cell(char *buf, char *const *unsupported, size_t n,
		   const char *field, uint64_t v);
#define api_flow_ctr(buf, f, field, v) \
	api_ctr_cell(buf, (f)->unsupported, (f)->n_unsupported, field, v)
/*
 * A listing command's call: with --json the answer is printed and *out
 * is NULL; else *out is the answer for a table, and *c (c not NULL) the
 * counters to go with it.
 */
int api_list_call(struct api *a, const char *path, const pbm *q,
		  const ProtobufCMessageDescriptor *d, pbm **out,
		  Fhswitch__V1__Counters **c);

#endif
