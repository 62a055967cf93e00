/* SPDX-License-Identifier: Apache-2.0 */
/* The config model to the validated HAL config: mapping, defaults and one
 * table of broken documents, each refused with its JSON path, leaving the
 * output all-zero and nothing leaked. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fhswitch/v1/config.pb-c.h"
#include "mgmt_config.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_LSAN 1
#endif
#endif
#ifdef HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

/* Documents are written with single quotes for readability; dq() turns
 * them into JSON.  None of them needs a literal single quote. */
static char *dq(const char *sq)
{
	char *s = strdup(sq);

	assert_non_null(s);
	for (char *p = s; *p != '\0'; p++) {
		if (*p == '\'') {
			*p = '"';
		}
	}
	return s;
}

static int load(const char *sq, struct hal_config *out, char *err)
{
	char *text = dq(sq);
	int ret = mgmt_config_load_text(text, out, err, MGMT_CONFIG_ERR_LEN);

	free(text);
	return ret;
}

static void assert_all_zero(const struct hal_config *c)
{
	const unsigned char *p = (const unsigned char *)c;

	for (size_t i = 0; i < sizeof(*c); i++) {
		if (p[i] != 0) {
			fail_msg(
				"byte %zu of struct hal_config is 0x%02x after "
				"a failed load",
				i, p[i]);
		}
	}
}

static void assert_no_leak(void)
{
#ifdef HAVE_LSAN
	assert_int_equal(__lsan_do_recoverable_leak_check(), 0);
#endif
}

/* A rejected document: -EINVAL, the message starts with want, *out is
 * all-zero (it starts as garbage) and nothing is left allocated.  The
 * helpers keep their buffers in static storage so that a failed assertion
 * (a longjmp) leaks nothing and cannot blame the rows after it. */
static void expect_reject_text(const char *what, const char *json,
			       const char *want)
{
	static struct hal_config out;
	static char err[MGMT_CONFIG_ERR_LEN];
	int ret;

	memset(&out, 0xa5, sizeof(out));
	memset(err, 0, sizeof(err));
	ret = mgmt_config_load_text(json, &out, err, sizeof(err));
	if (ret != -EINVAL) {
		if (ret == 0) {
			mgmt_config_free(&out);
		}
		fail_msg("%s: returned %d, expected -EINVAL (err \"%s\")", what,
			 ret, err);
	}
	if (strncmp(err, want, strlen(want)) != 0) {
		fail_msg("%s:\n  got      \"%s\"\n  expected \"%s...\"", what,
			 err, want);
	}
	assert_all_zero(&out);
	assert_no_leak();
}

static void expect_reject(const char *what, const char *sq, const char *want)
{
	static char text[4096];

	assert_true(strlen(sq) < sizeof(text));
	strcpy(text, sq);
	for (char *p = text; *p != '\0'; p++) {
		if (*p == '\'') {
			*p = '"';
		}
	}
	expect_reject_text(what, text, want);
}

/* ---- the full document ------------------------------------------------- */

static const char *full_doc =
	"{'name':'lab1-cell7',"
	"'eaxc_layout':{'du_port_bits':2,'band_sector_bits':6,'cc_bits':4,"
	"'ru_port_bits':4},"
	"'timing':{'mu':3,'gps_alpha':'12287999','gps_beta':-7},"
	"'ports':["
	"{'name':'du0','device':'0000:3b:00.0','role':'ROLE_DU','mtu':9000,"
	"'native_vlan':1,'allowed_vlans':[10,20,4094]},"
	"{'name':'ru_1.a-b','device':'net_ring1','role':'ROLE_RU','mtu':64,"
	"'eaxcLayout':{'du_port_bits':4,'band_sector_bits':2,'cc_bits':2,"
	"'ru_port_bits':8},"
	"'uplane_comp':{'method':'block_scaling','iq_width':16,"
	"'dynamicHdr':true}},"
	"{'name':'trunk','device':'eth9','role':'ROLE_TRUNK','mtu':9600,"
	"'native_vlan':4094,'uplane_comp':{'method':'mu_law','iq_width':8}},"
	"{'name':'mgmt','device':'eth0','role':4}],"
	"'flows':["
	"{'name':'dl-ru1','match':{'in_port':'du0','vlan_id':10,"
	"'plane':'PLANE_U','direction':'DIRECTION_DL','eaxc_id':4660,"
	"'eaxc_mask':65535,'src_mac':'AA:bb:CC:dd:EE:0f',"
	"'dst_mac':'02:00:00:00:00:01','udp_port':65535},"
	"'action':{'out_ports':['ru_1.a-b','trunk'],'set_vlan_id':4094,"
	"'set_pcp':7,'set_src_mac':'02:00:00:00:00:AA',"
	"'set_dst_mac':'ff:ff:ff:ff:ff:ff','set_eaxc_id':65535},"
	"'window':{'earliest_us':'-10000000','latest_us':'10000000'}},"
	"{'name':'ul','match':{'inPort':'ru_1.a-b','plane':'PLANE_C',"
	"'direction':'DIRECTION_UL','eaxcId':4096,'eaxcMask':61440},"
	"'action':{'outPorts':['du0'],'set_pcp':0,"
	"'translateEaxcLayout':{'du_port_bits':4,'band_sector_bits':2,"
	"'cc_bits':2,'ru_port_bits':8}},"
	"'window':{'earliest_us':-250,'latest_us':-250}},"
	"{'name':'junk','match':{'vlan_id':4094},'action':{'drop':true,"
	"'set_eaxc_id':0}}],"
	"'l2':{'learning':false,'aging_s':1000000,'static_fdb':["
	"{'mac':'02:00:00:00:00:01','vlan':10,'port':'trunk'},"
	"{'mac':'02:00:00:00:00:01','vlan':0,'port':'mgmt'}]},"
	"'hal':{'backend':'switchdev','bridge':'br-fronthaul-15'},"
	"'ptp':{'mode':'PTP_MODE_TRANSPARENT','domains':[24,0,255]},"
	"'combineGroups':[{'name':'cell7','inPorts':['ru_1.a-b'],"
	"'out_port':'trunk','eaxc_id':4096,'eaxcMask':61440,"
	"'deadline_us':10000}]}";

static void test_config_full_document_maps_every_field(void **state)
{
	static const uint8_t mac_src[6] = {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x0f};
	static const uint8_t mac_01[6] = {0x02, 0, 0, 0, 0, 0x01};
	static const uint8_t mac_aa[6] = {0x02, 0, 0, 0, 0, 0xaa};
	static const uint8_t mac_bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct hal_config c;
	char err[MGMT_CONFIG_ERR_LEN] = "";
	const struct fh_flow *f;

	(void)state;
	if (load(full_doc, &c, err) != 0) {
		fail_msg("full document rejected: %s", err);
	}
	assert_string_equal(err, "");
	assert_string_equal(c.name, "lab1-cell7");
	assert_int_equal(c.layout.du_port_bits, 2);
	assert_int_equal(c.layout.band_sector_bits, 6);
	assert_int_equal(c.layout.cc_bits, 4);
	assert_int_equal(c.layout.ru_port_bits, 4);
	assert_int_equal(c.timing.mu, 3);
	assert_int_equal(c.timing.alpha, 12287999);
	assert_int_equal(c.timing.beta, -7);

	assert_int_equal(c.n_ports, 4);
	assert_string_equal(c.ports[0].name, "du0");
	assert_string_equal(c.ports[0].device, "0000:3b:00.0");
	assert_int_equal(c.ports[0].role, HAL_ROLE_DU);
	assert_int_equal(c.ports[0].mtu, 9000);
	assert_int_equal(c.ports[0].native_vlan, 1);
	assert_int_equal(c.ports[0].n_allowed_vlans, 3);
	assert_int_equal(c.ports[0].allowed_vlans[0], 10);
	assert_int_equal(c.ports[0].allowed_vlans[1], 20);
	assert_int_equal(c.ports[0].allowed_vlans[2], 4094);
	assert_string_equal(c.ports[1].name, "ru_1.a-b");
	assert_string_equal(c.ports[1].device, "net_ring1");
	assert_int_equal(c.ports[1].role, HAL_ROLE_RU);
	assert_int_equal(c.ports[1].mtu, 64);
	assert_int_equal(c.ports[1].native_vlan, 0);
	assert_int_equal(c.ports[1].n_allowed_vlans, 0);
	assert_int_equal(c.n_groups, 1);
	assert_string_equal(c.groups[0].name, "cell7");
	assert_int_equal(c.groups[0].n_in, 1);
	assert_int_equal(c.groups[0].in_ports[0], 1);
	assert_int_equal(c.groups[0].out_port, 2);
	assert_int_equal(c.groups[0].eaxc_id, 4096);
	assert_int_equal(c.groups[0].eaxc_mask, 61440);
	assert_int_equal(c.groups[0].deadline_us, 10000);
	assert_false(c.ports[0].has_layout);
	assert_false(c.ports[0].has_comp);
	assert_true(c.ports[1].has_layout);
	assert_int_equal(c.ports[1].layout.band_sector_bits, 2);
	assert_int_equal(c.ports[1].layout.ru_port_bits, 8);
	assert_true(c.ports[1].has_comp);
	assert_int_equal(c.ports[1].comp.method, FH_COMP_BLOCK_SCALING);
	assert_int_equal(c.ports[1].comp.iq_width, 16);
	assert_true(c.ports[1].comp_dynamic);
	assert_int_equal(c.ports[2].role, HAL_ROLE_TRUNK);
	assert_int_equal(c.ports[2].mtu, 9600);
	assert_int_equal(c.ports[2].native_vlan, 4094);
	assert_string_equal(c.ports[3].name, "mgmt");
	assert_string_equal(c.ports[3].device, "eth0");
	assert_int_equal(c.ports[3].role, HAL_ROLE_MGMT);
	assert_int_equal(c.ports[3].mtu, 0);

	assert_int_equal(c.n_flows, 3);
	assert_non_null(c.flows);
	f = &c.flows[0];
	assert_string_equal(f->name, "dl-ru1");
	assert_int_equal(f->match.in_port, 0);
	assert_int_equal(f->match.vlan_id, 10);
	assert_int_equal(f->match.plane, FH_PLANE_U);
	assert_int_equal(f->match.direction, FH_DIRECTION_DL);
	assert_int_equal(f->match.eaxc_id, 0x1234);
	assert_int_equal(f->match.eaxc_mask, 0xffff);
	assert_true(f->match.has_src_mac);
	assert_memory_equal(f->match.src_mac, mac_src, 6);
	assert_true(f->match.has_dst_mac);
	assert_memory_equal(f->match.dst_mac, mac_01, 6);
	assert_int_equal(f->match.udp_port, 65535);
	assert_int_equal(f->action.n_out_ports, 2);
	assert_int_equal(f->action.out_ports[0], 1);
	assert_int_equal(f->action.out_ports[1], 2);
	assert_int_equal(f->action.set_vlan_id, 4094);
	assert_true(f->action.has_set_pcp);
	assert_int_equal(f->action.set_pcp, 7);
	assert_true(f->action.has_set_src_mac);
	assert_memory_equal(f->action.set_src_mac, mac_aa, 6);
	assert_true(f->action.has_set_dst_mac);
	assert_memory_equal(f->action.set_dst_mac, mac_bc, 6);
	assert_true(f->action.has_set_eaxc_id);
	assert_int_equal(f->action.set_eaxc_id, 0xffff);
	assert_false(f->action.has_translate);
	assert_false(f->action.drop);
	assert_true(f->window.enabled);
	assert_true(f->window.earliest_ns == -10000000000LL);
	assert_true(f->window.latest_ns == 10000000000LL);

	f = &c.flows[1];
	assert_string_equal(f->name, "ul");
	assert_int_equal(f->match.in_port, 1);
	assert_int_equal(f->match.vlan_id, 0);
	assert_int_equal(f->match.plane, FH_PLANE_C);
	assert_int_equal(f->match.direction, FH_DIRECTION_UL);
	assert_int_equal(f->match.eaxc_id, 0x1000);
	assert_int_equal(f->match.eaxc_mask, 0xf000);
	assert_false(f->match.has_src_mac);
	assert_false(f->match.has_dst_mac);
	assert_int_equal(f->match.udp_port, 0);
	assert_int_equal(f->action.n_out_ports, 1);
	assert_int_equal(f->action.out_ports[0], 0);
	assert_int_equal(f->action.set_vlan_id, 0);
	assert_true(f->action.has_set_pcp);
	assert_int_equal(f->action.set_pcp, 0);
	assert_false(f->action.has_set_src_mac);
	assert_false(f->action.has_set_dst_mac);
	assert_false(f->action.has_set_eaxc_id);
	assert_true(f->action.has_translate);
	assert_int_equal(f->action.translate_to.du_port_bits, 4);
	assert_int_equal(f->action.translate_to.band_sector_bits, 2);
	assert_int_equal(f->action.translate_to.cc_bits, 2);
	assert_int_equal(f->action.translate_to.ru_port_bits, 8);
	assert_true(f->window.enabled);
	assert_true(f->window.earliest_ns == -250000);
	assert_true(f->window.latest_ns == -250000);

	f = &c.flows[2];
	assert_string_equal(f->name, "junk");
	assert_int_equal(f->match.in_port, FH_PORT_ANY);
	assert_int_equal(f->match.vlan_id, 4094);
	assert_int_equal(f->match.plane, FH_PLANE_ANY);
	assert_int_equal(f->match.direction, FH_DIRECTION_ANY);
	assert_int_equal(f->match.eaxc_mask, 0);
	assert_true(f->action.drop);
	assert_int_equal(f->action.n_out_ports, 0);
	assert_false(f->action.has_set_pcp);
	/* set_eaxc_id: 0 is present (a oneof), unlike set_vlan_id: 0 */
	assert_true(f->action.has_set_eaxc_id);
	assert_int_equal(f->action.set_eaxc_id, 0);
	assert_false(f->window.enabled);

	assert_false(c.learning);
	assert_int_equal(c.aging_s, 1000000);
	assert_int_equal(c.n_fdb, 2);
	assert_memory_equal(c.fdb[0].mac, mac_01, 6);
	assert_int_equal(c.fdb[0].vlan, 10);
	assert_int_equal(c.fdb[0].port, 2);
	assert_memory_equal(c.fdb[1].mac, mac_01, 6);
	assert_int_equal(c.fdb[1].vlan, 0);
	assert_int_equal(c.fdb[1].port, 3);
	assert_string_equal(c.backend, "switchdev");
	assert_string_equal(hal_option_get(&c.options, "bridge"),
			    "br-fronthaul-15");
	assert_int_equal(c.ptp_mode, HAL_PTP_TRANSPARENT);
	for (unsigned d = 0; d < 256; d++) {
		assert_int_equal(c.ptp_domains[d >> 3] >> (d & 7) & 1,
				 d == 0 || d == 24 || d == 255);
	}

	mgmt_config_free(&c);
	assert_all_zero(&c);
	mgmt_config_free(&c); /* a freed config may be freed again */
	mgmt_config_free(NULL);
}

/* ---- defaults ---------------------------------------------------------- */

static void assert_defaults(const struct hal_config *c)
{
	assert_string_equal(c->name, "");
	assert_int_equal(c->layout.du_port_bits, 4);
	assert_int_equal(c->layout.band_sector_bits, 4);
	assert_int_equal(c->layout.cc_bits, 4);
	assert_int_equal(c->layout.ru_port_bits, 4);
	assert_int_equal(c->timing.mu, 1);
	assert_int_equal(c->timing.alpha, 0);
	assert_int_equal(c->timing.beta, 0);
	assert_int_equal(c->n_ports, 1);
	assert_string_equal(c->ports[0].name, "p0");
	assert_string_equal(c->ports[0].device, "net_null0");
	assert_int_equal(c->ports[0].role, HAL_ROLE_UNSPECIFIED);
	assert_int_equal(c->ports[0].mtu, 0);
	assert_int_equal(c->ports[0].native_vlan, 0);
	assert_int_equal(c->ports[0].n_allowed_vlans, 0);
	assert_int_equal(c->n_flows, 0);
	assert_null(c->flows);
	assert_true(c->learning);
	assert_int_equal(c->aging_s, 300);
	/* PTP bridged; every domain corrected once the mode says so */
	assert_int_equal(c->ptp_mode, HAL_PTP_BRIDGE);
	for (unsigned d = 0; d < 256 / 8; d++) {
		assert_int_equal(c->ptp_domains[d], 0xff);
	}
	assert_int_equal(c->n_fdb, 0);
	assert_string_equal(c->backend, "dpdk");
	/* no bridge given: the switchdev backend picks its default */
	assert_null(hal_option_get(&c->options, "bridge"));
}

static void test_config_minimal_document_gets_defaults(void **state)
{
	static const char *const docs[] = {
		"{'ports':[{'name':'p0','device':'net_null0'}]}",
		/* empty sub-messages and empty strings mean the same */
		("{'name':'','timing':{},'l2':{},'hal':{'backend':'',"
		 "'bridge':''},'flows':[],"
		 "'ports':[{'name':'p0','device':'net_null0'}]}"),
		/* null is absent */
		("{'name':null,'eaxc_layout':null,'timing':null,'l2':null,"
		 "'hal':null,'ports':[{'name':'p0','device':'net_null0'}]}"),
	};
	struct hal_config c;
	char err[MGMT_CONFIG_ERR_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		if (load(docs[i], &c, err) != 0) {
			fail_msg("docs[%zu] rejected: %s", i, err);
		}
		assert_defaults(&c);
		mgmt_config_free(&c);
	}
}

static void test_config_flow_without_match_is_a_wildcard(void **state)
{
	struct hal_config c;
	char err[MGMT_CONFIG_ERR_LEN];

	(void)state;
	if (load("{'ports':[{'name':'p0','device':'d'}],'flows':["
		 "{'name':'all','action':{'drop':true}},"
		 "{'name':'c','match':{'plane':'PLANE_C'},"
		 "'action':{'out_ports':['p0']}}]}",
		 &c, err) != 0) {
		fail_msg("rejected: %s", err);
	}
	assert_int_equal(c.n_flows, 2);
	assert_int_equal(c.flows[0].match.in_port, FH_PORT_ANY);
	assert_int_equal(c.flows[0].match.plane, FH_PLANE_ANY);
	assert_true(c.flows[0].action.drop);
	assert_false(c.flows[0].window.enabled);
	mgmt_config_free(&c);
}

/* Flows of different specificity may overlap: the more specific wins. */
static void test_config_overlap_of_different_rank_is_valid(void **state)
{
	struct hal_config c;
	char err[MGMT_CONFIG_ERR_LEN];

	(void)state;
	if (load("{'ports':[{'name':'du','device':'d0'},{'name':'ru','device':"
		 "'d1'}],'flows':["
		 "{'name':'any','match':{'in_port':'du'},"
		 "'action':{'out_ports':['ru']}},"
		 "{'name':'masked','match':{'in_port':'du','eaxc_id':16,"
		 "'eaxc_mask':240},'action':{'out_ports':['ru']}},"
		 "{'name':'exact','match':{'in_port':'du','eaxc_id':17,"
		 "'eaxc_mask':65535},'action':{'drop':true}},"
		 "{'name':'other-eaxc','match':{'in_port':'du','eaxc_id':18,"
		 "'eaxc_mask':65535},'action':{'drop':true}}]}",
		 &c, err) != 0) {
		fail_msg("rejected: %s", err);
	}
	assert_int_equal(c.n_flows, 4);
	mgmt_config_free(&c);
}

/* Each length limit is inclusive: the longest allowed value loads. */
static void test_config_longest_names_are_valid(void **state)
{
	struct hal_config c;
	char err[MGMT_CONFIG_ERR_LEN];

	(void)state;
	if (load("{'name':'n12345678901234567890123456789012345678901234567890"
		 "123456789012','ports':[{'name':'p123456789012345678901234567"
		 "890','device':'d12345678901234567890123456789012345678901234"
		 "567890123456789012345678901234567890123456789012345678901234"
		 "5678901234567890123456'}],'flows':[{'name':'f123456789012345"
		 "67890123456789012345678901234567890123456789012','action':{'"
		 "drop':true}}],'hal':{'bridge':'b12345678901234'}}",
		 &c, err) != 0) {
		fail_msg("rejected: %s", err);
	}
	assert_int_equal(strlen(c.name), 63);
	assert_int_equal(strlen(c.ports[0].name), 31);
	assert_int_equal(strlen(c.ports[0].device), 127);
	assert_int_equal(strlen(c.flows[0].name), 63);
	assert_int_equal(strlen(hal_option_get(&c.options, "bridge")), 15);
	mgmt_config_free(&c);
}

/* ---- the table of broken documents ------------------------------------- */

#define PORTS                                                                 \
	"'ports':[{'name':'du0','device':'d0'},{'name':'ru0','device':'d1'}," \
	"{'name':'ru1','device':'d2'}]"
#define DOC(...) "{" PORTS __VA_ARGS__ "}"
#define CPORTS                                                                \
	"'ports':[{'name':'du0','device':'d0','uplane_comp':{'method':'bfp'," \
	"'iq_width':9}},{'name':'ru0','device':'d1','uplane_comp':{'method':" \
	"'bfp','iq_width':9}},{'name':'ru1','device':'d2','uplane_comp':{"    \
	"'method':'none','iq_width':16}}]"
#define FLOWS(...) ",'flows':[" __VA_ARGS__ "]"
#define FLOW(name, match, action) \
	"{'name':'" name "','match':{" match "},'action':{" action "}}"
#define FLOW_W(name, match, action, window)                        \
	"{'name':'" name "','match':{" match "},'action':{" action \
	"},'window':{" window "}}"
/* one flow with a valid match and action, the rest given */
#define MATCH(...) DOC(FLOWS(FLOW("f0", __VA_ARGS__, "'out_ports':['ru0']")))
#define ACTION(...) DOC(FLOWS(FLOW("f0", "'in_port':'du0'", __VA_ARGS__)))
#define WINDOW(...)                                                      \
	DOC(FLOWS(FLOW_W("f0", "'in_port':'du0'", "'out_ports':['ru0']", \
			 __VA_ARGS__)))
#define FDB(...) DOC(",'l2':{'static_fdb':[" __VA_ARGS__ "]}")
#define FDB1(mac, vlan, port) \
	FDB("{'mac':'" mac "','vlan':" vlan ",'port':'" port "'}")
#define P(n) "{'name':'p" #n "','device':'d" #n "'}"
#define MAC_ERR " is not a MAC address (expected aa:bb:cc:dd:ee:ff)"

struct broken {
	const char *what;
	const char *doc; /* single-quoted JSON */
	const char *err; /* expected message prefix */
};

/* clang-format off: rows read better than what it makes of the macros */
static const struct broken broken_docs[] = {
	{"the valid base is valid: control row", NULL, NULL},
	/* names that do not resolve */
	{"unknown port in in_port", MATCH("'in_port':'ru9'"),
	 "flows[0].match.in_port: no port named \"ru9\""},
	{"unknown port in out_ports", ACTION("'out_ports':['ru0','ru9']"),
	 "flows[0].action.out_ports[1]: no port named \"ru9\""},
	{"unknown port in out_ports of the 4th flow",
	 DOC(FLOWS(FLOW("a", "'vlan_id':1", "'out_ports':['ru0']") "," FLOW(
		 "b", "'vlan_id':2",
		 "'out_ports':['ru0']") "," FLOW("c", "'vlan_id':3",
						 "'out_ports':['ru0']") "," FLOW("d",
										 "'vlan_id':4",
										 "'out_ports':['ru9']"))),
	 "flows[3].action.out_ports[0]: no port named \"ru9\""},
	{"empty port name in out_ports", ACTION("'out_ports':['']"),
	 "flows[0].action.out_ports[0]: no port named \"\""},
	{"unknown port in static_fdb", FDB1("02:00:00:00:00:01", "1", "ru9"),
	 "l2.static_fdb[0].port: no port named \"ru9\""},
	{"port name is case-sensitive", MATCH("'in_port':'DU0'"),
	 "flows[0].match.in_port: no port named \"DU0\""},
	{"hostile port name is escaped and cut",
	 MATCH("'in_port':'a\\\"b\\\\c\\nd0123456789012345678901234567890"
	       "1234567890123456789012345678901234567890'"),
	 "flows[0].match.in_port: no port named \"a\\\"b\\\\c\\x0ad012345678"
	 "901234567890123456789012345678901234567890\"..."},
	/* duplicates */
	{"duplicate flow name",
	 DOC(FLOWS(FLOW("dl", "'vlan_id':1", "'out_ports':['ru0']") "," FLOW(
		 "dl", "'vlan_id':2", "'out_ports':['ru0']"))),
	 "flows[1].name: duplicate of flows[0] (\"dl\")"},
	{"duplicate port name",
	 "{'ports':[{'name':'du0','device':'d0'},{'name':'du0','device':"
	 "'d1'}]}",
	 "ports[1].name: duplicate of ports[0] (\"du0\")"},
	{"duplicate out_port", ACTION("'out_ports':['ru0','ru1','ru0']"),
	 "flows[0].action.out_ports[2]: duplicate of out_ports[0] (\"ru0\")"},
	{"duplicate allowed VLAN",
	 "{'ports':[{'name':'p','device':'d','allowed_vlans':[5,6,5]}]}",
	 "ports[0].allowed_vlans[2]: duplicate of allowed_vlans[0] (5)"},
	{"duplicate static FDB entry",
	 FDB("{'mac':'02:00:00:00:00:01','vlan':7,'port':'ru0'},"
	     "{'mac':'02:00:00:00:00:01','vlan':8,'port':'ru0'},"
	     "{'mac':'02:00:00:00:00:01','vlan':7,'port':'ru1'}"),
	 "l2.static_fdb[2]: duplicate of static_fdb[0] (same mac and vlan)"},
	/* MACs */
	{"MAC with 5 octets", MATCH("'src_mac':'aa:bb:cc:dd:ee'"),
	 "flows[0].match.src_mac: \"aa:bb:cc:dd:ee\"" MAC_ERR},
	{"MAC with 7 octets", MATCH("'src_mac':'aa:bb:cc:dd:ee:ff:00'"),
	 "flows[0].match.src_mac: \"aa:bb:cc:dd:ee:ff:00\"" MAC_ERR},
	{"MAC with dashes", MATCH("'dst_mac':'aa-bb-cc-dd-ee-ff'"),
	 "flows[0].match.dst_mac: \"aa-bb-cc-dd-ee-ff\"" MAC_ERR},
	{"MAC with a non-hex digit", MATCH("'dst_mac':'aa:bb:cc:dd:ee:fg'"),
	 "flows[0].match.dst_mac: \"aa:bb:cc:dd:ee:fg\"" MAC_ERR},
	{"MAC with 1-digit octets", MATCH("'dst_mac':'a:b:c:d:e:f'"),
	 "flows[0].match.dst_mac: \"a:b:c:d:e:f\"" MAC_ERR},
	{"MAC with 3-digit octet", MATCH("'dst_mac':'aa:bb:cc:dd:e:fff'"),
	 "flows[0].match.dst_mac: \"aa:bb:cc:dd:e:fff\"" MAC_ERR},
	{"MAC with a space", MATCH("'dst_mac':' aa:bb:cc:dd:ee:f'"),
	 "flows[0].match.dst_mac: \" aa:bb:cc:dd:ee:f\"" MAC_ERR},
	{"MAC in Cisco dotted form", MATCH("'dst_mac':'aabb.ccdd.eeff'"),
	 "flows[0].match.dst_mac: \"aabb.ccdd.eeff\"" MAC_ERR},
	{"MAC without separators", MATCH("'dst_mac':'aabbccddeeff'"),
	 "flows[0].match.dst_mac: \"aabbccddeeff\"" MAC_ERR},
	{"bad set_src_mac", ACTION("'out_ports':['ru0'],'set_src_mac':'x'"),
	 "flows[0].action.set_src_mac: \"x\"" MAC_ERR},
	{"multicast set_src_mac",
	 ACTION("'out_ports':['ru0'],'set_src_mac':'01:00:5e:00:00:01'"),
	 "flows[0].action.set_src_mac: \"01:00:5e:00:00:01\" is a multicast "
	 "address"},
	{"broadcast set_src_mac",
	 ACTION("'out_ports':['ru0'],'set_src_mac':'FF:FF:FF:FF:FF:FF'"),
	 "flows[0].action.set_src_mac: \"FF:FF:FF:FF:FF:FF\" is a multicast "
	 "address"},
	{"bad set_dst_mac",
	 ACTION("'out_ports':['ru0'],'set_dst_mac':'00:11:22:33:44:55:'"),
	 "flows[0].action.set_dst_mac: \"00:11:22:33:44:55:\"" MAC_ERR},
	{"bad static FDB MAC", FDB1("00:11:22:33:44", "1", "ru0"),
	 "l2.static_fdb[0].mac: \"00:11:22:33:44\"" MAC_ERR},
	{"empty static FDB MAC", FDB1("", "1", "ru0"),
	 "l2.static_fdb[0].mac: \"\"" MAC_ERR},
	{"multicast static FDB MAC", FDB1("33:33:00:00:00:01", "1", "ru0"),
	 "l2.static_fdb[0].mac: \"33:33:00:00:00:01\" is a multicast "
	 "address"},
	/* eAxC layouts */
	{"layout summing to 17",
	 DOC(",'eaxc_layout':{'du_port_bits':5,'band_sector_bits':4,"
	     "'cc_bits':4,'ru_port_bits':4}"),
	 "eaxc_layout: widths sum to 17, expected 16"},
	{"empty layout sums to 0", DOC(",'eaxc_layout':{}"),
	 "eaxc_layout: widths sum to 0, expected 16"},
	{"layout does not wrap around to 16",
	 DOC(",'eaxc_layout':{'du_port_bits':4294967295,'cc_bits':17}"),
	 "eaxc_layout: widths sum to 4294967312, expected 16"},
	{"translate layout summing to 15",
	 ACTION("'out_ports':['ru0'],'translate_eaxc_layout':{"
		"'du_port_bits':4,'band_sector_bits':4,'cc_bits':4,"
		"'ru_port_bits':3}"),
	 "flows[0].action.translate_eaxc_layout: widths sum to 15, expected "
	 "16"},
	{"set_eaxc_id together with translate",
	 ACTION("'out_ports':['ru0'],'set_eaxc_id':1,"
		"'translate_eaxc_layout':{'ru_port_bits':16}"),
	 "flows[0].action.set_eaxc_id: exclusive with translate_eaxc_layout"},
	/* VLAN 4095 everywhere */
	{"VLAN 4095 in match", MATCH("'vlan_id':4095"),
	 "flows[0].match.vlan_id: 4095 is out of range 0..4094"},
	{"VLAN 4095 in action",
	 ACTION("'out_ports':['ru0'],'set_vlan_id':4095"),
	 "flows[0].action.set_vlan_id: 4095 is out of range 0..4094"},
	{"VLAN 4095 native",
	 "{'ports':[{'name':'p','device':'d','native_vlan':4095}]}",
	 "ports[0].native_vlan: 4095 is out of range 0..4094"},
	{"VLAN 4095 allowed",
	 "{'ports':[{'name':'p','device':'d'},{'name':'q','device':'d',"
	 "'allowed_vlans':[1,4095]}]}",
	 "ports[1].allowed_vlans[1]: 4095 is out of range 1..4094"},
	{"VLAN 0 allowed",
	 "{'ports':[{'name':'p','device':'d','allowed_vlans':[0]}]}",
	 "ports[0].allowed_vlans[0]: 0 is out of range 1..4094"},
	{"VLAN 4095 in static FDB", FDB1("02:00:00:00:00:01", "4095", "ru0"),
	 "l2.static_fdb[0].vlan: 4095 is out of range 0..4094"},
	/* ties */
	{"two flows of equal rank that overlap",
	 DOC(FLOWS(
		 FLOW("f0", "'in_port':'du0'", "'out_ports':['ru0']") "," FLOW(
			 "f1", "'in_port':'du0'", "'out_ports':['ru1']"))),
	 "flows[1]: overlaps flows[0] (\"f0\") with the same specificity"},
	{"a tie reported on the later flow",
	 DOC(FLOWS(FLOW("x", "'in_port':'ru0'", "'out_ports':['du0']") "," FLOW("y", "'in_port':'ru1'", "'out_ports':['du0']") "," FLOW(
		 "dl-ru1",
		 "'plane':'PLANE_U','eaxc_id':1,"
		 "'eaxc_mask':65535",
		 "'out_ports':['ru1']") "," FLOW("z",
						 "'in_port':'du0','plane':'"
						 "PLANE_C'",
						 "'out_ports':['ru0']") "," FLOW("w",
										 "'in_port':'du0','plane':'PLANE_U'",
										 "'out_ports':['ru0']") "," FLOW("v",
														 "'direction':'DIRECTION_DL','eaxc_id':1,"
														 "'eaxc_mask':65535",
														 "'drop':true"))),
	 "flows[5]: overlaps flows[2] (\"dl-ru1\") with the same "
	 "specificity"},
	/* actions */
	{"drop together with out_ports",
	 ACTION("'out_ports':['ru0'],'drop':true"),
	 "flows[0].action: drop together with out_ports"},
	{"no action at all",
	 DOC(FLOWS("{'name':'f0','match':{'in_port':'du0'}}")),
	 "flows[0].action: needs out_ports or drop"},
	{"empty action", ACTION(""),
	 "flows[0].action: needs out_ports or drop"},
	{"drop false, no out_ports", ACTION("'drop':false,'out_ports':[]"),
	 "flows[0].action: needs out_ports or drop"},
	{"set_pcp 8", ACTION("'out_ports':['ru0'],'set_pcp':8"),
	 "flows[0].action.set_pcp: 8 is out of range 0..7"},
	{"pop_vlan with set_vlan_id",
	 ACTION("'out_ports':['ru0'],'pop_vlan':true,'set_vlan_id':5"),
	 "flows[0].action.pop_vlan: exclusive with set_vlan_id and set_pcp"},
	{"pop_vlan with set_pcp",
	 ACTION("'out_ports':['ru0'],'pop_vlan':true,'set_pcp':1"),
	 "flows[0].action.pop_vlan: exclusive with set_vlan_id and set_pcp"},
	{"match pcp 8", MATCH("'pcp':8"),
	 "flows[0].match.pcp: 8 is out of range 0..7"},
	{"set_eaxc_id 65536", ACTION("'out_ports':['ru0'],'set_eaxc_id':65536"),
	 "flows[0].action.set_eaxc_id: 65536 is out of range 0..65535"},
	{"17 out_ports",
	 ACTION("'out_ports':['a','b','c','d','e','f','g','h','i','j','k',"
		"'l','m','n','o','p','q']"),
	 "flows[0].action.out_ports: 17 entries, at most 16"},
	/* match */
	{"eaxc_id outside mask", MATCH("'eaxc_id':256,'eaxc_mask':255"),
	 "flows[0].match.eaxc_id: 0x0100 has bits outside eaxc_mask 0x00ff"},
	{"eaxc_id without mask", MATCH("'eaxc_id':1"),
	 "flows[0].match.eaxc_id: 0x0001 has bits outside eaxc_mask 0x0000"},
	{"eaxc_id 65536", MATCH("'eaxc_id':65536,'eaxc_mask':65535"),
	 "flows[0].match.eaxc_id: 65536 is out of range 0..65535"},
	{"eaxc_mask 65536", MATCH("'eaxc_mask':65536"),
	 "flows[0].match.eaxc_mask: 65536 is out of range 0..65535"},
	{"udp_port 65536", MATCH("'udp_port':65536"),
	 "flows[0].match.udp_port: 65536 is out of range 0..65535"},
	/* windows */
	{"window earliest after latest",
	 WINDOW("'earliest_us':100,'latest_us':50"),
	 "flows[0].window: earliest_us (100) is after latest_us (50)"},
	{"window earliest below -10 s",
	 WINDOW("'earliest_us':-10000001,'latest_us':0"),
	 "flows[0].window.earliest_us: -10000001 is out of range "
	 "-10000000..10000000"},
	{"window latest above 10 s",
	 WINDOW("'earliest_us':0,'latest_us':'10000001'"),
	 "flows[0].window.latest_us: 10000001 is out of range "
	 "-10000000..10000000"},
	/* flow names */
	{"flow without a name",
	 DOC(FLOWS("{'match':{},'action':{'drop':true}}")),
	 "flows[0].name: empty"},
	{"flow name of 64 characters",
	 DOC(FLOWS(FLOW("f123456789012345678901234567890123456789012345678"
			"901234567890123",
			"", "'drop':true"))),
	 "flows[0].name: longer than 63 characters"},
	/* timing and top level */
	{"mu 5", DOC(",'timing':{'mu':5}"),
	 "timing.mu: 5 is out of range 0..4"},
	{"gps_alpha of 10 ms", DOC(",'timing':{'gps_alpha':12288000}"),
	 "timing.gps_alpha: 12288000 is out of range 0..12287999"},
	{"name of 64 characters",
	 DOC(",'name':'n123456789012345678901234567890123456789012345678901"
	     "234567890123'"),
	 "name: longer than 63 characters"},
	/* hal */
	{"unknown backend", DOC(",'hal':{'backend':'ovs'}"),
	 "hal.backend: \"ovs\" is not a backend (this build has: dpdk, "
	 "switchdev)"},
	{"backend is case-sensitive", DOC(",'hal':{'backend':'DPDK'}"),
	 "hal.backend: \"DPDK\" is not a backend"},
	{"bridge name too long",
	 DOC(",'hal':{'backend':'switchdev','bridge':'br-fronthaul-016'}"),
	 "hal.bridge: longer than 15 characters"},
	/* ports */
	{"17 ports",
	 "{'ports':[" P(0) "," P(1) "," P(2) "," P(3) "," P(4) "," P(5) "," P(6) "," P(7) "," P(
		 8) "," P(9) "," P(10) "," P(11) "," P(12) "," P(13) "," P(14) "," P(15) "," P(16) "]}",
	 "ports: 17 entries, at most 16"},
	{"no ports", "{}", "ports: at least one port is required"},
	{"empty ports", "{'ports':[]}", "ports: at least one port is required"},
	{"port without a name", "{'ports':[{'device':'d'}]}",
	 "ports[0].name: empty"},
	{"port name of 32 characters",
	 "{'ports':[{'name':'p1234567890123456789012345678901','device':"
	 "'d'}]}",
	 "ports[0].name: longer than 31 characters"},
	{"port name with a slash", "{'ports':[{'name':'a/b','device':'d'}]}",
	 "ports[0].name: \"a/b\" has a character outside [A-Za-z0-9_.-]"},
	{"port name with a space", "{'ports':[{'name':'a b','device':'d'}]}",
	 "ports[0].name: \"a b\" has a character outside [A-Za-z0-9_.-]"},
	{"port without a device", "{'ports':[{'name':'p'}]}",
	 "ports[0].device: empty"},
	{"device of 128 characters",
	 "{'ports':[{'name':'p','device':'"
	 "d1234567890123456789012345678901234567890123456789012345678901234"
	 "567890123456789012345678901234567890123456789012345678901234567"
	 "'}]}",
	 "ports[0].device: longer than 127 characters"},
	{"port layout summing to 15",
	 "{'ports':[{'name':'p','device':'d','eaxc_layout':{"
	 "'du_port_bits':4,'band_sector_bits':4,'cc_bits':4,"
	 "'ru_port_bits':3}}]}",
	 "ports[0].eaxc_layout: widths sum to 15, expected 16"},
	{"unknown IQ coding",
	 "{'ports':[{'name':'p','device':'d','uplane_comp':{"
	 "'method':'modulation','iq_width':4}}]}",
	 "ports[0].uplane_comp.method: \"modulation\" is not one of"},
	{"IQ width 0",
	 "{'ports':[{'name':'p','device':'d','uplane_comp':{"
	 "'method':'bfp'}}]}",
	 "ports[0].uplane_comp.iq_width: 0 is out of range 1..16"},
	{"IQ width 17",
	 "{'ports':[{'name':'p','device':'d','uplane_comp':{"
	 "'method':'none','iq_width':17}}]}",
	 "ports[0].uplane_comp.iq_width: 17 is out of range 1..16"},
	/* combine groups */
	{"combine port without a coding",
	 DOC(",'combine_groups':[{'name':'c','in_ports':['ru0','ru1'],"
	     "'out_port':'du0','deadline_us':300}]"),
	 "combine_groups[0].in_ports[0]: port \"ru0\" declares no "
	 "uplane_comp; combining decodes and codes its IQ"},
	{"combine of unknown port",
	 "{" CPORTS ",'combine_groups':[{'name':'c','in_ports':['ru0','x'],"
	 "'out_port':'du0','deadline_us':300}]}",
	 "combine_groups[0].in_ports[1]: no port named \"x\""},
	{"combine out port among its in ports",
	 "{" CPORTS ",'combine_groups':[{'name':'c','in_ports':['ru0','du0'],"
	 "'out_port':'du0','deadline_us':300}]}",
	 "combine_groups[0].out_port: also in_ports[1]"},
	{"combine repeats an RU",
	 "{" CPORTS ",'combine_groups':[{'name':'c','in_ports':['ru0','ru0'],"
	 "'out_port':'du0','deadline_us':300}]}",
	 "combine_groups[0].in_ports[1]: duplicate of in_ports[0]"},
	{"combine deadline 0",
	 "{" CPORTS ",'combine_groups':[{'name':'c','in_ports':['ru0'],"
	 "'out_port':'du0'}]}",
	 "combine_groups[0].deadline_us: 0 is out of range 1..10000"},
	{"combine without RUs",
	 "{" CPORTS ",'combine_groups':[{'name':'c','out_port':'du0',"
	 "'deadline_us':1}]}",
	 "combine_groups[0].in_ports: empty (the RU ports of the cell)"},
	{"combine groups overlapping",
	 "{" CPORTS ",'combine_groups':[{'name':'a','in_ports':['ru0'],"
	 "'out_port':'du0','deadline_us':9,'eaxc_mask':65535},"
	 "{'name':'b','in_ports':['ru1','ru0'],'out_port':'du0',"
	 "'deadline_us':9}]}",
	 "combine_groups[1].in_ports[1]: its eAxCs overlap "
	 "combine_groups[0] on the same port"},
	{"combine names repeat",
	 "{" CPORTS ",'combine_groups':[{'name':'a','in_ports':['ru0'],"
	 "'out_port':'du0','deadline_us':9,'eaxc_mask':65535},"
	 "{'name':'a','in_ports':['ru1'],'out_port':'du0',"
	 "'deadline_us':9}]}",
	 "combine_groups[1].name: duplicate of combine_groups[0] (\"a\")"},
	{"mtu 63", "{'ports':[{'name':'p','device':'d','mtu':63}]}",
	 "ports[0].mtu: 63 is out of range (0 or 64..9600)"},
	{"mtu 9601", "{'ports':[{'name':'p','device':'d','mtu':9601}]}",
	 "ports[0].mtu: 9601 is out of range (0 or 64..9600)"},
	{"65 allowed VLANs",
	 "{'ports':[{'name':'p','device':'d','allowed_vlans':["
	 "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,"
	 "26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,"
	 "48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64,65]}]}",
	 "ports[0].allowed_vlans: 65 entries, at most 64"},
	/* l2 */
	{"aging_s 0", DOC(",'l2':{'aging_s':0}"),
	 "l2.aging_s: 0 is out of range 1..1000000"},
	{"aging_s 1000001", DOC(",'l2':{'aging_s':1000001}"),
	 "l2.aging_s: 1000001 is out of range 1..1000000"},
	/* ptp */
	{"ptp domain 256", DOC(",'ptp':{'domains':[24,256]}"),
	 "ptp.domains[1]: 256 is out of range 0..255"},
	{"ptp domain twice", DOC(",'ptp':{'domains':[24,44,24]}"),
	 "ptp.domains[2]: domain 24 is listed twice"},
	{"ptp mode unknown", DOC(",'ptp':{'mode':'PTP_MODE_BOUNDARY'}"),
	 "ptp.mode: not a PtpMode value (expected one of PTP_MODE_BRIDGE, "
	 "PTP_MODE_TRANSPARENT)"},
	/* what the JSON codec refuses, passed through */
	{"unknown JSON field at the top", DOC(",'bogus':1"),
	 "bogus: unknown field (not in SwitchConfig)"},
	{"unknown JSON field in a match", MATCH("'in_port':'du0','bogus':1"),
	 "flows[0].match.bogus: unknown field (not in FlowMatch)"},
	{"wrong JSON type for a string", DOC(",'name':5"),
	 "name: expected a string"},
	{"wrong JSON type for an integer",
	 "{'ports':[{'name':'p','device':'d','mtu':'big'}]}",
	 "ports[0].mtu: expected an integer, got \"big\""},
	{"wrong JSON type for a list", ACTION("'out_ports':'ru0'"),
	 "flows[0].action.out_ports: expected an array"},
	{"undeclared enum value", MATCH("'plane':'PLANE_X'"),
	 "flows[0].match.plane: not a Plane value"},
	{"undeclared role number",
	 "{'ports':[{'name':'p','device':'d','role':9}]}",
	 "ports[0].role: not a PortRole value"},
	{"negative VLAN", MATCH("'vlan_id':-1"),
	 "flows[0].match.vlan_id: expected a non-negative integer"},
	{"JSON syntax error", "{'ports':[}", "line 1 column 11: "},
	{"not an object", "[]", "(document): expected an object"},
};
/* clang-format on */

static const char *valid_base = DOC(FLOWS(
	FLOW_W("f0", "'in_port':'du0'", "'out_ports':['ru0']",
	       "'earliest_us':0,'latest_us':0")) ",'l2':{'static_fdb':["
						 "{'mac':'02:00:00:00:00:01','"
						 "vlan':1,'port':'ru0'}]}");

static void test_config_broken_documents_are_refused_by_path(void **state)
{
	struct hal_config c;
	char err[MGMT_CONFIG_ERR_LEN];

	(void)state;
	/* the documents break a valid base in one place each */
	if (load(valid_base, &c, err) != 0) {
		fail_msg("the valid base is rejected: %s", err);
	}
	mgmt_config_free(&c);
	for (size_t i = 1; i < sizeof(broken_docs) / sizeof(broken_docs[0]);
	     i++) {
		expect_reject(broken_docs[i].what, broken_docs[i].doc,
			      broken_docs[i].err);
	}
}

/* ---- large documents --------------------------------------------------- */

struct sbuf {
	char *s;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap * 2 + (size_t)n;
		b->s = realloc(b->s, b->cap);
		assert_non_null(b->s);
	}
}

static void sb_init(struct sbuf *b)
{
	b->cap = 1024;
	b->len = 0;
	b->s = malloc(b->cap);
	assert_non_null(b->s);
	b->s[0] = '\0';
}

/* n flows on distinct VLANs (no tie); n fdb entries on distinct MACs. */
static char *big_doc(size_t n_flows, size_t n_fdb)
{
	struct sbuf b;

	sb_init(&b);
	sb_printf(&b, "{" PORTS ",'flows':[");
	for (size_t i = 0; i < n_flows; i++) {
		sb_printf(&b,
			  "%s{'name':'f%zu','match':{'vlan_id':%zu,"
			  "'udp_port':%zu},'action':{'out_ports':['ru0']}}",
			  i ? "," : "", i, i % 4094 + 1, i / 4094 + 1);
	}
	sb_printf(&b, "],'l2':{'static_fdb':[");
	for (size_t i = 0; i < n_fdb; i++) {
		sb_printf(&b,
			  "%s{'mac':'02:00:00:00:%02zx:%02zx','vlan':1,"
			  "'port':'ru1'}",
			  i ? "," : "", i >> 8, i & 0xff);
	}
	sb_printf(&b, "]}}");
	for (char *p = b.s; *p != '\0'; p++) {
		if (*p == '\'') {
			*p = '"';
		}
	}
	return b.s;
}

static void test_config_limits_of_flows_and_fdb(void **state)
{
	struct hal_config *c = calloc(1, sizeof(*c));
	char err[MGMT_CONFIG_ERR_LEN];
	char *doc, *last;

	(void)state;
	assert_non_null(c);
	doc = big_doc(HAL_MAX_FLOWS, HAL_MAX_FDB);
	if (mgmt_config_load_text(doc, c, err, sizeof(err)) != 0) {
		fail_msg("4096 flows and 1024 FDB entries rejected: %s", err);
	}
	free(doc);
	assert_int_equal(c->n_flows, HAL_MAX_FLOWS);
	assert_int_equal(c->n_fdb, HAL_MAX_FDB);
	assert_string_equal(c->flows[4095].name, "f4095");
	assert_int_equal(c->flows[4095].match.vlan_id, 2);
	assert_int_equal(c->flows[4095].match.udp_port, 2);
	assert_int_equal(c->fdb[1023].mac[4], 3);
	assert_int_equal(c->fdb[1023].mac[5], 0xff);
	mgmt_config_free(c);
	free(c);

	doc = big_doc(HAL_MAX_FLOWS + 1, 0);
	expect_reject_text("4097 flows", doc,
			   "flows: 4097 entries, at most 4096");
	free(doc);
	doc = big_doc(1, HAL_MAX_FDB + 1);
	expect_reject_text("1025 FDB entries", doc,
			   "l2.static_fdb: 1025 entries, at most 1024");
	free(doc);
	/* the last of many flows fails: everything before it is freed */
	doc = big_doc(HAL_MAX_FLOWS, 0);
	last = NULL;
	for (char *p = strstr(doc, "\"ru0\""); p != NULL;
	     p = strstr(p + 1, "\"ru0\"")) {
		last = p;
	}
	assert_non_null(last);
	last[3] = '9';
	expect_reject_text("a bad port in the last of 4096 flows", doc,
			   "flows[4095].action.out_ports[0]: no port named "
			   "\"ru9\"");
	free(doc);
}

/* ---- from a protobuf message built by hand (the gRPC path) ------------ */

static void test_config_from_pb_checks_enums_and_null(void **state)
{
	Fhswitch__V1__SwitchConfig pb = FHSWITCH__V1__SWITCH_CONFIG__INIT;
	Fhswitch__V1__Port port = FHSWITCH__V1__PORT__INIT;
	Fhswitch__V1__Port *ports[] = {&port};
	Fhswitch__V1__Flow flow = FHSWITCH__V1__FLOW__INIT;
	Fhswitch__V1__Flow *flows[] = {&flow};
	Fhswitch__V1__FlowMatch match = FHSWITCH__V1__FLOW_MATCH__INIT;
	Fhswitch__V1__FlowAction action = FHSWITCH__V1__FLOW_ACTION__INIT;
	struct hal_config *c = malloc(sizeof(*c));
	char err[MGMT_CONFIG_ERR_LEN];

	(void)state;
	assert_non_null(c);
	memset(c, 0xa5, sizeof(*c));
	assert_int_equal(mgmt_config_from_pb(NULL, c, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "(document): missing");
	assert_all_zero(c);
	assert_int_equal(mgmt_config_from_pb(&pb, NULL, err, sizeof(err)),
			 -EINVAL);

	port.name = "p0";
	port.device = "d0";
	port.role = (Fhswitch__V1__PortRole)9;
	pb.n_ports = 1;
	pb.ports = ports;
	memset(c, 0xa5, sizeof(*c));
	assert_int_equal(mgmt_config_from_pb(&pb, c, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "ports[0].role: 9 is not a PortRole value");
	assert_all_zero(c);

	port.role = FHSWITCH__V1__PORT_ROLE__ROLE_RU;
	flow.name = "f";
	flow.match = &match;
	flow.action = &action;
	action.drop = 1;
	match.plane = (Fhswitch__V1__Plane)3;
	pb.n_flows = 1;
	pb.flows = flows;
	memset(c, 0xa5, sizeof(*c));
	assert_int_equal(mgmt_config_from_pb(&pb, c, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err,
			    "flows[0].match.plane: 3 is not a Plane value");
	assert_all_zero(c);
	assert_no_leak();

	match.plane = FHSWITCH__V1__PLANE__PLANE_C;
	match.direction = (Fhswitch__V1__Direction)-1;
	assert_int_equal(mgmt_config_from_pb(&pb, c, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "flows[0].match.direction: -1 is not a "
				 "Direction value");
	assert_all_zero(c);

	/* NULL strings (a hand-built message) read as empty */
	match.direction = FHSWITCH__V1__DIRECTION__DIRECTION_UL;
	match.in_port = NULL;
	match.src_mac = NULL;
	match.dst_mac = NULL;
	pb.name = NULL;
	assert_int_equal(mgmt_config_from_pb(&pb, c, err, sizeof(err)), 0);
	assert_int_equal(c->ports[0].role, HAL_ROLE_RU);
	assert_int_equal(c->flows[0].match.in_port, FH_PORT_ANY);
	assert_int_equal(c->flows[0].match.plane, FH_PLANE_C);
	assert_int_equal(c->flows[0].match.direction, FH_DIRECTION_UL);
	mgmt_config_free(c);
	free(c);
}

/* ---- error buffer ----------------------------------------------------- */

static void test_config_error_buffer_may_be_small_or_null(void **state)
{
	struct hal_config c;
	char err[12];
	char *text = dq(MATCH("'in_port':'ru9'"));

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_int_equal(mgmt_config_load_text(text, &c, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "flows[0].ma");
	assert_all_zero(&c);
	assert_int_equal(mgmt_config_load_text(text, &c, NULL, 0), -EINVAL);
	assert_all_zero(&c);
	assert_int_equal(mgmt_config_load_text(NULL, &c, err, sizeof(err)),
			 -EINVAL);
	free(text);
}

/* ---- files -------------------------------------------------------------- */

static char *write_temp(const char *content, size_t len)
{
	char *path = strdup("/tmp/test_mgmt_config.XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_config_load_file_names_the_file(void **state)
{
	struct hal_config c;
	char err[MGMT_CONFIG_ERR_LEN];
	char want[MGMT_CONFIG_ERR_LEN];
	char *text = dq(full_doc);
	char *path = write_temp(text, strlen(text));

	(void)state;
	free(text);
	if (mgmt_config_load_file(path, &c, err, sizeof(err)) != 0) {
		fail_msg("%s", err);
	}
	assert_int_equal(c.n_flows, 3);
	assert_string_equal(hal_option_get(&c.options, "bridge"),
			    "br-fronthaul-15");
	mgmt_config_free(&c);
	unlink(path);
	free(path);

	/* a validation error */
	text = dq(ACTION("'out_ports':['ru9']"));
	path = write_temp(text, strlen(text));
	free(text);
	memset(&c, 0xa5, sizeof(c));
	assert_int_equal(mgmt_config_load_file(path, &c, err, sizeof(err)),
			 -EINVAL);
	snprintf(want, sizeof(want),
		 "%s: flows[0].action.out_ports[0]: no port named \"ru9\"",
		 path);
	assert_string_equal(err, want);
	assert_all_zero(&c);
	unlink(path);
	free(path);

	/* a JSON error, passed through after the file name */
	text = "{\n  \"ports\": [,]\n}\n";
	path = write_temp(text, strlen(text));
	memset(&c, 0xa5, sizeof(c));
	assert_int_equal(mgmt_config_load_file(path, &c, err, sizeof(err)),
			 -EINVAL);
	snprintf(want, sizeof(want), "%s: line 2 column ", path);
	assert_memory_equal(err, want, strlen(want));
	assert_all_zero(&c);
	unlink(path);
	free(path);

	/* a NUL byte would hide the rest of the file from the parser */
	path = write_temp("{}\0{\"ports\":[]}", 15);
	assert_int_equal(mgmt_config_load_file(path, &c, err, sizeof(err)),
			 -EINVAL);
	snprintf(want, sizeof(want), "%s: holds a NUL byte", path);
	assert_string_equal(err, want);
	unlink(path);
	free(path);

	/* an empty file */
	path = write_temp("", 0);
	assert_int_equal(mgmt_config_load_file(path, &c, err, sizeof(err)),
			 -EINVAL);
	snprintf(want, sizeof(want), "%s: line ", path);
	assert_memory_equal(err, want, strlen(want));
	unlink(path);
	free(path);

	memset(&c, 0xa5, sizeof(c));
	assert_int_equal(mgmt_config_load_file("/nonexistent/fh.json", &c, err,
					       sizeof(err)),
			 -ENOENT);
	assert_string_equal(err,
			    "/nonexistent/fh.json: No such file or directory");
	assert_all_zero(&c);

	assert_int_equal(mgmt_config_load_file("/tmp", &c, err, sizeof(err)),
			 -EISDIR);
	assert_string_equal(err, "/tmp: Is a directory");
	assert_all_zero(&c);

	assert_int_equal(mgmt_config_load_file(NULL, &c, err, sizeof(err)),
			 -EINVAL);
	assert_no_leak();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_full_document_maps_every_field),
		cmocka_unit_test(test_config_minimal_document_gets_defaults),
		cmocka_unit_test(test_config_flow_without_match_is_a_wildcard),
		cmocka_unit_test(
			test_config_overlap_of_different_rank_is_valid),
		cmocka_unit_test(test_config_longest_names_are_valid),
		cmocka_unit_test(
			test_config_broken_documents_are_refused_by_path),
		cmocka_unit_test(test_config_limits_of_flows_and_fdb),
		cmocka_unit_test(test_config_from_pb_checks_enums_and_null),
		cmocka_unit_test(test_config_error_buffer_may_be_small_or_null),
		cmocka_unit_test(test_config_load_file_names_the_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
