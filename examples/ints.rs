//! Five ints in a file, written by the parent and read by a child.
//!
//! ```text
//! cargo run --example ints [PATH]
//! ```
//!
//! The C version opens the file, `ftruncate`s it to `5 * sizeof(int)`, maps it, writes 0..4, forks,
//! and the child reads `p[3]`. Forget the `ftruncate`, or get its size wrong, and the first access
//! past the end of the file raises `SIGBUS`; index `p[5]` and it reads whatever follows. Here the
//! file's size is the struct's: `create_new` sizes it, `open` refuses a file too short for it, and
//! `values_at(5)` is `None`.
//!
//! PATH must not exist (`create_new` never clobbers); without it the file goes in a temp directory.

use std::path::{Path, PathBuf};

use mapped::Mapped;
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Ints {
    values: [i32; 5],
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let temp = tempfile::tempdir()?;
    let path = std::env::args_os()
        .nth(1)
        .map_or_else(|| temp.path().join("ints.bin"), PathBuf::from);

    // open(O_TMPFILE) + ftruncate(20) + fallocate + mmap + linkat into place, in one call that
    // cannot get the size wrong and never shows another process a half-made file.
    let ints = Ints::create_new(&path)?;
    println!(
        "created {} ({} bytes)",
        path.display(),
        std::fs::metadata(&path)?.len()
    );
    for i in 0..5 {
        ints.set_values_at(i, i as i32)?;
    }
    println!("parent: wrote {:?}", ints.values());

    // SAFETY: an example's `main` runs on the process's only thread, so the child inherits no lock
    // held by another thread and may run ordinary Rust code.
    match unsafe { fork() }? {
        ForkResult::Child => {
            // Never return or unwind into `main`: the parent's temp dir must not be dropped here.
            let code = match std::panic::catch_unwind(|| read_in_child(&path)) {
                Ok(Ok(())) => 0,
                Ok(Err(err)) => {
                    eprintln!("child: {err}");
                    1
                }
                Err(_panic) => 101,
            };
            std::process::exit(code)
        }
        ForkResult::Parent { child } => match waitpid(child, None)? {
            WaitStatus::Exited(_, 0) => println!("parent: child exited with 0"),
            status => return Err(format!("child failed: {status:?}").into()),
        },
    }
    Ok(())
}

/// Maps the file by its path, so what it reads is in the file, not memory inherited from the parent.
fn read_in_child(path: &Path) -> Result<(), mapped::Error> {
    let ints = Ints::open_read_only(path)?;
    println!("child: values[3] = {:?}", ints.values_at(3));
    println!("child: values[5] = {:?}", ints.values_at(5));
    Ok(())
}
