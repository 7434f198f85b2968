use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

// A field appended in version 3 needs the struct at version 3 or later.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(magic = b"EVOLVING", version = 2)]
struct Record {
    a: u64,
    #[mapped(since = 3)]
    b: u64,
}

fn main() {
    let _ = Record::anonymous().unwrap().b();
}
