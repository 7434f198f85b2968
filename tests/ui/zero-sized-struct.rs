use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

// Rejected at the derive, not by a constructor deep in `mapped` when the program is built.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Empty {
    z: [u8; 0],
}

fn main() {
    let empty = Empty::anonymous().unwrap();
    assert_eq!(empty.z(), []);
}
