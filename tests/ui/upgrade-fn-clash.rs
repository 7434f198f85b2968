use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

// The derive generates `upgrade`, as it does `open`: a type's own function of that name clashes.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(magic = b"EVOLVING", version = 1)]
struct Record {
    a: u64,
}

impl Record {
    fn upgrade(_path: &str) {}
}

fn main() {}
