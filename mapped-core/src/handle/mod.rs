//! `Handle`: an owned mapping of one struct.

use std::fmt;
use std::mem::align_of;
use std::ops::Deref;
use std::path::Path;

use crate::error::Error;
use crate::field::RawView;
use crate::file;
use crate::mapped::{Accessors, Mapped};
use crate::mode::{Access, NoAccess, ReadOnly, ReadWrite, Readable, Shared, Writable};
use crate::sys::{Advice, Mapping};

mod protect_error;

pub use protect_error::ProtectError;

/// A struct `T` living in a memory mapping, with access mode `A`.
///
/// Made by the constructors `#[derive(Mapped)]` puts on `T` (`T::create_new`, `T::open`, ...) or by
/// the same functions on `Handle<T>`. It dereferences to `T`'s generated accessors, so
/// `handle.hits()` reads a field and `handle.set_hits(1)` writes it, straight over the mapping.
/// Dropping it unmaps the memory; everything borrowed from it must be gone by then:
///
/// ```compile_fail,E0505
/// use std::sync::atomic::AtomicU64;
/// use mapped::Mapped;
/// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Shared { counter: AtomicU64 }
///
/// let shared = Shared::anonymous().unwrap();
/// let counter = shared.counter();
/// drop(shared); // munmap: `counter` still borrows the handle, so this does not compile
/// counter.load(std::sync::atomic::Ordering::SeqCst);
/// ```
///
/// A `Handle` can move to another thread but not be shared between threads (`Send`, not `Sync`):
/// its setters take `&self`, like [`Cell`](std::cell::Cell)'s.
///
/// ```compile_fail,E0277
/// # use mapped::Mapped;
/// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Stats { hits: u64 }
///
/// fn assert_sync<T: Sync>(_: &T) {}
/// let stats = Stats::anonymous().unwrap();
/// assert_sync(&stats);
/// ```
pub struct Handle<T: Mapped, A: Access = ReadWrite> {
    fields: T::Fields<A>,
    mapping: Mapping,
}

// SAFETY: the mapping belongs to the process, not to a thread, and every view or reference into it
// borrows the handle, so moving the handle moves all access to the memory with it. `T: Send`
// keeps types that must stay on their thread (none are `FromBytes`, but the bound costs nothing)
// out.
unsafe impl<T: Mapped + Send, A: Access> Send for Handle<T, A> {}

impl<T: Mapped, A: Access> Handle<T, A> {
    /// Wraps a fresh mapping whose protection and sharing match `A`.
    pub(crate) fn from_mapping(mapping: Mapping) -> Result<Self, Error> {
        let data = mapping.data();
        if data.as_ptr() as usize % align_of::<T>() != 0 {
            // Only possible for an alignment above the page size, which mmap does not promise.
            return Err(Error::Misaligned {
                path: mapping.path().to_path_buf(),
                offset: 0,
                align: align_of::<T>(),
            });
        }
        // More for a file written by a newer layout of `T`: its newer fields follow `T`'s.
        debug_assert!(mapping.data_len() >= std::mem::size_of::<T>());
        // SAFETY: `data` is aligned (checked above) and points to at least `size_of::<T>()` bytes
        // that the mapping keeps mapped with the protection `A` names until it is dropped; the handle owns
        // the mapping, and everything borrowed from `fields` borrows the handle.
        let raw = unsafe { RawView::new(data.cast::<T>()) };
        Ok(Handle {
            fields: T::Fields::<A>::from_raw(raw),
            mapping,
        })
    }

    /// The mapped file's path, or `None` for an anonymous mapping.
    ///
    /// An associated function (`Handle::path(&h)`), like [`Rc::as_ptr`](std::rc::Rc::as_ptr), so
    /// it never hides a field accessor named `path`.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), mapped::Error> {
    /// assert!(mapped::Handle::path(&Stats::anonymous()?).is_none());
    /// # Ok(()) }
    /// ```
    pub fn path(this: &Self) -> Option<&Path> {
        let path = this.mapping.path();
        (!path.as_os_str().is_empty()).then_some(path)
    }

    /// The struct's address, for FFI or `unsafe` code. Reading through it is only valid while the
    /// handle lives and its mode allows it; prefer the accessors. An associated function, so it
    /// never hides a field accessor.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), mapped::Error> {
    /// let stats = Stats::anonymous()?;
    /// let address = mapped::Handle::as_ptr(&stats) as usize;
    /// assert_eq!(address % std::mem::align_of::<Stats>(), 0);
    /// # Ok(()) }
    /// ```
    pub fn as_ptr(this: &Self) -> *const T {
        this.fields.raw().as_ptr()
    }

    /// Makes the mapping read-only (`mprotect(PROT_READ)`). The new handle has getters only.
    ///
    /// # Errors
    /// [`ProtectError`] if the kernel refuses (`mprotect` fails, [`Op::Mprotect`](crate::Op::Mprotect)):
    /// it holds the error and gives this handle back, with its old mode and protection
    /// ([`ProtectError::into_handle`]).
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), mapped::Error> {
    /// let stats = Stats::anonymous()?;
    /// stats.set_hits(3);
    /// let frozen = stats.make_read_only()?;
    /// assert_eq!(frozen.hits(), 3);
    /// # Ok(()) }
    /// ```
    ///
    /// A read-only handle has no setters:
    ///
    /// ```compile_fail,E0599
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// let frozen = Stats::anonymous().unwrap().make_read_only().unwrap();
    /// frozen.set_hits(4);
    /// ```
    #[allow(clippy::type_complexity)] // spelled out, so the docs show both handle types
    pub fn make_read_only(self) -> Result<Handle<T, ReadOnly<A::Base>>, ProtectError<T, A>> {
        self.reprotect()
    }

    /// Makes the mapping inaccessible (`mprotect(PROT_NONE)`). The new handle has no accessors;
    /// it keeps the address range reserved until it is made readable again or dropped.
    ///
    /// # Errors
    /// [`ProtectError`] if the kernel refuses (`mprotect` fails, [`Op::Mprotect`](crate::Op::Mprotect)):
    /// it holds the error and gives this handle back, with its old mode and protection
    /// ([`ProtectError::into_handle`]).
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), mapped::Error> {
    /// let stats = Stats::anonymous()?;
    /// stats.set_hits(5);
    /// let sealed = stats.make_no_access()?;
    /// let stats = sealed.make_mut()?;
    /// assert_eq!(stats.hits(), 5);
    /// # Ok(()) }
    /// ```
    ///
    /// ```compile_fail,E0599
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// let sealed = Stats::anonymous().unwrap().make_no_access().unwrap();
    /// sealed.hits();
    /// ```
    #[allow(clippy::type_complexity)] // spelled out, so the docs show both handle types
    pub fn make_no_access(self) -> Result<Handle<T, NoAccess<A::Base>>, ProtectError<T, A>> {
        self.reprotect()
    }

    fn reprotect<B: Access>(self) -> Result<Handle<T, B>, ProtectError<T, A>> {
        let Handle { fields, mapping } = self;
        // Views and references borrow the handle, which `self` owns: none exist now.
        drop(fields);
        if let Err(error) = mapping.protect(B::PROTECTION) {
            // `mprotect` may have changed part of the range before failing: put back the
            // protection `A` promises before handing the mapping out as an `A` again. If even that
            // fails, the mapping is dropped (unmapped): no handle could vouch for it.
            let handle = mapping
                .protect(A::PROTECTION)
                .ok()
                .and_then(|()| Handle::from_mapping(mapping).ok());
            return Err(ProtectError::new(error, handle));
        }
        Handle::from_mapping(mapping).map_err(|error| ProtectError::new(error, None))
    }

    /// Checks that the file still holds every byte the mapping reaches (`fstat` of the mapped
    /// file), which another process can break by truncating it; touching the lost pages would
    /// raise `SIGBUS`. Call it before accessing a file that other programs might shrink. Always
    /// `Ok` for an anonymous mapping.
    ///
    /// # Errors
    /// [`Error::Truncated`] naming the bytes needed and found; [`Error::Io`] with
    /// [`Op::Stat`](crate::Op::Stat).
    ///
    /// ```
    /// # use mapped::{Error, Mapped};
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// let stats = Stats::create_new(&path)?;
    /// stats.check_file()?;
    /// std::fs::File::options().write(true).open(&path)?.set_len(4)?; // someone else truncates
    /// match stats.check_file() {
    ///     Err(Error::Truncated { needed: 8, found: 4, .. }) => {} // don't touch `stats` now
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn check_file(&self) -> Result<(), Error> {
        match self.mapping.file() {
            Some(file) => file::check_holds(file, self.mapping.path(), self.mapping.file_end()),
            None => Ok(()),
        }
    }

    /// Tells the kernel how the mapping will be used (`madvise`).
    ///
    /// # Errors
    /// [`Error::Io`] with [`Op::Madvise`](crate::Op::Madvise).
    ///
    /// ```
    /// # use mapped::{Advice, Mapped};
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), mapped::Error> {
    /// Stats::anonymous()?.advise(Advice::WillNeed)?;
    /// # Ok(()) }
    /// ```
    pub fn advise(&self, advice: Advice) -> Result<(), Error> {
        self.mapping.advise(advice)
    }

    /// Locks the mapping's pages in memory (`mlock`), so they are never swapped out.
    ///
    /// # Errors
    /// [`Error::Io`] with [`Op::Mlock`](crate::Op::Mlock), e.g. `ENOMEM` or `EPERM` past
    /// `RLIMIT_MEMLOCK`.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), mapped::Error> {
    /// let stats = Stats::anonymous()?;
    /// if stats.lock().is_ok() {
    ///     stats.unlock()?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn lock(&self) -> Result<(), Error> {
        self.mapping.lock()
    }

    /// Undoes [`lock`](Self::lock) (`munlock`).
    ///
    /// # Errors
    /// [`Error::Io`] with [`Op::Munlock`](crate::Op::Munlock).
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), mapped::Error> {
    /// Stats::anonymous()?.unlock()?;
    /// # Ok(()) }
    /// ```
    pub fn unlock(&self) -> Result<(), Error> {
        self.mapping.unlock()
    }
}

impl<T: Mapped, A: Access> Handle<T, A>
where
    A::Base: Writable,
{
    /// Makes the mapping writable again (`mprotect(PROT_READ | PROT_WRITE)`), in the writable mode
    /// it was opened with: shared stays shared, private stays private.
    ///
    /// Only handles that came from a writable mode have it: a mapping of a file opened read-only
    /// ([`ReadOnlyFile`](crate::ReadOnlyFile)) could never be made writable.
    ///
    /// # Errors
    /// [`ProtectError`] if the kernel refuses (`mprotect` fails, [`Op::Mprotect`](crate::Op::Mprotect)):
    /// it holds the error and gives this handle back, with its old mode and protection
    /// ([`ProtectError::into_handle`]).
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), mapped::Error> {
    /// let frozen = Stats::anonymous()?.make_read_only()?;
    /// let stats = frozen.make_mut()?;
    /// stats.set_hits(9);
    /// # Ok(()) }
    /// ```
    pub fn make_mut(self) -> Result<Handle<T, A::Base>, ProtectError<T, A>> {
        self.reprotect()
    }
}

impl<T: Mapped, A: Shared> Handle<T, A> {
    /// Writes the struct's dirty pages to the file and waits for the device (`msync(MS_SYNC)`).
    /// Once it returns, the data survives a crash of the machine.
    ///
    /// # Errors
    /// [`Error::Io`] with [`Op::Msync`](crate::Op::Msync), e.g. `EIO` from the device.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// let stats = Stats::create_new(&path)?;
    /// stats.set_hits(7);
    /// stats.flush()?;
    /// assert_eq!(std::fs::read(&path)?, 7u64.to_ne_bytes());
    /// # Ok(()) }
    /// ```
    ///
    /// A private mapping has nothing to flush:
    ///
    /// ```compile_fail,E0599
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// let copy = Stats::open_private("stats.bin").unwrap();
    /// copy.flush().unwrap();
    /// ```
    pub fn flush(&self) -> Result<(), Error> {
        self.mapping.sync_all(true)
    }

    /// Starts writing the dirty pages to the file without waiting (`msync(MS_ASYNC)`).
    ///
    /// # Errors
    /// [`Error::Io`] with [`Op::Msync`](crate::Op::Msync).
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), mapped::Error> {
    /// let stats = Stats::anonymous()?;
    /// stats.set_hits(1);
    /// stats.flush_async()?;
    /// # Ok(()) }
    /// ```
    pub fn flush_async(&self) -> Result<(), Error> {
        self.mapping.sync_all(false)
    }

    /// Like [`flush`](Self::flush), for the bytes `offset..offset + len` of the struct (widened to
    /// whole pages).
    ///
    /// # Errors
    /// [`Error::RangeOutOfBounds`] if the range leaves the struct; [`Error::Io`] from `msync`.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64, misses: u64 }
    /// # fn main() -> Result<(), mapped::Error> {
    /// let stats = Stats::anonymous()?;
    /// stats.set_misses(2);
    /// stats.flush_range(std::mem::offset_of!(Stats, misses), 8)?;
    /// assert!(stats.flush_range(8, 9).is_err());
    /// # Ok(()) }
    /// ```
    pub fn flush_range(&self, offset: usize, len: usize) -> Result<(), Error> {
        self.mapping.sync(offset, len, true)
    }

    /// Like [`flush_async`](Self::flush_async), for the bytes `offset..offset + len`.
    ///
    /// # Errors
    /// As for [`flush_range`](Self::flush_range).
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), mapped::Error> {
    /// Stats::anonymous()?.flush_async_range(0, 8)?;
    /// # Ok(()) }
    /// ```
    pub fn flush_async_range(&self, offset: usize, len: usize) -> Result<(), Error> {
        self.mapping.sync(offset, len, false)
    }
}

impl<T: Mapped, A: Readable> Handle<T, A> {
    /// Copies the whole struct out of the mapping; the same as the generated `load`, for generic
    /// code.
    ///
    /// ```
    /// # use mapped::{Handle, Mapped};
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, PartialEq)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// fn snapshot<T: Mapped>(handle: &Handle<T>) -> T {
    ///     handle.load()
    /// }
    /// # fn main() -> Result<(), mapped::Error> {
    /// let stats = Stats::anonymous()?;
    /// stats.set_hits(2);
    /// assert_eq!(snapshot(&stats), Stats { hits: 2 });
    /// # Ok(()) }
    /// ```
    pub fn load(&self) -> T {
        self.fields.raw().load()
    }
}

impl<T: Mapped, A: Writable> Handle<T, A> {
    /// Copies `value` into the mapping, whole; the same as the generated `store`, for generic
    /// code. In a file written by a newer layout of `T`, the fields `T` does not know are zeroed
    /// too ("absent"): the value stored is the whole of what this build knows. Field setters
    /// change only their own field.
    ///
    /// ```
    /// # use mapped::{Handle, Mapped};
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), mapped::Error> {
    /// let stats = Stats::anonymous()?;
    /// stats.store(&Stats { hits: 4 });
    /// assert_eq!(stats.hits(), 4);
    /// # Ok(()) }
    /// ```
    pub fn store(&self, value: &T) {
        self.fields.raw().store(value);
        let newer = self.mapping.data_len() - std::mem::size_of::<T>();
        if newer > 0 {
            // SAFETY: the mapping holds `data_len()` writable bytes from `data()` (`A` is
            // `Writable`, so the pages are `PROT_WRITE`); the last `newer` of them lie past `T`,
            // where no accessor of this handle reaches, so no reference borrowed from it aliases
            // them. Other processes may write them concurrently, as they may write any byte of
            // a shared mapping; bytes carry no validity invariant (`FromBytes`).
            unsafe {
                self.mapping
                    .data()
                    .add(std::mem::size_of::<T>())
                    .write_bytes(0, newer);
            }
        }
    }
}

impl<T: Mapped, A: Readable> Deref for Handle<T, A> {
    type Target = T::Fields<A>;

    #[inline(always)]
    fn deref(&self) -> &T::Fields<A> {
        &self.fields
    }
}

impl<T: Mapped, A: Access> fmt::Debug for Handle<T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("type", &std::any::type_name::<T>())
            .field("mode", &std::any::type_name::<A>())
            .field("path", &Handle::path(self))
            .field("address", &Handle::as_ptr(self))
            .finish()
    }
}

impl<T: Mapped, A: Writable> Handle<T, A> {
    /// The struct's address for writing, for FFI or `unsafe` code; see [`as_ptr`](Self::as_ptr).
    /// An associated function, so it never hides a field accessor.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), mapped::Error> {
    /// let stats = Stats::anonymous()?;
    /// // SAFETY: the handle is alive and writable, and nothing else writes `hits` meanwhile.
    /// let ptr = mapped::Handle::as_mut_ptr(&stats);
    /// unsafe { std::ptr::addr_of_mut!((*ptr).hits).write_volatile(11) };
    /// assert_eq!(stats.hits(), 11);
    /// # Ok(()) }
    /// ```
    pub fn as_mut_ptr(this: &Self) -> *mut T {
        this.fields.raw().as_ptr()
    }
}
