//! `mixlaw predict`: the predictions of a saved fit (capacity laws: `commands::capacity`).

use std::format;

use std::vec::Vec;

use mixlaw_core::{AnyLaw, Law};
use mixlaw_fit::owned::{Fit, Metrics, Runs};
use mixlaw_validate::data::{self, Columns};
use mixlaw_validate::json::{nums, obj, push, Json};

use crate::cli::PredictArgs;
use crate::columns::{build_law, columns, for_law, warn_unused};
use crate::output::Output;
use crate::{params, Error};

/// A saved fit's predictions on the runs of a CSV file: what `predict` prints and
/// `plot fit` draws.
pub struct Predictions {
    /// The saved fit.
    pub fit: Fit<AnyLaw>,
    /// The runs read (with `--loss`: only rows with a loss, `y` the observed losses).
    pub runs: Runs,
    /// One prediction per run.
    pub pred: Vec<f64>,
    /// With `--loss`: the predictions scored against the observed losses.
    pub metrics: Option<Metrics>,
}

/// The predictions of the (one-output) saved fit `saved` (read from `a.params`) on the runs
/// of `a.csv` under the column flags; scored when `--loss` is given.
pub fn predictions(
    saved: &Json,
    a: &PredictArgs,
    out: &mut Output<'_, '_>,
) -> Result<Predictions, Error> {
    let saved = params::from_json(saved, &a.params)?;
    let fit = saved.to_fit();
    let mut cols = columns(&a.columns)?;
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
    // With --loss, the rows with a loss are scored (and those without skipped).
    let scored = a.columns.loss.is_some();
    let loaded = data::load(&data::read(&a.csv)?, &cols, scored)?;
    let runs = for_law(loaded.runs, &fit.law);
    let (pred, metrics) = if scored {
        let (pred, m) = fit.evaluate(&runs)?;
        (pred, Some(m))
    } else {
        (fit.predict(&runs)?, None)
    };
    Ok(Predictions {
        fit,
        runs,
        pred,
        metrics,
    })
}

/// Runs `mixlaw predict`.
pub fn run(a: &PredictArgs, out: &mut Output<'_, '_>) -> Result<(), Error> {
    let saved = params::read_json(&a.params)?;
    if params::is_capacity(&saved) {
        return super::capacity::predict(&saved, a, out);
    }
    let Predictions { pred, metrics, .. } = predictions(&saved, a, out)?;
    if out.json() {
        let mut j = obj([("predictions", nums(&pred))]);
        if let Some(m) = &metrics {
            push(&mut j, "metrics", super::fit::metrics_json(m, &pred));
        }
        return out.object(j);
    }
    if let Some(m) = &metrics {
        out.note(&format!(
            "MRE {:.3} %  RMSE {:.5}  Spearman {}  Kendall {}  ({} runs)",
            m.mre,
            m.rmse,
            super::fit::fmt_r2(m.spearman),
            super::fit::fmt_r2(m.kendall),
            m.rows
        ));
    }
    for p in pred {
        out.line(&format!("{p}"))?;
    }
    Ok(())
}
