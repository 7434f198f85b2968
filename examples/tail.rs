//! `tail -f` for a record file: a writer appends ticks in bursts while a reader in a second
//! process follows with `wait_len`, sleeping (not polling) until records arrive.
//!
//! ```text
//! cargo run --example tail [PATH]
//! ```
//!
//! Without a path it works in a fresh temporary directory. The reader is this same program,
//! started by the writer as `tail --follow PATH FROM TO`; it prints one line per second of
//! waiting (there are none while the writer keeps up) and a summary.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use mapped::{Mapped, MappedVec};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

/// One price tick: 24 bytes, no padding.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Tick {
    seq: u64,
    price: f64,
    size: u32,
    venue: u32,
}

const TICKS: usize = 20_000;
const BURST: usize = 250;

fn tick(seq: usize) -> Tick {
    Tick {
        seq: seq as u64,
        price: 100.0 + (seq % 50) as f64 / 100.0,
        size: (seq % 7 + 1) as u32 * 100,
        venue: (seq % 3) as u32,
    }
}

fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, path, from, to] = args.as_slice() {
        if flag == "--follow" {
            return follow(Path::new(path), from.parse()?, to.parse()?);
        }
    }
    let temp = tempfile::tempdir()?;
    let path = match args.first() {
        Some(path) => PathBuf::from(path),
        None => temp.path().join("ticks.bin"),
    };
    write(&path)
}

/// The writer: appends `TICKS` ticks in bursts, with pauses the reader sleeps through.
fn write(path: &Path) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut log = MappedVec::<Tick>::open_or_create(path)?;
    let from = log.len();
    let to = from + TICKS;
    let mut reader = Command::new(std::env::current_exe()?)
        .arg("--follow")
        .arg(path)
        .args([from.to_string(), to.to_string()])
        .spawn()?;
    for start in (from..to).step_by(BURST) {
        // A push wakes a sleeping reader; with nobody waiting it makes no system call.
        for seq in start..(start + BURST).min(to) {
            log.push(tick(seq))?;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    println!("writer: appended {TICKS} ticks to {}", path.display());
    let status = reader.wait()?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        eprintln!("the reader failed: {status}");
        ExitCode::FAILURE
    })
}

/// The reader: waits for each next tick, checks every one it gets, until it has seen `to`.
fn follow(path: &Path, from: usize, to: usize) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut log = MappedVec::<Tick>::open_read_only(path)?;
    let (mut seen, mut wakes) = (from, 0);
    let start = Instant::now();
    while seen < to {
        // Returns as soon as the writer has published `seen + 1` ticks, or after a second with
        // what there is: a writer that died or stalls never hangs the reader.
        let len = log.wait_len(seen + 1, Duration::from_secs(1))?.min(to);
        wakes += 1;
        if len == seen {
            println!("reader: no tick for a second (at {seen})");
            if start.elapsed() > Duration::from_secs(30) {
                eprintln!("reader: gave up");
                return Ok(ExitCode::FAILURE);
            }
        }
        for n in seen..len {
            let t = log.get(n).expect("counted, so mapped");
            let want = tick(n);
            if (t.seq(), t.price(), t.size(), t.venue())
                != (want.seq, want.price, want.size, want.venue)
            {
                eprintln!("reader: tick {n} is not whole");
                return Ok(ExitCode::FAILURE);
            }
        }
        seen = len;
    }
    println!(
        "reader: followed {} ticks, all whole and in order, in {wakes} waits",
        to - from
    );
    Ok(ExitCode::SUCCESS)
}
