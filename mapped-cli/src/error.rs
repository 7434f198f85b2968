//! The one error type of the commands, and its exit status.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why a command failed. [`exit_code`](Self::exit_code) is the process's status; the message
/// (`Display`) names the path and the problem.
///
/// ```
/// let err = mapped_cli::CliError::Inconsistent {
///     path: "log.bin".into(),
///     problems: vec!["the header counts 9 records, the file holds 2".into()],
/// };
/// assert_eq!(err.exit_code(), 1);
/// assert_eq!(err.to_string(), "`log.bin` is inconsistent: the header counts 9 records, the file holds 2");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum CliError {
    /// The path is not a readable `mapped` file (exit status 2): what
    /// [`mapped::FileInfo::read`] or a later read said.
    Unreadable(mapped::Error),
    /// The header and schema were read, but the file contradicts them (exit status 1).
    Inconsistent {
        /// The file.
        path: PathBuf,
        /// Each thing that is wrong.
        problems: Vec<String>,
    },
    /// The file is readable, but the command cannot express its layout (exit status 1): a C
    /// header of a 128-bit integer, Rust for a name Rust cannot spell, a record too large to
    /// dump.
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What cannot be done.
        reason: String,
    },
    /// Writing the output failed (exit status 1).
    Output {
        /// The error of the write.
        source: io::Error,
    },
}

impl CliError {
    /// The process's exit status for this error: 2 for a path that is not a readable `mapped`
    /// file, 1 for everything else.
    ///
    /// ```
    /// let missing = mapped::FileInfo::read("/no/such/file").unwrap_err();
    /// assert_eq!(mapped_cli::CliError::Unreadable(missing).exit_code(), 2);
    /// ```
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Unreadable(_) => 2,
            CliError::Inconsistent { .. }
            | CliError::Unsupported { .. }
            | CliError::Output { .. } => 1,
        }
    }

    /// Whether the output's reader went away (`mapped dump FILE | head`): the binary exits 0,
    /// quietly.
    ///
    /// ```
    /// use std::io::{Error, ErrorKind};
    /// let err = mapped_cli::CliError::Output { source: Error::from(ErrorKind::BrokenPipe) };
    /// assert!(err.is_broken_pipe());
    /// ```
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CliError::Output { source } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl From<mapped::Error> for CliError {
    fn from(err: mapped::Error) -> Self {
        CliError::Unreadable(err)
    }
}

impl From<io::Error> for CliError {
    /// Every `io::Error` a command's `?` meets is a failed write of its output: reads of the
    /// file go through [`mapped::Error`].
    fn from(source: io::Error) -> Self {
        CliError::Output { source }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Unreadable(err) => write!(f, "{err}"),
            CliError::Inconsistent { path, problems } => write!(
                f,
                "`{}` is inconsistent: {}",
                path.display(),
                problems.join("; ")
            ),
            CliError::Unsupported { path, reason } => write!(f, "`{}`: {reason}", path.display()),
            CliError::Output { source } => write!(f, "writing the output failed: {source}"),
        }
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CliError::Unreadable(err) => Some(err),
            CliError::Output { source } => Some(source),
            _ => None,
        }
    }
}
