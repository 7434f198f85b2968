//! What the derive emits for a struct it rejects: the errors, plus a stub of everything it would
//! have generated, as thiserror's `fallback.rs` does.
//!
//! Without the stub, every use of the struct (`Stats::anonymous()`, `stats.hits()`) would be one
//! more error ("no function `anonymous` found"), burying the one that names the mistake. The stub
//! has the real signatures with `unreachable!()` bodies and no layout checks, so those uses compile
//! and the user sees one error per mistake.

use proc_macro2::TokenStream;

use crate::ast::Input;
use crate::expand::{self, Body};

pub(crate) fn expand(model: Option<&Input<'_>>, errors: syn::Error) -> TokenStream {
    let mut tokens = errors.to_compile_error();
    // A generic struct has no single type to implement the traits for; an enum, union, tuple or
    // unit struct (no model) has no fields to stub. Uses of those are the user's next error.
    if let Some(input) = model.filter(|input| input.original.generics.params.is_empty()) {
        tokens.extend(expand::expand(input, Body::Stub));
    }
    tokens
}
