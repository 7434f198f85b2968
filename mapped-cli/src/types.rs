//! What the Rust types behind a schema are: their alignment, and whether `mapped` can have
//! written them at all. `verify` and `rust` share these.

use mapped::{FieldKind, StructInfo};

/// The alignment Rust gives a field of this kind on this machine.
pub(crate) fn align(kind: &FieldKind) -> usize {
    match kind {
        FieldKind::Unsigned { bytes: 16 } | FieldKind::Signed { bytes: 16 } => {
            std::mem::align_of::<u128>()
        }
        FieldKind::Unsigned { bytes }
        | FieldKind::Signed { bytes }
        | FieldKind::Float { bytes } => *bytes,
        // zerocopy's byte-order types are byte arrays underneath.
        FieldKind::ByteOrder { .. } => 1,
        FieldKind::Atomic { value } => value.size(),
        FieldKind::Array { element, .. } => align(element),
        FieldKind::Struct(nested) => nested.align,
        _ => 1,
    }
}

/// The alignment of a struct's fields alone: a struct aligned above it has `align(N)`.
pub(crate) fn natural_align(layout: &StructInfo) -> usize {
    layout
        .fields
        .iter()
        .map(|field| align(&field.kind))
        .max()
        .unwrap_or(1)
}

/// Fails, saying why, if no Rust type `mapped` accepts has this kind: byte-order wrappers exist
/// for integers of 2 to 16 bytes and floats, atomics for integers of up to 8.
pub(crate) fn written_by_mapped(kind: &FieldKind) -> Result<(), String> {
    let integer =
        |kind: &FieldKind| matches!(kind, FieldKind::Unsigned { .. } | FieldKind::Signed { .. });
    match kind {
        FieldKind::ByteOrder { value, .. }
            if (integer(value) && value.size() >= 2)
                || matches!(**value, FieldKind::Float { .. }) =>
        {
            Ok(())
        }
        FieldKind::Atomic { value } if integer(value) && value.size() <= 8 => Ok(()),
        FieldKind::ByteOrder { .. } | FieldKind::Atomic { .. } => {
            Err(format!("`{}` is no Rust type", kind.rust_type()))
        }
        FieldKind::Array { element, .. } => written_by_mapped(element),
        FieldKind::Struct(nested) => nested.fields.iter().try_for_each(|field| {
            written_by_mapped(&field.kind).map_err(|why| format!("field `{}`: {why}", field.name))
        }),
        _ => Ok(()),
    }
}
