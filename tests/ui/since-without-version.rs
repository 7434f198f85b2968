use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

// `since` counts versions of the header, which a struct without `magic` and `version` has not.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Record {
    a: u64,
    #[mapped(since = 2)]
    b: u64,
}

fn main() {
    let _ = Record::anonymous().unwrap().b();
}
