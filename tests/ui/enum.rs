use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(u8)]
enum State {
    Idle = 0,
    Busy = 1,
}

fn main() {}
