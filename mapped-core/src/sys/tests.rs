//! Fault injection: system calls that fail under a live `Mapping` are reported, never ignored;
//! and the creation paths (unnamed file, named fallback) that leave nothing half-made behind.

use nix::sys::mman;

use super::{map_anonymous, page_size, Protection};
use crate::error::{Error, Op};

/// Unmaps the region behind the `Mapping`'s back, so every later call on it fails with `ENOMEM`,
/// then checks that each call reports that as an `Error::Io` naming the call.
#[test]
fn failing_msync_mprotect_madvise_and_mlock_are_errors() {
    let mapping = map_anonymous(page_size(), false, None).unwrap();
    // SAFETY: the region belongs to `mapping`, which is forgotten below instead of dropped, so it
    // is unmapped exactly once; nothing reads or writes it afterwards, since every call made on
    // the mapping below is one that the kernel refuses for an unmapped range.
    unsafe { mman::munmap(mapping.base, mapping.len.get()) }.unwrap();

    let expect = |result: Result<(), Error>, expected: Op| match result {
        Err(Error::Io { op, source, .. }) => {
            assert_eq!(op, expected);
            assert_eq!(source.raw_os_error(), Some(nix::libc::ENOMEM), "{op}");
        }
        other => panic!("{expected}: expected ENOMEM, got {other:?}"),
    };
    expect(mapping.sync_all(true), Op::Msync);
    expect(mapping.sync_all(false), Op::Msync);
    expect(mapping.sync(0, 1, true), Op::Msync);
    expect(mapping.protect(Protection::Read), Op::Mprotect);
    expect(mapping.protect(Protection::ReadWrite), Op::Mprotect);
    expect(mapping.lock(), Op::Mlock);
    expect(mapping.advise(super::Advice::WillNeed), Op::Madvise);
    std::mem::forget(mapping);
}

#[test]
fn a_zero_length_anonymous_mapping_is_an_error_not_a_panic() {
    assert!(matches!(
        map_anonymous(0, false, None),
        Err(Error::FileTooSmall {
            needed: 1,
            found: 0,
            ..
        })
    ));
}

/// The names in `dir`, sorted.
fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Where there is no `O_TMPFILE`, a new file is made under a temporary name in the same
/// directory, linked into place when complete, and the temporary name removed: whether the link
/// succeeds, finds the path taken, or is never tried because building the file failed.
#[test]
fn without_unnamed_files_a_named_temporary_file_is_linked_then_removed() {
    use std::fs::File;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.bin");
    // Process-wide, but the other tests here create no files; restored below.
    #[cfg(target_os = "linux")]
    super::create::UNNAMED_FILES.store(false, std::sync::atomic::Ordering::Relaxed);

    let build = |file: File| {
        file.set_len(10).unwrap();
        Ok(file)
    };
    let made = super::create_atomically(&path, 0o600, build, |file| file).unwrap();
    assert!(made.is_some());
    assert_eq!(names(dir.path()), ["new.bin"]);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 10);

    let again = super::create_atomically(&path, 0o600, Ok, |file| file).unwrap();
    assert!(again.is_none(), "the path is taken");
    assert_eq!(names(dir.path()), ["new.bin"]);

    let failed = super::create_atomically(
        &dir.path().join("other.bin"),
        0o600,
        |_| Err::<File, _>(Error::io(Op::Write, &path, nix::errno::Errno::EIO)),
        |file| file,
    );
    assert!(matches!(failed, Err(Error::Io { op: Op::Write, .. })));
    assert_eq!(names(dir.path()), ["new.bin"]);

    #[cfg(target_os = "linux")]
    super::create::UNNAMED_FILES.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// The unnamed file (`O_TMPFILE`) leaves nothing behind either, and is linked with its contents.
#[test]
fn an_unnamed_file_is_linked_whole_and_a_failed_one_leaves_nothing() {
    use std::fs::File;
    use std::os::unix::fs::FileExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.bin");
    let build = |file: File| {
        file.write_all_at(b"whole", 0).unwrap();
        Ok(file)
    };
    assert!(super::create_atomically(&path, 0o600, build, |file| file)
        .unwrap()
        .is_some());
    assert_eq!(std::fs::read(&path).unwrap(), b"whole");
    let failed = super::create_atomically(
        &dir.path().join("other.bin"),
        0o600,
        |_| Err::<File, _>(Error::io(Op::Write, &path, nix::errno::Errno::EIO)),
        |file| file,
    );
    assert!(failed.is_err());
    assert_eq!(names(dir.path()), ["new.bin"]);
}
