//! # mixlaw-cli
//!
//! The `mixlaw` program (`cargo install --path mixlaw-cli --profile dist`; from a checkout
//! `cargo run --release -p mixlaw-cli -- <command> ...`, no command: a demo): fits laws to
//! runs in CSV files, predicts, finds optimal mixtures, and reproduces published fits on
//! the real data (through `mixlaw-validate`). The contract is `spec/cli.md`: one JSON object
//! with `--json`, one `error:` line and exit code 2 on bad input or usage, 1 on a failed
//! computation.
//!
//! Layout: [`cli`] declares the arguments (clap), [`output`] is everything written,
//! [`columns`] reads runs and sets up fits from the column flags, [`params`] is the saved
//! params file, [`bootstrap`] the uncertainty reports; [`commands`] has one module per
//! command, each using those and none another command.

pub mod bootstrap;
pub mod cli;
pub mod columns;
pub mod commands;
pub mod output;
pub mod params;

pub use commands::main;
pub use mixlaw_validate::json::Json;
pub use mixlaw_validate::Error;
pub use output::Io;

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
