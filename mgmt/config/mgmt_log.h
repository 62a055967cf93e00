/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MGMT_LOG_H
#define MGMT_LOG_H

#include <stdio.h>
#include <time.h>

/* One log macro for the management plane: "time level message" on stderr.
 * Never used on a forwarding lcore. */
#define MGMT_LOG(level, fmt, ...)                                              \
	do {                                                                   \
		struct timespec ts_;                                           \
		struct tm tm_;                                                 \
		clock_gettime(CLOCK_REALTIME, &ts_);                           \
		gmtime_r(&ts_.tv_sec, &tm_);                                   \
		fprintf(stderr,                                                \
			"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ fhswd %-5s " fmt \
			"\n",                                                  \
			tm_.tm_year + 1900, tm_.tm_mon + 1, tm_.tm_mday,       \
			tm_.tm_hour, tm_.tm_min, tm_.tm_sec,                   \
			ts_.tv_nsec / 1000000, #level, ##__VA_ARGS__);         \
	} while (0)

#endif
