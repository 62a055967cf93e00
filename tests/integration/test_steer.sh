#!/usr/bin/env bash
# eCPRI steering by eAxC across rx queues: with two forwarding lcores each
# port gets two rx queues, and fhswd asks the device for rte_flow rules
# with the eCPRI item that keep an eAxC on one queue.  The virtual devices
# here have no rte_flow: fhswd must say, per port, that nothing is steered
# and why, and forward as before (the device's default queue); with one
# lcore there is one queue and nothing to say.
#   test_steer.sh FHSWD FHCTL
set -u
fhswd=$1
fhctl=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"
eal=(--no-huge -m 128 --no-pci --vdev net_ring0 --vdev net_ring1)

cat >"$work/cfg.json" <<'JSON'
{"name": "steer", "ports": [{"name": "A", "device": "net_ring0"},
                            {"name": "B", "device": "net_ring1"}],
 "flows": [{"name": "a2b", "match": {"in_port": "A"}, "action": {"out_ports": ["B"]}},
           {"name": "b2a", "match": {"in_port": "B"}, "action": {"out_ports": ["A"]}}]}
JSON
"$fhctl" gen --out "$work/u.pcap" --eaxc 4 --prbs 2 --slots 1 --direction dl \
	--from du 2>/dev/null || die "fhctl gen"

timeout 60 "$fhswd" "${eal[@]}" --file-prefix "fh_steer2_$$" -l 0-1 -- \
	--config "$work/cfg.json" --inject "$work/u.pcap:A:16" --run-seconds 2 \
	--counters-json "$work/c2.json" >"$work/out2" 2>&1
check "two lcores: fhswd exits 0" [ $? -eq 0 ]
for p in 0 1; do
	contains "two lcores: ports[$p] says eCPRI is not steered, and why" \
		"ports[$p] (\"net_ring$p\"): eCPRI not steered by eAxC (rte_flow with the eCPRI item: Function not implemented)" \
		cat "$work/out2"
done
jcheck "two lcores: traffic forwarded both ways" "$work/c2.json" \
	'j["flows"]["a2b"]["tx_total"] > 1000 and j["flows"]["b2a"]["tx_total"] > 1000'

timeout 60 "$fhswd" "${eal[@]}" --file-prefix "fh_steer1_$$" -l 0 -- \
	--config "$work/cfg.json" --run-seconds 1 >"$work/out1" 2>&1
check "one lcore: fhswd exits 0" [ $? -eq 0 ]
lacks "one lcore: one rx queue per port, no steering to report" "steered" \
	cat "$work/out1"
summary
