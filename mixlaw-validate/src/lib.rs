//! # mixlaw-validate
//!
//! Reproductions of published data-mixture and scaling-law results on the real data
//! (`spec/validation.md`), each printing ours beside the published figure: what
//! `mixlaw reproduce NAME` runs. The layers: the `no_std` library crates, then this crate
//! (std, not published), then the `mixlaw` program, which depends on it (never the reverse).
//!
//! - [`data`]: the one data-loading module: where the data folder is (and the real-data tests'
//!   skip-or-fail policy, [`data::for_test`]), CSV tables under the CLI contract's rules, and
//!   the readers of the shared data folders that several experiments use.
//! - [`fits`]: fitting helpers shared by several experiments.
//! - [`experiments`]: one module per experiment; no experiment imports another.
//! - [`report`], [`json`], [`error`]: the report rows, JSON values, the error type.

pub mod data;
pub mod error;
pub mod experiments;
pub mod fits;
pub mod json;
pub mod report;

use std::format;
use std::path::Path;
use std::vec::Vec;

pub use error::Error;
pub use json::Json;
pub use report::Report;

/// One experiment's runner.
type Runner = fn(&Path, bool) -> Result<Report, Error>;

/// Every experiment, in a stable order: one `(name, module::run)` line per experiment.
const RUNNERS: &[(&str, Runner)] = &[
    ("autoscale", experiments::autoscale::run),
    ("capacity-demo", experiments::capacity::run_demo),
    ("capacity-pile4", experiments::capacity::run_pile4),
    ("capacity-table2", experiments::capacity::run_table2),
    ("epoch-chinchilla", experiments::epoch_chinchilla::run),
    ("epoch-bootstrap", experiments::epoch_bootstrap::run),
    ("scalefit-chinchilla", experiments::scalefit_chinchilla::run),
    ("vpnls", experiments::vpnls::run),
    ("muennighoff", experiments::muennighoff::run),
    ("infolaw-table6", experiments::infolaw_table6::run),
    ("infolaw-repetition", experiments::infolaw_repetition::run),
    ("shukor-optimum", experiments::shukor_optimum::run),
    ("shukor-table8", experiments::shukor_table8::run),
    ("shukor-select", experiments::shukor_select::run),
    ("sldbench-mixture", experiments::sldbench_mixture::run),
    ("ye-mixing", experiments::ye_mixing::run),
    ("olmix", experiments::olmix::run),
    ("regmix", experiments::regmix::run),
];

/// Names of the experiments [`run`] knows, in a stable order.
pub fn names() -> impl Iterator<Item = &'static str> {
    RUNNERS.iter().map(|(n, _)| *n)
}

/// Runs experiment `name` on the data under `data` (the `shared/data` folder); with
/// `progress`, progress lines go to stderr.
pub fn run(name: &str, data: &Path, progress: bool) -> Result<Report, Error> {
    match RUNNERS.iter().find(|(n, _)| *n == name) {
        Some((_, runner)) => runner(data, progress),
        None => Err(Error::input(format!(
            "unknown experiment '{name}' (known: {})",
            names().collect::<Vec<_>>().join(", ")
        ))),
    }
}
