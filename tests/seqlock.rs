//! `Seqlock` in one process, checked against the documented layout in the file: what each write
//! leaves there, readers of a half-written value, and the writer lock's owners — live, zombie,
//! dead in the middle of an `update`, or named by a reused thread id.
//!
//! The layout (docs/file-formats.md): `sequence: u64`, `lock: u64`, then copy 0 and copy 1 of the
//! value, each padded to a multiple of 8 bytes; copy `sequence & 1` is live. The lock word is 0
//! when free, else `start_time << 22 | tid`, with the low 42 bits of the owner's start time.

use std::os::unix::fs::FileExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicU64;
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod common;

use common::checked::Reaped;
use mapped::{FieldKind, FileInfo, Mapped, Seqlock};
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Immutable, Debug, PartialEq, Clone, Copy)]
#[repr(C)]
struct Book {
    bid: u64,
    ask: u64,
    bid_size: u32,
    ask_size: u32,
}

/// Headerless, so the seqlocks sit at known offsets: `book` at 0 (64 bytes), `small` at 64 (32),
/// `byte` at 96 (32).
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Plain {
    book: Seqlock<Book>,
    small: Seqlock<u32>,
    byte: Seqlock<u8>,
}

/// The struct, with a header.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(magic = b"QUOTES\0\0", version = 1)]
struct Quotes {
    book: Seqlock<Book>,
    updates: AtomicU64,
}

const BOOK: u64 = 0;
const SMALL: u64 = 64;
const BYTE: u64 = 96;
/// Copy 1 of `book`: after the two words and copy 0 (24 bytes).
const BOOK_COPY1: u64 = 16 + 24;

fn book(n: u64) -> Book {
    Book {
        bid: n,
        ask: n + 1,
        bid_size: n as u32 * 3,
        ask_size: n as u32 * 5,
    }
}

fn file_bytes(path: &Path, offset: u64, len: usize) -> Vec<u8> {
    let mut bytes = vec![0; len];
    std::fs::File::open(path)
        .unwrap()
        .read_exact_at(&mut bytes, offset)
        .unwrap();
    bytes
}

fn file_word(path: &Path, offset: u64) -> u64 {
    u64::from_ne_bytes(file_bytes(path, offset, 8).try_into().unwrap())
}

fn set_file_bytes(path: &Path, offset: u64, bytes: &[u8]) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .write_all_at(bytes, offset)
        .unwrap();
}

/// (start time, state) of process `pid`, from `/proc/<pid>/stat`.
fn proc_stat(pid: u32) -> (u64, char) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    (
        fields[19].parse().unwrap(),
        fields[0].chars().next().unwrap(),
    )
}

/// The lock word naming thread `tid`, started at `start`.
fn lock_word(tid: u32, start: u64) -> u64 {
    ((start & ((1 << 42) - 1)) << 22) | u64::from(tid)
}

fn wait_for_zombie(pid: u32) {
    let start = Instant::now();
    while proc_stat(pid).1 != 'Z' {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{pid} never died"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Writes `value` into `book` from another thread, through a handle of its own; the receiver
/// hears when it is done.
fn write_in_thread(path: &Path, value: Book) -> (mpsc::Receiver<()>, std::thread::JoinHandle<()>) {
    let (done, finished) = mpsc::channel();
    let handle = Plain::open(path).unwrap();
    let thread = std::thread::spawn(move || {
        handle.book().write(&value);
        done.send(()).unwrap();
    });
    (finished, thread)
}

#[test]
fn each_write_fills_the_spare_copy_publishes_it_then_fills_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.bin");
    let plain = Plain::create_new(&path).unwrap();
    assert_eq!(
        plain.book().read(),
        Book::new_zeroed(),
        "a new file reads as zeros"
    );

    plain.book().write(&book(1));
    assert_eq!(file_word(&path, BOOK), 1, "the sequence moved once");
    assert_eq!(file_word(&path, BOOK + 8), 0, "the lock is free again");
    assert_eq!(file_bytes(&path, 16, 24), book(1).as_bytes(), "copy 0");
    assert_eq!(
        file_bytes(&path, BOOK_COPY1, 24),
        book(1).as_bytes(),
        "copy 1"
    );

    plain.set_book(book(2)); // the setter is a `write`
    plain.book_mut().update(|b| b.bid += 100);
    let expected = Book {
        bid: 102,
        ..book(2)
    };
    assert_eq!(file_word(&path, BOOK), 3);
    assert_eq!(plain.book().read(), expected);
    assert_eq!(file_bytes(&path, 16, 24), expected.as_bytes());
    assert_eq!(file_bytes(&path, BOOK_COPY1, 24), expected.as_bytes());

    let reader = Plain::open_read_only(&path).unwrap();
    assert_eq!(reader.book().read(), expected);
    assert_eq!(reader.book().read(), plain.book().read());
}

#[test]
fn values_shorter_than_a_word_are_copied_through_words_with_zero_tails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.bin");
    let plain = Plain::create_new(&path).unwrap();
    // Garbage in the tails first: each write makes them zero again.
    set_file_bytes(&path, SMALL + 16, &[0xee; 16]);
    set_file_bytes(&path, BYTE + 16, &[0xee; 16]);
    plain.small().write(&0xdead_beef);
    plain.byte().update(|b| *b = b.wrapping_add(0x12)); // from 0xee
    assert_eq!(plain.small().read(), 0xdead_beef);
    assert_eq!(plain.byte().read(), 0x00);
    let mut small = 0xdead_beef_u32.to_ne_bytes().to_vec();
    small.extend([0; 4]);
    assert_eq!(
        file_bytes(&path, SMALL + 16, 8),
        small,
        "copy 0 and its pad"
    );
    assert_eq!(
        file_bytes(&path, SMALL + 24, 8),
        small,
        "copy 1 and its pad"
    );
    assert_eq!(file_bytes(&path, BYTE + 16, 16), [0; 16]);
    // Readers ignore the tail bytes.
    set_file_bytes(&path, SMALL + 20, &[0xff; 4]);
    set_file_bytes(&path, SMALL + 28, &[0xff; 4]);
    assert_eq!(plain.small().read(), 0xdead_beef);
}

#[test]
fn a_writer_that_died_half_way_leaves_readers_the_live_copy_and_the_next_writer_its_lock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.bin");
    let plain = Plain::create_new(&path).unwrap();
    plain.book().write(&book(7)); // sequence 1: copy 1 live
                                  // A writer dies half-way through copy 0 (the spare), holding the lock under an id since
                                  // reused: this process's, with another start time.
    let (start, _) = proc_stat(std::process::id());
    set_file_bytes(&path, 16, &[0xab; 12]);
    set_file_bytes(
        &path,
        BOOK + 8,
        &lock_word(std::process::id(), start + 1).to_ne_bytes(),
    );
    assert_eq!(plain.book().read(), book(7), "the live copy is whole");
    let (finished, thread) = write_in_thread(&path, book(8));
    finished
        .recv_timeout(Duration::from_secs(30))
        .expect("the lock of a thread id since reused is taken over");
    thread.join().unwrap();
    assert_eq!(plain.book().read(), book(8));
    assert_eq!(file_word(&path, BOOK), 2);
    assert_eq!(file_word(&path, BOOK + 8), 0);

    // Dead after publishing, half-way through the other copy: the sequence says copy 0.
    set_file_bytes(&path, BOOK_COPY1, &[0xcd; 20]);
    set_file_bytes(&path, BOOK + 8, &lock_word(u32::MAX >> 10, 1).to_ne_bytes()); // no such id
    assert_eq!(plain.book().read(), book(8));
    plain.book().update(|b| b.ask = 9);
    let expected = Book { ask: 9, ..book(8) };
    assert_eq!(plain.book().read(), expected);
    assert_eq!(file_bytes(&path, BOOK_COPY1, 24), expected.as_bytes());
}

#[test]
fn a_corrupt_lock_word_naming_a_live_process_without_its_start_time_does_not_block_writers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.bin");
    let plain = Plain::create_new(&path).unwrap();
    // This very process, alive, but with no start time: no live thread has that name.
    set_file_bytes(
        &path,
        BOOK + 8,
        &lock_word(std::process::id(), 0).to_ne_bytes(),
    );
    let (finished, thread) = write_in_thread(&path, book(6));
    finished
        .recv_timeout(Duration::from_secs(30))
        .expect("the corrupt word is taken over");
    thread.join().unwrap();
    assert_eq!(plain.book().read(), book(6));
}

#[test]
fn a_live_owner_is_waited_for_and_taken_over_once_it_is_a_zombie() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.bin");
    let plain = Plain::create_new(&path).unwrap();
    let child = Command::new("sleep")
        .arg("60")
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn sleep");
    let pid = child.id();
    let mut child = Reaped(Some(child));
    let (start, _) = proc_stat(pid);
    set_file_bytes(&path, BOOK + 8, &lock_word(pid, start).to_ne_bytes());

    let (finished, thread) = write_in_thread(&path, book(3));
    assert_eq!(
        finished.recv_timeout(Duration::from_millis(300)),
        Err(mpsc::RecvTimeoutError::Timeout),
        "a live owner's lock is not taken"
    );
    assert_eq!(
        plain.book().read(),
        Book::new_zeroed(),
        "readers do not wait"
    );

    // Killed, and not reaped: a zombie holds the lock, and runs no more code.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    wait_for_zombie(pid);
    finished
        .recv_timeout(Duration::from_secs(30))
        .expect("a zombie's lock is taken over");
    assert_eq!(proc_stat(pid).1, 'Z', "still not reaped");
    thread.join().unwrap();
    assert_eq!(plain.book().read(), book(3));
    drop(child.0.take().unwrap().wait());
}

#[test]
fn a_process_killed_inside_update_leaves_the_lock_and_writes_nothing() {
    const ROLE: &str = "MAPPED_SEQLOCK_UPDATE_THEN_DIE";
    if let Some(path) = std::env::var_os(ROLE) {
        let plain = Plain::open(path).unwrap();
        plain.book().update(|b| {
            b.bid = 999;
            nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL).unwrap();
        });
        unreachable!("killed");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.bin");
    let plain = Plain::create_new(&path).unwrap();
    plain.book().write(&book(5));
    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_process_killed_inside_update_leaves_the_lock_and_writes_nothing",
            "--test-threads=1",
        ])
        .env(ROLE, &path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut child = Reaped(Some(child));
    wait_for_zombie(pid);
    let owner = file_word(&path, BOOK + 8);
    // The harness ran the test on a thread of its own: the lock names that thread, gone now.
    let tid = (owner & ((1 << 22) - 1)) as u32;
    assert_ne!(owner, 0, "the child died holding the lock");
    // The leader is a zombie once the last thread has exited, but that thread's entry in /proc
    // may outlive it by a moment (under valgrind, long enough to see): a writer waits it out.
    let gone = || tid == pid || !Path::new(&format!("/proc/{tid}")).exists();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !gone() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    assert!(
        gone(),
        "the lock names thread {tid}, alive, not one of the dead child {pid}"
    );
    assert_eq!(plain.book().read(), book(5), "the update wrote nothing");
    plain.book().update(|b| b.ask = 1);
    assert_eq!(plain.book().read(), Book { ask: 1, ..book(5) });
    drop(child.0.take().unwrap().wait());
}

#[test]
fn an_update_that_panics_releases_the_lock_and_writes_nothing() {
    let plain = Plain::anonymous().unwrap();
    plain.book().write(&book(1));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        plain.book().update(|b| {
            b.bid = 50;
            panic!("in the closure");
        })
    }));
    assert!(result.is_err());
    assert_eq!(plain.book().read(), book(1));
    plain.book().write(&book(2));
    assert_eq!(plain.book().read(), book(2));
}

#[test]
fn an_update_that_writes_its_own_seqlock_panics_instead_of_waiting_forever() {
    let plain = Plain::anonymous().unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        plain.book().update(|_| plain.book().write(&book(1)))
    }));
    let payload = result.unwrap_err();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap();
    assert!(message.contains("already holds"), "{message}");
    plain.book().write(&book(2)); // the lock was released by the unwinding
    assert_eq!(plain.book().read(), book(2));
}

#[test]
fn a_forked_child_writes_under_its_own_name() {
    use nix::sys::wait::{waitpid, WaitStatus};
    use nix::unistd::{fork, ForkResult};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.bin");
    let plain = Plain::create_new(&path).unwrap();
    plain.book().write(&book(1)); // caches this thread's name
                                  // This thread holds the lock, as the file says. A child that took its parent's cached name for
                                  // its own would find itself the owner, and panic; under its own name, it waits for the parent.
    let tid = nix::unistd::gettid().as_raw() as u32;
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    let start: u64 = stat[stat.rfind(')').unwrap() + 2..]
        .split(' ')
        .nth(19)
        .unwrap()
        .parse()
        .unwrap();
    set_file_bytes(&path, BOOK + 8, &lock_word(tid, start).to_ne_bytes());
    // SAFETY: the child of this multi-threaded test binary takes no lock another thread could
    // hold: it writes the shared mapping, reads /proc (`open`, `read`, `close`, and an allocation
    // for the path, which glibc's fork handlers keep usable in the child), then `_exit`s.
    match unsafe { fork() }.unwrap() {
        ForkResult::Child => {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                plain.book().update(|b| b.bid += 1)
            }));
            // SAFETY: `_exit` ends the child without running the parent's atexit handlers or
            // unwinding into the test harness.
            unsafe { nix::libc::_exit(i32::from(result.is_err())) };
        }
        ForkResult::Parent { child } => {
            std::thread::sleep(Duration::from_millis(100));
            assert_eq!(plain.book().read(), book(1), "the child waits for the lock");
            set_file_bytes(&path, BOOK + 8, &[0; 8]);
            assert_eq!(waitpid(child, None).unwrap(), WaitStatus::Exited(child, 0));
        }
    }
    assert_eq!(plain.book().read(), Book { bid: 2, ..book(1) });
}

#[test]
fn tools_see_a_seqlock_as_the_struct_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quotes.bin");
    let quotes = Quotes::create_new(&path).unwrap();
    quotes.book().write(&book(4));
    let info = FileInfo::read(&path).unwrap();
    let book_field = &info.fields[0];
    let FieldKind::Struct(seqlock) = &book_field.kind else {
        panic!("{book_field:?}");
    };
    assert_eq!(seqlock.name, "Seqlock_Book");
    let names: Vec<&str> = seqlock.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["sequence", "lock", "copy0", "copy1"]);
    let header = mapped::c_header::<Quotes>();
    assert!(header.contains(
        "struct Seqlock_Book {\n    _Atomic uint64_t sequence;\n    _Atomic uint64_t lock;\n    \
         struct Book copy0;\n    struct Book copy1;\n};"
    ));
    assert!(mapped::c_header::<Plain>().contains("uint32_t copy0;\n    uint8_t pad0[4];"));
}
