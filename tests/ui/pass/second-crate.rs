//! Mapped structs of another crate (edition 2015, `mapped` renamed there), used through their
//! public accessors.
#![deny(warnings)]

use mapped_downstream::{Names, Stats};

fn main() {
    let stats = Stats::anonymous().unwrap();
    stats.set_hits(2);
    Stats::record_miss(&stats, 7);
    assert_eq!((stats.hits(), Stats::misses(&stats)), (2, 1));

    let names = Names::anonymous().unwrap();
    names.set_dwMagic(1);
    names.type__mut().set(2);
    names.set_new(3);
    assert_eq!((names.dwMagic(), names.type_(), names.new()), (1, 2, 3));

    assert_eq!(mapped_downstream::cache_round_trip(), 11);
}
