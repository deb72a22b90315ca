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
    v.extend(["--quiet", "--starts", "2", "--hops", "2"]);
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
    assert_eq!(
        laws.len(),
        mixlaw_core::laws::NAMES.len() + mixlaw_core::capacity::NAMES.len()
    );
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
