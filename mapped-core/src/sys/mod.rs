//! The OS layer: the only module that makes system calls.
//!
//! Everything above it sees a [`Mapping`]: a region of memory that holds one struct at a known
//! address, unmapped on drop. Page arithmetic (mapping from the page boundary below an unaligned
//! offset, rounding flush ranges out to pages) lives here too. Records files (`MappedVec`,
//! `MappedSlice`) are a [`RecordFile`], kept open for its lock, growth and `fstat`, mapped whole
//! and remapped as it grows.

use std::ffi::c_void;
use std::fs::{File, OpenOptions};
use std::io;
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

mod lock;
mod record;
#[cfg(test)]
mod tests;

pub(crate) use lock::current_generation;
pub(crate) use record::RecordFile;

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

/// Bytes mapped in front of the struct: a file header written when the file is created and
/// checked, before anything is mapped, when it is opened.
pub(crate) struct Prefix<'p> {
    /// The header of a new file; its length is the prefix's length.
    pub(crate) bytes: &'p [u8],
    /// Accepts or rejects the prefix of an existing file.
    pub(crate) check: &'p dyn Fn(&[u8]) -> Result<(), Error>,
}

/// Everything needed to map one struct from a file.
pub(crate) struct FileRequest<'p> {
    pub(crate) path: &'p Path,
    pub(crate) offset: u64,
    pub(crate) size: usize,
    pub(crate) align: usize,
    pub(crate) protection: Protection,
    pub(crate) shared: bool,
    pub(crate) creation: Creation,
    pub(crate) mode: u32,
    pub(crate) populate: bool,
    pub(crate) address_hint: Option<NonZeroUsize>,
    pub(crate) prefix: Option<Prefix<'p>>,
    /// Refuse a path whose last component is a symbolic link (`O_NOFOLLOW`).
    pub(crate) follow_symlinks: bool,
}

impl FileRequest<'_> {
    fn prefix_len(&self) -> usize {
        self.prefix.as_ref().map_or(0, |prefix| prefix.bytes.len())
    }
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

/// Opens (or creates) the file a request names, checks it, and maps the struct.
pub(crate) fn map_file(request: &FileRequest<'_>) -> Result<Mapping, Error> {
    let path = request.path;
    if request.align != 0 && request.offset % request.align as u64 != 0 {
        return Err(Error::Misaligned {
            path: path.to_path_buf(),
            offset: request.offset,
            align: request.align,
        });
    }
    let overflow = || Error::OffsetOverflow {
        path: path.to_path_buf(),
        offset: request.offset,
        size: request.size,
    };
    let end = request
        .offset
        .checked_add(request.prefix_len() as u64)
        .and_then(|end| end.checked_add(request.size as u64))
        .filter(|end| i64::try_from(*end).is_ok())
        .ok_or_else(overflow)?;

    match request.creation {
        Creation::OpenExisting => map_existing(request, end),
        Creation::CreateNew => create_and_map(request, end)?.ok_or_else(|| already_exists(path)),
        // Opening first costs nothing extra when the file is there (the common case); when it is
        // missing, at most one creator's file is linked into place, and the others open it.
        Creation::OpenOrCreate => match map_existing(request, end) {
            Err(err) if err.is_not_found_at_open() => match create_and_map(request, end)? {
                Some(mapping) => Ok(mapping),
                None => map_existing(request, end),
            },
            other => other,
        },
    }
}

/// Maps the struct from an existing file, after checking its type, size and header, and
/// reserving the blocks a writable mapping reaches.
fn map_existing(request: &FileRequest<'_>, end: u64) -> Result<Mapping, Error> {
    let path = request.path;
    let writable = request.shared && request.protection == Protection::ReadWrite;
    let file = open_existing(path, writable, request.follow_symlinks)?;
    let metadata = file.metadata().map_err(|e| Error::io(Op::Stat, path, e))?;
    if !metadata.file_type().is_file() {
        return Err(Error::NotRegularFile {
            path: path.to_path_buf(),
        });
    }
    if metadata.len() < end {
        return Err(Error::FileTooSmall {
            path: path.to_path_buf(),
            needed: end,
            found: metadata.len(),
        });
    }
    if let Some(prefix) = &request.prefix {
        let mut found = vec![0; prefix.bytes.len()];
        file.read_exact_at(&mut found, request.offset)
            .map_err(|e| Error::io(Op::Read, path, e))?;
        (prefix.check)(&found)?;
    }
    if writable {
        // As for a created file, for a sparse file made by other means (`truncate -s`, say).
        reserve_existing(&file, path, request.offset, end, metadata.blocks())?;
    }
    let mut mapping = map_region(&file, request, end)?;
    mapping.file = Some(file);
    Ok(mapping)
}

/// A struct file made but not yet linked at its path.
struct Fresh {
    file: File,
    mapping: Mapping,
}

/// Creates the request's file and maps the struct: sized, its header written, its blocks
/// reserved and mapped before it appears at its path, so nobody ever opens it half-made.
/// `None` if something is already at the path.
fn create_and_map(request: &FileRequest<'_>, end: u64) -> Result<Option<Mapping>, Error> {
    let path = request.path;
    let writable = request.shared && request.protection == Protection::ReadWrite;
    let fresh = create_atomically(
        path,
        request.mode,
        |file| {
            file.set_len(end)
                .map_err(|e| Error::io(Op::Ftruncate, path, e))?;
            if let Some(prefix) = &request.prefix {
                file.write_all_at(prefix.bytes, request.offset)
                    .map_err(|e| Error::io(Op::Write, path, e))?;
            }
            if writable {
                // Blocks for every byte a setter can reach, so a full disk is this error now
                // rather than a SIGBUS at some later write into a hole.
                allocate_range(&file, path, request.offset, end - request.offset)?;
            }
            let mapping = map_region(&file, request, end)?;
            Ok(Fresh { file, mapping })
        },
        |fresh| &fresh.file,
    )?;
    Ok(fresh.map(|Fresh { file, mut mapping }| {
        mapping.file = Some(file);
        mapping
    }))
}

/// Maps the request's struct from `file`, which holds `end` bytes; the caller stores the file
/// in the mapping.
fn map_region(file: &File, request: &FileRequest<'_>, end: u64) -> Result<Mapping, Error> {
    let path = request.path;
    let page = page_size() as u64;
    let map_offset = request.offset - request.offset % page;
    let data_offset = (request.offset - map_offset) as usize + request.prefix_len();
    let len = NonZeroUsize::new(data_offset + request.size).ok_or_else(|| Error::FileTooSmall {
        path: path.to_path_buf(),
        needed: 1,
        found: 0,
    })?;
    let mut flags = if request.shared {
        MapFlags::MAP_SHARED
    } else {
        MapFlags::MAP_PRIVATE
    };
    if request.populate {
        flags |= populate_flag();
    }
    // SAFETY: no MAP_FIXED is passed, so the kernel picks an address that overlaps nothing already
    // mapped (the hint is only a hint); `file` is a valid descriptor for the duration of the call;
    // `map_offset` is page aligned and non-negative because `end` fits in an i64.
    let base = unsafe {
        mman::mmap(
            request.address_hint,
            len,
            request.protection.flags(),
            flags,
            file,
            map_offset as i64,
        )
    }
    .map_err(|e| Error::io(Op::Mmap, path, e))?;
    Ok(Mapping {
        base,
        len,
        data_offset,
        data_len: request.size,
        path: path.to_path_buf(),
        file: None,
        file_end: end,
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
fn allocate_range(file: &File, path: &Path, offset: u64, len: u64) -> Result<bool, Error> {
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

/// The error of a creation that found its path taken: `EEXIST` from `open`, as `O_EXCL` reports
/// it.
pub(crate) fn already_exists(path: &Path) -> Error {
    Error::io(Op::Open, path, Errno::EEXIST)
}

/// Whether `O_TMPFILE` files can be linked into place through `/proc/self/fd`; cleared for the
/// rest of the process the first time `/proc` turns out not to be mounted.
#[cfg(target_os = "linux")]
static UNNAMED_FILES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Creates a file at `path` all at once: `build` gets a new file that no other process can
/// open, sizes it, writes it and maps it, and only once it has succeeded is the file linked at
/// `path`. A process that opens the path therefore finds nothing or a whole file, and a creator
/// that fails or is killed half-way leaves nothing there. Returns `None` if something already is
/// at `path` (a file, or a symbolic link, which is never followed); what `build` made is then
/// dropped.
///
/// The new file is an unnamed `O_TMPFILE` in the path's directory on Linux, linked with
/// `linkat` through `/proc/self/fd`: nothing of it outlives a crash. Where the filesystem, the
/// kernel or the platform has no `O_TMPFILE` (or `/proc` is not mounted), it is a uniquely named
/// temporary file in the same directory, linked with `link` and then unlinked; a crash between
/// the two leaves that temporary file, never a half-made one at `path`.
///
/// `file_of` finds the new file in what `build` returns, which must keep it open.
///
/// # Errors
/// [`Op::Open`] if the file cannot be made or linked (`ENOENT` for a missing directory,
/// `EACCES`, ...), and whatever `build` returns.
pub(crate) fn create_atomically<X>(
    path: &Path,
    mode: u32,
    mut build: impl FnMut(File) -> Result<X, Error>,
    file_of: impl Fn(&X) -> &File,
) -> Result<Option<X>, Error> {
    loop {
        let (file, temp) = new_unlinked_file(path, mode)?;
        let built = build(file)?;
        let linked = match &temp {
            Some(temp) => nix::unistd::linkat(
                nix::fcntl::AT_FDCWD,
                temp.0.as_path(),
                nix::fcntl::AT_FDCWD,
                path,
                nix::fcntl::AtFlags::empty(),
            ),
            None => {
                use std::os::fd::AsRawFd;
                let unnamed = format!("/proc/self/fd/{}", file_of(&built).as_raw_fd());
                nix::unistd::linkat(
                    nix::fcntl::AT_FDCWD,
                    unnamed.as_str(),
                    nix::fcntl::AT_FDCWD,
                    path,
                    nix::fcntl::AtFlags::AT_SYMLINK_FOLLOW,
                )
            }
        };
        match linked {
            Ok(()) => return Ok(Some(built)),
            Err(Errno::EEXIST) => return Ok(None),
            #[cfg(target_os = "linux")]
            Err(Errno::ENOENT) if temp.is_none() && !Path::new("/proc/self/fd").is_dir() => {
                // No /proc to name the unnamed file by: build it again under a temporary name.
                UNNAMED_FILES.store(false, Ordering::Relaxed);
            }
            Err(errno) => return Err(Error::io(Op::Open, path, errno)),
        }
    }
}

/// A temporary name of a file being created; unlinked when dropped, whether or not the file was
/// linked at its real path meanwhile.
struct TempName(PathBuf);

impl Drop for TempName {
    fn drop(&mut self) {
        // Failing to remove it only leaves an unused hidden file next to the real one.
        let _ = nix::unistd::unlink(self.0.as_path());
    }
}

/// A new, empty, read-write file in the directory of `path`, with permission bits `mode`, that
/// no other process opens: unnamed (`O_TMPFILE`) where possible, else under a temporary name,
/// returned with it.
fn new_unlinked_file(path: &Path, mode: u32) -> Result<(File, Option<TempName>), Error> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    #[cfg(target_os = "linux")]
    if UNNAMED_FILES.load(Ordering::Relaxed) {
        use nix::sys::stat::Mode;
        // O_CLOEXEC, as std opens every file. Without O_EXCL, so that it can be linked.
        let flags = OFlag::O_TMPFILE | OFlag::O_RDWR | OFlag::O_CLOEXEC;
        match nix::fcntl::open(dir, flags, Mode::from_bits_truncate(mode)) {
            Ok(fd) => return Ok((File::from(fd), None)),
            // The filesystem or the kernel makes no unnamed files.
            Err(Errno::EOPNOTSUPP | Errno::EISDIR | Errno::EINVAL) => {}
            Err(errno) => return Err(Error::io(Op::Open, path, errno)),
        }
    }
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    loop {
        let name = dir.join(format!(
            ".mapped-{}-{}.tmp",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let created = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .custom_flags((OFlag::O_NOFOLLOW | OFlag::O_NOCTTY).bits())
            .mode(mode)
            .open(&name);
        match created {
            Ok(file) => return Ok((file, Some(TempName(name)))),
            // Left by a process that died with this pid: take the next name.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(Op::Open, path, e)),
        }
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
fn open_existing(path: &Path, writable: bool, follow_symlinks: bool) -> Result<File, Error> {
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

    /// Whether the file still holds every byte this mapping reaches (`fstat` of the file it was
    /// made from). Another process may have truncated it; touching the lost pages would raise
    /// `SIGBUS`. Always `Ok` for anonymous mappings.
    ///
    /// # Errors
    /// [`Error::Truncated`] if the file is now too short; [`Op::Stat`] if `fstat` fails.
    pub(crate) fn check_size(&self) -> Result<(), Error> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let found = file
            .metadata()
            .map_err(|e| Error::io(Op::Stat, &self.path, e))?
            .len();
        if found < self.file_end {
            return Err(Error::Truncated {
                path: self.path.clone(),
                needed: self.file_end,
                found,
            });
        }
        Ok(())
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

    pub(crate) fn advise(&self, advice: MmapAdvise) -> Result<(), Error> {
        // SAFETY: the region is owned by this `Mapping`, and the advice values the safe API passes
        // (normal, random, sequential, will-need) only affect paging, never contents.
        unsafe { mman::madvise(self.base, self.len.get(), advice) }
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
