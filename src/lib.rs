//! Typed, file-backed, memory-mapped `#[repr(C)]` structs.
//!
//! Put [`#[derive(Mapped)]`](derive@Mapped) (beside zerocopy's `FromBytes`, `IntoBytes` and
//! `KnownLayout`) on a `#[repr(C)]` struct, and it can live in a file: every field gets a getter
//! and a setter that read and write the mapping directly, at the cost of a raw pointer access.
//!
//! ```
//! use mapped::Mapped;
//! use zerocopy::{FromBytes, IntoBytes, KnownLayout};
//!
//! #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
//! #[repr(C)]
//! struct Stats { hits: u64, misses: u32, ratio: f32 }
//!
//! # fn main() -> Result<(), mapped::Error> {
//! # let dir = tempfile::tempdir().unwrap();
//! # let path = dir.path().join("stats.bin");
//! let stats = Stats::open_or_create(&path)?; // sized, reserved, mapped shared read-write
//! stats.set_hits(stats.hits() + 1);          // straight over the mapping
//! stats.flush()?;                            // msync: durable once this returns
//! # Ok(()) }
//! ```
//!
//! # Where to start
//!
//! | you want | use |
//! |---|---|
//! | one struct in a file, or in anonymous memory shared with forked children | `T::create_new`, `T::open`, `T::open_or_create`, `T::open_read_only`, `T::open_private`, `T::anonymous`, `T::options()` ([`OpenOptions`]): each gives a [`Handle`] |
//! | to read and write its fields | the handle's accessors: `f()`, `set_f(v)`, `f_mut()`, `f_at(i)` and `set_f_at(i, v)` for arrays; nested structs are [`View`]s; [`FieldType`] says what each field type returns |
//! | a read-only, private or inaccessible mapping | the access mode, the handle's second type parameter: [`ReadWrite`], [`ReadOnly`], [`Private`], [`NoAccess`]; [`Handle::make_read_only`] and its siblings change it (and give the handle back on failure: [`ProtectError`]) |
//! | a value several processes share and must always read whole | a [`Seqlock`] field: `f().read()`, `f().write(&v)`, `f().update(\|v\| ...)` ([`SeqlockRef`]) |
//! | a growable file of records, one writer and live readers | [`MappedVec`] |
//! | a whole file seen as `[T]` | [`MappedSlice`] |
//! | to add fields to a type whose files exist | append them, then `T::upgrade(path)` or `T::options().upgrade(true)` ([`OpenOptions::upgrade`]); older code still opens the upgraded files (the README's "Evolving a type") |
//! | the layout, for tools and other languages | [`Mapped::LAYOUT`] ([`Layout`], [`Field`], [`Shape`]); [`c_header`] writes the C declaration |
//! | to know what went wrong | [`Error`]: every variant that concerns a file names it |
//!
//! # Guarantees, safety, performance
//!
//! The safe API cannot cause undefined behaviour, whatever the file holds or another process does
//! to it; a bad file is a typed [`Error`], never a panic or a `SIGBUS`; every accessor costs what
//! the raw pointer costs. The repository's `docs/` states each promise precisely, with the test or
//! the measurement behind it: `safety.md`, `guarantees.md`, `performance.md`, and
//! `file-formats.md` for the bytes of every file this crate writes.
#![warn(missing_docs)]

pub use mapped_core::*;
pub use mapped_derive::Mapped;

/// The `zerocopy` crate, whose `FromBytes`, `IntoBytes` and `KnownLayout` every mapped struct
/// derives alongside `Mapped`.
pub use zerocopy;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeExamples;
