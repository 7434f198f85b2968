//! Upgrading a struct file in place to a layout that appended fields (`T::upgrade`,
//! [`OpenOptions::upgrade`](crate::OpenOptions::upgrade)): grow and zero the new bytes, write the
//! new schema into the inactive schema area, then commit by storing the next generation in the
//! selector word. `docs/file-formats.md` ("Upgrading a struct file") says why a crash at any step
//! leaves the old layout or the new one. The decisions are made here; every system call is
//! `sys`'s.

use std::fs::File;
use std::path::Path;

use crate::error::Error;
use crate::header::{Fit, Identity, MAX_GROWN_SCHEMA, SELECTOR_OFFSET};
use crate::sys::{self, UpgradeLock};

/// Upgrades the struct file open as `file` (its header `offset` bytes in) to `identity`'s layout,
/// if it is an older one; a file already at it is left alone. Other upgraders of the same file
/// wait for this one (`flock`), and the header is judged again once the lock is held.
///
/// # Errors
/// [`Error::LayoutMismatch`] for a newer file or one of another layout;
/// [`Error::UpgradeRefused`] for a header without room (format 2, or a schema that does not fit
/// its areas) or a struct with bytes after it; the errors of judging a header; [`Error::Io`] from
/// `flock`, `ftruncate`, `fallocate`, `pwrite` or `fdatasync`.
pub(crate) fn upgrade_struct(
    identity: &Identity<'_>,
    file: &File,
    path: &Path,
    offset: u64,
) -> Result<(), Error> {
    let _serialised = UpgradeLock::take(file, path)?;
    let stat = sys::stat(file, path)?;
    let pread = |at: u64, buf: &mut [u8]| sys::read_at(file, path, buf, offset.saturating_add(at));
    let verdict = identity.judge_file(path, stat.len.saturating_sub(offset), &pread)?;
    match &verdict.fit {
        Fit::Same => return Ok(()),
        Fit::Newer { extra } => return Err(identity.newer_error(path, &verdict, extra)),
        Fit::Older { .. } => {}
    }
    let refused = |reason: String| Error::UpgradeRefused {
        path: path.to_path_buf(),
        reason,
    };
    let Some(areas) = verdict.areas else {
        return Err(refused(
            "its header is of format 2, which has no room for the schema to grow; copy its \
             values into a new file of the new layout"
                .to_string(),
        ));
    };
    let schema = identity.schema();
    if schema.len() as u64 > areas.room() {
        return Err(refused(format!(
            "the new schema takes {} bytes, and each schema area of the file holds {} (a \
             {}-byte area fits 63 scalar fields with 8-byte names; see docs/file-formats.md): \
             copy the values into a new file of the new layout, whose header has room",
            schema.len(),
            areas.room(),
            MAX_GROWN_SCHEMA
        )));
    }
    let data = offset + verdict.data_offset;
    let (old_end, new_end) = (data + verdict.size, data + identity.size);
    if stat.len < old_end {
        return Err(Error::FileTooSmall {
            path: path.to_path_buf(),
            needed: old_end,
            found: stat.len,
        });
    }
    if stat.len > new_end {
        return Err(refused(format!(
            "{} bytes follow the struct, which ends at byte {old_end}: only a struct at the end \
             of its file can grow",
            stat.len - old_end
        )));
    }
    // 1. The new bytes: the file grows (if an earlier, interrupted upgrade did not already grow
    // it), its blocks are reserved so a write there never meets a full disk, and the new fields
    // are zeroed, which is what every reader takes for "absent".
    if stat.len < new_end {
        sys::set_len(file, path, new_end)?;
    }
    sys::allocate_range(file, path, old_end, new_end - old_end)?;
    sys::write_at(file, path, &vec![0; (new_end - old_end) as usize], old_end)?;
    sys::sync_data(file, path)?;
    // 2. The new schema, into the area that is not active: readers of the old layout still
    // read the other one.
    let next = areas.generation.wrapping_add(1);
    let mut area = identity.area(&schema);
    area.resize(areas.len as usize, 0);
    sys::write_at(file, path, &area, offset + areas.offset_of(next))?;
    sys::sync_data(file, path)?;
    // 3. The commit: one aligned 8-byte write, which a crash cannot tear.
    sys::write_at(
        file,
        path,
        &next.to_le_bytes(),
        offset + SELECTOR_OFFSET as u64,
    )?;
    sys::sync_data(file, path)
}
