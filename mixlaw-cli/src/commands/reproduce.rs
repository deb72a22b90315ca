//! `mixlaw reproduce NAME`: a published validation experiment of `mixlaw-validate` on the
//! real data, ours beside the published figure.

use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

use mixlaw_validate::json::Json;
use mixlaw_validate::{data, names};

use crate::cli::ReproduceArgs;
use crate::output::Output;
use crate::Error;

/// Runs `mixlaw reproduce`.
pub fn run(a: &ReproduceArgs, out: &mut Output<'_, '_>) -> Result<(), Error> {
    let name = a.name.as_deref().ok_or_else(|| {
        Error::input(format!(
            "reproduce NAME: one of {}",
            names().collect::<Vec<_>>().join(", ")
        ))
    })?;
    let dir = data::dir(a.data.as_deref());
    if !dir.is_dir() {
        return Err(Error::input(format!(
            "data folder {} not found (pass --data DIR or set {})",
            dir.display(),
            data::ENV
        )));
    }
    let report = mixlaw_validate::run(name, &dir, !out.quiet())?;
    if out.json() {
        return out.object(report.to_json());
    }
    out.line(&format!(
        "{}: ours beside the published figure",
        report.experiment
    ))?;
    out.line(&format!(
        "{:<44} {:>14} {:>14}",
        "metric", "ours", "published"
    ))?;
    for row in &report.rows {
        let metric = row.get("metric").and_then(Json::as_str).unwrap_or("?");
        let num = |k: &str| {
            row.get(k)
                .and_then(Json::as_f64)
                .map_or("-".to_string(), |v| format!("{v:.6}"))
        };
        let extra: Vec<String> = match row {
            Json::Object(pairs) => pairs
                .iter()
                .filter(|(k, _)| !["metric", "ours", "published"].contains(&k.as_str()))
                .map(|(k, v)| format!("{k}={v}"))
                .collect(),
            _ => Vec::new(),
        };
        out.line(&format!(
            "{metric:<44} {:>14} {:>14}  {}",
            num("ours"),
            num("published"),
            extra.join(" ")
        ))?;
    }
    Ok(())
}
