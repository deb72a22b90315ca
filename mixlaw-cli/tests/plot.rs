//! `mixlaw plot fit|optimum`: the SVG files written (a minimal parse: the root element, one
//! circle per run, one filled area per domain), their agreement with `predict` and
//! `optimize`, and the errors.

mod common;

use common::{demo_csv, run, temp, COLS};
use mixlaw_cli::Json;

fn parse(out: &str) -> Json {
    mixlaw_validate::json::parse(out).unwrap()
}

/// Fits `law` on the demo's training runs (small search); returns (params, train CSV, rows).
fn fitted(law: &str, tag: &str) -> (String, String, usize) {
    let (train, _) = demo_csv();
    let rows = train.lines().count() - 1;
    let train = temp(&format!("plot_{tag}_train.csv"), &train);
    let params = temp(&format!("plot_{tag}.json"), "");
    let mut args = vec!["fit", "--law", law, "--train", &train];
    let cols: Vec<&str> = if law == "ye-m4" {
        COLS[..4].to_vec()
    } else {
        COLS.to_vec()
    };
    args.extend(cols);
    args.extend(["--quiet", "--starts", "2", "--hops", "1", "--out", &params]);
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    (params, train, rows)
}

/// The SVG document at `path`, checked minimally: one root `<svg ...>` element closed at
/// the end, with a width and a height; returns its text.
fn svg(path: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let body = text.trim();
    let body = match body.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").unwrap().1.trim_start(),
        None => body,
    };
    assert!(body.starts_with("<svg "), "no root <svg: {}", &body[..40]);
    assert!(body.ends_with("</svg>"), "the root is not closed");
    assert_eq!(body.matches("<svg").count(), 1);
    let head = &body[..body.find('>').unwrap()];
    assert!(head.contains("width=\"") && head.contains("height=\""));
    assert!(head.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    // Every element is closed: self-closing or with its end tag.
    let opened = body.matches('<').count() - body.matches("</").count();
    let closed = body.matches("/>").count() + body.matches("</").count();
    assert_eq!(opened, closed, "unbalanced elements");
    text
}

/// The value of attribute `name` in each element `tag` of `text`.
fn attributes(text: &str, tag: &str, name: &str) -> Vec<f64> {
    text.split(&format!("<{tag} "))
        .skip(1)
        .map(|e| {
            let e = format!(" {e}");
            let at = e.find(&format!(" {name}=\"")).map(|i| i + name.len() + 3);
            let rest = &e[at.unwrap_or_else(|| panic!("<{tag}> without {name}"))..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

#[test]
fn plot_fit_draws_one_mark_per_run_coloured_by_model_size() {
    let (params, train, rows) = fitted("joint", "fit");
    let out = temp("plot_fit.svg", "");
    let (code, stdout, err) = run(&[
        "plot", "fit", "--params", &params, "--csv", &train, COLS[0], COLS[1], COLS[2], COLS[3],
        COLS[4], COLS[5], COLS[6], COLS[7], "--out", &out, "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let j = parse(&stdout);
    assert_eq!(j.get("marks").and_then(Json::as_f64), Some(rows as f64));
    let text = svg(&out);
    assert_eq!(text.matches("<circle").count(), rows);
    // Marks lie inside the picture.
    let width = 900.0;
    for x in attributes(&text, "circle", "cx") {
        assert!((0.0..=width).contains(&x), "cx {x}");
    }
    // One colour per distinct model size of the CSV.
    let (train_text, _) = demo_csv();
    let mut sizes: Vec<&str> = train_text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap())
        .collect();
    sizes.sort();
    sizes.dedup();
    let listed = match j.get("model_sizes") {
        Some(Json::Array(a)) => a.len(),
        _ => panic!("no model_sizes"),
    };
    assert_eq!(listed, sizes.len());
    let fills: std::collections::BTreeSet<&str> = text
        .split("<circle ")
        .skip(1)
        .map(|e| {
            let f = &e[e.find(" fill=\"").unwrap() + 7..];
            &f[..f.find('"').unwrap()]
        })
        .collect();
    assert_eq!(fills.len(), sizes.len(), "colours {fills:?}");
    // Without column flags the saved fit's columns are used: the same picture.
    let again = temp("plot_fit_saved_columns.svg", "");
    let (code, _, err) = run(&[
        "plot", "fit", "--params", &params, "--csv", &train, "--out", &again,
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&again).unwrap(), text);
    // The observed axis: a mark's x grows with its observed loss (the identity line is
    // the diagonal), and the same predictions as `predict`.
    let (code, p, _) = run(&[
        "predict", "--params", &params, "--csv", &train, COLS[4], COLS[5], COLS[6], COLS[7],
        COLS[0], COLS[1], "--json",
    ]);
    assert_eq!(code, 0);
    let pred = match parse(&p).get("predictions") {
        Some(Json::Array(a)) => a.iter().map(|v| v.as_f64().unwrap()).collect::<Vec<_>>(),
        _ => panic!(),
    };
    let cy = attributes(&text, "circle", "cy");
    let (lo, hi) = (0..rows).fold((0, 0), |(lo, hi), i| {
        (
            if pred[i] < pred[lo] { i } else { lo },
            if pred[i] > pred[hi] { i } else { hi },
        )
    });
    // SVG y grows downwards: the largest prediction is the highest mark.
    assert!(cy[hi] < cy[lo]);
}

#[test]
fn plot_optimum_stacks_the_optimize_answer_over_a_sweep() {
    let (params, _, _) = fitted("joint", "opt");
    let out = temp("plot_opt.svg", "");
    let (code, stdout, err) = run(&[
        "plot",
        "optimum",
        "--params",
        &params,
        "--n-range",
        "1e8:1e10",
        "--d-range",
        "1e9:1e11",
        "--points",
        "5",
        "--min-weight",
        "0.02",
        "--out",
        &out,
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let text = svg(&out);
    // One filled area per domain (3), each with 2 x 5 corners.
    assert_eq!(text.matches("<polygon").count(), 3);
    for poly in text.split("<polygon ").skip(1) {
        let points = &poly[poly.find("points=\"").unwrap() + 8..];
        let points = &points[..points.find('"').unwrap()];
        assert_eq!(points.split_whitespace().count(), 10);
    }
    let j = parse(&stdout);
    let points = match j.get("points") {
        Some(Json::Array(a)) => a.clone(),
        _ => panic!("no points"),
    };
    assert_eq!(points.len(), 5);
    let n: Vec<f64> = points
        .iter()
        .map(|p| p.get("n").unwrap().as_f64().unwrap())
        .collect();
    assert!((n[0] - 1e8).abs() < 1e-3 && (n[4] - 1e10).abs() < 1e-1);
    assert!((n[2] - 1e9).abs() < 1e-3 * 1e9, "log-spaced: {n:?}");
    // Each point is `optimize`'s answer at that budget.
    for p in [&points[0], &points[2]] {
        let (nn, d) = (
            p.get("n").unwrap().as_f64().unwrap(),
            p.get("d").unwrap().as_f64().unwrap(),
        );
        let (ns, ds) = (format!("{nn}"), format!("{d}"));
        let (code, o, _) = run(&[
            "optimize",
            "--params",
            &params,
            "--n",
            &ns,
            "--d",
            &ds,
            "--min-weight",
            "0.02",
            "--json",
            "--quiet",
        ]);
        assert_eq!(code, 0);
        let want = parse(&o).get("h").unwrap().clone();
        let got = p.get("h").unwrap();
        assert_eq!(got, &want);
        let h: Vec<f64> = match got {
            Json::Array(a) => a.iter().map(|v| v.as_f64().unwrap()).collect(),
            _ => panic!(),
        };
        assert!((h.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(h.iter().all(|v| *v >= 0.02 - 1e-12));
    }
}

#[test]
fn plot_errors_are_one_line_with_exit_2() {
    let (params, train, _) = fitted("joint", "err");
    let (ye, _, _) = fitted("ye-m4", "err_ye");
    let out = temp("plot_err.svg", "");
    // Runs without any observed loss (the saved loss column is absent from the file).
    let unobserved = temp(
        "plot_err_unobserved.csv",
        &std::fs::read_to_string(&train)
            .unwrap()
            .replacen(",loss\n", ",later\n", 1),
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        // No --out.
        (
            vec!["plot", "fit", "--params", &params, "--csv", &train],
            "--out",
        ),
        (
            vec![
                "plot",
                "optimum",
                "--params",
                &params,
                "--n-range",
                "1e8:1e9",
            ],
            "--out",
        ),
        // A law without N.
        (
            vec![
                "plot",
                "optimum",
                "--params",
                &ye,
                "--n-range",
                "1e8:1e9",
                "--out",
                &out,
            ],
            "has no N",
        ),
        // A law of D without --d or --d-range.
        (
            vec![
                "plot",
                "optimum",
                "--params",
                &params,
                "--n-range",
                "1e8:1e9",
                "--out",
                &out,
            ],
            "--d-range",
        ),
        // --n and --n-range together; a bad range; too few points.
        (
            vec![
                "plot",
                "optimum",
                "--params",
                &params,
                "--n",
                "1e9",
                "--n-range",
                "1e8:1e9",
                "--out",
                &out,
            ],
            "--n",
        ),
        (
            vec![
                "plot",
                "optimum",
                "--params",
                &params,
                "--n-range",
                "1e9:1e8",
                "--d",
                "1e9",
                "--out",
                &out,
            ],
            "0 < A < B",
        ),
        (
            vec![
                "plot",
                "optimum",
                "--params",
                &params,
                "--n-range",
                "1e8:1e9",
                "--d",
                "1e9",
                "--points",
                "1",
                "--out",
                &out,
            ],
            "--points",
        ),
        // Not an SVG name; no observed loss (no --loss, and the saved loss column absent).
        (
            vec![
                "plot", "fit", "--params", &params, "--csv", &train, "--loss", "loss", "--out",
                "pic.pdf",
            ],
            "SVG",
        ),
        (
            vec![
                "plot",
                "fit",
                "--params",
                &params,
                "--csv",
                &unobserved,
                "--out",
                &out,
            ],
            "--loss",
        ),
    ];
    for (args, says) in cases {
        let (code, stdout, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(stdout.is_empty());
        let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(lines.len(), 1, "{args:?}: {err}");
        assert!(lines[0].contains(says), "{args:?}: {err}");
    }
    // No file was left behind by the failures.
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "");
}

#[test]
fn plot_help_lists_the_flags_each_subcommand_accepts() {
    let (code, help, _) = run(&["plot", "optimum", "--help"]);
    assert_eq!(code, 0);
    let flags: Vec<&str> = help
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("--"))
        .map(|l| l.split([' ', '<']).next().unwrap())
        .collect();
    for f in [
        "params",
        "target-weights",
        "d",
        "min-weight",
        "max-weights",
        "min-weights",
        "trust",
        "prior",
        "kl",
        "available",
        "target-tokens",
        "max-repeat",
        "n-range",
        "d-range",
        "points",
        "out",
    ] {
        assert!(
            flags.contains(&f),
            "plot optimum --help lacks --{f}: {flags:?}"
        );
    }
    // Swept (--n) or not drawn (--bootstrap-params): refused, so not listed.
    for f in ["n", "bootstrap-params"] {
        assert!(!flags.contains(&f), "plot optimum --help lists --{f}");
    }
    let (code, help, _) = run(&["help", "plot", "fit"]);
    assert_eq!(code, 0);
    for f in [
        "--params",
        "--csv",
        "--weights",
        "--loss",
        "--n ",
        "--d ",
        "--out",
    ] {
        assert!(help.contains(f), "plot fit help lacks {f}");
    }
}

#[test]
fn plot_optimum_draws_a_capacity_law_through_its_optimize_path() {
    use mixlaw_core::capacity::{CapacityLaw, Head};
    use mixlaw_core::Law;
    // A saved eq 3 fit (the parameters of capacity_cli.rs's generating law).
    let law = CapacityLaw::eq3(3, Head::Fitted).unwrap();
    let values = [
        0.3, 0.5, 0.4, 2.0, 4.0, 3.0, 1.0, 2.0, 1.5, 0.3, 0.4, 0.5, 1.5, 1.0, 2.0, 0.5,
    ];
    let named: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("\"{}\": {v}", law.param_info(i).unwrap().name))
        .collect();
    let params = temp(
        "plot_cap.json",
        &format!(
            "{{\"law\": \"capacity-eq3\", \"domains\": 3, \"params\": {{{}}}, \"n_scale\": 1e8, \"d_scale\": 1e9}}",
            named.join(", ")
        ),
    );
    let out = temp("plot_cap.svg", "");
    let (code, stdout, err) = run(&[
        "plot",
        "optimum",
        "--params",
        &params,
        "--n-range",
        "1e8:1e10",
        "--d-range",
        "1e9:1e11",
        "--points",
        "3",
        "--out",
        &out,
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(svg(&out).matches("<polygon").count(), 3);
    let points = match parse(&stdout).get("points") {
        Some(Json::Array(a)) => a.clone(),
        _ => panic!("no points"),
    };
    for p in &points {
        let (n, d) = (
            p.get("n").unwrap().as_f64().unwrap(),
            p.get("d").unwrap().as_f64().unwrap(),
        );
        let (ns, ds) = (format!("{n}"), format!("{d}"));
        let (code, o, e) = run(&[
            "optimize", "--params", &params, "--n", &ns, "--d", &ds, "--json",
        ]);
        assert_eq!(code, 0, "{e}");
        assert_eq!(p.get("h").unwrap(), parse(&o).get("h").unwrap());
    }
    // The budget moves h*.
    assert_ne!(points[0].get("h"), points[2].get("h"));
}

#[test]
fn plot_fit_draws_a_capacity_law_one_mark_per_scored_entry() {
    use mixlaw_core::capacity::{CapacityLaw, Head};
    use mixlaw_core::{Law, LawExt, Point, Scales};
    let law = CapacityLaw::eq3(3, Head::Fitted).unwrap();
    let values = [
        0.3, 0.5, 0.4, 2.0, 4.0, 3.0, 1.0, 2.0, 1.5, 0.3, 0.4, 0.5, 1.5, 1.0, 2.0, 0.5,
    ];
    let named: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("\"{}\": {v}", law.param_info(i).unwrap().name))
        .collect();
    let params = temp(
        "plot_capfit.json",
        &format!(
            "{{\"law\": \"capacity-eq3\", \"domains\": 3, \"params\": {{{}}}, \"n_scale\": 1e8, \"d_scale\": 1e9}}",
            named.join(", ")
        ),
    );
    // 12 runs at two sizes; run 5 leaves out domain 2 (masked under eq 3), run 8 has an
    // empty loss cell: 12 x 3 - 2 scored entries.
    let mut csv = String::from("h_a,h_b,h_c,params,tokens,loss_a,loss_b,loss_c\n");
    for r in 0..12 {
        let x = (r as f64 * 0.618).fract();
        let raw = [0.2 + x, 0.3, if r == 5 { 0.0 } else { 1.1 - x }];
        let sum: f64 = raw.iter().sum();
        let h = raw.map(|v| v / sum);
        let n = if r % 2 == 0 { 1e8 } else { 4e8 };
        let mut l = [0.0; 3];
        law.values(
            &values,
            &Point::new(&h, n, 2e9).unwrap(),
            Scales { n: 1e8, d: 1e9 },
            &mut l,
        )
        .unwrap();
        let loss = |j: usize| {
            if r == 5 && j == 2 || r == 8 && j == 0 {
                String::new()
            } else {
                format!("{}", l[j] * 1.01)
            }
        };
        csv += &format!(
            "{},{},{},{n},2e9,{},{},{}\n",
            h[0],
            h[1],
            h[2],
            loss(0),
            loss(1),
            loss(2)
        );
    }
    let csv = temp("plot_capfit.csv", &csv);
    let out = temp("plot_capfit.svg", "");
    let (code, stdout, err) = run(&[
        "plot",
        "fit",
        "--params",
        &params,
        "--csv",
        &csv,
        "--weights",
        "h_a,h_b,h_c",
        "--loss",
        "loss_a,loss_b,loss_c",
        "--n",
        "params",
        "--d",
        "tokens",
        "--out",
        &out,
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let text = svg(&out);
    assert_eq!(text.matches("<circle").count(), 34);
    assert_eq!(
        parse(&stdout).get("marks").and_then(Json::as_f64),
        Some(34.0)
    );
    // The observed losses are the law's times 1.01: the caption's MRE is 0.01 / 1.01.
    assert!(text.contains("34 entries, MRE 0.990 %"), "caption");
}
