//! `mixlaw reproduce NAME`: published validation experiments on the real data, ours beside
//! the published figures (`spec/validation.md`).

pub mod capacity;
pub mod epoch_bootstrap;
pub mod epoch_chinchilla;
pub mod infolaw_repetition;
pub mod infolaw_table6;
pub mod muennighoff;
pub mod scalefit_chinchilla;
pub mod shukor_optimum;
pub mod shukor_select;
pub mod shukor_table8;
pub mod sldbench_mixture;
pub mod vpnls;
pub mod ye_mixing;

use std::format;
use std::path::Path;
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

/// The data folder for tests and defaults: `$MIXLAW_DATA`, else `../shared/data` beside
/// the workspace; `None` (with a notice on stderr naming `what`) when it is absent.
pub fn data_dir(what: &str) -> Option<std::path::PathBuf> {
    let dir = match std::env::var_os("MIXLAW_DATA") {
        Some(d) => std::path::PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        std::eprintln!(
            "SKIPPED {what}: data folder {} not found (set MIXLAW_DATA)",
            dir.display()
        );
        None
    }
}

/// One experiment's runner.
type Runner = fn(&Path, bool) -> Result<Report, CliError>;

/// Every experiment, in a stable order: one `(name, module::run)` line per experiment.
const RUNNERS: &[(&str, Runner)] = &[
    ("capacity-demo", capacity::run_demo),
    ("capacity-pile4", capacity::run_pile4),
    ("capacity-table2", capacity::run_table2),
    ("epoch-chinchilla", epoch_chinchilla::run),
    ("epoch-bootstrap", epoch_bootstrap::run),
    ("scalefit-chinchilla", scalefit_chinchilla::run),
    ("vpnls", vpnls::run),
    ("muennighoff", muennighoff::run),
    ("infolaw-table6", infolaw_table6::run),
    ("infolaw-repetition", infolaw_repetition::run),
    ("shukor-optimum", shukor_optimum::run),
    ("shukor-table8", shukor_table8::run),
    ("shukor-select", shukor_select::run),
    ("sldbench-mixture", sldbench_mixture::run),
    ("ye-mixing", ye_mixing::run),
];

/// Names of the experiments [`run`] knows, in a stable order.
pub fn experiments() -> impl Iterator<Item = &'static str> {
    RUNNERS.iter().map(|(n, _)| *n)
}

/// Runs experiment `name` on the data under `data` (the `shared/data` folder); with
/// `progress`, progress lines go to stderr.
pub fn run(name: &str, data: &Path, progress: bool) -> Result<Report, CliError> {
    match RUNNERS.iter().find(|(n, _)| *n == name) {
        Some((_, runner)) => runner(data, progress),
        None => Err(CliError::input(format!(
            "unknown experiment '{name}' (known: {})",
            experiments().collect::<Vec<_>>().join(", ")
        ))),
    }
}
