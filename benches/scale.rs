//! Placeholder until `MappedVec` lands: see `scripts/bench-scale.sh`.

fn main() {}
