#!/usr/bin/env bash
# Publish-to-visible latency between two processes (mapped-bench/benches/latency.rs): a writer
# pushes 40-byte records stamped with CLOCK_MONOTONIC at 10k/s, 100k/s and flat out; a reader
# waits with `wait_len` (futex) or a busy `refresh` loop and records when it first sees each one.
# Prints p50, p99, p99.9 and max per rate and way of waiting, as a markdown table.
#
#   bash scripts/bench-latency.sh                       # files in /dev/shm when it exists
#   LATENCY_MILLIS=5000 LATENCY_FLAT=4M bash scripts/bench-latency.sh
#   LATENCY_PRIORITY=fifo LATENCY_MILLIS=800 bash scripts/bench-latency.sh   # SCHED_FIFO, pinned (root)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${BENCH_DIR:-}" ] && [ -d /dev/shm ]; then
    export BENCH_DIR=/dev/shm
fi
echo "commit $(git rev-parse --short HEAD); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg);" \
    "filesystem $(findmnt -no FSTYPE -T "${BENCH_DIR:-${TMPDIR:-/tmp}}" | head -n 1)"
exe="$(cargo bench -p mapped-bench --bench latency --no-run --message-format=json 2>/dev/null \
    | grep -o '"executable":"[^"]*"' | tail -n 1 | cut -d'"' -f4)"
[ -x "$exe" ] || { echo "could not build the latency bench" >&2; exit 1; }
"$exe"
