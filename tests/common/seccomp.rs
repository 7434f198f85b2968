//! Installing a seccomp filter, for the tests that make a system call fail on purpose or prove
//! that none is made.

use nix::libc::{
    prctl, sock_filter, sock_fprog, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER,
};

/// One BPF instruction.
pub fn op(code: u32, jt: u8, jf: u8, k: u32) -> sock_filter {
    sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    }
}

/// Installs `filter` for this thread and the processes it starts (after `PR_SET_NO_NEW_PRIVS`,
/// which an unprivileged process needs first).
pub fn install(filter: &mut [sock_filter]) -> std::io::Result<()> {
    let program = sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_mut_ptr(),
    };
    // SAFETY: `prctl` with these options reads only `program`, which points to `filter`, both
    // alive for the call; the filter only decides what later system calls do.
    let installed = unsafe {
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
            && prctl(
                PR_SET_SECCOMP,
                SECCOMP_MODE_FILTER,
                &program as *const sock_fprog,
            ) == 0
    };
    if installed {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}
