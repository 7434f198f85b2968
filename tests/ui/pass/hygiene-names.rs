//! Names the generated code must not capture or misread.
#![deny(warnings)]

use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

/// A user type named like the access-mode parameter the derive once declared.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct A {
    x: u32,
}

mod alias {
    use super::Point as A;
    use mapped::Mapped;
    use zerocopy::{FromBytes, IntoBytes, KnownLayout};

    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    pub(crate) struct Segment {
        pub(crate) from: A,
        pub(crate) to: A,
    }
}

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Point {
    x: u32,
    y: u32,
}

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Holder {
    a: A,
    many: [A; 2],
}

/// `Self` in a field type means the struct, as it does for zerocopy's derives.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Named {
    name: [u8; Self::LEN],
}

impl Named {
    const LEN: usize = 12;
}

/// A `$t:ty` reaches the derive as an invisible group around the array type.
macro_rules! record {
    ($name:ident, $t:ty) => {
        #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
        #[repr(C)]
        struct $name {
            data: $t,
        }
    };
}

record!(Block, [u8; 4]);

fn main() {
    let holder = Holder::anonymous().unwrap();
    holder.a_mut().set_x(1);
    holder.set_many_at(1, A { x: 2 }).unwrap();
    assert_eq!((holder.a().x(), holder.many_at(1).unwrap().x()), (1, 2));

    let segment = alias::Segment::anonymous().unwrap();
    segment.to_mut().set_y(3);
    assert_eq!(segment.to().y(), 3);

    let named = Named::anonymous().unwrap();
    named.set_name_at(11, b'!').unwrap();
    assert_eq!(named.name_at(11), Some(b'!'));

    let block = Block::anonymous().unwrap();
    block.set_data_at(3, 7).unwrap();
    assert_eq!(block.data_at(3), Some(7));
}
