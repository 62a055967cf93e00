/* SPDX-License-Identifier: Apache-2.0 */
/* The gRPC services over the configuration store and the HAL: Config. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mgmt_store.h"
#include "services.h"

/* ---- Config ------------------------------------------------------------------- */

/* Seconds left to confirm a pending commit (0 if none); s->lock held. */
static uint32_t confirm_remaining_s(const struct mgmt_store *s)
{
	struct timespec now;

	if (!s->pending) {
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint32_t)(s->deadline.tv_sec > now.tv_sec ?
				  s->deadline.tv_sec - now.tv_sec :
				  0);
}

void mgmt_rpc_config_get(void *svc, const struct mgmt_call_info *ci,
			 const ProtobufCMessage *req, ProtobufCMessage **resp,
			 struct mgmt_error *st)
{
	struct mgmt_store *s = SVC(svc);
	Fhswitch__V1__GetConfigResponse *r =
		mgmt_pb_new(&fhswitch__v1__get_config_response__descriptor);

	(void)ci;
	(void)req;
	if (r == NULL) {
		mgmt_error_set(st, -ENOMEM, "out of memory");
		return;
	}
	pthread_mutex_lock(&s->lock);
	r->config = mgmt_pb_clone(&s->running->base);
	r->version = s->version;
	r->pending_confirm = s->pending;
	r->confirm_remaining_s = confirm_remaining_s(s);
	pthread_mutex_unlock(&s->lock);
	*resp = &r->base;
}

void mgmt_rpc_config_validate(void *svc, const struct mgmt_call_info *ci,
			      const ProtobufCMessage *req,
			      ProtobufCMessage **resp, struct mgmt_error *st)
{
	struct mgmt_store *s = SVC(svc);
	const Fhswitch__V1__ValidateRequest *q = (const void *)req;
	Fhswitch__V1__ValidateResponse *r;

	(void)ci;
	if (q->config == NULL) {
		mgmt_error_set(st, -EINVAL, "config: required");
		return;
	}
	if (mgmt_validate(q->config, s->hal, &r) < 0) {
		mgmt_error_set(st, -ENOMEM, "out of memory");
		return;
	}
	*resp = &r->base;
}

int mgmt_svc_port_index(const pb_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_ports; i++) {
		if (strcmp(c->ports[i]->name, name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

int mgmt_svc_flow_index(const pb_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_flows; i++) {
		if (strcmp(c->flows[i]->name, name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

/* Upsert a cloned element into a repeated field by index (or append). */
static int upsert(void ***arr, size_t *n, int idx, void *elem)
{
	if (idx >= 0) {
		mgmt_pb_free((*arr)[idx]);
		(*arr)[idx] = elem;
		return 0;
	}
	void **na = realloc(*arr, (*n + 1) * sizeof(void *));

	if (na == NULL) {
		return -ENOMEM;
	}
	na[*n] = elem;
	*arr = na;
	(*n)++;
	return 0;
}

static void remove_at(void **arr, size_t *n, size_t idx)
{
	mgmt_pb_free(arr[idx]);
	memmove(&arr[idx], &arr[idx + 1], (*n - idx - 1) * sizeof(void *));
	(*n)--;
}

/* Apply a patch to a clone of the running config. */
pb_config *mgmt_svc_patched(const pb_config *run,
			    const Fhswitch__V1__ConfigPatch *p,
			    struct mgmt_error *st)
{
	pb_config *c = mgmt_pb_clone(&run->base);

	if (c == NULL) {
		mgmt_error_set(st, -ENOMEM, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < p->n_delete_flows; i++) {
		int k = mgmt_svc_flow_index(c, p->delete_flows[i]);

		if (k < 0) {
			mgmt_error_set(st, -ENOENT,
				       "patch.delete_flows[%zu]: no flow "
				       "named \"%s\"",
				       i, p->delete_flows[i]);
			goto fail;
		}
		remove_at((void **)c->flows, &c->n_flows, (size_t)k);
	}
	for (size_t i = 0; i < p->n_delete_ports; i++) {
		int k = mgmt_svc_port_index(c, p->delete_ports[i]);

		if (k < 0) {
			mgmt_error_set(st, -ENOENT,
				       "patch.delete_ports[%zu]: no port "
				       "named \"%s\"",
				       i, p->delete_ports[i]);
			goto fail;
		}
		remove_at((void **)c->ports, &c->n_ports, (size_t)k);
	}
	for (size_t i = 0; i < p->n_upsert_ports; i++) {
		void *e = mgmt_pb_clone(&p->upsert_ports[i]->base);

		if (e == NULL ||
		    upsert((void ***)&c->ports, &c->n_ports,
			   mgmt_svc_port_index(c, p->upsert_ports[i]->name),
			   e) < 0) {
			mgmt_pb_free(e);
			mgmt_error_set(st, -ENOMEM, "out of memory");
			goto fail;
		}
	}
	for (size_t i = 0; i < p->n_upsert_flows; i++) {
		void *e = mgmt_pb_clone(&p->upsert_flows[i]->base);

		if (e == NULL ||
		    upsert((void ***)&c->flows, &c->n_flows,
			   mgmt_svc_flow_index(c, p->upsert_flows[i]->name),
			   e) < 0) {
			mgmt_pb_free(e);
			mgmt_error_set(st, -ENOMEM, "out of memory");
			goto fail;
		}
	}
	return c;
fail:
	mgmt_pb_free(c);
	return NULL;
}

/* Equal sub-messages (both absent counts as equal). */
static bool pb_equal(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
	size_t na, nb;
	uint8_t *ba, *bb;
	bool eq;

	if (a == NULL || b == NULL) {
		return a == b;
	}
	na = protobuf_c_message_get_packed_size(a);
	nb = protobuf_c_message_get_packed_size(b);
	if (na != nb) {
		return false;
	}
	ba = malloc(na + 1);
	bb = malloc(nb + 1);
	if (ba == NULL || bb == NULL) {
		free(ba);
		free(bb);
		return false;
	}
	protobuf_c_message_pack(a, ba);
	protobuf_c_message_pack(b, bb);
	eq = memcmp(ba, bb, na) == 0;
	free(ba);
	free(bb);
	return eq;
}

/*
 * Who may change access: role bindings (mgmt) are the admin's alone, and
 * with certificates in use a config must keep an admin binding, so no
 * commit locks everybody out.
 */
static int access_guard(struct mgmt_store *s, const pb_config *next,
			const struct mgmt_call_info *ci, struct mgmt_error *st)
{
	const ProtobufCMessage *a =
		s->running->mgmt ? &s->running->mgmt->base : NULL;
	const ProtobufCMessage *b = next->mgmt ? &next->mgmt->base : NULL;
	bool admin = false;

	if (!pb_equal(a, b) && ci->role < MGMT_ROLE_ADMIN) {
		return mgmt_error_set(st, -EACCES,
				      "mgmt: changing role bindings needs the "
				      "admin role");
	}
	if (!s->tls) {
		return 0;
	}
	for (size_t i = 0; next->mgmt && i < next->mgmt->n_role_bindings; i++) {
		admin |= next->mgmt->role_bindings[i]->role ==
			 FHSWITCH__V1__ACCESS_ROLE__ACCESS_ADMIN;
	}
	if (!admin) {
		return mgmt_error_set(st, -EBUSY,
				      "mgmt.role_bindings: no ACCESS_ADMIN "
				      "binding would remain; nobody could "
				      "administer the switch");
	}
	return 0;
}

int mgmt_svc_check_version(struct mgmt_store *s, uint64_t expected,
			   struct mgmt_error *st)
{
	if (expected != 0 && expected != s->version) {
		return mgmt_error_set(st, -ESTALE,
				      "expected_version: %llu, but version "
				      "%llu is running",
				      (unsigned long long)expected,
				      (unsigned long long)s->version);
	}
	if (s->pending) {
		return mgmt_error_set(st, -EBUSY,
				      "a confirmed commit awaits Confirm "
				      "(or its timeout)");
	}
	return 0;
}

void *mgmt_svc_version_resp(const ProtobufCMessageDescriptor *d, uint64_t v,
			    struct mgmt_error *st)
{
	/* every response type used here has the version as field 1 */
	ProtobufCMessage *r = mgmt_pb_new(d);

	if (r == NULL) {
		mgmt_error_set(st, -ENOMEM, "out of memory");
		return NULL;
	}
	*(uint64_t *)((uint8_t *)r + d->fields[0].offset) = v;
	return r;
}

void mgmt_rpc_config_commit(void *svc, const struct mgmt_call_info *ci,
			    const ProtobufCMessage *req,
			    ProtobufCMessage **resp, struct mgmt_error *st)
{
	struct mgmt_store *s = SVC(svc);
	const Fhswitch__V1__CommitRequest *q = (const void *)req;
	pb_config *next = NULL, *prev;

	if (q->confirm_timeout_s > 3600) {
		mgmt_error_set(st, -EINVAL,
			       "confirm_timeout_s: %u is out of range 0..3600",
			       q->confirm_timeout_s);
		return;
	}
	pthread_mutex_lock(&s->lock);
	if (mgmt_svc_check_version(s, q->expected_version, st) != 0) {
		goto out;
	}
	switch (q->change_case) {
	case FHSWITCH__V1__COMMIT_REQUEST__CHANGE_CONFIG:
		next = mgmt_pb_clone(&q->config->base);
		break;
	case FHSWITCH__V1__COMMIT_REQUEST__CHANGE_PATCH:
		next = mgmt_svc_patched(s->running, q->patch, st);
		if (next == NULL) {
			goto out;
		}
		break;
	default:
		mgmt_error_set(st, -EINVAL, "change: config or patch required");
		goto out;
	}
	if (next == NULL) {
		mgmt_error_set(st, -ENOMEM, "out of memory");
		goto out;
	}
	if (access_guard(s, next, ci, st) != 0) {
		mgmt_pb_free(next);
		goto out;
	}
	prev = q->confirm_timeout_s ? mgmt_pb_clone(&s->running->base) : NULL;
	if (mgmt_store_commit_locked(s, next, ci->identity, q->comment,
				     q->confirm_timeout_s == 0, st) != 0) {
		mgmt_pb_free(prev);
		goto out;
	}
	if (q->confirm_timeout_s != 0) {
		s->pending = true;
		s->before_pending = prev;
		clock_gettime(CLOCK_MONOTONIC, &s->deadline);
		s->deadline.tv_sec += q->confirm_timeout_s;
	}
	*resp = mgmt_svc_version_resp(
		&fhswitch__v1__commit_response__descriptor, s->version, st);
out:
	pthread_mutex_unlock(&s->lock);
}

void mgmt_rpc_config_confirm(void *svc, const struct mgmt_call_info *ci,
			     const ProtobufCMessage *req,
			     ProtobufCMessage **resp, struct mgmt_error *st)
{
	struct mgmt_store *s = SVC(svc);
	char err[MGMT_CONFIG_ERR_LEN];
	int ret;

	(void)ci;
	(void)req;
	pthread_mutex_lock(&s->lock);
	if (!s->pending) {
		mgmt_error_set(st, -EBUSY, "no confirmed commit is pending");
	} else if ((ret = mgmt_store_persist(s->path, s->running, s->version,
					     err, sizeof(err))) < 0) {
		mgmt_error_set(st, mgmt_store_persist_err(ret),
			       "persisting the config: %s", err);
	} else {
		s->pending = false;
		mgmt_pb_free(s->before_pending);
		s->before_pending = NULL;
		*resp = mgmt_svc_version_resp(
			&fhswitch__v1__confirm_response__descriptor, s->version,
			st);
	}
	pthread_mutex_unlock(&s->lock);
}

void mgmt_rpc_config_rollback(void *svc, const struct mgmt_call_info *ci,
			      const ProtobufCMessage *req,
			      ProtobufCMessage **resp, struct mgmt_error *st)
{
	struct mgmt_store *s = SVC(svc);
	const Fhswitch__V1__RollbackRequest *q = (const void *)req;
	pb_config *target = NULL;
	char comment[64];

	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; i < s->n_hist; i++) {
		if (s->hist[i].version == q->to_version) {
			target = mgmt_pb_clone(&s->hist[i].config->base);
			break;
		}
	}
	if (target == NULL) {
		mgmt_error_set(
			st, -ENOENT,
			"to_version: %llu is not among the last %u "
			"versions (%llu..%llu)",
			(unsigned long long)q->to_version, s->n_hist,
			(unsigned long long)s->hist[s->n_hist - 1].version,
			(unsigned long long)s->hist[0].version);
		goto out;
	}
	if (s->pending) {
		/* a rollback settles a pending confirmed commit */
		s->pending = false;
		mgmt_pb_free(s->before_pending);
		s->before_pending = NULL;
	}
	if (access_guard(s, target, ci, st) != 0) {
		mgmt_pb_free(target);
		goto out;
	}
	snprintf(comment, sizeof(comment), "rollback to %llu",
		 (unsigned long long)q->to_version);
	if (mgmt_store_commit_locked(s, target, ci->identity, comment, true,
				     st) == 0) {
		*resp = mgmt_svc_version_resp(
			&fhswitch__v1__rollback_response__descriptor,
			s->version, st);
	}
out:
	pthread_mutex_unlock(&s->lock);
}

void mgmt_rpc_config_list_versions(void *svc, const struct mgmt_call_info *ci,
				   const ProtobufCMessage *req,
				   ProtobufCMessage **resp,
				   struct mgmt_error *st)
{
	struct mgmt_store *s = SVC(svc);
	Fhswitch__V1__ListVersionsResponse *r =
		mgmt_pb_new(&fhswitch__v1__list_versions_response__descriptor);

	(void)ci;
	(void)req;
	pthread_mutex_lock(&s->lock);
	if (r != NULL) {
		r->versions = calloc(s->n_hist, sizeof(*r->versions));
	}
	if (r == NULL || r->versions == NULL) {
		mgmt_pb_free(r);
		mgmt_error_set(st, -ENOMEM, "out of memory");
		pthread_mutex_unlock(&s->lock);
		return;
	}
	for (unsigned i = 0; i < s->n_hist; i++) {
		Fhswitch__V1__VersionInfo *v =
			mgmt_pb_new(&fhswitch__v1__version_info__descriptor);

		if (v == NULL) {
			break;
		}
		v->version = s->hist[i].version;
		v->committed_unix_s = s->hist[i].unix_s;
		v->identity = mgmt_strdup(s->hist[i].identity);
		v->comment = mgmt_strdup(s->hist[i].comment);
		v->running = s->hist[i].version == s->version;
		v->pending_confirm = v->running && s->pending;
		v->confirm_remaining_s =
			v->pending_confirm ? confirm_remaining_s(s) : 0;
		r->versions[r->n_versions++] = v;
	}
	pthread_mutex_unlock(&s->lock);
	*resp = &r->base;
}
