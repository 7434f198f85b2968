use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Record {
    a: u64,
    #[mapped(offset = 4)]
    b: u64,
}

// Used as a program would: the stub keeps these uses from adding errors.
fn main() {
    let record = Record::anonymous().unwrap();
    record.set_b(1);
    assert_eq!(record.a(), 0);
}
