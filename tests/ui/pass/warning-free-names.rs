//! Field names that once made the generated code warn, compiled with warnings denied.
#![deny(warnings)]

use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[allow(non_snake_case)]
struct Names {
    /// C-style: the field's own lint is allowed above; the accessors add none.
    dwMagic: u32,
    /// The gap filler the padding error recommends: no accessors, so no `set__pad`.
    _pad: [u8; 4],
    /// A keyword with the usual trailing underscore: `type_mut`, not a lint about `type__mut`.
    type_: u64,
    /// Its getter is a method named `new` that returns no `Self`.
    new: u32,
    #[deprecated = "use `new`"]
    old: u32,
}

fn main() {
    let names = Names::anonymous().unwrap();
    names.set_dwMagic(0xfeed);
    names.set_type_(2);
    names.type__mut().set(3);
    names.set_new(4);
    assert_eq!((names.dwMagic(), names.type_(), names.new()), (0xfeed, 3, 4));
    // Whole-struct copies still carry the padding field.
    assert_eq!(names.load()._pad, [0; 4]);
    #[allow(deprecated)]
    {
        names.set_old(5);
        assert_eq!(names.old(), 5);
    }
}
