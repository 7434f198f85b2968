//! The README's first example: a typed struct living in a file.
//!
//! ```text
//! cargo run --example quickstart [PATH]
//! ```
//!
//! Without a path it works in a fresh temporary directory. Run it twice with the same path and
//! the second run finds what the first one left.

use std::path::PathBuf;

use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

/// 32 bytes on disk, laid out exactly as C would: no padding, fixed offsets.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Stats {
    hits: u64,
    misses: u32,
    ratio: f32,
    name: [u8; 16],
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let temp = tempfile::tempdir()?;
    let path = match std::env::args_os().nth(1) {
        Some(path) => PathBuf::from(path),
        None => temp.path().join("stats.bin"),
    };

    // Create the file (or open what an earlier run left), sized to exactly one `Stats`.
    let existed = path.exists();
    let stats = Stats::open_or_create(&path)?;
    println!(
        "{} {} ({} bytes)",
        if existed { "opened" } else { "created" },
        path.display(),
        std::fs::metadata(&path)?.len()
    );

    // Every accessor reads or writes the mapping directly; nothing is copied in between.
    stats.set_hits(stats.hits() + 1);
    stats.set_misses(stats.misses() + 2);
    stats.set_ratio(stats.hits() as f32 / (stats.hits() + u64::from(stats.misses())) as f32);
    stats.set_name(*b"quickstart\0\0\0\0\0\0");
    stats.flush()?; // msync(MS_SYNC): on disk once this returns
    drop(stats); // munmap

    // Map it again, read-only this time: this handle has getters and no setters.
    let stats = Stats::open_read_only(&path)?;
    let name = stats.name();
    let name = String::from_utf8_lossy(&name[..name.iter().position(|b| *b == 0).unwrap_or(16)]);
    println!(
        "reopened: hits={} misses={} ratio={:.3} name={name:?}",
        stats.hits(),
        stats.misses(),
        stats.ratio()
    );
    Ok(())
}
