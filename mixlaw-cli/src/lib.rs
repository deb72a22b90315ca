//! # mixlaw-cli
//!
//! The `mixlaw` command-line program (`cargo run --release --example mixlaw -- ...`): fits
//! laws to runs in CSV files, predicts, finds optimal mixtures, and reproduces published
//! fits on the real data. The contract is `spec/cli.md`: one JSON object with `--json`,
//! one `error:` line and exit code 2 on bad input, 1 on a failed computation.

pub mod args;
pub mod capacity_cmd;
pub mod commands;
pub mod csv;
pub mod error;
pub mod info_cmd;
pub mod json;
pub mod reproduce;
pub mod uncertainty;

pub use error::CliError;
pub use json::Json;

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
