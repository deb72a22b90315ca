//! `muennighoff` (validation V4): the data-constrained (repetition) law of Muennighoff et
//! al. 2023 on their 182 runs (SLDBench's copy), with the Chinchilla base frozen at the
//! authors' values and only `RN`, `RD` (their `R_N*`, `R_D*`) fitted, through
//! [`mixlaw_core::frozen::Frozen`].
//!
//! Data: `sldbench/data_constrained.csv`, whose `unique_tokens` column holds the *total*
//! tokens D and `tokens` the *unique* tokens U (swapped names, see the data README); N =
//! `params`. Objective: Huber(1e-3) of log residuals, raw units; ours is a mean, the
//! authors' a sum: reported times 182.

use std::format;
use std::path::Path;
use std::string::ToString;
use std::time::Instant;

use mixlaw_core::frozen::Frozen;
use mixlaw_core::laws::chinchilla::Chinchilla;
use mixlaw_core::laws::data_constrained::DataConstrained;
use mixlaw_core::{Law, LawExt, Loss, Scales};
use mixlaw_fit::owned::{fit, score, Fit, FitOptions, Runs};

use super::epoch_chinchilla::{note, num, objective_at, pass, progress as observer};
use super::Report;
use crate::csv::{self, Columns};
use crate::error::CliError;
use crate::json::Json;

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
pub fn load(data: &Path) -> Result<Runs, CliError> {
    let table = csv::read(&data.join(DATA_FILE))?;
    let cols = Columns {
        loss: Some("loss".into()),
        n: Some("params".into()),
        // The file's column names are swapped: `unique_tokens` is the total D.
        d: Some("unique_tokens".into()),
        unique: Some("tokens".into()),
        ..Columns::default()
    };
    let runs = csv::load(&table, &cols, true)?.runs;
    if let (Some(d), Some(u)) = (&runs.d, &runs.u) {
        if let Some(r) = d.iter().zip(u).position(|(d, u)| u > d) {
            return Err(CliError::input(format!(
                "{DATA_FILE}: row {}: unique tokens exceed total tokens (are the columns still swapped?)",
                r + 1
            )));
        }
    }
    Ok(runs)
}

/// The data-constrained law with `E, A, B, alpha, beta` frozen at [`base`] and `RN, RD`
/// free (started at `start`).
pub fn frozen_law(start: (f64, f64)) -> Result<Frozen<DataConstrained, 7>, CliError> {
    let [e, a, b, alpha, beta] = base();
    let values = [e, a, b, alpha, beta, start.0, start.1];
    Ok(Frozen::with_free_names(
        DataConstrained::new(),
        &values,
        &["RN", "RD"],
    )?)
}

/// R^2 of `law` at `params` on `runs` (raw units).
fn r2<L: Law + Clone>(law: &L, params: &[f64], runs: &Runs) -> Result<f64, CliError> {
    let f = Fit {
        law: law.clone(),
        params: params.to_vec(),
        scales: Scales::default(),
        loss: Loss::Squared,
        objective: 0.0,
        outcome: None,
    };
    let pred = f.predict(runs)?;
    score(&pred, &runs.y)?
        .r2
        .ok_or_else(|| CliError::compute("R^2 is undefined (constant losses)"))
}

/// Runs V4 on the data under `data`.
pub fn run(data: &Path, progress: bool) -> Result<Report, CliError> {
    let started = Instant::now();
    let runs = load(data)?;
    if runs.rows() != POINTS {
        return Err(CliError::input(format!(
            "{DATA_FILE}: expected {POINTS} runs, found {}",
            runs.rows()
        )));
    }
    let rows = runs.rows() as f64;
    let loss = Loss::LogHuber { delta: 1e-3 };
    let law = frozen_law(PUBLISHED_R)?;
    let options = FitOptions {
        loss,
        scales: Scales::default(),
        ..FitOptions::default()
    };
    let fitted = fit(law, &runs, &options, observer("muennighoff", progress))
        .map_err(|e| CliError::compute(format!("muennighoff: the fit failed: {e}")))?;
    let (rn, rd) = match fitted.params.as_slice() {
        [rn, rd] => (*rn, *rd),
        _ => {
            return Err(CliError::compute(
                "the frozen fit returned the wrong parameter count",
            ))
        }
    };
    let fit_seconds = started.elapsed().as_secs_f64();
    let mut report = Report::new("muennighoff");

    let (published, limit) = PUBLISHED_OBJECTIVE;
    let ours = fitted.objective * rows;
    report.row(
        "objective_sum",
        ours,
        Some(published),
        std::vec![
            pass(ours <= limit),
            num("RN", rn),
            num("RD", rd),
            num("published_RN", PUBLISHED_R.0),
            num("published_RD", PUBLISHED_R.1),
            note(
                "note",
                "the optimum is flat (0.015807 near RD 47, RN 2.3): parameters are not gated"
            ),
            num("seconds", fit_seconds),
        ],
    );

    let at_published = objective_at(
        &law,
        &[PUBLISHED_R.0, PUBLISHED_R.1],
        &runs,
        Scales::default(),
        loss,
    )? * rows;
    report.row(
        "objective_at_published_R",
        at_published,
        Some(published),
        std::vec![pass((at_published - published).abs() <= 1e-7)],
    );

    let (r2_pub, r2_base_pub) = PUBLISHED_R2;
    let r2_at_published = r2(&law, &[PUBLISHED_R.0, PUBLISHED_R.1], &runs)?;
    let r2_at_fit = r2(&law, &fitted.params, &runs)?;
    report.row(
        "r2",
        r2_at_published,
        Some(r2_pub),
        std::vec![
            pass((r2_at_published - r2_pub).abs() <= 1e-4),
            note("at", "the published RN, RD"),
            num("r2_at_our_fit", r2_at_fit),
        ],
    );
    let r2_base = r2(&Chinchilla::new(), &base(), &runs)?;
    report.row(
        "r2_chinchilla_base",
        r2_base,
        Some(r2_base_pub),
        std::vec![
            pass((r2_base - r2_base_pub).abs() <= 1e-4),
            (
                "law".to_string(),
                Json::str("E + A/N^alpha + B/D^beta, same base")
            ),
        ],
    );
    report.row(
        "seconds",
        started.elapsed().as_secs_f64(),
        None,
        std::vec![],
    );
    Ok(report)
}
