use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
struct Entry {
    len: usize,
    data: *const u8,
    load: u32,
}

fn main() {}
