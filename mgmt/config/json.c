/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt_json.h"

/* A JSON path under construction: "a.b[3].c". */
struct path {
	char buf[192];
	size_t len;
};

static size_t path_push_key(struct path *p, const char *key)
{
	size_t old = p->len;
	int n = snprintf(p->buf + p->len, sizeof(p->buf) - p->len, "%s%s",
			 p->len ? "." : "", key);

	if (n > 0) {
		p->len += (size_t)n;
		if (p->len >= sizeof(p->buf)) {
			p->len = sizeof(p->buf) - 1;
		}
	}
	return old;
}

static size_t path_push_index(struct path *p, size_t i)
{
	size_t old = p->len;
	int n = snprintf(p->buf + p->len, sizeof(p->buf) - p->len, "[%zu]", i);

	if (n > 0) {
		p->len += (size_t)n;
		if (p->len >= sizeof(p->buf)) {
			p->len = sizeof(p->buf) - 1;
		}
	}
	return old;
}

static void path_pop(struct path *p, size_t old)
{
	p->len = old;
	p->buf[old] = '\0';
}

struct ctx {
	struct path path;
	char *err;
	size_t errlen;
};

/* A JSON string with a NUL inside (read with JSON_ALLOW_NUL): C would see
 * only what comes before it. */
static bool has_nul(const json_t *v)
{
	const char *str = json_string_value(v);

	return str != NULL && strlen(str) != json_string_length(v);
}

__attribute__((format(printf, 2, 3))) static int fail(struct ctx *c,
						      const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->err == NULL || c->errlen == 0) {
		return -EINVAL;
	}
	n = snprintf(c->err, c->errlen,
		     "%s: ", c->path.len ? c->path.buf : "(document)");
	if (n < 0 || (size_t)n >= c->errlen) {
		return -EINVAL;
	}
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* lowerCamelCase JSON name of a snake_case field name. */
static void json_name(const char *name, char *out, size_t len)
{
	size_t o = 0;
	bool up = false;

	for (const char *s = name; *s != '\0' && o + 1 < len; s++) {
		if (*s == '_') {
			up = true;
			continue;
		}
		out[o++] = up ? (char)toupper((unsigned char)*s) : *s;
		up = false;
	}
	out[o] = '\0';
}

static const ProtobufCFieldDescriptor *
find_field(const ProtobufCMessageDescriptor *d, const char *key)
{
	char jn[128];

	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];

		if (strcmp(f->name, key) == 0) {
			return f;
		}
		json_name(f->name, jn, sizeof(jn));
		if (strcmp(jn, key) == 0) {
			return f;
		}
	}
	return NULL;
}

static size_t scalar_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_ENUM:
		return 4;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return 8;
	case PROTOBUF_C_TYPE_FLOAT:
		return sizeof(float);
	case PROTOBUF_C_TYPE_DOUBLE:
		return sizeof(double);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	}
	return 0;
}

/* Integer from a JSON number or a decimal string (proto3 JSON writes
 * 64-bit integers as strings). */
static int get_int(struct ctx *c, json_t *v, bool is_signed, int64_t *s,
		   uint64_t *u)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (!is_signed && i < 0) {
			return fail(c, "expected a non-negative integer");
		}
		*s = i;
		*u = (uint64_t)i;
		return 0;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);

		if (d != (double)(int64_t)d) {
			return fail(c, "expected an integer, got %g", d);
		}
		if (!is_signed && d < 0) {
			return fail(c, "expected a non-negative integer");
		}
		*s = (int64_t)d;
		*u = (uint64_t)(int64_t)d;
		return 0;
	}
	if (json_is_string(v)) {
		const char *str = json_string_value(v);
		char *end;

		errno = 0;
		if (is_signed) {
			*s = strtoll(str, &end, 10);
			*u = (uint64_t)*s;
		} else {
			if (*str == '-') {
				return fail(c, "expected a non-negative "
					       "integer");
			}
			*u = strtoull(str, &end, 10);
			*s = (int64_t)*u;
		}
		if (errno != 0 || *str == '\0' || *end != '\0') {
			return fail(c, "expected an integer, got \"%s\"", str);
		}
		return 0;
	}
	return fail(c, "expected an integer");
}

static int b64_val(int ch)
{
	if (ch >= 'A' && ch <= 'Z') {
		return ch - 'A';
	}
	if (ch >= 'a' && ch <= 'z') {
		return ch - 'a' + 26;
	}
	if (ch >= '0' && ch <= '9') {
		return ch - '0' + 52;
	}
	if (ch == '+' || ch == '-') {
		return 62;
	}
	if (ch == '/' || ch == '_') {
		return 63;
	}
	return -1;
}

static int parse_message(struct ctx *c, const ProtobufCMessageDescriptor *d,
			 json_t *obj, ProtobufCMessage **out);

/* Store one value of field f at dst (a scalar slot or array element). */
static int parse_value(struct ctx *c, const ProtobufCFieldDescriptor *f,
		       json_t *v, void *dst)
{
	int64_t s = 0;
	uint64_t u = 0;
	int ret;

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		ret = get_int(c, v, true, &s, &u);
		if (ret < 0) {
			return ret;
		}
		if (s < INT32_MIN || s > INT32_MAX) {
			return fail(c, "%" PRId64 " is out of range for int32",
				    s);
		}
		*(int32_t *)dst = (int32_t)s;
		return 0;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		ret = get_int(c, v, false, &s, &u);
		if (ret < 0) {
			return ret;
		}
		if (u > UINT32_MAX) {
			return fail(c, "%" PRIu64 " is out of range for uint32",
				    u);
		}
		*(uint32_t *)dst = (uint32_t)u;
		return 0;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		ret = get_int(c, v, true, &s, &u);
		if (ret < 0) {
			return ret;
		}
		*(int64_t *)dst = s;
		return 0;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		ret = get_int(c, v, false, &s, &u);
		if (ret < 0) {
			return ret;
		}
		*(uint64_t *)dst = u;
		return 0;
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_DOUBLE:
		if (!json_is_number(v)) {
			return fail(c, "expected a number");
		}
		if (f->type == PROTOBUF_C_TYPE_FLOAT) {
			*(float *)dst = (float)json_number_value(v);
		} else {
			*(double *)dst = json_number_value(v);
		}
		return 0;
	case PROTOBUF_C_TYPE_BOOL:
		if (!json_is_boolean(v)) {
			return fail(c, "expected true or false");
		}
		*(protobuf_c_boolean *)dst = json_is_true(v);
		return 0;
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumDescriptor *ed = f->descriptor;
		const ProtobufCEnumValue *ev = NULL;

		if (json_is_string(v) && has_nul(v)) {
			return fail(c, "contains a NUL character (\\u0000)");
		}
		if (json_is_string(v)) {
			ev = protobuf_c_enum_descriptor_get_value_by_name(
				ed, json_string_value(v));
		} else if (json_is_integer(v) &&
			   json_integer_value(v) >= INT32_MIN &&
			   json_integer_value(v) <= INT32_MAX) {
			ev = protobuf_c_enum_descriptor_get_value(
				ed, (int)json_integer_value(v));
		}
		if (ev == NULL) {
			char names[160];
			size_t n = 0;

			names[0] = '\0';
			for (unsigned i = 0;
			     i < ed->n_values && n < sizeof(names); i++) {
				int w = snprintf(names + n, sizeof(names) - n,
						 "%s%s", i ? ", " : "",
						 ed->values[i].name);

				if (w < 0) {
					break;
				}
				n += (size_t)w;
			}
			return fail(c, "not a %s value (expected one of %s)",
				    ed->short_name, names);
		}
		*(int *)dst = ev->value;
		return 0;
	}
	case PROTOBUF_C_TYPE_STRING: {
		char *str;

		if (!json_is_string(v)) {
			return fail(c, "expected a string");
		}
		if (has_nul(v)) {
			return fail(c, "contains a NUL character (\\u0000)");
		}
		str = strdup(json_string_value(v));
		if (str == NULL) {
			return -ENOMEM;
		}
		*(char **)dst = str;
		return 0;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		const char *str;
		size_t len, o = 0;
		ProtobufCBinaryData *b = dst;
		uint32_t acc = 0;
		int bits = 0;

		if (!json_is_string(v)) {
			return fail(c, "expected a base64 string");
		}
		if (has_nul(v)) {
			return fail(c, "contains a NUL character (\\u0000)");
		}
		str = json_string_value(v);
		len = strlen(str);
		b->data = malloc(len * 3 / 4 + 3);
		if (b->data == NULL) {
			return -ENOMEM;
		}
		for (size_t i = 0; i < len; i++) {
			int x;

			if (str[i] == '=') {
				break;
			}
			x = b64_val((unsigned char)str[i]);
			if (x < 0) {
				free(b->data);
				b->data = NULL;
				return fail(c,
					    "invalid base64 at character %zu",
					    i);
			}
			acc = acc << 6 | (uint32_t)x;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				b->data[o++] = (uint8_t)(acc >> bits);
			}
		}
		b->len = o;
		return 0;
	}
	case PROTOBUF_C_TYPE_MESSAGE:
		return parse_message(c, f->descriptor, v,
				     (ProtobufCMessage **)dst);
	}
	return fail(c, "unsupported field type");
}

static int parse_field(struct ctx *c, ProtobufCMessage *m,
		       const ProtobufCFieldDescriptor *f, json_t *v)
{
	uint8_t *base = (uint8_t *)m;

	if (json_is_null(v)) {
		return 0; /* proto3 JSON: null means default */
	}
	if (f->label == PROTOBUF_C_LABEL_REPEATED) {
		size_t n, esz = scalar_size(f->type);
		size_t *np = (size_t *)(base + f->quantifier_offset);
		void **arr = (void **)(base + f->offset);
		json_t *e;
		size_t i;
		int ret;

		if (!json_is_array(v)) {
			return fail(c, "expected an array");
		}
		n = json_array_size(v);
		if (n == 0) {
			return 0;
		}
		*arr = calloc(n, esz);
		if (*arr == NULL) {
			return -ENOMEM;
		}
		json_array_foreach(v, i, e)
		{
			size_t old = path_push_index(&c->path, i);

			ret = parse_value(c, f, e, (uint8_t *)*arr + i * esz);
			if (ret < 0) {
				/* element i may hold a partial message: count
				 * it so the caller's free releases it (the
				 * rest of the array is zeroed) */
				*np = i + 1;
				return ret;
			}
			path_pop(&c->path, old);
		}
		*np = n;
		return 0;
	}
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
		uint32_t *which = (uint32_t *)(base + f->quantifier_offset);

		if (*which != 0 && *which != f->id) {
			return fail(c, "only one member of a oneof may be set");
		}
		*which = f->id;
	} else if (f->label == PROTOBUF_C_LABEL_OPTIONAL &&
		   f->type != PROTOBUF_C_TYPE_MESSAGE &&
		   f->type != PROTOBUF_C_TYPE_STRING) {
		*(protobuf_c_boolean *)(base + f->quantifier_offset) = 1;
	}
	return parse_value(c, f, v, base + f->offset);
}

static int parse_message(struct ctx *c, const ProtobufCMessageDescriptor *d,
			 json_t *obj, ProtobufCMessage **out)
{
	ProtobufCMessage *m;
	const char *key;
	json_t *v;
	int ret;

	if (!json_is_object(obj)) {
		return fail(c, "expected an object (%s)", d->short_name);
	}
	m = calloc(1, d->sizeof_message);
	if (m == NULL) {
		return -ENOMEM;
	}
	d->message_init(m);
	/* the caller frees m even on error: it is linked before parsing */
	*out = m;
	json_object_foreach(obj, key, v)
	{
		const ProtobufCFieldDescriptor *f = find_field(d, key);
		size_t old = path_push_key(&c->path, key);

		if (f == NULL) {
			return fail(c, "unknown field (not in %s)",
				    d->short_name);
		}
		ret = parse_field(c, m, f, v);
		if (ret < 0) {
			return ret;
		}
		path_pop(&c->path, old);
	}
	return 0;
}

int mgmt_json_to_pb(const ProtobufCMessageDescriptor *desc, json_t *json,
		    ProtobufCMessage **out, char *err, size_t errlen)
{
	struct ctx c = {.err = err, .errlen = errlen};
	ProtobufCMessage *m = NULL;
	int ret;

	if (err != NULL && errlen != 0) {
		err[0] = '\0';
	}
	ret = parse_message(&c, desc, json, &m);
	if (ret < 0) {
		if (ret == -ENOMEM && err != NULL && errlen != 0) {
			snprintf(err, errlen, "out of memory");
		}
		if (m != NULL) {
			protobuf_c_message_free_unpacked(m, NULL);
		}
		return ret;
	}
	*out = m;
	return 0;
}

int mgmt_json_text_to_pb(const ProtobufCMessageDescriptor *desc,
			 const char *text, ProtobufCMessage **out, char *err,
			 size_t errlen)
{
	json_error_t je;
	json_t *j = json_loads(text, MGMT_JSON_LOAD_FLAGS, &je);
	int ret;

	if (j == NULL) {
		if (err != NULL && errlen != 0) {
			snprintf(err, errlen, "line %d column %d: %s", je.line,
				 je.column, je.text);
		}
		return -EINVAL;
	}
	ret = mgmt_json_to_pb(desc, j, out, err, errlen);
	json_decref(j);
	return ret;
}

/* ---- protobuf -> JSON ---------------------------------------------------- */

static json_t *value_json(const ProtobufCFieldDescriptor *f, const void *p)
{
	char buf[32];

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		return json_integer(*(const int32_t *)p);
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return json_integer(*(const uint32_t *)p);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		snprintf(buf, sizeof(buf), "%" PRId64, *(const int64_t *)p);
		return json_string(buf);
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		snprintf(buf, sizeof(buf), "%" PRIu64, *(const uint64_t *)p);
		return json_string(buf);
	case PROTOBUF_C_TYPE_FLOAT:
		return json_real(*(const float *)p);
	case PROTOBUF_C_TYPE_DOUBLE:
		return json_real(*(const double *)p);
	case PROTOBUF_C_TYPE_BOOL:
		return json_boolean(*(const protobuf_c_boolean *)p);
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumValue *ev =
			protobuf_c_enum_descriptor_get_value(f->descriptor,
							     *(const int *)p);

		return ev ? json_string(ev->name) :
			    json_integer(*(const int *)p);
	}
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)p;

		return json_string(s ? s : "");
	}
	case PROTOBUF_C_TYPE_BYTES: {
		static const char tbl[] =
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"abcdefghijklmnopqrstuvwxyz0123456789+/";
		const ProtobufCBinaryData *b = p;
		size_t n = (b->len + 2) / 3 * 4;
		char *s = malloc(n + 1);
		json_t *j;
		size_t o = 0;

		if (s == NULL) {
			return NULL;
		}
		for (size_t i = 0; i < b->len; i += 3) {
			uint32_t v = (uint32_t)b->data[i] << 16;

			if (i + 1 < b->len) {
				v |= (uint32_t)b->data[i + 1] << 8;
			}
			if (i + 2 < b->len) {
				v |= b->data[i + 2];
			}
			s[o++] = tbl[v >> 18 & 63];
			s[o++] = tbl[v >> 12 & 63];
			s[o++] = i + 1 < b->len ? tbl[v >> 6 & 63] : '=';
			s[o++] = i + 2 < b->len ? tbl[v & 63] : '=';
		}
		s[o] = '\0';
		j = json_string(s);
		free(s);
		return j;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *m = *(ProtobufCMessage *const *)p;

		return m ? mgmt_pb_to_json(m) : json_object();
	}
	}
	return json_null();
}

/* proto3: a singular non-oneof scalar equal to its zero value is omitted. */
static bool is_default(const ProtobufCFieldDescriptor *f, const void *p)
{
	static const uint8_t zero[16];

	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)p;

		return s == NULL || s[0] == '\0';
	}
	case PROTOBUF_C_TYPE_BYTES:
		return ((const ProtobufCBinaryData *)p)->len == 0;
	case PROTOBUF_C_TYPE_MESSAGE:
		return *(ProtobufCMessage *const *)p == NULL;
	default:
		return memcmp(p, zero, scalar_size(f->type)) == 0;
	}
}

json_t *mgmt_pb_to_json(const ProtobufCMessage *msg)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	const uint8_t *base = (const uint8_t *)msg;
	json_t *o = json_object();

	if (o == NULL) {
		return NULL;
	}
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const void *p = base + f->offset;
		json_t *v;

		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n =
				*(const size_t *)(base + f->quantifier_offset);
			const uint8_t *arr = *(void *const *)p;
			size_t esz = scalar_size(f->type);

			if (n == 0) {
				continue;
			}
			v = json_array();
			for (size_t k = 0; v != NULL && k < n; k++) {
				json_t *e = value_json(f, arr + k * esz);

				/* never drop an element silently */
				if (e == NULL ||
				    json_array_append_new(v, e) < 0) {
					json_decref(v);
					v = NULL;
				}
			}
		} else if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			if (*(const uint32_t *)(base + f->quantifier_offset) !=
			    f->id) {
				continue;
			}
			v = value_json(f, p);
		} else if (f->label == PROTOBUF_C_LABEL_OPTIONAL &&
			   f->type != PROTOBUF_C_TYPE_MESSAGE &&
			   f->type != PROTOBUF_C_TYPE_STRING) {
			if (!*(const protobuf_c_boolean
				       *)(base + f->quantifier_offset)) {
				continue;
			}
			v = value_json(f, p);
		} else {
			if (is_default(f, p)) {
				continue;
			}
			v = value_json(f, p);
		}
		if (v == NULL) {
			json_decref(o);
			return NULL;
		}
		json_object_set_new(o, f->name, v);
	}
	return o;
}

/* ---- UTF-8 ------------------------------------------------------------------- */

static bool utf8_valid(const unsigned char *s)
{
	while (*s != '\0') {
		unsigned n, c = *s;
		uint32_t cp;

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (unsigned i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80) {
				return false;
			}
			cp = cp << 6 | (s[i] & 0x3f);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
			return false;
		}
		s += n + 1;
	}
	return true;
}

static int check_utf8(const ProtobufCMessage *m, struct path *p)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const uint8_t *base = (const uint8_t *)m;

	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		size_t n = 1;
		const void *const *vals;
		size_t old;

		if (f->type != PROTOBUF_C_TYPE_STRING &&
		    f->type != PROTOBUF_C_TYPE_MESSAGE) {
			continue;
		}
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(const uint32_t *)(base + f->quantifier_offset) != f->id) {
			continue;
		}
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(const size_t *)(base + f->quantifier_offset);
			vals = *(const void *const *const *)(base + f->offset);
		} else {
			vals = (const void *const *)(base + f->offset);
		}
		for (size_t k = 0; k < n; k++) {
			const void *v = vals[k];

			if (v == NULL) {
				continue;
			}
			old = path_push_key(p, f->name);
			if (f->label == PROTOBUF_C_LABEL_REPEATED) {
				path_push_index(p, k);
			}
			if (f->type == PROTOBUF_C_TYPE_STRING ?
				    !utf8_valid(v) :
				    check_utf8(v, p) < 0) {
				return -EILSEQ;
			}
			path_pop(p, old);
		}
	}
	return 0;
}

int mgmt_pb_check_utf8(const ProtobufCMessage *m, char *path, size_t len)
{
	struct path p = {.len = 0};
	int ret;

	p.buf[0] = '\0';
	ret = check_utf8(m, &p);
	if (ret < 0 && path != NULL && len != 0) {
		snprintf(path, len, "%s", p.buf);
	}
	return ret;
}

/* ---- NUL bytes in strings on the wire -------------------------------------- */

/*
 * protobuf-c hands strings to C NUL-terminated and keeps no length, so a
 * string with a NUL inside would be cut silently ("b2a\0x" acting on
 * "b2a").  Only the wire still has the length: walk it beside the
 * descriptors.
 */
#define WIRE_MAX_DEPTH 32

/* A varint at *pos (advanced); false if truncated or longer than 10. */
static bool wire_varint(const uint8_t *b, size_t len, size_t *pos, uint64_t *v)
{
	*v = 0;
	for (unsigned shift = 0; shift < 70 && *pos < len; shift += 7) {
		uint8_t c = b[(*pos)++];

		*v |= (uint64_t)(c & 0x7f) << (shift < 64 ? shift : 63);
		if ((c & 0x80) == 0) {
			return true;
		}
	}
	return false;
}

/* 0, -EILSEQ (a NUL; p names the string), -EBADMSG (not a message). */
static int check_wire(const ProtobufCMessageDescriptor *d, const uint8_t *b,
		      size_t len, struct path *p, unsigned depth)
{
	size_t seen[64] = {0}; /* elements so far per field, for [i] */
	size_t pos = 0;

	if (depth > WIRE_MAX_DEPTH) {
		return -EBADMSG;
	}
	while (pos < len) {
		const ProtobufCFieldDescriptor *f;
		uint64_t key, n;
		size_t old, idx;
		int ret = 0;

		if (!wire_varint(b, len, &pos, &key)) {
			return -EBADMSG;
		}
		switch (key & 7) {
		case 0: /* varint */
			if (!wire_varint(b, len, &pos, &n)) {
				return -EBADMSG;
			}
			continue;
		case 1: /* fixed64 */
			n = 8;
			break;
		case 5: /* fixed32 */
			n = 4;
			break;
		case 2: /* length-delimited */
			if (!wire_varint(b, len, &pos, &n)) {
				return -EBADMSG;
			}
			break;
		default: /* groups: not in proto3 */
			return -EBADMSG;
		}
		if (n > len - pos) {
			return -EBADMSG;
		}
		f = (key & 7) == 2 && key >> 3 <= UINT32_MAX ?
			    protobuf_c_message_descriptor_get_field(
				    d, (unsigned)(key >> 3)) :
			    NULL;
		if (f != NULL && (f->type == PROTOBUF_C_TYPE_STRING ||
				  f->type == PROTOBUF_C_TYPE_MESSAGE)) {
			idx = (size_t)(f - d->fields);
			old = path_push_key(p, f->name);
			if (f->label == PROTOBUF_C_LABEL_REPEATED &&
			    idx < sizeof(seen) / sizeof(seen[0])) {
				path_push_index(p, seen[idx]++);
			}
			if (f->type == PROTOBUF_C_TYPE_STRING) {
				ret = memchr(b + pos, '\0', n) != NULL ?
					      -EILSEQ :
					      0;
			} else {
				ret = check_wire(f->descriptor, b + pos, n, p,
						 depth + 1);
			}
			if (ret < 0) {
				return ret;
			}
			path_pop(p, old);
		}
		pos += n;
	}
	return 0;
}

int mgmt_pb_check_nul(const ProtobufCMessageDescriptor *d, const void *data,
		      size_t len, char *path, size_t pathlen)
{
	struct path p = {.len = 0};
	int ret;

	p.buf[0] = '\0';
	ret = check_wire(d, data, len, &p, 0);
	if (ret == -EILSEQ && path != NULL && pathlen != 0) {
		snprintf(path, pathlen, "%s", p.buf);
	}
	return ret;
}

/* ---- message helpers ------------------------------------------------------ */

void *mgmt_pb_new(const ProtobufCMessageDescriptor *d)
{
	ProtobufCMessage *m = calloc(1, d->sizeof_message);

	if (m != NULL) {
		d->message_init(m);
	}
	return m;
}

/* Deep copy with the system allocator (freeable by free_unpacked). */
void *mgmt_pb_clone(const ProtobufCMessage *m)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = malloc(n ? n : 1);
	ProtobufCMessage *c;

	if (buf == NULL) {
		return NULL;
	}
	protobuf_c_message_pack(m, buf);
	c = protobuf_c_message_unpack(m->descriptor, NULL, n, buf);
	free(buf);
	return c;
}

void mgmt_pb_free(void *m)
{
	if (m != NULL) {
		protobuf_c_message_free_unpacked(m, NULL);
	}
}

char *mgmt_strdup(const char *s)
{
	return strdup(s ? s : "");
}
