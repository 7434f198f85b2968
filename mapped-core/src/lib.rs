#![warn(missing_docs)]
//! The runtime of [`mapped`](https://docs.rs/mapped): mappings, access modes, record files and
//! errors. Use it through the `mapped` crate, which re-exports everything here together with
//! `#[derive(Mapped)]`.
//!
//! # The API, by what it does
//!
//! - **Mapping one struct:** [`Handle`], made by the derive's constructors or [`OpenOptions`];
//!   [`Handle::flush`], [`Handle::check_file`], [`Handle::advise`] ([`Advice`]), and the
//!   protection changes [`Handle::make_read_only`], [`Handle::make_no_access`],
//!   [`Handle::make_mut`] (which fail with a [`ProtectError`] that gives the handle back).
//! - **Access modes, as types:** [`ReadWrite`], [`Private`], [`ReadOnly`], [`NoAccess`], with the
//!   traits [`Readable`], [`Writable`] and [`Shared`] saying which methods exist; atomics seen
//!   through a read-only page are [`ReadOnlyAtomic`].
//! - **Fields:** [`FieldType`] says what each field type's accessors take and return: values,
//!   [`FieldMut`], [`ArrayMut`], atomics, or a [`View`] of a nested struct; [`Place`] is one field
//!   of a live mapping.
//! - **Consistent snapshots across processes:** [`Seqlock`], a field whose readers always get
//!   one whole value ([`SeqlockRef`]), for any [`SeqlockValue`].
//! - **Records:** [`MappedVec`], a growable file with one writer and live readers, who can
//!   sleep until records arrive ([`MappedVec::wait_len`], [`MappedVec::tail`]: a [`Tail`]);
//!   [`MappedSlice`], a whole file as `[T]`; [`Records`] iterates over either.
//! - **Schema evolution:** [`Handle::upgrade`] (generated as `T::upgrade`) and
//!   [`OpenOptions::upgrade`] append fields to a struct file in place; files of older layouts are
//!   [`Error::NeedsUpgrade`], files of newer ones open.
//! - **Layout:** [`Mapped::LAYOUT`] ([`Layout`], [`Field`], [`Shape`], the fingerprint),
//!   [`HeaderSpec`] for versioned headers, [`c_header`] for C.
//! - **Errors:** [`Error`], with [`Op`] naming the system call that failed.
//!
//! The modules underneath depend one way, leaf first: the system calls (`sys`), the descriptors
//! (`shape`), whole-value copies by descriptor, field types with their typed places, the `Mapped`
//! contract, views, then handles and record files.

#[cfg(not(unix))]
compile_error!(
    "mapped supports Unix targets only: it maps files with mmap and locks them with flock, \
     through the nix crate"
);

// Read-only mappings are read with `Relaxed` atomic loads of up to 8 bytes, which std defines on
// read-only memory only up to the pointer width; and file offsets and sizes are `usize` math.
#[cfg(not(target_pointer_width = "64"))]
compile_error!("mapped supports 64-bit targets only: it reads 8-byte atomics from read-only pages");

// Leaf first; each module uses only those above it (`tools/module_cycles.py` checks it):
// descriptors, then copies by descriptor, then typed places and the field traits, then the
// `Mapped` contract and views, then the mappings and the record files built on them.
mod c_header;
mod copy;
mod error;
#[cfg(test)]
mod evolution_tests;
mod field;
mod file;
mod file_info;
mod handle;
mod header;
mod layout_check;
mod mapped;
mod mode;
mod open;
mod options;
mod region;
mod schema;
mod seqlock;
mod shape;
mod slice;
mod sys;
mod upgrade;
mod vec;
mod view;

pub use c_header::{c_header, CHeaderError};
pub use error::{Error, Op};
pub use field::Place;
pub use field::{ArrayMut, FieldMut, FieldType, Scalar};
pub use file_info::{numpy_dtype, Endian, FileInfo, FileKind};
pub use handle::{Handle, ProtectError};
pub use header::HEADER_SIZE;
pub use mapped::Mapped;
pub use mode::{
    Access, AtomicField, NoAccess, Origin, Private, ReadOnly, ReadOnlyAtomic, ReadOnlyFile,
    ReadWrite, Readable, Shared, Writable,
};
pub use options::{OpenOptions, DEFAULT_MODE};
pub use region::Records;
pub use schema::{FieldInfo, FieldKind, StructInfo};
pub use seqlock::{Seqlock, SeqlockRef, SeqlockValue};
pub use shape::{Field, HeaderSpec, Layout, Shape};
pub use slice::MappedSlice;
pub use sys::Advice;
pub use vec::{MappedVec, Tail};
pub use view::View;

/// What generated code names; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::field::{get, get_mut, get_read_only, set, RawView};
    pub use crate::layout_check::{layout_fault, layout_panic};
    pub use crate::mapped::Accessors;
    pub use crate::seqlock::{seqlock_words, SeqlockWords};
    pub use crate::shape::{field, layout};
    pub use crate::view::nested;
    pub use core::convert::AsRef;
    pub use core::mem::offset_of;
    pub use core::mem::{align_of, size_of};
    pub use core::option::Option;
    pub use core::result::Result;
    pub use core::sync::atomic::AtomicU64;
    // Generated code names these macros here rather than as `::core::panic!`, which an
    // edition-2015 crate cannot name without `extern crate core;`.
    pub use core::{panic, unreachable};
    pub use std::path::Path;
    pub use zerocopy::{FromBytes, IntoBytes, KnownLayout};
}
