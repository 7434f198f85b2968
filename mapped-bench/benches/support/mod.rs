//! Shared by the benchmark programs: the record type, its data file, the index generator, the
//! knobs read from the environment, and the measurement loop that interleaves contenders.
#![allow(dead_code)]

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mapped::Mapped;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// One 64-byte record: the unit of every record workload. `value` (offset 16) is the field the
/// random and sequential workloads read and write.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Immutable, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
#[mapped(size = 64, align = 8)]
pub struct Record {
    pub id: u64,
    pub key: u64,
    #[mapped(offset = 16)]
    pub value: u64,
    pub flags: u32,
    pub kind: u32,
    pub payload: [u8; 32],
}

// binary-layout's description of `Record`, for the binary-layout contenders.
binary_layout::binary_layout!(record_layout, LittleEndian, {
    id: u64,
    key: u64,
    value: u64,
    flags: u32,
    kind: u32,
    payload: [u8; 32],
});

pub const RECORD_SIZE: usize = std::mem::size_of::<Record>();
pub const VALUE_OFFSET: usize = std::mem::offset_of!(Record, value);

/// The record `i` of every data file.
#[inline(always)]
pub fn record(i: u64) -> Record {
    Record {
        id: i,
        key: i.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        value: i ^ 0x5555,
        flags: i as u32,
        kind: 1,
        payload: [i as u8; 32],
    }
}

/// A `usize` from the environment, accepting `_` separators and `k`/`M`/`G` suffixes
/// (powers of two: `16M` is 16 * 2^20).
pub fn env_usize(name: &str, default: usize) -> usize {
    let Ok(text) = std::env::var(name) else {
        return default;
    };
    parse_size(&text).unwrap_or_else(|| panic!("{name}={text:?} is not a count"))
}

fn parse_size(text: &str) -> Option<usize> {
    let text = text.trim().replace('_', "");
    let (digits, scale) = match text.chars().last()? {
        'k' | 'K' => (&text[..text.len() - 1], 1 << 10),
        'm' | 'M' => (&text[..text.len() - 1], 1 << 20),
        'g' | 'G' => (&text[..text.len() - 1], 1 << 30),
        _ => (&text[..], 1),
    };
    digits.parse::<usize>().ok()?.checked_mul(scale)
}

/// The directory the big files go in: `$BENCH_DIR`, else the system temp dir. A fresh
/// subdirectory is made in it and removed (with everything in it) when the guard drops.
pub fn scratch_dir() -> tempfile::TempDir {
    let base = std::env::var_os("BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    tempfile::Builder::new()
        .prefix("mapped-bench-")
        .tempdir_in(&base)
        .unwrap_or_else(|e| panic!("cannot make a scratch dir in {}: {e}", base.display()))
}

/// Writes records `0..n` to a new file at `path`, followed by zeros up to `len_records`
/// records (a sparse tail, so fixed-size contenders can map the same file).
pub fn write_records(path: &Path, n: usize, len_records: usize) {
    let file = File::create(path).expect("create data file");
    let mut out = BufWriter::with_capacity(1 << 20, &file);
    for i in 0..n as u64 {
        out.write_all(record(i).as_bytes())
            .expect("write data file");
    }
    out.flush().expect("write data file");
    drop(out);
    file.set_len((len_records.max(n) * RECORD_SIZE) as u64)
        .expect("size data file");
}

/// wyrand: a fast, statistically decent generator; every contender replays the same sequence.
#[derive(Clone)]
pub struct Rng(u64);

pub const SEED: u64 = 0x6D61_7070_6564;

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0xA076_1D64_78BD_642F);
        let t = u128::from(self.0).wrapping_mul(u128::from(self.0 ^ 0xE703_7ED1_A0B4_28DB));
        ((t >> 64) as u64) ^ (t as u64)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift, no division).
    #[inline(always)]
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// Median of a non-empty sample.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

/// A check run after a timed run, off the clock: given the run's salt and result, it verifies the
/// work was done (and may clean up, e.g. remove the file the run made).
pub type Check<'a> = Box<dyn FnMut(u64, u64) + 'a>;

/// One way of doing a workload. `run(salt)` does `ops` operations and returns a checksum; `check`
/// then verifies it off the clock, so a contender that skipped its work is caught. `salt` differs
/// in every run, so writes of a previous run cannot pass for this one's.
pub struct Contender<'a> {
    pub name: String,
    pub ops: u64,
    pub run: Box<dyn FnMut(u64) -> u64 + 'a>,
    pub check: Check<'a>,
}

impl<'a> Contender<'a> {
    pub fn new(name: impl Into<String>, ops: u64, run: impl FnMut(u64) -> u64 + 'a) -> Self {
        Contender {
            name: name.into(),
            ops,
            run: Box::new(run),
            check: Box::new(|_, _| {}),
        }
    }

    /// Replaces the check.
    pub fn check(mut self, check: impl FnMut(u64, u64) + 'a) -> Self {
        self.check = Box::new(check);
        self
    }

    /// Checks that every run returns `want`.
    pub fn expect(self, want: u64) -> Self {
        let name = self.name.clone();
        self.check(move |_, got| {
            assert_eq!(got, want, "{name}: checksum {got:#x}, expected {want:#x}")
        })
    }
}

/// What one contender measured over all repetitions.
pub struct Measured {
    pub name: String,
    /// Nanoseconds per operation, one per repetition.
    pub ns_per_op: Vec<f64>,
}

impl Measured {
    pub fn median(&self) -> f64 {
        median(&self.ns_per_op)
    }
}

/// Runs every contender `reps` times, interleaved: repetition `r` runs them all, starting at
/// contender `r % len` so none always runs first (after a page-cache shuffle) or last. Each run
/// is checked, off the clock, before its time counts.
pub fn interleave(contenders: &mut [Contender<'_>], reps: usize) -> Vec<Measured> {
    let mut measured: Vec<Measured> = contenders
        .iter()
        .map(|c| Measured {
            name: c.name.clone(),
            ns_per_op: Vec::with_capacity(reps),
        })
        .collect();
    let n = contenders.len();
    for rep in 0..reps {
        for k in 0..n {
            let index = (rep + k) % n;
            let contender = &mut contenders[index];
            let salt = (rep * n + index) as u64 + 1;
            let start = Instant::now();
            let got = (contender.run)(salt);
            let elapsed = start.elapsed();
            (contender.check)(salt, got);
            measured[index]
                .ns_per_op
                .push(elapsed.as_nanos() as f64 / contender.ops as f64);
        }
    }
    measured
}

/// Median over repetitions of `a`'s time divided by `b`'s time in the same repetition: paired, so
/// a slow spell of the machine that hits both cancels out.
pub fn paired_ratio(a: &Measured, b: &Measured) -> f64 {
    let ratios: Vec<f64> = a
        .ns_per_op
        .iter()
        .zip(&b.ns_per_op)
        .map(|(x, y)| x / y)
        .collect();
    median(&ratios)
}

/// Formats nanoseconds with a sensible unit.
pub fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.2} ns")
    }
}

/// Touches one byte per page so every page is in the page cache and mapped in this process's page
/// tables before anything is timed ("warm page cache").
pub fn prefault(ptr: *const u8, len: usize) -> u64 {
    let mut sum = 0u64;
    let mut offset = 0;
    while offset < len {
        // SAFETY: the callers pass the start and length of one live mapping; `offset < len`.
        sum = sum.wrapping_add(u64::from(unsafe { ptr.add(offset).read_volatile() }));
        offset += 4096;
    }
    sum
}

/// Time a closure once.
pub fn time<R>(f: impl FnOnce() -> R) -> (R, Duration) {
    let start = Instant::now();
    let r = f();
    (r, start.elapsed())
}
