//! Replacing a file whole: a new file written beside it under a fixed temporary name, then
//! renamed over it, so that its path names the complete old file or the complete new one at every
//! moment, a crash included. Part of the OS layer: system calls only.

use std::fs::{File, OpenOptions, Permissions};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::RecordFile;
use crate::error::{Error, Op};

/// The path a symbolic link (or a chain of them, or a path through linked directories) resolves
/// to: what a replacement must be renamed over, so that the links stay links.
///
/// # Errors
/// [`Op::Open`], e.g. `ENOENT`.
pub(crate) fn resolve(path: &Path) -> Result<PathBuf, Error> {
    std::fs::canonicalize(path).map_err(|e| Error::io(Op::Open, path, e))
}

/// The permission bits of an open file (`fstat`).
///
/// # Errors
/// [`Op::Stat`].
pub(crate) fn permissions(file: &File, path: &Path) -> Result<u32, Error> {
    let metadata = file.metadata().map_err(|e| Error::io(Op::Stat, path, e))?;
    Ok(metadata.mode() & 0o7777)
}

/// Creates `temp` afresh, read-write, with permission bits `mode` (set with `fchmod`, so the
/// umask does not narrow them). What a crashed replacement left there is removed first; a
/// symbolic link there is removed, never followed.
///
/// # Errors
/// [`Op::Open`]; [`Op::Stat`] from `fchmod` or `fstat`.
pub(crate) fn create_fresh(temp: &Path, mode: u32) -> Result<RecordFile, Error> {
    match std::fs::remove_file(temp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(Error::io(Op::Open, temp, e))
        }
        _ => {}
    }
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(temp)
        .map_err(|e| Error::io(Op::Open, temp, e))?;
    file.set_permissions(Permissions::from_mode(mode))
        .map_err(|e| Error::io(Op::Stat, temp, e))?;
    let metadata = file.metadata().map_err(|e| Error::io(Op::Stat, temp, e))?;
    Ok(RecordFile::from_open(
        file,
        temp,
        (metadata.dev(), metadata.ino()),
    ))
}

/// Removes `path`, if it can: a failed replacement's leftover, which the next one replaces
/// anyway.
pub(crate) fn remove(path: &Path) {
    let _ = std::fs::remove_file(path);
}

/// Starts writing `offset..offset + len` of `file` back to the disk, without waiting
/// (`sync_file_range(SYNC_FILE_RANGE_WRITE)` on Linux; nothing elsewhere): so that a long write
/// and the disk work at the same time, and the `fsync` at the end has little left to wait for.
/// A hint: a failure is left for that `fsync` to report.
pub(crate) fn start_writeback(file: &File, offset: u64, len: u64) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
            return;
        };
        // SAFETY: a plain system call on a descriptor `file` keeps open for the duration of the
        // call; it reads no memory of this process. nix has no `sync_file_range`, hence libc.
        let _ = unsafe {
            libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE)
        };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (file, offset, len);
}

/// `fsync`: the file's data and metadata reach the disk.
///
/// # Errors
/// [`Op::Fsync`].
pub(crate) fn sync_all(file: &File, path: &Path) -> Result<(), Error> {
    file.sync_all().map_err(|e| Error::io(Op::Fsync, path, e))
}

/// Renames `temp` over `target` (one atomic `rename`), then `fsync`s their directory so that the
/// rename itself survives a power loss.
///
/// # Errors
/// [`Op::Open`] from `rename` or from opening the directory; [`Op::Fsync`].
pub(crate) fn rename_over(temp: &Path, target: &Path) -> Result<(), Error> {
    std::fs::rename(temp, target).map_err(|e| Error::io(Op::Open, target, e))?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let handle = File::open(dir).map_err(|e| Error::io(Op::Open, dir, e))?;
    sync_all(&handle, dir)
}
