//! The saved form of a fit: the params JSON that `fit --out` writes and `predict`,
//! `optimize` and `optimize --bootstrap-params` read, through the library's
//! [`mixlaw_fit::saved::SavedFit`] (the program adds only file I/O and its error type).

use std::format;
use std::path::Path;
use std::string::ToString;

use std::string::String;
use std::vec::Vec;

use mixlaw_core::{AnyLaw, Law};
use mixlaw_fit::owned::{Fit, Runs};
use mixlaw_fit::saved::{SavedFit, TrainSupport};
use mixlaw_validate::data::{Columns, Table};
use mixlaw_validate::json::{self, Json};

use crate::Error;

/// The params JSON of a saved fit (see [`SavedFit::to_json`]).
pub fn to_json(saved: &SavedFit) -> Json {
    json::parse(&saved.to_json()).unwrap_or(Json::Null)
}

/// What `fit --out` saves of a fit on `runs` (as used: normalised when asked) read through
/// `cols`: the `--weights` names as the domains (laws of the mixture), the columns used,
/// and the training support.
pub fn saved(fit: &Fit<AnyLaw>, cols: &Columns, runs: &Runs) -> SavedFit {
    let mut s = SavedFit::new(fit);
    let inputs = fit.law.inputs();
    if inputs.h && cols.weights.len() == fit.law.domains() {
        s.domain_names = Some(cols.weights.clone());
        s.train_support = Some(TrainSupport::of(runs.k, &runs.h));
    }
    for (role, col, used) in [
        ("loss", &cols.loss, true),
        ("n", &cols.n, inputs.n),
        ("d", &cols.d, inputs.d),
        ("unique", &cols.unique, inputs.u),
    ] {
        if let (Some(c), true) = (col, used) {
            s.columns.push((role.to_string(), c.clone()));
        }
    }
    s
}

/// The weight columns to read for a saved fit: its saved domain names when `given` is
/// empty; `given` matched to them by name as a set (in the saved order, so the order of
/// `--weights` does not matter); `given` as is for a fit saved without names (positional).
pub fn weight_columns(saved: &SavedFit, given: &[String]) -> Result<Vec<String>, Error> {
    let Some(names) = &saved.domain_names else {
        return Ok(given.to_vec());
    };
    if given.is_empty() {
        return Ok(names.clone());
    }
    if let Some(extra) = given.iter().find(|g| !names.contains(g)) {
        return Err(Error::input(format!(
            "--weights: '{extra}' is not a domain of the saved fit (domains: {})",
            names.join(",")
        )));
    }
    if let Some(missing) = names.iter().find(|n| !given.contains(n)) {
        return Err(Error::input(format!(
            "--weights: the saved domain '{missing}' is missing"
        )));
    }
    if given.len() != names.len() {
        return Err(Error::input("--weights: a column is named twice"));
    }
    Ok(names.clone())
}

/// `cols` with the saved fit's `columns` in place of the column flags left out: `--n`,
/// `--d` and `--unique` always, `--loss` when `table` holds that column with at least one
/// observation in each (a capacity law's saved loss is its k columns, comma-separated;
/// a file of runs to predict need not have observations; when it has, it is
/// read as with `--loss`: the rows with a loss are scored, those without skipped).
pub fn with_saved_columns(saved: &SavedFit, mut cols: Columns, table: &Table) -> Columns {
    let observed = |col: &str| {
        table.column(col).is_ok_and(|c| {
            table.rows.iter().any(|r| {
                r.get(c)
                    .map(|v| v.trim())
                    .is_some_and(|v| !v.is_empty() && !v.eq_ignore_ascii_case("nan"))
            })
        })
    };
    for (role, col) in &saved.columns {
        let slot = match role.as_str() {
            "n" => &mut cols.n,
            "d" => &mut cols.d,
            "unique" => &mut cols.unique,
            "loss" if col.split(',').all(|c| observed(c.trim())) => &mut cols.loss,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(col.clone());
        }
    }
    cols
}

/// Reads a params file as JSON.
pub fn read_json(path: &Path) -> Result<Json, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::input(format!("cannot read {}: {e}", path.display())))?;
    json::parse(&text).map_err(|e| Error::input(format!("{}: {e}", path.display())))
}

/// Reads a saved fit.
pub fn load(path: &Path) -> Result<SavedFit, Error> {
    from_json(&read_json(path)?, path)
}

/// A saved fit from its JSON (`path` names it in errors).
pub fn from_json(j: &Json, path: &Path) -> Result<SavedFit, Error> {
    SavedFit::from_json(&j.to_string())
        .map_err(|e| Error::input(format!("{}: {e}", path.display())))
}
