#!/usr/bin/env bash
# The comparison table of the README's "Performance" section: every contender of every workload,
# interleaved, in one process (mapped-bench/benches/compare/), after a note of the machine it
# ran on.
#
#   bash scripts/bench-compare.sh                    # the full run (1 GiB files, a few minutes)
#   BENCH_RECORDS=1M BENCH_OPS=1M BENCH_APPEND=1M BENCH_REPS=3 bash scripts/bench-compare.sh
#   BENCH_ONLY=read,write bash scripts/bench-compare.sh
#
# Two passes. The record workloads (random reads, scan, random writes over 1 GiB files) run on
# tmpfs (RECORD_DIR, default /dev/shm): on a disk filesystem, writeback cleans the dirty pages every
# 30 s and the next write through any mapping takes a write fault (on ext4 with large folios, a
# slow one), which swamps what the accessors cost; tmpfs has no writeback. The file workloads
# (append, create, open, flush, protect) run on the disk filesystem of BENCH_DIR (default the
# system temp dir), since that is what they measure.
#
# Knobs (see mapped-bench/benches/compare/main.rs): BENCH_RECORDS, BENCH_OPS, BENCH_SYSCALL_OPS,
# BENCH_APPEND, BENCH_CREATE, BENCH_FLUSH, BENCH_PROTECT, BENCH_REPS, BENCH_SMALL_REPS, BENCH_ONLY,
# BENCH_DIR, RECORD_DIR. The scratch files (about 3 GiB in each pass) go in temp dirs removed at the
# end.
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${BENCH_DIR:-${TMPDIR:-/tmp}}"
record_dir="${RECORD_DIR:-/dev/shm}"
[ -d "$record_dir" ] || record_dir="$dir"
echo "== machine"
echo "cpu:        $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
echo "memory:     $(free -g | awk '/^Mem:/ { print $2 " GiB" }')"
echo "kernel:     $(uname -sr)"
for d in "$record_dir" "$dir"; do
    echo "filesystem: $(findmnt -no FSTYPE -T "$d" | head -1) at $(findmnt -no TARGET -T "$d" | head -1) (for $d), $(df -h --output=avail "$d" | tail -1 | tr -d ' ') free"
done
echo "rustc:      $(rustc --version)"
echo "load:       $(cut -d' ' -f1-3 /proc/loadavg)"
echo
only="${BENCH_ONLY:-read,scan,write,append,create,open,flush,protect}"
pick() { tr ',' '\n' <<<"$only" | { grep -xE "$1" || true; } | paste -sd, -; }
records="$(pick 'read|scan|write')"
files="$(pick 'append|create|open|flush|protect')"
cargo bench -p mapped-bench --bench compare --no-run
if [ -n "$records" ]; then
    echo "== record workloads, on $(findmnt -no FSTYPE -T "$record_dir" | head -1) ($record_dir)"
    BENCH_ONLY="$records" BENCH_DIR="$record_dir" cargo bench -q -p mapped-bench --bench compare
fi
if [ -n "$files" ]; then
    echo
    echo "== file workloads, on $(findmnt -no FSTYPE -T "$dir") ($dir)"
    BENCH_ONLY="$files" BENCH_DIR="$dir" cargo bench -q -p mapped-bench --bench compare
fi
