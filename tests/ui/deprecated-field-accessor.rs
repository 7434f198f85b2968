// The accessors of a `#[deprecated]` field are deprecated too, so its users hear of it.
#![deny(deprecated)]

use mapped_downstream::Names;

fn main() {
    let names = Names::anonymous().unwrap();
    names.set_new(1);
    let _ = names.old();
}
