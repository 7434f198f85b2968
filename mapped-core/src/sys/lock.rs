//! The writer's lock of a record file, and the fork generation that tells a writer it was copied
//! into a child.
//!
//! `flock` locks belong to the open file description, which `fork` shares with the child. So a
//! writer copied into a child would hold the parent's lock too: its writes would interleave with
//! the parent's, and its `LOCK_UN` on drop would release the parent's lock for a second writer.
//! A `pthread_atfork` child handler bumps a process-wide generation, so a writer can tell, with
//! one load, whether it is running in the process that took its lock.

use std::cell::UnsafeCell;
use std::fs::File;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::OnceLock;

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};

/// How many times this process's ancestry forked since the handler was registered: 0 in the
/// process that registered it, bumped in every child.
///
/// A plain integer rather than an atomic, so that a writer's check is a load the compiler may
/// schedule freely (an atomic load, even `Relaxed`, keeps LLVM from holding the writer's own
/// fields in registers across it, which costs `push` several instructions).
static GENERATION: Generation = Generation(UnsafeCell::new(0));

struct Generation(UnsafeCell<u64>);

// SAFETY: the value is written only by `bump_in_child`, which runs in a child just created by
// `fork`, before `fork` returns there, on the child's only thread (POSIX: the child has exactly
// one thread); threads the child starts later are started after that write, which happens-before
// everything they do. The parent never writes it. So no thread ever reads it while another writes.
unsafe impl Sync for Generation {}

/// Whether registering the handler succeeded (`pthread_atfork`'s result), once per process.
static REGISTERED: OnceLock<Result<(), Errno>> = OnceLock::new();

extern "C" fn bump_in_child() {
    // SAFETY: the child's only thread, as `Generation`'s `Sync` argues: no concurrent access. A
    // plain add, which is async-signal-safe as code run in a forked child must be.
    unsafe { *GENERATION.0.get() += 1 };
}

/// The generation of this process, with the fork handler registered first, so that any fork after
/// this call is seen.
///
/// # Errors
/// The `errno` of `pthread_atfork` (`ENOMEM`): without the handler a fork could not be detected.
pub(crate) fn generation() -> Result<u64, Errno> {
    let registered = REGISTERED.get_or_init(|| {
        // SAFETY: `bump_in_child` is an `extern "C" fn()` with no preconditions that stays valid
        // for the life of the process (a static function); the handler only touches an atomic,
        // which is async-signal-safe as POSIX requires of code run in a child after `fork`.
        let result = unsafe { libc::pthread_atfork(None, None, Some(bump_in_child)) };
        match result {
            0 => Ok(()),
            errno => Err(Errno::from_raw(errno)),
        }
    });
    registered.map(|()| current_generation())
}

/// The generation now: one load, for hot paths that compare it with the one recorded when their
/// lock was taken. The atfork handler runs in the child before `fork` returns there, on the same
/// thread, so program order alone makes its bump visible.
#[inline(always)]
pub(crate) fn current_generation() -> u64 {
    // SAFETY: a read; the only write happens where no other thread exists (see `Generation`).
    unsafe { *GENERATION.0.get() }
}

/// An exclusive `flock` on a file, released on drop only by the process that took it.
#[derive(Debug)]
pub(crate) struct WriterLock {
    locked: ManuallyDrop<Flock<File>>,
    /// The fork generation when the lock was taken.
    generation: u64,
}

impl WriterLock {
    /// `flock(LOCK_EX | LOCK_NB)` on `file`.
    ///
    /// # Errors
    /// The file back with the `errno`: `EWOULDBLOCK` if another open file holds the lock,
    /// `ENOMEM` if the fork handler could not be registered.
    pub(crate) fn take(file: File) -> Result<Self, (File, Errno)> {
        let generation = match generation() {
            Ok(generation) => generation,
            Err(errno) => return Err((file, errno)),
        };
        let locked = Flock::lock(file, FlockArg::LockExclusiveNonblock)?;
        Ok(WriterLock {
            locked: ManuallyDrop::new(locked),
            generation,
        })
    }

    /// The fork generation the lock was taken in.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether this is a copy inherited through `fork`: the lock is then the parent's.
    pub(crate) fn inherited(&self) -> bool {
        current_generation() != self.generation
    }
}

impl Deref for WriterLock {
    type Target = File;

    fn deref(&self) -> &File {
        &self.locked
    }
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        // SAFETY: `locked` is taken exactly once, here, and never used again.
        let locked = unsafe { ManuallyDrop::take(&mut self.locked) };
        if !self.inherited() {
            // `LOCK_UN`, then close.
            drop(locked);
            return;
        }
        // A forked copy: close this descriptor without `LOCK_UN`, which would release the lock the
        // parent still holds through the same open file description.
        let fd = locked.as_raw_fd();
        std::mem::forget(locked);
        // SAFETY: `fd` was owned by the `File` inside the `Flock` just forgotten, so no one else
        // will close it; `OwnedFd` takes that ownership and closes it exactly once.
        drop(unsafe { OwnedFd::from_raw_fd(fd) });
    }
}

/// An exclusive `flock` that serialises the upgrades of a struct file, released on drop.
#[derive(Debug)]
pub(crate) struct UpgradeLock {
    _locked: Flock<File>,
}

impl UpgradeLock {
    /// `flock(LOCK_EX)` on a duplicate of `file`'s descriptor, waiting for another upgrader (a
    /// lock belongs to the open file description, which the duplicate shares).
    ///
    /// # Errors
    /// [`Op::Lock`](crate::Op::Lock) (`dup` failing is reported there too).
    pub(crate) fn take(file: &File, path: &std::path::Path) -> Result<Self, crate::Error> {
        let mut copy = file
            .try_clone()
            .map_err(|e| crate::Error::io(crate::Op::Lock, path, e))?;
        loop {
            match Flock::lock(copy, FlockArg::LockExclusive) {
                Ok(locked) => return Ok(UpgradeLock { _locked: locked }),
                Err((back, Errno::EINTR)) => copy = back,
                Err((_, errno)) => return Err(crate::Error::io(crate::Op::Lock, path, errno)),
            }
        }
    }
}
