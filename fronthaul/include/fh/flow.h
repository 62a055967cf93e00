/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FH_FLOW_H
#define FH_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fh/eaxc.h"
#include "fh/err.h"

/*
 * The flow model the data path forwards on (ARCHITECTURE.md "Config
 * model"): a match on (in port, VLAN, plane, direction, eAxC under mask,
 * MACs, UDP port), actions, and an optional reception window.  Ports are
 * indices into the switch's port list.  Flows are matched most specific
 * first: exact eAxC before masked before wildcard, then by how many other
 * keys are given; two flows of equal rank that can match the same packet
 * are a configuration error.
 */

#define FH_MAX_PORTS 16 /* the L2 table packs a port in 4 bits */
#define FH_FLOW_NAME_LEN 64
#define FH_PORT_ANY 0xffff
#define FH_PCP_NONE 0xff /* fh_flow_key.pcp of an untagged frame */

enum fh_plane {
	FH_PLANE_ANY = 0,
	FH_PLANE_C = 1,
	FH_PLANE_U = 2,
};

enum fh_direction {
	FH_DIRECTION_ANY = 0,
	FH_DIRECTION_UL = 1,
	FH_DIRECTION_DL = 2,
};

struct fh_flow_match {
	uint16_t in_port; /* FH_PORT_ANY = any */
	uint16_t vlan_id; /* 0 = any */
	uint8_t plane; /* enum fh_plane */
	uint8_t direction; /* enum fh_direction */
	uint16_t eaxc_id;
	uint16_t eaxc_mask; /* 0 = any eAxC */
	bool has_src_mac;
	bool has_dst_mac;
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint16_t udp_port; /* 0 = any (and Ethernet transport) */
	bool has_pcp; /* match the outer tag's PCP (tagged frames only) */
	uint8_t pcp;
};

struct fh_flow_action {
	uint16_t out_ports[FH_MAX_PORTS];
	uint8_t n_out_ports;
	uint16_t set_vlan_id; /* 0 = keep */
	bool has_set_pcp;
	uint8_t set_pcp;
	bool has_set_src_mac;
	bool has_set_dst_mac;
	uint8_t set_src_mac[6];
	uint8_t set_dst_mac[6];
	bool has_set_eaxc_id;
	uint16_t set_eaxc_id;
	/* translate the packet's eAxC field by field from the switch layout
	 * to this one (vendor dialects); exclusive with set_eaxc_id */
	bool has_translate;
	struct fh_eaxc_layout translate_to;
	bool pop_vlan; /* remove the outer tag; excludes set_vlan_id/pcp */
	bool drop;
};

struct fh_flow_window {
	bool enabled;
	int64_t earliest_ns; /* relative to the packet's air time */
	int64_t latest_ns;
};

struct fh_flow {
	char name[FH_FLOW_NAME_LEN];
	struct fh_flow_match match;
	struct fh_flow_action action;
	struct fh_flow_window window;
};

/* What one packet presents to the classifier. */
struct fh_flow_key {
	uint16_t in_port;
	uint16_t vlan_id; /* 0 when untagged */
	uint8_t pcp; /* FH_PCP_NONE when untagged */
	uint8_t plane; /* FH_PLANE_C or FH_PLANE_U */
	uint8_t direction;
	uint16_t eaxc_id;
	uint16_t udp_port; /* 0 for Ethernet transport */
	const uint8_t *src_mac;
	const uint8_t *dst_mac;
};

/*
 * Rank of a match: higher is more specific.  Exact eAxC (mask 0xffff)
 * outranks any partial mask, which outranks a wildcard; within a class,
 * more mask bits, then more given keys, rank higher.
 */
uint32_t fh_flow_rank(const struct fh_flow_match *m);

/* True if some packet could match both a and b. */
bool fh_flow_overlap(const struct fh_flow_match *a,
		     const struct fh_flow_match *b);

/*
 * An immutable, lookup-ordered flow table (built off the fast path,
 * published by pointer swap); build rejects ties.  Flows with an exact
 * eAxC (the common fronthaul case, and always the highest rank) are
 * indexed directly by (in port, eAxC): a lookup walks a chain of one or
 * two flows.  Only when none of them matches are the masked and wildcard
 * flows scanned, in rank order.
 */
#define FH_FLOW_NONE 0xffff

/*
 * The lookup table.  Flows are kept in rank order (positions); a flow
 * whose eAxC mask leaves at most FH_FLOW_EXPAND_BITS bits free (an exact
 * eAxC: none) is indexed under every eAxC it matches, by in port, in
 * chains of nodes in rank order, so a packet finds it with one direct
 * lookup whatever its mask.  Expansion goes in rank order while nodes
 * last; the flows from first_scan on (wildcard eAxC, wide masks, or past
 * the node budget) rank below every indexed one and are tried in order
 * only when no chain matches.
 */
#define FH_FLOW_EXPAND_BITS 8
#define FH_FLOW_NODES 65535u /* node indices are 16 bits, 0xffff = none */

struct fh_flow_table {
	size_t n_flows;
	const struct fh_flow *flows; /* as configured, not owned */
	size_t first_scan; /* position of the first flow not indexed */
	size_t n_nodes; /* chain nodes used */
	bool any_port_indexed; /* some indexed flow matches any port */
	uint16_t *order; /* position -> flow index */
	uint32_t *node; /* position << 16 | next node (FH_FLOW_NONE: end) */
	uint16_t (*head)[65536]; /* [in port + 1, 0 = any][eAxC] -> node */
	uint16_t mem[];
};

/* Bytes needed for a table of n flows. */
size_t fh_flow_table_size(size_t n);

/*
 * Build a table over flows[0..n) into mem (fh_flow_table_size(n) bytes).
 * flows must outlive the table.
 * @return 0; -EINVAL when two flows tie (equal rank, overlapping matches):
 *         err->offset is the index of the second flow and *tie_with (if
 *         non-NULL) the first.
 */
int fh_flow_table_build(struct fh_flow_table *mem, const struct fh_flow *flows,
			size_t n, size_t *tie_with, struct fh_err *err);

/* ---- per packet: inline ------------------------------------------------- */

/* True if the key matches m (inline: once or twice per packet). */
static inline bool fh_flow_matches(const struct fh_flow_match *m,
				   const struct fh_flow_key *k)
{
	return (m->in_port == FH_PORT_ANY || m->in_port == k->in_port) &&
	       (m->vlan_id == 0 || m->vlan_id == k->vlan_id) &&
	       (m->plane == FH_PLANE_ANY || m->plane == k->plane) &&
	       (m->direction == FH_DIRECTION_ANY ||
		m->direction == k->direction) &&
	       ((k->eaxc_id ^ m->eaxc_id) & m->eaxc_mask) == 0 &&
	       (m->udp_port == 0 || m->udp_port == k->udp_port) &&
	       (!m->has_pcp || m->pcp == k->pcp) &&
	       (!m->has_src_mac || memcmp(m->src_mac, k->src_mac, 6) == 0) &&
	       (!m->has_dst_mac || memcmp(m->dst_mac, k->dst_mac, 6) == 0);
}

/* chain heads: one per port plus "any port" */
#define FH_FLOW_HEADS (FH_MAX_PORTS + 1)

/* First position in the chain from node ni whose flow matches k, or
 * FH_FLOW_NONE. */
static inline uint16_t fh_flow_chain_match(const struct fh_flow_table *t,
					   uint16_t ni,
					   const struct fh_flow_key *k)
{
	while (ni != FH_FLOW_NONE) {
		uint32_t nd = t->node[ni];
		uint16_t pos = (uint16_t)(nd >> 16);

		if (fh_flow_matches(&t->flows[t->order[pos]].match, k)) {
			return pos;
		}
		ni = (uint16_t)nd;
	}
	return FH_FLOW_NONE;
}

/* Index of the first flow matching k, or -1. */
static inline long fh_flow_lookup(const struct fh_flow_table *t,
				  const struct fh_flow_key *k)
{
	uint16_t a = FH_FLOW_NONE, b;

	if (k->in_port < FH_MAX_PORTS) {
		a = fh_flow_chain_match(t, t->head[k->in_port + 1][k->eaxc_id],
					k);
	}
	b = t->any_port_indexed ?
		    fh_flow_chain_match(t, t->head[0][k->eaxc_id], k) :
		    FH_FLOW_NONE;
	if (b < a) {
		a = b; /* the lower position ranks higher */
	}
	if (a != FH_FLOW_NONE) {
		return t->order[a];
	}
	for (size_t i = t->first_scan; i < t->n_flows; i++) {
		const struct fh_flow *f = &t->flows[t->order[i]];

		if (fh_flow_matches(&f->match, k)) {
			return t->order[i];
		}
	}
	return -1;
}

#endif
