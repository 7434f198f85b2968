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
use crate::layout::{HeaderSpec, Layout};

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

/// The header bytes a new file starts with.
pub(crate) fn encode(spec: &HeaderSpec, layout: &Layout) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(header_len(layout.align));
    bytes.extend_from_slice(&spec.magic);
    bytes.extend_from_slice(&spec.version.to_le_bytes());
    bytes.extend_from_slice(&native_byte_order().to_le_bytes());
    bytes.extend_from_slice(&layout.fingerprint.to_le_bytes());
    bytes.extend_from_slice(&(layout.size as u64).to_le_bytes());
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
    let field = |range: std::ops::Range<usize>| -> [u8; 8] {
        let mut out = [0; 8];
        out[..range.len()].copy_from_slice(&bytes[range]);
        out
    };
    let magic = field(0..8);
    if magic != spec.magic {
        return Err(Error::BadMagic {
            path: path.to_path_buf(),
            expected: spec.magic,
            found: magic,
        });
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != spec.version {
        return Err(Error::VersionMismatch {
            path: path.to_path_buf(),
            found: version,
            expected: spec.version,
        });
    }
    let byte_order = u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes"));
    let fingerprint = u64::from_le_bytes(field(16..24));
    let size = u64::from_le_bytes(field(24..32));
    if byte_order != native_byte_order()
        || fingerprint != layout.fingerprint
        || size != layout.size as u64
    {
        return Err(Error::LayoutMismatch {
            path: path.to_path_buf(),
            expected_fingerprint: layout.fingerprint,
            found_fingerprint: fingerprint,
            expected_size: layout.size as u64,
            found_size: size,
            foreign_byte_order: byte_order != native_byte_order(),
        });
    }
    Ok(())
}
