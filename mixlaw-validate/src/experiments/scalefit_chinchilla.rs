//! `scalefit-chinchilla` (validation V2): the Chinchilla law fitted with the protocol of
//! apple/ml-scalefit (Shukor et al.'s library) to Epoch's points with `6ND < 1e21` (217
//! points): N / 1e6, D / 1e9, squared error on the raw loss.
//!
//! scipy fits this with bounds (E in [0, 2], A, B in [0, 10], alpha, beta in [0, 1]); our
//! positive parameters are fitted through their logarithms without upper bounds. The
//! report says whether the unbounded optimum lies inside those bounds (then it is also the
//! bounded optimum) in the row `inside_scalefit_bounds`.

use std::path::Path;
use std::string::ToString;
use std::time::Instant;
use std::vec::Vec;

use mixlaw_core::{Loss, Scales};
use mixlaw_fit::BasinConfig;

use crate::data::epoch::load_points;
use crate::error::Error;
use crate::fits::fit_chinchilla;
use crate::report::Report;
use crate::report::{count, note, pass};

/// Points kept (`6ND < 1e21`).
pub const POINTS: usize = 217;

/// Published (`mse+lbfgs` row, checked with scipy): E, A, B, alpha, beta, R^2, MRE (%), MAE.
pub const PUBLISHED: [(&str, f64); 8] = [
    ("E", 1.9051),
    ("A", 4.0005),
    ("B", 1.0509),
    ("alpha", 0.3511),
    ("beta", 0.4587),
    ("r2", 0.99604),
    ("mre_pct", 0.4536),
    ("mae", 0.01221),
];

/// scipy's bounds (E, A, B, alpha, beta).
pub const BOUNDS: [(f64, f64); 5] = [(0.0, 2.0), (0.0, 10.0), (0.0, 10.0), (0.0, 1.0), (0.0, 1.0)];

/// Runs V2 on the data under `data`.
pub fn run(data: &Path, progress: bool) -> Result<Report, Error> {
    let started = Instant::now();
    let all = load_points(data)?;
    let keep: Vec<usize> = match (&all.n, &all.d) {
        (Some(n), Some(d)) => (0..all.rows())
            .filter(|&r| matches!((n.get(r), d.get(r)), (Some(n), Some(d)) if 6.0 * n * d < 1e21))
            .collect(),
        _ => Vec::new(),
    };
    let runs = all.select(&keep);
    if runs.rows() != POINTS {
        return Err(Error::input(std::format!(
            "expected {POINTS} Epoch points with 6ND < 1e21, found {}",
            runs.rows()
        )));
    }
    let scales = Scales { n: 1e6, d: 1e9 };
    let fitted = fit_chinchilla(
        &runs,
        Loss::Squared,
        scales,
        BasinConfig::default(),
        "scalefit-chinchilla",
        progress,
    )?;
    let (_, m) = fitted
        .evaluate(&runs)
        .map_err(|e| Error::compute(e.to_string()))?;
    let r2 =
        m.r2.ok_or_else(|| Error::compute("R^2 is undefined (constant losses)"))?;
    let ours: Vec<f64> = fitted
        .params
        .iter()
        .copied()
        .chain([r2, m.mre, m.mae])
        .collect();
    let mut report = Report::new("scalefit-chinchilla");
    for ((metric, published), &value) in PUBLISHED.into_iter().zip(&ours) {
        let ok = match metric {
            "r2" => (value - published).abs() <= 1e-5,
            "mre_pct" | "mae" => (value / published - 1.0).abs() <= 1e-3,
            _ => (value / published - 1.0).abs() <= 1e-3,
        };
        report.row(metric, value, Some(published), std::vec![pass(ok)]);
    }
    let inside = fitted
        .params
        .iter()
        .zip(BOUNDS)
        .all(|(&p, (lo, hi))| p >= lo && p <= hi);
    report.row(
        "inside_scalefit_bounds",
        f64::from(u8::from(inside)),
        None,
        std::vec![note(
            "meaning",
            "1 when our unbounded optimum lies inside scipy's bounds (then it is the bounded optimum too)"
        )],
    );
    report.row(
        "mse",
        fitted.objective,
        None,
        std::vec![count("points", runs.rows() as u64)],
    );
    report.seconds(started);
    Ok(report)
}
