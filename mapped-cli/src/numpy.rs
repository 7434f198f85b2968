//! `mapped numpy`: what `numpy.memmap` needs to read the file.

use std::io::Write;
use std::path::Path;

use mapped::FileKind;

use crate::read;
use crate::CliError;

/// Writes the numpy dtype of the records (a Python literal, [`mapped::FileInfo::numpy_dtype`]),
/// the data offset, the shape (the records the header counts and the file holds; `(1,)` for a
/// struct file), and the `numpy.memmap` call that maps them.
///
/// # Errors
/// [`CliError::Unreadable`] for a path that is not a readable `mapped` file;
/// [`CliError::Output`].
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("log.bin");
/// mapped::MappedVec::<i32>::open_or_create(&path)?.push(-1)?;
/// let mut out = Vec::new();
/// mapped_cli::numpy::run(&path, &mut out)?;
/// let text = String::from_utf8(out)?;
/// assert!(text.contains("offset  128\n") && text.contains("shape   (1,)\n"));
/// # Ok(()) }
/// ```
pub fn run(path: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let info = read::info(path)?;
    let dtype = info.numpy_dtype();
    let shape = match info.kind {
        FileKind::Struct => 1,
        _ => info.len.min(info.capacity()),
    };
    writeln!(out, "dtype   {dtype}")?;
    writeln!(out, "offset  {}", info.data_offset)?;
    writeln!(out, "shape   ({shape},)")?;
    writeln!(
        out,
        "python  numpy.memmap({}, dtype=numpy.dtype({dtype}), mode='r', offset={}, shape=({shape},))",
        python_str(&path.to_string_lossy()),
        info.data_offset
    )?;
    Ok(())
}

/// `text` as a Python string literal.
fn python_str(text: &str) -> String {
    let mut literal = String::from("'");
    for c in text.chars() {
        match c {
            '\'' | '\\' => {
                literal.push('\\');
                literal.push(c);
            }
            c if c.is_control() => literal.push_str(&format!("\\u{:04x}", c as u32)),
            c => literal.push(c),
        }
    }
    literal.push('\'');
    literal
}
