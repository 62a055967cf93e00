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

int fhctl_decode_main(int argc, char **argv);
int fhctl_gen_main(int argc, char **argv);

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
