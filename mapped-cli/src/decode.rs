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
            Node::Int {
                bytes: 16,
                signed,
                big_endian,
            } => {
                // JSON readers lose integers past 2^53; 128-bit values travel as strings.
                out.push(b'"');
                write_int(16, *signed, *big_endian, bytes, out);
                out.push(b'"');
            }
            Node::Int {
                bytes: size,
                signed,
                big_endian,
            } => write_int(*size, *signed, *big_endian, bytes, out),
            Node::Float {
                bytes: size,
                big_endian,
            } => {
                let value = float(*size, *big_endian, bytes);
                if value.is_finite() {
                    out.extend_from_slice(value.text().as_bytes());
                } else {
                    out.push(b'"');
                    out.extend_from_slice(value.text().as_bytes());
                    out.push(b'"');
                }
            }
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

    /// Writes the value's scalars as CSV fields, in the order of [`csv_names`](Self::csv_names).
    pub(crate) fn csv<W: std::io::Write>(
        &self,
        bytes: &[u8],
        scratch: &mut Vec<u8>,
        row: &mut csv::Writer<W>,
    ) -> csv::Result<()> {
        match self {
            Node::Int {
                bytes: size,
                signed,
                big_endian,
            } => {
                scratch.clear();
                write_int(*size, *signed, *big_endian, bytes, scratch);
                row.write_field(&scratch[..])
            }
            Node::Float {
                bytes: size,
                big_endian,
            } => row.write_field(float(*size, *big_endian, bytes).text().as_bytes()),
            Node::Array {
                element,
                len,
                stride,
            } => (0..*len)
                .try_for_each(|i| element.csv(&bytes[i * stride..(i + 1) * stride], scratch, row)),
            Node::Struct(fields) => fields
                .iter()
                .try_for_each(|field| field.node.csv(field.bytes(bytes), scratch, row)),
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
        &record[self.offset..self.offset + self.node.size()]
    }
}

impl Node {
    fn size(&self) -> usize {
        match self {
            Node::Int { bytes, .. } | Node::Float { bytes, .. } => *bytes,
            Node::Array { len, stride, .. } => len * stride,
            Node::Struct(fields) => fields
                .iter()
                .map(|field| field.offset + field.node.size())
                .max()
                .unwrap_or(0),
        }
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
fn write_int(size: usize, signed: bool, big_endian: bool, bytes: &[u8], out: &mut Vec<u8>) {
    let mut raw = [0u8; 16];
    // Widened to 16 bytes, sign-extended: one conversion for every width.
    let fill = if signed && top_bit_set(bytes, big_endian) {
        0xff
    } else {
        0
    };
    raw.fill(fill);
    if big_endian {
        for (low_first, byte) in raw.iter_mut().zip(bytes.iter().rev()) {
            *low_first = *byte;
        }
    } else {
        raw[..size].copy_from_slice(bytes);
    }
    let mut text = itoa::Buffer::new();
    let printed = if signed {
        text.format(i128::from_le_bytes(raw))
    } else {
        text.format(u128::from_le_bytes(raw))
    };
    out.extend_from_slice(printed.as_bytes());
}

fn top_bit_set(bytes: &[u8], big_endian: bool) -> bool {
    let top = if big_endian {
        bytes.first()
    } else {
        bytes.last()
    };
    top.is_some_and(|byte| byte & 0x80 != 0)
}

/// A float of either width, read in its byte order.
enum Float {
    Single(f32),
    Double(f64),
}

fn float(size: usize, big_endian: bool, bytes: &[u8]) -> Float {
    match size {
        4 => {
            let raw: [u8; 4] = bytes.try_into().expect("4 bytes");
            Float::Single(if big_endian {
                f32::from_be_bytes(raw)
            } else {
                f32::from_le_bytes(raw)
            })
        }
        _ => {
            let raw: [u8; 8] = bytes.try_into().expect("8 bytes");
            Float::Double(if big_endian {
                f64::from_be_bytes(raw)
            } else {
                f64::from_le_bytes(raw)
            })
        }
    }
}

impl Float {
    fn is_finite(&self) -> bool {
        match self {
            Float::Single(value) => value.is_finite(),
            Float::Double(value) => value.is_finite(),
        }
    }

    /// The shortest text that reads back as the same value (ryu), or `NaN`, `inf`, `-inf`.
    fn text(&self) -> FloatText {
        let special = |negative: bool, nan: bool| match (nan, negative) {
            (true, _) => FloatText::Special("NaN"),
            (false, false) => FloatText::Special("inf"),
            (false, true) => FloatText::Special("-inf"),
        };
        match *self {
            Float::Single(value) if !value.is_finite() => {
                special(value.is_sign_negative(), value.is_nan())
            }
            Float::Double(value) if !value.is_finite() => {
                special(value.is_sign_negative(), value.is_nan())
            }
            Float::Single(value) => {
                let mut text = ryu::Buffer::new();
                FloatText::Finite(text.format_finite(value).into())
            }
            Float::Double(value) => {
                let mut text = ryu::Buffer::new();
                FloatText::Finite(text.format_finite(value).into())
            }
        }
    }
}

/// A float's text, on the stack (at most 24 bytes for an `f64`).
enum FloatText {
    Finite(Short),
    Special(&'static str),
}

impl FloatText {
    fn as_bytes(&self) -> &[u8] {
        match self {
            FloatText::Finite(short) => &short.bytes[..short.len],
            FloatText::Special(text) => text.as_bytes(),
        }
    }
}

struct Short {
    bytes: [u8; 32],
    len: usize,
}

impl From<&str> for Short {
    fn from(text: &str) -> Short {
        let mut bytes = [0; 32];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Short {
            bytes,
            len: text.len(),
        }
    }
}
