use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(align = 16)]
struct Record {
    a: u64,
    b: u32,
    c: u32,
}

fn main() {}
