use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

// Fields are only appended: a field cannot be older than the one before it.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(magic = b"EVOLVING", version = 3)]
struct Record {
    a: u64,
    #[mapped(since = 3)]
    b: u64,
    #[mapped(since = 2)]
    c: u64,
}

fn main() {
    let _ = Record::anonymous().unwrap().c();
}
