//! `mixlaw predict`: the predictions of a saved fit (one line per run; a law with several
//! outputs, the capacity laws, prints them comma-separated, and in JSON one array per run).

use std::format;
use std::string::String;
use std::vec::Vec;

use mixlaw_core::{AnyLaw, Law};
use mixlaw_fit::owned::{Fit, Metrics, Runs};
use mixlaw_validate::data::{self, Columns, JoinCounts};
use mixlaw_validate::json::{obj, push, Json};

use crate::cli::PredictArgs;
use crate::columns::{build_law, columns, for_law, unobserved, warn_unused, with_entry_weights};
use crate::output::Output;
use crate::{params, Error};

use super::fit::{fmt_r2, metrics_json, predictions_json};

/// A saved fit's predictions on the runs of a CSV file: what `predict` prints and
/// `plot fit` draws.
pub struct Predictions {
    /// The saved fit.
    pub fit: Fit<AnyLaw>,
    /// The runs read (when scored: only rows with a loss, `y` the observed losses, entry
    /// weights 0 on the entries the law cannot score).
    pub runs: Runs,
    /// The predictions, `outputs` per run.
    pub pred: Vec<f64>,
    /// When a loss column is read: the predictions scored against the observed losses.
    pub metrics: Option<Metrics>,
    /// Rows skipped for want of a loss.
    pub skipped: usize,
    /// With `--join`: the join's counts.
    pub join: Option<JoinCounts>,
}

/// The predictions of the saved fit `a.params` on the runs of `a.csv` under the column
/// flags (and the saved columns); scored when a loss column is read.
pub fn predictions(a: &PredictArgs, out: &mut Output<'_, '_>) -> Result<Predictions, Error> {
    let saved = params::load(&a.params)?;
    let fit = saved.to_fit();
    let source = data::read_source(&a.csv, a.columns.join.as_deref())?;
    let given = columns(&a.columns)?.resolve(&source.table)?;
    let mut cols = params::with_saved_columns(&saved, given, &source.table);
    if fit.law.inputs().h {
        cols.weights = params::weight_columns(&saved, &cols.weights)?;
    }
    if fit.law.inputs().h && cols.weights.len() != fit.law.domains() {
        return Err(Error::input(format!(
            "the saved law has {} domains: pass --weights with {} columns",
            fit.law.domains(),
            fit.law.domains()
        )));
    }
    build_law(
        fit.law.name(),
        &Columns {
            weights: cols.weights.clone(),
            ..cols.clone()
        },
        fit.law.target(),
    )?;
    warn_unused(out, &fit.law, &a.columns, None);
    // With a loss column (--loss, or the saved one when the file has it), the rows with a
    // loss are scored (and those without skipped).
    let scored = cols.loss.is_some();
    let loaded = data::load(&source.table, &cols, scored)?;
    let runs = for_law(loaded.runs, &fit.law);
    let (runs, pred, metrics) = if scored {
        let runs = with_entry_weights(runs, &fit.law, 0.0)?;
        let (pred, m) = fit.evaluate(&runs)?;
        (runs, pred, Some(m))
    } else {
        let runs = unobserved(runs, &fit.law);
        let pred = fit.predict(&runs)?;
        (runs, pred, None)
    };
    Ok(Predictions {
        fit,
        runs,
        pred,
        metrics,
        skipped: loaded.skipped,
        join: source.join,
    })
}

/// Runs `mixlaw predict`.
pub fn run(a: &PredictArgs, out: &mut Output<'_, '_>) -> Result<(), Error> {
    let Predictions {
        fit,
        pred,
        metrics,
        skipped,
        join,
        ..
    } = predictions(a, out)?;
    let outputs = fit.law.outputs();
    if out.json() {
        let mut j = obj([("predictions", predictions_json(&pred, outputs))]);
        if let Some(m) = &metrics {
            push(&mut j, "metrics", metrics_json(m, &pred, outputs));
        }
        if metrics.is_some() {
            push(&mut j, "skipped_rows", Json::from(skipped));
        }
        if let Some(c) = &join {
            push(&mut j, "join", super::fit::join_json(c));
        }
        return out.object(j);
    }
    if let Some(c) = &join {
        out.note(&super::fit::join_line("input", c));
    }
    if let Some(m) = &metrics {
        out.note(&format!(
            "MRE {:.3} %  RMSE {:.5}  Spearman {}  Kendall {}  ({} runs)",
            m.mre,
            m.rmse,
            fmt_r2(m.spearman),
            fmt_r2(m.kendall),
            m.rows
        ));
    }
    for run in pred.chunks(outputs.max(1)) {
        let cells: Vec<String> = run.iter().map(|p| format!("{p}")).collect();
        out.line(&cells.join(","))?;
    }
    Ok(())
}
