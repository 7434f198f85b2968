use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(sise = 16)]
struct Record {
    #[mapped(ofset = 0)]
    a: u64,
}

// Used as a program would: the stub keeps these uses from adding errors.
fn main() {
    let record = Record::anonymous().unwrap();
    record.set_a(1);
    assert_eq!(record.a(), 1);
}
