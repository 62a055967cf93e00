/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fhctl: the fhswitch client and lab tool.  This file parses the global
 * options and dispatches: the switch commands (fhctl_api.c, gRPC to
 * fhswd) and the lab commands decode and gen, which need no server.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhctl.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fhctl [-s ADDR] [--tls CA,CERT,KEY] [--json] "
		"[--timeout S] <command> [args]\n"
		"\n"
		"switch commands (gRPC to fhswd at ADDR, default $FHCTL_SERVER "
		"or " FHCTL_DEFAULT_SERVER "):\n"
		"  config get [--version-file FILE]\n"
		"      the running config, JSON alone on stdout (get, edit, "
		"commit);\n"
		"      its version on stderr and in FILE\n"
		"  config validate [--local] FILE\n"
		"      check a config (SwitchConfig JSON; - = stdin) on the "
		"switch, or with\n"
		"      --local here, without a switch (its backend's "
		"capabilities); when\n"
		"      invalid print \"PATH: message\" per error and exit 1\n"
		"  config commit FILE [--expected-version V] "
		"[--confirm-timeout S]\n"
		"                     [--comment TEXT]\n"
		"      replace the running config; with --confirm-timeout it "
		"rolls back\n"
		"      unless \"config confirm\" follows within S seconds\n"
		"  config confirm\n"
		"  config rollback N\n"
		"      go back to version N (one of \"config versions\"; a new "
		"version)\n"
		"  config versions\n"
		"      version, time (UTC), identity and comment of the last "
		"versions\n"
		"  ports\n"
		"      name, device, role, rx/tx packets and drops\n"
		"  flows\n"
		"      name, match, actions and the flow counters (total, on "
		"time, early, late;\n"
		"      n/a where the backend cannot count them)\n"
		"  flow add FILE|- [--expected-version V]\n"
		"      add a flow (Flow JSON)\n"
		"  flow del NAME [--expected-version V]\n"
		"  flow status [NAME]...\n"
		"      where each flow runs: rules, rules in hardware (in_hw)\n"
		"  counters [--flow NAME]... [--eaxc] [--watch SECS "
		"[--interval MS]]\n"
		"      port and flow counters; --watch streams a sample every "
		"MS ms\n"
		"      (default 1000) for SECS seconds (0 = until "
		"interrupted)\n"
		"  top [--interval MS] [--flow NAME]...\n"
		"      live table of the busiest ports, flows and eAxC "
		"streams: rates,\n"
		"      on time %%, late, SeqId errors and lost (Ctrl-C "
		"quits)\n"
		"  health [SERVICE]\n"
		"      grpc.health.v1 Check: SERVING or NOT_SERVING\n"
		"  version\n"
		"      print the fhctl version, and the server's when it "
		"answers\n"
		"\n"
		"lab commands (no server):\n"
		"  decode [--eaxc-layout A,B,C,D] [--uplane-comp SPEC]\n"
		"         [--udp-port P]... [--iq] FILE.pcap\n"
		"      print one JSON object per eCPRI message (NDJSON)\n"
		"  gen --out FILE.pcap [options]\n"
		"      write a time-stamped O-DU/O-RU stream (fhctl gen "
		"--help)\n"
		"\n"
		"options (before or after the command):\n"
		"  -s, --server ADDR    host:port, [v6]:port or unix:PATH\n"
		"  --tls CA,CERT,KEY    TLS: verify the server against CA, "
		"present CERT/KEY\n"
		"                       (mTLS); PEM files; CA alone: no client "
		"certificate\n"
		"  --json               print the answer as proto3 JSON "
		"(--watch: one line each)\n"
		"  --timeout S          deadline of each call in seconds "
		"(default %u)\n"
		"\n"
		"exit status: 0 ok; 1 unreadable or invalid FILE, or an "
		"invalid "
		"config\n"
		"(validate); 2 bad command line; 3 server unreachable "
		"(UNAVAILABLE,\n"
		"DEADLINE_EXCEEDED, TLS refused); 4 any other error status "
		"from "
		"the server\n",
		FHCTL_DEFAULT_TIMEOUT_MS / 1000);
}

int fhctl_parse_uint(const char *s, unsigned long min, unsigned long max,
		     unsigned long *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0' || *s == '-') {
		return -EINVAL;
	}
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int fhctl_parse_layout(const char *s, struct fh_eaxc_layout *l)
{
	unsigned a, b, c, d;
	char tail;

	if (sscanf(s, "%u,%u,%u,%u%c", &a, &b, &c, &d, &tail) != 4) {
		return -EINVAL;
	}
	if (a > 16 || b > 16 || c > 16 || d > 16) {
		return -EINVAL;
	}
	l->du_port_bits = (uint8_t)a;
	l->band_sector_bits = (uint8_t)b;
	l->cc_bits = (uint8_t)c;
	l->ru_port_bits = (uint8_t)d;
	return fh_eaxc_layout_check(l);
}

int fhctl_parse_comp(const char *s, struct fh_comp *c, bool *dynamic)
{
	static const struct {
		const char *name;
		uint8_t method;
	} names[] = {
		{"none", FH_COMP_NONE},
		{"bfp", FH_COMP_BFP},
		{"bs", FH_COMP_BLOCK_SCALING},
		{"block_scaling", FH_COMP_BLOCK_SCALING},
		{"mulaw", FH_COMP_MU_LAW},
		{"mu_law", FH_COMP_MU_LAW},
	};
	const char *colon;
	unsigned long w;

	if (strcmp(s, "dynamic") == 0) {
		if (dynamic == NULL) {
			return -EINVAL;
		}
		*dynamic = true;
		return 0;
	}
	colon = strchr(s, ':');
	if (colon == NULL || fhctl_parse_uint(colon + 1, 1, 16, &w) < 0) {
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i].name) == (size_t)(colon - s) &&
		    strncmp(s, names[i].name, (size_t)(colon - s)) == 0) {
			c->method = names[i].method;
			c->iq_width = (uint8_t)w;
			if (dynamic != NULL) {
				*dynamic = false;
			}
			return 0;
		}
	}
	return -EINVAL;
}

int fhctl_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4],
		   &v[5], &tail) != 6) {
		return -EINVAL;
	}
	for (int i = 0; i < 6; i++) {
		if (v[i] > 0xff) {
			return -EINVAL;
		}
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

int fhctl_opt_value(int argc, char **argv, int *i, const char *name,
		    const char *alias, const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (strncmp(a, name, n) == 0 && a[n] == '=') {
		*val = a + n + 1;
		(*i)++;
		return 1;
	}
	if (strcmp(a, name) != 0 && (alias == NULL || strcmp(a, alias) != 0)) {
		return 0;
	}
	if (*i + 1 >= argc) {
		fprintf(stderr, "fhctl: %s needs a value\n", a);
		return -1;
	}
	*val = argv[*i + 1];
	*i += 2;
	return 1;
}

/* "host:port" with a port, "[v6]:port", "unix:PATH", or a target with a
 * gRPC scheme ("dns:", "ipv4:", "ipv6:", "unix-abstract:"). */
static bool server_valid(const char *s)
{
	static const char *const schemes[] = {
		"unix:", "unix-abstract:", "dns:", "ipv4:", "ipv6:"};
	const char *colon = strrchr(s, ':');
	unsigned long port;

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (strncmp(s, schemes[i], strlen(schemes[i])) == 0) {
			return s[strlen(schemes[i])] != '\0';
		}
	}
	return colon != NULL && colon != s && strchr(s, ' ') == NULL &&
	       fhctl_parse_uint(colon + 1, 1, 65535, &port) == 0;
}

int fhctl_global_opt(struct fhctl_global *g, int argc, char **argv, int *i)
{
	const char *v;
	unsigned long n;
	int r;

	if (strcmp(argv[*i], "--json") == 0) {
		g->json = true;
		(*i)++;
		return 1;
	}
	r = fhctl_opt_value(argc, argv, i, "--server", "-s", &v);
	if (r != 0) {
		if (r > 0 && !server_valid(v)) {
			fprintf(stderr,
				"fhctl: server '%s': host:port or unix:PATH "
				"expected\n",
				v);
			return -1;
		}
		g->server = v;
		return r;
	}
	r = fhctl_opt_value(argc, argv, i, "--tls", NULL, &v);
	if (r != 0) {
		const char *c1 = strchr(v, ',');
		const char *c2 = c1 != NULL ? strchr(c1 + 1, ',') : NULL;

		/* CA alone, or CA,CERT,KEY with none empty */
		if (r > 0 && (v[0] == '\0' || v[0] == ',' ||
			      (c1 != NULL &&
			       (c2 == NULL || c2 == c1 + 1 || c2[1] == '\0' ||
				strchr(c2 + 1, ',') != NULL)))) {
			fprintf(stderr,
				"fhctl: --tls '%s': CA,CERT,KEY (PEM files) "
				"expected\n",
				v);
			return -1;
		}
		g->tls = v;
		return r;
	}
	r = fhctl_opt_value(argc, argv, i, "--timeout", NULL, &v);
	if (r != 0) {
		if (r > 0 && fhctl_parse_uint(v, 1, 3600, &n) < 0) {
			fprintf(stderr,
				"fhctl: --timeout '%s': seconds 1..3600 "
				"expected\n",
				v);
			return -1;
		}
		g->timeout_ms = (unsigned)n * 1000;
		return r;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct fhctl_global g = {
		.server = getenv("FHCTL_SERVER"),
		.timeout_ms = FHCTL_DEFAULT_TIMEOUT_MS,
	};
	const char *cmd;
	int i = 1;

	if (g.server == NULL || g.server[0] == '\0') {
		g.server = FHCTL_DEFAULT_SERVER;
	}
	while (i < argc && argv[i][0] == '-') {
		int r;

		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return FHCTL_EXIT_OK;
		}
		if (strcmp(argv[i], "--version") == 0) {
			break;
		}
		r = fhctl_global_opt(&g, argc, argv, &i);
		if (r < 0) {
			return FHCTL_EXIT_USAGE;
		}
		if (r == 0) {
			fprintf(stderr, "fhctl: unknown option '%s'\n",
				argv[i]);
			usage(stderr);
			return FHCTL_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return FHCTL_EXIT_USAGE;
	}
	cmd = argv[i];
	if (strcmp(cmd, "decode") == 0) {
		return fhctl_decode_main(argc - i, argv + i);
	}
	if (strcmp(cmd, "gen") == 0) {
		return fhctl_gen_main(argc - i, argv + i);
	}
	if (strcmp(cmd, "--version") == 0) {
		/* local only, never the network */
		printf("fhctl %s (SIMD: %s)\n", FHSWITCH_VERSION,
		       fh_simd_name(fh_simd_get()));
		return FHCTL_EXIT_OK;
	}
	if (strcmp(cmd, "version") == 0) {
		return fhctl_version_main(&g, argc - i, argv + i);
	}
	if (strcmp(cmd, "help") == 0) {
		usage(stdout);
		return FHCTL_EXIT_OK;
	}
	if (fhctl_api_command(cmd)) {
		return fhctl_api_main(&g, argc - i, argv + i);
	}
	fprintf(stderr, "fhctl: unknown command '%s'\n", cmd);
	usage(stderr);
	return FHCTL_EXIT_USAGE;
}
