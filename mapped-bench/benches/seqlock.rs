//! `cargo bench -p mapped-bench --bench seqlock`: divan micro-benchmarks of a `Seqlock` of 64
//! bytes, uncontended, in cache: `read()` against `load()` of the same plain struct (the goal is
//! at most twice its time), and `write()`. Each benchmark does 4096 operations.

use std::hint::black_box;

use mapped::{Mapped, Seqlock};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

const OPS: u64 = 4096;

/// Eight words, 64 bytes.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Eight {
    words: [u64; 8],
}

/// The same 64 bytes behind a `Seqlock`.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Latched {
    value: Seqlock<Eight>,
}

fn main() {
    divan::main();
}

/// `load()` of the plain struct: a copy that may tear when another process writes.
#[divan::bench(counter = divan::counter::ItemsCount::new(OPS))]
fn load_plain(bencher: divan::Bencher) {
    let plain = Eight::anonymous().expect("map");
    bencher.bench_local(|| {
        let mut sum = 0u64;
        for _ in 0..OPS {
            sum = sum.wrapping_add(black_box(plain.load()).words[7]);
        }
        sum
    });
}

/// `read()` of the seqlock: one whole value, whatever writers do.
#[divan::bench(counter = divan::counter::ItemsCount::new(OPS))]
fn read_seqlock(bencher: divan::Bencher) {
    let latched = Latched::anonymous().expect("map");
    bencher.bench_local(|| {
        let mut sum = 0u64;
        for _ in 0..OPS {
            sum = sum.wrapping_add(black_box(latched.value().read()).words[7]);
        }
        sum
    });
}

/// `write()` of the seqlock: the writer lock, both copies, the sequence.
#[divan::bench(counter = divan::counter::ItemsCount::new(OPS))]
fn write_seqlock(bencher: divan::Bencher) {
    let latched = Latched::anonymous().expect("map");
    bencher.bench_local(|| {
        for i in 0..OPS {
            latched.value().write(black_box(&Eight { words: [i; 8] }));
        }
    });
}
