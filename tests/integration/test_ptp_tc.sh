#!/usr/bin/env bash
# The S-plane through fhswd, proven with linuxptp: a ptp4l grandmaster in
# one network namespace, a ptp4l slave in another, fhswd between them on
# AF_PACKET vdevs over veth pairs (its own namespace).  Software
# timestamps; the slave runs with free_running 1, so it measures offset
# and path delay without ever steering a clock (the host's clock is never
# touched).  G.8275.1-style profile: L2 transport, domain 24.
#
#   test_ptp_tc.sh FHSWD FHCTL WORKDIR
#
# Phases (each a fresh fhswd with its own config):
#   tc      PTP_MODE_TRANSPARENT, 01-80-C2-00-00-0E: the slave selects the
#           grandmaster and reports offset and path delay; captures on both
#           sides of fhswd show each Sync and Delay_Req leaving with
#           correctionField grown by the residence fhswd measured, never
#           more than the capture timestamps' out - in (the rest, the
#           kernel's AF_PACKET paths, is printed); nothing else changed;
#           tshark finds nothing malformed; fhswd's counters agree.
#   domain  PTP_MODE_TRANSPARENT with domains [0]: domain 24 is forwarded
#           but not corrected.
#   bridge0e  PTP_MODE_BRIDGE, 0E: not forwarded (802.1Q); the slave hears
#           nothing; fhswd counts the frames as filtered.
#   bridge  PTP_MODE_BRIDGE, 01-1B-19-00-00-00: works as through a plain
#           bridge (corrections unchanged).
#   load    FH_PTP_LOAD=1 (default): tc and bridge again with a fronthaul
#           eCPRI stream on the same ports; the slave's offset and path
#           delay spread with and without the transparent clock, printed.
# Needs root, ip netns, ptp4l (Debian linuxptp) and tshark; fails (does not
# skip) without them.  Artifacts of a failed run stay in WORKDIR.
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
check_py="$here/ptp_check.py"
export TH_PYTHON=$py

PTP_SECONDS=${FH_PTP_SECONDS:-7}
LOAD=${FH_PTP_LOAD:-1}
LOAD_PPS=${FH_PTP_LOAD_PPS:-20000}

. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

for f in "$fhswd" "$fhctl" "$pkt_io" "$check_py" "$py"; do
	[ -e "$f" ] || die "missing $f"
done
[ "$(id -u)" -eq 0 ] || die "test_ptp_tc needs root (network namespaces)"
command -v ptp4l >/dev/null || die "ptp4l not found (Debian linuxptp; ci/setup-deps.sh installs it)"
command -v tshark >/dev/null || die "tshark not found"

mkdir -p "$workdir" || die "cannot create $workdir"
tmp=$(mktemp -d "$(realpath "$workdir")/ptp.XXXXXX") || die "mktemp failed"
sfx=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
ns_gm=fhgm-$sfx
ns_sl=fhsl-$sfx
ns_sw=fhpsw-$sfx
sw_gm=swgm-$sfx
sw_sl=swsl-$sfx
if_gm=vgm-$sfx
if_sl=vsl-$sfx
prefix=fhptp$sfx
pids=()

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	for n in "$ns_gm" "$ns_sl" "$ns_sw"; do
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "/var/run/dpdk/$prefix"*
	if [ "$failn" -eq 0 ] && [ "${FH_PTP_KEEP:-0}" = 0 ]; then
		rm -rf "$tmp"
	else
		echo "artifacts kept in $tmp"
	fi
}
trap cleanup EXIT
trap 'failn=$((failn + 1)); echo "interrupted"; exit 1' INT TERM

nsx() { ip netns exec "$@"; }
setup() {
	ip netns add "$ns_sw" || return 1
	nsx "$ns_sw" ip link set lo up || return 1
	for pair in "$ns_gm $sw_gm $if_gm" "$ns_sl $sw_sl $if_sl"; do
		set -- $pair
		ip netns add "$1" || return 1
		nsx "$ns_sw" ip link add "$2" type veth peer name "$3" netns "$1" ||
			return 1
		nsx "$ns_sw" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" || return 1
		nsx "$1" sysctl -qw "net.ipv6.conf.$3.disable_ipv6=1" || return 1
		nsx "$ns_sw" ip link set "$2" up || return 1
		nsx "$1" ip link set "$3" up || return 1
		nsx "$1" ip link set lo up || return 1
	done
}
setup || die "cannot create namespaces and veth pairs"
ok "namespaces: grandmaster $ns_gm, slave $ns_sl, fhswd $ns_sw"

"$fhctl" gen --eaxc 4 --prbs 8 --slots 40 --comp bfp:9 --mtu 1500 \
	--du-mac 02:00:00:00:d0:01 --ru-mac 02:00:00:00:e0:01 --from du \
	--direction dl --out "$tmp/load.pcap" >/dev/null 2>"$tmp/gen.err" ||
	die "fhctl gen failed: $(cat "$tmp/gen.err")"

# fhswd forwards on the last CPU; ptp4l, pmc and the captures stay off it
grpc_port=$((50700 + $$ % 200))
ncpu=$(nproc)
fh_lcore=$((ncpu - 1))
helper_cpus=0
[ "$ncpu" -gt 1 ] && helper_cpus=0-$((ncpu - 2))

wait_for() { # wait_for SECONDS CMD...
	local end=$((SECONDS + $1))
	shift
	while ! "$@"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.05
	done
}

ptp_cfg() { # ptp_cfg FILE DST_MAC ROLE(gm|slave) UDS
	{
		echo "[global]"
		echo "uds_address $4"
		echo "domainNumber 24"
		echo "dataset_comparison G.8275.x"
		echo "G.8275.defaultDS.localPriority 128"
		echo "G.8275.portDS.localPriority 128"
		echo "maxStepsRemoved 255"
		echo "logAnnounceInterval -3"
		echo "logSyncInterval -4"
		echo "logMinDelayReqInterval -4"
		echo "announceReceiptTimeout 3"
		echo "network_transport L2"
		echo "ptp_dst_mac $2"
		echo "time_stamping software"
		echo "summary_interval 0"
		echo "tx_timestamp_timeout 50"
		if [ "$3" = gm ]; then
			echo "masterOnly 1"
			echo "clockClass 6"
		else
			echo "slaveOnly 1"
			echo "free_running 1"
		fi
	} >"$1"
}

# phase NAME MODE DST_MAC DOMAINS_JSON LOAD(0|1): one fhswd run; leaves
# $tmp/NAME/{cap_*.pcap, counters.json, gm.log, slave.log}
phase() {
	local name=$1 mode=$2 mac=$3 domains=$4 load=$5
	local d="$tmp/$name" run=$((PTP_SECONDS + 2)) c
	mkdir -p "$d"
	cat >"$d/config.json" <<EOF
{
  "name": "ptp-$name",
  "ports": [
    { "name": "gm", "device": "net_af_packet0", "role": "ROLE_TRUNK" },
    { "name": "slave", "device": "net_af_packet1", "role": "ROLE_RU" }
  ],
  "ptp": { "mode": "$mode", "domains": $domains }
}
EOF
	ptp_cfg "$d/gm.cfg" "$mac" gm "$d/gm.sock"
	ptp_cfg "$d/slave.cfg" "$mac" slave "$d/slave.sock"
	# captures: in and out of fhswd for each direction, kernel receive
	# timestamps; PTP only
	capture() { # capture NS IFACE NAME
		timeout -k 2 $((run + 15)) ip netns exec "$1" \
			taskset -c "$helper_cpus" "$py" "$pkt_io" capture \
			--iface "$2" --out "$d/cap_$3.pcap" --duration $((run + 10)) \
			--ethertype 88f7 --stop-file "$d/stop" --ready "$d/ready_$3" \
			>"$d/cap_$3.json" 2>"$d/cap_$3.err" &
		pids+=("$!")
	}
	capture "$ns_sw" "$sw_gm" sw_gm   # from the grandmaster, into fhswd
	capture "$ns_sl" "$if_sl" slave   # out of fhswd, at the slave
	capture "$ns_sw" "$sw_sl" sw_sl   # from the slave, into fhswd
	capture "$ns_gm" "$if_gm" gm      # out of fhswd, at the grandmaster
	for c in sw_gm slave sw_sl gm; do
		wait_for 10 test -e "$d/ready_$c" ||
			die "$name: capture $c not ready: $(cat "$d/cap_$c.err")"
	done
	timeout -k 2 $((run + 15)) ip netns exec "$ns_sw" \
		"$fhswd" --no-huge -m 128 --no-pci --file-prefix "$prefix$name" \
		-l "$fh_lcore" --log-level=error \
		--vdev "net_af_packet0,iface=$sw_gm,framecnt=2048" \
		--vdev "net_af_packet1,iface=$sw_sl,framecnt=2048" \
		-- --config "$d/config.json" --run-seconds "$run" \
		--grpc "127.0.0.1:$grpc_port" \
		--counters-json "$d/counters.json" >"$d/fhswd.out" 2>"$d/fhswd.err" &
	local fpid=$!
	pids+=("$fpid")
	wait_for 15 grep -qs "applied on" "$d/fhswd.err" ||
		die "$name: fhswd did not start: $(tail -5 "$d/fhswd.err")"
	timeout -k 2 "$PTP_SECONDS" ip netns exec "$ns_gm" taskset -c "$helper_cpus" \
		ptp4l -i "$if_gm" -f "$d/gm.cfg" -m >"$d/gm.log" 2>&1 &
	pids+=("$!")
	timeout -k 2 "$PTP_SECONDS" ip netns exec "$ns_sl" taskset -c "$helper_cpus" \
		ptp4l -i "$if_sl" -f "$d/slave.cfg" -m >"$d/slave.log" 2>&1 &
	pids+=("$!")
	# the slave's current data set (offsetFromMaster, meanPathDelay) as
	# its management interface reports it: free_running ptp4l logs none
	(
		sleep 2
		end=$((SECONDS + PTP_SECONDS - 3))
		while [ $SECONDS -lt $end ]; do
			timeout 2 taskset -c "$helper_cpus" pmc -u -b 0 -d 24 -s "$d/slave.sock" \
				"GET CURRENT_DATA_SET" 2>/dev/null | grep -E "offsetFromMaster|meanPathDelay"
			sleep 0.2
		done
	) >"$d/pmc.log" &
	pids+=("$!")
	if [ "$load" = 1 ]; then
		timeout -k 2 $((run + 5)) ip netns exec "$ns_gm" taskset -c "$helper_cpus" \
			"$py" "$pkt_io" send --iface "$if_gm" --pcap "$d/../load.pcap" \
			--pps "$LOAD_PPS" --timeout "$PTP_SECONDS" \
			>"$d/load.json" 2>"$d/load.err" &
		pids+=("$!")
	fi
	# the operator's view while it runs: fhctl counters over gRPC
	sleep "$PTP_SECONDS"
	ip netns exec "$ns_sw" "$fhctl" -s "127.0.0.1:$grpc_port" counters \
		>"$d/fhctl_counters.txt" 2>&1
	if wait "$fpid"; then
		ok "$name: fhswd ran $run s ($mode, PTP to $mac)"
	else
		not_ok "$name: fhswd exited non-zero"
		details "$(tail -5 "$d/fhswd.err")"
	fi
	touch "$d/stop"
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	pids=()
}

pair() { # pair PHASE IN OUT -> JSON
	"$py" "$check_py" pair --in "$tmp/$1/cap_$2.pcap" --out "$tmp/$1/cap_$3.pcap"
}
slave_stats() { "$py" "$check_py" pmc --file "$tmp/$1/pmc.log"; }

MAC_0E=01:80:C2:00:00:0E
MAC_1B=01:1B:19:00:00:00

# ---- transparent clock --------------------------------------------------------

phase tc PTP_MODE_TRANSPARENT $MAC_0E "[]" 0
d=$tmp/tc
contains "tc: the slave selected the grandmaster" "selected best master clock" cat "$d/slave.log"
slave_stats tc >"$d/slave.json"
jcheck "tc: the slave reported offset and path delay ($(cat "$d/slave.json"))" \
	"$d/slave.json" 'j["n"] >= 8'
pair tc sw_gm slave >"$d/down.json"
pair tc sw_sl gm >"$d/up.json"
jcheck "tc: every Sync/Follow_Up/Announce crossed, nothing but correctionField changed" "$d/down.json" \
	'all(j[t]["in"] >= 20 and j[t]["matched"] >= j[t]["in"] - 2 and j[t]["changed"] == 0 for t in ("sync", "follow_up", "announce"))'
jcheck "tc: every Delay_Req/Delay_Resp crossed, nothing but correctionField changed" "$d/up.json" \
	'j["delay_req"]["in"] >= 20 and j["delay_req"]["matched"] >= j["delay_req"]["in"] - 2 and j["delay_req"]["changed"] == 0'
jcheck "tc: Sync correctionField grew by the residence (growth $(head -c 400 "$d/down.json"))" "$d/down.json" \
	'j["sync"]["growth"]["min"] > 0 and j["sync"]["growth"]["max"] < j["sync"]["delta"]["max"]'
jcheck "tc: Delay_Req correctionField grew by the residence" "$d/up.json" \
	'j["delay_req"]["growth"]["min"] > 0'
jcheck "tc: Follow_Up and Announce corrections unchanged (one-step TC)" "$d/down.json" \
	'j["follow_up"]["growth"]["max"] == 0 and j["announce"]["growth"]["max"] == 0'
# the correction never claims more than the captures saw the frame spend
# between the two veths (what it does not see - the kernel's AF_PACKET
# paths - is printed below, and measured by ci/bench.sh ptp: figures,
# not a pass/fail bound)
jcheck "tc: every Sync's correction growth <= its capture out - in" "$d/down.json" \
	"j['sync']['unaccounted']['min'] >= 0"
jcheck "tc: every Delay_Req's correction growth <= its capture out - in" "$d/up.json" \
	"j['delay_req']['unaccounted']['min'] >= 0"
"$py" - "$d" <<'EOF'
import json, sys
d = sys.argv[1]
for f, t, w in (("down", "sync", "at the slave"), ("up", "delay_req", "at the gm")):
    r = json.load(open("%s/%s.json" % (d, f)))[t]
    print("  %-9s n=%d residence added ns p50 %s p99 %s max %s | capture out(%s)-in p50 %s p99 %s | unaccounted p50 %s p95 %s p99 %s"
          % (t, r["matched"], r["growth"]["p50"], r["growth"]["p99"], r["growth"]["max"], w,
             r["delta"]["p50"], r["delta"]["p99"], r["unaccounted"]["p50"], r["unaccounted"]["p95"], r["unaccounted"]["p99"]))
EOF
jcheck "tc: fhswd counted the corrections (slave port: Syncs, gm port: Delay_Reqs)" "$d/counters.json" \
	'j["ptp"]["slave"]["corrected"] >= 20 and j["ptp"]["gm"]["corrected"] >= 20 and j["ptp"]["gm"]["rx"]["sync"] >= 20 and j["ptp"]["slave"]["rx"]["delay_req"] >= 20 and 0 < j["ptp"]["slave"]["residence_ns_min"] <= j["ptp"]["slave"]["residence_ns_avg"] <= j["ptp"]["slave"]["residence_ns_max"] and j["ptp"]["gm"]["filtered"] == 0'
contains "tc: fhctl counters shows the PTP table" "PTP PORT" cat "$d/fhctl_counters.txt"
"$py" - "$d/fhctl_counters.txt" "$d/counters.json" <<'EOF' >"$d/fhctl_check.txt"
import json, sys
rows = {l.split()[0]: l.split() for l in open(sys.argv[1])
        if l.split()[:1] in (["gm"], ["slave"]) and len(l.split()) == 9}
c = json.load(open(sys.argv[2]))["ptp"]
# PTP PORT SYNC FOLLOW_UP DELAY_REQ OTHER FILTERED CORRECTED RES MALFORMED
ok = (len(rows) == 2 and int(rows["gm"][1]) > 0 and int(rows["slave"][6]) > 0
      and int(rows["gm"][1]) <= c["gm"]["rx"]["sync"]
      and int(rows["slave"][6]) <= c["slave"]["corrected"])
print("ok" if ok else "FAIL", rows)
EOF
contains "tc: fhctl counters: Syncs received on gm, corrected out of slave ($(cat "$d/fhctl_check.txt"))" "ok" cat "$d/fhctl_check.txt"
for c in slave gm; do
	out=$(tshark -r "$d/cap_$c.pcap" -Y "_ws.malformed || _ws.expert.severity >= 6" -T fields -e frame.number 2>/dev/null)
	n=$(tshark -r "$d/cap_$c.pcap" -Y ptp 2>/dev/null | wc -l)
	if [ -z "$out" ] && [ "$n" -ge 20 ]; then
		ok "tc: tshark decodes $n PTP frames out of fhswd to $c, none malformed"
	else
		not_ok "tshark on cap_$c: $n PTP frames; malformed/error frames: $(echo $out | head -c 300)"
	fi
done
# tshark reads the correctionField this test reads (sequenceId, ns)
for t in 0 1; do
	c=slave
	[ $t = 1 ] && c=gm
	tshark -r "$d/cap_$c.pcap" -Y "ptp.v2.messagetype == $t" -T fields \
		-e ptp.v2.sequenceid -e ptp.v2.correction.ns 2>/dev/null >"$d/tshark_corr_$t.txt"
	"$py" "$check_py" corr --pcap "$d/cap_$c.pcap" --type $t >"$d/our_corr_$t.txt"
	n=$(awk '$2 > 0' "$d/tshark_corr_$t.txt" | wc -l)
	if [ "$n" -ge 20 ] && cmp -s "$d/tshark_corr_$t.txt" "$d/our_corr_$t.txt"; then
		ok "tc: tshark reads the same corrections (messageType $t, $n non-zero)"
	else
		not_ok "tc: tshark's corrections (messageType $t, $n non-zero) differ from the test's"
		details "$(diff "$d/tshark_corr_$t.txt" "$d/our_corr_$t.txt" | head -5)"
	fi
done

# ---- domains ------------------------------------------------------------------------

phase domain PTP_MODE_TRANSPARENT $MAC_0E "[0]" 0
pair domain sw_gm slave >"$tmp/domain/down.json"
jcheck "domain: domain 24 forwarded but not corrected (domains [0])" "$tmp/domain/down.json" \
	'j["sync"]["matched"] >= 20 and j["sync"]["growth"]["max"] == 0 and j["sync"]["changed"] == 0'
jcheck "domain: no corrections counted" "$tmp/domain/counters.json" \
	'j["ptp"]["slave"]["corrected"] == 0 and j["ptp"]["gm"]["rx"]["sync"] >= 20'

# ---- bridge mode ----------------------------------------------------------------------

phase bridge0e PTP_MODE_BRIDGE $MAC_0E "[]" 0
"$py" "$check_py" count --pcap "$tmp/bridge0e/cap_slave.pcap" >"$tmp/bridge0e/slave_heard.json"
"$py" "$check_py" count --pcap "$tmp/bridge0e/cap_sw_gm.pcap" >"$tmp/bridge0e/gm_sent.json"
jcheck "bridge0e: the grandmaster sent Announce and Sync" "$tmp/bridge0e/gm_sent.json" \
	'j.get("announce", 0) >= 10 and j.get("sync", 0) >= 20'
jcheck "bridge0e: 01-80-C2-00-00-0E not forwarded, the slave heard nothing" \
	"$tmp/bridge0e/slave_heard.json" 'j == {}'
lacks "bridge0e: the slave selected no master" "selected best master clock" cat "$tmp/bridge0e/slave.log"
jcheck "bridge0e: fhswd counted them as filtered" "$tmp/bridge0e/counters.json" \
	'j["ptp"]["gm"]["filtered"] >= 30 and j["ptp"]["slave"]["corrected"] == 0'

phase bridge PTP_MODE_BRIDGE $MAC_1B "[]" 0
pair bridge sw_gm slave >"$tmp/bridge/down.json"
contains "bridge: with 01-1B-19-00-00-00 the slave selected the grandmaster" \
	"selected best master clock" cat "$tmp/bridge/slave.log"
slave_stats bridge >"$tmp/bridge/slave.json"
jcheck "bridge: the slave reported offset and path delay" "$tmp/bridge/slave.json" 'j["n"] >= 8'
jcheck "bridge: frames unchanged (no correction)" "$tmp/bridge/down.json" \
	'j["sync"]["matched"] >= 20 and j["sync"]["growth"]["max"] == 0 and j["sync"]["changed"] == 0'

# ---- under fronthaul load ---------------------------------------------------------------

if [ "$LOAD" = 1 ]; then
	phase tcload PTP_MODE_TRANSPARENT $MAC_0E "[]" 1
	phase bridgeload PTP_MODE_BRIDGE $MAC_1B "[]" 1
	for p in tcload bridgeload; do
		slave_stats $p >"$tmp/$p/slave.json"
		jcheck "$p: the slave measured under load ($(cat "$tmp/$p/load.json" 2>/dev/null | head -c 200))" \
			"$tmp/$p/slave.json" 'j["n"] >= 8'
	done
	pair tcload sw_gm slave >"$tmp/tcload/down.json"
	jcheck "tcload: Syncs corrected under load, growth <= capture out - in" "$tmp/tcload/down.json" \
		"j['sync']['growth']['min'] > 0 and j['sync']['unaccounted']['min'] >= 0"
	"$py" - "$tmp" <<'EOF'
import json, sys
t = sys.argv[1]
print("  slave (ptp4l free_running) offset / path delay in ns, sampled by pmc every ~0.25 s:")
for p in ("tc", "bridge", "tcload", "bridgeload"):
    s = json.load(open("%s/%s/slave.json" % (t, p)))
    o, d = s["offset"], s["path_delay"]
    print("  %-10s n=%3d offset median %7s p05..p95 %7s..%-7s p-p %7s | path delay median %7s p05..p95 %7s..%-7s p-p %7s"
          % (p, s["n"], o["median"], o["p05"], o["p95"], o["pp"], d["median"], d["p05"], d["p95"], d["pp"]))
EOF
fi

summary
