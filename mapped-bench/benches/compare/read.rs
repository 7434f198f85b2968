//! Random reads: `BENCH_OPS` reads of the `value` field at random indices of the records (the same
//! indices, in the same order, for every contender).

use std::os::unix::fs::FileExt;
use std::ptr;

use zerocopy::FromBytes;

use crate::records::Records;
use crate::report::{faster, goal, report, Verdict, CONTROL, HANDLE, SLICE, VEC};
use crate::support::{
    interleave, record, record_layout, Contender, Record, Rng, RECORD_SIZE, SEED, VALUE_OFFSET,
};
use crate::Config;

pub fn run(cfg: &Config, records: &mut Records, verdicts: &mut Vec<Verdict>) {
    let Records {
        n,
        file,
        raw_map,
        control_map,
        table,
        table3,
        slice,
        vec,
    } = &*records;
    let n = *n;
    let (ops, sys_ops) = (cfg.ops, cfg.syscall_ops);
    let (mem, sys) = (Reads::new(n, ops), Reads::new(n, sys_ops));
    let raw = raw_map.as_ptr().cast::<Record>();
    let control = control_map.as_ptr().cast::<Record>();
    let bytes: &[u8] = raw_map;
    let mut contenders = vec![
        mem.run("raw pointer (memmap2 + read_volatile)", move || {
            raw_random_reads(raw, n, ops)
        }),
        mem.run(CONTROL, move || raw_random_reads(control, n, ops)),
        mem.each("mapped: struct handle, `records_at(i)`", move |i| {
            table.records_at(i).unwrap().value()
        }),
        mem.each("mapped: MappedSlice, `get(i)`", move |i| {
            slice.get(i).unwrap().value()
        }),
        mem.each("mapped: MappedVec, `get(i)`", move |i| {
            vec.get(i).unwrap().value()
        }),
        mem.each("memmap2 + zerocopy `ref_from_bytes` per access", move |i| {
            let at = i * RECORD_SIZE;
            Record::ref_from_bytes(&bytes[at..at + RECORD_SIZE])
                .unwrap()
                .value
        }),
        mem.each("memmap3 `MmapStruct` over `[Record; 16M]`", move |i| {
            table3.records[i].value
        }),
        mem.each("binary-layout `View` over memmap2", move |i| {
            let at = i * RECORD_SIZE;
            record_layout::View::new(&bytes[at..at + RECORD_SIZE])
                .value()
                .read()
        }),
        sys.each("pread 8 bytes (`read_exact_at`)", move |i| {
            let mut buf = [0u8; 8];
            let at = i * RECORD_SIZE + VALUE_OFFSET;
            file.read_exact_at(&mut buf, at as u64).expect("pread");
            u64::from_ne_bytes(buf)
        }),
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

/// The rows of the table: `ops` reads at the indices below `n` that [`Rng`] draws from [`SEED`],
/// checked against the sum of the `value` fields they visit.
#[derive(Clone, Copy)]
struct Reads {
    n: usize,
    ops: usize,
    want: u64,
}

impl Reads {
    fn new(n: usize, ops: usize) -> Self {
        let mut rng = Rng::new(SEED);
        let want = (0..ops).fold(0u64, |sum, _| {
            sum.wrapping_add(record(rng.below(n) as u64).value)
        });
        Reads { n, ops, want }
    }

    /// A contender whose run does all its reads itself and returns their sum.
    fn run<'a>(self, name: &str, mut run: impl FnMut() -> u64 + 'a) -> Contender<'a> {
        Contender::new(name, self.ops as u64, move |_| run()).expect(self.want)
    }

    /// A contender that reads the `value` of record `i` with `value_at(i)` at every index drawn.
    fn each<'a>(self, name: &str, value_at: impl Fn(usize) -> u64 + 'a) -> Contender<'a> {
        let Reads { n, ops, .. } = self;
        self.run(name, move || {
            let mut rng = Rng::new(SEED);
            let mut sum = 0u64;
            for _ in 0..ops {
                sum = sum.wrapping_add(value_at(rng.below(n)));
            }
            sum
        })
    }
}

/// The baseline: `ops` volatile reads of `value` at random indices below `n`. Not inlined, so the
/// baseline and the control run the same machine code over their two mappings.
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
