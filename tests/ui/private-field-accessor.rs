// `Stats` lives in another crate, with `pub hits` and a private `misses`: each accessor is as
// visible as its field.
use mapped_downstream::Stats;

fn main() {
    let stats = Stats::anonymous().unwrap();
    stats.set_hits(1);
    stats.set_misses(1);
    let _ = stats.misses();
}
