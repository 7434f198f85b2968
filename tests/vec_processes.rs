//! `MappedVec` across real processes: a reader following a live writer, a second writer refused,
//! a writer killed with `SIGKILL` in the middle of pushes, and the `records` example.
//!
//! Each child is this test binary run again with `--exact <test>` and a role in its environment:
//! the test function sees the role, plays it and exits with a status the parent checks. Every
//! child is reaped; every wait is bounded.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mapped::{Error, Mapped, MappedVec};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

const ROLE: &str = "MAPPED_VEC_TEST_ROLE";
const FILE: &str = "MAPPED_VEC_TEST_FILE";
const ROUND: &str = "MAPPED_VEC_TEST_ROUND";

/// Every wait on another process gives up after this long (a bound, not a timing assertion).
const PATIENCE: Duration = Duration::from_secs(30);

/// A 256-byte record that can tell whether it is whole: every word derives from `seq` and
/// `round`, and `check` from all of them.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Debug)]
#[repr(C)]
struct Entry {
    seq: u64,
    round: u64,
    payload: [u64; 29],
    check: u64,
}

fn word(seq: u64, round: u64, k: u64) -> u64 {
    (seq ^ round.rotate_left(17))
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .rotate_left(k as u32)
        ^ k
}

fn entry(seq: u64, round: u64) -> Entry {
    let payload = std::array::from_fn(|k| word(seq, round, k as u64));
    let check = payload
        .iter()
        .fold(seq ^ round, |acc, w| acc.rotate_left(5) ^ w);
    Entry {
        seq,
        round,
        payload,
        check,
    }
}

/// Whether `e` is exactly what `entry(index, e.round)` wrote.
fn is_whole(e: &Entry, index: usize) -> bool {
    let expected = entry(index as u64, e.round);
    e.seq == expected.seq && e.payload == expected.payload && e.check == expected.check
}

/// The role this process plays, if it is a child.
fn role() -> Option<(String, PathBuf)> {
    let role = std::env::var(ROLE).ok()?;
    let file = std::env::var_os(FILE)?;
    Some((role, PathBuf::from(file)))
}

/// Runs this test binary again as `role` of `test`, on `path`.
fn spawn(test: &str, role: &str, path: &Path, round: u64) -> Child {
    Command::new(std::env::current_exe().expect("current exe"))
        .args(["--exact", test, "--test-threads=1", "--nocapture"])
        .env(ROLE, role)
        .env(FILE, path)
        .env(ROUND, round.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn child")
}

/// Waits for `child` and returns its exit code; panics if it was killed.
fn exit_code(mut child: Child) -> i32 {
    let status = child.wait().expect("wait for child");
    status
        .code()
        .unwrap_or_else(|| panic!("child ended by a signal: {status:?}"))
}

/// Polls `attempt` until it gives a value, for at most `PATIENCE`.
fn eventually<T>(what: &str, mut attempt: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = attempt() {
            return value;
        }
        assert!(start.elapsed() < PATIENCE, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Opens `path` read-only once a writer has created it and pushed `min_len` records.
fn reader_once_written(path: &Path, min_len: usize) -> MappedVec<Entry, mapped::ReadOnly> {
    let mut reader = eventually("the child to create the file", || {
        MappedVec::<Entry>::open_read_only(path).ok()
    });
    eventually("the child's first records", || {
        (reader.refresh().expect("refresh") >= min_len).then_some(())
    });
    reader
}

// ---- A reader follows a live writer ----

const FOLLOWED: u64 = 50_000;

/// Child: pushes one record, waits for the parent's go-ahead, then pushes the rest.
fn write_while_followed(path: &Path) -> i32 {
    let mut log = MappedVec::<Entry>::open_or_create(path).expect("open writer");
    log.push(entry(0, 0)).expect("push");
    let go = path.with_extension("go");
    let start = Instant::now();
    while !go.exists() {
        if start.elapsed() > PATIENCE {
            return 3;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    for seq in 1..FOLLOWED {
        log.push(entry(seq, 0)).expect("push");
    }
    log.flush().expect("flush");
    0
}

#[test]
fn a_reader_in_another_process_follows_a_live_writer() {
    const TEST: &str = "a_reader_in_another_process_follows_a_live_writer";
    if let Some((_, path)) = role() {
        std::process::exit(write_while_followed(&path));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("followed.bin");
    let mut writer = spawn(TEST, "writer", &path, 0);

    let mut reader = reader_once_written(&path, 1);
    let first_capacity = reader.capacity();
    std::fs::write(path.with_extension("go"), b"").unwrap();

    let mut seen = 0;
    let mut refreshes_with_news = 0;
    let start = Instant::now();
    while seen < FOLLOWED as usize {
        let finished = writer.try_wait().expect("try_wait").is_some();
        let len = reader.refresh().expect("refresh");
        assert!(len >= seen, "the count never goes back: {len} < {seen}");
        for index in seen..len {
            let e = reader.load(index);
            assert!(is_whole(&e, index), "record {index} is torn: {e:?}");
        }
        if len > seen {
            refreshes_with_news += 1;
        }
        seen = len;
        if finished {
            assert_eq!(reader.refresh().unwrap(), FOLLOWED as usize);
            break;
        }
        assert!(start.elapsed() < PATIENCE, "gave up at {seen} records");
    }
    assert_eq!(exit_code(writer), 0);
    assert_eq!(reader.refresh().unwrap(), FOLLOWED as usize);
    assert!(refreshes_with_news >= 1);
    assert!(
        reader.capacity() > first_capacity && reader.remap_count() >= 1,
        "the reader remapped as the file grew"
    );
    assert!(reader
        .iter()
        .enumerate()
        .all(|(i, e)| e.seq() == i as u64 && e.round() == 0));
}

// ---- One writer at a time, across processes ----

/// Child: a writable open must be refused while the parent writes; a read-only one must not.
fn try_second_writer(path: &Path) -> i32 {
    for second in [
        MappedVec::<Entry>::open(path),
        MappedVec::<Entry>::open_or_create(path),
    ] {
        match second {
            Err(Error::Locked { path: p }) if p == path => {}
            other => {
                eprintln!("expected Locked, got {other:?}");
                return 1;
            }
        }
    }
    match MappedVec::<Entry>::open_read_only(path) {
        Ok(reader) if reader.len() == 3 && is_whole(&reader.load(2), 2) => 0,
        other => {
            eprintln!("the read-only open failed: {other:?}");
            2
        }
    }
}

/// Child: once the parent has dropped its writer, this process may write.
fn write_after_release(path: &Path) -> i32 {
    let mut log = MappedVec::<Entry>::open(path).expect("the lock was released");
    let next = log.len() as u64;
    log.push(entry(next, 0)).expect("push");
    0
}

#[test]
fn a_second_writer_in_another_process_is_refused_until_the_first_is_gone() {
    const TEST: &str = "a_second_writer_in_another_process_is_refused_until_the_first_is_gone";
    if let Some((role, path)) = role() {
        std::process::exit(match role.as_str() {
            "second" => try_second_writer(&path),
            _ => write_after_release(&path),
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.bin");
    let mut writer = MappedVec::<Entry>::open_or_create(&path).unwrap();
    writer.extend((0..3).map(|seq| entry(seq, 0))).unwrap();

    assert_eq!(exit_code(spawn(TEST, "second", &path, 0)), 0);
    assert_eq!(writer.len(), 3, "the refused writer changed nothing");

    drop(writer);
    assert_eq!(exit_code(spawn(TEST, "after", &path, 0)), 0);
    let log = MappedVec::<Entry>::open(&path).unwrap();
    assert_eq!(log.len(), 4);
    assert!(is_whole(&log.load(3), 3));
}

// ---- A writer killed mid-push ----

const ROUND_LEN: u64 = 2_000;

/// Child: pushes rounds of records for ever (until killed, or `PATIENCE` if nobody does),
/// clearing between rounds so the file stays small.
fn push_until_killed(path: &Path) -> i32 {
    let mut round: u64 = std::env::var(ROUND).unwrap().parse().unwrap();
    let mut log = MappedVec::<Entry>::open_or_create(path).expect("open writer");
    log.clear().expect("clear");
    let start = Instant::now();
    while start.elapsed() < PATIENCE {
        for seq in 0..ROUND_LEN {
            log.push(entry(seq, round)).expect("push");
        }
        log.clear().expect("clear");
        round += 1;
    }
    4
}

#[test]
fn a_writer_killed_mid_push_leaves_only_whole_records() {
    const TEST: &str = "a_writer_killed_mid_push_leaves_only_whole_records";
    if role().is_some() {
        std::process::exit(push_until_killed(&role().unwrap().1));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("killed.bin");
    for kill in 0..3u64 {
        let base_round = kill * 1_000_000;
        let mut child = spawn(TEST, "pusher", &path, base_round);
        // Wait until this child is pushing (a record of its own rounds is there), then kill it.
        let mut reader = reader_once_written(&path, 0);
        eventually("the child to push", || {
            let len = reader.refresh().expect("refresh");
            let own = len > 10 && reader.load(0).round >= base_round;
            own.then_some(())
        });
        child.kill().expect("SIGKILL");
        let status = child.wait().expect("reap");
        assert_eq!(
            status.signal(),
            Some(9),
            "the child was still pushing when killed"
        );
        drop(reader);

        // The lock died with the child; the file reopens with only whole records counted.
        let mut log = MappedVec::<Entry>::open(&path).expect("reopen after the kill");
        let len = log.len();
        assert!(len as u64 <= ROUND_LEN, "{len} records counted");
        let round = if log.is_empty() {
            base_round
        } else {
            log.load(0).round
        };
        assert!(round >= base_round);
        for index in 0..len {
            let e = log.load(index);
            assert!(
                is_whole(&e, index),
                "record {index} of {len} is torn: {e:?}"
            );
            assert_eq!(e.round, round, "record {index} is from another round");
        }
        // And it goes on from there.
        log.push(entry(len as u64, round)).unwrap();
        assert!(is_whole(&log.load(len), len));
        let reader = MappedVec::<Entry>::open_read_only(&path).unwrap();
        assert_eq!(reader.len(), len + 1);
    }
}

// ---- Growth that cannot get disk space ----

/// Child, run with a file size limit: pushes until growing fails, which must be an error (the
/// kernel's `EFBIG`, as `ENOSPC` on a full disk), with every record still there.
fn push_past_the_size_limit(path: &Path) -> i32 {
    let mut log = MappedVec::<Entry>::open_or_create(path).expect("open writer");
    for seq in 0..1_000_000u64 {
        match log.push(entry(seq, 0)) {
            Ok(()) => {}
            Err(Error::Io {
                op: mapped::Op::Allocate,
                source,
                ..
            }) if source.raw_os_error() == Some(27) => {
                // EFBIG. Nothing was appended, and what is there is whole and readable.
                let whole = log.len() as u64 == seq
                    && log.iter().count() as u64 == seq
                    && (0..log.len()).all(|i| is_whole(&log.load(i), i));
                let again = log.push(entry(seq, 0)).is_err() && log.len() as u64 == seq;
                return if whole && again && seq > 0 { 0 } else { 5 };
            }
            Err(other) => {
                eprintln!("unexpected error: {other:?}");
                return 6;
            }
        }
    }
    7 // the limit never bit
}

#[test]
fn growth_past_the_disk_space_available_is_an_error_not_a_crash() {
    const TEST: &str = "growth_past_the_disk_space_available_is_an_error_not_a_crash";
    if let Some((_, path)) = role() {
        std::process::exit(push_past_the_size_limit(&path));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("limited.bin");
    // `ulimit -f` caps the size of files this process writes (a few MiB, in the shell's units);
    // ignoring SIGXFSZ turns going past it into EFBIG from the system call.
    let child = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 4096 && exec \"$0\" \"$@\"")
        .arg(std::env::current_exe().expect("current exe"))
        .args(["--exact", TEST, "--test-threads=1", "--nocapture"])
        .env(ROLE, "limited")
        .env(FILE, &path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn sh");
    assert_eq!(exit_code(child), 0);
    let log = MappedVec::<Entry>::open_read_only(&path).unwrap();
    assert!(!log.is_empty());
    assert!((0..log.len()).all(|i| is_whole(&log.load(i), i)));
}

// ---- The example ----

/// `examples/records.rs`: a writer here, a reader following it in a second process.
#[test]
fn the_records_example_writes_and_follows_in_two_processes() {
    let test_exe = std::env::current_exe().unwrap();
    let example = test_exe
        .parent()
        .and_then(Path::parent)
        .expect("test binary lives in target/<profile>/deps")
        .join("examples")
        .join("records");
    assert!(
        example.exists(),
        "{} is missing: `cargo test` builds the examples",
        example.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("readings.bin");
    let output = Command::new(&example)
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .expect("run the example");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("writer: appended 10000 readings"),
        "{stdout}"
    );
    assert!(
        stdout.contains("reader: followed 10000 readings, all whole"),
        "{stdout}"
    );
    let log = MappedVec::<[u8; 16]>::open_read_only(&path);
    assert!(
        matches!(log, Err(Error::LayoutMismatch { .. })),
        "the file holds readings"
    );
}
