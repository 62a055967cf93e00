#!/usr/bin/env bash
# Forwarding benchmark: in one run, on the same two net_ring loopback vdevs
# with --no-huge and one forwarding core each, dpdk-testpmd in io, mac and
# 5tswap modes (--tx-first) and fhswd forwarding O-RAN U/C-plane traffic
# through 130 flows (64 eAxCs each way, exact eAxC match, window checks and
# counters on).  Prints Mpps and ratios; io only moves mbuf pointers, so it
# is the ceiling, not a target.  Also fhswd's residence time (rx burst to
# tx burst) percentiles, and tables of Mpps by flows in the table (exact,
# masked, wildcard), by message size, by forwarding lcores, and the RSS at
# 4096 flows and 8 ports; with perf, the forwarding core's samples by stage
# (tests/bench/perf_stages.py).
#   tests/bench/bench_fwd.sh BUILD_DIR [SECONDS]
set -euo pipefail
build=$(cd "$1" && pwd)
secs=${2:-6}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
eal=(--no-huge -m 256 --no-pci --log-level=error --vdev net_ring0 --vdev net_ring1)

# testpmd prints Rx-pps per port every second; average the later samples
testpmd_mpps() {
	local mode=$1 out=$work/testpmd-$1.log
	timeout -s INT $((secs + 2)) dpdk-testpmd "${eal[@]}" --file-prefix "bench_tp_$$" \
		-l 0-1 -- --no-mlockall --total-num-mbufs=8192 --tx-first \
		--forward-mode="$mode" --nb-cores=1 --stats-period 1 >"$out" 2>&1 || true
	awk '/Rx-pps:/ { v[n++] = $2 } END {
		# two ports per sample; skip the first two samples (warm-up)
		s = 0; k = 0
		for (i = 4; i + 1 < n; i += 2) { s += v[i] + v[i+1]; k++ }
		if (k == 0) { print "0"; exit }
		printf "%.3f\n", s / k / 1e6 }' "$out"
}

# fhswd: 64 eAxCs, U-plane DL from A to B and back, C-plane too
"$build/bin/fhctl" gen --out "$work/gen.pcap" --eaxc 64 --prbs 2 --slots 1 \
	--direction dl --from du 2>/dev/null
# the injected packets are the first of the file: interleave one C-plane
# message per 14 U-plane messages (one slot's worth), as on a real link
/usr/bin/python3 - "$work/gen.pcap" "$work/fh.pcap" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
recs, off = [], 24
while off + 16 <= len(data):
    n = struct.unpack("<I", data[off + 8:off + 12])[0]
    recs.append(data[off:off + 16 + n])
    off += 16 + n
def msg_type(r):
    fr = r[16:]
    et = 16 if fr[12:14] == b"\x81\x00" else 12
    return fr[et + 3]
c = [r for r in recs if msg_type(r) == 2]
u = [r for r in recs if msg_type(r) == 0]
out = []
for i, r in enumerate(u):
    if i % 14 == 0 and c:
        out.append(c.pop(0))
    out.append(r)
open(sys.argv[2], "wb").write(data[:24] + b"".join(out))
PY
/usr/bin/python3 "$(dirname "$0")/fwd_config.py" "$work/cfg.json"

# fhswd forwarding what PCAP's first 32 frames, injected on A and B, make
# of it: prints "MPPS GBITS" (both ports; bits of the frames, no preamble)
fhswd_run() { # CONFIG SECONDS PCAP LCORES [FHSWD OPTIONS...]
	local cfg=$1 s=$2 pcap=$3 lcores=$4
	shift 4
	"$build/bin/fhswd" "${eal[@]}" --file-prefix "bench_fh_$$" \
		-l "$lcores" -- "$@" --config "$cfg" --inject "$pcap:A:32" \
		--inject "$pcap:B:32" --run-seconds "$s" \
		--counters-json "$work/c.json" --residence >"$work/fhswd.log" 2>&1
	/usr/bin/python3 - "$work/c.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
rx = sum(p["rx_packets"] for p in c["ports"].values())
by = sum(p["rx_bytes"] for p in c["ports"].values())
flows = sum(f["rx_total"] for f in c["flows"].values())
assert flows == rx, f"flow counters {flows} != port rx {rx}"
print(f"{rx / c['seconds'] / 1e6:.3f} {by * 8 / c['seconds'] / 1e9:.2f}")
PY
}

fhswd_mpps() { # [CONFIG [SECONDS]]
	# lcore 1 forwards; the control threads stay on core 0
	fhswd_run "${1:-$work/cfg.json}" "${2:-$secs}" "$work/fh.pcap" 1 |
		cut -d' ' -f1
}

io=$(testpmd_mpps io)
mac=$(testpmd_mpps mac)
swap=$(testpmd_mpps 5tswap)
fh=$(fhswd_mpps)
residence=$(grep '^residence' "$work/fhswd.log" || echo "residence: not measured")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo "forwarding on one core, net_ring loopbacks, --no-huge (Mpps, both ports)"
printf '  testpmd io      %8.3f   (ceiling: moves mbuf pointers, reads no packet)\n' "$io"
printf '  testpmd mac     %8.3f\n' "$mac"
printf '  testpmd 5tswap  %8.3f\n' "$swap"
printf '  fhswd           %8.3f   130 flows, window checks + counters on\n' "$fh"
echo "ratios"
printf '  fhswd / 5tswap  %s   (target >= 1.0)\n' "$(ratio "$fh" "$swap")"
printf '  fhswd / mac     %s   (target >= 0.7, moonshot >= 1.0)\n' "$(ratio "$fh" "$mac")"
printf '  fhswd / io      %s\n' "$(ratio "$fh" "$io")"
echo "$residence (target p99 <= 20 us)"
# where the forwarding core's time goes: perf samples of CPU 1 (the
# forwarding lcore) by source line, summed per stage
if command -v perf >/dev/null && [ "${FH_BENCH_STAGES:-1}" = 1 ]; then
	fhswd_mpps "$work/cfg.json" 5 >/dev/null &
	sleep 1.5
	if perf record -q -C 1 -o "$work/perf.data" -- sleep 2 >/dev/null 2>&1; then
		wait
		perf report -i "$work/perf.data" --no-children --sort srcline \
			2>/dev/null >"$work/lines.txt"
		echo "fhswd cycles by stage (perf samples of the forwarding core, 130 flows)"
		/usr/bin/python3 "$(dirname "$0")/perf_stages.py" "$work/lines.txt"
	else
		wait
		echo "(perf record failed: no stage breakdown)"
	fi
else
	echo "(no perf: no stage breakdown; Debian package linux-perf)"
fi

# cost as flows grow: the same traffic claimed by flows of one kind, plus
# flows of that kind no packet matches (tests/bench/fwd_config.py --mix)
msecs=$(((secs + 1) / 2))
echo
echo "fhswd Mpps by flows in the table (one core, ${msecs} s each; - : too few flows to claim the traffic)"
printf '  %-9s %9s %9s %9s %9s   %s\n' mix 16 130 1024 4096 "4096/130"
for mix in exact masked wildcard; do
	row=()
	for n in 16 130 1024 4096; do
		if /usr/bin/python3 "$(dirname "$0")/fwd_config.py" "$work/mix.json" \
			--mix "$mix" --flows "$n"; then
			row+=("$(fhswd_mpps "$work/mix.json" "$msecs")")
		else
			row+=("-")
		fi
	done
	printf '  %-9s %9s %9s %9s %9s   %s\n' "$mix" "${row[@]}" "$(ratio "${row[3]}" "${row[1]}")"
	eval "mix_$mix=${row[1]}"
done
echo "  masked / exact at 130 flows:   $(ratio "$mix_masked" "$mix_exact")  (goal >= 0.8)"
echo "  wildcard / exact at 130 flows: $(ratio "$mix_wildcard" "$mix_exact")  (goal >= 0.8)"

# packet sizes: one kind of message at a time through the 130 flows
echo
echo "fhswd by message size (130 flows, one core, ${msecs} s each)"
printf '  %-22s %8s %9s %8s\n' message bytes Mpps Gbit/s
for kind in c 2 16 50 106 273; do
	prbs=$kind
	[ "$kind" = c ] && prbs=2
	"$build/bin/fhctl" gen --out "$work/size.pcap" --eaxc 64 --prbs "$prbs" \
		--slots 1 --direction dl --from du 2>/dev/null
	/usr/bin/python3 - "$work/size.pcap" "$work/size1.pcap" "$kind" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
recs, off = [], 24
while off + 16 <= len(data):
    n = struct.unpack("<I", data[off + 8:off + 12])[0]
    recs.append(data[off:off + 16 + n])
    off += 16 + n
want = 2 if sys.argv[3] == "c" else 0
keep = [r for r in recs if r[16 + 12 + 3] == want]
# the largest U-plane frames only (273 PRBs: the first cut of a message)
if want == 0:
    big = max(len(r) for r in keep)
    keep = [r for r in keep if len(r) == big]
open(sys.argv[2], "wb").write(data[:24] + b"".join(keep))
print(len(keep[0]) - 16, file=open(sys.argv[2] + ".len", "w"))
PY
	read -r mpps gbps < <(fhswd_run "$work/cfg.json" "$msecs" "$work/size1.pcap" 1)
	label="U-plane $kind PRBs"
	[ "$kind" = c ] && label="C-plane"
	printf '  %-22s %8s %9s %8s\n' "$label" "$(cat "$work/size1.pcap.len")" "$mpps" "$gbps"
done
echo "  (net_ring moves mbuf pointers: the switch reads headers, never the IQ"
echo "   payload, so bigger messages cost what their headers cost; on a NIC the"
echo "   wire and PCIe set the limit long before memory bandwidth)"

# lcores: both cores forward, one port's queue each
echo
read -r one _ < <(fhswd_run "$work/cfg.json" "$msecs" "$work/fh.pcap" 1)
read -r two _ < <(fhswd_run "$work/cfg.json" "$msecs" "$work/fh.pcap" 0-1)
echo "fhswd by forwarding lcores (130 flows, ${msecs} s each)"
printf '  -l 1     %8s Mpps\n' "$one"
printf '  -l 0-1   %8s Mpps   x%s of one (goal >= 1.8; this VM has 2 cores, shared\n' "$two" "$(ratio "$two" "$one")"
echo "           with the control threads and the host)"

# power saving (--poll-mode sleep): CPU an idle fhswd takes, forwarding
# rate under load, and how late a sleeping lcore wakes (the most a first
# packet after an idle gap waits; measured with the same nanosleep and
# timer slack)
cpu_pct() { # MODE: fhswd's CPU % over 2 s with nothing to forward
	"$build/bin/fhswd" "${eal[@]}" --file-prefix "bench_idle_$$" -l 1 -- \
		--config "$work/cfg.json" --run-seconds 4 --poll-mode "$1" \
		>"$work/idle.log" 2>&1 &
	local pid=$! a b
	sleep 1.5
	a=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	sleep 2
	b=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	wait "$pid" || true
	awk -v a="$a" -v b="$b" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", (b - a) / hz / 2 * 100 }'
}
busy_cpu=$(cpu_pct busy)
sleep_cpu=$(cpu_pct sleep)
read -r busy_fwd _ < <(fhswd_run "$work/cfg.json" "$msecs" "$work/fh.pcap" 1)
read -r sleep_fwd _ < <(fhswd_run "$work/cfg.json" "$msecs" "$work/fh.pcap" 1 --poll-mode sleep)
wake=$(/usr/bin/python3 - <<'PY'
import ctypes, time
libc = ctypes.CDLL(None)
libc.prctl(29, 1000, 0, 0, 0)  # PR_SET_TIMERSLACK, 1 us, as fhswd does
out = []
for us in (20, 160):
    d = []
    for _ in range(1000):
        t = time.perf_counter_ns()
        time.sleep(us * 1e-6)
        d.append((time.perf_counter_ns() - t) / 1e3)
    d.sort()
    out.append(f"{us} us nap: p50 {d[len(d) // 2]:.0f} us, p99 {d[len(d) * 99 // 100]:.0f} us")
print("; ".join(out))
PY
)
echo
echo "power saving: --poll-mode sleep (after 200 us without a packet, sleep between polls: 20 us doubling to 160 us)"
printf '  idle CPU        busy %s %%   sleep %s %%\n' "$busy_cpu" "$sleep_cpu"
printf '  forwarding      busy %s Mpps   sleep %s Mpps   (x%s: under load it never sleeps)\n' \
	"$busy_fwd" "$sleep_fwd" "$(ratio "$sleep_fwd" "$busy_fwd")"
echo "  wake-up: $wake"
echo "  (the most the first packet after an idle gap waits: one nap; a gap under 200 us never naps)"

# memory: 4096 flows over 8 ports
/usr/bin/python3 "$(dirname "$0")/fwd_config.py" "$work/mem.json" --mix exact \
	--flows 4096 --ports 8
vd=()
for i in 2 3 4 5 6 7; do vd+=(--vdev "net_ring$i"); done
"$build/bin/fhswd" "${eal[@]}" "${vd[@]}" --file-prefix "bench_mem_$$" -l 1 -- \
	--config "$work/mem.json" --inject "$work/fh.pcap:A:32" \
	--inject "$work/fh.pcap:B:32" --run-seconds "$msecs" >"$work/mem.log" 2>&1 &
mpid=$!
sleep "$msecs"
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$mpid/status" 2>/dev/null || echo 0)
wait "$mpid" || true
echo
echo "memory at 4096 flows and 8 ports: fhswd RSS $((rss / 1024)) MiB while forwarding"
echo "  (mbuf pool: $(awk '/define FH_DP_POOL_MBUFS/ { print $3 }' "$(dirname "$0")/../../fronthaul/include/fh/dp.h") mbufs of 2 KiB data room; EAL -m 256, --no-huge)"
