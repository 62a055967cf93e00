/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fhswd: the fhswitch daemon.
 *
 *   fhswd [EAL args] -- --config FILE [--exit-when-idle MS]
 *         [--run-seconds S] [--counters-json FILE]
 *         [--inject PCAP:PORT:COUNT] [--clock realtime|pcap]
 *         [--residence]
 *
 * Loads and validates the startup config, opens the HAL backend it names
 * (handing it the arguments before "--": the EAL's for dpdk), applies it
 * and forwards until SIGINT/SIGTERM (or an exit condition).
 * SIGHUP reloads the config file through the same validate -> apply path a
 * commit takes: an invalid file is refused and logged, the running config
 * stays.  The forwarding lcores never run management code: a control
 * thread handles signals, reloads and exit conditions.
 */
#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include "fh/ptp.h"
#include "fhswitch/v1/api.pb-c.h"
#include "hal.h"
#include "mgmt_services.h"
#include "mgmt_store.h"
#include "mgmt_config.h"
#include "mgmt_grpc_desc.h"
#include "mgmt_rpc.h"
#include "metrics.h"
#include "mgmt_json.h"
#include "mgmt_log.h"

#define EXIT_USAGE 2

struct opts {
	const char *config;
	long exit_when_idle_ms; /* -1 = off */
	double run_seconds; /* 0 = forever */
	const char *counters_json;
	unsigned n_inject;
	struct {
		const char *pcap;
		char port[HAL_NAME_LEN];
		unsigned count;
	} inject[HAL_MAX_PORTS];
	bool clock_pcap;
	bool residence;
	const char *poll_mode; /* NULL: busy */
	const char *grpc_addr;
	char *tls[3]; /* CA, certificate, key */
	const char *audit;
	bool grpc_insecure;
	bool check; /* --check: validate the config and exit */
	const char *metrics_addr;
};

static volatile sig_atomic_t sig_stop, sig_hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP) {
		sig_hup = 1;
	} else {
		sig_stop = 1;
	}
}

struct daemon {
	struct opts o;
	struct hal *hal;
	struct mgmt_store *svc;
	struct mgmt_grpc *grpc;
	struct fh_metrics *metrics;
	struct timespec start;
	_Atomic bool done;
};

static double elapsed_s(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	       (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fhswd [BACKEND args] -- --config FILE [options]\n"
		"  --config FILE            startup config (proto3 JSON of "
		"fhswitch.v1.SwitchConfig)\n"
		"  --exit-when-idle MS      stop once no port received for MS "
		"ms of polling\n"
		"                           (time descheduled does not count)\n"
		"  --run-seconds S          stop after S seconds\n"
		"  --counters-json FILE     write the counters on exit\n"
		"  --inject PCAP:PORT:COUNT send COUNT packets from PCAP on "
		"PORT at start (repeatable)\n"
		"  --clock realtime|pcap    packet arrival time source "
		"(default realtime)\n"
		"  --residence              measure rx-to-tx residence time\n"
		"  --poll-mode busy|sleep   busy (default): poll without "
		"pause; sleep: after\n"
		"                           200 us of empty polls sleep "
		"between polls,\n"
		"                           20 us doubling to 160 us (a host "
		"shared with\n"
		"                           DU/RU emulators)\n"
		"  --grpc ADDR              serve the gRPC API on ADDR (e.g. "
		"127.0.0.1:50051)\n"
		"  --tls CA,CERT,KEY        mTLS: client certificates "
		"required, "
		"roles from\n"
		"                           mgmt.role_bindings (CN or SAN)\n"
		"  --audit FILE             append every mutating call (JSON "
		"lines)\n"
		"  --grpc-insecure          allow plaintext gRPC off loopback\n"
		"  --metrics ADDR           Prometheus text at "
		"http://ADDR/metrics (PORT,\n"
		"                           HOST:PORT, [IPV6]:PORT; PORT "
		"alone: 127.0.0.1)\n"
		"  --check                  validate FILE as the switch would "
		"(every error\n"
		"                           and its JSON path) and exit 0/1; "
		"opens nothing\n"
		"  --version                print the version and exit\n"
		"  --help                   this text\n"
		"\n"
		"Before \"--\": the backend's arguments (dpdk: the EAL's, "
		"e.g.\n"
		"-l 0-1 -a 0000:3b:00.0; none needed with hal.backend "
		"\"switchdev\").\n"
		"SIGHUP reloads FILE; SIGINT/SIGTERM stop.\n"
		"\n"
		"Without a NIC or hugepages (virtual ports, as the tests and "
		"ci/demo.sh run):\n"
		"  fhswd --no-huge -m 128 --no-pci -l 0 --vdev net_ring0 "
		"--vdev net_ring1 \\\n"
		"        -- --config FILE     (ports' device: net_ring0, "
		"net_ring1)\n");
}

/* An argument after "--" that the EAL would have taken: say where it
 * goes instead of only "unrecognized option". */
static void eal_after_dashdash_hint(const char *arg)
{
	static const char *const eal[] = {
		"-l",		"-c",
		"-n",		"-m",
		"-a",		"-b",
		"--vdev",	"--no-huge",
		"--no-pci",	"--file-prefix",
		"--log-level",	"--lcores",
		"--socket-mem", "--huge-dir",
		"--in-memory",	"--main-lcore",
		NULL,
	};

	for (int i = 0; eal[i] != NULL; i++) {
		size_t n = strlen(eal[i]);

		if (strncmp(arg, eal[i], n) == 0 &&
		    (arg[n] == '\0' || arg[n] == '=' ||
		     (eal[i][1] != '-' && arg[n] >= '0' && arg[n] <= '9'))) {
			fprintf(stderr,
				"fhswd: \"%s\" is an EAL option: EAL options "
				"go before \"--\", fhswd's after it (fhswd "
				"%s ... -- --config FILE)\n",
				arg, eal[i]);
			return;
		}
	}
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"exit-when-idle", required_argument, NULL, 'i'},
		{"run-seconds", required_argument, NULL, 'r'},
		{"counters-json", required_argument, NULL, 'j'},
		{"inject", required_argument, NULL, 'x'},
		{"clock", required_argument, NULL, 'k'},
		{"residence", no_argument, NULL, 'R'},
		{"poll-mode", required_argument, NULL, 'P'},
		{"grpc", required_argument, NULL, 'g'},
		{"tls", required_argument, NULL, 't'},
		{"audit", required_argument, NULL, 'a'},
		{"grpc-insecure", no_argument, NULL, 'I'},
		{"check", no_argument, NULL, 'K'},
		{"metrics", required_argument, NULL, 'M'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;
	char *end;

	o->exit_when_idle_ms = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'i':
			o->exit_when_idle_ms = strtol(optarg, &end, 10);
			if (*end != '\0' || o->exit_when_idle_ms < 1) {
				fprintf(stderr,
					"fhswd: --exit-when-idle '%s': "
					"milliseconds >= 1 expected\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'r':
			o->run_seconds = strtod(optarg, &end);
			if (*end != '\0' || !(o->run_seconds > 0)) {
				fprintf(stderr,
					"fhswd: --run-seconds '%s': "
					"seconds > 0 expected\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'j':
			o->counters_json = optarg;
			break;
		case 'x': {
			/* PCAP:PORT:COUNT, the path may itself hold ':' */
			char *last = strrchr(optarg, ':'), *mid;

			if (o->n_inject == HAL_MAX_PORTS || last == NULL ||
			    last == optarg) {
				goto bad_inject;
			}
			*last = '\0';
			mid = strrchr(optarg, ':');
			if (mid == NULL || mid == optarg ||
			    strlen(mid + 1) >= HAL_NAME_LEN) {
				goto bad_inject;
			}
			*mid = '\0';
			o->inject[o->n_inject].count =
				(unsigned)strtoul(last + 1, &end, 10);
			if (*end != '\0' || o->inject[o->n_inject].count == 0) {
				goto bad_inject;
			}
			o->inject[o->n_inject].pcap = optarg;
			snprintf(o->inject[o->n_inject].port, HAL_NAME_LEN,
				 "%s", mid + 1);
			o->n_inject++;
			break;
bad_inject:
			fprintf(stderr, "fhswd: --inject: PCAP:PORT:COUNT "
					"expected (PORT a port name)\n");
			return -EINVAL;
		}
		case 'k':
			if (strcmp(optarg, "pcap") == 0) {
				o->clock_pcap = true;
			} else if (strcmp(optarg, "realtime") != 0) {
				fprintf(stderr,
					"fhswd: --clock '%s': realtime "
					"or pcap expected\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'R':
			o->residence = true;
			break;
		case 'P':
			if (strcmp(optarg, "busy") != 0 &&
			    strcmp(optarg, "sleep") != 0) {
				fprintf(stderr,
					"fhswd: --poll-mode '%s': busy or "
					"sleep expected\n",
					optarg);
				return -EINVAL;
			}
			o->poll_mode = optarg;
			break;
		case 'g':
			o->grpc_addr = optarg;
			break;
		case 't': {
			char *save = NULL;

			o->tls[0] = strtok_r(optarg, ",", &save);
			o->tls[1] = strtok_r(NULL, ",", &save);
			o->tls[2] = strtok_r(NULL, ",", &save);
			if (o->tls[2] == NULL || strtok_r(NULL, ",", &save)) {
				fprintf(stderr,
					"fhswd: --tls: CA,CERT,KEY (PEM "
					"files) expected\n");
				return -EINVAL;
			}
			break;
		}
		case 'a':
			o->audit = optarg;
			break;
		case 'I':
			o->grpc_insecure = true;
			break;
		case 'K':
			o->check = true;
			break;
		case 'M':
			o->metrics_addr = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("fhswd %s\n", FHSWITCH_VERSION);
			exit(0);
		default:
			eal_after_dashdash_hint(argv[optind - 1]);
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		eal_after_dashdash_hint(argv[optind]);
	}
	if (optind != argc || o->config == NULL) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/* --check: the validation a commit runs, offline (the backend's
 * capabilities, not an instance's), like nginx -t. */
static int check_config(const char *path)
{
	Fhswitch__V1__ValidateResponse *r;
	char err[MGMT_CONFIG_ERR_LEN];
	int rc;

	if (mgmt_validate_file(path, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "fhswd: %s\n", err);
		return 1;
	}
	if (r->valid) {
		printf("%s: valid\n", path);
	}
	for (size_t i = 0; i < r->n_errors; i++) {
		const Fhswitch__V1__ValidationError *e = r->errors[i];

		fprintf(stderr, "%s: %s%s%s\n", path, e->path,
			e->path[0] ? ": " : "", e->message);
	}
	rc = r->valid ? 0 : 1;
	mgmt_pb_free(r);
	return rc;
}

static void reload(struct daemon *d)
{
	char err[MGMT_CONFIG_ERR_LEN];

	if (mgmt_store_reload(d->svc, err, sizeof(err)) < 0) {
		MGMT_LOG(ERR, "SIGHUP: %s; the running config stays", err);
		return;
	}
	MGMT_LOG(INFO, "SIGHUP: %s applied: %u ports, %zu flows (version %llu)",
		 d->o.config, mgmt_store_running(d->svc)->n_ports,
		 mgmt_store_running(d->svc)->n_flows,
		 (unsigned long long)mgmt_store_version(d->svc));
}

/* The control thread: signals, reloads, exit conditions. */
static void *control_main(void *arg)
{
	struct daemon *d = arg;
	const struct timespec tick = {0, 5 * 1000 * 1000};

	while (!atomic_load(&d->done)) {
		uint64_t idle;

		nanosleep(&tick, NULL);
		mgmt_store_tick(d->svc);
		if (sig_hup) {
			sig_hup = 0;
			reload(d);
		}
		if (sig_stop) {
			MGMT_LOG(INFO, "signal: stopping");
			break;
		}
		if (d->o.run_seconds > 0 &&
		    elapsed_s(&d->start) >= d->o.run_seconds) {
			break;
		}
		if (d->o.exit_when_idle_ms > 0 &&
		    hal_idle_ns(d->hal, &idle) == 0) {
			double lim = (double)d->o.exit_when_idle_ms / 1e3;

			if (idle == UINT64_MAX ? elapsed_s(&d->start) >= lim :
						 (double)idle / 1e9 >= lim) {
				MGMT_LOG(INFO,
					 "idle: %s for %ld ms, stopping "
					 "(--exit-when-idle)",
					 idle == UINT64_MAX ?
						 "nothing received" :
						 "no packet in polling",
					 d->o.exit_when_idle_ms);
				break;
			}
		}
	}
	mgmt_store_set_serving(d->svc, false);
	if (d->grpc != NULL) {
		mgmt_grpc_health_changed(d->grpc);
	}
	hal_stop(d->hal);
	return NULL;
}

/* A port's PTP counters for --counters-json; null where the backend does
 * not count PTP (unknown, not 0). */
static json_t *ptp_json(struct hal *h, unsigned p)
{
	struct hal_ptp_stats s;
	json_t *o, *types;

	if (hal_ptp_stats(h, p, &s) < 0) {
		return json_null();
	}
	o = json_object();
	types = json_object();
	for (unsigned t = 0; t < HAL_PTP_TYPES; t++) {
		if (fh_ptp_type_name(t) != NULL) {
			json_object_set_new(
				types, fh_ptp_type_name(t),
				json_integer((json_int_t)s.rx_type[t]));
		}
	}
	json_object_set_new(o, "rx", types);
#define PTP_JSON(name) \
	json_object_set_new(o, #name, json_integer((json_int_t)s.name));
	FH_PTP_COUNTERS(PTP_JSON)
#undef PTP_JSON
	return o;
}

/* A combine group's counters for --counters-json; "missing" names the
 * RU ports that were missing from partial messages, with how often. */
static json_t *combine_json(struct daemon *d, const struct hal_config *cfg,
			    const struct hal_combine_group *g)
{
	struct hal_combine_stats s;
	json_t *o, *miss;

	if (hal_combine_stats(d->hal, g->name, &s) < 0) {
		return json_null();
	}
	o = json_object();
#define COMB_JSON(name) \
	json_object_set_new(o, #name, json_integer((json_int_t)s.name));
	FH_COMB_COUNTERS(COMB_JSON)
#undef COMB_JSON
	miss = json_object();
	for (unsigned k = 0; k < g->n_in; k++) {
		unsigned p = g->in_ports[k];

		json_object_set_new(miss, cfg->ports[p].name,
				    json_integer((json_int_t)s.missing[p]));
	}
	json_object_set_new(o, "missing", miss);
	return o;
}

/* The eAxC streams for --counters-json: one object each; on time,
 * early and late null where no flow's window judged the stream. */
static json_t *eaxc_json(struct daemon *d, const struct hal_config *cfg)
{
	struct hal_eaxc_stats *s;
	size_t n;
	json_t *a;

	if (hal_eaxc_stats(d->hal, &s, &n, NULL) < 0) {
		return json_null();
	}
	a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(
			o, "port",
			json_string(s[i].port < cfg->n_ports ?
					    cfg->ports[s[i].port].name :
					    "?"));
		json_object_set_new(o, "eaxc_id", json_integer(s[i].eaxc_id));
		json_object_set_new(o, "plane",
				    json_string(hal_plane_str(s[i].plane)));
		json_object_set_new(
			o, "direction",
			json_string(hal_direction_str(s[i].direction)));
#define EAXC_JSON(name) \
	json_object_set_new(o, #name, json_integer((json_int_t)s[i].name));
		FH_EAXC_COUNTERS(EAXC_JSON)
#undef EAXC_JSON
		if (!s[i].windowed) {
			json_object_set_new(o, "rx_on_time", json_null());
			json_object_set_new(o, "rx_early", json_null());
			json_object_set_new(o, "rx_late", json_null());
			json_object_set_new(o, "rx_late_local", json_null());
		}
		json_array_append_new(a, o);
	}
	free(s);
	return a;
}

static json_t *counters_json(struct daemon *d)
{
	json_t *root = json_object(), *ports = json_object();
	json_t *flows = json_object(), *l2 = json_object();
	json_t *ptp = json_object();
	struct hal_l2_stats ls = {0};

	for (unsigned p = 0; p < mgmt_store_running(d->svc)->n_ports; p++) {
		struct hal_port_stats s = {0};
		json_t *o = json_object();

		hal_port_stats(d->hal, p, &s);
		json_object_set_new(o, "rx_packets",
				    json_integer((json_int_t)s.rx_packets));
		json_object_set_new(o, "tx_packets",
				    json_integer((json_int_t)s.tx_packets));
		json_object_set_new(o, "rx_bytes",
				    json_integer((json_int_t)s.rx_bytes));
		json_object_set_new(o, "tx_bytes",
				    json_integer((json_int_t)s.tx_bytes));
		/* null: the device drops frames it does not report */
		json_object_set_new(o, "drops",
				    s.drops_unknown ?
					    json_null() :
					    json_integer((json_int_t)s.drops));
		json_object_set_new(
			ports, mgmt_store_running(d->svc)->ports[p].name, o);
	}
	for (size_t i = 0; i < mgmt_store_running(d->svc)->n_flows; i++) {
		struct hal_flow_stats s = {0};
		json_t *o = json_object();

		hal_flow_stats(d->hal,
			       mgmt_store_running(d->svc)->flows[i].name, &s);
		for (unsigned b = 0; b < HAL_CTR_COUNT; b++) {
			/* null: this backend cannot count it */
			json_object_set_new(
				o, hal_counter_name(1u << b),
				(s.unsupported & 1u << b) ?
					json_null() :
					json_integer(
						(json_int_t)hal_counter_value(
							&s, 1u << b)));
		}
		json_object_set_new(
			flows, mgmt_store_running(d->svc)->flows[i].name, o);
	}
	for (unsigned p = 0; p < mgmt_store_running(d->svc)->n_ports; p++) {
		json_object_set_new(ptp,
				    mgmt_store_running(d->svc)->ports[p].name,
				    ptp_json(d->hal, p));
	}
	hal_l2_stats(d->hal, &ls);
	json_object_set_new(l2, "forwarded",
			    json_integer((json_int_t)ls.forwarded));
	json_object_set_new(l2, "flooded",
			    json_integer((json_int_t)ls.flooded));
	json_object_set_new(root, "ports", ports);
	json_object_set_new(root, "flows", flows);
	json_object_set_new(root, "l2", l2);
	json_object_set_new(root, "ptp", ptp);
	{
		const struct hal_config *cfg = mgmt_store_running(d->svc);
		json_t *groups = json_object();

		for (unsigned g = 0; g < cfg->n_groups; g++) {
			json_object_set_new(
				groups, cfg->groups[g].name,
				combine_json(d, cfg, &cfg->groups[g]));
		}
		json_object_set_new(root, "combine_groups", groups);
		json_object_set_new(root, "eaxc", eaxc_json(d, cfg));
	}
	json_object_set_new(root, "seconds", json_real(elapsed_s(&d->start)));
	return root;
}

/* "n/a" where the backend cannot count it. */
static const char *ctr_cell(const struct hal_flow_stats *s, uint32_t bit,
			    char buf[24])
{
	if (s->unsupported & bit) {
		return "n/a";
	}
	snprintf(buf, 24, "%llu",
		 (unsigned long long)hal_counter_value(s, bit));
	return buf;
}

static void print_table(struct daemon *d, double secs)
{
	const struct hal_config *cfg = mgmt_store_running(d->svc);

	fprintf(stderr, "\n%-16s %10s %10s %10s %10s %8s %10s\n", "port",
		"rx_pkts", "tx_pkts", "rx_Mbps", "tx_Mbps", "drops", "");
	for (unsigned p = 0; p < mgmt_store_running(d->svc)->n_ports; p++) {
		struct hal_port_stats s = {0};
		char drops[24] = "n/a";

		hal_port_stats(d->hal, p, &s);
		if (!s.drops_unknown) {
			snprintf(drops, sizeof(drops), "%llu",
				 (unsigned long long)s.drops);
		}
		fprintf(stderr, "%-16s %10llu %10llu %10.2f %10.2f %8s\n",
			mgmt_store_running(d->svc)->ports[p].name,
			(unsigned long long)s.rx_packets,
			(unsigned long long)s.tx_packets,
			secs > 0 ? (double)s.rx_bytes * 8 / secs / 1e6 : 0.0,
			secs > 0 ? (double)s.tx_bytes * 8 / secs / 1e6 : 0.0,
			drops);
	}
	fprintf(stderr, "\n%-20s %9s %9s %9s %9s %9s %8s %8s %9s\n", "flow",
		"rx_total", "on_time", "early", "late", "late_loc", "corrupt",
		"seq_err", "tx_total");
	for (size_t i = 0; i < mgmt_store_running(d->svc)->n_flows; i++) {
		struct hal_flow_stats s = {0};

		hal_flow_stats(d->hal,
			       mgmt_store_running(d->svc)->flows[i].name, &s);
		char c[HAL_CTR_COUNT][24];

		fprintf(stderr, "%-20s %9s %9s %9s %9s %9s %8s %8s %9s\n",
			mgmt_store_running(d->svc)->flows[i].name,
			ctr_cell(&s, HAL_CTR_RX_TOTAL, c[0]),
			ctr_cell(&s, HAL_CTR_RX_ON_TIME, c[1]),
			ctr_cell(&s, HAL_CTR_RX_EARLY, c[2]),
			ctr_cell(&s, HAL_CTR_RX_LATE, c[3]),
			ctr_cell(&s, HAL_CTR_RX_LATE_LOCAL, c[4]),
			ctr_cell(&s, HAL_CTR_RX_CORRUPT, c[5]),
			ctr_cell(&s, HAL_CTR_RX_SEQID_ERR, c[6]),
			ctr_cell(&s, HAL_CTR_TX_TOTAL, c[7]));
	}
	for (unsigned g = 0; g < cfg->n_groups; g++) {
		struct hal_combine_stats cs;

		if (hal_combine_stats(d->hal, cfg->groups[g].name, &cs) < 0) {
			continue;
		}
		if (g == 0) {
			fprintf(stderr,
				"\n%-16s %10s %10s %10s %10s %10s %10s "
				"%10s\n",
				"combine group", "parts", "combined", "partial",
				"late_parts", "mismatched", "saturated",
				"tx_total");
		}
		fprintf(stderr,
			"%-16s %10" PRIu64 " %10" PRIu64 " %10" PRIu64
			" %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64
			"\n",
			cfg->groups[g].name, cs.parts, cs.combined, cs.partial,
			cs.late_parts, cs.mismatched, cs.saturated,
			cs.tx_total);
	}
}

static void print_residence(struct daemon *d)
{
	struct hal_residence r;
	const uint64_t *counts = r.counts;
	uint64_t total = 0, acc = 0;
	const double q[] = {0.5, 0.99, 0.999};
	const char *name[] = {"p50", "p99", "p99.9"};
	unsigned qi = 0;

	if (hal_residence(d->hal, &r) < 0) {
		return;
	}
	for (int b = 0; b < 64; b++) {
		total += counts[b];
	}
	if (total == 0) {
		return;
	}
	fprintf(stderr, "residence (rx burst to tx burst, %llu bursts):",
		(unsigned long long)total);
	for (int b = 0; b < 64 && qi < 3; b++) {
		acc += counts[b];
		while (qi < 3 && (double)acc >= q[qi] * (double)total) {
			/* upper edge of the log2 bucket */
			fprintf(stderr, " %s <= %.2f us", name[qi],
				(double)(2ull << b) * 1e6 / (double)r.hz);
			qi++;
		}
	}
	fprintf(stderr, "\n");
}

/* After a commit (role bindings) or a change of health (degraded). */
static void store_changed(void *arg, struct mgmt_store *s)
{
	struct daemon *d = arg;
	struct mgmt_role_binding roles[64];
	size_t n = mgmt_store_roles(s, roles, 64);

	if (d->grpc != NULL) {
		mgmt_grpc_set_roles(d->grpc, roles, n);
		mgmt_grpc_health_changed(d->grpc);
	}
}

static int start_grpc(struct daemon *d)
{
	struct mgmt_role_binding roles[64];
	struct mgmt_grpc_params gp = {0};
	char err[256];
	int ret;

	gp.addr = d->o.grpc_addr;
	/* plaintext callers are admins: only on loopback, unless told */
	if (d->o.tls[0] == NULL && !d->o.grpc_insecure &&
	    strncmp(gp.addr, "127.", 4) != 0 &&
	    strncmp(gp.addr, "localhost:", 10) != 0 &&
	    strncmp(gp.addr, "[::1]:", 6) != 0 &&
	    strncmp(gp.addr, "unix:", 5) != 0) {
		fprintf(stderr,
			"fhswd: --grpc %s: plaintext off loopback would give "
			"every caller admin rights; use --tls, a loopback "
			"address, or --grpc-insecure\n",
			gp.addr);
		return -EPERM;
	}
	gp.tls_ca = d->o.tls[0];
	gp.tls_cert = d->o.tls[1];
	gp.tls_key = d->o.tls[2];
	gp.plaintext_role = MGMT_ROLE_ADMIN;
	gp.n_roles = mgmt_store_roles(d->svc, roles, 64);
	gp.roles = roles;
	gp.audit_path = d->o.audit;
	gp.methods = mgmt_services_methods(&gp.n_methods);
	gp.svc = d->svc;
	gp.serving = mgmt_store_serving;
	gp.descriptor_set = fh_descriptor_set;
	gp.descriptor_set_len = fh_descriptor_set_len;
	ret = mgmt_grpc_start(&gp, &d->grpc, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "fhswd: --grpc %s: %s\n", d->o.grpc_addr, err);
		return ret;
	}
	mgmt_store_on_changed(d->svc, store_changed, d);
	mgmt_store_set_tls(d->svc, gp.tls_ca != NULL);
	MGMT_LOG(INFO, "gRPC API on %s (%s)", d->o.grpc_addr,
		 gp.tls_ca ? "mTLS" : "plaintext");
	return 0;
}

static int start_metrics(struct daemon *d)
{
	char err[256];
	int ret = fh_metrics_start(d->o.metrics_addr, d->hal, d->svc,
				   FHSWITCH_VERSION, &d->metrics, err,
				   sizeof(err));

	if (ret < 0) {
		fprintf(stderr, "fhswd: --metrics %s\n", err);
		return ret;
	}
	MGMT_LOG(INFO, "Prometheus metrics on http://%s/metrics",
		 d->o.metrics_addr);
	return 0;
}

struct starter {
	struct daemon *d;
	int (*start)(struct daemon *d);
	int ret;
};

static void *starter_main(void *arg)
{
	struct starter *st = arg;

	st->ret = st->start(st->d);
	return NULL;
}

/* Start a server (the API, the metrics) from a management thread: the
 * threads it creates inherit its CPU set, so none of them lands on a
 * forwarding core. */
static int start_off_lcores(struct daemon *d, const char *what,
			    int (*start)(struct daemon *d))
{
	struct starter st = {.d = d, .start = start, .ret = -EINVAL};
	pthread_t t;
	int ret = hal_thread_create(d->hal, &t, "fh-start", starter_main, &st);

	if (ret != 0) {
		fprintf(stderr, "fhswd: %s start thread: %s\n", what,
			strerror(-ret));
		return ret;
	}
	pthread_join(t, NULL);
	return st.ret;
}

/* The backend's options from the command line. */
static int open_options(const struct opts *o, struct hal_options *ho)
{
	int ret = 0;

	if (o->clock_pcap) {
		ret = hal_option_set(ho, "clock", "pcap");
	}
	if (ret == 0 && o->residence) {
		ret = hal_option_set(ho, "residence", "on");
	}
	if (ret == 0 && o->poll_mode != NULL) {
		ret = hal_option_set(ho, "poll", o->poll_mode);
	}
	return ret;
}

/* Inject what --inject asked for, before forwarding starts. */
static int inject_all(struct daemon *d, const struct hal_config *cfg)
{
	for (unsigned i = 0; i < d->o.n_inject; i++) {
		unsigned p, sent = 0;
		int ret;

		for (p = 0; p < cfg->n_ports; p++) {
			if (strcmp(cfg->ports[p].name, d->o.inject[i].port) ==
			    0) {
				break;
			}
		}
		if (p == cfg->n_ports) {
			fprintf(stderr,
				"fhswd: --inject: no port named \"%s\"\n",
				d->o.inject[i].port);
			return -ENOENT;
		}
		ret = hal_inject(d->hal, p, d->o.inject[i].pcap,
				 d->o.inject[i].count, &sent);
		if (ret < 0) {
			fprintf(stderr, "fhswd: --inject %s: %s (%u sent)\n",
				d->o.inject[i].pcap, strerror(-ret), sent);
			return ret;
		}
		MGMT_LOG(INFO, "injected %u packets on %s", sent,
			 d->o.inject[i].port);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct daemon d;
	struct hal_params hp = {0};
	struct hal_caps caps;
	char err[MGMT_CONFIG_ERR_LEN];
	pthread_t ctl;
	const struct hal_config *cfg;
	char backend[HAL_TYPE_LEN];
	int ret, rc = 1, sep = 0;

	memset(&d, 0, sizeof(d));
	for (int i = 1; i < argc && sep == 0; i++) {
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
		}
	}
	if (sep > 0) {
		/* before "--": the backend's arguments (argv[0] its program
		 * name); after it: ours, behind the same argv[0] */
		hp.argc = sep > 1 ? sep : 0;
		hp.argv = argv;
		argv[sep] = argv[0];
		argc -= sep;
		argv += sep;
	}
	if (parse_opts(argc, argv, &d.o) < 0 ||
	    open_options(&d.o, &hp.options) < 0) {
		return EXIT_USAGE;
	}
	if (d.o.check) {
		return check_config(d.o.config);
	}
	{
		/* the backend to open is part of the config */
		struct hal_config first;

		ret = mgmt_config_load_file(d.o.config, &first, err,
					    sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "fhswd: %s\n", err);
			return 1;
		}
		snprintf(backend, sizeof(backend), "%s", first.backend);
		mgmt_config_free(&first);
	}
	hp.backend = backend;
	ret = hal_open(&hp, &d.hal, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "fhswd: backend \"%s\": %s\n", backend,
			err[0] ? err : strerror(-ret));
		return 1;
	}
	ret = mgmt_store_open(d.hal, d.o.config, &d.svc, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "fhswd: %s\n", err);
		goto out_hal;
	}
	cfg = mgmt_store_running(d.svc);
	hal_capabilities(d.hal, &caps);
	{
		/* before "applied" is logged: from then on SIGHUP reloads */
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	MGMT_LOG(INFO,
		 "%s: \"%s\" applied on %s: %u ports, %zu flows, %u lcores",
		 d.o.config, cfg->name, cfg->backend, cfg->n_ports,
		 cfg->n_flows, caps.workers);
	if (inject_all(&d, cfg) < 0) {
		goto out_svc;
	}
	clock_gettime(CLOCK_MONOTONIC, &d.start);
	if (d.o.grpc_addr != NULL &&
	    start_off_lcores(&d, "gRPC", start_grpc) < 0) {
		goto out_svc;
	}
	if (d.o.metrics_addr != NULL &&
	    start_off_lcores(&d, "metrics", start_metrics) < 0) {
		goto out_svc;
	}
	/* off the forwarding cores, like the API */
	ret = hal_thread_create(d.hal, &ctl, "fh-ctl", control_main, &d);
	if (ret != 0) {
		fprintf(stderr, "fhswd: control thread: %s\n", strerror(-ret));
		goto out_svc;
	}
	hal_run(d.hal);
	atomic_store(&d.done, true);
	pthread_join(ctl, NULL);
	/* no more commits: the API goes first */
	mgmt_grpc_stop(d.grpc);
	d.grpc = NULL;
	{
		double secs = elapsed_s(&d.start);

		print_table(&d, secs);
		print_residence(&d);
		if (d.o.counters_json != NULL) {
			json_t *j = counters_json(&d);

			if (json_dump_file(j, d.o.counters_json,
					   JSON_INDENT(2) | JSON_SORT_KEYS) !=
			    0) {
				fprintf(stderr, "fhswd: cannot write %s\n",
					d.o.counters_json);
				json_decref(j);
				goto out_svc;
			}
			json_decref(j);
		}
	}
	rc = 0;
out_svc:
	fh_metrics_stop(d.metrics);
	mgmt_grpc_stop(d.grpc);
	mgmt_store_close(d.svc);
out_hal:
	hal_close(d.hal);
	return rc;
}
