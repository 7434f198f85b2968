#![warn(missing_docs)]
//! `#[derive(Mapped)]`: typed accessors, file constructors and layout checks for a `#[repr(C)]`
//! struct. Use it through the `mapped` crate, which documents what it generates.

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;
mod fallback;
mod layout;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Derives `mapped::Mapped`; see the `mapped` crate's documentation.
#[proc_macro_derive(Mapped, attributes(mapped))]
pub fn derive_mapped(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
