"""The Python side of tests/numpy.rs: `python numpy_checks.py COMMAND ARGS...`.

Each command checks what Rust wrote (or writes what Rust then checks) through mapped_numpy, which
PYTHONPATH finds, prints one line saying what it checked, and exits non-zero on any difference.
Record i's values are computed from i, vectorized, exactly as `every(i)` in tests/numpy.rs does.
"""

import os
import sys

import numpy

import mapped_numpy

U64 = numpy.dtype("=u8")
# The low and high 64-bit words of a native 128-bit integer.
LOW, HIGH = (0, 1) if sys.byteorder == "little" else (1, 0)


def words(records, name):
    """The (len, 2) native 64-bit words of the 128-bit field `name`, which numpy maps as V16."""
    layout = records.dtype
    view = numpy.dtype({"names": [name], "formats": [(U64, (2,))],
                        "offsets": [layout.fields[name][1]], "itemsize": layout.itemsize})
    return records.view(view)[name]


def expected(i):
    """Every field of `Every` for indices `i` (uint64), as `every(i)` computes it in Rust."""
    i32 = i.astype(numpy.int32)
    k = numpy.arange(2)
    return {
        "wide": numpy.stack([i * numpy.uint64(3), i], axis=1),
        "signed_wide": numpy.stack([i, numpy.uint64(0) - i], axis=1),
        "a_u64": i * numpy.uint64(0x9E3779B97F4A7C15),
        "a_i64": -i.astype(numpy.int64) * 1_000_003,
        "a_f64": i * 0.5,
        "hits": i + numpy.uint64(1 << 40),
        "pos.x": i.astype(numpy.float64),
        "pos.y": -i.astype(numpy.float32),
        "pos.z": i32 * 3,
        "trail.x": (i[:, None] + k).astype(numpy.float64),
        "trail.y": numpy.broadcast_to(k.astype(numpy.float32) + 0.5, (len(i), 2)),
        "trail.z": -i32[:, None] - k.astype(numpy.int32),
        "a_u32": i.astype(numpy.uint32) * numpy.uint32(2_654_435_761),
        "a_i32": -i32,
        "a_f32": i.astype(numpy.float32) * 0.25,
        "be_u32": i.astype(numpy.uint32) ^ numpy.uint32(0xDEADBEEF),
        "le_u64": i << numpy.uint64(20),
        "be_f64": i + 0.125,
        "be_i16": -i.astype(numpy.int16),
        "a_u16": i.astype(numpy.uint16) * numpy.uint16(7),
        "a_i16": i.astype(numpy.int16),
        "a_u8": i.astype(numpy.uint8),
        "a_i8": i.astype(numpy.int8),
        "grid": (i.astype(numpy.uint16)[:, None, None]
                 + numpy.arange(6, dtype=numpy.uint16).reshape(2, 3)),
        "tag": numpy.stack([i.astype(numpy.uint8), (i >> numpy.uint64(8)).astype(numpy.uint8),
                            (i >> numpy.uint64(16)).astype(numpy.uint8),
                            numpy.full(len(i), ord("!"), numpy.uint8)], axis=1),
        "count": i.astype(numpy.uint32) + numpy.uint32(7),
        "be_i32": -i32 * 5,
    }


def field(records, name):
    if name in ("wide", "signed_wide"):
        return words(records, name)
    for part in name.split("."):
        records = records[part]
    return records


def check_equal(name, found, wanted, indices):
    found, wanted = numpy.asarray(found), numpy.asarray(wanted)
    if found.shape != wanted.shape:
        sys.exit(f"field {name}: shape {found.shape}, expected {wanted.shape}")
    differs = found != wanted
    if differs.any():
        at = numpy.argwhere(differs)[0]
        sys.exit(f"field {name}, record {indices[at[0]]}: {found[tuple(at)]!r}, "
                 f"expected {wanted[tuple(at)]!r}")


def check_dtype(path, *literals):
    found = mapped_numpy.dtype(path)
    for literal in literals:
        wanted = numpy.dtype(eval(literal))
        if found != wanted:
            sys.exit(f"dtype({path}) is {found}, not {wanted} (from {literal})")


def every(path, count, *literals):
    """The records of `Every` at `path`: shape, dtype and every field of every record."""
    count = int(count)
    check_dtype(path, *literals)
    records = mapped_numpy.open(path)
    if records.shape != (count,) or not isinstance(records, numpy.memmap):
        sys.exit(f"open({path}) is a {type(records).__name__} of shape {records.shape}")
    indices = numpy.arange(count, dtype=numpy.uint64)
    wanted = expected(indices)
    for name, values in wanted.items():
        check_equal(name, field(records, name), values, indices)
    print(f"checked {len(wanted)} fields of {count} records")


def write(path):
    """Updates fields of every 7th record in place, for Rust to read back (`rewritten(i)`)."""
    records = mapped_numpy.open(path, "r+")
    picked = records[::7]
    i = numpy.arange(0, len(records), 7, dtype=numpy.uint64)
    picked["a_u64"] = i + numpy.uint64(42)
    picked["pos"]["x"] = -1.5 * i
    picked["trail"]["z"][:, 1] = 1000 + i.astype(numpy.int32)
    picked["grid"][:, 1, 2] = 4242
    picked["be_u32"] = i.astype(numpy.uint32) * numpy.uint32(11)
    picked["hits"] = i + numpy.uint64(99)
    picked["tag"][:, 3] = ord("?")
    words(picked, "wide")[:, LOW] = 5
    records.flush()
    print(f"rewrote {len(picked)} of {len(records)} records")


def struct_file(path, offset, literal):
    """A `magic` struct file (tests/numpy.rs's `Config`): one record, at a header offset."""
    offset = int(offset)
    found = mapped_numpy.open(path, offset=offset)
    if found.shape != (1,) or found.dtype != numpy.dtype(eval(literal)):
        sys.exit(f"open({path}) has shape {found.shape} and dtype {found.dtype}")
    config = found[0]
    values = (config["limit"], config["scale"], config["port"], list(config["flags"]),
              config["origin"]["x"], config["origin"]["z"])
    if values != (1 << 33, 0.75, 8080, [3, 4], -2.5, 9):
        sys.exit(f"open({path})[0] holds {values}")
    info = mapped_numpy.info(path, offset=offset)
    if (info.kind, info.name, info.magic, info.version) != ("struct", "Config", b"NUMPYCFG", 3):
        sys.exit(f"info({path}) is {info}")
    print(f"checked the struct file at offset {offset}")


def upgraded(path, literal):
    """A `Config` file upgraded to `Grown` (tests/numpy.rs): the active schema area's layout."""
    found = mapped_numpy.open(path)
    if found.dtype != numpy.dtype(eval(literal)):
        sys.exit(f"open({path}) has dtype {found.dtype}")
    grown = found[0]
    if (grown["limit"], grown["port"], grown["since4"]) != (1 << 33, 8080, 0):
        sys.exit(f"open({path})[0] holds {grown}")
    info = mapped_numpy.info(path)
    if (info.version, info.record_size, info.data_offset) != (4, found.dtype.itemsize, 4096):
        sys.exit(f"info({path}) is {info}")
    print("checked the upgraded struct file")


def records(path, shape, literal, first, last):
    """A record file of a scalar or array type: shape, dtype, first and last values."""
    found, shape_text = mapped_numpy.open(path), shape
    shape = tuple(int(dim) for dim in shape.split(",") if dim)
    if found.shape != shape or mapped_numpy.dtype(path) != numpy.dtype(eval(literal)):
        sys.exit(f"open({path}) has shape {found.shape} and dtype {mapped_numpy.dtype(path)}")
    ends = [found[0], found[-1]] if len(found) else []
    if [repr(value.tolist()) for value in ends] != [first, last][:len(ends)]:
        sys.exit(f"open({path}) holds {ends}, not {first} ... {last}")
    print(f"checked shape {shape_text}")


def refused(*cases):
    """Each `path=reason` must raise ValueError from open() and dtype(), naming path and reason."""
    for case in cases:
        path, reason = case.split("=", 1)
        for reader in (mapped_numpy.open, mapped_numpy.dtype):
            try:
                reader(path)
            except ValueError as error:
                if path not in str(error) or reason not in str(error):
                    sys.exit(f"{reader.__name__}({path}) raised {error!r}, not naming {reason!r}")
            else:
                sys.exit(f"{reader.__name__}({path}) raised nothing")
    print(f"{len(cases)} files refused")


def names(literal, *wanted):
    """The dtype `literal` evaluates to has fields named `wanted`, quotes and all."""
    found = numpy.dtype(eval(literal)).names
    missing = [name for name in wanted if name not in found]
    if missing:
        sys.exit(f"{missing} are not among {found}")
    print(f"found {len(wanted)} names")


def readme(directory, example):
    """Runs the README's Python example in `directory`, where its files are."""
    os.chdir(directory)
    exec(example, {})


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    {"every": every, "write": write, "struct": struct_file, "upgraded": upgraded,
     "records": records,
     "refused": refused, "names": names, "readme": readme}[command](*arguments)
