//! Dirtying one page and flushing it (`msync(MS_SYNC)`), `BENCH_FLUSH` times: the device
//! dominates.

use std::ffi::CString;
use std::fs::OpenOptions;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use memmap2::MmapMut;

use crate::page::{bare_map, bare_unmap, Page, Page3, PAGE};
use crate::report::{goal, report, Verdict};
use crate::support::{interleave, Contender};
use crate::Config;

pub fn run(cfg: &Config, dir: &Path, verdicts: &mut Vec<Verdict>) {
    let k = cfg.flush;
    let bare_path = CString::new(dir.join("flush-bare.bin").as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid C string; plain flags.
    let fd = unsafe {
        libc::open(
            bare_path.as_ptr(),
            libc::O_RDWR | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC,
            0o600 as libc::c_uint,
        )
    };
    assert!(fd >= 0, "open");
    // SAFETY: `fd` is open.
    assert_eq!(unsafe { libc::ftruncate(fd, PAGE as libc::off_t) }, 0);
    let bare = bare_map(fd).cast::<u64>();
    // SAFETY: `fd` is open and not used after this.
    unsafe { libc::close(fd) };
    let page = Page::create_new(dir.join("flush-mapped.bin")).expect("create");
    let file2 = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(dir.join("flush-memmap2.bin"))
        .expect("create");
    file2.set_len(PAGE as u64).expect("set_len");
    // SAFETY: a new file of this benchmark, not truncated while mapped.
    let map2 = unsafe { MmapMut::map_mut(&file2) }.expect("mmap");
    let mut page3 = memmap3::MmapStruct::<Page3>::create(dir.join("flush-memmap3.bin")).unwrap();
    let map2_ptr = map2.as_ptr().cast_mut().cast::<u64>();
    let flush = Flushes { k };
    let mut contenders = vec![
        flush.row(
            "bare: store + msync(MS_SYNC)",
            bare,
            |bare, v| {
                // SAFETY: `bare` is a live 4 KiB shared writable mapping.
                unsafe { bare.write_volatile(v) };
                // SAFETY: `bare` is the page-aligned start of a live 4 KiB mapping.
                let rc = unsafe { libc::msync(bare.cast(), PAGE, libc::MS_SYNC) };
                assert_eq!(rc, 0, "msync");
            },
            // SAFETY: as above.
            |bare| unsafe { bare.read_volatile() },
        ),
        flush.row(
            "mapped: `set_counter` + `flush()`",
            &page,
            |page, v| {
                page.set_counter(v);
                page.flush().expect("flush");
            },
            |page| page.counter(),
        ),
        flush.row(
            "memmap2: store + `MmapMut::flush()`",
            &map2,
            |map2, v| {
                // SAFETY: `map2_ptr` is the start of the live writable mapping `map2`.
                unsafe { map2_ptr.write_volatile(v) };
                map2.flush().expect("flush");
            },
            // SAFETY: as above.
            |_| unsafe { map2_ptr.read_volatile() },
        ),
        flush.row(
            "memmap3: store + `MmapStruct::flush()`",
            &mut page3,
            |page3, v| {
                page3.counter = v;
                page3.flush().expect("flush");
            },
            |page3| page3.counter,
        ),
    ];
    let measured = interleave(&mut contenders, cfg.small_reps);
    bare_unmap(bare.cast());
    report(
        &format!("Flush one dirty page: store a u64, then msync(MS_SYNC) ({k} per run)"),
        "flush",
        &measured,
        &[goal(
            "mapped `flush` ≤ 1.05x bare msync",
            "mapped",
            "bare",
            1.05,
        )],
        verdicts,
    );
}

/// The rows of the table: each run stores `j ^ salt` for `j` in `0..k`, flushing after every
/// store, then reads the value back: the check wants `(k - 1) ^ salt`.
#[derive(Clone, Copy)]
struct Flushes {
    k: usize,
}

impl Flushes {
    /// A contender that stores and flushes with `store_and_flush(state, v)`, and reads the value
    /// back with `load(state)`.
    fn row<'a, S: 'a>(
        self,
        name: &str,
        mut state: S,
        store_and_flush: impl Fn(&mut S, u64) + 'a,
        load: impl Fn(&mut S) -> u64 + 'a,
    ) -> Contender<'a> {
        let k = self.k as u64;
        Contender::new(name, k, move |salt| {
            for j in 0..k {
                store_and_flush(&mut state, j ^ salt);
            }
            load(&mut state)
        })
        .check(move |salt, got| assert_eq!(got, (k - 1) ^ salt))
    }
}
