#!/usr/bin/env bash
# The `mapped` command, in release: `dump --csv` throughput on CLI_RECORDS (default 10M) 64-byte
# records, in MB/s of CSV written to /dev/null (wall clock and user CPU, best of CLI_REPS runs),
# and `inspect` on a sparse CLI_SPARSE_GIB (default 64) GiB record file, per run, process start
# included (median of 200). The files go in a temp dir under BENCH_DIR (default /dev/shm, as the
# record workloads of docs/performance.md; the sparse file under TMPDIR), removed at the end.
#
#   bash scripts/bench-cli.sh
#   CLI_RECORDS=1000000 CLI_REPS=1 bash scripts/bench-cli.sh   # smoke run
set -euo pipefail
cd "$(dirname "$0")/.."

records="${CLI_RECORDS:-10000000}"
reps="${CLI_REPS:-3}"
gib="${CLI_SPARSE_GIB:-64}"
data_dir="$(mktemp -d "${BENCH_DIR:-/dev/shm}/mapped-cli.XXXXXX")"
sparse_dir="$(mktemp -d "${TMPDIR:-/tmp}/mapped-cli.XXXXXX")"
trap 'rm -rf "$data_dir" "$sparse_dir"' EXIT

cargo build --release --quiet -p mapped-cli --bin mapped --example bench_file
mapped=target/release/mapped
echo "commit $(git rev-parse --short HEAD); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

file="$data_dir/quotes.bin"
target/release/examples/bench_file records "$file" "$records"
bytes="$("$mapped" dump --csv "$file" | wc -c)"
best_wall=""
best_user=""
for _ in $(seq "$reps"); do
    read -r wall user < <( { /usr/bin/time -f "%e %U" "$mapped" dump --csv "$file" >/dev/null; } 2>&1 )
    best_wall="$(printf '%s\n%s\n' "$wall" "${best_wall:-$wall}" | sort -g | head -1)"
    best_user="$(printf '%s\n%s\n' "$user" "${best_user:-$user}" | sort -g | head -1)"
done
awk -v b="$bytes" -v w="$best_wall" -v u="$best_user" -v n="$records" 'BEGIN {
    printf "dump --csv: %d records, %.0f MB of CSV in %.2f s wall (%.0f MB/s), %.2f s user CPU (%.0f MB/s)\n",
        n, b / 1e6, w, b / 1e6 / w, u, b / 1e6 / u
}'

sparse="$sparse_dir/sparse.bin"
target/release/examples/bench_file sparse "$sparse" "$gib"
python3 - "$mapped" "$sparse" "$gib" <<'PY'
import subprocess, sys, time
mapped, path, gib = sys.argv[1:]
times = []
for _ in range(200):
    start = time.perf_counter()
    subprocess.run([mapped, "inspect", path], stdout=subprocess.DEVNULL, check=True)
    times.append(time.perf_counter() - start)
times.sort()
print(f"inspect of a sparse {gib} GiB file: median {times[100] * 1e3:.2f} ms, "
      f"90th percentile {times[180] * 1e3:.2f} ms (process start included)")
PY
