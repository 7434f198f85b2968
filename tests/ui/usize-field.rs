use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Header {
    len: usize,
}

// Used as a program would: the stub keeps these uses from adding errors.
fn main() {
    let header = Header::anonymous().unwrap();
    header.set_len(1);
    assert_eq!(header.len() + 1, 2);
}
