//! Forked children for the `harness = false` test binaries (`disk_full.rs`, `creation.rs`).
//!
//! `fork` is only sound to follow with arbitrary code in a single-threaded process, which is why
//! those binaries run every case on their main thread, without libtest's thread pool.

use std::process::ExitCode;

use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};

/// Forks a child that runs `child` and exits with its code (101 if it panics), without unwinding
/// into the parent's frames, so that it drops none of the parent's temporary directories or
/// mounts. Returns the child's pid; the caller reaps it with [`reap`].
///
/// # Safety
/// The calling process must have only one thread: the child inherits no lock that another thread
/// held at the fork, so it may run ordinary Rust code.
pub unsafe fn spawn(child: impl FnOnce() -> i32) -> Pid {
    // SAFETY: the caller guarantees that this process is single-threaded.
    match unsafe { fork() }.expect("fork") {
        ForkResult::Child => {
            let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(child)).unwrap_or(101);
            std::process::exit(code)
        }
        ForkResult::Parent { child } => child,
    }
}

/// Waits for `pid` and returns how it ended.
pub fn reap(pid: Pid) -> WaitStatus {
    waitpid(pid, None).expect("waitpid")
}

/// Runs each named case on the main thread, reporting like libtest; every case reaps its
/// children before it returns.
pub fn run(cases: &[(&str, fn())]) -> ExitCode {
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
