//! The commands of `spec/cli.md`, one module each, and the dispatcher [`main`]: clap parses
//! the arguments, usage errors become one `error:` line with exit code 2 (`--help`,
//! `--version` and `help` print on stdout with exit code 0), and a command's error becomes
//! one `error:` line with its exit code.

pub mod demo;
pub mod fit;
pub mod info;
pub mod laws;
pub mod optimize;
pub mod plot;
pub mod predict;
pub mod reproduce;
pub mod select;

use std::ffi::OsStr;
use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

use clap::error::ErrorKind;
use clap::Parser;

use crate::cli::{Cli, Command, InfoCommand};
use crate::output::{Io, Output};

/// Runs the program with `args` (the program name first, as `std::env::args_os`); returns
/// the exit code.
pub fn main<T: AsRef<OsStr>>(args: &[T], io: &mut Io<'_>) -> i32 {
    let cli = match Cli::try_parse_from(args.iter().map(AsRef::as_ref)) {
        Ok(cli) => cli,
        Err(e) => return usage(&e, io),
    };
    let global = cli.global;
    let mut out = Output::new(io, global.json, global.quiet);
    let seedless = match &cli.command {
        None => Some("the demo"),
        Some(Command::Laws(_)) => Some("laws"),
        Some(Command::Predict(_)) => Some("predict"),
        Some(Command::Optimize(_)) => Some("optimize"),
        Some(Command::Reproduce(_)) => Some("reproduce"),
        Some(Command::Plot(_)) => Some("plot"),
        Some(Command::Info(a)) => match &a.command {
            InfoCommand::Eval(_) => Some("info eval"),
            InfoCommand::Best(b) if b.random.is_none() => Some("info best without --random"),
            InfoCommand::Best(_) => None,
        },
        Some(Command::Fit(_) | Command::Select(_)) => None,
    };
    if let (Some(what), Some(_)) = (seedless, global.seed) {
        out.warn(format!("--seed is not used by {what}"));
    }
    let result = match &cli.command {
        None => demo::run(&mut out),
        Some(Command::Laws(a)) => laws::run(a, &mut out),
        Some(Command::Fit(a)) => fit::run(a, &global, &mut out),
        Some(Command::Predict(a)) => predict::run(a, &mut out),
        Some(Command::Optimize(a)) => optimize::run(a, &mut out),
        Some(Command::Select(a)) => select::run(a, &global, &mut out),
        Some(Command::Reproduce(a)) => reproduce::run(a, &mut out),
        Some(Command::Info(a)) => info::run(a, &global, &mut out),
        Some(Command::Plot(a)) => plot::run(a, &mut out),
    };
    drop(out);
    match result {
        Ok(()) => 0,
        Err(e) => {
            let line = e.to_string().replace('\n', " ");
            let _ = writeln!(io.err, "error: {line}");
            e.exit_code()
        }
    }
}

/// A clap outcome that is not a parsed command line: help and version on stdout (exit 0),
/// anything else one `error:` line (its first line, and clap's tip naming the flag meant
/// where one is close) with exit code 2.
fn usage(e: &clap::Error, io: &mut Io<'_>) -> i32 {
    let text = e.render().to_string();
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = write!(io.out, "{text}");
            0
        }
        kind => {
            let line = if kind == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                String::from("a command is required here (see --help)")
            } else {
                let lines: Vec<&str> = text.lines().map(str::trim).collect();
                let first = lines
                    .iter()
                    .find(|l| !l.is_empty())
                    .map_or("invalid arguments", |l| l.trim_start_matches("error: "));
                let tips: Vec<String> = lines
                    .iter()
                    .filter(|l| l.starts_with("tip:"))
                    .map(|l| format!(" ({l})"))
                    .collect();
                // Missing arguments are listed on the lines after the first: name them.
                let missing: Vec<&str> = if kind == ErrorKind::MissingRequiredArgument {
                    lines
                        .iter()
                        .skip_while(|l| l.is_empty())
                        .skip(1)
                        .take_while(|l| !l.starts_with("Usage:"))
                        .filter(|l| !l.is_empty())
                        .copied()
                        .collect()
                } else {
                    Vec::new()
                };
                let missing = if missing.is_empty() {
                    String::new()
                } else {
                    format!(" {}", missing.join(", "))
                };
                format!("{first}{missing}{}", tips.concat())
            };
            let _ = writeln!(io.err, "error: {line}");
            2
        }
    }
}
