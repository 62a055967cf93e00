/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FHCTL_H
#define FHCTL_H

#include <stdbool.h>
#include <stdint.h>

#include "fh/comp.h"
#include "fh/eaxc.h"

/* Exit codes shared by every fhctl subcommand. */
#define FHCTL_EXIT_OK 0
#define FHCTL_EXIT_ERROR 1 /* input or processing error */
#define FHCTL_EXIT_USAGE 2 /* bad command line */
/* switch commands: server unreachable, UNAVAILABLE, DEADLINE_EXCEEDED,
 * TLS handshake refused */
#define FHCTL_EXIT_CONNECT 3
#define FHCTL_EXIT_SERVER 4 /* any other error status from the server */

#define FHCTL_DEFAULT_SERVER "127.0.0.1:50051"
#define FHCTL_DEFAULT_TIMEOUT_MS 10000

/* The options before (or among) a switch command's arguments. */
struct fhctl_global {
	const char *server; /* -s ADDR, else $FHCTL_SERVER, else default */
	const char *tls; /* --tls CA[,CERT,KEY] */
	bool json; /* --json */
	unsigned timeout_ms; /* --timeout S: deadline of each call */
};

int fhctl_decode_main(int argc, char **argv);
int fhctl_gen_main(int argc, char **argv);

/*
 * If argv[*i] is the option name (or alias, may be NULL) take its value,
 * "--name value" or "--name=value", into *val and advance *i past it.
 * @return 1 taken; 0 another argument; -1 the value is missing (reported
 * on stderr).
 */
int fhctl_opt_value(int argc, char **argv, int *i, const char *name,
		    const char *alias, const char **val);

/*
 * If argv[*i] is a global option (-s/--server, --tls, --json, --timeout;
 * "--opt=value" too) take it (and its value) into g and advance *i past
 * it.  @return 1 taken; 0 not a global option; -1 bad value or missing
 * value (reported on stderr).
 */
int fhctl_global_opt(struct fhctl_global *g, int argc, char **argv, int *i);

/* Is name a switch command (the gRPC client, fhctl_api.c)? */
bool fhctl_api_command(const char *name);

/* Run a switch command: argv[0] is its name ("config", "ports"...).
 * @return an FHCTL_EXIT_* code. */
int fhctl_api_main(const struct fhctl_global *g, int argc, char **argv);

/* "version": fhctl's own, then the server's when it answers. */
int fhctl_version_main(const struct fhctl_global *g, int argc, char **argv);

/* "A,B,C,D" -> layout; 0 or -EINVAL (widths not summing to 16). */
int fhctl_parse_layout(const char *s, struct fh_eaxc_layout *l);

/* "none:W", "bfp:W", "bs:W", "mulaw:W" -> comp; "dynamic" sets *dynamic.
 * 0 or -EINVAL. */
int fhctl_parse_comp(const char *s, struct fh_comp *c, bool *dynamic);

/* "aa:bb:cc:dd:ee:ff" -> 6 bytes; 0 or -EINVAL. */
int fhctl_parse_mac(const char *s, uint8_t mac[6]);

/* Parse an unsigned integer in [min, max]; 0 or -EINVAL. */
int fhctl_parse_uint(const char *s, unsigned long min, unsigned long max,
		     unsigned long *out);

#endif
