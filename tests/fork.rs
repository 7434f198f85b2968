//! Parent/child communication through shared mappings after `fork`.
//!
//! `fork` is only sound to follow with arbitrary code in a single-threaded process, so this is a
//! `harness = false` test: `main` runs each case on the main thread, and every child is reaped
//! before the next case starts.

mod common;

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use common::{forked, Stats, TempDir};
use mapped::{Error, Mapped, MappedVec};
use nix::sys::wait::WaitStatus;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Counter {
    total: AtomicU64,
    done: AtomicU64,
}

/// Runs `child` in a forked process and returns its exit code.
fn in_child(child: impl FnOnce() -> i32) -> i32 {
    // SAFETY: this test binary runs every case on its only thread (harness = false).
    let pid = unsafe { forked::spawn(child) };
    match forked::reap(pid) {
        WaitStatus::Exited(_, code) => code,
        other => panic!("child ended abnormally: {other:?}"),
    }
}

fn child_writes_anonymous_memory_the_parent_reads() {
    let shared = Stats::anonymous().unwrap();
    shared.set_hits(1);
    let code = in_child(|| {
        shared.set_hits(shared.hits() + 41);
        shared.set_name(*b"written-by-child");
        0
    });
    assert_eq!(code, 0);
    assert_eq!(shared.hits(), 42);
    assert_eq!(&shared.name(), b"written-by-child");
}

fn parent_writes_a_shared_file_a_child_maps_separately() {
    let tmp = TempDir::new();
    let path = tmp.path("shared.bin");
    let parent = Stats::create_new(&path).unwrap();
    parent.set_misses(5);
    let code = in_child(|| {
        let child = Stats::open(&path).unwrap();
        // Report what the child saw, then change it for the parent.
        let seen = child.misses() as i32;
        child.set_misses(6);
        seen
    });
    assert_eq!(code, 5, "the child saw the parent's write");
    assert_eq!(parent.misses(), 6, "the parent sees the child's write");
}

fn private_writes_stay_in_the_process_that_made_them() {
    let tmp = TempDir::new();
    let path = tmp.path("private.bin");
    Stats::create_new(&path).unwrap().set_hits(7);
    let private = Stats::open_private(&path).unwrap();
    private.set_hits(100);
    let code = in_child(|| {
        let seen = private.hits() as i32; // the child inherits the parent's private copy
        private.set_hits(200);
        let file = Stats::open_read_only(&path).unwrap();
        if file.hits() != 7 {
            return 1;
        }
        seen
    });
    assert_eq!(code, 100);
    assert_eq!(
        private.hits(),
        100,
        "the child's private write does not reach the parent"
    );
    assert_eq!(
        Stats::open_read_only(&path).unwrap().hits(),
        7,
        "nor the file"
    );
}

fn children_counting_on_an_atomic_reach_an_exact_total() {
    const CHILDREN: u64 = 8;
    const ADDS: u64 = 1_000_000;
    let counter = Counter::anonymous().unwrap();
    let mut pids = Vec::new();
    for _ in 0..CHILDREN {
        // SAFETY: single-threaded process, as in `in_child`.
        pids.push(unsafe {
            forked::spawn(|| {
                for _ in 0..ADDS {
                    counter.total().fetch_add(1, Ordering::Relaxed);
                }
                counter.done().fetch_add(1, Ordering::Release);
                0
            })
        });
    }
    for pid in pids {
        assert_eq!(forked::reap(pid), WaitStatus::Exited(pid, 0));
    }
    assert_eq!(counter.done().load(Ordering::Acquire), CHILDREN);
    assert_eq!(counter.total().load(Ordering::Acquire), CHILDREN * ADDS);
}

/// 4 KiB: more than the file size limit the child sets.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Page {
    bytes: [u8; 4096],
}

fn a_file_size_limit_fails_create_new_cleanly() {
    let tmp = TempDir::new();
    let path = tmp.path("page.bin");
    let code = in_child(|| {
        use nix::sys::resource::{setrlimit, Resource};
        use nix::sys::signal::{signal, SigHandler, Signal};
        setrlimit(Resource::RLIMIT_FSIZE, 1024, 1024).unwrap();
        // SAFETY: ignoring a signal installs no handler code; without it, exceeding the limit
        // kills the process (SIGXFSZ) instead of failing the call with EFBIG.
        unsafe { signal(Signal::SIGXFSZ, SigHandler::SigIgn) }.unwrap();
        match Page::create_new(&path) {
            Err(mapped::Error::Io {
                op: mapped::Op::Ftruncate,
                source,
                ..
            }) if source.raw_os_error() == Some(nix::libc::EFBIG) => {
                // Nothing is left at the path.
                i32::from(path.exists())
            }
            Err(other) => {
                eprintln!("unexpected error: {other}");
                2
            }
            Ok(_) => 3,
        }
    });
    assert_eq!(code, 0);
    assert!(!path.exists());
}

fn a_file_without_read_permission_is_an_open_error() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = TempDir::new();
    // The directory may be entered by anyone; the file is its owner's alone.
    std::fs::set_permissions(tmp.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = tmp.path("owner-only.bin");
    Stats::create_new(&path).unwrap();
    let code = in_child(|| {
        use nix::unistd::{setgid, setuid, Gid, Uid};
        if Uid::effective().is_root() {
            // Root reads anything: become `nobody` to meet the permission check.
            setgid(Gid::from_raw(65534)).unwrap();
            setuid(Uid::from_raw(65534)).unwrap();
        }
        match Stats::open_read_only(&path) {
            Err(mapped::Error::Io {
                op: mapped::Op::Open,
                path: p,
                source,
            }) if source.kind() == std::io::ErrorKind::PermissionDenied && p == path => 0,
            Err(other) => {
                eprintln!("unexpected error: {other}");
                2
            }
            Ok(_) => 3,
        }
    });
    assert_eq!(code, 0);
}

/// Exit code of a child that inherited a `MappedVec` writer: 0 when every way of writing is
/// refused with `Error::Forked` and reading still works, else the number of the step that failed.
fn every_write_of_an_inherited_writer_is_refused(log: &mut MappedVec<u64>) -> i32 {
    let forked = |result: Result<(), Error>| matches!(result, Err(Error::Forked { .. }));
    let steps = [
        forked(log.push(99)),
        forked(log.extend_from_slice(&[1, 2])),
        forked(log.extend([3, 4])),
        forked(log.set(0, 5)),
        forked(log.reserve(1_000_000)),
        forked(log.truncate(0)),
        forked(log.clear()),
        log.get_mut(0).is_none(),
        log.get(0) == Some(10) && log.len() == 3,
    ];
    match steps.iter().position(|ok| !ok) {
        None => 0,
        Some(step) => step as i32 + 1,
    }
}

fn a_writer_inherited_through_fork_refuses_to_write() {
    let tmp = TempDir::new();
    let path = tmp.path("log.bin");
    let mut log = MappedVec::<u64>::open_or_create(&path).unwrap();
    log.extend_from_slice(&[10, 11, 12]).unwrap();
    let code = in_child(|| every_write_of_an_inherited_writer_is_refused(&mut log));
    assert_eq!(code, 0, "step {code} of the child's writes was not refused");
    // The parent's writer is untouched and still the one writer.
    log.push(13).unwrap();
    assert_eq!(log.to_vec(), [10, 11, 12, 13]);
    drop(log);
    assert_eq!(MappedVec::<u64>::open_read_only(&path).unwrap().len(), 4);
}

fn a_child_dropping_an_inherited_writer_leaves_the_parent_locked() {
    let tmp = TempDir::new();
    let path = tmp.path("log.bin");
    let mut log = Some(MappedVec::<u64>::open_or_create(&path).unwrap());
    log.as_mut().unwrap().push(1).unwrap();
    let code = in_child(|| {
        // What returning from the child's `main` would do to the copy it inherited.
        drop(log.take());
        // A fresh writable open, in the child, still finds the parent's lock.
        match MappedVec::<u64>::open(&path) {
            Err(Error::Locked { .. }) => 0,
            Err(other) => {
                eprintln!("unexpected error: {other}");
                2
            }
            Ok(_) => 1,
        }
    });
    assert_eq!(code, 0, "the child could take the writer's lock");
    // With the child gone, a second writer is still refused...
    assert!(matches!(
        MappedVec::<u64>::open(&path),
        Err(Error::Locked { .. })
    ));
    // ...until the parent's writer goes.
    let mut log = log.expect("the parent's writer");
    log.push(2).unwrap();
    drop(log);
    assert_eq!(MappedVec::<u64>::open(&path).unwrap().to_vec(), [1, 2]);
}

/// Makes this process's `mprotect` calls fail with `ENOMEM`, as the kernel's do when it cannot
/// split a mapping: those asking for `only_prot`, or every one. A seccomp filter, so the failure
/// is the kernel's own answer to the real call; for a forked child only, since it cannot be undone.
fn refuse_mprotect(only_prot: Option<i32>) {
    use common::seccomp::{install, op};
    use nix::libc::{
        SYS_mprotect, BPF_ABS, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W, ENOMEM,
        SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO,
    };
    // `struct seccomp_data`: the syscall number at byte 0, `args[2]` (the protection) at 32.
    let (load, jump_if, ret) = (
        BPF_LD | BPF_W | BPF_ABS,
        BPF_JMP | BPF_JEQ | BPF_K,
        BPF_RET | BPF_K,
    );
    let refuse = SECCOMP_RET_ERRNO | ENOMEM as u32;
    let mut filter = vec![op(load, 0, 0, 0)];
    match only_prot {
        Some(prot) => filter.extend([
            op(jump_if, 0, 3, SYS_mprotect as u32), // not mprotect: allow
            op(load, 0, 0, 32),
            op(jump_if, 0, 1, prot as u32), // another protection: allow
        ]),
        None => filter.push(op(jump_if, 0, 1, SYS_mprotect as u32)),
    }
    filter.extend([op(ret, 0, 0, refuse), op(ret, 0, 0, SECCOMP_RET_ALLOW)]);
    if let Err(err) = install(&mut filter) {
        panic!("seccomp: {err}");
    }
}

fn a_refused_protection_change_gives_the_handle_back() {
    let code = in_child(|| {
        let stats = Stats::anonymous().unwrap();
        stats.set_hits(5);
        refuse_mprotect(Some(nix::libc::PROT_READ));
        let refused = match stats.make_read_only() {
            Ok(_) => return 1,
            Err(refused) => refused,
        };
        let mprotect_failed = matches!(
            refused.error(),
            Error::Io { op: mapped::Op::Mprotect, source, .. }
                if source.raw_os_error() == Some(nix::libc::ENOMEM)
        );
        if !mprotect_failed {
            return 2;
        }
        // Back, still writable, with its contents.
        let Some(stats) = refused.into_handle() else {
            return 3;
        };
        stats.set_hits(stats.hits() + 1);
        if stats.hits() == 6 {
            0
        } else {
            4
        }
    });
    assert_eq!(code, 0);
}

fn a_handle_whose_protection_cannot_be_restored_is_not_given_back() {
    let code = in_child(|| {
        let stats = Stats::anonymous().unwrap();
        refuse_mprotect(None);
        match stats
            .make_no_access()
            .map_err(|refused| refused.into_handle().is_none())
        {
            Ok(_) => 1,
            Err(true) => 0,
            Err(false) => 2,
        }
    });
    assert_eq!(code, 0);
}

fn main() -> ExitCode {
    let cases: &[(&str, fn())] = &[
        (
            "a_refused_protection_change_gives_the_handle_back",
            a_refused_protection_change_gives_the_handle_back,
        ),
        (
            "a_handle_whose_protection_cannot_be_restored_is_not_given_back",
            a_handle_whose_protection_cannot_be_restored_is_not_given_back,
        ),
        (
            "a_writer_inherited_through_fork_refuses_to_write",
            a_writer_inherited_through_fork_refuses_to_write,
        ),
        (
            "a_child_dropping_an_inherited_writer_leaves_the_parent_locked",
            a_child_dropping_an_inherited_writer_leaves_the_parent_locked,
        ),
        (
            "a_file_without_read_permission_is_an_open_error",
            a_file_without_read_permission_is_an_open_error,
        ),
        (
            "a_file_size_limit_fails_create_new_cleanly",
            a_file_size_limit_fails_create_new_cleanly,
        ),
        (
            "child_writes_anonymous_memory_the_parent_reads",
            child_writes_anonymous_memory_the_parent_reads,
        ),
        (
            "parent_writes_a_shared_file_a_child_maps_separately",
            parent_writes_a_shared_file_a_child_maps_separately,
        ),
        (
            "private_writes_stay_in_the_process_that_made_them",
            private_writes_stay_in_the_process_that_made_them,
        ),
        (
            "children_counting_on_an_atomic_reach_an_exact_total",
            children_counting_on_an_atomic_reach_an_exact_total,
        ),
    ];
    forked::run(cases)
}
