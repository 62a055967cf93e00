#!/usr/bin/env python3
"""Send frames from one network namespace, report where copies arrive
(tests/vm/test_switchdev.sh).

    swdev_pkt.py --tx NS:IF (--pcap FILE [--count N] | --type 0x0800)
                 [--vid V | --untag] [--dst MAC] [--src MAC]
                 --rx NS:IF [--rx NS:IF ...] [--wait S] [--macs]

Frames come from a pcap (eCPRI from `fhctl gen`; its first --count
frames) or are built (--type: an EtherType and a random payload). --vid
retags every frame with VID V (keeping its PCP), --untag strips the tag,
--dst/--src overwrite the MACs. Sockets in other namespaces are opened
after setns(2), so one process sends and listens everywhere at once.

A copy is one whose EtherType and payload equal a sent frame's (the
switch may rewrite the tag). Output, one line per (NS, tag) sorted:

    ru0 vid=10 pcp=5 type=0xaefe n=5      (or: ru0 untagged type=0xaefe n=5)

(--macs: "ru0 dst=02:00:00:00:00:01 src=... vid=10 ..." - the MACs as received).

The kernel moves a received VLAN tag into skb metadata before packet taps
see it, so it is read from PACKET_AUXDATA (or inline if left there).
Standard library only; needs root.
"""
import argparse
import ctypes
import os
import select
import socket
import struct
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
AUXDATA = struct.Struct("=IIIHHHH")  # struct tpacket_auxdata
VLAN_TPIDS = (0x8100, 0x88A8)
CLONE_NEWNET = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)


def in_netns(ns, fn):
    """Run fn() with the calling thread in network namespace ns."""
    if ns in ("", "-"):
        return fn()
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        if libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {ns}")
        try:
            return fn()
        finally:
            libc.setns(home, CLONE_NEWNET)
    finally:
        os.close(home)
        os.close(target)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise SystemExit(f"{path}: not a pcap file")
    off = 24
    frames = []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack_from(endian + "IIII", data, off)
        off += 16
        frames.append(data[off : off + incl])
        off += incl
    return frames


def mac(s):
    return bytes.fromhex(s.replace(":", ""))


def split(frame):
    """(tci or None, rest from the inner EtherType on)."""
    (tpid,) = struct.unpack_from("!H", frame, 12)
    if tpid in VLAN_TPIDS:
        (tci,) = struct.unpack_from("!H", frame, 14)
        return tci, frame[16:]
    return None, frame[12:]


def retag(frame, args):
    tci, rest = split(frame)
    dst = mac(args.dst) if args.dst else frame[:6]
    src = mac(args.src) if args.src else frame[6:12]
    if args.untag:
        tci = None
    elif args.vid is not None:
        tci = ((tci or 0) & 0xF000) | args.vid
    out = dst + src
    if tci is not None:
        out += struct.pack("!HH", 0x8100, tci)
    return (out + rest).ljust(60, b"\0")


def received(data, ancdata):
    tci = None
    for level, kind, blob in ancdata:
        if level == SOL_PACKET and kind == PACKET_AUXDATA:
            status, _, _, _, _, vtci, tpid = AUXDATA.unpack(blob[: AUXDATA.size])
            if status & TP_STATUS_VLAN_VALID and (
                tpid in VLAN_TPIDS or not status & TP_STATUS_VLAN_TPID_VALID
            ):
                tci = vtci
    if tci is None:
        return split(data)
    return tci, data[12:]


def recv_frames(s):
    """The frames waiting on packet socket s, what it sent left out:
    (data as read, tci or None, rest from the inner EtherType on)."""
    while True:
        try:
            data, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(AUXDATA.size))
        except BlockingIOError:
            return
        if addr[2] == PACKET_OUTGOING:
            continue
        tci, rest = received(data, anc)
        yield data, tci, rest


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tx", required=True)
    ap.add_argument("--pcap")
    ap.add_argument("--count", type=int, default=5)
    ap.add_argument("--type", type=lambda s: int(s, 0))
    ap.add_argument("--vid", type=int)
    ap.add_argument("--untag", action="store_true")
    ap.add_argument("--dst")
    ap.add_argument("--src")
    ap.add_argument("--rx", action="append", required=True)
    ap.add_argument("--wait", type=float, default=1.5)
    ap.add_argument("--macs", action="store_true")
    args = ap.parse_args()

    if args.pcap:
        frames = read_pcap(args.pcap)[: args.count]
    else:
        base = (
            mac(args.dst or "ff:ff:ff:ff:ff:ff")
            + mac(args.src or "02:00:00:00:f0:01")
            + struct.pack("!H", args.type or 0x0800)
        )
        frames = [base + b"fhswitch-swdev:" + os.urandom(8).hex().encode()
                  for _ in range(args.count)]
    frames = [retag(f, args) for f in frames]
    # what a copy carries whatever the switch did to the tag (padding aside)
    sent = {split(f)[1].rstrip(b"\0") for f in frames}

    rx = {}
    for spec in args.rx:
        ns, ifname = spec.split(":")

        def opener(ifname=ifname):
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                              socket.htons(ETH_P_ALL))
            s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
            s.bind((ifname, ETH_P_ALL))
            s.setblocking(False)
            return s

        rx[in_netns(ns, opener)] = ns
    txns, txif = args.tx.split(":")

    def tx_opener():
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((txif, 0))
        return s

    tx = in_netns(txns, tx_opener)
    for f in frames:
        tx.send(f)

    counts = {}
    deadline = time.monotonic() + args.wait
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select(list(rx), [], [], left)
        for s in ready:
            for data, tci, rest in recv_frames(s):
                if rest.rstrip(b"\0") not in sent:
                    continue
                (etype,) = struct.unpack_from("!H", rest, 0)
                tag = ("untagged" if tci is None
                       else f"vid={tci & 0xFFF} pcp={tci >> 13}")
                key = (rx[s], tag, f"type={etype:#06x}")
                if args.macs:
                    key = (rx[s], "dst=" + data[:6].hex(":"),
                           "src=" + data[6:12].hex(":")) + key[1:]
                counts[key] = counts.get(key, 0) + 1
    for key in sorted(counts):
        print(" ".join(key) + f" n={counts[key]}", flush=True)


if __name__ == "__main__":
    main()
