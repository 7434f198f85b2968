//! The layout rules every derived struct must meet, checked at compile time from the fields of
//! its [`Layout`](crate::Layout): no zero-sized field, no padding.
//!
//! The derive emits one constant per struct that matches on [`layout_fault`] and, in the arm of
//! the field at fault, calls [`layout_panic`] with tokens spanned at that field: one constant for
//! the compiler to evaluate (reading the field list that `LAYOUT` is made of) instead of an item
//! per field and gap, and the error still points at the culprit, since `layout_panic` is
//! `#[track_caller]`. The message, with its numbers, is only written when a check fails.

use crate::shape::Field;

/// The rule a faulty layout breaks, found by [`first_fault`].
enum Fault {
    /// Field `index` has no bytes.
    ZeroSized { index: usize },
    /// `gap` bytes of padding before field `index` (after field `index - 1`), or after the last
    /// field when `index` is the number of fields.
    Padding { index: usize, gap: usize },
}

/// The first fault of a struct of `size` bytes made of `fields`, in field order: field `i`
/// zero-sized, or padding before it; then padding after the last field.
const fn first_fault(size: usize, fields: &[Field]) -> Option<Fault> {
    let mut end = 0;
    let mut i = 0;
    while i < fields.len() {
        let field = &fields[i];
        if field.size == 0 {
            return Some(Fault::ZeroSized { index: i });
        }
        // `repr(C)` lays fields out in declaration order, so `offset >= end`; a saturating
        // difference keeps a contradiction from overflowing the interpreter.
        if field.offset != end {
            let gap = field.offset.saturating_sub(end);
            return Some(Fault::Padding { index: i, gap });
        }
        end = field.offset + field.size;
        i += 1;
    }
    if size != end {
        let gap = size.saturating_sub(end);
        return Some(Fault::Padding { index: i, gap });
    }
    None
}

/// The field at fault in a struct of `size` bytes made of `fields` (see the module documentation),
/// `fields.len()` for padding after the last field, or `usize::MAX` when there is no fault.
///
/// ```
/// use mapped::Mapped;
/// use zerocopy::{FromBytes, IntoBytes, KnownLayout};
///
/// #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
/// #[repr(C)]
/// struct Sound { a: u32, b: u32 }
///
/// let layout = <Sound as Mapped>::LAYOUT;
/// assert_eq!(mapped::__private::layout_fault(layout.size, layout.fields), usize::MAX);
/// ```
#[doc(hidden)]
pub const fn layout_fault(size: usize, fields: &[Field]) -> usize {
    match first_fault(size, fields) {
        None => usize::MAX,
        Some(Fault::ZeroSized { index } | Fault::Padding { index, .. }) => index,
    }
}

/// Stops compilation with what is wrong with struct `name` of `size` bytes made of `fields`,
/// reported where the call is written: the generated code spans it at the field at fault.
///
/// ```compile_fail,E0080
/// use mapped::__private::{field, layout_fault, layout_panic};
/// use mapped::{Field, FieldType};
///
/// // A `u8` then a `u32` at offset 4: three bytes of padding between them.
/// const PADDED: &[Field] = &[
///     field("a", 0, 1, "u8", &<u8 as FieldType>::SHAPE, false),
///     field("b", 4, 4, "u32", &<u32 as FieldType>::SHAPE, false),
/// ];
/// // error: `S` has 3 byte(s) of padding between `a` and `b`: ...
/// const _: () = if layout_fault(8, PADDED) != usize::MAX { layout_panic("S", 8, PADDED) };
/// ```
#[doc(hidden)]
#[track_caller]
pub const fn layout_panic(name: &str, size: usize, fields: &[Field]) -> ! {
    let mut text = Text::new();
    match first_fault(size, fields) {
        None => {
            text = text.str("`").str(name).str("` has no layout fault");
        }
        Some(Fault::ZeroSized { index }) => {
            text = text
                .str("field `")
                .str(fields[index].name)
                .str("` of `")
                .str(name)
                .str(
                    "` is zero-sized: it would have no bytes in the file, and a mapped struct \
                     must not be zero-sized; remove the field",
                );
        }
        Some(Fault::Padding { index, gap }) if index < fields.len() => {
            text = text
                .str("`")
                .str(name)
                .str("` has ")
                .usize(gap)
                .str(" byte(s) of padding between `")
                .str(fields[index - 1].name)
                .str("` and `")
                .str(fields[index].name)
                .str(
                    "`: padding bytes are uninitialized, so they cannot be written to a file; \
                     add an explicit field to fill the gap or reorder the fields",
                );
        }
        Some(Fault::Padding { index, gap }) => {
            let last = fields[index - 1].name;
            text = text
                .str("`")
                .str(name)
                .str("` has ")
                .usize(gap)
                .str(" byte(s) of padding after its last field `")
                .str(last)
                .str(
                    "`: padding bytes are uninitialized, so they cannot be written to a file; \
                     add an explicit field after `",
                )
                .str(last)
                .str("` to fill the gap");
        }
    }
    panic!("{}", text.as_str())
}

/// A message written at compile time, where `format!` is not available.
struct Text {
    bytes: [u8; Text::CAPACITY],
    len: usize,
}

impl Text {
    /// Room for the longest message with names of a few hundred bytes; longer ones are cut.
    const CAPACITY: usize = 1024;

    const fn new() -> Self {
        Text {
            bytes: [0; Text::CAPACITY],
            len: 0,
        }
    }

    /// Appends `text`, whole or not at all, so that the bytes stay UTF-8.
    const fn str(mut self, text: &str) -> Self {
        let text = text.as_bytes();
        if self.len + text.len() > Text::CAPACITY {
            return self;
        }
        let mut i = 0;
        while i < text.len() {
            self.bytes[self.len + i] = text[i];
            i += 1;
        }
        self.len += text.len();
        self
    }

    /// Appends `value` in decimal.
    const fn usize(self, mut value: usize) -> Self {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        match core::str::from_utf8(digits.split_at(start).1) {
            Ok(text) => self.str(text),
            Err(_) => self,
        }
    }

    const fn as_str(&self) -> &str {
        match core::str::from_utf8(self.bytes.split_at(self.len).0) {
            Ok(text) => text,
            Err(_) => "the layout of a mapped struct is faulty",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::{field, Shape};

    const U8: Shape = Shape::Unsigned { bytes: 1 };
    const U32: Shape = Shape::Unsigned { bytes: 4 };

    #[test]
    fn a_sound_layout_has_no_fault() {
        const FIELDS: [Field; 2] = [
            field("a", 0, 4, "u32", &U32, false),
            field("b", 4, 4, "u32", &U32, false),
        ];
        assert_eq!(layout_fault(8, &FIELDS), usize::MAX);
    }

    #[test]
    fn each_fault_names_its_field() {
        const GAP: [Field; 2] = [
            field("a", 0, 1, "u8", &U8, false),
            field("b", 4, 4, "u32", &U32, false),
        ];
        assert_eq!(layout_fault(8, &GAP), 1);
        const TRAILING: [Field; 2] = [
            field("a", 0, 4, "u32", &U32, false),
            field("b", 4, 1, "u8", &U8, false),
        ];
        assert_eq!(layout_fault(8, &TRAILING), 2);
        const ZERO: [Field; 2] = [
            field("a", 0, 4, "u32", &U32, false),
            field("b", 4, 0, "[u8; 0]", &U8, false),
        ];
        assert_eq!(layout_fault(4, &ZERO), 1);
    }

    #[test]
    fn the_message_has_the_names_and_the_gap() {
        const GAP: [Field; 2] = [
            field("a", 0, 1, "u8", &U8, false),
            field("b", 4, 4, "u32", &U32, false),
        ];
        let message = std::panic::catch_unwind(|| layout_panic("S", 8, &GAP))
            .expect_err("a faulty layout panics");
        let message = message
            .downcast_ref::<String>()
            .expect("a formatted message");
        assert!(
            message.starts_with("`S` has 3 byte(s) of padding between `a` and `b`: "),
            "{message}"
        );
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        for (value, text) in [
            (0, "0"),
            (7, "7"),
            (10, "10"),
            (usize::MAX, "18446744073709551615"),
        ] {
            assert_eq!(Text::new().usize(value).as_str(), text);
        }
    }
}
