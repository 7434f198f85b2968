//! `cargo bench -p mapped-bench --bench compare`: every contender on the same data, in one
//! process, interleaved, several repetitions; prints medians and paired ratios to the baseline,
//! and checks each goal of the performance issue.
//!
//! Knobs (environment variables; counts accept `k`/`M`/`G` suffixes, powers of two):
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `BENCH_RECORDS` | `16M` | 64-byte records in the data file (16M = 1 GiB) |
//! | `BENCH_OPS` | `10M` | random reads / writes per run |
//! | `BENCH_SYSCALL_OPS` | `BENCH_OPS / 10` | random `pread` / `pwrite` per run (times are per op) |
//! | `BENCH_APPEND` | `16M` | records appended per append run |
//! | `BENCH_CREATE` | `2000` | files created (and opened) per create / open run |
//! | `BENCH_FLUSH` | `100` | dirty-page flushes per flush run |
//! | `BENCH_PROTECT` | `20000` | read-only + writable round trips per protect run |
//! | `BENCH_REPS` | `5` | repetitions of every contender of the record workloads |
//! | `BENCH_SMALL_REPS` | `11` | repetitions of the create / open / flush / protect workloads |
//! | `BENCH_ONLY` | all | comma-separated subset of `read,scan,write,append,create,open,flush,protect` |
//! | `BENCH_DIR` | system temp dir | where the scratch directory (removed at exit) is made |
//!
//! One module per workload; each describes its contenders as a table of rows (a name and a
//! closure), built by a small helper that holds the loop the rows share.

use std::path::Path;

use support::{env_usize, scratch_dir, RECORD_SIZE};

#[path = "../support/mod.rs"]
mod support;

mod page;
mod records;
mod report;

mod append;
mod create;
mod flush;
mod open;
mod protect;
mod read;
mod scan;
mod write;

use records::{Records, TABLE_RECORDS};
use report::Verdict;

/// The knobs, read once from the environment (see the table above).
pub struct Config {
    pub records: usize,
    pub ops: usize,
    pub syscall_ops: usize,
    pub append: usize,
    pub create: usize,
    pub flush: usize,
    pub protect: usize,
    pub reps: usize,
    pub small_reps: usize,
    only: Option<Vec<String>>,
}

impl Config {
    fn from_env() -> Self {
        let ops = env_usize("BENCH_OPS", 10 << 20);
        Config {
            records: env_usize("BENCH_RECORDS", TABLE_RECORDS),
            ops,
            syscall_ops: env_usize("BENCH_SYSCALL_OPS", (ops / 10).max(1)),
            append: env_usize("BENCH_APPEND", 16 << 20),
            create: env_usize("BENCH_CREATE", 2000),
            flush: env_usize("BENCH_FLUSH", 100),
            protect: env_usize("BENCH_PROTECT", 20000),
            reps: env_usize("BENCH_REPS", 5).max(1),
            small_reps: env_usize("BENCH_SMALL_REPS", 11).max(1),
            only: std::env::var("BENCH_ONLY")
                .ok()
                .map(|s| s.split(',').map(|w| w.trim().to_string()).collect()),
        }
    }

    fn wants(&self, workload: &str) -> bool {
        self.only
            .as_ref()
            .map_or(true, |only| only.iter().any(|w| w == workload))
    }
}

/// A workload over the shared file of records.
type RecordWorkload = fn(&Config, &mut Records, &mut Vec<Verdict>);

/// A workload that makes its own files in the scratch dir.
type FileWorkload = fn(&Config, &Path, &mut Vec<Verdict>);

/// The record workloads by their `BENCH_ONLY` names, in the order they run: they share one data
/// file and its mappings, made (and prefaulted) once if any of them is wanted.
const RECORD_WORKLOADS: [(&str, RecordWorkload); 3] = [
    ("read", read::run),
    ("scan", scan::run),
    ("write", write::run),
];

/// The file workloads by their `BENCH_ONLY` names, in the order they run.
const FILE_WORKLOADS: [(&str, FileWorkload); 5] = [
    ("append", append::run),
    ("create", create::run),
    ("open", open::run),
    ("flush", flush::run),
    ("protect", protect::run),
];

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported (use BENCH_ONLY).
    let cfg = Config::from_env();
    let dir = scratch_dir();
    println!(
        "compare: {} records ({} MiB), {} random ops ({} syscall ops), {} appends, {} reps, in {}",
        cfg.records,
        (cfg.records * RECORD_SIZE) >> 20,
        cfg.ops,
        cfg.syscall_ops,
        cfg.append,
        cfg.reps,
        dir.path().display()
    );
    let mut verdicts = Vec::new();

    if RECORD_WORKLOADS.iter().any(|(name, _)| cfg.wants(name)) {
        let mut records = Records::new(&cfg, dir.path());
        for (name, run) in RECORD_WORKLOADS {
            if cfg.wants(name) {
                run(&cfg, &mut records, &mut verdicts);
            }
        }
    }
    for (name, run) in FILE_WORKLOADS {
        if cfg.wants(name) {
            run(&cfg, dir.path(), &mut verdicts);
        }
    }

    report::goals(&verdicts);
}
