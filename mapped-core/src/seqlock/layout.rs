//! The layout of a `Seqlock<T>` as every reader of layouts sees it: a struct
//! `Seqlock_<T> { sequence: AtomicU64, lock: AtomicU64, copy0: T, [pad0: [u8; P],] copy1: T,
//! [pad1: [u8; P]] }`, the pads there only when `T`'s size is not a multiple of 8 (`P` bytes make
//! it one). C headers, schemas, numpy and the command-line tool describe it with no special case.

use std::mem::{align_of, size_of};
use std::sync::atomic::AtomicU64;

use super::latch::words_for;
use super::{Seqlock, SeqlockValue};
use crate::field::FieldType;
use crate::shape::{field, seqlock_layout, Field, Layout, Shape};

/// Type names of the pads, by length.
const PADS: [&str; 8] = [
    "[u8; 0]", "[u8; 1]", "[u8; 2]", "[u8; 3]", "[u8; 4]", "[u8; 5]", "[u8; 6]", "[u8; 7]",
];

/// The name a field of `shape` is written with: a struct's name, or a number's.
const fn type_name(shape: &Shape) -> &'static str {
    match shape {
        Shape::Struct(layout) => layout.name,
        Shape::Unsigned { bytes: 1 } => "u8",
        Shape::Unsigned { bytes: 2 } => "u16",
        Shape::Unsigned { bytes: 4 } => "u32",
        Shape::Unsigned { bytes: 8 } => "u64",
        Shape::Signed { bytes: 1 } => "i8",
        Shape::Signed { bytes: 2 } => "i16",
        Shape::Signed { bytes: 4 } => "i32",
        Shape::Signed { bytes: 8 } => "i64",
        Shape::Float { bytes: 4 } => "f32",
        Shape::Float { bytes: 8 } => "f64",
        _ => "value",
    }
}

impl<T: SeqlockValue> Seqlock<T> {
    /// Words per copy.
    pub(super) const WORDS: usize = {
        assert!(
            align_of::<T>() <= 8,
            "a `Seqlock` holds values aligned to at most 8 bytes (not `u128` or `align(16)`)"
        );
        assert!(
            !T::SHAPE.has_atomics(),
            "a `Seqlock` holds plain values: no atomic (and no `Seqlock`) inside"
        );
        assert!(
            size_of::<Self>() == 8 * (2 + 2 * words_for(size_of::<T>())),
            "`SeqlockValue::Words` must be `[AtomicU64; 2 + 2 * words]`: implement it with \
             `#[derive(Mapped)]`"
        );
        words_for(size_of::<T>())
    };
    const PAD: usize = Self::WORDS * 8 - size_of::<T>();
    const PAD_SHAPE: Shape = Shape::Array {
        element: &<u8 as FieldType>::SHAPE,
        len: Self::PAD,
    };
    const COPY1: usize = 16 + Self::WORDS * 8;
    const SEQUENCE: Field = field(
        "sequence",
        0,
        8,
        "AtomicU64",
        &<AtomicU64 as FieldType>::SHAPE,
        false,
    );
    const LOCK: Field = field(
        "lock",
        8,
        8,
        "AtomicU64",
        &<AtomicU64 as FieldType>::SHAPE,
        false,
    );
    const COPY0_FIELD: Field = field(
        "copy0",
        16,
        size_of::<T>(),
        type_name(&T::SHAPE),
        &T::SHAPE,
        false,
    );
    const COPY1_FIELD: Field = field(
        "copy1",
        Self::COPY1,
        size_of::<T>(),
        type_name(&T::SHAPE),
        &T::SHAPE,
        false,
    );
    const WHOLE: [Field; 4] = [
        Self::SEQUENCE,
        Self::LOCK,
        Self::COPY0_FIELD,
        Self::COPY1_FIELD,
    ];
    const PADDED: [Field; 6] = [
        Self::SEQUENCE,
        Self::LOCK,
        Self::COPY0_FIELD,
        field(
            "pad0",
            16 + size_of::<T>(),
            Self::PAD,
            PADS[Self::PAD],
            &Self::PAD_SHAPE,
            false,
        ),
        Self::COPY1_FIELD,
        field(
            "pad1",
            Self::COPY1 + size_of::<T>(),
            Self::PAD,
            PADS[Self::PAD],
            &Self::PAD_SHAPE,
            false,
        ),
    ];
    pub(super) const LAYOUT: Layout = seqlock_layout(
        T::NAME,
        16 + 16 * Self::WORDS,
        8,
        if Self::PAD == 0 {
            &Self::WHOLE
        } else {
            &Self::PADDED
        },
    );
}
