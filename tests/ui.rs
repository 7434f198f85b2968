//! Compile-time diagnostics of `#[derive(Mapped)]`: one file per rule in `tests/ui/`, each with the
//! compiler's output checked in beside it. Regenerate with `TRYBUILD=overwrite cargo test --test ui`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
