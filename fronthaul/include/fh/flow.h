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
	/* monitor ports: a copy of each frame as it arrived */
	uint16_t mirror_ports[FH_MAX_PORTS];
	uint8_t n_mirror_ports;
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
 * eAxC, or a mask leaving few bits free, are indexed directly by (in
 * port, eAxC): a lookup walks a chain of one or two flows.  Only when
 * none of them matches are the other flows looked up, a hash probe per
 * group of alike matches (struct fh_flow_group).
 */
#define FH_FLOW_NONE 0xffff

/*
 * The lookup table.  Flows are kept in rank order (positions); a flow
 * whose eAxC mask leaves at most FH_FLOW_EXPAND_BITS bits free (an exact
 * eAxC: none) is indexed under every eAxC it matches, by in port, in
 * chains of nodes in rank order, so a packet finds it with one direct
 * lookup whatever its mask.  Expansion goes in rank order while nodes
 * last; the flows from first_scan on (wildcard eAxC, wide masks, or past
 * the node budget) rank below every indexed one and are looked up (by
 * group) only when no chain matches.
 */
#define FH_FLOW_EXPAND_BITS 8
#define FH_FLOW_NODES 65535u /* node indices are 16 bits, 0xffff = none */

/* Which keys a match gives (fh_flow_group.keys). */
enum fh_flow_keys {
	FH_KEY_PORT = 1,
	FH_KEY_VLAN = 2,
	FH_KEY_PLANE = 4,
	FH_KEY_DIRECTION = 8,
	FH_KEY_UDP = 16,
	FH_KEY_PCP = 32,
	FH_KEY_SRC_MAC = 64,
	FH_KEY_DST_MAC = 128,
};

/*
 * The flows not indexed, grouped by what their matches look at (keys and
 * eAxC mask): within a group two flows with equal values would tie, so a
 * packet matches at most one, found by hashing its values (tuple space
 * search, as Open vSwitch's classifier).  Groups go in rank order; a
 * lookup stops at the first group ranking below a hit.
 */
struct fh_flow_group {
	uint32_t rank;
	uint16_t keys; /* FH_KEY_* */
	uint16_t eaxc_mask;
	uint32_t slot; /* first of its slots in fh_flow_table.slots */
	uint32_t slot_mask; /* slots - 1, a power of two */
};

struct fh_flow_table {
	size_t n_flows;
	const struct fh_flow *flows; /* as configured, not owned */
	size_t first_scan; /* position of the first flow not indexed */
	size_t n_nodes; /* chain nodes used */
	bool any_port_indexed; /* some indexed flow matches any port */
	uint16_t *order; /* position -> flow index */
	uint32_t *node; /* position << 16 | next node (FH_FLOW_NONE: end) */
	uint16_t (*head)[65536]; /* [in port + 1, 0 = any][eAxC] -> node */
	size_t n_groups;
	struct fh_flow_group *groups; /* of the flows from first_scan on */
	uint16_t *slots; /* positions, FH_FLOW_NONE = empty */
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

/* The keys of m (FH_KEY_*). */
static inline unsigned fh_flow_keys(const struct fh_flow_match *m)
{
	return (m->in_port != FH_PORT_ANY ? FH_KEY_PORT : 0) |
	       (m->vlan_id != 0 ? FH_KEY_VLAN : 0) |
	       (m->plane != FH_PLANE_ANY ? FH_KEY_PLANE : 0) |
	       (m->direction != FH_DIRECTION_ANY ? FH_KEY_DIRECTION : 0) |
	       (m->udp_port != 0 ? FH_KEY_UDP : 0) |
	       (m->has_pcp ? FH_KEY_PCP : 0) |
	       (m->has_src_mac ? FH_KEY_SRC_MAC : 0) |
	       (m->has_dst_mac ? FH_KEY_DST_MAC : 0);
}

static inline uint64_t fh_flow_mac48(const uint8_t *m)
{
	return (uint64_t)m[0] << 40 | (uint64_t)m[1] << 32 |
	       (uint64_t)m[2] << 24 | (uint64_t)m[3] << 16 |
	       (uint64_t)m[4] << 8 | m[5];
}

/* Hash of the values a group looks at; a key and the flow it matches
 * hash alike.  (mac: NULL for a flow's unused MAC) */
static inline uint32_t fh_flow_hash(unsigned keys, uint16_t eaxc_mask,
				    uint16_t port, uint16_t vlan, uint8_t plane,
				    uint8_t dir, uint16_t eaxc, uint16_t udp,
				    uint8_t pcp, const uint8_t *src,
				    const uint8_t *dst)
{
	uint64_t x = (uint64_t)(eaxc & eaxc_mask) << 48;

	x ^= keys & FH_KEY_PORT ? (uint64_t)port << 32 : 0;
	x ^= keys & FH_KEY_VLAN ? (uint64_t)vlan << 16 : 0;
	x ^= keys & FH_KEY_PLANE ? (uint64_t)plane << 28 : 0;
	x ^= keys & FH_KEY_DIRECTION ? (uint64_t)dir << 30 : 0;
	x ^= keys & FH_KEY_UDP ? udp : 0;
	x ^= keys & FH_KEY_PCP ? (uint64_t)pcp << 12 : 0;
	x *= 0x9e3779b97f4a7c15ull;
	if (keys & FH_KEY_SRC_MAC) {
		x = (x ^ fh_flow_mac48(src)) * 0xff51afd7ed558ccdull;
	}
	if (keys & FH_KEY_DST_MAC) {
		x = (x ^ fh_flow_mac48(dst)) * 0xc4ceb9fe1a85ec53ull;
	}
	return (uint32_t)(x >> 32);
}

/* Index of the first flow matching k, or -1. */
static inline __attribute__((always_inline)) long
fh_flow_lookup(const struct fh_flow_table *t, const struct fh_flow_key *k)
{
	uint16_t a = FH_FLOW_NONE, b;
	uint32_t hit_rank = 0;

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
	/* every indexed flow outranks every grouped one */
	for (size_t g = 0; g < t->n_groups; g++) {
		const struct fh_flow_group *gr = &t->groups[g];
		uint32_t h;

		if (a != FH_FLOW_NONE && gr->rank < hit_rank) {
			break;
		}
		h = fh_flow_hash(gr->keys, gr->eaxc_mask, k->in_port,
				 k->vlan_id, k->plane, k->direction, k->eaxc_id,
				 k->udp_port, k->pcp, k->src_mac, k->dst_mac) &
		    gr->slot_mask;
		for (;;) {
			uint16_t pos = t->slots[gr->slot + h];

			if (pos == FH_FLOW_NONE) {
				break;
			}
			if (fh_flow_matches(&t->flows[t->order[pos]].match,
					    k)) {
				if (pos < a) {
					a = pos;
					hit_rank = gr->rank;
				}
				break;
			}
			h = (h + 1) & gr->slot_mask;
		}
	}
	return a != FH_FLOW_NONE ? (long)t->order[a] : -1;
}

#endif
