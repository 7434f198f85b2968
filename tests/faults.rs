//! Faults and hostile surroundings for struct handles: truncation under a live mapping,
//! inputs that are not regular files, symlinks, disk reservation and descriptor hygiene.

mod common;

use std::io::ErrorKind;
use std::os::unix::fs::MetadataExt;
use std::process::Command;

use common::{Stats, TempDir};
use mapped::{Error, Mapped, Op};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

/// 64 KiB: large enough that its disk blocks can be counted.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Big {
    bytes: [u8; 65536],
}

#[test]
fn check_reports_a_file_truncated_under_the_mapping() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    let stats = Stats::options().create_new(true).offset(8).open(&path)?;
    stats.check_file()?;
    let other = std::fs::File::options().write(true).open(&path).unwrap();

    other.set_len(39).unwrap(); // one byte short of offset + struct
    match stats.check_file() {
        Err(Error::Truncated {
            path: p,
            needed,
            found,
        }) => {
            assert_eq!((p.as_path(), needed, found), (path.as_path(), 40, 39));
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
    let message = stats.check_file().unwrap_err().to_string();
    assert!(
        message.contains("truncated") && message.contains("stats.bin"),
        "{message}"
    );

    other.set_len(40).unwrap(); // restored: the mapping is whole again
    stats.check_file()?;
    assert_eq!(stats.hits(), 0);

    // Read-only and private handles check the same way; anonymous memory has no file.
    let reader = Stats::open_read_only(&path)?;
    let private = Stats::open_private(&path)?;
    other.set_len(0).unwrap();
    assert!(matches!(
        reader.check_file(),
        Err(Error::Truncated {
            needed: 32,
            found: 0,
            ..
        })
    ));
    assert!(matches!(private.check_file(), Err(Error::Truncated { .. })));
    Stats::anonymous()?.check_file()?;
    Ok(())
}

#[test]
fn check_follows_the_mapped_file_not_the_path() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    let stats = Stats::create_new(&path)?;
    // The path now names another, empty file; the mapped one is intact.
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, []).unwrap();
    stats.check_file()?;
    stats.set_hits(1);
    Ok(())
}

#[test]
fn opening_a_sparse_file_read_write_reserves_its_blocks() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("sparse.bin");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(65536)
        .unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().blocks(),
        0,
        "starts as a hole"
    );

    // A read-only mapping cannot write, so it reserves nothing.
    drop(Big::open_read_only(&path)?);
    assert_eq!(std::fs::metadata(&path).unwrap().blocks(), 0);

    let big = Big::open(&path)?;
    let reserved = std::fs::metadata(&path).unwrap().blocks() * 512;
    assert!(reserved >= 65536, "only {reserved} bytes reserved");
    assert_eq!(big.bytes_at(65535), Some(0), "the contents are unchanged");
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        65536,
        "the size is unchanged"
    );
    Ok(())
}

#[test]
fn created_files_are_reserved_too() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("big.bin");
    Big::create_new(&path)?;
    assert!(std::fs::metadata(&path).unwrap().blocks() * 512 >= 65536);
    Ok(())
}

#[test]
fn follow_symlinks_false_refuses_a_link() -> Result<(), Error> {
    let tmp = TempDir::new();
    let real = tmp.path("real.bin");
    let link = tmp.path("link.bin");
    Stats::create_new(&real)?.set_hits(3);
    std::os::unix::fs::symlink(&real, &link).unwrap();

    assert_eq!(
        Stats::open(&link)?.hits(),
        3,
        "links are followed by default"
    );
    for result in [
        Stats::options()
            .follow_symlinks(false)
            .open(&link)
            .map(drop),
        Stats::options()
            .follow_symlinks(false)
            .read_only()
            .open(&link)
            .map(drop),
        Stats::options()
            .follow_symlinks(false)
            .private()
            .open(&link)
            .map(drop),
        Stats::options()
            .follow_symlinks(false)
            .create(true)
            .open(&link)
            .map(drop),
    ] {
        match result.unwrap_err() {
            Error::Io {
                op: Op::Open,
                path,
                source,
            } => {
                assert_eq!(path, link);
                assert_eq!(source.raw_os_error(), Some(nix::libc::ELOOP));
            }
            other => panic!("expected ELOOP, got {other:?}"),
        }
    }
    assert_eq!(
        Stats::options().follow_symlinks(false).open(&real)?.hits(),
        3
    );
    Ok(())
}

#[test]
fn a_dangling_symlink_is_not_found_and_not_created_through() {
    let tmp = TempDir::new();
    let target = tmp.path("target.bin");
    let link = tmp.path("dangling.bin");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    match Stats::open(&link).unwrap_err() {
        Error::Io {
            op: Op::Open,
            source,
            ..
        } => assert_eq!(source.kind(), ErrorKind::NotFound),
        other => panic!("expected NotFound, got {other:?}"),
    }
    // Linking a new file into place never follows the link, so nothing is created at its target.
    assert!(Stats::create_new(&link).is_err());
    assert!(!target.exists());
}

#[test]
fn special_files_are_typed_errors() {
    for path in ["/dev/null", "/dev/zero"] {
        for result in [
            Stats::open(path).map(drop),
            Stats::open_read_only(path).map(drop),
            Stats::open_private(path).map(drop),
        ] {
            match result.unwrap_err() {
                Error::NotRegularFile { path: p } => assert_eq!(p, std::path::Path::new(path)),
                other => panic!("{path}: expected NotRegularFile, got {other:?}"),
            }
        }
    }
    // procfs files claim a size of 0: too small, and never mapped.
    match Stats::open_read_only("/proc/self/status").unwrap_err() {
        Error::FileTooSmall {
            needed: 32,
            found: 0,
            ..
        } => {}
        other => panic!("expected FileTooSmall, got {other:?}"),
    }
}

#[test]
fn descriptors_are_not_inherited_by_children() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("private-to-this-process.bin");
    let _stats = Stats::create_new(&path)?;
    let _vec = mapped::MappedVec::<u64>::open_or_create(tmp.path("records.bin"))?;
    // The child lists the files its descriptors name: none of ours may be among them.
    let listing = Command::new("sh")
        .arg("-c")
        .arg("for fd in /proc/self/fd/*; do readlink \"$fd\"; done")
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(
        !listing.contains(tmp.dir.path().to_str().unwrap()),
        "{listing}"
    );
    Ok(())
}

#[test]
fn record_files_report_truncation_too() -> Result<(), Error> {
    let tmp = TempDir::new();
    let ints = tmp.path("ints.bin");
    std::fs::write(&ints, [7u8; 64]).unwrap();
    let slice = mapped::MappedSlice::<u32>::open(&ints)?;
    let log_path = tmp.path("log.bin");
    let mut log = mapped::MappedVec::<u64>::open_or_create(&log_path)?;
    log.extend(0..100)?;
    slice.check_file()?;
    log.check_file()?;

    std::fs::File::options()
        .write(true)
        .open(&ints)
        .unwrap()
        .set_len(60)
        .unwrap();
    match slice.check_file() {
        Err(Error::Truncated {
            needed: 64,
            found: 60,
            ..
        }) => {}
        other => panic!("expected Truncated, got {other:?}"),
    }
    // A writer's lock is advisory: another process may still cut the file.
    std::fs::File::options()
        .write(true)
        .open(&log_path)
        .unwrap()
        .set_len(64)
        .unwrap();
    assert!(matches!(
        log.check_file(),
        Err(Error::Truncated { found: 64, .. })
    ));
    Ok(())
}
