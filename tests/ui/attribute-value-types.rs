use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(size = "8", align = 3, magic = "MAGIC!!!", version = -1, crate = mapped)]
struct Record {
    #[mapped(offset, readonly = true)]
    a: u64,
}

fn main() {}
