//! Generated layout code: the `LAYOUT` and `HEADER` constants, and the compile-time checks that
//! name the field at fault (zero sizes and padding, `#[mapped(size/align/offset = N)]` assertions).
//!
//! The macro cannot know sizes or offsets; the compiler can. The rules every struct must meet are
//! checked by the runtime from the fields `LAYOUT` is made of; it writes the message, numbers and
//! all, only when one fails. The assertions are each emitted twice over: a `const` panic whose
//! message the macro writes (naming the field and the expected number), and a type mismatch
//! between `field_b_is_at_offset<4>` and `field_b_is_at_offset<{ offset_of!(..) }>`, which makes
//! rustc print the actual number too.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;

use crate::ast::Input;
use crate::attr::Spanned;

/// The name of the constant that lists the struct's fields, from which both `LAYOUT` and the
/// layout checks are made: the checks read it rather than `<T as Mapped>::LAYOUT`, which would
/// add errors of its own where `T` is not `Mapped` (zerocopy's derives missing).
pub(crate) fn fields_const_ident() -> syn::Ident {
    format_ident!("__MAPPED_FIELDS")
}

/// `const __MAPPED_FIELDS: &[Field]`: every field's name, offset, size, type and shape.
pub(crate) fn fields_const(input: &Input<'_>) -> TokenStream {
    let ident = input.ident;
    let krate = &input.krate;
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
    let fields_const = fields_const_ident();
    quote! {
        const #fields_const: &[#krate::Field] = &[#(#fields),*];
    }
}

/// `<T as Mapped>::LAYOUT`, made of the fields of [`fields_const`].
pub(crate) fn layout_const(input: &Input<'_>) -> TokenStream {
    let ident = input.ident;
    let krate = &input.krate;
    let name = ident.unraw().to_string();
    let fields_const = fields_const_ident();
    quote! {
        #krate::__private::layout(
            #name,
            #krate::__private::size_of::<#ident>(),
            #krate::__private::align_of::<#ident>(),
            #fields_const,
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
/// The rules every struct must meet (no zero-sized field, no padding) are one constant: a `match`
/// on the index of the first field at fault, found by a `const fn` of the runtime from the fields
/// `LAYOUT` is made of, whose arm for each field calls the runtime's `#[track_caller]` panic with
/// tokens spanned at that field. Items per field and gap would each be one more body for the
/// compiler to check, build and evaluate; this is one, and the message it writes names the field
/// and the number of padding bytes.
pub(crate) fn checks(input: &Input<'_>) -> TokenStream {
    let rules = rules(input);
    let assertions = assertions(input);
    quote! {
        #[allow(non_camel_case_types, clippy::identity_op, clippy::manual_assert)]
        const _: () = {
            #rules
            #(#assertions)*
        };
    }
}

/// The zero-size and padding rules. Arm `i` is reached when field `i` is zero-sized or has padding
/// before it, arm `fields.len()` when there is padding after the last field; each is spanned at
/// that field, where the compiler reports the panic.
fn rules(input: &Input<'_>) -> TokenStream {
    let ident = input.ident;
    let krate = &input.krate;
    let name = ident.unraw().to_string();
    let size = quote!(#krate::__private::size_of::<#ident>());
    let fields = fields_const_ident();
    let at = |index: usize, span: Span| {
        let index = proc_macro2::Literal::usize_unsuffixed(index);
        let fail = respan(
            quote!(#krate::__private::layout_panic(#name, __mapped_size, #fields)),
            span,
        );
        quote!(#index => #fail,)
    };
    let arms = input
        .fields
        .iter()
        .enumerate()
        .map(|(index, field)| at(index, field.ident.span()));
    let after = input
        .fields
        .last()
        .map(|last| at(input.fields.len(), last.ident.span()));
    quote! {
        const _: () = {
            let __mapped_size = #size;
            match #krate::__private::layout_fault(__mapped_size, #fields) {
                #(#arms)*
                #after
                _ => {}
            }
        };
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
