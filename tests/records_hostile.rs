//! Property tests for the record files: `MappedVec::<T>::{open, open_or_create, open_read_only}`
//! and `MappedSlice::<T>::{open, open_read_only, open_private}`, for `T` = `u8`, `u32`, a derived
//! 24-byte struct and a derived 128-byte struct aligned to 128 (records start past the header),
//! given files of random sizes and bytes, files whose header is valid up to a random field, and
//! valid files mutated (header bytes flipped, the count set to anything, the file cut anywhere).
//!
//! Each open is compared with a model of the documented format: it returns `Ok` exactly when the
//! model says so, with `len()` and `capacity()` the model's, every record readable through `get`,
//! `load`, `iter` (both ends) and `to_vec`, equal to the file's bytes, and nothing past `len()`;
//! or the model's typed `Err`, naming the path, with the file byte-for-byte unchanged. Never a
//! panic, a signal or an out-of-bounds view (either would end the test binary). A writer that
//! opened a file may change nothing but a count that claimed more records than the file holds,
//! and pushing then works; a read-only or private open never changes the file.
//!
//! 5,000 cases in all. (Records aligned above the page size, which `mmap` could not place aligned,
//! are refused at compile time; see the `Mapped` docs.)

mod common;

use std::mem::size_of;
use std::path::Path;
use std::sync::OnceLock;

use mapped::{Error, FieldType, Mapped, MappedSlice, MappedVec, ReadOnly, Readable};
use proptest::prelude::*;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

const PAGE: usize = 4096;
/// The fixed part of a record file's header (magic .. waiter word); the schema follows.
const HEADER: usize = 64;
const COUNT: std::ops::Range<usize> = 40..48;
const SCHEMA_LEN: std::ops::Range<usize> = 56..60;
const DATA_OFFSET: std::ops::Range<usize> = 32..40;
/// The waiter word: readers waiting for records set its bit 0 (`MappedVec::wait_len`).
const WAITER: std::ops::Range<usize> = 60..64;

fn u32_at(bytes: &[u8], range: std::ops::Range<usize>) -> u32 {
    u32::from_le_bytes(bytes[range].try_into().unwrap())
}

fn u64_at(bytes: &[u8], range: std::ops::Range<usize>) -> u64 {
    u64::from_le_bytes(bytes[range].try_into().unwrap())
}

/// A 24-byte record: its size does not divide a page, so records straddle page boundaries.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Immutable, Debug, Clone, Copy, PartialEq)]
#[repr(C)]
struct Rec {
    id: u64,
    value: u32,
    tag: [u8; 4],
    samples: [u16; 4],
}

/// A record aligned above the header's size: the data starts at 128, past 64 bytes of padding.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Immutable, Debug, Clone, Copy, PartialEq)]
#[repr(C, align(128))]
struct Wide {
    words: [u64; 16],
}

/// What these tests need of a record type.
trait Record: FieldType<Value = Self> + Immutable + Copy + std::fmt::Debug + 'static {
    /// The bytes of what `get` returned: for a struct, read field by field through the view.
    fn bytes_of_get<A: Readable>(got: Self::Get<'_, A>) -> Vec<u8>;
    /// The header (up to the data offset) of a new, empty file of these records, as the library
    /// writes it.
    fn empty_header() -> &'static [u8];
}

impl Record for u8 {
    fn bytes_of_get<A: Readable>(got: u8) -> Vec<u8> {
        vec![got]
    }
    fn empty_header() -> &'static [u8] {
        static HEADER: OnceLock<Vec<u8>> = OnceLock::new();
        HEADER.get_or_init(written_empty_header::<u8>)
    }
}

impl Record for u32 {
    fn bytes_of_get<A: Readable>(got: u32) -> Vec<u8> {
        got.to_ne_bytes().to_vec()
    }
    fn empty_header() -> &'static [u8] {
        static HEADER: OnceLock<Vec<u8>> = OnceLock::new();
        HEADER.get_or_init(written_empty_header::<u32>)
    }
}

impl Record for Rec {
    fn bytes_of_get<A: Readable>(got: mapped::View<'_, Rec, ReadOnly>) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(24);
        bytes.extend_from_slice(&got.id().to_ne_bytes());
        bytes.extend_from_slice(&got.value().to_ne_bytes());
        bytes.extend_from_slice(&got.tag());
        for i in 0..4 {
            bytes.extend_from_slice(&got.samples_at(i).expect("in the array").to_ne_bytes());
        }
        assert!(got.samples_at(4).is_none());
        assert_eq!(
            got.load().as_bytes(),
            &bytes[..],
            "load agrees with the getters"
        );
        bytes
    }
    fn empty_header() -> &'static [u8] {
        static HEADER: OnceLock<Vec<u8>> = OnceLock::new();
        HEADER.get_or_init(written_empty_header::<Rec>)
    }
}

impl Record for Wide {
    fn bytes_of_get<A: Readable>(got: mapped::View<'_, Wide, ReadOnly>) -> Vec<u8> {
        got.words().as_bytes().to_vec()
    }
    fn empty_header() -> &'static [u8] {
        static HEADER: OnceLock<Vec<u8>> = OnceLock::new();
        HEADER.get_or_init(written_empty_header::<Wide>)
    }
}

fn written_empty_header<T: Record>() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.bin");
    drop(MappedVec::<T>::open_or_create(&path).unwrap());
    let header = std::fs::read(&path).unwrap();
    // The documented fields, so that the model below does not rest on the library alone.
    assert_eq!(&header[0..8], b"MAPDRECS");
    assert_eq!(header[8..12], 2u32.to_le_bytes());
    let order: u32 = if cfg!(target_endian = "little") { 1 } else { 2 };
    assert_eq!(header[12..16], order.to_le_bytes());
    assert_eq!(header[24..32], (size_of::<T>() as u64).to_le_bytes());
    let data_offset = u64_at(&header, DATA_OFFSET) as usize;
    assert_eq!(data_offset % HEADER.max(std::mem::align_of::<T>()), 0);
    assert_eq!(header.len(), data_offset, "an empty file is its header");
    assert!(header[COUNT].iter().all(|&b| b == 0), "count 0");
    assert_eq!(u32_at(&header, 48..52), 3, "header format 3");
    assert_eq!(u32_at(&header, 52..56), 2, "kind: records");
    let schema_end = HEADER + u32_at(&header, SCHEMA_LEN) as usize;
    assert!(schema_end <= data_offset);
    assert!(
        header[60..64].iter().all(|&b| b == 0),
        "a new file's waiter word is zero"
    );
    assert!(
        header[schema_end..].iter().all(|&b| b == 0),
        "zeros to the data"
    );
    header
}

/// A record made of bytes derived from `seed`.
fn record_from_seed<T: Record>(seed: u64) -> T {
    let bytes: Vec<u8> = (0..size_of::<T>() as u64)
        .map(|i| (mix(seed ^ i.wrapping_mul(0x9e37_79b9)) >> 24) as u8)
        .collect();
    T::read_from_bytes(&bytes).expect("exactly one record of bytes")
}

/// `len` bytes derived from `seed` (cheaper than a proptest collection, and as random).
fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    (0..len as u64)
        .map(|i| mix(seed ^ (i << 20)) as u8)
        .collect()
}

/// SplitMix64's finalizer.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn count_of(bytes: &[u8]) -> u64 {
    u64::from_ne_bytes(bytes[COUNT].try_into().unwrap())
}

// ---- The model ----

/// The error an open must return, by variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    FileTooSmall { needed: u64, found: u64 },
    BadMagic,
    VersionMismatch,
    LayoutMismatch,
    BadHeader,
    BadSchema,
    UnsupportedFormat,
    NotWholeRecords,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Opens {
        len: usize,
        capacity: usize,
        /// Where the records start: the file's data offset.
        data_offset: usize,
        /// Bytes of the schema that differ only in the record struct's own name, which the
        /// fingerprint leaves out: opening may accept them, or refuse a name that is no
        /// UTF-8 (`BadSchema`).
        odd_name: bool,
    },
    Refused(Refusal),
    /// Refused with the first, or the second where the file has an odd name (see `odd_name`),
    /// which is judged before the file's size.
    RefusedOr(Refusal, Refusal),
}

fn refusal(err: &Error) -> Option<Refusal> {
    Some(match *err {
        Error::FileTooSmall { needed, found, .. } => Refusal::FileTooSmall { needed, found },
        Error::BadMagic { .. } => Refusal::BadMagic,
        Error::VersionMismatch { .. } => Refusal::VersionMismatch,
        Error::LayoutMismatch { .. } => Refusal::LayoutMismatch,
        Error::BadHeader { .. } => Refusal::BadHeader,
        Error::BadSchema { .. } => Refusal::BadSchema,
        Error::UnsupportedFormat { .. } => Refusal::UnsupportedFormat,
        Error::NotWholeRecords { .. } => Refusal::NotWholeRecords,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VecOpen {
    Open,
    OpenOrCreate,
    ReadOnly,
}

/// What opening a `MappedVec<T>` file holding `bytes` must give, from the documented format
/// (`docs/file-formats.md`), checked in the documented order.
fn vec_model<T: Record>(bytes: &[u8], how: VecOpen) -> Expect {
    let header = T::empty_header();
    let ours = header.len();
    let size = bytes.len();
    if size == 0 && how == VecOpen::OpenOrCreate {
        // An empty file is taken over: a header is written.
        return Expect::Opens {
            len: 0,
            capacity: 0,
            data_offset: ours,
            odd_name: false,
        };
    }
    let too_small = Refusal::FileTooSmall {
        needed: ours as u64,
        found: size as u64,
    };
    let refused = |refusal| Expect::Refused(refusal);
    let differs = |range: std::ops::Range<usize>| bytes[range.clone()] != header[range];
    if size < 12 || (size < HEADER && differs(0..8)) {
        return refused(too_small);
    }
    if differs(0..8) {
        return refused(Refusal::BadMagic);
    }
    if differs(8..12) {
        return refused(Refusal::VersionMismatch);
    }
    if size < HEADER {
        return refused(too_small);
    }
    // Format 3, or format 2, whose record files are the same but for bytes 60..64.
    if !matches!(u32_at(bytes, 48..52), 2 | 3) {
        return refused(Refusal::UnsupportedFormat);
    }
    // Bytes 60..64 are the waiter word that live sharing owns: any value opens.
    if differs(52..56) {
        return refused(Refusal::BadHeader);
    }
    let schema_len = u32_at(bytes, SCHEMA_LEN) as usize;
    if schema_len > 1 << 24 {
        return refused(Refusal::BadHeader);
    }
    if schema_len > size - HEADER {
        return refused(too_small);
    }
    let data_offset = u64_at(bytes, DATA_OFFSET);
    if data_offset % HEADER as u64 != 0 || data_offset < (HEADER + schema_len) as u64 {
        return refused(Refusal::BadHeader);
    }
    if differs(12..32) {
        return refused(Refusal::LayoutMismatch);
    }
    let schema = &bytes[HEADER..HEADER + schema_len];
    let our_schema = &header[HEADER..HEADER + u32_at(header, SCHEMA_LEN) as usize];
    let odd_name = schema != our_schema;
    if odd_name && !differs_only_in_root_name(schema, our_schema) {
        return refused(Refusal::BadSchema);
    }
    // The type's own alignment is judged once the layouts are known to be related (a file of an
    // older layout, to be upgraded, may have had a smaller one).
    if data_offset % std::mem::align_of::<T>() as u64 != 0 {
        return refused(Refusal::BadHeader);
    }
    if (size as u64) < data_offset {
        let too_small = Refusal::FileTooSmall {
            needed: data_offset,
            found: size as u64,
        };
        return match odd_name {
            true => Expect::RefusedOr(too_small, Refusal::BadSchema),
            false => refused(too_small),
        };
    }
    let data_offset = data_offset as usize;
    let capacity = (size - data_offset) / size_of::<T>();
    let len = count_of(bytes).min(capacity as u64) as usize;
    Expect::Opens {
        len,
        capacity,
        data_offset,
        odd_name,
    }
}

/// Whether two schemas are the same but for what the fingerprint leaves out and opening may
/// accept: the bytes of the record struct's own name (refused only if they are no UTF-8), and
/// fields' `readonly` flags (bit 0 of each field's flags byte).
fn differs_only_in_root_name(schema: &[u8], ours: &[u8]) -> bool {
    if schema.len() != ours.len() {
        return false;
    }
    let free = free_bytes(ours);
    schema.iter().zip(ours).enumerate().all(|(at, (a, b))| {
        a == b
            || free
                .iter()
                .any(|&(pos, mask)| pos == at && (a ^ b) & !mask == 0)
    })
}

/// The positions in a schema (the documented encoding) whose bytes may change under the masks
/// given: the root struct's name (any bits) and each field's flags (bit 0).
fn free_bytes(schema: &[u8]) -> Vec<(usize, u8)> {
    fn walk(schema: &[u8], at: &mut usize, root: bool, free: &mut Vec<(usize, u8)>) {
        let tag = schema[*at];
        *at += 1;
        match tag {
            1..=3 => *at += 1,
            4 => {
                *at += 1;
                walk(schema, at, false, free);
            }
            5 => walk(schema, at, false, free),
            6 => {
                *at += 8;
                walk(schema, at, false, free);
            }
            7 => {
                let name_len = u32_at(schema, *at..*at + 4) as usize;
                if root {
                    free.extend((*at + 4..*at + 4 + name_len).map(|pos| (pos, 0xff)));
                }
                *at += 4 + name_len + 16;
                let count = u32_at(schema, *at..*at + 4);
                *at += 4;
                for _ in 0..count {
                    let field_name = u32_at(schema, *at..*at + 4) as usize;
                    *at += 4 + field_name + 16;
                    free.push((*at, 1));
                    *at += 1;
                    walk(schema, at, false, free);
                }
            }
            other => panic!("not a schema this build writes: tag {other}"),
        }
    }
    let mut free = Vec::new();
    walk(schema, &mut 0, true, &mut free);
    free
}

// ---- Reading a handle ----

/// Reads every record every way, comparing with `data` (the record bytes of the file), and
/// checks that nothing past `len()` is handed out.
fn read_all<T: Record>(
    len: usize,
    data: &[u8],
    get: impl Fn(usize) -> Option<Vec<u8>>,
    load: impl Fn(usize) -> T,
    iter: impl Fn() -> Vec<Vec<u8>>,
    iter_rev: impl Fn() -> Vec<Vec<u8>>,
    to_vec: impl Fn() -> Vec<T>,
) -> Result<(), TestCaseError> {
    let size = size_of::<T>();
    prop_assert!(
        len * size <= data.len(),
        "{} records in {} bytes",
        len,
        data.len()
    );
    let record = |i: usize| &data[i * size..(i + 1) * size];
    for i in 0..len {
        let got = get(i);
        prop_assert_eq!(got.as_deref(), Some(record(i)), "get({})", i);
        let loaded = load(i);
        prop_assert_eq!(loaded.as_bytes(), record(i), "load({})", i);
    }
    for past in [len, len + 1, len + 1000, usize::MAX / size, usize::MAX] {
        prop_assert!(get(past).is_none(), "get({}) past len {}", past, len);
    }
    let forward = iter();
    prop_assert_eq!(forward.len(), len);
    for (i, bytes) in forward.iter().enumerate() {
        prop_assert_eq!(&bytes[..], record(i), "iter item {}", i);
    }
    let mut backward = iter_rev();
    backward.reverse();
    prop_assert_eq!(backward, forward);
    let copied = to_vec();
    prop_assert_eq!(copied.len(), len);
    for (i, value) in copied.iter().enumerate() {
        prop_assert_eq!(value.as_bytes(), record(i), "to_vec()[{}]", i);
    }
    Ok(())
}

fn read_vec<T: Record, A: Readable>(
    vec: &MappedVec<T, A>,
    path: &Path,
    data: &[u8],
) -> Result<(), TestCaseError> {
    prop_assert_eq!(vec.path(), path);
    prop_assert_eq!(vec.is_empty(), vec.iter().next().is_none());
    prop_assert!(vec.len() <= vec.capacity());
    let debug = format!("{vec:?}");
    prop_assert!(!debug.is_empty());
    let mut records = vec.iter();
    prop_assert_eq!(records.len(), vec.len());
    prop_assert!(records.nth(vec.len()).is_none());
    read_all::<T>(
        vec.len(),
        data,
        |i| vec.get(i).map(T::bytes_of_get::<A>),
        |i| vec.load(i),
        || vec.iter().map(T::bytes_of_get::<A>).collect(),
        || vec.iter().rev().map(T::bytes_of_get::<A>).collect(),
        || vec.to_vec(),
    )
}

fn read_slice<T: Record, A: Readable>(
    slice: &MappedSlice<T, A>,
    path: &Path,
    data: &[u8],
) -> Result<(), TestCaseError> {
    prop_assert_eq!(slice.path(), path);
    prop_assert_eq!(slice.is_empty(), slice.iter().next().is_none());
    let debug = format!("{slice:?}");
    prop_assert!(!debug.is_empty());
    read_all::<T>(
        slice.len(),
        data,
        |i| slice.get(i).map(T::bytes_of_get::<A>),
        |i| slice.load(i),
        || slice.iter().map(T::bytes_of_get::<A>).collect(),
        || slice.iter().rev().map(T::bytes_of_get::<A>).collect(),
        || slice.to_vec(),
    )
}

/// A typed refusal naming the file, which is left exactly as it was.
fn check_refused(
    err: &Error,
    expected: Refusal,
    path: &Path,
    before: &[u8],
) -> Result<(), TestCaseError> {
    prop_assert_eq!(refusal(err), Some(expected), "{:?}", err);
    prop_assert_eq!(err.path(), Some(path));
    let message = err.to_string();
    prop_assert!(message.contains(&path.display().to_string()), "{}", message);
    let after = std::fs::read(path).expect("a refused file is still there");
    prop_assert!(after == before, "a refused file was modified");
    Ok(())
}

// ---- MappedVec ----

/// Settles an open against the model: `None` if it was (rightly) refused, else the handle and
/// the length and capacity it must have.
fn settle<H>(
    opened: Result<H, Error>,
    expect: Expect,
    how: VecOpen,
    path: &Path,
    bytes: &[u8],
) -> Result<Option<(H, usize, usize)>, TestCaseError> {
    match (expect, opened) {
        (Expect::Refused(refused), Err(err)) => {
            check_refused(&err, refused, path, bytes)?;
            Ok(None)
        }
        (Expect::Refused(refused), Ok(_)) | (Expect::RefusedOr(refused, _), Ok(_)) => {
            Err(TestCaseError::fail(format!(
                "{how:?} opened a file the model refuses ({refused:?})"
            )))
        }
        (Expect::RefusedOr(first, second), Err(err)) => {
            let either = if refusal(&err) == Some(second) {
                second
            } else {
                first
            };
            check_refused(&err, either, path, bytes)?;
            Ok(None)
        }
        (Expect::Opens { odd_name: true, .. }, Err(err)) => {
            check_refused(&err, Refusal::BadSchema, path, bytes)?;
            Ok(None)
        }
        (Expect::Opens { len, .. }, Err(err)) => Err(TestCaseError::fail(format!(
            "{how:?} refused a file the model opens with {len} records: {err:?}"
        ))),
        (Expect::Opens { len, capacity, .. }, Ok(handle)) => Ok(Some((handle, len, capacity))),
    }
}

/// Opens a file holding `bytes` as a `MappedVec<T>` the way `how` says, and checks the result
/// against the model. Returns whether it opened.
fn check_vec<T: Record>(bytes: &[u8], how: VecOpen, seed: u64) -> Result<bool, TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records.bin");
    std::fs::write(&path, bytes).unwrap();
    let expect = vec_model::<T>(bytes, how);
    let data_offset = match expect {
        Expect::Opens { data_offset, .. } => data_offset,
        Expect::Refused(_) | Expect::RefusedOr(..) => T::empty_header().len(),
    };
    let data = bytes.get(data_offset..).unwrap_or(&[]);

    let opened = match how {
        VecOpen::Open => MappedVec::<T>::open(&path),
        VecOpen::OpenOrCreate => MappedVec::<T>::open_or_create(&path),
        VecOpen::ReadOnly => {
            let opened = MappedVec::<T>::open_read_only(&path);
            let Some((mut reader, len, capacity)) = settle(opened, expect, how, &path, bytes)?
            else {
                return Ok(false);
            };
            prop_assert_eq!((reader.len(), reader.capacity()), (len, capacity));
            read_vec(&reader, &path, data)?;
            prop_assert_eq!(reader.refresh().expect("refresh"), len, "nothing changed");
            read_vec(&reader, &path, data)?;
            drop(reader);
            prop_assert!(
                std::fs::read(&path).unwrap() == bytes,
                "a reader changed the file"
            );
            return Ok(true);
        }
    };
    let Some((mut writer, len, capacity)) = settle(opened, expect, how, &path, bytes)? else {
        return Ok(false);
    };
    prop_assert_eq!((writer.len(), writer.capacity()), (len, capacity));
    read_vec(&writer, &path, data)?;

    // The writer changed nothing but the count, and only to the records really there; and, if it
    // corrected the count while the waiter word's waiting bit was set (a reader died waiting), it
    // woke the waiters, which moves the word to the next epoch with the bit clear.
    let mut expected = if bytes.is_empty() {
        T::empty_header().to_vec()
    } else {
        bytes.to_vec()
    };
    let count_before = expected[COUNT].to_vec();
    expected[COUNT].copy_from_slice(&(len as u64).to_ne_bytes());
    let waiter = u32::from_ne_bytes(expected[WAITER].try_into().unwrap());
    if expected[COUNT] != count_before[..] && waiter & 1 == 1 {
        expected[WAITER].copy_from_slice(&waiter.wrapping_add(1).to_ne_bytes());
    }
    let after = std::fs::read(&path).unwrap();
    prop_assert!(
        after == expected,
        "opening for writing changed more than the count"
    );

    // And pushing goes on after the last record counted.
    let value: T = record_from_seed(seed);
    writer.push(value).expect("push after opening");
    prop_assert_eq!(writer.len(), len + 1);
    prop_assert_eq!(
        writer.get(len).map(T::bytes_of_get::<mapped::ReadWrite>),
        Some(value.as_bytes().to_vec())
    );
    drop(writer);
    let reader = MappedVec::<T>::open_read_only(&path).unwrap();
    prop_assert_eq!(reader.len(), len + 1);
    let mut data = expected[data_offset..].to_vec();
    data.truncate(len * size_of::<T>());
    data.extend_from_slice(value.as_bytes());
    read_vec(&reader, &path, &data)?;
    Ok(true)
}

fn vec_open() -> impl Strategy<Value = VecOpen> {
    prop_oneof![
        Just(VecOpen::Open),
        Just(VecOpen::OpenOrCreate),
        Just(VecOpen::ReadOnly)
    ]
}

/// Which record type a case uses: `u8`, `u32`, `Rec`, `Wide`.
fn kind() -> impl Strategy<Value = u8> {
    prop_oneof![3 => Just(0u8), 3 => Just(1u8), 3 => Just(2u8), 1 => Just(3u8)]
}

macro_rules! for_kind {
    ($kind:expr, $f:ident ( $($arg:expr),* )) => {
        match $kind {
            0 => $f::<u8>($($arg),*),
            1 => $f::<u32>($($arg),*),
            2 => $f::<Rec>($($arg),*),
            _ => $f::<Wide>($($arg),*),
        }
    };
}

/// File lengths: mostly around the header, sometimes a few pages.
fn file_len() -> impl Strategy<Value = usize> {
    prop_oneof![
        2 => 0usize..160,
        3 => 0usize..3 * PAGE,
    ]
}

/// Counts: small ones near what a file holds, and anything at all.
fn count() -> impl Strategy<Value = u64> {
    prop_oneof![
        3 => 0u64..600,
        1 => any::<u64>(),
        1 => prop_oneof![Just(u64::MAX), Just(u64::MAX / 2), Just(1 << 32), Just(i64::MAX as u64)],
    ]
}

/// A file of `raw` bytes whose first `keep` bytes are a valid empty header for `T` (so the
/// checks pass up to a random field), with the count set to `count` if the header has it.
fn header_up_to<T: Record>(mut raw: Vec<u8>, keep: usize, count: u64) -> Vec<u8> {
    let header = T::empty_header();
    let keep = keep.min(header.len()).min(raw.len());
    raw[..keep].copy_from_slice(&header[..keep]);
    if keep >= COUNT.end {
        raw[COUNT].copy_from_slice(&count.to_ne_bytes());
    }
    raw
}

fn random_header_case<T: Record>(
    raw: Vec<u8>,
    keep: usize,
    count: u64,
    how: VecOpen,
    seed: u64,
) -> Result<bool, TestCaseError> {
    let bytes = header_up_to::<T>(raw, keep, count);
    check_vec::<T>(&bytes, how, seed)
}

/// A mutation of a valid record file.
#[derive(Debug, Clone)]
enum Mutation {
    /// XOR these header bytes (position modulo the header length, mask never zero).
    Flip(Vec<(usize, u8)>),
    /// Store this count.
    Count(u64),
    /// Cut the file to this fraction (per mille) of its length.
    Cut(u32),
    /// Both.
    CountAndCut(u64, u32),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => prop::collection::vec((0usize..128, 1u8..=255), 1..4).prop_map(Mutation::Flip),
        2 => count().prop_map(Mutation::Count),
        2 => (0u32..=1000).prop_map(Mutation::Cut),
        2 => (count(), 0u32..=1000).prop_map(|(c, cut)| Mutation::CountAndCut(c, cut)),
    ]
}

/// A valid file of `records` records of `T`, as the library writes it (capacity included).
fn valid_file<T: Record>(records: usize, truncated_to: usize, seed: u64) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("valid.bin");
    let mut log = MappedVec::<T>::open_or_create(&path).unwrap();
    for i in 0..records {
        log.push(record_from_seed(seed ^ i as u64)).unwrap();
    }
    log.truncate(truncated_to).unwrap();
    drop(log);
    std::fs::read(&path).unwrap()
}

fn mutated_case<T: Record>(
    records: usize,
    truncated_to: usize,
    mutation: Mutation,
    how: VecOpen,
    seed: u64,
) -> Result<bool, TestCaseError> {
    let mut bytes = valid_file::<T>(records, truncated_to, seed);
    let header_len = T::empty_header().len();
    let cut = |bytes: &mut Vec<u8>, per_mille: u32| {
        let len = bytes.len() * per_mille as usize / 1000;
        bytes.truncate(len);
    };
    match mutation {
        Mutation::Flip(flips) => {
            for (at, mask) in flips {
                bytes[at % header_len] ^= mask;
            }
        }
        Mutation::Count(count) => bytes[COUNT].copy_from_slice(&count.to_ne_bytes()),
        Mutation::Cut(per_mille) => cut(&mut bytes, per_mille),
        Mutation::CountAndCut(count, per_mille) => {
            bytes[COUNT].copy_from_slice(&count.to_ne_bytes());
            cut(&mut bytes, per_mille);
        }
    }
    check_vec::<T>(&bytes, how, seed)
}

// ---- MappedSlice ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SliceOpen {
    Open,
    ReadOnly,
    Private,
}

fn check_slice<T: Record>(bytes: &[u8], how: SliceOpen, seed: u64) -> Result<bool, TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slice.bin");
    std::fs::write(&path, bytes).unwrap();
    let size = size_of::<T>();
    if bytes.len() % size != 0 {
        let err = match how {
            SliceOpen::Open => MappedSlice::<T>::open(&path).err(),
            SliceOpen::ReadOnly => MappedSlice::<T>::open_read_only(&path).err(),
            SliceOpen::Private => MappedSlice::<T>::open_private(&path).err(),
        };
        let Some(err) = err else {
            return Err(TestCaseError::fail(format!(
                "{how:?} opened {} bytes of {size}-byte records",
                bytes.len()
            )));
        };
        check_refused(&err, Refusal::NotWholeRecords, &path, bytes)?;
        if let Error::NotWholeRecords {
            file_size,
            record_size,
            ..
        } = err
        {
            prop_assert_eq!((file_size, record_size), (bytes.len() as u64, size));
        }
        return Ok(false);
    }
    let len = bytes.len() / size;
    let value: T = record_from_seed(seed);
    let mut expected = bytes.to_vec();
    match how {
        SliceOpen::Open => {
            let slice = MappedSlice::<T>::open(&path).expect("whole records open");
            prop_assert_eq!(slice.len(), len);
            read_slice(&slice, &path, bytes)?;
            prop_assert!(slice.get_mut(len).is_none());
            let past = slice.set(len, value);
            let refused = matches!(
                past,
                Err(Error::IndexOutOfBounds { index, len: l }) if index == len && l == len
            );
            prop_assert!(refused, "set past the end: {:?}", past);
            if len > 0 {
                prop_assert!(slice.get_mut(len - 1).is_some());
                slice.set(len - 1, value).unwrap();
                expected[(len - 1) * size..].copy_from_slice(value.as_bytes());
                read_slice(&slice, &path, &expected)?;
            }
            slice.flush().unwrap();
        }
        SliceOpen::ReadOnly => {
            let slice = MappedSlice::<T>::open_read_only(&path).expect("whole records open");
            prop_assert_eq!(slice.len(), len);
            read_slice(&slice, &path, bytes)?;
        }
        SliceOpen::Private => {
            let slice = MappedSlice::<T>::open_private(&path).expect("whole records open");
            prop_assert_eq!(slice.len(), len);
            read_slice(&slice, &path, bytes)?;
            prop_assert!(slice.set(len, value).is_err());
            if len > 0 {
                slice.set(0, value).unwrap();
                let mut seen = bytes.to_vec();
                seen[..size].copy_from_slice(value.as_bytes());
                read_slice(&slice, &path, &seen)?;
            }
        }
    }
    let after = std::fs::read(&path).unwrap();
    prop_assert!(
        after == expected,
        "{:?} left the file other than written",
        how
    );
    Ok(true)
}

fn slice_case<T: Record>(
    mut raw: Vec<u8>,
    whole: bool,
    how: SliceOpen,
    seed: u64,
) -> Result<bool, TestCaseError> {
    if whole {
        raw.truncate(raw.len() / size_of::<T>() * size_of::<T>());
    }
    check_slice::<T>(&raw, how, seed)
}

fn slice_open() -> impl Strategy<Value = SliceOpen> {
    prop_oneof![
        Just(SliceOpen::Open),
        Just(SliceOpen::ReadOnly),
        Just(SliceOpen::Private)
    ]
}

// ---- The properties ----

proptest! {
    #![proptest_config(ProptestConfig { cases: common::proptest_cases(2000), ..ProptestConfig::default() })]

    /// Random bytes, with a valid header up to a random field (none, the magic, ... all of it)
    /// and a random count: each open agrees with the model.
    #[test]
    fn vec_files_with_a_header_valid_up_to_a_random_field(
        kind in kind(),
        len in file_len(),
        raw_seed in any::<u64>(),
        keep in prop_oneof![
            Just(0usize), Just(8), Just(12), Just(16), Just(24), Just(32), Just(40), Just(48), Just(52),
            Just(56), Just(60),
            Just(64), Just(usize::MAX)
        ],
        count in count(),
        how in vec_open(),
        seed in any::<u64>(),
    ) {
        let raw = random_bytes(len, raw_seed);
        for_kind!(kind, random_header_case(raw, keep, count, how, seed))?;
    }

    /// Valid files, then a few header bytes flipped, the count set to anything, the file cut at
    /// any length, or both.
    #[test]
    fn valid_vec_files_mutated(
        kind in kind(),
        records in prop_oneof![Just(0usize), 0usize..40, 0usize..700],
        kept in 0u32..=1000,
        mutation in mutation(),
        how in vec_open(),
        seed in any::<u64>(),
    ) {
        let truncated_to = records * kept as usize / 1000;
        for_kind!(kind, mutated_case(records, truncated_to, mutation, how, seed))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: common::proptest_cases(1000), ..ProptestConfig::default() })]

    /// Any bytes as a slice: whole records open (and read back exactly), the rest are
    /// `NotWholeRecords`, untouched.
    #[test]
    fn slice_files_of_random_bytes(
        kind in kind(),
        len in 0usize..3 * PAGE,
        raw_seed in any::<u64>(),
        whole in any::<bool>(),
        how in slice_open(),
        seed in any::<u64>(),
    ) {
        let raw = random_bytes(len, raw_seed);
        for_kind!(kind, slice_case(raw, whole, how, seed))?;
    }
}

// ---- Examples the properties rest on ----

/// The model refuses random bytes and opens a valid file: the properties are not vacuous.
#[test]
fn the_model_opens_valid_files_and_refuses_garbage() {
    let valid = valid_file::<Rec>(100, 100, 7);
    for how in [VecOpen::Open, VecOpen::OpenOrCreate, VecOpen::ReadOnly] {
        assert!(matches!(
            vec_model::<Rec>(&valid, how),
            Expect::Opens { len: 100, .. }
        ));
        assert!(check_vec::<Rec>(&valid, how, 1).unwrap());
        let garbage: Vec<u8> = (0..5000u64).map(|i| mix(i) as u8).collect();
        assert_eq!(
            vec_model::<Rec>(&garbage, how),
            Expect::Refused(Refusal::BadMagic)
        );
        assert!(!check_vec::<Rec>(&garbage, how, 1).unwrap());
    }
    // A 128-aligned record's file cut between the header and the data offset.
    let mut wide = valid_file::<Wide>(3, 3, 7);
    let data_offset = Wide::empty_header().len() as u64;
    wide.truncate(100);
    assert_eq!(
        vec_model::<Wide>(&wide, VecOpen::ReadOnly),
        Expect::Refused(Refusal::FileTooSmall {
            needed: data_offset,
            found: 100
        })
    );
    assert!(!check_vec::<Wide>(&wide, VecOpen::Open, 1).unwrap());
}

/// A count of `u64::MAX` over a large sparse file: readers count the records the file holds,
/// reach the last one, and nothing past it.
#[test]
fn a_huge_count_over_a_sparse_file_counts_only_what_the_file_holds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sparse.bin");
    let mut header = u32::empty_header().to_vec();
    header[COUNT].copy_from_slice(&u64::MAX.to_ne_bytes());
    std::fs::write(&path, &header).unwrap();
    let data_offset = header.len() as u64;
    let size = data_offset + (1u64 << 30) + 3; // 2^28 records and 3 stray bytes, no disk blocks
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(size)
        .unwrap();
    let mut reader = MappedVec::<u32>::open_read_only(&path).unwrap();
    assert_eq!(reader.len(), 1 << 28);
    assert_eq!(reader.refresh().unwrap(), 1 << 28);
    assert_eq!(reader.get((1 << 28) - 1), Some(0));
    assert_eq!(reader.get(1 << 28), None);
    assert_eq!(reader.iter().nth((1 << 28) - 1), Some(0));
    let slice = MappedSlice::<u8>::open_read_only(&path).unwrap();
    assert_eq!(slice.len() as u64, size);
    assert_eq!(size % 4, 3, "not whole u32 records");
    assert_eq!(slice.get(size as usize - 1), Some(0));
    assert_eq!(slice.get(size as usize), None);
    assert!(matches!(
        MappedSlice::<u32>::open_read_only(&path),
        Err(Error::NotWholeRecords { .. })
    ));
}

/// Directories and FIFOs are refused by every record constructor, without waiting for a FIFO's
/// writer, and left in place.
#[test]
fn directories_and_fifos_are_not_record_files() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let subdir = dir.path().join("subdir");
    std::fs::create_dir(&subdir).unwrap();
    for path in [&fifo, &subdir] {
        let errors = [
            MappedVec::<Rec>::open(path).err(),
            MappedVec::<Rec>::open_or_create(path).err(),
            MappedVec::<Rec>::open_read_only(path).err(),
            MappedSlice::<Rec>::open(path).err(),
            MappedSlice::<Rec>::open_read_only(path).err(),
            MappedSlice::<Rec>::open_private(path).err(),
        ];
        for err in errors {
            let err = err.expect("refused");
            assert!(
                matches!(&err, Error::NotRegularFile { .. } | Error::Io { .. }),
                "{err:?}"
            );
            assert_eq!(err.path(), Some(path.as_path()));
        }
        assert!(path.exists());
    }
}
