//! Readers that sleep until the writer publishes records: [`MappedVec::wait_len`], and the
//! writer's side, a check after each publish that wakes them.
//!
//! An eventcount on the waiter word `W` (header bytes 60..64, `docs/file-formats.md`):
//! `W = epoch << 1 | WAITING`.
//!
//! - A reader that finds too few records sets `WAITING` (`fetch_or`, which returns the `w` it
//!   changed), issues a `SeqCst` fence, loads the count again, and only if it is still short
//!   sleeps with `FUTEX_WAIT(&W, w | WAITING)`: the kernel sleeps only while `W` still holds that.
//! - The writer stores the count (`Release`), issues a `SeqCst` fence, and loads `W`. Only if
//!   `WAITING` is set does it make a system call: `fetch_add(1)` turns `epoch << 1 | 1` into
//!   `(epoch + 1) << 1` (the next epoch, bit clear), then `FUTEX_WAKE` wakes every sleeper.
//!
//! No wake-up is lost: of the two fences, one comes first in the single total order of `SeqCst`
//! operations. If the reader's does, the writer's load of `W` sees `WAITING` and wakes; if the
//! writer's does, the reader's second load of the count sees the new records and it does not
//! sleep. A reader that sets the bit after the writer's load sleeps on a value the writer's later
//! `fetch_add` changes, or sees the count first. Only the writer clears the bit, so it stays set
//! until a publish: a reader killed while waiting costs the next publish one `FUTEX_WAKE`, and no
//! publish after that any system call.
//!
//! Before it sets the bit, a reader watches the count for up to [`SPIN`] (loads, no system
//! call): at high rates the next record usually comes sooner than a sleep and a wake-up would
//! take, and then neither side makes a system call. A reader that may not write the file polls
//! instead (see [`Waiter`]).

use std::sync::atomic::{fence, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::field::FieldType;
use crate::header::WAITER_OFFSET;
use crate::mode::{ReadOnly, ReadWrite};
use crate::sys::{self, Mapping, RecordFile};

use super::format::COUNT_OFFSET;
use super::MappedVec;

/// The bit of the waiter word a waiting reader sets.
const WAITING: u32 = 1;
/// How long a reader watches the count before it sleeps: records that arrive within this cost
/// neither side a system call. About what a sleep and a wake-up cost on a lightly loaded machine.
const SPIN: Duration = Duration::from_micros(20);
/// The longest sleep between two looks at the count when a reader polls.
const MAX_POLL: Duration = Duration::from_millis(1);
/// The first sleep when a reader polls; doubled up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_micros(20);

/// How a reader tells the writer that it waits: decided at its first wait, kept after.
#[derive(Debug)]
pub(super) enum Waiter {
    /// It has not waited yet.
    Unopened,
    /// Through the waiter word in a read-write mapping of the file's first page, made through a
    /// second, read-write open of the same file.
    Futex(Mapping),
    /// It may not write the file (permissions, a read-only filesystem), or the platform has no
    /// futex: it polls, sleeping at most [`MAX_POLL`] between looks, and never writes anything.
    Polling,
}

impl Waiter {
    fn open(file: &RecordFile) -> Result<Waiter, Error> {
        if !sys::HAS_FUTEX {
            return Ok(Waiter::Polling);
        }
        Ok(match file.map_first_page_writable()? {
            Some(page) => Waiter::Futex(page),
            None => Waiter::Polling,
        })
    }
}

/// The waiter word of a page mapped by [`RecordFile::map_first_page_writable`].
fn waiter_word(page: &Mapping) -> &AtomicU32 {
    assert!(
        page.data_len() >= WAITER_OFFSET + 4,
        "a page holds the header"
    );
    // SAFETY: the word lies within the mapping (asserted), which is read-write and shared, and
    // lives as long as the returned reference, which borrows it; the mapping starts on a page
    // boundary, so `WAITER_OFFSET` (60) is 4-byte aligned; an atomic is an `UnsafeCell`, so a
    // shared reference tolerates the writer's changes from another process. The file holds the
    // whole header (checked when the reader opened it), so the word is backed.
    unsafe { page.data().add(WAITER_OFFSET).cast::<AtomicU32>().as_ref() }
}

impl<T: FieldType> MappedVec<T, ReadOnly> {
    /// Waits until the writer has published at least `min_len` records, or until `timeout` has
    /// passed, and returns the length then (as [`refresh`](Self::refresh) does): at least
    /// `min_len`, or less at the timeout.
    ///
    /// It sleeps on a futex the writer's [`push`](MappedVec::push) and
    /// [`extend`](MappedVec::extend) wake, without spinning, and a writer pays for it only while
    /// a reader actually waits: a publish with no reader waiting makes no system call. To say
    /// that it waits, a reader opened read-only sets a word in the file's header, through a second,
    /// read-write mapping of the file's first page, made at its first wait. Where it may not
    /// write the file (no write permission, a read-only filesystem) it polls instead,
    /// refreshing with sleeps that grow to 1 ms, and never writes.
    ///
    /// Spurious wake-ups and signals are absorbed; a writer that dies only leaves it waiting
    /// until `timeout`, never longer. A file that [`MappedVec::upgrade`] replaces wakes it at
    /// once, with [`Error::Replaced`]; a file replaced at its path by other means is reported the
    /// same way, at the timeout. A timeout too long to add to the clock waits without limit.
    ///
    /// # Errors
    /// As for [`refresh`](Self::refresh), which it calls: [`Error::Truncated`] if the file was cut
    /// short under it; [`Error::Replaced`] once the path names another file; [`Error::Io`]. Also [`Error::Io`] with [`Op::Open`](crate::Op::Open) or
    /// [`Op::Mmap`](crate::Op::Mmap) if the waiter word cannot be mapped for a reason other than
    /// permissions.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mapped::MappedVec;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("ticks.bin");
    /// let mut writer = MappedVec::<u64>::open_or_create(&path)?;
    /// let mut reader = MappedVec::<u64>::open_read_only(&path)?;
    /// let pusher = std::thread::spawn(move || {
    ///     for n in 0..3 {
    ///         writer.push(n)?;
    ///     }
    ///     Ok::<_, mapped::Error>(())
    /// });
    /// let mut seen = 0;
    /// while seen < 3 {
    ///     // Returns once more records are there, or after a second with what is there.
    ///     let len = reader.wait_len(seen + 1, Duration::from_secs(1))?;
    ///     for n in seen..len {
    ///         assert_eq!(reader.get(n), Some(n as u64));
    ///     }
    ///     seen = len;
    /// }
    /// pusher.join().unwrap()?;
    /// // No writer any more: waiting returns at the timeout, with the length then.
    /// assert_eq!(reader.wait_len(4, Duration::from_millis(10))?, 3);
    /// # Ok(()) }
    /// ```
    pub fn wait_len(&mut self, min_len: usize, timeout: Duration) -> Result<usize, Error> {
        let deadline = Instant::now().checked_add(timeout);
        let time_left = || match deadline {
            Some(deadline) => deadline.saturating_duration_since(Instant::now()),
            None => Duration::MAX,
        };
        let mut poll = FIRST_POLL;
        let mut spun = false;
        loop {
            let len = self.refresh()?;
            if len >= min_len {
                return Ok(len);
            }
            let remaining = time_left();
            if remaining.is_zero() {
                return Ok(len);
            }
            if !spun {
                spun = true;
                if self.spin_for(min_len, SPIN.min(remaining)) {
                    continue;
                }
            }
            if let Waiter::Unopened = self.waiter {
                self.waiter = Waiter::open(&self.file)?;
            }
            let seen = match &self.waiter {
                Waiter::Futex(page) => {
                    let seen = waiter_word(page).fetch_or(WAITING, Ordering::SeqCst) | WAITING;
                    // Orders the bit before the count's second load (see the module's proof).
                    fence(Ordering::SeqCst);
                    Some(seen)
                }
                Waiter::Polling | Waiter::Unopened => None,
            };
            match seen {
                Some(seen) => {
                    let len = self.refresh()?;
                    if len >= min_len {
                        return Ok(len);
                    }
                    if let Waiter::Futex(page) = &self.waiter {
                        sys::futex_wait(waiter_word(page), seen, time_left());
                    }
                }
                None => {
                    std::thread::sleep(poll.min(remaining));
                    poll = (poll * 2).min(MAX_POLL);
                }
            }
        }
    }

    /// Watches the published count (loads only, no system call) for up to `spin`; whether it
    /// reached `min_len`. Records that come this soon are seen without either side making a
    /// system call: no sleep, and no waiter bit for the writer to find.
    fn spin_for(&self, min_len: usize, spin: Duration) -> bool {
        let start = Instant::now();
        loop {
            if self.region.load_word(COUNT_OFFSET) >= min_len as u64 {
                return true;
            }
            if start.elapsed() >= spin {
                return false;
            }
            std::hint::spin_loop();
        }
    }

    /// How this reader waits: `"unopened"` before its first sleep, then `"futex"` or
    /// `"polling"`; for tests, with the `test-hooks` feature only.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn wait_strategy(&self) -> &'static str {
        match self.waiter {
            Waiter::Unopened => "unopened",
            Waiter::Futex(_) => "futex",
            Waiter::Polling => "polling",
        }
    }
}

/// Wakes the readers waiting for records, if any: called by the writer after every publish of
/// the count, with the waiter word of its mapping. With none waiting, a fence, a load and a
/// branch; no system call. Returns whether it woke (made the system call).
#[inline(always)]
pub(super) fn wake_waiters(word: &AtomicU32) -> bool {
    // Orders the count's store before the waiter word's load (see the module's proof).
    fence(Ordering::SeqCst);
    word.load(Ordering::Relaxed) & WAITING != 0 && wake(word)
}

/// The rare part of [`wake_waiters`]: a reader waits (or waited, and was killed). Clears the bit
/// by moving to the next epoch, so that a sleeper whose value changed cannot go back to sleep on
/// it, and wakes every sleeper.
#[cold]
#[inline(never)]
fn wake(word: &AtomicU32) -> bool {
    // Only the writer clears the bit, so it is still set: adding 1 carries it into the epoch
    // (`epoch << 1 | 1` + 1 = `(epoch + 1) << 1`), wrapping after 2^31 epochs.
    word.fetch_add(1, Ordering::Release);
    sys::futex_wake_all(word);
    true
}

/// Wakes the readers sleeping in `wait_len` on a file that was just replaced at its path (by
/// [`MappedVec::upgrade`]): their next `refresh` reports [`Error::Replaced`] now, not at the end
/// of their timeout. Best effort: a file whose first page cannot be mapped writable leaves them to
/// their timeout, which is all they would have had without it.
pub(super) fn wake_after_replace(file: &RecordFile) {
    if !sys::HAS_FUTEX {
        return;
    }
    if let Ok(Some(page)) = file.map_first_page_writable() {
        let word = waiter_word(&page);
        // Only the writer clears the bit, and the upgrade holds the writer's lock.
        if word.load(Ordering::SeqCst) & WAITING != 0 {
            wake(word);
        }
    }
}

impl<T: FieldType> MappedVec<T, ReadWrite> {
    /// Counts a wake for `wake_count` (with `test-hooks`; nothing without).
    #[inline(always)]
    pub(super) fn count_wake(&mut self) {
        #[cfg(feature = "test-hooks")]
        {
            self.wakes += 1;
        }
    }

    /// How many times this writer has made the system call that wakes waiting readers; for
    /// tests, with the `test-hooks` feature only.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn wake_count(&self) -> usize {
        self.wakes
    }
}
