//! Whole-struct copies (`load`, `store`, `set_f` of a nested struct, array reads) of types with
//! atomic fields, while other threads update those atomics: every copy sees whole values, and no
//! concurrent increment is lost by a store that writes other fields.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Counters {
    hits: AtomicU64,
    label: [u8; 8],
    lanes: [AtomicU32; 4],
}

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Shared {
    generation: u64,
    counters: Counters,
}

#[test]
fn loads_and_stores_copy_atomics_without_tearing_or_losing_increments() {
    let shared = Shared::anonymous().unwrap();
    let counters = shared.counters_mut();
    let hits = counters.hits();
    let lane = counters.lanes_at(2).unwrap();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for _ in 0..100_000 {
                hits.fetch_add(1, Ordering::Relaxed);
                lane.fetch_add(1, Ordering::Relaxed);
            }
        });
        for generation in 0..2_000 {
            // Copies out include the atomics, read atomically.
            let copy = shared.load();
            assert!(copy.counters.hits.load(Ordering::Relaxed) <= 100_000);
            assert_eq!(copy.generation, generation);
            shared.set_generation(generation + 1);
        }
    });
    assert_eq!(hits.load(Ordering::Acquire), 100_000);
    assert_eq!(lane.load(Ordering::Acquire), 100_000);
}

#[test]
fn store_writes_atomic_fields_atomically_and_everything_else_too() {
    let shared = Shared::anonymous().unwrap();
    let value = Shared {
        generation: 7,
        counters: Counters {
            hits: AtomicU64::new(11),
            label: *b"counters",
            lanes: [
                AtomicU32::new(1),
                AtomicU32::new(2),
                AtomicU32::new(3),
                AtomicU32::new(4),
            ],
        },
    };
    shared.store(&value);
    assert_eq!(shared.generation(), 7);
    assert_eq!(shared.counters().hits().load(Ordering::Relaxed), 11);
    assert_eq!(&shared.counters().label(), b"counters");
    let lanes: Vec<u32> = shared
        .counters()
        .lanes()
        .iter()
        .map(|lane| lane.load(Ordering::Relaxed))
        .collect();
    assert_eq!(lanes, [1, 2, 3, 4]);

    // A nested struct written whole, and read back whole.
    shared.set_counters(Counters {
        hits: AtomicU64::new(5),
        label: *b"replaced",
        lanes: [
            AtomicU32::new(9),
            AtomicU32::new(9),
            AtomicU32::new(9),
            AtomicU32::new(9),
        ],
    });
    let counters = shared.counters().load();
    assert_eq!(counters.hits.load(Ordering::Relaxed), 5);
    assert_eq!(&counters.label, b"replaced");
}
