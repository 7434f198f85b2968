//! Self-checking records and child-process plumbing for the multi-process record tests
//! (`vec_kill.rs`, `vec_soak.rs`).

use std::process::Child;

use mapped::Mapped;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// A 64-byte record that can tell whether it is whole: its index, a tag saying who wrote it (a
/// child's life, a batch), a payload derived from both, and a checksum over all of them.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Immutable, Clone, Copy, Debug)]
#[repr(C)]
pub struct Entry {
    pub seq: u64,
    pub tag: u64,
    pub payload: [u64; 5],
    pub check: u64,
}

fn checksum(seq: u64, tag: u64, payload: &[u64; 5]) -> u64 {
    payload
        .iter()
        .fold(mix(seq ^ tag.rotate_left(32)), |acc, &w| mix(acc ^ w))
}

/// Record `seq` as the writer tagged `tag` writes it.
pub fn entry(seq: u64, tag: u64) -> Entry {
    let payload = std::array::from_fn(|k| mix(seq.wrapping_mul(31) ^ tag ^ k as u64));
    Entry {
        seq,
        tag,
        payload,
        check: checksum(seq, tag, &payload),
    }
}

/// Whether `e` is exactly what `entry(index, e.tag)` wrote.
pub fn is_whole(e: &Entry, index: usize) -> bool {
    let expected = entry(index as u64, e.tag);
    e.seq == index as u64 && e.payload == expected.payload && e.check == expected.check
}

/// SplitMix64: record payloads, and the seeded RNG below.
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A seeded RNG, so a failing run can be replayed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A child that is killed and reaped when this is dropped, whatever happened meanwhile.
pub struct Reaped(pub Option<Child>);

impl Reaped {
    /// Panics if the child has already ended.
    pub fn assert_running(&mut self, what: &str) {
        let child = self.0.as_mut().expect("a child");
        if let Some(status) = child.try_wait().expect("try_wait") {
            panic!("{what} ended by itself: {status}");
        }
    }

    /// Kills the child with `SIGKILL` and reaps it.
    pub fn kill(mut self) -> std::process::ExitStatus {
        let mut child = self.0.take().expect("a child");
        child.kill().expect("SIGKILL");
        child.wait().expect("reap")
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
