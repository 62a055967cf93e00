/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The switchdev backend's netlink primitives (hal_switchdev.h), links,
 * bridge and FDB side (tc is in hal_switchdev_tc.c): libnl 3.7 objects
 * where libnl has them (links, bridge FDB neighbours) and raw messages
 * built with libnl's nlmsg API where it has none (bridge vlan_filtering
 * and ageing, port VLANs, the port learning flag, FDB lookups).
 */
#include <net/if.h> /* before the kernel headers libnl pulls in */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <linux/ethtool.h>
#include <linux/gen_stats.h>
#include <linux/if_bridge.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/tc_act/tc_vlan.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/act/gact.h>
#include <netlink/route/act/mirred.h>
#include <netlink/route/act/vlan.h>
#include <netlink/route/action.h>
#include <netlink/route/classifier.h>
#include <netlink/route/cls/flower.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>
#include <netlink/socket.h>

#include "hal_switchdev.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define MSG_SIZE 16384 /* the largest request: port VLAN ranges */

/* ---- socket and errors -------------------------------------------------- */

/* Keeps the kernel's errno and extended-ack text of a failed request: the
 * errno survives libnl's mapping to NLE_* and the text says which
 * attribute the kernel refused. */
static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct sd_nl *nl = arg;
	const struct nlmsghdr *h =
		(const void *)((const char *)e - NLMSG_HDRLEN);
	size_t off = sizeof(*e);

	(void)nla;
	nl->kerr = -e->error;
	nl->why[0] = '\0';
	if (!(h->nlmsg_flags & NLM_F_CAPPED)) {
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if ((h->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    h->nlmsg_len > NLMSG_HDRLEN + off) {
		struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

		if (nla_parse(tb, NLMSGERR_ATTR_MAX,
			      (struct nlattr *)((char *)e + off),
			      (int)(h->nlmsg_len - NLMSG_HDRLEN - off),
			      NULL) == 0 &&
		    tb[NLMSGERR_ATTR_MSG] != NULL) {
			nla_strlcpy(nl->why, tb[NLMSGERR_ATTR_MSG],
				    sizeof(nl->why));
		}
	}
	return NL_STOP;
}

int sd_nl_open(struct sd_nl *nl)
{
	struct nl_cb *cb;
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (nl->sk == NULL) {
		return -ENOMEM;
	}
	err = nl_connect(nl->sk, NETLINK_ROUTE);
	if (err < 0) {
		err = sd_nl_errno(nl, err);
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return err;
	}
	/* filter and FDB dumps of a busy switch are large */
	nl_socket_set_buffer_size(nl->sk, 1 << 20, 1 << 20);
	nl_socket_enable_msg_peek(nl->sk);
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	cb = nl_socket_get_cb(nl->sk);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, nl);
	nl_cb_put(cb);
	return 0;
}

void sd_nl_close(struct sd_nl *nl)
{
	if (nl->sk != NULL) {
		nl_socket_free(nl->sk);
		nl->sk = NULL;
	}
}

int sd_nl_errno(struct sd_nl *nl, int nle)
{
	static const struct {
		int nle, err;
	} map[] = {
		{NLE_INTR, EINTR},
		{NLE_BAD_SOCK, EBADF},
		{NLE_AGAIN, EAGAIN},
		{NLE_NOMEM, ENOMEM},
		{NLE_EXIST, EEXIST},
		{NLE_INVAL, EINVAL},
		{NLE_RANGE, ERANGE},
		{NLE_MSGSIZE, EMSGSIZE},
		{NLE_OPNOTSUPP, EOPNOTSUPP},
		{NLE_AF_NOSUPPORT, EAFNOSUPPORT},
		{NLE_OBJ_NOTFOUND, ENOENT},
		{NLE_NOATTR, ENODATA},
		{NLE_MISSING_ATTR, EINVAL},
		{NLE_AF_MISMATCH, EINVAL},
		{NLE_SEQ_MISMATCH, EPROTO},
		{NLE_MSG_OVERFLOW, EOVERFLOW},
		{NLE_MSG_TRUNC, EMSGSIZE},
		{NLE_NOADDR, EADDRNOTAVAIL},
		{NLE_SRCRT_NOSUPPORT, EOPNOTSUPP},
		{NLE_MSG_TOOSHORT, EPROTO},
		{NLE_MSGTYPE_NOSUPPORT, EOPNOTSUPP},
		{NLE_OBJ_MISMATCH, EINVAL},
		{NLE_NOCACHE, ENOENT},
		{NLE_BUSY, EBUSY},
		{NLE_PROTO_MISMATCH, EPROTONOSUPPORT},
		{NLE_NOACCESS, EACCES},
		{NLE_PERM, EPERM},
		{NLE_PARSE_ERR, EPROTO},
		{NLE_NODEV, ENODEV},
		{NLE_IMMUTABLE, EPERM},
		{NLE_DUMP_INTR, EINTR},
		{NLE_ATTRSIZE, EINVAL},
	};

	if (nle >= 0) {
		return 0;
	}
	if (nl->kerr > 0) {
		return -nl->kerr;
	}
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].nle == -nle) {
			return -map[i].err;
		}
	}
	return -EIO;
}

void sd_nl_begin(struct sd_nl *nl)
{
	nl->kerr = 0;
	nl->why[0] = '\0';
}

int sd_nl_done(struct sd_nl *nl, int nle)
{
	return nle < 0 ? sd_nl_errno(nl, nle) : 0;
}

/* A request with a raw header: nlmsg of type/flags carrying hdr. */
struct nl_msg *sd_nl_msg(int type, int flags, const void *hdr, size_t len)
{
	struct nl_msg *m = nlmsg_alloc_size(MSG_SIZE);

	if (m == NULL) {
		return NULL;
	}
	if (nlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, type, 0, flags) == NULL ||
	    nlmsg_append(m, (void *)hdr, len, NLMSG_ALIGNTO) < 0) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

struct reply {
	int (*fn)(struct nl_msg *, void *);
	void *arg;
	bool got;
};

static int on_reply(struct nl_msg *m, void *arg)
{
	struct reply *r = arg;

	r->got = true;
	return r->fn(m, r->arg);
}

/* Send a GET (doit or dump) and hand each answer to fn.  Takes msg. */
int sd_nl_query(struct sd_nl *nl, struct nl_msg *msg, bool dump,
		int (*fn)(struct nl_msg *, void *), void *arg)
{
	struct reply r = {fn, arg, false};
	struct nl_cb *sc, *cb;
	int err;

	err = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (err < 0) {
		return err;
	}
	sc = nl_socket_get_cb(nl->sk);
	cb = nl_cb_clone(sc);
	nl_cb_put(sc);
	if (cb == NULL) {
		return -NLE_NOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_reply, &r);
	err = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);
	/* a doit answers, then acks: consume the ack to keep in sequence */
	if (err >= 0 && !dump && r.got) {
		err = nl_wait_for_ack(nl->sk);
	}
	return err;
}

/* ---- links ---------------------------------------------------------------- */

static void link_fill(struct rtnl_link *l, struct sd_link *out)
{
	const char *kind = rtnl_link_get_type(l);
	const char *alias = rtnl_link_get_ifalias(l);

	memset(out, 0, sizeof(*out));
	out->ifindex = rtnl_link_get_ifindex(l);
	out->master = rtnl_link_get_master(l);
	out->up = (rtnl_link_get_flags(l) & IFF_UP) != 0;
	out->mtu = rtnl_link_get_mtu(l);
	if (kind != NULL) {
		strncpy(out->kind, kind, sizeof(out->kind) - 1);
	}
	out->ours = alias != NULL && strcmp(alias, SD_BRIDGE_ALIAS) == 0;
}

int sd_link_get(struct sd_nl *nl, const char *name, struct sd_link *out)
{
	struct rtnl_link *l;
	int err;

	sd_nl_begin(nl);
	if (name[0] == '\0' || strlen(name) >= IFNAMSIZ) {
		return -ENODEV;
	}
	err = rtnl_link_get_kernel(nl->sk, 0, name, &l);
	if (err < 0) {
		err = sd_nl_done(nl, err);
		return err == -ENOENT ? -ENODEV : err;
	}
	link_fill(l, out);
	rtnl_link_put(l);
	return 0;
}

int sd_link_get_index(struct sd_nl *nl, int ifindex, struct sd_link *out)
{
	struct rtnl_link *l;
	int err;

	sd_nl_begin(nl);
	err = rtnl_link_get_kernel(nl->sk, ifindex, NULL, &l);
	if (err < 0) {
		err = sd_nl_done(nl, err);
		return err == -ENOENT ? -ENODEV : err;
	}
	link_fill(l, out);
	rtnl_link_put(l);
	return 0;
}

/* Apply changes (taken) to the link ifindex. */
static int link_change(struct sd_nl *nl, int ifindex, struct rtnl_link *changes)
{
	struct rtnl_link *orig;
	int err;

	sd_nl_begin(nl);
	err = rtnl_link_get_kernel(nl->sk, ifindex, NULL, &orig);
	if (err == 0) {
		sd_nl_begin(nl);
		err = rtnl_link_change(nl->sk, orig, changes, 0);
		rtnl_link_put(orig);
	}
	rtnl_link_put(changes);
	return sd_nl_done(nl, err);
}

int sd_link_set_up(struct sd_nl *nl, int ifindex, bool up)
{
	struct rtnl_link *c = rtnl_link_alloc();

	if (c == NULL) {
		return -ENOMEM;
	}
	if (up) {
		rtnl_link_set_flags(c, IFF_UP);
	} else {
		rtnl_link_unset_flags(c, IFF_UP);
	}
	return link_change(nl, ifindex, c);
}

int sd_link_set_mtu(struct sd_nl *nl, int ifindex, unsigned mtu)
{
	struct rtnl_link *c = rtnl_link_alloc();

	if (c == NULL) {
		return -ENOMEM;
	}
	rtnl_link_set_mtu(c, mtu);
	return link_change(nl, ifindex, c);
}

int sd_link_set_master(struct sd_nl *nl, int ifindex, int master)
{
	sd_nl_begin(nl);
	if (master == 0) {
		return sd_nl_done(nl,
				  rtnl_link_release_ifindex(nl->sk, ifindex));
	}
	return sd_nl_done(nl,
			  rtnl_link_enslave_ifindex(nl->sk, master, ifindex));
}

int sd_link_delete(struct sd_nl *nl, int ifindex)
{
	struct rtnl_link *l = rtnl_link_alloc();
	int err;

	if (l == NULL) {
		return -ENOMEM;
	}
	sd_nl_begin(nl);
	rtnl_link_set_ifindex(l, ifindex);
	err = rtnl_link_delete(nl->sk, l);
	rtnl_link_put(l);
	return sd_nl_done(nl, err);
}

int sd_link_stats(struct sd_nl *nl, int ifindex, struct hal_port_stats *out)
{
	struct rtnl_link *l;
	int err;

	sd_nl_begin(nl);
	err = rtnl_link_get_kernel(nl->sk, ifindex, NULL, &l);
	if (err < 0) {
		return sd_nl_done(nl, err);
	}
	out->rx_packets = rtnl_link_get_stat(l, RTNL_LINK_RX_PACKETS);
	out->tx_packets = rtnl_link_get_stat(l, RTNL_LINK_TX_PACKETS);
	out->rx_bytes = rtnl_link_get_stat(l, RTNL_LINK_RX_BYTES);
	out->tx_bytes = rtnl_link_get_stat(l, RTNL_LINK_TX_BYTES);
	out->drops = rtnl_link_get_stat(l, RTNL_LINK_RX_DROPPED) +
		     rtnl_link_get_stat(l, RTNL_LINK_TX_DROPPED);
	rtnl_link_put(l);
	return 0;
}

/* ethtool has no rtnetlink side: the feature bit through SIOCETHTOOL. */
bool sd_link_tc_offload(const char *name)
{
	struct ethtool_sset_info *sset = NULL;
	struct ethtool_gstrings *str = NULL;
	struct ethtool_gfeatures *feat = NULL;
	struct ifreq ifr;
	bool on = false;
	uint32_t n, bit = UINT32_MAX;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	/* the count of features follows the header */
	sset = calloc(1, sizeof(*sset) + sizeof(uint32_t));
	if (fd < 0 || sset == NULL || strlen(name) >= IFNAMSIZ) {
		goto out;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	sset->cmd = ETHTOOL_GSSET_INFO;
	sset->sset_mask = 1ull << ETH_SS_FEATURES;
	ifr.ifr_data = (void *)sset;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0 || sset->sset_mask == 0) {
		goto out;
	}
	n = sset->data[0];
	str = calloc(1, sizeof(*str) + (size_t)n * ETH_GSTRING_LEN);
	feat = calloc(1, sizeof(*feat) +
				 (n + 31) / 32 * sizeof(feat->features[0]));
	if (str == NULL || feat == NULL) {
		goto out;
	}
	str->cmd = ETHTOOL_GSTRINGS;
	str->string_set = ETH_SS_FEATURES;
	str->len = n;
	ifr.ifr_data = (void *)str;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (strncmp((const char *)str->data +
				    (size_t)i * ETH_GSTRING_LEN,
			    "hw-tc-offload", ETH_GSTRING_LEN) == 0) {
			bit = i;
			break;
		}
	}
	if (bit == UINT32_MAX) {
		goto out;
	}
	feat->cmd = ETHTOOL_GFEATURES;
	feat->size = (n + 31) / 32;
	ifr.ifr_data = (void *)feat;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0) {
		on = feat->features[bit / 32].active >> (bit % 32) & 1;
	}
out:
	free(sset);
	free(str);
	free(feat);
	if (fd >= 0) {
		close(fd);
	}
	return on;
}

/* ---- bridge (raw: libnl 3.7 has no IFLA_BR_* setters) -------------------- */

static struct nl_msg *bridge_msg(int flags, int ifindex, const char *name,
				 int vlan_filtering, int default_pvid,
				 long ageing_cs)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nl_msg *m = sd_nl_msg(RTM_NEWLINK, flags, &ifi, sizeof(ifi));
	struct nlattr *li, *data;

	if (m == NULL) {
		return NULL;
	}
	if ((name != NULL && nla_put_string(m, IFLA_IFNAME, name) < 0) ||
	    (li = nla_nest_start(m, IFLA_LINKINFO)) == NULL ||
	    nla_put_string(m, IFLA_INFO_KIND, "bridge") < 0 ||
	    (data = nla_nest_start(m, IFLA_INFO_DATA)) == NULL ||
	    (vlan_filtering >= 0 && nla_put_u8(m, IFLA_BR_VLAN_FILTERING,
					       (uint8_t)vlan_filtering) < 0) ||
	    (default_pvid >= 0 && nla_put_u16(m, IFLA_BR_VLAN_DEFAULT_PVID,
					      (uint16_t)default_pvid) < 0) ||
	    (ageing_cs >= 0 &&
	     nla_put_u32(m, IFLA_BR_AGEING_TIME, (uint32_t)ageing_cs) < 0)) {
		nlmsg_free(m);
		return NULL;
	}
	nla_nest_end(m, data);
	nla_nest_end(m, li);
	return m;
}

int sd_bridge_create(struct sd_nl *nl, const char *name, uint32_t ageing_cs,
		     int *ifindex)
{
	struct rtnl_link *c;
	struct sd_link l;
	struct nl_msg *m;
	int err;

	/* no default PVID: a port carries exactly the VLANs we give it */
	m = bridge_msg(NLM_F_CREATE | NLM_F_EXCL, 0, name, 1, 0, ageing_cs);
	if (m == NULL) {
		return -ENOMEM;
	}
	sd_nl_begin(nl);
	err = sd_nl_done(nl, nl_send_sync(nl->sk, m));
	if (err == 0) {
		err = sd_link_get(nl, name, &l);
		*ifindex = l.ifindex;
	}
	if (err == 0) {
		/* the mark of ours (creation ignores IFLA_IFALIAS) */
		c = rtnl_link_alloc();
		if (c == NULL) {
			sd_link_delete(nl, l.ifindex);
			return -ENOMEM;
		}
		rtnl_link_set_ifalias(c, SD_BRIDGE_ALIAS);
		err = link_change(nl, l.ifindex, c);
		if (err < 0) {
			sd_link_delete(nl, l.ifindex);
		}
	}
	return err;
}

int sd_bridge_set(struct sd_nl *nl, int ifindex, int vlan_filtering,
		  long ageing_cs)
{
	struct nl_msg *m =
		bridge_msg(0, ifindex, NULL, vlan_filtering, -1, ageing_cs);

	if (m == NULL) {
		return -ENOMEM;
	}
	sd_nl_begin(nl);
	return sd_nl_done(nl, nl_send_sync(nl->sk, m));
}

struct br_state {
	int vlan_filtering;
	uint32_t ageing_cs;
};

static int parse_bridge(struct nl_msg *msg, void *arg)
{
	struct br_state *st = arg;
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	struct nlattr *br[IFLA_BR_MAX + 1];

	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX,
			NULL) < 0 ||
	    tb[IFLA_LINKINFO] == NULL ||
	    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 ||
	    li[IFLA_INFO_DATA] == NULL ||
	    nla_parse_nested(br, IFLA_BR_MAX, li[IFLA_INFO_DATA], NULL) < 0) {
		return NL_OK;
	}
	if (br[IFLA_BR_VLAN_FILTERING] != NULL) {
		st->vlan_filtering = nla_get_u8(br[IFLA_BR_VLAN_FILTERING]);
	}
	if (br[IFLA_BR_AGEING_TIME] != NULL) {
		st->ageing_cs = nla_get_u32(br[IFLA_BR_AGEING_TIME]);
	}
	return NL_OK;
}

int sd_bridge_get(struct sd_nl *nl, int ifindex, int *vlan_filtering,
		  uint32_t *ageing_cs)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct br_state st = {-1, 30000};
	struct nl_msg *m = sd_nl_msg(RTM_GETLINK, 0, &ifi, sizeof(ifi));
	int err;

	if (m == NULL) {
		return -ENOMEM;
	}
	sd_nl_begin(nl);
	err = sd_nl_done(nl, sd_nl_query(nl, m, false, parse_bridge, &st));
	if (err == 0 && st.vlan_filtering < 0) {
		err = -EOPNOTSUPP; /* not a bridge */
	}
	*vlan_filtering = st.vlan_filtering;
	*ageing_cs = st.ageing_cs;
	return err;
}

/* ---- bridge ports (raw: AF_BRIDGE RTM_SETLINK / RTM_DELLINK) ------------- */

static struct nl_msg *port_msg(int type, int ifindex, int nest,
			       struct nlattr **attr)
{
	struct ifinfomsg ifi = {.ifi_family = AF_BRIDGE, .ifi_index = ifindex};
	struct nl_msg *m = sd_nl_msg(type, 0, &ifi, sizeof(ifi));

	if (m != NULL && (*attr = nla_nest_start(m, nest)) == NULL) {
		nlmsg_free(m);
		m = NULL;
	}
	return m;
}

static int put_vlan(struct nl_msg *m, uint16_t flags, unsigned vid)
{
	struct bridge_vlan_info v = {.flags = flags, .vid = (uint16_t)vid};

	return nla_put(m, IFLA_BRIDGE_VLAN_INFO, sizeof(v), &v);
}

static int put_range(struct nl_msg *m, uint16_t flags, unsigned lo, unsigned hi)
{
	if (lo == hi) {
		return put_vlan(m, flags, lo);
	}
	if (put_vlan(m, flags | BRIDGE_VLAN_INFO_RANGE_BEGIN, lo) < 0) {
		return -NLE_NOMEM;
	}
	return put_vlan(m, flags | BRIDGE_VLAN_INFO_RANGE_END, hi);
}

/* Put every VID v in 1..4094 with in(v) as tagged ranges; *n counts. */
static int put_runs(struct nl_msg *m, const struct sd_vlans *want,
		    const struct sd_vlans *prev, bool add, unsigned *n)
{
	unsigned lo = 0;

	for (unsigned v = 1; v <= 4095; v++) {
		bool in;

		if (v == 4095) {
			in = false;
		} else if (add) {
			in = sd_vlan_has(want, v) && v != want->pvid;
		} else {
			in = !sd_vlan_has(want, v) &&
			     (prev == NULL || sd_vlan_has(prev, v));
		}
		if (in && lo == 0) {
			lo = v;
		} else if (!in && lo != 0) {
			if (put_range(m, 0, lo, v - 1) < 0) {
				return -NLE_NOMEM;
			}
			(*n)++;
			lo = 0;
		}
	}
	return 0;
}

/* One RTM_SETLINK (add: want's VLANs, the PVID last) or RTM_DELLINK
 * (prev's, or every, VLAN that want lacks); nothing sent if empty. */
static int vlans_msg(struct sd_nl *nl, int ifindex, bool add,
		     const struct sd_vlans *want, const struct sd_vlans *prev)
{
	struct nlattr *af;
	struct nl_msg *m;
	unsigned n = 0;

	m = port_msg(add ? RTM_SETLINK : RTM_DELLINK, ifindex, IFLA_AF_SPEC,
		     &af);
	if (m == NULL || put_runs(m, want, prev, add, &n) < 0 ||
	    (add && want->pvid != 0 &&
	     put_vlan(m, BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED,
		      want->pvid) < 0)) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	n += add && want->pvid != 0;
	nla_nest_end(m, af);
	if (n == 0) {
		nlmsg_free(m);
		return 0;
	}
	sd_nl_begin(nl);
	return sd_nl_done(nl, nl_send_sync(nl->sk, m));
}

int sd_port_vlans(struct sd_nl *nl, int ifindex, const struct sd_vlans *want,
		  const struct sd_vlans *prev)
{
	/* add or update first, so a VLAN both configs carry never drops */
	int err = vlans_msg(nl, ifindex, true, want, prev);

	return err < 0 ? err : vlans_msg(nl, ifindex, false, want, prev);
}

int sd_port_learning(struct sd_nl *nl, int ifindex, bool on)
{
	struct nlattr *pi;
	struct nl_msg *m = port_msg(RTM_SETLINK, ifindex,
				    IFLA_PROTINFO | NLA_F_NESTED, &pi);

	if (m == NULL || nla_put_u8(m, IFLA_BRPORT_LEARNING, on) < 0) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	nla_nest_end(m, pi);
	sd_nl_begin(nl);
	return sd_nl_done(nl, nl_send_sync(nl->sk, m));
}

/* ---- bridge FDB ------------------------------------------------------------ */

static struct rtnl_neigh *fdb_neigh(int ifindex, const uint8_t mac[6],
				    uint16_t vlan)
{
	struct rtnl_neigh *n = rtnl_neigh_alloc();
	struct nl_addr *a = nl_addr_build(AF_LLC, mac, 6);

	if (n == NULL || a == NULL) {
		rtnl_neigh_put(n);
		nl_addr_put(a);
		return NULL;
	}
	rtnl_neigh_set_family(n, AF_BRIDGE);
	rtnl_neigh_set_ifindex(n, ifindex);
	rtnl_neigh_set_lladdr(n, a);
	nl_addr_put(a);
	if (vlan != 0) {
		rtnl_neigh_set_vlan(n, vlan);
	}
	rtnl_neigh_set_flags(n, NTF_MASTER);
	return n;
}

int sd_fdb_add(struct sd_nl *nl, int ifindex, const uint8_t mac[6],
	       uint16_t vlan, bool replace)
{
	struct rtnl_neigh *n = fdb_neigh(ifindex, mac, vlan);
	int err;

	if (n == NULL) {
		return -ENOMEM;
	}
	/* NUD_NOARP is the bridge's "static": forwarded to the port, never
	 * aged; NUD_PERMANENT would make it "local" (delivered to the host) */
	rtnl_neigh_set_state(n, NUD_NOARP);
	sd_nl_begin(nl);
	err = rtnl_neigh_add(nl->sk, n,
			     NLM_F_CREATE |
				     (replace ? NLM_F_REPLACE : NLM_F_EXCL));
	rtnl_neigh_put(n);
	return sd_nl_done(nl, err);
}

int sd_fdb_del(struct sd_nl *nl, int ifindex, const uint8_t mac[6],
	       uint16_t vlan)
{
	struct rtnl_neigh *n = fdb_neigh(ifindex, mac, vlan);
	int err;

	if (n == NULL) {
		return -ENOMEM;
	}
	sd_nl_begin(nl);
	err = rtnl_neigh_delete(nl->sk, n, 0);
	rtnl_neigh_put(n);
	return sd_nl_done(nl, err);
}

struct fdb_entry {
	int ifindex;
	uint16_t state;
};

static int parse_fdb(struct nl_msg *msg, void *arg)
{
	struct fdb_entry *e = arg;
	struct ndmsg *nd = nlmsg_data(nlmsg_hdr(msg));

	e->ifindex = nd->ndm_ifindex;
	e->state = nd->ndm_state;
	return NL_OK;
}

int sd_fdb_get(struct sd_nl *nl, int bridge, const uint8_t mac[6],
	       uint16_t vlan, int *ifindex, bool *is_static)
{
	struct ndmsg nd = {.ndm_family = AF_BRIDGE, .ndm_flags = NTF_MASTER};
	struct fdb_entry e = {0, 0};
	struct nl_msg *m = sd_nl_msg(RTM_GETNEIGH, 0, &nd, sizeof(nd));
	int err;

	if (m == NULL || nla_put_u32(m, NDA_MASTER, (uint32_t)bridge) < 0 ||
	    nla_put(m, NDA_LLADDR, 6, mac) < 0 ||
	    (vlan != 0 && nla_put_u16(m, NDA_VLAN, vlan) < 0)) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	sd_nl_begin(nl);
	err = sd_nl_done(nl, sd_nl_query(nl, m, false, parse_fdb, &e));
	*ifindex = e.ifindex;
	*is_static = (e.state & (NUD_NOARP | NUD_PERMANENT)) != 0;
	return err;
}
