//! `mapped verify`: whether a file agrees with its own header and schema.

use std::io::Write;
use std::path::Path;

use mapped::{Endian, FieldKind, FileInfo, FileKind, StructInfo, HEADER_SIZE};

use crate::read::{self, Data};
use crate::types;
use crate::CliError;

/// A schema longer than this is refused by every `open` of the library.
const MAX_SCHEMA_LEN: u64 = 1 << 24;
/// Padding between the schema and the data longer than this is not read: no file the library
/// writes has more than the type's alignment of it.
const MAX_PADDING_CHECKED: u64 = 64 << 20;

/// Checks the file at `path` and writes one line saying what it is. Reads the file, never
/// writes it.
///
/// Consistent means: a header and schema [`FileInfo::read`] accepts; zero reserved bytes; a
/// schema no longer than the library opens; zeros between the schema and the data, and a file
/// that reaches the data; a fingerprint that is the schema's own; types `mapped` can write, laid
/// out as `#[repr(C)]` lays them (aligned, no overlap, no padding); a struct file's count of 1
/// and its whole struct; a record file's count no greater than the records the file holds.
///
/// # Errors
/// [`CliError::Unreadable`] (exit status 2) for a path that is not a readable `mapped` file;
/// [`CliError::Inconsistent`] (exit status 1) listing every problem found;
/// [`CliError::Output`].
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("log.bin");
/// let mut log = mapped::MappedVec::<u64>::open_or_create(&path)?;
/// log.push(1)?;
/// mapped_cli::verify::run(&path, &mut Vec::new())?;
///
/// // A count past the file's end: the header claims records the file does not hold.
/// let mut bytes = std::fs::read(&path)?;
/// bytes[40..48].copy_from_slice(&1000u64.to_ne_bytes());
/// std::fs::write(&path, &bytes)?;
/// let err = mapped_cli::verify::run(&path, &mut Vec::new()).unwrap_err();
/// assert_eq!(err.exit_code(), 1);
/// assert!(err.to_string().contains("counts 1000 records"), "{err}");
/// # Ok(()) }
/// ```
pub fn run(path: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let info = read::info(path)?;
    let problems = problems(path, &info)?;
    if !problems.is_empty() {
        return Err(CliError::Inconsistent {
            path: path.to_path_buf(),
            problems,
        });
    }
    let what = match info.kind {
        FileKind::Struct => format!("a struct file of `{}`", info.name),
        _ => format!(
            "a record file of {} `{}` records of {} bytes (room for {})",
            info.len,
            info.name,
            info.record_size,
            info.capacity()
        ),
    };
    let foreign = if info.byte_order == native() {
        ""
    } else {
        " (written by a machine of the other byte order)"
    };
    writeln!(out, "`{}`: consistent: {what}{foreign}", path.display())?;
    Ok(())
}

fn native() -> Endian {
    if cfg!(target_endian = "big") {
        Endian::Big
    } else {
        Endian::Little
    }
}

/// Everything wrong with the file; `Err` only if it cannot be read.
fn problems(path: &Path, info: &FileInfo) -> Result<Vec<String>, CliError> {
    let mut problems = Vec::new();
    let data = Data::open(path)?;
    let mut header = [0u8; HEADER_SIZE];
    data.read_at(0, &mut header)?;
    let word = |at: usize| u32::from_le_bytes(header[at..at + 4].try_into().expect("4 bytes"));
    // A record file's bytes 60..64 are its waiter word, owned by live sharing: any value.
    let reserved = word(60);
    if info.kind == FileKind::Struct && reserved != 0 {
        problems.push(format!(
            "the reserved header bytes read {reserved:#x}, not 0"
        ));
    }
    let schema_len = u64::from(word(56));
    // A format-3 struct file has two schema areas of that length after the selector word; the
    // inactive one may hold the schema before the last upgrade, so only what follows them must
    // be zero.
    let areas = info.kind == FileKind::Struct && info.format == 3;
    let schema_end = if areas {
        72 + 2 * schema_len
    } else {
        HEADER_SIZE as u64 + schema_len
    };
    if schema_len > MAX_SCHEMA_LEN {
        problems.push(format!(
            "the schema is {schema_len} bytes long, more than the {MAX_SCHEMA_LEN} opening accepts"
        ));
    }
    let count: [u8; 8] = header[40..48].try_into().expect("8 bytes");
    let count = match info.byte_order {
        Endian::Big => u64::from_be_bytes(count),
        _ => u64::from_le_bytes(count),
    };
    if info.kind == FileKind::Struct && count != 1 {
        problems.push(format!("the header of a struct file counts {count}, not 1"));
    }
    padding(&data, info, schema_end, &mut problems)?;

    let fingerprint = match &info.root {
        FieldKind::Struct(root) => root.fingerprint(),
        other => other.fingerprint(),
    };
    if fingerprint != info.fingerprint {
        problems.push(format!(
            "the header's fingerprint is {:#018x}, the schema's {fingerprint:#018x}",
            info.fingerprint
        ));
    }
    if let Err(why) = types::written_by_mapped(&info.root) {
        problems.push(format!(
            "the schema holds a type mapped never writes: {why}"
        ));
    }
    if let FieldKind::Struct(root) = &info.root {
        layout(root, &mut problems);
    }

    let end = info.data_offset.saturating_add(info.record_size);
    if info.kind == FileKind::Records && info.file_size < info.data_offset {
        // The library writes the whole header, padding included, before any record.
        problems.push(format!(
            "the file ends at byte {}, before its data offset {}",
            info.file_size, info.data_offset
        ));
    }
    match info.kind {
        FileKind::Struct if info.file_size < end => problems.push(format!(
            "the file ends at byte {}, before the end of its struct at {end}",
            info.file_size
        )),
        FileKind::Records if info.len > info.capacity() => problems.push(format!(
            "the header counts {} records, the file holds {}",
            info.len,
            info.capacity()
        )),
        _ => {}
    }
    Ok(problems)
}

/// The bytes between the schema's end and the data must be zero, as the library writes them.
fn padding(
    data: &Data,
    info: &FileInfo,
    schema_end: u64,
    problems: &mut Vec<String>,
) -> Result<(), CliError> {
    let end = info.data_offset.min(info.file_size);
    if end <= schema_end || end - schema_end > MAX_PADDING_CHECKED {
        return Ok(());
    }
    let mut bytes = vec![0; (end - schema_end) as usize];
    data.read_at(schema_end, &mut bytes)?;
    if let Some(at) = bytes.iter().position(|&byte| byte != 0) {
        problems.push(format!(
            "byte {} between the schema and the data is not zero",
            schema_end + at as u64
        ));
    }
    Ok(())
}

/// Fields laid out as `#[repr(C)]` without padding (what the derive accepts) lay them: in
/// order, each aligned, none overlapping, no byte left over.
fn layout(layout_of: &StructInfo, problems: &mut Vec<String>) {
    let name = &layout_of.name;
    let mut end = 0;
    for field in &layout_of.fields {
        let align = types::align(&field.kind);
        if field.offset % align != 0 {
            problems.push(format!(
                "field `{}` of `{name}` is at offset {}, not a multiple of its alignment {align}",
                field.name, field.offset
            ));
        }
        if field.offset < end {
            problems.push(format!(
                "field `{}` of `{name}` at offset {} overlaps the field before it",
                field.name, field.offset
            ));
        } else if field.offset > end {
            problems.push(format!(
                "bytes {end}..{} of `{name}` belong to no field",
                field.offset
            ));
        }
        end = end.max(field.offset + field.size);
        if let Some(nested) = nested(&field.kind) {
            layout(nested, problems);
        }
    }
    if end != layout_of.size {
        problems.push(format!(
            "bytes {end}..{} of `{name}` belong to no field",
            layout_of.size
        ));
    }
    let natural = types::natural_align(layout_of);
    if layout_of.align < natural {
        problems.push(format!(
            "`{name}` is aligned to {}, less than its fields' {natural}",
            layout_of.align
        ));
    }
}

fn nested(kind: &FieldKind) -> Option<&StructInfo> {
    match kind {
        FieldKind::Array { element, .. } => nested(element),
        FieldKind::Struct(nested) => Some(nested),
        _ => None,
    }
}
