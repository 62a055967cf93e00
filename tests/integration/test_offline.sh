#!/usr/bin/env bash
# The switch's own validation without a switch, and start-up that says
# what to do:
#   fhctl config validate --local FILE and fhswd --check --config FILE run
#   the checks a commit runs (every error with its JSON path, the
#   backend's capabilities) without a server, a HAL or root; the same
#   errors as the server's Validate RPC would give (the function is
#   shared); fhswd --check opens nothing (devices that do not exist are
#   fine, no EAL arguments needed);
#   fhswd with EAL options after "--" says they go before it; an EAL
#   start without hugepages says how to run without them.
#   test_offline.sh FHSWD FHCTL
set -u
fhswd=$1
fhctl=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" /var/run/dpdk/fhoffline$$' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

cat >"$tmp/good.json" <<'EOF'
{ "name": "good",
  "ports": [ { "name": "du0", "device": "net_does_not_exist0" },
             { "name": "ru0", "device": "net_does_not_exist1" } ],
  "flows": [ { "name": "dl", "match": { "in_port": "du0", "plane": "PLANE_U" },
               "action": { "out_ports": ["ru0"] },
               "window": { "earliest_us": -400, "latest_us": -100 } } ],
  "ptp": { "mode": "PTP_MODE_TRANSPARENT" } }
EOF
# two independent errors: both reported, each with its path
cat >"$tmp/bad.json" <<'EOF'
{ "name": "bad",
  "ports": [ { "name": "du0", "device": "d0" },
             { "name": "ru0", "device": "d1" } ],
  "flows": [ { "name": "dl", "match": { "in_port": "du0" },
               "action": { "out_ports": ["ru9"] } } ],
  "l2": { "aging_s": 0 } }
EOF
# valid as a document, but the switchdev backend cannot do it
sed 's/"name": "good",/"name": "sd", "hal": { "backend": "switchdev" },/' \
	"$tmp/good.json" >"$tmp/switchdev.json"
sed 's/"mode": "PTP_MODE_TRANSPARENT"/"mode": "PTP_MODE_BRIDGE"/' \
	"$tmp/switchdev.json" >"$tmp/switchdev_bridge.json"
printf '{ "name": "x", "ports": [ ' >"$tmp/syntax.json"

exit_is 0 "fhctl validate --local: a valid config" \
	"$fhctl" -s 127.0.0.1:1 config validate --local "$tmp/good.json"
contains "fhctl validate --local: says valid" "good.json: valid" \
	"$fhctl" config validate --local "$tmp/good.json"
exit_is 1 "fhctl validate --local: an invalid config exits 1" \
	"$fhctl" config validate --local "$tmp/bad.json"
contains "fhctl validate --local: the first error with its path" \
	"l2.aging_s: 0 is out of range 1..1000000" \
	"$fhctl" config validate --local "$tmp/bad.json"
contains "fhctl validate --local: every error (the flow's too)" \
	'flows[0].action.out_ports[0]: no port named "ru9"' \
	"$fhctl" config validate --local "$tmp/bad.json"
exit_is 1 "fhctl validate --local: the backend's capabilities count" \
	"$fhctl" config validate --local "$tmp/switchdev.json"
contains "fhctl validate --local: switchdev cannot be a transparent clock" \
	"ptp.mode: backend switchdev cannot be a PTP transparent clock" \
	"$fhctl" config validate --local "$tmp/switchdev.json"
contains "fhctl validate --local: switchdev cannot match planes" \
	'flows[0] ("dl"): backend switchdev cannot do match on plane' \
	"$fhctl" config validate --local "$tmp/switchdev_bridge.json"
contains "fhctl validate --local --json: the API's ValidateResponse" \
	'"valid": true' "$fhctl" --json config validate --local "$tmp/good.json"
exit_is 1 "fhctl validate --local: JSON syntax error" \
	"$fhctl" config validate --local "$tmp/syntax.json"

exit_is 0 "fhswd --check: a valid config (no EAL arguments, devices absent)" \
	"$fhswd" --check --config "$tmp/good.json"
contains "fhswd --check: says valid" "good.json: valid" \
	"$fhswd" --check --config "$tmp/good.json"
exit_is 1 "fhswd --check: an invalid config exits 1" \
	"$fhswd" --check --config "$tmp/bad.json"
contains "fhswd --check: every error with file and path" \
	"bad.json: l2.aging_s: 0 is out of range 1..1000000" \
	"$fhswd" --check --config "$tmp/bad.json"
contains "fhswd --check: the flow's error too" \
	'bad.json: flows[0].action.out_ports[0]: no port named "ru9"' \
	"$fhswd" --check --config "$tmp/bad.json"
contains "fhswd --check: switchdev's capabilities" \
	'flows[0] ("dl"): backend switchdev cannot do match on plane' \
	"$fhswd" --check --config "$tmp/switchdev_bridge.json"
exit_is 1 "fhswd --check: JSON syntax error" \
	"$fhswd" --check --config "$tmp/syntax.json"
exit_is 1 "fhswd --check: a missing file" \
	"$fhswd" --check --config "$tmp/nope.json"
lacks "fhswd --check: the EAL never started" "EAL:" \
	"$fhswd" --no-huge -m 64 -- --check --config "$tmp/good.json"

# start-up hints
exit_is 2 "fhswd: EAL options after -- are a usage error" \
	"$fhswd" --no-huge -- --config "$tmp/good.json" -l 0
contains "fhswd: EAL options after -- say where they go" \
	'"-l" is an EAL option: EAL options go before "--"' \
	"$fhswd" --no-huge -- --config "$tmp/good.json" -l 0
contains "fhswd: --vdev after -- too" '"--vdev" is an EAL option' \
	"$fhswd" -- --config "$tmp/good.json" --vdev net_null0
contains "fhswd --help: a working command line without NIC or hugepages" \
	"fhswd --no-huge -m 128 --no-pci -l 0 --vdev net_ring0" "$fhswd" --help
if [ "$(awk '/^HugePages_Total:/ { print $2 }' /proc/meminfo)" = 0 ]; then
	contains "fhswd without hugepages: says how to run without them" \
		"no hugepages are reserved: add --no-huge -m 128" \
		timeout 60 "$fhswd" --no-pci -l 0 --file-prefix "fhoffline$$" \
		--vdev net_null0 -- --config "$tmp/good.json"
else
	ok "fhswd without hugepages: skipped, this host has hugepages"
fi

summary
