//! Schema evolution of struct files (issue 14): three layouts of one record, `{a}`, `{a, b}` and
//! `{a, b, c}` (one magic, versions 1, 2, 3), written by each and opened by each in every open
//! mode, and upgraded by each with `T::upgrade` and `T::options().upgrade(true)`: every cell of
//! the table for struct files. Then the rules around it: versions, other layouts, the
//! header format before, headers without room, structs at an offset, concurrent upgraders.

mod common;

use std::path::Path;

use common::TempDir;
use mapped::{Error, FileInfo, Mapped};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

mod v1 {
    #[derive(
        mapped::Mapped,
        zerocopy::FromBytes,
        zerocopy::IntoBytes,
        zerocopy::KnownLayout,
        Debug,
        PartialEq,
    )]
    #[repr(C)]
    #[mapped(magic = b"EVOLVE\0\0", version = 1)]
    pub struct Rec {
        pub a: u64,
    }
}

mod v2 {
    #[derive(
        mapped::Mapped,
        zerocopy::FromBytes,
        zerocopy::IntoBytes,
        zerocopy::KnownLayout,
        Debug,
        PartialEq,
    )]
    #[repr(C)]
    #[mapped(magic = b"EVOLVE\0\0", version = 2)]
    pub struct Rec {
        pub a: u64,
        #[mapped(since = 2)]
        pub b: u64,
    }
}

mod v3 {
    #[derive(
        mapped::Mapped,
        zerocopy::FromBytes,
        zerocopy::IntoBytes,
        zerocopy::KnownLayout,
        Debug,
        PartialEq,
    )]
    #[repr(C)]
    #[mapped(magic = b"EVOLVE\0\0", version = 3)]
    pub struct Rec {
        pub a: u64,
        #[mapped(since = 2)]
        pub b: u64,
        #[mapped(since = 3)]
        pub c: u64,
    }
}

/// What each layout's writer stores in its fields.
const VALUES: [u64; 3] = [0xA1, 0xB2, 0xC3];
const NAMES: [&str; 3] = ["a", "b", "c"];

#[derive(Debug, Clone, Copy, PartialEq)]
enum How {
    Open,
    OpenOrCreate,
    ReadOnly,
    Private,
}

const HOWS: [How; 4] = [How::Open, How::OpenOrCreate, How::ReadOnly, How::Private];

/// A new file of layout `layout` (1, 2 or 3) with its fields set to `VALUES`.
fn write(layout: usize, path: &Path) {
    match layout {
        1 => v1::Rec::create_new(path).unwrap().set_a(VALUES[0]),
        2 => {
            let rec = v2::Rec::create_new(path).unwrap();
            rec.set_a(VALUES[0]);
            rec.set_b(VALUES[1]);
        }
        _ => {
            let rec = v3::Rec::create_new(path).unwrap();
            rec.set_a(VALUES[0]);
            rec.set_b(VALUES[1]);
            rec.set_c(VALUES[2]);
        }
    }
}

/// Every `u64` of the file's struct, as its header says where and how long it is.
fn stored(path: &Path) -> Vec<u64> {
    let info = FileInfo::read(path).unwrap();
    let bytes = std::fs::read(path).unwrap();
    let start = info.data_offset as usize;
    bytes[start..start + info.record_size as usize]
        .chunks(8)
        .map(|word| u64::from_ne_bytes(word.try_into().unwrap()))
        .collect()
}

/// The values layout `layout` (1, 2 or 3) reads from the file opened `how`, or the error. A private
/// handle also sets `a` and stores a whole value, which must never reach the file.
fn open_as(layout: usize, how: How, path: &Path) -> Result<Vec<u64>, Error> {
    macro_rules! open {
        ($rec:ty, $($field:ident),*) => {{
            match how {
                How::ReadOnly => {
                    let rec = <$rec>::open_read_only(path)?;
                    Ok(vec![$(rec.$field()),*])
                }
                _ => {
                    let rec = match how {
                        How::Open => <$rec>::open(path)?,
                        How::OpenOrCreate => <$rec>::open_or_create(path)?,
                        _ => {
                            // A private handle has the same accessors: read, set, store.
                            let private = <$rec>::open_private(path)?;
                            let read = vec![$(private.$field()),*];
                            private.set_a(0x11);
                            private.store(&private.load());
                            return Ok(read);
                        }
                    };
                    let read = vec![$(rec.$field()),*];
                    Ok(read)
                }
            }
        }};
    }
    match layout {
        1 => open!(v1::Rec, a),
        2 => open!(v2::Rec, a, b),
        _ => open!(v3::Rec, a, b, c),
    }
}

#[test]
fn every_writer_and_reader_layout_in_every_open_mode() {
    let tmp = TempDir::new();
    for writer in 1..=3 {
        for reader in 1..=3 {
            for how in HOWS {
                let path = tmp.path(&format!("rec-{writer}-{reader}-{how:?}.bin"));
                write(writer, &path);
                let before = std::fs::read(&path).unwrap();
                let case = format!("written by v{writer}, opened by v{reader} with {how:?}");
                match open_as(reader, how, &path) {
                    Ok(read) => {
                        assert!(reader <= writer, "{case}: opened an older file");
                        assert_eq!(read, VALUES[..reader], "{case}");
                        // Nothing reached the file: every mode only read here, or wrote
                        // privately.
                        assert_eq!(std::fs::read(&path).unwrap(), before, "{case}");
                    }
                    Err(Error::NeedsUpgrade {
                        path: named,
                        missing,
                    }) => {
                        assert!(reader > writer, "{case}: {missing:?}");
                        assert_eq!(named, path);
                        assert_eq!(missing, NAMES[writer..reader], "{case}");
                        assert_eq!(std::fs::read(&path).unwrap(), before, "{case}: touched");
                        let message = Error::NeedsUpgrade {
                            path: named,
                            missing,
                        }
                        .to_string();
                        assert!(message.contains(&path.display().to_string()), "{message}");
                        assert!(
                            message.contains(&format!("`{}`", NAMES[writer])),
                            "{message}"
                        );
                    }
                    Err(other) => panic!("{case}: {other}"),
                }
            }
        }
    }
}

#[test]
fn an_older_writer_keeps_the_newer_fields_but_a_whole_store_zeroes_them() {
    let tmp = TempDir::new();
    for writer in 2..=3 {
        let path = tmp.path(&format!("newer-{writer}.bin"));
        write(writer, &path);
        let older = v1::Rec::open(&path).unwrap();
        older.set_a(0x11);
        let mut expected = VALUES[..writer].to_vec();
        expected[0] = 0x11;
        assert_eq!(stored(&path), expected, "a setter changes only its field");
        older.store(&v1::Rec { a: 0x22 });
        let mut zeroed = vec![0; writer];
        zeroed[0] = 0x22;
        assert_eq!(
            stored(&path),
            zeroed,
            "a store zeroes what v1 does not know"
        );
        drop(older);
        // And v2 on a v3 file: the same, one field further.
        if writer == 3 {
            write_fresh(&path, 3);
            let middle = v2::Rec::open(&path).unwrap();
            middle.set_b(0x33);
            assert_eq!(stored(&path), [VALUES[0], 0x33, VALUES[2]]);
            middle.store(&v2::Rec { a: 1, b: 2 });
            assert_eq!(stored(&path), [1, 2, 0]);
        }
    }
}

fn write_fresh(path: &Path, layout: usize) {
    std::fs::remove_file(path).unwrap();
    write(layout, path);
}

/// Upgrades the file at `path` to layout `layout`, by `T::upgrade` or by `upgrade(true)`.
fn upgrade_to(layout: usize, by_options: bool, path: &Path) -> Result<(), Error> {
    macro_rules! upgrade {
        ($rec:ty, $($field:ident),*) => {
            if by_options {
                let rec = <$rec>::options().upgrade(true).open(path)?;
                let _ = vec![$(rec.$field()),*];
                Ok(())
            } else {
                <$rec>::upgrade(path)
            }
        };
    }
    match layout {
        1 => upgrade!(v1::Rec, a),
        2 => upgrade!(v2::Rec, a, b),
        _ => upgrade!(v3::Rec, a, b, c),
    }
}

#[test]
fn every_upgrade_between_the_three_layouts() {
    let tmp = TempDir::new();
    for by_options in [false, true] {
        for writer in 1..=3 {
            for target in 1..=3 {
                let path = tmp.path(&format!("up-{writer}-{target}-{by_options}.bin"));
                write(writer, &path);
                let before = std::fs::read(&path).unwrap();
                let case = format!("v{writer} file upgraded to v{target} (options: {by_options})");
                let result = upgrade_to(target, by_options, &path);
                if target < writer {
                    let err = result.unwrap_err();
                    assert!(matches!(err, Error::LayoutMismatch { .. }), "{case}: {err}");
                    assert!(err.to_string().contains("newer"), "{case}: {err}");
                    assert_eq!(std::fs::read(&path).unwrap(), before, "{case}: touched");
                    continue;
                }
                result.unwrap_or_else(|err| panic!("{case}: {err}"));
                if target == writer {
                    assert_eq!(std::fs::read(&path).unwrap(), before, "{case}: not a no-op");
                    continue;
                }
                let mut expected = VALUES[..writer].to_vec();
                expected.resize(target, 0);
                assert_eq!(stored(&path), expected, "{case}: new fields zeroed");
                let info = FileInfo::read(&path).unwrap();
                assert_eq!(info.version, target as u32, "{case}: the new version");
                let names: Vec<_> = info.fields.iter().map(|f| f.name.as_str()).collect();
                assert_eq!(names, NAMES[..target], "{case}: the new schema");
                // Idempotent; and every layout up to the new one opens it in every mode.
                let committed = std::fs::read(&path).unwrap();
                upgrade_to(target, by_options, &path).unwrap();
                assert_eq!(std::fs::read(&path).unwrap(), committed, "{case}: twice");
                for reader in 1..=target {
                    for how in [How::ReadOnly, How::Private, How::Open] {
                        let read = open_as(reader, how, &path).unwrap();
                        assert_eq!(read, expected[..reader], "{case}, v{reader} {how:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn upgrades_chain_through_both_schema_areas() {
    let tmp = TempDir::new();
    let path = tmp.path("chain.bin");
    write(1, &path);
    let generation = |path: &Path| {
        let bytes = std::fs::read(path).unwrap();
        u64::from_le_bytes(bytes[64..72].try_into().unwrap())
    };
    assert_eq!(generation(&path), 0);
    v2::Rec::upgrade(&path).unwrap();
    assert_eq!(generation(&path), 1, "area B");
    v2::Rec::open(&path).unwrap().set_b(5);
    v3::Rec::upgrade(&path).unwrap();
    assert_eq!(generation(&path), 2, "area A again");
    assert_eq!(stored(&path), [VALUES[0], 5, 0]);
    assert_eq!(
        FileInfo::read(&path).unwrap().data_offset,
        4096,
        "fixed at creation"
    );
}

mod other {
    /// `b` renamed.
    #[derive(mapped::Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    #[repr(C)]
    #[mapped(magic = b"EVOLVE\0\0", version = 2)]
    pub struct Renamed {
        pub a: u64,
        pub x: u64,
    }

    /// `a` retyped.
    #[derive(mapped::Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    #[repr(C)]
    #[mapped(magic = b"EVOLVE\0\0", version = 3)]
    pub struct Retyped {
        pub a: i64,
        pub b: u64,
        pub c: u64,
    }

    /// `z` inserted before `b`.
    #[derive(mapped::Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    #[repr(C)]
    #[mapped(magic = b"EVOLVE\0\0", version = 3)]
    pub struct Inserted {
        pub a: u64,
        pub z: u64,
        pub b: u64,
    }

    /// `{a}` at a version above v2's, and `{a, b}` at one below v3's.
    #[derive(mapped::Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    #[repr(C)]
    #[mapped(magic = b"EVOLVE\0\0", version = 5)]
    pub struct HighA {
        pub a: u64,
    }

    #[derive(mapped::Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    #[repr(C)]
    #[mapped(magic = b"EVOLVE\0\0", version = 1)]
    pub struct LowAb {
        pub a: u64,
        pub b: u64,
    }

    /// `{a}` without a header.
    #[derive(mapped::Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    #[repr(C)]
    pub struct Plain {
        pub a: u64,
    }

    /// `{a, b}` whose schema cannot fit a 4096-byte header's areas.
    #[derive(mapped::Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    #[repr(C)]
    #[mapped(magic = b"EVOLVE\0\0", version = 2)]
    pub struct Huge {
        pub a: u64,
        pub f_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name_long_field_name:
            u64,
    }
}

fn assert_mismatch(result: Result<(), Error>, what: &str) {
    let err = result.expect_err(what);
    assert!(matches!(err, Error::LayoutMismatch { .. }), "{what}: {err}");
    assert!(!err.to_string().contains("newer"), "{what}: {err}");
}

#[test]
fn other_layouts_are_refused_in_every_mode_and_by_upgrades() {
    let tmp = TempDir::new();
    for writer in 2..=3 {
        let path = tmp.path(&format!("other-{writer}.bin"));
        write(writer, &path);
        let before = std::fs::read(&path).unwrap();
        macro_rules! refused {
            ($rec:ty) => {
                let name = stringify!($rec);
                assert_mismatch(<$rec>::open(&path).map(drop), name);
                assert_mismatch(<$rec>::open_or_create(&path).map(drop), name);
                assert_mismatch(<$rec>::open_read_only(&path).map(drop), name);
                assert_mismatch(<$rec>::open_private(&path).map(drop), name);
                assert_mismatch(<$rec>::upgrade(&path), name);
                let upgrading = <$rec>::options().upgrade(true).open(&path).map(drop);
                assert_mismatch(upgrading, name);
            };
        }
        refused!(other::Renamed);
        refused!(other::Retyped);
        refused!(other::Inserted);
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
    // The message names the first difference.
    let path = tmp.path("other-2.bin");
    let err = other::Renamed::open(&path).unwrap_err().to_string();
    assert!(
        err.contains("`b: u64`") && err.contains("`x: u64`"),
        "{err}"
    );
}

#[test]
fn a_newer_layout_must_not_carry_a_lower_version() {
    let tmp = TempDir::new();
    // v1 wrote `{a}` at version 1: `{a, b}` at version 1 is no lower, so it upgrades.
    let path = tmp.path("low.bin");
    write(1, &path);
    other::LowAb::upgrade(&path).unwrap();
    // `{a}` at version 5, then `{a, b}` at version 2 (v2) is lower: refused both ways.
    let high = tmp.path("high.bin");
    other::HighA::create_new(&high).unwrap().set_a(1);
    let before = std::fs::read(&high).unwrap();
    for result in [v2::Rec::open(&high).map(drop), v2::Rec::upgrade(&high)] {
        let err = result.unwrap_err();
        assert!(
            matches!(
                err,
                Error::VersionMismatch {
                    found: 5,
                    expected: 2,
                    ..
                }
            ),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(&high).unwrap(), before);
    // A v2 file opened by `{a}` at version 5: the newer layout (the file's) is lower.
    let newer = tmp.path("newer.bin");
    write(2, &newer);
    let err = other::HighA::open_read_only(&newer).unwrap_err();
    assert!(
        matches!(
            err,
            Error::VersionMismatch {
                found: 2,
                expected: 5,
                ..
            }
        ),
        "{err}"
    );
    // Equal layouts check the version as before: exactly.
    assert_eq!(other::HighA::open(&high).unwrap().a(), 1);
    let err = v1::Rec::open(&high).unwrap_err();
    assert!(
        matches!(
            err,
            Error::VersionMismatch {
                found: 5,
                expected: 1,
                ..
            }
        ),
        "{err}"
    );
}

/// A struct file in header format 2, as the release before this one wrote it: the schema right
/// after the fixed 64 bytes, the data at the next multiple of 64.
fn format_2_file(path: &Path) {
    let tmp = TempDir::new();
    let fresh = tmp.path("fresh.bin");
    write(1, &fresh);
    let new = std::fs::read(&fresh).unwrap();
    let schema_len = u32::from_le_bytes(new[76..80].try_into().unwrap()) as usize;
    let schema = &new[96..96 + schema_len];
    let data_offset = (64 + schema_len).next_multiple_of(64);
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"EVOLVE\0\0");
    bytes.extend_from_slice(&1u32.to_le_bytes());
    bytes.extend_from_slice(&new[12..16]); // byte order
    bytes.extend_from_slice(&<v1::Rec as Mapped>::LAYOUT.fingerprint.to_le_bytes());
    bytes.extend_from_slice(&8u64.to_le_bytes());
    bytes.extend_from_slice(&(data_offset as u64).to_le_bytes());
    bytes.extend_from_slice(&1u64.to_ne_bytes());
    bytes.extend_from_slice(&2u32.to_le_bytes());
    bytes.extend_from_slice(&1u32.to_le_bytes());
    bytes.extend_from_slice(&(schema_len as u32).to_le_bytes());
    bytes.extend_from_slice(&[0; 4]);
    bytes.extend_from_slice(schema);
    bytes.resize(data_offset, 0);
    bytes.extend_from_slice(&VALUES[0].to_ne_bytes());
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn format_2_files_open_as_before_and_refuse_to_grow() {
    let tmp = TempDir::new();
    let path = tmp.path("format2.bin");
    format_2_file(&path);
    let before = std::fs::read(&path).unwrap();
    for how in HOWS {
        assert_eq!(open_as(1, how, &path).unwrap(), [VALUES[0]], "{how:?}");
    }
    let info = FileInfo::read(&path).unwrap();
    assert_eq!(
        (info.version, info.data_offset, info.fields.len()),
        (1, 128, 1)
    );
    assert!(matches!(
        v2::Rec::open(&path),
        Err(Error::NeedsUpgrade { .. })
    ));
    for by_options in [false, true] {
        let err = upgrade_to(2, by_options, &path).unwrap_err();
        assert!(matches!(err, Error::UpgradeRefused { .. }), "{err}");
        assert!(err.to_string().contains("format 2"), "{err}");
    }
    v1::Rec::upgrade(&path).unwrap(); // already at v1's layout: a no-op
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_schema_past_the_header_room_is_refused_clearly() {
    let tmp = TempDir::new();
    let path = tmp.path("small.bin");
    write(1, &path);
    let before = std::fs::read(&path).unwrap();
    let err = other::Huge::upgrade(&path).unwrap_err();
    assert!(matches!(err, Error::UpgradeRefused { .. }), "{err}");
    let message = err.to_string();
    assert!(message.contains("1984"), "{message}");
    assert!(message.contains("fields"), "{message}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // A new file of such a type gets a header with room for it.
    let huge = tmp.path("huge.bin");
    other::Huge::create_new(&huge).unwrap();
    assert_eq!(FileInfo::read(&huge).unwrap().data_offset, 8192);
}

#[test]
fn at_an_offset_only_the_struct_at_the_end_of_its_file_grows() {
    let tmp = TempDir::new();
    let path = tmp.path("two.bin");
    // Two structs with headers: one at 0, one right after it.
    let second_at = 4096 + 8;
    write(1, &path);
    let first = std::fs::read(&path).unwrap();
    let mut both = first.clone();
    both.extend_from_slice(&first);
    both[second_at as usize + 4096..].copy_from_slice(&2u64.to_ne_bytes());
    std::fs::write(&path, &both).unwrap();
    assert_eq!(
        v1::Rec::options()
            .offset(second_at)
            .open(&path)
            .unwrap()
            .a(),
        2
    );
    let before = std::fs::read(&path).unwrap();

    let err = v2::Rec::options().upgrade(true).open(&path).unwrap_err();
    assert!(matches!(err, Error::UpgradeRefused { .. }), "{err}");
    assert!(err.to_string().contains("end of its file"), "{err}");
    let err = v2::Rec::upgrade(&path).unwrap_err();
    assert!(matches!(err, Error::UpgradeRefused { .. }), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);

    let grown = v2::Rec::options()
        .offset(second_at)
        .upgrade(true)
        .open(&path)
        .unwrap();
    assert_eq!((grown.a(), grown.b()), (2, 0));
    let after = std::fs::read(&path).unwrap();
    assert_eq!(after.len(), second_at as usize + 4096 + 16);
    assert_eq!(after[..second_at as usize], before[..second_at as usize]);
    assert_eq!(v1::Rec::open(&path).unwrap().a(), VALUES[0]);
}

#[test]
fn concurrent_upgraders_are_serialised() {
    let tmp = TempDir::new();
    for round in 0..8 {
        let path = tmp.path(&format!("race-{round}.bin"));
        write(1, &path);
        let threads: Vec<_> = (0..4)
            .map(|i| {
                let path = path.clone();
                std::thread::spawn(move || {
                    if i % 2 == 0 {
                        v3::Rec::upgrade(&path)
                    } else {
                        v3::Rec::options().upgrade(true).open(&path).map(drop)
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap().unwrap();
        }
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(
            u64::from_le_bytes(bytes[64..72].try_into().unwrap()),
            1,
            "one upgrade committed; the others found the file upgraded"
        );
        assert_eq!(stored(&path), [VALUES[0], 0, 0]);
    }
}

#[test]
fn a_type_without_magic_has_nothing_to_upgrade() {
    let tmp = TempDir::new();
    let path = tmp.path("plain.bin");
    other::Plain::create_new(&path).unwrap();
    let err = other::Plain::upgrade(&path).unwrap_err();
    assert!(matches!(err, Error::NotSelfDescribing { .. }), "{err}");
    assert!(err.to_string().contains("magic"), "{err}");
}

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(magic = b"ALIGNED\0", version = 1)]
struct Narrow {
    a: u32,
}

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(magic = b"ALIGNED\0", version = 2)]
struct Wide {
    a: u32,
    #[mapped(since = 2)]
    gap: u32,
    #[mapped(since = 2)]
    b: u64,
}

/// `{a}` grown to an alignment of 256, above a format-2 file's data offset of 128.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C, align(256))]
#[mapped(magic = b"EVOLVE\0\0", version = 2)]
struct Aligned256 {
    a: u64,
    pad: [u8; 248],
}

#[test]
fn alignment_may_not_grow_past_the_data_offset() {
    let tmp = TempDir::new();
    let path = tmp.path("format2-aligned.bin");
    format_2_file(&path);
    let before = std::fs::read(&path).unwrap();
    for result in [
        Aligned256::open(&path).map(drop),
        Aligned256::upgrade(&path),
    ] {
        let err = result.unwrap_err();
        assert!(matches!(err, Error::LayoutMismatch { .. }), "{err}");
        assert!(err.to_string().contains("alignment grew to 256"), "{err}");
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // A format-3 file's data offset, 4096, allows it.
    let path = tmp.path("format3-aligned.bin");
    write(1, &path);
    Aligned256::upgrade(&path).unwrap();
    assert_eq!(Aligned256::open(&path).unwrap().a(), VALUES[0]);
}

#[test]
fn alignment_may_grow_where_the_data_offset_allows() {
    let tmp = TempDir::new();
    let path = tmp.path("aligned.bin");
    Narrow::create_new(&path).unwrap().set_a(9);
    Wide::upgrade(&path).unwrap();
    let wide = Wide::open(&path).unwrap();
    assert_eq!((wide.a(), wide.gap(), wide.b()), (9, 0, 0));
    assert_eq!(Narrow::open_read_only(&path).unwrap().a(), 9);
}

#[test]
fn opening_during_upgrades_always_finds_one_whole_layout() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let tmp = TempDir::new();
    for round in 0..10 {
        let path = tmp.path(&format!("live-{round}.bin"));
        write(1, &path);
        let done = Arc::new(AtomicBool::new(false));
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let (path, done) = (path.clone(), Arc::clone(&done));
                std::thread::spawn(move || {
                    let mut opens = 0u64;
                    while !done.load(Ordering::SeqCst) || opens == 0 {
                        assert_eq!(v1::Rec::open_read_only(&path).unwrap().a(), VALUES[0]);
                        let info = FileInfo::read(&path).unwrap();
                        assert_eq!(info.len, 1, "the struct is all there: {info:?}");
                        for reader in 2..=3 {
                            match open_as(reader, How::ReadOnly, &path) {
                                Ok(read) => assert_eq!(read[0], VALUES[0]),
                                Err(Error::NeedsUpgrade { .. }) => {}
                                Err(other) => panic!("v{reader} during an upgrade: {other}"),
                            }
                        }
                        opens += 1;
                    }
                    opens
                })
            })
            .collect();
        v2::Rec::upgrade(&path).unwrap();
        v3::Rec::upgrade(&path).unwrap();
        done.store(true, Ordering::SeqCst);
        for reader in readers {
            assert!(reader.join().unwrap() > 0);
        }
        assert_eq!(stored(&path), [VALUES[0], 0, 0]);
    }
}
