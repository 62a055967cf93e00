#!/usr/bin/env bash
# Prometheus metrics where users already look: fhswd --metrics serves the
# text exposition at /metrics (libmicrohttpd); promtool check metrics finds
# nothing to lint; a real Prometheus server (Debian's prometheus), started
# here on loopback, scrapes fhswd and answers PromQL through its HTTP API:
# the rate of a flow's counter, the running config version, the residence
# histogram's quantile.  fhswd runs on two ring vdevs with U-plane packets
# bouncing between them, so the counters move.
#   test_metrics.sh FHSWD FHCTL
set -u
fhswd=$1
fhctl=$2
py=/usr/bin/python3
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$work" "/var/run/dpdk/fh_metrics_$$"
}
trap cleanup EXIT
. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"
export TH_PYTHON=$py

for c in promtool prometheus; do
	command -v $c >/dev/null || die "$c not found (Debian prometheus; ci/setup-deps.sh installs it)"
done
free_port() {
	$py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
get() { # get URL OUT: HTTP status on stdout, body in OUT
	$py - "$1" "$2" <<'PY'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=5)
    code, body, ctype = r.status, r.read(), r.headers.get("Content-Type", "")
except urllib.error.HTTPError as e:
    code, body, ctype = e.code, e.read(), ""
except Exception as e:
    code, body, ctype = 0, str(e).encode(), ""
open(sys.argv[2], "wb").write(body)
open(sys.argv[2] + ".type", "w").write(ctype)
print(code)
PY
}

"$fhctl" gen --out "$work/u.pcap" --eaxc 2 --prbs 2 --slots 1 --direction dl \
	--from du >/dev/null 2>&1 || die "fhctl gen failed"
cat >"$work/cfg.json" <<'EOF'
{ "name": "metrics",
  "ports": [ { "name": "A", "device": "net_ring0", "role": "ROLE_DU" },
             { "name": "B", "device": "net_ring1", "role": "ROLE_RU" } ],
  "flows": [ { "name": "a2b", "match": { "in_port": "A", "plane": "PLANE_U" },
               "action": { "out_ports": ["B"] },
               "window": { "earliest_us": -500, "latest_us": -100 } },
             { "name": "b2a", "match": { "in_port": "B", "plane": "PLANE_U" },
               "action": { "out_ports": ["A"] } } ],
  "ptp": { "mode": "PTP_MODE_TRANSPARENT" } }
EOF

# fhswd: a port taken meanwhile is retried
for tries in 1 2 3; do
	mport=$(free_port)
	"$fhswd" --no-huge -m 128 --no-pci --file-prefix "fh_metrics_$$" -l 0 \
		--log-level=error --vdev net_ring0 --vdev net_ring1 -- \
		--config "$work/cfg.json" --metrics "$mport" --residence \
		--inject "$work/u.pcap:A:8" >"$work/fhswd.log" 2>&1 &
	fpid=$!
	pids+=("$fpid")
	for i in $(seq 100); do
		kill -0 "$fpid" 2>/dev/null || break
		[ "$(get "http://127.0.0.1:$mport/metrics" "$work/m.txt")" = 200 ] && break 2
		sleep 0.1
	done
	kill "$fpid" 2>/dev/null
	wait "$fpid" 2>/dev/null
done
[ "$(get "http://127.0.0.1:$mport/metrics" "$work/m.txt")" = 200 ] ||
	die "fhswd --metrics did not answer: $(tail -5 "$work/fhswd.log")"
ok "fhswd serves /metrics on 127.0.0.1:$mport (--metrics PORT: loopback)"
contains "Content-Type is the text exposition format 0.0.4" \
	"text/plain; version=0.0.4" cat "$work/m.txt.type"
if out=$(promtool check metrics <"$work/m.txt" 2>&1) && [ -z "$out" ]; then
	ok "promtool check metrics: no problem"
else
	not_ok "promtool check metrics"
	details "$out"
fi
lacks "/metrics: no timing series for b2a (no window: n/a, not 0)" \
	'fhswitch_flow_rx_on_time_messages_total{flow="b2a"}' cat "$work/m.txt"
for want in 'fhswitch_build_info{version="' 'fhswitch_config_version 1' \
	'fhswitch_port_rx_packets_total{port="A"}' \
	'fhswitch_flow_rx_messages_total{flow="a2b"}' \
	'fhswitch_flow_rx_on_time_messages_total{flow="a2b"}' \
	'fhswitch_ptp_corrected_total{port="B"} 0' \
	'fhswitch_residence_seconds_bucket{le="+Inf"}' \
	'fhswitch_l2_flooded_total' \
	'fhswitch_eaxc_rx_messages_total{port="A",eaxc="1",plane="U",direction="DL"}' \
	'fhswitch_eaxc_rx_on_time_messages_total{port="A",eaxc="0",plane="U",direction="DL"}' \
	'fhswitch_eaxc_rx_lost_messages_total{port="B",eaxc="0",plane="U",direction="DL"}'; do
	contains "/metrics has $want" "$want" cat "$work/m.txt"
done
lacks "/metrics: no timing series for the eAxC streams into B (b2a: no window)" \
	'fhswitch_eaxc_rx_on_time_messages_total{port="B"' cat "$work/m.txt"
check "/metrics: the flow counts the U-plane of what port A received" $py - "$work/m.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
v = lambda k: float(re.search(re.escape(k) + r" (\S+)", t).group(1))
rx = v('fhswitch_port_rx_packets_total{port="A"}')
fl = v('fhswitch_flow_rx_messages_total{flow="a2b"}')
# (C-plane is bridged, outside the flow; the two are read one after the
# other while traffic runs)
assert 1000 < fl < rx * 1.05, (rx, fl)
PY
[ "$(get "http://127.0.0.1:$mport/other" "$work/o.txt")" = 404 ] &&
	ok "/other is 404" || not_ok "/other is not 404"

# a real Prometheus scrapes it
pport=$(free_port)
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: fhswd
    static_configs:
      - targets: ["127.0.0.1:$mport"]
EOF
timeout 120 prometheus --config.file="$work/prometheus.yml" \
	--storage.tsdb.path="$work/tsdb" --web.listen-address="127.0.0.1:$pport" \
	>"$work/prometheus.log" 2>&1 &
pids+=("$!")
query() { # query PROMQL -> the first result's value, or "none"
	$py - "http://127.0.0.1:$pport/api/v1/query" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
u = sys.argv[1] + "?" + urllib.parse.urlencode({"query": sys.argv[2]})
try:
    r = json.load(urllib.request.urlopen(u, timeout=5))
    res = r["data"]["result"]
    print(res[0]["value"][1] if res else "none")
except Exception as e:
    print("none")
PY
}
for i in $(seq 150); do
	v=$(query 'rate(fhswitch_flow_rx_messages_total{flow="a2b"}[5s])')
	[ "$v" != none ] && break
	sleep 0.2
done
up=$(query 'up{job="fhswd"}')
[ "$up" = 1 ] && ok "prometheus: up{job=\"fhswd\"} is 1" ||
	not_ok "prometheus: up{job=\"fhswd\"} = $up ($(tail -3 "$work/prometheus.log"))"
if $py -c "import sys; sys.exit(0 if float('$v') > 1000 else 1)" 2>/dev/null; then
	ok "prometheus: rate(fhswitch_flow_rx_messages_total{flow=\"a2b\"}[5s]) = $v /s"
else
	not_ok "prometheus: flow rate is '$v'"
fi
v=$(query 'sum(rate(fhswitch_eaxc_rx_messages_total{port="A",plane="U"}[5s]))')
if $py -c "import sys; sys.exit(0 if float('$v') > 1000 else 1)" 2>/dev/null; then
	ok "prometheus: U-plane eAxC streams into A at $v messages/s"
else
	not_ok "prometheus: eAxC stream rate is '$v'"
fi
cv=$(query 'fhswitch_config_version{job="fhswd"}')
[ "$cv" = 1 ] && ok "prometheus: fhswitch_config_version 1" ||
	not_ok "prometheus: fhswitch_config_version = $cv"
q=$(query 'histogram_quantile(0.99, rate(fhswitch_residence_seconds_bucket[5s]))')
if $py -c "import sys; v = float('$q'); sys.exit(0 if 0 < v < 0.01 else 1)" 2>/dev/null; then
	ok "prometheus: residence p99 from the histogram = $q s"
else
	not_ok "prometheus: residence p99 = '$q'"
fi

kill "$fpid"
wait "$fpid" 2>/dev/null
summary
