//! `MappedVec::upgrade` killed with `SIGKILL` at random moments, at least 20 times: each time the
//! path names either the complete old file or the complete new one, with every record intact, and
//! the next upgrade (which replaces any temporary file left behind) completes.
//!
//! The child is this test binary run again with a role in its environment (as in
//! `tests/vec_kill.rs`): it says it is ready, then upgrades the file. The parent first times one
//! whole upgrade (to spread the kills over its length; a calibration, not a timing assertion),
//! then kills children after delays from a seeded RNG: the seed is printed, and
//! `MAPPED_KILL_SEED=<seed>` replays a run. Every child is reaped, on failure too.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::checked::{Reaped, Rng};
use mapped::{Error, Mapped, MappedVec};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

const TEST: &str = "an_upgrade_killed_at_random_moments_leaves_the_old_file_or_the_new_one";
const ROLE: &str = "MAPPED_UPGRADE_KILL_FILE";
const SEED: &str = "MAPPED_KILL_SEED";
const KILLS: u32 = 24;
const RECORDS: u64 = 250_000;

mod v1 {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Copy)]
    #[repr(C)]
    pub struct Rec {
        pub a: u64,
    }
}

mod v2 {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Copy)]
    #[repr(C)]
    pub struct Rec {
        pub a: u64,
        pub b: u64,
    }
}

fn a_of(i: u64) -> u64 {
    common::checked::mix(i) | 1
}

/// Which file the path names after a kill, checked record by record from its bytes: `false` for
/// the old one (stride 8), `true` for the upgraded one (stride 16, every `b` zero).
fn check(path: &Path, what: &str) -> bool {
    let bytes = std::fs::read(path).unwrap();
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    let (stride, data_offset) = (word(24) as usize, word(32) as usize);
    let count = u64::from_ne_bytes(bytes[40..48].try_into().unwrap());
    assert_eq!(count, RECORDS, "{what}: the count");
    assert!(stride == 8 || stride == 16, "{what}: stride {stride}");
    assert!(
        bytes.len() >= data_offset + RECORDS as usize * stride,
        "{what}: the size"
    );
    for i in 0..RECORDS as usize {
        let at = data_offset + i * stride;
        let a = u64::from_ne_bytes(bytes[at..at + 8].try_into().unwrap());
        assert_eq!(a, a_of(i as u64), "{what}: record {i}");
        if stride == 16 {
            let b = u64::from_ne_bytes(bytes[at + 8..at + 16].try_into().unwrap());
            assert_eq!(b, 0, "{what}: record {i}'s new field");
        }
    }
    // The layouts agree: the old one opens either file; the new one the new file only.
    assert_eq!(
        MappedVec::<v1::Rec>::open_read_only(path).unwrap().len() as u64,
        RECORDS
    );
    let upgraded = stride == 16;
    match MappedVec::<v2::Rec>::open_read_only(path) {
        Ok(log) => assert!(upgraded && log.len() as u64 == RECORDS, "{what}"),
        Err(Error::NeedsUpgrade { .. }) => assert!(!upgraded, "{what}"),
        Err(err) => panic!("{what}: {err}"),
    }
    upgraded
}

fn spawn(path: &Path) -> (Reaped, BufReader<std::process::ChildStdout>) {
    let mut child = Command::new(std::env::current_exe().expect("current exe"))
        .args(["--exact", TEST, "--test-threads=1", "--nocapture"])
        .env(ROLE, path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn the child");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    (Reaped(Some(child)), stdout)
}

/// Waits for the child's "ready" line: it is about to upgrade.
fn ready(stdout: &mut BufReader<std::process::ChildStdout>) {
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "the child never got ready"
        );
        if line.trim_end().ends_with("ready") {
            return;
        }
    }
}

#[test]
fn an_upgrade_killed_at_random_moments_leaves_the_old_file_or_the_new_one() {
    if let Some(path) = std::env::var_os(ROLE) {
        println!("ready");
        MappedVec::<v2::Rec>::upgrade(path).expect("upgrade");
        std::process::exit(0);
    }
    let seed = match std::env::var(SEED) {
        Ok(seed) => seed.parse().expect("MAPPED_KILL_SEED is a number"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
    };
    println!("evolve_records_kill: seed {seed} (replay with {SEED}={seed})");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let pristine = dir.path().join("pristine.bin");
    let path = dir.path().join("records.bin");
    let mut log = MappedVec::<v1::Rec>::open_or_create(&pristine).unwrap();
    log.extend((0..RECORDS).map(|i| v1::Rec { a: a_of(i) }))
        .unwrap();
    log.flush().unwrap();
    drop(log);

    // One whole upgrade, timed from "ready" to its exit: the span to kill within.
    std::fs::copy(&pristine, &path).unwrap();
    let (mut child, mut stdout) = spawn(&path);
    ready(&mut stdout);
    let start = Instant::now();
    let status = child.0.take().unwrap().wait().unwrap();
    let span = start.elapsed().max(Duration::from_millis(1));
    assert!(status.success(), "the timed upgrade: {status}");
    assert!(check(&path, "the timed upgrade"));

    let (mut kills, mut old, mut new) = (0, 0, 0);
    let mut restore = true;
    while kills < KILLS {
        if restore {
            std::fs::copy(&pristine, &path).unwrap();
        }
        let (child, mut stdout) = spawn(&path);
        ready(&mut stdout);
        let delay = rng.below(span.as_micros() as u64 * 6 / 5 + 1);
        std::thread::sleep(Duration::from_micros(delay));
        let status = child.kill();
        let killed = status.signal() == Some(9);
        kills += u32::from(killed);
        let what = format!("after a kill {delay} µs in (seed {seed}, {status})");
        let upgraded = check(&path, &what);
        if killed {
            if upgraded {
                new += 1;
            } else {
                old += 1;
            }
        }
        // An old file stays for the next child to upgrade, over whatever temporary file this
        // one left; a new one is put back to the old.
        restore = upgraded;
    }
    // The one after the last kill completes, whatever the kills left behind.
    if restore {
        std::fs::copy(&pristine, &path).unwrap();
    }
    MappedVec::<v2::Rec>::upgrade(&path).unwrap();
    assert!(check(&path, "the final upgrade"));
    println!("{kills} kills over a {span:?} upgrade: {old} left the old file, {new} the new one");
}
