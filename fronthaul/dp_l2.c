/* SPDX-License-Identifier: Apache-2.0 */
/* The MAC learning table of the bridge: lock-free, one 64-bit word per
 * entry so a lookup never sees a torn (mac, vlan, port). */
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

static struct fh_l2_slot *bucket(const struct fh_l2_table *t, uint64_t mv)
{
	uint32_t h = rte_hash_crc_8byte(mv, 0x5bd1e995);

	return (struct fh_l2_slot *)t->slot[h % FH_L2_BUCKETS];
}

void fh_l2_learn(struct fh_l2_table *t, const uint8_t mac[6], uint16_t vlan,
		 unsigned port, uint32_t now_s, struct fh_dp_l2_ctr *ctr)
{
	uint64_t mv = mac_vlan(mac, vlan);
	uint64_t key = mv | (port & 0xf);
	struct fh_l2_slot *b = bucket(t, mv);
	int victim = -1;
	uint32_t oldest = UINT32_MAX;

	if (mac[0] & 1) {
		return; /* never learn group addresses */
	}
	for (int w = 0; w < FH_L2_WAYS; w++) {
		uint64_t k = atomic_load_explicit(&b[w].key,
						  memory_order_relaxed);
		uint32_t seen = atomic_load_explicit(&b[w].seen_s,
						     memory_order_relaxed);

		if (k != 0 && (k & ~0xfull) == mv) {
			if (seen == FH_L2_STATIC) {
				return; /* static entries win */
			}
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
		if (seen == FH_L2_STATIC) {
			continue;
		}
		if (k == 0) {
			victim = w;
			oldest = 0;
		} else if (victim < 0 || (oldest != 0 && seen < oldest)) {
			victim = w;
			oldest = seen;
		}
	}
	if (victim < 0) {
		return; /* bucket full of static entries */
	}
	atomic_store_explicit(&b[victim].seen_s, now_s, memory_order_relaxed);
	atomic_store_explicit(&b[victim].key, key, memory_order_release);
	ctr->learned++;
}

int fh_l2_lookup(const struct fh_l2_table *t, const uint8_t mac[6],
		 uint16_t vlan, uint32_t now_s, uint32_t aging_s)
{
	uint64_t mv = mac_vlan(mac, vlan);
	const struct fh_l2_slot *b = bucket(t, mv);

	for (int w = 0; w < FH_L2_WAYS; w++) {
		uint64_t k = atomic_load_explicit(&b[w].key,
						  memory_order_acquire);

		if (k != 0 && (k & ~0xfull) == mv) {
			uint32_t seen = atomic_load_explicit(
				&b[w].seen_s, memory_order_relaxed);

			/* signed: lcores (or replayed captures) may look up
			 * with a time a little before the one that learned */
			if (seen != FH_L2_STATIC && aging_s != 0 &&
			    (int32_t)(now_s - seen) > (int32_t)aging_s) {
				return -1;
			}
			return (int)(k & 0xf);
		}
	}
	return -1;
}

int fh_l2_add_static(struct fh_l2_table *t, const uint8_t mac[6],
		     uint16_t vlan, unsigned port)
{
	uint64_t mv = mac_vlan(mac, vlan);
	struct fh_l2_slot *b = bucket(t, mv);
	int victim = -1;

	for (int w = 0; w < FH_L2_WAYS; w++) {
		uint64_t k = atomic_load(&b[w].key);

		if ((k != 0 && (k & ~0xfull) == mv) ||
		    (victim < 0 && atomic_load(&b[w].seen_s) != FH_L2_STATIC)) {
			victim = w;
			if (k != 0 && (k & ~0xfull) == mv) {
				break;
			}
		}
	}
	if (victim < 0) {
		return -ENOSPC;
	}
	atomic_store(&b[victim].seen_s, FH_L2_STATIC);
	atomic_store(&b[victim].key, mv | (port & 0xf));
	return 0;
}

void fh_l2_clear_static(struct fh_l2_table *t)
{
	for (unsigned i = 0; i < FH_L2_BUCKETS; i++) {
		for (int w = 0; w < FH_L2_WAYS; w++) {
			if (atomic_load(&t->slot[i][w].seen_s) ==
			    FH_L2_STATIC) {
				atomic_store(&t->slot[i][w].key, 0);
				atomic_store(&t->slot[i][w].seen_s, 0);
			}
		}
	}
}
