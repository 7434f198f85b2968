//! Versioned headers: `#[mapped(magic = ..., version = ...)]` files refuse to be misread.

mod common;

use common::TempDir;
use mapped::{Error, Mapped, HEADER_SIZE};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

mod v1 {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    #[mapped(magic = b"SENSORS\0", version = 1)]
    pub struct Sensors {
        pub count: u64,
        pub last: f64,
    }
}

mod v2 {
    use super::*;
    /// Same layout, next version.
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    #[mapped(magic = b"SENSORS\0", version = 2)]
    pub struct Sensors {
        pub count: u64,
        pub last: f64,
    }
}

mod v1_changed {
    use super::*;
    /// Version 1 still, but a field was retyped without bumping it.
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    #[mapped(magic = b"SENSORS\0", version = 1)]
    pub struct Sensors {
        pub count: i64,
        pub last: f64,
    }
}

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(magic = b"OTHERFMT", version = 1)]
struct Other {
    a: u64,
    b: f64,
}

/// Aligned above the header: the struct must start at its own alignment.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C, align(64))]
#[mapped(magic = b"ALIGNED!", version = 7)]
struct CacheLine {
    words: [u64; 8],
}

/// Aligned below the header: offsets must still suit the header's 8.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(magic = b"SMALLFMT", version = 1)]
struct Small {
    a: u32,
}

use v1::Sensors;

/// The data offset in the header that starts at byte `at` of a file's bytes.
fn data_offset_at(bytes: &[u8], at: usize) -> usize {
    u64::from_le_bytes(bytes[at + 32..at + 40].try_into().unwrap()) as usize
}

#[test]
fn create_new_writes_the_header_then_the_struct() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("sensors.bin");
    let sensors = Sensors::create_new(&path)?;
    sensors.set_count(3);
    sensors.set_last(20.5);
    sensors.flush()?;
    drop(sensors);

    let bytes = std::fs::read(&path).unwrap();
    let data_offset = data_offset_at(&bytes, 0);
    assert_eq!(data_offset % 64, 0, "the struct starts at a multiple of 64");
    assert!(data_offset >= HEADER_SIZE);
    assert_eq!(bytes.len(), data_offset + 16);
    assert_eq!(&bytes[0..8], b"SENSORS\0");
    // Format 3: the version, fingerprint and size live in the active schema area.
    assert_eq!(&bytes[8..12], &[0; 4]);
    let byte_order = if cfg!(target_endian = "little") {
        1u32
    } else {
        2
    };
    assert_eq!(&bytes[12..16], &byte_order.to_le_bytes());
    assert_eq!(&bytes[16..32], &[0; 16]);
    assert_eq!(
        data_offset, 4096,
        "the same header length for every small struct"
    );
    assert_eq!(&bytes[40..48], &1u64.to_ne_bytes(), "one struct");
    assert_eq!(&bytes[48..52], &3u32.to_le_bytes(), "header format 3");
    assert_eq!(&bytes[52..56], &1u32.to_le_bytes(), "a struct file");
    let area_len = u32::from_le_bytes(bytes[56..60].try_into().unwrap()) as usize;
    assert_eq!(area_len, 2008, "(data offset - 72) / 2, in whole words");
    assert_eq!(&bytes[60..64], &[0; 4]);
    assert_eq!(
        &bytes[64..72],
        &0u64.to_le_bytes(),
        "generation 0: area A is active"
    );
    let area = &bytes[72..72 + area_len];
    assert_eq!(&area[0..4], &1u32.to_le_bytes(), "version");
    let schema_len = u32::from_le_bytes(area[4..8].try_into().unwrap()) as usize;
    assert_eq!(
        &area[8..16],
        &<Sensors as Mapped>::LAYOUT.fingerprint.to_le_bytes()
    );
    assert_eq!(&area[16..24], &16u64.to_le_bytes());
    assert!(24 + schema_len <= area_len);
    assert!(bytes[72 + 24 + schema_len..data_offset]
        .iter()
        .all(|b| *b == 0));
    assert_eq!(&bytes[data_offset..data_offset + 8], &3u64.to_ne_bytes());
    assert_eq!(
        &bytes[data_offset + 8..data_offset + 16],
        &20.5f64.to_ne_bytes()
    );
    let info = mapped::FileInfo::read(&path)?;
    assert_eq!(
        (info.name.as_str(), info.data_offset),
        ("Sensors", data_offset as u64)
    );

    let again = Sensors::open(&path)?;
    assert_eq!((again.count(), again.last()), (3, 20.5));
    Ok(())
}

fn assert_rejected_untouched(path: &std::path::Path, before: &[u8], err: &Error) {
    assert_eq!(
        std::fs::read(path).unwrap(),
        before,
        "a rejected file must not change: {err}"
    );
    assert_eq!(err.path(), Some(path));
}

#[test]
fn every_open_checks_the_magic() {
    let tmp = TempDir::new();
    let path = tmp.path("other.bin");
    Other::create_new(&path).unwrap().set_a(1);
    let before = std::fs::read(&path).unwrap();
    let results = [
        Sensors::open(&path).map(drop),
        Sensors::open_or_create(&path).map(drop),
        Sensors::open_read_only(&path).map(drop),
        Sensors::open_private(&path).map(drop),
    ];
    for result in results {
        let err = result.unwrap_err();
        match &err {
            Error::BadMagic {
                expected, found, ..
            } => {
                assert_eq!((expected, found), (b"SENSORS\0", b"OTHERFMT"));
            }
            other => panic!("expected BadMagic, got {other:?}"),
        }
        assert!(err.to_string().contains("OTHERFMT"), "{err}");
        assert_rejected_untouched(&path, &before, &err);
    }
}

#[test]
fn a_file_of_zeros_is_not_a_file_of_this_format() {
    let tmp = TempDir::new();
    let path = tmp.path("zeros.bin");
    std::fs::write(&path, [0u8; HEADER_SIZE + 16]).unwrap();
    let err = Sensors::open(&path).unwrap_err();
    assert!(
        matches!(err, Error::BadMagic { found, .. } if found == [0; 8]),
        "{err:?}"
    );
    assert_rejected_untouched(&path, &[0u8; HEADER_SIZE + 16], &err);
}

#[test]
fn another_version_is_refused_with_both_numbers() {
    let tmp = TempDir::new();
    let path = tmp.path("sensors.bin");
    Sensors::create_new(&path).unwrap().set_count(9);
    let before = std::fs::read(&path).unwrap();
    let err = v2::Sensors::open(&path).unwrap_err();
    match &err {
        Error::VersionMismatch {
            found, expected, ..
        } => assert_eq!((*found, *expected), (1, 2)),
        other => panic!("expected VersionMismatch, got {other:?}"),
    }
    assert!(err.to_string().contains("version 1") && err.to_string().contains("version 2"));
    assert_rejected_untouched(&path, &before, &err);
}

#[test]
fn a_changed_layout_under_the_same_version_is_refused() {
    let tmp = TempDir::new();
    let path = tmp.path("sensors.bin");
    Sensors::create_new(&path).unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = v1_changed::Sensors::open_read_only(&path).unwrap_err();
    match &err {
        Error::LayoutMismatch {
            expected_fingerprint,
            found_fingerprint,
            expected_size,
            found_size,
            foreign_byte_order,
            ..
        } => {
            assert_eq!(*found_fingerprint, <Sensors as Mapped>::LAYOUT.fingerprint);
            assert_eq!(
                *expected_fingerprint,
                <v1_changed::Sensors as Mapped>::LAYOUT.fingerprint
            );
            assert_eq!((*expected_size, *found_size), (16, 16));
            assert!(!foreign_byte_order);
        }
        other => panic!("expected LayoutMismatch, got {other:?}"),
    }
    assert_rejected_untouched(&path, &before, &err);
}

#[test]
fn a_file_written_in_the_other_byte_order_is_refused() {
    let tmp = TempDir::new();
    let path = tmp.path("sensors.bin");
    Sensors::create_new(&path).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let foreign = if cfg!(target_endian = "little") {
        2u32
    } else {
        1
    };
    bytes[12..16].copy_from_slice(&foreign.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let err = Sensors::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            Error::LayoutMismatch {
                foreign_byte_order: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("byte order"), "{err}");
}

#[test]
fn a_file_shorter_than_header_and_struct_is_too_small() {
    let tmp = TempDir::new();
    let path = tmp.path("short.bin");
    Sensors::create_new(&path).unwrap();
    let whole = std::fs::read(&path).unwrap().len();
    for len in [0, 7, HEADER_SIZE - 1] {
        std::fs::write(&path, vec![b'S'; len]).unwrap();
        let err = Sensors::open(&path).unwrap_err();
        assert!(
            matches!(err, Error::FileTooSmall { needed, found, .. } if needed == whole as u64 && found == len as u64),
            "{len}: {err:?}"
        );
    }
    // A whole header whose struct is cut short.
    Sensors::create_new(tmp.path("whole.bin")).unwrap();
    let bytes = std::fs::read(tmp.path("whole.bin")).unwrap();
    std::fs::write(&path, &bytes[..whole - 1]).unwrap();
    let err = Sensors::open(&path).unwrap_err();
    assert!(
        matches!(err, Error::FileTooSmall { needed, found, .. } if needed == whole as u64 && found == whole as u64 - 1),
        "{err:?}"
    );
}

#[test]
fn the_struct_starts_at_its_alignment_after_the_header() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("aligned.bin");
    let line = CacheLine::create_new(&path)?;
    assert_eq!(mapped::Handle::as_ptr(&line) as usize % 64, 0);
    line.set_words_at(0, u64::MAX)?;
    drop(line);
    let bytes = std::fs::read(&path).unwrap();
    let data_offset = data_offset_at(&bytes, 0);
    assert_eq!(data_offset % 64, 0);
    assert_eq!(bytes.len(), data_offset + 64);
    assert_eq!(
        &bytes[data_offset..data_offset + 8],
        &u64::MAX.to_ne_bytes()
    );
    Ok(())
}

#[test]
fn offsets_of_header_files_suit_both_alignments() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("small.bin");
    // `Small` is 4-aligned, but its header is 8-aligned: 4 is refused, 8 works.
    let err = Small::options()
        .create(true)
        .offset(4)
        .open(&path)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Misaligned {
                offset: 4,
                align: 8,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!path.exists(), "nothing was created");
    let small = Small::options().create(true).offset(8).open(&path)?;
    small.set_a(5);
    drop(small);
    let bytes = std::fs::read(&path).unwrap();
    let data_offset = data_offset_at(&bytes, 8);
    assert_eq!(bytes.len(), 8 + data_offset + 4);
    assert_eq!(&bytes[8..16], b"SMALLFMT");
    assert_eq!(
        &bytes[8 + data_offset..8 + data_offset + 4],
        &5u32.to_ne_bytes()
    );
    let again = Small::options().offset(8).read_only().open(&path)?;
    assert_eq!(again.a(), 5);
    Ok(())
}

#[test]
fn without_magic_the_file_is_exactly_the_struct() -> Result<(), Error> {
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    struct Plain {
        a: u64,
    }
    assert!(<Plain as Mapped>::HEADER.is_none());
    let tmp = TempDir::new();
    let path = tmp.path("plain.bin");
    Plain::create_new(&path)?.set_a(1);
    assert_eq!(std::fs::read(&path).unwrap(), 1u64.to_ne_bytes());
    Ok(())
}

#[test]
fn a_record_files_bytes_60_to_64_are_its_waiter_word_and_any_value_opens() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("waiter.bin");
    mapped::MappedVec::<u64>::open_or_create(&path)?.push(5)?;
    let mut bytes = std::fs::read(&path).unwrap();
    assert_eq!(
        &bytes[48..52],
        &3u32.to_le_bytes(),
        "record files are format 3 too"
    );
    bytes[60..64].copy_from_slice(&0xDEAD_BEEFu32.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(
        mapped::MappedVec::<u64>::open_read_only(&path)?.get(0),
        Some(5)
    );
    assert_eq!(mapped::FileInfo::read(&path)?.len, 1);
    // A struct file's are zero, and anything else is refused.
    let path = tmp.path("struct.bin");
    Sensors::create_new(&path)?;
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[60] = 1;
    std::fs::write(&path, &bytes).unwrap();
    let err = Sensors::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            Error::BadHeader {
                field: "reserved",
                ..
            }
        ),
        "{err}"
    );
    Ok(())
}
