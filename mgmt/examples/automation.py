#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""An operator's script against fhswd's gRPC API: add (or update) a flow,
watch its counters for a few samples and print them as a table.

    automation.py --addr 127.0.0.1:50051 [--flow NAME] [--in-port A]
                  [--out-port B] [--eaxc 1] [--samples 5] [--interval-ms 1000]
                  [--remove] [--tls CA,CERT,KEY]

Needs grpcio and protobuf (Debian: python3-grpcio python3-protobuf) and
fhswitch's Python package, fhswitch.v1: messages (api_pb2, config_pb2) and
service stubs (api_pb2_grpc), which the build makes in BUILD/python and
`cmake --install` puts where Debian's python3 finds it
(PYTHONPATH=BUILD/python to use it from a build tree).  Without it the
script generates the same into a temporary directory from --proto-dir
(default: the repository's proto/), with protoc and python3-grpc-tools.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import grpc

HERE = os.path.dirname(os.path.abspath(__file__))


def load_api(proto_dir):
    """fhswitch.v1 api_pb2, config_pb2 and api_pb2_grpc, generated if need
    be."""
    try:
        from fhswitch.v1 import api_pb2, api_pb2_grpc, config_pb2
    except ImportError:
        out = tempfile.mkdtemp(prefix="fhswitch-py-")
        protos = ["fhswitch/v1/config.proto", "fhswitch/v1/api.proto"]
        subprocess.run(["protoc", "-I" + proto_dir, "--python_out=" + out] + protos,
                       check=True)
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I" + proto_dir,
                        "--grpc_python_out=" + out, protos[1]], check=True)
        for d in ("fhswitch", "fhswitch/v1"):
            open(os.path.join(out, d, "__init__.py"), "a").close()
        sys.path.insert(0, out)
        from fhswitch.v1 import api_pb2, api_pb2_grpc, config_pb2
    return api_pb2, config_pb2, api_pb2_grpc


def connect(args):
    if args.tls:
        ca, cert, key = (open(p, "rb").read() for p in args.tls.split(","))
        creds = grpc.ssl_channel_credentials(ca, key, cert)
        opts = [("grpc.ssl_target_name_override", args.server_name)]
        ch = grpc.secure_channel(args.addr, creds, options=opts)
    else:
        ch = grpc.insecure_channel(args.addr)
    grpc.channel_ready_future(ch).result(timeout=10)
    return ch


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--addr", default="127.0.0.1:50051", help="fhswd's --grpc address")
    ap.add_argument("--flow", default="auto-demo", help="flow name")
    ap.add_argument("--in-port", default="A")
    ap.add_argument("--out-port", default="B")
    ap.add_argument("--eaxc", type=int, default=1, help="eAxC ID to match exactly")
    ap.add_argument("--samples", type=int, default=5)
    ap.add_argument("--interval-ms", type=int, default=1000)
    ap.add_argument("--remove", action="store_true", help="delete the flow at the end")
    ap.add_argument("--tls", metavar="CA,CERT,KEY", help="mTLS with this client certificate")
    ap.add_argument("--server-name", default="localhost", help="name in the server certificate")
    ap.add_argument("--proto-dir", default=os.path.join(HERE, "..", "..", "proto"))
    args = ap.parse_args()

    api, cfg, stubs = load_api(args.proto_dir)
    try:
        ch = connect(args)
    except grpc.FutureTimeoutError:
        sys.exit("error: no answer from %s" % args.addr)
    system, config = stubs.SystemStub(ch), stubs.ConfigStub(ch)
    flows, counters = stubs.FlowsStub(ch), stubs.CountersServiceStub(ch)

    try:
        v = system.GetVersion(api.GetVersionRequest(), timeout=10)
        print("connected to fhswd %s (%s backend), config version %d, up %.0f s"
              % (v.version, v.backend, v.config_version, v.uptime_s))

        # 1. the flow: U-plane from in-port, one eAxC, out to out-port
        flow = cfg.Flow(
            name=args.flow,
            match=cfg.FlowMatch(in_port=args.in_port, plane=cfg.PLANE_U,
                                eaxc_id=args.eaxc, eaxc_mask=0xFFFF),
            action=cfg.FlowAction(out_ports=[args.out_port]))
        running = config.Get(api.GetConfigRequest(), timeout=10)
        req = api.FlowChangeRequest(flow=flow, expected_version=running.version)
        try:
            r = flows.Add(req, timeout=10)
            print("flow %s added: config version %d" % (args.flow, r.version))
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.ALREADY_EXISTS:
                raise
            r = flows.Update(req, timeout=10)
            print("flow %s updated: config version %d" % (args.flow, r.version))

        # 2. its counters, one row per sample
        print()
        print("%6s %10s %14s %14s %12s %8s %8s" % ("sample", "time_s", "rx_total",
                                                 "tx_total", "rx_pps", "late", "corrupt"))
        watch = api.WatchCountersRequest(interval_ms=args.interval_ms, flows=[args.flow],
                                         max_samples=args.samples)
        first = prev = None
        timeout = args.samples * args.interval_ms / 1000 + 10
        for n, c in enumerate(counters.Watch(watch, timeout=timeout), 1):
            f = c.flows[0]
            first = first or c
            pps = 0.0
            if prev is not None and c.timestamp_ns > prev.timestamp_ns:
                pps = ((f.rx_total - prev.flows[0].rx_total) * 1e9
                       / (c.timestamp_ns - prev.timestamp_ns))
            print("%6d %10.3f %14d %14d %12.0f %8d %8d" % (
                n, (c.timestamp_ns - first.timestamp_ns) / 1e9, f.rx_total,
                f.tx_total, pps, f.rx_late, f.rx_corrupt))
            prev = c
        print()

        # 3. optionally leave the switch as it was
        if args.remove:
            r = flows.Delete(api.DeleteFlowRequest(name=args.flow), timeout=10)
            print("flow %s removed: config version %d" % (args.flow, r.version))
    except grpc.RpcError as e:
        sys.exit("error: %s: %s" % (e.code().name, e.details()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
