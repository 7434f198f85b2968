#!/usr/bin/env bash
# Scale: push 100M 64-byte records (6.4 GB) into one new MappedVec and print the cost per push at
# 1M, 10M and 100M (mapped-bench/benches/scale.rs). The file goes in a temp dir under BENCH_DIR
# (default the system temp dir), removed at the end; page faults and context switches are counted
# by `perf stat` when perf works here.
#
#   bash scripts/bench-scale.sh
#   SCALE_RECORDS=10000000 bash scripts/bench-scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."

records="${SCALE_RECORDS:-100000000}"
dir="${BENCH_DIR:-${TMPDIR:-/tmp}}"
need_kb=$((records * 64 / 1024 + 1024 * 1024))
have_kb="$(df -k --output=avail "$dir" | tail -1)"
if [ "$have_kb" -lt "$need_kb" ]; then
    echo "not enough space in $dir: $((have_kb / 1024)) MiB free, $((need_kb / 1024)) MiB needed" >&2
    exit 1
fi
echo "filesystem: $(findmnt -no FSTYPE -T "$dir") (for $dir); memory: $(free -g | awk '/^Mem:/ { print $2 " GiB" }');" \
    "dirty_ratio $(cat /proc/sys/vm/dirty_ratio)%, dirty_background_ratio $(cat /proc/sys/vm/dirty_background_ratio)%"

exe="$(cargo bench -p mapped-bench --bench scale --no-run --message-format=json 2>/dev/null \
    | grep -o '"executable":"[^"]*"' | tail -n 1 | cut -d'"' -f4)"
[ -x "$exe" ] || { echo "could not build the scale bench" >&2; exit 1; }

if perf stat -e page-faults true >/dev/null 2>&1; then
    SCALE_RECORDS="$records" perf stat -e page-faults,minor-faults,major-faults,context-switches,task-clock \
        "$exe" 2>&1
else
    SCALE_RECORDS="$records" "$exe"
fi
