#!/usr/bin/env bash
# fhctl command-line contract: exit codes (0 ok, 1 input error, 2 usage),
# error messages that name the bad option, and decode of a generated file.
set -u
fhctl=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

expect() { # expect CODE DESCRIPTION -- command...
	local want=$1 desc=$2
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	local got=$?
	if [ "$got" -eq "$want" ]; then
		pass=$((pass + 1))
	else
		not_ok "$desc: exit $got, expected $want"
		sed 's/^/  | /' "$tmp/err" | head -5
	fi
}

expect_grep() { # expect_grep FILE PATTERN DESCRIPTION
	if grep -q -- "$2" "$tmp/$1"; then
		pass=$((pass + 1))
	else
		not_ok "$3: '$2' not in $1"
		head -5 "$tmp/$1" | sed 's/^/  | /'
	fi
}

expect 2 "no command" -- "$fhctl"
expect 2 "unknown command" -- "$fhctl" frobnicate
expect 0 "help" -- "$fhctl" --help
expect 0 "version" -- "$fhctl" version
expect_grep out "fhctl 0" "version prints the version"
expect 2 "decode without file" -- "$fhctl" decode
expect 2 "decode bad layout" -- "$fhctl" decode --eaxc-layout 4,4,4,5 x.pcap
expect_grep err "eaxc-layout '4,4,4,5'" "layout error names the value"
expect 2 "decode bad comp" -- "$fhctl" decode --uplane-comp bfp:17 x.pcap
expect 2 "decode bad udp port" -- "$fhctl" decode --udp-port 70000 x.pcap
expect 1 "decode missing file" -- "$fhctl" decode "$tmp/missing.pcap"
printf 'not a pcap at all' >"$tmp/junk.pcap"
expect 1 "decode junk file" -- "$fhctl" decode "$tmp/junk.pcap"
expect 2 "gen without --out" -- "$fhctl" gen
expect 2 "gen bad mu" -- "$fhctl" gen --out "$tmp/x.pcap" --mu 5
expect_grep err "\-\-mu '5'" "gen error names the option"
expect 2 "gen bad vlan" -- "$fhctl" gen --out "$tmp/x.pcap" --vlan 4095
expect 2 "gen bad ext 0" -- "$fhctl" gen --out "$tmp/x.pcap" --ext 0
expect 2 "gen section type 3 needs --prach" -- "$fhctl" gen --out "$tmp/x.pcap" --cplane-types 3
expect 1 "gen unwritable" -- "$fhctl" gen --out /nonexistent/dir/x.pcap --slots 1

# a small stream: 2 eAxC, 1 slot, DL only: 2 C-plane + 14*2 U-plane
expect 0 "gen small" -- "$fhctl" gen --out "$tmp/s.pcap" --eaxc 2 --slots 1 \
	--direction dl --prbs 10 --comp bfp:9
expect 0 "decode small" -- "$fhctl" decode --uplane-comp bfp:9 "$tmp/s.pcap"
n=$(wc -l <"$tmp/out")
if [ "$n" -eq 30 ]; then ok "30 messages decoded"; else
	not_ok "expected 30 messages, got $n"; fi
expect_grep out '"plane":"C"' "C-plane decoded"
expect_grep out '"plane":"U"' "U-plane decoded"
if grep -q '"error"' "$tmp/out"; then
	not_ok "decode reported errors"; else
	pass=$((pass + 1)); fi
# C-plane precedes U-plane of the same slot; times are non-decreasing
first=$(head -1 "$tmp/out")
case "$first" in
*'"plane":"C"'*) pass=$((pass + 1)) ;;
*) not_ok "first message is not C-plane" ;;
esac
expect 0 "summary" -- "$fhctl" decode --uplane-comp bfp:9 --summary "$tmp/s.pcap"
expect_grep out "frames 30, eCPRI messages 30, malformed 0" "summary totals"

# a truncated capture: every frame cut to 40 bytes is reported, not fatal
if command -v editcap >/dev/null; then
	editcap -s 40 "$tmp/s.pcap" "$tmp/t.pcap" >/dev/null 2>&1
	expect 0 "decode truncated" -- "$fhctl" decode --uplane-comp bfp:9 "$tmp/t.pcap"
	expect_grep out '"error":"' "truncation reported as error"
	expect_grep out '"ecpri":{"revision":1,"concatenated":false,"message_type":0,"payload_size":[0-9]*,"eaxc_id":1,.*"error"' \
		"a malformed message keeps the header fields it has"
	expect 0 "decode --summary truncated" -- "$fhctl" decode --summary "$tmp/t.pcap"
	expect_grep out "malformed: " "summary says why messages are malformed"
fi

# udCompHdr: gen writes static bfp:9 by default; decode without
# --uplane-comp (dynamic) detects it, says so, and decodes every message
py=/usr/bin/python3
expect 0 "decode detects static udCompHdr" -- "$fhctl" decode "$tmp/s.pcap"
check "every U-plane message detected as static bfp:9, none malformed" $py - "$tmp/out" <<'PY'
import json, sys
m = [json.loads(l) for l in open(sys.argv[1])]
u = [x for x in m if x.get("oran", {}).get("plane") == "U"]
assert len(m) == 30 and len(u) == 28 and not any("error" in x for x in m)
assert {x["oran"].get("ud_comp_detected") for x in u} == {"static bfp:9"}
assert all(x["oran"]["sections"][0]["num_prb"] == 10 for x in u)
PY
expect 0 "decode --summary names the detected udCompHdr" -- "$fhctl" decode --summary "$tmp/s.pcap"
expect_grep out "parse only as static bfp:9" "summary: detected udCompHdr"
expect 0 "gen dynamic udCompHdr" -- "$fhctl" gen --out "$tmp/dyn.pcap" --eaxc 2 \
	--slots 1 --direction dl --prbs 10 --comp bfp:9 --comp-hdr dynamic
expect 0 "decode dynamic" -- "$fhctl" decode --uplane-comp none:16 "$tmp/dyn.pcap"
check "a static guess that fails falls back to dynamic" $py - "$tmp/out" <<'PY'
import json, sys
u = [json.loads(l) for l in open(sys.argv[1])]
u = [x for x in u if x.get("oran", {}).get("plane") == "U"]
assert len(u) == 28 and not any("error" in x for x in u)
assert {x["oran"].get("ud_comp_detected") for x in u} == {"dynamic"}
PY

# air time: gen sends DL U-plane 300 us and C-plane 500 us before air time
expect 0 "decode --timing" -- "$fhctl" decode --timing 1 "$tmp/s.pcap"
check "air_offset_us: -300 (U), -500 (C)" $py - "$tmp/out" <<'PY'
import json, sys
m = [json.loads(l)["oran"] for l in open(sys.argv[1])]
assert {x["air_offset_us"] for x in m if x["plane"] == "U"} == {-300.0}, m[2]
assert {x["air_offset_us"] for x in m if x["plane"] == "C"} == {-500.0}, m[0]
PY
printf '{"timing": {"mu": 1}, "ports": []}' >"$tmp/cfg.json"
expect 0 "decode --config --summary" -- "$fhctl" decode --config "$tmp/cfg.json" \
	--summary "$tmp/s.pcap"
expect_grep out "0x0001 U DL  \[-300,-290): 14" "summary: air offset histogram per eAxC"
expect 2 "decode bad timing" -- "$fhctl" decode --timing 7 "$tmp/s.pcap"
expect 1 "decode bad config" -- "$fhctl" decode --config "$tmp/missing.json" "$tmp/s.pcap"

summary
