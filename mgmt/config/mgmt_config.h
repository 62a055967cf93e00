/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MGMT_CONFIG_H
#define MGMT_CONFIG_H

#include <stddef.h>

#include "hal.h"

/*
 * The config model (fhswitch.v1.SwitchConfig) to the validated C config
 * the HAL applies (struct hal_config): the "validate everything" phase of
 * a commit (ARCHITECTURE.md "mgmt/", STYLE.md E7).  One pass checks every
 * rule, applies the defaults and resolves port names to indices; the first
 * error found, in document order, is reported as "PATH: reason", where
 * PATH is the JSON path of the offending value, e.g.
 *   flows[3].action.out_ports[0]: no port named "ru9"
 *   flows[5]: overlaps flows[2] ("dl-ru1") with the same specificity
 *
 * On any failure *out is left all-zero with nothing allocated; *out is
 * overwritten, not freed, on entry, so it must not hold a live config.
 */

/* Error buffer size that fits any message these functions write
 * (including the file name of mgmt_config_load_file() up to ~250 bytes). */
#define MGMT_CONFIG_ERR_LEN 512

/* Largest config file mgmt_config_load_file() reads. */
#define MGMT_CONFIG_MAX_FILE (16u << 20)

struct Fhswitch__V1__SwitchConfig;

/*
 * Validate a parsed SwitchConfig and fill *out: defaults applied, ports
 * referenced by index, out->flows allocated (n_flows entries, NULL when
 * there are none) and owned by the caller, released with
 * mgmt_config_free().  pb is not modified or retained.
 *
 * @return 0; -EINVAL with "PATH: reason" in err (errlen bytes; err may be
 *         NULL) when pb, or out, is NULL or any rule is broken; -ENOMEM
 *         ("out of memory").  On failure *out is all-zero.
 */
int mgmt_config_from_pb(const struct Fhswitch__V1__SwitchConfig *pb,
			struct hal_config *out, char *err, size_t errlen);

/*
 * Parse proto3 JSON text (NUL-terminated) with mgmt_json_text_to_pb() and
 * validate it as mgmt_config_from_pb() does.  JSON syntax and schema errors
 * are passed through unchanged ("line 1 column 5: ...",
 * "flows[0].match: unknown field (not in FlowMatch)").
 *
 * @return 0; -EINVAL (detail in err); -ENOMEM.  On failure *out is
 *         all-zero.
 */
int mgmt_config_load_text(const char *json_text, struct hal_config *out,
			  char *err, size_t errlen);

/*
 * Read the file at path and load it as mgmt_config_load_text() does.
 * Every error message starts with the file name: "PATH: strerror" when
 * the file cannot be read, "PATH: " followed by the message of
 * mgmt_config_load_text() otherwise.
 *
 * @return 0; the negative errno of open() or read() (-ENOENT, -EACCES,
 *         -EISDIR, ...); -EFBIG if the file is larger than
 *         MGMT_CONFIG_MAX_FILE; -EINVAL if it holds a NUL byte or fails to
 *         load (detail in err); -ENOMEM.  On failure *out is all-zero.
 */
int mgmt_config_load_file(const char *path, struct hal_config *out, char *err,
			  size_t errlen);

struct Fhswitch__V1__ValidateResponse;

/*
 * Validate c the way a commit would: roles, every config rule, and what
 * the backend can express - h's capabilities, or with h NULL (offline:
 * fhctl config validate --local, fhswd --check) what c's backend can
 * (hal_check_offline).  Every error, not just the first: *out gets
 * valid and the errors as (JSON path, message), the API's
 * fhswitch.v1.ValidateResponse, freed with mgmt_pb_free().
 * @return 0; -ENOMEM.
 */
int mgmt_validate(const struct Fhswitch__V1__SwitchConfig *c, struct hal *h,
		  struct Fhswitch__V1__ValidateResponse **out);

/*
 * mgmt_validate offline of the SwitchConfig JSON in the file at path
 * ("-": standard input).
 * @return 0 with *out set; -EINVAL (unreadable as a SwitchConfig: JSON
 *         syntax or schema, with "FILE: PATH: reason" in err); the read
 *         error (-ENOENT, ...); -ENOMEM.
 */
int mgmt_validate_file(const char *path,
		       struct Fhswitch__V1__ValidateResponse **out, char *err,
		       size_t errlen);

/* Free what mgmt_config_from_pb() allocated and zero *c.  Accepts NULL. */
void mgmt_config_free(struct hal_config *c);

#endif
