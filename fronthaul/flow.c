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

size_t fh_flow_table_size(size_t n)
{
	return sizeof(struct fh_flow_table) +
	       (size_t)FH_FLOW_HEADS * 65536 * sizeof(uint16_t) +
	       2 * n * sizeof(uint16_t);
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
	t->next = t->order + n;
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
	/* index the exact-eAxC flows; build chains back to front so each
	 * chain is in rank order */
	memset(t->head, 0xff, (size_t)FH_FLOW_HEADS * 65536 * sizeof(uint16_t));
	t->first_inexact = n;
	t->any_port_exact = false;
	for (size_t i = n; i-- > 0;) {
		const struct fh_flow_match *m = &flows[t->order[i]].match;
		unsigned h;

		if (m->eaxc_mask != 0xffff) {
			t->first_inexact = i;
			t->next[i] = FH_FLOW_NONE;
			continue;
		}
		h = m->in_port == FH_PORT_ANY ? 0 : (unsigned)m->in_port + 1u;
		t->any_port_exact |= h == 0;
		if (h >= FH_FLOW_HEADS) {
			t->next[i] = FH_FLOW_NONE;
			continue; /* a port no packet arrives on */
		}
		t->next[i] = t->head[h][m->eaxc_id];
		t->head[h][m->eaxc_id] = (uint16_t)i;
	}
	return 0;
}
