//! A full disk never turns a write through a writable mapping into `SIGBUS`: every constructor
//! that hands out one has reserved the blocks it can reach, however the file was made.
//!
//! Each case mounts a 1 MiB tmpfs of its own (skipped, with the reason on stderr, where mounting
//! is not allowed: the tests run as root in CI), opens a file there, fills the filesystem, then
//! writes every page through the mapping in a forked child, whose exit the parent checks: a
//! `SIGBUS` kills the child and fails the case. The last case shows the limit the README states:
//! reading a hole of a full tmpfs raises `SIGBUS`, which no mapping can prevent. A
//! `harness = false` binary, because forking a multithreaded test harness is unsound
//! (`tests/common/forked.rs`).

mod common;

use std::fs::File;
use std::io::{ErrorKind, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use common::forked;
use mapped::{Mapped, MappedSlice};
use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

/// 64 KiB: sixteen pages to write.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Big {
    bytes: [u8; 65536],
}

/// A small tmpfs mounted in a temporary directory, unmounted when dropped (also when a case
/// panics), before the directory is removed.
struct Tmpfs {
    mount_point: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` bytes, or says on stderr why it cannot and returns `None`.
    fn mount(size: usize) -> Option<Tmpfs> {
        use nix::mount::{mount, MsFlags};
        let dir = tempfile::tempdir().expect("create temp dir");
        let mount_point = dir.path().join("tmpfs");
        std::fs::create_dir(&mount_point).expect("create mount point");
        let options = format!("size={size},mode=0700");
        match mount(
            Some("tmpfs"),
            &mount_point,
            Some("tmpfs"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
            Some(options.as_str()),
        ) {
            Ok(()) => Some(Tmpfs {
                mount_point,
                _dir: dir,
            }),
            Err(errno) => {
                eprintln!("skipped: cannot mount a tmpfs ({errno}); this case needs root");
                None
            }
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.mount_point.join(name)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Every child has been reaped and every handle dropped by now; a lazy unmount still
        // detaches the mount if something was left open, so the directory can go.
        if let Err(errno) = nix::mount::umount2(&self.mount_point, nix::mount::MntFlags::MNT_DETACH)
        {
            eprintln!("unmounting {}: {errno}", self.mount_point.display());
        }
    }
}

/// Writes zeros to a new file at `path` until the filesystem is full; returns the bytes written.
/// Panics if it never fills.
fn fill(path: &Path) -> u64 {
    let mut filler = File::create(path).expect("create filler");
    let page = [0u8; 4096];
    let mut written = 0;
    loop {
        match filler.write(&page) {
            Ok(0) => panic!("wrote nothing"),
            Ok(n) => written += n as u64,
            Err(e) if e.raw_os_error() == Some(nix::libc::ENOSPC) => return written,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => panic!("filling the disk: {e}"),
        }
        assert!(written < 1 << 30, "the filesystem never filled");
    }
}

/// Runs `child` in a forked process and fails unless it exits with 0: a child killed by
/// `SIGBUS` wrote into a hole that the full filesystem could not back.
fn in_child_without_sigbus(what: &str, child: impl FnOnce() -> i32) {
    // SAFETY: this binary runs every case on its only thread (harness = false).
    let pid = unsafe { forked::spawn(child) };
    match forked::reap(pid) {
        WaitStatus::Exited(_, 0) => {}
        WaitStatus::Signaled(_, Signal::SIGBUS, _) => {
            panic!("{what}: the write through the mapping raised SIGBUS on a full disk")
        }
        other => panic!("{what}: the child ended with {other:?}"),
    }
}

fn a_slice_of_a_sparse_file_opened_read_write_survives_a_full_disk() {
    let Some(tmpfs) = Tmpfs::mount(1 << 20) else {
        return;
    };
    let path = tmpfs.path("sparse.bin");
    // `truncate -s 512K`: the size, and no blocks.
    File::create(&path).unwrap().set_len(512 * 1024).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().blocks(), 0);

    in_child_without_sigbus("MappedSlice::open", || {
        let slice = match MappedSlice::<u64>::open(&path) {
            Ok(slice) => slice,
            Err(e) => {
                eprintln!("open: {e}");
                return 2;
            }
        };
        fill(&tmpfs.path("filler"));
        // One write per page: each would need a page the full filesystem no longer has, had
        // `open` not reserved them.
        for index in (0..slice.len()).step_by(512) {
            slice.set(index, index as u64 + 1).unwrap();
        }
        let all_there = (0..slice.len())
            .step_by(512)
            .all(|index| slice.get(index) == Some(index as u64 + 1));
        if all_there {
            0
        } else {
            3
        }
    });
    // What the child wrote reached the file.
    let slice = MappedSlice::<u64>::open_read_only(&path).unwrap();
    assert_eq!(slice.get(512), Some(513));
}

fn a_struct_over_a_hole_with_blocks_past_the_end_survives_a_full_disk() {
    let Some(tmpfs) = Tmpfs::mount(1 << 20) else {
        return;
    };
    let path = tmpfs.path("preallocated.bin");
    let file = File::create(&path).unwrap();
    file.set_len(65536).unwrap();
    // Blocks reserved past the end (`fallocate --keep-size`): `st_blocks` now counts as many
    // bytes as the file has, while every byte of the struct is still a hole.
    nix::fcntl::fallocate(
        &file,
        nix::fcntl::FallocateFlags::FALLOC_FL_KEEP_SIZE,
        65536,
        128 * 1024,
    )
    .unwrap();
    let metadata = file.metadata().unwrap();
    assert_eq!(metadata.len(), 65536);
    assert!(metadata.blocks() * 512 >= metadata.len());
    assert_eq!(
        nix::unistd::lseek(&file, 0, nix::unistd::Whence::SeekHole).unwrap(),
        0,
        "the struct's range starts with a hole"
    );
    drop(file);

    in_child_without_sigbus("T::open", || {
        let big = match Big::open(&path) {
            Ok(big) => big,
            Err(e) => {
                eprintln!("open: {e}");
                return 2;
            }
        };
        fill(&tmpfs.path("filler"));
        for at in (0..65536).step_by(4096) {
            big.set_bytes_at(at, 7).unwrap();
        }
        if (0..65536)
            .step_by(4096)
            .all(|at| big.bytes_at(at) == Some(7))
        {
            0
        } else {
            3
        }
    });
    assert_eq!(Big::open_read_only(&path).unwrap().bytes_at(4096), Some(7));
}

/// The limit that no mapping can lift (README, Safety): on tmpfs even reading a hole needs a
/// page, so a reader of a sparse file on a full tmpfs gets `SIGBUS`. Only writable handles
/// reserve blocks; read-only, private and reader handles cannot (they may not write the file),
/// and nothing else can make the read safe. This pins the documented behaviour down: should a
/// kernel ever back such reads without a page, this case fails and the README's note can go.
fn reading_a_hole_on_a_full_tmpfs_raises_sigbus() {
    let Some(tmpfs) = Tmpfs::mount(1 << 20) else {
        return;
    };
    let path = tmpfs.path("sparse.bin");
    File::create(&path).unwrap().set_len(64 * 1024).unwrap();
    let child = || {
        let slice = MappedSlice::<u64>::open_read_only(&path).unwrap();
        fill(&tmpfs.path("filler"));
        // Every page is a hole, which reads as zeros if the filesystem can back it.
        let sum: u64 = (0..slice.len()).step_by(512).map(|i| slice.load(i)).sum();
        i32::from(sum != 0)
    };
    // SAFETY: this binary runs every case on its only thread (harness = false).
    let pid = unsafe { forked::spawn(child) };
    match forked::reap(pid) {
        WaitStatus::Signaled(_, Signal::SIGBUS, _) => {}
        other => panic!("expected SIGBUS from reading a hole on a full tmpfs, got {other:?}"),
    }
}

fn main() -> ExitCode {
    forked::run(&[
        (
            "a_slice_of_a_sparse_file_opened_read_write_survives_a_full_disk",
            a_slice_of_a_sparse_file_opened_read_write_survives_a_full_disk,
        ),
        (
            "a_struct_over_a_hole_with_blocks_past_the_end_survives_a_full_disk",
            a_struct_over_a_hole_with_blocks_past_the_end_survives_a_full_disk,
        ),
        (
            "reading_a_hole_on_a_full_tmpfs_raises_sigbus",
            reading_a_hole_on_a_full_tmpfs_raises_sigbus,
        ),
    ])
}
