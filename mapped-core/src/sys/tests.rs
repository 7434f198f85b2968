//! Fault injection: system calls that fail under a live `Mapping` are reported, never ignored.

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
    expect(mapping.advise(mman::MmapAdvise::MADV_WILLNEED), Op::Madvise);
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
