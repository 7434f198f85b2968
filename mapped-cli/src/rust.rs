//! `mapped rust`: Rust types that open a file, written from its schema: the way from an
//! existing file to a program.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use mapped::{Endian, FieldKind, FileInfo, FileKind, StructInfo};

use crate::read;
use crate::types;
use crate::CliError;

/// Writes the Rust source of the `#[derive(Mapped)]` types that read `path` (nested structs
/// first), which compiles as it is and opens the file: a struct file's struct with its
/// `#[mapped(magic, version)]`, or a record file's record type for `MappedVec`.
///
/// Struct names, which the fingerprint leaves out, are made valid and distinct where the file's
/// are not (`Point`, `Point2` for two different structs named `Point`); field names are part of
/// the layout and kept (`r#type` for a keyword).
///
/// # Errors
/// [`CliError::Unreadable`] for a path that is not a readable `mapped` file;
/// [`CliError::Unsupported`] for a layout no Rust struct has (a field name Rust cannot spell,
/// fields `#[repr(C)]` would place elsewhere); [`CliError::Output`].
///
/// ```
/// use mapped::Mapped;
/// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Tick { at: u64, price: f64 }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("ticks.bin");
/// mapped::MappedVec::<Tick>::open_or_create(&path)?;
/// let mut out = Vec::new();
/// mapped_cli::rust::run(&path, &mut out)?;
/// let source = String::from_utf8(out)?;
/// assert!(source.contains("#[repr(C)]\npub struct Tick {\n    pub at: u64,\n    pub price: f64,\n}"));
/// # Ok(()) }
/// ```
pub fn run(path: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let info = read::info(path)?;
    let source = source(&info, path).map_err(|reason| CliError::Unsupported {
        path: path.to_path_buf(),
        reason,
    })?;
    out.write_all(source.as_bytes())?;
    Ok(())
}

/// The source for `info`, or why Rust cannot have it.
fn source(info: &FileInfo, path: &Path) -> Result<String, String> {
    types::written_by_mapped(&info.root)?;
    let mut structs = Vec::new();
    collect(&info.root, &mut structs);
    let names = Names::assign(&structs);
    let mut out = String::new();
    let shown = path.display().to_string();
    let record = names.type_of(&info.root);
    let open = match info.kind {
        FileKind::Struct => format!("{record}::open_read_only({shown:?})?"),
        _ => format!("mapped::MappedVec::<{record}>::open_read_only({shown:?})?"),
    };
    let _ = writeln!(
        out,
        "// Types that read `{shown}`, written by `mapped rust` from the file's schema.\n\
         // Open it with `{open}`."
    );
    if info.byte_order != native() {
        out.push_str(
            "// The file was written by a machine of the other byte order: these types open it \
             only there.\n",
        );
    }
    out.push_str(
        "\n#![allow(dead_code)]\n\nuse mapped::Mapped;\nuse zerocopy::{FromBytes, IntoBytes, KnownLayout};\n",
    );
    for layout in &structs {
        let header = match &info.root {
            FieldKind::Struct(root) if info.kind == FileKind::Struct && same(root, layout) => {
                Some((info.magic, info.version))
            }
            _ => None,
        };
        define(&mut out, layout, &names, header)?;
    }
    if !matches!(info.root, FieldKind::Struct(_)) {
        let _ = write!(
            out,
            "\n/// One record of `{shown}`.\npub type Record = {record};\n"
        );
    }
    Ok(out)
}

fn native() -> Endian {
    if cfg!(target_endian = "big") {
        Endian::Big
    } else {
        Endian::Little
    }
}

/// Every struct in `kind`, nested ones first, each once.
fn collect<'k>(kind: &'k FieldKind, structs: &mut Vec<&'k StructInfo>) {
    match kind {
        FieldKind::Array { element, .. } => collect(element, structs),
        FieldKind::Struct(layout) => {
            for field in &layout.fields {
                collect(&field.kind, structs);
            }
            if !structs.iter().any(|known| same(known, layout)) {
                structs.push(layout);
            }
        }
        _ => {}
    }
}

/// The same struct: one definition serves both.
fn same(a: &StructInfo, b: &StructInfo) -> bool {
    a.name == b.name && a.fingerprint() == b.fingerprint()
}

/// The Rust name of each struct.
struct Names<'k> {
    names: Vec<(&'k StructInfo, String)>,
}

impl<'k> Names<'k> {
    fn assign(structs: &[&'k StructInfo]) -> Names<'k> {
        // What the generated source names besides its structs.
        let mut taken: HashSet<String> =
            ["Mapped", "FromBytes", "IntoBytes", "KnownLayout", "Record"]
                .iter()
                .map(|name| name.to_string())
                .collect();
        // The root (last) keeps its name first: it is the one a program names. The nested
        // structs follow in declaration order.
        let mut names = Vec::new();
        let order = structs
            .split_last()
            .map(|(root, nested)| std::iter::once(root).chain(nested));
        for layout in order.into_iter().flatten() {
            let base = struct_name(&layout.name);
            let mut name = base.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}{n}");
                n += 1;
            }
            names.push((*layout, name));
        }
        Names { names }
    }

    fn of(&self, layout: &StructInfo) -> &str {
        &self
            .names
            .iter()
            .find(|(known, _)| same(known, layout))
            .expect("every struct was named")
            .1
    }

    /// The Rust spelling of a field's type.
    fn type_of(&self, kind: &FieldKind) -> String {
        match kind {
            FieldKind::ByteOrder { value, big_endian } => {
                let order = if *big_endian {
                    "BigEndian"
                } else {
                    "LittleEndian"
                };
                format!(
                    "zerocopy::byteorder::{}<zerocopy::byteorder::{order}>",
                    value.rust_type().to_uppercase()
                )
            }
            FieldKind::Atomic { .. } => format!("std::sync::atomic::{}", kind.rust_type()),
            FieldKind::Array { element, len } => format!("[{}; {len}]", self.type_of(element)),
            FieldKind::Struct(layout) => self.of(layout).to_string(),
            scalar => scalar.rust_type(),
        }
    }
}

/// Writes one struct, checking that `#[repr(C)]` puts its fields where the file has them.
fn define(
    out: &mut String,
    layout: &StructInfo,
    names: &Names<'_>,
    header: Option<([u8; 8], u32)>,
) -> Result<(), String> {
    let name = names.of(layout);
    let natural = types::natural_align(layout);
    if layout.align < natural {
        return Err(format!(
            "`{}` is aligned to {}, less than its fields' {natural}",
            layout.name, layout.align
        ));
    }
    let mut offset: usize = 0;
    let mut seen = HashSet::new();
    for field in &layout.fields {
        offset = offset.next_multiple_of(types::align(&field.kind));
        if field.offset != offset {
            return Err(format!(
                "field `{}` of `{}` is at offset {}, where #[repr(C)] puts it at {offset}",
                field.name, layout.name, field.offset
            ));
        }
        offset += field.size;
        if !seen.insert(&field.name) {
            return Err(format!(
                "`{}` has two fields named `{}`",
                layout.name, field.name
            ));
        }
    }
    if offset.next_multiple_of(layout.align) != layout.size {
        return Err(format!(
            "`{}` is {} bytes, #[repr(C)] makes its fields {}",
            layout.name,
            layout.size,
            offset.next_multiple_of(layout.align)
        ));
    }
    let repr = if layout.align > natural {
        format!("C, align({})", layout.align)
    } else {
        "C".to_string()
    };
    let _ = write!(
        out,
        "\n#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]\n#[repr({repr})]\n"
    );
    if let Some((magic, version)) = header {
        let _ = writeln!(
            out,
            "#[mapped(magic = b\"{}\", version = {version})]",
            magic.escape_ascii()
        );
    }
    let _ = writeln!(out, "pub struct {name} {{");
    for field in &layout.fields {
        if field.readonly {
            out.push_str("    #[mapped(readonly)]\n");
        }
        let _ = writeln!(
            out,
            "    pub {}: {},",
            field_name(&field.name)?,
            names.type_of(&field.kind)
        );
    }
    out.push_str("}\n");
    Ok(())
}

/// Rust's keywords of every edition, strict and reserved: as names they need `r#`.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static",
    "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn",
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be raw identifiers either.
const UNSPELLABLE: &[&str] = &["self", "Self", "super", "crate", "_"];

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first == '_' || first.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// A field's name as Rust spells it; the name is part of the fingerprint, so it is kept.
fn field_name(name: &str) -> Result<String, String> {
    if !is_identifier(name) || UNSPELLABLE.contains(&name) {
        return Err(format!("the field name {name:?} cannot be spelled in Rust"));
    }
    Ok(if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_string()
    })
}

/// A struct's name made a Rust type name: the fingerprint leaves it out, so it may change.
fn struct_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c == '_' || c.is_alphanumeric() {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_alphabetic()) {
        out.insert(0, 'S');
    }
    let primitive = [
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
        "f32", "f64", "bool", "char", "str",
    ];
    if KEYWORDS.contains(&out.as_str())
        || UNSPELLABLE.contains(&out.as_str())
        || primitive.contains(&out.as_str())
    {
        out.push('_');
    }
    out
}
