#!/usr/bin/env bash
# Timing windows judge the sender, not the switch.  An O-DU stream of
# DL C-plane messages, each sent on time by the wall clock, reaches fhswd
# twice: on a net_pcap port (the kernel stamps each frame's arrival, the
# window check uses that) and on a net_af_packet port (no timestamp: the
# burst's poll time).  fhswd is stopped (SIGSTOP, as a busy host
# deschedules it) for 250 ms in the middle of the stream:
#   - pcap port: every message it receives on time, none late, none
#     late_local (what it drops in the stall is reported as drops);
#   - af_packet port: the messages that waited for the switch are
#     rx_late_local, not rx_late; the others on time;
# then messages whose air time passed long ago: rx_late on both ports.
#   test_rx_timestamp.sh FHSWD FHCTL
set -u
fhswd=$(realpath "$1")
fhctl=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
pkt_io="$here/pkt_io.py"
work=$(mktemp -d)
ns=fhts$$
pid=
cleanup() {
	[ -n "$pid" ] && kill -CONT "$pid" 2>/dev/null && kill "$pid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

[ "$(id -u)" -eq 0 ] || die "needs root (network namespace, veth)"
helper_cpus=0
[ "$(nproc)" -gt 1 ] && helper_cpus=1-$(($(nproc) - 1))

ip netns add "$ns" || die "ip netns add $ns"
in_ns=(ip netns exec "$ns")
"${in_ns[@]}" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
"${in_ns[@]}" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
for p in a b; do
	"${in_ns[@]}" ip link add "t$p" type veth peer name "s$p" ||
		die "veth t$p"
	"${in_ns[@]}" ip link set "t$p" up
	"${in_ns[@]}" ip link set "s$p" up
done

# mu 0: 1 ms slots; each message sent 30 ms before its slot, the window
# [-60 ms, -1 ms] leaves the sender 29 ms of slack
cat >"$work/cfg.json" <<'JSON'
{"name": "rx-timestamp", "timing": {"mu": 0},
 "ports": [{"name": "stamped", "device": "net_pcap0"},
           {"name": "polled", "device": "net_af_packet0"},
           {"name": "sink", "device": "net_null0"}],
 "flows": [
  {"name": "stamped", "match": {"in_port": "stamped", "plane": "PLANE_C", "direction": "DIRECTION_DL"},
   "action": {"out_ports": ["sink"]}, "window": {"earliest_us": -60000, "latest_us": -1000}},
  {"name": "polled", "match": {"in_port": "polled", "plane": "PLANE_C", "direction": "DIRECTION_DL"},
   "action": {"out_ports": ["sink"]}, "window": {"earliest_us": -60000, "latest_us": -1000}}]}
JSON

# ip netns exec and taskset exec fhswd: $! is fhswd (SIGSTOP reaches it);
# --run-seconds bounds it
"${in_ns[@]}" taskset -c 0 "$fhswd" --no-huge -m 128 --no-pci \
	--file-prefix "fh_rxts_$$" -l 0 --log-level=error \
	--vdev "net_pcap0,iface=sa" --vdev "net_af_packet0,iface=sb" \
	--vdev net_null0,no-rx=1 -- --config "$work/cfg.json" --run-seconds 11 \
	--counters-json "$work/counters.json" 2>"$work/fhswd.err" &
pid=$!
wait_for 15 "fhswd up" -- grep -q "applied on" "$work/fhswd.err" ||
	die "fhswd did not start: $(tail -5 "$work/fhswd.err")"
ok "fhswd up: a net_pcap port on sa, a net_af_packet port on sb"

# the stream, starting 4 s from now: fhswd is polling
start=$(($(date +%s) + 4))
"$fhctl" gen --out "$work/all.pcap" --from du --direction dl --eaxc 1 --mu 0 \
	--prbs 4 --slots 600 --cp-advance-us 30000 --start "$start" 2>/dev/null ||
	die "fhctl gen"
"$py" "$pkt_io" select --pcap "$work/all.pcap" --out "$work/c.pcap" \
	--plane C >/dev/null || die "select C-plane"
# messages of a frame 2 s before the stream: late by 2 s when sent
"$fhctl" gen --out "$work/old_all.pcap" --from du --direction dl --eaxc 1 \
	--mu 0 --prbs 4 --slots 20 --cp-advance-us 30000 \
	--start $((start - 2)) 2>/dev/null || die "fhctl gen (late)"
"$py" "$pkt_io" select --pcap "$work/old_all.pcap" --out "$work/old.pcap" \
	--plane C >/dev/null || die "select late C-plane"
n=$(tshark -r "$work/c.pcap" 2>/dev/null | wc -l)
n_old=$(tshark -r "$work/old.pcap" 2>/dev/null | wc -l)
check "stream: 600 C-plane messages ($n), 20 late ones ($n_old)" \
	test "$n" -eq 600 -a "$n_old" -eq 20
t_first=$(tshark -r "$work/c.pcap" -c 1 -T fields -e frame.time_epoch 2>/dev/null)
[ -n "$t_first" ] || die "no first timestamp in c.pcap"

# send each message at its capture timestamp, on both veths
timeout -k 2 20 "${in_ns[@]}" taskset -c "$helper_cpus" "$py" "$pkt_io" send \
	--iface ta,tb --pcap "$work/c.pcap" --wallclock --timeout 15 \
	>"$work/send.json" 2>"$work/send.err" &
sender=$!
# the stall: 200 ms into the stream, 250 ms long
sleep_until() {
	local d
	d=$(awk -v t="$1" -v now="$(date +%s.%N)" 'BEGIN { d = t - now; printf "%.3f", (d > 0 ? d : 0) }')
	sleep "$d"
}
sleep_until "$(awk -v t="$t_first" 'BEGIN { printf "%.6f", t + 0.2 }')"
kill -STOP "$pid"
sleep "${FH_RXTS_STALL:-0.25}"
kill -CONT "$pid"
wait "$sender"
check "sender: every message sent on time ($(cat "$work/send.json"))" \
	"$py" -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(not (j["sent"] == 600 and j["max_late_us"] < 29000))' "$work/send.json"
"${in_ns[@]}" "$py" "$pkt_io" send --iface ta,tb --pcap "$work/old.pcap" \
	>/dev/null 2>&1
check "the late messages sent" [ $? -eq 0 ]
wait "$pid"
rc=$?
pid=
check "fhswd exits 0" [ "$rc" -eq 0 ]

c=$work/counters.json
# net_pcap on an interface reads through libpcap's TPACKET_V3 ring, which
# holds nothing while its reader is stopped: the kernel drops the frames
# of the stall and the port reports them as drops (they are not lost
# silently); every frame it did receive is judged by its kernel timestamp
jcheck "stamped: the stream on time but for what the stall dropped (reported as drops), the old messages late, none late_local" "$c" \
	'(lambda f, p: (f["rx_late"], f["rx_late_local"], f["rx_early"]) == (20, 0, 0) and f["rx_on_time"] == f["rx_total"] - 20 and f["rx_on_time"] + p["drops"] >= 600 and p["drops"] > 0)(j["flows"]["stamped"], j["ports"]["stamped"])'
jcheck "polled: ${n} + ${n_old} received" "$c" \
	'j["flows"]["polled"]["rx_total"] == 620'
jcheck "polled: messages that waited out the stall are late_local (> 150), not late" "$c" \
	'j["flows"]["polled"]["rx_late_local"] > 150 and j["flows"]["polled"]["rx_late"] == 20'
jcheck "polled: on_time + late_local = the stream" "$c" \
	'j["flows"]["polled"]["rx_on_time"] + j["flows"]["polled"]["rx_late_local"] == 600 and j["flows"]["polled"]["rx_early"] == 0'
jcheck "eAxC streams: late_local on the polled port only" "$c" \
	'sorted((e["port"], e["rx_late_local"]) for e in j["eaxc"] if e["plane"] == "C")[0] == ("polled", j["flows"]["polled"]["rx_late_local"]) and [e["rx_late_local"] for e in j["eaxc"] if e["port"] == "stamped"] == [0]'
if [ "$failn" -gt 0 ]; then
	echo "--- counters"; cat "$c"; echo "--- fhswd"; tail -20 "$work/fhswd.err"
fi
summary
