//! Reading a file: its header through [`mapped::FileInfo`], its bytes through `pread`.

use std::fs::File;
use std::io;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use mapped::{Error, FileInfo, Op};

use crate::CliError;

/// The header and schema of the file at `path`, or why it is not a readable `mapped` file.
pub(crate) fn info(path: &Path) -> Result<FileInfo, CliError> {
    FileInfo::read(path).map_err(CliError::Unreadable)
}

/// A file opened read-only for `pread`, never written.
pub(crate) struct Data {
    file: File,
    path: PathBuf,
}

impl Data {
    /// Opens the file again for its data. `O_NONBLOCK` and the regular-file check, as
    /// [`FileInfo::read`] does them, because the path may have been replaced since: a FIFO
    /// would block the open until a writer came.
    pub(crate) fn open(path: &Path) -> Result<Data, CliError> {
        let io_error = |op: Op, source: io::Error| Error::Io {
            op,
            path: path.to_path_buf(),
            source,
        };
        let file = File::options()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(path)
            .map_err(|source| io_error(Op::Open, source))?;
        let metadata = file
            .metadata()
            .map_err(|source| io_error(Op::Stat, source))?;
        if !metadata.is_file() {
            return Err(Error::NotRegularFile {
                path: path.to_path_buf(),
            }
            .into());
        }
        Ok(Data {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Fills `buf` from byte `offset` of the file; a file that ends first was cut short since
    /// its header was read.
    pub(crate) fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), CliError> {
        self.file.read_exact_at(buf, offset).map_err(|source| {
            let source = if source.kind() == io::ErrorKind::UnexpectedEof {
                io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "the file ends before byte {}: it was cut short while being read",
                        offset + buf.len() as u64
                    ),
                )
            } else {
                source
            };
            CliError::Unreadable(Error::Io {
                op: Op::Read,
                path: self.path.clone(),
                source,
            })
        })
    }
}
