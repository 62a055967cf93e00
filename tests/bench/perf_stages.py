#!/usr/bin/python3
"""Per-stage cycle breakdown of fhswd's forwarding lcore from perf samples.

    perf record -C LCORE_CPU -o perf.data -- sleep 3    # while fhswd forwards
    perf report -i perf.data --no-children --sort srcline > lines.txt
    tests/bench/perf_stages.py lines.txt [SOURCE_ROOT]

The data path is one inlined function, so samples are taken by source
line; each line is given to the function that holds it in the source
(found by scanning the files for their top-level function bodies), and each
function to a stage.  Prints the share of samples per stage.
"""
import os
import re
import sys

# function (or file, for headers whose functions all belong to one stage)
# -> stage
STAGE = {
    "fh_dp_lcore_main": "burst loop, rx poll",
    "fh_dp_process": "burst loop, rx poll",
    "two_pass": "burst loop, rx poll",
    "classify": "parse",
    "uplane_fits": "validate",
    "msg_valid": "validate",
    "fh_cplane_fits": "validate",
    "valid.c": "validate",
    "oran_cplane.c": "validate",
    "oran_uplane.c": "validate",
    "ecpri.c": "validate",
    "flow.h": "flow lookup",
    "flow.c": "flow lookup",
    "eaxc_track": "SeqId + eAxC stream",
    "window_count": "window check",
    "air_offset": "window check",
    "tref_of": "window check",
    "fh_dp_clock_now": "window check",
    "counters.h": "counters",
    "act": "actions, rewrite",
    "flow_act": "actions, rewrite",
    "rewrite": "actions, rewrite",
    "tx_enqueue": "tx",
    "tx_flush": "tx",
    # the whole per-packet path before the two passes; after them, other
    # traffic's (bridged, PTP) - parsing, mostly
    "process_one": "parse",
    "oran_valid": "validate",
}
# lines of classify that build the key and call the lookup
LOOKUP_IN_CLASSIFY = re.compile(r"key\.|fh_flow_lookup|fi = |fi < 0")

FUNC = re.compile(r"^(?:static\s+)?(?:inline\s+)?(?:__\w+(?:\(\([^)]*\)\))?\s+)*"
                  r"[\w\s\*]+?\b(\w+)\(")


def functions(path):
    """[(first line, last line, name)] of top-level functions in path."""
    out, name, start = [], None, 0
    with open(path) as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines, 1):
        if name is None:
            # "static inline int f(" or, clang-format's split, "f(" alone
            m = FUNC.match(line) or re.match(r"^(\w+)\(", line)
            if m and not line.rstrip().endswith(";"):
                name, start = m.group(1), i
        elif line.startswith("}"):
            out.append((start, i, name))
            name = None
        elif line.startswith("{") is False and line and not line[0].isspace() \
                and line.rstrip().endswith(";"):
            name = None  # a prototype split over lines
    return out, lines


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..")
    files = {}
    for d in ("fronthaul", "fronthaul/include/fh"):
        for fn in os.listdir(os.path.join(root, d)):
            if fn.endswith((".c", ".h")):
                files.setdefault(fn, functions(os.path.join(root, d, fn)))
    stages, total = {}, 0.0
    for line in open(sys.argv[1]):
        m = re.match(r"\s*([\d.]+)%\s+(\S+):(\d+)", line)
        if m:
            pct, fn, ln = float(m.group(1)), m.group(2), int(m.group(3))
        else:
            m = re.match(r"\s*([\d.]+)%\s+(\S+)", line)
            if not m:
                continue
            pct, fn, ln = float(m.group(1)), m.group(2), 0
        total += pct
        stage = None
        if fn in STAGE:
            stage = STAGE[fn]
        elif fn in files:
            funcs, src = files[fn]
            for a, b, name in funcs:
                if a <= ln <= b:
                    stage = STAGE.get(name)
                    if name == "classify" and \
                            LOOKUP_IN_CLASSIFY.search(src[ln - 1]):
                        stage = "flow lookup"
                    if stage is None:
                        stage = "other: " + name
                    break
        if stage is None:
            stage = "rx/tx PMD, DPDK" if fn.startswith(("rte_", "??", "[")) \
                or not fn.endswith((".c", ".h")) else "other: " + fn
        stages[stage] = stages.get(stage, 0.0) + pct
    for s, p in sorted(stages.items(), key=lambda x: -x[1]):
        print(f"  {s:32} {100 * p / total:5.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
