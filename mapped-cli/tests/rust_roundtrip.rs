//! `mapped rust` is the way from an existing file to a program: the source it writes for a struct
//! file and two record files (one with a keyword for a field name, a 128-bit integer and two
//! different nested structs of one name), put in a scratch crate that depends on `mapped` by
//! path, compiles and opens the files as they are, reading back what was written.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

mod a {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Copy)]
    #[repr(C)]
    pub struct Point {
        pub x: f64,
        pub y: f64,
    }
}

mod b {
    use super::*;
    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Copy)]
    #[repr(C)]
    pub struct Point {
        pub x: i32,
        pub y: i32,
    }
}

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Copy)]
#[repr(C)]
struct Edge {
    r#type: u32,
    pad: u32,
    extra: u64,
    wide: u128,
    a: a::Point,
    b: b::Point,
    tail: u64,
}

const MAIN: &str = r#"
mod body;
mod edges;
mod ticks;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let body = body::Body::open_read_only(&args[1]).expect("the struct file opens");
    println!(
        "body id={} temp={} pos.y={} trail[1].y={:?} tag={:?} port={} small={} ratio={} grid={:?}",
        body.id(),
        body.temp(),
        body.pos().y(),
        body.trail_at(1).unwrap().y(),
        std::str::from_utf8(&body.tag()).unwrap(),
        body.port(),
        body.small(),
        body.ratio(),
        body.grid(),
    );
    let ticks = mapped::MappedVec::<ticks::Tick>::open_read_only(&args[2]).expect("the records open");
    println!("ticks len={}", ticks.len());
    for tick in ticks.iter() {
        println!("tick at={} price={} qty={} side={}", tick.at(), tick.price(), tick.qty(), tick.side());
    }
    let edges = mapped::MappedVec::<edges::Edge>::open_read_only(&args[3]).expect("the edges open");
    for edge in edges.iter() {
        println!("edge type={} wide={} a.y={:?} b.y={}", edge.r#type(), edge.wide(), edge.a().y(), edge.b().y());
    }
}
"#;

#[test]
fn generated_types_compile_and_open_the_files_they_were_written_from() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let body = body_file(dir.path());
    let ticks = ticks_file(dir.path(), 3);
    let edge = Edge {
        r#type: 7,
        pad: 0,
        extra: 0,
        wide: u128::MAX - 1,
        a: a::Point { x: 0.0, y: 2.5 },
        b: b::Point { x: 0, y: -9 },
        tail: 0,
    };
    let edges = records_file(dir.path(), "edges.bin", vec![edge]);
    let edges_source = run(&["rust", arg(&edges)]).unwrap();
    assert!(
        edges_source.contains("    pub r#type: u32,\n"),
        "{edges_source}"
    );
    assert!(
        edges_source.contains("pub struct Point2 {\n    pub x: i32,"),
        "{edges_source}"
    );
    assert!(
        edges_source.contains("    pub b: Point2,\n"),
        "{edges_source}"
    );

    let krate = dir.path().join("reader");
    std::fs::create_dir_all(krate.join("src")).unwrap();
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"reader\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nmapped = {{ path = {:?} }}\nzerocopy = {{ version = \"0.8\", features = [\"derive\"] }}\n\n\
             [workspace]\n",
            workspace.display().to_string()
        ),
    )
    .unwrap();
    // The workspace's versions, so the build reuses what is compiled and needs no registry.
    std::fs::copy(workspace.join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();
    std::fs::write(krate.join("src/main.rs"), MAIN).unwrap();
    std::fs::write(
        krate.join("src/body.rs"),
        run(&["rust", arg(&body)]).unwrap(),
    )
    .unwrap();
    std::fs::write(
        krate.join("src/ticks.rs"),
        run(&["rust", arg(&ticks)]).unwrap(),
    )
    .unwrap();
    std::fs::write(krate.join("src/edges.rs"), &edges_source).unwrap();

    // A directory of its own under the workspace's target: `cargo test` holds the lock of the
    // workspace's own profile directories while this runs.
    let target = workspace.join("target").join("cli-rust-roundtrip");
    let output = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--offline", "--"])
        .arg(&body)
        .arg(&ticks)
        .arg(&edges)
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}\n{stdout}\nsources:\n{}\n{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        std::fs::read_to_string(krate.join("src/body.rs")).unwrap(),
        std::fs::read_to_string(krate.join("src/ticks.rs")).unwrap(),
        edges_source,
    );
    assert_eq!(
        stdout,
        "body id=42 temp=-5 pos.y=-0.1 trail[1].y=1e300 tag=\"sixteen bytes!!\\0\" port=8080 \
         small=-32768 ratio=0.1 grid=[[1, 2], [3, 4]]\n\
         ticks len=3\n\
         tick at=1000 price=9.5 qty=0 side=-1\n\
         tick at=1001 price=9.6 qty=3 side=1\n\
         tick at=1002 price=9.7 qty=6 side=-1\n\
         edge type=7 wide=340282366920938463463374607431768211454 a.y=2.5 b.y=-9\n"
    );
}
