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
fi

summary
