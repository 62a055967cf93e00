/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The switchdev backend's tc primitives (hal_switchdev.h): clsact as a
 * generic libnl qdisc, flower filters with vlan / mirred / gact actions
 * through libnl's classifier and action API, and a raw filter dump for
 * what libnl 3.7 does not parse (action counters, the in_hw flag).
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
#include <linux/tc_act/tc_vlan.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/act/gact.h>
#include <netlink/route/act/mirred.h>
#include <netlink/route/act/vlan.h>
#include <netlink/route/action.h>
#include <netlink/route/classifier.h>
#include <netlink/route/cls/flower.h>
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

static struct rtnl_act *act_new(const char *kind)
{
	struct rtnl_act *a = rtnl_act_alloc();

	if (a != NULL && rtnl_tc_set_kind(TC_CAST(a), kind) < 0) {
		rtnl_act_put(a);
		a = NULL;
	}
	return a;
}

/* Append a (taken) to cls's actions. */
static int act_append(struct rtnl_cls *cls, struct rtnl_act *a, int err)
{
	if (a == NULL) {
		return -NLE_NOMEM;
	}
	if (err >= 0) {
		err = rtnl_flower_append_action(cls, a);
	}
	rtnl_act_put(a);
	return err;
}

static int flower_actions(struct rtnl_cls *cls, const struct sd_flower *f)
{
	struct rtnl_act *a;
	int err = 0;

	if (f->vlan_push || f->vlan_modify) {
		a = act_new("vlan");
		if (a != NULL) {
			err = rtnl_vlan_set_mode(
				a, f->vlan_push ? TCA_VLAN_ACT_PUSH :
						  TCA_VLAN_ACT_MODIFY);
			if (err >= 0) {
				err = rtnl_vlan_set_action(a, TC_ACT_PIPE);
			}
			if (err >= 0) {
				err = rtnl_vlan_set_vlan_id(a, f->set_vid);
			}
			if (err >= 0 && f->set_pcp) {
				err = rtnl_vlan_set_vlan_prio(a, f->pcp);
			}
		}
		err = act_append(cls, a, err);
	}
	for (unsigned i = 0; err >= 0 && i < f->n_out; i++) {
		bool last = i + 1 == f->n_out;

		a = act_new("mirred");
		if (a != NULL) {
			err = rtnl_mirred_set_action(
				a, last ? TCA_EGRESS_REDIR : TCA_EGRESS_MIRROR);
			if (err >= 0) {
				err = rtnl_mirred_set_policy(
					a, last ? TC_ACT_STOLEN : TC_ACT_PIPE);
			}
			if (err >= 0) {
				err = rtnl_mirred_set_ifindex(
					a, (uint32_t)f->out_ifindex[i]);
			}
		}
		err = act_append(cls, a, err);
	}
	if (err >= 0 && f->drop) {
		a = act_new("gact");
		if (a != NULL) {
			err = rtnl_gact_set_action(a, TC_ACT_SHOT);
		}
		err = act_append(cls, a, err);
	}
	return err;
}

int sd_flower_add(struct sd_nl *nl, const struct sd_flower *f)
{
	struct rtnl_cls *cls = rtnl_cls_alloc();
	uint16_t proto = f->tagged ? ETH_P_8021Q : SD_ECPRI_ETHERTYPE;
	uint8_t ones[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, mac[6];
	int err;

	if (cls == NULL) {
		return -ENOMEM;
	}
	rtnl_tc_set_ifindex(TC_CAST(cls), f->ifindex);
	rtnl_tc_set_parent(TC_CAST(cls), SD_INGRESS_PARENT);
	rtnl_tc_set_handle(TC_CAST(cls), f->handle);
	rtnl_cls_set_prio(cls, f->prio);
	rtnl_cls_set_protocol(cls, proto);
	err = rtnl_tc_set_kind(TC_CAST(cls), "flower");
	if (err >= 0) {
		err = rtnl_flower_set_proto(cls, proto);
	}
	if (err >= 0 && f->tagged) {
		err = rtnl_flower_set_vlan_ethtype(cls, SD_ECPRI_ETHERTYPE);
		if (err >= 0 && f->vlan_id != 0) {
			err = rtnl_flower_set_vlan_id(cls, f->vlan_id);
		}
	}
	if (err >= 0 && f->src_mac != NULL) {
		memcpy(mac, f->src_mac, 6);
		err = rtnl_flower_set_src_mac(cls, mac, ones);
	}
	if (err >= 0 && f->dst_mac != NULL) {
		memcpy(mac, f->dst_mac, 6);
		err = rtnl_flower_set_dst_mac(cls, mac, ones);
	}
	if (err >= 0 && f->skip_sw) {
		err = rtnl_flower_set_flags(cls, TCA_CLS_FLAGS_SKIP_SW);
	}
	if (err >= 0) {
		err = flower_actions(cls, f);
	}
	sd_nl_begin(nl);
	if (err >= 0) {
		err = rtnl_cls_add(nl->sk, cls, NLM_F_CREATE | NLM_F_EXCL);
	}
	rtnl_cls_put(cls);
	return sd_nl_done(nl, err);
}

int sd_filter_del(struct sd_nl *nl, int ifindex, uint16_t prio, uint16_t proto,
		  uint32_t handle)
{
	struct rtnl_cls *cls = rtnl_cls_alloc();
	int err;

	if (cls == NULL) {
		return -ENOMEM;
	}
	rtnl_tc_set_ifindex(TC_CAST(cls), ifindex);
	rtnl_tc_set_parent(TC_CAST(cls), SD_INGRESS_PARENT);
	rtnl_tc_set_handle(TC_CAST(cls), handle);
	rtnl_cls_set_prio(cls, prio);
	rtnl_cls_set_protocol(cls, proto);
	err = rtnl_tc_set_kind(TC_CAST(cls), "flower");
	sd_nl_begin(nl);
	if (err >= 0) {
		err = rtnl_cls_delete(nl->sk, cls, 0);
	}
	rtnl_cls_put(cls);
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
