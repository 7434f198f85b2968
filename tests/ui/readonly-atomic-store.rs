use std::sync::atomic::{AtomicU64, Ordering};

use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Record {
    #[mapped(readonly)]
    generation: AtomicU64,
}

fn main() {
    let record = Record::anonymous().unwrap();
    record.generation().load(Ordering::Acquire);
    record.generation().store(1, Ordering::Release);
}
