use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Record {
    a: u8,
    b: u32,
}

// Used as a program would: the stub keeps these uses from adding errors.
fn main() {
    let record = Record::anonymous().unwrap();
    record.set_a(1);
    assert_eq!(record.b(), 0);
}
