/* SPDX-License-Identifier: Apache-2.0 */
/* The HAL dispatcher: registry by backend name, argument checks, NULL op
 * -> -EOPNOTSUPP. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hal_provider.h"

static const struct hal_class *const classes[] = {
	&hal_dpdk_class,
	&hal_switchdev_class,
};

int hal_open(const struct hal_params *p, struct hal **out)
{
	const char *type;

	if (p == NULL || out == NULL) {
		return -EINVAL;
	}
	type = p->backend && p->backend[0] ? p->backend : "dpdk";
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (strcmp(classes[i]->type, type) == 0) {
			int ret = classes[i]->open(p, out);

			if (ret == 0) {
				(*out)->cls = classes[i];
				(*out)->n_ports = 0;
			}
			return ret;
		}
	}
	return -ENOENT;
}

void hal_close(struct hal *h)
{
	if (h != NULL) {
		h->cls->close(h);
	}
}

void hal_capabilities(const struct hal *h, struct hal_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	if (h != NULL) {
		h->cls->capabilities(h, caps);
	}
}

int hal_check(const struct hal *h, const struct hal_config *cfg, char *msg,
	      size_t msglen)
{
	struct hal_caps c;

	if (h == NULL || cfg == NULL) {
		return -EINVAL;
	}
	hal_capabilities(h, &c);
	if (cfg->n_ports > c.max_ports) {
		snprintf(msg, msglen, "ports: %u ports, backend %s has %u",
			 cfg->n_ports, h->cls->type, c.max_ports);
		return -EOPNOTSUPP;
	}
	if (cfg->n_flows > c.max_flows) {
		snprintf(msg, msglen, "flows: %zu flows, backend %s has %u",
			 cfg->n_flows, h->cls->type, c.max_flows);
		return -EOPNOTSUPP;
	}
	for (size_t i = 0; i < cfg->n_flows; i++) {
		const struct fh_flow *f = &cfg->flows[i];
		const char *miss = NULL;

		if (f->match.eaxc_mask != 0 && !c.match_eaxc) {
			miss = "match on eAxC";
		} else if (f->match.plane != FH_PLANE_ANY && !c.match_plane) {
			miss = "match on plane";
		} else if (f->match.direction != FH_DIRECTION_ANY &&
			   !c.match_direction) {
			miss = "match on direction";
		} else if (f->match.udp_port != 0 && !c.match_udp) {
			miss = "match on UDP port";
		} else if ((f->action.has_set_eaxc_id ||
			    f->action.has_translate) &&
			   !c.act_set_eaxc) {
			miss = "eAxC rewrite";
		} else if (f->action.n_out_ports > 1 && !c.act_replicate) {
			miss = "replication to several ports";
		} else if (f->window.enabled && !c.window_check) {
			miss = "window check";
		} else if ((f->action.has_set_src_mac ||
			    f->action.has_set_dst_mac) &&
			   !c.act_set_mac) {
			miss = "MAC rewrite";
		}
		if (miss != NULL) {
			snprintf(msg, msglen,
				 "flows[%zu] (\"%s\"): backend %s cannot do %s",
				 i, f->name, h->cls->type, miss);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

int hal_apply(struct hal *h, const struct hal_config *cfg, char *msg,
	      size_t msglen)
{
	int ret;

	if (h == NULL || cfg == NULL || msg == NULL) {
		return -EINVAL;
	}
	msg[0] = '\0';
	ret = hal_check(h, cfg, msg, msglen);
	if (ret < 0) {
		return ret;
	}
	ret = h->cls->apply(h, cfg, msg, msglen);
	if (ret == 0) {
		h->n_ports = cfg->n_ports;
	}
	return ret;
}

int hal_run(struct hal *h)
{
	return h == NULL ? -EINVAL : h->cls->run(h);
}

void hal_stop(struct hal *h)
{
	if (h != NULL) {
		h->cls->stop(h);
	}
}

int hal_port_stats(struct hal *h, unsigned port, struct hal_port_stats *out)
{
	if (h == NULL || out == NULL) {
		return -EINVAL;
	}
	if (port >= h->n_ports) {
		return -ENOENT;
	}
	return h->cls->port_stats(h, port, out);
}

int hal_flow_stats(struct hal *h, const char *name, struct hal_flow_stats *out)
{
	if (h == NULL || name == NULL || out == NULL) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	return h->cls->flow_stats(h, name, out);
}

int hal_flow_status(struct hal *h, const char *name,
		    struct hal_flow_status *out)
{
	if (h == NULL || name == NULL || out == NULL) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	return h->cls->flow_status(h, name, out);
}

const char *hal_counter_name(uint32_t bit)
{
	static const char *const names[HAL_CTR_COUNT] = {
		"rx_total",   "rx_on_time",   "rx_early", "rx_late",
		"rx_corrupt", "rx_seqid_err", "tx_total",
	};

	for (unsigned i = 0; i < HAL_CTR_COUNT; i++) {
		if (bit == 1u << i) {
			return names[i];
		}
	}
	return NULL;
}

uint64_t hal_counter_value(const struct hal_flow_stats *s, uint32_t bit)
{
	switch (bit) {
	case HAL_CTR_RX_TOTAL:
		return s->rx_total;
	case HAL_CTR_RX_ON_TIME:
		return s->rx_on_time;
	case HAL_CTR_RX_EARLY:
		return s->rx_early;
	case HAL_CTR_RX_LATE:
		return s->rx_late;
	case HAL_CTR_RX_CORRUPT:
		return s->rx_corrupt;
	case HAL_CTR_RX_SEQID_ERR:
		return s->rx_seqid_err;
	case HAL_CTR_TX_TOTAL:
		return s->tx_total;
	default:
		return 0;
	}
}

int hal_l2_stats(struct hal *h, struct hal_l2_stats *out)
{
	if (h == NULL || out == NULL) {
		return -EINVAL;
	}
	if (h->cls->l2_stats == NULL) {
		return -EOPNOTSUPP;
	}
	return h->cls->l2_stats(h, out);
}

int hal_idle_ns(struct hal *h, uint64_t *ns)
{
	if (h == NULL || ns == NULL) {
		return -EINVAL;
	}
	if (h->cls->idle_ns == NULL) {
		return -EOPNOTSUPP;
	}
	return h->cls->idle_ns(h, ns);
}

int hal_inject(struct hal *h, unsigned port, const char *pcap_path,
	       unsigned count)
{
	if (h == NULL || pcap_path == NULL) {
		return -EINVAL;
	}
	if (port >= h->n_ports) {
		return -ENOENT;
	}
	if (h->cls->inject == NULL) {
		return -EOPNOTSUPP;
	}
	return h->cls->inject(h, port, pcap_path, count);
}

int hal_residence(struct hal *h, uint64_t counts[64], uint64_t *hz)
{
	if (h == NULL || counts == NULL || hz == NULL) {
		return -EINVAL;
	}
	if (h->cls->residence == NULL) {
		return -EOPNOTSUPP;
	}
	return h->cls->residence(h, counts, hz);
}
