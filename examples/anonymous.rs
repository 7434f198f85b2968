//! Anonymous shared memory between a parent and the children it forks: no file at all.
//!
//! ```text
//! cargo run --example anonymous
//! ```
//!
//! One child writes a message the parent reads after reaping it; then several children increment
//! one atomic counter at once, and the parent finds the exact total.
//!
//! In C this is `mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)`:
//! pass `MAP_PRIVATE` instead and every child silently gets its own copy; increment with `++` and
//! the total comes out short, without a warning. `anonymous()` is always `MAP_SHARED`, and a field
//! several processes update is an `AtomicU64`, whose `fetch_add` cannot lose an increment.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};

use mapped::Mapped;
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

const CHILDREN: u64 = 4;
const INCREMENTS: u64 = 100_000;

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Board {
    message: [u8; 16],
    counter: AtomicU64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // MAP_SHARED | MAP_ANONYMOUS, zeroed: every child forked from here on shares it.
    let board = Board::anonymous()?;

    let writer = spawn(|| {
        board.set_message(*b"hello via mmap!\0");
        println!("child: wrote the message");
    })?;
    reap(writer)?;
    let message = board.message();
    let message = String::from_utf8_lossy(message.split(|b| *b == 0).next().unwrap_or_default());
    println!("parent: read {message:?}");

    let count = || {
        for _ in 0..INCREMENTS {
            board.counter().fetch_add(1, Ordering::Relaxed);
        }
    };
    let counters: Vec<_> = (0..CHILDREN).map(|_| spawn(count)).collect();
    // Reap every child that started before reporting any failure.
    let reaped: Vec<_> = counters.into_iter().map(|child| reap(child?)).collect();
    reaped.into_iter().collect::<Result<(), _>>()?;
    // Relaxed is enough: reaping a child orders everything it did before this load.
    println!(
        "parent: {CHILDREN} children x {INCREMENTS} increments, counter = {}",
        board.counter().load(Ordering::Relaxed)
    );
    Ok(())
}

/// Runs `work` in a forked child, which exits with status 0 (101 if `work` panics).
fn spawn(work: impl FnOnce()) -> nix::Result<Pid> {
    // SAFETY: an example's `main` runs on the process's only thread, so the child inherits no lock
    // held by another thread and may run ordinary Rust code.
    match unsafe { fork() }? {
        ForkResult::Child => {
            // Never return or unwind into the parent's code.
            let code = std::panic::catch_unwind(AssertUnwindSafe(work)).map_or(101, |()| 0);
            std::process::exit(code)
        }
        ForkResult::Parent { child } => Ok(child),
    }
}

/// Waits for `child` and checks that it exited cleanly.
fn reap(child: Pid) -> Result<(), Box<dyn std::error::Error>> {
    match waitpid(child, None)? {
        WaitStatus::Exited(_, 0) => Ok(()),
        status => Err(format!("child failed: {status:?}").into()),
    }
}
