#!/bin/bash
# Live capture of an fhswd port with DPDK's own dpdk-dumpcap (a secondary
# process; fhswd calls rte_pdump_init).  A secondary process shares the
# primary's memory through hugepage files, which --no-huge does not have,
# so this runs in the test VM (tests/vm/run-vm.sh), where the guest kernel
# is ours to reserve hugepages in; the host's is never touched.
#
#   tests/vm/run-vm.sh tests/vm/test_dumpcap.sh BUILD_DIR
#
# fhswd forwards a DL stream (C- and U-plane) circulating between two
# net_ring loopback ports; dpdk-dumpcap captures port B with a BPF filter
# that keeps eCPRI real-time control messages only (message type 2, the
# C-plane); tshark decodes the capture: every frame an O-RAN
# C-plane message (dpdk-dumpcap's -c counts whole bursts: 20 or more);
# the switch goes on forwarding.
set -u
build=$(realpath "${1:?usage: $0 BUILD_DIR}")
fhswd=$build/bin/fhswd
fhctl=$build/bin/fhctl
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/harness.sh"
TH_PYTHON=/usr/bin/python3

[ "$(id -u)" -eq 0 ] || die "needs root (in the VM: tests/vm/run-vm.sh $0 BUILD_DIR)"
command -v dpdk-dumpcap >/dev/null || die "dpdk-dumpcap not found (Debian package dpdk)"
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

mkdir -p /dev/hugepages
mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages ||
	die "mount hugetlbfs"
echo 96 >/proc/sys/vm/nr_hugepages
hp=$(cat /proc/sys/vm/nr_hugepages)
check "guest: $hp hugepages of 2 MiB reserved" test "$hp" -ge 64

cat >"$work/cfg.json" <<'JSON'
{"name": "dumpcap", "ports": [{"name": "A", "device": "net_ring0"},
                              {"name": "B", "device": "net_ring1"}],
 "flows": [{"name": "a2b", "match": {"in_port": "A"}, "action": {"out_ports": ["B"]}},
           {"name": "b2a", "match": {"in_port": "B"}, "action": {"out_ports": ["A"]}}]}
JSON
"$fhctl" gen --out "$work/dl.pcap" --from du --direction dl --eaxc 2 \
	--prbs 2 --slots 1 2>/dev/null || die "fhctl gen"

# hugepage memory (no --no-huge): -m 64 of it
"$fhswd" -m 64 --no-pci --file-prefix fhdumpcap -l 0 --log-level=error \
	--vdev net_ring0 --vdev net_ring1 -- --config "$work/cfg.json" \
	--inject "$work/dl.pcap:A:16" --run-seconds 240 \
	--counters-json "$work/counters.json" 2>"$work/fhswd.err" &
pid=$!
wait_for 120 "fhswd up" -- grep -q "applied on" "$work/fhswd.err" ||
	die "fhswd did not start: $(tail -5 "$work/fhswd.err")"
ok "fhswd up on hugepages, traffic circulating A <-> B"

# eCPRI header: byte 0 revision/C, byte 1 message type (2: real-time
# control, the C-plane); untagged, so at frame offset 15
timeout 180 dpdk-dumpcap --file-prefix=fhdumpcap -i net_ring1 \
	-f "ether proto 0xaefe and ether[15] == 2" -c 20 -w "$work/b.pcapng" \
	>"$work/dumpcap.out" 2>&1
rc=$?
check "dpdk-dumpcap captured port B and exited 0 (rc $rc)" test "$rc" -eq 0
# -c counts whole bursts: at least 20
n=$(tshark -r "$work/b.pcapng" 2>/dev/null | wc -l)
check "capture: at least 20 frames ($n)" test "$n" -ge 20
n_c=$(tshark -r "$work/b.pcapng" -Y "ecpri.type == 2 && oran_fh_cus.sectionId" \
	2>/dev/null | wc -l)
check "tshark: every one an O-RAN C-plane message with sections ($n_c of $n), the filter kept no U-plane" \
	test "$n_c" -eq "$n"
kill -0 "$pid" 2>/dev/null
check "fhswd still forwarding after the capture" test $? -eq 0
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check "fhswd exits 0" test "$rc" -eq 0
jcheck "fhswd forwarded both ways" "$work/counters.json" \
	'j["flows"]["a2b"]["tx_total"] > 100 and j["flows"]["b2a"]["tx_total"] > 100'
if [ "$failn" -gt 0 ]; then
	sed 's/^/  dumpcap | /' "$work/dumpcap.out" | tail -20
	sed 's/^/  fhswd | /' "$work/fhswd.err" | tail -20
fi
summary
