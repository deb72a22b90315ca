//! `mixlaw predict`: the predictions of a saved fit (capacity laws: `commands::capacity`).

use std::format;

use mixlaw_core::Law;
use mixlaw_validate::data::{self, Columns};
use mixlaw_validate::json::{nums, obj, push, Json};

use crate::cli::PredictArgs;
use crate::columns::{build_law, columns, for_law, warn_unused};
use crate::output::Output;
use crate::{params, Error};

/// Runs `mixlaw predict`.
pub fn run(a: &PredictArgs, out: &mut Output<'_, '_>) -> Result<(), Error> {
    let saved = params::read_json(&a.params)?;
    if params::is_capacity(&saved) {
        return super::capacity::predict(&saved, a, out);
    }
    let saved = params::from_json(&saved, &a.params)?;
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
        let (pred, m) = fit.evaluate(&runs)?;
        (pred, Some(m))
    } else {
        (fit.predict(&runs)?, None)
    };
    if out.json() {
        let mut j = obj([("predictions", nums(&pred))]);
        if let Some(m) = &metrics {
            push(&mut j, "metrics", super::fit::metrics_json(m, &pred));
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
