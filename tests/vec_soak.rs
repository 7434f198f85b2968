//! Soak: one writer pushes into a `MappedVec` for 20 seconds (`MAPPED_SOAK_SECS` overrides it)
//! while 4 reader processes `refresh` and verify every record's checksum, and re-verify a random
//! sample of older ones each time, reopening their handle now and then. Zero bad reads; at the end
//! every reader has the writer's final count and has verified the whole file once more. The
//! numbers (records written, reads verified, refreshes, remaps, for the writer and each reader)
//! are printed: `cargo test --test vec_soak -- --nocapture` shows them.
//!
//! The writer is this test's process; each reader is the test binary run again with a role in its
//! environment (as in `tests/vec_processes.rs`), told to stop through a small mapped control file,
//! and reaped, on failure too (a guard kills it). Every wait is bounded; nothing is asserted about
//! timing. The writer paces itself (about 50,000 records a second, in pushes and batches) so that
//! the file stays well under 100 MB; it lives in a temp dir that is removed at the end.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

mod common;

use common::checked::{entry, is_whole, Entry, Reaped, Rng};
use mapped::{Mapped, MappedVec, ReadOnly};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

const TEST: &str = "one_writer_and_four_reader_processes_soak_with_zero_bad_reads";
const ROLE: &str = "MAPPED_SOAK_TEST_ROLE";
const FILE: &str = "MAPPED_SOAK_TEST_FILE";
const CONTROL: &str = "MAPPED_SOAK_TEST_CONTROL";
/// How long the writer writes, in seconds; 20 unless set.
const SECS: &str = "MAPPED_SOAK_SECS";

const READERS: usize = 4;
/// Records per second the writer aims at, at most.
const RATE: f64 = 50_000.0;
/// Every wait on another process gives up after this long past the soak (a bound, not a timing
/// assertion).
const PATIENCE: Duration = Duration::from_secs(60);

/// The writer's word to the readers: `stop` becomes 1 once `final_len` holds the last count.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Control {
    stop: AtomicU64,
    final_len: AtomicU64,
}

// ---- A reader ----

/// What a reader did, as it reports it on its standard output.
#[derive(Debug, Default, Clone, Copy)]
struct ReaderStats {
    records: u64,
    reads: u64,
    refreshes: u64,
    with_news: u64,
    remaps: u64,
    reopens: u64,
    bad: u64,
}

const REPORT: &str = "soak-reader";

impl ReaderStats {
    fn report(&self, id: u64) -> String {
        format!(
            "{REPORT} {id}: records {} reads {} refreshes {} with_news {} remaps {} reopens {} \
             bad {}",
            self.records,
            self.reads,
            self.refreshes,
            self.with_news,
            self.remaps,
            self.reopens,
            self.bad
        )
    }

    fn parse(line: &str) -> Option<ReaderStats> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let value = |name: &str| -> Option<u64> {
            let at = words.iter().position(|w| *w == name)?;
            words.get(at + 1)?.parse().ok()
        };
        Some(ReaderStats {
            records: value("records")?,
            reads: value("reads")?,
            refreshes: value("refreshes")?,
            with_news: value("with_news")?,
            remaps: value("remaps")?,
            reopens: value("reopens")?,
            bad: value("bad")?,
        })
    }
}

/// Verifies record `index`; a bad one is counted and its first few are described.
fn check(reader: &MappedVec<Entry, ReadOnly>, index: usize, stats: &mut ReaderStats) {
    let e = reader.load(index);
    stats.reads += 1;
    if !is_whole(&e, index) {
        stats.bad += 1;
        if stats.bad <= 5 {
            eprintln!("bad record {index} of {}: {e:?}", reader.len());
        }
    }
}

/// Follows the writer until told to stop and caught up with the final count, verifying every
/// new record and a sample of old ones at each refresh. Exit status 0 if all were whole.
fn follow(path: &Path) -> i32 {
    let id: u64 = std::env::var(ROLE).unwrap().parse().unwrap();
    let control = Control::open_read_only(std::env::var_os(CONTROL).unwrap()).unwrap();
    let mut rng = Rng(id);
    let mut stats = ReaderStats::default();
    let mut reader = MappedVec::<Entry>::open_read_only(path).expect("open read-only");
    let mut seen = 0usize;
    let mut stopping: Option<(u64, Instant)> = None;
    // Bounds for when the writer is gone without a word (killed): it never runs past its time.
    let parent = std::os::unix::process::parent_id();
    let secs: f64 = std::env::var(SECS).unwrap().parse().unwrap();
    let give_up = Instant::now() + Duration::from_secs_f64(secs) + PATIENCE;
    loop {
        if std::os::unix::process::parent_id() != parent || Instant::now() > give_up {
            eprintln!("reader {id}: the writer is gone or never said stop");
            return 3;
        }
        let len = reader.refresh().expect("refresh");
        stats.refreshes += 1;
        if len < seen {
            eprintln!("the count went back from {seen} to {len}");
            stats.bad += 1;
        }
        for index in seen..len {
            check(&reader, index, &mut stats);
        }
        for _ in 0..8.min(len) {
            check(&reader, rng.below(len as u64) as usize, &mut stats);
        }
        if len > seen {
            stats.with_news += 1;
        } else {
            std::thread::sleep(Duration::from_micros(200));
        }
        seen = seen.max(len);

        if stopping.is_none() && control.stop().load(Ordering::SeqCst) == 1 {
            stopping = Some((control.final_len().load(Ordering::SeqCst), Instant::now()));
        }
        if let Some((final_len, since)) = stopping {
            if len as u64 == final_len {
                break;
            }
            if since.elapsed() > PATIENCE {
                eprintln!("reader {id} stuck at {len} of {final_len} records");
                return 2;
            }
        }
        // Now and then, a fresh handle: opening while the writer pushes and grows.
        if rng.below(1000) == 0 {
            stats.remaps += reader.remap_count() as u64;
            reader = MappedVec::<Entry>::open_read_only(path).expect("reopen read-only");
            stats.reopens += 1;
        }
    }
    stats.remaps += reader.remap_count() as u64;
    // A last sweep over the whole file.
    for index in 0..reader.len() {
        check(&reader, index, &mut stats);
    }
    stats.records = reader.len() as u64;
    println!("{}", stats.report(id));
    i32::from(stats.bad > 0)
}

// ---- The writer ----

fn spawn_reader(id: usize, path: &Path, control: &Path, secs: f64) -> Reaped {
    let child = Command::new(std::env::current_exe().expect("current exe"))
        .args(["--exact", TEST, "--test-threads=1", "--nocapture"])
        .env(ROLE, id.to_string())
        .env(SECS, secs.to_string())
        .env(FILE, path)
        .env(CONTROL, control)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn a reader");
    Reaped(Some(child))
}

/// Fails at once if a reader has already ended (it found a bad record, or crashed).
fn readers_alive(readers: &mut [Reaped]) {
    for (id, reader) in readers.iter_mut().enumerate() {
        let child = reader.0.as_mut().expect("running");
        if let Some(status) = child.try_wait().expect("try_wait") {
            panic!("reader {id} ended while the writer was still writing: {status}");
        }
    }
}

/// Waits (boundedly) for reader `id` to finish and returns what it reported.
fn collect(id: usize, reader: &mut Reaped) -> ReaderStats {
    let child = reader.0.as_mut().expect("running");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "reader {id} did not finish after the writer stopped"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_string(&mut out)
        .expect("read the reader's report");
    reader.0 = None; // reaped
    assert!(status.success(), "reader {id} failed: {status}\n{out}");
    // The harness may have printed the test's name on the same line.
    out.lines()
        .find_map(|line| line.find(REPORT).map(|at| &line[at..]))
        .and_then(ReaderStats::parse)
        .unwrap_or_else(|| panic!("reader {id} reported nothing:\n{out}"))
}

#[test]
fn one_writer_and_four_reader_processes_soak_with_zero_bad_reads() {
    if let (Some(_), Some(path)) = (std::env::var_os(ROLE), std::env::var_os(FILE)) {
        std::process::exit(follow(&PathBuf::from(path)));
    }
    let secs: f64 = std::env::var(SECS)
        .ok()
        .map(|s| s.parse().expect("MAPPED_SOAK_SECS is a number of seconds"))
        .unwrap_or(20.0);
    let duration = Duration::from_secs_f64(secs);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("soak.bin");
    let control_path = dir.path().join("control.bin");
    let control = Control::create_new(&control_path).unwrap();
    let mut log = MappedVec::<Entry>::open_or_create(&path).unwrap();
    let mut readers: Vec<Reaped> = (0..READERS)
        .map(|id| spawn_reader(id, &path, &control_path, secs))
        .collect();

    let mut rng = Rng(0x50a4);
    let (mut pushes, mut batches, mut flushes) = (0u64, 0u64, 0u64);
    let start = Instant::now();
    let mut last_check = start;
    while start.elapsed() < duration {
        // Pace: no more than RATE records a second on average.
        if log.len() as f64 > RATE * start.elapsed().as_secs_f64() {
            std::thread::sleep(Duration::from_millis(1));
            continue;
        }
        let len = log.len() as u64;
        let batch_id = pushes + batches;
        match rng.below(8) {
            0 => {
                let n = 2 + rng.below(32);
                log.extend((len..len + n).map(|seq| entry(seq, batch_id)))
                    .unwrap();
                batches += 1;
            }
            _ => {
                log.push(entry(len, batch_id)).unwrap();
                pushes += 1;
            }
        }
        if rng.below(20_000) == 0 {
            log.flush_async().unwrap();
            flushes += 1;
        }
        if last_check.elapsed() > Duration::from_millis(100) {
            readers_alive(&mut readers);
            last_check = Instant::now();
        }
    }
    log.flush().unwrap();
    let written = log.len() as u64;
    control.final_len().store(written, Ordering::SeqCst);
    control.stop().store(1, Ordering::SeqCst);

    let stats: Vec<ReaderStats> = readers
        .iter_mut()
        .enumerate()
        .map(|(id, reader)| collect(id, reader))
        .collect();
    println!(
        "vec_soak: {secs} s; writer: {written} records ({pushes} pushes, {batches} batches), \
         {} remaps, {flushes} flush_async, file {} bytes",
        log.remap_count(),
        std::fs::metadata(&path).unwrap().len()
    );
    for (id, s) in stats.iter().enumerate() {
        println!(
            "vec_soak: reader {id}: {} records, {} reads verified, {} bad; {} refreshes ({} with \
             new records), {} remaps, {} reopens",
            s.records, s.reads, s.bad, s.refreshes, s.with_news, s.remaps, s.reopens
        );
    }

    assert!(written >= 1_000, "the writer wrote {written} records");
    assert!(log.remap_count() >= 3, "the file grew several times");
    for (id, s) in stats.iter().enumerate() {
        assert_eq!(s.bad, 0, "reader {id} read bad records");
        assert_eq!(s.records, written, "reader {id} caught up");
        assert!(
            s.reads >= 2 * written,
            "reader {id} verified every record as it came and again at the end"
        );
        assert!(
            s.refreshes >= 10 && s.with_news >= 2,
            "reader {id} refreshed as the writer wrote"
        );
        assert!(s.remaps >= 1, "reader {id} followed the file as it grew");
    }
    drop((log, control, readers));
    dir.close().expect("the temp dir is removed");
}
