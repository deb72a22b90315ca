//! The saved form of a fit: the params JSON that `fit --out` writes and `predict`,
//! `optimize` and `optimize --bootstrap-params` read.

use std::format;
use std::path::Path;
use std::string::ToString;
use std::vec;

use mixlaw_core::{AnyLaw, Law, Loss, Scales, MAX_DOMAINS};
use mixlaw_fit::owned::Fit;
use mixlaw_validate::json::{self, obj, Json};

use crate::Error;

/// The params JSON of `fit`: `law`, `domains`, `params` (name -> natural value), `n_scale`,
/// `d_scale`, `target_domain`, `objective`.
pub fn to_json(fit: &Fit<AnyLaw>) -> Json {
    obj([
        ("law", Json::from(fit.law.name())),
        ("domains", Json::from(fit.law.domains())),
        (
            "params",
            Json::Object(
                fit.named_params()
                    .into_iter()
                    .map(|(n, v)| (n, Json::from(v)))
                    .collect(),
            ),
        ),
        ("n_scale", Json::from(fit.scales.n)),
        ("d_scale", Json::from(fit.scales.d)),
        (
            "target_domain",
            fit.law.target().map_or(Json::Null, Json::from),
        ),
        ("objective", Json::from(fit.objective)),
    ])
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
    let bad = |what: &str| Error::input(format!("{}: {what}", path.display()));
    let name = j
        .get("law")
        .and_then(Json::as_str)
        .ok_or_else(|| bad("no \"law\""))?;
    let k = j.get("domains").and_then(Json::as_f64).unwrap_or(0.0);
    if !(k >= 0.0 && k <= MAX_DOMAINS as f64 && k.fract() == 0.0) {
        return Err(bad("\"domains\" must be a whole number of domains"));
    }
    let target = match j.get("target_domain").and_then(Json::as_f64) {
        Some(t) if t >= 0.0 && t.fract() == 0.0 => Some(t as usize),
        Some(_) => return Err(bad("\"target_domain\" must be a domain index")),
        None => None,
    };
    let law = AnyLaw::new(name, k as usize, target).map_err(|e| bad(&e.to_string()))?;
    let mut params = vec![0.0; law.num_params()];
    for (i, p) in params.iter_mut().enumerate() {
        let info = law.param_info(i).ok_or_else(|| bad("parameter layout"))?;
        let key = info.name.to_string();
        *p = j
            .get("params")
            .and_then(|o| o.get(&key))
            .and_then(Json::as_f64)
            .ok_or_else(|| bad(&format!("missing parameter \"{key}\"")))?;
    }
    law.check_params(&params).map_err(|e| bad(&e.to_string()))?;
    let scale = |key: &str| j.get(key).and_then(Json::as_f64).unwrap_or(1.0);
    let scales = Scales {
        n: scale("n_scale"),
        d: scale("d_scale"),
    };
    scales.check().map_err(|e| bad(&e.to_string()))?;
    let objective = j
        .get("objective")
        .and_then(Json::as_f64)
        .unwrap_or(f64::NAN);
    Ok(Fit {
        law,
        params,
        scales,
        loss: Loss::default(),
        objective,
        outcome: None,
    })
}

/// Whether a params JSON holds a capacity law (served by `commands::capacity`).
pub fn is_capacity(j: &Json) -> bool {
    j.get("law")
        .and_then(Json::as_str)
        .is_some_and(|n| mixlaw_core::capacity::NAMES.contains(&n))
}
