//! `MappedSlice`: a whole headerless file as a fixed-length array, in each mode, and the files it
//! refuses.

use std::io::ErrorKind;
use std::path::PathBuf;

use mapped::{Error, Mapped, MappedSlice, Op};
use zerocopy::byteorder::{BigEndian, U32};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Debug, PartialEq)]
#[repr(C)]
struct Point {
    x: f64,
    y: f64,
}

fn temp(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    (dir, path)
}

fn ints_file(path: &std::path::Path, values: &[i32]) {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_file_of_ints_reads_writes_iterates_and_flushes() -> Result<(), Error> {
    let (_dir, path) = temp("ints.bin");
    ints_file(&path, &[1, -2, 3, -4]);
    let ints = MappedSlice::<i32>::open(&path)?;
    assert_eq!((ints.len(), ints.is_empty()), (4, false));
    assert_eq!(ints.get(1), Some(-2));
    assert_eq!(ints.load(3), -4);
    assert_eq!(ints.iter().sum::<i32>(), -2);
    assert_eq!(ints.iter().rev().collect::<Vec<_>>(), [-4, 3, -2, 1]);
    assert_eq!(ints.iter().nth(2), Some(3));
    ints.set(0, 100)?;
    ints.get_mut(1).unwrap().update(|v| v * 10);
    ints.flush()?;
    ints.flush_async()?;
    assert_eq!(ints.to_vec(), [100, -20, 3, -4]);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..4], &100i32.to_ne_bytes());
    assert_eq!(&bytes[4..8], &(-20i32).to_ne_bytes());
    assert_eq!(ints.path(), path);
    Ok(())
}

#[test]
fn bytes_of_any_file_and_big_endian_ints() -> Result<(), Error> {
    let (_dir, path) = temp("text.txt");
    std::fs::write(&path, "héllo").unwrap();
    let bytes = MappedSlice::<u8>::open_read_only(&path)?;
    assert_eq!(bytes.len(), 6);
    assert_eq!(bytes.to_vec(), "héllo".as_bytes());
    drop(bytes);

    std::fs::write(&path, [0, 0, 1, 2, 0, 0, 0, 9]).unwrap();
    let big = MappedSlice::<U32<BigEndian>>::open(&path)?;
    assert_eq!(big.get(0), Some(258));
    big.set(1, 10)?;
    assert_eq!(std::fs::read(&path).unwrap()[4..], [0, 0, 0, 10]);
    Ok(())
}

#[test]
fn mapped_structs_give_views() -> Result<(), Error> {
    let (_dir, path) = temp("points.bin");
    let points = MappedSlice::<Point>::create_new(&path, 3)?;
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 48);
    points.get_mut(2).unwrap().set_y(7.5);
    points.set(0, Point { x: 1.0, y: 2.0 })?;
    assert_eq!(points.get(2).unwrap().y(), 7.5);
    assert_eq!(points.load(0), Point { x: 1.0, y: 2.0 });
    assert_eq!(points.iter().map(|p| p.x()).sum::<f64>(), 1.0);
    drop(points);
    let points = MappedSlice::<Point>::open_read_only(&path)?;
    assert_eq!(points.get(2).unwrap().y(), 7.5);
    Ok(())
}

#[test]
fn private_writes_stay_in_the_process_and_read_only_sees_the_file() -> Result<(), Error> {
    let (_dir, path) = temp("ints.bin");
    ints_file(&path, &[1, 2]);
    let shared = MappedSlice::<i32>::open(&path)?;
    let private = MappedSlice::<i32>::open_private(&path)?;
    let reader = MappedSlice::<i32>::open_read_only(&path)?;
    private.set(0, 50)?;
    assert_eq!(private.get(0), Some(50));
    assert_eq!(reader.get(0), Some(1));
    shared.set(1, 20)?;
    assert_eq!(
        reader.get(1),
        Some(20),
        "a read-only slice sees shared writes"
    );
    drop(private);
    assert_eq!(
        std::fs::read(&path).unwrap()[..4],
        1i32.to_ne_bytes(),
        "the private write never reached the file"
    );
    Ok(())
}

#[test]
fn an_empty_file_is_a_slice_of_length_zero() -> Result<(), Error> {
    let (_dir, path) = temp("empty.bin");
    std::fs::write(&path, b"").unwrap();
    let empty = MappedSlice::<u64>::open(&path)?;
    assert!(empty.is_empty());
    assert!(empty.get(0).is_none());
    assert_eq!(empty.iter().count(), 0);
    assert!(empty.to_vec().is_empty());
    assert!(matches!(
        empty.set(0, 1),
        Err(Error::IndexOutOfBounds { index: 0, len: 0 })
    ));
    empty.flush()?;
    assert_eq!(MappedSlice::<u8>::open_private(&path)?.len(), 0);
    assert_eq!(
        MappedSlice::<u8>::create_new(path.with_extension("new"), 0)?.len(),
        0
    );
    Ok(())
}

#[test]
fn a_size_that_is_not_a_whole_number_of_records_is_refused_untouched() {
    let (_dir, path) = temp("odd.bin");
    std::fs::write(&path, [7u8; 10]).unwrap();
    for err in [
        MappedSlice::<u32>::open(&path).unwrap_err(),
        MappedSlice::<u32>::open_read_only(&path).unwrap_err(),
        MappedSlice::<Point>::open_private(&path).unwrap_err(),
    ] {
        match &err {
            Error::NotWholeRecords {
                path: p,
                file_size: 10,
                record_size,
            } => {
                assert_eq!(p, &path);
                assert!(*record_size == 4 || *record_size == 16);
            }
            other => panic!("expected NotWholeRecords, got {other:?}"),
        }
        assert!(err.to_string().contains("odd.bin"), "{err}");
        assert!(err.to_string().contains("not a whole number"), "{err}");
        assert_eq!(std::io::Error::from(err).kind(), ErrorKind::InvalidData);
    }
    assert_eq!(std::fs::read(&path).unwrap(), [7u8; 10]);
    assert_eq!(MappedSlice::<[u8; 5]>::open(&path).unwrap().len(), 2);
}

#[test]
fn out_of_range_indexes_are_none_or_index_out_of_bounds() -> Result<(), Error> {
    let (_dir, path) = temp("ints.bin");
    ints_file(&path, &[1, 2, 3]);
    let ints = MappedSlice::<i32>::open(&path)?;
    for index in [3, 4, usize::MAX] {
        assert!(ints.get(index).is_none());
        assert!(ints.get_mut(index).is_none());
        assert!(ints.get(index).is_none());
        match ints.set(index, 0) {
            Err(Error::IndexOutOfBounds { index: i, len: 3 }) if i == index => {}
            other => panic!("expected IndexOutOfBounds, got {other:?}"),
        }
    }
    assert_eq!(ints.to_vec(), [1, 2, 3]);
    Ok(())
}

#[test]
fn create_new_never_clobbers_and_missing_files_are_open_errors() -> Result<(), Error> {
    let (_dir, path) = temp("ints.bin");
    ints_file(&path, &[5]);
    assert!(matches!(
        MappedSlice::<i32>::create_new(&path, 8),
        Err(Error::Io { op: Op::Open, ref source, .. }) if source.kind() == ErrorKind::AlreadyExists
    ));
    assert_eq!(MappedSlice::<i32>::open(&path)?.to_vec(), [5]);
    let missing = path.with_extension("missing");
    assert!(matches!(
        MappedSlice::<i32>::open(&missing),
        Err(Error::Io { op: Op::Open, ref source, .. }) if source.kind() == ErrorKind::NotFound
    ));
    assert!(!missing.exists());
    Ok(())
}

#[test]
fn a_slice_moves_to_another_thread_and_prints_its_shape() -> Result<(), Error> {
    let (_dir, path) = temp("ints.bin");
    let ints = MappedSlice::<u16>::create_new(&path, 2)?;
    let ints = std::thread::spawn(move || {
        ints.set(1, 9).unwrap();
        ints
    })
    .join()
    .unwrap();
    assert_eq!(ints.to_vec(), [0, 9]);
    let debug = format!("{ints:?}");
    assert!(debug.contains("u16") && debug.contains("len: 2"), "{debug}");
    Ok(())
}
