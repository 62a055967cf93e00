/* SPDX-License-Identifier: Apache-2.0 */
/* The MAC tables of the bridge: the learned one lock-free, one 64-bit
 * word per entry so a lookup never sees a torn (mac, vlan, port); the
 * static one part of the immutable conf, published with it under RCU. */
#include <string.h>

#include <rte_hash_crc.h>

#include "fh/dp.h"

static uint64_t mac_vlan(const uint8_t mac[6], uint16_t vlan)
{
	uint64_t m = 0;

	for (int i = 0; i < 6; i++) {
		m = m << 8 | mac[i];
	}
	return m << 16 | (uint64_t)(vlan & 0xfff) << 4;
}

static uint32_t hash(uint64_t mv)
{
	return rte_hash_crc_8byte(mv, 0x5bd1e995);
}

static struct fh_l2_slot *bucket(const struct fh_l2_table *t, uint64_t mv)
{
	return (struct fh_l2_slot *)t->slot[hash(mv) % FH_L2_BUCKETS];
}

/* The port of mv in fdb, -1 if it has none. */
static int static_find(const struct fh_l2_static *fdb, uint64_t mv)
{
	const uint64_t *b;

	if (fdb == NULL) {
		return -1;
	}
	b = fdb->key[hash(mv) % FH_L2_STATIC_BUCKETS];
	for (int w = 0; w < 4; w++) {
		if (b[w] != 0 && (b[w] & ~0xfull) == mv) {
			return (int)(b[w] & 0xf);
		}
	}
	return -1;
}

void fh_l2_learn(struct fh_l2_table *t, const struct fh_l2_static *fdb,
		 const uint8_t mac[6], uint16_t vlan, unsigned port,
		 uint32_t now_s, struct fh_dp_l2_ctr *ctr)
{
	uint64_t mv = mac_vlan(mac, vlan);
	uint64_t key = mv | (port & 0xf);
	struct fh_l2_slot *b;
	int victim = -1;
	uint32_t oldest = UINT32_MAX;

	if ((mac[0] & 1) || static_find(fdb, mv) >= 0) {
		return; /* never group addresses; static entries win */
	}
	b = bucket(t, mv);
	for (int w = 0; w < FH_L2_WAYS; w++) {
		uint64_t k =
			atomic_load_explicit(&b[w].key, memory_order_relaxed);
		uint32_t seen = atomic_load_explicit(&b[w].seen_s,
						     memory_order_relaxed);

		if (k != 0 && (k & ~0xfull) == mv) {
			if (k != key) {
				atomic_store_explicit(&b[w].key, key,
						      memory_order_relaxed);
			}
			if (seen != now_s) {
				atomic_store_explicit(&b[w].seen_s, now_s,
						      memory_order_relaxed);
			}
			return;
		}
		if (k == 0) {
			victim = w;
			oldest = 0;
		} else if (victim < 0 || (oldest != 0 && seen < oldest)) {
			victim = w;
			oldest = seen;
		}
	}
	atomic_store_explicit(&b[victim].seen_s, now_s, memory_order_relaxed);
	atomic_store_explicit(&b[victim].key, key, memory_order_release);
	fh_ctr_inc(&ctr->learned);
}

int fh_l2_lookup(const struct fh_l2_table *t, const struct fh_l2_static *fdb,
		 const uint8_t mac[6], uint16_t vlan, uint32_t now_s,
		 uint32_t aging_s)
{
	uint64_t mv = mac_vlan(mac, vlan);
	const struct fh_l2_slot *b;
	int port = static_find(fdb, mv);

	if (port >= 0) {
		return port;
	}
	b = bucket(t, mv);
	for (int w = 0; w < FH_L2_WAYS; w++) {
		uint64_t k =
			atomic_load_explicit(&b[w].key, memory_order_acquire);

		if (k != 0 && (k & ~0xfull) == mv) {
			uint32_t seen = atomic_load_explicit(
				&b[w].seen_s, memory_order_relaxed);

			/* signed: lcores (or replayed captures) may look up
			 * with a time a little before the one that learned */
			if (aging_s != 0 &&
			    (int32_t)(now_s - seen) > (int32_t)aging_s) {
				return -1;
			}
			return (int)(k & 0xf);
		}
	}
	return -1;
}

int fh_dp_conf_add_fdb(struct fh_dp_conf *c, const uint8_t mac[6],
		       uint16_t vlan, unsigned port)
{
	uint64_t mv = mac_vlan(mac, vlan);
	uint64_t *b;

	if (port >= c->n_ports || port > 0xf) {
		return -EINVAL;
	}
	b = c->fdb->key[hash(mv) % FH_L2_STATIC_BUCKETS];
	for (int w = 0; w < 4; w++) {
		if (b[w] == 0 || (b[w] & ~0xfull) == mv) {
			b[w] = mv | port;
			return 0;
		}
	}
	return -ENOSPC;
}
