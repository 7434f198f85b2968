//! `Seqlock<T>`: a field whose readers always get one whole value some writer wrote, across
//! processes, without waiting for writers, and whatever happens to a writer.
//!
//! The parts: the storage type and its layout (`layout`), the data protocol (`latch`), and the
//! writer lock that survives its owner's death (`lock`).

use std::fmt;
use std::marker::PhantomData;
use std::mem::size_of;
use std::sync::atomic::AtomicU64;

use zerocopy::{FromBytes, IntoBytes, KnownLayout};

use crate::field::{FieldType, Place};
use crate::mode::{Readable, Writable};
use crate::shape::Shape;

mod latch;
mod layout;
mod lock;

pub use latch::words_for as seqlock_words;

/// A value shared by processes that is always read whole: readers get exactly what one `write`
/// wrote, never a mix of two, without ever waiting for a writer.
///
/// Writers take a lock shared by every process mapping the field, so they take turns, and a
/// writer killed at any moment, even half-way through a value, blocks no reader, shows none a
/// torn value, and leaves the lock to the next writer. The value is kept twice (Linux's
/// `seqcount_latch`): a writer fills the spare copy, flips the sequence number to make it the
/// live one, then updates the other; readers copy the live one and check the sequence did not
/// move meanwhile. Every access is an atomic word access, so no access races a non-atomic one.
///
/// `T` is a `#[derive(Mapped)]` struct (the derive implements [`SeqlockValue`] for it) or a
/// number (`u8` to `u64`, `i8` to `i64`, `f32`, `f64`), aligned to at most 8 bytes and holding no
/// atomic. The accessors of a `Seqlock<T>` field `f` are `f()` and `f_mut()`, which return a
/// [`SeqlockRef`] ([`read`](SeqlockRef::read) in every mode, [`write`](SeqlockRef::write) and
/// [`update`](SeqlockRef::update) in writable ones), and `set_f(value)`, a `write`.
///
/// ```
/// use std::sync::atomic::AtomicU64;
/// use mapped::{Mapped, Seqlock};
/// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, PartialEq)]
/// #[repr(C)]
/// struct Book { bid: u64, ask: u64, bid_size: u32, ask_size: u32 }
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// #[mapped(magic = b"QUOTES\0\0", version = 1)]
/// struct Quotes { book: Seqlock<Book>, updates: AtomicU64 }
///
/// # fn main() -> Result<(), mapped::Error> {
/// # let dir = tempfile::tempdir().unwrap();
/// # let path = dir.path().join("quotes.bin");
/// let q = Quotes::open_or_create(&path)?;
/// q.book().write(&Book { bid: 100, ask: 101, bid_size: 5, ask_size: 7 }); // any process
/// q.book().update(|b| b.bid += 1);        // read-modify-write under the writer lock
/// let b: Book = q.book().read();          // one whole value some writer wrote
/// assert_eq!(b, Book { bid: 101, ask: 101, bid_size: 5, ask_size: 7 });
///
/// let reader = Quotes::open_read_only(&path)?;
/// assert_eq!(reader.book().read().bid, 101); // read-only handles read, never write
/// # Ok(()) }
/// ```
///
/// A read-only handle has `read` only:
///
/// ```compile_fail,E0599
/// # use mapped::{Mapped, Seqlock};
/// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
/// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// # #[repr(C)]
/// # struct Quotes { bid: Seqlock<u64> }
/// let reader = Quotes::open_read_only("quotes.bin").unwrap();
/// reader.bid().write(&1); // no writer on a read-only mapping
/// ```
///
/// and nothing writes a `Seqlock` behind its protocol's back: a struct holding one has no usable
/// whole-struct `store` (nor does a struct nesting one, or an array of them, have a whole-value
/// setter), which would overwrite the lock and both copies at once:
///
/// ```compile_fail,E0080
/// # use mapped::{Mapped, Seqlock};
/// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
/// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// # #[repr(C)]
/// # struct Quotes { bid: Seqlock<u64>, ask: u64 }
/// let q = Quotes::anonymous().unwrap();
/// let copy = q.load();
/// q.store(&copy); // would bypass the seqlock: does not compile
/// ```
///
/// The same holds for records: a `MappedVec` of them has no usable `push`.
///
/// ```compile_fail,E0080
/// # use mapped::{Mapped, MappedVec, Seqlock};
/// # use zerocopy::FromZeros;
/// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
/// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// # #[repr(C)]
/// # struct Quote { bid: Seqlock<u64> }
/// let mut quotes = MappedVec::<Quote>::open_or_create("quotes.bin").unwrap();
/// quotes.push(Quote::new_zeroed()).unwrap(); // would bypass the seqlock: does not compile
/// ```
///
/// The layout is fixed and documented (`docs/file-formats.md` in the repository, with the
/// protocol a C program follows): a `Seqlock<T>` is the struct
/// `{ sequence: AtomicU64, lock: AtomicU64, copy0: T, copy1: T }` (each copy padded with
/// `pad0`/`pad1` bytes to a multiple of 8), named `Seqlock_<T>`, in [`Mapped::LAYOUT`],
/// schemas and [`c_header`](crate::c_header).
///
/// [`Mapped::LAYOUT`]: crate::Mapped::LAYOUT
#[derive(FromBytes, IntoBytes, KnownLayout)]
#[repr(transparent)]
pub struct Seqlock<T: SeqlockValue>(T::Words, PhantomData<T>);

/// A type a [`Seqlock`] can hold: implemented by `#[derive(Mapped)]` for every struct, and here
/// for the integers of up to 8 bytes, `f32` and `f64`.
///
/// Its items are for the derive. A `Seqlock<T>` checks at compile time that `T` is aligned to at
/// most 8 bytes, holds no atomic, and that `Words` is its storage.
pub trait SeqlockValue: FieldType {
    /// The seqlock's storage: `[AtomicU64; 2 + 2 * seqlock_words(size_of::<Self>())]`.
    #[doc(hidden)]
    type Words: SeqlockWords;
    /// The name of the seqlock's layout: `Seqlock_Book` for `Seqlock<Book>`.
    #[doc(hidden)]
    const NAME: &'static str;
}

mod sealed {
    pub trait Sealed {}
}

/// Arrays of `AtomicU64`: the only storage a [`Seqlock`] accepts.
#[doc(hidden)]
pub trait SeqlockWords: FromBytes + IntoBytes + KnownLayout + sealed::Sealed {
    fn as_slice(&self) -> &[AtomicU64];
}

impl<const N: usize> sealed::Sealed for [AtomicU64; N] {}

impl<const N: usize> SeqlockWords for [AtomicU64; N] {
    #[inline(always)]
    fn as_slice(&self) -> &[AtomicU64] {
        self
    }
}

macro_rules! numbers {
    ($($ty:ty => $name:literal),* $(,)?) => {$(
        impl SeqlockValue for $ty {
            type Words = [AtomicU64; 2 + 2 * seqlock_words(size_of::<$ty>())];
            const NAME: &'static str = $name;
        }
    )*};
}

numbers!(
    u8 => "Seqlock_u8",
    i8 => "Seqlock_i8",
    u16 => "Seqlock_u16",
    i16 => "Seqlock_i16",
    u32 => "Seqlock_u32",
    i32 => "Seqlock_i32",
    u64 => "Seqlock_u64",
    i64 => "Seqlock_i64",
    f32 => "Seqlock_f32",
    f64 => "Seqlock_f64",
);

impl<T: SeqlockValue> fmt::Debug for Seqlock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Seqlock")
            .field("value", &std::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}

// SAFETY: the shape is the storage's layout (`layout.rs`): the sequence and lock words are atomic
// leaves at 0 and 8, and the copies, though described as `T` for readers of layouts, lie in a
// layout marked as a seqlock's, which whole-value copies move as atomic words (`copy.rs`), as
// `FieldType`'s contract allows. Its size is the storage's (checked in `layout.rs`).
unsafe impl<T: SeqlockValue> FieldType for Seqlock<T> {
    const SHAPE: Shape = Shape::Struct(&Self::LAYOUT);
    type Value = T;
    type Get<'a, A: Readable>
        = SeqlockRef<'a, T, A>
    where
        T: 'a;
    type Mut<'a, A: Writable>
        = SeqlockRef<'a, T, A>
    where
        T: 'a;

    #[inline(always)]
    fn get<A: Readable>(place: Place<'_, Self, A>) -> SeqlockRef<'_, T, A> {
        SeqlockRef { place }
    }
    #[inline]
    fn set<A: Writable>(place: Place<'_, Self, A>, value: T) {
        SeqlockRef { place }.write(&value)
    }
    #[inline(always)]
    fn get_mut<A: Writable>(place: Place<'_, Self, A>) -> SeqlockRef<'_, T, A> {
        SeqlockRef { place }
    }
}

/// A [`Seqlock`] field of a live mapping: what its getter returns. [`read`](Self::read) in every
/// readable mode; [`write`](Self::write) and [`update`](Self::update) where the mode is writable.
///
/// See [`Seqlock`] for an example.
pub struct SeqlockRef<'a, T: SeqlockValue, A> {
    place: Place<'a, Seqlock<T>, A>,
}

impl<'a, T: SeqlockValue, A: Readable> SeqlockRef<'a, T, A> {
    /// The storage's words, as shared references to atomics.
    #[inline(always)]
    fn words(&self) -> &[AtomicU64] {
        let _checked = Seqlock::<T>::WORDS;
        // SAFETY: the place points to a `Seqlock<T>`, aligned and mapped for `'a` with at least
        // read access (`Place`'s invariant, `A: Readable`). `Seqlock<T>` is `repr(transparent)`
        // over `T::Words`, an array of `AtomicU64` (sealed), so every byte is inside an
        // `UnsafeCell`: a shared reference tolerates other threads and processes changing it.
        // Over a read-only mapping it is only used for `Relaxed` loads of 8 bytes (`read`), the
        // access std defines on read-only memory ("Atomic accesses to read-only memory").
        let seqlock: &Seqlock<T> = unsafe { self.place.as_non_null().as_ref() };
        seqlock.0.as_slice()
    }

    /// Copies out one whole value that some `write` (or `update`, or the zeroed file) left:
    /// never a mix of two, never a half-written one, even if the writer was killed half-way.
    ///
    /// Never waits for a writer: it retries only while a live writer overwrites the copy it is
    /// reading, which a writer does for the time of one copy.
    #[inline]
    #[must_use]
    pub fn read(&self) -> T {
        latch::read(self.words())
    }
}

impl<T: SeqlockValue, A: Writable> SeqlockRef<'_, T, A> {
    /// Writes `value`, so that every later `read` returns it (until the next write), in every
    /// process.
    ///
    /// Writers take turns: this waits while another live thread, in this process or any other,
    /// is writing, and takes over the lock of a writer that died (a thread gone, a zombie, or a
    /// thread id since reused by another thread: `/proc/<tid>/stat` tells them apart).
    ///
    /// # Panics
    /// If the calling thread is already writing this seqlock: an `update` closure that writes the
    /// same field would otherwise wait for itself forever.
    #[inline]
    pub fn write(&self, value: &T) {
        let words = self.words();
        let _guard = lock::lock(&words[latch::LOCK]);
        // SAFETY: the lock is held. `T` holds no atomic and so no `UnsafeCell` (checked by
        // `Seqlock::<T>::WORDS`, which `words` names) and no padding (`T: IntoBytes`).
        unsafe { latch::write(words, value) };
    }

    /// Reads the value, lets `f` change it, and writes it back, all under the writer lock: no
    /// other writer's change is lost in between.
    ///
    /// ```
    /// # use mapped::{Mapped, Seqlock};
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// #[repr(C)]
    /// struct Totals { count: Seqlock<u64> }
    ///
    /// # fn main() -> Result<(), mapped::Error> {
    /// let totals = Totals::anonymous()?;
    /// totals.count().update(|n| *n += 2);
    /// totals.set_count(totals.count().read() * 10); // the setter writes through the protocol
    /// assert_eq!(totals.count().read(), 20);
    /// # Ok(()) }
    /// ```
    ///
    /// # Panics
    /// As for [`write`](Self::write); and if `f` panics, the lock is released and nothing is
    /// written.
    pub fn update(&self, f: impl FnOnce(&mut T)) {
        let words = self.words();
        let _guard = lock::lock(&words[latch::LOCK]);
        let mut value = latch::read_locked::<T>(words);
        f(&mut value);
        // SAFETY: as for `write`.
        unsafe { latch::write(words, &value) };
    }
}

impl<T: SeqlockValue, A> fmt::Debug for SeqlockRef<'_, T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeqlockRef")
            .field("value", &std::any::type_name::<T>())
            .field("mode", &std::any::type_name::<A>())
            .finish()
    }
}
