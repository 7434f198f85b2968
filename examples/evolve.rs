//! Evolving a type without losing its files: version 1 of a program writes a struct file, version
//! 2, whose struct appended a field, upgrades the file in place and reads it, and version 1 still
//! reads (and writes) the upgraded file.
//!
//! ```text
//! cargo run --example evolve [v1-write|v2-upgrade|v1-read PATH]
//! ```
//!
//! Without arguments it runs the three steps, each as its own process (as three builds of a
//! program would be), on a file in a fresh temporary directory. The two versions of the struct
//! live in modules `v1` and `v2` here; in real life they are the same struct in two releases.
//!
//! Record files evolve by the same rule: `MappedVec::<T>::upgrade(path)` rewrites a file of an
//! older `T` beside the old one and renames it into place (see the README, "Evolving a type").

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Release 1.
mod v1 {
    use mapped::Mapped;
    use zerocopy::{FromBytes, IntoBytes, KnownLayout};

    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    #[mapped(magic = b"THERMO\0\0", version = 1)]
    pub struct Thermometer {
        pub readings: u64,
        pub last: f64,
    }
}

/// Release 2: one field appended, for which 0 means "absent" (not measured since the upgrade).
mod v2 {
    use mapped::Mapped;
    use zerocopy::{FromBytes, IntoBytes, KnownLayout};

    #[derive(Mapped, FromBytes, IntoBytes, KnownLayout)]
    #[repr(C)]
    #[mapped(magic = b"THERMO\0\0", version = 2)]
    pub struct Thermometer {
        pub readings: u64,
        pub last: f64,
        /// The highest reading, in kelvin, so that 0 can mean "none yet".
        #[mapped(since = 2)]
        pub max_kelvin: f64,
    }
}

fn v1_write(path: &Path) -> Result<(), mapped::Error> {
    let thermometer = v1::Thermometer::open_or_create(path)?;
    for celsius in [19.5, 21.0, 20.25] {
        thermometer.set_readings(thermometer.readings() + 1);
        thermometer.set_last(celsius);
    }
    println!(
        "v1 wrote {} readings, the last {} °C",
        thermometer.readings(),
        thermometer.last()
    );
    Ok(())
}

fn v2_upgrade(path: &Path) -> Result<(), mapped::Error> {
    // Opening without upgrading says what is missing, and leaves the file alone.
    if let Err(err) = v2::Thermometer::open(path) {
        println!("v2 open: {err}");
    }
    v2::Thermometer::upgrade(path)?;
    let thermometer = v2::Thermometer::open(path)?;
    println!(
        "v2 upgraded it: {} readings, the last {} °C, max {}",
        thermometer.readings(),
        thermometer.last(),
        match thermometer.max_kelvin() {
            0.0 => "absent".to_string(),
            kelvin => format!("{kelvin} K"),
        }
    );
    let celsius = 22.5;
    thermometer.set_readings(thermometer.readings() + 1);
    thermometer.set_last(celsius);
    thermometer.set_max_kelvin(celsius + 273.15);
    println!(
        "v2 recorded {celsius} °C and a max of {} K",
        thermometer.max_kelvin()
    );
    Ok(())
}

fn v1_read(path: &Path) -> Result<(), mapped::Error> {
    // Older code opens newer files: its fields are read and written in place, the newer kept.
    let thermometer = v1::Thermometer::open(path)?;
    thermometer.set_readings(thermometer.readings() + 1);
    println!(
        "v1 still reads it: {} readings, the last {} °C",
        thermometer.readings(),
        thermometer.last()
    );
    drop(thermometer);
    let max = v2::Thermometer::open_read_only(path)?.max_kelvin();
    println!("and v2's max survived v1's write: {max} K");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [step, path] => {
            let path = PathBuf::from(path);
            match step.as_str() {
                "v1-write" => v1_write(&path),
                "v2-upgrade" => v2_upgrade(&path),
                "v1-read" => v1_read(&path),
                other => {
                    eprintln!("unknown step {other:?}: expected v1-write, v2-upgrade or v1-read");
                    return ExitCode::from(2);
                }
            }
        }
        [] => return run_all(),
        _ => {
            eprintln!("usage: evolve [v1-write|v2-upgrade|v1-read PATH]");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("evolve: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The three steps, each a process of its own, on a file in a temporary directory.
fn run_all() -> ExitCode {
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(err) => {
            eprintln!("evolve: cannot make a temporary directory: {err}");
            return ExitCode::FAILURE;
        }
    };
    let path = dir.path().join("thermometer.bin");
    let me = match std::env::current_exe() {
        Ok(me) => me,
        Err(err) => {
            eprintln!("evolve: cannot find this program: {err}");
            return ExitCode::FAILURE;
        }
    };
    for step in ["v1-write", "v2-upgrade", "v1-read"] {
        match Command::new(&me).arg(step).arg(&path).status() {
            Ok(status) if status.success() => {}
            Ok(status) => {
                eprintln!("evolve: step {step} failed: {status}");
                return ExitCode::FAILURE;
            }
            Err(err) => {
                eprintln!("evolve: cannot run step {step}: {err}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
