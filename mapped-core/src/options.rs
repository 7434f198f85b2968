//! Opening and creating mappings: the constructors and the `OpenOptions` builder.

use std::fmt;
use std::marker::PhantomData;
use std::mem::{align_of, size_of};
use std::num::NonZeroUsize;
use std::path::Path;

use crate::error::Error;
use crate::handle::Handle;
use crate::header::{Fit, Identity, Kind, Pread};
use crate::mapped::{assert_mappable, Mapped};
use crate::mode::{Access, Private, ReadOnly, ReadWrite, Readable};
use crate::open::{self, Accepted, FileRequest, Prefix, Upgrade};
use crate::sys::{self, Creation};
use crate::upgrade;

/// File mode of created files unless [`OpenOptions::mode`] says otherwise: owner read/write only.
pub const DEFAULT_MODE: u32 = 0o600;

impl<T: Mapped> Handle<T, ReadWrite> {
    /// Creates `path` (failing if it exists, so nothing is clobbered), sizes it to exactly
    /// `size_of::<T>()` bytes of zeros with `ftruncate`, mode `0600`, and maps it read-write,
    /// `MAP_SHARED`. `#[derive(Mapped)]` offers this as `T::create_new`.
    ///
    /// The file is made whole (sized, header written, blocks reserved, mapped) before it appears
    /// at `path`: an unnamed `O_TMPFILE` in the same directory, then `linkat` into place, which
    /// fails if the path is taken and never follows a symbolic link there. So no other process
    /// ever opens it half-made, and a failure or a crash half-way leaves nothing at `path`.
    ///
    /// # Errors
    /// [`Error::Io`] with [`Op::Open`](crate::Op::Open) (`EEXIST` if the path exists),
    /// [`Op::Ftruncate`](crate::Op::Ftruncate), [`Op::Allocate`](crate::Op::Allocate) or
    /// [`Op::Mmap`](crate::Op::Mmap); nothing is then left at `path`.
    ///
    /// ```
    /// # use mapped::{Handle, Mapped};
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64, misses: u32, ratio: f32 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// let stats = Handle::<Stats>::create_new(&path)?;
    /// assert_eq!(stats.hits(), 0);
    /// assert_eq!(std::fs::metadata(&path)?.len(), 16);
    /// assert!(Handle::<Stats>::create_new(&path).is_err()); // never clobbers
    /// # Ok(()) }
    /// ```
    pub fn create_new(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::options().create_new(true).open(path)
    }

    /// Maps an existing file read-write, `MAP_SHARED`: writes reach the file and every process
    /// mapping it.
    ///
    /// # Errors
    /// [`Error::FileTooSmall`] if the file is shorter than `T` (it is neither grown nor touched),
    /// [`Error::NotRegularFile`], or [`Error::Io`].
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// std::fs::write(&path, 5u64.to_ne_bytes())?;
    /// let stats = Stats::open(&path)?;
    /// assert_eq!(stats.hits(), 5);
    /// # Ok(()) }
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::options().open(path)
    }

    /// Opens `path` like [`open`](Self::open) if it exists, otherwise creates it like
    /// [`create_new`](Self::create_new). An existing file shorter than `T` is an error, never
    /// silently grown or cut. Processes racing to create the same path all open one whole file:
    /// the first to link its new file into place wins, and the others open that one.
    ///
    /// # Errors
    /// As for `open` and `create_new`.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// Stats::open_or_create(&path)?.set_hits(1);
    /// assert_eq!(Stats::open_or_create(&path)?.hits(), 1);
    /// # Ok(()) }
    /// ```
    pub fn open_or_create(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::options().create(true).open(path)
    }

    /// Maps an existing file read-only (`PROT_READ`, `MAP_SHARED`): the handle has getters and no
    /// setters, and sees other processes' writes.
    ///
    /// # Errors
    /// As for [`open`](Self::open); the file only needs read permission.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// let writer = Stats::create_new(&path)?;
    /// let reader = Stats::open_read_only(&path)?;
    /// writer.set_hits(8);
    /// assert_eq!(reader.hits(), 8);
    /// # Ok(()) }
    /// ```
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Handle<T, ReadOnly>, Error> {
        Self::options().read_only().open(path)
    }

    /// Maps an existing file copy-on-write (`MAP_PRIVATE`): setters work, but what they write
    /// stays in this process and never reaches the file. The file only needs read permission.
    ///
    /// # Errors
    /// As for [`open`](Self::open).
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// Stats::create_new(&path)?;
    /// let scratch = Stats::open_private(&path)?;
    /// scratch.set_hits(99);
    /// assert_eq!(scratch.hits(), 99);
    /// assert_eq!(std::fs::read(&path)?, [0; 8]);
    /// # Ok(()) }
    /// ```
    pub fn open_private(path: impl AsRef<Path>) -> Result<Handle<T, Private>, Error> {
        Self::options().private().open(path)
    }

    /// Upgrades the file at `path`, written by an older layout of `T` (whose fields are a proper
    /// prefix of `T`'s), to `T`'s layout in place: it grows, the new fields are zeroed, and `T`'s
    /// version and schema are committed into the header last, with one write a crash cannot
    /// tear. A crash at any moment leaves a file that opens under the old layout or the new one.
    /// A file already at `T`'s layout is left alone, so the call is idempotent; two processes
    /// upgrading at once are serialised (`flock`). Code of the old layout keeps reading and
    /// writing its fields, also while the upgrade runs. `#[derive(Mapped)]` offers this as
    /// `T::upgrade`; `T::options().upgrade(true).open(path)` upgrades and maps.
    ///
    /// # Errors
    /// [`Error::LayoutMismatch`] for a file of a newer layout (its message says so: upgrading
    /// would lose the newer fields) or of another layout; [`Error::VersionMismatch`] if `T`'s
    /// version is lower than the file's; [`Error::UpgradeRefused`] if the header has no room for
    /// `T`'s schema (see `docs/file-formats.md` for how many fields fit) or is of header format
    /// 2; [`Error::NotSelfDescribing`] if `T` has no `magic`; the errors of [`open`](Self::open).
    /// The file is not changed by a refused upgrade.
    ///
    /// ```
    /// # use mapped::{Error, Mapped};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// mod v1 {
    ///     #[derive(mapped::Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    ///     #[repr(C)]
    ///     #[mapped(magic = b"STATS\0\0\0", version = 1)]
    ///     pub struct Stats { pub hits: u64 }
    /// }
    /// mod v2 {
    ///     #[derive(mapped::Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    ///     #[repr(C)]
    ///     #[mapped(magic = b"STATS\0\0\0", version = 2)]
    ///     pub struct Stats { pub hits: u64, pub misses: u64 }
    /// }
    /// v1::Stats::create_new(&path)?.set_hits(3);
    /// v2::Stats::upgrade(&path)?;
    /// v2::Stats::upgrade(&path)?; // idempotent
    /// assert_eq!(v2::Stats::open(&path)?.misses(), 0);
    /// let err = v1::Stats::upgrade(&path).unwrap_err(); // a newer file: refused
    /// assert!(err.to_string().contains("newer"), "{err}");
    /// # Ok(()) }
    /// ```
    pub fn upgrade(path: impl AsRef<Path>) -> Result<(), Error> {
        Self::options().upgrade(true).open(path).map(drop)
    }

    /// Maps zeroed memory backed by no file (`MAP_SHARED | MAP_ANONYMOUS`). A child made with
    /// `fork` afterwards shares it: what one process writes, the other reads.
    ///
    /// # Errors
    /// [`Error::Io`] with [`Op::Mmap`](crate::Op::Mmap), e.g. `ENOMEM`.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), mapped::Error> {
    /// let shared = Stats::anonymous()?;
    /// assert_eq!(shared.hits(), 0);
    /// # Ok(()) }
    /// ```
    pub fn anonymous() -> Result<Self, Error> {
        assert_mappable::<T>();
        Handle::from_mapping(sys::map_anonymous(size_of::<T>(), false, None)?)
    }

    /// A builder for the less common ways of opening: at an offset, with a file mode, read-only or
    /// private, pre-faulted, at an address hint.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// let second = Stats::options().offset(8).create(true).open(&path)?;
    /// second.set_hits(2);
    /// assert_eq!(std::fs::metadata(&path)?.len(), 16);
    /// # Ok(()) }
    /// ```
    pub fn options() -> OpenOptions<T> {
        OpenOptions {
            offset: 0,
            mode: DEFAULT_MODE,
            create: false,
            create_new: false,
            populate: false,
            address_hint: None,
            follow_symlinks: true,
            upgrade: false,
            _marker: PhantomData,
        }
    }
}

/// Options for mapping a struct from a file, in the style of [`std::fs::OpenOptions`].
///
/// Made by `T::options()` (or [`Handle::options`]). `A` is the mode the opened handle will have:
/// [`read_only`](Self::read_only) and [`private`](Self::private) change it, so the handle's type
/// always says what it may do.
///
/// ```
/// # use mapped::{Handle, Mapped, ReadOnly};
/// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
/// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// # #[repr(C)]
/// # struct Stats { hits: u64 }
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("stats.bin");
/// Stats::options().mode(0o644).create_new(true).populate(true).open(&path)?;
/// let reader: Handle<Stats, ReadOnly> = Stats::options().read_only().open(&path)?;
/// # Ok(()) }
/// ```
pub struct OpenOptions<T, A = ReadWrite> {
    offset: u64,
    mode: u32,
    create: bool,
    create_new: bool,
    populate: bool,
    address_hint: Option<NonZeroUsize>,
    follow_symlinks: bool,
    upgrade: bool,
    _marker: PhantomData<fn() -> (T, A)>,
}

impl<T: Mapped, A: Access> OpenOptions<T, A> {
    fn with_mode<B: Access>(self) -> OpenOptions<T, B> {
        OpenOptions {
            offset: self.offset,
            mode: self.mode,
            create: self.create,
            create_new: self.create_new,
            populate: self.populate,
            address_hint: self.address_hint,
            follow_symlinks: self.follow_symlinks,
            // Only a read-write shared open may write the header: other modes never upgrade.
            upgrade: false,
            _marker: PhantomData,
        }
    }

    /// Maps the struct `offset` bytes into the file. Any multiple of `T`'s alignment works; the
    /// mapping starts at the page boundary below and steps in.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// std::fs::write(&path, [1u8; 5000])?;
    /// let stats = Stats::options().offset(4096 + 8).open(&path)?;
    /// stats.set_hits(0);
    /// let bytes = std::fs::read(&path)?;
    /// assert_eq!(&bytes[4104..4112], &[0; 8]);
    /// assert_eq!(bytes[4103], 1);
    /// assert!(Stats::options().offset(3).open(&path).is_err()); // not a multiple of 8
    /// # Ok(()) }
    /// ```
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Permission bits for a file this call creates (default `0o600`; the umask still applies).
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// use std::os::unix::fs::PermissionsExt;
    /// Stats::options().create_new(true).mode(0o400).open(&path)?;
    /// assert_eq!(std::fs::metadata(&path)?.permissions().mode() & 0o777, 0o400);
    /// # Ok(()) }
    /// ```
    pub fn mode(mut self, mode: u32) -> Self {
        self.mode = mode;
        self
    }

    /// Creates the file, sized with `ftruncate`, if it does not exist; if another process creates
    /// it meanwhile, opens that one. The file appears at its path only once it is complete.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// Stats::options().create(true).open(&path)?;
    /// Stats::options().create(true).open(&path)?; // opens the existing file
    /// # Ok(()) }
    /// ```
    pub fn create(mut self, create: bool) -> Self {
        self.create = create;
        self
    }

    /// Creates the file, failing if the path exists (`EEXIST`, as `O_CREAT | O_EXCL` would);
    /// takes precedence over [`create`](Self::create). The file appears at its path only once it
    /// is complete.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// Stats::options().create_new(true).open(&path)?;
    /// assert!(Stats::options().create_new(true).open(&path).is_err());
    /// # Ok(()) }
    /// ```
    pub fn create_new(mut self, create_new: bool) -> Self {
        self.create_new = create_new;
        self
    }

    /// Pre-faults the pages when mapping (`MAP_POPULATE` on Linux; ignored elsewhere).
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// Stats::options().create(true).populate(true).open(&path)?;
    /// # Ok(()) }
    /// ```
    pub fn populate(mut self, populate: bool) -> Self {
        self.populate = populate;
        self
    }

    /// Asks for the mapping to be placed near `address`. Only a hint: the kernel picks another
    /// address if that one is taken (no `MAP_FIXED`, which could replace existing mappings).
    /// An address of 0 means no hint.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// let stats = Stats::options().create(true).address_hint(0x6000_0000_0000).open(&path)?;
    /// stats.set_hits(1); // wherever it landed
    /// # Ok(()) }
    /// ```
    pub fn address_hint(mut self, address: usize) -> Self {
        self.address_hint = NonZeroUsize::new(address);
        self
    }

    /// With `false`, refuses a path whose last component is a symbolic link (`O_NOFOLLOW`), so a
    /// link planted where the file should be cannot redirect the mapping (`create_new` already
    /// refuses to create through one). The default, `true`, follows links as `open` does.
    ///
    /// # Errors
    /// At [`open`](Self::open): [`Error::Io`] with [`Op::Open`](crate::Op::Open) and `ELOOP` for
    /// a link.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// let real = dir.path().join("stats.bin");
    /// let link = dir.path().join("link.bin");
    /// Stats::create_new(&real)?;
    /// std::os::unix::fs::symlink(&real, &link)?;
    /// assert!(Stats::options().follow_symlinks(false).open(&link).is_err());
    /// assert!(Stats::options().follow_symlinks(false).open(&real).is_ok());
    /// # Ok(()) }
    /// ```
    pub fn follow_symlinks(mut self, follow: bool) -> Self {
        self.follow_symlinks = follow;
        self
    }
}

impl<T: Mapped, A: Readable> OpenOptions<T, A> {
    /// Opens (or creates) `path` and maps the struct.
    ///
    /// # Errors
    /// [`Error::Misaligned`] if the offset is not a multiple of `T`'s alignment;
    /// [`Error::OffsetOverflow`] if offset plus size overflows a file offset;
    /// [`Error::FileTooSmall`] if an existing file ends before offset plus size;
    /// [`Error::NotRegularFile`]; [`Error::Io`] from `open`, `ftruncate`, `fallocate` or `mmap`.
    /// For a `T` with `magic`, the header's errors: [`Error::BadMagic`],
    /// [`Error::LayoutMismatch`] (another layout, not one `T` appends to or extends),
    /// [`Error::VersionMismatch`], [`Error::NeedsUpgrade`] for a file of an older layout of `T`
    /// (unless [`upgrade`](OpenOptions::upgrade)`(true)`), and the others
    /// `docs/file-formats.md` lists. A file of a newer layout opens: `T`'s fields are mapped
    /// where they are, and the newer fields after them kept.
    /// A rejected file is not modified; a file this call creates appears at its path only once
    /// it is complete (see [`Handle::create_new`]), so a failure leaves nothing there.
    ///
    /// A read-write shared mapping reserves disk blocks for the whole struct (`fallocate`) before
    /// mapping it, so a full disk is an `Err` here, never a `SIGBUS` at a later write. On a
    /// filesystem without `fallocate` nothing is reserved.
    ///
    /// ```
    /// # use mapped::{Error, Mapped};
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// std::fs::write(&path, [0u8; 8])?;
    /// let err = Stats::options().offset(8).open(&path).unwrap_err();
    /// assert!(matches!(err, Error::FileTooSmall { needed: 16, found: 8, .. }));
    /// # Ok(()) }
    /// ```
    pub fn open(self, path: impl AsRef<Path>) -> Result<Handle<T, A>, Error> {
        assert_mappable::<T>();
        let creation = if self.create_new {
            Creation::CreateNew
        } else if self.create {
            Creation::OpenOrCreate
        } else {
            Creation::OpenExisting
        };
        let path = path.as_ref();
        let identity = T::HEADER.map(|spec| Identity {
            magic: spec.magic,
            version: spec.version,
            kind: Kind::Struct,
            shape: &T::SHAPE,
            fingerprint: <T as Mapped>::LAYOUT.fingerprint,
            size: size_of::<T>() as u64,
            align: align_of::<T>(),
        });
        let header = identity.as_ref().map(Identity::encode);
        let upgrading = self.upgrade;
        let check = |available: u64, pread: &Pread<'_>| match &identity {
            Some(identity) => {
                let verdict = identity.judge_file(path, available, pread)?;
                if let (true, Fit::Newer { extra }) = (upgrading, &verdict.fit) {
                    return Err(identity.newer_error(path, &verdict, extra));
                }
                identity.accept(path, &verdict)?;
                Ok(Accepted {
                    data_offset: verdict.data_offset,
                    size: verdict.size,
                })
            }
            None => Ok(Accepted {
                data_offset: 0,
                size: size_of::<T>() as u64,
            }),
        };
        let offset = self.offset;
        let upgrade = |file: &std::fs::File| match &identity {
            Some(identity) => upgrade::upgrade_struct(identity, file, path, offset),
            None => Ok(()),
        };
        if self.upgrade && identity.is_none() {
            return Err(Error::NotSelfDescribing {
                path: path.to_path_buf(),
                reason: format!(
                    "`{}` has no `magic`, so its files hold no schema to upgrade from",
                    std::any::type_name::<T>()
                ),
            });
        }
        let request = FileRequest {
            path,
            offset: self.offset,
            size: size_of::<T>(),
            // A header's integers are 8 bytes wide; the struct after it keeps the offset's
            // alignment, its data offset being a multiple of the struct's.
            align: match header {
                Some(_) => align_of::<T>().max(8),
                None => align_of::<T>(),
            },
            protection: A::PROTECTION,
            shared: A::SHARED,
            creation,
            mode: self.mode,
            populate: self.populate,
            address_hint: self.address_hint,
            follow_symlinks: self.follow_symlinks,
            prefix: header.as_deref().map(|bytes| Prefix {
                bytes,
                check: &check,
                upgrade: self.upgrade.then_some(&upgrade as &Upgrade<'_>),
            }),
        };
        Handle::from_mapping(open::map_file(&request)?)
    }
}

impl<T: Mapped> OpenOptions<T, Private> {
    /// Maps a private mapping read-only (`PROT_READ`): the handle gets getters only, and
    /// `make_mut` later returns a private handle.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// # Stats::create_new(&path)?;
    /// let snapshot = Stats::options().private().read_only().open(&path)?;
    /// let scratch = snapshot.make_mut()?; // private: writes stay here
    /// scratch.set_hits(5);
    /// assert_eq!(std::fs::read(&path)?, [0; 8]);
    /// # Ok(()) }
    /// ```
    pub fn read_only(self) -> OpenOptions<T, ReadOnly<Private>> {
        self.with_mode()
    }
}

impl<T: Mapped> OpenOptions<T, ReadWrite> {
    /// Opens the file read-only and maps it `PROT_READ`, shared: the handle gets getters only,
    /// sees other processes' writes, and has no `make_mut` (the descriptor could never write).
    ///
    /// ```
    /// # use mapped::{Handle, Mapped, ReadOnly};
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// # Stats::create_new(&path)?;
    /// let reader: Handle<Stats, ReadOnly> = Stats::options().read_only().offset(0).open(&path)?;
    /// assert_eq!(reader.hits(), 0);
    /// # Ok(()) }
    /// ```
    pub fn read_only(self) -> OpenOptions<T, ReadOnly> {
        self.with_mode()
    }

    /// With `true`, a file written by an older layout of `T` (its fields a proper prefix of
    /// `T`'s) is upgraded in place before it is mapped, as `T::upgrade` does: grown, the new
    /// fields zeroed, `T`'s version and schema written into the header last, so a crash leaves
    /// the old layout or the new one. A file already at `T`'s layout opens as usual; a file of a
    /// newer layout is refused ([`Error::LayoutMismatch`], saying the file is newer), since the
    /// upgrade would lose its newer fields. `read_only` and `private` turn it off.
    ///
    /// # Errors
    /// At [`open`](Self::open), besides its own: [`Error::UpgradeRefused`] if the header has no
    /// room for `T`'s schema (or is of format 2), or bytes follow a struct opened at an
    /// [`offset`](Self::offset); [`Error::NotSelfDescribing`] if `T` has no `magic`.
    ///
    /// ```
    /// # use mapped::{Error, Mapped};
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// mod v1 {
    ///     #[derive(mapped::Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    ///     #[repr(C)]
    ///     #[mapped(magic = b"STATS\0\0\0", version = 1)]
    ///     pub struct Stats { pub hits: u64 }
    /// }
    /// mod v2 {
    ///     #[derive(mapped::Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    ///     #[repr(C)]
    ///     #[mapped(magic = b"STATS\0\0\0", version = 2)]
    ///     pub struct Stats { pub hits: u64, pub misses: u64 }
    /// }
    /// v1::Stats::create_new(&path)?.set_hits(7);
    /// assert!(matches!(v2::Stats::open(&path), Err(Error::NeedsUpgrade { .. })));
    /// let stats = v2::Stats::options().upgrade(true).open(&path)?;
    /// assert_eq!((stats.hits(), stats.misses()), (7, 0));
    /// assert_eq!(v1::Stats::open_read_only(&path)?.hits(), 7); // old code reads it still
    /// # Ok(()) }
    /// ```
    ///
    /// Only options that open read-write and shared have it:
    ///
    /// ```compile_fail,E0599
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # #[mapped(magic = b"STATS\0\0\0", version = 1)]
    /// # struct Stats { hits: u64 }
    /// Stats::options().read_only().upgrade(true);
    /// ```
    pub fn upgrade(mut self, upgrade: bool) -> Self {
        self.upgrade = upgrade;
        self
    }

    /// Maps copy-on-write (`MAP_PRIVATE`): writes never reach the file.
    ///
    /// ```
    /// # use mapped::Mapped;
    /// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
    /// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("stats.bin");
    /// let scratch = Stats::options().private().create(true).open(&path)?;
    /// scratch.set_hits(5);
    /// assert_eq!(std::fs::read(&path)?, [0; 8]);
    /// # Ok(()) }
    /// ```
    pub fn private(self) -> OpenOptions<T, Private> {
        self.with_mode()
    }
}

impl<T, A> fmt::Debug for OpenOptions<T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenOptions")
            .field("type", &std::any::type_name::<T>())
            .field("mode", &std::any::type_name::<A>())
            .field("offset", &self.offset)
            .field("file_mode", &format_args!("{:#o}", self.mode))
            .field("create", &self.create)
            .field("create_new", &self.create_new)
            .field("populate", &self.populate)
            .field("address_hint", &self.address_hint)
            .field("follow_symlinks", &self.follow_symlinks)
            .field("upgrade", &self.upgrade)
            .finish()
    }
}
