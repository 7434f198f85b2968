//! Shared futexes on a word of a record file's header, and the writable mapping of that word a
//! read-only reader sleeps on. Part of the OS layer: the only `libc` calls are `futex`, which nix
//! lacks.
//!
//! The futexes are *shared* (no `FUTEX_PRIVATE_FLAG`): the kernel keys a shared futex in a file
//! mapping by the file's inode and the word's offset, so a waiter and a waker in different
//! processes, each with a mapping of its own, meet on the same key.

use std::num::NonZeroUsize;
use std::os::fd::AsRawFd;
use std::sync::atomic::AtomicU32;
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::mman::{self, MapFlags};

use super::{open_existing, page_size, Mapping, Protection, RecordFile};
use crate::error::{Error, Op};

/// The longest single sleep in [`wait`].
const LONGEST_SLEEP: Duration = Duration::from_secs(3600);

/// Sleeps while `word` holds `expected`, for at most `timeout` (`FUTEX_WAIT`, shared). Returns
/// when woken, when the word no longer holds `expected` (`EAGAIN`), on a signal (`EINTR`), at the
/// timeout, or spuriously: the caller re-checks what it waits for in every case, so which one it
/// was does not matter. A sleep lasts an hour at most. Where there are no futexes (not Linux) it
/// sleeps for a short while (at most `timeout`), which callers treat as a spurious wake-up.
pub(crate) fn wait(word: &AtomicU32, expected: u32, timeout: Duration) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        // Callers loop until their deadline, so a bounded sleep loses nothing, and the kernel
        // never sees a timeout too large to convert.
        let timeout = timeout.min(LONGEST_SLEEP);
        let timeout = libc::timespec {
            tv_sec: libc::time_t::try_from(timeout.as_secs()).unwrap_or(libc::time_t::MAX),
            tv_nsec: timeout.subsec_nanos().into(),
        };
        // SAFETY: `word` is a live, aligned `u32` for the duration of the call (a reference), and
        // `FUTEX_WAIT` only reads it (atomically, in the kernel); `timeout` points to a valid
        // `timespec` on this stack frame, read once; the other arguments are ignored by
        // `FUTEX_WAIT` (futex(2)). An error (EAGAIN, EINTR, ETIMEDOUT) leaves no state behind.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                word.as_ptr(),
                libc::FUTEX_WAIT,
                expected,
                &timeout as *const libc::timespec,
                std::ptr::null::<u32>(),
                0u32,
            );
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = (word, expected);
        std::thread::sleep(timeout.min(Duration::from_millis(1)));
    }
}

/// Wakes every process sleeping in [`wait`] on `word` (`FUTEX_WAKE`, shared).
pub(crate) fn wake_all(word: &AtomicU32) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        // SAFETY: `word` is a live, aligned `u32` (a reference); `FUTEX_WAKE` neither reads nor
        // writes it, it only names the futex key; the timeout and second-address arguments are
        // ignored by `FUTEX_WAKE` (futex(2)). It cannot fail for a valid address; if it did, the
        // sleepers would wake at their own timeouts.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                word.as_ptr(),
                libc::FUTEX_WAKE,
                i32::MAX,
                std::ptr::null::<libc::timespec>(),
                std::ptr::null::<u32>(),
                0u32,
            );
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = word;
    }
}

/// Whether this platform has shared futexes: without them a reader polls.
pub(crate) const HAS_FUTEX: bool = cfg!(any(target_os = "linux", target_os = "android"));

impl RecordFile {
    /// Maps the file's first page read-write and shared, through a second, read-write open of the
    /// very file this `RecordFile` holds (`/proc/self/fd/N`, so never another file that now has
    /// its path). A reader opened read-only uses it to tell the writer that it waits.
    ///
    /// `Ok(None)` where that is not allowed or not possible: no write permission (`EACCES`,
    /// `EPERM`), a read-only filesystem (`EROFS`), no `/proc` (`ENOENT`, `ENOTDIR`). The reader
    /// then polls instead.
    ///
    /// # Errors
    /// [`Op::Open`] or [`Op::Mmap`] for any other failure.
    pub(crate) fn map_first_page_writable(&self) -> Result<Option<Mapping>, Error> {
        let reopen = format!("/proc/self/fd/{}", self.file().as_raw_fd());
        let file = match open_existing(reopen.as_ref(), true, true) {
            Ok(file) => file,
            Err(Error::Io { source, .. }) => {
                let errno = source.raw_os_error().map(Errno::from_raw);
                if matches!(
                    errno,
                    Some(
                        Errno::EACCES
                            | Errno::EPERM
                            | Errno::EROFS
                            | Errno::ENOENT
                            | Errno::ENOTDIR
                    )
                ) {
                    return Ok(None);
                }
                return Err(Error::io(Op::Open, self.path(), source));
            }
            Err(other) => return Err(other),
        };
        let len = NonZeroUsize::new(page_size()).expect("a page is not empty");
        // SAFETY: no MAP_FIXED, so the kernel picks an address that overlaps nothing already
        // mapped; the descriptor is valid for the call (the mapping keeps its own reference to
        // the file, so closing `file` afterwards is fine); offset 0 is page aligned. Bytes past
        // the end of the file are never touched through it: callers read only the header, which
        // the file holds.
        let base = unsafe {
            mman::mmap(
                None,
                len,
                Protection::ReadWrite.flags(),
                MapFlags::MAP_SHARED,
                &file,
                0,
            )
        }
        .map_err(|e| Error::io(Op::Mmap, self.path(), e))?;
        Ok(Some(Mapping {
            base,
            len,
            data_offset: 0,
            data_len: len.get(),
            path: self.path().to_path_buf(),
            file: None,
            file_end: len.get() as u64,
        }))
    }
}
