#!/usr/bin/python3
"""Compare PTP messages captured on both sides of fhswd.

  ptp_check.py pair --in A.pcap --out B.pcap [--types sync,delay_req]
      match each PTP message of A (entering the switch) with the same
      message in B (leaving it) by (messageType, sequenceId,
      sourcePortIdentity); print JSON: per message type the count, and for
      the matched ones the correctionField growth (ns), the capture delta
      (B time - A time, ns) and delta - growth (the time the switch did
      not account for: its receive ring and the kernel paths), with
      p50/p99/max; frames that differ in anything but correctionField and
      the UDP checksum are counted as "changed".

  ptp_check.py count --pcap A.pcap
      print JSON {type name: count} of the PTP messages in A.

  ptp_check.py corr --pcap A.pcap --type T
      print "sequenceId correction_ns" for each message of type T in A
      (tab-separated, as tshark -T fields prints them).

  ptp_check.py pmc --file PMC.log
      print JSON statistics of the offsetFromMaster / meanPathDelay lines
      of `pmc GET CURRENT_DATA_SET` answers: n, and for each the median,
      min, max, p05, p95 and peak-to-peak, in ns.

Standard library only.
"""
import argparse
import json
import statistics
import struct
import sys

TYPES = {0: "sync", 1: "delay_req", 2: "pdelay_req", 3: "pdelay_resp",
         8: "follow_up", 9: "delay_resp", 10: "pdelay_resp_follow_up",
         11: "announce", 12: "signaling", 13: "management"}


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic == 0xA1B23C4D:
        scale = 1
    elif magic == 0xA1B2C3D4:
        scale = 1000
    else:
        raise SystemExit("%s: not a little-endian pcap" % path)
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack("<IIII", data[off:off + 16])
        off += 16
        yield sec * 1000000000 + frac * scale, data[off:off + incl]
        off += incl


def ptp_of(frame):
    """(offset of the PTP header, UDP header offset or None) or None."""
    off = 12
    et = struct.unpack(">H", frame[off:off + 2])[0]
    tags = 0
    while et in (0x8100, 0x88A8) and tags < 2:
        off += 4
        tags += 1
        et = struct.unpack(">H", frame[off:off + 2])[0]
    off += 2
    if et == 0x88F7:
        return off, None
    if et == 0x0800 and frame[off + 9] == 17:
        udp = off + (frame[off] & 15) * 4
    elif et == 0x86DD and frame[off + 6] == 17:
        udp = off + 40
    else:
        return None
    if struct.unpack(">H", frame[udp + 2:udp + 4])[0] in (319, 320):
        return udp + 8, udp
    return None


def messages(path):
    out = {}
    for t, fr in read_pcap(path):
        loc = ptp_of(fr)
        if loc is None or len(fr) < loc[0] + 34:
            continue
        p = loc[0]
        mtype = fr[p] & 15
        key = (mtype, fr[p + 20:p + 30], struct.unpack(">H", fr[p + 30:p + 32])[0])
        corr = struct.unpack(">q", fr[p + 8:p + 16])[0]
        out.setdefault(key, (t, fr, loc, corr))
    return out


def masked(frame, loc):
    b = bytearray(frame)
    p, u = loc
    b[p + 8:p + 16] = bytes(8)
    if u is not None:
        b[u + 6:u + 8] = bytes(2)
    return bytes(b)


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))] if v else None


def stats(v):
    if not v:
        return {"n": 0}
    return {"n": len(v), "min": min(v), "p50": pct(v, 0.5),
            "p95": pct(v, 0.95), "p99": pct(v, 0.99), "max": max(v)}


def cmd_pair(a):
    mi, mo = messages(a.inp), messages(a.out)
    types = a.types.split(",") if a.types else None
    res = {}
    for key, (t_in, f_in, loc_in, c_in) in mi.items():
        name = TYPES.get(key[0], str(key[0]))
        if types and name not in types:
            continue
        r = res.setdefault(name, {"in": 0, "matched": 0, "changed": 0,
                                  "growth": [], "delta": [], "unaccounted": []})
        r["in"] += 1
        if key not in mo:
            continue
        t_out, f_out, loc_out, c_out = mo[key]
        r["matched"] += 1
        # everything but correctionField (and the UDP checksum) unchanged
        if masked(f_in, loc_in) != masked(f_out, loc_out):
            r["changed"] += 1
        g = (c_out - c_in) / 65536.0
        d = t_out - t_in
        r["growth"].append(round(g))
        r["delta"].append(d)
        r["unaccounted"].append(round(d - g))
    for name, r in res.items():
        for k in ("growth", "delta", "unaccounted"):
            r[k] = stats(r[k])
    print(json.dumps(res, sort_keys=True))
    return 0


def cmd_count(a):
    c = {}
    for key in messages(a.pcap):
        n = TYPES.get(key[0], str(key[0]))
        c[n] = c.get(n, 0) + 1
    print(json.dumps(c, sort_keys=True))
    return 0


def cmd_corr(a):
    for _t, fr in read_pcap(a.pcap):
        loc = ptp_of(fr)
        if loc is None or len(fr) < loc[0] + 34 or fr[loc[0]] & 15 != a.type:
            continue
        p = loc[0]
        seq = struct.unpack(">H", fr[p + 30:p + 32])[0]
        corr = struct.unpack(">q", fr[p + 8:p + 16])[0]
        print("%d\t%d" % (seq, corr >> 16))
    return 0


def cmd_pmc(a):
    off, pd = [], []
    with open(a.file, errors="replace") as f:
        for line in f:
            w = line.split()
            if len(w) == 2 and w[0] == "offsetFromMaster":
                off.append(float(w[1]))
            elif len(w) == 2 and w[0] == "meanPathDelay":
                pd.append(float(w[1]))

    def s(v):
        if not v:
            return None
        return {"median": statistics.median(v), "min": min(v), "max": max(v),
                "pp": max(v) - min(v), "p05": pct(v, 0.05), "p95": pct(v, 0.95)}
    print(json.dumps({"n": min(len(off), len(pd)), "offset": s(off),
                      "path_delay": s(pd)}, sort_keys=True))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("pair")
    q.add_argument("--in", dest="inp", required=True)
    q.add_argument("--out", required=True)
    q.add_argument("--types")
    q = sub.add_parser("count")
    q.add_argument("--pcap", required=True)
    q = sub.add_parser("corr")
    q.add_argument("--pcap", required=True)
    q.add_argument("--type", type=int, required=True)
    q = sub.add_parser("pmc")
    q.add_argument("--file", required=True)
    a = p.parse_args()
    return {"pair": cmd_pair, "count": cmd_count, "pmc": cmd_pmc, "corr": cmd_corr}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
