use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(size = 8, size = 8)]
#[mapped(align = 8)]
#[mapped(align = 8)]
struct Record {
    #[mapped(offset = 0, readonly, readonly)]
    a: u64,
}

fn main() {}
