//! `reproduce shukor-optimum`: optimal mixtures beside Shukor et al. 2025 Table 15.

use mixlaw_validate::run;

use super::{data_dir, ours};

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "heavy: runs in release, cargo test --release -p mixlaw-validate"
)]
fn optimal_mixtures_match_table_15() {
    let Some(dir) = data_dir("shukor-optimum") else {
        return;
    };
    let report = run("shukor-optimum", &dir, false).unwrap();
    let rows = &report.rows;
    let published = [9.6, 9.5, 25.1, 8.0, 12.1, 17.9, 17.0];
    let domains = mixlaw_validate::data::shukor::DOMAINS;
    let mut total = 0.0;
    for (d, p) in domains.iter().zip(published) {
        let h = ours(rows, &format!("h_avg_{d}_pct"));
        total += h;
        // Table 15 prints one decimal from the authors' own fits; ours come from the
        // released runs, whose size labels differ (data README): within 2 points.
        assert!(
            (h - p).abs() <= 2.0,
            "h_avg {d}: ours {h:.2} % vs published {p} %"
        );
    }
    assert!((total - 100.0).abs() < 1e-6);
    assert!(ours(rows, "h_avg_js_distance_to_published") < 0.03);
    // The paper: "the law predicted a weight of 0 for wikipedia" for OpenHermes.
    assert!(ours(rows, "h_oh_wikipedia_pct") < 0.5);
    // Both solves converged to the gap, and our optimum is at least as good as the
    // published mixture under our laws.
    assert!(ours(rows, "h_avg_gap") <= 1e-10 && ours(rows, "h_oh_gap") <= 1e-10);
    assert!(ours(rows, "mean_loss_at_our_h_avg") <= ours(rows, "mean_loss_at_published_h_avg"));
    assert!(ours(rows, "mean_loss_at_our_h_avg") < ours(rows, "mean_loss_at_uniform"));
    assert!(
        ours(rows, "openhermes_loss_at_our_h_oh")
            <= ours(rows, "openhermes_loss_at_published_h_oh")
    );
}

/// `reproduce autoscale`: every figure (DDO optimum, next-scale and midpoint tokens,
/// totals) within 1e-4 (relative for totals) of the notebooks' numbers quoted in
/// `spec/laws-extra.md`.
#[test]
fn autoscale_matches_the_notebooks() {
    let report = run("autoscale", std::path::Path::new("."), false).unwrap();
    let figures: Vec<_> = report
        .rows
        .iter()
        .filter(|r| r.get("metric").and_then(|m| m.as_str()) != Some("seconds"))
        .collect();
    assert!(figures.len() >= 21, "{} figures", figures.len());
    for r in figures {
        let metric = r.get("metric").and_then(|m| m.as_str()).unwrap();
        let ours = r.get("ours").and_then(|v| v.as_f64()).unwrap();
        let published = r.get("published").and_then(|v| v.as_f64()).unwrap();
        let tolerance = if metric.contains("total") {
            1e-4 * published.abs()
        } else {
            1e-4
        };
        assert!(
            (ours - published).abs() <= tolerance,
            "{metric}: ours {ours} vs published {published}"
        );
    }
}
