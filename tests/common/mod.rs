//! Types and helpers shared by the integration tests.
#![allow(dead_code)]

pub mod checked;
pub mod forked;
pub mod seccomp;

use std::path::PathBuf;
use std::sync::atomic::AtomicU64;

use mapped::Mapped;
use zerocopy::byteorder::{BigEndian, LittleEndian, U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// The struct of the contract: 32 bytes.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Immutable, Debug, PartialEq, Clone, Copy)]
#[repr(C)]
pub struct Stats {
    pub hits: u64,
    pub misses: u32,
    pub ratio: f32,
    pub name: [u8; 16],
}

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, PartialEq, Clone, Copy)]
#[repr(C)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Every kind of field: nested, atomic, array of nested, byte-order, signed.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
pub struct Body {
    pub pos: Point,
    pub vel: Point,
    pub hits: AtomicU64,
    pub trail: [Point; 3],
    pub id_be: U32<BigEndian>,
    pub port_le: U16<LittleEndian>,
    pub delta: i16,
}

/// A struct whose alignment (8) is below the page size, for offset tests.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, PartialEq)]
#[repr(C)]
pub struct Pair {
    pub a: u64,
    pub b: u64,
}

pub struct TempDir {
    pub dir: tempfile::TempDir,
}

impl TempDir {
    pub fn new() -> Self {
        TempDir {
            dir: tempfile::tempdir().expect("create temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// `cases` property-test cases, unless `PROPTEST_CASES` asks for another number (as under
/// valgrind, where `scripts/memcheck.sh` runs fewer).
pub fn proptest_cases(cases: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases)
}
