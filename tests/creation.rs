//! Creation is atomic: a file appears at its path only once it is complete (sized, its header
//! written, its blocks reserved), so processes racing to `open_or_create` it all open the same,
//! whole file, and a creator killed half-way leaves nothing at the path.
//!
//! The racers are forked children held on a pipe until all of them exist, then released
//! together. A `harness = false` binary, because forking a multithreaded test harness is unsound
//! (`tests/common/forked.rs`).

mod common;

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use common::forked;
use mapped::{Error, Mapped, MappedSlice, MappedVec};
use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;
use nix::unistd::Pid;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

/// A counter behind a versioned header, 4 KiB so that making the file takes a few calls.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(magic = b"RACETALY", version = 3)]
struct Tally {
    count: AtomicU64,
    rest: [u64; 511],
}

/// 4 KiB without a header.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Page {
    bytes: [u8; 4096],
}

const RACERS: usize = 16;

/// Forks one child per closure, each blocked until all are forked, then releases them together;
/// returns every child's exit code, in order. Panics if one is killed.
fn race(children: Vec<Box<dyn FnOnce() -> i32 + '_>>) -> Vec<i32> {
    let (read, write) = nix::unistd::pipe().expect("pipe");
    let (read, mut write) = (File::from(read), File::from(write));
    let pids: Vec<Pid> = children
        .into_iter()
        .map(|child| {
            let read = &read;
            // SAFETY: this binary runs every case on its only thread (harness = false).
            unsafe {
                forked::spawn(move || {
                    // One byte each: the parent writes them all at once.
                    let mut go = [0u8];
                    let mut read: &File = read;
                    read.read_exact(&mut go).expect("wait for the start");
                    child()
                })
            }
        })
        .collect();
    write.write_all(&vec![1; pids.len()]).expect("start");
    pids.into_iter()
        .map(|pid| match forked::reap(pid) {
            WaitStatus::Exited(_, code) => code,
            other => panic!("a racer ended with {other:?}"),
        })
        .collect()
}

fn racing_open_or_create_of_a_struct_always_opens_one_whole_file() {
    const ROUNDS: usize = 200;
    let dir = tempfile::tempdir().unwrap();
    let mut errors = 0;
    let mut wrong_counts = Vec::new();
    for round in 0..ROUNDS {
        let path = dir.path().join(format!("tally-{round}.bin"));
        let racers = (0..RACERS)
            .map(|_| {
                let path = &path;
                Box::new(move || match Tally::open_or_create(path) {
                    Ok(tally) => {
                        tally.count().fetch_add(1, Ordering::SeqCst);
                        0
                    }
                    Err(e) => {
                        eprintln!("open_or_create: {e}");
                        1
                    }
                }) as Box<dyn FnOnce() -> i32>
            })
            .collect();
        let codes = race(racers);
        errors += codes.iter().filter(|&&code| code != 0).count();
        let count = Tally::open_read_only(&path)
            .unwrap()
            .count()
            .load(Ordering::SeqCst);
        if count != RACERS as u64 {
            wrong_counts.push((round, count));
        }
    }
    println!(
        "{} opens in {ROUNDS} rounds, {errors} failed",
        ROUNDS * RACERS
    );
    assert_eq!(errors, 0, "{errors} of {} opens failed", ROUNDS * RACERS);
    assert!(wrong_counts.is_empty(), "(round, count): {wrong_counts:?}");
}

fn racing_open_or_create_of_a_vec_never_finds_a_half_made_file() {
    const ROUNDS: usize = 100;
    const READERS: usize = 4;
    const LOCKED: i32 = 10;
    const NOT_FOUND: i32 = 11;
    let dir = tempfile::tempdir().unwrap();
    for round in 0..ROUNDS {
        let path = dir.path().join(format!("log-{round}.bin"));
        let mut racers: Vec<Box<dyn FnOnce() -> i32>> = Vec::new();
        for writer in 0..RACERS {
            let path = &path;
            racers.push(Box::new(move || {
                match MappedVec::<u64>::open_or_create(path) {
                    Ok(mut log) => {
                        log.push(writer as u64).unwrap();
                        0
                    }
                    // One writer at a time: losing the lock is expected, finding a file
                    // without its header is not.
                    Err(Error::Locked { .. }) => LOCKED,
                    Err(e) => {
                        eprintln!("writer: {e}");
                        1
                    }
                }
            }));
        }
        for _ in 0..READERS {
            let path = &path;
            racers.push(Box::new(move || {
                match MappedVec::<u64>::open_read_only(path) {
                    Ok(log) if log.len() <= RACERS => 0,
                    Ok(log) => {
                        eprintln!("reader: {} records", log.len());
                        2
                    }
                    Err(Error::Io { source, .. })
                        if source.kind() == std::io::ErrorKind::NotFound =>
                    {
                        NOT_FOUND
                    }
                    Err(e) => {
                        eprintln!("reader: {e}");
                        1
                    }
                }
            }));
        }
        let codes = race(racers);
        let (writers, readers) = codes.split_at(RACERS);
        assert!(
            writers.iter().all(|&code| code == 0 || code == LOCKED),
            "round {round}: writers {writers:?}"
        );
        assert!(
            readers.iter().all(|&code| code == 0 || code == NOT_FOUND),
            "round {round}: readers {readers:?}"
        );
        let pushed = writers.iter().filter(|&&code| code == 0).count();
        assert!(pushed >= 1, "round {round}: no writer got the file");
        let log = MappedVec::<u64>::open_read_only(&path).unwrap();
        assert_eq!(log.len(), pushed, "round {round}");
    }
}

/// Runs `create` in a child limited to `limit` bytes per file, with the default `SIGXFSZ`
/// disposition, which kills it the moment creating the file goes past the limit; checks that it
/// was killed so, and that the directory is left empty.
fn killed_while_creating(what: &str, limit: u64, create: impl FnOnce(&Path) -> bool) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.bin");
    let child = || {
        use nix::sys::resource::{setrlimit, Resource};
        use nix::sys::signal::{signal, SigHandler};
        setrlimit(Resource::RLIMIT_FSIZE, limit, limit).unwrap();
        // SAFETY: restores the default disposition; no handler code is installed.
        unsafe { signal(Signal::SIGXFSZ, SigHandler::SigDfl) }.unwrap();
        if create(&path) {
            4
        } else {
            5
        }
    };
    // SAFETY: this binary runs every case on its only thread (harness = false).
    let pid = unsafe { forked::spawn(child) };
    match forked::reap(pid) {
        WaitStatus::Signaled(_, Signal::SIGXFSZ, _) => {}
        other => panic!("{what}: expected death by SIGXFSZ, got {other:?}"),
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert!(!path.exists(), "{what}: a half-made file is left: {left:?}");
    assert!(left.is_empty(), "{what}: left behind: {left:?}");
}

fn a_creator_killed_half_way_leaves_nothing_at_the_path() {
    // Each dies at the call that first goes past the limit: `ftruncate` for the structs, the
    // header's `pwrite` for the vec (half of it fits), `fallocate` for the slice.
    killed_while_creating("T::create_new", 1024, |path| Page::create_new(path).is_ok());
    killed_while_creating("T::open_or_create", 1024, |path| {
        Tally::open_or_create(path).is_ok()
    });
    killed_while_creating("MappedVec::open_or_create", 32, |path| {
        MappedVec::<u64>::open_or_create(path).is_ok()
    });
    killed_while_creating("MappedSlice::create_new", 1024, |path| {
        MappedSlice::<u64>::create_new(path, 1024).is_ok()
    });
}

fn main() -> ExitCode {
    forked::run(&[
        (
            "racing_open_or_create_of_a_struct_always_opens_one_whole_file",
            racing_open_or_create_of_a_struct_always_opens_one_whole_file,
        ),
        (
            "racing_open_or_create_of_a_vec_never_finds_a_half_made_file",
            racing_open_or_create_of_a_vec_never_finds_a_half_made_file,
        ),
        (
            "a_creator_killed_half_way_leaves_nothing_at_the_path",
            a_creator_killed_half_way_leaves_nothing_at_the_path,
        ),
    ])
}
