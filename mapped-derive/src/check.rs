//! Rules a mapped struct must follow that the macro can see in the syntax. Layout facts (padding,
//! sizes) are left to the compiler: see `expand::layout_checks`.

use std::collections::HashMap;

use syn::ext::IdentExt;
use syn::Type;

use crate::ast::Input;
use crate::ctxt::Ctxt;

/// Names the generated accessor struct has besides the per-field ones.
const RESERVED: &[&str] = &["load", "store"];

pub(crate) fn check(cx: &Ctxt, input: &Input<'_>) {
    check_repr(cx, input);
    check_generics(cx, input);
    if input.fields.is_empty() {
        cx.error_spanned_by(
            input.ident,
            "`#[derive(Mapped)]` needs at least one field: there is nothing to map in an empty \
             struct",
        );
    }
    for field in &input.fields {
        check_field_type(cx, field.ty);
    }
    check_accessor_names(cx, input);
}

fn check_repr(cx: &Ctxt, input: &Input<'_>) {
    if let Some(span) = input.repr.packed {
        cx.push(syn::Error::new(
            span,
            "a mapped struct cannot be `packed`: its fields would be misaligned in memory; \
             reorder the fields or add explicit padding fields instead",
        ));
    }
    if let Some(span) = input.repr.transparent {
        cx.push(syn::Error::new(
            span,
            "a mapped struct needs `#[repr(C)]`, not `#[repr(transparent)]`",
        ));
    } else if input.repr.c.is_none() {
        cx.error_spanned_by(
            input.ident,
            "a mapped struct needs `#[repr(C)]`: without it Rust may reorder the fields, so the \
             file's layout would not be fixed",
        );
    }
}

fn check_generics(cx: &Ctxt, input: &Input<'_>) {
    let generics = &input.original.generics;
    if !generics.params.is_empty() || generics.where_clause.is_some() {
        cx.error_spanned_by(
            generics,
            "a mapped struct cannot be generic: its layout must be fixed where it is defined",
        );
    }
}

/// Rejects field types whose bytes mean nothing in another process or on another machine.
fn check_field_type(cx: &Ctxt, ty: &Type) {
    match ty {
        Type::Array(array) => check_field_type(cx, &array.elem),
        Type::Group(group) => check_field_type(cx, &group.elem),
        Type::Paren(paren) => check_field_type(cx, &paren.elem),
        Type::Ptr(_) | Type::Reference(_) | Type::BareFn(_) => cx.error_spanned_by(
            ty,
            "a mapped struct cannot hold pointers or references: an address means nothing in \
             another process, or in this one after the file is mapped again",
        ),
        Type::Path(path) if path.qself.is_none() => {
            if let Some(ident) = path.path.get_ident() {
                if ident == "usize" || ident == "isize" {
                    cx.error_spanned_by(
                        ty,
                        format!(
                            "`{ident}` cannot be a field of a mapped struct: its size depends on \
                             the target, so a file written by a 64-bit program would be misread \
                             by a 32-bit one; use `u64`/`i64` or `u32`/`i32`"
                        ),
                    );
                }
            }
        }
        _ => {}
    }
}

/// Rejects fields whose generated accessors would clash with another field's.
fn check_accessor_names(cx: &Ctxt, input: &Input<'_>) {
    let mut owners: HashMap<String, &syn::Ident> = HashMap::new();
    for field in &input.fields {
        for name in accessor_names(field.ident, field.element.is_some()) {
            if RESERVED.contains(&name.as_str()) {
                cx.error_spanned_by(
                    field.ident,
                    format!(
                        "field `{}` would generate an accessor `{name}`, which clashes with the \
                         `{name}` method of every mapped struct; rename the field",
                        field.ident.unraw()
                    ),
                );
            } else if let Some(other) = owners.insert(name.clone(), field.ident) {
                cx.error_spanned_by(
                    field.ident,
                    format!(
                        "fields `{}` and `{}` would both generate an accessor named `{name}`; \
                         rename one of them",
                        other.unraw(),
                        field.ident.unraw()
                    ),
                );
            }
        }
    }
}

/// The method names generated for one field, as in `expand`.
pub(crate) fn accessor_names(ident: &syn::Ident, is_array: bool) -> Vec<String> {
    let name = ident.unraw().to_string();
    let mut names = vec![name.clone(), format!("set_{name}"), format!("{name}_mut")];
    if is_array {
        names.push(format!("{name}_at"));
        names.push(format!("set_{name}_at"));
    }
    names
}
