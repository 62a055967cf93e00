#!/usr/bin/env bash
# The main job, on virtual data: generate what an O-DU and O-RU exchange
# over the 7.2x fronthaul, decode it the way the switch sees it, and show a
# per-eAxC table.  (When fhswd lands, this runs the live switch instead.)
set -euo pipefail
cd "$(dirname "$0")/.."

bash ci/setup-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fhctl=./build/mgmt/fhctl

cat <<'TXT'

== 1. An O-DU/O-RU stream: 4 eAxCs, 30 kHz SCS, 100 MHz (273 PRBs), BFP-9,
==    VLAN 10 PCP 7, DL + UL with PRACH, 20 slots (10 ms)
TXT
$fhctl gen --out "$out/du.pcap" --eaxc 4 --mu 1 --prbs 273 --comp bfp:9 \
	--vlan 10 --pcp 7 --prach --slots 20

cat <<'TXT'

== 2. The first C-plane and U-plane messages, as fhctl decode prints them
TXT
$fhctl decode --uplane-comp bfp:9 "$out/du.pcap" | head -n 1
$fhctl decode --uplane-comp bfp:9 "$out/du.pcap" |
	grep -m1 '"plane":"U"' | cut -c1-400
echo "..."

cat <<'TXT'

== 3. Per-eAxC summary (what a fronthaul switch classifies on)
TXT
$fhctl decode --uplane-comp bfp:9 --summary "$out/du.pcap"

cat <<'TXT'

== 4. The same stream as tshark 4.0 sees it (the independent oracle)
TXT
tshark -n -r "$out/du.pcap" -c 5 \
	-o oran_fh_cus.oran.du_port_id_bits:4 \
	-o oran_fh_cus.oran.bandsector_id_bits:4 \
	-o oran_fh_cus.oran.iq_bitwidth_up:9 \
	-o oran_fh_cus.oran.iq_bitwidth_down:9 2>/dev/null
