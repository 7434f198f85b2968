//! One writer process updating a quote, two reader processes taking snapshots of it: every
//! snapshot is one whole quote, never half of one and half of the next.
//!
//! ```text
//! cargo run --example quotes [PATH]
//! ```
//!
//! The quote is four fields that only make sense together: the writer keeps `ask == bid + 1` and
//! `ask_size == bid_size + 1` in every update. With plain fields a reader could copy `bid` from
//! one update and `ask` from the next; through a `Seqlock` each `read()` is one whole update. The
//! readers map the file read-only, count the snapshots that break the rule (none), and stop once
//! the writer's last update is what they see.
//!
//! PATH is created (it must not exist); without it the file goes in a temp directory.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use mapped::{Mapped, Seqlock};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug)]
#[repr(C)]
struct Book {
    bid: u64,
    ask: u64,
    bid_size: u32,
    ask_size: u32,
}

impl Book {
    /// Whether this is a quote the writer could have written whole.
    fn consistent(&self) -> bool {
        self.ask == self.bid + 1 && self.ask_size == self.bid_size + 1
    }
}

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(magic = b"QUOTES\0\0", version = 1)]
struct Quotes {
    book: Seqlock<Book>,
    updates: AtomicU64,
}

const UPDATES: u64 = 20_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let temp = tempfile::tempdir()?;
    let path = std::env::args_os()
        .nth(1)
        .map_or_else(|| temp.path().join("quotes.bin"), PathBuf::from);
    let quotes = Quotes::create_new(&path)?;
    quotes.book().write(&Book {
        bid: 0,
        ask: 1,
        bid_size: 0,
        ask_size: 1,
    });

    let writer = spawn(|| write_quotes(&path))?;
    let readers = [
        spawn(|| read_quotes(&path, 1))?,
        spawn(|| read_quotes(&path, 2))?,
    ];
    for child in [writer].into_iter().chain(readers) {
        match waitpid(child, None)? {
            WaitStatus::Exited(_, 0) => {}
            status => return Err(format!("a child failed: {status:?}").into()),
        }
    }
    let last = quotes.book().read();
    println!(
        "parent: {} updates; the quote is bid {} ask {}",
        quotes.updates().load(Ordering::Acquire),
        last.bid,
        last.ask
    );
    Ok(())
}

/// The writer: `UPDATES` read-modify-writes, each moving the whole quote up by one.
fn write_quotes(path: &Path) -> Result<(), mapped::Error> {
    let quotes = Quotes::open(path)?;
    for _ in 0..UPDATES {
        quotes.book().update(|book| {
            book.bid += 1;
            book.ask = book.bid + 1;
            book.bid_size = (book.bid % 1000) as u32;
            book.ask_size = book.bid_size + 1;
        });
        quotes.updates().fetch_add(1, Ordering::Release);
    }
    println!("writer: {UPDATES} updates");
    Ok(())
}

/// A reader: snapshots until it sees the last update, counting those that are not whole.
fn read_quotes(path: &Path, reader: u32) -> Result<(), mapped::Error> {
    let quotes = Quotes::open_read_only(path)?;
    let mut broken = 0u64;
    loop {
        let book = quotes.book().read();
        broken += u64::from(!book.consistent());
        if book.bid == UPDATES {
            break;
        }
        std::hint::spin_loop();
    }
    println!("reader {reader}: {broken} broken snapshots, the last was bid {UPDATES}");
    Ok(())
}

/// Forks a child that runs `work` and exits: 0 on success.
fn spawn(work: impl FnOnce() -> Result<(), mapped::Error>) -> Result<Pid, nix::Error> {
    // SAFETY: an example's `main` runs on the process's only thread (children are forked before
    // any thread is started), so the child inherits no lock held by another thread and may run
    // ordinary Rust code.
    match unsafe { fork() }? {
        ForkResult::Child => {
            // Never return or unwind into `main`: the parent's temp dir must not be dropped here.
            let code = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
                Ok(Ok(())) => 0,
                Ok(Err(err)) => {
                    eprintln!("child: {err}");
                    1
                }
                Err(_panic) => 101,
            };
            std::process::exit(code)
        }
        ForkResult::Parent { child } => Ok(child),
    }
}
