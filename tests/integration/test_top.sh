#!/usr/bin/env bash
# fhctl top in a real terminal: under tmux (a detached session, 150x45),
# against fhswd forwarding U-plane between two ring vdevs through a flow
# with a window (a2b) and one without (b2a).  capture-pane shows the
# screen: the three tables (ports, flows, eAxC streams) with rates, the
# busiest first, on-time % next to the flow with a window and n/a for the
# other, and a later capture shows new figures (the screen refreshes in
# place).  Ctrl-C ends it with exit 0.
#   test_top.sh FHSWD FHCTL
set -u
fhswd=$1
fhctl=$2
py=/usr/bin/python3
work=$(mktemp -d)
prefix=fh_top_$$
sess=fhtop$$
pids=()
cleanup() {
	tmux kill-session -t "$sess" 2>/dev/null
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
command -v tmux >/dev/null || die "tmux not found (ci/setup-deps.sh installs it)"

"$fhctl" gen --out "$work/u.pcap" --eaxc 2 --prbs 2 --slots 1 --direction dl \
	--from du >/dev/null 2>&1 || die "fhctl gen failed"
cat >"$work/cfg.json" <<'EOF'
{ "name": "top",
  "ports": [ { "name": "A", "device": "net_ring0", "role": "ROLE_DU" },
             { "name": "B", "device": "net_ring1", "role": "ROLE_RU" } ],
  "flows": [ { "name": "a2b", "match": { "in_port": "A", "plane": "PLANE_U" },
               "action": { "out_ports": ["B"] },
               "window": { "earliest_us": -500, "latest_us": -100 } },
             { "name": "b2a", "match": { "in_port": "B", "plane": "PLANE_U" },
               "action": { "out_ports": ["A"] } } ] }
EOF
gport=$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$fhswd" --no-huge -m 128 --no-pci --file-prefix "$prefix" -l 0 \
	--log-level=error --vdev net_ring0 --vdev net_ring1 -- \
	--config "$work/cfg.json" --run-seconds 20 --grpc "127.0.0.1:$gport" \
	--inject "$work/u.pcap:A:8" >"$work/fhswd.log" 2>&1 &
pids+=("$!")
for i in $(seq 100); do
	"$fhctl" -s "127.0.0.1:$gport" --timeout 1 health 2>/dev/null |
		grep -q '^SERVING$' && break
	sleep 0.1
done

tmux new-session -d -s "$sess" -x 150 -y 45 \
	"'$fhctl' -s 127.0.0.1:$gport top --interval 300; echo \"top exit \$?\"; sleep 30"
# a screen with rates needs two samples
snap() { tmux capture-pane -p -t "$sess" >"$1"; }
for i in $(seq 50); do
	snap "$work/s1.txt"
	grep -q '^a2b ' "$work/s1.txt" && ! grep -q '^a2b  *- ' "$work/s1.txt" && break
	sleep 0.1
done
sleep 1
snap "$work/s2.txt"
check "top: the three tables, busiest first" $py - "$work/s1.txt" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
assert rows[0][:2] == ["fhctl", "top"], rows[0]
heads = [r[0] for r in rows if r[0] in ("PORT", "FLOW") or r[:2] == ["EAXC", "PORT"]]
assert heads == ["PORT", "FLOW", "EAXC"], heads
flows = [r for r in rows if r[0] in ("a2b", "b2a")]
assert [len(r) for r in flows] == [9, 9], flows
rates = [float(r[1]) for r in flows]
assert min(rates) > 1000 and rates == sorted(rates, reverse=True), flows
pct = {r[0]: r[3] for r in flows}
assert pct["b2a"] == "n/a" and 0 <= float(pct["a2b"]) <= 100, pct
eaxc = [r for r in rows if len(r) == 9 and r[2] in ("U", "C")]
assert {(r[0], r[1], r[2]) for r in eaxc} >= {("A", "0", "U"), ("B", "1", "U")}, eaxc
PY
check "top: the screen refreshes in place (new figures, one header)" $py - "$work/s1.txt" "$work/s2.txt" <<'PY'
import sys
a, b = (open(p).read() for p in sys.argv[1:3])
assert a != b, "same screen after 1 s"
assert b.count("fhctl top") == 1, b
tot = lambda t: [l.split()[8] for l in t.splitlines() if l.startswith("a2b ")]
assert int(tot(b)[0]) > int(tot(a)[0]), (tot(a), tot(b))
PY
tmux send-keys -t "$sess" C-c
for i in $(seq 30); do
	snap "$work/s3.txt"
	grep -q '^top exit' "$work/s3.txt" && break
	sleep 0.1
done
contains "top: Ctrl-C ends it with exit 0" "top exit 0" cat "$work/s3.txt"
summary
