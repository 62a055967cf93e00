# SPDX-License-Identifier: Apache-2.0
# The shell tests' harness: source it, record results with ok/not_ok or
# the check helpers, end with `summary` (prints "N passed, M failed" and
# returns non-zero when something failed: `summary; exit $?`).  A failure
# prints the command and its output, indented, under the FAIL line.
# Needs bash.

pass=0
failn=0

ok() {
	echo "ok   - $*"
	pass=$((pass + 1))
}

not_ok() {
	echo "FAIL - $*"
	failn=$((failn + 1))
}

# details LINE...: context under the last FAIL line
details() {
	printf '       %s\n' "$@"
}

# check DESC CMD...: CMD succeeds
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc"
		details "\$ $*" "$out"
	fi
}

# refute DESC CMD...: CMD fails
refute() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		not_ok "$desc"
		details "\$ $*" "$out"
	else
		ok "$desc"
	fi
}

# contains DESC NEEDLE CMD...: CMD's output (stdout and stderr) has NEEDLE
contains() {
	local desc=$1 needle=$2 out
	shift 2
	out=$("$@" 2>&1)
	if [[ $out == *"$needle"* ]]; then
		ok "$desc"
	else
		not_ok "$desc"
		details "\$ $*" "want: $needle" "$out"
	fi
}

# lacks DESC NEEDLE CMD...: CMD's output does not have NEEDLE
lacks() {
	local desc=$1 needle=$2 out
	shift 2
	out=$("$@" 2>&1)
	if [[ $out != *"$needle"* ]]; then
		ok "$desc"
	else
		not_ok "$desc"
		details "\$ $*" "unwanted: $needle" "$out"
	fi
}

# exit_is WANT DESC CMD...: CMD exits with status WANT (output kept in
# $TH_OUT for further checks)
exit_is() {
	local want=$1 desc=$2 got
	shift 2
	TH_OUT=$("$@" 2>&1)
	got=$?
	if [ "$got" -eq "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc: exit $got, expected $want"
		details "\$ $*" "$TH_OUT"
	fi
}

# jcheck DESC FILE PYTHON-EXPR: the expression (j is FILE's JSON) is True
jcheck() {
	local desc=$1 file=$2 expr=$3 out
	if out=$("${TH_PYTHON:-python3}" -c 'import json,sys
j = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(v)
sys.exit(0 if v is True else 1)' "$file" "$expr" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc"
		details "$expr -> $out" "$(head -c 4000 "$file" 2>/dev/null)"
	fi
}

summary() {
	echo "$pass passed, $failn failed"
	[ "$failn" -eq 0 ] && [ "$pass" -gt 0 ]
}

# wait_for SECONDS DESCRIPTION -- CMD...: poll CMD every 50 ms until it
# succeeds (0) or SECONDS pass (1)
wait_for() {
	local lim=$1
	shift 3
	local end=$((SECONDS + lim))
	while ! "$@"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.05
	done
}

# die MESSAGE: a precondition of the whole test failed
die() {
	not_ok "$*"
	summary
	exit 1
}
