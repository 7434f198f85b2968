use std::sync::atomic::AtomicUsize;

use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Counters {
    hits: AtomicUsize,
}

fn main() {}
