#!/usr/bin/env bash
# DPDK telemetry: fhswd registers /fhswitch/ports, /fhswitch/flows (pages
# of 256), /fhswitch/eaxc, /fhswitch/ptp and /fhswitch/residence, and DPDK's own client
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
# port C carries nothing: fhctl counters --flow a2b leaves it out
json.dump({"name": "telemetry",
           "ports": [{"name": "A", "device": "net_ring0"},
                     {"name": "B-1", "device": "net_ring1"},
                     # (VLAN 4000 only: the untagged C-plane flooded
                     # from A must not loop through C's ring)
                     {"name": "C", "device": "net_ring2",
                      "allowed_vlans": [4000]}],
           "flows": flows}, open(sys.argv[1], "w"))
PY
gport=$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$fhswd" --no-huge -m 128 --no-pci --file-prefix "$prefix" -l 0 \
	--log-level=error --vdev net_ring0 --vdev net_ring1 --vdev net_ring2 -- \
	--config "$work/cfg.json" --residence --run-seconds 8 \
	--grpc "127.0.0.1:$gport" \
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
for i in $(seq 50); do
	"$fhctl" -s "127.0.0.1:$gport" --timeout 1 health 2>/dev/null |
		grep -q '^SERVING$' && break
	sleep 0.1
done
# fhctl: --flow shows the ports that flow uses; --watch adds rates
"$fhctl" -s "127.0.0.1:$gport" counters --flow a2b >"$work/fhctl_flow.txt" 2>&1
"$fhctl" -s "127.0.0.1:$gport" counters --flow a2b --watch 1 --interval 500 \
	>"$work/fhctl_watch.txt" 2>&1
"$fhctl" -s "127.0.0.1:$gport" counters --eaxc >"$work/fhctl_eaxc.txt" 2>&1
"$fhctl" -s "127.0.0.1:$gport" --json counters --eaxc \
	>"$work/fhctl_eaxc.json" 2>&1
printf '%s\n' / /fhswitch/ports /fhswitch/flows /fhswitch/flows,256 \
	/fhswitch/eaxc /fhswitch/eaxc,3 \
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
	'j["/fhswitch/ports"][0]["name"] == ["A", "B-1", "C"] and min(j["/fhswitch/ports"][0]["rx_packets"][:2]) > 1000 and j["/fhswitch/ports"][0]["drops"] == [0, 0, 0] and j["/fhswitch/ports"][0]["drops_unknown"] == [0, 0, 0]'
jcheck "/fhswitch/flows: the first page of 256 and where the next starts" "$work/tel.json" \
	'len(j["/fhswitch/flows"][0]["name"]) == 256 and j["/fhswitch/flows"][0]["name"][:2] == ["a2b", "b.2a"] and j["/fhswitch/flows"][0]["next"] == 256 and j["/fhswitch/flows"][0]["rx_total"][0] > 1000'
jcheck "/fhswitch/flows,256: the last 44, no next" "$work/tel.json" \
	'len(j["/fhswitch/flows"][1]["name"]) == 44 and j["/fhswitch/flows"][1]["name"][-1] == "idle-297" and "next" not in j["/fhswitch/flows"][1] and set(j["/fhswitch/flows"][1]["rx_total"]) == {0}'
# eAxC 0 and 1 bounce between A and B-1 (U-plane by the flows, C-plane
# bridged): streams per port, eAxC, plane; the capture's SeqIds start
# again each time it is replayed, so errors grow; no flow has a window
jcheck "/fhswitch/eaxc: the U-plane streams by port, eAxC" "$work/tel.json" \
	'(lambda e: [(e["port"][i], e["eaxc_id"][i], e["direction"][i], e["windowed"][i]) for i in range(len(e["port"])) if e["plane"][i] == "U"] == [("A", 0, "DL", 0), ("A", 1, "DL", 0), ("B-1", 0, "DL", 0), ("B-1", 1, "DL", 0)] and min(e["rx_total"]) > 1000 and min(e["rx_seqid_err"]) > 0 and "next" not in e)(j["/fhswitch/eaxc"][0])'
jcheck "/fhswitch/eaxc,3: from the fourth stream on" "$work/tel.json" \
	'j["/fhswitch/eaxc"][1]["port"] == j["/fhswitch/eaxc"][0]["port"][3:] and j["/fhswitch/eaxc"][1]["eaxc_id"] == j["/fhswitch/eaxc"][0]["eaxc_id"][3:]'
jcheck "fhctl --json counters --eaxc: the streams, window counters n/a" "$work/fhctl_eaxc.json" \
	'(lambda u: [(x["port"], x.get("eaxc_id", 0), x["direction"]) for x in u] == [("A", 0, "DIRECTION_DL"), ("A", 1, "DIRECTION_DL"), ("B-1", 0, "DIRECTION_DL"), ("B-1", 1, "DIRECTION_DL")] and all(int(x["rx_total"]) > 1000 and x["unsupported"] == ["rx_on_time", "rx_early", "rx_late", "rx_late_local"] for x in u))([x for x in j["eaxc"] if x["plane"] == "PLANE_U"])'
check "fhctl counters --eaxc: the stream table" $py - "$work/fhctl_eaxc.txt" <<'PY'
import sys
lines = [l.split() for l in open(sys.argv[1])]
head = [l for l in lines if l[:2] == ["EAXC", "PORT"]]
assert head and head[0][2:] == ["EAXC", "PLANE", "DIR", "RX_TOTAL", "ON_TIME", "EARLY", "LATE", "SEQID_ERR", "LOST"], head
rows = [l for l in lines if len(l) == 10 and l[2] == "U"]
assert [(r[0], r[1], r[3]) for r in rows] == [("A", "0", "DL"), ("A", "1", "DL"), ("B-1", "0", "DL"), ("B-1", "1", "DL")], rows
assert all(r[5:8] == ["n/a"] * 3 and int(r[4]) > 1000 for r in rows), rows
PY
jcheck "/fhswitch/ptp: per port columns" "$work/tel.json" \
	'j["/fhswitch/ptp"][0]["name"] == ["A", "B-1", "C"] and j["/fhswitch/ptp"][0]["corrected"] == [0, 0, 0]'
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
for i, n in enumerate(p["name"][:2]):
    assert 0 < p["rx_packets"][i] <= c["ports"][n]["rx_packets"], n
f = t["/fhswitch/flows"][0]
for i, n in enumerate(f["name"][:2]):
    assert 0 < f["rx_total"][i] <= c["flows"][n]["rx_total"], n
e = t["/fhswitch/eaxc"][0]
final = {(x["port"], x["eaxc_id"], x["plane"]): x for x in c["eaxc"]}
for i, port in enumerate(e["port"]):
    x = final[(port, e["eaxc_id"][i], e["plane"][i])]
    assert 0 < e["rx_total"][i] <= x["rx_total"], (port, x)
    assert e["rx_seqid_err"][i] <= x["rx_seqid_err"], (port, x)
    assert x["rx_on_time"] is None, x
PY
contains "fhctl counters --flow a2b: its ports A and B-1" "B-1" cat "$work/fhctl_flow.txt"
check "fhctl counters --flow a2b: not port C" $py - "$work/fhctl_flow.txt" <<'PY'
import sys
rows = [l.split()[0] for l in open(sys.argv[1]) if l.split()]
assert "A" in rows and "B-1" in rows and "C" not in rows, rows
PY
check "fhctl counters --watch: rates per second next to totals" $py - "$work/fhctl_watch.txt" <<'PY'
import sys
lines = [l.split() for l in open(sys.argv[1])]
heads = [l for l in lines if l[:1] == ["PORT"]]
assert heads and heads[0][:5] == ["PORT", "RX_PACKETS", "RX_PPS", "TX_PACKETS", "TX_PPS"], heads
a = [l for l in lines if l[:1] == ["A"]]
# first sample: no rate yet; later ones: packets per second
assert len(a) >= 2 and a[0][2] == "-" and float(a[-1][2]) > 1000, a
f = [l for l in lines if l[:1] == ["a2b"]]
assert len(f) >= 2 and f[0][2] == "-" and float(f[-1][2]) > 1000, f
PY
summary
