//! mprotect round trips, msync flushes, madvise and mlock.

mod common;

use common::{Stats, TempDir};
use mapped::{Advice, Error, Op};

#[test]
fn read_only_no_access_and_back_keep_the_data() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    let stats = Stats::create_new(&path)?;
    stats.set_hits(1);
    let frozen = stats.make_read_only()?;
    assert_eq!(frozen.hits(), 1);
    let sealed = frozen.make_no_access()?;
    let frozen = sealed.make_read_only()?;
    assert_eq!(frozen.hits(), 1);
    let stats = frozen.make_mut()?;
    stats.set_hits(2);
    let sealed = stats.make_no_access()?;
    let stats = sealed.make_mut()?;
    assert_eq!(stats.hits(), 2);
    stats.flush()?;
    drop(stats);
    assert_eq!(&std::fs::read(&path).unwrap()[..8], &2u64.to_ne_bytes());
    Ok(())
}

#[test]
fn flushes_reach_a_plain_read_of_the_file() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    let stats = Stats::create_new(&path)?;
    stats.set_misses(17);
    stats.flush()?;
    assert_eq!(&std::fs::read(&path).unwrap()[8..12], &17u32.to_ne_bytes());
    stats.set_misses(18);
    stats.flush_async()?;
    stats.flush_range(8, 4)?;
    stats.flush_async_range(0, 32)?;
    stats.flush_range(32, 0)?;
    assert_eq!(&std::fs::read(&path).unwrap()[8..12], &18u32.to_ne_bytes());
    Ok(())
}

#[test]
fn flushing_an_unaligned_struct_rounds_out_to_pages() -> Result<(), Error> {
    let tmp = TempDir::new();
    let path = tmp.path("stats.bin");
    let stats = Stats::options()
        .create_new(true)
        .offset(4096 - 16)
        .open(&path)?;
    stats.set_name(*b"crosses-the-page");
    stats.flush_range(16, 16)?;
    stats.flush()?;
    assert_eq!(&std::fs::read(&path).unwrap()[4096..], b"crosses-the-page");
    Ok(())
}

#[test]
fn a_range_outside_the_struct_is_refused() -> Result<(), Error> {
    let stats = Stats::anonymous()?;
    for (offset, len) in [(0, 33), (32, 1), (usize::MAX, 2)] {
        match stats.flush_range(offset, len).unwrap_err() {
            Error::RangeOutOfBounds {
                offset: o,
                len: l,
                size,
                ..
            } => {
                assert_eq!((o, l, size), (offset, len, 32));
            }
            other => panic!("expected RangeOutOfBounds, got {other:?}"),
        }
    }
    Ok(())
}

#[test]
fn a_read_only_shared_handle_can_still_flush() -> Result<(), Error> {
    let tmp = TempDir::new();
    let stats = Stats::create_new(tmp.path("stats.bin"))?;
    stats.set_hits(1);
    let frozen = stats.make_read_only()?;
    frozen.flush()?;
    frozen.make_no_access()?.flush()?;
    Ok(())
}

#[test]
fn advice_and_locking_succeed_or_report_the_call() -> Result<(), Error> {
    let stats = Stats::anonymous()?;
    for advice in [
        Advice::Normal,
        Advice::Random,
        Advice::Sequential,
        Advice::WillNeed,
    ] {
        stats.advise(advice)?;
    }
    match stats.lock() {
        Ok(()) => stats.unlock()?,
        // RLIMIT_MEMLOCK may be zero in a container.
        Err(Error::Io { op: Op::Mlock, .. }) => {}
        Err(other) => panic!("unexpected {other:?}"),
    }
    Ok(())
}

#[test]
fn debug_output_names_the_type_mode_and_path() -> Result<(), Error> {
    let tmp = TempDir::new();
    let stats = Stats::create_new(tmp.path("stats.bin"))?;
    let text = format!("{stats:?}");
    assert!(text.contains("Stats") && text.contains("ReadWrite") && text.contains("stats.bin"));
    Ok(())
}

/// A read-only page allows only `Relaxed` atomic loads, so `ReadOnlyAtomic::load` is one plus a
/// fence: every ordering a load may have reads the value, and the two a load may not have panic,
/// as std's loads do.
#[test]
fn read_only_atomics_load_in_every_load_ordering_and_refuse_store_orderings() -> Result<(), Error> {
    use std::sync::atomic::{AtomicU32, Ordering};

    #[derive(mapped::Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    #[repr(C)]
    struct Flags {
        published: AtomicU32,
    }

    let tmp = TempDir::new();
    let path = tmp.path("flags.bin");
    Flags::create_new(&path)?
        .published()
        .store(7, Ordering::Release);
    let reader = Flags::open_read_only(&path)?;
    for order in [Ordering::Relaxed, Ordering::Acquire, Ordering::SeqCst] {
        assert_eq!(reader.published().load(order), 7, "{order:?}");
    }
    for order in [Ordering::Release, Ordering::AcqRel] {
        let load = std::panic::catch_unwind(|| reader.published().load(order));
        assert!(load.is_err(), "{order:?} is not a load ordering");
    }
    Ok(())
}
