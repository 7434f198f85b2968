//! Appending `BENCH_APPEND` records to a new file, which each run creates; the check (off the
//! clock) reads the last record back and removes the file.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use mapped::MappedVec;
use memmap2::MmapMut;
use zerocopy::IntoBytes;

use crate::report::{goal, report, Verdict, VEC};
use crate::support::{interleave, record, Contender, Record, RECORD_SIZE};
use crate::Config;

pub fn run(cfg: &Config, dir: &Path, verdicts: &mut Vec<Verdict>) {
    let n = cfg.append;
    let source: Vec<Record> = (0..n as u64).map(record).collect();
    let append = Appends { dir, n };
    let presized = |path: &Path| {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .expect("create");
        file.set_len((n * RECORD_SIZE) as u64).expect("ftruncate");
        // SAFETY: a new file in the scratch dir, not truncated while mapped.
        unsafe { MmapMut::map_mut(&file) }.expect("mmap")
    };
    let mut contenders = vec![
        append.file(
            "raw pointer into a presized mapping (write_volatile)",
            "raw",
            |path| {
                let map = presized(path);
                let out = map.as_ptr().cast_mut().cast::<Record>();
                for i in 0..n {
                    // SAFETY: `i < n`; the mapping holds `n` records and is writable.
                    unsafe { out.add(i).write_volatile(record(i as u64)) };
                }
            },
        ),
        append.file(
            "raw pointer into a presized mapping, prefaulted (MADV_POPULATE_WRITE)",
            "raw-populate",
            |path| {
                let map = presized(path);
                let out = map.as_ptr().cast_mut().cast::<Record>();
                // SAFETY: `out` is the start of `map`, a live shared writable mapping of
                // `n` records; populating it only faults its pages in.
                let rc = unsafe {
                    libc::madvise(out.cast(), n * RECORD_SIZE, libc::MADV_POPULATE_WRITE)
                };
                assert_eq!(rc, 0, "madvise: {}", std::io::Error::last_os_error());
                for i in 0..n {
                    // SAFETY: `i < n`; the mapping holds `n` records and is writable.
                    unsafe { out.add(i).write_volatile(record(i as u64)) };
                }
            },
        ),
        append.file("memcpy into a presized mapping", "memcpy", |path| {
            let mut map = presized(path);
            map.copy_from_slice(source.as_bytes());
        }),
        append.vec("mapped: MappedVec, `push` each", "vec-push", |vec| {
            for i in 0..n {
                vec.push(record(i as u64)).expect("push");
            }
        }),
        append.vec(
            "mapped: MappedVec, `extend` from an iterator",
            "vec-extend",
            |vec| vec.extend((0..n as u64).map(record)).expect("extend"),
        ),
        append.file("BufWriter<File> (1 MiB buffer)", "bufwriter", |path| {
            let file = File::create_new(path).expect("create");
            let mut out = BufWriter::with_capacity(1 << 20, file);
            for i in 0..n {
                out.write_all(record(i as u64).as_bytes()).expect("write");
            }
            out.flush().expect("flush");
        }),
    ];
    let measured = interleave(&mut contenders, cfg.reps);
    report(
        &format!("Append: {n} 64-byte records to a new file (per record)"),
        "append",
        &measured,
        &[
            goal(
                "MappedVec push ≤ 1.2x raw presized mapping",
                VEC,
                "raw",
                1.2,
            ),
            goal("MappedVec push ≤ BufWriter", VEC, "BufWriter", 1.0),
        ],
        verdicts,
    );
}

/// The rows of the table: each run appends `n` records to a new file named after the row's tag
/// and the run's salt.
#[derive(Clone, Copy)]
struct Appends<'d> {
    dir: &'d Path,
    n: usize,
}

impl<'d> Appends<'d> {
    fn path(self, tag: &str, salt: u64) -> PathBuf {
        self.dir.join(format!("append-{tag}-{salt}.bin"))
    }

    /// A contender that writes the file at the path it is given with `fill`; the check finds
    /// `n` records in it, the last one right.
    fn file<'a>(
        self,
        name: &str,
        tag: &'static str,
        mut fill: impl FnMut(&Path) + 'a,
    ) -> Contender<'a>
    where
        'd: 'a,
    {
        let n = self.n;
        Contender::new(name, n as u64, move |salt| {
            fill(&self.path(tag, salt));
            0
        })
        .check(move |salt, _| {
            let path = self.path(tag, salt);
            let file = File::open(&path).expect("open appended file");
            assert_eq!(file.metadata().unwrap().len(), (n * RECORD_SIZE) as u64);
            let mut buf = [0u8; RECORD_SIZE];
            file.read_exact_at(&mut buf, ((n - 1) * RECORD_SIZE) as u64)
                .expect("read back");
            assert_eq!(buf, *record(n as u64 - 1).as_bytes(), "{tag}: last record");
            std::fs::remove_file(&path).expect("remove appended file");
        })
    }

    /// A contender that appends to a new `MappedVec` with `fill`; the check reopens it and
    /// finds `n` records, the last one right.
    fn vec<'a>(
        self,
        name: &str,
        tag: &'static str,
        mut fill: impl FnMut(&mut MappedVec<Record>) + 'a,
    ) -> Contender<'a>
    where
        'd: 'a,
    {
        let n = self.n;
        Contender::new(name, n as u64, move |salt| {
            let mut vec =
                MappedVec::<Record>::open_or_create(self.path(tag, salt)).expect("open_or_create");
            fill(&mut vec);
            vec.len() as u64
        })
        .check(move |salt, len| {
            assert_eq!(len, n as u64, "{tag}: length");
            let path = self.path(tag, salt);
            let vec = MappedVec::<Record>::open_read_only(&path).expect("reopen");
            assert_eq!(vec.len(), n, "{tag}: length after reopening");
            assert_eq!(vec.load(n - 1), record(n as u64 - 1), "{tag}: last record");
            drop(vec);
            std::fs::remove_file(&path).expect("remove appended file");
        })
    }
}
