//! `MappedVec`: a growable file of typed records, one writer and any number of readers.

mod format;
mod tail;
mod upgrade;
mod wait;
mod write;

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use crate::error::Error;
use crate::field::FieldType;
use crate::file;
use crate::mode::{ReadOnly, ReadWrite, Readable};
use crate::options::DEFAULT_MODE;
use crate::region::{Records, Region};
use crate::sys::{Creation, Protection, RecordFile};

use format::{RecordType, COUNT_OFFSET};

pub use tail::Tail;

/// A growable file of `T` records, shared between processes: a log of readings, an index of
/// fixed-size entries, a table another process reads live.
///
/// The file starts with a 64-byte header (magic, format version, the record type's layout
/// fingerprint and size, the record count), then holds the records back to back. The writer
/// grows the file by doubling, reserving the disk space first, so a full disk is an
/// [`Error`] from [`push`](Self::push), never a `SIGBUS` later.
///
/// - **One writer.** [`open`](Self::open) and [`open_or_create`](Self::open_or_create) take an
///   exclusive `flock` for as long as the `MappedVec` lives; a second writable open, from this
///   process or another, fails at once with [`Error::Locked`].
/// - **Any number of readers.** [`open_read_only`](Self::open_read_only) takes no lock and never
///   waits. [`refresh`](MappedVec::refresh) makes the records pushed since visible, each whole:
///   the writer writes a record, then publishes the count with a `Release` store; the reader
///   loads it with `Acquire`, and remaps when the file has grown.
///   [`wait_len`](MappedVec::wait_len) sleeps until the writer publishes enough records.
/// - **Crash safe.** A writer killed at any point leaves a file that reopens with only whole
///   records counted. What [`flush`](Self::flush) adds is survival of a power loss; the
///   repository's `docs/guarantees.md` states the guarantee precisely.
///
/// `T` is any field type: a struct deriving `Mapped` (records are then read and written through
/// views with its accessors), an integer, a float, an array.
///
/// - **Evolving.** A struct record type may append fields. A file of the older layout is then
///   refused with [`Error::NeedsUpgrade`] until [`upgrade`](Self::upgrade) rewrites it; a file of
///   a newer layout opens in every mode, its records read at their own size, the newer fields kept
///   by field setters and zeroed by whole-record writes (`push`, `extend`, `set`). A view's
///   `store` writes only `T`'s own bytes, like its field setters.
///
/// ```
/// use mapped::{Mapped, MappedVec};
/// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Reading { at: u64, sensor: u32, value: f32 }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("readings.bin");
/// let mut log = MappedVec::<Reading>::open_or_create(&path)?;
/// for at in 0..20 {
///     log.push(Reading { at, sensor: 3, value: 21.5 })?; // grows the file as needed
/// }
/// let r = log.get(10).unwrap();
/// assert_eq!((r.at(), r.value()), (10, 21.5)); // a read view over the mapping
/// log.get_mut(10).unwrap().set_value(0.0); // a write view
/// assert_eq!(log.iter().filter(|r| r.value() == 0.0).count(), 1);
/// log.flush()?; // durable once this returns
///
/// let mut reader = MappedVec::<Reading>::open_read_only(&path)?;
/// log.push(Reading { at: 20, sensor: 4, value: 1.0 })?;
/// assert_eq!(reader.len(), 20);
/// reader.refresh()?; // sees the new record
/// assert_eq!(reader.get(20).unwrap().sensor(), 4);
/// # Ok(()) }
/// ```
///
/// Growing may move the mapping, so it takes `&mut self`, and no view survives it:
///
/// ```compile_fail,E0502
/// # use mapped::MappedVec;
/// let mut log = MappedVec::<u64>::open_or_create("log.bin").unwrap();
/// let first = log.get_mut(0).unwrap();
/// log.push(1).unwrap(); // may remap: `first` would dangle, so this does not compile
/// first.set(2);
/// ```
///
/// A `MappedVec` can move to another thread but not be shared between threads (`Send`, not
/// `Sync`), because its setters take `&self`, like [`Cell`]'s:
///
/// ```compile_fail,E0277
/// # use mapped::MappedVec;
/// fn assert_sync<T: Sync>(_: &T) {}
/// let log = MappedVec::<u64>::open_or_create("log.bin").unwrap();
/// assert_sync(&log);
/// ```
pub struct MappedVec<T, A = ReadWrite> {
    region: Region<T, A>,
    file: RecordFile,
    /// The records this handle trusts: never more than the mapping holds.
    len: usize,
    record: RecordType,
    /// The fork generation the writer's lock was taken in (any value for a reader): a writer whose
    /// process is a later fork refuses to write (see [`Error::Forked`]).
    lock_generation: u64,
    /// How a reader waits for records ([`wait_len`](MappedVec::wait_len)); unused by a writer.
    waiter: wait::Waiter,
    #[cfg(feature = "test-hooks")]
    remaps: usize,
    #[cfg(feature = "test-hooks")]
    wakes: usize,
    _not_sync: PhantomData<Cell<()>>,
}

impl<T: FieldType> MappedVec<T, ReadWrite> {
    /// Opens the record file at `path` for writing, creating it (mode `0600`, with an empty
    /// header) if it is missing or empty.
    ///
    /// # Errors
    /// [`Error::Locked`] if another `MappedVec` has it open for writing;
    /// [`Error::NeedsUpgrade`] if it holds records of an older layout of `T` (see
    /// [`upgrade`](Self::upgrade)); [`Error::LayoutMismatch`] if it holds records of another type
    /// (a newer layout of `T`, one that appended fields, is not another type: it opens, and its
    /// records are read at their own size); [`Error::BadMagic`],
    /// [`Error::VersionMismatch`], [`Error::BadHeader`] or [`Error::FileTooSmall`] if it is not a
    /// record file of this format; [`Error::NotRegularFile`]; [`Error::Io`]. A rejected file is not
    /// modified. A new file appears at `path` only once its header is written and this writer
    /// holds its lock, so processes racing to create it find it whole (and all but one
    /// [`Error::Locked`] while the first holds it), and a failure leaves nothing there.
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// MappedVec::<u64>::open_or_create(&path)?.push(7)?;
    /// assert_eq!(MappedVec::<u64>::open_or_create(&path)?.to_vec(), [7]);
    /// # Ok(()) }
    /// ```
    pub fn open_or_create(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_writer(path.as_ref(), Creation::OpenOrCreate)
    }

    /// Opens an existing record file for writing.
    ///
    /// If its count claims more records than the file holds (the file was cut short), the count
    /// is corrected down to the records really there.
    ///
    /// # Errors
    /// As for [`open_or_create`](Self::open_or_create); a missing or empty file is an error
    /// ([`Error::Io`] with `NotFound`, [`Error::FileTooSmall`]).
    ///
    /// ```
    /// # use mapped::{Error, MappedVec};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// let writer = MappedVec::<u64>::open_or_create(&path)?;
    /// // One writer at a time:
    /// assert!(matches!(MappedVec::<u64>::open(&path), Err(Error::Locked { .. })));
    /// drop(writer);
    /// MappedVec::<u64>::open(&path)?;
    /// # Ok(()) }
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_writer(path.as_ref(), Creation::OpenExisting)
    }

    /// Opens an existing record file read-only (`PROT_READ`): no lock is taken and nothing waits,
    /// even while a writer has the file open. Call [`refresh`](MappedVec::refresh) to see the
    /// records pushed since.
    ///
    /// # Errors
    /// As for [`open`](Self::open), except [`Error::Locked`]: the file only needs read permission.
    /// A file that a writer is creating at this very moment is not there until it is whole: that
    /// is [`Error::Io`] with `NotFound`, so a reader started alongside a writer retries. (A file
    /// left empty by an older version of this crate or by another tool is
    /// [`Error::FileTooSmall`] until a writer opens it.)
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// let mut writer = MappedVec::<u32>::open_or_create(&path)?;
    /// writer.push(1)?;
    /// let reader = MappedVec::<u32>::open_read_only(&path)?;
    /// assert_eq!(reader.get(0), Some(1));
    /// # Ok(()) }
    /// ```
    ///
    /// A read-only `MappedVec` cannot push:
    ///
    /// ```compile_fail,E0599
    /// # use mapped::MappedVec;
    /// let mut reader = MappedVec::<u32>::open_read_only("log.bin").unwrap();
    /// reader.push(1);
    /// ```
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<MappedVec<T, ReadOnly>, Error> {
        MappedVec::open_as(path.as_ref(), Creation::OpenExisting)
    }

    fn open_writer(path: &Path, creation: Creation) -> Result<Self, Error> {
        let mut vec = Self::open_as(path, creation)?;
        if vec.region.load_word(COUNT_OFFSET) != vec.len as u64 {
            // The count claims records the file does not hold (it was cut short): make it say
            // what is there. This writer holds the lock, so nobody else writes the header.
            vec.publish(vec.len);
        }
        Ok(vec)
    }
}

impl<T: FieldType> MappedVec<T, ReadOnly> {
    /// Catches up with the writer: loads the count it published, remaps if the file has grown,
    /// and returns the new length. Every record counted is whole. `&mut self`, because the
    /// mapping may move: no view survives a refresh.
    ///
    /// A count that claims more records than the file holds (a file cut short) is never trusted:
    /// the length is then what the file really holds.
    ///
    /// # Errors
    /// [`Error::Truncated`] if another process cut the file short, losing records this reader had
    /// already counted: the reader then holds only the records really there (`len()` says how
    /// many) and stays usable. [`Error::Io`] with [`Op::Stat`](crate::Op::Stat) or
    /// [`Op::Remap`](crate::Op::Remap); the records seen before stay readable.
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// let mut writer = MappedVec::<u64>::open_or_create(&path)?;
    /// let mut reader = MappedVec::<u64>::open_read_only(&path)?;
    /// writer.extend(0..100_000)?; // the file grows well past what `reader` mapped
    /// assert_eq!(reader.len(), 0);
    /// assert_eq!(reader.refresh()?, 100_000);
    /// assert_eq!(reader.get(99_999), Some(99_999));
    /// # Ok(()) }
    /// ```
    pub fn refresh(&mut self) -> Result<usize, Error> {
        let seen = self.len;
        self.follow()?;
        if self.len < seen {
            // Fewer records: the writer's `truncate`, or the file cut short under us. Only the
            // second loses records that were counted.
            self.check_holds(seen)?;
        }
        // Last, so that a reader of a file an upgrade replaced has caught up with every record
        // written to it before it is told.
        self.check_not_replaced()?;
        Ok(self.len)
    }
}

impl<T: FieldType, A: Readable> MappedVec<T, A> {
    fn open_as(path: &Path, creation: Creation) -> Result<Self, Error> {
        let writable = A::PROTECTION == Protection::ReadWrite;
        let file = match file::open_records(path, writable) {
            Err(err) if creation == Creation::OpenOrCreate && err.is_not_found_at_open() => {
                let created = RecordFile::create(
                    path,
                    DEFAULT_MODE,
                    |file| {
                        // Locked before it is linked at `path`, so its creator is its first
                        // writer; and it is linked with its header written, so nobody ever
                        // finds it empty.
                        let file = file.lock_exclusive()?;
                        Self::from_file(file, creation)
                    },
                    |vec| &vec.file,
                )?;
                match created {
                    Some(vec) => return Ok(vec),
                    // Another process linked its file first: open that one.
                    None => file::open_records(path, writable)?,
                }
            }
            other => other?,
        };
        if !writable {
            return Self::from_file(file, creation);
        }
        Self::from_file(lock_at_path(file)?, creation)
    }

    /// Prepares and maps an open (and, for a writer, locked) file.
    fn from_file(file: RecordFile, creation: Creation) -> Result<Self, Error> {
        let (size, record) = Self::prepare(&file, creation)?;
        let region = Region::map(&file, size, record.data_offset, record.stride)?;
        Self::from_parts(region, file, record)
    }

    /// Writes the header of a new (or empty) file, validates the header of an existing one, and
    /// returns the size to map and the record type with the file's data offset.
    fn prepare(file: &RecordFile, creation: Creation) -> Result<(usize, RecordType), Error> {
        let path = file.path();
        let mut record = RecordType::of::<T>();
        let writable = A::PROTECTION == Protection::ReadWrite;
        let mut size = file.size()?;
        let fresh = size == 0 && writable && creation != Creation::OpenExisting;
        if fresh {
            // Created here, or an empty file made by another tool, or left empty by an older
            // version of this crate, whose creator made the file before writing its header.
            file.write_at(&record.encode(), 0)?;
            size = record.data_offset as u64;
        }
        let pread = |at: u64, buf: &mut [u8]| file.read_at(buf, at);
        let checked = record.check(path, size, &pread)?;
        let data_offset = checked.data_offset;
        let too_large = |size| Error::FileTooLarge {
            path: path.to_path_buf(),
            size,
        };
        record.data_offset = usize::try_from(data_offset).map_err(|_| too_large(data_offset))?;
        record.stride = usize::try_from(checked.stride).map_err(|_| too_large(checked.stride))?;
        if size < data_offset {
            return Err(Error::FileTooSmall {
                path: path.to_path_buf(),
                needed: data_offset,
                found: size,
            });
        }
        if fresh {
            // The header may end before the first record's alignment does: grow the file to
            // `data_offset`, reserved (or written with zeros where there is no `fallocate`).
            file.allocate(0, size)?;
        } else if writable {
            // Make sure the blocks under the existing records are reserved too (a sparse copy,
            // an interrupted growth): writes through the mapping must never find the disk full.
            file.reserve(0, size)?;
        }
        let size = usize::try_from(size).map_err(|_| Error::FileTooLarge {
            path: path.to_path_buf(),
            size,
        })?;
        Ok((size, record))
    }

    fn from_parts(
        region: Region<T, A>,
        file: RecordFile,
        record: RecordType,
    ) -> Result<Self, Error> {
        let mut vec = MappedVec {
            region,
            lock_generation: file.lock_generation().unwrap_or(0),
            file,
            len: 0,
            record,
            waiter: wait::Waiter::Unopened,
            #[cfg(feature = "test-hooks")]
            remaps: 0,
            #[cfg(feature = "test-hooks")]
            wakes: 0,
            _not_sync: PhantomData,
        };
        vec.follow()?;
        Ok(vec)
    }

    /// Loads the published count, remapping first if it claims more records than the mapping
    /// holds and the file has grown; sets `len` to the records both the mapping and the file
    /// hold now, at most the count. Returns the count as published.
    fn follow(&mut self) -> Result<u64, Error> {
        let count = self.region.load_word(COUNT_OFFSET);
        // Read after the count: the writer grew the file before publishing it, and a file only
        // grows while a writer has it, so this size holds every record counted.
        let size = self.file.size()?;
        if count > self.region.capacity() as u64 && size > self.region.mapped_len() as u64 {
            let size = usize::try_from(size).map_err(|_| Error::FileTooLarge {
                path: self.file.path().to_path_buf(),
                size,
            })?;
            self.region.remap(&self.file, size)?;
            #[cfg(feature = "test-hooks")]
            {
                self.remaps += 1;
            }
        }
        // Records past the end of the file now are not counted either: someone cut it short
        // (which this crate never does while it is open), and touching them would fault.
        let in_file =
            size.saturating_sub(self.record.data_offset as u64) / self.record.stride as u64;
        self.len = count
            .min(in_file)
            .try_into()
            .unwrap_or(usize::MAX)
            .min(self.region.capacity());
        Ok(count)
    }

    /// Checks that the file still holds every record counted (`fstat`), which another process can
    /// break by truncating it (the writer's lock is advisory); touching a lost record would raise
    /// `SIGBUS`.
    ///
    /// # Errors
    /// [`Error::Truncated`] naming the bytes needed and found; [`Error::Io`] with
    /// [`Op::Stat`](crate::Op::Stat).
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// let mut log = MappedVec::<u64>::open_or_create(&path)?;
    /// log.push(7)?;
    /// log.check_file()?;
    /// # Ok(()) }
    /// ```
    pub fn check_file(&self) -> Result<(), Error> {
        self.check_holds(self.len)?;
        self.check_not_replaced()
    }

    /// [`Error::Replaced`] once the path names another file than the one mapped (`stat` of the
    /// path against the descriptor's device and inode numbers).
    fn check_not_replaced(&self) -> Result<(), Error> {
        if self.file.still_at_path()? {
            return Ok(());
        }
        Err(Error::Replaced {
            path: self.file.path().to_path_buf(),
        })
    }

    /// [`Error::Truncated`] unless the file still holds `records` records.
    fn check_holds(&self, records: usize) -> Result<(), Error> {
        let needed = (records as u64)
            .saturating_mul(self.record.stride as u64)
            .saturating_add(self.record.data_offset as u64);
        file::check_holds(self.file.file(), self.file.path(), needed)
    }

    /// The number of records: for a reader, as of the last [`refresh`](MappedVec::refresh).
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// let mut log = MappedVec::<u8>::open_or_create(&path)?;
    /// log.extend_from_slice(b"abc")?;
    /// assert_eq!(log.len(), 3);
    /// # Ok(()) }
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no records.
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// assert!(MappedVec::<u8>::open_or_create(&path)?.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many records the mapped file holds room for: pushes up to this many do not grow it.
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// let mut log = MappedVec::<u64>::open_or_create(&path)?;
    /// assert_eq!(log.capacity(), 0);
    /// log.push(1)?;
    /// assert!(log.capacity() >= 1);
    /// # Ok(()) }
    /// ```
    pub fn capacity(&self) -> usize {
        self.region.capacity()
    }

    /// Record `index` as a getter returns it: a read view for a struct, the value for a scalar.
    /// `None` past [`len`](Self::len).
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// let mut log = MappedVec::<[u8; 4]>::open_or_create(&path)?;
    /// log.push(*b"abcd")?;
    /// assert_eq!(log.get(0), Some(*b"abcd"));
    /// assert_eq!(log.get(1), None);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, index: usize) -> Option<T::Get<'_, A>> {
        self.place(index).map(T::get)
    }

    /// A copy of record `index`.
    ///
    /// # Panics
    /// If `index >= len()`, as indexing a `Vec` does; [`get`](Self::get) is the checked form
    /// (`get(i).map(|r| r.load())` for a struct record).
    ///
    /// ```
    /// use mapped::{Mapped, MappedVec};
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, PartialEq)]
    /// # #[repr(C)]
    /// # struct Reading { at: u64, sensor: u32, value: f32 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("readings.bin");
    /// let mut log = MappedVec::<Reading>::open_or_create(&path)?;
    /// log.push(Reading { at: 1, sensor: 2, value: 3.0 })?;
    /// assert_eq!(log.load(0), Reading { at: 1, sensor: 2, value: 3.0 });
    /// assert!(log.get(1).is_none());
    /// # Ok(()) }
    /// ```
    pub fn load(&self, index: usize) -> T {
        self.region.load(index, self.len, "MappedVec")
    }

    /// Iterates over the records, yielding what [`get`](Self::get) returns.
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// let mut log = MappedVec::<u32>::open_or_create(&path)?;
    /// log.extend(1..=4)?;
    /// assert_eq!(log.iter().sum::<u32>(), 10);
    /// for n in &log {
    ///     assert!(n > 0);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn iter(&self) -> Records<'_, T, A> {
        self.region.iter(self.len)
    }

    /// Copies every record out.
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// let mut log = MappedVec::<i64>::open_or_create(&path)?;
    /// log.extend([-1, 1])?;
    /// assert_eq!(log.to_vec(), [-1, 1]);
    /// # Ok(()) }
    /// ```
    pub fn to_vec(&self) -> Vec<T> {
        self.region.to_vec(self.len)
    }

    /// The file's path.
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// assert_eq!(MappedVec::<u64>::open_or_create(&path)?.path(), path);
    /// # Ok(()) }
    /// ```
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// Runs `hook` once, the next time a writer (or an upgrade) of `path` has opened the file
    /// and is about to lock it: for tests of a file replaced in that window, with the
    /// `test-hooks` feature only.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn before_next_lock(path: &Path, hook: impl FnOnce() + Send + 'static) {
        hooks::set_before_lock(path, Box::new(hook));
    }

    /// How many times this handle has grown or moved its mapping; for tests of the growth policy,
    /// with the `test-hooks` feature only.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn remap_count(&self) -> usize {
        self.remaps
    }

    fn place(&self, index: usize) -> Option<crate::Place<'_, T, A>> {
        self.region.record_below(index, self.len)
    }
}

impl<'a, T: FieldType + 'a, A: Readable> IntoIterator for &'a MappedVec<T, A> {
    type Item = T::Get<'a, A>;
    type IntoIter = Records<'a, T, A>;

    fn into_iter(self) -> Records<'a, T, A> {
        self.iter()
    }
}

impl<T, A> fmt::Debug for MappedVec<T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MappedVec")
            .field("type", &std::any::type_name::<T>())
            .field("mode", &std::any::type_name::<A>())
            .field("path", &self.file.path())
            .field("len", &self.len)
            .field("capacity", &self.region.capacity())
            .finish()
    }
}

/// How often a writer opens the path again because it was renamed over between the `open` and
/// the lock: each time means another process replaced the file meanwhile, so this bound is only
/// reached by a path replaced without pause.
const REOPENS: usize = 100;

/// Locks `file`, just opened at its path, for writing, then makes sure the path still names it
/// (`stat` of the path against `fstat` of the descriptor): a file renamed over between the open
/// and the lock (by an upgrade) would take this writer's records with it. Opens the path again
/// until the file locked is the one there.
///
/// # Errors
/// [`Error::Locked`]; [`Error::Replaced`] if the path keeps being replaced; as for
/// [`file::open_records`].
fn lock_at_path(mut file: RecordFile) -> Result<RecordFile, Error> {
    for _ in 0..REOPENS {
        #[cfg(feature = "test-hooks")]
        hooks::before_lock(file.path());
        let locked = file.lock_exclusive()?;
        if locked.still_at_path()? {
            return Ok(locked);
        }
        let path = locked.path().to_path_buf();
        drop(locked);
        file = file::open_records(&path, true)?;
    }
    Err(Error::Replaced {
        path: file.path().to_path_buf(),
    })
}

/// A test's hook into the window between a writer's `open` and its lock.
#[cfg(feature = "test-hooks")]
mod hooks {
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    type Hook = (PathBuf, Box<dyn FnOnce() + Send>);

    static BEFORE_LOCK: Mutex<Vec<Hook>> = Mutex::new(Vec::new());

    pub(super) fn set_before_lock(path: &Path, hook: Box<dyn FnOnce() + Send>) {
        let mut hooks = BEFORE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        hooks.push((path.to_path_buf(), hook));
    }

    pub(super) fn before_lock(path: &Path) {
        let hook = {
            let mut hooks = BEFORE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
            let found = hooks.iter().position(|(p, _)| p == path);
            found.map(|i| hooks.remove(i).1)
        };
        if let Some(hook) = hook {
            hook();
        }
    }
}
