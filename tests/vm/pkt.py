#!/usr/bin/env python3
"""Send one Ethernet frame and report where it arrives (tests/vm/smoke.sh).

    pkt.py --tx IF [--vid N] [--type 0xaefe] --rx IF [--rx IF ...] [--wait S]

Sends on --tx a frame tagged 802.1Q --vid (untagged without it) with the
given inner EtherType and a unique payload, listens on every --rx for --wait
seconds and prints one line per copy received, in arrival order:

    IF vid=20 type=0xaefe        (or: IF untagged type=0xaefe)

followed by "payload-mismatch" if the payload was altered. The kernel moves
a received VLAN tag into skb metadata before packet taps see the frame, so
the tag is read from PACKET_AUXDATA (or inline, if it was left there).
Standard library only; needs CAP_NET_RAW.
"""
import argparse
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

SRC = bytes.fromhex("02000000f001")
DST = bytes.fromhex("02000000f002")  # never learned: bridges flood it


def build(vid, ethertype, payload):
    frame = DST + SRC
    if vid is not None:
        frame += struct.pack("!HH", 0x8100, vid)
    frame += struct.pack("!H", ethertype) + payload
    return frame.ljust(60, b"\0")


def parse(data, ancdata):
    """(vid or None, ethertype, payload) of a received frame."""
    vid = None
    for level, kind, blob in ancdata:
        if level == SOL_PACKET and kind == PACKET_AUXDATA:
            status, _, _, _, _, tci, tpid = AUXDATA.unpack(blob[: AUXDATA.size])
            if status & TP_STATUS_VLAN_VALID and (
                tpid in VLAN_TPIDS or not status & TP_STATUS_VLAN_TPID_VALID
            ):
                vid = tci & 0x0FFF
    off = 12
    (ethertype,) = struct.unpack_from("!H", data, off)
    if vid is None and ethertype in VLAN_TPIDS:
        (tci, ethertype) = struct.unpack_from("!HH", data, off + 2)
        vid = tci & 0x0FFF
        off += 4
    return vid, ethertype, data[off + 2 :]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tx", required=True)
    ap.add_argument("--vid", type=int)
    ap.add_argument("--type", type=lambda s: int(s, 0), default=0xAEFE)
    ap.add_argument("--rx", action="append", required=True)
    ap.add_argument("--wait", type=float, default=1.0)
    args = ap.parse_args()

    payload = b"fhswitch-vm-smoke:" + os.urandom(8).hex().encode()

    rx = {}
    for ifname in args.rx:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        s.bind((ifname, ETH_P_ALL))
        s.setblocking(False)
        rx[s] = ifname

    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((args.tx, 0))
    tx.send(build(args.vid, args.type, payload))

    deadline = time.monotonic() + args.wait
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select(list(rx), [], [], left)
        for s in ready:
            while True:
                try:
                    data, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(AUXDATA.size))
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING or payload not in data:
                    continue
                vid, ethertype, body = parse(data, anc)
                tag = "untagged" if vid is None else f"vid={vid}"
                line = f"{rx[s]} {tag} type={ethertype:#06x}"
                if not body.startswith(payload):
                    line += " payload-mismatch"
                print(line, flush=True)


if __name__ == "__main__":
    main()
