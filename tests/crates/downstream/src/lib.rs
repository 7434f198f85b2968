//! Mapped structs as another crate defines them, for the tests of `mapped`: `tests/ui` uses them
//! from a second crate, where the privacy of their fields must hold.
//!
//! Every generated item is compiled here under the strictest lints a user may choose
//! (`scripts/test.sh` runs clippy with warnings denied on this crate too), in edition 2015, with
//! `mapped` renamed to `mm`.
#![deny(warnings, missing_docs, unreachable_pub)]
#![deny(clippy::pedantic)]
#![forbid(unsafe_code)]

extern crate mm;
extern crate zerocopy;

use mm::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

/// Public, with a private field: other crates may read and write `hits` only.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(crate = "mm")]
pub struct Stats {
    /// A private type in a private field: no "more private than the item" warning. (Not last:
    /// zerocopy's `KnownLayout` makes the last field's type part of the public interface.)
    detail: Detail,
    /// Counted by anyone.
    pub hits: u64,
    /// Counted by this crate alone.
    misses: u64,
}

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(crate = "mm")]
struct Detail {
    last_miss: u64,
}

impl Stats {
    /// Counts a miss, the only way another crate can.
    pub fn record_miss(stats: &StatsFields<mm::ReadWrite>, at: u64) {
        stats.set_misses(stats.misses() + 1);
        stats.detail_mut().set_last_miss(at);
    }

    /// The misses counted so far.
    #[must_use]
    pub fn misses(stats: &StatsFields<mm::ReadWrite>) -> u64 {
        stats.misses()
    }
}

/// Crate-private, under `unreachable_pub`: the accessors are as private as the fields.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(crate = "mm")]
pub(crate) struct Cache {
    pub(crate) size: u64,
    entries: [u32; 4],
}

/// Field names C and the lints like least, under `clippy::pedantic`.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(crate = "mm")]
#[allow(non_snake_case)]
pub struct Names {
    /// C-style.
    pub dwMagic: u32,
    /// Fills space: no accessors.
    _pad: [u8; 4],
    /// A keyword with a trailing underscore.
    pub type_: u64,
    /// A getter named `new`.
    pub new: u32,
    /// Replaced by `new`.
    #[deprecated = "use `new`"]
    pub old: u32,
}

/// Touches every crate-private accessor, so none is dead code.
///
/// # Panics
/// If anonymous memory cannot be mapped.
#[must_use]
pub fn cache_round_trip() -> u64 {
    let cache = Cache::anonymous().expect("anonymous memory");
    cache.set_size(2);
    cache.set_entries_at(3, 9).expect("in bounds");
    u64::from(cache.entries_at(3).unwrap_or(0)) + cache.size() + u64::from(cache.entries()[0])
}
