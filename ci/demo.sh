#!/usr/bin/env bash
# The main job on virtual ports: fhswd switches a 1 DU / 2 RU fronthaul
# (mgmt/examples/default.json) between DPDK pcap vdevs.  The O-DU sends
# DL C/U-plane for 4 eAxCs; the switch splits them to the two O-RUs by
# eAxC, merges their UL back to the DU, and counts O-RAN reception windows
# per flow.  Then fhctl decodes what each port transmitted.  Last, a
# shared cell (mgmt/examples/shared-cell.json): three RUs of one cell, two
# vendor dialects, their UL combined into one DU stream.
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/setup-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fhctl=./build/bin/fhctl
fhswd=./build/bin/fhswd

cat <<'TXT'

== 1. Traffic: an O-DU stream (4 eAxCs, 30 kHz SCS, 106 PRBs, BFP-9, 40
==    slots = 20 ms) and each O-RU's uplink (eAxCs 0,1 on RU0; 2,3 on RU1),
==    time-stamped at air time minus the DL advance / plus the UL delay
TXT
$fhctl gen --out "$out/du.pcap" --from du --eaxc 4 --prbs 106 --slots 40 \
	--comp bfp:9 --dl-advance-us 300
$fhctl gen --out "$out/ul.pcap" --from ru --direction ul --eaxc 4 \
	--prbs 106 --slots 40 --comp bfp:9 --ul-delay-us 100
# RU0 sends eAxCs 0,1 and RU1 eAxCs 2,3: split the UL capture by eAxC
/usr/bin/python3 - "$out" <<'PY'
import struct, sys
d = sys.argv[1]
data = open(f"{d}/ul.pcap", "rb").read()
outs = {0: [data[:24]], 1: [data[:24]]}
off = 24
while off + 16 <= len(data):
    n = struct.unpack("<I", data[off + 8:off + 12])[0]
    fr = data[off + 16:off + 16 + n]
    eaxc = struct.unpack(">H", fr[18:20])[0]
    outs[0 if eaxc < 2 else 1].append(data[off:off + 16 + n])
    off += 16 + n
for ru, recs in outs.items():
    open(f"{d}/ru{ru}.pcap", "wb").write(b"".join(recs))
PY

cat <<'TXT'

== 2. fhswd with the default config on three net_pcap ports
==    (du0, ru0, ru1; --clock pcap replays the capture timestamps)
TXT
sed -n '1,200p' mgmt/examples/default.json | grep -E '"name"|"device"' | head -4
$fhswd --no-huge -m 128 --no-pci --file-prefix "fhdemo_$$" -l 0 --log-level=error \
	--vdev "net_pcap0,rx_pcap=$out/du.pcap,tx_pcap=$out/du_tx.pcap" \
	--vdev "net_pcap1,rx_pcap=$out/ru0.pcap,tx_pcap=$out/ru0_tx.pcap" \
	--vdev "net_pcap2,rx_pcap=$out/ru1.pcap,tx_pcap=$out/ru1_tx.pcap" \
	-- --config mgmt/examples/default.json --clock pcap \
	--exit-when-idle 300 --counters-json "$out/counters.json"

cat <<'TXT'

== 3. What RU0 received from the switch (only eAxCs 0 and 1)
TXT
$fhctl decode --uplane-comp bfp:9 --summary "$out/ru0_tx.pcap"

cat <<'TXT'

== 4. What RU1 received (only eAxCs 2 and 3)
TXT
$fhctl decode --uplane-comp bfp:9 --summary "$out/ru1_tx.pcap"

cat <<'TXT'

== 5. What the DU received: the uplink of both RUs, merged
TXT
$fhctl decode --uplane-comp bfp:9 --summary "$out/du_tx.pcap"

cat <<'TXT'

== 6. A shared cell (O-RAN FHM mode): one DU, three RUs on one cell
==    (mgmt/examples/shared-cell.json).  RU0 and RU1 speak BFP-9, RU2
==    uncompressed 16-bit with eAxC layout 2/6/4/4; each hears the cell at
==    its own phase.  The switch decodes every RU's part, sums the IQ per
==    (eAxC, symbol, PRB) in 32 bits and sends the DU one BFP-9 message.
TXT
cell=(--from ru --direction ul --eaxc 1 --prbs 4 --slots 2 --ru-count 3 --seed 5)
$fhctl gen --out "$out/cell.pcap" "${cell[@]}" --comp bfp:9 2>/dev/null
$fhctl gen --out "$out/cell16.pcap" "${cell[@]}" --comp none:16 \
	--eaxc-layout 2,6,4,4 2>/dev/null
/usr/bin/python3 -c 'import struct,sys; open(sys.argv[1],"wb").write(struct.pack("<IHHiIII",0xA1B2C3D4,2,4,0,0,65535,1))' \
	"$out/none.pcap"
$fhswd --no-huge -m 128 --no-pci --file-prefix "fhdemo2_$$" -l 0 --log-level=error \
	--vdev "net_pcap0,rx_pcap=$out/none.pcap,tx_pcap=$out/cell_du.pcap" \
	--vdev "net_pcap1,rx_pcap=$out/cell-ru0.pcap,tx_pcap=$out/c1.pcap" \
	--vdev "net_pcap2,rx_pcap=$out/cell-ru1.pcap,tx_pcap=$out/c2.pcap" \
	--vdev "net_pcap3,rx_pcap=$out/cell16-ru2.pcap,tx_pcap=$out/c3.pcap" \
	-- --config mgmt/examples/shared-cell.json --clock pcap \
	--exit-when-idle 300 --counters-json "$out/cell.json"
/usr/bin/python3 - "$fhctl" "$out" <<'PY'
import json, subprocess, sys
fhctl, d = sys.argv[1:]
def first_symbol(path, comp):
    out = subprocess.run([fhctl, "decode", "--iq", "--uplane-comp", comp, path],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        m = json.loads(line)
        if m.get("oran", {}).get("plane") == "U":
            return m["oran"]["sections"][0]["iq"][:8]
rows = [("RU0 (BFP-9)", first_symbol(f"{d}/cell-ru0.pcap", "bfp:9")),
        ("RU1 (BFP-9)", first_symbol(f"{d}/cell-ru1.pcap", "bfp:9")),
        ("RU2 (none:16)", first_symbol(f"{d}/cell16-ru2.pcap", "none:16"))]
ref = [sum(v) for v in zip(*(r[1] for r in rows))]
print("first symbol, PRB 0, I0 Q0 I1 Q1 I2 Q2 I3 Q3 (fhctl decode --iq):")
for name, iq in rows:
    print(f"  {name:<16}" + "".join(f"{v:>8}" for v in iq))
print(f"  {'sum of the RUs':<16}" + "".join(f"{v:>8}" for v in ref))
print(f"  {'DU got (BFP-9)':<16}" + "".join(f"{v:>8}" for v in first_symbol(f"{d}/cell_du.pcap", "bfp:9")))
c = json.load(open(f"{d}/cell.json"))["combine_groups"]["cell"]
print("combine group 'cell': " + ", ".join(f"{k} {v}" for k, v in c.items()))
PY
