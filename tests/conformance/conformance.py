#!/usr/bin/env python3
"""The HAL conformance suite: one set of scenarios, every backend.

    conformance.py --build BUILD_DIR [--backend dpdk|switchdev|both]
                   [--scenarios DIR] [--only NAME] [--quiet-s S]

Each file in scenarios/ (format: README.md) is a switch config fragment
(flows, l2), frames to send and the frames each port must put out. The
suite builds one topology - namespaces du, ru0, ru1 whose eth0 are veth
peers of swdu, swru0, swru1 in a switch namespace - starts fhswd there
once per backend with the ports of base.json (dpdk: net_af_packet on the
same veths; switchdev: the veths themselves, no EAL), and for each
scenario commits its config through the gRPC API with `fhctl config
commit`, sends its frames from the end namespaces with AF_PACKET,
captures what every end receives and compares it byte for byte (the VLAN
tag put back from PACKET_AUXDATA) with the expected frames, and checks
the flow counters' deltas through `fhctl counters`.

A scenario outside a backend's capabilities names the status and message
its commit must fail with ("refused"); the running config must then be
unchanged. With --backend both, every scenario both backends forward
must have given identical frames and counters on both.

Needs root, ip(8), veth and af_packet; the switchdev backend needs a
kernel with a VLAN-filtering bridge and tc flower (tests/vm/run-vm.sh).
Prints one line per check and "N passed, M failed"; exit 0 iff none
failed.
"""
import argparse
import glob
import json
import os
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "vm"))
from swdev_pkt import (  # noqa: E402  (tests/vm/swdev_pkt.py)
    ETH_P_ALL,
    PACKET_AUXDATA,
    SOL_PACKET,
    in_netns,
    read_pcap,
    recv_frames,
    split,
)

ENDS = ("du", "ru0", "ru1")
ECPRI = 0xAEFE
COUNTERS = ("rx_total", "tx_total", "tx_mirror")


class Suite:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, desc):
        print(f"ok   - {desc}", flush=True)
        self.passed += 1

    def fail(self, desc, *detail):
        print(f"FAIL - {desc}", flush=True)
        for d in detail:
            for line in str(d).splitlines():
                print(f"       {line}")
        self.failed += 1

    def check(self, cond, desc, *detail):
        if cond:
            self.ok(desc)
        else:
            self.fail(desc, *detail)
        return cond


def sh(*cmd, check=True, **kw):
    return subprocess.run(cmd, check=check, capture_output=True, text=True, **kw)


# ---- frames -------------------------------------------------------------------


def mac(s):
    return bytes.fromhex(s.replace(":", ""))


def mac_str(b):
    return ":".join(f"{x:02x}" for x in b)


def templates(fhctl, work):
    """eCPRI frames from `fhctl gen`, one per (kind, eAxC): kind is
    dl-u, dl-c, ul-u or ul-c (direction, plane); untagged."""
    pcap = os.path.join(work, "gen.pcap")
    sh(fhctl, "gen", "--out", pcap, "--slots", "1", "--prbs", "4", "--eaxc", "4",
       "--mtu", "1500", "--direction", "both", "--from", "both")
    out = {}
    for f in read_pcap(pcap):
        tci, rest = split(f)
        (et,) = struct.unpack_from("!H", rest, 0)
        if et != ECPRI or tci is not None:
            continue
        e = rest[2:]
        plane = {0: "u", 2: "c"}.get(e[1])
        if plane is None:
            continue
        kind = ("dl-" if e[8] >> 7 else "ul-") + plane
        eaxc = struct.unpack_from("!H", e, 4)[0]
        out.setdefault((kind, eaxc), f)
    return out


def build(spec, tpl, tag, k):
    """Copy k of the frame spec describes; tag makes it unique to the run
    (non-eCPRI payload, eCPRI SeqId)."""
    kind = spec["pkt"]
    if kind in ("dl-u", "dl-c", "ul-u", "ul-c"):
        eaxc = spec.get("eaxc", 0)
        f = bytearray(tpl.get((kind, eaxc), tpl[(kind, 0)]))
        struct.pack_into("!H", f, 14 + 4, eaxc)  # PC_ID / RTC_ID
        f[14 + 6] = (tag + k) & 0xFF  # SeqId: every copy differs
        dst, src, rest = f[:6], f[6:12], bytes(f[12:])
    else:
        et = int(spec.get("ethertype", "0x0800"), 0)
        dst, src = mac("ff:ff:ff:ff:ff:ff"), mac("02:00:00:00:f0:01")
        body = f"fhswitch-conformance {tag} {k} ".encode()
        rest = struct.pack("!H", et) + body.ljust(60, b".")
    if "dst" in spec:
        dst = mac(spec["dst"])
    if "src" in spec:
        src = mac(spec["src"])
    out = bytes(dst) + bytes(src)
    if spec.get("vlan") is not None:
        out += struct.pack("!HH", 0x8100, spec.get("pcp", 0) << 13 | spec["vlan"])
    return out + rest


def expected(sent, change):
    """A sent frame as it should leave the switch after change (vlan: VID
    or null = untagged, pcp, dst, src, eaxc)."""
    tci, rest = split(sent)
    dst, src = sent[:6], sent[6:12]
    if "dst" in change:
        dst = mac(change["dst"])
    if "src" in change:
        src = mac(change["src"])
    if "vlan" in change:
        if change["vlan"] is None:
            tci = None
        else:
            tci = ((tci or 0) & 0xF000) | change["vlan"]
    if "pcp" in change:
        tci = (tci or 0) & 0x0FFF | change["pcp"] << 13
    if "eaxc" in change:
        rest = rest[:6] + struct.pack("!H", change["eaxc"]) + rest[8:]
    out = dst + src
    if tci is not None:
        out += struct.pack("!HH", 0x8100, tci)
    return out + rest


def describe(f):
    tci, rest = split(f)
    (et,) = struct.unpack_from("!H", rest, 0)
    s = f"{mac_str(f[6:12])} > {mac_str(f[:6])} "
    s += "untagged" if tci is None else f"vid={tci & 0xFFF} pcp={tci >> 13}"
    s += f" type={et:#06x}"
    if et == ECPRI:
        e = rest[2:]
        s += f" msg={e[1]} eaxc={struct.unpack_from('!H', e, 4)[0]} seq={e[6]}"
    return s + f" len={len(f)}"


# ---- topology -------------------------------------------------------------------------


class Topology:
    def __init__(self, sfx):
        self.ns = {e: f"fhc{sfx}-{e}" for e in ENDS}
        self.sw = f"fhc{sfx}-sw"

    def up(self):
        sh("ip", "netns", "add", self.sw)
        self.in_sw("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                   "net.ipv6.conf.default.disable_ipv6=1")
        self.in_sw("ip", "link", "set", "lo", "up")
        for e in ENDS:
            ns = self.ns[e]
            sh("ip", "netns", "add", ns)
            sh("ip", "netns", "exec", ns, "sysctl", "-qw",
               "net.ipv6.conf.all.disable_ipv6=1",
               "net.ipv6.conf.default.disable_ipv6=1")
            self.in_sw("ip", "link", "add", "sw" + e, "type", "veth", "peer",
                       "name", "eth0", "netns", ns)
            self.in_sw("ip", "link", "set", "sw" + e, "up")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")

    def down(self):
        for ns in [self.sw] + list(self.ns.values()):
            sh("ip", "netns", "del", ns, check=False)

    def in_sw(self, *cmd, check=True):
        return sh("ip", "netns", "exec", self.sw, *cmd, check=check)


def capture_open(topo):
    socks = {}
    for e in ENDS:
        def opener():
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                              socket.htons(ETH_P_ALL))
            s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
            s.bind(("eth0", ETH_P_ALL))
            s.setblocking(False)
            return s

        socks[e] = in_netns(topo.ns[e], opener)
    return socks


def drain(socks, quiet_s, limit_s, rx=None):
    """Collect what arrives until quiet_s passed without a frame (at most
    limit_s); frames per end, the tag put back inline."""
    rx = rx if rx is not None else {e: [] for e in socks}
    by_sock = {s: e for e, s in socks.items()}
    end = time.monotonic() + limit_s
    last = time.monotonic()
    while True:
        now = time.monotonic()
        left = min(end - now, last + quiet_s - now)
        if left <= 0:
            return rx
        ready, _, _ = select.select(list(by_sock), [], [], left)
        for s in ready:
            for data, tci, rest in recv_frames(s):
                f = data[:12]
                if tci is not None:
                    f += struct.pack("!HH", 0x8100, tci)
                rx[by_sock[s]].append(f + rest)
                last = time.monotonic()


def send(topo, frames_by_end):
    for e, frames in frames_by_end:
        def opener():
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind(("eth0", 0))
            return s

        tx = in_netns(topo.ns[e], opener)
        for f in frames:
            tx.send(f)
            time.sleep(0.002)
        tx.close()


# ---- fhswd -----------------------------------------------------------------------------------


class Switch:
    def __init__(self, args, topo, backend, work, base):
        self.args, self.topo, self.backend = args, topo, backend
        self.work = work
        self.base = base
        self.addr = "127.0.0.1:%d" % (50300 + os.getpid() % 500)
        self.proc = None

    def config(self, sc=None):
        c = json.loads(json.dumps(self.base))
        for i, p in enumerate(c["ports"]):
            p["device"] = (f"net_af_packet{i}" if self.backend == "dpdk"
                           else "sw" + p["name"])
        c["hal"] = {"backend": self.backend}
        if sc is not None:
            c["name"] = sc["name"]
            c["flows"] = sc.get("flows", [])
            for part in ("l2", "ptp", "combine_groups"):
                if part in sc:
                    c[part] = sc[part]
            # a port's dialect (eaxc_layout, uplane_comp) by port name
            for p in c["ports"]:
                p.update(sc.get("port_dialects", {}).get(p["name"], {}))
        return c

    def start(self):
        path = os.path.join(self.work, f"{self.backend}.json")
        with open(path, "w") as f:
            json.dump(self.config(), f)
        cmd = ["ip", "netns", "exec", self.topo.sw, self.args.fhswd]
        if self.backend == "dpdk":
            cmd += ["--no-huge", "-m", "128", "--no-pci", "--file-prefix",
                    f"fhc{os.getpid()}", "-l", "0", "--log-level=error"]
            for i, p in enumerate(self.base["ports"]):
                cmd += ["--vdev", f"net_af_packet{i},iface=sw{p['name']},"
                        "framecnt=2048"]
            cmd += ["--"]
        cmd += ["--config", path, "--grpc", self.addr]
        self.log = open(os.path.join(self.work, f"fhswd-{self.backend}.log"), "w+")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            r = self.fhctl("health", check=False)
            if r.returncode == 0 and "SERVING" in r.stdout:
                return True
            time.sleep(0.2)
        return False

    def stop(self):
        if self.proc is None:
            return None
        self.proc.terminate()
        try:
            rc = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        return rc

    def log_tail(self, n=15):
        self.log.flush()
        self.log.seek(0)
        return "".join(self.log.readlines()[-n:])

    def fhctl(self, *args, check=False):
        return self.topo.in_sw(self.args.fhctl, "-s", self.addr, "--timeout", "10",
                               *args, check=check)

    def commit(self, cfg):
        path = os.path.join(self.work, "commit.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        return self.fhctl("config", "commit", path)

    def version(self):
        r = self.fhctl("--json", "config", "get")
        return int(json.loads(r.stdout).get("version", 0)) if r.returncode == 0 else -1

    def counters(self):
        r = self.fhctl("--json", "counters")
        if r.returncode != 0:
            return {}
        out = {}
        for f in json.loads(r.stdout).get("flows", []):
            out[f["name"]] = {k: int(f.get(k, 0)) for k in COUNTERS}
        return out


# ---- one scenario ------------------------------------------------------------------------------


def run_scenario(suite, sw, socks, tpl, sc, index, quiet_s):
    """Returns what the scenario did on this backend (for the cross-check):
    {"refused": msg} or {"rx": {end: [hex]}, "counters": {...}}."""
    be, name = sw.backend, sc["name"]
    refusal = sc.get("refused", {}).get(be)
    v0 = sw.version()
    r = sw.commit(sw.config(sc))
    if refusal is not None:
        want = f"{refusal['status']}: "
        suite.check(r.returncode == 4 and want in r.stderr and
                    refusal["message"] in r.stderr,
                    f"{be} {name}: commit refused with {refusal['status']}",
                    f"want: {want}...{refusal['message']}",
                    f"got (exit {r.returncode}): {r.stderr.strip()}")
        suite.check(sw.version() == v0, f"{be} {name}: running config kept "
                    f"(version {v0})", f"version now {sw.version()}")
        return {"refused": r.stderr.strip()}
    if not suite.check(r.returncode == 0, f"{be} {name}: commit",
                       r.stderr.strip(), sw.log_tail()):
        return {"error": r.stderr.strip()}

    # frames: copy k of send[i] is unique to this scenario and copy
    tag = (index * 16) & 0xFF
    sent = []
    for i, s in enumerate(sc["send"]):
        sent.append([build(s["frame"], tpl, tag + i * 4, k)
                     for k in range(s.get("count", 1))])
    want = {e: [] for e in ENDS}
    for x in sc.get("expect", []):
        change = {k: v for k, v in x.items() if k not in ("to", "send")}
        want[x["to"]] += [(x["send"], k, expected(f, change))
                          for k, f in enumerate(sent[x["send"]])]
    for e in ENDS:
        want[e] = [f for _, _, f in sorted(want[e], key=lambda t: (t[0], t[1]))]

    before = sw.counters()
    drain(socks, 0.05, 0.5)  # anything left over from before
    rx = {e: [] for e in ENDS}
    for i, s in enumerate(sc["send"]):
        send(sw.topo, [(s["from"], sent[i])])
        if i + 1 < len(sc["send"]):
            # a later group may depend on this one having passed (MAC
            # learning): let it through before sending the next
            drain(socks, 0.1, 2, rx)
    drain(socks, quiet_s, 10, rx)
    after = sw.counters()

    for e in ENDS:
        got = rx[e]
        detail = [f"want {len(want[e])}:"] + ["  " + describe(f) for f in want[e]]
        detail += [f"got {len(got)}:"] + ["  " + describe(f) for f in got]
        if got != want[e] and len(got) == len(want[e]):
            for a, b in zip(want[e], got):
                if a != b:
                    detail += ["first difference:", "  want " + a.hex(),
                               "  got  " + b.hex()]
                    break
        suite.check(got == want[e],
                    f"{be} {name}: {e} got {len(want[e])} frame(s) as expected",
                    *detail)
    deltas = {}
    for flow, want_c in sc.get("counters", {}).items():
        d = {k: after.get(flow, {}).get(k, 0) - before.get(flow, {}).get(k, 0)
             for k in COUNTERS}
        deltas[flow] = d
        suite.check(all(d[k] == want_c[k] for k in want_c),
                    f"{be} {name}: counters of {flow} {want_c}", f"got {d}")
    return {"rx": {e: [f.hex() for f in rx[e]] for e in ENDS}, "counters": deltas}


# ---- main ---------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--backend", default="both",
                    choices=("dpdk", "switchdev", "both"))
    ap.add_argument("--scenarios", default=os.path.join(HERE, "scenarios"))
    ap.add_argument("--only")
    ap.add_argument("--quiet-s", type=float, default=0.5,
                    help="a capture ends after this long without a frame")
    args = ap.parse_args()
    args.fhswd = os.path.join(args.build, "bin", "fhswd")
    args.fhctl = os.path.join(args.build, "bin", "fhctl")
    if os.geteuid() != 0:
        sys.exit("conformance.py: needs root (network namespaces)")

    with open(os.path.join(HERE, "base.json")) as f:
        base = json.load(f)
    scenarios = []
    for path in sorted(glob.glob(os.path.join(args.scenarios, "*.json"))):
        with open(path) as f:
            sc = json.load(f)
        sc["name"] = os.path.basename(path)[:-5]
        if args.only is None or args.only in sc["name"]:
            scenarios.append(sc)
    backends = ["dpdk", "switchdev"] if args.backend == "both" else [args.backend]

    suite = Suite()
    results = {}
    topo = Topology(os.getpid())
    with tempfile.TemporaryDirectory(prefix="fhconf.") as work:
        tpl = templates(args.fhctl, work)
        try:
            topo.up()
            socks = capture_open(topo)
            for be in backends:
                sw = Switch(args, topo, be, work, base)
                t0 = time.monotonic()
                if not suite.check(sw.start(), f"{be}: fhswd up, gRPC serving",
                                   sw.log_tail()):
                    sw.stop()
                    continue
                print(f"# {be}: up in {time.monotonic() - t0:.1f} s", flush=True)
                results[be] = {}
                try:
                    for i, sc in enumerate(scenarios):
                        results[be][sc["name"]] = run_scenario(
                            suite, sw, socks, tpl, sc, i, args.quiet_s)
                finally:
                    # an exception in a scenario must not leave fhswd
                    # polling after the run (it once did, for an hour)
                    rc = sw.stop()
                suite.check(rc == 0, f"{be}: fhswd stops with exit 0",
                            f"exit {rc}", sw.log_tail())
        finally:
            topo.down()

    if len(results) == 2:
        same = 0
        for sc in scenarios:
            a = results["dpdk"].get(sc["name"], {})
            b = results["switchdev"].get(sc["name"], {})
            if "rx" not in a or "rx" not in b:
                continue
            same += suite.check(a == b, f"{sc['name']}: identical frames and "
                                "counters on dpdk and switchdev",
                                f"dpdk: {a}", f"switchdev: {b}")
        n_ref = sum("refused" in results["switchdev"].get(sc["name"], {})
                    for sc in scenarios)
        print(f"# {same} scenario(s) identical on both backends, "
              f"{n_ref} refused by switchdev as documented")
    print(f"{suite.passed} passed, {suite.failed} failed")
    return 0 if suite.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
