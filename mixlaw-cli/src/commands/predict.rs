//! `mixlaw predict`: the predictions of a saved fit (capacity laws: `commands::capacity`).

use std::format;

use mixlaw_core::Law;
use mixlaw_validate::data::{self, Columns};
use mixlaw_validate::json::{nums, obj};

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
    let fit = params::from_json(&saved, &a.params)?;
    let cols = columns(&a.columns)?;
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
    if a.columns.loss.is_some() {
        out.warn("--loss is not used by predict");
    }
    let loaded = data::load(&data::read(&a.csv)?, &cols, false)?;
    let runs = for_law(loaded.runs, &fit.law);
    let pred = fit.predict(&runs)?;
    if out.json() {
        return out.object(obj([("predictions", nums(&pred))]));
    }
    for p in pred {
        out.line(&format!("{p}"))?;
    }
    Ok(())
}
