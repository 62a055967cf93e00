#!/usr/bin/env python3
"""Regenerate the libFuzzer seed corpora from `fhctl gen` output.

  tests/fuzz/make_seeds.py BUILD/bin/fhctl

Seeds are small (few PRBs) so the fuzzer mutates headers, not IQ.  The
first bytes of uplane/cplane seeds are the configuration selectors the
fuzz targets read (see fuzz_uplane.c / fuzz_cplane.c).  Crash inputs found
later are added beside these as regression cases (crash-*).
"""
import hashlib
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), "little-endian pcap expected"
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def ecpri_payload(fr):
    off = 12
    et = struct.unpack(">H", fr[off:off + 2])[0]
    while et in (0x8100, 0x88A8):
        off += 4
        et = struct.unpack(">H", fr[off:off + 2])[0]
    off += 2
    if et == 0xAEFE:
        return fr[off:]
    if et == 0x0800:
        ihl = (fr[off] & 0xF) * 4
        return fr[off + ihl + 8:]
    return None


def save(target, blob):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    name = "seed-" + hashlib.sha1(blob).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(blob)


def main():
    fhctl = sys.argv[1]
    cases = [
        ["--comp", "bfp:9", "--prach", "--cplane-types", "0,5,6,7"],
        ["--comp", "bfp:14", "--comp-hdr", "dynamic", "--ext", "1,4,5,6,10,11,12,13,20"],
        ["--comp", "none:16", "--vlan", "5", "--ecpri-misc"],
        ["--comp", "mulaw:8", "--udp", "5000", "--concat"],
        ["--comp", "bs:9", "--comp-hdr", "dynamic"],
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for i, extra in enumerate(cases):
            pcap = os.path.join(tmp, f"{i}.pcap")
            subprocess.run([fhctl, "gen", "--out", pcap, "--slots", "20",
                            "--eaxc", "1", "--prbs", "3"] + extra, check=True,
                           capture_output=True)
            seen = set()
            for fr in frames(pcap):
                p = ecpri_payload(fr)
                if p is None or len(p) < 8:
                    continue
                key = (p[1], p[8] if len(p) > 8 else 0, len(p))
                if key in seen:
                    continue
                seen.add(key)
                save("fuzz_frame", fr)
                save("fuzz_ecpri", p)
                body = p[8:]
                if p[1] == 0:
                    dyn = 0x80 if "dynamic" in extra else 0
                    comp = extra[1].split(":")
                    meth = {"none": 0, "bfp": 1, "bs": 2, "mulaw": 3}[comp[0]]
                    w = int(comp[1])
                    save("fuzz_uplane", bytes([dyn | meth << 4, (w - 1) & 0xF]) + body)
                elif p[1] == 2:
                    save("fuzz_cplane", bytes([3, 32]) + body)
    for t in ("fuzz_ecpri", "fuzz_uplane", "fuzz_cplane", "fuzz_frame"):
        print(t, len(os.listdir(os.path.join(HERE, "corpus", t))))


if __name__ == "__main__":
    main()
