//! Every kind of field the derive accepts, compiled with warnings denied: the generated code must
//! not warn (unused items, missing docs, lints) in a user's crate.
#![deny(warnings)]
#![deny(missing_docs)]

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use mapped::Mapped;
use zerocopy::byteorder::{BigEndian, U32};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

/// A nested struct.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
pub struct Point {
    /// Horizontal.
    pub x: f32,
    /// Vertical.
    pub y: f32,
}

/// One of everything, 16-byte aligned with no padding anywhere.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C, align(16))]
pub struct Everything {
    /// A 64-bit float.
    pub ratio: f64,
    /// An unsigned integer.
    pub count: u64,
    /// A signed integer.
    pub delta: i32,
    /// A 32-bit float.
    pub scale: f32,
    /// A counter shared between processes.
    pub hits: AtomicU64,
    /// A smaller counter.
    pub misses: AtomicU32,
    /// Stored big-endian, read as a native `u32`.
    pub length: U32<BigEndian>,
    /// A nested mapped struct.
    pub origin: Point,
    /// An array of bytes.
    pub name: [u8; 8],
    /// An array of nested structs.
    pub corners: [Point; 2],
    /// A field whose name is a keyword.
    pub r#type: u16,
    /// Signed bytes.
    pub flags: [i8; 6],
}

fn main() {
    let e = Everything::anonymous().unwrap();

    e.set_ratio(0.5);
    assert_eq!(e.ratio(), 0.5);
    e.count_mut().update(|n| n + 3);
    assert_eq!(e.count(), 3);
    e.set_delta(-1);
    assert_eq!(e.delta(), -1);
    e.set_scale(2.0);
    assert_eq!(e.scale(), 2.0);

    e.hits().fetch_add(2, Ordering::SeqCst);
    e.hits_mut().fetch_add(1, Ordering::SeqCst);
    e.set_misses(7);
    assert_eq!(e.hits().load(Ordering::SeqCst), 3);
    assert_eq!(e.misses().load(Ordering::SeqCst), 7);

    e.set_length(258);
    assert_eq!(e.length(), 258);
    assert_eq!(e.load().length.as_bytes(), &[0, 0, 1, 2]);

    e.origin_mut().set_x(1.0);
    assert_eq!(e.origin().x(), 1.0);
    e.set_origin(Point { x: 3.0, y: 4.0 });
    assert_eq!(e.origin().y(), 4.0);

    e.set_name(*b"mapped!!");
    e.set_name_at(0, b'M').unwrap();
    assert_eq!(e.name_at(0), Some(b'M'));
    assert_eq!(e.name_at(8), None);
    e.corners_mut().get_mut(1).unwrap().set_y(9.0);
    assert_eq!(e.corners_at(1).unwrap().y(), 9.0);

    e.set_type(5);
    assert_eq!(e.r#type(), 5);
    e.type_mut().set(6);
    assert_eq!(e.r#type(), 6);

    e.set_flags_at(5, -1).unwrap();
    assert_eq!(e.flags()[5], -1);
}
