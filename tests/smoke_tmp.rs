use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};
use std::sync::atomic::AtomicU64;

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Stats { hits: u64, misses: u32, ratio: f32, name: [u8; 16] }

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Point { x: f64, y: f64 }

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Body { pos: Point, counter: AtomicU64, pts: [Point; 2] }

#[test]
fn smoke() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let mut s = Stats::create_new(dir.path().join("stats.bin"))?;
    s.set_hits(s.hits() + 1);
    s.flush()?;
    let r = s.make_read_only()?;
    assert_eq!(r.hits(), 1);
    let b = Body::anonymous()?;
    b.pos_mut().set_x(1.0);
    assert_eq!(b.pos().x(), 1.0);
    b.counter().fetch_add(2, std::sync::atomic::Ordering::SeqCst);
    b.pts_at(1).unwrap().y();
    Ok(())
}
