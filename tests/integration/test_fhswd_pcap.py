#!/usr/bin/env python3
"""fhswd end to end on DPDK pcap vdevs, checked packet by packet.

Each case writes input captures (from `fhctl gen`, sometimes edited, or
hand-crafted here), runs fhswd on net_pcap vdevs with --clock pcap and
--exit-when-idle, then reads every port's output capture and compares it
frame by frame with what the case predicts: which port, which header
rewrites, every other byte unchanged.  The counters written with
--counters-json are compared exactly.

Cases: eAxC split DL, UL merge, VLAN/PCP rewrite, eAxC layout translation
and set_eaxc_id, MAC rewrite, DL replication, drop, eCPRI over UDP/IPv4,
malformed packets, L2 bridging of non-eCPRI traffic, early/on-time/late
window counters, bad config file; then 13-15, regressions for bugs found
while this test was written (UDP checksum after an eAxC rewrite, MAC aging
when time steps back, short eCPRI runts).

Python 3 standard library only:

    test_fhswd_pcap.py --fhswd build/bin/fhswd --fhctl build/bin/fhctl \
        --workdir /tmp/fhswd-pcap

Prints one PASS/FAIL line per case, then "N passed, M failed"; exits 1 if
any case failed.

Ordering assumption (case 10 only): fhswd runs on one lcore (-l 0) and
polls the ports in config order, each rx_burst taking everything queued
(< 32 frames), so every frame of port 0 is switched before any frame of
port 1, and so on.
"""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import time
import traceback

PCAP_MAGIC_US = 0xA1B2C3D4
PCAP_MAGIC_NS = 0xA1B23C4D

ETH_VLAN = 0x8100
ETH_ECPRI = 0xAEFE
ETH_IPV4 = 0x0800
ETH_ARP = 0x0806

T0 = 1700000000  # fhctl gen's default start (Unix seconds)

ARGS = None

# ---- pcap ---------------------------------------------------------------------


def read_pcap(path):
    """[(ts_ns, frame bytes)] of a classic pcap in either precision/endianness."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError(f"{path}: {len(data)} bytes, no pcap header")
    for endian in "<>":
        magic = struct.unpack(endian + "I", data[:4])[0]
        if magic in (PCAP_MAGIC_US, PCAP_MAGIC_NS):
            break
    else:
        raise ValueError(f"{path}: bad pcap magic {data[:4].hex()}")
    mult = 1 if magic == PCAP_MAGIC_NS else 1000
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        raise ValueError(f"{path}: link type {linktype}, expected 1 (Ethernet)")
    out = []
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError(f"{path}: truncated record header at {off}")
        sec, frac, incl, orig = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        if off + incl > len(data):
            raise ValueError(f"{path}: truncated record at {off}")
        out.append((sec * 1_000_000_000 + frac * mult, data[off:off + incl]))
        off += incl
    return out


def write_pcap(path, pkts):
    """Write [(ts_ns, frame)] as a nanosecond pcap."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", PCAP_MAGIC_NS, 2, 4, 0, 0, 65535, 1))
        for ts, fr in pkts:
            f.write(struct.pack("<IIII", ts // 1_000_000_000,
                                ts % 1_000_000_000, len(fr), len(fr)))
            f.write(fr)


# ---- frames -------------------------------------------------------------------


def be16(b, o):
    return b[o] << 8 | b[o + 1]


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def mac_str(b):
    return ":".join(f"{x:02x}" for x in b)


class Frame:
    """The headers fhswd looks at; offsets into the original bytes."""

    def __init__(self, b):
        self.b = bytes(b)
        self.dst, self.src = self.b[0:6], self.b[6:12]
        self.tci = None
        et = be16(self.b, 12)
        off = 14
        if et == ETH_VLAN:
            self.tci = be16(self.b, 14)
            et = be16(self.b, 16)
            off = 18
        self.ethertype = et
        self.l3 = off
        self.ecpri = None   # offset of the eCPRI common header
        self.udp_dport = None
        if et == ETH_ECPRI:
            self.ecpri = off
        elif et == ETH_IPV4 and len(self.b) >= off + 20:
            ihl = (self.b[off] & 0xF) * 4
            if self.b[off + 9] == 17:
                u = off + ihl
                self.udp_dport = be16(self.b, u + 2)
                self.ecpri = u + 8
        e = self.ecpri
        self.msg_type = self.eaxc = self.seq = self.plane = self.dl = None
        if e is not None and len(self.b) >= e + 12:
            self.revision = self.b[e] >> 4
            self.msg_type = self.b[e + 1]
            self.payload_size = be16(self.b, e + 2)
            self.eaxc = be16(self.b, e + 4)
            self.seq = self.b[e + 6]
            if self.msg_type in (0, 2):
                self.plane = "U" if self.msg_type == 0 else "C"
                self.dl = bool(self.b[e + 8] & 0x80)

    @property
    def vid(self):
        return None if self.tci is None else self.tci & 0xFFF

    @property
    def pcp(self):
        return None if self.tci is None else self.tci >> 13

    def key(self):
        return f"{self.plane}/{'DL' if self.dl else 'UL'} eaxc 0x{self.eaxc:04x} seq {self.seq}"


# expected rewrites, computed from the input bytes

def with_tag(b, vid=None, pcp=None):
    """fhswd's set_vlan_id/set_pcp: rewrite the tag, or insert one."""
    f = Frame(b)
    if f.tci is None:
        tci = (pcp or 0) << 13 | (vid or 0)
        return b[:12] + struct.pack(">HH", ETH_VLAN, tci) + b[12:]
    tci = f.tci
    if vid is not None:
        tci = tci & 0xF000 | vid
    if pcp is not None:
        tci = tci & 0x1FFF | pcp << 13
    return b[:14] + struct.pack(">H", tci) + b[16:]


def with_macs(b, src=None, dst=None):
    b = bytearray(b)
    if dst is not None:
        b[0:6] = mac(dst)
    if src is not None:
        b[6:12] = mac(src)
    return bytes(b)


def with_eaxc(b, eaxc):
    f = Frame(b)
    b = bytearray(b)
    struct.pack_into(">H", b, f.ecpri + 4, eaxc)
    return bytes(b)


def eaxc_translate(eaxc, frm, to):
    """Field-by-field eAxC translation between layouts (du, bs, cc, ru)."""
    vals = []
    shift = 16
    for w in frm:
        shift -= w
        vals.append(eaxc >> shift & ((1 << w) - 1))
    out = 0
    for v, w in zip(vals, to):
        if v >> w:
            return None  # does not fit: fhswd must not truncate
        out = out << w | v
    return out


def eaxc_join(layout, du, bs, cc, ru):
    out = 0
    for v, w in zip((du, bs, cc, ru), layout):
        assert v < 1 << w
        out = out << w | v
    return out


def pad60(b):
    return b + bytes(max(0, 60 - len(b)))


def ipv4_udp(src_mac, dst_mac, src_ip, dst_ip, payload, sport=40000, dport=9):
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     bytes(src_ip), bytes(dst_ip))
    s = sum(struct.unpack(">10H", ip))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    ip = ip[:10] + struct.pack(">H", ~s & 0xFFFF) + ip[12:]
    return pad60(mac(dst_mac) + mac(src_mac) + struct.pack(">H", ETH_IPV4) + ip + udp)


def arp(op, src_mac, dst_mac, sha, spa, tha, tpa):
    body = struct.pack(">HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, mac(sha),
                       bytes(spa), mac(tha), bytes(tpa))
    return pad60(mac(dst_mac) + mac(src_mac) + struct.pack(">H", ETH_ARP) + body)


# ---- running the tools ----------------------------------------------------------


class CaseFail(Exception):
    pass


class Checker:
    def __init__(self):
        self.fails = []

    def ok(self, cond, msg):
        if not cond:
            self.fails.append(msg)
        return cond

    def eq(self, got, want, what):
        return self.ok(got == want, f"{what}: got {got!r}, expected {want!r}")

    def frames(self, got, want, where):
        """got/want: lists of frame bytes, compared in order."""
        if got == want:
            return True
        n = min(len(got), len(want))
        for i in range(n):
            if got[i] != want[i]:
                g, w = got[i], want[i]
                j = next((k for k in range(min(len(g), len(w))) if g[k] != w[k]),
                         min(len(g), len(w)))
                desc = ""
                try:
                    desc = f" (expected {Frame(w).key()}, got {Frame(g).key()})"
                except Exception:
                    pass
                self.fails.append(
                    f"{where}: frame {i} of {len(want)} differs at byte {j} "
                    f"(len {len(g)} vs {len(w)}; got {g[j:j + 8].hex()} "
                    f"expected {w[j:j + 8].hex()}){desc}")
                return False
        self.fails.append(f"{where}: {len(got)} frames, expected {len(want)}")
        return False


def fhctl_gen(path, *opts):
    cmd = [ARGS.fhctl, "gen", "--out", path, *[str(o) for o in opts]]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise CaseFail(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    return [fr for _, fr in read_pcap(path)]


def gen(case, tag, *opts):
    """fhctl gen into the case directory; returns [(ts_ns, frame)]."""
    d = os.path.join(ARGS.workdir, case)
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, f"gen_{tag}.pcap")
    fhctl_gen(p, *opts)
    return read_pcap(p)


def base_config(name, ports, flows, l2=None):
    cfg = {
        "name": name,
        "eaxc_layout": {"du_port_bits": 4, "band_sector_bits": 4,
                        "cc_bits": 4, "ru_port_bits": 4},
        "timing": {"mu": 1},
        "ports": [{"name": p, "device": f"net_pcap{i}", "role": role}
                  for i, (p, role, _) in enumerate(ports)],
        "flows": flows,
        "l2": l2 if l2 is not None else {"learning": True, "aging_s": 300},
    }
    return cfg


class Result:
    pass


RUN_SEQ = [0]


def run_fhswd(case, ports, cfg, raw_cfg=None, expect_rc=0):
    """ports: [(name, role, [(ts_ns, frame)])].  Writes NAME_in.pcap,
    runs fhswd, returns Result with rc, stderr, counters, out[name] =
    [frame bytes] in capture order, outts[name] = [ts_ns]."""
    d = os.path.join(ARGS.workdir, case)
    os.makedirs(d, exist_ok=True)
    RUN_SEQ[0] += 1
    tag = f"run{RUN_SEQ[0]}"
    cfg_path = os.path.join(d, f"{tag}_config.json")
    with open(cfg_path, "w") as f:
        if raw_cfg is not None:
            f.write(raw_cfg)
        else:
            json.dump(cfg, f, indent=2)
    counters = os.path.join(d, f"{tag}_counters.json")
    prefix = f"fhpcap{os.getpid()}_{RUN_SEQ[0]}"
    cmd = [ARGS.fhswd, "--no-huge", "-m", "128", "--no-pci", "--file-prefix",
           prefix, "-l", "0", "--log-level=error"]
    outs = {}
    for i, (name, _, pkts) in enumerate(ports):
        rx = os.path.join(d, f"{tag}_{name}_in.pcap")
        tx = os.path.join(d, f"{tag}_{name}_out.pcap")
        for p in (tx, counters):
            if os.path.exists(p):
                os.unlink(p)
        write_pcap(rx, pkts)
        outs[name] = tx
        cmd += ["--vdev", f"net_pcap{i},rx_pcap={rx},tx_pcap={tx}"]
    cmd += ["--", "--config", cfg_path, "--exit-when-idle", "300",
            "--clock", "pcap", "--counters-json", counters]
    t0 = time.monotonic()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        raise CaseFail(f"fhswd did not exit within 60 s: {' '.join(cmd)}")
    finally:
        shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
    res = Result()
    res.cmd = " ".join(cmd)
    res.seconds = time.monotonic() - t0
    res.rc = r.returncode
    res.stderr = r.stderr
    res.counters_path = counters
    res.counters = None
    if os.path.exists(counters):
        with open(counters) as f:
            res.counters = json.load(f)
    res.out = {}
    res.outts = {}
    for name, tx in outs.items():
        if os.path.exists(tx):
            pk = read_pcap(tx)
            res.out[name] = [fr for _, fr in pk]
            res.outts[name] = [ts for ts, _ in pk]
        else:
            res.out[name] = None
    if expect_rc is not None and res.rc != expect_rc:
        raise CaseFail(f"fhswd exit {res.rc}, expected {expect_rc}: "
                       f"{res.stderr.strip()[-400:]}\n    {res.cmd}")
    if expect_rc == 0 and res.counters is None:
        raise CaseFail("fhswd wrote no counters file")
    return res


def flow_ctr(res, name):
    return res.counters["flows"][name]


def check_flow(ck, res, name, **want):
    got = flow_ctr(res, name)
    for k, v in want.items():
        ck.eq(got.get(k), v, f"flows.{name}.{k}")


def check_port(ck, res, name, **want):
    got = res.counters["ports"][name]
    for k, v in want.items():
        ck.eq(got.get(k), v, f"ports.{name}.{k}")


def frames(pkts):
    return [fr for _, fr in pkts]


def flow(name, in_port, out_ports=None, plane=None, direction=None, eaxc=None,
         mask=None, window=None, **action):
    m = {"in_port": in_port}
    if plane:
        m["plane"] = plane
    if direction:
        m["direction"] = direction
    if eaxc is not None:
        m["eaxc_id"] = eaxc
    if mask is not None:
        m["eaxc_mask"] = mask
    for k in ("vlan_id", "src_mac", "dst_mac", "udp_port"):
        if k in action:
            m[k] = action.pop(k)
    a = dict(action)
    if out_ports:
        a["out_ports"] = out_ports
    f = {"name": name, "match": m, "action": a}
    if window:
        f["window"] = {"earliest_us": window[0], "latest_us": window[1]}
    return f


EMPTY = []

# ---- the cases -------------------------------------------------------------------

# default.json (mgmt/examples): eAxC 0,1 -> ru0, 2,3 -> ru1; UL U-plane back.
DEFAULT_FLOWS = [
    flow("dl-c-ru0", "du0", ["ru0"], "PLANE_C", "DIRECTION_DL", 0, 65534, (-700, -300)),
    flow("dl-c-ru1", "du0", ["ru1"], "PLANE_C", "DIRECTION_DL", 2, 65534, (-700, -300)),
    flow("dl-u-ru0", "du0", ["ru0"], "PLANE_U", "DIRECTION_DL", 0, 65534, (-450, -150)),
    flow("dl-u-ru1", "du0", ["ru1"], "PLANE_U", "DIRECTION_DL", 2, 65534, (-450, -150)),
    flow("ul-c-ru0", "du0", ["ru0"], "PLANE_C", "DIRECTION_UL", 0, 65534),
    flow("ul-c-ru1", "du0", ["ru1"], "PLANE_C", "DIRECTION_UL", 2, 65534),
    flow("ul-u-ru0", "ru0", ["du0"], "PLANE_U", "DIRECTION_UL", window=(25, 500)),
    flow("ul-u-ru1", "ru1", ["du0"], "PLANE_U", "DIRECTION_UL", window=(25, 500)),
]
RU_OF = {0: "ru0", 1: "ru0", 2: "ru1", 3: "ru1"}


def case_split_dl(ck):
    """1. One DU stream, eAxC 0..3, DL C+U: each RU gets exactly the frames of
    its two eAxCs, in order, byte-identical; counters per flow."""
    case = "01_split_dl"
    du = gen(case, "du", "--from", "du", "--direction", "dl", "--eaxc", 4,
             "--prbs", 12, "--slots", 3)
    ports = [("du0", "ROLE_DU", du), ("ru0", "ROLE_RU", EMPTY), ("ru1", "ROLE_RU", EMPTY)]
    res = run_fhswd(case, ports, base_config(case, ports, DEFAULT_FLOWS))
    inp = [Frame(b) for b in frames(du)]
    ck.ok(all(f.dl and f.plane in "CU" for f in inp), "input is not all DL C/U")
    for ru in ("ru0", "ru1"):
        want = [f.b for f in inp if RU_OF[f.eaxc] == ru]
        ck.frames(res.out[ru], want, f"{ru} output")
    ck.eq(res.out["du0"], [], "du0 output")
    for ru in ("ru0", "ru1"):
        for pl in "CU":
            n = sum(1 for f in inp if f.plane == pl and RU_OF[f.eaxc] == ru)
            check_flow(ck, res, f"dl-{pl.lower()}-{ru}", rx_total=n,
                       rx_on_time=n, rx_early=0, rx_late=0, rx_corrupt=0,
                       rx_seqid_err=0, tx_total=n)
    check_port(ck, res, "du0", rx_packets=len(du), tx_packets=0, drops=0)
    check_port(ck, res, "ru0", tx_packets=len(res.out["ru0"] or []), drops=0)
    ck.eq(res.counters["l2"], {"forwarded": 0, "flooded": 0}, "l2")
    return f"{len(du)} DL frames split {len(res.out['ru0'])}/{len(res.out['ru1'])}"


def case_merge_ul(ck):
    """2. UL: the DU's UL C-plane is split to the RUs by eAxC; each RU's UL
    U-plane (ru0: eAxC 0,1; ru1: eAxC 2,3) comes back merged on du0, each
    RU's frames in their order, byte-identical."""
    case = "02_merge_ul"
    du = gen(case, "du", "--from", "du", "--direction", "ul", "--eaxc", 4,
             "--prbs", 12, "--slots", 3)
    r0 = [p for p in gen(case, "ru0", "--from", "ru", "--direction", "ul",
                         "--eaxc", 4, "--prbs", 12, "--slots", 3,
                         "--ru-mac", "02:00:00:70:00:01")
          if Frame(p[1]).eaxc in (0, 1)]
    r1 = [p for p in gen(case, "ru1", "--from", "ru", "--direction", "ul",
                         "--eaxc", 4, "--prbs", 12, "--slots", 3,
                         "--ru-mac", "02:00:00:70:00:02")
          if Frame(p[1]).eaxc in (2, 3)]
    ports = [("du0", "ROLE_DU", du), ("ru0", "ROLE_RU", r0), ("ru1", "ROLE_RU", r1)]
    res = run_fhswd(case, ports, base_config(case, ports, DEFAULT_FLOWS))
    got = res.out["du0"] or []
    ck.eq(len(got), len(r0) + len(r1), "du0 output frame count")
    from0 = [b for b in got if Frame(b).eaxc in (0, 1)]
    from1 = [b for b in got if Frame(b).eaxc in (2, 3)]
    ck.frames(from0, frames(r0), "du0 output, frames from ru0")
    ck.frames(from1, frames(r1), "du0 output, frames from ru1")
    ck.ok(all(Frame(b).plane == "U" and not Frame(b).dl for b in got),
          "du0 output holds something other than UL U-plane")
    # the DU's UL C-plane goes south by eAxC
    for ru in ("ru0", "ru1"):
        want = [b for b in frames(du) if RU_OF[Frame(b).eaxc] == ru]
        ck.frames(res.out[ru], want, f"{ru} output (UL C-plane)")
    for ru, src in (("ru0", r0), ("ru1", r1)):
        check_flow(ck, res, f"ul-u-{ru}", rx_total=len(src), rx_on_time=len(src),
                   rx_early=0, rx_late=0, rx_corrupt=0, rx_seqid_err=0,
                   tx_total=len(src))
        n = sum(1 for b in frames(du) if RU_OF[Frame(b).eaxc] == ru)
        check_flow(ck, res, f"ul-c-{ru}", rx_total=n, tx_total=n, rx_corrupt=0)
    check_port(ck, res, "du0", tx_packets=len(r0) + len(r1), drops=0)
    return f"{len(r0)}+{len(r1)} UL frames merged, {len(du)} UL C-plane split"


def case_vlan(ck):
    """3. du0 tagged VLAN 10 PCP 7 -> VLAN 20 PCP 5; du1 untagged with
    set_vlan_id 30 -> tag inserted (PCP 0), frame shifted by 4 bytes;
    du2 tagged VLAN 10 (DEI set) with set_pcp 3 only -> VID 10 and DEI kept;
    du3 untagged with set_vlan_id 40 + set_pcp 6."""
    case = "03_vlan_pcp"
    common = ("--from", "du", "--direction", "dl", "--eaxc", 2, "--prbs", 10,
              "--slots", 2)
    tagged = gen(case, "tagged", *common, "--vlan", 10, "--pcp", 7)
    untagged = gen(case, "untagged", *common)
    dei = []
    for ts, b in tagged:  # same stream with DEI set
        b = bytearray(b)
        b[14] |= 0x10
        dei.append((ts, bytes(b)))
    ck.ok(all(Frame(b).vid == 10 and Frame(b).pcp == 7 for _, b in tagged),
          "gen --vlan 10 --pcp 7 did not tag VLAN 10 PCP 7")
    ck.ok(all(Frame(b).tci is None for _, b in untagged), "untagged input has a tag")
    flows = [
        flow("retag", "du0", ["ru0"], vlan_id=10, set_vlan_id=20, set_pcp=5),
        flow("insert", "du1", ["ru1"], set_vlan_id=30),
        flow("pcp-only", "du2", ["ru2"], vlan_id=10, set_pcp=3),
        flow("insert-pcp", "du3", ["ru3"], set_vlan_id=40, set_pcp=6),
    ]
    ports = [("du0", "ROLE_DU", tagged), ("du1", "ROLE_DU", untagged),
             ("du2", "ROLE_DU", dei), ("du3", "ROLE_DU", untagged),
             ("ru0", "ROLE_RU", EMPTY), ("ru1", "ROLE_RU", EMPTY),
             ("ru2", "ROLE_RU", EMPTY), ("ru3", "ROLE_RU", EMPTY)]
    res = run_fhswd(case, ports, base_config(case, ports, flows))
    ck.frames(res.out["ru0"], [with_tag(b, 20, 5) for b in frames(tagged)],
              "ru0 (VLAN 10 -> 20, PCP 7 -> 5)")
    want1 = [with_tag(b, 30, None) for b in frames(untagged)]
    ck.frames(res.out["ru1"], want1, "ru1 (tag VLAN 30 PCP 0 inserted)")
    for g, b in zip(res.out["ru1"] or [], frames(untagged)):
        if not (len(g) == len(b) + 4 and g[:12] == b[:12] and g[16:] == b[12:]
                and be16(g, 12) == ETH_VLAN and be16(g, 14) & 0xFFF == 30):
            ck.ok(False, "ru1: inserted tag is not bytes 12..15 with the rest shifted by 4")
            break
    ck.frames(res.out["ru2"], [with_tag(b, None, 3) for b in frames(dei)],
              "ru2 (set_pcp 3 only: VID 10 and DEI kept)")
    ck.ok(all(Frame(b).tci == (3 << 13 | 0x1000 | 10) for b in res.out["ru2"] or []),
          "ru2: TCI is not PCP 3 DEI 1 VID 10")
    ck.frames(res.out["ru3"], [with_tag(b, 40, 6) for b in frames(untagged)],
              "ru3 (tag VLAN 40 PCP 6 inserted)")
    n = len(tagged)
    for fl in ("retag", "insert", "pcp-only", "insert-pcp"):
        check_flow(ck, res, fl, rx_total=n, tx_total=n, rx_corrupt=0, rx_seqid_err=0)
    for p in ("du0", "du1", "du2", "du3"):
        check_port(ck, res, p, rx_packets=n, drops=0)
    return f"4 x {n} frames re-tagged"


def case_eaxc(ck):
    """4. translate_eaxc_layout 4/4/4/4 -> 2/6/4/4 on eAxC (du 1, bs 2, cc 3,
    ru k); an eAxC whose du_port (5) does not fit 2 bits is dropped, not
    truncated; set_eaxc_id on the exact eAxC 1 (wildcard flow for the rest)."""
    case = "04_eaxc"
    src = gen(case, "du", "--from", "du", "--direction", "dl", "--eaxc", 4,
              "--prbs", 10, "--slots", 2)
    L4444, L2644 = (4, 4, 4, 4), (2, 6, 4, 4)
    fit = [(ts, with_eaxc(b, eaxc_join(L4444, 1, 2, 3, Frame(b).eaxc)))
           for ts, b in src]
    nofit = [(ts, with_eaxc(b, eaxc_join(L4444, 5, 2, 3, Frame(b).eaxc)))
             for ts, b in src]
    xl = {"du_port_bits": 2, "band_sector_bits": 6, "cc_bits": 4, "ru_port_bits": 4}
    flows = [
        flow("xlate", "du0", ["ru0"], translate_eaxc_layout=xl),
        flow("xlate-nofit", "du1", ["ru1"], translate_eaxc_layout=xl),
        flow("set-eaxc", "du2", ["ru2"], eaxc=1, mask=65535, set_eaxc_id=0x00A5),
        flow("keep-eaxc", "du2", ["ru2"]),
    ]
    ports = [("du0", "ROLE_DU", fit), ("du1", "ROLE_DU", nofit),
             ("du2", "ROLE_DU", src), ("ru0", "ROLE_RU", EMPTY),
             ("ru1", "ROLE_RU", EMPTY), ("ru2", "ROLE_RU", EMPTY)]
    res = run_fhswd(case, ports, base_config(case, ports, flows))
    want0 = []
    for b in frames(fit):
        new = eaxc_translate(Frame(b).eaxc, L4444, L2644)
        want0.append(with_eaxc(b, new))
    # e.g. 0x1232 (1/2/3/2 in 4/4/4/4) -> 0x4232 (1/2/3/2 in 2/6/4/4)
    ck.eq(eaxc_translate(0x1232, L4444, L2644), 0x4232, "test's own translation")
    ck.frames(res.out["ru0"], want0, "ru0 (4/4/4/4 -> 2/6/4/4)")
    ck.eq(res.out["ru1"], [], "ru1 (du_port 5 does not fit 2 bits: dropped)")
    want2 = [with_eaxc(b, 0x00A5) if Frame(b).eaxc == 1 else b for b in frames(src)]
    ck.frames(res.out["ru2"], want2, "ru2 (eAxC 1 -> 0x00a5, others kept)")
    n = len(src)
    n1 = sum(1 for b in frames(src) if Frame(b).eaxc == 1)
    check_flow(ck, res, "xlate", rx_total=n, tx_total=n)
    check_flow(ck, res, "xlate-nofit", rx_total=n, tx_total=0)
    check_flow(ck, res, "set-eaxc", rx_total=n1, tx_total=n1)
    check_flow(ck, res, "keep-eaxc", rx_total=n - n1, tx_total=n - n1)
    check_port(ck, res, "du1", rx_packets=n, drops=n)
    return f"{n} frames translated, {n1} eAxC set"


def case_mac(ck):
    """5. set_src_mac + set_dst_mac on du0 -> ru0; set_dst_mac only on
    du1 -> ru1 (source MAC kept)."""
    case = "05_mac"
    du = gen(case, "du", "--from", "du", "--direction", "dl", "--eaxc", 2,
             "--prbs", 10, "--slots", 2, "--vlan", 7)
    S, D = "02:aa:bb:cc:dd:01", "02:11:22:33:44:55"
    flows = [flow("both-macs", "du0", ["ru0"], set_src_mac=S, set_dst_mac=D),
             flow("dst-mac", "du1", ["ru1"], set_dst_mac=D)]
    ports = [("du0", "ROLE_DU", du), ("du1", "ROLE_DU", du),
             ("ru0", "ROLE_RU", EMPTY), ("ru1", "ROLE_RU", EMPTY)]
    res = run_fhswd(case, ports, base_config(case, ports, flows))
    ck.frames(res.out["ru0"], [with_macs(b, S, D) for b in frames(du)], "ru0 (src+dst MAC)")
    ck.frames(res.out["ru1"], [with_macs(b, None, D) for b in frames(du)], "ru1 (dst MAC)")
    check_flow(ck, res, "both-macs", rx_total=len(du), tx_total=len(du))
    check_flow(ck, res, "dst-mac", rx_total=len(du), tx_total=len(du))
    return f"2 x {len(du)} frames"


def case_replicate(ck):
    """6. out_ports [ru0, ru1]: both get every DL frame, byte-identical, in
    order; tx_total = 2 x rx_total.  A second flow replicates with a tag
    insert to [ru2, ru3]: both copies carry the rewrite."""
    case = "06_replicate"
    du = gen(case, "du", "--from", "du", "--direction", "dl", "--eaxc", 4,
             "--prbs", 12, "--slots", 2)
    flows = [flow("fhm-copy", "du0", ["ru0", "ru1"], direction="DIRECTION_DL"),
             flow("fhm-copy-tag", "du1", ["ru2", "ru3"], direction="DIRECTION_DL",
                  set_vlan_id=50, set_pcp=7)]
    ports = [("du0", "ROLE_DU", du), ("du1", "ROLE_DU", du),
             ("ru0", "ROLE_RU", EMPTY), ("ru1", "ROLE_RU", EMPTY),
             ("ru2", "ROLE_RU", EMPTY), ("ru3", "ROLE_RU", EMPTY)]
    res = run_fhswd(case, ports, base_config(case, ports, flows))
    ck.frames(res.out["ru0"], frames(du), "ru0 copy")
    ck.frames(res.out["ru1"], frames(du), "ru1 copy")
    tagged = [with_tag(b, 50, 7) for b in frames(du)]
    ck.frames(res.out["ru2"], tagged, "ru2 tagged copy")
    ck.frames(res.out["ru3"], tagged, "ru3 tagged copy")
    n = len(du)
    check_flow(ck, res, "fhm-copy", rx_total=n, tx_total=2 * n)
    check_flow(ck, res, "fhm-copy-tag", rx_total=n, tx_total=2 * n)
    for p in ("ru0", "ru1", "ru2", "ru3"):
        check_port(ck, res, p, tx_packets=n, drops=0)
    return f"{n} frames x 2 ports, twice"


def case_drop(ck):
    """7. drop: nothing out on any port, rx_total counts every frame."""
    case = "07_drop"
    du = gen(case, "du", "--from", "du", "--direction", "dl", "--eaxc", 2,
             "--prbs", 10, "--slots", 2)
    flows = [flow("drop-all", "du0", None, drop=True)]
    ports = [("du0", "ROLE_DU", du), ("ru0", "ROLE_RU", EMPTY), ("ru1", "ROLE_RU", EMPTY)]
    res = run_fhswd(case, ports, base_config(case, ports, flows))
    for p in ("du0", "ru0", "ru1"):
        ck.eq(res.out[p], [], f"{p} output")
    check_flow(ck, res, "drop-all", rx_total=len(du), tx_total=0, rx_corrupt=0)
    check_port(ck, res, "du0", rx_packets=len(du))
    ck.eq(res.counters["l2"], {"forwarded": 0, "flooded": 0}, "l2")
    return f"{len(du)} frames dropped"


def case_udp(ck):
    """8. eCPRI over UDP/IPv4 port 50000, split by eAxC like case 1."""
    case = "08_udp"
    du = gen(case, "du", "--from", "du", "--direction", "dl", "--eaxc", 4,
             "--prbs", 10, "--slots", 2, "--udp", 50000)
    inp = [Frame(b) for b in frames(du)]
    ck.ok(all(f.udp_dport == 50000 and f.plane in "CU" for f in inp),
          "gen --udp 50000 did not write eCPRI in UDP to port 50000")
    flows = [flow("udp-ru0", "du0", ["ru0"], eaxc=0, mask=65534, udp_port=50000),
             flow("udp-ru1", "du0", ["ru1"], eaxc=2, mask=65534, udp_port=50000)]
    ports = [("du0", "ROLE_DU", du), ("ru0", "ROLE_RU", EMPTY), ("ru1", "ROLE_RU", EMPTY)]
    res = run_fhswd(case, ports, base_config(case, ports, flows))
    for ru in ("ru0", "ru1"):
        want = [f.b for f in inp if RU_OF[f.eaxc] == ru]
        ck.frames(res.out[ru], want, f"{ru} output")
        # no window: its timing counters do not exist (null), they are
        # not 0
        check_flow(ck, res, f"udp-{ru}", rx_total=len(want), tx_total=len(want),
                   rx_corrupt=0, rx_on_time=None, rx_early=None, rx_late=None,
                   rx_late_local=None)
        ck.ok("rx_on_time" in flow_ctr(res, f"udp-{ru}"),
              f"flows.udp-{ru}.rx_on_time is listed (as null)")
    # a pcap port reports what it drops: drops is known
    check_port(ck, res, "du0", drops=0)
    ck.eq(res.counters["l2"], {"forwarded": 0, "flooded": 0}, "l2 (nothing bridged)")
    return f"{len(du)} UDP frames split"


def bad_frames(valid):
    """Malformed frames built from valid ones (untagged, eCPRI over Ethernet)."""
    u = next(b for b in valid if Frame(b).plane == "U")
    c = next(b for b in valid if Frame(b).plane == "C")
    e = 14
    big = bytearray(u)  # payload size 100 bytes past the end of the frame
    struct.pack_into(">H", big, e + 2, len(u) - e - 4 + 100)
    rev2 = bytearray(u)  # eCPRI revision 2
    rev2[e] = 0x20 | rev2[e] & 0x0F
    # C-plane type 1: common hdr 4, ids 4, radio 4, numSections/type/udComp/res 4,
    # then the 8-byte section; set ef and append an extension with extLen 0
    assert c[e + 1] == 2 and c[e + 13] == 1, "expected a C-plane type 1 frame"
    sec = e + 16
    size = be16(c, e + 2)
    ext0 = bytearray(c[:e + 4 + size])
    ext0[sec + 6] |= 0x80
    ext0 += bytes([0x06, 0x00, 0x00, 0x00])  # ef 0, extType 6, extLen 0
    struct.pack_into(">H", ext0, e + 2, size + 4)
    ext0 = pad60(bytes(ext0))
    runt = mac("02:00:00:70:00:01") + mac("02:00:00:d0:00:01") + b"\xae\xfe\x10\x00"
    assert len(runt) == 16
    # U-plane whose section claims more PRBs than the message carries: one
    # PRB more than present, and the message cut 5 bytes short (issue 14)
    assert u[e + 1] == 0 and u[e + 15] > 0, "expected a U-plane frame"
    more = bytearray(u)
    more[e + 15] += 1
    usize = be16(u, e + 2)
    cut = bytearray(u[:e + 4 + usize - 5])
    struct.pack_into(">H", cut, e + 2, usize - 5)
    cut = pad60(bytes(cut))
    # the red-team frame: numPrb 2 with 3 bytes of IQ
    redteam = bytes.fromhex("020000000002020000000001aefe1000001000000080900000"
                            "000000000002000000")
    redteam = mac("02:00:00:70:00:01") + mac("02:00:00:d0:00:01") + redteam[12:]
    return {"payload-size": bytes(big), "revision-2": bytes(rev2),
            "extlen-0": ext0, "runt-16": runt, "uplane-prb-more": bytes(more),
            "uplane-cut": cut, "uplane-redteam": pad60(redteam)}


def case_malformed(ck):
    """9. Seven malformed frames mixed into a valid DL stream: the flow's
    rx_corrupt counts the classifiable ones, port drops count all, none is
    forwarded anywhere, every valid frame is, fhswd exits 0."""
    case = "09_malformed"
    du = gen(case, "du", "--from", "du", "--direction", "dl", "--eaxc", 2,
             "--prbs", 10, "--slots", 2)
    bad = bad_frames(frames(du))
    # cross-check with fhctl decode that each classifiable one is malformed
    mixed = list(du)
    at = {"payload-size": 3, "revision-2": 10, "extlen-0": 20, "runt-16": 25,
          "uplane-prb-more": 5, "uplane-cut": 14, "uplane-redteam": 30}
    for name, pos in sorted(at.items(), key=lambda x: -x[1]):
        mixed.insert(pos, (mixed[pos][0], bad[name]))
    flows = [flow("dl-c", "du0", ["ru0"], "PLANE_C", "DIRECTION_DL", window=(-700, -300)),
             flow("dl-u", "du0", ["ru0"], "PLANE_U", "DIRECTION_DL", window=(-450, -150))]
    ports = [("du0", "ROLE_DU", mixed), ("ru0", "ROLE_RU", EMPTY), ("ru1", "ROLE_RU", EMPTY)]
    res = run_fhswd(case, ports, base_config(case, ports, flows))
    ck.frames(res.out["ru0"], frames(du), "ru0 (valid frames only)")
    for p in ("du0", "ru1"):
        ck.eq(res.out[p], [], f"{p} output")
    allout = sum((res.out[p] or [] for p in res.out), [])
    for name, b in bad.items():
        ck.ok(b not in allout, f"malformed frame {name} was forwarded")
    nc = sum(1 for b in frames(du) if Frame(b).plane == "C")
    nu = len(du) - nc
    check_flow(ck, res, "dl-u", rx_total=nu + 5, rx_corrupt=5, rx_on_time=nu,
               rx_early=0, rx_late=0, rx_seqid_err=0, tx_total=nu)
    check_flow(ck, res, "dl-c", rx_total=nc + 1, rx_corrupt=1, rx_on_time=nc,
               rx_seqid_err=0, tx_total=nc)
    check_port(ck, res, "du0", rx_packets=len(mixed), drops=len(bad))
    ck.eq(res.counters["l2"], {"forwarded": 0, "flooded": 0}, "l2 (nothing bridged)")
    return f"{len(du)} valid forwarded, {len(bad)} malformed dropped"


def case_l2(ck):
    """10. Non-eCPRI frames bridged with MAC learning: A (du0) ARP request
    broadcast and A->B unknown unicast are flooded to ru0 and ru1; B's (ru0)
    ARP reply and IPv4 to A go to du0 only; C (ru1) -> B goes to ru0 only,
    C -> A to du0 only.  l2.flooded 2, l2.forwarded 4."""
    case = "10_l2"
    A, B, C = "02:00:00:00:0a:01", "02:00:00:00:0b:02", "02:00:00:00:0c:03"
    ipA, ipB, ipC = (10, 1, 0, 1), (10, 1, 0, 2), (10, 1, 0, 3)
    BC = "ff:ff:ff:ff:ff:ff"
    t = T0 * 1_000_000_000
    arp_req = arp(1, A, BC, A, ipA, "00:00:00:00:00:00", ipB)
    a_b = ipv4_udp(A, B, ipA, ipB, b"a to b")
    arp_rep = arp(2, B, A, B, ipB, A, ipA)
    b_a = ipv4_udp(B, A, ipB, ipA, b"b to a")
    c_b = ipv4_udp(C, B, ipC, ipB, b"c to b")
    c_a = ipv4_udp(C, A, ipC, ipA, b"c to a")
    ports = [("du0", "ROLE_DU", [(t, arp_req), (t + 1000, a_b)]),
             ("ru0", "ROLE_RU", [(t + 2000, arp_rep), (t + 3000, b_a)]),
             ("ru1", "ROLE_RU", [(t + 4000, c_b), (t + 5000, c_a)])]
    flows = [flow("dl-u", "du0", ["ru0"], "PLANE_U", "DIRECTION_DL")]
    res = run_fhswd(case, ports, base_config(case, ports, flows))
    ck.frames(res.out["ru0"], [arp_req, a_b, c_b], "ru0")
    ck.frames(res.out["ru1"], [arp_req, a_b], "ru1")
    ck.frames(res.out["du0"], [arp_rep, b_a, c_a], "du0")
    ck.eq(res.counters["l2"], {"forwarded": 4, "flooded": 2}, "l2")
    check_port(ck, res, "du0", rx_packets=2, tx_packets=3, drops=0)
    check_port(ck, res, "ru0", rx_packets=2, tx_packets=3, drops=0)
    check_port(ck, res, "ru1", rx_packets=2, tx_packets=2, drops=0)
    check_flow(ck, res, "dl-u", rx_total=0)
    return "flood 2, forward 4"


def case_window(ck):
    """11. Window [-450, -150] us on DL U-plane, one stream per DU port with
    --dl-advance-us 100/149 (late), 150/300/450 (on time, inclusive edges),
    451/600 (early); counters exact.

    With --clock pcap the arrival time is the capture timestamp cut to
    microseconds by the pcap PMD; the switch compares it against the air
    time cut the same way, so the edges are exact."""
    case = "11_window"
    expect = [(100, "late"), (149, "late"), (150, "on_time"), (300, "on_time"),
              (450, "on_time"), (451, "early"), (600, "early")]
    ports, flows = [], []
    for i, (adv, _) in enumerate(expect):
        s = [p for p in gen(case, f"adv{adv}", "--from", "du", "--direction", "dl",
                            "--eaxc", 2, "--prbs", 10, "--slots", 2,
                            "--dl-advance-us", adv)
             if Frame(p[1]).plane == "U"]
        ports.append((f"du{i}", "ROLE_DU", s))
        flows.append(flow(f"adv{adv}", f"du{i}", ["ru0"], "PLANE_U", "DIRECTION_DL",
                          window=(-450, -150)))
    ports.append(("ru0", "ROLE_RU", EMPTY))
    res = run_fhswd(case, ports, base_config(case, ports, flows))
    total = 0
    for i, (adv, cls) in enumerate(expect):
        n = len(ports[i][2])
        total += n
        # replayed: the capture time is exact, nothing is late_local
        want = {"rx_total": n, "rx_on_time": 0, "rx_early": 0, "rx_late": 0,
                "rx_late_local": 0, "rx_corrupt": 0, "tx_total": n}
        want["rx_" + cls] = n
        check_flow(ck, res, f"adv{adv}", **want)
    ck.eq(len(res.out["ru0"] or []), total, "ru0 frames (every frame forwarded)")
    if ck.fails:
        # Diagnosis: does the result match the arrival time cut to whole
        # microseconds (the pcap PMD's resolution) compared with the
        # nanosecond air time?  (the mistake this case first caught)
        for i, (adv, cls) in enumerate(expect):
            pred = {"on_time": 0, "early": 0, "late": 0}
            for ts, _ in ports[i][2]:
                air = ts + adv * 1000  # gen: sent exactly adv us before air
                off = ts // 1000 * 1000 - air
                pred["early" if off < -450000 else "late" if off > -150000
                     else "on_time"] += 1
            got = flow_ctr(res, f"adv{adv}")
            if (pred[cls] != len(ports[i][2]) and
                    all(got["rx_" + k] == v for k, v in pred.items())):
                ck.fails.append(
                    f"adv{adv}: counters equal a check of the arrival cut to "
                    f"whole us against the ns air time ({pred}): the pcap "
                    f"clock loses up to 999 ns and exact edges go early "
                    f"[pcap us clock]")
    return f"7 streams x {len(ports[0][2])} U-plane frames"


def case_bad_config(ck):
    """12. Bad config files: fhswd exits 1 naming the JSON path; no counters
    file, no frame written on any port."""
    case = "12_bad_config"
    du = gen(case, "du", "--from", "du", "--direction", "dl", "--eaxc", 2,
             "--prbs", 10, "--slots", 1)
    ports = [("du0", "ROLE_DU", du), ("ru0", "ROLE_RU", EMPTY), ("ru1", "ROLE_RU", EMPTY)]
    good = base_config(case, ports, [dict(f) for f in DEFAULT_FLOWS[:4]])

    def variant(edit):
        c = json.loads(json.dumps(good))
        edit(c)
        return json.dumps(c, indent=2)

    bad = [
        ("unknown out port", "flows[1].action.out_ports[0]",
         variant(lambda c: c["flows"][1]["action"].update(out_ports=["ru9"]))),
        ("string for a number", "timing.mu",
         variant(lambda c: c["timing"].update(mu="one"))),
        ("unknown enum name", "flows[2].match.plane",
         variant(lambda c: c["flows"][2]["match"].update(plane="PLANE_X"))),
        ("window reversed", "flows[3].window",
         variant(lambda c: c["flows"][3]["window"].update(earliest_us=-100,
                                                          latest_us=-200))),
        ("mu out of range", "timing.mu",
         variant(lambda c: c["timing"].update(mu=7))),
        ("unknown field", "flows[0].match.vlan",
         variant(lambda c: c["flows"][0]["match"].update(vlan=5))),
        ("mirror to an unknown port", "flows[0].action.mirror_ports[0]",
         variant(lambda c: c["flows"][0]["action"].update(mirror_ports=["mon"]))),
        ("mirror to the in port", "flows[0].action.mirror_ports[0]",
         variant(lambda c: c["flows"][0]["action"].update(mirror_ports=["du0"]))),
        ("mirror to an out port", "flows[1].action.mirror_ports[1]",
         variant(lambda c: c["flows"][1]["action"].update(mirror_ports=["ru0", "ru1"]))),
    ]
    for what, path, text in bad:
        res = run_fhswd(case, ports, None, raw_cfg=text, expect_rc=None)
        ck.eq(res.rc, 1, f"{what}: exit code")
        ck.ok(path in res.stderr,
              f"{what}: message does not name {path}: {res.stderr.strip()[-200:]!r}")
        ck.ok(not os.path.exists(res.counters_path), f"{what}: counters file written")
        for p, out in res.out.items():
            ck.ok(not out, f"{what}: {p} output holds {len(out or [])} frames")
    return f"{len(bad)} bad configs refused"


# ---- regressions for bugs found while writing this test ---------------------


def udp_checksum(b):
    """(correct UDP checksum, offset of the checksum field) of an IPv4 frame."""
    f = Frame(b)
    ip = f.l3
    u = ip + (b[ip] & 0xF) * 4
    ulen = be16(b, u + 4)
    seg = bytearray(b[u:u + ulen])
    seg[6:8] = b"\0\0"
    data = b[ip + 12:ip + 20] + struct.pack(">BBH", 0, 17, ulen) + bytes(seg)
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f">{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s & 0xFFFF) or 0xFFFF, u + 6


def case_bug_udp_checksum(ck):
    """13 regression. eCPRI over UDP/IPv4 with a UDP checksum (as a
    DU's IP stack sends it): set_eaxc_id and translate_eaxc_layout rewrite
    bytes the checksum covers, so the output must carry a correct checksum
    (or 0, "none", for IPv4).  fhswd leaves the old one: every rewritten
    datagram is dropped by the RU's UDP stack."""
    case = "13_bug_udp_checksum"
    src = gen(case, "du", "--from", "du", "--direction", "dl", "--eaxc", 2,
              "--prbs", 10, "--slots", 1, "--udp", 50000)
    inp = []
    for ts, b in src:
        c, o = udp_checksum(b)
        b = bytearray(b)
        struct.pack_into(">H", b, o, c)
        inp.append((ts, bytes(b)))
    xl = {"du_port_bits": 2, "band_sector_bits": 6, "cc_bits": 4, "ru_port_bits": 4}
    moved = []  # eAxC 0x1230|k (du 1, bs 2, cc 3) for the translation
    for ts, b in inp:
        b = with_eaxc(b, 0x1230 | Frame(b).eaxc)
        c, o = udp_checksum(b)
        b = bytearray(b)
        struct.pack_into(">H", b, o, c)
        moved.append((ts, bytes(b)))
    flows = [flow("udp-set-eaxc", "du0", ["ru0"], udp_port=50000, set_eaxc_id=0x0055),
             flow("udp-xlate", "du1", ["ru1"], udp_port=50000, translate_eaxc_layout=xl)]
    ports = [("du0", "ROLE_DU", inp), ("du1", "ROLE_DU", moved),
             ("ru0", "ROLE_RU", EMPTY), ("ru1", "ROLE_RU", EMPTY)]
    res = run_fhswd(case, ports, base_config(case, ports, flows))
    for ru, src_pk, new in (("ru0", inp, lambda e: 0x0055),
                            ("ru1", moved, lambda e: eaxc_translate(e, (4, 4, 4, 4), (2, 6, 4, 4)))):
        got = res.out[ru] or []
        ck.eq(len(got), len(src_pk), f"{ru} frame count")
        bad = 0
        for i, (g, (_, b)) in enumerate(zip(got, src_pk)):
            want = with_eaxc(b, new(Frame(b).eaxc))
            c, o = udp_checksum(want)
            gc = be16(g, o)
            if g[:o] + g[o + 2:] != want[:o] + want[o + 2:]:
                ck.ok(False, f"{ru} frame {i}: bytes other than the UDP checksum differ")
                break
            if gc not in (0, c):
                bad += 1
        ck.ok(bad == 0, f"{ru}: {bad} of {len(got)} frames carry a wrong UDP "
              f"checksum after the eAxC rewrite (the input checksum, not updated)")
    return f"{len(inp)} + {len(moved)} UDP frames, checksums valid"


def case_bug_l2_time_back(ck):
    """14 regression. MAC learning with arrival times that step back
    across a second: A is learned on du0 at T0+1.000001 s, B answers A on
    ru0 at T0+0.999999 s (2 us earlier, in the previous second).  The entry
    is 2 us "in the future", not 300 s old: B -> A must go to du0 only.
    fhswd computes now_s - seen_s in uint32, which wraps, and floods."""
    case = "14_bug_l2_time_back"
    A, B = "02:00:00:00:0a:01", "02:00:00:00:0b:02"
    t = T0 * 1_000_000_000
    a_bc = ipv4_udp(A, "ff:ff:ff:ff:ff:ff", (10, 1, 0, 1), (10, 1, 0, 255), b"hello")
    b_a = ipv4_udp(B, A, (10, 1, 0, 2), (10, 1, 0, 1), b"reply")
    ports = [("du0", "ROLE_DU", [(t + 1_000_001_000, a_bc)]),
             ("ru0", "ROLE_RU", [(t + 999_999_000, b_a)]),
             ("ru1", "ROLE_RU", EMPTY)]
    res = run_fhswd(case, ports, base_config(case, ports, []))
    ck.frames(res.out["du0"], [b_a], "du0")
    ck.frames(res.out["ru1"], [a_bc], "ru1 (only the broadcast)")
    ck.eq(res.counters["l2"], {"forwarded": 1, "flooded": 1}, "l2")
    return "B -> A forwarded to the learned port"


def case_bug_short_runt(ck):
    """15 regression. eCPRI runts of 20 and 22 bytes (IQ data, common
    header present, the rest cut) in a valid stream: they must be dropped
    and counted like the 16-byte runt of case 9.  fhswd bridges (floods)
    every eCPRI frame shorter than 23 bytes that has its 4-byte common
    header."""
    case = "15_bug_short_runt"
    du = gen(case, "du", "--from", "du", "--direction", "dl", "--eaxc", 2,
             "--prbs", 10, "--slots", 1)
    hdr = mac("02:00:00:70:00:01") + mac("02:00:00:d0:00:01") + b"\xae\xfe"
    r20 = hdr + bytes([0x10, 0x00, 0x00, 0x04, 0x00, 0x00])  # size 4, 2 bytes there
    r22 = hdr + bytes([0x10, 0x00, 0x00, 0x04, 0x00, 0x00, 0x05, 0x80])  # no radio header
    mixed = list(du)
    mixed.insert(5, (mixed[5][0], r20))
    mixed.insert(9, (mixed[9][0], r22))
    flows = [flow("dl-c", "du0", ["ru0"], "PLANE_C", "DIRECTION_DL"),
             flow("dl-u", "du0", ["ru0"], "PLANE_U", "DIRECTION_DL")]
    ports = [("du0", "ROLE_DU", mixed), ("ru0", "ROLE_RU", EMPTY), ("ru1", "ROLE_RU", EMPTY)]
    res = run_fhswd(case, ports, base_config(case, ports, flows))
    ck.frames(res.out["ru0"], frames(du), "ru0 (valid frames only)")
    ck.eq(res.out["ru1"], [], "ru1 output (runts flooded?)")
    ck.eq(res.counters["l2"], {"forwarded": 0, "flooded": 0}, "l2")
    check_port(ck, res, "du0", rx_packets=len(mixed), drops=2)
    return "runts dropped"


def case_broken_ip(ck):
    """16. Frames whose IPv4 header does not hold: addressed to the eCPRI
    UDP port they are dropped and counted (never bridged past the flows);
    anything else is an L2 switch's to bridge, broken or not."""
    case = "16_broken_ip"
    du = gen(case, "du", "--from", "du", "--direction", "dl", "--eaxc", 2,
             "--prbs", 10, "--slots", 1, "--udp", 50000)
    valid = frames(du)
    u = bytearray(valid[0])
    ip = 14
    bad_len = bytearray(u)  # IPv4 total length past the end of the frame
    struct.pack_into(">H", bad_len, ip + 2, len(u))
    bad_udp = bytearray(u)  # UDP length past the end of the IP datagram
    struct.pack_into(">H", bad_udp, ip + 20 + 4, len(u))
    tcp = bytearray(bad_len)  # the same broken header, but TCP
    tcp[ip + 9] = 6
    other = bytearray(bad_udp)  # broken UDP to another port
    struct.pack_into(">H", other, ip + 20 + 2, 5353)
    tcp[0:6] = other[0:6] = mac("ff:ff:ff:ff:ff:ff")
    mixed = list(du)
    for k, b in enumerate((bad_len, bad_udp, tcp, other)):
        mixed.insert(2 + 2 * k, (mixed[2 + 2 * k][0], bytes(b)))
    flows = [flow("udp-ru0", "du0", ["ru0"], udp_port=50000)]
    ports = [("du0", "ROLE_DU", mixed), ("ru0", "ROLE_RU", EMPTY), ("ru1", "ROLE_RU", EMPTY)]
    res = run_fhswd(case, ports, base_config(case, ports, flows))
    flooded = [bytes(tcp), bytes(other)]
    out0 = res.out["ru0"] or []
    # (eCPRI leaves a burst before other traffic: compare each kind in order)
    ck.frames([b for b in out0 if b in valid], valid, "ru0: the valid frames (flow)")
    ck.frames([b for b in out0 if b not in valid], flooded,
              "ru0: the two broken non-eCPRI frames (flooded), nothing else")
    ck.frames(res.out["ru1"], [bytes(tcp), bytes(other)],
              "ru1: only the broken non-eCPRI frames (flooded)")
    check_flow(ck, res, "udp-ru0", rx_total=len(valid), tx_total=len(valid))
    check_port(ck, res, "du0", rx_packets=len(mixed), drops=2)
    return f"{len(valid)} valid, 2 broken eCPRI/UDP dropped, 2 broken others bridged"


# ---- PTP (issue 12) ----------------------------------------------------------


PTP_LEN = {0: 44, 1: 44, 2: 54, 3: 54, 8: 44, 9: 54, 10: 54, 11: 64}


def ptp_msg(mtype, seq, domain=24, two_step=False, corr=0, version=2):
    """A PTP message of type mtype, 1588-2019 length."""
    n = PTP_LEN[mtype]
    p = bytearray(n)
    p[0] = mtype
    p[1] = 0x10 | version
    struct.pack_into(">H", p, 2, n)
    p[4] = domain
    p[6] = 0x02 if two_step else 0
    struct.pack_into(">q", p, 8, corr)
    p[20:30] = bytes.fromhex("020000fffe0000a10001")
    struct.pack_into(">H", p, 30, seq)
    for i in range(34, n):
        p[i] = (i * 7 + seq) & 0xFF
    return bytes(p)


def ptp_l2(dst, msg, tags=()):
    b = mac(dst) + mac("02:00:00:00:a1:01")
    for tpid, vid in tags:
        b += struct.pack(">HH", tpid, vid)
    return pad60(b + struct.pack(">H", 0x88F7) + msg)


def ptp_ipv6_udp(msg, dport):
    udp = struct.pack(">HHHH", dport, dport, 8 + len(msg), 0) + msg
    src = bytes.fromhex("fe800000000000000000000000000001")
    dst = bytes.fromhex("ff0e0000000000000000000000000181")
    ph = src + dst + struct.pack(">IxxxB", len(udp), 17)
    data = ph + udp
    s = sum(struct.unpack(f">{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    udp = udp[:6] + struct.pack(">H", (~s & 0xFFFF) or 0xFFFF) + udp[8:]
    ip = struct.pack(">IHBB", 0x60000000, len(udp), 17, 1) + src + dst
    return mac("33:33:00:00:01:81") + mac("02:00:00:00:a1:01") + \
        struct.pack(">H", 0x86DD) + ip + udp


def ptp_ipv4_udp(msg, dport, csum=True):
    b = bytearray(ipv4_udp("02:00:00:00:a1:01", "01:00:5e:00:01:81",
                           (10, 0, 0, 1), (224, 0, 1, 129), msg, dport, dport))
    c, off = udp_checksum(bytes(b))
    struct.pack_into(">H", b, off, c if csum else 0)
    return bytes(b)


def ptp_where(b):
    """(PTP header offset, UDP header offset or None, IP version)."""
    off, et = 14, be16(b, 12)
    while et in (0x8100, 0x88A8):
        et = be16(b, off + 2)
        off += 4
    if et == 0x88F7:
        return off, None, 0
    if et == ETH_IPV4:
        u = off + (b[off] & 0xF) * 4
        return u + 8, u, 4
    return off + 48, off + 40, 6


def udp6_ok(b, u):
    ip = u - 40
    ulen = be16(b, u + 4)
    data = b[ip + 8:ip + 40] + struct.pack(">IxxxB", ulen, 17) + b[u:u + ulen]
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f">{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s == 0xFFFF


def case_ptp(ck):
    """17. The PTP transparent clock on every transport: Syncs, Delay_Reqs,
    Pdelay_Req/Resp over Ethernet (untagged, 802.1Q, QinQ; 0E and 1B-19),
    UDP/IPv4 (with and without checksum) and UDP/IPv6, flooded from du0
    to ru0 and ru1.  In PTP_MODE_TRANSPARENT (domains 24 and 0) every
    event message of those domains leaves each port with correctionField
    grown by a residence in (0, 1 s) and nothing else changed but a
    still-valid UDP checksum; general messages and domain 5 pass
    unchanged; malformed PTP and LLDP to 0E are dropped.  In
    PTP_MODE_BRIDGE nothing changes and 0E frames are not forwarded."""
    case = "17_ptp"
    m0e, m1b = "01:80:c2:00:00:0e", "01:1b:19:00:00:00"
    ev = [  # (name, frame, corrected in transparent mode)
        ("sync L2 0E two-step", ptp_l2(m0e, ptp_msg(0, 1, two_step=True))),
        ("delay_req L2 1B19 vlan 7", ptp_l2(m1b, ptp_msg(1, 2), [(0x8100, 7)])),
        ("pdelay_req L2 QinQ", ptp_l2(m1b, ptp_msg(2, 3, corr=-5 << 16),
                                       [(0x88A8, 100), (0x8100, 7)])),
        ("sync UDP/IPv4", ptp_ipv4_udp(ptp_msg(0, 4, corr=123456), 319)),
        ("pdelay_resp UDP/IPv4 no checksum",
         ptp_ipv4_udp(ptp_msg(3, 5), 319, csum=False)),
        ("delay_req UDP/IPv6", ptp_ipv6_udp(ptp_msg(1, 6), 319)),
        ("sync domain 0", ptp_l2(m1b, ptp_msg(0, 7, domain=0))),
    ]
    same = [  # forwarded unchanged in both modes
        ("follow_up L2 0E", ptp_l2(m0e, ptp_msg(8, 1))),
        ("follow_up UDP/IPv4", ptp_ipv4_udp(ptp_msg(8, 4), 320)),
        ("announce L2 1B19", ptp_l2(m1b, ptp_msg(11, 8))),
        ("sync domain 5", ptp_l2(m1b, ptp_msg(0, 9, domain=5))),
    ]
    bad = ptp_l2(m1b, ptp_msg(0, 10, version=1))  # versionPTP 1
    lldp = pad60(mac(m0e) + mac("02:00:00:00:a1:01") + b"\x88\xcc" + bytes(20))
    # eCPRI one-way delay measurement (type 5: measurement ID, action
    # type, timestamp, compensation): forwarded unchanged at eCPRI
    # priority, ahead of other traffic of the same burst
    owd = pad60(mac("ff:ff:ff:ff:ff:ff") + mac("02:00:00:00:a1:02") +
                struct.pack(">HBBH", 0xAEFE, 0x10, 5, 20) + bytes([7, 0]) +
                struct.pack(">HIIq", 0, 1700000000, 123456789, 0))
    other = ipv4_udp("02:00:00:00:a1:03", "ff:ff:ff:ff:ff:ff", (10, 0, 0, 3),
                     (10, 0, 0, 255), b"not ptp", 40000, 9)
    t = T0 * 1_000_000_000
    sent = [other] + [b for _, b in ev] + [b for _, b in same] + [bad, lldp, owd]
    ins = [(t + i * 1000, b) for i, b in enumerate(sent)]
    ports = [("du0", "ROLE_DU", ins), ("ru0", "ROLE_RU", EMPTY),
             ("ru1", "ROLE_RU", EMPTY)]
    cfg = base_config(case, ports, [])
    cfg["ptp"] = {"mode": "PTP_MODE_TRANSPARENT", "domains": [24, 0]}
    res = run_fhswd(case, ports, cfg)
    n_corr = 0
    for p in ("ru0", "ru1"):
        out = res.out[p] or []
        ck.eq(len(out), len(ev) + len(same) + 2, f"{p}: frames out")
        # PTP leaves at once, then eCPRI, then the rest of the burst
        ck.frames(out[len(ev) + len(same):], [owd, other],
                  f"{p}: eCPRI delay measurement unchanged, ahead of IPv4")
        for (name, b), o in zip(ev, out):
            po, u, ipv = ptp_where(b)
            c_in = struct.unpack(">q", b[po + 8:po + 16])[0]
            c_out = struct.unpack(">q", o[po + 8:po + 16])[0] \
                if len(o) == len(b) else None
            grown = c_out is not None and 0 < c_out - c_in < (10 ** 9 << 16)
            ck.ok(grown, f"{p} {name}: correction {c_in} -> {c_out}")
            n_corr += grown
            masked = [bytearray(x) for x in (b, o)]
            for m in masked:
                m[po + 8:po + 16] = bytes(8)
                if u is not None:
                    m[u + 6:u + 8] = bytes(2)
            ck.ok(masked[0] == masked[1], f"{p} {name}: only the correction changed")
            if ipv == 4 and be16(b, u + 6) != 0:
                c, off = udp_checksum(o)
                ck.eq(be16(o, off), c, f"{p} {name}: UDP checksum")
            elif ipv == 4:
                ck.eq(be16(o, u + 6), 0, f"{p} {name}: zero UDP checksum kept")
            elif ipv == 6:
                ck.ok(udp6_ok(o, u), f"{p} {name}: UDP/IPv6 checksum")
        ck.frames(out[len(ev):len(ev) + len(same)], [b for _, b in same],
                  f"{p}: unchanged frames")
    ptp = res.counters["ptp"]
    for p in ("ru0", "ru1"):
        ck.eq(ptp[p]["corrected"], len(ev), f"ptp.{p}.corrected")
        ck.ok(0 < ptp[p]["residence_ns_min"] <= ptp[p]["residence_ns_avg"]
              <= ptp[p]["residence_ns_max"], f"ptp.{p} residence {ptp[p]}")
    ck.eq(ptp["du0"]["rx"], {"sync": 4, "delay_req": 2, "pdelay_req": 1,
                             "pdelay_resp": 1, "follow_up": 2,
                             "delay_resp": 0, "pdelay_resp_follow_up": 0,
                             "announce": 1, "signaling": 0, "management": 0},
          "ptp.du0.rx by type")
    ck.eq(ptp["du0"]["rx_malformed"], 1, "ptp.du0.rx_malformed")
    check_port(ck, res, "du0", rx_packets=len(sent), drops=2)
    ck.eq(res.counters["l2"]["flooded"], len(sent) - 2, "l2.flooded")
    # tshark: nothing malformed, checksums good
    for p in ("ru0", "ru1"):
        tx = os.path.join(ARGS.workdir, case, f"run{RUN_SEQ[0]}_{p}_out.pcap")
        r = subprocess.run(["tshark", "-r", tx, "-o", "udp.check_checksum:TRUE",
                            "-Y", "_ws.malformed || _ws.expert.severity >= 6 "
                            "|| !(ptp || ecpri || udp.port == 9)",
                            "-T", "fields", "-e", "frame.number"],
                           capture_output=True, text=True, timeout=60)
        ck.eq(r.stdout.split(), [], f"{p}: tshark malformed / bad checksum / not PTP")

    # bridge mode: nothing corrected, 0E not forwarded
    cfg["ptp"] = {"mode": "PTP_MODE_BRIDGE"}
    res = run_fhswd(case, ports, cfg)
    # (PTP over Ethernet leaves at transmit priority, ahead of UDP: compare
    # as sets)
    want = sorted(b for b in sent if b[:6] != mac(m0e))
    for p in ("ru0", "ru1"):
        ck.frames(sorted(res.out[p] or []), want,
                  f"bridge mode {p}: unchanged, no 0E")
    ck.eq(res.counters["ptp"]["du0"]["filtered"], 2, "bridge mode: PTP to 0E filtered")
    ck.eq(res.counters["ptp"]["ru0"]["corrected"], 0, "bridge mode: nothing corrected")
    return f"{n_corr} corrections checked on 2 ports; bridge mode unchanged"


def seq_model(seqs):
    """Per-eAxC SeqId counters as the switch keeps them: a forward gap
    (mod 256, < 128) is that many messages lost; a SeqId behind the
    stream is an error that does not move it unless two in a row are."""
    nxt, behind, err, lost = None, 0, 0, 0
    for s in seqs:
        if nxt is None:
            nxt = s
        gap = (s - nxt) & 0xFF
        if gap == 0:
            nxt, behind = (s + 1) & 0xFF, 0
            continue
        err += 1
        if gap < 128:
            lost += gap
            nxt, behind = (s + 1) & 0xFF, 0
        else:
            behind += 1
            if behind >= 2:
                nxt, behind = (s + 1) & 0xFF, 0
    return err, lost


def case_eaxc_counters(ck):
    """18. Per-eAxC counters: DL C+U for eAxC 0..5 (0..3 claimed by the
    default flows, which have windows; 4, 5 bridged).  U eAxC 0 loses 3
    messages in a row and later sees one twice; C eAxC 1 loses one; U eAxC
    2 has two messages swapped; U eAxC 3 restarts its SeqId.  Every
    stream's rx_total, seqid errors and estimated lost equal the model,
    window counters are null for the bridged streams, and the flows'
    rx_seqid_err are the sums of their streams'."""
    case = "18_eaxc_counters"
    du = gen(case, "du", "--from", "du", "--direction", "dl", "--eaxc", 6,
             "--prbs", 10, "--slots", 6)
    streams = {}
    for i, (_, b) in enumerate(du):
        f = Frame(b)
        streams.setdefault((f.eaxc, f.plane), []).append(i)
    u0, c1, u2, u3 = (streams[(0, "U")], streams[(1, "C")],
                      streams[(2, "U")], streams[(3, "U")])
    ck.ok(len(u0) > 12 and len(c1) > 4 and len(u3) > 6, "gen gave short streams")
    drop = set(u0[3:6]) | {c1[2]}
    order = list(range(len(du)))
    a, b = order.index(u2[4]), order.index(u2[5])
    order[a], order[b] = order[b], order[a]
    pkts = [du[i] for i in order if i not in drop]
    dup = pkts.index(du[u0[9]])
    pkts.insert(dup + 2, du[u0[9]])
    # eAxC 3 U: from its 5th message on, the SeqIds restart 100 lower
    for k in u3[4:]:
        j = pkts.index(du[k])
        fr = bytearray(pkts[j][1])
        e = Frame(fr).ecpri
        fr[e + 6] = (fr[e + 6] - 100) & 0xFF
        pkts[j] = (pkts[j][0], bytes(fr))
    ports = [("du0", "ROLE_DU", pkts), ("ru0", "ROLE_RU", EMPTY),
             ("ru1", "ROLE_RU", EMPTY)]
    res = run_fhswd(case, ports, base_config(case, ports, DEFAULT_FLOWS))
    got = {(e["eaxc_id"], e["plane"], e["direction"]): e
           for e in res.counters.get("eaxc") or []}
    want_keys = set()
    flow_err = {}
    lost_total = 0
    for (eaxc, pl) in sorted(streams):
        seqs = [Frame(b).seq for _, b in pkts
                if Frame(b).eaxc == eaxc and Frame(b).plane == pl]
        err, lost = seq_model(seqs)
        lost_total += lost
        key = (eaxc, pl, "DL")
        want_keys.add(key)
        e = got.get(key)
        if e is None:
            ck.fails.append(f"eaxc {eaxc} {pl}/DL: missing")
            continue
        ck.eq(e["port"], "du0", f"eaxc {key} port")
        ck.eq((e["rx_total"], e["rx_seqid_err"], e["rx_lost"]),
              (len(seqs), err, lost), f"eaxc {key} rx_total/seqid_err/lost")
        if eaxc < 4:
            ck.eq((e["rx_on_time"], e["rx_early"], e["rx_late"]),
                  (len(seqs), 0, 0), f"eaxc {key} on_time/early/late")
            fl = f"dl-{pl.lower()}-{RU_OF[eaxc]}"
            flow_err[fl] = flow_err.get(fl, 0) + err
        else:
            ck.eq((e["rx_on_time"], e["rx_early"], e["rx_late"]),
                  (None, None, None), f"eaxc {key} window counters (bridged)")
    ck.eq(set(got), want_keys, "streams reported")
    for fl, err in flow_err.items():
        check_flow(ck, res, fl, rx_seqid_err=err)
    # the model, against what was done to the streams by hand
    hand = {(0, "U"): (2, 3), (1, "C"): (1, 1), (2, "U"): (2, 1),
            (3, "U"): (2, 0)}
    for (eaxc, pl), want in hand.items():
        seqs = [Frame(b).seq for _, b in pkts
                if Frame(b).eaxc == eaxc and Frame(b).plane == pl]
        ck.eq(seq_model(seqs), want, f"model of eaxc {eaxc} {pl}")
    return (f"{len(want_keys)} streams, {len(pkts)} frames, "
            f"{lost_total} lost estimated")


def case_mirror(ck):
    """19. mirror_ports: DL U-plane to ru0 gets a VLAN pushed and a copy of
    each frame as it arrived goes to the monitor port; DL C-plane to ru1
    is dropped but still mirrored.  The monitor sees exactly those input
    frames, in order, byte-identical; forwarding is unchanged; tx_mirror
    counts the copies apart from tx_total."""
    case = "19_mirror"
    du = gen(case, "du", "--from", "du", "--direction", "dl", "--eaxc", 4,
             "--prbs", 12, "--slots", 2)
    flows = json.loads(json.dumps(DEFAULT_FLOWS))
    by = {f["name"]: f for f in flows}
    by["dl-u-ru0"]["action"].update(set_vlan_id=7, mirror_ports=["mon"])
    by["dl-c-ru1"]["action"] = {"drop": True, "mirror_ports": ["mon"]}
    ports = [("du0", "ROLE_DU", du), ("ru0", "ROLE_RU", EMPTY),
             ("ru1", "ROLE_RU", EMPTY), ("mon", "ROLE_UNSPECIFIED", EMPTY)]
    res = run_fhswd(case, ports, base_config(case, ports, flows))
    inp = [Frame(b) for b in frames(du)]
    u0 = [f.b for f in inp if f.plane == "U" and RU_OF[f.eaxc] == "ru0"]
    c1 = [f.b for f in inp if f.plane == "C" and RU_OF[f.eaxc] == "ru1"]
    mirrored = [f.b for f in inp if (f.plane == "U" and RU_OF[f.eaxc] == "ru0") or
                (f.plane == "C" and RU_OF[f.eaxc] == "ru1")]
    ck.frames(res.out["mon"], mirrored, "mon output (the frames as they arrived)")
    want_ru0 = [with_tag(f.b, vid=7) if f.plane == "U" else f.b
                for f in inp if RU_OF[f.eaxc] == "ru0"]
    ck.frames(res.out["ru0"], want_ru0, "ru0 output (VLAN 7 on U-plane)")
    want_ru1 = [f.b for f in inp if f.plane == "U" and RU_OF[f.eaxc] == "ru1"]
    ck.frames(res.out["ru1"], want_ru1, "ru1 output (C-plane dropped)")
    check_flow(ck, res, "dl-u-ru0", rx_total=len(u0), tx_total=len(u0),
               tx_mirror=len(u0))
    check_flow(ck, res, "dl-c-ru1", rx_total=len(c1), tx_total=0,
               tx_mirror=len(c1))
    check_flow(ck, res, "dl-u-ru1", tx_mirror=0)
    check_port(ck, res, "mon", tx_packets=len(mirrored), drops=0)
    return f"{len(mirrored)} frames mirrored of {len(inp)}"


CASES = [
    ("1 eAxC split DL", case_split_dl),
    ("2 UL merge", case_merge_ul),
    ("3 VLAN/PCP rewrite", case_vlan),
    ("4 eAxC translate/set", case_eaxc),
    ("5 MAC rewrite", case_mac),
    ("6 DL replication", case_replicate),
    ("7 drop", case_drop),
    ("8 eCPRI over UDP", case_udp),
    ("9 malformed", case_malformed),
    ("10 L2 bridging", case_l2),
    ("11 window early/on-time/late", case_window),
    ("12 bad config", case_bad_config),
    ("13 udp checksum after eAxC rewrite", case_bug_udp_checksum),
    ("14 L2 aging when pcap time steps back", case_bug_l2_time_back),
    ("15 eCPRI runts of 20/22 bytes flooded", case_bug_short_runt),
    ("16 broken IPv4 headers", case_broken_ip),
    ("17 PTP transparent clock", case_ptp),
    ("18 per-eAxC counters", case_eaxc_counters),
    ("19 mirror to a monitor port", case_mirror),
]


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fhswd", required=True)
    ap.add_argument("--fhctl", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--only", help="comma-separated case numbers")
    ARGS = ap.parse_args()
    ARGS.fhswd = os.path.abspath(ARGS.fhswd)
    ARGS.fhctl = os.path.abspath(ARGS.fhctl)
    ARGS.workdir = os.path.abspath(ARGS.workdir)
    os.makedirs(ARGS.workdir, exist_ok=True)
    only = set(ARGS.only.split(",")) if ARGS.only else None
    return run_cases(CASES, only)


def run_cases(cases, only):
    """Run (title, fn(Checker)) cases whose number is in only (None: all);
    a PASS/FAIL line each, then the totals.  Returns the exit status."""
    passed = failed = 0
    t_start = time.monotonic()
    for title, fn in cases:
        if only and title.split()[0] not in only:
            continue
        ck = Checker()
        t0 = time.monotonic()
        try:
            summary = fn(ck)
        except CaseFail as e:
            ck.fails.append(str(e))
            summary = None
        except Exception:
            ck.fails.append("exception: " + traceback.format_exc().strip().replace("\n", "\n    "))
            summary = None
        dt = time.monotonic() - t0
        if ck.fails:
            failed += 1
            print(f"FAIL {title}: {ck.fails[0]} ({dt:.1f}s)", flush=True)
            for f in ck.fails[1:8]:
                print(f"    {f}", flush=True)
            if len(ck.fails) > 8:
                print(f"    ... {len(ck.fails) - 8} more", flush=True)
        else:
            passed += 1
            print(f"PASS {title}: {summary} ({dt:.1f}s)", flush=True)
    print(f"({time.monotonic() - t_start:.1f}s)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
