//! `cargo bench -p mapped-bench --bench accessors`: divan micro-benchmarks of one field access in
//! cache, where the instructions an accessor costs are not hidden behind a cache or TLB miss (the
//! big random workloads of `compare` are dominated by those). Each benchmark does 4096 accesses.

use std::hint::black_box;
use std::ptr;

use divan::Bencher;
use mapped::Mapped;
use memmap2::MmapMut;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[path = "support/mod.rs"]
mod support;

use support::record_layout;

use support::{record, Record, Rng, RECORD_SIZE, SEED};

/// Records in the array benchmarks: 256 KiB, in L2.
const RECORDS: usize = 4096;
const OPS: usize = 4096;

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Table {
    records: [Record; RECORDS],
}

#[memmap3::mmap_struct]
struct Table3 {
    records: [Record; RECORDS],
}

/// The same records in every contender's file, all in one scratch dir.
struct Files {
    _dir: tempfile::TempDir,
    raw: MmapMut,
    table: mapped::Handle<Table>,
    table3: memmap3::MmapStruct<Table3>,
    indices: Vec<usize>,
}

fn files() -> Files {
    let dir = support::scratch_dir();
    let path = dir.path().join("records.bin");
    support::write_records(&path, RECORDS, RECORDS);
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .expect("open");
    // SAFETY: a file of this benchmark's scratch dir, not truncated while mapped.
    let raw = unsafe { MmapMut::map_mut(&file) }.expect("mmap");
    let table = Table::open(&path).expect("open table");
    let mut table3 =
        memmap3::MmapStruct::<Table3>::create(dir.path().join("memmap3.bin")).expect("memmap3");
    for i in 0..RECORDS {
        table3.records[i] = record(i as u64);
    }
    let mut rng = Rng::new(SEED);
    let indices = (0..OPS).map(|_| rng.below(RECORDS)).collect();
    Files {
        _dir: dir,
        raw,
        table,
        table3,
        indices,
    }
}

fn main() {
    divan::main();
}

mod read {
    use super::*;

    #[divan::bench]
    fn raw_pointer(bencher: Bencher) {
        let f = files();
        let base = f.raw.as_ptr().cast::<Record>();
        bencher.bench_local(|| {
            let mut sum = 0u64;
            for &i in black_box(&f.indices) {
                // SAFETY: `i < RECORDS`, the records the mapping holds.
                sum = sum
                    .wrapping_add(unsafe { ptr::addr_of!((*base.add(i)).value).read_volatile() });
            }
            sum
        });
    }

    #[divan::bench]
    fn mapped_handle(bencher: Bencher) {
        let f = files();
        bencher.bench_local(|| {
            let mut sum = 0u64;
            for &i in black_box(&f.indices) {
                sum = sum.wrapping_add(f.table.records_at(i).unwrap().value());
            }
            sum
        });
    }

    #[divan::bench]
    fn memmap2_zerocopy(bencher: Bencher) {
        let f = files();
        let bytes: &[u8] = &f.raw;
        bencher.bench_local(|| {
            let mut sum = 0u64;
            for &i in black_box(&f.indices) {
                let at = i * RECORD_SIZE;
                let r = Record::ref_from_bytes(&bytes[at..at + RECORD_SIZE]).unwrap();
                sum = sum.wrapping_add(r.value);
            }
            sum
        });
    }

    #[divan::bench]
    fn memmap3(bencher: Bencher) {
        let f = files();
        bencher.bench_local(|| {
            let mut sum = 0u64;
            for &i in black_box(&f.indices) {
                sum = sum.wrapping_add(f.table3.records[i].value);
            }
            sum
        });
    }

    #[divan::bench]
    fn binary_layout(bencher: Bencher) {
        let f = files();
        let bytes: &[u8] = &f.raw;
        bencher.bench_local(|| {
            let mut sum = 0u64;
            for &i in black_box(&f.indices) {
                let at = i * RECORD_SIZE;
                let view = record_layout::View::new(&bytes[at..at + RECORD_SIZE]);
                sum = sum.wrapping_add(view.value().read());
            }
            sum
        });
    }
}

mod write {
    use super::*;

    #[divan::bench]
    fn raw_pointer(bencher: Bencher) {
        let f = files();
        let base = f.raw.as_ptr().cast_mut().cast::<Record>();
        bencher.bench_local(|| {
            for &i in black_box(&f.indices) {
                // SAFETY: `i < RECORDS`; the mapping is writable and no reference to it is live.
                unsafe { ptr::addr_of_mut!((*base.add(i)).value).write_volatile(i as u64) };
            }
        });
    }

    #[divan::bench]
    fn mapped_handle(bencher: Bencher) {
        let f = files();
        bencher.bench_local(|| {
            for &i in black_box(&f.indices) {
                f.table
                    .records_mut()
                    .get_mut(i)
                    .unwrap()
                    .set_value(i as u64);
            }
        });
    }

    #[divan::bench]
    fn memmap2_zerocopy(bencher: Bencher) {
        let mut f = files();
        let indices = f.indices.clone();
        let bytes: &mut [u8] = &mut f.raw;
        bencher.bench_local(|| {
            for &i in black_box(&indices) {
                let at = i * RECORD_SIZE;
                Record::mut_from_bytes(&mut bytes[at..at + RECORD_SIZE])
                    .unwrap()
                    .value = i as u64;
            }
        });
    }

    #[divan::bench]
    fn memmap3(bencher: Bencher) {
        let mut f = files();
        let indices = f.indices.clone();
        bencher.bench_local(|| {
            for &i in black_box(&indices) {
                f.table3.records[i].value = i as u64;
            }
        });
    }

    #[divan::bench]
    fn binary_layout(bencher: Bencher) {
        let mut f = files();
        let indices = f.indices.clone();
        let bytes: &mut [u8] = &mut f.raw;
        bencher.bench_local(|| {
            for &i in black_box(&indices) {
                let at = i * RECORD_SIZE;
                let mut view = record_layout::View::new(&mut bytes[at..at + RECORD_SIZE]);
                view.value_mut().write(i as u64);
            }
        });
    }
}
