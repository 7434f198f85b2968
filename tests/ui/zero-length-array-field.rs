use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

// C has no zero-length arrays, and the field has no bytes in the file.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Message {
    len: u32,
    body: [u8; 0],
}

fn main() {}
