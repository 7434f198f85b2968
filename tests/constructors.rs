//! The generated constructors: what they create, open and refuse.

mod common;

use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;

use common::{Stats, TempDir};
use mapped::{Error, Op};

#[test]
fn create_new_sizes_the_file_to_the_struct_and_zeroes_it() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    let stats = Stats::create_new(&path)?;
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 32);
    assert_eq!(
        stats.load(),
        Stats {
            hits: 0,
            misses: 0,
            ratio: 0.0,
            name: [0; 16]
        }
    );
    Ok(())
}

#[test]
fn create_new_makes_the_file_owner_only() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    Stats::create_new(&path)?;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    Ok(())
}

#[test]
fn create_new_never_clobbers_an_existing_file() {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    std::fs::write(&path, b"precious").unwrap();
    let err = Stats::create_new(&path).unwrap_err();
    match &err {
        Error::Io {
            op: Op::Open,
            path: p,
            source,
        } => {
            assert_eq!(p, &path);
            assert_eq!(source.kind(), ErrorKind::AlreadyExists);
        }
        other => panic!("expected an open error, got {other:?}"),
    }
    assert!(err.to_string().contains("stats.bin"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"precious");
}

#[test]
fn create_new_does_not_follow_a_planted_symlink() {
    let tmp = TempDir::new();
    let target = tmp.path("target.bin");
    std::fs::write(&target, b"do not touch").unwrap();
    let link = tmp.path("link.bin");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    assert!(Stats::create_new(&link).is_err());
    assert_eq!(std::fs::read(&target).unwrap(), b"do not touch");
}

#[test]
fn open_maps_an_existing_file_shared() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    let mut bytes = vec![0u8; 32];
    bytes[..8].copy_from_slice(&41u64.to_ne_bytes());
    std::fs::write(&path, &bytes).unwrap();

    let stats = Stats::open(&path)?;
    assert_eq!(stats.hits(), 41);
    stats.set_hits(stats.hits() + 1);
    stats.set_misses(7);
    drop(stats);

    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..8], &42u64.to_ne_bytes());
    assert_eq!(&bytes[8..12], &7u32.to_ne_bytes());
    Ok(())
}

#[test]
fn open_of_a_missing_file_names_the_path_and_the_call() {
    let tmp = TempDir::new();
    let path = tmp.path("missing.bin");
    match Stats::open(&path).unwrap_err() {
        Error::Io {
            op: Op::Open,
            path: p,
            source,
        } => {
            assert_eq!(p, path);
            assert_eq!(source.kind(), ErrorKind::NotFound);
        }
        other => panic!("expected an open error, got {other:?}"),
    }
    assert!(!path.exists(), "open must not create");
}

#[test]
fn a_short_file_is_refused_before_mapping_and_left_untouched() {
    let tmp = TempDir::new();
    let path = tmp.path("short.bin");
    std::fs::write(&path, [9u8; 31]).unwrap();
    for result in [
        Stats::open(&path).map(drop),
        Stats::open_or_create(&path).map(drop),
        Stats::open_read_only(&path).map(drop),
        Stats::open_private(&path).map(drop),
    ] {
        match result.unwrap_err() {
            Error::FileTooSmall {
                path: p,
                needed,
                found,
            } => {
                assert_eq!((p.as_path(), needed, found), (path.as_path(), 32, 31));
            }
            other => panic!("expected FileTooSmall, got {other:?}"),
        }
    }
    assert_eq!(std::fs::read(&path).unwrap(), [9u8; 31]);
}

#[test]
fn an_empty_file_is_too_small_not_grown() {
    let tmp = TempDir::new();
    let path = tmp.path("empty.bin");
    std::fs::write(&path, []).unwrap();
    let err = Stats::open_or_create(&path).unwrap_err();
    assert!(
        matches!(
            err,
            Error::FileTooSmall {
                needed: 32,
                found: 0,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
}

#[test]
fn a_longer_file_is_mapped_and_not_cut() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("long.bin");
    std::fs::write(&path, [1u8; 100]).unwrap();
    let stats = Stats::open(&path)?;
    assert_eq!(stats.name(), [1; 16]);
    drop(stats);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 100);
    Ok(())
}

#[test]
fn open_or_create_creates_then_reopens() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    let first = Stats::open_or_create(&path)?;
    first.set_name(*b"first-run-name!!");
    drop(first);
    let second = Stats::open_or_create(&path)?;
    assert_eq!(&second.name(), b"first-run-name!!");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 32);
    Ok(())
}

#[test]
fn open_read_only_sees_a_writers_changes() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    let writer = Stats::create_new(&path)?;
    let reader = Stats::open_read_only(&path)?;
    writer.set_ratio(0.5);
    assert_eq!(reader.ratio(), 0.5);
    Ok(())
}

#[test]
fn open_read_only_needs_only_read_permission() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    Stats::options().create_new(true).mode(0o400).open(&path)?;
    let reader = Stats::open_read_only(&path)?;
    assert_eq!(reader.hits(), 0);
    Ok(())
}

#[test]
fn private_writes_never_reach_the_file() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    let shared = Stats::create_new(&path)?;
    shared.set_hits(5);
    let private = Stats::open_private(&path)?;
    assert_eq!(private.hits(), 5);
    private.set_hits(1000);
    private.set_name([0xAB; 16]);
    assert_eq!(private.hits(), 1000);
    assert_eq!(
        shared.hits(),
        5,
        "another mapping of the file must not see private writes"
    );
    drop(private);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..8], &5u64.to_ne_bytes());
    assert_eq!(&bytes[16..], &[0; 16]);
    Ok(())
}

#[test]
fn anonymous_memory_starts_zeroed_and_is_writable() -> Result<(), Error> {
    let stats = Stats::anonymous()?;
    assert_eq!(
        stats.load(),
        Stats {
            hits: 0,
            misses: 0,
            ratio: 0.0,
            name: [0; 16]
        }
    );
    stats.set_misses(3);
    assert_eq!(stats.misses(), 3);
    assert!(mapped::Handle::path(&stats).is_none());
    Ok(())
}

#[test]
fn a_directory_is_not_a_regular_file() {
    let tmp = TempDir::new();
    let err = Stats::open_read_only(tmp.dir.path()).unwrap_err();
    assert!(matches!(err, Error::NotRegularFile { .. }), "{err:?}");
    // Opening a directory for writing fails earlier, in open(2) itself.
    let err = Stats::open(tmp.dir.path()).unwrap_err();
    assert!(matches!(err, Error::Io { op: Op::Open, .. }), "{err:?}");
}

#[test]
fn a_device_is_not_a_regular_file() {
    let err = Stats::open_read_only("/dev/zero").unwrap_err();
    match err {
        Error::NotRegularFile { path } => assert_eq!(path, std::path::Path::new("/dev/zero")),
        other => panic!("expected NotRegularFile, got {other:?}"),
    }
}

#[test]
fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let tmp = TempDir::new();
    let path = tmp.path("fifo");
    nix::unistd::mkfifo(&path, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let err = Stats::open_read_only(&path).unwrap_err();
    assert!(matches!(err, Error::NotRegularFile { .. }), "{err:?}");
}

#[test]
fn errors_are_send_sync_and_convert_to_io_errors() {
    fn assert_send_sync<T: Send + Sync + std::error::Error + 'static>() {}
    assert_send_sync::<Error>();
    let err = Error::FileTooSmall {
        path: "x.bin".into(),
        needed: 32,
        found: 1,
    };
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), ErrorKind::UnexpectedEof);
    assert!(io.to_string().contains("x.bin"));
}
