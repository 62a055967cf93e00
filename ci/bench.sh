#!/usr/bin/env bash
# Benchmarks (figures and ratios against a baseline measured in the same
# run; never pass/fail on timing).  Usage: ci/bench.sh codec|fwd|ptp|fhm [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-codec}

bash ci/setup-deps.sh >/dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

case "$what" in
codec)
	./build/tests/bench_codec
	;;
fwd)
	bash tests/bench/bench_fwd.sh build "${2:-6}"
	;;
ptp)
	bash tests/bench/bench_ptp.sh build "${2:-6}"
	;;
fhm)
	./build/tests/bench_fhm "${2:-0.5}"
	;;
*)
	echo "ci/bench.sh: unknown benchmark '$what' (known: codec, fwd, ptp, fhm)" >&2
	exit 2
	;;
esac
