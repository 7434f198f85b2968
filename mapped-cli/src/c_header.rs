//! `mapped c-header`: the C11 header of the stored layout.

use std::io::Write;
use std::path::Path;

use crate::read;
use crate::CliError;

/// Writes the C11 header of the layout stored in `path`: the text
/// [`mapped::c_header::<T>()`](mapped::c_header) gives for the struct `T` that wrote the file
/// ([`mapped::FileInfo::c_header`]), with no declarations for a record file's own header.
///
/// # Errors
/// [`CliError::Unreadable`] for a path that is not a readable `mapped` file;
/// [`CliError::Unsupported`] for a layout C cannot express (a 128-bit integer, a name C
/// reserves, records that are no struct); [`CliError::Output`].
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("wide.bin");
/// mapped::MappedVec::<u128>::open_or_create(&path)?;
/// let err = mapped_cli::c_header::run(&path, &mut Vec::new()).unwrap_err();
/// assert_eq!(err.exit_code(), 1);
/// # Ok(()) }
/// ```
pub fn run(path: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let info = read::info(path)?;
    let header = info.c_header().map_err(|err| CliError::Unsupported {
        path: path.to_path_buf(),
        reason: err.to_string(),
    })?;
    out.write_all(header.as_bytes())?;
    Ok(())
}
