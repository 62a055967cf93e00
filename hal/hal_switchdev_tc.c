/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The switchdev backend's tc primitives (hal_switchdev.h): clsact as a
 * generic libnl qdisc, flower filters with pedit / vlan / skbedit /
 * mirred / gact actions built through libnl's message API, and a raw
 * filter dump for what libnl 3.7 does not parse (action counters, the
 * in_hw flag).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <linux/gen_stats.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_gact.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/tc_act/tc_pedit.h>
#include <linux/tc_act/tc_skbedit.h>
#include <linux/tc_act/tc_vlan.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/classifier.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>

#include "hal_switchdev.h"

#define EGRESS_PARENT 0xFFFFFFF3u /* TC_H_MAKE(TC_H_CLSACT, MIN_EGRESS) */

/* ---- tc: clsact, flower ------------------------------------------------- */

static struct rtnl_qdisc *clsact(int ifindex)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();

	if (q != NULL) {
		rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
		rtnl_tc_set_parent(TC_CAST(q), TC_H_CLSACT);
		rtnl_tc_set_handle(TC_CAST(q), TC_H_MAKE(TC_H_CLSACT, 0));
		if (rtnl_tc_set_kind(TC_CAST(q), "clsact") < 0) {
			rtnl_qdisc_put(q);
			q = NULL;
		}
	}
	return q;
}

int sd_clsact_add(struct sd_nl *nl, int ifindex, bool *created)
{
	struct rtnl_qdisc *q = clsact(ifindex);
	int err;

	if (q == NULL) {
		return -ENOMEM;
	}
	sd_nl_begin(nl);
	err = sd_nl_done(nl,
			 rtnl_qdisc_add(nl->sk, q, NLM_F_CREATE | NLM_F_EXCL));
	rtnl_qdisc_put(q);
	*created = err == 0;
	return err == -EEXIST ? 0 : err;
}

int sd_clsact_del(struct sd_nl *nl, int ifindex)
{
	struct rtnl_qdisc *q = clsact(ifindex);
	int err;

	if (q == NULL) {
		return -ENOMEM;
	}
	sd_nl_begin(nl);
	err = sd_nl_done(nl, rtnl_qdisc_delete(nl->sk, q));
	rtnl_qdisc_put(q);
	return err;
}

/*
 * Flower filters are built as raw messages through libnl's nlmsg API:
 * libnl 3.7 has no pedit action (MAC rewrite) and cannot take one from
 * outside, and one builder for every rule keeps the attribute layout in
 * one place.  Layout as iproute2's tc writes it.
 */

/* Open action number *order of kind in the TCA_FLOWER_ACT nest; its
 * TCA_ACT_OPTIONS nest is returned open. */
static struct nlattr *act_open(struct nl_msg *m, int *order, const char *kind,
			       struct nlattr **act)
{
	struct nlattr *opts;

	*act = nla_nest_start(m, ++*order);
	if (*act == NULL || nla_put_string(m, TCA_ACT_KIND, kind) < 0) {
		return NULL;
	}
	opts = nla_nest_start(m, TCA_ACT_OPTIONS);
	return opts;
}

static void act_close(struct nl_msg *m, struct nlattr *opts, struct nlattr *act)
{
	nla_nest_end(m, opts);
	nla_nest_end(m, act);
}

/* pedit keys that set bytes [at, at + 6) of the Ethernet header to mac:
 * 32-bit words, new = (old & mask) ^ val. */
struct pedit_words {
	struct tc_pedit_key key[3];
	unsigned n;
};

static void pedit_mac(struct pedit_words *w, unsigned at, const uint8_t *mac)
{
	for (unsigned b = 0; b < 6; b++) {
		unsigned off = (at + b) & ~3u, k;
		uint8_t *val, *mask;

		for (k = 0; k < w->n && w->key[k].off != off; k++) {
		}
		if (k == w->n) {
			memset(&w->key[k], 0, sizeof(w->key[k]));
			w->key[k].off = off;
			w->key[k].mask = 0xffffffffu;
			w->n++;
		}
		val = (uint8_t *)&w->key[k].val;
		mask = (uint8_t *)&w->key[k].mask;
		val[(at + b) & 3] = mac[b];
		mask[(at + b) & 3] = 0;
	}
}

static int put_pedit(struct nl_msg *m, int *order, const struct sd_flower *f)
{
	uint8_t p[sizeof(struct tc_pedit_sel) +
		  3 * sizeof(struct tc_pedit_key)];
	struct tc_pedit_sel sel;
	struct pedit_words w = {.n = 0};
	struct nlattr *act, *opts, *kex, *one;

	if (f->set_dst_mac != NULL) {
		pedit_mac(&w, 0, f->set_dst_mac);
	}
	if (f->set_src_mac != NULL) {
		pedit_mac(&w, 6, f->set_src_mac);
	}
	memset(&sel, 0, sizeof(sel));
	sel.action = TC_ACT_PIPE;
	sel.nkeys = (unsigned char)w.n;
	memcpy(p, &sel, sizeof(sel));
	memcpy(p + sizeof(sel), w.key, w.n * sizeof(w.key[0]));
	opts = act_open(m, order, "pedit", &act);
	if (opts == NULL ||
	    nla_put(m, TCA_PEDIT_PARMS_EX,
		    (int)(sizeof(sel) + w.n * sizeof(w.key[0])), p) < 0 ||
	    (kex = nla_nest_start(m, TCA_PEDIT_KEYS_EX)) == NULL) {
		return -NLE_NOMEM;
	}
	for (unsigned k = 0; k < w.n; k++) {
		one = nla_nest_start(m, TCA_PEDIT_KEY_EX);
		if (one == NULL ||
		    nla_put_u16(m, TCA_PEDIT_KEY_EX_HTYPE,
				TCA_PEDIT_KEY_EX_HDR_TYPE_ETH) < 0 ||
		    nla_put_u16(m, TCA_PEDIT_KEY_EX_CMD,
				TCA_PEDIT_KEY_EX_CMD_SET) < 0) {
			return -NLE_NOMEM;
		}
		nla_nest_end(m, one);
	}
	nla_nest_end(m, kex);
	act_close(m, opts, act);
	return 0;
}

static int put_vlan(struct nl_msg *m, int *order, const struct sd_flower *f)
{
	struct tc_vlan v = {.action = TC_ACT_PIPE};
	struct nlattr *act, *opts = act_open(m, order, "vlan", &act);

	if (f->vlan_pop) {
		v.v_action = TCA_VLAN_ACT_POP;
		if (opts == NULL ||
		    nla_put(m, TCA_VLAN_PARMS, sizeof(v), &v) < 0) {
			return -NLE_NOMEM;
		}
		act_close(m, opts, act);
		return 0;
	}
	v.v_action = f->vlan_push ? TCA_VLAN_ACT_PUSH : TCA_VLAN_ACT_MODIFY;
	if (opts == NULL || nla_put(m, TCA_VLAN_PARMS, sizeof(v), &v) < 0 ||
	    nla_put_u16(m, TCA_VLAN_PUSH_VLAN_ID, f->set_vid) < 0 ||
	    nla_put_u16(m, TCA_VLAN_PUSH_VLAN_PROTOCOL, htons(ETH_P_8021Q)) <
		    0 ||
	    (f->set_pcp &&
	     nla_put_u8(m, TCA_VLAN_PUSH_VLAN_PRIORITY, f->pcp) < 0)) {
		return -NLE_NOMEM;
	}
	act_close(m, opts, act);
	return 0;
}

/* The egress priority follows a remarked PCP (an ASIC's traffic class). */
static int put_skbedit(struct nl_msg *m, int *order, const struct sd_flower *f)
{
	struct tc_skbedit e = {.action = TC_ACT_PIPE};
	struct nlattr *act, *opts = act_open(m, order, "skbedit", &act);

	if (opts == NULL || nla_put(m, TCA_SKBEDIT_PARMS, sizeof(e), &e) < 0 ||
	    nla_put_u32(m, TCA_SKBEDIT_PRIORITY, f->pcp) < 0) {
		return -NLE_NOMEM;
	}
	act_close(m, opts, act);
	return 0;
}

static int put_mirred(struct nl_msg *m, int *order, int ifindex, bool last)
{
	struct tc_mirred r = {.action = last ? TC_ACT_STOLEN : TC_ACT_PIPE};
	struct nlattr *act, *opts = act_open(m, order, "mirred", &act);

	r.eaction = last ? TCA_EGRESS_REDIR : TCA_EGRESS_MIRROR;
	r.ifindex = (uint32_t)ifindex;
	if (opts == NULL || nla_put(m, TCA_MIRRED_PARMS, sizeof(r), &r) < 0) {
		return -NLE_NOMEM;
	}
	act_close(m, opts, act);
	return 0;
}

static int put_drop(struct nl_msg *m, int *order)
{
	struct tc_gact g = {.action = TC_ACT_SHOT};
	struct nlattr *act, *opts = act_open(m, order, "gact", &act);

	if (opts == NULL || nla_put(m, TCA_GACT_PARMS, sizeof(g), &g) < 0) {
		return -NLE_NOMEM;
	}
	act_close(m, opts, act);
	return 0;
}

/* Actions in this order: pedit, vlan (push, modify or pop), skbedit,
 * mirred..., gact. */
static int flower_actions(struct nl_msg *m, const struct sd_flower *f)
{
	struct nlattr *acts = nla_nest_start(m, TCA_FLOWER_ACT);
	int order = 0, err = acts == NULL ? -NLE_NOMEM : 0;

	if (err == 0 && (f->set_src_mac != NULL || f->set_dst_mac != NULL)) {
		err = put_pedit(m, &order, f);
	}
	if (err == 0 && (f->vlan_push || f->vlan_modify || f->vlan_pop)) {
		err = put_vlan(m, &order, f);
	}
	/* in hardware the ASIC's own QoS follows the rewritten PCP, and not
	 * every driver offloads a priority action */
	if (err == 0 && f->set_pcp && !f->skip_sw) {
		err = put_skbedit(m, &order, f);
	}
	for (unsigned i = 0; err == 0 && i < f->n_out; i++) {
		err = put_mirred(m, &order, f->out_ifindex[i],
				 i + 1 == f->n_out);
	}
	if (err == 0 && f->drop) {
		err = put_drop(m, &order);
	}
	if (err == 0) {
		nla_nest_end(m, acts);
	}
	return err;
}

static int put_mac(struct nl_msg *m, int key, int mask, const uint8_t *mac)
{
	static const uint8_t ones[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

	if (mac == NULL) {
		return 0;
	}
	if (nla_put(m, key, 6, mac) < 0 || nla_put(m, mask, 6, ones) < 0) {
		return -NLE_NOMEM;
	}
	return 0;
}

int sd_flower_add(struct sd_nl *nl, const struct sd_flower *f)
{
	uint16_t proto = f->tagged ? ETH_P_8021Q : SD_ECPRI_ETHERTYPE;
	struct tcmsg t = {
		.tcm_family = AF_UNSPEC,
		.tcm_ifindex = f->ifindex,
		.tcm_handle = f->handle,
		.tcm_parent = SD_INGRESS_PARENT,
		.tcm_info = TC_H_MAKE((uint32_t)f->prio << 16, htons(proto)),
	};
	struct nl_msg *m = sd_nl_msg(RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL,
				     &t, sizeof(t));
	struct nlattr *opts;
	int err = 0;

	if (m == NULL) {
		return -ENOMEM;
	}
	if (nla_put_string(m, TCA_KIND, "flower") < 0 ||
	    (opts = nla_nest_start(m, TCA_OPTIONS)) == NULL ||
	    nla_put_u16(m, TCA_FLOWER_KEY_ETH_TYPE, htons(proto)) < 0) {
		err = -NLE_NOMEM;
	}
	if (err == 0 && f->tagged) {
		if ((f->vlan_id != 0 &&
		     nla_put_u16(m, TCA_FLOWER_KEY_VLAN_ID, f->vlan_id) < 0) ||
		    (f->match_pcp && nla_put_u8(m, TCA_FLOWER_KEY_VLAN_PRIO,
						f->vlan_prio) < 0) ||
		    nla_put_u16(m, TCA_FLOWER_KEY_VLAN_ETH_TYPE,
				htons(SD_ECPRI_ETHERTYPE)) < 0) {
			err = -NLE_NOMEM;
		}
	}
	if (err == 0) {
		err = put_mac(m, TCA_FLOWER_KEY_ETH_SRC,
			      TCA_FLOWER_KEY_ETH_SRC_MASK, f->src_mac);
	}
	if (err == 0) {
		err = put_mac(m, TCA_FLOWER_KEY_ETH_DST,
			      TCA_FLOWER_KEY_ETH_DST_MASK, f->dst_mac);
	}
	if (err == 0 &&
	    nla_put_u32(m, TCA_FLOWER_FLAGS,
			f->skip_sw ? TCA_CLS_FLAGS_SKIP_SW : 0) < 0) {
		err = -NLE_NOMEM;
	}
	if (err == 0) {
		err = flower_actions(m, f);
	}
	if (err < 0) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	nla_nest_end(m, opts);
	sd_nl_begin(nl);
	err = nl_send_sync(nl->sk, m);
	return sd_nl_done(nl, err);
}

struct dump {
	struct sd_filter_stat *out;
	unsigned max, n;
};

/* Counters of a flower filter's first action: every frame that matched
 * went through it. */
static void flower_stats(struct nlattr *opts, struct sd_filter_stat *s)
{
	struct nlattr *fl[TCA_FLOWER_MAX + 1], *acts[TCA_ACT_MAX_PRIO + 1];
	struct nlattr *a[TCA_ACT_MAX + 1], *st[TCA_STATS_MAX + 1];

	if (nla_parse_nested(fl, TCA_FLOWER_MAX, opts, NULL) < 0) {
		return;
	}
	if (fl[TCA_FLOWER_FLAGS] != NULL) {
		s->in_hw = (nla_get_u32(fl[TCA_FLOWER_FLAGS]) &
			    TCA_CLS_FLAGS_IN_HW) != 0;
	}
	if (fl[TCA_FLOWER_ACT] == NULL ||
	    nla_parse_nested(acts, TCA_ACT_MAX_PRIO, fl[TCA_FLOWER_ACT], NULL) <
		    0 ||
	    acts[1] == NULL ||
	    nla_parse_nested(a, TCA_ACT_MAX, acts[1], NULL) < 0 ||
	    a[TCA_ACT_STATS] == NULL ||
	    nla_parse_nested(st, TCA_STATS_MAX, a[TCA_ACT_STATS], NULL) < 0) {
		return;
	}
	if (st[TCA_STATS_BASIC] != NULL) {
		struct gnet_stats_basic b = {0};
		size_t len = (size_t)nla_len(st[TCA_STATS_BASIC]);

		memcpy(&b, nla_data(st[TCA_STATS_BASIC]),
		       len < sizeof(b) ? len : sizeof(b));
		s->bytes = b.bytes;
		s->packets = b.packets;
	}
	if (st[TCA_STATS_PKT64] != NULL) {
		s->packets = nla_get_u64(st[TCA_STATS_PKT64]);
	}
}

static int parse_filter(struct nl_msg *msg, void *arg)
{
	struct dump *d = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct tcmsg *t = nlmsg_data(h);
	struct nlattr *tb[TCA_MAX + 1];
	struct sd_filter_stat *s;

	if (d->n >= d->max) {
		d->n++;
		return NL_OK;
	}
	s = &d->out[d->n++];
	memset(s, 0, sizeof(*s));
	s->prio = (uint16_t)(TC_H_MAJ(t->tcm_info) >> 16);
	s->proto = ntohs((uint16_t)TC_H_MIN(t->tcm_info));
	s->handle = t->tcm_handle;
	if (nlmsg_parse(h, sizeof(*t), tb, TCA_MAX, NULL) == 0 &&
	    tb[TCA_KIND] != NULL && tb[TCA_OPTIONS] != NULL &&
	    strcmp(nla_get_string(tb[TCA_KIND]), "flower") == 0) {
		flower_stats(tb[TCA_OPTIONS], s);
	}
	return NL_OK;
}

static int filter_dump(struct sd_nl *nl, int ifindex, uint32_t parent,
		       struct dump *d)
{
	struct tcmsg t = {.tcm_family = AF_UNSPEC,
			  .tcm_ifindex = ifindex,
			  .tcm_parent = parent};
	struct nl_msg *m = sd_nl_msg(RTM_GETTFILTER, NLM_F_DUMP, &t, sizeof(t));

	if (m == NULL) {
		return -ENOMEM;
	}
	sd_nl_begin(nl);
	return sd_nl_done(nl, sd_nl_query(nl, m, true, parse_filter, d));
}

int sd_filter_del(struct sd_nl *nl, int ifindex, uint16_t prio, uint16_t proto,
		  uint32_t handle, uint64_t *packets)
{
	struct tcmsg t = {
		.tcm_family = AF_UNSPEC,
		.tcm_ifindex = ifindex,
		.tcm_handle = handle,
		.tcm_parent = SD_INGRESS_PARENT,
		.tcm_info = TC_H_MAKE((uint32_t)prio << 16, htons(proto)),
	};
	/* NLM_F_ECHO: the kernel answers with the filter as it was, its
	 * counters up to the moment it went */
	struct nl_msg *m =
		sd_nl_msg(RTM_DELTFILTER, packets != NULL ? NLM_F_ECHO : 0, &t,
			  sizeof(t));
	struct sd_filter_stat st = {0};
	struct dump d = {&st, 1, 0};
	int err;

	if (m == NULL || nla_put_string(m, TCA_KIND, "flower") < 0) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	sd_nl_begin(nl);
	if (packets == NULL) {
		err = nl_send_sync(nl->sk, m);
	} else {
		err = sd_nl_query(nl, m, false, parse_filter, &d);
		*packets = err >= 0 && d.n != 0 ? st.packets : 0;
	}
	return sd_nl_done(nl, err);
}

int sd_filter_dump(struct sd_nl *nl, int ifindex, struct sd_filter_stat *out,
		   unsigned max, unsigned *n)
{
	struct dump d = {out, max, 0};
	int err = filter_dump(nl, ifindex, SD_INGRESS_PARENT, &d);

	*n = d.n < max ? d.n : max;
	return err;
}

int sd_clsact_filters(struct sd_nl *nl, int ifindex, unsigned *n)
{
	struct sd_filter_stat one;
	struct dump d = {&one, 1, 0};
	int err = filter_dump(nl, ifindex, SD_INGRESS_PARENT, &d);

	if (err == 0) {
		err = filter_dump(nl, ifindex, EGRESS_PARENT, &d);
	}
	*n = d.n;
	return err;
}
