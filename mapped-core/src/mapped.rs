//! The traits tying a struct to its mapping: `Mapped`, which `#[derive(Mapped)]` implements, and
//! `Accessors`, the contract of the accessor struct it generates.

use zerocopy::KnownLayout;

use crate::field::{FieldType, RawView};
use crate::mode::Access;
use crate::shape::{HeaderSpec, Layout};

/// A `#[repr(C)]` struct that can live in a memory mapping. Implement it with `#[derive(Mapped)]`.
///
/// The zerocopy supertraits (through [`FieldType`]) prove what mapping needs: any bytes in the
/// file form a valid value (`FromBytes`), and the struct has no padding whose bytes would be
/// undefined (`IntoBytes`). The trait itself is safe to implement: the accessors it names are built
/// on this crate's bounds-checked pointers, so even a hand-written implementation cannot read out
/// of bounds.
///
/// ```
/// use mapped::{Handle, Mapped};
/// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Stats { hits: u64, misses: u32, ratio: f32 }
///
/// // Generic code can map any `Mapped` type.
/// fn zeroed<T: Mapped>() -> Result<Handle<T>, mapped::Error> {
///     Handle::<T>::anonymous()
/// }
/// # fn main() -> Result<(), mapped::Error> {
/// let stats = zeroed::<Stats>()?;
/// assert_eq!(stats.hits(), 0);
/// assert_eq!(<Stats as Mapped>::LAYOUT.fields[1].name, "misses");
/// # Ok(()) }
/// ```
///
/// A mapped type must not be aligned above 4096 bytes (the smallest page: `mmap` promises no
/// more), which every constructor checks at compile time:
///
/// ```compile_fail,E0080
/// use mapped::{Mapped, MappedVec};
/// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C, align(8192))]
/// struct Huge { words: [u64; 1024] }
///
/// // Aligned above a page: `mmap` cannot promise an aligned address, so this does not compile.
/// let log = MappedVec::<Huge>::open_or_create("huge.bin");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a mapped struct",
    label = "add `#[derive(Mapped)]` to `{Self}`"
)]
pub trait Mapped: FieldType + KnownLayout {
    /// The generated accessor struct (`StatsFields<A>` for `Stats`): one getter per field, and one
    /// setter per field where `A` is writable.
    type Fields<A: Access>: Accessors<Self, A>;

    /// The struct's layout, computed at compile time. Write `<T as Mapped>::LAYOUT`: zerocopy's
    /// `KnownLayout` has a hidden `LAYOUT` constant too.
    const LAYOUT: Layout;

    /// The file header `#[mapped(magic = ..., version = ...)]` asks for, if any.
    const HEADER: Option<HeaderSpec> = None;
}

/// The smallest page size of any platform this crate runs on: `mmap` returns addresses aligned to
/// at least this, so a type aligned to no more can always be placed at an aligned address.
pub(crate) const MIN_PAGE_SIZE: usize = 4096;

/// Fails the build (when instantiated) for a type that cannot be mapped: zero-sized (`mmap` of
/// nothing is an error) or aligned above [`MIN_PAGE_SIZE`] (`mmap` could not place it aligned).
/// See the `Mapped` docs for the error a user meets.
pub(crate) fn assert_mappable<T>() {
    const {
        assert!(
            std::mem::size_of::<T>() > 0,
            "a mapped type must not be zero-sized"
        );
        assert!(
            std::mem::align_of::<T>() <= MIN_PAGE_SIZE,
            "a mapped type must not be aligned above 4096 bytes, the smallest page: mmap could not \
             place it at an aligned address"
        );
    }
}

/// Implemented by the accessor struct `#[derive(Mapped)]` generates (`StatsFields` for `Stats`).
///
/// Building one needs a [`RawView`], which only this crate can make from a live mapping; that is
/// what makes the generated accessors safe without any `unsafe` in the generated code.
#[doc(hidden)]
pub trait Accessors<T, A>: Sized {
    fn from_raw(raw: RawView<T, A>) -> Self;
    fn raw(&self) -> &RawView<T, A>;
}
