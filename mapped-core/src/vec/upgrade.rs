//! `MappedVec::upgrade`: rewriting a record file of an older layout of `T` as records of `T`,
//! crash-safely (a new file beside the old one, renamed over it once complete and durable).

use std::ffi::OsString;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::field::FieldType;
use crate::file;
use crate::mode::ReadWrite;
use crate::sys::replace;
use crate::sys::{Advice, Protection, RecordFile};

use super::format::{Evolution, RecordType, COUNT_OFFSET};
use super::wait;
use super::{lock_at_path, MappedVec};

/// Bytes of new records written at a time: large enough that the system calls cost nothing next
/// to the copy, small enough for the buffer to stay in the cache's reach.
const CHUNK: usize = 1 << 20;

impl<T: FieldType> MappedVec<T, ReadWrite> {
    /// Rewrites the record file at `path`, written by an older layout of `T` (one whose fields
    /// are a proper prefix of `T`'s), as records of `T`: every record copied, the fields `T`
    /// appended zeroed (zero is "absent"), `T`'s schema in the header. Idempotent: a file already
    /// of `T`'s layout is left alone.
    ///
    /// The rewrite happens under the writer's lock, into a new file beside the old one (named
    /// `.<name>.mapped-upgrade`, so a leftover from a crash is replaced by the next upgrade),
    /// which is `fsync`ed and then renamed over the old file (and the directory `fsync`ed). A
    /// crash at any moment leaves the complete old file or the complete new one at `path`. The
    /// file `path` resolves to is replaced, so a symbolic link stays a link; its permission bits
    /// are kept. Readers still mapping the old file get [`Error::Replaced`] from
    /// [`refresh`](MappedVec::refresh) and [`check_file`](MappedVec::check_file), and reopen.
    ///
    /// # Errors
    /// [`Error::Locked`] at once if a writer has the file open (nothing waits);
    /// [`Error::LayoutMismatch`] if the file's layout is neither `T`'s nor a prefix of it,
    /// including a file of a newer layout (the message says so: such a file opens as it is);
    /// as for [`open`](Self::open) for a file that is not a record file; [`Error::Io`] (e.g.
    /// `ENOSPC` while writing the new file, which then leaves the old one untouched);
    /// [`Error::Truncated`] if a process ignoring the writer's lock cuts the old file short while
    /// it is copied (its records are read through a mapping, and its size is checked before each
    /// MiB: see [`check_file`](MappedVec::check_file) on why a mapping cannot do more).
    ///
    /// ```
    /// use mapped::{Error, Mapped, MappedVec};
    /// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    ///
    /// mod v1 {
    ///     # use super::*;
    ///     #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    ///     #[repr(C)]
    ///     pub struct Reading { pub at: u64 }
    /// }
    /// mod v2 {
    ///     # use super::*;
    ///     #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    ///     #[repr(C)]
    ///     pub struct Reading { pub at: u64, pub sensor: u64 } // `sensor` appended: 0 is "none"
    /// }
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("readings.bin");
    /// MappedVec::<v1::Reading>::open_or_create(&path)?.push(v1::Reading { at: 7 })?;
    /// // The new layout refuses the old file until it is upgraded:
    /// let refused = MappedVec::<v2::Reading>::open(&path);
    /// assert!(matches!(refused, Err(Error::NeedsUpgrade { missing, .. }) if missing == ["sensor"]));
    /// MappedVec::<v2::Reading>::upgrade(&path)?;
    /// MappedVec::<v2::Reading>::upgrade(&path)?; // idempotent
    /// let log = MappedVec::<v2::Reading>::open(&path)?;
    /// let r = log.get(0).unwrap();
    /// assert_eq!((r.at(), r.sensor()), (7, 0));
    /// // The old layout still reads (and writes) the upgraded file:
    /// drop(log);
    /// assert_eq!(MappedVec::<v1::Reading>::open(&path)?.get(0).unwrap().at(), 7);
    /// # Ok(()) }
    /// ```
    pub fn upgrade(path: impl AsRef<Path>) -> Result<(), Error> {
        upgrade(path.as_ref(), RecordType::of::<T>())
    }
}

/// The fixed name of the new file while an upgrade writes it: beside the old one, hidden.
fn temp_path(target: &Path) -> PathBuf {
    let mut name = OsString::from(".");
    name.push(target.file_name().unwrap_or_default());
    name.push(".mapped-upgrade");
    target.with_file_name(name)
}

fn upgrade(path: &Path, new: RecordType) -> Result<(), Error> {
    let target = replace::resolve(path)?;
    let old = lock_at_path(file::open_records(&target, true)?)?;
    let size = old.size()?;
    let pread = |at: u64, buf: &mut [u8]| old.read_at(buf, at);
    let checked = new.inspect(path, size, &pread)?;
    match &checked.evolution {
        Evolution::Same => return Ok(()),
        Evolution::Newer { extra } => return Err(newer(path, &new, &checked, extra)),
        Evolution::Older { .. } => {}
    }
    // What the old file really holds of what its count claims (a file cut short keeps only
    // whole records, as opening it for writing would).
    let old_stride = checked.stride as usize;
    let in_file = size.saturating_sub(checked.data_offset) / checked.stride;
    let records = checked.count.min(in_file);
    let temp = temp_path(&target);
    let mode = replace::permissions(old.file(), path)?;
    let fresh = replace::create_fresh(&temp, mode)?;
    let result = write_records(&old, checked.data_offset, old_stride, records, &fresh, &new);
    let result = result
        .and_then(|()| fresh.sync_data())
        .and_then(|()| replace::rename_over(&temp, &target));
    match result {
        // Readers asleep in `wait_len` on the old file learn now that it was replaced.
        Ok(()) => wait::wake_after_replace(&old),
        // Leave only the old file; the next upgrade would replace this leftover anyway.
        Err(_) => replace::remove(&temp),
    }
    // The old file's lock is released only now: a writer that opened it meanwhile finds the
    // path renamed over once it holds the lock, and opens the new file.
    drop(old);
    result
}

/// Writes the new file: the header of `new` counting `records`, then every record of the old
/// file (`old_stride` bytes each, from `old_offset`), each followed by zeros up to `new`'s size.
///
/// The old file is mapped, and its records are spread straight from the mapping into a buffer
/// that is written with `pwrite`: two copies of every byte, where a `pread` into a buffer of its
/// own made three. The new file is written with `pwrite`, never through a mapping: a full disk is
/// then an error, and the kernel fills whole pages without zeroing them first (a fault on a
/// mapping of new blocks zeroes every page before the copy: measured slower,
/// docs/performance.md).
fn write_records(
    old: &RecordFile,
    old_offset: u64,
    old_stride: usize,
    records: u64,
    fresh: &RecordFile,
    new: &RecordType,
) -> Result<(), Error> {
    let new_stride = new.size;
    let overflow = |path: &Path| Error::OffsetOverflow {
        path: path.to_path_buf(),
        offset: new.data_offset as u64,
        size: usize::MAX,
    };
    let total = records
        .checked_mul(new_stride as u64)
        .and_then(|bytes| bytes.checked_add(new.data_offset as u64))
        .ok_or_else(|| overflow(fresh.path()))?;
    // Its length is set first, so the filesystem can lay it out at once. Not reserved
    // (`fallocate`): `pwrite` reports a full disk as an error, and the new file is only renamed
    // into place once every byte is written.
    fresh.set_len(total)?;
    let mut header = new.encode();
    header[COUNT_OFFSET..COUNT_OFFSET + 8].copy_from_slice(&records.to_ne_bytes());
    fresh.write_at(&header, 0)?;
    if records == 0 {
        return Ok(());
    }
    // `records` whole records lie in the old file (the caller clamped the count to its size).
    let old_end = old_offset + records * old_stride as u64;
    let old_len = usize::try_from(old_end)
        .ok()
        .and_then(NonZeroUsize::new)
        .ok_or_else(|| overflow(old.path()))?;
    let from = old.map(old_len, Protection::Read, true)?;
    // Read once, in order: the kernel may read ahead further and drop what was read.
    let _ = from.advise(Advice::Sequential);
    let batch = (CHUNK / new_stride).max(1);
    // Zeroed once: each record's tail is never written, so it stays zero batch after batch.
    let mut to = vec![0u8; batch * new_stride];
    let mut done = 0u64;
    while done < records {
        let n = (records - done).min(batch as u64) as usize;
        let from_at = old_offset as usize + done as usize * old_stride;
        let from_end = from_at + n * old_stride;
        // Only a process ignoring the writer's lock could cut the old file short under us. Its
        // size is checked before each batch is touched; between the check and the copy, such a
        // process could still make the copy raise `SIGBUS`, as for every mapping
        // (docs/safety.md).
        file::check_holds(old.file(), old.path(), from_end as u64)?;
        let to = &mut to[..n * new_stride];
        for (i, new_record) in to.chunks_exact_mut(new_stride).enumerate() {
            // SAFETY: the source, `old_stride` bytes at `from_at + i * old_stride`, lies within
            // `from_at..from_end`, inside the `old_len` bytes `from` maps (`from_end <= old_end`)
            // and still held by the file (checked just above; only a process ignoring the lock
            // could cut it since, see above), so reading it does not fault; the
            // destination is the first `old_stride` bytes of `new_record` (`old_stride <=
            // new_stride`: the old layout is a prefix of the new), a buffer of this function that
            // cannot overlap a file mapping. The bytes are copied through a raw pointer, never
            // referenced: a process writing the file meanwhile (ignoring the writer's lock) could
            // only change which bytes are copied, and any bytes are valid `u8`s.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    from.data().as_ptr().add(from_at + i * old_stride),
                    new_record.as_mut_ptr(),
                    old_stride,
                );
            }
        }
        let at = new.data_offset as u64 + done * new_stride as u64;
        fresh.write_at(to, at)?;
        replace::start_writeback(fresh.file(), at, to.len() as u64);
        done += n as u64;
    }
    Ok(())
}

/// The refusal to upgrade a file of a newer layout.
fn newer(
    path: &Path,
    new: &RecordType,
    checked: &super::format::Checked,
    extra: &[String],
) -> Error {
    let fields = extra
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    Error::LayoutMismatch {
        path: path.to_path_buf(),
        expected_fingerprint: new.fingerprint,
        found_fingerprint: checked.fingerprint,
        expected_size: new.size as u64,
        found_size: checked.stride,
        foreign_byte_order: false,
        difference: Some(format!(
            "the file is newer: it has the fields {fields} beyond this type's, so it cannot be \
             upgraded to it (it opens as it is, its newer fields kept)"
        )),
    }
}
