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

use mixlaw_core::laws::chinchilla::Chinchilla;
use mixlaw_core::{Loss, Scales};

use crate::data::muennighoff::{
    base, load, DATA_FILE, POINTS, PUBLISHED_OBJECTIVE, PUBLISHED_R, PUBLISHED_R2,
};
use crate::error::Error;
use crate::fits::{fit_rn_rd, objective_at, r2};
use crate::json::Json;
use crate::report::Report;
use crate::report::{note, num, pass};

/// Runs V4 on the data under `data`.
pub fn run(data: &Path, progress: bool) -> Result<Report, Error> {
    let started = Instant::now();
    let runs = load(data)?;
    if runs.rows() != POINTS {
        return Err(Error::input(format!(
            "{DATA_FILE}: expected {POINTS} runs, found {}",
            runs.rows()
        )));
    }
    let rows = runs.rows() as f64;
    let loss = Loss::LogHuber { delta: 1e-3 };
    let (law, fitted) = fit_rn_rd(&runs, progress)?;
    let (rn, rd) = match fitted.params.as_slice() {
        [rn, rd] => (*rn, *rd),
        _ => {
            return Err(Error::compute(
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
                Json::from("E + A/N^alpha + B/D^beta, same base")
            ),
        ],
    );
    report.seconds(started);
    Ok(report)
}
