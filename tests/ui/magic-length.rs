use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(magic = b"SHORT", version = 1)]
struct Record {
    a: u64,
}

fn main() {}
