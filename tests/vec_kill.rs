//! A `MappedVec` writer killed with `SIGKILL` at random moments, 50 times over one file: each
//! time the file reopens for writing, every record counted is whole, the count is exactly what
//! the child's finished pushes (or the one in flight) published, and pushing goes on.
//!
//! The child is this test binary run again with a role in its environment (as in
//! `tests/vec_processes.rs`). It pushes single records and batches, and around each one stores in
//! a second mapped file, `Progress`, how many records there are once it is done (`started`) and
//! once it returned (`finished`). So after the kill `finished <= count <= started`, and since a
//! batch publishes its count once, `count` is one of the two. The delays come from a seeded RNG:
//! the seed is printed, and `MAPPED_KILL_SEED=<seed>` replays a run.
//!
//! Every child is reaped, on failure too (a guard kills it); every wait is bounded.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

mod common;

use common::checked::{entry, is_whole, Entry, Reaped, Rng};
use mapped::{Mapped, MappedVec};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

const TEST: &str = "a_writer_killed_at_random_moments_loses_nothing_and_leaves_only_whole_records";
const ROLE: &str = "MAPPED_KILL_TEST_ROLE";
const FILE: &str = "MAPPED_KILL_TEST_FILE";
const PROGRESS: &str = "MAPPED_KILL_TEST_PROGRESS";
const CHILD_SEED: &str = "MAPPED_KILL_TEST_CHILD_SEED";
const LIFE: &str = "MAPPED_KILL_TEST_LIFE";
/// Replays a run: the seed it printed.
const SEED: &str = "MAPPED_KILL_SEED";

const KILLS: u64 = 50;
/// Every wait on another process gives up after this long (a bound, not a timing assertion).
const PATIENCE: Duration = Duration::from_secs(30);

/// Where the child is: the record count once its current push (or batch) is done, stored before
/// it starts, and the count once it returned.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Progress {
    started: AtomicU64,
    finished: AtomicU64,
}

// ---- The child ----

fn env_u64(name: &str) -> u64 {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name} is set"))
        .parse()
        .unwrap_or_else(|_| panic!("{name} is a number"))
}

/// Pushes until killed (or `PATIENCE` passes, which the parent reports as a failure): mostly
/// single records, sometimes batches of up to 64 (`extend_from_slice`, `extend`).
fn push_until_killed(path: &Path) -> i32 {
    let progress = Progress::open(std::env::var_os(PROGRESS).expect("progress file")).unwrap();
    let mut rng = Rng(env_u64(CHILD_SEED));
    let life = env_u64(LIFE);
    let mut log = MappedVec::<Entry>::open(path).expect("open the writer");
    let start = Instant::now();
    while start.elapsed() < PATIENCE {
        let len = log.len() as u64;
        let batch = match rng.below(16) {
            0 => 2 + rng.below(63),
            1 => 2 + rng.below(7),
            _ => 1,
        };
        progress.started().store(len + batch, Ordering::SeqCst);
        let records = (len..len + batch).map(|seq| entry(seq, life));
        if batch == 1 {
            log.push(entry(len, life)).expect("push");
        } else if rng.below(2) == 0 {
            log.extend_from_slice(&records.collect::<Vec<_>>())
                .expect("extend_from_slice");
        } else {
            log.extend(records).expect("extend");
        }
        progress.finished().store(len + batch, Ordering::SeqCst);
    }
    4
}

// ---- The parent ----

fn spawn(path: &Path, progress: &Path, child_seed: u64, life: u64) -> Reaped {
    let child = Command::new(std::env::current_exe().expect("current exe"))
        .args(["--exact", TEST, "--test-threads=1", "--nocapture"])
        .env(ROLE, "pusher")
        .env(FILE, path)
        .env(PROGRESS, progress)
        .env(CHILD_SEED, child_seed.to_string())
        .env(LIFE, life.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn the child");
    Reaped(Some(child))
}

/// Checks records `from..to` of `log`: each whole, at its index, written by a life up to `life`.
fn verify(log: &MappedVec<Entry>, from: usize, to: usize, life: u64, seed: u64) {
    for index in from..to {
        let e = log.load(index);
        assert!(
            is_whole(&e, index) && e.tag <= life,
            "record {index} of {} is not whole after kill {life}: {e:?} (seed {seed})",
            log.len()
        );
    }
}

#[test]
fn a_writer_killed_at_random_moments_loses_nothing_and_leaves_only_whole_records() {
    if let Some(path) = std::env::var_os(FILE).filter(|_| std::env::var_os(ROLE).is_some()) {
        std::process::exit(push_until_killed(&PathBuf::from(path)));
    }
    let seed = match std::env::var(SEED) {
        Ok(seed) => seed.parse().expect("MAPPED_KILL_SEED is a number"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
    };
    println!("vec_kill: seed {seed} (replay with {SEED}={seed})");
    let mut rng = Rng(seed);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("killed.bin");
    let progress_path = dir.path().join("progress.bin");
    let progress = Progress::create_new(&progress_path).unwrap();
    MappedVec::<Entry>::open_or_create(&path).unwrap();

    let (mut pushed_by_children, mut in_flight, mut in_flight_counted, mut before_first) =
        (0, 0, 0, 0);
    let mut len = 0usize;
    for life in 1..=KILLS {
        progress.started().store(len as u64, Ordering::SeqCst);
        progress.finished().store(len as u64, Ordering::SeqCst);
        let mut child = spawn(&path, &progress_path, rng.next(), life);
        // One kill in five within 4 ms of the spawn (in exec, opening, the first pushes); the others
        // once the child is pushing.
        let from_spawn = rng.below(5) == 0;
        if !from_spawn {
            let start = Instant::now();
            while progress.started().load(Ordering::SeqCst) == len as u64 {
                assert!(
                    start.elapsed() < PATIENCE,
                    "child {life} never pushed (seed {seed})"
                );
                child.assert_running(&format!("child {life} (seed {seed})"));
                std::thread::sleep(Duration::from_micros(200));
            }
        }
        std::thread::sleep(Duration::from_micros(rng.below(if from_spawn {
            4_000
        } else {
            40_000
        })));
        let status = child.kill();
        assert_eq!(
            status.signal(),
            Some(9),
            "child {life} ended before the kill: {status:?} (seed {seed})"
        );

        // The lock died with the child: the file reopens for writing.
        let mut log = MappedVec::<Entry>::open(&path)
            .unwrap_or_else(|err| panic!("reopen after kill {life}: {err} (seed {seed})"));
        let count = log.len() as u64;
        let started = progress.started().load(Ordering::SeqCst);
        let finished = progress.finished().load(Ordering::SeqCst);
        // Nothing pushed is lost, nothing not pushed is counted, and a batch is all or nothing.
        assert!(
            count == finished || count == started,
            "kill {life}: {count} records counted, the child had finished {finished} and \
             started {started} (seed {seed})"
        );
        assert!(
            count >= len as u64,
            "kill {life} lost records (seed {seed})"
        );
        assert!(
            std::fs::metadata(&path).unwrap().len() >= 64 + count * 64,
            "the file holds every record counted"
        );
        if started > finished {
            in_flight += 1;
            in_flight_counted += u64::from(count == started);
        }
        before_first += u64::from(started == len as u64);
        pushed_by_children += count - len as u64;
        // Every record counted is whole: the new ones, and a sample of the old.
        verify(&log, len, count as usize, life, seed);
        for _ in 0..64.min(len) {
            let index = rng.below(len as u64) as usize;
            verify(&log, index, index + 1, life, seed);
        }
        // And pushing goes on from there (a record of this life, which the next child keeps).
        log.push(entry(count, life)).unwrap();
        verify(&log, count as usize, count as usize + 1, life, seed);
        len = log.len();
        drop(log);
        let reader = MappedVec::<Entry>::open_read_only(&path).unwrap();
        assert_eq!(reader.len(), len);
    }

    let log = MappedVec::<Entry>::open_read_only(&path).unwrap();
    verify_all(&log, seed);
    println!(
        "vec_kill: {KILLS} kills, {len} records ({pushed_by_children} pushed by the children), \
         {in_flight} kills inside a push or batch ({in_flight_counted} of them with its count \
         stored), {before_first} before the child's first push"
    );
    assert!(
        pushed_by_children > 0 && in_flight > 0,
        "the kills landed while pushing"
    );
    drop((log, progress));
    dir.close().expect("the temp dir is removed");
}

fn verify_all(log: &MappedVec<Entry, mapped::ReadOnly>, seed: u64) {
    for (index, e) in log.iter().enumerate() {
        let e = e.load();
        assert!(
            is_whole(&e, index),
            "record {index} is not whole at the end: {e:?} (seed {seed})"
        );
    }
}
