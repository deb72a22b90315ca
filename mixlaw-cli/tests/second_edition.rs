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
    // Without --loss: predictions only.
    let args: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| *a != "--loss" && *a != "loss")
        .collect();
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(parse(&out).get("metrics").is_none());
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
