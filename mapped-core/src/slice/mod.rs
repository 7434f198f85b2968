//! `MappedSlice`: a whole headerless file as a fixed-length array of records.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::mem::size_of;
use std::path::Path;

use crate::error::Error;
use crate::field::FieldType;
use crate::file;
use crate::mode::{Access, Private, ReadOnly, ReadWrite, Readable, Shared, Writable};
use crate::options::DEFAULT_MODE;
use crate::sys::{self, Creation, Protection, RecordFile};

use crate::region::{Records, Region};

/// A whole file seen as a fixed-length array of `T`: the typed form of "map this file of ints".
///
/// The file has no header: its length is its size divided by `size_of::<T>()`, which must divide
/// it exactly. `T` is any field type: `MappedSlice<u8>` maps an arbitrary file byte by byte,
/// `MappedSlice<i32>` a file of native-endian ints, `MappedSlice<U32<BigEndian>>` one of
/// big-endian ints, and a struct deriving `Mapped` gives views with its accessors. The mode `A` is
/// [`ReadWrite`] (`MAP_SHARED`, writes reach the file), [`ReadOnly`] or [`Private`]
/// (copy-on-write).
///
/// Elements are copied in and out with volatile reads and writes, like every accessor of this
/// crate, so another process may write the file meanwhile. An empty file is a slice of length 0
/// (nothing is mapped: `mmap` refuses length 0). The length is fixed: to grow a file of records,
/// use [`MappedVec`](crate::MappedVec).
///
/// ```
/// use mapped::MappedSlice;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("ints.bin");
/// std::fs::write(&path, [10i32, 20, 30].map(i32::to_ne_bytes).concat())?;
/// let ints = MappedSlice::<i32>::open(&path)?;
/// assert_eq!(ints.len(), 3);
/// ints.set(1, -20)?;
/// assert_eq!(ints.to_vec(), [10, -20, 30]);
/// assert_eq!(std::fs::read(&path)?[4..8], (-20i32).to_ne_bytes());
/// # Ok(()) }
/// ```
///
/// A slice can move to another thread but not be shared between threads (`Send`, not `Sync`),
/// because [`set`](Self::set) takes `&self`, like [`Cell`]'s:
///
/// ```compile_fail,E0277
/// # use mapped::MappedSlice;
/// fn assert_sync<T: Sync>(_: &T) {}
/// let ints = MappedSlice::<i32>::open("ints.bin").unwrap();
/// assert_sync(&ints);
/// ```
pub struct MappedSlice<T, A = ReadWrite> {
    region: Region<T, A>,
    len: usize,
    /// Kept open so [`check_file`](MappedSlice::check_file) can `fstat` the mapped file.
    file: RecordFile,
    _not_sync: PhantomData<Cell<()>>,
}

impl<T: FieldType> MappedSlice<T, ReadWrite> {
    /// Maps an existing file read-write, `MAP_SHARED`: writes reach the file and every process
    /// mapping it. The disk blocks under a sparse file's holes are reserved first (`fallocate`),
    /// so a full disk is an error here, never a `SIGBUS` at a later `set`.
    ///
    /// # Errors
    /// [`Error::NotWholeRecords`] if the file's size is not a multiple of `size_of::<T>()`;
    /// [`Error::NotRegularFile`]; [`Error::Io`] from `open`, `fallocate` (`ENOSPC`) or `mmap`. A
    /// rejected file is not modified.
    ///
    /// ```
    /// # use mapped::MappedSlice;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("bytes.bin");
    /// std::fs::write(&path, b"hello")?;
    /// let bytes = MappedSlice::<u8>::open(&path)?;
    /// bytes.set(0, b'j')?;
    /// assert_eq!(std::fs::read(&path)?, b"jello");
    /// # Ok(()) }
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_as(path.as_ref(), Creation::OpenExisting, None)
    }

    /// Creates `path` (failing if it exists) holding `len` zeroed records, with its disk space
    /// reserved, mode `0600`, and maps it read-write.
    ///
    /// # Errors
    /// [`Error::Io`] with [`Op::Open`](crate::Op::Open) (`EEXIST` if the file exists),
    /// [`Op::Allocate`](crate::Op::Allocate) (`ENOSPC`) or [`Op::Mmap`](crate::Op::Mmap);
    /// [`Error::OffsetOverflow`] if `len` records do not fit in a file. The file appears at `path`
    /// only once it is sized, reserved and mapped, so a failure leaves nothing there.
    ///
    /// ```
    /// # use mapped::MappedSlice;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("counts.bin");
    /// let counts = MappedSlice::<u64>::create_new(&path, 4)?;
    /// counts.set(3, 7)?;
    /// assert_eq!(counts.to_vec(), [0, 0, 0, 7]);
    /// assert_eq!(std::fs::metadata(&path)?.len(), 32);
    /// assert!(MappedSlice::<u64>::create_new(&path, 4).is_err()); // never clobbers
    /// # Ok(()) }
    /// ```
    pub fn create_new(path: impl AsRef<Path>, len: usize) -> Result<Self, Error> {
        Self::open_as(path.as_ref(), Creation::CreateNew, Some(len))
    }

    /// Maps an existing file read-only (`PROT_READ`, `MAP_SHARED`): getters only, and other
    /// processes' writes show through. The file only needs read permission.
    ///
    /// # Errors
    /// As for [`open`](Self::open).
    ///
    /// ```
    /// # use mapped::MappedSlice;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("ints.bin");
    /// std::fs::write(&path, 5u32.to_ne_bytes())?;
    /// let ints = MappedSlice::<u32>::open_read_only(&path)?;
    /// assert_eq!(ints.get(0), Some(5));
    /// # Ok(()) }
    /// ```
    ///
    /// A read-only slice has no setters:
    ///
    /// ```compile_fail,E0599
    /// # use mapped::MappedSlice;
    /// let ints = MappedSlice::<u32>::open_read_only("ints.bin").unwrap();
    /// ints.set(0, 1);
    /// ```
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<MappedSlice<T, ReadOnly>, Error> {
        MappedSlice::open_as(path.as_ref(), Creation::OpenExisting, None)
    }

    /// Maps an existing file copy-on-write (`MAP_PRIVATE`): setters work, but what they write
    /// stays in this process and never reaches the file. The file only needs read permission.
    ///
    /// # Errors
    /// As for [`open`](Self::open).
    ///
    /// ```
    /// # use mapped::MappedSlice;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("bytes.bin");
    /// std::fs::write(&path, b"abc")?;
    /// let scratch = MappedSlice::<u8>::open_private(&path)?;
    /// scratch.set(0, b'x')?;
    /// assert_eq!(scratch.to_vec(), b"xbc");
    /// assert_eq!(std::fs::read(&path)?, b"abc");
    /// # Ok(()) }
    /// ```
    pub fn open_private(path: impl AsRef<Path>) -> Result<MappedSlice<T, Private>, Error> {
        MappedSlice::open_as(path.as_ref(), Creation::OpenExisting, None)
    }
}

impl<T: FieldType, A: Access> MappedSlice<T, A> {
    /// Opens and maps `path` in mode `A`; `new_len` records for a new file.
    fn open_as(path: &Path, creation: Creation, new_len: Option<usize>) -> Result<Self, Error> {
        let writable = A::SHARED && A::PROTECTION == Protection::ReadWrite;
        if creation == Creation::OpenExisting {
            let file = file::open_records(path, writable)?;
            let region = Self::map(&file, writable)?;
            return Ok(Self::from_parts(region, file));
        }
        let bytes = new_len
            .unwrap_or(0)
            .checked_mul(size_of::<T>())
            .ok_or_else(|| Error::OffsetOverflow {
                path: path.to_path_buf(),
                offset: 0,
                size: usize::MAX,
            })?;
        let created = RecordFile::create(
            path,
            DEFAULT_MODE,
            |file| {
                // Sized and reserved before it is linked at `path`: nobody sees it shorter.
                file.allocate(0, bytes as u64)?;
                let region = Self::map(&file, false)?;
                Ok(Self::from_parts(region, file))
            },
            |slice| &slice.file,
        )?;
        created.ok_or_else(|| sys::already_exists(path))
    }

    fn from_parts(region: Region<T, A>, file: RecordFile) -> Self {
        MappedSlice {
            len: region.capacity(),
            region,
            file,
            _not_sync: PhantomData,
        }
    }

    /// Maps the whole file, first reserving its blocks if `reserve`: a writable mapping of a
    /// sparse file must not find the disk full when it writes into a hole.
    fn map(file: &RecordFile, reserve: bool) -> Result<Region<T, A>, Error> {
        let path = file.path();
        let record_size = size_of::<T>();
        let file_size = file.size()?;
        if file_size % record_size as u64 != 0 {
            return Err(Error::NotWholeRecords {
                path: path.to_path_buf(),
                file_size,
                record_size,
            });
        }
        let size = usize::try_from(file_size).map_err(|_| Error::FileTooLarge {
            path: path.to_path_buf(),
            size: file_size,
        })?;
        if reserve {
            // After the checks: a rejected file is not modified.
            file.reserve(0, file_size)?;
        }
        Region::map(file, size, 0, size_of::<T>())
    }

    /// The number of records: the file's size divided by `size_of::<T>()`.
    ///
    /// ```
    /// # use mapped::MappedSlice;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("pairs.bin");
    /// std::fs::write(&path, [0u8; 24])?;
    /// assert_eq!(MappedSlice::<u64>::open(&path)?.len(), 3);
    /// assert_eq!(MappedSlice::<[u32; 2]>::open(&path)?.len(), 3);
    /// # Ok(()) }
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the file holds no records (it is empty).
    ///
    /// ```
    /// # use mapped::MappedSlice;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("empty.bin");
    /// std::fs::write(&path, b"")?;
    /// let empty = MappedSlice::<u64>::open(&path)?;
    /// assert!(empty.is_empty() && empty.get(0).is_none());
    /// # Ok(()) }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The mapped file's path.
    ///
    /// ```
    /// # use mapped::MappedSlice;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("bytes.bin");
    /// # std::fs::write(&path, b"x")?;
    /// assert_eq!(MappedSlice::<u8>::open(&path)?.path(), path);
    /// # Ok(()) }
    /// ```
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// Checks that the file still holds every record (`fstat` of the mapped file), which another
    /// process can break by truncating it; touching a lost record would raise `SIGBUS`. Call it
    /// before reading a file that other programs might shrink.
    ///
    /// # Errors
    /// [`Error::Truncated`] naming the bytes needed and found; [`Error::Io`] with
    /// [`Op::Stat`](crate::Op::Stat).
    ///
    /// ```
    /// # use mapped::{Error, MappedSlice};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("ints.bin");
    /// std::fs::write(&path, [0u8; 16])?;
    /// let ints = MappedSlice::<u32>::open_read_only(&path)?;
    /// ints.check_file()?;
    /// std::fs::File::options().write(true).open(&path)?.set_len(8)?; // someone else truncates
    /// assert!(matches!(ints.check_file(), Err(Error::Truncated { needed: 16, found: 8, .. })));
    /// # Ok(()) }
    /// ```
    pub fn check_file(&self) -> Result<(), Error> {
        let needed = (self.len as u64).saturating_mul(size_of::<T>() as u64);
        file::check_holds(self.file.file(), self.file.path(), needed)
    }
}

impl<T: FieldType, A: Readable> MappedSlice<T, A> {
    /// Record `index` as a getter returns it: the value for a scalar, a read view for a struct
    /// deriving `Mapped`. `None` past the end.
    ///
    /// ```
    /// use mapped::{Mapped, MappedSlice};
    /// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    ///
    /// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// #[repr(C)]
    /// struct Point { x: f32, y: f32 }
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("points.bin");
    /// std::fs::write(&path, [1.0f32, 2.0, 3.0, 4.0].map(f32::to_ne_bytes).concat())?;
    /// let points = MappedSlice::<Point>::open_read_only(&path)?;
    /// assert_eq!(points.get(1).unwrap().y(), 4.0);
    /// assert!(points.get(2).is_none());
    /// # Ok(()) }
    /// ```
    pub fn get(&self, index: usize) -> Option<T::Get<'_, A>> {
        self.place(index).map(T::get)
    }

    /// A copy of record `index`, or `None` past the end.
    ///
    /// ```
    /// # use mapped::MappedSlice;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("pairs.bin");
    /// std::fs::write(&path, [1u16, 2, 3, 4].map(u16::to_ne_bytes).concat())?;
    /// let pairs = MappedSlice::<[u16; 2]>::open_read_only(&path)?;
    /// assert_eq!(pairs.load(1), [3, 4]);
    /// assert!(pairs.get(2).is_none());
    /// # Ok(()) }
    /// ```
    pub fn load(&self, index: usize) -> T {
        self.region.load(index, self.len, "MappedSlice")
    }

    /// Iterates over the records, yielding what [`get`](Self::get) returns.
    ///
    /// ```
    /// # use mapped::MappedSlice;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("bytes.bin");
    /// std::fs::write(&path, [1u8, 2, 3])?;
    /// let bytes = MappedSlice::<u8>::open_read_only(&path)?;
    /// assert_eq!(bytes.iter().map(u32::from).sum::<u32>(), 6);
    /// for byte in &bytes {
    ///     assert!(byte > 0);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn iter(&self) -> Records<'_, T, A> {
        self.region.iter(self.len)
    }

    /// Copies every record out.
    ///
    /// ```
    /// # use mapped::MappedSlice;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("ints.bin");
    /// std::fs::write(&path, [7u64, 8].map(u64::to_ne_bytes).concat())?;
    /// assert_eq!(MappedSlice::<u64>::open_read_only(&path)?.to_vec(), [7, 8]);
    /// # Ok(()) }
    /// ```
    pub fn to_vec(&self) -> Vec<T> {
        self.region.to_vec(self.len)
    }

    fn place(&self, index: usize) -> Option<crate::Place<'_, T, A>> {
        self.region.record_below(index, self.len)
    }
}

impl<T: FieldType, A: Writable> MappedSlice<T, A> {
    /// Record `index` for writing, as `f_mut()` returns a field: [`FieldMut`](crate::FieldMut)
    /// for a scalar, a writable view for a struct. `None` past the end.
    ///
    /// ```
    /// use mapped::{Mapped, MappedSlice};
    /// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    ///
    /// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// #[repr(C)]
    /// struct Point { x: f32, y: f32 }
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("points.bin");
    /// let points = MappedSlice::<Point>::create_new(&path, 2)?;
    /// points.get_mut(1).unwrap().set_x(5.0);
    /// assert_eq!(points.get(1).unwrap().x(), 5.0);
    /// # Ok(()) }
    /// ```
    pub fn get_mut(&self, index: usize) -> Option<T::Mut<'_, A>> {
        self.place(index).map(T::get_mut)
    }

    /// Writes record `index`.
    ///
    /// # Errors
    /// [`Error::IndexOutOfBounds`] if `index >= len()`; nothing is written.
    ///
    /// ```
    /// # use mapped::{Error, MappedSlice};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("ints.bin");
    /// let ints = MappedSlice::<i64>::create_new(&path, 2)?;
    /// ints.set(0, -1)?;
    /// assert!(matches!(ints.set(2, 1), Err(Error::IndexOutOfBounds { index: 2, len: 2 })));
    /// # Ok(()) }
    /// ```
    pub fn set(&self, index: usize, value: T::Value) -> Result<(), Error> {
        self.region.set(index, self.len, value)
    }
}

impl<T: FieldType, A: Readable + Shared> MappedSlice<T, A> {
    /// Writes the dirty pages to the file and waits for the device (`msync(MS_SYNC)`): once it
    /// returns, the data survives a crash of the machine.
    ///
    /// # Errors
    /// [`Error::Io`] with [`Op::Msync`](crate::Op::Msync), e.g. `EIO` from the device.
    ///
    /// ```
    /// # use mapped::MappedSlice;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("ints.bin");
    /// let ints = MappedSlice::<u32>::create_new(&path, 1)?;
    /// ints.set(0, 9)?;
    /// ints.flush()?;
    /// # Ok(()) }
    /// ```
    ///
    /// A private slice has nothing to flush:
    ///
    /// ```compile_fail,E0599
    /// # use mapped::MappedSlice;
    /// let scratch = MappedSlice::<u8>::open_private("bytes.bin").unwrap();
    /// scratch.flush().unwrap();
    /// ```
    pub fn flush(&self) -> Result<(), Error> {
        self.region.sync(true)
    }

    /// Starts writing the dirty pages to the file without waiting (`msync(MS_ASYNC)`).
    ///
    /// # Errors
    /// [`Error::Io`] with [`Op::Msync`](crate::Op::Msync).
    ///
    /// ```
    /// # use mapped::MappedSlice;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("ints.bin");
    /// MappedSlice::<u32>::create_new(&path, 1)?.flush_async()?;
    /// # Ok(()) }
    /// ```
    pub fn flush_async(&self) -> Result<(), Error> {
        self.region.sync(false)
    }
}

impl<'a, T: FieldType + 'a, A: Readable> IntoIterator for &'a MappedSlice<T, A> {
    type Item = T::Get<'a, A>;
    type IntoIter = Records<'a, T, A>;

    fn into_iter(self) -> Records<'a, T, A> {
        self.iter()
    }
}

impl<T, A> fmt::Debug for MappedSlice<T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MappedSlice")
            .field("type", &std::any::type_name::<T>())
            .field("mode", &std::any::type_name::<A>())
            .field("path", &self.file.path())
            .field("len", &self.len)
            .finish()
    }
}
