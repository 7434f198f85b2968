//! `mapped::c_header`: the generated C11 header compiles with `-Wall -Werror`, and a C program
//! built on it reads what Rust wrote and writes what Rust reads.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use common::TempDir;
use mapped::Mapped;
use zerocopy::byteorder::{BigEndian, U16, U32};
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

/// Byte-order fields are aligned to 1 in Rust: a `uint32_t` in C would move `port`.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Packet {
    version: u8,
    kind: u8,
    length: U32<BigEndian>,
    port: U16<BigEndian>,
    lengths: [U32<BigEndian>; 2],
}

/// Aligned above its fields.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C, align(16))]
struct Aligned {
    id: u64,
    count: u32,
    flags: u32,
}

/// Nested in both `Log` and `Index`, whose headers one C file includes together.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Timestamp {
    secs: u64,
    nanos: u32,
    _pad: u32,
}

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Log {
    at: Timestamp,
    level: u32,
    line: u32,
}

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Index {
    first: Timestamp,
    last: Timestamp,
    entries: [Aligned; 2],
}

/// `_Static_assert`s of `T`'s size, alignment and field offsets as Rust computes them, for a C file
/// that includes `T`'s header: the test's own check, beside the header's.
fn rust_layout_asserts<T: Mapped>() -> String {
    let layout = <T as Mapped>::LAYOUT;
    let name = layout.name;
    let mut asserts = format!(
        "_Static_assert(sizeof(struct {name}) == {}, \"rust size\");\n\
         _Static_assert(_Alignof(struct {name}) == {}, \"rust alignment\");\n",
        std::mem::size_of::<T>(),
        std::mem::align_of::<T>()
    );
    for field in layout.fields {
        asserts.push_str(&format!(
            "_Static_assert(offsetof(struct {name}, {field}) == {offset}, \"rust offset\");\n",
            field = field.name,
            offset = field.offset
        ));
    }
    asserts
}

/// Writes the headers, and a C file that includes each twice and asserts Rust's layouts, and
/// compiles it.
fn compile_together(tmp: &TempDir, headers: &[(&str, String)], asserts: &str) {
    let mut main = String::new();
    for (name, text) in headers {
        std::fs::write(tmp.path(name), text).unwrap();
        main.push_str(&format!("#include \"{name}\"\n#include \"{name}\"\n"));
    }
    main.push_str(asserts);
    main.push_str("int main(void) { return 0; }\n");
    let source = tmp.path("together.c");
    std::fs::write(&source, main).unwrap();
    let object = tmp.path("together.o");
    cc(&[
        "-I".as_ref(),
        tmp.dir.path().as_os_str(),
        "-c".as_ref(),
        source.as_os_str(),
        "-o".as_ref(),
        object.as_os_str(),
    ]);
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
        "    uint8_t port[2]; /* big-endian uint16_t */",
        "    _Atomic uint32_t hits;\n    float ratio;\n    uint8_t grid[2][2];\n};",
        "_Static_assert(sizeof(struct Body) == 96, \"struct Body: size\");",
        "_Static_assert(offsetof(struct Body, grid) == 92,",
        "#define BODY_MAGIC \"BODYFMT\\000\"",
        "#define BODY_VERSION 3u",
        "struct Body_file_header {",
        "    uint64_t data_offset; /* where struct Body starts, from the header's start */",
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
    // The header length the C side uses is the data offset a real file of `Body` has.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("body.bin");
    Body::create_new(&path).unwrap();
    let data_offset = mapped::FileInfo::read(&path).unwrap().data_offset;
    assert!(header.contains(&format!("#define BODY_HEADER_LEN {data_offset}\n")));
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

#[test]
fn byte_order_fields_are_byte_arrays_aligned_as_in_rust() {
    let header = mapped::c_header::<Packet>();
    for expected in [
        "    uint8_t length[4]; /* big-endian uint32_t */",
        "    uint8_t port[2]; /* big-endian uint16_t */",
        "    uint8_t lengths[2][4]; /* big-endian uint32_t */",
        "_Static_assert(_Alignof(struct Packet) == 1,",
    ] {
        assert!(
            header.contains(expected),
            "missing {expected:?} in:\n{header}"
        );
    }
    compile_together(
        &TempDir::new(),
        &[("packet.h", header)],
        &rust_layout_asserts::<Packet>(),
    );
}

#[test]
fn a_struct_aligned_above_its_fields_gets_alignas() {
    let header = mapped::c_header::<Aligned>();
    assert!(
        header.contains("struct Aligned {\n    _Alignas(16) uint64_t id;\n    uint32_t count;"),
        "{header}"
    );
    // Only where C would align it less.
    assert_eq!(header.matches("_Alignas").count(), 1);
    compile_together(
        &TempDir::new(),
        &[("aligned.h", header)],
        &rust_layout_asserts::<Aligned>(),
    );
}

#[test]
fn headers_sharing_a_nested_struct_compile_in_one_file() {
    let (log, index) = (mapped::c_header::<Log>(), mapped::c_header::<Index>());
    assert!(log.contains("#ifndef MAPPED_STRUCT_Timestamp_"));
    let asserts = rust_layout_asserts::<Log>()
        + &rust_layout_asserts::<Index>()
        + &rust_layout_asserts::<Timestamp>()
        + &rust_layout_asserts::<Aligned>();
    compile_together(
        &TempDir::new(),
        &[
            ("log.h", log),
            ("index.h", index),
            ("body.h", mapped::c_header::<Body>()),
        ],
        &asserts,
    );
}
