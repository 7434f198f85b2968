//! The `options()` builder: offsets, modes, creation, populate, address hints.

mod common;

use common::{Pair, Stats, TempDir};
use mapped::{Error, Handle, Private, ReadOnly};

const PAGE: u64 = 4096;

fn file_of(len: usize, fill: u8) -> (TempDir, std::path::PathBuf) {
    let tmp = TempDir::new();
    let path = tmp.path("data.bin");
    std::fs::write(&path, vec![fill; len]).unwrap();
    (tmp, path)
}

#[test]
fn any_multiple_of_the_alignment_works_as_an_offset() -> Result<(), Error> {
    let (_tmp, path) = file_of(3 * PAGE as usize, 0);
    // Page aligned, inside the first page, straddling a page boundary, and in a later page.
    for offset in [0, 8, 24, PAGE - 8, PAGE, PAGE + 8, 2 * PAGE + 4072] {
        let pair = Pair::options().offset(offset).open(&path)?;
        pair.set_a(offset);
        pair.set_b(!offset);
        drop(pair);
        let bytes = std::fs::read(&path).unwrap();
        let at = offset as usize;
        assert_eq!(&bytes[at..at + 8], &offset.to_ne_bytes(), "offset {offset}");
        assert_eq!(
            &bytes[at + 8..at + 16],
            &(!offset).to_ne_bytes(),
            "offset {offset}"
        );
        // Read it back through a fresh mapping at the same offset.
        let again = Pair::options().read_only().offset(offset).open(&path)?;
        assert_eq!((again.a(), again.b()), (offset, !offset));
    }
    Ok(())
}

#[test]
fn a_misaligned_offset_is_refused() {
    let (_tmp, path) = file_of(64, 7);
    for offset in [1, 4, 12] {
        match Pair::options().offset(offset).open(&path).unwrap_err() {
            Error::Misaligned {
                offset: o,
                align,
                path: p,
            } => {
                assert_eq!((o, align), (offset, 8));
                assert_eq!(p, path);
            }
            other => panic!("expected Misaligned, got {other:?}"),
        }
    }
    assert_eq!(std::fs::read(&path).unwrap(), vec![7; 64]);
}

#[test]
fn an_offset_past_the_end_is_too_small() {
    let (_tmp, path) = file_of(64, 0);
    for (offset, needed) in [(56, 72), (64, 80), (PAGE, PAGE + 16)] {
        match Pair::options().offset(offset).open(&path).unwrap_err() {
            Error::FileTooSmall {
                needed: n, found, ..
            } => assert_eq!((n, found), (needed, 64)),
            other => panic!("expected FileTooSmall, got {other:?}"),
        }
    }
}

#[test]
fn an_overflowing_offset_is_a_typed_error() {
    let (_tmp, path) = file_of(64, 0);
    for offset in [u64::MAX - 7, i64::MAX as u64 - 7] {
        let err = Pair::options().offset(offset).open(&path).unwrap_err();
        assert!(
            matches!(err, Error::OffsetOverflow { offset: o, size: 16, .. } if o == offset),
            "{err:?}"
        );
    }
}

#[test]
fn creating_at_an_offset_sizes_the_file_to_offset_plus_struct() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("data.bin");
    let pair = Pair::options()
        .create_new(true)
        .offset(PAGE + 16)
        .open(&path)?;
    pair.set_b(5);
    drop(pair);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.len() as u64, PAGE + 32);
    assert!(bytes[..PAGE as usize + 24].iter().all(|b| *b == 0));
    assert_eq!(&bytes[PAGE as usize + 24..], &5u64.to_ne_bytes());
    Ok(())
}

#[test]
fn create_opens_an_existing_file_without_resizing_it() -> Result<(), Error> {
    let (_tmp, path) = file_of(100, 3);
    let pair = Pair::options().create(true).open(&path)?;
    assert_eq!(pair.a(), u64::from_ne_bytes([3; 8]));
    drop(pair);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 100);
    Ok(())
}

#[test]
fn create_new_wins_over_create() {
    let (_tmp, path) = file_of(16, 0);
    let err = Pair::options()
        .create(true)
        .create_new(true)
        .open(&path)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Io {
                op: mapped::Op::Open,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn mode_sets_the_permissions_of_a_created_file() -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    let tmp = TempDir::new();
    let path = tmp.path("shared.bin");
    Pair::options().create_new(true).mode(0o640).open(&path)?;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    // The umask may only remove bits.
    assert_eq!(mode & !0o640, 0);
    assert_eq!(mode & 0o600, 0o600);
    Ok(())
}

#[test]
fn read_only_and_private_builders_change_the_handle_type() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    Stats::create_new(&path)?.set_hits(9);
    let reader: Handle<Stats, ReadOnly> = Stats::options().read_only().open(&path)?;
    assert_eq!(reader.hits(), 9);
    let scratch: Handle<Stats, Private> = Stats::options().private().open(&path)?;
    scratch.set_hits(10);
    assert_eq!(reader.hits(), 9);
    let frozen: Handle<Stats, ReadOnly<Private>> =
        Stats::options().private().read_only().open(&path)?;
    let thawed: Handle<Stats, Private> = frozen.make_mut()?;
    thawed.set_hits(11);
    assert_eq!(
        reader.hits(),
        9,
        "private writes stay private after make_mut"
    );
    Ok(())
}

#[test]
fn private_mappings_work_on_files_without_write_permission() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("ro.bin");
    Stats::options().create_new(true).mode(0o400).open(&path)?;
    let scratch = Stats::open_private(&path)?;
    scratch.set_hits(1);
    assert_eq!(scratch.hits(), 1);
    Ok(())
}

#[test]
fn populate_and_address_hint_map_normally() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    let hint = 0x5000_0000_0000usize;
    let stats = Stats::options()
        .create_new(true)
        .populate(true)
        .address_hint(hint)
        .open(&path)?;
    stats.set_hits(1);
    assert_eq!(Handle::as_ptr(&stats) as usize % 8, 0);
    // The hint is a hint: a second mapping cannot land on the same address, yet still succeeds.
    let second = Stats::options().address_hint(hint).open(&path)?;
    assert_ne!(Handle::as_ptr(&second), Handle::as_ptr(&stats));
    assert_eq!(second.hits(), 1);
    Ok(())
}
