//! `mapped inspect`: what a file holds, from its header alone.

use std::io::Write;
use std::path::PathBuf;

use mapped::{Endian, FieldInfo, FieldKind, FileInfo, FileKind};
use serde_json::{json, Value};

use crate::read;
use crate::CliError;

/// The arguments of `mapped inspect`.
///
/// ```
/// use clap::Parser;
/// let cli = mapped_cli::Cli::try_parse_from(["mapped", "inspect", "--json", "log.bin"]).unwrap();
/// assert!(matches!(cli.command, mapped_cli::Command::Inspect(args) if args.json));
/// ```
#[derive(Debug, clap::Args)]
pub struct Args {
    /// One JSON object, with stable keys, instead of the summary for people.
    #[arg(long)]
    pub json: bool,
    /// The `mapped` file.
    pub file: PathBuf,
}

/// Writes the summary of `args.file` to `out`. Reads the header and schema only, whatever the
/// file's size.
///
/// # Errors
/// [`CliError::Unreadable`] for a path that is not a readable `mapped` file;
/// [`CliError::Output`].
///
/// ```
/// use mapped_cli::inspect;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("log.bin");
/// mapped::MappedVec::<[u8; 16]>::open_or_create(&path)?.push([1; 16])?;
///
/// let mut out = Vec::new();
/// inspect::run(&inspect::Args { json: true, file: path }, &mut out)?;
/// let summary: serde_json::Value = serde_json::from_slice(&out)?;
/// assert_eq!(summary["kind"], "records");
/// assert_eq!(summary["name"], "[u8; 16]");
/// assert_eq!((summary["record_size"].as_u64(), summary["len"].as_u64()), (Some(16), Some(1)));
/// # Ok(()) }
/// ```
pub fn run(args: &Args, out: &mut dyn Write) -> Result<(), CliError> {
    let info = read::info(&args.file)?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &to_json(&info)).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        summary(&info, args, out)?;
    }
    Ok(())
}

/// The object of `inspect --json`; its keys are the contract (the README's "Command-line
/// tool").
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("log.bin");
/// mapped::MappedVec::<u32>::open_or_create(&path)?;
/// let summary = mapped_cli::inspect::to_json(&mapped::FileInfo::read(&path)?);
/// assert_eq!((summary["kind"].as_str(), summary["len"].as_u64()), (Some("records"), Some(0)));
/// assert!(summary["fingerprint"].as_str().unwrap().starts_with("0x"));
/// # Ok(()) }
/// ```
pub fn to_json(info: &FileInfo) -> Value {
    json!({
        "kind": kind_name(info.kind),
        "name": info.name,
        "version": info.version,
        "magic": String::from_utf8_lossy(&info.magic.escape_ascii().collect::<Vec<u8>>()),
        "fingerprint": format!("{:#018x}", info.fingerprint),
        "byte_order": match info.byte_order {
            Endian::Little => "little",
            Endian::Big => "big",
        },
        "data_offset": info.data_offset,
        "record_size": info.record_size,
        "align": info.align,
        "len": info.len,
        "capacity": info.capacity(),
        "file_size": info.file_size,
        "fields": fields_json(&info.fields),
    })
}

fn fields_json(fields: &[FieldInfo]) -> Value {
    fields
        .iter()
        .map(|field| {
            let mut object = json!({
                "name": field.name,
                "offset": field.offset,
                "size": field.size,
                "type": field.type_name,
            });
            if field.readonly {
                object["readonly"] = Value::Bool(true);
            }
            if !field.fields().is_empty() {
                object["fields"] = fields_json(field.fields());
            }
            object
        })
        .collect()
}

fn kind_name(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Struct => "struct",
        _ => "records",
    }
}

fn summary(info: &FileInfo, args: &Args, out: &mut dyn Write) -> std::io::Result<()> {
    let format = match info.kind {
        FileKind::Struct => format!("struct file with a header (format {})", info.format),
        _ => format!("record file (format {})", info.format),
    };
    let order = match info.byte_order {
        Endian::Little => "little-endian",
        Endian::Big => "big-endian",
    };
    writeln!(out, "file         {}", args.file.display())?;
    writeln!(out, "format       {format}")?;
    writeln!(out, "type         {}", info.name)?;
    writeln!(out, "magic        \"{}\"", info.magic.escape_ascii())?;
    writeln!(out, "version      {}", info.version)?;
    writeln!(out, "fingerprint  {:#018x}", info.fingerprint)?;
    writeln!(out, "byte order   {order}")?;
    writeln!(out, "data offset  {}", info.data_offset)?;
    writeln!(
        out,
        "record size  {} bytes, aligned to {}",
        info.record_size, info.align
    )?;
    let counted = match info.kind {
        FileKind::Struct => "struct   ",
        _ => "records  ",
    };
    writeln!(
        out,
        "{counted}    {} (the file holds {})",
        info.len,
        info.capacity()
    )?;
    writeln!(out, "file size    {} bytes", info.file_size)?;
    if info.fields.is_empty() {
        return Ok(());
    }
    let mut rows = Vec::new();
    table_rows(&info.fields, 0, Some(0), &mut rows);
    let name_w = rows
        .iter()
        .map(|row| row.name.len())
        .chain(["name".len()])
        .max()
        .unwrap_or(0);
    writeln!(out)?;
    writeln!(
        out,
        "{:>7}  {:>8}  {:name_w$}  type",
        "offset", "size", "name"
    )?;
    for row in &rows {
        writeln!(
            out,
            "{:>7}  {:>8}  {:name_w$}  {}",
            row.offset, row.size, row.name, row.ty
        )?;
    }
    Ok(())
}

struct Row {
    /// From the record's start; `+N` from the element's, for the fields of an array of structs.
    offset: String,
    size: usize,
    /// Indented by depth: a nested struct's fields follow it.
    name: String,
    ty: String,
}

/// `base` is where the fields' struct starts in the record, `None` in an array's elements.
fn table_rows(fields: &[FieldInfo], depth: usize, base: Option<usize>, rows: &mut Vec<Row>) {
    for field in fields {
        let (offset, nested_base) = match base {
            Some(base) => (
                (base + field.offset).to_string(),
                matches!(field.kind, FieldKind::Struct(_)).then_some(base + field.offset),
            ),
            None => (format!("+{}", field.offset), None),
        };
        rows.push(Row {
            offset,
            size: field.size,
            name: format!("{}{}", "  ".repeat(depth), field.name),
            ty: if field.readonly {
                format!("{} (readonly)", field.type_name)
            } else {
                field.type_name.clone()
            },
        });
        table_rows(field.fields(), depth + 1, nested_base, rows);
    }
}
