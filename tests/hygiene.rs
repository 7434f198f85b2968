//! The generated code names everything by absolute path: it compiles without the prelude, next to
//! user types that shadow the names it uses, and without a single warning.
#![deny(warnings, missing_docs)]
// The generated `unsafe impl` must not trip a crate's own ban on unsafe code.
#![forbid(unsafe_code)]

/// Public, so `missing_docs` checks every generated public item.
pub mod shadowed {
    #![no_implicit_prelude]

    /// Shadows `Option`, which the generated code must not pick up by accident; and so on.
    pub struct Option;
    /// Shadows `Result`.
    pub struct Result;
    /// Shadows `Path`.
    pub struct Path;
    /// Shadows `mapped::Error`.
    pub struct Error;
    /// Shadows `mapped::Handle`.
    pub struct Handle;
    /// Shadows `mapped::Field`.
    pub struct Field;
    /// Shadows `mapped::View`.
    pub struct View;
    /// Shadows `AsRef`.
    pub trait AsRef {}
    /// Shadows the crate names with modules.
    pub mod mapped {}
    /// Shadows `core`.
    pub mod core {}

    /// Nested in `Outer`.
    #[derive(
        ::mapped::Mapped, ::zerocopy::FromBytes, ::zerocopy::IntoBytes, ::zerocopy::KnownLayout,
    )]
    #[repr(C)]
    pub struct Inner {
        /// A.
        pub a: u32,
        /// B.
        pub b: [u8; 4],
    }

    /// Holds one of everything.
    #[derive(
        ::mapped::Mapped, ::zerocopy::FromBytes, ::zerocopy::IntoBytes, ::zerocopy::KnownLayout,
    )]
    #[repr(C)]
    pub struct Outer {
        /// The inner struct.
        pub inner: Inner,
        /// A counter.
        pub count: ::core::sync::atomic::AtomicU32,
        /// A raw identifier.
        pub r#type: u32,
    }
}

#[test]
fn generated_code_works_without_the_prelude() {
    let outer = shadowed::Outer::anonymous().unwrap();
    outer.inner_mut().set_a(7);
    outer.set_type(3);
    outer.inner_mut().set_b_at(3, 9).unwrap();
    assert_eq!(outer.inner().a(), 7);
    assert_eq!(outer.r#type(), 3);
    assert_eq!(outer.inner().b_at(3), Some(9));
    assert_eq!(outer.count().load(std::sync::atomic::Ordering::SeqCst), 0);
}
