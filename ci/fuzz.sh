#!/usr/bin/env bash
# Run every libFuzzer target for longer than CI does (default 10 minutes
# each).  Crashes land in build-fuzz/artifacts; add a minimised copy to
# tests/fuzz/corpus/<target>/ as a regression input.
#   ci/fuzz.sh [seconds-per-target]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
bash ci/setup-deps.sh >/dev/null
CC=clang cmake -S . -B build-fuzz -DFH_FUZZ=ON -DFH_HAL_DPDK=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
mkdir -p build-fuzz/artifacts
for f in fuzz_ecpri fuzz_uplane fuzz_cplane fuzz_frame fuzz_mgmt_json fuzz_mgmt_rpc; do
	mkdir -p "build-fuzz/tests/fuzz-work/$f"
	./build-fuzz/tests/"$f" -max_total_time="$secs" -max_len=9600 \
		-artifact_prefix=build-fuzz/artifacts/ \
		"build-fuzz/tests/fuzz-work/$f" "tests/fuzz/corpus/$f"
done
