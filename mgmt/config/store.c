/* SPDX-License-Identifier: Apache-2.0 */
/* The versioned, persisted configuration store and its commit path. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mgmt_json.h"
#include "mgmt_log.h"
#include "mgmt_store.h"

/* ---- helpers ---------------------------------------------------------------- */

/* Write the config as JSON to path atomically: a crash at any moment
 * leaves either the old file or the new one, never a torn one. */
/* Write len bytes to path atomically: a temporary file, fsync, rename,
 * fsync of the directory.  0 or -errno. */
static int write_atomic(const char *path, const char *data, size_t len)
{
	char tmp[4096], dir[4096];
	int fd, ret = 0;
	char *slash;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		return -errno;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			ret = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (ret == 0 && fsync(fd) != 0) {
		ret = -errno;
	}
	if (close(fd) != 0 && ret == 0) {
		ret = -errno;
	}
	if (ret == 0 && rename(tmp, path) != 0) {
		ret = -errno;
	}
	if (ret < 0) {
		unlink(tmp);
		return ret;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL) {
		snprintf(dir, sizeof(dir), ".");
	} else if (slash == dir) {
		dir[1] = '\0';
	} else {
		*slash = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

/* FNV-1a, 64 bits: enough to tell a config file fhswd wrote from one
 * edited since. */
static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h = (h ^ (uint8_t)p[i]) * 0x100000001b3ull;
	}
	return h;
}

#define STATE_SUFFIX ".state"

/* The config's version number beside it, so that a restart goes on
 * counting: {"version": N, "config_fnv1a64": "<hash of the file>"}. */
static void state_write(const char *path, uint64_t version, uint64_t hash)
{
	char sp[4096], text[128];
	int n = snprintf(
		text, sizeof(text),
		"{\"version\": %llu, \"config_fnv1a64\": \"%016llx\"}\n",
		(unsigned long long)version, (unsigned long long)hash);
	int ret;

	snprintf(sp, sizeof(sp), "%s" STATE_SUFFIX, path);
	ret = write_atomic(sp, text, (size_t)n);
	if (ret < 0) {
		/* the config itself is safe; a restart will count on from
		 * an older number (the hash tells it the file changed) */
		fprintf(stderr,
			"fhswd: %s: %s (version numbers may repeat "
			"after a restart)\n",
			sp, strerror(-ret));
	}
}

int mgmt_store_persist_err(int err)
{
	switch (err) {
	case -ENOMEM:
		return err;
	case -ENOSPC:
	case -EDQUOT:
		return -ENOSPC;
	default:
		return -EAGAIN;
	}
}

int mgmt_store_persist(const char *path, const pb_config *c, uint64_t version,
		       char *err, size_t errlen)
{
	json_t *j = mgmt_pb_to_json(&c->base);
	char *text =
		j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	char *buf = NULL;
	size_t len;
	int ret;

	json_decref(j);
	if (text != NULL) {
		len = strlen(text);
		buf = malloc(len + 2);
	}
	if (buf == NULL) {
		free(text);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(buf, text, len);
	buf[len++] = '\n';
	free(text);
	ret = write_atomic(path, buf, len);
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	} else {
		state_write(path, version, fnv1a(buf, len));
	}
	free(buf);
	return ret;
}

/* The version of the config in path (whose bytes hash to h) at start-up:
 * the one fhswd last wrote it with, the next one if the file changed
 * since, else 1. */
static uint64_t startup_version(const char *path, uint64_t h)
{
	char sp[4096];
	json_t *st;
	uint64_t v = 1;

	snprintf(sp, sizeof(sp), "%s" STATE_SUFFIX, path);
	st = json_load_file(sp, 0, NULL);
	if (st == NULL) {
		return 1;
	}
	if (json_is_integer(json_object_get(st, "version")) &&
	    json_integer_value(json_object_get(st, "version")) > 0) {
		const char *hs = json_string_value(
			json_object_get(st, "config_fnv1a64"));
		char want[32];

		v = (uint64_t)json_integer_value(
			json_object_get(st, "version"));
		snprintf(want, sizeof(want), "%016llx", (unsigned long long)h);
		if (hs == NULL || strcmp(hs, want) != 0) {
			v++; /* edited, or a commit crashed before the state */
		}
	}
	json_decref(st);
	return v;
}

static void history_push(struct mgmt_store *s, const char *identity,
			 const char *comment)
{
	struct history_entry *e;

	if (s->n_hist == HISTORY) {
		mgmt_pb_free(s->hist[HISTORY - 1].config);
		s->n_hist--;
	}
	memmove(&s->hist[1], &s->hist[0], s->n_hist * sizeof(s->hist[0]));
	s->n_hist++;
	e = &s->hist[0];
	memset(e, 0, sizeof(*e));
	e->version = s->version;
	e->unix_s = (int64_t)time(NULL);
	snprintf(e->identity, sizeof(e->identity), "%s",
		 identity ? identity : "");
	snprintf(e->comment, sizeof(e->comment), "%s", comment ? comment : "");
	e->config = mgmt_pb_clone(&s->running->base);
}

/* Map an errno from the HAL to a status code.  The config was validated
 * before: what the HAL refuses is the system's state (a capability, a
 * netdev that is not there, someone else's object in the way, missing
 * privileges), except what it finds wrong with the config itself. */
/* A HAL error as the services report it: a clash with what is outside
 * our config (-EEXIST: someone else's filter) or missing privileges is a
 * precondition of the switch, not a fault of the request. */
static int hal_err(int err)
{
	switch (err) {
	case -EEXIST:
		return -EBUSY;
	case -EACCES:
		return -EPERM;
	case -EOPNOTSUPP:
	case -EBUSY:
	case -ENODEV:
	case -EPERM:
	case -EINVAL:
	case -ENOMEM:
	case -ENOSPC:
		return err;
	default:
		return -EIO;
	}
}

int mgmt_store_check_roles(const pb_config *c, struct mgmt_error *st)
{
	if (c->mgmt == NULL) {
		return 0;
	}
	if (c->mgmt->n_role_bindings > MAX_ROLES) {
		return mgmt_error_set(st, -EINVAL,
				      "mgmt.role_bindings: %zu entries, at "
				      "most %d",
				      c->mgmt->n_role_bindings, MAX_ROLES);
	}
	for (size_t i = 0; i < c->mgmt->n_role_bindings; i++) {
		const Fhswitch__V1__RoleBinding *b = c->mgmt->role_bindings[i];

		if (b->identity[0] == '\0' || strlen(b->identity) >= 128) {
			return mgmt_error_set(st, -EINVAL,
					      "mgmt.role_bindings[%zu]."
					      "identity: 1..127 characters "
					      "expected",
					      i);
		}
		if (b->role < FHSWITCH__V1__ACCESS_ROLE__ACCESS_NONE ||
		    b->role > FHSWITCH__V1__ACCESS_ROLE__ACCESS_ADMIN) {
			return mgmt_error_set(st, -EINVAL,
					      "mgmt.role_bindings[%zu].role: "
					      "%d is not an AccessRole",
					      i, (int)b->role);
		}
	}
	return 0;
}

/*
 * A commit failed after the HAL took it and the undo failed too: what the
 * HAL runs is neither the old config nor the new one.  Say so everywhere
 * (log, health NOT_SERVING, GetVersion's degraded) rather than carry on
 * as if the old config ran; the next successful commit ends it.
 */
static int degrade(struct mgmt_store *s, struct mgmt_error *st, const char *why,
		   const char *undo)
{
	snprintf(s->degraded, sizeof(s->degraded),
		 "config version %llu could not be restored after a failed "
		 "commit (%.200s): %.200s",
		 (unsigned long long)s->version, why, undo);
	MGMT_LOG(ERR, "degraded: %s", s->degraded);
	if (s->changed_cb != NULL) {
		s->changed_cb(s->changed_arg, s);
	}
	return mgmt_error_set(
		st, -EIO,
		"persisting the config: %s; restoring the running "
		"config failed too: %s (the switch is degraded "
		"until a commit succeeds)",
		why, undo);
}

/*
 * The one commit path.  Takes ownership of next.  persist_now is false for
 * a confirmed commit (the file keeps the last confirmed config, so a crash
 * before Confirm comes back to it).  Caller holds the lock.
 */
int mgmt_store_commit_locked(struct mgmt_store *s, pb_config *next,
			     const char *identity, const char *comment,
			     bool persist_now, struct mgmt_error *st)
{
	struct hal_config cfg;
	char err[MGMT_CONFIG_ERR_LEN];
	int ret;

	if (mgmt_store_check_roles(next, st) != 0) {
		mgmt_pb_free(next);
		return st->err;
	}
	ret = mgmt_config_from_pb(next, &cfg, err, sizeof(err));
	if (ret < 0) {
		mgmt_pb_free(next);
		return mgmt_error_set(st, ret == -ENOMEM ? -ENOMEM : -EINVAL,
				      "%s", err);
	}
	if (strcmp(cfg.backend, s->cfg.backend) != 0) {
		mgmt_config_free(&cfg);
		mgmt_pb_free(next);
		return mgmt_error_set(st, -EBUSY,
				      "hal.backend: \"%s\" is running; the "
				      "backend changes only with a restart",
				      s->cfg.backend);
	}
	ret = hal_apply(s->hal, &cfg, err, sizeof(err));
	if (ret < 0) {
		mgmt_config_free(&cfg);
		mgmt_pb_free(next);
		return mgmt_error_set(st, hal_err(ret), "%s", err);
	}
	if (persist_now) {
		ret = mgmt_store_persist(s->path, next, s->version + 1, err,
					 sizeof(err));
	}
	if (persist_now && ret < 0) {
		/* undo: the HAL goes back to the running config */
		char err2[MGMT_CONFIG_ERR_LEN];
		int perr = mgmt_store_persist_err(ret);

		ret = hal_apply(s->hal, &s->cfg, err2, sizeof(err2));
		mgmt_config_free(&cfg);
		mgmt_pb_free(next);
		if (ret < 0) {
			return degrade(s, st, err, err2);
		}
		return mgmt_error_set(st, perr, "persisting the config: %s",
				      err);
	}
	mgmt_config_free(&s->cfg);
	s->cfg = cfg;
	mgmt_pb_free(s->running);
	s->running = next;
	s->version++;
	history_push(s, identity, comment);
	if (s->degraded[0] != '\0') {
		/* the HAL runs a config we know again */
		MGMT_LOG(INFO,
			 "config version %llu applied: no longer degraded",
			 (unsigned long long)s->version);
		s->degraded[0] = '\0';
	}
	if (s->changed_cb != NULL) {
		s->changed_cb(s->changed_arg, s);
	}
	st->err = 0;
	st->message[0] = '\0';
	return 0;
}

/* ---- lifecycle ---------------------------------------------------------------- */

/* The config in the file at path; *hash gets the hash of its bytes. */
static pb_config *load_file(const char *path, uint64_t *hash, char *err,
			    size_t errlen)
{
	ProtobufCMessage *m = NULL;
	char jerr[MGMT_JSON_ERR_LEN];
	char *text;
	size_t len;

	if (mgmt_read_file(path, MGMT_CONFIG_MAX_FILE, &text, &len, err,
			   errlen) < 0) {
		return NULL;
	}
	*hash = fnv1a(text, len);
	if (mgmt_json_text_to_pb(&fhswitch__v1__switch_config__descriptor, text,
				 &m, jerr, sizeof(jerr)) < 0) {
		snprintf(err, errlen, "%s: %s", path, jerr);
	}
	free(text);
	return (pb_config *)m;
}

/* A temporary file of write_atomic() left by a crash (kill -9 between
 * open and rename): the config and state files are whole either way. */
static void remove_stale_tmp(const char *path)
{
	static const char *const suffix[] = {".tmp", STATE_SUFFIX ".tmp"};
	char tmp[4096];

	for (size_t i = 0; i < 2; i++) {
		snprintf(tmp, sizeof(tmp), "%s%s", path, suffix[i]);
		if (unlink(tmp) == 0) {
			MGMT_LOG(NOTICE,
				 "removed %s, left by an interrupted "
				 "write",
				 tmp);
		}
	}
}

int mgmt_store_open(struct hal *h, const char *config_path,
		    struct mgmt_store **out, char *err, size_t errlen)
{
	struct mgmt_store *s = calloc(1, sizeof(*s));
	pb_config *pb;
	struct mgmt_error st;
	char e2[MGMT_CONFIG_ERR_LEN];
	uint64_t hash = 0;
	int ret;

	if (s == NULL) {
		return -ENOMEM;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->hal = h;
	s->path = strdup(config_path);
	clock_gettime(CLOCK_MONOTONIC, &s->start);
	remove_stale_tmp(config_path);
	pb = load_file(config_path, &hash, err, errlen);
	if (pb == NULL) {
		mgmt_store_close(s);
		return -EINVAL;
	}
	if (mgmt_store_check_roles(pb, &st) != 0) {
		snprintf(err, errlen, "%s: %s", config_path, st.message);
		mgmt_pb_free(pb);
		mgmt_store_close(s);
		return -EINVAL;
	}
	ret = mgmt_config_from_pb(pb, &s->cfg, e2, sizeof(e2));
	if (ret == 0) {
		ret = hal_apply(h, &s->cfg, e2, sizeof(e2));
	}
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", config_path, e2);
		mgmt_pb_free(pb);
		mgmt_store_close(s);
		return ret;
	}
	s->running = pb;
	s->version = startup_version(config_path, hash);
	s->serving = true;
	history_push(s, "startup", config_path);
	*out = s;
	return 0;
}

void mgmt_store_close(struct mgmt_store *s)
{
	if (s == NULL) {
		return;
	}
	for (unsigned i = 0; i < s->n_hist; i++) {
		mgmt_pb_free(s->hist[i].config);
	}
	mgmt_pb_free(s->before_pending);
	mgmt_pb_free(s->running);
	mgmt_config_free(&s->cfg);
	free(s->path);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int mgmt_store_reload(struct mgmt_store *s, char *err, size_t errlen)
{
	struct mgmt_error st;
	uint64_t hash;
	pb_config *pb = load_file(s->path, &hash, err, errlen);
	int ret;

	if (pb == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&s->lock);
	/* the file is already what we persist: no need to rewrite it */
	ret = mgmt_store_commit_locked(s, pb, "SIGHUP", s->path, false, &st);
	if (ret == 0) {
		/* the file is the running config: its version goes beside it */
		state_write(s->path, s->version, hash);
	}
	pthread_mutex_unlock(&s->lock);
	if (ret != 0) {
		snprintf(err, errlen, "%s: %s", s->path, st.message);
		return -EINVAL;
	}
	return 0;
}

void mgmt_store_tick(struct mgmt_store *s)
{
	struct timespec now;
	struct mgmt_error st;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&s->lock);
	if (s->pending && (now.tv_sec > s->deadline.tv_sec ||
			   (now.tv_sec == s->deadline.tv_sec &&
			    now.tv_nsec >= s->deadline.tv_nsec))) {
		pb_config *back = s->before_pending;

		s->before_pending = NULL;
		s->pending = false;
		mgmt_store_commit_locked(
			s, back, "confirm-timeout",
			"confirmed commit not confirmed: rolled back", true,
			&st);
		fprintf(stderr,
			"fhswd: confirmed commit timed out: rolled "
			"back to the previous config (version %llu)%s%s\n",
			(unsigned long long)s->version, st.err ? ": " : "",
			st.err ? st.message : "");
	}
	pthread_mutex_unlock(&s->lock);
}

const struct hal_config *mgmt_store_running(struct mgmt_store *s)
{
	return &s->cfg;
}

uint64_t mgmt_store_version(struct mgmt_store *s)
{
	uint64_t v;

	pthread_mutex_lock(&s->lock);
	v = s->version;
	pthread_mutex_unlock(&s->lock);
	return v;
}

bool mgmt_store_serving(void *svc)
{
	struct mgmt_store *s = svc;
	bool ok;

	pthread_mutex_lock(&s->lock);
	ok = s->serving && s->degraded[0] == '\0';
	pthread_mutex_unlock(&s->lock);
	return ok;
}

void mgmt_store_degraded(struct mgmt_store *s, char *buf, size_t len)
{
	pthread_mutex_lock(&s->lock);
	snprintf(buf, len, "%s", s->degraded);
	pthread_mutex_unlock(&s->lock);
}

void mgmt_store_set_tls(struct mgmt_store *s, bool on)
{
	s->tls = on;
}

void mgmt_store_set_serving(struct mgmt_store *s, bool on)
{
	s->serving = on;
}

void mgmt_store_on_changed(struct mgmt_store *s,
			   void (*cb)(void *arg, struct mgmt_store *s),
			   void *arg)
{
	s->changed_cb = cb;
	s->changed_arg = arg;
}

size_t mgmt_store_roles(struct mgmt_store *s, struct mgmt_role_binding *out,
			size_t max)
{
	size_t n = 0;
	const pb_config *c = s->running;

	if (c->mgmt == NULL) {
		return 0;
	}
	for (size_t i = 0; i < c->mgmt->n_role_bindings && n < max; i++) {
		snprintf(out[n].identity, sizeof(out[n].identity), "%s",
			 c->mgmt->role_bindings[i]->identity);
		out[n].role = (enum mgmt_role)c->mgmt->role_bindings[i]->role;
		n++;
	}
	return n;
}
