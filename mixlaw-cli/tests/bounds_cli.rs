//! `fit --bound NAME=LO:HI` (spec/cli.md, "Constraints on fitted parameters"): bounds kept
//! exactly, `"active_bounds"` naming the parameters at one, patterns, errors; and how they
//! combine with a law's recommended bounds (`--no-bounds`).

mod common;

use common::{demo_csv, run, temp, COLS};
use mixlaw_cli::Json;

/// `fit --law LAW` on the demo runs with `extra` flags: (exit code, JSON, stderr).
fn fit(law: &str, extra: &[&str]) -> (i32, Json, String) {
    let (train, _) = demo_csv();
    // One file per call: the tests of this binary run in parallel.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let train = temp(&format!("bounds_{law}_{call}.csv"), &train);
    let mut args = vec!["fit", "--law", law, "--train", &train, "--json"];
    args.extend(COLS);
    args.extend(["--starts", "4", "--hops", "1"]);
    args.extend(extra);
    let (code, out, err) = run(&args);
    let j = mixlaw_validate::json::parse(&out).unwrap_or(Json::Null);
    (code, j, err)
}

fn param(j: &Json, name: &str) -> f64 {
    j.get("params")
        .and_then(|p| p.get(name))
        .and_then(Json::as_f64)
        .unwrap_or(f64::NAN)
}

fn active(j: &Json) -> Vec<String> {
    match j.get("active_bounds") {
        Some(Json::Array(a)) => a.iter().map(|v| v.as_str().unwrap().to_string()).collect(),
        other => panic!("no active_bounds list: {other:?}"),
    }
}

#[test]
fn bounds_are_kept_exactly_and_reported_when_active() {
    let (code, free, err) = fit("additive", &["--quiet"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        active(&free).is_empty(),
        "nothing bounded, nothing at a bound"
    );
    let max_loss = demo_csv()
        .0
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
        .fold(0.0, f64::max);
    // additive is E plus positive terms: with E held above every observed loss, the fit
    // presses E against the bound's lower side.
    let (lo, hi) = (2.0 * max_loss, 3.0 * max_loss);
    let spec = format!("E={lo}:{hi}");
    let (code, j, err) = fit("additive", &["--quiet", "--bound", &spec]);
    assert_eq!(code, 0, "{err}");
    let e = param(&j, "E");
    assert!(e >= lo && e <= lo * (1.0 + 1e-6), "E = {e}, bound {spec}");
    assert_eq!(active(&j), ["E"]);

    // A pattern bounds the whole block; repeated flags combine.
    let (code, j, err) = fit(
        "additive",
        &[
            "--quiet",
            "--bound",
            "C[*]=0.2:0.3",
            "--bound",
            "alpha=0.1:",
        ],
    );
    assert_eq!(code, 0, "{err}");
    for i in 0..3 {
        let c = param(&j, &format!("C[{i}]"));
        assert!((0.2..=0.3).contains(&c), "C[{i}] = {c}");
    }
    assert!(param(&j, "alpha") >= 0.1);
}

#[test]
fn bad_bounds_are_one_error_line_exit_2() {
    for (spec, what) in [
        ("Z=0:1", "unknown name"),
        ("Q[*]=0:1", "unknown block"),
        ("E=2:1", "empty interval"),
        ("E=1:1", "empty interval"),
        ("E", "no range"),
        ("E=0", "no colon"),
        ("E=x:1", "not a number"),
        ("E=:inf", "not finite"),
    ] {
        let (code, _, err) = fit("additive", &["--quiet", "--bound", spec]);
        assert_eq!(code, 2, "{what}: {err}");
        assert!(
            err.starts_with("error:") && err.lines().count() == 1 && err.contains("--bound"),
            "{what}: {err}"
        );
    }
}

/// 24 runs of 2 domains from a known eq 1 law, for the recommended bounds.
fn capacity_csv() -> String {
    use mixlaw_core::capacity::{CapacityLaw, Head};
    use mixlaw_core::{LawExt, Point, Scales};
    let law = CapacityLaw::eq1(2, Head::Fitted).unwrap();
    //           b[0] b[1] c[0] c[1] E[0] E[1] H
    let truth = [0.3, 0.5, 2.0, 3.0, 1.5, 1.0, 0.5];
    let mut s = String::from("h_a,h_b,params,loss_a,loss_b\n");
    for r in 0..24 {
        let x = 0.05 + 0.9 * (r as f64 * 0.618).fract();
        let n = [1e8, 3e8, 1e9][r % 3];
        let mut l = [0.0; 2];
        law.values(
            &truth,
            &Point::new(&[x, 1.0 - x], n, 1.0).unwrap(),
            Scales { n: 1e8, d: 1.0 },
            &mut l,
        )
        .unwrap();
        s += &format!("{x},{},{n},{},{}\n", 1.0 - x, l[0], l[1]);
    }
    s
}

#[test]
fn user_bounds_win_over_the_laws_recommended_bounds() {
    let train = temp("bounds_capacity.csv", &capacity_csv());
    let fit = |extra: &[&str]| {
        let mut args = vec![
            "fit",
            "--law",
            "capacity-eq1",
            "--train",
            &train,
            "--weights",
            "h_a,h_b",
            "--loss",
            "loss_a,loss_b",
            "--n",
            "params",
            "--json",
            "--quiet",
            "--loss-fn",
            "squared",
        ];
        args.extend(extra);
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{extra:?}: {err}");
        mixlaw_validate::json::parse(&out).unwrap()
    };
    let min_loss = |col: usize| {
        capacity_csv()
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(col).unwrap().parse::<f64>().unwrap())
            .fold(f64::INFINITY, f64::min)
    };
    // The recommended boxes: E_i below domain i's smallest loss, exponents in [0.01, 1].
    let j = fit(&[]);
    let mre = j
        .get("train")
        .and_then(|t| t.get("mre"))
        .and_then(Json::as_f64);
    assert!(
        mre.is_some_and(|m| m < 0.5),
        "a law fitted to its own runs: {j}"
    );
    assert!(param(&j, "E[0]") <= min_loss(3) && param(&j, "E[1]") <= min_loss(4));
    // A user bound replaces the recommended one for its parameter only.
    let j = fit(&["--bound", "b[0]=0.6:0.7"]);
    let b0 = param(&j, "b[0]");
    assert!((0.6..=0.7).contains(&b0), "b[0] = {b0}");
    assert!(active(&j).contains(&"b[0]".to_string()), "{j}");
    assert!(param(&j, "E[0]") <= min_loss(3) && param(&j, "b[1]") <= 1.0);
    // --no-bounds drops the recommended ones and keeps the user's.
    let j = fit(&["--no-bounds", "--bound", "E[1]=:0.5"]);
    assert!(param(&j, "E[1]") <= 0.5);
    assert_eq!(active(&j), ["E[1]"]);
    // Flags for laws that do not use them are accepted with a warning.
    let (code, j, _) = fit_demo_with_capacity_flags();
    assert_eq!(code, 0);
    let Some(Json::Array(w)) = j.get("warnings") else {
        panic!("{j}")
    };
    let w: Vec<&str> = w.iter().filter_map(Json::as_str).collect();
    for flag in ["--head", "--mask-below", "--no-bounds"] {
        assert!(w.iter().any(|m| m.starts_with(flag)), "{flag}: {w:?}");
    }
}

fn fit_demo_with_capacity_flags() -> (i32, Json, String) {
    fit(
        "additive",
        &[
            "--quiet",
            "--head",
            "1",
            "--mask-below",
            "0.1",
            "--no-bounds",
        ],
    )
}
