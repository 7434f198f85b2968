#!/usr/bin/env bash
# Compile time of the derive: a crate of 50 structs deriving `Mapped` (and zerocopy's
# `FromBytes, IntoBytes, KnownLayout`), against the same crate deriving only zerocopy's traits.
# Dependencies are built once; then each crate alone is rebuilt REPS times (CARGO_INCREMENTAL=0,
# debug and release), interleaved, and the medians and their ratio printed.
#
#   bash scripts/bench-compile.sh          # REPS=5, STRUCTS=50
#   INSTRUCTIONS=1 STRUCTS=10 bash scripts/bench-compile.sh
#       # instead of times, the instructions rustc executes for each crate (debug), counted by
#       # callgrind: repeatable to ~0.01% on a noisy machine, where times swing by a third
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

reps="${REPS:-5}"
structs="${STRUCTS:-50}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

make_crate() { # name derives
    local name="$1" derives="$2"
    mkdir -p "$work/$name/src"
    cat >"$work/$name/Cargo.toml" <<TOML
[package]
name = "$name"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
mapped = { path = "$root" }
zerocopy = { version = "0.8", features = ["derive"] }
TOML
    {
        echo "#![allow(dead_code)]"
        echo "use zerocopy::{FromBytes, IntoBytes, KnownLayout};"
        echo "#[allow(unused_imports)] use mapped::Mapped;"
        for i in $(seq 1 "$structs"); do
            echo
            echo "#[derive($derives)]"
            echo "#[repr(C)]"
            echo "pub struct Record$i {"
            echo "    pub id: u64,"
            echo "    pub count: u32,"
            echo "    pub ratio: f32,"
            echo "    pub name: [u8; 16],"
            echo "    pub delta: i64,"
            echo "    pub slots: [u32; 4],"
            echo "    pub total: f64,"
            echo "}"
        done
    } >"$work/$name/src/lib.rs"
}

make_crate derived "Mapped, FromBytes, IntoBytes, KnownLayout"
make_crate plain "FromBytes, IntoBytes, KnownLayout"
cat >"$work/Cargo.toml" <<TOML
[workspace]
members = ["derived", "plain"]
resolver = "2"
TOML
cp Cargo.lock "$work/Cargo.lock" 2>/dev/null || true

export CARGO_TARGET_DIR="$work/target" CARGO_INCREMENTAL=0
build() { # crate profile-flag -> seconds
    touch "$work/$1/src/lib.rs"
    local start end
    start="$(date +%s%N)"
    (cd "$work" && cargo build -q -p "$1" $2)
    end="$(date +%s%N)"
    awk -v ns="$((end - start))" 'BEGIN { printf "%.3f\n", ns / 1e9 }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

if [ -n "${INSTRUCTIONS:-}" ]; then
    command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
    # A rustc wrapper that runs the compiler under callgrind for the two measured crates only.
    cat >"$work/count-rustc.sh" <<'WRAP'
#!/usr/bin/env bash
rustc="$1"; shift
name=""; prev=""
for arg in "$@"; do [ "$prev" = "--crate-name" ] && name="$arg"; prev="$arg"; done
case "$name" in
    derived|plain)
        valgrind --tool=callgrind --callgrind-out-file="$COUNT_DIR/$name.out" "$rustc" "$@" \
            2>"$COUNT_DIR/$name.log"
        ;;
    *) exec "$rustc" "$@" ;;
esac
WRAP
    chmod +x "$work/count-rustc.sh"
    (cd "$work" && cargo build -q --workspace)
    for crate in derived plain; do
        touch "$work/$crate/src/lib.rs"
        (cd "$work" && COUNT_DIR="$work" RUSTC_WRAPPER="$work/count-rustc.sh" cargo build -q -p "$crate")
    done
    count() { awk '/^(summary|totals):/ { print $2; exit }' "$work/$1.out"; }
    awk -v d="$(count derived)" -v p="$(count plain)" -v n="$structs" 'BEGIN {
        printf "debug %d structs: rustc executes %.0fM instructions with derive(Mapped + zerocopy), %.0fM with zerocopy only: ratio %.2fx\n",
            n, d / 1e6, p / 1e6, d / p }'
    exit 0
fi

echo "building the dependencies once (debug and release)..."
(cd "$work" && cargo build -q --workspace && cargo build -q --workspace --release)

for profile in debug release; do
    flag=""
    [ "$profile" = release ] && flag="--release"
    : >"$work/derived.$profile"
    : >"$work/plain.$profile"
    for _ in $(seq 1 "$reps"); do
        build derived "$flag" >>"$work/derived.$profile"
        build plain "$flag" >>"$work/plain.$profile"
    done
    d="$(median <"$work/derived.$profile")"
    p="$(median <"$work/plain.$profile")"
    awk -v prof="$profile" -v d="$d" -v p="$p" -v n="$structs" -v r="$reps" 'BEGIN {
        printf "%-8s %d structs: derive(Mapped + zerocopy) %.2f s, zerocopy only %.2f s: ratio %.2fx (median of %d)\n",
            prof, n, d, p, d / p, r }'
done
