/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer: every unary RPC of the switch from raw request bytes, as the
 * gRPC transport hands them on: protobuf-c unpack, the string checks
 * (NUL, UTF-8), then the service's handler over the config store and a
 * fake HAL.  Input: byte 0 picks the method (index into the method
 * table, modulo its size), the rest is the request.  Each input starts
 * from the same config on a tmpfs, so a crash reproduces alone.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_hal.h"
#include "mgmt_json.h"
#include "mgmt_services.h"
#include "mgmt_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char base_config[] =
	"{\"name\":\"fuzz\",\"hal\":{\"backend\":\"fake\"},"
	"\"ports\":[{\"name\":\"A\",\"device\":\"d0\",\"role\":\"ROLE_DU\"},"
	"{\"name\":\"B\",\"device\":\"d1\",\"role\":\"ROLE_RU\"}],"
	"\"flows\":[{\"name\":\"a2b\",\"match\":{\"in_port\":\"A\","
	"\"plane\":\"PLANE_U\",\"eaxc_id\":1,\"eaxc_mask\":65535},"
	"\"action\":{\"out_ports\":[\"B\"]}},"
	"{\"name\":\"b2a\",\"match\":{\"in_port\":\"B\"},"
	"\"action\":{\"out_ports\":[\"A\"]}}]}\n";

static struct hal *hal;
static char path[256];
static char dir[] = "/dev/shm/fh_fuzz_rpc_XXXXXX";
static const struct mgmt_method *methods;
static size_t n_methods;

/* The store's files and their directory. */
static void cleanup(void)
{
	static const char *const suffix[] = {"", ".state", ".tmp",
					     ".state.tmp"};
	char p[300];

	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct hal_params hp = {.backend = "fake"};
	char err[256];

	(void)argc;
	(void)argv;
	if (hal_class_register(&fake_hal_class) != 0 ||
	    hal_open(&hp, &hal, err, sizeof(err)) != 0 ||
	    (mkdtemp(dir) == NULL &&
	     mkdtemp(strcpy(dir, "/tmp/fh_fuzz_rpc_XXXXXX")) == NULL)) {
		abort();
	}
	snprintf(path, sizeof(path), "%s/fh.json", dir);
	atexit(cleanup);
	methods = mgmt_services_methods(&n_methods);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mgmt_method *mt;
	struct mgmt_call_info ci = {
		.peer = "fuzz", .identity = "", .role = MGMT_ROLE_ADMIN};
	struct mgmt_error st = {0};
	struct mgmt_store *s = NULL;
	ProtobufCMessage *req, *resp = NULL;
	char err[512], where[192];
	FILE *f;

	if (size == 0) {
		return 0;
	}
	mt = &methods[data[0] % n_methods];
	if (mt->unary == NULL) {
		return 0; /* streams: not a request/response handler */
	}
	req = protobuf_c_message_unpack(mt->req, NULL, size - 1, data + 1);
	if (req == NULL) {
		return 0;
	}
	if (mgmt_pb_check_nul(mt->req, data + 1, size - 1, where,
			      sizeof(where)) != 0 ||
	    mgmt_pb_check_utf8(req, where, sizeof(where)) != 0) {
		protobuf_c_message_free_unpacked(req, NULL);
		return 0; /* INVALID_ARGUMENT at the transport */
	}
	f = fopen(path, "w");
	if (f == NULL || fputs(base_config, f) < 0 || fclose(f) != 0 ||
	    mgmt_store_open(hal, path, &s, err, sizeof(err)) != 0) {
		abort();
	}
	ci.method = mt->path;
	mt->unary(s, &ci, req, &resp, &st);
	if (resp != NULL) {
		/* what the transport will send must serialise */
		uint8_t *out =
			malloc(protobuf_c_message_get_packed_size(resp) + 1);

		if (out == NULL) {
			abort();
		}
		protobuf_c_message_pack(resp, out);
		free(out);
		if (st.err != 0) {
			abort(); /* an answer and an error at once */
		}
	}
	mgmt_pb_free(resp);
	protobuf_c_message_free_unpacked(req, NULL);
	mgmt_store_close(s);
	return 0;
}
