/* SPDX-License-Identifier: Apache-2.0 */
/* The config store over a fake HAL backend: a commit that the HAL took
 * but that cannot be persisted is undone; when the undo fails too the
 * store says it is degraded (health, GetVersion) until a commit succeeds. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "hal_provider.h"
#include "mgmt_store.h"

struct fake {
	struct hal base;
};

/* apply refuses configs of this name ("" = none) */
static char refuse[64];
static unsigned applies;

static int fake_open(const struct hal_params *p, struct hal **out, char *msg,
		     size_t msglen)
{
	struct fake *f = calloc(1, sizeof(*f));

	(void)p;
	(void)msg;
	(void)msglen;
	if (f == NULL) {
		return -ENOMEM;
	}
	*out = &f->base;
	return 0;
}

static void fake_close(struct hal *h)
{
	free(hal_container_of(h, struct fake, base));
}

static void fake_capabilities(const struct hal *h, struct hal_caps *c)
{
	(void)h;
	c->max_ports = 4;
	c->max_flows = 8;
	c->window_check = c->match_eaxc = true;
}

static int fake_apply(struct hal *h, const struct hal_config *cfg, char *msg,
		      size_t msglen)
{
	(void)h;
	if (strcmp(cfg->name, refuse) == 0) {
		snprintf(msg, msglen, "ports[0].device: gone");
		return -ENODEV;
	}
	applies++;
	return 0;
}

static int fake_run(struct hal *h)
{
	(void)h;
	return 0;
}

static void fake_stop(struct hal *h)
{
	(void)h;
}

static int fake_port_stats(struct hal *h, unsigned p, struct hal_port_stats *o)
{
	(void)h;
	(void)p;
	(void)o;
	return 0;
}

static int fake_flow_stats(struct hal *h, const char *n,
			   struct hal_flow_stats *o)
{
	(void)h;
	(void)n;
	(void)o;
	return -ENOENT;
}

static int fake_flow_status(struct hal *h, const char *n,
			    struct hal_flow_status *o)
{
	(void)h;
	(void)n;
	(void)o;
	return -ENOENT;
}

static const struct hal_class store_fake_class = {
	.type = "storefake",
	.open = fake_open,
	.close = fake_close,
	.capabilities = fake_capabilities,
	.apply = fake_apply,
	.run = fake_run,
	.stop = fake_stop,
	.port_stats = fake_port_stats,
	.flow_stats = fake_flow_stats,
	.flow_status = fake_flow_status,
};

static const char *doc(const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof(buf),
		 "{\"name\":\"%s\",\"hal\":{\"backend\":\"storefake\"},"
		 "\"ports\":[{\"name\":\"p0\",\"device\":\"d0\"}]}",
		 name);
	return buf;
}

static pb_config *pb(const char *name)
{
	ProtobufCMessage *m = NULL;
	char err[256];

	assert_int_equal(
		mgmt_json_text_to_pb(&fhswitch__v1__switch_config__descriptor,
				     doc(name), &m, err, sizeof(err)),
		0);
	return (pb_config *)m;
}

static unsigned changes;

static void on_changed(void *arg, struct mgmt_store *s)
{
	(void)arg;
	(void)s;
	changes++;
}

static void test_store_undo_failure_degrades_until_a_commit(void **state)
{
	char dir[] = "/tmp/fh_store_XXXXXX", path[128], state_path[160];
	char tmp_path[160];
	char err[512], why[512];
	struct hal_params hp = {.backend = "storefake"};
	struct mgmt_store *s = NULL;
	struct mgmt_error st;
	struct hal *h = NULL;
	FILE *f;

	(void)state;
	assert_int_equal(hal_class_register(&store_fake_class), 0);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fh.json", dir);
	snprintf(state_path, sizeof(state_path), "%s.state", path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(doc("startup"), f);
	fclose(f);
	/* a kill -9 during a write left its temporary file: removed */
	snprintf(tmp_path, sizeof(tmp_path), "%s.tmp", path);
	f = fopen(tmp_path, "w");
	assert_non_null(f);
	fputs("{\"name\":", f);
	fclose(f);
	assert_int_equal(hal_open(&hp, &h, err, sizeof(err)), 0);
	assert_int_equal(mgmt_store_open(h, path, &s, err, sizeof(err)), 0);
	assert_int_equal(access(tmp_path, F_OK), -1);
	mgmt_store_on_changed(s, on_changed, NULL);
	assert_true(mgmt_store_serving(s));

	/* persisting fails (the directory is gone), the undo works: the
	 * commit fails, the switch is not degraded */
	unlink(path);
	unlink(state_path);
	assert_int_equal(rmdir(dir), 0);
	pthread_mutex_lock(&s->lock);
	assert_int_equal(
		mgmt_store_commit_locked(s, pb("next"), "t", "c", true, &st),
		-EAGAIN); /* UNAVAILABLE: retry when the disk is back */
	pthread_mutex_unlock(&s->lock);
	assert_non_null(strstr(st.message, "persisting the config"));
	assert_null(strstr(st.message, "degraded"));
	assert_true(mgmt_store_serving(s));
	assert_int_equal(mgmt_store_version(s), 1);

	/* the same, and the HAL refuses the undo: degraded, said everywhere */
	snprintf(refuse, sizeof(refuse), "startup");
	changes = 0;
	pthread_mutex_lock(&s->lock);
	assert_int_equal(
		mgmt_store_commit_locked(s, pb("next"), "t", "c", true, &st),
		-EIO);
	pthread_mutex_unlock(&s->lock);
	assert_non_null(strstr(st.message,
			       "restoring the running config "
			       "failed too: ports[0].device: gone"));
	assert_false(mgmt_store_serving(s));
	assert_int_equal(changes, 1);
	mgmt_store_degraded(s, why, sizeof(why));
	assert_non_null(strstr(why, "config version 1 could not be restored"));
	assert_int_equal(mgmt_store_version(s), 1);

	/* a commit that succeeds ends it */
	refuse[0] = '\0';
	assert_int_equal(mkdir(dir, 0700), 0);
	pthread_mutex_lock(&s->lock);
	assert_int_equal(
		mgmt_store_commit_locked(s, pb("fixed"), "t", "c", true, &st),
		0);
	pthread_mutex_unlock(&s->lock);
	assert_true(mgmt_store_serving(s));
	mgmt_store_degraded(s, why, sizeof(why));
	assert_string_equal(why, "");
	assert_int_equal(mgmt_store_version(s), 2);
	assert_int_equal(changes, 2);

	mgmt_store_close(s);
	hal_close(h);
	unlink(path);
	unlink(state_path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_store_undo_failure_degrades_until_a_commit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
