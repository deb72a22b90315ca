//! The command-line contract of `spec/cli.md`, exercised in process: commands, JSON keys,
//! and bad input answered by one `error:` line and exit code 2 (never a panic or a NaN).

use mixlaw_cli::commands::{demo_data, main, Io};
use mixlaw_cli::Json;

fn run(args: &[&str]) -> (i32, String, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = main(
        &args,
        &mut Io {
            out: &mut out,
            err: &mut err,
        },
    );
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn temp(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("mixlaw-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// The demo's runs as CSV text (3 domains).
fn demo_csv() -> (String, String) {
    let (train, eval, _) = demo_data().unwrap();
    let to_csv = |r: &mixlaw_fit::owned::Runs| {
        let mut s = String::from("w0,w1,w2,params,tokens,loss\n");
        for i in 0..r.rows() {
            let h = &r.h[3 * i..3 * i + 3];
            s += &format!(
                "{},{},{},{},{},{}\n",
                h[0],
                h[1],
                h[2],
                r.n.as_ref().unwrap()[i],
                r.d.as_ref().unwrap()[i],
                r.y[i]
            );
        }
        s
    };
    (to_csv(&train), to_csv(&eval))
}

const COLS: [&str; 8] = [
    "--weights",
    "w0,w1,w2",
    "--loss",
    "loss",
    "--n",
    "params",
    "--d",
    "tokens",
];

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

#[test]
fn laws_lists_every_law_with_counts() {
    let (code, out, _) = run(&["laws", "--domains", "7", "--json"]);
    assert_eq!(code, 0);
    let j = Json::parse(&out).unwrap();
    let Json::Arr(laws) = j.get("laws").unwrap() else {
        panic!()
    };
    assert_eq!(laws.len(), mixlaw_core::laws::NAMES.len());
    let joint = laws
        .iter()
        .find(|l| l.get("name").unwrap().as_str() == Some("joint"))
        .unwrap();
    assert_eq!(joint.get("params").unwrap().as_f64(), Some(33.0));
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
    let j = Json::parse(&out).unwrap();
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
    let Json::Arr(preds) = j.get("eval").unwrap().get("predictions").unwrap() else {
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
    let p = Json::parse(&out).unwrap();
    assert_eq!(
        p.get("predictions"),
        j.get("eval").unwrap().get("predictions")
    );

    let (code, out, err) = run(&[
        "optimize",
        "--params",
        &params,
        "--n",
        "7e9",
        "--d",
        "1.5e11",
        "--min-weight",
        "0.05",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let o = Json::parse(&out).unwrap();
    let Json::Arr(h) = o.get("h").unwrap() else {
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
    let j = Json::parse(&out).unwrap();
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
    let j = Json::obj([
        ("a", Json::Num(f64::NAN)),
        ("b", Json::Num(f64::INFINITY)),
        ("c", Json::Num(1e-300)),
    ]);
    let text = j.to_text();
    assert_eq!(text, r#"{"a":null,"b":null,"c":1e-300}"#);
    assert_eq!(
        Json::parse(&text).unwrap().get("c").unwrap().as_f64(),
        Some(1e-300)
    );
}

/// Every number in `j` is finite (the writer turns NaN and inf into `null`, so a `null`
/// where a number belongs is a NaN that got out); `null` is allowed only at the keys in
/// `nullable` (R^2, undefined for constant observations).
fn assert_all_finite(j: &Json, path: &str, nullable: &[&str]) {
    match j {
        Json::Null => assert!(
            nullable.iter().any(|k| path.ends_with(k)),
            "null (a NaN or inf) at {path}"
        ),
        Json::Num(v) => assert!(v.is_finite(), "{v} at {path}"),
        Json::Arr(items) => {
            for (i, v) in items.iter().enumerate() {
                assert_all_finite(v, &format!("{path}[{i}]"), nullable);
            }
        }
        Json::Obj(fields) => {
            for (k, v) in fields {
                assert_all_finite(v, &format!("{path}.{k}"), nullable);
            }
        }
        Json::Bool(_) | Json::Str(_) => {}
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
    let j = Json::parse(&out).unwrap();
    assert_all_finite(&j, "", nullable);
    j
}

#[test]
fn one_row_and_constant_losses_are_accepted_with_r2_null() {
    let header = "w0,w1,w2,params,tokens,loss\n";
    // One row: the fit interpolates it; R^2 is undefined (null, "n/a" in text).
    let one = format!("{header}0.2,0.3,0.5,1e8,1e9,3.1\n");
    for law in ["additive", "joint", "linear"] {
        let j = accepted_fit("one row", law, &one, &[], &["r2"]);
        let train = j.get("train").unwrap();
        assert_eq!(train.get("rows").unwrap().as_f64(), Some(1.0));
        assert_eq!(train.get("r2"), Some(&Json::Null), "{law}");
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
    let j = accepted_fit("constant losses", "additive", &constant, &[], &["r2"]);
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
        for law in mixlaw_core::laws::NAMES {
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
                    assert_all_finite(&Json::parse(&out).unwrap(), "", &[]);
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
        let Json::Arr(pred) = train.get("predictions").unwrap() else {
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
