//! The crate's one error type.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// The system call (or step) that failed, carried by [`Error::Io`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Op {
    /// `open(2)`: opening or creating the file, including `linkat(2)` (or `link(2)`) putting a
    /// new file, once complete, at its path: `EEXIST` from `create_new` when the path is taken;
    /// and `rename(2)` putting an upgraded record file over the old one.
    Open,
    /// `fstat(2)`: reading the file's type and size.
    Stat,
    /// `ftruncate(2)`: sizing a newly created file.
    Ftruncate,
    /// `pread(2)`: reading a file's header before mapping it.
    Read,
    /// `pwrite(2)`: writing a new file's header, or the zeros that reserve a record file's
    /// space on a filesystem without `fallocate`.
    Write,
    /// `mmap(2)`.
    Mmap,
    /// `msync(2)`: [`flush`](crate::Handle::flush) and friends.
    Msync,
    /// `mprotect(2)`: [`make_read_only`](crate::Handle::make_read_only) and friends.
    Mprotect,
    /// `madvise(2)`: [`advise`](crate::Handle::advise).
    Madvise,
    /// `mlock(2)`: [`lock`](crate::Handle::lock).
    Mlock,
    /// `munlock(2)`: [`unlock`](crate::Handle::unlock).
    Munlock,
    /// `flock(2)`: taking a [`MappedVec`](crate::MappedVec) writer's lock (other than finding it
    /// taken, which is [`Error::Locked`]).
    Lock,
    /// `fallocate(2)`: reserving disk space for every byte a writable mapping can reach, when a
    /// file is created or opened read-write and before a [`MappedVec`](crate::MappedVec) grows.
    /// `ENOSPC` when the disk is full. (Where `fallocate` is missing, a `MappedVec` writes zeros
    /// instead, and their failure is [`Op::Write`].)
    Allocate,
    /// `mremap(2)` (or a fresh `mmap` where it is missing): following a file that grew.
    Remap,
    /// `fdatasync(2)`: [`MappedVec::flush`](crate::MappedVec::flush).
    Fsync,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Open => "open",
            Op::Stat => "fstat",
            Op::Ftruncate => "ftruncate",
            Op::Read => "pread",
            Op::Write => "pwrite",
            Op::Mmap => "mmap",
            Op::Msync => "msync",
            Op::Mprotect => "mprotect",
            Op::Madvise => "madvise",
            Op::Mlock => "mlock",
            Op::Munlock => "munlock",
            Op::Lock => "flock",
            Op::Allocate => "fallocate",
            Op::Remap => "mremap",
            Op::Fsync => "fdatasync",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything that can go wrong when mapping, flushing or re-protecting a struct.
///
/// Each variant that concerns a file names its path; an anonymous mapping has an empty path,
/// displayed as `anonymous mapping`.
///
/// ```
/// use mapped::{Error, Mapped};
/// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Pair { a: u64, b: u64 }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("short.bin");
/// std::fs::write(&path, [0u8; 3])?;
/// match Pair::open(&path) {
///     Err(Error::FileTooSmall { needed: 16, found: 3, .. }) => {}
///     other => panic!("expected FileTooSmall, got {:?}", other.err()),
/// }
/// assert!(std::fs::read(&path)? == [0u8; 3], "a rejected file is left untouched");
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A system call failed.
    Io {
        /// Which call.
        op: Op,
        /// The file it concerned.
        path: PathBuf,
        /// The OS error (`errno`).
        source: io::Error,
    },
    /// The file holds fewer bytes than the mapping needs; it was not mapped (mapping it would raise
    /// `SIGBUS` on the first access past its end) and not modified.
    FileTooSmall {
        /// The file.
        path: PathBuf,
        /// Bytes the mapping needs: offset plus the struct's size (plus a header, if any).
        needed: u64,
        /// Bytes the file has.
        found: u64,
    },
    /// The requested offset is not a multiple of the struct's alignment.
    Misaligned {
        /// The file.
        path: PathBuf,
        /// The requested offset.
        offset: u64,
        /// The alignment the offset must be a multiple of.
        align: usize,
    },
    /// The requested offset plus the struct's size does not fit in a file offset (`off_t`).
    OffsetOverflow {
        /// The file.
        path: PathBuf,
        /// The requested offset.
        offset: u64,
        /// The size of what would be mapped there.
        size: usize,
    },
    /// The path names something that cannot be mapped as a record: a directory, FIFO, device,
    /// socket...
    NotRegularFile {
        /// The path.
        path: PathBuf,
    },
    /// An index past the end of an array field, a [`MappedVec`](crate::MappedVec) or a
    /// [`MappedSlice`](crate::MappedSlice); nothing was written.
    IndexOutOfBounds {
        /// The index asked for.
        index: usize,
        /// The array's (or the records') length.
        len: usize,
    },
    /// The file was cut short (by another process) after it was mapped: the pages past its new end
    /// would raise `SIGBUS` if touched. Reported by [`Handle::check_file`](crate::Handle::check_file)
    /// before any access.
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes the mapping reaches.
        needed: u64,
        /// Bytes the file holds now.
        found: u64,
    },
    /// The file does not start with the struct's magic bytes: it is not a file of this format.
    /// It was not mapped and not modified.
    BadMagic {
        /// The file.
        path: PathBuf,
        /// The magic `#[mapped(magic = ...)]` names.
        expected: [u8; 8],
        /// The first eight bytes found.
        found: [u8; 8],
    },
    /// The file's header has another format version than `#[mapped(version = ...)]`.
    VersionMismatch {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The version this build reads and writes.
        expected: u32,
    },
    /// The file was written for a struct of another layout (a field renamed, retyped, moved or
    /// resized), or by a machine of the other byte order.
    LayoutMismatch {
        /// The file.
        path: PathBuf,
        /// This build's layout fingerprint.
        expected_fingerprint: u64,
        /// The fingerprint in the file.
        found_fingerprint: u64,
        /// This build's struct size.
        expected_size: u64,
        /// The struct size in the file.
        found_size: u64,
        /// The file's struct was written in the other byte order.
        foreign_byte_order: bool,
        /// The first field that differs, from the schema in the file's header: for example
        /// "field `qty`: the file has `u32` at offset 16, `Tick` has `u64` at offset 16". `None`
        /// when the fields agree (the difference is then the size, the alignment or the byte
        /// order) or the schema could not be read.
        difference: Option<String>,
    },
    /// The file's header is not in the format this build reads: written by an older version of
    /// this crate (format 1, before headers carried their schema), or not a `mapped` header at
    /// all. It was not mapped and not modified.
    UnsupportedFormat {
        /// The file.
        path: PathBuf,
        /// The header format found (1 for the format before schemas; any other number for bytes
        /// that are no format this crate ever wrote).
        found: u32,
        /// The header format this build reads and writes.
        expected: u32,
    },
    /// [`FileInfo::read`](crate::FileInfo::read) found no header that describes the file: a
    /// struct file without `magic` is the struct's bytes alone, and any other file is not a
    /// `mapped` file.
    NotSelfDescribing {
        /// The file.
        path: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// The schema in the file's header cannot be read (truncated, an unknown type tag, a field
    /// outside its struct...).
    BadSchema {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Another [`MappedVec`](crate::MappedVec) holds the file open for writing, in this process
    /// or another: there is one writer at a time. Opening read-only always works.
    Locked {
        /// The file.
        path: PathBuf,
    },
    /// The file's size is not a whole number of records, so it cannot be a
    /// [`MappedSlice`](crate::MappedSlice) of this record type. It was not mapped.
    NotWholeRecords {
        /// The file.
        path: PathBuf,
        /// The file's size in bytes.
        file_size: u64,
        /// The size of one record.
        record_size: usize,
    },
    /// A field of a record file's header holds a value this build cannot accept, though the magic
    /// and the record type match: the header is corrupt. The file was not mapped or modified.
    BadHeader {
        /// The file.
        path: PathBuf,
        /// The header field.
        field: &'static str,
        /// The value found in the file.
        found: u64,
        /// The value this build expects.
        expected: u64,
    },
    /// The file is larger than this process can address (its size does not fit in a `usize`), so
    /// it cannot be mapped whole as a [`MappedVec`](crate::MappedVec) or
    /// [`MappedSlice`](crate::MappedSlice).
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// The file's size in bytes.
        size: u64,
    },
    /// A [`MappedVec`](crate::MappedVec) writer was copied into a child by `fork`: the child
    /// shares the parent's lock, so only the process that opened the writer may write through it.
    /// Nothing was written. The child may still read through it, drop it (which leaves the
    /// parent's lock alone), or open the file read-only.
    Forked {
        /// The file.
        path: PathBuf,
    },
    /// The file was written by an older build of the type: its fields are a proper prefix of the
    /// type's, which appended `missing`. The file was not mapped or modified; `T::upgrade(path)`
    /// (or `MappedVec::<T>::upgrade(path)`) appends the missing fields, zeroed.
    NeedsUpgrade {
        /// The file.
        path: PathBuf,
        /// The fields the type has beyond the file's, in order.
        missing: Vec<String>,
    },
    /// An upgrade of a struct file (`T::upgrade`, `upgrade(true)`) that the file's header cannot
    /// take: the new schema does not fit the file's schema areas (see `docs/file-formats.md` for
    /// how many fields fit), bytes follow a struct opened at an offset, or the file is of header
    /// format 2, which has no room to grow. The file was not changed.
    UpgradeRefused {
        /// The file.
        path: PathBuf,
        /// Why, and what to do instead.
        reason: String,
    },
    /// The path no longer names the file this handle mapped: it was replaced (by an upgrade, a
    /// rename, or a delete and re-create). The handle still maps the old file, which no writer
    /// updates any more; open the path again to follow it.
    Replaced {
        /// The path, which now names another file (or none).
        path: PathBuf,
    },
    /// A byte range (for a range flush) that does not lie within the mapped struct.
    RangeOutOfBounds {
        /// The file.
        path: PathBuf,
        /// Start of the range, relative to the struct.
        offset: usize,
        /// Length of the range.
        len: usize,
        /// Size of the struct.
        size: usize,
    },
}

struct DisplayPath<'a>(&'a Path);

impl fmt::Display for DisplayPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.as_os_str().is_empty() {
            f.write_str("anonymous mapping")
        } else {
            write!(f, "`{}`", self.0.display())
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { op, path, source } => {
                write!(f, "{op} failed on {}: {source}", DisplayPath(path))
            }
            Error::FileTooSmall {
                path,
                needed,
                found,
            } => write!(
                f,
                "{} is too small: mapping it needs {needed} bytes, the file has {found}",
                DisplayPath(path)
            ),
            Error::Misaligned {
                path,
                offset,
                align,
            } => write!(
                f,
                "offset {offset} in {} is not a multiple of the struct's alignment {align}",
                DisplayPath(path)
            ),
            Error::OffsetOverflow { path, offset, size } => write!(
                f,
                "offset {offset} plus {size} bytes overflows a file offset in {}",
                DisplayPath(path)
            ),
            Error::NotRegularFile { path } => {
                write!(f, "{} is not a regular file", DisplayPath(path))
            }
            Error::Truncated {
                path,
                needed,
                found,
            } => write!(
                f,
                "{} was truncated while mapped: the mapping reaches {needed} bytes, the file now \
                 has {found}",
                DisplayPath(path)
            ),
            Error::BadMagic {
                path,
                expected,
                found,
            } => write!(
                f,
                "{} is not a file of this format: it starts with {:?}, expected the magic {:?}",
                DisplayPath(path),
                found.escape_ascii().to_string(),
                expected.escape_ascii().to_string()
            ),
            Error::VersionMismatch {
                path,
                found,
                expected,
            } => write!(
                f,
                "{} has format version {found}, this program reads version {expected}",
                DisplayPath(path)
            ),
            Error::LayoutMismatch {
                path,
                expected_fingerprint,
                found_fingerprint,
                expected_size,
                found_size,
                foreign_byte_order,
                difference,
            } => {
                if let Some(difference) = difference {
                    write!(
                        f,
                        "{} was written for another layout: {difference}",
                        DisplayPath(path)
                    )
                } else if *foreign_byte_order {
                    write!(
                        f,
                        "{} was written by a machine of the other byte order",
                        DisplayPath(path)
                    )
                } else {
                    write!(
                        f,
                        "{} was written for another layout: fingerprint {found_fingerprint:#018x} \
                         and size {found_size}, expected {expected_fingerprint:#018x} and size \
                         {expected_size}",
                        DisplayPath(path)
                    )
                }
            }
            Error::Locked { path } => write!(
                f,
                "{} is locked: another MappedVec has it open for writing (open it read-only to \
                 follow that writer)",
                DisplayPath(path)
            ),
            Error::NotWholeRecords {
                path,
                file_size,
                record_size,
            } => write!(
                f,
                "{} holds {file_size} bytes, which is not a whole number of {record_size}-byte \
                 records",
                DisplayPath(path)
            ),
            Error::BadHeader {
                path,
                field,
                found,
                expected,
            } => write!(
                f,
                "{} has a corrupt record header: {field} is {found}, expected {expected}",
                DisplayPath(path)
            ),
            Error::UnsupportedFormat {
                path,
                found,
                expected,
            } => write!(
                f,
                "{} has a header of format {found}; this build reads format {expected} (files \
                 from before headers carried their schema must be recreated)",
                DisplayPath(path)
            ),
            Error::NotSelfDescribing { path, reason } => {
                write!(f, "{}: {reason}: not self-describing", DisplayPath(path))
            }
            Error::BadSchema { path, reason } => {
                write!(
                    f,
                    "{} has a schema that cannot be read: {reason}",
                    DisplayPath(path)
                )
            }
            Error::FileTooLarge { path, size } => write!(
                f,
                "{} holds {size} bytes, more than this process can map",
                DisplayPath(path)
            ),
            Error::Forked { path } => write!(
                f,
                "the MappedVec writer of {} was inherited through fork: only the process that \
                 opened it may write (the lock is that process's)",
                DisplayPath(path)
            ),
            Error::NeedsUpgrade { path, missing } => write!(
                f,
                "{} was written by an older layout of the type, which lacks the fields {}: \
                 upgrade it to append them (the file was not changed)",
                DisplayPath(path),
                missing
                    .iter()
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Error::UpgradeRefused { path, reason } => write!(
                f,
                "{} cannot be upgraded in place: {reason} (the file was not changed)",
                DisplayPath(path)
            ),
            Error::Replaced { path } => write!(
                f,
                "{} now names another file than the one mapped (replaced by an upgrade or a \
                 rename): open it again",
                DisplayPath(path)
            ),
            Error::IndexOutOfBounds { index, len } => {
                write!(f, "index {index} is out of bounds for a length of {len}")
            }
            Error::RangeOutOfBounds {
                path,
                offset,
                len,
                size,
            } => write!(
                f,
                "range {offset}..{} is outside the {size}-byte struct mapped from {}",
                offset.saturating_add(*len),
                DisplayPath(path)
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<Error> for io::Error {
    fn from(err: Error) -> io::Error {
        let kind = match &err {
            Error::Io { source, .. } => source.kind(),
            Error::FileTooSmall { .. } | Error::Truncated { .. } => io::ErrorKind::UnexpectedEof,
            Error::BadMagic { .. }
            | Error::VersionMismatch { .. }
            | Error::LayoutMismatch { .. }
            | Error::NotWholeRecords { .. }
            | Error::BadHeader { .. }
            | Error::UnsupportedFormat { .. }
            | Error::NotSelfDescribing { .. }
            | Error::BadSchema { .. } => io::ErrorKind::InvalidData,
            Error::NeedsUpgrade { .. } | Error::UpgradeRefused { .. } => io::ErrorKind::InvalidData,
            Error::Replaced { .. } => io::ErrorKind::NotFound,
            Error::Locked { .. } => io::ErrorKind::WouldBlock,
            Error::Forked { .. } => io::ErrorKind::PermissionDenied,
            _ => io::ErrorKind::InvalidInput,
        };
        io::Error::new(kind, err)
    }
}

impl Error {
    pub(crate) fn io(op: Op, path: &Path, source: impl Into<io::Error>) -> Error {
        Error::Io {
            op,
            path: path.to_path_buf(),
            source: source.into(),
        }
    }

    /// Whether `open` found nothing at the path: what lets `open_or_create` go on to create it.
    pub(crate) fn is_not_found_at_open(&self) -> bool {
        matches!(self, Error::Io { op: Op::Open, source, .. } if source.kind() == io::ErrorKind::NotFound)
    }

    /// The path the error concerns, if it concerns a file.
    ///
    /// ```
    /// let err = mapped_core::Error::NotRegularFile { path: "/dev/null".into() };
    /// assert_eq!(err.path(), Some(std::path::Path::new("/dev/null")));
    /// ```
    pub fn path(&self) -> Option<&Path> {
        match self {
            Error::Io { path, .. }
            | Error::FileTooSmall { path, .. }
            | Error::Misaligned { path, .. }
            | Error::OffsetOverflow { path, .. }
            | Error::NotRegularFile { path }
            | Error::Truncated { path, .. }
            | Error::BadMagic { path, .. }
            | Error::VersionMismatch { path, .. }
            | Error::LayoutMismatch { path, .. }
            | Error::RangeOutOfBounds { path, .. }
            | Error::Locked { path }
            | Error::NotWholeRecords { path, .. }
            | Error::BadHeader { path, .. }
            | Error::FileTooLarge { path, .. }
            | Error::UnsupportedFormat { path, .. }
            | Error::NotSelfDescribing { path, .. }
            | Error::BadSchema { path, .. }
            | Error::NeedsUpgrade { path, .. }
            | Error::UpgradeRefused { path, .. }
            | Error::Replaced { path }
            | Error::Forked { path } => Some(path),
            Error::IndexOutOfBounds { .. } => None,
        }
    }
}
