//! Muennighoff et al. 2023's 182 repetition runs (SLDBench's copy,
//! `sldbench/data_constrained.csv`) and their published figures, read by `muennighoff` and
//! `infolaw-repetition`.

use std::format;
use std::path::Path;

use mixlaw_fit::owned::Runs;

use super::Columns;
use crate::error::Error;

/// The data file, relative to the data folder.
pub const DATA_FILE: &str = "sldbench/data_constrained.csv";

/// Runs in the file.
pub const POINTS: usize = 182;

/// The authors' Chinchilla base `E, A, B, alpha, beta` (from a, b, e of the datablations
/// README: `A = e^a`, `B = e^b`, `E = e^e`, alpha = beta tied), raw units.
pub fn base() -> [f64; 5] {
    [
        0.6254804f64.exp(),
        6.255414f64.exp(),
        7.3049974f64.exp(),
        0.3526596,
        0.3526596,
    ]
}

/// The authors' fitted `(RN, RD)` (`R_N*`, `R_D*`).
pub const PUBLISHED_R: (f64, f64) = (5.309743, 15.387756);

/// Published objective (sum) at `PUBLISHED_R`, and the pass limit of our fit.
pub const PUBLISHED_OBJECTIVE: (f64, f64) = (0.0158259, 0.0158260);

/// Published R^2 of the data-constrained law and of the plain Chinchilla law, same base.
pub const PUBLISHED_R2: (f64, f64) = (0.7722, 0.4452);

/// The 182 runs: N = `params`, D = `unique_tokens` (sic), U = `tokens` (sic), loss.
pub fn load(data: &Path) -> Result<Runs, Error> {
    let table = super::read(&data.join(DATA_FILE))?;
    let cols = Columns {
        loss: Some("loss".into()),
        n: Some("params".into()),
        // The file's column names are swapped: `unique_tokens` is the total D.
        d: Some("unique_tokens".into()),
        unique: Some("tokens".into()),
        ..Columns::default()
    };
    let runs = super::load(&table, &cols, true)?.runs;
    if let (Some(d), Some(u)) = (&runs.d, &runs.u) {
        if let Some(r) = d.iter().zip(u).position(|(d, u)| u > d) {
            return Err(Error::input(format!(
                "{DATA_FILE}: row {}: unique tokens exceed total tokens (are the columns still swapped?)",
                r + 1
            )));
        }
    }
    Ok(runs)
}
