#!/usr/bin/env python3
"""Port dialects end to end: fhswd on net_pcap vdevs between a DU and an RU
that speak different eAxC layouts and U-plane codings, checked packet by
packet against a model built on tests/lib/oran_iq.py (the Python reference
of ORAN.md's formulas, independent of the C codec).

    test_fhm_pcap.py --fhswd build/bin/fhswd --fhctl build/bin/fhctl \
        --tshark tshark --workdir /tmp/fhm-pcap [--only 1,2]

For every case the model predicts every output frame byte for byte: U-plane
messages decoded in the in-port's coding and coded in the out-port's, cut by
PRB range to the out-port's MTU, eCPRI seqId renumbered per (out port,
direction, eAxC) from 0; C-plane with its eAxC translated and udCompHdr
rewritten (UL: the RU port's coding, DL: 0); IP/UDP lengths and checksums
valid.  tshark, with the out-port's dialect as preferences, finds nothing
malformed; fhctl decode --iq of the output equals the reference's values.

Prints PASS/FAIL per case, then "N passed, M failed".
"""
import argparse
import json
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
import oran_iq as iq  # noqa: E402
import test_fhswd_pcap as tp  # noqa: E402

ARGS = None
PREF_COMP = {"none": "COMP_NONE", "bfp": "COMP_BLOCK_FP",
             "block_scaling": "COMP_BLOCK_SCALE", "mu_law": "COMP_U_LAW"}


class Dialect:
    def __init__(self, layout=(4, 4, 4, 4), comp=None, dyn=False, mtu=0):
        self.layout, self.comp, self.dyn, self.mtu = layout, comp, dyn, mtu

    def port(self, name, i, role):
        p = {"name": name, "device": f"net_pcap{i}", "role": role}
        if self.mtu:
            p["mtu"] = self.mtu
        if self.layout != (4, 4, 4, 4):
            p["eaxc_layout"] = dict(zip(("du_port_bits", "band_sector_bits",
                                         "cc_bits", "ru_port_bits"), self.layout))
        if self.comp:
            p["uplane_comp"] = {"method": self.comp[0], "iq_width": self.comp[1],
                                "dynamic_hdr": self.dyn}
        return p

    def gen_opts(self):
        return ["--eaxc-layout", ",".join(map(str, self.layout)),
                "--comp", f"{iq.SPEC_NAME[self.comp[0]]}:{self.comp[1]}",
                "--comp-hdr", "dynamic" if self.dyn else "static"]

    def tshark_prefs(self, udp=None):
        a, b, c, d = self.layout
        m, w = self.comp
        prefs = [f"oran_fh_cus.oran.du_port_id_bits:{a}",
                 f"oran_fh_cus.oran.bandsector_id_bits:{b}",
                 f"oran_fh_cus.oran.cc_id_bits:{c}",
                 f"oran_fh_cus.oran.ru_port_id_bits:{d}"]
        for ud in ("up", "down"):
            prefs += [f"oran_fh_cus.oran.iq_bitwidth_{ud}:{w}",
                      f"oran_fh_cus.oran.ud_comp_{ud}:{PREF_COMP[m]}",
                      f"oran_fh_cus.oran.ud_comp_hdr_{ud}:{'TRUE' if self.dyn else 'FALSE'}"]
        args = []
        for p in prefs:
            args += ["-o", p]
        if udp:
            args += ["-d", f"udp.port=={udp},ecpri"]
        return args

    def decode_opts(self):
        return ["--eaxc-layout", ",".join(map(str, self.layout)), "--uplane-comp",
                "dynamic" if self.dyn else f"{iq.SPEC_NAME[self.comp[0]]}:{self.comp[1]}"]


# ---- the model --------------------------------------------------------------------


def parse_sections(body, d, carrier=273):
    out, pos = [], 4
    while pos < len(body):
        sid = (body[pos] << 4) | (body[pos + 1] >> 4)
        flags = body[pos + 1] & 0x0C
        start = ((body[pos + 1] & 3) << 8) | body[pos + 2]
        nf = body[pos + 3]
        pos += 4
        c = d.comp
        if d.dyn:
            c = iq.from_comp_hdr(body[pos])
            pos += 2
        n = nf or carrier
        ln = n * iq.prb_bytes(*c)
        out.append(dict(sid=sid, flags=flags, start=start, nf=nf, n=n,
                        vals=iq.decode(c[0], c[1], body[pos:pos + ln], n)))
        pos += ln
    return out


def cut(rh, secs, to, limit):
    """The switch's cut of sections [(section, values)] coded in dialect
    to into message bodies of at most limit bytes: greedy, whole PRBs per
    part, numPrbu as received until something is cut.  Returns (bodies,
    values saturated)."""
    hlen = 6 if to.dyn else 4
    pb = iq.prb_bytes(*to.comp)
    bodies, body, split, sat = [], bytearray(rh), False, 0
    for s, vals in secs:
        done = 0
        while done < s["n"]:
            if len(body) + hlen + pb > limit:
                bodies.append(bytes(body))
                body = bytearray(rh)
            n = s["n"] - done
            if len(body) + hlen + n * pb > limit:
                n = (limit - len(body) - hlen) // pb
                split = True
            if n == s["n"] and not split:
                field = s["nf"]
            else:
                n = min(n, 255)
                field = n
                split = True
            st = s["start"] + done
            body += bytes([s["sid"] >> 4, ((s["sid"] & 0xF) << 4) | s["flags"] | (st >> 8 & 3),
                           st & 0xFF, field])
            if to.dyn:
                body += bytes([iq.comp_hdr(*to.comp), 0])
            coded, n_sat = iq.encode_sum(to.comp[0], to.comp[1], vals[done * 24:(done + n) * 24])
            sat += n_sat
            body += coded
            done += n
            if done < s["n"]:
                bodies.append(bytes(body))
                body = bytearray(rh)
    if len(body) > len(rh):
        bodies.append(bytes(body))
    return bodies, sat


def recode_body(body, frm, to, limit):
    """A U-plane body in dialect frm re-coded in to, cut to limit."""
    return cut(body[:4], [(s, s["vals"]) for s in parse_sections(body, frm)], to, limit)[0]


def fix_udp(b, f):
    """IP total length, header checksum, UDP length and checksum of b."""
    b = bytearray(b)
    ip = f.l3
    ihl = (b[ip] & 0xF) * 4
    struct.pack_into(">H", b, ip + 2, len(b) - ip)
    struct.pack_into(">H", b, ip + 10, 0)
    s = sum(struct.unpack(f">{ihl // 2}H", bytes(b[ip:ip + ihl])))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    struct.pack_into(">H", b, ip + 10, ~s & 0xFFFF)
    u = ip + ihl
    struct.pack_into(">H", b, u + 4, len(b) - u)
    if tp.be16(b, u + 6) != 0:
        ck, off = tp.udp_checksum(bytes(b))
        struct.pack_into(">H", b, off, ck)
    return bytes(b)


class Model:
    """What fhswd sends to one out port for frames from one in port."""

    def __init__(self, frm, to):
        self.frm, self.to = frm, to
        self.seq = {}
        self.recode = frm.comp and to.comp and (frm.comp, frm.dyn) != (to.comp, to.dyn)

    def eaxc(self, e):
        return tp.eaxc_translate(e, self.frm.layout, self.to.layout)

    def out(self, b):
        f = tp.Frame(b)
        e = f.ecpri
        size = tp.be16(b, e + 2)
        new_eaxc = self.eaxc(f.eaxc)
        if f.msg_type == 0 and self.recode:
            body = b[e + 8:e + 4 + size]
            mtu = self.to.mtu or 1500
            limit = mtu - (e - f.l3) - 8
            res = []
            for part in recode_body(body, self.frm, self.to, limit):
                key = (b[e + 8] >> 7, new_eaxc)
                s = self.seq.get(key, 0)
                self.seq[key] = (s + 1) & 0xFF
                fr = (b[:e] + bytes([0x10, 0]) + struct.pack(">HHBB", 4 + len(part), new_eaxc, s, 0x80)
                      + part)
                if f.udp_dport is not None:
                    fr = fix_udp(fr, f)
                res.append(fr)
            return res
        out = bytearray(b)
        struct.pack_into(">H", out, e + 4, new_eaxc)
        if f.msg_type == 2 and self.recode:
            body = e + 8
            st = out[body + 5]
            at = {1: 6, 5: 6, 3: 11}.get(st)
            if at is not None:
                out[body + at] = 0 if out[body] >> 7 else iq.comp_hdr(*self.to.comp)
        if f.udp_dport is not None and tp.be16(out, f.l3 + (out[f.l3] & 0xF) * 4 + 6):
            ck, off = tp.udp_checksum(bytes(out))
            struct.pack_into(">H", out, off, ck)
        return [bytes(out)]


# ---- running ----------------------------------------------------------------------


def tshark_clean(ck, pcap, d, udp=None, what=""):
    cmd = [ARGS.tshark, "-n", "-r", pcap] + d.tshark_prefs(udp) + [
        "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
        "-Y", '_ws.malformed || _ws.expert.severity >= "Error"']
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    ck.ok(r.returncode == 0, f"tshark {what}: exit {r.returncode} {r.stderr[-300:]}")
    ck.ok(not r.stdout.strip(), f"tshark finds malformed/error packets in {what}:\n{r.stdout[:800]}")


def write(path, frames):
    tp.write_pcap(path, [(i * 1000, fr) for i, fr in enumerate(frames)])


def fhctl_iq(pcap, d, udp=None):
    """{(frame index, section position): iq values} of U-plane messages."""
    cmd = [ARGS.fhctl, "decode", "--iq"] + d.decode_opts() + (["--udp-port", str(udp)] if udp else []) + [pcap]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise tp.CaseFail(f"fhctl decode: {r.stderr.strip()[-300:]}")
    out = []
    for line in r.stdout.splitlines():
        m = json.loads(line)
        if "error" in m:
            raise tp.CaseFail(f"fhctl decode error in frame {m['index']}: {m['error']}")
        if m.get("oran", {}).get("plane") == "U":
            for s in m["oran"]["sections"]:
                out.append((m["oran"]["symbol_id"], s["start_prb"], s["iq"]))
    return out


def dialect_case(ck, name, du, ru, udp=None, prbs=273, slots=2, iq_check=False):
    """DU and RU of different dialects, DL and UL through fhswd."""
    common = ["--slots", slots, "--eaxc", 2, "--prbs", prbs, "--mtu", 9000, "--prach"]
    if udp:
        common += ["--udp", udp]
    dl = tp.gen(name, "du", *common, *du.gen_opts(), "--from", "du")
    ul = tp.gen(name, "ru", *common, *ru.gen_opts(), "--from", "ru", "--mtu", ru.mtu or 1500)
    ports = [("du0", "ROLE_DU", dl), ("ru0", "ROLE_RU", ul)]
    flows = [tp.flow("dl", "du0", ["ru0"]), tp.flow("ul", "ru0", ["du0"])]
    if udp:
        for f in flows:
            f["match"]["udp_port"] = udp
    cfg = tp.base_config(name, ports, flows)
    cfg["ports"] = [du.port("du0", 0, "ROLE_DU"), ru.port("ru0", 1, "ROLE_RU")]
    res = tp.run_fhswd(name, ports, cfg)
    m_dl, m_ul = Model(du, ru), Model(ru, du)
    want_ru = [o for _, b in dl for o in m_dl.out(b)]
    want_du = [o for _, b in ul for o in m_ul.out(b)]
    ck.frames(res.out["ru0"], want_ru, "ru0 (DL re-coded)")
    ck.frames(res.out["du0"], want_du, "du0 (UL re-coded)")
    tp.check_flow(ck, res, "dl", rx_total=len(dl), tx_total=len(want_ru), rx_corrupt=0)
    tp.check_flow(ck, res, "ul", rx_total=len(ul), tx_total=len(want_du), rx_corrupt=0)
    tp.check_port(ck, res, "ru0", drops=0)
    tp.check_port(ck, res, "du0", drops=0)
    d = os.path.join(ARGS.workdir, name)
    for port, frames, dia in (("ru0", res.out["ru0"], ru), ("du0", res.out["du0"], du)):
        p = os.path.join(d, f"out_{port}.pcap")
        write(p, frames or [])
        if dia.comp[0] in ("none", "bfp"):  # tshark 4.0 decodes these
            tshark_clean(ck, p, dia, udp, port)
    if iq_check:
        p = os.path.join(d, "out_ru0.pcap")
        got = fhctl_iq(p, ru, udp)
        want = []
        for b in want_ru:
            f = tp.Frame(b)
            if f.msg_type != 0:
                continue
            body = b[f.ecpri + 8:f.ecpri + 4 + tp.be16(b, f.ecpri + 2)]
            for s in parse_sections(body, ru):
                want.append((body[3] & 0x3F, s["start"], s["vals"]))
        ck.eq(len(got), len(want), "fhctl decode --iq sections")
        ck.ok(got == want, "fhctl decode --iq of the RU output equals the reference IQ")
        # and the bound against the DU's input: re-coding error per value
        err = 0
        src = []
        for _, b in dl:
            f = tp.Frame(b)
            if f.msg_type == 0:
                body = b[f.ecpri + 8:f.ecpri + 4 + tp.be16(b, f.ecpri + 2)]
                src += [v for s in parse_sections(body, du) for v in s["vals"]]
        out_vals = [v for _, _, vals in got for v in vals]
        ck.eq(len(out_vals), len(src), "IQ values out vs in")
        err = max((abs(a - b) for a, b in zip(src, out_vals)), default=0)
        return len(want_ru), len(want_du), err
    return len(want_ru), len(want_du), None


def case_bfp9_none16(ck):
    """1. DU BFP-9 (4/4/4/4) <-> RU uncompressed 16-bit (2/6/4/4), MTU 1500:
    every DL symbol of 273 PRBs (13 KB re-coded) split into 10 messages."""
    du = Dialect(comp=("bfp", 9))
    ru = Dialect(layout=(2, 6, 4, 4), comp=("none", 16), mtu=1500)
    n_ru, n_du, err = dialect_case(ck, "c1", du, ru, iq_check=True)
    ck.eq(err, 0, "BFP-9 -> none:16 is exact")
    return f"{n_ru} frames to the RU, {n_du} to the DU, IQ error {err}"


def case_bfp9_bfp14_dyn(ck):
    """2. DU BFP-9 static <-> RU BFP-14 with udCompHdr in every section,
    jumbo MTU: UL C-plane udCompHdr becomes 0xE1, nothing split."""
    du = Dialect(comp=("bfp", 9), mtu=9000)
    ru = Dialect(comp=("bfp", 14), dyn=True, mtu=9000)
    n_ru, n_du, err = dialect_case(ck, "c2", du, ru, iq_check=True)
    ck.eq(err, 0, "BFP-9 -> BFP-14 is exact")
    return f"{n_ru} frames to the RU, {n_du} to the DU"


def case_mulaw_bfp(ck):
    """3. DU mu-law 8 <-> RU BFP 9, 106 PRBs."""
    du = Dialect(comp=("mu_law", 8), mtu=9000)
    ru = Dialect(comp=("bfp", 9), mtu=9000)
    n_ru, n_du, _ = dialect_case(ck, "c3", du, ru, prbs=106)
    return f"{n_ru} frames to the RU, {n_du} to the DU"


def case_udp(ck):
    """4. eCPRI over UDP/IPv4: DU BFP-9 <-> RU none:16 at MTU 1500, lengths
    and checksums rebuilt for every part."""
    du = Dialect(comp=("bfp", 9), mtu=9000)
    ru = Dialect(comp=("none", 16), mtu=1500)
    n_ru, n_du, _ = dialect_case(ck, "c4", du, ru, udp=50000, prbs=100, slots=1)
    return f"{n_ru} frames to the RU, {n_du} to the DU"


def case_layout_only(ck):
    """5. Layouts only (no uplane_comp): the RU's UL comes back in the DU's
    layout, IQ untouched; a flow's translate_eaxc_layout starts from the
    in-port's layout."""
    du = Dialect(layout=(4, 4, 4, 4))
    ru = Dialect(layout=(2, 6, 4, 4))
    dl = tp.gen("c5", "du", "--slots", 1, "--eaxc", 2, "--prbs", 20, "--from", "du")
    ul = tp.gen("c5", "ru", "--slots", 1, "--eaxc", 2, "--prbs", 20, "--from", "ru",
                "--eaxc-layout", "2,6,4,4")
    ports = [("du0", "ROLE_DU", dl), ("ru0", "ROLE_RU", ul)]
    xl = {"du_port_bits": 4, "band_sector_bits": 2, "cc_bits": 2, "ru_port_bits": 8}
    flows = [tp.flow("dl", "du0", ["ru0"]), tp.flow("ul", "ru0", ["du0"], translate_eaxc_layout=xl)]
    cfg = tp.base_config("c5", ports, flows)
    cfg["ports"] = [du.port("du0", 0, "ROLE_DU"), ru.port("ru0", 1, "ROLE_RU")]
    res = tp.run_fhswd("c5", ports, cfg)
    want_ru = [tp.with_eaxc(b, tp.eaxc_translate(tp.Frame(b).eaxc, du.layout, ru.layout)) for _, b in dl]
    want_du = [tp.with_eaxc(b, tp.eaxc_translate(tp.Frame(b).eaxc, ru.layout, (4, 2, 2, 8))) for _, b in ul]
    ck.frames(res.out["ru0"], want_ru, "ru0")
    ck.frames(res.out["du0"], want_du, "du0")
    return f"{len(want_ru)} DL, {len(want_du)} UL frames translated"


# ---- shared cell: UL combine ------------------------------------------------------


def msg_key(b):
    """(eAxC, startPrbu, frame/subframe/slot/symbol) of a U-plane frame."""
    f = tp.Frame(b)
    e = f.ecpri
    return (f.eaxc, ((b[e + 13] & 3) << 8) | b[e + 14], bytes(b[e + 9:e + 12]))


def comb_expect(rus, ru_dias, du, on_time):
    """{key: (expected frame bytes with seqId 0, saturated, n_parts,
    mismatched parts)} for RU streams rus (lists of frames; None = RU
    sends nothing).  on_time[k]: RU k's parts count."""
    parts = {}
    order = []
    for k, frames in enumerate(rus):
        for b in frames or []:
            f = tp.Frame(b)
            if f.msg_type != 0:
                continue
            key = msg_key(b)
            if key not in parts:
                parts[key] = {}
                order.append(key)
            parts[key][k] = b
    out = {}
    for key in order:
        got = parts[key]
        ks = [k for k in sorted(got) if on_time[k]]
        if not ks:
            continue
        first = got[ks[0]]
        f0 = tp.Frame(first)
        e = f0.ecpri
        body0 = first[e + 8:e + 4 + tp.be16(first, e + 2)]
        layout = parse_sections(body0, ru_dias[ks[0]])
        prbs = {}
        for s in layout:
            for j in range(s["n"]):
                prbs[s["start"] + j] = [0] * 24
        mism = 0
        for k in ks:
            b = got[k]
            f = tp.Frame(b)
            body = b[f.ecpri + 8:f.ecpri + 4 + tp.be16(b, f.ecpri + 2)]
            covered, fits = 0, True
            for s in parse_sections(body, ru_dias[k]):
                covered += s["n"]
                for j in range(s["n"]):
                    p = s["start"] + j
                    if p not in prbs:
                        fits = False
                        continue
                    acc = prbs[p]
                    for v in range(24):
                        acc[v] += s["vals"][j * 24 + v]
            if not fits or covered != len(prbs):
                mism += 1
        # one body of the first part's sections, then the MTU cut
        secs = [(s, [v for j in range(s["n"]) for v in prbs[s["start"] + j]]) for s in layout]
        bodies, sat = cut(body0[:4], secs, du, (du.mtu or 1500) - (e - f0.l3) - 8)
        eaxc = tp.eaxc_translate(f0.eaxc, ru_dias[ks[0]].layout, du.layout)
        frames = []
        for part in bodies:
            fr = first[:e] + bytes([0x10, 0]) + struct.pack(">HHBB", 4 + len(part), eaxc, 0, 0x80) + part
            if f0.udp_dport is not None:
                fr = fix_udp(fr, f0)
            frames.append(fr)
        out[key] = (frames, sat, len(ks), mism)
    return out


def comb_check(ck, res, want, group):
    """Output frames of du0 against want, seqIds per eAxC consecutive."""
    got = res.out["du0"] or []
    # the switch's frames, grouped by message: parts of one message are
    # consecutive; messages in the order they left
    by_key, order = {}, []
    for b in got:
        f = tp.Frame(b)
        e = f.ecpri
        # the key of a cut message is that of its first part: the first
        # section's startPrbu of the first part
        key = msg_key(b)
        if key not in want:
            # a later part of a cut message
            if not order:
                ck.ok(False, f"du0: frame of no expected message {key}")
                return
            key = order[-1]
        else:
            if key in by_key:
                ck.ok(False, f"du0: message {key} sent twice")
            by_key[key] = []
            order.append(key)
        by_key[key].append(b)
    ck.eq(len(by_key), len(want), "messages combined to the DU")
    seqs = {}
    sat = 0
    for key, (frames, s, _, _) in want.items():
        sat += s
        g = by_key.get(key, [])
        if len(g) != len(frames):
            ck.ok(False, f"message {key}: {len(g)} frames, expected {len(frames)}")
            continue
        for b, w in zip(g, frames):
            e = tp.Frame(b).ecpri
            ck.ok(b[:e + 6] + b[e + 7:] == w[:e + 6] + w[e + 7:],
                  f"message {key}: differs from the reference sum")
    for b in got:
        f = tp.Frame(b)
        nxt = seqs.get(f.eaxc, 0)
        ck.eq(f.seq, nxt, f"seqId of eAxC {f.eaxc:#x}")
        seqs[f.eaxc] = (f.seq + 1) & 0xFF
    ctr = res.counters["combine_groups"][group]
    ck.eq(ctr["tx_total"], len(got), "combine tx_total")
    ck.eq(ctr["saturated"], sat, "combine saturated")
    return ctr


def gen_files(path, *opts):
    cmd = [ARGS.fhctl, "gen", "--out", path, *[str(o) for o in opts]]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise tp.CaseFail(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")


def combine_run(ck, name, n_ru, du, ru, deadline_us=300, late=(), missing=(), prbs=273,
                mism_prbs=None, slots=2, lcores="0"):
    """n_ru RUs of one cell through fhswd; late: RUs whose UL comes 500 us
    after air time (past the deadline); missing: RUs that send nothing;
    mism_prbs: {ru: PRBs} RUs sending a narrower allocation."""
    d = os.path.join(ARGS.workdir, name)
    os.makedirs(d, exist_ok=True)
    base = ["--from", "ru", "--direction", "ul", "--slots", slots, "--eaxc", 2, "--prbs", prbs,
            "--ru-count", n_ru, *ru.gen_opts(), "--seed", 7]
    gen_files(os.path.join(d, "ul.pcap"), *base)
    if late:
        gen_files(os.path.join(d, "late.pcap"), *base, "--ul-delay-us", 500)
    rus = []
    for k in range(n_ru):
        if k in missing:
            rus.append(None)
            continue
        src = "late" if k in late else "ul"
        if mism_prbs and k in mism_prbs:
            p = os.path.join(d, "m.pcap")
            gen_files(p, *[a if a != prbs else mism_prbs[k] for a in base])
            src = "m"
            rus.append(tp.read_pcap(os.path.join(d, f"m-ru{k}.pcap")))
            continue
        rus.append(tp.read_pcap(os.path.join(d, f"{src}-ru{k}.pcap")))
    ports = [("du0", "ROLE_DU", [])] + [(f"ru{k}", "ROLE_RU", rus[k] or []) for k in range(n_ru)]
    group = {"name": "cell", "in_ports": [f"ru{k}" for k in range(n_ru)], "out_port": "du0",
             "deadline_us": deadline_us}
    cfg = tp.base_config(name, ports, [])
    cfg["ports"] = [du.port("du0", 0, "ROLE_DU")] + [ru.port(f"ru{k}", k + 1, "ROLE_RU") for k in range(n_ru)]
    cfg["combine_groups"] = [group]
    old = getattr(tp.ARGS, "lcores", "0")
    res = run_fhswd_lcores(name, ports, cfg, lcores)
    on_time = [k not in late and k not in missing for k in range(n_ru)]
    want = comb_expect([[b for _, b in r] if r else None for r in rus], [ru] * n_ru, du, on_time)
    ctr = comb_check(ck, res, want, "cell")
    out = os.path.join(d, "out_du0.pcap")
    write(out, res.out["du0"] or [])
    if du.comp[0] in ("none", "bfp"):
        tshark_clean(ck, out, du, None, "du0 (combined)")
    res.out_pcap = out
    n_msgs = len(want)
    n_in = sum(1 for r in rus if r)
    del old
    return res, ctr, n_msgs, n_in, want


def run_fhswd_lcores(name, ports, cfg, lcores):
    """tp.run_fhswd with another -l."""
    if lcores == "0":
        return tp.run_fhswd(name, ports, cfg)
    orig = tp.ARGS.fhswd
    wrapper = os.path.join(ARGS.workdir, "fhswd_lcores.sh")
    # -l LCORES, and a second tx queue per pcap port (one per lcore)
    with open(wrapper, "w") as f:
        f.write(f"""#!/usr/bin/python3
import os, sys
a = sys.argv[1:]
for i, x in enumerate(a):
    if x == "-l":
        a[i + 1] = "{lcores}"
    if x.startswith("net_pcap") and "tx_pcap=" in x:
        a[i] = x + ",tx_pcap=" + x.split("tx_pcap=")[1] + ".q1"
os.execv("{orig}", ["{orig}"] + a)
""")
    os.chmod(wrapper, 0o755)
    tp.ARGS.fhswd = wrapper
    try:
        return tp.run_fhswd(name, ports, cfg)
    finally:
        tp.ARGS.fhswd = orig


def case_combine2(ck):
    """6. 2 RUs, every part on time: BFP-9 in, BFP-9 out."""
    du = Dialect(comp=("bfp", 9), mtu=9000)
    ru = Dialect(comp=("bfp", 9), mtu=9000)
    res, ctr, n, _, want = combine_run(ck, "c6", 2, du, ru)
    ck.eq(ctr["combined"], n, "combined")
    ck.eq(ctr["partial"], 0, "partial")
    ck.eq(ctr["late_parts"], 0, "late_parts")
    ck.eq(ctr["parts"], 2 * n, "parts")
    # fhctl decode --iq of the output: the reference sum of the RUs' IQ
    got = fhctl_iq(res.out_pcap, du)
    ref = []
    for frames, _, _, _ in want.values():
        for b in frames:
            e = tp.Frame(b).ecpri
            body = b[e + 8:e + 4 + tp.be16(b, e + 2)]
            ref += [(body[3] & 0x3F, s["start"], s["vals"]) for s in parse_sections(body, du)]
    ck.eq(len(got), len(ref), "sections decoded by fhctl")
    ck.ok(sorted(got) == sorted(ref), "fhctl decode --iq equals the reference sums")
    return f"{n} messages combined from 2 RUs"


def case_combine4(ck):
    """7. 4 RUs of 273 PRBs, BFP-9 in, BFP-9 out at MTU 9000, layouts
    2/6/4/4 (RUs) -> 4/4/4/4 (DU); sums beyond 16 bits carried by BFP's
    exponent (nothing saturates)."""
    du = Dialect(comp=("bfp", 9), mtu=9000)
    ru = Dialect(layout=(2, 6, 4, 4), comp=("bfp", 9), mtu=9000)
    res, ctr, n, _, want = combine_run(ck, "c7", 4, du, ru)
    ck.eq(ctr["combined"], n, "combined")
    ck.eq(ctr["saturated"], 0, "saturated")
    big = 0
    for fr, _, _, _ in list(want.values())[:8]:
        for b in fr:
            e = tp.Frame(b).ecpri
            for sec in parse_sections(b[e + 8:e + 4 + tp.be16(b, e + 2)], du):
                big = max(big, max(abs(v) for v in sec["vals"]))
    ck.ok(big > 32767, f"some sums beyond 16 bits (largest {big})")
    return f"{n} messages from 4 RUs, largest sum {big} carried by BFP-9"


def case_combine_none16(ck):
    """8. 4 RUs into an uncompressed 16-bit DU at MTU 1500: sums cut into
    several messages, values beyond 16 bits saturate and are counted."""
    du = Dialect(comp=("none", 16), mtu=1500)
    ru = Dialect(comp=("bfp", 9), mtu=9000)
    res, ctr, n, _, _ = combine_run(ck, "c8", 4, du, ru, slots=1)
    ck.eq(ctr["combined"], n, "combined")
    ck.ok(ctr["saturated"] > 0, "some 16-bit sums saturate")
    ck.ok(ctr["tx_total"] > n, "messages cut at MTU 1500")
    return f"{n} messages, {ctr['tx_total']} frames, {ctr['saturated']} values saturated"


def case_combine_late(ck):
    """9. 3 RUs, RU 2 sends 500 us after air time with a 300 us deadline:
    every message leaves partial at its deadline, RU 2's parts are late."""
    du = Dialect(comp=("bfp", 9), mtu=9000)
    ru = Dialect(comp=("bfp", 9), mtu=9000)
    res, ctr, n, _, _ = combine_run(ck, "c9", 3, du, ru, late=(2,))
    ck.eq(ctr["combined"], 0, "combined")
    ck.eq(ctr["partial"], n, "partial")
    ck.eq(ctr["late_parts"], n, "late_parts")
    ck.eq(ctr["missing"], {"ru0": 0, "ru1": 0, "ru2": n}, "missing")
    return f"{n} partial messages, {ctr['late_parts']} late parts"


def case_combine_missing(ck):
    """10. 3 RUs configured, RU 1 sends nothing: partial at the deadline."""
    du = Dialect(comp=("bfp", 9), mtu=9000)
    ru = Dialect(comp=("bfp", 9), mtu=9000)
    res, ctr, n, _, _ = combine_run(ck, "c10", 3, du, ru, missing=(1,))
    ck.eq(ctr["partial"], n, "partial")
    ck.eq(ctr["missing"], {"ru0": 0, "ru1": n, "ru2": 0}, "missing")
    ck.eq(ctr["late_parts"], 0, "late_parts")
    return f"{n} partial messages without ru1"


def case_combine_mismatch(ck):
    """11. 2 RUs, RU 1 allocates 100 PRBs where RU 0 has 255: PRBs 0..99
    summed, the rest RU 0's alone; RU 1's parts counted mismatched."""
    du = Dialect(comp=("bfp", 9), mtu=9000)
    ru = Dialect(comp=("bfp", 9), mtu=9000)
    res, ctr, n, _, want = combine_run(ck, "c11", 2, du, ru, prbs=255, mism_prbs={1: 100})
    mism = sum(w[3] for w in want.values())
    ck.eq(ctr["mismatched"], mism, "mismatched")
    ck.ok(mism > 0, "the narrower RU mismatches")
    return f"{n} messages, {mism} mismatched parts"


def case_combine_lcores(ck):
    """12. Two lcores (-l 0-1): the RUs' ports are polled on both, parts
    handed to the group's owner lcore."""
    du = Dialect(comp=("bfp", 9), mtu=9000)
    ru = Dialect(comp=("bfp", 9), mtu=9000)
    res, ctr, n, _, _ = combine_run(ck, "c12", 4, du, ru, lcores="0-1")
    ck.eq(ctr["combined"], n, "combined")
    ck.eq(ctr["partial"], 0, "partial")
    return f"{n} messages combined on 2 lcores"


CASES = [
    ("1 BFP-9 <-> none:16, split at MTU 1500", case_bfp9_none16),
    ("2 BFP-9 <-> BFP-14 dynamic udCompHdr", case_bfp9_bfp14_dyn),
    ("3 mu-law 8 <-> BFP-9", case_mulaw_bfp),
    ("4 UDP/IPv4 re-coding and split", case_udp),
    ("5 eAxC layouts both ways", case_layout_only),
    ("6 combine 2 RUs", case_combine2),
    ("7 combine 4 RUs, 273 PRBs", case_combine4),
    ("8 combine into none:16, saturation, MTU cut", case_combine_none16),
    ("9 combine with one RU late", case_combine_late),
    ("10 combine with one RU missing", case_combine_missing),
    ("11 combine mismatched PRB ranges", case_combine_mismatch),
    ("12 combine on two lcores", case_combine_lcores),
]


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fhswd", required=True)
    ap.add_argument("--fhctl", required=True)
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--only", help="comma-separated case numbers")
    ARGS = ap.parse_args()
    ARGS.fhswd = os.path.abspath(ARGS.fhswd)
    ARGS.fhctl = os.path.abspath(ARGS.fhctl)
    ARGS.workdir = os.path.abspath(ARGS.workdir)
    os.makedirs(ARGS.workdir, exist_ok=True)
    tp.ARGS = ARGS
    only = set(ARGS.only.split(",")) if ARGS.only else None
    return tp.run_cases(CASES, only)

if __name__ == "__main__":
    sys.exit(main())
