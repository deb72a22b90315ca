//! `infolaw-repetition`: a single-bucket InfoLaw fitted to the repetition runs of
//! Muennighoff et al. 2023 (SLDBench's `data_constrained.csv`, 182 runs), beside the
//! data-constrained law's published R^2 (0.7722) and our own fit of that law
//! (`reproduce muennighoff`).
//!
//! There are no public InfoLaw runs. With one bucket (share 1, source S = U unique tokens,
//! recipe `[1]`, T = D total tokens, model size N = `params`) the law is
//! `L = alpha (U ln D (1 - e^(-k (D/U) / ln D)) / 1e9)^(-beta)`, `k = a ln N + b`; `theta`
//! plays no part. The file's columns are swapped: `unique_tokens` holds D and `tokens` U
//! (see [`crate::data::muennighoff::load`]).
//!
//! Two fits, as in `mixlaw_info::fit`: the paper's (random search over one `k` per model
//! size maximising `-spearman(L, info)`, then the log-log regression for `alpha`, `beta`)
//! and ours (basin-hopping L-BFGS on the mean squared log residual over `a, b, alpha,
//! beta`). R^2 is on raw losses, as the published 0.7722.

use std::format;
use std::path::Path;
use std::string::ToString;
use std::time::Instant;
use std::vec;
use std::vec::Vec;

use mixlaw_fit::BasinConfig;
use mixlaw_info::fit::{fit_continuous, fit_paper, info_parts, Fitted, Run};
use mixlaw_info::Source;

use crate::data::muennighoff;
use crate::error::Error;
use crate::json::Json;
use crate::report::Report;
use crate::report::{count, note, num};

/// The experiment's name.
pub const NAME: &str = "infolaw-repetition";

/// Samples of the paper's random search (the paper draws 100,000).
pub const SAMPLES: usize = 20_000;

/// Range of the per-size decay rate `k` in the paper's search.
pub const K_RANGE: (f64, f64) = (0.01, 20.0);

const RECIPE: [f64; 1] = [1.0];

fn compute(e: mixlaw_info::Error) -> Error {
    Error::compute(format!("{NAME}: {e}"))
}

/// The 182 runs as single-bucket InfoLaw runs.
pub fn load(data: &Path) -> Result<Vec<Run<'static>>, Error> {
    let runs = muennighoff::load(data)?;
    let (Some(n), Some(d), Some(u)) = (&runs.n, &runs.d, &runs.u) else {
        return Err(Error::input(format!(
            "{}: needs N, D and U columns",
            muennighoff::DATA_FILE
        )));
    };
    let mut out = Vec::with_capacity(runs.rows());
    for (((&n, &d), &u), &y) in n.iter().zip(d).zip(u).zip(&runs.y) {
        let source = Source::new(&RECIPE, u)
            .map_err(|e| Error::input(format!("{}: {e}", muennighoff::DATA_FILE)))?;
        out.push(Run {
            model_size: n,
            tokens: d,
            source,
            recipe: &RECIPE,
            loss: y,
        });
    }
    Ok(out)
}

/// Predicted loss of `run` under a fitted law with decay rate `k`.
fn predict(f: &Fitted, run: &Run<'_>, k: f64) -> Result<f64, Error> {
    let info = info_parts(run, f.law.theta, k).map_err(compute)?.0;
    f.power.loss(info).map_err(compute)
}

/// R^2 of raw-loss predictions.
fn r2(pred: &[f64], runs: &[Run<'_>]) -> Result<f64, Error> {
    let n = runs.len() as f64;
    let mean = runs.iter().map(|r| r.loss).sum::<f64>() / n;
    let ss_tot: f64 = runs.iter().map(|r| (r.loss - mean).powi(2)).sum();
    let ss_res: f64 = pred
        .iter()
        .zip(runs)
        .map(|(p, r)| (r.loss - p).powi(2))
        .sum();
    if ss_tot <= 0.0 {
        return Err(Error::compute("R^2 is undefined (constant losses)"));
    }
    Ok(1.0 - ss_res / ss_tot)
}

/// Runs the experiment on the data under `data`.
pub fn run(data: &Path, progress: bool) -> Result<Report, Error> {
    let started = Instant::now();
    let runs = load(data)?;
    let mut report = Report::new(NAME);

    // Ours: continuous fit of a, b, alpha, beta (theta is inert with one bucket).
    let config = BasinConfig {
        starts: 40,
        hops: 2,
        seed: 0,
        ..BasinConfig::default()
    };
    let ours = fit_continuous(&runs, &config).map_err(compute)?;
    let pred = runs
        .iter()
        .map(|r| {
            let k = ours.law.decay_rate(r.model_size).map_err(compute)?;
            predict(&ours, r, k)
        })
        .collect::<Result<Vec<f64>, Error>>()?;
    let r2_ours = r2(&pred, &runs)?;
    let (r2_dc_published, _) = muennighoff::PUBLISHED_R2;
    report.row(
        "r2_infolaw",
        r2_ours,
        None,
        vec![
            note("fit", "ours: basin-hopping L-BFGS on log residuals"),
            num("a", ours.law.a),
            num("b", ours.law.b),
            num("alpha", ours.power.alpha),
            num("beta", ours.power.beta),
            num("mse_log", ours.mse_log),
            count("free_params", 4),
            (
                "beats_data_constrained_published".to_string(),
                Json::Bool(r2_ours > r2_dc_published),
            ),
        ],
    );

    // The paper's: Spearman random search over one k per model size, then regression.
    let mut scratch = vec![0.0; 3 * runs.len()];
    let mut order = vec![0usize; runs.len()];
    let paper = fit_paper(
        &runs,
        SAMPLES,
        0,
        (0.0, 1.0),
        K_RANGE,
        &mut scratch,
        &mut order,
    )
    .map_err(compute)?;
    let sizes = paper.sizes.get(..paper.sizes_len).unwrap_or(&[]);
    let rates = paper.rates.get(..paper.sizes_len).unwrap_or(&[]);
    let pred = runs
        .iter()
        .map(|r| {
            let k = sizes
                .iter()
                .position(|&s| s == r.model_size)
                .and_then(|i| rates.get(i))
                .copied()
                .unwrap_or(1.0);
            predict(&paper.fitted, r, k)
        })
        .collect::<Result<Vec<f64>, Error>>()?;
    let r2_paper = r2(&pred, &runs)?;
    report.row(
        "r2_infolaw_paper_fit",
        r2_paper,
        None,
        vec![
            note(
                "fit",
                "the paper's: Spearman random search over per-size k, then log-log regression",
            ),
            count("samples", SAMPLES as u64),
            num("spearman", paper.spearman),
            num("alpha", paper.fitted.power.alpha),
            num("beta", paper.fitted.power.beta),
            num("a", paper.fitted.law.a),
            num("b", paper.fitted.law.b),
            num("mse_log", paper.fitted.mse_log),
            count("free_params", paper.sizes_len as u64 + 2),
            (
                "beats_data_constrained_published".to_string(),
                Json::Bool(r2_paper > r2_dc_published),
            ),
        ],
    );

    // The data-constrained law: published R^2 and our fit of it.
    report.row(
        "r2_data_constrained_published",
        r2_dc_published,
        Some(r2_dc_published),
        vec![
            note("law", "Muennighoff et al. 2023, at their RN, RD"),
            note(
                "free_params",
                "2 fitted here (RN, RD); the authors' 5 Chinchilla base parameters are frozen",
            ),
        ],
    );
    let dc_runs = muennighoff::load(data)?;
    let (dc_law, dc_fit) = crate::fits::fit_rn_rd(&dc_runs, progress)?;
    let r2_dc_ours = crate::fits::r2(&dc_law, &dc_fit.params, &dc_runs)?;
    report.row(
        "r2_data_constrained_ours",
        r2_dc_ours,
        Some(r2_dc_published),
        vec![note(
            "law",
            "data-constrained law, our fit of RN, RD (reproduce muennighoff)",
        )],
    );
    report.seconds(started);
    Ok(report)
}
