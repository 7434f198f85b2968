//! Runs each example as a child process, so an example never rots.
//!
//! `cargo test` builds the examples before running tests; they sit in `target/<profile>/examples`,
//! next to the `deps` directory this test binary runs from.

use std::path::PathBuf;
use std::process::{Command, Output};

fn example(name: &str) -> PathBuf {
    let test_exe = std::env::current_exe().expect("current exe");
    let profile_dir = test_exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test binary lives in target/<profile>/deps");
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test`, which builds the examples",
        path.display()
    );
    path
}

fn run(name: &str, args: &[&std::ffi::OsStr]) -> String {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(example(name))
        .args(args)
        .output()
        .expect("spawn example");
    let stdout = String::from_utf8(stdout).expect("utf-8 output");
    assert!(
        status.success(),
        "{name} failed with {status}\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&stderr)
    );
    stdout
}

#[test]
fn quickstart_creates_updates_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stats.bin");

    let first = run("quickstart", &[path.as_os_str()]);
    assert!(first.starts_with("created "), "{first}");
    assert!(first.contains("(32 bytes)"), "{first}");
    assert!(
        first.contains("hits=1 misses=2 ratio=0.333 name=\"quickstart\""),
        "{first}"
    );

    let second = run("quickstart", &[path.as_os_str()]);
    assert!(second.starts_with("opened "), "{second}");
    assert!(second.contains("hits=2 misses=4"), "{second}");

    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.len(), 32);
    assert_eq!(&bytes[..8], &2u64.to_ne_bytes());
    assert_eq!(&bytes[8..12], &4u32.to_ne_bytes());
    assert_eq!(&bytes[16..26], b"quickstart");
}

#[test]
fn quickstart_without_a_path_uses_a_temp_file() {
    let out = run("quickstart", &[]);
    assert!(out.starts_with("created "), "{out}");
    assert!(out.contains("hits=1"), "{out}");
}
