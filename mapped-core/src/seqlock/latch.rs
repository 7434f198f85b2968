//! The data protocol: two copies and a sequence number (Linux's `seqcount_latch`), copied with
//! atomic word loads and stores and fences (C++ P1478's "atomic memcpy", which Rust's RFC 3301
//! proposes), so that no access ever races a non-atomic one.
//!
//! The storage is `[sequence, lock, copy 0 (W words), copy 1 (W words)]`. With the sequence at
//! `S`, copy `S & 1` is *live*: whole, and what readers return.
//!
//! - A **reader** loads `S`, copies copy `S & 1` word by word, and loads the sequence again; if it
//!   moved, a writer may have been overwriting what was read, and the reader tries again. It
//!   never waits for anything else: a writer that stops (or dies) leaves the sequence still, and
//!   the live copy whole.
//! - A **writer** (holding the lock) writes the copy that is not live, publishes `S + 1` (making
//!   it live), then writes the other copy. Each copy it writes was first made not live by the
//!   sequence moving past it, so a reader still copying it sees the sequence move and retries.
//!   Killed at any moment, it leaves one whole live copy; the next writer starts on the other
//!   copy, whatever it holds, so no repair is needed.
//!
//! Why each reader that returns saw one whole write (the memory-model argument):
//! - The writer stores the sequence, then a `Release` fence, then the copy's words. A reader that
//!   loads any of those words and then runs an `Acquire` fence synchronizes with that release
//!   fence, so its second load of the sequence sees the new sequence, not the one it started
//!   from: it retries. So a reader that returns loaded no word written after its first load of
//!   the sequence.
//! - The writer finished the copy that `S` makes live before publishing `S` with `Release`; the
//!   reader's first load sees `S` and is followed by an `Acquire` fence, so it sees every word of
//!   that copy.
//! - Both loads of the sequence are `Relaxed` loads followed by fences, and the copy is made of
//!   `Relaxed` loads: the only atomic accesses std defines on read-only memory, so readers work on
//!   read-only mappings.

use std::mem::{size_of, MaybeUninit};
use std::sync::atomic::{fence, AtomicU64, Ordering};

/// Words a copy of `size` bytes takes; used by the derive to size a seqlock's storage.
#[doc(hidden)]
pub const fn words_for(size: usize) -> usize {
    size.div_ceil(8)
}

/// Index of the sequence word.
const SEQUENCE: usize = 0;
/// Index of the lock word.
pub(crate) const LOCK: usize = 1;
/// Index of copy 0's first word; copy 1 follows it.
const COPIES: usize = 2;

/// Reads the live copy: one whole value some writer wrote. Never waits for a writer.
///
/// `words` is a seqlock's storage for a `T` (`2 + 2 * words_for(size_of::<T>())` words).
#[inline(always)]
pub(crate) fn read<T: zerocopy::FromBytes>(words: &[AtomicU64]) -> T {
    let w = words_for(size_of::<T>());
    let sequence = &words[SEQUENCE];
    loop {
        let s = sequence.load(Ordering::Relaxed);
        fence(Ordering::Acquire);
        let live = COPIES + (s & 1) as usize * w;
        let value = load_copy::<T>(&words[live..live + w]);
        fence(Ordering::Acquire);
        if sequence.load(Ordering::Relaxed) == s {
            return value;
        }
        std::hint::spin_loop();
    }
}

/// Reads the live copy while holding the lock: no writer can change it.
pub(crate) fn read_locked<T: zerocopy::FromBytes>(words: &[AtomicU64]) -> T {
    let w = words_for(size_of::<T>());
    // An RMW reads the last value of the sequence, even one a dead writer stored (see `write`).
    let s = words[SEQUENCE].fetch_add(0, Ordering::Acquire);
    let live = COPIES + (s & 1) as usize * w;
    load_copy::<T>(&words[live..live + w])
}

/// Writes `value` through the latch. The caller holds the lock.
///
/// # Safety
/// `T` must hold no atomic and no `UnsafeCell` (its bytes are read through a pointer), and no
/// padding (every byte read is initialized): a `SeqlockValue`'s checked contract.
#[inline(always)]
pub(crate) unsafe fn write<T>(words: &[AtomicU64], value: &T) {
    let w = words_for(size_of::<T>());
    let sequence = &words[SEQUENCE];
    // The last sequence in its modification order: an RMW reads it even when the previous writer
    // died holding the lock (then nothing else orders its stores before ours), and `Acquire`
    // makes its finished copy visible. Writing the copy that is live would tear it.
    let s = sequence.fetch_add(0, Ordering::Acquire);
    let live = (s & 1) as usize;
    let copy = |index: usize| &words[COPIES + index * w..COPIES + (index + 1) * w];
    // Readers of the spare copy started at `S - 1` or before: a reader that sees any word stored
    // below synchronizes with this fence and so sees the sequence at `S` or later, and retries.
    fence(Ordering::Release);
    // SAFETY: forwarded from the caller.
    unsafe { store_copy(copy(1 - live), value) };
    sequence.store(s.wrapping_add(1), Ordering::Release);
    // As above, for the readers of the copy that was live until the store just made.
    fence(Ordering::Release);
    // SAFETY: forwarded from the caller.
    unsafe { store_copy(copy(live), value) };
}

/// Loads a copy's words into a `T`; bytes past `size_of::<T>()` in the last word are dropped.
///
/// Whole words are moved as `u64`s and the tail (`size_of::<T>() % 8` bytes, a constant) on its
/// own, so that the compiler sees fixed sizes and calls no `memcpy`.
#[inline(always)]
fn load_copy<T: zerocopy::FromBytes>(copy: &[AtomicU64]) -> T {
    let size = size_of::<T>();
    let (full, tail) = (size / 8, size % 8);
    assert!(
        copy.len() == words_for(size),
        "a copy is as many words as the value takes"
    );
    let mut out = MaybeUninit::<T>::uninit();
    let dst = out.as_mut_ptr().cast::<u8>();
    for (i, word) in copy[..full].iter().enumerate() {
        let value = word.load(Ordering::Relaxed);
        // SAFETY: `i < size / 8`, so the 8 bytes at `i * 8` lie within `out`; unaligned writes
        // are allowed anywhere.
        unsafe { dst.add(i * 8).cast::<u64>().write_unaligned(value) };
    }
    if tail != 0 {
        let bytes = copy[full].load(Ordering::Relaxed).to_ne_bytes();
        // SAFETY: the last `tail` bytes of `out` (from `full * 8`) and the first `tail < 8` of a
        // local array: both in bounds, not overlapping.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), dst.add(full * 8), tail) };
    }
    // SAFETY: every one of the `size` bytes of `out` was written above (`full` words, then the
    // `tail`); `T: FromBytes`, so any bytes are a valid `T`.
    unsafe { out.assume_init() }
}

/// Stores `value` into a copy's words, the last word's bytes past `size_of::<T>()` zero.
///
/// # Safety
/// As for [`write`].
#[inline(always)]
unsafe fn store_copy<T>(copy: &[AtomicU64], value: &T) {
    let size = size_of::<T>();
    let (full, tail) = (size / 8, size % 8);
    assert!(
        copy.len() == words_for(size),
        "a copy is as many words as the value takes"
    );
    let src = (value as *const T).cast::<u8>();
    for (i, word) in copy[..full].iter().enumerate() {
        // SAFETY: `i < size / 8`: the 8 bytes at `i * 8` lie within `*value`, all initialized
        // and not changed behind the shared reference (no padding, no `UnsafeCell`: the caller).
        word.store(
            unsafe { src.add(i * 8).cast::<u64>().read_unaligned() },
            Ordering::Relaxed,
        );
    }
    if tail != 0 {
        let mut bytes = [0u8; 8];
        // SAFETY: the last `tail` bytes of `*value` (as above) into a local array of 8.
        unsafe { std::ptr::copy_nonoverlapping(src.add(full * 8), bytes.as_mut_ptr(), tail) };
        copy[full].store(u64::from_ne_bytes(bytes), Ordering::Relaxed);
    }
}
