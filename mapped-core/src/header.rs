//! The versioned header `#[mapped(magic = ..., version = ...)]` puts in front of a struct.
//!
//! On disk, at the requested offset:
//!
//! | bytes | field | encoding |
//! |---|---|---|
//! | 0..8 | magic | as given |
//! | 8..12 | version | little-endian `u32` |
//! | 12..16 | byte order of the struct that follows | `1` little-endian, `2` big-endian (LE `u32`) |
//! | 16..24 | layout fingerprint | little-endian `u64` |
//! | 24..32 | struct size | little-endian `u64` |
//!
//! then zeros up to the struct's alignment, then the struct in native byte order. The header
//! itself is little-endian so that any machine can read it and say precisely why a file is not
//! for it.

use std::path::Path;

use crate::error::Error;
use crate::shape::{HeaderSpec, Layout};

/// Bytes of header proper; the struct starts at this rounded up to its alignment.
pub const HEADER_SIZE: usize = 32;

/// The alignment a header's offset must have: the header's own (8) and the struct's.
pub(crate) const fn offset_align(struct_align: usize) -> usize {
    if struct_align > 8 {
        struct_align
    } else {
        8
    }
}

/// Bytes from the header's start to the struct's: `HEADER_SIZE` rounded up to the alignment.
pub(crate) const fn header_len(struct_align: usize) -> usize {
    let align = offset_align(struct_align);
    HEADER_SIZE.div_ceil(align) * align
}

const LITTLE_ENDIAN: u32 = 1;
const BIG_ENDIAN: u32 = 2;

const fn native_byte_order() -> u32 {
    if cfg!(target_endian = "little") {
        LITTLE_ENDIAN
    } else {
        BIG_ENDIAN
    }
}

/// The first 32 bytes of every header this crate writes (a struct's versioned header, and a
/// `MappedVec` file's): what the file is, and the layout of what follows.
pub(crate) struct Identity {
    pub(crate) magic: [u8; 8],
    pub(crate) version: u32,
    pub(crate) fingerprint: u64,
    pub(crate) size: u64,
}

impl Identity {
    /// Appends the 32 bytes: magic, version, this machine's byte order, fingerprint, size.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.magic);
        out.extend_from_slice(&self.version.to_le_bytes());
        out.extend_from_slice(&native_byte_order().to_le_bytes());
        out.extend_from_slice(&self.fingerprint.to_le_bytes());
        out.extend_from_slice(&self.size.to_le_bytes());
    }

    /// Checks the first 32 of `bytes` (which has at least that many) against `self`.
    ///
    /// # Errors
    /// [`Error::BadMagic`], [`Error::VersionMismatch`] or [`Error::LayoutMismatch`], in that
    /// order: the first thing that differs says best what the file is.
    pub(crate) fn check(&self, path: &Path, bytes: &[u8]) -> Result<(), Error> {
        let array = |at: usize| -> [u8; 8] { bytes[at..at + 8].try_into().expect("8 bytes") };
        let half = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        let magic = array(0);
        if magic != self.magic {
            return Err(Error::BadMagic {
                path: path.to_path_buf(),
                expected: self.magic,
                found: magic,
            });
        }
        if half(8) != self.version {
            return Err(Error::VersionMismatch {
                path: path.to_path_buf(),
                found: half(8),
                expected: self.version,
            });
        }
        let (byte_order, fingerprint, size) = (
            half(12),
            u64::from_le_bytes(array(16)),
            u64::from_le_bytes(array(24)),
        );
        if byte_order != native_byte_order() || fingerprint != self.fingerprint || size != self.size
        {
            return Err(Error::LayoutMismatch {
                path: path.to_path_buf(),
                expected_fingerprint: self.fingerprint,
                found_fingerprint: fingerprint,
                expected_size: self.size,
                found_size: size,
                foreign_byte_order: byte_order != native_byte_order(),
            });
        }
        Ok(())
    }
}

fn identity(spec: &HeaderSpec, layout: &Layout) -> Identity {
    Identity {
        magic: spec.magic,
        version: spec.version,
        fingerprint: layout.fingerprint,
        size: layout.size as u64,
    }
}

/// The header bytes a new file starts with.
pub(crate) fn encode(spec: &HeaderSpec, layout: &Layout) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(header_len(layout.align));
    identity(spec, layout).encode(&mut bytes);
    bytes.resize(header_len(layout.align), 0);
    bytes
}

/// Checks an existing file's header bytes against what this build expects.
pub(crate) fn check(
    path: &Path,
    bytes: &[u8],
    spec: &HeaderSpec,
    layout: &Layout,
) -> Result<(), Error> {
    identity(spec, layout).check(path, bytes)
}
