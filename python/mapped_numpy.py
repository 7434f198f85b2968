"""Zero-copy numpy views of the files `mapped` writes.

A record file (``MappedVec<T>``) or a struct file with a header
(``#[mapped(magic = ..., version = ...)]``) describes itself: its header holds the type's schema.
This module reads that header and schema (``docs/file-formats.md``, header formats 2 and 3) and maps the
data as a ``numpy.memmap`` with the matching structured dtype. It needs only numpy.

    import mapped_numpy

    ticks = mapped_numpy.open("ticks.bin")        # numpy.memmap, shape (len,), read-only
    ticks["price"].mean()
    ticks[ticks["qty"] > 10]["at"]
    mapped_numpy.dtype("ticks.bin")               # the record's numpy.dtype
    mapped_numpy.info("ticks.bin")                # the header: kind, name, len, data offset, ...

The dtype is the one ``mapped::numpy_dtype::<T>()`` prints. Nested structs are nested dtypes,
arrays are sub-arrays (nested arrays one multi-dimensional sub-array), byte-order integers keep
their order, atomics are their integer, and 128-bit integers, which numpy lacks, are opaque
``'V16'``. The data is in the byte order of the machine that wrote it, which the dtype names, so
either machine reads it.

Shape: ``(len,)`` for a record file, where ``len`` is the header's count clamped to the records
the file holds; ``(1,)`` for a struct file. A record file of an array type (``MappedVec<[u8; 16]>``)
has shape ``(len, 16)``: numpy spreads a sub-array dtype into the array's shape. The view is a
snapshot of the count when opened; open again to see records appended since.

``mode="r+"`` maps the file read-write, so Python can update fields in place while Rust reads
them. Python does not take the writer's lock (the ``flock`` a ``MappedVec`` writer holds), so
writing from Python while a Rust writer has the file open is a race: either may overwrite the
other's changes, and numpy's stores are plain stores, not atomic operations, even on atomic
fields. Write from Python only when no Rust writer is running, or to fields no one else writes.
``mode="c"`` is copy-on-write: Python's changes never reach the file.

A file that is not self-describing (a struct file without ``magic``, which is the struct alone, or
any other file) raises ``ValueError`` naming the path and the problem.
"""

import builtins
import os
import struct
from typing import NamedTuple

import numpy

__all__ = ["open", "dtype", "info", "Info"]

HEADER_SIZE = 64
FORMATS = (2, 3)
# A format-3 struct file: the selector word, then two schema areas of
# (version, schema length, fingerprint, size) and the schema.
SELECTOR_OFFSET, AREAS_OFFSET, AREA_HEADER = 64, 72, 24
RECORDS_MAGIC = b"MAPDRECS"
RECORDS_VERSION = 2
KIND_STRUCT, KIND_RECORDS = 1, 2
LITTLE_ENDIAN, BIG_ENDIAN = 1, 2
# Every mapped type nests far less; the limit keeps a hostile schema from exhausting the stack.
MAX_DEPTH = 32


class Info(NamedTuple):
    """What a file's header says, as ``info(path)`` returns it."""

    kind: str  # "struct" or "records"
    name: str  # the struct's name, or the Rust spelling of a scalar record type
    magic: bytes
    version: int
    byte_order: str  # "little" or "big"
    fingerprint: int
    record_size: int
    data_offset: int  # from the start of the file
    len: int  # the header's count, clamped to the records the file holds
    file_size: int
    dtype: numpy.dtype


def open(path, mode="r", *, offset=0):
    """Maps the data of the ``mapped`` file at ``path`` as a ``numpy.memmap``.

    ``mode`` is ``"r"`` (read-only), ``"r+"`` (read-write, shared with every process that maps
    the file: see the module's note on writers) or ``"c"`` (copy-on-write). ``offset`` is where the
    header starts: ``OpenOptions::offset`` of a struct file; 0 for a record file.

    Raises ``ValueError`` if the file has no ``mapped`` header or its header cannot be right.
    """
    if mode not in ("r", "r+", "c"):
        raise ValueError(f"{path}: mode {mode!r}: expected 'r', 'r+' or 'c'")
    header = info(path, offset=offset)
    if header.kind == "struct" and header.len == 0:
        raise ValueError(
            f"{path}: {header.file_size} bytes, too short for the {header.record_size}-byte "
            f"struct at byte {header.data_offset}"
        )
    if header.dtype.itemsize == 0:
        raise ValueError(f"{path}: records of 0 bytes, which numpy cannot map")
    return numpy.memmap(
        path, dtype=header.dtype, mode=mode, offset=header.data_offset, shape=(header.len,)
    )


def dtype(path, *, offset=0):
    """The numpy dtype of the records (or of the struct) of the ``mapped`` file at ``path``."""
    return info(path, offset=offset).dtype


def info(path, *, offset=0):
    """Reads the header and schema of the ``mapped`` file at ``path``, never modifying it."""
    with builtins.open(path, "rb") as file:
        file_size = os.fstat(file.fileno()).st_size
        file.seek(offset)
        fixed = file.read(HEADER_SIZE)
        (magic, version, order, fingerprint, size, data_offset, count, fmt, kind, schema_len,
         _) = _fields(path, fixed, file_size - offset)
        schema_at = HEADER_SIZE
        if fmt == 3 and kind == KIND_STRUCT:
            # The length of each area is derived from the data offset; the selector's parity
            # names the active one, which holds the layout's version, fingerprint and size.
            area_len = schema_len
            if area_len != ((data_offset - AREAS_OFFSET) // 2) & ~7 or area_len < AREA_HEADER:
                raise ValueError(f"{path}: schema area length {area_len} does not match the header")
            if AREAS_OFFSET + 2 * area_len > file_size - offset:
                raise ValueError(f"{path}: the schema areas do not fit in a {file_size}-byte file")
            (generation,) = struct.unpack("<Q", file.read(8))
            area = offset + AREAS_OFFSET + (generation % 2) * area_len
            file.seek(area)
            version, schema_len, fingerprint, size = struct.unpack("<IIQQ", file.read(AREA_HEADER))
            if schema_len > area_len - AREA_HEADER:
                raise ValueError(f"{path}: a {schema_len}-byte schema overflows its area")
            schema_at = AREAS_OFFSET + (generation % 2) * area_len + AREA_HEADER
        elif HEADER_SIZE + schema_len > file_size - offset:
            raise ValueError(
                f"{path}: a {schema_len}-byte schema does not fit in a {file_size}-byte file"
            )
        file.seek(offset + schema_at)
        schema = file.read(schema_len)

    big = order == BIG_ENDIAN
    count = int.from_bytes(count, "big" if big else "little")
    root = _Schema(path, schema).root()
    if _size(root) != size:
        raise ValueError(f"{path}: the schema describes {_size(root)} bytes, the header {size}")
    align = _align(root)
    if data_offset % max(align, 64) or data_offset < schema_at + schema_len:
        raise ValueError(f"{path}: data offset {data_offset} is not past the schema and aligned")
    records = kind == KIND_RECORDS
    if not records and root[0] != "struct":
        raise ValueError(f"{path}: a struct file of `{_rust_type(root)}`, which is no struct")
    if not records and count != 1:
        raise ValueError(f"{path}: a struct file whose header counts {count} structs, not 1")
    if _fingerprint(root, top=True) != fingerprint:
        raise ValueError(f"{path}: the schema does not describe the header's layout fingerprint")
    try:
        layout = _dtype(root, ">" if big else "<")
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path}: numpy has no dtype for the schema's type: {error}") from None
    room = max(file_size - offset - data_offset, 0) // max(size, 1)
    return Info(
        kind="records" if records else "struct",
        name=root[1] if root[0] == "struct" else _rust_type(root),
        magic=magic,
        version=version,
        byte_order="big" if big else "little",
        fingerprint=fingerprint,
        record_size=size,
        data_offset=offset + data_offset,
        len=min(count, room) if records else min(room, 1),
        file_size=file_size,
        dtype=layout,
    )


def _fields(path, fixed, available):
    """Unpacks and checks the fixed 64 bytes, in the order ``docs/file-formats.md`` gives."""
    if len(fixed) < HEADER_SIZE:
        raise ValueError(
            f"{path}: {max(available, 0)} bytes, fewer than a {HEADER_SIZE}-byte header: "
            "no header: not self-describing"
        )
    fields = struct.unpack("<8sIIQQQ8sIIII", fixed)
    magic, version, order, _, _, _, _, fmt, kind, _, reserved = fields
    if magic == RECORDS_MAGIC and version != RECORDS_VERSION:
        raise ValueError(
            f"{path}: a record file of format {version}; this reader reads format "
            f"{RECORDS_VERSION}"
        )
    if fmt not in FORMATS:
        raise ValueError(
            f"{path}: no header: not self-describing (the header format word reads {fmt}, "
            f"not 2 or 3)"
        )
    expected = KIND_RECORDS if magic == RECORDS_MAGIC else KIND_STRUCT
    if kind != expected:
        raise ValueError(f"{path}: header kind {kind}, expected {expected} for magic {magic!r}")
    # A record file's bytes 60..64 are its waiter word (live sharing), anything at all.
    if reserved and kind == KIND_STRUCT:
        raise ValueError(f"{path}: reserved header bytes are {reserved:#x}, not zero")
    if order not in (LITTLE_ENDIAN, BIG_ENDIAN):
        raise ValueError(f"{path}: byte order {order}: neither 1 (little) nor 2 (big)")
    return fields


# A type from the schema, as a tuple: ("u", bytes), ("i", bytes), ("f", bytes),
# ("order", big_endian, type), ("atomic", type), ("array", len, type), or
# ("struct", name, size, align, [(name, offset, size, type), ...]).


class _Schema:
    """Decodes a schema (``docs/file-formats.md``, "The schema"); errors name the file."""

    def __init__(self, path, data):
        self.path, self.data, self.at = path, data, 0

    def root(self):
        kind = self.type(0)
        if self.at != len(self.data):
            self.fail(f"{len(self.data) - self.at} bytes follow the schema's end")
        return kind

    def fail(self, reason):
        raise ValueError(f"{self.path}: bad schema: {reason}")

    def take(self, fmt):
        end = self.at + struct.calcsize(fmt)
        if end > len(self.data):
            self.fail(f"the schema ends early, at byte {len(self.data)}")
        values = struct.unpack_from(fmt, self.data, self.at)
        self.at = end
        return values[0] if len(values) == 1 else values

    def string(self):
        raw = self.take(f"<{self.take('<I')}s")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.fail("a name is not UTF-8")

    def type(self, depth):
        if depth > MAX_DEPTH:
            self.fail(f"types nest more than {MAX_DEPTH} deep")
        tag = self.take("<B")
        if tag in (1, 2, 3):
            code, size = "uif"[tag - 1], self.take("<B")
            if size not in ((4, 8) if code == "f" else (1, 2, 4, 8, 16)):
                self.fail(f"a {'float' if code == 'f' else 'integer'} of {size} bytes")
            return (code, size)
        if tag == 4:
            big = self.take("<B") != 0
            return ("order", big, self.type(depth + 1))
        if tag == 5:
            return ("atomic", self.type(depth + 1))
        if tag == 6:
            length = self.take("<Q")
            return ("array", length, self.type(depth + 1))
        if tag == 7:
            return self.structure(depth + 1)
        self.fail(f"unknown type tag {tag}")

    def structure(self, depth):
        name = self.string()
        size, align, count = self.take("<QQI")
        fields = []
        for _ in range(count):
            field = self.string()
            offset, field_size, flags = self.take("<QQB")
            if flags > 1:
                self.fail(f"field `{field}` has unknown flags {flags:#04x}")
            kind = self.type(depth + 1)
            if _size(kind) != field_size or offset + field_size > size:
                self.fail(f"field `{field}`: {field_size} bytes at offset {offset} do not fit "
                          f"its type or its {size}-byte struct")
            fields.append((field, offset, field_size, kind))
        if align <= 0 or align & (align - 1) or size % align:
            self.fail(f"struct `{name}`: size {size} and alignment {align}")
        return ("struct", name, size, align, fields)


def _size(kind):
    if kind[0] in ("u", "i", "f"):
        return kind[1]
    if kind[0] in ("order", "atomic"):
        return _size(kind[-1])
    if kind[0] == "array":
        return kind[1] * _size(kind[2])
    return kind[2]


def _align(kind):
    if kind[0] in ("u", "i", "f"):
        return kind[1]
    if kind[0] == "order":
        return 1
    if kind[0] in ("atomic", "array"):
        return _align(kind[-1])
    return kind[3]


def _rust_type(kind):
    if kind[0] in ("u", "i", "f"):
        return f"{kind[0]}{kind[1] * 8}"
    if kind[0] == "order":
        return f"{_rust_type(kind[2]).upper()}<{'BigEndian' if kind[1] else 'LittleEndian'}>"
    if kind[0] == "atomic":
        name = _rust_type(kind[1])
        return f"Atomic{name[0].upper()}{name[1:]}"
    if kind[0] == "array":
        return f"[{_rust_type(kind[2])}; {kind[1]}]"
    return kind[1]


def _dtype(kind, order):
    """The numpy dtype of a type, for data in byte order ``order`` (``"<"`` or ``">"``)."""
    if kind[0] in ("u", "i", "f"):
        code, size = kind
        if size == 16:
            return numpy.dtype("V16")
        return numpy.dtype(f"{'|' if size == 1 else order}{code}{size}")
    if kind[0] == "order":
        return _dtype(kind[2], ">" if kind[1] else "<")
    if kind[0] == "atomic":
        return _dtype(kind[1], order)
    if kind[0] == "array":
        # One multi-dimensional sub-array, as `numpy_dtype::<T>()` writes it: numpy would keep a
        # sub-array of sub-arrays as such, a dtype that compares unequal.
        shape = [kind[1]]
        while kind[2][0] == "array":
            kind = kind[2]
            shape.append(kind[1])
        return numpy.dtype((_dtype(kind[2], order), tuple(shape)))
    _, _, size, _, fields = kind
    return numpy.dtype({
        "names": [field[0] for field in fields],
        "formats": [_dtype(field[3], order) for field in fields],
        "offsets": [field[1] for field in fields],
        "itemsize": size,
    })


_FNV_BASIS, _FNV_PRIME, _MASK = 0xCBF29CE484222325, 0x100000001B3, (1 << 64) - 1


def _fnv(data, hash=_FNV_BASIS):
    for byte in data:
        hash = ((hash ^ byte) * _FNV_PRIME) & _MASK
    return hash


def _u64(value):
    return value.to_bytes(8, "little")


def _fingerprint(kind, top=False):
    """The layout fingerprint (``docs/file-formats.md``): a struct's own at the top, where the
    header stores it; below, the shape's, which wraps the struct's."""
    tag = kind[0]
    if tag in ("u", "i", "f"):
        return _fnv(bytes([" uif".index(tag)]) + _u64(kind[1]))
    if tag == "order":
        return _fnv(b"\x04" + _u64(_fingerprint(kind[2])) + bytes([kind[1]]))
    if tag == "atomic":
        return _fnv(b"\x05" + _u64(_fingerprint(kind[1])))
    if tag == "array":
        return _fnv(b"\x06" + _u64(_fingerprint(kind[2])) + _u64(kind[1]))
    _, _, size, align, fields = kind
    data = bytearray(_u64(size) + _u64(align))
    for name, offset, field_size, field_kind in fields:
        encoded = name.encode("utf-8")
        data += _u64(len(encoded)) + encoded + _u64(_fingerprint(field_kind))
        data += _u64(offset) + _u64(field_size)
    own = _fnv(data)
    return own if top else _fnv(b"\x07" + _u64(own))
