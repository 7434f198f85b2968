//! C export: a C11 header describing a mapped struct, checked by `_Static_assert`s.

use std::fmt::{self, Write as _};

use crate::file_info::{FileInfo, FileKind};
use crate::header;
use crate::mapped::Mapped;
use crate::schema::{FieldKind, StructInfo};
use crate::shape::{Layout, Shape};

/// A self-contained C11 header declaring `T` (and every struct nested in it) with the same field
/// names, `<stdint.h>` types and layout, so a C program can map the same file.
/// [`FileInfo::c_header`] writes the same text from a file's schema, without the Rust type.
///
/// The header has an include guard, defines nested structs first, asserts every struct's size,
/// alignment and field offsets with `_Static_assert` (so a stale header fails to compile), and,
/// for a struct with `#[mapped(magic = ..., version = ...)]`, declares the file header that comes
/// before the struct in its file, with its magic, version, fingerprint and length as macros.
///
/// Each struct definition has a guard of its own, named after the struct and its layout's
/// fingerprint, so headers of several types that nest the same struct can be included in one C
/// file; two different structs of the same name still fail to compile there, as they should.
///
/// Byte-order fields become byte arrays of their size (`uint8_t length[4]; /* big-endian
/// uint32_t */`): they are aligned to 1 in Rust, as a byte array is in C, where a `uint32_t` would
/// be aligned to 4 and move every field after it. A struct aligned above its fields
/// (`#[repr(C, align(16))]`) gets `_Alignas(16)` on its first field. Atomic fields become `_Atomic`
/// integers.
///
/// A struct that C cannot express is a compile-time error, not a wrong header: a field (of `T` or
/// of a struct nested in it) that is a `u128` or `i128`, or a zero-length array; a field or struct
/// named after a C keyword (`int`, `_Bool`), an identifier C reserves (`_Foo`, `__foo`) or a macro
/// of the headers it includes (`NULL`, `SIZE_MAX`, `INT32_C`, `atomic_load`); or two different
/// nested structs of the same name (`a::Point` and `b::Point`), which C would see as one.
///
/// ```
/// use mapped::Mapped;
/// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Point { x: f64, y: f64 }
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Body { id: u64, pos: Point, tag: [u8; 16] }
///
/// let header = mapped::c_header::<Body>();
/// assert!(header.contains("struct Point {\n    double x;\n    double y;\n};"));
/// assert!(header.contains("    struct Point pos;\n    uint8_t tag[16];"));
/// assert!(header.contains("_Static_assert(offsetof(struct Body, tag) == 24"));
/// ```
///
/// ```compile_fail,E0080
/// # use mapped::Mapped;
/// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Wide { value: u128 }
///
/// mapped::c_header::<Wide>(); // C11 has no 128-bit integer
/// ```
///
/// ```compile_fail,E0080
/// # use mapped::Mapped;
/// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Sizes { int: u32, long: u32 }
///
/// mapped::c_header::<Sizes>(); // `int` and `long` are C keywords
/// ```
///
/// ```compile_fail,E0080
/// # use mapped::Mapped;
/// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Flags { _Bool: u8 }
///
/// mapped::c_header::<Flags>(); // `_Bool` is a C keyword, and C reserves every `_Upper` name
/// ```
///
/// ```compile_fail,E0080
/// # use mapped::Mapped;
/// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Limits { SIZE_MAX: u64 }
///
/// mapped::c_header::<Limits>(); // <stdint.h> defines `SIZE_MAX` as a macro
/// ```
///
/// ```compile_fail,E0080
/// # use mapped::Mapped;
/// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
/// #[allow(non_camel_case_types)]
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct int { value: u32 }
///
/// mapped::c_header::<int>(); // `struct int` is no C
/// ```
///
/// ```compile_fail,E0080
/// # use mapped::Mapped;
/// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
/// mod a {
///     # use mapped::Mapped;
///     # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///     #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
///     #[repr(C)]
///     pub struct Point { pub x: f64, pub y: f64 }
/// }
/// mod b {
///     # use mapped::Mapped;
///     # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///     #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
///     #[repr(C)]
///     pub struct Point { pub x: i32, pub y: i32 }
/// }
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Segment { p: a::Point, q: b::Point }
///
/// mapped::c_header::<Segment>(); // C would see one `struct Point`
/// ```
pub fn c_header<T: Mapped>() -> String {
    const {
        assert!(
            layout_is_c(&<T as Mapped>::LAYOUT),
            "this struct cannot be exported to C: a field (or a field of a nested struct) is a \
             `u128` or `i128`, which C11 has no type for, or a zero-length array, which C forbids; \
             or a field or struct is named after a C keyword, a reserved identifier or a macro \
             of <stddef.h>, <stdint.h> or <stdatomic.h>"
        );
        assert!(
            struct_names_are_unique(&<T as Mapped>::LAYOUT, &<T as Mapped>::LAYOUT),
            "this struct cannot be exported to C: it nests two different structs of the same \
             name, which C would take for one; rename one of them"
        );
    }
    let layout = <T as Mapped>::LAYOUT;
    let file = T::HEADER.map(|spec| FileHeader {
        magic: spec.magic,
        version: spec.version,
        fingerprint: layout.fingerprint,
        data_offset: header::struct_data_offset(&T::SHAPE, layout.align) as u64,
    });
    write_header(&StructInfo::of(&layout), file.as_ref())
}

impl FileInfo {
    /// The C11 header for the layout this file's schema describes: the same text as
    /// [`c_header::<T>()`](c_header) for the struct `T` that wrote it, the file header's
    /// declarations included for a struct file (with the magic, version, fingerprint and data
    /// offset the file holds). A record file's own header gets no declarations: a C reader
    /// takes the data offset and count from it as `docs/file-formats.md` says.
    ///
    /// # Errors
    /// [`CHeaderError`] where `c_header::<T>()` would not compile: a 128-bit integer, a
    /// zero-length array, a name C reserves or cannot spell, two different structs of one name;
    /// and for a record file of a scalar or array type, which has no struct to declare.
    ///
    /// ```
    /// use mapped::{FileInfo, Mapped, MappedVec};
    /// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    ///
    /// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// #[repr(C)]
    /// struct Tick { at: u64, price: f64 }
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("ticks.bin");
    /// MappedVec::<Tick>::open_or_create(&path)?;
    /// assert_eq!(FileInfo::read(&path)?.c_header()?, mapped::c_header::<Tick>());
    ///
    /// MappedVec::<u128>::open_or_create(&path.with_extension("wide"))?;
    /// assert!(FileInfo::read(path.with_extension("wide"))?.c_header().is_err());
    /// # Ok(()) }
    /// ```
    pub fn c_header(&self) -> Result<String, CHeaderError> {
        let FieldKind::Struct(root) = &self.root else {
            return Err(CHeaderError {
                type_name: self.name.clone(),
                reason: "the records are no struct: C reads them as an array of the element type, \
                         with no declarations needed"
                    .to_string(),
            });
        };
        let fail = |reason: String| CHeaderError {
            type_name: root.name.clone(),
            reason,
        };
        check_struct(root).map_err(fail)?;
        let mut names = Vec::new();
        unique_names(root, &mut names).map_err(fail)?;
        let file = match self.kind {
            FileKind::Struct => Some(FileHeader {
                magic: self.magic,
                version: self.version,
                fingerprint: self.fingerprint,
                data_offset: self.data_offset,
            }),
            FileKind::Records => None,
        };
        Ok(write_header(root, file.as_ref()))
    }
}

/// Why a layout read from a file has no C header ([`FileInfo::c_header`]): the cases
/// [`c_header`] rejects at compile time.
///
/// ```
/// let err = mapped::CHeaderError { type_name: "Wide".into(), reason: "field `v` is a `u128`".into() };
/// assert_eq!(err.to_string(), "no C11 header for `Wide`: field `v` is a `u128`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CHeaderError {
    /// The type asked for.
    pub type_name: String,
    /// What C cannot express.
    pub reason: String,
}

impl fmt::Display for CHeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no C11 header for `{}`: {}", self.type_name, self.reason)
    }
}

impl std::error::Error for CHeaderError {}

/// The declarations of the file header in front of a struct with `magic`.
struct FileHeader {
    magic: [u8; 8],
    version: u32,
    fingerprint: u64,
    data_offset: u64,
}

/// The one generator behind [`c_header`] and [`FileInfo::c_header`], over a layout already
/// known to be expressible in C.
fn write_header(root: &StructInfo, file: Option<&FileHeader>) -> String {
    let mut out = String::new();
    let guard = format!("MAPPED_{}_H", upper_snake(&root.name));
    let _ = write!(
        out,
        "/* Generated by mapped::c_header::<{name}>() from the Rust struct `{name}`.\n \
         * Regenerate it when the struct changes: the _Static_asserts fail if it is stale. */\n\
         #ifndef {guard}\n#define {guard}\n\n#include <stddef.h>\n#include <stdint.h>\n",
        name = root.name
    );
    if uses_atomics(root) {
        out.push_str("#include <stdatomic.h>\n");
    }
    let mut defined = Vec::new();
    define_struct(&mut out, root, &mut defined);
    if let Some(spec) = file {
        let prefix = upper_snake(&root.name);
        let name = &root.name;
        let _ = write!(
            out,
            "\n/* The file header #[mapped(magic, version)] writes in front of struct {name} \
             (docs/file-formats.md,\n * format 3). Its integers are little-endian on every \
             machine. The version, fingerprint and\n * size are in the active schema area, which \
             {name}_active_area finds; struct {name} starts\n * at data_offset, \
             {prefix}_HEADER_LEN for every file of it. */\n\
             #define {prefix}_MAGIC \"{magic}\"\n\
             #define {prefix}_VERSION {version}u\n\
             #define {prefix}_FINGERPRINT UINT64_C({fingerprint:#018x})\n\
             #define {prefix}_HEADER_LEN {len}\n\n\
             struct {name}_file_header {{\n    \
             uint8_t magic[8];\n    \
             uint32_t unused_version; /* 0: see the schema area */\n    \
             uint32_t byte_order; /* 1: the struct is little-endian, 2: big-endian */\n    \
             uint64_t unused_fingerprint; /* 0 */\n    \
             uint64_t unused_size; /* 0 */\n    \
             uint64_t data_offset; /* where struct {name} starts, from the header's start */\n    \
             uint64_t count; /* 1 */\n    \
             uint32_t format; /* 3 */\n    \
             uint32_t kind; /* 1: a struct */\n    \
             uint32_t area_len; /* bytes of each of the two schema areas */\n    \
             uint32_t reserved;\n    \
             uint64_t generation; /* the active area: A (at 72) if even, B if odd */\n}};\n\
             _Static_assert(sizeof(struct {name}_file_header) == 72, \
             \"struct {name}_file_header: size\");\n\n\
             /* A schema area: the layout the file holds, then its schema. A file written by a \
             newer\n * layout of struct {name} (fields appended) has a larger size and another \
             fingerprint;\n * struct {name} is a prefix of it. */\n\
             struct {name}_schema_area {{\n    \
             uint32_t version;\n    \
             uint32_t schema_len;\n    \
             uint64_t fingerprint;\n    \
             uint64_t size;\n}};\n\n\
             static inline const struct {name}_schema_area *\n\
             {name}_active_area(const struct {name}_file_header *header) {{\n    \
             const uint8_t *bytes = (const uint8_t *)header;\n    \
             return (const struct {name}_schema_area *)(bytes + 72 + \
             (header->generation & 1) * header->area_len);\n}}\n",
            magic = c_string(&spec.magic),
            version = spec.version,
            fingerprint = spec.fingerprint,
            len = spec.data_offset,
        );
    }
    let _ = write!(out, "\n#endif /* {guard} */\n");
    out
}

/// Defines `layout`'s struct after every struct it nests, each once.
fn define_struct(out: &mut String, layout: &StructInfo, defined: &mut Vec<String>) {
    if defined.contains(&layout.name) {
        return;
    }
    for field in &layout.fields {
        if let Some(nested) = nested_struct(&field.kind) {
            define_struct(out, nested, defined);
        }
    }
    defined.push(layout.name.clone());
    let name = &layout.name;
    let guard = format!("MAPPED_STRUCT_{name}_{:016x}", layout.fingerprint());
    let _ = writeln!(out, "\n#ifndef {guard}\n#define {guard}\nstruct {name} {{");
    let natural_align = layout
        .fields
        .iter()
        .map(|field| c_align(&field.kind))
        .max()
        .unwrap_or(1);
    for (i, field) in layout.fields.iter().enumerate() {
        let (ty, dims, comment) = c_declaration(&field.kind);
        // C11 has no alignment for a struct type, but a member's alignment raises the struct's.
        let align = if i == 0 && layout.align > natural_align {
            format!("_Alignas({}) ", layout.align)
        } else {
            String::new()
        };
        let _ = writeln!(out, "    {align}{ty} {}{dims};{comment}", field.name);
    }
    out.push_str("};\n");
    let _ = writeln!(
        out,
        "_Static_assert(sizeof(struct {name}) == {}, \"struct {name}: size\");",
        layout.size
    );
    let _ = writeln!(
        out,
        "_Static_assert(_Alignof(struct {name}) == {}, \"struct {name}: alignment\");",
        layout.align
    );
    for field in &layout.fields {
        let _ = writeln!(
            out,
            "_Static_assert(offsetof(struct {name}, {field}) == {offset}, \
             \"struct {name}: offset of {field}\");",
            field = field.name,
            offset = field.offset
        );
    }
    let _ = writeln!(out, "#endif /* {guard} */");
}

/// The struct a field of this kind is, or is an array of.
fn nested_struct(kind: &FieldKind) -> Option<&StructInfo> {
    match kind {
        FieldKind::Array { element, .. } => nested_struct(element),
        FieldKind::Struct(nested) => Some(nested),
        _ => None,
    }
}

/// The alignment C gives a field of this kind, as declared by [`c_declaration`].
fn c_align(kind: &FieldKind) -> usize {
    match kind {
        FieldKind::Unsigned { bytes }
        | FieldKind::Signed { bytes }
        | FieldKind::Float { bytes } => *bytes,
        FieldKind::ByteOrder { .. } => 1,
        FieldKind::Atomic { value } => c_align(value),
        FieldKind::Array { element, .. } => c_align(element),
        FieldKind::Struct(nested) => nested.align,
    }
}

/// The C type, the array dimensions after the name, and a comment.
fn c_declaration(kind: &FieldKind) -> (String, String, String) {
    match kind {
        FieldKind::Array { element, len } => {
            let (ty, dims, comment) = c_declaration(element);
            (ty, format!("[{len}]{dims}"), comment)
        }
        FieldKind::Struct(nested) => (
            format!("struct {}", nested.name),
            String::new(),
            String::new(),
        ),
        FieldKind::Atomic { value } => (
            format!("_Atomic {}", c_scalar(value)),
            String::new(),
            String::new(),
        ),
        FieldKind::ByteOrder { value, big_endian } => {
            let order = if *big_endian { "big" } else { "little" };
            let bits = value.size() * 8;
            let native = match value.as_ref() {
                FieldKind::Signed { .. } => format!("int{bits}_t"),
                FieldKind::Float { .. } => c_scalar(value).to_string(),
                _ => format!("uint{bits}_t"),
            };
            (
                "uint8_t".to_string(),
                format!("[{}]", bits / 8),
                format!(" /* {order}-endian {native} */"),
            )
        }
        scalar => (c_scalar(scalar).to_string(), String::new(), String::new()),
    }
}

fn c_scalar(kind: &FieldKind) -> &'static str {
    c_scalar_name(kind).unwrap_or_else(|| {
        // `layout_is_c` rejected it at compile time, `check_kind` before a file's header.
        unreachable!("no C type for {kind:?}")
    })
}

fn c_scalar_name(kind: &FieldKind) -> Option<&'static str> {
    Some(match kind {
        FieldKind::Unsigned { bytes: 1 } => "uint8_t",
        FieldKind::Unsigned { bytes: 2 } => "uint16_t",
        FieldKind::Unsigned { bytes: 4 } => "uint32_t",
        FieldKind::Unsigned { bytes: 8 } => "uint64_t",
        FieldKind::Signed { bytes: 1 } => "int8_t",
        FieldKind::Signed { bytes: 2 } => "int16_t",
        FieldKind::Signed { bytes: 4 } => "int32_t",
        FieldKind::Signed { bytes: 8 } => "int64_t",
        FieldKind::Float { bytes: 4 } => "float",
        FieldKind::Float { bytes: 8 } => "double",
        _ => return None,
    })
}

fn uses_atomics(layout: &StructInfo) -> bool {
    fn kind_uses(kind: &FieldKind) -> bool {
        match kind {
            FieldKind::Atomic { .. } => true,
            FieldKind::Array { element, .. } => kind_uses(element),
            FieldKind::Struct(nested) => uses_atomics(nested),
            _ => false,
        }
    }
    layout.fields.iter().any(|field| kind_uses(&field.kind))
}

// ---- What a layout read from a file must be for C: `layout_is_c` and
// `struct_names_are_unique` at run time, plus what a Rust type always is (identifiers, the
// kinds `mapped` writes). ----

fn check_struct(layout: &StructInfo) -> Result<(), String> {
    check_name(&layout.name, "struct")?;
    for field in &layout.fields {
        check_name(&field.name, "field")?;
        check_kind(&field.kind).map_err(|why| format!("field `{}` {why}", field.name))?;
    }
    Ok(())
}

fn check_name(name: &str, what: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let identifier = chars
        .next()
        .is_some_and(|first| first == '_' || first.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric());
    if !identifier {
        return Err(format!("the {what} name {name:?} is no C identifier"));
    }
    if !is_c_name(name) {
        return Err(format!(
            "the {what} name `{name}` is a C keyword, a reserved identifier or a macro of \
             <stddef.h>, <stdint.h> or <stdatomic.h>"
        ));
    }
    Ok(())
}

fn check_kind(kind: &FieldKind) -> Result<(), String> {
    let integer =
        |kind: &FieldKind| matches!(kind, FieldKind::Unsigned { .. } | FieldKind::Signed { .. });
    match kind {
        FieldKind::Unsigned { bytes: 16 } | FieldKind::Signed { bytes: 16 } => Err(format!(
            "is a `{}`, which C11 has no type for",
            kind.rust_type()
        )),
        FieldKind::ByteOrder { value, .. } | FieldKind::Atomic { value } if value.size() == 16 => {
            Err(format!(
                "is a `{}`, which C11 has no type for",
                kind.rust_type()
            ))
        }
        FieldKind::ByteOrder { value, .. }
            if (integer(value) && value.size() >= 2)
                || matches!(**value, FieldKind::Float { .. }) =>
        {
            Ok(())
        }
        FieldKind::Atomic { value } if integer(value) => Ok(()),
        FieldKind::ByteOrder { .. } | FieldKind::Atomic { .. } => Err(format!(
            "is a `{}`, which no Rust type is",
            kind.rust_type()
        )),
        FieldKind::Array { len: 0, .. } => Err("is a zero-length array, which C forbids".into()),
        FieldKind::Array { element, .. } => check_kind(element),
        FieldKind::Struct(nested) => check_struct(nested),
        scalar => c_scalar_name(scalar)
            .map(|_| ())
            .ok_or_else(|| format!("is a `{}`, which C11 has no type for", scalar.rust_type())),
    }
}

/// Fails if two different structs nested in `layout` share a name, which C would take for one.
fn unique_names(layout: &StructInfo, seen: &mut Vec<(String, u64)>) -> Result<(), String> {
    let fingerprint = layout.fingerprint();
    match seen.iter().find(|(name, _)| *name == layout.name) {
        Some((_, known)) if *known != fingerprint => {
            return Err(format!(
                "it nests two different structs named `{}`, which C would take for one",
                layout.name
            ))
        }
        Some(_) => return Ok(()),
        None => seen.push((layout.name.clone(), fingerprint)),
    }
    for field in &layout.fields {
        if let Some(nested) = nested_struct(&field.kind) {
            unique_names(nested, seen)?;
        }
    }
    Ok(())
}

/// Whether every field, recursively, has a C type and a name C accepts.
const fn layout_is_c(layout: &Layout) -> bool {
    let mut i = 0;
    if !is_c_name(layout.name) {
        return false;
    }
    while i < layout.fields.len() {
        let field = &layout.fields[i];
        if !shape_is_c(field.shape) || !is_c_name(field.name) {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether every struct nested in `node` has a name no other, different struct nested in `root`
/// has. Structs of the same name and layout are the same struct to C, defined once.
const fn struct_names_are_unique(root: &Layout, node: &Layout) -> bool {
    if !name_means_one_layout(root, node) {
        return false;
    }
    let mut i = 0;
    while i < node.fields.len() {
        if let Some(nested) = nested_layout(node.fields[i].shape) {
            if !struct_names_are_unique(root, nested) {
                return false;
            }
        }
        i += 1;
    }
    true
}

/// Whether every struct in `tree` named as `layout` is laid out as `layout`.
const fn name_means_one_layout(tree: &Layout, layout: &Layout) -> bool {
    if str_eq(tree.name, layout.name) && tree.fingerprint != layout.fingerprint {
        return false;
    }
    let mut i = 0;
    while i < tree.fields.len() {
        if let Some(nested) = nested_layout(tree.fields[i].shape) {
            if !name_means_one_layout(nested, layout) {
                return false;
            }
        }
        i += 1;
    }
    true
}

/// The struct a field of this shape is, or is an array of.
const fn nested_layout(shape: &Shape) -> Option<&Layout> {
    match shape {
        Shape::Array { element, .. } => nested_layout(element),
        Shape::Struct(layout) => Some(layout),
        _ => None,
    }
}

const fn shape_is_c(shape: &Shape) -> bool {
    match shape {
        Shape::Unsigned { bytes } | Shape::Signed { bytes } => *bytes <= 8,
        Shape::Float { .. } => true,
        Shape::ByteOrder { value, .. } | Shape::Atomic { value } => shape_is_c(value),
        Shape::Array { element, len } => *len > 0 && shape_is_c(element),
        Shape::Struct(layout) => layout_is_c(layout),
    }
}

/// C11's keywords without a leading underscore (those with one are reserved identifiers, see
/// [`is_c_name`]), and the macros of the headers the generated header includes that a Rust field
/// or struct may be named: a member named `NULL` would be replaced by `((void*)0)`.
const C_TAKEN: &[&str] = &[
    "auto",
    "break",
    "case",
    "char",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "switch",
    "typedef",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
    // <stddef.h>
    "NULL",
    "offsetof",
    // <stdint.h>, besides the `INT*` and `UINT*` families
    "SIZE_MAX",
    "PTRDIFF_MIN",
    "PTRDIFF_MAX",
    "SIG_ATOMIC_MIN",
    "SIG_ATOMIC_MAX",
    "WCHAR_MIN",
    "WCHAR_MAX",
    "WINT_MIN",
    "WINT_MAX",
    // <stdatomic.h>, besides the `atomic_*` and `ATOMIC_*` families
    "kill_dependency",
];

/// Whether C accepts `name` as a struct or member name in the generated header.
const fn is_c_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    // C reserves `_` followed by an uppercase letter (`_Bool`, `_Atomic`, `_Noreturn` and the
    // keywords to come) or by another `_`.
    if bytes.len() >= 2 && bytes[0] == b'_' && (bytes[1] == b'_' || bytes[1].is_ascii_uppercase()) {
        return false;
    }
    // `INT8_MAX`, `UINT64_C`, `INTPTR_MIN`, `UINTMAX_MAX`, ...
    if (starts_with(name, "INT") || starts_with(name, "UINT"))
        && (ends_with(name, "_MIN") || ends_with(name, "_MAX") || ends_with(name, "_C"))
    {
        return false;
    }
    if starts_with(name, "atomic_") || starts_with(name, "ATOMIC_") {
        return false;
    }
    let mut i = 0;
    while i < C_TAKEN.len() {
        if str_eq(C_TAKEN[i], name) {
            return false;
        }
        i += 1;
    }
    true
}

const fn starts_with(name: &str, prefix: &str) -> bool {
    let (name, prefix) = (name.as_bytes(), prefix.as_bytes());
    if name.len() < prefix.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        if name[i] != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn ends_with(name: &str, suffix: &str) -> bool {
    let (name, suffix) = (name.as_bytes(), suffix.as_bytes());
    if name.len() < suffix.len() {
        return false;
    }
    let offset = name.len() - suffix.len();
    let mut i = 0;
    while i < suffix.len() {
        if name[offset + i] != suffix[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `Body` → `BODY`, `HttpStats` → `HTTP_STATS`.
fn upper_snake(name: &str) -> String {
    let mut out = String::new();
    let mut previous: Option<char> = None;
    for c in name.chars() {
        if c.is_uppercase() && previous.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit()) {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
        previous = Some(c);
    }
    out
}

/// The bytes as a C string literal's contents; octal escapes, since C's hex escapes are greedy.
fn c_string(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &byte in bytes {
        match byte {
            b'"' | b'\\' | b'?' => {
                let _ = write!(out, "\\{}", byte as char);
            }
            0x20..=0x7e => out.push(byte as char),
            _ => {
                let _ = write!(out, "\\{byte:03o}");
            }
        }
    }
    out
}
