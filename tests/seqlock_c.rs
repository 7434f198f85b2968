//! The Seqlock protocol as docs/file-formats.md states it, followed from C
//! (`tests/c/seqlock.c`, built against `mapped::c_header::<Quote>()`): C reads what Rust wrote,
//! Rust reads what C wrote, and the two take turns on one file.

use std::path::{Path, PathBuf};
use std::process::Command;

use mapped::{Mapped, Seqlock};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, PartialEq)]
#[repr(C)]
struct Book {
    bid: u64,
    ask: u64,
    bid_size: u32,
    ask_size: u32,
}

/// Headerless, so the C program maps it from byte 0.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Quote {
    book: Seqlock<Book>,
}

fn book(n: u64) -> Book {
    Book {
        bid: n,
        ask: n + 1,
        bid_size: 3 * n as u32,
        ask_size: 5 * n as u32,
    }
}

/// Writes `quote.h` and builds the C program against it.
fn build(dir: &Path) -> PathBuf {
    std::fs::write(dir.join("quote.h"), mapped::c_header::<Quote>()).unwrap();
    let program = dir.join("seqlock");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c/seqlock.c");
    let output = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-O2", "-I"])
        .arg(dir)
        .arg(source)
        .arg("-o")
        .arg(&program)
        .output()
        .expect("the C compiler `cc` must be installed to test the C protocol");
    assert!(
        output.status.success(),
        "cc failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    program
}

fn run(program: &Path, args: &[&std::ffi::OsStr]) -> String {
    let output = Command::new(program).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn c_and_rust_follow_the_same_protocol_on_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let program = build(dir.path());
    let path = dir.path().join("quote.bin");
    let quote = Quote::create_new(&path).unwrap();
    let path = path.as_os_str();

    quote.book().write(&book(1));
    assert_eq!(
        run(&program, &["read".as_ref(), path]),
        "bid=1 ask=2 bid_size=3 ask_size=5\n"
    );
    run(&program, &["write".as_ref(), path, "7".as_ref()]);
    assert_eq!(quote.book().read(), book(7));
    quote.book().update(|b| b.bid += 10);
    assert_eq!(
        run(&program, &["read".as_ref(), path]),
        "bid=17 ask=8 bid_size=21 ask_size=35\n"
    );
    // Both wrote through the latch: three writes, both copies equal, the lock free.
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(u64::from_ne_bytes(bytes[0..8].try_into().unwrap()), 3);
    assert_eq!(u64::from_ne_bytes(bytes[8..16].try_into().unwrap()), 0);
    assert_eq!(bytes[16..40], bytes[40..64]);
}
