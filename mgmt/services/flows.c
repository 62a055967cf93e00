/* SPDX-License-Identifier: Apache-2.0 */
/* The gRPC services over the configuration store and the HAL: Ports and Flows. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mgmt_store.h"
#include "services.h"

/* ---- Ports and Flows ----------------------------------------------------------- */

void mgmt_rpc_ports_list(void *svc, const struct mgmt_call_info *ci,
			 const ProtobufCMessage *req, ProtobufCMessage **resp,
			 struct mgmt_error *st)
{
	struct mgmt_store *s = SVC(svc);
	Fhswitch__V1__ListPortsResponse *r =
		mgmt_pb_new(&fhswitch__v1__list_ports_response__descriptor);

	(void)ci;
	(void)req;
	pthread_mutex_lock(&s->lock);
	if (r != NULL && s->running->n_ports != 0) {
		r->ports = calloc(s->running->n_ports, sizeof(*r->ports));
		for (size_t i = 0; r->ports && i < s->running->n_ports; i++) {
			r->ports[r->n_ports] =
				mgmt_pb_clone(&s->running->ports[i]->base);
			r->n_ports += r->ports[r->n_ports] != NULL;
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (r == NULL) {
		mgmt_error_set(st, -ENOMEM, "out of memory");
		return;
	}
	*resp = &r->base;
}

void mgmt_rpc_ports_get(void *svc, const struct mgmt_call_info *ci,
			const ProtobufCMessage *req, ProtobufCMessage **resp,
			struct mgmt_error *st)
{
	struct mgmt_store *s = SVC(svc);
	const Fhswitch__V1__GetPortRequest *q = (const void *)req;
	int k;

	(void)ci;
	pthread_mutex_lock(&s->lock);
	k = mgmt_svc_port_index(s->running, q->name);
	if (k < 0) {
		mgmt_error_set(st, -ENOENT, "name: no port named \"%s\"",
			       q->name);
	} else {
		*resp = mgmt_pb_clone(&s->running->ports[k]->base);
	}
	pthread_mutex_unlock(&s->lock);
}

void mgmt_rpc_flows_list(void *svc, const struct mgmt_call_info *ci,
			 const ProtobufCMessage *req, ProtobufCMessage **resp,
			 struct mgmt_error *st)
{
	struct mgmt_store *s = SVC(svc);
	Fhswitch__V1__ListFlowsResponse *r =
		mgmt_pb_new(&fhswitch__v1__list_flows_response__descriptor);

	(void)ci;
	(void)req;
	pthread_mutex_lock(&s->lock);
	if (r != NULL && s->running->n_flows != 0) {
		r->flows = calloc(s->running->n_flows, sizeof(*r->flows));
		for (size_t i = 0; r->flows && i < s->running->n_flows; i++) {
			r->flows[r->n_flows] =
				mgmt_pb_clone(&s->running->flows[i]->base);
			r->n_flows += r->flows[r->n_flows] != NULL;
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (r == NULL) {
		mgmt_error_set(st, -ENOMEM, "out of memory");
		return;
	}
	*resp = &r->base;
}

void mgmt_rpc_flows_get(void *svc, const struct mgmt_call_info *ci,
			const ProtobufCMessage *req, ProtobufCMessage **resp,
			struct mgmt_error *st)
{
	struct mgmt_store *s = SVC(svc);
	const Fhswitch__V1__GetFlowRequest *q = (const void *)req;
	int k;

	(void)ci;
	pthread_mutex_lock(&s->lock);
	k = mgmt_svc_flow_index(s->running, q->name);
	if (k < 0) {
		mgmt_error_set(st, -ENOENT, "name: no flow named \"%s\"",
			       q->name);
	} else {
		*resp = mgmt_pb_clone(&s->running->flows[k]->base);
	}
	pthread_mutex_unlock(&s->lock);
}

/* A request's name filter: true if names (n of them) is empty or holds
 * name. */
bool mgmt_svc_named(const char *name, char *const *names, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (strcmp(name, names[k]) == 0) {
			return true;
		}
	}
	return n == 0;
}

/* The names of the HAL_CTR_* bits in mask, as a repeated string field
 * (*out NULL when none). */
int mgmt_svc_counter_names(uint32_t mask, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (mask == 0) {
		return 0;
	}
	*out = calloc(HAL_CTR_COUNT, sizeof(**out));
	if (*out == NULL) {
		return -ENOMEM;
	}
	for (unsigned b = 0; b < HAL_CTR_COUNT; b++) {
		if ((mask & 1u << b) != 0) {
			(*out)[(*n)++] = mgmt_strdup(hal_counter_name(1u << b));
		}
	}
	return 0;
}

void mgmt_rpc_flows_status(void *svc, const struct mgmt_call_info *ci,
			   const ProtobufCMessage *req, ProtobufCMessage **resp,
			   struct mgmt_error *st)
{
	struct mgmt_store *s = SVC(svc);
	const Fhswitch__V1__FlowStatusRequest *q = (const void *)req;
	Fhswitch__V1__FlowStatusResponse *r =
		mgmt_pb_new(&fhswitch__v1__flow_status_response__descriptor);
	const pb_config *c;

	(void)ci;
	if (r == NULL) {
		mgmt_error_set(st, -ENOMEM, "out of memory");
		return;
	}
	pthread_mutex_lock(&s->lock);
	c = s->running;
	for (size_t k = 0; k < q->n_names; k++) {
		if (mgmt_svc_flow_index(c, q->names[k]) < 0) {
			mgmt_error_set(st, -ENOENT,
				       "names[%zu]: no flow named \"%s\"", k,
				       q->names[k]);
			goto out;
		}
	}
	r->backend = mgmt_strdup(s->cfg.backend);
	r->flows = calloc(c->n_flows ? c->n_flows : 1, sizeof(*r->flows));
	if (r->flows == NULL) {
		mgmt_error_set(st, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < c->n_flows; i++) {
		Fhswitch__V1__FlowStatus *fs;
		struct hal_flow_status hs;
		int ret;

		if (!mgmt_svc_named(c->flows[i]->name, q->names, q->n_names)) {
			continue;
		}
		ret = hal_flow_status(s->hal, c->flows[i]->name, &hs);
		if (ret < 0) {
			mgmt_error_set(st, -EIO,
				       "flow \"%s\": reading its status: %s",
				       c->flows[i]->name, strerror(-ret));
			goto out;
		}
		fs = mgmt_pb_new(&fhswitch__v1__flow_status__descriptor);
		if (fs == NULL) {
			mgmt_error_set(st, -ENOMEM, "out of memory");
			goto out;
		}
		fs->name = mgmt_strdup(c->flows[i]->name);
		fs->rules = hs.rules;
		fs->rules_in_hw = hs.rules_in_hw;
		fs->in_hw = hs.rules != 0 && hs.rules_in_hw == hs.rules;
		fs->detail = mgmt_strdup(hs.detail);
		r->flows[r->n_flows++] = fs;
	}
out:
	pthread_mutex_unlock(&s->lock);
	if (st->err != 0) {
		mgmt_pb_free(r);
		return;
	}
	*resp = &r->base;
}

enum flow_op { FLOW_ADD, FLOW_UPDATE, FLOW_DELETE };

/* An error about the request's flow names it as the request does ("flow"),
 * not by its place in the merged config ("flows[k]"). */
static void request_path(struct mgmt_error *st, int k)
{
	char prefix[32];
	size_t n = (size_t)snprintf(prefix, sizeof(prefix), "flows[%d]", k);
	char c = st->message[n];

	if (strncmp(st->message, prefix, n) != 0 || (c >= '0' && c <= '9')) {
		return;
	}
	/* "flows[k]" -> "flow": the rest moves left */
	memmove(st->message + 4, st->message + n, strlen(st->message + n) + 1);
}

static void flow_change(struct mgmt_store *s, const struct mgmt_call_info *ci,
			enum flow_op op, const Fhswitch__V1__Flow *flow,
			const char *name, uint64_t expected,
			ProtobufCMessage **resp, struct mgmt_error *st)
{
	Fhswitch__V1__ConfigPatch p = FHSWITCH__V1__CONFIG_PATCH__INIT;
	Fhswitch__V1__Flow *fl[1];
	char *del[1];
	pb_config *next;
	char comment[128];
	int k;

	if (op != FLOW_DELETE && flow == NULL) {
		mgmt_error_set(st, -EINVAL, "flow: required");
		return;
	}
	if (op != FLOW_DELETE) {
		name = flow->name;
	}
	if (name == NULL || name[0] == '\0') {
		mgmt_error_set(st, -EINVAL,
			       op == FLOW_DELETE ? "name: required" :
						   "flow.name: required");
		return;
	}
	pthread_mutex_lock(&s->lock);
	if (mgmt_svc_check_version(s, expected, st) != 0) {
		goto out;
	}
	k = mgmt_svc_flow_index(s->running, name);
	if (op == FLOW_ADD && k >= 0) {
		mgmt_error_set(st, -EEXIST,
			       "flow.name: a flow named \"%s\" exists", name);
		goto out;
	}
	if (op != FLOW_ADD && k < 0) {
		mgmt_error_set(st, -ENOENT, "%s: no flow named \"%s\"",
			       op == FLOW_DELETE ? "name" : "flow.name", name);
		goto out;
	}
	if (op == FLOW_DELETE) {
		del[0] = (char *)name;
		p.delete_flows = del;
		p.n_delete_flows = 1;
	} else {
		fl[0] = (Fhswitch__V1__Flow *)flow;
		p.upsert_flows = fl;
		p.n_upsert_flows = 1;
	}
	next = mgmt_svc_patched(s->running, &p, st);
	if (next == NULL) {
		goto out;
	}
	k = op == FLOW_DELETE ? -1 : mgmt_svc_flow_index(next, name);
	snprintf(comment, sizeof(comment), "flow %s %s",
		 op == FLOW_ADD	   ? "add" :
		 op == FLOW_UPDATE ? "update" :
				     "delete",
		 name);
	if (mgmt_store_commit_locked(s, next, ci->identity, comment, true,
				     st) == 0) {
		*resp = mgmt_svc_version_resp(
			&fhswitch__v1__change_response__descriptor, s->version,
			st);
	} else if (k >= 0) {
		request_path(st, k);
	}
out:
	pthread_mutex_unlock(&s->lock);
}

void mgmt_rpc_flows_add(void *svc, const struct mgmt_call_info *ci,
			const ProtobufCMessage *req, ProtobufCMessage **resp,
			struct mgmt_error *st)
{
	const Fhswitch__V1__FlowChangeRequest *q = (const void *)req;

	flow_change(SVC(svc), ci, FLOW_ADD, q->flow, NULL, q->expected_version,
		    resp, st);
}

void mgmt_rpc_flows_update(void *svc, const struct mgmt_call_info *ci,
			   const ProtobufCMessage *req, ProtobufCMessage **resp,
			   struct mgmt_error *st)
{
	const Fhswitch__V1__FlowChangeRequest *q = (const void *)req;

	flow_change(SVC(svc), ci, FLOW_UPDATE, q->flow, NULL,
		    q->expected_version, resp, st);
}

void mgmt_rpc_flows_delete(void *svc, const struct mgmt_call_info *ci,
			   const ProtobufCMessage *req, ProtobufCMessage **resp,
			   struct mgmt_error *st)
{
	const Fhswitch__V1__DeleteFlowRequest *q = (const void *)req;

	flow_change(SVC(svc), ci, FLOW_DELETE, NULL, q->name,
		    q->expected_version, resp, st);
}
