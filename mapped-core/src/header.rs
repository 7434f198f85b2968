//! The header of every self-describing file: a `magic` struct file's (at its offset) and every
//! record file's. `docs/file-formats.md` specifies the bytes; in short, the fixed 64 bytes:
//!
//! | bytes | field | encoding |
//! |---|---|---|
//! | 0..8 | magic | as given (`MAPDRECS` for record files) |
//! | 8..12 | version | `u32`: for record files, [`RECORDS_VERSION`]; 0 in a format-3 struct file |
//! | 12..16 | byte order of the data (and of the count) | `u32`: `1` little, `2` big |
//! | 16..24 | layout fingerprint | `u64`; 0 in a format-3 struct file |
//! | 24..32 | struct (or record) size | `u64`; 0 in a format-3 struct file |
//! | 32..40 | data offset, from the header's start | `u64`: a multiple of 64 and of the alignment |
//! | 40..48 | record count (records) or 1 (a struct) | `u64`, in the data's byte order |
//! | 48..52 | header format | `u32`: [`FORMAT`] (2 is still read) |
//! | 52..56 | kind | `u32`: `1` struct, `2` records |
//! | 56..60 | schema length; in a format-3 struct file, the length of each schema area | `u32` |
//! | 60..64 | zero in struct files; a record file's waiter word (ignored here) | |
//!
//! A record file (and a format-2 struct file) has its schema at 64, then zeros up to the data
//! offset. A format-3 struct file has room for its schema to grow: a selector word at 64..72 (a
//! `u64` generation; the active area is A when even, B when odd), then schema areas A and B of
//! the length 56..60 names, each `version: u32, schema length: u32, fingerprint: u64, size: u64`
//! and the schema. An upgrade writes the inactive area and commits by storing the next generation
//! with one aligned 8-byte write, so a crash leaves the old layout or the new one.
//!
//! The header's integers are little-endian on every machine (but the count, which is data), so
//! that any machine can say precisely why a file is not for it.

use std::path::Path;

use crate::error::Error;
use crate::schema::{self, FieldKind, Relation};
use crate::shape::Shape;

/// Bytes of the fixed part of a self-describing header (magic .. reserved). The schema (or a
/// struct file's selector and schema areas) follows it, and the data starts at the data offset
/// the header names (`docs/file-formats.md`).
///
/// ```
/// # use mapped::Mapped;
/// # #[derive(Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
/// # #[repr(C)]
/// # #[mapped(magic = b"COUNTER\0", version = 1)]
/// # struct Counter { n: u64 }
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("counter.bin");
/// Counter::create_new(&path)?;
/// let info = mapped::FileInfo::read(&path)?;
/// assert!(info.data_offset >= mapped::HEADER_SIZE as u64);
/// # Ok(()) }
/// ```
pub const HEADER_SIZE: usize = 64;
/// The header format this build writes: 3, whose struct files have room for their schema to
/// grow. Format 2 is still read.
pub(crate) const FORMAT: u32 = 3;
/// The format before, the first with the schema in the header: still read, never written.
pub(crate) const FORMAT_2: u32 = 2;
/// The `version` of record files: the record-file layout, the same in formats 2 and 3.
pub(crate) const RECORDS_VERSION: u32 = 2;
/// The magic of record files.
pub(crate) const RECORDS_MAGIC: [u8; 8] = *b"MAPDRECS";
/// Offset of the record count.
pub(crate) const COUNT_OFFSET: usize = 40;
/// Offset of a record file's waiter word: the `u32` that readers waiting for records set and the
/// writer checks after publishing the count (`crate::vec::wait`). Reserved (zero) in struct files.
pub(crate) const WAITER_OFFSET: usize = 60;
/// A schema longer than this is refused unread: no mapped type comes near it.
pub(crate) const MAX_SCHEMA_LEN: u64 = 1 << 24;
/// Where a format-3 struct file's selector word is: 8-byte aligned, so one write commits.
pub(crate) const SELECTOR_OFFSET: usize = 64;
/// Where a format-3 struct file's schema area A starts; B follows it.
pub(crate) const AREAS_OFFSET: usize = 72;
/// Bytes of a schema area before its schema: version, schema length, fingerprint, size.
pub(crate) const AREA_HEADER_LEN: usize = 24;
/// The data offset of a format-3 struct file whose schema fits [`MAX_GROWN_SCHEMA`] bytes and
/// whose alignment is at most this: the same for every such struct, so C's `T_HEADER_LEN` does
/// not depend on the field list.
pub(crate) const STRUCT_HEADER_LEN: usize = 4096;
/// The longest schema the areas of a [`STRUCT_HEADER_LEN`] header hold: 1984 bytes.
pub(crate) const MAX_GROWN_SCHEMA: usize = area_len(STRUCT_HEADER_LEN) - AREA_HEADER_LEN;

const LITTLE_ENDIAN: u32 = 1;
const BIG_ENDIAN: u32 = 2;

const fn native_byte_order() -> u32 {
    if cfg!(target_endian = "little") {
        LITTLE_ENDIAN
    } else {
        BIG_ENDIAN
    }
}

/// Reads bytes of a file into a buffer, at an offset from the header's start (`pread`).
pub(crate) type Pread<'r> = dyn Fn(u64, &mut [u8]) -> Result<(), Error> + 'r;

/// Reads `len` bytes at an offset from the header's start.
pub(crate) type Read<'r> = dyn Fn(u64, usize) -> Result<Vec<u8>, Error> + 'r;

/// What a file holds after its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Struct = 1,
    Records = 2,
}

/// The data's offset for a record file's header whose schema is `schema_len` bytes long: past the
/// schema, a multiple of 64 (what numpy and SIMD readers want) and of the type's alignment.
pub(crate) fn data_offset(schema_len: usize, align: usize) -> usize {
    (HEADER_SIZE + schema_len).next_multiple_of(align.max(64))
}

/// The length of each schema area of a format-3 struct file whose data starts at `data_offset`:
/// half the room between the selector and the data, in whole 8-byte words.
pub(crate) const fn area_len(data_offset: usize) -> usize {
    (data_offset.saturating_sub(AREAS_OFFSET) / 2) & !7
}

/// The data offset of a new struct file of a type shaped `shape`, aligned to `align`:
/// [`STRUCT_HEADER_LEN`] unless the schema or the alignment needs more (then the next multiple of
/// both that holds two areas of the schema).
pub(crate) fn struct_data_offset(shape: &Shape, align: usize) -> usize {
    let mut schema = Vec::new();
    schema::encode(shape, &mut schema);
    let areas = 2 * (AREA_HEADER_LEN + schema.len()).next_multiple_of(8);
    (AREAS_OFFSET + areas).next_multiple_of(align.max(STRUCT_HEADER_LEN))
}

/// What a header says about the file it starts.
pub(crate) struct Identity<'s> {
    pub(crate) magic: [u8; 8],
    pub(crate) version: u32,
    pub(crate) kind: Kind,
    /// The type the data is made of.
    pub(crate) shape: &'s Shape,
    pub(crate) fingerprint: u64,
    pub(crate) size: u64,
    pub(crate) align: usize,
}

/// The fixed 64 bytes of a header, read from a file; for a format-3 struct file, completed by
/// [`resolve`] with the active schema area's version, fingerprint, size and schema length.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fixed {
    pub(crate) magic: [u8; 8],
    pub(crate) version: u32,
    pub(crate) byte_order: u32,
    pub(crate) fingerprint: u64,
    pub(crate) size: u64,
    pub(crate) data_offset: u64,
    /// The raw bytes of the count, in the data's byte order.
    pub(crate) count: [u8; 8],
    pub(crate) format: u32,
    pub(crate) kind: u32,
    pub(crate) schema_len: u32,
    /// Bytes 60..64: zero in a struct file, a record file's waiter word.
    pub(crate) reserved: u32,
}

impl Fixed {
    pub(crate) fn parse(bytes: &[u8; HEADER_SIZE]) -> Fixed {
        let word = |at: usize| -> [u8; 8] { bytes[at..at + 8].try_into().expect("8 bytes") };
        let half = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        Fixed {
            magic: word(0),
            version: half(8),
            byte_order: half(12),
            fingerprint: u64::from_le_bytes(word(16)),
            size: u64::from_le_bytes(word(24)),
            data_offset: u64::from_le_bytes(word(32)),
            count: word(40),
            format: half(48),
            kind: half(52),
            schema_len: half(56),
            reserved: half(60),
        }
    }

    /// Whether the data (and the count) is big-endian; `None` for a byte order no machine has.
    pub(crate) fn big_endian(&self) -> Option<bool> {
        match self.byte_order {
            LITTLE_ENDIAN => Some(false),
            BIG_ENDIAN => Some(true),
            _ => None,
        }
    }

    /// The count, read in the data's byte order.
    pub(crate) fn count(&self) -> u64 {
        match self.big_endian() {
            Some(true) => u64::from_be_bytes(self.count),
            _ => u64::from_le_bytes(self.count),
        }
    }

    /// Whether this is a struct file with schema areas (format 3).
    pub(crate) fn has_areas(&self) -> bool {
        self.format == FORMAT && self.kind == Kind::Struct as u32
    }

    /// The least data offset this header allows: past the schema, or past both schema areas.
    pub(crate) fn min_data_offset(&self, areas: Option<&Areas>) -> u64 {
        match areas {
            Some(areas) => AREAS_OFFSET as u64 + 2 * areas.len,
            None => HEADER_SIZE as u64 + u64::from(self.schema_len),
        }
    }
}

/// A format-3 struct file's schema areas, as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Areas {
    /// The selector word: the active area is A when even, B when odd.
    pub(crate) generation: u64,
    /// Bytes of each area.
    pub(crate) len: u64,
}

impl Areas {
    /// Where area `generation % 2` starts, from the header's start.
    pub(crate) fn offset_of(&self, generation: u64) -> u64 {
        AREAS_OFFSET as u64 + (generation % 2) * self.len
    }

    /// Bytes of schema an area holds.
    pub(crate) fn room(&self) -> u64 {
        self.len.saturating_sub(AREA_HEADER_LEN as u64)
    }
}

/// Reads the schema a header names, and for a format-3 struct file fills `fixed` in from the
/// active schema area. `fixed` must have a known format (2 or 3); `available` is how many bytes
/// the file has from the header on; `too_small` makes the error for a file that ends before the
/// bytes it needs (given how many).
///
/// A concurrent upgrade may commit while this reads: the selector is read again after the area,
/// and the area read again if it moved, so what is returned is one area, whole.
///
/// # Errors
/// [`Error::BadHeader`] (schema or area length), [`Error::FileTooSmall`], [`Error::Io`].
pub(crate) fn resolve(
    path: &Path,
    fixed: &mut Fixed,
    available: u64,
    read: &Read<'_>,
    too_small: &dyn Fn(u64) -> Error,
) -> Result<(Vec<u8>, Option<Areas>), Error> {
    let bad = |field: &'static str, found: u64, expected: u64| Error::BadHeader {
        path: path.to_path_buf(),
        field,
        found,
        expected,
    };
    if !fixed.has_areas() {
        let schema_len = u64::from(fixed.schema_len);
        if schema_len > MAX_SCHEMA_LEN {
            return Err(bad("schema length", schema_len, 0));
        }
        if HEADER_SIZE as u64 + schema_len > available {
            return Err(too_small(HEADER_SIZE as u64 + schema_len));
        }
        return Ok((read(HEADER_SIZE as u64, fixed.schema_len as usize)?, None));
    }
    // Derived from the data offset, so that a reader can find both areas from either.
    let expected_len = usize::try_from(fixed.data_offset).map_or(0, area_len) as u64;
    for (field, value) in [
        ("version", u64::from(fixed.version)),
        ("fingerprint", fixed.fingerprint),
        ("size", fixed.size),
    ] {
        // These live in the schema areas of a format-3 struct file.
        if value != 0 {
            return Err(bad(field, value, 0));
        }
    }
    let len = u64::from(fixed.schema_len);
    if len != expected_len || len < AREA_HEADER_LEN as u64 || len > MAX_SCHEMA_LEN {
        return Err(bad("schema area length", len, expected_len));
    }
    let end = AREAS_OFFSET as u64 + 2 * len;
    if end > available {
        return Err(too_small(end));
    }
    let selector = |read: &Read<'_>| -> Result<u64, Error> {
        let bytes = read(SELECTOR_OFFSET as u64, 8)?;
        Ok(u64::from_le_bytes(bytes[..].try_into().expect("8 bytes")))
    };
    let mut generation = selector(read)?;
    loop {
        let areas = Areas { generation, len };
        let at = areas.offset_of(generation);
        let head = read(at, AREA_HEADER_LEN)?;
        let half = |i: usize| u32::from_le_bytes(head[i..i + 4].try_into().expect("4 bytes"));
        let word = |i: usize| u64::from_le_bytes(head[i..i + 8].try_into().expect("8 bytes"));
        let schema_len = half(4);
        if u64::from(schema_len) > areas.room() {
            return Err(bad("schema length", schema_len.into(), areas.room()));
        }
        let schema = read(at + AREA_HEADER_LEN as u64, schema_len as usize)?;
        let again = selector(read)?;
        if again != generation {
            generation = again;
            continue;
        }
        fixed.version = half(0);
        fixed.schema_len = schema_len;
        fixed.fingerprint = word(8);
        fixed.size = word(16);
        return Ok((schema, Some(areas)));
    }
}

/// How a file's layout relates to the type opening it, once the header is judged sound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fit {
    /// The same layout.
    Same,
    /// The file has a proper prefix of the type's fields: it needs an upgrade to append these.
    Older { missing: Vec<String> },
    /// The type has a proper prefix of the file's fields: the file was written by newer code.
    Newer { extra: Vec<String> },
}

/// A header judged against a type: the relation, where the data starts, and what the file says.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    pub(crate) fit: Fit,
    pub(crate) data_offset: u64,
    /// The size of the file's struct (or record): at least the type's unless `fit` is `Older`.
    pub(crate) size: u64,
    /// The schema areas of a format-3 struct file; `None` for format 2 and record files.
    pub(crate) areas: Option<Areas>,
}

impl Identity<'_> {
    /// The schema of this build's type.
    pub(crate) fn schema(&self) -> Vec<u8> {
        let mut schema = Vec::new();
        schema::encode(self.shape, &mut schema);
        schema
    }

    /// The header of a new file: the fixed part, then for records the schema, for a struct the
    /// selector (generation 0) and area A (with this layout) and an empty area B; zeros up to the
    /// data offset.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let schema = self.schema();
        let data_offset = self.encoded_len() as usize;
        let (count, schema_len): (u64, u32) = match self.kind {
            Kind::Struct => (1, area_len(data_offset) as u32),
            Kind::Records => (0, schema.len() as u32),
        };
        let (version, fingerprint, size) = match self.kind {
            Kind::Struct => (0, 0, 0),
            Kind::Records => (self.version, self.fingerprint, self.size),
        };
        let mut bytes = Vec::with_capacity(data_offset);
        bytes.extend_from_slice(&self.magic);
        bytes.extend_from_slice(&version.to_le_bytes());
        bytes.extend_from_slice(&native_byte_order().to_le_bytes());
        bytes.extend_from_slice(&fingerprint.to_le_bytes());
        bytes.extend_from_slice(&size.to_le_bytes());
        bytes.extend_from_slice(&(data_offset as u64).to_le_bytes());
        bytes.extend_from_slice(&count.to_ne_bytes());
        bytes.extend_from_slice(&FORMAT.to_le_bytes());
        bytes.extend_from_slice(&(self.kind as u32).to_le_bytes());
        bytes.extend_from_slice(&schema_len.to_le_bytes());
        bytes.extend_from_slice(&[0; 4]);
        match self.kind {
            Kind::Struct => {
                bytes.extend_from_slice(&0u64.to_le_bytes());
                bytes.extend_from_slice(&self.area(&schema));
            }
            Kind::Records => bytes.extend_from_slice(&schema),
        }
        bytes.resize(data_offset, 0);
        bytes
    }

    /// A schema area holding this layout: version, schema length, fingerprint, size, schema.
    pub(crate) fn area(&self, schema: &[u8]) -> Vec<u8> {
        let mut area = Vec::with_capacity(AREA_HEADER_LEN + schema.len());
        area.extend_from_slice(&self.version.to_le_bytes());
        area.extend_from_slice(&(schema.len() as u32).to_le_bytes());
        area.extend_from_slice(&self.fingerprint.to_le_bytes());
        area.extend_from_slice(&self.size.to_le_bytes());
        area.extend_from_slice(schema);
        area
    }

    /// Judges the header of an existing file against this build's type under the append-only
    /// rule (`docs/file-formats.md`, "Evolving a type"). `start` holds the first bytes of the
    /// header (up to [`HEADER_SIZE`]), `available` how many bytes the file has from the header
    /// on, and `read` reads more of it: the schema, which must describe the fingerprint's layout.
    ///
    /// # Errors
    /// In the order checked, the first thing that differs saying best what the file is:
    /// [`Error::FileTooSmall`] (shorter than a header), [`Error::BadMagic`], for a record file
    /// [`Error::VersionMismatch`] (the record-file format's version), [`Error::UnsupportedFormat`], [`Error::BadHeader`] (kind, reserved bytes, schema or area
    /// length, data offset), [`Error::LayoutMismatch`] (another byte order, or fields that are no
    /// append either way), [`Error::VersionMismatch`], [`Error::BadHeader`] (a struct file's
    /// count), [`Error::BadSchema`].
    pub(crate) fn judge(
        &self,
        path: &Path,
        start: &[u8],
        available: u64,
        read: &Read<'_>,
    ) -> Result<Verdict, Error> {
        let too_small = || Error::FileTooSmall {
            path: path.to_path_buf(),
            needed: self.encoded_len() + self.data_len(),
            found: available,
        };
        let mut fixed = self.check_fixed(path, start, &too_small)?;
        let bad = |field: &'static str, found: u64, expected: u64| Error::BadHeader {
            path: path.to_path_buf(),
            field,
            found,
            expected,
        };
        let (schema, areas) = resolve(path, &mut fixed, available, read, &|_| too_small())?;
        if fixed.data_offset % 64 != 0 || fixed.data_offset < fixed.min_data_offset(areas.as_ref())
        {
            return Err(bad("data offset", fixed.data_offset, self.encoded_len()));
        }
        let decoded = schema::decode(&schema).map_err(|reason| Error::BadSchema {
            path: path.to_path_buf(),
            reason,
        });
        let mismatch = |difference: Option<String>| Error::LayoutMismatch {
            path: path.to_path_buf(),
            expected_fingerprint: self.fingerprint,
            found_fingerprint: fixed.fingerprint,
            expected_size: self.size,
            found_size: fixed.size,
            foreign_byte_order: fixed.byte_order != native_byte_order(),
            difference,
        };
        let version_mismatch = || Error::VersionMismatch {
            path: path.to_path_buf(),
            found: fixed.version,
            expected: self.version,
        };
        let ours = FieldKind::of(self.shape);
        let fit = if fixed.byte_order != native_byte_order() {
            return Err(mismatch(
                decoded
                    .ok()
                    .and_then(|file| schema::first_difference(&file, self.shape)),
            ));
        } else if fixed.fingerprint == self.fingerprint && fixed.size == self.size {
            if fixed.version != self.version {
                return Err(version_mismatch());
            }
            if !schema::same_kind(&decoded?, &ours) {
                return Err(describes_another_layout(path));
            }
            Fit::Same
        } else {
            let Ok(file) = decoded else {
                return Err(mismatch(None));
            };
            // (Record files are judged by `vec::format`, which shares `check_fixed` with this.)
            let fit = match schema::relation(&file, &ours) {
                Relation::Different(why) => {
                    return Err(mismatch((!why.is_empty()).then_some(why)));
                }
                Relation::Same => return Err(describes_another_layout(path)),
                Relation::Older { missing } => Fit::Older { missing },
                Relation::Newer { extra } => Fit::Newer { extra },
            };
            let FieldKind::Struct(info) = &file else {
                return Err(describes_another_layout(path));
            };
            if info.fingerprint() != fixed.fingerprint || info.size as u64 != fixed.size {
                return Err(describes_another_layout(path));
            }
            // A prefix of fields in a struct no larger (or no smaller) than the other's: a
            // header claiming otherwise would have a handle map less than its type.
            let fits = match fit {
                Fit::Older { .. } => fixed.size <= self.size,
                _ => fixed.size >= self.size,
            };
            if !fits {
                return Err(mismatch(Some(format!(
                    "the file's fields extend `{}`'s, but its struct is {} bytes, `{}` {}",
                    info.name, fixed.size, info.name, self.size
                ))));
            }
            let newer_is_older = match fit {
                Fit::Older { .. } => fixed.version > self.version,
                _ => fixed.version < self.version,
            };
            if newer_is_older {
                return Err(version_mismatch());
            }
            if fixed.data_offset % self.align as u64 != 0 {
                // Alignment may grow only where the data offset is a multiple of the new one.
                return Err(mismatch(Some(format!(
                    "the alignment grew to {}, and the file's data offset {} is no multiple of it",
                    self.align, fixed.data_offset
                ))));
            }
            fit
        };
        if fixed.data_offset % self.align.max(64) as u64 != 0 {
            return Err(bad("data offset", fixed.data_offset, self.encoded_len()));
        }
        if self.kind == Kind::Struct && fixed.count() != 1 {
            return Err(bad("count", fixed.count(), 1));
        }
        Ok(Verdict {
            fit,
            data_offset: fixed.data_offset,
            size: fixed.size,
            areas,
        })
    }

    /// The first checks of every header, in the order that says best what a file is: its size
    /// (shorter than the fixed part), the magic, a record file's version (the record-file
    /// format's), the header format, the kind, and a struct file's reserved bytes. `start` holds
    /// the first bytes of the header (up to [`HEADER_SIZE`]).
    ///
    /// # Errors
    /// `too_small()`, [`Error::BadMagic`], [`Error::VersionMismatch`],
    /// [`Error::UnsupportedFormat`], [`Error::BadHeader`].
    pub(crate) fn check_fixed(
        &self,
        path: &Path,
        start: &[u8],
        too_small: &dyn Fn() -> Error,
    ) -> Result<Fixed, Error> {
        if start.len() < 12 {
            return Err(too_small());
        }
        let magic: [u8; 8] = start[..8].try_into().expect("8 bytes");
        if magic != self.magic && start.len() < HEADER_SIZE {
            // Judged on its size first, as a headerless struct is: it cannot hold a header.
            return Err(too_small());
        }
        if magic != self.magic {
            return Err(Error::BadMagic {
                path: path.to_path_buf(),
                expected: self.magic,
                found: magic,
            });
        }
        if self.kind == Kind::Records {
            // A record file's version is the record-file format's, not a layout's: checked first,
            // as ever.
            let version = u32::from_le_bytes(start[8..12].try_into().expect("4 bytes"));
            if version != self.version {
                return Err(Error::VersionMismatch {
                    path: path.to_path_buf(),
                    found: version,
                    expected: self.version,
                });
            }
        }
        let Ok(fixed) = <&[u8; HEADER_SIZE]>::try_from(start) else {
            // Too short for a header: an old-format file of this struct, or too small.
            return Err(self.old_format(path, start).unwrap_or_else(too_small));
        };
        let fixed = Fixed::parse(fixed);
        if fixed.format != FORMAT && fixed.format != FORMAT_2 {
            return Err(self
                .old_format(path, start)
                .unwrap_or(Error::UnsupportedFormat {
                    path: path.to_path_buf(),
                    found: fixed.format,
                    expected: FORMAT,
                }));
        }
        let bad = |field: &'static str, found: u64, expected: u64| Error::BadHeader {
            path: path.to_path_buf(),
            field,
            found,
            expected,
        };
        if fixed.kind != self.kind as u32 {
            return Err(bad("kind", fixed.kind.into(), self.kind as u64));
        }
        // A record file's bytes 60..64 are its waiter word, which live sharing owns.
        if self.kind == Kind::Struct && fixed.reserved != 0 {
            return Err(bad("reserved", fixed.reserved.into(), 0));
        }
        Ok(fixed)
    }

    /// [`judge`](Self::judge) of a file that has `available` bytes from the header on, read with
    /// `pread` (at offsets from the header's start): one read covers the header and a schema as
    /// long as this build's, so a file of the same type costs a single system call.
    pub(crate) fn judge_file(
        &self,
        path: &Path,
        available: u64,
        pread: &Pread<'_>,
    ) -> Result<Verdict, Error> {
        let mut first = vec![0; available.min(self.encoded_len()) as usize];
        pread(0, &mut first)?;
        let selector_reads = std::cell::Cell::new(0u32);
        let read = |at: u64, len: usize| -> Result<Vec<u8>, Error> {
            let end = at.saturating_add(len as u64);
            // The selector is read again, afresh, after the schema area: that is how a
            // concurrent upgrade is seen (`resolve`). From then on nothing comes from the first
            // read: if the selector moved, the area it now names was perhaps still being written
            // when that read was made.
            if at == SELECTOR_OFFSET as u64 {
                selector_reads.set(selector_reads.get() + 1);
            }
            let fresh = selector_reads.get() > 1;
            if end <= first.len() as u64 && !fresh {
                return Ok(first[at as usize..end as usize].to_vec());
            }
            let mut bytes = vec![0; len];
            pread(at, &mut bytes)?;
            Ok(bytes)
        };
        let start = &first[..first.len().min(HEADER_SIZE)];
        self.judge(path, start, available, &read)
    }

    /// Whether a file judged `verdict` opens without an upgrade.
    ///
    /// # Errors
    /// [`Error::NeedsUpgrade`] for an older layout.
    pub(crate) fn accept(&self, path: &Path, verdict: &Verdict) -> Result<(), Error> {
        match &verdict.fit {
            Fit::Same | Fit::Newer { .. } => Ok(()),
            Fit::Older { missing } => Err(Error::NeedsUpgrade {
                path: path.to_path_buf(),
                missing: missing.clone(),
            }),
        }
    }

    /// The error for an upgrade refused because the file is newer than this build's type.
    pub(crate) fn newer_error(&self, path: &Path, verdict: &Verdict, extra: &[String]) -> Error {
        Error::LayoutMismatch {
            path: path.to_path_buf(),
            expected_fingerprint: self.fingerprint,
            found_fingerprint: 0,
            expected_size: self.size,
            found_size: verdict.size,
            foreign_byte_order: false,
            difference: Some(format!(
                "the file is newer: it has the fields {} beyond this build's, which an upgrade \
                 to this build's layout would lose (open it instead: older code reads newer files)",
                extra
                    .iter()
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// Bytes of data a file of this kind needs past its header: the struct, or no record.
    fn data_len(&self) -> u64 {
        match self.kind {
            Kind::Struct => self.size,
            Kind::Records => 0,
        }
    }

    /// The error for a struct file in the header format before this one (format 1: 32 bytes of
    /// magic, version, byte order, fingerprint and size, then the struct), if `start` is one of
    /// this struct's.
    fn old_format(&self, path: &Path, start: &[u8]) -> Option<Error> {
        let old = start.get(..32)?;
        let size = u64::from_le_bytes(old[24..32].try_into().expect("8 bytes"));
        let fingerprint = u64::from_le_bytes(old[16..24].try_into().expect("8 bytes"));
        (self.kind == Kind::Struct && size == self.size && fingerprint == self.fingerprint).then(
            || Error::UnsupportedFormat {
                path: path.to_path_buf(),
                found: 1,
                expected: FORMAT,
            },
        )
    }

    /// The length of this build's header, data offset included.
    pub(crate) fn encoded_len(&self) -> u64 {
        match self.kind {
            Kind::Struct => struct_data_offset(self.shape, self.align) as u64,
            Kind::Records => data_offset(self.schema().len(), self.align) as u64,
        }
    }
}

fn describes_another_layout(path: &Path) -> Error {
    Error::BadSchema {
        path: path.to_path_buf(),
        reason: "it does not describe the layout its fingerprint names".to_string(),
    }
}

/// Decodes the schema bytes of a header.
///
/// # Errors
/// [`Error::BadSchema`].
pub(crate) fn decode_schema(path: &Path, bytes: &[u8]) -> Result<FieldKind, Error> {
    schema::decode(bytes).map_err(|reason| Error::BadSchema {
        path: path.to_path_buf(),
        reason,
    })
}
