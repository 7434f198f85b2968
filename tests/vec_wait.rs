//! `MappedVec::wait_len`: readers that sleep until the writer publishes records.
//!
//! A writer in another process pushing 50,000 records in bursts, followed by a reader that only
//! ever waits with `wait_len`; the timeout with no writer; a reader killed while waiting costing
//! the writer exactly one wake; a push with no waiting reader making no system call (a seccomp
//! filter that kills the process on any call); the polling fallback where the reader may not
//! write the file (a read-only bind mount, and `chmod 0444`).
//!
//! Children are this test binary run again with `--exact <test>` and a role in the environment;
//! every child is reaped and every wait is bounded.

mod common;

use std::os::unix::fs::{FileExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mapped::{Mapped, MappedVec, ReadOnly};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

const ROLE: &str = "MAPPED_WAIT_TEST_ROLE";
const FILE: &str = "MAPPED_WAIT_TEST_FILE";

/// Every wait on another process or thread gives up after this long (a bound, not a timing
/// assertion).
const PATIENCE: Duration = Duration::from_secs(30);

/// A 64-byte record that can tell whether it is whole.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Debug)]
#[repr(C)]
struct Entry {
    seq: u64,
    payload: [u64; 6],
    check: u64,
}

fn entry(seq: u64) -> Entry {
    let payload = std::array::from_fn(|k| (seq ^ k as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let check = payload.iter().fold(seq, |acc, w| acc.rotate_left(7) ^ w);
    Entry {
        seq,
        payload,
        check,
    }
}

fn is_whole(e: &Entry, index: usize) -> bool {
    let expected = entry(index as u64);
    e.seq == expected.seq && e.payload == expected.payload && e.check == expected.check
}

fn role() -> Option<(String, PathBuf)> {
    let role = std::env::var(ROLE).ok()?;
    let file = std::env::var_os(FILE)?;
    Some((role, PathBuf::from(file)))
}

fn spawn(test: &str, role: &str, path: &Path) -> Child {
    Command::new(std::env::current_exe().expect("current exe"))
        .args(["--exact", test, "--test-threads=1", "--nocapture"])
        .env(ROLE, role)
        .env(FILE, path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn child")
}

/// Polls `attempt` until it gives a value, for at most `PATIENCE`.
fn eventually<T>(what: &str, mut attempt: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = attempt() {
            return value;
        }
        assert!(start.elapsed() < PATIENCE, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The waiter word (header bytes 60..64), read from the file.
fn waiter_word(path: &Path) -> u32 {
    let mut word = [0; 4];
    std::fs::File::open(path)
        .expect("open")
        .read_exact_at(&mut word, 60)
        .expect("read the waiter word");
    u32::from_le_bytes(word)
}

/// Waits until a reader has set the waiting bit of `path`'s waiter word.
fn until_a_reader_waits(path: &Path) {
    eventually("a reader to wait", || {
        (waiter_word(path) & 1 == 1).then_some(())
    });
}

// ---- A writer in another process, a reader that only waits ----

const RECORDS: u64 = 50_000;

/// Child: pushes `RECORDS` records in bursts of 1 to ~600, alternating `push` and `extend`, with
/// pauses of up to 2 ms between bursts.
fn write_in_bursts(path: &Path) -> i32 {
    let mut log = MappedVec::<Entry>::open_or_create(path).expect("open writer");
    let mut random = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        random
    };
    let mut seq = 0;
    let mut burst = 0;
    while seq < RECORDS {
        let len = (1 + next() % 600).min(RECORDS - seq);
        if burst % 2 == 0 {
            for s in seq..seq + len {
                log.push(entry(s)).expect("push");
            }
        } else {
            log.extend((seq..seq + len).map(entry)).expect("extend");
        }
        seq += len;
        burst += 1;
        std::thread::sleep(Duration::from_micros(next() % 2000));
    }
    0
}

#[test]
fn a_reader_waiting_in_another_process_sees_every_record_in_order_whole() {
    const TEST: &str = "a_reader_waiting_in_another_process_sees_every_record_in_order_whole";
    if let Some((_, path)) = role() {
        std::process::exit(write_in_bursts(&path));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bursts.bin");
    let mut child = spawn(TEST, "writer", &path);
    let mut reader = eventually("the child to create the file", || {
        MappedVec::<Entry>::open_read_only(&path).ok()
    });
    let start = Instant::now();
    let mut seen = 0;
    let mut waits = 0;
    while seen < RECORDS as usize {
        assert!(start.elapsed() < PATIENCE, "saw {seen} records");
        let len = reader
            .wait_len(seen + 1, Duration::from_secs(1))
            .expect("wait_len");
        waits += 1;
        assert!(len >= seen, "the length went back from {seen} to {len}");
        for index in seen..len {
            let e = reader.load(index);
            assert!(is_whole(&e, index), "record {index} is not whole: {e:?}");
        }
        let progressed = len > seen;
        seen = len;
        if !progressed {
            if let Some(status) = child.try_wait().expect("try_wait") {
                assert!(
                    status.success(),
                    "the writer ended with {status:?} after {len}"
                );
            }
        }
    }
    let status = child.wait().expect("wait for the writer");
    assert!(status.success(), "writer: {status:?}");
    assert_eq!(seen, RECORDS as usize);
    assert_eq!(reader.wait_strategy(), "futex");
    assert!(waits > 1, "the reader never had to wait");
}

// ---- No writer: the timeout ----

#[test]
fn wait_len_with_no_writer_returns_at_its_timeout_with_the_current_length() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("idle.bin");
    let mut writer = MappedVec::<u64>::open_or_create(&path).unwrap();
    writer.extend([1, 2, 3]).unwrap();
    let mut reader = MappedVec::<u64>::open_read_only(&path).unwrap();

    // Enough records already: no sleep, and nothing set up for one.
    assert_eq!(reader.wait_len(3, Duration::from_secs(60)).unwrap(), 3);
    assert_eq!(reader.wait_strategy(), "unopened");

    // A writer that is alive but idle, then none at all.
    let timeout = Duration::from_millis(100);
    let times_out = |reader: &mut MappedVec<u64, ReadOnly>| {
        let start = Instant::now();
        assert_eq!(reader.wait_len(4, timeout).unwrap(), 3);
        let waited = start.elapsed();
        assert!(
            waited >= timeout,
            "returned after {waited:?}, before the timeout"
        );
        assert!(
            waited < PATIENCE,
            "hung for {waited:?} past a {timeout:?} timeout"
        );
    };
    times_out(&mut reader);
    drop(writer);
    times_out(&mut reader);
    assert_eq!(reader.wait_strategy(), "futex");
    // A zero timeout only refreshes.
    assert_eq!(reader.wait_len(10, Duration::ZERO).unwrap(), 3);
}

#[test]
fn a_push_wakes_a_reader_sleeping_in_wait_len() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wake.bin");
    let mut writer = MappedVec::<u64>::open_or_create(&path).unwrap();
    let mut reader = MappedVec::<u64>::open_read_only(&path).unwrap();
    let pusher = {
        let path = path.clone();
        std::thread::spawn(move || {
            until_a_reader_waits(&path);
            writer.push(7).unwrap();
            writer
        })
    };
    assert_eq!(reader.wait_len(1, PATIENCE).unwrap(), 1);
    assert_eq!(reader.get(0), Some(7));
    let mut writer = pusher.join().unwrap();
    assert_eq!(writer.wake_count(), 1);
    assert_eq!(waiter_word(&path), 2, "epoch 1, nobody waiting");
    writer.push(8).unwrap();
    assert_eq!(writer.wake_count(), 1, "nobody waits any more");
}

#[test]
fn a_file_truncated_under_a_waiting_reader_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.bin");
    let mut writer = MappedVec::<u64>::open_or_create(&path).unwrap();
    writer.extend(0..1000).unwrap();
    let mut reader = MappedVec::<u64>::open_read_only(&path).unwrap();
    let data_offset = std::fs::metadata(&path).unwrap().len() - 8 * writer.capacity() as u64;
    let cutter = {
        let path = path.clone();
        std::thread::spawn(move || {
            until_a_reader_waits(&path);
            // Another process's doing in real life: the writer's lock is advisory. Nobody
            // publishes, so nothing wakes the reader: it finds the cut at its timeout.
            let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
            file.set_len(data_offset + 8 * 10).unwrap();
        })
    };
    let err = reader
        .wait_len(2000, Duration::from_millis(500))
        .unwrap_err();
    assert!(matches!(err, mapped::Error::Truncated { .. }), "{err}");
    assert_eq!(reader.len(), 10);
    cutter.join().unwrap();
    drop(writer);
}

// ---- A reader killed while waiting ----

#[test]
fn a_reader_killed_while_waiting_costs_the_writer_one_wake() {
    const TEST: &str = "a_reader_killed_while_waiting_costs_the_writer_one_wake";
    if let Some((_, path)) = role() {
        let mut reader = MappedVec::<u64>::open_read_only(&path).expect("open reader");
        let _ = reader.wait_len(1, PATIENCE);
        std::process::exit(0);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("killed.bin");
    let mut writer = MappedVec::<u64>::open_or_create(&path).unwrap();
    let mut child = spawn(TEST, "waiter", &path);
    until_a_reader_waits(&path);
    child.kill().expect("kill the waiting reader");
    let status = child.wait().expect("reap the reader");
    assert_eq!(status.signal(), Some(9), "{status:?}");

    assert_eq!(waiter_word(&path), 1, "the dead reader's bit is still set");
    writer.push(1).unwrap();
    assert_eq!(writer.wake_count(), 1, "the first push wakes (nobody)");
    assert_eq!(waiter_word(&path), 2, "and clears the bit");
    for n in 2..100 {
        writer.push(n).unwrap();
    }
    writer.extend(100..200).unwrap();
    assert_eq!(
        writer.wake_count(),
        1,
        "no push after it makes a system call"
    );
}

// ---- No system call without a waiting reader ----

/// Kills this process on any system call but `exit_group` (seccomp, `SECCOMP_RET_KILL_PROCESS`):
/// whatever runs after this either makes no system call or dies of `SIGSYS`.
fn allow_only_exit_group() {
    use common::seccomp::{install, op};
    use nix::libc::{
        SYS_exit_group, BPF_ABS, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W,
        SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS,
    };
    let mut filter = [
        // `struct seccomp_data`: the system call's number at byte 0.
        op(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0),
        op(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, SYS_exit_group as u32),
        op(BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW),
        op(BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS),
    ];
    if install(&mut filter).is_err() {
        std::process::exit(3);
    }
}

/// Child: opens the writer, makes room, then pushes and extends under the filter.
fn push_under_seccomp(path: &Path) -> ! {
    let mut log = MappedVec::<u64>::open(path).expect("open writer");
    log.reserve(10_000).expect("reserve");
    let batch = [7u64; 100];
    allow_only_exit_group();
    for n in 0..5_000 {
        let _ = log.push(n);
    }
    let _ = log.extend_from_slice(&batch);
    let _ = log.extend(0..100);
    // SAFETY: `_exit` ends the process at once (exit_group), running no destructor and no
    // handler, which is what this child wants: any other system call would kill it.
    unsafe { nix::libc::_exit(0) }
}

#[test]
fn a_push_with_no_waiting_reader_makes_no_system_call() {
    const TEST: &str = "a_push_with_no_waiting_reader_makes_no_system_call";
    if let Some((_, path)) = role() {
        push_under_seccomp(&path);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quiet.bin");
    drop(MappedVec::<u64>::open_or_create(&path).unwrap());
    let status = spawn(TEST, "pusher", &path)
        .wait()
        .expect("reap the pusher");
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert_eq!(MappedVec::<u64>::open(&path).unwrap().len(), 5_200);

    // The control: with the bit of a waiting reader set, the first push makes its one system
    // call, and the filter kills the child for it (so the filter does bite).
    let path = dir.path().join("waited.bin");
    drop(MappedVec::<u64>::open_or_create(&path).unwrap());
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.write_all_at(&1u32.to_le_bytes(), 60).unwrap();
    let status = spawn(TEST, "pusher", &path)
        .wait()
        .expect("reap the pusher");
    assert_eq!(status.signal(), Some(nix::libc::SIGSYS), "{status:?}");
}

// ---- Where the reader may not write the file: polling ----

/// Waits for one record pushed by a thread while `reader` waits, and returns how it waited.
fn wait_for_one_push(
    mut writer: MappedVec<u64>,
    mut reader: MappedVec<u64, ReadOnly>,
) -> (&'static str, MappedVec<u64>) {
    let pusher = std::thread::spawn(move || {
        // Give the reader time to start waiting; it finds the record whether or not it has.
        std::thread::sleep(Duration::from_millis(50));
        writer.push(42).unwrap();
        writer
    });
    assert_eq!(reader.wait_len(1, PATIENCE).unwrap(), 1);
    assert_eq!(reader.get(0), Some(42));
    (reader.wait_strategy(), pusher.join().unwrap())
}

#[test]
fn a_reader_of_a_file_without_write_permission_still_wakes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("0444.bin");
    let writer = MappedVec::<u64>::open_or_create(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let reader = MappedVec::<u64>::open_read_only(&path).unwrap();
    let (strategy, writer) = wait_for_one_push(writer, reader);
    // Root may write any file, so it waits on the futex; anyone else polls.
    let expected = if nix::unistd::geteuid().is_root() {
        "futex"
    } else {
        "polling"
    };
    assert_eq!(strategy, expected);
    if expected == "polling" {
        assert_eq!(waiter_word(&path), 0, "a polling reader writes nothing");
        assert_eq!(writer.wake_count(), 0);
    }
}

/// `dir` mounted again, read-only, somewhere else; unmounted when dropped.
struct ReadOnlyBind {
    _at: tempfile::TempDir,
    mount_point: PathBuf,
}

impl ReadOnlyBind {
    fn of(dir: &Path) -> Option<ReadOnlyBind> {
        use nix::mount::{mount, MsFlags};
        let at = tempfile::tempdir().unwrap();
        let mount_point = at.path().to_path_buf();
        let none: Option<&str> = None;
        // A bind mount ignores the filesystem type; "none" rather than NULL, which valgrind
        // takes for a bad pointer.
        let ignored = Some("none");
        if let Err(errno) = mount(Some(dir), &mount_point, ignored, MsFlags::MS_BIND, none) {
            eprintln!("skipped: cannot bind-mount ({errno}); this case needs root");
            return None;
        }
        let bind = ReadOnlyBind {
            _at: at,
            mount_point,
        };
        let read_only = MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY;
        mount(none, &bind.mount_point, ignored, read_only, none).expect("remount read-only");
        Some(bind)
    }
}

impl Drop for ReadOnlyBind {
    fn drop(&mut self) {
        let _ = nix::mount::umount2(&self.mount_point, nix::mount::MntFlags::MNT_DETACH);
    }
}

#[test]
fn a_reader_on_a_read_only_filesystem_polls_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ro.bin");
    let writer = MappedVec::<u64>::open_or_create(&path).unwrap();
    let Some(bind) = ReadOnlyBind::of(dir.path()) else {
        return;
    };
    let reader = MappedVec::<u64>::open_read_only(bind.mount_point.join("ro.bin")).unwrap();
    let (strategy, writer) = wait_for_one_push(writer, reader);
    assert_eq!(strategy, "polling");
    assert_eq!(waiter_word(&path), 0, "a polling reader writes nothing");
    assert_eq!(writer.wake_count(), 0);
    drop(writer);
    drop(bind);
}

// ---- `tail`: the records as they come ----

#[test]
fn tail_yields_every_record_in_order_then_ends_at_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tail.bin");
    let mut writer = MappedVec::<u64>::open_or_create(&path).unwrap();
    writer.extend(0..10).unwrap();
    let mut reader = MappedVec::<u64>::open_read_only(&path).unwrap();
    let pusher = std::thread::spawn(move || {
        for burst in 1..20u64 {
            writer.extend(burst * 10..burst * 10 + 10).unwrap();
            std::thread::sleep(Duration::from_millis(1));
        }
        writer
    });
    let mut tail = reader.tail(5, Duration::from_millis(300));
    let records: Vec<u64> = tail.by_ref().map(Result::unwrap).collect();
    assert_eq!(records, (5..200).collect::<Vec<_>>());
    assert_eq!(tail.position(), 200);
    assert!(tail.next().is_none(), "fused");
    drop(pusher.join().unwrap());
}

#[test]
fn tail_of_a_file_cut_short_yields_the_error_then_ends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tail-cut.bin");
    let mut writer = MappedVec::<u64>::open_or_create(&path).unwrap();
    writer.extend(0..1000).unwrap();
    let data_offset = std::fs::metadata(&path).unwrap().len() - 8 * writer.capacity() as u64;
    let mut reader = MappedVec::<u64>::open_read_only(&path).unwrap();
    let mut tail = reader.tail(998, Duration::from_millis(200));
    assert_eq!(tail.next().transpose().unwrap(), Some(998));
    assert_eq!(tail.next().transpose().unwrap(), Some(999));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(data_offset + 8 * 10)
        .unwrap();
    let err = tail.next().expect("an error").unwrap_err();
    assert!(matches!(err, mapped::Error::Truncated { .. }), "{err}");
    assert!(tail.next().is_none());
    drop(writer);
}
