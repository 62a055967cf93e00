/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fhctl ports, flows, flow add | del | status: the Ports and Flows
 * services, with each row's counters.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "mgmt_json.h"

static int ports(struct api *a, int argc, char **argv)
{
	Fhswitch__V1__ListPortsRequest q =
		FHSWITCH__V1__LIST_PORTS_REQUEST__INIT;
	Fhswitch__V1__ListPortsResponse *r;
	Fhswitch__V1__Counters *c = NULL;
	struct api_tbl t;
	pbm *m = NULL;
	int ret;

	ret = api_parse_args(a, "ports", argc, argv, NULL, NULL, NULL, NULL, 0,
			     0);
	if (ret == 0) {
		ret = api_list_call(
			a, SVC("Ports", "List"), &q.base,
			&fhswitch__v1__list_ports_response__descriptor, &m, &c);
	}
	if (m == NULL) {
		return ret;
	}
	r = (void *)m;
	api_tbl_init(&t, 6, "NAME", "DEVICE", "ROLE", ">RX", ">TX", ">DROPS");
	for (size_t i = 0; i < r->n_ports; i++) {
		const Fhswitch__V1__Port *p = r->ports[i];
		const Fhswitch__V1__PortCounters *pc =
			api_port_counters(c, p->name);
		char rx[24], tx[24], dr[24];

		api_tbl_row(
			&t, p->name, p->device,
			p->role ? api_enum_short(
					  &fhswitch__v1__port_role__descriptor,
					  p->role, "ROLE_") :
				  NULL,
			pc ? api_u64(rx, pc->rx_packets) : NULL,
			pc ? api_u64(tx, pc->tx_packets) : NULL,
			pc ? api_port_drops(dr, pc) : NULL);
	}
	api_tbl_print(&t);
	mgmt_pb_free(c);
	mgmt_pb_free(r);
	return FHCTL_EXIT_OK;
}

/* "in=A plane=U dir=DL eaxc=0x10/0xff0 ..."; "*" matches everything. */
static void match_summary(const Fhswitch__V1__FlowMatch *m, char *b, size_t n)
{
	b[0] = '\0';
	if (m == NULL) {
		snprintf(b, n, "*");
		return;
	}
	if (m->in_port[0] != '\0') {
		api_add(b, n, "in=%s", m->in_port);
	}
	if (m->vlan_id != 0) {
		api_add(b, n, "vlan=%u", m->vlan_id);
	}
	if (m->pcp_present_case == FHSWITCH__V1__FLOW_MATCH__PCP_PRESENT_PCP) {
		api_add(b, n, "pcp=%u", m->pcp);
	}
	if (m->plane != FHSWITCH__V1__PLANE__PLANE_ANY) {
		api_add(b, n, "plane=%s",
			api_enum_short(&fhswitch__v1__plane__descriptor,
				       m->plane, "PLANE_"));
	}
	if (m->direction != FHSWITCH__V1__DIRECTION__DIRECTION_ANY) {
		api_add(b, n, "dir=%s",
			api_enum_short(&fhswitch__v1__direction__descriptor,
				       m->direction, "DIRECTION_"));
	}
	if (m->eaxc_mask != 0) {
		api_add(b, n, "eaxc=0x%x/0x%x", m->eaxc_id, m->eaxc_mask);
	}
	if (m->src_mac[0] != '\0') {
		api_add(b, n, "src=%s", m->src_mac);
	}
	if (m->dst_mac[0] != '\0') {
		api_add(b, n, "dst=%s", m->dst_mac);
	}
	if (m->udp_port != 0) {
		api_add(b, n, "udp=%u", m->udp_port);
	}
	if (b[0] == '\0') {
		snprintf(b, n, "*");
	}
}

/* "KEY=A,B" (nothing for no port). */
static void add_ports(char *b, size_t n, const char *key, char *const *ports,
		      size_t count)
{
	for (size_t i = 0; i < count; i++) {
		size_t len;

		if (i == 0) {
			api_add(b, n, "%s", key);
		}
		len = strlen(b);
		snprintf(b + len, n - len, "%s%s", i ? "," : "", ports[i]);
	}
}

/* "out=B,C mirror=M vlan=5 pcp=3 eaxc=0x12 layout=4,4,4,4 window=-100..200us". */
static void action_summary(const Fhswitch__V1__Flow *f, char *b, size_t n)
{
	const Fhswitch__V1__FlowAction *x = f->action;

	b[0] = '\0';
	if (x != NULL && x->drop) {
		api_add(b, n, "drop");
	}
	if (x != NULL) {
		add_ports(b, n, "out=", x->out_ports, x->n_out_ports);
		add_ports(b, n, "mirror=", x->mirror_ports, x->n_mirror_ports);
	}
	if (x != NULL && x->pop_vlan) {
		api_add(b, n, "pop-vlan");
	}
	if (x != NULL && x->set_vlan_id != 0) {
		api_add(b, n, "vlan=%u", x->set_vlan_id);
	}
	if (x != NULL &&
	    x->set_pcp_present_case ==
		    FHSWITCH__V1__FLOW_ACTION__SET_PCP_PRESENT_SET_PCP) {
		api_add(b, n, "pcp=%u", x->set_pcp);
	}
	if (x != NULL && x->set_src_mac[0] != '\0') {
		api_add(b, n, "src=%s", x->set_src_mac);
	}
	if (x != NULL && x->set_dst_mac[0] != '\0') {
		api_add(b, n, "dst=%s", x->set_dst_mac);
	}
	if (x != NULL &&
	    x->set_eaxc_id_present_case ==
		    FHSWITCH__V1__FLOW_ACTION__SET_EAXC_ID_PRESENT_SET_EAXC_ID) {
		api_add(b, n, "eaxc=0x%x", x->set_eaxc_id);
	}
	if (x != NULL && x->translate_eaxc_layout != NULL) {
		const Fhswitch__V1__EaxcLayout *l = x->translate_eaxc_layout;

		api_add(b, n, "layout=%u,%u,%u,%u", l->du_port_bits,
			l->band_sector_bits, l->cc_bits, l->ru_port_bits);
	}
	if (f->window != NULL) {
		api_add(b, n, "window=%" PRId64 "..%" PRId64 "us",
			f->window->earliest_us, f->window->latest_us);
	}
}

static int flows(struct api *a, int argc, char **argv)
{
	Fhswitch__V1__ListFlowsRequest q =
		FHSWITCH__V1__LIST_FLOWS_REQUEST__INIT;
	Fhswitch__V1__ListFlowsResponse *r;
	Fhswitch__V1__Counters *c = NULL;
	struct api_tbl t;
	pbm *m = NULL;
	int ret;

	ret = api_parse_args(a, "flows", argc, argv, NULL, NULL, NULL, NULL, 0,
			     0);
	if (ret == 0) {
		ret = api_list_call(
			a, SVC("Flows", "List"), &q.base,
			&fhswitch__v1__list_flows_response__descriptor, &m, &c);
	}
	if (m == NULL) {
		return ret;
	}
	r = (void *)m;
	api_tbl_init(&t, 7, "NAME", "MATCH", "ACTIONS", ">RX_TOTAL", ">ON_TIME",
		     ">EARLY", ">LATE");
	for (size_t i = 0; i < r->n_flows; i++) {
		const Fhswitch__V1__Flow *f = r->flows[i];
		const Fhswitch__V1__FlowCounters *fc =
			api_flow_counters(c, f->name);
		char mt[256], x[256], n[4][24];

		match_summary(f->match, mt, sizeof(mt));
		action_summary(f, x, sizeof(x));
		api_tbl_row(
			&t, f->name, mt, x,
			fc ? api_flow_ctr(n[0], fc, "rx_total", fc->rx_total) :
			     NULL,
			fc ? api_flow_ctr(n[1], fc, "rx_on_time",
					  fc->rx_on_time) :
			     NULL,
			fc ? api_flow_ctr(n[2], fc, "rx_early", fc->rx_early) :
			     NULL,
			fc ? api_flow_ctr(n[3], fc, "rx_late", fc->rx_late) :
			     NULL);
	}
	api_tbl_print(&t);
	mgmt_pb_free(c);
	mgmt_pb_free(r);
	return FHCTL_EXIT_OK;
}

static int flow_opt(void *ctx, const char *opt, const char *val)
{
	unsigned long v;

	if (fhctl_parse_uint(val, 1, UINT64_MAX, &v) < 0) {
		return api_bad_value(opt, val, "a version >= 1");
	}
	*(uint64_t *)ctx = v;
	return 0;
}

static const char *const flow_opts[] = {"--expected-version", NULL};

static int flow_add(struct api *a, int argc, char **argv)
{
	Fhswitch__V1__FlowChangeRequest q =
		FHSWITCH__V1__FLOW_CHANGE_REQUEST__INIT;
	Fhswitch__V1__ChangeResponse *r;
	const char *file;
	pbm *m;
	int ret;

	ret = api_parse_args(a, "flow add FILE|- [--expected-version V]", argc,
			     argv, flow_opts, flow_opt, &q.expected_version,
			     &file, 1, 1);
	if (ret == 0) {
		ret = api_load_msg(file, &fhswitch__v1__flow__descriptor, NULL,
				   &m);
		q.flow = (void *)m;
	}
	if (ret != 0) {
		return ret;
	}
	ret = api_call(a, SVC("Flows", "Add"), &q.base,
		       &fhswitch__v1__change_response__descriptor, &m);
	r = (void *)m;
	if (ret == 0 && a->g.json) {
		ret = api_print_json(&r->base, false);
	} else if (ret == 0) {
		printf("added flow %s: version %" PRIu64 "\n", q.flow->name,
		       r->version);
	}
	mgmt_pb_free(q.flow);
	mgmt_pb_free(r);
	return ret;
}

static int flow_del(struct api *a, int argc, char **argv)
{
	Fhswitch__V1__DeleteFlowRequest q =
		FHSWITCH__V1__DELETE_FLOW_REQUEST__INIT;
	Fhswitch__V1__ChangeResponse *r;
	const char *name;
	pbm *m;
	int ret;

	ret = api_parse_args(a, "flow del NAME [--expected-version V]", argc,
			     argv, flow_opts, flow_opt, &q.expected_version,
			     &name, 1, 1);
	if (ret != 0) {
		return ret;
	}
	q.name = (char *)name;
	ret = api_call(a, SVC("Flows", "Delete"), &q.base,
		       &fhswitch__v1__change_response__descriptor, &m);
	r = (void *)m;
	if (ret == 0 && a->g.json) {
		ret = api_print_json(&r->base, false);
	} else if (ret == 0) {
		printf("deleted flow %s: version %" PRIu64 "\n", name,
		       r->version);
	}
	mgmt_pb_free(r);
	return ret;
}

static int flow_status(struct api *a, int argc, char **argv)
{
	Fhswitch__V1__FlowStatusRequest q =
		FHSWITCH__V1__FLOW_STATUS_REQUEST__INIT;
	Fhswitch__V1__FlowStatusResponse *r;
	const char **names = calloc((size_t)argc + 1, sizeof(*names));
	struct api_tbl t;
	pbm *m = NULL;
	int ret;

	if (names == NULL) {
		fprintf(stderr, "fhctl: out of memory\n");
		return FHCTL_EXIT_ERROR;
	}
	ret = api_parse_args(a, "flow status [NAME]...", argc, argv, NULL, NULL,
			     NULL, names, 0, argc);
	for (q.n_names = 0; names[q.n_names] != NULL; q.n_names++) {
	}
	q.names = (char **)names;
	if (ret == 0) {
		ret = api_list_call(
			a, SVC("Flows", "Status"), &q.base,
			&fhswitch__v1__flow_status_response__descriptor, &m,
			NULL);
	}
	free(names);
	if (m == NULL) {
		return ret;
	}
	r = (void *)m;
	printf("backend %s\n", r->backend);
	api_tbl_init(&t, 5, "FLOW", ">RULES", ">IN_HW", "WHERE", "DETAIL");
	for (size_t i = 0; i < r->n_flows; i++) {
		const Fhswitch__V1__FlowStatus *f = r->flows[i];
		char n[2][24];

		api_tbl_row(&t, f->name, api_u64(n[0], f->rules),
			    api_u64(n[1], f->rules_in_hw),
			    f->in_hw ? "hardware" : "software", f->detail);
	}
	api_tbl_print(&t);
	mgmt_pb_free(r);
	return FHCTL_EXIT_OK;
}

const struct api_cmd api_flow_cmds[] = {
	{"ports", NULL, ports},		 {"flows", NULL, flows},
	{"flow", "add", flow_add},	 {"flow", "del", flow_del},
	{"flow", "status", flow_status}, {NULL, NULL, NULL},
};
