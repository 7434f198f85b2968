//! `cat` through a mapping: any file, mapped read-only as bytes and written to standard output.
//!
//! ```text
//! cargo run --example cat [PATH]
//! ```
//!
//! The C version opens the file, `fstat`s it for its length, `mmap`s it `PROT_READ`, `printf`s it
//! with `%s` (which stops at the first zero byte, and reads on past the mapping if there is none),
//! `munmap`s it, and touches the address again: `SIGSEGV`. An empty file is a trap of its own, as
//! `mmap` of length 0 fails with `EINVAL`. Here `MappedSlice::<u8>::open_read_only` opens the file
//! `O_RDONLY` and takes its length from the file; the bytes are written as they are, zeros and
//! invalid UTF-8 included; an empty file is a slice of length 0 with nothing mapped, so `cat`
//! writes nothing and succeeds. Every reference into the mapping borrows the slice, and `drop`
//! (`munmap`) takes it by value, so a read after the unmap is a borrow error (E0505), not a crash:
//! `tests/ui/example-cat-use-after-unmap.rs` checks it.
//!
//! Standard output gets the file's bytes and nothing else; what `cat` did goes to standard error.
//! Without PATH it prints a sample file it creates in a temp directory.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use mapped::MappedSlice;

/// How many bytes are copied out of the mapping per `write_all`.
const CHUNK: usize = 64 * 1024;

fn main() -> ExitCode {
    match cat() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cat: {err}");
            ExitCode::FAILURE
        }
    }
}

fn cat() -> Result<(), Box<dyn std::error::Error>> {
    let temp = tempfile::tempdir()?;
    let path = match std::env::args_os().nth(1) {
        Some(path) => PathBuf::from(path),
        None => {
            let path = temp.path().join("sample.txt");
            std::fs::write(&path, "hello from a mapped file\n")?;
            path
        }
    };

    // open(O_RDONLY) + fstat + mmap(PROT_READ, MAP_SHARED) + close, sized by the file.
    let file = MappedSlice::<u8>::open_read_only(&path)?;
    if file.is_empty() {
        eprintln!("cat: {}: empty, nothing mapped", path.display());
    } else {
        eprintln!(
            "cat: {}: {} bytes mapped read-only",
            path.display(),
            file.len()
        );
    }

    let mut out = std::io::stdout().lock();
    let mut chunk = Vec::with_capacity(CHUNK.min(file.len()));
    for byte in &file {
        chunk.push(byte);
        if chunk.len() == CHUNK {
            out.write_all(&chunk)?;
            chunk.clear();
        }
    }
    out.write_all(&chunk)?;
    out.flush()?;

    drop(file); // munmap
                // A `file.iter()` kept from before would not compile here: error[E0505]: cannot move out of
                // `file` because it is borrowed (tests/ui/example-cat-use-after-unmap.rs).
    Ok(())
}
