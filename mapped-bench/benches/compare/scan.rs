//! The sequential scan: sum the `value` field of every record, in order.

use std::os::unix::fs::FileExt;
use std::ptr;

use zerocopy::{FromBytes, IntoBytes};

use crate::records::Records;
use crate::report::{goal, report, Verdict, CONTROL, HANDLE, SLICE, VEC};
use crate::support::{interleave, record, record_layout, Contender, Record, RECORD_SIZE};
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
    let want: u64 = (0..n as u64).fold(0, |s, i| s.wrapping_add(record(i).value));
    let scan = Scan { n, want };
    let raw = raw_map.as_ptr().cast::<Record>();
    let control = control_map.as_ptr().cast::<Record>();
    let bytes: &[u8] = raw_map;
    let mut contenders = vec![
        scan.row("raw pointer loop (read_volatile)", move || raw_scan(raw, n)),
        scan.row(CONTROL, move || raw_scan(control, n)),
        scan.row("mapped: struct handle, `records_at(i)`", move || {
            let mut sum = 0u64;
            for i in 0..n {
                sum = sum.wrapping_add(table.records_at(i).unwrap().value());
            }
            sum
        }),
        scan.row("mapped: MappedSlice, `iter()`", move || {
            slice
                .iter()
                .take(n)
                .fold(0u64, |s, r| s.wrapping_add(r.value()))
        }),
        scan.row("mapped: MappedVec, `iter()`", move || {
            vec.iter().fold(0u64, |s, r| s.wrapping_add(r.value()))
        }),
        scan.row(
            "memmap2 + zerocopy `<[Record]>::ref_from_bytes` once",
            move || {
                let records = <[Record]>::ref_from_bytes(&bytes[..n * RECORD_SIZE]).unwrap();
                records.iter().fold(0u64, |s, r| s.wrapping_add(r.value))
            },
        ),
        scan.row("memmap3 `MmapStruct` over `[Record; 16M]`", move || {
            table3.records[..n]
                .iter()
                .fold(0u64, |s, r| s.wrapping_add(r.value))
        }),
        scan.row("binary-layout `View` per record", move || {
            bytes[..n * RECORD_SIZE]
                .chunks_exact(RECORD_SIZE)
                .fold(0u64, |s, c| {
                    s.wrapping_add(record_layout::View::new(c).value().read())
                })
        }),
        scan.row("read 1 MiB chunks (`read_exact_at`)", move || {
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

/// The rows of the table: each scans all `n` records and returns the sum of their `value` fields.
#[derive(Clone, Copy)]
struct Scan {
    n: usize,
    want: u64,
}

impl Scan {
    fn row<'a>(self, name: &str, mut run: impl FnMut() -> u64 + 'a) -> Contender<'a> {
        Contender::new(name, self.n as u64, move |_| run()).expect(self.want)
    }
}

/// The baseline. Not inlined, so the baseline and the control run the same machine code.
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
