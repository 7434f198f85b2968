//! Generated accessors: each field kind, read and written straight over the mapping, landing at
//! the bytes `repr(C)` puts it.

mod common;

use std::mem::offset_of;
use std::sync::atomic::{AtomicU64, Ordering};

use common::{Body, Point, Stats, TempDir};
use mapped::Error;

#[test]
fn the_contract_from_the_issue_compiles_and_works() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    #[allow(unused_mut)] // written as users will write it; setters take `&self`
    let mut s = Stats::create_new(&path)?;
    s.set_hits(s.hits() + 1);
    s.flush()?;
    let r = s.make_read_only()?;
    assert_eq!(r.hits(), 1);
    Ok(())
}

#[test]
fn scalars_land_at_their_repr_c_offsets() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    let stats = Stats::create_new(&path)?;
    stats.set_hits(0x0102_0304_0506_0708);
    stats.set_misses(0xAABB_CCDD);
    stats.set_ratio(1.25);
    stats.set_name(*b"sixteen-bytes-ok");
    assert_eq!(stats.hits(), 0x0102_0304_0506_0708);
    assert_eq!(stats.misses(), 0xAABB_CCDD);
    assert_eq!(stats.ratio(), 1.25);
    assert_eq!(&stats.name(), b"sixteen-bytes-ok");
    drop(stats);

    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[0..8], &0x0102_0304_0506_0708u64.to_ne_bytes());
    assert_eq!(&bytes[8..12], &0xAABB_CCDDu32.to_ne_bytes());
    assert_eq!(&bytes[12..16], &1.25f32.to_ne_bytes());
    assert_eq!(&bytes[16..32], b"sixteen-bytes-ok");
    Ok(())
}

#[test]
fn array_elements_are_bounds_checked() -> Result<(), Error> {
    let stats = Stats::anonymous()?;
    stats.set_name_at(15, b'!')?;
    assert_eq!(stats.name_at(15), Some(b'!'));
    assert_eq!(stats.name_at(16), None);
    match stats.set_name_at(16, b'x').unwrap_err() {
        Error::IndexOutOfBounds { index, len } => assert_eq!((index, len), (16, 16)),
        other => panic!("expected IndexOutOfBounds, got {other:?}"),
    }
    assert_eq!(stats.name()[..15], [0; 15]);

    let name = stats.name_mut();
    assert_eq!(name.len(), 16);
    name.set(0, b'A')?;
    assert!(name.set(usize::MAX, b'A').is_err());
    assert_eq!(name.get(0), Some(b'A'));
    name.store(*b"0123456789abcdef");
    assert_eq!(&name.load(), b"0123456789abcdef");
    Ok(())
}

#[test]
fn nested_structs_read_and_write_through_views() -> Result<(), Error> {
    let body = Body::anonymous()?;
    body.pos_mut().set_x(1.5);
    body.pos_mut().set_y(-2.0);
    assert_eq!((body.pos().x(), body.pos().y()), (1.5, -2.0));
    body.set_vel(Point { x: 3.0, y: 4.0 });
    assert_eq!(body.vel().load(), Point { x: 3.0, y: 4.0 });

    let trail = body.trail_mut();
    trail.get_mut(2).unwrap().set_y(9.0);
    assert_eq!(body.trail_at(2).unwrap().y(), 9.0);
    assert!(body.trail_at(3).is_none());
    body.set_trail_at(0, Point { x: 7.0, y: 8.0 })?;
    assert_eq!(body.trail()[0], Point { x: 7.0, y: 8.0 });
    Ok(())
}

#[test]
fn nested_writes_land_inside_the_outer_struct() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("body.bin");
    let body = Body::create_new(&path)?;
    body.vel_mut().set_y(6.5);
    body.trail_at(1).map(|p| p.x()); // a read view, no write
    body.trail_mut().get_mut(1).unwrap().set_x(2.25);
    drop(body);
    let bytes = std::fs::read(&path).unwrap();
    let vel_y = offset_of!(Body, vel) + offset_of!(Point, y);
    assert_eq!(&bytes[vel_y..vel_y + 8], &6.5f64.to_ne_bytes());
    let trail_1 = offset_of!(Body, trail) + std::mem::size_of::<Point>();
    assert_eq!(&bytes[trail_1..trail_1 + 8], &2.25f64.to_ne_bytes());
    Ok(())
}

#[test]
fn atomic_fields_are_shared_references() -> Result<(), Error> {
    let body = Body::anonymous()?;
    let hits: &AtomicU64 = body.hits();
    hits.fetch_add(5, Ordering::AcqRel);
    body.hits_mut().fetch_add(1, Ordering::AcqRel);
    body.set_hits(body.hits().load(Ordering::Acquire) * 2);
    assert_eq!(body.hits().load(Ordering::Acquire), 12);

    // Threads share the atomic (not the handle): the count is exact.
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..10_000 {
                    hits.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    assert_eq!(hits.load(Ordering::Acquire), 40_012);

    let frozen = body.make_read_only()?;
    assert_eq!(frozen.hits().load(Ordering::Acquire), 40_012);
    Ok(())
}

#[test]
fn byte_order_fields_take_and_return_native_integers() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("body.bin");
    let body = Body::create_new(&path)?;
    body.set_id_be(0x0A0B_0C0D);
    body.set_port_le(0x1234);
    body.port_le_mut().update(|p| p + 1);
    body.set_delta(-3);
    assert_eq!(
        (body.id_be(), body.port_le(), body.delta()),
        (0x0A0B_0C0D, 0x1235, -3)
    );
    drop(body);
    let bytes = std::fs::read(&path).unwrap();
    let id = offset_of!(Body, id_be);
    assert_eq!(&bytes[id..id + 4], &[0x0A, 0x0B, 0x0C, 0x0D]);
    let port = offset_of!(Body, port_le);
    assert_eq!(&bytes[port..port + 2], &[0x35, 0x12]);
    Ok(())
}

#[test]
fn load_and_store_copy_the_whole_struct() -> Result<(), Error> {
    let stats = Stats::anonymous()?;
    let value = Stats {
        hits: 1,
        misses: 2,
        ratio: 3.0,
        name: *b"abcdefghijklmnop",
    };
    stats.store(&value);
    assert_eq!(stats.load(), value);
    assert_eq!(stats.misses(), 2);

    let body = Body::anonymous()?;
    body.hits().store(77, Ordering::Release);
    let copy = body.load();
    assert_eq!(copy.hits.load(Ordering::Relaxed), 77);
    Ok(())
}

#[test]
fn field_mut_gets_sets_and_updates() -> Result<(), Error> {
    let stats = Stats::anonymous()?;
    let misses = stats.misses_mut();
    misses.set(10);
    misses.update(|m| m * 3);
    assert_eq!(misses.get(), 30);
    assert_eq!(stats.misses(), 30);
    Ok(())
}

#[test]
fn two_handles_of_one_file_see_each_others_writes() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    let a = Stats::create_new(&path)?;
    let b = Stats::open(&path)?;
    a.set_hits(1);
    b.set_hits(b.hits() + 1);
    assert_eq!(a.hits(), 2);
    Ok(())
}

#[test]
fn handles_move_between_threads() -> Result<(), Error> {
    let stats = Stats::anonymous()?;
    let stats = std::thread::spawn(move || {
        stats.set_hits(3);
        stats
    })
    .join()
    .unwrap();
    assert_eq!(stats.hits(), 3);
    Ok(())
}
