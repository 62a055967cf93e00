#!/usr/bin/env bash
# fhctl as the gRPC client of fhswd: every switch command (config get /
# validate / commit / confirm / rollback / versions, ports, flows, flow
# add / del, counters and --watch, health, version) in table and --json
# form, each exit code (0 ok, 1 bad FILE or invalid config, 2 usage,
# 3 unreachable / deadline / TLS refused, 4 server error), versions that
# increase and a rollback; then mTLS with openssl-made certificates.  fhswd
# runs on two ring vdevs with 16 U-plane packets bouncing between them, so
# the counters move.
#   test_fhctl_api.sh FHSWD FHCTL
set -u
fhswd=$1
fhctl=$2
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT
. "$(dirname "${BASH_SOURCE[0]}")/../lib/harness.sh"

# expect CODE DESCRIPTION -- command...: output in $work/out, $work/err
expect() {
	local want=$1 desc=$2
	shift 3
	"$@" >"$work/out" 2>"$work/err" </dev/null
	local got=$?
	if [ "$got" -eq "$want" ]; then
		pass=$((pass + 1))
	else
		not_ok "$desc: exit $got, expected $want"
		sed 's/^/  | /' "$work/err" | head -5
	fi
}

# expect_grep out|err PATTERN DESCRIPTION (extended regex)
expect_grep() {
	if grep -Eq -- "$2" "$work/$1"; then
		pass=$((pass + 1))
	else
		not_ok "$3: /$2/ not in std$1"
		head -8 "$work/$1" | sed 's/^/  | /'
	fi
}

# expect_json PYTHON-EXPR DESCRIPTION: j is the JSON on stdout ($work/out);
# for NDJSON, js is the list of lines
expect_json() {
	if python3 - "$work/out" "$1" <<'PY'; then
import json, sys
text = open(sys.argv[1]).read()
try:
    j = json.loads(text)
except ValueError:
    j = None
js = [json.loads(l) for l in text.splitlines() if l.strip()] if j is None else [j]
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
		pass=$((pass + 1))
	else
		not_ok "$2: not ($1)"
		head -8 "$work/out" | sed 's/^/  | /'
	fi
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_fhswd NAME CONFIG [fhctl TLS options] -- [fhswd options]: sets
# $addr and $fpid once fhctl health answers SERVING (a port taken
# meanwhile: retry)
start_fhswd() {
	local name=$1 cfg=$2 tries port p i
	shift 2
	local copts=()
	while [ "$1" != "--" ]; do
		copts+=("$1")
		shift
	done
	shift
	for tries in 1 2 3; do
		port=$(free_port)
		"$fhswd" --no-huge -m 128 --no-pci --file-prefix "fh_api_${name}_$$" \
			-l 0 --log-level=error --vdev net_ring0 --vdev net_ring1 -- \
			--config "$cfg" --grpc "127.0.0.1:$port" "$@" \
			>"$work/$name.log" 2>&1 &
		p=$!
		pids+=("$p")
		for i in $(seq 100); do
			kill -0 "$p" 2>/dev/null || break
			if "$fhctl" -s "127.0.0.1:$port" "${copts[@]}" --timeout 2 \
				health 2>/dev/null | grep -q '^SERVING$'; then
				addr=127.0.0.1:$port
				fpid=$p
				return 0
			fi
			sleep 0.1
		done
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	echo "fhswd $name did not start:"
	sed 's/^/  | /' "$work/$name.log"
	return 1
}

cfg() { # cfg FILE [python statement on the config c]
	python3 - "$1" "${2:-}" <<'PY'
import json, sys
c = {"name": "api",
     "ports": [{"name": "A", "device": "net_ring0", "role": "ROLE_DU"},
               {"name": "B", "device": "net_ring1", "role": "ROLE_RU"}],
     "flows": [{"name": "a2b", "match": {"in_port": "A", "plane": "PLANE_U"},
                "action": {"out_ports": ["B"]}},
               {"name": "b2a", "match": {"in_port": "B", "plane": "PLANE_U"},
                "action": {"out_ports": ["A"]}}]}
exec(sys.argv[2])
json.dump(c, open(sys.argv[1], "w"), indent=1)
PY
}

dead=127.0.0.1:$(free_port) # nobody listens there

# ---- no server needed ---------------------------------------------------------------
expect 2 "no command" -- "$fhctl"
expect 2 "unknown command" -- "$fhctl" frobnicate
expect 0 "help" -- "$fhctl" --help
expect_grep out "config commit FILE" "usage lists the switch commands"
expect_grep out "exit status: 0 ok" "usage lists the exit codes"
expect 2 "config without subcommand" -- "$fhctl" config
expect_grep err "one of: get validate commit confirm rollback versions" \
	"the subcommands are named"
expect 2 "flow bogus subcommand" -- "$fhctl" flow list
expect 2 "flow del without a name" -- "$fhctl" flow del
expect 2 "ports with an argument" -- "$fhctl" ports extra
expect 2 "bad server address" -- "$fhctl" -s nonsense ports
expect 2 "-s without a value" -- "$fhctl" -s
expect 2 "--tls with two files" -- "$fhctl" --tls a.pem,b.pem ports
expect 2 "unknown option" -- "$fhctl" --bogus ports
expect 2 "unknown command option" -- "$fhctl" ports --bogus
expect 2 "rollback to a non-number" -- "$fhctl" config rollback x
expect 2 "--interval without --watch" -- "$fhctl" counters --interval 100
expect 2 "--interval out of range" -- "$fhctl" counters --watch 1 --interval 5
expect 2 "bad --confirm-timeout" -- "$fhctl" config commit x.json \
	--confirm-timeout soon
expect 2 "bad --timeout" -- "$fhctl" --timeout 0 ports

expect 3 "unreachable: ports" -- "$fhctl" -s "$dead" ports
expect_grep err "^fhctl: UNAVAILABLE: .*\(server $dead\)" \
	"unreachable names the status and the server"
expect 3 "unreachable: config get" -- "$fhctl" -s "$dead" config get
expect 3 "unreachable: counters --watch" -- "$fhctl" -s "$dead" counters \
	--watch 1
expect 3 "unreachable through FHCTL_SERVER" -- env FHCTL_SERVER="$dead" \
	"$fhctl" health
expect 0 "version without a server" -- "$fhctl" -s "$dead" version
expect_grep out "^fhctl 0\." "version prints fhctl's own"
expect_grep err "no server at $dead" "version says nobody answered"

# decode and gen never touch the network
expect 0 "gen without a server" -- env FHCTL_SERVER="$dead" "$fhctl" gen \
	--out "$work/u.pcap" --eaxc 2 --prbs 2 --slots 1 --direction dl --from du
expect 0 "decode without a server" -- env FHCTL_SERVER="$dead" "$fhctl" \
	decode "$work/u.pcap"
expect_grep out '"plane":"U"|"plane": "U"' "decode output"

# a port that accepts TCP and never speaks HTTP/2: the deadline passes
python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])
' >"$work/silent.port" &
pids+=("$!")
for i in $(seq 50); do
	[ -s "$work/silent.port" ] && break
	sleep 0.1
done
expect 3 "silent server: DEADLINE_EXCEEDED" -- "$fhctl" \
	-s "127.0.0.1:$(cat "$work/silent.port")" --timeout 1 ports
expect_grep err "^fhctl: DEADLINE_EXCEEDED" "deadline named"

# ---- plaintext fhswd ---------------------------------------------------------------
cfg "$work/cfg.json"
cp "$work/cfg.json" "$work/v1.json"
if ! start_fhswd plain "$work/cfg.json" -- --inject "$work/u.pcap:A:16"; then
	die "fhswd (plaintext) did not start"
fi
s=(-s "$addr")

expect 0 "health" -- "$fhctl" "${s[@]}" health
expect_grep out "^SERVING$" "health prints SERVING"
expect 0 "health --json" -- "$fhctl" "${s[@]}" --json health
expect_json 'j == {"status": "SERVING"}' "health JSON"
expect 4 "health of an unknown service" -- "$fhctl" "${s[@]}" health no.such.Svc
expect_grep err "^fhctl: NOT_FOUND: " "unknown service is NOT_FOUND"
expect 0 "FHCTL_SERVER picks the server" -- env FHCTL_SERVER="$addr" \
	"$fhctl" health
expect 0 "options after the command" -- "$fhctl" health --json -s "$addr"
expect_json 'j["status"] == "SERVING"' "late --json and -s"

expect 0 "version" -- "$fhctl" "${s[@]}" version
expect_grep out "^fhctl 0\." "version: fhctl's"
expect_grep out "^fhswd 0\..* at $addr \(backend dpdk, up .*config version 1\)" \
	"version: the server's"
expect 0 "version --json" -- "$fhctl" "${s[@]}" --json version
expect_json 'j["fhctl"]["version"] == j["server"]["version"] and j["server"]["backend"] == "dpdk" and j["server"]["config_version"] == "1"' \
	"version JSON"

expect 0 "config get" -- "$fhctl" "${s[@]}" config get --version-file "$work/version"
expect_grep out '"name": "a2b"' "config get prints the config"
expect_grep err "^version 1$" "config get prints the version on stderr"
check "config get: stdout is the config JSON alone" \
	/usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/out"
check "config get --version-file holds the version" grep -qx 1 "$work/version"
expect 0 "config get --json" -- "$fhctl" "${s[@]}" --json config get
expect_json 'j["version"] == "1" and j["config"]["name"] == "api" and len(j["config"]["flows"]) == 2' \
	"config get JSON"
cp "$work/out" "$work/got.json"

expect 0 "ports" -- "$fhctl" "${s[@]}" ports
expect_grep out "^NAME +DEVICE +ROLE +RX +TX +DROPS$" "ports table head"
expect_grep out "^A +net_ring0 +DU +[0-9]+ +[0-9]+ +0$" "ports row A"
expect_grep out "^B +net_ring1 +RU +[1-9][0-9]* +[1-9][0-9]* +0$" \
	"ports row B carries traffic"
expect 0 "ports --json" -- "$fhctl" "${s[@]}" --json ports
expect_json '[p["name"] for p in j["ports"]] == ["A", "B"] and j["ports"][1]["role"] == "ROLE_RU"' \
	"ports JSON"

expect 0 "flows" -- "$fhctl" "${s[@]}" flows
expect_grep out "^NAME +MATCH +ACTIONS +RX_TOTAL +ON_TIME +EARLY +LATE$" \
	"flows table head"
expect_grep out "^a2b +in=A plane=U +out=B +[1-9][0-9]* +n/a +n/a +n/a$" \
	"flows row a2b with traffic (no window: timing n/a)"
expect 0 "flows --json" -- "$fhctl" "${s[@]}" --json flows
expect_json '[f["name"] for f in j["flows"]] == ["a2b", "b2a"] and j["flows"][0]["match"]["plane"] == "PLANE_U"' \
	"flows JSON"
expect 0 "flow status" -- "$fhctl" "${s[@]}" flow status
expect_grep out "^backend dpdk$" "flow status: backend"
expect_grep out "^FLOW +RULES +IN_HW +WHERE +DETAIL$" "flow status table head"
expect_grep out "^a2b +1 +0 +software +software: DPDK data path on [0-9]+ lcore" \
	"flow status row a2b: one software rule"
expect 0 "flow status --json NAME" -- "$fhctl" "${s[@]}" --json flow status b2a
expect_json '[f["name"] for f in j["flows"]] == ["b2a"] and j["flows"][0]["rules"] == 1 and not j["flows"][0].get("in_hw")' \
	"flow status JSON: one flow"
expect 4 "flow status of an unknown flow" -- "$fhctl" "${s[@]}" flow status nope
expect_grep err "NOT_FOUND: names\[0\]: no flow named \"nope\"" \
	"flow status: NOT_FOUND names the request field"

expect 0 "counters" -- "$fhctl" "${s[@]}" counters
expect_grep out "^PORT +RX_PACKETS +TX_PACKETS +RX_BYTES +TX_BYTES +DROPS$" \
	"counters: ports table"
expect_grep out "^FLOW +RX_TOTAL +ON_TIME +EARLY +LATE +LATE_LOCAL +CORRUPT +SEQID_ERR +TX_TOTAL$" \
	"counters: flows table"
expect_grep out "^counters at [0-9T:.-]+Z, config version 1$" "counters header"
expect 0 "counters --json --flow" -- "$fhctl" "${s[@]}" --json counters \
	--flow b2a
expect_json '[f["name"] for f in j["flows"]] == ["b2a"] and len(j["ports"]) == 2 and int(j["flows"][0]["rx_total"]) > 0' \
	"counters JSON filtered to one flow"
expect 4 "counters of a missing flow" -- "$fhctl" "${s[@]}" counters \
	--flow nope
expect_grep err '^fhctl: NOT_FOUND: .*nope' "missing flow named"
expect 0 "counters --watch --json" -- "$fhctl" "${s[@]}" --json counters \
	--watch 1 --interval 250 --flow a2b
expect_json 'len(js) == 5 and all(len(x["flows"]) == 1 for x in js) and int(js[-1]["flows"][0]["rx_total"]) > int(js[0]["flows"][0]["rx_total"]) and int(js[-1]["timestamp_ns"]) - int(js[0]["timestamp_ns"]) >= 900000000' \
	"watch: 5 samples over 1 s, counting up"
expect 0 "counters --watch tables" -- "$fhctl" "${s[@]}" counters --watch 1 \
	--interval 500
n=$(grep -c '^counters at' "$work/out")
expect 0 "3 samples in 1 s at 500 ms (got $n)" -- [ "$n" -eq 3 ]
# --watch 0 runs until interrupted; the interruption is a clean end
"$fhctl" "${s[@]}" --json counters --watch 0 --interval 100 \
	>"$work/watch.out" 2>"$work/watch.err" &
wp=$!
sleep 1
kill -TERM "$wp"
wait "$wp"
rc=$?
expect 0 "watch until interrupted exits 0 (got $rc)" -- [ "$rc" -eq 0 ]
n=$(wc -l <"$work/watch.out")
expect 0 "watch until interrupted: ~10 samples (got $n)" -- \
	[ "$n" -ge 5 -a "$n" -le 15 ]

# validate: the server's verdict; local file problems are exit 1
cfg "$work/bad.json" 'c["flows"][0]["action"]["out_ports"] = ["Z"]'
expect 0 "validate a good file" -- "$fhctl" "${s[@]}" config validate \
	"$work/cfg.json"
expect_grep out "valid" "validate says valid"
expect 1 "validate an invalid config" -- "$fhctl" "${s[@]}" config validate \
	"$work/bad.json"
expect_grep out '^flows\[0\]\.action\.out_ports\[0\]: no port named "Z"$' \
	"validate prints PATH: message"
expect 1 "validate --json of an invalid config" -- "$fhctl" "${s[@]}" --json \
	config validate "$work/bad.json"
expect_json 'j.get("valid", False) is False and j["errors"][0]["path"] == "flows[0].action.out_ports[0]"' \
	"ValidateResponse JSON"
expect 0 "validate from stdin" -- sh -c \
	"\"$fhctl\" -s $addr config validate - <\"$work/cfg.json\""
expect 0 "validate the --json config get output" -- "$fhctl" "${s[@]}" \
	config validate "$work/got.json"
expect 1 "validate a missing file" -- "$fhctl" "${s[@]}" config validate \
	"$work/missing.json"
expect_grep err "missing.json: No such file" "missing file named"
echo '{"name": "x", "portz": []}' >"$work/schema.json"
expect 1 "validate a file with an unknown key" -- "$fhctl" "${s[@]}" config \
	validate "$work/schema.json"
expect_grep err "schema.json: .*portz" "unknown key named"
echo '{"name": ' >"$work/syntax.json"
expect 1 "validate broken JSON" -- "$fhctl" "${s[@]}" config validate \
	"$work/syntax.json"
expect_grep err "syntax.json: line [0-9]+ column" "syntax error located"

# commit: versions go up; every failure leaves the running config alone
expect 4 "commit an invalid config" -- "$fhctl" "${s[@]}" config commit \
	"$work/bad.json"
expect_grep err '^fhctl: INVALID_ARGUMENT: flows\[0\]\.action\.out_ports\[0\]: no port named "Z"' \
	"commit error: status name and details"
expect 1 "commit broken JSON" -- "$fhctl" "${s[@]}" config commit \
	"$work/syntax.json"
cfg "$work/v2.json" 'c["flows"].append({"name": "c-plane", "match": {"in_port": "A", "plane": "PLANE_C", "direction": "DIRECTION_DL", "eaxc_id": 16, "eaxc_mask": 65520}, "action": {"out_ports": ["B"], "set_pcp": 6}, "window": {"earliest_us": -100, "latest_us": 200}})'
expect 0 "commit" -- "$fhctl" "${s[@]}" config commit "$work/v2.json" \
	--comment "add c-plane" --expected-version 1
expect_grep out "^committed: version 2$" "commit prints the new version"
expect 4 "commit with a stale expected version" -- "$fhctl" "${s[@]}" config \
	commit "$work/v2.json" --expected-version 1
expect_grep err "^fhctl: ABORTED: " "stale version is ABORTED"
expect 0 "flows after commit" -- "$fhctl" "${s[@]}" flows
expect_grep out "^c-plane +in=A plane=C dir=DL eaxc=0x10/0xfff0 +out=B pcp=6 window=-100..200us +0 +0 +0 +0$" \
	"flows row: match and action summaries"
expect 0 "config get after commit" -- "$fhctl" "${s[@]}" config get
expect_grep err "^version 2$" "version 2 runs"

# flows one at a time
cat >"$work/flow.json" <<'JSON'
{"name": "ul", "match": {"in_port": "B", "plane": "PLANE_U", "direction": "DIRECTION_UL", "eaxc_id": 1, "eaxc_mask": 65535},
 "action": {"out_ports": ["A"], "set_vlan_id": 7}}
JSON
expect 0 "flow add FILE" -- "$fhctl" "${s[@]}" flow add "$work/flow.json"
expect_grep out "^added flow ul: version 3$" "flow add prints the version"
expect 4 "flow add of an existing flow (stdin)" -- sh -c \
	"\"$fhctl\" -s $addr flow add - <\"$work/flow.json\""
expect_grep err '^fhctl: ALREADY_EXISTS: ' "duplicate flow is ALREADY_EXISTS"
expect 1 "flow add broken JSON" -- "$fhctl" "${s[@]}" flow add \
	"$work/syntax.json"
expect 0 "flows --json after add" -- "$fhctl" "${s[@]}" --json flows
expect_json '[f["name"] for f in j["flows"]] == ["a2b", "b2a", "c-plane", "ul"] and j["flows"][3]["action"]["set_vlan_id"] == 7' \
	"the added flow is listed"
expect 0 "flow del" -- "$fhctl" "${s[@]}" flow del ul
expect_grep out "^deleted flow ul: version 4$" "flow del prints the version"
expect 4 "flow del of a missing flow" -- "$fhctl" "${s[@]}" flow del ul
expect_grep err '^fhctl: NOT_FOUND: name: no flow named "ul"$' \
	"missing flow is NOT_FOUND"
expect 0 "flow del --json" -- "$fhctl" "${s[@]}" --json flow del c-plane
expect_json 'j == {"version": "5"}' "ChangeResponse JSON"

# confirmed commit
expect 0 "commit --confirm-timeout" -- "$fhctl" "${s[@]}" config commit \
	"$work/v2.json" --confirm-timeout 60 --comment confirmed
expect_grep out "^committed: version 6; confirm within 60 s" \
	"confirmed commit announced"
expect 0 "config get while pending" -- "$fhctl" "${s[@]}" --json config get
expect_json 'j["version"] == "6" and j["pending_confirm"] is True' \
	"pending confirm shows"
expect 0 "config versions while pending" -- "$fhctl" "${s[@]}" config versions
expect_grep out "^ +6 +[0-9-]+T[0-9:]+Z +pending confirm \(([1-5][0-9]|60) s left\) +- +confirmed$" \
	"versions: the pending commit says so"
expect_grep out "^ +5 +[0-9-]+T[0-9:]+Z +- +- +flow delete c-plane$" \
	"versions: the one before has no state"
expect 4 "commit while a confirm is pending" -- "$fhctl" "${s[@]}" config \
	commit "$work/v2.json"
expect_grep err "^fhctl: FAILED_PRECONDITION: " "pending blocks commits"
expect 0 "config confirm" -- "$fhctl" "${s[@]}" config confirm
expect_grep out "^confirmed: version 6$" "confirm prints the version"
expect 4 "config confirm with nothing pending" -- "$fhctl" "${s[@]}" config \
	confirm

# rollback and the history
expect 0 "config rollback 1" -- "$fhctl" "${s[@]}" config rollback 1
expect_grep out "^rolled back to version 1: version 7$" "rollback is a new version"
expect 0 "config get after rollback" -- "$fhctl" "${s[@]}" --json config get
expect_json 'j["version"] == "7" and [f["name"] for f in j["config"]["flows"]] == ["a2b", "b2a"]' \
	"version 1's flows are back"
expect 4 "rollback to an unknown version" -- "$fhctl" "${s[@]}" config \
	rollback 999
expect_grep err "^fhctl: NOT_FOUND: to_version: 999" "unknown version is NOT_FOUND"
expect 0 "config versions" -- "$fhctl" "${s[@]}" config versions
expect_grep out "^VERSION +TIME +STATE +IDENTITY +COMMENT$" "versions table head"
expect_grep out "^ +7 +[0-9-]+T[0-9:]+Z +running +- +rollback to 1$" "versions: the rollback runs"
expect_grep out "^ +6 +[0-9-]+T[0-9:]+Z +- +- +confirmed$" "versions: confirmed, no longer pending"
expect_grep out "^ +2 +[0-9-]+T[0-9:]+Z +- +- +add c-plane$" "versions: the comment"
expect_grep out "^ +1 +[0-9-]+T[0-9:]+Z +- +startup " "versions: the startup config"
expect 0 "config versions --json" -- "$fhctl" "${s[@]}" --json config versions
expect_json '[v["version"] for v in j["versions"]] == [str(n) for n in range(7, 0, -1)] and [v.get("running", False) for v in j["versions"]] == [True] + [False] * 6' \
	"versions JSON, newest first, the running one marked"
expect 0 "commit --json" -- "$fhctl" "${s[@]}" --json config commit \
	"$work/got.json"
expect_json 'j == {"version": "8"}' "CommitResponse JSON"
expect 0 "fhswd survived it all" -- kill -0 "$fpid"

# ---- mTLS ---------------------------------------------------------------------------
if ! command -v openssl >/dev/null; then
	echo "SKIP: mTLS (no openssl)"
else
	pki=$work/pki
	mkdir -p "$pki"
	ossl() { openssl "$@" >/dev/null 2>&1; }
	leaf() { # leaf NAME CN USAGE [SAN]
		printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=%s\n%s\n' \
			"$3" "${4:+subjectAltName=$4}" >"$pki/$1.ext"
		ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-nodes -keyout "$pki/$1.key" -out "$pki/$1.csr" -subj "/CN=$2"
		ossl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" \
			-set_serial "$RANDOM$RANDOM" -days 2 -out "$pki/$1.pem" \
			-extfile "$pki/$1.ext"
	}
	for ca in ca other; do
		ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$pki/$ca.key" -out "$pki/$ca.pem" -days 2 \
			-subj "/CN=fhctl-test-$ca" \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign
	done
	leaf server localhost serverAuth DNS:localhost,IP:127.0.0.1
	leaf admin admin-cli clientAuth
	leaf viewer viewer-cli clientAuth
	cfg "$work/tls.json" 'c["mgmt"] = {"role_bindings": [{"identity": "admin-cli", "role": "ACCESS_ADMIN"}, {"identity": "viewer-cli", "role": "ACCESS_VIEWER"}]}'
	admin=(--tls "$pki/ca.pem,$pki/admin.pem,$pki/admin.key")
	viewer=(--tls "$pki/ca.pem,$pki/viewer.pem,$pki/viewer.key")
	if start_fhswd tls "$work/tls.json" "${admin[@]}" -- \
		--tls "$pki/ca.pem,$pki/server.pem,$pki/server.key"; then
		t=(-s "$addr")
		expect 0 "mTLS: admin reads" -- "$fhctl" "${t[@]}" "${admin[@]}" \
			config versions
		expect_grep out "startup" "mTLS: versions listed"
		expect 0 "mTLS: admin deletes a flow" -- "$fhctl" "${t[@]}" \
			"${admin[@]}" flow del b2a
		expect 0 "mTLS: the identity is recorded" -- "$fhctl" "${t[@]}" \
			"${admin[@]}" config versions
		expect_grep out "^ +2 .* admin-cli +flow delete b2a$" \
			"mTLS: versions show the certificate's identity"
		expect 0 "mTLS: viewer reads" -- "$fhctl" "${t[@]}" "${viewer[@]}" ports
		expect 4 "mTLS: viewer may not delete" -- "$fhctl" "${t[@]}" \
			"${viewer[@]}" flow del a2b
		expect_grep err "^fhctl: PERMISSION_DENIED: " "mTLS: PERMISSION_DENIED"
		expect 3 "mTLS: plaintext client refused" -- "$fhctl" "${t[@]}" health
		expect 3 "mTLS: no client certificate refused" -- "$fhctl" "${t[@]}" \
			--tls "$pki/ca.pem" health
		expect 3 "mTLS: server not signed by our CA" -- "$fhctl" "${t[@]}" \
			--tls "$pki/other.pem,$pki/admin.pem,$pki/admin.key" health
		expect_grep err "^fhctl: UNAVAILABLE: .*(certificate|handshake|SSL)" \
			"mTLS: the TLS failure is named"
		expect 3 "TLS client against a plaintext server" -- "$fhctl" \
			"${s[@]}" "${admin[@]}" health
		expect 1 "mTLS: unreadable key file" -- "$fhctl" "${t[@]}" \
			--tls "$pki/ca.pem,$pki/admin.pem,$pki/missing.key" health
		expect_grep err "missing.key" "unreadable PEM file named"
	else
		not_ok "fhswd with --tls did not start"
	fi
fi

summary
