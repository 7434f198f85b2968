//! The header of every self-describing file: a `magic` struct file's (at its offset) and every
//! record file's. `docs/file-formats.md` specifies the bytes; in short:
//!
//! | bytes | field | encoding |
//! |---|---|---|
//! | 0..8 | magic | as given (`MAPDRECS` for record files) |
//! | 8..12 | version | `u32`: the struct's `version`; for record files, [`RECORDS_VERSION`] |
//! | 12..16 | byte order of the data (and of the count) | `u32`: `1` little, `2` big |
//! | 16..24 | layout fingerprint | `u64` |
//! | 24..32 | struct (or record) size | `u64` |
//! | 32..40 | data offset, from the header's start | `u64`: a multiple of 64 and of the alignment |
//! | 40..48 | record count (records) or 1 (a struct) | `u64`, in the data's byte order |
//! | 48..52 | header format | `u32`: [`FORMAT`] |
//! | 52..56 | kind | `u32`: `1` struct, `2` records |
//! | 56..60 | schema length | `u32` |
//! | 60..64 | reserved: zero; in a record file, the waiter word (`crate::vec::wait`) | zero / `u32` |
//! | 64.. | the schema (`crate::schema`), then zeros up to the data offset | |
//!
//! The header's integers are little-endian on every machine (but the count, which is data), so
//! that any machine can say precisely why a file is not for it.

use std::path::Path;

use crate::error::Error;
use crate::schema::{self, FieldKind};
use crate::shape::Shape;

/// Bytes of the fixed part of a self-describing header (magic .. reserved). The schema follows
/// it, and the data starts at the data offset the header names (`docs/file-formats.md`).
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
/// The header format this build reads and writes: 2, the first with the schema in the header.
pub(crate) const FORMAT: u32 = 2;
/// The `version` of record files: their format, bumped with the header's.
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

/// What a file holds after its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Struct = 1,
    Records = 2,
}

/// The data's offset for a header whose schema is `schema_len` bytes long: past the schema, a
/// multiple of 64 (what numpy and SIMD readers want) and of the type's alignment.
pub(crate) fn data_offset(schema_len: usize, align: usize) -> usize {
    (HEADER_SIZE + schema_len).next_multiple_of(align.max(64))
}

/// The data offset of a new file of a type shaped `shape`, aligned to `align`.
pub(crate) fn struct_data_offset(shape: &Shape, align: usize) -> usize {
    let mut schema = Vec::new();
    schema::encode(shape, &mut schema);
    data_offset(schema.len(), align)
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

/// The fixed 64 bytes of a header, read from a file.
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
}

impl Identity<'_> {
    /// The header of a new file: the fixed part, the schema, zeros up to the data offset.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut schema = Vec::new();
        schema::encode(self.shape, &mut schema);
        let data_offset = data_offset(schema.len(), self.align);
        let count: u64 = match self.kind {
            Kind::Struct => 1,
            Kind::Records => 0,
        };
        let mut bytes = Vec::with_capacity(data_offset);
        bytes.extend_from_slice(&self.magic);
        bytes.extend_from_slice(&self.version.to_le_bytes());
        bytes.extend_from_slice(&native_byte_order().to_le_bytes());
        bytes.extend_from_slice(&self.fingerprint.to_le_bytes());
        bytes.extend_from_slice(&self.size.to_le_bytes());
        bytes.extend_from_slice(&(data_offset as u64).to_le_bytes());
        bytes.extend_from_slice(&count.to_ne_bytes());
        bytes.extend_from_slice(&FORMAT.to_le_bytes());
        bytes.extend_from_slice(&(self.kind as u32).to_le_bytes());
        bytes.extend_from_slice(&(schema.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&[0; 4]);
        bytes.extend_from_slice(&schema);
        bytes.resize(data_offset, 0);
        bytes
    }

    /// Checks the header of an existing file against this build's, and returns the file's data
    /// offset (which may differ from a new file's: the schema holds the struct's name, and the
    /// fingerprint alone decides). `start` holds the first bytes of the header (up to
    /// [`HEADER_SIZE`]), `available` how many bytes the file has from the header on, and
    /// `read` reads more of it: the schema, which must describe the fingerprint's layout.
    ///
    /// # Errors
    /// In the order checked, the first thing that differs saying best what the file is:
    /// [`Error::FileTooSmall`] (shorter than a header), [`Error::BadMagic`],
    /// [`Error::VersionMismatch`], [`Error::UnsupportedFormat`], [`Error::BadHeader`] (kind,
    /// reserved bytes of a struct file, schema length, data offset), [`Error::LayoutMismatch`],
    /// [`Error::BadHeader`] (a struct file's count), [`Error::BadSchema`].
    pub(crate) fn check(
        &self,
        path: &Path,
        start: &[u8],
        available: u64,
        read: &dyn Fn(u64, usize) -> Result<Vec<u8>, Error>,
    ) -> Result<u64, Error> {
        let too_small = || Error::FileTooSmall {
            path: path.to_path_buf(),
            needed: self.encoded_len() + self.data_len(),
            found: available,
        };
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
        let version = u32::from_le_bytes(start[8..12].try_into().expect("4 bytes"));
        if version != self.version {
            return Err(Error::VersionMismatch {
                path: path.to_path_buf(),
                found: version,
                expected: self.version,
            });
        }
        let Ok(fixed) = <&[u8; HEADER_SIZE]>::try_from(start) else {
            // Too short for a header: an old-format file of this struct, or too small.
            return Err(self.old_format(path, start).unwrap_or_else(too_small));
        };
        let reserved = u32::from_le_bytes(fixed[60..64].try_into().expect("4 bytes"));
        let fixed = Fixed::parse(fixed);
        if fixed.format != FORMAT {
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
        // In a record file these bytes are the waiter word, which live readers change.
        if reserved != 0 && self.kind != Kind::Records {
            return Err(bad("reserved", reserved.into(), 0));
        }
        let schema_len = u64::from(fixed.schema_len);
        if schema_len > MAX_SCHEMA_LEN {
            return Err(bad("schema length", schema_len, self.schema_len() as u64));
        }
        if HEADER_SIZE as u64 + schema_len > available {
            return Err(too_small());
        }
        let alignment = self.align.max(64) as u64;
        if fixed.data_offset % alignment != 0 || fixed.data_offset < HEADER_SIZE as u64 + schema_len
        {
            return Err(bad(
                "data offset",
                fixed.data_offset,
                data_offset(fixed.schema_len as usize, self.align) as u64,
            ));
        }
        let schema = read(HEADER_SIZE as u64, fixed.schema_len as usize)?;
        let decoded = schema::decode(&schema).map_err(|reason| Error::BadSchema {
            path: path.to_path_buf(),
            reason,
        });
        if fixed.byte_order != native_byte_order()
            || fixed.fingerprint != self.fingerprint
            || fixed.size != self.size
        {
            return Err(Error::LayoutMismatch {
                path: path.to_path_buf(),
                expected_fingerprint: self.fingerprint,
                found_fingerprint: fixed.fingerprint,
                expected_size: self.size,
                found_size: fixed.size,
                foreign_byte_order: fixed.byte_order != native_byte_order(),
                difference: decoded
                    .ok()
                    .and_then(|file| schema::first_difference(&file, self.shape)),
            });
        }
        if self.kind == Kind::Struct && fixed.count() != 1 {
            return Err(bad("count", fixed.count(), 1));
        }
        if !schema::same_kind(&decoded?, &FieldKind::of(self.shape)) {
            return Err(Error::BadSchema {
                path: path.to_path_buf(),
                reason: "it does not describe the layout its fingerprint names".to_string(),
            });
        }
        Ok(fixed.data_offset)
    }

    /// [`check`](Self::check) of a file that has `available` bytes from the header on, read with
    /// `pread` (at offsets from the header's start): one read covers the header and a schema as
    /// long as this build's, so a file of the same type costs a single system call.
    pub(crate) fn check_file(
        &self,
        path: &Path,
        available: u64,
        pread: &Pread<'_>,
    ) -> Result<u64, Error> {
        let mut first = vec![0; available.min(self.encoded_len()) as usize];
        pread(0, &mut first)?;
        let read = |at: u64, len: usize| -> Result<Vec<u8>, Error> {
            let end = at.saturating_add(len as u64);
            if end <= first.len() as u64 {
                return Ok(first[at as usize..end as usize].to_vec());
            }
            let mut bytes = vec![0; len];
            pread(at, &mut bytes)?;
            Ok(bytes)
        };
        let start = &first[..first.len().min(HEADER_SIZE)];
        self.check(path, start, available, &read)
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

    fn schema_len(&self) -> usize {
        let mut schema = Vec::new();
        schema::encode(self.shape, &mut schema);
        schema.len()
    }

    /// The length of this build's header, data offset included.
    pub(crate) fn encoded_len(&self) -> u64 {
        struct_data_offset(self.shape, self.align) as u64
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
