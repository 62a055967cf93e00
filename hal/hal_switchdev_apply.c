/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The switchdev backend's apply (see hal_switchdev.c for the model): each
 * change to the kernel is journalled with its inverse; on a failure the
 * journal is replayed newest first and the running config's rules stay.
 * Only once the whole new config is in are the old config's filters, FDB
 * entries and ports removed.
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal_switchdev.h"

/* ---- helpers -------------------------------------------------------------- */

/* msg = "<what>: <strerror>[ (kernel: <ext ack>)]"; returns err. */
int sd_fail(struct hal_sd *sd, int err, char *msg, size_t len, const char *fmt,
	    ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	n = strlen(msg);
	if (n < len) {
		snprintf(msg + n, len - n, ": %s%s%s%s%s", strerror(-err),
			 sd->nl.why[0] ? " (kernel: " : "", sd->nl.why,
			 sd->nl.why[0] ? ")" : "",
			 err == -EPERM || err == -EACCES ?
				 " (fhswd needs CAP_NET_ADMIN in this network "
				 "namespace)" :
				 "");
	}
	return err;
}

int sd_journal_add(struct sd_journal *j, const struct sd_undo *u)
{
	if (j->n == j->cap) {
		size_t cap = j->cap ? 2 * j->cap : 64;
		struct sd_undo *e = realloc(j->e, cap * sizeof(*e));

		if (e == NULL) {
			return -ENOMEM;
		}
		j->e = e;
		j->cap = cap;
	}
	j->e[j->n++] = *u;
	return 0;
}

static void journal_free(struct sd_journal *j)
{
	for (size_t i = 0; i < j->n; i++) {
		if (j->e[i].kind == U_VLANS) {
			free(j->e[i].u.vlans);
		}
	}
	free(j->e);
	j->e = NULL;
	j->n = j->cap = 0;
}

/* Take back, newest first, everything an apply did. */
static void journal_undo(struct hal_sd *sd, struct sd_journal *j)
{
	struct sd_nl *nl = &sd->nl;

	while (j->n > 0) {
		struct sd_undo *u = &j->e[--j->n];
		int ret = 0;

		switch (u->kind) {
		case U_BRIDGE_DEL:
			ret = sd_link_delete(nl, u->ifindex);
			break;
		case U_BRIDGE_SET:
			ret = sd_bridge_set(nl, u->ifindex, u->u.br.vf,
					    u->u.br.ageing);
			break;
		case U_RELEASE:
			ret = sd_link_set_master(nl, u->ifindex, 0);
			break;
		case U_MTU:
			ret = sd_link_set_mtu(nl, u->ifindex, u->u.mtu);
			break;
		case U_DOWN:
			ret = sd_link_set_up(nl, u->ifindex, false);
			break;
		case U_VLANS:
			ret = sd_port_vlans(nl, u->ifindex, u->u.vlans, NULL);
			free(u->u.vlans);
			break;
		case U_LEARNING:
			ret = sd_port_learning(nl, u->ifindex, u->u.on);
			break;
		case U_CLSACT_DEL:
			ret = sd_clsact_del(nl, u->ifindex);
			break;
		case U_FDB_DEL:
			ret = sd_fdb_del(nl, u->ifindex, u->u.fdb.mac,
					 u->u.fdb.vlan);
			break;
		case U_FDB_SET:
			ret = sd_fdb_add(nl, u->ifindex, u->u.fdb.mac,
					 u->u.fdb.vlan, true);
			break;
		case U_FILTER_DEL:
			ret = sd_filter_del(nl, u->ifindex, u->u.flt.prio,
					    u->u.flt.proto, u->u.flt.handle,
					    NULL);
			break;
		}
		if (ret < 0 && ret != -ENOENT && ret != -ENODEV) {
			SD_LOG(WARN, "undo step %d on ifindex %d: %s", u->kind,
			       u->ifindex, strerror(-ret));
		}
	}
	journal_free(j);
}

static void state_free(struct sd_state *s)
{
	free(s->flows);
	free(s->filters);
	s->flows = NULL;
	s->filters = NULL;
	s->n_flows = s->n_filters = 0;
}

int sd_filter_push(struct sd_state *s, const struct sd_filter *f)
{
	if ((s->n_filters & (s->n_filters - 1)) == 0) {
		size_t cap = s->n_filters ? 2 * s->n_filters : 1;
		struct sd_filter *n = realloc(s->filters, cap * sizeof(*n));

		if (n == NULL) {
			return -ENOMEM;
		}
		s->filters = n;
	}
	s->filters[s->n_filters++] = *f;
	return 0;
}

/* VLANs a port carries for its config (see hal_port_cfg): no list means
 * every VLAN, and then untagged frames without a native VLAN go on VLAN 1,
 * the bridge's usual default. */
static void port_vlans(const struct hal_port_cfg *pc, struct sd_vlans *v)
{
	memset(v, 0, sizeof(*v));
	if (pc->n_allowed_vlans == 0) {
		for (unsigned vid = 1; vid < 4095; vid++) {
			sd_vlan_set(v, vid);
		}
		v->pvid = pc->native_vlan ? pc->native_vlan : 1;
		return;
	}
	for (unsigned i = 0; i < pc->n_allowed_vlans; i++) {
		sd_vlan_set(v, pc->allowed_vlans[i]);
	}
	if (pc->native_vlan != 0) {
		sd_vlan_set(v, pc->native_vlan);
		v->pvid = pc->native_vlan;
	}
}

/* ---- apply: bridge and ports --------------------------------------------- */

static int bridge_apply(struct hal_sd *sd, const struct hal_config *cfg,
			struct sd_state *nx, struct sd_journal *j, char *msg,
			size_t len)
{
	struct sd_nl *nl = &sd->nl;
	uint64_t cs = (uint64_t)cfg->aging_s * 100; /* clock_t, USER_HZ */
	struct sd_link l;
	struct sd_undo u = {0};
	int ret, vf;
	uint32_t ageing;

	nx->ageing_cs = cs > UINT32_MAX ? UINT32_MAX : (uint32_t)cs;
	if (nx->br_ifindex != 0) {
		if (nx->ageing_cs == sd->cur.ageing_cs) {
			return 0;
		}
		ret = sd_bridge_set(nl, nx->br_ifindex, -1, nx->ageing_cs);
		if (ret < 0) {
			return sd_fail(sd, ret, msg, len,
				       "l2.aging_s: bridge \"%s\"", nx->bridge);
		}
		u.kind = U_BRIDGE_SET;
		u.ifindex = nx->br_ifindex;
		u.u.br.vf = -1;
		u.u.br.ageing = sd->cur.ageing_cs;
		return sd_journal_add(j, &u);
	}
	snprintf(nx->bridge, sizeof(nx->bridge), "%s", sd_bridge_name(cfg));
	ret = sd_link_get(nl, nx->bridge, &l);
	if (ret == -ENODEV) {
		ret = sd_bridge_create(nl, nx->bridge, nx->ageing_cs,
				       &nx->br_ifindex);
		if (ret < 0) {
			return sd_fail(sd, ret, msg, len,
				       "hal.bridge: cannot create \"%s\"",
				       nx->bridge);
		}
		nx->br_created = true;
		u.kind = U_BRIDGE_DEL;
		u.ifindex = nx->br_ifindex;
		ret = sd_journal_add(j, &u);
		l.up = false;
	} else if (ret == 0 && strcmp(l.kind, "bridge") != 0) {
		snprintf(msg, len,
			 "hal.bridge: \"%s\" exists and is not a bridge",
			 nx->bridge);
		return -EEXIST;
	} else if (ret == 0 && l.ours) {
		/* left by an fhswd that did not close: ours again */
		nx->br_ifindex = l.ifindex;
		nx->br_created = true;
		ret = sd_bridge_set(nl, l.ifindex, 1, nx->ageing_cs);
		if (ret < 0) {
			return sd_fail(sd, ret, msg, len, "hal.bridge: \"%s\"",
				       nx->bridge);
		}
		u.kind = U_BRIDGE_DEL;
		u.ifindex = l.ifindex;
		ret = sd_journal_add(j, &u);
	} else if (ret == 0) {
		nx->br_ifindex = l.ifindex;
		ret = sd_bridge_get(nl, l.ifindex, &vf, &ageing);
		if (ret == 0) {
			ret = sd_bridge_set(nl, l.ifindex, 1, nx->ageing_cs);
		}
		if (ret < 0) {
			return sd_fail(sd, ret, msg, len,
				       "hal.bridge: adopting \"%s\"",
				       nx->bridge);
		}
		nx->br_old_vf = vf;
		nx->br_old_ageing = ageing;
		u.kind = U_BRIDGE_SET;
		u.ifindex = l.ifindex;
		u.u.br.vf = vf;
		u.u.br.ageing = ageing;
		ret = sd_journal_add(j, &u);
	} else {
		return sd_fail(sd, ret, msg, len, "hal.bridge: \"%s\"",
			       nx->bridge);
	}
	if (ret == 0 && !l.up) {
		ret = sd_link_set_up(nl, nx->br_ifindex, true);
		if (ret < 0) {
			return sd_fail(sd, ret, msg, len,
				       "hal.bridge: \"%s\" up", nx->bridge);
		}
		nx->br_set_up = !nx->br_created;
		u.kind = U_DOWN;
		u.ifindex = nx->br_ifindex;
		ret = sd_journal_add(j, &u);
	}
	return ret;
}

/* Our filters left on a port by an earlier run that did not close. */
static void remove_stale_filters(struct hal_sd *sd, int ifindex)
{
	struct sd_filter_stat *fs = calloc(SD_DUMP_MAX, sizeof(*fs));
	unsigned n = 0;

	if (fs == NULL ||
	    sd_filter_dump(&sd->nl, ifindex, fs, SD_DUMP_MAX, &n) < 0) {
		n = 0;
	}
	for (unsigned i = 0; i < n; i++) {
		if ((fs[i].handle & 0xFFFF0000u) == SD_HANDLE_TAG &&
		    fs[i].prio >= SD_PRIO_BASE &&
		    fs[i].prio < SD_PRIO_BASE + 2 * SD_PRIO_SPAN) {
			sd_filter_del(&sd->nl, ifindex, fs[i].prio, fs[i].proto,
				      fs[i].handle, NULL);
		}
	}
	free(fs);
}

/* Bring port i of cfg into the bridge with its settings; *np holds what
 * is known of it (carried over from the running config, or fresh). */
static int port_apply(struct hal_sd *sd, const struct hal_config *cfg,
		      unsigned i, struct sd_state *nx, struct sd_port *np,
		      bool fresh, struct sd_journal *j, char *msg, size_t len)
{
	const struct hal_port_cfg *pc = &cfg->ports[i];
	struct sd_nl *nl = &sd->nl;
	struct sd_vlans want;
	struct sd_link l;
	struct sd_undo u = {.ifindex = np->ifindex};
	int ret;

	ret = sd_link_get_index(nl, np->ifindex, &l);
	if (ret < 0) {
		return sd_fail(sd, ret, msg, len, "ports[%u].device (\"%s\")",
			       i, pc->device);
	}
	if (fresh) {
		if (l.master == nx->br_ifindex) {
			np->vlans_known = false; /* adopted as it is */
		} else if (l.master != 0) {
			char name[IF_NAMESIZE];

			if (if_indextoname((unsigned)l.master, name) == NULL) {
				snprintf(name, sizeof(name), "ifindex %d",
					 l.master);
			}
			snprintf(msg, len,
				 "ports[%u].device: \"%s\" is already a port "
				 "of \"%s\"",
				 i, pc->device, name);
			return -EBUSY;
		} else {
			ret = sd_link_set_master(nl, np->ifindex,
						 nx->br_ifindex);
			if (ret < 0) {
				return sd_fail(
					sd, ret, msg, len,
					"ports[%u] (\"%s\"): joining bridge "
					"\"%s\"",
					i, pc->device, nx->bridge);
			}
			np->enslaved = true;
			/* our bridge has no default PVID: no VLAN yet */
			np->vlans_known = nx->br_created;
			u.kind = U_RELEASE;
			if ((ret = sd_journal_add(j, &u)) < 0) {
				return ret;
			}
		}
		remove_stale_filters(sd, np->ifindex);
		np->offload = sd_link_tc_offload(pc->device);
	}
	/* MTU: the configured one, or back to what it was */
	{
		unsigned want_mtu = pc->mtu ? pc->mtu : np->orig_mtu;

		if (want_mtu != 0 && want_mtu != l.mtu) {
			ret = sd_link_set_mtu(nl, np->ifindex, want_mtu);
			if (ret < 0) {
				return sd_fail(sd, ret, msg, len,
					       "ports[%u].mtu (\"%s\", %u)", i,
					       pc->device, want_mtu);
			}
			u.kind = U_MTU;
			u.u.mtu = l.mtu;
			if ((ret = sd_journal_add(j, &u)) < 0) {
				return ret;
			}
			if (np->orig_mtu == 0) {
				np->orig_mtu = l.mtu;
			}
		}
		if (pc->mtu == 0) {
			np->orig_mtu = 0;
		}
	}
	if (!l.up) {
		ret = sd_link_set_up(nl, np->ifindex, true);
		if (ret < 0) {
			return sd_fail(sd, ret, msg, len,
				       "ports[%u] (\"%s\"): up", i, pc->device);
		}
		np->set_up = true;
		u.kind = U_DOWN;
		if ((ret = sd_journal_add(j, &u)) < 0) {
			return ret;
		}
	}
	port_vlans(pc, &want);
	if (!np->vlans_known || memcmp(&want, &np->vlans, sizeof(want)) != 0) {
		ret = sd_port_vlans(nl, np->ifindex, &want,
				    np->vlans_known ? &np->vlans : NULL);
		if (ret < 0) {
			return sd_fail(sd, ret, msg, len,
				       "ports[%u] (\"%s\"): VLANs", i,
				       pc->device);
		}
		if (np->vlans_known && !fresh) {
			u.kind = U_VLANS;
			u.u.vlans = malloc(sizeof(*u.u.vlans));
			if (u.u.vlans == NULL) {
				return -ENOMEM;
			}
			*u.u.vlans = np->vlans;
			if ((ret = sd_journal_add(j, &u)) < 0) {
				free(u.u.vlans);
				return ret;
			}
		}
		np->vlans = want;
		np->vlans_known = true;
	}
	if (np->learning != (int)cfg->learning) {
		ret = sd_port_learning(nl, np->ifindex, cfg->learning);
		if (ret < 0) {
			return sd_fail(sd, ret, msg, len,
				       "ports[%u] (\"%s\"): l2.learning", i,
				       pc->device);
		}
		if (np->learning >= 0) {
			u.kind = U_LEARNING;
			u.u.on = np->learning != 0;
			if ((ret = sd_journal_add(j, &u)) < 0) {
				return ret;
			}
		}
		np->learning = cfg->learning;
	}
	if (fresh) {
		bool created;

		ret = sd_clsact_add(nl, np->ifindex, &created);
		if (ret < 0) {
			return sd_fail(sd, ret, msg, len,
				       "ports[%u] (\"%s\"): clsact qdisc", i,
				       pc->device);
		}
		np->clsact = created;
		if (created) {
			u.kind = U_CLSACT_DEL;
			if ((ret = sd_journal_add(j, &u)) < 0) {
				return ret;
			}
		}
	}
	return 0;
}

/* Every device of cfg, before anything is touched. */
static int ports_resolve(struct hal_sd *sd, const struct hal_config *cfg,
			 struct sd_state *nx, char *msg, size_t len)
{
	struct sd_link l;
	int ret;

	for (unsigned i = 0; i < cfg->n_ports; i++) {
		const char *dev = cfg->ports[i].device;

		ret = sd_link_get(&sd->nl, dev, &l);
		if (ret == -ENODEV) {
			snprintf(msg, len, "ports[%u].device: no netdev \"%s\"",
				 i, dev);
			return ret;
		}
		if (ret < 0) {
			return sd_fail(sd, ret, msg, len,
				       "ports[%u].device (\"%s\")", i, dev);
		}
		for (unsigned k = 0; k < i; k++) {
			if (nx->ports[k].ifindex == l.ifindex) {
				snprintf(msg, len,
					 "ports[%u].device: \"%s\" is already "
					 "ports[%u]",
					 i, dev, k);
				return -EINVAL;
			}
		}
		if (strcmp(dev, sd_bridge_name(cfg)) == 0 ||
		    (sd->cur.br_ifindex != 0 &&
		     l.ifindex == sd->cur.br_ifindex)) {
			snprintf(
				msg, len,
				"ports[%u].device: \"%s\" is the bridge itself",
				i, dev);
			return -EINVAL;
		}
		nx->ports[i].ifindex = l.ifindex;
	}
	return 0;
}

static int ports_apply(struct hal_sd *sd, const struct hal_config *cfg,
		       struct sd_state *nx, struct sd_journal *j, char *msg,
		       size_t len)
{
	int ret;

	nx->n_ports = cfg->n_ports;
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		struct sd_port *np = &nx->ports[i];
		int ifindex = np->ifindex;
		bool fresh = true;

		for (unsigned k = 0; k < sd->cur.n_ports; k++) {
			if (sd->cur.ports[k].ifindex == ifindex) {
				*np = sd->cur.ports[k];
				fresh = false;
			}
		}
		if (fresh) {
			memset(np, 0, sizeof(*np));
			np->ifindex = ifindex;
			np->learning = -1;
		}
		snprintf(np->dev, sizeof(np->dev), "%s", cfg->ports[i].device);
		ret = port_apply(sd, cfg, i, nx, np, fresh, j, msg, len);
		if (ret < 0) {
			return ret;
		}
	}
	return 0;
}

/* ---- apply: retiring the old config --------------------------------------- */

/* Remove s's filters; counted (if not NULL, one per flow of s) gets what
 * each flow's filters counted up to their removal. */
static void filters_remove(struct hal_sd *sd, const struct sd_state *s,
			   uint64_t *counted)
{
	for (size_t i = 0; i < s->n_filters; i++) {
		const struct sd_filter *f = &s->filters[i];
		uint64_t n = 0;
		int ret = sd_filter_del(&sd->nl, f->ifindex, f->prio, f->proto,
					f->handle, counted != NULL ? &n : NULL);

		if (counted != NULL && f->flow < s->n_flows) {
			counted[f->flow] += n;
		}

		if (ret < 0 && ret != -ENOENT && ret != -ENODEV &&
		    ret != -EINVAL) {
			SD_LOG(WARN,
			       "removing filter pref %u on ifindex %d: %s",
			       f->prio, f->ifindex, strerror(-ret));
		}
	}
}

/* Give a port back as we found it: our qdisc (if nothing else uses it),
 * bridge membership, MTU, admin state. */
static void port_retire(struct hal_sd *sd, const struct sd_port *p)
{
	struct sd_nl *nl = &sd->nl;
	unsigned left = 0;

	if (p->clsact && sd_clsact_filters(nl, p->ifindex, &left) == 0 &&
	    left == 0) {
		sd_clsact_del(nl, p->ifindex);
	}
	if (p->enslaved) {
		sd_link_set_master(nl, p->ifindex, 0);
	}
	if (p->orig_mtu != 0) {
		sd_link_set_mtu(nl, p->ifindex, p->orig_mtu);
	}
	if (p->set_up) {
		sd_link_set_up(nl, p->ifindex, false);
	}
}

static bool port_in(const struct sd_state *s, int ifindex)
{
	for (unsigned i = 0; i < s->n_ports; i++) {
		if (s->ports[i].ifindex == ifindex) {
			return true;
		}
	}
	return false;
}

/* The new config is in: remove what only the old one had.  Flows that keep
 * their name keep counting: what the old rules counted until they went
 * becomes the new rules' base. */
static void retire(struct hal_sd *sd, const struct sd_state *old,
		   struct sd_state *nx)
{
	uint64_t *counted =
		calloc(old->n_flows ? old->n_flows : 1, sizeof(*counted));

	filters_remove(sd, old, counted);
	for (size_t i = 0; i < nx->n_flows; i++) {
		size_t k = sd_flow_find(old, nx->flows[i].name);
		uint64_t n;

		if (k == old->n_flows) {
			continue;
		}
		n = counted != NULL ? counted[k] : 0;
		nx->flows[i].base_rx = old->flows[k].base_rx + n;
		nx->flows[i].base_tx =
			old->flows[k].base_tx + n * old->flows[k].n_tx;
	}
	free(counted);
	for (unsigned i = 0; i < old->n_fdb; i++) {
		const struct sd_fdb *e = &old->fdb[i];

		if (sd_fdb_find(nx, e->mac, e->vlan) == NULL) {
			sd_fdb_del(&sd->nl, e->ifindex, e->mac, e->vlan);
		}
	}
	for (unsigned i = 0; i < old->n_ports; i++) {
		if (!port_in(nx, old->ports[i].ifindex)) {
			port_retire(sd, &old->ports[i]);
		}
	}
}

int sd_apply_cfg(struct hal_sd *sd, const struct hal_config *cfg, char *msg,
		 size_t msglen)
{
	struct sd_state *nx;
	struct sd_journal j = {0};
	bool offload = cfg->n_ports != 0;
	int ret;

	ret = sd_check_flows(cfg, msg, msglen);
	if (ret < 0) {
		return ret;
	}
	if (sd->cur.br_ifindex != 0 &&
	    strcmp(sd->cur.bridge, sd_bridge_name(cfg)) != 0) {
		snprintf(
			msg, msglen,
			"hal.bridge: cannot change from \"%s\" to \"%s\" while "
			"running (restart fhswd)",
			sd->cur.bridge, sd_bridge_name(cfg));
		return -EBUSY;
	}
	nx = calloc(1, sizeof(*nx));
	if (nx == NULL) {
		return -ENOMEM;
	}
	/* the bridge itself carries over */
	memcpy(nx->bridge, sd->cur.bridge, sizeof(nx->bridge));
	nx->br_ifindex = sd->cur.br_ifindex;
	nx->br_created = sd->cur.br_created;
	nx->br_set_up = sd->cur.br_set_up;
	nx->br_old_vf = sd->cur.br_old_vf;
	nx->br_old_ageing = sd->cur.br_old_ageing;
	ret = ports_resolve(sd, cfg, nx, msg, msglen);
	if (ret == 0) {
		ret = bridge_apply(sd, cfg, nx, &j, msg, msglen);
	}
	if (ret == 0) {
		ret = ports_apply(sd, cfg, nx, &j, msg, msglen);
	}
	if (ret == 0) {
		ret = sd_fdb_apply(sd, cfg, nx, &j, msg, msglen);
	}
	if (ret == 0) {
		ret = sd_flows_apply(sd, cfg, nx, &j, msg, msglen);
	}
	if (ret < 0) {
		if (msg[0] == '\0') {
			snprintf(msg, msglen, "switchdev: %s", strerror(-ret));
		}
		journal_undo(sd, &j);
		state_free(nx);
		goto out;
	}
	journal_free(&j);
	retire(sd, &sd->cur, nx);
	state_free(&sd->cur);
	sd->cur = *nx;
	for (unsigned i = 0; i < nx->n_ports; i++) {
		offload &= nx->ports[i].offload;
	}
	atomic_store(&sd->offload, offload);
	sd->idle_moved = false;
	sd->idle_sampled = false;
out:
	free(nx);
	return ret;
}

void sd_teardown(struct hal_sd *sd)
{
	struct sd_state *s = &sd->cur;

	filters_remove(sd, s, NULL);
	for (unsigned i = 0; i < s->n_fdb; i++) {
		sd_fdb_del(&sd->nl, s->fdb[i].ifindex, s->fdb[i].mac,
			   s->fdb[i].vlan);
	}
	for (unsigned i = 0; i < s->n_ports; i++) {
		port_retire(sd, &s->ports[i]);
	}
	if (s->br_ifindex != 0) {
		if (s->br_created) {
			sd_link_delete(&sd->nl, s->br_ifindex);
		} else {
			if (s->br_old_vf >= 0) {
				sd_bridge_set(&sd->nl, s->br_ifindex,
					      s->br_old_vf, s->br_old_ageing);
			}
			if (s->br_set_up) {
				sd_link_set_up(&sd->nl, s->br_ifindex, false);
			}
		}
	}
	state_free(s);
	memset(s, 0, sizeof(*s));
	s->br_old_vf = -1;
}
