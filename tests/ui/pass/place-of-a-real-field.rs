// The hidden place API accepts exactly the fields the struct has, as generated code uses it.
use std::sync::atomic::AtomicU64;

use mapped::__private::Accessors;
use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct S {
    plain: u64,
    c: AtomicU64,
}

fn main() {
    let h = S::anonymous().unwrap();
    let f: &SFields<mapped::ReadWrite> = &h;
    f.raw().place::<u64, 0>().write(7);
    f.raw().place::<AtomicU64, 8>().write(AtomicU64::new(9));
    assert_eq!((h.plain(), h.c().into_inner_copy()), (7, 9));
}

trait Copied {
    fn into_inner_copy(&self) -> u64;
}

impl Copied for AtomicU64 {
    fn into_inner_copy(&self) -> u64 {
        self.load(std::sync::atomic::Ordering::SeqCst)
    }
}
