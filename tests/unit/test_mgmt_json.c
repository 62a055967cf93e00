/* SPDX-License-Identifier: Apache-2.0 */
/* The generic proto3 JSON codec against the config model. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fhswitch/v1/config.pb-c.h"
#include "mgmt_json.h"

#define DESC (&fhswitch__v1__switch_config__descriptor)

static Fhswitch__V1__SwitchConfig *load(const char *text, char *err)
{
	ProtobufCMessage *m = NULL;
	int ret = mgmt_json_text_to_pb(DESC, text, &m, err, MGMT_JSON_ERR_LEN);

	if (ret < 0) {
		assert_null(m);
		return NULL;
	}
	return (Fhswitch__V1__SwitchConfig *)m;
}

static const char *full_doc =
	"{\"name\":\"lab1\","
	"\"eaxc_layout\":{\"du_port_bits\":2,\"band_sector_bits\":6,"
	"\"cc_bits\":4,\"ru_port_bits\":4},"
	"\"timing\":{\"mu\":0,\"gps_alpha\":\"12345678901\",\"gps_beta\":-3},"
	"\"ports\":[{\"name\":\"du0\",\"device\":\"net_ring0\",\"role\":"
	"\"ROLE_DU\",\"mtu\":9000,\"native_vlan\":1,\"allowed_vlans\":[10,"
	"20]},{\"name\":\"ru0\",\"device\":\"net_ring1\",\"role\":2}],"
	"\"flows\":[{\"name\":\"dl\",\"match\":{\"in_port\":\"du0\","
	"\"plane\":\"PLANE_U\",\"direction\":\"DIRECTION_DL\",\"eaxc_id\":1,"
	"\"eaxc_mask\":65535},\"action\":{\"out_ports\":[\"ru0\"],"
	"\"set_pcp\":0,\"drop\":false},\"window\":{\"earliest_us\":\"-500\","
	"\"latest_us\":\"100\"}}],"
	"\"l2\":{\"learning\":false,\"static_fdb\":[{\"mac\":"
	"\"02:00:00:00:00:01\",\"vlan\":10,\"port\":\"ru0\"}]},"
	"\"hal\":{\"backend\":\"dpdk\"}}";

static void test_json_config_all_fields(void **state)
{
	char err[MGMT_JSON_ERR_LEN];
	Fhswitch__V1__SwitchConfig *c = load(full_doc, err);

	(void)state;
	assert_non_null(c);
	assert_string_equal(c->name, "lab1");
	assert_int_equal(c->eaxc_layout->band_sector_bits, 6);
	assert_int_equal(c->timing->mu_present_case,
			 FHSWITCH__V1__TIMING__MU_PRESENT_MU);
	assert_int_equal(c->timing->mu, 0);
	assert_int_equal(c->timing->gps_alpha, 12345678901ull);
	assert_int_equal(c->timing->gps_beta, -3);
	assert_int_equal(c->n_ports, 2);
	assert_int_equal(c->ports[0]->role, FHSWITCH__V1__PORT_ROLE__ROLE_DU);
	assert_int_equal(c->ports[1]->role, FHSWITCH__V1__PORT_ROLE__ROLE_RU);
	assert_int_equal(c->ports[0]->n_allowed_vlans, 2);
	assert_int_equal(c->ports[0]->allowed_vlans[1], 20);
	assert_int_equal(c->n_flows, 1);
	assert_int_equal(c->flows[0]->match->plane,
			 FHSWITCH__V1__PLANE__PLANE_U);
	assert_int_equal(c->flows[0]->match->eaxc_mask, 65535);
	/* set_pcp 0 is present (a oneof), which proto3 scalars cannot say */
	assert_int_equal(c->flows[0]->action->set_pcp_present_case,
			 FHSWITCH__V1__FLOW_ACTION__SET_PCP_PRESENT_SET_PCP);
	assert_int_equal(
		c->flows[0]->action->set_eaxc_id_present_case,
		FHSWITCH__V1__FLOW_ACTION__SET_EAXC_ID_PRESENT__NOT_SET);
	assert_int_equal(c->flows[0]->window->earliest_us, -500);
	assert_int_equal(c->l2->learning_present_case,
			 FHSWITCH__V1__L2__LEARNING_PRESENT_LEARNING);
	assert_false(c->l2->learning);
	assert_string_equal(c->l2->static_fdb[0]->mac, "02:00:00:00:00:01");
	protobuf_c_message_free_unpacked(&c->base, NULL);
}

static void test_json_roundtrip_is_stable(void **state)
{
	char err[MGMT_JSON_ERR_LEN];
	Fhswitch__V1__SwitchConfig *c = load(full_doc, err), *c2;
	json_t *j1, *j2;
	char *s1, *s2;

	(void)state;
	assert_non_null(c);
	j1 = mgmt_pb_to_json(&c->base);
	s1 = json_dumps(j1, JSON_COMPACT | JSON_SORT_KEYS);
	c2 = load(s1, err);
	assert_non_null(c2);
	j2 = mgmt_pb_to_json(&c2->base);
	s2 = json_dumps(j2, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s1, s2);
	/* oneof members survive even at their zero value; enums by name;
	 * 64-bit integers as strings */
	assert_non_null(strstr(s1, "\"set_pcp\":0"));
	assert_non_null(strstr(s1, "\"mu\":0"));
	assert_non_null(strstr(s1, "\"role\":\"ROLE_RU\""));
	assert_non_null(strstr(s1, "\"gps_alpha\":\"12345678901\""));
	/* proto3 defaults are omitted */
	assert_null(strstr(s1, "\"drop\""));
	free(s1);
	free(s2);
	json_decref(j1);
	json_decref(j2);
	protobuf_c_message_free_unpacked(&c->base, NULL);
	protobuf_c_message_free_unpacked(&c2->base, NULL);
}

static void test_json_lower_camel_case_keys(void **state)
{
	char err[MGMT_JSON_ERR_LEN];
	Fhswitch__V1__SwitchConfig *c =
		load("{\"eaxcLayout\":{\"duPortBits\":4,\"ruPortBits\":12},"
		     "\"flows\":[{\"action\":{\"outPorts\":[\"a\",\"b\"],"
		     "\"setEaxcId\":7}}]}",
		     err);

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->eaxc_layout->du_port_bits, 4);
	assert_int_equal(c->eaxc_layout->ru_port_bits, 12);
	assert_int_equal(c->flows[0]->action->n_out_ports, 2);
	assert_string_equal(c->flows[0]->action->out_ports[1], "b");
	assert_int_equal(c->flows[0]->action->set_eaxc_id, 7);
	protobuf_c_message_free_unpacked(&c->base, NULL);
}

static void test_json_errors_name_the_path(void **state)
{
	static const struct {
		const char *doc;
		const char *err;
	} cases[] = {
		{"{\"nmae\":\"x\"}",
		 "nmae: unknown field (not in SwitchConfig)"},
		{"{\"ports\":[{\"name\":\"a\"},{\"mtu\":\"big\"}]}",
		 "ports[1].mtu: expected an integer, got \"big\""},
		{"{\"ports\":[{\"role\":\"ROLE_SWITCH\"}]}",
		 "ports[0].role: not a PortRole value (expected one of "
		 "ROLE_UNSPECIFIED, ROLE_DU, ROLE_RU, ROLE_TRUNK, "
		 "ROLE_MGMT)"},
		{"{\"ports\":[{\"role\":9}]}", "ports[0].role: not a PortRole"},
		{"{\"flows\":[{\"action\":{\"out_ports\":[\"a\",3]}}]}",
		 "flows[0].action.out_ports[1]: expected a string"},
		{"{\"eaxc_layout\":{\"cc_bits\":-1}}",
		 "eaxc_layout.cc_bits: expected a non-negative integer"},
		{"{\"eaxc_layout\":{\"cc_bits\":4294967296}}",
		 "eaxc_layout.cc_bits: 4294967296 is out of range for uint32"},
		{"{\"timing\":{\"gps_beta\":1.5}}",
		 "timing.gps_beta: expected an integer, got 1.5"},
		{"{\"l2\":{\"learning\":1}}",
		 "l2.learning: expected true or false"},
		{"{\"ports\":{}}", "ports: expected an array"},
		{"{\"hal\":[]}", "hal: expected an object (Hal)"},
		{"[]", "(document): expected an object (SwitchConfig)"},
		{"{\"name\":", "line 1 column"},
		{"{\"name\":\"a\",\"name\":\"b\"}", "duplicate object key"},
		/* C would see "a": refused, not cut */
		{"{\"name\":\"a\\u0000b\"}",
		 "name: contains a NUL character (\\u0000)"},
		{"{\"ports\":[{\"device\":\"net_ring1\\u0000,foo=bar\"}]}",
		 "ports[0].device: contains a NUL character"},
		{"{\"flows\":[{\"action\":{\"out_ports\":[\"a\",\"b\\u0000\"]}}"
		 "]}",
		 "flows[0].action.out_ports[1]: contains a NUL character"},
		{"{\"ports\":[{\"role\":\"ROLE_DU\\u0000x\"}]}",
		 "ports[0].role: contains a NUL character"},
		{"{\"na\\u0000me\":\"x\"}", "NUL"},
	};
	char err[MGMT_JSON_ERR_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(err, 0, sizeof(err));
		assert_null(load(cases[i].doc, err));
		if (strstr(err, cases[i].err) == NULL) {
			fail_msg("case %zu: error '%s' lacks '%s'", i, err,
				 cases[i].err);
		}
	}
}

/* A string with a NUL on the wire is found, with its path; protobuf-c
 * alone would unpack it cut. */
static void test_wire_nul_named(void **state)
{
	/* SwitchConfig{ name = "ok", ports = [{name "p0"}, {name "p1",
	 * device "ring\0x"}] }: field 1 name, 3 ports (Port: 1 name,
	 * 2 device) */
	static const uint8_t bad[] = {
		0x0a, 2, 'o', 'k', 0x22, 4, 0x0a, 2,   'p', '0', 0x22, 12,
		0x0a, 2, 'p', '1', 0x12, 6, 'r',  'i', 'n', 'g', 0,    'x',
	};
	uint8_t good[sizeof(bad)];
	char path[128] = "";
	Fhswitch__V1__SwitchConfig *c;

	(void)state;
	c = fhswitch__v1__switch_config__unpack(NULL, sizeof(bad), bad);
	assert_non_null(c); /* protobuf-c takes it ... */
	assert_string_equal(c->ports[1]->device, "ring"); /* ... cut */
	protobuf_c_message_free_unpacked(&c->base, NULL);
	assert_int_equal(
		mgmt_pb_check_nul(&fhswitch__v1__switch_config__descriptor, bad,
				  sizeof(bad), path, sizeof(path)),
		-EILSEQ);
	assert_string_equal(path, "ports[1].device");

	memcpy(good, bad, sizeof(bad));
	good[22] = '-';
	assert_int_equal(
		mgmt_pb_check_nul(&fhswitch__v1__switch_config__descriptor,
				  good, sizeof(good), path, sizeof(path)),
		0);
	/* truncated: not a message */
	assert_int_equal(
		mgmt_pb_check_nul(&fhswitch__v1__switch_config__descriptor,
				  good, sizeof(good) - 3, path, sizeof(path)),
		-EBADMSG);
}

static void test_json_null_means_absent(void **state)
{
	char err[MGMT_JSON_ERR_LEN];
	Fhswitch__V1__SwitchConfig *c =
		load("{\"name\":null,\"timing\":null,\"ports\":null}", err);

	(void)state;
	assert_non_null(c);
	assert_null(c->timing);
	assert_int_equal(c->n_ports, 0);
	protobuf_c_message_free_unpacked(&c->base, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_config_all_fields),
		cmocka_unit_test(test_json_roundtrip_is_stable),
		cmocka_unit_test(test_json_lower_camel_case_keys),
		cmocka_unit_test(test_json_errors_name_the_path),
		cmocka_unit_test(test_json_null_means_absent),
		cmocka_unit_test(test_wire_nul_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
