//! `infolaw-table6`: the exact optimal recipes against Table 6 of arXiv:2605.02364. Needs
//! no data folder (the published numbers are in `mixlaw_info::paper`).

use std::path::Path;

use mixlaw_validate::{self as reproduce, Json, Report};

fn num(row: &Json, key: &str) -> f64 {
    row.get(key)
        .and_then(Json::as_f64)
        .unwrap_or_else(|| panic!("row without {key}: {}", row))
}

fn text<'a>(row: &'a Json, key: &str) -> &'a str {
    row.get(key)
        .and_then(Json::as_str)
        .unwrap_or_else(|| panic!("row without {key}: {}", row))
}

fn report() -> Report {
    reproduce::run("infolaw-table6", Path::new("."), false).unwrap()
}

/// Every 7B row: each bucket within 0.06 of the published weight, and at least the
/// information of the published recipe under the same constants and S.
#[test]
fn seven_b_rows_within_tolerance_and_carry_more_information() {
    let report = report();
    let rows: Vec<&Json> = report
        .rows
        .iter()
        .filter(|r| text(r, "metric") == "recipe_weight" && text(r, "size") == "7B")
        .collect();
    assert_eq!(rows.len(), 9 * 6);
    for r in rows {
        let (ours, published) = (num(r, "ours"), num(r, "published"));
        let (tokens, bucket) = (text(r, "tokens"), num(r, "bucket"));
        assert!(
            (ours - published).abs() <= 0.06,
            "7B {tokens} bucket {bucket}: ours {ours:.4} published {published:.4}"
        );
        let (info_ours, info_pub) = (num(r, "info_ours"), num(r, "info_published"));
        assert!(
            info_ours >= info_pub,
            "7B {tokens}: info {info_ours} < published {info_pub}"
        );
    }
}

/// Every setting: the exact optimum carries at least the information of the paper's
/// 100k-sample random search; recipes are non-increasing and sum to 1.
#[test]
fn every_setting_beats_random_search() {
    let report = report();
    assert_eq!(report.rows.len(), 27 * 6);
    for setting in report.rows.chunks(6) {
        let weights: Vec<f64> = setting.iter().map(|r| num(r, "ours")).collect();
        assert!(weights.windows(2).all(|p| p[0] >= p[1]), "{weights:?}");
        assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let r = &setting[0];
        assert!(num(r, "info_ours") >= num(r, "info_random_100k"));
    }
}
