//! The header of a [`MappedVec`](crate::MappedVec) file.
//!
//! | bytes | field | encoding |
//! |---|---|---|
//! | 0..8 | magic `MAPDRECS` | bytes |
//! | 8..12 | format version, `1` | little-endian `u32` |
//! | 12..16 | byte order of the records and the count: `1` little, `2` big | little-endian `u32` |
//! | 16..24 | the record type's layout fingerprint | little-endian `u64` |
//! | 24..32 | the record size in bytes | little-endian `u64` |
//! | 32..40 | where record 0 starts: 64, or the record's alignment if larger | little-endian `u64` |
//! | 40..48 | the record count, the commit point | native-endian atomic `u64` |
//! | 48..64 | reserved, zero | |
//!
//! Then zeros up to the data offset, then the records back to back, in native byte order, then
//! spare capacity. The fixed fields are little-endian, so that any machine can say why a file is
//! not for it; the count is native because it is an atomic in the mapping, and a file of the
//! other byte order is refused before it is read.

use std::path::Path;

use crate::error::Error;
use crate::field::FieldType;
use crate::header::Identity;
use crate::shape::Shape;

/// The first eight bytes of every record file.
pub(crate) const MAGIC: [u8; 8] = *b"MAPDRECS";
/// The format this build reads and writes.
pub(crate) const VERSION: u32 = 1;
/// Bytes of header proper.
pub(crate) const HEADER_SIZE: usize = 64;
/// Offset of the record count.
pub(crate) const COUNT_OFFSET: usize = 40;

/// What the header says about the record type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordType {
    /// `<T as Mapped>::LAYOUT.fingerprint` for a struct, the shape's fingerprint otherwise.
    pub(crate) fingerprint: u64,
    pub(crate) size: usize,
    /// Where record 0 starts: the header, rounded up to the record's alignment.
    pub(crate) data_offset: usize,
}

impl RecordType {
    pub(crate) fn of<T: FieldType>() -> RecordType {
        let fingerprint = match T::SHAPE {
            Shape::Struct(layout) => layout.fingerprint,
            shape => shape.fingerprint(),
        };
        RecordType {
            fingerprint,
            size: std::mem::size_of::<T>(),
            data_offset: HEADER_SIZE.max(std::mem::align_of::<T>()),
        }
    }
}

impl RecordType {
    fn identity(&self) -> Identity {
        Identity {
            magic: MAGIC,
            version: VERSION,
            fingerprint: self.fingerprint,
            size: self.size as u64,
        }
    }
}

/// The header of a new, empty file: `data_offset` bytes, count 0.
pub(crate) fn encode(record: &RecordType) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(record.data_offset);
    record.identity().encode(&mut bytes);
    bytes.extend_from_slice(&(record.data_offset as u64).to_le_bytes());
    bytes.resize(record.data_offset, 0);
    bytes
}

/// Checks an existing file's header (its first [`HEADER_SIZE`] bytes) against the record type.
/// The count is not checked here: it is read from the mapping, with `Acquire` ordering.
pub(crate) fn check(path: &Path, bytes: &[u8], record: &RecordType) -> Result<(), Error> {
    record.identity().check(path, bytes)?;
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    if word(32) != record.data_offset as u64 {
        return Err(Error::BadHeader {
            path: path.to_path_buf(),
            field: "data offset",
            found: word(32),
            expected: record.data_offset as u64,
        });
    }
    Ok(())
}
