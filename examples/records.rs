//! Persistent records: a writer appends sensor readings to a file while a reader in a second
//! process follows it live.
//!
//! ```text
//! cargo run --example records [PATH]
//! ```
//!
//! Without a path it works in a fresh temporary directory. With one, each run appends 10,000
//! readings to what earlier runs left. The reader is this same program, started by the writer as
//! `records --follow PATH FROM TO`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mapped::{Mapped, MappedVec};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

/// One reading: 16 bytes on disk, no padding.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Reading {
    /// Nanoseconds since the Unix epoch.
    at: u64,
    sensor: u32,
    value: f32,
}

const READINGS: usize = 10_000;
const BATCH: usize = 500;

/// What reading number `n` of the log holds, so the reader can tell a whole record.
fn sensor(n: usize) -> u32 {
    (n % 4) as u32
}

fn value(n: usize) -> f32 {
    20.0 + (n % 100) as f32 / 10.0
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
        None => temp.path().join("readings.bin"),
    };
    write(&path)
}

/// The writer: opens (or creates) the log, starts a reader, appends in batches.
fn write(path: &Path) -> Result<ExitCode, Box<dyn std::error::Error>> {
    // One writer at a time: a second `open` of this file, from any process, is `Error::Locked`.
    let mut log = MappedVec::<Reading>::open_or_create(path)?;
    let from = log.len();
    let to = from + READINGS;

    // The reader opens the file read-only, which never waits for the writer's lock.
    let mut reader = Command::new(std::env::current_exe()?)
        .arg("--follow")
        .arg(path)
        .args([from.to_string(), to.to_string()])
        .spawn()?;

    for start in (from..to).step_by(BATCH) {
        for n in start..(start + BATCH).min(to) {
            let at = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos() as u64;
            // Written into the mapping, then counted: the reader never sees half a reading.
            log.push(Reading {
                at,
                sensor: sensor(n),
                value: value(n),
            })?;
        }
        std::thread::sleep(Duration::from_millis(1)); // let the reader catch up now and then
    }
    log.flush()?; // msync + fdatasync: the readings now survive a power loss
    println!(
        "writer: appended {READINGS} readings to {} ({} in all, file {} bytes)",
        path.display(),
        log.len(),
        std::fs::metadata(path)?.len()
    );

    let status = reader.wait()?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        eprintln!("the reader failed: {status}");
        ExitCode::FAILURE
    })
}

/// The reader: follows the log until it holds `to` readings, checking each as it appears.
fn follow(path: &Path, from: usize, to: usize) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut log = MappedVec::<Reading>::open_read_only(path)?;
    let (mut seen, mut refreshes, mut last_at) = (from, 0, 0);
    let start = Instant::now();
    while seen < to {
        if start.elapsed() > Duration::from_secs(30) {
            eprintln!("reader: gave up after {} readings", seen - from);
            return Ok(ExitCode::FAILURE);
        }
        // Loads the count the writer published, and remaps if the file has grown.
        let len = log.refresh()?.min(to);
        refreshes += 1;
        for n in seen..len {
            let r = log.get(n).expect("counted, so mapped");
            if r.sensor() != sensor(n) || r.value() != value(n) || r.at() < last_at {
                eprintln!("reader: reading {n} is not whole");
                return Ok(ExitCode::FAILURE);
            }
            last_at = r.at();
        }
        seen = len;
        std::thread::sleep(Duration::from_micros(200));
    }
    println!(
        "reader: followed {} readings, all whole, in {refreshes} refreshes (room for {} mapped)",
        to - from,
        log.capacity()
    );
    Ok(ExitCode::SUCCESS)
}
