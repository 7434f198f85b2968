//! The property test of schema evolution's rule (issue 14): random field lists, random edits
//! (append, remove, retype, reorder, insert), and each pair classified exactly as the issue's
//! table says, by [`schema::relation`] and by the real header check, [`Identity::judge`], on the
//! header the original layout's file would have.

use std::path::Path;

use proptest::prelude::*;

use crate::error::Error;
use crate::header::{Fit, Identity, Kind};
use crate::schema::{self, FieldKind, Relation};
use crate::shape::{Field, Layout, Shape};

/// The scalar types fields are drawn from.
const SCALARS: [Shape; 6] = [
    Shape::Unsigned { bytes: 1 },
    Shape::Unsigned { bytes: 2 },
    Shape::Unsigned { bytes: 4 },
    Shape::Unsigned { bytes: 8 },
    Shape::Signed { bytes: 4 },
    Shape::Float { bytes: 8 },
];

/// A field list: (name, index into `SCALARS`), names unique.
type Fields = Vec<(String, usize)>;

#[derive(Debug, Clone)]
enum Edit {
    Append(usize),
    Remove(usize),
    Retype(usize, usize),
    Reorder(usize, usize),
    Insert(usize, usize),
}

/// What the table says of a file of the original fields opened by the edited ones.
#[derive(Debug, PartialEq)]
enum Expected {
    Older,
    Newer,
    Different,
}

fn fields() -> impl Strategy<Value = Fields> {
    prop::collection::vec(0..SCALARS.len(), 1..8).prop_map(|kinds| {
        kinds
            .into_iter()
            .enumerate()
            .map(|(i, kind)| (format!("f{i}"), kind))
            .collect()
    })
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..SCALARS.len()).prop_map(Edit::Append),
        any::<usize>().prop_map(Edit::Remove),
        (any::<usize>(), 1..SCALARS.len()).prop_map(|(i, by)| Edit::Retype(i, by)),
        (any::<usize>(), 1usize..7).prop_map(|(i, by)| Edit::Reorder(i, by)),
        (any::<usize>(), 0..SCALARS.len()).prop_map(|(i, kind)| Edit::Insert(i, kind)),
    ]
}

/// Applies `edit`, and says what the table expects of the pair; `None` if the edit does not
/// apply (removing the only field).
fn apply(fields: &Fields, edit: &Edit) -> Option<(Fields, Expected)> {
    let mut edited = fields.clone();
    let len = fields.len();
    let fresh = "new".to_string();
    let expected = match *edit {
        Edit::Append(kind) => {
            edited.push((fresh, kind));
            Expected::Older
        }
        Edit::Remove(i) => {
            if len < 2 {
                return None;
            }
            let i = i % len;
            edited.remove(i);
            // Removing the last field leaves a prefix: the file is then the newer layout.
            if i == len - 1 {
                Expected::Newer
            } else {
                Expected::Different
            }
        }
        Edit::Retype(i, by) => {
            let i = i % len;
            edited[i].1 = (edited[i].1 + by) % SCALARS.len();
            Expected::Different
        }
        Edit::Reorder(i, by) => {
            if len < 2 {
                return None;
            }
            let (i, j) = (i % len, (i % len + by % (len - 1) + 1) % len);
            edited.swap(i, j);
            Expected::Different
        }
        Edit::Insert(i, kind) => {
            // Before an existing field: at the end it would be an append.
            edited.insert(i % len, (fresh, kind));
            Expected::Different
        }
    };
    Some((edited, expected))
}

/// A `'static` layout of the fields, laid out as `#[repr(C)]` does.
fn shape(fields: &Fields) -> &'static Shape {
    let mut offset: usize = 0;
    let mut align: usize = 1;
    let laid: Vec<Field> = fields
        .iter()
        .map(|(name, kind)| {
            let shape: &'static Shape = &SCALARS[*kind];
            let size = shape.size();
            offset = offset.next_multiple_of(size);
            align = align.max(size);
            let field = Field {
                name: Box::leak(name.clone().into_boxed_str()),
                offset,
                size,
                type_name: "",
                shape,
                readonly: false,
            };
            offset += size;
            field
        })
        .collect();
    let mut layout = Layout {
        name: "Record",
        size: offset.next_multiple_of(align),
        align,
        fingerprint: 0,
        fields: Box::leak(laid.into_boxed_slice()),
        seqlock: false,
    };
    let FieldKind::Struct(info) = FieldKind::of(&Shape::Struct(Box::leak(Box::new(layout)))) else {
        unreachable!("a struct")
    };
    layout.fingerprint = info.fingerprint();
    Box::leak(Box::new(Shape::Struct(Box::leak(Box::new(layout)))))
}

fn identity(shape: &'static Shape) -> Identity<'static> {
    let Shape::Struct(layout) = shape else {
        unreachable!("a struct")
    };
    Identity {
        magic: *b"PROPTEST",
        version: 1,
        kind: Kind::Struct,
        shape,
        fingerprint: layout.fingerprint,
        size: layout.size as u64,
        align: layout.align,
    }
}

/// [`Identity::judge`] of the header a new file of `file` has, by `ours`.
fn judge(file: &'static Shape, ours: &'static Shape) -> Result<Fit, Error> {
    let bytes = identity(file).encode();
    let available = bytes.len() as u64 + identity(file).size;
    let read = |at: u64, len: usize| Ok(bytes[at as usize..at as usize + len].to_vec());
    identity(ours)
        .judge(Path::new("prop.bin"), &bytes[..64], available, &read)
        .map(|verdict| verdict.fit)
}

#[test]
fn a_format_3_struct_header_holds_63_scalar_fields_with_8_byte_names() {
    let fields =
        |count: usize| -> Fields { (0..count).map(|i| (format!("field{i:03}"), 3)).collect() };
    let schema_len = |count: usize| identity(shape(&fields(count))).schema().len();
    assert_eq!(schema_len(63), crate::header::MAX_GROWN_SCHEMA);
    assert!(schema_len(64) > crate::header::MAX_GROWN_SCHEMA);
    assert_eq!(identity(shape(&fields(63))).encoded_len(), 4096);
    assert_eq!(identity(shape(&fields(64))).encoded_len(), 8192);
}

/// [`shape`] with the struct size the header claims replaced (and the fingerprint to match), as a
/// hostile file could have it.
fn lying_about_size(fields: &Fields, size: usize) -> &'static Shape {
    let Shape::Struct(honest) = shape(fields) else {
        unreachable!("a struct")
    };
    let mut layout = Layout { size, ..**honest };
    let FieldKind::Struct(info) = FieldKind::of(&Shape::Struct(Box::leak(Box::new(layout)))) else {
        unreachable!("a struct")
    };
    layout.fingerprint = info.fingerprint();
    Box::leak(Box::new(Shape::Struct(Box::leak(Box::new(layout)))))
}

#[test]
fn a_header_whose_struct_size_contradicts_its_fields_is_refused() {
    let a: Fields = vec![("a".to_string(), 3)];
    let ab: Fields = vec![("a".to_string(), 3), ("b".to_string(), 3)];
    // A "newer" file smaller than the type: a handle would map less than the type.
    let newer = judge(lying_about_size(&ab, 4), shape(&a));
    assert!(
        matches!(newer, Err(Error::LayoutMismatch { .. })),
        "{newer:?}"
    );
    // An "older" file larger than the type: an upgrade would shrink it.
    let older = judge(lying_about_size(&a, 1000), shape(&ab));
    assert!(
        matches!(older, Err(Error::LayoutMismatch { .. })),
        "{older:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn every_edit_is_classified_as_the_table_says(original in fields(), edit in edit()) {
        let Some((edited, expected)) = apply(&original, &edit) else {
            return Ok(());
        };
        let (old, new) = (shape(&original), shape(&edited));
        let (old_kind, new_kind) = (FieldKind::of(old), FieldKind::of(new));
        let names = |fields: &[(String, usize)]| -> Vec<String> {
            fields.iter().map(|(name, _)| name.clone()).collect()
        };
        // Both ways: the file of the original opened by the edited type, and the reverse.
        let (forward, backward) = (
            schema::relation(&old_kind, &new_kind),
            schema::relation(&new_kind, &old_kind),
        );
        let (judged_forward, judged_backward) = (judge(old, new), judge(new, old));
        match expected {
            Expected::Older => {
                let missing = names(&edited[original.len()..]);
                prop_assert_eq!(&forward, &Relation::Older { missing: missing.clone() });
                prop_assert_eq!(&backward, &Relation::Newer { extra: missing.clone() });
                prop_assert_eq!(judged_forward.unwrap(), Fit::Older { missing: missing.clone() });
                prop_assert_eq!(judged_backward.unwrap(), Fit::Newer { extra: missing });
            }
            Expected::Newer => {
                let extra = names(&original[edited.len()..]);
                prop_assert_eq!(&forward, &Relation::Newer { extra: extra.clone() });
                prop_assert_eq!(&backward, &Relation::Older { missing: extra.clone() });
                prop_assert_eq!(judged_forward.unwrap(), Fit::Newer { extra: extra.clone() });
                prop_assert_eq!(judged_backward.unwrap(), Fit::Older { missing: extra });
            }
            Expected::Different => {
                prop_assert!(matches!(forward, Relation::Different(_)), "{:?}", forward);
                prop_assert!(matches!(backward, Relation::Different(_)), "{:?}", backward);
                for judged in [judged_forward, judged_backward] {
                    prop_assert!(
                        matches!(judged, Err(Error::LayoutMismatch { difference: Some(_), .. })),
                        "{:?}",
                        judged
                    );
                }
            }
        }
        // And every layout is the same as itself.
        prop_assert_eq!(schema::relation(&new_kind, &new_kind), Relation::Same);
        prop_assert_eq!(judge(new, new).unwrap(), Fit::Same);
    }
}
