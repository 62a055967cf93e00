#!/usr/bin/python3
"""The forwarding bench's config: 130 flows between two net_ring ports A
and B (64 eAxCs of U-plane each way with window checks, C-plane each
way).

  fwd_config.py OUT.json           the forwarding bench (bench_fwd.sh)
  fwd_config.py OUT.json --ptp     the same as fronthaul load next to two
                                   AF_PACKET ports gm and sl, the ring
                                   ports on VLAN 100 only (untagged PTP
                                   stays between gm and sl), transparent
                                   clock on (bench_ptp.sh)
"""
import json
import sys

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
