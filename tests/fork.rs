//! Parent/child communication through shared mappings after `fork`.
//!
//! `fork` is only sound to follow with arbitrary code in a single-threaded process, so this is a
//! `harness = false` test: `main` runs each case on the main thread, and every child is reaped
//! before the next case starts.

mod common;

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use common::{Stats, TempDir};
use mapped::Mapped;
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Counter {
    total: AtomicU64,
    done: AtomicU64,
}

/// Runs `child` in a forked process and returns its exit code.
fn in_child(child: impl FnOnce() -> i32) -> i32 {
    // SAFETY: this test binary runs every case on its only thread (harness = false), so the child
    // inherits no lock held by another thread and may run ordinary Rust code.
    match unsafe { fork() }.expect("fork") {
        ForkResult::Child => {
            let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(child)).unwrap_or(101);
            // Exit without unwinding: locals such as the parent's temp dir must not be dropped here.
            std::process::exit(code)
        }
        ForkResult::Parent { child } => match waitpid(child, None).expect("waitpid") {
            WaitStatus::Exited(_, code) => code,
            other => panic!("child ended abnormally: {other:?}"),
        },
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
        match unsafe { fork() }.expect("fork") {
            ForkResult::Child => {
                for _ in 0..ADDS {
                    counter.total().fetch_add(1, Ordering::Relaxed);
                }
                counter.done().fetch_add(1, Ordering::Release);
                std::process::exit(0)
            }
            ForkResult::Parent { child } => pids.push(child),
        }
    }
    for pid in pids {
        assert_eq!(
            waitpid(pid, None).expect("waitpid"),
            WaitStatus::Exited(pid, 0)
        );
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

fn main() -> ExitCode {
    let cases: [(&str, fn()); 6] = [
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
    let mut failed = 0;
    for (name, case) in cases {
        match std::panic::catch_unwind(case) {
            Ok(()) => println!("test {name} ... ok"),
            Err(_) => {
                println!("test {name} ... FAILED");
                failed += 1;
            }
        }
    }
    println!("{} passed, {failed} failed", cases.len() - failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
