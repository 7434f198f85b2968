//! Attributes the derive reads: `#[repr(...)]` for now.

use proc_macro2::Span;
use syn::{Attribute, LitInt};

use crate::ctxt::Ctxt;

/// What `#[repr(...)]` says about the struct.
#[derive(Default)]
pub(crate) struct Repr {
    /// The span of `C` in `repr(C)`, if present.
    pub(crate) c: Option<Span>,
    /// The span of `packed` / `packed(N)`, if present.
    pub(crate) packed: Option<Span>,
    /// The span of `transparent`, if present.
    pub(crate) transparent: Option<Span>,
}

pub(crate) fn repr(cx: &Ctxt, attrs: &[Attribute]) -> Repr {
    let mut repr = Repr::default();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("repr")) {
        let result = attr.parse_nested_meta(|meta| {
            let span = meta
                .path
                .get_ident()
                .map_or_else(Span::call_site, |i| i.span());
            if meta.path.is_ident("C") {
                repr.c = Some(span);
            } else if meta.path.is_ident("packed") {
                repr.packed = Some(span);
                if meta.input.peek(syn::token::Paren) {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    content.parse::<LitInt>()?;
                }
            } else if meta.path.is_ident("transparent") {
                repr.transparent = Some(span);
            } else if meta.path.is_ident("align") {
                let content;
                syn::parenthesized!(content in meta.input);
                content.parse::<LitInt>()?;
            }
            // Integer reprs only apply to enums, which are rejected elsewhere.
            Ok(())
        });
        if let Err(error) = result {
            cx.push(error);
        }
    }
    repr
}
