//! The scenario on RegMix's released runs (real data, `MIXLAW_DATA`): a `linear`
//! law fitted on the 512 1M-parameter runs (Pile-CC validation loss) ranks unseen runs
//! well (Spearman and Kendall at 1M, 60M, 1B), but its unconstrained optimum is a corner far
//! outside every training mixture; the extrapolation report says so, and the trust region
//! and the KL prior keep the decision where the runs were.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mixlaw_testkit::data_dir;

use std::collections::HashMap;
use std::ops::ControlFlow;

use mixlaw_core::{AnyLaw, Scales};
use mixlaw_fit::owned::{fit, FitOptions, Runs};
use mixlaw_opt::support::{Extrapolation, TrainingSupport, Warning};
use mixlaw_opt::{trust_caps, Bounds, KlRegularized, LawAt, Solver, Status};

/// One RegMix split: mixtures (normalised to sum 1; the files round to 3 decimals) joined
/// on `index` with the Pile-CC loss. Returns (k, mixtures row-major, losses, domain names).
fn split(dir: &std::path::Path, mix: &str, loss: &str) -> (usize, Vec<f64>, Vec<f64>, Vec<String>) {
    let read = |f: &str| {
        let p = dir.join("regmix").join(f);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    let losses = read(loss);
    let mut lines = losses.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|c| *c == "metric/the_pile_pile_cc_val_loss")
        .unwrap();
    let by_index: HashMap<String, f64> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[col].parse().unwrap())
        })
        .collect();
    let mixtures = read(mix);
    let mut lines = mixtures.lines();
    let names: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .skip(1)
        .map(|c| c.trim_start_matches("train_the_pile_").to_string())
        .collect();
    let (mut h, mut y) = (Vec::new(), Vec::new());
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let row: Vec<f64> = f[1..].iter().map(|c| c.parse().unwrap()).collect();
        let s: f64 = row.iter().sum();
        h.extend(row.iter().map(|v| v / s));
        y.push(by_index[f[0]]);
    }
    (names.len(), h, y, names)
}

#[test]
fn regmix_linear_decision_says_when_it_extrapolates() {
    let Some(dir) = data_dir() else { return };
    let (k, h, y, names) = split(&dir, "train_mixture_1m.csv", "train_pile_loss_1m.csv");
    let runs = Runs {
        k,
        h: h.clone(),
        y,
        ..Runs::default()
    };
    let law = AnyLaw::new("linear", k, None).unwrap();
    let fitted = fit(law, &runs, &FitOptions::default(), |_| {
        ControlFlow::Continue(())
    })
    .unwrap();

    // Ranking of unseen runs (the data README's OLS check: 90.2 / 89.3 / 87.7 % Spearman).
    for (mix, loss, at_least) in [
        ("test_mixture_1m.csv", "test_pile_loss_1m.csv", 0.85),
        ("test_mixture_60m.csv", "test_pile_loss_60m.csv", 0.85),
        ("test_mixture_1B.csv", "test_pile_loss_1B.csv", 0.80),
    ] {
        let (_, th, ty, _) = split(&dir, mix, loss);
        let test = Runs {
            k,
            h: th,
            y: ty,
            ..Runs::default()
        };
        let (_, m) = fitted.evaluate(&test).unwrap();
        let (rho, tau) = (m.spearman.unwrap(), m.kendall.unwrap());
        eprintln!(
            "{mix}: spearman {rho:.4} kendall {tau:.4} mre {:.3} %",
            m.mre
        );
        assert!(rho > at_least, "{mix}: spearman {rho}");
        // Kendall's tau is smaller than Spearman's rho on concordant data, but positive.
        assert!(tau > 0.5 && tau < rho, "{mix}: kendall {tau}");
    }

    let mut storage = vec![0.0; TrainingSupport::storage_len(k, 4096)];
    let support = TrainingSupport::from_mixtures(k, &h, &mut storage).unwrap();
    let target = LawAt::new(&fitted.law, &fitted.params, 1e6, 1e9, Scales::default()).unwrap();
    let mut extremes = vec![0.0; 2 * k];
    let mut work = vec![0.0; support.hull_workspace_len()];

    // Unconstrained: a linear law's optimum is a corner, far outside the runs.
    let mut plain = vec![1.0 / k as f64; k];
    let s = Solver::<32>::default()
        .minimize(&target, &Bounds::SIMPLEX, &mut plain)
        .unwrap();
    let report = Extrapolation::assess(&plain, &[support], &mut extremes, &mut work).unwrap();
    let top = (0..k)
        .max_by(|&a, &b| plain[a].total_cmp(&plain[b]))
        .unwrap();
    eprintln!(
        "unconstrained: {} {:.4}, objective {:.4}, max_ratio {:.1}, warnings:",
        names[top],
        plain[top],
        s.objective,
        report.max_ratio().unwrap()
    );
    for w in report.warnings() {
        eprintln!("  {w}");
    }
    assert_eq!(report.outside_hull, Some(true));
    assert!(report
        .warnings()
        .any(|w| matches!(w, Warning::NearOneHot { .. })));
    assert!(report.above_max().any(|i| i == top));

    // Trust region X = 1: no domain above its training maximum.
    let mut caps = vec![0.0; k];
    trust_caps(support.max_weight(), 1.0, &mut caps).unwrap();
    let mut upper = vec![0.0; k];
    let bounds = Bounds::SIMPLEX.with_caps(k, &[&caps], &mut upper).unwrap();
    let mut trusted = vec![1.0 / k as f64; k];
    let st = Solver::<32>::default()
        .minimize(&target, &bounds, &mut trusted)
        .unwrap();
    assert_eq!(st.status, Status::Converged);
    let (mut ext2, mut work2) = (vec![0.0; 2 * k], vec![0.0; support.hull_workspace_len()]);
    let r = Extrapolation::assess(&trusted, &[support], &mut ext2, &mut work2).unwrap();
    eprintln!(
        "trust 1: objective {:.4} (plain {:.4}), max_ratio {:.4}, outside hull {:?}",
        st.objective,
        s.objective,
        r.max_ratio().unwrap(),
        r.outside_hull
    );
    assert_eq!(r.above_max().count(), 0);
    assert!(r.max_ratio().unwrap() <= 1.0 + 1e-9);
    assert!(st.objective >= s.objective);

    // KL toward the mean training mixture: inside the training hull for a strong pull.
    let prior: Vec<f64> = (0..k)
        .map(|i| (0..512).map(|j| h[j * k + i]).sum::<f64>() / 512.0)
        .collect();
    let mut last = f64::INFINITY;
    let mut inside_at = None;
    for lambda in [0.1, 1.0, 10.0, 100.0] {
        let reg = KlRegularized::new(&target, &prior, lambda).unwrap();
        let mut pulled = vec![1.0 / k as f64; k];
        let sol = Solver::<32>::default()
            .minimize(&reg, &Bounds::SIMPLEX, &mut pulled)
            .unwrap();
        assert_eq!(sol.status, Status::Converged);
        let (objective, penalized) = reg.parts(&pulled).unwrap();
        let r = Extrapolation::assess(&pulled, &[support], &mut ext2, &mut work2).unwrap();
        let dist: f64 = pulled.iter().zip(&prior).map(|(a, b)| (a - b).abs()).sum();
        eprintln!(
            "KL {lambda} to the mean run: objective {objective:.4}, penalised {penalized:.4}, \
             |h - prior|_1 {dist:.4}, max_ratio {:.3}, outside hull {:?}",
            r.max_ratio().unwrap(),
            r.outside_hull
        );
        assert!(objective >= s.objective && penalized >= objective);
        assert!(dist < last);
        last = dist;
        if r.outside_hull == Some(false) && inside_at.is_none() {
            inside_at = Some(lambda);
        }
    }
    // A strong enough pull lands inside the training hull.
    assert!(inside_at.is_some());
}
