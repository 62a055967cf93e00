/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fhswitch/v1/config.pb-c.h"
#include "mgmt_config.h"
#include "mgmt_json.h"

#define NAME_MAX_LEN 63 /* SwitchConfig.name, Flow.name */
#define VLAN_MAX 4094
#define MTU_MIN 64
#define MTU_MAX 9600
#define MAX_ALLOWED_VLANS 64
#define PCP_MAX 7
#define WINDOW_MAX_US 10000000LL
#define AGING_MAX_S 1000000u
#define DEFAULT_MU 1
#define DEFAULT_AGING_S 300
#define DEFAULT_BACKEND "dpdk"

/* Quoted names in messages are cut so that a path and reason always fit. */
#define QUOTE_LEN 72
/* "l2.static_fdb[N]", ".action.out_ports[N]" with any size_t N */
#define PATH_LEN 48

typedef Fhswitch__V1__SwitchConfig pb_config;

struct ctx {
	struct hal_config *out;
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 2, 3)))
fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err != NULL && c->errlen != 0) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int fail_nomem(struct ctx *c)
{
	if (c->err != NULL && c->errlen != 0) {
		snprintf(c->err, c->errlen, "out of memory");
	}
	return -ENOMEM;
}

/* protobuf-c uses a shared empty string for unset strings, but a message
 * built by hand may hold NULL: treat it as empty. */
static const char *str(const char *s)
{
	return s != NULL ? s : "";
}

/* s quoted for a message: the text comes from the operator and may hold
 * anything, so quotes, backslashes and control bytes are escaped and long
 * strings are cut with "...". */
static const char *quote(char buf[QUOTE_LEN], const char *s)
{
	size_t o = 0;

	buf[o++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';
	     p++) {
		/* worst case: a 4-byte escape, then `"...` and NUL */
		if (o + 4 + 5 > QUOTE_LEN) {
			memcpy(buf + o, "\"...", 5);
			return buf;
		}
		if (*p == '"' || *p == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)*p;
		} else if (*p < 0x20 || *p == 0x7f) {
			o += (size_t)snprintf(buf + o, QUOTE_LEN - o, "\\x%02x",
					      *p);
		} else {
			buf[o++] = (char)*p;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9') {
		return ch - '0';
	}
	if (ch >= 'a' && ch <= 'f') {
		return ch - 'a' + 10;
	}
	if (ch >= 'A' && ch <= 'F') {
		return ch - 'A' + 10;
	}
	return -1;
}

/* Exactly "aa:bb:cc:dd:ee:ff", hex in either case. */
static bool parse_mac(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17) {
		return false;
	}
	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(s[3 * i]);
		int lo = hex_digit(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':')) {
			return false;
		}
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* path + field name a MAC; unicast additionally refuses group addresses
 * (the I/G bit), which covers broadcast. */
static int check_mac(struct ctx *c, const char *path, const char *field,
		     const char *s, bool unicast, uint8_t mac[6])
{
	char q[QUOTE_LEN];

	if (!parse_mac(s, mac)) {
		return fail(c,
			    "%s%s: %s is not a MAC address (expected "
			    "aa:bb:cc:dd:ee:ff)",
			    path, field, quote(q, s));
	}
	if (unicast && (mac[0] & 1) != 0) {
		return fail(c, "%s%s: %s is a multicast address", path, field,
			    quote(q, s));
	}
	return 0;
}

/* v is within 0..max; else "PATHFIELD: V is out of range 0..MAX". */
static int check_max(struct ctx *c, const char *path, const char *field,
		     uint32_t v, uint32_t max)
{
	if (v > max) {
		return fail(c, "%s%s: %" PRIu32 " is out of range 0..%" PRIu32,
			    path, field, v, max);
	}
	return 0;
}

#define check_vlan(c, path, field, v) check_max(c, path, field, v, VLAN_MAX)
#define check_pcp(c, path, field, v) check_max(c, path, field, v, PCP_MAX)
#define check_u16(c, path, field, v) check_max(c, path, field, v, UINT16_MAX)

/* The widths are uint32 in the model: sum them in 64 bits so that huge
 * values cannot wrap around to 16. */
static int check_layout(struct ctx *c, const char *path,
			const Fhswitch__V1__EaxcLayout *l,
			struct fh_eaxc_layout *out)
{
	uint64_t sum = (uint64_t)l->du_port_bits + l->band_sector_bits +
		       l->cc_bits + l->ru_port_bits;

	if (sum != 16) {
		return fail(c, "%s: widths sum to %" PRIu64 ", expected 16",
			    path, sum);
	}
	out->du_port_bits = (uint8_t)l->du_port_bits;
	out->band_sector_bits = (uint8_t)l->band_sector_bits;
	out->cc_bits = (uint8_t)l->cc_bits;
	out->ru_port_bits = (uint8_t)l->ru_port_bits;
	return 0;
}

/* Ports are validated first, so their names in out are unique. */
static int port_index(const struct hal_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		if (strcmp(cfg->ports[i].name, name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

static int resolve_port(struct ctx *c, const char *path, const char *field,
			const char *name, uint16_t *idx)
{
	char q[QUOTE_LEN];
	int i = port_index(c->out, name);

	if (i < 0) {
		return fail(c, "%s%s: no port named %s", path, field,
			    quote(q, name));
	}
	*idx = (uint16_t)i;
	return 0;
}

/* ---- top level ----------------------------------------------------------- */

static int check_top(struct ctx *c, const pb_config *pb)
{
	struct hal_config *out = c->out;
	const char *name = str(pb->name);
	size_t len = strlen(name);
	int ret;

	if (len > NAME_MAX_LEN) {
		return fail(c, "name: longer than %d characters", NAME_MAX_LEN);
	}
	memcpy(out->name, name, len + 1);

	if (pb->eaxc_layout == NULL) {
		out->layout = FH_EAXC_LAYOUT_4444;
	} else {
		ret = check_layout(c, "eaxc_layout", pb->eaxc_layout,
				   &out->layout);
		if (ret < 0) {
			return ret;
		}
	}

	out->timing.mu = DEFAULT_MU;
	if (pb->timing != NULL) {
		const Fhswitch__V1__Timing *t = pb->timing;

		if (t->mu_present_case == FHSWITCH__V1__TIMING__MU_PRESENT_MU) {
			if (t->mu > 4) {
				return fail(c,
					    "timing.mu: %" PRIu32
					    " is out of range 0..4",
					    t->mu);
			}
			out->timing.mu = (uint8_t)t->mu;
		}
		if (t->gps_alpha >= FH_ALPHA_MAX) {
			return fail(c,
				    "timing.gps_alpha: %" PRIu64
				    " is out of range 0..%llu (below 10 ms)",
				    t->gps_alpha, FH_ALPHA_MAX - 1);
		}
		out->timing.alpha = t->gps_alpha;
		out->timing.beta = t->gps_beta;
	}
	return 0;
}

/* ---- ports --------------------------------------------------------------- */

static bool port_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
}

/* The methods a port may declare: those the codec codes and decodes. */
static const struct {
	const char *name;
	uint8_t method;
} comp_methods[] = {
	{"none", FH_COMP_NONE},
	{"bfp", FH_COMP_BFP},
	{"block_scaling", FH_COMP_BLOCK_SCALING},
	{"mu_law", FH_COMP_MU_LAW},
};

static int check_uplane_comp(struct ctx *c, const char *path,
			     const Fhswitch__V1__UplaneComp *u,
			     struct hal_port_cfg *port)
{
	const char *m = str(u->method);
	char q[QUOTE_LEN];
	size_t k;

	for (k = 0; k < sizeof(comp_methods) / sizeof(comp_methods[0]); k++) {
		if (strcmp(m, comp_methods[k].name) == 0) {
			break;
		}
	}
	if (k == sizeof(comp_methods) / sizeof(comp_methods[0])) {
		return fail(c,
			    "%s.uplane_comp.method: %s is not one of \"none\", "
			    "\"bfp\", \"block_scaling\", \"mu_law\"",
			    path, quote(q, m));
	}
	if (u->iq_width < 1 || u->iq_width > 16) {
		return fail(c,
			    "%s.uplane_comp.iq_width: %" PRIu32
			    " is out of range 1..16",
			    path, u->iq_width);
	}
	port->has_comp = true;
	port->comp.method = comp_methods[k].method;
	port->comp.iq_width = (uint8_t)u->iq_width;
	port->comp_dynamic = u->dynamic_hdr;
	return 0;
}

static int check_port(struct ctx *c, size_t i, const Fhswitch__V1__Port *pp)
{
	struct hal_port_cfg *port = &c->out->ports[i];
	const char *name = str(pp->name);
	const char *dev = str(pp->device);
	size_t len = strlen(name);
	char path[PATH_LEN];
	char q[QUOTE_LEN];

	snprintf(path, sizeof(path), "ports[%zu]", i);
	if (len == 0) {
		return fail(c, "%s.name: empty", path);
	}
	if (len >= HAL_NAME_LEN) {
		return fail(c, "%s.name: longer than %d characters", path,
			    HAL_NAME_LEN - 1);
	}
	for (size_t k = 0; k < len; k++) {
		if (!port_name_char(name[k])) {
			return fail(c,
				    "%s.name: %s has a character outside "
				    "[A-Za-z0-9_.-]",
				    path, quote(q, name));
		}
	}
	for (size_t j = 0; j < i; j++) {
		if (strcmp(c->out->ports[j].name, name) == 0) {
			return fail(c, "%s.name: duplicate of ports[%zu] (%s)",
				    path, j, quote(q, name));
		}
	}
	memcpy(port->name, name, len + 1);

	len = strlen(dev);
	if (len == 0) {
		return fail(c, "%s.device: empty", path);
	}
	if (len >= HAL_DEVICE_LEN) {
		return fail(c, "%s.device: longer than %d characters", path,
			    HAL_DEVICE_LEN - 1);
	}
	memcpy(port->device, dev, len + 1);

	if (pp->role < FHSWITCH__V1__PORT_ROLE__ROLE_UNSPECIFIED ||
	    pp->role > FHSWITCH__V1__PORT_ROLE__ROLE_MGMT) {
		return fail(c, "%s.role: %d is not a PortRole value", path,
			    (int)pp->role);
	}
	/* the model's values are the HAL's (enum hal_port_role) */
	port->role = (uint8_t)pp->role;

	if (pp->mtu != 0 && (pp->mtu < MTU_MIN || pp->mtu > MTU_MAX)) {
		return fail(c,
			    "%s.mtu: %" PRIu32 " is out of range (0 or %d..%d)",
			    path, pp->mtu, MTU_MIN, MTU_MAX);
	}
	port->mtu = (uint16_t)pp->mtu;

	if (check_vlan(c, path, ".native_vlan", pp->native_vlan) < 0) {
		return -EINVAL;
	}
	port->native_vlan = (uint16_t)pp->native_vlan;

	if (pp->n_allowed_vlans > MAX_ALLOWED_VLANS) {
		return fail(c, "%s.allowed_vlans: %zu entries, at most %d",
			    path, pp->n_allowed_vlans, MAX_ALLOWED_VLANS);
	}
	for (size_t k = 0; k < pp->n_allowed_vlans; k++) {
		uint32_t v = pp->allowed_vlans[k];

		if (v == 0 || v > VLAN_MAX) {
			return fail(c,
				    "%s.allowed_vlans[%zu]: %" PRIu32
				    " is out of range 1..%d",
				    path, k, v, VLAN_MAX);
		}
		for (size_t j = 0; j < k; j++) {
			if (pp->allowed_vlans[j] == v) {
				return fail(c,
					    "%s.allowed_vlans[%zu]: duplicate "
					    "of allowed_vlans[%zu] (%" PRIu32
					    ")",
					    path, k, j, v);
			}
		}
		port->allowed_vlans[k] = (uint16_t)v;
	}
	port->n_allowed_vlans = (uint16_t)pp->n_allowed_vlans;

	if (pp->eaxc_layout != NULL) {
		char lpath[PATH_LEN + 16];

		snprintf(lpath, sizeof(lpath), "%s.eaxc_layout", path);
		if (check_layout(c, lpath, pp->eaxc_layout, &port->layout) <
		    0) {
			return -EINVAL;
		}
		port->has_layout = true;
	}
	if (pp->uplane_comp != NULL) {
		return check_uplane_comp(c, path, pp->uplane_comp, port);
	}
	return 0;
}

static int check_ports(struct ctx *c, const pb_config *pb)
{
	int ret;

	if (pb->n_ports == 0) {
		return fail(c, "ports: at least one port is required");
	}
	if (pb->n_ports > HAL_MAX_PORTS) {
		return fail(c, "ports: %zu entries, at most %d", pb->n_ports,
			    HAL_MAX_PORTS);
	}
	for (size_t i = 0; i < pb->n_ports; i++) {
		ret = check_port(c, i, pb->ports[i]);
		if (ret < 0) {
			return ret;
		}
		/* later ports and flows look names up in out */
		c->out->n_ports = (unsigned)i + 1;
	}
	return 0;
}

/* ---- flows --------------------------------------------------------------- */

static int check_match(struct ctx *c, const char *path,
		       const Fhswitch__V1__FlowMatch *m,
		       struct fh_flow_match *fm)
{
	const char *in_port;
	int ret;

	fm->in_port = FH_PORT_ANY;
	if (m == NULL) {
		return 0;
	}
	in_port = str(m->in_port);
	if (in_port[0] != '\0') {
		ret = resolve_port(c, path, ".match.in_port", in_port,
				   &fm->in_port);
		if (ret < 0) {
			return ret;
		}
	}
	if (check_vlan(c, path, ".match.vlan_id", m->vlan_id) < 0) {
		return -EINVAL;
	}
	fm->vlan_id = (uint16_t)m->vlan_id;
	if (m->pcp_present_case == FHSWITCH__V1__FLOW_MATCH__PCP_PRESENT_PCP) {
		if (check_pcp(c, path, ".match.pcp", m->pcp) < 0) {
			return -EINVAL;
		}
		fm->has_pcp = true;
		fm->pcp = (uint8_t)m->pcp;
	}

	switch (m->plane) {
	case FHSWITCH__V1__PLANE__PLANE_ANY:
		fm->plane = FH_PLANE_ANY;
		break;
	case FHSWITCH__V1__PLANE__PLANE_C:
		fm->plane = FH_PLANE_C;
		break;
	case FHSWITCH__V1__PLANE__PLANE_U:
		fm->plane = FH_PLANE_U;
		break;
	default:
		return fail(c, "%s.match.plane: %d is not a Plane value", path,
			    (int)m->plane);
	}
	switch (m->direction) {
	case FHSWITCH__V1__DIRECTION__DIRECTION_ANY:
		fm->direction = FH_DIRECTION_ANY;
		break;
	case FHSWITCH__V1__DIRECTION__DIRECTION_UL:
		fm->direction = FH_DIRECTION_UL;
		break;
	case FHSWITCH__V1__DIRECTION__DIRECTION_DL:
		fm->direction = FH_DIRECTION_DL;
		break;
	default:
		return fail(c,
			    "%s.match.direction: %d is not a Direction value",
			    path, (int)m->direction);
	}

	if (check_u16(c, path, ".match.eaxc_id", m->eaxc_id) < 0 ||
	    check_u16(c, path, ".match.eaxc_mask", m->eaxc_mask) < 0) {
		return -EINVAL;
	}
	if ((m->eaxc_id & ~m->eaxc_mask) != 0) {
		return fail(c,
			    "%s.match.eaxc_id: 0x%04" PRIx32
			    " has bits outside eaxc_mask 0x%04" PRIx32,
			    path, m->eaxc_id, m->eaxc_mask);
	}
	fm->eaxc_id = (uint16_t)m->eaxc_id;
	fm->eaxc_mask = (uint16_t)m->eaxc_mask;

	if (str(m->src_mac)[0] != '\0') {
		ret = check_mac(c, path, ".match.src_mac", m->src_mac, false,
				fm->src_mac);
		if (ret < 0) {
			return ret;
		}
		fm->has_src_mac = true;
	}
	if (str(m->dst_mac)[0] != '\0') {
		ret = check_mac(c, path, ".match.dst_mac", m->dst_mac, false,
				fm->dst_mac);
		if (ret < 0) {
			return ret;
		}
		fm->has_dst_mac = true;
	}
	if (check_u16(c, path, ".match.udp_port", m->udp_port) < 0) {
		return -EINVAL;
	}
	fm->udp_port = (uint16_t)m->udp_port;
	return 0;
}

static int check_out_ports(struct ctx *c, const char *path,
			   const Fhswitch__V1__FlowAction *a,
			   struct fh_flow_action *fa)
{
	char field[PATH_LEN];
	char q[QUOTE_LEN];
	int ret;

	if (a->n_out_ports > FH_MAX_PORTS) {
		return fail(c, "%s.action.out_ports: %zu entries, at most %d",
			    path, a->n_out_ports, FH_MAX_PORTS);
	}
	for (size_t k = 0; k < a->n_out_ports; k++) {
		snprintf(field, sizeof(field), ".action.out_ports[%zu]", k);
		ret = resolve_port(c, path, field, str(a->out_ports[k]),
				   &fa->out_ports[k]);
		if (ret < 0) {
			return ret;
		}
		for (size_t j = 0; j < k; j++) {
			if (fa->out_ports[j] == fa->out_ports[k]) {
				return fail(c,
					    "%s%s: duplicate of out_ports[%zu] "
					    "(%s)",
					    path, field, j,
					    quote(q, a->out_ports[k]));
			}
		}
	}
	fa->n_out_ports = (uint8_t)a->n_out_ports;
	if (a->n_mirror_ports > FH_MAX_PORTS) {
		return fail(c,
			    "%s.action.mirror_ports: %zu entries, at most %d",
			    path, a->n_mirror_ports, FH_MAX_PORTS);
	}
	for (size_t k = 0; k < a->n_mirror_ports; k++) {
		uint16_t *mp = &fa->mirror_ports[k];

		snprintf(field, sizeof(field), ".action.mirror_ports[%zu]", k);
		ret = resolve_port(c, path, field, str(a->mirror_ports[k]), mp);
		if (ret < 0) {
			return ret;
		}
		for (size_t j = 0; j < k; j++) {
			if (fa->mirror_ports[j] == *mp) {
				return fail(c,
					    "%s%s: duplicate of "
					    "mirror_ports[%zu] (%s)",
					    path, field, j,
					    quote(q, a->mirror_ports[k]));
			}
		}
		for (size_t j = 0; j < fa->n_out_ports; j++) {
			if (fa->out_ports[j] == *mp) {
				return fail(c,
					    "%s%s: %s is out_ports[%zu] too "
					    "(it would get the frame twice)",
					    path, field,
					    quote(q, a->mirror_ports[k]), j);
			}
		}
	}
	fa->n_mirror_ports = (uint8_t)a->n_mirror_ports;
	return 0;
}

static int check_action(struct ctx *c, const char *path,
			const Fhswitch__V1__FlowAction *a,
			struct fh_flow_action *fa)
{
	int ret;

	if (a == NULL) {
		return fail(c, "%s.action: needs out_ports or drop", path);
	}
	ret = check_out_ports(c, path, a, fa);
	if (ret < 0) {
		return ret;
	}
	if (a->drop && a->n_out_ports != 0) {
		return fail(c, "%s.action: drop together with out_ports", path);
	}
	if (!a->drop && a->n_out_ports == 0) {
		return fail(c, "%s.action: needs out_ports or drop", path);
	}
	fa->drop = a->drop;

	if (check_vlan(c, path, ".action.set_vlan_id", a->set_vlan_id) < 0) {
		return -EINVAL;
	}
	fa->set_vlan_id = (uint16_t)a->set_vlan_id;

	if (a->set_pcp_present_case ==
	    FHSWITCH__V1__FLOW_ACTION__SET_PCP_PRESENT_SET_PCP) {
		if (check_pcp(c, path, ".action.set_pcp", a->set_pcp) < 0) {
			return -EINVAL;
		}
		fa->has_set_pcp = true;
		fa->set_pcp = (uint8_t)a->set_pcp;
	}
	if (a->pop_vlan && (fa->set_vlan_id != 0 || fa->has_set_pcp)) {
		return fail(c,
			    "%s.action.pop_vlan: exclusive with set_vlan_id "
			    "and set_pcp",
			    path);
	}
	fa->pop_vlan = a->pop_vlan;
	if (str(a->set_src_mac)[0] != '\0') {
		/* a frame must never leave with a group source address */
		ret = check_mac(c, path, ".action.set_src_mac", a->set_src_mac,
				true, fa->set_src_mac);
		if (ret < 0) {
			return ret;
		}
		fa->has_set_src_mac = true;
	}
	if (str(a->set_dst_mac)[0] != '\0') {
		ret = check_mac(c, path, ".action.set_dst_mac", a->set_dst_mac,
				false, fa->set_dst_mac);
		if (ret < 0) {
			return ret;
		}
		fa->has_set_dst_mac = true;
	}
	if (a->set_eaxc_id_present_case ==
	    FHSWITCH__V1__FLOW_ACTION__SET_EAXC_ID_PRESENT_SET_EAXC_ID) {
		if (check_u16(c, path, ".action.set_eaxc_id", a->set_eaxc_id) <
		    0) {
			return -EINVAL;
		}
		if (a->translate_eaxc_layout != NULL) {
			return fail(c,
				    "%s.action.set_eaxc_id: exclusive with "
				    "translate_eaxc_layout",
				    path);
		}
		fa->has_set_eaxc_id = true;
		fa->set_eaxc_id = (uint16_t)a->set_eaxc_id;
	}
	if (a->translate_eaxc_layout != NULL) {
		char lpath[2 * PATH_LEN];

		snprintf(lpath, sizeof(lpath),
			 "%s.action.translate_eaxc_layout", path);
		ret = check_layout(c, lpath, a->translate_eaxc_layout,
				   &fa->translate_to);
		if (ret < 0) {
			return ret;
		}
		fa->has_translate = true;
	}
	return 0;
}

static int check_window_us(struct ctx *c, const char *path, const char *field,
			   int64_t us)
{
	if (us < -WINDOW_MAX_US || us > WINDOW_MAX_US) {
		return fail(c, "%s%s: %" PRId64 " is out of range %lld..%lld",
			    path, field, us, -WINDOW_MAX_US, WINDOW_MAX_US);
	}
	return 0;
}

static int check_window(struct ctx *c, const char *path,
			const Fhswitch__V1__FlowWindow *w,
			struct fh_flow_window *fw)
{
	if (w == NULL) {
		return 0;
	}
	if (check_window_us(c, path, ".window.earliest_us", w->earliest_us) <
		    0 ||
	    check_window_us(c, path, ".window.latest_us", w->latest_us) < 0) {
		return -EINVAL;
	}
	if (w->earliest_us > w->latest_us) {
		return fail(c,
			    "%s.window: earliest_us (%" PRId64
			    ") is after latest_us (%" PRId64 ")",
			    path, w->earliest_us, w->latest_us);
	}
	fw->enabled = true;
	fw->earliest_ns = w->earliest_us * 1000;
	fw->latest_ns = w->latest_us * 1000;
	return 0;
}

static int check_flow(struct ctx *c, size_t i, const Fhswitch__V1__Flow *pf)
{
	struct fh_flow *f = &c->out->flows[i];
	const char *name = str(pf->name);
	size_t len = strlen(name);
	char path[PATH_LEN];
	char q[QUOTE_LEN];
	int ret;

	snprintf(path, sizeof(path), "flows[%zu]", i);
	if (len == 0) {
		return fail(c, "%s.name: empty", path);
	}
	if (len >= FH_FLOW_NAME_LEN) {
		return fail(c, "%s.name: longer than %d characters", path,
			    FH_FLOW_NAME_LEN - 1);
	}
	/* quadratic, but at most 4096 short names, off the fast path */
	for (size_t j = 0; j < i; j++) {
		if (strcmp(c->out->flows[j].name, name) == 0) {
			return fail(c, "%s.name: duplicate of flows[%zu] (%s)",
				    path, j, quote(q, name));
		}
	}
	memcpy(f->name, name, len + 1);

	ret = check_match(c, path, pf->match, &f->match);
	if (ret < 0) {
		return ret;
	}
	ret = check_action(c, path, pf->action, &f->action);
	if (ret < 0) {
		return ret;
	}
	for (size_t k = 0; k < f->action.n_mirror_ports; k++) {
		if (f->action.mirror_ports[k] == f->match.in_port) {
			return fail(c,
				    "%s.action.mirror_ports[%zu]: %s is the "
				    "flow's in_port",
				    path, k,
				    quote(q, pf->action->mirror_ports[k]));
		}
	}
	return check_window(c, path, pf->window, &f->window);
}

/* The data path would have to pick between two flows of equal rank that
 * can match the same packet: refuse the config instead, as the classifier
 * does, by building the very table it would use. */
static int check_ties(struct ctx *c)
{
	struct hal_config *out = c->out;
	struct fh_flow_table *t;
	struct fh_err ferr = {0};
	size_t first = 0;
	char q[QUOTE_LEN];
	int ret;

	t = malloc(fh_flow_table_size(out->n_flows));
	if (t == NULL) {
		return fail_nomem(c);
	}
	ret = fh_flow_table_build(t, out->flows, out->n_flows, &first, &ferr);
	free(t);
	if (ret < 0) {
		return fail(c,
			    "flows[%zu]: overlaps flows[%zu] (%s) with the "
			    "same specificity",
			    ferr.offset, first,
			    quote(q, out->flows[first].name));
	}
	return 0;
}

static int check_flows(struct ctx *c, const pb_config *pb)
{
	int ret;

	if (pb->n_flows > HAL_MAX_FLOWS) {
		return fail(c, "flows: %zu entries, at most %d", pb->n_flows,
			    HAL_MAX_FLOWS);
	}
	if (pb->n_flows == 0) {
		return 0;
	}
	c->out->flows = calloc(pb->n_flows, sizeof(*c->out->flows));
	if (c->out->flows == NULL) {
		return fail_nomem(c);
	}
	for (size_t i = 0; i < pb->n_flows; i++) {
		ret = check_flow(c, i, pb->flows[i]);
		if (ret < 0) {
			return ret;
		}
		/* the name check above scans the flows filled so far */
		c->out->n_flows = i + 1;
	}
	return check_ties(c);
}

/* ---- l2 and hal ---------------------------------------------------------- */

static int check_fdb(struct ctx *c, size_t i,
		     const Fhswitch__V1__StaticFdbEntry *e)
{
	struct hal_fdb_entry *fe = &c->out->fdb[i];
	char path[PATH_LEN];
	int ret;

	snprintf(path, sizeof(path), "l2.static_fdb[%zu]", i);
	ret = check_mac(c, path, ".mac", str(e->mac), true, fe->mac);
	if (ret < 0) {
		return ret;
	}
	if (check_vlan(c, path, ".vlan", e->vlan) < 0) {
		return -EINVAL;
	}
	fe->vlan = (uint16_t)e->vlan;
	ret = resolve_port(c, path, ".port", str(e->port), &fe->port);
	if (ret < 0) {
		return ret;
	}
	for (size_t j = 0; j < i; j++) {
		const struct hal_fdb_entry *o = &c->out->fdb[j];

		if (o->vlan == fe->vlan && memcmp(o->mac, fe->mac, 6) == 0) {
			return fail(c,
				    "%s: duplicate of static_fdb[%zu] (same "
				    "mac and vlan)",
				    path, j);
		}
	}
	return 0;
}

static int check_l2(struct ctx *c, const pb_config *pb)
{
	const Fhswitch__V1__L2 *l2 = pb->l2;
	struct hal_config *out = c->out;
	int ret;

	out->learning = true;
	out->aging_s = DEFAULT_AGING_S;
	if (l2 == NULL) {
		return 0;
	}
	if (l2->learning_present_case ==
	    FHSWITCH__V1__L2__LEARNING_PRESENT_LEARNING) {
		out->learning = l2->learning;
	}
	if (l2->aging_s_present_case ==
	    FHSWITCH__V1__L2__AGING_S_PRESENT_AGING_S) {
		if (l2->aging_s < 1 || l2->aging_s > AGING_MAX_S) {
			return fail(c,
				    "l2.aging_s: %" PRIu32
				    " is out of range 1..%u",
				    l2->aging_s, AGING_MAX_S);
		}
		out->aging_s = l2->aging_s;
	}
	if (l2->n_static_fdb > HAL_MAX_FDB) {
		return fail(c, "l2.static_fdb: %zu entries, at most %d",
			    l2->n_static_fdb, HAL_MAX_FDB);
	}
	for (size_t i = 0; i < l2->n_static_fdb; i++) {
		ret = check_fdb(c, i, l2->static_fdb[i]);
		if (ret < 0) {
			return ret;
		}
	}
	out->n_fdb = (unsigned)l2->n_static_fdb;
	return 0;
}

/* ptp { mode, domains[] } */
static int check_ptp(struct ctx *c, const pb_config *pb)
{
	const Fhswitch__V1__Ptp *ptp = pb->ptp;
	struct hal_config *out = c->out;

	out->ptp_mode = HAL_PTP_BRIDGE;
	memset(out->ptp_domains, 0xff, sizeof(out->ptp_domains));
	if (ptp == NULL) {
		return 0;
	}
	switch (ptp->mode) {
	case FHSWITCH__V1__PTP_MODE__PTP_MODE_BRIDGE:
		break;
	case FHSWITCH__V1__PTP_MODE__PTP_MODE_TRANSPARENT:
		out->ptp_mode = HAL_PTP_TRANSPARENT;
		break;
	default:
		return fail(c,
			    "ptp.mode: %d is not PTP_MODE_BRIDGE or "
			    "PTP_MODE_TRANSPARENT",
			    (int)ptp->mode);
	}
	if (ptp->n_domains == 0) {
		return 0;
	}
	memset(out->ptp_domains, 0, sizeof(out->ptp_domains));
	for (size_t i = 0; i < ptp->n_domains; i++) {
		uint32_t d = ptp->domains[i];

		if (d > 255) {
			return fail(c,
				    "ptp.domains[%zu]: %" PRIu32
				    " is out of range 0..255",
				    i, d);
		}
		if (out->ptp_domains[d >> 3] >> (d & 7) & 1) {
			return fail(c,
				    "ptp.domains[%zu]: domain %" PRIu32
				    " is listed twice",
				    i, d);
		}
		out->ptp_domains[d >> 3] |= (uint8_t)(1u << (d & 7));
	}
	return 0;
}

/* combine_groups[] { name, in_ports[], out_port, eaxc_id, eaxc_mask,
 * deadline_us } */
static int check_group_port(struct ctx *c, const char *path, const char *name,
			    uint16_t *idx)
{
	char q[QUOTE_LEN];

	if (resolve_port(c, path, "", name, idx) < 0) {
		return -EINVAL;
	}
	if (!c->out->ports[*idx].has_comp) {
		return fail(c,
			    "%s: port %s declares no uplane_comp; combining "
			    "decodes and codes its IQ",
			    path, quote(q, name));
	}
	return 0;
}

static int check_group(struct ctx *c, size_t i,
		       const Fhswitch__V1__CombineGroup *pg)
{
	struct hal_combine_group *g = &c->out->groups[i];
	const char *name = str(pg->name);
	char path[PATH_LEN], p2[PATH_LEN + 32];
	char q[QUOTE_LEN];

	snprintf(path, sizeof(path), "combine_groups[%zu]", i);
	if (name[0] == '\0') {
		return fail(c, "%s.name: empty", path);
	}
	if (strlen(name) >= sizeof(g->name)) {
		return fail(c, "%s.name: longer than %zu characters", path,
			    sizeof(g->name) - 1);
	}
	for (size_t j = 0; j < i; j++) {
		if (strcmp(c->out->groups[j].name, name) == 0) {
			return fail(c,
				    "%s.name: duplicate of combine_groups[%zu] "
				    "(%s)",
				    path, j, quote(q, name));
		}
	}
	snprintf(g->name, sizeof(g->name), "%s", name);
	if (pg->n_in_ports == 0) {
		return fail(c, "%s.in_ports: empty (the RU ports of the cell)",
			    path);
	}
	if (pg->n_in_ports > HAL_MAX_PORTS) {
		return fail(c, "%s.in_ports: %zu ports, at most %d", path,
			    pg->n_in_ports, HAL_MAX_PORTS);
	}
	for (size_t k = 0; k < pg->n_in_ports; k++) {
		snprintf(p2, sizeof(p2), "%s.in_ports[%zu]", path, k);
		if (check_group_port(c, p2, str(pg->in_ports[k]),
				     &g->in_ports[k]) < 0) {
			return -EINVAL;
		}
		for (size_t j = 0; j < k; j++) {
			if (g->in_ports[j] == g->in_ports[k]) {
				return fail(c, "%s: duplicate of in_ports[%zu]",
					    p2, j);
			}
		}
	}
	g->n_in = (unsigned)pg->n_in_ports;
	snprintf(p2, sizeof(p2), "%s.out_port", path);
	if (check_group_port(c, p2, str(pg->out_port), &g->out_port) < 0) {
		return -EINVAL;
	}
	for (unsigned k = 0; k < g->n_in; k++) {
		if (g->in_ports[k] == g->out_port) {
			return fail(c, "%s: also in_ports[%u]", p2, k);
		}
	}
	if (check_u16(c, path, ".eaxc_id", pg->eaxc_id) < 0 ||
	    check_u16(c, path, ".eaxc_mask", pg->eaxc_mask) < 0) {
		return -EINVAL;
	}
	g->eaxc_id = (uint16_t)pg->eaxc_id;
	g->eaxc_mask = (uint16_t)pg->eaxc_mask;
	if (pg->deadline_us < 1 || pg->deadline_us > 10000) {
		return fail(c,
			    "%s.deadline_us: %" PRIu32
			    " is out of range 1..10000",
			    path, pg->deadline_us);
	}
	g->deadline_us = pg->deadline_us;
	/* a part belongs to one group: no RU port's eAxC in two */
	for (size_t j = 0; j < i; j++) {
		const struct hal_combine_group *o = &c->out->groups[j];
		uint16_t m = g->eaxc_mask & o->eaxc_mask;

		if (((g->eaxc_id ^ o->eaxc_id) & m) != 0) {
			continue;
		}
		for (unsigned a = 0; a < g->n_in; a++) {
			for (unsigned b = 0; b < o->n_in; b++) {
				if (g->in_ports[a] == o->in_ports[b]) {
					return fail(
						c,
						"%s.in_ports[%u]: its eAxCs "
						"overlap combine_groups[%zu] "
						"on the same port",
						path, a, j);
				}
			}
		}
	}
	return 0;
}

static int check_groups(struct ctx *c, const pb_config *pb)
{
	if (pb->n_combine_groups > HAL_MAX_COMBINE) {
		return fail(c, "combine_groups: %zu groups, at most %d",
			    pb->n_combine_groups, HAL_MAX_COMBINE);
	}
	for (size_t i = 0; i < pb->n_combine_groups; i++) {
		int ret = check_group(c, i, pb->combine_groups[i]);

		if (ret < 0) {
			return ret;
		}
	}
	c->out->n_groups = (unsigned)pb->n_combine_groups;
	return 0;
}

/* hal { backend, ... }: the backend must be registered; its own settings
 * become backend options that it checks itself. */
static int check_hal(struct ctx *c, const pb_config *pb)
{
	struct hal_config *out = c->out;
	const char *backend = "";
	const char *bridge = "";
	char q[QUOTE_LEN], msg[MGMT_CONFIG_ERR_LEN - 8];
	int ret;

	if (pb->hal != NULL) {
		backend = str(pb->hal->backend);
		bridge = str(pb->hal->bridge);
	}
	if (backend[0] == '\0') {
		backend = DEFAULT_BACKEND;
	}
	memset(&out->options, 0, sizeof(out->options));
	if (bridge[0] != '\0' &&
	    hal_option_set(&out->options, "bridge", bridge) < 0) {
		return fail(c, "hal.bridge: longer than %zu characters",
			    sizeof(out->options.kv[0].value) - 1);
	}
	ret = hal_check_options(backend, &out->options, msg, sizeof(msg));
	if (ret == -ENOENT || strlen(backend) >= sizeof(out->backend)) {
		char names[128];

		hal_class_names(names, sizeof(names));
		return fail(c,
			    "hal.backend: %s is not a backend (this build "
			    "has: %s)",
			    quote(q, backend), names);
	}
	if (ret < 0) {
		return fail(c, "hal.%s", msg);
	}
	snprintf(out->backend, sizeof(out->backend), "%s", backend);
	return 0;
}

/* ---- entry points -------------------------------------------------------- */

int mgmt_config_from_pb(const struct Fhswitch__V1__SwitchConfig *pb,
			struct hal_config *out, char *err, size_t errlen)
{
	struct ctx c = {.out = out, .err = err, .errlen = errlen};
	int ret;

	if (err != NULL && errlen != 0) {
		err[0] = '\0';
	}
	if (out == NULL) {
		return fail(&c, "(document): no output config");
	}
	memset(out, 0, sizeof(*out));
	if (pb == NULL) {
		ret = fail(&c, "(document): missing");
		goto fail;
	}
	ret = check_top(&c, pb);
	if (ret < 0) {
		goto fail;
	}
	ret = check_ports(&c, pb);
	if (ret < 0) {
		goto fail;
	}
	ret = check_flows(&c, pb);
	if (ret < 0) {
		goto fail;
	}
	ret = check_l2(&c, pb);
	if (ret < 0) {
		goto fail;
	}
	ret = check_ptp(&c, pb);
	if (ret < 0) {
		goto fail;
	}
	ret = check_groups(&c, pb);
	if (ret < 0) {
		goto fail;
	}
	ret = check_hal(&c, pb);
	if (ret < 0) {
		goto fail;
	}
	return 0;
fail:
	mgmt_config_free(out);
	return ret;
}

int mgmt_config_load_text(const char *json_text, struct hal_config *out,
			  char *err, size_t errlen)
{
	ProtobufCMessage *m = NULL;
	int ret;

	if (out == NULL || json_text == NULL) {
		struct ctx c = {.err = err, .errlen = errlen};

		if (out != NULL) {
			memset(out, 0, sizeof(*out));
		}
		return fail(&c, "(document): missing");
	}
	memset(out, 0, sizeof(*out));
	ret = mgmt_json_text_to_pb(&fhswitch__v1__switch_config__descriptor,
				   json_text, &m, err, errlen);
	if (ret < 0) {
		return ret;
	}
	ret = mgmt_config_from_pb((const pb_config *)m, out, err, errlen);
	protobuf_c_message_free_unpacked(m, NULL);
	return ret;
}

/* Read a whole file into a NUL-terminated buffer. */
static int read_text(const char *path, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = NULL;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	for (;;) {
		ssize_t r;

		if (buf == NULL || n + 1 == cap) {
			char *nb;

			if (buf != NULL) {
				cap *= 2;
			}
			nb = realloc(buf, cap);
			if (nb == NULL) {
				ret = -ENOMEM;
				goto fail;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			ret = -errno;
			goto fail;
		}
		if (r == 0) {
			break;
		}
		n += (size_t)r;
		if (n > MGMT_CONFIG_MAX_FILE) {
			ret = -EFBIG;
			goto fail;
		}
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
fail:
	free(buf);
	close(fd);
	return ret;
}

int mgmt_config_load_file(const char *path, struct hal_config *out, char *err,
			  size_t errlen)
{
	struct ctx c = {.err = err, .errlen = errlen};
	char *text = NULL;
	size_t len = 0;
	char *msg;
	int ret;

	if (out == NULL || path == NULL) {
		if (out != NULL) {
			memset(out, 0, sizeof(*out));
		}
		return fail(&c, "(file): missing");
	}
	memset(out, 0, sizeof(*out));
	ret = read_text(path, &text, &len);
	if (ret == -EFBIG) {
		fail(&c, "%s: larger than %u bytes", path,
		     MGMT_CONFIG_MAX_FILE);
		return ret;
	}
	if (ret < 0) {
		fail(&c, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (strlen(text) != len) {
		free(text);
		return fail(&c, "%s: holds a NUL byte", path);
	}
	ret = mgmt_config_load_text(text, out, err, errlen);
	free(text);
	if (ret < 0 && err != NULL && errlen != 0) {
		/* name the file in front of the document's own message */
		msg = strdup(err);
		if (msg != NULL) {
			fail(&c, "%s: %s", path, msg);
			free(msg);
		}
	}
	return ret;
}

void mgmt_config_free(struct hal_config *c)
{
	if (c == NULL) {
		return;
	}
	free(c->flows);
	memset(c, 0, sizeof(*c));
}
