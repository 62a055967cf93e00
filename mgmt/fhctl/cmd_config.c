/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fhctl config get | validate | commit | confirm | rollback | versions:
 * the Config service.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "mgmt_config.h"
#include "mgmt_json.h"

static int get_opt(void *ctx, const char *opt, const char *val)
{
	(void)opt;
	*(const char **)ctx = val;
	return 0;
}

/* The running config as JSON on stdout, nothing else (so get -> edit ->
 * commit round-trips); its version on stderr and, with --version-file,
 * into that file. */
static int config_get(struct api *a, int argc, char **argv)
{
	static const char *const opts[] = {"--version-file", NULL};
	Fhswitch__V1__GetConfigRequest q =
		FHSWITCH__V1__GET_CONFIG_REQUEST__INIT;
	Fhswitch__V1__GetConfigResponse *r;
	const char *vfile = NULL;
	pbm *m;
	int ret;

	ret = api_parse_args(a, "config get [--version-file FILE]", argc, argv,
			     opts, get_opt, &vfile, NULL, 0, 0);
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
		ret = api_print_json(&r->base, false);
	} else {
		if (r->config != NULL) {
			ret = api_print_json(&r->config->base, false);
		} else {
			puts("{}");
		}
		fprintf(stderr, "version %" PRIu64, r->version);
		if (r->pending_confirm) {
			fprintf(stderr, " (pending confirm: %u s left)",
				r->confirm_remaining_s);
		}
		fputc('\n', stderr);
	}
	if (ret == 0 && vfile != NULL) {
		FILE *f = fopen(vfile, "w");

		if (f == NULL || fprintf(f, "%" PRIu64 "\n", r->version) < 0 ||
		    fclose(f) != 0) {
			fprintf(stderr,
				"fhctl: --version-file %s: cannot write\n",
				vfile);
			ret = 1;
		}
	}
	mgmt_pb_free(r);
	return ret;
}

static int config_validate(struct api *a, int argc, char **argv)
{
	Fhswitch__V1__ValidateRequest q = FHSWITCH__V1__VALIDATE_REQUEST__INIT;
	Fhswitch__V1__ValidateResponse *r;
	const char *file;
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	int n = 0, ret;
	bool local = false;
	pbm *m;

	if (args == NULL) {
		return FHCTL_EXIT_ERROR;
	}
	/* --local: the switch's own validation, here, without a switch */
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--local") == 0) {
			local = true;
		} else {
			args[n++] = argv[i];
		}
	}
	ret = api_parse_args(a, "config validate [--local] FILE", n, args, NULL,
			     NULL, NULL, &file, 1, 1);
	free(args);
	if (ret == 0) {
		ret = api_load_msg(file,
				   &fhswitch__v1__switch_config__descriptor,
				   "config", &m);
		q.config = (void *)m;
	}
	if (ret == 0 && local) {
		if (mgmt_validate(q.config, NULL, &r) < 0) {
			fprintf(stderr, "fhctl: out of memory\n");
			ret = FHCTL_EXIT_ERROR;
		}
		mgmt_pb_free(q.config);
	} else if (ret == 0) {
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
		ret = api_print_json(&r->base, false);
	} else if (r->valid) {
		printf("%s: valid\n", api_file_name(file));
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
			return api_bad_value(opt, val, "a version >= 1");
		}
		o->expected = v;
	} else if (strcmp(opt, "--confirm-timeout") == 0) {
		if (fhctl_parse_uint(val, 1, 3600, &v) < 0) {
			return api_bad_value(opt, val, "seconds 1..3600");
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

	ret = api_parse_args(a,
			     "config commit FILE [--expected-version V] "
			     "[--confirm-timeout S] [--comment TEXT]",
			     argc, argv, opts, commit_opt, &o, &file, 1, 1);
	if (ret == 0) {
		ret = api_load_msg(file,
				   &fhswitch__v1__switch_config__descriptor,
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
		ret = api_print_json(&r->base, false);
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

	ret = api_parse_args(a, "config confirm", argc, argv, NULL, NULL, NULL,
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
		ret = api_print_json(&r->base, false);
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

	ret = api_parse_args(a, "config rollback N", argc, argv, NULL, NULL,
			     NULL, &n, 1, 1);
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
		ret = api_print_json(&r->base, false);
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
	struct api_tbl t;
	pbm *m;
	int ret;

	ret = api_parse_args(a, "config versions", argc, argv, NULL, NULL, NULL,
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
		ret = api_print_json(&r->base, false);
		mgmt_pb_free(r);
		return ret;
	}
	api_tbl_init(&t, 5, ">VERSION", "TIME", "STATE", "IDENTITY", "COMMENT");
	for (size_t i = 0; i < r->n_versions; i++) {
		const Fhswitch__V1__VersionInfo *v = r->versions[i];
		char ver[24], when[32], state[48] = "";

		api_utc_time(v->committed_unix_s, -1, when, sizeof(when));
		if (v->pending_confirm) {
			snprintf(state, sizeof(state),
				 "pending confirm (%u s left)",
				 v->confirm_remaining_s);
		} else if (v->running) {
			snprintf(state, sizeof(state), "running");
		}
		api_tbl_row(&t, api_u64(ver, v->version), when, state,
			    v->identity, v->comment);
	}
	api_tbl_print(&t);
	mgmt_pb_free(r);
	return FHCTL_EXIT_OK;
}

const struct api_cmd api_config_cmds[] = {
	{"config", "get", config_get},
	{"config", "validate", config_validate},
	{"config", "commit", config_commit},
	{"config", "confirm", config_confirm},
	{"config", "rollback", config_rollback},
	{"config", "versions", config_versions},
	{NULL, NULL, NULL},
};
