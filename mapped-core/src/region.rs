//! `Region`: a whole file mapped as a run of records, and the iterator over them.
//!
//! This is where [`MappedSlice`](crate::MappedSlice) and [`MappedVec`](crate::MappedVec) get
//! their typed pointers, and the only `unsafe` behind either. A `Region` maps the file itself,
//! with the protection its mode names, and remaps only through `&mut self`; every [`Place`] it
//! hands out borrows it. So a place is always in bounds of a live mapping with the right
//! protection, which is all [`Place`]'s safe methods rely on.

use std::fmt;
use std::marker::PhantomData;
use std::mem::{align_of, size_of};
use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use crate::error::Error;
use crate::field::FieldType;
use crate::field::Place;
use crate::mapped::assert_mappable;
use crate::mode::{Access, Readable, Writable};
use crate::sys::{Mapping, RecordFile};

/// The first `len` bytes of a file, mapped with mode `A`'s protection: a header of `data_offset`
/// bytes, then `capacity` records of type `T`, one every `stride` bytes.
///
/// The stride is `size_of::<T>()` unless the file was written by a newer layout of `T`, whose
/// records are longer: `T`'s fields are then the first bytes of each (`docs/file-formats.md`,
/// "Records of an evolved type").
///
/// Invariants: `data_offset + capacity * stride` bytes are mapped (none when `mapping` is
/// `None`, which is how an empty file is held: `mmap` of length 0 is an error); `stride` is at
/// least `size_of::<T>()` and a multiple of `align_of::<T>()`; the address `data_offset` bytes in
/// is aligned for `T`, and the start of the mapping (page aligned) for `u64`.
pub(crate) struct Region<T, A> {
    mapping: Option<Mapping>,
    data_offset: usize,
    stride: usize,
    capacity: usize,
    /// `capacity` when records are back to back (`stride == size_of::<T>()`), 0 otherwise: the
    /// records [`packed_record`](Self::packed_record) reaches, with a constant step.
    packed_capacity: usize,
    /// The first record: `data_offset` bytes into the mapping, cached so that element access is
    /// one comparison and one address computation. Dangling (never dereferenced) while
    /// `capacity` is 0.
    records: NonNull<T>,
    /// The start of the mapping and how many header bytes it holds (`data_offset` while mapped,
    /// 0 while not), cached so that publishing a count is one comparison and one store. Dangling
    /// (never dereferenced) while `header_len` is 0.
    header: NonNull<u8>,
    header_len: usize,
    _marker: PhantomData<fn() -> (T, A)>,
}

// SAFETY: `records` points into the mapping this region owns (or dangles while there is none),
// so it moves with the region exactly as the `Mapping` does, which is `Send`; records are plain
// data (`T: FieldType` is `FromBytes`), sent only if `T` is.
unsafe impl<T: Send, A> Send for Region<T, A> {}

impl<T, A> Region<T, A> {
    /// Bytes mapped, header included.
    pub(crate) fn mapped_len(&self) -> usize {
        self.mapping.as_ref().map_or(0, Mapping::data_len)
    }

    /// How many whole records the mapping holds.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many records [`packed_record`](Region::packed_record) reaches: all of them, unless
    /// records are longer than `T` (a file of a newer layout), then none.
    #[inline(always)]
    pub(crate) fn packed_capacity(&self) -> usize {
        self.packed_capacity
    }
}

impl<T: FieldType, A: Access> Region<T, A> {
    /// Maps the first `len` bytes of `file`, which holds at least that many, with `A`'s
    /// protection. Records start `data_offset` bytes in, one every `stride` bytes.
    ///
    /// # Errors
    /// [`Error::FileTooSmall`] if `len < data_offset`; [`Error::Misaligned`] if records there
    /// would be misaligned (only for alignments above the page size, or a `stride` that is not
    /// a multiple of `T`'s alignment, which the callers' header checks refuse first);
    /// [`Error::Io`] from `mmap`.
    ///
    /// # Panics
    /// If `stride < size_of::<T>()` (a bug in the caller: the header check refuses such files).
    pub(crate) fn map(
        file: &RecordFile,
        len: usize,
        data_offset: usize,
        stride: usize,
    ) -> Result<Self, Error> {
        assert_mappable::<T>();
        assert!(
            stride >= size_of::<T>(),
            "a record stride shorter than the record"
        );
        let mapping = match NonZeroUsize::new(len) {
            Some(len) => Some(file.map(len, A::PROTECTION, A::SHARED)?),
            None => None,
        };
        let mut region = Region {
            mapping,
            data_offset,
            stride,
            capacity: 0,
            packed_capacity: 0,
            records: NonNull::dangling(),
            header: NonNull::dangling(),
            header_len: 0,
            _marker: PhantomData,
        };
        region.measure(file)?;
        Ok(region)
    }

    /// Grows (or shrinks) the mapping to the file's first `len` bytes, which the file holds.
    /// `&mut self`: no place borrowed from the old mapping survives the move.
    ///
    /// # Errors
    /// As for [`map`](Self::map); on error the region is as it was.
    pub(crate) fn remap(&mut self, file: &RecordFile, len: usize) -> Result<(), Error> {
        let Some(new_len) = NonZeroUsize::new(len) else {
            self.mapping = None;
            return self.measure(file);
        };
        match &mut self.mapping {
            Some(mapping) => mapping.remap(file, new_len, A::PROTECTION, A::SHARED)?,
            None => self.mapping = Some(file.map(new_len, A::PROTECTION, A::SHARED)?),
        }
        self.measure(file)
    }

    /// Checks the invariants for the current mapping and sets `capacity`; with no mapping, or on
    /// error, the capacity is 0.
    fn measure(&mut self, file: &RecordFile) -> Result<(), Error> {
        self.capacity = 0;
        self.packed_capacity = 0;
        self.records = NonNull::dangling();
        self.header = NonNull::dangling();
        self.header_len = 0;
        let len = self.mapped_len();
        if len < self.data_offset {
            return Err(Error::FileTooSmall {
                path: file.path().to_path_buf(),
                needed: self.data_offset as u64,
                found: len as u64,
            });
        }
        if let Some(mapping) = &self.mapping {
            let base = mapping.data().as_ptr() as usize;
            let records = base.wrapping_add(self.data_offset);
            if base % align_of::<u64>() != 0
                || records % align_of::<T>() != 0
                || self.stride % align_of::<T>() != 0
            {
                // Only possible for an alignment above the page size, which mmap does not promise.
                return Err(Error::Misaligned {
                    path: file.path().to_path_buf(),
                    offset: self.data_offset as u64,
                    align: align_of::<T>(),
                });
            }
        }
        self.capacity = (len - self.data_offset) / self.stride;
        if self.stride == size_of::<T>() {
            self.packed_capacity = self.capacity;
        }
        if let Some(mapping) = &self.mapping {
            // SAFETY: `data_offset <= len` (checked above), so the address is within the mapping
            // or one past its end.
            self.records = unsafe { mapping.data().add(self.data_offset) }.cast();
            self.header = mapping.data();
            self.header_len = self.data_offset;
        }
        Ok(())
    }

    /// Record `index`, or `None` past the mapping's capacity. Callers that keep a length of their
    /// own check it first; this check is what keeps a wrong length from reaching memory.
    #[inline(always)]
    pub(crate) fn record(&self, index: usize) -> Option<Place<'_, T, A>> {
        if index >= self.capacity {
            return None;
        }
        // SAFETY: `index < capacity`, and `capacity` records of `stride` bytes start at `records`
        // within the mapping (set together in `measure`), so `index * stride` does not overflow
        // (it is less than the mapping's length) and the pointer stays inside that allocation.
        let ptr = unsafe { self.records.byte_add(index * self.stride) };
        // SAFETY: the record lies within the mapping (above; `size_of::<T>() <= stride`); it is
        // aligned, since the first record is and `stride` is a multiple of `T`'s alignment (the
        // invariants, checked in `measure`); the
        // mapping was made with `A`'s protection (in `map`/`remap`), and it stays mapped for as
        // long as the `Place` lives, because the place borrows `self` and only `remap` (by
        // `&mut self`, which resets `records` through `measure`) or drop unmap it.
        Some(unsafe { Place::new(ptr) })
    }

    /// Record `index`, or `None` past [`packed_capacity`](Region::packed_capacity): the address
    /// with the constant step `size_of::<T>()`, for the writer's append.
    #[inline(always)]
    pub(crate) fn packed_record(&self, index: usize) -> Option<Place<'_, T, A>> {
        if index >= self.packed_capacity {
            return None;
        }
        // SAFETY: `index < packed_capacity`, which is `capacity` and nonzero only when `stride ==
        // size_of::<T>()` (set together in `measure`): this is `record`'s pointer, in bounds.
        let ptr = unsafe { self.records.add(index) };
        // SAFETY: as for `record`.
        Some(unsafe { Place::new(ptr) })
    }

    /// Record `index` of the first `len` (the owner's length, at most the capacity), or `None`.
    #[inline(always)]
    pub(crate) fn record_below(&self, index: usize, len: usize) -> Option<Place<'_, T, A>> {
        if index >= len {
            return None;
        }
        self.record(index)
    }

    /// The `u64` at `offset` in the header, or `None` unless it lies wholly within the header
    /// and is aligned.
    #[inline(always)]
    fn header_word(&self, offset: usize) -> Option<Place<'_, AtomicU64, A>> {
        let end = offset.checked_add(size_of::<u64>())?;
        if end > self.header_len || offset % align_of::<u64>() != 0 {
            return None;
        }
        // SAFETY: `end <= header_len`, which is 0 unless `header` is the start of the live
        // mapping and `header_len` its `data_offset <= mapped length` (set together in `measure`),
        // so the word lies within the mapping.
        let ptr = unsafe { self.header.add(offset) };
        // SAFETY: in bounds (above); aligned, because the mapping's start is (the invariant) and
        // `offset` is a multiple of 8; mapped with `A`'s protection and borrowed from `self`, as
        // for `record`. `AtomicU64` has the size and alignment of `u64`.
        Some(unsafe { Place::new(ptr.cast::<AtomicU64>()) })
    }

    /// Syncs the whole mapping to the file (`msync`); nothing to do for an empty file.
    pub(crate) fn sync(&self, wait: bool) -> Result<(), Error> {
        match &self.mapping {
            Some(mapping) => mapping.sync_all(wait),
            None => Ok(()),
        }
    }
}

impl<T: FieldType, A: Readable> Region<T, A> {
    /// Loads the header word at `offset` with `Acquire` semantics: every write made before the
    /// `Release` store that put the value there is visible afterwards. A reader's mapping is
    /// read-only, so this is a `Relaxed` load and an `Acquire` fence ([`ReadOnlyAtomic::load`]).
    ///
    /// [`ReadOnlyAtomic::load`]: crate::ReadOnlyAtomic::load
    ///
    /// # Panics
    /// If `offset` does not name a word of the header (a bug in the caller).
    pub(crate) fn load_word(&self, offset: usize) -> u64 {
        self.header_word(offset)
            .expect("a word within the header")
            .into_read_only()
            .into_atomic()
            .load(Ordering::Acquire)
    }

    /// Iterates over records `0..len`, `len` at most the capacity.
    pub(crate) fn iter(&self, len: usize) -> Records<'_, T, A> {
        let len = len.min(self.capacity);
        Records {
            front: self.records,
            // SAFETY: `len <= capacity`, so this is at most one stride past the last record of
            // the mapping (and `records` itself while there are none).
            back: unsafe { self.records.byte_add(len * self.stride) },
            stride: self.stride,
            _region: PhantomData,
        }
    }
}

impl<T: FieldType, A: Readable> Region<T, A> {
    /// Record `index` copied out; panics past `len`, naming `owner` (as `Vec` indexing does).
    pub(crate) fn load(&self, index: usize, len: usize, owner: &str) -> T {
        match self.record_below(index, len) {
            Some(place) => place.read(),
            None => panic!("index {index} out of bounds: the {owner} holds {len} records"),
        }
    }

    /// The first `len` records copied out.
    pub(crate) fn to_vec(&self, len: usize) -> Vec<T> {
        (0..len)
            .filter_map(|index| self.record_below(index, len))
            .map(|place| place.read())
            .collect()
    }
}

impl<T: FieldType, A: Writable> Region<T, A> {
    /// Writes record `index` of the first `len`.
    ///
    /// # Errors
    /// [`Error::IndexOutOfBounds`] if `index >= len`; nothing is written.
    pub(crate) fn set(&self, index: usize, len: usize, value: T::Value) -> Result<(), Error> {
        let place = self
            .record_below(index, len)
            .ok_or(Error::IndexOutOfBounds { index, len })?;
        T::set(place, value);
        self.zero_tail(index);
        Ok(())
    }

    /// Writes record `index`, which the mapping holds, as a whole: `value`, then zeros over the
    /// bytes a newer layout appended, which this build cannot fill (zero means absent).
    ///
    /// # Panics
    /// If `index >= capacity()` (a bug in the caller, which grows the file first).
    #[inline(always)]
    pub(crate) fn write_record(&self, index: usize, value: T) {
        self.record(index)
            .expect("the file was grown to hold the record")
            .write(value);
        self.zero_tail(index);
    }

    /// Zeros the bytes of record `index` past `T`'s, if records are longer than `T` (a file of a
    /// newer layout); nothing otherwise, at the cost of one comparison.
    #[inline(always)]
    fn zero_tail(&self, index: usize) {
        if self.stride != size_of::<T>() {
            self.zero_tail_of(index);
        }
    }

    #[cold]
    #[inline(never)]
    fn zero_tail_of(&self, index: usize) {
        if index >= self.capacity {
            return;
        }
        // SAFETY: `index < capacity`, so the record's `stride` bytes lie within the mapping (as in
        // `record`), and so do its bytes from `size_of::<T>()` to `stride`.
        let record = unsafe { self.records.cast::<u8>().add(index * self.stride) };
        for at in size_of::<T>()..self.stride {
            // SAFETY: within the record's stride (above); the mapping is writable (`A: Writable`)
            // and lives as long as `self`. These bytes belong to fields this build does not know,
            // so no view of this process reads or writes them: nothing races with these volatile
            // writes within the process, and any byte value is valid for the newer fields'
            // `FromBytes` types.
            unsafe { record.add(at).write_volatile(0) };
        }
    }

    /// Stores `value` into the header word at `offset` with `Release` ordering: a reader that
    /// loads it with `Acquire` sees every write made before.
    ///
    /// # Panics
    /// As for [`load_word`](Self::load_word).
    #[inline(always)]
    pub(crate) fn store_word(&self, offset: usize, value: u64) {
        self.header_word(offset)
            .expect("a word within the header")
            .into_writable_atomic()
            .store(value, Ordering::Release)
    }
}

impl<T, A: Writable> Region<T, A> {
    /// The `u32` at `offset` in the header, for a writer's atomic operations on it; `None` unless
    /// it lies wholly within the header and is aligned.
    #[inline(always)]
    pub(crate) fn header_u32(&self, offset: usize) -> Option<&AtomicU32> {
        let end = offset.checked_add(size_of::<u32>())?;
        if end > self.header_len || offset % align_of::<u32>() != 0 {
            return None;
        }
        // SAFETY: as for `header_word`: `end <= header_len`, so the word lies within the live
        // mapping that `header` starts; aligned, because the mapping's start is page aligned and
        // `offset` a multiple of 4; writable (`A: Writable`), so every atomic operation is allowed;
        // an atomic is an `UnsafeCell`, so a shared reference tolerates other processes' changes;
        // the reference borrows `self`, so it cannot outlive the mapping (only `remap`, by
        // `&mut self`, or drop unmap it).
        Some(unsafe { self.header.add(offset).cast::<AtomicU32>().as_ref() })
    }
}

impl<T, A> fmt::Debug for Region<T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Region")
            .field("data_offset", &self.data_offset)
            .field("capacity", &self.capacity)
            .finish()
    }
}

/// An iterator over the records of a [`MappedVec`](crate::MappedVec) or a
/// [`MappedSlice`](crate::MappedSlice), yielding what their `get` returns: the value for a
/// scalar record, a read view for a struct.
///
/// ```
/// use mapped::MappedSlice;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("ints.bin");
/// std::fs::write(&path, [1u16, 2, 3].map(u16::to_ne_bytes).concat())?;
/// let ints = MappedSlice::<u16>::open_read_only(&path)?;
/// let mut records = ints.iter();
/// assert_eq!(records.len(), 3);
/// assert_eq!(records.next_back(), Some(3));
/// assert_eq!(records.collect::<Vec<_>>(), [1, 2]);
/// # Ok(()) }
/// ```
pub struct Records<'a, T, A> {
    /// The next record from the front, and one stride past the last from the back: a range of
    /// records within the region's mapping, like a slice iterator's.
    front: NonNull<T>,
    back: NonNull<T>,
    /// The region's stride: `size_of::<T>()` unless the file is of a newer layout of `T`.
    stride: usize,
    _region: PhantomData<&'a Region<T, A>>,
}

impl<'a, T: FieldType + 'a, A: Readable> Records<'a, T, A> {
    fn remaining(&self) -> usize {
        // Both lie in one allocation, `back` not before `front`, a whole number of strides apart
        // (the type's invariant); strides are never zero (`assert_mappable` in `Region::map`, and
        // a stride is at least the record's size).
        let bytes = self.back.as_ptr() as usize - self.front.as_ptr() as usize;
        if self.stride == size_of::<T>() {
            bytes / size_of::<T>()
        } else {
            bytes / self.stride
        }
    }
}

impl<'a, T: FieldType + 'a, A: Readable> Iterator for Records<'a, T, A> {
    type Item = T::Get<'a, A>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        // SAFETY: `front < back`, so `front` is a record within the region's mapping, which the
        // iterator borrows for `'a`; aligned, with `A`'s protection, as `Region::record` argues.
        let place = unsafe { Place::new(self.front) };
        // SAFETY: at most one stride past the last record of the range, within the same
        // allocation.
        self.front = unsafe { self.front.byte_add(self.stride) };
        Some(T::get(place))
    }

    /// The loop of `for_each`, `sum`, `count` and the like, which choose their path once: records
    /// back to back (every file but one of a newer layout) step by the constant
    /// `size_of::<T>()`, which the compiler unrolls as it does a slice's loop.
    #[inline]
    fn fold<B, F: FnMut(B, Self::Item) -> B>(mut self, init: B, mut f: F) -> B {
        let mut acc = init;
        if self.stride == size_of::<T>() {
            while self.front != self.back {
                // SAFETY: as for `next`, whose step this is, with the stride known.
                let place = unsafe { Place::new(self.front) };
                // SAFETY: as for `next`: `stride == size_of::<T>()`.
                self.front = unsafe { self.front.add(1) };
                acc = f(acc, T::get(place));
            }
            return acc;
        }
        // `next` steps by the stride (a `for` loop calls it, not `fold`).
        for item in self {
            acc = f(acc, item);
        }
        acc
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.remaining();
        (len, Some(len))
    }

    fn nth(&mut self, n: usize) -> Option<Self::Item> {
        let skip = n.min(self.remaining());
        // SAFETY: `skip` strides at most reach `back`, within the allocation.
        self.front = unsafe { self.front.byte_add(skip * self.stride) };
        self.next()
    }
}

impl<'a, T: FieldType + 'a, A: Readable> DoubleEndedIterator for Records<'a, T, A> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        // SAFETY: `front < back`, a whole number of strides apart, so the record one stride
        // before `back` is within the range.
        self.back = unsafe { self.back.byte_sub(self.stride) };
        // SAFETY: as for `next`.
        Some(T::get(unsafe { Place::new(self.back) }))
    }
}

impl<'a, T: FieldType + 'a, A: Readable> ExactSizeIterator for Records<'a, T, A> {}

impl<'a, T: FieldType + 'a, A: Readable> std::iter::FusedIterator for Records<'a, T, A> {}

impl<T, A> fmt::Debug for Records<'_, T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Records")
            .field("type", &std::any::type_name::<T>())
            .field(
                "remaining",
                &((self.back.as_ptr() as usize - self.front.as_ptr() as usize)
                    / self.stride.max(1)),
            )
            .finish()
    }
}
