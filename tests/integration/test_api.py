#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The management API (mgmt/mgmt_api.c over mgmt/mgmt_grpc.c) against a
live fhswd forwarding on two DPDK ring vdevs, through Python grpcio (a
client nobody here wrote) and Node (@grpc/grpc-js + a reflection client
from npm, tests/integration/node).

Covers every RPC of Config, Ports, Flows, CountersService and System and the
error statuses they return; concurrent commits with one expected_version;
confirmed commits (timeout and Confirm, the file on disk meanwhile);
persistence across a restart; SIGKILL during a stream of commits (the file
is never torn); the data path following commits (counters of added,
updated and deleted flows); health; mTLS roles (viewer, operator, admin)
and the audit log; a matrix of malformed requests; mgmt/examples/
automation.py.  Prints, never asserts, two figures: commit-to-effect
latency and the forwarding rate with and without a 10 Hz counter watch on
1000 flows.

The _pb2 modules are generated with `protoc --python_out` into the work
directory.  Prints "N passed, M failed" and exits non-zero on a failure.
Tests of known, reported bugs run too but are reported as XFAIL and do not
fail the run unless --strict is given.
"""
import argparse
import concurrent.futures
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import grpc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from checks import Failure, Results, check, load_module  # noqa: E402

GRPC_PROTO_DIR = "/usr/share/grpc-proto"
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
MAX_MESSAGE = 4 << 20  # fhswd's receive limit
ident = lambda b: b  # noqa: E731
SC = grpc.StatusCode

# method (without "/fhswitch.v1.") -> (request type, response type)
METHODS = {
    "Config/Get": ("GetConfigRequest", "GetConfigResponse"),
    "Config/Validate": ("ValidateRequest", "ValidateResponse"),
    "Config/Commit": ("CommitRequest", "CommitResponse"),
    "Config/Confirm": ("ConfirmRequest", "ConfirmResponse"),
    "Config/Rollback": ("RollbackRequest", "RollbackResponse"),
    "Config/ListVersions": ("ListVersionsRequest", "ListVersionsResponse"),
    "Ports/List": ("ListPortsRequest", "ListPortsResponse"),
    "Ports/Get": ("GetPortRequest", "config.Port"),
    "Flows/List": ("ListFlowsRequest", "ListFlowsResponse"),
    "Flows/Get": ("GetFlowRequest", "config.Flow"),
    "Flows/Add": ("FlowChangeRequest", "ChangeResponse"),
    "Flows/Update": ("FlowChangeRequest", "ChangeResponse"),
    "Flows/Delete": ("DeleteFlowRequest", "ChangeResponse"),
    "Flows/Status": ("FlowStatusRequest", "FlowStatusResponse"),
    "CountersService/Get": ("GetCountersRequest", "Counters"),
    "System/GetVersion": ("GetVersionRequest", "VersionResponse"),
    "System/GetCapabilities": ("GetCapabilitiesRequest", "Capabilities"),
    "System/SaveConfig": ("SaveConfigRequest", "SaveConfigResponse"),
}
MUTATING = {"Config/Commit", "Config/Confirm", "Config/Rollback", "Flows/Add",
            "Flows/Update", "Flows/Delete", "System/SaveConfig"}

# Tests of bugs that are reported and not fixed yet: reported as XFAIL.
# (Empty: the UTF-8 and role-binding bugs this suite found are fixed and
# their tests are ordinary regressions now.)
KNOWN_BUGS = {}




# ---- generated messages ----------------------------------------------------------



def gen_pb2(proto_dir, out):
    os.makedirs(out, exist_ok=True)
    subprocess.run(["protoc", "-I" + proto_dir, "-I" + GRPC_PROTO_DIR,
                    "--python_out=" + out, "fhswitch/v1/config.proto",
                    "fhswitch/v1/api.proto", "grpc/health/v1/health.proto"],
                   check=True)
    sys.path.insert(0, out)
    from fhswitch.v1 import api_pb2, config_pb2  # noqa: E402
    # grpc/ by path: "grpc" is grpcio's own package name
    health = load_module(os.path.join(out, "grpc/health/v1/health_pb2.py"), "fh_health_pb2")
    return api_pb2, config_pb2, health


# ---- helpers -------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_ca(d, name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", name + ".key", "-out", name + ".pem", "-days", "2",
            "-subj", "/CN=" + name, "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)


def make_leaf(d, ca, name, cn, sans, usage, serial):
    with open(os.path.join(d, name + ".ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\n")
        f.write("keyUsage=critical,digitalSignature,keyEncipherment\n")
        f.write("extendedKeyUsage=%s\n" % usage)
        if sans:
            f.write("subjectAltName=%s\n" % ",".join(sans))
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn,
            cwd=d)
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
            "-set_serial", str(serial), "-days", "2", "-out", name + ".pem",
            "-extfile", name + ".ext", cwd=d)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def wait_until(fn, timeout, step=0.01):
    """fn() until truthy or timeout; returns the last value."""
    end = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() >= end:
            return v
        time.sleep(step)


# ---- the API through grpcio ----------------------------------------------------------

class Api:
    """One channel; calls by method name; records mutating calls for the
    audit check as (identity, path, code)."""

    def __init__(self, t, target, creds=None, identity="", audit=None):
        self.t = t
        opts = [("grpc.max_send_message_length", 64 << 20),
                ("grpc.max_receive_message_length", 64 << 20)]
        if creds is None:
            self.ch = grpc.insecure_channel(target, options=opts)
        else:
            opts.append(("grpc.ssl_target_name_override", "localhost"))
            self.ch = grpc.secure_channel(target, creds, options=opts)
        self.identity = identity
        self.audit = audit

    def close(self):
        self.ch.close()

    def _type(self, name):
        if name.startswith("config."):
            return getattr(self.t.C, name[7:])
        return getattr(self.t.A, name)

    def _record(self, method, code, audited):
        if audited and method in MUTATING and self.audit is not None:
            self.audit.append((self.identity, "/fhswitch.v1." + method, code))

    def call(self, method, req=None, timeout=15, audited=True):
        rq, rs = METHODS[method]
        if req is None:
            req = self._type(rq)()
        fn = self.ch.unary_unary("/fhswitch.v1." + method,
                                 request_serializer=req.SerializeToString,
                                 response_deserializer=self._type(rs).FromString)
        try:
            r = fn(req, timeout=timeout)
        except grpc.RpcError as e:
            self._record(method, e.code().value[0], audited)
            raise
        self._record(method, 0, audited)
        return r

    def expect(self, method, req, code, contains=None, audited=True, timeout=15):
        """The call fails with code (and contains in the details): the details."""
        try:
            self.call(method, req, timeout=timeout, audited=audited)
        except grpc.RpcError as e:
            check(e.code() == code, "%s: got %s (%s), want %s" %
                  (method, e.code().name, e.details(), code.name))
            for c in ([contains] if isinstance(contains, str) else contains or []):
                check(c in (e.details() or ""), "%s: details %r lack %r" %
                      (method, e.details(), c))
            return e.details()
        raise Failure("%s: succeeded, want %s" % (method, code.name))

    def raw(self, path, data, timeout=15):
        """Bytes in, bytes out: (code, details)."""
        fn = self.ch.unary_unary(path, request_serializer=ident, response_deserializer=ident)
        try:
            fn(data, timeout=timeout)
            return SC.OK, ""
        except grpc.RpcError as e:
            return e.code(), e.details() or ""

    def watch(self, req, timeout=15):
        fn = self.ch.unary_stream("/fhswitch.v1.CountersService/Watch",
                                  request_serializer=req.SerializeToString,
                                  response_deserializer=self.t.A.Counters.FromString)
        return fn(req, timeout=timeout)

    def health(self, service="", timeout=5):
        H = self.t.H
        fn = self.ch.unary_unary("/grpc.health.v1.Health/Check",
                                 request_serializer=H.HealthCheckRequest.SerializeToString,
                                 response_deserializer=H.HealthCheckResponse.FromString)
        return fn(H.HealthCheckRequest(service=service), timeout=timeout).status

    def health_watch(self, timeout):
        H = self.t.H
        fn = self.ch.unary_stream("/grpc.health.v1.Health/Watch",
                                  request_serializer=H.HealthCheckRequest.SerializeToString,
                                  response_deserializer=H.HealthCheckResponse.FromString)
        return fn(H.HealthCheckRequest(service=""), timeout=timeout)

    # shorthands
    def get(self):
        return self.call("Config/Get")

    def counters(self, flows=()):
        return self.call("CountersService/Get", self.t.A.GetCountersRequest(flows=list(flows)))

    def flow_rx(self, name):
        return self.counters([name]).flows[0].rx_total

    def port_rx(self):
        c = self.counters(["a2b"])
        return sum(p.rx_packets for p in c.ports), c.timestamp_ns

    def rate(self, secs):
        """Packets/s received by all ports over secs, from the counters."""
        a, ta = self.port_rx()
        time.sleep(secs)
        b, tb = self.port_rx()
        return (b - a) * 1e9 / max(tb - ta, 1)


# ---- fhswd ------------------------------------------------------------------------------

def die_with_parent():
    """In the child: SIGKILL when the test dies, however it dies."""
    import ctypes
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Fhswd:
    seq = 0
    running = set()

    def __init__(self, t, name, cfg, extra=(), inject=True, tls=None):
        self.t, self.name, self.cfg = t, name, cfg
        self.extra, self.inject, self.tls = list(extra), inject, tls
        self.proc = None

    def start(self, timeout=30):
        Fhswd.seq += 1
        self.prefix = "fhapi%d-%d" % (os.getpid(), Fhswd.seq)
        self.port = free_port()
        self.addr = "127.0.0.1:%d" % self.port
        self.errpath = os.path.join(self.t.work, "%s-%d.stderr" % (self.name, Fhswd.seq))
        args = [self.t.fhswd, "--no-huge", "-m", "128", "--no-pci", "--file-prefix",
                self.prefix, "-l", "0", "--log-level=error", "--vdev", "net_ring0",
                "--vdev", "net_ring1", "--", "--config", self.cfg, "--grpc", self.addr]
        if self.inject:
            args += ["--inject", "%s:A:16" % self.t.pcap]
        if self.tls:
            args += ["--tls", self.tls]
        args += self.extra
        self.err = open(self.errpath, "wb")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.err,
                                     stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        Fhswd.running.add(self)
        # ready when the port accepts and health says SERVING (mTLS: any
        # client certificate will do).  A channel is made only once the
        # port is open: one that met a refused connection waits out gRPC's
        # reconnect backoff (seconds).
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited %d at start:\n%s" % (
                    self.name, self.proc.returncode, self.stderr()))
            if time.monotonic() - t0 > timeout:
                self.kill9()
                raise RuntimeError("%s not serving after %ds:\n%s" % (
                    self.name, timeout, self.stderr()))
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.5).close()
                probe = Api(self.t, self.addr, creds=self.t.probe_creds if self.tls else None)
                try:
                    if probe.health(timeout=2) == self.t.H.HealthCheckResponse.SERVING:
                        break
                finally:
                    probe.close()
            except (OSError, grpc.RpcError):
                pass
            time.sleep(0.02)
        self.start_s = time.monotonic() - t0
        return self

    def api(self, **kw):
        return Api(self.t, self.addr, **kw)

    def stderr(self):
        self.err.flush()
        return read(self.errpath).decode(errors="replace")

    def _cleanup(self):
        Fhswd.running.discard(self)
        self.err.close()
        d = os.path.join("/var/run/dpdk", self.prefix)  # this run's own EAL files
        if os.path.isdir(d):
            shutil.rmtree(d, ignore_errors=True)

    def stop(self, timeout=20):
        """SIGTERM: (exit code, seconds)."""
        if self.proc is None:
            return None, 0
        t0 = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = "hung on SIGTERM"
        self.proc = None
        self._cleanup()
        return rc, time.monotonic() - t0

    def kill9(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            self._cleanup()


# ---- configs ----------------------------------------------------------------------------

def flow(C, name, in_port, out, plane=None, eaxc=None, **action):
    m = C.FlowMatch(in_port=in_port, plane=plane if plane is not None else C.PLANE_U)
    if eaxc is not None:
        m.eaxc_id, m.eaxc_mask = eaxc, 0xFFFF
    return C.Flow(name=name, match=m, action=C.FlowAction(out_ports=[out], **action))


def base_cfg(C, name="api", extra=(), mgmt=None):
    """A and B on the ring vdevs, U-plane A->B and B->A: injected
    traffic goes round for ever."""
    c = C.SwitchConfig(name=name,
                       ports=[C.Port(name="A", device="net_ring0"),
                              C.Port(name="B", device="net_ring1")],
                       flows=[flow(C, "a2b", "A", "B"), flow(C, "b2a", "B", "A")] + list(extra))
    if mgmt:
        c.mgmt.CopyFrom(mgmt)
    return c


def write_cfg(path, cfg):
    from google.protobuf import json_format
    with open(path, "w") as f:
        f.write(json_format.MessageToJson(cfg, preserving_proto_field_name=True))


def file_cfg(t, path):
    """The config file: must be valid JSON and a SwitchConfig."""
    from google.protobuf import json_format
    text = read(path).decode()
    json.loads(text)
    return json_format.Parse(text, t.C.SwitchConfig())


# ---- the test context --------------------------------------------------------------------

class T(Results):
    def __init__(self, a):
        super().__init__(KNOWN_BUGS, a.strict)
        self.fhswd, self.fhctl = a.fhswd, a.fhctl
        self.work = a.workdir
        self.A, self.C, self.H = gen_pb2(a.proto_dir, os.path.join(self.work, "py"))
        self.proto_dir = a.proto_dir
        self.python_dir = os.path.abspath(a.python_dir) if a.python_dir else None
        self.pcap = os.path.join(self.work, "u.pcap")
        subprocess.run([self.fhctl, "gen", "--out", self.pcap, "--eaxc", "2", "--prbs", "2",
                        "--slots", "1", "--direction", "dl", "--from", "du"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.probe_creds = None


def measure(what):
    print("MEASURE %s" % what, flush=True)


# ---- the main switch: every RPC, every status ---------------------------------------------

def main_tests(t, srv, audit):
    A, C, H = t.A, t.C, t.H
    api = srv.api(audit=audit)
    startup = file_cfg(t, srv.cfg)
    tests = []

    def test(fn):
        tests.append(fn)
        return fn

    def current():
        g = api.get()
        return g.config, g.version

    def on_disk():
        return file_cfg(t, srv.cfg)

    @test
    def health_check_serving():
        check(api.health("") == H.HealthCheckResponse.SERVING, "Check('') not SERVING")
        check(api.health("fhswitch.v1.Config") == H.HealthCheckResponse.SERVING,
              "Check(fhswitch.v1.Config)")
        try:
            api.health("no.such.Service")
            raise Failure("Check(unknown) succeeded")
        except grpc.RpcError as e:
            check(e.code() == SC.NOT_FOUND, "Check(unknown): %s" % e.code())

    @test
    def system_get_version():
        v = api.call("System/GetVersion")
        check(v.version and v.backend == "dpdk", "version %r backend %r" % (v.version, v.backend))
        check(0 < v.uptime_s < 600, "uptime %r" % v.uptime_s)
        check(v.config_version == 1 == api.get().version, "config_version %d" % v.config_version)

    @test
    def system_get_capabilities():
        c = api.call("System/GetCapabilities")
        check(c.backend == "dpdk", "backend %r" % c.backend)
        check(c.match_eaxc and c.match_plane and c.act_replicate and c.window_check,
              "dpdk capabilities %s" % c)
        check(c.max_ports >= 2 and c.max_flows >= 1000, "limits %d ports %d flows" %
              (c.max_ports, c.max_flows))
        check(c.act_set_mac and list(c.unsupported_counters) == [],
              "dpdk counts every counter: %s" % c)

    @test
    def ports_list_and_get():
        ps = api.call("Ports/List").ports
        check([p.name for p in ps] == ["A", "B"], "ports %r" % [p.name for p in ps])
        p = api.call("Ports/Get", A.GetPortRequest(name="B"))
        check(p == startup.ports[1], "Ports.Get(B) %s" % p)
        api.expect("Ports/Get", A.GetPortRequest(name="Z"), SC.NOT_FOUND, ["name", '"Z"'])

    @test
    def flows_list_and_get():
        fs = api.call("Flows/List").flows
        check(list(fs) == list(startup.flows), "flows %s" % fs)
        f = api.call("Flows/Get", A.GetFlowRequest(name="b2a"))
        check(f == startup.flows[1], "Flows.Get(b2a) %s" % f)
        api.expect("Flows/Get", A.GetFlowRequest(name="nope"), SC.NOT_FOUND, ["name", "nope"])

    @test
    def flows_status():
        r = api.call("Flows/Status")
        check(r.backend == "dpdk", "backend %r" % r.backend)
        check([f.name for f in r.flows] == [f.name for f in startup.flows],
              "status of every flow, in order: %s" % r)
        for f in r.flows:
            check(f.rules == 1 and f.rules_in_hw == 0 and not f.in_hw and
                  f.detail.startswith("software: DPDK"), "dpdk flow status %s" % f)
        one = api.call("Flows/Status", A.FlowStatusRequest(names=["b2a"]))
        check([f.name for f in one.flows] == ["b2a"], "one flow %s" % one)
        api.expect("Flows/Status", A.FlowStatusRequest(names=["b2a", "nope"]),
                   SC.NOT_FOUND, ["names[1]", '"nope"'])
        c = api.counters()
        # dpdk counts everything; a flow without a window has no timing
        # counters (n/a, not 0)
        for f in c.flows:
            cf = next(x for x in startup.flows if x.name == f.name)
            want = ([] if cf.HasField("window") else
                    ["rx_on_time", "rx_early", "rx_late", "rx_late_local"])
            check(list(f.unsupported) == want,
                  "dpdk flow %s: unsupported %s, expected %s"
                  % (f.name, list(f.unsupported), want))

    @test
    def config_get():
        g = api.get()
        check(g.version == 1 and not g.pending_confirm and g.confirm_remaining_s == 0,
              "version %d pending %s" % (g.version, g.pending_confirm))
        check(g.config == startup, "Config.Get differs from the startup file:\n%s" % g.config)

    @test
    def config_validate():
        good = base_cfg(C, "candidate", [flow(C, "c1", "A", "B", plane=C.PLANE_C)])
        r = api.call("Config/Validate", A.ValidateRequest(config=good))
        check(r.valid and not r.errors, "valid config judged %s" % r)
        bad = base_cfg(C, "candidate", [flow(C, "c1", "A", "B", plane=C.PLANE_C)])
        bad.flows[2].match.vlan_id = 5000
        r = api.call("Config/Validate", A.ValidateRequest(config=bad))
        check(not r.valid and len(r.errors) == 1, "invalid config judged %s" % r)
        check(r.errors[0].path == "flows[2].match.vlan_id" and "5000" in r.errors[0].message,
              "error %s" % r.errors[0])
        bad = base_cfg(C)
        bad.flows[0].action.out_ports[0] = "Q"
        r = api.call("Config/Validate", A.ValidateRequest(config=bad))
        check(not r.valid and r.errors[0].path == "flows[0].action.out_ports[0]",
              "unknown out port: %s" % r)
        # every error, each with its path, not just the first
        bad = base_cfg(C, "candidate", [flow(C, "c1", "A", "B", plane=C.PLANE_C)])
        bad.eaxc_layout.du_port_bits = 5
        bad.flows[0].action.out_ports[0] = "Q"
        bad.flows[2].match.vlan_id = 5000
        r = api.call("Config/Validate", A.ValidateRequest(config=bad))
        paths = [e.path for e in r.errors]
        check(not r.valid and paths == ["eaxc_layout", "flows[0].action.out_ports[0]",
                                        "flows[2].match.vlan_id"],
              "all errors: %s" % [(e.path, e.message) for e in r.errors])
        api.expect("Config/Validate", A.ValidateRequest(), SC.INVALID_ARGUMENT, "config")
        check(api.get().version == 1, "Validate changed the version")

    @test
    def config_commit_whole():
        cfg, v = current()
        new = base_cfg(C, "api-v2", [flow(C, "cpl", "A", "B", plane=C.PLANE_C)])
        r = api.call("Config/Commit", A.CommitRequest(config=new, expected_version=v,
                                                      comment="whole"))
        check(r.version == v + 1, "version %d after %d" % (r.version, v))
        g = api.get()
        check(g.config == new and g.version == v + 1, "Get after a whole commit")
        check(on_disk() == new, "the file is not the committed config")
        lv = api.call("Config/ListVersions").versions
        check(lv[0].version == v + 1 and lv[0].comment == "whole", "ListVersions[0] %s" % lv[0])

    @test
    def config_commit_patch():
        cfg, v = current()
        p = A.ConfigPatch(upsert_flows=[flow(C, "p1", "B", "A", plane=C.PLANE_C)],
                          delete_flows=["cpl"],
                          upsert_ports=[C.Port(name="B", device="net_ring1", mtu=9000)])
        r = api.call("Config/Commit", A.CommitRequest(patch=p, expected_version=v))
        check(r.version == v + 1, "patch version %d" % r.version)
        g = api.get()
        check([f.name for f in g.config.flows] == ["a2b", "b2a", "p1"],
              "flows after patch %r" % [f.name for f in g.config.flows])
        check(api.call("Ports/Get", A.GetPortRequest(name="B")).mtu == 9000, "port B mtu")
        check(g.config.name == "api-v2", "name %r" % g.config.name)
        check(on_disk() == g.config, "the file is not the patched config")
        # upserting an existing flow replaces it
        up = flow(C, "p1", "B", "A", plane=C.PLANE_C, set_pcp=3)
        api.call("Config/Commit", A.CommitRequest(patch=A.ConfigPatch(upsert_flows=[up])))
        check(api.call("Flows/Get", A.GetFlowRequest(name="p1")) == up, "upsert replaced")

    @test
    def config_commit_errors_change_nothing():
        cfg, v = current()
        disk = on_disk()
        api.expect("Config/Commit", A.CommitRequest(), SC.INVALID_ARGUMENT, "change")
        bad = base_cfg(C, "bad")
        bad.flows[1].match.eaxc_mask = 70000
        api.expect("Config/Commit", A.CommitRequest(config=bad), SC.INVALID_ARGUMENT,
                   "flows[1].match.eaxc_mask")
        api.expect("Config/Commit", A.CommitRequest(config=C.SwitchConfig(name="empty")),
                   SC.INVALID_ARGUMENT, "ports")
        api.expect("Config/Commit",
                   A.CommitRequest(patch=A.ConfigPatch(delete_flows=["a2b", "nope"])),
                   SC.NOT_FOUND, "patch.delete_flows[1]")
        api.expect("Config/Commit", A.CommitRequest(patch=A.ConfigPatch(delete_ports=["Z"])),
                   SC.NOT_FOUND, "patch.delete_ports[0]")
        # a port that flows still use
        api.expect("Config/Commit", A.CommitRequest(patch=A.ConfigPatch(delete_ports=["A"])),
                   SC.INVALID_ARGUMENT, ["in_port", '"A"'])
        api.expect("Config/Commit", A.CommitRequest(patch=A.ConfigPatch(), confirm_timeout_s=3601),
                   SC.INVALID_ARGUMENT, "confirm_timeout_s")
        api.expect("Config/Commit", A.CommitRequest(patch=A.ConfigPatch(), expected_version=v - 1),
                   SC.ABORTED, "expected_version")
        api.expect("Config/Commit", A.CommitRequest(patch=A.ConfigPatch(), expected_version=v + 7),
                   SC.ABORTED, "expected_version")
        sd = base_cfg(C, "sd")
        sd.hal.backend = "switchdev"
        api.expect("Config/Commit", A.CommitRequest(config=sd), SC.FAILED_PRECONDITION,
                   "hal.backend")
        # the DPDK backend cannot add ports while running
        p = A.ConfigPatch(upsert_ports=[C.Port(name="C", device="net_ring9")])
        api.expect("Config/Commit", A.CommitRequest(patch=p), SC.FAILED_PRECONDITION, "ports")
        api.expect("Config/Confirm", A.ConfirmRequest(), SC.FAILED_PRECONDITION, "no confirmed")
        g = api.get()
        check(g.version == v and g.config == cfg, "a refused commit changed the config")
        check(on_disk() == disk, "a refused commit changed the file")

    @test
    def flows_add_update_delete():
        cfg, v = current()
        f = flow(C, "crud", "A", "B", plane=C.PLANE_C, eaxc=3)
        r = api.call("Flows/Add", A.FlowChangeRequest(flow=f, expected_version=v))
        check(r.version == v + 1, "Add version %d" % r.version)
        check(api.call("Flows/Get", A.GetFlowRequest(name="crud")) == f, "Get after Add")
        api.expect("Flows/Add", A.FlowChangeRequest(flow=f), SC.ALREADY_EXISTS,
                   ["flow.name", "crud"])
        api.expect("Flows/Add", A.FlowChangeRequest(flow=flow(C, "x", "A", "B"),
                                                    expected_version=v), SC.ABORTED,
                   "expected_version")
        api.expect("Flows/Add", A.FlowChangeRequest(), SC.INVALID_ARGUMENT, "flow")
        api.expect("Flows/Add", A.FlowChangeRequest(flow=flow(C, "", "A", "B")),
                   SC.INVALID_ARGUMENT, "flow.name")
        api.expect("Flows/Add", A.FlowChangeRequest(flow=flow(C, "bad", "Z", "B")),
                   SC.INVALID_ARGUMENT, ["flow.match.in_port", '"Z"'])
        # same specificity as crud on the same packets: a tie
        api.expect("Flows/Add", A.FlowChangeRequest(flow=flow(C, "tie", "A", "A",
                                                              plane=C.PLANE_C, eaxc=3)),
                   SC.INVALID_ARGUMENT, "flow: overlaps flows[")
        u = flow(C, "crud", "A", "B", plane=C.PLANE_C, eaxc=3, set_pcp=5, set_vlan_id=100)
        r2 = api.call("Flows/Update", A.FlowChangeRequest(flow=u, expected_version=r.version))
        check(r2.version == r.version + 1, "Update version")
        check(api.call("Flows/Get", A.GetFlowRequest(name="crud")) == u, "Get after Update")
        api.expect("Flows/Update", A.FlowChangeRequest(flow=flow(C, "nope", "A", "B")),
                   SC.NOT_FOUND, ["flow.name", "nope"])
        api.expect("Flows/Update", A.FlowChangeRequest(flow=u, expected_version=r.version),
                   SC.ABORTED)
        api.expect("Flows/Delete", A.DeleteFlowRequest(name="crud", expected_version=1),
                   SC.ABORTED)
        r3 = api.call("Flows/Delete", A.DeleteFlowRequest(name="crud"))
        check(r3.version == r2.version + 1, "Delete version")
        api.expect("Flows/Get", A.GetFlowRequest(name="crud"), SC.NOT_FOUND)
        api.expect("Flows/Delete", A.DeleteFlowRequest(name="crud"), SC.NOT_FOUND, "name")
        api.expect("Flows/Delete", A.DeleteFlowRequest(), SC.INVALID_ARGUMENT, "name")
        check(on_disk() == api.get().config, "file after flow changes")
        lv = api.call("Config/ListVersions").versions
        check([x.comment for x in lv[:3]] == ["flow delete crud", "flow update crud",
                                             "flow add crud"], "comments %r" %
              [x.comment for x in lv[:3]])

    @test
    def list_versions_and_rollback():
        cfg, v = current()
        lv = api.call("Config/ListVersions").versions
        vs = [x.version for x in lv]
        check(vs == sorted(vs, reverse=True) and vs[0] == v, "not newest first: %r" % vs)
        check(lv[-1].version == 1 and lv[-1].identity == "startup", "oldest %s" % lv[-1])
        check(all(x.committed_unix_s > 1.6e9 for x in lv), "committed_unix_s")
        r = api.call("Config/Rollback", A.RollbackRequest(to_version=1))
        check(r.version == v + 1, "a rollback is a commit: %d" % r.version)
        g = api.get()
        check(g.config == startup and g.version == v + 1, "Rollback(1) did not restore startup")
        check(on_disk() == startup, "file after rollback")
        check(api.call("Config/ListVersions").versions[0].comment == "rollback to 1",
              "rollback comment")
        api.expect("Config/Rollback", A.RollbackRequest(to_version=99999), SC.NOT_FOUND,
                   "to_version")
        api.expect("Config/Rollback", A.RollbackRequest(), SC.NOT_FOUND, "to_version")
        # forward again to the version before the rollback
        api.call("Config/Rollback", A.RollbackRequest(to_version=v))
        check(api.get().config == cfg, "Rollback(%d)" % v)
        # the history keeps 16
        for i in range(18):
            api.call("Flows/Update" if i else "Flows/Add",
                     A.FlowChangeRequest(flow=flow(C, "hist", "A", "B", plane=C.PLANE_C,
                                                   eaxc=4, set_pcp=i % 8)))
        lv = api.call("Config/ListVersions").versions
        vs = [x.version for x in lv]
        check(len(vs) == 16 and vs == list(range(vs[0], vs[0] - 16, -1)), "history %r" % vs)
        api.expect("Config/Rollback", A.RollbackRequest(to_version=vs[-1] - 1), SC.NOT_FOUND,
                   "not among the last 16")
        api.call("Config/Rollback", A.RollbackRequest(to_version=vs[-1]))
        api.call("Flows/Delete", A.DeleteFlowRequest(name="hist"))

    @test
    def system_save_config():
        cfg, v = current()
        r = api.call("System/SaveConfig")
        check(r.path == srv.cfg and r.version == v, "SaveConfig %s" % r)
        check(on_disk() == cfg, "file after SaveConfig")

    @test
    def counters_get():
        c1 = api.counters()
        cfg, v = current()
        check([f.name for f in c1.flows] == [f.name for f in cfg.flows], "flows %r" %
              [f.name for f in c1.flows])
        check([p.name for p in c1.ports] == ["A", "B"], "ports")
        check(c1.config_version == v, "config_version %d" % c1.config_version)
        check(abs(c1.timestamp_ns / 1e9 - time.time()) < 5, "timestamp_ns %d" % c1.timestamp_ns)
        time.sleep(0.1)
        c2 = api.counters(["a2b"])
        check([f.name for f in c2.flows] == ["a2b"], "filter")
        check(c2.flows[0].rx_total > c1.flows[0].rx_total and
              c2.ports[0].rx_packets > c1.ports[0].rx_packets, "traffic not counted")
        api.expect("CountersService/Get", A.GetCountersRequest(flows=["a2b", "zz"]),
                   SC.NOT_FOUND, ["flows[1]", "zz"])

    @test
    def counters_watch():
        W = A.WatchCountersRequest
        msgs = list(api.watch(W(interval_ms=100, max_samples=5), timeout=10))
        check(len(msgs) == 5, "%d samples, want 5" % len(msgs))
        # sample k is due k intervals after the first; a late one is
        # followed by an early one, so look at the span
        span = (msgs[-1].timestamp_ns - msgs[0].timestamp_ns) / 1e6
        check(390 <= span <= 1500, "interval 100 ms: 5 samples over %.0f ms" % span)
        rx = [m.flows[0].rx_total for m in msgs]
        check(rx == sorted(rx) and rx[-1] > rx[0], "counters in the stream %r" % rx)
        msgs = list(api.watch(W(interval_ms=20, max_samples=3, flows=["b2a"]), timeout=10))
        check(len(msgs) == 3 and all([f.name for f in m.flows] == ["b2a"] for m in msgs),
              "flows filter")
        # the default interval is 1000 ms
        msgs = list(api.watch(W(max_samples=2), timeout=10))
        gap = (msgs[1].timestamp_ns - msgs[0].timestamp_ns) / 1e6
        check(len(msgs) == 2 and 990 <= gap <= 2500, "default interval: %.0f ms" % gap)
        for iv in (5, 9, 60001):
            try:
                list(api.watch(W(interval_ms=iv), timeout=5))
                raise Failure("interval_ms %d accepted" % iv)
            except grpc.RpcError as e:
                check(e.code() == SC.INVALID_ARGUMENT and "interval_ms" in e.details(),
                      "interval_ms %d: %s %s" % (iv, e.code(), e.details()))
        try:
            list(api.watch(W(flows=["zz"]), timeout=5))
            raise Failure("unknown flow accepted")
        except grpc.RpcError as e:
            check(e.code() == SC.NOT_FOUND and "zz" in e.details(), "unknown flow %s" % e)

    @test
    def counters_watch_client_cancel():
        call = api.watch(A.WatchCountersRequest(interval_ms=10), timeout=30)
        got = 0
        for _ in call:
            got += 1
            if got == 5:
                break
        call.cancel()
        check(call.code() == SC.CANCELLED, "code after cancel %s" % call.code())
        # many at once, cancelled at different points
        calls = [api.watch(A.WatchCountersRequest(interval_ms=10), timeout=30)
                 for _ in range(10)]
        for i, c in enumerate(calls):
            for k, _ in enumerate(c):
                if k >= i % 4:
                    break
            c.cancel()
        msgs = list(api.watch(A.WatchCountersRequest(interval_ms=10, max_samples=2), timeout=5))
        check(len(msgs) == 2, "a new stream after cancels")
        check(api.call("System/GetVersion").backend == "dpdk", "server answers")

    @test
    def counters_watch_flow_deleted_ends_not_found():
        api.call("Flows/Add", A.FlowChangeRequest(flow=flow(C, "wdel", "A", "B",
                                                            plane=C.PLANE_C, eaxc=5)))
        call = api.watch(A.WatchCountersRequest(interval_ms=20, flows=["wdel"]), timeout=10)
        it = iter(call)
        next(it)
        api.call("Flows/Delete", A.DeleteFlowRequest(name="wdel"))
        try:
            for _ in it:
                pass
            raise Failure("stream ended OK")
        except grpc.RpcError as e:
            check(e.code() == SC.NOT_FOUND and "wdel" in e.details(), "%s %s" %
                  (e.code(), e.details()))

    @test
    def unknown_methods_unimplemented():
        for path in ("/fhswitch.v1.Config/Reboot", "/fhswitch.v1.Nope/Get",
                     "/grpc.health.v1.Health/Nope", "/fhswitch.v2.Config/Get"):
            code, details = api.raw(path, b"")
            check(code == SC.UNIMPLEMENTED, "%s: %s %s" % (path, code, details))

    @test
    def concurrent_commits_one_wins():
        n = 8
        apis = [srv.api(audit=audit) for _ in range(n)]
        try:
            for rnd in range(3):
                _, v = current()
                barrier = threading.Barrier(n)

                def one(i):
                    barrier.wait()
                    p = A.ConfigPatch(upsert_flows=[flow(C, "race%d" % i, "A", "B",
                                                         plane=C.PLANE_C, eaxc=100 + i)])
                    try:
                        return apis[i].call("Config/Commit", A.CommitRequest(
                            patch=p, expected_version=v)).version
                    except grpc.RpcError as e:
                        return e.code()
                with concurrent.futures.ThreadPoolExecutor(n) as ex:
                    res = list(ex.map(one, range(n)))
                wins = [r for r in res if isinstance(r, int)]
                check(len(wins) == 1 and wins[0] == v + 1, "round %d: %r" % (rnd, res))
                check(res.count(SC.ABORTED) == n - 1, "round %d: %r" % (rnd, res))
                g = api.get()
                races = [f.name for f in g.config.flows if f.name.startswith("race")]
                check(g.version == v + 1 and len(races) == 1, "round %d: %r" % (rnd, races))
                api.call("Flows/Delete", A.DeleteFlowRequest(name=races[0]))
            # unconditional: all land, each its own version
            barrier = threading.Barrier(n)

            def add(i):
                barrier.wait()
                return apis[i].call("Flows/Add", A.FlowChangeRequest(
                    flow=flow(C, "par%d" % i, "A", "B", plane=C.PLANE_C, eaxc=200 + i))).version
            _, v = current()
            with concurrent.futures.ThreadPoolExecutor(n) as ex:
                vs = sorted(ex.map(add, range(n)))
            check(vs == list(range(v + 1, v + n + 1)), "versions %r" % vs)
            names = {f.name for f in api.get().config.flows}
            check(all("par%d" % i in names for i in range(n)), "flows %r" % names)
            api.call("Config/Commit", A.CommitRequest(patch=A.ConfigPatch(
                delete_flows=["par%d" % i for i in range(n)])))
        finally:
            for a in apis:
                a.close()

    @test
    def confirmed_commit_times_out():
        cfg, v = current()
        disk = on_disk()
        p = A.ConfigPatch(upsert_flows=[flow(C, "tentative", "A", "B", plane=C.PLANE_C, eaxc=6)])
        t0 = time.monotonic()
        r = api.call("Config/Commit", A.CommitRequest(patch=p, confirm_timeout_s=2))
        check(r.version == v + 1, "version %d" % r.version)
        g = api.get()
        check(g.pending_confirm and 1 <= g.confirm_remaining_s <= 2, "pending %s remaining %d"
              % (g.pending_confirm, g.confirm_remaining_s))
        check(any(f.name == "tentative" for f in g.config.flows), "tentative not running")
        check(on_disk() == disk, "the file changed before Confirm")
        # nothing else commits meanwhile
        api.expect("Flows/Add", A.FlowChangeRequest(flow=flow(C, "x", "A", "B", plane=C.PLANE_C,
                                                              eaxc=7)),
                   SC.FAILED_PRECONDITION, "Confirm")
        api.expect("Config/Commit", A.CommitRequest(patch=A.ConfigPatch()),
                   SC.FAILED_PRECONDITION, "Confirm")
        api.expect("System/SaveConfig", None, SC.FAILED_PRECONDITION, "Confirm")
        g = wait_until(lambda: (lambda g: g if not g.pending_confirm else None)(api.get()), 6)
        took = time.monotonic() - t0
        check(g is not None, "still pending after 6 s")
        print("      rolled back %.2f s after the commit" % took)
        check(1.8 <= took <= 4, "rolled back after %.2f s" % took)
        check(g.config == cfg and g.version == v + 2, "after the timeout: version %d, %r" %
              (g.version, [f.name for f in g.config.flows]))
        top = api.call("Config/ListVersions").versions[0]
        check(top.identity == "confirm-timeout" and top.version == v + 2, "history %s" % top)
        check(on_disk() == cfg, "the file after the timeout")

    @test
    def confirmed_commit_confirmed():
        cfg, v = current()
        p = A.ConfigPatch(upsert_flows=[flow(C, "kept", "A", "B", plane=C.PLANE_C, eaxc=8)])
        t0 = time.monotonic()
        r = api.call("Config/Commit", A.CommitRequest(patch=p, confirm_timeout_s=2))
        new = api.get().config
        check(on_disk() == cfg, "the file changed before Confirm")
        c = api.call("Config/Confirm")
        check(c.version == r.version, "Confirm version %d vs %d" % (c.version, r.version))
        check(not api.get().pending_confirm, "still pending after Confirm")
        check(on_disk() == new, "the file lacks the confirmed config")
        api.expect("Config/Confirm", None, SC.FAILED_PRECONDITION)
        time.sleep(max(0, 2.6 - (time.monotonic() - t0)))
        g = api.get()
        check(g.config == new and g.version == r.version, "a confirmed commit was rolled back")
        api.call("Flows/Delete", A.DeleteFlowRequest(name="kept"))

    @test
    def confirmed_commit_settled_by_rollback():
        cfg, v = current()
        p = A.ConfigPatch(upsert_flows=[flow(C, "tent2", "A", "B", plane=C.PLANE_C, eaxc=9)])
        api.call("Config/Commit", A.CommitRequest(patch=p, confirm_timeout_s=30))
        r = api.call("Config/Rollback", A.RollbackRequest(to_version=v))
        g = api.get()
        check(not g.pending_confirm and g.config == cfg and g.version == r.version,
              "rollback while pending: %s" % g.pending_confirm)
        check(on_disk() == cfg, "file")

    @test
    def datapath_follows_commits():
        # eAxC 1 of the circulating U-plane, taken from a2b by a more specific flow
        f = flow(C, "dp", "A", "B", eaxc=1)
        api.call("Flows/Add", A.FlowChangeRequest(flow=f))
        check(wait_until(lambda: api.flow_rx("dp") > 0, 3), "the added flow carries nothing")
        a = api.flow_rx("dp")
        time.sleep(0.2)
        check(api.flow_rx("dp") > a, "the added flow's counters do not increase")
        # moved to an eAxC nobody sends: its counters stop
        api.call("Flows/Update", A.FlowChangeRequest(flow=flow(C, "dp", "A", "B", eaxc=9)))
        time.sleep(0.1)
        a = api.flow_rx("dp")
        time.sleep(0.3)
        b = api.flow_rx("dp")
        check(b == a, "an updated flow still counts %d packets" % (b - a))
        api.call("Flows/Update", A.FlowChangeRequest(flow=f))
        check(wait_until(lambda: api.flow_rx("dp") > b, 3), "updated back: nothing")
        api.call("Flows/Delete", A.DeleteFlowRequest(name="dp"))
        api.expect("CountersService/Get", A.GetCountersRequest(flows=["dp"]), SC.NOT_FOUND)
        check("dp" not in [x.name for x in api.counters().flows], "deleted flow counted")
        a = api.flow_rx("a2b")
        time.sleep(0.2)
        check(api.flow_rx("a2b") > a, "a2b does not forward after the delete")
        check(api.rate(0.3) > 1000, "forwarding stopped")

    @test
    def malformed_requests_matrix():
        cfg, v = current()
        rx0 = api.flow_rx("a2b")
        cases = []  # (label, path, bytes, code, contains)

        def enc(m):
            return m.SerializeToString()

        def add(label, method, data, code, contains=None, audited=True):
            cases.append((label, method, data, code, contains, audited))

        garbage = b"\xff\xff\xff\xff\xff"
        for m in ("Config/Commit", "Config/Validate", "Flows/Add", "Flows/Delete",
                  "CountersService/Get", "Config/Rollback", "System/SaveConfig"):
            add("garbage " + m, m, garbage, SC.INVALID_ARGUMENT, "cannot decode")
        # wrong wire types, truncations, bad tags
        add("config as varint", "Config/Commit", b"\x08\x01", SC.INVALID_ARGUMENT, "cannot decode")
        add("expected_version as bytes", "Config/Commit", b"\x1a\x02ab", SC.INVALID_ARGUMENT,
            "cannot decode")
        add("name as fixed32", "Flows/Get", b"\x0d\x01\x02\x03\x04", SC.INVALID_ARGUMENT,
            "cannot decode")
        add("nested match as varint", "Flows/Add", b"\x0a\x02\x10\x01", SC.INVALID_ARGUMENT,
            "cannot decode")
        add("truncated varint", "Config/Commit", b"\x18\xff", SC.INVALID_ARGUMENT, "cannot decode")
        add("length past the end", "Config/Commit", b"\x0a\x10abc", SC.INVALID_ARGUMENT,
            "cannot decode")
        add("field number 0", "Flows/Get", b"\x00\x01", SC.INVALID_ARGUMENT, "cannot decode")
        add("wire type 7", "Flows/Get", b"\x0f\x01", SC.INVALID_ARGUMENT, "cannot decode")
        add("empty commit", "Config/Commit", b"", SC.INVALID_ARGUMENT, "change")
        add("unknown fields ignored", "System/GetVersion", b"\x08\x01\x12\x01x\xf8\x07\x05",
            SC.OK)
        # out of range values, named by their field
        for label, mut, want in [
                ("vlan 5000", lambda f: setattr(f.match, "vlan_id", 5000), "match.vlan_id"),
                ("eaxc_mask 70000", lambda f: setattr(f.match, "eaxc_mask", 70000),
                 "match.eaxc_mask"),
                ("eaxc_id outside mask", lambda f: (setattr(f.match, "eaxc_id", 3),
                                                    setattr(f.match, "eaxc_mask", 1)),
                 "match.eaxc_id"),
                ("set_pcp 9", lambda f: setattr(f.action, "set_pcp", 9), "action.set_pcp"),
                ("set_vlan_id 4095", lambda f: setattr(f.action, "set_vlan_id", 4095),
                 "action.set_vlan_id"),
                ("set_eaxc_id 70000", lambda f: setattr(f.action, "set_eaxc_id", 70000),
                 "action.set_eaxc_id"),
                ("udp_port 70000", lambda f: setattr(f.match, "udp_port", 70000),
                 "match.udp_port"),
                ("window reversed", lambda f: (setattr(f.window, "earliest_us", 10),
                                               setattr(f.window, "latest_us", -10)), "window"),
                ("window 1e9 us", lambda f: setattr(f.window, "latest_us", 10**9),
                 "window.latest_us"),
                ("bad mac", lambda f: setattr(f.match, "src_mac", "02:00:00:00:00"),
                 "match.src_mac"),
                ("group src mac", lambda f: setattr(f.action, "set_src_mac",
                                                    "ff:ff:ff:ff:ff:ff"), "action.set_src_mac"),
                ("drop and out_ports", lambda f: setattr(f.action, "drop", True), "action"),
                ("name of 100 KB", lambda f: setattr(f, "name", "n" * 100000), "name"),
                ("plane 7", lambda f: setattr(f.match, "plane", 7), "match.plane"),
                ("plane -1", lambda f: setattr(f.match, "plane", -1), "match.plane"),
                ("direction 5", lambda f: setattr(f.match, "direction", 5), "match.direction"),
                ("100k out_ports", lambda f: f.action.out_ports.extend(["B"] * 100000),
                 "action.out_ports"),
                ("duplicate out_port", lambda f: f.action.out_ports.append("B"),
                 "action.out_ports[1]")]:
            f = flow(C, "mal", "A", "B", plane=C.PLANE_C, eaxc=10)
            mut(f)
            add(label, "Flows/Add", enc(A.FlowChangeRequest(flow=f)), SC.INVALID_ARGUMENT, want)
        add("interval_ms 5", "CountersService/Watch",
            enc(A.WatchCountersRequest(interval_ms=5)), SC.INVALID_ARGUMENT, "interval_ms")
        add("confirm_timeout_s 100000", "Config/Commit",
            enc(A.CommitRequest(patch=A.ConfigPatch(), confirm_timeout_s=100000)),
            SC.INVALID_ARGUMENT, "confirm_timeout_s")
        for label, mut, want in [
                ("port role 99", lambda c: setattr(c.ports[0], "role", 99), "ports[0].role"),
                ("access role 9", lambda c: c.mgmt.role_bindings.add(identity="x", role=9),
                 "mgmt.role_bindings[0].role"),
                ("empty identity", lambda c: c.mgmt.role_bindings.add(role=1),
                 "mgmt.role_bindings[0].identity"),
                ("100 role bindings", lambda c: [c.mgmt.role_bindings.add(identity="i%d" % i,
                                                                          role=1)
                                                 for i in range(100)], "mgmt.role_bindings"),
                ("mtu 70000", lambda c: setattr(c.ports[1], "mtu", 70000), "ports[1].mtu"),
                ("native_vlan 4095", lambda c: setattr(c.ports[1], "native_vlan", 4095),
                 "ports[1].native_vlan"),
                ("4094 allowed_vlans", lambda c: c.ports[0].allowed_vlans.extend(
                    range(1, 4095)), "ports[0].allowed_vlans"),
                ("allowed_vlan 0", lambda c: c.ports[0].allowed_vlans.append(0),
                 "ports[0].allowed_vlans[0]"),
                ("port name with /", lambda c: setattr(c.ports[1], "name", "B/1"),
                 "ports[1].name"),
                ("mu 9", lambda c: setattr(c.timing, "mu", 9), "timing.mu"),
                ("layout 40 bits", lambda c: setattr(c.eaxc_layout, "du_port_bits", 40),
                 "eaxc_layout"),
                ("5000 flows", lambda c: c.flows.extend(
                    flow(C, "f%d" % i, "A", "B", plane=C.PLANE_C, eaxc=i) for i in range(5000)),
                 "flows"),
                ("backend bogus", lambda c: setattr(c.hal, "backend", "bogus"), "hal.backend")]:
            c = base_cfg(C, "mal")
            mut(c)
            add(label, "Config/Commit", enc(A.CommitRequest(config=c)), SC.INVALID_ARGUMENT, want)
        add("1M names to delete", "Config/Commit",
            enc(A.CommitRequest(patch=A.ConfigPatch(delete_flows=["q"] * 1000000))),
            SC.NOT_FOUND, "patch.delete_flows[0]")
        add("100k counter names", "CountersService/Get",
            enc(A.GetCountersRequest(flows=["a2b"] * 100000 + ["zz"])), SC.NOT_FOUND,
            "flows[100000]")
        add("100k watch names", "CountersService/Watch",
            enc(A.WatchCountersRequest(flows=["q%d" % i for i in range(100000)])),
            SC.NOT_FOUND, "flows[0]")
        # over the 4 MiB limit: refused by gRPC before any handler (not audited)
        add("5 MiB comment", "Config/Commit", enc(A.CommitRequest(comment="x" * (5 << 20))),
            SC.RESOURCE_EXHAUSTED, None, False)
        add("4 MiB + 1 garbage", "Config/Get", b"\x00" * (MAX_MESSAGE + 1),
            SC.RESOURCE_EXHAUSTED, None, False)
        add("5 MiB of out_ports", "Flows/Add", enc(A.FlowChangeRequest(flow=C.Flow(
            name="big", action=C.FlowAction(out_ports=["port"] * 900000)))),
            SC.RESOURCE_EXHAUSTED, None, False)

        bad = []
        for label, method, data, code, contains, audited in cases:
            path = "/fhswitch.v1." + method
            if method == "CountersService/Watch":
                fn = api.ch.unary_stream(path, request_serializer=ident,
                                         response_deserializer=ident)
                try:
                    list(fn(data, timeout=15))
                    got, details = SC.OK, ""
                except grpc.RpcError as e:
                    got, details = e.code(), e.details() or ""
            else:
                got, details = api.raw(path, data)
            if audited and method in MUTATING:
                audit.append(("", path, got.value[0]))
            if got != code or (contains and contains not in details):
                bad.append("%s: %s %r, want %s %r" % (label, got.name, details[:120],
                                                      code.name, contains))
        print("      %d malformed requests, %d answered otherwise" % (len(cases), len(bad)))
        check(not bad, "\n  ".join([""] + bad))
        g = api.get()
        check(g.version == v and g.config == cfg, "a malformed request changed the config")
        check(api.flow_rx("a2b") > rx0 and api.rate(0.3) > 1000, "forwarding stopped")
        check(api.health() == H.HealthCheckResponse.SERVING, "not serving")

    @test
    def strings_not_utf8_refused():
        # proto3 strings are UTF-8: a flow name, a comment, an identity that
        # are not must be refused, not stored, served and persisted
        cfg, v = current()
        bad = b"\xffPLACEHOLDE"  # as long as PLACEHOLDER: lengths stay right
        wrong = []

        def send(method, msg):
            data = msg.SerializeToString().replace(b"PLACEHOLDER", bad)
            code, details = api.raw("/fhswitch.v1." + method, data)
            audit.append(("", "/fhswitch.v1." + method, code.value[0]))
            return code, details

        def decodes(method):
            try:
                api.call(method)
                return "decodes"
            except grpc.RpcError as e:
                return "fails in the client (%s)" % e.code().name

        # a flow name
        code, _ = send("Flows/Add", A.FlowChangeRequest(
            flow=flow(C, "PLACEHOLDER", "A", "B", plane=C.PLANE_C, eaxc=11)))
        if code != SC.INVALID_ARGUMENT:
            wrong.append("flow name: %s; Config.Get then %s; the file %s the flow" % (
                code.name, decodes("Config/Get"),
                "lacks" if len(on_disk().flows) == len(cfg.flows) else "has"))
            send("Flows/Delete", A.DeleteFlowRequest(name="PLACEHOLDER"))
        # a commit comment (kept in the history)
        code, _ = send("Config/Commit", A.CommitRequest(patch=A.ConfigPatch(),
                                                              comment="PLACEHOLDER"))
        if code != SC.INVALID_ARGUMENT:
            wrong.append("comment: %s; ListVersions then %s" % (
                code.name, decodes("Config/ListVersions")))
            for _ in range(16):  # out of the history again
                api.call("Config/Commit", A.CommitRequest(patch=A.ConfigPatch()))
        # a role binding's identity
        c = C.SwitchConfig()
        c.CopyFrom(cfg)
        c.mgmt.role_bindings.add(identity="PLACEHOLDER", role=C.ACCESS_VIEWER)
        code, _ = send("Config/Commit", A.CommitRequest(config=c))
        if code != SC.INVALID_ARGUMENT:
            wrong.append("identity: %s; the file has %d role bindings" % (
                code.name, len(on_disk().mgmt.role_bindings)))
            api.call("Config/Commit", A.CommitRequest(config=cfg))
        check(not wrong, "accepted:\n  " + "\n  ".join(wrong))
        check(api.get().config == cfg, "config changed")

    @test
    def strings_with_nul_refused():
        # protobuf-c would cut each string at the NUL: "b2a\0x" must not
        # delete b2a, "a\0b" must not commit as "a"; every one is refused
        # with the field's path and nothing changes (issue: red-team pass)
        cfg, v = current()
        names = [f.name for f in cfg.flows]
        check("b2a" in names or names, "no flow to aim at")
        victim = "b2a" if "b2a" in names else names[0]
        wrong = []

        def expect(what, method, msg, field):
            code, details = api.raw("/fhswitch.v1." + method, msg.SerializeToString())
            audit.append(("", "/fhswitch.v1." + method, code.value[0]))
            if code != SC.INVALID_ARGUMENT or not details.startswith(field + ": ") \
                    or "NUL" not in details:
                wrong.append("%s: %s %r (want INVALID_ARGUMENT naming %s)" % (
                    what, code.name, details, field))

        expect("delete", "Flows/Delete", A.DeleteFlowRequest(name=victim + "\0anything"), "name")
        c = C.SwitchConfig()
        c.CopyFrom(cfg)
        c.name = "a\0b"
        expect("config name", "Config/Commit", A.CommitRequest(config=c), "config.name")
        c.CopyFrom(cfg)
        c.ports[len(c.ports) - 1].device = c.ports[len(c.ports) - 1].device + "\0,foo=bar"
        expect("port device", "Config/Commit", A.CommitRequest(config=c),
               "config.ports[%d].device" % (len(c.ports) - 1))
        expect("flow in_port", "Flows/Add", A.FlowChangeRequest(
            flow=flow(C, "nul1", cfg.ports[0].name + "\0junk", cfg.ports[0].name,
                      plane=C.PLANE_C, eaxc=11)), "flow.match.in_port")
        expect("comment", "Config/Commit",
               A.CommitRequest(patch=A.ConfigPatch(), comment="ok\0hidden"), "comment")
        check(not wrong, "\n  ".join([""] + wrong))
        g = api.get()
        check(g.version == v and g.config == cfg, "a request with a NUL changed the config")
        check(victim in [f.name for f in g.config.flows], "flow %s deleted" % victim)

    @test
    def python_package_stubs():
        # the build's Python package: stubs by service, no method paths
        check(t.python_dir is not None, "no --python-dir")
        code = ("import sys, grpc\n"
                "from fhswitch.v1 import api_pb2, api_pb2_grpc\n"
                "ch = grpc.insecure_channel(sys.argv[1])\n"
                "v = api_pb2_grpc.SystemStub(ch).GetVersion(api_pb2.GetVersionRequest(), timeout=10)\n"
                "c = api_pb2_grpc.CountersServiceStub(ch).Get(api_pb2.GetCountersRequest(eaxc=True), timeout=10)\n"
                "print(v.backend, v.config_version, len(c.ports), api_pb2.__file__)\n")
        p = subprocess.run([sys.executable, "-c", code, srv.addr], capture_output=True,
                           text=True, timeout=60,
                           env=dict(os.environ, PYTHONPATH=t.python_dir))
        check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-500:]))
        out = p.stdout.split()
        check(out[0] == "dpdk" and int(out[2]) > 0, "answer %r" % out)
        check(out[3].startswith(t.python_dir), "imported from %s" % out[3])

    @test
    def automation_example():
        # with the build's package (PYTHONPATH), as an installed one is found
        script = os.path.join(REPO, "mgmt", "examples", "automation.py")
        p = subprocess.run([sys.executable, script, "--addr", srv.addr, "--flow", "auto1",
                            "--eaxc", "1", "--samples", "4", "--interval-ms", "200", "--remove",
                            "--proto-dir", "/nonexistent"],
                           capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, PYTHONPATH=t.python_dir or ""))
        print("\n".join("      | " + x for x in p.stdout.splitlines()))
        for x in p.stdout.splitlines():  # its mutations, for the audit check
            if x.startswith("flow auto1 "):
                m = {"added": "Add", "updated": "Update", "removed": "Delete"}[x.split()[2][:-1]]
                audit.append(("", "/fhswitch.v1.Flows/" + m, 0))
        check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr))
        lines = p.stdout.splitlines()
        check(any(x.startswith("flow auto1 added") for x in lines), "no 'added' line")
        check(any(x.startswith("flow auto1 removed") for x in lines), "no 'removed' line")
        hdr = [i for i, x in enumerate(lines) if x.split()[:3] == ["sample", "time_s", "rx_total"]]
        check(len(hdr) == 1, "no table header")
        rows = [x.split() for x in lines[hdr[0] + 1:hdr[0] + 5]]
        check([r[0] for r in rows] == ["1", "2", "3", "4"], "rows %r" % rows)
        rx = [int(r[2]) for r in rows]
        check(rx == sorted(rx) and rx[-1] > rx[0], "rx_total %r" % rx)
        check(float(rows[-1][4]) > 0, "rx_pps %r" % rows[-1][4])
        check("auto1" not in [f.name for f in api.get().config.flows], "flow left behind")

    @test
    def node_reflection_client():
        node = shutil.which("node")
        script = os.path.join(HERE, "node", "reflection_test.js")
        check(node is not None, "node not installed (ci/setup-deps.sh)")
        mods = os.path.join(HERE, "node", "node_modules")
        check(os.path.isdir(os.path.join(mods, "grpc-js-reflection-client")),
              "npm packages missing: npm ci --prefix tests/integration/node (ci/setup-deps.sh)")
        p = subprocess.run([node, script, "--addr", srv.addr], capture_output=True, text=True,
                           timeout=120)
        print("\n".join("      | " + x for x in p.stdout.splitlines()))
        check(p.returncode == 0, "exit %d:\n%s" % (p.returncode, p.stderr[-2000:]))
        check("rpc Commit(fhswitch.v1.CommitRequest) returns (fhswitch.v1.CommitResponse)"
              in p.stdout, "no description of Commit")
        check(p.stdout.rstrip().endswith(" failed") and " 0 failed" in p.stdout, "summary")

    @test
    def restart_keeps_committed_config():
        new = base_cfg(C, "api-persist", [flow(C, "persist-me", "A", "B", plane=C.PLANE_C)])
        v_new = api.call("Config/Commit", A.CommitRequest(config=new,
                                                          comment="before restart")).version
        # not confirmed when fhswd stops: the restart comes back without it
        api.call("Config/Commit", A.CommitRequest(
            patch=A.ConfigPatch(upsert_flows=[flow(C, "unconfirmed", "A", "B",
                                                   plane=C.PLANE_C, eaxc=12)]),
            confirm_timeout_s=60))
        rc, took = srv.stop()
        print("      SIGTERM: exit %s in %.2f s" % (rc, took))
        check(rc == 0, "exit %s on SIGTERM:\n%s" % (rc, read(srv.errpath).decode()[-2000:]))
        check(on_disk() == new, "file after stop")
        srv.start()
        print("      restarted in %.2f s" % srv.start_s)
        api.ch.close()
        api.ch = Api(t, srv.addr).ch
        g = api.get()
        check(g.config == new, "after restart: %s" % g.config)
        # versions go on where the file was written (not the unconfirmed one)
        check(g.version == v_new, "version after restart %d, want %d" % (g.version, v_new))
        check(wait_until(lambda: api.rate(0.2) > 1000, 3), "no forwarding after restart")
        # back to the plain config for what follows; the version read before
        # the restart still guards the commit
        api.expect("Config/Commit", A.CommitRequest(config=base_cfg(C),
                                                    expected_version=v_new - 1),
                   SC.ABORTED, "expected_version")
        r = api.call("Config/Commit", A.CommitRequest(config=base_cfg(C),
                                                      expected_version=v_new))
        check(r.version == v_new + 1, "commit after restart: version %d" % r.version)
        # a file edited while fhswd was down is a new version
        rc, _ = srv.stop()
        edited = base_cfg(C, "edited-by-hand")
        write_cfg(srv.cfg, edited)
        srv.start()
        api.ch.close()
        api.ch = Api(t, srv.addr).ch
        g = api.get()
        check(g.config == edited and g.version == v_new + 2,
              "hand-edited file: version %d, want %d" % (g.version, v_new + 2))
        # a SIGHUP reload of an edited file is a version too, kept by a restart
        reloaded = base_cfg(C, "reloaded-on-sighup")
        write_cfg(srv.cfg, reloaded)
        srv.proc.send_signal(signal.SIGHUP)
        check(wait_until(lambda: api.get().config.name == "reloaded-on-sighup", 5),
              "SIGHUP reload not applied")
        v_hup = api.get().version
        check(v_hup == v_new + 3, "version after SIGHUP %d, want %d" % (v_hup, v_new + 3))
        srv.stop()
        srv.start()
        api.ch.close()
        api.ch = Api(t, srv.addr).ch
        g = api.get()
        check(g.config == reloaded and g.version == v_hup,
              "restart after SIGHUP: version %d, want %d" % (g.version, v_hup))
        api.call("Config/Commit", A.CommitRequest(config=base_cfg(C)))

    return tests, api


# ---- figures: printed, never asserted -------------------------------------------------------

def measurement_tests(t, srv, api):
    A, C = t.A, t.C
    tests = []

    def test(fn):
        tests.append(fn)
        return fn

    @test
    def measure_commit_to_effect():
        lat, rpc = [], []
        for i in range(20):
            name = "lat%d" % i
            t0 = time.perf_counter()
            api.call("Flows/Add", A.FlowChangeRequest(flow=flow(C, name, "A", "B", eaxc=1)))
            t1 = time.perf_counter()
            while api.counters([name]).flows[0].rx_total == 0:
                if time.perf_counter() - t0 > 5:
                    raise Failure("%s carried nothing in 5 s" % name)
            t2 = time.perf_counter()
            rpc.append((t1 - t0) * 1e3)
            lat.append((t2 - t0) * 1e3)
            api.call("Flows/Delete", A.DeleteFlowRequest(name=name))
        measure("commit-to-effect (Flows.Add sent -> the new flow's counters > 0), 20 runs: "
                "median %.2f ms, min %.2f, max %.2f; the Add RPC alone: median %.2f ms" %
                (statistics.median(lat), min(lat), max(lat), statistics.median(rpc)))

    @test
    def measure_watch_overhead_1000_flows():
        extra = [flow(C, "x%04d" % i, "A", "B", eaxc=1000 + i) for i in range(1000)]
        api.call("Config/Commit", A.CommitRequest(config=base_cfg(C, "api-1000", extra)))
        check(len(api.counters().flows) == 1002, "1002 flows")
        time.sleep(0.3)
        base = api.rate(3.0)
        stop = threading.Event()
        got = {"n": 0, "bytes": 0, "err": None}
        call = api.watch(A.WatchCountersRequest(interval_ms=100), timeout=60)

        def consume():
            try:
                for m in call:
                    got["n"] += 1
                    got["bytes"] += m.ByteSize()
                    if stop.is_set():
                        break
            except grpc.RpcError as e:
                if e.code() != SC.CANCELLED:
                    got["err"] = e
        th = threading.Thread(target=consume)
        th.start()
        time.sleep(0.5)
        n0 = got["n"]
        t0 = time.monotonic()
        watched = api.rate(3.0)
        samples = got["n"] - n0
        secs = time.monotonic() - t0
        stop.set()
        call.cancel()
        th.join(10)
        check(got["err"] is None, "watch failed: %s" % got["err"])
        check(samples >= 10, "the watcher got %d samples in 3 s" % samples)
        time.sleep(0.2)
        after = api.rate(3.0)
        measure("forwarding with 1002 flows: %.2f Mpps without a watcher (%.2f before, %.2f "
                "after), %.2f Mpps with Counters.Watch at 10 Hz on all flows (%.1f samples/s, "
                "%.0f KB each); ratio %.3f" % (
                    (base + after) / 2e6, base / 1e6, after / 1e6, watched / 1e6,
                    samples / secs, got["bytes"] / max(got["n"], 1) / 1e3,
                    watched * 2 / (base + after)))
        api.call("Config/Commit", A.CommitRequest(config=base_cfg(C)))

    @test
    def health_not_serving_when_stopping():
        H = t.H
        call = api.health_watch(timeout=30)
        it = iter(call)
        first = next(it).status
        check(first == H.HealthCheckResponse.SERVING, "first %d" % first)
        seen = []
        done = threading.Event()

        def rest():
            try:
                for m in it:
                    seen.append(H.HealthCheckResponse.ServingStatus.Name(m.status))
                seen.append("end OK")
            except grpc.RpcError as e:
                seen.append("end " + e.code().name)
            done.set()
        th = threading.Thread(target=rest)
        th.start()
        rc, took = srv.stop()
        check(done.wait(10), "the health watch did not end")
        th.join()
        print("      health watch while stopping: %s; exit %s in %.2f s" % (seen, rc, took))
        check(rc == 0, "exit %s on SIGTERM" % rc)
        check(seen[-1] in ("end UNAVAILABLE", "end OK", "end CANCELLED"), "ended %r" % seen)

    return tests


# ---- kill -9 during commits -----------------------------------------------------------------

def kill9_tests(t, rounds):
    A, C = t.A, t.C
    cfg_path = os.path.join(t.work, "k9.json")
    first = base_cfg(C, "k9-start")
    write_cfg(cfg_path, first)

    def k9_config(rnd, i):
        # sizes differ from one commit to the next: a torn file shows
        extra = [flow(C, "k9-%d-%d" % (i, k), "A", "B", plane=C.PLANE_C, eaxc=k + 1)
                 for k in range(i % 9)]
        return base_cfg(C, "k9-r%d-c%d" % (rnd, i), extra)

    def kill9_during_commits():
        durable = first  # the last config a commit was acknowledged for
        stats = []
        for rnd in range(rounds):
            # a stale temporary file from an earlier crash must do no harm
            with open(cfg_path + ".tmp", "w") as f:
                f.write('{"name": "torn", "ports": [')
            srv = Fhswd(t, "k9", cfg_path, inject=False).start()
            api = srv.api()
            g = api.get()
            check(g.config == durable, "round %d: restart did not load the last durable "
                  "config: %s" % (rnd, g.config.name))
            attempted, acked = [], []
            stop = threading.Event()

            def loop():
                i = 0
                while not stop.is_set():
                    c = k9_config(rnd, i)
                    attempted.append(c)
                    try:
                        api.call("Config/Commit", A.CommitRequest(config=c), timeout=5)
                    except grpc.RpcError:
                        return
                    acked.append(c)
                    i += 1
            th = threading.Thread(target=loop)
            th.start()
            time.sleep(random.uniform(0.1, 0.6))
            srv.kill9()
            stop.set()
            th.join(10)
            api.close()
            tmp_left = os.path.exists(cfg_path + ".tmp")
            try:
                on_disk = file_cfg(t, cfg_path)
            except Exception as e:  # noqa: BLE001
                raise Failure("round %d: the file is not a valid config: %s" % (rnd, e))
            last = acked[-1] if acked else durable
            inflight = attempted[len(acked)] if len(attempted) > len(acked) else None
            if on_disk == last:
                which = "last acknowledged"
            elif inflight is not None and on_disk == inflight:
                which = "in-flight commit"
            else:
                raise Failure("round %d: the file (%s) is neither the last acknowledged "
                              "commit (%s) nor the one in flight" % (
                                  rnd, on_disk.name, last.name))
            stats.append("%d commits, file = %s%s" % (len(acked), which,
                                                      ", .tmp left" if tmp_left else ""))
            durable = on_disk
        print("      " + "\n      ".join("round %d: %s" % x for x in enumerate(stats)))
        # and a clean restart from what the last kill left
        srv = Fhswd(t, "k9", cfg_path, inject=False).start()
        api = srv.api()
        try:
            check(api.get().config == durable, "final restart")
            api.call("Flows/Add", A.FlowChangeRequest(flow=flow(C, "after", "A", "B",
                                                                plane=C.PLANE_C)))
            check(file_cfg(t, cfg_path).flows[-1].name == "after", "commit after the crashes")
        finally:
            api.close()
            rc, _ = srv.stop()
        check(rc == 0, "exit %s" % rc)

    return [kill9_during_commits]


# ---- mTLS: roles from the client certificate, the audit log --------------------------------

def tls_tests(t):
    A, C, H = t.A, t.C, t.H
    certs = os.path.join(t.work, "certs")
    os.makedirs(certs, exist_ok=True)
    make_ca(certs, "ca")
    serial = int(time.time()) % 10**6 * 100
    make_leaf(certs, "ca", "server", "localhost", ["DNS:localhost", "IP:127.0.0.1"],
              "serverAuth", serial + 1)
    for i, cn in enumerate(["admin1", "op1", "view1", "stranger"]):
        make_leaf(certs, "ca", cn, cn, [], "clientAuth", serial + 2 + i)
    ca = read(os.path.join(certs, "ca.pem"))

    def creds(name):
        if name is None:
            return grpc.ssl_channel_credentials(root_certificates=ca)
        return grpc.ssl_channel_credentials(
            root_certificates=ca, private_key=read(os.path.join(certs, name + ".key")),
            certificate_chain=read(os.path.join(certs, name + ".pem")))
    t.probe_creds = creds("stranger")  # health needs no role

    roles = C.Management(role_bindings=[
        C.RoleBinding(identity="admin1", role=C.ACCESS_ADMIN),
        C.RoleBinding(identity="view1", role=C.ACCESS_VIEWER),
        C.RoleBinding(identity="op1", role=C.ACCESS_OPERATOR)])
    cfg_path = os.path.join(t.work, "tls.json")
    write_cfg(cfg_path, base_cfg(C, "api-tls", mgmt=roles))
    audit_path = os.path.join(t.work, "audit-tls.jsonl")
    expected = []
    srv = Fhswd(t, "tls", cfg_path, extra=["--audit", audit_path], inject=False,
                tls=",".join(os.path.join(certs, n) for n in ("ca.pem", "server.pem",
                                                               "server.key")))
    try:
        srv.start()
    except RuntimeError as e:
        t.fail("tls_start", str(e))
        return
    apis = {n: srv.api(creds=creds(n), identity=n, audit=expected)
            for n in ("admin1", "op1", "view1", "stranger")}
    adm, op, view, stranger = (apis[n] for n in ("admin1", "op1", "view1", "stranger"))
    tests = []

    def test(fn):
        tests.append(fn)
        return fn

    @test
    def tls_no_client_cert_refused():
        a = Api(t, srv.addr, creds=creds(None))
        try:
            try:
                a.call("Config/Get", timeout=5)
                raise Failure("a client without a certificate was served")
            except grpc.RpcError as e:
                check(e.code() == SC.UNAVAILABLE, "got %s" % e.code())
        finally:
            a.close()

    @test
    def tls_viewer_reads_only():
        g = view.get()
        check(g.config.name == "api-tls", "viewer Get")
        view.call("Flows/List")
        view.call("Ports/Get", A.GetPortRequest(name="A"))
        view.call("Config/ListVersions")
        view.call("Config/Validate", A.ValidateRequest(config=g.config))
        view.call("System/GetCapabilities")
        view.counters()
        check(len(list(view.watch(A.WatchCountersRequest(interval_ms=10, max_samples=2),
                                  timeout=5))) == 2, "viewer watch")
        f = flow(C, "v", "A", "B", plane=C.PLANE_C)
        for m, req in [("Config/Commit", A.CommitRequest(patch=A.ConfigPatch())),
                       ("Flows/Add", A.FlowChangeRequest(flow=f)),
                       ("Flows/Update", A.FlowChangeRequest(flow=f)),
                       ("Flows/Delete", A.DeleteFlowRequest(name="a2b")),
                       ("Config/Confirm", None),
                       ("Config/Rollback", A.RollbackRequest(to_version=1)),
                       ("System/SaveConfig", None)]:
            view.expect(m, req, SC.PERMISSION_DENIED, ["view1", "viewer", m])
        check(view.get().version == 1, "a viewer changed the config")

    @test
    def tls_operator_changes_flows_not_rollback():
        r = op.call("Flows/Add", A.FlowChangeRequest(flow=flow(C, "by-op", "A", "B",
                                                               plane=C.PLANE_C)))
        check(r.version == 2, "operator Add version %d" % r.version)
        op.call("Config/Commit", A.CommitRequest(patch=A.ConfigPatch(), comment="op commit"))
        op.expect("Config/Rollback", A.RollbackRequest(to_version=1), SC.PERMISSION_DENIED,
                  ["op1", "operator", "admin"])
        op.expect("System/SaveConfig", None, SC.PERMISSION_DENIED, "operator")
        lv = op.call("Config/ListVersions").versions
        check([x.identity for x in lv[:2]] == ["op1", "op1"], "identities %r" %
              [x.identity for x in lv])

    @test
    def tls_admin_does_everything():
        r = adm.call("Config/Rollback", A.RollbackRequest(to_version=1))
        check(adm.get().config == file_cfg(t, cfg_path), "rollback by admin")
        s = adm.call("System/SaveConfig")
        check(s.version == r.version, "SaveConfig by admin")
        check(adm.call("Config/ListVersions").versions[0].identity == "admin1", "identity")

    @test
    def tls_operator_cannot_change_role_bindings():
        # Rollback and SaveConfig need admin; so must granting roles
        cfg = op.get().config
        mine = C.SwitchConfig()
        mine.CopyFrom(cfg)
        for b in mine.mgmt.role_bindings:
            if b.identity == "op1":
                b.role = C.ACCESS_ADMIN
        try:
            op.call("Config/Commit", A.CommitRequest(config=mine, comment="op1 is admin now"))
        except grpc.RpcError as e:
            check(e.code() == SC.PERMISSION_DENIED, "refused with %s" % e.code())
            return
        # it worked: show it, then put the roles back as admin
        try:
            op.call("Config/Rollback", A.RollbackRequest(to_version=1))
            escalated = "and Rollback (admin only) now works for op1"
        except grpc.RpcError as e:
            escalated = "Rollback: %s" % e.code().name
        adm.call("Config/Commit", A.CommitRequest(config=cfg, comment="roles back"))
        raise Failure("accepted from op1 (operator) %s" % escalated)

    @test
    def tls_no_admin_lockout():
        # with certificates in use no commit may remove the last admin
        cfg = adm.get().config
        bare = C.SwitchConfig()
        bare.CopyFrom(cfg)
        bare.ClearField("mgmt")
        try:
            adm.call("Config/Commit", A.CommitRequest(config=bare, comment="lock out"))
        except grpc.RpcError as e:
            check(e.code() == SC.FAILED_PRECONDITION, "refused with %s" % e.code())
            check("ACCESS_ADMIN" in e.details(), "details name the rule: %s" % e.details())
            return
        adm.call("Config/Commit", A.CommitRequest(config=cfg, comment="roles back"))
        raise Failure("a config without an admin binding was accepted")

    @test
    def tls_automation_example_as_operator():
        # without the package: the script generates it from --proto-dir
        script = os.path.join(REPO, "mgmt", "examples", "automation.py")
        tls = ",".join(os.path.join(certs, n) for n in ("ca.pem", "op1.pem", "op1.key"))
        p = subprocess.run([sys.executable, script, "--addr", srv.addr, "--tls", tls,
                            "--flow", "auto-tls", "--samples", "2", "--interval-ms", "50",
                            "--remove", "--proto-dir", t.proto_dir],
                           capture_output=True, text=True, timeout=60)
        for x in p.stdout.splitlines():
            if x.startswith("flow auto-tls "):
                m = {"added": "Add", "updated": "Update", "removed": "Delete"}[x.split()[2][:-1]]
                expected.append(("op1", "/fhswitch.v1.Flows/" + m, 0))
        check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr))
        check("flow auto-tls removed" in p.stdout, "output:\n" + p.stdout)

    @test
    def tls_unbound_identity_denied():
        stranger.expect("Config/Get", None, SC.PERMISSION_DENIED, ["stranger", "none"])
        stranger.expect("Config/Commit", A.CommitRequest(patch=A.ConfigPatch()),
                        SC.PERMISSION_DENIED, "stranger")
        check(stranger.health() == H.HealthCheckResponse.SERVING, "health for anyone")

    @test
    def watch_on_change_quiet_switch():
        # no traffic here: after the first sample, one only when something changes
        call = adm.watch(A.WatchCountersRequest(interval_ms=20, on_change=True), timeout=20)
        it = iter(call)
        s1 = next(it)
        box = []
        th = threading.Thread(target=lambda: box.append(next(it)))
        th.start()
        th.join(0.6)
        check(not box, "a sample without a change")
        t0 = time.monotonic()
        adm.call("Flows/Add", A.FlowChangeRequest(flow=flow(C, "oc", "A", "B",
                                                            plane=C.PLANE_C)))
        th.join(5)
        check(box, "no sample after a commit")
        check(box[0].config_version == s1.config_version + 1 and
              any(f.name == "oc" for f in box[0].flows), "the sample after the change")
        print("      on_change sample %.0f ms after the commit" % ((time.monotonic() - t0) * 1e3))
        call.cancel()
        adm.call("Flows/Delete", A.DeleteFlowRequest(name="oc"))

    @test
    def tls_audit_one_line_per_mutation():
        lines = [json.loads(x) for x in read(audit_path).decode().splitlines()]
        got = [(x["identity"], x["method"], x["code"]) for x in lines]
        check(got == expected, "audit\n got  %r\n want %r" % (got, expected))
        for x in lines:
            for k in ("time", "peer", "identity", "role", "method", "code", "status", "message"):
                check(k in x, "audit line lacks %s: %r" % (k, x))
            check(x["peer"].startswith("ipv4:127.0.0.1:"), "peer %r" % x["peer"])
        roles = {x["identity"]: x["role"] for x in lines}
        check(roles == {"view1": "viewer", "op1": "operator", "admin1": "admin",
                        "stranger": "none"}, "roles %r" % roles)
        check(any(x.get("comment") == "op commit" for x in lines), "comment recorded")
        check(all(x["status"] == "PERMISSION_DENIED" for x in lines if x["code"] == 7), "status")

    t.run(tests)
    for a in apis.values():
        a.close()
    rc, _ = srv.stop()
    if rc != 0:
        t.fail("tls_server_exit", "exit %s:\n%s" % (rc, read(srv.errpath).decode()[-2000:]))


# ---- main --------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fhswd", required=True)
    ap.add_argument("--fhctl", required=True)
    ap.add_argument("--proto-dir", required=True)
    ap.add_argument("--python-dir", help="the build's Python package (BUILD/python)")
    ap.add_argument("--workdir")
    ap.add_argument("--kill-rounds", type=int, default=8)
    ap.add_argument("--strict", action="store_true", help="known bugs fail the run")
    a = ap.parse_args()
    a.proto_dir = os.path.abspath(a.proto_dir)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("SIGTERM"))  # run the finally blocks
    a.workdir = os.path.abspath(a.workdir or tempfile.mkdtemp(prefix="fh-api-"))
    if os.path.isdir(a.workdir):
        shutil.rmtree(a.workdir)
    os.makedirs(a.workdir)
    # EAL files of earlier runs of this test that were killed
    for d in (os.listdir("/var/run/dpdk") if os.path.isdir("/var/run/dpdk") else []):
        pid = d[len("fhapi"):].split("-")[0]
        if d.startswith("fhapi") and pid.isdigit() and not os.path.exists("/proc/" + pid):
            shutil.rmtree(os.path.join("/var/run/dpdk", d), ignore_errors=True)
    t0 = time.time()
    t = T(a)

    # the main switch, plaintext (admin), traffic circulating A <-> B
    cfg = os.path.join(t.work, "main.json")
    write_cfg(cfg, base_cfg(t.C))
    audit_path = os.path.join(t.work, "audit-main.jsonl")
    audit = []
    srv = Fhswd(t, "main", cfg, extra=["--audit", audit_path])
    try:
        srv.start()
        print("fhswd started in %.2f s" % srv.start_s, flush=True)
        tests, api = main_tests(t, srv, audit)
        t.run(tests)
        t.run(measurement_tests(t, srv, api))
        api.close()
    except RuntimeError as e:
        t.fail("main_switch", str(e))
    finally:
        if srv.proc is not None:
            rc, _ = srv.stop()
            if rc != 0:
                t.fail("main_server_exit", "exit %s" % rc)

    def audit_main():
        lines = [json.loads(x) for x in read(audit_path).decode().splitlines()]
        for x in lines:
            for k in ("time", "peer", "identity", "role", "method", "code", "message"):
                check(k in x, "audit line lacks %s: %r" % (k, x))
            check(x["identity"] == "" and x["role"] == "admin", "plaintext caller %r" % x)
        got = sorted((x["method"], x["code"]) for x in lines)
        want = sorted((m, c) for _, m, c in audit)
        if got != want:
            from collections import Counter
            g, w = Counter(got), Counter(want)
            raise Failure("%d audit lines for %d mutating calls; extra %r, missing %r" % (
                len(got), len(want), dict(g - w), dict(w - g)))
        print("      %d lines, one per mutating call" % len(lines))
    audit_main.__name__ = "audit_log_main_one_line_per_mutation"
    t.run([audit_main])

    try:
        t.run(kill9_tests(t, a.kill_rounds))
        tls_tests(t)
    finally:
        for srv in list(Fhswd.running):  # left by a failure
            srv.kill9()

    print("took %.0f s" % (time.time() - t0))
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
