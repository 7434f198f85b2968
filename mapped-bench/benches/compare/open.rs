//! Opening `BENCH_CREATE` existing 4 KiB struct files, mapping each and dropping the mapping.

use std::ffi::CStr;
use std::fs::OpenOptions;
use std::path::Path;

use memmap2::MmapMut;

use crate::page::{bare_map, bare_unmap, Batches, Page, Page3, PAGE};
use crate::report::{goal, report, Verdict};
use crate::support::{interleave, Contender};
use crate::Config;

pub fn run(cfg: &Config, dir: &Path, verdicts: &mut Vec<Verdict>) {
    let k = cfg.create;
    let files = Batches::new(dir, "open", 1, k);
    let files3 = Batches::new(dir, "open-memmap3", 1, k);
    for path in &files.paths[0] {
        drop(Page::create_new(path).expect("create"));
    }
    // memmap3's own files: it wants its magic in front of the struct.
    for path in &files3.paths[0] {
        drop(memmap3::MmapStruct::<Page3>::create(path).expect("create"));
    }
    let mut contenders = vec![
        row(
            "bare syscalls: open, fstat, mmap, close, munmap",
            &files,
            |_, cpath| {
                // SAFETY: `cpath` is a valid C string.
                let fd = unsafe { libc::open(cpath.as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) };
                assert!(fd >= 0, "open");
                // SAFETY: an all-zero `stat` is a valid value to overwrite.
                let mut st: libc::stat = unsafe { std::mem::zeroed() };
                // SAFETY: `fd` is open and `st` is writable.
                assert_eq!(unsafe { libc::fstat(fd, &mut st) }, 0, "fstat");
                assert!(st.st_size >= PAGE as libc::off_t, "short file");
                let map = bare_map(fd);
                // SAFETY: `fd` is open and not used after this.
                unsafe { libc::close(fd) };
                bare_unmap(map);
            },
        ),
        row("mapped: `Page::open` + drop", &files, |path, _| {
            drop(Page::open(path).expect("open"));
        }),
        row(
            "memmap2: open, `MmapMut::map_mut` + drop",
            &files,
            |path, _| {
                let file = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(path)
                    .expect("open");
                // SAFETY: a file of this benchmark, not truncated while mapped.
                drop(unsafe { MmapMut::map_mut(&file) }.expect("mmap"));
            },
        ),
        row("memmap3: `MmapStruct::open` + drop", &files3, |path, _| {
            drop(memmap3::MmapStruct::<Page3>::open(path).expect("open"));
        }),
    ];
    let measured = interleave(&mut contenders, cfg.small_reps);
    report(
        &format!("Open + map + drop an existing 4 KiB struct file ({k} files per run)"),
        "open + map + drop",
        &measured,
        &[goal(
            "mapped ≤ 1.10x the bare syscall sequence",
            "mapped",
            "bare",
            1.10,
        )],
        verdicts,
    );
}

/// A row of the table: a contender that opens every file of `files` (given as a path and as a C
/// string) with `open`, in every run.
fn row<'a>(name: &str, files: &'a Batches, open: impl Fn(&Path, &CStr) + 'a) -> Contender<'a> {
    let k = files.paths[0].len();
    Contender::new(name, k as u64, move |_| {
        for (path, cpath) in files.paths[0].iter().zip(&files.cpaths[0]) {
            open(path, cpath);
        }
        k as u64
    })
    .expect(k as u64)
}
