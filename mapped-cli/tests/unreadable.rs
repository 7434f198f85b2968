//! Every command, given a path that is not a readable `mapped` file, fails with exit status 2
//! and one message naming the path and the problem; never a panic, never a wait on a FIFO,
//! never a change to the file. In-process, then through the binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use mapped::{Mapped, MappedVec};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

/// A struct without `magic`: its file is the struct alone, with nothing to describe it.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Stats {
    hits: u64,
    misses: u64,
    words: [u64; 14],
}

const COMMANDS: &[&[&str]] = &[
    &["inspect"],
    &["inspect", "--json"],
    &["dump"],
    &["dump", "--csv"],
    &["verify"],
    &["c-header"],
    &["numpy"],
    &["rust"],
];

/// Each bad path, and a word the message must hold besides the path.
fn bad_paths(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let fifo = dir.join("fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let subdir = dir.join("subdir");
    std::fs::create_dir(&subdir).unwrap();
    let headerless = dir.join("stats.bin");
    Stats::create_new(&headerless).unwrap();

    // A record file whose schema starts with an unknown type tag.
    let records = dir.join("records.bin");
    MappedVec::<u64>::open_or_create(&records)
        .unwrap()
        .push(1)
        .unwrap();
    let mut bad_schema = std::fs::read(&records).unwrap();
    bad_schema[64] = 99;
    // A record file of the format before schemas: version 1.
    let mut old = std::fs::read(&records).unwrap();
    old[8] = 1;
    // A header whose schema runs past the file's end.
    let mut long_schema = std::fs::read(&records).unwrap();
    long_schema[56..60].copy_from_slice(&100_000u32.to_le_bytes());

    vec![
        (dir.join("missing.bin"), "No such file"),
        (write("empty.bin", b""), "not self-describing"),
        (
            write("short.bin", b"MAPDRECS\x02\0\0\0"),
            "not self-describing",
        ),
        (write("garbage.bin", &[0xa5; 4096]), "not self-describing"),
        (subdir, "not a regular file"),
        (fifo, "not a regular file"),
        (headerless, "not self-describing"),
        (write("bad_schema.bin", &bad_schema), "unknown type tag 99"),
        (write("old.bin", &old), "format 1"),
        (write("long_schema.bin", &long_schema), "too small"),
    ]
}

/// The file's bytes, if it is a regular file (reading a FIFO would wait for a writer).
fn contents(path: &Path) -> Option<Vec<u8>> {
    path.metadata().ok().filter(|m| m.is_file())?;
    std::fs::read(path).ok()
}

#[test]
fn every_command_refuses_what_is_no_mapped_file_with_status_2() {
    let dir = tempfile::tempdir().unwrap();
    for (path, problem) in bad_paths(dir.path()) {
        let before = contents(&path);
        for command in COMMANDS {
            let mut args = command.to_vec();
            args.push(arg(&path));
            let err = run(&args).expect_err("refused");
            let message = err.to_string();
            assert_eq!(err.exit_code(), 2, "{args:?}: {message}");
            assert!(message.contains(arg(&path)), "{args:?}: {message}");
            assert!(message.contains(problem), "{args:?}: {message}");
            assert_eq!(contents(&path), before, "{args:?} changed the file");
        }
    }
}

#[test]
fn the_binary_exits_2_with_one_line_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    for (path, problem) in bad_paths(dir.path()) {
        for command in [&["verify"][..], &["dump", "--csv"], &["inspect"]] {
            let output = Command::new(env!("CARGO_BIN_EXE_mapped"))
                .args(command)
                .arg(&path)
                .output()
                .unwrap();
            let stderr = String::from_utf8(output.stderr).unwrap();
            assert_eq!(
                output.status.code(),
                Some(2),
                "{command:?} {}: {stderr}",
                path.display()
            );
            assert!(output.stdout.is_empty());
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(stderr.starts_with("mapped: "), "{stderr}");
            assert!(
                stderr.contains(arg(&path)) && stderr.contains(problem),
                "{stderr}"
            );
        }
    }
}

#[test]
fn the_binary_reports_success_and_inconsistency_by_status() {
    let dir = tempfile::tempdir().unwrap();
    let path = ticks_file(dir.path(), 3);
    let status = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_mapped"))
            .args(args)
            .output()
            .unwrap()
    };
    let ok = status(&["dump", arg(&path)]);
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(String::from_utf8(ok.stdout).unwrap().lines().count(), 3);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[40..48].copy_from_slice(&u64::MAX.to_ne_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let bad = status(&["verify", arg(&path)]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8(bad.stderr)
        .unwrap()
        .contains("is inconsistent"));
    // Wrong arguments are clap's usage error, status 2.
    assert_eq!(
        status(&["dump", "--json", "--csv", arg(&path)])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(status(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn a_reader_that_stops_early_is_no_failure() {
    let dir = tempfile::tempdir().unwrap();
    let path = records_file(dir.path(), "many.bin", (0..200_000u64).collect());
    let mut child = Command::new(env!("CARGO_BIN_EXE_mapped"))
        .args(["dump", arg(&path)])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 12];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    assert_eq!(&first, b"{\"value\":0}\n");
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stderr.is_empty());
}
