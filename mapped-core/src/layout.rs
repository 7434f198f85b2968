//! The `Mapped` trait: what `#[derive(Mapped)]` implements.

use zerocopy::{FromBytes, IntoBytes, KnownLayout};

use crate::mode::Access;
use crate::view::Accessors;

/// A `#[repr(C)]` struct that can live in a memory mapping. Implement it with `#[derive(Mapped)]`.
///
/// The zerocopy supertraits prove what mapping needs: any bytes in the file form a valid value
/// (`FromBytes`), and the struct has no padding whose bytes would be undefined (`IntoBytes`).
/// The trait itself is safe to implement: the accessors it names are built on this crate's
/// bounds-checked pointers, so even a hand-written implementation cannot read out of bounds.
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
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a mapped struct",
    label = "add `#[derive(Mapped)]` to `{Self}`"
)]
pub trait Mapped: FromBytes + IntoBytes + KnownLayout + Sized {
    /// The generated accessor struct (`StatsFields<A>` for `Stats`): one getter per field, and one
    /// setter per field where `A` is writable.
    type Fields<A: Access>: Accessors<Self, A>;
}
