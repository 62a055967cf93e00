#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The gRPC transport (mgmt/mgmt_grpc.c) against Python grpcio, a client
nobody here wrote.  Runs grpc_test_server (the transport with toy
handlers) in plaintext and in mTLS, with certificates made by the openssl
CLI at test time, and checks: unary calls, UNIMPLEMENTED, undecodable
requests, server streams and client cancellation, grpc.health.v1 Check and
Watch, server reflection v1 and v1alpha, roles from the client certificate
(CN and SAN), the audit log, the message size limit and concurrent calls.

The _pb2 modules are generated with `protoc --python_out` into the work
directory (Debian's grpc-tools is too old).  Prints "N passed, M failed"
and exits non-zero on any failure; the server must also exit 0 on SIGTERM
with nothing from the sanitizers on stderr.
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import grpc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from checks import Failure, Results, check, load_module  # noqa: E402

GRPC_PROTO_DIR = "/usr/share/grpc-proto"
MAX_MESSAGE = 65536
ident = lambda b: b  # noqa: E731




# ---- generated messages ------------------------------------------------------



def gen_pb2(proto_dir, out):
    protos = ["fhswitch/v1/config.proto", "fhswitch/v1/api.proto",
              "grpc/health/v1/health.proto",
              "grpc/reflection/v1/reflection.proto",
              "grpc/reflection/v1alpha/reflection.proto"]
    os.makedirs(out, exist_ok=True)
    subprocess.run(["protoc", "-I" + proto_dir, "-I" + GRPC_PROTO_DIR,
                    "--python_out=" + out] + protos, check=True)
    # fhswitch/ is a namespace package; the grpc/ files are loaded by path
    # because "grpc" is grpcio's own package name
    sys.path.insert(0, out)
    from fhswitch.v1 import api_pb2  # noqa: E402
    health = load_module(os.path.join(out, "grpc/health/v1/health_pb2.py"),
                         "fh_health_pb2")
    refl = load_module(os.path.join(out, "grpc/reflection/v1/reflection_pb2.py"),
                       "fh_reflection_v1_pb2")
    refl_a = load_module(os.path.join(out, "grpc/reflection/v1alpha/reflection_pb2.py"),
                         "fh_reflection_v1alpha_pb2")
    return api_pb2, health, refl, refl_a


# ---- certificates --------------------------------------------------------------

def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_ca(d, name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", name + ".key",
            "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + name,
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)


def make_leaf(d, ca, name, cn, sans, usage):
    ext = os.path.join(d, name + ".ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\n")
        f.write("keyUsage=critical,digitalSignature,keyEncipherment\n")
        f.write("extendedKeyUsage=%s\n" % usage)
        if sans:
            f.write("subjectAltName=%s\n" % ",".join(sans))
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", name + ".key",
            "-out", name + ".csr", "-subj", "/CN=" + cn, cwd=d)
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey",
            ca + ".key", "-set_serial", str(int(time.time() * 1000) % 10**9 +
                                             abs(hash(name)) % 10**6),
            "-days", "2", "-out", name + ".pem", "-extfile", ext, cwd=d)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# ---- the server -------------------------------------------------------------------

class Server:
    def __init__(self, binary, workdir, name, args, lsan_supp):
        self.errpath = os.path.join(workdir, name + ".stderr")
        env = dict(os.environ)
        if lsan_supp and os.path.exists(lsan_supp):
            env["LSAN_OPTIONS"] = "suppressions=%s:print_suppressions=0" % lsan_supp
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        self.err = open(self.errpath, "wb")
        self.proc = subprocess.Popen([binary] + args, stdout=subprocess.PIPE,
                                     stderr=self.err, env=env)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("port "):
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("server did not start: %r\n%s" %
                               (line, read(self.errpath).decode(errors="replace")))
        self.port = int(line.split()[1])

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self):
        """SIGTERM; returns (exit code, stderr)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = "hung on SIGTERM"
        self.err.close()
        return rc, read(self.errpath).decode(errors="replace")


# ---- the tests -------------------------------------------------------------------------

class T:
    """Test context: channels and stubs on the running servers."""

    def __init__(self, pb, health, refl, refl_a):
        self.pb, self.health, self.refl, self.refl_a = pb, health, refl, refl_a

    def unary(self, ch, path, req_cls, resp_cls):
        return ch.unary_unary(path, request_serializer=req_cls.SerializeToString
                              if req_cls else ident,
                              response_deserializer=resp_cls.FromString)

    def get_version(self, ch):
        return self.unary(ch, "/fhswitch.v1.System/GetVersion",
                          self.pb.GetVersionRequest, self.pb.VersionResponse)

    def commit(self, ch):
        return self.unary(ch, "/fhswitch.v1.Config/Commit",
                          self.pb.CommitRequest, self.pb.CommitResponse)

    def watch(self, ch):
        return ch.unary_stream("/fhswitch.v1.CountersService/Watch",
                               request_serializer=self.pb.WatchCountersRequest.SerializeToString,
                               response_deserializer=self.pb.Counters.FromString)

    def hcheck(self, ch):
        return self.unary(ch, "/grpc.health.v1.Health/Check",
                          self.health.HealthCheckRequest,
                          self.health.HealthCheckResponse)

    def hwatch(self, ch):
        return ch.unary_stream("/grpc.health.v1.Health/Watch",
                               request_serializer=self.health.HealthCheckRequest.SerializeToString,
                               response_deserializer=self.health.HealthCheckResponse.FromString)

    def reflect(self, ch, mod, version):
        return ch.stream_stream(
            "/grpc.reflection.%s.ServerReflection/ServerReflectionInfo" % version,
            request_serializer=mod.ServerReflectionRequest.SerializeToString,
            response_deserializer=mod.ServerReflectionResponse.FromString)


def expect_code(fn, code, what, contains=None):
    try:
        fn()
    except grpc.RpcError as e:
        check(e.code() == code, "%s: got %s (%s), want %s" %
              (what, e.code(), e.details(), code))
        if contains is not None:
            check(contains in (e.details() or ""), "%s: details %r lack %r" %
                  (what, e.details(), contains))
        return e
    raise Failure("%s: succeeded, want %s" % (what, code))


def plaintext_tests(t, ch, srv, audit_path):
    pb, H = t.pb, t.health
    commits = {"n": 0}
    tests = []

    def test(fn):
        tests.append(fn)
        return fn

    @test
    def test_unary_get_version():
        r = t.get_version(ch)(pb.GetVersionRequest(), timeout=5)
        check(r.version == "9.9.9-test", "version %r" % r.version)

    @test
    def test_unknown_method_unimplemented():
        f = ch.unary_unary("/fhswitch.v1.Nope/Nothing", request_serializer=ident,
                           response_deserializer=ident)
        expect_code(lambda: f(b"", timeout=5), grpc.StatusCode.UNIMPLEMENTED,
                    "unknown method", "/fhswitch.v1.Nope/Nothing")
        # a known service, unknown method
        f = ch.unary_unary("/fhswitch.v1.System/Reboot", request_serializer=ident,
                           response_deserializer=ident)
        expect_code(lambda: f(b"", timeout=5), grpc.StatusCode.UNIMPLEMENTED,
                    "unknown method of a known service")

    @test
    def test_malformed_request_invalid_argument():
        f = ch.unary_unary("/fhswitch.v1.Config/Commit", request_serializer=ident,
                           response_deserializer=ident)
        commits["n"] += 1
        expect_code(lambda: f(b"\xff\xff\xff\xff", timeout=5),
                    grpc.StatusCode.INVALID_ARGUMENT, "garbage bytes",
                    "request: cannot decode fhswitch.v1.CommitRequest")

    @test
    def test_mutating_commit_and_handler_error():
        c = t.commit(ch)
        v1 = c(pb.CommitRequest(comment="first"), timeout=5).version
        v2 = c(pb.CommitRequest(comment="second"), timeout=5).version
        commits["n"] += 2
        check(v2 == v1 + 1, "versions %d then %d" % (v1, v2))
        commits["n"] += 1
        expect_code(lambda: c(pb.CommitRequest(comment="bad"), timeout=5),
                    grpc.StatusCode.INVALID_ARGUMENT, "comment bad", "bad")

    @test
    def test_server_stream_n_messages():
        msgs = list(t.watch(ch)(pb.WatchCountersRequest(interval_ms=20, max_samples=5),
                                timeout=10))
        check(len(msgs) == 5, "%d messages, want 5" % len(msgs))
        check([m.config_version for m in msgs] == [1, 2, 3, 4, 5],
              "sequence %r" % [m.config_version for m in msgs])
        gaps = [(b.timestamp_ns - a.timestamp_ns) / 1e6 for a, b in zip(msgs, msgs[1:])]
        check(all(g >= 15 for g in gaps), "interval not respected: %r ms" % gaps)

    @test
    def test_stream_client_cancel():
        call = t.watch(ch)(pb.WatchCountersRequest(interval_ms=10), timeout=30)
        got = 0
        for _ in call:
            got += 1
            if got == 3:
                break
        call.cancel()
        check(got == 3, "got %d" % got)
        # the server freed the stream and keeps serving
        deadline = time.time() + 3
        backend = ""
        while time.time() < deadline:
            backend = t.get_version(ch)(pb.GetVersionRequest(), timeout=5).backend
            if backend == "toy streams=0":
                break
            time.sleep(0.05)
        check(backend == "toy streams=0", "stream state not freed: %r" % backend)
        msgs = list(t.watch(ch)(pb.WatchCountersRequest(interval_ms=10, max_samples=2),
                                timeout=10))
        check(len(msgs) == 2, "a new stream after cancel got %d" % len(msgs))

    @test
    def test_stream_cancel_races():
        # 30 fast streams cancelled at different points, some channels
        # closed under them, reflection streams dropped mid-way
        chans = [grpc.insecure_channel("127.0.0.1:%d" % srv.port) for _ in range(3)]
        calls = []
        for i in range(30):
            c = chans[i % 3]
            call = t.watch(c)(pb.WatchCountersRequest(interval_ms=1), timeout=30)
            calls.append((call, i % 7))
        for call, n in calls:
            for k, _ in enumerate(call):
                if k >= n:
                    break
            call.cancel()
        rf = t.reflect(chans[0], t.refl, "v1")(
            iter([t.refl.ServerReflectionRequest(list_services="")] * 50), timeout=30)
        next(iter(rf))
        rf.cancel()
        chans[1].close()
        w = t.watch(chans[2])(pb.WatchCountersRequest(interval_ms=1), timeout=30)
        next(iter(w))
        chans[2].close()
        chans[0].close()
        deadline = time.time() + 5
        backend = ""
        while time.time() < deadline:
            backend = t.get_version(ch)(pb.GetVersionRequest(), timeout=5).backend
            if backend == "toy streams=0":
                break
            time.sleep(0.05)
        check(backend == "toy streams=0", "streams left: %r" % backend)

    @test
    def test_stream_deadline_frees_state():
        call = t.watch(ch)(pb.WatchCountersRequest(interval_ms=10), timeout=0.3)
        expect_code(lambda: list(call), grpc.StatusCode.DEADLINE_EXCEEDED,
                    "stream past its deadline")
        deadline = time.time() + 3
        while time.time() < deadline:
            if t.get_version(ch)(pb.GetVersionRequest(), timeout=5).backend == "toy streams=0":
                return
            time.sleep(0.05)
        raise Failure("stream state not freed after the deadline")

    @test
    def test_health_check():
        hc = t.hcheck(ch)
        for svc in ["", "fhswitch.v1.Config", "fhswitch.v1.System",
                    "grpc.health.v1.Health"]:
            r = hc(H.HealthCheckRequest(service=svc), timeout=5)
            check(r.status == H.HealthCheckResponse.SERVING,
                  "Check(%r) = %d" % (svc, r.status))
        expect_code(lambda: hc(H.HealthCheckRequest(service="no.such.Service"), timeout=5),
                    grpc.StatusCode.NOT_FOUND, "Check(unknown)")

    @test
    def test_health_watch_and_changes():
        call = t.hwatch(ch)(H.HealthCheckRequest(service=""), timeout=10)
        it = iter(call)
        first = next(it)
        check(first.status == H.HealthCheckResponse.SERVING, "first %d" % first.status)
        srv.signal(signal.SIGUSR1)  # not serving
        second = next(it)
        check(second.status == H.HealthCheckResponse.NOT_SERVING,
              "after SIGUSR1 %d" % second.status)
        r = t.hcheck(ch)(H.HealthCheckRequest(service=""), timeout=5)
        check(r.status == H.HealthCheckResponse.NOT_SERVING, "Check while down")
        srv.signal(signal.SIGUSR1)  # serving again
        third = next(it)
        check(third.status == H.HealthCheckResponse.SERVING, "back %d" % third.status)
        call.cancel()

    @test
    def test_health_watch_unknown_stays_open():
        call = t.hwatch(ch)(H.HealthCheckRequest(service="no.such.Service"), timeout=1.0)
        it = iter(call)
        first = next(it)
        check(first.status == H.HealthCheckResponse.SERVICE_UNKNOWN,
              "first %d" % first.status)
        expect_code(lambda: next(it), grpc.StatusCode.DEADLINE_EXCEEDED,
                    "unknown service watch stays open")

    def reflection_round(mod, version):
        R = mod.ServerReflectionRequest
        reqs = [R(host="h1", list_services=""),
                R(host="h2", file_containing_symbol="fhswitch.v1.Config"),
                R(file_containing_symbol="fhswitch.v1.Config.Commit"),
                R(file_containing_symbol="fhswitch.v1.SwitchConfig"),
                R(file_by_filename="grpc/health/v1/health.proto"),
                R(file_containing_symbol="fhswitch.v1.NoSuchThing"),
                R(file_containing_extension=mod.ExtensionRequest(
                    containing_type="fhswitch.v1.Flow", extension_number=100)),
                R(all_extension_numbers_of_type="fhswitch.v1.Flow")]
        resps = list(t.reflect(ch, mod, version)(iter(reqs), timeout=10))
        check(len(resps) == len(reqs), "%s: %d answers to %d requests" %
              (version, len(resps), len(reqs)))
        for q, a in zip(reqs, resps):
            check(a.original_request == q, "%s: original_request not echoed" % version)
            check(a.valid_host == q.host, "%s: valid_host %r" % (version, a.valid_host))
        names = {s.name for s in resps[0].list_services_response.service}
        want = {"fhswitch.v1.System", "fhswitch.v1.Config",
                "fhswitch.v1.CountersService", "grpc.health.v1.Health",
                "grpc.reflection.v1.ServerReflection",
                "grpc.reflection.v1alpha.ServerReflection"}
        check(names == want, "%s: list_services %r" % (version, sorted(names)))

        from google.protobuf import descriptor_pb2

        def files(a):
            check(a.WhichOneof("message_response") == "file_descriptor_response",
                  "%s: %s" % (version, a.WhichOneof("message_response")))
            out = []
            for b in a.file_descriptor_response.file_descriptor_proto:
                fd = descriptor_pb2.FileDescriptorProto()
                fd.ParseFromString(b)
                out.append(fd)
            return out

        fds = files(resps[1])
        check([f.name for f in fds] == ["fhswitch/v1/api.proto", "fhswitch/v1/config.proto"],
              "%s: Config -> %r" % (version, [f.name for f in fds]))
        check(any(s.name == "Config" and any(m.name == "Commit" for m in s.method)
                  for s in fds[0].service), "%s: api.proto lacks Config.Commit" % version)
        check(any(m.name == "SwitchConfig" for m in fds[1].message_type),
              "%s: config.proto lacks SwitchConfig" % version)
        check(files(resps[2])[0].name == "fhswitch/v1/api.proto", "method symbol")
        fds = files(resps[3])
        check([f.name for f in fds] == ["fhswitch/v1/config.proto"],
              "%s: SwitchConfig -> %r" % (version, [f.name for f in fds]))
        fds = files(resps[4])
        check(fds[0].name == "grpc/health/v1/health.proto" and fds[0].package == "grpc.health.v1",
              "%s: health.proto by name" % version)
        for a in resps[5:]:
            check(a.WhichOneof("message_response") == "error_response" and
                  a.error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0],
                  "%s: want error_response NOT_FOUND, got %s" % (version, a))

    @test
    def test_reflection_v1():
        reflection_round(t.refl, "v1")

    @test
    def test_reflection_v1alpha():
        reflection_round(t.refl_a, "v1alpha")

    @test
    def test_reflection_idle_stream_half_close():
        # no request at all: the stream ends OK on half-close
        resps = list(t.reflect(ch, t.refl, "v1")(iter([]), timeout=5))
        check(resps == [], "answers to nothing: %r" % resps)

    @test
    def test_oversize_resource_exhausted():
        # refused by gRPC before the handler runs: not audited
        big = pb.CommitRequest(comment="x" * (MAX_MESSAGE + 100))
        expect_code(lambda: t.commit(ch)(big, timeout=5),
                    grpc.StatusCode.RESOURCE_EXHAUSTED, "oversize request")
        # just under the limit passes
        ok = pb.CommitRequest(comment="y" * (MAX_MESSAGE - 200))
        t.commit(ch)(ok, timeout=5)
        commits["n"] += 1

    @test
    def test_concurrent_unary():
        stream = t.watch(ch)(pb.WatchCountersRequest(interval_ms=50, max_samples=10),
                             timeout=30)
        gv, cm = t.get_version(ch), t.commit(ch)
        futs = []
        for i in range(20):
            if i % 2:
                futs.append(gv.future(pb.GetVersionRequest(), timeout=10))
            else:
                futs.append(cm.future(pb.CommitRequest(comment="c%d" % i), timeout=10))
        commits["n"] += 10
        res = [f.result() for f in futs]
        versions = [r.version for r in res[0::2]]
        check(len(set(versions)) == 10, "commit versions not unique: %r" % versions)
        # and from 20 threads with their own channels
        def one(i):
            with grpc.insecure_channel("127.0.0.1:%d" % srv.port) as c2:
                return t.get_version(c2)(pb.GetVersionRequest(), timeout=10).version
        with concurrent.futures.ThreadPoolExecutor(20) as ex:
            out = list(ex.map(one, range(20)))
        check(out == ["9.9.9-test"] * 20, "threaded: %r" % out)
        check(len(list(stream)) == 10, "stream alongside")

    @test
    def test_audit_log_plaintext():
        with open(audit_path) as f:
            lines = [json.loads(x) for x in f]
        check(len(lines) == commits["n"], "%d audit lines for %d commits" %
              (len(lines), commits["n"]))
        for x in lines:
            for k in ("time", "peer", "identity", "method", "code", "message"):
                check(k in x, "audit line lacks %s: %r" % (k, x))
            check(x["method"] == "/fhswitch.v1.Config/Commit", "method %r" % x["method"])
            check(x["time"].endswith("Z") and "T" in x["time"], "time %r" % x["time"])
            check(x["peer"].startswith("ipv4:127.0.0.1:") or x["peer"].startswith("ipv6:"),
                  "peer %r" % x["peer"])
            check(x["identity"] == "", "plaintext identity %r" % x["identity"])
        codes = sorted(x["code"] for x in lines)
        check(codes.count(3) == 2, "two INVALID_ARGUMENT (garbage, bad): %r" % codes)
        check(any(x.get("comment") == "first" for x in lines), "comment recorded")

    return tests


def tls_tests(t, port, certs, audit_path):
    pb, H = t.pb, t.health
    ca = read(os.path.join(certs, "ca.pem"))
    opts = [("grpc.ssl_target_name_override", "localhost")]
    target = "127.0.0.1:%d" % port
    tests = []

    def chan(name, root=ca):
        if name is None:
            creds = grpc.ssl_channel_credentials(root_certificates=root)
        else:
            creds = grpc.ssl_channel_credentials(
                root_certificates=root,
                private_key=read(os.path.join(certs, name + ".key")),
                certificate_chain=read(os.path.join(certs, name + ".pem")))
        return grpc.secure_channel(target, creds, options=opts)

    def test(fn):
        tests.append(fn)
        return fn

    @test
    def test_tls_no_client_cert_refused():
        with chan(None) as ch:
            expect_code(lambda: t.get_version(ch)(pb.GetVersionRequest(), timeout=5),
                        grpc.StatusCode.UNAVAILABLE, "no client certificate")

    @test
    def test_tls_foreign_ca_cert_refused():
        with chan("foreign") as ch:
            expect_code(lambda: t.get_version(ch)(pb.GetVersionRequest(), timeout=5),
                        grpc.StatusCode.UNAVAILABLE, "certificate from another CA")

    @test
    def test_tls_viewer_reads_not_writes():
        with chan("viewer") as ch:
            r = t.get_version(ch)(pb.GetVersionRequest(), timeout=5)
            check(r.version == "9.9.9-test", "viewer read")
            e = expect_code(lambda: t.commit(ch)(pb.CommitRequest(comment="v"), timeout=5),
                            grpc.StatusCode.PERMISSION_DENIED, "viewer commit")
            check("/fhswitch.v1.Config/Commit" in e.details() and "viewer" in e.details(),
                  "denial names method and role: %r" % e.details())
            r = t.hcheck(ch)(H.HealthCheckRequest(), timeout=5)
            check(r.status == H.HealthCheckResponse.SERVING, "viewer health")
            msgs = list(t.watch(ch)(pb.WatchCountersRequest(interval_ms=10, max_samples=2),
                                    timeout=5))
            check(len(msgs) == 2, "viewer stream")
            resps = list(t.reflect(ch, t.refl, "v1")(
                iter([t.refl.ServerReflectionRequest(list_services="")]), timeout=5))
            check(len(resps) == 1, "viewer reflection")

    @test
    def test_tls_admin_commits():
        with chan("admin") as ch:
            v = t.commit(ch)(pb.CommitRequest(comment="by admin"), timeout=5).version
            check(v >= 2, "admin commit version %d" % v)

    @test
    def test_tls_san_binding_operator():
        with chan("robot") as ch:  # CN=robot (unbound), SAN ops.example = operator
            t.commit(ch)(pb.CommitRequest(comment="by robot"), timeout=5)

    @test
    def test_tls_unbound_identity_denied():
        with chan("stranger") as ch:
            e = expect_code(lambda: t.get_version(ch)(pb.GetVersionRequest(), timeout=5),
                            grpc.StatusCode.PERMISSION_DENIED, "unbound read")
            check("none" in e.details(), "role none in %r" % e.details())
            r = t.hcheck(ch)(H.HealthCheckRequest(), timeout=5)
            check(r.status == H.HealthCheckResponse.SERVING, "health for anyone")
            expect_code(lambda: t.commit(ch)(pb.CommitRequest(comment="s"), timeout=5),
                        grpc.StatusCode.PERMISSION_DENIED, "unbound commit")

    @test
    def test_tls_audit_identities():
        with open(audit_path) as f:
            lines = [json.loads(x) for x in f]
        got = [(x["identity"], x["code"]) for x in lines]
        check(got == [("viewer", 7), ("admin", 0), ("ops.example", 0), ("stranger", 7)],
              "audit %r" % got)
        check(lines[2].get("role") == "operator", "role of ops.example %r" % lines[2])
        check(lines[0]["message"] and "viewer" in lines[0]["message"], "denial text")

    return tests


def server_exit(results, name, srv):
    rc, err = srv.stop()
    bad = [l for l in err.splitlines()
           if "ERROR: AddressSanitizer" in l or "ERROR: LeakSanitizer" in l
           or "runtime error:" in l]
    tail = "\n".join(err.splitlines()[-40:])
    results.expect(name, rc == 0 and not bad, "exit %s\n%s" % (rc, tail))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--proto-dir", required=True)
    ap.add_argument("--lsan-supp")
    ap.add_argument("--workdir")
    a = ap.parse_args()

    work = a.workdir or tempfile.mkdtemp(prefix="fh-grpc-")
    if os.path.isdir(work):
        shutil.rmtree(work)
    os.makedirs(work)
    t = T(*gen_pb2(a.proto_dir, os.path.join(work, "py")))
    results = Results()

    # plaintext (role admin)
    audit = os.path.join(work, "audit-plain.jsonl")
    srv = Server(a.server, work, "plain", ["--audit", audit, "--max-message",
                                           str(MAX_MESSAGE)], a.lsan_supp)
    try:
        with grpc.insecure_channel("127.0.0.1:%d" % srv.port) as ch:
            results.run(plaintext_tests(t, ch, srv, audit))
    finally:
        server_exit(results, "plaintext_server_clean_exit", srv)

    # mTLS
    certs = os.path.join(work, "certs")
    os.makedirs(certs)
    make_ca(certs, "ca")
    make_ca(certs, "other-ca")
    make_leaf(certs, "ca", "server", "localhost", ["DNS:localhost", "IP:127.0.0.1"],
              "serverAuth")
    make_leaf(certs, "ca", "admin", "admin", [], "clientAuth")
    make_leaf(certs, "ca", "viewer", "viewer", [], "clientAuth")
    make_leaf(certs, "ca", "robot", "robot", ["DNS:ops.example"], "clientAuth")
    make_leaf(certs, "ca", "stranger", "stranger", [], "clientAuth")
    make_leaf(certs, "other-ca", "foreign", "admin", [], "clientAuth")
    audit = os.path.join(work, "audit-tls.jsonl")
    srv = Server(a.server, work, "tls",
                 ["--tls-ca", os.path.join(certs, "ca.pem"),
                  "--tls-cert", os.path.join(certs, "server.pem"),
                  "--tls-key", os.path.join(certs, "server.key"),
                  "--role", "admin=admin", "--role", "viewer=viewer",
                  "--role", "ops.example=operator", "--audit", audit],
                 a.lsan_supp)
    try:
        results.run(tls_tests(t, srv.port, certs, audit))
    finally:
        server_exit(results, "tls_server_clean_exit", srv)

    # stopping with live streams: they end UNAVAILABLE, the server exits 0
    srv = Server(a.server, work, "shutdown", [], a.lsan_supp)
    name = "shutdown_ends_live_streams"
    try:
        with grpc.insecure_channel("127.0.0.1:%d" % srv.port) as ch:
            pb, H = t.pb, t.health
            w = t.watch(ch)(pb.WatchCountersRequest(interval_ms=20), timeout=30)
            hw = t.hwatch(ch)(H.HealthCheckRequest(), timeout=30)
            rq = threading.Event()

            def idle_reqs():  # one request, then keep the stream open
                yield t.refl.ServerReflectionRequest(list_services="")
                rq.wait(30)
            rf = t.reflect(ch, t.refl, "v1")(idle_reqs(), timeout=30)
            next(iter(w))
            next(iter(hw))
            next(iter(rf))
            t0 = time.time()
            srv.signal(signal.SIGTERM)
            codes = []
            for call in (w, hw, rf):
                try:
                    for _ in call:
                        pass
                    codes.append("OK")
                except grpc.RpcError as e:
                    codes.append(e.code().name)
            rq.set()
            took = time.time() - t0
        rc, err = srv.stop()
        if codes == ["UNAVAILABLE"] * 3 and rc == 0 and took < 5 and \
                "AddressSanitizer" not in err and "runtime error" not in err:
            results.ok(name, "%.2fs" % took)
        else:
            results.fail(name, "codes %r exit %s in %.1fs\n%s" % (codes, rc, took, err))
    except Exception:  # noqa: BLE001
        srv.stop()
        results.fail(name, traceback.format_exc())

    # bad start-up parameters are refused with a reason
    for name, args, want in [
            ("start_refuses_partial_tls", ["--tls-ca", os.path.join(certs, "ca.pem")],
             "TLS needs all"),
            ("start_refuses_bad_address", ["--addr", "no-such-host.invalid:x"],
             "bad address"),
            ("start_refuses_missing_pem", ["--tls-ca", "/nonexistent/ca.pem",
                                           "--tls-cert", "/nonexistent/c.pem",
                                           "--tls-key", "/nonexistent/k.pem"],
             "/nonexistent/ca.pem")]:
        p = subprocess.run([a.server] + args, capture_output=True, timeout=30)
        err = p.stderr.decode(errors="replace")
        results.expect(name, p.returncode == 1 and want in err,
                       "exit %d: %s" % (p.returncode, err))

    # a port in use is refused (no SO_REUSEPORT sharing)
    s1 = Server(a.server, work, "busy1", [], a.lsan_supp)
    p = subprocess.run([a.server, "--addr", "127.0.0.1:%d" % s1.port],
                       capture_output=True, timeout=30)
    name = "start_refuses_busy_port"
    results.expect(name, p.returncode == 1 and b"cannot listen" in p.stderr,
                   "exit %d: %s" % (p.returncode, p.stderr))
    s1.stop()

    return results.summary()


if __name__ == "__main__":
    sys.exit(main())
