//! Creating `BENCH_CREATE` 4 KiB struct files, mapping each and dropping the mapping.

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
    let runs = cfg.small_reps;
    let create = Creates { dir, runs, k };
    let mut contenders = vec![
        create.row(
            "bare syscalls: open, ftruncate, mmap, close, munmap",
            "create-bare",
            PAGE,
            |_, cpath| bare_create_map_drop(cpath),
        ),
        create.row(
            "mapped: `Page::create_new` + drop",
            "create-mapped",
            PAGE,
            |path, _| drop(Page::create_new(path).expect("create_new")),
        ),
        create.row(
            "memmap2: create_new, set_len, `MmapMut::map_mut` + drop",
            "create-memmap2",
            PAGE,
            |path, _| {
                let file = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create_new(true)
                    .open(path)
                    .expect("create");
                file.set_len(PAGE as u64).expect("set_len");
                // SAFETY: a new file of this benchmark, not truncated while mapped.
                drop(unsafe { MmapMut::map_mut(&file) }.expect("mmap"));
            },
        ),
        // memmap3 puts an 8-byte magic in front of the struct.
        create.row(
            "memmap3: `MmapStruct::create` + drop",
            "create-memmap3",
            PAGE + 8,
            |path, _| drop(memmap3::MmapStruct::<Page3>::create(path).expect("create")),
        ),
    ];
    let measured = interleave(&mut contenders, runs);
    report(
        &format!("Create + map + drop a 4 KiB struct file ({k} files per run)"),
        "create + map + drop",
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

/// The rows of the table: each run creates the `k` files of a batch of its own, made (empty)
/// before the clock starts.
#[derive(Clone, Copy)]
struct Creates<'d> {
    dir: &'d Path,
    runs: usize,
    k: usize,
}

impl Creates<'_> {
    /// A contender that makes each file of its batch (given as a path and as a C string) with
    /// `make`; the check finds `k` files of `len` bytes in the batch, and removes it.
    fn row<'a>(
        self,
        name: &str,
        tag: &str,
        len: usize,
        make: impl Fn(&Path, &CStr) + 'a,
    ) -> Contender<'a> {
        let Creates { dir, runs, k } = self;
        let batches = Batches::new(dir, tag, runs, k);
        let dirs = batches.dirs.clone();
        let mut next = 0;
        Contender::new(name, k as u64, move |_| {
            let run = next;
            next += 1;
            for (path, cpath) in batches.paths[run].iter().zip(&batches.cpaths[run]) {
                make(path, cpath);
            }
            run as u64
        })
        .check(move |_, run| {
            let d = &dirs[run as usize];
            let mut count = 0;
            for entry in std::fs::read_dir(d).expect("read dir") {
                let got = entry.expect("entry").metadata().expect("stat").len();
                assert_eq!(got, len as u64, "{}: file size", d.display());
                count += 1;
            }
            assert_eq!(count, k, "{}: files made", d.display());
            std::fs::remove_dir_all(d).expect("remove batch");
        })
    }
}

/// The C sequence `create_new` is measured against.
fn bare_create_map_drop(path: &CStr) {
    // SAFETY: `path` is a valid C string; the flags and mode are plain values.
    let fd = unsafe {
        libc::open(
            path.as_ptr(),
            libc::O_RDWR | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC,
            0o600 as libc::c_uint,
        )
    };
    assert!(fd >= 0, "open: {}", std::io::Error::last_os_error());
    // SAFETY: `fd` is a descriptor this function opened.
    let rc = unsafe { libc::ftruncate(fd, PAGE as libc::off_t) };
    assert_eq!(rc, 0, "ftruncate");
    let map = bare_map(fd);
    // SAFETY: `fd` is open and not used after this.
    unsafe { libc::close(fd) };
    bare_unmap(map);
}
