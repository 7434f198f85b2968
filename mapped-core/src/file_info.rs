//! Reading what a file holds from its header alone, without the Rust type that wrote it.

use std::path::Path;

use crate::error::Error;
use crate::field::FieldType;
use crate::file;
use crate::header::{Fixed, Kind, FORMAT, FORMAT_2, HEADER_SIZE, RECORDS_MAGIC, RECORDS_VERSION};
use crate::schema::{FieldInfo, FieldKind};
use crate::sys;

/// Which of the two self-describing files a [`FileInfo`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileKind {
    /// One struct, after a versioned header (`#[mapped(magic = ..., version = ...)]`).
    Struct,
    /// A [`MappedVec`](crate::MappedVec) file: records after a header that counts them.
    Records,
}

/// The byte order the data of a file was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endian {
    /// Little-endian (x86, most ARM).
    Little,
    /// Big-endian.
    Big,
}

/// What a `mapped` file holds, read from its header and schema, without the Rust type: the kind
/// of file, the type's name and fields, where the data starts and how many records there are.
///
/// ```
/// use mapped::{Endian, FileInfo, FileKind, MappedVec, Mapped};
/// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Tick { at: u64, price: f64, qty: u32, side: u32 }
///
/// # fn main() -> Result<(), mapped::Error> {
/// # let dir = tempfile::tempdir().unwrap();
/// # let path = dir.path().join("ticks.bin");
/// let mut ticks = MappedVec::<Tick>::open_or_create(&path)?;
/// ticks.push(Tick { at: 1, price: 9.5, qty: 3, side: 0 })?;
///
/// let info = FileInfo::read(&path)?; // no `Tick` needed
/// assert_eq!((info.kind, info.name.as_str(), info.len), (FileKind::Records, "Tick", 1));
/// assert_eq!(info.record_size, 24);
/// assert_eq!(info.data_offset % 64, 0);
/// assert_eq!(info.fields[2].name, "qty");
/// assert_eq!((info.fields[2].offset, info.fields[2].type_name.as_str()), (16, "u32"));
/// assert_eq!(info.fingerprint, <Tick as Mapped>::LAYOUT.fingerprint);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileInfo {
    /// A struct file or a record file.
    pub kind: FileKind,
    /// The type's name: the struct's, or the Rust spelling of a scalar record type (`"u64"`).
    pub name: String,
    /// The header's version: the struct's `#[mapped(version)]` (of the layout the file holds now,
    /// after any upgrade), or the record format's.
    pub version: u32,
    /// The header format: 3, whose struct files have two schema areas and room for the schema to
    /// grow, or 2, the format before (`docs/file-formats.md`).
    pub format: u32,
    /// The header's magic bytes (`MAPDRECS` for record files).
    pub magic: [u8; 8],
    /// The layout fingerprint: the same as `<T as Mapped>::LAYOUT.fingerprint` for the type that
    /// wrote the file.
    pub fingerprint: u64,
    /// The byte order of the data.
    pub byte_order: Endian,
    /// Where the struct or record 0 starts, from the start of the file: a multiple of 64.
    pub data_offset: u64,
    /// The size of the struct, or of one record.
    pub record_size: u64,
    /// The type's alignment.
    pub align: u64,
    /// The records counted (as the header says; see [`capacity`](Self::capacity) for what the
    /// file holds); 1 for a struct file.
    pub len: u64,
    /// The file's size in bytes.
    pub file_size: u64,
    /// The fields of a struct type, in order; empty for a scalar or array record type.
    pub fields: Vec<FieldInfo>,
    /// The whole type.
    pub root: FieldKind,
}

impl FileInfo {
    /// Reads the header and schema of the `mapped` file at `path`: a struct file with `magic` (its
    /// header at the start of the file) or a record file. Reads only the header; never modifies
    /// the file.
    ///
    /// # Errors
    /// [`Error::NotSelfDescribing`] for a file without a `mapped` header (a struct file without
    /// `magic` is the struct alone); [`Error::UnsupportedFormat`] for a record file of the format
    /// before schemas; [`Error::BadHeader`], [`Error::BadSchema`] or [`Error::FileTooSmall`] for
    /// a header that cannot be right; [`Error::NotRegularFile`]; [`Error::Io`].
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # #[derive(Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// Stats::create_new(&path)?; // no `magic`: the file is the struct's 8 bytes alone
    /// let err = mapped::FileInfo::read(&path).unwrap_err();
    /// assert!(matches!(err, mapped::Error::NotSelfDescribing { .. }));
    /// # Ok(()) }
    /// ```
    pub fn read(path: impl AsRef<Path>) -> Result<FileInfo, Error> {
        let path = path.as_ref();
        let (file, stat) = file::open_regular(path, false, true)?;
        let not_mapped = |reason: String| Error::NotSelfDescribing {
            path: path.to_path_buf(),
            reason,
        };
        if stat.len < HEADER_SIZE as u64 {
            return Err(not_mapped(format!(
                "{} bytes, fewer than a {HEADER_SIZE}-byte header",
                stat.len
            )));
        }
        let mut start = [0; HEADER_SIZE];
        sys::read_at(&file, path, &mut start, 0)?;
        let mut fixed = Fixed::parse(&start);
        let records = fixed.magic == RECORDS_MAGIC;
        if records && fixed.version != RECORDS_VERSION {
            return Err(Error::UnsupportedFormat {
                path: path.to_path_buf(),
                found: fixed.version,
                expected: RECORDS_VERSION,
            });
        }
        if fixed.format != FORMAT && fixed.format != FORMAT_2 {
            return Err(not_mapped(format!(
                "no header of format {FORMAT} or {FORMAT_2} (the format word reads {})",
                fixed.format
            )));
        }
        let bad = |field: &'static str, found: u64, expected: u64| Error::BadHeader {
            path: path.to_path_buf(),
            field,
            found,
            expected,
        };
        let kind = match fixed.kind {
            k if k == Kind::Struct as u32 && !records => FileKind::Struct,
            k if k == Kind::Records as u32 && records => FileKind::Records,
            other => {
                let expected = if records { Kind::Records } else { Kind::Struct };
                return Err(bad("kind", other.into(), expected as u64));
            }
        };
        let byte_order = match fixed.big_endian() {
            Some(false) => Endian::Little,
            Some(true) => Endian::Big,
            None => return Err(bad("byte order", fixed.byte_order.into(), 1)),
        };
        if kind == FileKind::Struct && fixed.reserved != 0 {
            return Err(bad("reserved", fixed.reserved.into(), 0));
        }
        let read = |at: u64, len: usize| -> Result<Vec<u8>, Error> {
            let mut bytes = vec![0; len];
            sys::read_at(&file, path, &mut bytes, at)?;
            Ok(bytes)
        };
        // A format-3 struct file: the version, fingerprint and size of its active schema area.
        let too_small = |needed: u64| Error::FileTooSmall {
            path: path.to_path_buf(),
            needed,
            found: stat.len,
        };
        let (schema, areas) =
            crate::header::resolve(path, &mut fixed, stat.len, &read, &too_small)?;
        let root = crate::header::decode_schema(path, &schema)?;
        let align = match &root {
            FieldKind::Struct(layout) => layout.align as u64,
            other => alignment_of(other),
        };
        if root.size() as u64 != fixed.size {
            return Err(Error::BadSchema {
                path: path.to_path_buf(),
                reason: format!(
                    "the schema describes {} bytes, the header {}",
                    root.size(),
                    fixed.size
                ),
            });
        }
        if fixed.data_offset % align.max(64) != 0
            || fixed.data_offset < fixed.min_data_offset(areas.as_ref())
        {
            return Err(bad(
                "data offset",
                fixed.data_offset,
                crate::header::data_offset(schema.len(), align as usize) as u64,
            ));
        }
        let (name, fields) = match &root {
            FieldKind::Struct(layout) => (layout.name.clone(), layout.fields.clone()),
            other => (other.rust_type(), Vec::new()),
        };
        if kind == FileKind::Struct && !matches!(root, FieldKind::Struct(_)) {
            return Err(Error::BadSchema {
                path: path.to_path_buf(),
                reason: format!("a struct file of `{name}`, which is no struct"),
            });
        }
        let mut file_size = stat.len;
        if kind == FileKind::Struct && file_size < fixed.data_offset.saturating_add(fixed.size) {
            // An upgrade grows the file before it commits the header just read: the size taken
            // before reading it may predate the growth.
            file_size = sys::stat(&file, path)?.len;
        }
        Ok(FileInfo {
            kind,
            name,
            version: fixed.version,
            format: fixed.format,
            magic: fixed.magic,
            fingerprint: fixed.fingerprint,
            byte_order,
            data_offset: fixed.data_offset,
            record_size: fixed.size,
            align,
            len: match kind {
                FileKind::Struct => 1,
                FileKind::Records => fixed.count(),
            },
            file_size,
            fields,
            root,
        })
    }

    /// How many whole records the file holds past its data offset (for a struct file, 1 if the
    /// struct is all there, else 0). A consistent record file has `len <= capacity()`.
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), mapped::Error> {
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let path = dir.path().join("log.bin");
    /// MappedVec::<u64>::open_or_create(&path)?.push(7)?;
    /// let info = mapped::FileInfo::read(&path)?;
    /// assert!(info.len <= info.capacity());
    /// # Ok(()) }
    /// ```
    pub fn capacity(&self) -> u64 {
        let room = self.file_size.saturating_sub(self.data_offset) / self.record_size.max(1);
        match self.kind {
            FileKind::Struct => room.min(1),
            FileKind::Records => room,
        }
    }

    /// The numpy dtype of one record (or of the struct) as a Python literal, in the file's byte
    /// order: what `numpy.dtype(eval(...))` builds, and what `python/mapped_numpy.py` maps.
    ///
    /// ```
    /// # use mapped::MappedVec;
    /// # fn main() -> Result<(), mapped::Error> {
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let path = dir.path().join("log.bin");
    /// MappedVec::<i32>::open_or_create(&path)?;
    /// let dtype = mapped::FileInfo::read(&path)?.numpy_dtype();
    /// assert_eq!(dtype, if cfg!(target_endian = "little") { "'<i4'" } else { "'>i4'" });
    /// # Ok(()) }
    /// ```
    pub fn numpy_dtype(&self) -> String {
        self.root.numpy_dtype(self.byte_order == Endian::Big)
    }
}

/// The alignment of a non-struct type: its widest scalar.
fn alignment_of(kind: &FieldKind) -> u64 {
    match kind {
        FieldKind::Unsigned { bytes }
        | FieldKind::Signed { bytes }
        | FieldKind::Float { bytes } => *bytes as u64,
        FieldKind::ByteOrder { .. } => 1,
        FieldKind::Atomic { value } => alignment_of(value),
        FieldKind::Array { element, .. } => alignment_of(element),
        FieldKind::Struct(layout) => layout.align as u64,
    }
}

/// The numpy dtype of `T` as a Python literal, for this machine's byte order: a type string for a
/// scalar (`'<u8'`), a `(dtype, shape)` pair for an array, and for a struct `{'names': [...],
/// 'formats': [...], 'offsets': [...], 'itemsize': N}` with nested structs as nested dtypes and
/// byte-order integers with their own order. 128-bit integers, which numpy lacks, are `'V16'`.
///
/// ```
/// use mapped::Mapped;
/// use zerocopy::byteorder::{BigEndian, U16};
/// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Packet { tag: [u8; 2], port: U16<BigEndian>, len: u32 }
///
/// if cfg!(target_endian = "little") {
///     assert_eq!(
///         mapped::numpy_dtype::<Packet>(),
///         "{'names': ['tag', 'port', 'len'], 'formats': [('|u1', (2,)), '>u2', '<u4'], \
///          'offsets': [0, 2, 4], 'itemsize': 8}"
///     );
/// }
/// ```
pub fn numpy_dtype<T: FieldType>() -> String {
    FieldKind::of(&T::SHAPE).numpy_dtype(cfg!(target_endian = "big"))
}
