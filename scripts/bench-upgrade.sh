#!/usr/bin/env bash
# `MappedVec::upgrade` of a 1 GiB record file against `cp` of the same file (issue 14's goal:
# at most 2x), and the cost of a reader's `refresh` (mapped-bench/benches/upgrade.rs).
#
#   bash scripts/bench-upgrade.sh                   # 1 GiB, 3 runs each, in the system temp dir
#   BENCH_BYTES=$((256 << 20)) BENCH_REPS=5 BENCH_DIR=/dev/shm bash scripts/bench-upgrade.sh
#
# The file holds 64-byte records; the upgrade appends a u64 (72-byte records), so it reads 1 GiB
# and writes 1.125 GiB, then fsyncs it and renames it over the old file. `cp` is timed two ways:
# as it is, and followed by `sync` of the copy (an fsync, which the upgrade does too). The source
# is in the page cache for both (it was just written), and clean (written back). Each figure is the
# median of BENCH_REPS. The floor: `cp` + `sync` of the upgraded file (1.125 GiB, in the page cache
# and clean), the bytes an upgrade must write and make durable, with no work of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

bytes="${BENCH_BYTES:-$((1 << 30))}"
reps="${BENCH_REPS:-3}"
dir="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/bench-upgrade.XXXXXX")"
trap 'rm -rf "$dir"' EXIT

exe="$(cargo bench -p mapped-bench --bench upgrade --no-run --message-format=json 2>/dev/null \
    | grep -o '"executable":"[^"]*"' | tail -n 1 | cut -d'"' -f4)"
[ -x "$exe" ] || { echo "could not build the upgrade bench" >&2; exit 1; }

now() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "filesystem: $(findmnt -no FSTYPE -T "$dir" | head -1) ($dir); $bytes bytes; $reps runs each"
"$exe" create "$dir/pristine.bin" "$bytes"
size="$(stat -c %s "$dir/pristine.bin")"

upgrade=() cp_plain=() cp_sync=() floor=()
for _ in $(seq "$reps"); do
    cp "$dir/pristine.bin" "$dir/work.bin"
    # Written back before the clock starts, as the pristine file is for `cp`: else the upgrade's
    # fsync would wait behind this copy's writeback.
    sync "$dir/work.bin"
    upgrade+=("$("$exe" upgrade "$dir/work.bin")")
    start="$(now)"; cp "$dir/work.bin" "$dir/floor.bin"; sync "$dir/floor.bin"; end="$(now)"
    floor+=("$(echo "$end - $start" | bc -l)")
    rm -f "$dir/work.bin" "$dir/floor.bin"
    start="$(now)"; cp "$dir/pristine.bin" "$dir/copy.bin"; end="$(now)"
    cp_plain+=("$(echo "$end - $start" | bc -l)")
    rm -f "$dir/copy.bin"
    start="$(now)"; cp "$dir/pristine.bin" "$dir/copy.bin"; sync "$dir/copy.bin"; end="$(now)"
    cp_sync+=("$(echo "$end - $start" | bc -l)")
    rm -f "$dir/copy.bin"
done
u="$(printf '%s\n' "${upgrade[@]}" | median)"
c="$(printf '%s\n' "${cp_plain[@]}" | median)"
s="$(printf '%s\n' "${cp_sync[@]}" | median)"
f="$(printf '%s\n' "${floor[@]}" | median)"
printf '%-28s %8s s   (runs: %s)\n' "upgrade (64 -> 72 bytes)" "$u" "${upgrade[*]}"
printf '%-28s %8.3f s   (runs: %s)\n' "cp" "$c" "${cp_plain[*]}"
printf '%-28s %8.3f s   (runs: %s)\n' "cp + sync of the copy" "$s" "${cp_sync[*]}"
printf '%-28s %8.3f s   (runs: %s)\n' "floor: cp + sync, upgraded" "$f" "${floor[*]}"
printf 'upgrade / cp: %.2fx; upgrade / (cp + sync): %.2fx; floor / cp: %.2fx (file of %s bytes)\n' \
    "$(echo "$u / $c" | bc -l)" "$(echo "$u / $s" | bc -l)" "$(echo "$f / $c" | bc -l)" "$size"
echo "refresh, nothing new: $("$exe" refresh "$dir/pristine.bin" 200000) ns"
