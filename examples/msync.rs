//! Changing a file through its mapping, `msync`, and reading it back from another process.
//!
//! ```text
//! cargo run --example msync [PATH]
//! ```
//!
//! The program changes one byte, calls `flush()` (`msync(MS_SYNC)`), and runs `cat PATH`: another
//! process, reading the file with plain `read(2)`. Then it changes a second byte and calls
//! `flush_async()` (`msync(MS_ASYNC)`), which starts writing the page back without waiting.
//!
//! On Linux, `read` sees a `MAP_SHARED` write even before `msync`, because both go through the same
//! page cache; `flush()` is what puts the bytes on the disk, so they survive a crash of the machine
//! (and on systems without a unified buffer cache it is also what makes `read` see them). In C,
//! `msync` wants a page-aligned address, so `msync(&p->field, ...)` fails with `EINVAL` (often
//! unchecked), and on a `MAP_PRIVATE` mapping it succeeds and saves nothing. `flush()` covers
//! exactly the struct, rounds to pages itself, returns a `Result` that must be used, and does not
//! exist on private handles.
//!
//! PATH is overwritten with `hello world\n`; without it the file goes in a temp directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Line {
    text: [u8; 12],
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let temp = tempfile::tempdir()?;
    let path = std::env::args_os()
        .nth(1)
        .map_or_else(|| temp.path().join("line.txt"), PathBuf::from);

    std::fs::write(&path, "hello world\n")?;
    let line = Line::open(&path)?;

    line.set_text_at(0, b'H')?;
    line.flush()?; // msync(MS_SYNC): on the disk once this returns
    println!("after flush(): cat reads {:?}", cat(&path)?);

    line.set_text_at(6, b'W')?;
    line.flush_async()?; // msync(MS_ASYNC): write-back scheduled, not awaited
    println!("after flush_async(): cat reads {:?}", cat(&path)?);
    Ok(())
}

/// What another process reading the file sees.
fn cat(path: &Path) -> Result<String, Box<dyn std::error::Error>> {
    let output = Command::new("cat").arg(path).output()?;
    if !output.status.success() {
        return Err(format!("cat failed: {}", output.status).into());
    }
    Ok(String::from_utf8(output.stdout)?)
}
