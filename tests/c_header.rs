//! `mapped::c_header`: the generated C11 header compiles with `-Wall -Werror`, and a C program
//! built on it reads what Rust wrote and writes what Rust reads.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use common::TempDir;
use mapped::Mapped;
use zerocopy::byteorder::{BigEndian, U16};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Point {
    x: f64,
    y: f64,
}

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(magic = b"BODYFMT\0", version = 3, size = 96)]
struct Body {
    id: u64,
    temp: i8,
    flags: u8,
    level: i16,
    count: u32,
    pos: Point,
    trail: [Point; 2],
    tag: [u8; 16],
    port: U16<BigEndian>,
    small: i16,
    hits: AtomicU32,
    ratio: f32,
    grid: [[u8; 2]; 2],
}

/// A struct without a file header, and with a multi-word name.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct HttpStats {
    requests: u64,
    errors: [u32; 4],
}

fn cc(args: &[&std::ffi::OsStr]) {
    let output = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic"])
        .args(args)
        .output()
        .expect("the C compiler `cc` must be installed to test the C export");
    assert!(
        output.status.success(),
        "cc failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Writes `body.h` and builds the C round-trip program against it.
fn build_c_program(dir: &Path) -> PathBuf {
    std::fs::write(dir.join("body.h"), mapped::c_header::<Body>()).unwrap();
    let program = dir.join("body_roundtrip");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c/body_roundtrip.c");
    cc(&[
        "-I".as_ref(),
        dir.as_os_str(),
        source.as_os_str(),
        "-o".as_ref(),
        program.as_os_str(),
    ]);
    program
}

fn run(program: &Path, mode: &str, file: &Path) -> String {
    let output = Command::new(program).arg(mode).arg(file).output().unwrap();
    assert!(
        output.status.success(),
        "{mode} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_header_declares_every_struct_field_and_assertion() {
    let header = mapped::c_header::<Body>();
    for expected in [
        "#ifndef MAPPED_BODY_H",
        "#include <stdint.h>",
        "#include <stdatomic.h>",
        "struct Point {\n    double x;\n    double y;\n};",
        "struct Body {\n    uint64_t id;\n    int8_t temp;\n    uint8_t flags;\n    int16_t level;",
        "    struct Point pos;\n    struct Point trail[2];\n    uint8_t tag[16];",
        "    uint16_t port; /* big-endian */",
        "    _Atomic uint32_t hits;\n    float ratio;\n    uint8_t grid[2][2];\n};",
        "_Static_assert(sizeof(struct Body) == 96, \"struct Body: size\");",
        "_Static_assert(offsetof(struct Body, grid) == 92,",
        "#define BODY_MAGIC \"BODYFMT\\000\"",
        "#define BODY_VERSION 3u",
        "#define BODY_HEADER_LEN 32",
        "struct Body_file_header {",
        "#endif /* MAPPED_BODY_H */",
    ] {
        assert!(
            header.contains(expected),
            "missing {expected:?} in:\n{header}"
        );
    }
    // Nested structs are defined before they are used, and once.
    assert!(header.find("struct Point {").unwrap() < header.find("struct Body {").unwrap());
    assert_eq!(header.matches("struct Point {").count(), 1);
}

#[test]
fn headers_compile_standalone_with_warnings_as_errors() {
    let tmp = TempDir::new();
    let stats = mapped::c_header::<HttpStats>();
    assert!(stats.contains("#ifndef MAPPED_HTTP_STATS_H"));
    assert!(!stats.contains("stdatomic") && !stats.contains("MAGIC"));
    for (name, text) in [("stats.h", stats), ("body.h", mapped::c_header::<Body>())] {
        let header = tmp.path(name);
        std::fs::write(&header, &text).unwrap();
        let main = tmp.path(&format!("{name}.c"));
        // Included twice: the include guard must hold.
        std::fs::write(
            &main,
            format!("#include \"{name}\"\n#include \"{name}\"\nint main(void) {{ return 0; }}\n"),
        )
        .unwrap();
        let object = tmp.path(&format!("{name}.o"));
        cc(&[
            "-c".as_ref(),
            main.as_os_str(),
            "-o".as_ref(),
            object.as_os_str(),
        ]);
    }
}

#[test]
fn rust_writes_and_c_reads() -> Result<(), mapped::Error> {
    let tmp = TempDir::new();
    let program = build_c_program(tmp.dir.path());
    let path = tmp.path("body.bin");
    let body = Body::create_new(&path)?;
    body.set_id(123);
    body.set_temp(-5);
    body.set_flags(200);
    body.set_level(-300);
    body.set_count(4_000_000_000);
    body.set_pos(Point { x: 1.5, y: -2.25 });
    body.trail_mut().get_mut(1).unwrap().set_x(3.5);
    body.trail_mut().get_mut(1).unwrap().set_y(4.5);
    body.set_tag(*b"hello\0\0\0\0\0\0\0\0\0\0\0");
    body.set_port(8080);
    body.hits().fetch_add(7, Ordering::AcqRel);
    body.set_ratio(0.5);
    body.set_grid([[1, 2], [3, 4]]);
    body.flush()?;

    let printed = run(&program, "read", &path);
    assert_eq!(
        printed,
        "id=123\ntemp=-5\nflags=200\nlevel=-300\ncount=4000000000\npos=1.5,-2.25\n\
         trail1=3.5,4.5\ntag=hello\nport=8080\nhits=7\nratio=0.5\ngrid=1,2,3,4\n"
    );
    Ok(())
}

#[test]
fn c_writes_and_rust_reads() -> Result<(), mapped::Error> {
    let tmp = TempDir::new();
    let program = build_c_program(tmp.dir.path());
    let path = tmp.path("body.bin");
    let body = Body::create_new(&path)?;
    body.hits().store(1, Ordering::Release);

    run(&program, "write", &path);

    // The live mapping sees the C program's writes, and so does a fresh one.
    for body in [body, Body::open(&path)?] {
        assert_eq!(body.id(), 987_654_321);
        assert_eq!(
            (body.temp(), body.flags(), body.level()),
            (-40, 0x81, -1234)
        );
        assert_eq!(body.count(), 3_000_000_000);
        assert_eq!((body.pos().x(), body.pos().y()), (-0.5, 1024.0));
        assert_eq!(body.trail_at(0).unwrap().y(), 7.25);
        assert_eq!(&body.tag(), b"written by C\0\0\0\0");
        assert_eq!(body.port(), 443);
        assert_eq!(body.hits().load(Ordering::Acquire), 6);
        assert_eq!(body.ratio(), 0.125);
        assert_eq!(body.grid(), [[0, 0], [9, 0]]);
    }
    Ok(())
}
