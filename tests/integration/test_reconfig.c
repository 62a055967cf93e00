/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reconfiguration under load: K packets circulate between two ring
 * loopback ports (A -> B -> A ...) through the data path while a control
 * thread replaces the whole configuration 1,000 times, alternating two
 * configs that route the same way through different flow tables (one adds
 * a decoy flow that would send A's traffic back to A).  Afterwards:
 * zero loss (exactly K packets still in flight, no drops), zero
 * misrouting (per-flow counters equal the port counters they feed, the
 * decoy saw nothing), and forwarding made progress throughout.
 *
 * With --lcores 2 the pipeline runs on two lcores: every port gets one
 * rx/tx queue pair per lcore and the packets are injected into both
 * queues, so both lcores forward (checked through the per-queue stats).
 *
 *   test_reconfig [--swaps N] [--lcores 1|2]   (EAL arguments built in)
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "fh/bits.h"
#include "fh/ecpri.h"
#include "fh/frame.h"
#include "fh/oran.h"
#include "hal.h"

#define K 512
#define FAIL(...)                                      \
	do {                                           \
		fprintf(stderr, "FAIL: " __VA_ARGS__); \
		fputc('\n', stderr);                   \
		failures++;                            \
	} while (0)

static int failures;
static unsigned n_swaps = 1000;
static struct hal *hal;
static _Atomic unsigned swaps_done;
static _Atomic int swap_err;

static void base_config(struct hal_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "reconfig");
	c->layout = FH_EAXC_LAYOUT_4444;
	c->timing.mu = 1;
	c->n_ports = 2;
	snprintf(c->ports[0].name, HAL_NAME_LEN, "A");
	snprintf(c->ports[0].device, HAL_DEVICE_LEN, "net_ring0");
	snprintf(c->ports[1].name, HAL_NAME_LEN, "B");
	snprintf(c->ports[1].device, HAL_DEVICE_LEN, "net_ring1");
	c->learning = true;
	c->aging_s = 300;
	snprintf(c->backend, sizeof(c->backend), "dpdk");
}

static struct fh_flow mkflow(const char *name, uint16_t in, uint16_t out,
			     uint16_t eaxc, uint16_t mask)
{
	struct fh_flow f;

	memset(&f, 0, sizeof(f));
	snprintf(f.name, sizeof(f.name), "%s", name);
	f.match.in_port = in;
	f.match.plane = FH_PLANE_U;
	f.match.eaxc_id = eaxc;
	f.match.eaxc_mask = mask;
	f.action.out_ports[0] = out;
	f.action.n_out_ports = 1;
	return f;
}

/* Two tables that route identically: exact-ish masks vs wildcards + a
 * decoy (eAxC 0x0ff0 never occurs) that would loop A back to A. */
static struct fh_flow flows_a[2], flows_b[3];

static void *swapper(void *arg)
{
	struct hal_config *cfg = arg;
	char msg[256];

	for (unsigned i = 0; i < n_swaps; i++) {
		int ret;

		cfg->flows = i % 2 ? flows_a : flows_b;
		cfg->n_flows = i % 2 ? 2 : 3;
		ret = hal_apply(hal, cfg, msg, sizeof(msg));
		if (ret < 0) {
			atomic_store(&swap_err, ret);
			fprintf(stderr, "apply %u: %s\n", i, msg);
			break;
		}
		atomic_fetch_add(&swaps_done, 1);
	}
	hal_stop(hal);
	return NULL;
}

static struct rte_mbuf *make_pkt(struct rte_mempool *mp, unsigned i)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct fh_frame_spec spec = {.dst = {2, 0, 0, 0, 0, 0xb},
				     .src = {2, 0, 0, 0, 0, 0xa}};
	uint8_t body[64];
	struct fh_radio_hdr rh = {.direction = FH_DIR_DL, .frame_id = 1};
	struct fh_ecpri_msg e = {.type = FH_ECPRI_IQ_DATA};
	uint8_t *d;
	long hl, n;

	if (m == NULL) {
		return NULL;
	}
	d = (uint8_t *)rte_pktmbuf_append(m, 100);
	memset(d, 0, 100);
	fh_radio_hdr_build(body, &rh);
	/* one section: id 1, PRB 0, one PRB of bfp:9 (28 bytes) */
	memcpy(body + 4, (const uint8_t[]){0x00, 0x10, 0x00, 0x01}, 4);
	memset(body + 8, 0x5a, 28);
	e.u.iq.id = (uint16_t)(i % 8);
	e.u.iq.seq_id = 0x80;
	e.body = body;
	e.body_len = 36;
	hl = fh_frame_build_hdr(d, 100, &spec, 4 + 4 + 36);
	n = fh_ecpri_build(d + hl, 100 - (size_t)hl, &e);
	if (hl < 0 || n < 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	return m;
}

int main(int argc, char **argv)
{
	char *eal[] = {
		argv[0],    "--no-huge",	 "-m",		"128",
		"--no-pci", "--file-prefix",	 "fh_reconfig", "-l",
		"0",	    "--log-level=error", "--vdev",	"net_ring0",
		"--vdev",   "net_ring1"};
	struct hal_params hp = {.backend = "dpdk"};
	struct hal_config cfg;
	struct hal_port_stats pa, pb;
	struct hal_flow_stats a2b, b2a, decoy = {0};
	struct rte_mempool *mp;
	pthread_t th;
	char msg[256];
	uint16_t pid_a, pid_b;
	unsigned in_flight = 0;

	unsigned n_lcores = 1;

	for (int i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--swaps") == 0) {
			n_swaps = (unsigned)atoi(argv[i + 1]);
		}
		if (strcmp(argv[i], "--lcores") == 0) {
			n_lcores = (unsigned)atoi(argv[i + 1]);
		}
	}
	if (n_lcores == 2) {
		eal[8] = "0-1";
		eal[6] = "fh_reconfig2";
	}
	/* the backend brings the EAL up from its arguments */
	hp.argc = (int)(sizeof(eal) / sizeof(eal[0]));
	hp.argv = eal;
	flows_a[0] = mkflow("a2b", 0, 1, 0, 0xfff8);
	flows_a[1] = mkflow("b2a", 1, 0, 0, 0xfff8);
	flows_b[0] = mkflow("a2b", 0, 1, 0, 0);
	flows_b[1] = mkflow("b2a", 1, 0, 0, 0);
	flows_b[2] = mkflow("decoy", 0, 0, 0x0ff0, 0xffff);
	base_config(&cfg);
	cfg.flows = flows_a;
	cfg.n_flows = 2;
	msg[0] = '\0';
	if (hal_open(&hp, &hal, msg, sizeof(msg)) < 0 ||
	    hal_apply(hal, &cfg, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "setup: %s\n", msg);
		return 1;
	}
	rte_eth_dev_get_port_by_name("net_ring0", &pid_a);
	rte_eth_dev_get_port_by_name("net_ring1", &pid_b);
	mp = rte_pktmbuf_pool_create("test_pool", 1023, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	for (unsigned i = 0; i < K; i++) {
		struct rte_mbuf *m = make_pkt(mp, i);

		/* queue q of a ring port loops back to its own rx queue q */
		if (m == NULL ||
		    rte_eth_tx_burst(pid_a, (uint16_t)(i % n_lcores), &m, 1) !=
			    1) {
			fprintf(stderr, "inject failed at %u\n", i);
			return 1;
		}
	}
	if (hal_thread_create(hal, &th, "swapper", swapper, &cfg) != 0) {
		return 1;
	}
	hal_run(hal);
	pthread_join(th, NULL);

	/* everything still in flight sits in the two loopback rings */
	for (int p = 0; p < 2; p++) {
		for (uint16_t q = 0; q < n_lcores; q++) {
			struct rte_mbuf *burst[32];
			uint16_t n;

			while ((n = rte_eth_rx_burst(p ? pid_b : pid_a, q,
						     burst, 32)) > 0) {
				in_flight += n;
				rte_pktmbuf_free_bulk(burst, n);
			}
		}
	}
	if (n_lcores == 2) {
		struct rte_eth_stats es;

		/* both queues, so both lcores, carried traffic */
		rte_eth_stats_get(pid_a, &es);
		printf("port A rx per queue: %llu %llu\n",
		       (unsigned long long)es.q_ipackets[0],
		       (unsigned long long)es.q_ipackets[1]);
		if (es.q_ipackets[0] < 1000 || es.q_ipackets[1] < 1000) {
			FAIL("lcores: queue 0 %llu, queue 1 %llu packets",
			     (unsigned long long)es.q_ipackets[0],
			     (unsigned long long)es.q_ipackets[1]);
		}
	}
	hal_port_stats(hal, 0, &pa);
	hal_port_stats(hal, 1, &pb);
	hal_flow_stats(hal, "a2b", &a2b);
	hal_flow_stats(hal, "b2a", &b2a);
	/* the last config applied decides whether decoy still exists */
	hal_flow_stats(hal, "decoy", &decoy);

	printf("swaps %u, packets forwarded A %llu B %llu, in flight %u\n",
	       atomic_load(&swaps_done), (unsigned long long)pa.rx_packets,
	       (unsigned long long)pb.rx_packets, in_flight);
	if (atomic_load(&swap_err) != 0 ||
	    atomic_load(&swaps_done) != n_swaps) {
		FAIL("only %u of %u swaps applied", atomic_load(&swaps_done),
		     n_swaps);
	}
	if (in_flight != K) {
		FAIL("loss: %u packets in flight, %d injected", in_flight, K);
	}
	if (pa.drops != 0 || pb.drops != 0) {
		FAIL("drops: A %llu B %llu", (unsigned long long)pa.drops,
		     (unsigned long long)pb.drops);
	}
	if (a2b.rx_total != pa.rx_packets || b2a.rx_total != pb.rx_packets) {
		FAIL("classification: a2b %llu vs A rx %llu, b2a %llu vs B rx "
		     "%llu",
		     (unsigned long long)a2b.rx_total,
		     (unsigned long long)pa.rx_packets,
		     (unsigned long long)b2a.rx_total,
		     (unsigned long long)pb.rx_packets);
	}
	if (a2b.tx_total != pb.tx_packets || b2a.tx_total != pa.tx_packets) {
		FAIL("misrouting: a2b tx %llu vs B tx %llu, b2a tx %llu vs A "
		     "tx %llu",
		     (unsigned long long)a2b.tx_total,
		     (unsigned long long)pb.tx_packets,
		     (unsigned long long)b2a.tx_total,
		     (unsigned long long)pa.tx_packets);
	}
	if (decoy.rx_total != 0) {
		FAIL("decoy flow matched %llu packets",
		     (unsigned long long)decoy.rx_total);
	}
	if (pa.rx_packets < (uint64_t)n_swaps * 10) {
		FAIL("forwarding stalled: %llu packets over %u swaps",
		     (unsigned long long)pa.rx_packets, n_swaps);
	}
	rte_mempool_free(mp);
	hal_close(hal); /* and the EAL with it */
	printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
	return failures ? 1 : 0;
}
