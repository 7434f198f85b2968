//! Struct-file upgrades killed with `SIGKILL` at random moments, 25 times: each file the child
//! touched reopens under the old layout or the new one, never neither, with every value intact,
//! and a later upgrade completes it.
//!
//! The child is this test binary run again with a role in its environment (as in
//! `tests/vec_kill.rs`). It creates file after file of `{a}`, sets `a`, upgrades to `{a, b}`,
//! sets `b`, upgrades to `{a, b, c}`, each upgrade three `fdatasync`s long on a real disk, until
//! killed. The delays come from a seeded RNG: the seed is printed, and `MAPPED_KILL_SEED=<seed>`
//! replays a run. Every child is reaped, on failure too (a guard kills it); every wait is bounded.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::checked::{mix, Reaped, Rng};
use mapped::{Error, FileInfo};

const TEST: &str = "an_upgrade_killed_at_random_moments_leaves_the_old_layout_or_the_new";
const ROLE: &str = "MAPPED_EVOLVE_KILL_DIR";
const LIFE: &str = "MAPPED_EVOLVE_KILL_LIFE";
const SEED: &str = "MAPPED_KILL_SEED";
const KILLS: u64 = 25;
/// Every wait on another process gives up after this long (a bound, not a timing assertion).
const PATIENCE: Duration = Duration::from_secs(30);

mod v1 {
    #[derive(mapped::Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    #[repr(C)]
    #[mapped(magic = b"KILLEVOL", version = 1)]
    pub struct Rec {
        pub a: u64,
    }
}

mod v2 {
    #[derive(mapped::Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    #[repr(C)]
    #[mapped(magic = b"KILLEVOL", version = 2)]
    pub struct Rec {
        pub a: u64,
        pub b: u64,
    }
}

mod v3 {
    #[derive(mapped::Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    #[repr(C)]
    #[mapped(magic = b"KILLEVOL", version = 3)]
    pub struct Rec {
        pub a: u64,
        pub b: u64,
        pub c: u64,
    }
}

/// The value of `a` in file `index` of life `life`; `b` is its complement.
fn value(life: u64, index: u64) -> u64 {
    mix(life << 32 | index) | 1
}

fn upgrade_until_killed(dir: &Path, life: u64) -> i32 {
    let start = Instant::now();
    let mut index = 0;
    while start.elapsed() < PATIENCE {
        let path = dir.join(format!("rec-{index}.bin"));
        v1::Rec::create_new(&path)
            .expect("create")
            .set_a(value(life, index));
        v2::Rec::upgrade(&path).expect("upgrade to v2");
        v2::Rec::open(&path)
            .expect("open v2")
            .set_b(!value(life, index));
        v3::Rec::upgrade(&path).expect("upgrade to v3");
        index += 1;
    }
    4
}

/// Checks one file the killed child left: it opens under the layout its header commits, every
/// older layout reads it, the values are intact, and an upgrade completes it.
fn verify(path: &Path, a: u64, seed: u64) -> (usize, bool) {
    let why = |what: &str| format!("{}: {what} (seed {seed})", path.display());
    let info = FileInfo::read(path).unwrap_or_else(|err| panic!("{}", why(&err.to_string())));
    let layout = info.fields.len();
    let grown = info.file_size > info.data_offset + info.record_size;
    let read = v1::Rec::open_read_only(path)
        .unwrap_or_else(|err| panic!("{}: {err}", why("v1")))
        .a();
    // Killed between `create_new` and `set_a`, a file is whole and zero.
    let a = if read == 0 && layout == 1 { 0 } else { a };
    assert_eq!(read, a, "{}", why("a"));
    let b = match layout {
        1 => {
            let err = v2::Rec::open(path).map(drop).unwrap_err();
            assert!(
                matches!(err, Error::NeedsUpgrade { .. }),
                "{}",
                why(&err.to_string())
            );
            None
        }
        2 | 3 => {
            let rec =
                v2::Rec::open_read_only(path).unwrap_or_else(|err| panic!("{}: {err}", why("v2")));
            assert_eq!(rec.a(), a, "{}", why("a under v2"));
            assert!(rec.b() == 0 || rec.b() == !a, "{}", why("b"));
            Some(rec.b())
        }
        other => panic!("{}", why(&format!("{other} fields"))),
    };
    if layout == 3 {
        let rec =
            v3::Rec::open_read_only(path).unwrap_or_else(|err| panic!("{}: {err}", why("v3")));
        assert_eq!(
            (rec.a(), rec.b(), rec.c()),
            (a, !a, 0),
            "{}",
            why("v3 values")
        );
    } else {
        let err = v3::Rec::open(path).map(drop).unwrap_err();
        assert!(
            matches!(err, Error::NeedsUpgrade { .. }),
            "{}",
            why(&err.to_string())
        );
    }
    // What a crash left, an upgrade completes.
    v3::Rec::upgrade(path).unwrap_or_else(|err| panic!("{}: {err}", why("upgrade after the kill")));
    let rec =
        v3::Rec::open(path).unwrap_or_else(|err| panic!("{}: {err}", why("v3 after the upgrade")));
    assert_eq!(
        (rec.a(), rec.b(), rec.c()),
        (a, b.unwrap_or(0), 0),
        "{}",
        why("values after the upgrade")
    );
    (layout, grown)
}

#[test]
fn an_upgrade_killed_at_random_moments_leaves_the_old_layout_or_the_new() {
    if let (Some(dir), Ok(life)) = (std::env::var_os(ROLE), std::env::var(LIFE)) {
        let life = life.parse().expect("a life");
        std::process::exit(upgrade_until_killed(Path::new(&dir), life));
    }
    let seed = match std::env::var(SEED) {
        Ok(seed) => seed.parse().expect("MAPPED_KILL_SEED is a number"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
    };
    println!("evolve_kill: seed {seed} (replay with {SEED}={seed})");
    let mut rng = Rng(seed);
    let (mut files, mut by_layout, mut grown_uncommitted) = (0, [0; 4], 0);
    for life in 1..=KILLS {
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new(std::env::current_exe().expect("current exe"))
            .args(["--exact", TEST, "--test-threads=1", "--nocapture"])
            .env(ROLE, dir.path())
            .env(LIFE, life.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn the child");
        let mut child = Reaped(Some(child));
        let start = Instant::now();
        while std::fs::read_dir(dir.path()).unwrap().next().is_none() {
            assert!(
                start.elapsed() < PATIENCE,
                "child {life} never started (seed {seed})"
            );
            child.assert_running(&format!("child {life} (seed {seed})"));
            std::thread::sleep(Duration::from_micros(200));
        }
        std::thread::sleep(Duration::from_micros(rng.below(30_000)));
        let status = child.kill();
        assert_eq!(
            status.signal(),
            Some(9),
            "child {life} ended first (seed {seed})"
        );
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let Some(index) = name
                .strip_prefix("rec-")
                .and_then(|n| n.strip_suffix(".bin"))
            else {
                // `create_new`'s fallback name, where O_TMPFILE is missing: never at a rec path.
                continue;
            };
            let (layout, grown) = verify(&path, value(life, index.parse().unwrap()), seed);
            files += 1;
            by_layout[layout] += 1;
            grown_uncommitted += u64::from(grown);
        }
    }
    println!(
        "evolve_kill: {files} files checked after {KILLS} kills; left at {{a}}: {}, {{a, b}}: {}, \
         {{a, b, c}}: {}; grown but not committed: {grown_uncommitted}",
        by_layout[1], by_layout[2], by_layout[3]
    );
}
