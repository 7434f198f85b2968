#!/usr/bin/env bash
# The comparison table of the README's "Performance" section: every contender of every workload,
# interleaved, in one process (benches/compare.rs), after a note of the machine it ran on.
#
#   bash scripts/bench-compare.sh                    # the full run (1 GiB files, a few minutes)
#   BENCH_RECORDS=1M BENCH_OPS=1M BENCH_APPEND=1M BENCH_REPS=3 bash scripts/bench-compare.sh
#   BENCH_ONLY=read,write bash scripts/bench-compare.sh
#
# Knobs (see benches/compare.rs): BENCH_RECORDS, BENCH_OPS, BENCH_SYSCALL_OPS, BENCH_APPEND,
# BENCH_CREATE, BENCH_FLUSH, BENCH_PROTECT, BENCH_REPS, BENCH_SMALL_REPS, BENCH_ONLY, BENCH_DIR.
# The scratch files (up to ~6 GiB with the defaults) go in a temp dir under BENCH_DIR (default
# the system temp dir) that is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${BENCH_DIR:-${TMPDIR:-/tmp}}"
echo "== machine"
echo "cpu:        $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
echo "memory:     $(free -g | awk '/^Mem:/ { print $2 " GiB" }')"
echo "kernel:     $(uname -sr)"
echo "filesystem: $(findmnt -no FSTYPE -T "$dir") at $(findmnt -no TARGET -T "$dir") (for $dir), $(df -h --output=avail "$dir" | tail -1 | tr -d ' ') free"
echo "rustc:      $(rustc --version)"
echo "load:       $(cut -d' ' -f1-3 /proc/loadavg)"
echo
cargo bench --bench compare
