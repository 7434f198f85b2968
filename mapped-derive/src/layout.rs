//! Generated layout code: the `LAYOUT` and `HEADER` constants, and the compile-time checks that
//! name the field at fault (padding, `#[mapped(size/align/offset = N)]` assertions).
//!
//! The macro cannot know sizes or offsets; the compiler can. Each check is therefore emitted twice
//! over: a `const` panic whose message the macro writes (naming the field and the expected
//! number), and a type mismatch between `field_b_is_at_offset<4>` and
//! `field_b_is_at_offset<{ offset_of!(..) }>`, which makes rustc print the actual number too.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;

use crate::ast::{Field, Input};
use crate::attr::Spanned;

/// `<T as Mapped>::LAYOUT`: every field's name, offset, size, type and shape.
pub(crate) fn layout_const(input: &Input<'_>) -> TokenStream {
    let ident = input.ident;
    let krate = &input.krate;
    let name = ident.unraw().to_string();
    let fields = input.fields.iter().map(|field| {
        let field_name = field.ident;
        let name = field.ident.unraw().to_string();
        let ty = &field.ty;
        let type_name = type_name(ty);
        let readonly = field.attrs.readonly.is_some();
        quote! {
            #krate::__private::field(
                #name,
                #krate::__private::offset_of!(#ident, #field_name),
                #krate::__private::size_of::<#ty>(),
                #type_name,
                &<#ty as #krate::FieldType>::SHAPE,
                #readonly,
            )
        }
    });
    quote! {
        #krate::__private::layout(
            #name,
            #krate::__private::size_of::<#ident>(),
            #krate::__private::align_of::<#ident>(),
            &[#(#fields),*],
        )
    }
}

/// `<T as Mapped>::HEADER`, when the struct asks for one.
pub(crate) fn header_const(input: &Input<'_>) -> TokenStream {
    let krate = &input.krate;
    let (Some(magic), Some(version)) = (&input.attrs.magic, &input.attrs.version) else {
        return TokenStream::new();
    };
    let magic = magic.value;
    let version = version.value;
    quote! {
        const HEADER: #krate::__private::Option<#krate::HeaderSpec> =
            #krate::__private::Option::Some(#krate::HeaderSpec {
                magic: [#(#magic),*],
                version: #version,
            });
    }
}

/// The field's type as written, tidied: `[u8; 16]`, `U32<BigEndian>`.
fn type_name(ty: &syn::Type) -> String {
    let mut text = quote!(#ty).to_string();
    for (from, to) in [
        (" ;", ";"),
        (" ,", ","),
        ("< ", "<"),
        (" <", "<"),
        (" >", ">"),
        ("[ ", "["),
        (" ]", "]"),
        ("( ", "("),
        (" )", ")"),
        (" :: ", "::"),
        (":: ", "::"),
        ("& ", "&"),
    ] {
        text = text.replace(from, to);
    }
    text
}

/// Every compile-time layout check of the struct.
///
/// The checks every struct gets are grouped into three constants, not one item per check, since
/// each item is one more body for the compiler to check, build and evaluate: the zero-size panics,
/// the padding type mismatches (all reported, being type errors), and the padding panics (each
/// group stops at its first failure, and a struct with padding has zerocopy's error too).
pub(crate) fn checks(input: &Input<'_>) -> TokenStream {
    let zero_sized = zero_sized_checks(input);
    let (tags, padding) = padding_checks(input);
    let assertions = assertions(input);
    quote! {
        #[allow(non_camel_case_types, clippy::identity_op, clippy::manual_assert)]
        const _: () = {
            const _: () = { #(#zero_sized)* };
            const _: () = { #(#tags)* };
            const _: () = { #(#padding)* };
            #(#assertions)*
        };
    }
}

/// `offset_of!(T, f) + size_of::<F>()`: where a field ends.
fn end_of(input: &Input<'_>, field: &Field<'_>) -> TokenStream {
    let ident = input.ident;
    let krate = &input.krate;
    let name = field.ident;
    let ty = &field.ty;
    quote! {
        (#krate::__private::offset_of!(#ident, #name) + #krate::__private::size_of::<#ty>())
    }
}

/// The two halves of a check that `actual == expected`, reported at the attribute (or field): a
/// type mismatch on `tag<expected>` vs `tag<actual>` that shows both numbers, and a panic with
/// `message`. They go in separate constants, so that the type error does not stop the panic from
/// being evaluated.
fn equality_check(
    krate: &syn::Path,
    span: Span,
    tag: &syn::Ident,
    actual: &TokenStream,
    expected: &TokenStream,
    message: &str,
) -> (TokenStream, TokenStream) {
    // The panic is reported where its macro path is spanned: at the attribute or field, not at the
    // derive, which is where a `#[mapped(crate = "...")]` path or the default `::mapped` points.
    let krate = respan(krate.to_token_stream(), span);
    let mismatch = quote_spanned! {span=>
        struct #tag<const N: usize>;
        let _: #tag<#expected> = #tag::<{ #actual }>;
    };
    let panic = quote_spanned! {span=>
        if #actual != #expected {
            #krate::__private::panic!(#message);
        }
    };
    (mismatch, panic)
}

/// Rejects zero-sized fields (`[u8; 0]`), and with them zero-sized structs: they have no bytes in
/// the file, C has no zero-length arrays, and `mmap` of nothing is an error.
fn zero_sized_checks(input: &Input<'_>) -> Vec<TokenStream> {
    let ident = input.ident;
    let krate = &input.krate;
    input
        .fields
        .iter()
        .map(|field| {
            let name = field.ident.unraw();
            let ty = &field.ty;
            let span = field.ident.span();
            let message = format!(
                "field `{name}` of `{ident}` is zero-sized: it would have no bytes in the file, and \
                 a mapped struct must not be zero-sized; remove the field"
            );
            let panic = respan(quote!(#krate::__private::panic!), span);
            quote_spanned! {span=>
                if #krate::__private::size_of::<#ty>() == 0 {
                    #panic(#message);
                }
            }
        })
        .collect()
}

/// The padding checks: their type mismatches, and their panics.
fn padding_checks(input: &Input<'_>) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let ident = input.ident;
    let krate = &input.krate;
    let mut checks = Vec::new();
    for pair in input.fields.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        let (a, b) = (before.ident.unraw(), after.ident.unraw());
        let after_name = after.ident;
        let gap = {
            let end = end_of(input, before);
            quote!(#krate::__private::offset_of!(#ident, #after_name) - #end)
        };
        let message = format!(
            "`{ident}` has padding between `{a}` and `{b}`: padding bytes are uninitialized, so \
             they cannot be written to a file; add an explicit field to fill the gap or reorder \
             the fields"
        );
        let tag = format_ident!("padding_bytes_between_{}_and_{}", a, b);
        let span = after.ident.span();
        checks.push(equality_check(
            krate,
            span,
            &tag,
            &gap,
            &quote!(0),
            &message,
        ));
    }
    if let Some(last) = input.fields.last() {
        let name = last.ident.unraw();
        let end = end_of(input, last);
        let gap = quote!(#krate::__private::size_of::<#ident>() - #end);
        let message = format!(
            "`{ident}` has padding after its last field `{name}`: padding bytes are \
             uninitialized, so they cannot be written to a file; add an explicit field after \
             `{name}` to fill the gap"
        );
        let tag = format_ident!("padding_bytes_after_{}", name);
        let span = last.ident.span();
        checks.push(equality_check(
            krate,
            span,
            &tag,
            &gap,
            &quote!(0),
            &message,
        ));
    }
    checks.into_iter().unzip()
}

/// `#[mapped(size = N)]`, `#[mapped(align = N)]` and `#[mapped(offset = N)]`.
fn assertions(input: &Input<'_>) -> Vec<TokenStream> {
    let ident = input.ident;
    let krate = &input.krate;
    let struct_name = ident.unraw();
    let mut checks = Vec::new();
    // The tag reads as rustc prints it: "expected `field_b_is_at_offset<4>`, found
    // `field_b_is_at_offset<8>`".
    let mut assert = |attr: &Spanned<usize>,
                      what: &str,
                      subject: String,
                      tag: syn::Ident,
                      actual: TokenStream| {
        let expected = attr.value;
        let message =
            format!("{subject} is not {expected}, as `#[mapped({what} = {expected})]` expects");
        let (mismatch, panic) = equality_check(
            krate,
            attr.value_span,
            &tag,
            &actual,
            &quote!(#expected),
            &message,
        );
        checks.push(quote_spanned! {attr.value_span=>
            const _: () = { #mismatch };
            const _: () = { #panic };
        });
    };
    if let Some(size) = &input.attrs.size {
        let actual = quote!(#krate::__private::size_of::<#ident>());
        let tag = format_ident!("size_of_{}_is", struct_name);
        assert(
            size,
            "size",
            format!("the size of `{struct_name}`"),
            tag,
            actual,
        );
    }
    if let Some(align) = &input.attrs.align {
        let actual = quote!(#krate::__private::align_of::<#ident>());
        let tag = format_ident!("align_of_{}_is", struct_name);
        let subject = format!("the alignment of `{struct_name}`");
        assert(align, "align", subject, tag, actual);
    }
    for field in &input.fields {
        if let Some(offset) = &field.attrs.offset {
            // Respanned so the compiler underlines the attribute, not the field too.
            let mut name = field.ident.clone();
            name.set_span(offset.value_span);
            let actual = quote!(#krate::__private::offset_of!(#ident, #name));
            let subject = format!("the offset of field `{}`", name.unraw());
            let tag = format_ident!("field_{}_is_at_offset", name.unraw());
            assert(offset, "offset", subject, tag, actual);
        }
    }
    checks
}

/// `tokens` with every span set to `span`.
pub(crate) fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &token {
                let mut respanned = Group::new(group.delimiter(), respan(group.stream(), span));
                respanned.set_span(span);
                token = TokenTree::Group(respanned);
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}
