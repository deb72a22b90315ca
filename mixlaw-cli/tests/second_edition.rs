//! The second edition of `spec/cli.md` wired into the program: rank metrics, names that
//! travel with the data, and decisions that say when they extrapolate.

mod common;

use common::{demo_csv, run, temp, COLS};
use mixlaw_cli::Json;

fn parse(out: &str) -> Json {
    mixlaw_validate::json::parse(out).unwrap()
}

fn num(j: &Json, key: &str) -> f64 {
    j.get(key).and_then(Json::as_f64).unwrap_or(f64::NAN)
}

fn fit_args<'a>(law: &'a str, train: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["fit", "--law", law, "--train", train];
    v.extend(COLS);
    v.extend(["--quiet", "--starts", "2", "--hops", "2"]);
    v.extend(["--n-scale", "1e9", "--d-scale", "1e9"]);
    v.extend(extra);
    v
}

#[test]
fn metrics_objects_carry_rank_correlations() {
    let (train, eval) = demo_csv();
    let one_row = temp(
        "se_one.csv",
        &eval.lines().take(2).collect::<Vec<_>>().join("\n"),
    );
    let (train, eval) = (temp("se_train.csv", &train), temp("se_eval.csv", &eval));
    let params = temp("se_p.json", "");
    let (code, out, err) = run(&fit_args(
        "joint",
        &train,
        &["--eval", &eval, "--out", &params, "--json"],
    ));
    assert_eq!(code, 0, "{err}");
    let j = parse(&out);
    for part in ["train", "eval"] {
        let m = j.get(part).unwrap();
        let (rho, tau) = (num(m, "spearman"), num(m, "kendall"));
        // A correct fit of the generating law orders the runs almost perfectly.
        assert!(
            rho > 0.95 && rho <= 1.0 && tau > 0.85 && tau <= 1.0,
            "{part}: {out}"
        );
    }
    // predict --loss adds the same metrics object as fit --eval.
    let mut args = vec!["predict", "--params", &params, "--csv", &eval, "--json"];
    args.extend(COLS);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let p = parse(&out);
    let m = p.get("metrics").unwrap();
    let e = j.get("eval").unwrap();
    for key in ["rows", "mre", "rmse", "spearman", "kendall"] {
        assert!((num(m, key) - num(e, key)).abs() < 1e-12, "{key}: {out}");
    }
    // Without --loss the saved fit's loss column scores the runs just the same...
    let args: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| *a != "--loss" && *a != "loss")
        .collect();
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let saved_loss = parse(&out).get("metrics").cloned().unwrap();
    for key in ["rows", "mre", "rmse", "spearman", "kendall"] {
        assert_eq!(num(&saved_loss, key), num(m, key), "{key}: {out}");
    }
    // ... and a file without that column gets predictions only.
    let unobserved: String = std::fs::read_to_string(&eval)
        .unwrap()
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect();
    let unobserved = temp("se_unobserved.csv", &unobserved);
    let args: Vec<&str> = args
        .iter()
        .map(|a| if *a == eval { unobserved.as_str() } else { a })
        .collect();
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let p = parse(&out);
    assert!(p.get("metrics").is_none());
    let Some(Json::Array(pred)) = p.get("predictions") else {
        panic!("{out}")
    };
    assert_eq!(pred.len() as f64, num(m, "rows"));
    // One eval row: r2 and the rank metrics are undefined, hence null.
    let (code, out, err) = run(&fit_args("joint", &train, &["--eval", &one_row, "--json"]));
    assert_eq!(code, 0, "{err}");
    let e = parse(&out).get("eval").cloned().unwrap();
    for key in ["r2", "spearman", "kendall"] {
        assert_eq!(e.get(key), Some(&Json::Null), "{key}");
    }
}

#[test]
fn select_ranks_by_the_chosen_key() {
    let (train, _) = demo_csv();
    let train = temp("se_select.csv", &train);
    let mut base = vec!["select", "--train", &train];
    base.extend(COLS);
    base.extend([
        "--laws",
        "joint,chinchilla,linear",
        "--folds",
        "3",
        "--starts",
        "1",
        "--hops",
        "1",
        "--json",
        "--quiet",
    ]);
    let rows_of = |by: &str| -> Vec<(String, f64, f64, f64)> {
        let mut a = base.clone();
        a.extend(["--by", by]);
        let (code, out, err) = run(&a);
        assert_eq!(code, 0, "{err}");
        let j = parse(&out);
        assert_eq!(j.get("by").and_then(Json::as_str), Some(by));
        let Some(Json::Array(r)) = j.get("ranking") else {
            panic!("{out}")
        };
        r.iter()
            .map(|r| {
                (
                    r.get("law").unwrap().as_str().unwrap().to_string(),
                    num(r, "cv_mre"),
                    num(r, "cv_rmse"),
                    num(r, "cv_spearman"),
                )
            })
            .collect()
    };
    let by_mre = rows_of("mre");
    assert!(by_mre.windows(2).all(|w| w[0].1 <= w[1].1), "{by_mre:?}");
    let by_rmse = rows_of("rmse");
    assert!(by_rmse.windows(2).all(|w| w[0].2 <= w[1].2), "{by_rmse:?}");
    let by_rho = rows_of("spearman");
    assert!(by_rho.windows(2).all(|w| w[0].3 >= w[1].3), "{by_rho:?}");
    assert_eq!(by_rho[0].0, "joint", "{by_rho:?}");
    // chinchilla ignores the mixture: within a fold its ranking is much worse.
    let chin = by_rho.iter().find(|r| r.0 == "chinchilla").unwrap();
    assert!(by_rho[0].3 > 0.95 && chin.3 < by_rho[0].3, "{by_rho:?}");
    let mut bad = base.clone();
    bad.extend(["--by", "r2"]);
    let (code, out, err) = run(&bad);
    assert_eq!(code, 2, "{out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: --by"), "{err}");
}

fn floats(j: &Json, key: &str) -> Vec<f64> {
    match j.get(key) {
        Some(Json::Array(v)) => v.iter().map(|x| x.as_f64().unwrap()).collect(),
        other => panic!("{key}: {other:?}"),
    }
}

/// The demo's training runs fitted with `additive`, saved; returns (train CSV text, train
/// path, params path).
fn saved_fit(tag: &str) -> (String, String, String) {
    let (text, _) = demo_csv();
    let train = temp(&format!("{tag}_train.csv"), &text);
    let params = temp(&format!("{tag}_p.json"), "");
    let (code, _, err) = run(&fit_args("additive", &train, &["--out", &params]));
    assert_eq!(code, 0, "{err}");
    (text, train, params)
}

fn predictions(args: &[&str]) -> Result<Vec<f64>, String> {
    let mut a = args.to_vec();
    a.push("--json");
    let (code, out, err) = run(&a);
    if code != 0 {
        assert_eq!(code, 2, "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        return Err(err);
    }
    Ok(floats(&parse(&out), "predictions"))
}

#[test]
fn names_travel_with_the_data() {
    let (text, train, params) = saved_fit("names");
    let saved = parse(&std::fs::read_to_string(&params).unwrap());
    let names: Vec<&str> = match saved.get("domains") {
        Some(Json::Array(v)) => v.iter().map(|x| x.as_str().unwrap()).collect(),
        other => panic!("{other:?}"),
    };
    assert_eq!(names, ["w0", "w1", "w2"]);
    let columns = saved.get("columns").unwrap();
    for (role, col) in [("loss", "loss"), ("n", "params"), ("d", "tokens")] {
        assert_eq!(columns.get(role).and_then(Json::as_str), Some(col));
    }
    assert!(columns.get("unique").is_none());
    // The training support: the extremes and the distinct mixtures of the CSV.
    let rows: Vec<Vec<f64>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').take(3).map(|c| c.parse().unwrap()).collect())
        .collect();
    let support = saved.get("train_support").unwrap();
    assert_eq!(num(support, "rows"), rows.len() as f64);
    let mut distinct: Vec<&Vec<f64>> = Vec::new();
    for r in &rows {
        if !distinct.contains(&r) {
            distinct.push(r);
        }
    }
    assert_eq!(num(support, "mixtures"), distinct.len() as f64);
    let Some(Json::Array(set)) = support.get("mixture_set") else {
        panic!()
    };
    assert_eq!(set.len(), distinct.len());
    for (i, (lo, hi)) in floats(support, "min_weight")
        .into_iter()
        .zip(floats(support, "max_weight"))
        .enumerate()
    {
        let col = rows.iter().map(|r| r[i]);
        assert_eq!(lo, col.clone().fold(f64::INFINITY, f64::min));
        assert_eq!(hi, col.fold(f64::NEG_INFINITY, f64::max));
    }

    // predict: the saved names find the columns; --weights is matched by name.
    let base = ["predict", "--params", &params, "--csv", &train];
    let nd = ["--n", "params", "--d", "tokens"];
    let with = |w: Option<&str>, p: &str| -> Result<Vec<f64>, String> {
        let mut a = base.to_vec();
        a[2] = p;
        a.extend(nd);
        if let Some(w) = w {
            a.extend(["--weights", w]);
        }
        predictions(&a)
    };
    let by_name = with(None, &params).unwrap();
    assert_eq!(by_name.len(), rows.len());
    assert_eq!(with(Some("w0,w1,w2"), &params).unwrap(), by_name);
    assert_eq!(with(Some("w2,w0,w1"), &params).unwrap(), by_name);
    let err = with(Some("w0,w1"), &params).unwrap_err();
    assert!(err.contains("'w2'") && err.contains("missing"), "{err}");
    let err = with(Some("w0,w1,w2,params"), &params).unwrap_err();
    assert!(err.contains("'params'"), "{err}");
    // The same runs with the columns in another order: the same predictions.
    let shuffled: String = text
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            format!("{},{},{},{},{},{}\n", c[5], c[2], c[4], c[0], c[3], c[1])
        })
        .collect();
    let shuffled = temp("names_shuffled.csv", &shuffled);
    let mut a = vec!["predict", "--params", &params, "--csv", &shuffled];
    a.extend(nd);
    assert_eq!(predictions(&a).unwrap(), by_name);
    // A params file whose domains is a count: positional, --weights needed.
    let positional = std::fs::read_to_string(&params)
        .unwrap()
        .replace("\"domains\":[\"w0\",\"w1\",\"w2\"]", "\"domains\":3");
    assert!(positional.contains("\"domains\":3"), "{positional}");
    let positional = temp("names_positional.json", &positional);
    assert_eq!(with(Some("w0,w1,w2"), &positional).unwrap(), by_name);
    assert_ne!(with(Some("w2,w0,w1"), &positional).unwrap(), by_name);
    assert!(with(None, &positional).is_err());
}

/// Whether one of the output's `"warnings"` contains `what`.
fn warned(j: &Json, what: &str) -> bool {
    match j.get("warnings") {
        Some(Json::Array(w)) => w
            .iter()
            .any(|w| w.as_str().is_some_and(|w| w.contains(what))),
        _ => false,
    }
}

fn optimize(params: &str, extra: &[&str]) -> (i32, Json, String) {
    let mut a = vec![
        "optimize", "--params", params, "--n", "7e9", "--d", "1.5e11",
    ];
    a.extend(extra);
    a.push("--json");
    let (code, out, err) = run(&a);
    let j = if code == 0 { parse(&out) } else { Json::Null };
    (code, j, err)
}

/// One `error:` line, exit 2, mentioning `what`.
fn refused(params: &str, extra: &[&str], what: &str) {
    let (code, _, err) = optimize(params, extra);
    assert_eq!(code, 2, "{extra:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{extra:?}: {err}");
    assert!(
        err.starts_with("error: ") && err.contains(what),
        "{extra:?}: {err}"
    );
}

#[test]
fn optimize_names_domains_and_takes_named_limits() {
    let (_, _, params) = saved_fit("named_limits");
    let (code, j, err) = optimize(&params, &["--quiet"]);
    assert_eq!(code, 0, "{err}");
    let h = floats(&j, "h");
    let w = j.get("weights").unwrap();
    for (i, name) in ["w0", "w1", "w2"].iter().enumerate() {
        assert_eq!(num(w, name), h[i]);
    }
    // Text: the domains by name, largest weight first.
    let (code, out, err) = run(&[
        "optimize", "--params", &params, "--n", "7e9", "--d", "1.5e11", "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    let listed: Vec<(&str, f64)> = out
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            match (it.next(), it.next().and_then(|v| v.parse().ok()), it.next()) {
                (Some(n), Some(v), None) if n.starts_with('w') => Some((n, v)),
                _ => None,
            }
        })
        .collect();
    assert_eq!(listed.len(), 3, "{out}");
    assert!(listed.windows(2).all(|p| p[0].1 >= p[1].1), "{out}");
    for (n, v) in &listed {
        assert!((num(w, n) - v).abs() < 1e-6, "{out}");
    }
    // Named limits, and the positional list.
    let top = (0..3).max_by(|&a, &b| h[a].total_cmp(&h[b])).unwrap();
    let cap = format!("w{top}=0.2");
    let (code, j, err) = optimize(&params, &["--max-weights", &cap, "--quiet"]);
    assert_eq!(code, 0, "{err}");
    assert!(floats(&j, "h")[top] <= 0.2 + 1e-9, "{j:?}");
    let mut positional = ["1"; 3];
    positional[top] = "0.2";
    let positional = positional.join(",");
    let (_, jp, _) = optimize(&params, &["--max-weights", &positional, "--quiet"]);
    assert!((floats(&jp, "h")[top] - floats(&j, "h")[top]).abs() < 1e-9);
    let (code, j, err) = optimize(
        &params,
        &["--min-weights", "w0=0.5", "--min-weight", "0.1", "--quiet"],
    );
    assert_eq!(code, 0, "{err}");
    let h = floats(&j, "h");
    assert!(
        h[0] >= 0.5 - 1e-9 && h[1] >= 0.1 - 1e-9 && h[2] >= 0.1 - 1e-9,
        "{h:?}"
    );
    refused(&params, &["--max-weights", "w9=0.2"], "'w9'");
    refused(&params, &["--min-weights", "w0=0.7,w1=0.7"], "error: ");
    refused(&params, &["--max-weights", "0.5,0.5"], "--max-weights");
}

#[test]
fn optimize_says_when_it_extrapolates() {
    let (text, _, params) = saved_fit("extrapolation");
    let saved = parse(&std::fs::read_to_string(&params).unwrap());
    let support = saved.get("train_support").unwrap();
    let (lo, hi) = (floats(support, "min_weight"), floats(support, "max_weight"));
    // Pushed out of the training range: h_0 above its largest training weight.
    let min0 = format!("w0={}", (hi[0] + 0.1).min(0.95));
    let (code, j, err) = optimize(&params, &["--min-weights", &min0]);
    assert_eq!(code, 0, "{err}");
    let h = floats(&j, "h");
    let e = j.get("extrapolation").unwrap();
    let ratio = (0..3).map(|i| h[i] / hi[i]).fold(f64::MIN, f64::max);
    assert!(
        (num(e, "max_ratio") - ratio).abs() < 1e-12 && ratio > 1.0,
        "{e:?}"
    );
    let Some(Json::Array(domains)) = e.get("domains") else {
        panic!()
    };
    let above: Vec<&str> = (0..3)
        .filter(|&i| h[i] > hi[i] + 1e-9)
        .map(|i| ["w0", "w1", "w2"][i])
        .collect();
    assert_eq!(
        domains
            .iter()
            .map(|d| d.as_str().unwrap())
            .collect::<Vec<_>>(),
        above
    );
    assert!(above.contains(&"w0"));
    assert_eq!(e.get("outside_hull"), Some(&Json::Bool(true)));
    let Some(Json::Array(warnings)) = j.get("warnings") else {
        panic!()
    };
    let warnings: Vec<&str> = warnings.iter().map(|w| w.as_str().unwrap()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("'w0'") && w.contains("above")),
        "{warnings:?}"
    );
    // The same warnings on stderr, and none with --quiet.
    assert_eq!(
        err.lines().filter(|l| l.starts_with("warning: ")).count(),
        warnings.len(),
        "{err}"
    );
    let (_, _, quiet) = optimize(&params, &["--min-weights", &min0, "--quiet"]);
    assert!(quiet.is_empty(), "{quiet}");
    // Inside the training hull (a training mixture forced by tight bounds): no warning.
    let first: Vec<f64> = text
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .take(3)
        .map(|c| c.parse().unwrap())
        .collect();
    let lims = |f: &dyn Fn(f64) -> f64| {
        first
            .iter()
            .enumerate()
            .map(|(i, v)| format!("w{i}={}", f(*v)))
            .collect::<Vec<_>>()
            .join(",")
    };
    let (code, j, err) = optimize(
        &params,
        &[
            "--min-weights",
            &lims(&|v| v - 1e-12),
            "--max-weights",
            &lims(&|v| v + 1e-12),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let e = j.get("extrapolation").unwrap();
    assert_eq!(e.get("outside_hull"), Some(&Json::Bool(false)), "{j:?}");
    assert_eq!(e.get("domains"), Some(&Json::Array(vec![])));
    assert!(num(e, "max_ratio") <= 1.0 + 1e-9);
    // A near one-hot answer is warned about.
    let (_, j, _) = optimize(&params, &["--min-weights", "w1=0.95", "--quiet"]);
    assert!(
        warned(&j, "one-hot answer: domain 'w1' has weight"),
        "{j:?}"
    );
    // --trust 1: never above a training maximum.
    let (code, j, err) = optimize(&params, &["--trust", "1", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let h = floats(&j, "h");
    assert!((0..3).all(|i| h[i] <= hi[i] + 1e-9), "{h:?} {hi:?}");
    let e = j.get("extrapolation").unwrap();
    assert_eq!(e.get("domains"), Some(&Json::Array(vec![])));
    refused(&params, &["--trust", "0.5"], "--trust");
    refused(
        &params,
        &["--trust", "1", "--min-weights", &min0],
        "error: ",
    );
    // Two params files: the support is the intersection (the smallest maxima).
    let narrow: String = text
        .lines()
        .enumerate()
        .filter(|(i, l)| {
            *i == 0 || l.split(',').next().unwrap().parse::<f64>().unwrap() <= hi[0] * 0.6
        })
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let narrow = temp("extrapolation_narrow.csv", &narrow);
    let params2 = temp("extrapolation_p2.json", "");
    let (code, _, err) = run(&fit_args("additive", &narrow, &["--out", &params2]));
    assert_eq!(code, 0, "{err}");
    let saved2 = parse(&std::fs::read_to_string(&params2).unwrap());
    let hi2 = floats(saved2.get("train_support").unwrap(), "max_weight");
    let lo2 = floats(saved2.get("train_support").unwrap(), "min_weight");
    assert!(hi2[0] < hi[0]);
    let both = format!("{params},{params2}");
    let (code, j, err) = optimize(&both, &["--trust", "1", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let h = floats(&j, "h");
    assert!((0..3).all(|i| h[i] <= hi[i].min(hi2[i]) + 1e-9), "{h:?}");
    let (_, j, _) = optimize(&both, &["--quiet"]);
    let h = floats(&j, "h");
    let ratio = (0..3)
        .map(|i| h[i] / hi[i].min(hi2[i]))
        .fold(f64::MIN, f64::max);
    let e = j.get("extrapolation").unwrap();
    assert!((num(e, "max_ratio") - ratio).abs() < 1e-12, "{e:?}");
    let _ = (lo, lo2);
}

#[test]
fn optimize_kl_prior_and_availability() {
    let (_, _, params) = saved_fit("kl");
    let (_, plain, _) = optimize(&params, &["--quiet"]);
    let plain_h = floats(&plain, "h");
    assert!(plain.get("penalized_objective").is_none());
    // A huge lambda: h* is the prior.
    for (prior, expected) in [
        ("uniform", [1.0 / 3.0; 3]),
        ("w0=0.5", [0.5, 0.25, 0.25]),
        ("2,1,1", [0.5, 0.25, 0.25]),
    ] {
        let (code, j, err) = optimize(&params, &["--prior", prior, "--kl", "1e6", "--quiet"]);
        assert_eq!(code, 0, "{err}");
        let h = floats(&j, "h");
        assert!(
            h.iter().zip(expected).all(|(a, b)| (a - b).abs() < 1e-3),
            "{prior}: {h:?}"
        );
        assert!(num(&j, "penalized_objective") >= num(&j, "objective") - 1e-12);
    }
    // lambda = 0: the plain optimum, penalized = objective.
    let (code, j, err) = optimize(&params, &["--kl", "0", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let h = floats(&j, "h");
    assert!(
        h.iter().zip(&plain_h).all(|(a, b)| (a - b).abs() < 1e-6),
        "{h:?}"
    );
    assert!((num(&j, "penalized_objective") - num(&j, "objective")).abs() < 1e-12);
    refused(&params, &["--kl", "-1"], "--kl");
    refused(&params, &["--prior", "w7=0.5", "--kl", "1"], "'w7'");
    refused(&params, &["--prior", "w0=2,w1=1", "--kl", "1"], "--prior");
    // Availability: h_i <= available_i * R / T.
    let top = (0..3)
        .max_by(|&a, &b| plain_h[a].total_cmp(&plain_h[b]))
        .unwrap();
    let avail = format!("w{top}=1e9");
    let (code, j, err) = optimize(
        &params,
        &["--available", &avail, "--target-tokens", "1e10", "--quiet"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(floats(&j, "h")[top] <= 0.1 + 1e-9, "{j:?}");
    let (code, j, err) = optimize(
        &params,
        &[
            "--available",
            &avail,
            "--target-tokens",
            "1e10",
            "--max-repeat",
            "2",
            "--quiet",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let h = floats(&j, "h")[top];
    assert!(h <= 0.2 + 1e-9 && h > 0.1 + 1e-6, "{j:?}");
    refused(&params, &["--available", "w0=1e9"], "--target-tokens");
    refused(
        &params,
        &["--available", "w0=1e9", "--target-tokens", "0"],
        "--target-tokens",
    );
    refused(
        &params,
        &["--available", "w1=-1", "--target-tokens", "1e9"],
        "'w1'",
    );
    refused(
        &params,
        &["--available", "x=1e9", "--target-tokens", "1e10"],
        "'x'",
    );
    refused(
        &params,
        &[
            "--available",
            "w0=1e8,w1=1e8,w2=1e8",
            "--target-tokens",
            "1e10",
        ],
        "error: ",
    );
}

#[test]
fn regmix_linear_optimum_is_flagged_as_extrapolation() {
    let Some(dir) = mixlaw_validate::data::for_test("regmix extrapolation") else {
        return;
    };
    let regmix = dir.join("regmix");
    let train = format!(
        "{},{}",
        regmix.join("train_mixture_1m.csv").display(),
        regmix.join("train_pile_loss_1m.csv").display()
    );
    let params = temp("regmix_linear.json", "");
    let (code, out, err) = run(&[
        "fit",
        "--law",
        "linear",
        "--train",
        &train,
        "--join",
        "index",
        "--weights",
        "train_the_pile_*",
        "--loss",
        "metric/the_pile_pile_cc_val_loss",
        "--normalize",
        "--out",
        &params,
        "--json",
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    let t = parse(&out).get("train").cloned().unwrap();
    assert_eq!(num(&t, "rows"), 512.0);
    assert!(
        num(&t, "spearman") > 0.85 && num(&t, "kendall") > 0.65,
        "{t:?}"
    );
    // The linear law's optimum is a corner far outside the 512 training mixtures.
    let (code, j, err) = optimize(&params, &["--quiet"]);
    assert_eq!(code, 0, "{err}");
    let e = j.get("extrapolation").unwrap();
    assert!(num(e, "max_ratio") > 10.0, "{e:?}");
    assert_eq!(e.get("outside_hull"), Some(&Json::Bool(true)));
    assert!(
        warned(&j, "one-hot answer: domain 'train_the_pile_"),
        "{j:?}"
    );
    // --trust 1 keeps every domain within its training range.
    let (code, j, err) = optimize(&params, &["--trust", "1", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let e = j.get("extrapolation").unwrap();
    assert!(num(e, "max_ratio") <= 1.0 + 1e-9, "{e:?}");
    assert_eq!(e.get("domains"), Some(&Json::Array(vec![])));
}
