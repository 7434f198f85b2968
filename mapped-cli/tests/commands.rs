//! Each command on files the library wrote: what it prints, byte for byte where the output is
//! the contract (JSON, CSV, the C header), and its exit status.

mod common;

use common::*;
use mapped::Mapped;
use serde_json::{json, Value};
use zerocopy::byteorder::{U16, U32};

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn inspect_json_has_the_documented_keys_and_nested_offsets() {
    let dir = dir();
    let path = body_file(dir.path());
    let out: Value =
        serde_json::from_str(&run(&["inspect", "--json", arg(&path)]).unwrap()).unwrap();
    let info = mapped::FileInfo::read(&path).unwrap();
    assert_eq!(out["kind"], "struct");
    assert_eq!(out["name"], "Body");
    assert_eq!(out["version"], 3);
    assert_eq!(
        out["fingerprint"],
        format!("{:#018x}", <Body as Mapped>::LAYOUT.fingerprint)
    );
    assert_eq!(
        out["byte_order"],
        if cfg!(target_endian = "little") {
            "little"
        } else {
            "big"
        }
    );
    assert_eq!(out["data_offset"], info.data_offset);
    assert_eq!(
        (out["record_size"].as_u64(), out["len"].as_u64()),
        (Some(96), Some(1))
    );
    let fields = out["fields"].as_array().unwrap();
    let names: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "id", "temp", "flags", "level", "count", "pos", "trail", "tag", "port", "small",
            "hits", "ratio", "grid"
        ]
    );
    let field = |name: &str| fields.iter().find(|f| f["name"] == name).unwrap();
    assert_eq!(
        field("pos"),
        &json!({"name": "pos", "offset": 16, "size": 16, "type": "Point", "fields": [
            {"name": "x", "offset": 0, "size": 8, "type": "f64"},
            {"name": "y", "offset": 8, "size": 8, "type": "f64"},
        ]})
    );
    assert_eq!(field("trail")["type"], "[Point; 2]");
    assert_eq!(
        field("trail")["fields"][1]["offset"],
        8,
        "relative to the element"
    );
    assert_eq!(
        field("tag"),
        &json!({"name": "tag", "offset": 64, "size": 16, "type": "[u8; 16]"})
    );
    assert_eq!(field("port")["type"], "U16<BigEndian>");
    assert_eq!(field("hits")["type"], "AtomicU32");
    assert_eq!(field("grid")["type"], "[[u8; 2]; 2]");
    assert_eq!(field("count")["readonly"], true);
}

#[test]
fn inspect_json_of_a_record_file_counts_records() {
    let dir = dir();
    let path = ticks_file(dir.path(), 3);
    let out: Value =
        serde_json::from_str(&run(&["inspect", "--json", arg(&path)]).unwrap()).unwrap();
    assert_eq!(
        (out["kind"].as_str(), out["name"].as_str()),
        (Some("records"), Some("Tick"))
    );
    assert_eq!(
        (out["len"].as_u64(), out["record_size"].as_u64()),
        (Some(3), Some(24))
    );
    assert_eq!(out["version"], 2);
    assert!(out["capacity"].as_u64().unwrap() >= 3);
    assert_eq!(
        out["fields"][3],
        json!({"name": "side", "offset": 20, "size": 4, "type": "i32"})
    );
}

#[test]
fn inspect_for_people_lists_the_summary_and_the_fields() {
    let dir = dir();
    let path = body_file(dir.path());
    let out = run(&["inspect", arg(&path)]).unwrap();
    let fingerprint = format!(
        "fingerprint  {:#018x}\n",
        <Body as Mapped>::LAYOUT.fingerprint
    );
    for expected in [
        "format       struct file with a header (format 3)\n",
        "type         Body\n",
        "version      3\n",
        "magic        \"BODYFMT\\x00\"\n",
        fingerprint.as_str(),
        "record size  96 bytes, aligned to 8\n",
        " offset      size  name   type\n",
        "     16        16  pos    Point\n",
        "     24         8    y    f64\n",
        "     32        32  trail  [Point; 2]\n",
        "     +8         8    y    f64\n",
        "     80         2  port   U16<BigEndian>\n",
    ] {
        assert!(out.contains(expected), "{expected:?} in\n{out}");
    }
}

fn body_json() -> Value {
    let tag: Vec<u8> = b"sixteen bytes!!\0".to_vec();
    json!({
        "id": 42, "temp": -5, "flags": 255, "level": -300, "count": 0,
        "pos": {"x": 1.5, "y": -0.1},
        "trail": [{"x": 0.0, "y": 0.0}, {"x": 2.0, "y": 1e300}],
        "tag": tag, "port": 8080, "small": -32768, "hits": 7, "ratio": 0.1,
        "grid": [[1, 2], [3, 4]],
    })
}

#[test]
fn dump_json_decodes_every_kind_of_field_in_declaration_order() {
    let dir = dir();
    let path = body_file(dir.path());
    let out = run(&["dump", arg(&path)]).unwrap();
    assert_eq!(out.lines().count(), 1);
    let value: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value, body_json());
    // Declaration order, and the shortest floats: `0.1` for the f32, not 0.10000000149011612.
    assert!(
        out.starts_with("{\"id\":42,\"temp\":-5,\"flags\":255,"),
        "{out}"
    );
    assert!(out.contains("\"ratio\":0.1,"), "{out}");
    assert!(out.contains("{\"x\":2.0,\"y\":1e300}"), "{out}");
    assert_eq!(run(&["dump", "--json", arg(&path)]).unwrap(), out);
}

#[test]
fn dump_json_of_records_honours_start_and_count() {
    let dir = dir();
    let path = ticks_file(dir.path(), 10);
    let all = run(&["dump", arg(&path)]).unwrap();
    assert_eq!(all.lines().count(), 10);
    let some = run(&["dump", "--start", "3", "--count", "2", arg(&path)]).unwrap();
    assert_eq!(
        some,
        "{\"at\":1003,\"price\":9.8,\"qty\":9,\"side\":1}\n{\"at\":1004,\"price\":9.9,\"qty\":12,\"side\":-1}\n"
    );
    assert_eq!(run(&["dump", "--start", "10", arg(&path)]).unwrap(), "");
    assert_eq!(
        run(&["dump", "--start", "99", "--count", "5", arg(&path)]).unwrap(),
        ""
    );
    assert_eq!(
        run(&["dump", "--start", "9", "--count", "99", arg(&path)])
            .unwrap()
            .lines()
            .count(),
        1
    );
}

#[test]
fn dump_prints_scalar_records_as_value_objects() {
    let dir = dir();
    let path = records_file(dir.path(), "u64.bin", vec![0u64, u64::MAX]);
    assert_eq!(
        run(&["dump", arg(&path)]).unwrap(),
        "{\"value\":0}\n{\"value\":18446744073709551615}\n"
    );
    assert_eq!(
        run(&["dump", "--csv", arg(&path)]).unwrap(),
        "value\n0\n18446744073709551615\n"
    );
    let path = records_file(dir.path(), "pairs.bin", vec![[1i16, -2], [3, 4]]);
    assert_eq!(
        run(&["dump", arg(&path)]).unwrap(),
        "{\"value\":[1,-2]}\n{\"value\":[3,4]}\n"
    );
    assert_eq!(
        run(&["dump", "--csv", arg(&path)]).unwrap(),
        "value[0],value[1]\n1,-2\n3,4\n"
    );
}

#[test]
fn dump_prints_128_bit_integers_as_strings_and_special_floats_as_strings() {
    let dir = dir();
    let wide = Wide {
        big: u128::MAX,
        small: i128::MIN,
    };
    let path = records_file(dir.path(), "wide.bin", vec![wide]);
    assert_eq!(
        run(&["dump", arg(&path)]).unwrap(),
        format!(
            "{{\"big\":\"{}\",\"small\":\"{}\"}}\n",
            u128::MAX,
            i128::MIN
        )
    );
    assert_eq!(
        run(&["dump", "--csv", arg(&path)]).unwrap(),
        format!("big,small\n{},{}\n", u128::MAX, i128::MIN)
    );
    let floats = vec![
        Floats {
            single: f32::NAN,
            pad: f32::INFINITY,
            double: f64::NEG_INFINITY,
        },
        Floats {
            single: 1.0e-45,
            pad: f32::MAX,
            double: 5e-324,
        },
        Floats {
            single: -0.0,
            pad: 16777216.0,
            double: 0.30000000000000004,
        },
    ];
    let path = records_file(dir.path(), "floats.bin", floats);
    assert_eq!(
        run(&["dump", arg(&path)]).unwrap(),
        "{\"single\":\"NaN\",\"pad\":\"inf\",\"double\":\"-inf\"}\n\
         {\"single\":1e-45,\"pad\":3.4028235e38,\"double\":5e-324}\n\
         {\"single\":-0.0,\"pad\":16777216.0,\"double\":0.30000000000000004}\n"
    );
    let csv = run(&["dump", "--csv", arg(&path)]).unwrap();
    assert_eq!(csv.lines().nth(1), Some("NaN,inf,-inf"));
    // Each printed float reads back to the same bits.
    for line in csv.lines().skip(2) {
        let cells: Vec<&str> = line.split(',').collect();
        let single: f32 = cells[0].parse().unwrap();
        let double: f64 = cells[2].parse().unwrap();
        assert!([1.0e-45f32.to_bits(), (-0.0f32).to_bits()].contains(&single.to_bits()));
        assert!([5e-324f64.to_bits(), 0.30000000000000004f64.to_bits()].contains(&double.to_bits()));
    }
}

#[test]
fn dump_csv_names_nested_fields_and_array_elements() {
    let dir = dir();
    let path = body_file(dir.path());
    let csv = run(&["dump", "--csv", arg(&path)]).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut expected = vec!["id", "temp", "flags", "level", "count", "pos.x", "pos.y"];
    expected.extend(["trail[0].x", "trail[0].y", "trail[1].x", "trail[1].y"]);
    let tags: Vec<String> = (0..16).map(|i| format!("tag[{i}]")).collect();
    expected.extend(tags.iter().map(String::as_str));
    expected.extend([
        "port",
        "small",
        "hits",
        "ratio",
        "grid[0][0]",
        "grid[0][1]",
        "grid[1][0]",
        "grid[1][1]",
    ]);
    assert_eq!(header, expected);
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(row.len(), header.len());
    assert_eq!(
        &row[..11],
        ["42", "-5", "255", "-300", "0", "1.5", "-0.1", "0.0", "0.0", "2.0", "1e300"]
    );
    assert_eq!(
        &row[27..],
        ["8080", "-32768", "7", "0.1", "1", "2", "3", "4"]
    );
    assert!(lines.next().is_none());
}

#[test]
fn dump_reads_big_endian_fields_in_their_own_order() {
    let dir = dir();
    let packet = Packet {
        version: 1,
        kind: 2,
        length: U32::new(0x0102_0304),
        port: U16::new(443),
        lengths: [U32::new(7), U32::new(u32::MAX)],
    };
    let path = records_file(dir.path(), "packets.bin", vec![packet]);
    assert_eq!(
        run(&["dump", arg(&path)]).unwrap(),
        "{\"version\":1,\"kind\":2,\"length\":16909060,\"port\":443,\"lengths\":[7,4294967295]}\n"
    );
}

#[test]
fn dump_of_a_count_past_the_end_prints_what_is_there_and_fails() {
    let dir = dir();
    let path = ticks_file(dir.path(), 2);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[40..48].copy_from_slice(&1_000_000u64.to_ne_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let capacity = mapped::FileInfo::read(&path).unwrap().capacity();
    let cli =
        <mapped_cli::Cli as clap::Parser>::try_parse_from(["mapped", "dump", arg(&path)]).unwrap();
    let mut out = Vec::new();
    let err = mapped_cli::run(&cli, &mut out).unwrap_err();
    assert_eq!(err.exit_code(), 1);
    assert!(err.to_string().contains("counts 1000000 records"), "{err}");
    assert_eq!(
        String::from_utf8(out).unwrap().lines().count() as u64,
        capacity
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "never modified");
}

#[test]
fn verify_accepts_what_the_library_writes() {
    let dir = dir();
    for path in [
        body_file(dir.path()),
        ticks_file(dir.path(), 5),
        records_file(
            dir.path(),
            "aligned.bin",
            vec![Aligned {
                id: 1,
                count: 2,
                flags: 3,
            }],
        ),
        records_file(dir.path(), "u8.bin", vec![1u8, 2, 3]),
        records_file(dir.path(), "empty.bin", Vec::<Packet>::new()),
    ] {
        let out = run(&["verify", arg(&path)]).unwrap_or_else(|err| panic!("{err}"));
        assert!(out.contains(": consistent: "), "{out}");
    }
}

/// A file of `path`'s bytes with `change` applied, and what `verify` says of it.
fn verify_changed(
    path: &std::path::Path,
    change: impl FnOnce(&mut Vec<u8>),
) -> mapped_cli::CliError {
    let mut bytes = std::fs::read(path).unwrap();
    change(&mut bytes);
    std::fs::write(path, &bytes).unwrap();
    let err = run(&["verify", arg(path)]).unwrap_err();
    assert_eq!(std::fs::read(path).unwrap(), bytes, "verify never writes");
    err
}

#[test]
fn verify_says_what_is_inconsistent_with_status_1() {
    let dir = dir();
    type Change = fn(&mut Vec<u8>);
    let cases: [(&str, Change); 5] = [
        ("counts 99999 records, the file holds", |b| {
            b[40..48].copy_from_slice(&99_999u64.to_ne_bytes())
        }),
        ("fingerprint", |b| b[16] ^= 1),
        ("not zero", |b| {
            let schema_end = 64 + u32::from_le_bytes(b[56..60].try_into().unwrap()) as usize;
            b[schema_end] = 9;
        }),
        ("before its data offset", |b| {
            let data_offset = u64::from_le_bytes(b[32..40].try_into().unwrap());
            b.truncate(data_offset as usize - 1);
        }),
        ("counts 1 records, the file holds 0", |b| {
            let data_offset = u64::from_le_bytes(b[32..40].try_into().unwrap());
            b.truncate(data_offset as usize + 23);
        }),
    ];
    for (expected, change) in cases {
        let path = ticks_file(dir.path(), 1);
        let err = verify_changed(&path, change);
        assert_eq!(err.exit_code(), 1, "{expected}: {err}");
        assert!(err.to_string().contains(expected), "{expected}: {err}");
        assert!(err.to_string().contains(arg(&path)), "{err}");
        std::fs::remove_file(&path).unwrap();
    }
    let path = body_file(dir.path());
    let err = verify_changed(&path, |b| b.truncate(b.len() - 1));
    assert_eq!(err.exit_code(), 1);
    assert!(
        err.to_string().contains("before the end of its struct"),
        "{err}"
    );
    std::fs::remove_file(&path).unwrap();
    let path = body_file(dir.path());
    let err = verify_changed(&path, |b| b[40..48].copy_from_slice(&2u64.to_ne_bytes()));
    assert!(err.to_string().contains("counts 2, not 1"), "{err}");
    std::fs::remove_file(&path).unwrap();
    let path = body_file(dir.path());
    let err = verify_changed(&path, |b| b[60] = 1);
    assert!(err.to_string().contains("reserved"), "{err}");
}

#[test]
fn verify_accepts_the_waiter_word_of_a_record_file() {
    // Bytes 60..64 of a record file are the waiter word: a reader killed while waiting leaves
    // its bit set, and the file is still consistent.
    let dir = dir();
    let path = ticks_file(dir.path(), 1);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[60] = 1;
    std::fs::write(&path, &bytes).unwrap();
    run(&["verify", arg(&path)]).unwrap();
}

#[test]
fn c_header_of_a_file_is_the_text_of_c_header_for_its_type() {
    let dir = dir();
    let cases = [
        (body_file(dir.path()), mapped::c_header::<Body>()),
        (ticks_file(dir.path(), 1), mapped::c_header::<Tick>()),
        (
            records_file(dir.path(), "packets.bin", Vec::<Packet>::new()),
            mapped::c_header::<Packet>(),
        ),
        (
            records_file(dir.path(), "aligned.bin", Vec::<Aligned>::new()),
            mapped::c_header::<Aligned>(),
        ),
    ];
    for (path, expected) in cases {
        assert_eq!(
            run(&["c-header", arg(&path)]).unwrap(),
            expected,
            "{}",
            path.display()
        );
    }
    // A record file's own header gets no declarations; a struct file's does.
    assert!(!run(&["c-header", arg(&dir.path().join("ticks.bin"))])
        .unwrap()
        .contains("file_header"));
    assert!(run(&["c-header", arg(&dir.path().join("body.bin"))])
        .unwrap()
        .contains("struct Body_file_header {"));
}

#[test]
fn c_header_refuses_what_c_cannot_express_with_status_1() {
    let dir = dir();
    for (path, why) in [
        (
            records_file(dir.path(), "wide.bin", Vec::<Wide>::new()),
            "u128",
        ),
        (records_file(dir.path(), "u64.bin", vec![1u64]), "no struct"),
    ] {
        let err = run(&["c-header", arg(&path)]).unwrap_err();
        assert_eq!(err.exit_code(), 1);
        let message = err.to_string();
        assert!(
            message.contains(why) && message.contains(arg(&path)),
            "{message}"
        );
    }
}

#[test]
fn numpy_prints_the_dtype_offset_and_shape() {
    let dir = dir();
    let path = ticks_file(dir.path(), 4);
    let info = mapped::FileInfo::read(&path).unwrap();
    let out = run(&["numpy", arg(&path)]).unwrap();
    let dtype = info.numpy_dtype();
    let expected = format!(
        "dtype   {dtype}\noffset  {offset}\nshape   (4,)\npython  numpy.memmap('{path}', \
         dtype=numpy.dtype({dtype}), mode='r', offset={offset}, shape=(4,))\n",
        offset = info.data_offset,
        path = arg(&path),
    );
    assert_eq!(out, expected);
    let body = run(&["numpy", arg(&body_file(dir.path()))]).unwrap();
    assert!(body.contains("shape   (1,)\n"), "{body}");
}

#[test]
fn rust_writes_the_types_nested_first_with_the_header_attribute() {
    let dir = dir();
    let out = run(&["rust", arg(&body_file(dir.path()))]).unwrap();
    let point = out.find("pub struct Point {").expect("Point");
    let body = out.find("pub struct Body {").expect("Body");
    assert!(point < body, "nested first:\n{out}");
    for expected in [
        "use mapped::Mapped;\nuse zerocopy::{FromBytes, IntoBytes, KnownLayout};\n",
        "#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]\n#[repr(C)]\n#[mapped(magic = b\"BODYFMT\\x00\", version = 3)]\npub struct Body {",
        "    #[mapped(readonly)]\n    pub count: u32,\n",
        "    pub trail: [Point; 2],\n",
        "    pub port: zerocopy::byteorder::U16<zerocopy::byteorder::BigEndian>,\n",
        "    pub hits: std::sync::atomic::AtomicU32,\n",
        "    pub grid: [[u8; 2]; 2],\n",
    ] {
        assert!(out.contains(expected), "{expected:?} in\n{out}");
    }
    let aligned = run(&[
        "rust",
        arg(&records_file(dir.path(), "a.bin", Vec::<Aligned>::new())),
    ])
    .unwrap();
    assert!(
        aligned.contains("#[repr(C, align(16))]\npub struct Aligned {"),
        "{aligned}"
    );
    let scalar = run(&["rust", arg(&records_file(dir.path(), "u.bin", vec![1u32]))]).unwrap();
    assert!(scalar.contains("pub type Record = u32;"), "{scalar}");
}
