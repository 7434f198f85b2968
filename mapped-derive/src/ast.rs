//! The derive's model of the input: a struct with named fields, borrowed from `syn`.

use proc_macro2::{Group, TokenStream, TokenTree};
use quote::format_ident;
use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, Ident, Type, Visibility};

use crate::attr::{self, FieldAttrs, Repr, StructAttrs};
use crate::ctxt::Ctxt;

pub(crate) struct Input<'a> {
    pub(crate) original: &'a DeriveInput,
    pub(crate) ident: &'a Ident,
    pub(crate) vis: &'a Visibility,
    pub(crate) repr: Repr,
    pub(crate) attrs: StructAttrs,
    /// Where the generated code finds the `mapped` crate: `::mapped`, or `#[mapped(crate = "..")]`.
    pub(crate) krate: syn::Path,
    pub(crate) fields: Vec<Field<'a>>,
}

pub(crate) struct Field<'a> {
    pub(crate) original: &'a syn::Field,
    pub(crate) ident: &'a Ident,
    pub(crate) vis: &'a Visibility,
    /// The field's type, with `Self` replaced by the struct's name: generated code uses it inside
    /// other impls, where `Self` means something else.
    pub(crate) ty: Type,
    /// For an array field `[E; N]`, its element type `E`.
    pub(crate) element: Option<Type>,
    pub(crate) attrs: FieldAttrs,
}

/// The methods generated for one field. Built here only: `expand` defines them, `check` looks for
/// clashes among them, so the two can never disagree on a name.
pub(crate) struct AccessorNames {
    /// `f`: the field's own name (raw if the field's is, as in `r#type`).
    pub(crate) get: Ident,
    /// `set_f`.
    pub(crate) set: Ident,
    /// `f_mut`.
    pub(crate) get_mut: Ident,
    /// `f_at` and `set_f_at`, for an array field.
    pub(crate) at: Option<(Ident, Ident)>,
}

impl AccessorNames {
    /// Every name, as a method call spells it (without `r#`).
    pub(crate) fn all(&self) -> Vec<String> {
        let mut names = vec![&self.get, &self.set, &self.get_mut];
        if let Some((get_at, set_at)) = &self.at {
            names.extend([get_at, set_at]);
        }
        names.iter().map(|name| name.unraw().to_string()).collect()
    }
}

impl Field<'_> {
    /// The names of the field's accessors, spanned at the field.
    pub(crate) fn accessor_names(&self) -> AccessorNames {
        let name = self.ident.unraw();
        let span = self.ident.span();
        AccessorNames {
            get: self.ident.clone(),
            set: format_ident!("set_{}", name, span = span),
            get_mut: format_ident!("{}_mut", name, span = span),
            at: self.element.as_ref().map(|_| {
                (
                    format_ident!("{}_at", name, span = span),
                    format_ident!("set_{}_at", name, span = span),
                )
            }),
        }
    }

    /// Whether the field gets accessors. A name starting with `_` marks a field that is there to
    /// fill space (`_pad`, `_reserved`): it is part of the layout and of whole-struct copies, but
    /// has no getter or setter, as Rust does not warn about it being unused.
    pub(crate) fn has_accessors(&self) -> bool {
        !self.ident.unraw().to_string().starts_with('_')
    }
}

impl<'a> Input<'a> {
    /// Builds the model, or records why the input cannot be a mapped struct.
    pub(crate) fn from_syn(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let data = match &input.data {
            Data::Struct(data) => data,
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "`#[derive(Mapped)]` works on structs, not enums: a file may hold any bytes, \
                     and most byte values are not a valid variant",
                );
                return None;
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "`#[derive(Mapped)]` works on structs, not unions: a union has no field to \
                     generate accessors for",
                );
                return None;
            }
        };
        let named = match &data.fields {
            Fields::Named(named) => named,
            Fields::Unnamed(unnamed) => {
                cx.error_spanned_by(
                    unnamed,
                    "`#[derive(Mapped)]` needs named fields: accessors are named after them",
                );
                return None;
            }
            Fields::Unit => {
                cx.error_spanned_by(
                    &input.ident,
                    "`#[derive(Mapped)]` needs at least one field: there is nothing to map in a \
                     unit struct",
                );
                return None;
            }
        };
        let fields = named
            .named
            .iter()
            .map(|field| {
                let ty = replace_self(&field.ty, &input.ident);
                Field {
                    original: field,
                    ident: field.ident.as_ref().expect("named field"),
                    vis: &field.vis,
                    element: array_element(&ty).cloned(),
                    ty,
                    attrs: attr::field_attrs(cx, &field.attrs),
                }
            })
            .collect();
        let attrs = attr::struct_attrs(cx, &input.attrs);
        let krate = match &attrs.krate {
            Some(krate) => krate.value.clone(),
            None => syn::parse_quote!(::mapped),
        };
        Some(Input {
            original: input,
            ident: &input.ident,
            vis: &input.vis,
            repr: attr::repr(cx, &input.attrs),
            attrs,
            krate,
            fields,
        })
    }
}

/// The element type of an array type, seen through the invisible group a `macro_rules!` `$t:ty`
/// wraps around it, and through parentheses.
pub(crate) fn array_element(ty: &Type) -> Option<&Type> {
    match ty {
        Type::Array(array) => Some(&array.elem),
        Type::Group(group) => array_element(&group.elem),
        Type::Paren(paren) => array_element(&paren.elem),
        _ => None,
    }
}

/// `ty` with every `Self` replaced by `ident`, so that `[u8; Self::LEN]` means the same in every
/// impl the derive writes.
fn replace_self(ty: &Type, ident: &Ident) -> Type {
    fn replace(tokens: TokenStream, ident: &Ident) -> TokenStream {
        tokens
            .into_iter()
            .map(|token| match token {
                TokenTree::Ident(found) if found == "Self" => {
                    let mut ident = ident.clone();
                    ident.set_span(found.span());
                    TokenTree::Ident(ident)
                }
                TokenTree::Group(group) => {
                    let mut replaced =
                        Group::new(group.delimiter(), replace(group.stream(), ident));
                    replaced.set_span(group.span());
                    TokenTree::Group(replaced)
                }
                other => other,
            })
            .collect()
    }
    let tokens = replace(quote::ToTokens::to_token_stream(ty), ident);
    syn::parse2(tokens).unwrap_or_else(|_| ty.clone())
}
