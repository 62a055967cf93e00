/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The switchdev backend: the kernel (and the ASIC under a switchdev
 * driver) forwards; this backend only programs it through rtnetlink.
 *
 *   ports        Linux netdevs enslaved to a vlan_filtering bridge (created,
 *                or adopted if one of that name exists), set up, with their
 *                VLANs (allowed_vlans tagged, native_vlan PVID untagged),
 *                learning per l2.learning, ageing per l2.aging_s
 *   l2           static bridge FDB entries (NTF_MASTER, NUD_NOARP)
 *   flows        tc flower on the in-port's clsact ingress: eCPRI (0xAEFE)
 *                untagged, or 802.1Q with vlan_ethtype 0xAEFE (+ vlan_id);
 *                MACs; actions vlan push/modify, mirred mirror to every out
 *                port but the last and redirect to the last, or gact drop;
 *                skip_sw where the port offloads tc (hw-tc-offload)
 *
 * Everything it creates is tagged so that reconfiguration and close remove
 * exactly that: flower filters live in a private priority range and carry
 * a handle with a fixed upper half; FDB entries, ports, qdiscs and the
 * bridge are remembered as created.  An apply journals each change and
 * replays the journal backwards on failure, leaving the running config's
 * rules in place; new flows go into the other of two priority ranges, so
 * the old rules are removed only once the new ones are all in.
 */
#include <net/if.h> /* before the kernel headers libnl pulls in */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hal_switchdev.h"

/* tc counts frames per rule, not the O-RAN window or eCPRI validity */
#define SD_UNSUPPORTED \
	(HAL_CTR_WINDOW | HAL_CTR_RX_CORRUPT | HAL_CTR_RX_SEQID_ERR)

/* ---- capabilities, open, run --------------------------------------------- */

static void sd_capabilities(const struct hal *h, struct hal_caps *c)
{
	c->match_eaxc = false;
	c->match_plane = false;
	c->match_direction = false;
	c->match_udp = false;
	c->act_set_eaxc = false;
	c->port_dialects = false; /* tc pedit cannot translate eAxC */
	c->iq_convert = false; /* nor touch IQ */
	c->combine = false;
	c->act_replicate = true; /* mirred mirror */
	c->window_check = false;
	c->act_set_mac = true; /* pedit */
	/* Linux has no interface through which a switchdev driver reports
	 * or runs a PTP transparent clock (drivers with PTP - mlxsw,
	 * ocelot, sparx5 - give the host a clock and timestamps for an
	 * ordinary or boundary clock); the kernel bridge does not forward
	 * 01-80-C2-00-00-0E, as PTP_MODE_BRIDGE does not */
	c->ptp_transparent = false;
	c->offload = h != NULL && atomic_load(&to_sd(h)->offload);
	c->unsupported_counters = SD_UNSUPPORTED;
	c->max_ports = HAL_MAX_PORTS;
	c->max_flows = SD_MAX_FLOWS;
	c->workers = 0; /* the ASIC (or the kernel) forwards */
}

/* Config options: "bridge", the bridge to create or adopt. */
static int sd_check_options(const struct hal_options *o, char *msg,
			    size_t msglen)
{
	for (unsigned i = 0; i < o->n; i++) {
		if (strcmp(o->kv[i].key, "bridge") != 0) {
			snprintf(msg, msglen,
				 "%s: not a switchdev option (bridge)",
				 o->kv[i].key);
			return -EINVAL;
		}
		if (strlen(o->kv[i].value) >= IFNAMSIZ) {
			snprintf(msg, msglen,
				 "bridge: longer than %d characters",
				 IFNAMSIZ - 1);
			return -EINVAL;
		}
	}
	return 0;
}

/* The bridge a config names, or the default one. */
const char *sd_bridge_name(const struct hal_config *cfg)
{
	const char *b = hal_option_get(&cfg->options, "bridge");

	return b != NULL && b[0] != '\0' ? b : SD_DEFAULT_BRIDGE;
}

static int sd_open(const struct hal_params *p, struct hal **out, char *msg,
		   size_t msglen)
{
	struct hal_sd *sd;
	int ret;

	if (p->argc > 1) {
		snprintf(msg, msglen,
			 "\"%s\": the switchdev backend takes no arguments "
			 "before \"--\"",
			 p->argv[1]);
		return -EINVAL;
	}
	if (p->options.n != 0) {
		snprintf(msg, msglen,
			 "%s: the switchdev backend has no open options",
			 p->options.kv[0].key);
		return -EINVAL;
	}
	sd = calloc(1, sizeof(*sd));
	if (sd == NULL) {
		return -ENOMEM;
	}
	ret = sd_nl_open(&sd->nl);
	if (ret < 0) {
		free(sd);
		return ret;
	}
	sd->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (sd->efd < 0) {
		ret = -errno;
		sd_nl_close(&sd->nl);
		free(sd);
		return ret;
	}
	sd->cur.br_old_vf = -1;
	*out = &sd->base;
	return 0;
}

static int sd_run(struct hal *h)
{
	struct hal_sd *sd = to_sd(h);
	struct pollfd pfd = {.fd = sd->efd, .events = POLLIN};

	/* the kernel forwards: nothing to do but wait */
	while (!atomic_load(&sd->stop)) {
		if (poll(&pfd, 1, 1000) < 0 && errno != EINTR) {
			return -errno;
		}
	}
	return 0;
}

static void sd_stop(struct hal *h)
{
	struct hal_sd *sd = to_sd(h);
	uint64_t one = 1;

	atomic_store(&sd->stop, true);
	/* async-signal-safe */
	if (write(sd->efd, &one, sizeof(one)) < 0) {
		/* the counter is saturated: run wakes anyway */
	}
}

/* ---- stats ------------------------------------------------------------------ */

static int sd_port_stats(struct hal *h, unsigned port,
			 struct hal_port_stats *out)
{
	struct hal_sd *sd = to_sd(h);
	int ret = -ENOENT;

	if (port < sd->cur.n_ports) {
		ret = sd_link_stats(&sd->nl, sd->cur.ports[port].ifindex, out);
	}
	return ret;
}

int sd_flow_read(struct hal_sd *sd, size_t fi, struct sd_flow_read *r)
{
	struct sd_state *s = &sd->cur;
	struct sd_filter_stat *fs = calloc(SD_DUMP_MAX, sizeof(*fs));
	int ret = 0;

	memset(r, 0, sizeof(*r));
	r->sw_port = -1;
	if (fs == NULL) {
		return -ENOMEM;
	}
	for (unsigned p = 0; ret == 0 && p < s->n_ports; p++) {
		int ifindex = s->ports[p].ifindex;
		bool any = false;
		unsigned n = 0;

		for (size_t k = 0; !any && k < s->n_filters; k++) {
			any = s->filters[k].flow == fi &&
			      s->filters[k].ifindex == ifindex;
		}
		if (!any) {
			continue;
		}
		ret = sd_filter_dump(&sd->nl, ifindex, fs, SD_DUMP_MAX, &n);
		for (unsigned d = 0; ret == 0 && d < n; d++) {
			for (size_t k = 0; k < s->n_filters; k++) {
				const struct sd_filter *f = &s->filters[k];

				if (f->flow != fi || f->ifindex != ifindex ||
				    f->prio != fs[d].prio ||
				    f->handle != fs[d].handle) {
					continue;
				}
				r->packets += fs[d].packets;
				r->rules++;
				if (fs[d].in_hw) {
					r->in_hw++;
				} else if (r->sw_port < 0) {
					r->sw_port = (int)p;
				}
			}
		}
	}
	free(fs);
	return ret;
}

size_t sd_flow_find(const struct sd_state *s, const char *name)
{
	size_t fi;

	for (fi = 0; fi < s->n_flows; fi++) {
		if (strcmp(s->flows[fi].name, name) == 0) {
			break;
		}
	}
	return fi;
}

static int sd_flow_stats(struct hal *h, const char *name,
			 struct hal_flow_stats *out)
{
	struct hal_sd *sd = to_sd(h);
	struct sd_flow_read r;
	size_t fi;
	int ret = -ENOENT;

	fi = sd_flow_find(&sd->cur, name);
	if (fi < sd->cur.n_flows) {
		ret = sd_flow_read(sd, fi, &r);
	}
	if (ret == 0) {
		memset(out, 0, sizeof(*out));
		out->rx_total = sd->cur.flows[fi].base_rx + r.packets;
		out->tx_total = sd->cur.flows[fi].base_tx +
				r.packets * sd->cur.flows[fi].n_tx;
		out->unsupported = SD_UNSUPPORTED;
	}
	return ret;
}

static int sd_flow_status(struct hal *h, const char *name,
			  struct hal_flow_status *out)
{
	struct hal_sd *sd = to_sd(h);
	struct sd_state *s = &sd->cur;
	struct sd_flow_read r;
	size_t fi;
	int ret = -ENOENT;

	fi = sd_flow_find(s, name);
	if (fi < s->n_flows) {
		ret = sd_flow_read(sd, fi, &r);
	}
	if (ret == 0) {
		out->rules = r.rules;
		out->rules_in_hw = r.in_hw;
		if (r.rules != 0 && r.in_hw == r.rules) {
			snprintf(out->detail, sizeof(out->detail),
				 "hardware: %u tc flower rule(s), all in_hw",
				 r.rules);
		} else if (r.sw_port >= 0 && !s->ports[r.sw_port].offload) {
			snprintf(out->detail, sizeof(out->detail),
				 "software: %u of %u tc flower rule(s) in the "
				 "kernel (\"%s\" has no hw-tc-offload)",
				 r.rules - r.in_hw, r.rules,
				 s->ports[r.sw_port].dev);
		} else if (r.sw_port >= 0) {
			snprintf(out->detail, sizeof(out->detail),
				 "software: %u of %u tc flower rule(s) not in "
				 "hardware on \"%s\"",
				 r.rules - r.in_hw, r.rules,
				 s->ports[r.sw_port].dev);
		} else {
			snprintf(out->detail, sizeof(out->detail),
				 "no rule: the flow matches no port");
		}
	}
	return ret;
}

/* Idle = no port's rx counter moved; sampled at most every 20 ms. */
static int sd_idle_ns(struct hal *h, uint64_t *ns)
{
	struct hal_sd *sd = to_sd(h);
	struct timespec now;
	uint64_t rx = 0;
	int64_t since;

	clock_gettime(CLOCK_MONOTONIC, &now);
	since = (int64_t)(now.tv_sec - sd->idle_sample.tv_sec) * 1000000000 +
		(now.tv_nsec - sd->idle_sample.tv_nsec);
	if (!sd->idle_sampled || since >= 20000000) {
		for (unsigned p = 0; p < sd->cur.n_ports; p++) {
			struct hal_port_stats st;

			if (sd_link_stats(&sd->nl, sd->cur.ports[p].ifindex,
					  &st) == 0) {
				rx += st.rx_packets;
			}
		}
		if (sd->idle_sampled && rx != sd->idle_rx) {
			sd->idle_moved = true;
			sd->idle_change = now;
		}
		sd->idle_rx = rx;
		sd->idle_sample = now;
		sd->idle_sampled = true;
	}
	if (!sd->idle_moved) {
		*ns = UINT64_MAX;
	} else {
		*ns = (uint64_t)((int64_t)(now.tv_sec -
					   sd->idle_change.tv_sec) *
					 1000000000 +
				 (now.tv_nsec - sd->idle_change.tv_nsec));
	}
	return 0;
}

/* ---- close ------------------------------------------------------------------ */

static int sd_apply(struct hal *h, const struct hal_config *cfg, char *msg,
		    size_t msglen)
{
	return sd_apply_cfg(to_sd(h), cfg, msg, msglen);
}

static void sd_close(struct hal *h)
{
	struct hal_sd *sd;

	if (h == NULL) {
		return;
	}
	sd = to_sd(h);
	sd_teardown(sd);
	sd_nl_close(&sd->nl);
	close(sd->efd);
	free(sd);
}

const struct hal_class hal_switchdev_class = {
	.type = "switchdev",
	.open = sd_open,
	.close = sd_close,
	.capabilities = sd_capabilities,
	.apply = sd_apply,
	.run = sd_run,
	.stop = sd_stop,
	.port_stats = sd_port_stats,
	.flow_stats = sd_flow_stats,
	.flow_status = sd_flow_status,
	.check_options = sd_check_options,
	.idle_ns = sd_idle_ns,
};
