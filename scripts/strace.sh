#!/usr/bin/env bash
# The system calls `mapped` makes, against the minimal C sequence for the same job.
#
# 1. `strace -f` over mapped-bench/benches/syscalls.rs, which runs each operation between marker
#    lines: prints every call of each operation, and flags calls beyond the minimal C sequence and
#    repeats. `push_no_waiter` is 1000 `MappedVec::push`es with no reader waiting (no call at
#    all); `push_after_killed_waiter` the same after a reader died waiting (one `futex`).
# 2. `strace -f -c` over N repetitions of create_new, open, flush and drop, minus a run doing only
#    the setup: the calls one operation makes, from strace's own summary.
#
#   bash scripts/strace.sh            # N=1000
#   N=100 bash scripts/strace.sh
set -euo pipefail
cd "$(dirname "$0")/.."

n="${N:-1000}"
command -v strace >/dev/null || { echo "strace is not installed (apt-get install strace)" >&2; exit 1; }

exe="$(cargo bench -p mapped-bench --bench syscalls --no-run --message-format=json 2>/dev/null \
    | grep -o '"executable":"[^"]*"' | tail -n 1 | cut -d'"' -f4)"
[ -x "$exe" ] || { echo "could not build the syscalls bench" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The minimal C sequence of each operation (what a careful C programmer calls).
# `close` may come right after `mmap` or, if the handle keeps the descriptor, at drop; `fallocate`
# is part of the minimum where the design reserves the blocks (so a write never meets a full disk),
# and so are the unnamed `O_TMPFILE` and the `linkat` that puts it in place once complete (so no
# process ever opens a half-made file), and the `lseek(SEEK_HOLE)` that finds the holes of a file
# opened for writing (`st_blocks` alone cannot prove there are none).
declare -A minimal=(
    [create_new]="openat(O_TMPFILE) fallocate mmap linkat [close]"
    [flush]="msync"
    [drop]="munmap [close]"
    [open]="openat fstat lseek [fallocate] mmap [close]"
    [drop_opened]="munmap [close]"
    [open_read_only]="openat fstat mmap [close]"
    [make_read_only]="mprotect"
    [make_mut]="mprotect"
    [drop_reprotected]="munmap [close]"
    [open_or_create_existing]="openat fstat lseek [fallocate] mmap [close]"
    [push_no_waiter]=""
    [push_after_killed_waiter]="futex"
)
phases=(create_new flush drop open drop_opened open_read_only make_read_only make_mut
    drop_reprotected open_or_create_existing push_no_waiter push_after_killed_waiter)

mkdir "$work/list"
strace -f -s 256 -o "$work/trace" "$exe" "$work/list" 2>/dev/null

echo "== strace -f: the calls of each operation (4 KiB struct, on $(findmnt -no FSTYPE -T "$work"))"
for phase in "${phases[@]}"; do
    calls="$(awk -v p="$phase" '
        index($0, "\"@@ begin " p "\\n\"") { on = 1; next }
        index($0, "\"@@ end " p "\\n\"") { on = 0 }
        on { sub(/^[0-9]+ +/, ""); print }' "$work/trace" | sed "s#$work/list/##g")"
    names="$(printf '%s\n' "$calls" | grep -o '^[a-z_0-9]*' || true)"
    count="$(printf '%s\n' "$names" | grep -c . || true)"
    want="${minimal[$phase]}"
    want_count="$(tr " " "\n" <<<"$want" | grep -c "^[^[]" || true)-$(wc -w <<<"$want")"
    repeats="$(printf '%s\n' "$names" | sort | uniq -d | tr '\n' ' ')"
    echo
    echo "-- $phase: $count calls (minimal C: $want_count calls: $want)${repeats:+; repeated: $repeats}"
    printf '%s\n' "$calls" | sed 's/^/   /'
done

count_calls() { # op which -> "name calls" lines from strace -c
    local dir="$work/$1-$2"
    mkdir "$dir"
    strace -f -c -U name,calls -o "$dir.txt" "$exe" "$dir" count "$1" "$n" "$2" >/dev/null 2>&1
    awk 'NR > 2 && $1 !~ /^-/ && $1 != "total" { print $1, $2 }' "$dir.txt"
}

echo
echo "== strace -f -c: calls per operation, (N=$n runs - setup-only run) / N"
printf '%-12s %s\n' operation "calls per operation"
for op in create_new open flush drop; do
    count_calls "$op" measure >"$work/$op.measure"
    count_calls "$op" baseline >"$work/$op.baseline"
    per_op="$(awk -v n="$n" '
        FNR == NR { base[$1] = $2; next }
        { d = $2 - base[$1]; if (d > 0) printf "%s %.2f\n", $1, d / n }' \
        "$work/$op.baseline" "$work/$op.measure" | sort | tr '\n' ' ')"
    printf '%-12s %s\n' "$op" "$per_op"
done
