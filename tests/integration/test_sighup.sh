#!/usr/bin/env bash
# SIGHUP reload: while traffic circulates on two ring loopbacks, a broken
# file is refused (logged, the running config stays, traffic goes on) and
# a good one is applied (the renamed flow takes the traffic).
#   test_sighup.sh FHSWD FHCTL
set -u
fhswd=$1
fhctl=$2
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

cfg() { # cfg FLOWNAME
	cat <<JSON
{"name": "hup", "ports": [{"name": "A", "device": "net_ring0"},
                          {"name": "B", "device": "net_ring1"}],
 "flows": [{"name": "$1", "match": {"in_port": "A", "plane": "PLANE_U"},
            "action": {"out_ports": ["B"]}},
           {"name": "b2a", "match": {"in_port": "B", "plane": "PLANE_U"},
            "action": {"out_ports": ["A"]}}]}
JSON
}

"$fhctl" gen --out "$work/u.pcap" --eaxc 2 --prbs 2 --slots 1 --direction dl \
	--from du 2>/dev/null
cfg a2b >"$work/cfg.json"
"$fhswd" --no-huge -m 128 --no-pci --file-prefix "fh_hup_$$" -l 0 \
	--log-level=error --vdev net_ring0 --vdev net_ring1 -- \
	--config "$work/cfg.json" --inject "$work/u.pcap:A:16" --run-seconds 4 \
	--counters-json "$work/c.json" 2>"$work/log" &
pid=$!
# SIGHUP once the config is applied (a slow start, as under ASan, must not
# meet the default action)
for i in $(seq 200); do
	grep -q "applied on" "$work/log" 2>/dev/null && break
	sleep 0.05
done
echo '{"name": "broken", "ports": [' >"$work/cfg.json"
kill -HUP "$pid"
sleep 0.8
cfg a2b-v2 >"$work/cfg.json"
kill -HUP "$pid"
wait "$pid"
rc=$?
pid=
check "fhswd exits 0" [ "$rc" -eq 0 ]
check "broken file refused and logged" \
	grep -q "SIGHUP: .*cfg.json: line .*; the running config stays" "$work/log"
check "good file applied" grep -q "SIGHUP: .*applied: 2 ports, 2 flows" "$work/log"
/usr/bin/python3 - "$work/c.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
ok = True
def need(cond, msg):
    global ok
    if not cond:
        print("FAIL:", msg); ok = False
f = c["flows"]
need("a2b-v2" in f and f["a2b-v2"]["rx_total"] > 0, f"renamed flow carries traffic: {f}")
need(all(p["drops"] == 0 for p in c["ports"].values()), f"no drops: {c['ports']}")
need(f["b2a"]["rx_total"] > f["a2b-v2"]["rx_total"],
     "b2a kept its counters across both reloads")
sys.exit(0 if ok else 1)
PY
check "counters after reloads" [ $? -eq 0 ]
summary
