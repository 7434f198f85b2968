//! `<T as Mapped>::LAYOUT`: introspection and the layout fingerprint.

use std::sync::atomic::AtomicU32;

use mapped::{Mapped, Shape};
use zerocopy::byteorder::{BigEndian, U16};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(size = 16, align = 8)]
struct Point {
    #[mapped(offset = 0)]
    x: f64,
    #[mapped(offset = 8)]
    y: f64,
}

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Body {
    id: u64,
    pos: Point,
    trail: [Point; 2],
    tag: [u8; 4],
    port: U16<BigEndian>,
    delta: i16,
    #[mapped(readonly)]
    hits: AtomicU32,
    r#type: u32,
}

#[test]
fn layout_lists_every_field_with_offset_size_and_type() {
    let layout = <Body as Mapped>::LAYOUT;
    assert_eq!(layout.name, "Body");
    assert_eq!(
        (layout.size, layout.align),
        (std::mem::size_of::<Body>(), 8)
    );
    let fields: Vec<_> = layout
        .fields
        .iter()
        .map(|f| (f.name, f.offset, f.size, f.type_name))
        .collect();
    assert_eq!(
        fields,
        [
            ("id", 0, 8, "u64"),
            ("pos", 8, 16, "Point"),
            ("trail", 24, 32, "[Point; 2]"),
            ("tag", 56, 4, "[u8; 4]"),
            ("port", 60, 2, "U16<BigEndian>"),
            ("delta", 62, 2, "i16"),
            ("hits", 64, 4, "AtomicU32"),
            ("type", 68, 4, "u32"),
        ]
    );
    assert!(layout.fields[6].readonly && !layout.fields[7].readonly);
}

#[test]
fn nested_structs_point_at_their_own_layout() {
    let layout = <Body as Mapped>::LAYOUT;
    let pos = layout.fields[1].layout().expect("pos is a struct");
    assert_eq!(pos.name, "Point");
    assert_eq!(pos.fingerprint, <Point as Mapped>::LAYOUT.fingerprint);
    let trail = layout.fields[2].layout().expect("trail holds structs");
    assert_eq!(trail.name, "Point");
    assert!(matches!(
        layout.fields[2].shape,
        Shape::Array { len: 2, .. }
    ));
    assert!(matches!(
        layout.fields[4].shape,
        Shape::ByteOrder {
            big_endian: true,
            value: Shape::Unsigned { bytes: 2 }
        }
    ));
    assert!(layout.fields[0].layout().is_none());
}

#[test]
fn layout_is_a_constant() {
    const FINGERPRINT: u64 = <Body as Mapped>::LAYOUT.fingerprint;
    const FIELDS: usize = <Body as Mapped>::LAYOUT.fields.len();
    assert_eq!(FIELDS, 8);
    assert_ne!(FINGERPRINT, 0);
}

mod v1 {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    pub struct Record {
        pub count: u64,
        pub value: f64,
    }
}

mod renamed_type {
    use super::*;
    /// Same fields as `v1::Record`: only the type's name differs.
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    pub struct Entry {
        pub count: u64,
        pub value: f64,
    }
}

mod renamed_field {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    pub struct Record {
        pub total: u64,
        pub value: f64,
    }
}

mod retyped_field {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    pub struct Record {
        pub count: i64,
        pub value: f64,
    }
}

mod reordered {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    pub struct Record {
        pub value: f64,
        pub count: u64,
    }
}

mod grown {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    pub struct Record {
        pub count: u64,
        pub value: f64,
        pub extra: u64,
    }
}

mod byte_order {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    pub struct Record {
        pub count: zerocopy::byteorder::U64<BigEndian>,
        pub value: f64,
    }
}

#[test]
fn the_fingerprint_changes_with_anything_that_would_misread_a_file() {
    let base = <v1::Record as Mapped>::LAYOUT.fingerprint;
    assert_eq!(
        base,
        <renamed_type::Entry as Mapped>::LAYOUT.fingerprint,
        "type name is free"
    );
    for (what, other) in [
        (
            "a renamed field",
            <renamed_field::Record as Mapped>::LAYOUT.fingerprint,
        ),
        (
            "u64 -> i64",
            <retyped_field::Record as Mapped>::LAYOUT.fingerprint,
        ),
        (
            "reordered fields",
            <reordered::Record as Mapped>::LAYOUT.fingerprint,
        ),
        (
            "an added field",
            <grown::Record as Mapped>::LAYOUT.fingerprint,
        ),
        (
            "native -> big-endian",
            <byte_order::Record as Mapped>::LAYOUT.fingerprint,
        ),
    ] {
        assert_ne!(base, other, "{what} must change the fingerprint");
    }
}

/// `readonly` means "no setter": whole-value writes (`store`, a parent's setter) copy every byte of
/// the struct, the readonly field's too, as the README documents.
#[test]
fn whole_value_writes_include_readonly_fields() {
    let body = Body::anonymous().unwrap();
    let mut value = body.load();
    value.hits = AtomicU32::new(7);
    body.store(&value);
    assert_eq!(body.hits().load(std::sync::atomic::Ordering::Acquire), 7);

    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    struct Parent {
        child: Body,
    }
    let parent = Parent::anonymous().unwrap();
    parent.set_child(value);
    assert_eq!(
        parent
            .child()
            .hits()
            .load(std::sync::atomic::Ordering::Acquire),
        7
    );
}

/// `Wrapping<T>` is plain data, laid out and fingerprinted as `T`.
#[test]
fn wrapping_integers_are_fields_shaped_as_their_integer() {
    use std::num::Wrapping;

    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    struct Counter {
        ticks: Wrapping<u32>,
    }
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    struct Plain {
        ticks: u32,
    }

    let counter = Counter::anonymous().unwrap();
    counter.set_ticks(Wrapping(u32::MAX));
    counter.ticks_mut().update(|ticks| ticks + Wrapping(2));
    assert_eq!(counter.ticks(), Wrapping(1));
    assert!(matches!(
        <Counter as Mapped>::LAYOUT.fields[0].shape,
        Shape::Unsigned { bytes: 4 }
    ));
    assert_eq!(
        <Counter as Mapped>::LAYOUT.fingerprint,
        <Plain as Mapped>::LAYOUT.fingerprint
    );
    assert!(mapped::c_header::<Counter>().contains("    uint32_t ticks;"));
}

#[test]
fn readonly_fields_have_getters_only() {
    let body = Body::anonymous().unwrap();
    body.set_id(1);
    // `hits` is readonly: its getter hands out a load-only atomic even on a writable handle.
    assert_eq!(body.hits().load(std::sync::atomic::Ordering::Acquire), 0);
}
