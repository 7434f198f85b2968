//! Runs each example as a child process, so an example never rots.
//!
//! The examples are built once, by `cargo build --examples` from the first test that needs one:
//! `cargo test` builds them anyway (so that call finds nothing to do), but `cargo test --test
//! examples` does not, and would otherwise run stale binaries. They sit in
//! `target/<profile>/examples`, next to the `deps` directory this test binary runs from.
//!
//! The examples that fork do it in their own single-threaded process, never in this multi-threaded
//! test binary, and reap their children before they exit.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// `target/<profile>`, with the examples built.
fn profile_dir() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let test_exe = std::env::current_exe().expect("current exe");
        let profile_dir = test_exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("test binary lives in target/<profile>/deps")
            .to_path_buf();
        let target_dir = profile_dir.parent().expect("target/<profile> has a parent");
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .args(["build", "--quiet", "--examples", "--manifest-path"])
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .arg("--target-dir")
            .arg(target_dir);
        match profile_dir.file_name().and_then(OsStr::to_str) {
            Some("debug") => {}
            Some("release") => {
                cargo.arg("--release");
            }
            Some(profile) => {
                cargo.args(["--profile", profile]);
            }
            None => panic!("no profile directory in {}", profile_dir.display()),
        }
        let status = cargo.status().expect("run cargo build --examples");
        assert!(status.success(), "cargo build --examples failed: {status}");
        profile_dir
    })
}

fn example(name: &str) -> PathBuf {
    let path = profile_dir().join("examples").join(name);
    assert!(path.exists(), "{} is missing", path.display());
    path
}

/// Runs an example to completion, whatever its exit status.
fn run_output(name: &str, args: &[&OsStr]) -> Output {
    Command::new(example(name))
        .args(args)
        .output()
        .expect("spawn example")
}

/// Runs an example that must succeed, and returns its standard output.
fn run(name: &str, args: &[&OsStr]) -> String {
    let Output {
        status,
        stdout,
        stderr,
    } = run_output(name, args);
    let stdout = String::from_utf8(stdout).expect("utf-8 output");
    assert!(
        status.success(),
        "{name} failed with {status}\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&stderr)
    );
    stdout
}

/// Runs an example that must succeed, and returns its standard output as bytes and its standard
/// error as text: for output that need not be UTF-8.
fn run_bytes(name: &str, args: &[&OsStr]) -> (Vec<u8>, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = run_output(name, args);
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    assert!(
        status.success(),
        "{name} failed with {status}\nstdout:\n{}\nstderr:\n{stderr}",
        String::from_utf8_lossy(&stdout)
    );
    (stdout, stderr)
}

#[test]
fn quickstart_creates_updates_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stats.bin");

    let first = run("quickstart", &[path.as_os_str()]);
    assert!(first.starts_with("created "), "{first}");
    assert!(first.contains("(32 bytes)"), "{first}");
    assert!(
        first.contains("hits=1 misses=2 ratio=0.333 name=\"quickstart\""),
        "{first}"
    );

    let second = run("quickstart", &[path.as_os_str()]);
    assert!(second.starts_with("opened "), "{second}");
    assert!(second.contains("hits=2 misses=4"), "{second}");

    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.len(), 32);
    assert_eq!(&bytes[..8], &2u64.to_ne_bytes());
    assert_eq!(&bytes[8..12], &4u32.to_ne_bytes());
    assert_eq!(&bytes[16..26], b"quickstart");
}

#[test]
fn quickstart_without_a_path_uses_a_temp_file() {
    let out = run("quickstart", &[]);
    assert!(out.starts_with("created "), "{out}");
    assert!(out.contains("hits=1"), "{out}");
}

/// Every example also runs without arguments, on a file in its own temp directory.
#[test]
fn every_example_runs_without_a_path() {
    for name in [
        "fork_shared",
        "ints",
        "msync",
        "mprotect",
        "anonymous",
        "cat",
        "increment",
        "tail",
        "quotes",
        "evolve",
    ] {
        run(name, &[]);
    }
}

#[test]
fn quotes_readers_see_only_whole_quotes_while_the_writer_updates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quotes.bin");

    let out = run("quotes", &[path.as_os_str()]);
    // The children print in whatever order they finish; the parent last.
    let mut lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.pop(),
        Some("parent: 20000 updates; the quote is bid 20000 ask 20001")
    );
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            "reader 1: 0 broken snapshots, the last was bid 20000",
            "reader 2: 0 broken snapshots, the last was bid 20000",
            "writer: 20000 updates",
        ]
    );
    assert!(
        mapped::FileInfo::read(&path).is_ok(),
        "a self-describing file"
    );
}

#[test]
fn fork_shared_parent_and_child_see_each_others_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("greeting.txt");

    let out = run("fork_shared", &[path.as_os_str()]);
    assert_eq!(
        out,
        "parent: wrote HELLO through a MAP_SHARED mapping\n\
         child: reads \"HELLO, world\"\n\
         child: wrote WORLD\n\
         parent: reads \"HELLO, WORLD\"\n\
         file: \"HELLO, WORLD\"\n"
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"HELLO, WORLD");
}

#[test]
fn fork_shared_private_keeps_the_parents_write_from_the_child_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("greeting.txt");

    let out = run("fork_shared", &[OsStr::new("--private"), path.as_os_str()]);
    assert_eq!(
        out,
        "parent: wrote HELLO through a MAP_PRIVATE mapping\n\
         child: reads \"hello, world\"\n\
         child: wrote WORLD\n\
         parent: reads \"HELLO, world\"\n\
         file: \"hello, WORLD\"\n"
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"hello, WORLD");
}

#[test]
fn ints_sizes_the_file_and_the_child_reads_the_fourth() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ints.bin");

    let out = run("ints", &[path.as_os_str()]);
    assert_eq!(
        out,
        format!(
            "created {} (20 bytes)\n\
             parent: wrote [0, 1, 2, 3, 4]\n\
             child: values[3] = Some(3)\n\
             child: values[5] = None\n\
             parent: child exited with 0\n",
            path.display()
        )
    );
    let expected: Vec<u8> = (0..5i32).flat_map(i32::to_ne_bytes).collect();
    assert_eq!(std::fs::read(&path).unwrap(), expected);
}

#[test]
fn ints_never_clobbers_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ints.bin");
    std::fs::write(&path, b"precious").unwrap();

    let output = run_output("ints", &[path.as_os_str()]);
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("AlreadyExists"), "{stderr}");
    assert_eq!(std::fs::read(&path).unwrap(), b"precious");
}

#[test]
fn msync_another_process_reads_each_flushed_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("line.txt");

    let out = run("msync", &[path.as_os_str()]);
    assert_eq!(
        out,
        "after flush(): cat reads \"Hello world\\n\"\n\
         after flush_async(): cat reads \"Hello World\\n\"\n"
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"Hello World\n");
}

#[test]
fn mprotect_round_trip_keeps_the_write_made_while_writable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.bin");

    let out = run("mprotect", &[path.as_os_str()]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "read-only: limit=100",
            "writable: limit=200",
            "no access: sealed",
            "read-only again: version=1 limit=200",
            "opened read-only: limit=200",
        ]
    );

    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes[..4], 1u32.to_ne_bytes());
    assert_eq!(bytes[4..], 200u32.to_ne_bytes());
}

#[test]
fn anonymous_children_share_memory_and_an_exact_atomic_total() {
    let out = run("anonymous", &[]);
    assert_eq!(
        out,
        "child: wrote the message\n\
         parent: read \"hello via mmap!\"\n\
         parent: 4 children x 100000 increments, counter = 400000\n"
    );
}

#[test]
fn cat_prints_every_byte_of_the_file_unchanged_including_invalid_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.bin");
    // A zero byte (where `printf("%s")` would stop), bytes that are not UTF-8, no final newline.
    let contents = b"caf\xc3\xa9 \x00 \xff\xfe \xc3( \x80\nend";
    std::fs::write(&path, contents).unwrap();

    let (stdout, stderr) = run_bytes("cat", &[path.as_os_str()]);
    assert_eq!(stdout, contents);
    assert_eq!(
        stderr,
        format!(
            "cat: {}: {} bytes mapped read-only\n",
            path.display(),
            contents.len()
        )
    );
    assert_eq!(std::fs::read(&path).unwrap(), contents, "cat never writes");
}

#[test]
fn cat_prints_a_file_longer_than_its_copy_buffer_and_not_a_whole_number_of_pages() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    // Every byte value, more than twice the example's 64 KiB chunk, ending mid-page.
    let contents: Vec<u8> = (0..150_001u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(&path, &contents).unwrap();

    let (stdout, _) = run_bytes("cat", &[path.as_os_str()]);
    assert!(stdout == contents, "stdout differs from the file");
}

/// An empty file is a `MappedSlice` of length 0 with nothing mapped (`mmap` refuses length 0):
/// `cat` writes nothing and succeeds.
#[test]
fn cat_of_an_empty_file_prints_nothing_and_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.txt");
    std::fs::write(&path, b"").unwrap();

    let (stdout, stderr) = run_bytes("cat", &[path.as_os_str()]);
    assert!(stdout.is_empty(), "{stdout:?}");
    assert_eq!(
        stderr,
        format!("cat: {}: empty, nothing mapped\n", path.display())
    );
}

#[test]
fn cat_of_a_missing_file_or_a_directory_is_an_error_exit_not_a_signal() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.txt");

    for (path, message) in [
        (missing.as_path(), "No such file or directory"),
        (dir.path(), "is not a regular file"),
    ] {
        let output = run_output("cat", &[path.as_os_str()]);
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        assert!(output.stdout.is_empty(), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.starts_with("cat: "), "{stderr}");
        assert!(stderr.contains(message), "{stderr}");
    }
    assert!(!missing.exists());
}

#[test]
fn cat_without_a_path_prints_its_sample_file() {
    let (stdout, stderr) = run_bytes("cat", &[]);
    assert_eq!(stdout, b"hello from a mapped file\n");
    assert!(
        stderr.ends_with(": 25 bytes mapped read-only\n"),
        "{stderr}"
    );
}

/// The first five bytes go up by one in the file itself; the rest are untouched; one past the end,
/// `get` is `None` and `set` an `Err` the example prints, and it exits normally.
#[test]
fn increment_adds_one_to_the_first_five_bytes_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("greeting.txt");
    std::fs::write(&path, b"hello, world\n").unwrap();

    let out = run("increment", &[path.as_os_str()]);
    assert_eq!(
        out,
        format!(
            "mapped {} (13 bytes) read-write, MAP_SHARED\n\
             before: \"hello, world\\n\"\n\
             after:  \"ifmmp, world\\n\"\n\
             get(13) = None\n\
             set(13, b'!') = Err(IndexOutOfBounds {{ index: 13, len: 13 }})\n",
            path.display()
        )
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"ifmmp, world\n");
}

#[test]
fn increment_wraps_like_unsigned_char_and_never_touches_past_the_fifth_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("binary.bin");
    // Longer than the C version's 10 bytes and than a page; not UTF-8.
    let mut contents: Vec<u8> = vec![0xff, 0x00, 0x7f, 0xfe, b'a'];
    contents.extend((0..5000u32).map(|i| (i % 256) as u8));
    std::fs::write(&path, &contents).unwrap();

    let out = run("increment", &[path.as_os_str()]);
    assert!(
        out.contains("after:  \"\\x00\\x01\\x80\\xffb\\x00\\x01"),
        "{out}"
    );
    assert!(
        out.contains("set(5005, b'!') = Err(IndexOutOfBounds"),
        "{out}"
    );

    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes[..5], [0x00, 0x01, 0x80, 0xff, b'b']);
    assert!(bytes[5..] == contents[5..], "bytes past the fifth changed");
}

#[test]
fn increment_of_exactly_five_bytes_changes_them_all_and_rejects_index_five() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("five.txt");
    std::fs::write(&path, b"abcde").unwrap();

    let out = run("increment", &[path.as_os_str()]);
    assert!(out.contains("after:  \"bcdef\"\n"), "{out}");
    assert!(
        out.ends_with(
            "get(5) = None\n\
             set(5, b'!') = Err(IndexOutOfBounds { index: 5, len: 5 })\n"
        ),
        "{out}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"bcdef");
}

/// Shorter than five bytes, empty included (where C's `p[0]++` raises `SIGBUS`): an error exit
/// naming the length, and the file exactly as it was, not partly incremented.
#[test]
fn increment_refuses_a_file_shorter_than_five_bytes_and_leaves_it_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    for contents in [&b""[..], b"a", b"abcd"] {
        let path = dir.path().join(format!("short-{}.txt", contents.len()));
        std::fs::write(&path, contents).unwrap();

        let output = run_output("increment", &[path.as_os_str()]);
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(!stdout.contains("after:"), "{stdout}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            stderr,
            format!(
                "increment: {} holds {} bytes, fewer than the 5 to increment; nothing was changed\n",
                path.display(),
                contents.len()
            )
        );
        assert_eq!(std::fs::read(&path).unwrap(), contents);
    }
}

#[test]
fn increment_without_a_path_changes_its_sample_file() {
    let out = run("increment", &[]);
    assert!(out.contains("before: \"hello, world\\n\"\n"), "{out}");
    assert!(out.contains("after:  \"ifmmp, world\\n\"\n"), "{out}");
}

#[test]
fn tail_follows_a_writer_in_another_process_with_wait_len() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ticks.bin");
    let out = run("tail", &[path.as_os_str()]);
    assert!(out.contains("writer: appended 20000 ticks"), "{out}");
    assert!(
        out.contains("reader: followed 20000 ticks, all whole and in order"),
        "{out}"
    );
    // A second run appends to what the first left, and follows only the new ticks.
    let out = run("tail", &[path.as_os_str()]);
    assert!(out.contains("reader: followed 20000 ticks"), "{out}");
    assert!(
        mapped::MappedVec::<[u8; 24]>::open_read_only(&path).is_err(),
        "the file holds ticks, not bytes"
    );
}

#[test]
fn evolve_v1_writes_v2_upgrades_and_v1_still_reads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("thermometer.bin");
    let step = |name: &str| run("evolve", &[OsStr::new(name), path.as_os_str()]);
    assert!(step("v1-write").contains("v1 wrote 3 readings, the last 20.25"));
    let upgraded = step("v2-upgrade");
    assert!(
        upgraded.contains("lacks the fields `max_kelvin`"),
        "{upgraded}"
    );
    assert!(
        upgraded.contains("3 readings, the last 20.25 °C, max absent"),
        "{upgraded}"
    );
    let read = step("v1-read");
    assert!(
        read.contains("v1 still reads it: 5 readings, the last 22.5"),
        "{read}"
    );
    assert!(read.contains("max survived v1's write: 295.65 K"), "{read}");
    let info = mapped::FileInfo::read(&path).unwrap();
    assert_eq!((info.version, info.fields.len()), (2, 3));
}
