/* SPDX-License-Identifier: Apache-2.0 */
/* hal.c against a fake backend: the registry, dispatch, argument checks,
 * NULL optional ops, capability refusals and backend options. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hal_provider.h"

struct fake {
	struct hal base;
	unsigned applied;
	unsigned stats_calls;
	unsigned last_port;
	struct hal_caps caps;
	int open_argc;
	const char *open_clock;
};

#define to_fake(h) hal_container_of(h, struct fake, base)

static struct fake *last_opened;

static int fake_open(const struct hal_params *p, struct hal **out, char *msg,
		     size_t msglen)
{
	struct fake *f;

	if (hal_option_get(&p->options, "refuse") != NULL) {
		snprintf(msg, msglen, "refuse: told to");
		return -EINVAL;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		return -ENOMEM;
	}
	f->open_argc = p->argc;
	f->open_clock = hal_option_get(&p->options, "clock");
	f->caps.match_plane = true;
	f->caps.max_ports = 4;
	f->caps.max_flows = 8;
	f->caps.workers = 3;
	last_opened = f;
	*out = &f->base;
	return 0;
}

static void fake_close(struct hal *h)
{
	if (h != NULL) {
		free(to_fake(h));
	}
}

static void fake_capabilities(const struct hal *h, struct hal_caps *c)
{
	if (h == NULL) {
		/* offline: what every fake can, without workers */
		memset(c, 0, sizeof(*c));
		c->match_plane = true;
		c->max_ports = 4;
		c->max_flows = 8;
		return;
	}
	*c = to_fake(h)->caps;
}

static int fake_apply(struct hal *h, const struct hal_config *cfg, char *msg,
		      size_t msglen)
{
	if (strcmp(cfg->name, "fail") == 0) {
		snprintf(msg, msglen, "name: fake refuses");
		return -EINVAL;
	}
	to_fake(h)->applied++;
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

static int fake_port_stats(struct hal *h, unsigned port,
			   struct hal_port_stats *out)
{
	to_fake(h)->stats_calls++;
	to_fake(h)->last_port = port;
	out->rx_packets = 100 + port;
	return 0;
}

static int fake_flow_stats(struct hal *h, const char *name,
			   struct hal_flow_stats *out)
{
	(void)h;
	if (strcmp(name, "f") != 0) {
		return -ENOENT;
	}
	out->rx_on_time = 7;
	out->unsupported = HAL_CTR_RX_LATE;
	return 0;
}

static int fake_flow_status(struct hal *h, const char *name,
			    struct hal_flow_status *out)
{
	(void)h;
	(void)name;
	out->rules = 1;
	return 0;
}

static int fake_check_options(const struct hal_options *o, char *msg,
			      size_t msglen)
{
	const char *v = hal_option_get(o, "color");

	if (v != NULL && strcmp(v, "blue") != 0) {
		snprintf(msg, msglen, "color: \"%s\" is not blue", v);
		return -EINVAL;
	}
	return 0;
}

static const struct hal_class fake_class = {
	.type = "fake",
	.open = fake_open,
	.close = fake_close,
	.capabilities = fake_capabilities,
	.apply = fake_apply,
	.run = fake_run,
	.stop = fake_stop,
	.port_stats = fake_port_stats,
	.flow_stats = fake_flow_stats,
	.flow_status = fake_flow_status,
	.check_options = fake_check_options,
};

static int setup(void **state)
{
	(void)state;
	/* once per process: later calls answer -EEXIST */
	int ret = hal_class_register(&fake_class);

	return ret == 0 || ret == -EEXIST ? 0 : -1;
}

static struct hal *open_fake(void)
{
	struct hal_params p = {.backend = "fake"};
	struct hal *h = NULL;
	char msg[128];

	assert_int_equal(hal_open(&p, &h, msg, sizeof(msg)), 0);
	assert_non_null(h);
	return h;
}

static void base_config(struct hal_config *c, unsigned n_ports)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "cfg");
	snprintf(c->backend, sizeof(c->backend), "fake");
	c->n_ports = n_ports;
	for (unsigned i = 0; i < n_ports; i++) {
		snprintf(c->ports[i].name, sizeof(c->ports[i].name), "p%u", i);
	}
}

static void test_hal_registry_checks_required_ops(void **state)
{
	struct hal_class no_apply = fake_class, no_type = fake_class;
	struct hal_class long_type = fake_class, dup = fake_class;

	(void)state;
	no_apply.type = "fake-no-apply";
	no_apply.apply = NULL;
	assert_int_equal(hal_class_register(&no_apply), -EINVAL);
	assert_null(hal_class_find("fake-no-apply"));
	no_type.type = "";
	assert_int_equal(hal_class_register(&no_type), -EINVAL);
	long_type.type = "a-type-far-too-long";
	assert_int_equal(hal_class_register(&long_type), -EINVAL);
	assert_int_equal(hal_class_register(NULL), -EINVAL);
	dup.type = "dpdk";
	assert_int_equal(hal_class_register(&dup), -EEXIST);
	assert_ptr_equal(hal_class_find("fake"), &fake_class);
	assert_null(hal_class_find("ovs"));
	assert_null(hal_class_find(NULL));
}

static void test_hal_class_names_lists_builtins_and_fake(void **state)
{
	char names[128], tiny[6];
	size_t n;

	(void)state;
	n = hal_class_names(names, sizeof(names));
	assert_int_equal(n, strlen(names));
	assert_non_null(strstr(names, "fake"));
#ifdef FH_TEST_HAL_DPDK
	assert_non_null(strstr(names, "dpdk"));
#endif
#ifdef FH_TEST_HAL_SWITCHDEV
	assert_non_null(strstr(names, "switchdev"));
#endif
	/* cut, NUL-terminated, and the whole length still reported */
	assert_int_equal(hal_class_names(tiny, sizeof(tiny)), n);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

static void test_hal_open_unknown_backend_names_the_registered(void **state)
{
	struct hal_params p = {.backend = "ovs"};
	struct hal *h = NULL;
	char msg[160];

	(void)state;
	assert_int_equal(hal_open(&p, &h, msg, sizeof(msg)), -ENOENT);
	assert_null(h);
	assert_non_null(strstr(msg, "\"ovs\" is not a backend (registered: "));
	assert_non_null(strstr(msg, "fake"));
	assert_int_equal(hal_open(NULL, &h, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(hal_open(&p, NULL, msg, sizeof(msg)), -EINVAL);
	p.backend = "fake";
	p.argc = 2; /* argv missing */
	assert_int_equal(hal_open(&p, &h, msg, sizeof(msg)), -EINVAL);
}

static void test_hal_open_passes_args_and_options(void **state)
{
	char prog[] = "x", arg[] = "--y";
	char *argv[] = {prog, arg, NULL};
	struct hal_params p = {.backend = "fake", .argc = 2, .argv = argv};
	struct hal *h = NULL;
	char msg[64];

	(void)state;
	assert_int_equal(hal_option_set(&p.options, "clock", "pcap"), 0);
	assert_int_equal(hal_open(&p, &h, NULL, 0), 0);
	assert_ptr_equal(h->cls, &fake_class);
	assert_int_equal(last_opened->open_argc, 2);
	assert_string_equal(last_opened->open_clock, "pcap");
	hal_close(h);
	assert_int_equal(hal_option_set(&p.options, "refuse", "1"), 0);
	assert_int_equal(hal_open(&p, &h, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "refuse: told to");
}

static void test_hal_dispatch_checks_arguments(void **state)
{
	struct hal *h = open_fake();
	struct hal_config c;
	struct hal_port_stats ps;
	struct hal_flow_stats fs;
	struct hal_flow_status st;
	char msg[128];

	(void)state;
	base_config(&c, 2);
	/* before any apply no port exists: the op is never called */
	assert_int_equal(hal_port_stats(h, 0, &ps), -ENOENT);
	assert_int_equal(to_fake(h)->stats_calls, 0);
	assert_int_equal(hal_apply(h, &c, msg, sizeof(msg)), 0);
	assert_int_equal(to_fake(h)->applied, 1);
	assert_int_equal(hal_port_stats(h, 1, &ps), 0);
	assert_int_equal(ps.rx_packets, 101);
	assert_int_equal(hal_port_stats(h, 2, &ps), -ENOENT);
	assert_int_equal(to_fake(h)->stats_calls, 1);
	assert_int_equal(hal_port_stats(NULL, 0, &ps), -EINVAL);
	assert_int_equal(hal_port_stats(h, 0, NULL), -EINVAL);
	/* a failed apply keeps the port count of the running config */
	snprintf(c.name, sizeof(c.name), "fail");
	c.n_ports = 3;
	assert_int_equal(hal_apply(h, &c, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "name: fake refuses");
	assert_int_equal(hal_port_stats(h, 2, &ps), -ENOENT);
	assert_int_equal(hal_apply(NULL, &c, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(hal_apply(h, NULL, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(hal_apply(h, &c, NULL, 0), -EINVAL);
	/* flow stats arrive zeroed, the backend fills what it counts */
	memset(&fs, 0xff, sizeof(fs));
	assert_int_equal(hal_flow_stats(h, "f", &fs), 0);
	assert_int_equal(fs.rx_on_time, 7);
	assert_int_equal(fs.rx_total, 0);
	assert_int_equal(hal_counter_value(&fs, HAL_CTR_RX_ON_TIME), 7);
	assert_int_equal(hal_flow_stats(h, "g", &fs), -ENOENT);
	assert_int_equal(hal_flow_stats(h, NULL, &fs), -EINVAL);
	assert_int_equal(hal_flow_status(h, "f", &st), 0);
	assert_int_equal(st.rules, 1);
	assert_int_equal(hal_run(NULL), -EINVAL);
	assert_int_equal(hal_run(h), 0);
	hal_stop(NULL);
	hal_close(h);
	hal_close(NULL);
}

static void test_hal_optional_ops_answer_eopnotsupp(void **state)
{
	struct hal *h = open_fake();
	struct hal_config c;
	struct hal_l2_stats l2;
	uint64_t ns;
	struct hal_residence res;
	unsigned sent = 99;
	char msg[64];

	(void)state;
	base_config(&c, 1);
	assert_int_equal(hal_apply(h, &c, msg, sizeof(msg)), 0);
	assert_int_equal(hal_l2_stats(h, &l2), -EOPNOTSUPP);
	assert_int_equal(hal_idle_ns(h, &ns), -EOPNOTSUPP);
	assert_int_equal(hal_residence(h, &res), -EOPNOTSUPP);
	assert_int_equal(hal_inject(h, 0, "x.pcap", 1, &sent), -EOPNOTSUPP);
	assert_int_equal(sent, 0);
	assert_int_equal(hal_inject(h, 1, "x.pcap", 1, &sent), -ENOENT);
	assert_int_equal(hal_inject(h, 0, NULL, 1, &sent), -EINVAL);
	assert_int_equal(hal_idle_ns(h, NULL), -EINVAL);
	assert_int_equal(hal_l2_stats(NULL, &l2), -EINVAL);
	hal_close(h);
}

static void *set_flag(void *arg)
{
	*(int *)arg = 42;
	return NULL;
}

static void test_hal_thread_create_falls_back_to_pthread(void **state)
{
	struct hal *h = open_fake();
	pthread_t t;
	int flag = 0;

	(void)state;
	assert_int_equal(hal_thread_create(h, &t, "t", set_flag, &flag), 0);
	pthread_join(t, NULL);
	assert_int_equal(flag, 42);
	assert_int_equal(hal_thread_create(h, &t, "t", NULL, &flag), -EINVAL);
	assert_int_equal(hal_thread_create(NULL, &t, "t", set_flag, &flag),
			 -EINVAL);
	hal_close(h);
}

static void test_hal_check_refuses_by_capability(void **state)
{
	struct hal *h = open_fake();
	struct hal_caps caps;
	struct hal_config c;
	struct fh_flow f[2];
	char msg[200];

	(void)state;
	hal_capabilities(h, &caps);
	assert_int_equal(caps.workers, 3);
	hal_capabilities(NULL, &caps);
	assert_int_equal(caps.max_ports, 0);
	base_config(&c, 5);
	assert_int_equal(hal_check(h, &c, msg, sizeof(msg)), -EOPNOTSUPP);
	assert_string_equal(msg, "ports: 5 ports, backend fake has 4");
	base_config(&c, 2);
	memset(f, 0, sizeof(f));
	snprintf(f[0].name, sizeof(f[0].name), "plane");
	f[0].match.plane = FH_PLANE_U; /* fake can */
	snprintf(f[1].name, sizeof(f[1].name), "ax");
	f[1].match.eaxc_mask = 0xffff; /* fake cannot */
	c.flows = f;
	c.n_flows = 2;
	assert_int_equal(hal_check(h, &c, msg, sizeof(msg)), -EOPNOTSUPP);
	assert_string_equal(msg,
			    "flows[1] (\"ax\"): backend fake cannot do match "
			    "on eAxC");
	/* and apply refuses it before the backend sees it */
	assert_int_equal(hal_apply(h, &c, msg, sizeof(msg)), -EOPNOTSUPP);
	assert_int_equal(to_fake(h)->applied, 0);
	f[1].match.eaxc_mask = 0;
	f[1].action.n_out_ports = 2;
	assert_int_equal(hal_check(h, &c, msg, sizeof(msg)), -EOPNOTSUPP);
	assert_string_equal(msg, "flows[1] (\"ax\"): backend fake cannot do "
				 "replication to several ports");
	f[1].action.n_out_ports = 1;
	assert_int_equal(hal_check(h, &c, msg, sizeof(msg)), 0);
	f[1].action.n_mirror_ports = 1;
	assert_int_equal(hal_check(h, &c, msg, sizeof(msg)), -EOPNOTSUPP);
	assert_string_equal(msg, "flows[1] (\"ax\"): backend fake cannot do "
				 "mirror_ports");
	f[1].action.n_mirror_ports = 0;
	c.n_flows = 9;
	assert_int_equal(hal_check(h, &c, msg, sizeof(msg)), -EOPNOTSUPP);
	assert_string_equal(msg, "flows: 9 flows, backend fake has 8");
	/* offline: the same checks, the same messages, no instance */
	assert_int_equal(hal_check_offline(&c, msg, sizeof(msg)), -EOPNOTSUPP);
	assert_string_equal(msg, "flows: 9 flows, backend fake has 8");
	c.n_flows = 2;
	assert_int_equal(hal_check_offline(&c, msg, sizeof(msg)), 0);
	f[1].match.eaxc_mask = 0xffff;
	assert_int_equal(hal_check_offline(&c, msg, sizeof(msg)), -EOPNOTSUPP);
	assert_string_equal(msg,
			    "flows[1] (\"ax\"): backend fake cannot do match "
			    "on eAxC");
	f[1].match.eaxc_mask = 0;
	/* port dialects: fake neither re-codes IQ nor translates eAxC */
	f[1].match.in_port = 0;
	f[1].action.out_ports[0] = 1;
	c.ports[0].has_comp = c.ports[1].has_comp = true;
	c.ports[0].comp = (struct fh_comp){FH_COMP_BFP, 9};
	c.ports[1].comp = (struct fh_comp){FH_COMP_BFP, 9};
	assert_int_equal(hal_check(h, &c, msg, sizeof(msg)), 0);
	c.ports[1].comp_dynamic = true;
	assert_int_equal(hal_check(h, &c, msg, sizeof(msg)), -EOPNOTSUPP);
	assert_string_equal(msg, "flows[1] (\"ax\"): backend fake cannot do "
				 "IQ re-coding between the U-plane codings "
				 "of its ports (ports[].uplane_comp)");
	c.ports[1].has_comp = false; /* IQ passes as it is */
	c.ports[1].has_layout = true;
	c.ports[1].layout = (struct fh_eaxc_layout){2, 6, 4, 4};
	assert_int_equal(hal_check_offline(&c, msg, sizeof(msg)), -EOPNOTSUPP);
	assert_string_equal(msg, "flows[1] (\"ax\"): backend fake cannot do "
				 "eAxC translation between the layouts of its "
				 "ports (ports[].eaxc_layout)");
	c.ports[1].layout = c.layout;
	assert_int_equal(hal_check(h, &c, msg, sizeof(msg)), 0);
	c.n_groups = 1;
	snprintf(c.groups[0].name, sizeof(c.groups[0].name), "cell");
	assert_int_equal(hal_check_offline(&c, msg, sizeof(msg)), -EOPNOTSUPP);
	assert_string_equal(msg, "combine_groups[0] (\"cell\"): backend fake "
				 "cannot combine UL IQ (it neither decodes "
				 "nor sums samples)");
	c.n_groups = 0;
	c.ptp_mode = HAL_PTP_TRANSPARENT;
	assert_int_equal(hal_check(h, &c, msg, sizeof(msg)), -EOPNOTSUPP);
	assert_string_equal(msg,
			    "ptp.mode: backend fake cannot be a PTP "
			    "transparent clock (PTP_MODE_TRANSPARENT): its "
			    "driver reports no transparent-clock capability; "
			    "use PTP_MODE_BRIDGE");
	assert_int_equal(hal_check_offline(&c, msg, sizeof(msg)), -EOPNOTSUPP);
	c.ptp_mode = HAL_PTP_BRIDGE;
	snprintf(c.backend, sizeof(c.backend), "nosuch");
	assert_int_equal(hal_check_offline(&c, msg, sizeof(msg)), -ENOENT);
	hal_close(h);
}

static void test_hal_options_set_get_check(void **state)
{
	struct hal_options o;
	char msg[96], big[HAL_OPTION_LEN + 1];

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_null(hal_option_get(&o, "color"));
	assert_int_equal(hal_option_set(&o, "color", "red"), 0);
	assert_int_equal(hal_option_set(&o, "color", "blue"), 0);
	assert_int_equal(o.n, 1);
	assert_string_equal(hal_option_get(&o, "color"), "blue");
	assert_int_equal(hal_check_options("fake", &o, msg, sizeof(msg)), 0);
	assert_int_equal(hal_option_set(&o, "color", "green"), 0);
	assert_int_equal(hal_check_options("fake", &o, msg, sizeof(msg)),
			 -EINVAL);
	assert_string_equal(msg, "color: \"green\" is not blue");
	assert_int_equal(hal_check_options("ovs", &o, msg, sizeof(msg)),
			 -ENOENT);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(hal_option_set(&o, "k", big), -ENAMETOOLONG);
	for (unsigned i = o.n; i < HAL_MAX_OPTIONS; i++) {
		char k[8];

		snprintf(k, sizeof(k), "k%u", i);
		assert_int_equal(hal_option_set(&o, k, "v"), 0);
	}
	assert_int_equal(hal_option_set(&o, "one-more", "v"), -ENOSPC);
	assert_int_equal(hal_option_set(&o, "k3", "w"), 0); /* replace */
}

static void test_hal_counter_names_follow_the_list(void **state)
{
	(void)state;
	assert_int_equal(HAL_CTR_COUNT, 9);
	assert_string_equal(hal_counter_name(HAL_CTR_RX_TOTAL), "rx_total");
	assert_string_equal(hal_counter_name(HAL_CTR_RX_SEQID_ERR),
			    "rx_seqid_err");
	assert_string_equal(hal_counter_name(HAL_CTR_TX_TOTAL), "tx_total");
	assert_string_equal(hal_counter_name(HAL_CTR_TX_MIRROR), "tx_mirror");
	assert_string_equal(hal_counter_name(HAL_CTR_RX_LATE_LOCAL),
			    "rx_late_local");
	assert_null(hal_counter_name(HAL_CTR_RX_LATE_LOCAL << 1));
	assert_null(hal_counter_name(3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hal_registry_checks_required_ops),
		cmocka_unit_test(test_hal_class_names_lists_builtins_and_fake),
		cmocka_unit_test(
			test_hal_open_unknown_backend_names_the_registered),
		cmocka_unit_test(test_hal_open_passes_args_and_options),
		cmocka_unit_test(test_hal_dispatch_checks_arguments),
		cmocka_unit_test(test_hal_optional_ops_answer_eopnotsupp),
		cmocka_unit_test(test_hal_thread_create_falls_back_to_pthread),
		cmocka_unit_test(test_hal_check_refuses_by_capability),
		cmocka_unit_test(test_hal_options_set_get_check),
		cmocka_unit_test(test_hal_counter_names_follow_the_list),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
