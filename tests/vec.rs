//! `MappedVec` in one process: the contract, growth, the file format, and every bad file.
//! Other processes (a live reader, a second writer, a killed writer) are in `vec_processes.rs`.

use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use mapped::{Error, Mapped, MappedVec, Op};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

/// The record of the contract: 16 bytes.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, PartialEq, Clone)]
#[repr(C)]
struct Reading {
    at: u64,
    sensor: u32,
    value: f32,
}

/// Same size as `Reading`, another layout.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, PartialEq)]
#[repr(C)]
struct Pair {
    a: u64,
    b: u64,
}

fn reading(at: u64) -> Reading {
    Reading {
        at,
        sensor: (at % 7) as u32,
        value: at as f32 / 2.0,
    }
}

fn temp(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    (dir, path)
}

/// Where `u64` records start: past the 64-byte fixed header and the 2-byte schema of a `u64`,
/// rounded up to a multiple of 64 (`docs/file-formats.md`; the format test below checks it).
const HEADER: usize = 128;
const COUNT_AT: usize = 40;

/// A valid header for `u64` records with the given count, then `records` records' worth of bytes.
fn u64_file(path: &Path, count: u64, records: usize) -> Vec<u8> {
    {
        let mut vec = MappedVec::<u64>::open_or_create(path).unwrap();
        vec.extend(0..records as u64).unwrap();
    }
    let mut bytes = std::fs::read(path).unwrap();
    bytes.truncate(HEADER + records * 8);
    bytes[COUNT_AT..COUNT_AT + 8].copy_from_slice(&count.to_ne_bytes());
    std::fs::write(path, &bytes).unwrap();
    bytes
}

#[test]
fn the_contract_push_get_get_mut_iter_flush_and_reopen() -> Result<(), Error> {
    let (_dir, path) = temp("readings.bin");
    let mut log = MappedVec::<Reading>::open_or_create(&path)?;
    assert!(log.is_empty());
    for at in 0..100 {
        log.push(reading(at))?;
    }
    assert_eq!(log.len(), 100);
    assert!(log.capacity() >= 100);

    let r = log.get(10).unwrap();
    assert_eq!((r.at(), r.sensor(), r.value()), (10, 3, 5.0));
    log.get_mut(10).unwrap().set_value(0.0);
    assert_eq!(log.get(10).unwrap().value(), 0.0);
    assert_eq!(log.load(11), reading(11));
    assert_eq!(log.iter().count(), 100);
    assert_eq!(log.iter().map(|r| r.at()).sum::<u64>(), 4950);
    assert_eq!(log.iter().next_back().unwrap().at(), 99);
    log.flush()?;
    log.flush_async()?;
    drop(log);

    let log = MappedVec::<Reading>::open(&path)?;
    assert_eq!(log.len(), 100);
    assert_eq!(log.get(10).unwrap().value(), 0.0);
    assert_eq!(log.load(99), reading(99));
    Ok(())
}

#[test]
fn open_read_only_works_as_written_and_refresh_sees_new_records() -> Result<(), Error> {
    let (_dir, path) = temp("readings.bin");
    let mut writer = MappedVec::<Reading>::open_or_create(&path)?;
    writer.push(reading(0))?;

    // One type argument: the read-only type is inferred from the constructor.
    let mut reader = MappedVec::<Reading>::open_read_only(&path)?;
    assert_eq!(reader.len(), 1);
    let capacity_before = reader.capacity();

    writer.extend((1..10_000).map(reading))?;
    assert_eq!(reader.len(), 1, "a reader's length moves only on refresh");
    assert_eq!(reader.refresh()?, 10_000);
    assert!(reader.capacity() > capacity_before, "the reader remapped");
    assert!(reader.remap_count() >= 1);
    assert_eq!(reader.load(9_999), reading(9_999));
    assert!(reader.iter().enumerate().all(|(i, r)| r.at() == i as u64));

    // Writes to existing records show through without a refresh: it is the same page cache.
    writer.get_mut(0).unwrap().set_sensor(42);
    assert_eq!(reader.get(0).unwrap().sensor(), 42);

    writer.truncate(5)?;
    assert_eq!(reader.refresh()?, 5);
    assert!(reader.get(5).is_none());
    Ok(())
}

#[test]
fn scalar_records_load_set_extend_and_to_vec() -> Result<(), Error> {
    let (_dir, path) = temp("ints.bin");
    let mut ints = MappedVec::<u64>::open_or_create(&path)?;
    ints.extend_from_slice(&[1, 2, 3])?;
    ints.extend([4, 5])?;
    ints.push(6)?;
    assert_eq!(ints.to_vec(), [1, 2, 3, 4, 5, 6]);
    ints.set(0, 10)?;
    ints.get_mut(1).unwrap().update(|n| n * 10);
    assert_eq!(ints.get(0), Some(10));
    assert_eq!(ints.load(1), 20);
    assert_eq!((&ints).into_iter().len(), 6);
    ints.extend(std::iter::empty())?;
    ints.extend_from_slice(&[])?;
    assert_eq!(ints.len(), 6);

    let mut floats = MappedVec::<f32>::open_or_create(path.with_extension("f32"))?;
    floats.push(0.5)?;
    assert_eq!(floats.get(0), Some(0.5));
    let mut arrays = MappedVec::<[u16; 3]>::open_or_create(path.with_extension("arr"))?;
    arrays.push([1, 2, 3])?;
    assert_eq!(arrays.get(0), Some([1, 2, 3]));
    Ok(())
}

#[test]
fn out_of_range_indexes_are_none_or_index_out_of_bounds() -> Result<(), Error> {
    let (_dir, path) = temp("ints.bin");
    let mut ints = MappedVec::<u32>::open_or_create(&path)?;
    ints.extend([1, 2])?;
    // Capacity is larger than the length: indexes between the two are out of range too.
    assert!(ints.capacity() > 2);
    for index in [2, 3, ints.capacity(), usize::MAX] {
        assert!(ints.get(index).is_none());
        assert!(ints.get_mut(index).is_none());
        assert!(ints.get(index).is_none());
        match ints.set(index, 0) {
            Err(Error::IndexOutOfBounds { index: i, len: 2 }) if i == index => {}
            other => panic!("expected IndexOutOfBounds, got {other:?}"),
        }
    }
    let reader = MappedVec::<u32>::open_read_only(&path)?;
    assert!(reader.get(2).is_none());
    assert_eq!(ints.to_vec(), [1, 2], "nothing was written");
    Ok(())
}

#[test]
fn truncate_and_clear_keep_the_file_and_reopen_with_the_new_count() -> Result<(), Error> {
    let (_dir, path) = temp("ints.bin");
    let mut ints = MappedVec::<u64>::open_or_create(&path)?;
    ints.extend(0..1000)?;
    let size = std::fs::metadata(&path).unwrap().len();
    let capacity = ints.capacity();
    ints.truncate(2000)?; // longer: nothing happens
    assert_eq!(ints.len(), 1000);
    ints.truncate(10)?;
    assert_eq!(ints.len(), 10);
    assert_eq!(ints.capacity(), capacity);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), size);
    ints.push(77)?;
    assert_eq!(ints.get(10), Some(77));
    drop(ints);

    let mut ints = MappedVec::<u64>::open(&path)?;
    assert_eq!(ints.len(), 11);
    ints.clear()?;
    assert!(ints.is_empty());
    drop(ints);
    assert!(MappedVec::<u64>::open_read_only(&path)?.is_empty());
    Ok(())
}

#[test]
fn reserve_grows_once_and_pushes_then_fit() -> Result<(), Error> {
    let (_dir, path) = temp("ints.bin");
    let mut ints = MappedVec::<u64>::open_or_create(&path)?;
    ints.reserve(100_000)?;
    assert!(ints.capacity() >= 100_000);
    assert_eq!(ints.remap_count(), 1);
    ints.extend(0..100_000)?;
    assert_eq!(ints.remap_count(), 1);
    ints.reserve(0)?;
    assert_eq!(ints.remap_count(), 1);
    Ok(())
}

#[test]
fn a_million_pushes_cost_a_handful_of_remaps_and_the_file_stays_within_twice_its_contents(
) -> Result<(), Error> {
    const N: u64 = 1_000_000;
    let (_dir, path) = temp("readings.bin");
    let mut log = MappedVec::<Reading>::open_or_create(&path)?;
    let data_offset = mapped::FileInfo::read(&path)?.data_offset;
    let mut largest_ratio = 0.0f64;
    let mut remaps = 0;
    for at in 0..N {
        log.push(reading(at))?;
        if log.remap_count() != remaps {
            // Just grown: the file is at its largest relative to what it holds.
            remaps = log.remap_count();
            let size = std::fs::metadata(&path).unwrap().len();
            let contents = data_offset + log.len() as u64 * 16;
            // The first growth makes room for a page of records.
            largest_ratio =
                largest_ratio.max(size as f64 / contents.max(4096 + data_offset) as f64);
        }
    }
    // From one page of 16-byte records, doubling: 256 · 2^12 = 1,048,576 holds a million.
    assert!(
        log.remap_count() <= 14,
        "{} remaps for a million pushes",
        log.remap_count()
    );
    let size = std::fs::metadata(&path).unwrap().len();
    let contents = data_offset + N * 16;
    assert!(size >= contents);
    assert!(size <= 2 * contents, "file {size} bytes for {contents}");
    assert!(largest_ratio <= 2.0 + 1e-9, "ratio {largest_ratio}");
    drop(log);

    let log = MappedVec::<Reading>::open_read_only(&path)?;
    assert_eq!(log.len() as u64, N);
    assert!(log
        .iter()
        .enumerate()
        .step_by(997)
        .all(|(i, r)| r.at() == i as u64 && r.value() == i as f32 / 2.0));
    Ok(())
}

#[test]
fn a_second_writer_in_the_same_process_is_refused_and_readers_are_not() -> Result<(), Error> {
    let (_dir, path) = temp("readings.bin");
    let mut writer = MappedVec::<Reading>::open_or_create(&path)?;
    writer.push(reading(1))?;
    for second in [
        MappedVec::<Reading>::open(&path),
        MappedVec::<Reading>::open_or_create(&path),
    ] {
        let err = second.unwrap_err();
        match &err {
            Error::Locked { path: p } => assert_eq!(p, &path),
            other => panic!("expected Locked, got {other:?}"),
        }
        assert!(err.to_string().contains("readings.bin"), "{err}");
        assert!(err.to_string().contains("locked"), "{err}");
        assert_eq!(err.path(), Some(path.as_path()));
        assert_eq!(std::io::Error::from(err).kind(), ErrorKind::WouldBlock);
    }
    let reader = MappedVec::<Reading>::open_read_only(&path)?;
    assert_eq!(reader.len(), 1);
    drop(writer);
    let mut writer = MappedVec::<Reading>::open(&path)?;
    writer.push(reading(2))?;
    assert_eq!(writer.len(), 2);
    Ok(())
}

#[test]
fn the_file_format_is_the_documented_header_then_the_records() -> Result<(), Error> {
    let (_dir, path) = temp("readings.bin");
    let mut log = MappedVec::<Reading>::open_or_create(&path)?;
    let data_offset = std::fs::metadata(&path).unwrap().len() as usize; // an empty file is its header
    assert_eq!(data_offset % 64, 0);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    log.push(reading(5))?;
    log.flush()?;
    let bytes = std::fs::read(&path).unwrap();
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    assert_eq!(&bytes[0..8], b"MAPDRECS");
    let half = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    assert_eq!(half(8), 2, "record format 2");
    let order = if cfg!(target_endian = "little") { 1 } else { 2 };
    assert_eq!(u32::from_le_bytes(bytes[12..16].try_into().unwrap()), order);
    assert_eq!(word(16), <Reading as Mapped>::LAYOUT.fingerprint);
    assert_eq!(word(24), 16);
    assert_eq!(word(32), data_offset as u64);
    assert_eq!(
        u64::from_ne_bytes(bytes[COUNT_AT..COUNT_AT + 8].try_into().unwrap()),
        1
    );
    assert_eq!((half(48), half(52)), (3, 2), "header format 3, records");
    let schema_len = half(56) as usize;
    assert_eq!(half(60), 0, "the waiter word of a file no one waits on");
    assert!(64 + schema_len <= data_offset);
    assert_eq!(bytes[64], 7, "the schema of a struct");
    assert!(bytes[64 + schema_len..data_offset].iter().all(|b| *b == 0));
    let record = [
        &5u64.to_ne_bytes()[..],
        &5u32.to_ne_bytes(),
        &2.5f32.to_ne_bytes(),
    ]
    .concat();
    assert_eq!(&bytes[data_offset..data_offset + 16], record);
    // And a file of `u64` records starts them where the tests here expect.
    let (_dir, ints) = temp("ints.bin");
    MappedVec::<u64>::open_or_create(&ints)?;
    assert_eq!(mapped::FileInfo::read(&ints)?.data_offset, HEADER as u64);
    Ok(())
}

#[test]
fn a_missing_file_is_created_by_open_or_create_only() {
    let (_dir, path) = temp("missing.bin");
    for err in [
        MappedVec::<u64>::open(&path).unwrap_err(),
        MappedVec::<u64>::open_read_only(&path).unwrap_err(),
    ] {
        match err {
            Error::Io {
                op: Op::Open,
                source,
                path: p,
            } => {
                assert_eq!(source.kind(), ErrorKind::NotFound);
                assert_eq!(p, path);
            }
            other => panic!("expected an open error, got {other:?}"),
        }
    }
    assert!(!path.exists());
}

#[test]
fn an_empty_file_is_too_small_to_open_and_initialized_by_open_or_create() -> Result<(), Error> {
    let (_dir, path) = temp("empty.bin");
    std::fs::write(&path, b"").unwrap();
    for err in [
        MappedVec::<u64>::open(&path).unwrap_err(),
        MappedVec::<u64>::open_read_only(&path).unwrap_err(),
    ] {
        assert!(
            matches!(err, Error::FileTooSmall { needed, found: 0, ref path } if needed == HEADER as u64 && path.ends_with("empty.bin")),
            "{err:?}"
        );
    }
    assert_eq!(std::fs::read(&path).unwrap(), b"", "not modified");
    // An empty file is what a creator killed before writing the header leaves: take it over.
    let mut ints = MappedVec::<u64>::open_or_create(&path)?;
    ints.push(1)?;
    assert_eq!(MappedVec::<u64>::open_read_only(&path)?.to_vec(), [1]);
    Ok(())
}

#[test]
fn garbage_a_short_header_and_a_wrong_magic_are_refused_untouched() {
    let (_dir, path) = temp("garbage.bin");
    let garbage: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let cases: [(&str, Vec<u8>); 3] = [
        ("garbage", garbage),
        ("short", b"MAPDRECS\x01\x00".to_vec()),
        ("wrong magic", {
            let mut bytes = u64_file(&path, 3, 3);
            bytes[0..8].copy_from_slice(b"NOTRECS!");
            bytes
        }),
    ];
    for (name, bytes) in cases {
        std::fs::write(&path, &bytes).unwrap();
        for err in [
            MappedVec::<u64>::open(&path).unwrap_err(),
            MappedVec::<u64>::open_or_create(&path).unwrap_err(),
            MappedVec::<u64>::open_read_only(&path).unwrap_err(),
        ] {
            match (&err, name) {
                (Error::BadMagic { expected, .. }, "garbage" | "wrong magic") => {
                    assert_eq!(expected, b"MAPDRECS")
                }
                (
                    Error::FileTooSmall {
                        needed: 128,
                        found: 10,
                        ..
                    },
                    "short",
                ) => {}
                _ => panic!("{name}: unexpected {err:?}"),
            }
            assert_eq!(err.path(), Some(path.as_path()));
            assert!(err.to_string().contains("garbage.bin"), "{err}");
        }
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name}: not modified");
    }
}

#[test]
fn another_version_or_a_corrupt_data_offset_is_refused() {
    let (_dir, path) = temp("ints.bin");
    let mut bytes = u64_file(&path, 2, 2);
    bytes[8..12].copy_from_slice(&3u32.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    assert!(matches!(
        MappedVec::<u64>::open(&path),
        Err(Error::VersionMismatch {
            found: 3,
            expected: 2,
            ..
        })
    ));
    bytes[8..12].copy_from_slice(&2u32.to_le_bytes());
    bytes[32..40].copy_from_slice(&12u64.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let err = MappedVec::<u64>::open_read_only(&path).unwrap_err();
    assert!(
        matches!(
            err,
            Error::BadHeader {
                field: "data offset",
                found: 12,
                expected: 128,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("corrupt record header"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn a_file_of_another_record_type_is_a_layout_mismatch() -> Result<(), Error> {
    let (_dir, path) = temp("readings.bin");
    MappedVec::<Reading>::open_or_create(&path)?.push(reading(1))?;
    let before = std::fs::read(&path).unwrap();

    // Same size, other fields.
    match MappedVec::<Pair>::open(&path).unwrap_err() {
        Error::LayoutMismatch {
            expected_fingerprint,
            found_fingerprint,
            expected_size: 16,
            found_size: 16,
            foreign_byte_order: false,
            ..
        } => {
            assert_eq!(expected_fingerprint, <Pair as Mapped>::LAYOUT.fingerprint);
            assert_eq!(found_fingerprint, <Reading as Mapped>::LAYOUT.fingerprint);
        }
        other => panic!("expected LayoutMismatch, got {other:?}"),
    }
    // Other sizes and scalar types, read-only too.
    assert!(matches!(
        MappedVec::<u64>::open_read_only(&path),
        Err(Error::LayoutMismatch {
            found_size: 16,
            expected_size: 8,
            ..
        })
    ));
    assert!(matches!(
        MappedVec::<[u8; 16]>::open_or_create(&path),
        Err(Error::LayoutMismatch { .. })
    ));
    // u64 and i64 have the same size but are not the same record.
    let ints = path.with_extension("ints");
    MappedVec::<u64>::open_or_create(&ints)?;
    assert!(matches!(
        MappedVec::<i64>::open(&ints),
        Err(Error::LayoutMismatch { .. })
    ));
    assert_eq!(std::fs::read(&path).unwrap(), before, "not modified");
    Ok(())
}

#[test]
fn a_count_larger_than_the_file_holds_reports_only_the_records_there() -> Result<(), Error> {
    let (_dir, path) = temp("ints.bin");
    u64_file(&path, 1_000_000, 3);
    // A reader trusts only what the file holds, and changes nothing.
    let reader = MappedVec::<u64>::open_read_only(&path)?;
    assert_eq!(reader.to_vec(), [0, 1, 2]);
    assert!(reader.get(3).is_none());
    drop(reader);
    let count =
        |bytes: &[u8]| u64::from_ne_bytes(bytes[COUNT_AT..COUNT_AT + 8].try_into().unwrap());
    assert_eq!(count(&std::fs::read(&path).unwrap()), 1_000_000);

    // A count of u64::MAX too.
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[COUNT_AT..COUNT_AT + 8].copy_from_slice(&u64::MAX.to_ne_bytes());
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(MappedVec::<u64>::open_read_only(&path)?.len(), 3);

    // A writer corrects the count, then goes on.
    let mut writer = MappedVec::<u64>::open(&path)?;
    assert_eq!(writer.to_vec(), [0, 1, 2]);
    assert_eq!(count(&std::fs::read(&path).unwrap()), 3);
    writer.push(3)?;
    drop(writer);
    assert_eq!(
        MappedVec::<u64>::open_read_only(&path)?.to_vec(),
        [0, 1, 2, 3]
    );

    // A partial record at the end is not counted either.
    let mut bytes = u64_file(&path, 3, 3);
    bytes.extend_from_slice(&[0xff; 5]);
    std::fs::write(&path, &bytes).unwrap();
    let mut reader = MappedVec::<u64>::open_read_only(&path)?;
    assert_eq!(reader.len(), 3);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[COUNT_AT..COUNT_AT + 8].copy_from_slice(&4u64.to_ne_bytes());
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(reader.refresh()?, 3);
    Ok(())
}

#[test]
fn a_reader_never_counts_records_past_a_file_cut_short_under_it() -> Result<(), Error> {
    let (_dir, path) = temp("ints.bin");
    MappedVec::<u64>::open_or_create(&path)?.extend(0..1000)?;
    let mut reader = MappedVec::<u64>::open_read_only(&path)?;
    assert_eq!(reader.len(), 1000);
    // Someone else cuts the file (the count still says 1000). The records past the new end are
    // gone: touching them would raise SIGBUS, so refresh must not count them.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len((HEADER + 10 * 8 + 3) as u64)
        .unwrap();
    match reader.refresh() {
        Err(Error::Truncated { needed, found, .. }) => {
            assert_eq!(
                (needed, found),
                ((HEADER + 1000 * 8) as u64, (HEADER + 10 * 8 + 3) as u64)
            );
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
    // The reader holds only the records still there, and stays usable.
    assert_eq!(reader.len(), 10);
    assert!(matches!(reader.check_file(), Ok(())));
    assert_eq!(reader.refresh()?, 10);
    assert_eq!(reader.to_vec(), (0..10).collect::<Vec<u64>>());
    assert!(reader.get(10).is_none());
    Ok(())
}

#[test]
fn a_directory_is_not_a_record_file() {
    let dir = tempfile::tempdir().unwrap();
    assert!(MappedVec::<u64>::open(dir.path()).is_err());
    assert!(matches!(
        MappedVec::<u64>::open_read_only(dir.path()),
        Err(Error::NotRegularFile { .. } | Error::Io { .. })
    ));
}

#[test]
fn a_failed_create_leaves_no_file_behind() {
    let (_dir, path) = temp("nested");
    let inside = path.join("log.bin"); // its directory does not exist
    assert!(matches!(
        MappedVec::<u64>::open_or_create(&inside),
        Err(Error::Io { op: Op::Open, .. })
    ));
    assert!(!inside.exists());
}

#[test]
fn debug_output_names_the_type_path_and_length() -> Result<(), Error> {
    let (_dir, path) = temp("readings.bin");
    let mut log = MappedVec::<Reading>::open_or_create(&path)?;
    log.push(reading(0))?;
    let debug = format!("{log:?}");
    assert!(
        debug.contains("Reading") && debug.contains("readings.bin"),
        "{debug}"
    );
    assert!(debug.contains("len: 1"), "{debug}");
    let iter = format!("{:?}", log.iter());
    assert!(iter.contains("remaining: 1"), "{iter}");
    Ok(())
}

#[test]
fn a_vec_moves_to_another_thread() -> Result<(), Error> {
    let (_dir, path) = temp("ints.bin");
    let mut ints = MappedVec::<u64>::open_or_create(&path)?;
    ints.push(1)?;
    let ints = std::thread::spawn(move || {
        ints.push(2).unwrap();
        ints
    })
    .join()
    .unwrap();
    assert_eq!(ints.to_vec(), [1, 2]);
    Ok(())
}

/// An iterator whose `size_hint` promises far more than it yields: the file grows by what
/// arrives, not by the promise (which once reserved a gigabyte for three records, for good).
#[test]
fn extend_grows_by_what_arrives_not_by_a_lying_size_hint() -> Result<(), Error> {
    struct Boastful(std::ops::Range<u64>);
    impl Iterator for Boastful {
        type Item = u64;
        fn next(&mut self) -> Option<u64> {
            self.0.next()
        }
        fn size_hint(&self) -> (usize, Option<usize>) {
            (1 << 27, None)
        }
    }

    let (_dir, path) = temp("boast.bin");
    let mut log = MappedVec::<u64>::open_or_create(&path)?;
    log.extend(Boastful(0..3))?;
    assert_eq!(log.to_vec(), [0, 1, 2]);
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size <= 64 * 1024, "3 records grew the file to {size} bytes");
    Ok(())
}
