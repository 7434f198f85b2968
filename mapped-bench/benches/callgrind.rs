//! The program `scripts/callgrind.sh` runs under `valgrind --tool=callgrind`: each variant does
//! `ops` field writes (or reads) in one `#[no_mangle]` function, so callgrind can count that
//! function's instructions alone (`--toggle-collect=<name>`).
//!
//! `cargo bench -p mapped-bench --bench callgrind -- <variant> [ops]`; with no variant it lists
//! them and runs each once (so `cargo bench` exercises it).

use std::hint::black_box;
use std::ptr;

use mapped::{Mapped, MappedSlice, MappedVec};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[path = "support/mod.rs"]
mod support;

use support::record_layout;

use support::{record, Record, RECORD_SIZE};

/// The struct of the handle variants.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Stats {
    hits: u64,
    misses: u32,
    ratio: f32,
}

#[memmap3::mmap_struct]
struct Table3 {
    records: [Record; RECORDS],
}

/// Records in the indexed variants: 256 KiB.
const RECORDS: usize = 4096;

/// A struct handle over an array of records.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Table {
    records: [Record; RECORDS],
}

/// Eight words, 64 bytes: the value of the seqlock variants.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Eight {
    words: [u64; 8],
}

/// The same 64 bytes behind a `Seqlock`.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Latched {
    value: mapped::Seqlock<Eight>,
}

/// `load()` of a plain 64-byte struct: a copy that may tear, the baseline of `read-seqlock`.
#[no_mangle]
#[inline(never)]
fn cg_load_plain(plain: &mapped::Handle<Eight>, ops: u64) -> u64 {
    let mut sum = 0u64;
    for _ in 0..ops {
        sum = sum.wrapping_add(black_box(plain.load()).words[7]);
    }
    sum
}

/// An uncontended `Seqlock::read` of the same 64 bytes: whole, whatever writers do.
#[no_mangle]
#[inline(never)]
fn cg_read_seqlock(latched: &mapped::Handle<Latched>, ops: u64) -> u64 {
    let mut sum = 0u64;
    for _ in 0..ops {
        sum = sum.wrapping_add(black_box(latched.value().read()).words[7]);
    }
    sum
}

/// An uncontended `Seqlock::write` of the same 64 bytes (the lock, two copies, the sequence).
#[no_mangle]
#[inline(never)]
fn cg_write_seqlock(latched: &mapped::Handle<Latched>, ops: u64) {
    for i in 0..ops {
        latched.value().write(&Eight { words: [i; 8] });
    }
}

/// (a) A raw pointer write of one field: the C programmer's `s->hits = i`.
#[no_mangle]
#[inline(never)]
fn cg_write_raw_field(stats: *mut Stats, ops: u64) {
    for i in 0..ops {
        // SAFETY: `stats` points to a live, writable, aligned `Stats` (the callers' mapping).
        unsafe { ptr::addr_of_mut!((*stats).hits).write_volatile(i) };
    }
}

/// (b) The same through a `mapped` handle's setter.
#[no_mangle]
#[inline(never)]
fn cg_write_handle_field(stats: &mapped::Handle<Stats>, ops: u64) {
    for i in 0..ops {
        stats.set_hits(i);
    }
}

/// Reads, for completeness: raw pointer.
#[no_mangle]
#[inline(never)]
fn cg_read_raw_field(stats: *const Stats, ops: u64) -> u64 {
    let mut sum = 0u64;
    for _ in 0..ops {
        // SAFETY: as for `cg_write_raw_field`.
        sum = sum.wrapping_add(unsafe { ptr::addr_of!((*stats).hits).read_volatile() });
    }
    sum
}

/// Reads through the handle's getter.
#[no_mangle]
#[inline(never)]
fn cg_read_handle_field(stats: &mapped::Handle<Stats>, ops: u64) -> u64 {
    let mut sum = 0u64;
    for _ in 0..ops {
        sum = sum.wrapping_add(stats.hits());
    }
    sum
}

/// A raw pointer write of field `value` of record `i & mask`: no bounds check.
#[no_mangle]
#[inline(never)]
fn cg_write_raw_index(records: *mut Record, mask: usize, ops: u64) {
    for i in 0..ops {
        let index = i as usize & mask;
        // SAFETY: `mask < RECORDS`, so `index` is in bounds of the callers' mapping.
        unsafe { ptr::addr_of_mut!((*records.add(index)).value).write_volatile(i) };
    }
}

/// The same with the bounds check a safe container must make (`index < len`, panicking).
#[no_mangle]
#[inline(never)]
fn cg_write_raw_index_checked(records: *mut Record, len: usize, mask: usize, ops: u64) {
    for i in 0..ops {
        let index = i as usize & mask;
        assert!(index < len, "index out of bounds");
        // SAFETY: `index < len`, the number of records the callers' mapping holds.
        unsafe { ptr::addr_of_mut!((*records.add(index)).value).write_volatile(i) };
    }
}

/// A struct handle over `[Record; 4096]`: `records_mut().get_mut(index).unwrap().set_value(i)`.
#[no_mangle]
#[inline(never)]
fn cg_write_table_index(table: &mapped::Handle<Table>, mask: usize, ops: u64) {
    for i in 0..ops {
        let index = i as usize & mask;
        table.records_mut().get_mut(index).unwrap().set_value(i);
    }
}

/// Reads of field `value` of record `i & mask`, raw pointer, no bounds check.
#[no_mangle]
#[inline(never)]
fn cg_read_raw_index(records: *const Record, mask: usize, ops: u64) -> u64 {
    let mut sum = 0u64;
    for i in 0..ops {
        let index = i as usize & mask;
        // SAFETY: `mask < RECORDS`, so `index` is in bounds of the callers' mapping.
        let v = unsafe { ptr::addr_of!((*records.add(index)).value).read_volatile() };
        sum = sum.wrapping_add(v);
    }
    sum
}

/// The same with a bounds check.
#[no_mangle]
#[inline(never)]
fn cg_read_raw_index_checked(records: *const Record, len: usize, mask: usize, ops: u64) -> u64 {
    let mut sum = 0u64;
    for i in 0..ops {
        let index = i as usize & mask;
        assert!(index < len, "index out of bounds");
        // SAFETY: `index < len`, the number of records the callers' mapping holds.
        let v = unsafe { ptr::addr_of!((*records.add(index)).value).read_volatile() };
        sum = sum.wrapping_add(v);
    }
    sum
}

/// `records_at(index).unwrap().value()` on a struct handle over `[Record; 4096]`.
#[no_mangle]
#[inline(never)]
fn cg_read_table_index(table: &mapped::Handle<Table>, mask: usize, ops: u64) -> u64 {
    let mut sum = 0u64;
    for i in 0..ops {
        let index = i as usize & mask;
        sum = sum.wrapping_add(table.records_at(index).unwrap().value());
    }
    sum
}

/// memmap2 + zerocopy: `Record::ref_from_bytes(&bytes[at..at + 64]).unwrap().value`.
#[no_mangle]
#[inline(never)]
fn cg_read_zerocopy_index(bytes: &[u8], mask: usize, ops: u64) -> u64 {
    let mut sum = 0u64;
    for i in 0..ops {
        let at = (i as usize & mask) * RECORD_SIZE;
        let r = Record::ref_from_bytes(&bytes[at..at + RECORD_SIZE]).unwrap();
        sum = sum.wrapping_add(r.value);
    }
    sum
}

/// memmap3: `table.records[index].value` through `MmapStruct`'s `Deref`.
#[no_mangle]
#[inline(never)]
fn cg_read_memmap3_index(table: &memmap3::MmapStruct<Table3>, mask: usize, ops: u64) -> u64 {
    let mut sum = 0u64;
    for i in 0..ops {
        sum = sum.wrapping_add(table.records[i as usize & mask].value);
    }
    sum
}

/// binary-layout: `View::new(&bytes[at..at + 64]).value().read()`.
#[no_mangle]
#[inline(never)]
fn cg_read_binary_layout_index(bytes: &[u8], mask: usize, ops: u64) -> u64 {
    let mut sum = 0u64;
    for i in 0..ops {
        let at = (i as usize & mask) * RECORD_SIZE;
        let view = record_layout::View::new(&bytes[at..at + RECORD_SIZE]);
        sum = sum.wrapping_add(view.value().read());
    }
    sum
}

/// memmap2 + zerocopy writes.
#[no_mangle]
#[inline(never)]
fn cg_write_zerocopy_index(bytes: &mut [u8], mask: usize, ops: u64) {
    for i in 0..ops {
        let at = (i as usize & mask) * RECORD_SIZE;
        Record::mut_from_bytes(&mut bytes[at..at + RECORD_SIZE])
            .unwrap()
            .value = i;
    }
}

/// memmap3 writes.
#[no_mangle]
#[inline(never)]
fn cg_write_memmap3_index(table: &mut memmap3::MmapStruct<Table3>, mask: usize, ops: u64) {
    for i in 0..ops {
        table.records[i as usize & mask].value = i;
    }
}

/// binary-layout writes.
#[no_mangle]
#[inline(never)]
fn cg_write_binary_layout_index(bytes: &mut [u8], mask: usize, ops: u64) {
    for i in 0..ops {
        let at = (i as usize & mask) * RECORD_SIZE;
        let mut view = record_layout::View::new(&mut bytes[at..at + RECORD_SIZE]);
        view.value_mut().write(i);
    }
}

/// (c) A `MappedVec` element accessor: `get_mut(index).unwrap().set_value(i)`.
#[no_mangle]
#[inline(never)]
fn cg_write_vec_index(vec: &MappedVec<Record>, mask: usize, ops: u64) {
    for i in 0..ops {
        vec.get_mut(i as usize & mask).unwrap().set_value(i);
    }
}

/// A `MappedSlice` element accessor: `get_mut(index).unwrap().set_value(i)`.
#[no_mangle]
#[inline(never)]
fn cg_write_slice_index(slice: &MappedSlice<Record>, mask: usize, ops: u64) {
    for i in 0..ops {
        slice.get_mut(i as usize & mask).unwrap().set_value(i);
    }
}

/// `MappedVec::get(index).unwrap().value()`.
#[no_mangle]
#[inline(never)]
fn cg_read_vec_index(vec: &MappedVec<Record>, mask: usize, ops: u64) -> u64 {
    let mut sum = 0u64;
    for i in 0..ops {
        sum = sum.wrapping_add(vec.get(i as usize & mask).unwrap().value());
    }
    sum
}

/// `MappedSlice::get(index).unwrap().value()`.
#[no_mangle]
#[inline(never)]
fn cg_read_slice_index(slice: &MappedSlice<Record>, mask: usize, ops: u64) -> u64 {
    let mut sum = 0u64;
    for i in 0..ops {
        sum = sum.wrapping_add(slice.get(i as usize & mask).unwrap().value());
    }
    sum
}

/// A sequential scan through `MappedSlice::iter()`.
#[no_mangle]
#[inline(never)]
fn cg_scan_slice_iter(slice: &MappedSlice<Record>, ops: u64) -> u64 {
    let mut sum = 0u64;
    let mut left = ops;
    while left > 0 {
        for r in slice.iter().take(left as usize) {
            sum = sum.wrapping_add(r.value());
        }
        left = left.saturating_sub(slice.len() as u64);
    }
    sum
}

/// The raw pointer scan it is measured against.
#[no_mangle]
#[inline(never)]
fn cg_scan_raw(records: *const Record, len: usize, ops: u64) -> u64 {
    let mut sum = 0u64;
    let mut left = ops;
    while left > 0 {
        for i in 0..len.min(left as usize) {
            // SAFETY: `i < len`, the records of the callers' mapping.
            sum =
                sum.wrapping_add(unsafe { ptr::addr_of!((*records.add(i)).value).read_volatile() });
        }
        left = left.saturating_sub(len as u64);
    }
    sum
}

/// `MappedVec::push` of a record built from `i` (after `reserve`, so no growth is counted).
#[no_mangle]
#[inline(never)]
fn cg_push_vec(vec: &mut MappedVec<Record>, ops: u64) {
    for i in 0..ops {
        vec.push(record(i)).unwrap();
    }
}

/// The raw append it is measured against: `write_volatile` of the same record at the next index.
#[no_mangle]
#[inline(never)]
fn cg_push_raw(records: *mut Record, ops: u64) {
    for i in 0..ops {
        // SAFETY: the caller's mapping holds `ops` records.
        unsafe { records.add(i as usize).write_volatile(record(i)) };
    }
}

const VARIANTS: &[&str] = &[
    "write-raw-field",
    "write-handle-field",
    "read-raw-field",
    "read-handle-field",
    "write-raw-index",
    "write-raw-index-checked",
    "write-table-index",
    "write-vec-index",
    "write-slice-index",
    "write-zerocopy-index",
    "write-memmap3-index",
    "write-binary-layout-index",
    "read-raw-index",
    "read-raw-index-checked",
    "read-table-index",
    "read-vec-index",
    "read-slice-index",
    "read-zerocopy-index",
    "read-memmap3-index",
    "read-binary-layout-index",
    "scan-raw",
    "scan-slice-iter",
    "push-raw",
    "push-vec",
    "load-plain",
    "read-seqlock",
    "write-seqlock",
];

fn run(variant: &str, ops: u64) -> u64 {
    let dir = tempfile::tempdir().expect("temp dir");
    let stats = Stats::anonymous().expect("map Stats");
    let plain = Eight::anonymous().expect("map Eight");
    let latched = Latched::anonymous().expect("map Latched");
    let table = Table::anonymous().expect("map Table");
    let mut table3 = memmap3::MmapStruct::<Table3>::create(dir.path().join("memmap3.bin"))
        .expect("memmap3 table");
    let mut bytes = vec![0u64; RECORDS * RECORD_SIZE / 8];
    let bytes = bytes.as_mut_bytes();
    let slice =
        MappedSlice::<Record>::create_new(dir.path().join("slice.bin"), RECORDS).expect("slice");
    let mut vec = MappedVec::<Record>::open_or_create(dir.path().join("vec.bin")).expect("vec");
    vec.extend((0..RECORDS as u64).map(record))
        .expect("fill vec");
    let pushes = if variant.starts_with("push") {
        ops as usize
    } else {
        1
    };
    let mut pushed =
        MappedVec::<Record>::open_or_create(dir.path().join("pushed.bin")).expect("vec");
    pushed.reserve(pushes).expect("reserve");
    let mut raw_pushed = vec![0u64; pushes * RECORD_SIZE / 8];
    let raw_pushed = raw_pushed.as_mut_ptr().cast::<Record>();
    let stats_ptr = mapped::Handle::as_mut_ptr(&stats);
    let records = mapped::Handle::as_mut_ptr(&table).cast::<Record>();
    // Opaque to the optimizer, so the loops cannot be specialised for these constants.
    let ops = black_box(ops);
    let mask = black_box(RECORDS - 1);
    let len = black_box(RECORDS);
    match variant {
        "write-raw-field" => cg_write_raw_field(stats_ptr, ops),
        "write-handle-field" => cg_write_handle_field(&stats, ops),
        "read-raw-field" => return cg_read_raw_field(stats_ptr, ops),
        "read-handle-field" => return cg_read_handle_field(&stats, ops),
        "write-raw-index" => cg_write_raw_index(records, mask, ops),
        "write-raw-index-checked" => cg_write_raw_index_checked(records, len, mask, ops),
        "write-table-index" => cg_write_table_index(&table, mask, ops),
        "write-vec-index" => cg_write_vec_index(&vec, mask, ops),
        "write-slice-index" => cg_write_slice_index(&slice, mask, ops),
        "read-vec-index" => return cg_read_vec_index(&vec, mask, ops),
        "read-slice-index" => return cg_read_slice_index(&slice, mask, ops),
        "scan-raw" => return cg_scan_raw(records, len, ops),
        "scan-slice-iter" => return cg_scan_slice_iter(&slice, ops),
        "push-raw" => cg_push_raw(raw_pushed, ops),
        "push-vec" => cg_push_vec(&mut pushed, ops),
        "write-zerocopy-index" => cg_write_zerocopy_index(bytes, mask, ops),
        "write-memmap3-index" => cg_write_memmap3_index(&mut table3, mask, ops),
        "write-binary-layout-index" => cg_write_binary_layout_index(bytes, mask, ops),
        "read-raw-index" => return cg_read_raw_index(records, mask, ops),
        "read-raw-index-checked" => return cg_read_raw_index_checked(records, len, mask, ops),
        "read-table-index" => return cg_read_table_index(&table, mask, ops),
        "read-zerocopy-index" => return cg_read_zerocopy_index(bytes, mask, ops),
        "read-memmap3-index" => return cg_read_memmap3_index(&table3, mask, ops),
        "read-binary-layout-index" => return cg_read_binary_layout_index(bytes, mask, ops),
        "load-plain" => return cg_load_plain(&plain, ops),
        "read-seqlock" => return cg_read_seqlock(&latched, ops),
        "write-seqlock" => cg_write_seqlock(&latched, ops),
        other => panic!("unknown variant {other:?}; one of {VARIANTS:?}"),
    }
    stats.hits()
        ^ table
            .records_at(ops as usize & mask)
            .map_or(0, |r| r.value())
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args.first() {
        Some(variant) => {
            let ops = args.get(1).map_or(1_000_000, |s| s.parse().expect("ops"));
            black_box(run(variant, ops));
        }
        None => {
            for variant in VARIANTS {
                black_box(run(variant, 1000));
                println!("{variant}");
            }
        }
    }
}
