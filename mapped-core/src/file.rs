//! The checks every file goes through, whatever is mapped from it: that it is a regular file,
//! when it is opened, and that it still holds what is mapped, when asked.

use std::fs::File;
use std::path::Path;

use crate::error::Error;
use crate::sys::{self, FileStat, RecordFile};

/// Opens an existing `path` (read-write if `writable`; refusing a symbolic link unless
/// `follow_symlinks`) and `fstat`s it. Anything but a regular file — a directory, a FIFO (opened
/// without waiting for a writer), a device, a socket — is refused before it is read, locked or
/// mapped.
///
/// # Errors
/// [`Error::Io`] from `open` or `fstat`; [`Error::NotRegularFile`].
pub(crate) fn open_regular(
    path: &Path,
    writable: bool,
    follow_symlinks: bool,
) -> Result<(File, FileStat), Error> {
    let file = sys::open_existing(path, writable, follow_symlinks)?;
    let stat = sys::stat(&file, path)?;
    if !stat.regular {
        return Err(Error::NotRegularFile {
            path: path.to_path_buf(),
        });
    }
    Ok((file, stat))
}

/// Checks that `file` (at `path`) still holds `needed` bytes: another process may have truncated
/// it under a mapping, and touching the lost pages would raise `SIGBUS`.
///
/// # Errors
/// [`Error::Truncated`] naming both sizes; [`Error::Io`] from `fstat`.
pub(crate) fn check_holds(file: &File, path: &Path, needed: u64) -> Result<(), Error> {
    let found = sys::stat(file, path)?.len;
    if found < needed {
        return Err(Error::Truncated {
            path: path.to_path_buf(),
            needed,
            found,
        });
    }
    Ok(())
}

/// Opens the existing record file at `path` (read-write if `writable`) for a `MappedVec` or a
/// `MappedSlice`, refusing anything but a regular file as [`open_regular`] does.
///
/// # Errors
/// As for [`open_regular`].
pub(crate) fn open_records(path: &Path, writable: bool) -> Result<RecordFile, Error> {
    let (file, stat) = open_regular(path, writable, true)?;
    Ok(RecordFile::from_open(file, path, stat.id))
}
