//! The header of a [`MappedVec`](crate::MappedVec) file: the shared self-describing header
//! (`crate::header`, specified in `docs/file-formats.md`) with magic `MAPDRECS`, kind "records",
//! and the record count at byte 40 as the commit point.
//!
//! A record file may have been written by another layout of `T` (schema evolution,
//! `docs/file-formats.md`, "Records of an evolved type"): its stored schema decides, under the
//! append-only rule of [`schema::relation`], whether it opens as it is (the same fields, or a
//! newer layout whose records are read at their own size, the stride), needs an upgrade (an older
//! layout) or is refused.

use std::path::Path;

use crate::error::Error;
use crate::field::FieldType;
use crate::header::{
    self, Identity, Kind, Pread, HEADER_SIZE, MAX_SCHEMA_LEN, RECORDS_MAGIC, RECORDS_VERSION,
};
use crate::schema::{self, FieldKind, Relation};
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
    /// Bytes from one record to the next: `size`, or in a file of a newer layout of the type, the
    /// record size its header names.
    pub(crate) stride: usize,
}

/// How an existing file's records relate to this build's type, when they can be mapped as it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Evolution {
    /// The same layout.
    Same,
    /// Written by an older layout: the type appended `missing`.
    Older { missing: Vec<String> },
    /// Written by a newer layout, which appended `extra`: records are longer than the type.
    Newer { extra: Vec<String> },
}

/// An existing file's header, checked.
#[derive(Debug)]
pub(crate) struct Checked {
    pub(crate) data_offset: u64,
    /// The file's record size (the header's size field).
    pub(crate) stride: u64,
    /// The published count, in the data's byte order.
    pub(crate) count: u64,
    /// The file's layout fingerprint.
    pub(crate) fingerprint: u64,
    pub(crate) evolution: Evolution,
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
            stride: std::mem::size_of::<T>(),
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

    /// Checks the header of an existing file of `size` bytes, read with `pread`, for opening it
    /// as records of this type: the same layout or a newer one. The count is not used here: it
    /// is read from the mapping, with `Acquire` semantics.
    ///
    /// # Errors
    /// [`Error::NeedsUpgrade`] for a file of an older layout; otherwise as for
    /// [`inspect`](Self::inspect).
    pub(crate) fn check(
        &self,
        path: &Path,
        size: u64,
        pread: &Pread<'_>,
    ) -> Result<Checked, Error> {
        let checked = self.inspect(path, size, pread)?;
        if let Evolution::Older { missing } = checked.evolution {
            return Err(Error::NeedsUpgrade {
                path: path.to_path_buf(),
                missing,
            });
        }
        Ok(checked)
    }

    /// Checks the header of an existing file of `size` bytes, read with `pread`, and says how
    /// its layout relates to this type's. One `pread` covers a header as long as this build's.
    /// Bytes 60..64 are not looked at: in a record file they belong to the writer's wake-ups.
    ///
    /// # Errors
    /// In the order checked, the first thing that differs saying best what the file is:
    /// [`Error::FileTooSmall`], [`Error::BadMagic`], [`Error::VersionMismatch`],
    /// [`Error::UnsupportedFormat`], [`Error::BadHeader`] (kind, schema length, data offset),
    /// [`Error::LayoutMismatch`] (another byte order; a layout neither a prefix of the type's
    /// nor extending it, naming the first difference), [`Error::BadSchema`] (a schema that does
    /// not describe the header's fingerprint and size), [`Error::BadHeader`] (a record size or
    /// data offset the type's alignment cannot use).
    pub(crate) fn inspect(
        &self,
        path: &Path,
        size: u64,
        pread: &Pread<'_>,
    ) -> Result<Checked, Error> {
        let identity = self.identity();
        let too_small = || Error::FileTooSmall {
            path: path.to_path_buf(),
            needed: identity.encoded_len(),
            found: size,
        };
        let mut first = vec![0; size.min(identity.encoded_len().max(HEADER_SIZE as u64)) as usize];
        pread(0, &mut first)?;
        // Bytes 60..64 are not looked at: in a record file they belong to the writer's wake-ups.
        let fixed =
            identity.check_fixed(path, &first[..first.len().min(HEADER_SIZE)], &too_small)?;
        let bad = |field: &'static str, found: u64, expected: u64| Error::BadHeader {
            path: path.to_path_buf(),
            field,
            found,
            expected,
        };
        let schema_len = u64::from(fixed.schema_len);
        if schema_len > MAX_SCHEMA_LEN {
            return Err(bad("schema length", schema_len, self.schema_len() as u64));
        }
        if HEADER_SIZE as u64 + schema_len > size {
            return Err(too_small());
        }
        // The type's own alignment is checked once the layouts are known to be related: an older
        // file may have had a smaller one.
        if fixed.data_offset % 64 != 0 || fixed.data_offset < HEADER_SIZE as u64 + schema_len {
            return Err(bad(
                "data offset",
                fixed.data_offset,
                header::data_offset(fixed.schema_len as usize, self.align) as u64,
            ));
        }
        let end = HEADER_SIZE + fixed.schema_len as usize;
        let schema = match first.get(HEADER_SIZE..end) {
            Some(bytes) => bytes.to_vec(),
            None => {
                let mut bytes = vec![0; fixed.schema_len as usize];
                pread(HEADER_SIZE as u64, &mut bytes)?;
                bytes
            }
        };
        let decoded = header::decode_schema(path, &schema);
        let ours = FieldKind::of(self.shape);
        let mismatch = |difference: Option<String>| Error::LayoutMismatch {
            path: path.to_path_buf(),
            expected_fingerprint: self.fingerprint,
            found_fingerprint: fixed.fingerprint,
            expected_size: self.size as u64,
            found_size: fixed.size,
            foreign_byte_order: fixed.big_endian() != Some(cfg!(target_endian = "big")),
            difference,
        };
        if fixed.big_endian() != Some(cfg!(target_endian = "big")) {
            return Err(mismatch(None));
        }
        let same_header = fixed.fingerprint == self.fingerprint && fixed.size == self.size as u64;
        let evolution = match &decoded {
            // As before evolution: the header's fingerprint decides, and the schema must agree.
            _ if same_header => Evolution::Same,
            // Unreadable, it cannot show a relation: the fingerprint says the layouts differ.
            Err(_) => return Err(mismatch(None)),
            Ok(file) => match schema::relation(file, &ours) {
                Relation::Different(difference) => {
                    // Worded as for every other file (struct files name it the same way).
                    let first = schema::first_difference(file, self.shape);
                    return Err(mismatch(Some(first.unwrap_or(difference))));
                }
                // The fields agree but the fingerprint or the size does not: the header names
                // another layout than its schema, and the fingerprint decides.
                Relation::Same => return Err(mismatch(None)),
                Relation::Older { missing } => Evolution::Older { missing },
                Relation::Newer { extra } => Evolution::Newer { extra },
            },
        };
        let decoded = decoded?;
        let described = match &decoded {
            FieldKind::Struct(info) => info.fingerprint() == fixed.fingerprint,
            kind => kind.fingerprint() == fixed.fingerprint,
        };
        let consistent = described
            && decoded.size() as u64 == fixed.size
            && (evolution != Evolution::Same || schema::same_kind(&decoded, &ours));
        if !consistent {
            return Err(Error::BadSchema {
                path: path.to_path_buf(),
                reason: "it does not describe the layout its fingerprint names".to_string(),
            });
        }
        if !matches!(evolution, Evolution::Older { .. }) {
            // Records are read in place as this type, those of a newer layout too: each must
            // start aligned for it (alignment may grow, never shrink, with the layout).
            let align = self.align as u64;
            if fixed.size < self.size as u64 || fixed.size % align != 0 {
                return Err(bad("record size", fixed.size, self.size as u64));
            }
            if fixed.data_offset % align != 0 {
                return Err(bad(
                    "data offset",
                    fixed.data_offset,
                    header::data_offset(fixed.schema_len as usize, self.align) as u64,
                ));
            }
        }
        Ok(Checked {
            data_offset: fixed.data_offset,
            stride: fixed.size,
            count: fixed.count(),
            fingerprint: fixed.fingerprint,
            evolution,
        })
    }

    fn schema_len(&self) -> usize {
        let mut schema = Vec::new();
        schema::encode(self.shape, &mut schema);
        schema.len()
    }
}
