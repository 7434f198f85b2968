//! Access modes: what a handle may do with its mapping, as types.
//!
//! A handle's second type parameter is one of [`ReadWrite`], [`Private`], [`ReadOnly`] or
//! [`NoAccess`]. Accessor methods exist only where the mode allows them, so writing through a
//! read-only mapping, or reading a `PROT_NONE` one, is a compile error rather than a `SIGSEGV`.
//! `ReadOnly` and `NoAccess` remember where they came from — their [`Origin`] — so
//! [`make_mut`](crate::Handle::make_mut) restores a writable mode (`ReadOnly<Private>` is a private
//! mapping made read-only) or, for a file opened read-only ([`ReadOnlyFile`], the default), does
//! not exist: `mprotect` could never make that mapping writable.

use std::marker::PhantomData;

use crate::sys::Protection;

mod sealed {
    pub trait Sealed {}
}

/// Any access mode. Implemented only by this crate's mode types.
pub trait Access: sealed::Sealed + 'static {
    /// Where the mapping came from: the writable mode `make_mut` returns to, or [`ReadOnlyFile`].
    #[doc(hidden)]
    type Base: Origin;
    #[doc(hidden)]
    const PROTECTION: Protection;
    /// `MAP_SHARED` (writes reach the file) rather than `MAP_PRIVATE`.
    #[doc(hidden)]
    const SHARED: bool;
}

/// Modes whose mapping may be read: every mode but [`NoAccess`].
pub trait Readable: Access {
    /// What an atomic field's getter returns in this mode: `&AtomicU64` where the mapping is
    /// writable, [`&ReadOnlyAtomic<AtomicU64>`](ReadOnlyAtomic) where a store would fault.
    type Atomic<'a, T: AtomicField + 'a>;
    #[doc(hidden)]
    fn atomic<T: AtomicField>(atomic: &T) -> Self::Atomic<'_, T>;
}

/// Modes whose mapping may be written: [`ReadWrite`] and [`Private`].
pub trait Writable: Readable {}

/// Modes over a `MAP_SHARED` mapping, which can be flushed to the file.
pub trait Shared: Access {}

/// Where a read-only or no-access mapping came from: [`ReadWrite`], [`Private`] or
/// [`ReadOnlyFile`].
pub trait Origin: sealed::Sealed + 'static {
    /// `MAP_SHARED` rather than `MAP_PRIVATE`.
    #[doc(hidden)]
    const SHARED: bool;
}

/// The origin of a mapping of a file opened read-only (`open_read_only`,
/// `options().read_only()`): `MAP_SHARED`, and never writable, so its handles have no
/// `make_mut`.
///
/// ```compile_fail,E0599
/// # use mapped::Mapped;
/// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
/// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// # #[repr(C)]
/// # struct Stats { hits: u64 }
/// let reader = Stats::open_read_only("stats.bin").unwrap();
/// reader.make_mut(); // the file descriptor could never have written
/// ```
#[derive(Debug)]
pub enum ReadOnlyFile {}

/// `PROT_READ | PROT_WRITE` over `MAP_SHARED`: writes reach the file and every process mapping it.
///
/// The default mode of [`Handle`](crate::Handle).
#[derive(Debug)]
pub enum ReadWrite {}

/// `PROT_READ | PROT_WRITE` over `MAP_PRIVATE`: copy-on-write; writes stay in this process and
/// never reach the file.
#[derive(Debug)]
pub enum Private {}

/// `PROT_READ`: getters only. `O` is where the mapping came from: `ReadOnly` (that is,
/// `ReadOnly<ReadOnlyFile>`) from `open_read_only`, `ReadOnly<ReadWrite>` or `ReadOnly<Private>`
/// from `make_read_only`, which [`make_mut`](crate::Handle::make_mut) returns to.
#[derive(Debug)]
pub struct ReadOnly<O = ReadOnlyFile>(PhantomData<O>, Never);

/// `PROT_NONE`: no accessors at all; any access would fault. `O` is where the mapping came from,
/// as for [`ReadOnly`].
#[derive(Debug)]
pub struct NoAccess<O = ReadOnlyFile>(PhantomData<O>, Never);

/// Makes the mode structs uninhabited: they exist only as types.
#[derive(Debug)]
enum Never {}

impl sealed::Sealed for ReadWrite {}
impl sealed::Sealed for Private {}
impl sealed::Sealed for ReadOnlyFile {}
impl<O: Origin> sealed::Sealed for ReadOnly<O> {}
impl<O: Origin> sealed::Sealed for NoAccess<O> {}

impl Origin for ReadWrite {
    const SHARED: bool = true;
}

impl Origin for Private {
    const SHARED: bool = false;
}

impl Origin for ReadOnlyFile {
    const SHARED: bool = true;
}

impl Access for ReadWrite {
    type Base = ReadWrite;
    const PROTECTION: Protection = Protection::ReadWrite;
    const SHARED: bool = true;
}

impl Access for Private {
    type Base = Private;
    const PROTECTION: Protection = Protection::ReadWrite;
    const SHARED: bool = false;
}

impl<O: Origin> Access for ReadOnly<O> {
    type Base = O;
    const PROTECTION: Protection = Protection::Read;
    const SHARED: bool = O::SHARED;
}

impl<O: Origin> Access for NoAccess<O> {
    type Base = O;
    const PROTECTION: Protection = Protection::None;
    const SHARED: bool = O::SHARED;
}

impl Readable for ReadWrite {
    type Atomic<'a, T: AtomicField + 'a> = &'a T;
    fn atomic<T: AtomicField>(atomic: &T) -> &T {
        atomic
    }
}

impl Readable for Private {
    type Atomic<'a, T: AtomicField + 'a> = &'a T;
    fn atomic<T: AtomicField>(atomic: &T) -> &T {
        atomic
    }
}

impl<O: Origin> Readable for ReadOnly<O> {
    type Atomic<'a, T: AtomicField + 'a> = &'a ReadOnlyAtomic<T>;
    fn atomic<T: AtomicField>(atomic: &T) -> &ReadOnlyAtomic<T> {
        ReadOnlyAtomic::wrap(atomic)
    }
}

impl Writable for ReadWrite {}
impl Writable for Private {}

impl Shared for ReadWrite {}
impl Shared for ReadOnly<ReadWrite> {}
impl Shared for ReadOnly<ReadOnlyFile> {}
impl Shared for NoAccess<ReadWrite> {}
impl Shared for NoAccess<ReadOnlyFile> {}

/// The standard atomic integer types, which may be fields of a mapped struct.
pub trait AtomicField: sealed::Sealed + Sync + 'static {
    /// The integer it holds.
    type Value: Copy;
    /// A `Relaxed` load: the one atomic access std allows on read-only memory.
    #[doc(hidden)]
    fn load_relaxed(&self) -> Self::Value;
}

/// An atomic field seen through a read-only mapping: it can be loaded, never stored to (a store
/// would fault on the read-only page).
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use mapped::Mapped;
/// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Counter { total: AtomicU64 }
///
/// # fn main() -> Result<(), mapped::Error> {
/// # let dir = tempfile::tempdir().unwrap();
/// # let path = dir.path().join("counter.bin");
/// let counter = Counter::create_new(&path)?;
/// counter.total().fetch_add(5, Ordering::AcqRel);
/// let reader = counter.make_read_only()?;
/// assert_eq!(reader.total().load(Ordering::Acquire), 5);
/// # Ok(()) }
/// ```
#[repr(transparent)]
#[derive(Debug)]
pub struct ReadOnlyAtomic<T>(T);

impl<T: AtomicField> ReadOnlyAtomic<T> {
    fn wrap(atomic: &T) -> &Self {
        // SAFETY: `ReadOnlyAtomic<T>` is `repr(transparent)` over `T`, so the two references have
        // the same layout and validity; the lifetime is carried over unchanged.
        unsafe { &*(atomic as *const T as *const Self) }
    }

    /// Loads the value with the given ordering (see [`AtomicU64::load`](std::sync::atomic::AtomicU64::load)).
    ///
    /// The page is read-only, and there std defines only `Relaxed` atomic loads (see "Atomic
    /// accesses to read-only memory" in [`std::sync::atomic`]). So the load is `Relaxed`, followed
    /// by a [`fence`](std::sync::atomic::fence) of the ordering asked for: `Acquire` then
    /// synchronizes with a writer's `Release` store exactly as an `Acquire` load would, and
    /// `SeqCst` takes part in the single total order through the fence.
    ///
    /// # Panics
    /// If `order` is `Release` or `AcqRel`, as the standard atomics do.
    pub fn load(&self, order: std::sync::atomic::Ordering) -> T::Value {
        use std::sync::atomic::{fence, Ordering};
        if matches!(order, Ordering::Release | Ordering::AcqRel) {
            panic!("there is no such thing as a {order:?} load");
        }
        let value = self.0.load_relaxed();
        if order != Ordering::Relaxed {
            fence(order);
        }
        value
    }
}

macro_rules! atomic_fields {
    ($($atomic:ident($value:ty)),* $(,)?) => {$(
        impl sealed::Sealed for std::sync::atomic::$atomic {}
        impl AtomicField for std::sync::atomic::$atomic {
            type Value = $value;
            #[inline(always)]
            fn load_relaxed(&self) -> $value {
                self.load(std::sync::atomic::Ordering::Relaxed)
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
