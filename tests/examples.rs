//! Runs each example as a child process, so an example never rots.
//!
//! The examples are built once, by `cargo build --examples` from the first test that needs one:
//! `cargo test` builds them anyway (so that call finds nothing to do), but `cargo test --test
//! examples` does not, and would otherwise run stale binaries. They sit in
//! `target/<profile>/examples`, next to the `deps` directory this test binary runs from.
//!
//! The examples that fork do it in their own single-threaded process, never in this multi-threaded
//! test binary, and reap their children before they exit.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// `target/<profile>`, with the examples built.
fn profile_dir() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let test_exe = std::env::current_exe().expect("current exe");
        let profile_dir = test_exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("test binary lives in target/<profile>/deps")
            .to_path_buf();
        let target_dir = profile_dir.parent().expect("target/<profile> has a parent");
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .args(["build", "--quiet", "--examples", "--manifest-path"])
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .arg("--target-dir")
            .arg(target_dir);
        match profile_dir.file_name().and_then(OsStr::to_str) {
            Some("debug") => {}
            Some("release") => {
                cargo.arg("--release");
            }
            Some(profile) => {
                cargo.args(["--profile", profile]);
            }
            None => panic!("no profile directory in {}", profile_dir.display()),
        }
        let status = cargo.status().expect("run cargo build --examples");
        assert!(status.success(), "cargo build --examples failed: {status}");
        profile_dir
    })
}

fn example(name: &str) -> PathBuf {
    let path = profile_dir().join("examples").join(name);
    assert!(path.exists(), "{} is missing", path.display());
    path
}

/// Runs an example to completion, whatever its exit status.
fn run_output(name: &str, args: &[&OsStr]) -> Output {
    Command::new(example(name))
        .args(args)
        .output()
        .expect("spawn example")
}

/// Runs an example that must succeed, and returns its standard output.
fn run(name: &str, args: &[&OsStr]) -> String {
    let Output {
        status,
        stdout,
        stderr,
    } = run_output(name, args);
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
