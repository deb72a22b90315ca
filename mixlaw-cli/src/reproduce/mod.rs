//! `mixlaw reproduce NAME`: published validation experiments on the real data, ours beside
//! the published figures (`spec/validation.md`).

use std::path::Path;
use std::format;
use std::string::String;
use std::vec::Vec;

use crate::error::CliError;
use crate::json::Json;

/// The result of one experiment: rows of `{"metric", "ours", "published", ...}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Experiment name.
    pub experiment: String,
    /// One JSON object per figure, each with at least `metric`, `ours`, `published`
    /// (`published` is `null` where the source gives none).
    pub rows: Vec<Json>,
}

impl Report {
    /// An empty report for `experiment`.
    pub fn new(experiment: &str) -> Self {
        Report {
            experiment: experiment.into(),
            rows: Vec::new(),
        }
    }
    /// Adds a row; `extra` pairs follow the three standard keys.
    pub fn row(
        &mut self,
        metric: &str,
        ours: f64,
        published: Option<f64>,
        extra: Vec<(String, Json)>,
    ) {
        let mut pairs: Vec<(String, Json)> = vec![
            ("metric".into(), Json::str(metric)),
            ("ours".into(), Json::Num(ours)),
            ("published".into(), published.map_or(Json::Null, Json::Num)),
        ];
        pairs.extend(extra);
        self.rows.push(Json::Obj(pairs));
    }
    /// The JSON object of the contract.
    pub fn to_json(&self) -> Json {
        Json::obj([
            ("experiment", Json::str(self.experiment.clone())),
            ("rows", Json::Arr(self.rows.clone())),
        ])
    }
}

/// Names of the experiments `run` knows, in a stable order.
pub const EXPERIMENTS: &[&str] = &[];

/// Runs experiment `name` on the data under `data` (the `shared/data` folder).
pub fn run(name: &str, data: &Path, progress: bool) -> Result<Report, CliError> {
    let _ = (data, progress);
    Err(CliError::input(format!(
        "unknown experiment '{name}' (known: {})",
        EXPERIMENTS.join(", ")
    )))
}
