//! Creating a file all at once: built under no name (or a temporary one) and linked into place
//! only when whole, so that nobody ever opens it half made.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use nix::errno::Errno;
use nix::fcntl::OFlag;

use crate::error::{Error, Op};

/// The error of a creation that found its path taken: `EEXIST` from `open`, as `O_EXCL` reports
/// it.
pub(crate) fn already_exists(path: &Path) -> Error {
    Error::io(Op::Open, path, Errno::EEXIST)
}

/// Whether `O_TMPFILE` files can be linked into place through `/proc/self/fd`; cleared for the
/// rest of the process the first time `/proc` turns out not to be mounted.
#[cfg(target_os = "linux")]
pub(super) static UNNAMED_FILES: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(true);

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
