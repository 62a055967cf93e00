/* SPDX-License-Identifier: Apache-2.0 */
/* fhctl: the fhswitch lab tool.  Subcommands: decode, gen. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhctl.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fhctl <command> [options]\n"
		"\n"
		"commands:\n"
		"  decode [--eaxc-layout A,B,C,D] [--uplane-comp SPEC]\n"
		"         [--udp-port P]... [--iq] FILE.pcap\n"
		"      print one JSON object per eCPRI message (NDJSON)\n"
		"  gen --out FILE.pcap [options]\n"
		"      write a time-stamped O-DU/O-RU stream (fhctl gen --help)\n"
		"  version\n"
		"      print the fhctl version\n");
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
		{ "none", FH_COMP_NONE },
		{ "bfp", FH_COMP_BFP },
		{ "bs", FH_COMP_BLOCK_SCALING },
		{ "block_scaling", FH_COMP_BLOCK_SCALING },
		{ "mulaw", FH_COMP_MU_LAW },
		{ "mu_law", FH_COMP_MU_LAW },
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
	if (colon == NULL ||
	    fhctl_parse_uint(colon + 1, 1, 16, &w) < 0) {
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

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return FHCTL_EXIT_USAGE;
	}
	if (strcmp(argv[1], "decode") == 0) {
		return fhctl_decode_main(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "gen") == 0) {
		return fhctl_gen_main(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "version") == 0 ||
	    strcmp(argv[1], "--version") == 0) {
		printf("fhctl %s (SIMD: %s)\n", FHSWITCH_VERSION,
		       fh_simd_name(fh_simd_get()));
		return FHCTL_EXIT_OK;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return FHCTL_EXIT_OK;
	}
	fprintf(stderr, "fhctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return FHCTL_EXIT_USAGE;
}
