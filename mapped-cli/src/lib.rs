#![warn(missing_docs)]
//! The `mapped` command: reads the files [`mapped`] writes from their header alone, without the
//! Rust type that wrote them.
//!
//! ```text
//! mapped inspect [--json] FILE      what the file holds: format, type, offsets, fields
//! mapped dump [--json | --csv] [--start N] [--count N] FILE
//!                                   the records' values, as JSON lines or CSV
//! mapped verify FILE                exit 0 if the file is consistent, 1 saying what is wrong
//! mapped c-header FILE              the C11 header of the stored layout
//! mapped numpy FILE                 the numpy dtype, data offset and shape
//! mapped rust FILE                  #[derive(Mapped)] types that open the file
//! ```
//!
//! Each command is a module with one public function, which the binary calls with the parsed
//! arguments and standard output; a program (or a test) can call them as well, through
//! [`run`]:
//!
//! ```
//! use clap::Parser;
//! use mapped::MappedVec;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! # let path = dir.path().join("log.bin");
//! let mut log = MappedVec::<u64>::open_or_create(&path)?;
//! log.push(7)?;
//! log.push(9)?;
//!
//! let cli = mapped_cli::Cli::try_parse_from(["mapped", "dump", path.to_str().unwrap()])?;
//! let mut out = Vec::new();
//! mapped_cli::run(&cli, &mut out)?;
//! assert_eq!(String::from_utf8(out)?, "{\"value\":7}\n{\"value\":9}\n");
//! # Ok(()) }
//! ```
//!
//! # Exit status
//!
//! | status | meaning |
//! |---|---|
//! | 0 | done |
//! | 1 | the file's header and schema were read, but the file is inconsistent (`verify`, or a `dump` of a file that counts records it does not hold), or the command cannot express its layout (`c-header` of a 128-bit integer, `rust` of a name Rust cannot spell) |
//! | 2 | the path is not a readable `mapped` file (missing, a directory or FIFO, empty, garbage, a struct file without a header, a header or schema that cannot be read), or the arguments are wrong |
//!
//! Errors are one line on standard error naming the path: [`CliError`].
//!
//! # Stable output
//!
//! The JSON of `inspect --json` and `dump --json`, the CSV of `dump --csv`, and the exit status
//! are the contract, kept from version to version; the text for people (`inspect`, `verify`'s
//! report, `numpy`) may change. See the README's "Command-line tool" for the keys.

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub mod c_header;
mod decode;
pub mod dump;
mod error;
pub mod inspect;
pub mod numpy;
mod read;
pub mod rust;
mod types;
pub mod verify;

pub use error::CliError;

/// The command line: `mapped COMMAND [OPTIONS] FILE`.
///
/// ```
/// use clap::Parser;
/// use mapped_cli::{Cli, Command};
///
/// let cli = Cli::try_parse_from(["mapped", "dump", "--csv", "--start", "5", "log.bin"]).unwrap();
/// let Command::Dump(args) = cli.command else { unreachable!() };
/// assert!(args.csv && args.start == 5 && args.count.is_none());
/// ```
#[derive(Debug, Parser)]
#[command(
    name = "mapped",
    version,
    about = "Inspect, dump, verify and export self-describing `mapped` files",
    long_about = None
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// One command of [`Cli`].
///
/// ```
/// use clap::Parser;
/// let cli = mapped_cli::Cli::try_parse_from(["mapped", "c-header", "body.bin"]).unwrap();
/// assert!(matches!(cli.command, mapped_cli::Command::CHeader(_)));
/// ```
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print what a file holds: format, version, fingerprint, byte order, data offset, record
    /// size, count, capacity and the table of fields.
    Inspect(inspect::Args),
    /// Print the values of the records (or the struct), decoded from the stored schema.
    Dump(dump::Args),
    /// Check that the header, schema, sizes and count agree; exit 1 saying what is wrong.
    Verify(FileArg),
    /// Print the C11 header of the stored layout, as `mapped::c_header::<T>()` writes it.
    CHeader(FileArg),
    /// Print the numpy dtype (a Python literal), the data offset and the shape.
    Numpy(FileArg),
    /// Print the Rust source of `#[derive(Mapped)]` types that open the file.
    Rust(FileArg),
}

/// The argument of the commands that take a file alone.
///
/// ```
/// use clap::Parser;
/// let cli = mapped_cli::Cli::try_parse_from(["mapped", "verify", "log.bin"]).unwrap();
/// let mapped_cli::Command::Verify(arg) = cli.command else { unreachable!() };
/// assert_eq!(arg.file, std::path::Path::new("log.bin"));
/// ```
#[derive(Debug, clap::Args)]
pub struct FileArg {
    /// The `mapped` file: a struct file with a header, or a record file.
    pub file: PathBuf,
}

/// Runs one command, writing its output to `out`.
///
/// # Errors
/// [`CliError`], whose [`exit_code`](CliError::exit_code) is the process's status.
///
/// ```
/// use clap::Parser;
///
/// let cli = mapped_cli::Cli::try_parse_from(["mapped", "verify", "/no/such/file"]).unwrap();
/// let err = mapped_cli::run(&cli, &mut Vec::new()).unwrap_err();
/// assert_eq!(err.exit_code(), 2);
/// assert!(err.to_string().contains("/no/such/file"));
/// ```
pub fn run(cli: &Cli, out: &mut dyn Write) -> Result<(), CliError> {
    match &cli.command {
        Command::Inspect(args) => inspect::run(args, out),
        Command::Dump(args) => dump::run(args, out),
        Command::Verify(args) => verify::run(&args.file, out),
        Command::CHeader(args) => c_header::run(&args.file, out),
        Command::Numpy(args) => numpy::run(&args.file, out),
        Command::Rust(args) => rust::run(&args.file, out),
    }
}
