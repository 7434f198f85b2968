//! Property tests: every constructor, given a file of random size and bytes and a random offset,
//! returns a handle whose every accessor works, or a typed error — never a panic, a signal or an
//! out-of-bounds view — and a file it rejects is left byte-for-byte unchanged.

mod common;

use std::path::Path;

use common::{Pair, Stats, TempDir};
use mapped::{Error, Handle, Mapped, Readable, HEADER_SIZE};
use proptest::prelude::*;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, PartialEq)]
#[repr(C)]
#[mapped(magic = b"HOSTILE!", version = 4)]
struct Guarded {
    count: u64,
    values: [u32; 6],
}

const PAGE: usize = 4096;

#[derive(Debug, Clone, Copy)]
enum Mode {
    ReadWrite,
    OpenOrCreate,
    ReadOnly,
    Private,
}

fn open<T: Mapped + 'static>(
    how: Mode,
    path: &Path,
    offset: u64,
) -> Result<Box<dyn Fn() -> T>, Error> {
    fn reader<T: Mapped + 'static, A: Readable>(handle: Handle<T, A>) -> Box<dyn Fn() -> T> {
        // `load` reads every byte of the struct through the mapping.
        Box::new(move || handle.load())
    }
    let options = T::options_for_test().offset(offset);
    Ok(match how {
        Mode::ReadWrite => reader(options.open(path)?),
        Mode::OpenOrCreate => reader(options.create(true).open(path)?),
        Mode::ReadOnly => reader(options.read_only().open(path)?),
        Mode::Private => reader(options.private().open(path)?),
    })
}

/// `Handle::<T>::options()`, for any `T` (the derive's `T::options()` is inherent).
trait OptionsForTest: Mapped {
    fn options_for_test() -> mapped::OpenOptions<Self> {
        Handle::<Self>::options()
    }
}
impl<T: Mapped> OptionsForTest for T {}

fn how() -> impl Strategy<Value = Mode> {
    prop_oneof![
        Just(Mode::ReadWrite),
        Just(Mode::OpenOrCreate),
        Just(Mode::ReadOnly),
        Just(Mode::Private),
    ]
}

/// Offsets that are mostly small and aligned, sometimes misaligned, near page edges or huge.
fn offset() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => (0u64..64).prop_map(|o| o * 8),
        2 => 0u64..(3 * PAGE as u64),
        1 => (1u64..4).prop_map(|p| p * PAGE as u64 - 8),
        1 => prop_oneof![Just(u64::MAX), Just(u64::MAX - 7), Just(i64::MAX as u64 - 7)],
    ]
}

/// Checks one open of a hostile file; returns what the handle read, if it opened.
fn check_open<T: Mapped + 'static>(
    bytes: &[u8],
    how: Mode,
    offset: u64,
) -> Result<Option<(T, usize)>, TestCaseError> {
    let tmp = TempDir::new();
    let path = tmp.path("hostile.bin");
    std::fs::write(&path, bytes).unwrap();
    let result = open::<T>(how, &path, offset);
    let after = std::fs::read(&path).unwrap();
    prop_assert_eq!(&after, bytes, "the file changed");
    match result {
        Ok(read) => {
            let value = read();
            // A header says where its struct starts.
            let at = offset as usize;
            let start = at
                + T::HEADER.map_or(0, |_| {
                    u64::from_le_bytes(bytes[at + 32..at + 40].try_into().unwrap()) as usize
                });
            prop_assert!(start + std::mem::size_of::<T>() <= bytes.len());
            Ok(Some((value, start)))
        }
        Err(err) => {
            // Every error is typed, names the file, and explains itself.
            prop_assert_eq!(err.path(), Some(path.as_path()));
            prop_assert!(!err.to_string().is_empty());
            let typed = matches!(
                err,
                Error::FileTooSmall { .. }
                    | Error::Misaligned { .. }
                    | Error::OffsetOverflow { .. }
                    | Error::BadMagic { .. }
                    | Error::VersionMismatch { .. }
                    | Error::LayoutMismatch { .. }
                    | Error::UnsupportedFormat { .. }
                    | Error::BadHeader { .. }
                    | Error::BadSchema { .. }
            );
            prop_assert!(typed, "unexpected error {:?}", err);
            Ok(None)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: common::proptest_cases(3000), ..ProptestConfig::default() })]

    #[test]
    fn plain_structs_map_exactly_the_bytes_at_the_offset(
        bytes in prop::collection::vec(any::<u8>(), 0..3 * PAGE),
        how in how(),
        offset in offset(),
    ) {
        if let Some((stats, start)) = check_open::<Stats>(&bytes, how, offset)? {
            prop_assert_eq!(stats.as_bytes(), &bytes[start..start + 32]);
        }
    }

    #[test]
    fn misaligned_or_past_the_end_offsets_are_typed_errors(
        len in 0usize..2 * PAGE,
        how in how(),
        offset in 0u64..3 * PAGE as u64,
    ) {
        let bytes = vec![0xA5; len];
        let opened = check_open::<Pair>(&bytes, how, offset)?;
        let fits = offset % 8 == 0 && offset as usize + 16 <= len;
        prop_assert_eq!(opened.is_some(), fits);
    }
}

/// A valid header for `Guarded`, as `create_new` writes it.
fn valid_guarded_file(offset: usize) -> Vec<u8> {
    let tmp = TempDir::new();
    let path = tmp.path("valid.bin");
    let handle = Guarded::options()
        .create_new(true)
        .offset(offset as u64)
        .open(&path)
        .unwrap();
    handle.set_count(7);
    drop(handle);
    std::fs::read(&path).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: common::proptest_cases(2000), ..ProptestConfig::default() })]

    #[test]
    fn header_files_with_random_bytes_are_refused_untouched(
        bytes in prop::collection::vec(any::<u8>(), 0..2 * PAGE),
        how in how(),
        offset in offset(),
    ) {
        // Random bytes essentially never carry the magic where the header should be.
        let at = usize::try_from(offset).unwrap_or(usize::MAX);
        prop_assume!(bytes.get(at..at.saturating_add(8)) != Some(&b"HOSTILE!"[..]));
        let opened = check_open::<Guarded>(&bytes, how, offset)?;
        prop_assert!(opened.is_none());
    }

    #[test]
    fn corrupted_header_bytes_are_refused_untouched(
        offset in (0usize..4).prop_map(|o| o * 8),
        position in 0usize..HEADER_SIZE,
        flip in 1u8..=255,
        how in how(),
    ) {
        let mut bytes = valid_guarded_file(offset);
        bytes[offset + position] ^= flip;
        let opened = check_open::<Guarded>(&bytes, how, offset as u64)?;
        prop_assert!(opened.is_none(), "a corrupted header byte {} was accepted", position);
    }

    #[test]
    fn truncated_header_files_are_too_small(
        offset in (0usize..4).prop_map(|o| o * 8),
        cut in 1usize..(HEADER_SIZE + 32),
        how in how(),
    ) {
        let mut bytes = valid_guarded_file(offset);
        bytes.truncate(bytes.len() - cut.min(bytes.len()));
        let opened = check_open::<Guarded>(&bytes, how, offset as u64)?;
        prop_assert!(opened.is_none());
    }
}

#[test]
fn a_valid_header_file_opens_in_every_mode() {
    for offset in [0, 8, 16, 24] {
        let bytes = valid_guarded_file(offset);
        for how in [
            Mode::ReadWrite,
            Mode::OpenOrCreate,
            Mode::ReadOnly,
            Mode::Private,
        ] {
            let (value, _) = check_open::<Guarded>(&bytes, how, offset as u64)
                .unwrap()
                .expect("a valid file opens");
            assert_eq!(value.count, 7);
        }
    }
}
