#!/usr/bin/env python3
"""U-plane re-coding (fronthaul/recode.c) against the independent
reference in tests/lib/oran_iq.py (ORAN.md section 4 formulas).

    test_recode.py --tool build/tests/recode_tool

1. every pair of codings (4 methods x widths 1..16, static headers): the
   re-coded PRBs equal the reference's decode-then-encode byte for byte;
   radio header and section header kept;
2. dynamic udCompHdr on either side, sections of different codings in one
   message;
3. the quantisation bound: same method, wider or equal target is exact;
   BFP to a narrower BFP loses less than 2^e per value; none:16 -> none:w
   clears the low bits;
4. splitting at a size limit: 273 PRBs with numPrbu = 0, BFP-9 -> none:16
   under a 1500-byte MTU: parts of whole PRBs, startPrbu/numPrbu
   consecutive, same sectionId, the PRBs joined equal the unsplit result;
   numPrbu = 0 stays 0 when nothing is cut;
5. malformed input: truncated section, PRBs past the end, a limit below one
   PRB: errors with offsets, no output.
"""
import argparse
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import oran_iq as iq  # noqa: E402

RH = bytes([0x10, 0x05, 0x23, 0x07])  # UL, payload version 1, frame 5, ...
FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL:", what)


def spec(c, dyn=False):
    return f"{c[0]}:{c[1]}" + (":dyn" if dyn else "")


def sec_hdr(sid, start, num_field, comp=None):
    b = bytes([sid >> 4, ((sid & 0xF) << 4) | (start >> 8 & 3), start & 0xFF, num_field])
    if comp is not None:
        b += bytes([iq.comp_hdr(*comp), 0])
    return b


def parse_body(b, dyn, static=None, carrier=273):
    """[(sid, start, num_field, (method, w), prb bytes)] of a body."""
    out, pos = [], 4
    while pos < len(b):
        sid = (b[pos] << 4) | (b[pos + 1] >> 4)
        start = ((b[pos + 1] & 3) << 8) | b[pos + 2]
        nf = b[pos + 3]
        pos += 4
        c = static
        if dyn:
            c = iq.from_comp_hdr(b[pos])
            pos += 2
        n = nf or carrier
        ln = n * iq.prb_bytes(*c)
        out.append((sid, start, nf, c, b[pos:pos + ln]))
        pos += ln
    return out


class Tool:
    def __init__(self, path):
        self.p = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True)

    def run(self, frm, to, max_body, body):
        self.p.stdin.write(f"{frm} {to} {max_body} {body.hex()}\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("recode_tool exited")
        line = line.strip()
        if line.startswith("ERR"):
            return line
        return [bytes.fromhex(h) for h in line.split()]

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=30)


def rand_iq(rng, n_prb):
    vals = []
    for _ in range(n_prb * 24):
        r = rng.random()
        if r < 0.05:
            vals.append(rng.choice([-32768, 32767, 0, -1, 1]))
        else:
            scale = rng.choice([16, 300, 4000, 32767])
            vals.append(rng.randint(-scale, scale))
    return vals


CODINGS = [(m, w) for m in iq.METHODS for w in range(1, 17)]


def case_all_pairs(tool, rng):
    n = 0
    for src in CODINGS:
        vals = rand_iq(rng, 2)
        data = iq.encode(src[0], src[1], vals)
        body = RH + sec_hdr(0x123, 17, 2) + data
        for dst in CODINGS:
            got = tool.run(spec(src), spec(dst), 9000, body)
            want = RH + sec_hdr(0x123, 17, 2) + iq.recode(src, dst, data, 2)
            if got != [want]:
                check(False, f"{spec(src)} -> {spec(dst)}: got {got!r:.120} want {want.hex():.120}")
                return
            n += 1
    print(f"ok 1 - {n} coding pairs re-coded byte-exact against the reference")


def case_dynamic(tool, rng):
    a, b = ("bfp", 9), ("none", 16)
    va, vb = rand_iq(rng, 3), rand_iq(rng, 1)
    body = (RH + sec_hdr(1, 0, 3, a) + iq.encode(*a, va) +
            sec_hdr(2, 100, 1, b) + iq.encode(*b, vb))
    dst = ("bfp", 14)
    got = tool.run("bfp:9:dyn", spec(dst, True), 9000, body)
    want = (RH + sec_hdr(1, 0, 3, dst) + iq.encode(*dst, iq.decode(*a, iq.encode(*a, va), 3)) +
            sec_hdr(2, 100, 1, dst) + iq.encode(*dst, vb))
    check(got == [want], "dynamic -> dynamic BFP-14, two sections of two codings")
    # dynamic -> static: no udCompHdr written
    got = tool.run("bfp:9:dyn", "mu_law:8", 9000, body)
    secs = parse_body(got[0], False, ("mu_law", 8)) if isinstance(got, list) else []
    check(len(secs) == 2 and secs[0][:3] == (1, 0, 3) and secs[1][:3] == (2, 100, 1),
          "dynamic -> static mu_law:8 keeps both sections' ids and ranges")
    # static -> dynamic
    data = iq.encode("block_scaling", 7, va)
    got = tool.run("block_scaling:7", "bfp:9:dyn", 9000, RH + sec_hdr(5, 3, 3) + data)
    want = RH + sec_hdr(5, 3, 3, ("bfp", 9)) + iq.recode(("block_scaling", 7), ("bfp", 9), data, 3)
    check(got == [want], "static block_scaling:7 -> dynamic bfp:9 writes udCompHdr 0x91")
    print("ok 2 - dynamic udCompHdr on either side")


def case_bounds(tool, rng):
    worst = {}
    for _ in range(20):
        vals = rand_iq(rng, 4)
        for src, dst in ((("bfp", 9), ("bfp", 14)), (("bfp", 9), ("none", 16)),
                         (("none", 12), ("none", 16)), (("mu_law", 8), ("none", 16))):
            data = iq.encode(*src, vals)
            got = tool.run(spec(src), spec(dst), 9000, RH + sec_hdr(1, 0, 4) + data)
            check(iq.decode(*dst, got[0][8:], 4) == iq.decode(*src, data, 4),
                  f"{spec(src)} -> {spec(dst)} is exact")
        data = iq.encode("none", 16, vals)
        got = tool.run("none:16", "bfp:9", 9000, RH + sec_hdr(1, 0, 4) + data)
        out = got[0][8:]
        for p in range(4):
            e = out[p * 28] & 0xF
            dec = iq.decode("bfp", 9, out[p * 28:(p + 1) * 28], 1)
            for v, d in zip(vals[p * 24:(p + 1) * 24], dec):
                check(0 <= v - d < (1 << e), f"bfp:9 bound: {v} -> {d} with e={e}")
                worst["bfp9"] = max(worst.get("bfp9", 0), v - d)
        got = tool.run("none:16", "none:10", 9000, RH + sec_hdr(1, 0, 4) + data)
        dec = iq.decode("none", 10, got[0][8:], 4)
        check(dec == [v & ~63 for v in vals], "none:16 -> none:10 clears 6 low bits")
    print(f"ok 3 - quantisation bounds (worst BFP-9 error {worst.get('bfp9')})")


def case_split(tool, rng):
    vals = rand_iq(rng, 273)
    data = iq.encode("bfp", 9, vals)
    body = RH + sec_hdr(7, 0, 0) + data
    max_body = 1500 - 8  # MTU 1500 minus eCPRI header, eAxC and seqId
    got = tool.run("bfp:9", "none:16", max_body, body)
    check(isinstance(got, list) and len(got) == 10, f"273 PRBs of 48 B in 1492 B: 10 parts, got {len(got)}")
    joined, nxt = b"", 0
    for part in got:
        check(len(part) <= max_body, f"part of {len(part)} B over {max_body}")
        check(part[:4] == RH, "radio header in every part")
        secs = parse_body(part, False, ("none", 16))
        check(len(secs) == 1, "one section per part")
        sid, start, nf, _, prbs = secs[0]
        check(sid == 7 and start == nxt and nf == len(prbs) // 48 and nf > 0,
              f"part sectionId {sid} startPrbu {start} numPrbu {nf} (next expected {nxt})")
        nxt = start + nf
        joined += prbs
    check(nxt == 273, f"parts cover 273 PRBs, {nxt}")
    check(joined == iq.recode(("bfp", 9), ("none", 16), data, 273), "split PRBs equal the reference")
    got = tool.run("bfp:9", "bfp:8", 9000, body)
    check(len(got) == 1 and got[0][7] == 0, "unsplit numPrbu 0 stays 0")
    # two sections, the second cut
    body = RH + sec_hdr(1, 0, 20) + iq.encode("bfp", 9, vals[:480]) + sec_hdr(2, 20, 30) + \
        iq.encode("bfp", 9, vals[480:1200])
    got = tool.run("bfp:9", "none:16", 4 + 4 + 20 * 48 + 4 + 10 * 48, body)
    secs = [s[:3] for p in got for s in parse_body(p, False, ("none", 16))]
    check(secs == [(1, 0, 20), (2, 20, 10), (2, 30, 20)], f"second section cut at the limit: {secs}")
    print("ok 4 - split by PRB range at the size limit")


def case_malformed(tool):
    data = iq.encode("bfp", 9, [0] * 48)
    got = tool.run("bfp:9", "none:16", 9000, RH + sec_hdr(1, 0, 3) + data)
    check(isinstance(got, str) and got.startswith("ERR 90 "), f"PRBs past the end: {got!r}")
    got = tool.run("bfp:9", "none:16", 9000, RH + sec_hdr(1, 0, 2) + data + b"\x00\x01")
    check(isinstance(got, str) and got.startswith("ERR 90 "), f"truncated section header: {got!r}")
    got = tool.run("bfp:9", "none:16", 40, RH + sec_hdr(1, 0, 2) + data)
    check(isinstance(got, str) and got.startswith("ERR 22 0 "), f"limit below one PRB: {got!r}")
    got = tool.run("bfp:9", "none:16", 9000, RH[:3])
    check(isinstance(got, str) and got.startswith("ERR"), f"no radio header: {got!r}")
    print("ok 5 - malformed input refused with its offset")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    tool = Tool(a.tool)
    try:
        case_all_pairs(tool, rng)
        case_dynamic(tool, rng)
        case_bounds(tool, rng)
        case_split(tool, rng)
        case_malformed(tool)
    finally:
        tool.close()
    if FAILS:
        print(f"{len(FAILS)} checks failed")
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
