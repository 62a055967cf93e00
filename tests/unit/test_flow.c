/* SPDX-License-Identifier: Apache-2.0 */
/* Flow ranking, overlap (ties) and lookup order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fh/flow.h"

static struct fh_flow flow(uint16_t in_port, uint16_t eaxc, uint16_t mask)
{
	struct fh_flow f;

	memset(&f, 0, sizeof(f));
	f.match.in_port = in_port;
	f.match.eaxc_id = eaxc;
	f.match.eaxc_mask = mask;
	return f;
}

static struct fh_flow_table *build(const struct fh_flow *fl, size_t n, int *ret,
				   size_t *tie)
{
	struct fh_flow_table *t = malloc(fh_flow_table_size(n));
	struct fh_err err = {0};

	assert_non_null(t);
	*ret = fh_flow_table_build(t, fl, n, tie, &err);
	return t;
}

static void test_flow_rank_exact_before_masked_before_wildcard(void **state)
{
	struct fh_flow exact = flow(0, 0x0012, 0xffff);
	struct fh_flow masked = flow(0, 0x0010, 0xfff0);
	struct fh_flow wild = flow(0, 0, 0);

	(void)state;
	assert_true(fh_flow_rank(&exact.match) > fh_flow_rank(&masked.match));
	assert_true(fh_flow_rank(&masked.match) > fh_flow_rank(&wild.match));
	/* a wildcard with more keys still ranks below any eAxC mask */
	wild.match.vlan_id = 10;
	wild.match.plane = FH_PLANE_U;
	assert_true(fh_flow_rank(&masked.match) > fh_flow_rank(&wild.match));
	/* more mask bits rank higher */
	struct fh_flow m8 = flow(0, 0x0100, 0xff00);

	assert_true(fh_flow_rank(&masked.match) > fh_flow_rank(&m8.match));
}

static void test_flow_lookup_most_specific_first(void **state)
{
	/* configured least specific first: lookup must not depend on that */
	struct fh_flow fl[3] = {flow(0, 0, 0), flow(0, 0x0010, 0xfff0),
				flow(0, 0x0012, 0xffff)};
	struct fh_flow_key k = {.in_port = 0, .plane = FH_PLANE_U};
	int ret;
	size_t tie;
	struct fh_flow_table *t = build(fl, 3, &ret, &tie);

	(void)state;
	assert_int_equal(ret, 0);
	k.eaxc_id = 0x0012;
	assert_int_equal(fh_flow_lookup(t, &k), 2);
	k.eaxc_id = 0x0013;
	assert_int_equal(fh_flow_lookup(t, &k), 1);
	k.eaxc_id = 0x0123;
	assert_int_equal(fh_flow_lookup(t, &k), 0);
	k.in_port = 1;
	assert_int_equal(fh_flow_lookup(t, &k), -1);
	free(t);
}

static void test_flow_keys_each_restrict(void **state)
{
	static const uint8_t mac_a[6] = {2, 0, 0, 0, 0, 1};
	static const uint8_t mac_b[6] = {2, 0, 0, 0, 0, 2};
	struct fh_flow f = flow(3, 0x0001, 0xffff);
	struct fh_flow_key k = {.in_port = 3,
				.vlan_id = 10,
				.plane = FH_PLANE_C,
				.direction = FH_DIRECTION_DL,
				.eaxc_id = 0x0001,
				.udp_port = 0,
				.src_mac = mac_a,
				.dst_mac = mac_b};

	(void)state;
	f.match.vlan_id = 10;
	f.match.plane = FH_PLANE_C;
	f.match.direction = FH_DIRECTION_DL;
	f.match.has_src_mac = true;
	memcpy(f.match.src_mac, mac_a, 6);
	f.match.has_dst_mac = true;
	memcpy(f.match.dst_mac, mac_b, 6);
	assert_true(fh_flow_matches(&f.match, &k));
	k.vlan_id = 11;
	assert_false(fh_flow_matches(&f.match, &k));
	k.vlan_id = 10;
	k.plane = FH_PLANE_U;
	assert_false(fh_flow_matches(&f.match, &k));
	k.plane = FH_PLANE_C;
	k.direction = FH_DIRECTION_UL;
	assert_false(fh_flow_matches(&f.match, &k));
	k.direction = FH_DIRECTION_DL;
	k.src_mac = mac_b;
	assert_false(fh_flow_matches(&f.match, &k));
	k.src_mac = mac_a;
	k.dst_mac = mac_a;
	assert_false(fh_flow_matches(&f.match, &k));
	k.dst_mac = mac_b;
	k.udp_port = 5000;
	assert_true(fh_flow_matches(&f.match, &k)); /* udp_port 0 = any */
	f.match.udp_port = 4000;
	assert_false(fh_flow_matches(&f.match, &k));
}

static void test_flow_ties_are_rejected(void **state)
{
	/* same rank, overlapping: eAxC 0x001x under two equal masks */
	struct fh_flow fl[3] = {flow(0, 0x0100, 0xff00),
				flow(0, 0x0010, 0xfff0),
				flow(0, 0x0012, 0xfff0)};
	int ret;
	size_t tie = 99;
	struct fh_flow_table *t = build(fl, 3, &ret, &tie);

	(void)state;
	assert_int_equal(ret, -EINVAL);
	assert_int_equal(tie, 1);
	free(t);
	/* same rank but disjoint (different in_port) is fine */
	fl[2].match.in_port = 1;
	t = build(fl, 3, &ret, &tie);
	assert_int_equal(ret, 0);
	free(t);
	/* disjoint through the eAxC bits both masks cover */
	fl[2].match.in_port = 0;
	fl[2].match.eaxc_id = 0x0020;
	t = build(fl, 3, &ret, &tie);
	assert_int_equal(ret, 0);
	free(t);
}

static void test_flow_overlap_by_wildcards(void **state)
{
	struct fh_flow a = flow(FH_PORT_ANY, 0, 0), b = flow(2, 0, 0);

	(void)state;
	a.match.plane = FH_PLANE_U;
	b.match.direction = FH_DIRECTION_UL;
	/* same rank (one key each), and a U-plane UL packet on port 2 hits
	 * both: a tie */
	assert_true(fh_flow_overlap(&a.match, &b.match));
	b.match.plane = FH_PLANE_C;
	assert_false(fh_flow_overlap(&a.match, &b.match));
}

/* PCP is a key like the others: different PCPs never overlap, a PCP
 * match needs a tagged frame, and it counts toward specificity. */
static void test_flow_pcp_match(void **state)
{
	struct fh_flow fl[3] = {flow(1, 0, 0), flow(1, 0, 0), flow(1, 0, 0)};
	struct fh_flow_key k = {.in_port = 1,
				.vlan_id = 10,
				.pcp = 7,
				.plane = FH_PLANE_U,
				.direction = FH_DIRECTION_DL};
	struct fh_flow_table *t;
	size_t tie;
	int ret;

	(void)state;
	fl[0].match.has_pcp = true;
	fl[0].match.pcp = 7;
	fl[1].match.has_pcp = true;
	fl[1].match.pcp = 6;
	assert_false(fh_flow_overlap(&fl[0].match, &fl[1].match));
	assert_true(fh_flow_overlap(&fl[0].match, &fl[2].match));
	assert_true(fh_flow_rank(&fl[0].match) > fh_flow_rank(&fl[2].match));
	t = build(fl, 3, &ret, &tie);
	assert_int_equal(ret, 0);
	assert_int_equal(fh_flow_lookup(t, &k), 0);
	k.pcp = 6;
	assert_int_equal(fh_flow_lookup(t, &k), 1);
	k.pcp = 5;
	assert_int_equal(fh_flow_lookup(t, &k), 2);
	k.pcp = FH_PCP_NONE; /* untagged: only the flow without a PCP */
	k.vlan_id = 0;
	assert_int_equal(fh_flow_lookup(t, &k), 2);
	free(t);
}

static void test_flow_lookup_merges_any_port_and_port_chains(void **state)
{
	/* exact eAxC 5 on any port with two more keys outranks exact eAxC 5
	 * on port 1 with one: the index must merge both chains by rank */
	struct fh_flow fl[4] = {flow(1, 5, 0xffff),
				flow(FH_PORT_ANY, 5, 0xffff),
				flow(1, 0, 0xfff0), flow(FH_PORT_ANY, 0, 0)};
	struct fh_flow_key k = {.in_port = 1,
				.eaxc_id = 5,
				.plane = FH_PLANE_U,
				.direction = FH_DIRECTION_DL};
	int ret;
	size_t tie;
	struct fh_flow_table *t;

	(void)state;
	fl[1].match.plane = FH_PLANE_U;
	fl[1].match.direction = FH_DIRECTION_DL;
	t = build(fl, 4, &ret, &tie);
	assert_int_equal(ret, 0);
	assert_int_equal(fh_flow_lookup(t, &k), 1);
	k.plane = FH_PLANE_C; /* only the port-1 exact flow */
	assert_int_equal(fh_flow_lookup(t, &k), 0);
	k.in_port = 2; /* exact flows miss: the wildcard */
	assert_int_equal(fh_flow_lookup(t, &k), 3);
	k.in_port = 1;
	k.eaxc_id = 7; /* the masked flow */
	assert_int_equal(fh_flow_lookup(t, &k), 2);
	k.in_port = 3;
	k.plane = FH_PLANE_U;
	k.eaxc_id = 5; /* any-port exact flow on another port */
	assert_int_equal(fh_flow_lookup(t, &k), 1);
	free(t);
}

/* The flow a lookup must find: of the flows matching k, the highest rank
 * (ties between overlapping flows are refused; between disjoint ones the
 * first configured), or -1. */
static long lookup_ref(const struct fh_flow *fl, size_t n,
		       const struct fh_flow_key *k)
{
	long best = -1;

	for (size_t i = 0; i < n; i++) {
		if (fh_flow_matches(&fl[i].match, k) &&
		    (best < 0 || fh_flow_rank(&fl[i].match) >
					 fh_flow_rank(&fl[best].match))) {
			best = (long)i;
		}
	}
	return best;
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* Masks with few free bits are indexed under each eAxC they let through,
 * wider ones and wildcards grouped and hashed after: random tables of every kind
 * (exact, masked by 1..12 free bits, wildcard; one port, any port; with
 * or without each other key) agree with the reference on random keys, including
 * tables that run out of chain nodes part way. */
static void test_flow_lookup_indexed_masks_agree(void **state)
{
	enum { MAXF = 400, KEYS = 4000 };
	static const uint8_t macs[2][6] = {{2, 0, 0, 0, 0, 1},
					   {2, 0, 0, 0, 0, 2}};
	struct fh_flow *fl = calloc(MAXF, sizeof(*fl));
	unsigned tables = 0, scanned = 0, indexed_masked = 0;

	(void)state;
	assert_non_null(fl);
	for (unsigned round = 0; round < 200; round++) {
		size_t n = 1 + rnd() % (round < 150 ? 40 : MAXF);
		struct fh_flow_table *t;
		size_t tie;
		int ret;

		size_t want = n;

		n = 0;
		for (size_t tries = 0; n < want && tries < 4 * want; tries++) {
			unsigned kind = rnd() % 4, fb = 1 + rnd() % 12;
			bool tie_found = false;
			uint16_t mask = kind == 0 ? 0xffff :
					kind == 3 ? 0 :
						    (uint16_t)(0xffffu << fb);

			if (round >= 150 && kind != 0) {
				mask = 0xff00; /* 256 nodes each: the budget */
			}
			fl[n] = flow(rnd() % 3 == 0 ? FH_PORT_ANY :
						      (uint16_t)(rnd() % 3),
				     (uint16_t)(rnd() % 64 | (rnd() % 4) << 8),
				     mask);
			fl[n].match.plane = (uint8_t)(rnd() % 3);
			fl[n].match.vlan_id = (uint16_t)(rnd() % 2 ? 0 : 7);
			if (round % 2) {
				/* the other keys too */
				struct fh_flow_match *m = &fl[n].match;

				m->direction = (uint8_t)(rnd() % 3);
				m->udp_port = (uint16_t)(rnd() % 2 ? 0 : 9);
				m->has_pcp = rnd() % 3 == 0;
				m->pcp = (uint8_t)(rnd() % 2);
				m->has_src_mac = rnd() % 3 == 0;
				memcpy(m->src_mac, macs[rnd() % 2], 6);
				m->has_dst_mac = rnd() % 3 == 0;
				memcpy(m->dst_mac, macs[rnd() % 2], 6);
			}
			/* a flow tying with one kept is what a config
			 * cannot hold: not kept */
			for (size_t j = 0; j < n && !tie_found; j++) {
				tie_found =
					fh_flow_rank(&fl[j].match) ==
						fh_flow_rank(&fl[n].match) &&
					fh_flow_overlap(&fl[j].match,
							&fl[n].match);
			}
			n += !tie_found;
		}
		t = build(fl, n, &ret, &tie);
		assert_int_equal(ret, 0);
		tables++;
		scanned += t->first_scan < n;
		for (size_t i = 0; i < t->first_scan; i++) {
			uint16_t m = fl[t->order[i]].match.eaxc_mask;

			indexed_masked += m != 0xffff;
		}
		for (unsigned q = 0; q < KEYS; q++) {
			struct fh_flow_key k = {
				.in_port = (uint16_t)(rnd() % 4),
				.plane = (uint8_t)(1 + rnd() % 2),
				.vlan_id = (uint16_t)(rnd() % 2 ? 0 : 7),
				.eaxc_id = (uint16_t)(rnd() % 64 |
						      (rnd() % 4) << 8),
				.direction = (uint8_t)(1 + rnd() % 2),
				.udp_port = (uint16_t)(rnd() % 2 ? 0 : 9),
				.pcp = (uint8_t)(rnd() % 3 == 2 ? FH_PCP_NONE :
								  rnd() % 2),
				.src_mac = macs[rnd() % 2],
				.dst_mac = macs[rnd() % 2],
			};

			assert_int_equal(fh_flow_lookup(t, &k),
					 lookup_ref(fl, n, &k));
		}
		assert_true(t->n_nodes <= FH_FLOW_NODES);
		free(t);
	}
	/* the rounds covered what they are for */
	assert_true(tables > 50);
	assert_true(scanned > 10);
	assert_true(indexed_masked > 100);
	free(fl);
}

/* The default config's masks (0xfffe: an eAxC pair per flow) are indexed,
 * an 8-bit-free mask too, a 9-bit one is scanned. */
static void test_flow_masks_indexed_up_to_8_free_bits(void **state)
{
	struct fh_flow fl[3] = {flow(0, 2, 0xfffe), flow(1, 0x100, 0xff00),
				flow(2, 0, 0xfe00)};
	struct fh_flow_key k = {.in_port = 0, .eaxc_id = 3};
	struct fh_flow_table *t;
	size_t tie;
	int ret;

	(void)state;
	t = build(fl, 3, &ret, &tie);
	assert_int_equal(ret, 0);
	assert_int_equal(t->first_scan, 2);
	assert_int_equal(t->n_nodes, 2 + 256);
	assert_int_equal(fh_flow_lookup(t, &k), 0);
	k.eaxc_id = 4;
	assert_int_equal(fh_flow_lookup(t, &k), -1);
	k.in_port = 1;
	k.eaxc_id = 0x1ff;
	assert_int_equal(fh_flow_lookup(t, &k), 1);
	k.in_port = 2;
	assert_int_equal(fh_flow_lookup(t, &k), 2);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_flow_rank_exact_before_masked_before_wildcard),
		cmocka_unit_test(test_flow_lookup_most_specific_first),
		cmocka_unit_test(test_flow_keys_each_restrict),
		cmocka_unit_test(test_flow_ties_are_rejected),
		cmocka_unit_test(test_flow_overlap_by_wildcards),
		cmocka_unit_test(test_flow_pcp_match),
		cmocka_unit_test(
			test_flow_lookup_merges_any_port_and_port_chains),
		cmocka_unit_test(test_flow_lookup_indexed_masks_agree),
		cmocka_unit_test(test_flow_masks_indexed_up_to_8_free_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
