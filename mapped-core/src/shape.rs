//! What a mapped type is, as data: the shape of each field type and the layout of each struct,
//! with the fingerprint that tells layouts apart. The leaf of the crate: it depends on nothing, and
//! the unsafe code above argues from these descriptors alone.

/// The layout of a mapped struct: `<T as Mapped>::LAYOUT`.
///
/// ```
/// use mapped::Mapped;
/// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Point { x: f32, y: f32 }
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Body { id: u64, pos: Point }
///
/// let layout = <Body as Mapped>::LAYOUT;
/// assert_eq!((layout.name, layout.size, layout.align), ("Body", 16, 8));
/// let pos = &layout.fields[1];
/// assert_eq!((pos.name, pos.offset, pos.size, pos.type_name), ("pos", 8, 8, "Point"));
/// assert_eq!(pos.layout().unwrap().fields[1].name, "y");
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Layout {
    /// The struct's name.
    pub name: &'static str,
    /// `size_of` the struct.
    pub size: usize,
    /// `align_of` the struct.
    pub align: usize,
    /// A hash of every field's name, type, offset and size, and of the struct's size and
    /// alignment: any change that would make an old file misread changes it.
    pub fingerprint: u64,
    /// The fields, in declaration (and memory) order.
    pub fields: &'static [Field],
    /// A [`Seqlock`](crate::Seqlock)'s storage: whole-value copies move it as atomic words, and
    /// whole-value writes, which would bypass its protocol, do not compile.
    pub(crate) seqlock: bool,
}

impl Layout {
    /// Whether the two layouts have the same size, alignment and fields (offset, size and shape,
    /// pairwise; names aside): see [`Shape::same_as`].
    pub(crate) const fn same_as(&self, other: &Layout) -> bool {
        if self.size != other.size
            || self.align != other.align
            || self.seqlock != other.seqlock
            || self.fields.len() != other.fields.len()
        {
            return false;
        }
        let mut i = 0;
        while i < self.fields.len() {
            let (a, b) = (&self.fields[i], &other.fields[i]);
            if a.offset != b.offset || a.size != b.size || !a.shape.same_as(b.shape) {
                return false;
            }
            i += 1;
        }
        true
    }

    /// Whether a field of this layout starts at `offset`, `size` bytes long, shaped `shape`:
    /// what a typed pointer to "the `F` at `offset`" must match to be sound.
    pub(crate) const fn has_field(&self, offset: usize, size: usize, shape: &Shape) -> bool {
        let mut i = 0;
        while i < self.fields.len() {
            let field = &self.fields[i];
            if field.offset == offset && field.size == size && field.shape.same_as(shape) {
                return true;
            }
            i += 1;
        }
        false
    }
}

/// One field of a [`Layout`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Field {
    /// The field's name (without `r#`).
    pub name: &'static str,
    /// Its offset in the struct, in bytes.
    pub offset: usize,
    /// Its size in bytes.
    pub size: usize,
    /// Its type as written in the struct, e.g. `"[u8; 16]"`.
    pub type_name: &'static str,
    /// What the type is, for tools such as [`c_header`](crate::c_header).
    pub shape: &'static Shape,
    /// Whether the field is `#[mapped(readonly)]` (a getter, no setter).
    pub readonly: bool,
}

impl Field {
    /// The layout of a nested struct field (or of the elements of an array of structs).
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Point { x: f32, y: f32 }
    /// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// #[repr(C)]
    /// struct Path { points: [Point; 4], len: u64 }
    ///
    /// let fields = <Path as Mapped>::LAYOUT.fields;
    /// assert_eq!(fields[0].layout().unwrap().name, "Point");
    /// assert!(fields[1].layout().is_none());
    /// ```
    pub fn layout(&self) -> Option<&'static Layout> {
        let mut shape = self.shape;
        loop {
            match shape {
                Shape::Array { element, .. } => shape = element,
                Shape::Struct(layout) => return Some(layout),
                _ => return None,
            }
        }
    }
}

/// What a field's type is, as far as layout and foreign languages care.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Shape {
    /// An unsigned integer of `bytes` bytes.
    Unsigned {
        /// Size in bytes.
        bytes: usize,
    },
    /// A signed integer of `bytes` bytes.
    Signed {
        /// Size in bytes.
        bytes: usize,
    },
    /// An IEEE 754 float of `bytes` bytes.
    Float {
        /// Size in bytes.
        bytes: usize,
    },
    /// A fixed-byte-order integer or float (zerocopy's `U32<BigEndian>`, ...).
    ByteOrder {
        /// The value's shape, as if native.
        value: &'static Shape,
        /// Big-endian rather than little-endian.
        big_endian: bool,
    },
    /// An atomic integer.
    Atomic {
        /// The integer's shape.
        value: &'static Shape,
    },
    /// `[element; len]`.
    Array {
        /// The element's shape.
        element: &'static Shape,
        /// The number of elements.
        len: usize,
    },
    /// A nested mapped struct.
    Struct(&'static Layout),
}

impl Shape {
    /// Whether values of this shape contain atomics, which must be copied atomically.
    pub(crate) const fn has_atomics(&self) -> bool {
        match self {
            Shape::Atomic { .. } => true,
            Shape::Array { element, .. } => element.has_atomics(),
            Shape::Struct(layout) => {
                let mut i = 0;
                while i < layout.fields.len() {
                    if layout.fields[i].shape.has_atomics() {
                        return true;
                    }
                    i += 1;
                }
                false
            }
            _ => false,
        }
    }

    /// Whether values of this shape contain a [`Seqlock`](crate::Seqlock), which only its own
    /// protocol may write.
    pub(crate) const fn has_seqlock(&self) -> bool {
        match self {
            Shape::Array { element, .. } => element.has_seqlock(),
            Shape::Struct(layout) => {
                if layout.seqlock {
                    return true;
                }
                let mut i = 0;
                while i < layout.fields.len() {
                    if layout.fields[i].shape.has_seqlock() {
                        return true;
                    }
                    i += 1;
                }
                false
            }
            _ => false,
        }
    }

    /// Whether two shapes describe the same bytes in the same way: the same kinds at the same
    /// offsets and sizes, atomics where the other has atomics. Names are not compared: they do not
    /// change how memory may be accessed.
    pub(crate) const fn same_as(&self, other: &Shape) -> bool {
        match (self, other) {
            (Shape::Unsigned { bytes: a }, Shape::Unsigned { bytes: b })
            | (Shape::Signed { bytes: a }, Shape::Signed { bytes: b })
            | (Shape::Float { bytes: a }, Shape::Float { bytes: b }) => *a == *b,
            (
                Shape::ByteOrder {
                    value: a,
                    big_endian: x,
                },
                Shape::ByteOrder {
                    value: b,
                    big_endian: y,
                },
            ) => *x == *y && a.same_as(b),
            (Shape::Atomic { value: a }, Shape::Atomic { value: b }) => a.same_as(b),
            (Shape::Array { element: a, len: m }, Shape::Array { element: b, len: n }) => {
                *m == *n && a.same_as(b)
            }
            (Shape::Struct(a), Shape::Struct(b)) => a.same_as(b),
            _ => false,
        }
    }

    /// Bytes a value of this shape occupies.
    pub(crate) const fn size(&self) -> usize {
        match self {
            Shape::Unsigned { bytes } | Shape::Signed { bytes } | Shape::Float { bytes } => *bytes,
            Shape::ByteOrder { value, .. } | Shape::Atomic { value } => value.size(),
            Shape::Array { element, len } => element.size() * *len,
            Shape::Struct(layout) => layout.size,
        }
    }

    /// A hash of the shape, stable across builds and platforms of the same byte order.
    pub(crate) const fn fingerprint(&self) -> u64 {
        let mut hash = Fnv::new();
        match self {
            Shape::Unsigned { bytes } => hash = hash.byte(1).usize(*bytes),
            Shape::Signed { bytes } => hash = hash.byte(2).usize(*bytes),
            Shape::Float { bytes } => hash = hash.byte(3).usize(*bytes),
            Shape::ByteOrder { value, big_endian } => {
                hash = hash
                    .byte(4)
                    .u64(value.fingerprint())
                    .byte(*big_endian as u8)
            }
            Shape::Atomic { value } => hash = hash.byte(5).u64(value.fingerprint()),
            Shape::Array { element, len } => {
                hash = hash.byte(6).u64(element.fingerprint()).usize(*len)
            }
            Shape::Struct(layout) => hash = hash.byte(7).u64(layout.fingerprint),
        }
        hash.finish()
    }
}

/// Describes one field; used by the derive (`Field` is `non_exhaustive`).
#[doc(hidden)]
pub const fn field(
    name: &'static str,
    offset: usize,
    size: usize,
    type_name: &'static str,
    shape: &'static Shape,
    readonly: bool,
) -> Field {
    Field {
        name,
        offset,
        size,
        type_name,
        shape,
        readonly,
    }
}

/// Describes a struct and computes its fingerprint; used by the derive.
#[doc(hidden)]
pub const fn layout(
    name: &'static str,
    size: usize,
    align: usize,
    fields: &'static [Field],
) -> Layout {
    Layout {
        name,
        size,
        align,
        fingerprint: fingerprint(size, align, fields),
        fields,
        seqlock: false,
    }
}

/// Describes a [`Seqlock`](crate::Seqlock)'s storage: a struct to every reader of layouts (the
/// fingerprint is a plain struct's), marked so that copies respect its protocol.
pub(crate) const fn seqlock_layout(
    name: &'static str,
    size: usize,
    align: usize,
    fields: &'static [Field],
) -> Layout {
    Layout {
        seqlock: true,
        ..layout(name, size, align, fields)
    }
}

/// Computes a struct's fingerprint at compile time.
///
/// Covers the struct's size and alignment, and each field's name, shape, offset and size. The
/// struct's own name is left out, so renaming the type does not orphan its files.
const fn fingerprint(size: usize, align: usize, fields: &[Field]) -> u64 {
    let mut hash = Fnv::new().usize(size).usize(align);
    let mut i = 0;
    while i < fields.len() {
        let field = &fields[i];
        hash = hash
            .bytes(field.name.as_bytes())
            .u64(field.shape.fingerprint())
            .usize(field.offset)
            .usize(field.size);
        i += 1;
    }
    hash.finish()
}

/// FNV-1a, 64-bit: tiny, `const`, and good enough to tell layouts apart.
///
/// Every struct's fingerprint is computed by the compiler's interpreter where the struct is
/// defined, so the code is written for it: one loop per value, no call per byte, and the
/// multiplication done in `u128` (whose low 64 bits are the wrapping product) rather than through
/// `wrapping_mul`. The result is the plain byte-by-byte FNV-1a, which the tests check against a
/// reference; it is part of the file format (headers store it), so it must never change.
#[derive(Clone, Copy)]
pub(crate) struct Fnv(u64);

/// The FNV-1a 64-bit prime.
const FNV_PRIME: u128 = 0x0000_0100_0000_01b3;

impl Fnv {
    pub(crate) const fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    pub(crate) const fn byte(self, byte: u8) -> Self {
        Fnv(((self.0 ^ byte as u64) as u128 * FNV_PRIME) as u64)
    }

    pub(crate) const fn bytes(self, bytes: &[u8]) -> Self {
        // Length first, so ("ab", "c") and ("a", "bc") differ.
        let mut hash = self.usize(bytes.len()).0;
        let mut i = 0;
        while i < bytes.len() {
            hash = ((hash ^ bytes[i] as u64) as u128 * FNV_PRIME) as u64;
            i += 1;
        }
        Fnv(hash)
    }

    /// The eight bytes of `value`, little-endian first (unrolled: a loop costs the interpreter a
    /// third more).
    pub(crate) const fn u64(self, value: u64) -> Self {
        let mut hash = self.0;
        hash = ((hash ^ (value & 0xff)) as u128 * FNV_PRIME) as u64;
        hash = ((hash ^ ((value >> 8) & 0xff)) as u128 * FNV_PRIME) as u64;
        hash = ((hash ^ ((value >> 16) & 0xff)) as u128 * FNV_PRIME) as u64;
        hash = ((hash ^ ((value >> 24) & 0xff)) as u128 * FNV_PRIME) as u64;
        hash = ((hash ^ ((value >> 32) & 0xff)) as u128 * FNV_PRIME) as u64;
        hash = ((hash ^ ((value >> 40) & 0xff)) as u128 * FNV_PRIME) as u64;
        hash = ((hash ^ ((value >> 48) & 0xff)) as u128 * FNV_PRIME) as u64;
        hash = ((hash ^ (value >> 56)) as u128 * FNV_PRIME) as u64;
        Fnv(hash)
    }

    pub(crate) const fn usize(self, value: usize) -> Self {
        self.u64(value as u64)
    }

    pub(crate) const fn finish(self) -> u64 {
        self.0
    }
}

/// The header `#[mapped(magic = b"...", version = N)]` puts in front of a struct in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderSpec {
    /// Eight bytes identifying the file format.
    pub magic: [u8; 8],
    /// The format version; a file of another version is refused.
    pub version: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FNV-1a as written in its definition: one wrapping multiplication per byte.
    fn reference(bytes: &[u8]) -> u64 {
        let mut hash = 0xcbf2_9ce4_8422_2325_u64;
        for &byte in bytes {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash
    }

    /// The bytes `fingerprint` hashes for a layout, written out with `to_le_bytes`.
    fn layout_bytes(layout: &Layout) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend((layout.size as u64).to_le_bytes());
        out.extend((layout.align as u64).to_le_bytes());
        for field in layout.fields {
            out.extend((field.name.len() as u64).to_le_bytes());
            out.extend(field.name.as_bytes());
            out.extend(field.shape.fingerprint().to_le_bytes());
            out.extend((field.offset as u64).to_le_bytes());
            out.extend((field.size as u64).to_le_bytes());
        }
        out
    }

    #[test]
    fn the_fingerprint_is_plain_fnv_1a() {
        for value in [0, 1, 0xff, 0x0123_4567_89ab_cdef, u64::MAX] {
            let fnv = Fnv::new().u64(value).finish();
            assert_eq!(fnv, reference(&value.to_le_bytes()));
        }
        let text = b"a field name";
        let mut expected = (text.len() as u64).to_le_bytes().to_vec();
        expected.extend(text);
        assert_eq!(Fnv::new().bytes(text).finish(), reference(&expected));
        assert_eq!(Fnv::new().byte(7).finish(), reference(&[7]));

        const U32: Shape = Shape::Unsigned { bytes: 4 };
        const ELEMENT: Shape = Shape::Float { bytes: 8 };
        const BIG: Shape = Shape::ByteOrder {
            value: &U32,
            big_endian: true,
        };
        const ARRAY: Shape = Shape::Array {
            element: &ELEMENT,
            len: 3,
        };
        const INNER: Layout = layout(
            "Inner",
            28,
            4,
            &[
                field("a", 0, 4, "u32", &U32, false),
                field("b", 4, 24, "[f64; 3]", &ARRAY, true),
            ],
        );
        const NESTED: Shape = Shape::Struct(&INNER);
        const OUTER: Layout = layout(
            "Outer",
            40,
            8,
            &[
                field("big", 0, 4, "U32<BigEndian>", &BIG, false),
                field("inner", 4, 28, "Inner", &NESTED, false),
            ],
        );
        for layout in [&INNER, &OUTER] {
            assert_eq!(layout.fingerprint, reference(&layout_bytes(layout)));
        }
        assert_eq!(
            U32.fingerprint(),
            reference(&[[1].as_slice(), &4u64.to_le_bytes()].concat())
        );
    }
}
