//! A parent and its child talking through a file they both map.
//!
//! ```text
//! cargo run --example fork_shared [--private] [PATH]
//! ```
//!
//! The parent maps the file and changes its first five bytes in place; the forked child maps the
//! same file on its own, prints it, and changes the last five. With `MAP_SHARED` (the default) each
//! sees the other's bytes. With `--private` the parent maps it `MAP_PRIVATE`: its change stays in its
//! own copy-on-write pages, so the child sees the old bytes and the parent never sees the child's.
//!
//! In C, `MAP_PRIVATE` and `MAP_SHARED` are one flag apart and give the same `char *`, so code
//! written for one runs unchanged on the other: `msync` on a private mapping succeeds and saves
//! nothing. Here the sharing is in the handle's type: `Handle<_, Private>` has no `flush()`.
//!
//! PATH is overwritten with `hello, world`; without it the file goes in a temp directory.

use std::path::{Path, PathBuf};

use mapped::{Handle, Mapped, Writable};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Greeting {
    text: [u8; 12],
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let temp = tempfile::tempdir()?;
    let (flags, paths): (Vec<_>, Vec<_>) = std::env::args_os()
        .skip(1)
        .partition(|arg| arg == "--private");
    let path = paths
        .into_iter()
        .next()
        .map_or_else(|| temp.path().join("greeting.txt"), PathBuf::from);

    std::fs::write(&path, "hello, world")?;
    if flags.is_empty() {
        talk(Greeting::open(&path)?, "MAP_SHARED", &path)
    } else {
        talk(Greeting::open_private(&path)?, "MAP_PRIVATE", &path)
    }
}

/// The parent writes through `parent` (shared or private), then forks a child that maps `path`.
fn talk<A: Writable>(
    parent: Handle<Greeting, A>,
    sharing: &str,
    path: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    for (i, byte) in b"HELLO".iter().enumerate() {
        parent.set_text_at(i, *byte)?;
    }
    println!("parent: wrote HELLO through a {sharing} mapping");

    // SAFETY: an example's `main` runs on the process's only thread, so the child inherits no lock
    // held by another thread and may run ordinary Rust code.
    match unsafe { fork() }? {
        ForkResult::Child => {
            // Never return or unwind into `main`: the parent's temp dir must not be dropped here.
            let code = match std::panic::catch_unwind(|| reply_from_child(path)) {
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
            WaitStatus::Exited(_, 0) => {}
            status => return Err(format!("child failed: {status:?}").into()),
        },
    }

    println!("parent: reads {}", text(parent.text()));
    println!("file: {}", text(std::fs::read(path)?));
    Ok(())
}

/// Maps the file afresh, so what the child sees is what the parent's write did to the file.
fn reply_from_child(path: &Path) -> Result<(), mapped::Error> {
    let greeting = Greeting::open(path)?;
    println!("child: reads {}", text(greeting.text()));
    for (i, byte) in b"WORLD".iter().enumerate() {
        greeting.set_text_at(7 + i, *byte)?;
    }
    println!("child: wrote WORLD");
    Ok(())
}

/// The bytes as a quoted string, for the output.
fn text(bytes: impl AsRef<[u8]>) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes.as_ref()))
}
