//! The writer lock: one word, shared by every process that maps the seqlock, that survives its
//! owner's death.
//!
//! The word is 0 when free, else it names the owner thread: its id in the low 22 bits (Linux
//! thread ids are below `PID_MAX_LIMIT`, 2²²) and the low 42 bits of its start time above them
//! (clock ticks since boot, field 22 of `/proc/<tid>/stat`: 2⁴² ticks of 10 ms are over a
//! thousand years). A writer takes it with a compare-and-swap from 0 and gives it back with one
//! to 0. A writer that finds it taken waits (spinning, yielding, then sleeping a little longer
//! each time, up to a millisecond) and, once it sleeps, checks on each wake-up whether the owner
//! still runs: no such thread, another thread under that id (a different start time: the id was
//! reused), or a zombie means dead, and the waiter takes the lock over with a compare-and-swap
//! from the dead owner's word, which only one waiter can win.
//!
//! The lock is held for two copies of the value, so waiting is short and rare; a futex would
//! cost every unlock a system call, or the word a waiters bit, for little.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::sys::{self, ThreadName};

/// Bits of the lock word holding the thread id.
const TID_BITS: u32 = 22;
/// The start-time bits the word keeps.
pub(crate) const START_MASK: u64 = (1 << (64 - TID_BITS)) - 1;

/// The lock word naming `thread`.
pub(crate) fn word_of(thread: ThreadName) -> u64 {
    ((thread.start & START_MASK) << TID_BITS) | u64::from(thread.tid & ((1 << TID_BITS) - 1))
}

/// The thread a lock word names.
pub(crate) fn thread_of(word: u64) -> ThreadName {
    ThreadName {
        tid: (word & ((1 << TID_BITS) - 1)) as u32,
        start: word >> TID_BITS,
    }
}

thread_local! {
    /// This thread's lock word, and the fork generation it was computed in: a forked child's
    /// thread inherits the cache, but not the name.
    static ME: Cell<Option<(u64, u64)>> = const { Cell::new(None) };
}

/// The lock word naming the calling thread; `/proc` is read once per thread (and per fork).
fn me() -> u64 {
    // Without the fork handler a child could not tell the cache is its parent's: no cache then.
    let Ok(generation) = sys::fork_generation() else {
        return word_of(sys::current_thread());
    };
    ME.with(|me| match me.get() {
        Some((cached, word)) if cached == generation => word,
        _ => {
            let word = word_of(sys::current_thread());
            me.set(Some((generation, word)));
            word
        }
    })
}

/// The lock, held; released on drop (a panic in an `update` closure included).
pub(crate) struct Guard<'a> {
    word: &'a AtomicU64,
    me: u64,
}

/// Spins before yielding, and yields before sleeping.
const SPINS: u32 = 100;
const YIELDS: u32 = 20;
/// The longest sleep between two checks of the owner.
const MAX_SLEEP: Duration = Duration::from_millis(1);

/// Takes the lock, waiting for a live owner and taking it over from a dead one.
///
/// # Panics
/// If the calling thread holds it already (an `update` closure writing the same seqlock): it
/// would wait for itself forever.
pub(crate) fn lock(word: &AtomicU64) -> Guard<'_> {
    let me = me();
    let mut tries = 0u32;
    let mut sleep = Duration::from_micros(20);
    loop {
        let owner = match word.compare_exchange_weak(0, me, Ordering::Acquire, Ordering::Relaxed) {
            Ok(_) => return Guard { word, me },
            Err(0) => continue,
            Err(owner) => owner,
        };
        assert!(
            owner != me,
            "this thread already holds this seqlock's writer lock: an `update` closure wrote \
             the seqlock it updates"
        );
        tries += 1;
        if tries <= SPINS {
            std::hint::spin_loop();
        } else if tries <= SPINS + YIELDS {
            std::thread::yield_now();
        } else if sys::thread_is_dead(thread_of(owner), START_MASK) {
            // Only one waiter's swap from this very word succeeds; the owner being dead, no one
            // else can have taken and given back the lock with the same word in between.
            if word
                .compare_exchange(owner, me, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return Guard { word, me };
            }
        } else {
            std::thread::sleep(sleep);
            sleep = (sleep * 2).min(MAX_SLEEP);
        }
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        // A swap, not a store: should a waiter ever have taken the lock over, it is theirs now.
        let _ = self
            .word
            .compare_exchange(self.me, 0, Ordering::Release, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_word_names_a_thread_and_never_is_zero() {
        let thread = ThreadName {
            tid: 4_194_303,
            start: 123_456_789,
        };
        assert_eq!(thread_of(word_of(thread)), thread);
        assert_ne!(word_of(sys::current_thread()), 0);
        assert_eq!(me(), word_of(sys::current_thread()));
    }

    #[test]
    fn a_free_lock_is_taken_and_given_back() {
        let word = AtomicU64::new(0);
        {
            let _guard = lock(&word);
            assert_eq!(word.load(Ordering::Relaxed), me());
        }
        assert_eq!(word.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn a_lock_named_after_a_reused_id_is_taken_over() {
        let mut thread = sys::current_thread();
        thread.start += 1;
        let word = AtomicU64::new(word_of(thread));
        drop(lock(&word));
        assert_eq!(word.load(Ordering::Relaxed), 0);
    }

    #[test]
    #[should_panic(expected = "already holds")]
    fn taking_the_lock_twice_in_one_thread_panics_rather_than_hangs() {
        let word = AtomicU64::new(0);
        let _guard = lock(&word);
        let _again = lock(&word);
    }
}
