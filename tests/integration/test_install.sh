#!/usr/bin/env bash
# `cmake --install` into a staging prefix yields a working fhswd and fhctl
# (version, the example config forwarding on net_null ports), the
# systemd unit, the example configs and the license.
#   test_install.sh BUILD_DIR
set -euo pipefail
build=$1
stage=$(mktemp -d /tmp/fh_install.XXXXXX)
trap 'rm -rf "$stage"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

cmake --install "$build" --prefix "$stage" >/dev/null
unit=$(find "$stage" -name 'fhswd@.service' | head -1)
check "fhswd installed" test -x "$stage/bin/fhswd"
check "fhctl installed" test -x "$stage/bin/fhctl"
check "unit installed" test -f "$unit"
check "example config installed" test -f "$stage/share/fhswitch/examples/default.json"
check "license installed" test -f "$(find "$stage/share/doc" -name LICENSE | head -1)"
py=$(find "$stage" -path '*/dist-packages/fhswitch/v1/api_pb2_grpc.py' | head -1)
check "Python package installed (fhswitch.v1 stubs)" test -f "$py"
check "installed package imports" env PYTHONPATH="${py%/fhswitch/v1/*}" \
	/usr/bin/python3 -c 'from fhswitch.v1 import api_pb2_grpc, config_pb2; api_pb2_grpc.FlowsStub'
check "fhswd --version" sh -c "'$stage/bin/fhswd' --version | grep -Eq '^fhswd [0-9]'"
check "fhctl version" sh -c "'$stage/bin/fhctl' version | grep -Eq '^fhctl [0-9]'"
check "fhswd --help names every option" sh -c "'$stage/bin/fhswd' --help | grep -q -- --version"
check "unit: one instance per config" grep -q -- '--config .*/fhswitch/%i.json' "$unit"
check "unit: restart on failure" grep -qx 'Restart=on-failure' "$unit"
check "unit: capabilities bounded" grep -q '^CapabilityBoundingSet=CAP_NET_ADMIN' "$unit"
check "unit: reload is SIGHUP" grep -q '^ExecReload=/bin/kill -HUP' "$unit"
# the staged daemon forwards with the installed example config
cfg="$stage/share/fhswitch/examples/default.json"
check "staged fhswd runs the example config" timeout 60 "$stage/bin/fhswd" \
	--no-huge -m 128 --no-pci --file-prefix "fhinst_$$" -l 0 \
	--log-level=error --vdev net_null0 --vdev net_null1 --vdev net_null2 \
	-- --config "$(sed 's/net_pcap/net_null/g' "$cfg" >"$stage/n.json"; echo "$stage/n.json")" \
	--run-seconds 1
summary
