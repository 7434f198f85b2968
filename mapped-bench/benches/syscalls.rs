//! The program `scripts/strace.sh` runs under `strace -f`: it performs the phases named on its
//! command line, each between two marker lines written to stderr (`@@ begin <phase>` and
//! `@@ end <phase>`), so the system calls of each phase can be cut out of the trace.
//!
//! `cargo bench -p mapped-bench --bench syscalls -- <dir> [phase ...]`; with no phase it runs them
//! all, and with no dir it uses a fresh temp dir (so `cargo bench` exercises it).
//!
//! `... -- <dir> count <op> <n> measure|baseline` does one operation (`create_new`, `open`, `flush`
//! or `drop`) `n` times, or only its setup (`baseline`), for `strace -f -c`: the difference of the
//! two summaries divided by `n` is the calls one operation makes.

use std::io::Write;
use std::path::Path;

use mapped::{Handle, Mapped};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

/// A 4 KiB struct.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Page {
    counter: u64,
    words: [u64; 511],
}

/// Every phase, in the order they run (each needs the file the previous ones left).
const PHASES: &[&str] = &[
    "create_new",
    "flush",
    "drop",
    "open",
    "drop_opened",
    "open_read_only",
    "make_read_only",
    "make_mut",
    "drop_reprotected",
    "open_or_create_existing",
    "push_no_waiter",
    "push_after_killed_waiter",
];

fn marker(text: &str) {
    // One write(2) per marker, so it appears as one line in the trace.
    let _ = std::io::stderr().write_all(format!("@@ {text}\n").as_bytes());
}

fn phase<R>(name: &str, f: impl FnOnce() -> R) -> R {
    marker(&format!("begin {name}"));
    let r = f();
    marker(&format!("end {name}"));
    r
}

fn run(dir: &Path, wanted: &[String]) {
    let path = dir.join("page.bin");
    let on = |name: &str| wanted.is_empty() || wanted.iter().any(|w| w == name);
    // Warm up the lazily initialised parts of std and of the library (the page size, statx
    // support detection) on another file, so the phases show the steady state.
    {
        let warm = Page::create_new(dir.join("warm.bin")).expect("create warm-up file");
        warm.flush().expect("flush warm-up file");
    }

    let page: Handle<Page> = if on("create_new") {
        phase("create_new", || {
            Page::create_new(&path).expect("create_new")
        })
    } else {
        Page::create_new(&path).expect("create_new")
    };
    page.set_counter(1);
    if on("flush") {
        phase("flush", || page.flush().expect("flush"));
    }
    if on("drop") {
        phase("drop", || drop(page));
    } else {
        drop(page);
    }

    let page = if on("open") {
        phase("open", || Page::open(&path).expect("open"))
    } else {
        Page::open(&path).expect("open")
    };
    if on("drop_opened") {
        phase("drop_opened", || drop(page));
    } else {
        drop(page);
    }

    if on("open_read_only") {
        drop(phase("open_read_only", || {
            Page::open_read_only(&path).expect("open_read_only")
        }));
    }

    let page = Page::open(&path).expect("open");
    let frozen = if on("make_read_only") {
        phase("make_read_only", || {
            page.make_read_only().expect("make_read_only")
        })
    } else {
        page.make_read_only().expect("make_read_only")
    };
    let page = if on("make_mut") {
        phase("make_mut", || frozen.make_mut().expect("make_mut"))
    } else {
        frozen.make_mut().expect("make_mut")
    };
    if on("drop_reprotected") {
        phase("drop_reprotected", || drop(page));
    } else {
        drop(page);
    }

    if on("open_or_create_existing") {
        drop(phase("open_or_create_existing", || {
            Page::open_or_create(&path).expect("open_or_create")
        }));
    }

    // `MappedVec::push` within its capacity: with no reader waiting, no call at all; after a
    // reader was killed while waiting (its bit left set in the waiter word, header bytes
    // 60..64), one `FUTEX_WAKE` for the first push and none after.
    let records = dir.join("records.bin");
    let mut log = mapped::MappedVec::<u64>::open_or_create(&records).expect("open_or_create");
    log.reserve(2000).expect("reserve");
    if on("push_no_waiter") {
        phase("push_no_waiter", || {
            for n in 0..1000 {
                log.push(n).expect("push");
            }
        });
    }
    if on("push_after_killed_waiter") {
        use std::os::unix::fs::FileExt;
        let file = std::fs::OpenOptions::new().write(true).open(&records);
        file.and_then(|f| f.write_all_at(&1u32.to_le_bytes(), 60))
            .expect("set the waiting bit");
        phase("push_after_killed_waiter", || {
            for n in 0..1000 {
                log.push(n).expect("push");
            }
        });
    }
}

/// Setup, then `n` times one operation unless `baseline`; handles are leaked (never unmapped)
/// except by the `drop` operation, so each operation's calls are all that differ.
fn count(dir: &Path, op: &str, n: usize, baseline: bool) {
    let path = |i: usize| dir.join(format!("{i}.bin"));
    let measure = !baseline;
    match op {
        "create_new" => {
            if measure {
                for i in 0..n {
                    std::mem::forget(Page::create_new(path(i)).expect("create_new"));
                }
            }
        }
        "open" => {
            drop(Page::create_new(path(0)).expect("create_new"));
            if measure {
                for _ in 0..n {
                    std::mem::forget(Page::open(path(0)).expect("open"));
                }
            }
        }
        "flush" => {
            let page = Page::create_new(path(0)).expect("create_new");
            if measure {
                for i in 0..n {
                    page.set_counter(i as u64);
                    page.flush().expect("flush");
                }
            }
            std::mem::forget(page);
        }
        "drop" => {
            let pages: Vec<Handle<Page>> = (0..n)
                .map(|i| Page::create_new(path(i)).expect("create_new"))
                .collect();
            if measure {
                drop(pages);
            } else {
                std::mem::forget(pages);
            }
        }
        other => panic!("unknown operation {other:?}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if let [dir, mode, op, n, which] = &args[..] {
        if mode == "count" {
            let n = n.parse().expect("count");
            count(Path::new(dir), op, n, which == "baseline");
            return;
        }
    }
    let (dir, phases) = match args.split_first() {
        Some((dir, phases)) => (Some(dir.clone()), phases.to_vec()),
        None => (None, Vec::new()),
    };
    for p in &phases {
        assert!(
            PHASES.contains(&p.as_str()),
            "unknown phase {p:?}; one of {PHASES:?}"
        );
    }
    match dir {
        Some(dir) => run(Path::new(&dir), &phases),
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            run(dir.path(), &phases);
        }
    }
}
