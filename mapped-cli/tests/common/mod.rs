//! Types and files the tests of the command share, and a way to run a command in-process.
#![allow(dead_code)] // each test binary uses its own part of this module

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU32;

use clap::Parser;
use mapped::{Mapped, MappedVec};
use mapped_cli::CliError;
use zerocopy::byteorder::{BigEndian, U16, U32};
use zerocopy::{FromBytes, IntoBytes, KnownLayout};

#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// A struct file with a header, and every kind of field.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
#[repr(C)]
#[mapped(magic = b"BODYFMT\0", version = 3, size = 96)]
pub struct Body {
    pub id: u64,
    pub temp: i8,
    pub flags: u8,
    pub level: i16,
    #[mapped(readonly)]
    pub count: u32,
    pub pos: Point,
    pub trail: [Point; 2],
    pub tag: [u8; 16],
    pub port: U16<BigEndian>,
    pub small: i16,
    pub hits: AtomicU32,
    pub ratio: f32,
    pub grid: [[u8; 2]; 2],
}

/// A 24-byte record.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
pub struct Tick {
    pub at: u64,
    pub price: f64,
    pub qty: u32,
    pub side: i32,
}

/// Byte-order fields, aligned to 1.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Copy)]
#[repr(C)]
pub struct Packet {
    pub version: u8,
    pub kind: u8,
    pub length: U32<BigEndian>,
    pub port: U16<BigEndian>,
    pub lengths: [U32<BigEndian>; 2],
}

/// Aligned above its fields.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Copy)]
#[repr(C, align(16))]
pub struct Aligned {
    pub id: u64,
    pub count: u32,
    pub flags: u32,
}

/// 128-bit integers: JSON strings, and no C header.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Copy)]
#[repr(C)]
pub struct Wide {
    pub big: u128,
    pub small: i128,
}

/// Floats of both widths.
#[derive(Mapped, FromBytes, IntoBytes, KnownLayout, Clone, Copy)]
#[repr(C)]
pub struct Floats {
    pub single: f32,
    pub pad: f32,
    pub double: f64,
}

pub fn tick(i: u64) -> Tick {
    Tick {
        at: 1000 + i,
        price: 9.5 + i as f64 / 10.0,
        qty: i as u32 * 3,
        side: if i % 2 == 0 { -1 } else { 1 },
    }
}

/// A struct file of `Body` with every field set.
pub fn body_file(dir: &Path) -> PathBuf {
    let path = dir.join("body.bin");
    let body = Body::create_new(&path).unwrap();
    body.set_id(42);
    body.set_temp(-5);
    body.set_flags(0xff);
    body.set_level(-300);
    body.pos_mut().set_x(1.5);
    body.pos_mut().set_y(-0.1);
    body.set_trail_at(1, Point { x: 2.0, y: 1e300 }).unwrap();
    body.set_tag(*b"sixteen bytes!!\0");
    body.set_port(8080);
    body.set_small(i16::MIN);
    body.hits().store(7, std::sync::atomic::Ordering::Relaxed);
    body.set_ratio(0.1);
    body.set_grid([[1, 2], [3, 4]]);
    path
}

/// A record file of `n` ticks, with spare capacity past them.
pub fn ticks_file(dir: &Path, n: u64) -> PathBuf {
    let path = dir.join("ticks.bin");
    let mut ticks = MappedVec::<Tick>::open_or_create(&path).unwrap();
    for i in 0..n {
        ticks.push(tick(i)).unwrap();
    }
    path
}

/// A record file of the given records.
pub fn records_file<T: mapped::FieldType>(dir: &Path, name: &str, records: Vec<T>) -> PathBuf {
    let path = dir.join(name);
    let mut file = MappedVec::<T>::open_or_create(&path).unwrap();
    for record in records {
        file.push(record).unwrap();
    }
    path
}

/// Runs `mapped ARGS...` in-process: its output, or its error.
pub fn run(args: &[&str]) -> Result<String, CliError> {
    let cli =
        mapped_cli::Cli::try_parse_from(std::iter::once("mapped").chain(args.iter().copied()))
            .expect("valid arguments");
    let mut out = Vec::new();
    mapped_cli::run(&cli, &mut out)?;
    Ok(String::from_utf8(out).expect("UTF-8 output"))
}

pub fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temp path")
}
