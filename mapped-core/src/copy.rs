//! Whole-value copies into and out of a mapping that respect atomic fields.
//!
//! A plain (volatile) copy of a struct reads and writes its atomic fields non-atomically. Another
//! thread of this process may hold a `&AtomicU64` into the same mapping (atomics are `Sync`) and
//! be updating it at that very moment: that would be a data race. So a type whose
//! [`Shape`] contains atomics is copied leaf by leaf, each atomic with an atomic load or store
//! (`Relaxed`: a copy promises no ordering), everything else with volatile accesses. Types without
//! atomics, the common case, are copied whole by the places above (`field::place`), which make
//! the choice at compile time; this module needs nothing but the [`Shape`].

use std::mem::{size_of, MaybeUninit};
use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, AtomicU8, Ordering};

use zerocopy::FromBytes;

use crate::shape::Shape;

/// Reads an `F` from `src`, leaf by leaf as `shape` describes it: atomics atomically.
///
/// # Safety
/// `src` must be aligned and valid for reads of an `F` for the duration of the call; `shape` must
/// place every atomic of `F` (so that no byte this process may access atomically is read
/// non-atomically), and `src`'s non-atomic bytes must not be written concurrently by this process.
pub(crate) unsafe fn read<F: FromBytes>(src: *const F, shape: &Shape) -> F {
    // Zeroed first: every byte is then initialized even if the shape described less than the
    // whole value, and all-zero is a valid `F` (`F: FromBytes`).
    let mut out = MaybeUninit::<F>::zeroed();
    // SAFETY: `src` is valid for reads of `size_of::<F>()` bytes (the caller), `out` for writes of
    // as many; they do not overlap (`out` is a fresh local); both are aligned for `F`.
    unsafe {
        copy(
            src.cast(),
            out.as_mut_ptr().cast(),
            shape,
            0,
            size_of::<F>(),
        )
    };
    // SAFETY: zero-initialized, then only overwritten with bytes of an `F`; `F: FromBytes`.
    unsafe { out.assume_init() }
}

/// Writes a copy of `*value` to `dst`, leaf by leaf as `shape` describes it: atomics atomically.
///
/// # Safety
/// `dst` must be aligned and valid for writes of an `F` for the duration of the call, and must not
/// overlap `value`; `shape` must place every atomic of `F`, and `dst`'s non-atomic bytes must not
/// be accessed concurrently by this process. Every byte of `F` must be initialized (`IntoBytes`).
pub(crate) unsafe fn write<F>(dst: *mut F, value: &F, shape: &Shape) {
    // SAFETY: `value` is a valid `F`, readable for `size_of::<F>()` bytes; `dst` is valid for
    // writes of as many and does not overlap it (the caller); both are aligned for `F`.
    unsafe {
        copy(
            (value as *const F).cast(),
            dst.cast(),
            shape,
            0,
            size_of::<F>(),
        )
    };
}

/// Copies the bytes `offset..offset + size` of a value shaped `shape`, atomics atomically.
///
/// Every leaf is bounds-checked against `total`, the size of the whole value, so a shape that
/// does not match its type can at worst copy less, never outside the value.
///
/// # Safety
/// `src` and `dst` must be valid for reads and writes of `total` bytes respectively, aligned for
/// the value, and not overlap.
unsafe fn copy(src: *const u8, dst: *mut u8, shape: &Shape, offset: usize, total: usize) {
    match shape {
        // Every word of a seqlock is accessed atomically by its protocol, whatever its copies
        // hold, so a copy of it moves atomic words too.
        Shape::Struct(layout) if layout.seqlock => {
            let mut word = 0;
            while word + 8 <= layout.size && offset + word + 8 <= total {
                // SAFETY: within both values (checked); a seqlock is made of 8-byte atomics,
                // aligned to 8 inside an aligned value (`copy_atomic` checks the alignment anyway).
                let (from, to) = unsafe { (src.add(offset + word), dst.add(offset + word)) };
                // SAFETY: in bounds; concurrent access to these bytes by this process can only be
                // atomic (the seqlock's protocol), matching these atomic operations.
                unsafe { copy_atomic(from, to, 8) };
                word += 8;
            }
        }
        Shape::Struct(layout) => {
            for field in layout.fields {
                // SAFETY: forwarded; offsets only grow, and leaves check their bounds.
                unsafe { copy(src, dst, field.shape, offset + field.offset, total) };
            }
        }
        Shape::Array { element, len } => {
            let element_size = element.size();
            for i in 0..*len {
                // SAFETY: forwarded, as above.
                unsafe { copy(src, dst, element, offset + i * element_size, total) };
            }
        }
        Shape::Atomic { value } => {
            let size = value.size();
            if offset + size > total {
                return;
            }
            // SAFETY: `offset + size <= total`, so both pointers stay within their values.
            let (from, to) = unsafe { (src.add(offset), dst.add(offset)) };
            // SAFETY: in bounds (above); an atomic field is aligned to its size inside an aligned
            // value (checked below before use); concurrent access to these bytes by this process
            // can only be atomic, matching these atomic operations.
            unsafe { copy_atomic(from, to, size) };
        }
        leaf => {
            let size = leaf.size();
            if offset + size > total {
                return;
            }
            for i in 0..size {
                // SAFETY: `offset + i < total`: within both values; the caller guarantees no
                // concurrent non-atomic access by this process, and these bytes are not atomic.
                unsafe {
                    dst.add(offset + i)
                        .write_volatile(src.add(offset + i).read_volatile())
                };
            }
        }
    }
}

/// One atomic of `size` bytes from `from` to `to`; a byte copy if either is misaligned.
///
/// The source may be a read-only page (a getter or `load` on a read-only handle). std allows only
/// one atomic access there: a `Relaxed` load of at most the pointer width (see "Atomic accesses to
/// read-only memory" in [`std::sync::atomic`]). So the load goes through a shared reference, which
/// asserts nothing about writability (unlike `from_ptr`, whose contract asks for memory valid for
/// writes), and is always `Relaxed`, which is all a copy needs. The crate only builds for 64-bit
/// targets (`lib.rs`), where 8 bytes is within that limit.
///
/// # Safety
/// Both pointers valid for `size` bytes, `from` for reads and `to` for writes; see [`copy`].
unsafe fn copy_atomic(from: *const u8, to: *mut u8, size: usize) {
    macro_rules! atomic {
        ($atomic:ty) => {{
            let aligned = from as usize % size == 0 && to as usize % size == 0;
            if aligned {
                // SAFETY: `from` is aligned (checked) and valid for reads of `size` bytes (the
                // caller), the atomic's size and alignment; a shared reference to an atomic (an
                // `UnsafeCell`) tolerates concurrent atomic changes by anyone and, since it is
                // only used for one `Relaxed` load of at most 8 bytes on a 64-bit target, is
                // allowed over read-only memory. The reference lives for this statement only.
                let value = unsafe { &*from.cast::<$atomic>() }.load(Ordering::Relaxed);
                // SAFETY: `to` is aligned (checked) and valid for writes of `size` bytes (the
                // caller), which is what `from_ptr` requires; concurrent accesses to these bytes
                // by this process can only be atomic ones, like this store.
                unsafe { <$atomic>::from_ptr(to.cast()) }.store(value, Ordering::Relaxed);
                return;
            }
        }};
    }
    match size {
        1 => atomic!(AtomicU8),
        2 => atomic!(AtomicU16),
        4 => atomic!(AtomicU32),
        8 => atomic!(AtomicU64),
        _ => {}
    }
    for i in 0..size {
        // SAFETY: within both values (the caller); reached only for a shape that does not match
        // its type, where a byte copy is the in-bounds fallback.
        unsafe { to.add(i).write_volatile(from.add(i).read_volatile()) };
    }
}
