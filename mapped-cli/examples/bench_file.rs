//! Writes the files `scripts/bench-cli.sh` measures the `mapped` command on.
//!
//! ```text
//! cargo run --release -p mapped-cli --example bench_file -- records PATH N   # N 64-byte records
//! cargo run --release -p mapped-cli --example bench_file -- sparse PATH GIB  # a sparse record file
//! ```

use std::process::ExitCode;

use mapped::{Mapped, MappedVec};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

/// A 64-byte market-data record: the mix of integers and floats a dump usually meets.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Quote {
    seq: u64,
    at: u64,
    bid: f64,
    ask: f64,
    bid_size: u32,
    ask_size: u32,
    venue: i32,
    flags: u32,
    last: f64,
    volume: u64,
}

fn quote(i: u64) -> Quote {
    let price = 100.0 + (i % 10_000) as f64 / 100.0;
    Quote {
        seq: i,
        at: 1_700_000_000_000_000_000 + i * 1_000,
        bid: price,
        ask: price + 0.01,
        bid_size: (i % 500) as u32 * 100,
        ask_size: (i % 300) as u32 * 100,
        venue: (i % 12) as i32 - 6,
        flags: (i % 4) as u32,
        last: price + 0.005,
        volume: i * 37,
    }
}

fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [what, path, n] = &args[..] else {
        eprintln!("usage: bench_file records PATH N | sparse PATH GIB");
        return Ok(ExitCode::from(2));
    };
    let n: u64 = n.parse()?;
    let _ = std::fs::remove_file(path);
    let mut quotes = MappedVec::<Quote>::open_or_create(path)?;
    match what.as_str() {
        "records" => {
            for i in 0..n {
                quotes.push(quote(i))?;
            }
            quotes.flush()?;
        }
        "sparse" => {
            quotes.push(quote(0))?;
            drop(quotes);
            // Grown with holes: `inspect` must cost the same whatever the file's size.
            std::fs::OpenOptions::new()
                .write(true)
                .open(path)?
                .set_len(n << 30)?;
        }
        _ => {
            eprintln!("usage: bench_file records PATH N | sparse PATH GIB");
            return Ok(ExitCode::from(2));
        }
    }
    Ok(ExitCode::SUCCESS)
}
