#!/usr/bin/env bash
# Runs the integration and unit test binaries under valgrind's memcheck; fails on any error.
#
#   bash scripts/memcheck.sh [TEST_NAME ...]
#
# Not part of CI (it takes minutes). Property tests run fewer cases under valgrind
# (PROPTEST_CASES); the soak keeps its 20 s (MAPPED_SOAK_SECS), which readers slowed by valgrind
# need to get going; the UI test is skipped because it
# only drives rustc. Children the tests fork or re-run are checked too; programs that are not ours
# (the C compiler, the shell, cargo) are not.
set -euo pipefail
cd "$(dirname "$0")/.."

export PROPTEST_CASES="${PROPTEST_CASES:-200}"
export MAPPED_SOAK_SECS="${MAPPED_SOAK_SECS:-20}"
wanted=("$@")

# Build every test binary once and list them, with their names, from cargo's JSON output.
mapfile -t binaries < <(
    cargo test --workspace --tests --no-run --message-format=json 2>/dev/null |
        python3 -c '
import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("reason") == "compiler-artifact" and msg.get("executable") and msg["profile"]["test"]:
        print(msg["target"]["name"] + " " + msg["executable"])
'
)

failed=0
ran=0
for entry in "${binaries[@]}"; do
    name="${entry%% *}"
    exe="${entry#* }"
    # The UI test only drives rustc; the derive's test binary (a proc-macro crate) has no tests.
    [[ "$name" == "ui" || "$name" == "mapped_derive" ]] && continue
    if ((${#wanted[@]})) && [[ ! " ${wanted[*]} " == *" $name "* ]]; then
        continue
    fi
    echo "== memcheck $name"
    # --trace-children covers the processes tests fork or spawn; the examples test spawns cargo,
    # which is not ours to check, so it stays untraced.
    trace=yes
    [[ "$name" == "examples" ]] && trace=no
    log="${TMPDIR:-/tmp}/memcheck-$name.log"
    # The fault-injection test hands msync & co. an unmapped range on purpose; valgrind rightly
    # flags those calls, so it runs without valgrind (in `cargo test`) only.
    skip=()
    [[ "$name" == "mapped_core" ]] && skip=(--skip failing_msync_mprotect_madvise_and_mlock_are_errors)
    # The no-system-call proof kills its child on any system call, and valgrind makes its own.
    [[ "$name" == "vec_wait" ]] && skip=(--skip a_push_with_no_waiting_reader_makes_no_system_call)
    if valgrind --tool=memcheck --error-exitcode=99 --trace-children="$trace" \
        --trace-children-skip='*/cc,*/gcc*,*/cc1,*/as,*/ld,*/collect2,*/sh,*/cargo*,*/rustc' \
        --quiet "$exe" --test-threads=1 "${skip[@]}" >"$log" 2>&1; then
        grep -E "^test result|passed, [0-9]+ failed" "$log" | tail -1
    else
        echo "memcheck reported errors or a test failed (exit $?); see $log"
        failed=$((failed + 1))
    fi
    ran=$((ran + 1))
done
echo "$ran test binaries under memcheck, $failed failed"
exit $((failed > 0))
