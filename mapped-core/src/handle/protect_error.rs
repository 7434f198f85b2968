//! `ProtectError`: a failed protection change that gives the handle back.

use std::fmt;

use crate::error::Error;
use crate::mapped::Mapped;
use crate::mode::Access;

use super::Handle;

/// The error of [`make_read_only`](Handle::make_read_only), [`make_no_access`](Handle::make_no_access)
/// and [`make_mut`](Handle::make_mut): what `mprotect` said, and the handle they were called on,
/// back in its old mode with its old protection.
///
/// It converts into [`Error`] with `?`, and is itself an error that is `Send + Sync` (for
/// `Box<dyn Error + Send + Sync>` and `anyhow`), so code that does not want the handle back
/// loses nothing by the change. The handle is only reachable by value
/// ([`into_handle`](Self::into_handle)), which is what makes a shared `&ProtectError` harmless
/// across threads though a `Handle` is not `Sync`.
///
/// ```
/// # use mapped::Mapped;
/// # use zerocopy::{FromBytes, IntoBytes, KnownLayout};
/// # #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// # #[repr(C)]
/// # struct Stats { hits: u64 }
/// # fn main() -> Result<(), mapped::Error> {
/// let stats = Stats::anonymous()?;
/// let stats = match stats.make_read_only() {
///     Ok(frozen) => frozen.make_mut()?,
///     Err(refused) => {
///         eprintln!("staying writable: {refused}");
///         refused.into_handle().expect("the old protection was restored")
///     }
/// };
/// stats.set_hits(1);
/// # Ok(()) }
/// ```
pub struct ProtectError<T: Mapped, A: Access> {
    /// Boxed: a failed `mprotect` is rare, and the `Result`s of the `make_*` calls stay small.
    refused: Box<Refused<T, A>>,
}

struct Refused<T: Mapped, A: Access> {
    error: Error,
    handle: Option<Handle<T, A>>,
}

// SAFETY: a `&ProtectError` gives access to the `Error` only (`error`, `Display`, `Debug`,
// `source`), which is `Sync`; the handle, which is not `Sync`, can only be taken out by value
// (`into_handle`), which needs the `ProtectError` itself and so the one thread that owns it.
unsafe impl<T: Mapped, A: Access> Sync for ProtectError<T, A> {}

impl<T: Mapped, A: Access> ProtectError<T, A> {
    pub(super) fn new(error: Error, handle: Option<Handle<T, A>>) -> Self {
        ProtectError {
            refused: Box::new(Refused { error, handle }),
        }
    }

    /// What went wrong: [`Error::Io`] with [`Op::Mprotect`](crate::Op::Mprotect).
    ///
    /// ```
    /// # use mapped::{Handle, Mapped, ProtectError, ReadWrite};
    /// # #[derive(Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// fn why(refused: &ProtectError<Stats, ReadWrite>) -> String {
    ///     refused.error().to_string()
    /// }
    /// ```
    pub fn error(&self) -> &Error {
        &self.refused.error
    }

    /// The handle, as it was before the call: same mode, same protection, same contents. `None`
    /// only if the kernel also refused to restore the old protection, in which case the mapping
    /// was unmapped, since no handle could promise what its pages allow.
    ///
    /// ```
    /// # use mapped::{Handle, Mapped, ProtectError, ReadWrite};
    /// # #[derive(Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// fn keep(refused: ProtectError<Stats, ReadWrite>) -> Option<Handle<Stats>> {
    ///     refused.into_handle()
    /// }
    /// ```
    pub fn into_handle(self) -> Option<Handle<T, A>> {
        self.refused.handle
    }

    /// The error alone, dropping (and so unmapping) the handle.
    ///
    /// ```
    /// # use mapped::{Mapped, ProtectError, ReadWrite};
    /// # #[derive(Mapped, zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout)]
    /// # #[repr(C)]
    /// # struct Stats { hits: u64 }
    /// fn give_up(refused: ProtectError<Stats, ReadWrite>) -> mapped::Error {
    ///     refused.into_error()
    /// }
    /// ```
    pub fn into_error(self) -> Error {
        self.refused.error
    }
}

impl<T: Mapped, A: Access> From<ProtectError<T, A>> for Error {
    fn from(refused: ProtectError<T, A>) -> Error {
        refused.into_error()
    }
}

impl<T: Mapped, A: Access> fmt::Debug for ProtectError<T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProtectError")
            .field("error", &self.refused.error)
            .field("handle_restored", &self.refused.handle.is_some())
            .finish()
    }
}

impl<T: Mapped, A: Access> fmt::Display for ProtectError<T, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.refused.error, f)
    }
}

impl<T: Mapped, A: Access> std::error::Error for ProtectError<T, A> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.refused.error)
    }
}
