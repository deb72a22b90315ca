//! `mixlaw fit|predict|optimize` with the capacity laws: joint fits on k loss columns.

mod common;

use common::{run, temp};
use mixlaw_cli::Json;
use mixlaw_core::capacity::{CapacityLaw, Head};
use mixlaw_core::{LawExt, Point, Scales};

/// 30 runs of 3 domains drawn from a known eq 3 law (N = 1e8 or 3e8, D = 1e9 or 4e9); one
/// run has h_2 = 0 and one loss cell is empty.
fn runs_csv() -> String {
    let law = CapacityLaw::eq3(3, Head::Fitted).unwrap();
    let truth = [
        0.3, 0.5, 0.4, 2.0, 4.0, 3.0, 1.0, 2.0, 1.5, 0.3, 0.4, 0.5, 1.5, 1.0, 2.0, 0.5,
    ];
    let scales = Scales { n: 1e8, d: 1e9 };
    let mut s = String::from("h_a,h_b,h_c,params,tokens,loss_a,loss_b,loss_c\n");
    for r in 0..30 {
        let x = (r as f64 * 0.618).fract();
        let y = (r as f64 * 0.414).fract();
        let raw = [
            0.1 + x,
            0.1 + y,
            if r == 7 { 0.0 } else { 0.1 + (1.0 - x) * y },
        ];
        let sum: f64 = raw.iter().sum();
        let h = raw.map(|v| v / sum);
        let (n, d) = (
            if r % 2 == 0 { 1e8 } else { 3e8 },
            if r % 3 == 0 { 1e9 } else { 4e9 },
        );
        let mut l = [0.0; 3];
        law.values(&truth, &Point::new(&h, n, d).unwrap(), scales, &mut l)
            .unwrap();
        let cell = |j: usize| {
            if (r == 7 && j == 2) || (r == 11 && j == 0) {
                String::new()
            } else {
                format!("{}", l[j])
            }
        };
        s += &format!(
            "{},{},{},{n},{d},{},{},{}\n",
            h[0],
            h[1],
            h[2],
            cell(0),
            cell(1),
            cell(2)
        );
    }
    s
}

const COLS: [&str; 8] = [
    "--weights",
    "h_a,h_b,h_c",
    "--loss",
    "loss_a,loss_b,loss_c",
    "--n",
    "params",
    "--d",
    "tokens",
];

#[test]
fn fit_predict_optimize_a_capacity_law() {
    let train = temp("runs.csv", &runs_csv());
    let params = temp("cap.json", "");
    let mut args = vec![
        "fit",
        "--law",
        "capacity-eq3",
        "--train",
        &train,
        "--eval",
        &train,
        "--out",
        &params,
        "--json",
        "--quiet",
    ];
    args.extend(COLS);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let j = mixlaw_validate::json::parse(&out).unwrap();
    assert_eq!(j.get("law").and_then(Json::as_str), Some("capacity-eq3"));
    let train_m = j.get("train").unwrap();
    // 90 entries, minus the empty cell and the h_c = 0 entry (eq 3 masks it).
    assert_eq!(train_m.get("entries").and_then(Json::as_f64), Some(88.0));
    let mre = train_m.get("mre").and_then(Json::as_f64).unwrap();
    assert!(mre < 0.5, "a law fitted to its own runs: MRE {mre} %");
    assert!(j.get("params").unwrap().get("H").is_some() && j.get("eval").is_some());
    assert!(!out.contains("NaN") && !out.contains("inf"));

    let (code, out, err) = run(&[
        "predict",
        "--params",
        &params,
        "--csv",
        &train,
        "--weights",
        "h_a,h_b,h_c",
        "--n",
        "params",
        "--d",
        "tokens",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let Json::Array(rows) = mixlaw_validate::json::parse(&out)
        .unwrap()
        .get("predictions")
        .cloned()
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(rows.len(), 30);
    // The h_c = 0 entry has no finite eq 3 loss: null, never NaN or inf.
    let Json::Array(r7) = &rows[7] else { panic!() };
    assert_eq!(r7[2], Json::Null);

    let (code, out, err) = run(&[
        "optimize", "--params", &params, "--n", "1e9", "--d", "2e10", "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let j = mixlaw_validate::json::parse(&out).unwrap();
    let Some(Json::Array(h)) = j.get("h") else {
        panic!()
    };
    let h: Vec<f64> = h.iter().map(|v| v.as_f64().unwrap()).collect();
    assert!(
        (h.iter().sum::<f64>() - 1.0).abs() < 1e-9 && h.iter().all(|&v| v >= 1e-4 - 1e-12),
        "{h:?}"
    );
    assert!(j.get("gap").and_then(Json::as_f64).unwrap() <= 1e-8);
    // Names travel: the saved domains name h*, and the training support gives the
    // extrapolation report.
    let weights = j.get("weights").unwrap();
    assert!(["h_a", "h_b", "h_c"]
        .iter()
        .all(|n| weights.get(*n).and_then(Json::as_f64).is_some()));
    assert!(j
        .get("extrapolation")
        .unwrap()
        .get("outside_hull")
        .is_some());
    let saved = mixlaw_validate::json::parse(&std::fs::read_to_string(&params).unwrap()).unwrap();
    let max_weight: Vec<f64> = match saved.get("train_support").unwrap().get("max_weight") {
        Some(Json::Array(m)) => m.iter().map(|v| v.as_f64().unwrap()).collect(),
        _ => panic!("no train_support.max_weight"),
    };
    let optimum = |extra: &[&str]| -> (Vec<f64>, Json) {
        let mut args = vec![
            "optimize", "--params", &params, "--n", "1e9", "--d", "2e10", "--json", "--quiet",
        ];
        args.extend(extra);
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{extra:?}: {err}");
        let j = mixlaw_validate::json::parse(&out).unwrap();
        let Some(Json::Array(h)) = j.get("h") else {
            panic!("{out}")
        };
        (h.iter().map(|v| v.as_f64().unwrap()).collect(), j)
    };
    // The decision flags of the generic optimize work for a capacity law.
    let (h, _) = optimum(&["--trust", "1"]);
    assert!(
        h.iter().zip(&max_weight).all(|(v, m)| *v <= m + 1e-9),
        "{h:?} {max_weight:?}"
    );
    let (h, j) = optimum(&["--kl", "1e4", "--prior", "uniform"]);
    assert!(h.iter().all(|v| (v - 1.0 / 3.0).abs() < 1e-2), "{h:?}");
    assert!(j.get("penalized_objective").is_some());
    let (h, _) = optimum(&["--min-weights", "h_c=0.5"]);
    assert!(h[2] >= 0.5 - 1e-12, "{h:?}");
    let (h, _) = optimum(&["--available", "h_a=1e9", "--target-tokens", "1e10"]);
    assert!(h[0] <= 0.1 + 1e-12, "{h:?}");
    // One weight per target loss: all on domain a's loss moves weight to domain a.
    let (only_a, _) = optimum(&["--target-weights", "1,0,0"]);
    let (only_c, _) = optimum(&["--target-weights", "0,0,1"]);
    assert!(
        only_a[0] > only_c[0] && only_c[2] > only_a[2],
        "{only_a:?} {only_c:?}"
    );
    let (code, _, err) = run(&[
        "optimize",
        "--params",
        &params,
        "--n",
        "1e9",
        "--d",
        "2e10",
        "--target-weights",
        "1,1",
    ]);
    assert_eq!(code, 2, "{err}");
}

/// Bootstrap refits serve a capacity law like any other (resampling runs, each with its k
/// entries and their masks).
#[test]
fn capacity_fit_bootstraps() {
    let train = temp("runs3.csv", &runs_csv());
    let mut args = vec![
        "fit",
        "--law",
        "capacity-eq3",
        "--train",
        &train,
        "--bootstrap",
        "4",
        "--starts",
        "8",
        "--json",
        "--quiet",
    ];
    args.extend(COLS);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let j = mixlaw_validate::json::parse(&out).unwrap();
    let b = j.get("bootstrap").unwrap();
    assert_eq!(b.get("resamples").and_then(Json::as_f64), Some(4.0));
    let se = b.get("se").and_then(|s| s.get("H")).and_then(Json::as_f64);
    assert!(se.is_some_and(|v| v.is_finite() && v >= 0.0), "{b}");
}

/// `select` ranks the capacity laws on the entries both can fit (the h_c = 0 entry and the
/// empty cells masked for both).
#[test]
fn select_ranks_capacity_laws() {
    let train = temp("runs4.csv", &runs_csv());
    let mut args = vec![
        "select",
        "--train",
        &train,
        "--laws",
        "capacity-eq3,capacity-eq1",
        "--folds",
        "3",
        "--starts",
        "8",
        "--json",
        "--quiet",
    ];
    args.extend(COLS);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let j = mixlaw_validate::json::parse(&out).unwrap();
    let Some(Json::Array(ranking)) = j.get("ranking") else {
        panic!("{out}")
    };
    let first = &ranking[0];
    // The runs come from an eq 3 law: it ranks first, and extrapolates to held-out runs.
    assert_eq!(
        first.get("law").and_then(Json::as_str),
        Some("capacity-eq3")
    );
    let mre = first.get("cv_mre").and_then(Json::as_f64).unwrap();
    assert!(mre < 1.0, "cv MRE {mre} %");
}

#[test]
fn capacity_usage_errors_exit_2() {
    let train = temp("runs2.csv", &runs_csv());
    for (extra, why) in [
        (
            vec!["--loss", "loss_a,loss_b"],
            "one loss column per domain",
        ),
        (vec!["--n", "nope"], "unknown column"),
        (
            vec!["--weights", "h_a,h_b,params"],
            "weights off the simplex",
        ),
    ] {
        let mut args = vec!["fit", "--law", "capacity-eq3", "--train", &train, "--quiet"];
        args.extend(COLS);
        args.extend(extra);
        let (code, _, err) = run(&args);
        assert_eq!(code, 2, "{why}: {err}");
        assert!(
            err.starts_with("error:") && err.lines().count() == 1,
            "{why}: {err}"
        );
    }
    let mut args = vec!["fit", "--law", "capacity-eq3", "--train", &train, "--quiet"];
    args.extend(&COLS[..6]); // no --d
    let (code, _, err) = run(&args);
    assert_eq!(code, 2, "{err}");
}

/// `select` fits a capacity law as `fit` does (inside its recommended bounds, found on the
/// fold's training runs): leaving the largest N out, its held-out MRE equals that of
/// `fit` on the smaller runs scored by `--eval` on the largest, for both laws.
#[test]
fn select_fits_capacity_laws_as_fit_does() {
    let all = runs_csv();
    let mut lines = all.lines();
    let header = lines.next().unwrap();
    let (mut small, mut large) = (format!("{header}\n"), format!("{header}\n"));
    for line in lines {
        let n: f64 = line.split(',').nth(3).unwrap().parse().unwrap();
        if n >= 3e8 {
            large += &format!("{line}\n");
        } else {
            small += &format!("{line}\n");
        }
    }
    let all = temp("select_as_fit_all.csv", &all);
    let small = temp("select_as_fit_small.csv", &small);
    let large = temp("select_as_fit_large.csv", &large);
    let search = ["--starts", "4", "--hops", "1", "--json", "--quiet"];
    for law in ["capacity-eq1", "capacity-eq3"] {
        let mut args = vec!["select", "--train", &all, "--laws", law, "--leave-out"];
        args.extend(["largest-n"]);
        args.extend(search);
        args.extend(COLS);
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{err}");
        let j = mixlaw_validate::json::parse(&out).unwrap();
        let held_out = j
            .get("ranking")
            .and_then(|r| r.get(0))
            .and_then(|s| s.get("fold_mre"))
            .and_then(|f| f.get(0))
            .and_then(Json::as_f64)
            .unwrap_or_else(|| panic!("{out}"));

        let mut args = vec!["fit", "--law", law, "--train", &small, "--eval", &large];
        args.extend(search);
        args.extend(COLS);
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{err}");
        let j = mixlaw_validate::json::parse(&out).unwrap();
        let eval = j
            .get("eval")
            .and_then(|e| e.get("mre"))
            .and_then(Json::as_f64)
            .unwrap_or_else(|| panic!("{out}"));
        assert!(
            (held_out - eval).abs() <= 1e-9 * eval.abs(),
            "{law}: select's held-out MRE {held_out} %, fit's {eval} %"
        );
    }
}
