//! Data in the shapes people keep it (`spec/cli.md`, second edition): mixtures and metrics
//! in two files joined on a key column, weight columns named by a glob, weights rounded in
//! the file (`--sum-tol`), a saved fit's columns reused by `predict`; and the bagged
//! optimum of `optimize --bootstrap-params` in every mode. Last, RegMix's real files.

mod common;

use common::{demo_csv, run, temp};
use mixlaw_cli::Json;

fn parse(out: &str) -> Json {
    mixlaw_validate::json::parse(out).unwrap()
}

fn num(j: &Json, key: &str) -> f64 {
    j.get(key).and_then(Json::as_f64).unwrap_or(f64::NAN)
}

fn numbers(j: &Json, key: &str) -> Vec<f64> {
    match j.get(key) {
        Some(Json::Array(v)) => v.iter().map(|x| x.as_f64().unwrap()).collect(),
        other => panic!("{key}: {other:?}"),
    }
}

/// The demo's CSV split in two: (mixtures `id,w0,w1,w2`, metrics `params,tokens,loss,id`),
/// with data row r keyed `id = 100 + r`. The metrics file lists its rows in reverse, drops
/// the first mixture's row and adds two runs of its own (keys 1 and 2).
fn split(csv: &str) -> (String, String) {
    let mut lines = csv.lines();
    lines.next();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let mut mix = String::from("id,w0,w1,w2\n");
    let mut met = String::from("params,tokens,loss,id\n");
    for (r, c) in rows.iter().enumerate() {
        mix += &format!("{},{},{},{}\n", 100 + r, c[0], c[1], c[2]);
    }
    for (r, c) in rows.iter().enumerate().skip(1).rev() {
        met += &format!("{},{},{},{}\n", c[3], c[4], c[5], 100 + r);
    }
    met += "1e8,1e9,3.0,1\n2e8,1e9,3.0,2\n";
    (mix, met)
}

/// The demo CSV without its first data row (the rows the join of [`split`] keeps).
fn without_first_row(csv: &str) -> String {
    let mut lines: Vec<&str> = csv.lines().collect();
    lines.remove(1);
    lines.join("\n") + "\n"
}

const NDL: [&str; 6] = ["--loss", "loss", "--n", "params", "--d", "tokens"];

fn fit(train: &str, extra: &[&str]) -> (i32, String, String) {
    let mut v = vec!["fit", "--law", "joint", "--train", train];
    v.extend(NDL);
    v.extend(["--quiet", "--starts", "2", "--hops", "2", "--seed", "7"]);
    v.extend(["--n-scale", "1e9", "--d-scale", "1e9", "--json"]);
    v.extend(extra);
    run(&v)
}

/// One `error:` line, exit 2, mentioning `needle`.
fn refused(args: &[&str], needle: &str) {
    let (code, out, err) = run(args);
    assert_eq!(code, 2, "{args:?}: {err}");
    assert!(out.is_empty(), "{args:?}: {out}");
    assert!(
        err.starts_with("error: ") && err.lines().count() == 1 && err.contains(needle),
        "{args:?}: {err}"
    );
}

#[test]
fn join_matches_the_one_file_fit_and_counts_the_rest() {
    let (train, eval) = demo_csv();
    let (mix, met) = split(&train);
    let (mix, met) = (temp("ds_mix.csv", &mix), temp("ds_met.csv", &met));
    let two = format!("{mix},{met}");
    let (emix, emet) = split(&eval);
    let (emix, emet) = (temp("ds_emix.csv", &emix), temp("ds_emet.csv", &emet));
    let eval_two = format!("{emix},{emet}");
    let one = temp("ds_one.csv", &without_first_row(&train));
    let eval_one = temp("ds_eval_one.csv", &without_first_row(&eval));
    let params = temp("ds_joined.json", "");
    let w = ["--weights", "w0,w1,w2"];
    let (code, out, err) = fit(
        &two,
        &[
            &w[..],
            &["--join", "id", "--eval", &eval_two, "--out", &params],
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{err}");
    let joined = parse(&out);
    let (code, out, err) = fit(&one, &[&w[..], &["--eval", &eval_one]].concat());
    assert_eq!(code, 0, "{err}");
    let single = parse(&out);
    // The joined runs are the one file's rows in the mixtures file's order: the same fit,
    // the same predictions in the same order.
    let rows = num(single.get("train").unwrap(), "rows");
    assert_eq!(
        num(joined.get("train").unwrap(), "rows"),
        rows,
        "{joined:?}"
    );
    assert_eq!(num(&joined, "objective"), num(&single, "objective"));
    for part in ["train", "eval"] {
        assert_eq!(
            numbers(joined.get(part).unwrap(), "predictions"),
            numbers(single.get(part).unwrap(), "predictions"),
            "{part}"
        );
    }
    let counts = joined.get("join").unwrap();
    assert_eq!(
        (
            num(counts, "matched"),
            num(counts, "only_first"),
            num(counts, "only_second")
        ),
        (rows, 1.0, 2.0),
        "{counts:?}"
    );
    assert_eq!(num(joined.get("eval_join").unwrap(), "only_first"), 1.0);
    assert!(single.get("join").is_none());
    // predict on joined files: the saved columns supply the mixture, N, D and the loss.
    let (code, out, err) = run(&[
        "predict", "--params", &params, "--csv", &eval_two, "--join", "id", "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let p = parse(&out);
    assert_eq!(
        numbers(&p, "predictions"),
        numbers(joined.get("eval").unwrap(), "predictions")
    );
    assert_eq!(
        num(p.get("metrics").unwrap(), "mre"),
        num(joined.get("eval").unwrap(), "mre")
    );
    assert_eq!(num(p.get("join").unwrap(), "only_second"), 2.0);
    // select reads joined files too.
    let (code, out, err) = run(&[
        "select",
        "--train",
        &two,
        "--join",
        "id",
        "--weights",
        "w0,w1,w2",
        "--loss",
        "loss",
        "--n",
        "params",
        "--d",
        "tokens",
        "--laws",
        "chinchilla",
        "--folds",
        "2",
        "--json",
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    let s = parse(&out);
    assert_eq!(num(&s, "rows"), rows);
    assert_eq!(num(s.get("join").unwrap(), "matched"), rows);
    // Text output states the counts.
    let (code, out, err) = run(&[
        "fit",
        "--law",
        "linear",
        "--train",
        &two,
        "--join",
        "id",
        "--weights",
        "w0,w1,w2",
        "--loss",
        "loss",
    ]);
    assert_eq!(code, 0, "{err}");
    let line = format!(
        "train join: {} rows matched, 1 only in the first file, 2 only in the second",
        rows as usize
    );
    assert!(out.contains(&line), "{out}");
}

#[test]
fn join_errors_name_the_key() {
    let mix = temp("ds_e_mix.csv", "id,w0,w1\n1,0.5,0.5\n2,0.25,0.75\n3,1,0\n");
    let met = temp("ds_e_met.csv", "id,loss\n1,2.0\n2,2.5\n3,2.2\n");
    let dup1 = temp("ds_e_dup1.csv", "id,w0,w1\n1,0.5,0.5\n2,0.25,0.75\n1,1,0\n");
    let dup2 = temp("ds_e_dup2.csv", "id,loss\n1,2.0\n7,2.5\n7,2.2\n");
    let nokey = temp("ds_e_nokey.csv", "run,loss\n1,2.0\n");
    let badw = temp("ds_e_badw.csv", "id,w0,w1\n1,0.5,0.5\n2,0.25,0.75\n3,x,0\n");
    let two = |a: &str, b: &str| format!("{a},{b}");
    let fit = |train: String, extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "fit",
            "--law",
            "linear",
            "--train",
            &train,
            "--weights",
            "w0,w1",
            "--loss",
            "loss",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (fit(two(&dup1, &met), &["--join", "id"]), "id=1 twice"),
        (fit(two(&mix, &dup2), &["--join", "id"]), "id=7 twice"),
        (
            fit(two(&mix, &nokey), &["--join", "id"]),
            "has no column 'id'",
        ),
        (fit(two(&mix, &met), &["--join", "index"]), "'index'"),
        (fit(mix.clone(), &["--join", "id"]), "needs two files"),
        (
            fit(format!("{mix},{met},{met}"), &["--join", "id"]),
            "needs two files",
        ),
        (fit(two(&mix, &met), &[]), "need --join COL"),
        (
            fit(two(&mix, "/nonexistent/ds.csv"), &["--join", "id"]),
            "/nonexistent/ds.csv",
        ),
        // Cell errors in a joined table name the row by its key.
        (fit(two(&badw, &met), &["--join", "id"]), "row id=3"),
        (
            vec![
                "predict".into(),
                "--params".into(),
                "/nonexistent/p.json".into(),
                "--csv".into(),
                two(&mix, &met),
            ],
            "p.json",
        ),
    ];
    for (args, needle) in cases {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(&refs, needle);
    }
    // A key missing from the second file is counted, not an error.
    let short = temp("ds_e_short.csv", "id,loss\n1,2.0\n3,2.2\n");
    let args = fit(two(&mix, &short), &["--join", "id", "--json"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = run(&refs);
    assert_eq!(code, 0, "{err}");
    let j = parse(&out);
    assert_eq!(num(j.get("join").unwrap(), "only_first"), 1.0);
    assert_eq!(num(j.get("train").unwrap(), "rows"), 2.0);
}

#[test]
fn a_weights_glob_names_the_matching_columns_in_file_order() {
    let text = "loss,x_c,x_a,other,x_b\n2.0,0.2,0.5,9,0.3\n2.5,0.6,0.2,9,0.2\n2.2,0.1,0.1,9,0.8\n2.1,0.3,0.3,9,0.4\n";
    let file = temp("ds_glob.csv", text);
    let params = temp("ds_glob.json", "");
    let fit = |weights: &str, out: Option<&str>| {
        let mut v = vec![
            "fit",
            "--law",
            "linear",
            "--train",
            &file,
            "--weights",
            weights,
            "--loss",
            "loss",
            "--json",
        ];
        if let Some(p) = out {
            v.extend(["--out", p]);
        }
        run(&v)
    };
    let (code, by_glob, err) = fit("x_*", Some(&params));
    assert_eq!(code, 0, "{err}");
    let (code, by_name, err) = fit("x_c,x_a,x_b", None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(parse(&by_glob).get("params"), parse(&by_name).get("params"));
    let saved = parse(&std::fs::read_to_string(&params).unwrap());
    assert_eq!(
        saved.get("domains"),
        Some(&Json::Array(
            ["x_c", "x_a", "x_b"]
                .iter()
                .map(|&n| Json::from(n))
                .collect()
        ))
    );
    // predict matches a glob against the saved names as a set.
    let (code, out, err) = run(&[
        "predict",
        "--params",
        &params,
        "--csv",
        &file,
        "--weights",
        "x_?",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        numbers(&parse(&out), "predictions"),
        numbers(parse(&by_glob).get("train").unwrap(), "predictions")
    );
    refused(
        &[
            "fit",
            "--law",
            "linear",
            "--train",
            &file,
            "--weights",
            "y_*",
            "--loss",
            "loss",
        ],
        "'y_*' matches no column",
    );
    refused(
        &[
            "fit",
            "--law",
            "linear",
            "--train",
            &file,
            "--weights",
            "x_*,x_a",
            "--loss",
            "loss",
        ],
        "'x_a' twice",
    );
    // A glob that catches a column that is no weight: its cells are checked as weights.
    refused(
        &[
            "fit",
            "--law",
            "linear",
            "--train",
            &file,
            "--weights",
            "*",
            "--loss",
            "loss",
        ],
        "the weights sum to",
    );
}

#[test]
fn sum_tol_accepts_rounded_weights_as_given() {
    let (train, _) = demo_csv();
    // Round every weight to 3 decimals (as RegMix's files are).
    let mut rounded = String::new();
    for (i, line) in train.lines().enumerate() {
        if i == 0 {
            rounded += line;
        } else {
            let c: Vec<&str> = line.split(',').collect();
            let w: Vec<String> = c[..3]
                .iter()
                .map(|v| format!("{:.3}", v.parse::<f64>().unwrap()))
                .collect();
            rounded += &format!("{},{}", w.join(","), c[3..].join(","));
        }
        rounded += "\n";
    }
    let weights: Vec<Vec<f64>> = rounded
        .lines()
        .skip(1)
        .map(|l| l.split(',').take(3).map(|v| v.parse().unwrap()).collect())
        .collect();
    let worst = weights
        .iter()
        .map(|h| (h.iter().sum::<f64>() - 1.0).abs())
        .fold(0.0, f64::max);
    assert!(worst > 1e-6 && worst < 1e-2, "{worst}");
    let file = temp("ds_rounded.csv", &rounded);
    let w = ["--weights", "w0,w1,w2"];
    let (code, _, err) = fit(&file, &w);
    assert_eq!(code, 2);
    assert!(
        err.contains("--sum-tol") && err.lines().count() == 1,
        "{err}"
    );
    let params = temp("ds_rounded.json", "");
    let (code, out, err) = fit(
        &file,
        &[&w[..], &["--sum-tol", "1e-2", "--out", &params]].concat(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(num(parse(&out).get("train").unwrap(), "mre") < 1.0, "{out}");
    // train_support records the weights as used: as given, not rescaled.
    let saved = parse(&std::fs::read_to_string(&params).unwrap());
    let support = saved.get("train_support").unwrap();
    for (d, key) in [(0, "min_weight"), (1, "max_weight")] {
        let got = numbers(support, key);
        for (i, g) in got.iter().enumerate() {
            let column = weights.iter().map(|h| h[i]);
            let want = if d == 0 {
                column.fold(f64::INFINITY, f64::min)
            } else {
                column.fold(f64::NEG_INFINITY, f64::max)
            };
            assert_eq!(*g, want, "{key}[{i}]");
        }
    }
    let Some(Json::Array(set)) = support.get("mixture_set") else {
        panic!("{support:?}")
    };
    let sums: Vec<f64> = set
        .iter()
        .map(|m| match m {
            Json::Array(v) => v.iter().map(|x| x.as_f64().unwrap()).sum(),
            _ => panic!(),
        })
        .collect();
    assert!(sums.iter().any(|s| (s - 1.0).abs() > 1e-6), "{sums:?}");
    // The saved fit still optimises (its support holds the rounded mixtures).
    let (code, _, err) = run(&[
        "optimize", "--params", &params, "--n", "7e9", "--d", "1.5e11",
    ]);
    assert_eq!(code, 0, "{err}");
    // --normalize rescales instead (and --sum-tol beside it is flagged as unused).
    let normalized = temp("ds_normalized.json", "");
    let (code, _, err) = run(&[
        "fit",
        "--law",
        "linear",
        "--train",
        &file,
        "--weights",
        "w0,w1,w2",
        "--loss",
        "loss",
        "--normalize",
        "--sum-tol",
        "1e-2",
        "--out",
        &normalized,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning: --sum-tol is not used with --normalize"),
        "{err}"
    );
    let saved = parse(&std::fs::read_to_string(&normalized).unwrap());
    let Some(Json::Array(set)) = saved.get("train_support").unwrap().get("mixture_set") else {
        panic!()
    };
    for m in set {
        let Json::Array(v) = m else { panic!() };
        let s: f64 = v.iter().map(|x| x.as_f64().unwrap()).sum();
        assert!((s - 1.0).abs() < 1e-12, "{s}");
    }
    // --sum-tol on a law without a mixture is accepted with a warning.
    let (code, _, err) = run(&[
        "fit",
        "--law",
        "chinchilla",
        "--train",
        &file,
        "--loss",
        "loss",
        "--n",
        "params",
        "--d",
        "tokens",
        "--sum-tol",
        "1e-2",
        "--starts",
        "2",
        "--hops",
        "1",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning: --sum-tol is not used"), "{err}");
    // A tolerance must be a finite number >= 0.
    for bad in ["-1e-3", "nan", "inf", "abc"] {
        refused(
            &[
                "fit",
                "--law",
                "linear",
                "--train",
                &file,
                "--weights",
                "w0,w1,w2",
                "--loss",
                "loss",
                &format!("--sum-tol={bad}"),
            ],
            "--sum-tol",
        );
    }
}

#[test]
fn predict_reads_the_saved_columns() {
    let (train, eval) = demo_csv();
    let (train, eval) = (
        temp("ds_sc_train.csv", &train),
        temp("ds_sc_eval.csv", &eval),
    );
    let params = temp("ds_sc.json", "");
    let (code, out, err) = fit(
        &train,
        &["--weights", "w0,w1,w2", "--eval", &eval, "--out", &params],
    );
    assert_eq!(code, 0, "{err}");
    let fitted = parse(&out);
    let saved = parse(&std::fs::read_to_string(&params).unwrap());
    let columns = saved.get("columns").unwrap();
    for (role, col) in [("loss", "loss"), ("n", "params"), ("d", "tokens")] {
        assert_eq!(columns.get(role).and_then(Json::as_str), Some(col));
    }
    // No column flag at all: the saved names serve.
    let (code, out, err) = run(&["predict", "--params", &params, "--csv", &eval, "--json"]);
    assert_eq!(code, 0, "{err}");
    let p = parse(&out);
    let e = fitted.get("eval").unwrap();
    assert_eq!(numbers(&p, "predictions"), numbers(e, "predictions"));
    assert_eq!(num(p.get("metrics").unwrap(), "mre"), num(e, "mre"));
    // A flag given wins over the saved name: N from another column is another prediction.
    let doubled: String = std::fs::read_to_string(&eval)
        .unwrap()
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let c: Vec<&str> = l.split(',').collect();
            let big = if i == 0 {
                "params2".to_string()
            } else {
                format!("{}", 2.0 * c[3].parse::<f64>().unwrap())
            };
            format!("{l},{big}\n")
        })
        .collect();
    let doubled = temp("ds_sc_doubled.csv", &doubled);
    let (code, out, err) = run(&[
        "predict", "--params", &params, "--csv", &doubled, "--n", "params2", "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let bigger = numbers(&parse(&out), "predictions");
    let same = numbers(e, "predictions");
    assert!(
        bigger.iter().zip(&same).all(|(b, s)| b < s),
        "a larger model predicts a lower loss"
    );
    // A saved column the file lacks is an error naming it.
    let no_n: String = std::fs::read_to_string(&eval)
        .unwrap()
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            format!("{},{},{},{},{}\n", c[0], c[1], c[2], c[4], c[5])
        })
        .collect();
    let no_n = temp("ds_sc_no_n.csv", &no_n);
    refused(
        &["predict", "--params", &params, "--csv", &no_n],
        "no column 'params'",
    );
}

#[test]
fn bagged_optimum_in_every_mode() {
    let (train, _) = demo_csv();
    let train = temp("ds_bag_train.csv", &train);
    let params = temp("ds_bag.json", "");
    let dir = std::env::temp_dir()
        .join(format!("mixlaw-ds-bag-{}", std::process::id()))
        .to_string_lossy()
        .into_owned();
    let (code, _, err) = fit(
        &train,
        &[
            "--weights",
            "w0,w1,w2",
            "--out",
            &params,
            "--bootstrap",
            "6",
            "--bootstrap-out",
            &dir,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let optimize = |extra: &[&str]| {
        let mut v = vec![
            "optimize",
            "--params",
            &params,
            "--n",
            "7e9",
            "--d",
            "1.5e11",
            "--bootstrap-params",
            &dir,
            "--quiet",
        ];
        v.extend(extra);
        run(&v)
    };
    let uniform = [1.0 / 3.0; 3];
    let distance = |h: &[f64], to: &[f64]| {
        h.iter()
            .zip(to)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    };
    // Without --kl: the mean of the six optima, on the simplex, near h*.
    let (code, out, err) = optimize(&["--json"]);
    assert_eq!(code, 0, "{err}");
    let plain = parse(&out);
    let bagged = numbers(&plain, "h_bagged");
    assert!(
        (bagged.iter().sum::<f64>() - 1.0).abs() < 1e-9,
        "{bagged:?}"
    );
    assert!(distance(&bagged, &uniform) > 0.05, "{bagged:?}");
    assert!(distance(&bagged, &numbers(&plain, "h")) < 0.2, "{out}");
    // Text mode prints it.
    let (code, out, err) = optimize(&[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("h_bagged = ["), "{out}");
    // With --kl each resample solves the same penalised problem as h*: a strong pull to
    // the uniform prior moves h* and the bagged optimum alike.
    let (code, out, err) = optimize(&["--kl", "1e3", "--json"]);
    assert_eq!(code, 0, "{err}");
    let pulled = parse(&out);
    let h = numbers(&pulled, "h");
    let bagged = numbers(&pulled, "h_bagged");
    assert!(distance(&h, &uniform) < 1e-2, "{h:?}");
    assert!(distance(&bagged, &uniform) < 1e-2, "{bagged:?}");
    // And with the limits of the point optimum (here a cap from --max-weights).
    let (code, out, err) = optimize(&["--max-weights", "w0=0.2", "--json"]);
    assert_eq!(code, 0, "{err}");
    let capped = numbers(&parse(&out), "h_bagged");
    assert!(capped[0] <= 0.2 + 1e-9, "{capped:?}");
}

/// RegMix's files as they are: 17 mixture columns `train_the_pile_*` rounded to 3
/// decimals, the losses in another file, joined on `index`.
#[test]
fn regmix_fits_from_its_own_two_files() {
    let Some(dir) = mixlaw_validate::data::for_test("regmix join") else {
        return;
    };
    let r = dir.join("regmix");
    let pair = |a: &str, b: &str| {
        format!(
            "{},{}",
            r.join(a).to_string_lossy(),
            r.join(b).to_string_lossy()
        )
    };
    let train = pair("train_mixture_1m.csv", "train_pile_loss_1m.csv");
    let fit = |eval: &str, extra: &[&str]| {
        let mut v = vec![
            "fit",
            "--law",
            "linear",
            "--train",
            &train,
            "--eval",
            eval,
            "--join",
            "index",
            "--weights",
            "train_the_pile_*",
            "--loss",
            "metric/the_pile_pile_cc_val_loss",
            "--loss-fn",
            "squared",
            "--json",
            "--quiet",
        ];
        v.extend(extra);
        run(&v)
    };
    // Without a tolerance the rounded weights are refused, naming the row by its index.
    let one_m = pair("test_mixture_1m.csv", "test_pile_loss_1m.csv");
    let (code, _, err) = fit(&one_m, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("row index=") && err.contains("--sum-tol"),
        "{err}"
    );
    // Least squares on the 17 weights; Spearman on the test runs beside the README's
    // ordinary least squares (17 weights + intercept, Python): 90.21, 89.33, 87.66 %.
    for (mix, loss, runs, published) in [
        (
            "test_mixture_1m.csv",
            "test_pile_loss_1m.csv",
            256.0,
            0.9021,
        ),
        (
            "test_mixture_60m.csv",
            "test_pile_loss_60m.csv",
            256.0,
            0.8933,
        ),
        ("test_mixture_1B.csv", "test_pile_loss_1B.csv", 64.0, 0.8766),
    ] {
        let (code, out, err) = fit(&pair(mix, loss), &["--sum-tol", "1e-2"]);
        assert_eq!(code, 0, "{err}");
        let j = parse(&out);
        assert_eq!(j.get("domains").and_then(Json::as_f64), Some(17.0));
        let counts = j.get("join").unwrap();
        assert_eq!(
            (
                num(counts, "matched"),
                num(counts, "only_first"),
                num(counts, "only_second")
            ),
            (512.0, 0.0, 0.0)
        );
        assert_eq!(num(j.get("eval_join").unwrap(), "matched"), runs);
        assert_eq!(num(j.get("train").unwrap(), "rows"), 512.0);
        let rho = num(j.get("eval").unwrap(), "spearman");
        assert!(
            (rho - published).abs() < 5e-3,
            "{mix}: {rho} vs {published}"
        );
    }
    // Mixtures of the 512 training runs against the 256 test losses: the same index values
    // 1..256 join, the other 256 mixtures are counted.
    let crossed = pair("train_mixture_1m.csv", "test_pile_loss_1m.csv");
    let (code, out, err) = run(&[
        "fit",
        "--law",
        "linear",
        "--train",
        &crossed,
        "--join",
        "index",
        "--weights",
        "train_the_pile_*",
        "--loss",
        "metric/the_pile_pile_cc_val_loss",
        "--normalize",
        "--json",
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    let counts = parse(&out).get("join").cloned().unwrap();
    assert_eq!(
        (
            num(&counts, "matched"),
            num(&counts, "only_first"),
            num(&counts, "only_second")
        ),
        (256.0, 256.0, 0.0)
    );
}
