#!/usr/bin/env bash
# The main job on virtual ports: fhswd switches a 1 DU / 2 RU fronthaul
# (mgmt/examples/default.json) between DPDK pcap vdevs.  The O-DU sends
# DL C/U-plane for 4 eAxCs; the switch splits them to the two O-RUs by
# eAxC, merges their UL back to the DU, and counts O-RAN reception windows
# per flow.  Then fhctl decodes what each port transmitted.
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
