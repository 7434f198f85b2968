use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

// `lock()` would call `Handle::lock` (mlock), and `make_mut()` is the accessor of `make`.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Guarded {
    lock: u32,
    make: u32,
    path: u64,
}

fn main() {}
