//! Which thread this is, and whether a thread named by a lock word still runs: what a
//! [`Seqlock`](crate::Seqlock)'s writer lock needs from the OS to survive its owner's death.
//!
//! A thread id alone does not name a thread for long: once the thread is gone (and its process
//! reaped), the kernel may hand the same number to a new thread. So a thread is named by its id
//! *and its start time* (field 22 of `/proc/<tid>/stat`, in clock ticks since boot), which a
//! later thread given the same id does not share. A thread that is a zombie (state `Z`, not yet
//! reaped by its parent) or dying (`X`) runs no more code: it counts as dead.

use nix::errno::Errno;
use nix::sys::signal;
use nix::unistd::Pid;

/// A thread, as a lock word names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ThreadName {
    /// The kernel's thread id (`gettid`); the process id where there are no thread ids.
    pub(crate) tid: u32,
    /// Its start time in clock ticks since boot, or 0 where `/proc` could not tell.
    pub(crate) start: u64,
}

/// The calling thread.
pub(crate) fn current() -> ThreadName {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let tid = nix::unistd::gettid().as_raw() as u32;
        // `thread-self` names the calling thread (Linux 3.17); the task directory is the fallback.
        let start = stat_of("/proc/thread-self/stat")
            .or_else(|| stat_of(&format!("/proc/self/task/{tid}/stat")))
            .map_or(0, |stat| stat.start);
        ThreadName { tid, start }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        ThreadName {
            tid: nix::unistd::getpid().as_raw() as u32,
            start: 0,
        }
    }
}

/// Whether `thread` has surely stopped running: no such thread, another thread under its id (a
/// different start time), or a zombie. Without `/proc`, only `kill(tid, 0)` failing with `ESRCH`
/// counts: a thread that may exist counts as alive, so a live owner is never taken for dead.
///
/// `start_mask` is applied to the start time read before it is compared with `thread.start`
/// (a lock word keeps only its low bits).
pub(crate) fn is_dead(thread: ThreadName, start_mask: u64) -> bool {
    // No thread has id 0 (a corrupt lock word), and `kill(0, _)` would mean the process group.
    if thread.tid == 0 {
        return true;
    }
    match std::fs::read(format!("/proc/{}/stat", thread.tid)) {
        Ok(bytes) => match parse_stat(&bytes) {
            Some(stat) => {
                // A recorded start time of 0 (its owner could not read `/proc`) matches no thread
                // that `/proc` shows: a corrupt lock word naming a live thread (`1`) without its
                // start time must not make writers wait forever.
                matches!(stat.state, b'Z' | b'X' | b'x') || stat.start & start_mask != thread.start
            }
            None => false,
        },
        // No `/proc/<tid>` (or no `/proc`): no such thread, most likely — but `/proc` may hide
        // other users' processes (`hidepid`), which `kill(tid, 0)` sees through: `ESRCH` only if
        // no process or thread has that id.
        Err(_) => no_such_process(thread.tid),
    }
}

/// `kill(tid, 0)` failed with `ESRCH`: no process or thread has that id.
fn no_such_process(tid: u32) -> bool {
    // Thread ids are positive `i32`s; a larger one (a corrupt word) names no thread.
    let Ok(tid) = i32::try_from(tid) else {
        return true;
    };
    matches!(signal::kill(Pid::from_raw(tid), None), Err(Errno::ESRCH))
}

/// The fields of `/proc/<tid>/stat` the lock needs.
#[derive(Debug, PartialEq, Eq)]
struct Stat {
    /// Field 3: `R`, `S`, `D`, `T`, `Z`, `X`, ...
    state: u8,
    /// Field 22: the start time, in clock ticks since boot.
    start: u64,
}

fn stat_of(path: &str) -> Option<Stat> {
    parse_stat(&std::fs::read(path).ok()?)
}

/// Parses `pid (comm) state ... starttime ...`. The command name may hold spaces and
/// parentheses, so the fields are counted from the last `)`.
fn parse_stat(bytes: &[u8]) -> Option<Stat> {
    let close = bytes.iter().rposition(|&b| b == b')')?;
    let text = std::str::from_utf8(&bytes[close + 1..]).ok()?;
    let mut fields = text.split_ascii_whitespace();
    // Field 3 is the first after the name; field 22 is 19 further on.
    let state = *fields.next()?.as_bytes().first()?;
    let start = fields.nth(18)?.parse().ok()?;
    Some(Stat { state, start })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_parse_whatever_the_command_name() {
        let line =
            b"1234 (a (weird) name) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654 19 20\n";
        assert_eq!(
            parse_stat(line),
            Some(Stat {
                state: b'S',
                start: 987_654
            })
        );
        assert_eq!(parse_stat(b"1234 (short) Z 1 2"), None);
        assert_eq!(parse_stat(b"no parenthesis"), None);
    }

    #[test]
    fn this_thread_is_alive_and_named_by_its_start_time() {
        let me = current();
        assert!(me.tid > 0);
        assert!(me.start > 0, "read from /proc/thread-self/stat");
        assert!(!is_dead(me, u64::MAX));
        let reused = ThreadName {
            start: me.start + 1,
            ..me
        };
        assert!(is_dead(reused, u64::MAX), "same id, another start time");
        assert!(
            is_dead(ThreadName { tid: 0, start: 1 }, u64::MAX),
            "no thread is 0"
        );
        let unknown = ThreadName { start: 0, ..me };
        assert!(
            is_dead(unknown, u64::MAX),
            "no start time names no thread /proc shows"
        );
    }
}
