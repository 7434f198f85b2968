use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

// `handle.into()` would call `Into::into` on the handle, never the field's getter.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Transfer {
    into: u64,
    try_into: u64,
}

fn main() {}
