//! Typed pointers into a live mapping: the one place where memory is read and written.
//!
//! A [`RawView`] points at a whole struct, a [`Place`] at one field. Both can only be made from a
//! live mapping (the constructors are private to this crate), and both carry the access mode, so
//! their safe methods can rely on three facts: the bytes are mapped for as long as the borrow
//! lasts, they are aligned for the pointee, and they are readable (and writable, for writable
//! modes). Every read and write is volatile: another process may change the bytes at any moment,
//! so the compiler must neither cache nor invent accesses. Values are copied out and in; no
//! `&T` to non-atomic shared memory is ever made.

use std::marker::PhantomData;
use std::mem::{align_of, size_of};
use std::ptr::NonNull;

use zerocopy::{FromBytes, IntoBytes};

use super::FieldType;
use crate::copy;
use crate::mode::{Access, AtomicField, ReadOnly, Readable, Writable};
use crate::shape::Shape;

/// Marks a pointer into a mapping: owns nothing, is neither `Send` nor `Sync` (the raw pointer),
/// and carries the access mode without requiring anything of it.
type Marker<P, A> = PhantomData<(P, fn() -> A)>;

/// A pointer to a whole mapped `T`, with access mode `A`. Generated accessor structs wrap one.
///
/// Not `Send` or `Sync`: setters take `&self` (like [`Cell`](std::cell::Cell)), so a view must
/// stay on one thread.
#[doc(hidden)]
pub struct RawView<T, A> {
    ptr: NonNull<T>,
    _marker: Marker<*mut T, A>,
}

impl<T: FieldType, A: Access> RawView<T, A> {
    /// # Safety
    /// `ptr` must be aligned for `T` and point to `size_of::<T>()` bytes that stay mapped, with at
    /// least the protection `A` grants, for as long as the `RawView` and anything borrowed from it
    /// live.
    pub(crate) unsafe fn new(ptr: NonNull<T>) -> Self {
        RawView {
            ptr,
            _marker: PhantomData,
        }
    }

    pub(crate) fn as_ptr(&self) -> *mut T {
        self.ptr.as_ptr()
    }

    /// The field of type `F` that starts `OFFSET` bytes into `T`: how generated accessors reach
    /// their field.
    ///
    /// Safe because `(F, OFFSET)` must be a field of `T`, checked at compile time against `T`'s
    /// [`FieldType::SHAPE`] (true by that `unsafe` trait's contract): a field at `OFFSET`, of
    /// `F`'s size, with the same shape as `F`. So a place can never read or write a field as
    /// another type, in particular never a plain integer over an atomic another thread may be
    /// updating (which would be a data race). It lies within `T` and is aligned, and since `T`
    /// and `F` are `FromBytes + IntoBytes`, writing an `F` there leaves a valid `T`.
    ///
    /// ```compile_fail,E0080
    /// use std::sync::atomic::AtomicU64;
    /// use mapped::__private::Accessors;
    /// use mapped::Mapped;
    /// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    ///
    /// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// #[repr(C)]
    /// struct S { c: AtomicU64 }
    ///
    /// let h = S::anonymous().unwrap();
    /// let f: &SFields<mapped::ReadWrite> = &h;
    /// f.raw().place::<u64, 0>().write(7); // a plain u64 over the atomic: does not compile
    /// ```
    pub fn place<F: FieldType, const OFFSET: usize>(&self) -> Place<'_, F, A> {
        const {
            assert!(
                OFFSET + size_of::<F>() <= size_of::<T>(),
                "field lies outside its struct"
            );
            assert!(
                OFFSET % align_of::<F>() == 0 && align_of::<F>() <= align_of::<T>(),
                "field is misaligned"
            );
            assert!(
                match T::SHAPE {
                    Shape::Struct(layout) => layout.has_field(OFFSET, size_of::<F>(), &F::SHAPE),
                    _ => false,
                },
                "no field of this type starts at this offset of the struct"
            );
        }
        // SAFETY: `OFFSET + size_of::<F>() <= size_of::<T>()` (checked above), so the result stays
        // within the struct `self.ptr` points to.
        let field = unsafe { self.ptr.cast::<u8>().add(OFFSET) };
        // SAFETY: in bounds of the mapped `T` (checked above), aligned because `T` is and
        // `OFFSET` is a multiple of `F`'s alignment, which divides `T`'s; the `Place` borrows
        // `self`, so the mapping outlives it, and it keeps mode `A`. The bytes are `T`'s field of
        // `F`'s shape (checked above against `T::SHAPE`), so the place's accesses (atomic where
        // the shape has atomics, volatile elsewhere) are the ones every other accessor of that
        // field makes: none races with another of this process.
        unsafe { Place::new(field.cast()) }
    }

    /// Field number `INDEX` of `T` (its place in `T`'s layout, which lists every field in
    /// declaration order), as an `F`: how generated accessors reach their field.
    ///
    /// The same place as [`place`](Self::place) at that field's offset, with the same checks, made
    /// at compile time against `T`'s [`FieldType::SHAPE`]: the field exists, is `F`'s size and
    /// shape, and lies aligned within `T`. Generated code passes the index as a literal, so no
    /// accessor carries a constant of its own for the compiler to check; the offset is read from
    /// the layout, computed once per struct.
    ///
    /// ```compile_fail,E0080
    /// use std::sync::atomic::AtomicU64;
    /// use mapped::__private::Accessors;
    /// use mapped::Mapped;
    /// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    ///
    /// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// #[repr(C)]
    /// struct S { c: AtomicU64 }
    ///
    /// let h = S::anonymous().unwrap();
    /// let f: &SFields<mapped::ReadWrite> = &h;
    /// f.raw().field::<u64, 0>().write(7); // a plain u64 over the atomic: does not compile
    /// ```
    pub fn field<F: FieldType, const INDEX: usize>(&self) -> Place<'_, F, A> {
        let offset = const {
            let field = match T::SHAPE {
                Shape::Struct(layout) if INDEX < layout.fields.len() => &layout.fields[INDEX],
                _ => panic!("the struct has no field of this index"),
            };
            assert!(
                field.size == size_of::<F>() && field.shape.same_as(&F::SHAPE),
                "the field of this index is not of this type"
            );
            assert!(
                field.offset + size_of::<F>() <= size_of::<T>(),
                "field lies outside its struct"
            );
            assert!(
                field.offset % align_of::<F>() == 0 && align_of::<F>() <= align_of::<T>(),
                "field is misaligned"
            );
            field.offset
        };
        // SAFETY: `offset + size_of::<F>() <= size_of::<T>()` (checked above), so the result
        // stays within the struct `self.ptr` points to.
        let field = unsafe { self.ptr.cast::<u8>().add(offset) };
        // SAFETY: as for `place`: in bounds, aligned (`offset` is a multiple of `F`'s alignment,
        // which divides `T`'s), borrowed from `self` with mode `A`, and the bytes are `T`'s field
        // of `F`'s size and shape (checked above against `T::SHAPE`), so its accesses are the ones
        // every other accessor of that field makes.
        unsafe { Place::new(field.cast()) }
    }

    /// Copies the whole struct out of the mapping (atomic fields atomically).
    pub fn load(&self) -> T
    where
        A: Readable,
    {
        // SAFETY: `ptr` is aligned, mapped and readable (`A: Readable`) for the life of `self`.
        // Within this process only atomic fields can be accessed concurrently (a handle is not
        // `Sync`, atomics are), and `copy::read` reads those atomically. `T: FromBytes`, so
        // whatever bytes another process left there form a valid `T`.
        unsafe { read_value(self.ptr.as_ptr()) }
    }

    /// Copies `value` into the mapping (atomic fields atomically).
    pub fn store(&self, value: &T)
    where
        A: Writable,
    {
        // SAFETY: aligned, mapped and writable (`A: Writable`); as for `load`, only atomic fields
        // can be accessed concurrently by this process, and `copy::write` writes those atomically.
        unsafe { write_value(self.ptr.as_ptr(), value) }
    }
}

/// One field of a mapped struct, borrowed from its view for `'a`.
///
/// [`FieldType`](crate::FieldType) implementations turn a `Place` into what a getter returns.
pub struct Place<'a, F, A> {
    ptr: NonNull<F>,
    _marker: Marker<(&'a (), *mut F), A>,
}

impl<'a, F: FromBytes + IntoBytes, A: Access> Place<'a, F, A> {
    /// # Safety
    /// As for [`RawView::new`], for an `F`, for `'a`.
    pub(crate) unsafe fn new(ptr: NonNull<F>) -> Self {
        Place {
            ptr,
            _marker: PhantomData,
        }
    }

    /// The field's address, for a type made of atomics alone (a `Seqlock`), which may be
    /// referenced while other threads and processes change it.
    pub(crate) fn as_non_null(&self) -> NonNull<F> {
        self.ptr
    }

    /// A shorter-lived copy of this place.
    pub fn reborrow(&self) -> Place<'_, F, A> {
        // SAFETY: the same pointer, for a lifetime within `'a`, with the same mode.
        unsafe { Place::new(self.ptr) }
    }

    /// Copies the value out of the mapping (volatile reads; atomic fields atomically).
    pub fn read(&self) -> F
    where
        A: Readable,
        F: FieldType,
    {
        // SAFETY: aligned, mapped and readable for `'a` (the type's invariant); only atomic parts
        // can be accessed concurrently by this process, and `copy::read` reads those atomically.
        // Any bytes are a valid `F` because `F: FromBytes`.
        unsafe { read_value(self.ptr.as_ptr()) }
    }

    /// Copies `value` into the mapping (volatile writes; atomic fields atomically).
    pub fn write(&self, value: F)
    where
        A: Writable,
        F: FieldType,
    {
        // SAFETY: aligned, mapped and writable for `'a` (the type's invariant and `A: Writable`);
        // only atomic parts can be accessed concurrently by this process, and `copy::write` writes
        // those atomically. `F: IntoBytes` writes no uninitialized byte, and the enclosing struct
        // is `FromBytes`, so it stays valid whatever `F` holds. `value` is dropped afterwards as
        // any local is; the mapping holds a bitwise copy that is never dropped.
        unsafe { write_value(self.ptr.as_ptr(), &value) }
    }

    /// The same place, seen read-only: backs the getter of a `#[mapped(readonly)]` field.
    pub fn into_read_only(self) -> Place<'a, F, ReadOnly>
    where
        A: Readable,
    {
        // SAFETY: the same pointer and lifetime; `A: Readable`, so the bytes grant at least what
        // `ReadOnly` needs.
        unsafe { Place::new(self.ptr) }
    }

    /// A reference to an atomic field, as the mode allows it to be seen.
    pub fn into_atomic(self) -> A::Atomic<'a, F>
    where
        A: Readable,
        F: AtomicField,
    {
        // SAFETY: aligned and mapped for `'a`. An atomic is an `UnsafeCell`, so a shared
        // reference to it tolerates concurrent changes by other processes. Where the mapping is
        // read-only, `A::atomic` wraps it in `ReadOnlyAtomic`, which can only load.
        let atomic: &'a F = unsafe { self.ptr.as_ref() };
        A::atomic(atomic)
    }

    /// A reference to an atomic field of a writable mapping.
    pub fn into_writable_atomic(self) -> &'a F
    where
        A: Writable,
        F: AtomicField,
    {
        // SAFETY: aligned and mapped for `'a`, and writable (`A: Writable`), so every operation of
        // the atomic is allowed; an atomic is an `UnsafeCell`, so a shared reference tolerates
        // concurrent changes by other processes.
        unsafe { self.ptr.as_ref() }
    }

    /// The same pointer as a [`RawView`], for a nested struct's view (`crate::view`).
    ///
    /// # Safety
    /// The `RawView` keeps this place's pointer and mode but not its lifetime: it must not be used
    /// after `'a`.
    pub(crate) unsafe fn into_raw(self) -> RawView<F, A> {
        RawView {
            ptr: self.ptr,
            _marker: PhantomData,
        }
    }
}

impl<'a, E: FromBytes + IntoBytes, const N: usize, A: Access> Place<'a, [E; N], A> {
    /// The array's element `index`, or `None` past its end.
    pub fn element(self, index: usize) -> Option<Place<'a, E, A>> {
        if index >= N {
            return None;
        }
        // SAFETY: `index < N`, so the element lies within the array.
        let element = unsafe { self.ptr.cast::<E>().add(index) };
        // SAFETY: an array element inherits the array's alignment, mapping, mode and lifetime.
        Some(unsafe { Place::new(element) })
    }
}

/// Reads an `F` from `src`: one volatile read of the whole value when `F` holds no atomic (decided
/// at compile time, from `F::SHAPE`), else leaf by leaf with its atomics read atomically.
///
/// # Safety
/// `src` must be aligned and valid for reads of an `F` for the duration of the call, and its
/// non-atomic bytes must not be written concurrently by this process.
#[inline(always)]
unsafe fn read_value<F: FieldType>(src: *const F) -> F {
    if const { !F::SHAPE.has_atomics() } {
        // SAFETY: aligned and readable (the caller); with no atomics in `F`, no byte of it is
        // written concurrently by this process (the caller's guarantee), so a volatile read races
        // with nothing of ours.
        return unsafe { src.read_volatile() };
    }
    // SAFETY: the caller's guarantees, and `F::SHAPE` places every atomic of `F` (the contract of
    // the `unsafe trait FieldType`).
    unsafe { copy::read(src, &F::SHAPE) }
}

/// Writes a copy of `*value` to `dst`, whole or leaf by leaf as for [`read_value`].
///
/// # Safety
/// `dst` must be aligned and valid for writes of an `F` for the duration of the call, must not
/// overlap `value`, and its non-atomic bytes must not be accessed concurrently by this process.
#[inline(always)]
unsafe fn write_value<F: FieldType>(dst: *mut F, value: &F) {
    const {
        assert!(
            !F::SHAPE.has_seqlock(),
            "this whole-value write would overwrite a `Seqlock` behind its protocol's back: write \
             the struct field by field, each `Seqlock` field with its setter or `write`"
        );
    }
    if const { !F::SHAPE.has_atomics() } {
        // SAFETY: `dst` is aligned and writable (the caller). `F` has no atomics, so `*value` has
        // no interior mutability and `ptr::read` races with nothing; the bitwise copy is moved
        // into the mapping and never dropped, so no destructor runs twice. `F: IntoBytes`: every
        // byte written is initialized.
        unsafe { dst.write_volatile(std::ptr::read(value)) };
        return;
    }
    // SAFETY: the caller's guarantees; `F::SHAPE` places every atomic of `F` (`FieldType`'s
    // contract), and `F: IntoBytes` leaves no byte uninitialized.
    unsafe { copy::write(dst, value, &F::SHAPE) }
}
