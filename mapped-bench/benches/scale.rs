//! `scripts/bench-scale.sh` (or `SCALE_RECORDS=100M cargo bench -p mapped-bench --bench scale`):
//! pushes records into one new `MappedVec` and reports the cost per push at every power-of-ten
//! checkpoint, to show it stays flat as the file grows (100M records = 6.4 GB).
//!
//! Pushes are timed in batches of `BATCH`; for each checkpoint it prints the average over all
//! pushes so far, the average over the last 10% before the checkpoint (pushes 9M..10M for 10M),
//! the slowest batch of that window, and the remaps (file growths) so far.
//!
//! Knobs: `SCALE_RECORDS` (default `1M` so that `cargo bench` stays quick), `BENCH_DIR`.

use std::time::Instant;

use mapped::MappedVec;

#[path = "support/mod.rs"]
mod support;

use support::{env_usize, record, Record, RECORD_SIZE};

const BATCH: usize = 1 << 16;

fn main() {
    let total = env_usize("SCALE_RECORDS", 1 << 20);
    let dir = support::scratch_dir();
    let path = dir.path().join("scale.bin");
    println!(
        "scale: pushing {total} records of {RECORD_SIZE} bytes ({:.1} GB) into {}",
        (total * RECORD_SIZE) as f64 / 1e9,
        path.display()
    );
    let mut checkpoints: Vec<usize> =
        std::iter::successors(Some(1_000_000usize), |c| c.checked_mul(10))
            .take_while(|&c| c <= total)
            .collect();
    if checkpoints.last() != Some(&total) {
        checkpoints.push(total);
    }

    let start = Instant::now();
    let mut vec = MappedVec::<Record>::open_or_create(&path).expect("open_or_create");
    // (records pushed at the end of the batch, nanoseconds the batch took)
    let mut batches: Vec<(usize, f64)> = Vec::with_capacity(total / BATCH + 1);
    let mut pushed = 0;
    let mut rows = Vec::new();
    let mut next = 0;
    while pushed < total {
        let end = (pushed + BATCH).min(total);
        let t = Instant::now();
        for i in pushed..end {
            vec.push(record(i as u64)).expect("push");
        }
        batches.push((end, t.elapsed().as_nanos() as f64));
        pushed = end;
        if pushed >= checkpoints[next] {
            let checkpoint = checkpoints[next];
            let elapsed = start.elapsed().as_nanos() as f64;
            let window_start = checkpoint - checkpoint / 10;
            let window: Vec<(usize, f64)> = batches
                .iter()
                .copied()
                .filter(|&(e, _)| e > window_start && e <= checkpoint)
                .collect();
            let window_ns: f64 = window.iter().map(|&(_, ns)| ns).sum();
            let window_pushes = checkpoint - window_start;
            let slowest = window
                .iter()
                .enumerate()
                .map(|(k, &(e, ns))| {
                    let begin = if k == 0 {
                        window_start
                    } else {
                        window[k - 1].0
                    };
                    ns / (e - begin).max(1) as f64
                })
                .fold(0.0, f64::max);
            rows.push((
                checkpoint,
                elapsed / checkpoint as f64,
                window_ns / window_pushes as f64,
                slowest,
                vec.remap_count(),
            ));
            next += 1;
        }
    }
    let (_, took) = support::time(|| vec.flush().expect("flush"));
    assert_eq!(vec.len(), total);
    assert_eq!(vec.load(total - 1), record(total as u64 - 1));
    drop(vec);

    println!();
    println!(
        "| records pushed | ns/push, all so far | ns/push, last 10% | slowest batch of {BATCH}, ns/push | remaps |"
    );
    println!("|---:|---:|---:|---:|---:|");
    for (checkpoint, all, window, slowest, remaps) in rows {
        println!("| {checkpoint} | {all:.1} | {window:.1} | {slowest:.1} | {remaps} |");
    }
    println!(
        "\nthen flush (msync + fdatasync of {:.1} GB): {took:.2?}",
        (total * RECORD_SIZE) as f64 / 1e9
    );
}
