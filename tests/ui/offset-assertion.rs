use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Record {
    a: u64,
    #[mapped(offset = 4)]
    b: u64,
}

fn main() {}
