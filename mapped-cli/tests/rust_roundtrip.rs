//! `mapped rust` is the way from an existing file to a program: the source it writes for a struct
//! file and a record file, put in a scratch crate that depends on `mapped` by path, compiles and
//! opens both files as they are, reading back what was written.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

const MAIN: &str = r#"
mod body;
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
}
"#;

#[test]
fn generated_types_compile_and_open_the_files_they_were_written_from() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let body = body_file(dir.path());
    let ticks = ticks_file(dir.path(), 3);

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

    // A directory of its own under the workspace's target: `cargo test` holds the lock of the
    // workspace's own profile directories while this runs.
    let target = workspace.join("target").join("cli-rust-roundtrip");
    let output = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--offline", "--"])
        .arg(&body)
        .arg(&ticks)
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}\n{stdout}\nsources:\n{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        std::fs::read_to_string(krate.join("src/body.rs")).unwrap(),
        std::fs::read_to_string(krate.join("src/ticks.rs")).unwrap(),
    );
    assert_eq!(
        stdout,
        "body id=42 temp=-5 pos.y=-0.1 trail[1].y=1e300 tag=\"sixteen bytes!!\\0\" port=8080 \
         small=-32768 ratio=0.1 grid=[[1, 2], [3, 4]]\n\
         ticks len=3\n\
         tick at=1000 price=9.5 qty=0 side=-1\n\
         tick at=1001 price=9.6 qty=3 side=1\n\
         tick at=1002 price=9.7 qty=6 side=-1\n"
    );
}
