//! `vpnls` (validation V3): the Chinchilla law on Open Athena's IsoFLOP collection with the
//! protocol of Open-Athena/vpnls: N / 1e6, D / 1e9, *mean* Huber(1e-3) of raw-loss
//! residuals, no outlier removal; reported times 1e6 as in the vpnls README.
//!
//! The validation spec states bounds E in [0, 5], A, B in [0, 10], alpha, beta in
//! [0.01, 1]; our positive parameters are fitted through their logarithms without upper
//! bounds. vpnls itself bounds only the exponents (a grid of step 0.01) and solves E, A, B
//! by non-negative least squares, without upper bounds (Open-Athena/vpnls,
//! `src/vpnls/grid.py`): on the three Marin sets its published values are optima with
//! A > 10, which our unbounded fit reproduces. Where our optimum leaves the stated bounds,
//! the report also gives the bounded-equivalent fit: the violated parameters pinned at
//! their bounds (with [`mixlaw_core::frozen::Frozen`]) and the others refitted, repeated
//! until no bound is violated (on Marin this equals a 3000-start scipy L-BFGS-B fit with
//! the bounds).

use std::format;
use std::path::Path;
use std::string::{String, ToString};
use std::time::Instant;
use std::vec::Vec;

use mixlaw_core::frozen::Frozen;
use mixlaw_core::laws::chinchilla::Chinchilla;
use mixlaw_core::{Law, LawExt, Loss, Scales};
use mixlaw_fit::owned::{fit, FitOptions, Runs};
use mixlaw_fit::BasinConfig;

use super::epoch_chinchilla::{fit_chinchilla, note, num, numbers, pass, progress as observer};
use super::Report;
use crate::csv;
use crate::error::CliError;
use crate::json::Json;

/// The data file, relative to the data folder.
pub const DATA_FILE: &str = "openathena_isoflops/extract/isoflops.csv";

/// vpnls's bounds (E, A, B, alpha, beta).
pub const BOUNDS: [(f64, f64); 5] = [
    (0.0, 5.0),
    (0.0, 10.0),
    (0.0, 10.0),
    (0.01, 1.0),
    (0.01, 1.0),
];

/// One experiment of the collection: metric name, `experiment` value, expected rows,
/// published Huber x1e6, and the gate (`Some(limit)`: pass if ours <= limit).
pub struct Case {
    /// Report metric.
    pub metric: &'static str,
    /// Value of the `experiment` column.
    pub experiment: &'static str,
    /// Rows expected.
    pub rows: usize,
    /// vpnls README value (Huber x1e6).
    pub published: f64,
    /// Pass threshold on ours (Huber x1e6), `None` for report-only rows.
    pub gate: Option<f64>,
}

/// The five experiments of the vpnls README.
pub const CASES: [Case; 5] = [
    Case {
        metric: "chinchilla_huber_x1e6",
        experiment: "ml_scalefit__massivetext__chinchilla",
        rows: 124,
        published: 13.1,
        gate: Some(13.10),
    },
    Case {
        metric: "llama3_huber_x1e6",
        experiment: "llama_3__raw_loss",
        rows: 133,
        published: 2.3,
        gate: Some(2.30),
    },
    Case {
        metric: "marin_comma_huber_x1e6",
        experiment: "marin_202603__comma__llama_2",
        rows: 85,
        published: 22.9,
        gate: None,
    },
    Case {
        metric: "marin_dclm_huber_x1e6",
        experiment: "marin_202603__dclm__llama_2",
        rows: 85,
        published: 22.9,
        gate: None,
    },
    Case {
        metric: "marin_nemotron_huber_x1e6",
        experiment: "marin_202603__nemotron__llama_2",
        rows: 88,
        published: 22.6,
        gate: None,
    },
];

const NAMES: [&str; 5] = ["E", "A", "B", "alpha", "beta"];

/// The rows of `experiment`: N = `params`, D = `tokens`, loss = `loss`.
pub fn load(data: &Path, experiment: &str) -> Result<Runs, CliError> {
    let table = csv::read(&data.join(DATA_FILE))?;
    let col = table.column("experiment")?;
    let (n, d, y) = (
        numbers(&table, "params")?,
        numbers(&table, "tokens")?,
        numbers(&table, "loss")?,
    );
    let keep: Vec<usize> = (0..table.rows.len())
        .filter(|&r| {
            table
                .rows
                .get(r)
                .and_then(|row| row.get(col))
                .is_some_and(|c| c == experiment)
        })
        .collect();
    let pick = |v: &[f64]| keep.iter().filter_map(|&r| v.get(r).copied()).collect();
    Ok(Runs {
        n: Some(pick(&n)),
        d: Some(pick(&d)),
        y: pick(&y),
        ..Runs::default()
    })
}

/// Indices of parameters outside [`BOUNDS`].
fn violated(params: &[f64]) -> Vec<usize> {
    params
        .iter()
        .zip(BOUNDS)
        .enumerate()
        .filter(|(_, (&p, (lo, hi)))| p < *lo || p > *hi)
        .map(|(i, _)| i)
        .collect()
}

/// The bounded-equivalent fit from an unbounded optimum: parameters outside the bounds
/// pinned at the nearest bound, the rest refitted, until no free parameter leaves its
/// bounds. Returns the mean objective and the natural parameters.
fn bounded(
    runs: &Runs,
    options: &FitOptions,
    start: &[f64],
    label: &str,
    show: bool,
) -> Result<(f64, [f64; 5]), CliError> {
    let mut values = [0.0; 5];
    for ((v, &p), (lo, hi)) in values.iter_mut().zip(start).zip(BOUNDS) {
        // Lower bounds of 0 are open for positive parameters: stay just above.
        *v = p.clamp(if lo > 0.0 { lo } else { f64::MIN_POSITIVE }, hi);
    }
    let mut free = [true; 5];
    for i in violated(start) {
        if let Some(f) = free.get_mut(i) {
            *f = false;
        }
    }
    for _ in 0..5 {
        let law = Frozen::<Chinchilla, 5>::new(Chinchilla::new(), &values, &free)?;
        let mut warm = std::vec![0.0; law.num_params()];
        law.start(&mut warm)?;
        let opts = FitOptions {
            start: Some(warm),
            ..options.clone()
        };
        let fitted = fit(law, runs, &opts, observer(label, show))
            .map_err(|e| CliError::compute(format!("{label}: bounded refit failed: {e}")))?;
        let mut full = [0.0; 5];
        law.expand(&fitted.params, &mut full)?;
        let newly = violated(&full);
        if newly.is_empty() {
            return Ok((fitted.objective, full));
        }
        for i in newly {
            if let (Some(f), Some(v), Some((lo, hi))) =
                (free.get_mut(i), values.get_mut(i), BOUNDS.get(i))
            {
                *f = false;
                *v = full
                    .get(i)
                    .copied()
                    .unwrap_or(*v)
                    .clamp(lo.max(f64::MIN_POSITIVE), *hi);
            }
        }
        for (v, (f, &p)) in values.iter_mut().zip(free.iter().zip(&full)) {
            if *f {
                *v = p;
            }
        }
    }
    Err(CliError::compute(format!(
        "{label}: the bounded refit did not settle"
    )))
}

fn params_json(params: &[f64]) -> Json {
    Json::Obj(
        NAMES
            .iter()
            .zip(params)
            .map(|(n, &v)| (n.to_string(), Json::Num(v)))
            .collect(),
    )
}

/// Runs V3 on the data under `data`.
pub fn run(data: &Path, progress: bool) -> Result<Report, CliError> {
    let mut report = Report::new("vpnls");
    let loss = Loss::Huber { delta: 1e-3 };
    let scales = Scales { n: 1e6, d: 1e9 };
    for case in &CASES {
        let started = Instant::now();
        let runs = load(data, case.experiment)?;
        if runs.rows() != case.rows {
            return Err(CliError::input(format!(
                "{DATA_FILE}: expected {} rows of {}, found {}",
                case.rows,
                case.experiment,
                runs.rows()
            )));
        }
        let label = format!("vpnls {}", case.experiment);
        let basin = BasinConfig::default();
        let fitted = fit_chinchilla(&runs, loss, scales, basin, &label, progress)?;
        let ours = fitted.objective * 1e6;
        let mut extra: Vec<(String, Json)> = std::vec![
            ("params".to_string(), params_json(&fitted.params)),
            num("rows", runs.rows() as f64),
        ];
        match case.gate {
            Some(limit) => extra.push(pass(ours <= limit)),
            None => extra.push(note(
                "gate",
                "report only: vpnls solves E, A, B by NNLS with no upper bound on A \
                 (src/vpnls/grid.py), so its value is the unbounded optimum (ours); \
                 with A <= 10 see bounded_huber_x1e6 (scipy: 27.1/30.1/27.0)",
            )),
        }
        let outside = violated(&fitted.params);
        extra.push((
            "inside_vpnls_bounds".to_string(),
            Json::Bool(outside.is_empty()),
        ));
        if !outside.is_empty() {
            let options = FitOptions {
                loss,
                scales,
                basin,
                ..FitOptions::default()
            };
            let (value, params) = bounded(&runs, &options, &fitted.params, &label, progress)?;
            extra.push(num("bounded_huber_x1e6", value * 1e6));
            extra.push(("bounded_params".to_string(), params_json(&params)));
        }
        extra.push(num("seconds", started.elapsed().as_secs_f64()));
        report.row(case.metric, ours, Some(case.published), extra);
    }
    Ok(report)
}
