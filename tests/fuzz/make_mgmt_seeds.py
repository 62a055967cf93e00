#!/usr/bin/env python3
"""Regenerate the seed corpora of the management fuzz targets.

  tests/fuzz/make_mgmt_seeds.py

fuzz_mgmt_json: the example and conformance configs.  fuzz_mgmt_rpc: one
request per unary method and a few more, each prefixed with the method's
index in mgmt/services/methods.c (the order the fuzz target reads), the
request encoded by protoc from the text format below.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_seeds import save  # noqa: E402  (one corpus layout)
REPO = os.path.dirname(os.path.dirname(HERE))
PROTO = os.path.join(REPO, "proto")

FLOW = ('flow { name: "c2d" match { in_port: "A" plane: PLANE_C eaxc_id: 3 eaxc_mask: 65535 } '
        'action { out_ports: "B" set_eaxc_id: 7 } }')
CONFIG = ('name: "seed" hal { backend: "fake" } '
          'ports { name: "A" device: "d0" role: ROLE_DU } ports { name: "B" device: "d1" role: ROLE_RU } '
          'flows { name: "x" match { in_port: "A" } action { out_ports: "B" } }')
# text-format requests by type (several per type: each is a seed)
REQUESTS = {
    "GetConfigRequest": [""],
    "ValidateRequest": ["config { %s }" % CONFIG, 'config { name: "bad" ports { name: "A" } }'],
    "CommitRequest": ["config { %s } comment: \"seed\"" % CONFIG,
                      'patch { } confirm_timeout_s: 30',
                      'patch { } expected_version: 1'],
    "ConfirmRequest": [""],
    "RollbackRequest": ["to_version: 1", "to_version: 99"],
    "ListVersionsRequest": [""],
    "ListPortsRequest": [""],
    "GetPortRequest": ['name: "A"', 'name: "nope"'],
    "ListFlowsRequest": [""],
    "GetFlowRequest": ['name: "a2b"'],
    "FlowChangeRequest": [FLOW, FLOW.replace('"c2d"', '"a2b"')],
    "DeleteFlowRequest": ['name: "a2b"', 'name: "b2a" expected_version: 1'],
    "FlowStatusRequest": ['names: "a2b"'],
    "GetCountersRequest": ['flows: "a2b"', ""],
    "GetVersionRequest": [""],
    "GetCapabilitiesRequest": [""],
    "SaveConfigRequest": [""],
}


def methods():
    """(index, "Service/Method") in the order of the method table."""
    src = open(os.path.join(REPO, "mgmt", "services", "methods.c")).read()
    return list(enumerate(re.findall(r'"/fhswitch\.v1\.(\w+/\w+)"', src)))


def request_types():
    """"Service/Method" -> request message name, from api.proto."""
    out, svc = {}, None
    for line in open(os.path.join(PROTO, "fhswitch", "v1", "api.proto")):
        m = re.match(r"\s*service (\w+)", line)
        if m:
            svc = m.group(1)
        m = re.match(r"\s*rpc (\w+)\((\w+)\)", line)
        if m:
            out[svc + "/" + m.group(1)] = m.group(2)
    return out


def main():
    for path in [os.path.join(REPO, "mgmt", "examples", "default.json"),
                 os.path.join(REPO, "tests", "conformance", "base.json")]:
        save("fuzz_mgmt_json", open(path, "rb").read())
    types = request_types()
    n = 0
    for idx, meth in methods():
        for text in REQUESTS.get(types.get(meth, ""), []):
            blob = subprocess.run(
                ["protoc", "-I", PROTO, "--encode=fhswitch.v1." + types[meth],
                 "fhswitch/v1/api.proto"], input=text.encode(), capture_output=True, check=True).stdout
            save("fuzz_mgmt_rpc", bytes([idx]) + blob)
            n += 1
    print("fuzz_mgmt_rpc: %d seeds" % n, file=sys.stderr)


if __name__ == "__main__":
    main()
