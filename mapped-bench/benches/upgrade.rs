//! The record-file side of schema evolution, timed (`scripts/bench-upgrade.sh` drives it):
//!
//! - `create PATH BYTES`: a record file of about `BYTES` bytes of 64-byte `Old` records, flushed;
//! - `upgrade PATH`: `MappedVec::<New>::upgrade` of it (`New` appends one `u64`: 72 bytes),
//!   printing the seconds it took;
//! - `refresh PATH N`: `N` refreshes of a reader with nothing new to see (the common path, which
//!   `fstat`s the file and `stat`s its path), printing nanoseconds per refresh.

use std::time::Instant;

use mapped::{Mapped, MappedVec};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Copy)]
#[repr(C)]
struct Old {
    words: [u64; 8],
}

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Copy)]
#[repr(C)]
struct New {
    words: [u64; 8],
    added: u64,
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let arg = |i: usize| {
        args.get(i)
            .unwrap_or_else(|| panic!("argument {i}: see the header"))
    };
    match arg(0).as_str() {
        "create" => {
            let bytes: u64 = arg(2).parse().expect("a size in bytes");
            let mut log = MappedVec::<Old>::open_or_create(arg(1)).expect("create");
            let n = bytes / 64;
            log.extend((0..n).map(|i| Old { words: [i; 8] }))
                .expect("extend");
            log.flush().expect("flush");
        }
        "upgrade" => {
            let start = Instant::now();
            MappedVec::<New>::upgrade(arg(1)).expect("upgrade");
            println!("{:.3}", start.elapsed().as_secs_f64());
        }
        "refresh" => {
            let n: u32 = arg(2).parse().expect("a count");
            let mut reader = MappedVec::<Old>::open_read_only(arg(1)).expect("open");
            let start = Instant::now();
            for _ in 0..n {
                std::hint::black_box(reader.refresh().expect("refresh"));
            }
            println!("{:.0}", start.elapsed().as_nanos() as f64 / f64::from(n));
        }
        other => panic!("unknown mode {other}: see the header"),
    }
}
