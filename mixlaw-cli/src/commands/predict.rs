//! `mixlaw predict`: the predictions of a saved fit (one line per run; a law with several
//! outputs, the capacity laws, prints them comma-separated, and in JSON one array per run).

use std::format;
use std::string::String;
use std::vec::Vec;

use mixlaw_core::Law;
use mixlaw_validate::data::{self, Columns};
use mixlaw_validate::json::{obj, push, Json};

use crate::cli::PredictArgs;
use crate::columns::{build_law, columns, for_law, unobserved, warn_unused, with_entry_weights};
use crate::output::Output;
use crate::{params, Error};

use super::fit::{fmt_r2, metrics_json, predictions_json};

/// Runs `mixlaw predict`.
pub fn run(a: &PredictArgs, out: &mut Output<'_, '_>) -> Result<(), Error> {
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
    let (pred, metrics) = if scored {
        let (pred, m) = fit.evaluate(&with_entry_weights(runs, &fit.law, 0.0)?)?;
        (pred, Some(m))
    } else {
        (fit.predict(&unobserved(runs, &fit.law))?, None)
    };
    let outputs = fit.law.outputs();
    if out.json() {
        let mut j = obj([("predictions", predictions_json(&pred, outputs))]);
        if let Some(m) = &metrics {
            push(&mut j, "metrics", metrics_json(m, &pred, outputs));
        }
        if scored {
            push(&mut j, "skipped_rows", Json::from(loaded.skipped));
        }
        if let Some(c) = &source.join {
            push(&mut j, "join", super::fit::join_json(c));
        }
        return out.object(j);
    }
    if let Some(c) = &source.join {
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
