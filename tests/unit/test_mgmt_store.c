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

#include "fake_hal.h"
#include "mgmt_store.h"

static const char *doc(const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof(buf),
		 "{\"name\":\"%s\",\"hal\":{\"backend\":\"fake\"},"
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
	struct hal_params hp = {.backend = "fake"};
	struct mgmt_store *s = NULL;
	struct mgmt_error st;
	struct hal *h = NULL;
	FILE *f;

	(void)state;
	assert_int_equal(hal_class_register(&fake_hal_class), 0);
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
	snprintf(fake_hal_refuse, sizeof(fake_hal_refuse), "startup");
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
	fake_hal_refuse[0] = '\0';
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
