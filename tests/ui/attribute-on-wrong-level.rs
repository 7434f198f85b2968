use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(offset = 0)]
struct Record {
    #[mapped(size = 8, magic = b"RECORDS!")]
    a: u64,
}

fn main() {}
