//! `Seqlock` across processes: readers never see a torn value, not even while writers are killed,
//! never wait for a dead writer, and writers in different processes take turns.
//!
//! The value is 64 bytes, eight words that every write makes equal, and bigger than the last: a
//! read whose words differ is torn, and one smaller than the read before went back in time.
//! Children are this test binary run again with a role in their environment (as in
//! `tests/vec_kill.rs`); readers map the file read-only. Every child is reaped, on failure too (a
//! guard kills it); every wait is bounded. The kill test's delays come from a seeded RNG: the seed
//! is printed, and `MAPPED_SEQLOCK_SEED=<seed>` replays a run.

use std::io::Read;
use std::os::unix::fs::FileExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

mod common;

use common::checked::{Reaped, Rng};
use mapped::{Mapped, Seqlock};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

/// The 64-byte value: eight words, all equal in every write.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, Clone, Copy, PartialEq)]
#[repr(C)]
struct Eight {
    words: [u64; 8],
}

/// The shared file: the value, and what the parent tells the children.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Shared {
    value: Seqlock<Eight>,
    /// Set by the parent: writers and readers stop.
    stop: AtomicU64,
    /// Readers that have started reading.
    readers: AtomicU64,
}

/// Where the lock word of `Shared::value` is in the file (documented layout: sequence, lock).
const LOCK_OFFSET: u64 = 8;

const ROLE: &str = "MAPPED_SEQLOCK_ROLE";
const FILE: &str = "MAPPED_SEQLOCK_FILE";
const READS: &str = "MAPPED_SEQLOCK_READS";
const INCREMENTS: &str = "MAPPED_SEQLOCK_INCREMENTS";
/// Replays the kill test: the seed it printed.
const SEED: &str = "MAPPED_SEQLOCK_SEED";

/// Every wait on another process gives up after this long (a bound, not a timing assertion).
const PATIENCE: Duration = Duration::from_secs(60);
/// No read may take longer: one waiting on a dead writer would never end.
const LONGEST_READ: Duration = Duration::from_millis(250);

// ---- The children ----

fn env_u64(name: &str) -> u64 {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name} is set"))
        .parse()
        .unwrap_or_else(|_| panic!("{name} is a number"))
}

/// Runs the child's role if this process is a child; returns otherwise.
fn child_role() {
    let (Ok(role), Some(path)) = (std::env::var(ROLE), std::env::var_os(FILE)) else {
        return;
    };
    let path = Path::new(&path);
    let code = match role.as_str() {
        "writer" => write_until_stopped(path),
        "incrementer" => increment(path, env_u64(INCREMENTS)),
        "reader" => read(path, env_u64(READS)),
        other => panic!("unknown role {other}"),
    };
    std::process::exit(code);
}

/// Writes ever larger values, `n` in every word, continuing from the value there.
fn write_until_stopped(path: &Path) -> i32 {
    let shared = Shared::open(path).expect("open the writer");
    let start = Instant::now();
    while shared.stop().load(Ordering::SeqCst) == 0 && start.elapsed() < PATIENCE {
        shared.value().update(|value| {
            let next = value.words[0] + 1;
            *value = Eight { words: [next; 8] };
        });
    }
    0
}

/// `update`s the value `count` times, adding one to each word.
fn increment(path: &Path, count: u64) -> i32 {
    let shared = Shared::open(path).expect("open the incrementer");
    for _ in 0..count {
        shared.value().update(|value| {
            for word in &mut value.words {
                *word += 1;
            }
        });
    }
    0
}

/// Reads `count` times (or until stopped, if `count` is 0) from a read-only mapping, checking
/// each value, and prints `reads changes torn backwards longest_ns`.
fn read(path: &Path, count: u64) -> i32 {
    let shared = Shared::open_read_only(path).expect("open the reader");
    let value = shared.value();
    let (mut reads, mut changes, mut torn, mut backwards, mut longest) = (0u64, 0u64, 0, 0, 0);
    let mut last = value.read().words[0];
    let start = Instant::now();
    // The parent's `readers` count is in a writable mapping of its own; this reader only reads.
    let ready = Shared::open(path).expect("open the reader's counter");
    ready.readers().fetch_add(1, Ordering::SeqCst);
    while (count == 0 || reads < count) && start.elapsed() < PATIENCE {
        if count == 0 && shared.stop().load(Ordering::Relaxed) != 0 {
            break;
        }
        let before = Instant::now();
        let v = value.read();
        longest = longest.max(before.elapsed().as_nanos() as u64);
        reads += 1;
        let first = v.words[0];
        if v.words.iter().any(|&w| w != first) {
            torn += 1;
            eprintln!("torn read: {v:?}");
        }
        if first < last {
            backwards += 1;
            eprintln!("went back from {last} to {first}");
        }
        changes += u64::from(first != last);
        last = first;
    }
    println!("{reads} {changes} {torn} {backwards} {longest}");
    0
}

// ---- The parent ----

fn spawn(test: &str, role: &str, path: &Path, envs: &[(&str, u64)]) -> Child {
    let mut command = Command::new(std::env::current_exe().expect("current exe"));
    command
        .args([
            "--exact",
            test,
            "--test-threads=1",
            "--nocapture",
            "--quiet",
        ])
        .env(ROLE, role)
        .env(FILE, path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    for (name, value) in envs {
        command.env(name, value.to_string());
    }
    command.spawn().expect("spawn a child")
}

/// What a reader printed.
#[derive(Debug)]
struct Report {
    reads: u64,
    changes: u64,
    torn: u64,
    backwards: u64,
    longest: Duration,
}

/// Waits (bounded) for a reader to finish and parses its report.
fn report(mut reader: Reaped) -> Report {
    let start = Instant::now();
    let child = reader.0.as_mut().expect("a child");
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            assert!(status.success(), "a reader failed: {status:?}");
            break;
        }
        assert!(start.elapsed() < PATIENCE * 2, "a reader never finished");
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_string(&mut out)
        .expect("read the report");
    let line = out
        .lines()
        .rev()
        .find(|line| {
            line.split(' ').count() == 5 && line.split(' ').all(|w| w.parse::<u64>().is_ok())
        })
        .unwrap_or_else(|| panic!("no report in {out:?}"));
    let n: Vec<u64> = line.split(' ').map(|w| w.parse().unwrap()).collect();
    Report {
        reads: n[0],
        changes: n[1],
        torn: n[2],
        backwards: n[3],
        longest: Duration::from_nanos(n[4]),
    }
}

/// Waits (bounded) until `n` readers have started reading.
fn wait_for_readers(shared: &mapped::Handle<Shared>, n: u64) {
    let start = Instant::now();
    while shared.readers().load(Ordering::SeqCst) < n {
        assert!(start.elapsed() < PATIENCE, "the readers never started");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Waits (bounded) until the value is above `floor`.
fn wait_for_value_above(shared: &mapped::Handle<Shared>, floor: u64, what: &str) -> u64 {
    let start = Instant::now();
    loop {
        let now = shared.value().read().words[0];
        if now > floor {
            return now;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "{what}: the value stayed at {now}"
        );
        std::thread::sleep(Duration::from_micros(200));
    }
}

#[test]
fn three_readers_of_a_busy_writer_never_see_a_torn_or_older_value() {
    const TEST: &str = "three_readers_of_a_busy_writer_never_see_a_torn_or_older_value";
    child_role();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.bin");
    let shared = Shared::create_new(&path).unwrap();

    let writer = Reaped(Some(spawn(TEST, "writer", &path, &[])));
    wait_for_value_above(&shared, 0, "the writer");
    let readers: Vec<Reaped> = (0..3)
        .map(|_| Reaped(Some(spawn(TEST, "reader", &path, &[(READS, 5_000_000)]))))
        .collect();
    let reports: Vec<Report> = readers.into_iter().map(report).collect();
    shared.stop().store(1, Ordering::SeqCst);
    let mut writer = writer;
    let status = writer.0.take().unwrap().wait().expect("reap the writer");
    assert!(status.success(), "the writer failed: {status:?}");

    for report in &reports {
        assert_eq!(report.reads, 5_000_000, "{report:?}");
        assert_eq!((report.torn, report.backwards), (0, 0), "{report:?}");
        // The writer was writing all along: the readers saw it move.
        assert!(report.changes > 100, "the value hardly changed: {report:?}");
    }
    let last = shared.value().read();
    assert_eq!(
        last,
        Eight {
            words: [last.words[0]; 8]
        }
    );
}

#[test]
fn two_writer_processes_updating_lose_no_increment() {
    const TEST: &str = "two_writer_processes_updating_lose_no_increment";
    const EACH: u64 = 20_000;
    child_role();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.bin");
    let shared = Shared::create_new(&path).unwrap();
    let writers: Vec<Reaped> = (0..2)
        .map(|_| {
            Reaped(Some(spawn(
                TEST,
                "incrementer",
                &path,
                &[(INCREMENTS, EACH)],
            )))
        })
        .collect();
    let start = Instant::now();
    for mut writer in writers {
        let child = writer.0.as_mut().unwrap();
        loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                assert!(status.success(), "a writer failed: {status:?}");
                break;
            }
            assert!(start.elapsed() < PATIENCE, "the writers never finished");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    assert_eq!(
        shared.value().read(),
        Eight {
            words: [2 * EACH; 8]
        }
    );
}

/// The lock word of the value, read from the file as another process would.
fn lock_word(path: &Path) -> u64 {
    let mut word = [0u8; 8];
    std::fs::File::open(path)
        .unwrap()
        .read_exact_at(&mut word, LOCK_OFFSET)
        .unwrap();
    u64::from_ne_bytes(word)
}

#[test]
fn writers_killed_at_random_moments_never_block_or_tear_a_read_and_are_taken_over() {
    const TEST: &str =
        "writers_killed_at_random_moments_never_block_or_tear_a_read_and_are_taken_over";
    const KILLS: usize = 20;
    child_role();
    let seed = match std::env::var(SEED) {
        Ok(seed) => seed.parse().expect("MAPPED_SEQLOCK_SEED is a number"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
    };
    println!("seqlock kills: seed {seed} (replay with {SEED}={seed})");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.bin");
    let shared = Shared::create_new(&path).unwrap();

    let readers: Vec<Reaped> = (0..3)
        .map(|_| Reaped(Some(spawn(TEST, "reader", &path, &[(READS, 0)]))))
        .collect();
    wait_for_readers(&shared, 3);

    let mut writer = Reaped(Some(spawn(TEST, "writer", &path, &[])));
    let (mut held, mut zombies) = (0, 0);
    for kill in 1..=KILLS {
        let before = shared.value().read().words[0];
        wait_for_value_above(&shared, before, &format!("writer {kill} (seed {seed})"));
        std::thread::sleep(Duration::from_micros(rng.below(20_000)));
        // Kept in a guard, so that a failure below still reaps it.
        let mut dead = Reaped(writer.0.take());
        let pid = dead.0.as_ref().expect("a writer").id();
        dead.0.as_mut().expect("a writer").kill().expect("SIGKILL");
        // Half the time the next writer starts while the dead one is a zombie, not yet reaped.
        let reap_first = rng.below(2) == 0;
        if reap_first {
            reap_killed(&mut dead, kill);
        } else {
            wait_for_zombie(pid);
        }
        let at_kill = shared.value().read().words[0];
        if lock_word(&path) != 0 {
            held += 1;
            zombies += usize::from(!reap_first);
        }
        writer = Reaped(Some(spawn(TEST, "writer", &path, &[])));
        // The new writer takes over, from a dead owner's lock too, and carries on from the value.
        wait_for_value_above(
            &shared,
            at_kill,
            &format!("the writer after kill {kill} (seed {seed})"),
        );
        if !reap_first {
            reap_killed(&mut dead, kill);
        }
    }
    shared.stop().store(1, Ordering::SeqCst);
    let status = writer
        .0
        .take()
        .unwrap()
        .wait()
        .expect("reap the last writer");
    assert!(status.success(), "the last writer: {status:?}");
    let reports: Vec<Report> = readers.into_iter().map(report).collect();
    println!("seqlock kills: {held} of {KILLS} writers died holding the lock, {zombies} of them left as zombies; readers: {reports:?}");
    for report in &reports {
        assert_eq!(
            (report.torn, report.backwards),
            (0, 0),
            "{report:?} (seed {seed})"
        );
        assert!(
            report.longest < LONGEST_READ,
            "a read took {:?} (seed {seed})",
            report.longest
        );
        assert!(report.changes > KILLS as u64, "{report:?}");
    }
    assert!(
        held > 0,
        "no writer died holding the lock, so taking over was not tested (seed {seed})"
    );
}

/// Reaps a writer killed with `SIGKILL`, checking that the kill is what ended it.
fn reap_killed(dead: &mut Reaped, kill: usize) {
    let status = dead.0.as_mut().expect("a writer").wait().expect("reap");
    dead.0 = None;
    assert_eq!(status.signal(), Some(9), "writer {kill}: {status:?}");
}

/// Waits (bounded) until process `pid` is a zombie: dead, not reaped.
fn wait_for_zombie(pid: u32) {
    let start = Instant::now();
    loop {
        let stat =
            std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("a zombie has a stat");
        let state = stat[stat.rfind(')').unwrap() + 2..].chars().next();
        if state == Some('Z') {
            return;
        }
        assert!(start.elapsed() < PATIENCE, "process {pid} never died");
        std::thread::sleep(Duration::from_micros(100));
    }
}
