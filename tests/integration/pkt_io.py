#!/usr/bin/python3
"""Raw Ethernet I/O on Linux interfaces for the netns integration test.

Standard library only.  Subcommands:

  send     --iface IF[,IF...] --pcap FILE [--pace [--speed X] | --pps N |
           --wallclock] [--limit N]
           transmit every frame of FILE on IF (on each IF in turn) through
           an AF_PACKET raw socket, as fast as possible, at the capture's own
           spacing (--pace, divided by --speed), at a fixed rate (--pps), or
           each at its timestamp read as UNIX time (--wallclock).  Prints a
           JSON summary (max_late_us: the worst lag behind a due time).

  capture  --iface IF --out FILE [--count N] [--duration S] [--linger S]
           [--ready PATH] [--stop-file PATH] [--keep-ipv6] [--outgoing]
           [--ethertype HEX]...
           record the frames IF *receives* into a nanosecond pcap.  Frames
           the host itself sends on IF (PACKET_OUTGOING) are not recorded;
           with --outgoing only those are (and the count of the others
           is reported as "outgoing").
           The kernel's own chatter is ignored: IPv6 (router/neighbour
           solicitations, MLD) unless --keep-ipv6; with --ethertype only
           those EtherTypes are kept.  Stops after --duration seconds, or
           --linger seconds after --count frames were kept (to catch
           surplus frames), or once --stop-file exists and no frame came
           for 0.2 s.  Creates --ready once the socket is bound.
           VLAN tags the kernel took off are put back (PACKET_AUXDATA).
           Each frame's time is the kernel's receive timestamp
           (SO_TIMESTAMPNS), not the time this process read it.
           Prints a JSON summary.

  select   --pcap IN --out OUT [--eaxc LIST] [--plane C|U] [--direction
           UL|DL] [--src-mac MAC]
           copy the eCPRI frames of IN that match into OUT.

  compare  --expected A.pcap --got B.pcap [--ordered]
           compare frame bytes (multiset, or sequence with --ordered);
           exit 0 if equal, 1 otherwise, with a short diff on stdout.

  summary  --pcap FILE
           print JSON {"frames": n, "by": {"PLANE DIR eAxC": n}, "other": n}.
"""

import argparse
import collections
import ctypes
import json
import os
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_PROMISC = 1
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
SO_RCVBUFFORCE = 33
SO_SNDBUFFORCE = 32
SO_TIMESTAMPNS = 35
ETH_P_ECPRI = 0xAEFE
ETH_P_IPV6 = 0x86DD
VLAN_TPIDS = (0x8100, 0x88A8)


# ---- pcap -------------------------------------------------------------------

def read_pcap(path):
    """Return [(ts_ns, bytes)] of a classic pcap (µs or ns, either endian)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: not a pcap file" % path)
    magic = data[:4]
    table = {
        b"\xd4\xc3\xb2\xa1": ("<", 1000), b"\xa1\xb2\xc3\xd4": (">", 1000),
        b"\x4d\x3c\xb2\xa1": ("<", 1), b"\xa1\xb2\x3c\x4d": (">", 1),
    }
    if magic not in table:
        raise ValueError("%s: not a pcap file" % path)
    endian, mult = table[magic]
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        raise ValueError("%s: link type %d, want Ethernet" % (path, linktype))
    out = []
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(endian + "IIII",
                                               data[off:off + 16])
        off += 16
        if off + incl > len(data):
            raise ValueError("%s: truncated record" % path)
        out.append((sec * 1000000000 + frac * mult, data[off:off + incl]))
        off += incl
    return out


class PcapWriter:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144,
                                 1))
        self.f.flush()

    def write(self, ts_ns, frame):
        self.f.write(struct.pack("<IIII", ts_ns // 1000000000,
                                 ts_ns % 1000000000, len(frame), len(frame)))
        self.f.write(frame)

    def close(self):
        self.f.close()


# ---- frame parsing ----------------------------------------------------------

def ethertype_of(frame):
    """(ethertype after VLAN tags, offset of the payload)."""
    off = 12
    if len(frame) < 14:
        return None, len(frame)
    et = struct.unpack_from(">H", frame, off)[0]
    while et in VLAN_TPIDS and len(frame) >= off + 6:
        off += 4
        et = struct.unpack_from(">H", frame, off)[0]
    return et, off + 2


def ecpri_info(frame):
    """(plane 'C'|'U', direction 'UL'|'DL', eaxc) or None for non-O-RAN."""
    et, off = ethertype_of(frame)
    if et != ETH_P_ECPRI or len(frame) < off + 9:
        return None
    mtype = frame[off + 1]
    if mtype == 0:
        plane = "U"
    elif mtype == 2:
        plane = "C"
    else:
        return None
    eaxc = struct.unpack_from(">H", frame, off + 4)[0]
    direction = "DL" if frame[off + 8] & 0x80 else "UL"
    return plane, direction, eaxc


def parse_mac(s):
    b = bytes(int(x, 16) for x in s.split(":"))
    if len(b) != 6:
        raise argparse.ArgumentTypeError("bad MAC %r" % s)
    return b


# ---- send -------------------------------------------------------------------

def cmd_send(a):
    frames = read_pcap(a.pcap)
    if a.limit is not None:
        frames = frames[:a.limit]
    socks = []
    for iface in a.iface.split(","):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        try:
            s.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 8 << 20)
        except OSError:
            pass
        s.bind((iface, 0))
        socks.append(s)
    sent = 0
    t_start = time.monotonic()
    deadline = t_start + a.timeout
    ts0 = frames[0][0] if frames else 0
    late = 0
    for i, (ts, frame) in enumerate(frames):
        if a.wallclock:
            # the frame's timestamp is the UNIX time to send it at
            clock, due = time.time, ts / 1e9
        elif a.pace:
            clock, due = time.monotonic, t_start + (ts - ts0) / 1e9 / a.speed
        elif a.pps:
            clock, due = time.monotonic, t_start + i / a.pps
        else:
            clock, due = None, None
        if due is not None:
            while True:
                d = due - clock()
                if d <= 0:
                    break
                if d > 0.002:
                    time.sleep(d - 0.001)
            late = max(late, clock() - due)
        for s in socks:
            if not send_one(s, frame, deadline):
                print(json.dumps({"iface": a.iface, "sent": sent,
                                  "frames": len(frames), "error": "timeout"}))
                return 1
        sent += 1
    print(json.dumps({"iface": a.iface, "sent": sent, "frames": len(frames),
                      "retries": send_one.retries,
                      "max_late_us": round(late * 1e6, 1),
                      "seconds": round(time.monotonic() - t_start, 4)}))
    return 0


def send_one(s, frame, deadline):
    """Send frame on s, retrying while the kernel is out of buffers;
    False at the deadline."""
    while True:
        if time.monotonic() > deadline:
            return False
        try:
            n = s.send(frame)
        except OSError as e:
            if e.errno in (105, 11):  # ENOBUFS, EAGAIN: back off
                send_one.retries += 1
                time.sleep(0.0002)
                continue
            raise
        if n != len(frame):
            raise OSError("short send %d/%d" % (n, len(frame)))
        return True


send_one.retries = 0


# ---- capture ----------------------------------------------------------------

class Auxdata(ctypes.Structure):
    _fields_ = [("tp_status", ctypes.c_uint32), ("tp_len", ctypes.c_uint32),
                ("tp_snaplen", ctypes.c_uint32), ("tp_mac", ctypes.c_uint16),
                ("tp_net", ctypes.c_uint16),
                ("tp_vlan_tci", ctypes.c_uint16),
                ("tp_vlan_tpid", ctypes.c_uint16)]


def cmd_capture(a):
    keep_types = set(a.ethertype or [])
    # protocol 0 until bound: a socket opened with ETH_P_ALL hears every
    # interface of the namespace until bind() narrows it to one
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 32 << 20)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 << 20)
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.bind((a.iface, ETH_P_ALL))
    ifindex = socket.if_nametoindex(a.iface)
    mreq = struct.pack("iHH8s", ifindex, PACKET_MR_PROMISC, 0, b"")
    s.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq)
    w = PcapWriter(a.out)
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("%d\n" % os.getpid())
    kept = outgoing = ignored = 0
    ignored_types = collections.Counter()
    t0 = time.monotonic()
    end = t0 + a.duration
    full_at = None
    stopped = False
    cmsg_space = (socket.CMSG_SPACE(ctypes.sizeof(Auxdata)) +
                  socket.CMSG_SPACE(16))
    while True:
        now = time.monotonic()
        stop = end if full_at is None else min(end, full_at + a.linger)
        if now >= stop:
            break
        if not stopped and a.stop_file and os.path.exists(a.stop_file):
            stopped = True  # drain what is queued, then stop
        s.settimeout(0.2 if stopped else max(0.001, min(0.1, stop - now)))
        try:
            data, anc, _flags, addr = s.recvmsg(65536, cmsg_space)
        except socket.timeout:
            if stopped:
                break
            continue
        if (addr[2] == PACKET_OUTGOING) != a.outgoing:
            outgoing += 1
            continue
        ts_ns = None
        for level, typ, cdata in anc:
            if level == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack("qq", cdata[:16])
                ts_ns = sec * 1000000000 + nsec
            if level == SOL_PACKET and typ == PACKET_AUXDATA:
                aux = Auxdata.from_buffer_copy(
                    cdata.ljust(ctypes.sizeof(Auxdata), b"\0"))
                if aux.tp_status & TP_STATUS_VLAN_VALID:
                    tpid = (aux.tp_vlan_tpid
                            if aux.tp_status & TP_STATUS_VLAN_TPID_VALID
                            else 0x8100)
                    data = (data[:12] + struct.pack(">HH", tpid,
                                                    aux.tp_vlan_tci)
                            + data[12:])
        et, _ = ethertype_of(data)
        if (keep_types and et not in keep_types) or \
                (et == ETH_P_IPV6 and not a.keep_ipv6):
            ignored += 1
            ignored_types["0x%04x" % (et or 0)] += 1
            continue
        w.write(ts_ns if ts_ns is not None else time.time_ns(), data)
        kept += 1
        if a.count is not None and kept >= a.count and full_at is None:
            full_at = time.monotonic()
    w.close()
    print(json.dumps({"iface": a.iface, "kept": kept, "outgoing": outgoing,
                      "ignored": ignored, "ignored_types": ignored_types,
                      "seconds": round(time.monotonic() - t0, 3),
                      "count_reached": full_at is not None,
                      "stop_file": stopped}))
    return 0


# ---- select / compare / summary ----------------------------------------------

def cmd_select(a):
    eaxcs = None
    if a.eaxc:
        eaxcs = set(int(x, 0) for x in a.eaxc.split(","))
    w = PcapWriter(a.out)
    n = 0
    for ts, frame in read_pcap(a.pcap):
        info = ecpri_info(frame)
        if info is None:
            continue
        plane, direction, eaxc = info
        if eaxcs is not None and eaxc not in eaxcs:
            continue
        if a.plane and plane != a.plane:
            continue
        if a.direction and direction != a.direction:
            continue
        if a.src_mac and frame[6:12] != a.src_mac:
            continue
        w.write(ts, frame)
        n += 1
    w.close()
    print(n)
    return 0


def describe(frame):
    info = ecpri_info(frame)
    if info is None:
        et, _ = ethertype_of(frame)
        return "non-eCPRI ethertype 0x%04x len %d" % (et or 0, len(frame))
    return "%s %s eAxC %d len %d seq %d src %s dst %s" % (
        info[0], info[1], info[2], len(frame),
        frame[ethertype_of(frame)[1] + 6], frame[6:12].hex(":"),
        frame[0:6].hex(":"))


def cmd_compare(a):
    exp = [f for _, f in read_pcap(a.expected)]
    got = [f for _, f in read_pcap(a.got)]
    ok = True
    ce, cg = collections.Counter(exp), collections.Counter(got)
    missing = ce - cg
    extra = cg - ce
    if missing or extra:
        ok = False
        print("expected %d frames, got %d: %d missing, %d unexpected" %
              (len(exp), len(got), sum(missing.values()),
               sum(extra.values())))
        for f, n in list(missing.items())[:5]:
            print("  missing x%d: %s" % (n, describe(f)))
        for f, n in list(extra.items())[:5]:
            print("  unexpected x%d: %s" % (n, describe(f)))
    elif a.ordered and exp != got:
        ok = False
        i = next(i for i, (x, y) in enumerate(zip(exp, got)) if x != y)
        print("same frames, different order; first difference at frame %d: "
              "expected %s, got %s" % (i + 1, describe(exp[i]),
                                       describe(got[i])))
    return 0 if ok else 1


def cmd_summary(a):
    by = collections.Counter()
    other = 0
    frames = read_pcap(a.pcap)
    for _, frame in frames:
        info = ecpri_info(frame)
        if info is None:
            other += 1
        else:
            by["%s %s %d" % info] += 1
    print(json.dumps({"frames": len(frames), "by": dict(sorted(by.items())),
                      "other": other}))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    q = sub.add_parser("send")
    q.add_argument("--iface", required=True)
    q.add_argument("--pcap", required=True)
    g = q.add_mutually_exclusive_group()
    g.add_argument("--pace", action="store_true")
    g.add_argument("--wallclock", action="store_true",
                   help="send each frame at its timestamp (UNIX time)")
    g.add_argument("--pps", type=float)
    q.add_argument("--speed", type=float, default=1.0)
    q.add_argument("--limit", type=int)
    q.add_argument("--timeout", type=float, default=30.0)

    q = sub.add_parser("capture")
    q.add_argument("--iface", required=True)
    q.add_argument("--out", required=True)
    q.add_argument("--count", type=int)
    q.add_argument("--duration", type=float, default=10.0)
    q.add_argument("--linger", type=float, default=0.0)
    q.add_argument("--ready")
    q.add_argument("--stop-file")
    q.add_argument("--keep-ipv6", action="store_true")
    q.add_argument("--outgoing", action="store_true")
    q.add_argument("--ethertype", type=lambda x: int(x, 16), action="append")

    q = sub.add_parser("select")
    q.add_argument("--pcap", required=True)
    q.add_argument("--out", required=True)
    q.add_argument("--eaxc")
    q.add_argument("--plane", choices=("C", "U"))
    q.add_argument("--direction", choices=("UL", "DL"))
    q.add_argument("--src-mac", type=parse_mac)

    q = sub.add_parser("compare")
    q.add_argument("--expected", required=True)
    q.add_argument("--got", required=True)
    q.add_argument("--ordered", action="store_true")

    q = sub.add_parser("summary")
    q.add_argument("--pcap", required=True)

    a = p.parse_args()
    if getattr(a, "speed", 1.0) <= 0:
        p.error("--speed must be > 0")
    return {"send": cmd_send, "capture": cmd_capture, "select": cmd_select,
            "compare": cmd_compare, "summary": cmd_summary}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
