//! Borrowed views of nested structs: what a nested struct's getter returns.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use crate::field::{Place, RawView};
use crate::mapped::{Accessors, Mapped};
use crate::mode::{Access, ReadOnly, Readable, Writable};

/// The bodies of the derive's `FieldType` impl for a nested struct.
///
/// Bounded by `T: Mapped` alone, which the derive's own impl satisfies even when the struct fails
/// a zerocopy bound (padding makes it not `IntoBytes`): the user then sees zerocopy's error about
/// the struct, not one error per generated method about `Place`'s bounds.
#[doc(hidden)]
pub mod nested {
    use super::*;

    #[inline(always)]
    pub fn get<T: Mapped, A: Readable>(place: Place<'_, T, A>) -> View<'_, T, ReadOnly> {
        place.into_read_view()
    }

    #[inline(always)]
    pub fn set<T: Mapped, A: Writable>(place: Place<'_, T, A>, value: T) {
        place.write(value)
    }

    #[inline(always)]
    pub fn get_mut<T: Mapped, A: Writable>(place: Place<'_, T, A>) -> View<'_, T, A> {
        place.into_view()
    }
}

impl<'a, F: Mapped, A: Access> Place<'a, F, A> {
    /// A view of a nested mapped struct, with the same mode.
    pub fn into_view(self) -> View<'a, F, A> {
        // SAFETY: the place's pointer satisfies `RawView::new`'s contract for `'a` (a `Place`'s
        // invariants are a `RawView`'s), and the view borrows for `'a`, so the `RawView` is not
        // used after it.
        unsafe { View::new(self.into_raw()) }
    }

    /// A read-only view of a nested mapped struct.
    pub fn into_read_view(self) -> View<'a, F, ReadOnly>
    where
        A: Readable,
    {
        // SAFETY: as for `into_view`; `A: Readable`, so the bytes grant at least what `ReadOnly`
        // needs.
        unsafe { View::new(self.into_read_only().into_raw()) }
    }
}

/// A nested mapped struct, borrowed from the handle (or view) it lives in.
///
/// `View<'a, Point, ReadOnly>` is what a getter like `body.pos()` returns; `pos_mut()` returns one
/// with the handle's writable mode. It dereferences to the generated accessors (`PointFields`), and
/// cannot outlive the mapping:
///
/// ```compile_fail,E0505
/// use mapped::Mapped;
/// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Point { x: f64, y: f64 }
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Body { pos: Point }
///
/// let body = Body::anonymous().unwrap();
/// let pos = body.pos();
/// drop(body); // munmap: `pos` still borrows the handle, so this does not compile
/// println!("{}", pos.x());
/// ```
pub struct View<'a, T: Mapped, A: Access> {
    fields: T::Fields<A>,
    _borrow: PhantomData<&'a ()>,
}

impl<'a, T: Mapped, A: Access> View<'a, T, A> {
    /// # Safety
    /// `raw` must satisfy [`RawView::new`]'s contract for `'a`.
    pub(crate) unsafe fn new(raw: RawView<T, A>) -> Self {
        View {
            fields: T::Fields::<A>::from_raw(raw),
            _borrow: PhantomData,
        }
    }
}

impl<T: Mapped, A: Readable> Deref for View<'_, T, A> {
    type Target = T::Fields<A>;

    fn deref(&self) -> &T::Fields<A> {
        &self.fields
    }
}

impl<T: Mapped, A: Access> fmt::Debug for View<'_, T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("View")
            .field("type", &std::any::type_name::<T>())
            .field("mode", &std::any::type_name::<A>())
            .field("address", &self.fields.raw().as_ptr())
            .finish()
    }
}
