#!/usr/bin/python3
"""The forwarding bench's config: 130 flows between two net_ring ports A
and B (64 eAxCs of U-plane each way with window checks, C-plane each
way).

  fwd_config.py OUT.json           the forwarding bench (bench_fwd.sh)
  fwd_config.py OUT.json --mix MIX --flows N
                                   the same traffic claimed by flows of
                                   one kind - exact (an eAxC each, 130),
                                   masked (eaxc_mask 0xfffe as in
                                   default.json: an eAxC pair each, 66) or
                                   wildcard (port and plane, 4) - plus
                                   flows of that kind no packet matches
                                   (other eAxCs, VLAN 4000) up to N
  fwd_config.py OUT.json --mix MIX --flows N --ports P
                                   the same over P ring ports (A, B and
                                   idle ones), the flows no packet
                                   matches spread over all of them
  fwd_config.py OUT.json --ptp     the same as fronthaul load next to two
                                   AF_PACKET ports gm and sl, the ring
                                   ports on VLAN 100 only (untagged PTP
                                   stays between gm and sl), transparent
                                   clock on (bench_ptp.sh)
"""
import json
import sys


def mix_flows(mix, n, ports=("A", "B")):
    """The flows of one mix, n in all (None if n is too few to claim the
    traffic); the idle ones in and out of every port."""
    out = []
    for name, src, dst in (("a", "A", "B"), ("b", "B", "A")):
        if mix == "exact":
            for e in range(64):
                out.append(({"in_port": src, "plane": "PLANE_U",
                             "eaxc_id": e, "eaxc_mask": 65535}, dst))
        elif mix == "masked":
            for e in range(0, 64, 2):
                out.append(({"in_port": src, "plane": "PLANE_U",
                             "eaxc_id": e, "eaxc_mask": 65534}, dst))
        else:
            out.append(({"in_port": src, "plane": "PLANE_U"}, dst))
        out.append(({"in_port": src, "plane": "PLANE_C"}, dst))
    if n < len(out):
        return None
    flows = [{"name": f"f{i}", "match": m, "action": {"out_ports": [d]},
              "window": {"earliest_us": -500, "latest_us": -100}}
             for i, (m, d) in enumerate(out)]
    i = 0
    while len(flows) < n:
        src = ports[i % len(ports)]
        m = {"in_port": src, "vlan_id": 4000}
        if mix == "exact":
            m.update(eaxc_id=64 + i, eaxc_mask=65535)
        elif mix == "masked":
            m.update(eaxc_id=(64 + i) * 2 & 0xffff, eaxc_mask=65534)
        else:
            # VLAN and plane: these rank above the port-and-plane flows
            # that claim the traffic, so a packet is tried against them
            # first (the worst case for flows that are scanned)
            m.update(vlan_id=1 + i // 2, plane="PLANE_U")
        flows.append({"name": f"idle{i}", "match": m,
                      "action": {"out_ports": [ports[(i + 1) % len(ports)]]}})
        i += 1
    return flows


if "--mix" in sys.argv:
    a = sys.argv
    n_ports = int(a[a.index("--ports") + 1]) if "--ports" in a else 2
    names = ["A", "B"] + [f"P{i}" for i in range(2, n_ports)]
    fl = mix_flows(a[a.index("--mix") + 1], int(a[a.index("--flows") + 1]),
                   names)
    if fl is None:
        sys.exit(3)
    json.dump({"name": "bench-mix",
               "ports": [{"name": p, "device": f"net_ring{i}"}
                         for i, p in enumerate(names)],
               "flows": fl}, open(a[1], "w"))
    sys.exit(0)

flows = []
for e in range(64):
    for name, src, dst in (("a", "A", "B"), ("b", "B", "A")):
        flows.append({"name": f"{name}{e}",
                      "match": {"in_port": src, "plane": "PLANE_U",
                                "eaxc_id": e, "eaxc_mask": 65535},
                      "action": {"out_ports": [dst]},
                      "window": {"earliest_us": -500, "latest_us": -100}})
flows.append({"name": "ca", "match": {"in_port": "A", "plane": "PLANE_C"},
              "action": {"out_ports": ["B"]}})
flows.append({"name": "cb", "match": {"in_port": "B", "plane": "PLANE_C"},
              "action": {"out_ports": ["A"]}})
cfg = {"name": "bench", "ports": [{"name": "A", "device": "net_ring0"},
                                  {"name": "B", "device": "net_ring1"}],
       "flows": flows}
if "--ptp" in sys.argv[2:]:
    cfg["name"] = "bench-ptp"
    for p in cfg["ports"]:
        p["allowed_vlans"] = [100]
    cfg["ports"] = [{"name": "gm", "device": "net_af_packet0"},
                    {"name": "sl", "device": "net_af_packet1"}] + cfg["ports"]
    cfg["ptp"] = {"mode": "PTP_MODE_TRANSPARENT"}
json.dump(cfg, open(sys.argv[1], "w"))
