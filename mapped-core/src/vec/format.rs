//! The header of a [`MappedVec`](crate::MappedVec) file: the shared self-describing header
//! (`crate::header`, specified in `docs/file-formats.md`) with magic `MAPDRECS`, kind "records",
//! and the record count at byte 40 as the commit point.

use std::path::Path;

use crate::error::Error;
use crate::field::FieldType;
use crate::header::{Identity, Kind, Pread, RECORDS_MAGIC, RECORDS_VERSION};
use crate::shape::Shape;

pub(crate) use crate::header::COUNT_OFFSET;

/// What the header says about the record type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RecordType {
    /// `<T as Mapped>::LAYOUT.fingerprint` for a struct, the shape's fingerprint otherwise.
    pub(crate) fingerprint: u64,
    pub(crate) size: usize,
    pub(crate) align: usize,
    pub(crate) shape: &'static Shape,
    /// Where record 0 starts: in a new file, past the header and schema, a multiple of 64 and of
    /// the record's alignment; in an existing file, what its header says.
    pub(crate) data_offset: usize,
}

impl RecordType {
    pub(crate) fn of<T: FieldType>() -> RecordType {
        let fingerprint = match T::SHAPE {
            Shape::Struct(layout) => layout.fingerprint,
            shape => shape.fingerprint(),
        };
        let mut record = RecordType {
            fingerprint,
            size: std::mem::size_of::<T>(),
            align: std::mem::align_of::<T>(),
            shape: &T::SHAPE,
            data_offset: 0,
        };
        record.data_offset = record.identity().encoded_len() as usize;
        record
    }

    fn identity(&self) -> Identity<'static> {
        Identity {
            magic: RECORDS_MAGIC,
            version: RECORDS_VERSION,
            kind: Kind::Records,
            shape: self.shape,
            fingerprint: self.fingerprint,
            size: self.size as u64,
            align: self.align,
        }
    }

    /// The header of a new, empty file: `data_offset` bytes, count 0.
    pub(crate) fn encode(&self) -> Vec<u8> {
        self.identity().encode()
    }

    /// Checks the header of an existing file of `size` bytes, read with `pread`; returns the
    /// file's data offset. The count is not checked here: it is read from the mapping, with
    /// `Acquire` semantics.
    pub(crate) fn check(&self, path: &Path, size: u64, pread: &Pread<'_>) -> Result<u64, Error> {
        self.identity().check_file(path, size, pread)
    }
}
