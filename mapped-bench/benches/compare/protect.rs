//! `BENCH_PROTECT` round trips of a 4 KiB mapping to read-only and back (`make_read_only` +
//! `make_mut`), against the two bare `mprotect` calls.

use std::fs::OpenOptions;
use std::path::Path;

use memmap2::MmapMut;

use crate::page::{Page, PAGE};
use crate::report::{goal, report, Verdict};
use crate::support::{interleave, Contender};
use crate::Config;

pub fn run(cfg: &Config, dir: &Path, verdicts: &mut Vec<Verdict>) {
    let k = cfg.protect;
    let bare_page = Page::create_new(dir.join("protect-bare.bin")).expect("create");
    let bare = mapped::Handle::as_ptr(&bare_page)
        .cast_mut()
        .cast::<libc::c_void>();
    let page = Page::create_new(dir.join("protect-mapped.bin")).expect("create");
    let file2 = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(dir.join("protect-memmap2.bin"))
        .expect("create");
    file2.set_len(PAGE as u64).expect("set_len");
    // SAFETY: a new file of this benchmark, not truncated while mapped.
    let map2 = unsafe { MmapMut::map_mut(&file2) }.expect("mmap");
    let protect = RoundTrips { k };
    let mut contenders = vec![
        protect.row(
            "bare: mprotect(PROT_READ) + mprotect(PROT_READ | PROT_WRITE)",
            &bare_page,
            |page| {
                // SAFETY: `bare` is the page-aligned start of `bare_page`'s 4 KiB mapping,
                // which lives throughout; it is made writable again before anything writes.
                let rc = unsafe { libc::mprotect(bare, PAGE, libc::PROT_READ) };
                assert_eq!(rc, 0, "mprotect");
                // SAFETY: as above.
                let rc = unsafe { libc::mprotect(bare, PAGE, libc::PROT_READ | libc::PROT_WRITE) };
                assert_eq!(rc, 0, "mprotect");
                page
            },
            |page, salt| {
                page.set_counter(salt);
                page.counter()
            },
        ),
        protect.row(
            "mapped: `make_read_only()?.make_mut()?`",
            page,
            |page| {
                page.make_read_only()
                    .expect("make_read_only")
                    .make_mut()
                    .expect("make_mut")
            },
            |page, salt| {
                page.set_counter(salt);
                page.counter()
            },
        ),
        protect.row(
            "memmap2: `make_read_only()?.make_mut()?`",
            map2,
            |map| {
                map.make_read_only()
                    .expect("make_read_only")
                    .make_mut()
                    .expect("make_mut")
            },
            |map, salt| {
                map[..8].copy_from_slice(&salt.to_ne_bytes());
                u64::from_ne_bytes(map[..8].try_into().unwrap())
            },
        ),
    ];
    let measured = interleave(&mut contenders, cfg.small_reps);
    report(
        &format!("`make_read_only` + `make_mut` round trip on a 4 KiB mapping ({k} per run)"),
        "make_read_only + make_mut",
        &measured,
        &[goal(
            "mapped ≤ 1.05x two bare mprotect calls",
            "mapped",
            "bare",
            1.05,
        )],
        verdicts,
    );
}

/// The rows of the table: each run makes `k` round trips, then stores the run's salt and reads it
/// back, so a mapping left read-only (or another one) would fail the run.
#[derive(Clone, Copy)]
struct RoundTrips {
    k: usize,
}

impl RoundTrips {
    /// A contender that makes each round trip with `round_trip`, which consumes the mapping and
    /// returns it writable again (as `make_read_only` and `make_mut` do), and stores and loads
    /// the salt with `store_load`.
    fn row<'a, S: 'a>(
        self,
        name: &str,
        state: S,
        round_trip: impl Fn(S) -> S + 'a,
        store_load: impl Fn(&mut S, u64) -> u64 + 'a,
    ) -> Contender<'a> {
        let k = self.k;
        let mut state = Some(state);
        Contender::new(name, k as u64, move |salt| {
            let mut mapping = state.take().expect("mapping");
            for _ in 0..k {
                mapping = round_trip(mapping);
            }
            let got = store_load(&mut mapping, salt);
            state = Some(mapping);
            got
        })
        .check(|salt, got| assert_eq!(got, salt))
    }
}
