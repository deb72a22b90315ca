//! The result of an experiment: rows of `{"metric", "ours", "published", ...}`, and the
//! helpers that build a row's extra pairs.

use std::string::{String, ToString};
use std::vec::Vec;

use crate::json::{obj, Json};

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
        let mut pairs: Vec<(String, Json)> = std::vec![
            ("metric".into(), Json::from(metric)),
            ("ours".into(), Json::from(ours)),
            ("published".into(), published.map_or(Json::Null, Json::from)),
        ];
        pairs.extend(extra);
        self.rows.push(obj(pairs));
    }
    /// The closing row `seconds`: the wall time since `started`.
    pub fn seconds(&mut self, started: std::time::Instant) {
        self.row("seconds", started.elapsed().as_secs_f64(), None, Vec::new());
    }
    /// The row of `metric`, if any.
    pub fn find(&self, metric: &str) -> Option<&Json> {
        self.rows
            .iter()
            .find(|r| r.get("metric").and_then(Json::as_str) == Some(metric))
    }
    /// The number `key` of the row of `metric`, if both exist.
    pub fn value(&self, metric: &str, key: &str) -> Option<f64> {
        self.find(metric)?.get(key)?.as_f64()
    }
    /// The JSON object of the contract: `{"experiment", "rows"}`.
    pub fn to_json(&self) -> Json {
        obj([
            ("experiment", Json::from(self.experiment.clone())),
            ("rows", Json::Array(self.rows.clone())),
        ])
    }
}

/// Whether `ours` is no worse (no higher) than a reference known only as `printed` to
/// `decimals` places: `ours` rounded to those places is at most `printed`, i.e. `ours <
/// printed + 0.5 10^-decimals`. A reference rounded to 0.779 can be anything in [0.7785,
/// 0.7795), so 0.77907 is not worse than it.
pub fn no_worse_than_printed(ours: f64, printed: f64, decimals: i32) -> bool {
    ours < printed + 0.5 * 10f64.powi(-decimals)
}

/// `("pass", ok)` for a report row.
pub fn pass(ok: bool) -> (String, Json) {
    ("pass".to_string(), Json::Bool(ok))
}

/// `(key, number)` for a report row.
pub fn num(key: &str, v: f64) -> (String, Json) {
    (key.to_string(), Json::from(v))
}

/// `(key, count)` for a report row: a count prints as a JSON integer.
pub fn count(key: &str, n: u64) -> (String, Json) {
    (key.to_string(), Json::from(n))
}

/// `(key, string)` for a report row.
pub fn note(key: &str, s: &str) -> (String, Json) {
    (key.to_string(), Json::from(s))
}

#[cfg(test)]
mod tests {
    use super::no_worse_than_printed;

    #[test]
    fn printed_reference_is_compared_at_its_precision() {
        // 0.779 stands for [0.7785, 0.7795): anything that prints as 0.779 or lower passes.
        assert!(no_worse_than_printed(0.77907, 0.779, 3));
        assert!(no_worse_than_printed(0.7785, 0.779, 3));
        assert!(no_worse_than_printed(0.5, 0.779, 3));
        assert!(!no_worse_than_printed(0.7795, 0.779, 3));
        assert!(!no_worse_than_printed(0.78, 0.779, 3));
        assert!(!no_worse_than_printed(f64::NAN, 0.779, 3));
        assert!(no_worse_than_printed(2.52849, 2.528, 3));
        assert!(!no_worse_than_printed(2.5286, 2.528, 3));
    }
}
