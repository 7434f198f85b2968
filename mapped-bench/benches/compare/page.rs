//! What the create, open, flush and protect workloads share: the 4 KiB struct, its files, and the
//! bare `mmap`/`munmap` calls of their baselines.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::ptr;

use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

/// A 4 KiB struct: one page.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
pub struct Page {
    pub counter: u64,
    pub words: [u64; 511],
}

pub const PAGE: usize = std::mem::size_of::<Page>();

/// memmap3's 4 KiB struct.
#[memmap3::mmap_struct]
pub struct Page3 {
    pub counter: u64,
    pub words: [u64; 511],
}

/// Per-run file names, made before the clock starts: `batches[r]` serves the run with id `r`.
pub struct Batches {
    pub dirs: Vec<PathBuf>,
    pub paths: Vec<Vec<PathBuf>>,
    pub cpaths: Vec<Vec<CString>>,
}

impl Batches {
    pub fn new(dir: &Path, tag: &str, runs: usize, per_run: usize) -> Self {
        let dirs: Vec<PathBuf> = (0..runs)
            .map(|r| {
                let d = dir.join(format!("{tag}-{r}"));
                std::fs::create_dir(&d).expect("mkdir");
                d
            })
            .collect();
        let paths: Vec<Vec<PathBuf>> = dirs
            .iter()
            .map(|d| (0..per_run).map(|i| d.join(format!("{i}.bin"))).collect())
            .collect();
        let cpaths = paths
            .iter()
            .map(|ps| {
                ps.iter()
                    .map(|p| CString::new(p.as_os_str().as_bytes()).expect("path"))
                    .collect()
            })
            .collect();
        Batches {
            dirs,
            paths,
            cpaths,
        }
    }
}

/// `mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)`.
pub fn bare_map(fd: libc::c_int) -> *mut libc::c_void {
    // SAFETY: no MAP_FIXED, so nothing already mapped is replaced; `fd` is open.
    let map = unsafe {
        libc::mmap(
            ptr::null_mut(),
            PAGE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
            fd,
            0,
        )
    };
    assert_ne!(map, libc::MAP_FAILED, "mmap");
    map
}

pub fn bare_unmap(map: *mut libc::c_void) {
    // SAFETY: `map` came from `bare_map` and nothing refers to it any more.
    let rc = unsafe { libc::munmap(map, PAGE) };
    assert_eq!(rc, 0, "munmap");
}
