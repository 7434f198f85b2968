#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub use mapped_core::*;
pub use mapped_derive::Mapped;

/// The `zerocopy` crate, whose `FromBytes`, `IntoBytes` and `KnownLayout` every mapped struct
/// derives alongside `Mapped`.
pub use zerocopy;
