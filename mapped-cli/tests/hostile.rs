//! The record property tests' hostile files (`tests/records_hostile.rs`: random bytes, a valid
//! header up to a random field, valid files mutated), for record files and struct files with a
//! header, given to `inspect`, `dump` and `verify`: never a panic or a signal, exit status 0, 1
//! or 2 as specified, the file never modified.
//!
//! Specified means, against `mapped::FileInfo::read` as the model of what can be read: a file it
//! refuses gets status 2 from every command; a file it reads gets 0 from `inspect`, whose `len`
//! is the header's; `verify` says 0 or 1; `dump` prints one JSON object per record the file holds
//! (status 0), or the records it holds then status 1 for a count past the file's end; and a file
//! `verify` passes dumps every record it counts. 2,000 cases in-process (about 70% refused, the
//! rest split between consistent files and inconsistent ones); a hundred more through
//! the binary, whose status must be the in-process one.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use common::*;
use mapped::{FileInfo, FileKind, Mapped};
use proptest::prelude::*;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

/// Records aligned above the header's 64 bytes: the data starts at 128.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Copy)]
#[repr(C, align(128))]
struct Line {
    words: [u64; 16],
}

/// A small struct file with a header.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(magic = b"COUNTERS", version = 7)]
struct Counters {
    hits: u64,
    misses: u32,
    ratio: f32,
}

/// SplitMix64: each case is a function of its seed, so the binary's cases replay the same files.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }

    fn count(&mut self) -> u64 {
        match self.below(5) {
            0 => u64::MAX,
            1 => self.next(),
            2 => 1 << self.below(64),
            _ => self.below(600),
        }
    }
}

/// Valid files of several kinds, as the library writes them.
fn templates() -> &'static [Vec<u8>] {
    static FILES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let read = |path: std::path::PathBuf| std::fs::read(path).unwrap();
        let counters = dir.join("counters.bin");
        let file = Counters::create_new(&counters).unwrap();
        file.set_hits(12);
        file.set_ratio(0.25);
        drop(file);
        vec![
            read(records_file(dir, "u8.bin", Vec::<u8>::new())),
            read(records_file(dir, "u32.bin", (0..5u32).collect())),
            read(ticks_file(dir, 3)),
            read(records_file(
                dir,
                "lines.bin",
                vec![Line { words: [7; 16] }; 2],
            )),
            read(records_file(dir, "pairs.bin", vec![[1u16, 2, 3]; 4])),
            read(body_file(dir)),
            read(counters),
        ]
    })
}

fn data_offset(bytes: &[u8]) -> usize {
    bytes.get(32..40).map_or(0, |raw| {
        u64::from_le_bytes(raw.try_into().unwrap()) as usize
    })
}

/// One hostile file, from its seed.
fn hostile_case(seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed);
    let templates = templates();
    let template = &templates[rng.below(templates.len() as u64) as usize];
    match rng.below(3) {
        // Random bytes, some starting as a record file does, to get past the first checks.
        0 => {
            let len = rng.below(700) as usize;
            let mut bytes = rng.bytes(len);
            if rng.below(2) == 0 && len >= 64 {
                bytes[..12].copy_from_slice(b"MAPDRECS\x02\0\0\0");
                bytes[48..52].copy_from_slice(&2u32.to_le_bytes());
            }
            bytes
        }
        // A valid header up to a random byte, then random bytes; sometimes a random count.
        1 => {
            let len = template.len().max(rng.below(1200) as usize);
            let mut bytes = rng.bytes(len);
            let keep = (rng.below(data_offset(template) as u64 + 1) as usize).min(template.len());
            bytes[..keep].copy_from_slice(&template[..keep]);
            if keep >= 48 && rng.below(2) == 0 {
                bytes[40..48].copy_from_slice(&rng.count().to_ne_bytes());
            }
            bytes
        }
        // A valid file mutated: header or schema bytes flipped, the count changed, the file cut.
        _ => {
            let mut bytes = template.clone();
            let mutations = 1 + rng.below(3);
            for _ in 0..mutations {
                match rng.below(4) {
                    0 | 1 => {
                        let span = (data_offset(template) + 64).min(bytes.len()).max(1);
                        let at = rng.below(span as u64) as usize;
                        if at < bytes.len() {
                            bytes[at] ^= 1 + rng.below(255) as u8;
                        }
                    }
                    2 if bytes.len() >= 48 => {
                        bytes[40..48].copy_from_slice(&rng.count().to_ne_bytes());
                    }
                    _ => {
                        let len = rng.below(bytes.len() as u64 + 1) as usize;
                        bytes.truncate(len);
                    }
                }
            }
            bytes
        }
    }
}

/// The statuses of `inspect --json`, `dump`, `dump --csv` and `verify`, checked against the
/// model; the file must be unchanged after each.
fn check_in_process(path: &Path, bytes: &[u8]) -> Result<[u8; 4], TestCaseError> {
    let model = FileInfo::read(path);
    let mut statuses = [0; 4];
    let commands: [&[&str]; 4] = [
        &["inspect", "--json"],
        &["dump"],
        &["dump", "--csv"],
        &["verify"],
    ];
    let mut outputs = Vec::new();
    for (i, command) in commands.iter().enumerate() {
        let mut args = command.to_vec();
        args.push(arg(path));
        let result = run(&args);
        prop_assert!(
            std::fs::read(path).unwrap() == bytes,
            "{:?} modified the file",
            args
        );
        statuses[i] = match &result {
            Ok(_) => 0,
            Err(err) => {
                let message = err.to_string();
                prop_assert!(message.contains(arg(path)), "{}", message);
                err.exit_code()
            }
        };
        outputs.push(result.ok());
    }
    let Ok(info) = model else {
        prop_assert_eq!(statuses, [2; 4], "an unreadable file: {:?}", model.err());
        return Ok(statuses);
    };
    let [inspect, dump, csv, verify] = statuses;
    prop_assert_eq!(inspect, 0);
    let summary: serde_json::Value = serde_json::from_str(outputs[0].as_deref().unwrap()).unwrap();
    prop_assert_eq!(summary["len"].as_u64(), Some(info.len));
    prop_assert!(verify <= 1 && dump <= 1 && csv <= 1, "{:?}", statuses);
    let held = info.len.min(info.capacity());
    if let Some(lines) = outputs[1].as_deref() {
        prop_assert_eq!(lines.lines().count() as u64, held);
        for line in lines.lines() {
            serde_json::from_str::<serde_json::Value>(line).expect("one JSON object per line");
        }
    }
    if let Some(table) = outputs[2].as_deref() {
        prop_assert_eq!(
            table.lines().count() as u64,
            held + 1,
            "a header row, then the records"
        );
    }
    if verify == 0 {
        prop_assert_eq!((dump, csv), (0, 0), "a consistent file dumps");
        let expected = if info.kind == FileKind::Struct {
            1
        } else {
            info.len
        };
        prop_assert_eq!(
            held,
            expected,
            "a consistent file holds every record it counts"
        );
    }
    Ok(statuses)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn hostile_files_get_the_specified_status_and_stay_unchanged(seed in any::<u64>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hostile.bin");
        let bytes = hostile_case(seed);
        std::fs::write(&path, &bytes).unwrap();
        check_in_process(&path, &bytes)?;
    }
}

#[test]
fn the_binary_agrees_and_dies_of_no_signal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hostile.bin");
    let mut seen = std::collections::HashSet::new();
    for seed in 0..100u64 {
        let bytes = hostile_case(seed.wrapping_mul(0x2545_f491_4f6c_dd1d));
        std::fs::write(&path, &bytes).unwrap();
        let statuses = check_in_process(&path, &bytes).unwrap();
        for (command, expected) in [
            ("inspect", statuses[0]),
            ("dump", statuses[1]),
            ("verify", statuses[3]),
        ] {
            let output = Command::new(env!("CARGO_BIN_EXE_mapped"))
                .args([command, arg(&path)])
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(i32::from(expected)),
                "{command}: {output:?}"
            );
            assert_eq!(std::fs::read(&path).unwrap(), bytes);
            seen.insert((command, expected));
        }
    }
    // The generator reaches every status, so the agreement above means something.
    for status in [0, 2] {
        assert!(seen.contains(&("verify", status)), "{seen:?}");
    }
    assert!(
        seen.contains(&("verify", 1)) || seen.contains(&("dump", 1)),
        "{seen:?}"
    );
}

#[test]
fn a_huge_count_over_a_sparse_file_dumps_only_what_the_file_holds() {
    let dir = tempfile::tempdir().unwrap();
    let path = records_file(dir.path(), "sparse.bin", vec![5u64]);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[40..48].copy_from_slice(&(u64::MAX / 2).to_ne_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(1 << 33).unwrap();
    drop(file);
    let info = FileInfo::read(&path).unwrap();
    let start = (info.capacity() - 2).to_string();
    let cli = <mapped_cli::Cli as clap::Parser>::try_parse_from([
        "mapped",
        "dump",
        "--start",
        &start,
        arg(&path),
    ])
    .unwrap();
    let mut out = Vec::new();
    let err = mapped_cli::run(&cli, &mut out).unwrap_err();
    assert_eq!(err.exit_code(), 1);
    assert_eq!(
        out, b"{\"value\":0}\n{\"value\":0}\n",
        "the last two records the file holds"
    );
}
