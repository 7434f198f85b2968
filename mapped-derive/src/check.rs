//! Rules a mapped struct must follow that the macro can see in the syntax. Layout facts (padding,
//! sizes) are left to the compiler: see `expand::layout_checks`.

use std::collections::HashMap;

use syn::ext::IdentExt;
use syn::{GenericParam, Type};

use crate::ast::Input;
use crate::ctxt::Ctxt;

/// Methods every mapped struct's accessors have besides the per-field ones, and methods of
/// `mapped::Handle`, which would hide a field accessor of the same name (a handle's own methods
/// win over those it dereferences to).
const RESERVED: &[(&str, &str)] = &[
    ("load", "the accessors' `load`"),
    ("store", "the accessors' `store`"),
    ("flush", "`Handle::flush`"),
    ("flush_async", "`Handle::flush_async`"),
    ("flush_range", "`Handle::flush_range`"),
    ("flush_async_range", "`Handle::flush_async_range`"),
    ("make_read_only", "`Handle::make_read_only`"),
    ("make_mut", "`Handle::make_mut`"),
    ("make_no_access", "`Handle::make_no_access`"),
    ("advise", "`Handle::advise`"),
    ("lock", "`Handle::lock`"),
    ("unlock", "`Handle::unlock`"),
    ("check_file", "`Handle::check_file`"),
    // Every handle and view is `Into<Self>` and `TryInto<Self>`; these prelude methods take the
    // handle by value, so method lookup finds them before it dereferences to the accessors.
    ("into", "`Into::into`, which every handle has"),
    ("try_into", "`TryInto::try_into`, which every handle has"),
];

/// The associated functions the derive generates on the struct itself (`expand::constructors`).
/// They never clash with field accessors, which live on the accessor struct; a function of the
/// same name in the user's own `impl` of the struct does clash (E0592, as for any inherent
/// function defined twice: `tests/ui/upgrade-fn-clash.rs`). The README lists them.
pub(crate) const GENERATED_FNS: &[&str] = &[
    "create_new",
    "open",
    "open_or_create",
    "open_read_only",
    "open_private",
    "upgrade",
    "anonymous",
    "options",
];

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
        if let Some(error) = field_type_error(&field.ty) {
            cx.push(error);
        }
    }
    check_accessor_names(cx, input);
    check_header(cx, input);
    check_since(cx, input);
}

/// `#[mapped(since = N)]` on appended fields: each at most the struct's `version`, and never
/// lower than an earlier field's, as fields are only ever appended.
fn check_since(cx: &Ctxt, input: &Input<'_>) {
    let version = input.attrs.version.as_ref().map(|version| version.value);
    let mut previous: Option<(u32, &syn::Ident)> = None;
    for field in &input.fields {
        let Some(since) = &field.attrs.since else {
            continue;
        };
        let name = field.ident.unraw();
        match version {
            Some(version) if since.value > version => cx.push(syn::Error::new(
                since.value_span,
                format!(
                    "field `{name}` is `since = {}`, above the struct's `version = {version}`: a \
                     field appended in version {} needs the struct at that version or later",
                    since.value, since.value
                ),
            )),
            None if !input.attrs.version_written => cx.push(syn::Error::new(
                since.span,
                format!(
                    "field `{name}` has `since`, but the struct has no `version` for it to be \
                     compared with; add `#[mapped(magic = b\"MYFORMAT\", version = N)]`"
                ),
            )),
            _ => {}
        }
        if let Some((earlier, earlier_field)) = previous {
            if since.value < earlier {
                cx.push(syn::Error::new(
                    since.value_span,
                    format!(
                        "field `{name}` is `since = {}`, but the earlier field `{}` is `since = \
                         {earlier}`: fields are only appended, so `since` never decreases in \
                         field order",
                        since.value,
                        earlier_field.unraw()
                    ),
                ));
            }
        }
        previous = Some((since.value, field.ident));
    }
}

/// `magic` and `version` only make sense together.
fn check_header(cx: &Ctxt, input: &Input<'_>) {
    let attrs = &input.attrs;
    match (&attrs.magic, &attrs.version) {
        (Some(magic), None) if !attrs.version_written => cx.push(syn::Error::new(
            magic.span,
            "`magic` needs a `version` too, e.g. `#[mapped(magic = b\"MYFORMAT\", version = 1)]`",
        )),
        (None, Some(version)) if !attrs.magic_written => cx.push(syn::Error::new(
            version.span,
            "`version` needs a `magic` too, e.g. `#[mapped(magic = b\"MYFORMAT\", version = 1)]`",
        )),
        _ => {}
    }
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
    for param in &generics.params {
        match param {
            GenericParam::Lifetime(param) => cx.error_spanned_by(
                param,
                format!(
                    "a mapped struct cannot have a lifetime parameter `{}`: its bytes live in a \
                     file, so its fields cannot borrow anything; use owned fields such as `u64` \
                     or `[u8; N]`",
                    param.lifetime
                ),
            ),
            GenericParam::Type(param) => {
                let name = param.ident.unraw();
                cx.error_spanned_by(
                    param,
                    format!(
                        "a mapped struct cannot be generic over `{name}`: its layout must be \
                         fixed where it is defined; replace `{name}` with a concrete field type"
                    ),
                );
            }
            GenericParam::Const(param) => {
                let name = param.ident.unraw();
                cx.error_spanned_by(
                    param,
                    format!(
                        "a mapped struct cannot be generic over `const {name}`: its layout must \
                         be fixed where it is defined; replace `{name}` with a literal"
                    ),
                );
            }
        }
    }
    if generics.params.is_empty() {
        if let Some(where_clause) = &generics.where_clause {
            cx.error_spanned_by(
                where_clause,
                "a mapped struct cannot have a `where` clause: its layout must be fixed where it \
                 is defined",
            );
        }
    }
}

/// Why a field's type cannot be mapped, for types whose bytes mean nothing in another process or
/// on another machine; `None` for any other type.
pub(crate) fn field_type_error(ty: &Type) -> Option<syn::Error> {
    const ADDRESS: &str = "an address means nothing in another process, or in this one after the \
                           file is mapped again";
    let error = |message: String| Some(syn::Error::new_spanned(ty, message));
    match ty {
        Type::Array(array) => field_type_error(&array.elem),
        Type::Group(group) => field_type_error(&group.elem),
        Type::Paren(paren) => field_type_error(&paren.elem),
        Type::Ptr(_) => error(format!(
            "a mapped struct cannot hold raw pointers: {ADDRESS}; store an offset or an index \
             (`u64`) instead"
        )),
        Type::Reference(_) => error(format!(
            "a mapped struct cannot hold references: {ADDRESS}; store the value itself, or an \
             offset or an index (`u64`)"
        )),
        Type::BareFn(_) => error(
            "a mapped struct cannot hold function pointers: a function's address means nothing \
             in another process or another build of the program; store a tag (`u32`) and choose \
             the function by it"
                .to_owned(),
        ),
        Type::Path(path) if path.qself.is_none() => {
            // `usize`, `std::primitive::usize`, `std::sync::atomic::AtomicUsize`, ...
            let last = path.path.segments.last()?;
            if !last.arguments.is_none() {
                return None;
            }
            let name = last.ident.unraw().to_string();
            let why = unmappable_path_type(&name)?;
            error(format!(
                "`{name}` cannot be a field of a mapped struct: {why}"
            ))
        }
        _ => None,
    }
}

/// Why a type named `name` cannot be a field, for the named types the compiler would also reject
/// (they do not implement `mapped::Field`) but with a message spanned at the field rather than at
/// the derive.
fn unmappable_path_type(name: &str) -> Option<String> {
    const TARGET_SIZED: &str = "its size depends on the target, so a file written by a 64-bit \
                                program would be misread by a 32-bit one";
    let why = match name {
        "usize" => format!("{TARGET_SIZED}; use `u64` or `u32`"),
        "isize" => format!("{TARGET_SIZED}; use `i64` or `i32`"),
        "AtomicUsize" => format!("{TARGET_SIZED}; use `AtomicU64` or `AtomicU32`"),
        "AtomicIsize" => format!("{TARGET_SIZED}; use `AtomicI64` or `AtomicI32`"),
        "bool" => "a file may hold any byte, and only `0` and `1` are valid `bool`s; use `u8` and \
                   compare it with `0`"
            .to_owned(),
        "char" => "a file may hold any bytes, and not every `u32` is a valid `char`; use `u32` \
                   and convert it with `char::from_u32`"
            .to_owned(),
        _ => return None,
    };
    Some(why)
}

/// Rejects fields whose generated accessors would clash with another field's.
fn check_accessor_names(cx: &Ctxt, input: &Input<'_>) {
    for (field, message) in accessor_clashes(input) {
        cx.error_spanned_by(field, message);
    }
}

/// Each field whose accessors would clash with a method every mapped struct or handle has, or
/// with an earlier field's, and why. The fallback leaves their accessors out of its stub, which
/// would otherwise define a method twice.
pub(crate) fn accessor_clashes<'a>(input: &Input<'a>) -> Vec<(&'a syn::Ident, String)> {
    let mut clashes = Vec::new();
    let mut owners: HashMap<String, &syn::Ident> = HashMap::new();
    for field in input.fields.iter().filter(|field| field.has_accessors()) {
        for name in field.accessor_names().all() {
            if let Some((_, owner)) = RESERVED.iter().find(|(reserved, _)| *reserved == name) {
                clashes.push((
                    field.ident,
                    format!(
                        "field `{}` would generate an accessor `{name}`, which clashes with \
                         {owner}; rename the field",
                        field.ident.unraw()
                    ),
                ));
            } else if let Some(other) = owners.insert(name.clone(), field.ident) {
                clashes.push((
                    field.ident,
                    format!(
                        "fields `{}` and `{}` would both generate an accessor named `{name}`; \
                         rename one of them",
                        other.unraw(),
                        field.ident.unraw()
                    ),
                ));
            }
        }
    }
    clashes
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{GENERATED_FNS, RESERVED};

    #[test]
    fn generated_fns_lists_every_function_the_derive_puts_on_the_struct() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/expand.rs");
        let text = std::fs::read_to_string(src).expect("expand.rs");
        let body = text
            .split_once("fn constructors(")
            .expect("expand::constructors")
            .1;
        let body = body.split_once("\n}\n").expect("its end").0;
        let generated: Vec<&str> = body
            .split("#vis fn ")
            .skip(1)
            .map(|rest| rest.split('(').next().expect("a name"))
            .collect();
        assert_eq!(generated, GENERATED_FNS);
    }

    /// The methods of `mapped::Handle` that take `self` in any form, read from the runtime's
    /// source: a field accessor of the same name would be hidden behind each.
    fn handle_methods() -> Vec<String> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../mapped-core/src");
        let mut methods = Vec::new();
        let mut dirs = vec![src];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("the runtime's sources") {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|ext| ext == "rs") {
                    let text = std::fs::read_to_string(&path).expect("a source file");
                    methods.extend(methods_of_handle_impls(&text));
                }
            }
        }
        methods
    }

    /// The `pub fn`s with a `self` receiver inside `impl ... Handle<...> { ... }` blocks (not
    /// trait impls), found by counting braces outside comments.
    fn methods_of_handle_impls(text: &str) -> Vec<String> {
        let mut methods = Vec::new();
        let (mut depth, mut handle_depth, mut pending) = (0usize, None, false);
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for (i, line) in lines.iter().enumerate() {
            if line.starts_with("//") {
                continue;
            }
            if handle_depth.is_none()
                && line.starts_with("impl")
                && line.contains(" Handle<")
                && !line.contains(" for ")
            {
                pending = true;
            }
            if let (Some(at), Some(rest)) = (handle_depth, line.strip_prefix("pub fn ")) {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let params = lines[i..].join(" ");
                let params = params
                    .split_once('(')
                    .map_or("", |(_, after)| after)
                    .trim_start();
                let receiver = ["self", "&self", "&mut self", "mut self", "&'_ self"]
                    .iter()
                    .any(|receiver| params.starts_with(receiver));
                if receiver && depth == at + 1 {
                    methods.push(name);
                }
            }
            for c in line.chars() {
                match c {
                    '{' => {
                        if pending {
                            handle_depth = Some(depth);
                            pending = false;
                        }
                        depth += 1;
                    }
                    '}' => {
                        depth = depth.saturating_sub(1);
                        if handle_depth == Some(depth) {
                            handle_depth = None;
                        }
                    }
                    _ => {}
                }
            }
        }
        methods
    }

    #[test]
    fn every_method_of_handle_is_a_reserved_field_name() {
        let methods = handle_methods();
        assert!(
            methods.len() >= 10,
            "found only {methods:?}: the scan is broken"
        );
        for method in &methods {
            assert!(
                RESERVED.iter().any(|(name, _)| name == method),
                "`Handle::{method}` would hide a field accessor named `{method}`: add it to \
                 RESERVED in check.rs"
            );
        }
        for (name, owner) in RESERVED {
            if owner.starts_with("`Handle::") {
                assert!(
                    methods.iter().any(|method| method == name),
                    "RESERVED names `Handle::{name}`, which no longer exists"
                );
            }
        }
    }
}
