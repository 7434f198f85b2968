//! The data of the record workloads (random reads, the scan, random writes): one file of 64-byte
//! records and every contender's mapping of it, made once and prefaulted before anything is timed.

use std::fs::{File, OpenOptions};
use std::path::Path;
use std::ptr;

use mapped::{Mapped, MappedSlice, MappedVec};
use memmap2::MmapMut;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

use crate::support::{self, prefault, write_records, Record, RECORD_SIZE};
use crate::Config;

/// Records in the fixed-size struct contenders: 16M, so the struct is exactly 1 GiB.
pub const TABLE_RECORDS: usize = 1 << 24;

/// `mapped`'s struct handle over the whole file: one array field of 16M records.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
pub struct Table {
    pub records: [Record; TABLE_RECORDS],
}

/// memmap3's equivalent: `MmapStruct<Table3>` (memmap3 puts an 8-byte magic in front).
#[memmap3::mmap_struct]
pub struct Table3 {
    pub records: [Record; TABLE_RECORDS],
}

/// The records `0..n` (`BENCH_RECORDS`) as each contender maps them.
pub struct Records {
    pub n: usize,
    /// The data file, for `pread`/`pwrite`.
    pub file: File,
    /// The baseline's mapping (raw pointer, zerocopy and binary-layout contenders).
    pub raw_map: MmapMut,
    /// A second raw mapping of the same file, for the control rows: same code as the baseline,
    /// another mapping. How far it lands from 1.00x is the noise between two mappings.
    pub control_map: MmapMut,
    pub table: mapped::Handle<Table>,
    /// memmap3 keeps its own file (it writes a magic header in front); same records.
    pub table3: memmap3::MmapStruct<Table3>,
    /// MappedSlice maps the data file.
    pub slice: MappedSlice<Record>,
    /// MappedVec has its own file (a 64-byte header, then the records).
    pub vec: MappedVec<Record>,
}

impl Records {
    pub fn new(cfg: &Config, dir: &Path) -> Self {
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
        // SAFETY: the file is private to this process's scratch dir and is not truncated while
        // mapped.
        let raw_map = unsafe { MmapMut::map_mut(&file) }.expect("mmap data file");
        // SAFETY: as for `raw_map`.
        let control_map = unsafe { MmapMut::map_mut(&file) }.expect("mmap data file");
        let table = Table::open(&path).expect("mapped: open table");

        let path3 = dir.join("memmap3.bin");
        let (table3, took) = support::time(|| {
            let mut table3 =
                memmap3::MmapStruct::<Table3>::create(&path3).expect("memmap3: create");
            let records = <[Record]>::ref_from_bytes(&raw_map[..n * RECORD_SIZE]).expect("cast");
            table3.records[..n].copy_from_slice(records);
            table3
        });
        println!("filled {} in {took:.2?}", path3.display());

        let slice = MappedSlice::<Record>::open(&path).expect("mapped: open slice");
        let vec_path = dir.join("mappedvec.bin");
        let (vec, took) = support::time(|| {
            let mut vec = MappedVec::<Record>::open_or_create(&vec_path).expect("mapped: vec");
            let records = <[Record]>::ref_from_bytes(&raw_map[..n * RECORD_SIZE]).expect("cast");
            vec.extend_from_slice(records).expect("mapped: extend vec");
            vec
        });
        println!("filled {} in {took:.2?}", vec_path.display());

        // Warm page cache: every page of every mapping is in this process's page tables before
        // anything is timed.
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

        Records {
            n,
            file,
            raw_map,
            control_map,
            table,
            table3,
            slice,
            vec,
        }
    }
}
