/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: a config file as fhswd reads it (at start and on SIGHUP):
 * the proto3 JSON codec, then the validation into the HAL's structs.
 * What the codec accepts must print back as JSON that reads to the same
 * message (the config store persists through that round trip).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fhswitch/v1/config.pb-c.h"
#include "mgmt_config.h"
#include "mgmt_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_or_abort(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
	size_t na = protobuf_c_message_get_packed_size(a);
	size_t nb = protobuf_c_message_get_packed_size(b);
	uint8_t *pa = malloc(na + 1), *pb = malloc(nb + 1);

	if (pa == NULL || pb == NULL) {
		abort();
	}
	protobuf_c_message_pack(a, pa);
	protobuf_c_message_pack(b, pb);
	if (na != nb || memcmp(pa, pb, na) != 0) {
		abort(); /* the JSON round trip changed the config */
	}
	free(pa);
	free(pb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const ProtobufCMessageDescriptor *d =
		&fhswitch__v1__switch_config__descriptor;
	char err[MGMT_CONFIG_ERR_LEN];
	ProtobufCMessage *m = NULL, *m2 = NULL;
	struct hal_config cfg;
	char *text = malloc(size + 1);
	json_t *j;

	if (text == NULL) {
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	if (mgmt_config_load_text(text, &cfg, err, sizeof(err)) == 0) {
		mgmt_config_free(&cfg);
	}
	if (mgmt_json_text_to_pb(d, text, &m, err, sizeof(err)) == 0) {
		j = mgmt_pb_to_json(m);
		if (j == NULL || mgmt_json_to_pb(d, j, &m2, err, sizeof(err))) {
			abort(); /* what we print we must read */
		}
		same_or_abort(m, m2);
		json_decref(j);
		mgmt_pb_free(m2);
		mgmt_pb_free(m);
	}
	free(text);
	return 0;
}
