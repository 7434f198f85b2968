//! The `mapped` binary: parse, run, map the error to an exit status and one line on stderr.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = mapped_cli::Cli::parse();
    // Block-buffered: stdout's own line buffering would cost a write(2) per record of a dump.
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let result = mapped_cli::run(&cli, &mut out).and_then(|()| {
        out.flush()
            .map_err(|source| mapped_cli::CliError::Output { source })
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped early (`mapped dump FILE | head`) is no failure of ours.
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("mapped: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
