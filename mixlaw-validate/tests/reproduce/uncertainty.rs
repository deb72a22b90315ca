//! Reproductions of issue 8 on the real data (skipped with a notice when the data folder is
//! absent): `epoch-bootstrap` and `shukor-select`, in reduced form so that `cargo test`
//! stays short. The full runs: `cargo run --release -p mixlaw-cli -- reproduce
//! epoch-bootstrap` (4000 resamples) and `... reproduce shukor-select` (12 laws, 7
//! domains), or `cargo test --release -p mixlaw-validate -- --ignored`.

use mixlaw_validate::experiments::{epoch_bootstrap, shukor_select};
use mixlaw_validate::{Json, Report};

use super::data_dir;
use mixlaw_fit::BasinConfig;

/// The rows with `metric` (and `domain`, when given).
fn rows<'a>(report: &'a Report, metric: &str, domain: Option<&str>) -> Vec<&'a Json> {
    report
        .rows
        .iter()
        .filter(|r| {
            r.get("metric").and_then(Json::as_str) == Some(metric)
                && domain.is_none_or(|d| r.get("domain").and_then(Json::as_str) == Some(d))
        })
        .collect()
}

fn field(row: &Json, key: &str) -> f64 {
    row.get(key).and_then(Json::as_f64).unwrap()
}

/// Epoch's SEs within 30 %, and warm-started refits as good as full searches.
fn check_epoch(report: &Report) {
    for (name, published) in epoch_bootstrap::PUBLISHED_SE {
        let r = rows(report, &format!("se_{name}"), None)[0];
        let se = field(r, "ours");
        println!("epoch-bootstrap SE {name}: {se:.5} (Epoch {published})");
        assert!(
            (se / published - 1.0).abs() <= epoch_bootstrap::TOLERANCE,
            "SE of {name}: {se} vs {published}"
        );
        assert!(field(r, "ci95_lo") < field(r, "ci95_hi"));
    }
    let warm = field(rows(report, "warm_vs_full_objective_rel", None)[0], "ours");
    assert!(
        warm <= 1e-6,
        "warm-started refits worse than full searches by {warm}"
    );
    assert_eq!(field(rows(report, "resamples", None)[0], "failed"), 0.0);
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "heavy: runs in release, cargo test --release -p mixlaw-validate"
)]
fn epoch_bootstrap_reduced() {
    let Some(dir) = data_dir("epoch-bootstrap") else {
        return;
    };
    // 1000 resamples: the resampling noise of an SE is about 1/sqrt(2 * 1000) = 2 %.
    let settings = epoch_bootstrap::Settings {
        resamples: 1000,
        checks: 2,
        ..epoch_bootstrap::Settings::default()
    };
    let report = epoch_bootstrap::run_with(&dir, false, &settings).unwrap();
    check_epoch(&report);
}

#[test]
#[ignore = "the full 4000-resample run; cargo test -- --ignored"]
fn epoch_bootstrap_full() {
    let Some(dir) = data_dir("epoch-bootstrap") else {
        return;
    };
    check_epoch(&epoch_bootstrap::run(&dir, false).unwrap());
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "heavy: runs in release, cargo test --release -p mixlaw-validate"
)]
fn shukor_select_reduced() {
    let Some(dir) = data_dir("shukor-select") else {
        return;
    };
    // Two domains, four laws, a light search: the mixture laws of N and D must beat the
    // law without N and D (which cannot extrapolate in model size) at 3B, and the additive
    // law stays within the scipy reference's 3B MRE (arxiv 3.19 %, wikipedia 5.26 %).
    let settings = shukor_select::Settings {
        laws: vec!["additive", "joint", "additive-nd", "chinchilla"],
        domains: vec!["arxiv", "wikipedia"],
        basin: BasinConfig {
            starts: 4,
            hops: 1,
            ..BasinConfig::default()
        },
        threads: 0,
    };
    let report = shukor_select::run_with(&dir, false, &settings).unwrap();
    println!("{}", report.to_json());
    for (domain, scipy) in [("arxiv", 3.19), ("wikipedia", 5.26)] {
        let mre = |law: &str| {
            field(
                rows(&report, &format!("{law}_3b_mre_pct"), Some(domain))[0],
                "ours",
            )
        };
        assert!(mre("additive") < mre("additive-nd"), "{domain}");
        assert!(mre("joint") < mre("additive-nd"), "{domain}");
        assert!(
            mre("additive") <= scipy + 0.1,
            "{domain}: additive {}",
            mre("additive")
        );
        let best = rows(&report, "best_law", Some(domain))[0];
        let Json::Array(ranking) = best.get("ranking").unwrap() else {
            panic!()
        };
        assert_eq!(ranking.len(), 4);
        assert_eq!(ranking.last().unwrap().as_str(), Some("additive-nd"));
    }
    assert_eq!(rows(&report, "joint_beats_additive_domains", None).len(), 1);
}

#[test]
#[ignore = "the full selection (12 laws x 7 domains); cargo test -- --ignored"]
fn shukor_select_full() {
    let Some(dir) = data_dir("shukor-select") else {
        return;
    };
    let report = shukor_select::run(&dir, false).unwrap();
    assert_eq!(rows(&report, "best_law", None).len(), 7);
    for law in shukor_select::LAWS {
        assert_eq!(
            rows(&report, &format!("{law}_3b_mre_pct"), None).len(),
            7,
            "{law}"
        );
    }
}
