//! The reproductions of published results on the real data, one module per family, in one
//! test binary. Real-data tests take their folder from [`data_dir`]
//! (`mixlaw_validate::data::for_test`): skipped with a notice when `MIXLAW_DATA` is unset and
//! the default `../shared/data` is absent, failed when `MIXLAW_DATA` is set but missing.
//!
//! The heavy ones (tens of seconds each) are ignored in the default (debug-assertions) test
//! profile and run in release: `cargo test --release -p mixlaw-validate` (a `.ci/run` step
//! and part of the README's test command). Their gates are the same in both profiles.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod capacity;
mod chinchilla;
mod infolaw;
mod infolaw_repetition;
mod lm;
mod mixtures;
mod muennighoff;
mod olmix;
mod optimum;
mod regmix;
mod uncertainty;

use mixlaw_validate::Json;

pub use mixlaw_validate::data::for_test as data_dir;

/// The row of `metric` in a report's rows; fails the test when it is missing.
pub fn row<'a>(rows: &'a [Json], metric: &str) -> &'a Json {
    rows.iter()
        .find(|r| r.get("metric").and_then(Json::as_str) == Some(metric))
        .unwrap_or_else(|| panic!("no row {metric} in {}", Json::Array(rows.to_vec())))
}

/// `ours` of the row of `metric`; fails the test when it is missing.
pub fn ours(rows: &[Json], metric: &str) -> f64 {
    row(rows, metric)
        .get("ours")
        .and_then(Json::as_f64)
        .unwrap_or_else(|| panic!("row {metric} has no number 'ours'"))
}
