//! `scripts/bench-latency.sh` (or `cargo bench -p mapped-bench --bench latency`): how long a
//! record takes from the writer's `push` to a reader in another process seeing it.
//!
//! The writer (this program again, as a child) stamps each 40-byte record with
//! `CLOCK_MONOTONIC` just before pushing it, at a set rate (10k/s, 100k/s) or flat out. The reader
//! (this process) waits for records either with `wait_len` (sleeping on the futex) or by calling
//! `refresh` in a busy loop, reads the clock when it sees new records, and takes
//! `now - stamp` for each of them. It prints p50, p99, p99.9 and the maximum, in microseconds,
//! for every rate and way of waiting.
//!
//! The file lives in `BENCH_DIR` (default the system temp dir) and is reserved before the writer
//! starts, as a queue file of known size would be. Knobs: `LATENCY_MILLIS` (default 2000: how long
//! each paced run lasts), `LATENCY_FLAT` (default 1M: records of each flat-out run),
//! `LATENCY_PRIORITY=nice` (pin both processes to a CPU each, at nice -20) or `fifo` (the same,
//! under `SCHED_FIFO`; with `LATENCY_MILLIS=800`), `LATENCY_ONLY=futex|busy`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mapped::{Mapped, MappedVec};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[path = "support/mod.rs"]
mod support;

/// A 40-byte message, the size of Chronicle Queue's published figure.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Copy)]
#[repr(C)]
struct Message {
    /// `CLOCK_MONOTONIC`, in nanoseconds, just before the push.
    stamp: u64,
    seq: u64,
    payload: [u64; 3],
}

const ROLE: &str = "LATENCY_ROLE";
const FILE: &str = "LATENCY_FILE";
const RATE: &str = "LATENCY_RATE";
const COUNT: &str = "LATENCY_COUNT";

/// No run waits for the other process longer than this.
const PATIENCE: Duration = Duration::from_secs(60);

/// `CLOCK_MONOTONIC` in nanoseconds: one clock for every process of the machine.
fn now_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable `timespec`; `CLOCK_MONOTONIC` exists on every Linux.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// With `LATENCY_PRIORITY=nice` (or `1`): pins this process to `cpu` and raises its priority to
/// nice -20, so that the other work on a shared machine takes less of its CPU. With
/// `LATENCY_PRIORITY=fifo`: pins it and runs it under `SCHED_FIFO` (priority 10), so that nothing
/// else delays it, as a latency-sensitive deployment would isolate cores. The kernel's real-time
/// throttling stops real-time processes that run for more than 950 ms of a second for the rest of
/// it; a spinning reader or writer does, so run it with `LATENCY_MILLIS=800` (each run then
/// starts a fresh second), or the figures show those 50 ms stalls. Returns what it did.
fn prioritize(cpu: usize) -> Option<&'static str> {
    let asked = std::env::var("LATENCY_PRIORITY").unwrap_or_default();
    let fifo = asked == "fifo";
    if !(fifo || asked == "nice" || asked == "1" || asked == "fifo") {
        return None;
    }
    // SAFETY: `cpu_set_t` is plain data, valid zeroed; CPU_SET writes within it (cpu < its
    // size); the calls read the structures passed, which live across them.
    let done = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        let pinned = libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0;
        let raised = if fifo {
            let param = libc::sched_param { sched_priority: 10 };
            libc::sched_setscheduler(0, libc::SCHED_FIFO, &param) == 0
        } else {
            let param = libc::sched_param { sched_priority: 0 };
            libc::sched_setscheduler(0, libc::SCHED_OTHER, &param) == 0
                && libc::setpriority(libc::PRIO_PROCESS, 0, -20) == 0
        };
        pinned && raised
    };
    done.then_some(if fifo { "SCHED_FIFO" } else { "nice -20" })
}

/// Back to `SCHED_OTHER` at nice -20 after the futex rows (see [`prioritize`]).
fn deprioritize() {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: reads `param` for the call; changes only this process's policy.
    unsafe { libc::sched_setscheduler(0, libc::SCHED_OTHER, &param) };
}

/// How close to a record's due time the paced writer stops sleeping and spins.
const SPIN_NS: u64 = 5_000;

/// Sleeps until `CLOCK_MONOTONIC` reads `at` nanoseconds (or a signal).
fn sleep_until(at: u64) {
    let ts = libc::timespec {
        tv_sec: (at / 1_000_000_000) as libc::time_t,
        tv_nsec: (at % 1_000_000_000) as libc::c_long,
    };
    // SAFETY: `ts` is a valid `timespec` read for the call; no remainder is asked for (null),
    // which an absolute sleep does not use.
    unsafe {
        libc::clock_nanosleep(
            libc::CLOCK_MONOTONIC,
            libc::TIMER_ABSTIME,
            &ts,
            std::ptr::null_mut(),
        )
    };
}

/// The writer: creates and reserves the file, waits for the reader's go, then pushes `count`
/// stamped records, `rate` per second (0: flat out).
fn writer(path: &Path, rate: u64, count: usize) {
    prioritize(0);
    let mut log = MappedVec::<Message>::open_or_create(path).expect("open writer");
    log.reserve(count).expect("reserve");
    let go = path.with_extension("go");
    let start = Instant::now();
    while !go.exists() {
        assert!(start.elapsed() < PATIENCE, "no go from the reader");
        std::thread::sleep(Duration::from_millis(1));
    }
    // Sleeps end within a few microseconds of when they are asked to (the default slack is
    // 50 µs), so that a paced writer sleeps between records instead of spinning a core away
    // from the reader.
    // SAFETY: `PR_SET_TIMERSLACK` takes a plain integer and changes only this thread's slack.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1, 0, 0, 0) };
    let begin = now_ns();
    for seq in 0..count as u64 {
        if let Some(offset) = (seq * 1_000_000_000).checked_div(rate) {
            let due = begin + offset;
            loop {
                let now = now_ns();
                if now >= due {
                    break;
                }
                if due - now > SPIN_NS {
                    sleep_until(due - SPIN_NS);
                } else {
                    std::hint::spin_loop();
                }
            }
        }
        let stamp = now_ns();
        log.push(Message {
            stamp,
            seq,
            payload: [seq; 3],
        })
        .expect("push");
    }
    // How many pushes made the system call that wakes a sleeping reader.
    std::fs::write(path.with_extension("wakes"), log.wake_count().to_string()).expect("wakes");
}

#[derive(Clone, Copy, PartialEq)]
#[repr(u8)]
enum Wait {
    Futex,
    BusyPoll,
}

struct Row {
    wait: &'static str,
    rate: String,
    records: usize,
    achieved: f64,
    /// p50, p99, p99.9, max, in microseconds.
    figures: [f64; 4],
    /// The writer's `FUTEX_WAKE` calls.
    wakes: usize,
}

fn spawn_writer(path: &Path, rate: u64, count: usize) -> Child {
    Command::new(std::env::current_exe().expect("current exe"))
        .env(ROLE, "writer")
        .env(FILE, path)
        .env(RATE, rate.to_string())
        .env(COUNT, count.to_string())
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn the writer")
}

fn run(dir: &Path, wait: Wait, rate: u64, count: usize) -> Row {
    let path = dir.join(format!("latency-{rate}-{}.bin", wait as u8));
    let mut child = spawn_writer(&path, rate, count);
    let start = Instant::now();
    let mut reader = loop {
        if let Ok(reader) = MappedVec::<Message>::open_read_only(&path) {
            if reader.capacity() >= count {
                break reader;
            }
        }
        assert!(start.elapsed() < PATIENCE, "the writer never made its file");
        std::thread::sleep(Duration::from_millis(1));
    };
    let mut latencies = Vec::with_capacity(count);
    std::fs::write(path.with_extension("go"), b"").expect("go");
    let mut seen = 0;
    let (mut first, mut last) = (0, 0);
    while seen < count {
        let len = match wait {
            Wait::Futex => reader
                .wait_len(seen + 1, Duration::from_secs(1))
                .expect("wait_len"),
            Wait::BusyPoll => loop {
                let len = reader.refresh().expect("refresh");
                if len > seen {
                    break len;
                }
                std::hint::spin_loop();
            },
        };
        let now = now_ns();
        if len == seen {
            assert!(
                child.try_wait().expect("try_wait").is_none() && start.elapsed() < PATIENCE,
                "the writer stopped at {seen} of {count}"
            );
            continue;
        }
        for index in seen..len {
            let stamp = reader.get(index).expect("counted").stamp();
            latencies.push(now.saturating_sub(stamp));
            if index == 0 {
                first = stamp;
            }
            last = stamp;
        }
        seen = len;
    }
    let status = child.wait().expect("reap the writer");
    assert!(status.success(), "writer: {status}");
    let wakes = std::fs::read_to_string(path.with_extension("wakes"))
        .expect("the writer's wake count")
        .parse()
        .expect("a count");
    latencies.sort_unstable();
    let at = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize] as f64 / 1e3;
    Row {
        wait: match wait {
            Wait::Futex => "futex (`wait_len`)",
            Wait::BusyPoll => "busy-poll (`refresh`)",
        },
        rate: if rate == 0 {
            "flat out".to_string()
        } else {
            format!("{}k/s", rate / 1000)
        },
        records: count,
        achieved: count as f64 / ((last - first).max(1) as f64 / 1e9),
        figures: [at(0.50), at(0.99), at(0.999), at(1.0)],
        wakes,
    }
}

fn main() {
    if std::env::var(ROLE).is_ok() {
        let path = std::env::var_os(FILE).expect("LATENCY_FILE");
        let rate = std::env::var(RATE).expect("LATENCY_RATE").parse().unwrap();
        let count = std::env::var(COUNT)
            .expect("LATENCY_COUNT")
            .parse()
            .unwrap();
        writer(Path::new(&path), rate, count);
        return;
    }
    let millis = support::env_usize("LATENCY_MILLIS", 2000) as u64;
    let flat = support::env_usize("LATENCY_FLAT", 1_000_000);
    let dir = support::scratch_dir();
    println!(
        "latency: 40-byte records, writer and reader in two processes, files in {}",
        dir.path().display()
    );
    println!(
        "| wait | rate | records | achieved rate | p50 µs | p99 µs | p99.9 µs | max µs | writer's wakes |\n|---|---|---:|---:|---:|---:|---:|---:|---:|"
    );
    let mut rows = Vec::new();
    let only = std::env::var("LATENCY_ONLY").unwrap_or_default();
    for wait in [Wait::Futex, Wait::BusyPoll] {
        if (only == "futex" && wait != Wait::Futex) || (only == "busy" && wait != Wait::BusyPoll) {
            continue;
        }
        let how = prioritize(1);
        match how {
            Some(how) => println!("{how}: reader pinned to CPU 1, writer to CPU 0"),
            None => deprioritize(),
        }
        for rate in [10_000u64, 100_000, 0] {
            if how == Some("SCHED_FIFO") {
                // A fresh period of the real-time throttling for every run (see `prioritize`).
                std::thread::sleep(Duration::from_secs(1));
            }
            let count = if rate == 0 {
                flat
            } else {
                (rate * millis / 1000) as usize
            };
            let row = run(dir.path(), wait, rate, count);
            let [p50, p99, p999, max] = row.figures;
            println!(
                "| {} | {} | {} | {:.0}/s | {p50:.1} | {p99:.1} | {p999:.1} | {max:.0} | {} |",
                row.wait, row.rate, row.records, row.achieved, row.wakes
            );
            rows.push((wait, row));
        }
    }
    println!(
        "\ngoals (p99, this machine): futex ≤ 50 µs, busy-poll ≤ 10 µs (Chronicle Queue's anchor)"
    );
    for (wait, row) in &rows {
        let goal = if *wait == Wait::Futex { 50.0 } else { 10.0 };
        let p99 = row.figures[1];
        let verdict = if p99 <= goal { "met" } else { "missed" };
        println!("  {} at {}: p99 {p99:.1} µs: {verdict}", row.wait, row.rate);
    }
}
