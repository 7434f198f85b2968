//! The OS layer: the only module that makes system calls.
//!
//! Everything above it sees a [`Mapping`]: a region of memory that holds one struct at a known
//! address, unmapped on drop. Page arithmetic (mapping from the page boundary below an unaligned
//! offset, rounding flush ranges out to pages) lives here too. Records files (`MappedVec`,
//! `MappedSlice`) are a [`RecordFile`], kept open for its lock, growth and `fstat`, mapped whole
//! and remapped as it grows.

use std::ffi::c_void;
use std::fs::{File, OpenOptions};
use std::num::NonZeroUsize;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::mman::{self, MapFlags, MmapAdvise, MsFlags, ProtFlags};
use nix::unistd::{sysconf, SysconfVar};

use crate::error::{Error, Op};

mod create;
mod futex;
mod lock;
mod record;
pub(crate) mod replace;
#[cfg(test)]
mod tests;
mod thread;

pub(crate) use create::{already_exists, create_atomically};
pub(crate) use futex::{wait as futex_wait, wake_all as futex_wake_all, HAS_FUTEX};
pub(crate) use lock::generation as fork_generation;
pub(crate) use lock::{current_generation, UpgradeLock};
pub(crate) use record::RecordFile;
pub(crate) use thread::{current as current_thread, is_dead as thread_is_dead, ThreadName};

/// Memory protection of a mapping. `PROT_EXEC` is deliberately absent.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    None,
    Read,
    ReadWrite,
}

impl Protection {
    fn flags(self) -> ProtFlags {
        match self {
            Protection::None => ProtFlags::PROT_NONE,
            Protection::Read => ProtFlags::PROT_READ,
            Protection::ReadWrite => ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
        }
    }
}

/// Access-pattern advice for [`Handle::advise`](crate::Handle::advise) (`madvise`). Only advice
/// that cannot change the mapping's contents is offered.
///
/// ```
/// # use mapped::{Advice, Mapped};
/// # #[derive(Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
/// # #[repr(C)]
/// # struct Stats { hits: u64 }
/// # fn main() -> Result<(), mapped::Error> {
/// let stats = Stats::anonymous()?;
/// stats.advise(Advice::Random)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Advice {
    /// No special treatment (`MADV_NORMAL`).
    Normal,
    /// Expect random access: read ahead less (`MADV_RANDOM`).
    Random,
    /// Expect sequential access: read ahead more (`MADV_SEQUENTIAL`).
    Sequential,
    /// Expect access soon: start reading the pages in (`MADV_WILLNEED`).
    WillNeed,
}

impl Advice {
    fn to_madvise(self) -> MmapAdvise {
        match self {
            Advice::Normal => MmapAdvise::MADV_NORMAL,
            Advice::Random => MmapAdvise::MADV_RANDOM,
            Advice::Sequential => MmapAdvise::MADV_SEQUENTIAL,
            Advice::WillNeed => MmapAdvise::MADV_WILLNEED,
        }
    }
}

/// How the file is opened when it is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Creation {
    /// The file must exist.
    OpenExisting,
    /// Create it if missing (sized to the mapping), otherwise open it.
    OpenOrCreate,
    /// It must not exist: create it, failing with `EEXIST` if the path is taken.
    CreateNew,
}

/// A live `mmap` region holding one struct; unmapped on drop.
#[derive(Debug)]
pub(crate) struct Mapping {
    /// Start of the region `mmap` returned (page aligned).
    base: NonNull<c_void>,
    /// Length of the region passed to `mmap`.
    len: NonZeroUsize,
    /// Distance from `base` to the struct: the offset's remainder within its page, plus the
    /// prefix.
    data_offset: usize,
    /// Size of the struct at `base + data_offset`.
    data_len: usize,
    /// The mapped file; empty for an anonymous mapping.
    path: PathBuf,
    /// The struct's file, kept open so [`check_size`](Mapping::check_size) can `fstat` the file
    /// this mapping was made from, whatever its path names now; `None` for anonymous and record
    /// mappings (a `RecordFile` holds those).
    file: Option<File>,
    /// Bytes the file must hold for every mapped byte to be backed: offset, header and struct.
    file_end: u64,
}

// SAFETY: a `Mapping` is an address range owned by the whole process; nothing about it is tied to
// the thread that created it, and `munmap` may be called from any thread.
unsafe impl Send for Mapping {}

/// The system page size, read once.
pub(crate) fn page_size() -> usize {
    static PAGE_SIZE: AtomicUsize = AtomicUsize::new(0);
    let cached = PAGE_SIZE.load(Ordering::Relaxed);
    if cached != 0 {
        return cached;
    }
    let size = match sysconf(SysconfVar::PAGE_SIZE) {
        Ok(Some(size)) if size > 0 => size as usize,
        // POSIX requires PAGE_SIZE; 4 KiB is the smallest page on every supported platform, and a
        // smaller assumed page only makes the page-boundary arithmetic map a little more.
        _ => 4096,
    };
    PAGE_SIZE.store(size, Ordering::Relaxed);
    size
}

/// Where and how to map one struct from a file: [`map_file_region`]'s request.
pub(crate) struct Region<'p> {
    /// The file's path, for errors.
    pub(crate) path: &'p Path,
    /// Where the prefix (or, without one, the struct) starts in the file.
    pub(crate) offset: u64,
    /// Bytes of header in front of the struct.
    pub(crate) prefix_len: usize,
    /// Bytes of the struct.
    pub(crate) size: usize,
    pub(crate) protection: Protection,
    pub(crate) shared: bool,
    pub(crate) populate: bool,
    pub(crate) address_hint: Option<NonZeroUsize>,
}

/// Maps `region` of `file`, which holds every byte of it, from the page boundary below its
/// offset. [`Mapping::with_file`] then keeps the file open in the mapping.
pub(crate) fn map_file_region(file: &File, region: &Region<'_>) -> Result<Mapping, Error> {
    let path = region.path;
    let page = page_size() as u64;
    let map_offset = region.offset - region.offset % page;
    let data_offset = (region.offset - map_offset) as usize + region.prefix_len;
    let file_end = region.offset + (region.prefix_len + region.size) as u64;
    let len = NonZeroUsize::new(data_offset + region.size).ok_or_else(|| Error::FileTooSmall {
        path: path.to_path_buf(),
        needed: 1,
        found: 0,
    })?;
    let map_offset = i64::try_from(map_offset).map_err(|_| Error::OffsetOverflow {
        path: path.to_path_buf(),
        offset: region.offset,
        size: region.size,
    })?;
    let mut flags = if region.shared {
        MapFlags::MAP_SHARED
    } else {
        MapFlags::MAP_PRIVATE
    };
    if region.populate {
        flags |= populate_flag();
    }
    // SAFETY: no MAP_FIXED is passed, so the kernel picks an address that overlaps nothing already
    // mapped (the hint is only a hint); `file` is a valid descriptor for the duration of the call;
    // `map_offset` is page aligned and non-negative (checked above).
    let base = unsafe {
        mman::mmap(
            region.address_hint,
            len,
            region.protection.flags(),
            flags,
            file,
            map_offset,
        )
    }
    .map_err(|e| Error::io(Op::Mmap, path, e))?;
    Ok(Mapping {
        base,
        len,
        data_offset,
        data_len: region.size,
        path: path.to_path_buf(),
        file: None,
        file_end,
    })
}

/// Reads exactly `buf.len()` bytes of `file` at `offset` (`pread`).
///
/// # Errors
/// [`Op::Read`], `UnexpectedEof` included.
pub(crate) fn read_at(file: &File, path: &Path, buf: &mut [u8], offset: u64) -> Result<(), Error> {
    file.read_exact_at(buf, offset)
        .map_err(|e| Error::io(Op::Read, path, e))
}

/// Writes all of `buf` to `file` at `offset` (`pwrite`).
///
/// # Errors
/// [`Op::Write`].
pub(crate) fn write_at(file: &File, path: &Path, buf: &[u8], offset: u64) -> Result<(), Error> {
    file.write_all_at(buf, offset)
        .map_err(|e| Error::io(Op::Write, path, e))
}

/// Sets `file`'s size to `len` bytes (`ftruncate`).
///
/// # Errors
/// [`Op::Ftruncate`], e.g. `EFBIG`.
pub(crate) fn set_len(file: &File, path: &Path, len: u64) -> Result<(), Error> {
    file.set_len(len)
        .map_err(|e| Error::io(Op::Ftruncate, path, e))
}

/// `fdatasync`: what was written to `file` (and its size) reaches the disk.
///
/// # Errors
/// [`Op::Fsync`].
pub(crate) fn sync_data(file: &File, path: &Path) -> Result<(), Error> {
    file.sync_data().map_err(|e| Error::io(Op::Fsync, path, e))
}

/// The size and allocation of an open file (`fstat`).
pub(crate) struct FileStat {
    pub(crate) len: u64,
    /// 512-byte blocks allocated (`st_blocks`).
    pub(crate) blocks: u64,
    pub(crate) regular: bool,
    /// The file's identity: device and inode numbers (`st_dev`, `st_ino`).
    pub(crate) id: (u64, u64),
}

/// `fstat` of `file`, whose path is `path`.
///
/// # Errors
/// [`Op::Stat`].
pub(crate) fn stat(file: &File, path: &Path) -> Result<FileStat, Error> {
    let metadata = file.metadata().map_err(|e| Error::io(Op::Stat, path, e))?;
    Ok(FileStat {
        len: metadata.len(),
        blocks: metadata.blocks(),
        regular: metadata.file_type().is_file(),
        id: (metadata.dev(), metadata.ino()),
    })
}

/// Reserves disk blocks for `start..end` of an existing file (whose `st_blocks` the caller has
/// just read) before a writable mapping reaches it, so that a write through the mapping cannot
/// meet a full disk, which the kernel reports with `SIGBUS`. Struct files, `MappedSlice` and
/// `MappedVec` all come through here.
///
/// `st_blocks` can only prove that there is a hole: fewer bytes allocated than the range holds.
/// It cannot prove the opposite, because it also counts blocks that lie outside the range
/// (preallocated past the end with `FALLOC_FL_KEEP_SIZE`, or before the offset) and metadata
/// blocks. Otherwise one `lseek(SEEK_HOLE)` asks; it may report blocks that `fallocate` reserved
/// but nobody wrote as a hole, which only costs an `fallocate` that changes nothing.
///
/// # Errors
/// [`Op::Allocate`], e.g. `ENOSPC`; the file keeps its size and contents.
pub(crate) fn reserve_existing(
    file: &File,
    path: &Path,
    start: u64,
    end: u64,
    blocks: u64,
) -> Result<(), Error> {
    if start >= end {
        return Ok(());
    }
    let surely_sparse = blocks.saturating_mul(512) < end - start;
    if surely_sparse || has_hole(file, start, end) {
        allocate_range(file, path, start, end - start)?;
    }
    Ok(())
}

/// Whether `start..end` of `file` (within its size) may contain a hole: `lseek(SEEK_HOLE)`, one
/// cheap call, instead of an `fallocate` for every open of a file that is already allocated.
/// Where holes cannot be asked about, assumes there may be one.
fn has_hole(file: &File, start: u64, end: u64) -> bool {
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
    {
        use nix::unistd::{lseek, Whence};
        let Ok(start) = i64::try_from(start) else {
            return true;
        };
        match lseek(file, start, Whence::SeekHole) {
            Ok(hole) => u64::try_from(hole).map_or(true, |hole| hole < end),
            Err(_) => true,
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
    {
        let _ = (file, start, end);
        true
    }
}

/// Reserves disk blocks for `offset..offset + len` of `file` (`fallocate`, Linux), so writes
/// through a mapping there cannot meet a full disk. Returns whether the filesystem could: where it
/// has no `fallocate`, nothing is reserved and the caller carries on as plain `mmap` code does.
///
/// # Errors
/// [`Op::Allocate`], e.g. `ENOSPC` or `EFBIG`.
pub(crate) fn allocate_range(
    file: &File,
    path: &Path,
    offset: u64,
    len: u64,
) -> Result<bool, Error> {
    #[cfg(target_os = "linux")]
    {
        use nix::fcntl::{fallocate, FallocateFlags};
        let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
            return Err(Error::OffsetOverflow {
                path: path.to_path_buf(),
                offset,
                size: usize::try_from(len).unwrap_or(usize::MAX),
            });
        };
        if len == 0 {
            return Ok(true);
        }
        loop {
            match fallocate(file, FallocateFlags::empty(), offset, len) {
                Ok(()) => return Ok(true),
                Err(Errno::EINTR) => continue,
                Err(Errno::EOPNOTSUPP | Errno::ENOSYS) => return Ok(false),
                Err(errno) => return Err(Error::io(Op::Allocate, path, errno)),
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (file, path, offset, len);
        Ok(false)
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn populate_flag() -> MapFlags {
    MapFlags::MAP_POPULATE
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn populate_flag() -> MapFlags {
    MapFlags::empty()
}

/// Opens an existing `path` for reading (and writing, if `writable`), refusing a symbolic link
/// unless `follow_symlinks`. The descriptor is `O_CLOEXEC`, as std opens every file.
pub(crate) fn open_existing(
    path: &Path,
    writable: bool,
    follow_symlinks: bool,
) -> Result<File, Error> {
    // O_NONBLOCK: opening a FIFO must fail the regular-file check, not wait for a writer.
    // O_NOCTTY: opening a terminal must not make it ours. Neither changes regular files.
    let mut flags = OFlag::O_NONBLOCK | OFlag::O_NOCTTY;
    if !follow_symlinks {
        flags |= OFlag::O_NOFOLLOW;
    }
    OpenOptions::new()
        .read(true)
        .write(writable)
        .custom_flags(flags.bits())
        .open(path)
        .map_err(|e| Error::io(Op::Open, path, e))
}

/// Maps `size` zeroed bytes shared with children forked later.
pub(crate) fn map_anonymous(
    size: usize,
    populate: bool,
    address_hint: Option<NonZeroUsize>,
) -> Result<Mapping, Error> {
    let path = PathBuf::new();
    let len = NonZeroUsize::new(size).ok_or_else(|| Error::FileTooSmall {
        path: path.clone(),
        needed: 1,
        found: 0,
    })?;
    let mut flags = MapFlags::MAP_SHARED;
    if populate {
        flags |= populate_flag();
    }
    // SAFETY: no MAP_FIXED, so the new region overlaps nothing already mapped; an anonymous
    // mapping has no file to outlive or to be truncated under it.
    let base =
        unsafe { mman::mmap_anonymous(address_hint, len, Protection::ReadWrite.flags(), flags) }
            .map_err(|e| Error::io(Op::Mmap, &path, e))?;
    Ok(Mapping {
        base,
        len,
        data_offset: 0,
        data_len: size,
        path,
        file: None,
        file_end: 0,
    })
}

impl Mapping {
    /// Address of the struct: `base` plus the offset's remainder within its page.
    pub(crate) fn data(&self) -> NonNull<u8> {
        let base = self.base.cast::<u8>();
        // SAFETY: `data_offset + data_len <= len`, so the result is within (or one past) the
        // region `mmap` returned, which is a single allocation.
        unsafe { base.add(self.data_offset) }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn data_len(&self) -> usize {
        self.data_len
    }

    /// `msync` over `range` bytes of the struct, widened to whole pages.
    pub(crate) fn sync(&self, offset: usize, len: usize, wait: bool) -> Result<(), Error> {
        let end = offset
            .checked_add(len)
            .filter(|end| *end <= self.data_len)
            .ok_or_else(|| Error::RangeOutOfBounds {
                path: self.path.clone(),
                offset,
                len,
                size: self.data_len,
            })?;
        if len == 0 {
            return Ok(());
        }
        let start = self.data_offset + offset;
        let page_start = start - start % page_size();
        let flags = if wait {
            MsFlags::MS_SYNC
        } else {
            MsFlags::MS_ASYNC
        };
        // SAFETY: `page_start` is page aligned and `page_start..data_offset + end` lies within the
        // region this `Mapping` owns; msync does not change memory contents.
        unsafe {
            mman::msync(
                self.base.byte_add(page_start),
                self.data_offset + end - page_start,
                flags,
            )
        }
        .map_err(|e| Error::io(Op::Msync, &self.path, e))
    }

    /// The mapped file, kept open so that it can be `fstat`ed whatever its path names now; `None`
    /// for an anonymous mapping and for a record file's (its `RecordFile` holds the file).
    pub(crate) fn file(&self) -> Option<&File> {
        self.file.as_ref()
    }

    /// The mapping, keeping `file` (the one it was made from) open for [`file`](Self::file).
    pub(crate) fn with_file(mut self, file: File) -> Mapping {
        self.file = Some(file);
        self
    }

    /// Bytes the file must hold for every mapped byte to be backed: offset, header and struct.
    pub(crate) fn file_end(&self) -> u64 {
        self.file_end
    }

    /// `msync` over the whole region: the struct and any header in front of it.
    pub(crate) fn sync_all(&self, wait: bool) -> Result<(), Error> {
        let flags = if wait {
            MsFlags::MS_SYNC
        } else {
            MsFlags::MS_ASYNC
        };
        // SAFETY: the region is owned by this `Mapping` and `base` is page aligned; msync does not
        // change memory contents.
        unsafe { mman::msync(self.base, self.len.get(), flags) }
            .map_err(|e| Error::io(Op::Msync, &self.path, e))
    }

    /// `mprotect` over the whole region.
    pub(crate) fn protect(&self, protection: Protection) -> Result<(), Error> {
        // SAFETY: the region is owned by this `Mapping`. The callers change protection only while
        // holding the handle by value, so no view or reference into it exists that the new
        // protection could invalidate.
        unsafe { mman::mprotect(self.base, self.len.get(), protection.flags()) }
            .map_err(|e| Error::io(Op::Mprotect, &self.path, e))
    }

    pub(crate) fn advise(&self, advice: Advice) -> Result<(), Error> {
        // SAFETY: the region is owned by this `Mapping`, and the advice values the safe API passes
        // (normal, random, sequential, will-need) only affect paging, never contents.
        unsafe { mman::madvise(self.base, self.len.get(), advice.to_madvise()) }
            .map_err(|e| Error::io(Op::Madvise, &self.path, e))
    }

    pub(crate) fn lock(&self) -> Result<(), Error> {
        // SAFETY: the region is owned by this `Mapping`; locking pins pages and changes no
        // contents.
        unsafe { mman::mlock(self.base, self.len.get()) }
            .map_err(|e| Error::io(Op::Mlock, &self.path, e))
    }

    pub(crate) fn unlock(&self) -> Result<(), Error> {
        // SAFETY: as for `lock`.
        unsafe { mman::munlock(self.base, self.len.get()) }
            .map_err(|e| Error::io(Op::Munlock, &self.path, e))
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: the region was returned by `mmap` with this length and is unmapped only here.
        // Every view and reference into it borrows the handle that owns this `Mapping`, so none
        // outlives it.
        let result = unsafe { mman::munmap(self.base, self.len.get()) };
        // munmap fails only for an address range that is not a mapping, which would be a bug here.
        debug_assert!(result.is_ok(), "munmap failed: {result:?}");
    }
}
