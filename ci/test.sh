#!/usr/bin/env bash
# Install dependencies, build with -Werror, run every test label, then
# rebuild under -fsanitize=address,undefined and run the unit, integration
# and netns tests again, and run each libFuzzer target for a fixed number
# of iterations.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

step() { printf '\n==== %s ====\n' "$*"; }

step "dependencies"
bash ci/setup-deps.sh

step "build (RelWithDebInfo, -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"

step "tests: unit, integration"
ctest --test-dir build --output-on-failure -j"$jobs"

step "build with -fsanitize=address,undefined"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DFH_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"

step "tests under ASan/UBSan: unit, integration, netns, the switchdev VM tests"
# (vm_smoke runs no fhswitch code; inside the VM the sanitizers' defaults
# hold: leaks and UB still fail the run)
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir build-asan --output-on-failure \
	-L 'unit|integration|netns|vm' -E vm_smoke -j"$jobs"

step "fuzz (libFuzzer, fixed iteration count)"
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DFH_FUZZ=ON -DFH_FUZZ_RUNS="${FH_FUZZ_RUNS:-300000}" >/dev/null
cmake --build build-fuzz -j"$jobs"
ctest --test-dir build-fuzz --output-on-failure -L fuzz

step "all tests passed"
echo "source: $top"
