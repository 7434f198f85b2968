#![warn(missing_docs)]
//! The runtime of [`mapped`](https://docs.rs/mapped): mappings, access modes and errors.
//!
//! Use it through the `mapped` crate, which re-exports everything here together with
//! `#[derive(Mapped)]`.

// Read-only mappings are read with `Relaxed` atomic loads of up to 8 bytes, which std defines on
// read-only memory only up to the pointer width; and file offsets and sizes are `usize` math.
#[cfg(not(target_pointer_width = "64"))]
compile_error!("mapped supports 64-bit targets only: it reads 8-byte atomics from read-only pages");

mod c_header;
mod copy;
mod error;
mod field;
mod handle;
mod header;
mod layout;
mod mode;
mod options;
mod raw;
mod slice;
mod sys;
mod vec;
mod view;

pub use c_header::c_header;
pub use error::{Error, Op};
pub use field::{ArrayMut, FieldMut, FieldType, Scalar};
pub use handle::{Advice, Handle, ProtectError};
pub use header::HEADER_SIZE;
pub use layout::{Field, HeaderSpec, Layout, Mapped, Shape};
pub use mode::{
    Access, AtomicField, NoAccess, Origin, Private, ReadOnly, ReadOnlyAtomic, ReadOnlyFile,
    ReadWrite, Readable, Shared, Writable,
};
pub use options::{OpenOptions, DEFAULT_MODE};
pub use raw::Place;
pub use slice::region::Records;
pub use slice::MappedSlice;
pub use vec::MappedVec;
pub use view::View;

/// What generated code names; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::layout::{field, layout};
    pub use crate::raw::RawView;
    pub use crate::view::Accessors;
    pub use core::mem::offset_of;
    pub use core::mem::{align_of, size_of};
    pub use core::option::Option;
    pub use core::result::Result;
    pub use std::path::Path;
}
