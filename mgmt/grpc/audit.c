/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mgmt_audit.h"

struct mgmt_audit {
	FILE *f;
};

const char *mgmt_role_name(enum mgmt_role r)
{
	static const char *const names[] = {"none", "viewer", "operator",
					    "admin"};

	return (unsigned)r < 4 ? names[r] : "?";
}

const char *mgmt_code_name(int code)
{
	static const char *const names[] = {
		"OK",
		"CANCELLED",
		"UNKNOWN",
		"INVALID_ARGUMENT",
		"DEADLINE_EXCEEDED",
		"NOT_FOUND",
		"ALREADY_EXISTS",
		"PERMISSION_DENIED",
		"RESOURCE_EXHAUSTED",
		"FAILED_PRECONDITION",
		"ABORTED",
		"OUT_OF_RANGE",
		"UNIMPLEMENTED",
		"INTERNAL",
		"UNAVAILABLE",
		"DATA_LOSS",
		"UNAUTHENTICATED",
	};

	return code >= 0 && code < 17 ? names[code] : "UNKNOWN";
}

int mgmt_audit_open(const char *path, struct mgmt_audit **out)
{
	struct mgmt_audit *a = calloc(1, sizeof(*a));
	int fd, ret;

	if (a == NULL) {
		return -ENOMEM;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0 || (a->f = fdopen(fd, "a")) == NULL) {
		ret = -errno;
		if (fd >= 0) {
			close(fd);
		}
		free(a);
		return ret;
	}
	*out = a;
	return 0;
}

void mgmt_audit_close(struct mgmt_audit *a)
{
	if (a != NULL) {
		fclose(a->f);
		free(a);
	}
}

/* json_string refuses invalid UTF-8 (a certificate can carry anything) */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s != NULL ? s : "");

	return j != NULL ? j : json_string("(not UTF-8)");
}

static const char *req_comment(const ProtobufCMessage *req)
{
	const ProtobufCFieldDescriptor *f;
	const char *s;

	if (req == NULL) {
		return NULL;
	}
	f = protobuf_c_message_descriptor_get_field_by_name(req->descriptor,
							    "comment");
	if (f == NULL || f->type != PROTOBUF_C_TYPE_STRING ||
	    f->label == PROTOBUF_C_LABEL_REPEATED ||
	    (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0) {
		return NULL;
	}
	memcpy(&s, (const char *)req + f->offset, sizeof(s));
	return s != NULL && *s != '\0' ? s : NULL;
}

int mgmt_audit_write(struct mgmt_audit *a, const struct mgmt_call_info *ci,
		     const ProtobufCMessage *req, const struct mgmt_status *st)
{
	const char *comment = req_comment(req);
	struct timespec ts;
	struct tm tm;
	char day[32], when[64];
	json_t *o;
	char *line;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when, sizeof(when), "%s.%03dZ", day,
		 (int)(ts.tv_nsec / 1000000));
	o = json_object();
	if (o == NULL) {
		return -ENOMEM;
	}
	json_object_set_new(o, "time", jstr(when));
	json_object_set_new(o, "peer", jstr(ci->peer));
	json_object_set_new(o, "identity", jstr(ci->identity));
	json_object_set_new(o, "role", jstr(mgmt_role_name(ci->role)));
	json_object_set_new(o, "method", jstr(ci->method));
	json_object_set_new(o, "code", json_integer(st->code));
	json_object_set_new(o, "status", jstr(mgmt_code_name(st->code)));
	json_object_set_new(o, "message", jstr(st->message));
	if (comment != NULL) {
		json_object_set_new(o, "comment", jstr(comment));
	}
	line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (line == NULL) {
		return -ENOMEM;
	}
	if (fprintf(a->f, "%s\n", line) < 0 || fflush(a->f) != 0 ||
	    fsync(fileno(a->f)) != 0) {
		ret = errno ? -errno : -EIO;
		clearerr(a->f);
	}
	free(line);
	return ret;
}
