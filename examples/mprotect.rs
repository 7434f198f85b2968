//! Changing a mapping's protection with `mprotect`: read-only, writable, no access, and back.
//!
//! ```text
//! cargo run --example mprotect [PATH]
//! ```
//!
//! In C, `mprotect` changes what the memory allows but not the `char *` pointing at it, so a write
//! after `mprotect(PROT_READ)` or a read after `mprotect(PROT_NONE)` compiles and dies of
//! `SIGSEGV`. Here each `make_*` call consumes the handle and returns one whose type has only the
//! accessors the new protection allows: a read-only handle has no setters (the compile error is
//! checked by `tests/ui/example-mprotect-write-read-only.rs`) and a no-access handle has no
//! accessors at all. A handle from `open_read_only` has no `make_mut` at all: its file was opened
//! `O_RDONLY`, where C's `mprotect(PROT_WRITE)` would fail with `EACCES` at run time.
//!
//! PATH must not exist (`create_new` never clobbers); without it the file goes in a temp directory.

use std::path::PathBuf;

use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Config {
    version: u32,
    limit: u32,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let temp = tempfile::tempdir()?;
    let path = std::env::args_os()
        .nth(1)
        .map_or_else(|| temp.path().join("config.bin"), PathBuf::from);

    let config = Config::create_new(&path)?;
    config.store(&Config {
        version: 1,
        limit: 100,
    });

    let config = config.make_read_only()?; // mprotect(PROT_READ)
    println!("read-only: limit={}", config.limit());
    // config.set_limit(200); // error[E0599]: no method named `set_limit`

    let config = config.make_mut()?; // mprotect(PROT_READ | PROT_WRITE)
    config.set_limit(200);
    println!("writable: limit={}", config.limit());

    let sealed = config.make_no_access()?; // mprotect(PROT_NONE): no getters, no setters
    sealed.flush()?; // msync still works: it reads no memory
    println!("no access: sealed");

    let config = sealed.make_read_only()?;
    println!(
        "read-only again: version={} limit={}",
        config.version(),
        config.limit()
    );
    drop(config);

    // Opened O_RDONLY: readable, and `reader.make_mut()` would not compile.
    let reader = Config::open_read_only(&path)?;
    println!("opened read-only: limit={}", reader.limit());
    Ok(())
}
