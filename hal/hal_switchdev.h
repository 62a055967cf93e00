/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HAL_SWITCHDEV_H
#define HAL_SWITCHDEV_H

/*
 * Private to the switchdev backend (hal_switchdev*.c):
 *   - the netlink primitives (hal_switchdev_nl.c: links, bridge, FDB;
 *     hal_switchdev_tc.c: clsact, flower): each is one kernel request
 *     through libnl (raw nlmsg where libnl 3.7 has no API) and returns 0
 *     or a negative errno, the kernel's extended-ack text of the last
 *     failure kept in sd_nl.why;
 *   - the backend's state and the undo journal its apply keeps
 *     (hal_switchdev_apply.c, hal_switchdev_flows.c).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "hal_provider.h"

struct nl_sock;

struct sd_nl {
	struct nl_sock *sk;
	int kerr; /* errno the kernel answered to the last request */
	char why[160]; /* its extended-ack message, "" if none */
};

/* What the backend needs to know about a netdev. */
struct sd_link {
	int ifindex;
	int master; /* 0 if none */
	bool up;
	unsigned mtu;
	char kind[16]; /* "bridge", "veth", "" */
	bool ours; /* a bridge fhswd created (its ifalias says so) */
};

/* The ifalias of the bridges fhswd creates: one left by an fhswd that did
 * not close is recognised as its own. */
#define SD_BRIDGE_ALIAS "fhswitch switchdev bridge"
#define SD_DEFAULT_BRIDGE "fhbr0" /* the config names none */

/* VLAN membership of a bridge port: pvid is untagged on egress, every
 * other member tagged.  pvid 0 = none (untagged frames are dropped). */
struct sd_vlans {
	uint16_t pvid;
	uint8_t member[4096 / 8];
};

static inline bool sd_vlan_has(const struct sd_vlans *v, unsigned vid)
{
	return v->member[vid >> 3] >> (vid & 7) & 1;
}

static inline void sd_vlan_set(struct sd_vlans *v, unsigned vid)
{
	v->member[vid >> 3] |= (uint8_t)(1u << (vid & 7));
}

/* One tc flower rule on a port's clsact ingress. */
struct sd_flower {
	int ifindex;
	uint16_t prio;
	uint32_t handle;
	bool tagged; /* 802.1Q + vlan_ethtype eCPRI, else eCPRI */
	uint16_t vlan_id; /* tagged: 0 = any */
	bool match_pcp; /* tagged: the tag's PCP */
	uint8_t vlan_prio;
	const uint8_t *src_mac; /* NULL = any */
	const uint8_t *dst_mac;
	bool skip_sw;
	/* actions, in this order */
	const uint8_t *set_dst_mac; /* pedit; NULL = keep */
	const uint8_t *set_src_mac;
	bool vlan_pop; /* tagged: remove the tag */
	bool vlan_push; /* untagged: push a tag */
	bool vlan_modify; /* tagged: rewrite the tag */
	uint16_t set_vid;
	bool set_pcp; /* and skbedit priority = pcp (software rules) */
	uint8_t pcp;
	unsigned n_out;
	int out_ifindex[HAL_MAX_PORTS]; /* mirror to all but the last, redirect
					   to the last */
	bool drop;
};

/* A filter as seen in a dump of a port's ingress. */
struct sd_filter_stat {
	uint16_t prio;
	uint16_t proto;
	uint32_t handle;
	uint64_t packets; /* of the first action: frames that matched */
	uint64_t bytes;
	bool in_hw;
};

#define SD_ECPRI_ETHERTYPE 0xAEFE
#define SD_INGRESS_PARENT 0xFFFFFFF2u /* TC_H_MAKE(TC_H_CLSACT, MIN_INGRESS) */

struct nl_msg;

int sd_nl_open(struct sd_nl *nl);
void sd_nl_close(struct sd_nl *nl); /* accepts a closed one */
/* The one place -NLE_* becomes -errno (the kernel's own errno when it
 * answered one). */
int sd_nl_errno(struct sd_nl *nl, int nle);
/* Around each request: forget the last kernel answer; map a libnl result
 * to 0 or -errno. */
void sd_nl_begin(struct sd_nl *nl);
int sd_nl_done(struct sd_nl *nl, int nle);
/* A request of type/flags with the fixed header hdr (len bytes). */
struct nl_msg *sd_nl_msg(int type, int flags, const void *hdr, size_t len);
/* Send a GET (a doit, or a dump) and pass each answer to fn; takes msg. */
int sd_nl_query(struct sd_nl *nl, struct nl_msg *msg, bool dump,
		int (*fn)(struct nl_msg *, void *), void *arg);

/* -ENODEV if there is no netdev of that name. */
int sd_link_get(struct sd_nl *nl, const char *name, struct sd_link *out);
int sd_link_get_index(struct sd_nl *nl, int ifindex, struct sd_link *out);
int sd_link_set_up(struct sd_nl *nl, int ifindex, bool up);
int sd_link_set_mtu(struct sd_nl *nl, int ifindex, unsigned mtu);
int sd_link_set_master(struct sd_nl *nl, int ifindex,
		       int master); /* 0: release */
int sd_link_delete(struct sd_nl *nl, int ifindex);
int sd_link_stats(struct sd_nl *nl, int ifindex, struct hal_port_stats *out);
/* hw-tc-offload on (ethtool features); false when unknown. */
bool sd_link_tc_offload(const char *name);

/* Bridge: create with vlan_filtering 1 and no default PVID; or change an
 * existing one (vlan_filtering < 0 / ageing_cs < 0: leave as is). */
int sd_bridge_create(struct sd_nl *nl, const char *name, uint32_t ageing_cs,
		     int *ifindex);
int sd_bridge_set(struct sd_nl *nl, int ifindex, int vlan_filtering,
		  long ageing_cs);
int sd_bridge_get(struct sd_nl *nl, int ifindex, int *vlan_filtering,
		  uint32_t *ageing_cs);

/* Make a bridge port's VLANs exactly *want: add/update want's entries,
 * then delete those of *prev that want lacks (prev NULL: every other
 * VLAN). */
int sd_port_vlans(struct sd_nl *nl, int ifindex, const struct sd_vlans *want,
		  const struct sd_vlans *prev);
int sd_port_learning(struct sd_nl *nl, int ifindex, bool on);

/* *created false when a clsact qdisc was already there. */
int sd_clsact_add(struct sd_nl *nl, int ifindex, bool *created);
int sd_clsact_del(struct sd_nl *nl, int ifindex);
/* Filters left on the clsact ingress and egress together. */
int sd_clsact_filters(struct sd_nl *nl, int ifindex, unsigned *n);

int sd_flower_add(struct sd_nl *nl, const struct sd_flower *f);
/* packets not NULL: what the filter counted until it went (0 if the
 * kernel did not say). */
int sd_filter_del(struct sd_nl *nl, int ifindex, uint16_t prio, uint16_t proto,
		  uint32_t handle, uint64_t *packets);
/* Every filter on the port's ingress, with the first action's counters;
 * at most max entries, the count in *n. */
int sd_filter_dump(struct sd_nl *nl, int ifindex, struct sd_filter_stat *out,
		   unsigned max, unsigned *n);

/* Static (NUD_NOARP) bridge FDB entry, NTF_MASTER; vlan 0 = every VLAN of
 * the port.  replace: NLM_F_REPLACE, else NLM_F_EXCL (-EEXIST). */
int sd_fdb_add(struct sd_nl *nl, int ifindex, const uint8_t mac[6],
	       uint16_t vlan, bool replace);
int sd_fdb_del(struct sd_nl *nl, int ifindex, const uint8_t mac[6],
	       uint16_t vlan);
/* The bridge's entry for (mac, vlan): its port and whether it is static
 * or local (not learned).  -ENOENT if none. */
int sd_fdb_get(struct sd_nl *nl, int bridge, const uint8_t mac[6],
	       uint16_t vlan, int *ifindex, bool *is_static);

/* ---- the backend's state ------------------------------------------------ */

#define SD_LOG(level, fmt, ...) \
	fprintf(stderr, "hal switchdev %s: " fmt "\n", #level, ##__VA_ARGS__)

#define SD_MAX_FLOWS 1024
/* Two filters per flow (untagged, tagged) in each of two generations. */
#define SD_PRIO_BASE 0xE000
#define SD_PRIO_SPAN (2 * SD_MAX_FLOWS)
#define SD_HANDLE_TAG 0xFC5D0000u
/* a dump lists each priority once more (handle 0) besides its filters */
#define SD_DUMP_MAX 16384

struct sd_port {
	char dev[HAL_DEVICE_LEN];
	int ifindex;
	bool enslaved; /* we made it a bridge port */
	bool set_up; /* we brought it up */
	unsigned orig_mtu; /* MTU before we changed it; 0 = unchanged */
	bool clsact; /* we created its clsact qdisc */
	bool vlans_known; /* vlans is what the port carries */
	struct sd_vlans vlans;
	int learning; /* -1: not set by us */
	bool offload; /* hw-tc-offload: rules go in with skip_sw */
};

struct sd_flow {
	char name[FH_FLOW_NAME_LEN];
	unsigned n_tx; /* copies sent per matched frame */
	/* counted by the rules of earlier configs: a flow's counters go on
	 * across commits that keep its name */
	uint64_t base_rx, base_tx;
};

struct sd_filter {
	int ifindex;
	uint16_t prio;
	uint16_t proto;
	uint32_t handle;
	uint32_t flow;
};

struct sd_fdb {
	uint8_t mac[6];
	uint16_t vlan;
	int ifindex;
};

/* What the backend has programmed. */
struct sd_state {
	char bridge[HAL_NAME_LEN];
	int br_ifindex; /* 0 before the first apply */
	bool br_created;
	bool br_set_up;
	int br_old_vf; /* adopted: vlan_filtering to restore, -1 none */
	uint32_t br_old_ageing;
	uint32_t ageing_cs;
	unsigned n_ports;
	struct sd_port ports[HAL_MAX_PORTS];
	size_t n_flows;
	struct sd_flow *flows;
	size_t n_filters;
	struct sd_filter *filters;
	unsigned gen; /* priority range of the filters: 0 or 1 */
	unsigned n_fdb;
	struct sd_fdb fdb[HAL_MAX_FDB];
};

struct hal_sd {
	struct hal base;
	struct sd_nl nl;
	struct sd_state cur;
	atomic_bool offload; /* every running port offloads */
	atomic_bool stop;
	int efd; /* wakes run on stop */
	/* idle tracking from the ports' rx counters */
	uint64_t idle_rx;
	bool idle_sampled, idle_moved;
	struct timespec idle_change, idle_sample;
};

#define to_sd(h) hal_container_of(h, struct hal_sd, base)

/* One change an apply made, and how to take it back. */
enum sd_undo_kind {
	U_BRIDGE_DEL,
	U_BRIDGE_SET,
	U_RELEASE,
	U_MTU,
	U_DOWN,
	U_VLANS,
	U_LEARNING,
	U_CLSACT_DEL,
	U_FDB_DEL,
	U_FDB_SET,
	U_FILTER_DEL,
};

struct sd_undo {
	enum sd_undo_kind kind;
	int ifindex;
	union {
		struct {
			int vf;
			long ageing;
		} br;
		unsigned mtu;
		bool on;
		struct sd_vlans *vlans; /* owned */
		struct {
			uint8_t mac[6];
			uint16_t vlan;
		} fdb;
		struct {
			uint16_t prio, proto;
			uint32_t handle;
		} flt;
	} u;
};

struct sd_journal {
	struct sd_undo *e;
	size_t n, cap;
};

/* msg = "<what>: <strerror>[ (kernel: <ext ack>)]"; returns err. */
int sd_fail(struct hal_sd *sd, int err, char *msg, size_t len, const char *fmt,
	    ...) __attribute__((format(printf, 5, 6)));
int sd_journal_add(struct sd_journal *j, const struct sd_undo *u);
int sd_filter_push(struct sd_state *s, const struct sd_filter *f);
const struct sd_fdb *sd_fdb_find(const struct sd_state *s, const uint8_t mac[6],
				 uint16_t vlan);

/* hal_switchdev_flows.c: refuse what tc cannot express (no side effect);
 * program cfg's static FDB entries and flow rules into nx. */
int sd_check_flows(const struct hal_config *cfg, char *msg, size_t len);
int sd_fdb_apply(struct hal_sd *sd, const struct hal_config *cfg,
		 struct sd_state *nx, struct sd_journal *j, char *msg,
		 size_t len);
int sd_flows_apply(struct hal_sd *sd, const struct hal_config *cfg,
		   struct sd_state *nx, struct sd_journal *j, char *msg,
		   size_t len);

/* What the kernel says of the filters of running flow fi: frames that
 * matched (the counters of each filter's first action, which fold in the
 * hardware's), how many filters there are and how many run in hardware
 * (in_hw).  Under hal.c's control mutex. */
struct sd_flow_read {
	uint64_t packets;
	unsigned rules, in_hw;
	int sw_port; /* a port whose filters run in software, -1 none */
};
int sd_flow_read(struct hal_sd *sd, size_t fi, struct sd_flow_read *r);
/* Index of the running flow called name; s->n_flows if none. */
size_t sd_flow_find(const struct sd_state *s, const char *name);

/* The bridge cfg names (option "bridge"), or SD_DEFAULT_BRIDGE. */
const char *sd_bridge_name(const struct hal_config *cfg);

/* Make cfg the running config: hal_class.apply. */
int sd_apply_cfg(struct hal_sd *sd, const struct hal_config *cfg, char *msg,
		 size_t msglen);
/* Remove everything the running config put in (at close). */
void sd_teardown(struct hal_sd *sd);

#endif
