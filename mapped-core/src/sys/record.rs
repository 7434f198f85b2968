//! Record files: a file kept open for as long as its records are mapped, grown in place, and
//! locked by its one writer. Part of the OS layer: only `sys` calls `nix`.

use std::fs::File;
use std::num::NonZeroUsize;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::sys::mman::{self, MapFlags};

use super::lock::WriterLock;
use super::{allocate_range, create_atomically, reserve_existing, Mapping, Protection};
use crate::error::{Error, Op};

/// A file whose records are mapped as a whole, kept open for as long as they are: to `fstat` it
/// when following a writer, to grow it, and to hold a writer's lock.
#[derive(Debug)]
pub(crate) struct RecordFile {
    file: Held,
    path: PathBuf,
    /// The open file's device and inode numbers, to tell whether `path` still names it.
    id: (u64, u64),
    /// `path` made absolute when the file was opened, so that the process changing its working
    /// directory later does not make a relative path seem to name another file.
    absolute: PathBuf,
}

/// `path` made absolute against the working directory now (`getcwd`, for a relative path only);
/// `path` itself if that fails.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[derive(Debug)]
enum Held {
    Plain(File),
    /// Locked with `flock(LOCK_EX)`; unlocked when dropped, just before the file is closed, unless
    /// this is a copy a forked child inherited.
    Locked(WriterLock),
}

impl RecordFile {
    /// A record file of `file`, just opened at `path` (and checked: see `crate::file`), whose
    /// `fstat` gave device and inode numbers `id`.
    pub(crate) fn from_open(file: File, path: &Path, id: (u64, u64)) -> Self {
        RecordFile {
            file: Held::Plain(file),
            path: path.to_path_buf(),
            id,
            absolute: absolute(path),
        }
    }

    /// Creates a file at `path` with permission bits `mode`, all at once (see
    /// [`create_atomically`]): `build` gets the new, read-write file while no other process can
    /// open it, locks it if it is to be written, writes its header, reserves its space and maps
    /// it; only then is it linked at `path`. `None` if something is already there.
    ///
    /// `record_file_of` finds the `RecordFile` in what `build` returns.
    pub(crate) fn create<X>(
        path: &Path,
        mode: u32,
        mut build: impl FnMut(RecordFile) -> Result<X, Error>,
        record_file_of: impl Fn(&X) -> &RecordFile,
    ) -> Result<Option<X>, Error> {
        create_atomically(
            path,
            mode,
            |file| {
                let metadata = file.metadata().map_err(|e| Error::io(Op::Stat, path, e))?;
                build(RecordFile {
                    file: Held::Plain(file),
                    path: path.to_path_buf(),
                    id: (metadata.dev(), metadata.ino()),
                    absolute: absolute(path),
                })
            },
            |built| record_file_of(built).file(),
        )
    }

    /// Takes the writer's lock: `flock(LOCK_EX | LOCK_NB)`, held until `self` is dropped. It
    /// belongs to this open file, so a second open of the same path, in this process or another,
    /// cannot take it; a process that dies releases it with its descriptors.
    pub(crate) fn lock_exclusive(self) -> Result<Self, Error> {
        let RecordFile {
            file,
            path,
            id,
            absolute,
        } = self;
        let file = match file {
            Held::Plain(file) => file,
            locked @ Held::Locked(_) => {
                return Ok(RecordFile {
                    file: locked,
                    path,
                    id,
                    absolute,
                })
            }
        };
        match WriterLock::take(file) {
            Ok(locked) => Ok(RecordFile {
                file: Held::Locked(locked),
                path,
                id,
                absolute,
            }),
            Err((_, Errno::EWOULDBLOCK)) => Err(Error::Locked { path }),
            Err((_, errno)) => Err(Error::io(Op::Lock, &path, errno)),
        }
    }

    /// The open file.
    pub(crate) fn file(&self) -> &File {
        match &self.file {
            Held::Plain(file) => file,
            Held::Locked(locked) => locked,
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The fork generation the writer's lock was taken in (see [`super::lock`]), or `None`
    /// without a lock.
    pub(crate) fn lock_generation(&self) -> Option<u64> {
        match &self.file {
            Held::Plain(_) => None,
            Held::Locked(locked) => Some(locked.generation()),
        }
    }

    /// Whether the path still names this open file: `stat` of the path (following symbolic
    /// links, as opening it did) against the device and inode numbers of the descriptor. `false`
    /// once the file was renamed over (an upgrade), moved away or deleted.
    ///
    /// # Errors
    /// [`Op::Stat`] for a failure other than the path naming nothing.
    pub(crate) fn still_at_path(&self) -> Result<bool, Error> {
        // `stat(2)` through nix, which passes a short path from the stack: no allocation.
        match nix::sys::stat::stat(&self.absolute) {
            // `dev_t` and `ino_t` are `u64` on Linux, narrower or signed elsewhere.
            #[allow(clippy::unnecessary_cast)]
            Ok(stat) => Ok((stat.st_dev as u64, stat.st_ino as u64) == self.id),
            Err(Errno::ENOENT | Errno::ENOTDIR) => Ok(false),
            Err(errno) => Err(Error::io(Op::Stat, &self.path, errno)),
        }
    }

    /// The file's size now (`fstat`).
    pub(crate) fn size(&self) -> Result<u64, Error> {
        self.file()
            .metadata()
            .map(|metadata| metadata.len())
            .map_err(|e| Error::io(Op::Stat, &self.path, e))
    }

    /// Reads exactly `buf.len()` bytes at `offset` (`pread`).
    pub(crate) fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<(), Error> {
        self.file()
            .read_exact_at(buf, offset)
            .map_err(|e| Error::io(Op::Read, &self.path, e))
    }

    /// Writes all of `buf` at `offset` (`pwrite`).
    pub(crate) fn write_at(&self, buf: &[u8], offset: u64) -> Result<(), Error> {
        self.file()
            .write_all_at(buf, offset)
            .map_err(|e| Error::io(Op::Write, &self.path, e))
    }

    /// Makes the file at least `offset + len` bytes long, with disk blocks reserved for that
    /// range, so that a later write through a mapping cannot find the disk full (which the kernel
    /// reports with `SIGBUS`). `fallocate` on Linux; where the filesystem or platform has none,
    /// the part past the end of the file is written with zeros, which allocates it too (what lies
    /// inside the file already is left alone: overwriting it could race with other writers).
    ///
    /// # Errors
    /// [`Op::Allocate`], e.g. `ENOSPC`; the file then keeps its size.
    pub(crate) fn allocate(&self, offset: u64, len: u64) -> Result<(), Error> {
        let end = offset
            .checked_add(len)
            .filter(|end| i64::try_from(*end).is_ok());
        let Some(end) = end else {
            return Err(Error::OffsetOverflow {
                path: self.path.clone(),
                offset,
                size: usize::try_from(len).unwrap_or(usize::MAX),
            });
        };
        if allocate_range(self.file(), &self.path, offset, len)? {
            return Ok(());
        }
        // No fallocate on this filesystem or platform: write zeros past the end instead.
        let size = self.size()?;
        if end <= size {
            return Ok(());
        }
        self.fill_zeros(size.max(offset), end).inspect_err(|_| {
            // Leave the file as it was. Failing to cut it back only leaves zeros past the
            // records, which no count covers.
            let _ = self.file().set_len(size);
        })
    }

    /// Writes zeros over `start..end`, which lies at or past the end of the file.
    ///
    /// # Errors
    /// [`Op::Write`]: these are `pwrite`s, whatever they are for.
    fn fill_zeros(&self, start: u64, end: u64) -> Result<(), Error> {
        const CHUNK: usize = 64 * 1024;
        let zeros = [0u8; CHUNK];
        let mut at = start;
        while at < end {
            let n = (end - at).min(CHUNK as u64) as usize;
            self.file()
                .write_all_at(&zeros[..n], at)
                .map_err(|e| Error::io(Op::Write, &self.path, e))?;
            at += n as u64;
        }
        Ok(())
    }

    /// Reserves the blocks under `start..end`, which the file already holds, before a writable
    /// mapping reaches them (a sparse copy, an interrupted growth): `fstat` for `st_blocks`, then
    /// [`reserve_existing`].
    ///
    /// # Errors
    /// [`Op::Stat`]; [`Op::Allocate`], e.g. `ENOSPC`.
    pub(crate) fn reserve(&self, start: u64, end: u64) -> Result<(), Error> {
        let blocks = self
            .file()
            .metadata()
            .map_err(|e| Error::io(Op::Stat, &self.path, e))?
            .blocks();
        reserve_existing(self.file(), &self.path, start, end, blocks)
    }

    /// Sets the file's length (`ftruncate`).
    ///
    /// # Errors
    /// [`Op::Ftruncate`].
    pub(crate) fn set_len(&self, len: u64) -> Result<(), Error> {
        super::set_len(self.file(), &self.path, len)
    }

    /// `fdatasync`: the file's size and block allocation reach the disk.
    pub(crate) fn sync_data(&self) -> Result<(), Error> {
        self.file()
            .sync_data()
            .map_err(|e| Error::io(Op::Fsync, &self.path, e))
    }

    /// Maps the file's first `len` bytes (`len > 0`), from offset 0. The caller has checked that
    /// the file holds them.
    pub(crate) fn map(
        &self,
        len: NonZeroUsize,
        protection: Protection,
        shared: bool,
    ) -> Result<Mapping, Error> {
        let flags = if shared {
            MapFlags::MAP_SHARED
        } else {
            MapFlags::MAP_PRIVATE
        };
        // SAFETY: no MAP_FIXED, so the kernel picks an address that overlaps nothing already
        // mapped; the descriptor is valid for the duration of the call; offset 0 is page aligned.
        let base = unsafe { mman::mmap(None, len, protection.flags(), flags, self.file(), 0) }
            .map_err(|e| Error::io(Op::Mmap, &self.path, e))?;
        Ok(Mapping {
            base,
            len,
            data_offset: 0,
            data_len: len.get(),
            path: self.path.clone(),
            file: None,
            file_end: len.get() as u64,
        })
    }
}

impl Mapping {
    /// Resizes a mapping made by [`RecordFile::map`] to the file's first `new_len` bytes, which
    /// the file holds: `mremap(MREMAP_MAYMOVE)` on Linux, a fresh `mmap` and an `munmap` of the
    /// old region elsewhere. The region may move.
    ///
    /// The caller holds the mapping's owner by `&mut`, and every view or reference into the
    /// mapping borrows that owner, so none is live to be left dangling by the move.
    ///
    /// # Errors
    /// [`Op::Remap`] or [`Op::Mmap`]; the old mapping is then unchanged.
    pub(crate) fn remap(
        &mut self,
        file: &RecordFile,
        new_len: NonZeroUsize,
        protection: Protection,
        shared: bool,
    ) -> Result<(), Error> {
        debug_assert_eq!(self.data_offset, 0, "only whole-file mappings are remapped");
        #[cfg(target_os = "linux")]
        {
            let _ = (file, protection, shared);
            // SAFETY: `base..base + len` is a mapping this `Mapping` owns, with that exact length.
            // MREMAP_MAYMOVE without MREMAP_FIXED lets the kernel move it only to free addresses,
            // never over another mapping. No pointer into the old range survives (the caller
            // holds the owner by `&mut`, see above), and on failure the old mapping is untouched.
            let base = unsafe {
                mman::mremap(
                    self.base,
                    self.len.get(),
                    new_len.get(),
                    mman::MRemapFlags::MREMAP_MAYMOVE,
                    None,
                )
            }
            .map_err(|e| Error::io(Op::Remap, &self.path, e))?;
            self.base = base;
            self.len = new_len;
            self.data_len = new_len.get();
            Ok(())
        }
        #[cfg(not(target_os = "linux"))]
        {
            // Dropping the old mapping unmaps it.
            *self = file.map(new_len, protection, shared)?;
            Ok(())
        }
    }
}
