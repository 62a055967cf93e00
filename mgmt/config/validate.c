/* SPDX-License-Identifier: Apache-2.0 */
/* Config validation with every error and its JSON path: what the
 * Config.Validate RPC answers, and the same offline (fhctl config
 * validate --local, fhswd --check). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt_config.h"
#include "mgmt_store.h"
#include "mgmt_json.h"
#include "mgmt_util.h"
#include "fhswitch/v1/api.pb-c.h"

/* Validate one config the way a commit would; 0, or -EINVAL with
 * "PATH: reason" in err. */
static int validate_one(struct hal *h, const pb_config *c, char *err,
			size_t errlen)
{
	struct hal_config cfg;
	struct mgmt_error rs;
	char msg[256];
	int ret;

	if (mgmt_store_check_roles(c, &rs) != 0) {
		snprintf(err, errlen, "%s", rs.message);
		return -EINVAL;
	}
	ret = mgmt_config_from_pb(c, &cfg, err, errlen);
	if (ret < 0) {
		return ret;
	}
	/* the HAL's capabilities are part of validity */
	ret = h != NULL ? hal_check(h, &cfg, msg, sizeof(msg)) :
			  hal_check_offline(&cfg, msg, sizeof(msg));
	if (ret < 0) {
		snprintf(err, errlen, "%s", msg);
	}
	mgmt_config_free(&cfg);
	return ret;
}

#define MAX_VALIDATION_ERRORS 64

/* Append "PATH: reason" to the response, once. */
static int add_error(Fhswitch__V1__ValidateResponse *r, char *err)
{
	Fhswitch__V1__ValidationError *e;
	char *colon = strstr(err, ": ");
	const char *path = "", *msg = err;

	if (colon != NULL) {
		*colon = '\0';
		path = err;
		msg = colon + 2;
	}
	for (size_t i = 0; i < r->n_errors; i++) {
		if (strcmp(r->errors[i]->path, path) == 0 &&
		    strcmp(r->errors[i]->message, msg) == 0) {
			return 0;
		}
	}
	e = mgmt_pb_new(&fhswitch__v1__validation_error__descriptor);
	if (e == NULL) {
		return -ENOMEM;
	}
	e->path = mgmt_strdup(path);
	e->message = mgmt_strdup(msg);
	r->errors[r->n_errors++] = e;
	return 0;
}

/*
 * Every error, not just the first: the validator stops at the first, so
 * the config is also checked part by part — its global sections alone,
 * then each flow alone with the ports (its "flows[0]" renamed back to
 * "flows[i]") — and whatever only the whole shows (ties) comes from the
 * whole.
 */
int mgmt_validate(const pb_config *c, struct hal *h,
		  Fhswitch__V1__ValidateResponse **out)
{
	Fhswitch__V1__ValidateResponse *r =
		mgmt_pb_new(&fhswitch__v1__validate_response__descriptor);
	char err[MGMT_CONFIG_ERR_LEN], whole[MGMT_CONFIG_ERR_LEN];
	pb_config part;

	*out = NULL;
	if (r == NULL) {
		return -ENOMEM;
	}
	r->valid = validate_one(h, c, whole, sizeof(whole)) == 0;
	if (r->valid) {
		*out = r;
		return 0;
	}
	r->errors = calloc(MAX_VALIDATION_ERRORS, sizeof(*r->errors));
	if (r->errors == NULL) {
		mgmt_pb_free(r);
		return -ENOMEM;
	}
	/* shallow copies: part borrows the request's sub-messages */
	part = *c;
	part.n_flows = 0;
	part.flows = NULL;
	if (validate_one(h, &part, err, sizeof(err)) < 0 &&
	    add_error(r, err) < 0) {
		goto oom;
	}
	/* flows are checked against the ports only: sections reported
	 * above (and their errors) stay out of the way */
	part.l2 = NULL;
	part.mgmt = NULL;
	part.hal = NULL;
	part.timing = NULL;
	part.name = (char *)protobuf_c_empty_string;
	if (c->eaxc_layout != NULL && r->n_errors != 0 &&
	    strncmp(r->errors[0]->path, "eaxc_layout", 11) == 0) {
		part.eaxc_layout = NULL; /* the default layout */
	}
	for (size_t i = 0;
	     i < c->n_flows && r->n_errors < MAX_VALIDATION_ERRORS - 1; i++) {
		char fixed[MGMT_CONFIG_ERR_LEN + 16];

		part.n_flows = 1;
		part.flows = &c->flows[i];
		if (validate_one(h, &part, err, sizeof(err)) == 0) {
			continue;
		}
		if (strncmp(err, "flows[0]", 8) == 0) {
			snprintf(fixed, sizeof(fixed), "flows[%zu]%s", i,
				 err + 8);
		} else if (strncmp(err, "ports", 5) == 0 ||
			   strncmp(err, "eaxc_layout", 11) == 0 ||
			   strncmp(err, "timing", 6) == 0) {
			continue; /* a global error, already reported */
		} else {
			snprintf(fixed, sizeof(fixed), "%s", err);
		}
		if (add_error(r, fixed) < 0) {
			goto oom;
		}
	}
	if (r->n_errors == 0 && add_error(r, whole) < 0) {
		goto oom;
	}
	*out = r;
	return 0;
oom:
	mgmt_pb_free(r);
	return -ENOMEM;
}

int mgmt_validate_file(const char *path, Fhswitch__V1__ValidateResponse **out,
		       char *err, size_t errlen)
{
	ProtobufCMessage *m = NULL;
	char *text = NULL, msg[MGMT_CONFIG_ERR_LEN];
	size_t len = 0;
	int ret;

	*out = NULL;
	ret = mgmt_read_file(path, MGMT_CONFIG_MAX_FILE, &text, &len, err,
			     errlen);
	if (ret < 0) {
		return ret;
	}
	if (strlen(text) != len) {
		free(text);
		snprintf(err, errlen, "%s: holds a NUL byte", path);
		return -EINVAL;
	}
	ret = mgmt_json_text_to_pb(&fhswitch__v1__switch_config__descriptor,
				   text, &m, msg, sizeof(msg));
	free(text);
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", path, msg);
		return ret == -ENOMEM ? ret : -EINVAL;
	}
	ret = mgmt_validate((const pb_config *)m, NULL, out);
	mgmt_pb_free(m);
	if (ret < 0) {
		snprintf(err, errlen, "out of memory");
	}
	return ret;
}
