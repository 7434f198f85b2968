//! `mapped dump`: every record's values, decoded from the stored schema alone, as JSON lines or
//! CSV, in constant memory whatever the file's size.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use mapped::{Endian, FieldKind};

use crate::decode::{Node, MAX_VALUES};
use crate::read::{self, Data};
use crate::CliError;

/// Records are read this many bytes at a time (at least one record).
const CHUNK: u64 = 1 << 20;
/// The largest record `dump` decodes: it holds one record in memory at the least.
///
/// ```
/// assert_eq!(mapped_cli::dump::MAX_RECORD, 64 << 20);
/// ```
pub const MAX_RECORD: u64 = 64 << 20;
/// A dump of more bytes than this shows a progress bar, when stderr is a terminal.
const PROGRESS_FROM: u64 = 256 << 20;

/// The arguments of `mapped dump`: `--json` and `--csv` exclude each other.
///
/// ```
/// use clap::Parser;
/// assert!(mapped_cli::Cli::try_parse_from(["mapped", "dump", "--json", "--csv", "f"]).is_err());
/// let cli = mapped_cli::Cli::try_parse_from(["mapped", "dump", "--count", "10", "f"]).unwrap();
/// assert!(matches!(cli.command, mapped_cli::Command::Dump(args) if args.count == Some(10)));
/// ```
#[derive(Debug, clap::Args)]
pub struct Args {
    /// One JSON object per line (the default): keys in declaration order, nested structs as
    /// objects, arrays as arrays; a scalar or array record is `{"value": ...}`.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV with a header row: `pos.x` for nested fields, `tag[0]` for array elements.
    #[arg(long)]
    pub csv: bool,
    /// The first record to print.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub start: u64,
    /// How many records to print at most (all, by default).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// The `mapped` file.
    pub file: PathBuf,
}

/// Writes the records of `args.file` from `args.start` on to `out`.
///
/// The records printed are those the header counts and the file holds; a record file cut
/// short (its count past its size) prints the records it holds, then fails with
/// [`CliError::Inconsistent`], as a reader of the format must never trust such a count.
///
/// # Errors
/// [`CliError::Unreadable`] for a path that is not a readable `mapped` file;
/// [`CliError::Inconsistent`] for a count past the file's end; [`CliError::Unsupported`] for a
/// record larger than [`MAX_RECORD`]; [`CliError::Output`].
///
/// ```
/// use mapped::Mapped;
/// use mapped_cli::dump;
/// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Point { x: f32, y: f32 }
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("points.bin");
/// let mut points = mapped::MappedVec::<Point>::open_or_create(&path)?;
/// points.push(Point { x: 0.5, y: f32::NAN })?;
///
/// let args = dump::Args { json: false, csv: true, start: 0, count: None, file: path };
/// let mut out = Vec::new();
/// dump::run(&args, &mut out)?;
/// assert_eq!(String::from_utf8(out)?, "x,y\n0.5,NaN\n");
/// # Ok(()) }
/// ```
pub fn run(args: &Args, out: &mut dyn Write) -> Result<(), CliError> {
    let path = &args.file;
    let info = read::info(path)?;
    let unsupported = |reason: String| CliError::Unsupported {
        path: path.clone(),
        reason,
    };
    if info.record_size > MAX_RECORD {
        return Err(unsupported(format!(
            "records of {} bytes are larger than dump decodes ({MAX_RECORD})",
            info.record_size
        )));
    }
    let node = Node::compile(&info.root, info.byte_order == Endian::Big).ok_or_else(|| {
        unsupported(format!(
            "a record prints more than {MAX_VALUES} values, more than dump prints, or holds a \
             type this build does not know"
        ))
    })?;
    let held = info.len.min(info.capacity());
    let first = args.start.min(held);
    let end = first + args.count.unwrap_or(u64::MAX).min(held - first);

    let size = info.record_size;
    let per_chunk = (CHUNK / size.max(1)).max(1);
    let mut chunk = vec![0; (per_chunk * size) as usize];
    let data = Data::open(path)?;
    let progress = progress_bar(end - first, size);
    let mut writer = Writer::new(&node, args.csv, &info.root, out)?;
    let mut at = first;
    while at < end {
        let records = per_chunk.min(end - at);
        let bytes = &mut chunk[..(records * size) as usize];
        data.read_at(info.data_offset + at * size, bytes)?;
        for record in 0..records as usize {
            let start = record * size as usize;
            writer.record(&bytes[start..start + size as usize])?;
        }
        at += records;
        if let Some(bar) = &progress {
            bar.inc(records);
        }
    }
    writer.finish()?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if held < info.len {
        return Err(CliError::Inconsistent {
            path: path.clone(),
            problems: vec![format!(
                "the header counts {} records, the file holds {held} (the records it holds were \
                 printed)",
                info.len
            )],
        });
    }
    Ok(())
}

/// A progress bar on stderr for a long dump, if stderr is a terminal to watch it on.
fn progress_bar(records: u64, size: u64) -> Option<ProgressBar> {
    if records.saturating_mul(size) < PROGRESS_FROM || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(records);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {human_pos}/{human_len} records, {eta} left")
            .expect("a valid template"),
    );
    Some(bar)
}

/// The output format, and the block of records gathered before each write (about 64 KiB).
struct Writer<'a, 'o> {
    node: &'a Node,
    csv: bool,
    /// A scalar or array record is printed as `{"value": ...}` in JSON.
    wrap: bool,
    buf: Vec<u8>,
    out: &'o mut dyn Write,
}

impl<'a, 'o> Writer<'a, 'o> {
    /// A writer for records of `root`; for CSV, the header row is written first, through the
    /// csv crate, which quotes a name that needs it.
    fn new(
        node: &'a Node,
        csv: bool,
        root: &FieldKind,
        out: &'o mut dyn Write,
    ) -> Result<Self, CliError> {
        let wrap = !matches!(root, FieldKind::Struct(_));
        if csv {
            let mut header = csv::Writer::from_writer(&mut *out);
            let mut prefix = String::from(if wrap { "value" } else { "" });
            node.csv_names(&mut prefix, &mut |name| header.write_field(name))
                .map_err(csv_error)?;
            header.write_record(None::<&[u8]>).map_err(csv_error)?;
            header.flush()?;
        }
        Ok(Writer {
            node,
            csv,
            wrap,
            buf: Vec::with_capacity(1 << 17),
            out,
        })
    }

    fn record(&mut self, bytes: &[u8]) -> Result<(), CliError> {
        let buf = &mut self.buf;
        if self.csv {
            let start = buf.len();
            self.node.csv(bytes, buf);
            // The last field's comma ends the row; a record of no field is an empty row.
            if buf.len() > start {
                buf.pop();
            }
            buf.push(b'\n');
        } else {
            if self.wrap {
                buf.extend_from_slice(b"{\"value\":");
            }
            self.node.json(bytes, buf);
            if self.wrap {
                buf.push(b'}');
            }
            buf.push(b'\n');
        }
        if buf.len() >= 1 << 16 {
            self.out.write_all(buf)?;
            buf.clear();
        }
        Ok(())
    }

    fn finish(self) -> Result<(), CliError> {
        self.out.write_all(&self.buf)?;
        Ok(())
    }
}

/// The csv crate's errors here are all failed writes (it serializes nothing).
fn csv_error(err: csv::Error) -> CliError {
    match err.into_kind() {
        csv::ErrorKind::Io(source) => CliError::Output { source },
        other => CliError::Output {
            source: std::io::Error::other(format!("{other:?}")),
        },
    }
}
