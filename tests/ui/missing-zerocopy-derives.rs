use mapped::Mapped;

#[derive(Mapped)]
#[repr(C)]
struct Header {
    magic: u32,
    version: u32,
}

fn main() {}
