//! Attributes the derive reads: `#[repr(...)]`, and its own `#[mapped(...)]` on the struct and on
//! fields.

use proc_macro2::{Span, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned as _;
use syn::{Attribute, Lit, LitInt};

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

/// `#[mapped(...)]` keys accepted on the struct.
const STRUCT_KEYS: &[&str] = &["size", "align", "magic", "version", "crate"];
/// `#[mapped(...)]` keys accepted on a field.
const FIELD_KEYS: &[&str] = &["offset", "readonly", "since"];

/// A value given in an attribute, with the spans of its key and of its value: generated code
/// spanned from one to the other makes the compiler underline the whole `key = value`.
#[derive(Clone)]
pub(crate) struct Spanned<T> {
    pub(crate) value: T,
    pub(crate) span: Span,
    pub(crate) value_span: Span,
}

/// What `#[mapped(...)]` says about the struct.
#[derive(Default)]
pub(crate) struct StructAttrs {
    pub(crate) size: Option<Spanned<usize>>,
    pub(crate) align: Option<Spanned<usize>>,
    pub(crate) magic: Option<Spanned<[u8; 8]>>,
    pub(crate) version: Option<Spanned<u32>>,
    /// `crate = "path"`: where the generated code finds the `mapped` crate, for a renamed or
    /// re-exported dependency.
    pub(crate) krate: Option<Spanned<syn::Path>>,
    /// Whether `magic` / `version` were written at all, valid or not: an invalid one was already
    /// reported, and must not also be reported as missing.
    pub(crate) magic_written: bool,
    pub(crate) version_written: bool,
}

/// What `#[mapped(...)]` says about a field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub(crate) offset: Option<Spanned<usize>>,
    pub(crate) readonly: Option<Span>,
    /// `since = N`: the struct `version` that appended the field (schema evolution). Checked,
    /// stored nowhere.
    pub(crate) since: Option<Spanned<u32>>,
}

pub(crate) fn struct_attrs(cx: &Ctxt, attrs: &[Attribute]) -> StructAttrs {
    let mut out = StructAttrs::default();
    parse_mapped(
        cx,
        attrs,
        STRUCT_KEYS,
        FIELD_KEYS,
        "a field",
        |key, meta| match key {
            "size" => set_once(cx, &mut out.size, key, meta, parse_int(cx, key, meta)),
            "align" => {
                let align = parse_int::<usize>(cx, key, meta).filter(|align| {
                    let ok = align.value.is_power_of_two();
                    if !ok {
                        cx.push(syn::Error::new(
                            align.span,
                            format!("`align` must be a power of two, not {}", align.value),
                        ));
                    }
                    ok
                });
                set_once(cx, &mut out.align, key, meta, align)
            }
            "magic" => {
                out.magic_written = true;
                set_once(cx, &mut out.magic, key, meta, parse_magic(cx, meta))
            }
            "version" => {
                out.version_written = true;
                set_once(cx, &mut out.version, key, meta, parse_int(cx, key, meta))
            }
            "crate" => set_once(cx, &mut out.krate, key, meta, parse_path(cx, meta)),
            _ => unreachable!("keys are filtered by parse_mapped"),
        },
    );
    out
}

pub(crate) fn field_attrs(cx: &Ctxt, attrs: &[Attribute]) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    parse_mapped(
        cx,
        attrs,
        FIELD_KEYS,
        STRUCT_KEYS,
        "the struct",
        |key, meta| match key {
            "offset" => set_once(cx, &mut out.offset, key, meta, parse_int(cx, key, meta)),
            "since" => set_once(cx, &mut out.since, key, meta, parse_int(cx, key, meta)),
            "readonly" => {
                if meta.input.peek(syn::Token![=]) {
                    cx.error_spanned_by(&meta.path, "`readonly` takes no value: write `readonly`");
                    skip_value(meta);
                }
                let flag = Spanned {
                    value: (),
                    span: meta.path.span(),
                    value_span: meta.path.span(),
                };
                let mut slot = out.readonly.map(|span| Spanned {
                    value: (),
                    span,
                    value_span: span,
                });
                set_once(cx, &mut slot, key, meta, Some(flag));
                out.readonly = slot.map(|flag| flag.span);
            }
            _ => unreachable!("keys are filtered by parse_mapped"),
        },
    );
    out
}

/// Walks every `#[mapped(...)]` attribute, reporting unknown keys and keys that belong elsewhere,
/// and hands each known key to `on_key`. Never stops at the first error.
fn parse_mapped(
    cx: &Ctxt,
    attrs: &[Attribute],
    keys: &[&str],
    other_level_keys: &[&str],
    other_level: &str,
    mut on_key: impl FnMut(&str, &ParseNestedMeta<'_>),
) {
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("mapped")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(|ident| ident.unraw().to_string())
                .unwrap_or_default();
            if let Some(key) = keys.iter().find(|known| **known == key) {
                on_key(key, &meta);
            } else if other_level_keys.contains(&key.as_str()) {
                cx.error_spanned_by(
                    &meta.path,
                    format!("`{key}` applies to {other_level}, not here"),
                );
                skip_value(&meta);
            } else {
                let expected = keys
                    .iter()
                    .map(|key| format!("`{key}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                cx.error_spanned_by(
                    &meta.path,
                    format!(
                        "unknown attribute `{}`; expected one of {expected}",
                        meta.path.to_token_stream().to_string().replace(' ', "")
                    ),
                );
                skip_value(&meta);
            }
            Ok(())
        });
        if let Err(error) = result {
            cx.push(error);
        }
    }
}

/// Stores a parsed value, reporting a key given twice.
fn set_once<T>(
    cx: &Ctxt,
    slot: &mut Option<Spanned<T>>,
    key: &str,
    meta: &ParseNestedMeta<'_>,
    value: Option<Spanned<T>>,
) {
    let Some(value) = value else { return };
    if slot.is_some() {
        cx.error_spanned_by(&meta.path, format!("duplicate attribute `{key}`"));
    } else {
        *slot = Some(value);
    }
}

/// Consumes `= value` (or `(...)`) after a key whose value will not be used.
fn skip_value(meta: &ParseNestedMeta<'_>) {
    let input = meta.input;
    while !input.is_empty() && !input.peek(syn::Token![,]) {
        if input.parse::<TokenTree>().is_err() {
            break;
        }
    }
}

/// Parses `key = <integer>`.
fn parse_int<T>(cx: &Ctxt, key: &str, meta: &ParseNestedMeta<'_>) -> Option<Spanned<T>>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    // `std::any::type_name` names only primitives here, so the message reads `u32`, `usize`.
    let expected = || format!("`{key}` expects an integer, e.g. `{key} = 8`");
    if meta.input.parse::<syn::Token![=]>().is_err() {
        cx.error_spanned_by(&meta.path, expected());
        skip_value(meta);
        return None;
    }
    match meta.input.parse::<Lit>() {
        Ok(Lit::Int(int)) => match int.base10_parse::<T>() {
            Ok(value) => Some(Spanned {
                value,
                span: meta.path.span(),
                value_span: int.span(),
            }),
            Err(_) => {
                cx.push(syn::Error::new(
                    int.span(),
                    format!(
                        "`{key}` must be a non-negative integer that fits in `{}`, not {int}",
                        std::any::type_name::<T>()
                    ),
                ));
                None
            }
        },
        Ok(other) => {
            cx.error_spanned_by(other, expected());
            None
        }
        Err(_) => {
            cx.error_spanned_by(&meta.path, expected());
            skip_value(meta);
            None
        }
    }
}

/// Parses `magic = b"8 bytes!"`.
fn parse_magic(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> Option<Spanned<[u8; 8]>> {
    let expected =
        "`magic` expects a byte string of exactly 8 bytes, e.g. `magic = b\"MYFMT\\0\\0\\0\"`";
    if meta.input.parse::<syn::Token![=]>().is_err() {
        cx.error_spanned_by(&meta.path, expected);
        skip_value(meta);
        return None;
    }
    match meta.input.parse::<Lit>() {
        Ok(Lit::ByteStr(bytes)) => match <[u8; 8]>::try_from(bytes.value()) {
            Ok(value) => Some(Spanned {
                value,
                span: meta.path.span(),
                value_span: bytes.span(),
            }),
            Err(found) => {
                cx.error_spanned_by(
                    &bytes,
                    format!(
                        "`magic` must be exactly 8 bytes, found {}; pad with `\\0` if needed",
                        found.len()
                    ),
                );
                None
            }
        },
        Ok(other) => {
            cx.error_spanned_by(other, expected);
            None
        }
        Err(_) => {
            cx.error_spanned_by(&meta.path, expected);
            skip_value(meta);
            None
        }
    }
}

/// Parses `crate = "path"`, as `#[serde(crate = "...")]` does.
fn parse_path(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> Option<Spanned<syn::Path>> {
    let expected = "`crate` expects the path of the `mapped` crate as a string, e.g. \
                    `crate = \"my_reexports::mapped\"`";
    if meta.input.parse::<syn::Token![=]>().is_err() {
        cx.error_spanned_by(&meta.path, expected);
        skip_value(meta);
        return None;
    }
    match meta.input.parse::<Lit>() {
        Ok(Lit::Str(text)) => match text.parse::<syn::Path>() {
            Ok(path) => Some(Spanned {
                value: path,
                span: meta.path.span(),
                value_span: text.span(),
            }),
            Err(_) => {
                cx.error_spanned_by(&text, expected);
                None
            }
        },
        Ok(other) => {
            cx.error_spanned_by(other, expected);
            None
        }
        Err(_) => {
            cx.error_spanned_by(&meta.path, expected);
            skip_value(meta);
            None
        }
    }
}
