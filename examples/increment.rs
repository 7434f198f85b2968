//! Adding 1 to the first five bytes of an existing file, in place, through a shared mapping.
//!
//! ```text
//! cargo run --example increment [PATH]
//! ```
//!
//! The C version maps 10 bytes of the file `MAP_SHARED` and runs `p[i]++` for `i` in `0..5`. The
//! 10 is the program's guess, not the file's size: on a shorter file the bytes past its end still
//! read and write, as zeros that never reach the file, up to the end of the page, and past the page
//! they raise `SIGBUS` (an empty file faults at `p[0]`); an index past the 10 is not checked at all.
//! Here `MappedSlice::<u8>::open` maps exactly the file, and every access is checked against its
//! length: past the end, `get(i)` is `None` and `set(i, v)` is `Err(Error::IndexOutOfBounds)`. The
//! program shows one of each after its increments.
//!
//! A file shorter than 5 bytes (an empty one too) is refused: the program reads all five bytes with
//! `get` before writing any, so it prints an error naming the file's length, exits with status 1,
//! and leaves the file exactly as it was, rather than incrementing only what exists. Bytes wrap
//! like C's `unsigned char`: `0xff` becomes `0x00`. Bytes past the fifth are never written.
//!
//! PATH must exist and is changed in place; without it the program changes a file holding
//! `hello, world\n` that it creates in a temp directory. Standard output shows the bytes before and
//! after, escaped as ASCII.

use std::path::PathBuf;
use std::process::ExitCode;

use mapped::MappedSlice;

/// How many bytes, from the start, get 1 added.
const COUNT: usize = 5;

fn main() -> ExitCode {
    match increment() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("increment: {err}");
            ExitCode::FAILURE
        }
    }
}

fn increment() -> Result<(), Box<dyn std::error::Error>> {
    let temp = tempfile::tempdir()?;
    let path = match std::env::args_os().nth(1) {
        Some(path) => PathBuf::from(path),
        None => {
            let path = temp.path().join("greeting.txt");
            std::fs::write(&path, "hello, world\n")?;
            path
        }
    };

    // open(O_RDWR) + fstat + mmap(PROT_READ | PROT_WRITE, MAP_SHARED) + close, sized by the file.
    let bytes = MappedSlice::<u8>::open(&path)?;
    println!(
        "mapped {} ({} bytes) read-write, MAP_SHARED",
        path.display(),
        bytes.len()
    );
    println!("before: \"{}\"", bytes.to_vec().escape_ascii());

    // Read all five first, so a short file is refused before anything is written.
    let Some(first) = (0..COUNT)
        .map(|i| bytes.get(i))
        .collect::<Option<Vec<u8>>>()
    else {
        return Err(format!(
            "{} holds {} bytes, fewer than the {COUNT} to increment; nothing was changed",
            path.display(),
            bytes.len()
        )
        .into());
    };
    for (i, byte) in first.into_iter().enumerate() {
        bytes.set(i, byte.wrapping_add(1))?; // p[i]++, in the file's own pages
    }
    bytes.flush()?; // msync(MS_SYNC)
    println!("after:  \"{}\"", bytes.to_vec().escape_ascii());

    // One past the end: in C, p[len] is a silent read or write, or SIGBUS a page later.
    let end = bytes.len();
    println!("get({end}) = {:?}", bytes.get(end));
    println!("set({end}, b'!') = {:?}", bytes.set(end, b'!'));
    Ok(())
}
