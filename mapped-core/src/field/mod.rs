//! What each field type's accessors return: values for scalars, references for atomics, views for
//! nested structs.

use std::fmt;
use std::num::Wrapping;

use zerocopy::byteorder::{ByteOrder, Order, F32, F64, I128, I16, I32, I64, U128, U16, U32, U64};
use zerocopy::{FromBytes, IntoBytes};

use crate::error::Error;
use crate::mode::{AtomicField, Readable, Writable};
use crate::shape::Shape;

mod access;
mod place;

pub use access::{get, get_mut, get_read_only, set};
pub use place::{Place, RawView};

/// A type that can be a field of a mapped struct, and how its accessors treat it.
///
/// For a field `f: F`, the derive generates `f() -> F::Get`, `set_f(F::Value)` and
/// `f_mut() -> F::Mut`:
///
/// | field type | `f()` returns | `set_f` takes | `f_mut()` returns |
/// |---|---|---|---|
/// | integers, `f32`, `f64`, `Wrapping<u32>` and the other wrapping integers | the value | the value | [`FieldMut`] |
/// | zerocopy byte-order integers (`U32<LittleEndian>`) | the native value | the native value | [`FieldMut`] |
/// | `AtomicU64` and the other atomic integers | `&AtomicU64` (read-only: [`&ReadOnlyAtomic`](crate::ReadOnlyAtomic)) | the value, stored `SeqCst` | `&AtomicU64` |
/// | a struct deriving `Mapped` | a read-only [`View`](crate::View) | the struct | a writable `View` |
/// | `[E; N]` | the whole array | the whole array | [`ArrayMut`] |
/// | [`Seqlock<T>`](crate::Seqlock) | a [`SeqlockRef`](crate::SeqlockRef): `read`, and `write`/`update` where writable | a `T`, written through the seqlock's protocol | a `SeqlockRef` |
///
/// Array fields also get `f_at(i)` and `set_f_at(i, v)`, bounds-checked.
///
/// # Safety
/// [`SHAPE`](Self::SHAPE) must describe `Self` truthfully where it matters for soundness: every
/// atomic in `Self` must appear as a [`Shape::Atomic`] leaf at its offset (through
/// [`Shape::Struct`] layouts and [`Shape::Array`] elements), or lie inside a
/// [`Seqlock`](crate::Seqlock)'s layout, which whole-value copies move as atomic words; because
/// values without atomic leaves are copied with plain volatile accesses, which may not race with
/// atomic ones.
/// `#[derive(Mapped)]` implements it by building the shape from each field's own `SHAPE` at its
/// `offset_of!`, which is true by construction; this crate implements it for the scalar, atomic,
/// byte-order and array types.
///
/// ```
/// use mapped::Mapped;
/// use zerocopy::byteorder::{BigEndian, U32};
/// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Packet { length: U32<BigEndian>, tag: [u8; 4] }
///
/// # fn main() -> Result<(), mapped::Error> {
/// let packet = Packet::anonymous()?;
/// packet.set_length(258);                 // stored big-endian
/// assert_eq!(packet.length(), 258);       // read back as a native u32
/// assert_eq!(packet.load().length.as_bytes(), &[0, 0, 1, 2]);
/// packet.set_tag_at(0, b'M')?;
/// assert_eq!(packet.tag_at(0), Some(b'M'));
/// assert!(packet.tag_at(4).is_none());
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a field of a mapped struct",
    label = "not a mapped field type",
    note = "fields may be integers, floats, zerocopy byte-order integers, atomic integers, arrays of these, or structs deriving `Mapped`; pointer-sized integers and pointers cannot be shared through a file"
)]
pub unsafe trait FieldType: FromBytes + IntoBytes + Sized {
    /// What the type is, for [`Layout`](crate::Layout) and [`c_header`](crate::c_header).
    const SHAPE: Shape;

    /// What the setter takes.
    type Value;
    /// What the getter returns on a handle with mode `A`.
    type Get<'a, A: Readable>
    where
        Self: 'a;
    /// What `f_mut()` returns on a handle with writable mode `A`.
    type Mut<'a, A: Writable>
    where
        Self: 'a;

    /// Reads the field.
    fn get<A: Readable>(place: Place<'_, Self, A>) -> Self::Get<'_, A>;
    /// Writes the field.
    fn set<A: Writable>(place: Place<'_, Self, A>, value: Self::Value);
    /// Borrows the field for writing.
    fn get_mut<A: Writable>(place: Place<'_, Self, A>) -> Self::Mut<'_, A>;
}

/// A field read and written by value; the target of [`FieldMut`].
pub trait Scalar: FieldType {
    /// Converts the stored form to the value accessors deal in.
    fn to_value(self) -> Self::Value;
    /// Converts a value to its stored form.
    fn from_value(value: Self::Value) -> Self;
}

/// Write access to one scalar field, from `f_mut()`.
///
/// ```
/// # use mapped::Mapped;
/// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Stats { hits: u64 }
///
/// # fn main() -> Result<(), mapped::Error> {
/// let stats = Stats::anonymous()?;
/// let hits = stats.hits_mut();
/// hits.set(41);
/// hits.update(|n| n + 1);
/// assert_eq!(stats.hits(), 42);
/// # Ok(()) }
/// ```
pub struct FieldMut<'a, F, A> {
    place: Place<'a, F, A>,
}

impl<F: Scalar, A: Writable> FieldMut<'_, F, A> {
    /// Reads the value.
    pub fn get(&self) -> F::Value {
        self.place.read().to_value()
    }

    /// Writes `value`.
    pub fn set(&self, value: F::Value) {
        self.place.write(F::from_value(value))
    }

    /// Reads, applies `f`, writes back. Not atomic: another process may write in between.
    pub fn update(&self, f: impl FnOnce(F::Value) -> F::Value) {
        self.set(f(self.get()))
    }
}

impl<F: Scalar, A: Writable> fmt::Debug for FieldMut<'_, F, A>
where
    F::Value: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("FieldMut").field(&self.get()).finish()
    }
}

macro_rules! scalar_fields {
    ($($ty:ty => $shape:ident),* $(,)?) => {$(
        // SAFETY: a primitive number holds no atomic; its shape is a single non-atomic leaf.
        unsafe impl FieldType for $ty {
            const SHAPE: Shape = Shape::$shape { bytes: std::mem::size_of::<$ty>() };
            type Value = $ty;
            type Get<'a, A: Readable> = $ty;
            type Mut<'a, A: Writable> = FieldMut<'a, $ty, A>;

            #[inline(always)]
            fn get<A: Readable>(place: Place<'_, Self, A>) -> $ty {
                place.read()
            }
            #[inline(always)]
            fn set<A: Writable>(place: Place<'_, Self, A>, value: $ty) {
                place.write(value)
            }
            fn get_mut<A: Writable>(place: Place<'_, Self, A>) -> FieldMut<'_, $ty, A> {
                FieldMut { place }
            }
        }

        impl Scalar for $ty {
            fn to_value(self) -> $ty {
                self
            }
            fn from_value(value: $ty) -> $ty {
                value
            }
        }
    )*};
}

scalar_fields!(
    u8 => Unsigned,
    i8 => Signed,
    u16 => Unsigned,
    i16 => Signed,
    u32 => Unsigned,
    i32 => Signed,
    u64 => Unsigned,
    i64 => Signed,
    u128 => Unsigned,
    i128 => Signed,
    f32 => Float,
    f64 => Float,
);

// `Wrapping<T>` is `repr(transparent)` over `T`: the same bytes, shape and fingerprint as `T`, so a
// field can change between them without orphaning its files. Accessors deal in `Wrapping<T>`.
scalar_fields!(
    Wrapping<u8> => Unsigned,
    Wrapping<i8> => Signed,
    Wrapping<u16> => Unsigned,
    Wrapping<i16> => Signed,
    Wrapping<u32> => Unsigned,
    Wrapping<i32> => Signed,
    Wrapping<u64> => Unsigned,
    Wrapping<i64> => Signed,
    Wrapping<u128> => Unsigned,
    Wrapping<i128> => Signed,
);

macro_rules! byte_order_fields {
    ($($ty:ident($native:ty)),* $(,)?) => {$(
        // SAFETY: a byte-order integer is a byte array: no atomic; its shape is one leaf.
        unsafe impl<O: ByteOrder> FieldType for $ty<O> {
            const SHAPE: Shape = Shape::ByteOrder {
                value: &<$native as FieldType>::SHAPE,
                big_endian: matches!(O::ORDER, Order::BigEndian),
            };
            type Value = $native;
            type Get<'a, A: Readable> = $native where O: 'a;
            type Mut<'a, A: Writable> = FieldMut<'a, $ty<O>, A> where O: 'a;

            #[inline(always)]
            fn get<A: Readable>(place: Place<'_, Self, A>) -> $native {
                place.read().get()
            }
            #[inline(always)]
            fn set<A: Writable>(place: Place<'_, Self, A>, value: $native) {
                place.write($ty::new(value))
            }
            fn get_mut<A: Writable>(place: Place<'_, Self, A>) -> FieldMut<'_, $ty<O>, A> {
                FieldMut { place }
            }
        }

        impl<O: ByteOrder> Scalar for $ty<O> {
            fn to_value(self) -> $native {
                self.get()
            }
            fn from_value(value: $native) -> Self {
                $ty::new(value)
            }
        }
    )*};
}

byte_order_fields!(
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    U64(u64),
    I64(i64),
    U128(u128),
    I128(i128),
    F32(f32),
    F64(f64),
);

macro_rules! atomic_fields {
    ($($ty:ident($native:ty)),* $(,)?) => {$(
        // SAFETY: the shape is one atomic leaf covering the whole value, which is the atomic.
        unsafe impl FieldType for std::sync::atomic::$ty {
            const SHAPE: Shape = Shape::Atomic { value: &<$native as FieldType>::SHAPE };
            type Value = <Self as AtomicField>::Value;
            type Get<'a, A: Readable> = A::Atomic<'a, Self>;
            type Mut<'a, A: Writable> = &'a Self;

            #[inline(always)]
            fn get<A: Readable>(place: Place<'_, Self, A>) -> A::Atomic<'_, Self> {
                place.into_atomic()
            }
            fn set<A: Writable>(place: Place<'_, Self, A>, value: Self::Value) {
                place.into_writable_atomic().store(value, std::sync::atomic::Ordering::SeqCst)
            }
            #[inline(always)]
            fn get_mut<A: Writable>(place: Place<'_, Self, A>) -> &Self {
                place.into_writable_atomic()
            }
        }
    )*};
}

atomic_fields!(
    AtomicU8(u8),
    AtomicI8(i8),
    AtomicU16(u16),
    AtomicI16(i16),
    AtomicU32(u32),
    AtomicI32(i32),
    AtomicU64(u64),
    AtomicI64(i64),
);

// SAFETY: an array is `N` elements of `E` at multiples of `size_of::<E>()`, exactly what
// `Shape::Array` says; each element's atomics are described by `E::SHAPE`, true by `E`'s contract.
unsafe impl<E: FieldType, const N: usize> FieldType for [E; N] {
    const SHAPE: Shape = Shape::Array {
        element: &E::SHAPE,
        len: N,
    };

    type Value = [E; N];
    type Get<'a, A: Readable>
        = [E; N]
    where
        E: 'a;
    type Mut<'a, A: Writable>
        = ArrayMut<'a, E, N, A>
    where
        E: 'a;

    #[inline(always)]
    fn get<A: Readable>(place: Place<'_, Self, A>) -> [E; N] {
        place.read()
    }
    #[inline(always)]
    fn set<A: Writable>(place: Place<'_, Self, A>, value: [E; N]) {
        place.write(value)
    }
    fn get_mut<A: Writable>(place: Place<'_, Self, A>) -> ArrayMut<'_, E, N, A> {
        ArrayMut { place }
    }
}

/// Write access to an array field, element by element, from `f_mut()`.
///
/// ```
/// # use mapped::Mapped;
/// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Histogram { buckets: [u32; 4] }
///
/// # fn main() -> Result<(), mapped::Error> {
/// let h = Histogram::anonymous()?;
/// let buckets = h.buckets_mut();
/// buckets.set(2, 7)?;
/// assert_eq!(buckets.get(2), Some(7));
/// assert!(buckets.set(4, 1).is_err());
/// assert_eq!(h.buckets(), [0, 0, 7, 0]);
/// # Ok(()) }
/// ```
pub struct ArrayMut<'a, E, const N: usize, A> {
    place: Place<'a, [E; N], A>,
}

impl<E: FieldType, const N: usize, A: Writable> ArrayMut<'_, E, N, A> {
    fn element(&self, index: usize) -> Option<Place<'_, E, A>> {
        self.place.reborrow().element(index)
    }

    /// The number of elements, `N`.
    pub fn len(&self) -> usize {
        N
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        N == 0
    }

    /// Element `index` as its getter would return it, or `None` past the end.
    pub fn get(&self, index: usize) -> Option<E::Get<'_, A>> {
        self.element(index).map(E::get)
    }

    /// Element `index` for writing, or `None` past the end.
    pub fn get_mut(&self, index: usize) -> Option<E::Mut<'_, A>> {
        self.element(index).map(E::get_mut)
    }

    /// Writes element `index`.
    ///
    /// # Errors
    /// [`Error::IndexOutOfBounds`] if `index >= N`; nothing is written.
    pub fn set(&self, index: usize, value: E::Value) -> Result<(), Error> {
        let element = self
            .element(index)
            .ok_or(Error::IndexOutOfBounds { index, len: N })?;
        E::set(element, value);
        Ok(())
    }

    /// Copies the whole array out.
    pub fn load(&self) -> [E; N] {
        self.place.read()
    }

    /// Writes the whole array.
    pub fn store(&self, value: [E; N]) {
        self.place.write(value)
    }
}

impl<E: FieldType, const N: usize, A: Writable> fmt::Debug for ArrayMut<'_, E, N, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArrayMut")
            .field("element", &std::any::type_name::<E>())
            .field("len", &N)
            .finish()
    }
}

impl<'a, E: FieldType, const N: usize, A: Readable> Place<'a, [E; N], A> {
    /// Element `index` as its getter returns it, or `None` past the end; backs `f_at(i)`.
    pub fn get_element(self, index: usize) -> Option<E::Get<'a, A>> {
        self.element(index).map(E::get)
    }
}

impl<E: FieldType, const N: usize, A: Writable> Place<'_, [E; N], A> {
    /// Writes element `index`; backs `set_f_at(i, v)`.
    ///
    /// # Errors
    /// [`Error::IndexOutOfBounds`] if `index >= N`; nothing is written.
    pub fn set_element(self, index: usize, value: E::Value) -> Result<(), Error> {
        let element = self
            .element(index)
            .ok_or(Error::IndexOutOfBounds { index, len: N })?;
        E::set(element, value);
        Ok(())
    }
}
