/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MGMT_JSON_H
#define MGMT_JSON_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

/*
 * proto3 JSON <-> protobuf-c messages, generic over message descriptors:
 * one codec for every message of the API and the config model.
 *
 * Parsing accepts each field by its .proto name (snake_case) or its
 * lowerCamelCase JSON name, enums by name or number (the number must be
 * a declared value), 64-bit integers as numbers or decimal strings, bytes
 * as base64, and null as "absent".  Unknown keys are errors.  A field in a
 * oneof is "present" when its key appears, which is how the config model
 * gives scalars presence.  Every error names the JSON path of the value
 * ("flows[3].action.out_ports[0]: expected a string").
 */

/* Error buffer size that fits any message this codec writes. */
#define MGMT_JSON_ERR_LEN 256

/*
 * Build a message of type desc from json.  On success *out is a message
 * owned by the caller, freed with protobuf_c_message_free_unpacked(*out,
 * NULL).
 *
 * @return 0; -EINVAL with the path and reason in err (errlen bytes) for
 *         any value that does not fit the schema; -ENOMEM.
 */
int mgmt_json_to_pb(const ProtobufCMessageDescriptor *desc, json_t *json,
		    ProtobufCMessage **out, char *err, size_t errlen);

/* How every JSON text is read: duplicate keys are errors; "\u0000" is read
 * so that mgmt_json_to_pb refuses it with the path of the string. */
#define MGMT_JSON_LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

/* Parse a JSON document from text (NUL-terminated) then as above; JSON
 * syntax errors name the line and column. */
int mgmt_json_text_to_pb(const ProtobufCMessageDescriptor *desc,
			 const char *text, ProtobufCMessage **out, char *err,
			 size_t errlen);

/*
 * JSON of a message, with .proto field names, proto3 defaults omitted
 * (oneof members are always written when set), enums by name, 64-bit
 * integers as strings as proto3 JSON requires.
 * @return a new reference, or NULL when out of memory.
 */
json_t *mgmt_pb_to_json(const ProtobufCMessage *msg);

/*
 * proto3 strings must be UTF-8, which protobuf-c does not check on
 * unpack.  Returns 0, or -EILSEQ with the path of the first offending
 * string ("flow.name") written to path (len bytes).
 */
int mgmt_pb_check_utf8(const ProtobufCMessage *m, char *path, size_t len);

/*
 * A string field on the wire with a NUL byte inside, which protobuf-c would
 * cut at the NUL without notice.  data/len: a message of type d that
 * protobuf-c unpacked.  Returns 0; -EILSEQ with the path of the first such
 * string ("config.flows[2].name") in path (pathlen bytes); -EBADMSG if
 * data is not a message of type d.
 */
int mgmt_pb_check_nul(const ProtobufCMessageDescriptor *d, const void *data,
		      size_t len, char *path, size_t pathlen);

/* protobuf-c messages on the system allocator (freeable by
 * protobuf_c_message_free_unpacked with a NULL allocator, as mgmt_pb_free
 * does): a new initialised message, a deep copy (NULL if out of memory). */
void *mgmt_pb_new(const ProtobufCMessageDescriptor *d);
void *mgmt_pb_clone(const ProtobufCMessage *m);
/* Free a message; accepts NULL. */
void mgmt_pb_free(void *m);
/* strdup of s, "" for NULL (protobuf-c strings); NULL if out of memory. */
char *mgmt_strdup(const char *s);

#endif
