//! The derive's model of the input: a struct with named fields, borrowed from `syn`.

use syn::{Data, DeriveInput, Fields, Ident, Type, Visibility};

use crate::attr::{self, FieldAttrs, Repr, StructAttrs};
use crate::ctxt::Ctxt;

pub(crate) struct Input<'a> {
    pub(crate) original: &'a DeriveInput,
    pub(crate) ident: &'a Ident,
    pub(crate) vis: &'a Visibility,
    pub(crate) repr: Repr,
    pub(crate) attrs: StructAttrs,
    pub(crate) fields: Vec<Field<'a>>,
}

pub(crate) struct Field<'a> {
    pub(crate) original: &'a syn::Field,
    pub(crate) ident: &'a Ident,
    pub(crate) ty: &'a Type,
    /// For an array field `[E; N]`, its element type `E`.
    pub(crate) element: Option<&'a Type>,
    pub(crate) attrs: FieldAttrs,
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
            .map(|field| Field {
                original: field,
                ident: field.ident.as_ref().expect("named field"),
                ty: &field.ty,
                element: match &field.ty {
                    Type::Array(array) => Some(&*array.elem),
                    _ => None,
                },
                attrs: attr::field_attrs(cx, &field.attrs),
            })
            .collect();
        Some(Input {
            original: input,
            ident: &input.ident,
            vis: &input.vis,
            repr: attr::repr(cx, &input.attrs),
            attrs: attr::struct_attrs(cx, &input.attrs),
            fields,
        })
    }
}
