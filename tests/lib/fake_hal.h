/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A HAL backend for tests that need a switch but no data path (the config
 * store, the services, the management fuzz targets): type "fake", takes
 * every config within its capabilities, counts nothing.  Register it once
 * with hal_class_register(&fake_hal_class).  Header-only: include it in
 * one file of a test.
 */
#ifndef FH_TEST_FAKE_HAL_H
#define FH_TEST_FAKE_HAL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal_provider.h"

struct fake_hal {
	struct hal base;
};

/* apply refuses a config of this name ("" = none) with -ENODEV */
static char fake_hal_refuse[64];
/* configs applied so far */
static unsigned fake_hal_applies;

static int fake_hal_open(const struct hal_params *p, struct hal **out,
			 char *msg, size_t msglen)
{
	struct fake_hal *f = calloc(1, sizeof(*f));

	(void)p;
	(void)msg;
	(void)msglen;
	if (f == NULL) {
		return -ENOMEM;
	}
	*out = &f->base;
	return 0;
}

static void fake_hal_close(struct hal *h)
{
	free(hal_container_of(h, struct fake_hal, base));
}

static void fake_hal_capabilities(const struct hal *h, struct hal_caps *c)
{
	(void)h;
	c->max_ports = 8;
	c->max_flows = 64;
	c->match_eaxc = c->match_plane = c->match_direction = true;
	c->match_udp = c->act_set_eaxc = c->act_replicate = true;
	c->window_check = c->act_set_mac = true;
}

static int fake_hal_apply(struct hal *h, const struct hal_config *cfg,
			  char *msg, size_t msglen)
{
	(void)h;
	if (strcmp(cfg->name, fake_hal_refuse) == 0) {
		snprintf(msg, msglen, "ports[0].device: gone");
		return -ENODEV;
	}
	fake_hal_applies++;
	return 0;
}

static int fake_hal_run(struct hal *h)
{
	(void)h;
	return 0;
}

static void fake_hal_stop(struct hal *h)
{
	(void)h;
}

static int fake_hal_port_stats(struct hal *h, unsigned p,
			       struct hal_port_stats *o)
{
	(void)h;
	(void)p;
	memset(o, 0, sizeof(*o));
	return 0;
}

static int fake_hal_flow_stats(struct hal *h, const char *n,
			       struct hal_flow_stats *o)
{
	(void)h;
	(void)n;
	(void)o;
	return -ENOENT;
}

static int fake_hal_flow_status(struct hal *h, const char *n,
				struct hal_flow_status *o)
{
	(void)h;
	(void)n;
	(void)o;
	return -ENOENT;
}

static const struct hal_class fake_hal_class = {
	.type = "fake",
	.open = fake_hal_open,
	.close = fake_hal_close,
	.capabilities = fake_hal_capabilities,
	.apply = fake_hal_apply,
	.run = fake_hal_run,
	.stop = fake_hal_stop,
	.port_stats = fake_hal_port_stats,
	.flow_stats = fake_hal_flow_stats,
	.flow_status = fake_hal_flow_status,
};

#endif
