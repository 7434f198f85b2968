//! What only the writer does: append, overwrite, shorten, grow, flush.

use crate::error::Error;
use crate::field::FieldType;
use crate::mode::ReadWrite;
use crate::sys;

use super::format::COUNT_OFFSET;
use super::{wait, MappedVec};
use crate::header::WAITER_OFFSET;

impl<T: FieldType> MappedVec<T, ReadWrite> {
    /// Appends `value`, growing the file first if it is full. Once it returns, a reader's
    /// [`refresh`](MappedVec::refresh) sees the record, a reader sleeping in
    /// [`wait_len`](MappedVec::wait_len) has been woken (the only system call a push within
    /// capacity can make, and only when a reader waits), and a crash of this process cannot lose
    /// it (a power loss can, until [`flush`](Self::flush)).
    ///
    /// # Errors
    /// When the file must grow: [`Error::Io`] with [`Op::Allocate`](crate::Op::Allocate)
    /// (`ENOSPC`: the disk is full) or [`Op::Remap`](crate::Op::Remap); [`Error::OffsetOverflow`].
    /// [`Error::Forked`] in a child that inherited this writer through `fork`. Nothing is appended
    /// then, and every record already there stays readable.
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// let mut log = MappedVec::<f64>::open_or_create(&path)?;
    /// log.push(1.5)?;
    /// assert_eq!((log.len(), log.get(0)), (1, Some(1.5)));
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn push(&mut self, value: T) -> Result<(), Error> {
        let index = self.len;
        if index < self.region.packed_capacity()
            && sys::current_generation() == self.lock_generation
        {
            self.region
                .packed_record(index)
                .expect("within the packed capacity")
                .write(value);
        } else {
            self.push_rarely(index, value)?;
        }
        self.publish(index + 1);
        Ok(())
    }

    /// The rare part of [`push`](Self::push), kept out of line so the common one stays small:
    /// refusing a forked copy, growing a full file, writing a record of a file of a newer layout
    /// (longer than `T`, its tail zeroed).
    #[cold]
    #[inline(never)]
    fn push_rarely(&mut self, index: usize, value: T) -> Result<(), Error> {
        self.check_not_forked()?;
        self.grow_to(self.len.saturating_add(1))?;
        self.write(index, value);
        Ok(())
    }

    /// Appends a copy of every record of `values`, all or nothing: the count is published once,
    /// after the last is written, so a reader or a crash never sees part of them.
    ///
    /// # Errors
    /// As for [`push`](Self::push); nothing is appended then.
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// let mut log = MappedVec::<u16>::open_or_create(&path)?;
    /// log.extend_from_slice(&[1, 2, 3])?;
    /// assert_eq!(log.to_vec(), [1, 2, 3]);
    /// # Ok(()) }
    /// ```
    pub fn extend_from_slice(&mut self, values: &[T]) -> Result<(), Error>
    where
        T: Clone,
    {
        self.check_not_forked()?;
        let start = self.len;
        self.grow_to(start.saturating_add(values.len()))?;
        for (index, value) in (start..).zip(values) {
            self.write(index, value.clone());
        }
        self.publish(start + values.len());
        Ok(())
    }

    /// Appends every record `values` yields, all or nothing, like
    /// [`extend_from_slice`](Self::extend_from_slice), for records that are not `Clone` or not in
    /// a slice. The file grows by what actually arrives (doubling as `push` does), never by what
    /// the iterator's `size_hint` promises.
    ///
    /// # Errors
    /// As for [`push`](Self::push); nothing is appended then.
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("squares.bin");
    /// let mut squares = MappedVec::<u64>::open_or_create(&path)?;
    /// squares.extend((0..1000u64).map(|n| n * n))?;
    /// assert_eq!(squares.get(999), Some(998_001));
    /// # Ok(()) }
    /// ```
    pub fn extend<I: IntoIterator<Item = T>>(&mut self, values: I) -> Result<(), Error> {
        self.check_not_forked()?;
        let start = self.len;
        let mut end = start;
        for value in values {
            self.grow_to(end.saturating_add(1))?;
            self.write(end, value);
            end += 1;
        }
        self.publish(end);
        Ok(())
    }

    /// Record `index` for writing, as `f_mut()` returns a field: a writable view for a struct,
    /// [`FieldMut`](crate::FieldMut) for a scalar. `None` past [`len`](MappedVec::len), and in a
    /// child that inherited this writer through `fork` (see [`Error::Forked`]).
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("counts.bin");
    /// let mut counts = MappedVec::<u32>::open_or_create(&path)?;
    /// counts.push(1)?;
    /// counts.get_mut(0).unwrap().update(|n| n + 1);
    /// assert_eq!(counts.get(0), Some(2));
    /// assert!(counts.get_mut(1).is_none());
    /// # Ok(()) }
    /// ```
    pub fn get_mut(&self, index: usize) -> Option<T::Mut<'_, ReadWrite>> {
        self.check_not_forked().ok()?;
        self.place(index).map(T::get_mut)
    }

    /// Overwrites record `index`.
    ///
    /// # Errors
    /// [`Error::IndexOutOfBounds`] if `index >= len()`; [`Error::Forked`] in a child that inherited
    /// this writer through `fork`. Nothing is written then.
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// let mut log = MappedVec::<i8>::open_or_create(&path)?;
    /// log.push(1)?;
    /// log.set(0, -1)?;
    /// assert_eq!(log.get(0), Some(-1));
    /// assert!(log.set(1, 0).is_err());
    /// # Ok(()) }
    /// ```
    pub fn set(&self, index: usize, value: T::Value) -> Result<(), Error> {
        self.check_not_forked()?;
        self.region.set(index, self.len, value)
    }

    /// Shortens the vector to `len` records (nothing happens if it is not longer). The file keeps
    /// its size, as a `Vec` keeps its capacity: a reader in another process may still have the
    /// dropped records mapped, and cutting the file under it would make it fault. Readers see the
    /// new length at their next [`refresh`](MappedVec::refresh).
    ///
    /// Records pushed after a shrink reuse the dropped slots, which a reader that has not yet
    /// refreshed may be reading: such a reader can see a record half old, half new. "Every record
    /// counted is whole" holds for readers of a writer that never shrinks (`docs/guarantees.md`).
    ///
    /// # Errors
    /// [`Error::Forked`] in a child that inherited this writer through `fork`; nothing changes.
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// let mut log = MappedVec::<u64>::open_or_create(&path)?;
    /// log.extend(0..10)?;
    /// log.truncate(3)?;
    /// assert_eq!(log.to_vec(), [0, 1, 2]);
    /// assert!(log.capacity() >= 10);
    /// # Ok(()) }
    /// ```
    pub fn truncate(&mut self, len: usize) -> Result<(), Error> {
        self.check_not_forked()?;
        if len < self.len {
            self.publish(len);
        }
        Ok(())
    }

    /// Removes every record; the file keeps its size, as for [`truncate`](Self::truncate).
    ///
    /// # Errors
    /// As for [`truncate`](Self::truncate).
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// let mut log = MappedVec::<u64>::open_or_create(&path)?;
    /// log.push(1)?;
    /// log.clear()?;
    /// assert!(log.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn clear(&mut self) -> Result<(), Error> {
        self.truncate(0)
    }

    /// Grows the file so that `additional` more records fit without growing again (by doubling,
    /// unless more is asked for).
    ///
    /// # Errors
    /// As for [`push`](Self::push).
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// let mut log = MappedVec::<u64>::open_or_create(&path)?;
    /// log.reserve(10_000)?;
    /// assert!(log.capacity() >= 10_000);
    /// assert!(std::fs::metadata(&path)?.len() >= 80_000);
    /// # Ok(()) }
    /// ```
    pub fn reserve(&mut self, additional: usize) -> Result<(), Error> {
        self.check_not_forked()?;
        self.grow_to(self.len.saturating_add(additional))
    }

    /// Writes every dirty page to the file and waits for the device (`msync(MS_SYNC)`, then
    /// `fdatasync` for the file's size): once it returns, every record pushed before survives a
    /// power loss, with a count that covers it.
    ///
    /// # Errors
    /// [`Error::Io`] with [`Op::Msync`](crate::Op::Msync) or [`Op::Fsync`](crate::Op::Fsync),
    /// e.g. `EIO` from the device.
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// let mut log = MappedVec::<u64>::open_or_create(&path)?;
    /// log.push(1)?;
    /// log.flush()?;
    /// # Ok(()) }
    /// ```
    pub fn flush(&self) -> Result<(), Error> {
        self.region.sync(true)?;
        self.file.sync_data()
    }

    /// Starts writing the dirty pages to the file without waiting (`msync(MS_ASYNC)`); it
    /// guarantees nothing by itself.
    ///
    /// # Errors
    /// [`Error::Io`] with [`Op::Msync`](crate::Op::Msync).
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// MappedVec::<u64>::open_or_create(&path)?.flush_async()?;
    /// # Ok(()) }
    /// ```
    pub fn flush_async(&self) -> Result<(), Error> {
        self.region.sync(false)
    }

    /// [`Error::Forked`] if this writer was copied into a child by `fork`: the lock, and so the
    /// right to write, is the parent's. One load and a compare.
    #[inline(always)]
    fn check_not_forked(&self) -> Result<(), Error> {
        if sys::current_generation() != self.lock_generation {
            return Err(self.forked());
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn forked(&self) -> Error {
        Error::Forked {
            path: self.file.path().to_path_buf(),
        }
    }

    /// Grows the file, if needed, to hold `needed` records.
    fn grow_to(&mut self, needed: usize) -> Result<(), Error> {
        let capacity = self.region.capacity();
        if needed <= capacity {
            return Ok(());
        }
        let record_size = self.record.stride;
        let data_offset = self.record.data_offset;
        let bytes_for = |records: usize| {
            records
                .checked_mul(record_size)
                .and_then(|bytes| bytes.checked_add(data_offset))
                .filter(|bytes| i64::try_from(*bytes).is_ok() && isize::try_from(*bytes).is_ok())
        };
        // Doubling, from at least a page of records; only what is needed if doubling overflows.
        let minimum = (sys::page_size() / record_size).max(1);
        let doubled = capacity.saturating_mul(2).max(minimum).max(needed);
        let old_size = self.region.mapped_len();
        let new_size = bytes_for(doubled)
            .or_else(|| bytes_for(needed))
            .ok_or_else(|| Error::OffsetOverflow {
                path: self.file.path().to_path_buf(),
                offset: old_size as u64,
                size: needed.saturating_sub(capacity).saturating_mul(record_size),
            })?;
        self.file
            .allocate(old_size as u64, (new_size - old_size) as u64)?;
        self.region.remap(&self.file, new_size)?;
        #[cfg(feature = "test-hooks")]
        {
            self.remaps += 1;
        }
        Ok(())
    }

    /// Writes record `index`, which the mapping holds (`grow_to` made room).
    #[inline(always)]
    fn write(&self, index: usize, value: T) {
        self.region.write_record(index, value)
    }

    /// Makes `len` records the count: written to the header with `Release` ordering, after the
    /// records themselves, so whoever loads it with `Acquire` finds them whole; then wakes the
    /// readers waiting for records, if there are any ([`wait_len`](MappedVec::wait_len)).
    #[inline(always)]
    pub(super) fn publish(&mut self, len: usize) {
        // Found first: the header holds the waiter word (bytes 60..64) whenever it holds the
        // count (40..48), so this one check is the count's too.
        let waiter = self
            .region
            .header_u32(WAITER_OFFSET)
            .expect("a word within the header");
        self.region.store_word(COUNT_OFFSET, len as u64);
        self.len = len;
        if wait::wake_waiters(waiter) {
            self.count_wake();
        }
    }
}
