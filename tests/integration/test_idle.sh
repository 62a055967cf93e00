#!/usr/bin/env bash
# --exit-when-idle counts time the data path polled empty ports, not wall
# time: with traffic circulating on two ring loopbacks, fhswd stopped
# (SIGSTOP, as a busy machine deschedules it) for longer than the limit
# goes on forwarding after SIGCONT; a pcap replay that ends stops it after
# the limit; a port that never receives stops it too.
#   test_idle.sh FHSWD FHCTL
set -u
fhswd=$1
fhctl=$2
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -CONT "$pid" 2>/dev/null && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"
eal=(--no-huge -m 128 --no-pci -l 0 --log-level=error)

cat >"$work/cfg.json" <<'JSON'
{"name": "idle", "ports": [{"name": "A", "device": "net_ring0"},
                           {"name": "B", "device": "net_ring1"}],
 "flows": [{"name": "a2b", "match": {"in_port": "A"}, "action": {"out_ports": ["B"]}},
           {"name": "b2a", "match": {"in_port": "B"}, "action": {"out_ports": ["A"]}}]}
JSON
"$fhctl" gen --out "$work/u.pcap" --eaxc 2 --prbs 2 --slots 1 --direction dl \
	--from du 2>/dev/null

# 1. descheduled 2.5 s with a 1 s limit: still running, then --run-seconds ends it
t0=$(date +%s.%N)
"$fhswd" "${eal[@]}" --file-prefix "fh_idle1_$$" --vdev net_ring0 --vdev net_ring1 -- \
	--config "$work/cfg.json" --inject "$work/u.pcap:A:16" --exit-when-idle 1000 \
	--run-seconds 5 --counters-json "$work/c1.json" 2>"$work/log1" &
pid=$!
sleep 1
kill -STOP "$pid"
sleep 2.5
kill -CONT "$pid"
wait "$pid"
rc=$?
pid=
took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
check "fhswd exits 0 after SIGSTOP/SIGCONT" [ "$rc" -eq 0 ]
check "ran its 5 s (took $took s): 2.5 s descheduled is not idle" \
	awk -v t="$took" 'BEGIN { exit !(t >= 4.8) }'
lacks "no idle stop logged" "idle:" cat "$work/log1"

# 2. a replay that ends: stops about 1 s after the last packet
cat >"$work/cfg2.json" <<'JSON'
{"name": "idle2", "ports": [{"name": "A", "device": "net_pcap0"},
                            {"name": "B", "device": "net_pcap1"}],
 "flows": [{"name": "a2b", "match": {"in_port": "A"}, "action": {"out_ports": ["B"]}}]}
JSON
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\xff\xff\0\0\x01\0\0\0' \
	>"$work/empty.pcap" # a pcap with no packet
t0=$(date +%s.%N)
timeout 30 "$fhswd" "${eal[@]}" --file-prefix "fh_idle2_$$" \
	--vdev "net_pcap0,rx_pcap=$work/u.pcap,tx_pcap=$work/a.pcap" \
	--vdev "net_pcap1,rx_pcap=$work/empty.pcap,tx_pcap=$work/b.pcap" -- \
	--config "$work/cfg2.json" --exit-when-idle 1000 2>"$work/log2" &
pid=$!
wait "$pid"
rc=$?
pid=
took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
check "replay: exits 0" [ "$rc" -eq 0 ]
contains "replay: stopped as idle after the last packet" \
	"idle: no packet in polling for 1000 ms" cat "$work/log2"
check "replay: within 10 s (took $took s)" awk -v t="$took" 'BEGIN { exit !(t < 10) }'
n_in=$(tshark -r "$work/u.pcap" 2>/dev/null | wc -l)
n_out=$(tshark -r "$work/b.pcap" 2>/dev/null | wc -l)
check "replay: every packet forwarded ($n_out of $n_in)" [ "$n_in" -gt 0 -a "$n_out" -eq "$n_in" ]

# 3. nothing ever received
timeout 30 "$fhswd" "${eal[@]}" --file-prefix "fh_idle3_$$" --vdev net_ring0 \
	--vdev net_ring1 -- --config "$work/cfg.json" --exit-when-idle 800 \
	2>"$work/log3"
check "no traffic: exits 0" [ $? -eq 0 ]
contains "no traffic: stopped as idle" "idle: nothing received for 800 ms" \
	cat "$work/log3"
# 4. --poll-mode sleep: the replay is forwarded whole, idleness (with naps
# between polls) still ends it
timeout 30 "$fhswd" "${eal[@]}" --file-prefix "fh_idle4_$$" \
	--vdev "net_pcap0,rx_pcap=$work/u.pcap,tx_pcap=$work/a4.pcap" \
	--vdev "net_pcap1,rx_pcap=$work/empty.pcap,tx_pcap=$work/b4.pcap" -- \
	--config "$work/cfg2.json" --exit-when-idle 1000 --poll-mode sleep \
	2>"$work/log4"
check "poll-mode sleep: exits 0" [ $? -eq 0 ]
contains "poll-mode sleep: stopped as idle" "idle: no packet in polling for 1000 ms" \
	cat "$work/log4"
n_out=$(tshark -r "$work/b4.pcap" 2>/dev/null | wc -l)
check "poll-mode sleep: every packet forwarded ($n_out of $n_in)" [ "$n_out" -eq "$n_in" ]
"$fhswd" -- --config x.json --poll-mode nap >"$work/out5" 2>&1
check "poll-mode: an unknown mode is refused" [ $? -ne 0 ]
contains "poll-mode: the error names the option" "--poll-mode 'nap': busy or sleep expected" \
	cat "$work/out5"
summary
