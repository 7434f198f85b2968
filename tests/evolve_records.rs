//! Schema evolution of record files (issue 14): three layouts of one record, `{a}`, `{a, b}` and
//! `{a, b, c}`, written and read in every pair and every open mode; `MappedVec::upgrade` and what
//! it promises (idempotent, refuses newer and unrelated files, fails fast while a writer has the
//! file, keeps symbolic links and permissions, replaces a leftover temporary file); readers told
//! `Replaced`; a writer that opened just before a rename finds the new file.
//!
//! The crash safety of `upgrade` is tested by killing it, in `tests/evolve_records_kill.rs`.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use mapped::{Error, FieldType, Mapped, MappedVec};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

mod common;

use common::TempDir;

mod v1 {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, PartialEq, Clone, Copy)]
    #[repr(C)]
    pub struct Rec {
        pub a: u64,
    }
}

mod v2 {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, PartialEq, Clone, Copy)]
    #[repr(C)]
    pub struct Rec {
        pub a: u64,
        pub b: u64,
    }
}

mod v3 {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, PartialEq, Clone, Copy)]
    #[repr(C)]
    pub struct Rec {
        pub a: u64,
        pub b: u64,
        pub c: u64,
    }
}

/// One of the three layouts: how many fields it has, its records as field values, and the
/// accessors a test needs of its views (which generic code cannot name).
trait Layout: FieldType<Value = Self> + Copy + std::fmt::Debug {
    const FIELDS: usize;
    fn from_fields(fields: &[u64]) -> Self;
    fn fields(&self) -> Vec<u64>;
    /// Every record through the iterator's views: front to back (`next`), back to front, by
    /// `fold` (which chooses its loop by the stride), and the third through `nth`.
    fn through_views(log: &MappedVec<Self, mapped::ReadOnly>) -> [Vec<Vec<u64>>; 4];
    /// `get_mut(index).set_a(a)`: a field setter.
    fn set_a(log: &MappedVec<Self>, index: usize, a: u64);
}

macro_rules! layout {
    ($ty:ty, $n:expr, [$($field:ident),*]) => {
        impl Layout for $ty {
            const FIELDS: usize = $n;
            fn from_fields(f: &[u64]) -> Self {
                let mut k = 0..;
                $(let $field = f[k.next().unwrap()];)*
                Self { $($field),* }
            }
            fn fields(&self) -> Vec<u64> {
                vec![$(self.$field),*]
            }
            fn through_views(log: &MappedVec<Self, mapped::ReadOnly>) -> [Vec<Vec<u64>>; 4] {
                let forward = log.iter().map(|r| vec![$(r.$field()),*]).collect();
                let mut backward: Vec<_> = log.iter().rev().map(|r| vec![$(r.$field()),*]).collect();
                backward.reverse();
                let third = log.iter().nth(2).map(|r| vec![$(r.$field()),*]).into_iter().collect();
                let folded = log.iter().fold(Vec::new(), |mut all, r| {
                    all.push(vec![$(r.$field()),*]);
                    all
                });
                [forward, backward, folded, third]
            }
            fn set_a(log: &MappedVec<Self>, index: usize, a: u64) {
                log.get_mut(index).unwrap().set_a(a);
            }
        }
    };
}

layout!(v1::Rec, 1, [a]);
layout!(v2::Rec, 2, [a, b]);
layout!(v3::Rec, 3, [a, b, c]);

const NAMES: [&str; 3] = ["a", "b", "c"];

/// Field `k` of record `i` as a writer of layout `writer` writes it: distinct everywhere.
fn value(i: usize, k: usize, writer: usize) -> u64 {
    (i as u64 + 1) * 1000 + k as u64 * 10 + writer as u64
}

/// Every record of a record file as field values, read from its bytes as the format describes
/// them (the header's record size is the stride): the ground truth, whatever layout wrote it.
fn raw_records(path: &Path) -> Vec<Vec<u64>> {
    let bytes = std::fs::read(path).unwrap();
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    let (stride, data_offset) = (word(24) as usize, word(32) as usize);
    let count = u64::from_ne_bytes(bytes[40..48].try_into().unwrap()) as usize;
    (0..count)
        .map(|i| {
            let record = &bytes[data_offset + i * stride..data_offset + (i + 1) * stride];
            record
                .chunks_exact(8)
                .map(|w| u64::from_ne_bytes(w.try_into().unwrap()))
                .collect()
        })
        .collect()
}

/// A file of `n` records of layout `W`, every field set.
fn write_file<W: Layout>(path: &Path, n: usize) {
    let mut log = MappedVec::<W>::open_or_create(path).unwrap();
    for i in 0..n {
        let fields: Vec<u64> = (0..W::FIELDS).map(|k| value(i, k, W::FIELDS)).collect();
        log.push(W::from_fields(&fields)).unwrap();
    }
    log.flush().unwrap();
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Open,
    OpenOrCreate,
    ReadOnly,
}

const MODES: [Mode; 3] = [Mode::Open, Mode::OpenOrCreate, Mode::ReadOnly];

/// Reads the file as layout `R` in `mode`, returning its records (or the refusal).
fn read_as<R: Layout>(path: &Path, mode: Mode) -> Result<Vec<Vec<u64>>, Error> {
    let records = match mode {
        Mode::Open => MappedVec::<R>::open(path)?.to_vec(),
        Mode::OpenOrCreate => MappedVec::<R>::open_or_create(path)?.to_vec(),
        Mode::ReadOnly => {
            let log = MappedVec::<R>::open_read_only(path)?;
            // The iterator (at the file's stride, both ways) and indexed access agree.
            let by_index: Vec<R> = (0..log.len()).map(|i| log.load(i)).collect();
            let fields: Vec<Vec<u64>> = by_index.iter().map(Layout::fields).collect();
            let [forward, backward, folded, third] = R::through_views(&log);
            assert_eq!(forward, fields);
            assert_eq!(backward, fields);
            assert_eq!(folded, fields);
            assert_eq!(
                third,
                fields.get(2).into_iter().cloned().collect::<Vec<_>>()
            );
            assert_eq!(log.iter().len(), log.len());
            by_index
        }
    };
    Ok(records.iter().map(Layout::fields).collect())
}

/// Layout `R` meets a file written by layout `W`, in every mode: an older reader reads its own
/// fields and, writing, keeps or zeros the newer ones as documented; the same layout reads
/// everything; a newer one is told to upgrade and leaves the file untouched.
fn pair<W: Layout, R: Layout>() {
    const N: usize = 5;
    for mode in MODES {
        let tmp = TempDir::new();
        let path = tmp.path("records.bin");
        write_file::<W>(&path, N);
        let before = std::fs::read(&path).unwrap();
        let what = format!(
            "file of {} fields read by {} in {mode:?}",
            W::FIELDS,
            R::FIELDS
        );
        if R::FIELDS > W::FIELDS {
            match read_as::<R>(&path, mode) {
                Err(Error::NeedsUpgrade { missing, path: p }) => {
                    assert_eq!(missing, NAMES[W::FIELDS..R::FIELDS], "{what}");
                    assert_eq!(p, path);
                }
                other => panic!("{what}: {other:?}"),
            }
            assert_eq!(std::fs::read(&path).unwrap(), before, "{what}: untouched");
            continue;
        }
        let records = read_as::<R>(&path, mode).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(records.len(), N, "{what}");
        for (i, record) in records.iter().enumerate() {
            let expected: Vec<u64> = (0..R::FIELDS).map(|k| value(i, k, W::FIELDS)).collect();
            assert_eq!(record, &expected, "{what}: record {i}");
        }
        if mode == Mode::ReadOnly {
            assert_eq!(std::fs::read(&path).unwrap(), before, "{what}: untouched");
            continue;
        }
        write_as::<W, R>(&path, mode, N, &what);
    }
}

/// Writes through layout `R` (older than or the same as the file's `W`) every way there is, then
/// checks the file's bytes: `R`'s fields where written, the newer fields kept by a field setter,
/// zeroed by a whole-record write.
fn write_as<W: Layout, R: Layout>(path: &Path, mode: Mode, n: usize, what: &str) {
    let written = |i: usize, k: usize| value(i, k, 7);
    {
        let mut log = match mode {
            Mode::Open => MappedVec::<R>::open(path).unwrap(),
            _ => MappedVec::<R>::open_or_create(path).unwrap(),
        };
        // Record 0: a field setter (only `a`); record 1: `set`; record 2: a view's `set_a` too.
        R::set_a(&log, 0, written(0, 0));
        let whole =
            |i: usize| R::from_fields(&(0..R::FIELDS).map(|k| written(i, k)).collect::<Vec<_>>());
        log.set(1, whole(1)).unwrap();
        R::set_a(&log, 2, written(2, 0));
        // Appended: one push, a slice, an iterator (the last ones grow the file).
        log.push(whole(n)).unwrap();
        log.extend_from_slice(&[whole(n + 1), whole(n + 2)])
            .unwrap();
        log.extend((n + 3..n + 300).map(whole)).unwrap();
        assert_eq!(log.len(), n + 300, "{what}");
        log.flush().unwrap();
    }
    let raw = raw_records(path);
    assert_eq!(raw.len(), n + 300, "{what}");
    let stride = W::FIELDS;
    for (i, record) in raw.iter().enumerate() {
        assert_eq!(
            record.len(),
            stride,
            "{what}: the file keeps its record size"
        );
        let expected: Vec<u64> = (0..W::FIELDS)
            .map(|k| match i {
                // Field setters: `a` written, every other field as the file's writer left it.
                0 | 2 if k == 0 => written(i, 0),
                0 | 2 => value(i, k, W::FIELDS),
                // `set`: `R`'s fields written, the newer ones zeroed.
                1 if k < R::FIELDS => written(i, k),
                1 => 0,
                _ if i < n => value(i, k, W::FIELDS),
                // Appended by `R`: its fields, then zeros.
                _ if k < R::FIELDS => written(i, k),
                _ => 0,
            })
            .collect();
        assert_eq!(record, &expected, "{what}: record {i}");
    }
    // The file's own layout reads it all back the same way.
    let full = read_as::<W>(path, Mode::ReadOnly).unwrap();
    assert_eq!(full, raw, "{what}");
}

#[test]
fn every_pair_of_writer_and_reader_layouts_in_every_mode() {
    pair::<v1::Rec, v1::Rec>();
    pair::<v1::Rec, v2::Rec>();
    pair::<v1::Rec, v3::Rec>();
    pair::<v2::Rec, v1::Rec>();
    pair::<v2::Rec, v2::Rec>();
    pair::<v2::Rec, v3::Rec>();
    pair::<v3::Rec, v1::Rec>();
    pair::<v3::Rec, v2::Rec>();
    pair::<v3::Rec, v3::Rec>();
}

/// Upgrades a file of layout `W` to `U`, then checks every layout reads what it should.
fn upgrade_pair<W: Layout, U: Layout>() {
    const N: usize = 1000;
    let tmp = TempDir::new();
    let path = tmp.path("records.bin");
    write_file::<W>(&path, N);
    let before = std::fs::read(&path).unwrap();
    let what = format!("upgrade of {} fields to {}", W::FIELDS, U::FIELDS);
    let result = MappedVec::<U>::upgrade(&path);
    if U::FIELDS < W::FIELDS {
        match result {
            Err(err @ Error::LayoutMismatch { .. }) => {
                assert!(err.to_string().contains("newer"), "{what}: {err}");
            }
            other => panic!("{what}: {other:?}"),
        }
        assert_eq!(std::fs::read(&path).unwrap(), before, "{what}: untouched");
        return;
    }
    result.unwrap_or_else(|e| panic!("{what}: {e}"));
    if U::FIELDS == W::FIELDS {
        assert_eq!(std::fs::read(&path).unwrap(), before, "{what}: a no-op");
    }
    // Idempotent.
    let after = std::fs::read(&path).unwrap();
    MappedVec::<U>::upgrade(&path).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        after,
        "{what}: the second is a no-op"
    );
    let raw = raw_records(&path);
    assert_eq!(raw.len(), N);
    for (i, record) in raw.iter().enumerate() {
        let expected: Vec<u64> = (0..U::FIELDS)
            .map(|k| {
                if k < W::FIELDS {
                    value(i, k, W::FIELDS)
                } else {
                    0
                }
            })
            .collect();
        assert_eq!(record, &expected, "{what}: record {i}");
    }
    // The new layout opens it in every mode; older layouts too (newer file).
    assert_eq!(read_as::<U>(&path, Mode::Open).unwrap(), raw);
    assert_eq!(read_as::<U>(&path, Mode::ReadOnly).unwrap().len(), N);
    let old = read_as::<W>(&path, Mode::ReadOnly).unwrap();
    for (record, raw) in old.iter().zip(&raw) {
        assert_eq!(record[..], raw[..W::FIELDS], "{what}");
    }
    // And it still grows: pushes after an upgrade land at the new stride.
    let mut log = MappedVec::<U>::open(&path).unwrap();
    log.extend((0..100).map(|i| U::from_fields(&vec![i; U::FIELDS])))
        .unwrap();
    drop(log);
    assert_eq!(raw_records(&path)[N + 99], vec![99; U::FIELDS]);
}

#[test]
fn upgrades_between_every_pair_of_layouts() {
    upgrade_pair::<v1::Rec, v1::Rec>();
    upgrade_pair::<v1::Rec, v2::Rec>();
    upgrade_pair::<v1::Rec, v3::Rec>();
    upgrade_pair::<v2::Rec, v1::Rec>();
    upgrade_pair::<v2::Rec, v2::Rec>();
    upgrade_pair::<v2::Rec, v3::Rec>();
    upgrade_pair::<v3::Rec, v1::Rec>();
    upgrade_pair::<v3::Rec, v2::Rec>();
    upgrade_pair::<v3::Rec, v3::Rec>();
}

#[test]
fn an_empty_file_upgrades_too() {
    let tmp = TempDir::new();
    let path = tmp.path("empty.bin");
    MappedVec::<v1::Rec>::open_or_create(&path).unwrap();
    MappedVec::<v3::Rec>::upgrade(&path).unwrap();
    let log = MappedVec::<v3::Rec>::open(&path).unwrap();
    assert!(log.is_empty());
}

mod narrow {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, Clone, Copy)]
    #[repr(C)]
    pub struct Rec {
        pub a: u32,
    }
}

mod wide {
    use super::*;
    /// `narrow::Rec` with fields appended, and its alignment grown from 4 to 8.
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, Clone, Copy)]
    #[repr(C)]
    pub struct Rec {
        pub a: u32,
        pub flags: u32,
        pub total: u64,
    }
}

#[test]
fn alignment_may_grow() {
    let tmp = TempDir::new();
    let path = tmp.path("narrow.bin");
    let mut log = MappedVec::<narrow::Rec>::open_or_create(&path).unwrap();
    log.extend((0..50).map(|a| narrow::Rec { a })).unwrap();
    drop(log);
    MappedVec::<wide::Rec>::upgrade(&path).unwrap();
    let wide = MappedVec::<wide::Rec>::open(&path).unwrap();
    assert_eq!(wide.len(), 50);
    for (i, r) in wide.iter().enumerate() {
        assert_eq!((r.a(), r.flags(), r.total()), (i as u32, 0, 0));
    }
    wide.get_mut(3).unwrap().set_total(33);
    drop(wide);
    // The narrow layout reads the wide file at its 16-byte stride.
    let narrow = MappedVec::<narrow::Rec>::open_read_only(&path).unwrap();
    let a: Vec<u32> = narrow.iter().map(|r| r.a()).collect();
    assert_eq!(a, (0..50).collect::<Vec<u32>>());
    assert_eq!(narrow.load(49).a, 49);
    let raw = std::fs::read(&path).unwrap();
    assert_eq!(u64::from_le_bytes(raw[24..32].try_into().unwrap()), 16);
}

mod retyped {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, Clone, Copy)]
    #[repr(C)]
    pub struct Rec {
        pub a: u32,
        pub pad: u32,
    }
}

mod inserted {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, Clone, Copy)]
    #[repr(C)]
    pub struct Rec {
        pub a: u64,
        pub x: u64,
        pub b: u64,
    }
}

mod renamed {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, Clone, Copy)]
    #[repr(C)]
    pub struct Rec {
        pub z: u64,
        pub b: u64,
    }
}

/// Opens (every mode) and upgrades the file as `T`, expecting `LayoutMismatch` naming `field`,
/// the file untouched.
fn refused<T: FieldType>(path: &Path, field: &str) {
    let before = std::fs::read(path).unwrap();
    let results = [
        MappedVec::<T>::open(path).map(drop),
        MappedVec::<T>::open_or_create(path).map(drop),
        MappedVec::<T>::open_read_only(path).map(drop),
        MappedVec::<T>::upgrade(path),
    ];
    for result in results {
        match result {
            Err(err @ Error::LayoutMismatch { .. }) => {
                assert!(err.to_string().contains(field), "{field}: {err}");
            }
            other => panic!("{field}: {other:?}"),
        }
    }
    assert_eq!(std::fs::read(path).unwrap(), before);
}

#[test]
fn anything_but_appending_is_a_layout_mismatch() {
    let tmp = TempDir::new();
    let path = tmp.path("records.bin");
    write_file::<v2::Rec>(&path, 3);
    refused::<retyped::Rec>(&path, "`a`");
    refused::<inserted::Rec>(&path, "`x`");
    refused::<renamed::Rec>(&path, "`z`");
    // `{a}` removed from the front of a file of `{a, b}`: the same for a scalar.
    refused::<u64>(&path, "records");
}

#[test]
fn a_file_of_the_other_byte_order_is_a_layout_mismatch() {
    let tmp = TempDir::new();
    let path = tmp.path("records.bin");
    write_file::<v2::Rec>(&path, 3);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[12] ^= 3; // byte order 1 <-> 2
    std::fs::write(&path, &bytes).unwrap();
    for result in [
        MappedVec::<v1::Rec>::open(&path).map(drop),
        MappedVec::<v2::Rec>::open_read_only(&path).map(drop),
        MappedVec::<v3::Rec>::open(&path).map(drop),
        MappedVec::<v3::Rec>::upgrade(&path),
    ] {
        match result {
            Err(Error::LayoutMismatch {
                foreign_byte_order: true,
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn a_newer_file_whose_record_size_breaks_alignment_is_refused() {
    let tmp = TempDir::new();
    let path = tmp.path("records.bin");
    write_file::<v2::Rec>(&path, 3);
    let mut bytes = std::fs::read(&path).unwrap();
    // Claim a record size of 12 for `{a, b}` (as if a `u32` had been appended to `{a}`): the
    // header's size no longer matches its schema.
    bytes[24..32].copy_from_slice(&12u64.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    assert!(matches!(
        MappedVec::<v1::Rec>::open_read_only(&path),
        Err(Error::BadSchema { .. })
    ));
}

#[test]
fn upgrade_fails_fast_while_a_writer_has_the_file() {
    let tmp = TempDir::new();
    let path = tmp.path("records.bin");
    write_file::<v1::Rec>(&path, 3);
    let writer = MappedVec::<v1::Rec>::open(&path).unwrap();
    let before = std::fs::read(&path).unwrap();
    assert!(matches!(
        MappedVec::<v2::Rec>::upgrade(&path),
        Err(Error::Locked { .. })
    ));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    drop(writer);
    MappedVec::<v2::Rec>::upgrade(&path).unwrap();
}

#[test]
fn upgrade_keeps_a_symlink_and_the_permissions() {
    let tmp = TempDir::new();
    let real = tmp.path("real.bin");
    let link = tmp.path("link.bin");
    write_file::<v1::Rec>(&real, 10);
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("real.bin", &link).unwrap();
    MappedVec::<v2::Rec>::upgrade(&link).unwrap();
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("real.bin"));
    let meta = std::fs::metadata(&real).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o640);
    let log = MappedVec::<v2::Rec>::open_read_only(&real).unwrap();
    assert_eq!(log.len(), 10);
    assert_eq!(
        log.load(9),
        v2::Rec {
            a: value(9, 0, 1),
            b: 0
        }
    );
    // Nothing else is left in the directory.
    let mut names: Vec<_> = std::fs::read_dir(tmp.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["link.bin", "real.bin"]);
}

#[test]
fn a_leftover_temporary_file_is_replaced() {
    let tmp = TempDir::new();
    let path = tmp.path("records.bin");
    write_file::<v1::Rec>(&path, 10);
    let leftover = tmp.path(".records.bin.mapped-upgrade");
    std::fs::write(&leftover, b"half an upgrade").unwrap();
    std::fs::set_permissions(&leftover, std::fs::Permissions::from_mode(0o400)).unwrap();
    MappedVec::<v2::Rec>::upgrade(&path).unwrap();
    assert!(!leftover.exists());
    assert_eq!(MappedVec::<v2::Rec>::open(&path).unwrap().len(), 10);
}

#[test]
fn a_missing_file_is_an_io_error() {
    let tmp = TempDir::new();
    match MappedVec::<v2::Rec>::upgrade(tmp.path("missing.bin")) {
        Err(err @ Error::Io { .. }) => assert!(err.to_string().contains("missing.bin"), "{err}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn readers_of_a_replaced_file_are_told() {
    let tmp = TempDir::new();
    let path = tmp.path("records.bin");
    write_file::<v1::Rec>(&path, 10);
    let mut reader = MappedVec::<v1::Rec>::open_read_only(&path).unwrap();
    let mut newer_reader = MappedVec::<v1::Rec>::open_read_only(&path).unwrap();
    assert_eq!(reader.refresh().unwrap(), 10);
    reader.check_file().unwrap();
    MappedVec::<v2::Rec>::upgrade(&path).unwrap();
    for result in [reader.refresh().map(drop), reader.check_file()] {
        match result {
            Err(Error::Replaced { path: p }) => assert_eq!(p, path),
            other => panic!("{other:?}"),
        }
    }
    // It still holds the old file's records, and reopening follows the path.
    assert_eq!(reader.len(), 10);
    assert_eq!(reader.load(9).a, value(9, 0, 1));
    assert!(matches!(
        newer_reader.check_file(),
        Err(Error::Replaced { .. })
    ));
    newer_reader = MappedVec::<v1::Rec>::open_read_only(&path).unwrap();
    newer_reader.check_file().unwrap();
    assert_eq!(newer_reader.refresh().unwrap(), 10);

    // A writer is told too, when the file is renamed over by hand (an upgrade waits for it).
    let writer = MappedVec::<v1::Rec>::open(&path).unwrap();
    let other = tmp.path("other.bin");
    write_file::<v1::Rec>(&other, 1);
    std::fs::rename(&other, &path).unwrap();
    assert!(matches!(writer.check_file(), Err(Error::Replaced { .. })));
    // And deleted.
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(
        newer_reader.refresh(),
        Err(Error::Replaced { .. })
    ));
}

/// A reader asleep in `wait_len` on the file an upgrade replaces is woken by the upgrade and told
/// at once, not at the end of its (long) timeout.
#[test]
fn an_upgrade_wakes_readers_waiting_on_the_old_file() {
    let tmp = TempDir::new();
    let path = tmp.path("records.bin");
    write_file::<v1::Rec>(&path, 3);
    let timeout = std::time::Duration::from_secs(60);
    let waiting = {
        let path = path.clone();
        std::thread::spawn(move || {
            let mut reader = MappedVec::<v1::Rec>::open_read_only(&path).unwrap();
            let started = std::time::Instant::now();
            let result = reader.wait_len(4, timeout);
            (result, started.elapsed())
        })
    };
    // Until the reader has set its waiting bit (header bytes 60..64), it is not asleep yet.
    let waiter_word = |path: &Path| {
        let bytes = std::fs::read(path).unwrap();
        u32::from_ne_bytes(bytes[60..64].try_into().unwrap())
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while waiter_word(&path) & 1 == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the reader never waited"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    MappedVec::<v2::Rec>::upgrade(&path).unwrap();
    let (result, waited) = waiting.join().unwrap();
    assert!(matches!(result, Err(Error::Replaced { .. })), "{result:?}");
    // Woken by the upgrade: nowhere near the timeout (a reader left to it would take 60 s).
    assert!(waited < timeout / 2, "waited {waited:?}");
}

/// Writers and a process that replaces the file (under the writer's lock, as an upgrade does)
/// race: every push a writer made is in the final file. A writer that opened the old file just
/// before the rename, and took its lock just after, must find the path renamed over and open the
/// new file, or its records would go to the orphaned old one.
#[test]
fn a_writer_that_opened_just_before_a_rename_pushes_into_the_new_file() {
    let tmp = TempDir::new();
    let path = tmp.path("records.bin");
    MappedVec::<v1::Rec>::open_or_create(&path).unwrap();
    const WRITERS: u64 = 2;
    const PUSHES: u64 = 300;
    const REPLACEMENTS: u64 = 300;
    std::thread::scope(|scope| {
        for w in 0..WRITERS {
            let path = &path;
            scope.spawn(move || {
                let mut pushed = 0;
                while pushed < PUSHES {
                    match MappedVec::<v1::Rec>::open(path) {
                        Ok(mut log) => {
                            log.push(v1::Rec {
                                a: w << 32 | pushed,
                            })
                            .unwrap();
                            pushed += 1;
                        }
                        Err(Error::Locked { .. }) => std::thread::yield_now(),
                        Err(err) => panic!("{err}"),
                    }
                }
            });
        }
        let (path, temp) = (&path, tmp.path("replacement.bin"));
        scope.spawn(move || {
            let mut done = 0;
            while done < REPLACEMENTS {
                let Ok(log) = MappedVec::<v1::Rec>::open(path) else {
                    std::thread::yield_now();
                    continue;
                };
                // A copy of the file, under the lock, renamed over it: what an upgrade does.
                std::fs::copy(path, &temp).unwrap();
                std::fs::rename(&temp, path).unwrap();
                drop(log);
                done += 1;
            }
        });
    });
    let log = MappedVec::<v1::Rec>::open_read_only(&path).unwrap();
    let mut found: Vec<u64> = log.iter().map(|r| r.a()).collect();
    found.sort_unstable();
    let mut expected: Vec<u64> = (0..WRITERS)
        .flat_map(|w| (0..PUSHES).map(move |i| w << 32 | i))
        .collect();
    expected.sort_unstable();
    assert_eq!(found, expected, "every push is in the file the path names");
}

/// The window itself, made to happen: the file is renamed over after the writer opened it and
/// before it locks it. The writer must push into the file the path names afterwards.
#[test]
fn a_file_renamed_over_between_open_and_lock_is_opened_again() {
    let tmp = TempDir::new();
    let path = tmp.path("records.bin");
    write_file::<v1::Rec>(&path, 3);
    let (from, to) = (tmp.path("replacement.bin"), path.clone());
    write_file::<v1::Rec>(&from, 5);
    MappedVec::<v1::Rec>::before_next_lock(&path, move || std::fs::rename(&from, &to).unwrap());
    let mut log = MappedVec::<v1::Rec>::open(&path).unwrap();
    assert_eq!(log.len(), 5, "the writer has the new file");
    log.push(v1::Rec { a: 42 }).unwrap();
    log.check_file().unwrap();
    drop(log);
    let raw = raw_records(&path);
    assert_eq!(raw.len(), 6);
    assert_eq!(raw[5], [42]);

    // An upgrade, the same: it upgrades the file the path names once it holds the lock.
    let (from, to) = (tmp.path("replacement.bin"), path.clone());
    write_file::<v1::Rec>(&from, 7);
    MappedVec::<v1::Rec>::before_next_lock(&path, move || std::fs::rename(&from, &to).unwrap());
    MappedVec::<v2::Rec>::upgrade(&path).unwrap();
    assert_eq!(MappedVec::<v2::Rec>::open(&path).unwrap().len(), 7);
}

mod aligned {
    use super::*;
    /// `v2::Rec` aligned to 16: records of `v3::Rec` (24 bytes) cannot all start aligned for it.
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, Clone, Copy)]
    #[repr(C, align(16))]
    pub struct Rec {
        pub a: u64,
        pub b: u64,
    }
}

#[test]
fn a_newer_file_whose_records_cannot_be_aligned_for_the_type_is_refused() {
    let tmp = TempDir::new();
    let path = tmp.path("records.bin");
    write_file::<v3::Rec>(&path, 3);
    let before = std::fs::read(&path).unwrap();
    match MappedVec::<aligned::Rec>::open_read_only(&path) {
        Err(Error::BadHeader {
            field,
            found,
            expected,
            ..
        }) => assert_eq!((field, found, expected), ("record size", 24, 16)),
        other => panic!("{other:?}"),
    }
    assert!(MappedVec::<aligned::Rec>::open(&path).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

const CHDIR_ROLE: &str = "MAPPED_EVOLVE_CHDIR_DIR";

/// A handle opened by a relative path stays "at its path" after the process changes its working
/// directory: the path is made absolute when the file is opened. Run in a child process (this
/// binary again), since the working directory is the whole process's.
#[test]
fn a_relative_path_is_not_replaced_by_a_change_of_directory() {
    if let Some(dir) = std::env::var_os(CHDIR_ROLE) {
        std::env::set_current_dir(&dir).unwrap();
        let mut reader = MappedVec::<v1::Rec>::open_read_only("records.bin").unwrap();
        let writer = MappedVec::<v1::Rec>::open("records.bin").unwrap();
        std::env::set_current_dir("/").unwrap();
        reader.check_file().unwrap();
        assert_eq!(reader.refresh().unwrap(), 2);
        writer.check_file().unwrap();
        std::process::exit(0);
    }
    let tmp = TempDir::new();
    write_file::<v1::Rec>(&tmp.path("records.bin"), 2);
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_relative_path_is_not_replaced_by_a_change_of_directory",
            "--test-threads=1",
        ])
        .env(CHDIR_ROLE, tmp.dir.path())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "the child: {status}");
}
