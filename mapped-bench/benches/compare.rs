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

use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::ptr;

use mapped::{Mapped, MappedSlice, MappedVec};
use memmap2::MmapMut;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[path = "support/mod.rs"]
mod support;

use support::record_layout;

use support::{
    env_usize, fmt_ns, interleave, paired_ratio, prefault, record, scratch_dir, write_records,
    Contender, Measured, Record, Rng, RECORD_SIZE, SEED, VALUE_OFFSET,
};

/// Records in the fixed-size struct contenders: 16M, so the struct is exactly 1 GiB.
const TABLE_RECORDS: usize = 1 << 24;

/// `mapped`'s struct handle over the whole file: one array field of 16M records.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Table {
    records: [Record; TABLE_RECORDS],
}

/// memmap3's equivalent: `MmapStruct<Table3>` (memmap3 puts an 8-byte magic in front).
#[memmap3::mmap_struct]
struct Table3 {
    records: [Record; TABLE_RECORDS],
}

/// A 4 KiB struct: one page, for the create / flush / protect workloads.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Page {
    counter: u64,
    words: [u64; 511],
}

const PAGE: usize = std::mem::size_of::<Page>();

/// memmap3's 4 KiB struct.
#[memmap3::mmap_struct]
struct Page3 {
    counter: u64,
    words: [u64; 511],
}

/// Name prefixes of the `mapped` contenders, for the goals.
const HANDLE: &str = "mapped: struct handle";
const SLICE: &str = "mapped: MappedSlice";
const VEC: &str = "mapped: MappedVec";

struct Config {
    records: usize,
    ops: usize,
    syscall_ops: usize,
    append: usize,
    create: usize,
    flush: usize,
    protect: usize,
    reps: usize,
    small_reps: usize,
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

/// A goal from the issue: `a`'s time over `b`'s must be at most `max` (`a`, `b` are contender
/// name prefixes). `inverse` prints it as "b is N x slower than a".
struct Goal {
    text: &'static str,
    a: &'static str,
    b: &'static str,
    max: f64,
    inverse: bool,
}

const fn goal(text: &'static str, a: &'static str, b: &'static str, max: f64) -> Goal {
    Goal {
        text,
        a,
        b,
        max,
        inverse: false,
    }
}

const fn faster(text: &'static str, a: &'static str, b: &'static str, times: f64) -> Goal {
    Goal {
        text,
        a,
        b,
        max: 1.0 / times,
        inverse: true,
    }
}

/// A line of the closing summary.
struct Verdict {
    workload: String,
    goal: String,
    measured: String,
    met: bool,
}

fn find<'m>(measured: &'m [Measured], prefix: &str) -> Option<&'m Measured> {
    measured.iter().find(|m| m.name.starts_with(prefix))
}

/// Prints one workload's table (medians and paired ratios to the first contender, the baseline)
/// and evaluates its goals.
fn report(
    title: &str,
    short: &str,
    measured: &[Measured],
    goals: &[Goal],
    verdicts: &mut Vec<Verdict>,
) {
    let base = &measured[0];
    let cell = |s: &str| s.replace('|', "\\|");
    println!("\n### {title}\n");
    println!(
        "| contender | median / op | fastest–slowest run | ratio to {} |",
        cell(&base.name)
    );
    println!("|---|---:|---:|---:|");
    for m in measured {
        let fastest = m.ns_per_op.iter().copied().fold(f64::INFINITY, f64::min);
        let slowest = m.ns_per_op.iter().copied().fold(0.0, f64::max);
        println!(
            "| {} | {} | {}–{} | {:.2}x |",
            cell(&m.name),
            fmt_ns(m.median()),
            fmt_ns(fastest),
            fmt_ns(slowest),
            paired_ratio(m, base)
        );
    }
    for g in goals {
        let (Some(a), Some(b)) = (find(measured, g.a), find(measured, g.b)) else {
            continue;
        };
        let ratio = paired_ratio(a, b);
        let met = ratio <= g.max;
        let measured = if g.inverse {
            format!("{:.1}x", 1.0 / ratio)
        } else {
            format!("{ratio:.3}x")
        };
        println!(
            "goal: {}: {measured} -> {}",
            g.text,
            if met { "met" } else { "MISSED" }
        );
        verdicts.push(Verdict {
            workload: short.to_string(),
            goal: g.text.to_string(),
            measured,
            met,
        });
    }
}

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

    if cfg.wants("read") || cfg.wants("scan") || cfg.wants("write") {
        record_workloads(&cfg, dir.path(), &mut verdicts);
    }
    if cfg.wants("append") {
        append(&cfg, dir.path(), &mut verdicts);
    }
    if cfg.wants("create") {
        create(&cfg, dir.path(), &mut verdicts);
    }
    if cfg.wants("open") {
        open(&cfg, dir.path(), &mut verdicts);
    }
    if cfg.wants("flush") {
        flush(&cfg, dir.path(), &mut verdicts);
    }
    if cfg.wants("protect") {
        protect(&cfg, dir.path(), &mut verdicts);
    }

    println!("\n### Goals\n");
    println!("| workload | goal | measured | verdict |");
    println!("|---|---|---:|---|");
    for v in &verdicts {
        println!(
            "| {} | {} | {} | {} |",
            v.workload,
            v.goal,
            v.measured,
            if v.met { "met" } else { "**missed**" }
        );
    }
    let missed = verdicts.iter().filter(|v| !v.met).count();
    println!("\n{} goals met, {missed} missed", verdicts.len() - missed);
}

/// The name of the control rows.
const CONTROL: &str = "control: the raw pointer again, over a second mapping";

/// The baseline of the random reads: `ops` volatile reads of `value` at random indices below `n`.
#[inline(never)]
fn raw_random_reads(raw: *const Record, n: usize, ops: usize) -> u64 {
    let mut rng = Rng::new(SEED);
    let mut sum = 0u64;
    for _ in 0..ops {
        let i = rng.below(n);
        // SAFETY: `i < n`, and the callers' mapping holds at least `n` records.
        let v = unsafe { ptr::addr_of!((*raw.add(i)).value).read_volatile() };
        sum = sum.wrapping_add(v);
    }
    sum
}

/// The baseline of the random writes: writes `i ^ salt` at each index drawn, returns the value
/// read back at the last.
#[inline(never)]
fn raw_random_writes(raw: *mut Record, n: usize, ops: usize, salt: u64) -> u64 {
    let mut rng = Rng::new(SEED);
    let mut i = 0;
    for _ in 0..ops {
        i = rng.below(n);
        // SAFETY: `i < n`; the callers' mapping holds `n` records and is writable, and no
        // reference to it is live during the run.
        unsafe { ptr::addr_of_mut!((*raw.add(i)).value).write_volatile(i as u64 ^ salt) };
    }
    // SAFETY: as above.
    unsafe { ptr::addr_of!((*raw.add(i)).value).read_volatile() }
}

/// The baseline of the scan.
#[inline(never)]
fn raw_scan(raw: *const Record, n: usize) -> u64 {
    let mut sum = 0u64;
    for i in 0..n {
        // SAFETY: `i < n`, and the callers' mapping holds at least `n` records.
        let v = unsafe { ptr::addr_of!((*raw.add(i)).value).read_volatile() };
        sum = sum.wrapping_add(v);
    }
    sum
}

/// The expected checksum of `ops` random reads: the sum of the `value` fields they visit.
fn random_read_sum(records: usize, ops: usize) -> u64 {
    let mut rng = Rng::new(SEED);
    (0..ops).fold(0u64, |sum, _| {
        sum.wrapping_add(record(rng.below(records) as u64).value)
    })
}

/// The index the last of `ops` random writes lands on.
fn last_write_index(records: usize, ops: usize) -> u64 {
    let mut rng = Rng::new(SEED);
    (0..ops).fold(0, |_, _| rng.below(records) as u64)
}

/// Random reads, the sequential scan and random writes over one 1 GiB file of records.
fn record_workloads(cfg: &Config, dir: &Path, verdicts: &mut Vec<Verdict>) {
    let n = cfg.records;
    assert!(
        n <= TABLE_RECORDS,
        "BENCH_RECORDS is at most {TABLE_RECORDS}"
    );
    let path = dir.join("records.bin");
    let (_, took) = support::time(|| write_records(&path, n, TABLE_RECORDS));
    println!("wrote {} in {took:.2?}", path.display());
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .expect("open data file");
    // SAFETY: the file is private to this process's scratch dir and is not truncated while mapped.
    let mut raw_map = unsafe { MmapMut::map_mut(&file) }.expect("mmap data file");
    // A second raw mapping of the same file, for the control rows: same code as the baseline,
    // another mapping. How far it lands from 1.00x is the noise between two mappings.
    // SAFETY: as for `raw_map`.
    let control_map = unsafe { MmapMut::map_mut(&file) }.expect("mmap data file");
    let table = Table::open(&path).expect("mapped: open table");

    // memmap3 keeps its own file (it writes a magic header in front); same records.
    let path3 = dir.join("memmap3.bin");
    let (mut table3, took) = support::time(|| {
        let mut table3 = memmap3::MmapStruct::<Table3>::create(&path3).expect("memmap3: create");
        let records = <[Record]>::ref_from_bytes(&raw_map[..n * RECORD_SIZE]).expect("cast");
        table3.records[..n].copy_from_slice(records);
        table3
    });
    println!("filled {} in {took:.2?}", path3.display());

    // MappedSlice maps the same file; MappedVec has its own (a 64-byte header, then records).
    let slice = MappedSlice::<Record>::open(&path).expect("mapped: open slice");
    let vec_path = dir.join("mappedvec.bin");
    let (vec, took) = support::time(|| {
        let mut vec = MappedVec::<Record>::open_or_create(&vec_path).expect("mapped: vec");
        let records = <[Record]>::ref_from_bytes(&raw_map[..n * RECORD_SIZE]).expect("cast");
        vec.extend_from_slice(records).expect("mapped: extend vec");
        vec
    });
    println!("filled {} in {took:.2?}", vec_path.display());
    let per_page = 4096 / RECORD_SIZE;
    let touched: u64 = (0..slice.len())
        .step_by(per_page)
        .map(|i| slice.get(i).unwrap().value())
        .chain(
            (0..vec.len())
                .step_by(per_page)
                .map(|i| vec.get(i).unwrap().value()),
        )
        .fold(0, u64::wrapping_add);
    std::hint::black_box(touched);

    let len = TABLE_RECORDS * RECORD_SIZE;
    prefault(raw_map.as_ptr(), len);
    prefault(control_map.as_ptr(), len);
    prefault(mapped::Handle::as_ptr(&table).cast(), len);
    prefault(ptr::from_ref(&*table3).cast(), len);

    if cfg.wants("read") {
        let ops = cfg.ops;
        let sys_ops = cfg.syscall_ops;
        let want = random_read_sum(n, ops);
        let raw = raw_map.as_ptr().cast::<Record>();
        let control = control_map.as_ptr().cast::<Record>();
        let bytes: &[u8] = &raw_map;
        let (table, table3, file, slice, vec) = (&table, &table3, &file, &slice, &vec);
        let mut contenders = vec![
            Contender::new(
                "raw pointer (memmap2 + read_volatile)",
                ops as u64,
                move |_| raw_random_reads(raw, n, ops),
            )
            .expect(want),
            Contender::new(CONTROL, ops as u64, move |_| {
                raw_random_reads(control, n, ops)
            })
            .expect(want),
            Contender::new(
                "mapped: struct handle, `records_at(i)`",
                ops as u64,
                move |_| {
                    let mut rng = Rng::new(SEED);
                    let mut sum = 0u64;
                    for _ in 0..ops {
                        let i = rng.below(n);
                        sum = sum.wrapping_add(table.records_at(i).unwrap().value());
                    }
                    sum
                },
            )
            .expect(want),
            Contender::new("mapped: MappedSlice, `get(i)`", ops as u64, move |_| {
                let mut rng = Rng::new(SEED);
                let mut sum = 0u64;
                for _ in 0..ops {
                    let i = rng.below(n);
                    sum = sum.wrapping_add(slice.get(i).unwrap().value());
                }
                sum
            })
            .expect(want),
            Contender::new("mapped: MappedVec, `get(i)`", ops as u64, move |_| {
                let mut rng = Rng::new(SEED);
                let mut sum = 0u64;
                for _ in 0..ops {
                    let i = rng.below(n);
                    sum = sum.wrapping_add(vec.get(i).unwrap().value());
                }
                sum
            })
            .expect(want),
            Contender::new(
                "memmap2 + zerocopy `ref_from_bytes` per access",
                ops as u64,
                move |_| {
                    let mut rng = Rng::new(SEED);
                    let mut sum = 0u64;
                    for _ in 0..ops {
                        let at = rng.below(n) * RECORD_SIZE;
                        let r = Record::ref_from_bytes(&bytes[at..at + RECORD_SIZE]).unwrap();
                        sum = sum.wrapping_add(r.value);
                    }
                    sum
                },
            )
            .expect(want),
            Contender::new(
                "memmap3 `MmapStruct` over `[Record; 16M]`",
                ops as u64,
                move |_| {
                    let mut rng = Rng::new(SEED);
                    let mut sum = 0u64;
                    for _ in 0..ops {
                        let i = rng.below(n);
                        sum = sum.wrapping_add(table3.records[i].value);
                    }
                    sum
                },
            )
            .expect(want),
            Contender::new("binary-layout `View` over memmap2", ops as u64, move |_| {
                let mut rng = Rng::new(SEED);
                let mut sum = 0u64;
                for _ in 0..ops {
                    let at = rng.below(n) * RECORD_SIZE;
                    let view = record_layout::View::new(&bytes[at..at + RECORD_SIZE]);
                    sum = sum.wrapping_add(view.value().read());
                }
                sum
            })
            .expect(want),
            Contender::new(
                "pread 8 bytes (`read_exact_at`)",
                sys_ops as u64,
                move |_| {
                    let mut rng = Rng::new(SEED);
                    let mut sum = 0u64;
                    let mut buf = [0u8; 8];
                    for _ in 0..sys_ops {
                        let at = rng.below(n) * RECORD_SIZE + VALUE_OFFSET;
                        file.read_exact_at(&mut buf, at as u64).expect("pread");
                        sum = sum.wrapping_add(u64::from_ne_bytes(buf));
                    }
                    sum
                },
            )
            .expect(random_read_sum(n, sys_ops)),
        ];
        let measured = interleave(&mut contenders, cfg.reps);
        report(
            &format!(
                "Random reads: {ops} u64 field reads at random indices of {n} 64-byte records \
                 ({} MiB, warm page cache)",
                (n * RECORD_SIZE) >> 20
            ),
            "random reads",
            &measured,
            &[
                goal("struct handle ≤ 1.10x raw pointer", HANDLE, "raw", 1.10),
                goal("MappedSlice ≤ 1.10x raw pointer", SLICE, "raw", 1.10),
                goal("MappedVec ≤ 1.10x raw pointer", VEC, "raw", 1.10),
                goal("struct handle ≤ memmap2+zerocopy", HANDLE, "memmap2 +", 1.0),
                goal("MappedSlice ≤ memmap2+zerocopy", SLICE, "memmap2 +", 1.0),
                goal("MappedVec ≤ memmap2+zerocopy", VEC, "memmap2 +", 1.0),
                goal("struct handle ≤ memmap3", HANDLE, "memmap3", 1.0),
                goal("MappedSlice ≤ memmap3", SLICE, "memmap3", 1.0),
                goal("MappedVec ≤ memmap3", VEC, "memmap3", 1.0),
                faster(
                    "pread ≥ 40x slower than struct handle",
                    HANDLE,
                    "pread",
                    40.0,
                ),
                faster("pread ≥ 40x slower than MappedSlice", SLICE, "pread", 40.0),
                faster("pread ≥ 40x slower than MappedVec", VEC, "pread", 40.0),
            ],
            verdicts,
        );
    }

    if cfg.wants("scan") {
        let want: u64 = (0..n as u64).fold(0, |s, i| s.wrapping_add(record(i).value));
        let raw = raw_map.as_ptr().cast::<Record>();
        let control = control_map.as_ptr().cast::<Record>();
        let bytes: &[u8] = &raw_map;
        let (table, table3, file, slice, vec) = (&table, &table3, &file, &slice, &vec);
        let mut contenders = vec![
            Contender::new("raw pointer loop (read_volatile)", n as u64, move |_| {
                raw_scan(raw, n)
            }),
            Contender::new(CONTROL, n as u64, move |_| raw_scan(control, n)),
            Contender::new(
                "mapped: struct handle, `records_at(i)`",
                n as u64,
                move |_| {
                    let mut sum = 0u64;
                    for i in 0..n {
                        sum = sum.wrapping_add(table.records_at(i).unwrap().value());
                    }
                    sum
                },
            ),
            Contender::new("mapped: MappedSlice, `iter()`", n as u64, move |_| {
                slice
                    .iter()
                    .take(n)
                    .fold(0u64, |s, r| s.wrapping_add(r.value()))
            }),
            Contender::new("mapped: MappedVec, `iter()`", n as u64, move |_| {
                vec.iter().fold(0u64, |s, r| s.wrapping_add(r.value()))
            }),
            Contender::new(
                "memmap2 + zerocopy `<[Record]>::ref_from_bytes` once",
                n as u64,
                move |_| {
                    let records = <[Record]>::ref_from_bytes(&bytes[..n * RECORD_SIZE]).unwrap();
                    records.iter().fold(0u64, |s, r| s.wrapping_add(r.value))
                },
            ),
            Contender::new(
                "memmap3 `MmapStruct` over `[Record; 16M]`",
                n as u64,
                move |_| {
                    table3.records[..n]
                        .iter()
                        .fold(0u64, |s, r| s.wrapping_add(r.value))
                },
            ),
            Contender::new("binary-layout `View` per record", n as u64, move |_| {
                bytes[..n * RECORD_SIZE]
                    .chunks_exact(RECORD_SIZE)
                    .fold(0u64, |s, c| {
                        s.wrapping_add(record_layout::View::new(c).value().read())
                    })
            }),
            Contender::new("read 1 MiB chunks (`read_exact_at`)", n as u64, move |_| {
                let mut buf = vec![0u64; (1 << 20) / 8];
                let mut sum = 0u64;
                let total = n * RECORD_SIZE;
                let mut at = 0;
                while at < total {
                    let len = (total - at).min(1 << 20);
                    let chunk = &mut buf.as_mut_bytes()[..len];
                    file.read_exact_at(chunk, at as u64).expect("read");
                    let records = <[Record]>::ref_from_bytes(chunk).unwrap();
                    sum = records.iter().fold(sum, |s, r| s.wrapping_add(r.value));
                    at += len;
                }
                sum
            }),
        ];
        contenders = contenders.into_iter().map(|c| c.expect(want)).collect();
        let measured = interleave(&mut contenders, cfg.reps);
        report(
            &format!("Sequential scan: sum the `value` field of {n} records"),
            "sequential scan",
            &measured,
            &[
                goal(
                    "struct handle ≤ 1.10x raw pointer loop",
                    HANDLE,
                    "raw",
                    1.10,
                ),
                goal("MappedSlice ≤ 1.10x raw pointer loop", SLICE, "raw", 1.10),
                goal("MappedVec ≤ 1.10x raw pointer loop", VEC, "raw", 1.10),
            ],
            verdicts,
        );
    }

    if cfg.wants("write") {
        let ops = cfg.ops;
        let sys_ops = cfg.syscall_ops;
        let last = last_write_index(n, ops);
        let sys_last = last_write_index(n, sys_ops);
        // Every run writes `i ^ salt` at each index `i` it draws and returns what it reads back
        // at its last index; the check wants `last ^ salt`.
        let wants = |last: u64| move |salt: u64, got: u64| assert_eq!(got, last ^ salt);
        let raw = raw_map.as_mut_ptr().cast::<Record>();
        let control = control_map.as_ptr().cast_mut().cast::<Record>();
        // The zerocopy and binary-layout contenders need `&mut [u8]` over the same mapping that
        // the raw pointer writes through; runs never overlap, so each makes its slice for the
        // duration of its run only.
        let (bytes, len) = (raw_map.as_mut_ptr(), raw_map.len());
        let (table, table3, file, slice, vec) = (&table, &mut table3, &file, &slice, &vec);
        let mut contenders = vec![
            Contender::new(
                "raw pointer (memmap2 + write_volatile)",
                ops as u64,
                move |salt| raw_random_writes(raw, n, ops, salt),
            )
            .check(wants(last)),
            Contender::new(CONTROL, ops as u64, move |salt| {
                raw_random_writes(control, n, ops, salt)
            })
            .check(wants(last)),
            Contender::new(
                "mapped: struct handle, `records_mut().get_mut(i)`",
                ops as u64,
                move |salt| {
                    let mut rng = Rng::new(SEED);
                    let mut i = 0;
                    for _ in 0..ops {
                        i = rng.below(n);
                        table
                            .records_mut()
                            .get_mut(i)
                            .unwrap()
                            .set_value(i as u64 ^ salt);
                    }
                    table.records_at(i).unwrap().value()
                },
            )
            .check(wants(last)),
            Contender::new(
                "mapped: MappedSlice, `get_mut(i)`",
                ops as u64,
                move |salt| {
                    let mut rng = Rng::new(SEED);
                    let mut i = 0;
                    for _ in 0..ops {
                        i = rng.below(n);
                        slice.get_mut(i).unwrap().set_value(i as u64 ^ salt);
                    }
                    slice.get(i).unwrap().value()
                },
            )
            .check(wants(last)),
            Contender::new("mapped: MappedVec, `get_mut(i)`", ops as u64, move |salt| {
                let mut rng = Rng::new(SEED);
                let mut i = 0;
                for _ in 0..ops {
                    i = rng.below(n);
                    vec.get_mut(i).unwrap().set_value(i as u64 ^ salt);
                }
                vec.get(i).unwrap().value()
            })
            .check(wants(last)),
            Contender::new(
                "memmap2 + zerocopy `mut_from_bytes` per access",
                ops as u64,
                move |salt| {
                    // SAFETY: `bytes..bytes + len` is the live mapping `raw_map`; no reference to
                    // it exists while this run executes (runs are sequential).
                    let bytes = unsafe { std::slice::from_raw_parts_mut(bytes, len) };
                    let mut rng = Rng::new(SEED);
                    let mut i = 0;
                    for _ in 0..ops {
                        i = rng.below(n);
                        let at = i * RECORD_SIZE;
                        let r = Record::mut_from_bytes(&mut bytes[at..at + RECORD_SIZE]).unwrap();
                        r.value = i as u64 ^ salt;
                    }
                    Record::ref_from_bytes(&bytes[i * RECORD_SIZE..][..RECORD_SIZE])
                        .unwrap()
                        .value
                },
            )
            .check(wants(last)),
            Contender::new(
                "memmap3 `MmapStruct` over `[Record; 16M]`",
                ops as u64,
                move |salt| {
                    let mut rng = Rng::new(SEED);
                    let mut i = 0;
                    for _ in 0..ops {
                        i = rng.below(n);
                        table3.records[i].value = i as u64 ^ salt;
                    }
                    table3.records[i].value
                },
            )
            .check(wants(last)),
            Contender::new(
                "binary-layout `View` over memmap2",
                ops as u64,
                move |salt| {
                    // SAFETY: as for the zerocopy contender.
                    let bytes = unsafe { std::slice::from_raw_parts_mut(bytes, len) };
                    let mut rng = Rng::new(SEED);
                    let mut i = 0;
                    for _ in 0..ops {
                        i = rng.below(n);
                        let at = i * RECORD_SIZE;
                        let mut view = record_layout::View::new(&mut bytes[at..at + RECORD_SIZE]);
                        view.value_mut().write(i as u64 ^ salt);
                    }
                    record_layout::View::new(&bytes[i * RECORD_SIZE..][..RECORD_SIZE])
                        .value()
                        .read()
                },
            )
            .check(wants(last)),
            Contender::new(
                "pwrite 8 bytes (`write_all_at`)",
                sys_ops as u64,
                move |salt| {
                    let mut rng = Rng::new(SEED);
                    let mut i = 0;
                    for _ in 0..sys_ops {
                        i = rng.below(n);
                        let at = i * RECORD_SIZE + VALUE_OFFSET;
                        file.write_all_at(&(i as u64 ^ salt).to_ne_bytes(), at as u64)
                            .expect("pwrite");
                    }
                    let mut buf = [0u8; 8];
                    file.read_exact_at(&mut buf, (i * RECORD_SIZE + VALUE_OFFSET) as u64)
                        .expect("pread");
                    u64::from_ne_bytes(buf)
                },
            )
            .check(wants(sys_last)),
        ];
        let measured = interleave(&mut contenders, cfg.reps);
        report(
            &format!(
                "Random writes: {ops} u64 field writes at random indices of the same {n} records"
            ),
            "random writes",
            &measured,
            &[
                goal("struct handle ≤ 1.10x raw pointer", HANDLE, "raw", 1.10),
                goal("MappedSlice ≤ 1.10x raw pointer", SLICE, "raw", 1.10),
                goal("MappedVec ≤ 1.10x raw pointer", VEC, "raw", 1.10),
                faster(
                    "pwrite ≥ 10x slower than struct handle",
                    HANDLE,
                    "pwrite",
                    10.0,
                ),
                faster(
                    "pwrite ≥ 10x slower than MappedSlice",
                    SLICE,
                    "pwrite",
                    10.0,
                ),
                faster("pwrite ≥ 10x slower than MappedVec", VEC, "pwrite", 10.0),
            ],
            verdicts,
        );
    }
}

/// Appending records to a new file, which each run creates; the check (off the clock) reads the
/// last record back and removes the file.
fn append(cfg: &Config, dir: &Path, verdicts: &mut Vec<Verdict>) {
    let n = cfg.append;
    let source: Vec<Record> = (0..n as u64).map(record).collect();
    let file_for = |tag: &str, salt: u64| dir.join(format!("append-{tag}-{salt}.bin"));
    let verify = |tag: &'static str| {
        move |salt: u64, _: u64| {
            let path = file_for(tag, salt);
            let file = File::open(&path).expect("open appended file");
            assert_eq!(file.metadata().unwrap().len(), (n * RECORD_SIZE) as u64);
            let mut buf = [0u8; RECORD_SIZE];
            file.read_exact_at(&mut buf, ((n - 1) * RECORD_SIZE) as u64)
                .expect("read back");
            assert_eq!(buf, *record(n as u64 - 1).as_bytes(), "{tag}: last record");
            std::fs::remove_file(&path).expect("remove appended file");
        }
    };
    let verify_vec = |tag: &'static str| {
        move |salt: u64, len: u64| {
            assert_eq!(len, n as u64, "{tag}: length");
            let path = file_for(tag, salt);
            let vec = MappedVec::<Record>::open_read_only(&path).expect("reopen");
            assert_eq!(vec.len(), n, "{tag}: length after reopening");
            assert_eq!(vec.load(n - 1), record(n as u64 - 1), "{tag}: last record");
            drop(vec);
            std::fs::remove_file(&path).expect("remove appended file");
        }
    };
    let presized = |path: &Path| {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .expect("create");
        file.set_len((n * RECORD_SIZE) as u64).expect("ftruncate");
        // SAFETY: a new file in the scratch dir, not truncated while mapped.
        unsafe { MmapMut::map_mut(&file) }.expect("mmap")
    };
    let mut contenders = vec![
        Contender::new(
            "raw pointer into a presized mapping (write_volatile)",
            n as u64,
            |salt| {
                let map = presized(&file_for("raw", salt));
                let out = map.as_ptr().cast_mut().cast::<Record>();
                for i in 0..n {
                    // SAFETY: `i < n`; the mapping holds `n` records and is writable.
                    unsafe { out.add(i).write_volatile(record(i as u64)) };
                }
                0
            },
        )
        .check(verify("raw")),
        Contender::new(
            "raw pointer into a presized mapping, prefaulted (MADV_POPULATE_WRITE)",
            n as u64,
            |salt| {
                let map = presized(&file_for("raw-populate", salt));
                let out = map.as_ptr().cast_mut().cast::<Record>();
                // SAFETY: `out` is the start of `map`, a live shared writable mapping of
                // `n` records; populating it only faults its pages in.
                let rc = unsafe {
                    libc::madvise(out.cast(), n * RECORD_SIZE, libc::MADV_POPULATE_WRITE)
                };
                assert_eq!(rc, 0, "madvise: {}", std::io::Error::last_os_error());
                for i in 0..n {
                    // SAFETY: `i < n`; the mapping holds `n` records and is writable.
                    unsafe { out.add(i).write_volatile(record(i as u64)) };
                }
                0
            },
        )
        .check(verify("raw-populate")),
        Contender::new("memcpy into a presized mapping", n as u64, |salt| {
            let mut map = presized(&file_for("memcpy", salt));
            map.copy_from_slice(source.as_bytes());
            0
        })
        .check(verify("memcpy")),
        Contender::new("mapped: MappedVec, `push` each", n as u64, |salt| {
            let mut vec = MappedVec::<Record>::open_or_create(file_for("vec-push", salt))
                .expect("open_or_create");
            for i in 0..n {
                vec.push(record(i as u64)).expect("push");
            }
            vec.len() as u64
        })
        .check(verify_vec("vec-push")),
        Contender::new(
            "mapped: MappedVec, `extend` from an iterator",
            n as u64,
            |salt| {
                let mut vec = MappedVec::<Record>::open_or_create(file_for("vec-extend", salt))
                    .expect("open_or_create");
                vec.extend((0..n as u64).map(record)).expect("extend");
                vec.len() as u64
            },
        )
        .check(verify_vec("vec-extend")),
        Contender::new("BufWriter<File> (1 MiB buffer)", n as u64, |salt| {
            let file = File::create_new(file_for("bufwriter", salt)).expect("create");
            let mut out = BufWriter::with_capacity(1 << 20, file);
            for i in 0..n {
                out.write_all(record(i as u64).as_bytes()).expect("write");
            }
            out.flush().expect("flush");
            0
        })
        .check(verify("bufwriter")),
    ];
    let measured = interleave(&mut contenders, cfg.reps);
    report(
        &format!("Append: {n} 64-byte records to a new file (per record)"),
        "append",
        &measured,
        &[
            goal(
                "MappedVec push ≤ 1.2x raw presized mapping",
                VEC,
                "raw",
                1.2,
            ),
            goal("MappedVec push ≤ BufWriter", VEC, "BufWriter", 1.0),
        ],
        verdicts,
    );
}

/// Per-run file names, made before the clock starts: `batches[r]` serves the run with id `r`.
struct Batches {
    dirs: Vec<PathBuf>,
    paths: Vec<Vec<PathBuf>>,
    cpaths: Vec<Vec<CString>>,
}

impl Batches {
    fn new(dir: &Path, tag: &str, runs: usize, per_run: usize) -> Self {
        let dirs: Vec<PathBuf> = (0..runs)
            .map(|r| {
                let d = dir.join(format!("{tag}-{r}"));
                std::fs::create_dir(&d).expect("mkdir");
                d
            })
            .collect();
        let paths: Vec<Vec<PathBuf>> = dirs
            .iter()
            .map(|d| (0..per_run).map(|i| d.join(format!("{i}.bin"))).collect())
            .collect();
        let cpaths = paths
            .iter()
            .map(|ps| {
                ps.iter()
                    .map(|p| CString::new(p.as_os_str().as_bytes()).expect("path"))
                    .collect()
            })
            .collect();
        Batches {
            dirs,
            paths,
            cpaths,
        }
    }
}

/// Creating a 4 KiB struct file, mapping it and dropping the mapping.
fn create(cfg: &Config, dir: &Path, verdicts: &mut Vec<Verdict>) {
    let k = cfg.create;
    let runs = cfg.small_reps;
    let bare = Batches::new(dir, "create-bare", runs, k);
    let mapped_b = Batches::new(dir, "create-mapped", runs, k);
    let memmap2_b = Batches::new(dir, "create-memmap2", runs, k);
    let memmap3_b = Batches::new(dir, "create-memmap3", runs, k);
    // Each run takes the next batch; the check counts its files (all 4 KiB) and removes them.
    let check = |batches: &Batches, expect_len: u64| {
        let dirs = batches.dirs.clone();
        move |_: u64, run: u64| {
            let d = &dirs[run as usize];
            let mut count = 0;
            for entry in std::fs::read_dir(d).expect("read dir") {
                let len = entry.expect("entry").metadata().expect("stat").len();
                assert_eq!(len, expect_len, "{}: file size", d.display());
                count += 1;
            }
            assert_eq!(count, k, "{}: files made", d.display());
            std::fs::remove_dir_all(d).expect("remove batch");
        }
    };
    let mut next = [0usize; 4];
    let [n0, n1, n2, n3] = &mut next;
    let mut contenders = vec![
        Contender::new(
            "bare syscalls: open, ftruncate, mmap, close, munmap",
            k as u64,
            |_| {
                let run = *n0;
                *n0 += 1;
                for path in &bare.cpaths[run] {
                    bare_create_map_drop(path);
                }
                run as u64
            },
        )
        .check(check(&bare, PAGE as u64)),
        Contender::new("mapped: `Page::create_new` + drop", k as u64, |_| {
            let run = *n1;
            *n1 += 1;
            for path in &mapped_b.paths[run] {
                drop(Page::create_new(path).expect("create_new"));
            }
            run as u64
        })
        .check(check(&mapped_b, PAGE as u64)),
        Contender::new(
            "memmap2: create_new, set_len, `MmapMut::map_mut` + drop",
            k as u64,
            |_| {
                let run = *n2;
                *n2 += 1;
                for path in &memmap2_b.paths[run] {
                    let file = OpenOptions::new()
                        .read(true)
                        .write(true)
                        .create_new(true)
                        .open(path)
                        .expect("create");
                    file.set_len(PAGE as u64).expect("set_len");
                    // SAFETY: a new file of this benchmark, not truncated while mapped.
                    drop(unsafe { MmapMut::map_mut(&file) }.expect("mmap"));
                }
                run as u64
            },
        )
        .check(check(&memmap2_b, PAGE as u64)),
        Contender::new("memmap3: `MmapStruct::create` + drop", k as u64, |_| {
            let run = *n3;
            *n3 += 1;
            for path in &memmap3_b.paths[run] {
                drop(memmap3::MmapStruct::<Page3>::create(path).expect("create"));
            }
            run as u64
        })
        .check(check(&memmap3_b, PAGE as u64 + 8)),
    ];
    let measured = interleave(&mut contenders, runs);
    report(
        &format!("Create + map + drop a 4 KiB struct file ({k} files per run)"),
        "create + map + drop",
        &measured,
        &[goal(
            "mapped ≤ 1.10x the bare syscall sequence",
            "mapped",
            "bare",
            1.10,
        )],
        verdicts,
    );
}

/// The C sequence `create_new` is measured against.
fn bare_create_map_drop(path: &CString) {
    // SAFETY: `path` is a valid C string; the flags and mode are plain values.
    let fd = unsafe {
        libc::open(
            path.as_ptr(),
            libc::O_RDWR | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC,
            0o600 as libc::c_uint,
        )
    };
    assert!(fd >= 0, "open: {}", std::io::Error::last_os_error());
    // SAFETY: `fd` is a descriptor this function opened.
    let rc = unsafe { libc::ftruncate(fd, PAGE as libc::off_t) };
    assert_eq!(rc, 0, "ftruncate");
    let map = bare_map(fd);
    // SAFETY: `fd` is open and not used after this.
    unsafe { libc::close(fd) };
    bare_unmap(map);
}

/// `mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)`.
fn bare_map(fd: libc::c_int) -> *mut libc::c_void {
    // SAFETY: no MAP_FIXED, so nothing already mapped is replaced; `fd` is open.
    let map = unsafe {
        libc::mmap(
            ptr::null_mut(),
            PAGE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
            fd,
            0,
        )
    };
    assert_ne!(map, libc::MAP_FAILED, "mmap");
    map
}

fn bare_unmap(map: *mut libc::c_void) {
    // SAFETY: `map` came from `bare_map` and nothing refers to it any more.
    let rc = unsafe { libc::munmap(map, PAGE) };
    assert_eq!(rc, 0, "munmap");
}

/// Opening an existing 4 KiB struct file, mapping it and dropping the mapping.
fn open(cfg: &Config, dir: &Path, verdicts: &mut Vec<Verdict>) {
    let k = cfg.create;
    let files = Batches::new(dir, "open", 1, k);
    let files3 = Batches::new(dir, "open-memmap3", 1, k);
    for path in &files.paths[0] {
        drop(Page::create_new(path).expect("create"));
    }
    for path in &files3.paths[0] {
        drop(memmap3::MmapStruct::<Page3>::create(path).expect("create"));
    }
    let (paths, cpaths, paths3) = (&files.paths[0], &files.cpaths[0], &files3.paths[0]);
    let mut contenders = vec![
        Contender::new(
            "bare syscalls: open, fstat, mmap, close, munmap",
            k as u64,
            |_| {
                for path in cpaths {
                    // SAFETY: `path` is a valid C string.
                    let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) };
                    assert!(fd >= 0, "open");
                    // SAFETY: an all-zero `stat` is a valid value to overwrite.
                    let mut st: libc::stat = unsafe { std::mem::zeroed() };
                    // SAFETY: `fd` is open and `st` is writable.
                    assert_eq!(unsafe { libc::fstat(fd, &mut st) }, 0, "fstat");
                    assert!(st.st_size >= PAGE as libc::off_t, "short file");
                    let map = bare_map(fd);
                    // SAFETY: `fd` is open and not used after this.
                    unsafe { libc::close(fd) };
                    bare_unmap(map);
                }
                k as u64
            },
        ),
        Contender::new("mapped: `Page::open` + drop", k as u64, |_| {
            for path in paths {
                drop(Page::open(path).expect("open"));
            }
            k as u64
        }),
        Contender::new("memmap2: open, `MmapMut::map_mut` + drop", k as u64, |_| {
            for path in paths {
                let file = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(path)
                    .expect("open");
                // SAFETY: a file of this benchmark, not truncated while mapped.
                drop(unsafe { MmapMut::map_mut(&file) }.expect("mmap"));
            }
            k as u64
        }),
        Contender::new("memmap3: `MmapStruct::open` + drop", k as u64, |_| {
            for path in paths3 {
                drop(memmap3::MmapStruct::<Page3>::open(path).expect("open"));
            }
            k as u64
        }),
    ];
    contenders = contenders.into_iter().map(|c| c.expect(k as u64)).collect();
    let measured = interleave(&mut contenders, cfg.small_reps);
    report(
        &format!("Open + map + drop an existing 4 KiB struct file ({k} files per run)"),
        "open + map + drop",
        &measured,
        &[goal(
            "mapped ≤ 1.10x the bare syscall sequence",
            "mapped",
            "bare",
            1.10,
        )],
        verdicts,
    );
}

/// Dirtying one page and flushing it (`msync(MS_SYNC)`): the device dominates.
fn flush(cfg: &Config, dir: &Path, verdicts: &mut Vec<Verdict>) {
    let k = cfg.flush;
    let bare_path = CString::new(dir.join("flush-bare.bin").as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid C string; plain flags.
    let fd = unsafe {
        libc::open(
            bare_path.as_ptr(),
            libc::O_RDWR | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC,
            0o600 as libc::c_uint,
        )
    };
    assert!(fd >= 0, "open");
    // SAFETY: `fd` is open.
    assert_eq!(unsafe { libc::ftruncate(fd, PAGE as libc::off_t) }, 0);
    let bare = bare_map(fd).cast::<u64>();
    // SAFETY: `fd` is open and not used after this.
    unsafe { libc::close(fd) };
    let page = Page::create_new(dir.join("flush-mapped.bin")).expect("create");
    let file2 = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(dir.join("flush-memmap2.bin"))
        .expect("create");
    file2.set_len(PAGE as u64).expect("set_len");
    // SAFETY: a new file of this benchmark, not truncated while mapped.
    let map2 = unsafe { MmapMut::map_mut(&file2) }.expect("mmap");
    let mut page3 = memmap3::MmapStruct::<Page3>::create(dir.join("flush-memmap3.bin")).unwrap();
    let page = &page;
    let map2_ptr = map2.as_ptr().cast_mut().cast::<u64>();
    let map2 = &map2;
    let page3 = &mut page3;
    let mut contenders = vec![
        Contender::new("bare: store + msync(MS_SYNC)", k as u64, move |salt| {
            for j in 0..k as u64 {
                // SAFETY: `bare` is a live 4 KiB shared writable mapping.
                unsafe { bare.write_volatile(j ^ salt) };
                // SAFETY: `bare` is the page-aligned start of a live 4 KiB mapping.
                let rc = unsafe { libc::msync(bare.cast(), PAGE, libc::MS_SYNC) };
                assert_eq!(rc, 0, "msync");
            }
            // SAFETY: as above.
            unsafe { bare.read_volatile() }
        }),
        Contender::new("mapped: `set_counter` + `flush()`", k as u64, move |salt| {
            for j in 0..k as u64 {
                page.set_counter(j ^ salt);
                page.flush().expect("flush");
            }
            page.counter()
        }),
        Contender::new(
            "memmap2: store + `MmapMut::flush()`",
            k as u64,
            move |salt| {
                for j in 0..k as u64 {
                    // SAFETY: `map2_ptr` is the start of the live writable mapping `map2`.
                    unsafe { map2_ptr.write_volatile(j ^ salt) };
                    map2.flush().expect("flush");
                }
                // SAFETY: as above.
                unsafe { map2_ptr.read_volatile() }
            },
        ),
        Contender::new(
            "memmap3: store + `MmapStruct::flush()`",
            k as u64,
            move |salt| {
                for j in 0..k as u64 {
                    page3.counter = j ^ salt;
                    page3.flush().expect("flush");
                }
                page3.counter
            },
        ),
    ];
    let last = k as u64 - 1;
    contenders = contenders
        .into_iter()
        .map(|c| c.check(move |salt, got| assert_eq!(got, last ^ salt)))
        .collect();
    let measured = interleave(&mut contenders, cfg.small_reps);
    bare_unmap(bare.cast());
    report(
        &format!("Flush one dirty page: store a u64, then msync(MS_SYNC) ({k} per run)"),
        "flush",
        &measured,
        &[goal(
            "mapped `flush` ≤ 1.05x bare msync",
            "mapped",
            "bare",
            1.05,
        )],
        verdicts,
    );
}

/// `make_read_only` + `make_mut` round trips against the two bare `mprotect` calls.
fn protect(cfg: &Config, dir: &Path, verdicts: &mut Vec<Verdict>) {
    let k = cfg.protect;
    let bare_page = Page::create_new(dir.join("protect-bare.bin")).expect("create");
    let bare = mapped::Handle::as_ptr(&bare_page)
        .cast_mut()
        .cast::<libc::c_void>();
    let mut page = Some(Page::create_new(dir.join("protect-mapped.bin")).expect("create"));
    let file2 = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(dir.join("protect-memmap2.bin"))
        .expect("create");
    file2.set_len(PAGE as u64).expect("set_len");
    // SAFETY: a new file of this benchmark, not truncated while mapped.
    let mut map2 = Some(unsafe { MmapMut::map_mut(&file2) }.expect("mmap"));
    let mut contenders = vec![
        Contender::new(
            "bare: mprotect(PROT_READ) + mprotect(PROT_READ | PROT_WRITE)",
            k as u64,
            |salt| {
                for _ in 0..k {
                    // SAFETY: `bare` is the page-aligned start of `bare_page`'s 4 KiB mapping,
                    // which lives throughout; it is made writable again before anything writes.
                    let rc = unsafe { libc::mprotect(bare, PAGE, libc::PROT_READ) };
                    assert_eq!(rc, 0, "mprotect");
                    // SAFETY: as above.
                    let rc =
                        unsafe { libc::mprotect(bare, PAGE, libc::PROT_READ | libc::PROT_WRITE) };
                    assert_eq!(rc, 0, "mprotect");
                }
                bare_page.set_counter(salt);
                bare_page.counter()
            },
        ),
        Contender::new(
            "mapped: `make_read_only()?.make_mut()?`",
            k as u64,
            |salt| {
                let mut handle = page.take().expect("handle");
                for _ in 0..k {
                    handle = handle
                        .make_read_only()
                        .expect("make_read_only")
                        .make_mut()
                        .expect("make_mut");
                }
                handle.set_counter(salt);
                let got = handle.counter();
                page = Some(handle);
                got
            },
        ),
        Contender::new(
            "memmap2: `make_read_only()?.make_mut()?`",
            k as u64,
            |salt| {
                let mut map = map2.take().expect("map");
                for _ in 0..k {
                    map = map
                        .make_read_only()
                        .expect("make_read_only")
                        .make_mut()
                        .expect("make_mut");
                }
                map[..8].copy_from_slice(&salt.to_ne_bytes());
                let got = u64::from_ne_bytes(map[..8].try_into().unwrap());
                map2 = Some(map);
                got
            },
        ),
    ];
    contenders = contenders
        .into_iter()
        .map(|c| c.check(|salt, got| assert_eq!(got, salt)))
        .collect();
    let measured = interleave(&mut contenders, cfg.small_reps);
    report(
        &format!("`make_read_only` + `make_mut` round trip on a 4 KiB mapping ({k} per run)"),
        "make_read_only + make_mut",
        &measured,
        &[goal(
            "mapped ≤ 1.05x two bare mprotect calls",
            "mapped",
            "bare",
            1.05,
        )],
        verdicts,
    );
}
