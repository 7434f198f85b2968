// examples/cat.rs: the iterator over a mapped file's bytes borrows the `MappedSlice`, and `drop`
// (munmap) takes the slice by value, so reading through the mapping after unmapping it, a SIGSEGV
// in C, is a borrow error.
use mapped::MappedSlice;

fn main() {
    let file = MappedSlice::<u8>::open_read_only("Cargo.toml").unwrap();
    let mut bytes = file.iter();
    drop(file); // munmap
    println!("{:?}", bytes.next());
}
