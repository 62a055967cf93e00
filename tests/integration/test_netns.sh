#!/usr/bin/env bash
# fhswd switching real kernel traffic: the 1 DU / 2 RU split of
# mgmt/examples/default.json, with the ports on AF_PACKET vdevs over veth
# pairs whose other ends sit in network namespaces du, ru0 and ru1.
#
#   test_netns.sh FHSWD FHCTL WORKDIR
#
# The O-DU namespace sends a generated O-DU stream (DL C/U-plane and UL
# C-plane, eAxC 0..3), each O-RU namespace an UL U-plane stream; captures in
# all three namespaces must hold exactly the frames the flows send there,
# byte for byte, and fhswd's --counters-json must agree.  Needs root and
# `ip netns`; fails (does not skip) without them.  Artifacts of a failed run
# stay in WORKDIR/netns.XXXXXX (always with FH_NETNS_KEEP=1).
#
# Where fhswd runs (FH_NETNS_SWITCH):
#   ns   (default) in a fourth namespace of its own holding the sw* ends.
#   root in the root namespace, the sw* ends there too.  Exposed to two
#        properties of DPDK 22.11's AF_PACKET PMD that make results depend
#        on what else runs on the host: (1) it opens each socket with
#        ETH_P_ALL before binding it to its interface, so during the probe
#        the port's ring collects frames from *every* interface of the
#        namespace (another run's traffic, the host's own), which fhswd
#        then forwards; (2) its PACKET_FANOUT group id is
#        (pid ^ ifindex) & 0xffff, unique only per namespace, so another
#        fhswd can own it and the probe fails with EINVAL (retried here).
set -u

if [ $# -ne 3 ]; then
	echo "usage: $0 FHSWD FHCTL WORKDIR" >&2
	exit 2
fi
fhswd=$(realpath "$1")
fhctl=$(realpath "$2")
workdir=$3
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
pkt_io="$here/pkt_io.py"

RUN_SECONDS=${FH_NETNS_RUN_SECONDS:-4}
SWITCH_NS=${FH_NETNS_SWITCH:-ns}
SLOTS=20
PRBS=8
NEAXC=4
PPS=20000
COMP=bfp:9

. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

for f in "$fhswd" "$fhctl" "$pkt_io" "$py"; do
	[ -x "$f" ] || [ -f "$f" ] || die "missing $f"
done
[ "$(id -u)" -eq 0 ] || die "test_netns needs root (network namespaces, veth, AF_PACKET)"
command -v ip >/dev/null || die "iproute2 'ip' not found"
command -v timeout >/dev/null || die "coreutils 'timeout' not found"
command -v taskset >/dev/null || die "util-linux 'taskset' not found"
case $SWITCH_NS in
ns | root) ;;
*) die "FH_NETNS_SWITCH='$SWITCH_NS': ns or root" ;;
esac

mkdir -p "$workdir" || die "cannot create $workdir"
tmp=$(mktemp -d "$(realpath "$workdir")/netns.XXXXXX") || die "mktemp failed"
sfx=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
ns_du=fhdu-$sfx
ns_ru0=fhru0-$sfx
ns_ru1=fhru1-$sfx
ns_sw=fhsw-$sfx       # fhswd's namespace (FH_NETNS_SWITCH=ns)
sw_du=swdu-$sfx       # fhswd's ends (<= 15 chars)
sw_ru0=swru0-$sfx
sw_ru1=swru1-$sfx
if_du=vdu-$sfx        # namespace ends
if_ru0=vru0-$sfx
if_ru1=vru1-$sfx
prefix=fhnetns$sfx
# MACs carry the run's suffix: frames of a parallel run are told apart
m=${sfx:0:2}:${sfx:2:2}:${sfx:4:2}
DU_MAC=02:$m:d0:01
RU_MAC=02:$m:e0:01     # destination of the O-DU stream
RU0_MAC=02:$m:e0:10    # source of ru0's UL stream
RU1_MAC=02:$m:e0:11    # source of ru1's UL stream
pids=()

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	for n in "$ns_du" "$ns_ru0" "$ns_ru1" "$ns_sw"; do
		ip netns del "$n" 2>/dev/null
	done
	if [ "$SWITCH_NS" = root ]; then
		for l in "$sw_du" "$sw_ru0" "$sw_ru1"; do
			ip link del "$l" 2>/dev/null
		done
	fi
	rm -rf "/var/run/dpdk/$prefix"
	if [ "$failn" -eq 0 ] && [ "${FH_NETNS_KEEP:-0}" = 0 ]; then
		rm -rf "$tmp"
	else
		echo "artifacts kept in $tmp"
	fi
}
trap cleanup EXIT
trap 'failn=$((failn + 1)); echo "interrupted"; exit 1' INT TERM

# ---- topology ----------------------------------------------------------------

nsx() { ip netns exec "$@"; }
# background jobs run as `timeout ... ip netns exec NS cmd`: `ip netns exec`
# forks, so the pid to kill is timeout's, which signals its process group
in_sw=()
[ "$SWITCH_NS" = ns ] && in_sw=(ip netns exec "$ns_sw")
swx() { "${in_sw[@]}" "$@"; } # run in fhswd's namespace
no_ipv6() { # no_ipv6 IFACE RUNNER...: keep the kernel quiet (no RS/NS/MLD)
	local ifc=$1
	shift
	"$@" sh -c "[ ! -e /proc/sys/net/ipv6 ] ||
		sysctl -qw net.ipv6.conf.$ifc.disable_ipv6=1"
}
setup() {
	local ns sw peer
	if [ "$SWITCH_NS" = ns ]; then
		ip netns add "$ns_sw" || return 1
		nsx "$ns_sw" ip link set lo up || return 1
	fi
	for trio in "$ns_du $sw_du $if_du" "$ns_ru0 $sw_ru0 $if_ru0" \
		"$ns_ru1 $sw_ru1 $if_ru1"; do
		set -- $trio
		ns=$1 sw=$2 peer=$3
		ip netns add "$ns" || return 1
		swx ip link add "$sw" type veth peer name "$peer" netns "$ns" ||
			return 1
		no_ipv6 "$sw" swx || return 1
		no_ipv6 "$peer" nsx "$ns" || return 1
		swx ip link set "$sw" up || return 1
		nsx "$ns" ip link set "$peer" up || return 1
		nsx "$ns" ip link set lo up || return 1
	done
}
setup || die "cannot create namespaces and veth pairs (ip netns / veth unavailable?)"
where="root namespace"
[ "$SWITCH_NS" = ns ] && where="namespace $ns_sw"
ok "namespaces $ns_du $ns_ru0 $ns_ru1, veths $sw_du $sw_ru0 $sw_ru1 up in the $where"

# ---- streams and config --------------------------------------------------------

gen() { "$fhctl" gen --eaxc $NEAXC --prbs $PRBS --slots $SLOTS --comp $COMP \
	--mtu 1500 --du-mac "$DU_MAC" "$@" >/dev/null 2>>"$tmp/gen.err"; }
gen --out "$tmp/du.pcap" --from du --direction both --ru-mac "$RU_MAC" ||
	die "fhctl gen (du) failed"
gen --out "$tmp/ru0.pcap" --from ru --direction ul --ru-mac "$RU0_MAC" --seed 2 ||
	die "fhctl gen (ru0) failed"
gen --out "$tmp/ru1.pcap" --from ru --direction ul --ru-mac "$RU1_MAC" --seed 3 ||
	die "fhctl gen (ru1) failed"

pio() { "$py" "$pkt_io" "$@"; }
sel() { pio select "$@" >/dev/null || die "pkt_io select $*"; }
# what each namespace must receive
sel --pcap "$tmp/du.pcap" --out "$tmp/exp_ru0.pcap" --eaxc 0,1
sel --pcap "$tmp/du.pcap" --out "$tmp/exp_ru1.pcap" --eaxc 2,3
cat_pcaps() { # cat_pcaps OUT IN... (same header, records appended)
	local out=$1
	shift
	head -c 24 "$1" >"$out"
	for f in "$@"; do tail -c +25 "$f" >>"$out"; done
}
cat_pcaps "$tmp/exp_du.pcap" "$tmp/ru0.pcap" "$tmp/ru1.pcap"

count() { pio summary --pcap "$1" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["frames"])'; }
n_du=$(count "$tmp/du.pcap")
n_ru0=$(count "$tmp/ru0.pcap")
n_ru1=$(count "$tmp/ru1.pcap")
n_exp_ru0=$(count "$tmp/exp_ru0.pcap")
n_exp_ru1=$(count "$tmp/exp_ru1.pcap")
n_exp_du=$((n_ru0 + n_ru1))
if [ "$n_du" -gt 0 ] && [ "$n_exp_ru0" -gt 0 ] && [ "$n_exp_ru1" -gt 0 ] &&
	[ $((n_exp_ru0 + n_exp_ru1)) -eq "$n_du" ] && [ "$n_ru0" -gt 0 ]; then
	ok "streams: du $n_du frames ($n_exp_ru0 for ru0, $n_exp_ru1 for ru1), ru0 $n_ru0, ru1 $n_ru1"
else
	die "unexpected generated streams: du $n_du ru0 $n_exp_ru0/$n_ru0 ru1 $n_exp_ru1/$n_ru1"
fi

cat >"$tmp/config.json" <<'EOF'
{
  "name": "netns-1du-2ru",
  "eaxc_layout": { "du_port_bits": 4, "band_sector_bits": 4, "cc_bits": 4, "ru_port_bits": 4 },
  "timing": { "mu": 1 },
  "ports": [
    { "name": "du0", "device": "net_af_packet0", "role": "ROLE_DU" },
    { "name": "ru0", "device": "net_af_packet1", "role": "ROLE_RU" },
    { "name": "ru1", "device": "net_af_packet2", "role": "ROLE_RU" }
  ],
  "flows": [
    { "name": "dl-c-ru0", "match": { "in_port": "du0", "plane": "PLANE_C", "direction": "DIRECTION_DL", "eaxc_id": 0, "eaxc_mask": 65534 },
      "action": { "out_ports": ["ru0"] }, "window": { "earliest_us": -700, "latest_us": -300 } },
    { "name": "dl-c-ru1", "match": { "in_port": "du0", "plane": "PLANE_C", "direction": "DIRECTION_DL", "eaxc_id": 2, "eaxc_mask": 65534 },
      "action": { "out_ports": ["ru1"] }, "window": { "earliest_us": -700, "latest_us": -300 } },
    { "name": "dl-u-ru0", "match": { "in_port": "du0", "plane": "PLANE_U", "direction": "DIRECTION_DL", "eaxc_id": 0, "eaxc_mask": 65534 },
      "action": { "out_ports": ["ru0"] }, "window": { "earliest_us": -450, "latest_us": -150 } },
    { "name": "dl-u-ru1", "match": { "in_port": "du0", "plane": "PLANE_U", "direction": "DIRECTION_DL", "eaxc_id": 2, "eaxc_mask": 65534 },
      "action": { "out_ports": ["ru1"] }, "window": { "earliest_us": -450, "latest_us": -150 } },
    { "name": "ul-c-ru0", "match": { "in_port": "du0", "plane": "PLANE_C", "direction": "DIRECTION_UL", "eaxc_id": 0, "eaxc_mask": 65534 },
      "action": { "out_ports": ["ru0"] } },
    { "name": "ul-c-ru1", "match": { "in_port": "du0", "plane": "PLANE_C", "direction": "DIRECTION_UL", "eaxc_id": 2, "eaxc_mask": 65534 },
      "action": { "out_ports": ["ru1"] } },
    { "name": "ul-u-ru0", "match": { "in_port": "ru0", "plane": "PLANE_U", "direction": "DIRECTION_UL" },
      "action": { "out_ports": ["du0"] }, "window": { "earliest_us": 25, "latest_us": 500 } },
    { "name": "ul-u-ru1", "match": { "in_port": "ru1", "plane": "PLANE_U", "direction": "DIRECTION_UL" },
      "action": { "out_ports": ["du0"] }, "window": { "earliest_us": 25, "latest_us": 500 } }
  ],
  "l2": { "learning": true, "aging_s": 300 }
}
EOF

# ---- run -----------------------------------------------------------------------

# fhswd polls on CPU 0 (-l 0); keep the Python senders and captures off it
# when there is another CPU, or a preempted lcore overruns its AF_PACKET ring
ncpu=$(nproc)
helper_cpus=0
[ "$ncpu" -gt 1 ] && helper_cpus=1-$((ncpu - 1))

# captures first, so nothing fhswd sends is missed; they run until fhswd
# has exited (stop file) and their socket is drained, bounded by cap_to
cap_to=$((RUN_SECONDS + 20))
capture() { # capture NS IFACE NAME
	timeout -k 2 $((cap_to + 5)) ip netns exec "$1" \
		taskset -c "$helper_cpus" "$py" "$pkt_io" capture \
		--iface "$2" --out "$tmp/cap_$3.pcap" --duration $cap_to \
		--stop-file "$tmp/stop" --ready "$tmp/ready_$3" \
		>"$tmp/cap_$3.json" 2>"$tmp/cap_$3.err" &
	pids+=("$!")
	eval "cap_pid_$3=$!"
}
capture "$ns_ru0" "$if_ru0" ru0
capture "$ns_ru1" "$if_ru1" ru1
capture "$ns_du" "$if_du" du
for c in ru0 ru1 du; do
	wait_for 10 "capture $c ready" -- test -e "$tmp/ready_$c" ||
		die "capture in $c namespace not ready within 10 s: $(cat "$tmp/cap_$c.err")"
done
ok "captures ready in the 3 namespaces"

# framecnt: each port's RX ring holds a whole stream, so an lcore that is
# descheduled for a while (parallel ctest runs share CPU 0) loses nothing
ring=framecnt=2048
start_fhswd() {
	timeout -k 2 $((RUN_SECONDS + 20)) "${in_sw[@]}" \
		"$fhswd" --no-huge -m 128 --no-pci \
		--file-prefix "$prefix" -l 0 --log-level=error \
		--vdev "net_af_packet0,iface=$sw_du,$ring" \
		--vdev "net_af_packet1,iface=$sw_ru0,$ring" \
		--vdev "net_af_packet2,iface=$sw_ru1,$ring" \
		-- --config "$tmp/config.json" --run-seconds "$RUN_SECONDS" \
		--counters-json "$tmp/counters.json" \
		>"$tmp/fhswd.out" 2>"$tmp/fhswd.err" &
	fhswd_pid=$!
	pids+=("$fhswd_pid")
}
started() { grep -qs "applied on" "$tmp/fhswd.err" || ! kill -0 "$fhswd_pid" 2>/dev/null; }
# FH_NETNS_SWITCH=root: another fhswd may own the PMD's fanout id (see the
# top); a new pid is a new id: try again
for attempt in 1 2 3; do
	start_fhswd
	wait_for 15 "fhswd up" -- started
	grep -q "applied on" "$tmp/fhswd.err" && break
	kill -0 "$fhswd_pid" 2>/dev/null && break
	grep -q "could not set PACKET_FANOUT" "$tmp/fhswd.err" || break
	wait "$fhswd_pid"
	echo "note: fhswd attempt $attempt: AF_PACKET fanout id clash, retrying"
	cp "$tmp/fhswd.err" "$tmp/fhswd.err.$attempt"
done
if grep -q "applied on" "$tmp/fhswd.err"; then
	ok "fhswd applied the config on 3 AF_PACKET ports"
else
	sed 's/^/  | /' "$tmp/fhswd.err" | tail -20
	die "fhswd did not start within 15 s"
fi
sleep 0.2 # past hal_apply, the lcore is polling

send() { # send NS IFACE PCAP NAME
	timeout -k 2 20 ip netns exec "$1" \
		taskset -c "$helper_cpus" "$py" "$pkt_io" send --iface "$2" \
		--pcap "$3" --pps $PPS --timeout 15 >"$tmp/send_$4.json" 2>"$tmp/send_$4.err" &
	pids+=("$!")
	eval "send_pid_$4=$!"
}
send "$ns_du" "$if_du" "$tmp/du.pcap" du
send "$ns_ru0" "$if_ru0" "$tmp/ru0.pcap" ru0
send "$ns_ru1" "$if_ru1" "$tmp/ru1.pcap" ru1
for s in du ru0 ru1; do
	eval "p=\$send_pid_$s"
	if wait "$p"; then
		ok "sent from $s: $(cat "$tmp/send_$s.json")"
	else
		not_ok "send from $s failed: $(cat "$tmp/send_$s.json" "$tmp/send_$s.err")"
	fi
done
if wait "$fhswd_pid"; then
	ok "fhswd ran ${RUN_SECONDS} s and exited 0"
else
	not_ok "fhswd exited $? (stderr below)"
	sed 's/^/  | /' "$tmp/fhswd.err" | tail -20
fi
touch "$tmp/stop"
for c in ru0 ru1 du; do
	eval "p=\$cap_pid_$c"
	if wait "$p"; then
		ok "capture $c: $(cat "$tmp/cap_$c.json")"
	else
		not_ok "capture in $c failed: $(cat "$tmp/cap_$c.err")"
	fi
done
pids=()

# ---- assertions on the captures --------------------------------------------------

compare() { # compare DESCRIPTION EXPECTED GOT [--ordered]
	local d=$1 e=$2 g=$3
	shift 3
	if [ ! -s "$g" ]; then
		not_ok "$d: no capture"
	elif pio compare --expected "$e" --got "$g" "$@" >"$tmp/cmp.out"; then
		ok "$d"
	else
		not_ok "$d"
		sed 's/^/  | /' "$tmp/cmp.out"
	fi
}
compare "ru0 received exactly du's eAxC 0,1 frames (DL C, DL U, UL C), byte-identical, in order" \
	"$tmp/exp_ru0.pcap" "$tmp/cap_ru0.pcap" --ordered
compare "ru1 received exactly du's eAxC 2,3 frames (DL C, DL U, UL C), byte-identical, in order" \
	"$tmp/exp_ru1.pcap" "$tmp/cap_ru1.pcap" --ordered
compare "du received exactly the UL U-plane of ru0 and ru1, byte-identical" \
	"$tmp/exp_du.pcap" "$tmp/cap_du.pcap"
for r in ru0 ru1; do
	mac=$RU0_MAC
	[ $r = ru1 ] && mac=$RU1_MAC
	if [ -s "$tmp/cap_du.pcap" ]; then
		sel --pcap "$tmp/cap_du.pcap" --out "$tmp/cap_du_$r.pcap" --src-mac "$mac"
		compare "du received $r's UL U-plane in $r's order" \
			"$tmp/$r.pcap" "$tmp/cap_du_$r.pcap" --ordered
	fi
done

# per plane/direction/eAxC breakdown, and an independent decode by fhctl
check_breakdown() { # check_breakdown NAME EXPECTED_EAXCS PLANES...
	local name=$1 eaxcs=$2
	shift 2
	[ -s "$tmp/cap_$name.pcap" ] || return
	pio summary --pcap "$tmp/cap_$name.pcap" >"$tmp/sum_$name.json"
	if "$py" - "$tmp/sum_$name.json" "$eaxcs" "$@" <<'EOF'; then
import json, sys
s = json.load(open(sys.argv[1]))
want_eaxc = set(int(x) for x in sys.argv[2].split(","))
want_pd = set(sys.argv[3:])
seen_eaxc = set(int(k.split()[2]) for k in s["by"])
seen_pd = set(" ".join(k.split()[:2]) for k in s["by"])
if s["other"] or seen_eaxc != want_eaxc or seen_pd != want_pd:
    print("  | %s" % json.dumps(s))
    sys.exit(1)
EOF
		ok "$name: eAxC {$eaxcs} only, planes {$*}, no other frames"
	else
		not_ok "$name: breakdown is not eAxC {$eaxcs} / {$*}"
	fi
	if "$fhctl" decode --uplane-comp $COMP "$tmp/cap_$name.pcap" \
		>"$tmp/dec_$name.ndjson" 2>"$tmp/dec_$name.err" &&
		[ -s "$tmp/dec_$name.ndjson" ] &&
		! grep -q '"error"' "$tmp/dec_$name.ndjson"; then
		ok "$name: fhctl decode reads $(wc -l <"$tmp/dec_$name.ndjson") well-formed messages"
	else
		not_ok "$name: fhctl decode of the capture failed or reported errors"
		{ head -3 "$tmp/dec_$name.err"; grep -m3 '"error"' "$tmp/dec_$name.ndjson"; } |
			sed 's/^/  | /'
	fi
}
check_breakdown ru0 0,1 "C DL" "U DL" "C UL"
check_breakdown ru1 2,3 "C DL" "U DL" "C UL"
check_breakdown du 0,1,2,3 "U UL"

# ---- assertions on the counters --------------------------------------------------

if [ -s "$tmp/counters.json" ]; then
	# expected per-flow counts from the sent streams
	for spec in "dl-c-ru0 du 0,1 C DL" "dl-c-ru1 du 2,3 C DL" \
		"dl-u-ru0 du 0,1 U DL" "dl-u-ru1 du 2,3 U DL" \
		"ul-c-ru0 du 0,1 C UL" "ul-c-ru1 du 2,3 C UL" \
		"ul-u-ru0 ru0 0,1,2,3 U UL" "ul-u-ru1 ru1 0,1,2,3 U UL"; do
		set -- $spec
		n=$(pio select --pcap "$tmp/$2.pcap" --out "$tmp/flow_$1.pcap" \
			--eaxc "$3" --plane "$4" --direction "$5")
		echo "$1 $n"
	done >"$tmp/expected_flows.txt"
	"$py" - "$tmp/counters.json" "$tmp/expected_flows.txt" \
		"$n_du $n_exp_du" "$n_ru0 $n_exp_ru0" "$n_ru1 $n_exp_ru1" \
		>"$tmp/counters_check.txt" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
exp = dict((l.split()[0], int(l.split()[1])) for l in open(sys.argv[2]))
windowed = {"dl-c-ru0", "dl-c-ru1", "dl-u-ru0", "dl-u-ru1", "ul-u-ru0",
            "ul-u-ru1"}
for name, n in sorted(exp.items()):
    f = c.get("flows", {}).get(name)
    if f is None:
        print("FAIL flow %s missing from counters" % name)
        continue
    bad = []
    if f.get("rx_total") != n or f.get("tx_total") != n:
        bad.append("rx_total %s tx_total %s, expected %d" %
                   (f.get("rx_total"), f.get("tx_total"), n))
    if f.get("rx_corrupt") or f.get("rx_seqid_err"):
        bad.append("rx_corrupt %s rx_seqid_err %s" %
                   (f.get("rx_corrupt"), f.get("rx_seqid_err")))
    if name in windowed:
        w = (f.get("rx_on_time", 0) + f.get("rx_early", 0) +
             f.get("rx_late", 0) + f.get("rx_late_local", 0))
        if w != n:
            bad.append("on_time+early+late+late_local %d != %d" % (w, n))
    print(("FAIL" if bad else "ok") + " flow %s: rx_total = tx_total = %d%s" %
          (name, n, ": " + "; ".join(bad) if bad else ""))
for arg, port in zip(sys.argv[3:], ("du0", "ru0", "ru1")):
    rx, tx = (int(x) for x in arg.split())
    p = c.get("ports", {}).get(port)
    if p is None:
        print("FAIL port %s missing from counters" % port)
        continue
    # AF_PACKET: what the kernel's ring drops DPDK never learns, so
    # drops is unknown (null), not 0
    ok = (p.get("rx_packets") == rx and p.get("tx_packets") == tx
          and "drops" in p and p["drops"] is None)
    print(("ok" if ok else "FAIL") +
          " port %s: rx_packets %s tx_packets %s drops %s (expected %d %d"
          " null: unknown on AF_PACKET)"
          % (port, p.get("rx_packets"), p.get("tx_packets"), p.get("drops"),
             rx, tx))
l2 = c.get("l2", {})
ok = l2.get("forwarded") == 0 and l2.get("flooded") == 0
print(("ok" if ok else "FAIL") + " l2: forwarded %s flooded %s (expected 0 0:"
      " no non-eCPRI traffic)" % (l2.get("forwarded"), l2.get("flooded")))
EOF
	while read -r verdict rest; do
		if [ "$verdict" = ok ]; then ok "counters: $rest"; else not_ok "counters: $rest"; fi
	done <"$tmp/counters_check.txt"
	[ -s "$tmp/counters_check.txt" ] || not_ok "counters check produced nothing"
else
	not_ok "fhswd wrote no counters JSON"
fi

summary
