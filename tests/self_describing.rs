//! Files that describe themselves: the schema in the header, `FileInfo` read without the Rust
//! type, layout mismatches that name the field, renamed types that keep their files, and files of
//! the format before schemas refused by name.

mod common;

use std::sync::atomic::AtomicU32;

use common::TempDir;
use mapped::{Endian, Error, FieldKind, FileInfo, FileKind, Mapped, MappedVec};
use zerocopy::byteorder::{BigEndian, U16};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Copy)]
#[repr(C)]
struct Point {
    x: f32,
    y: f32,
}

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(magic = b"SHAPES\0\0", version = 3)]
struct Shapes {
    id: u64,
    #[mapped(readonly)]
    hits: AtomicU32,
    port: U16<BigEndian>,
    tag: [u8; 2],
    corners: [Point; 2],
}

mod old {
    use super::*;

    /// `Tick` as an older program wrote it.
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Copy)]
    #[repr(C)]
    pub struct Tick {
        pub at: u64,
        pub price: f64,
        pub qty: u32,
        pub side: u32,
    }
}

mod new {
    use super::*;

    /// `Tick` with `qty` widened: another layout.
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    pub struct Tick {
        pub at: u64,
        pub price: f64,
        pub qty: u64,
    }
}

mod renamed {
    use super::*;

    /// `old::Tick` under a much longer name: the same fields, so the same fingerprint.
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    pub struct TickRecordedByTheExchangeGatewayWithANameLongEnoughThatItsSchemaCrossesAnotherSixtyFourByteBoundary
    {
        pub at: u64,
        pub price: f64,
        pub qty: u32,
        pub side: u32,
    }
}

#[test]
fn a_struct_file_describes_its_fields_without_the_type() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("shapes.bin");
    Shapes::create_new(&path)?.set_id(9);
    let info = FileInfo::read(&path)?;
    assert_eq!(info.kind, FileKind::Struct);
    assert_eq!(
        (info.name.as_str(), info.version, info.magic),
        ("Shapes", 3, *b"SHAPES\0\0")
    );
    assert_eq!(info.fingerprint, <Shapes as Mapped>::LAYOUT.fingerprint);
    let native = if cfg!(target_endian = "little") {
        Endian::Little
    } else {
        Endian::Big
    };
    assert_eq!(info.byte_order, native);
    assert_eq!((info.record_size, info.len, info.capacity()), (32, 1, 1));
    assert_eq!(info.data_offset % 64, 0);
    let types: Vec<_> = info
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.offset, f.type_name.as_str()))
        .collect();
    assert_eq!(
        types,
        [
            ("id", 0, "u64"),
            ("hits", 8, "AtomicU32"),
            ("port", 12, "U16<BigEndian>"),
            ("tag", 14, "[u8; 2]"),
            ("corners", 16, "[Point; 2]"),
        ]
    );
    assert!(info.fields[1].readonly && !info.fields[0].readonly);
    let corners = info.fields[4].fields();
    assert_eq!((corners[1].name.as_str(), corners[1].offset), ("y", 4));
    // The struct really is at the data offset.
    let bytes = std::fs::read(&path).unwrap();
    let at = info.data_offset as usize;
    assert_eq!(&bytes[at..at + 8], &9u64.to_ne_bytes());
    Ok(())
}

#[test]
fn a_record_file_describes_its_records_scalar_or_struct() -> Result<(), Error> {
    let tmp = TempDir::new();
    let ticks = tmp.path("ticks.bin");
    let mut log = MappedVec::<old::Tick>::open_or_create(&ticks)?;
    log.extend((0..5).map(|at| old::Tick {
        at,
        price: 1.5,
        qty: 2,
        side: 1,
    }))?;
    let info = FileInfo::read(&ticks)?;
    assert_eq!(
        (info.kind, info.name.as_str(), info.len),
        (FileKind::Records, "Tick", 5)
    );
    assert!(info.capacity() >= 5);
    assert_eq!(info.fields.len(), 4);

    let ints = tmp.path("ints.bin");
    MappedVec::<[u16; 3]>::open_or_create(&ints)?.push([1, 2, 3])?;
    let info = FileInfo::read(&ints)?;
    assert_eq!(
        (info.name.as_str(), info.record_size, info.len),
        ("[u16; 3]", 6, 1)
    );
    assert!(info.fields.is_empty());
    assert_eq!(
        info.root,
        FieldKind::Array {
            element: Box::new(FieldKind::Unsigned { bytes: 2 }),
            len: 3
        }
    );
    Ok(())
}

#[test]
fn files_without_a_header_are_not_self_describing() {
    let tmp = TempDir::new();
    let plain = tmp.path("point.bin");
    Point::create_new(&plain).unwrap();
    let garbage = tmp.path("garbage.bin");
    std::fs::write(&garbage, [0x5a; 4096]).unwrap();
    let empty = tmp.path("empty.bin");
    std::fs::write(&empty, []).unwrap();
    for path in [&plain, &garbage, &empty] {
        match FileInfo::read(path) {
            Err(err @ Error::NotSelfDescribing { .. }) => {
                assert_eq!(err.path(), Some(path.as_path()));
                assert!(err.to_string().contains("not self-describing"), "{err}");
            }
            other => panic!("{}: {other:?}", path.display()),
        }
    }
    assert!(matches!(
        FileInfo::read(tmp.path("missing.bin")),
        Err(Error::Io { .. })
    ));
    assert!(matches!(
        FileInfo::read(tmp.path("")),
        Err(Error::NotRegularFile { .. })
    ));
}

#[test]
fn a_layout_mismatch_names_the_first_field_that_differs() {
    let tmp = TempDir::new();
    let path = tmp.path("ticks.bin");
    MappedVec::<old::Tick>::open_or_create(&path).unwrap();
    let err = MappedVec::<new::Tick>::open(&path).unwrap_err();
    let Error::LayoutMismatch { difference, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(
        difference.as_deref(),
        Some("field `qty`: the file has `u32` at offset 16, `Tick` has `u64` at offset 16")
    );
    assert!(err.to_string().contains("field `qty`"), "{err}");
}

#[test]
fn a_renamed_type_keeps_its_files_though_its_data_offset_moves() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("ticks.bin");
    let mut log = MappedVec::<old::Tick>::open_or_create(&path)?;
    log.push(old::Tick {
        at: 7,
        price: 2.5,
        qty: 3,
        side: 0,
    })?;
    drop(log);
    let before = FileInfo::read(&path)?.data_offset;
    let mut log =
        MappedVec::<renamed::TickRecordedByTheExchangeGatewayWithANameLongEnoughThatItsSchemaCrossesAnotherSixtyFourByteBoundary>::open(&path)?;
    assert_eq!(log.len(), 1);
    assert_eq!(log.get(0).unwrap().qty(), 3);
    log.push(
        renamed::TickRecordedByTheExchangeGatewayWithANameLongEnoughThatItsSchemaCrossesAnotherSixtyFourByteBoundary {
            at: 8,
            price: 0.5,
            qty: 4,
            side: 1,
        },
    )?;
    drop(log);
    // A new file of the renamed type has a longer schema, so its data starts later; each type
    // reads the other's file all the same.
    let other = tmp.path("renamed.bin");
    MappedVec::<renamed::TickRecordedByTheExchangeGatewayWithANameLongEnoughThatItsSchemaCrossesAnotherSixtyFourByteBoundary>::open_or_create(
        &other,
    )?
    .push(
        renamed::TickRecordedByTheExchangeGatewayWithANameLongEnoughThatItsSchemaCrossesAnotherSixtyFourByteBoundary {
            at: 1,
            price: 1.0,
            qty: 1,
            side: 1,
        },
    )?;
    assert!(FileInfo::read(&other)?.data_offset > before);
    assert_eq!(
        MappedVec::<old::Tick>::open_read_only(&other)?.load(0).at,
        1
    );
    assert_eq!(
        MappedVec::<old::Tick>::open_read_only(&path)?
            .to_vec()
            .len(),
        2
    );
    Ok(())
}

#[test]
fn files_of_the_format_before_schemas_are_refused_by_name() {
    let tmp = TempDir::new();
    // A record file of version 1: the old 64-byte header, then records.
    let records = tmp.path("v1.bin");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"MAPDRECS");
    bytes.extend_from_slice(&1u32.to_le_bytes());
    bytes.extend_from_slice(&1u32.to_le_bytes());
    bytes.extend_from_slice(&<old::Tick as Mapped>::LAYOUT.fingerprint.to_le_bytes());
    bytes.extend_from_slice(&24u64.to_le_bytes());
    bytes.extend_from_slice(&64u64.to_le_bytes());
    bytes.resize(64, 0);
    std::fs::write(&records, &bytes).unwrap();
    let err = MappedVec::<old::Tick>::open_read_only(&records).unwrap_err();
    assert!(
        matches!(
            err,
            Error::VersionMismatch {
                found: 1,
                expected: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(matches!(
        FileInfo::read(&records),
        Err(Error::UnsupportedFormat {
            found: 1,
            expected: 2,
            ..
        })
    ));

    // A struct file of format 1: a 32-byte header, then the struct.
    let structs = tmp.path("v1-struct.bin");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"SHAPES\0\0");
    bytes.extend_from_slice(&3u32.to_le_bytes());
    bytes.extend_from_slice(&1u32.to_le_bytes());
    bytes.extend_from_slice(&<Shapes as Mapped>::LAYOUT.fingerprint.to_le_bytes());
    bytes.extend_from_slice(&32u64.to_le_bytes());
    bytes.resize(32 + 32, 0x11);
    std::fs::write(&structs, &bytes).unwrap();
    let err = Shapes::open(&structs).unwrap_err();
    assert!(
        matches!(
            err,
            Error::UnsupportedFormat {
                found: 1,
                expected: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("format 1"), "{err}");
    assert_eq!(std::fs::read(&structs).unwrap(), bytes, "refused untouched");
}

#[test]
fn the_data_starts_at_a_multiple_of_64_and_of_the_alignment() -> Result<(), Error> {
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C, align(256))]
    struct Wide {
        words: [u64; 32],
    }
    let tmp = TempDir::new();
    let path = tmp.path("wide.bin");
    MappedVec::<Wide>::open_or_create(&path)?.push(Wide { words: [1; 32] })?;
    let info = FileInfo::read(&path)?;
    assert_eq!(info.data_offset % 256, 0);
    assert_eq!(info.align, 256);
    Ok(())
}
