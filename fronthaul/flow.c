/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "fh/flow.h"

static unsigned given_keys(const struct fh_flow_match *m)
{
	return (m->in_port != FH_PORT_ANY) + (m->vlan_id != 0) +
	       (m->plane != FH_PLANE_ANY) + (m->direction != FH_DIRECTION_ANY) +
	       m->has_src_mac + m->has_dst_mac + (m->udp_port != 0) +
	       m->has_pcp;
}

uint32_t fh_flow_rank(const struct fh_flow_match *m)
{
	uint32_t cls = m->eaxc_mask == 0xffff ? 2 : m->eaxc_mask != 0 ? 1 : 0;

	return cls << 24 | (uint32_t)__builtin_popcount(m->eaxc_mask) << 8 |
	       given_keys(m);
}

static bool key_overlap(uint32_t a, uint32_t b, uint32_t any)
{
	return a == any || b == any || a == b;
}

bool fh_flow_overlap(const struct fh_flow_match *a,
		     const struct fh_flow_match *b)
{
	if (!key_overlap(a->in_port, b->in_port, FH_PORT_ANY) ||
	    !key_overlap(a->vlan_id, b->vlan_id, 0) ||
	    !key_overlap(a->plane, b->plane, FH_PLANE_ANY) ||
	    !key_overlap(a->direction, b->direction, FH_DIRECTION_ANY) ||
	    !key_overlap(a->udp_port, b->udp_port, 0)) {
		return false;
	}
	if (a->has_pcp && b->has_pcp && a->pcp != b->pcp) {
		return false;
	}
	if (((a->eaxc_id ^ b->eaxc_id) & a->eaxc_mask & b->eaxc_mask) != 0) {
		return false;
	}
	if (a->has_src_mac && b->has_src_mac &&
	    memcmp(a->src_mac, b->src_mac, 6) != 0) {
		return false;
	}
	if (a->has_dst_mac && b->has_dst_mac &&
	    memcmp(a->dst_mac, b->dst_mac, 6) != 0) {
		return false;
	}
	return true;
}

/* uint16 slots before the nodes: heads, then order padded to 4 bytes */
static size_t nodes_at(size_t n)
{
	return (size_t)FH_FLOW_HEADS * 65536 + ((n + 1) & ~(size_t)1);
}

/* Slots for the groups: each group's a power of two at least twice its
 * flows, so at most 4 per flow, and 2 for a group of one. */
static size_t slots_for(size_t n)
{
	return 4 * n + 2;
}

size_t fh_flow_table_size(size_t n)
{
	return sizeof(struct fh_flow_table) + nodes_at(n) * sizeof(uint16_t) +
	       (size_t)FH_FLOW_NODES * sizeof(uint32_t) +
	       (n + 1) * sizeof(struct fh_flow_group) +
	       slots_for(n) * sizeof(uint16_t);
}

/* Group the flows from first_scan on by keys and eAxC mask (rank order
 * kept: a group's rank is its flows'), and hash each into its group's
 * slots. */
static void build_groups(struct fh_flow_table *t)
{
	size_t n = t->n_flows;
	uint32_t used = 0;

	t->groups = (struct fh_flow_group *)(void *)(t->node + FH_FLOW_NODES);
	t->slots = (uint16_t *)(void *)(t->groups + n + 1);
	t->n_groups = 0;
	for (size_t i = t->first_scan; i < n; i++) {
		const struct fh_flow_match *m = &t->flows[t->order[i]].match;
		unsigned keys = fh_flow_keys(m);
		size_t g = 0;

		while (g < t->n_groups &&
		       (t->groups[g].keys != keys ||
			t->groups[g].eaxc_mask != m->eaxc_mask)) {
			g++;
		}
		if (g == t->n_groups) {
			t->groups[g] = (struct fh_flow_group){
				.rank = fh_flow_rank(m),
				.keys = (uint16_t)keys,
				.eaxc_mask = m->eaxc_mask,
				.slot_mask = 0,
			};
			t->n_groups++;
		}
		t->groups[g].slot_mask++; /* its flows, for now */
	}
	for (size_t g = 0; g < t->n_groups; g++) {
		struct fh_flow_group *gr = &t->groups[g];
		uint32_t size = 2;

		while (size < 2 * gr->slot_mask) {
			size <<= 1;
		}
		gr->slot = used;
		gr->slot_mask = size - 1;
		used += size;
	}
	memset(t->slots, 0xff, (size_t)used * sizeof(uint16_t));
	for (size_t i = t->first_scan; i < n; i++) {
		const struct fh_flow_match *m = &t->flows[t->order[i]].match;
		unsigned keys = fh_flow_keys(m);
		struct fh_flow_group *gr = t->groups;
		uint32_t h;

		while (gr->keys != keys || gr->eaxc_mask != m->eaxc_mask) {
			gr++;
		}
		h = fh_flow_hash(keys, m->eaxc_mask, m->in_port, m->vlan_id,
				 m->plane, m->direction, m->eaxc_id,
				 m->udp_port, m->pcp, m->src_mac, m->dst_mac) &
		    gr->slot_mask;
		while (t->slots[gr->slot + h] != FH_FLOW_NONE) {
			h = (h + 1) & gr->slot_mask;
		}
		t->slots[gr->slot + h] = (uint16_t)i;
	}
}

/* The chain head of m's in port; FH_FLOW_HEADS for a port no packet
 * arrives on. */
static unsigned head_of(const struct fh_flow_match *m)
{
	unsigned h = m->in_port == FH_PORT_ANY ? 0 : (unsigned)m->in_port + 1u;

	return h < FH_FLOW_HEADS ? h : FH_FLOW_HEADS;
}

int fh_flow_table_build(struct fh_flow_table *t, const struct fh_flow *flows,
			size_t n, size_t *tie_with, struct fh_err *err)
{
	if (n > UINT16_MAX) {
		return fh_fail(err, -EINVAL, n, "too many flows");
	}
	t->n_flows = n;
	t->flows = flows;
	t->head = (uint16_t(*)[65536])t->mem;
	t->order = t->mem + (size_t)FH_FLOW_HEADS * 65536;
	/* insertion sort by rank, stable in configuration order: tables are
	 * built off the fast path and are at most a few thousand flows */
	for (size_t i = 0; i < n; i++) {
		uint32_t r = fh_flow_rank(&flows[i].match);
		size_t j = i;

		while (j > 0 &&
		       fh_flow_rank(&flows[t->order[j - 1]].match) < r) {
			t->order[j] = t->order[j - 1];
			j--;
		}
		t->order[j] = (uint16_t)i;
	}
	for (size_t i = 0; i < n; i++) {
		const struct fh_flow *a = &flows[t->order[i]];
		uint32_t r = fh_flow_rank(&a->match);

		for (size_t j = i + 1; j < n; j++) {
			const struct fh_flow *b = &flows[t->order[j]];

			if (fh_flow_rank(&b->match) != r) {
				break;
			}
			if (fh_flow_overlap(&a->match, &b->match)) {
				size_t first = t->order[i],
				       second = t->order[j];

				if (first > second) {
					size_t x = first;

					first = second;
					second = x;
				}
				if (tie_with != NULL) {
					*tie_with = first;
				}
				return fh_fail(err, -EINVAL, second,
					       "overlaps a flow of the same "
					       "specificity");
			}
		}
	}
	/* which flows are indexed: in rank order while their masks leave
	 * few bits free and nodes last, so every flow scanned ranks below
	 * every flow indexed */
	t->first_scan = n;
	t->n_nodes = 0;
	for (size_t i = 0; i < n; i++) {
		const struct fh_flow_match *m = &flows[t->order[i]].match;
		unsigned free_bits =
			16u - (unsigned)__builtin_popcount(m->eaxc_mask);
		size_t need = head_of(m) == FH_FLOW_HEADS ?
				      0 :
				      (size_t)1 << free_bits;

		if (free_bits > FH_FLOW_EXPAND_BITS ||
		    t->n_nodes + need > FH_FLOW_NODES) {
			t->first_scan = i;
			break;
		}
		t->n_nodes += need;
	}
	/* chains built back to front, so each is in rank order */
	t->node = (uint32_t *)(void *)(t->mem + nodes_at(n));
	memset(t->head, 0xff, (size_t)FH_FLOW_HEADS * 65536 * sizeof(uint16_t));
	t->any_port_indexed = false;
	{
		size_t ni = 0;

		for (size_t i = t->first_scan; i-- > 0;) {
			const struct fh_flow_match *m =
				&flows[t->order[i]].match;
			unsigned h = head_of(m);
			uint16_t fixed = m->eaxc_id & m->eaxc_mask,
				 free_mask = (uint16_t)~m->eaxc_mask, sub = 0;

			if (h == FH_FLOW_HEADS) {
				continue;
			}
			t->any_port_indexed |= h == 0;
			/* every eAxC the mask lets through: the subsets of
			 * its free bits */
			do {
				uint16_t e = fixed | sub;

				t->node[ni] = (uint32_t)i << 16 | t->head[h][e];
				t->head[h][e] = (uint16_t)ni++;
				sub = (uint16_t)((sub - free_mask) & free_mask);
			} while (sub != 0);
		}
	}
	build_groups(t);
	return 0;
}
