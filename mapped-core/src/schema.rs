//! The schema: a type's full layout as bytes, written into the header of every file that has one,
//! so that the file can be read without the Rust type that wrote it; and the owned descriptors
//! it decodes to.
//!
//! The encoding (all integers little-endian), from the root type:
//!
//! ```text
//! type   := tag:u8, then by tag: 1 unsigned, 2 signed, 3 float: bytes:u8
//!                                4 byte-order integer: big_endian:u8, type (the native value)
//!                                5 atomic: type (the integer)
//!                                6 array: len:u64, type (the element)
//!                                7 struct: struct
//! struct := name:str, size:u64, align:u64, count:u32, field{count}
//! field  := name:str, offset:u64, size:u64, flags:u8 (bit 0: readonly), type
//! str    := len:u32, UTF-8 bytes
//! ```

use std::fmt::Write as _;

use crate::shape::{Fnv, Layout, Shape};

/// How deep structs and arrays may nest in a schema read from a file: deeper is refused, so that a
/// hostile schema cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

/// Appends the encoding of a value shaped `shape`.
pub(crate) fn encode(shape: &Shape, out: &mut Vec<u8>) {
    match shape {
        Shape::Unsigned { bytes } => out.extend([1, *bytes as u8]),
        Shape::Signed { bytes } => out.extend([2, *bytes as u8]),
        Shape::Float { bytes } => out.extend([3, *bytes as u8]),
        Shape::ByteOrder { value, big_endian } => {
            out.extend([4, u8::from(*big_endian)]);
            encode(value, out);
        }
        Shape::Atomic { value } => {
            out.push(5);
            encode(value, out);
        }
        Shape::Array { element, len } => {
            out.push(6);
            out.extend((*len as u64).to_le_bytes());
            encode(element, out);
        }
        Shape::Struct(layout) => {
            out.push(7);
            encode_struct(layout, out);
        }
    }
}

fn encode_struct(layout: &Layout, out: &mut Vec<u8>) {
    encode_str(layout.name, out);
    out.extend((layout.size as u64).to_le_bytes());
    out.extend((layout.align as u64).to_le_bytes());
    out.extend((layout.fields.len() as u32).to_le_bytes());
    for field in layout.fields {
        encode_str(field.name, out);
        out.extend((field.offset as u64).to_le_bytes());
        out.extend((field.size as u64).to_le_bytes());
        out.push(u8::from(field.readonly));
        encode(field.shape, out);
    }
}

fn encode_str(text: &str, out: &mut Vec<u8>) {
    out.extend((text.len() as u32).to_le_bytes());
    out.extend(text.as_bytes());
}

/// A type as a file's schema describes it: the owned form of [`Shape`], read back from a file by
/// [`FileInfo`](crate::FileInfo).
///
/// ```
/// use mapped::FieldKind;
///
/// let tag = FieldKind::Array { element: Box::new(FieldKind::Unsigned { bytes: 1 }), len: 16 };
/// assert_eq!(tag.rust_type(), "[u8; 16]");
/// assert_eq!(tag.size(), 16);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldKind {
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
        /// The value, as if native.
        value: Box<FieldKind>,
        /// Big-endian rather than little-endian.
        big_endian: bool,
    },
    /// An atomic integer.
    Atomic {
        /// The integer.
        value: Box<FieldKind>,
    },
    /// `[element; len]`.
    Array {
        /// The element.
        element: Box<FieldKind>,
        /// The number of elements.
        len: usize,
    },
    /// A nested struct.
    Struct(StructInfo),
}

/// A struct as a file's schema describes it.
///
/// ```
/// # use mapped::Mapped;
/// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Point { x: f32, y: f32 }
///
/// let point = mapped::StructInfo::of(&<Point as Mapped>::LAYOUT);
/// assert_eq!((point.name.as_str(), point.size, point.fields.len()), ("Point", 8, 2));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StructInfo {
    /// The struct's name.
    pub name: String,
    /// Its size in bytes.
    pub size: usize,
    /// Its alignment in bytes.
    pub align: usize,
    /// Its fields, in declaration (and memory) order.
    pub fields: Vec<FieldInfo>,
}

/// One field of a struct, as a file's schema describes it.
///
/// ```
/// # use mapped::Mapped;
/// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Tick { at: u64, #[mapped(readonly)] qty: u32, side: u32 }
///
/// let tick = mapped::StructInfo::of(&<Tick as Mapped>::LAYOUT);
/// let qty = &tick.fields[1];
/// assert_eq!((qty.name.as_str(), qty.offset, qty.size, qty.type_name.as_str()), ("qty", 8, 4, "u32"));
/// assert!(qty.readonly);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldInfo {
    /// The field's name.
    pub name: String,
    /// Its offset in the struct, in bytes.
    pub offset: usize,
    /// Its size in bytes.
    pub size: usize,
    /// Its type spelled as in Rust: `"u64"`, `"[u8; 16]"`, `"U32<BigEndian>"`, `"AtomicU64"`, or
    /// a nested struct's name.
    pub type_name: String,
    /// What the type is.
    pub kind: FieldKind,
    /// Whether the field is `#[mapped(readonly)]`.
    pub readonly: bool,
}

impl FieldInfo {
    /// The fields of a nested struct (or of the struct elements of an array), with offsets
    /// relative to that struct; empty for any other field.
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
    /// let path = mapped::StructInfo::of(&<Path as Mapped>::LAYOUT);
    /// assert_eq!(path.fields[0].fields()[1].name, "y");
    /// assert!(path.fields[1].fields().is_empty());
    /// ```
    pub fn fields(&self) -> &[FieldInfo] {
        let mut kind = &self.kind;
        loop {
            match kind {
                FieldKind::Array { element, .. } => kind = element,
                FieldKind::Struct(nested) => return &nested.fields,
                _ => return &[],
            }
        }
    }
}

impl StructInfo {
    /// The owned description of a Rust struct's layout.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # #[derive(Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// assert_eq!(mapped::StructInfo::of(&<Stats as Mapped>::LAYOUT).fields[0].type_name, "u64");
    /// ```
    pub fn of(layout: &Layout) -> StructInfo {
        StructInfo {
            name: layout.name.to_string(),
            size: layout.size,
            align: layout.align,
            fields: layout
                .fields
                .iter()
                .map(|field| {
                    let kind = FieldKind::of(field.shape);
                    FieldInfo {
                        name: field.name.to_string(),
                        offset: field.offset,
                        size: field.size,
                        type_name: kind.rust_type(),
                        kind,
                        readonly: field.readonly,
                    }
                })
                .collect(),
        }
    }
}

impl FieldKind {
    /// The owned form of a Rust type's shape.
    ///
    /// ```
    /// use mapped::{FieldKind, FieldType};
    /// use std::sync::atomic::AtomicU32;
    ///
    /// assert_eq!(FieldKind::of(&AtomicU32::SHAPE).rust_type(), "AtomicU32");
    /// ```
    pub fn of(shape: &Shape) -> FieldKind {
        match shape {
            Shape::Unsigned { bytes } => FieldKind::Unsigned { bytes: *bytes },
            Shape::Signed { bytes } => FieldKind::Signed { bytes: *bytes },
            Shape::Float { bytes } => FieldKind::Float { bytes: *bytes },
            Shape::ByteOrder { value, big_endian } => FieldKind::ByteOrder {
                value: Box::new(FieldKind::of(value)),
                big_endian: *big_endian,
            },
            Shape::Atomic { value } => FieldKind::Atomic {
                value: Box::new(FieldKind::of(value)),
            },
            Shape::Array { element, len } => FieldKind::Array {
                element: Box::new(FieldKind::of(element)),
                len: *len,
            },
            Shape::Struct(layout) => FieldKind::Struct(StructInfo::of(layout)),
        }
    }

    /// Bytes a value of this type occupies.
    ///
    /// ```
    /// assert_eq!(mapped::FieldKind::Float { bytes: 8 }.size(), 8);
    /// ```
    pub fn size(&self) -> usize {
        match self {
            FieldKind::Unsigned { bytes }
            | FieldKind::Signed { bytes }
            | FieldKind::Float { bytes } => *bytes,
            FieldKind::ByteOrder { value, .. } | FieldKind::Atomic { value } => value.size(),
            FieldKind::Array { element, len } => element.size().saturating_mul(*len),
            FieldKind::Struct(nested) => nested.size,
        }
    }

    /// The type spelled as in Rust: `"u64"`, `"[u8; 16]"`, `"U32<BigEndian>"`, `"AtomicU64"`,
    /// or a nested struct's name.
    ///
    /// ```
    /// use mapped::FieldKind;
    ///
    /// let port = FieldKind::ByteOrder { value: Box::new(FieldKind::Unsigned { bytes: 2 }), big_endian: true };
    /// assert_eq!(port.rust_type(), "U16<BigEndian>");
    /// ```
    pub fn rust_type(&self) -> String {
        let bits = |bytes: &usize| bytes * 8;
        match self {
            FieldKind::Unsigned { bytes } => format!("u{}", bits(bytes)),
            FieldKind::Signed { bytes } => format!("i{}", bits(bytes)),
            FieldKind::Float { bytes } => format!("f{}", bits(bytes)),
            FieldKind::ByteOrder { value, big_endian } => {
                let order = if *big_endian {
                    "BigEndian"
                } else {
                    "LittleEndian"
                };
                format!("{}<{order}>", value.rust_type().to_uppercase())
            }
            FieldKind::Atomic { value } => {
                let integer = value.rust_type();
                format!("Atomic{}{}", integer[..1].to_uppercase(), &integer[1..])
            }
            FieldKind::Array { element, len } => format!("[{}; {len}]", element.rust_type()),
            FieldKind::Struct(nested) => nested.name.clone(),
        }
    }

    /// The numpy dtype of this type as a Python literal, for a file written in the given byte
    /// order: a type string (`'<u8'`, `'>i2'`), a `(dtype, shape)` pair for an array, a dict of
    /// `names`, `formats`, `offsets` and `itemsize` for a struct. 128-bit integers, which numpy
    /// lacks, are opaque `'V16'`.
    ///
    /// ```
    /// use mapped::FieldKind;
    ///
    /// assert_eq!(FieldKind::Signed { bytes: 4 }.numpy_dtype(false), "'<i4'");
    /// let tag = FieldKind::Array { element: Box::new(FieldKind::Unsigned { bytes: 1 }), len: 16 };
    /// assert_eq!(tag.numpy_dtype(false), "('|u1', (16,))");
    /// ```
    pub fn numpy_dtype(&self, big_endian: bool) -> String {
        let native = if big_endian { '>' } else { '<' };
        let scalar = |code: char, bytes: usize, order: char| match bytes {
            16 if code != 'f' => "'V16'".to_string(),
            1 => format!("'|{code}1'"),
            _ => format!("'{order}{code}{bytes}'"),
        };
        match self {
            FieldKind::Unsigned { bytes } => scalar('u', *bytes, native),
            FieldKind::Signed { bytes } => scalar('i', *bytes, native),
            FieldKind::Float { bytes } => scalar('f', *bytes, native),
            FieldKind::ByteOrder { value, big_endian } => value.numpy_dtype(*big_endian),
            FieldKind::Atomic { value } => value.numpy_dtype(big_endian),
            FieldKind::Array { element, len } => {
                // Nested arrays become one multi-dimensional sub-array, as numpy writes them.
                let mut dims = vec![*len];
                let mut inner = element.as_ref();
                while let FieldKind::Array { element, len } = inner {
                    dims.push(*len);
                    inner = element;
                }
                let shape: String = dims.iter().map(|dim| format!("{dim},")).collect();
                format!("({}, ({shape}))", inner.numpy_dtype(big_endian))
            }
            FieldKind::Struct(nested) => nested.numpy_dtype(big_endian),
        }
    }
}

impl StructInfo {
    /// The layout fingerprint of the struct, computed from its description as
    /// `docs/file-formats.md` specifies: equal to `<T as Mapped>::LAYOUT.fingerprint` for the Rust
    /// struct described, and to the header's fingerprint in a consistent file of it.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # #[derive(Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    /// # #[repr(C)]
    /// # struct Point { x: f32, y: f32 }
    /// let layout = <Point as Mapped>::LAYOUT;
    /// assert_eq!(mapped::StructInfo::of(&layout).fingerprint(), layout.fingerprint);
    /// ```
    pub fn fingerprint(&self) -> u64 {
        let mut hash = Fnv::new().usize(self.size).usize(self.align);
        for field in &self.fields {
            hash = hash
                .bytes(field.name.as_bytes())
                .u64(field.kind.fingerprint())
                .usize(field.offset)
                .usize(field.size);
        }
        hash.finish()
    }
}

impl FieldKind {
    /// The fingerprint of this type as a field (a nested struct's is the hash of its
    /// [`StructInfo::fingerprint`]), as `docs/file-formats.md` specifies: what the header of a
    /// record file of a scalar or array type holds.
    ///
    /// ```
    /// use mapped::{FieldKind, FieldType, FileInfo, MappedVec};
    ///
    /// # fn main() -> Result<(), mapped::Error> {
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let path = dir.path().join("quads.bin");
    /// MappedVec::<[u16; 4]>::open_or_create(&path)?;
    /// let kind = FieldKind::of(&<[u16; 4]>::SHAPE);
    /// assert_eq!(kind.fingerprint(), FileInfo::read(&path)?.fingerprint);
    /// # Ok(()) }
    /// ```
    pub fn fingerprint(&self) -> u64 {
        let hash = Fnv::new();
        match self {
            FieldKind::Unsigned { bytes } => hash.byte(1).usize(*bytes),
            FieldKind::Signed { bytes } => hash.byte(2).usize(*bytes),
            FieldKind::Float { bytes } => hash.byte(3).usize(*bytes),
            FieldKind::ByteOrder { value, big_endian } => hash
                .byte(4)
                .u64(value.fingerprint())
                .byte(u8::from(*big_endian)),
            FieldKind::Atomic { value } => hash.byte(5).u64(value.fingerprint()),
            FieldKind::Array { element, len } => {
                hash.byte(6).u64(element.fingerprint()).usize(*len)
            }
            FieldKind::Struct(nested) => hash.byte(7).u64(nested.fingerprint()),
        }
        .finish()
    }
}

impl StructInfo {
    /// The numpy dtype of the struct as a Python literal: `{'names': [...], 'formats': [...],
    /// 'offsets': [...], 'itemsize': N}`, for a file written in the given byte order.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # #[derive(Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    /// # #[repr(C)]
    /// # struct Point { x: f32, y: f32 }
    /// let point = mapped::StructInfo::of(&<Point as Mapped>::LAYOUT);
    /// assert_eq!(
    ///     point.numpy_dtype(false),
    ///     "{'names': ['x', 'y'], 'formats': ['<f4', '<f4'], 'offsets': [0, 4], 'itemsize': 8}"
    /// );
    /// ```
    pub fn numpy_dtype(&self, big_endian: bool) -> String {
        let mut out = String::from("{'names': [");
        let list = |items: Vec<String>| items.join(", ");
        out.push_str(&list(
            self.fields
                .iter()
                .map(|field| python_str(&field.name))
                .collect(),
        ));
        let _ = write!(
            out,
            "], 'formats': [{}], 'offsets': [{}], 'itemsize': {}}}",
            list(
                self.fields
                    .iter()
                    .map(|field| field.kind.numpy_dtype(big_endian))
                    .collect()
            ),
            list(
                self.fields
                    .iter()
                    .map(|field| field.offset.to_string())
                    .collect()
            ),
            self.size
        );
        out
    }
}

/// `text` as a Python string literal, in ASCII: a name read from a hostile file can neither end
/// the literal early (and have `eval` run what follows) nor carry control characters to a terminal.
fn python_str(text: &str) -> String {
    let mut out = String::from("'");
    for c in text.chars() {
        let _ = match c {
            '\\' | '\'' => write!(out, "\\{c}"),
            ' '..='~' => write!(out, "{c}"),
            '\0'..='\u{ff}' => write!(out, "\\x{:02x}", u32::from(c)),
            '\u{100}'..='\u{ffff}' => write!(out, "\\u{:04x}", u32::from(c)),
            _ => write!(out, "\\U{:08x}", u32::from(c)),
        };
    }
    out.push('\'');
    out
}

/// Decodes a schema read from a file.
///
/// # Errors
/// What is wrong with the bytes, for [`Error::BadSchema`](crate::Error::BadSchema).
pub(crate) fn decode(bytes: &[u8]) -> Result<FieldKind, String> {
    let mut reader = Reader { bytes, at: 0 };
    let kind = reader.kind(0)?;
    if reader.at != bytes.len() {
        return Err(format!(
            "{} bytes follow the schema's end",
            bytes.len() - reader.at
        ));
    }
    Ok(kind)
}

struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| format!("the schema ends early, at byte {}", self.bytes.len()))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    fn usize(&mut self) -> Result<usize, String> {
        let value = u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes"));
        usize::try_from(value).map_err(|_| format!("{value} does not fit in memory"))
    }

    fn string(&mut self) -> Result<String, String> {
        let len = self.u32()? as usize;
        String::from_utf8(self.take(len)?.to_vec()).map_err(|_| "a name is not UTF-8".to_string())
    }

    fn kind(&mut self, depth: usize) -> Result<FieldKind, String> {
        if depth > MAX_DEPTH {
            return Err(format!("types nest more than {MAX_DEPTH} deep"));
        }
        let tag = self.u8()?;
        let scalar_bytes = |bytes: u8| match bytes {
            1 | 2 | 4 | 8 | 16 => Ok(bytes as usize),
            other => Err(format!("an integer of {other} bytes")),
        };
        Ok(match tag {
            1 => FieldKind::Unsigned {
                bytes: scalar_bytes(self.u8()?)?,
            },
            2 => FieldKind::Signed {
                bytes: scalar_bytes(self.u8()?)?,
            },
            3 => match self.u8()? {
                bytes @ (4 | 8) => FieldKind::Float {
                    bytes: bytes as usize,
                },
                other => return Err(format!("a float of {other} bytes")),
            },
            4 => {
                let big_endian = self.u8()? != 0;
                FieldKind::ByteOrder {
                    big_endian,
                    value: Box::new(self.kind(depth + 1)?),
                }
            }
            5 => FieldKind::Atomic {
                value: Box::new(self.kind(depth + 1)?),
            },
            6 => {
                let len = self.usize()?;
                FieldKind::Array {
                    len,
                    element: Box::new(self.kind(depth + 1)?),
                }
            }
            7 => FieldKind::Struct(self.structure(depth + 1)?),
            other => return Err(format!("unknown type tag {other}")),
        })
    }

    fn structure(&mut self, depth: usize) -> Result<StructInfo, String> {
        let name = self.string()?;
        let size = self.usize()?;
        let align = self.usize()?;
        let count = self.u32()?;
        let mut fields = Vec::new();
        for _ in 0..count {
            let name = self.string()?;
            let offset = self.usize()?;
            let field_size = self.usize()?;
            let flags = self.u8()?;
            if flags > 1 {
                return Err(format!("field `{name}` has unknown flags {flags:#04x}"));
            }
            let readonly = flags == 1;
            let kind = self.kind(depth + 1)?;
            if kind.size() != field_size || offset.saturating_add(field_size) > size {
                return Err(format!(
                    "field `{name}` of `{}`: {field_size} bytes at offset {offset} do not fit its \
                     type or its {size}-byte struct",
                    kind.rust_type()
                ));
            }
            fields.push(FieldInfo {
                name,
                offset,
                size: field_size,
                type_name: kind.rust_type(),
                kind,
                readonly,
            });
        }
        if !align.is_power_of_two() || size % align != 0 {
            return Err(format!(
                "struct `{name}`: size {size} and alignment {align}"
            ));
        }
        Ok(StructInfo {
            name,
            size,
            align,
            fields,
        })
    }
}

/// The first difference between the fields a file's schema lists and a Rust type's, for a
/// [`LayoutMismatch`](crate::Error::LayoutMismatch): `"field `qty`: the file has `u32` at offset
/// 16, `Tick` has `u64` at offset 16"`. `None` if the fields agree (the difference is then in the
/// size, the alignment or the byte order).
pub(crate) fn first_difference(file: &FieldKind, rust: &Shape) -> Option<String> {
    let rust_kind = FieldKind::of(rust);
    let (FieldKind::Struct(file), FieldKind::Struct(ours)) = (file, &rust_kind) else {
        let (found, expected) = (file.rust_type(), rust_kind.rust_type());
        return (found != expected)
            .then(|| format!("the file holds `{found}` records, this build `{expected}`"));
    };
    let describe = |field: Option<&FieldInfo>| match field {
        Some(field) => format!("`{}` at offset {}", field.type_name, field.offset),
        None => "no such field".to_string(),
    };
    let longest = file.fields.len().max(ours.fields.len());
    (0..longest).find_map(|i| {
        let (theirs, mine) = (file.fields.get(i), ours.fields.get(i));
        let same = match (theirs, mine) {
            (Some(a), Some(b)) => {
                a.name == b.name
                    && a.offset == b.offset
                    && a.size == b.size
                    && same_kind(&a.kind, &b.kind)
            }
            _ => false,
        };
        (!same).then(|| {
            let name = mine.or(theirs).map_or("?", |field| field.name.as_str());
            format!(
                "field `{name}`: the file has {}, `{}` has {}",
                describe(theirs.filter(|field| field.name == name)),
                ours.name,
                describe(mine.filter(|field| field.name == name)),
            )
        })
    })
}

/// How the type a file stores relates to a Rust type under the append-only rule of schema
/// evolution (`docs/file-formats.md`, "Evolving a type"): fields are compared by name, kind,
/// offset and size, in order; nested structs must match whole. Sizes, alignments and byte orders
/// are the caller's to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Relation {
    /// The same fields.
    Same,
    /// The file's fields are a proper prefix of the type's: written by older code. `missing` names
    /// the fields the type appended, in order.
    Older { missing: Vec<String> },
    /// The type's fields are a proper prefix of the file's: written by newer code. `extra` names
    /// the fields the file has beyond the type's.
    Newer { extra: Vec<String> },
    /// Anything else: a field removed, renamed, retyped, resized, moved or inserted, or a root
    /// that is not a struct and differs. The first difference, for
    /// [`LayoutMismatch`](crate::Error::LayoutMismatch).
    Different(String),
}

/// The [`Relation`] of the type a file stores (`file`) to a Rust type (`ours`).
pub(crate) fn relation(file: &FieldKind, ours: &FieldKind) -> Relation {
    let (FieldKind::Struct(theirs), FieldKind::Struct(mine)) = (file, ours) else {
        if same_kind(file, ours) {
            return Relation::Same;
        }
        let (found, expected) = (file.rust_type(), ours.rust_type());
        return Relation::Different(format!(
            "the file holds `{found}` records, this build `{expected}`"
        ));
    };
    let common = theirs.fields.len().min(mine.fields.len());
    let mismatch = (0..common).find(|&i| !same_field(&theirs.fields[i], &mine.fields[i]));
    let names = |fields: &[FieldInfo]| fields.iter().map(|field| field.name.clone()).collect();
    match mismatch {
        Some(i) => {
            let (a, b) = (&theirs.fields[i], &mine.fields[i]);
            let describe = |field: &FieldInfo| {
                format!(
                    "`{}: {}` at offset {} ({} bytes)",
                    field.name, field.type_name, field.offset, field.size
                )
            };
            Relation::Different(format!(
                "field {} of {}: the file has {}, `{}` has {}",
                i + 1,
                theirs.fields.len(),
                describe(a),
                mine.name,
                describe(b)
            ))
        }
        None if theirs.fields.len() == mine.fields.len() => {
            if theirs.size == mine.size && theirs.align == mine.align {
                Relation::Same
            } else {
                Relation::Different(format!(
                    "the same fields, but the file's struct is {} bytes aligned to {}, `{}` is {} bytes aligned to {}",
                    theirs.size, theirs.align, mine.name, mine.size, mine.align
                ))
            }
        }
        None if theirs.fields.len() < mine.fields.len() => Relation::Older {
            missing: names(&mine.fields[common..]),
        },
        None => Relation::Newer {
            extra: names(&theirs.fields[common..]),
        },
    }
}

fn same_field(a: &FieldInfo, b: &FieldInfo) -> bool {
    a.name == b.name && a.offset == b.offset && a.size == b.size && same_kind(&a.kind, &b.kind)
}

/// Whether two kinds lay out the same bytes the same way, nested structs' own names aside (the
/// fingerprint leaves them out too, so renaming a nested struct keeps its files).
pub(crate) fn same_kind(a: &FieldKind, b: &FieldKind) -> bool {
    match (a, b) {
        (
            FieldKind::ByteOrder {
                value: x,
                big_endian: p,
            },
            FieldKind::ByteOrder {
                value: y,
                big_endian: q,
            },
        ) => p == q && same_kind(x, y),
        (FieldKind::Atomic { value: x }, FieldKind::Atomic { value: y }) => same_kind(x, y),
        (FieldKind::Array { element: x, len: m }, FieldKind::Array { element: y, len: n }) => {
            m == n && same_kind(x, y)
        }
        (FieldKind::Struct(x), FieldKind::Struct(y)) => {
            x.size == y.size
                && x.align == y.align
                && x.fields.len() == y.fields.len()
                && x.fields.iter().zip(&y.fields).all(|(f, g)| {
                    f.name == g.name
                        && f.offset == g.offset
                        && f.size == g.size
                        && same_kind(&f.kind, &g.kind)
                })
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::{relation, FieldInfo, FieldKind, Relation, StructInfo};

    fn field(name: &str, offset: usize, bytes: usize) -> FieldInfo {
        let kind = FieldKind::Unsigned { bytes };
        FieldInfo {
            name: name.to_string(),
            offset,
            size: bytes,
            type_name: kind.rust_type(),
            kind,
            readonly: false,
        }
    }

    fn record(fields: &[(&str, usize)]) -> FieldKind {
        let mut offset = 0;
        let fields: Vec<FieldInfo> = fields
            .iter()
            .map(|&(name, bytes)| {
                let made = field(name, offset, bytes);
                offset += bytes;
                made
            })
            .collect();
        FieldKind::Struct(StructInfo {
            name: "Record".to_string(),
            size: offset,
            align: 8,
            fields,
        })
    }

    #[test]
    fn classifies_each_relation_of_the_append_only_rule() {
        let ab = record(&[("a", 8), ("b", 8)]);
        let abc = record(&[("a", 8), ("b", 8), ("c", 8)]);
        assert_eq!(relation(&ab, &ab), Relation::Same);
        assert_eq!(
            relation(&ab, &abc),
            Relation::Older {
                missing: vec!["c".to_string()]
            }
        );
        assert_eq!(
            relation(&abc, &ab),
            Relation::Newer {
                extra: vec!["c".to_string()]
            }
        );
        let renamed = record(&[("a", 8), ("x", 8)]);
        let retyped = record(&[("a", 8), ("b", 4), ("pad", 4)]);
        let inserted = record(&[("a", 8), ("z", 8), ("b", 8)]);
        for other in [&renamed, &retyped, &inserted] {
            let Relation::Different(why) = relation(&ab, other) else {
                panic!("{other:?} is no append to {ab:?}");
            };
            assert!(why.contains("field 2 of 2"), "{why}");
        }
        let scalar = FieldKind::Unsigned { bytes: 8 };
        assert_eq!(relation(&scalar, &scalar), Relation::Same);
        assert!(matches!(relation(&scalar, &ab), Relation::Different(_)));
    }
}
