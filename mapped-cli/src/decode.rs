//! Values from bytes, by the stored schema alone: the schema compiled once into a tree that knows
//! each value's byte order and offset, then walked once per record to write JSON or CSV.

use mapped::FieldKind;

/// Values one record may print at most (scalars and array or struct brackets): a schema that
/// nests empty arrays a billion deep would otherwise print forever for a record of 0 bytes.
pub(crate) const MAX_VALUES: u64 = 1 << 24;

/// A type ready to decode: [`FieldKind`] with byte orders resolved and JSON keys escaped.
pub(crate) enum Node {
    Int {
        bytes: usize,
        signed: bool,
        big_endian: bool,
    },
    Float {
        bytes: usize,
        big_endian: bool,
    },
    Array {
        element: Box<Node>,
        len: usize,
        stride: usize,
    },
    Struct(Vec<Field>),
}

pub(crate) struct Field {
    name: String,
    /// `"name":`, escaped once rather than per record.
    json_key: Vec<u8>,
    offset: usize,
    /// The field's size, kept rather than walked from `node` for every record.
    size: usize,
    node: Node,
}

impl Node {
    /// Compiles `kind`, for data written `big_endian` (the file's byte order). `None` if a
    /// record would print more than [`MAX_VALUES`] values, or holds a kind this build does not
    /// know.
    pub(crate) fn compile(kind: &FieldKind, big_endian: bool) -> Option<Node> {
        if values(kind) > MAX_VALUES {
            return None;
        }
        Node::of(kind, big_endian)
    }

    fn of(kind: &FieldKind, big_endian: bool) -> Option<Node> {
        Some(match kind {
            FieldKind::Unsigned { bytes } => Node::Int {
                bytes: *bytes,
                signed: false,
                big_endian,
            },
            FieldKind::Signed { bytes } => Node::Int {
                bytes: *bytes,
                signed: true,
                big_endian,
            },
            FieldKind::Float { bytes } => Node::Float {
                bytes: *bytes,
                big_endian,
            },
            // A byte-order integer is stored in its own order, whatever the machine's.
            FieldKind::ByteOrder {
                value,
                big_endian: own,
            } => Node::of(value, *own)?,
            FieldKind::Atomic { value } => Node::of(value, big_endian)?,
            FieldKind::Array { element, len } => Node::Array {
                stride: element.size(),
                element: Box::new(Node::of(element, big_endian)?),
                len: *len,
            },
            FieldKind::Struct(nested) => Node::Struct(
                nested
                    .fields
                    .iter()
                    .map(|field| {
                        let mut json_key =
                            serde_json::to_vec(&field.name).expect("a string serializes");
                        json_key.push(b':');
                        Some(Field {
                            name: field.name.clone(),
                            json_key,
                            offset: field.offset,
                            size: field.size,
                            node: Node::of(&field.kind, big_endian)?,
                        })
                    })
                    .collect::<Option<_>>()?,
            ),
            _ => return None,
        })
    }

    /// Appends the value in `bytes` (exactly this type's size) as JSON.
    pub(crate) fn json(&self, bytes: &[u8], out: &mut Vec<u8>) {
        match self {
            Node::Int { .. } | Node::Float { .. } => self.scalar(bytes, true, out),
            Node::Array {
                element,
                len,
                stride,
            } => {
                out.push(b'[');
                for i in 0..*len {
                    if i > 0 {
                        out.push(b',');
                    }
                    element.json(&bytes[i * stride..(i + 1) * stride], out);
                }
                out.push(b']');
            }
            Node::Struct(fields) => {
                out.push(b'{');
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(&field.json_key);
                    field.node.json(field.bytes(bytes), out);
                }
                out.push(b'}');
            }
        }
    }

    /// Appends the value's scalars as CSV fields, each followed by a comma, in the order of
    /// [`csv_names`](Self::csv_names). Numbers never need CSV's quoting, so they are written
    /// straight to the row rather than through the csv crate's field escaping, which cost a
    /// sixth of a dump's time.
    pub(crate) fn csv(&self, bytes: &[u8], out: &mut Vec<u8>) {
        match self {
            Node::Int { .. } | Node::Float { .. } => {
                self.scalar(bytes, false, out);
                out.push(b',');
            }
            Node::Array {
                element,
                len,
                stride,
            } => {
                for i in 0..*len {
                    element.csv(&bytes[i * stride..(i + 1) * stride], out);
                }
            }
            Node::Struct(fields) => {
                for field in fields {
                    field.node.csv(field.bytes(bytes), out);
                }
            }
        }
    }

    /// Appends a scalar: 128-bit integers, and NaN and the infinities, as strings in JSON (where
    /// readers lose integers past 2^53 and have no such floats), bare in CSV.
    fn scalar(&self, bytes: &[u8], json: bool, out: &mut Vec<u8>) {
        match *self {
            Node::Int {
                bytes: size,
                signed,
                big_endian,
            } => {
                let quote = json && size == 16;
                if quote {
                    out.push(b'"');
                }
                write_int(size, signed, big_endian, bytes, out);
                if quote {
                    out.push(b'"');
                }
            }
            Node::Float {
                bytes: size,
                big_endian,
            } => write_float(size, big_endian, bytes, json, out),
            _ => {}
        }
    }

    /// Calls `name` with each CSV column's name: `pos.x` for a nested field, `tag[0]` for an
    /// array element, `pts[0].x` for a field of an array of structs; `prefix` names this value.
    pub(crate) fn csv_names<E>(
        &self,
        prefix: &mut String,
        name: &mut dyn FnMut(&str) -> Result<(), E>,
    ) -> Result<(), E> {
        let start = prefix.len();
        let result = match self {
            Node::Int { .. } | Node::Float { .. } => name(prefix),
            Node::Array { element, len, .. } => (0..*len).try_for_each(|i| {
                prefix.truncate(start);
                prefix.push('[');
                prefix.push_str(itoa::Buffer::new().format(i));
                prefix.push(']');
                element.csv_names(prefix, name)
            }),
            Node::Struct(fields) => fields.iter().try_for_each(|field| {
                prefix.truncate(start);
                if start > 0 {
                    prefix.push('.');
                }
                prefix.push_str(&field.name);
                field.node.csv_names(prefix, name)
            }),
        };
        prefix.truncate(start);
        result
    }
}

impl Field {
    fn bytes<'b>(&self, record: &'b [u8]) -> &'b [u8] {
        &record[self.offset..self.offset + self.size]
    }
}

/// How many values (scalars, arrays and structs) one value of `kind` prints, saturating.
fn values(kind: &FieldKind) -> u64 {
    match kind {
        FieldKind::Unsigned { .. } | FieldKind::Signed { .. } | FieldKind::Float { .. } => 1,
        FieldKind::ByteOrder { value, .. } | FieldKind::Atomic { value } => values(value),
        FieldKind::Array { element, len } => {
            (*len as u64).saturating_mul(values(element).saturating_add(1))
        }
        FieldKind::Struct(nested) => nested.fields.iter().fold(1, |sum, field| {
            sum.saturating_add(values(&field.kind).saturating_add(1))
        }),
        _ => u64::MAX,
    }
}

/// Appends an integer of `size` bytes as decimal.
///
/// Short texts are appended with `extend`, which the compiler inlines as a loop: each
/// `extend_from_slice` was a `memmove` call, 15% of a CSV dump.
fn write_int(size: usize, signed: bool, big_endian: bool, bytes: &[u8], out: &mut Vec<u8>) {
    let mut text = itoa::Buffer::new();
    if size == 16 {
        let raw: [u8; 16] = bytes.try_into().expect("16 bytes");
        let printed = match (signed, big_endian) {
            (true, true) => text.format(i128::from_be_bytes(raw)),
            (true, false) => text.format(i128::from_le_bytes(raw)),
            (false, true) => text.format(u128::from_be_bytes(raw)),
            (false, false) => text.format(u128::from_le_bytes(raw)),
        };
        out.extend(printed.bytes());
        return;
    }
    // Widened to 8 bytes, sign-extended: one conversion for the narrower widths, without the
    // slower 128-bit division.
    let fill = if signed && top_bit_set(bytes, big_endian) {
        0xff
    } else {
        0
    };
    let mut raw = [fill; 8];
    if big_endian {
        for (low_first, byte) in raw.iter_mut().zip(bytes.iter().rev()) {
            *low_first = *byte;
        }
    } else {
        raw[..size].copy_from_slice(bytes);
    }
    let printed = if signed {
        text.format(i64::from_le_bytes(raw))
    } else {
        text.format(u64::from_le_bytes(raw))
    };
    out.extend(printed.bytes());
}

fn top_bit_set(bytes: &[u8], big_endian: bool) -> bool {
    let top = if big_endian {
        bytes.first()
    } else {
        bytes.last()
    };
    top.is_some_and(|byte| byte & 0x80 != 0)
}

/// Appends a float of `size` bytes: the shortest text that reads back as the same value
/// (ryu), or `NaN`, `inf`, `-inf`, quoted for JSON.
fn write_float(size: usize, big_endian: bool, bytes: &[u8], json: bool, out: &mut Vec<u8>) {
    let mut text = ryu::Buffer::new();
    let (finite, negative, nan, printed) = if size == 4 {
        let raw: [u8; 4] = bytes.try_into().expect("4 bytes");
        let value = if big_endian {
            f32::from_be_bytes(raw)
        } else {
            f32::from_le_bytes(raw)
        };
        let finite = value.is_finite();
        let printed = if finite {
            text.format_finite(value)
        } else {
            ""
        };
        (finite, value.is_sign_negative(), value.is_nan(), printed)
    } else {
        let raw: [u8; 8] = bytes.try_into().expect("8 bytes");
        let value = if big_endian {
            f64::from_be_bytes(raw)
        } else {
            f64::from_le_bytes(raw)
        };
        let finite = value.is_finite();
        let printed = if finite {
            text.format_finite(value)
        } else {
            ""
        };
        (finite, value.is_sign_negative(), value.is_nan(), printed)
    };
    if finite {
        out.extend(printed.bytes());
        return;
    }
    let special: &[u8] = match (nan, negative) {
        (true, _) => b"NaN",
        (false, false) => b"inf",
        (false, true) => b"-inf",
    };
    if json {
        out.push(b'"');
        out.extend_from_slice(special);
        out.push(b'"');
    } else {
        out.extend_from_slice(special);
    }
}
