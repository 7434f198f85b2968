//! [`Tail`]: the records of a read-only [`MappedVec`] as the writer pushes them, built on
//! [`MappedVec::wait_len`].

use std::fmt;
use std::iter::FusedIterator;
use std::time::Duration;

use crate::error::Error;
use crate::field::FieldType;
use crate::mode::ReadOnly;

use super::MappedVec;

impl<T: FieldType> MappedVec<T, ReadOnly> {
    /// Follows the file like `tail -f`: yields a copy of every record from index `from` on, in
    /// order, waiting (with [`wait_len`](Self::wait_len)) up to `timeout` for each one that is not
    /// there yet. It ends when a wait times out, or after yielding an error (from
    /// [`refresh`](Self::refresh): a file cut short, say). Start `from` 0 for every record, or
    /// from [`len`](MappedVec::len) for only those pushed from now on.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mapped::MappedVec;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("ticks.bin");
    /// let mut writer = MappedVec::<u32>::open_or_create(&path)?;
    /// writer.extend([1, 2])?;
    /// let mut reader = MappedVec::<u32>::open_read_only(&path)?;
    /// let pusher = std::thread::spawn(move || writer.extend([3, 4]));
    /// // Every record, as it comes; the stream ends 100 ms after the last one.
    /// let records = reader.tail(0, Duration::from_millis(100)).collect::<Result<Vec<_>, _>>()?;
    /// pusher.join().unwrap()?;
    /// assert_eq!(records, [1, 2, 3, 4]);
    /// # Ok(()) }
    /// ```
    pub fn tail(&mut self, from: usize, timeout: Duration) -> Tail<'_, T> {
        Tail {
            vec: self,
            next: from,
            timeout,
            done: false,
        }
    }
}

/// The records of a read-only [`MappedVec`] as they arrive: see [`MappedVec::tail`]. Yields
/// `Result<T, Error>`: copies, since each wait may move the mapping.
pub struct Tail<'a, T: FieldType> {
    vec: &'a mut MappedVec<T, ReadOnly>,
    next: usize,
    timeout: Duration,
    done: bool,
}

impl<T: FieldType> Tail<'_, T> {
    /// The index of the record the next call to `next` yields.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("log.bin");
    /// # MappedVec::<u8>::open_or_create(&path)?.extend_from_slice(b"abc")?;
    /// let mut reader = MappedVec::<u8>::open_read_only(&path)?;
    /// let mut tail = reader.tail(1, Duration::ZERO);
    /// assert_eq!(tail.next().transpose()?, Some(b'b'));
    /// assert_eq!(tail.position(), 2);
    /// # Ok(()) }
    /// ```
    pub fn position(&self) -> usize {
        self.next
    }
}

impl<T: FieldType> Iterator for Tail<'_, T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Result<T, Error>> {
        if self.done {
            return None;
        }
        if self.next >= self.vec.len() {
            match self.vec.wait_len(self.next.saturating_add(1), self.timeout) {
                Ok(len) if len > self.next => {}
                Ok(_) => {
                    self.done = true;
                    return None;
                }
                Err(err) => {
                    self.done = true;
                    return Some(Err(err));
                }
            }
        }
        let record = self.vec.load(self.next);
        self.next += 1;
        Some(Ok(record))
    }
}

impl<T: FieldType> FusedIterator for Tail<'_, T> {}

impl<T: FieldType> fmt::Debug for Tail<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tail")
            .field("path", &self.vec.path())
            .field("next", &self.next)
            .field("timeout", &self.timeout)
            .finish()
    }
}
