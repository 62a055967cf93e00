/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Server reflection from the embedded FileDescriptorSet.  Files are served
 * as the bytes protoc wrote (split out of the set without re-encoding);
 * the decoded FileDescriptorProtos are only used to find symbols and
 * dependencies.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "google/protobuf/descriptor.pb-c.h"
#include "grpc/reflection/v1/reflection.pb-c.h"
#include "mgmt_reflect.h"

typedef Google__Protobuf__FileDescriptorProto pb_file;
typedef Google__Protobuf__DescriptorProto pb_msg;
typedef Google__Protobuf__EnumDescriptorProto pb_enum;
typedef Grpc__Reflection__V1__ServerReflectionRequest rf_req;
typedef Grpc__Reflection__V1__ServerReflectionResponse rf_resp;

#define NOT_FOUND 5 /* grpc status codes, inside error_response */
#define INVALID_ARGUMENT 3
#define SYM_MAX 512

/* the oneof cases of request (Q_) and response (A_) */
#define Q_(x) \
	GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_##x
#define A_(x) \
	GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__MESSAGE_RESPONSE_##x

struct rf_file {
	const uint8_t *bytes; /* into mgmt_reflect.set */
	size_t len;
	pb_file *fd;
};

struct mgmt_reflect {
	uint8_t *set;
	struct rf_file *files;
	size_t n_files;
	char **services;
	size_t n_services;
};

static int read_varint(const uint8_t *p, size_t len, size_t *off, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		uint8_t b;

		if (*off >= len) {
			return -EINVAL;
		}
		b = p[(*off)++];
		x |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0) {
			*v = x;
			return 0;
		}
	}
	return -EINVAL;
}

static int add_file(struct mgmt_reflect *r, const uint8_t *b, size_t n)
{
	struct rf_file *f;

	f = realloc(r->files, (r->n_files + 1) * sizeof(*f));
	if (f == NULL) {
		return -ENOMEM;
	}
	r->files = f;
	f = &r->files[r->n_files];
	f->bytes = b;
	f->len = n;
	f->fd = google__protobuf__file_descriptor_proto__unpack(NULL, n, b);
	if (f->fd == NULL || f->fd->name == NULL) {
		if (f->fd != NULL) {
			google__protobuf__file_descriptor_proto__free_unpacked(
				f->fd, NULL);
		}
		return -EINVAL;
	}
	r->n_files++;
	return 0;
}

/* FileDescriptorSet { repeated FileDescriptorProto file = 1; } */
static int index_set(struct mgmt_reflect *r, size_t len)
{
	size_t off = 0;

	while (off < len) {
		uint64_t key, n;
		int ret;

		if (read_varint(r->set, len, &off, &key) < 0) {
			return -EINVAL;
		}
		switch (key & 7) {
		case 0:
			if (read_varint(r->set, len, &off, &n) < 0) {
				return -EINVAL;
			}
			continue;
		case 1:
		case 5:
			n = (key & 7) == 1 ? 8 : 4;
			if (n > len - off) {
				return -EINVAL;
			}
			off += n;
			continue;
		case 2:
			break;
		default:
			return -EINVAL;
		}
		if (read_varint(r->set, len, &off, &n) < 0 || n > len - off) {
			return -EINVAL;
		}
		if ((key >> 3) == 1) {
			ret = add_file(r, r->set + off, (size_t)n);
			if (ret < 0) {
				return ret;
			}
		}
		off += n;
	}
	return 0;
}

int mgmt_reflect_open(const uint8_t *set, size_t len,
		      const char *const *services, size_t n_services,
		      struct mgmt_reflect **out)
{
	struct mgmt_reflect *r;
	int ret = -ENOMEM;

	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		return -ENOMEM;
	}
	r->services = calloc(n_services ? n_services : 1, sizeof(char *));
	if (r->services == NULL) {
		goto fail;
	}
	for (size_t i = 0; i < n_services; i++) {
		r->services[i] = strdup(services[i]);
		if (r->services[i] == NULL) {
			goto fail;
		}
		r->n_services++;
	}
	if (set != NULL && len > 0) {
		r->set = malloc(len);
		if (r->set == NULL) {
			goto fail;
		}
		memcpy(r->set, set, len);
		ret = index_set(r, len);
		if (ret < 0) {
			goto fail;
		}
	}
	*out = r;
	return 0;
fail:
	mgmt_reflect_close(r);
	return ret;
}

void mgmt_reflect_close(struct mgmt_reflect *r)
{
	if (r == NULL) {
		return;
	}
	for (size_t i = 0; i < r->n_files; i++) {
		google__protobuf__file_descriptor_proto__free_unpacked(
			r->files[i].fd, NULL);
	}
	for (size_t i = 0; i < r->n_services; i++) {
		free(r->services[i]);
	}
	free(r->services);
	free(r->files);
	free(r->set);
	free(r);
}

/* ---- symbol lookup ------------------------------------------------------- */

/* sym == scope + "." + name (or name alone at the root scope) */
static bool scoped_eq(const char *scope, const char *name, const char *sym)
{
	size_t n = strlen(scope);

	if (name == NULL) {
		return false;
	}
	if (n > 0) {
		if (strncmp(sym, scope, n) != 0 || sym[n] != '.') {
			return false;
		}
		sym += n + 1;
	}
	return strcmp(sym, name) == 0;
}

/* Enum values live in the scope enclosing their enum (protobuf C++
 * scoping), so both "pkg.Enum" and "pkg.VALUE" find the file. */
static bool enum_defines(const pb_enum *e, const char *scope, const char *sym)
{
	if (scoped_eq(scope, e->name, sym)) {
		return true;
	}
	for (size_t i = 0; i < e->n_value; i++) {
		if (scoped_eq(scope, e->value[i]->name, sym)) {
			return true;
		}
	}
	return false;
}

static bool msg_defines(const pb_msg *m, const char *scope, const char *sym)
{
	char full[SYM_MAX];
	int n;

	if (m->name == NULL) {
		return false;
	}
	n = snprintf(full, sizeof(full), "%s%s%s", scope, *scope ? "." : "",
		     m->name);
	if (n < 0 || (size_t)n >= sizeof(full)) {
		return false;
	}
	if (strcmp(full, sym) == 0) {
		return true;
	}
	/* cheap prune: everything below starts with "full." */
	if (strncmp(sym, full, (size_t)n) != 0 || sym[n] != '.') {
		return false;
	}
	for (size_t i = 0; i < m->n_field; i++) {
		if (scoped_eq(full, m->field[i]->name, sym)) {
			return true;
		}
	}
	for (size_t i = 0; i < m->n_extension; i++) {
		if (scoped_eq(full, m->extension[i]->name, sym)) {
			return true;
		}
	}
	for (size_t i = 0; i < m->n_oneof_decl; i++) {
		if (scoped_eq(full, m->oneof_decl[i]->name, sym)) {
			return true;
		}
	}
	for (size_t i = 0; i < m->n_enum_type; i++) {
		if (enum_defines(m->enum_type[i], full, sym)) {
			return true;
		}
	}
	for (size_t i = 0; i < m->n_nested_type; i++) {
		if (msg_defines(m->nested_type[i], full, sym)) {
			return true;
		}
	}
	return false;
}

static bool file_defines(const pb_file *f, const char *sym)
{
	const char *pkg = f->package != NULL ? f->package : "";
	char svc[SYM_MAX];

	for (size_t i = 0; i < f->n_message_type; i++) {
		if (msg_defines(f->message_type[i], pkg, sym)) {
			return true;
		}
	}
	for (size_t i = 0; i < f->n_enum_type; i++) {
		if (enum_defines(f->enum_type[i], pkg, sym)) {
			return true;
		}
	}
	for (size_t i = 0; i < f->n_extension; i++) {
		if (scoped_eq(pkg, f->extension[i]->name, sym)) {
			return true;
		}
	}
	for (size_t i = 0; i < f->n_service; i++) {
		const Google__Protobuf__ServiceDescriptorProto *s =
			f->service[i];
		int n;

		if (scoped_eq(pkg, s->name, sym)) {
			return true;
		}
		n = snprintf(svc, sizeof(svc), "%s%s%s", pkg, *pkg ? "." : "",
			     s->name != NULL ? s->name : "");
		if (n < 0 || (size_t)n >= sizeof(svc)) {
			continue;
		}
		for (size_t j = 0; j < s->n_method; j++) {
			if (scoped_eq(svc, s->method[j]->name, sym)) {
				return true;
			}
		}
	}
	return false;
}

static long find_file(const struct mgmt_reflect *r, const char *name)
{
	for (size_t i = 0; i < r->n_files; i++) {
		if (strcmp(r->files[i].fd->name, name) == 0) {
			return (long)i;
		}
	}
	return -1;
}

static long find_symbol(const struct mgmt_reflect *r, const char *sym)
{
	/* a leading dot is the fully-qualified spelling */
	if (sym[0] == '.') {
		sym++;
	}
	for (size_t i = 0; i < r->n_files; i++) {
		if (file_defines(r->files[i].fd, sym)) {
			return (long)i;
		}
	}
	return -1;
}

/* The file first, then every transitive dependency once.  idx holds
 * r->n_files entries.  Returns the count. */
static size_t closure(const struct mgmt_reflect *r, size_t first, size_t *idx)
{
	size_t n = 0;

	idx[n++] = first;
	for (size_t k = 0; k < n; k++) {
		const pb_file *f = r->files[idx[k]].fd;

		for (size_t d = 0; d < f->n_dependency; d++) {
			long j = find_file(r, f->dependency[d]);
			bool seen = false;

			if (j < 0) {
				/* not embedded: the client asks again */
				continue;
			}
			for (size_t s = 0; s < n && !seen; s++) {
				seen = idx[s] == (size_t)j;
			}
			if (!seen) {
				idx[n++] = (size_t)j;
			}
		}
	}
	return n;
}

/* ---- answering ----------------------------------------------------------- */

int mgmt_reflect_answer(const struct mgmt_reflect *r, const uint8_t *req,
			size_t len, uint8_t **out, size_t *outlen)
{
	rf_resp resp = GRPC__REFLECTION__V1__SERVER_REFLECTION_RESPONSE__INIT;
	Grpc__Reflection__V1__FileDescriptorResponse fdr =
		GRPC__REFLECTION__V1__FILE_DESCRIPTOR_RESPONSE__INIT;
	Grpc__Reflection__V1__ListServiceResponse lsr =
		GRPC__REFLECTION__V1__LIST_SERVICE_RESPONSE__INIT;
	Grpc__Reflection__V1__ErrorResponse er =
		GRPC__REFLECTION__V1__ERROR_RESPONSE__INIT;
	Grpc__Reflection__V1__ServiceResponse *svcs = NULL;
	Grpc__Reflection__V1__ServiceResponse **svcp = NULL;
	ProtobufCBinaryData *blobs = NULL;
	size_t *idx = NULL;
	char msg[SYM_MAX + 64];
	long at = -1;
	rf_req *q;
	int ret = -ENOMEM;

	q = grpc__reflection__v1__server_reflection_request__unpack(NULL, len,
								    req);
	if (q == NULL) {
		return -EINVAL;
	}
	resp.valid_host = q->host;
	resp.original_request = q;
	msg[0] = '\0';

	switch (q->message_request_case) {
	case Q_(FILE_BY_FILENAME):
		at = find_file(r, q->file_by_filename);
		if (at < 0) {
			snprintf(msg, sizeof(msg), "file not found: %.*s",
				 SYM_MAX, q->file_by_filename);
		}
		break;
	case Q_(FILE_CONTAINING_SYMBOL):
		at = find_symbol(r, q->file_containing_symbol);
		if (at < 0) {
			snprintf(msg, sizeof(msg), "symbol not found: %.*s",
				 SYM_MAX, q->file_containing_symbol);
		}
		break;
	case Q_(LIST_SERVICES):
		svcs = calloc(r->n_services + 1, sizeof(*svcs));
		svcp = calloc(r->n_services + 1, sizeof(*svcp));
		if (svcs == NULL || svcp == NULL) {
			goto out;
		}
		for (size_t i = 0; i < r->n_services; i++) {
			grpc__reflection__v1__service_response__init(&svcs[i]);
			svcs[i].name = r->services[i];
			svcp[i] = &svcs[i];
		}
		lsr.n_service = r->n_services;
		lsr.service = svcp;
		resp.message_response_case = A_(LIST_SERVICES_RESPONSE);
		resp.list_services_response = &lsr;
		break;
	case Q_(FILE_CONTAINING_EXTENSION):
	case Q_(ALL_EXTENSION_NUMBERS_OF_TYPE):
		snprintf(msg, sizeof(msg), "extensions are not supported");
		break;
	default:
		snprintf(msg, sizeof(msg), "empty reflection request");
		er.error_code = INVALID_ARGUMENT;
		break;
	}

	if (at >= 0) {
		size_t n;

		idx = calloc(r->n_files, sizeof(*idx));
		blobs = calloc(r->n_files, sizeof(*blobs));
		if (idx == NULL || blobs == NULL) {
			goto out;
		}
		n = closure(r, (size_t)at, idx);
		for (size_t i = 0; i < n; i++) {
			blobs[i].data = (uint8_t *)r->files[idx[i]].bytes;
			blobs[i].len = r->files[idx[i]].len;
		}
		fdr.n_file_descriptor_proto = n;
		fdr.file_descriptor_proto = blobs;
		resp.message_response_case = A_(FILE_DESCRIPTOR_RESPONSE);
		resp.file_descriptor_response = &fdr;
	} else if (msg[0] != '\0') {
		if (er.error_code == 0) {
			er.error_code = NOT_FOUND;
		}
		er.error_message = msg;
		resp.message_response_case = A_(ERROR_RESPONSE);
		resp.error_response = &er;
	}

	*outlen =
		grpc__reflection__v1__server_reflection_response__get_packed_size(
			&resp);
	*out = malloc(*outlen ? *outlen : 1);
	if (*out == NULL) {
		goto out;
	}
	grpc__reflection__v1__server_reflection_response__pack(&resp, *out);
	ret = 0;
out:
	free(svcs);
	free(svcp);
	free(blobs);
	free(idx);
	grpc__reflection__v1__server_reflection_request__free_unpacked(q, NULL);
	return ret;
}
