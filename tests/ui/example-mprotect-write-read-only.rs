// examples/mprotect.rs: after `make_read_only()` (mprotect(PROT_READ)) the handle has no setters,
// so the write that would raise SIGSEGV in C does not compile.
use mapped::Mapped;
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
struct Config {
    version: u32,
    limit: u32,
}

fn main() {
    let config = Config::anonymous().unwrap().make_read_only().unwrap();
    println!("limit={}", config.limit());
    config.set_limit(200);
}
