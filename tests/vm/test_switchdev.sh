#!/bin/bash
# The switchdev HAL backend end to end, inside the test VM:
#
#   tests/vm/run-vm.sh tests/vm/test_switchdev.sh BUILD_DIR
#
# Namespaces du, ru0, ru1 each hold one end of a veth pair (eth0); the
# other ends (swdu, swru0, swru1) stay in the VM's root namespace and are
# fhswd's ports, with `hal.backend: "switchdev"` (no EAL arguments).
# eCPRI frames from `fhctl gen` are sent from du (or ru0) with AF_PACKET
# and captured in the other namespaces (swdev_pkt.py): VLAN split to two
# RUs, PCP and VLAN rewrite, push of a tag on untagged eCPRI, DL
# replication, drop, a MAC match, UL; L2 bridging of non-eCPRI traffic by
# VLAN (native VLAN untagged), a static FDB entry, learning; per-flow
# counters in --counters-json and through the API (the window counters
# "unsupported", counting on across commits), Flows.Status (software, not
# in_hw), MAC rewrite (tc pedit) by Commit and Rollback; netlink errors
# through the API - someone else's filter where the next rules go, a port
# whose netdev vanished - refuse the commit and keep the running rules;
# without CAP_NET_ADMIN fhswd says so. Configs the backend cannot do (an eAxC
# match, a missing netdev, a port of another bridge) are refused naming
# the part; a refused SIGHUP reload keeps the running rules; after fhswd
# stops, the bridge, filters, qdiscs and FDB entries it created are gone
# and unrelated ones (a bridge, its FDB entry, a filter on a port's own
# clsact) are intact. An existing bridge is adopted and given back as it
# was; ports without a VLAN list carry every VLAN. Prints "N passed, M
# failed".
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -ne 1 ] || [ ! -x "$1/bin/fhswd" ]; then
	echo "usage: $0 BUILD_DIR (with bin/fhswd and bin/fhctl)" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
fhswd=$build/bin/fhswd
fhctl=$build/bin/fhctl
if [ "$(id -u)" -ne 0 ]; then
	echo "$0: needs root (run it in the VM: tests/vm/run-vm.sh $0 $1)" >&2
	exit 2
fi

. "$here/../lib/harness.sh"
# expect DESC WANT PKT-ARGS...: swdev_pkt.py prints exactly WANT
expect() {
	local desc=$1 want=$2 got
	shift 2
	got=$(python3 "$here/swdev_pkt.py" "$@" 2>&1)
	if [ "$got" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		printf '       %s\n' "swdev_pkt.py $*" "want: ${want:-<nothing>}" \
			"got:  ${got:-<nothing>}"
	fi
}

work=$(mktemp -d /tmp/swdev.XXXXXX)
fhpid=
cleanup() {
	[ -z "$fhpid" ] || kill -KILL "$fhpid" 2>/dev/null
	for ns in du ru0 ru1; do ip netns del "$ns" 2>/dev/null; done
	ip link del keepa 2>/dev/null
	ip link del keepbr 2>/dev/null
	ip link del fhbr0 2>/dev/null
	ip link del adoptbr 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

echo "# kernel $(uname -r)"

# --- topology ------------------------------------------------------------------
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
for ns in du ru0 ru1; do
	ip netns add "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip link add "sw$ns" type veth peer name eth0 netns "$ns"
	ip -n "$ns" link set eth0 up
done
check "veths swdu, swru0, swru1 (switch ends, down) <-> du, ru0, ru1" \
	ip link show swru1
# Unrelated to fhswd: a bridge with a static FDB entry, and a filter of
# someone else's on a clsact qdisc of one of fhswd's ports.
check "unrelated bridge keepbr + static FDB entry, clsact filter on swru1" sh -c '
	ip link add keepa type veth peer name keepb &&
	ip link add keepbr type bridge &&
	ip link set keepa master keepbr &&
	bridge fdb add 02:00:00:00:0d:01 dev keepa master static &&
	tc qdisc add dev swru1 clsact &&
	tc filter add dev swru1 ingress pref 10 protocol 0x88b5 flower action pass'

# --- traffic ---------------------------------------------------------------------
gen() { # OUT ARGS...
	local out=$1
	shift
	"$fhctl" gen --out "$work/$out" --slots 1 --prbs 4 --eaxc 1 --mtu 1500 "$@" \
		>/dev/null 2>&1
}
gen_all() {
	gen dl.pcap --direction dl --from du --vlan 10 &&
		gen ul.pcap --direction ul --from ru --vlan 10
}
check "fhctl gen: DL eCPRI from the DU (VLAN 10, PCP 7), UL from an RU" gen_all

# --- configs -------------------------------------------------------------------------
# config DL_RU0_OUT FDB_JSON EXTRA_PORT_JSON EXTRA_FLOW_JSON
config() {
	cat <<EOF
{
  "name": "swdev-vm",
  "ports": [
    { "name": "du", "device": "swdu", "role": "ROLE_DU",
      "allowed_vlans": [10, 11, 12, 13, 14, 100] },
    { "name": "ru0", "device": "swru0", "role": "ROLE_RU",
      "native_vlan": 100, "allowed_vlans": [10, 12, 13, 14] },
    { "name": "ru1", "device": "swru1", "role": "ROLE_RU",
      "allowed_vlans": [11, 12, 21, 100] }$3
  ],
  "flows": [$4
    { "name": "dl-ru0", "match": { "in_port": "du", "vlan_id": 10 },
      "action": { "out_ports": ["$1"], "set_pcp": 5 } },
    { "name": "dl-ru1", "match": { "in_port": "du", "vlan_id": 11 },
      "action": { "out_ports": ["ru1"], "set_vlan_id": 21 } },
    { "name": "dl-both", "match": { "in_port": "du", "vlan_id": 12 },
      "action": { "out_ports": ["ru0", "ru1"] } },
    { "name": "dl-drop", "match": { "in_port": "du", "vlan_id": 13 },
      "action": { "drop": true } },
    { "name": "dl-mac", "match": { "in_port": "du", "vlan_id": 14,
        "dst_mac": "02:00:00:70:00:0e" },
      "action": { "out_ports": ["ru1"], "set_vlan_id": 21, "set_pcp": 2 } },
    { "name": "dl-untagged", "match": { "in_port": "du",
        "src_mac": "02:00:00:d0:00:0f", "dst_mac": "02:00:00:70:00:0f" },
      "action": { "out_ports": ["ru1"], "set_vlan_id": 11, "set_pcp": 3 } },
    { "name": "ul-ru0", "match": { "in_port": "ru0", "vlan_id": 10 },
      "action": { "out_ports": ["du"] } }
  ],
  "l2": { "learning": true, "aging_s": 300, "static_fdb": [$2] },
  "hal": { "backend": "switchdev" }
}
EOF
}
fdb='{ "mac": "02:00:00:00:0c:01", "vlan": 100, "port": "ru1" }'
config ru0 "$fdb" "" "" >"$work/a.json"
cat >"$work/eaxc.json" <<'EOF'
{ "ports": [ { "name": "du", "device": "swdu" }, { "name": "ru0", "device": "swru0" } ],
  "flows": [ { "name": "by-eaxc",
               "match": { "in_port": "du", "eaxc_id": 1, "eaxc_mask": 65535 },
               "action": { "out_ports": ["ru0"] } } ],
  "hal": { "backend": "switchdev" } }
EOF

# start_fhswd CONFIG: fhswd in the background until "applied" is logged
start_fhswd() {
	: >"$work/fhswd.log"
	"$fhswd" --config "$1" --counters-json "$work/counters.json" "${@:2}" \
		>"$work/fhswd.out" 2>"$work/fhswd.log" &
	fhpid=$!
	for _ in $(seq 300); do
		grep -q "applied on switchdev" "$work/fhswd.log" && return 0
		kill -0 "$fhpid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$work/fhswd.log"
	return 1
}
# run in this shell, not under check (fhpid, wait)
step() { # DESC CMD...: CMD succeeds (its output shown if not)
	local desc=$1 out
	shift
	out=$(mktemp)
	if "$@" >"$out" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		sed 's/^/       /' "$out"
	fi
	rm -f "$out"
}
stop_fhswd() {
	local rc=0
	[ -n "$fhpid" ] || return 1
	kill -TERM "$fhpid"
	wait "$fhpid" || rc=$?
	fhpid=
	[ $rc = 0 ] || { echo "exit $rc"; tail -n 20 "$work/fhswd.log"; }
	return $rc
}
# our flower filters on a port's ingress (private priorities 0xE000..)
our_filters() {
	tc filter show dev "$1" ingress | grep -c -E 'pref (5[7-9][0-9]{3}|6[01][0-9]{3}) flower.*handle 0xfc5d'
}
n_filters() { # DEV N: DEV's ingress holds N of fhswd's filters
	[ "$(our_filters "$1")" = "$2" ]
}

# --- run 1: forwarding --------------------------------------------------------------
step "fhswd --config (switchdev, no EAL args) applies" start_fhswd "$work/a.json" \
	--grpc 127.0.0.1:50061

contains "bridge fhbr0 created with vlan_filtering 1" "vlan_filtering 1" \
	ip -d link show fhbr0
contains "swdu is a port of fhbr0" "master fhbr0" ip link show swdu
contains "swdu set up" ",UP" ip link show swdu
contains "swru0: VLAN 100 is its PVID, untagged" "100 PVID Egress Untagged" \
	bridge vlan show dev swru0
lacks "swru0: no default VLAN 1" " 1 PVID" bridge vlan show dev swru0
contains "static FDB entry on swru1, VLAN 100" \
	"02:00:00:00:0c:01 dev swru1 vlan 100 master fhbr0 static" \
	bridge fdb show br fhbr0
contains "flower rules are software (veth: not_in_hw)" "not_in_hw" \
	tc filter show dev swdu ingress
lacks "no skip_sw without hw-tc-offload" "skip_sw" tc filter show dev swdu ingress
contains "eCPRI over 802.1Q match: VLAN 10, eth_type aefe" \
	"vlan_id 10
  vlan_ethtype [44798]
  eth_type aefe" tc filter show dev swdu ingress
contains "someone else's filter on swru1 still first" "pref 10 flower" \
	tc filter show dev swru1 ingress

dl=(--pcap "$work/dl.pcap" --count 5 --tx du:eth0 --rx ru0:eth0 --rx ru1:eth0)
expect "VLAN 10 eCPRI goes to ru0 only, PCP remarked 7 -> 5" \
	"ru0 vid=10 pcp=5 type=0xaefe n=5" "${dl[@]}"
expect "VLAN 11 eCPRI goes to ru1 only, VLAN rewritten to 21" \
	"ru1 vid=21 pcp=7 type=0xaefe n=5" "${dl[@]}" --vid 11
expect "VLAN 12 eCPRI is replicated to ru0 and ru1 (DL copy)" \
	"ru0 vid=12 pcp=7 type=0xaefe n=5
ru1 vid=12 pcp=7 type=0xaefe n=5" "${dl[@]}" --vid 12
expect "VLAN 13 eCPRI is dropped (ru0 is a member: not bridged either)" \
	"" "${dl[@]}" --vid 13
expect "VLAN 14 eCPRI to the flow's dst MAC: ru1, VLAN 21, PCP 2" \
	"ru1 vid=21 pcp=2 type=0xaefe n=5" "${dl[@]}" --vid 14 \
	--dst 02:00:00:70:00:0e
expect "VLAN 14 eCPRI to another MAC: no flow, bridged to ru0 by VLAN" \
	"ru0 vid=14 pcp=7 type=0xaefe n=5" "${dl[@]}" --vid 14
expect "untagged eCPRI (src+dst MAC flow): tag pushed, VLAN 11 PCP 3 to ru1" \
	"ru1 vid=11 pcp=3 type=0xaefe n=5" "${dl[@]}" --untag \
	--src 02:00:00:d0:00:0f --dst 02:00:00:70:00:0f
expect "UL: VLAN 10 eCPRI from ru0 goes to du" \
	"du vid=10 pcp=7 type=0xaefe n=5" --pcap "$work/ul.pcap" --count 5 \
	--tx ru0:eth0 --rx du:eth0 --rx ru1:eth0

l2=(--tx du:eth0 --rx ru0:eth0 --rx ru1:eth0 --count 3)
expect "L2: IPv4 broadcast on VLAN 100 flooded: ru0 untagged (native), ru1 tagged" \
	"ru0 untagged type=0x0800 n=3
ru1 vid=100 pcp=0 type=0x0800 n=3" "${l2[@]}" --type 0x0800 --vid 100
expect "L2: IPv4 on VLAN 10 only where VLAN 10 is allowed (ru0)" \
	"ru0 vid=10 pcp=0 type=0x0800 n=3" "${l2[@]}" --type 0x0800 --vid 10
expect "L2: VLAN 30 (no port's) is dropped" "" "${l2[@]}" --type 0x0800 --vid 30
expect "L2: PTP (0x88f7) on VLAN 12 is bridged, not caught by the eCPRI flow" \
	"ru0 vid=12 pcp=0 type=0x88f7 n=3
ru1 vid=12 pcp=0 type=0x88f7 n=3" "${l2[@]}" --type 0x88f7 --vid 12
expect "L2: static FDB entry sends 02:00:00:00:0c:01 (VLAN 100) to ru1 only" \
	"ru1 vid=100 pcp=0 type=0x0800 n=3" "${l2[@]}" --type 0x0800 --vid 100 \
	--dst 02:00:00:00:0c:01
expect "L2: ru0 sends untagged from 02:00:00:00:0a:0a (learned on VLAN 100)" \
	"du vid=100 pcp=0 type=0x0800 n=3
ru1 vid=100 pcp=0 type=0x0800 n=3" --tx ru0:eth0 --rx du:eth0 --rx ru1:eth0 \
	--count 3 --type 0x0800 --src 02:00:00:00:0a:0a
expect "L2: learning on: du -> 02:00:00:00:0a:0a goes to ru0 only" \
	"ru0 untagged type=0x0800 n=3" "${l2[@]}" --type 0x0800 --vid 100 \
	--dst 02:00:00:00:0a:0a

# the API on the same daemon (no EAL, plain threads)
api() { "$fhctl" -s 127.0.0.1:50061 "$@"; }
flow_rx() { # FLOW N: the API reports N frames matched
	[ "$(api counters --flow "$1" | awk -v f="$1" '$1 == f { print $2 }')" = "$2" ]
}
contains "API: health SERVING" "SERVING" api health
both_5() { flow_rx dl-ru0 5 && flow_rx dl-both 5; }
check "API: counters of dl-ru0 and dl-both say 5" both_5
contains "API: Validate refuses an eAxC match by capability" \
	'flows[0] ("by-eaxc"): backend switchdev cannot do match on eAxC' \
	api config validate "$work/eaxc.json"
contains "API: counters of a flow show n/a for what tc cannot count" \
	"n/a" api counters --flow dl-ru0
jfile() { # NAME CMD...: CMD's stdout into $work/NAME
	local f=$1
	shift
	"$@" >"$work/$f" 2>&1
}
jfile counters-api.json api --json counters --flow dl-ru0
jcheck "API: FlowCounters.unsupported: rx_on_time, rx_early, rx_late, rx_corrupt, rx_seqid_err, rx_late_local" \
	"$work/counters-api.json" \
	'j["flows"][0]["unsupported"] == ["rx_on_time", "rx_early", "rx_late", "rx_corrupt", "rx_seqid_err", "rx_late_local"]'
jfile status.json api --json flow status
jcheck "API: Flows.Status: every flow in software, not in_hw (veth has no offload)" \
	"$work/status.json" \
	'len(j["flows"]) == 7 and all(not f.get("in_hw", False) and f["detail"].startswith("software") and "no hw-tc-offload" in f["detail"] for f in j["flows"])'
jcheck "API: Flows.Status: dl-untagged has two rules (tagged, untagged), dl-ru0 one" \
	"$work/status.json" \
	'{f["name"]: f["rules"] for f in j["flows"]}["dl-untagged"] == 2 and {f["name"]: f["rules"] for f in j["flows"]}["dl-ru0"] == 1'
contains "fhctl flow status: a table" "software" api flow status dl-ru0

# MAC rewrite (pedit) through Commit, then Rollback
sed 's/"set_pcp": 5/"set_dst_mac": "02:00:00:00:00:01", "set_src_mac": "02:00:00:00:00:02"/' \
	"$work/a.json" >"$work/macrw.json"
contains "API: Commit of a MAC rewrite (tc pedit) is applied" "committed: version 2" \
	api config commit "$work/macrw.json"
contains "tc: pedit on swdu's VLAN 10 rule" "pedit" tc filter show dev swdu ingress
expect "MAC rewrite: VLAN 10 eCPRI to ru0 with dst/src rewritten" \
	"ru0 dst=02:00:00:00:00:01 src=02:00:00:00:00:02 vid=10 pcp=7 type=0xaefe n=5" \
	"${dl[@]}" --macs
contains "API: Rollback to the startup config" "version 3" api config rollback 1
expect "after rollback: PCP 5 again, MACs as sent" \
	"ru0 dst=02:00:00:70:00:01 src=02:00:00:d0:00:01 vid=10 pcp=5 type=0xaefe n=5" "${dl[@]}" --macs
three_versions() { [ "$(api config versions | awk 'NR > 1' | wc -l)" = 3 ]; }
check "API: three config versions (startup, MAC rewrite, rollback)" three_versions
check "API: dl-ru0's counters go on across commits (15 = 5 + 5 + 5)" flow_rx dl-ru0 15

# netlink errors through the API: someone else's filter where the next
# rules go, then a port that vanished; each commit is refused and leaves
# the running config
# (rules alternate between two priority ranges: the startup config and
# the rollback sit at 57344.., the MAC commit sat at 59392.., so the next
# commit's first rule goes to 59392)
check "someone else's filter at pref 59392 on swdu (the next rules' place)" \
	tc filter add dev swdu ingress pref 59392 protocol ip flower action pass
cat >"$work/flow-x.json" <<'EOF'
{ "name": "dl-x", "match": { "in_port": "du", "vlan_id": 100, "dst_mac": "02:00:00:70:00:99" },
  "action": { "out_ports": ["ru1"] } }
EOF
out=$(api flow add "$work/flow-x.json" 2>&1)
rc=$?
check "API: Flows.Add refused (exit 4) when a foreign filter is in the way" test "$rc" = 4
contains "API: ... with FAILED_PRECONDITION" "FAILED_PRECONDITION: flow" echo "$out"
contains "API: ... FAILED_PRECONDITION naming the port, the priority, its protocol" \
	'tc flower on "swdu": priority 59392 is taken by a filter fhswitch did not create (protocol 0x0800)' \
	echo "$out"
check "API: still three versions" three_versions
expect "refused: VLAN 10 eCPRI still to ru0, PCP 5" \
	"ru0 vid=10 pcp=5 type=0xaefe n=5" "${dl[@]}"
contains "refused: the foreign filter is intact" "pref 59392 flower" \
	tc filter show dev swdu ingress
check "refused: none of the refused commit's rules left (7 of ours)" n_filters swdu 7
check "remove the foreign filter" tc filter del dev swdu ingress pref 59392
contains "API: the same Flows.Add now succeeds" "added flow dl-x" \
	api flow add "$work/flow-x.json"

check "port ru1's netdev vanishes (ip link del swru1)" ip link del swru1
contains "API: counters still answer with ru1 gone" "dl-ru0" api counters
out=$(api flow del dl-x 2>&1)
rc=$?
check "API: a commit with the port gone is refused (exit 4)" test "$rc" = 4
contains "API: ... FAILED_PRECONDITION naming the port's device" \
	'FAILED_PRECONDITION: ports[2].device: no netdev "swru1"' echo "$out"
four_versions() {
	api flows | grep -q dl-x &&
		[ "$(api config versions | awk 'NR > 1' | wc -l)" = 4 ]
}
check "API: dl-x still there, four versions" four_versions
expect "port gone: VLAN 10 eCPRI still to ru0 (PCP 5)" \
	"ru0 vid=10 pcp=5 type=0xaefe n=5" --pcap "$work/dl.pcap" --count 5 \
	--tx du:eth0 --rx ru0:eth0
check "swru1 comes back (with someone else's clsact filter again)" sh -c '
	ip link add swru1 type veth peer name eth0 netns ru1 &&
	ip -n ru1 link set eth0 up &&
	tc qdisc add dev swru1 clsact &&
	tc filter add dev swru1 ingress pref 10 protocol 0x88b5 flower action pass'
contains "API: the delete now succeeds (swru1 found again)" "deleted flow dl-x" \
	api flow del dl-x
expect "swru1 is a bridge port again: VLAN 12 replicated to ru0 and ru1" \
	"ru0 vid=12 pcp=7 type=0xaefe n=5
ru1 vid=12 pcp=7 type=0xaefe n=5" "${dl[@]}" --vid 12

step "fhswd stops on SIGTERM with exit 0" stop_fhswd
c=$work/counters.json
jcheck "counters: dl-ru0 rx_total 25, tx_total 25 (5 x 5 frames, over 5 configs)" "$c" \
	'j["flows"]["dl-ru0"]["rx_total"] == 25 and j["flows"]["dl-ru0"]["tx_total"] == 25'
jcheck "counters: window counters are null (unsupported), not 0" "$c" \
	'j["flows"]["dl-ru0"]["rx_on_time"] is None and j["flows"]["dl-ru0"]["rx_late"] is None'
jcheck "counters: dl-ru1 rx_total 5" "$c" 'j["flows"]["dl-ru1"]["rx_total"] == 5'
jcheck "counters: dl-both rx_total 10, tx_total 20 (two copies)" "$c" \
	'j["flows"]["dl-both"]["rx_total"] == 10 and j["flows"]["dl-both"]["tx_total"] == 20'
jcheck "counters: dl-drop rx_total 5, tx_total 0" "$c" \
	'j["flows"]["dl-drop"]["rx_total"] == 5 and j["flows"]["dl-drop"]["tx_total"] == 0'
jcheck "counters: dl-mac 5, dl-untagged 5 (summed over its two rules), ul-ru0 5" "$c" \
	'[j["flows"][f]["rx_total"] for f in ("dl-mac", "dl-untagged", "ul-ru0")] == [5, 5, 5]'
jcheck "counters: port du received (link stats)" "$c" \
	'j["ports"]["du"]["rx_packets"] >= 45 and j["ports"]["ru1"]["tx_packets"] >= 5'

# --- after run 1: exactly ours is gone -----------------------------------------
refute "bridge fhbr0 deleted" ip link show fhbr0
lacks "swdu released from the bridge" "master" ip link show swdu
contains "swdu set down again (fhswd brought it up)" "state DOWN" ip link show swdu
lacks "clsact qdisc fhswd created on swdu removed" "clsact" tc qdisc show dev swdu
contains "swru1: someone else's clsact kept" "clsact" tc qdisc show dev swru1
contains "swru1: someone else's filter (pref 10) kept" "pref 10 flower" \
	tc filter show dev swru1 ingress
check "swru1: none of fhswd's filters left" n_filters swru1 0
contains "unrelated bridge keepbr and its static FDB entry intact" \
	"02:00:00:00:0d:01 dev keepa master keepbr static" bridge fdb show br keepbr
check "the veths themselves are left" ip link show swru0

# --- no CAP_NET_ADMIN: a clear error, nothing left -----------------------------------
perm=$(mktemp /tmp/fhperm.XXXXXX)
cp "$work/a.json" "$perm" && chmod 644 "$perm"
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	--bounding-set=-all "$fhswd" --config "$perm" --run-seconds 5 \
	>/dev/null 2>"$work/perm.log"
rc=$?
rm -f "$perm"
check "without CAP_NET_ADMIN: fhswd exits 1" test "$rc" = 1
contains "without CAP_NET_ADMIN: the error names the operation and the capability" \
	'hal.bridge: cannot create "fhbr0": Operation not permitted (fhswd needs CAP_NET_ADMIN' \
	cat "$work/perm.log"
refute "without CAP_NET_ADMIN: no bridge" ip link show fhbr0

# --- refused configs ------------------------------------------------------------------
"$fhswd" --config "$work/eaxc.json" --run-seconds 5 >/dev/null 2>"$work/eaxc.log"
rc=$?
check "eAxC match: fhswd exits 1" test "$rc" = 1
contains "eAxC match: refused naming the flow and the capability" \
	'flows[0] ("by-eaxc"): backend switchdev cannot do match on eAxC' \
	cat "$work/eaxc.log"
refute "eAxC match: no bridge left behind" ip link show fhbr0

sed 's/"device": "swru1"/"device": "nosuch0"/' "$work/a.json" >"$work/nodev.json"
"$fhswd" --config "$work/nodev.json" --run-seconds 5 >/dev/null 2>"$work/nodev.log"
rc=$?
check "missing netdev: fhswd exits 1" test "$rc" = 1
contains "missing netdev: named in the error" \
	'ports[2].device: no netdev "nosuch0"' cat "$work/nodev.log"
refute "missing netdev: no bridge left behind" ip link show fhbr0
lacks "missing netdev: swdu not left enslaved" "master" ip link show swdu

# --- run 2: reloads (SIGHUP), good and refused ------------------------------------------
step "fhswd starts again" start_fhswd "$work/a.json"
# reload_fhswd CONFIG: copy it over the running file, SIGHUP, wait for the verdict
reload_fhswd() {
	local n
	[ -n "$fhpid" ] || return 1
	n=$(grep -c "SIGHUP" "$work/fhswd.log")
	cp "$1" "$work/a.json"
	kill -HUP "$fhpid"
	for _ in $(seq 300); do
		[ "$(grep -c "SIGHUP" "$work/fhswd.log")" -gt "$n" ] && break
		sleep 0.1
	done
	grep "SIGHUP" "$work/fhswd.log" | tail -n 1
}
cp "$work/a.json" "$work/a1.json"
config ru1 "" "" "" >"$work/a2.json"
contains "reload: dl-ru0 now to ru1, static FDB entry dropped: applied" \
	"applied" reload_fhswd "$work/a2.json"
expect "reload: VLAN 10 eCPRI now goes to ru1 (PCP 5)" \
	"ru1 vid=10 pcp=5 type=0xaefe n=5" "${dl[@]}"
lacks "reload: the dropped static FDB entry is gone" "02:00:00:00:0c:01" \
	bridge fdb show br fhbr0
check "reload: swdu holds one generation of rules (7)" n_filters swdu 7

# refused in the kernel after part of it went in: keepa is keepbr's port
config ru0 "$fdb" ',
    { "name": "x", "device": "keepa" }' "" >"$work/a3.json"
contains "reload: a port of another bridge is refused, naming it" \
	'ports[3].device: "keepa" is already a port of "keepbr"' \
	reload_fhswd "$work/a3.json"
expect "refused reload: VLAN 10 still goes to ru1" \
	"ru1 vid=10 pcp=5 type=0xaefe n=5" "${dl[@]}"
contains "refused reload: keepa still in keepbr" "master keepbr" ip link show keepa

# refused by the kernel half way through the flows: someone else's filters
# sit at priorities the next rules need (57344 + 2 x position)
check "someone else's filters at pref 57350, 57352 on swdu" sh -c '
	tc filter add dev swdu ingress pref 57350 protocol ip flower action pass &&
	tc filter add dev swdu ingress pref 57352 protocol ip flower action pass'
config ru0 "$fdb" "" "" >"$work/a5.json"
contains "reload: a flower rule the kernel refuses fails the reload, naming it" \
	'tc flower on "swdu"' reload_fhswd "$work/a5.json"
echo "#   $(grep SIGHUP "$work/fhswd.log" | tail -n 1 | cut -d' ' -f4-)"
expect "refused reload: VLAN 10 still goes to ru1 (old rules kept)" \
	"ru1 vid=10 pcp=5 type=0xaefe n=5" "${dl[@]}"
expect "refused reload: VLAN 12 still replicated" \
	"ru0 vid=12 pcp=7 type=0xaefe n=5
ru1 vid=12 pcp=7 type=0xaefe n=5" "${dl[@]}" --vid 12
lacks "refused reload: the static FDB entry it added was taken back" \
	"02:00:00:00:0c:01" bridge fdb show br fhbr0
check "refused reload: the rules it added were taken back (7 left)" \
	n_filters swdu 7
check "refused reload: someone else's filters untouched" sh -c \
	'tc filter show dev swdu ingress | grep -q "pref 57350 flower" &&
	 tc filter show dev swdu ingress | grep -q "pref 57352 flower"'
check "drop one of them again" tc filter del dev swdu ingress pref 57352

# refused by the capability check: nothing touched
config ru0 "$fdb" "" '
    { "name": "eaxc", "match": { "in_port": "ru1", "eaxc_id": 3, "eaxc_mask": 15 },
      "action": { "out_ports": ["du"] } },' >"$work/a4.json"
contains "reload: an eAxC flow is refused by capability" \
	'flows[0] ("eaxc"): backend switchdev cannot do match on eAxC' \
	reload_fhswd "$work/a4.json"
expect "refused reload: VLAN 10 still goes to ru1" \
	"ru1 vid=10 pcp=5 type=0xaefe n=5" "${dl[@]}"

step "fhswd stops on SIGTERM with exit 0" stop_fhswd
refute "after run 2: bridge fhbr0 deleted" ip link show fhbr0
check "after run 2: none of fhswd's filters left on swdu" n_filters swdu 0
contains "after run 2: swdu's clsact kept: someone else's filter is on it" \
	"clsact" tc qdisc show dev swdu
contains "after run 2: that filter (pref 57350) intact" "pref 57350 flower" \
	tc filter show dev swdu ingress
contains "after run 2: someone else's filter on swru1 kept" "pref 10 flower" \
	tc filter show dev swru1 ingress
contains "after run 2: keepbr's FDB entry intact" \
	"02:00:00:00:0d:01 dev keepa master keepbr static" bridge fdb show br keepbr

# --- crash and restart: fhswd finds its own leftovers ------------------------------
check "someone else's filter on swdu removed (it sits where rules go)" \
	tc filter del dev swdu ingress pref 57350
cp "$work/a1.json" "$work/a.json"
step "fhswd starts" start_fhswd "$work/a.json"
kill -KILL "$fhpid"
wait "$fhpid" 2>/dev/null
fhpid=
contains "killed (-9): its bridge is left, marked as fhswd's" \
	"alias fhswitch switchdev bridge" ip link show fhbr0
step "fhswd starts again over the leftovers" start_fhswd "$work/a.json"
check "stale rules replaced: one generation on swdu (7)" n_filters swdu 7
contains "static FDB entry taken over" \
	"02:00:00:00:0c:01 dev swru1 vlan 100 master fhbr0 static" \
	bridge fdb show br fhbr0
expect "after restart: VLAN 10 eCPRI to ru0, PCP 5" \
	"ru0 vid=10 pcp=5 type=0xaefe n=5" "${dl[@]}"
step "fhswd stops" stop_fhswd
refute "its bridge from before the crash is deleted too" ip link show fhbr0
check "none of fhswd's filters left on swdu" n_filters swdu 0
contains "keepbr's FDB entry intact" \
	"02:00:00:00:0d:01 dev keepa master keepbr static" bridge fdb show br keepbr
step "--exit-when-idle 1500: exits 0 without traffic" \
	timeout 60 "$fhswd" --config "$work/a.json" --exit-when-idle 1500
refute "and cleans up" ip link show fhbr0

# --- run 3: adopting an existing bridge; ports with every VLAN ----------------------
check "someone else's bridge adoptbr (vlan_filtering 0, ageing 300 s)" sh -c '
	ip link add adoptbr type bridge vlan_filtering 0 ageing_time 30000 &&
	ip link set adoptbr up'
cat >"$work/adopt.json" <<'EOF'
{ "name": "adopt",
  "ports": [
    { "name": "du", "device": "swdu", "role": "ROLE_DU" },
    { "name": "ru0", "device": "swru0", "role": "ROLE_RU", "allowed_vlans": [10] },
    { "name": "ru1", "device": "swru1", "role": "ROLE_RU" } ],
  "flows": [
    { "name": "dl-ru0", "match": { "in_port": "du", "vlan_id": 10 },
      "action": { "out_ports": ["ru0"], "set_pcp": 1 } } ],
  "l2": { "aging_s": 120 },
  "hal": { "backend": "switchdev", "bridge": "adoptbr" } }
EOF
step "fhswd adopts bridge adoptbr" start_fhswd "$work/adopt.json"
contains "adoptbr: ageing 120 s" "ageing_time 12000 " ip -d link show adoptbr
contains "adoptbr: vlan_filtering 1" "vlan_filtering 1" ip -d link show adoptbr
refute "no bridge fhbr0 made" ip link show fhbr0
contains "swdu (no VLAN list) carries every VLAN" "4094" \
	bridge vlan show dev swdu
lacks "swru0 (VLAN list [10]): adoptbr's default VLAN 1 removed" " 1 PVID" \
	bridge vlan show dev swru0
expect "adopted: VLAN 10 eCPRI to ru0, PCP 1" \
	"ru0 vid=10 pcp=1 type=0xaefe n=5" "${dl[@]}"
expect "every VLAN allowed: IPv4 on VLAN 2000 from du reaches ru1" \
	"ru1 vid=2000 pcp=0 type=0x0800 n=3" "${l2[@]}" --type 0x0800 --vid 2000
expect "no native VLAN, no list: untagged frames bridged untagged (VLAN 1)" \
	"ru1 untagged type=0x0800 n=3" "${l2[@]}" --type 0x0800
step "fhswd stops" stop_fhswd
check "adoptbr kept (not fhswd's)" ip link show adoptbr
contains "adoptbr: vlan_filtering back to 0" "vlan_filtering 0" \
	ip -d link show adoptbr
contains "adoptbr: ageing back to 300 s" "ageing_time 30000 " \
	ip -d link show adoptbr
lacks "swdu released from adoptbr" "master" ip link show swdu
ip link del adoptbr

summary
