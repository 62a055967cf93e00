/* SPDX-License-Identifier: Apache-2.0 */
/* The gRPC services over the configuration store and the HAL. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mgmt_store.h"

/* ---- Config ------------------------------------------------------------------- */

#define SVC(v) ((struct mgmt_svc *)(v))

static void config_get(void *svc, const struct mgmt_call_info *ci,
		       const ProtobufCMessage *req, ProtobufCMessage **resp,
		       struct mgmt_status *st)
{
	struct mgmt_svc *s = SVC(svc);
	Fhswitch__V1__GetConfigResponse *r =
		pb_new(&fhswitch__v1__get_config_response__descriptor);

	(void)ci;
	(void)req;
	if (r == NULL) {
		mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	pthread_mutex_lock(&s->lock);
	r->config = pb_clone(&s->running->base);
	r->version = s->version;
	r->pending_confirm = s->pending;
	if (s->pending) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		r->confirm_remaining_s =
			(uint32_t)(s->deadline.tv_sec > now.tv_sec
					   ? s->deadline.tv_sec - now.tv_sec
					   : 0);
	}
	pthread_mutex_unlock(&s->lock);
	*resp = &r->base;
}

/* Validate one config the way a commit would; 0, or -EINVAL with
 * "PATH: reason" in err. */
static int validate_one(struct mgmt_svc *s, const pb_config *c, char *err,
			size_t errlen)
{
	struct hal_config cfg;
	struct mgmt_status rs;
	char msg[256];
	int ret;

	if (check_roles(c, &rs) != 0) {
		snprintf(err, errlen, "%s", rs.message);
		return -EINVAL;
	}
	ret = mgmt_config_from_pb(c, &cfg, err, errlen);
	if (ret < 0) {
		return ret;
	}
	/* the HAL's capabilities are part of validity */
	ret = hal_check(s->hal, &cfg, msg, sizeof(msg));
	if (ret < 0) {
		snprintf(err, errlen, "%s", msg);
	}
	mgmt_config_free(&cfg);
	return ret;
}

#define MAX_VALIDATION_ERRORS 64

/* Append "PATH: reason" to the response, once. */
static int add_error(Fhswitch__V1__ValidateResponse *r, char *err)
{
	Fhswitch__V1__ValidationError *e;
	char *colon = strstr(err, ": ");
	const char *path = "", *msg = err;

	if (colon != NULL) {
		*colon = '\0';
		path = err;
		msg = colon + 2;
	}
	for (size_t i = 0; i < r->n_errors; i++) {
		if (strcmp(r->errors[i]->path, path) == 0 &&
		    strcmp(r->errors[i]->message, msg) == 0) {
			return 0;
		}
	}
	e = pb_new(&fhswitch__v1__validation_error__descriptor);
	if (e == NULL) {
		return -ENOMEM;
	}
	e->path = dupstr(path);
	e->message = dupstr(msg);
	r->errors[r->n_errors++] = e;
	return 0;
}

/*
 * Every error, not just the first: the validator stops at the first, so
 * the config is also checked part by part — its global sections alone,
 * then each flow alone with the ports (its "flows[0]" renamed back to
 * "flows[i]") — and whatever only the whole shows (ties) comes from the
 * whole.
 */
static void config_validate(void *svc, const struct mgmt_call_info *ci,
			    const ProtobufCMessage *req,
			    ProtobufCMessage **resp, struct mgmt_status *st)
{
	struct mgmt_svc *s = SVC(svc);
	const Fhswitch__V1__ValidateRequest *q = (const void *)req;
	Fhswitch__V1__ValidateResponse *r =
		pb_new(&fhswitch__v1__validate_response__descriptor);
	char err[MGMT_CONFIG_ERR_LEN], whole[MGMT_CONFIG_ERR_LEN];
	pb_config part;

	(void)ci;
	if (r == NULL) {
		mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	if (q->config == NULL) {
		pb_free(r);
		mgmt_status_set(st, MGMT_INVALID_ARGUMENT, "config: required");
		return;
	}
	r->valid = validate_one(s, q->config, whole, sizeof(whole)) == 0;
	if (r->valid) {
		*resp = &r->base;
		return;
	}
	r->errors = calloc(MAX_VALIDATION_ERRORS, sizeof(*r->errors));
	if (r->errors == NULL) {
		pb_free(r);
		mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	/* shallow copies: part borrows the request's sub-messages */
	part = *q->config;
	part.n_flows = 0;
	part.flows = NULL;
	if (validate_one(s, &part, err, sizeof(err)) < 0 &&
	    add_error(r, err) < 0) {
		goto oom;
	}
	/* flows are checked against the ports only: sections reported
	 * above (and their errors) stay out of the way */
	part.l2 = NULL;
	part.mgmt = NULL;
	part.hal = NULL;
	part.timing = NULL;
	part.name = (char *)protobuf_c_empty_string;
	if (q->config->eaxc_layout != NULL && r->n_errors != 0 &&
	    strncmp(r->errors[0]->path, "eaxc_layout", 11) == 0) {
		part.eaxc_layout = NULL; /* the default layout */
	}
	for (size_t i = 0; i < q->config->n_flows &&
			   r->n_errors < MAX_VALIDATION_ERRORS - 1;
	     i++) {
		char fixed[MGMT_CONFIG_ERR_LEN + 16];

		part.n_flows = 1;
		part.flows = &q->config->flows[i];
		if (validate_one(s, &part, err, sizeof(err)) == 0) {
			continue;
		}
		if (strncmp(err, "flows[0]", 8) == 0) {
			snprintf(fixed, sizeof(fixed), "flows[%zu]%s", i, err + 8);
		} else if (strncmp(err, "ports", 5) == 0 ||
			   strncmp(err, "eaxc_layout", 11) == 0 ||
			   strncmp(err, "timing", 6) == 0) {
			continue; /* a global error, already reported */
		} else {
			snprintf(fixed, sizeof(fixed), "%s", err);
		}
		if (add_error(r, fixed) < 0) {
			goto oom;
		}
	}
	if (r->n_errors == 0 && add_error(r, whole) < 0) {
		goto oom;
	}
	*resp = &r->base;
	return;
oom:
	pb_free(r);
	mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
}

static int port_index(const pb_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_ports; i++) {
		if (strcmp(c->ports[i]->name, name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

static int flow_index(const pb_config *c, const char *name)
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
		pb_free((*arr)[idx]);
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
	pb_free(arr[idx]);
	memmove(&arr[idx], &arr[idx + 1], (*n - idx - 1) * sizeof(void *));
	(*n)--;
}

/* Apply a patch to a clone of the running config. */
static pb_config *patched(const pb_config *run,
			  const Fhswitch__V1__ConfigPatch *p,
			  struct mgmt_status *st)
{
	pb_config *c = pb_clone(&run->base);

	if (c == NULL) {
		mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < p->n_delete_flows; i++) {
		int k = flow_index(c, p->delete_flows[i]);

		if (k < 0) {
			mgmt_status_set(st, MGMT_NOT_FOUND,
					"patch.delete_flows[%zu]: no flow "
					"named \"%s\"",
					i, p->delete_flows[i]);
			goto fail;
		}
		remove_at((void **)c->flows, &c->n_flows, (size_t)k);
	}
	for (size_t i = 0; i < p->n_delete_ports; i++) {
		int k = port_index(c, p->delete_ports[i]);

		if (k < 0) {
			mgmt_status_set(st, MGMT_NOT_FOUND,
					"patch.delete_ports[%zu]: no port "
					"named \"%s\"",
					i, p->delete_ports[i]);
			goto fail;
		}
		remove_at((void **)c->ports, &c->n_ports, (size_t)k);
	}
	for (size_t i = 0; i < p->n_upsert_ports; i++) {
		void *e = pb_clone(&p->upsert_ports[i]->base);

		if (e == NULL || upsert((void ***)&c->ports, &c->n_ports,
					port_index(c, p->upsert_ports[i]->name),
					e) < 0) {
			pb_free(e);
			mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED,
					"out of memory");
			goto fail;
		}
	}
	for (size_t i = 0; i < p->n_upsert_flows; i++) {
		void *e = pb_clone(&p->upsert_flows[i]->base);

		if (e == NULL || upsert((void ***)&c->flows, &c->n_flows,
					flow_index(c, p->upsert_flows[i]->name),
					e) < 0) {
			pb_free(e);
			mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED,
					"out of memory");
			goto fail;
		}
	}
	return c;
fail:
	pb_free(c);
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
static int access_guard(struct mgmt_svc *s, const pb_config *next,
			const struct mgmt_call_info *ci, struct mgmt_status *st)
{
	const ProtobufCMessage *a = s->running->mgmt ? &s->running->mgmt->base
						     : NULL;
	const ProtobufCMessage *b = next->mgmt ? &next->mgmt->base : NULL;
	bool admin = false;

	if (!pb_equal(a, b) && ci->role < MGMT_ROLE_ADMIN) {
		return mgmt_status_set(st, MGMT_PERMISSION_DENIED,
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
		return mgmt_status_set(st, MGMT_FAILED_PRECONDITION,
				       "mgmt.role_bindings: no ACCESS_ADMIN "
				       "binding would remain; nobody could "
				       "administer the switch");
	}
	return 0;
}

static int check_version(struct mgmt_svc *s, uint64_t expected,
			 struct mgmt_status *st)
{
	if (expected != 0 && expected != s->version) {
		return mgmt_status_set(st, MGMT_ABORTED,
				       "expected_version: %llu, but version "
				       "%llu is running",
				       (unsigned long long)expected,
				       (unsigned long long)s->version);
	}
	if (s->pending) {
		return mgmt_status_set(st, MGMT_FAILED_PRECONDITION,
				       "a confirmed commit awaits Confirm "
				       "(or its timeout)");
	}
	return 0;
}

static void *version_resp(const ProtobufCMessageDescriptor *d, uint64_t v,
			  struct mgmt_status *st)
{
	/* every response type used here has the version as field 1 */
	ProtobufCMessage *r = pb_new(d);

	if (r == NULL) {
		mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
		return NULL;
	}
	*(uint64_t *)((uint8_t *)r + d->fields[0].offset) = v;
	return r;
}

static void config_commit(void *svc, const struct mgmt_call_info *ci,
			  const ProtobufCMessage *req, ProtobufCMessage **resp,
			  struct mgmt_status *st)
{
	struct mgmt_svc *s = SVC(svc);
	const Fhswitch__V1__CommitRequest *q = (const void *)req;
	pb_config *next = NULL, *prev;

	if (q->confirm_timeout_s > 3600) {
		mgmt_status_set(st, MGMT_INVALID_ARGUMENT,
				"confirm_timeout_s: %u is out of range 0..3600",
				q->confirm_timeout_s);
		return;
	}
	pthread_mutex_lock(&s->lock);
	if (check_version(s, q->expected_version, st) != 0) {
		goto out;
	}
	switch (q->change_case) {
	case FHSWITCH__V1__COMMIT_REQUEST__CHANGE_CONFIG:
		next = pb_clone(&q->config->base);
		break;
	case FHSWITCH__V1__COMMIT_REQUEST__CHANGE_PATCH:
		next = patched(s->running, q->patch, st);
		if (next == NULL) {
			goto out;
		}
		break;
	default:
		mgmt_status_set(st, MGMT_INVALID_ARGUMENT,
				"change: config or patch required");
		goto out;
	}
	if (next == NULL) {
		mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
		goto out;
	}
	if (access_guard(s, next, ci, st) != 0) {
		pb_free(next);
		goto out;
	}
	prev = q->confirm_timeout_s ? pb_clone(&s->running->base) : NULL;
	if (commit_locked(s, next, ci->identity, q->comment,
			  q->confirm_timeout_s == 0, st) != 0) {
		pb_free(prev);
		goto out;
	}
	if (q->confirm_timeout_s != 0) {
		s->pending = true;
		s->before_pending = prev;
		clock_gettime(CLOCK_MONOTONIC, &s->deadline);
		s->deadline.tv_sec += q->confirm_timeout_s;
	}
	*resp = version_resp(&fhswitch__v1__commit_response__descriptor,
			     s->version, st);
out:
	pthread_mutex_unlock(&s->lock);
}

static void config_confirm(void *svc, const struct mgmt_call_info *ci,
			   const ProtobufCMessage *req, ProtobufCMessage **resp,
			   struct mgmt_status *st)
{
	struct mgmt_svc *s = SVC(svc);
	char err[MGMT_CONFIG_ERR_LEN];

	(void)ci;
	(void)req;
	pthread_mutex_lock(&s->lock);
	if (!s->pending) {
		mgmt_status_set(st, MGMT_FAILED_PRECONDITION,
				"no confirmed commit is pending");
	} else if (persist(s->path, s->running, s->version, err, sizeof(err)) < 0) {
		mgmt_status_set(st, MGMT_INTERNAL, "persisting the config: %s",
				err);
	} else {
		s->pending = false;
		pb_free(s->before_pending);
		s->before_pending = NULL;
		*resp = version_resp(&fhswitch__v1__confirm_response__descriptor,
				     s->version, st);
	}
	pthread_mutex_unlock(&s->lock);
}

static void config_rollback(void *svc, const struct mgmt_call_info *ci,
			    const ProtobufCMessage *req,
			    ProtobufCMessage **resp, struct mgmt_status *st)
{
	struct mgmt_svc *s = SVC(svc);
	const Fhswitch__V1__RollbackRequest *q = (const void *)req;
	pb_config *target = NULL;
	char comment[64];

	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; i < s->n_hist; i++) {
		if (s->hist[i].version == q->to_version) {
			target = pb_clone(&s->hist[i].config->base);
			break;
		}
	}
	if (target == NULL) {
		mgmt_status_set(st, MGMT_NOT_FOUND,
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
		pb_free(s->before_pending);
		s->before_pending = NULL;
	}
	if (access_guard(s, target, ci, st) != 0) {
		pb_free(target);
		goto out;
	}
	snprintf(comment, sizeof(comment), "rollback to %llu",
		 (unsigned long long)q->to_version);
	if (commit_locked(s, target, ci->identity, comment, true, st) == 0) {
		*resp = version_resp(&fhswitch__v1__rollback_response__descriptor,
				     s->version, st);
	}
out:
	pthread_mutex_unlock(&s->lock);
}

static void config_list_versions(void *svc, const struct mgmt_call_info *ci,
				 const ProtobufCMessage *req,
				 ProtobufCMessage **resp, struct mgmt_status *st)
{
	struct mgmt_svc *s = SVC(svc);
	Fhswitch__V1__ListVersionsResponse *r =
		pb_new(&fhswitch__v1__list_versions_response__descriptor);

	(void)ci;
	(void)req;
	pthread_mutex_lock(&s->lock);
	if (r != NULL) {
		r->versions = calloc(s->n_hist, sizeof(*r->versions));
	}
	if (r == NULL || r->versions == NULL) {
		pb_free(r);
		mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
		pthread_mutex_unlock(&s->lock);
		return;
	}
	for (unsigned i = 0; i < s->n_hist; i++) {
		Fhswitch__V1__VersionInfo *v =
			pb_new(&fhswitch__v1__version_info__descriptor);

		if (v == NULL) {
			break;
		}
		v->version = s->hist[i].version;
		v->committed_unix_s = s->hist[i].unix_s;
		v->identity = dupstr(s->hist[i].identity);
		v->comment = dupstr(s->hist[i].comment);
		r->versions[r->n_versions++] = v;
	}
	pthread_mutex_unlock(&s->lock);
	*resp = &r->base;
}

/* ---- Ports and Flows ----------------------------------------------------------- */

static void ports_list(void *svc, const struct mgmt_call_info *ci,
		       const ProtobufCMessage *req, ProtobufCMessage **resp,
		       struct mgmt_status *st)
{
	struct mgmt_svc *s = SVC(svc);
	Fhswitch__V1__ListPortsResponse *r =
		pb_new(&fhswitch__v1__list_ports_response__descriptor);

	(void)ci;
	(void)req;
	pthread_mutex_lock(&s->lock);
	if (r != NULL && s->running->n_ports != 0) {
		r->ports = calloc(s->running->n_ports, sizeof(*r->ports));
		for (size_t i = 0; r->ports && i < s->running->n_ports; i++) {
			r->ports[r->n_ports] = pb_clone(&s->running->ports[i]->base);
			r->n_ports += r->ports[r->n_ports] != NULL;
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (r == NULL) {
		mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	*resp = &r->base;
}

static void ports_get(void *svc, const struct mgmt_call_info *ci,
		      const ProtobufCMessage *req, ProtobufCMessage **resp,
		      struct mgmt_status *st)
{
	struct mgmt_svc *s = SVC(svc);
	const Fhswitch__V1__GetPortRequest *q = (const void *)req;
	int k;

	(void)ci;
	pthread_mutex_lock(&s->lock);
	k = port_index(s->running, q->name);
	if (k < 0) {
		mgmt_status_set(st, MGMT_NOT_FOUND, "name: no port named \"%s\"",
				q->name);
	} else {
		*resp = pb_clone(&s->running->ports[k]->base);
	}
	pthread_mutex_unlock(&s->lock);
}

static void flows_list(void *svc, const struct mgmt_call_info *ci,
		       const ProtobufCMessage *req, ProtobufCMessage **resp,
		       struct mgmt_status *st)
{
	struct mgmt_svc *s = SVC(svc);
	Fhswitch__V1__ListFlowsResponse *r =
		pb_new(&fhswitch__v1__list_flows_response__descriptor);

	(void)ci;
	(void)req;
	pthread_mutex_lock(&s->lock);
	if (r != NULL && s->running->n_flows != 0) {
		r->flows = calloc(s->running->n_flows, sizeof(*r->flows));
		for (size_t i = 0; r->flows && i < s->running->n_flows; i++) {
			r->flows[r->n_flows] = pb_clone(&s->running->flows[i]->base);
			r->n_flows += r->flows[r->n_flows] != NULL;
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (r == NULL) {
		mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	*resp = &r->base;
}

static void flows_get(void *svc, const struct mgmt_call_info *ci,
		      const ProtobufCMessage *req, ProtobufCMessage **resp,
		      struct mgmt_status *st)
{
	struct mgmt_svc *s = SVC(svc);
	const Fhswitch__V1__GetFlowRequest *q = (const void *)req;
	int k;

	(void)ci;
	pthread_mutex_lock(&s->lock);
	k = flow_index(s->running, q->name);
	if (k < 0) {
		mgmt_status_set(st, MGMT_NOT_FOUND, "name: no flow named \"%s\"",
				q->name);
	} else {
		*resp = pb_clone(&s->running->flows[k]->base);
	}
	pthread_mutex_unlock(&s->lock);
}

/* A request's name filter: true if names (n of them) is empty or holds
 * name. */
static bool named(const char *name, char *const *names, size_t n)
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
static int counter_names(uint32_t mask, char ***out, size_t *n)
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
			(*out)[(*n)++] = dupstr(hal_counter_name(1u << b));
		}
	}
	return 0;
}

static void flows_status(void *svc, const struct mgmt_call_info *ci,
			 const ProtobufCMessage *req, ProtobufCMessage **resp,
			 struct mgmt_status *st)
{
	struct mgmt_svc *s = SVC(svc);
	const Fhswitch__V1__FlowStatusRequest *q = (const void *)req;
	Fhswitch__V1__FlowStatusResponse *r =
		pb_new(&fhswitch__v1__flow_status_response__descriptor);
	const pb_config *c;

	(void)ci;
	if (r == NULL) {
		mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	pthread_mutex_lock(&s->lock);
	c = s->running;
	for (size_t k = 0; k < q->n_names; k++) {
		if (flow_index(c, q->names[k]) < 0) {
			mgmt_status_set(st, MGMT_NOT_FOUND,
					"names[%zu]: no flow named \"%s\"", k,
					q->names[k]);
			goto out;
		}
	}
	r->backend = dupstr(s->cfg.backend);
	r->flows = calloc(c->n_flows ? c->n_flows : 1, sizeof(*r->flows));
	if (r->flows == NULL) {
		mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < c->n_flows; i++) {
		Fhswitch__V1__FlowStatus *fs;
		struct hal_flow_status hs;
		int ret;

		if (!named(c->flows[i]->name, q->names, q->n_names)) {
			continue;
		}
		ret = hal_flow_status(s->hal, c->flows[i]->name, &hs);
		if (ret < 0) {
			mgmt_status_set(st, MGMT_INTERNAL,
					"flow \"%s\": reading its status: %s",
					c->flows[i]->name, strerror(-ret));
			goto out;
		}
		fs = pb_new(&fhswitch__v1__flow_status__descriptor);
		if (fs == NULL) {
			mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED,
					"out of memory");
			goto out;
		}
		fs->name = dupstr(c->flows[i]->name);
		fs->rules = hs.rules;
		fs->rules_in_hw = hs.rules_in_hw;
		fs->in_hw = hs.rules != 0 && hs.rules_in_hw == hs.rules;
		fs->detail = dupstr(hs.detail);
		r->flows[r->n_flows++] = fs;
	}
out:
	pthread_mutex_unlock(&s->lock);
	if (st->code != MGMT_OK) {
		pb_free(r);
		return;
	}
	*resp = &r->base;
}

enum flow_op { FLOW_ADD, FLOW_UPDATE, FLOW_DELETE };

/* An error about the request's flow names it as the request does ("flow"),
 * not by its place in the merged config ("flows[k]"). */
static void request_path(struct mgmt_status *st, int k)
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

static void flow_change(struct mgmt_svc *s, const struct mgmt_call_info *ci,
			enum flow_op op, const Fhswitch__V1__Flow *flow,
			const char *name, uint64_t expected,
			ProtobufCMessage **resp, struct mgmt_status *st)
{
	Fhswitch__V1__ConfigPatch p = FHSWITCH__V1__CONFIG_PATCH__INIT;
	Fhswitch__V1__Flow *fl[1];
	char *del[1];
	pb_config *next;
	char comment[128];
	int k;

	if (op != FLOW_DELETE && flow == NULL) {
		mgmt_status_set(st, MGMT_INVALID_ARGUMENT, "flow: required");
		return;
	}
	if (op != FLOW_DELETE) {
		name = flow->name;
	}
	if (name == NULL || name[0] == '\0') {
		mgmt_status_set(st, MGMT_INVALID_ARGUMENT,
				op == FLOW_DELETE ? "name: required"
						  : "flow.name: required");
		return;
	}
	pthread_mutex_lock(&s->lock);
	if (check_version(s, expected, st) != 0) {
		goto out;
	}
	k = flow_index(s->running, name);
	if (op == FLOW_ADD && k >= 0) {
		mgmt_status_set(st, MGMT_ALREADY_EXISTS,
				"flow.name: a flow named \"%s\" exists", name);
		goto out;
	}
	if (op != FLOW_ADD && k < 0) {
		mgmt_status_set(st, MGMT_NOT_FOUND,
				"%s: no flow named \"%s\"",
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
	next = patched(s->running, &p, st);
	if (next == NULL) {
		goto out;
	}
	k = op == FLOW_DELETE ? -1 : flow_index(next, name);
	snprintf(comment, sizeof(comment), "flow %s %s",
		 op == FLOW_ADD ? "add" : op == FLOW_UPDATE ? "update" : "delete",
		 name);
	if (commit_locked(s, next, ci->identity, comment, true, st) == 0) {
		*resp = version_resp(&fhswitch__v1__change_response__descriptor,
				     s->version, st);
	} else if (k >= 0) {
		request_path(st, k);
	}
out:
	pthread_mutex_unlock(&s->lock);
}

static void flows_add(void *svc, const struct mgmt_call_info *ci,
		      const ProtobufCMessage *req, ProtobufCMessage **resp,
		      struct mgmt_status *st)
{
	const Fhswitch__V1__FlowChangeRequest *q = (const void *)req;

	flow_change(SVC(svc), ci, FLOW_ADD, q->flow, NULL, q->expected_version,
		    resp, st);
}

static void flows_update(void *svc, const struct mgmt_call_info *ci,
			 const ProtobufCMessage *req, ProtobufCMessage **resp,
			 struct mgmt_status *st)
{
	const Fhswitch__V1__FlowChangeRequest *q = (const void *)req;

	flow_change(SVC(svc), ci, FLOW_UPDATE, q->flow, NULL,
		    q->expected_version, resp, st);
}

static void flows_delete(void *svc, const struct mgmt_call_info *ci,
			 const ProtobufCMessage *req, ProtobufCMessage **resp,
			 struct mgmt_status *st)
{
	const Fhswitch__V1__DeleteFlowRequest *q = (const void *)req;

	flow_change(SVC(svc), ci, FLOW_DELETE, NULL, q->name,
		    q->expected_version, resp, st);
}

/* ---- Counters ------------------------------------------------------------------ */

static int64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Read counters (flows filtered by name; names must exist). */
static Fhswitch__V1__Counters *read_counters(struct mgmt_svc *s,
					     char *const *names, size_t n_names,
					     struct mgmt_status *st)
{
	Fhswitch__V1__Counters *r = pb_new(&fhswitch__v1__counters__descriptor);
	const struct hal_config *c;
	struct hal_l2_stats l2 = { 0 };

	if (r == NULL) {
		mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
		return NULL;
	}
	pthread_mutex_lock(&s->lock);
	c = &s->cfg;
	for (size_t i = 0; i < n_names; i++) {
		bool found = false;

		for (size_t k = 0; k < c->n_flows && !found; k++) {
			found = strcmp(c->flows[k].name, names[i]) == 0;
		}
		if (!found) {
			pthread_mutex_unlock(&s->lock);
			pb_free(r);
			mgmt_status_set(st, MGMT_NOT_FOUND,
					"flows[%zu]: no flow named \"%s\"", i,
					names[i]);
			return NULL;
		}
	}
	r->ports = calloc(c->n_ports ? c->n_ports : 1, sizeof(*r->ports));
	r->flows = calloc(c->n_flows ? c->n_flows : 1, sizeof(*r->flows));
	r->l2 = pb_new(&fhswitch__v1__l2_counters__descriptor);
	if (r->ports == NULL || r->flows == NULL || r->l2 == NULL) {
		pthread_mutex_unlock(&s->lock);
		pb_free(r);
		mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
		return NULL;
	}
	for (unsigned p = 0; p < c->n_ports; p++) {
		Fhswitch__V1__PortCounters *pc =
			pb_new(&fhswitch__v1__port_counters__descriptor);
		struct hal_port_stats ps = { 0 };

		if (pc == NULL) {
			break;
		}
		hal_port_stats(s->hal, p, &ps);
		pc->name = dupstr(c->ports[p].name);
		pc->rx_packets = ps.rx_packets;
		pc->tx_packets = ps.tx_packets;
		pc->rx_bytes = ps.rx_bytes;
		pc->tx_bytes = ps.tx_bytes;
		pc->drops = ps.drops;
		r->ports[r->n_ports++] = pc;
	}
	for (size_t i = 0; i < c->n_flows; i++) {
		Fhswitch__V1__FlowCounters *fc;
		struct hal_flow_stats fs = { 0 };

		if (!named(c->flows[i].name, names, n_names)) {
			continue;
		}
		fc = pb_new(&fhswitch__v1__flow_counters__descriptor);
		if (fc == NULL) {
			break;
		}
		hal_flow_stats(s->hal, c->flows[i].name, &fs);
		fc->name = dupstr(c->flows[i].name);
		fc->rx_total = fs.rx_total;
		fc->rx_on_time = fs.rx_on_time;
		fc->rx_early = fs.rx_early;
		fc->rx_late = fs.rx_late;
		fc->rx_corrupt = fs.rx_corrupt;
		fc->rx_seqid_err = fs.rx_seqid_err;
		fc->tx_total = fs.tx_total;
		counter_names(fs.unsupported, &fc->unsupported,
			      &fc->n_unsupported);
		r->flows[r->n_flows++] = fc;
	}
	hal_l2_stats(s->hal, &l2);
	r->l2->forwarded = l2.forwarded;
	r->l2->flooded = l2.flooded;
	r->timestamp_ns = realtime_ns();
	r->config_version = s->version;
	pthread_mutex_unlock(&s->lock);
	return r;
}

static void counters_get(void *svc, const struct mgmt_call_info *ci,
			 const ProtobufCMessage *req, ProtobufCMessage **resp,
			 struct mgmt_status *st)
{
	const Fhswitch__V1__GetCountersRequest *q = (const void *)req;
	Fhswitch__V1__Counters *r;

	(void)ci;
	r = read_counters(SVC(svc), q->flows, q->n_flows, st);
	if (r != NULL) {
		*resp = &r->base;
	}
}

struct watch {
	Fhswitch__V1__WatchCountersRequest *req;
	struct timespec next;
	uint32_t sent;
	uint8_t *last; /* packed counters of the last sample (on_change) */
	size_t last_len;
};

static int watch_start(void *svc, const struct mgmt_call_info *ci,
		       const ProtobufCMessage *req, void **state,
		       struct mgmt_status *st)
{
	const Fhswitch__V1__WatchCountersRequest *q = (const void *)req;
	struct watch *w;
	Fhswitch__V1__Counters *probe;

	(void)ci;
	if (q->interval_ms != 0 &&
	    (q->interval_ms < 10 || q->interval_ms > 60000)) {
		return mgmt_status_set(st, MGMT_INVALID_ARGUMENT,
				       "interval_ms: %u is out of range "
				       "10..60000",
				       q->interval_ms);
	}
	probe = read_counters(SVC(svc), q->flows, q->n_flows, st);
	if (probe == NULL) {
		return st->code;
	}
	pb_free(probe);
	w = calloc(1, sizeof(*w));
	if (w == NULL || (w->req = pb_clone(req)) == NULL) {
		free(w);
		return mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED,
				       "out of memory");
	}
	clock_gettime(CLOCK_MONOTONIC, &w->next);
	*state = w;
	return 0;
}

static int64_t ms_until(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (t->tv_sec - now.tv_sec) * 1000 +
	       (t->tv_nsec - now.tv_nsec) / 1000000;
}

static int watch_next(void *svc, void *state, ProtobufCMessage **msg,
		      uint32_t *wait_ms, struct mgmt_status *st)
{
	struct watch *w = state;
	uint32_t interval = w->req->interval_ms ? w->req->interval_ms : 1000;
	Fhswitch__V1__Counters *c;
	int64_t left = ms_until(&w->next);

	if (w->req->max_samples != 0 && w->sent >= w->req->max_samples) {
		st->code = MGMT_OK;
		return -1;
	}
	if (left > 0) {
		*wait_ms = (uint32_t)left;
		return 0;
	}
	w->next.tv_nsec += (long)(interval % 1000) * 1000000;
	w->next.tv_sec += interval / 1000 + w->next.tv_nsec / 1000000000;
	w->next.tv_nsec %= 1000000000;
	*wait_ms = interval;
	c = read_counters(SVC(svc), w->req->flows, w->req->n_flows, st);
	if (c == NULL) {
		return -1; /* a watched flow was deleted: NOT_FOUND ends it */
	}
	if (w->req->on_change) {
		/* compare without the timestamp */
		int64_t ts = c->timestamp_ns;
		size_t n;
		uint8_t *buf;

		c->timestamp_ns = 0;
		n = protobuf_c_message_get_packed_size(&c->base);
		buf = malloc(n ? n : 1);
		if (buf != NULL) {
			protobuf_c_message_pack(&c->base, buf);
			if (w->last != NULL && n == w->last_len &&
			    memcmp(buf, w->last, n) == 0) {
				free(buf);
				pb_free(c);
				return 0;
			}
			free(w->last);
			w->last = buf;
			w->last_len = n;
		}
		c->timestamp_ns = ts;
	}
	w->sent++;
	*msg = &c->base;
	return 1;
}

static void watch_free(void *svc, void *state)
{
	struct watch *w = state;

	(void)svc;
	if (w != NULL) {
		pb_free(w->req);
		free(w->last);
		free(w);
	}
}

static const struct mgmt_stream_ops watch_ops = {
	.start = watch_start,
	.next = watch_next,
	.free = watch_free,
};

/* ---- System -------------------------------------------------------------------- */

static void system_version(void *svc, const struct mgmt_call_info *ci,
			   const ProtobufCMessage *req, ProtobufCMessage **resp,
			   struct mgmt_status *st)
{
	struct mgmt_svc *s = SVC(svc);
	Fhswitch__V1__VersionResponse *r =
		pb_new(&fhswitch__v1__version_response__descriptor);
	struct timespec now;

	(void)ci;
	(void)req;
	if (r == NULL) {
		mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	r->version = dupstr(FHSWITCH_VERSION);
	pthread_mutex_lock(&s->lock);
	r->backend = dupstr(s->cfg.backend);
	r->config_version = s->version;
	pthread_mutex_unlock(&s->lock);
	r->uptime_s = (double)(now.tv_sec - s->start.tv_sec) +
		      (double)(now.tv_nsec - s->start.tv_nsec) / 1e9;
	*resp = &r->base;
}

static void system_caps(void *svc, const struct mgmt_call_info *ci,
			const ProtobufCMessage *req, ProtobufCMessage **resp,
			struct mgmt_status *st)
{
	struct mgmt_svc *s = SVC(svc);
	Fhswitch__V1__Capabilities *r =
		pb_new(&fhswitch__v1__capabilities__descriptor);
	struct hal_caps c;

	(void)ci;
	(void)req;
	if (r == NULL) {
		mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	hal_capabilities(s->hal, &c);
	r->backend = dupstr(s->cfg.backend);
	r->match_eaxc = c.match_eaxc;
	r->match_plane = c.match_plane;
	r->match_direction = c.match_direction;
	r->match_udp = c.match_udp;
	r->act_set_eaxc = c.act_set_eaxc;
	r->act_replicate = c.act_replicate;
	r->window_check = c.window_check;
	r->offload = c.offload;
	r->max_ports = c.max_ports;
	r->max_flows = c.max_flows;
	r->act_set_mac = c.act_set_mac;
	counter_names(c.unsupported_counters, &r->unsupported_counters,
		      &r->n_unsupported_counters);
	*resp = &r->base;
}

static void system_save(void *svc, const struct mgmt_call_info *ci,
			const ProtobufCMessage *req, ProtobufCMessage **resp,
			struct mgmt_status *st)
{
	struct mgmt_svc *s = SVC(svc);
	Fhswitch__V1__SaveConfigResponse *r;
	char err[MGMT_CONFIG_ERR_LEN];

	(void)ci;
	(void)req;
	pthread_mutex_lock(&s->lock);
	if (s->pending) {
		mgmt_status_set(st, MGMT_FAILED_PRECONDITION,
				"a confirmed commit awaits Confirm: saving "
				"now would make it permanent");
	} else if (persist(s->path, s->running, s->version, err, sizeof(err)) < 0) {
		mgmt_status_set(st, MGMT_INTERNAL, "%s", err);
	} else if ((r = pb_new(&fhswitch__v1__save_config_response__descriptor)) ==
		   NULL) {
		mgmt_status_set(st, MGMT_RESOURCE_EXHAUSTED, "out of memory");
	} else {
		r->path = dupstr(s->path);
		r->version = s->version;
		*resp = &r->base;
	}
	pthread_mutex_unlock(&s->lock);
}

/* ---- the method table ---------------------------------------------------------- */

#define UNARY(p, rq, role, mut, fn)                                           \
	{ .path = p, .req = &rq, .min_role = role, .mutating = mut, .unary = fn }

static const struct mgmt_method methods[] = {
	UNARY("/fhswitch.v1.Config/Get", fhswitch__v1__get_config_request__descriptor,
	      MGMT_ROLE_VIEWER, false, config_get),
	UNARY("/fhswitch.v1.Config/Validate",
	      fhswitch__v1__validate_request__descriptor, MGMT_ROLE_VIEWER, false,
	      config_validate),
	UNARY("/fhswitch.v1.Config/Commit", fhswitch__v1__commit_request__descriptor,
	      MGMT_ROLE_OPERATOR, true, config_commit),
	UNARY("/fhswitch.v1.Config/Confirm",
	      fhswitch__v1__confirm_request__descriptor, MGMT_ROLE_OPERATOR, true,
	      config_confirm),
	UNARY("/fhswitch.v1.Config/Rollback",
	      fhswitch__v1__rollback_request__descriptor, MGMT_ROLE_ADMIN, true,
	      config_rollback),
	UNARY("/fhswitch.v1.Config/ListVersions",
	      fhswitch__v1__list_versions_request__descriptor, MGMT_ROLE_VIEWER,
	      false, config_list_versions),
	UNARY("/fhswitch.v1.Ports/List", fhswitch__v1__list_ports_request__descriptor,
	      MGMT_ROLE_VIEWER, false, ports_list),
	UNARY("/fhswitch.v1.Ports/Get", fhswitch__v1__get_port_request__descriptor,
	      MGMT_ROLE_VIEWER, false, ports_get),
	UNARY("/fhswitch.v1.Flows/List", fhswitch__v1__list_flows_request__descriptor,
	      MGMT_ROLE_VIEWER, false, flows_list),
	UNARY("/fhswitch.v1.Flows/Get", fhswitch__v1__get_flow_request__descriptor,
	      MGMT_ROLE_VIEWER, false, flows_get),
	UNARY("/fhswitch.v1.Flows/Add", fhswitch__v1__flow_change_request__descriptor,
	      MGMT_ROLE_OPERATOR, true, flows_add),
	UNARY("/fhswitch.v1.Flows/Update",
	      fhswitch__v1__flow_change_request__descriptor, MGMT_ROLE_OPERATOR,
	      true, flows_update),
	UNARY("/fhswitch.v1.Flows/Delete",
	      fhswitch__v1__delete_flow_request__descriptor, MGMT_ROLE_OPERATOR,
	      true, flows_delete),
	UNARY("/fhswitch.v1.Flows/Status",
	      fhswitch__v1__flow_status_request__descriptor, MGMT_ROLE_VIEWER,
	      false, flows_status),
	UNARY("/fhswitch.v1.CountersService/Get",
	      fhswitch__v1__get_counters_request__descriptor, MGMT_ROLE_VIEWER,
	      false, counters_get),
	{ .path = "/fhswitch.v1.CountersService/Watch",
	  .req = &fhswitch__v1__watch_counters_request__descriptor,
	  .min_role = MGMT_ROLE_VIEWER,
	  .stream = &watch_ops },
	UNARY("/fhswitch.v1.System/GetVersion",
	      fhswitch__v1__get_version_request__descriptor, MGMT_ROLE_VIEWER,
	      false, system_version),
	UNARY("/fhswitch.v1.System/GetCapabilities",
	      fhswitch__v1__get_capabilities_request__descriptor, MGMT_ROLE_VIEWER,
	      false, system_caps),
	UNARY("/fhswitch.v1.System/SaveConfig",
	      fhswitch__v1__save_config_request__descriptor, MGMT_ROLE_ADMIN, true,
	      system_save),
};

const struct mgmt_method *mgmt_svc_methods(size_t *n)
{
	*n = sizeof(methods) / sizeof(methods[0]);
	return methods;
}
