/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The switchdev backend's apply, L2 table and flow rules: the flows a
 * kernel can offload (sd_check_flows), static FDB entries and tc flower
 * rules (one per in-port, and per tagged / untagged variant when any VLAN
 * matches), priorities in rank order as the DPDK data path matches them.
 * Each change is journalled for hal_switchdev_apply.c to undo.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal_switchdev.h"

/* ---- apply: checks --------------------------------------------------------- */

int sd_check_flows(const struct hal_config *cfg, char *msg, size_t len)
{
	struct fh_flow_table *t;
	struct fh_err ferr;
	size_t tie;
	int ret;

	for (size_t i = 0; i < cfg->n_flows; i++) {
		const struct fh_flow *f = &cfg->flows[i];

		/* tc vlan modify always writes a VID */
		if (f->action.has_set_pcp && f->action.set_vlan_id == 0 &&
		    f->match.vlan_id == 0) {
			snprintf(
				msg, len,
				"flows[%zu] (\"%s\"): backend switchdev cannot "
				"do PCP rewrite of frames of any VLAN (give "
				"match.vlan_id or action.set_vlan_id)",
				i, f->name);
			return -EOPNOTSUPP;
		}
	}
	/* the same precedence rules as the DPDK data path */
	t = malloc(fh_flow_table_size(cfg->n_flows));
	if (t == NULL) {
		return -ENOMEM;
	}
	ret = fh_flow_table_build(t, cfg->flows, cfg->n_flows, &tie, &ferr);
	free(t);
	if (ret < 0) {
		snprintf(msg, len,
			 "flows[%zu]: overlaps flows[%zu] with the same "
			 "specificity",
			 ferr.offset, tie);
	}
	return ret;
}

/* ---- apply: FDB and flows -------------------------------------------------- */

const struct sd_fdb *sd_fdb_find(const struct sd_state *s, const uint8_t mac[6],
				 uint16_t vlan)
{
	for (unsigned i = 0; i < s->n_fdb; i++) {
		if (s->fdb[i].vlan == vlan &&
		    memcmp(s->fdb[i].mac, mac, 6) == 0) {
			return &s->fdb[i];
		}
	}
	return NULL;
}

/* A static entry fhswd did not have: added, or taken over when it is
 * already there.  A learned entry yields; a static one on the same port
 * (left by an fhswd that did not close) is adopted, *added false; one on
 * another port is someone else's. */
static int fdb_new(struct hal_sd *sd, const struct sd_state *nx, unsigned i,
		   const struct sd_fdb *ne, bool *added, char *msg, size_t len)
{
	struct sd_nl *nl = &sd->nl;
	const uint8_t *m = ne->mac;
	bool is_static;
	int ret, at;

	*added = true;
	if (ne->vlan == 0) {
		/* every VLAN of the port */
		ret = sd_fdb_add(nl, ne->ifindex, m, 0, true);
	} else {
		ret = sd_fdb_add(nl, ne->ifindex, m, ne->vlan, false);
		if (ret == -EEXIST &&
		    sd_fdb_get(nl, nx->br_ifindex, m, ne->vlan, &at,
			       &is_static) == 0 &&
		    is_static) {
			if (at == ne->ifindex) {
				*added = false;
				return 0;
			}
			snprintf(msg, len,
				 "l2.static_fdb[%u]: %02x:%02x:%02x:%02x:%02x:"
				 "%02x VLAN %u is already a static entry of "
				 "bridge \"%s\" on another port",
				 i, m[0], m[1], m[2], m[3], m[4], m[5],
				 ne->vlan, nx->bridge);
			return -EEXIST;
		}
		if (ret == -EEXIST) {
			ret = sd_fdb_add(nl, ne->ifindex, m, ne->vlan, true);
		}
	}
	if (ret < 0) {
		return sd_fail(sd, ret, msg, len, "l2.static_fdb[%u]", i);
	}
	return 0;
}

int sd_fdb_apply(struct hal_sd *sd, const struct hal_config *cfg,
		 struct sd_state *nx, struct sd_journal *j, char *msg,
		 size_t len)
{
	int ret;

	nx->n_fdb = 0;
	for (unsigned i = 0; i < cfg->n_fdb; i++) {
		const struct hal_fdb_entry *e = &cfg->fdb[i];
		const struct sd_fdb *old =
			sd_fdb_find(&sd->cur, e->mac, e->vlan);
		struct sd_fdb *ne = &nx->fdb[nx->n_fdb++];
		struct sd_undo u = {.kind = U_FDB_DEL};
		bool added = true;

		memcpy(ne->mac, e->mac, 6);
		ne->vlan = e->vlan;
		ne->ifindex = nx->ports[e->port].ifindex;
		if (old != NULL && old->ifindex == ne->ifindex) {
			continue;
		}
		if (old != NULL) {
			/* ours, moving to another port */
			ret = sd_fdb_add(&sd->nl, ne->ifindex, e->mac, e->vlan,
					 true);
			if (ret < 0) {
				return sd_fail(sd, ret, msg, len,
					       "l2.static_fdb[%u]", i);
			}
			u.kind = U_FDB_SET;
			u.ifindex = old->ifindex;
		} else {
			ret = fdb_new(sd, nx, i, ne, &added, msg, len);
			if (ret < 0) {
				return ret;
			}
			u.ifindex = ne->ifindex;
		}
		memcpy(u.u.fdb.mac, e->mac, 6);
		u.u.fdb.vlan = e->vlan;
		if (added && (ret = sd_journal_add(j, &u)) < 0) {
			return ret;
		}
	}
	return 0;
}

/* Flow indices, most specific first (stable). */
static void rank_order(const struct hal_config *cfg, uint32_t *order)
{
	for (size_t i = 0; i < cfg->n_flows; i++) {
		uint32_t r = fh_flow_rank(&cfg->flows[i].match);
		size_t k = i;

		while (k > 0 &&
		       fh_flow_rank(&cfg->flows[order[k - 1]].match) < r) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = (uint32_t)i;
	}
}

/* Filters fhswitch did not create at the priorities generation gen uses,
 * port by port: proto[p][k] is the protocol of the one at that range's
 * priority k, 0 if none. */
struct sd_foreign {
	uint16_t proto[HAL_MAX_PORTS][SD_PRIO_SPAN];
};

static int foreign_scan(struct hal_sd *sd, const struct sd_state *nx,
			struct sd_foreign *fo)
{
	struct sd_filter_stat *fs = calloc(SD_DUMP_MAX, sizeof(*fs));
	unsigned lo = SD_PRIO_BASE + nx->gen * SD_PRIO_SPAN;
	int ret = 0;

	if (fs == NULL) {
		return -ENOMEM;
	}
	for (unsigned p = 0; ret == 0 && p < nx->n_ports; p++) {
		unsigned n = 0;

		ret = sd_filter_dump(&sd->nl, nx->ports[p].ifindex, fs,
				     SD_DUMP_MAX, &n);
		for (unsigned i = 0; ret == 0 && i < n; i++) {
			unsigned k = fs[i].prio - lo;

			/* handle 0: the priority's own entry in a dump */
			if (fs[i].prio < lo || k >= SD_PRIO_SPAN ||
			    fs[i].handle == 0 ||
			    (fs[i].handle & 0xFFFF0000u) == SD_HANDLE_TAG) {
				continue;
			}
			fo->proto[p][k] = fs[i].proto ? fs[i].proto : 0xffff;
		}
	}
	free(fs);
	return ret;
}

/* The protocol of someone else's filter at prio on port p, 0 if none. */
static uint16_t foreign_at(const struct sd_foreign *fo,
			   const struct sd_state *nx, unsigned p, unsigned prio)
{
	unsigned k = prio - (SD_PRIO_BASE + nx->gen * SD_PRIO_SPAN);

	return k < SD_PRIO_SPAN ? fo->proto[p][k] : 0;
}

int sd_flows_apply(struct hal_sd *sd, const struct hal_config *cfg,
		   struct sd_state *nx, struct sd_journal *j, char *msg,
		   size_t len)
{
	struct sd_foreign *fo = calloc(1, sizeof(*fo));
	uint32_t *order =
		calloc(cfg->n_flows ? cfg->n_flows : 1, sizeof(*order));
	int ret = 0;

	nx->flows = calloc(cfg->n_flows ? cfg->n_flows : 1, sizeof(*nx->flows));
	if (order == NULL || nx->flows == NULL || fo == NULL) {
		free(order);
		free(fo);
		return -ENOMEM;
	}
	nx->n_flows = cfg->n_flows;
	nx->gen = sd->cur.br_ifindex != 0 ? sd->cur.gen ^ 1 : 0;
	rank_order(cfg, order);
	ret = foreign_scan(sd, nx, fo);
	if (ret < 0) {
		ret = sd_fail(sd, ret, msg, len, "reading the ports' filters");
	}
	for (size_t pos = 0; ret == 0 && pos < cfg->n_flows; pos++) {
		uint32_t fi = order[pos];
		const struct fh_flow *f = &cfg->flows[fi];
		const struct fh_flow_action *a = &f->action;
		bool rewrite = a->set_vlan_id != 0 || a->has_set_pcp;

		snprintf(nx->flows[fi].name, sizeof(nx->flows[fi].name), "%s",
			 f->name);
		nx->flows[fi].n_tx = a->drop ? 0 : a->n_out_ports;
		for (unsigned p = 0; ret == 0 && p < nx->n_ports; p++) {
			if (f->match.in_port != FH_PORT_ANY &&
			    f->match.in_port != p) {
				continue;
			}
			/* tagged always; untagged too when any VLAN and any
			 * PCP match */
			int variants =
				f->match.vlan_id || f->match.has_pcp ? 1 : 2;

			for (int v = 0; ret == 0 && v < variants; v++) {
				struct sd_flower fl = {0};
				struct sd_filter sf;
				struct sd_undo u = {.kind = U_FILTER_DEL};

				fl.ifindex = nx->ports[p].ifindex;
				fl.prio = (uint16_t)(SD_PRIO_BASE +
						     nx->gen * SD_PRIO_SPAN +
						     2 * pos + (unsigned)v);
				fl.handle = SD_HANDLE_TAG | fl.prio;
				fl.tagged = v == 0;
				fl.vlan_id = f->match.vlan_id;
				fl.match_pcp = f->match.has_pcp;
				fl.vlan_prio = f->match.pcp;
				fl.vlan_pop = fl.tagged && a->pop_vlan;
				fl.src_mac = f->match.has_src_mac ?
						     f->match.src_mac :
						     NULL;
				fl.dst_mac = f->match.has_dst_mac ?
						     f->match.dst_mac :
						     NULL;
				fl.skip_sw = nx->ports[p].offload;
				fl.set_dst_mac = a->has_set_dst_mac ?
							 a->set_dst_mac :
							 NULL;
				fl.set_src_mac = a->has_set_src_mac ?
							 a->set_src_mac :
							 NULL;
				fl.vlan_modify = fl.tagged && rewrite;
				fl.vlan_push = !fl.tagged && rewrite;
				fl.set_vid = a->set_vlan_id;
				if (fl.vlan_modify && fl.set_vid == 0) {
					fl.set_vid = f->match.vlan_id;
				}
				fl.set_pcp = a->has_set_pcp;
				fl.pcp = a->set_pcp;
				fl.n_out = a->drop ? 0 : a->n_out_ports;
				for (unsigned o = 0; o < fl.n_out; o++) {
					fl.out_ifindex[o] =
						nx->ports[a->out_ports[o]]
							.ifindex;
				}
				fl.drop = a->drop;
				if (foreign_at(fo, nx, p, fl.prio) != 0) {
					snprintf(msg, len,
						 "flows[%u] (\"%s\"): tc "
						 "flower on "
						 "\"%s\": priority %u is taken "
						 "by "
						 "a filter fhswitch did not "
						 "create (protocol 0x%04x); "
						 "remove it or keep it out of "
						 "priorities %u..%u",
						 fi, f->name, nx->ports[p].dev,
						 fl.prio,
						 foreign_at(fo, nx, p, fl.prio),
						 SD_PRIO_BASE,
						 SD_PRIO_BASE +
							 2 * SD_PRIO_SPAN - 1);
					ret = -EEXIST;
					break;
				}
				ret = sd_flower_add(&sd->nl, &fl);
				if (ret < 0) {
					ret = sd_fail(
						sd, ret, msg, len,
						"flows[%u] (\"%s\"): tc "
						"flower on \"%s\"%s",
						fi, f->name, nx->ports[p].dev,
						fl.skip_sw ? " (skip_sw)" : "");
					break;
				}
				sf.ifindex = fl.ifindex;
				sf.prio = fl.prio;
				sf.proto =
					fl.tagged ? 0x8100 : SD_ECPRI_ETHERTYPE;
				sf.handle = fl.handle;
				sf.flow = fi;
				u.ifindex = sf.ifindex;
				u.u.flt.prio = sf.prio;
				u.u.flt.proto = sf.proto;
				u.u.flt.handle = sf.handle;
				ret = sd_journal_add(j, &u);
				if (ret == 0) {
					ret = sd_filter_push(nx, &sf);
				}
			}
		}
	}
	free(order);
	free(fo);
	return ret;
}
