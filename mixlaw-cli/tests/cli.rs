//! The command-line contract of `spec/cli.md`, exercised in process: commands, JSON keys,
//! and bad input answered by one `error:` line and exit code 2 (never a panic or a NaN).

mod common;

use common::{demo_csv, run, temp, COLS};
use mixlaw_cli::Json;

fn fit_args<'a>(law: &'a str, train: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["fit", "--law", law, "--train", train];
    v.extend(COLS);
    v.push("--quiet");
    if !extra.contains(&"--starts") {
        v.extend(["--starts", "2", "--hops", "2"]);
    }
    v.extend(extra);
    v
}

/// `optimize` of a saved fit at N = 7e9, D = 1.5e11, at least 5 % per domain.
fn optimize_args<'a>(params: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "optimize",
        "--params",
        params,
        "--n",
        "7e9",
        "--d",
        "1.5e11",
        "--min-weight",
        "0.05",
    ];
    v.extend(extra);
    v
}

#[test]
fn laws_lists_every_law_with_counts() {
    let (code, out, _) = run(&["laws", "--domains", "7", "--json"]);
    assert_eq!(code, 0);
    let j = mixlaw_validate::json::parse(&out).unwrap();
    let Json::Array(laws) = j.get("laws").unwrap() else {
        panic!()
    };
    assert_eq!(laws.len(), mixlaw_core::laws::NAMES.len());
    let count = |name: &str| {
        laws.iter()
            .find(|l| l.get("name").unwrap().as_str() == Some(name))
            .unwrap()
            .get("params")
            .unwrap()
            .as_f64()
    };
    assert_eq!(count("joint"), Some(33.0));
    // laws.md: 3k + H and 5k + H.
    assert_eq!(count("capacity-eq1"), Some(22.0));
    assert_eq!(count("capacity-eq3"), Some(36.0));
    // laws-extra.md: autoscale 1 + 3k, dcpt and farseer 9, at k = 4.
    let (code, out, _) = run(&["laws", "--domains", "4", "--json"]);
    assert_eq!(code, 0);
    let j = mixlaw_validate::json::parse(&out).unwrap();
    let laws = j.get("laws").unwrap().as_array().unwrap();
    let entry = |name: &str| {
        let l = laws
            .iter()
            .find(|l| l.get("name").unwrap().as_str() == Some(name))
            .unwrap();
        let inputs = l.get("inputs").unwrap().as_array().unwrap();
        let inputs: Vec<&str> = inputs.iter().map(|i| i.as_str().unwrap()).collect();
        (l.get("params").unwrap().as_f64(), inputs.join(","))
    };
    assert_eq!(entry("autoscale"), (Some(13.0), "h,D".to_string()));
    assert_eq!(entry("dcpt"), (Some(9.0), "h,N,D".to_string()));
    assert_eq!(entry("farseer"), (Some(9.0), "N,D".to_string()));
}

#[test]
fn fit_predict_optimize_round_trip() {
    let (train, eval) = demo_csv();
    let (train, eval) = (temp("train.csv", &train), temp("eval.csv", &eval));
    let params = temp("p.json", "");
    let mut args = fit_args(
        "joint",
        &train,
        &["--eval", &eval, "--out", &params, "--json"],
    );
    args.extend(["--n-scale", "1e9", "--d-scale", "1e9"]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let j = mixlaw_validate::json::parse(&out).unwrap();
    for key in [
        "law",
        "params",
        "objective",
        "n_scale",
        "d_scale",
        "seconds",
        "train",
        "eval",
    ] {
        assert!(j.get(key).is_some(), "missing {key}");
    }
    assert!(j.get("params").unwrap().get("CA[2]").is_some());
    let train_m = j.get("train").unwrap();
    assert_eq!(train_m.get("rows").unwrap().as_f64(), Some(240.0));
    // The demo's noise is 0.2 %: a correct joint fit reaches about that.
    assert!(train_m.get("mre").unwrap().as_f64().unwrap() < 0.3);
    assert!(j.get("eval").unwrap().get("mre").unwrap().as_f64().unwrap() < 1.0);
    let Json::Array(preds) = j.get("eval").unwrap().get("predictions").unwrap() else {
        panic!()
    };
    assert_eq!(preds.len(), 20);

    let (code, out, err) = run(&[
        "predict",
        "--params",
        &params,
        "--csv",
        &eval,
        "--weights",
        "w0,w1,w2",
        "--n",
        "params",
        "--d",
        "tokens",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let p = mixlaw_validate::json::parse(&out).unwrap();
    assert_eq!(
        p.get("predictions"),
        j.get("eval").unwrap().get("predictions")
    );

    let (code, out, err) = run(&optimize_args(&params, &["--json"]));
    assert_eq!(code, 0, "{err}");
    let o = mixlaw_validate::json::parse(&out).unwrap();
    let Json::Array(h) = o.get("h").unwrap() else {
        panic!()
    };
    let h: Vec<f64> = h.iter().map(|v| v.as_f64().unwrap()).collect();
    assert!((h.iter().sum::<f64>() - 1.0).abs() < 1e-9 && h.iter().all(|&v| v >= 0.05 - 1e-12));
    assert!(o.get("gap").unwrap().as_f64().unwrap() <= 1e-10);
}

#[test]
fn accepted_variants_crlf_bom_normalize_nan_loss() {
    let (train, _) = demo_csv();
    let crlf = format!("\u{feff}{}", train.replace('\n', "\r\n"));
    let (code, _, err) = run(&fit_args("additive", &temp("crlf.csv", &crlf), &[]));
    assert_eq!(code, 0, "{err}");
    // Weights off by a factor, rescaled with --normalize.
    let mut lines: Vec<String> = train.lines().map(String::from).collect();
    lines[1] = lines[1].replacen("0.", "1.", 1);
    let skewed = lines.join("\n");
    let (code, _, err) = run(&fit_args("additive", &temp("skew.csv", &skewed), &[]));
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: row 1"), "{err}");
    let (code, _, err) = run(&fit_args(
        "additive",
        &temp("skew.csv", &skewed),
        &["--normalize"],
    ));
    assert_eq!(code, 0, "{err}");
    // A NaN loss is skipped and counted.
    let mut lines: Vec<String> = train.lines().map(String::from).collect();
    let last = lines[2].rfind(',').unwrap();
    lines[2].replace_range(last + 1.., "NaN");
    let (code, out, err) = run(&fit_args(
        "additive",
        &temp("nan.csv", &lines.join("\n")),
        &["--json"],
    ));
    assert_eq!(code, 0, "{err}");
    let j = mixlaw_validate::json::parse(&out).unwrap();
    assert_eq!(j.get("skipped_rows").unwrap().as_f64(), Some(1.0));
    assert_eq!(
        j.get("train").unwrap().get("rows").unwrap().as_f64(),
        Some(239.0)
    );
}

#[test]
fn bad_input_is_one_error_line_and_exit_2() {
    let header = "w0,w1,w2,params,tokens,loss\n";
    let good = "0.2,0.3,0.5,1e8,1e9,3.1\n0.3,0.3,0.4,2e8,2e9,3.0\n0.5,0.25,0.25,1e8,3e9,2.9\n";
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty file", String::new(), "empty"),
        ("header only", header.into(), "no data rows"),
        (
            "missing column",
            "w0,w1,params,tokens,loss\n0.5,0.5,1e8,1e9,3\n".into(),
            "no column 'w2'",
        ),
        (
            "NaN weight",
            format!("{header}NaN,0.5,0.5,1e8,1e9,3\n"),
            "row 1",
        ),
        (
            "inf weight",
            format!("{header}inf,0.5,0.5,1e8,1e9,3\n"),
            "row 1",
        ),
        (
            "negative weight",
            format!("{header}-0.5,0.5,1.0,1e8,1e9,3\n"),
            "row 1",
        ),
        (
            "weights not summing to 1",
            format!("{header}{good}0.5,0.5,0.5,1e8,1e9,3\n"),
            "row 4",
        ),
        ("zero N", format!("{header}0.2,0.3,0.5,0,1e9,3\n"), "row 1"),
        (
            "negative D",
            format!("{header}0.2,0.3,0.5,1e8,-1e9,3\n"),
            "row 1",
        ),
        (
            "text in a numeric cell",
            format!("{header}0.2,0.3,0.5,abc,1e9,3\n"),
            "'params'",
        ),
        (
            "short row",
            format!("{header}{good}0.2,0.3,0.5,1e8\n"),
            "line 5",
        ),
        (
            "duplicate headers",
            "w0,w1,w2,params,params,loss\n0.2,0.3,0.5,1e8,1e9,3\n".into(),
            "duplicate",
        ),
        (
            "infinite loss",
            format!("{header}0.2,0.3,0.5,1e8,1e9,inf\n"),
            "not finite",
        ),
    ];
    for (what, text, needle) in cases {
        let path = temp("bad.csv", &text);
        let (code, out, err) = run(&fit_args("additive", &path, &["--json"]));
        assert_eq!(code, 2, "{what}: exit {code}, stderr {err}");
        assert!(out.is_empty(), "{what}: printed {out}");
        assert_eq!(err.lines().count(), 1, "{what}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(needle),
            "{what}: {err}"
        );
    }
    for (what, args) in [
        (
            "unknown law",
            vec!["fit", "--law", "nope", "--train", "x.csv"],
        ),
        ("unknown flag", vec!["laws", "--frobnicate"]),
        (
            "missing file",
            fit_args("additive", "/nonexistent/file.csv", &[]),
        ),
        ("bimix without target", fit_args("bimix", "x.csv", &[])),
        (
            "bad loss fn",
            fit_args("additive", "x.csv", &["--loss-fn", "l1"]),
        ),
        (
            "missing params file",
            vec!["predict", "--params", "/nonexistent.json", "--csv", "x.csv"],
        ),
        (
            "reproduce unknown",
            vec!["reproduce", "nope", "--data", "."],
        ),
    ] {
        let (code, _, err) = run(&args);
        assert_eq!(code, 2, "{what}: {err}");
        assert!(
            err.starts_with("error: ") && err.lines().count() == 1,
            "{what}: {err}"
        );
    }
}

#[test]
fn json_never_contains_nan_or_infinity() {
    let j = mixlaw_validate::json::obj([
        ("a", Json::from(f64::NAN)),
        ("b", Json::from(f64::INFINITY)),
        ("c", Json::from(1e-300)),
    ]);
    let text = j.to_string();
    assert_eq!(text, r#"{"a":null,"b":null,"c":1e-300}"#);
    assert_eq!(
        mixlaw_validate::json::parse(&text)
            .unwrap()
            .get("c")
            .unwrap()
            .as_f64(),
        Some(1e-300)
    );
}

#[test]
fn fit_bootstrap_then_optimize_intervals() {
    let (train, eval) = demo_csv();
    let (train, eval) = (temp("boot_train.csv", &train), temp("boot_eval.csv", &eval));
    let params = temp("boot_p.json", "");
    let dir = std::env::temp_dir().join(format!("mixlaw-cli-boot-{}", std::process::id()));
    let dir = dir.to_string_lossy().into_owned();
    let args = fit_args(
        "additive",
        &train,
        &[
            "--eval",
            &eval,
            "--out",
            &params,
            "--bootstrap",
            "30",
            "--resample",
            "mixture",
            "--bootstrap-out",
            &dir,
            "--json",
        ],
    );
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let j = mixlaw_validate::json::parse(&out).unwrap();
    let b = j.get("bootstrap").unwrap();
    assert_eq!(b.get("resamples").unwrap().as_f64(), Some(30.0));
    assert_eq!(b.get("failed").unwrap().as_f64(), Some(0.0));
    let fitted = j.get("params").unwrap();
    for name in ["E", "A", "B", "alpha", "beta"] {
        let se = b.get("se").unwrap().get(name).unwrap().as_f64().unwrap();
        let Json::Array(ci) = b.get("ci95").unwrap().get(name).unwrap() else {
            panic!()
        };
        let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
        assert!(se > 0.0 && lo < hi, "{name}: se {se}, [{lo}, {hi}]");
        // The full-data estimate lies within (or very near) its percentile interval.
        let v = fitted.get(name).unwrap().as_f64().unwrap();
        assert!(
            v > lo - 2.0 * se && v < hi + 2.0 * se,
            "{name} {v} [{lo}, {hi}]"
        );
    }
    let Json::Array(eval_ci) = b.get("eval_ci95").unwrap() else {
        panic!()
    };
    assert_eq!(eval_ci.len(), 20);
    // One parameter file per refit.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 30);
    // Each carries the fit's domain names (and so serves predict without --weights).
    let one = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let refit = mixlaw_validate::json::parse(&std::fs::read_to_string(one).unwrap()).unwrap();
    assert_eq!(
        refit.get("domains"),
        Some(&Json::Array(
            ["w0", "w1", "w2"].iter().map(|&n| Json::from(n)).collect()
        ))
    );
    let (code, out, err) = run(&optimize_args(
        &params,
        &["--bootstrap-params", &dir, "--json"],
    ));
    assert_eq!(code, 0, "{err}");
    let o = mixlaw_validate::json::parse(&out).unwrap();
    let ob = o.get("bootstrap").unwrap();
    assert_eq!(ob.get("resamples").unwrap().as_f64(), Some(30.0));
    let Json::Array(h_ci) = ob.get("h_ci95").unwrap() else {
        panic!()
    };
    let Json::Array(h) = o.get("h").unwrap() else {
        panic!()
    };
    assert_eq!(h_ci.len(), 3);
    for (ci, h) in h_ci.iter().zip(h) {
        let Json::Array(ci) = ci else { panic!() };
        let (lo, hi, h) = (
            ci[0].as_f64().unwrap(),
            ci[1].as_f64().unwrap(),
            h.as_f64().unwrap(),
        );
        assert!(lo >= 0.05 - 1e-9 && lo <= hi && hi <= 1.0, "[{lo}, {hi}]");
        assert!(
            h >= lo - 0.05 && h <= hi + 0.05,
            "h* {h} far from [{lo}, {hi}]"
        );
    }
    assert!(ob.get("objective_se").unwrap().as_f64().unwrap() > 0.0);
    // The bagged optimum: the mean of the 30 optima, a feasible mixture inside the
    // per-domain intervals.
    let Json::Array(bagged) = o.get("h_bagged").unwrap() else {
        panic!("{out}")
    };
    let bagged: Vec<f64> = bagged.iter().map(|v| v.as_f64().unwrap()).collect();
    assert!(
        (bagged.iter().sum::<f64>() - 1.0).abs() < 1e-9,
        "{bagged:?}"
    );
    for (ci, b) in h_ci.iter().zip(&bagged) {
        let Json::Array(ci) = ci else { panic!() };
        let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
        assert!(
            *b >= 0.05 - 1e-9 && *b >= lo - 1e-9 && *b <= hi + 1e-9,
            "{b} [{lo}, {hi}]"
        );
    }
}

#[test]
fn select_ranks_the_generating_law_first() {
    let (train, eval) = demo_csv();
    // Train and the 10x larger eval runs together: leave-largest-n-out tests on the 3B runs.
    let all = train + eval.split_once('\n').unwrap().1;
    let all = temp("select_all.csv", &all);
    let mut args = vec!["select", "--train", &all];
    args.extend(COLS);
    args.extend([
        "--laws",
        "additive,joint,additive-nd",
        "--leave-out",
        "largest-n",
        "--starts",
        "3",
        "--json",
    ]);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let j = mixlaw_validate::json::parse(&out).unwrap();
    let Json::Array(ranking) = j.get("ranking").unwrap() else {
        panic!()
    };
    let names: Vec<&str> = ranking
        .iter()
        .map(|r| r.get("law").unwrap().as_str().unwrap())
        .collect();
    assert_eq!(names, ["joint", "additive", "additive-nd"], "{out}");
    let mre: Vec<f64> = ranking
        .iter()
        .map(|r| r.get("cv_mre").unwrap().as_f64().unwrap())
        .collect();
    assert!(
        mre[0] < 1.0 && mre.windows(2).all(|w| w[0] <= w[1]),
        "{mre:?}"
    );
    assert!(ranking
        .iter()
        .all(|r| r.get("cv_mre_sd").unwrap().as_f64().unwrap() >= 0.0));
    // Default list: every law the columns allow (no bimix or dcpt without a target, no
    // data-constrained without unique tokens); K-fold by default.
    let mut args = vec!["select", "--train", &all];
    args.extend(COLS);
    args.extend([
        "--folds", "2", "--starts", "1", "--hops", "0", "--json", "--laws",
    ]);
    let with_list = |laws: &'static str| {
        let mut a = args.clone();
        a.push(laws);
        a
    };
    let (code, out, err) = run(&with_list("chinchilla,linear"));
    assert_eq!(code, 0, "{err}");
    let j = mixlaw_validate::json::parse(&out).unwrap();
    assert_eq!(j.get("split").unwrap().as_str(), Some("2-fold"));
    let defaults = mixlaw_cli::commands::select::default_laws(
        &mixlaw_validate::data::Columns {
            weights: vec!["w0".into(), "w1".into(), "w2".into()],
            loss: Some("loss".into()),
            n: Some("params".into()),
            d: Some("tokens".into()),
            ..Default::default()
        },
        None,
    );
    assert!(defaults.contains(&"full".to_string()) && defaults.contains(&"ye-m1".to_string()));
    assert!(!defaults.contains(&"bimix".to_string()) && !defaults.contains(&"dcpt".to_string()));
    assert!(!defaults.contains(&"data-constrained".to_string()));
    assert!(
        defaults.contains(&"autoscale".to_string()) && defaults.contains(&"farseer".to_string())
    );
    assert!(!defaults.iter().any(|l| l.starts_with("capacity")));
    assert_eq!(defaults.len(), mixlaw_core::laws::NAMES.len() - 5);
}

#[test]
fn uncertainty_bad_input_is_one_error_line_and_exit_2() {
    let (train, _) = demo_csv();
    let train = temp("unc_train.csv", &train);
    let select = |extra: &[&str]| {
        let mut a = vec!["select", "--train", train.as_str()];
        a.extend(COLS);
        a.extend(["--starts", "1", "--hops", "0"]);
        a.extend(extra.iter().copied());
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let fit = |extra: &[&str]| {
        fit_args("additive", &train, extra)
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (fit(&["--bootstrap", "0"]), "at least 1"),
        (fit(&["--bootstrap", "-3"]), "--bootstrap"),
        (fit(&["--bootstrap", "5", "--resample", "pairs"]), "--resample"),
        (fit(&["--resample", "rows"]), "needs --bootstrap"),
        (select(&["--folds", "1"]), "K >= 2"),
        (select(&["--folds", "100000"]), "exceeds"),
        (select(&["--laws", "additive,nosuchlaw"]), "unknown law"),
        (select(&["--laws", "bimix"]), "--target-domain"),
        (select(&["--laws", "data-constrained"]), "--unique"),
        (
            select(&["--folds", "3", "--leave-out", "mixture"]),
            "exclude each other",
        ),
        (select(&["--leave-out", "everything"]), "--leave-out"),
        (
            vec![
                "optimize".into(),
                "--params".into(),
                temp("unc_p.json", "{\"law\":\"additive-nd\",\"domains\":3,\"params\":{\"E\":1,\"C[0]\":1,\"C[1]\":1,\"C[2]\":1,\"gamma[0]\":0.5,\"gamma[1]\":0.5,\"gamma[2]\":0.5}}"),
                "--bootstrap-params".into(),
                "/nonexistent/mixlaw-dir".into(),
            ],
            "--bootstrap-params",
        ),
    ];
    for (args, needle) in cases {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = run(&refs);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(
            err.starts_with("error: ") && err.lines().count() == 1 && err.contains(needle),
            "{args:?}: {err}"
        );
    }
}

/// Every number in `j` is finite (the writer turns NaN and inf into `null`, so a `null`
/// where a number belongs is a NaN that got out); `null` is allowed only at the keys in
/// `nullable` (R^2 and the rank metrics, undefined for constant observations).
fn assert_all_finite(j: &Json, path: &str, nullable: &[&str]) {
    match j {
        Json::Null => assert!(
            nullable.iter().any(|k| path.ends_with(k)),
            "null (a NaN or inf) at {path}"
        ),
        Json::Number(v) => assert!(v.as_f64().is_some_and(f64::is_finite), "{v} at {path}"),
        Json::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                assert_all_finite(v, &format!("{path}[{i}]"), nullable);
            }
        }
        Json::Object(fields) => {
            for (k, v) in fields {
                assert_all_finite(v, &format!("{path}.{k}"), nullable);
            }
        }
        Json::Bool(_) | Json::String(_) => {}
    }
}

/// A fit that must be accepted: exit 0, one JSON object with finite numbers, nothing on
/// stderr (`--quiet`).
fn accepted_fit(what: &str, law: &str, text: &str, extra: &[&str], nullable: &[&str]) -> Json {
    let path = temp(&format!("{}.csv", what.replace(' ', "_")), text);
    let mut flags = vec!["--json"];
    flags.extend(extra);
    let (code, out, err) = run(&fit_args(law, &path, &flags));
    assert_eq!(code, 0, "{what}: exit {code}, stderr {err}");
    assert!(err.is_empty(), "{what}: stderr {err}");
    assert!(
        !out.contains("NaN") && !out.contains("inf"),
        "{what}: {out}"
    );
    let j = mixlaw_validate::json::parse(&out).unwrap();
    assert_all_finite(&j, "", nullable);
    j
}

#[test]
fn one_row_and_constant_losses_are_accepted_with_r2_null() {
    let header = "w0,w1,w2,params,tokens,loss\n";
    // One row: the fit interpolates it; R^2 is undefined (null, "n/a" in text).
    let one = format!("{header}0.2,0.3,0.5,1e8,1e9,3.1\n");
    for law in ["additive", "joint", "linear"] {
        let j = accepted_fit("one row", law, &one, &[], &["r2", "spearman", "kendall"]);
        let train = j.get("train").unwrap();
        assert_eq!(train.get("rows").unwrap().as_f64(), Some(1.0));
        assert_eq!(train.get("r2"), Some(&Json::Null), "{law}");
        assert_eq!(train.get("spearman"), Some(&Json::Null), "{law}");
        assert!(train.get("mre").unwrap().as_f64().unwrap() < 1e-3, "{law}");
    }
    let path = temp("one_row_text.csv", &one);
    let (code, out, err) = run(&fit_args("additive", &path, &[]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("R^2 n/a") && !out.contains("NaN"), "{out}");
    // Constant losses over varied inputs: fitted (to the constant), R^2 null.
    let mut constant = String::from(header);
    for i in 1..=30 {
        let a = 0.05 + 0.03 * f64::from(i % 10);
        constant += &format!("{a},0.1,{},{i}e8,{}e9,3.0\n", 0.9 - a, i + 3);
    }
    let j = accepted_fit(
        "constant losses",
        "additive",
        &constant,
        &[],
        &["r2", "spearman", "kendall"],
    );
    let train = j.get("train").unwrap();
    assert_eq!(train.get("rows").unwrap().as_f64(), Some(30.0));
    assert_eq!(train.get("r2"), Some(&Json::Null));
    assert!(train.get("mre").unwrap().as_f64().unwrap() < 0.1);
}

#[test]
fn extreme_magnitudes_give_finite_json_or_one_error_line() {
    let header = "w0,w1,w2,params,tokens,loss\n";
    // N = 1e30, D = 1e-30, losses 1e300 and 1e-300: accepted; the metrics stay finite
    // (they overflowed to a null RMSE and a NaN R^2 before).
    let extreme = format!(
        "{header}0.2,0.3,0.5,1e30,1e-30,1e300\n0.3,0.3,0.4,2e30,2e-30,1e-300\n\
         0.5,0.25,0.25,1e30,3e-30,1e300\n0.1,0.45,0.45,1e31,1e-29,1e-300\n"
    );
    let j = accepted_fit("extreme", "additive", &extreme, &[], &[]);
    let train = j.get("train").unwrap();
    assert!(train.get("rmse").unwrap().as_f64().unwrap() > 1e299);
    assert!(train.get("r2").unwrap().as_f64().unwrap() <= 0.0);
    // Ordinary losses at N and D up to 1e308 and down to 5e-324, and losses from 5e-324
    // to 1.7e308: every law either fits (finite JSON) or fails to compute (one error line,
    // exit 1: no finite objective, or a metric or the linear fit beyond f64); the input
    // itself is valid, so never exit 2; never a panic or a NaN.
    let nd = format!(
        "{header}0.2,0.3,0.5,1e30,1e-30,3.1\n0.3,0.3,0.4,1e308,1.7e308,3.0\n\
         0.5,0.25,0.25,5e-324,1e-300,2.9\n0.1,0.45,0.45,1e31,1e-29,2.5\n"
    );
    let losses = format!(
        "{header}0.2,0.3,0.5,1e8,1e9,1e-300\n0.3,0.3,0.4,2e8,2e9,2e-300\n\
         0.5,0.25,0.25,1e8,3e9,5e-324\n0.1,0.45,0.45,1e9,1e10,1.7e308\n"
    );
    let mut outcomes = Vec::new();
    for (what, text) in [
        ("extreme N D", &nd),
        ("extreme losses", &losses),
        ("extreme", &extreme),
    ] {
        let path = temp(&format!("{}.csv", what.replace(' ', "_")), text);
        // One loss column: the laws with one output (capacity laws need k, see capacity_cli).
        let single = mixlaw_core::laws::NAMES
            .iter()
            .filter(|n| !mixlaw_core::capacity::NAMES.contains(n));
        for law in single {
            let flags = [
                "--json",
                "--target-domain",
                "0",
                "--unique",
                "tokens",
                "--starts",
                "1",
                "--hops",
                "0",
            ];
            let (code, out, err) = run(&fit_args(law, &path, &flags));
            match code {
                0 => {
                    assert!(err.is_empty(), "{what} {law}: {err}");
                    assert_all_finite(&mixlaw_validate::json::parse(&out).unwrap(), "", &[]);
                }
                1 => {
                    assert!(out.is_empty(), "{what} {law}: {out}");
                    assert!(
                        err.starts_with("error: ") && err.lines().count() == 1,
                        "{what} {law}: {err}"
                    );
                }
                _ => panic!("{what} {law}: exit {code}, {err}"),
            }
            outcomes.push(code);
        }
    }
    // Some fits succeed, some fail to compute: the matrix exercises both paths.
    assert!(
        outcomes.contains(&0) && outcomes.contains(&1),
        "{outcomes:?}"
    );
}

#[test]
fn a_hundred_thousand_rows_fit_quickly_with_finite_json() {
    // 10^5 runs (k = 3): 997 x 13 mixtures over a 5 x 4 grid of N and D, loss from a known
    // Chinchilla law plus a mixture term. Cheap fits: `chinchilla` (basin-hopping, one
    // start, no hops; rows grouped by their 20 distinct (N, D)) and `linear` (closed form
    // over all rows), each about a second in the test profile. (`additive`, with per-row
    // mixture terms, took ~26,000 L-BFGS evaluations and over a minute on these rows at
    // the library's tight tolerances: too slow for a test.)
    let mut text = String::from("w0,w1,w2,params,tokens,loss\n");
    for i in 0..100_000u32 {
        let a = 0.05 + 0.9 * f64::from(i % 997) / 997.0;
        let b = (1.0 - a) * f64::from(i % 13) / 13.0;
        let n = 1e8 * f64::from((1 + i % 5).pow(2));
        let d = 1e9 * f64::from((1 + i % 4).pow(2));
        let loss = 1.7 + 400.0 / n.powf(0.34) + 410.0 / d.powf(0.28) + 0.1 * a;
        text += &format!("{a},{b},{},{n},{d},{loss}\n", 1.0 - a - b);
    }
    for (law, max_mre) in [("chinchilla", 2.0), ("linear", 20.0)] {
        let start = std::time::Instant::now();
        let j = accepted_fit(
            "1e5 rows",
            law,
            &text,
            &["--starts", "1", "--hops", "0"],
            &["r2"],
        );
        let train = j.get("train").unwrap();
        assert_eq!(train.get("rows").unwrap().as_f64(), Some(100_000.0));
        let Json::Array(pred) = train.get("predictions").unwrap() else {
            panic!()
        };
        assert_eq!(pred.len(), 100_000);
        assert!(
            train.get("mre").unwrap().as_f64().unwrap() < max_mre,
            "{law}"
        );
        assert!(train.get("r2").unwrap().as_f64().is_some(), "{law}");
        eprintln!("10^5 rows, {law}: {:.2} s", start.elapsed().as_secs_f64());
    }
}
