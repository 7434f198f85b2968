//! Random writes: `BENCH_OPS` writes of the `value` field at random indices of the records (the
//! same indices, in the same order, for every contender).

use std::os::unix::fs::FileExt;
use std::ptr;

use zerocopy::FromBytes;

use crate::records::Records;
use crate::report::{faster, goal, report, Verdict, CONTROL, HANDLE, SLICE, VEC};
use crate::support::{
    interleave, record_layout, Contender, Record, Rng, RECORD_SIZE, SEED, VALUE_OFFSET,
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
    } = records;
    let n = *n;
    let (ops, sys_ops) = (cfg.ops, cfg.syscall_ops);
    let (mem, sys) = (Writes::new(n, ops), Writes::new(n, sys_ops));
    let raw = raw_map.as_mut_ptr().cast::<Record>();
    let control = control_map.as_ptr().cast_mut().cast::<Record>();
    let (bytes, len) = (raw_map.as_mut_ptr(), raw_map.len());
    let (table, slice, vec, file) = (&*table, &*slice, &*vec, &*file);
    let mut contenders = vec![
        mem.run("raw pointer (memmap2 + write_volatile)", move |salt| {
            raw_random_writes(raw, n, ops, salt)
        }),
        mem.run(CONTROL, move |salt| {
            raw_random_writes(control, n, ops, salt)
        }),
        mem.each(
            "mapped: struct handle, `records_mut().get_mut(i)`",
            table,
            |t, i, v| t.records_mut().get_mut(i).unwrap().set_value(v),
            |t, i| t.records_at(i).unwrap().value(),
        ),
        mem.each(
            "mapped: MappedSlice, `get_mut(i)`",
            slice,
            |s, i, v| s.get_mut(i).unwrap().set_value(v),
            |s, i| s.get(i).unwrap().value(),
        ),
        mem.each(
            "mapped: MappedVec, `get_mut(i)`",
            vec,
            |s, i, v| s.get_mut(i).unwrap().set_value(v),
            |s, i| s.get(i).unwrap().value(),
        ),
        mem.each(
            "memmap2 + zerocopy `mut_from_bytes` per access",
            Bytes { ptr: bytes, len },
            |b, i, v| {
                let at = i * RECORD_SIZE;
                Record::mut_from_bytes(&mut b.get()[at..at + RECORD_SIZE])
                    .unwrap()
                    .value = v;
            },
            |b, i| {
                Record::ref_from_bytes(&b.get()[i * RECORD_SIZE..][..RECORD_SIZE])
                    .unwrap()
                    .value
            },
        ),
        mem.each(
            "memmap3 `MmapStruct` over `[Record; 16M]`",
            table3,
            |t, i, v| t.records[i].value = v,
            |t, i| t.records[i].value,
        ),
        mem.each(
            "binary-layout `View` over memmap2",
            Bytes { ptr: bytes, len },
            |b, i, v| {
                let at = i * RECORD_SIZE;
                record_layout::View::new(&mut b.get()[at..at + RECORD_SIZE])
                    .value_mut()
                    .write(v);
            },
            |b, i| {
                record_layout::View::new(&b.get()[i * RECORD_SIZE..][..RECORD_SIZE])
                    .value()
                    .read()
            },
        ),
        sys.each(
            "pwrite 8 bytes (`write_all_at`)",
            file,
            |f, i, v| {
                let at = i * RECORD_SIZE + VALUE_OFFSET;
                f.write_all_at(&v.to_ne_bytes(), at as u64).expect("pwrite");
            },
            |f, i| {
                let mut buf = [0u8; 8];
                f.read_exact_at(&mut buf, (i * RECORD_SIZE + VALUE_OFFSET) as u64)
                    .expect("pread");
                u64::from_ne_bytes(buf)
            },
        ),
    ];
    let measured = interleave(&mut contenders, cfg.reps);
    report(
        &format!("Random writes: {ops} u64 field writes at random indices of the same {n} records"),
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

/// The rows of the table: `ops` writes at the indices below `n` that [`Rng`] draws from [`SEED`].
/// Each writes `i ^ salt` at index `i`, and the run returns what it reads back at the last index:
/// the check wants `last ^ salt`, so the writes of an earlier run cannot pass for this one's.
#[derive(Clone, Copy)]
struct Writes {
    n: usize,
    ops: usize,
    last: u64,
}

impl Writes {
    fn new(n: usize, ops: usize) -> Self {
        let mut rng = Rng::new(SEED);
        let last = (0..ops).fold(0, |_, _| rng.below(n) as u64);
        Writes { n, ops, last }
    }

    /// A contender whose run does all its writes itself and returns the value read back.
    fn run<'a>(self, name: &str, run: impl FnMut(u64) -> u64 + 'a) -> Contender<'a> {
        let last = self.last;
        Contender::new(name, self.ops as u64, run)
            .check(move |salt, got| assert_eq!(got, last ^ salt))
    }

    /// A contender that writes `v` to the `value` of record `i` with `set(state, i, v)` at every
    /// index drawn, then reads the last back with `get(state, i)`.
    fn each<'a, S: 'a>(
        self,
        name: &str,
        mut state: S,
        set: impl Fn(&mut S, usize, u64) + 'a,
        get: impl Fn(&mut S, usize) -> u64 + 'a,
    ) -> Contender<'a> {
        let Writes { n, ops, .. } = self;
        self.run(name, move |salt| {
            let mut rng = Rng::new(SEED);
            let mut i = 0;
            for _ in 0..ops {
                i = rng.below(n);
                set(&mut state, i, i as u64 ^ salt);
            }
            get(&mut state, i)
        })
    }
}

/// The bytes of the raw pointer's mapping, for the zerocopy and binary-layout contenders, which
/// need `&mut [u8]` over the very mapping the raw pointer writes through: so each access makes
/// its slice and drops it, and no slice outlives the access that made it.
struct Bytes {
    ptr: *mut u8,
    len: usize,
}

impl Bytes {
    fn get(&mut self) -> &mut [u8] {
        // SAFETY: `ptr..ptr + len` is the live mapping `Records::raw_map`. The slice lives for
        // one access of one run; runs are sequential, so nothing else reads or writes the
        // mapping meanwhile.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

/// The baseline. Not inlined, so the baseline and the control run the same machine code.
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
