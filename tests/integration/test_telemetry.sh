#!/usr/bin/env bash
# DPDK telemetry: fhswd registers /fhswitch/ports, /fhswitch/flows (pages
# of 256), /fhswitch/ptp and /fhswitch/residence, and DPDK's own client
# (dpdk-telemetry.py, Debian's dpdk package) reads them next to
# /ethdev/stats; the figures agree with fhswd's --counters-json.  fhswd runs
# on two ring vdevs with U-plane packets bouncing between them through 300
# flows (names with - and .), so the counters move and /fhswitch/flows pages.
#   test_telemetry.sh FHSWD FHCTL
set -u
fhswd=$1
fhctl=$2
py=/usr/bin/python3
work=$(mktemp -d)
prefix=fh_tel_$$
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$work" "/var/run/dpdk/$prefix"
}
trap cleanup EXIT
. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"
export TH_PYTHON=$py
command -v dpdk-telemetry.py >/dev/null ||
	die "dpdk-telemetry.py not found (Debian dpdk; ci/setup-deps.sh installs it)"

"$fhctl" gen --out "$work/u.pcap" --eaxc 2 --prbs 2 --slots 1 --direction dl \
	--from du >/dev/null 2>&1 || die "fhctl gen failed"
$py - "$work/cfg.json" <<'PY'
import json, sys
flows = [{"name": "a2b", "match": {"in_port": "A", "plane": "PLANE_U"},
          "action": {"out_ports": ["B-1"]}},
         {"name": "b.2a", "match": {"in_port": "B-1", "plane": "PLANE_U"},
          "action": {"out_ports": ["A"]}}]
# 298 more that never match (VLAN 4000): the flow list pages
for i in range(298):
    flows.append({"name": f"idle-{i:03d}",
                  "match": {"in_port": "A", "vlan_id": 4000, "eaxc_id": i,
                            "eaxc_mask": 65535},
                  "action": {"out_ports": ["B-1"]}})
json.dump({"name": "telemetry",
           "ports": [{"name": "A", "device": "net_ring0"},
                     {"name": "B-1", "device": "net_ring1"}],
           "flows": flows}, open(sys.argv[1], "w"))
PY
"$fhswd" --no-huge -m 128 --no-pci --file-prefix "$prefix" -l 0 \
	--log-level=error --vdev net_ring0 --vdev net_ring1 -- \
	--config "$work/cfg.json" --residence --run-seconds 4 \
	--inject "$work/u.pcap:A:8" --counters-json "$work/counters.json" \
	>"$work/fhswd.log" 2>&1 &
fpid=$!
pids+=("$fpid")
for i in $(seq 100); do
	[ -S "/var/run/dpdk/$prefix/dpdk_telemetry.v2" ] &&
		grep -qs "applied on" "$work/fhswd.log" && break
	sleep 0.1
done
sleep 0.5
printf '%s\n' / /fhswitch/ports /fhswitch/flows /fhswitch/flows,256 \
	/fhswitch/ptp /fhswitch/residence /ethdev/stats,0 /help,/fhswitch/flows |
	timeout 20 dpdk-telemetry.py -f "$prefix" >"$work/tel.txt" 2>"$work/tel.err"
wait "$fpid" || not_ok "fhswd exited non-zero: $(tail -3 "$work/fhswd.log")"
pids=()
# one JSON object per reply, in order
$py - "$work/tel.txt" "$work/tel.json" <<'PY'
import json, sys
dec, text, out = json.JSONDecoder(), open(sys.argv[1]).read(), {}
i = 0
while True:
    j = text.find("{", i)
    if j < 0:
        break
    obj, i = dec.raw_decode(text, j)
    for k, v in obj.items():
        out.setdefault(k, []).append(v)
json.dump(out, open(sys.argv[2], "w"))
PY
jcheck "dpdk-telemetry.py lists the /fhswitch commands" "$work/tel.json" \
	'all(c in j["/"][0] for c in ("/fhswitch/ports", "/fhswitch/flows", "/fhswitch/ptp", "/fhswitch/residence", "/ethdev/stats"))'
jcheck "/fhswitch/ports: names and moving counters" "$work/tel.json" \
	'j["/fhswitch/ports"][0]["name"] == ["A", "B-1"] and min(j["/fhswitch/ports"][0]["rx_packets"]) > 1000 and j["/fhswitch/ports"][0]["drops"] == [0, 0]'
jcheck "/fhswitch/flows: the first page of 256 and where the next starts" "$work/tel.json" \
	'len(j["/fhswitch/flows"][0]["name"]) == 256 and j["/fhswitch/flows"][0]["name"][:2] == ["a2b", "b.2a"] and j["/fhswitch/flows"][0]["next"] == 256 and j["/fhswitch/flows"][0]["rx_total"][0] > 1000'
jcheck "/fhswitch/flows,256: the last 44, no next" "$work/tel.json" \
	'len(j["/fhswitch/flows"][1]["name"]) == 44 and j["/fhswitch/flows"][1]["name"][-1] == "idle-297" and "next" not in j["/fhswitch/flows"][1] and set(j["/fhswitch/flows"][1]["rx_total"]) == {0}'
jcheck "/fhswitch/ptp: per port columns" "$work/tel.json" \
	'j["/fhswitch/ptp"][0]["name"] == ["A", "B-1"] and j["/fhswitch/ptp"][0]["corrected"] == [0, 0]'
jcheck "/fhswitch/residence: measured, percentiles in order" "$work/tel.json" \
	'(lambda r: r["measured"] == "yes" and r["bursts"] > 1000 and 0 < r["p50_ns"] <= r["p99_ns"] <= r["p999_ns"] and sum(r["bucket_count"]) == r["bursts"])(j["/fhswitch/residence"][0])'
jcheck "/ethdev/stats,0 next to them" "$work/tel.json" \
	'j["/ethdev/stats"][0]["ipackets"] > 1000'
jcheck "/help documents the paging" "$work/tel.json" \
	'"next" in j["/help"][0]["/fhswitch/flows"]'
# the counters went on after the telemetry read: they can only have grown
check "telemetry figures are <= the final --counters-json" $py - "$work/tel.json" "$work/counters.json" <<'PY'
import json, sys
t, c = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
p = t["/fhswitch/ports"][0]
for i, n in enumerate(p["name"]):
    assert 0 < p["rx_packets"][i] <= c["ports"][n]["rx_packets"], n
f = t["/fhswitch/flows"][0]
for i, n in enumerate(f["name"][:2]):
    assert 0 < f["rx_total"][i] <= c["flows"][n]["rx_total"], n
PY
summary
