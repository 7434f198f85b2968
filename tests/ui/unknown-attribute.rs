use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(sise = 16)]
struct Record {
    #[mapped(ofset = 0)]
    a: u64,
}

fn main() {}
