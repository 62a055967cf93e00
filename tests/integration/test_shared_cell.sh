#!/usr/bin/env bash
# A shared cell observed where operators look: fhswd combines the UL of
# three RUs (fhctl gen --ru-count 3, net_pcap vdevs, one RU late) into one
# DU port, serving gRPC and Prometheus meanwhile.  fhctl counters shows the
# COMBINE GROUP table (and --json the API's CombineGroupCounters),
# fhctl capabilities says the backend can combine, /metrics carries the
# fhswitch_combine_* families (promtool check metrics clean), and all of
# them agree with the --counters-json written at exit.
#   test_shared_cell.sh FHSWD FHCTL
set -u
fhswd=$1
fhctl=$2
py=/usr/bin/python3
work=$(mktemp -d)
prefix="fh_cell_$$"
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
free_port() {
	$py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

gen=(--from ru --direction ul --slots 4 --eaxc 2 --prbs 106 --comp bfp:9 --ru-count 3 --seed 3)
"$fhctl" gen --out "$work/ul.pcap" "${gen[@]}" >/dev/null 2>&1 || die "fhctl gen failed"
"$fhctl" gen --out "$work/late.pcap" "${gen[@]}" --ul-delay-us 600 >/dev/null 2>&1 ||
	die "fhctl gen (late) failed"
: >"$work/empty.pcap"
$py - "$work/empty.pcap" <<'PY'
import struct, sys
open(sys.argv[1], "wb").write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
PY
cat >"$work/cfg.json" <<'EOF'
{ "name": "shared-cell",
  "ports": [
    { "name": "du0", "device": "net_pcap0", "role": "ROLE_DU",
      "uplane_comp": { "method": "bfp", "iq_width": 9 } },
    { "name": "ru0", "device": "net_pcap1", "role": "ROLE_RU",
      "uplane_comp": { "method": "bfp", "iq_width": 9 } },
    { "name": "ru1", "device": "net_pcap2", "role": "ROLE_RU",
      "uplane_comp": { "method": "bfp", "iq_width": 9 } },
    { "name": "ru2", "device": "net_pcap3", "role": "ROLE_RU",
      "uplane_comp": { "method": "bfp", "iq_width": 9 } } ],
  "combine_groups": [ { "name": "cell", "in_ports": ["ru0", "ru1", "ru2"],
                        "out_port": "du0", "deadline_us": 300 } ] }
EOF

for tries in 1 2 3; do
	gport=$(free_port)
	mport=$(free_port)
	"$fhswd" --no-huge -m 128 --no-pci --file-prefix "$prefix" -l 0 --log-level=error \
		--vdev "net_pcap0,rx_pcap=$work/empty.pcap,tx_pcap=$work/du0.pcap" \
		--vdev "net_pcap1,rx_pcap=$work/ul-ru0.pcap,tx_pcap=$work/o1.pcap" \
		--vdev "net_pcap2,rx_pcap=$work/ul-ru1.pcap,tx_pcap=$work/o2.pcap" \
		--vdev "net_pcap3,rx_pcap=$work/late-ru2.pcap,tx_pcap=$work/o3.pcap" -- \
		--config "$work/cfg.json" --clock pcap --grpc "127.0.0.1:$gport" \
		--metrics "$mport" --counters-json "$work/counters.json" \
		>"$work/fhswd.log" 2>&1 &
	fpid=$!
	pids+=("$fpid")
	for i in $(seq 100); do
		kill -0 "$fpid" 2>/dev/null || break
		"$fhctl" -s "127.0.0.1:$gport" --timeout 1 version >/dev/null 2>&1 && break 2
		sleep 0.1
	done
	kill "$fpid" 2>/dev/null
	wait "$fpid" 2>/dev/null
done
kill -0 "$fpid" 2>/dev/null || die "fhswd did not start: $(tail -5 "$work/fhswd.log")"
fh() { "$fhctl" -s "127.0.0.1:$gport" --timeout 5 "$@"; }

# the replay is done once the inputs ran dry and the deadlines passed
n=4*14*2
for i in $(seq 100); do
	fh --json counters >"$work/c.json" 2>/dev/null &&
		$py -c 'import json,sys; g=json.load(open(sys.argv[1]))["combine_groups"][0]
sys.exit(0 if int(g.get("partial", 0)) == int(sys.argv[2]) else 1)' "$work/c.json" $((n)) 2>/dev/null && break
	sleep 0.1
done

jcheck "API: every message left partial at its deadline" "$work/c.json" \
	"int(j['combine_groups'][0]['partial']) == $((n)) and int(j['combine_groups'][0].get('combined', 0)) == 0"
jcheck "API: ru2's parts late, ru2 missing most" "$work/c.json" \
	"int(j['combine_groups'][0]['late_parts']) == $((n)) and j['combine_groups'][0]['most_missing'] == 'ru2' and {m['port']: int(m.get('count', 0)) for m in j['combine_groups'][0]['missing']} == {'ru0': 0, 'ru1': 0, 'ru2': $((n))}"
contains "fhctl counters: COMBINE GROUP table" "ru2 ($((n)))" fh counters
contains "fhctl counters: the group's row" "cell" fh counters
# the switchdev backend refuses the group by capability, offline
sed 's/"name": "shared-cell",/"name": "shared-cell", "hal": { "backend": "switchdev" },/' \
	"$work/cfg.json" >"$work/sd.json"
exit_is 1 "switchdev refuses combine_groups (config validate --local)" \
	"$fhctl" config validate --local "$work/sd.json"
contains "... naming the group" 'combine_groups[0] ("cell"): backend switchdev cannot combine UL IQ' \
	printf '%s\n' "$TH_OUT"

$py - "http://127.0.0.1:$mport/metrics" "$work/m.txt" <<'PY'
import sys, urllib.request
open(sys.argv[2], "wb").write(urllib.request.urlopen(sys.argv[1], timeout=5).read())
PY
contains "metrics: partial" "fhswitch_combine_partial_total{group=\"cell\"} $((n))" cat "$work/m.txt"
contains "metrics: late parts" "fhswitch_combine_late_parts_total{group=\"cell\"} $((n))" cat "$work/m.txt"
contains "metrics: missing by port" \
	"fhswitch_combine_missing_total{group=\"cell\",port=\"ru2\"} $((n))" cat "$work/m.txt"
check "promtool check metrics" sh -c "promtool check metrics <'$work/m.txt'"

kill -INT "$fpid"
wait "$fpid"
jcheck "--counters-json combine_groups.cell agrees" "$work/counters.json" \
	"j['combine_groups']['cell']['partial'] == $((n)) and j['combine_groups']['cell']['missing'] == {'ru0': 0, 'ru1': 0, 'ru2': $((n))} and j['combine_groups']['cell']['tx_total'] == $((2 * n))"
# 106 PRBs of BFP-9 exceed du0's MTU 1500: each message cut in two
exit_is 0 "fhctl decode of the DU's capture" \
	"$fhctl" decode --uplane-comp bfp:9 "$work/du0.pcap"
lines=$(printf '%s\n' "$TH_OUT" | grep -c '"plane":"U"')
if [ "$lines" -eq $((2 * n)) ]; then ok "$lines U-plane messages in du0.pcap"; else not_ok "$lines U-plane messages, expected $((2 * n))"; fi
summary
exit $?
