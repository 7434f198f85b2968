#!/usr/bin/env bash
# Every check a change must pass: formatting, lints, tests (unit, integration, UI, doc) and docs.
set -euo pipefail
cd "$(dirname "$0")/.."

# tests/numpy.rs runs python/mapped_numpy.py under real numpy, from a virtual environment kept in
# target/ (made once; a few seconds of wheel download) and named by MAPPED_PYTHON.
echo "== numpy in target/py (for tests/numpy.rs)"
if ! target/py/bin/python -c 'import numpy' >/dev/null 2>&1; then
    if ! python3 -m venv target/py; then
        echo "error: \`python3 -m venv target/py\` failed: tests/numpy.rs needs Python 3 with venv" >&2
        exit 1
    fi
    if ! target/py/bin/pip install --quiet --disable-pip-version-check --retries 2 --timeout 30 numpy; then
        echo "error: pip could not install numpy into target/py (is PyPI reachable?): tests/numpy.rs needs it" >&2
        exit 1
    fi
fi
export MAPPED_PYTHON="$PWD/target/py/bin/python"
"$MAPPED_PYTHON" -c 'import numpy; print("numpy", numpy.__version__)'

echo "== cargo fmt --all --check"
cargo fmt --all --check

echo "== cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

echo "== cargo doc --workspace --no-deps (warnings denied)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

echo "== cargo test --workspace"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
cargo test --workspace 2>&1 | tee "$log"

# One closing line for the whole run: cargo prints one per test binary, and the last of those
# (the derive crate's doc tests) counts none.
awk '
    /^test result: / { passed += $4; failed += $6 }
    /^[0-9]+ passed, [0-9]+ failed$/ { passed += $1; failed += $3 }
    END { printf "%d passed, %d failed\n", passed, failed }
' "$log"
