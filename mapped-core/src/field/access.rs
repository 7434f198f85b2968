//! The bodies of the accessors `#[derive(Mapped)]` generates: each generated method is one call of
//! these with the field's type and index, so that the compiler checks one short body per method
//! (a path call, no method lookup) and the work is written here once.

use super::{FieldType, RawView};
use crate::mode::{ReadOnly, Readable, Writable};

/// Reads field number `INDEX` of `T`, an `F`: the body of getter `f()`.
///
/// ```
/// use mapped::Mapped;
/// use mapped::__private::Accessors;
/// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct S { a: u32, b: u32 }
///
/// let s = S::anonymous().unwrap();
/// s.set_b(7);
/// assert_eq!(mapped::__private::get::<u32, 1, _, _>(s.raw()), 7);
/// ```
#[doc(hidden)]
#[inline(always)]
pub fn get<F: FieldType, const INDEX: usize, T: FieldType, A: Readable>(
    raw: &RawView<T, A>,
) -> F::Get<'_, A> {
    F::get(raw.field::<F, INDEX>())
}

/// Reads field number `INDEX` of `T` through a read-only place: the getter of a
/// `#[mapped(readonly)]` field, so that even an atomic cannot be stored to.
#[doc(hidden)]
#[inline(always)]
pub fn get_read_only<F: FieldType, const INDEX: usize, T: FieldType, A: Readable>(
    raw: &RawView<T, A>,
) -> F::Get<'_, ReadOnly> {
    F::get(raw.field::<F, INDEX>().into_read_only())
}

/// Writes field number `INDEX` of `T`: the body of setter `set_f(value)`.
#[doc(hidden)]
#[inline(always)]
pub fn set<F: FieldType, const INDEX: usize, T: FieldType, A: Writable>(
    raw: &RawView<T, A>,
    value: F::Value,
) {
    F::set(raw.field::<F, INDEX>(), value)
}

/// Borrows field number `INDEX` of `T` for writing: the body of `f_mut()`.
#[doc(hidden)]
#[inline(always)]
pub fn get_mut<F: FieldType, const INDEX: usize, T: FieldType, A: Writable>(
    raw: &RawView<T, A>,
) -> F::Mut<'_, A> {
    F::get_mut(raw.field::<F, INDEX>())
}
