//! Reproduction V4 of `spec/validation.md` (data-constrained law, Muennighoff et al. 2023)
//! on the real data (skipped with a notice when the data folder is absent).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use mixlaw_cli::reproduce::{self, Report};
use mixlaw_cli::Json;

fn ours(report: &Report, metric: &str) -> f64 {
    report
        .rows
        .iter()
        .find(|r| r.get("metric").and_then(Json::as_str) == Some(metric))
        .and_then(|r| r.get("ours"))
        .and_then(Json::as_f64)
        .unwrap_or_else(|| panic!("no row {metric} in {}", report.to_json().to_text()))
}

#[test]
fn v4_muennighoff() {
    let Some(dir) = reproduce::data_dir("muennighoff") else {
        return;
    };
    let r = reproduce::run("muennighoff", &dir, false).unwrap();
    std::eprintln!("{}", r.to_json().to_text());
    let objective = ours(&r, "objective_sum");
    assert!(objective <= 0.0158260, "objective {objective}");
    let at_published = ours(&r, "objective_at_published_R");
    assert!((at_published - 0.0158259).abs() <= 1e-7, "{at_published}");
    let r2 = ours(&r, "r2");
    assert!((r2 - 0.7722).abs() <= 1e-4, "R^2 {r2}");
    let r2_base = ours(&r, "r2_chinchilla_base");
    assert!((r2_base - 0.4452).abs() <= 1e-4, "R^2 base {r2_base}");
}
