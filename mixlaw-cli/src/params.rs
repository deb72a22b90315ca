//! The saved form of a fit: the params JSON that `fit --out` writes and `predict`,
//! `optimize` and `optimize --bootstrap-params` read, through the library's
//! [`mixlaw_fit::saved::SavedFit`] (the program adds only file I/O and its error type).

use std::format;
use std::path::Path;
use std::string::ToString;

use mixlaw_core::AnyLaw;
use mixlaw_fit::owned::Fit;
use mixlaw_fit::saved::SavedFit;
use mixlaw_validate::json::{self, Json};

use crate::Error;

/// The params JSON of `fit` (see [`SavedFit::to_json`]).
pub fn to_json(fit: &Fit<AnyLaw>) -> Json {
    json::parse(&SavedFit::new(fit).to_json()).unwrap_or(Json::Null)
}

/// Reads a params file as JSON (its `law` decides which command path serves it).
pub fn read_json(path: &Path) -> Result<Json, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::input(format!("cannot read {}: {e}", path.display())))?;
    json::parse(&text).map_err(|e| Error::input(format!("{}: {e}", path.display())))
}

/// Reads a saved fit.
pub fn load(path: &Path) -> Result<Fit<AnyLaw>, Error> {
    from_json(&read_json(path)?, path)
}

/// A saved fit from its JSON (`path` names it in errors).
pub fn from_json(j: &Json, path: &Path) -> Result<Fit<AnyLaw>, Error> {
    SavedFit::from_json(&j.to_string())
        .map(|s| s.to_fit())
        .map_err(|e| Error::input(format!("{}: {e}", path.display())))
}

/// Whether a params JSON holds a capacity law (served by `commands::capacity`).
pub fn is_capacity(j: &Json) -> bool {
    j.get("law")
        .and_then(Json::as_str)
        .is_some_and(|n| mixlaw_core::capacity::NAMES.contains(&n))
}
