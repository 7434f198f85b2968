//! Opening a struct's file: the checks, the creation, the reservation and the mapping that
//! [`OpenOptions::open`](crate::OpenOptions::open) asks for. The decisions are made here; every
//! system call is `sys`'s.

use std::fs::File;
use std::num::NonZeroUsize;
use std::path::Path;

use crate::error::Error;
use crate::file;
use crate::header::Pread;
use crate::sys::{self, Creation, Mapping, Protection};

/// Bytes mapped in front of the struct: a file header written when the file is created and
/// checked, before anything is mapped, when it is opened.
pub(crate) struct Prefix<'p> {
    /// The header of a new file; its length is the new file's data offset.
    pub(crate) bytes: &'p [u8],
    /// Accepts or rejects the header of an existing file, given how many bytes the file has from
    /// the header on and a way to read them.
    pub(crate) check: &'p dyn Fn(u64, &Pread<'_>) -> Result<Accepted, Error>,
    /// Upgrades a file that `check` found older ([`Error::NeedsUpgrade`]) in place, given the
    /// file open read-write; `None` unless the caller asked for upgrades.
    pub(crate) upgrade: Option<&'p Upgrade<'p>>,
}

/// Upgrades the struct file open (read-write) as its argument in place.
pub(crate) type Upgrade<'u> = dyn Fn(&File) -> Result<(), Error> + 'u;

/// What the header of an accepted file says.
pub(crate) struct Accepted {
    /// Where the struct starts, from the header's start.
    pub(crate) data_offset: u64,
    /// The size of the file's struct: the type's, or more for a file written by newer code,
    /// whose newer fields the mapping then covers (a whole-struct store zeroes them).
    pub(crate) size: u64,
}

/// Everything needed to map one struct from a file.
pub(crate) struct FileRequest<'p> {
    pub(crate) path: &'p Path,
    pub(crate) offset: u64,
    pub(crate) size: usize,
    pub(crate) align: usize,
    pub(crate) protection: Protection,
    pub(crate) shared: bool,
    pub(crate) creation: Creation,
    pub(crate) mode: u32,
    pub(crate) populate: bool,
    pub(crate) address_hint: Option<NonZeroUsize>,
    pub(crate) prefix: Option<Prefix<'p>>,
    /// Refuse a path whose last component is a symbolic link (`O_NOFOLLOW`).
    pub(crate) follow_symlinks: bool,
}

impl FileRequest<'_> {
    fn prefix_len(&self) -> usize {
        self.prefix.as_ref().map_or(0, |prefix| prefix.bytes.len())
    }

    /// What to map, for [`sys::map_file_region`], with `prefix_len` bytes of header in front of
    /// the struct.
    fn region(&self, prefix_len: usize) -> sys::Region<'_> {
        sys::Region {
            path: self.path,
            offset: self.offset,
            prefix_len,
            size: self.size,
            protection: self.protection,
            shared: self.shared,
            populate: self.populate,
            address_hint: self.address_hint,
        }
    }
}

/// Opens (or creates) the file a request names, checks it, and maps the struct.
pub(crate) fn map_file(request: &FileRequest<'_>) -> Result<Mapping, Error> {
    let path = request.path;
    if request.align != 0 && request.offset % request.align as u64 != 0 {
        return Err(Error::Misaligned {
            path: path.to_path_buf(),
            offset: request.offset,
            align: request.align,
        });
    }
    let overflow = || Error::OffsetOverflow {
        path: path.to_path_buf(),
        offset: request.offset,
        size: request.size,
    };
    let end = request
        .offset
        .checked_add(request.prefix_len() as u64)
        .and_then(|end| end.checked_add(request.size as u64))
        .filter(|end| i64::try_from(*end).is_ok())
        .ok_or_else(overflow)?;

    match request.creation {
        Creation::OpenExisting => map_existing(request, end),
        Creation::CreateNew => {
            create_and_map(request, end)?.ok_or_else(|| sys::already_exists(path))
        }
        // Opening first costs nothing extra when the file is there (the common case); when it is
        // missing, at most one creator's file is linked into place, and the others open it.
        Creation::OpenOrCreate => match map_existing(request, end) {
            Err(err) if err.is_not_found_at_open() => match create_and_map(request, end)? {
                Some(mapping) => Ok(mapping),
                None => map_existing(request, end),
            },
            other => other,
        },
    }
}

/// Maps the struct from an existing file, after checking its type, size and header, and
/// reserving the blocks a writable mapping reaches.
fn map_existing(request: &FileRequest<'_>, end: u64) -> Result<Mapping, Error> {
    let path = request.path;
    let writable = request.shared && request.protection == Protection::ReadWrite;
    let (file, stat) = file::open_regular(path, writable, request.follow_symlinks)?;
    let mut stat = stat;
    let mut prefix_len = 0;
    let mut size = request.size;
    let mut end = end;
    if let Some(prefix) = &request.prefix {
        // The file's header says where its struct starts: read it before judging the size.
        let judge = |stat: &sys::FileStat| {
            let available = stat.len.saturating_sub(request.offset);
            let pread = |at: u64, buf: &mut [u8]| {
                sys::read_at(&file, path, buf, request.offset.saturating_add(at))
            };
            (prefix.check)(available, &pread)
        };
        let accepted = match (judge(&stat), prefix.upgrade) {
            (Err(Error::NeedsUpgrade { .. }), Some(upgrade)) => {
                upgrade(&file)?;
                stat = sys::stat(&file, path)?;
                judge(&stat)?
            }
            (judged, _) => judged?,
        };
        let data_offset = accepted.data_offset;
        // Never less than the type: the header check guarantees it, and the handle relies on it.
        let accepted_size = accepted.size.max(request.size as u64);
        size = usize::try_from(accepted_size).map_err(|_| Error::FileTooLarge {
            path: path.to_path_buf(),
            size: accepted_size,
        })?;
        end = request
            .offset
            .checked_add(data_offset)
            .and_then(|end| end.checked_add(accepted_size))
            .filter(|end| i64::try_from(*end).is_ok())
            .ok_or(Error::OffsetOverflow {
                path: path.to_path_buf(),
                offset: request.offset,
                size: request.size,
            })?;
        prefix_len = usize::try_from(data_offset).map_err(|_| Error::FileTooLarge {
            path: path.to_path_buf(),
            size: data_offset,
        })?;
    }
    if stat.len < end && request.prefix.is_some() {
        // An upgrade grows the file before it commits the header that was just read: the size
        // taken before reading the header may predate the growth.
        stat = sys::stat(&file, path)?;
    }
    if stat.len < end {
        return Err(Error::FileTooSmall {
            path: path.to_path_buf(),
            needed: end,
            found: stat.len,
        });
    }
    if writable {
        // As for a created file, for a sparse file made by other means (`truncate -s`, say).
        sys::reserve_existing(&file, path, request.offset, end, stat.blocks)?;
    }
    let region = sys::Region {
        size,
        ..request.region(prefix_len)
    };
    Ok(sys::map_file_region(&file, &region)?.with_file(file))
}

/// A struct file made but not yet linked at its path.
struct Fresh {
    file: File,
    mapping: Mapping,
}

/// Creates the request's file and maps the struct: sized, its header written, its blocks
/// reserved and mapped before it appears at its path, so nobody ever opens it half-made.
/// `None` if something is already at the path.
fn create_and_map(request: &FileRequest<'_>, end: u64) -> Result<Option<Mapping>, Error> {
    let path = request.path;
    let writable = request.shared && request.protection == Protection::ReadWrite;
    let fresh = sys::create_atomically(
        path,
        request.mode,
        |file| {
            sys::set_len(&file, path, end)?;
            if let Some(prefix) = &request.prefix {
                sys::write_at(&file, path, prefix.bytes, request.offset)?;
            }
            if writable {
                // Blocks for every byte a setter can reach, so a full disk is this error now
                // rather than a SIGBUS at some later write into a hole.
                sys::allocate_range(&file, path, request.offset, end - request.offset)?;
            }
            let mapping = sys::map_file_region(&file, &request.region(request.prefix_len()))?;
            Ok(Fresh { file, mapping })
        },
        |fresh| &fresh.file,
    )?;
    Ok(fresh.map(|Fresh { file, mapping }| mapping.with_file(file)))
}
