//! `epoch-chinchilla` (validation V1): the Chinchilla law fitted to Epoch AI's 240 points
//! recovered from Hoffmann et al.'s Figure 4, with Epoch's objective (Besiroglu et al.
//! 2024): the *sum* over points of Huber(1e-3) of log residuals.
//!
//! Data: `epoch_chinchilla/svg_extracted_data.csv`; N = `Model Size`, D = `Training
//! FLOP` / (6 N); the 5 highest losses are dropped (Epoch's `loss < sorted(loss)[-5]`).
//! Our objective is a mean; it is reported times the number of points. N and D are divided
//! by 1e9 for conditioning and A, B converted back to raw units (`A_raw = A 1e9^alpha`).
//!
//! Also holds helpers shared by the other N, D reproductions of this crate (loading the
//! Epoch points, numeric columns, the objective at given parameters, progress lines).

use std::format;
use std::ops::ControlFlow;
use std::path::Path;
use std::string::{String, ToString};
use std::time::Instant;
use std::vec::Vec;

use mixlaw_core::laws::chinchilla::Chinchilla;
use mixlaw_core::{Law, LawExt, Loss, Objective, Prepared, Scales};
use mixlaw_fit::owned::{fit, Fit, FitOptions, Runs};
use mixlaw_fit::{BasinConfig, HopInfo};

use super::Report;
use crate::csv::{self, Columns, Table};
use crate::error::CliError;
use crate::json::Json;

/// Epoch's data file, relative to the data folder.
pub const DATA_FILE: &str = "epoch_chinchilla/svg_extracted_data.csv";

/// Points kept after dropping the 5 highest losses.
pub const POINTS: usize = 240;

/// Published (Epoch notebook, pure-Huber grid fit) values: objective (sum), E, A, B, alpha, beta.
pub const PUBLISHED: [(&str, f64); 6] = [
    ("objective_sum", 0.00101827),
    ("E", 1.8172),
    ("A", 477.84),
    ("B", 2143.86),
    ("alpha", 0.34731),
    ("beta", 0.36718),
];

/// Hoffmann et al.'s rounded parameters (E, A, B, alpha, beta; raw units) and Epoch's
/// objective there.
pub const HOFFMANN: ([f64; 5], f64) = ([1.69, 406.4, 410.7, 0.34, 0.28], 0.004121);

/// Scale of N and D in the fit.
const SCALE: f64 = 1e9;

/// The Epoch points (N, D = C / 6N, loss), 5 highest losses dropped, in file order.
pub fn load_points(data: &Path) -> Result<Runs, CliError> {
    let table = csv::read(&data.join(DATA_FILE))?;
    let cols = Columns {
        loss: Some("loss".into()),
        n: Some("Model Size".into()),
        d: Some("Training FLOP".into()),
        ..Columns::default()
    };
    let loaded = csv::load(&table, &cols, true)?;
    let mut runs = loaded.runs;
    // D = C / (6 N).
    if let (Some(n), Some(d)) = (&runs.n, &mut runs.d) {
        for (d, &n) in d.iter_mut().zip(n) {
            *d /= 6.0 * n;
        }
    }
    let mut sorted = runs.y.clone();
    sorted.sort_by(f64::total_cmp);
    let Some(&cut) = sorted.len().checked_sub(5).and_then(|i| sorted.get(i)) else {
        return Err(CliError::input(format!("{DATA_FILE}: fewer than 5 points")));
    };
    let keep: Vec<usize> = (0..runs.rows())
        .filter(|&r| runs.y.get(r).is_some_and(|&y| y < cut))
        .collect();
    Ok(runs.select(&keep))
}

/// [`load_points`], checked to hold Epoch's [`POINTS`] points.
pub fn load_240(data: &Path) -> Result<Runs, CliError> {
    let runs = load_points(data)?;
    if runs.rows() != POINTS {
        return Err(CliError::input(format!(
            "{DATA_FILE}: expected {POINTS} points after dropping the 5 highest losses, found {}",
            runs.rows()
        )));
    }
    Ok(runs)
}

/// The numeric column `name` of `table` (every cell must parse).
pub fn numbers(table: &Table, name: &str) -> Result<Vec<f64>, CliError> {
    let c = table.column(name)?;
    table
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let cell = row.get(c).map(|s| s.trim()).unwrap_or("");
            cell.parse::<f64>().map_err(|_| {
                CliError::input(format!(
                    "row {}, column '{name}': '{cell}' is not a number",
                    r + 1
                ))
            })
        })
        .collect()
}

/// The mean objective (`loss` over the rows of `runs`) of `law` at natural `params`
/// under `scales`.
pub fn objective_at<L: Law>(
    law: &L,
    params: &[f64],
    runs: &Runs,
    scales: Scales,
    loss: Loss,
) -> Result<f64, CliError> {
    let data = runs.dataset()?;
    let mut cache = std::vec![0.0; Prepared::buffer_len(runs.rows(), runs.k)];
    let prepared = Prepared::new(data, scales, &mut cache)?;
    let objective = Objective::new(law, &prepared, loss)?;
    let mut theta = std::vec![0.0; law.num_params()];
    law.to_unconstrained(params, &mut theta)?;
    let mut scratch = std::vec![0.0; objective.scratch_len()];
    let v = objective.eval(&theta, None, &mut scratch)?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(CliError::compute(
            "the objective is not finite at the given parameters",
        ))
    }
}

/// An observer printing one line per start (its first local minimum and the best so far)
/// to stderr when `enabled`; it never stops the search.
pub fn progress(label: &str, enabled: bool) -> impl FnMut(&HopInfo) -> ControlFlow<()> + '_ {
    move |info: &HopInfo| {
        if enabled && info.hop == 0 {
            std::eprintln!(
                "{label}: start {} local minimum {:.9e}, best {:.9e}",
                info.start,
                info.value,
                info.best
            );
        }
        ControlFlow::Continue(())
    }
}

/// Fits the Chinchilla law with `loss` and `scales` from the default search, plus `basin`
/// tweaks.
pub fn fit_chinchilla(
    runs: &Runs,
    loss: Loss,
    scales: Scales,
    basin: BasinConfig,
    label: &str,
    show: bool,
) -> Result<Fit<Chinchilla>, CliError> {
    let options = FitOptions {
        loss,
        scales,
        basin,
        ..FitOptions::default()
    };
    fit(Chinchilla::new(), runs, &options, progress(label, show))
        .map_err(|e| CliError::compute(format!("{label}: the fit failed: {e}")))
}

/// `("pass", ok)` for a report row.
pub fn pass(ok: bool) -> (String, Json) {
    ("pass".to_string(), Json::Bool(ok))
}

/// `(key, number)` for a report row.
pub fn num(key: &str, v: f64) -> (String, Json) {
    (key.to_string(), Json::Num(v))
}

/// `(key, string)` for a report row.
pub fn note(key: &str, s: &str) -> (String, Json) {
    (key.to_string(), Json::str(s))
}

/// Runs V1 on the data under `data`.
pub fn run(data: &Path, progress: bool) -> Result<Report, CliError> {
    let started = Instant::now();
    let runs = load_240(data)?;
    let loss = Loss::LogHuber { delta: 1e-3 };
    let scales = Scales { n: SCALE, d: SCALE };
    let fitted = fit_chinchilla(
        &runs,
        loss,
        scales,
        BasinConfig::default(),
        "epoch-chinchilla",
        progress,
    )?;
    let rows = runs.rows() as f64;
    let [e, a, b, alpha, beta] = <[f64; 5]>::try_from(fitted.params.as_slice())
        .map_err(|_| CliError::compute("the Chinchilla fit returned the wrong parameter count"))?;
    let ours = [
        fitted.objective * rows,
        e,
        a * SCALE.powf(alpha),
        b * SCALE.powf(beta),
        alpha,
        beta,
    ];
    let mut report = Report::new("epoch-chinchilla");
    for ((metric, published), value) in PUBLISHED.into_iter().zip(ours) {
        let ok = match metric {
            "objective_sum" => value <= published + 1e-7,
            "E" => (value - published).abs() <= 0.002,
            "alpha" | "beta" => (value - published).abs() <= 0.001,
            "A" => (value / published - 1.0).abs() <= 0.01,
            _ => (value / published - 1.0).abs() <= 0.02,
        };
        let mut extra = std::vec![pass(ok)];
        if metric == "objective_sum" {
            extra.push(num("objective_mean", fitted.objective));
            extra.push(num("points", rows));
        }
        report.row(metric, value, Some(published), extra);
    }
    // Epoch's objective at Hoffmann's rounded parameters (raw units, scales 1).
    let (hoffmann, published) = HOFFMANN;
    let at = objective_at(
        &Chinchilla::new(),
        &hoffmann,
        &runs,
        Scales::default(),
        loss,
    )? * rows;
    report.row(
        "objective_at_hoffmann",
        at,
        Some(published),
        std::vec![pass((at - published).abs() <= 5e-7)],
    );
    let (_, m) = fitted
        .evaluate(&runs)
        .map_err(|e| CliError::compute(e.to_string()))?;
    report.row(
        "rmse",
        m.rmse,
        Some(0.0218),
        std::vec![note("source", "checked (numpy)")],
    );
    report.row(
        "mre_pct",
        m.mre,
        Some(0.470),
        std::vec![note("source", "checked (numpy)")],
    );
    report.row(
        "seconds",
        started.elapsed().as_secs_f64(),
        None,
        std::vec![],
    );
    Ok(report)
}
