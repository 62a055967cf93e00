/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fhctl health and fhctl version: grpc.health.v1 and the System service.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "grpc/health/v1/health.pb-c.h"
#include "mgmt_audit.h"
#include "mgmt_json.h"

static int health(struct api *a, int argc, char **argv)
{
	Grpc__Health__V1__HealthCheckRequest q =
		GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
	Grpc__Health__V1__HealthCheckResponse *r;
	const char *service = "";
	pbm *m;
	int ret;

	ret = api_parse_args(a, "health [SERVICE]", argc, argv, NULL, NULL,
			     NULL, &service, 0, 1);
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
		ret = api_print_json(&r->base, false);
	} else {
		puts(api_enum_short(
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

	ret = api_parse_args(&a, "version", argc - 1, argv + 1, NULL, NULL,
			     NULL, NULL, 0, 0);
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
		if (api_is_connect(st.code)) {
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

const struct api_cmd api_system_cmds[] = {
	{"health", NULL, health},
	{NULL, NULL, NULL},
};
