//! `python/mapped_numpy.py` with real numpy: it maps what `MappedVec` and a `magic` struct wrote,
//! every field kind, with the dtype `mapped::numpy_dtype::<T>()` prints; Rust reads back what
//! Python writes in place; files that are not self-describing are refused with `ValueError`.
//!
//! The Python side is `tests/python/numpy_checks.py`, run by the interpreter `MAPPED_PYTHON` names
//! (a virtual environment with numpy, which `scripts/test.sh` makes and sets).

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use mapped::{FileInfo, Mapped, MappedVec};
use zerocopy::byteorder::{BigEndian, LittleEndian, F64, I16, I32, U16, U32, U64};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Point {
    x: f64,
    y: f32,
    z: i32,
}

/// Every field kind: integers of every width (128-bit ones included), floats, byte-order
/// integers and a float of both orders, atomics, arrays (nested too), a nested struct and an
/// array of structs. 176 bytes, aligned to 16 by the `u128`.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Every {
    wide: u128,
    signed_wide: i128,
    a_u64: u64,
    a_i64: i64,
    a_f64: f64,
    hits: AtomicU64,
    pos: Point,
    trail: [Point; 2],
    a_u32: u32,
    a_i32: i32,
    a_f32: f32,
    be_u32: U32<BigEndian>,
    le_u64: U64<LittleEndian>,
    be_f64: F64<BigEndian>,
    be_i16: I16<BigEndian>,
    a_u16: u16,
    a_i16: i16,
    a_u8: u8,
    a_i8: i8,
    grid: [[u16; 3]; 2],
    tag: [u8; 4],
    count: AtomicU32,
    be_i32: I32<BigEndian>,
}

/// A struct file with a header, for `mapped_numpy.open` to map as one record.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(magic = b"NUMPYCFG", version = 3)]
struct Config {
    limit: u64,
    scale: f32,
    port: U16<BigEndian>,
    flags: [u8; 2],
    origin: Point,
}

/// `Config` with a field appended, for an upgraded file (header format 3's second schema area).
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(magic = b"NUMPYCFG", version = 4)]
struct Grown {
    limit: u64,
    scale: f32,
    port: U16<BigEndian>,
    flags: [u8; 2],
    origin: Point,
    #[mapped(since = 4)]
    since4: u64,
}

/// A struct file without a header: the struct's 128 bytes alone.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Plain {
    words: [u64; 16],
}

/// Record `i` of the files of `Every`; `numpy_checks.py` computes the same values from `i`.
fn every(i: u64) -> Every {
    let point = |k: u64| Point {
        x: (i + k) as f64,
        y: k as f32 + 0.5,
        z: -(i as i32) - k as i32,
    };
    Every {
        wide: (u128::from(i) << 64) | u128::from(i * 3),
        signed_wide: -(i128::from(i) << 64) + i128::from(i),
        a_u64: i.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        a_i64: -(i as i64) * 1_000_003,
        a_f64: i as f64 * 0.5,
        hits: AtomicU64::new(i + (1 << 40)),
        pos: Point {
            x: i as f64,
            y: -(i as f32),
            z: i as i32 * 3,
        },
        trail: [point(0), point(1)],
        a_u32: (i as u32).wrapping_mul(2_654_435_761),
        a_i32: -(i as i32),
        a_f32: i as f32 * 0.25,
        be_u32: U32::new(i as u32 ^ 0xDEAD_BEEF),
        le_u64: U64::new(i << 20),
        be_f64: F64::new(i as f64 + 0.125),
        be_i16: I16::new((i as i16).wrapping_neg()),
        a_u16: (i as u16).wrapping_mul(7),
        a_i16: i as i16,
        a_u8: i as u8,
        a_i8: i as i8,
        grid: [0, 1].map(|row| [0, 1, 2].map(|col| (i as u16).wrapping_add(row * 3 + col))),
        tag: [i as u8, (i >> 8) as u8, (i >> 16) as u8, b'!'],
        count: AtomicU32::new(i as u32 + 7),
        be_i32: I32::new(-(i as i32) * 5),
    }
}

/// Record `i` after `numpy_checks.py write`, which rewrites fields of every 7th record.
fn rewritten(i: u64) -> Every {
    let mut record = every(i);
    if i % 7 == 0 {
        record.a_u64 = i + 42;
        record.pos.x = -1.5 * i as f64;
        record.trail[1].z = 1000 + i as i32;
        record.grid[1][2] = 4242;
        record.be_u32 = U32::new(i as u32 * 11);
        record.hits = AtomicU64::new(i + 99);
        record.tag[3] = b'?';
        record.wide = (record.wide >> 64 << 64) | 5;
    }
    record
}

/// Runs `tests/python/numpy_checks.py` with the interpreter `MAPPED_PYTHON` names, and returns
/// what it printed; panics with its output if it fails.
fn python<S: AsRef<OsStr>>(command: &str, args: &[S]) -> String {
    let Some(python) = std::env::var_os("MAPPED_PYTHON") else {
        panic!(
            "MAPPED_PYTHON is not set: these tests run python/mapped_numpy.py under numpy. \
             `bash scripts/test.sh` sets it up; by hand: `python3 -m venv target/py && \
             target/py/bin/pip install numpy`, then \
             `MAPPED_PYTHON=$PWD/target/py/bin/python cargo test --test numpy`"
        )
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(&python)
        .arg(root.join("tests/python/numpy_checks.py"))
        .arg(command)
        .args(args)
        .env("PYTHONPATH", root.join("python"))
        // No __pycache__ in the source tree.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap_or_else(|err| panic!("cannot run MAPPED_PYTHON={python:?}: {err}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "numpy_checks.py {command} failed ({}):\n{stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn arg(path: &Path) -> String {
    path.to_str().expect("a UTF-8 temp path").to_string()
}

/// Overwrites bytes of a file at `at`.
fn patch(path: &Path, at: usize, bytes: &[u8]) {
    let mut content = std::fs::read(path).unwrap();
    content[at..at + bytes.len()].copy_from_slice(bytes);
    std::fs::write(path, content).unwrap();
}

/// Where `needle` starts in the file; it must be there.
fn find(path: &Path, needle: &[u8]) -> usize {
    let content = std::fs::read(path).unwrap();
    content
        .windows(needle.len())
        .position(|window| window == needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in {}", path.display()))
}

#[test]
fn numpy_maps_a_million_records_of_every_field_kind() -> Result<(), mapped::Error> {
    const RECORDS: u64 = 1_000_000;
    let dir = temp();
    let path = dir.path().join("every.bin");
    MappedVec::<Every>::open_or_create(&path)?.extend((0..RECORDS).map(every))?;

    // The dtype of the type, and the one read from the file alone (what `mapped numpy` prints).
    let from_file = FileInfo::read(&path)?.numpy_dtype();
    let from_type = mapped::numpy_dtype::<Every>();
    assert_eq!(from_file, from_type);
    let out = python(
        "every",
        &[arg(&path), RECORDS.to_string(), from_type, from_file],
    );
    assert_eq!(out.trim(), "checked 27 fields of 1000000 records");
    Ok(())
}

#[test]
fn rust_reads_back_what_numpy_writes_in_place() -> Result<(), mapped::Error> {
    const RECORDS: u64 = 1000;
    let dir = temp();
    let path = dir.path().join("every.bin");
    MappedVec::<Every>::open_or_create(&path)?.extend((0..RECORDS).map(every))?;

    let out = python("write", &[arg(&path)]);
    assert_eq!(out.trim(), "rewrote 143 of 1000 records");

    let records = MappedVec::<Every>::open_read_only(&path)?;
    assert_eq!(records.len(), RECORDS as usize);
    for i in 0..RECORDS {
        let (mut found, mut wanted) = (records.load(i as usize), rewritten(i));
        let (found, wanted) = (found.as_mut_bytes(), wanted.as_mut_bytes());
        if let Some(at) = (0..found.len()).find(|&at| found[at] != wanted[at]) {
            let field = <Every as Mapped>::LAYOUT
                .fields
                .iter()
                .rfind(|field| field.offset <= at)
                .expect("a field at offset 0");
            panic!("record {i}, field `{}` differs at byte {at}", field.name);
        }
    }
    // The same values through the accessors.
    let seventh = records.get(7).unwrap();
    assert_eq!((seventh.a_u64(), seventh.be_u32()), (49, 77));
    assert_eq!(seventh.hits().load(Ordering::Acquire), 106);
    assert_eq!(
        (seventh.pos().x(), seventh.trail_at(1).unwrap().z()),
        (-10.5, 1007)
    );
    assert_eq!(records.get(8).unwrap().a_u64(), every(8).a_u64);
    Ok(())
}

#[test]
fn a_struct_file_maps_as_one_record() -> Result<(), mapped::Error> {
    let dir = temp();
    let literal = mapped::numpy_dtype::<Config>();
    for offset in [0, 4096] {
        let path = dir.path().join(format!("config-{offset}.bin"));
        let config = Config::options().create(true).offset(offset).open(&path)?;
        config.set_limit(1 << 33);
        config.set_scale(0.75);
        config.set_port(8080);
        config.set_flags([3, 4]);
        config.origin_mut().set_x(-2.5);
        config.origin_mut().set_z(9);
        drop(config);
        let out = python("struct", &[arg(&path), offset.to_string(), literal.clone()]);
        assert_eq!(
            out.trim(),
            format!("checked the struct file at offset {offset}")
        );
    }
    Ok(())
}

#[test]
fn an_upgraded_struct_file_maps_with_its_new_layout() -> Result<(), mapped::Error> {
    let dir = temp();
    let path = dir.path().join("grown.bin");
    let config = Config::create_new(&path)?;
    config.set_limit(1 << 33);
    config.set_port(8080);
    drop(config);
    Grown::upgrade(&path)?;
    let out = python("upgraded", &[arg(&path), mapped::numpy_dtype::<Grown>()]);
    assert_eq!(out.trim(), "checked the upgraded struct file");
    Ok(())
}

/// Runs `numpy_checks.py records`: the file maps with `shape` (`"1000,"`), the dtype `T` prints,
/// and `first` and `last` records as Python prints them.
fn check_records<T: mapped::FieldType>(path: &Path, shape: &str, first: &str, last: &str) {
    let literal = mapped::numpy_dtype::<T>();
    let out = python("records", &[&arg(path), shape, &literal, first, last]);
    assert_eq!(out.trim(), format!("checked shape {shape}"));
}

#[test]
fn record_files_of_scalars_and_arrays() -> Result<(), mapped::Error> {
    let dir = temp();
    let path = dir.path().join("u64.bin");
    MappedVec::<u64>::open_or_create(&path)?.extend(0..1000)?;
    check_records::<u64>(&path, "1000,", "0", "999");

    // A sub-array dtype spreads into the array's shape.
    let path = dir.path().join("triples.bin");
    MappedVec::<[[u16; 3]; 2]>::open_or_create(&path)?
        .extend((0..5).map(|i| [[i, i + 1, i + 2], [0, 0, i * 10]]))?;
    check_records::<[[u16; 3]; 2]>(
        &path,
        "5,2,3",
        "[[0, 1, 2], [0, 0, 0]]",
        "[[4, 5, 6], [0, 0, 40]]",
    );

    let path = dir.path().join("big.bin");
    MappedVec::<U32<BigEndian>>::open_or_create(&path)?.extend([U32::new(1), U32::new(0xABCD)])?;
    check_records::<U32<BigEndian>>(&path, "2,", "1", "43981");

    let path = dir.path().join("empty.bin");
    MappedVec::<f32>::open_or_create(&path)?;
    check_records::<f32>(&path, "0,", "", "");

    // A reader killed while waiting for records left its bit in the waiter word (bytes 60..64):
    // the file is as good as any.
    let path = dir.path().join("waited.bin");
    MappedVec::<u64>::open_or_create(&path)?.extend(0..3)?;
    patch(&path, 60, &5u32.to_ne_bytes());
    check_records::<u64>(&path, "3,", "0", "2");

    // Written by a machine of the other byte order: the header says so (1 little, 2 big), and
    // the count and the records are swapped. numpy reads it all the same.
    let path = dir.path().join("other-byte-order.bin");
    MappedVec::<u64>::open_or_create(&path)?.extend(0..1000)?;
    let data_offset = FileInfo::read(&path)?.data_offset as usize;
    let mut bytes = std::fs::read(&path).unwrap();
    let other_order: u32 = if cfg!(target_endian = "little") { 2 } else { 1 };
    bytes[12..16].copy_from_slice(&other_order.to_le_bytes());
    bytes[40..48].reverse();
    for record in bytes[data_offset..].chunks_exact_mut(8) {
        record.reverse();
    }
    std::fs::write(&path, bytes).unwrap();
    let from_file = FileInfo::read(&path)?.numpy_dtype();
    if cfg!(target_endian = "little") {
        assert_eq!(from_file, mapped::numpy_dtype::<U64<BigEndian>>());
        check_records::<U64<BigEndian>>(&path, "1000,", "0", "999");
    } else {
        assert_eq!(from_file, mapped::numpy_dtype::<U64<LittleEndian>>());
        check_records::<U64<LittleEndian>>(&path, "1000,", "0", "999");
    }

    // A file cut short: the count says 1000, the file holds 500; numpy maps the 500.
    let path = dir.path().join("cut.bin");
    MappedVec::<u64>::open_or_create(&path)?.extend(0..1000)?;
    let data_offset = FileInfo::read(&path)?.data_offset;
    std::fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|file| file.set_len(data_offset + 500 * 8))
        .unwrap();
    check_records::<u64>(&path, "500,", "0", "499");
    Ok(())
}

#[test]
fn files_that_describe_nothing_raise_value_error() -> Result<(), mapped::Error> {
    let dir = temp();
    let file = |name: &str| dir.path().join(name);
    let plain = file("plain.bin");
    Plain::create_new(&plain)?.set_words([u64::MAX; 16]);
    let short = file("short.bin");
    std::fs::write(&short, [1; 16]).unwrap();
    let empty = file("empty.bin");
    std::fs::write(&empty, []).unwrap();
    // Deterministic garbage (xorshift), whose format word is not 2.
    let garbage = file("garbage.bin");
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    std::fs::write(&garbage, noise).unwrap();
    // A record file of the format before schemas.
    let old = file("old.bin");
    MappedVec::<u64>::open_or_create(&old)?.push(1)?;
    patch(&old, 8, &1u32.to_le_bytes());
    // A schema whose field name no longer matches the fingerprint.
    let renamed = file("renamed.bin");
    MappedVec::<Every>::open_or_create(&renamed)?.push(every(1))?;
    let at = find(&renamed, b"a_u64");
    patch(&renamed, at, b"b_u64");
    // A schema longer than the file.
    let long = file("long.bin");
    MappedVec::<u64>::open_or_create(&long)?;
    patch(&long, 56, &1_000_000u32.to_le_bytes());

    // A struct file whose header counts two structs.
    let twice = file("twice.bin");
    Config::create_new(&twice)?;
    patch(&twice, 40, &2u64.to_ne_bytes());

    let cases = [
        (&plain, "no header: not self-describing"),
        (&short, "no header: not self-describing"),
        (&empty, "no header: not self-describing"),
        (&garbage, "no header: not self-describing"),
        (&old, "a record file of format 1"),
        (
            &renamed,
            "does not describe the header's layout fingerprint",
        ),
        (&long, "does not fit"),
        (&twice, "counts 2 structs, not 1"),
    ]
    .map(|(path, reason)| format!("{}={reason}", arg(path)));
    let out = python("refused", &cases);
    assert_eq!(out.trim(), "8 files refused");
    Ok(())
}

/// `FileInfo::numpy_dtype` prints names from the file, which `eval` runs: a quote or a
/// backslash in one stays inside its Python string.
#[test]
fn a_hostile_field_name_stays_in_its_python_string() -> Result<(), mapped::Error> {
    let dir = temp();
    let path = dir.path().join("hostile.bin");
    MappedVec::<Every>::open_or_create(&path)?.push(every(1))?;
    patch(&path, find(&path, b"a_u8"), b"a'u8");
    patch(&path, find(&path, b"a_i8"), b"a\\\n8");
    let literal = FileInfo::read(&path)?.numpy_dtype();
    assert!(literal.contains(r"'a\'u8', 'a\\\x0a8'"), "{literal}");
    let out = python("names", &[literal.as_str(), "a'u8", "a\\\n8"]);
    assert_eq!(out.trim(), "found 2 names");
    Ok(())
}

/// The record of the README's numpy example.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Tick {
    at: u64,
    price: f64,
    qty: u32,
    side: u32,
}

/// The README's Python example runs on the file its Rust example writes, prints what its comment
/// says, and its write reaches Rust.
#[test]
fn the_readme_numpy_example_runs() -> Result<(), mapped::Error> {
    let readme = include_str!("../README.md");
    let section = &readme[readme.find("\n## numpy\n").expect("a numpy section")..];
    let start = section.find("```python\n").expect("a Python example") + "```python\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    let printed = example
        .lines()
        .find(|line| line.contains(".mean())"))
        .and_then(|line| line.split("# ").nth(1))
        .expect("the mean's line says what it prints");

    let dir = temp();
    let path = dir.path().join("ticks.bin");
    let mut ticks = MappedVec::<Tick>::open_or_create(&path)?;
    for at in 0..100 {
        ticks.push(Tick {
            at,
            price: 10.0 + at as f64 / 4.0,
            qty: at as u32 % 7,
            side: 0,
        })?;
    }
    drop(ticks);
    let out = python("readme", &[arg(dir.path()), example.to_string()]);
    assert_eq!(out.lines().next(), Some(printed.trim()));

    let ticks = MappedVec::<Tick>::open_read_only(&path)?;
    for tick in ticks.iter() {
        assert_eq!(
            tick.side(),
            u32::from(tick.qty() == 0),
            "tick {}",
            tick.at()
        );
    }
    Ok(())
}
