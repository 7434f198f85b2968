use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Record {
    #[mapped(readonly)]
    id: u64,
    count: u64,
}

fn main() {
    let record = Record::anonymous().unwrap();
    record.set_count(record.id());
    record.set_id(1);
    record.id_mut();
}
