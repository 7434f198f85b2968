#!/usr/bin/env bash
# Instructions per operation, counted by callgrind (repeatable on a noisy machine, unlike time).
#
# Builds mapped-bench/benches/callgrind.rs (release, the bench profile), then for each variant runs
#   valgrind --tool=callgrind --toggle-collect=cg_<variant> <binary> <variant> <ops>
# so only the one function doing <ops> field accesses is counted, and prints instructions per op.
#
#   bash scripts/callgrind.sh                  # every variant, 1M ops each
#   OPS=100000 bash scripts/callgrind.sh write-raw-field write-handle-field
set -euo pipefail
cd "$(dirname "$0")/.."

ops="${OPS:-1000000}"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }

exe="$(cargo bench -p mapped-bench --bench callgrind --no-run --message-format=json 2>/dev/null \
    | grep -o '"executable":"[^"]*"' | tail -n 1 | cut -d'"' -f4)"
[ -x "$exe" ] || { echo "could not build the callgrind bench" >&2; exit 1; }

if [ "$#" -gt 0 ]; then
    variants=("$@")
else
    mapfile -t variants < <("$exe")
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

printf '%-34s %14s %10s\n' "variant ($ops ops)" "instructions" "per op"
for variant in "${variants[@]}"; do
    fn="cg_${variant//-/_}"
    valgrind --tool=callgrind --callgrind-out-file="$out/$variant.out" \
        --toggle-collect="$fn" "$exe" "$variant" "$ops" >/dev/null 2>"$out/$variant.log" \
        || { cat "$out/$variant.log" >&2; exit 1; }
    total="$(awk '/^(summary|totals):/ { print $2; exit }' "$out/$variant.out")"
    [ -n "$total" ] && [ "$total" -gt 0 ] || { echo "$variant: nothing counted in $fn" >&2; exit 1; }
    awk -v v="$variant" -v t="$total" -v n="$ops" \
        'BEGIN { printf "%-34s %14d %10.2f\n", v, t, t / n }'
done
