// A place must be a field of the struct as its shape describes it: a plain `u64` over an atomic
// field would race with another thread's `fetch_add`, with no `unsafe` anywhere.
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

impl SFields<mapped::ReadWrite> {
    // The struct's own module can name the private `__raw` field: still no punning.
    fn pun_from_the_module(&self) {
        self.__raw.place::<[u8; 8], 8>().write([7; 8]);
    }
}

fn main() {
    let h = S::anonymous().unwrap();
    let f: &SFields<mapped::ReadWrite> = &h;
    f.raw().place::<u64, 8>().write(7);
    h.pun_from_the_module();
}
